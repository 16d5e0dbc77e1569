/**
 * The conformance rules on their own (no browser): each rule fails on a document that breaks it,
 * naming the exact field and value, and a correct document passes every rule.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';
import { checkCxmlReturn, checkOciReturn, nearestField, type CapturedReturn, type CxmlExpectation, type Finding, type OciExpectation } from '../../src/conformance/checks.js';
import { findPreset, type CxmlPreset, type OciPreset } from '../../src/conformance/presets.js';
import { encodeUrlencoded } from '../../src/protocol/oci/form-encoding.js';
import { toBase64Field, writePunchOutOrderMessage, type ItemInInput, type PunchOutOrderMessageInput } from '../../src/protocol/cxml/writer.js';
import { parseScript, ScriptError } from '../../src/conformance/scenarios.js';

const DTD_DIR = fileURLToPath(new URL('../../../shared/dtd/', import.meta.url));
const srm = findPreset('sap-srm') as OciPreset;
const s4 = findPreset('sap-s4hana') as OciPreset;
const ariba = findPreset('ariba') as CxmlPreset;
const coupa = findPreset('coupa') as CxmlPreset;
const jaggaer = findPreset('jaggaer') as CxmlPreset;

const HOOK = '/return/x?sap-client=100';

function capture(body: string | Buffer, over: Partial<CapturedReturn> = {}): CapturedReturn {
  return { method: 'POST', url: HOOK, contentType: 'application/x-www-form-urlencoded', body: typeof body === 'string' ? Buffer.from(body, 'latin1') : body, frame: 'top', ...over };
}

const fails = (list: Finding[]) => list.filter((f) => f.status === 'fail').map((f) => `${f.rule} ${f.field} = ${f.value}`);
const warns = (list: Finding[]) => list.filter((f) => f.status === 'warn').map((f) => `${f.rule} ${f.field} = ${f.value}`);

// ---- OCI ------------------------------------------------------------------------------------------

const GOOD_LINE: [string, string][] = [
  ['NEW_ITEM-DESCRIPTION[1]', 'Stapler'],
  ['NEW_ITEM-QUANTITY[1]', '2.000'],
  ['NEW_ITEM-UNIT[1]', 'PCE'],
  ['NEW_ITEM-PRICE[1]', '12.500'],
  ['NEW_ITEM-CURRENCY[1]', 'EUR'],
  ['NEW_ITEM-PRICEUNIT[1]', '1'],
  ['NEW_ITEM-LONGTEXT_1:132[]', 'A long text'],
];
const ECHO: [string, string][] = [['~OkCode', 'ADDI'], ['~TARGET', '_top'], ['~CALLER', 'CTLG']];
const ociExpect: OciExpectation = { url: HOOK, frame: 'top', target: '_top', kind: 'transfer', echo: ECHO };

function oci(pairs: [string, string][], over: Partial<OciExpectation> = {}, cap: Partial<CapturedReturn> = {}, preset: OciPreset = srm) {
  return checkOciReturn(preset, 'oci-transfer', capture(encodeUrlencoded(pairs), cap), { ...ociExpect, ...over }).findings;
}

describe('OCI rules', () => {
  test('a correct cart passes every rule', () => {
    const f = oci([...GOOD_LINE, ...ECHO]);
    assert.deepEqual([...fails(f), ...warns(f)], []);
    assert.ok(f.length >= 10);
  });

  test('field length, unit, misspelt and wrongly spelt long-text names', () => {
    const f = oci([
      ...GOOD_LINE.filter(([k]) => !k.includes('DESCRIPTION') && !k.includes('UNIT[') && !k.includes('LONGTEXT')),
      ['NEW_ITEM-DESCRIPTION[1]', 'x'.repeat(41)],
      ['NEW_ITEM-UNIT[1]', 'ST'],
      ['NEW_ITEM-VENDORMATT[1]', 'A-1'],
      ['NEW_ITEM-LONGTEXT[1]', 'text'],
      ['NEW_ITEM-TAX_RATE[1]', '19'],
      ...ECHO,
    ]);
    assert.deepEqual(fails(f).sort(), [
      `field-length NEW_ITEM-DESCRIPTION[1] = ${'x'.repeat(41)}`,
      'field-name NEW_ITEM-LONGTEXT[1] = NEW_ITEM-LONGTEXT[1]',
      'field-name NEW_ITEM-VENDORMATT[1] = A-1',
      'unit NEW_ITEM-UNIT[1] = ST',
    ]);
    assert.deepEqual(warns(f), ['field-name NEW_ITEM-TAX_RATE[1] = 19'], 'an extension field is only a warning');
  });

  test('numbers, required fields, currency and line numbering', () => {
    const f = oci([
      ['NEW_ITEM-DESCRIPTION[2]', 'Pen'],
      ['NEW_ITEM-QUANTITY[2]', '0'],
      ['NEW_ITEM-UNIT[2]', 'EA'],
      ['NEW_ITEM-PRICE[2]', '1,50'],
      ['NEW_ITEM-CURRENCY[2]', 'eur'],
      ['NEW_ITEM-LEADTIME[2]', '3d'],
      ['NEW_ITEM-QUANTITY[3]', '1'],
      ['NEW_ITEM-PRICE[3]', '1.000'],
      ...ECHO,
    ]);
    assert.deepEqual(fails(f).sort(), [
      'currency NEW_ITEM-CURRENCY[2] = eur',
      'line-index undefined = undefined',
      'number NEW_ITEM-LEADTIME[2] = 3d',
      'number NEW_ITEM-PRICE[2] = 1,50',
      'number NEW_ITEM-QUANTITY[2] = 0',
      'required NEW_ITEM-CURRENCY[3] = ',
      'required NEW_ITEM-DESCRIPTION[3] = ',
      'required NEW_ITEM-UNIT[3] = ',
    ]);
  });

  test('charset: Latin-1 bytes where UTF-8 is expected name the field', () => {
    const body = `${encodeUrlencoded([...GOOD_LINE.filter(([k]) => !k.includes('DESCRIPTION')), ...ECHO])}&NEW_ITEM-DESCRIPTION%5B1%5D=Gr%F6%DFe`;
    const f = checkOciReturn(srm, 'oci-transfer', capture(body), ociExpect).findings;
    assert.deepEqual(fails(f), ['charset NEW_ITEM-DESCRIPTION[1] = Größe']);
  });

  test('charset: a buyer reading ISO-8859-1 is warned about UTF-8 bytes', () => {
    const latin: OciPreset = { ...s4, charset: 'ISO-8859-1' };
    const body = `${encodeUrlencoded(GOOD_LINE.filter(([k]) => !k.includes('DESCRIPTION')))}&NEW_ITEM-DESCRIPTION%5B1%5D=Gr%C3%B6%C3%9Fe`;
    const f = checkOciReturn(latin, 'oci-transfer', capture(body), { ...ociExpect, echo: [] }).findings;
    assert.deepEqual(fails(f), []);
    assert.deepEqual(warns(f), ['charset NEW_ITEM-DESCRIPTION[1] = GrÃ¶Ã\u009fe']);
  });

  test('return address, method, window and echo', () => {
    const f = oci([...GOOD_LINE, ['~OkCode', 'ADDI'], ['~CALLER', 'XX']], {}, { url: '/return/x', method: 'GET', frame: 'shop-frame' });
    assert.deepEqual(fails(f).sort(), ['echo ~CALLER = XX', 'echo ~TARGET = ', 'method method = GET', 'return-url HOOK_URL = /return/x', 'target target = shop-frame']);
    // S/4 has no ITS: a missing echo is a warning there.
    const g = oci(GOOD_LINE, { echo: [['~OkCode', 'ADDI']] }, {}, s4);
    assert.deepEqual(fails(g), []);
    assert.deepEqual(warns(g), ['echo ~OkCode = ']);
  });

  test('a cancel must come back empty, a transfer must not', () => {
    assert.deepEqual(fails(oci([...GOOD_LINE, ...ECHO], { kind: 'cancel' })), ['items NEW_ITEM = 1 lines']);
    assert.deepEqual(fails(oci(ECHO, { kind: 'transfer' })), ['items NEW_ITEM = 0 lines']);
  });

  test('misspellings are recognised, extension fields are not guessed', () => {
    assert.equal(nearestField('DESCRIPTON'), 'DESCRIPTION');
    assert.equal(nearestField('LEADTIM'), 'LEADTIME');
    assert.equal(nearestField('TAX_RATE'), undefined);
    assert.equal(nearestField('GTIN'), undefined);
  });
});

// ---- cXML -----------------------------------------------------------------------------------------

const COOKIE = 'cookie 123';
const cxmlExpect: CxmlExpectation = { url: HOOK, frame: 'top', target: '_self', kind: 'transfer', buyerCookie: COOKIE, secret: 'the-secret' };

function item(over: Partial<ItemInInput> = {}, unit = 'EA', desc = 'Stapler'): ItemInInput {
  return {
    quantity: new Decimal(2),
    lineNumber: 1,
    itemID: { supplierPartID: 'ST-1', supplierPartAuxiliaryID: 'a1' },
    itemDetail: { unitPrice: { amount: new Decimal('4.25'), currency: 'EUR' }, descriptions: [{ lang: 'en', text: desc }], unitOfMeasure: unit, classifications: [{ domain: 'UNSPSC', code: '44121615' }] },
    ...over,
  };
}

function poom(over: Partial<PunchOutOrderMessageInput> = {}, version = '1.2.014', secret?: string): string {
  return writePunchOutOrderMessage(
    { payloadID: '1@test', timestamp: new Date('2026-01-01T00:00:00Z'), version },
    {
      from: { credentials: [{ domain: 'DUNS', identity: 'sup' }] },
      to: { credentials: [{ domain: 'DUNS', identity: 'buy' }] },
      sender: { credentials: [{ domain: 'DUNS', identity: 'sup', ...(secret ? { sharedSecret: secret } : {}) }], userAgent: 'test' },
    },
    { buyerCookie: COOKIE, operationAllowed: 'edit', total: { amount: new Decimal('8.50'), currency: 'EUR' }, items: [item()], ...over },
  );
}

function cxml(preset: CxmlPreset, body: string, over: Partial<CxmlExpectation> = {}) {
  return checkCxmlReturn(preset, 'cxml-create', capture(body), { ...cxmlExpect, ...over }, { dtdDir: DTD_DIR }).findings;
}

/** A POOM written out by hand: what other suppliers' generators produce, mistakes included. */
function handPoom(o: { classification: boolean; secret?: string }): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="2@test" timestamp="2026-01-01T00:00:00+00:00" xml:lang="en-US">
<Header><From><Credential domain="DUNS"><Identity>sup</Identity></Credential></From><To><Credential domain="DUNS"><Identity>buy</Identity></Credential></To>
<Sender><Credential domain="DUNS"><Identity>sup</Identity>${o.secret ? `<SharedSecret>${o.secret}</SharedSecret>` : ''}</Credential><UserAgent>hand</UserAgent></Sender></Header>
<Message><PunchOutOrderMessage><BuyerCookie>${COOKIE}</BuyerCookie><PunchOutOrderMessageHeader operationAllowed="edit"><Total><Money currency="EUR">8.50</Money></Total></PunchOutOrderMessageHeader>
<ItemIn quantity="2"><ItemID><SupplierPartID>ST-1</SupplierPartID></ItemID><ItemDetail><UnitPrice><Money currency="EUR">4.25</Money></UnitPrice><Description xml:lang="en">Stapler</Description><UnitOfMeasure>EA</UnitOfMeasure>${o.classification ? '<Classification domain="UNSPSC">44121615</Classification>' : ''}</ItemDetail></ItemIn>
</PunchOutOrderMessage></Message></cXML>`;
}

const b64 = (xml: string, name = 'cXML-base64') => encodeUrlencoded([[name, toBase64Field(xml)]]);

describe('cXML rules', () => {
  test('a correct cart passes every rule', () => {
    const f = cxml(coupa, b64(poom()));
    assert.deepEqual([...fails(f), ...warns(f)], []);
    for (const rule of ['dtd', 'buyer-cookie', 'total', 'unit', 'text', 'version', 'charset', 'form-field']) assert.ok(f.some((x) => x.rule === rule && x.status === 'pass'), rule);
  });

  test('BuyerCookie, total, unit and refused characters', () => {
    const xml = poom({ buyerCookie: 'other', total: { amount: new Decimal('9.00'), currency: 'EUR' }, items: [item({}, 'STK', 'Stapler™')] });
    assert.deepEqual(fails(cxml(coupa, b64(xml))).sort(), [
      'buyer-cookie PunchOutOrderMessage/BuyerCookie = other',
      'text ItemIn[1]/ItemDetail/Description[1] = Stapler™',
      'total PunchOutOrderMessageHeader/Total/Money = 9.00',
      'unit ItemIn[1]/ItemDetail/UnitOfMeasure = STK',
    ]);
    // Jaggaer maps unknown units to EA itself: a warning there, and ™ is fine.
    const j = cxml(jaggaer, b64(xml));
    assert.deepEqual(warns(j), ['unit ItemIn[1]/ItemDetail/UnitOfMeasure = STK']);
  });

  test('form field name, BOM, ASCII in cXML-urlencoded', () => {
    assert.deepEqual(fails(cxml(coupa, b64(poom(), 'cXML'))), ['form-field cXML = cXML']);
    const lower = cxml(ariba, b64(poom(), 'cxml-base64'));
    assert.deepEqual(fails(lower), []);
    assert.deepEqual(warns(lower), ['form-field cxml-base64 = cxml-base64']);
    const bom = encodeUrlencoded([['cXML-base64', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(poom(), 'utf8')]).toString('base64')]]);
    assert.deepEqual(fails(cxml(ariba, bom)), ['charset cXML-base64 = EF BB BF']);
    assert.deepEqual(warns(cxml(coupa, bom)), ['charset cXML-base64 = EF BB BF']);
    const plain = encodeUrlencoded([['cXML-urlencoded', poom({ items: [item({}, 'EA', 'Größe')], total: { amount: new Decimal('8.50'), currency: 'EUR' } })]]);
    assert.deepEqual(fails(cxml(coupa, plain)), ['charset cXML-urlencoded = ö']);
  });

  test('version and DTD: Coupa takes 1.2.014 and older; a POOM without Classification is invalid', () => {
    assert.deepEqual(fails(cxml(coupa, b64(poom({}, '1.2.071')))), ['version DOCTYPE = 1.2.071']);
    const f = fails(cxml(coupa, b64(handPoom({ classification: false }))));
    assert.ok(f.length >= 1 && f.every((x) => x.startsWith('dtd DTD = ')), f.join('\n'));
  });

  test('part IDs, shared secret, cancel and edit rules', () => {
    const q = poom({ items: [item({ itemID: { supplierPartID: 'ST?1', supplierPartAuxiliaryID: 'a'.repeat(101) } })] });
    assert.deepEqual(fails(cxml(ariba, b64(q))).sort(), [`part-id ItemIn[1]/ItemID/SupplierPartAuxiliaryID = ${'a'.repeat(101)}`, 'part-id ItemIn[1]/ItemID/SupplierPartID = ST?1']);
    // Koppel's writer refuses a SharedSecret in a POOM; other suppliers' carts may carry one.
    assert.deepEqual(fails(cxml(ariba, b64(handPoom({ classification: true, secret: 'the-secret' })))), ['no-secret Header/Sender/Credential/SharedSecret = (the shared secret)']);
    assert.deepEqual(fails(cxml(ariba, b64(poom()), { kind: 'cancel' })), ['items ItemIn = 1']);
    const empty = poom({ items: [], total: { amount: new Decimal(0), currency: 'EUR' } });
    assert.deepEqual(fails(cxml(ariba, b64(empty), { kind: 'cancel-edit' })), ['items Message/Status = none']);
    assert.deepEqual(fails(cxml(ariba, b64(empty), { kind: 'edit', editedItems: [{ supplierPartID: 'ST-1', supplierPartAuxiliaryID: 'a1' }] })).sort(), ['edit-identity ItemIn/ItemID = ', 'items ItemIn = 0']);
  });
});

test('shop scripts: errors name the step', () => {
  assert.throws(() => parseScript({ add: [], transfer: [{ click: { text: 'x' } }], cancel: [{ click: { text: 'y' } }] }), /"add" must be a non-empty list/);
  assert.throws(() => parseScript({ add: [{ click: { nme: 'x' } }], transfer: [{ goto: '/' }], cancel: [{ goto: '/' }] }), (e: Error) => e instanceof ScriptError && /add\[0\]: unknown key "nme"/.test(e.message));
  assert.throws(() => parseScript({ add: [{ fill: { label: 'Qty' } }], transfer: [{ goto: '/' }], cancel: [{ goto: '/' }] }), /add\[0\]: "fill" needs a "value"/);
  const ok = parseScript({ add: [{ fill: { label: 'Qty', nth: 1 }, value: '2' }], transfer: [{ click: { role: 'button', name: 'Go', exact: true } }], cancel: [{ goto: '/cancel' }] });
  assert.deepEqual(ok.add, [{ fill: { label: 'Qty', nth: 1 }, value: '2' }]);
});
