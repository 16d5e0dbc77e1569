/**
 * Inventory on a real Koppel: consumption, receipts into stock, and the automatic re-order whose
 * purchase order goes over real HTTP to this Koppel's own /cxml (the demo-cxml connection).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { seedDemo } from '../../../src/app/demo-seed.js';
import { dec } from '../../../src/protocol/money.js';
import { defaultSettings } from '../../../src/sandbox/settings.js';
import {
  adjustStock,
  checkReorder,
  consume,
  createItem,
  editItem,
  findItem,
  ItemInputError,
  itemFormValues,
  itemFromForm,
  movementsFor,
  onOrderFor,
  onOrderQuantities,
  reorderClosedReason,
  reorderStopReason,
  resumeReorder,
  stockFromReceipt,
  type ItemInput,
} from '../../../src/sandbox/procurement/inventory.js';
import { eventsFor } from '../../../src/sandbox/procurement/history.js';
import { ProcurementError, type ProcurementDeps } from '../../../src/sandbox/procurement/model.js';
import { cancelPurchaseOrder, changePurchaseOrder } from '../../../src/sandbox/procurement/purchase-orders.js';
import { findPerson } from '../../../src/sandbox/procurement/people.js';
import { recordGoodsReceipt } from '../../../src/sandbox/procurement/receipts.js';
import { decideStep } from '../../../src/sandbox/procurement/requisitions.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
let deps: ProcurementDeps;
let paper: { sku: string; price: string; unit: string; name: string };

before(async () => {
  t = await startTestApp({ demo: false, config: { secretKey: randomBytes(32).toString('base64') } });
  await seedDemo(t.ctx);
  deps = { db: t.store.db, config: t.ctx.config, now: () => new Date(), fetch };
  const p = await t.store.db.selectFrom('products').select(['sku', 'price', 'unit', 'name']).where('sku', '=', 'KP-10035').executeTakeFirstOrThrow();
  paper = p;
});

after(async () => {
  await t.close();
});

/** Opens pool connections first (PostgreSQL), so calls "at once" really overlap. */
async function warmPool(): Promise<void> {
  await Promise.all([1, 2, 3, 4, 5].map(() => sql`select 1`.execute(t.store.db)));
}

function input(p: Partial<ItemInput> = {}): ItemInput {
  return {
    name: `Paper ${randomBytes(3).toString('hex')}`,
    supplierPartID: paper.sku,
    auxID: null,
    description: paper.name,
    unit: paper.unit,
    unitPrice: paper.price,
    currency: 'EUR',
    classification: { domain: 'UNSPSC', code: '14111507' },
    supplier: { ...defaultSettings(t.baseUrl), protocol: 'cxml' },
    stock: '12',
    minStock: '10',
    reorderQuantity: '20',
    costCenter: '1000',
    requesterId: 'sam',
    active: true,
    ...p,
  };
}

async function koppelOrders(orderId: string) {
  return t.store.db.selectFrom('orders').select(['order_id', 'total', 'status']).where('order_id', '=', orderId).execute();
}

async function requisitionsFor(itemId: string) {
  const rows = await t.store.db.selectFrom('sandbox_requisitions').selectAll().where('lines', 'like', `%${itemId}%`).execute();
  return rows;
}

