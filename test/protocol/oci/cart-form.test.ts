import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { buildOciCartForm, OciCartError, renderOciFormHtml, type OciCartLine } from '../../../src/protocol/oci/cart-form.js';
import { OCI_ITEM_FIELDS } from '../../../src/protocol/oci/fields.js';
import { pairsFromHtmlForm } from '../../../src/protocol/oci/cart-form-reader.js';

const d = (s: string) => new Decimal(s);
const HOOK = 'https://srm.buyer.example/sap/bc/gui?sap-client=100&~OkCode=ADDI';
const line = (over: Partial<OciCartLine> = {}): OciCartLine => ({
  description: 'Ballpoint pen, blue',
  quantity: d('10'),
  unit: 'PCE',
  price: d('1.25'),
  currency: 'EUR',
  ...over,
});
const value = (form: { fields: { name: string; value: string }[] }, name: string) => form.fields.find((f) => f.name === name)?.value;

test('fields in table order, optional ones omitted when empty', () => {
  const form = buildOciCartForm([line({ vendorMat: 'PEN-1', leadTimeDays: 3, service: false, matnr: '' })], { hookUrl: HOOK });
  assert.deepEqual(form.fields, [
    { name: 'NEW_ITEM-DESCRIPTION[1]', value: 'Ballpoint pen, blue' },
    { name: 'NEW_ITEM-QUANTITY[1]', value: '10.000' },
    { name: 'NEW_ITEM-UNIT[1]', value: 'PCE' },
    { name: 'NEW_ITEM-PRICE[1]', value: '1.250' },
    { name: 'NEW_ITEM-CURRENCY[1]', value: 'EUR' },
    { name: 'NEW_ITEM-LEADTIME[1]', value: '3' },
    { name: 'NEW_ITEM-VENDORMAT[1]', value: 'PEN-1' },
  ]);
  assert.equal(form.action, HOOK);
  assert.equal(form.method, 'post');
  assert.equal(form.target, '_top');
  assert.equal(form.acceptCharset, 'UTF-8');
  assert.deepEqual(form.truncations, []);
  assert.deepEqual(form.warnings, []);
});

test('every OCI 4.0 field is emitted, with emitEmptyFields even when empty', () => {
  const full = buildOciCartForm(
    [
      line({
        longText: 'Long', matnr: 'M1', priceUnit: d('1'), leadTimeDays: 0, vendor: 'V', vendorMat: 'VM', manufactCode: 'MC',
        manufactMat: 'MM', matGroup: '44121700', service: true, contract: 'C', contractItem: '10', extQuoteId: 'Q',
        extQuoteItem: '1', extProductId: 'P', attachment: 'https://s.example/a.pdf', attachmentTitle: 'Sheet',
        attachmentPurpose: 'C', extSchemaType: 'UNSPSC', extCategoryId: '44121700', extCategory: 'Pens', sldSysName: 'S',
        custField1: '1', custField2: '2', custField3: '3', custField4: '4', custField5: '5', itemType: 'O', parentId: '',
      }),
    ],
    { hookUrl: HOOK, emitEmptyFields: true },
  );
  const expected = OCI_ITEM_FIELDS.map((f) => (f.field === 'LONGTEXT' ? 'NEW_ITEM-LONGTEXT_1:132[]' : `NEW_ITEM-${f.field}[1]`));
  assert.deepEqual(full.fields.map((f) => f.name), expected);
  assert.equal(value(full, 'NEW_ITEM-SERVICE[1]'), 'X');
  assert.equal(value(full, 'NEW_ITEM-PRICEUNIT[1]'), '1', 'PRICEUNIT always present with emitEmptyFields');
  assert.equal(value(full, 'NEW_ITEM-LEADTIME[1]'), '0');
  assert.equal(value(full, 'NEW_ITEM-PARENT_ID[1]'), '');

  const sparse = buildOciCartForm([line()], { hookUrl: HOOK, emitEmptyFields: true });
  assert.equal(sparse.fields.length, OCI_ITEM_FIELDS.length);
  assert.equal(value(sparse, 'NEW_ITEM-LONGTEXT_1:132[]'), '');
  assert.equal(value(sparse, 'NEW_ITEM-SERVICE[1]'), '');
});

test('echo fields come first with their received names; an empty cart is only echo fields', () => {
  const echo = [{ name: '~okcode', value: 'ADDI' }, { name: '~Target', value: '_parent' }, { name: '~CALLER', value: 'CTLG' }];
  const form = buildOciCartForm([], { hookUrl: HOOK, echo, target: '_parent' });
  assert.deepEqual(form.fields, echo);
  assert.equal(form.target, '_parent');
  const html = renderOciFormHtml(form);
  assert.deepEqual(pairsFromHtmlForm(html), echo.map((e) => [e.name, e.value]));
});

