// The small pieces: transliteration, text cutting, numbers, the HTML scanner, the reader's tolerance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { transliterateToLatin1 } from '../../../src/protocol/oci/charset.js';
import { cutOciText, ociFieldSpec } from '../../../src/protocol/oci/fields.js';
import { fitPriceToUnit, formatOciDecimal, parseOciNumber } from '../../../src/protocol/oci/numbers.js';
import { decodeHtmlEntities } from '../../../src/protocol/oci/html.js';
import { pairsFromHtmlForm, pairsFromUrlencoded, readOciCartForm } from '../../../src/protocol/oci/cart-form-reader.js';
import { decodeFormComponent } from '../../../src/protocol/oci/form-encoding.js';

const d = (s: string) => new Decimal(s);

test('transliteration table and fallback', () => {
  const cases: [string, string][] = [
    ['€', 'EUR'], ['™', '(TM)'], ['“x”', '"x"'], ['‘x’', "'x'"], ['a–b—c', 'a-b-c'], ['…', '...'],
    ['œŒ', 'oeOE'], ['šŠžŽŸ', 'sSzZY'], ['Łł', 'Ll'], ['ő', 'o'], ['ﬁ', 'fi'], ['ℓ', 'l'], ['μm', 'µm'],
    ['10 Ω', '10 Ohm'], ['⅓', '1/3'], ['•', '-'], ['a\u200Bb', 'ab'], ['x😀y', 'xy'], ['中文', ''],
    ['äöüß é ñ © ® ° ± ² µ ½ ×', 'äöüß é ñ © ® ° ± ² µ ½ ×'],
  ];
  for (const [from, to] of cases) assert.equal(transliterateToLatin1(from).text, to, from);
  const r = transliterateToLatin1('€ and € and ™');
  assert.deepEqual(r.replaced, [{ from: '€', to: 'EUR' }, { from: '™', to: '(TM)' }]);
});

test('cutOciText counts UTF-16 units and cuts only between grapheme clusters', () => {
  assert.equal(cutOciText('abcdef', 4), 'abcd');
  assert.equal(cutOciText('abc😀', 4), 'abc');
  assert.equal(cutOciText('ab😀', 4), 'ab😀');
  assert.equal(cutOciText('abce\u0301', 4), 'abc');
  assert.equal(cutOciText('a👨‍👩‍👧b', 6), 'a');
  assert.equal(cutOciText('short', 40), 'short');
  assert.equal(ociFieldSpec('description')?.maxLength, 40);
  assert.equal(ociFieldSpec('TAX_RATE'), undefined);
});

test('OCI numbers: format and tolerant parse', () => {
  assert.equal(formatOciDecimal(d('12.5')), '12.500');
  assert.equal(formatOciDecimal(d('1e3')), '1000.000');
  assert.equal(formatOciDecimal(d('-0')), '0.000');
  assert.equal(formatOciDecimal(d('99999999999.999')), '99999999999.999');
  assert.throws(() => formatOciDecimal(d('100000000000')));
  for (const [text, expected] of [['00000001730.900', '1730.9'], ['1.0', '1'], [' 7 ', '7'], ['.5', '0.5'], ['5.', '5']] as const) {
    const p = parseOciNumber(text);
    assert.ok(p.value?.eq(expected), text);
    assert.equal(p.problem, undefined, text);
  }
  const comma = parseOciNumber('12,50');
  assert.ok(comma.value?.eq('12.5'));
  assert.match(comma.problem!, /comma/);
  assert.equal(parseOciNumber('12,50', false).value, undefined);
  assert.equal(parseOciNumber('1.234,50').value, undefined);
  assert.equal(parseOciNumber('').value, undefined);
  assert.equal(parseOciNumber('').problem, undefined);
});

test('fitPriceToUnit uses the smallest power of ten; rounds only beyond PRICEUNIT 99999', () => {
  const f = fitPriceToUnit(d('0.0125'), d('1'), 3);
  assert.deepEqual([f.price.toFixed(), f.priceUnit.toFixed(), f.rounded], ['0.125', '10', false]);
  const half = fitPriceToUnit(d('3'), d('0.5'), 3);
  assert.deepEqual([half.price.toFixed(), half.priceUnit.toFixed()], ['30', '5'], 'a fractional price unit becomes whole');
  const tiny = fitPriceToUnit(d('0.0000001234'), d('1'), 3);
  assert.equal(tiny.rounded, true);
  assert.equal(tiny.priceUnit.toFixed(), '10000');
  assert.equal(tiny.price.toFixed(), '0.001');
});

