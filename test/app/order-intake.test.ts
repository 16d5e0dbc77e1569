/**
 * OrderRequest intake over real HTTP: one order per (connection, orderID); `new`, `update` and
 * `delete` with their duplicates, stale versions and races; receipts answered byte for byte; the
 * history events and webhook rows written with the change; header data stored with the card masked.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { countRows } from '../../src/store/migrations/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { assertDtdValid } from '../helpers/dtd.js';
import { demoHeader, postCxml } from '../helpers/cxml.js';
import { createOtherBuyer, newOrderId, orderXml, type TestOrder } from '../helpers/orders.js';
import type { Envelope, Header, OrderRequest } from '../../src/protocol/cxml/model.js';
import { receiveOrder } from '../../src/app/orders.js';
import { maskCardNumbers } from '../../src/app/card-masking.js';
import { getConnection } from '../../src/app/connections.js';
import { readCxml } from '../../src/protocol/cxml/reader.js';
import { dec } from '../../src/protocol/money.js';

let t: TestApp;
let other: Header;
before(async () => {
  t = await startTestApp();
  other = await createOtherBuyer(t.ctx);
});
after(async () => {
  await t.close();
});

async function send(o: TestOrder, header?: Header) {
  const { xml, payloadID } = orderXml(o, header);
  const r = await postCxml(t.baseUrl, xml);
  return { ...r, payloadID, xml };
}

async function orderRow(orderID: string, connectionId = 'demo-cxml') {
  return t.store.db.selectFrom('orders').selectAll().where('connection_id', '=', connectionId).where('order_id', '=', orderID).executeTakeFirst();
}

async function linesOf(rowId: string) {
  return t.store.db.selectFrom('order_lines').selectAll().where('order_id', '=', rowId).orderBy('line_number').execute();
}

async function eventsOf(rowId: string) {
  return t.store.db.selectFrom('order_events').selectAll().where('order_id', '=', rowId).orderBy('seq').execute();
}

/** Everything an intake may change, to prove that a refused or ignored one changed nothing. */
async function state(rowId?: string) {
  const counts: Record<string, number> = {};
  for (const table of ['orders', 'order_lines', 'cxml_receipts', 'order_events', 'outbox']) counts[table] = await countRows(t.store.db, table);
  if (!rowId) return { counts };
  const order = await t.store.db.selectFrom('orders').selectAll().where('id', '=', rowId).executeTakeFirst();
  return { counts, order, lines: await linesOf(rowId) };
}

const two = [
  { sku: 'KP-10001', quantity: '2', price: '4.65', unit: 'PK' },
  { sku: 'KP-10005', quantity: '1', price: '9.29', unit: 'BX' },
];

