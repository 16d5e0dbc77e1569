// One focused test per OCI rule of shared/docs/field-failures.md (9–13, 20–22, 24: the protocol part).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { checkReturnUrl, readOciCall } from '../../../src/protocol/oci/inbound-call.js';
import { buildOciCartForm, OciCartError, renderOciFormHtml, type OciCartLine } from '../../../src/protocol/oci/cart-form.js';
import { pairsFromHtmlForm, pairsFromUrlencoded, readOciCartForm } from '../../../src/protocol/oci/cart-form-reader.js';
import { encodeUrlencoded } from '../../../src/protocol/oci/form-encoding.js';
import { cutTextAtWord } from '../../../src/protocol/oci/fields.js';

const d = (s: string) => new Decimal(s);
const HOOK = 'https://buyer.example/ret';
const line = (over: Partial<OciCartLine> = {}): OciCartLine => ({
  description: 'Copy paper A4',
  quantity: d('1'),
  unit: 'PCE',
  price: d('4.5'),
  currency: 'EUR',
  ...over,
});
const value = (form: { fields: { name: string; value: string }[] }, name: string) => form.fields.find((f) => f.name === name)?.value;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

test('rule 9: HOOK_URL decoded once and used verbatim as the form action, its query intact', () => {
  const sent = 'https://srm.buyer.example/sap/bc/gui/sap/its/bbpsc02/?sap-client=100&~language=DE&x=a%20b';
  const call = readOciCall({ method: 'POST', rawQuery: '', rawBody: `USERNAME=u&HOOK_URL=${encodeURIComponent(sent)}` });
  assert.equal(call.hookUrl, sent, 'decoded exactly once: the %20 inside survives');
  assert.deepEqual(checkReturnUrl(call.hookUrl!, ['https://srm.buyer.example/']), { ok: true });
  const form = buildOciCartForm([line()], { hookUrl: call.hookUrl! });
  assert.equal(form.action, sent);
  const html = renderOciFormHtml(form);
  assert.ok(html.includes(`action="${sent.replace(/&/g, '&amp;')}"`), 'HTML-escaped once, nothing else changed');
});

test('rule 9: IFS-style unencoded HOOK_URL with its own query survives verbatim', () => {
  const call = readOciCall({ method: 'GET', rawQuery: 'USERNAME=u&PASSWORD=p&HOOK_URL=https://buyer.example/ret?uniqueid=42&x=1' });
  assert.equal(call.hookUrl, 'https://buyer.example/ret?uniqueid=42&x=1');
  assert.equal(buildOciCartForm([], { hookUrl: call.hookUrl! }).action, 'https://buyer.example/ret?uniqueid=42&x=1');
});

test('rule 9: javascript:/data: refused, SAPEVENT: only when allowed, allowed list enforced', () => {
  assert.equal(checkReturnUrl('javascript:alert(document.cookie)', ['http://', 'https://']).ok, false);
  assert.equal(checkReturnUrl('data:text/html;base64,PHNjcmlwdD4=', ['*']).ok, false);
  assert.equal(checkReturnUrl('SAPEVENT:POST', ['https://']).ok, false);
  assert.equal(checkReturnUrl('SAPEVENT:POST', ['https://'], { allowSapEvent: true }).ok, true);
  assert.equal(checkReturnUrl('https://other.example/ret', ['https://buyer.example/']).ok, false);
});

test('rule 10: target is returntarget or ~TARGET of this call, default _top', () => {
  assert.equal(readOciCall({ method: 'GET', rawQuery: '~TARGET=_parent&returntarget=_self' }).target, '_self');
  assert.equal(readOciCall({ method: 'GET', rawQuery: '~Target=_parent' }).target, '_parent');
  const none = readOciCall({ method: 'GET', rawQuery: 'USERNAME=u' });
  assert.equal(none.target, undefined);
  assert.equal(buildOciCartForm([line()], { hookUrl: HOOK, ...(none.target ? { target: none.target } : {}) }).target, '_top');
  assert.ok(renderOciFormHtml(buildOciCartForm([], { hookUrl: HOOK })).includes('target="_top"'));
});

test('rule 10: ~OkCode, ~TARGET, ~CALLER echoed with the received spelling', () => {
  const call = readOciCall({ method: 'GET', rawQuery: 'HOOK_URL=x&~okCode=ADDI&~TARGET=_top&~Caller=CTLG&other=1' });
  const html = renderOciFormHtml(buildOciCartForm([line()], { hookUrl: HOOK, echo: call.echo }));
  const pairs = pairsFromHtmlForm(html);
  assert.deepEqual(pairs.slice(0, 3), [
    ['~okCode', 'ADDI'],
    ['~TARGET', '_top'],
    ['~Caller', 'CTLG'],
  ]);
  assert.ok(!pairs.some(([n]) => n === 'other'), 'only the control fields are echoed');
});

