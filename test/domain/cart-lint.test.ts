/**
 * Cart lint: one test per rule. Every finding about a line names the product; blocks come first.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { withDefaults, type StoredOptions } from '../../src/domain/connection.js';
import type { CartProduct } from '../../src/domain/cart.js';
import { mapCxmlCart, mapOciCart, type CxmlMappedCart, type MappableLine } from '../../src/domain/cart-mapping.js';
import { lintCart, sortFindings, type LintFinding } from '../../src/domain/cart-lint.js';
import { buildOciCartForm } from '../../src/protocol/oci/cart-form.js';

const d = (s: string) => new Decimal(s);
const PRODUCT: CartProduct = {
  id: 'kp-7',
  sku: 'KP-7',
  name: 'Stapler',
  description: 'Staples up to 20 sheets.',
  manufacturer: 'Deskline',
  manufacturerPartId: 'DL-ST20',
  unspsc: '44121615',
  unit: 'PCE',
  leadTimeDays: 3,
  category: 'Desk',
};

function line(over: Partial<CartProduct> = {}, quantity = '1', price = '9.90', extra: Partial<MappableLine> = {}): MappableLine {
  return { product: { ...PRODUCT, ...over }, quantity: d(quantity), unitPrice: d(price), currency: 'EUR', auxId: 'aux-1', ...extra };
}

function oci(lines: MappableLine[], stored: StoredOptions = {}): LintFinding[] {
  return lintCart(mapOciCart({ options: withDefaults(stored), lines }));
}

function cxml(lines: MappableLine[], stored: StoredOptions = {}): LintFinding[] {
  return lintCart(mapCxmlCart({ options: withDefaults(stored), lines }));
}

function only(findings: LintFinding[], field: string): LintFinding {
  const found = findings.filter((f) => f.field === field);
  assert.equal(found.length, 1, `one finding for ${field}: ${JSON.stringify(findings, null, 1)}`);
  return found[0]!;
}

const NAMED = /"Stapler" \(KP-7\)/;

describe('units', () => {
  test('OCI: a unit that is no 1–3 character code blocks, naming the product', () => {
    const f = only(oci([line({ unit: 'PIECE' })]), 'UNIT');
    assert.equal(f.severity, 'block');
    assert.equal(f.line, 1);
    assert.equal(f.product, '"Stapler" (KP-7)');
    assert.match(f.message, NAMED);
    assert.match(f.message, /"PIECE"/);
    assert.match(f.message, /unit map/);
  });

  test('OCI: a unit map entry that sends a bad code blocks and says to fix the map', () => {
    const f = only(oci([line()], { unitMap: { PCE: 'PIECES' } }), 'UNIT');
    assert.equal(f.severity, 'block');
    assert.match(f.message, /the unit map sends "PIECES" for our unit "PCE"/);
  });

  test('OCI: a mapped good code and an empty unit', () => {
    assert.deepEqual(oci([line({ unit: 'PIECE' })], { unitMap: { PIECE: 'PCE' } }), []);
    assert.match(only(oci([line({ unit: '' })]), 'UNIT').message, /no unit of measure/);
  });

  test('cXML: an unknown code warns (not mapped), a mapped or known one does not', () => {
    const f = only(cxml([line({ unit: 'XYZ' })]), 'UnitOfMeasure');
    assert.equal(f.severity, 'warn');
    assert.match(f.message, NAMED);
    assert.deepEqual(cxml([line({ unit: 'XYZ' })], { unitMap: { XYZ: 'EACH' } }), []);
    assert.deepEqual(cxml([line({ unit: 'BX' })]), []);
    assert.equal(only(cxml([line({ unit: '' })]), 'UnitOfMeasure').severity, 'block');
  });
});

describe('required fields (SAP drops the line)', () => {
  test('neither DESCRIPTION nor MATNR', () => {
    const f = only(oci([line()], { fieldMapping: { oci: { DESCRIPTION: { kind: 'empty' } } } }), 'DESCRIPTION');
    assert.equal(f.severity, 'block');
    assert.match(f.message, NAMED);
    assert.deepEqual(oci([line()], { fieldMapping: { oci: { DESCRIPTION: { kind: 'empty' }, MATNR: { kind: 'constant', value: 'M-1' } } } }), []);
  });

  test('a category without EXT_SCHEMA_TYPE', () => {
    const f = only(oci([line()], { fieldMapping: { oci: { EXT_SCHEMA_TYPE: { kind: 'empty' } } } }), 'EXT_SCHEMA_TYPE');
    assert.equal(f.severity, 'block');
  });

  test('EXT_QUOTE_ITEM without EXT_QUOTE_ID, CONTRACT_ITEM without CONTRACT', () => {
    const findings = oci([line()], { fieldMapping: { oci: { EXT_QUOTE_ITEM: { kind: 'constant', value: '10' }, CONTRACT_ITEM: { kind: 'constant', value: '20' } } } });
    assert.equal(only(findings, 'EXT_QUOTE_ID').severity, 'block');
    assert.equal(only(findings, 'CONTRACT').severity, 'block');
  });

  test('no quantity; a negative price', () => {
    assert.equal(only(oci([line({}, '0')]), 'QUANTITY').severity, 'block');
    assert.equal(only(cxml([line({}, '0')]), 'QUANTITY').severity, 'block');
    assert.ok(oci([line({}, '1', '-1')]).some((f) => f.field === 'PRICE' && f.severity === 'block'));
  });

  test('cXML: no SupplierPartID blocks; long or Ariba-unsafe ones warn; no classification warns', () => {
    assert.equal(only(cxml([line()], { fieldMapping: { cxml: { SupplierPartID: { kind: 'constant', value: ' ' } } } }), 'SupplierPartID').severity, 'block');
    const long = cxml([line({ sku: `A${'x'.repeat(100)}?` })]);
    assert.equal(long.filter((f) => f.field === 'SupplierPartID').length, 2);
    assert.equal(only(cxml([line({ unspsc: '' })]), 'Classification').severity, 'warn');
  });

  test('cXML: BuyerPartID mapped for a version that has none blocks', () => {
    const mapping = { fieldMapping: { cxml: { BuyerPartID: { kind: 'constant', value: 'B-1' } as const } } };
    const f = only(cxml([line()], { ...mapping, cxml: { version: '1.2.014' } }), 'BuyerPartID');
    assert.equal(f.severity, 'block');
    assert.match(f.message, /1\.2\.014/);
    assert.deepEqual(cxml([line()], { ...mapping, cxml: { version: '1.2.071' } }), []);
  });
});

describe('lengths', () => {
  const longName = 'Gel pen Scriptura Flow 0.7 mm, blue ink, pack of twelve';

  test('OCI: a value longer than its field warns, naming field, product and the text the buyer gets', () => {
    const mapped = mapOciCart({ options: withDefaults({}), lines: [line({ name: longName, sku: 'KP-8' })] });
    const form = buildOciCartForm([...mapped.lines], { hookUrl: 'https://b.example/' });
    const f = only(lintCart(mapped, { ociForm: form }), 'DESCRIPTION');
    assert.equal(f.severity, 'warn');
    assert.match(f.message, /"Gel pen Scriptura Flow 0\.7 mm, blue ink, pack of twelve" \(KP-8\): DESCRIPTION is 55 characters, OCI takes 40: the buyer gets "Gel pen Scriptura Flow 0\.7 mm, blue ink"; the full text goes to the long text\./);
    const vendorMat = only(oci([line({ sku: 'S'.repeat(45) })]), 'VENDORMAT');
    assert.match(vendorMat.message, /VENDORMAT is 45 characters, OCI takes 40/);
  });

  test('cXML: a short name over 50 characters warns', () => {
    const f = only(cxml([line({ name: `${longName} and a free case` })]), 'ShortName');
    assert.equal(f.severity, 'warn');
  });
});

describe('prices, currencies, totals', () => {
  test('a price needing more decimals than the buyer takes warns (price unit or rounding)', () => {
    assert.equal(only(oci([line({}, '100', '0.0125')]), 'PRICEUNIT').severity, 'warn');
    assert.equal(only(oci([line({}, '100', '0.0125')], { oci: { maxPriceDecimals: 2 } }), 'PRICEUNIT').message.includes('1.25 per 100 units'), true);
    assert.match(only(oci([line({}, '100', '0.0125')], { oci: { priceUnitMode: 'per-unit' } }), 'PRICE').message, /line total 1\.30 instead of 1\.25 EUR/);
    assert.equal(only(oci([line()], { oci: { maxPriceDecimals: 7 } }), 'PRICE').severity, 'block');
  });

  test('a currency that is no code blocks; a gap in the currency map warns; a bad map entry blocks', () => {
    assert.equal(only(oci([line({}, '1', '1', { currency: 'EURO' })]), 'CURRENCY').severity, 'block');
    const gap = only(oci([line({}, '1', '1', { currency: 'CHF' })], { currencyMap: { RON: 'ROL' } }), 'CURRENCY');
    assert.equal(gap.severity, 'warn');
    assert.match(gap.message, /has no entry for CHF/);
    assert.equal(only(cxml([line()], { currencyMap: { EUR: 'EURO' } }), 'CURRENCY').severity, 'block');
    assert.deepEqual(oci([line()], { currencyMap: { EUR: 'EUR1' } }), [], 'OCI takes a buyer currency key of up to 5 characters when mapped');
  });

  test('cXML: mixed currencies block the Total', () => {
    const f = cxml([line(), line({ sku: 'KP-9' }, '1', '2', { currency: 'CHF' })]).find((x) => x.field === 'Total')!;
    assert.equal(f.severity, 'block');
    assert.match(f.message, /EUR, CHF/);
  });

  test('cXML: a Total or tax that does not add up blocks', () => {
    const mapped = mapCxmlCart({ options: withDefaults({ cxml: { cartTax: true, taxRatePercent: '19', taxRounding: 'line' } }), lines: [line(), line({ sku: 'KP-9' }, '3', '0.35')] });
    assert.deepEqual(lintCart(mapped), []);
    const tampered: CxmlMappedCart = { ...mapped, header: { ...mapped.header, total: { amount: mapped.header.total.amount.plus('0.01'), currency: 'EUR' }, tax: { ...mapped.header.tax!, money: { amount: d('9.99'), currency: 'EUR' } } } };
    const findings = lintCart(tampered);
    assert.ok(findings.some((f) => f.field === 'Total' && f.severity === 'block' && /does not add up/.test(f.message)));
    assert.ok(findings.some((f) => f.field === 'Tax' && /not the sum of the line taxes/.test(f.message)));
  });

  test('a bad tax or shipping option blocks', () => {
    assert.ok(cxml([line()], { cxml: { cartTax: true, taxRatePercent: '19%' } }).some((f) => f.severity === 'block' && f.field === 'cxml.taxRatePercent'));
    assert.ok(cxml([line()], { cxml: { cartShipping: true, shippingAmount: '-5' } }).some((f) => f.severity === 'block' && f.field === 'cxml.shippingAmount'));
  });
});

describe('limits, charset, text rules, writer errors, order', () => {
  test('more lines than the buyer takes blocks', () => {
    const f = oci([line(), line({ sku: 'KP-9' })], { limits: { maxLines: 1 } }).find((x) => x.line === undefined)!;
    assert.equal(f.severity, 'block');
    assert.match(f.message, /2 lines; this buyer's system takes at most 1/);
  });

  test('a document bigger than the buyer takes blocks; base64 is counted', () => {
    const mapped = mapCxmlCart({ options: withDefaults({ limits: { maxBytes: 1000 } }), lines: [line()] });
    const f = lintCart(mapped, { transportBytes: 1200, documentBytes: 900 }).find((x) => x.line === undefined)!;
    assert.equal(f.severity, 'block');
    assert.match(f.message, /1200 bytes as cXML-base64 \(the XML is 900 bytes; base64 adds a third\)/);
    assert.deepEqual(lintCart(mapped, { transportBytes: 1000, documentBytes: 750 }), []);
  });

  test('ISO-8859-1: characters that will be transliterated warn', () => {
    const findings = oci([line({ name: 'Stapler €-edition — “Pro”', description: 'Größe M' })], { oci: { charset: 'ISO-8859-1' } });
    const f = only(findings, 'DESCRIPTION');
    assert.equal(f.severity, 'warn');
    assert.match(f.message, /ISO-8859-1/);
    assert.match(f.message, /EUR/);
    assert.equal(findings.filter((x) => x.field === 'LONGTEXT').length, 0, 'ö and ß are Latin-1');
    assert.deepEqual(oci([line({ name: 'Stapler €' })]), [], 'UTF-8 buyers get the text as it is');
  });

  test('text rules are reported per field', () => {
    const f = only(cxml([line({ name: 'Stapler™' })], { textRules: { symbolsAsText: true } }), 'ShortName');
    assert.equal(f.severity, 'warn');
    assert.match(f.message, /™ written as \(TM\)/);
  });

  test('a writer error is a block, said once when the lint already named it', () => {
    const mapped = mapOciCart({ options: withDefaults({}), lines: [line({ unit: 'PIECE' })] });
    const findings = lintCart(mapped, { writeError: { message: 'OCI line 1: unit "PIECE" …', line: 1, field: 'UNIT' } });
    assert.equal(findings.filter((f) => f.field === 'UNIT').length, 1);
    const other = lintCart(mapCxmlCart({ options: withDefaults({}), lines: [line()] }), { writeError: { message: 'ItemIn 1: something' } });
    assert.equal(other.length, 1);
    assert.match(other[0]!.message, /cannot be written in this buyer's format: ItemIn 1: something/);
  });

  test('blocks come first, then warnings, each by line', () => {
    const sorted = sortFindings([
      { severity: 'warn', line: 1, message: 'a' },
      { severity: 'block', line: 2, message: 'b' },
      { severity: 'warn', message: 'c' },
      { severity: 'block', line: 1, message: 'd' },
    ]);
    assert.deepEqual(sorted.map((f) => f.message), ['d', 'b', 'c', 'a']);
  });
});