describe('new', () => {
  test('stores the order with status received, a `received` event by the buyer, and answers 200 after commit', async () => {
    const orderID = newOrderId();
    const r = await send({ orderID, lines: two });
    assert.equal(r.status.code, 200, r.status.detail);
    assertDtdValid(r.text, 'cXML');
    assert.match(r.status.detail ?? '', new RegExp(`Order "${orderID}" received`));
    const o = (await orderRow(orderID))!;
    assert.equal(o.status, 'received');
    assert.equal(o.payload_id, r.payloadID);
    assert.equal(o.total, '18.59');
    assert.equal((await linesOf(o.id)).length, 2);
    const events = await eventsOf(o.id);
    assert.deepEqual(events.map((e) => [e.kind, e.actor, e.to_status]), [['received', 'buyer:demo-cxml', 'received']]);
    const receipt = await t.store.db.selectFrom('cxml_receipts').selectAll().where('payload_id', '=', r.payloadID).executeTakeFirstOrThrow();
    assert.equal(receipt.response, r.text);
    assert.equal(receipt.order_id, o.id);
  });

  test('the same payloadID again gets the byte-identical answer and stores nothing', async () => {
    const orderID = newOrderId();
    const first = await send({ orderID, lines: two });
    const o = (await orderRow(orderID))!;
    const before = await state(o.id);
    const again = await postCxml(t.baseUrl, first.xml);
    assert.equal(again.text, first.text);
    assert.deepEqual(await state(o.id), before);
  });

  test("another buyer's payloadID is refused with 409 and stores nothing", async () => {
    const orderID = newOrderId();
    const first = await send({ orderID, lines: two });
    const before = await state();
    const r = await send({ orderID: newOrderId(), lines: two, payloadID: first.payloadID }, other);
    assert.equal(r.status.code, 409);
    assert.match(r.status.detail ?? '', /already used by another sender/);
    assert.deepEqual(await state(), before);
  });

  test('a second `new` with another payloadID answers "already received", records duplicate_ignored and changes nothing', async () => {
    const orderID = newOrderId();
    const first = await send({ orderID, lines: two });
    const o = (await orderRow(orderID))!;
    const before = await state(o.id);
    const r = await send({ orderID, lines: [{ sku: 'KP-10002', quantity: '9', price: '1.00' }] });
    assert.equal(r.status.code, 200);
    assert.match(r.status.detail ?? '', /already received/);
    assert.match(r.status.detail ?? '', new RegExp(first.payloadID.replace(/[.]/g, '\\.')));
    const afterState = await state(o.id);
    assert.deepEqual(afterState.order, before.order);
    assert.deepEqual(afterState.lines, before.lines);
    assert.equal(afterState.counts.orders, before.counts.orders);
    const events = await eventsOf(o.id);
    assert.deepEqual(events.map((e) => e.kind), ['received', 'duplicate_ignored']);
    // The duplicate's own payloadID has a receipt: sent again, it gets the same answer.
    const again = await postCxml(t.baseUrl, r.xml);
    assert.equal(again.text, r.text);
  });

  test('two different `new`s for one orderID at the same moment make one order; the other is a duplicate', async () => {
    const orderID = newOrderId('RACE');
    const docs = Array.from({ length: 4 }, (_, i) => orderXml({ orderID, lines: [{ sku: 'KP-10001', quantity: String(i + 1), price: '4.65' }] }));
    const answers = await Promise.all(docs.map((d) => postCxml(t.baseUrl, d.xml)));
    assert.ok(answers.every((a) => a.status.code === 200), answers.map((a) => a.status.detail).join(' | '));
    const rows = await t.store.db.selectFrom('orders').select('id').where('order_id', '=', orderID).execute();
    assert.equal(rows.length, 1);
    assert.equal(answers.filter((a) => /already received/.test(a.status.detail ?? '')).length, 3);
    const events = await eventsOf(rows[0]!.id);
    assert.equal(events.filter((e) => e.kind === 'received').length, 1);
    assert.equal(events.filter((e) => e.kind === 'duplicate_ignored').length, 3);
    assert.equal(await t.store.db.selectFrom('cxml_receipts').select('payload_id').where('order_id', '=', rows[0]!.id).execute().then((r) => r.length), 4);
  });

  test('the race without HTTP in between: many `new`s for one orderID stored at once make one order', async () => {
    // Over HTTP the secret check spreads requests out; here the transactions surely overlap.
    const connection = (await getConnection(t.ctx, 'demo-cxml'))!;
    const orderID = newOrderId('RACE2');
    const docs = Array.from({ length: 8 }, (_, i) => orderXml({ orderID, lines: [{ sku: 'KP-10001', quantity: String(i + 1), price: '4.65' }] }).xml);
    const answers = await Promise.all(docs.map((xml) => receiveOrder(t.ctx, connection, readCxml(xml).envelope as Envelope<OrderRequest>, xml)));
    const codes = answers.map((a) => (readCxml(a.xml).envelope.payload as { status: { code: number } }).status.code);
    assert.deepEqual(codes, Array(8).fill(200));
    const rows = await t.store.db.selectFrom('orders').select('id').where('order_id', '=', orderID).execute();
    assert.equal(rows.length, 1);
    const kinds = (await eventsOf(rows[0]!.id)).map((e) => e.kind);
    assert.equal(kinds.filter((k) => k === 'received').length, 1);
    assert.equal(kinds.filter((k) => k === 'duplicate_ignored').length, 7);
  });

  test('identical copies at the same moment make one order and one identical answer', async () => {
    const orderID = newOrderId('COPY');
    const { xml } = orderXml({ orderID, lines: two });
    const answers = await Promise.all(Array.from({ length: 6 }, () => postCxml(t.baseUrl, xml)));
    assert.ok(answers.every((a) => a.text === answers[0]!.text));
    const rows = await t.store.db.selectFrom('orders').select('id').where('order_id', '=', orderID).execute();
    assert.equal(rows.length, 1);
    assert.deepEqual((await eventsOf(rows[0]!.id)).map((e) => e.kind), ['received']);
  });

  test('ad-hoc lines are kept as free-text lines flagged ad_hoc; a line with neither part nor flag is refused', async () => {
    const orderID = newOrderId();
    const r = await send({ orderID, lines: [{ sku: '', adHoc: true, quantity: '1', price: '120.00', description: 'Custom engraving' }, two[0]!] });
    assert.equal(r.status.code, 200, r.status.detail);
    const o = (await orderRow(orderID))!;
    const [adhoc] = await linesOf(o.id);
    assert.equal(adhoc!.is_ad_hoc, 1);
    assert.equal(adhoc!.description, 'Custom engraving');
    assert.deepEqual(JSON.parse(adhoc!.review).map((f: { code: string }) => f.code), ['ad_hoc']);

    const before = await state();
    const bad = await send({ orderID: newOrderId(), lines: [two[0]!, { lineNumber: 7, sku: '', quantity: '1', price: '1' }] });
    assert.equal(bad.status.code, 400);
    assert.match(bad.status.detail ?? '', /line 7/i);
    assert.deepEqual(await state(), before);
  });

  test('two lines with one lineNumber are refused naming the number', async () => {
    const before = await state();
    const bad = await send({ orderID: newOrderId(), lines: [{ ...two[0]!, lineNumber: 3 }, { ...two[1]!, lineNumber: 3 }] });
    assert.equal(bad.status.code, 400);
    assert.match(bad.status.detail ?? '', /Line number 3 appears twice/);
    assert.deepEqual(await state(), before);
  });

  test('line number 0 or below, and a quantity of 0, are refused (400) naming the line and the value; nothing is stored', async () => {
    const before = await state();
    const cases: [TestOrder['lines'], string][] = [
      [[{ ...two[0]!, lineNumber: 0 }], 'The line with lineNumber="0" (ItemOut 1, "KP-10001") cannot be confirmed, shipped or invoiced: line numbers start at 1.'],
      [[two[0]!, { ...two[1]!, quantity: '0' }], 'Line 2 ("KP-10005") has quantity 0; an ordered quantity must be more than 0. Remove the line instead.'],
      [[{ ...two[0]!, quantity: '0.000' }], 'Line 1 ("KP-10001") has quantity 0; an ordered quantity must be more than 0. Remove the line instead.'],
    ];
    for (const [lines, detail] of cases) {
      const r = await send({ orderID: newOrderId('BADLINE'), lines });
      assert.equal(r.status.code, 400, detail);
      assertDtdValid(r.text, 'cXML');
      assert.equal(r.status.detail, detail);
    }
    // Our writer cannot write a negative lineNumber; the reader takes one, so intake gets it as read.
    const { xml } = orderXml({ orderID: newOrderId('BADLINE'), lines: two });
    const envelope = readCxml(xml).envelope as Envelope<OrderRequest>;
    const items = envelope.payload.items.map((item, i) => (i === 1 ? { ...item, lineNumber: -2 } : item));
    const connection = (await getConnection(t.ctx, 'demo-cxml'))!;
    const negative = await receiveOrder(t.ctx, connection, { ...envelope, payload: { ...envelope.payload, items } }, xml);
    const answer = readCxml(negative.xml).envelope.payload;
    assert.ok(answer.kind === 'Status');
    assert.equal(answer.status.code, 400);
    assert.equal(answer.status.detail, 'The line with lineNumber="-2" (ItemOut 2, "KP-10005") cannot be confirmed, shipped or invoiced: line numbers start at 1.');
    assert.deepEqual(await state(), before);

    // An update is checked the same way, and leaves the order as it was.
    const orderID = newOrderId('BADLINE');
    await send({ orderID, orderVersion: 1, lines: two });
    const o = (await orderRow(orderID))!;
    const kept = await state(o.id);
    const r = await send({ orderID, type: 'update', orderVersion: 2, lines: [{ ...two[0]!, quantity: '0' }] });
    assert.equal(r.status.code, 400);
    assert.deepEqual((await state(o.id)).lines, kept.lines);
    // A delete's lines are not stored: quantity 0 there still cancels.
    const d = await send({ orderID, type: 'delete', orderVersion: 3, lines: [{ ...two[0]!, quantity: '0' }] });
    assert.equal(d.status.code, 200, d.status.detail);
    assert.equal((await orderRow(orderID))!.status, 'cancelled');
  });

  test('a negative unit price is accepted but flagged negative_price on its line', async () => {
    const orderID = newOrderId('DISC');
    const r = await send({ orderID, lines: [{ sku: 'KP-10001', quantity: '2', price: '10.00', unit: 'PK' }, { sku: '', adHoc: true, quantity: '1', price: '-3.00', description: 'Loyalty discount' }] });
    assert.equal(r.status.code, 200, r.status.detail);
    const o = (await orderRow(orderID))!;
    const [l1, l2] = await linesOf(o.id);
    const flags = (l: { review: string }) => JSON.parse(l.review) as { code: string; message: string }[];
    assert.ok(!flags(l1!).some((f) => f.code === 'negative_price'));
    const neg = flags(l2!).filter((f) => f.code === 'negative_price');
    assert.equal(neg.length, 1, l2!.review);
    assert.match(neg[0]!.message, /^Line 2: unit price -3 EUR is negative/);
    assert.equal(o.review, '[]', 'total 17.00 = 20.00 - 3.00');
  });

  test('lines in another currency than the total: accepted, order-level currency flag naming them, and the total never adds currencies', async () => {
    const lines = [
      { sku: 'KP-10001', quantity: '1', price: '1.00', unit: 'PK' },
      { sku: 'KP-10005', quantity: '2', price: '2.00', unit: 'BX', currency: 'USD' },
      { sku: 'KP-10002', quantity: '1', price: '3.00', unit: 'PK', currency: 'CHF' },
    ];
    const currencyFlag = 'Lines 2, 3 are priced in USD, CHF, the order total in EUR: the total cannot include them, and one invoice has one currency. Agree with the buyer on one currency (a change order).';
    // 8.00 is 1 EUR + 4 USD + 3 CHF added together: that is not a sum of anything.
    const mixed = await send({ orderID: newOrderId('MIX'), total: '8.00', lines });
    assert.equal(mixed.status.code, 200, mixed.status.detail);
    const o = (await t.store.db.selectFrom('orders').selectAll().where('payload_id', '=', mixed.payloadID).executeTakeFirstOrThrow());
    assert.deepEqual(JSON.parse(o.review), [
      { code: 'currency', message: currencyFlag },
      { code: 'total', message: 'The order total 8.00 EUR equals neither the sum of the EUR lines (1.00).' },
    ]);
    const [, l2] = await linesOf(o.id);
    assert.ok((JSON.parse(l2!.review) as { code: string }[]).some((f) => f.code === 'currency'));

    // A total of the EUR lines alone is consistent: only the currency flag remains.
    const own = await send({ orderID: newOrderId('MIX'), total: '1.00', lines });
    const o2 = (await t.store.db.selectFrom('orders').selectAll().where('payload_id', '=', own.payloadID).executeTakeFirstOrThrow());
    assert.deepEqual(JSON.parse(o2.review), [{ code: 'currency', message: currencyFlag }]);
  });

  test('a `new` whose DocumentReference names another order of this buyer is linked to it, with `linked` on both', async () => {
    const firstId = newOrderId('EDIT');
    const first = await send({ orderID: firstId, lines: two });
    const secondId = newOrderId('EDIT');
    const r = await send({ orderID: secondId, lines: two, documentReference: first.payloadID });
    assert.equal(r.status.code, 200);
    const a = (await orderRow(firstId))!;
    const b = (await orderRow(secondId))!;
    assert.equal(b.linked_order_id, a.id);
    assert.equal(a.linked_order_id, null);
    assert.deepEqual((await eventsOf(a.id)).map((e) => e.kind), ['received', 'linked']);
    assert.deepEqual((await eventsOf(b.id)).map((e) => e.kind), ['received', 'linked']);
    assert.match((await eventsOf(a.id))[1]!.detail, new RegExp(secondId));

    // Another buyer naming that payloadID links to nothing of ours.
    const foreign = newOrderId('EDIT');
    await send({ orderID: foreign, lines: two, documentReference: first.payloadID }, other);
    assert.equal((await orderRow(foreign, 'other-cxml'))!.linked_order_id, null);
  });
});

