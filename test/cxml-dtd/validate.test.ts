import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import {
  familyOf,
  payloadNameOf,
  resolveDtdFile,
  validateAgainstDtd,
  validateCxmlDocument,
} from '../../src/cxml-dtd/validate.js';
import { assertDtdValid } from '../helpers/dtd.js';

const fixturesDir = fileURLToPath(new URL('../../../shared/fixtures/cxml/', import.meta.url));
const dtdDir = fileURLToPath(new URL('../../../shared/dtd/', import.meta.url));
const fixtures = readdirSync(fixturesDir).filter((n) => n.endsWith('.xml')).sort();

/** The three fixtures that are structurally wrong (see shared/fixtures/cxml/README.md). */
const INVALID: Record<string, RegExp> = {
  '02': /Element PunchOutSetupRequest content does not follow the DTD/,
  '13': /root element is <cxml>/,
  '23': /PaymentReference/,
};

const scratch = mkdtempSync(join(tmpdir(), 'koppel-dtd-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('official fixtures against the 1.2.071 DTDs', () => {
  it('has all 40 fixtures', () => {
    assert.equal(fixtures.length, 40);
  });

  for (const name of fixtures) {
    const prefix = name.slice(0, 2);
    it(`${name} is ${INVALID[prefix] ? 'invalid' : 'valid'}`, () => {
      const xml = readFileSync(join(fixturesDir, name), 'utf8');
      // The file name carries the payload name; the family must agree with what the document says.
      const payload = name.split('-')[1]!;
      assert.equal(payloadNameOf(xml), payload === 'OrderResponse' ? 'Response' : payload);
      const family = familyOf(payload);
      const result = validateAgainstDtd(xml, family, { version: '1.2.071' });
      assert.equal(result.dtd, join(dtdDir, '1.2.071', `${family}.dtd`));
      const expectedError = INVALID[prefix];
      if (expectedError) {
        assert.equal(result.valid, false, `${name} should be invalid`);
        assert.ok(result.errors.some((e) => expectedError.test(e)), result.errors.join('\n'));
      } else {
        assert.deepEqual(result.errors, [], `${name}: ${result.errors.join('\n')}`);
        assert.equal(result.valid, true);
      }
    });
  }

  it('picks the family from the payload (validateCxmlDocument)', () => {
    const confirmation = readFileSync(join(fixturesDir, '26-ConfirmationRequest-officedepot-detail.xml'), 'utf8');
    const r = validateCxmlDocument(confirmation);
    assert.equal(r.family, 'Fulfill');
    assert.equal(r.valid, true);
    // The Request element of cXML.dtd does not list ConfirmationRequest.
    const wrong = validateAgainstDtd(confirmation, 'cXML');
    assert.equal(wrong.valid, false);
    assert.ok(wrong.errors.some((e) => /No declaration for element ConfirmationRequest/.test(e)));
  });

  it('validates an InvoiceDetailRequest only against InvoiceDetail.dtd', () => {
    const invoice = readFileSync(join(fixturesDir, '28-InvoiceDetailRequest-coupa-line-tax.xml'), 'utf8');
    assertDtdValid(invoice, 'InvoiceDetail');
    assert.equal(validateAgainstDtd(invoice, 'cXML').valid, false);
  });
});

describe('familyOf', () => {
  it('maps payload names to DTD families', () => {
    assert.equal(familyOf('ConfirmationRequest'), 'Fulfill');
    assert.equal(familyOf('ShipNoticeRequest'), 'Fulfill');
    assert.equal(familyOf('InvoiceDetailRequest'), 'InvoiceDetail');
    for (const name of ['PunchOutSetupRequest', 'PunchOutOrderMessage', 'OrderRequest', 'ProfileResponse', 'Response', 'StatusUpdateRequest', 'CopyRequest']) {
      assert.equal(familyOf(name), 'cXML');
    }
  });
});