describe('items', () => {
  test('created with validation per field', async () => {
    await assert.rejects(
      createItem(deps, input({ name: '', unitPrice: 'abc', minStock: '-1', reorderQuantity: '0', costCenter: '9999', currency: 'euro' }), 'system'),
      (err: unknown) => {
        assert.ok(err instanceof ItemInputError);
        assert.equal(err.status, 422);
        assert.deepEqual(err.problems.map((p) => p.field).sort(), ['costCenter', 'currency', 'minStock', 'name', 'reorderQuantity', 'unitPrice']);
        return true;
      },
    );
    const item = await createItem(deps, input({ name: 'Created item', unitPrice: '4.590' }), 'person:sam');
    assert.equal(item.unitPrice, '4.59');
    assert.equal(item.stock, '12');
    assert.equal(item.supplier.sharedSecret, 'demo-secret');
    const events = await eventsFor(t.store.db, [{ type: 'item', id: item.id }]);
    assert.equal(events[0]!.kind, 'created');
  });

  test('the item form reads numbers strictly: no exponent, quantities to 3 decimals, each problem naming the field and value', async () => {
    const item = await createItem(deps, input({ name: 'Strict item' }), 'system');
    const values = itemFormValues(item, t.baseUrl);
    const bad = itemFromForm(new URLSearchParams({ ...values, unitPrice: '1e3', minStock: '1e-40', reorderQuantity: '0.0001', active: '1' }), t.baseUrl, item);
    assert.equal(bad.input, undefined);
    assert.deepEqual(bad.problems.map((p) => [p.field, p.message]), [
      ['unitPrice', 'Unit price: enter a plain number such as 12 or 4.59 (digits with a decimal point; no exponent, comma or thousands separator), got "1e3".'],
      ['minStock', 'Minimum stock: enter a plain number such as 12 or 2.5 (digits with a decimal point; no exponent, comma or thousands separator), got "1e-40".'],
      ['reorderQuantity', 'Re-order quantity: at most 3 decimals (quantities are kept to 3 decimals, like an OCI QUANTITY), got "0.0001".'],
    ]);
    await assert.rejects(createItem(deps, input({ stock: '5e1' }), 'system'), (err: unknown) => err instanceof ItemInputError && err.problems.some((p) => p.field === 'stock' && p.message.includes('got "5e1"')));
  });

  test('the form never shows the stored SharedSecret and keeps it when left empty', async () => {
    const item = await createItem(deps, input({ supplier: { ...defaultSettings(t.baseUrl), sharedSecret: 'real-secret' } }), 'system');
    const values = itemFormValues(item, t.baseUrl);
    assert.equal(values.sharedSecret, '');
    const form = new URLSearchParams({ ...values, minStock: '5', active: '1' });
    const parsed = itemFromForm(form, t.baseUrl, item);
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.input!.supplier.sharedSecret, 'real-secret');
    const edited = await editItem(deps, item.id, parsed.input!, 'person:sam');
    assert.equal(edited.minStock, '5');
    assert.equal(edited.stock, item.stock, 'an edit never changes the stock');
    const bad = itemFromForm(new URLSearchParams({ ...values, cxmlUrl: 'not a url', unit: 'pieces!' }), t.baseUrl, item);
    assert.equal(bad.input, undefined);
    assert.deepEqual(bad.problems.map((p) => p.field).sort(), ['cxmlUrl', 'unit']);
  });
});

