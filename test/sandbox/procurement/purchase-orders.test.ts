/**
 * Purchase orders of the buyer sandbox against a real Koppel over real HTTP: Koppel's own /cxml
 * endpoint (the demo-cxml connection) is the supplier. Requisitions are re-orders (no punchout),
 * so every OrderRequest here is built from requisition lines.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Decimal } from 'decimal.js';
import { writeConfirmationRequest } from '../../../src/protocol/cxml/fulfil.js';
import { writeInvoiceDetailRequest, type InvoiceInput } from '../../../src/protocol/cxml/invoice.js';
import type { Header, OrderRequest } from '../../../src/protocol/cxml/model.js';
import { readCxml } from '../../../src/protocol/cxml/reader.js';
import type { WriteContext } from '../../../src/protocol/cxml/writer.js';
import { receiveSupplierDocument } from '../../../src/sandbox/documents.js';
import { requisitionLedger } from '../../../src/sandbox/procurement/budgets.js';
import { eventsFor } from '../../../src/sandbox/procurement/history.js';
import { ProcurementError, type ProcurementDeps, type PurchaseOrder, type Requisition, type RequisitionLine } from '../../../src/sandbox/procurement/model.js';
import {
  cancelPurchaseOrder,
  changePurchaseOrder,
  findPurchaseOrder,
  messagesFor,
  placePurchaseOrder,
  poLines,
  resendMessage,
} from '../../../src/sandbox/procurement/purchase-orders.js';
import { findPerson } from '../../../src/sandbox/procurement/people.js';
import { cancelRequisition, createRequisition, findRequisition, submitRequisition } from '../../../src/sandbox/procurement/requisitions.js';
import { defaultSettings, type SandboxSettings } from '../../../src/sandbox/settings.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { assertDtdValid } from '../../helpers/dtd.js';

let t: TestApp;
let products: { sku: string; name: string; unit: string; price: string; currency: string; unspsc: string }[];
/** Every OrderRequest body the sandbox posted, in order. */
let posted: { url: string; body: string }[] = [];
/** The next posts to fail at the network level. */
let failNext = 0;

const fetchSpy: typeof fetch = async (input, init) => {
  posted.push({ url: String(input), body: String(init?.body ?? '') });
  if (failNext > 0) {
    failNext -= 1;
    throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
  }
  return fetch(input, init);
};

function deps(): ProcurementDeps {
  return { db: t.store.db, config: t.ctx.config, now: () => new Date(), fetch: fetchSpy };
}

function line(n: number, quantity: string): RequisitionLine {
  const p = products[n - 1]!;
  return {
    line: n,
    supplierPartID: p.sku,
    description: p.name,
    quantity,
    unit: p.unit,
    unitPrice: p.price,
    lineTotal: new Decimal(p.price).times(quantity).toDecimalPlaces(2).toFixed(2),
    currency: p.currency,
    ...(p.unspsc ? { classification: { domain: 'UNSPSC', code: p.unspsc } } : {}),
  };
}

/** A re-order requisition (auto-approved up to 1000 EUR), submitted: approved, committed, ordered. */
async function orderedReorder(lines: RequisitionLine[], supplier: SandboxSettings = defaultSettings(t.baseUrl)): Promise<{ req: Requisition; po: PurchaseOrder }> {
  const draft = await createRequisition(deps(), { source: 'reorder', title: 'Re-order test', requesterId: 'sam', costCenter: '1000', lines, currency: 'EUR', supplier }, 'system');
  const req = await submitRequisition(deps(), draft.id, 'system');
  assert.ok(req.poId, `the requisition has a purchase order (${req.status})`);
  return { req, po: (await findPurchaseOrder(t.store.db, req.poId))! };
}

async function koppelOrder(orderID: string) {
  const order = await t.store.db.selectFrom('orders').selectAll().where('connection_id', '=', 'demo-cxml').where('order_id', '=', orderID).executeTakeFirst();
  const lines = order ? await t.store.db.selectFrom('order_lines').selectAll().where('order_id', '=', order.id).orderBy('line_number').execute() : [];
  return { order, lines };
}