test('HTML scanner: quoting, case, comments, scripts, entities, control types', () => {
  const html = `
    <!-- <input type="hidden" name="commented" value="x"> -->
    <script>document.write('<input name="scripted" value="x">')</script>
    <FORM><INPUT TYPE=hidden NAME=a VALUE=1>
    <input type='hidden' name='b' value='it&#39;s &amp; &quot;ok&quot; &euro;&#x20AC;&#128;'/>
    <input name="c" value="x" name="ignored" value="y">
    <input type="submit" name="go" value="Go">
    <input type="checkbox" name="unchecked" value="1"><input type="checkbox" name="checked" checked>
    <input type="hidden" name="disabled" value="1" disabled>
    <input type="hidden" name="multi" value="line one
line two">
    <textarea name="t">
a &lt; b</textarea>
    <input type="hidden" name="empty">
  </FORM>`;
  assert.deepEqual(pairsFromHtmlForm(html), [
    ['a', '1'],
    ['b', 'it\'s & "ok" €€€'],
    ['c', 'x'],
    ['checked', 'on'],
    ['multi', 'line one\nline two'],
    ['t', 'a < b'],
    ['empty', ''],
  ]);
  assert.equal(decodeHtmlEntities('&unknown; &amp &#0; &auml;'), '&unknown; &amp \uFFFD ä');
});

test('urlencoded pairs: flat, in order, duplicates kept, decoded once', () => {
  assert.deepEqual(pairsFromUrlencoded('NEW_ITEM-DESCRIPTION%5B1%5D=a+b&NEW_ITEM-DESCRIPTION[1]=%25C3&x'), [
    ['NEW_ITEM-DESCRIPTION[1]', 'a b'],
    ['NEW_ITEM-DESCRIPTION[1]', '%C3'],
    ['x', ''],
  ]);
  assert.deepEqual(pairsFromUrlencoded('a=%E4', 'ISO-8859-1'), [['a', 'ä']]);
  assert.equal(decodeFormComponent('%E4', 'auto').latin1Fallback, true);
});

test('reader: tolerant numbers, duplicates, PRICEUNIT, SERVICE, case-insensitive names', () => {
  const r = readOciCartForm([
    ['new_item-description[1]', 'lower-case name'],
    ['NEW_ITEM-QUANTITY[1]', '2,5'],
    ['NEW_ITEM-PRICE[1]', ' 00000000012.500 '],
    ['NEW_ITEM-PRICEUNIT[1]', ' '],
    ['NEW_ITEM-SERVICE[1]', 'X'],
    ['NEW_ITEM-LEADTIME[1]', '00005'],
    ['NEW_ITEM-UNIT[1]', 'PCE'],
    ['NEW_ITEM-UNIT[1]', 'KGM'],
    ['NEW_ITEM-LONGTEXT_1:132[]', 'first\r\n'],
    ['NEW_ITEM-LONGTEXT_1:132[]', 'second'],
    ['NEW_ITEM-BOGUS', 'x'],
  ]);
  const l = r.lines[0]!;
  assert.equal(l.description, 'lower-case name');
  assert.ok(l.quantity?.eq('2.5'));
  assert.ok(l.price?.eq('12.5'));
  assert.ok(l.priceUnit.eq(1));
  assert.equal(l.service, true);
  assert.equal(l.leadTimeDays, 5);
  assert.equal(l.unit, 'KGM');
  assert.equal(l.longText, 'first\n\nsecond');
  assert.deepEqual(r.other, [['NEW_ITEM-BOGUS', 'x']]);
  for (const w of ['decimal comma', 'UNIT sent more than once', 'long-text entries joined', 'NEW_ITEM-BOGUS']) {
    assert.ok(r.warnings.some((x) => x.includes(w)), w);
  }
  const strict = readOciCartForm([['NEW_ITEM-QUANTITY[1]', '2,5']], { tolerant: false });
  assert.equal(strict.lines[0]!.quantity, undefined);
  assert.equal(strict.warnings.length, 1);
  // The long-text spelling WOCI uses: LONGTEXT_1[n] — the bracket index wins.
  const woci = readOciCartForm([['NEW_ITEM-DESCRIPTION[2]', 'b'], ['NEW_ITEM-LONGTEXT_1[2]', 'for two'], ['NEW_ITEM-LONGTEXT_3:132', 'no brackets']]);
  assert.equal(woci.lines.find((x) => x.index === 2)?.longText, 'for two');
  assert.equal(woci.lines.find((x) => x.index === 3)?.longText, 'no brackets');
});
