/**
 * How the sandbox books supplier invoices against the budget, over real HTTP (POST /sandbox/cxml)
 * for re-order purchase orders placed with Koppel's own /cxml: a duplicate invoice number is
 * refused, a delete voids the earlier invoice and reverses its booking once, a credit memo is
 * booked only against an invoice of the order and never beyond it, mixed currencies and cancelled
 * orders are accepted but not booked — each "not booked" says why on the document and the budget.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Decimal } from 'decimal.js';
import { parseXml, type XMLElement } from 'libxmljs';
import { writeInvoiceDetailRequest, type InvoiceInput } from '../../../src/protocol/cxml/invoice.js';
import type { Header, InvoiceDetailRequest } from '../../../src/protocol/cxml/model.js';
import { readCxml } from '../../../src/protocol/cxml/reader.js';
import type { WriteContext } from '../../../src/protocol/cxml/writer.js';
import { documentsForPurchaseOrder, negativeCharge, orderedLines, orderProgress, planInvoice } from '../../../src/sandbox/documents.js';
import { requisitionLedger } from '../../../src/sandbox/procurement/budgets.js';
import { threeWayMatch } from '../../../src/sandbox/procurement/match.js';
import type { ProcurementError, ProcurementDeps, PurchaseOrder, Requisition } from '../../../src/sandbox/procurement/model.js';
import { cancelPurchaseOrder, changePurchaseOrder, findPurchaseOrder, messagesFor, poLines } from '../../../src/sandbox/procurement/purchase-orders.js';
import { createRequisition, submitRequisition } from '../../../src/sandbox/procurement/requisitions.js';
import { defaultSettings } from '../../../src/sandbox/settings.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
let products: { sku: string; name: string; unit: string; price: string }[];

function deps(): ProcurementDeps {
  return { db: t.store.db, config: t.ctx.config, now: () => new Date(), fetch };
}

function supplierHeader(): Header {
  return {
    from: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO' }] },
    to: { credentials: [{ domain: 'NetworkID', identity: 'DEMO-BUYER' }] },
    sender: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO', sharedSecret: 'demo-secret' }], userAgent: 'tests (supplier)' },
  };
}

function wctx(): WriteContext {
  return { payloadID: `${Date.now()}.${randomBytes(6).toString('hex')}@supplier.test`, timestamp: new Date(), version: '1.2.071' };
}

before(async () => {
  t = await startTestApp({ config: { secretKey: randomBytes(32).toString('base64') } });
  const rows = await t.store.db.selectFrom('products').selectAll().where('currency', '=', 'EUR').where('stock', '>', 0).orderBy('sku').limit(2).execute();
  assert.equal(rows.length, 2);
  products = rows.map((r) => ({ sku: r.sku, name: r.name, unit: r.unit, price: r.price }));
});

after(async () => {
  await t.close();
});

/** A re-order of `quantities` (one line each product), approved, committed and ordered. */
async function ordered(quantities: string[], supplier = defaultSettings(t.baseUrl)): Promise<{ req: Requisition; po: PurchaseOrder }> {
  const lines = quantities.map((quantity, i) => {
    const p = products[i]!;
    return { line: i + 1, supplierPartID: p.sku, description: p.name, quantity, unit: p.unit, unitPrice: p.price, lineTotal: new Decimal(p.price).times(quantity).toDecimalPlaces(2).toFixed(2), currency: 'EUR' };
  });
  const draft = await createRequisition(deps(), { source: 'reorder', title: 'Invoice booking', requesterId: 'sam', costCenter: '1000', lines, currency: 'EUR', supplier }, 'system');
  const req = await submitRequisition(deps(), draft.id, 'system');
  assert.ok(req.poId, req.status);
  return { req, po: (await findPurchaseOrder(t.store.db, req.poId))! };
}

async function invoiceXml(po: PurchaseOrder, invoiceID: string, o: { purpose?: 'standard' | 'creditMemo'; original?: string; quantity?: string; operation?: 'new' | 'delete' } = {}): Promise<string> {
  const [sent] = await messagesFor(t.store.db, po.id);
  const ref = { orderID: po.orderId, orderDate: new Date(), payloadID: sent!.payloadId };
  const input: InvoiceInput = {
    invoiceID,
    invoiceDate: new Date(Date.now() - 60_000),
    purpose: o.purpose ?? 'standard',
    ...(o.operation ? { operation: o.operation } : {}),
    currency: 'EUR',
    layout: { taxRounding: 'line', taxInLine: true, shippingInLine: false },
    ...(o.original ? { originalInvoice: { invoiceID: o.original } } : {}),
    orders: [
      {
        order: ref,
        lines: poLines(po).map((l, i) => ({
          invoiceLineNumber: i + 1,
          orderLineNumber: l.lineNumber,
          quantity: new Decimal(o.quantity ?? l.quantity),
          unitPrice: new Decimal(l.unitPrice),
          taxRate: new Decimal(19),
          unitOfMeasure: l.unit,
          description: l.description,
        })),
      },
    ],
  };
  return writeInvoiceDetailRequest(wctx(), supplierHeader(), input);
}