function supplierHeader(): Header {
  return {
    from: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO' }] },
    to: { credentials: [{ domain: 'NetworkID', identity: 'DEMO-BUYER' }] },
    sender: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO', sharedSecret: 'demo-secret' }], userAgent: 'tests (supplier)' },
  };
}

function wctx(): WriteContext {
  return { payloadID: `${Date.now()}.${randomBytes(4).toString('hex')}@supplier.test`, timestamp: new Date(), version: '1.2.071' };
}

before(async () => {
  t = await startTestApp({ config: { secretKey: randomBytes(32).toString('base64') } });
  const rows = await t.store.db.selectFrom('products').selectAll().where('currency', '=', 'EUR').where('stock', '>', 0).orderBy('sku').limit(3).execute();
  assert.equal(rows.length, 3);
  products = rows.map((r) => ({ sku: r.sku, name: r.name, unit: r.unit, price: r.price, currency: r.currency, unspsc: r.unspsc }));
});

after(async () => {
  await t.close();
});

describe('placing', () => {
  test('a re-order without punchout becomes a DTD-valid OrderRequest `new` that Koppel stores', async () => {
    posted = [];
    const { req, po } = await orderedReorder([line(1, '2'), line(2, '3')]);
    assert.equal(po.status, 'open');
    assert.match(po.orderId, /^SBX-\d{8}-\d+$/);
    assert.equal(po.requisitionId, req.id);
    assert.equal(po.punchoutId, null);
    assert.equal((await findRequisition(t.store.db, req.id))!.status, 'ordered');

    assert.equal(posted.length, 1);
    assertDtdValid(posted[0]!.body, 'cXML');
    const sent = readCxml(posted[0]!.body).envelope;
    const order = sent.payload as OrderRequest;
    assert.equal(order.header.type, 'new');
    assert.equal(order.header.orderID, po.orderId);
    assert.deepEqual(order.items.map((i) => [i.lineNumber, i.itemID.supplierPartID, i.quantity.toFixed()]), [
      [1, products[0]!.sku, '2'],
      [2, products[1]!.sku, '3'],
    ]);
    assert.equal(order.items[0]!.itemDetail?.unitPrice.amount.toFixed(), new Decimal(products[0]!.price).toFixed());
    assert.deepEqual(order.header.extrinsics.find((e) => e.name === 'CostCenter')?.value, '1000');
    assert.equal(sent.header?.sender.credentials[0]?.sharedSecret, 'demo-secret');

    const [message] = await messagesFor(t.store.db, po.id);
    assert.equal(message!.type, 'new');
    assert.equal(message!.status, 'accepted');
    assert.equal(message!.payloadId, sent.payloadID);
    assert.ok(!message!.xml.includes('demo-secret') && !po.orderXml.includes('demo-secret'), 'the stored copies hide the SharedSecret');
    assertDtdValid(message!.xml, 'cXML');

    const k = await koppelOrder(po.orderId);
    assert.ok(k.order, 'Koppel stored the order');
    assert.equal(k.lines.length, 2);
    assert.deepEqual(poLines(po).map((l) => [l.lineNumber, l.quantity]), [
      [1, '2'],
      [2, '3'],
    ]);
  });

  /** A requisition as the final approval leaves it just before it places the order: approved, no order yet. */
  async function approvedWithoutOrder(title: string): Promise<Requisition> {
    const draft = await createRequisition(deps(), { source: 'reorder', title, requesterId: 'sam', costCenter: '1000', lines: [line(1, '1')], currency: 'EUR', supplier: defaultSettings(t.baseUrl) }, 'system');
    await t.store.db.updateTable('sandbox_requisitions').set({ status: 'approved' }).where('id', '=', draft.id).execute();
    return (await findRequisition(t.store.db, draft.id))!;
  }

  test('placing twice (a double press) sends one order', async () => {
    const req = await approvedWithoutOrder('Twice');
    posted = [];
    const [a, b] = await Promise.all([placePurchaseOrder(deps(), req, 'system'), placePurchaseOrder(deps(), req, 'system')]);
    assert.equal(a.id, b.id);
    assert.equal(posted.length, 1);
    assert.equal((await t.store.db.selectFrom('sandbox_purchase_orders').select('id').where('requisition_id', '=', req.id).execute()).length, 1);
  });

  test('a requisition cancelled between approval and placing gets no order: nothing is sent, it stays cancelled', async () => {
    const approved = await approvedWithoutOrder('Cancelled meanwhile');
    // The racy order: approval read the requisition, then it was cancelled, then the order is placed.
    await cancelRequisition(deps(), approved.id, (await findPerson(t.store.db, 'sam'))!, 'not needed after all');
    posted = [];
    await assert.rejects(placePurchaseOrder(deps(), approved, 'system'), (e: ProcurementError) => {
      assert.equal(e.status, 409);
      assert.match(e.message, new RegExp(`Requisition ${approved.number} is cancelled, no longer approved: no purchase order was placed and nothing was sent`));
      return true;
    });
    assert.equal(posted.length, 0);
    const after = (await findRequisition(t.store.db, approved.id))!;
    assert.equal(after.status, 'cancelled');
    assert.equal(after.poId, null);
    assert.equal((await t.store.db.selectFrom('sandbox_purchase_orders').select('id').where('requisition_id', '=', approved.id).execute()).length, 0);
  });

  test('a 4xx answer makes the order rejected, for good', async () => {
    posted = [];
    const { po } = await orderedReorder([line(1, '1')], { ...defaultSettings(t.baseUrl), sharedSecret: 'wrong-secret' });
    assert.equal(po.status, 'rejected');
    const [message] = await messagesFor(t.store.db, po.id);
    assert.equal(message!.status, 'rejected');
    assert.equal(message!.exchange?.statusCode, 401);
    await assert.rejects(resendMessage(deps(), po.id), ProcurementError);
    assert.equal(posted.length, 1);
    assert.equal((await koppelOrder(po.orderId)).order, undefined);
  });

  test('a network failure leaves the order failed; Resend sends the byte-identical document', async () => {
    posted = [];
    failNext = 1;
    const { po } = await orderedReorder([line(3, '1')]);
    assert.equal(po.status, 'failed');
    assert.equal((await messagesFor(t.store.db, po.id))[0]!.status, 'failed');
    // Two presses at once: one resend. The second press finds the message being sent (and does
    // nothing) or, when it reads after the first has finished, already accepted (409, nothing sent).
    const presses = await Promise.allSettled([resendMessage(deps(), po.id), resendMessage(deps(), po.id)]);
    const again = presses.find((r) => r.status === 'fulfilled')!.value;
    for (const r of presses) if (r.status === 'rejected') assert.ok(r.reason instanceof ProcurementError && r.reason.status === 409, String(r.reason));
    assert.equal(posted.length, 2);
    assert.equal(posted[0]!.body, posted[1]!.body, 'the same payloadID, timestamp and content');
    const done = (await findPurchaseOrder(t.store.db, again.id))!;
    assert.equal(done.status, 'open');
    const [message] = await messagesFor(t.store.db, po.id);
    assert.equal(message!.status, 'accepted');
    assert.equal(message!.attempts, 2);
    assert.ok((await koppelOrder(po.orderId)).order);
  });
});

