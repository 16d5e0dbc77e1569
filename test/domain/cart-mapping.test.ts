/**
 * Cart mapping: Koppel's defaults reproduce the mapping that was hard-coded before (same OCI form,
 * same PunchOutOrderMessage), overrides and maps change exactly what they name, every value has a
 * source, and the header money of a cXML cart adds up exactly in EUR, JPY and BHD.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { DEFAULT_OPTIONS, withDefaults, type ConnectionOptions, type StoredOptions } from '../../src/domain/connection.js';
import type { CartProduct } from '../../src/domain/cart.js';
import { mapCxmlCart, mapOciCart, type MappableLine, type OciMappedCart } from '../../src/domain/cart-mapping.js';
import { lintCart } from '../../src/domain/cart-lint.js';
import { buildOciCartForm, type OciCartLine } from '../../src/protocol/oci/cart-form.js';
import { cutTextAtWord } from '../../src/protocol/oci/fields.js';
import { writePunchOutOrderMessage } from '../../src/protocol/cxml/writer.js';
import { readCxml } from '../../src/protocol/cxml/reader.js';
import type { Header, ItemIn, PunchOutOrderMessage } from '../../src/protocol/cxml/model.js';
import { minorUnits, sum } from '../../src/protocol/money.js';
import { mulberry32 } from '../../src/store/demo-catalog.js';

const d = (s: string) => new Decimal(s);

const PEN: CartProduct = {
  id: 'kp-1',
  sku: 'KP-1',
  name: 'Gel pen Scriptura Flow 0.7 mm, blue ink, pack of twelve',
  description: 'Smooth gel ink & a soft grip. "Everyday Office" range.',
  manufacturer: 'Scriptura',
  manufacturerPartId: 'SC-FLOW-07-B',
  unspsc: '44121704',
  unit: 'PK',
  leadTimeDays: 2,
  category: 'Writing instruments',
};
const PAPER: CartProduct = { ...PEN, id: 'kp-2', sku: 'KP-2', name: 'Copy paper A4', description: 'Per sheet.', unit: 'PCE', unspsc: '14111507', category: 'Paper & notebooks', manufacturer: 'Birchleaf', manufacturerPartId: 'BL-A4' };

function line(product: CartProduct, quantity: string, price: string, over: Partial<MappableLine> = {}): MappableLine {
  return { product, quantity: d(quantity), unitPrice: d(price), currency: 'EUR', auxId: `aux-${product.sku}`, ...over };
}

function options(stored: StoredOptions = {}): ConnectionOptions {
  return withDefaults(stored);
}

const HOOK = 'https://srm.buyer.example/hook';

/** The mapping Koppel had hard-coded before it became configurable (punchout.ts ociLineFor). */
function legacyOciLine(l: MappableLine, vendor?: string): OciCartLine {
  return {
    description: l.product.name,
    longText: l.product.description,
    quantity: l.quantity,
    unit: l.product.unit,
    price: l.unitPrice,
    currency: l.currency,
    leadTimeDays: l.product.leadTimeDays,
    ...(vendor !== undefined ? { vendor } : {}),
    vendorMat: l.product.sku,
    manufactMat: l.product.manufacturerPartId,
    matGroup: l.product.unspsc,
    extProductId: l.product.sku,
    extSchemaType: 'UNSPSC',
    extCategoryId: l.product.unspsc,
    extCategory: l.product.category,
  };
}

/** The ItemIn Koppel had hard-coded before (punchout.ts cxmlReturn). */
function legacyItem(l: MappableLine, i: number): ItemIn {
  return {
    quantity: l.quantity,
    lineNumber: i + 1,
    itemID: { supplierPartID: l.product.sku, supplierPartAuxiliaryID: l.auxId! },
    itemDetail: {
      unitPrice: { amount: l.unitPrice, currency: l.currency, raw: l.unitPrice.toString() },
      descriptions: [{ lang: 'en-US', text: l.product.description, shortName: cutTextAtWord(l.product.name, 50) }], // since then cut at a word, without trailing punctuation
      unitOfMeasure: l.product.unit,
      classifications: [{ domain: 'UNSPSC', code: l.product.unspsc }],
      manufacturerPartID: l.product.manufacturerPartId,
      manufacturerName: l.product.manufacturer,
      leadTime: l.product.leadTimeDays,
      extrinsics: [],
    },
    extrinsics: [],
  };
}