describe('choice of DTD file', () => {
  it('uses the requested version when it has the family file', () => {
    assert.equal(resolveDtdFile('cXML', { version: '1.2.014' }), join(dtdDir, '1.2.014', 'cXML.dtd'));
    assert.equal(resolveDtdFile('InvoiceDetail', { version: '1.2.020' }), join(dtdDir, '1.2.020', 'InvoiceDetail.dtd'));
  });

  it('falls back to the newest version that has the file, and reports it', () => {
    assert.equal(resolveDtdFile('Fulfill', { version: '1.2.014' }), join(dtdDir, '1.2.071', 'Fulfill.dtd'));
    assert.equal(resolveDtdFile('cXML', { version: '1.2.050' }), join(dtdDir, '1.2.071', 'cXML.dtd'));
    const ship = readFileSync(join(fixturesDir, '27-ShipNoticeRequest-ariba-style.xml'), 'utf8');
    const r = validateAgainstDtd(ship, 'Fulfill', { version: '1.2.014' });
    assert.equal(r.valid, true);
    assert.equal(r.dtd, join(dtdDir, '1.2.071', 'Fulfill.dtd'));
  });

  it('honours dtdDir and KOPPEL_DTD_DIR', () => {
    // A directory of links to the official files (never copies), without 1.2.071.
    const dir = join(scratch, 'dtd-links');
    for (const v of ['1.2.020', '1.2.063']) {
      mkdirSync(join(dir, v), { recursive: true });
      symlinkSync(join(dtdDir, v, 'cXML.dtd'), join(dir, v, 'cXML.dtd'));
    }
    assert.equal(resolveDtdFile('cXML', { dtdDir: dir }), join(dir, '1.2.063', 'cXML.dtd'));
    const before = process.env.KOPPEL_DTD_DIR;
    process.env.KOPPEL_DTD_DIR = dir;
    try {
      assert.equal(resolveDtdFile('cXML', { version: '1.2.020' }), join(dir, '1.2.020', 'cXML.dtd'));
      assert.throws(() => resolveDtdFile('InvoiceDetail'), /no InvoiceDetail\.dtd/);
    } finally {
      if (before === undefined) delete process.env.KOPPEL_DTD_DIR;
      else process.env.KOPPEL_DTD_DIR = before;
    }
  });

  it('refuses a malformed version', () => {
    assert.throws(() => resolveDtdFile('cXML', { version: '../../etc' }), /version/);
  });
});

describe('hostile and broken input', () => {
  const marker = `KOPPEL-SECRET-${process.pid}-${Date.now()}`;
  const secretFile = join(scratch, 'secret.txt');
  writeFileSync(secretFile, `${marker}\n`);
  const evilDtd = join(scratch, 'evil.dtd');
  writeFileSync(evilDtd, `<!ENTITY leak "${marker}">\n`);

  const body = (content: string) =>
    `<cXML payloadID="1@x" timestamp="2026-01-01T00:00:00+00:00"><Response><Status code="200" text="OK">${content}</Status></Response></cXML>`;

  function assertNoLeak(result: ReturnType<typeof validateAgainstDtd>): void {
    const text = JSON.stringify(result);
    assert.ok(!text.includes(marker), 'content of the local file leaked');
    assert.ok(!/root:.*:0:0:/.test(text), '/etc/passwd leaked');
  }

  it('does not read /etc/passwd through an external general entity', () => {
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE cXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n${body('&xxe;')}`;
    const r = validateAgainstDtd(xml, 'cXML');
    assertNoLeak(r);
    assert.equal(r.valid, false);
    assert.ok(r.errors.some((e) => /internal DTD subset/.test(e)), r.errors.join('\n'));
  });

  it('does not read a local file through an external general entity', () => {
    const xml = `<!DOCTYPE cXML [<!ENTITY xxe SYSTEM "file://${secretFile}">]>\n${body('&xxe;')}`;
    const r = validateAgainstDtd(xml, 'cXML');
    assertNoLeak(r);
    assert.equal(r.valid, false);
  });

  it('does not load external parameter entities', () => {
    const xml = `<!DOCTYPE cXML [<!ENTITY % p SYSTEM "file://${evilDtd}"> %p;]>\n${body('&leak;')}`;
    const r = validateAgainstDtd(xml, 'cXML');
    assertNoLeak(r);
    assert.equal(r.valid, false);
  });

  it('does not load the DTD the document points at', () => {
    const xml = `<!DOCTYPE cXML SYSTEM "file://${evilDtd}">\n${body('&leak;')}`;
    const r = validateAgainstDtd(xml, 'cXML');
    assertNoLeak(r);
    assert.equal(r.dtd, join(dtdDir, '1.2.071', 'cXML.dtd'));
  });

  it('survives entity expansion bombs without expanding them', () => {
    const lol = ['<!ENTITY a "lollollollollollollollollollol">'];
    for (let i = 1; i < 10; i++) lol.push(`<!ENTITY ${String.fromCharCode(97 + i)} "${`&${String.fromCharCode(96 + i)};`.repeat(10)}">`);
    const xml = `<!DOCTYPE cXML [${lol.join('')}]>\n${body('&j;')}`;
    const r = validateAgainstDtd(xml, 'cXML');
    assert.equal(r.valid, false);
    assert.ok(JSON.stringify(r).length < 10_000);
  });

  it('reports a document that is not well-formed', () => {
    const r = validateAgainstDtd('<cXML><Response>', 'cXML');
    assert.equal(r.valid, false);
    assert.match(r.errors[0]!, /not well-formed/);
    assert.equal(validateAgainstDtd('', 'cXML').valid, false);
  });

  it('requires the cXML root element', () => {
    const r = validateAgainstDtd('<Status code="200" text="OK"/>', 'cXML');
    assert.equal(r.valid, false);
    assert.ok(r.errors.some((e) => /root element is <Status>/.test(e)));
  });

  it('accepts a document whose DOCTYPE points at the public URL without fetching it', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">\n${body('')}`;
    const started = Date.now();
    assertDtdValid(xml, 'cXML');
    assert.ok(Date.now() - started < 2000);
  });
});
