/**
 * Documents the buyer refused (or the outbox gave up on) stop counting; "retry" makes them count
 * again only if the rules still hold. Also: one confirmation per order version and invoice prices
 * from the current one, credit memos on cancelled and closed orders, shipping taxed like the
 * goods, and no shipment or invoice dated before its order. Orders arrive over real HTTP, the
 * outbox delivers to a real local buyer.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { postCxml } from '../helpers/cxml.js';
import { newOrderId, orderXml, type TestOrder } from '../helpers/orders.js';
import { claimDue, deliverClaimed } from '../../src/jobs/outbox.js';
import { closeOrder, createConfirmation, createCreditMemo, createInvoice, createShipNotice, retryOrderDocument } from '../../src/app/order-documents.js';
import { orderEvents } from '../../src/app/order-events.js';
import type { Actor, CreateDocumentResult } from '../../src/app/order-model.js';
import type { StoredOptions } from '../../src/domain/connection.js';

const actor: Actor = { kind: 'admin', name: 'alice' };
let t: TestApp;
let buyer: http.Server;
/** What the buyer answers next: a cXML status code and text. */
let answer: { code: number; text: string } = { code: 200, text: 'OK' };
/** Document numbers the buyer refuses (checked before `answer`). */
const refuseNumbers = new Set<string>();

function cxmlAnswer(code: number, text: string): string {
  return `<?xml version="1.0"?><!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd"><cXML payloadID="a@buyer" timestamp="2026-12-03T10:00:00Z"><Response><Status code="${code}" text="${code === 200 ? 'OK' : 'Expectation Failed'}">${text}</Status></Response></cXML>`;
}

async function setOptions(patch: Record<string, unknown>): Promise<void> {
  const row = await t.store.db.selectFrom('connections').select('options').where('id', '=', 'demo-cxml').executeTakeFirstOrThrow();
  const o = JSON.parse(row.options) as StoredOptions;
  await t.store.db
    .updateTable('connections')
    .set({ options: JSON.stringify({ ...o, cxml: { ...(o.cxml ?? {}), ...patch } }) })
    .where('id', '=', 'demo-cxml')
    .execute();
}

async function place(o: TestOrder): Promise<string> {
  const a = await postCxml(t.baseUrl, orderXml(o).xml);
  assert.equal(a.status.code, 200, a.text);
  return (await t.store.db.selectFrom('orders').select('id').where('order_id', '=', o.orderID).executeTakeFirstOrThrow()).id;
}

function ok(r: CreateDocumentResult): Extract<CreateDocumentResult, { ok: true }> {
  assert.ok(r.ok, `refused: ${r.ok ? '' : r.problems.join('; ')}`);
  return r;
}

function refused(r: { ok: boolean; problems?: readonly string[] }, re: RegExp): void {
  assert.equal(r.ok, false, 'expected a refusal');
  assert.ok((r.problems ?? []).some((p) => re.test(p)), `no problem matches ${re}: ${(r.problems ?? []).join(' | ')}`);
}

/** Delivers every due row once, as a worker would (maxAttempts 1: a retry verdict is final). */
async function deliverAll(maxAttempts = 5): Promise<void> {
  const rows = await claimDue(t.ctx, { owner: 'w', limit: 100, leaseMs: 60_000 });
  for (const row of rows) {
    await deliverClaimed(t.ctx, row, { owner: 'w', settings: { maxAttempts, baseDelayMs: 1, maxDelayMs: 1, requestTimeoutMs: 5000 }, secrets: { outboundSecret: () => 'sekrit' } });
  }
}

async function figures(orderId: string) {
  const lines = await t.store.db.selectFrom('order_lines').selectAll().where('order_id', '=', orderId).orderBy('line_number').execute();
  return lines.map((l) => [l.confirmed_quantity, l.rejected_quantity, l.shipped_quantity, l.invoiced_quantity, l.invoiced_amount]);
}

async function status(orderId: string): Promise<string> {
  return (await t.store.db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow()).status;
}