test('startIndex shifts the numbering, still without gaps', () => {
  const form = buildOciCartForm([line(), line({ longText: 'x' })], { hookUrl: HOOK, startIndex: 0 });
  assert.deepEqual(
    form.fields.map((f) => f.name).filter((n) => n.includes('DESCRIPTION') || n.includes('LONGTEXT')),
    ['NEW_ITEM-DESCRIPTION[0]', 'NEW_ITEM-DESCRIPTION[1]', 'NEW_ITEM-LONGTEXT_1:132[]'],
  );
});

test('price unit given explicitly is kept; PRICEUNIT 1 is left out', () => {
  const form = buildOciCartForm([line({ price: d('12.5'), priceUnit: d('100') }), line({ priceUnit: d('1') })], { hookUrl: HOOK });
  assert.equal(value(form, 'NEW_ITEM-PRICE[1]'), '12.500');
  assert.equal(value(form, 'NEW_ITEM-PRICEUNIT[1]'), '100');
  assert.equal(value(form, 'NEW_ITEM-PRICEUNIT[2]'), undefined);
});

test('line breaks in short fields become spaces; long text keeps them (as \\n)', () => {
  const form = buildOciCartForm([line({ description: 'Two\r\nlines\tand\u0007bell', longText: 'a\r\nb\rc\nd' })], { hookUrl: HOOK });
  assert.equal(value(form, 'NEW_ITEM-DESCRIPTION[1]'), 'Two lines andbell');
  assert.equal(value(form, 'NEW_ITEM-LONGTEXT_1:132[]'), 'a\nb\nc\nd');
  assert.ok(form.warnings.some((w) => w.includes('control character')));
});

test('conditional OCI rules give warnings, not silent drops', () => {
  const form = buildOciCartForm([line({ description: '', extCategoryId: '44121700', contractItem: '1', extQuoteItem: '2' })], { hookUrl: HOOK });
  assert.equal(form.warnings.length, 4);
});

test('bad input is refused with an OciCartError naming line and field', () => {
  const cases: [Partial<OciCartLine>, string][] = [
    [{ currency: 'EURO-X' }, 'CURRENCY'],
    [{ leadTimeDays: 2.5 }, 'LEADTIME'],
    [{ leadTimeDays: 100000 }, 'LEADTIME'],
    [{ price: d('-1') }, 'PRICE'],
    [{ quantity: d('-1') }, 'QUANTITY'],
    [{ priceUnit: d('0') }, 'PRICE'],
  ];
  for (const [over, field] of cases) {
    assert.throws(
      () => buildOciCartForm([line(), line(over)], { hookUrl: HOOK }),
      (e: unknown) => e instanceof OciCartError && e.line === 2 && e.field === field && e.message.includes('line 2'),
      JSON.stringify(over),
    );
  }
  assert.throws(() => buildOciCartForm([line()], { hookUrl: '' }), /HOOK_URL/);
  assert.throws(() => buildOciCartForm([line()], { hookUrl: HOOK, maxPriceDecimals: 4 }), /maxPriceDecimals/);
});

test('renderOciFormHtml: a complete page, escaped once, button and auto-submit', () => {
  const form = buildOciCartForm([line({ description: 'Tape 19mm "clear" <x> & \'y\'' })], {
    hookUrl: HOOK,
    echo: [{ name: '~OkCode', value: 'ADDI' }],
    target: '_parent',
  });
  const html = renderOciFormHtml(form, { title: 'Sending <cart>' });
  assert.match(html, /^<!doctype html>\n/);
  assert.ok(html.includes('<meta charset="UTF-8">'));
  assert.ok(
    html.includes(
      '<form id="oci-cart-form" method="post" action="https://srm.buyer.example/sap/bc/gui?sap-client=100&amp;~OkCode=ADDI" target="_parent" accept-charset="UTF-8">',
    ),
  );
  assert.ok(html.includes('value="Tape 19mm &quot;clear&quot; &lt;x&gt; &amp; &#39;y&#39;"'));
  assert.ok(html.includes('<title>Sending &lt;cart&gt;</title>'));
  assert.ok(html.includes('<button type="submit">Return to your purchasing system</button>'));
  assert.equal(html.match(/<script/g)?.length, 1);
  assert.ok(html.includes('HTMLFormElement.prototype.submit.call'));
  assert.equal(html.match(/<input /g)?.length, form.fields.length);
  assert.equal(html.match(/type="hidden"/g)?.length, form.fields.length);

  const manual = renderOciFormHtml(form, { autoSubmit: false, buttonLabel: 'Back to SAP' });
  assert.ok(!manual.includes('<script'));
  assert.ok(manual.includes('>Back to SAP</button>'));
  const quiet = renderOciFormHtml(form, { visibleButton: false, scriptNonce: 'n0nce' });
  assert.ok(quiet.includes('<noscript><button type="submit">'));
  assert.ok(quiet.includes('<script nonce="n0nce">'));
});