describe('stock', () => {
  test('consumption never takes stock below 0 and says the figures', async () => {
    const item = await createItem(deps, input({ stock: '3', minStock: '0', reorderQuantity: '1' }), 'system');
    await assert.rejects(consume(deps, item.id, '4', 'person:sam'), (err: unknown) => {
      assert.ok(err instanceof ProcurementError);
      assert.equal(err.status, 422);
      assert.equal(err.field, 'quantity');
      assert.match(err.message, /Only 3 RM .* in stock: 4 cannot be taken/);
      return true;
    });
    await assert.rejects(consume(deps, item.id, '0', 'person:sam'), /above 0/);
    await assert.rejects(consume(deps, item.id, 'x', 'person:sam'), /enter a plain number/);
    await assert.rejects(consume(deps, 'inv-nothing', '1', 'person:sam'), (err: unknown) => err instanceof ProcurementError && err.status === 404);
    // Exponents and dust are refused before anything is recorded (1e-40 used to make a movement and leave the stock as it was).
    for (const q of ['1e-40', '0.0001', '1E0']) {
      await assert.rejects(consume(deps, item.id, q, 'person:sam'), (err: unknown) => err instanceof ProcurementError && err.status === 422 && err.field === 'quantity' && err.message.startsWith('Quantity: ') && err.message.includes(`"${q}"`));
    }
    await assert.rejects(adjustStock(deps, item.id, '3e0', 'person:sam'), (err: unknown) => err instanceof ProcurementError && err.field === 'counted' && /^Counted stock: .*got "3e0"/.test(err.message));
    assert.deepEqual(await movementsFor(t.store.db, item.id), []);

    // Several at once: exactly the units in stock are taken, never more.
    await warmPool();
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => consume(deps, item.id, '1', 'person:sam')));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
    const after = (await findItem(t.store.db, item.id))!;
    assert.equal(after.stock, '0');
    const moves = await movementsFor(t.store.db, item.id);
    assert.deepEqual(moves.map((m) => m.stockAfter).sort(), ['0', '1', '2']);
  });

  test('a receipt line adds to stock once, a return takes at most what is there', async () => {
    const item = await createItem(deps, input({ stock: '2', minStock: '0' }), 'system');
    const receipt = { receiptId: `gr-${randomBytes(4).toString('hex')}`, receiptNumber: 'GR-77', lines: [{ lineNumber: 1, inventoryItemId: item.id, quantity: '5' }], actor: 'person:sam', at: new Date() };
    await stockFromReceipt(t.store.db, receipt);
    await stockFromReceipt(t.store.db, receipt);
    await Promise.all([stockFromReceipt(t.store.db, receipt), stockFromReceipt(t.store.db, receipt)]);
    assert.equal((await findItem(t.store.db, item.id))!.stock, '7');
    // Inside the caller's transaction too.
    await t.store.db.transaction().execute(async (trx) => {
      await stockFromReceipt(trx, { ...receipt, receiptId: `${receipt.receiptId}-b` });
    });
    assert.equal((await findItem(t.store.db, item.id))!.stock, '12');
    await stockFromReceipt(t.store.db, { ...receipt, receiptId: `${receipt.receiptId}-ret`, lines: [{ lineNumber: 1, inventoryItemId: item.id, quantity: '-20' }] });
    assert.equal((await findItem(t.store.db, item.id))!.stock, '0');
    const moves = await movementsFor(t.store.db, item.id);
    assert.deepEqual(moves.map((m) => m.quantity).sort(), ['-12', '5', '5']);
  });

  test('a count sets the stock and records the difference', async () => {
    const item = await createItem(deps, input({ stock: '12', minStock: '0' }), 'system');
    const done = await adjustStock(deps, item.id, '15.5', 'person:sam', 'yearly count');
    assert.equal(done.item.stock, '15.5');
    assert.equal(done.movement.quantity, '3.5');
    await assert.rejects(adjustStock(deps, item.id, '-1', 'person:sam'), /at least 0/);
  });
});