async function documentState(id: string): Promise<string> {
  return (await t.store.db.selectFrom('order_documents').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;
}

before(async () => {
  buyer = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      // An invoice whose own number is in `refuseNumbers` is refused whatever `answer` says (a memo
      // names the invoice it credits too, but not in its header's first attribute).
      const refusedHere = [...refuseNumbers].some((n) => body.includes(`<InvoiceDetailRequestHeader invoiceID="${n}"`));
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(refusedHere ? cxmlAnswer(417, 'Unknown invoice') : cxmlAnswer(answer.code, answer.text));
    });
  });
  await new Promise<void>((r) => buyer.listen(0, '127.0.0.1', () => r()));
  t = await startTestApp();
  await setOptions({ documentUrl: `http://127.0.0.1:${(buyer.address() as AddressInfo).port}/cxml`, taxRatePercent: '19', taxRounding: 'line' });
});

after(async () => {
  await t?.close();
  buyer?.close();
});

beforeEach(async () => {
  answer = { code: 200, text: 'OK' };
  refuseNumbers.clear();
  await deliverAll(); // nothing of an earlier test left in the queue
});

describe('a document the buyer refused no longer counts', () => {
  test('refused ship notice and invoice: figures taken back, status recomputed, documents failed, history says so', async () => {
    const id = await place({ orderID: newOrderId(), lines: [{ sku: 'A', quantity: '3', price: '10.00' }] });
    const sn = ok(await createShipNotice(t.ctx, id, { carrier: 'DHL', trackingNumber: '1' }, actor));
    const inv = ok(await createInvoice(t.ctx, id, { shipping: '4.95' }, actor));
    assert.equal(await status(id), 'invoiced');
    assert.deepEqual(await figures(id), [['0', '0', '3', '3', '30']]);

    answer = { code: 417, text: 'Invoice refused: wrong tax on shipping' };
    await deliverAll();
    assert.equal(await documentState(sn.documentId), 'failed');
    assert.equal(await documentState(inv.documentId), 'failed');
    assert.deepEqual(await figures(id), [['0', '0', '0', '0', '0']]);
    assert.equal(await status(id), 'received');
    const failed = (await orderEvents(t.ctx, id)).filter((e) => e.kind === 'document_failed');
    assert.equal(failed.length, 2, 'one event per document (not two)');
    const invoiceEvent = failed.find((e) => e.documentId === inv.documentId)!;
    assert.match(invoiceEvent.detail, new RegExp(`^${inv.number} refused by the buyer: cXML 417 .*wrong tax on shipping; its quantities no longer count$`));
    assert.deepEqual(failed.map((e) => e.toStatus).sort(), ['received', failed.find((e) => e.toStatus !== 'received')?.toStatus ?? 'received'].sort());
    assert.ok(failed.some((e) => e.fromStatus === 'invoiced'), 'the first failure left the invoiced state');

    // The refused invoice cannot be credited; a corrected one can be sent.
    refused(await createCreditMemo(t.ctx, id, { invoiceNumber: inv.number, amount: '30.00', reason: 'void' }, actor), /not accepted by the buyer.*cannot be credited/);
    answer = { code: 200, text: 'OK' };
    const inv2 = ok(await createInvoice(t.ctx, id, { lines: [{ lineNumber: 1, quantity: '3' }] }, actor));
    assert.deepEqual(await figures(id), [['0', '0', '0', '3', '30']]);

    // Retry: the invoice was replaced → refused, nothing changed; the ship notice counts again.
    const before = await figures(id);
    refused(await retryOrderDocument(t.ctx, inv.outboxId, actor), new RegExp(`${inv.number}: line 1 would have 6 invoiced, only 3 owed .*${inv2.number} created since`));
    assert.deepEqual(await figures(id), before);
    assert.equal(await documentState(inv.documentId), 'failed');
    assert.equal((await t.store.db.selectFrom('outbox').select('status').where('id', '=', inv.outboxId).executeTakeFirstOrThrow()).status, 'failed');

    assert.deepEqual(await retryOrderDocument(t.ctx, sn.outboxId, actor), { ok: true });
    assert.equal(await documentState(sn.documentId), 'active');
    assert.deepEqual(await figures(id), [['0', '0', '3', '3', '30']]);
    assert.equal(await status(id), 'invoiced');
    const row = await t.store.db.selectFrom('outbox').selectAll().where('id', '=', sn.outboxId).executeTakeFirstOrThrow();
    assert.equal(row.status, 'pending');
    assert.equal(row.attempts, 0);
    const again = (await orderEvents(t.ctx, id)).at(-1)!;
    assert.equal(again.kind, 'shipped');
    assert.match(again.detail, new RegExp(`^${sn.number}: ship notice queued again; its quantities count again$`));
    refused(await retryOrderDocument(t.ctx, sn.outboxId, actor), /is pending, not failed/);
    await deliverAll();
    assert.equal((await t.store.db.selectFrom('outbox').select('status').where('id', '=', sn.outboxId).executeTakeFirstOrThrow()).status, 'delivered');
  });

  test('retries used up: the same; a refused confirmation can be retried while nothing replaced it', async () => {
    const id = await place({ orderID: newOrderId(), lines: [{ sku: 'A', quantity: '2', price: '5.00' }] });
    const c = ok(await createConfirmation(t.ctx, id, { type: 'accept' }, actor));
    const sn = ok(await createShipNotice(t.ctx, id, { carrier: 'DHL', trackingNumber: '1', lines: [{ lineNumber: 1, quantity: '1' }] }, actor));
    assert.deepEqual(await figures(id), [['2', '0', '1', '0', '0']]);
    answer = { code: 500, text: 'busy' };
    await deliverAll(1);
    assert.equal(await documentState(c.documentId), 'failed');
    assert.equal(await documentState(sn.documentId), 'failed');
    assert.deepEqual(await figures(id), [['0', '0', '0', '0', '0']]);
    assert.equal(await status(id), 'received');
    const details = (await orderEvents(t.ctx, id)).filter((e) => e.kind === 'document_failed').map((e) => e.detail);
    assert.ok(details.some((d) => d.startsWith(`${sn.number} not delivered: gave up after 1 attempts`) && d.endsWith('; its quantities no longer count')), details.join(' | '));

    // Nothing replaced the confirmation: it counts again.
    assert.deepEqual(await retryOrderDocument(t.ctx, c.outboxId, actor), { ok: true });
    assert.deepEqual(await figures(id), [['2', '0', '0', '0', '0']]);
    assert.equal(await status(id), 'confirmed');
  });

  test('a confirmation replaced by a new one, or of a version since updated, cannot be retried', async () => {
    const orderID = newOrderId();
    const id = await place({ orderID, lines: [{ sku: 'A', quantity: '2', price: '5.00' }] });
    const c1 = ok(await createConfirmation(t.ctx, id, { type: 'accept' }, actor));
    answer = { code: 417, text: 'no' };
    await deliverAll();
    assert.deepEqual(await figures(id), [['0', '0', '0', '0', '0']]);
    answer = { code: 200, text: 'OK' };
    const c2 = ok(await createConfirmation(t.ctx, id, { type: 'accept' }, actor)); // the failed one does not count
    refused(await retryOrderDocument(t.ctx, c1.outboxId, actor), new RegExp(`${c2.number} already confirms this version .*: ${c1.number} cannot be sent as well`));
    await place({ orderID, type: 'update', orderVersion: 2, lines: [{ sku: 'A', quantity: '2', price: '6.00' }] });
    refused(await retryOrderDocument(t.ctx, c1.outboxId, actor), /confirms an earlier version .*create a new confirmation/);
  });
});