describe('update', () => {
  test('a higher orderVersion replaces header and lines, keeps shipped/invoiced figures, resets confirmations, flags a quantity below shipped, and expects a new confirmation', async () => {
    const orderID = newOrderId('CHG');
    await send({
      orderID,
      orderVersion: 1,
      lines: [
        { sku: 'KP-10001', quantity: '10', price: '4.65', unit: 'PK' },
        { sku: 'KP-10005', quantity: '3', price: '9.29', unit: 'BX' },
        { sku: 'KP-10002', quantity: '1', price: '4.65', unit: 'PK' },
        { sku: 'KP-10003', quantity: '2', price: '4.65', unit: 'PK' },
      ],
    });
    const o = (await orderRow(orderID))!;
    const lines = await linesOf(o.id);
    // As if a confirmation and a ship notice had gone out.
    await t.store.db.updateTable('orders').set({ status: 'confirmed', reviewed_at: '2026-01-01T00:00:00.000Z', reviewed_by: 'admin' }).where('id', '=', o.id).execute();
    await t.store.db.updateTable('order_lines').set({ confirmed_quantity: '10', shipped_quantity: '6' }).where('id', '=', lines[0]!.id).execute();
    await t.store.db.updateTable('order_lines').set({ confirmed_quantity: '2', rejected_quantity: '1' }).where('id', '=', lines[1]!.id).execute();
    await t.store.db.updateTable('order_lines').set({ shipped_quantity: '1', invoiced_quantity: '1' }).where('id', '=', lines[3]!.id).execute();

    const r = await send({
      orderID,
      type: 'update',
      orderVersion: 2,
      lines: [
        { lineNumber: 1, sku: 'KP-10001', quantity: '4', price: '4.65', unit: 'PK' },
        { lineNumber: 2, sku: 'KP-10005', quantity: '5', price: '8.99', unit: 'BX' },
        { lineNumber: 5, sku: 'KP-10004', quantity: '1', price: '4.65', unit: 'PK' },
      ],
      header: { comments: [{ text: 'Change order: fewer pens' }] },
    });
    assert.equal(r.status.code, 200, r.status.detail);
    assert.match(r.status.detail ?? '', /updated\. The supplier will send a new confirmation for this version\./);
    const u = (await orderRow(orderID))!;
    assert.equal(u.id, o.id, 'the same order row');
    assert.equal(u.status, 'received');
    assert.equal(u.order_version, 2);
    assert.equal(u.order_type, 'update');
    assert.equal(u.payload_id, r.payloadID);
    assert.equal(u.total, '68.2');
    assert.equal(u.reviewed_at, null);
    assert.equal((JSON.parse(u.header) as { comments: { text: string }[] }).comments[0]!.text, 'Change order: fewer pens');
    const after = await linesOf(o.id);
    assert.deepEqual(after.map((l) => [l.line_number, l.supplier_part_id, l.quantity, l.unit_price]), [
      [1, 'KP-10001', '4', '4.65'],
      [2, 'KP-10005', '5', '8.99'],
      [4, 'KP-10003', '0', '4.65'],
      [5, 'KP-10004', '1', '4.65'],
    ]);
    assert.equal(after[0]!.id, lines[0]!.id);
    // The confirmation answered version 1: confirmed and rejected start again; shipped stays.
    assert.deepEqual(after.map((l) => [l.confirmed_quantity, l.rejected_quantity]), [['0', '0'], ['0', '0'], ['0', '0'], ['0', '0']]);
    assert.equal(after[0]!.shipped_quantity, '6');
    assert.equal(after[2]!.invoiced_quantity, '1');
    const codes = (l: { review: string }) => (JSON.parse(l.review) as { code: string }[]).map((f) => f.code);
    assert.ok(codes(after[0]!).includes('fulfilment'), after[0]!.review);
    assert.match(after[0]!.review, /asks for 4, but 6 shipped/);
    assert.ok(!codes(after[1]!).includes('fulfilment'));
    // Removed line 3 (nothing shipped) is gone; removed line 4 (shipped and invoiced) stays at 0, flagged.
    assert.deepEqual(codes(after[2]!), ['fulfilment']);
    assert.match(after[2]!.review, /removed by the change order, but 1 shipped and 1 invoiced/);

    const events = await eventsOf(o.id);
    const updated = events.at(-1)!;
    assert.equal(updated.kind, 'updated');
    assert.equal(updated.from_status, 'confirmed');
    assert.equal(updated.to_status, 'received');
    assert.match(updated.detail, /version 1 → 2/);
    assert.match(updated.detail, /added line 5 \(1 × KP-10004\)/);
    assert.match(updated.detail, /removed line 3 \(1 × KP-10002\), line 4 \(2 × KP-10003\)/);
    assert.match(updated.detail, /line 1: quantity 10 → 4/);
    assert.match(updated.detail, /line 2: quantity 3 → 5, price 9.29 → 8.99/);
    assert.match(updated.detail, /total 88.32 EUR → 68.20 EUR/);
    assert.match(updated.detail, /confirmed and rejected quantities reset, a new confirmation is expected/);
  });

  test('an update of a never-confirmed order does not announce a new confirmation', async () => {
    const orderID = newOrderId('CHG');
    await send({ orderID, orderVersion: 1, lines: two });
    const r = await send({ orderID, type: 'update', orderVersion: 2, lines: [{ ...two[0]!, quantity: '3' }] });
    assert.equal(r.status.detail, `Order "${orderID}" updated.`);
    assert.doesNotMatch((await eventsOf((await orderRow(orderID))!.id)).at(-1)!.detail, /new confirmation/);
  });

  test('switching unit or currency of a line already shipped or invoiced is accepted but flagged fulfilment, naming old → new and what went out', async () => {
    const orderID = newOrderId('TERMS');
    await send({
      orderID,
      orderVersion: 1,
      lines: [
        { sku: 'KP-10001', quantity: '3', price: '10.00', unit: 'EA' },
        { sku: 'KP-10005', quantity: '2', price: '5.00', unit: 'BX' },
        { sku: 'KP-10002', quantity: '1', price: '4.65', unit: 'PK' },
      ],
    });
    const o = (await orderRow(orderID))!;
    const lines = await linesOf(o.id);
    await t.store.db.updateTable('order_lines').set({ invoiced_quantity: '1', invoiced_amount: '10' }).where('id', '=', lines[0]!.id).execute();
    await t.store.db.updateTable('order_lines').set({ shipped_quantity: '2' }).where('id', '=', lines[1]!.id).execute();
    const r = await send({
      orderID,
      type: 'update',
      orderVersion: 2,
      currency: 'USD',
      lines: [
        { sku: 'KP-10001', quantity: '3', price: '10.00', unit: 'BX' }, // unit and currency, 1 invoiced
        { sku: 'KP-10005', quantity: '2', price: '5.00', unit: 'bx' }, // currency only (unit case is no change), 2 shipped
        { sku: 'KP-10002', quantity: '1', price: '4.65', unit: 'EA' }, // nothing went out: no such flag
      ],
    });
    assert.equal(r.status.code, 200, r.status.detail);
    const after = await linesOf(o.id);
    const fulfilmentFlags = (l: { review: string }) => (JSON.parse(l.review) as { code: string; message: string }[]).filter((f) => f.code === 'fulfilment').map((f) => f.message);
    assert.deepEqual(fulfilmentFlags(after[0]!), ['Line 1: the change order switches unit EA → BX and currency EUR → USD, but 1 invoiced already (in EA, EUR); further documents for this line will not match the earlier ones.']);
    assert.deepEqual(fulfilmentFlags(after[1]!), ['Line 2: the change order switches currency EUR → USD, but 2 shipped already (in BX, EUR); further documents for this line will not match the earlier ones.']);
    assert.deepEqual(fulfilmentFlags(after[2]!), []);
    assert.equal(after[0]!.invoiced_amount, '10');
    assert.equal((await orderRow(orderID))!.currency, 'USD');
  });

  test('an update for a cancelled order is answered "cancelled, update ignored", records update_ignored, queues no webhook and changes nothing', async () => {
    const now = new Date().toISOString();
    await t.store.db.insertInto('webhooks').values({ id: 'wh-cancelled', url: 'http://127.0.0.1:9/hook', events: JSON.stringify(['order.received', 'order.updated', 'order.cancelled']), secret_sealed: 'unused-until-sent', enabled: 1, description: 'test', created_at: now, updated_at: now }).execute();
    try {
      const orderID = newOrderId('DEAD');
      await send({ orderID, orderVersion: 1, lines: two });
      await send({ orderID, type: 'delete', orderVersion: 2, lines: two });
      const o = (await orderRow(orderID))!;
      const hooks = async () => (await t.store.db.selectFrom('outbox').select('doc_type').where('order_id', '=', o.id).execute()).map((r) => r.doc_type).sort();
      assert.deepEqual(await hooks(), ['order.cancelled', 'order.received']);
      const before = await state(o.id);
      const r = await send({ orderID, type: 'update', orderVersion: 3, lines: [{ ...two[0]!, quantity: '5' }] });
      assert.equal(r.status.code, 200);
      assert.equal(r.status.detail, `Order "${orderID}" is cancelled; the update was ignored and nothing changed. Send a new order (type="new") to order again.`);
      const afterState = await state(o.id);
      assert.deepEqual(afterState.order, before.order);
      assert.deepEqual(afterState.lines, before.lines);
      assert.deepEqual(await hooks(), ['order.cancelled', 'order.received']);
      const events = await eventsOf(o.id);
      assert.deepEqual(events.map((e) => e.kind), ['received', 'cancelled', 'update_ignored']);
      assert.match(events[2]!.detail, /cancelled; nothing changed/);
    } finally {
      await t.store.db.deleteFrom('webhooks').where('id', '=', 'wh-cancelled').execute();
    }
  });

  test('updates racing a delete never leave order.updated after order.cancelled (events and webhooks)', async () => {
    const now = new Date().toISOString();
    await t.store.db.insertInto('webhooks').values({ id: 'wh-race', url: 'http://127.0.0.1:9/hook', events: JSON.stringify(['order.received', 'order.updated', 'order.cancelled']), secret_sealed: 'unused-until-sent', enabled: 1, description: 'test', created_at: now, updated_at: now }).execute();
    try {
      const connection = (await getConnection(t.ctx, 'demo-cxml'))!;
      for (let round = 0; round < 3; round++) {
        const orderID = newOrderId('RACE');
        await send({ orderID, lines: two });
        // Without orderVersion every update is newer; the delete lands somewhere among them.
        const docs = Array.from({ length: 8 }, (_, i) => orderXml({ orderID, type: 'update', lines: [{ ...two[0]!, quantity: String(i + 1) }] }).xml);
        docs.splice(3, 0, orderXml({ orderID, type: 'delete', lines: [two[0]!] }).xml);
        await Promise.all(docs.map((xml) => receiveOrder(t.ctx, connection, readCxml(xml).envelope as Envelope<OrderRequest>, xml)));
        const o = (await orderRow(orderID))!;
        assert.equal(o.status, 'cancelled');
        const kinds = (await eventsOf(o.id)).map((e) => e.kind);
        assert.equal(kinds.filter((k) => k === 'cancelled').length, 1);
        assert.deepEqual(kinds.slice(kinds.indexOf('cancelled') + 1).filter((k) => k !== 'update_ignored'), [], kinds.join(','));
        assert.equal(kinds.filter((k) => k === 'updated' || k === 'update_ignored').length, 8);
        const hooks = await t.store.db.selectFrom('outbox').select(['doc_type', 'id']).where('order_id', '=', o.id).where('kind', '=', 'webhook').execute();
        const updatedHooks = hooks.filter((h) => h.doc_type === 'order.updated').length;
        assert.equal(updatedHooks, kinds.filter((k) => k === 'updated').length, 'one order.updated per applied update, none for ignored ones');
      }
    } finally {
      await t.store.db.deleteFrom('webhooks').where('id', '=', 'wh-race').execute();
    }
  });

  test('concurrent updates end with the highest version, whatever order they commit in', async () => {
    const connection = (await getConnection(t.ctx, 'demo-cxml'))!;
    const orderID = newOrderId('CONC');
    await send({ orderID, orderVersion: 1, lines: two });
    const docs = [6, 3, 5, 2, 4].map((v) => orderXml({ orderID, type: 'update', orderVersion: v, lines: [{ ...two[0]!, quantity: String(v * 10) }] }).xml);
    await Promise.all(docs.map((xml) => receiveOrder(t.ctx, connection, readCxml(xml).envelope as Envelope<OrderRequest>, xml)));
    const o = (await orderRow(orderID))!;
    assert.equal(o.order_version, 6);
    assert.deepEqual((await linesOf(o.id)).map((l) => l.quantity), ['60']);
    const kinds = (await eventsOf(o.id)).map((e) => e.kind);
    assert.equal(kinds.length, 6);
    assert.equal(kinds.filter((k) => k === 'updated' || k === 'update_ignored').length, 5);
  });

  test('an update of a shipped order keeps its status', async () => {
    const orderID = newOrderId('CHG');
    await send({ orderID, orderVersion: 1, lines: two });
    const o = (await orderRow(orderID))!;
    await t.store.db.updateTable('orders').set({ status: 'partly_shipped' }).where('id', '=', o.id).execute();
    await send({ orderID, type: 'update', orderVersion: 2, lines: [{ ...two[0]!, quantity: '3' }] });
    assert.equal((await orderRow(orderID))!.status, 'partly_shipped');
  });

  test('a stale or equal orderVersion is answered "stale version N ignored (current M)" and changes nothing', async () => {
    const orderID = newOrderId('STALE');
    await send({ orderID, orderVersion: 1, lines: two });
    await send({ orderID, type: 'update', orderVersion: 3, lines: [{ ...two[0]!, quantity: '7' }] });
    const o = (await orderRow(orderID))!;
    const before = await state(o.id);
    for (const v of [2, 3]) {
      const r = await send({ orderID, type: 'update', orderVersion: v, lines: [{ ...two[0]!, quantity: '99' }] });
      assert.equal(r.status.code, 200);
      assert.match(r.status.detail ?? '', new RegExp(`stale version ${v} ignored \\(current 3\\)`));
    }
    const now = await state(o.id);
    assert.deepEqual(now.order, before.order);
    assert.deepEqual(now.lines, before.lines);
    assert.equal(now.counts.outbox, before.counts.outbox);
    assert.deepEqual((await eventsOf(o.id)).map((e) => e.kind), ['received', 'updated', 'update_ignored', 'update_ignored']);
    assert.match((await eventsOf(o.id)).at(-1)!.detail, /stale version 3 ignored \(current 3\)/);
  });

  test('without orderVersion a later update replaces, unless its DocumentReference names an earlier, replaced version', async () => {
    const orderID = newOrderId('NOVER');
    const v1 = await send({ orderID, lines: two });
    const v2 = await send({ orderID, type: 'update', documentReference: v1.payloadID, lines: [{ ...two[0]!, quantity: '5' }] });
    assert.match(v2.status.detail ?? '', /updated/);
    let o = (await orderRow(orderID))!;
    assert.equal(o.payload_id, v2.payloadID);
    assert.deepEqual((await linesOf(o.id)).map((l) => l.quantity), ['5']);

    // Made from v1, which v2 replaced: stale.
    const late = await send({ orderID, type: 'update', documentReference: v1.payloadID, lines: [{ ...two[0]!, quantity: '8' }] });
    assert.match(late.status.detail ?? '', /stale update ignored/);
    o = (await orderRow(orderID))!;
    assert.equal(o.payload_id, v2.payloadID);
    assert.deepEqual((await linesOf(o.id)).map((l) => l.quantity), ['5']);

    // No reference at all: the later one wins.
    const v3 = await send({ orderID, type: 'update', lines: [{ ...two[0]!, quantity: '6' }] });
    assert.match(v3.status.detail ?? '', /updated/);
    assert.deepEqual((await linesOf(o.id)).map((l) => l.quantity), ['6']);
    assert.deepEqual((await eventsOf(o.id)).map((e) => e.kind), ['received', 'updated', 'update_ignored', 'updated']);
  });

  test('an update for an unknown orderID is stored as the order, noting it arrived as an update', async () => {
    const orderID = newOrderId('UPD');
    const r = await send({ orderID, type: 'update', orderVersion: 2, lines: two });
    assert.equal(r.status.code, 200);
    const o = (await orderRow(orderID))!;
    assert.equal(o.status, 'received');
    assert.equal(o.order_version, 2);
    const events = await eventsOf(o.id);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.kind, 'received');
    assert.match(events[0]!.detail, /arrived as an update \(version 2\) with no earlier version known/);
  });
});

