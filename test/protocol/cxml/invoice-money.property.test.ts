/**
 * Property tests of the invoice arithmetic and of what the InvoiceDetailRequest carries:
 * random invoices in currencies with 0, 2 and 3 minor units, checked against an independent
 * high-precision recomputation and against the amounts parsed back out of the XML.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { Header } from '../../../src/protocol/cxml/model.js';
import {
  computeInvoice,
  invoiceTotals,
  writeInvoiceDetailRequest,
  type InvoiceAmountLine,
  type InvoiceInput,
  type InvoiceLineInput,
  type InvoiceTotals,
  type ShippingCharge,
  type TaxRounding,
} from '../../../src/protocol/cxml/invoice.js';
import { readCxml } from '../../../src/protocol/cxml/reader.js';
import { assertDtdValid } from '../../helpers/dtd.js';

const MINOR: Record<string, number> = { JPY: 0, EUR: 2, BHD: 3 };

// ---- generators -------------------------------------------------------------------------------

/** n / 10^places with n in [min, max] and up to `places` decimals. */
const scaled = (min: number, max: number, places: number) =>
  fc.tuple(fc.integer({ min, max }), fc.integer({ min: 0, max: places })).map(([n, p]) => new Decimal(n).div(10 ** p));

const rate = fc.constantFrom('0', '7', '9', '19', '21', '20.5').map((r) => new Decimal(r));

const amountLine: fc.Arbitrary<InvoiceAmountLine> = fc.record({
  quantity: scaled(1, 999_999, 3),
  unitPrice: scaled(0, 99_999_999, 4),
  taxRate: rate,
  taxCategory: fc.constantFrom('vat', 'vat', 'vat', 'gst'),
});

const shippingFor = (currency: string): fc.Arbitrary<ShippingCharge | undefined> =>
  fc.option(
    fc.record({
      amount: fc.integer({ min: 0, max: 500_000 }).map((n) => new Decimal(n).div(10 ** MINOR[currency]!)),
      taxRate: fc.option(rate, { nil: undefined }),
    }),
    { nil: undefined },
  );

interface Case {
  readonly currency: string;
  readonly lines: InvoiceAmountLine[];
  readonly shipping: ShippingCharge | undefined;
}

const invoiceCase: fc.Arbitrary<Case> = fc
  .constantFrom('JPY', 'EUR', 'BHD')
  .chain((currency) => fc.record({ currency: fc.constant(currency), lines: fc.array(amountLine, { minLength: 1, maxLength: 30 }), shipping: shippingFor(currency) }));

// ---- independent oracle -----------------------------------------------------------------------

const Big = Decimal.clone({ precision: 200, rounding: Decimal.ROUND_HALF_UP });
const round = (x: Decimal, currency: string) => new Big(x).toDecimalPlaces(MINOR[currency]!, Decimal.ROUND_HALF_UP);

function oracle(c: Case, rounding: TaxRounding) {
  const subtotals = c.lines.map((l) => round(new Big(l.quantity).times(l.unitPrice), c.currency));
  const entries = c.lines.map((l, i) => ({ key: `${l.taxCategory}|${l.taxRate}`, rate: l.taxRate, net: subtotals[i]! }));
  const s = c.shipping;
  if (s?.taxRate !== undefined) entries.push({ key: `vat|${s.taxRate}`, rate: s.taxRate, net: new Big(s.amount) });
  let tax = new Big(0);
  if (rounding === 'line') {
    for (const e of entries) tax = tax.plus(round(e.net.times(e.rate).div(100), c.currency));
  } else {
    const groups = new Map<string, { rate: Decimal; net: Decimal }>();
    for (const e of entries) {
      const g = groups.get(e.key) ?? { rate: e.rate, net: new Big(0) };
      groups.set(e.key, { rate: g.rate, net: g.net.plus(e.net) });
    }
    for (const g of groups.values()) tax = tax.plus(round(g.net.times(g.rate).div(100), c.currency));
  }
  const subtotal = subtotals.reduce((t, x) => t.plus(x), new Big(0));
  return { subtotals, subtotal, tax, taxedCount: entries.length };
}