describe('order versions and prices', () => {
  test('an update asks for a new confirmation, which can be sent once; invoices use its price, not the superseded one', async () => {
    const orderID = newOrderId();
    const id = await place({ orderID, lines: [{ sku: 'A', quantity: '3', price: '10.00' }] });
    ok(await createConfirmation(t.ctx, id, { type: 'detail', lines: [{ lineNumber: 1, statuses: [{ type: 'accept', quantity: '3', unitPrice: '9.005' }] }] }, actor));
    refused(await createConfirmation(t.ctx, id, { type: 'accept' }, actor), /already confirmed .*same version/);
    await place({ orderID, type: 'update', orderVersion: 2, lines: [{ sku: 'A', quantity: '3', price: '12.00' }] });
    const c2 = ok(await createConfirmation(t.ctx, id, { type: 'accept' }, actor));
    const stored = JSON.parse((await t.store.db.selectFrom('order_documents').select('input').where('id', '=', c2.documentId).executeTakeFirstOrThrow()).input);
    const order = await t.store.db.selectFrom('orders').select('payload_id').where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(stored.orderPayloadId, order.payload_id);
    refused(await createConfirmation(t.ctx, id, { type: 'accept' }, actor), /already confirmed/);
    const inv = ok(await createInvoice(t.ctx, id, {}, actor));
    const input = JSON.parse((await t.store.db.selectFrom('order_documents').select('input').where('id', '=', inv.documentId).executeTakeFirstOrThrow()).input);
    assert.deepEqual(input.lines.map((l: { unitPrice: string; subtotal: string }) => [l.unitPrice, l.subtotal]), [['12', '36.00']]);
  });

  test('a price confirmed for the current version is invoiced', async () => {
    const id = await place({ orderID: newOrderId(), lines: [{ sku: 'A', quantity: '2', price: '10.00' }] });
    ok(await createConfirmation(t.ctx, id, { type: 'detail', lines: [{ lineNumber: 1, statuses: [{ type: 'accept', quantity: '2', unitPrice: '9.50' }] }] }, actor));
    const inv = ok(await createInvoice(t.ctx, id, {}, actor));
    const input = JSON.parse((await t.store.db.selectFrom('order_documents').select('input').where('id', '=', inv.documentId).executeTakeFirstOrThrow()).input);
    assert.equal(input.lines[0].unitPrice, '9.5');
  });
});