test('rule 11: lines numbered 1…n without gaps, long text as NEW_ITEM-LONGTEXT_n:132[]', () => {
  const form = buildOciCartForm([line(), line({ longText: 'second' }), line(), line({ longText: 'fourth' })], { hookUrl: HOOK });
  const indexes = new Set(form.fields.map((f) => /\[(\d+)\]$/.exec(f.name)?.[1] ?? /_(\d+):132/.exec(f.name)?.[1]));
  assert.deepEqual([...indexes], ['1', '2', '3', '4']);
  assert.equal(value(form, 'NEW_ITEM-LONGTEXT_2:132[]'), 'second');
  assert.equal(value(form, 'NEW_ITEM-LONGTEXT_4:132[]'), 'fourth');
  assert.equal(form.fields.filter((f) => f.name.includes('LONGTEXT')).length, 2);
});

test('rule 11: reading parses raw flat pairs (no qs arrays, even above 20 lines) and reports gaps', () => {
  const many = buildOciCartForm(
    Array.from({ length: 25 }, (_, i) => line({ description: `Item ${i + 1}` })),
    { hookUrl: HOOK },
  );
  const read = readOciCartForm(pairsFromUrlencoded(encodeUrlencoded(many.fields.map((f) => [f.name, f.value]))));
  assert.equal(read.lines.length, 25);
  assert.deepEqual(read.lines.map((l) => l.description), Array.from({ length: 25 }, (_, i) => `Item ${i + 1}`));
  assert.deepEqual(read.warnings, []);

  const gap = readOciCartForm([
    ['NEW_ITEM-DESCRIPTION[3]', 'c'],
    ['NEW_ITEM-DESCRIPTION[1]', 'a'],
    ['NEW_ITEM-DESCRIPTION[4]', 'd'],
  ]);
  assert.deepEqual(gap.lines.map((l) => l.index), [1, 3, 4]);
  assert.ok(gap.warnings.some((w) => w.includes('gap') && w.includes('2')));
});

test('rule 12: a 41-character description is cut at 40, the full text goes to the long text', () => {
  const desc = 'Heavy duty stapler for up to 100 sheets X'; // 41 characters
  assert.equal(desc.length, 41);
  const form = buildOciCartForm([line({ description: desc })], { hookUrl: HOOK });
  // Cut at the last word boundary inside 40 characters, so no word is left half.
  assert.equal(value(form, 'NEW_ITEM-DESCRIPTION[1]'), 'Heavy duty stapler for up to 100 sheets');
  assert.equal(value(form, 'NEW_ITEM-LONGTEXT_1:132[]'), desc);
  assert.deepEqual(form.truncations, [{ line: 1, field: 'DESCRIPTION', from: desc, to: 'Heavy duty stapler for up to 100 sheets' }]);
  // A single word longer than the field is cut at 40 characters.
  const word = 'X'.repeat(45);
  assert.equal(value(buildOciCartForm([line({ description: word })], { hookUrl: HOOK }), 'NEW_ITEM-DESCRIPTION[1]'), 'X'.repeat(40));

  // An existing long text keeps its content, led by the full description.
  const withText = buildOciCartForm([line({ description: desc, longText: 'Metal body.' })], { hookUrl: HOOK });
  assert.equal(value(withText, 'NEW_ITEM-LONGTEXT_1:132[]'), `${desc}\nMetal body.`);
  // Exactly 40 is not cut.
  const exact = buildOciCartForm([line({ description: desc.slice(0, 40) })], { hookUrl: HOOK });
  assert.deepEqual(exact.truncations, []);
  assert.equal(value(exact, 'NEW_ITEM-LONGTEXT_1:132[]'), undefined);
});

test('rule 12: a cut short description ends in a word, never in punctuation', () => {
  const desc = 'Ballpoint pen, metal barrel, refillable, blue ink, in gift box';
  // The 40th character is the comma after "refillable": the word stays, the comma goes.
  assert.equal(value(buildOciCartForm([line({ description: desc })], { hookUrl: HOOK }), 'NEW_ITEM-DESCRIPTION[1]'), 'Ballpoint pen, metal barrel, refillable');
  assert.equal(cutTextAtWord(desc, 50), 'Ballpoint pen, metal barrel, refillable, blue ink');
  assert.equal(cutTextAtWord('Stapler for 100 sheets – heavy duty, with staples', 24), 'Stapler for 100 sheets');
  assert.equal(cutTextAtWord('Stapler; heavy duty: metal', 21), 'Stapler; heavy duty');
  // A word cut in the middle is dropped back to the previous boundary, then the comma goes.
  assert.equal(cutTextAtWord('Pens, blue, refillable', 15), 'Pens, blue');
  // Text that fits is never touched, trailing punctuation included.
  assert.equal(cutTextAtWord('Pens, blue,', 40), 'Pens, blue,');
});