describe('re-orders', () => {
  test('consumption below the minimum makes one re-order whose purchase order reaches Koppel', async () => {
    const item = await createItem(deps, input(), 'system');
    const first = await consume(deps, item.id, '1', 'person:sam');
    assert.equal(first.reorder.kind, 'none', '11 is not below 10');
    await consume(deps, item.id, '1', 'person:sam');
    const third = await consume(deps, item.id, '1', 'person:sam');
    assert.equal(third.item.stock, '9');
    assert.equal(third.reorder.kind, 'created');
    if (third.reorder.kind !== 'created') return;
    const req = third.reorder.requisition;
    assert.equal(req.source, 'reorder');
    assert.equal(req.status, 'ordered');
    assert.equal(req.requesterId, 'sam');
    assert.equal(req.costCenter, '1000');
    assert.equal(req.lines.length, 1);
    assert.equal(req.lines[0]!.quantity, '20');
    assert.equal(req.lines[0]!.inventoryItemId, item.id);
    assert.equal(req.lines[0]!.lineTotal, dec(paper.price).times(20).toFixed(2));
    assert.ok(third.reorder.po, 'a purchase order was placed');
    assert.equal(third.reorder.po!.status, 'open');
    const stored = await koppelOrders(third.reorder.po!.orderId);
    assert.equal(stored.length, 1, 'Koppel stored the order');
    assert.equal(dec(stored[0]!.total).toFixed(2), req.total);
    const fresh = (await findItem(t.store.db, item.id))!;
    assert.equal(fresh.openRequisitionId, req.id);

    // On order is counted: stock 8 + 20 on order is not short, and the open re-order blocks another.
    const fourth = await consume(deps, item.id, '1', 'person:sam');
    assert.equal(fourth.reorder.kind, 'open');
    assert.equal((await onOrderFor(t.store.db)).get(item.id)?.toFixed(), '20');
    assert.equal((await requisitionsFor(item.id)).length, 1);
  });

  test('two consumptions at once make exactly one re-order and one purchase order', async () => {
    const item = await createItem(deps, input({ stock: '11' }), 'system');
    await warmPool();
    const [a, b] = await Promise.all([consume(deps, item.id, '1', 'person:sam'), consume(deps, item.id, '1', 'person:alex')]);
    assert.equal((await findItem(t.store.db, item.id))!.stock, '9');
    const kinds = [a.reorder.kind, b.reorder.kind].sort();
    assert.ok(kinds.includes('created'), `one re-order: ${kinds.join(', ')}`);
    assert.equal(kinds.filter((k) => k === 'created').length, 1);
    const reqs = await requisitionsFor(item.id);
    assert.equal(reqs.length, 1);
    const pos = await t.store.db.selectFrom('sandbox_purchase_orders').select('order_id').where('requisition_id', '=', reqs[0]!.id).execute();
    assert.equal(pos.length, 1);
    assert.equal((await koppelOrders(pos[0]!.order_id)).length, 1);
  });

  test('many checks at once (the worker and a page) still make one re-order', async () => {
    const item = await createItem(deps, input({ stock: '9' }), 'system');
    await warmPool();
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => checkReorder(deps, item.id)));
    assert.equal(outcomes.filter((o) => o.kind === 'created').length, 1);
    assert.equal((await requisitionsFor(item.id)).length, 1);
  });

  test('a cancelled re-order is let go at the next check and the item is re-ordered again', async () => {
    const item = await createItem(deps, input({ stock: '9', reorderQuantity: '2' }), 'system');
    const first = await checkReorder(deps, item.id);
    assert.equal(first.kind, 'created');
    if (first.kind !== 'created') return;
    // Stock 9 + 2 on order = 11: not short while the order is open.
    assert.equal((await checkReorder(deps, item.id)).kind, 'open');
    assert.ok(first.po);
    await cancelPurchaseOrder(deps, first.po!.id, 'person:sam', 'test');
    const second = await checkReorder(deps, item.id);
    assert.equal(second.kind, 'created');
    if (second.kind !== 'created') return;
    assert.notEqual(second.requisition.id, first.requisition.id);
    const events = await eventsFor(t.store.db, [{ type: 'item', id: item.id }]);
    assert.ok(events.some((e) => e.kind === 'reorder-closed' && /cancelled/.test(e.text)), events.map((e) => e.text).join('\n'));
  });

  test('goods received: stock goes up once, the re-order is let go at the next check', async () => {
    const item = await createItem(deps, input({ stock: '9', reorderQuantity: '20' }), 'system');
    const made = await checkReorder(deps, item.id);
    assert.equal(made.kind, 'created');
    if (made.kind !== 'created') return;
    // Part of the goods: still open (9 + 12 received + 8 on order).
    await recordGoodsReceipt(deps, made.po!.id, { lines: [{ lineNumber: 1, quantity: '12' }] }, 'person:sam');
    assert.equal((await findItem(t.store.db, item.id))!.stock, '21');
    assert.equal((await onOrderFor(t.store.db)).get(item.id)?.toFixed(), '8');
    assert.equal((await checkReorder(deps, item.id)).kind, 'open');
    await recordGoodsReceipt(deps, made.po!.id, { lines: [{ lineNumber: 1, quantity: '8' }] }, 'person:sam');
    assert.equal((await findItem(t.store.db, item.id))!.stock, '29');
    assert.equal((await checkReorder(deps, item.id)).kind, 'none', 'not short: nothing ordered');
    assert.equal((await findItem(t.store.db, item.id))!.openRequisitionId, null, 'let go');
    const events = await eventsFor(t.store.db, [{ type: 'item', id: item.id }]);
    assert.ok(events.some((e) => e.kind === 'reorder-closed' && /received/.test(e.text)));
    assert.equal(events.filter((e) => e.kind === 'received').length, 2);
  });

  test('a purchase order lowered by a change: what it now orders counts, the re-order closes and a new one follows', async () => {
    // Stock 9, minimum 10, re-order 8: 9 + 8 on order until the order is lowered to 2.
    const item = await createItem(deps, input({ stock: '9', reorderQuantity: '8' }), 'system');
    const made = await checkReorder(deps, item.id);
    assert.equal(made.kind, 'created');
    if (made.kind !== 'created') return;
    await changePurchaseOrder(deps, made.po!.id, { 1: '2' }, 'person:sam');
    assert.equal((await onOrderFor(t.store.db)).get(item.id)?.toFixed(), '2', 'the changed order counts, not the requisition');
    await recordGoodsReceipt(deps, made.po!.id, { lines: [{ lineNumber: 1, quantity: '2' }] }, 'person:sam');
    assert.equal((await onOrderFor(t.store.db)).get(item.id)?.toFixed() ?? '0', '0', 'all that was ordered is received');
    // 11 in stock; taking 5 leaves 6 < 10: the old re-order is finished, a new one is made.
    const change = await consume(deps, item.id, '5', 'person:sam');
    assert.equal(change.reorder.kind, 'created', JSON.stringify(change.reorder));
    if (change.reorder.kind !== 'created') return;
    assert.notEqual(change.reorder.requisition.id, made.requisition.id);
    const events = await eventsFor(t.store.db, [{ type: 'item', id: item.id }]);
    assert.ok(events.some((e) => e.kind === 'reorder-closed' && /received/.test(e.text)), events.map((e) => e.text).join('\n'));
  });

  test('an inactive item is never re-ordered', async () => {
    const item = await createItem(deps, input({ stock: '1', active: false }), 'system');
    assert.equal((await checkReorder(deps, item.id)).kind, 'none');
  });
});