const HEADER: Header = {
  from: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL' }] },
  to: { credentials: [{ domain: 'NetworkID', identity: 'BUYER' }] },
  sender: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL' }], userAgent: 'Koppel' },
};
const WRITE = { payloadID: 'p1@koppel.test', timestamp: new Date('2026-12-03T10:00:00Z'), version: '1.2.014', lang: 'en-US' };

function fieldValue(mapped: OciMappedCart, name: string): string | undefined {
  return buildOciCartForm([...mapped.lines], { hookUrl: HOOK, maxPriceDecimals: mapped.options.oci.maxPriceDecimals }).fields.find((f) => f.name === name)?.value;
}

function source(mapped: { provenance: readonly { line: number; field: string; source: string }[] }, lineNo: number, field: string): string | undefined {
  return mapped.provenance.find((p) => p.line === lineNo && p.field === field)?.source;
}

describe('defaults reproduce the former hard-coded mapping', () => {
  const lines = [line(PEN, '2', '4.65'), line(PAPER, '500', '0.0125')];

  test('OCI: the same form, field for field, with and without a VENDOR from the call', () => {
    for (const vendor of [undefined, '4711']) {
      const mapped = mapOciCart({ options: DEFAULT_OPTIONS, lines, ...(vendor ? { vendor } : {}) });
      const now = buildOciCartForm([...mapped.lines], { hookUrl: HOOK });
      const before = buildOciCartForm(lines.map((l) => legacyOciLine(l, vendor)), { hookUrl: HOOK });
      assert.deepEqual(now.fields, before.fields);
      assert.deepEqual(now.warnings, before.warnings);
      assert.deepEqual(now.truncations, before.truncations);
    }
  });

  test('cXML: the same PunchOutOrderMessage, byte for byte', () => {
    const mapped = mapCxmlCart({ options: DEFAULT_OPTIONS, lines });
    const total = d('9.30').plus(d('6.25'));
    assert.ok(mapped.header.total.amount.eq(total));
    const now = writePunchOutOrderMessage(WRITE, HEADER, { buyerCookie: 'c', operationAllowed: 'edit', total: mapped.header.total, items: mapped.items });
    const before = writePunchOutOrderMessage(WRITE, HEADER, { buyerCookie: 'c', operationAllowed: 'edit', total: { amount: total, currency: 'EUR' }, items: lines.map(legacyItem) });
    assert.equal(now, before);
    assert.equal(mapped.header.shipping, undefined);
    assert.equal(mapped.header.tax, undefined);
  });

  test('every emitted OCI field has a provenance record with the expected default source', () => {
    const mapped = mapOciCart({ options: DEFAULT_OPTIONS, lines, vendor: '4711' });
    const form = buildOciCartForm([...mapped.lines], { hookUrl: HOOK });
    for (const f of form.fields) {
      const m = /^NEW_ITEM-(?:LONGTEXT_(\d+):132\[\]|([A-Z_0-9]+)\[(\d+)\])$/.exec(f.name)!;
      const field = m[1] ? 'LONGTEXT' : m[2]!;
      const n = Number(m[1] ?? m[3]);
      assert.ok(source(mapped, n, field), `no provenance for ${f.name}`);
    }
    assert.equal(source(mapped, 1, 'DESCRIPTION'), 'default:name');
    assert.equal(source(mapped, 1, 'LONGTEXT'), 'default:description');
    assert.equal(source(mapped, 1, 'VENDORMAT'), 'default:sku');
    assert.equal(source(mapped, 1, 'MATGROUP'), 'default:unspsc');
    assert.equal(source(mapped, 1, 'EXT_SCHEMA_TYPE'), 'option:classificationDomain');
    assert.equal(source(mapped, 1, 'EXT_CATEGORY'), 'default:category');
    assert.equal(source(mapped, 1, 'VENDOR'), 'OCI call');
    assert.equal(source(mapped, 1, 'QUANTITY'), 'cart');
    assert.equal(source(mapped, 1, 'PRICE'), 'cart');
    assert.equal(source(mapped, 2, 'PRICE'), 'computed: unit price × PRICEUNIT');
    assert.equal(source(mapped, 2, 'PRICEUNIT'), 'computed: price needs more than 3 decimals');
  });

  test('cXML provenance: defaults, option and computed header values', () => {
    const mapped = mapCxmlCart({ options: DEFAULT_OPTIONS, lines: [line(PEN, '1', '2', { priceSource: 'price list', priceNote: 'price list ACME' })] });
    assert.equal(source(mapped, 1, 'ShortName'), 'default:name');
    assert.equal(source(mapped, 1, 'Description'), 'default:description');
    assert.equal(source(mapped, 1, 'Classification'), 'default:unspsc');
    assert.equal(source(mapped, 1, 'Classification@domain'), 'option:classificationDomain');
    assert.equal(source(mapped, 1, 'UnitPrice'), 'price list');
    assert.equal(source(mapped, 1, 'SupplierPartAuxiliaryID'), 'cart');
    assert.equal(source(mapped, 0, 'Total'), 'computed: sum of line totals');
    assert.match(mapped.provenance.find((p) => p.field === 'ShortName')!.note!, /cut to 50/);
    // Cut at a word boundary, without the comma that followed the last kept word.
    assert.equal(mapped.provenance.find((p) => p.field === 'ShortName')!.value, 'Gel pen Scriptura Flow 0.7 mm, blue ink, pack of');
  });
});