/**
 * The invoice as a supplier might send it with every amount negative ("credit" sent as a standard
 * invoice), or with every line's quantity set — edited through the DOM (the writer refuses both).
 */
function tampered(xml: string, o: { negateMoney?: boolean; quantity?: string }): string {
  const doc = parseXml(xml);
  if (o.negateMoney) for (const m of doc.find('//InvoiceDetailRequest//Money') as XMLElement[]) m.text(new Decimal(m.text()).negated().toFixed());
  if (o.quantity !== undefined) for (const item of doc.find('//InvoiceDetailItem') as XMLElement[]) item.attr({ quantity: o.quantity });
  return doc.toString();
}

async function post(xml: string): Promise<{ code: number; text: string }> {
  const res = await fetch(`${t.baseUrl}/sandbox/cxml`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body: xml });
  const status = (readCxml(await res.text()).envelope.payload as { status?: { code: number; text?: string; message?: string } }).status;
  return { code: status?.code ?? 0, text: JSON.stringify(status) };
}

/** Σ actual spend booked for the order. */
async function spent(po: PurchaseOrder): Promise<string> {
  const rows = await t.store.db.selectFrom('sandbox_budget_entries').select('amount').where('po_id', '=', po.id).where('kind', '=', 'actual').execute();
  return rows.reduce((s, r) => s.plus(r.amount), new Decimal(0)).toFixed(2);
}

async function budgetEvents(req: Requisition): Promise<string[]> {
  const rows = await t.store.db.selectFrom('sandbox_events').select(['kind', 'text']).where('subject_type', '=', 'budget').where('text', 'like', `%${req.number}%`).orderBy('created_at').execute();
  return rows.map((r) => `${r.kind}: ${r.text}`);
}

async function warningsOf(po: PurchaseOrder, invoiceID: string): Promise<string[]> {
  const docs = await documentsForPurchaseOrder(t.store.db, po.id);
  return docs.filter((d) => d.summary.content?.kind === 'InvoiceDetailRequest' && d.summary.content.invoiceID === invoiceID).flatMap((d) => d.summary.warnings);
}

function net(po: PurchaseOrder): string {
  return poLines(po).reduce((s, l) => s.plus(new Decimal(l.unitPrice).times(l.quantity).toDecimalPlaces(2)), new Decimal(0)).toFixed(2);
}

