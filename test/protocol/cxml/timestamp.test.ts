import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatCxmlTimestamp,
  isValidZone,
  parseCxmlTimestamp,
  parseZoneOffset,
} from '../../../src/protocol/cxml/timestamp.js';

function iso(raw: string, zone?: string): string | undefined {
  return parseCxmlTimestamp(raw, zone).instant?.toISOString();
}

describe('parseCxmlTimestamp', () => {
  it('reads the spec form with a ±hh:mm offset', () => {
    const ts = parseCxmlTimestamp('1999-03-12T18:39:09-08:00');
    assert.deepEqual(ts, { raw: '1999-03-12T18:39:09-08:00', instant: new Date('1999-03-13T02:39:09Z') });
  });

  it('reads ±hhmm offsets (fixtures 06, 07, 17, 38, 40)', () => {
    assert.equal(iso('2018-01-01T00:00:00-0500'), '2018-01-01T05:00:00.000Z');
    assert.equal(iso('2023-09-25T10:50:59+0200'), '2023-09-25T08:50:59.000Z');
  });

  it('reads an hours-only offset', () => {
    assert.equal(iso('2024-06-01T12:00:00+02'), '2024-06-01T10:00:00.000Z');
  });

  it('reads Z although the spec forbids it (Coupa invoices)', () => {
    const ts = parseCxmlTimestamp('2010-12-22T19:03:37Z');
    assert.equal(ts.instant?.toISOString(), '2010-12-22T19:03:37.000Z');
    assert.equal(ts.zoneAssumed, undefined);
  });

  it('reads fractions, keeping milliseconds and cutting finer digits without rounding', () => {
    assert.equal(iso('2023-09-25T10:50:59.433+0200'), '2023-09-25T08:50:59.433Z');
    assert.equal(iso('2023-09-25T10:50:59.5+00:00'), '2023-09-25T10:50:59.500Z');
    assert.equal(iso('2023-09-25T10:50:59.999999+00:00'), '2023-09-25T10:50:59.999Z');
  });

  it('assumes the default zone (+00:00) when none is given and says so', () => {
    const ts = parseCxmlTimestamp('2016-04-20T04:34:19');
    assert.equal(ts.instant?.toISOString(), '2016-04-20T04:34:19.000Z');
    assert.equal(ts.zoneAssumed, true);
  });

  it('uses a fixed default zone given by the caller', () => {
    assert.equal(iso('2016-04-20T04:34:19', '+02:00'), '2016-04-20T02:34:19.000Z');
    assert.equal(iso('2016-04-20T04:34:19', '-0500'), '2016-04-20T09:34:19.000Z');
  });

  it('uses an IANA default zone with its daylight saving time', () => {
    assert.equal(iso('2024-01-15T12:00:00', 'Europe/Berlin'), '2024-01-15T11:00:00.000Z');
    assert.equal(iso('2024-07-15T12:00:00', 'Europe/Berlin'), '2024-07-15T10:00:00.000Z');
    assert.equal(iso('2024-07-15T12:00:00', 'America/New_York'), '2024-07-15T16:00:00.000Z');
  });

  it('accepts a space instead of T (fixture 18)', () => {
    const ts = parseCxmlTimestamp('2020-09-25 15:30:43');
    assert.equal(ts.instant?.toISOString(), '2020-09-25T15:30:43.000Z');
    assert.equal(ts.zoneAssumed, true);
  });

  it('accepts a time without seconds', () => {
    assert.equal(iso('2020-09-25T15:30+01:00'), '2020-09-25T14:30:00.000Z');
  });

  it('reads the C ctime form Coupa once sent (fixture 02)', () => {
    const ts = parseCxmlTimestamp('Mon May 19 18:29:48 +0000 2008');
    assert.equal(ts.instant?.toISOString(), '2008-05-19T18:29:48.000Z');
    assert.equal(ts.zoneAssumed, undefined);
    assert.equal(iso('Tue Jan  1 08:00:00 -0500 2008'), '2008-01-01T13:00:00.000Z');
    assert.equal(iso('Mon May 19 18:29:48 UTC 2008'), '2008-05-19T18:29:48.000Z');
  });

  it('reads a ctime without a zone with the default zone', () => {
    const ts = parseCxmlTimestamp('Mon May 19 18:29:48 2008', '+01:00');
    assert.equal(ts.instant?.toISOString(), '2008-05-19T17:29:48.000Z');
    assert.equal(ts.zoneAssumed, true);
  });

  it('keeps date-only values as calendar days that no zone can shift', () => {
    assert.deepEqual(parseCxmlTimestamp('2025-01-28'), { raw: '2025-01-28', dateOnly: '2025-01-28' });
    // Even with a zone far east or west, the day stays the 28th.
    assert.deepEqual(parseCxmlTimestamp('2025-01-28', '+14:00'), { raw: '2025-01-28', dateOnly: '2025-01-28' });
    assert.deepEqual(parseCxmlTimestamp('2025-01-28', 'Pacific/Kiritimati'), { raw: '2025-01-28', dateOnly: '2025-01-28' });
  });

  it('trims surrounding whitespace into raw', () => {
    assert.equal(parseCxmlTimestamp('  2025-01-28T10:00:00+01:00\n').raw, '2025-01-28T10:00:00+01:00');
  });

  it('keeps unparseable text raw, with no instant and no throw', () => {
    for (const raw of ['invoice_date', '', '28.01.2025', '2025-13-01T00:00:00Z', '2025-02-30', '2025-01-01T24:00:00Z', '2025-01-01T10:00:00+25:00', 'Foo May 19 18:29:48 2008']) {
      const ts = parseCxmlTimestamp(raw);
      assert.equal(ts.instant, undefined, raw);
      assert.equal(ts.dateOnly, undefined, raw);
      assert.equal(ts.raw, raw.trim());
    }
  });

  it('accepts 29 February only in leap years', () => {
    assert.equal(parseCxmlTimestamp('2024-02-29').dateOnly, '2024-02-29');
    assert.equal(parseCxmlTimestamp('2023-02-29').dateOnly, undefined);
  });
});