describe('delete', () => {
  test('update then delete: cancelled with events in order; a second delete is ignored', async () => {
    const orderID = newOrderId('DEL');
    await send({ orderID, orderVersion: 1, lines: two });
    await send({ orderID, type: 'update', orderVersion: 2, lines: [two[0]!] });
    const r = await send({ orderID, type: 'delete', orderVersion: 3, lines: [two[0]!] });
    assert.equal(r.status.code, 200);
    assert.match(r.status.detail ?? '', /cancelled/);
    const o = (await orderRow(orderID))!;
    assert.equal(o.status, 'cancelled');
    assert.equal(o.review, '[]', 'nothing shipped: no flag');
    const again = await send({ orderID, type: 'delete', lines: [two[0]!] });
    assert.match(again.status.detail ?? '', /already cancelled/);
    const events = await eventsOf(o.id);
    assert.deepEqual(events.map((e) => e.kind), ['received', 'updated', 'cancelled', 'update_ignored']);
    assert.deepEqual([events[2]!.from_status, events[2]!.to_status], ['received', 'cancelled']);
  });

  test('a delete for an unknown orderID is refused with 417 naming it; only the document log keeps it', async () => {
    const orderID = newOrderId('GONE');
    const before = await state();
    const docs = await countRows(t.store.db, 'documents');
    const r = await send({ orderID, type: 'delete', lines: two });
    assert.equal(r.status.code, 417);
    assert.match(r.status.detail ?? '', new RegExp(orderID));
    assertDtdValid(r.text, 'cXML');
    assert.deepEqual(await state(), before);
    assert.equal(await countRows(t.store.db, 'documents'), docs + 2);
  });

  test('cancelling an order already shipped still cancels, with an order-level review flag saying so', async () => {
    const orderID = newOrderId('DEL');
    await send({ orderID, lines: two });
    const o = (await orderRow(orderID))!;
    await t.store.db.updateTable('order_lines').set({ shipped_quantity: '2' }).where('order_id', '=', o.id).where('line_number', '=', 1).execute();
    await t.store.db.updateTable('orders').set({ status: 'partly_shipped', reviewed_at: '2026-01-01T00:00:00.000Z' }).where('id', '=', o.id).execute();
    await send({ orderID, type: 'delete', lines: two });
    const c = (await orderRow(orderID))!;
    assert.equal(c.status, 'cancelled');
    assert.equal(c.reviewed_at, null);
    const flags = JSON.parse(c.review) as { code: string; message: string }[];
    assert.deepEqual(flags.map((f) => f.code), ['fulfilment']);
    assert.match(flags[0]!.message, /after 2 unit\(s\) were shipped/);
  });
});

