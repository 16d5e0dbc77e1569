import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { XMLParseFlags, parseXml, type XMLElement } from 'libxmljs';
import { Decimal } from 'decimal.js';
import type { Header } from '../../../src/protocol/cxml/model.js';
import {
  computeInvoice,
  invoiceTotals,
  writeInvoiceDetailRequest,
  type InvoiceAmountLine,
  type InvoiceInput,
  type InvoiceLineInput,
} from '../../../src/protocol/cxml/invoice.js';
import { checkInvoicedQuantities } from '../../../src/protocol/cxml/fulfil-rules.js';
import type { OrderReferenceInput } from '../../../src/protocol/cxml/fulfil.js';
import { CxmlWriteError, type WriteContext } from '../../../src/protocol/cxml/writer.js';
import { readCxml } from '../../../src/protocol/cxml/reader.js';
import { assertDtdValid } from '../../helpers/dtd.js';

const d = (v: string | number) => new Decimal(v);
const str = (x: Decimal | undefined) => x?.toFixed();

const ctx: WriteContext = {
  payloadID: '1796288400000.inv1@koppel.test',
  timestamp: new Date(Date.UTC(2026, 11, 3, 9, 0, 0)),
  offsetMinutes: 60,
};
const at = (version: string): WriteContext => ({ ...ctx, version });

const supplierHeader: Header = {
  from: { credentials: [{ domain: 'DUNS', identity: 'koppel-demo' }] },
  to: { credentials: [{ domain: 'NetworkID', identity: 'AN01000000001' }] },
  sender: { credentials: [{ domain: 'DUNS', identity: 'koppel-demo', sharedSecret: 'outbound-secret' }], userAgent: 'Koppel 0.1' },
};

const po1: OrderReferenceInput = { orderID: 'PO-1001', orderDate: '2026-12-01', payloadID: '1796115600000.po1001@buyer.example' };
const po2: OrderReferenceInput = { orderID: 'PO-1002', orderDate: '2026-12-02', payloadID: '1796202000000.po1002@buyer.example' };

const line = (n: number, quantity: string, unitPrice: string, taxRate: number | string, extra: Partial<InvoiceLineInput> = {}): InvoiceLineInput => ({
  invoiceLineNumber: n,
  orderLineNumber: n,
  quantity: d(quantity),
  unitPrice: d(unitPrice),
  taxRate: d(taxRate),
  unitOfMeasure: 'EA',
  itemID: { supplierPartID: `SKU-${n}`, supplierPartAuxiliaryID: `cart-7:line-${n}` },
  description: `Article ${n}`,
  ...extra,
});

const standard: InvoiceInput = {
  invoiceID: 'INV-2026-0001',
  invoiceDate: new Date(Date.UTC(2026, 11, 3, 8, 0, 0)),
  purpose: 'standard',
  currency: 'EUR',
  layout: { taxRounding: 'line', taxInLine: true, shippingInLine: false },
  orders: [{ order: po1, lines: [line(1, '3', '12.5', 19), line(2, '2.5', '3.999', 7, { description: { lang: 'de-DE', text: 'Kaffee, 250 g' } })] }],
  shipping: { amount: d('4.90'), taxRate: d(19) },
  shipFrom: { name: 'Koppel Demo Lager', postalAddress: { street: ['Lagerweg 1'], city: 'Köln', countryCode: 'DE' } },
  shipTo: { name: 'ACME Wareneingang', postalAddress: { street: ['Hauptstraße 1'], city: 'Bonn', countryCode: 'DE' } },
  partners: [
    { role: 'remitTo', name: 'Koppel Demo GmbH', addressID: 'REMIT-1', idReferences: [{ domain: 'ibanID', identifier: 'DE02120300000000202051' }] },
    { role: 'soldTo', name: 'ACME GmbH', postalAddress: { street: ['Hauptstraße 1'], city: 'Bonn', countryCode: 'DE' }, idReferences: [{ domain: 'vatID', identifier: 'DE123456789' }] },
  ],
  paymentTermDays: 30,
  taxDescription: 'MwSt',
  comments: { lang: 'de-DE', text: 'Vielen Dank für Ihren Auftrag' },
};