test('rule 12: an emoji at the cut boundary is never split into a lone surrogate', () => {
  const desc = `${'x'.repeat(39)}👍 more text`; // the emoji occupies code units 40 and 41
  const form = buildOciCartForm([line({ description: desc, vendorMat: `${'y'.repeat(39)}😀` })], { hookUrl: HOOK });
  const short = value(form, 'NEW_ITEM-DESCRIPTION[1]')!;
  assert.equal(short, 'x'.repeat(39));
  assert.doesNotMatch(short, LONE_SURROGATE);
  assert.equal(value(form, 'NEW_ITEM-VENDORMAT[1]'), 'y'.repeat(39));
  assert.equal(value(form, 'NEW_ITEM-LONGTEXT_1:132[]'), desc);
  assert.deepEqual(form.truncations.map((t) => t.field), ['DESCRIPTION', 'VENDORMAT']);
  for (const f of form.fields) assert.doesNotMatch(f.value, LONE_SURROGATE, f.name);
  // A letter with a combining accent stays together too.
  const combining = buildOciCartForm([line({ description: `${'z'.repeat(39)}e\u0301` })], { hookUrl: HOOK });
  assert.equal(value(combining, 'NEW_ITEM-DESCRIPTION[1]'), 'z'.repeat(39));
});

test('rule 12: every field length is a hard limit, each cut reported', () => {
  const form = buildOciCartForm([line({ vendor: '12345678901', matGroup: 'ABCDEFGHIJK', custField4: 'c'.repeat(25), extQuoteId: 'q'.repeat(36) })], {
    hookUrl: HOOK,
    startIndex: 1,
  });
  assert.deepEqual(
    form.truncations.map((t) => [t.line, t.field, t.to.length]),
    [
      [1, 'VENDOR', 10],
      [1, 'MATGROUP', 10],
      [1, 'EXT_QUOTE_ID', 35],
      [1, 'CUST_FIELD4', 20],
    ],
  );
});

test('rule 13: ISO-8859-1 transliterates with a fixed table and never produces ?', () => {
  const form = buildOciCartForm(
    [line({ description: 'Widget™ “Pro” – 5 € … Œuvre Šuma Łódź 😀 中', longText: 'Größe: 24 × 32 cm, ½ Zoll, © ®' })],
    { hookUrl: HOOK, charset: 'ISO-8859-1', echo: [{ name: '~OkCode', value: 'ADDI' }] },
  );
  assert.equal(form.acceptCharset, 'ISO-8859-1');
  for (const f of form.fields) {
    assert.ok(!f.value.includes('?'), `${f.name} has no ?`);
    assert.match(f.value, /^[\x20-\x7e\xa0-\xff\n\t]*$/, `${f.name} is Latin-1`);
  }
  const full = value(form, 'NEW_ITEM-LONGTEXT_1:132[]')!.split('\n')[0];
  assert.equal(full, 'Widget(TM) "Pro" - 5 EUR ... OEuvre Suma Lódz  ', 'ó is Latin-1 and stays; Ł and ź are mapped');
  assert.equal(value(form, 'NEW_ITEM-DESCRIPTION[1]'), 'Widget(TM) "Pro" - 5 EUR ... OEuvre Suma', 'a word that ends exactly at 40 stays; the next one is cut off');
  assert.ok(value(form, 'NEW_ITEM-LONGTEXT_1:132[]')!.endsWith('Größe: 24 × 32 cm, ½ Zoll, © ®'), 'Latin-1 characters kept');
  assert.ok(form.warnings.some((w) => w.includes('ISO-8859-1') && w.includes('removed')));

  const html = renderOciFormHtml(form);
  assert.ok(html.includes('<meta charset="ISO-8859-1">'));
  assert.ok(html.includes('accept-charset="ISO-8859-1"'));
  assert.match(html, /^[\x00-\x7f]*$/, 'the page is pure ASCII (character references), so its bytes are the same in Latin-1');
  assert.ok(html.includes('Gr&#246;&#223;e'));
  // Read back from the page: the transliterated values, nothing lost on the way.
  assert.equal(readOciCartForm(pairsFromHtmlForm(html)).lines[0]!.longText, value(form, 'NEW_ITEM-LONGTEXT_1:132[]'));

  // UTF-8 (default) keeps everything as it is.
  const utf8 = buildOciCartForm([line({ description: 'Widget™ 5 €' })], { hookUrl: HOOK });
  assert.equal(value(utf8, 'NEW_ITEM-DESCRIPTION[1]'), 'Widget™ 5 €');
  assert.ok(renderOciFormHtml(utf8).includes('<meta charset="UTF-8">'));
});