describe('field mapping overrides', () => {
  test('a constant to CUST_FIELD1, an attribute to MATGROUP, an empty LONGTEXT', () => {
    const opts = options({
      fieldMapping: {
        oci: {
          CUST_FIELD1: { kind: 'constant', value: 'CC-100' },
          MATGROUP: { kind: 'attribute', attribute: 'category' },
          LONGTEXT: { kind: 'empty' },
        },
      },
    });
    const mapped = mapOciCart({ options: opts, lines: [line(PAPER, '1', '1.00')] });
    assert.equal(mapped.lines[0]!.custField1, 'CC-100');
    assert.equal(source(mapped, 1, 'CUST_FIELD1'), 'constant');
    assert.equal(mapped.lines[0]!.matGroup, 'Paper & notebooks');
    assert.equal(source(mapped, 1, 'MATGROUP'), 'attribute:category');
    assert.equal(mapped.lines[0]!.longText, undefined);
    assert.equal(source(mapped, 1, 'LONGTEXT'), 'empty');
    assert.equal(fieldValue(mapped, 'NEW_ITEM-CUST_FIELD1[1]'), 'CC-100');
    assert.equal(fieldValue(mapped, 'NEW_ITEM-LONGTEXT_1:132[]'), undefined);
    // MATGROUP is CHAR 10: the form cuts the category, and the lint says so.
    assert.equal(fieldValue(mapped, 'NEW_ITEM-MATGROUP[1]'), 'Paper & no');
    assert.ok(lintCart(mapped).some((f) => f.field === 'MATGROUP' && f.severity === 'warn' && f.message.includes('KP-2')));
  });

  test('mapping keys match case-insensitively; an empty attribute uses the fallback', () => {
    const opts = options({ fieldMapping: { oci: { manufactcode: { kind: 'attribute', attribute: 'manufacturerPartId', fallback: 'NONE' } } } });
    const mapped = mapOciCart({ options: opts, lines: [line({ ...PEN, manufacturerPartId: '' }, '1', '1')] });
    assert.equal(mapped.lines[0]!.manufactCode, 'NONE');
    assert.match(mapped.provenance.find((p) => p.field === 'MANUFACTCODE')!.note!, /fallback/);
  });

  test('mappings for fixed or unknown fields are ignored with an issue; a bad LEADTIME constant blocks', () => {
    const opts = options({ fieldMapping: { oci: { QUANTITY: { kind: 'constant', value: '5' }, TAX_RATE: { kind: 'constant', value: '19' }, LEADTIME: { kind: 'constant', value: 'soon' } } } });
    const mapped = mapOciCart({ options: opts, lines: [line(PEN, '1', '1')] });
    assert.ok(mapped.lines[0]!.quantity.eq(1));
    assert.deepEqual(mapped.issues.map((i) => [i.kind, i.field]), [['ignored mapping', 'QUANTITY'], ['ignored mapping', 'TAX_RATE'], ['bad value', 'LEADTIME']]);
    const findings = lintCart(mapped);
    assert.ok(findings.some((f) => f.severity === 'block' && f.field === 'LEADTIME' && f.message.includes('KP-1')));
  });

  test('cXML: ShortName from a constant, ManufacturerName empty, an extrinsic, BuyerPartID', () => {
    const opts = options({
      cxml: { version: '1.2.071' },
      fieldMapping: {
        cxml: {
          ShortName: { kind: 'attribute', attribute: 'sku' },
          ManufacturerName: { kind: 'empty' },
          'Extrinsic:CostCentre': { kind: 'constant', value: '4100' },
          BuyerPartID: { kind: 'attribute', attribute: 'manufacturerPartId' },
        },
      },
    });
    const mapped = mapCxmlCart({ options: opts, lines: [line(PEN, '1', '1')] });
    const item = mapped.items[0]!;
    assert.equal(item.itemDetail.descriptions[0]!.shortName, 'KP-1');
    assert.equal(item.itemDetail.manufacturerName, undefined);
    assert.deepEqual(item.itemDetail.extrinsics, [{ name: 'CostCentre', value: '4100' }]);
    assert.equal(item.itemID.buyerPartID, 'SC-FLOW-07-B');
    assert.equal(source(mapped, 1, 'Extrinsic:CostCentre'), 'constant');
    assert.deepEqual(lintCart(mapped).filter((f) => f.severity === 'block'), []);
  });
});

