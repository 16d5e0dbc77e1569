// build → render → scan the HTML → read: the same lines come back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { buildOciCartForm, renderOciFormHtml, type OciCartLine, type OciCartFormOptions } from '../../../src/protocol/oci/cart-form.js';
import { pairsFromHtmlForm, pairsFromUrlencoded, readOciCartForm, type OciReadLine } from '../../../src/protocol/oci/cart-form-reader.js';
import { encodeUrlencoded } from '../../../src/protocol/oci/form-encoding.js';

const d = (s: string) => new Decimal(s);

const LINES: OciCartLine[] = [
  {
    description: 'Ordner A4, 8 cm, blau & "robust"',
    longText: 'Aus Karton <250 g/m²>,\nmit Griffloch.\n\tEinzug: ja',
    quantity: d('12'),
    unit: 'PCE',
    price: d('3.49'),
    currency: 'EUR',
    leadTimeDays: 2,
    vendor: '4711',
    vendorMat: 'ORD-A4-8-BL',
    manufactCode: 'M01',
    manufactMat: 'LZ-1080',
    matGroup: '44122003',
    extProductId: 'ORD-A4-8-BL',
    extSchemaType: 'UNSPSC',
    extCategoryId: '44122003',
    extCategory: 'Ring binders',
    custField1: "it's",
  },
  {
    description: 'Wartung Kopierer (Stunde)',
    quantity: d('1.5'),
    unit: 'HUR',
    price: d('95'),
    currency: 'CHF',
    service: true,
    contract: '4600000012',
    contractItem: '10',
    extQuoteId: 'Q-2026-17',
    extQuoteItem: '3',
    attachment: 'https://shop.example/docs/sla.pdf?v=2&lang=de',
    attachmentTitle: 'SLA',
    attachmentPurpose: 'C',
    itemType: 'O',
  },
  {
    description: 'Kabelbinder 2,5 × 100 mm',
    quantity: d('20000'),
    unit: 'PCE',
    price: d('12.75'),
    priceUnit: d('1000'),
    currency: 'EUR',
    matnr: '100-200-300',
    sldSysName: 'CAT',
    custField5: 'x'.repeat(50),
    parentId: '1',
  },
];

const TEXT_KEYS = [
  'description', 'longText', 'matnr', 'unit', 'currency', 'vendor', 'vendorMat', 'manufactCode', 'manufactMat', 'matGroup',
  'contract', 'contractItem', 'extQuoteId', 'extQuoteItem', 'extProductId', 'attachment', 'attachmentTitle',
  'attachmentPurpose', 'extSchemaType', 'extCategoryId', 'extCategory', 'sldSysName', 'custField1', 'custField2',
  'custField3', 'custField4', 'custField5', 'itemType', 'parentId',
] as const;

function assertSameLines(read: OciReadLine[], lines: OciCartLine[], startIndex = 1): void {
  assert.equal(read.length, lines.length);
  read.forEach((r, i) => {
    const l = lines[i]!;
    assert.equal(r.index, startIndex + i);
    for (const key of TEXT_KEYS) assert.equal(r[key], l[key], `line ${i + 1} ${key}`);
    assert.ok(r.quantity!.eq(l.quantity), `line ${i + 1} quantity`);
    assert.ok(r.price!.eq(l.price), `line ${i + 1} price`);
    assert.ok(r.priceUnit.eq(l.priceUnit ?? 1), `line ${i + 1} price unit`);
    assert.equal(r.leadTimeDays, l.leadTimeDays);
    assert.equal(r.service, l.service);
  });
}

const through = (lines: OciCartLine[], options: Omit<OciCartFormOptions, 'hookUrl'> = {}) => {
  const form = buildOciCartForm(lines, { hookUrl: 'https://buyer.example/oci?client=100&x=1', echo: [{ name: '~OkCode', value: 'ADDI' }], ...options });
  const html = renderOciFormHtml(form);
  return { form, read: readOciCartForm(pairsFromHtmlForm(html)) };
};

test('round trip through the rendered HTML page (UTF-8)', () => {
  const { form, read } = through(LINES);
  assert.deepEqual(form.truncations, []);
  assert.deepEqual(read.warnings, []);
  assert.deepEqual(read.other, [['~OkCode', 'ADDI']]);
  assertSameLines(read.lines, LINES);
});

test('round trip with every field emitted, start index 0, ISO-8859-1', () => {
  const latin1 = LINES.map((l) => ({ ...l })); // the texts above are all Latin-1 already
  const { form, read } = through(latin1, { emitEmptyFields: true, startIndex: 0, charset: 'ISO-8859-1' });
  assert.deepEqual(form.warnings, []);
  assert.ok(read.warnings.every((w) => w.includes('start at 0')), read.warnings.join('; '));
  assertSameLines(read.lines, latin1, 0);
});

test('round trip through an urlencoded POST body, also read by URLSearchParams', () => {
  const form = buildOciCartForm(LINES, { hookUrl: 'https://buyer.example/r' });
  const body = encodeUrlencoded(form.fields.map((f) => [f.name, f.value]));
  const ours = readOciCartForm(pairsFromUrlencoded(body));
  const reference = readOciCartForm([...new URLSearchParams(body)]);
  assertSameLines(ours.lines, LINES);
  assertSameLines(reference.lines, LINES);
});

test('round trip keeps the full description in the long text when it is cut', () => {
  const long = { ...LINES[0]!, description: 'Ordner A4, 8 cm Rückenbreite, blau, mit Einsteckschild', longText: undefined };
  const { read } = through([long]);
  assert.equal(read.lines[0]!.description, 'Ordner A4, 8 cm Rückenbreite, blau, mit', 'cut at the last word inside 40 characters');
  assert.equal(read.lines[0]!.longText, long.description);
});