const creditMemo: InvoiceInput = {
  ...standard,
  invoiceID: 'CM-2026-0001',
  purpose: 'creditMemo',
  originalInvoice: { invoiceID: 'INV-2026-0001', invoiceDate: '2026-12-03', payloadID: '1796288400000.inv1@koppel.test' },
};

function node(xml: string, xpath: string): XMLElement {
  const found = parseXml(xml, { flags: [XMLParseFlags.XML_PARSE_NONET] }).get(xpath);
  assert.ok(found && typeof found === 'object', `no node at ${xpath}`);
  return found as XMLElement;
}

function childNames(xml: string, xpath: string): string[] {
  return node(xml, xpath)
    .childNodes()
    .filter((n) => n.type() === 'element')
    .map((n) => n.name());
}

const moneyAt = (xml: string, xpath: string) => node(xml, `${xpath}/Money`).text();

function assertGolden(name: string, xml: string): void {
  const file = new URL(`../../golden/${name}`, import.meta.url);
  if (process.env.KOPPEL_UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file.pathname), { recursive: true });
    writeFileSync(file, xml);
  }
  assert.ok(existsSync(file), `test/golden/${name} is missing (KOPPEL_UPDATE_GOLDEN=1 writes it)`);
  assert.equal(xml, readFileSync(file, 'utf8'), `differs from test/golden/${name} (KOPPEL_UPDATE_GOLDEN=1 to accept)`);
}

// ---- arithmetic -------------------------------------------------------------------------------