describe('unit and currency maps', () => {
  test('OCI: our unit and currency go out as the buyer\'s codes, with the map as the source', () => {
    const mapped = mapOciCart({ options: options({ unitMap: { PK: 'PAK' }, currencyMap: { EUR: 'EU1' } }), lines: [line({ ...PAPER, unit: 'PK' }, '1', '1')] });
    assert.equal(mapped.lines[0]!.unit, 'PAK');
    assert.equal(mapped.lines[0]!.currency, 'EU1');
    assert.equal(source(mapped, 1, 'UNIT'), 'unit map');
    assert.equal(source(mapped, 1, 'CURRENCY'), 'currency map');
    assert.deepEqual(mapped.facts[0]!.unit, { ours: 'PK', sent: 'PAK', mapped: true });
    assert.deepEqual(lintCart(mapped), []);
  });

  test('cXML: UnitOfMeasure, UnitPrice currency and Total currency follow the maps', () => {
    const mapped = mapCxmlCart({ options: options({ unitMap: { PK: 'EACH' }, currencyMap: { RON: 'ROL' } }), lines: [line(PEN, '3', '1.5', { currency: 'RON' })] });
    assert.equal(mapped.items[0]!.itemDetail.unitOfMeasure, 'EACH');
    assert.equal(mapped.items[0]!.itemDetail.unitPrice.currency, 'ROL');
    assert.equal(mapped.header.total.currency, 'ROL');
    assert.ok(mapped.header.total.amount.eq('4.5'));
    assert.equal(source(mapped, 0, 'Total@currency'), 'currency map');
  });
});