describe('credit memos on final orders, shipping tax, dates', () => {
  test('cancelled and closed orders can be credited; a rejected order with nothing invoiced cannot', async () => {
    const orderID = newOrderId();
    const id = await place({ orderID, lines: [{ sku: 'A', quantity: '3', price: '10.00' }] });
    const inv = ok(await createInvoice(t.ctx, id, {}, actor));
    await place({ orderID, type: 'delete', lines: [{ sku: 'A', quantity: '3', price: '10.00' }] });
    assert.equal(await status(id), 'cancelled');
    ok(await createCreditMemo(t.ctx, id, { invoiceNumber: inv.number, amount: '10.00', reason: 'cancelled' }, actor));
    assert.equal(await status(id), 'cancelled');
    refused(await createInvoice(t.ctx, id, {}, actor), /is cancelled: no more documents/);

    const id2 = await place({ orderID: newOrderId(), lines: [{ sku: 'A', quantity: '1', price: '10.00' }] });
    const inv2 = ok(await createInvoice(t.ctx, id2, {}, actor));
    assert.deepEqual(await closeOrder(t.ctx, id2, actor, 'done'), { ok: true });
    ok(await createCreditMemo(t.ctx, id2, { invoiceNumber: inv2.number, amount: '10.00', reason: 'returned' }, actor));
    assert.equal(await status(id2), 'closed');

    const id3 = await place({ orderID: newOrderId(), lines: [{ sku: 'A', quantity: '1', price: '10.00' }] });
    ok(await createConfirmation(t.ctx, id3, { type: 'reject', comment: 'out of stock' }, actor));
    refused(await createCreditMemo(t.ctx, id3, { invoiceNumber: 'INV-000001', amount: '1', reason: 'x' }, actor), /is rejected and nothing of it was invoiced/);
  });

  test('shipping is taxed at the goods rate; the totals add up', async () => {
    const id = await place({ orderID: newOrderId(), lines: [{ sku: 'A', quantity: '3', price: '10.00' }] });
    const inv = ok(await createInvoice(t.ctx, id, { shipping: '4.95' }, actor));
    const totals = JSON.parse((await t.store.db.selectFrom('order_documents').select('totals').where('id', '=', inv.documentId).executeTakeFirstOrThrow()).totals!);
    assert.equal(totals.tax, '6.64'); // 5.70 on the goods + 0.94 on the shipping (4.95 × 19 %)
    assert.equal(totals.due, '41.59'); // 30.00 + 4.95 + 6.64
    const body = (await t.store.db.selectFrom('outbox').select('body').where('id', '=', inv.outboxId).executeTakeFirstOrThrow()).body;
    assert.ok(body.includes('<Money currency="EUR">6.64</Money>'), 'the written tax includes the shipping tax');
    assert.deepEqual(totals.taxSummary, [{ category: 'vat', rate: '19', taxable: '34.95', tax: '6.64' }]);
  });

  test('no shipment or invoice dated before the order; rule messages name no placeholder', async () => {
    const id = await place({ orderID: newOrderId(), lines: [{ sku: 'A', quantity: '3', price: '10.00' }], header: { orderDate: { raw: '2026-03-10', dateOnly: '2026-03-10' } } });
    refused(await createShipNotice(t.ctx, id, { carrier: 'x', trackingNumber: '1', shipmentDate: '2026-03-09' }, actor), /^shipment date 2026-03-09 is before the order date 2026-03-10 of order .*on or after the order date$/);
    refused(await createInvoice(t.ctx, id, { invoiceDate: '1999-01-01' }, actor), /^invoice date 1999-01-01 is before the order date 2026-03-10/);
    ok(await createShipNotice(t.ctx, id, { carrier: 'x', trackingNumber: '1', shipmentDate: '2026-03-10', lines: [{ lineNumber: 1, quantity: '1' }] }, actor));
    const r = await createShipNotice(t.ctx, id, { carrier: 'x', trackingNumber: '1', shipmentDate: '2026-03-12', deliveryDate: '2026-03-11' }, actor);
    refused(r, /^the delivery date 2026-03-11 is before the shipment date 2026-03-12$/);
    assert.ok(!r.ok && r.problems.every((p) => !/probe|this shipment/.test(p)), JSON.stringify(r));
    ok(await createInvoice(t.ctx, id, { invoiceDate: '2026-03-10' }, actor));

    // A timestamp: its UTC day (the instant is what is stored).
    const id2 = await place({ orderID: newOrderId(), lines: [{ sku: 'A', quantity: '1', price: '1.00' }], header: { orderDate: { raw: '2026-03-10T23:30:00-05:00', instant: new Date('2026-03-11T04:30:00Z') } } });
    refused(await createInvoice(t.ctx, id2, { invoiceDate: '2026-03-10' }, actor), /^invoice date 2026-03-10 is before the order date 2026-03-11/);
    ok(await createInvoice(t.ctx, id2, { invoiceDate: '2026-03-11' }, actor));
  });
});