describe('computeInvoice', () => {
  it('rounds each line subtotal to minor units and adds up the document', () => {
    const t = computeInvoice(standard.orders[0]!.lines, { currency: 'EUR', taxRounding: 'line', shipping: { amount: d('4.90'), taxRate: d(19) } });
    // 3 × 12.5 = 37.50; 2.5 × 3.999 = 9.9975 → 10.00
    assert.deepEqual(t.lines.map((l) => str(l.subtotal)), ['37.5', '10']);
    // 37.50 × 19 % = 7.125 → 7.13; 10.00 × 7 % = 0.70; shipping 4.90 × 19 % = 0.931 → 0.93
    assert.deepEqual(t.lines.map((l) => str(l.tax)), ['7.13', '0.7']);
    assert.equal(str(t.subtotal), '47.5');
    assert.equal(str(t.shipping), '4.9');
    assert.equal(str(t.tax), '8.76');
    assert.deepEqual(t.taxSummary.map((g) => [g.category, str(g.rate), str(g.taxable), str(g.tax)]), [['vat', '19', '42.4', '8.06'], ['vat', '7', '10', '0.7']]);
    assert.equal(str(t.gross), '61.16');
    assert.equal(str(t.net), '61.16');
    assert.equal(str(t.due), '61.16');
    assert.equal(str(t.discount), '0');
  });

  it('document rounding sums net per rate and rounds once', () => {
    const lines: InvoiceAmountLine[] = [0, 1, 2].map(() => ({ quantity: d(1), unitPrice: d('0.13'), taxRate: d(19) }));
    const perLine = computeInvoice(lines, { currency: 'EUR', taxRounding: 'line' });
    const perDocument = computeInvoice(lines, { currency: 'EUR', taxRounding: 'document' });
    // 0.13 × 19 % = 0.0247 → 0.02 per line (0.06); 0.39 × 19 % = 0.0741 → 0.07 once.
    assert.equal(str(perLine.tax), '0.06');
    assert.equal(str(perDocument.tax), '0.07');
    assert.deepEqual(perDocument.lines.map((l) => l.tax), [undefined, undefined, undefined]);
    assert.deepEqual(perDocument.lines.map((l) => l.taxes.length), [0, 0, 0]);
    assert.equal(str(perDocument.gross), '0.46');
  });

  it('respects 0 and 3 minor units (JPY, BHD) and half-up rounding', () => {
    const jpy = computeInvoice([{ quantity: d('1.5'), unitPrice: d('333'), taxRate: d(10) }], { currency: 'jpy', taxRounding: 'line' });
    assert.equal(jpy.currency, 'JPY');
    assert.deepEqual([str(jpy.subtotal), str(jpy.tax), str(jpy.gross)], ['500', '50', '550']); // 499.5 → 500
    const bhd = computeInvoice([{ quantity: d('0.333'), unitPrice: d('1.2345'), taxRate: d('20.5') }], { currency: 'BHD', taxRounding: 'line' });
    // 0.4110885 → 0.411; 0.411 × 20.5 % = 0.084255 → 0.084
    assert.deepEqual([str(bhd.subtotal), str(bhd.tax), str(bhd.gross)], ['0.411', '0.084', '0.495']);
  });

  it('taxes shipping only when it has a rate', () => {
    const lines = [{ quantity: d(1), unitPrice: d(100), taxRate: d(19) }];
    const untaxed = computeInvoice(lines, { currency: 'EUR', taxRounding: 'line', shipping: { amount: d(10) } });
    assert.deepEqual([str(untaxed.tax), str(untaxed.gross)], ['19', '129']);
    const taxed = computeInvoice(lines, { currency: 'EUR', taxRounding: 'document', shipping: { amount: d(10), taxRate: d(19) } });
    assert.deepEqual([str(taxed.tax), str(taxed.gross)], ['20.9', '130.9']);
    const lineShipping = computeInvoice([{ ...lines[0]!, shipping: { amount: d('5.55'), taxRate: d(7) } }], { currency: 'EUR', taxRounding: 'line' });
    assert.deepEqual(lineShipping.lines[0]!.taxes.map((p) => [p.purpose, str(p.taxable), str(p.tax)]), [['tax', '100', '19'], ['shippingTax', '5.55', '0.39']]);
    assert.deepEqual([str(lineShipping.lines[0]!.tax), str(lineShipping.shipping), str(lineShipping.gross)], ['19.39', '5.55', '124.94']);
  });

  it('a credit memo is the exact negation, without negative zero', () => {
    const lines = [{ quantity: d(2), unitPrice: d('9.99'), taxRate: d(0) }];
    const plain = computeInvoice(lines, { currency: 'EUR', taxRounding: 'line' });
    const memo = computeInvoice(lines, { currency: 'EUR', taxRounding: 'line', negate: true });
    assert.deepEqual([str(memo.subtotal), str(memo.tax), str(memo.gross), str(memo.due)], ['-19.98', '0', '-19.98', '-19.98']);
    assert.ok(!memo.tax.isNegative() && !memo.discount.isNegative());
    assert.ok(memo.gross.eq(plain.gross.negated()));
  });

  it('refuses what is not an amount it can compute', () => {
    const ok = { quantity: d(1), unitPrice: d(1), taxRate: d(19) };
    assert.throws(() => computeInvoice([ok], { currency: 'EURO', taxRounding: 'line' }), RangeError);
    assert.throws(() => computeInvoice([{ ...ok, quantity: d(0) }], { currency: 'EUR', taxRounding: 'line' }), /line 1: quantity must be > 0/);
    assert.throws(() => computeInvoice([{ ...ok, unitPrice: d(-1) }], { currency: 'EUR', taxRounding: 'line' }), /unit price/);
    assert.throws(() => computeInvoice([{ ...ok, taxRate: d(101) }], { currency: 'EUR', taxRounding: 'line' }), /tax rate/);
    assert.throws(() => computeInvoice([ok], { currency: 'JPY', taxRounding: 'line', shipping: { amount: d('5.5') } }), /more decimals than JPY/);
    assert.throws(() => computeInvoice([ok], { currency: 'EUR', taxRounding: 'both' as never }), /taxRounding/);
  });

  it('keeps products exact beyond 20 significant digits', () => {
    // 2.5 × 4938271560493.9139998 = 12345678901234.7849995 (21 digits). Rounded to decimal.js's
    // default 20 digits first it would become …785 and then …79; exactly it is …78.
    const t = computeInvoice([{ quantity: d('2.5'), unitPrice: d('4938271560493.9139998'), taxRate: d(19) }], { currency: 'EUR', taxRounding: 'line' });
    assert.equal(str(new Decimal('2.5').times('4938271560493.9139998').toDecimalPlaces(2, Decimal.ROUND_HALF_UP)), '12345678901234.79');
    assert.equal(str(t.subtotal), '12345678901234.78');
  });
});