describe('webhooks and one transaction', () => {
  test('received, updated and cancelled are queued for a subscribed hook together with the change', async () => {
    const now = new Date().toISOString();
    await t.store.db.insertInto('webhooks').values({ id: 'wh-intake', url: 'http://127.0.0.1:9/hook', events: JSON.stringify(['order.received', 'order.updated', 'order.cancelled']), secret_sealed: 'unused-until-sent', enabled: 1, description: 'test', created_at: now, updated_at: now }).execute();
    try {
      const orderID = newOrderId('HOOK');
      await send({ orderID, orderVersion: 1, lines: two });
      await send({ orderID, type: 'update', orderVersion: 2, lines: [two[0]!] });
      await send({ orderID, type: 'update', orderVersion: 1, lines: [two[0]!] }); // stale: no event
      await send({ orderID, lines: two }); // duplicate: no event
      await send({ orderID, type: 'delete', orderVersion: 3, lines: [two[0]!] });
      const o = (await orderRow(orderID))!;
      const rows = await t.store.db.selectFrom('outbox').select(['doc_type', 'kind']).where('order_id', '=', o.id).orderBy('created_at').execute();
      assert.deepEqual(rows.map((r) => r.doc_type).sort(), ['order.cancelled', 'order.received', 'order.updated']);
      assert.ok(rows.every((r) => r.kind === 'webhook'));
    } finally {
      await t.store.db.deleteFrom('webhooks').where('id', '=', 'wh-intake').execute();
    }
  });

  test('when any part fails, nothing of the order is stored and the buyer is told to retry (5xx)', async () => {
    // A hook whose event list is not JSON makes the webhook step throw inside the transaction.
    const now = new Date().toISOString();
    await t.store.db.insertInto('webhooks').values({ id: 'wh-broken', url: 'http://127.0.0.1:9/hook', events: 'not json', secret_sealed: 'x', enabled: 1, description: '', created_at: now, updated_at: now }).execute();
    try {
      const before = await state();
      const r = await send({ orderID: newOrderId('FAIL'), lines: two });
      assert.equal(r.status.code, 500);
      assert.deepEqual(await state(), before);
    } finally {
      await t.store.db.deleteFrom('webhooks').where('id', '=', 'wh-broken').execute();
    }
  });
});