describe('second review', () => {
  test('a credit memo against an invoice the buyer later refuses still counts: the order can never be credited more than its counting invoices billed', async () => {
    const id = await place({ orderID: newOrderId(), lines: [{ sku: 'A', quantity: '3', price: '10.00' }] });
    const inv = ok(await createInvoice(t.ctx, id, {}, actor));
    const memo = ok(await createCreditMemo(t.ctx, id, { invoiceNumber: inv.number, amount: '10.00', reason: 'damaged' }, actor));
    refuseNumbers.add(inv.number);
    await deliverAll();
    assert.equal(await documentState(inv.documentId), 'failed');
    assert.equal(await documentState(memo.documentId), 'active', 'the buyer took the memo');
    const failed = (await orderEvents(t.ctx, id)).find((e) => e.kind === 'document_failed' && e.documentId === inv.documentId)!;
    assert.match(failed.detail, new RegExp(`credit memo ${memo.number} against it still counts`));

    const inv2 = ok(await createInvoice(t.ctx, id, {}, actor));
    // 30 billed by the counting invoice, 10 already credited (against the refused one): 20 left.
    refused(await createCreditMemo(t.ctx, id, { invoiceNumber: inv2.number, amount: '30.00', reason: 'all back' }, actor), /more than the 20\.00 EUR the order's counting invoices leave to credit/);
    ok(await createCreditMemo(t.ctx, id, { invoiceNumber: inv2.number, amount: '20.00', reason: 'rest back' }, actor));
  });

  test('"Retry now" on an invoice written for an earlier version of the order is refused', async () => {
    const orderID = newOrderId();
    const id = await place({ orderID, lines: [{ sku: 'A', quantity: '3', price: '10.00' }] });
    ok(await createConfirmation(t.ctx, id, { type: 'accept' }, actor));
    const inv = ok(await createInvoice(t.ctx, id, {}, actor));
    answer = { code: 417, text: 'Invoice refused' };
    await deliverAll();
    assert.equal(await documentState(inv.documentId), 'failed');
    answer = { code: 200, text: 'OK' };
    // A change order raises the price; a new confirmation follows.
    const update = orderXml({ orderID, type: 'update', orderVersion: 2, lines: [{ sku: 'A', quantity: '3', price: '12.00' }] });
    const a = await postCxml(t.baseUrl, update.xml);
    assert.equal(a.status.code, 200, a.text);
    ok(await createConfirmation(t.ctx, id, { type: 'accept' }, actor));
    const before = await figures(id);
    refused(await retryOrderDocument(t.ctx, inv.outboxId, actor), new RegExp(`${inv.number} was written for an earlier version of order ${orderID}`));
    assert.deepEqual(await figures(id), before);
    // A new invoice bills the new price.
    const inv2 = ok(await createInvoice(t.ctx, id, {}, actor));
    const amount = (await t.store.db.selectFrom('order_lines').select('invoiced_amount').where('order_id', '=', id).executeTakeFirstOrThrow()).invoiced_amount;
    assert.equal(amount, '36', `${inv2.number} bills 3 × 12.00`);
  });
});