describe('invoices against the budget', () => {
  test('the same invoice number again under a new payloadID is refused (409, naming it and when the first came) and booked once', async () => {
    const { po } = await ordered(['2']);
    assert.equal((await post(await invoiceXml(po, 'INV-DUP'))).code, 200);
    const again = await post(await invoiceXml(po, 'INV-DUP'));
    assert.equal(again.code, 409, again.text);
    assert.match(again.text, /INV-DUP/);
    const first = (await documentsForPurchaseOrder(t.store.db, po.id)).find((d) => d.status === 'accepted')!;
    assert.ok(again.text.includes(first.receivedAt), again.text);
    assert.equal(await spent(po), net(po));
    const docs = await documentsForPurchaseOrder(t.store.db, po.id);
    assert.deepEqual(docs.map((d) => d.status), ['accepted', 'refused']);
  });

  test('an invoice number differing only in case or surrounding spaces is the same invoice: refused, booked once; its delete voids it', async () => {
    const { po } = await ordered(['2']);
    assert.equal((await post(await invoiceXml(po, 'INV-Case'))).code, 200);
    for (const other of ['inv-case', ' INV-CASE ']) {
      const again = await post(await invoiceXml(po, other));
      assert.equal(again.code, 409, `${JSON.stringify(other)}: ${again.text}`);
      assert.match(again.text, /as \\"INV-Case\\"/);
    }
    assert.equal(await spent(po), net(po));
    // The original text is kept as it came.
    const docs = await documentsForPurchaseOrder(t.store.db, po.id);
    assert.deepEqual(docs.map((d) => (d.summary.content?.kind === 'InvoiceDetailRequest' ? d.summary.content.invoiceID.trim() : '')), ['INV-Case', 'inv-case', 'INV-CASE']);
    assert.equal((await post(await invoiceXml(po, 'inv-case', { operation: 'delete' }))).code, 200);
    assert.equal(await spent(po), '0.00');
    // Re-issued after the delete, in yet another spelling: booked once more.
    assert.equal((await post(await invoiceXml(po, 'INV-CASE'))).code, 200);
    assert.equal(await spent(po), net(po));
  });

  test('credit memos naming the invoice in another case find it, and together never credit more than it booked', async () => {
    const { po } = await ordered(['2']);
    assert.equal((await post(await invoiceXml(po, 'INV-CM'))).code, 200);
    assert.equal((await post(await invoiceXml(po, 'CM-A', { purpose: 'creditMemo', original: 'inv-cm', quantity: '1000' }))).code, 200);
    assert.equal(await spent(po), '0.00', 'credited in full against INV-CM');
    assert.equal((await post(await invoiceXml(po, 'CM-B', { purpose: 'creditMemo', original: 'INV-CM', quantity: '1000' }))).code, 200);
    assert.equal(await spent(po), '0.00', 'a second memo spelt otherwise gets nothing more');
    assert.match((await warningsOf(po, 'CM-B')).join(' '), /credited in full already/);
  });

  test('a delete voids the invoice: match and progress no longer count it, the budget reverses it once; an unknown delete books nothing', async () => {
    const { req, po } = await ordered(['2']);
    const before = (await requisitionLedger(t.store.db, req.id))!;
    const xml = await invoiceXml(po, 'INV-DEL');
    assert.equal((await post(xml)).code, 200);
    assert.equal(await spent(po), net(po));
    assert.equal((await post(await invoiceXml(po, 'INV-DEL', { operation: 'delete' }))).code, 200);
    assert.equal(await spent(po), '0.00');
    const after = (await requisitionLedger(t.store.db, req.id))!;
    assert.equal(after.committed.toFixed(2), before.committed.toFixed(2), 'the commitment is back');

    const docs = await documentsForPurchaseOrder(t.store.db, po.id);
    const match = threeWayMatch({ lines: poLines(po), receipts: [], documents: docs });
    assert.equal(match.lines[0]!.invoiced, '0');
    assert.equal(orderProgress(orderedLines(po), docs)[0]!.invoiced.toFixed(), '0');

    // The same delete again (new payloadID): nothing left to void, nothing booked.
    assert.equal((await post(await invoiceXml(po, 'INV-DEL', { operation: 'delete' }))).code, 200);
    assert.equal(await spent(po), '0.00');
    const rows = await t.store.db.selectFrom('sandbox_budget_entries').select('dedupe_key').where('po_id', '=', po.id).where('kind', '=', 'actual').execute();
    assert.equal(rows.length, 2, 'the invoice and its reversal');

    // A delete for an invoice never received: accepted with a warning, nothing booked.
    assert.equal((await post(await invoiceXml(po, 'INV-NEVER', { operation: 'delete' }))).code, 200);
    assert.match((await warningsOf(po, 'INV-NEVER')).join(' '), /not received/);
    assert.equal(await spent(po), '0.00');

    // Re-issued after the delete: accepted and booked again.
    assert.equal((await post(await invoiceXml(po, 'INV-DEL'))).code, 200);
    assert.equal(await spent(po), net(po));
    assert.match((await budgetEvents(req)).join('\n'), /reversed: Invoice INV-DEL deleted/);
  });

  test('a credit memo books only against an invoice of the order, capped by what it booked', async () => {
    const { req, po } = await ordered(['2']);
    // Against an invoice that never came: accepted, not booked, said on the document and the budget.
    const orphan = await post(await invoiceXml(po, 'CM-0', { purpose: 'creditMemo', original: 'NEVER-SENT', quantity: '1000' }));
    assert.equal(orphan.code, 200, orphan.text);
    assert.equal(await spent(po), '0.00');
    assert.match((await warningsOf(po, 'CM-0')).join(' '), /NEVER-SENT/);
    assert.match((await budgetEvents(req)).join('\n'), /not booked: Credit memo CM-0 for .*: not booked: it names invoice NEVER-SENT/);

    assert.equal((await post(await invoiceXml(po, 'INV-C'))).code, 200);
    const invoiced = new Decimal(net(po));
    // Far more than was invoiced: the budget gets back what the invoice booked, no more.
    assert.equal((await post(await invoiceXml(po, 'CM-1', { purpose: 'creditMemo', original: 'INV-C', quantity: '1000' }))).code, 200);
    assert.equal(await spent(po), '0.00');
    assert.match((await warningsOf(po, 'CM-1')).join(' '), /only .* of invoice INV-C is left to credit/);
    assert.ok(invoiced.isPositive());
    // Credited in full already.
    assert.equal((await post(await invoiceXml(po, 'CM-2', { purpose: 'creditMemo', original: 'INV-C', quantity: '1' }))).code, 200);
    assert.equal(await spent(po), '0.00');
    assert.match((await budgetEvents(req)).join('\n'), /CM-2 .*not booked: invoice INV-C is credited in full already/);
  });

  test('an invoice for a cancelled order is accepted, not booked, and says so', async () => {
    const { req, po } = await ordered(['1']);
    await cancelPurchaseOrder(deps(), po.id, 'person:sam', 'not needed');
    assert.equal((await findPurchaseOrder(t.store.db, po.id))!.status, 'cancelled');
    const answer = await post(await invoiceXml(po, 'INV-CXL'));
    assert.equal(answer.code, 200, answer.text);
    assert.equal(await spent(po), '0.00');
    assert.match((await warningsOf(po, 'INV-CXL')).join(' '), /invoice for a cancelled order/);
    assert.match((await budgetEvents(req)).join('\n'), /not booked: invoice for a cancelled order/);
    const page = await (await fetch(`${t.baseUrl}/sandbox/orders/${po.id}`)).text();
    assert.match(page, /invoice for a cancelled order/);
  });

  test('an order with an accepted invoice cannot be cancelled, nor lowered below it; once the invoice is deleted it can', async () => {
    const { req, po } = await ordered(['2']);
    assert.equal((await post(await invoiceXml(po, 'INV-KEEP', { quantity: '1' }))).code, 200);
    await assert.rejects(cancelPurchaseOrder(deps(), po.id, 'person:sam', 'too late'), (e: ProcurementError) => e.status === 409 && /cannot be cancelled: invoice INV-KEEP accepted/.test(e.message));
    assert.deepEqual((await messagesFor(t.store.db, po.id)).map((m) => m.type), ['new'], 'no delete sent');
    assert.equal((await findPurchaseOrder(t.store.db, po.id))!.status, 'open');
    await assert.rejects(changePurchaseOrder(deps(), po.id, new Map([[1, '0.5']]), 'person:sam'), (e: ProcurementError) => e.field === 'qty-1' && /1 \S+ invoiced already/.test(e.message));
    // A later invoice is still booked: the spend stays on the budget.
    assert.equal(await spent(po), new Decimal(poLines(po)[0]!.unitPrice).toFixed(2));
    assert.equal((await post(await invoiceXml(po, 'INV-KEEP', { quantity: '1', operation: 'delete' }))).code, 200);
    assert.equal((await cancelPurchaseOrder(deps(), po.id, 'person:sam', 'invoice withdrawn')).status, 'cancelled');
    assert.equal((await requisitionLedger(t.store.db, req.id))!.committed.toFixed(), '0');
  });

  test('an order the supplier never answered but invoiced is not cancelled locally either', async () => {
    const { po } = await ordered(['1'], { ...defaultSettings(t.baseUrl), cxmlUrl: 'http://127.0.0.1:1/cxml' });
    assert.equal(po.status, 'failed');
    assert.equal((await post(await invoiceXml(po, 'INV-LOST'))).code, 200);
    await assert.rejects(cancelPurchaseOrder(deps(), po.id, 'person:sam', 'supplier gone'), (e: ProcurementError) => e.status === 409 && /invoice INV-LOST accepted/.test(e.message));
    assert.equal((await findPurchaseOrder(t.store.db, po.id))!.status, 'failed');
  });

  test('an invoice while a cancellation is being sent: 560 (temporary, so suppliers retry) and nothing booked; the same document again once it settled is decided afresh', async () => {
    const { po } = await ordered(['1']);
    const at = new Date().toISOString();
    // The state cancelPurchaseOrder leaves while the supplier has not answered yet.
    const messageId = `pm-test-${randomBytes(4).toString('hex')}`;
    await t.store.db
      .insertInto('sandbox_po_messages')
      .values({ id: messageId, po_id: po.id, type: 'delete', version: 2, payload_id: `cancel-${po.id}@test`, xml: '<cXML/>', status: 'sending', attempts: 1, exchange: null, created_at: at, updated_at: at })
      .execute();
    const xml = await invoiceXml(po, 'INV-RACE');
    const first = await post(xml);
    assert.equal(first.code, 560, first.text);
    assert.match(first.text, new RegExp(`A cancellation of purchase order ${po.orderId} is being sent to you right now; this is temporary: send the invoice again`));
    assert.equal(await spent(po), '0.00');
    // A credit memo or a delete books no spend: not held up.
    assert.notEqual((await post(await invoiceXml(po, 'INV-RACE-CR', { purpose: 'creditMemo', original: 'INV-NONE' }))).code, 560);
    // The supplier refused the cancellation: the retry (same payloadID, same bytes) is accepted and booked.
    await t.store.db.updateTable('sandbox_po_messages').set({ status: 'rejected' }).where('id', '=', messageId).execute();
    const retry = await post(xml);
    assert.equal(retry.code, 200, retry.text);
    assert.equal(await spent(po), net(po));
  });

  test('a standard invoice with negative amounts is refused (400 naming the field) and books nothing', async () => {
    const { req, po } = await ordered(['2']);
    const before = (await requisitionLedger(t.store.db, req.id))!;
    const negative = await post(tampered(await invoiceXml(po, 'INV-NEG'), { negateMoney: true }));
    assert.equal(negative.code, 400, negative.text);
    assert.match(negative.text, /A standard invoice charges; its amounts cannot be negative: InvoiceDetailItem invoiceLineNumber=\\"1\\" UnitPrice is -\d/);
    assert.match(negative.text, /send a credit memo/);
    const byQuantity = await post(tampered(await invoiceXml(po, 'INV-NEG-Q'), { quantity: '-2' }));
    assert.equal(byQuantity.code, 400, byQuantity.text);
    // (The reader refuses a negative quantity already.)
    assert.match(byQuantity.text, /quantity.*-2/);
    assert.equal(await spent(po), '0.00');
    assert.equal((await requisitionLedger(t.store.db, req.id))!.committed.toFixed(), before.committed.toFixed());
    const docs = await documentsForPurchaseOrder(t.store.db, po.id);
    assert.deepEqual(docs.map((d) => [d.summary.content?.kind === 'InvoiceDetailRequest' ? d.summary.content.invoiceID : '', d.status]), [['INV-NEG', 'refused']]);
    // The refused number is free: the real invoice is accepted and booked.
    assert.equal((await post(await invoiceXml(po, 'INV-NEG'))).code, 200);
    assert.equal(await spent(po), net(po));
  });

  test('negativeCharge: standard and debit memos must not be negative; credit memos and deletes are not checked (pure)', async () => {
    const { po } = await ordered(['1']);
    const negative = readCxml(tampered(await invoiceXml(po, 'INV-N'), { negateMoney: true })).envelope.payload as InvoiceDetailRequest;
    assert.match(negativeCharge(negative)!, /UnitPrice is -\d.* \(and \d+ more\)/);
    assert.match(negativeCharge({ ...negative, purpose: 'debitMemo' })!, /A debitMemo invoice charges/);
    assert.match(negativeCharge({ ...negative, purpose: 'lineLevelDebitMemo' })!, /A lineLevelDebitMemo invoice charges/);
    assert.equal(negativeCharge({ ...negative, purpose: 'lineLevelCreditMemo' }), undefined);
    assert.equal(negativeCharge({ ...negative, purpose: 'creditMemo' }), undefined);
    assert.equal(negativeCharge({ ...negative, operation: 'delete' }), undefined);
    const plain = readCxml(await invoiceXml(po, 'INV-P')).envelope.payload as InvoiceDetailRequest;
    assert.equal(negativeCharge(plain), undefined);
    // Only the header total negative (lines fine) is named too.
    const due = { ...plain, summary: { ...plain.summary, due: { amount: new Decimal('-5.00'), currency: 'EUR', raw: '-5.00' } } } as InvoiceDetailRequest;
    assert.match(negativeCharge(due)!, /InvoiceDetailSummary DueAmount is -5/);
  });

  test('an invoice whose lines are in different currencies is not booked (pure plan)', async () => {
    const { po } = await ordered(['1', '1']);
    const doc = readCxml(await invoiceXml(po, 'INV-MIX')).envelope.payload as InvoiceDetailRequest;
    const lines = doc.orders[0]!.lines;
    const mixed: InvoiceDetailRequest = { ...doc, orders: [{ ...doc.orders[0]!, lines: [lines[0]!, { ...lines[1]!, subtotal: { amount: new Decimal('1000.00'), currency: 'USD', raw: '1000.00' } }] }] };
    const plan = planInvoice(mixed, po, [], new Map());
    assert.equal(plan.book, undefined);
    assert.equal(plan.notBooked, 'mixed currencies');
    assert.match(plan.warnings.join(' '), /EUR, USD/);
    // The same invoice in one currency is booked.
    assert.ok(planInvoice(doc, po, [], new Map()).book);
  });
});