const sum = (xs: readonly Decimal[]) => xs.reduce((t, x) => t.plus(x), new Decimal(0));

function allAmounts(t: InvoiceTotals): Decimal[] {
  return [
    t.subtotal, t.shipping, t.tax, t.gross, t.discount, t.net, t.due,
    ...t.lines.flatMap((l) => [l.subtotal, l.shipping, ...(l.tax ? [l.tax] : []), ...l.taxes.flatMap((p) => [p.taxable, p.tax])]),
    ...t.taxSummary.flatMap((p) => [p.taxable, p.tax]),
  ];
}

// ---- XML parse-back ---------------------------------------------------------------------------

interface Node {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: Node[];
  text: string;
}

/** A plain element tree from saxes (no DTD is read, no entity expanded). */
function parseTree(xml: string): Node {
  const parser = new SaxesParser();
  const root: Node = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: Node[] = [root];
  let failure: Error | undefined;
  parser.on('error', (e) => {
    failure ??= e;
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const n: Node = { name: tag.name, attrs: tag.attributes, children: [], text: '' };
    stack[stack.length - 1]!.children.push(n);
    stack.push(n);
  });
  parser.on('text', (t) => {
    stack[stack.length - 1]!.text += t;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(xml).close();
  if (failure) throw failure;
  return root.children[0]!;
}

function children(n: Node, name: string): Node[] {
  return n.children.filter((c) => c.name === name);
}

function only(n: Node, ...path: string[]): Node {
  let cur = n;
  for (const name of path) {
    const found = children(cur, name);
    assert.equal(found.length, 1, `expected one <${name}> under <${cur.name}>`);
    cur = found[0]!;
  }
  return cur;
}

/** The amount of `<X><Money currency=…>` as written: currency checked, exactly the minor units. */
function money(n: Node, currency: string): Decimal {
  const m = only(n, 'Money');
  assert.equal(m.attrs.currency, currency);
  const places = MINOR[currency]!;
  const pattern = places === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${places}}$`);
  assert.match(m.text, pattern, `amount ${m.text} in ${currency}`);
  return new Decimal(m.text);
}

const supplierHeader: Header = {
  from: { credentials: [{ domain: 'DUNS', identity: 'koppel-demo' }] },
  to: { credentials: [{ domain: 'NetworkID', identity: 'AN01000000001' }] },
  sender: { credentials: [{ domain: 'DUNS', identity: 'koppel-demo', sharedSecret: 'outbound-secret' }], userAgent: 'Koppel 0.1' },
};

function invoiceInput(c: Case, rounding: TaxRounding, taxInLine: boolean, purpose: 'standard' | 'creditMemo', orders: number): InvoiceInput {
  const lines: InvoiceLineInput[] = c.lines.map((l, i) => ({
    ...l,
    invoiceLineNumber: i + 1,
    orderLineNumber: i + 1,
    unitOfMeasure: 'EA',
    itemID: { supplierPartID: `SKU-${i + 1}` },
    description: `Line ${i + 1}`,
  }));
  // Contiguous chunks per order, so the writer's flattened lines keep the case's order.
  const size = Math.ceil(lines.length / orders);
  const chunks = Array.from({ length: orders }, (_, k) => lines.slice(k * size, (k + 1) * size)).filter((x) => x.length > 0);
  return {
    invoiceID: 'INV-P',
    invoiceDate: '2026-12-03',
    purpose,
    currency: c.currency,
    layout: { taxRounding: rounding, taxInLine, shippingInLine: false },
    orders: chunks.map((chunk, k) => ({
      order: { orderID: `PO-${k + 1}`, orderDate: '2026-12-01', payloadID: `po-${k + 1}@buyer.example` },
      lines: chunk,
    })),
    shipping: c.shipping,
    originalInvoice: purpose === 'creditMemo' ? { invoiceID: 'INV-0' } : undefined,
  };
}

// ---- properties -------------------------------------------------------------------------------

describe('invoice arithmetic (property)', () => {
  it('header amounts add up from the lines, for both rounding rules', () => {
    fc.assert(
      fc.property(invoiceCase, (c) => {
        const minor = new Decimal(1).div(10 ** MINOR[c.currency]!);
        const byRule = {} as Record<TaxRounding, InvoiceTotals>;
        for (const rounding of ['line', 'document'] as const) {
          const t = computeInvoice(c.lines, { currency: c.currency, taxRounding: rounding, shipping: c.shipping });
          byRule[rounding] = t;
          const o = oracle(c, rounding);
          // subtotal = Σ line subtotals, each qty × price rounded to minor units.
          t.lines.forEach((l, i) => assert.ok(l.subtotal.eq(o.subtotals[i]!), `line ${i + 1}: ${l.subtotal} ≠ ${o.subtotals[i]}`));
          assert.ok(t.subtotal.eq(sum(t.lines.map((l) => l.subtotal))));
          assert.ok(t.subtotal.eq(o.subtotal));
          // tax: Σ rounded line taxes, or rounded once per category and rate.
          assert.ok(t.tax.eq(o.tax), `${rounding} tax ${t.tax} ≠ ${o.tax}`);
          assert.ok(t.tax.eq(sum(t.taxSummary.map((g) => g.tax))));
          const taxedShipping = c.shipping?.taxRate !== undefined ? c.shipping.amount : new Decimal(0);
          assert.ok(sum(t.taxSummary.map((g) => g.taxable)).eq(t.subtotal.plus(taxedShipping)));
          if (rounding === 'line') {
            t.lines.forEach((l) => assert.ok(l.tax!.eq(sum(l.taxes.map((p) => p.tax)))));
            const shippingTax = c.shipping?.taxRate !== undefined ? round(c.shipping.amount.times(c.shipping.taxRate).div(100), c.currency) : new Decimal(0);
            assert.ok(t.tax.eq(sum(t.lines.map((l) => l.tax!)).plus(shippingTax)));
          } else {
            assert.ok(t.lines.every((l) => l.tax === undefined && l.taxes.length === 0));
          }
          // gross = subtotal + tax + shipping; net = gross − discounts (none); due = net.
          assert.ok(t.shipping.eq(c.shipping?.amount ?? 0));
          assert.ok(t.gross.eq(t.subtotal.plus(t.tax).plus(t.shipping)));
          assert.ok(t.discount.isZero());
          assert.ok(t.net.eq(t.gross.minus(t.discount)));
          assert.ok(t.due.eq(t.net));
          // Every amount has at most the currency's minor units.
          for (const a of allAmounts(t)) assert.ok(a.decimalPlaces() <= MINOR[c.currency]!, `${a} has too many decimals for ${c.currency}`);
        }
        // The two rules never differ by more than n/2 minor units for n taxed amounts.
        const n = oracle(c, 'line').taxedCount;
        const diff = byRule.line.tax.minus(byRule.document.tax).abs();
        assert.ok(diff.lte(minor.times(n).div(2)), `line ${byRule.line.tax} vs document ${byRule.document.tax}: ${diff} > ${n}/2 minor units`);
      }),
      { numRuns: 300 },
    );
  });

  it('a credit memo is the exact negation of the standard invoice', () => {
    fc.assert(
      fc.property(invoiceCase, fc.constantFrom<TaxRounding>('line', 'document'), (c, rounding) => {
        const options = { currency: c.currency, taxRounding: rounding, shipping: c.shipping };
        const plain = allAmounts(computeInvoice(c.lines, options));
        const memo = allAmounts(computeInvoice(c.lines, { ...options, negate: true }));
        assert.equal(memo.length, plain.length);
        memo.forEach((m, i) => {
          assert.ok(m.eq(plain[i]!.negated()), `${m} is not −${plain[i]}`);
          assert.ok(!(m.isZero() && m.isNegative()), 'negative zero');
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('InvoiceDetailRequest amounts (property)', () => {
  it('the amounts in the XML parse back to the computed decimals, and the document is DTD-valid', () => {
    fc.assert(
      fc.property(
        invoiceCase,
        fc.constantFrom<TaxRounding>('line', 'document'),
        fc.boolean(),
        fc.constantFrom<'standard' | 'creditMemo'>('standard', 'creditMemo'),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom('1.2.071', '1.2.020'),
        (c, rounding, taxInLineWanted, purpose, orderCount, version) => {
          const taxInLine = rounding === 'line' && taxInLineWanted;
          const input = invoiceInput(c, rounding, taxInLine, purpose, orderCount);
          const xml = writeInvoiceDetailRequest(
            { payloadID: '1796288400000.prop@koppel.test', timestamp: new Date(Date.UTC(2026, 11, 3, 9)), version },
            supplierHeader,
            input,
          );
          const totals = invoiceTotals(input);
          const cur = c.currency;

          const request = only(parseTree(xml), 'Request', 'InvoiceDetailRequest');
          const summary = only(request, 'InvoiceDetailSummary');
          assert.ok(money(only(summary, 'SubtotalAmount'), cur).eq(totals.subtotal));
          assert.ok(money(only(summary, 'Tax'), cur).eq(totals.tax));
          assert.ok(money(only(summary, 'GrossAmount'), cur).eq(totals.gross));
          assert.ok(money(only(summary, 'NetAmount'), cur).eq(totals.net));
          assert.ok(money(only(summary, 'DueAmount'), cur).eq(totals.due));
          const shipping = children(summary, 'ShippingAmount');
          assert.equal(shipping.length, c.shipping ? 1 : 0);
          if (c.shipping) assert.ok(money(shipping[0]!, cur).eq(totals.shipping));
          const details = children(only(summary, 'Tax'), 'TaxDetail');
          assert.equal(details.length, totals.taxSummary.length);
          details.forEach((dt, i) => {
            assert.ok(money(only(dt, 'TaxAmount'), cur).eq(totals.taxSummary[i]!.tax));
            assert.ok(money(only(dt, 'TaxableAmount'), cur).eq(totals.taxSummary[i]!.taxable));
            assert.ok(new Decimal(dt.attrs.percentageRate!).eq(totals.taxSummary[i]!.rate));
          });

          if (purpose === 'standard') {
            assert.ok(totals.due.gte(0));
            const items = children(request, 'InvoiceDetailOrder').flatMap((o) => children(o, 'InvoiceDetailItem'));
            assert.equal(items.length, c.lines.length);
            items.forEach((item, i) => {
              const l = c.lines[i]!;
              assert.ok(new Decimal(item.attrs.quantity!).eq(l.quantity));
              assert.ok(new Decimal(only(item, 'UnitPrice', 'Money').text).eq(l.unitPrice));
              assert.ok(money(only(item, 'SubtotalAmount'), cur).eq(totals.lines[i]!.subtotal));
              const tax = children(item, 'Tax');
              assert.equal(tax.length, taxInLine ? 1 : 0);
              if (taxInLine) assert.ok(money(tax[0]!, cur).eq(totals.lines[i]!.tax!));
            });
          } else {
            assert.ok(totals.due.lte(0));
            assert.equal(children(request, 'InvoiceDetailOrder').length, 0);
            const orders = children(request, 'InvoiceDetailHeaderOrder');
            assert.equal(orders.length, input.orders.length);
            let next = 0;
            const orderSubtotals = orders.map((o) => money(only(o, 'InvoiceDetailOrderSummary', 'SubtotalAmount'), cur));
            input.orders.forEach((o, k) => {
              const expected = sum(o.lines.map(() => totals.lines[next++]!.subtotal));
              assert.ok(orderSubtotals[k]!.eq(expected));
            });
            assert.ok(sum(orderSubtotals).eq(totals.subtotal));
          }

          const { envelope } = readCxml(xml);
          assert.equal(envelope.payload.kind, 'InvoiceDetailRequest');
          assert.equal(envelope.doctype?.version, version);
          assertDtdValid(xml, 'InvoiceDetail', version);
        },
      ),
      { numRuns: 120 },
    );
  });
});