describe('changing and cancelling', () => {
  test('a change goes as update version 2 with the DocumentReference; Koppel takes the new quantity', async () => {
    const { req, po } = await orderedReorder([line(1, '2'), line(2, '3')]);
    const [first] = await messagesFor(t.store.db, po.id);
    posted = [];
    const changed = await changePurchaseOrder(deps(), po.id, new Map([[1, '5'], [2, '0']]), 'person:sam');
    assert.equal(changed.version, 2);
    assert.equal(posted.length, 1);
    assertDtdValid(posted[0]!.body, 'cXML');
    const update = readCxml(posted[0]!.body).envelope.payload as OrderRequest;
    assert.equal(update.header.type, 'update');
    assert.equal(update.header.orderVersion, 2);
    assert.equal(update.header.documentReference, first!.payloadId);
    assert.deepEqual(update.items.map((i) => [i.lineNumber, i.quantity.toFixed()]), [[1, '5']]);
    const expected = new Decimal(products[0]!.price).times(5).toDecimalPlaces(2);
    assert.equal(update.header.total.amount.toFixed(2), expected.toFixed(2));
    assert.equal(changed.total, expected.toFixed(2));
    assert.deepEqual(poLines(changed).map((l) => [l.lineNumber, l.quantity]), [[1, '5']]);

    const k = await koppelOrder(po.orderId);
    assert.equal(k.order?.order_version, 2);
    assert.equal(new Decimal(k.lines.find((l) => l.line_number === 1)!.quantity).toFixed(), '5');
    // The commitment follows the order.
    assert.equal((await requisitionLedger(t.store.db, req.id))!.committed.toFixed(2), expected.toFixed(2));

    // Bad input: nothing sent.
    posted = [];
    await assert.rejects(changePurchaseOrder(deps(), po.id, new Map([[1, 'abc']]), 'person:sam'), (e: ProcurementError) => e.status === 422 && e.field === 'qty-1');
    await assert.rejects(changePurchaseOrder(deps(), po.id, new Map([[9, '1']]), 'person:sam'), (e: ProcurementError) => e.status === 422);
    // Past the approvals the re-order had (automatic only): refused before sending.
    await assert.rejects(changePurchaseOrder(deps(), po.id, new Map([[1, '100000']]), 'person:sam'), (e: ProcurementError) => e.status === 409 && /needs approval by approver and finance/.test(e.message));
    assert.equal(posted.length, 0);
    assert.equal((await findPurchaseOrder(t.store.db, po.id))!.version, 2);
  });

  test('two changes at once: one is sent, the other refused', async () => {
    const { po } = await orderedReorder([line(1, '2')]);
    posted = [];
    const results = await Promise.allSettled([
      changePurchaseOrder(deps(), po.id, new Map([[1, '3']]), 'person:sam', po.version),
      changePurchaseOrder(deps(), po.id, new Map([[1, '4']]), 'person:sam', po.version),
    ]);
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof ProcurementError && r.reason.status === 409, String(r.reason));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal(posted.length, 1);
    assert.equal((await messagesFor(t.store.db, po.id)).length, 2);
  });

  test('a cancellation goes as delete; Koppel cancels, the order is cancelled and the budget released', async () => {
    const { req, po } = await orderedReorder([line(2, '1')]);
    posted = [];
    const cancelled = await cancelPurchaseOrder(deps(), po.id, 'person:sam', 'Not needed after all');
    assert.equal(cancelled.status, 'cancelled');
    const del = readCxml(posted[0]!.body).envelope.payload as OrderRequest;
    assert.equal(del.header.type, 'delete');
    assert.equal(del.header.orderVersion, 2);
    assertDtdValid(posted[0]!.body, 'cXML');
    assert.equal((await koppelOrder(po.orderId)).order?.status, 'cancelled');
    assert.equal((await requisitionLedger(t.store.db, req.id))!.committed.toFixed(), '0');
    // The requisition no longer reads "ordered": cancelled with the order, and says why.
    assert.equal((await findRequisition(t.store.db, req.id))!.status, 'cancelled');
    const reqEvents = await eventsFor(t.store.db, [{ type: 'requisition', id: req.id }]);
    assert.ok(reqEvents.some((e) => e.kind === 'cancelled' && e.text === `Purchase order ${po.orderId} cancelled, so this requisition is cancelled too.`));
    const match = (await (await fetch(`${t.baseUrl}/sandbox/orders/${po.id}`)).text()).split('id="match"')[1]!;
    assert.match(match, /<span class="badge muted">Cancelled<\/span>/);
    assert.match(match, /The order was cancelled; nothing more is expected\./);
    assert.doesNotMatch(match, /Still to come/);
    await assert.rejects(changePurchaseOrder(deps(), po.id, new Map([[1, '2']]), 'person:sam'), ProcurementError);
  });
});