// ---- InvoiceDetailRequest ---------------------------------------------------------------------

describe('InvoiceDetailRequest (standard)', () => {
  for (const version of ['1.2.071', '1.2.037', '1.2.020']) {
    it(`validates against InvoiceDetail.dtd ${version}`, () => {
      const r = assertDtdValid(writeInvoiceDetailRequest(at(version), supplierHeader, standard), 'InvoiceDetail', version);
      assert.ok(r.dtd.endsWith(`/${version}/InvoiceDetail.dtd`));
    });
  }

  it('writes operation="delete" when asked (cancelling an invoice sent earlier), still DTD-valid', () => {
    const xml = writeInvoiceDetailRequest(ctx, supplierHeader, { ...standard, operation: 'delete' });
    assert.match(xml, /<InvoiceDetailRequestHeader invoiceID="INV-2026-0001" purpose="standard" operation="delete" /);
    assertDtdValid(xml, 'InvoiceDetail', '1.2.071');
  });

  it('matches the golden document (injected payloadID and timestamp)', () => {
    assertGolden('cxml/invoice-standard.xml', writeInvoiceDetailRequest(ctx, supplierHeader, standard));
  });

  it('writes header, items and summary in DTD order', () => {
    const xml = writeInvoiceDetailRequest(ctx, supplierHeader, standard);
    assert.ok(xml.includes('<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/InvoiceDetail.dtd">'));
    assert.deepEqual(childNames(xml, '//InvoiceDetailRequest'), ['InvoiceDetailRequestHeader', 'InvoiceDetailOrder', 'InvoiceDetailSummary']);
    assert.deepEqual(childNames(xml, '//InvoiceDetailRequestHeader'), [
      'InvoiceDetailHeaderIndicator', 'InvoiceDetailLineIndicator', 'InvoicePartner', 'InvoicePartner', 'InvoiceDetailShipping', 'PaymentTerm', 'Comments',
    ]);
    assert.match(xml, /<InvoiceDetailRequestHeader invoiceID="INV-2026-0001" purpose="standard" operation="new" invoiceDate="2026-12-03T09:00:00\+01:00">/);
    assert.match(xml, /<InvoiceDetailHeaderIndicator\/>\s*<InvoiceDetailLineIndicator isTaxInLine="yes"\/>/);
    assert.match(xml, /<Contact role="remitTo" addressID="REMIT-1">\s*<Name xml:lang="en-US">Koppel Demo GmbH<\/Name>\s*<\/Contact>\s*<IdReference identifier="DE02120300000000202051" domain="ibanID"\/>/);
    assert.match(xml, /<InvoiceDetailShipping>\s*<Contact role="shipFrom">[\s\S]*?<Contact role="shipTo">/);
    assert.match(xml, /<PaymentTerm payInNumberOfDays="30"\/>/);
    assert.deepEqual(childNames(xml, '//InvoiceDetailOrder'), ['InvoiceDetailOrderInfo', 'InvoiceDetailItem', 'InvoiceDetailItem']);
    assert.match(xml, /<InvoiceDetailOrderInfo>\s*<OrderReference orderID="PO-1001" orderDate="2026-12-01">\s*<DocumentReference payloadID="1796115600000\.po1001@buyer\.example"\/>/);
    assert.deepEqual(childNames(xml, '//InvoiceDetailItem[1]'), ['UnitOfMeasure', 'UnitPrice', 'InvoiceDetailItemReference', 'SubtotalAmount', 'Tax']);
    assert.deepEqual(childNames(xml, '//InvoiceDetailItem[1]/InvoiceDetailItemReference'), ['ItemID', 'Description']);
    assert.match(xml, /<InvoiceDetailItem invoiceLineNumber="2" quantity="2\.5">\s*<UnitOfMeasure>EA<\/UnitOfMeasure>\s*<UnitPrice>\s*<Money currency="EUR">3\.999<\/Money>/);
    assert.match(xml, /<InvoiceDetailItemReference lineNumber="2">[\s\S]*?<Description xml:lang="de-DE">Kaffee, 250 g<\/Description>/);
    assert.equal(moneyAt(xml, '//InvoiceDetailItem[1]/SubtotalAmount'), '37.50');
    assert.equal(moneyAt(xml, '//InvoiceDetailItem[1]/Tax'), '7.13');
    assert.match(xml, /<TaxDetail purpose="tax" category="vat" percentageRate="19">\s*<TaxableAmount>\s*<Money currency="EUR">37\.50<\/Money>/);
    assert.deepEqual(childNames(xml, '//InvoiceDetailSummary'), ['SubtotalAmount', 'Tax', 'ShippingAmount', 'GrossAmount', 'NetAmount', 'DueAmount']);
    const summary = ['SubtotalAmount', 'Tax', 'ShippingAmount', 'GrossAmount', 'NetAmount', 'DueAmount'].map((n) => moneyAt(xml, `//InvoiceDetailSummary/${n}`));
    assert.deepEqual(summary, ['47.50', '8.76', '4.90', '61.16', '61.16', '61.16']);
    assert.equal(node(xml, '//InvoiceDetailSummary/Tax/Description').text(), 'MwSt');
  });

  it('is read back as an InvoiceDetail document', () => {
    const { envelope } = readCxml(writeInvoiceDetailRequest(at('1.2.020'), supplierHeader, { ...standard, orders: [{ order: po1, lines: [line(1, '1', '1', 19, { itemID: { supplierPartID: 'X' } })] }] }));
    assert.deepEqual(envelope.doctype, { systemId: 'http://xml.cxml.org/schemas/cXML/1.2.020/InvoiceDetail.dtd', version: '1.2.020', file: 'InvoiceDetail.dtd' });
    assert.equal(envelope.payload.kind, 'InvoiceDetailRequest');
    assert.equal(envelope.lang, 'en-US');
  });

  it('writes Tax in the summary even when it is zero, and no line Tax when tax is not in line', () => {
    const zero: InvoiceInput = {
      ...standard,
      layout: { taxRounding: 'document', taxInLine: false, shippingInLine: false },
      shipping: undefined,
      orders: [{ order: po1, lines: [line(1, '1', '100', 0)] }],
    };
    const xml = writeInvoiceDetailRequest(ctx, supplierHeader, zero);
    assertDtdValid(xml, 'InvoiceDetail');
    assert.match(xml, /<InvoiceDetailLineIndicator\/>/);
    assert.equal(moneyAt(xml, '//InvoiceDetailSummary/Tax'), '0.00');
    assert.match(xml, /<TaxDetail purpose="tax" category="vat" percentageRate="0">/);
    assert.deepEqual(childNames(xml, '//InvoiceDetailItem'), ['UnitOfMeasure', 'UnitPrice', 'InvoiceDetailItemReference', 'SubtotalAmount']);
    assert.deepEqual(childNames(xml, '//InvoiceDetailSummary'), ['SubtotalAmount', 'Tax', 'GrossAmount', 'NetAmount', 'DueAmount']);
  });

  it('writes shipping per line when the connection says so', () => {
    const perLine: InvoiceInput = {
      ...standard,
      layout: { taxRounding: 'line', taxInLine: true, shippingInLine: true },
      shipping: undefined,
      orders: [{ order: po1, lines: [line(1, '3', '12.5', 19, { shipping: { amount: d('2.50'), taxRate: d(19) } }), line(2, '1', '5', 7)] }],
    };
    for (const version of ['1.2.071', '1.2.020']) {
      const xml = writeInvoiceDetailRequest(at(version), supplierHeader, perLine);
      assertDtdValid(xml, 'InvoiceDetail', version);
      assert.match(xml, /<InvoiceDetailLineIndicator isTaxInLine="yes" isShippingInLine="yes"\/>/);
      assert.deepEqual(childNames(xml, '//InvoiceDetailItem[1]'), ['UnitOfMeasure', 'UnitPrice', 'InvoiceDetailItemReference', 'SubtotalAmount', 'Tax', 'InvoiceDetailLineShipping']);
      assert.deepEqual(childNames(xml, '//InvoiceDetailItem[1]/InvoiceDetailLineShipping'), ['InvoiceDetailShipping', 'Money']);
      assert.ok(!childNames(xml, '//InvoiceDetailRequestHeader').includes('InvoiceDetailShipping'));
      assert.match(xml, /<TaxDetail purpose="shippingTax" category="vat" percentageRate="19">\s*<TaxableAmount>\s*<Money currency="EUR">2\.50<\/Money>\s*<\/TaxableAmount>\s*<TaxAmount>\s*<Money currency="EUR">0\.48<\/Money>/);
      assert.equal(moneyAt(xml, '//InvoiceDetailItem[1]/Tax'), '7.61');
      assert.equal(moneyAt(xml, '//InvoiceDetailSummary/ShippingAmount'), '2.50');
    }
  });

  it('serves several orders in one invoice', () => {
    const two: InvoiceInput = { ...standard, orders: [standard.orders[0]!, { order: po2, lines: [line(3, '1', '20', 19, { orderLineNumber: 1 })] }] };
    const xml = writeInvoiceDetailRequest(ctx, supplierHeader, two);
    assertDtdValid(xml, 'InvoiceDetail');
    assert.deepEqual(childNames(xml, '//InvoiceDetailRequest'), ['InvoiceDetailRequestHeader', 'InvoiceDetailOrder', 'InvoiceDetailOrder', 'InvoiceDetailSummary']);
    assert.equal(moneyAt(xml, '//InvoiceDetailSummary/SubtotalAmount'), '67.50');
  });

  it('refuses inconsistent structures (rule 31)', () => {
    const refuse = (input: InvoiceInput, pattern: RegExp) => assert.throws(() => writeInvoiceDetailRequest(ctx, supplierHeader, input), (e: unknown) => e instanceof CxmlWriteError && pattern.test(e.message));
    refuse({ ...standard, layout: { ...standard.layout, taxRounding: 'document' } }, /tax in line needs per-line rounding/);
    refuse({ ...standard, layout: { ...standard.layout, shippingInLine: true } }, /document-level shipping cannot be written/);
    refuse({ ...standard, orders: [{ order: po1, lines: [line(1, '1', '1', 19, { shipping: { amount: d(1) } })] }] }, /lines cannot carry shipping/);
    refuse({ ...standard, shipTo: undefined }, /shipFrom and shipTo go together/);
    refuse({ ...standard, orders: [] }, /at least one order/);
    refuse({ ...standard, orders: [{ order: po1, lines: [] }] }, /PO-1001 has no lines/);
    refuse({ ...standard, orders: [{ order: po1, lines: [line(1, '1', '1', 19), line(1, '1', '1', 19, { orderLineNumber: 2 })] }] }, /invoice line 1 appears more than once/);
    refuse({ ...standard, orders: [{ order: po1, lines: [line(1, '1', '1', 19), line(2, '1', '1', 19, { orderLineNumber: 1 })] }] }, /line 1 is invoiced twice/);
    refuse({ ...standard, orders: [standard.orders[0]!, { order: po1, lines: [line(9, '1', '1', 19)] }] }, /PO-1001 appears more than once/);
    refuse({ ...standard, purpose: 'debitMemo' as never }, /purpose/);
    refuse({ ...standard, orders: [{ order: po1, lines: [line(1, '1', '1', 19, { unitOfMeasure: '' })] }] }, /UnitOfMeasure/);
    assert.throws(() => writeInvoiceDetailRequest(ctx, supplierHeader, { ...standard, currency: 'EURO' }), RangeError);
  });

  it('refuses what InvoiceDetail.dtd 1.2.020 cannot carry', () => {
    const withBuyerPart = { ...standard, orders: [{ order: po1, lines: [line(1, '1', '1', 19, { itemID: { supplierPartID: 'A', buyerPartID: 'B' } })] }] };
    assert.throws(() => writeInvoiceDetailRequest(at('1.2.020'), supplierHeader, withBuyerPart), /BuyerPartID.*1\.2\.020/);
    assertDtdValid(writeInvoiceDetailRequest(at('1.2.037'), supplierHeader, withBuyerPart), 'InvoiceDetail', '1.2.037');
  });
});

