/**
 * The three-way match, pure: order lines, goods receipts and supplier documents in, status and the
 * differences in words out. Most documents are built as the summaries documents.ts stores; one
 * test goes through the real invoice writer, reader and summarise() so the text formats agree.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { summarise, type InvoiceSummaryView, type SandboxDocument } from '../../../src/sandbox/documents.js';
import { threeWayMatch, type MatchResult } from '../../../src/sandbox/procurement/match.js';
import { matchSection, receiptSection } from '../../../src/sandbox/procurement/match-views.js';
import type { PurchaseOrder } from '../../../src/sandbox/procurement/model.js';
import type { GoodsReceipt, PoLine } from '../../../src/sandbox/procurement/model.js';
import { writeInvoiceDetailRequest, type InvoiceInput } from '../../../src/protocol/cxml/invoice.js';
import type { Header, InvoiceDetailRequest } from '../../../src/protocol/cxml/model.js';
import { readCxml } from '../../../src/protocol/cxml/reader.js';

function poLine(lineNumber: number, quantity: string, unitPrice: string, o: { unit?: string; currency?: string } = {}): PoLine {
  return { lineNumber, supplierPartID: `P-${lineNumber}`, description: `Item ${lineNumber}`, quantity, unit: o.unit ?? 'EA', unitPrice, currency: o.currency ?? 'EUR' };
}

let seq = 0;
function receipt(...lines: [number, string][]): GoodsReceipt {
  seq += 1;
  return {
    id: `gr-${seq}`,
    number: `GR-${seq}`,
    poId: 'po-1',
    receivedBy: 'person:sam',
    receivedOn: '2026-12-01',
    lines: lines.map(([lineNumber, quantity]) => ({ lineNumber, quantity })),
    note: '',
    createdAt: `2026-12-01T10:00:${String(seq % 60).padStart(2, '0')}.000Z`,
  };
}

type InvLine = { line?: number; qty: string; subtotal?: string; unitPrice?: string; unit?: string };

function invoice(
  invoiceID: string,
  lines: readonly InvLine[],
  o: { purpose?: string; operation?: string; status?: 'accepted' | 'refused'; subtotal?: string } = {},
): SandboxDocument {
  const content: InvoiceSummaryView = {
    kind: 'InvoiceDetailRequest',
    invoiceID,
    invoiceDate: '2026-12-02',
    purpose: o.purpose ?? 'standard',
    operation: o.operation ?? 'new',
    lines: lines.map((l, i) => ({
      invoiceLineNumber: i + 1,
      ...(l.line !== undefined ? { orderLineNumber: l.line } : {}),
      quantity: l.qty,
      unit: l.unit ?? 'EA',
      ...(l.unitPrice !== undefined ? { unitPrice: l.unitPrice } : {}),
      ...(l.subtotal !== undefined ? { subtotal: l.subtotal } : {}),
    })),
    ...(o.subtotal !== undefined ? { subtotal: o.subtotal } : {}),
  };
  return document(content, o.status ?? 'accepted');
}

function document(content: InvoiceSummaryView, status: 'accepted' | 'refused' = 'accepted'): SandboxDocument {
  seq += 1;
  return {
    id: `sd-${seq}`,
    poId: 'po-1',
    punchoutId: null,
    orderId: 'SBX-20261201-1',
    docType: 'InvoiceDetailRequest',
    payloadId: `p-${seq}`,
    status,
    detail: '',
    summary: { answer: { code: status === 'accepted' ? 200 : 417, text: '', detail: '' }, authenticated: true, content, warnings: [] },
    body: '',
    receivedAt: '2026-12-02T10:00:00.000Z',
  } as SandboxDocument;
}

const eur = (v: string) => `${v} EUR`;

function differences(m: MatchResult): string[] {
  return [...m.orderDifferences, ...m.lines.flatMap((l) => l.differences)];
}

const LINES = [poLine(1, '10', '1.95'), poLine(2, '4', '12.50', { unit: 'BOX' })];

describe('threeWayMatch', () => {
  test('clean: ordered = received = invoiced at the order price on every line', () => {
    const m = threeWayMatch({
      lines: LINES,
      receipts: [receipt([1, '6'], [2, '4']), receipt([1, '4'])],
      documents: [invoice('INV-1', [{ line: 1, qty: '10', subtotal: eur('19.50') }]), invoice('INV-2', [{ line: 2, qty: '4', subtotal: eur('50.00'), unit: 'BOX' }])],
    });
    assert.equal(m.status, 'clean', JSON.stringify(m));
    assert.deepEqual(differences(m), []);
    assert.deepEqual(
      m.lines.map((l) => [l.lineNumber, l.ordered, l.received, l.invoiced, l.orderedPrice, l.invoicedPrice, l.currency, l.unit]),
      [
        [1, '10', '10', '10', '1.95', '1.95', 'EUR', 'EA'],
        [2, '4', '4', '4', '12.50', '12.5', 'EUR', 'BOX'],
      ],
    );
  });

  test('open: nothing yet, or a partial receipt with no more invoiced than received', () => {
    const none = threeWayMatch({ lines: LINES, receipts: [], documents: [] });
    assert.equal(none.status, 'open');
    assert.equal(none.lines[0]!.invoicedPrice, undefined);
    const partial = threeWayMatch({
      lines: LINES,
      receipts: [receipt([1, '8'], [2, '4'])],
      documents: [invoice('INV-1', [{ line: 1, qty: '8', subtotal: eur('15.60') }, { line: 2, qty: '4', subtotal: eur('50.00'), unit: 'BOX' }])],
    });
    assert.equal(partial.status, 'open', JSON.stringify(partial));
    assert.deepEqual(differences(partial), []);
    // Everything received, nothing invoiced yet: still open.
    const uninvoiced = threeWayMatch({ lines: LINES, receipts: [receipt([1, '10'], [2, '4'])], documents: [] });
    assert.equal(uninvoiced.status, 'open');
  });

  test('invoiced more than received', () => {
    const m = threeWayMatch({ lines: [LINES[0]!], receipts: [receipt([1, '8'])], documents: [invoice('INV-1', [{ line: 1, qty: '10', subtotal: eur('19.50') }])] });
    assert.equal(m.status, 'differences');
    assert.deepEqual(m.lines[0]!.differences, ['invoiced 10 EA, received 8 EA']);
  });

  test('over-invoiced: more than ordered (and than received)', () => {
    const m = threeWayMatch({
      lines: [poLine(1, '4', '12.50')],
      receipts: [receipt([1, '4'])],
      documents: [invoice('INV-1', [{ line: 1, qty: '3', subtotal: eur('37.50') }]), invoice('INV-2', [{ line: 1, qty: '2', subtotal: eur('25.00') }])],
    });
    assert.equal(m.status, 'differences');
    assert.deepEqual(m.lines[0]!.differences, ['invoiced 5 EA, ordered 4 EA', 'invoiced 5 EA, received 4 EA']);
    assert.equal(m.lines[0]!.invoicedPrice, '12.5');
  });

  test('received more than ordered', () => {
    const m = threeWayMatch({ lines: [LINES[0]!], receipts: [receipt([1, '10']), receipt([1, '2'])], documents: [] });
    assert.equal(m.status, 'differences');
    assert.deepEqual(m.lines[0]!.differences, ['received 12 EA, ordered 10 EA']);
  });

  test('price difference, in the order currency, rounded to the ordered precision plus 2 places', () => {
    const m = threeWayMatch({ lines: [LINES[0]!], receipts: [receipt([1, '10'])], documents: [invoice('INV-1', [{ line: 1, qty: '10', subtotal: eur('21.00') }])] });
    assert.equal(m.status, 'differences');
    assert.deepEqual(m.lines[0]!.differences, ['invoiced at 2.10 EUR, ordered at 1.95 EUR']);
    assert.equal(m.lines[0]!.invoicedPrice, '2.1');
    // Less than a cent per unit still shows: 19.54 for 10 is 1.954 each.
    const subCent = threeWayMatch({ lines: [LINES[0]!], receipts: [receipt([1, '10'])], documents: [invoice('INV-1', [{ line: 1, qty: '10', subtotal: eur('19.54') }])] });
    assert.deepEqual(subCent.lines[0]!.differences, ['invoiced at 1.954 EUR, ordered at 1.95 EUR']);
    // A quotient that does not terminate is rounded (10.00 for 3 at 3.3333 → 3.3333).
    const third = threeWayMatch({ lines: [poLine(1, '3', '3.33')], receipts: [receipt([1, '3'])], documents: [invoice('INV-1', [{ line: 1, qty: '3', subtotal: eur('10.00') }])] });
    assert.deepEqual(third.lines[0]!.differences, ['invoiced at 3.3333 EUR, ordered at 3.33 EUR']);
  });

  test('a price with more places than cents: each invoice line rounded as money is still matches', () => {
    const lines = [poLine(1, '3', '1.955')];
    // 1.96 + 1.96 + 1.96 (each 1 × 1.955 rounded half up) average 1.96, not 1.955: still the order's price.
    const m = threeWayMatch({
      lines,
      receipts: [receipt([1, '3'])],
      documents: ['A', 'B', 'C'].map((x) => invoice(`INV-${x}`, [{ line: 1, qty: '1', subtotal: eur('1.96') }])),
    });
    assert.equal(m.status, 'clean', JSON.stringify(m));
    const wrong = threeWayMatch({ lines, receipts: [receipt([1, '3'])], documents: [invoice('INV-1', [{ line: 1, qty: '3', subtotal: eur('5.88') }])] });
    assert.deepEqual(wrong.lines[0]!.differences, ['invoiced at 1.96 EUR, ordered at 1.955 EUR']);
  });

  test('an invoice line without a subtotal is priced from its unit price', () => {
    const m = threeWayMatch({ lines: [LINES[0]!], receipts: [receipt([1, '10'])], documents: [invoice('INV-1', [{ line: 1, qty: '10', unitPrice: eur('1.95') }])] });
    assert.equal(m.status, 'clean', JSON.stringify(m));
  });

  test('a credit memo brings an over-invoiced line back to clean (positive or negative figures alike)', () => {
    const base = { lines: [LINES[0]!], receipts: [receipt([1, '10'])] };
    const over = invoice('INV-1', [{ line: 1, qty: '12', subtotal: eur('23.40') }]);
    assert.equal(threeWayMatch({ ...base, documents: [over] }).status, 'differences');
    const memos = [
      invoice('CM-1', [{ line: 1, qty: '2', subtotal: eur('3.90') }], { purpose: 'lineLevelCreditMemo' }),
      invoice('CM-2', [{ line: 1, qty: '-2', subtotal: eur('-3.90') }], { purpose: 'lineLevelCreditMemo' }),
      // Coupa's form: a standard invoice with negative quantities.
      invoice('CM-3', [{ line: 1, qty: '-2', subtotal: eur('-3.90') }]),
    ];
    for (const memo of memos) {
      const m = threeWayMatch({ ...base, documents: [over, memo] });
      assert.equal(m.status, 'clean', `${memo.summary.content && (memo.summary.content as InvoiceSummaryView).invoiceID}: ${JSON.stringify(m)}`);
      assert.equal(m.lines[0]!.invoiced, '10');
      assert.equal(m.lines[0]!.invoicedPrice, '1.95');
    }
    // Credited more than was invoiced.
    const tooMuch = threeWayMatch({ ...base, documents: [invoice('CM-4', [{ line: 1, qty: '1', subtotal: eur('1.95') }], { purpose: 'creditMemo' })] });
    assert.equal(tooMuch.status, 'differences');
    assert.deepEqual(tooMuch.lines[0]!.differences, ['credited more than was invoiced (-1 EA on balance)']);
  });

  test('a header-level credit memo (sums only) is an order difference', () => {
    const m = threeWayMatch({
      lines: [LINES[0]!],
      receipts: [receipt([1, '10'])],
      documents: [invoice('INV-1', [{ line: 1, qty: '10', subtotal: eur('19.50') }]), invoice('CM-1', [], { purpose: 'creditMemo', subtotal: eur('-5.00') })],
    });
    assert.equal(m.status, 'differences');
    assert.deepEqual(m.orderDifferences, ['credit memo CM-1 over -5.00 EUR names no line of the order; its amount is not in the lines below']);
    assert.deepEqual(m.lines[0]!.differences, []);
  });

  test('a line removed by a change: fine while nothing arrives for it, a difference when something does', () => {
    const lines = [LINES[0]!, poLine(2, '0', '12.50')];
    const full = { receipts: [receipt([1, '10'])], documents: [invoice('INV-1', [{ line: 1, qty: '10', subtotal: eur('19.50') }])] };
    const m = threeWayMatch({ lines, ...full });
    assert.equal(m.status, 'clean', JSON.stringify(m));
    assert.equal(m.lines[1]!.ordered, '0');
    const late = threeWayMatch({ lines, receipts: [...full.receipts, receipt([2, '1'])], documents: full.documents });
    assert.equal(late.status, 'differences');
    assert.deepEqual(late.lines[1]!.differences, ['received 1 EA, ordered 0 EA']);
  });

  test('invoices with operation delete and refused documents count for nothing', () => {
    const m = threeWayMatch({
      lines: [LINES[0]!],
      receipts: [receipt([1, '10'])],
      documents: [
        invoice('INV-1', [{ line: 1, qty: '10', subtotal: eur('19.50') }]),
        invoice('INV-1', [{ line: 1, qty: '10', subtotal: eur('19.50') }], { operation: 'delete' }),
        invoice('INV-9', [{ line: 1, qty: '5', subtotal: eur('50.00') }], { status: 'refused' }),
      ],
    });
    assert.equal(m.status, 'clean', JSON.stringify(m));
    assert.equal(m.lines[0]!.invoiced, '10');
  });

  test('an invoice voided by a later delete counts for nothing', () => {
    const first = invoice('INV-1', [{ line: 1, qty: '10', subtotal: eur('19.50') }]);
    const del = invoice('INV-1', [{ line: 1, qty: '10', subtotal: eur('19.50') }], { operation: 'delete' });
    const voiding = { ...del, summary: { ...del.summary, voids: first.id } };
    const m = threeWayMatch({ lines: [LINES[0]!], receipts: [receipt([1, '10'])], documents: [first, voiding] });
    assert.equal(m.status, 'open', JSON.stringify(m));
    assert.equal(m.lines[0]!.invoiced, '0');
  });

  test('an invoice in another currency', () => {
    const m = threeWayMatch({ lines: [LINES[0]!], receipts: [receipt([1, '10'])], documents: [invoice('INV-1', [{ line: 1, qty: '10', subtotal: '21.20 USD' }])] });
    assert.equal(m.status, 'differences');
    assert.deepEqual(m.lines[0]!.differences, ['invoice INV-1 bills 21.20 USD; the order is in EUR']);
    assert.equal(m.lines[0]!.invoicedPrice, undefined);
    assert.equal(m.lines[0]!.invoiced, '10');
  });

  test('an invoice in another unit', () => {
    const m = threeWayMatch({ lines: [LINES[0]!], receipts: [receipt([1, '10'])], documents: [invoice('INV-1', [{ line: 1, qty: '10', subtotal: eur('19.50'), unit: 'BOX' }])] });
    assert.deepEqual(m.lines[0]!.differences, ['invoiced in BOX, ordered in EA']);
  });

  test('invoice lines naming no line of the order are order differences', () => {
    const m = threeWayMatch({
      lines: [LINES[0]!],
      receipts: [receipt([1, '10'])],
      documents: [invoice('INV-1', [{ line: 1, qty: '10', subtotal: eur('19.50') }, { line: 7, qty: '1', subtotal: eur('5.00') }, { qty: '1', subtotal: eur('2.00') }])],
    });
    assert.equal(m.status, 'differences');
    assert.deepEqual(m.orderDifferences, ['invoice INV-1 line 2 is for line 7, which is not a line of the order', 'invoice INV-1 line 3 names no line of the order']);
    assert.deepEqual(m.lines[0]!.differences, []);
  });

  test('a real invoice and a real header-level credit memo, written, read and summarised as the sandbox stores them', () => {
    const header: Header = {
      from: { credentials: [{ domain: 'NetworkID', identity: 'SUPPLIER' }] },
      to: { credentials: [{ domain: 'NetworkID', identity: 'BUYER' }] },
      sender: { credentials: [{ domain: 'NetworkID', identity: 'SUPPLIER', sharedSecret: 's' }], userAgent: 'test' },
    };
    const order = { orderID: 'SBX-20261201-1', orderDate: '2026-12-01', payloadID: 'order-1@sandbox' };
    const layout = { taxRounding: 'line', taxInLine: true, shippingInLine: false } as const;
    const inv: InvoiceInput = {
      invoiceID: 'INV-REAL-1',
      invoiceDate: '2026-12-02',
      purpose: 'standard',
      currency: 'EUR',
      layout,
      orders: [
        {
          order,
          lines: [
            { invoiceLineNumber: 1, orderLineNumber: 1, quantity: new Decimal(10), unitPrice: new Decimal('1.95'), taxRate: new Decimal(19), unitOfMeasure: 'EA', description: 'Item 1' },
            { invoiceLineNumber: 2, orderLineNumber: 2, quantity: new Decimal(4), unitPrice: new Decimal('12.50'), taxRate: new Decimal(19), unitOfMeasure: 'BOX', description: 'Item 2' },
          ],
        },
      ],
    };
    const real = (input: InvoiceInput, n: number) => {
      const xml = writeInvoiceDetailRequest({ payloadID: `inv-${n}@supplier`, timestamp: new Date('2026-12-02T12:00:00Z'), version: '1.2.071', offsetMinutes: 60 }, header, input);
      return document(summarise(readCxml(xml).envelope.payload as InvoiceDetailRequest) as InvoiceSummaryView);
    };
    const receipts = [receipt([1, '10'], [2, '4'])];
    const m = threeWayMatch({ lines: LINES, receipts, documents: [real(inv, 1)] });
    assert.equal(m.status, 'clean', JSON.stringify(m));
    const memo: InvoiceInput = {
      ...inv,
      invoiceID: 'CM-REAL-1',
      purpose: 'creditMemo',
      orders: [{ order, lines: [{ invoiceLineNumber: 1, orderLineNumber: 1, quantity: new Decimal(1), unitPrice: new Decimal('5.00'), taxRate: new Decimal(19), unitOfMeasure: 'EA', description: 'Damaged' }] }],
      originalInvoice: { invoiceID: 'INV-REAL-1' },
    };
    const after = threeWayMatch({ lines: LINES, receipts, documents: [real(inv, 1), real(memo, 2)] });
    assert.equal(after.status, 'differences');
    assert.deepEqual(after.orderDifferences, ['credit memo CM-REAL-1 over -5.00 EUR names no line of the order; its amount is not in the lines below']);
  });

  test('property: receipts and invoices equal to the order are clean; one more invoiced unit is a difference', () => {
    const arbLine = fc.record({
      units: fc.integer({ min: 0, max: 5000 }),
      places: fc.integer({ min: 0, max: 3 }),
      cents: fc.integer({ min: 1, max: 100000 }),
      split: fc.double({ min: 0, max: 1, noNaN: true }),
      invoiceSplit: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(arbLine, { minLength: 1, maxLength: 6 }), fc.nat(), (specs, pick) => {
        const lines = specs.map((s, i) => poLine(i + 1, new Decimal(s.units).dividedBy(10 ** s.places).toFixed(), new Decimal(s.cents).dividedBy(100).toFixed(2)));
        // Each line received in two receipts and invoiced on two invoices, split at random.
        const parts = (s: (typeof specs)[number], at: number): [Decimal, Decimal] => {
          const first = new Decimal(Math.floor(s.units * at)).dividedBy(10 ** s.places);
          return [first, new Decimal(s.units).dividedBy(10 ** s.places).minus(first)];
        };
        const r1: [number, string][] = [];
        const r2: [number, string][] = [];
        const i1: InvLine[] = [];
        const i2: InvLine[] = [];
        specs.forEach((s, i) => {
          const price = new Decimal(lines[i]!.unitPrice);
          const [a, b] = parts(s, s.split);
          const [c, d] = parts(s, s.invoiceSplit);
          if (!a.isZero()) r1.push([i + 1, a.toFixed()]);
          if (!b.isZero()) r2.push([i + 1, b.toFixed()]);
          // Amounts as the summaries write them: exact here (2-place prices, ≤ 3-place quantities).
          if (!c.isZero()) i1.push({ line: i + 1, qty: c.toFixed(), subtotal: eur(price.times(c).toFixed(Math.max(2, price.times(c).decimalPlaces()))) });
          if (!d.isZero()) i2.push({ line: i + 1, qty: d.toFixed(), subtotal: eur(price.times(d).toFixed(Math.max(2, price.times(d).decimalPlaces()))) });
        });
        const receipts = [receipt(...r1), receipt(...r2)];
        // An invoice without lines would be a header-level memo: only those with lines are sent.
        const documents = [i1, i2].filter((l) => l.length > 0).map((l, i) => invoice(`INV-${i}`, l));
        const m = threeWayMatch({ lines, receipts, documents });
        assert.equal(m.status, 'clean', JSON.stringify(m));

        const k = pick % lines.length;
        const extra = invoice('INV-X', [{ line: k + 1, qty: '1', subtotal: eur(lines[k]!.unitPrice) }]);
        const more = threeWayMatch({ lines, receipts, documents: [...documents, extra] });
        assert.equal(more.status, 'differences', JSON.stringify(more));
        assert.ok(more.lines[k]!.differences.some((x) => x.startsWith('invoiced ')), JSON.stringify(more.lines[k]));
      }),
      { numRuns: 300 },
    );
  });
});

describe('match and receipt sections', () => {
  const done = { receipts: [receipt([1, '10'], [2, '4'])], documents: [invoice('INV-1', [{ line: 1, qty: '10', subtotal: eur('19.50') }, { line: 2, qty: '4', subtotal: eur('50.00'), unit: 'BOX' }])] };

  test('the badge and the words', () => {
    const clean = matchSection(threeWayMatch({ lines: LINES, ...done })).toString();
    assert.match(clean, /<span class="badge ok">Match clean<\/span>/);
    assert.match(clean, /<td class="num nowrap">12\.50 EUR<\/td>/, 'prices with the currency\'s minor units');
    const open = matchSection(threeWayMatch({ lines: LINES, receipts: [receipt([1, '4'])], documents: [] })).toString();
    assert.match(open, /<span class="badge muted">Open<\/span>/);
    assert.match(open, /Still to come: line 1: 6 EA to receive; line 1: 10 EA to invoice; line 2: 4 BOX to receive; line 2: 4 BOX to invoice\./);
    const diff = matchSection(
      threeWayMatch({ lines: LINES, receipts: done.receipts, documents: [...done.documents, invoice('INV-2', [{ line: 7, qty: '1', subtotal: eur('1.00') }])] }),
    ).toString();
    assert.match(diff, /<span class="badge error">Differences<\/span>/);
    assert.match(diff, /<li>invoice INV-2 line 1 is for line 7, which is not a line of the order<\/li>/);
  });

  test('a cancelled order: "Cancelled", nothing still to come; the comparison stays when goods or invoices came', () => {
    const nothing = matchSection(threeWayMatch({ lines: LINES, receipts: [], documents: [] }), 'cancelled').toString();
    assert.match(nothing, /<span class="badge muted">Cancelled<\/span>/);
    assert.match(nothing, /The order was cancelled; nothing more is expected\./);
    assert.doesNotMatch(nothing, /Still to come|Open/);
    const some = matchSection(threeWayMatch({ lines: LINES, receipts: [receipt([1, '4'])], documents: [] }), 'cancelled').toString();
    assert.match(some, /<span class="badge muted">Cancelled<\/span>/);
    assert.match(some, /<table class="table match">/, 'what came is still compared');
    assert.doesNotMatch(some, /Still to come|none so far/);
  });

  test('the receipt form is offered for open orders only, prefilled with what is outstanding', () => {
    const po = { id: 'po-1', orderId: 'SBX-1', status: 'open' } as PurchaseOrder;
    const open = receiptSection(po, LINES, [receipt([1, '4'])], undefined).toString();
    assert.match(open, /action="\/sandbox\/orders\/po-1\/receipts"/);
    assert.match(open, /<input name="qty-1" value="6"/);
    assert.match(open, /<input name="qty-2" value="4"/);
    const typed = receiptSection(po, LINES, [], { values: { 'qty-1': '"x"', 'qty-2': '' }, problems: [{ field: 'qty-1', message: 'Line 1: no.' }, { field: 'lines', message: 'At least one line.' }] }).toString();
    assert.match(typed, /<input name="qty-1" value="&quot;x&quot;"[^>]* aria-invalid="true" aria-describedby="qty-1-problem">/);
    assert.match(typed, /<span class="field-problem" id="qty-1-problem">Line 1: no\.<\/span>/);
    assert.match(typed, /<input name="qty-2" value=""/);
    assert.match(typed, /<span class="field-problem">At least one line\.<\/span>/);
    const closed = receiptSection({ ...po, status: 'cancelled' }, LINES, [], undefined).toString();
    assert.ok(!closed.includes('<form'), closed);
    assert.match(closed, /this one is cancelled/);
  });
});