describe('documents matched to purchase orders', () => {
  test('a confirmation and an invoice for a re-order PO are matched; the invoice is booked once even when posted twice', async () => {
    const { req, po } = await orderedReorder([line(1, '4')]);
    const [sent] = await messagesFor(t.store.db, po.id);
    const ref = { orderID: po.orderId, orderDate: new Date(), payloadID: sent!.payloadId };
    const confirmation = writeConfirmationRequest(wctx(), supplierHeader(), { type: 'accept', confirmID: 'C-RE-1', noticeDate: new Date(), order: ref });
    const c = await receiveSupplierDocument(t.store.db, confirmation, { now: new Date() });
    assert.equal(c.code, 200, c.detail);
    const row = await t.store.db.selectFrom('sandbox_documents').selectAll().where('id', '=', c.documentId).executeTakeFirstOrThrow();
    assert.equal(row.po_id, po.id);
    assert.equal(row.punchout_id, null);

    const price = new Decimal(products[0]!.price);
    const invoice: InvoiceInput = {
      invoiceID: 'INV-RE-1',
      invoiceDate: new Date(),
      purpose: 'standard',
      currency: 'EUR',
      layout: { taxRounding: 'line', taxInLine: true, shippingInLine: false },
      orders: [{ order: ref, lines: [{ invoiceLineNumber: 1, orderLineNumber: 1, quantity: new Decimal(4), unitPrice: price, taxRate: new Decimal(19), unitOfMeasure: products[0]!.unit, description: products[0]!.name }] }],
    };
    const xml = writeInvoiceDetailRequest(wctx(), supplierHeader(), invoice);
    // Over real HTTP, twice.
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${t.baseUrl}/sandbox/cxml`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml });
      const status = readCxml(await res.text()).envelope.payload as { status?: { code: number } };
      assert.equal(status.status?.code, 200);
    }
    const entries = await t.store.db.selectFrom('sandbox_budget_entries').selectAll().where('po_id', '=', po.id).where('kind', '=', 'actual').execute();
    assert.equal(entries.length, 1, 'booked once');
    const net = price.times(4).toDecimalPlaces(2);
    assert.equal(new Decimal(entries[0]!.amount).toFixed(2), net.toFixed(2));
    const ledger = (await requisitionLedger(t.store.db, req.id))!;
    assert.equal(ledger.spent.toFixed(2), net.toFixed(2));
    assert.equal(ledger.committed.toFixed(2), '0.00');

    // The order page shows the documents and the messages.
    const page = await (await fetch(`${t.baseUrl}/sandbox/orders/${po.id}`)).text();
    assert.match(page, /C-RE-1/);
    assert.match(page, /INV-RE-1/);
    assert.match(page, /Received by the supplier \(cXML 200\)/);
    assert.ok(!page.includes('demo-secret'));
  });

  test('a document naming the payloadID of a change message finds the order too', async () => {
    const { po } = await orderedReorder([line(1, '2')]);
    await changePurchaseOrder(deps(), po.id, new Map([[1, '3']]), 'person:sam');
    const [, update] = await messagesFor(t.store.db, po.id);
    const doc = writeConfirmationRequest(wctx(), supplierHeader(), { type: 'accept', confirmID: 'C-UPD', noticeDate: new Date(), order: { orderID: 'not-our-number', orderDate: new Date(), payloadID: update!.payloadId } });
    const answer = await receiveSupplierDocument(t.store.db, doc, { now: new Date() });
    assert.equal(answer.code, 200, answer.detail);
  });
});

describe('pages', () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  test('the list and the order page; change, cancel and resend forms post back', async () => {
    const { po } = await orderedReorder([line(1, '2'), line(2, '1')]);
    const list = await (await fetch(`${t.baseUrl}/sandbox/orders`)).text();
    assert.ok(list.includes(`/sandbox/orders/${po.id}`));
    assert.ok(list.includes(po.orderId));

    const page = await (await fetch(`${t.baseUrl}/sandbox/orders/${po.id}`)).text();
    assert.match(page, /name="qty-1" value="2"/);
    assert.match(page, /<span>Reason \(required; the supplier sees it\)<\/span>/);
    assert.match(page, /<button type="submit" class="button secondary danger">Cancel the order<\/button>/);
    assert.doesNotMatch(page, /Complete|Change or cancel anyway/, 'nothing received yet: not complete');

    const bad = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/change`, { method: 'POST', redirect: 'manual', headers: form, body: 'version=1&qty-1=lots&qty-2=1' });
    assert.equal(bad.status, 422);
    const badPage = await bad.text();
    assert.match(badPage, /name="qty-1" value="lots"/, 'the typed value comes back');
    assert.match(badPage, /is not a quantity/);

    assert.match(page, /action="\/sandbox\/orders\/[^"]+\/change"><input type="hidden" name="version" value="1">/);
    assert.match(page, /action="\/sandbox\/orders\/[^"]+\/cancel"><input type="hidden" name="version" value="1">/);
    const ok = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/change`, { method: 'POST', redirect: 'manual', headers: form, body: 'version=1&qty-1=3&qty-2=1' });
    assert.equal(ok.status, 303);
    assert.equal((await findPurchaseOrder(t.store.db, po.id))!.version, 2);

    assert.match(page, /name="was-1" value="2"/, 'the form says what it showed');

    // A second tab still showing version 1 (line 1 at 2, line 2 at 1) raises line 2 to 4: nothing
    // is sent; the form comes back with the current line 1 (3) and only this person's edit kept.
    const sent = (await messagesFor(t.store.db, po.id)).length;
    const stale = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/change`, { method: 'POST', redirect: 'manual', headers: form, body: 'version=1&qty-1=2&was-1=2&qty-2=4&was-2=1' });
    assert.equal(stale.status, 409);
    const stalePage = await stale.text();
    assert.match(stalePage, /was changed since this page was shown \(it was version 1, it is now version 2\); nothing was sent\. The change form shows the current quantities with your own edits \(line 2 → 4\)\. Send it again if still needed\./);
    assert.match(stalePage, /name="qty-1" value="3"/, 'the other tab\'s change is not undone');
    assert.match(stalePage, /name="qty-2" value="4"/);
    assert.match(stalePage, /name="version" value="2"/, 'the page now offers the current version');
    const staleCancel = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/cancel`, { method: 'POST', redirect: 'manual', headers: form, body: 'version=1&reason=changed+my+mind' });
    assert.equal(staleCancel.status, 409);
    assert.match(await staleCancel.text(), /name="reason" value="changed my mind"/);
    // A form from the future or without the version (an old page, a script) sends nothing either.
    const future = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/change`, { method: 'POST', redirect: 'manual', headers: form, body: 'version=7&qty-1=5&qty-2=1' });
    assert.equal(future.status, 409);
    assert.match(await future.text(), /The form names version 7 of purchase order \S+, which is at version 2; nothing was sent\. Reload the page\./);
    const bare = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/change`, { method: 'POST', redirect: 'manual', headers: form, body: 'qty-1=5&qty-2=1' });
    assert.equal(bare.status, 400);
    assert.match(await bare.text(), /Nothing was sent: the form did not say which version of the order it was filled in on\. Reload the page/);
    assert.equal((await messagesFor(t.store.db, po.id)).length, sent, 'nothing more was sent');
    assert.equal((await findPurchaseOrder(t.store.db, po.id))!.version, 2);
    // Sent again from the page it came back on: both changes hold.
    const resent = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/change`, { method: 'POST', redirect: 'manual', headers: form, body: 'version=2&qty-1=3&was-1=3&qty-2=4&was-2=1' });
    assert.equal(resent.status, 303);
    const v3 = (await findPurchaseOrder(t.store.db, po.id))!;
    assert.equal(v3.version, 3);
    assert.deepEqual(poLines(v3).map((l) => [l.lineNumber, l.quantity]), [[1, '3'], [2, '4']]);

    const noReason = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/cancel`, { method: 'POST', redirect: 'manual', headers: form, body: 'version=3&reason=' });
    assert.equal(noReason.status, 422);
    const resend = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/resend`, { method: 'POST', redirect: 'manual', headers: form, body: '' });
    assert.equal(resend.status, 409);
    assert.equal((await fetch(`${t.baseUrl}/sandbox/orders/po-unknown`)).status, 404);
  });
});