describe('InvoiceDetailRequest (credit memo)', () => {
  for (const version of ['1.2.071', '1.2.020']) {
    it(`header-level creditMemo validates against InvoiceDetail.dtd ${version}`, () => {
      const r = assertDtdValid(writeInvoiceDetailRequest(at(version), supplierHeader, creditMemo), 'InvoiceDetail', version);
      assert.ok(r.dtd.endsWith(`/${version}/InvoiceDetail.dtd`));
    });
  }

  it('matches the golden document', () => {
    assertGolden('cxml/invoice-credit-memo.xml', writeInvoiceDetailRequest(ctx, supplierHeader, creditMemo));
  });

  it('is a header invoice referencing the original, with every amount negated', () => {
    const xml = writeInvoiceDetailRequest(ctx, supplierHeader, creditMemo);
    assert.match(xml, /<InvoiceDetailRequestHeader invoiceID="CM-2026-0001" purpose="creditMemo" operation="new"/);
    assert.match(xml, /<InvoiceDetailHeaderIndicator isHeaderInvoice="yes"\/>/);
    assert.deepEqual(childNames(xml, '//InvoiceDetailRequestHeader'), [
      'InvoiceDetailHeaderIndicator', 'InvoiceDetailLineIndicator', 'InvoicePartner', 'InvoicePartner', 'DocumentReference', 'InvoiceIDInfo', 'InvoiceDetailShipping', 'PaymentTerm', 'Comments',
    ]);
    assert.match(xml, /<DocumentReference payloadID="1796288400000\.inv1@koppel\.test"\/>\s*<InvoiceIDInfo invoiceID="INV-2026-0001" invoiceDate="2026-12-03"\/>/);
    assert.deepEqual(childNames(xml, '//InvoiceDetailRequest'), ['InvoiceDetailRequestHeader', 'InvoiceDetailHeaderOrder', 'InvoiceDetailSummary']);
    assert.deepEqual(childNames(xml, '//InvoiceDetailHeaderOrder'), ['InvoiceDetailOrderInfo', 'InvoiceDetailOrderSummary']);
    assert.deepEqual(childNames(xml, '//InvoiceDetailOrderSummary'), ['SubtotalAmount', 'Tax']);
    assert.equal(node(xml, '//InvoiceDetailOrderSummary').getAttribute('invoiceLineNumber')?.value(), '1');
    assert.equal(moneyAt(xml, '//InvoiceDetailOrderSummary/SubtotalAmount'), '-47.50');
    assert.equal(moneyAt(xml, '//InvoiceDetailOrderSummary/Tax'), '-7.83');
    const summary = ['SubtotalAmount', 'Tax', 'ShippingAmount', 'GrossAmount', 'NetAmount', 'DueAmount'].map((n) => moneyAt(xml, `//InvoiceDetailSummary/${n}`));
    assert.deepEqual(summary, ['-47.50', '-8.76', '-4.90', '-61.16', '-61.16', '-61.16']);
    assert.ok(!xml.includes('<InvoiceDetailItem '));
    const totals = invoiceTotals(creditMemo);
    const plain = invoiceTotals(standard);
    assert.ok(totals.due.eq(plain.due.negated()));
  });

  it('needs the original invoice', () => {
    assert.throws(() => writeInvoiceDetailRequest(ctx, supplierHeader, { ...creditMemo, originalInvoice: undefined }), /original invoice/);
    const noPayload = writeInvoiceDetailRequest(ctx, supplierHeader, { ...creditMemo, originalInvoice: { invoiceID: 'INV-2026-0001' } });
    assertDtdValid(noPayload, 'InvoiceDetail');
    assert.match(noPayload, /<InvoicePartner>[\s\S]*<\/InvoicePartner>\s*<InvoiceIDInfo invoiceID="INV-2026-0001"\/>/);
  });

  it('puts line shipping into the order summary when shipping is in line', () => {
    const memo: InvoiceInput = {
      ...creditMemo,
      layout: { taxRounding: 'line', taxInLine: false, shippingInLine: true },
      shipping: undefined,
      orders: [{ order: po1, lines: [line(1, '1', '10', 19, { shipping: { amount: d('1.25') } }), line(2, '1', '5', 19, { shipping: { amount: d('0.75') } })] }],
    };
    for (const version of ['1.2.071', '1.2.020']) {
      const xml = writeInvoiceDetailRequest(at(version), supplierHeader, memo);
      assertDtdValid(xml, 'InvoiceDetail', version);
      assert.deepEqual(childNames(xml, '//InvoiceDetailOrderSummary'), ['SubtotalAmount', 'InvoiceDetailLineShipping']);
      assert.equal(node(xml, '//InvoiceDetailOrderSummary/InvoiceDetailLineShipping/Money').text(), '-2.00');
      assert.equal(moneyAt(xml, '//InvoiceDetailSummary/DueAmount'), '-19.85');
    }
  });
});

