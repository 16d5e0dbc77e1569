/**
 * The order read model on the real database (SQLite, or PostgreSQL with DATABASE_URL): the
 * filtered list with its total, one order in full (lines, flags, history, documents with their
 * delivery state, links both ways), and the look-up by the buyer's orderID.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { postCxml } from '../helpers/cxml.js';
import { createOtherBuyer, orderXml, punchedOutCart, linesFromCart, type TestOrder } from '../helpers/orders.js';
import type { Header } from '../../src/protocol/cxml/model.js';
import { findOrderByBuyerId, getOrder, listOrders } from '../../src/app/order-queries.js';
import { enqueue } from '../../src/jobs/outbox.js';

let t: TestApp;
let other: Header;
// The app's clock, moved by each test so that orders arrive at known times.
let clock = new Date('2026-03-01T09:00:00.000Z');
const ids: Record<string, string> = {};
let cartSession = '';

async function send(o: TestOrder, at: string, header?: Header): Promise<void> {
  clock = new Date(at);
  const r = await postCxml(t.baseUrl, orderXml(o, header).xml);
  assert.equal(r.status.code, 200, r.status.detail);
}

async function rowId(orderID: string, connectionId = 'demo-cxml'): Promise<string> {
  return (await t.store.db.selectFrom('orders').select('id').where('order_id', '=', orderID).where('connection_id', '=', connectionId).executeTakeFirstOrThrow()).id;
}

const line = { sku: 'KP-10001', quantity: '2', price: '4.65', unit: 'PK' };

before(async () => {
  t = await startTestApp({ now: () => clock });
  other = await createOtherBuyer(t.ctx, 'q-other');
  const cart = await punchedOutCart(t.ctx, 'demo-cxml', [{ sku: 'KP-10001', quantity: '2' }]);
  cartSession = cart.sessionId;
  // Matches its cart exactly: no flags.
  await send({ orderID: 'Q_100', lines: linesFromCart(cart.lines) }, '2026-03-01T10:00:00.000Z');
  // Not from a cart: flagged.
  await send({ orderID: 'Q-200', lines: [line] }, '2026-03-02T10:00:00.000Z');
  await send({ orderID: 'Q-300', orderVersion: 1, lines: [line] }, '2026-03-03T23:59:59.000Z');
  await send({ orderID: 'Q-300', type: 'update', orderVersion: 2, lines: [line, { ...line, sku: 'KP-10002' }] }, '2026-03-05T08:00:00.000Z');
  // Another buyer with an orderID that is also ours.
  await send({ orderID: 'Q-200', lines: [line] }, '2026-03-04T10:00:00.000Z', other);
  await send({ orderID: 'Q-400', lines: [line] }, '2026-03-06T10:00:00.000Z');
  await send({ orderID: 'Q-400', type: 'delete', lines: [line] }, '2026-03-06T11:00:00.000Z');
  for (const o of ['Q_100', 'Q-200', 'Q-300', 'Q-400']) ids[o] = await rowId(o);
  ids['other Q-200'] = await rowId('Q-200', 'q-other');
});
after(async () => {
  await t.close();
});

describe('listOrders', () => {
  test('newest first, with the total count, line counts, open flags and connection names', async () => {
    const { orders, total } = await listOrders(t.ctx, {});
    assert.equal(total, 5);
    assert.deepEqual(
      orders.map((o) => [o.orderId, o.connectionId]),
      [['Q-400', 'demo-cxml'], ['Q-200', 'q-other'], ['Q-300', 'demo-cxml'], ['Q-200', 'demo-cxml'], ['Q_100', 'demo-cxml']],
    );
    const q300 = orders.find((o) => o.orderId === 'Q-300')!;
    assert.equal(q300.lineCount, 2);
    assert.equal(q300.orderVersion, 2);
    assert.equal(q300.orderType, 'update');
    assert.equal(q300.openFlags, 2, 'one not_from_cart per line');
    assert.equal(q300.receivedAt, '2026-03-03T23:59:59.000Z');
    assert.equal(q300.updatedAt, '2026-03-05T08:00:00.000Z');
    assert.equal(q300.connectionName, 'Demo buyer (cXML)');
    const q100 = orders.find((o) => o.orderId === 'Q_100')!;
    assert.equal(q100.openFlags, 0);
    assert.equal(q100.total, '9.3');
    assert.equal(q100.currency, 'EUR');
  });

  test('filters by connection, status and orderID substring (wildcards taken literally, any case)', async () => {
    assert.deepEqual((await listOrders(t.ctx, { connectionId: 'q-other' })).orders.map((o) => o.id), [ids['other Q-200']]);
    const cancelled = await listOrders(t.ctx, { status: 'cancelled' });
    assert.deepEqual(cancelled.orders.map((o) => o.orderId), ['Q-400']);
    assert.equal(cancelled.total, 1);
    assert.deepEqual((await listOrders(t.ctx, { orderId: 'q_1' })).orders.map((o) => o.orderId), ['Q_100']);
    assert.deepEqual((await listOrders(t.ctx, { orderId: '_' })).orders.map((o) => o.orderId), ['Q_100'], '_ is no wildcard');
    assert.equal((await listOrders(t.ctx, { orderId: '%' })).total, 0, '% is no wildcard');
    assert.equal((await listOrders(t.ctx, { orderId: 'q-2' })).total, 2);
  });

  test('needsReview lists orders with open flags not yet reviewed; a review takes an order off the list', async () => {
    const open = await listOrders(t.ctx, { needsReview: true, connectionId: 'demo-cxml' });
    assert.deepEqual(open.orders.map((o) => o.orderId), ['Q-400', 'Q-300', 'Q-200']);
    const clean = await listOrders(t.ctx, { needsReview: false, connectionId: 'demo-cxml' });
    assert.deepEqual(clean.orders.map((o) => o.orderId), ['Q_100']);
    await t.store.db.updateTable('orders').set({ reviewed_at: '2026-03-07T00:00:00.000Z', reviewed_by: 'admin' }).where('id', '=', ids['Q-200']!).execute();
    try {
      const after = await listOrders(t.ctx, { needsReview: true, connectionId: 'demo-cxml' });
      assert.deepEqual(after.orders.map((o) => o.orderId), ['Q-400', 'Q-300']);
      const reviewed = (await listOrders(t.ctx, { orderId: 'Q-200', connectionId: 'demo-cxml' })).orders[0]!;
      assert.equal(reviewed.openFlags, 0);
    } finally {
      await t.store.db.updateTable('orders').set({ reviewed_at: null, reviewed_by: null }).where('id', '=', ids['Q-200']!).execute();
    }
  });

  test('received from/to: a plain date covers the whole UTC day; an instant is exact', async () => {
    const names = async (f: { from?: string; to?: string }) => (await listOrders(t.ctx, { connectionId: 'demo-cxml', ...f })).orders.map((o) => o.orderId);
    assert.deepEqual(await names({ from: '2026-03-02', to: '2026-03-03' }), ['Q-300', 'Q-200']);
    assert.deepEqual(await names({ from: '2026-03-02T10:00:00Z', to: '2026-03-03T23:59:58Z' }), ['Q-200']);
    assert.deepEqual(await names({ from: '2026-03-04' }), ['Q-400']);
    assert.deepEqual(await names({ to: '2026-03-01' }), ['Q_100']);
    await assert.rejects(listOrders(t.ctx, { from: '2026-02-30' }), /does not exist/);
    await assert.rejects(listOrders(t.ctx, { to: 'yesterday' }), /"to" filter "yesterday" is not a date/);
  });

  test('limit and offset page through; the total stays the number of all matches', async () => {
    const first = await listOrders(t.ctx, { limit: 2 });
    const second = await listOrders(t.ctx, { limit: 2, offset: 2 });
    const third = await listOrders(t.ctx, { limit: 2, offset: 4 });
    assert.equal(first.total, 5);
    assert.equal(third.total, 5);
    assert.deepEqual([...first.orders, ...second.orders, ...third.orders].map((o) => o.id), (await listOrders(t.ctx, {})).orders.map((o) => o.id));
    assert.equal(third.orders.length, 1);
  });
});

describe('getOrder', () => {
  test('everything about one order: header, lines with figures and flags, history, sessions', async () => {
    await t.store.db.updateTable('order_lines').set({ confirmed_quantity: '2', shipped_quantity: '1', invoiced_quantity: '1', invoiced_amount: '4.65' }).where('order_id', '=', ids['Q-300']!).where('line_number', '=', 1).execute();
    const o = (await getOrder(t.ctx, ids['Q-300']!))!;
    assert.equal(o.orderId, 'Q-300');
    assert.equal(o.status, 'received');
    assert.equal(o.deploymentMode, 'production');
    assert.equal((o.header.billTo as { name: string }).name, 'Buyer Accounts');
    assert.deepEqual(o.lines.map((l) => [l.lineNumber, l.supplierPartId, l.quantity, l.unit, l.unitPrice, l.isAdHoc, l.productId]), [
      [1, 'KP-10001', '2', 'PK', '4.65', false, 'kp-10001'],
      [2, 'KP-10002', '2', 'PK', '4.65', false, 'kp-10002'],
    ]);
    assert.deepEqual([o.lines[0]!.confirmedQuantity, o.lines[0]!.shippedQuantity, o.lines[0]!.invoicedQuantity, o.lines[0]!.invoicedAmount, o.lines[0]!.rejectedQuantity], ['2', '1', '1', '4.65', '0']);
    assert.deepEqual(o.lines[0]!.review.map((f) => f.code), ['not_from_cart']);
    assert.deepEqual((o.lines[0]!.details.classifications as unknown[]).length, 1);
    assert.deepEqual(o.events.map((e) => e.kind), ['received', 'updated']);
    assert.equal(o.events[1]!.actor, 'buyer:demo-cxml');
    assert.equal(o.reviewedAt, null);
    assert.deepEqual(o.documents, []);
    assert.equal(o.linkedOrder, null);

    const matched = (await getOrder(t.ctx, ids['Q_100']!))!;
    assert.deepEqual(matched.sessionIds, [cartSession]);
    assert.ok(matched.lines[0]!.auxId);
    assert.equal(await getOrder(t.ctx, 'no-such-order'), undefined);
  });

  test('documents with the delivery state of their outbox row', async () => {
    const id = ids['Q-200']!;
    const queued = await enqueue(t.ctx, { kind: 'webhook', docType: 'test.document', orderId: id, url: 'https://buyer.example/cxml', body: '{}' });
    await t.store.db.updateTable('outbox').set({ status: 'failed', attempts: 3, last_error: 'HTTP 500' }).where('id', '=', queued.id).execute();
    const base = { order_id: id, connection_id: 'demo-cxml', input: JSON.stringify({ type: 'accept' }), created_by: 'admin:admin' };
    await t.store.db.insertInto('order_documents').values({ ...base, id: 'doc-1', kind: 'confirmation', number: 'CONF-Q-1', payload_id: 'p-q-1@test', outbox_id: queued.id, totals: null, created_at: '2026-03-08T00:00:00.000Z' }).execute();
    await t.store.db.insertInto('order_documents').values({ ...base, id: 'doc-2', kind: 'invoice', number: 'INV-Q-1', payload_id: 'p-q-2@test', outbox_id: null, totals: JSON.stringify({ net: '9.30' }), created_at: '2026-03-09T00:00:00.000Z' }).execute();
    const o = (await getOrder(t.ctx, id))!;
    assert.deepEqual(o.documents.map((d) => [d.kind, d.number, d.createdBy]), [['confirmation', 'CONF-Q-1', 'admin:admin'], ['invoice', 'INV-Q-1', 'admin:admin']]);
    assert.deepEqual(o.documents[0]!.outbox, { id: queued.id, status: 'failed', attempts: 3, lastError: 'HTTP 500', deliveredAt: null, url: 'https://buyer.example/cxml' });
    assert.deepEqual(o.documents[0]!.input, { type: 'accept' });
    assert.equal(o.documents[1]!.outbox, null);
    assert.deepEqual(o.documents[1]!.totals, { net: '9.30' });
  });

  test('linked orders both ways', async () => {
    const firstPayload = (await t.store.db.selectFrom('orders').select('payload_id').where('id', '=', ids['Q-200']!).executeTakeFirstOrThrow()).payload_id;
    await send({ orderID: 'Q-201', documentReference: firstPayload, lines: [line] }, '2026-03-10T10:00:00.000Z');
    const linked = (await getOrder(t.ctx, await rowId('Q-201')))!;
    assert.deepEqual(linked.linkedOrder, { id: ids['Q-200'], orderId: 'Q-200' });
    const original = (await getOrder(t.ctx, ids['Q-200']!))!;
    assert.deepEqual(original.linkedFrom, [{ id: linked.id, orderId: 'Q-201' }]);
    assert.deepEqual(original.events.map((e) => e.kind), ['received', 'linked']);
  });
});

describe('findOrderByBuyerId', () => {
  test('the exact orderID, across buyers unless narrowed to one connection', async () => {
    const both = await findOrderByBuyerId(t.ctx, 'Q-200');
    assert.deepEqual(both.map((o) => o.connectionId).sort(), ['demo-cxml', 'q-other']);
    const ours = await findOrderByBuyerId(t.ctx, 'Q-200', 'demo-cxml');
    assert.deepEqual(ours.map((o) => o.id), [ids['Q-200']]);
    assert.deepEqual(await findOrderByBuyerId(t.ctx, 'Q-20'), [], 'no substring match');
  });
});