describe('a re-order that goes wrong stops re-ordering until a person resumes it', () => {
  // Koppel answers an OrderRequest with a wrong SharedSecret with a cXML 4xx: a supplier that rejects.
  const rejecting = () => ({ supplier: { ...defaultSettings(t.baseUrl), protocol: 'cxml' as const, sharedSecret: 'not-the-secret' } });

  test('the supplier rejects the order: one re-order, then held (not a new one every check)', async () => {
    const item = await createItem(deps, input({ stock: '11', ...rejecting() }), 'system');
    const first = await consume(deps, item.id, '2', 'person:sam');
    assert.equal(first.reorder.kind, 'created');
    if (first.reorder.kind !== 'created') return;
    assert.equal(first.reorder.po?.status, 'rejected');
    assert.ok(first.reorder.stopped, 'stopped at once');
    assert.match(first.reorder.stopped!.reason, /supplier rejected/);
    assert.equal(first.reorder.stopped!.orderId, first.reorder.po!.orderId);
    for (let i = 0; i < 3; i++) assert.equal((await checkReorder(deps, item.id)).kind, 'held');
    assert.equal((await consume(deps, item.id, '1', 'person:sam')).reorder.kind, 'held');
    assert.equal((await requisitionsFor(item.id)).length, 1, 'no second re-order');
    const fresh = (await findItem(t.store.db, item.id))!;
    assert.equal(fresh.openRequisitionId, null);
    assert.equal(fresh.reorderHold?.requisitionId, first.reorder.requisition.id);
    let events = await eventsFor(t.store.db, [{ type: 'item', id: item.id }]);
    assert.equal(events.filter((e) => e.kind === 'reorder-stopped').length, 1, events.map((e) => e.text).join('\n'));

    // Resumed with the cause still there: one new try, stopped again.
    const again = await resumeReorder(deps, item.id, 'person:sam');
    assert.equal(again.resumed, true);
    assert.equal(again.reorder.kind, 'created');
    assert.ok(again.reorder.kind === 'created' && again.reorder.stopped);
    assert.equal((await checkReorder(deps, item.id)).kind, 'held');
    assert.equal((await requisitionsFor(item.id)).length, 2);

    // Fixing the supplier (saving the item) resumes; the next check orders and the supplier accepts.
    const held = (await findItem(t.store.db, item.id))!;
    const form = itemFromForm(new URLSearchParams({ ...itemFormValues(held, t.baseUrl), sharedSecret: defaultSettings(t.baseUrl).sharedSecret }), t.baseUrl, held);
    const edited = await editItem(deps, item.id, form.input!, 'person:sam');
    assert.equal(edited.reorderHold, null);
    const fixed = await checkReorder(deps, item.id);
    assert.equal(fixed.kind, 'created');
    assert.equal(fixed.kind === 'created' && fixed.po?.status, 'open');
    events = await eventsFor(t.store.db, [{ type: 'item', id: item.id }]);
    assert.deepEqual(events.filter((e) => e.kind.startsWith('reorder-')).map((e) => [e.kind, e.actor]), [
      ['reorder-stopped', 'system'],
      ['reorder-resumed', 'person:sam'],
      ['reorder-stopped', 'system'],
      ['reorder-resumed', 'person:sam'],
    ]);
  });

  test('an approver rejects the re-order: no new one at the next check', async () => {
    // 20 × 100 EUR needs the manager: the re-order waits for Maria, who rejects it.
    const item = await createItem(deps, input({ stock: '9', unitPrice: '100', reorderQuantity: '20' }), 'system');
    const made = await checkReorder(deps, item.id);
    assert.equal(made.kind, 'created');
    if (made.kind !== 'created') return;
    assert.equal(made.requisition.status, 'pending');
    await decideStep(deps, made.requisition.id, { decision: 'reject', comment: 'We have enough paper' }, (await findPerson(t.store.db, 'maria'))!);
    const after = await checkReorder(deps, item.id);
    assert.equal(after.kind, 'stopped');
    assert.match(after.kind === 'stopped' ? after.hold.reason : '', new RegExp(`${made.requisition.number} was rejected`));
    assert.equal((await checkReorder(deps, item.id)).kind, 'held');
    assert.equal((await requisitionsFor(item.id)).length, 1);
    // Resuming (a person decided to order after all) makes the next re-order.
    const resumed = await resumeReorder(deps, item.id, 'person:sam');
    assert.equal(resumed.reorder.kind, 'created');
    assert.equal((await resumeReorder(deps, item.id, 'person:sam')).resumed, false, 'nothing to resume');
  });

  test('four eyes: whoever set up the item cannot approve the re-order it raises (the worker acts as system)', async () => {
    // Maria (approver) creates an item with Sam as requester and a re-order that needs a manager.
    const item = await createItem(deps, input({ stock: '9', unitPrice: '100', reorderQuantity: '20' }), 'person:maria');
    const made = await checkReorder(deps, item.id);
    assert.ok(made.kind === 'created' && made.requisition.status === 'pending');
    if (made.kind !== 'created') return;
    const maria = (await findPerson(t.store.db, 'maria'))!;
    await assert.rejects(
      decideStep(deps, made.requisition.id, { decision: 'approve', comment: '' }, maria),
      (err: unknown) => err instanceof ProcurementError && err.status === 403 && /^Maria Schulz set up the item or recurring order that raised REQ-\S+ and cannot approve/.test(err.message),
    );
    const [pending] = await t.store.db.selectFrom('sandbox_requisitions').select('status').where('id', '=', made.requisition.id).execute();
    assert.equal(pending!.status, 'pending', 'nothing decided');

    // Someone who only touches the item after the re-order was raised did not shape it: Maria
    // saves an item Sam set up while its re-order waits, and may still decide that re-order.
    const samsItem = await createItem(deps, input({ stock: '9', unitPrice: '100', reorderQuantity: '20' }), 'person:sam');
    const waiting = await checkReorder(deps, samsItem.id);
    assert.ok(waiting.kind === 'created' && waiting.requisition.status === 'pending');
    if (waiting.kind !== 'created') return;
    await new Promise((r) => setTimeout(r, 5)); // a later millisecond than the requisition
    const form = itemFromForm(new URLSearchParams({ ...itemFormValues(samsItem, t.baseUrl), name: `${samsItem.name} (renamed)` }), t.baseUrl, samsItem);
    await editItem(deps, samsItem.id, form.input!, 'person:maria');
    const decided = await decideStep(deps, waiting.requisition.id, { decision: 'approve', comment: 'ok' }, maria);
    assert.equal(decided.status, 'ordered');
  });
});