test('rule 20: numbers are machine-formatted: point, 3 decimals, no grouping, ≤ 11 integer digits', () => {
  const form = buildOciCartForm([line({ quantity: d('1234.5'), price: d('12345678901.2') }), line({ quantity: d('0.001'), price: d('0') })], {
    hookUrl: HOOK,
  });
  assert.equal(value(form, 'NEW_ITEM-QUANTITY[1]'), '1234.500');
  assert.equal(value(form, 'NEW_ITEM-PRICE[1]'), '12345678901.200');
  assert.equal(value(form, 'NEW_ITEM-QUANTITY[2]'), '0.001');
  assert.equal(value(form, 'NEW_ITEM-PRICE[2]'), '0.000');
  assert.throws(() => buildOciCartForm([line({ price: d('123456789012') })], { hookUrl: HOOK }), (e: unknown) => e instanceof OciCartError && /11 integer digits/.test(e.message));
  assert.throws(() => buildOciCartForm([line({ quantity: d('1e12') })], { hookUrl: HOOK }), /11 integer digits/);
  assert.throws(() => buildOciCartForm([line({ quantity: d('1.2345') })], { hookUrl: HOOK }), /more than 3 decimals/);
});

test('rule 21: price per N units is carried explicitly and read back', () => {
  const form = buildOciCartForm([line({ price: d('45'), priceUnit: d('1000'), quantity: d('5000'), unit: 'PCE' })], { hookUrl: HOOK });
  assert.equal(value(form, 'NEW_ITEM-PRICE[1]'), '45.000');
  assert.equal(value(form, 'NEW_ITEM-PRICEUNIT[1]'), '1000');
  const back = readOciCartForm(form.fields.map((f) => [f.name, f.value])).lines[0]!;
  assert.ok(back.price!.div(back.priceUnit).times(back.quantity!).eq(225), 'line total 225 computed with the price unit');
  const empty = readOciCartForm([['NEW_ITEM-PRICE[1]', '3.000'], ['NEW_ITEM-PRICEUNIT[1]', '']]).lines[0]!;
  assert.ok(empty.priceUnit.eq(1), 'empty PRICEUNIT = 1');
});

test('rule 22: more decimals than the buyer takes → price unit, never rounding', () => {
  const form = buildOciCartForm(
    [line({ price: d('0.0125') }), line({ price: d('0.0125') }), line({ price: d('1.999'), priceUnit: d('1') })],
    { hookUrl: HOOK },
  );
  assert.equal(value(form, 'NEW_ITEM-PRICE[1]'), '0.125');
  assert.equal(value(form, 'NEW_ITEM-PRICEUNIT[1]'), '10');
  assert.equal(value(form, 'NEW_ITEM-PRICE[3]'), '1.999');
  assert.equal(value(form, 'NEW_ITEM-PRICEUNIT[3]'), undefined);
  assert.ok(form.warnings.some((w) => w.includes('line 1') && w.includes('PRICEUNIT')));

  const oneDecimal = buildOciCartForm([line({ price: d('0.0125') })], { hookUrl: HOOK, maxPriceDecimals: 1 });
  assert.equal(value(oneDecimal, 'NEW_ITEM-PRICE[1]'), '12.500');
  assert.equal(value(oneDecimal, 'NEW_ITEM-PRICEUNIT[1]'), '1000');

  const twoDecimals = buildOciCartForm([line({ price: d('1.999'), priceUnit: d('5') })], { hookUrl: HOOK, maxPriceDecimals: 2 });
  assert.equal(value(twoDecimals, 'NEW_ITEM-PRICE[1]'), '19.990');
  assert.equal(value(twoDecimals, 'NEW_ITEM-PRICEUNIT[1]'), '50');

  // The per-unit price is exactly the original in every case.
  for (const [f, price, unit] of [[form, '0.0125', '1'], [oneDecimal, '0.0125', '1'], [twoDecimals, '1.999', '5']] as const) {
    const back = readOciCartForm(f.fields.map((x) => [x.name, x.value])).lines[0]!;
    assert.ok(back.price!.div(back.priceUnit).eq(d(price).div(unit)));
  }
});

test('rule 24 (protocol part): a unit that is not a buyer code blocks the line with a message naming the product', () => {
  for (const unit of ['EACH', '', 'St.', 'pc s']) {
    assert.throws(
      () => buildOciCartForm([line(), line({ unit, vendorMat: 'STP-100', description: 'Stapler' })], { hookUrl: HOOK }),
      (e: unknown) =>
        e instanceof OciCartError && e.line === 2 && e.field === 'UNIT' && e.message.includes('STP-100') && e.message.includes('Stapler'),
      JSON.stringify(unit),
    );
  }
  const ok = buildOciCartForm([line({ unit: 'KGM' }), line({ unit: 'C62' })], { hookUrl: HOOK });
  assert.equal(value(ok, 'NEW_ITEM-UNIT[2]'), 'C62');
});