describe('header data and card numbers', () => {
  const CARD = '4111111111111111';

  test('addresses, shipping, tax, payment (masked), comments with attachments and extrinsics are stored; the card number nowhere', async () => {
    const orderID = newOrderId('HDR');
    const r = await send({
      orderID,
      lines: two,
      total: '25.12',
      header: {
        shipTo: { name: 'Dock 4', postalAddress: { deliverTo: ['Jane Doe'], street: ['Harbour Road 9'], city: 'Hamburg', postalCode: '20457', countryCode: 'DE' } },
        shipping: { money: { amount: dec('4.95'), currency: 'EUR' }, description: 'Standard' },
        tax: { money: { amount: dec('1.58'), currency: 'EUR' }, description: 'VAT' },
        payment: { number: CARD, expiration: '2030-12-31', name: 'Jane Doe' },
        comments: [{ text: 'Deliver before noon', attachmentUrls: ['cid:drawing-1@buyer.example'] }],
        extrinsics: [{ name: 'CostCenter', value: '4711' }],
      },
    });
    assert.equal(r.status.code, 200, r.status.detail);
    const o = (await orderRow(orderID))!;
    const header = JSON.parse(o.header) as Record<string, any>;
    assert.equal(header.shipTo.name, 'Dock 4');
    assert.deepEqual(header.shipTo.postalAddress.street, ['Harbour Road 9']);
    assert.equal(header.billTo.name, 'Buyer Accounts');
    assert.equal(header.shipping.money.raw, '4.95');
    assert.equal(header.tax.description, 'VAT');
    assert.equal(header.payment.maskedNumber, '************1111');
    assert.deepEqual(header.comments[0].attachmentUrls, ['cid:drawing-1@buyer.example']);
    assert.deepEqual(header.extrinsics, [{ name: 'CostCenter', value: '4711' }]);
    assert.equal(o.review, '[]', 'total = lines + shipping + tax');

    // Every row of every table, the document log included.
    const tables = ['orders', 'order_lines', 'order_events', 'cxml_receipts', 'documents', 'outbox'] as const;
    for (const table of tables) {
      const rows = await t.store.db.selectFrom(table).selectAll().execute();
      assert.ok(!JSON.stringify(rows).includes(CARD), `full card number stored in ${table}`);
    }
    const logged = await t.store.db.selectFrom('documents').select('body').where('payload_id', '=', r.payloadID).where('direction', '=', 'in').executeTakeFirstOrThrow();
    assert.match(logged.body, /number="\*{12}1111"/);
    assert.match(logged.body, /Deliver before noon/);
  });

  test('an OrderRequest refused at the door (wrong SharedSecret) is logged without the card number', async () => {
    const orderID = newOrderId('CARD');
    const { xml, payloadID } = orderXml({ orderID, lines: two, total: '25.12', header: { payment: { number: CARD, expiration: '2030-12-31' } } }, demoHeader('not-the-secret'));
    const r = await postCxml(t.baseUrl, xml);
    assert.equal(r.status.code, 401);
    const logged = await t.store.db.selectFrom('documents').select('body').where('payload_id', '=', payloadID).where('direction', '=', 'in').executeTakeFirstOrThrow();
    assert.ok(!logged.body.includes(CARD), 'full card number in the log of a refused document');
    assert.match(logged.body, /number="\*{12}1111"/);
  });

  test('maskCardNumbers keeps the document otherwise byte for byte and handles quotes, order and entities', () => {
    const doc = `<?xml version="1.0"?><cXML><Payment><PCard expiration='2030-01-01' number = '5500&#48;00000000004' name="A &amp; B"/></Payment><Other number="4111111111111111"/></cXML>`;
    const masked = maskCardNumbers(doc);
    assert.equal(masked, doc.replace(`'5500&#48;00000000004'`, `'************0004'`));
    assert.equal(maskCardNumbers('<a>no card</a>'), '<a>no card</a>');
    assert.match(maskCardNumbers('<a><PCard number="4111111111111111"'), /withheld/);
  });
});