describe('on-order rule (pure)', () => {
  const lines = [
    { line: 1, quantity: '20', inventoryItemId: 'a' },
    { line: 2, quantity: '5', inventoryItemId: 'b' },
    { line: 3, quantity: '1' },
  ];
  test('ordered minus received, per item; closed requisitions count nothing', () => {
    const m = onOrderQuantities([
      { status: 'ordered', lines, poStatus: 'open', received: [{ lineNumber: 1, quantity: '8' }, { lineNumber: 1, quantity: '-2' }] },
      { status: 'pending', lines: [{ line: 1, quantity: '3', inventoryItemId: 'a' }], poStatus: null, received: [] },
      { status: 'cancelled', lines, poStatus: null, received: [] },
      { status: 'ordered', lines, poStatus: 'cancelled', received: [] },
      { status: 'ordered', lines: [{ line: 1, quantity: '2', inventoryItemId: 'b' }], poStatus: 'open', received: [{ lineNumber: 1, quantity: '5' }] },
    ]);
    assert.equal(m.get('a')?.toFixed(), '17');
    assert.equal(m.get('b')?.toFixed(), '5');
  });
  test("once there is a purchase order, its current lines count (a dropped line counts nothing)", () => {
    const m = onOrderQuantities([
      { status: 'ordered', lines, poStatus: 'open', received: [{ lineNumber: 1, quantity: '1' }], ordered: [{ lineNumber: 1, quantity: '4' }, { lineNumber: 3, quantity: '1' }] },
      { status: 'pending', lines: [{ line: 1, quantity: '3', inventoryItemId: 'a' }], poStatus: null, received: [], ordered: null },
    ]);
    assert.equal(m.get('a')?.toFixed(), '6', '4 ordered now − 1 received + 3 not yet ordered');
    assert.equal(m.get('b')?.toFixed(), '0', 'line 2 was dropped from the order');
    const r = { number: 'REQ-1', status: 'ordered', lines, poStatus: 'open', received: [{ lineNumber: 1, quantity: '2' }], ordered: [{ lineNumber: 1, quantity: '2' }] };
    assert.match(reorderClosedReason('a', r)!, /received/);
  });
  test('an open re-order closes when rejected, cancelled or received in full', () => {
    const r = (p: object) => ({ number: 'REQ-1', status: 'ordered', lines, poStatus: 'open', received: [], ...p });
    assert.equal(reorderClosedReason('a', r({})), null);
    assert.match(reorderClosedReason('a', r({ status: 'rejected' }))!, /rejected/);
    assert.match(reorderClosedReason('a', r({ poStatus: 'cancelled' }))!, /cancelled/);
    assert.equal(reorderClosedReason('a', r({ received: [{ lineNumber: 1, quantity: '19' }] })), null);
    assert.match(reorderClosedReason('a', r({ received: [{ lineNumber: 1, quantity: '20' }] }))!, /received/);
    assert.match(reorderClosedReason('a', undefined)!, /no longer exists/);
  });
  test('rejected requisitions and rejected or undelivered orders stop re-ordering; cancelled ones do not', () => {
    const r = (p: object) => ({ number: 'REQ-1', status: 'ordered', lines, poStatus: 'open', received: [], ...p });
    assert.equal(reorderStopReason(r({})), null);
    assert.match(reorderStopReason(r({ status: 'rejected', poStatus: null }))!, /REQ-1 was rejected/);
    assert.match(reorderStopReason(r({ poStatus: 'rejected' }))!, /supplier rejected/);
    assert.match(reorderStopReason(r({ poStatus: 'failed' }))!, /could not be delivered/);
    assert.equal(reorderStopReason(r({ poStatus: 'cancelled' })), null);
    assert.equal(reorderStopReason(r({ status: 'cancelled', poStatus: null })), null);
  });
});

