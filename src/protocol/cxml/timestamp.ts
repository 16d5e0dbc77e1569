/**
 * cXML timestamps: read leniently, write strictly.
 *
 * The spec wants `YYYY-MM-DDThh:mm:ss±hh:mm` (fractions optional, `Z` forbidden). Real senders
 * also write `±hhmm`, `Z`, no zone at all, a space instead of `T`, date-only values for date
 * attributes and even Ruby/C `ctime` strings (`Mon May 19 18:29:48 +0000 2008`). All of these are
 * understood; anything else keeps its raw text and gets no instant (callers warn, never throw).
 */
import type { CxmlTimestamp } from './model.js';

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

// `[Mon] May 19 18:29:48 [+0000|UTC] 2008`: Ruby's Time#to_s of old and C ctime (zone optional).
const CTIME =
  /^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?([a-z]{3})[a-z]*\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})(?:\s+(Z|UTC|GMT|[+-]\d{2}:?\d{2}))?\s+(\d{4})$/i;

/** Largest offset accepted from a document or a caller, in minutes (real zones stay within ±14h). */
const MAX_OFFSET_MINUTES = 18 * 60;

/**
 * Reads a cXML date/time attribute.
 *
 * `defaultZone` applies when the text has no zone: a fixed offset (`+01:00`, `-0500`, `Z`) or an
 * IANA zone name (`Europe/Berlin`, daylight saving included). Default `+00:00`.
 *
 * @example
 * parseCxmlTimestamp('2018-01-01T00:00:00-0500').instant // 2018-01-01T05:00:00.000Z
 * parseCxmlTimestamp('2025-01-28')                       // { raw, dateOnly: '2025-01-28' }
 * parseCxmlTimestamp('2016-04-20T04:34:19', '+02:00')    // zoneAssumed: true, instant 02:34:19Z
 */
export function parseCxmlTimestamp(raw: string, defaultZone = '+00:00'): CxmlTimestamp {
  const text = raw.trim();
  const iso = ISO.exec(text);
  if (iso) {
    const [, y, mo, d, h, mi, s, frac, zone] = iso;
    const date = civil(num(y), num(mo), num(d));
    if (date === undefined) return { raw: text };
    // A date without a time is a calendar day: no instant, so no zone can shift it.
    if (h === undefined) return { raw: text, dateOnly: `${y}-${mo}-${d}` };
    return build(text, date, num(h), num(mi), s === undefined ? 0 : num(s), frac, zone, defaultZone);
  }
  const ct = CTIME.exec(text);
  if (ct) {
    const [, mon, d, h, mi, s, zone, y] = ct;
    const month = MONTHS[(mon ?? '').toLowerCase()];
    if (month === undefined) return { raw: text };
    const date = civil(num(y), month, num(d));
    if (date === undefined) return { raw: text };
    return build(text, date, num(h), num(mi), num(s), undefined, zone, defaultZone);
  }
  return { raw: text };
}

/**
 * Writes an instant the way cXML wants it: `YYYY-MM-DDThh:mm:ss±hh:mm`, never `Z`, no fraction.
 * `offsetMinutes` is the local offset east of UTC (`60` for `+01:00`, `-300` for `-05:00`).
 *
 * @example
 * formatCxmlTimestamp(new Date('2026-01-31T13:05:00Z'), 60) // '2026-01-31T14:05:00+01:00'
 */
export function formatCxmlTimestamp(instant: Date, offsetMinutes = 0): string {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('cannot format an invalid Date');
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) {
    throw new RangeError(`offset must be whole minutes within ±18h, got ${offsetMinutes}`);
  }
  // Shift, then read the UTC fields: they are the wall-clock fields at that offset.
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60_000);
  const year = local.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`year ${year} cannot be written as cXML`);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${pad(year, 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/**
 * Offset in minutes of a fixed zone text (`Z`, `UTC`, `+01:00`, `-0500`, `+02`), or undefined
 * when the text is not a fixed offset (e.g. an IANA name) or out of range.
 */
export function parseZoneOffset(zone: string): number | undefined {
  const z = zone.trim();
  if (/^(z|utc|gmt)$/i.test(z)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(z);
  if (!m) return undefined;
  const hours = num(m[2]);
  const minutes = m[3] === undefined ? 0 : num(m[3]);
  if (minutes > 59) return undefined;
  const total = hours * 60 + minutes;
  if (total > MAX_OFFSET_MINUTES) return undefined;
  return m[1] === '-' ? -total : total;
}

/** True when `zone` can serve as a default zone (fixed offset or a zone name the runtime knows). */
export function isValidZone(zone: string): boolean {
  if (parseZoneOffset(zone) !== undefined) return true;
  try {
    zoneFormatter(zone);
    return true;
  } catch {
    return false;
  }
}

function build(
  raw: string,
  date: number,
  hour: number,
  minute: number,
  second: number,
  fraction: string | undefined,
  zone: string | undefined,
  defaultZone: string,
): CxmlTimestamp {
  if (hour > 23 || minute > 59 || second > 59) return { raw };
  // Date keeps milliseconds only; finer fractions are cut, never rounded up into the next second.
  const millis = fraction === undefined ? 0 : num(fraction.slice(0, 3).padEnd(3, '0'));
  const wall = date + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
  if (zone !== undefined) {
    const offset = parseZoneOffset(zone);
    if (offset === undefined) return { raw };
    return { raw, instant: new Date(wall - offset * 60_000) };
  }
  const assumed = wallToInstant(wall, defaultZone);
  return { raw, instant: new Date(assumed), zoneAssumed: true };
}

/** Epoch millis of a wall-clock time (given as UTC millis of the same fields) in `zone`. */
function wallToInstant(wall: number, zone: string): number {
  const fixed = parseZoneOffset(zone);
  if (fixed !== undefined) return wall - fixed * 60_000;
  // Zone names: guess with the offset at the wall time, then correct once across a DST change.
  const first = zoneOffsetAt(zone, wall);
  const guess = wall - first * 60_000;
  const second = zoneOffsetAt(zone, guess);
  return second === first ? guess : wall - second * 60_000;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Offset (minutes east of UTC) of an IANA zone at an instant. */
function zoneOffsetAt(zone: string, instant: number): number {
  const fields: Record<string, number> = {};
  for (const part of zoneFormatter(zone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(
    fields.year ?? 1970,
    (fields.month ?? 1) - 1,
    fields.day ?? 1,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
  );
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

/** UTC millis of midnight of a calendar date, or undefined when the date does not exist. */
function civil(year: number, month: number, day: number): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(0, 0, 0, 0);
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return d.getTime();
}

function num(digits: string | undefined): number {
  return digits === undefined ? 0 : Number.parseInt(digits, 10);
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}