describe('text rules', () => {
  const fancy: CartProduct = { ...PEN, sku: 'KP-®1', name: 'Marker Pro™ ® edition', description: '© 2026 Scriptura™', category: 'Pens™' };

  test('symbolsAsText writes ™ ® © as text in descriptive fields, never in identifiers', () => {
    const on = options({ textRules: { symbolsAsText: true } });
    const oci = mapOciCart({ options: on, lines: [line(fancy, '1', '1')] });
    assert.equal(oci.lines[0]!.description, 'Marker Pro(TM) (R) edition');
    assert.equal(oci.lines[0]!.longText, '(C) 2026 Scriptura(TM)');
    assert.equal(oci.lines[0]!.extCategory, 'Pens(TM)');
    assert.equal(oci.lines[0]!.vendorMat, 'KP-®1', 'the SKU round-trips unchanged');
    assert.match(oci.provenance.find((p) => p.field === 'DESCRIPTION')!.note!, /text rule: ™ → \(TM\), ® → \(R\)/);
    assert.ok(lintCart(oci).some((f) => f.field === 'DESCRIPTION' && f.message.includes('™ written as (TM)')));

    const cxml = mapCxmlCart({ options: on, lines: [line(fancy, '1', '1')] });
    assert.equal(cxml.items[0]!.itemDetail.descriptions[0]!.shortName, 'Marker Pro(TM) (R) edition');
    assert.equal(cxml.items[0]!.itemDetail.descriptions[0]!.text, '(C) 2026 Scriptura(TM)');
    assert.equal(cxml.items[0]!.itemID.supplierPartID, 'KP-®1');
  });

  test('off by default: the symbols stay', () => {
    const oci = mapOciCart({ options: DEFAULT_OPTIONS, lines: [line(fancy, '1', '1')] });
    assert.equal(oci.lines[0]!.description, 'Marker Pro™ ® edition');
    assert.deepEqual(oci.facts[0]!.textRules, []);
  });
});

describe('price per unit or per price unit', () => {
  const subCent = [line(PAPER, '500', '0.0125')];

  test("'price-unit' (default): 0.0125 goes out as 0.125 per 10", () => {
    const mapped = mapOciCart({ options: DEFAULT_OPTIONS, lines: subCent });
    assert.equal(fieldValue(mapped, 'NEW_ITEM-PRICE[1]'), '0.125');
    assert.equal(fieldValue(mapped, 'NEW_ITEM-PRICEUNIT[1]'), '10');
    assert.equal(mapped.provenance.find((p) => p.field === 'PRICEUNIT')!.value, '10');
    const warn = lintCart(mapped).find((f) => f.field === 'PRICEUNIT')!;
    assert.equal(warn.severity, 'warn');
    assert.match(warn.message, /0\.125 per 10 units/);
  });

  test("'per-unit': always per 1, rounded to the buyer's decimals with a warning naming the money effect", () => {
    const mapped = mapOciCart({ options: options({ oci: { priceUnitMode: 'per-unit' } }), lines: subCent });
    assert.equal(fieldValue(mapped, 'NEW_ITEM-PRICE[1]'), '0.013');
    assert.equal(fieldValue(mapped, 'NEW_ITEM-PRICEUNIT[1]'), undefined);
    assert.equal(source(mapped, 1, 'PRICE'), 'computed: rounded to 3 decimals');
    const warn = lintCart(mapped).find((f) => f.field === 'PRICE')!;
    assert.equal(warn.severity, 'warn');
    assert.match(warn.message, /"Copy paper A4" \(KP-2\).*0\.013 is sent \(line total 6\.50 instead of 6\.25 EUR\)/);
  });

  test("'per-unit' with a price that fits: no rounding, no warning", () => {
    const mapped = mapOciCart({ options: options({ oci: { priceUnitMode: 'per-unit' } }), lines: [line(PAPER, '1', '4.65')] });
    assert.equal(fieldValue(mapped, 'NEW_ITEM-PRICE[1]'), '4.650');
    assert.deepEqual(lintCart(mapped), []);
  });
});