describe('invoiced quantities (rule 31)', () => {
  const orderLines = [
    { lineNumber: 1, quantity: d(3), unitOfMeasure: 'EA' },
    { lineNumber: 2, quantity: d('2.5'), unitOfMeasure: 'EA' },
  ];
  const order = { payloadID: po1.payloadID, lines: orderLines };

  it('allows partial invoices up to the ordered quantity, ignoring other orders and memos', () => {
    const first = { ...standard, orders: [{ order: po1, lines: [line(1, '2', '12.5', 19)] }] };
    const second = { ...standard, invoiceID: 'INV-2', orders: [{ order: po1, lines: [line(1, '1', '12.5', 19), line(2, '2.5', '3.999', 7)] }, { order: po2, lines: [line(3, '99', '1', 19)] }] };
    assert.deepEqual(checkInvoicedQuantities(order, [first, second, creditMemo]), []);
  });

  it('never invoices more than ordered, and only lines of the order', () => {
    const over = { ...standard, invoiceID: 'INV-3', orders: [{ order: po1, lines: [line(1, '3', '12.5', 19)] }] };
    const p = checkInvoicedQuantities(order, [standard, over]);
    assert.deepEqual(p.map((x) => [x.code, x.lineNumber]), [['quantity.exceeded', 1]]);
    assert.match(p[0]!.message, /line 1: 6 invoiced in total, only 3 ordered/);
    const stray = { ...standard, orders: [{ order: po1, lines: [line(5, '1', '1', 19)] }] };
    assert.deepEqual(checkInvoicedQuantities(order, [stray]).map((x) => x.code), ['line.unknown']);
    const unit = { ...standard, orders: [{ order: po1, lines: [line(1, '1', '1', 19, { unitOfMeasure: 'PCE' })] }] };
    assert.deepEqual(checkInvoicedQuantities(order, [unit]).map((x) => x.code), ['uom']);
  });
});