describe('formatCxmlTimestamp', () => {
  const instant = new Date('2026-01-31T13:05:09.876Z');

  it('writes +00:00 by default, never Z, without fractions', () => {
    assert.equal(formatCxmlTimestamp(instant), '2026-01-31T13:05:09+00:00');
  });

  it('writes the wall-clock time at a positive or negative offset', () => {
    assert.equal(formatCxmlTimestamp(instant, 60), '2026-01-31T14:05:09+01:00');
    assert.equal(formatCxmlTimestamp(instant, -300), '2026-01-31T08:05:09-05:00');
    assert.equal(formatCxmlTimestamp(instant, 330), '2026-01-31T18:35:09+05:30');
    assert.equal(formatCxmlTimestamp(new Date('2026-01-01T02:00:00Z'), -180), '2025-12-31T23:00:00-03:00');
  });

  it('round-trips through the parser', () => {
    for (const offset of [0, 60, -300, 345, -570]) {
      const text = formatCxmlTimestamp(instant, offset);
      assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
      assert.equal(parseCxmlTimestamp(text).instant?.getTime(), Math.floor(instant.getTime() / 1000) * 1000);
    }
  });

  it('refuses invalid dates and offsets', () => {
    assert.throws(() => formatCxmlTimestamp(new Date(Number.NaN)), RangeError);
    assert.throws(() => formatCxmlTimestamp(instant, 1.5), RangeError);
    assert.throws(() => formatCxmlTimestamp(instant, 24 * 60), RangeError);
  });
});

describe('zones', () => {
  it('parses fixed offsets', () => {
    assert.equal(parseZoneOffset('Z'), 0);
    assert.equal(parseZoneOffset('+05:30'), 330);
    assert.equal(parseZoneOffset('-0500'), -300);
    assert.equal(parseZoneOffset('Europe/Berlin'), undefined);
    assert.equal(parseZoneOffset('+05:75'), undefined);
  });

  it('knows valid default zones', () => {
    assert.equal(isValidZone('+00:00'), true);
    assert.equal(isValidZone('Europe/Berlin'), true);
    assert.equal(isValidZone('Mars/Olympus'), false);
    assert.equal(isValidZone('+99:00'), false);
  });
});