describe('cXML header money adds up exactly (random carts)', () => {
  const rng = mulberry32(20261203);
  const int = (min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
  const digits = (n: number) => Array.from({ length: n }, () => String(int(0, 9))).join('');

  for (const currency of ['EUR', 'JPY', 'BHD']) {
    for (const taxRounding of ['line', 'document'] as const) {
      test(`${currency}, tax rounded per ${taxRounding}: 150 carts`, () => {
        const dp = minorUnits(currency);
        for (let run = 0; run < 150; run++) {
          const n = int(1, 12);
          const lines: MappableLine[] = Array.from({ length: n }, (_, i) =>
            line({ ...PEN, sku: `KP-${i}` }, `${int(1, 999)}${rng() < 0.3 ? `.${digits(int(1, 3))}` : ''}`, `${int(0, 400)}.${digits(int(0, 5))}`.replace(/\.$/, ''), { currency }),
          );
          const includes = rng() < 0.5;
          const rate = ['0', '7', '19', '20', '7.7', '8.25', '5.5'][int(0, 6)]!;
          const shipping = `${int(0, 60)}.${digits(dp + 1)}`;
          const opts = options({ cxml: { cartShipping: true, shippingAmount: shipping, cartTax: true, taxRatePercent: rate, taxRounding, totalIncludesExtras: includes } });
          const mapped = mapCxmlCart({ options: opts, lines });
          const m = mapped.money;
          const lineTotals = lines.map((l) => l.quantity.times(l.unitPrice).toDecimalPlaces(dp, Decimal.ROUND_HALF_UP));
          const goods = sum(lineTotals);
          const expectedTax =
            taxRounding === 'line'
              ? sum(lineTotals.map((t) => t.times(rate).div(100).toDecimalPlaces(dp, Decimal.ROUND_HALF_UP)))
              : goods.times(rate).div(100).toDecimalPlaces(dp, Decimal.ROUND_HALF_UP);
          const ship = d(shipping).toDecimalPlaces(dp, Decimal.ROUND_HALF_UP);
          assert.ok(m.goods.eq(goods), `goods ${m.goods} vs ${goods}`);
          assert.ok(m.tax!.eq(expectedTax), `tax ${m.tax} vs ${expectedTax} (${taxRounding})`);
          assert.ok(m.total.eq(includes ? goods.plus(ship).plus(expectedTax) : goods), 'total');
          for (const amount of [m.total, m.tax!, m.shipping!, ...m.lineTotals, ...m.lineTaxes]) assert.ok(amount.decimalPlaces() <= dp, `${amount} has more than ${dp} decimals`);
          if (taxRounding === 'line') assert.ok(sum(mapped.items.map((i) => i.tax!.money.amount)).eq(m.tax!), 'header tax = sum of the emitted line taxes');
          else assert.ok(mapped.items.every((i) => i.tax === undefined), 'no line taxes when rounding per document');
          assert.deepEqual(lintCart(mapped).filter((f) => f.severity === 'block'), []);

          // The written document says the same: read it back and add up what it carries.
          if (run % 10 === 0) {
            const xml = writePunchOutOrderMessage(WRITE, HEADER, { buyerCookie: 'c', operationAllowed: 'edit', total: mapped.header.total, shipping: mapped.header.shipping!, tax: mapped.header.tax!, items: mapped.items });
            const poom = readCxml(xml).envelope.payload as PunchOutOrderMessage;
            const readGoods = sum(poom.items.map((i) => i.quantity.times(i.itemDetail.unitPrice.amount).toDecimalPlaces(dp, Decimal.ROUND_HALF_UP)));
            const readTotal = includes ? readGoods.plus(poom.shipping!.money.amount).plus(poom.tax!.money.amount) : readGoods;
            assert.ok(poom.total.amount.eq(readTotal), `document Total ${poom.total.amount} vs its parts ${readTotal}`);
            if (taxRounding === 'line') assert.ok(sum(poom.items.map((i) => i.tax!.money.amount)).eq(poom.tax!.money.amount));
          }
        }
      });
    }
  }
});
