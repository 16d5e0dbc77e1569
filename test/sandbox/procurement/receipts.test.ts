/**
 * Goods receipts on a real store (SQLite, or PostgreSQL with DATABASE_URL): validation with each
 * problem on its field, over-delivery across receipts, returns, two receipts at once, stock booked
 * for inventory lines; and the route over real HTTP (303 on success, the order page with the typed
 * values and 422 on problems, 404 for an unknown order).
 *
 * Purchase orders are inserted directly (a real OrderRequest in order_xml, written by the cXML
 * writer), so the tests need no supplier.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Decimal } from 'decimal.js';
import { writeOrderRequest, type ItemOutInput } from '../../../src/protocol/cxml/writer.js';
import { buildOrderRequest } from '../../../src/sandbox/order-request.js';
import { cxmlHeader, defaultSettings, type SandboxSettings } from '../../../src/sandbox/settings.js';
import { eventsFor, newId } from '../../../src/sandbox/procurement/history.js';
import { findItem, insertItem, movementsFor } from '../../../src/sandbox/procurement/inventory.js';
import { receivedPerLine } from '../../../src/sandbox/procurement/match.js';
import { ProcurementError, type GoodsReceipt, type ProcurementDeps, type PurchaseOrder } from '../../../src/sandbox/procurement/model.js';
import { findPurchaseOrder, poLines } from '../../../src/sandbox/procurement/purchase-orders.js';
import { ReceiptRefused, receiptsFor, recordGoodsReceipt } from '../../../src/sandbox/procurement/receipts.js';
import { createRequisition } from '../../../src/sandbox/procurement/requisitions.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
let deps: ProcurementDeps;
let supplier: SandboxSettings;
const NOW = new Date('2026-12-03T12:00:00Z');
const form = { 'content-type': 'application/x-www-form-urlencoded' };

before(async () => {
  t = await startTestApp({ now: () => NOW });
  deps = { db: t.store.db, config: t.ctx.config, now: () => NOW, fetch };
  supplier = { ...defaultSettings(t.baseUrl), protocol: 'cxml' };
});

after(async () => {
  await t.close();
});

interface LineSpec {
  readonly qty: string;
  readonly price: string;
  readonly unit?: string;
  readonly inventoryItemId?: string;
}

let orders = 0;
/** An open purchase order with these lines (1..n), optionally from a requisition whose lines restock items. */
async function order(lines: readonly LineSpec[], o: { status?: string; requisition?: boolean } = {}): Promise<PurchaseOrder> {
  orders += 1;
  const id = newId('po');
  const orderID = `SBX-TEST-${orders}-${id.slice(-6)}`;
  const items: ItemOutInput[] = lines.map((l, i) => ({
    quantity: new Decimal(l.qty),
    lineNumber: i + 1,
    itemID: { supplierPartID: `P-${i + 1}` },
    itemDetail: { unitPrice: { amount: new Decimal(l.price), currency: 'EUR' }, descriptions: [{ lang: 'en-US', text: `Item ${i + 1}` }], unitOfMeasure: l.unit ?? 'EA', classifications: [{ domain: 'UNSPSC', code: '44121701' }] },
  }));
  const input = buildOrderRequest({ orderID, orderDate: NOW, items });
  const xml = writeOrderRequest({ payloadID: `${id}@sandbox.test`, timestamp: NOW, version: '1.2.071', offsetMinutes: 0 }, cxmlHeader(supplier), input);
  let requisitionId: string | null = null;
  if (o.requisition) {
    const req = await createRequisition(
      deps,
      {
        source: 'reorder',
        title: `Receipts test ${orders}`,
        requesterId: 'sam',
        costCenter: '1000',
        currency: 'EUR',
        supplier,
        lines: lines.map((l, i) => ({
          line: i + 1,
          supplierPartID: `P-${i + 1}`,
          description: `Item ${i + 1}`,
          quantity: l.qty,
          unit: l.unit ?? 'EA',
          unitPrice: l.price,
          lineTotal: new Decimal(l.qty).times(l.price).toFixed(2),
          currency: 'EUR',
          ...(l.inventoryItemId ? { inventoryItemId: l.inventoryItemId } : {}),
        })),
      },
      'person:sam',
    );
    requisitionId = req.id;
  }
  await t.store.db
    .insertInto('sandbox_purchase_orders')
    .values({
      id,
      order_id: orderID,
      requisition_id: requisitionId,
      punchout_id: null,
      supplier: JSON.stringify(supplier),
      status: o.status ?? 'open',
      version: 1,
      total: input.header.total.amount.toFixed(2),
      currency: 'EUR',
      order_xml: xml,
      created_at: NOW.toISOString(),
      updated_at: NOW.toISOString(),
    })
    .execute();
  return (await findPurchaseOrder(t.store.db, id))!;
}

async function refused(p: Promise<unknown>): Promise<ReceiptRefused> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ReceiptRefused, String(e));
    return e;
  }
  assert.fail('the receipt was recorded');
}

const problems = (e: ReceiptRefused) => e.problems.map((p) => [p.field, p.message]);

describe('recordGoodsReceipt', () => {
  test('the order fixture reads back as its lines', async () => {
    const po = await order([{ qty: '10', price: '1.95' }, { qty: '2.5', price: '4.00', unit: 'KGM' }]);
    assert.deepEqual(
      poLines(po).map((l) => [l.lineNumber, l.quantity, l.unit, l.unitPrice]),
      [
        [1, '10', 'EA', '1.95'],
        [2, '2.5', 'KGM', '4'],
      ],
    );
  });

  test('records a receipt: number, row, history, only the lines with a quantity', async () => {
    const po = await order([{ qty: '10', price: '1.95' }, { qty: '4', price: '12.50', unit: 'BOX' }]);
    const r = await recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: ' 8 ' }, { lineNumber: 2, quantity: '' }], receivedOn: '2026-12-01', note: 'Delivery note 4711' }, 'person:sam');
    assert.match(r.number, /^GR-\d+$/);
    assert.deepEqual(r.lines, [{ lineNumber: 1, quantity: '8' }]);
    assert.equal(r.receivedOn, '2026-12-01');
    assert.equal(r.receivedBy, 'person:sam');
    const stored = await receiptsFor(t.store.db, po.id);
    assert.deepEqual(stored, [r]);
    const events = await eventsFor(t.store.db, [{ type: 'po', id: po.id }]);
    assert.deepEqual(
      events.map((e) => [e.kind, e.actor, e.text]),
      [['received', 'person:sam', `Goods receipt ${r.number} (2026-12-01): line 1: 8 EA. Note: Delivery note 4711`]],
    );
    // Default date: today (UTC); a second receipt gets the next number.
    const r2 = await recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 2, quantity: '0' }, { lineNumber: 1, quantity: '2' }] }, 'person:sam');
    assert.equal(r2.receivedOn, '2026-12-03');
    assert.equal(Number(r2.number.slice(3)), Number(r.number.slice(3)) + 1);
    assert.deepEqual([...receivedPerLine(await receiptsFor(t.store.db, po.id))].map(([n, q]) => [n, q.toFixed()]), [[1, '10']]);
  });

  test('validation: each problem named on its field, nothing stored', async () => {
    const po = await order([{ qty: '10', price: '1.95' }, { qty: '4', price: '12.50' }]);
    let e = await refused(recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: '' }, { lineNumber: 2, quantity: '0' }] }, 'person:sam'));
    assert.equal(e.status, 422);
    assert.deepEqual(problems(e), [['lines', 'Enter the quantity received on at least one line (negative to send goods back).']]);

    e = await refused(
      recordGoodsReceipt(
        deps,
        po.id,
        { lines: [{ lineNumber: 1, quantity: '1,5' }, { lineNumber: 2, quantity: '2e1' }, { lineNumber: 9, quantity: '1' }], receivedOn: '2026-12-04', note: 'x'.repeat(2001) },
        'person:sam',
      ),
    );
    assert.equal(e.status, 422);
    assert.deepEqual(problems(e), [
      ['receivedOn', 'The date received 2026-12-04 is in the future; goods can be received up to today (2026-12-03).'],
      ['note', 'The note is 2001 characters long; at most 2000 are kept.'],
      ['qty-1', 'Line 1: "1,5" is not a quantity. Enter a decimal number with a point (1.5, not 1,5); negative to send goods back.'],
      ['qty-2', 'Line 2: "2e1" is not a quantity. Enter a decimal number with a point (1.5, not 1,5); negative to send goods back.'],
      ['qty-9', 'Line 9 is not a line of purchase order ' + po.orderId + ' (its lines: 1, 2).'],
    ]);

    e = await refused(recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: '1' }], receivedOn: '2026-02-30' }, 'person:sam'));
    assert.deepEqual(problems(e), [['receivedOn', 'The date received must be a date as YYYY-MM-DD (e.g. 2026-12-03); "2026-02-30" is not one.']]);
    assert.deepEqual(await receiptsFor(t.store.db, po.id), []);
    assert.deepEqual(await eventsFor(t.store.db, [{ type: 'po', id: po.id }]), []);
  });

  test('over-delivery is refused with the figures, across receipts', async () => {
    const po = await order([{ qty: '10', price: '1.95' }]);
    await recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: '6' }] }, 'person:sam');
    const e = await refused(recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: '5' }] }, 'person:sam'));
    assert.equal(e.status, 422);
    assert.deepEqual(problems(e), [['qty-1', 'Line 1: receiving 5 EA would make 11 EA received, but 10 EA were ordered and 6 EA were received before; at most 4 EA more can be received.']]);
    await recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: '4' }] }, 'person:sam');
    const again = await refused(recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: '0.001' }] }, 'person:sam'));
    assert.match(again.message, /at most 0 EA more/);
    assert.equal((await receiptsFor(t.store.db, po.id)).length, 2);
  });

  test('a quantity with more than 3 decimals is refused: a tiny receipt on a fully received line cannot leave the match clean', async () => {
    const po = await order([{ qty: '10', price: '1.95' }]);
    await recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: '10' }] }, 'person:sam');
    for (const tiny of ['0.0000000000000000000001', '0.0001', '-0.0000000000000000000001']) {
      const e = await refused(recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: tiny }] }, 'person:sam'));
      assert.equal(e.status, 422);
      assert.deepEqual(problems(e), [['qty-1', `Line 1: at most 3 decimals (quantities are kept to 3 decimals, like an OCI QUANTITY), got "${tiny}".`]]);
    }
    assert.equal((await receiptsFor(t.store.db, po.id)).length, 1);
    assert.deepEqual([...receivedPerLine(await receiptsFor(t.store.db, po.id))].map(([n, q]) => [n, q.toFixed()]), [[1, '10']]);
  });

  test('returns: a negative quantity sends goods back, never more than was received', async () => {
    const po = await order([{ qty: '10', price: '1.95' }, { qty: '3', price: '2.00' }]);
    await recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: '10' }] }, 'person:sam');
    const back = await recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: '-3' }], note: 'damaged' }, 'person:sam');
    assert.deepEqual(back.lines, [{ lineNumber: 1, quantity: '-3' }]);
    // The clock stands still in these tests: find the event by its kind, not its position.
    const events = await eventsFor(t.store.db, [{ type: 'po', id: po.id }]);
    assert.deepEqual(events.map((e) => e.kind).sort(), ['received', 'returned']);
    assert.match(events.find((e) => e.kind === 'returned')!.text, new RegExp(`^Goods receipt ${back.number} \\(2026-12-03\\): line 1: 3 EA sent back\\. Note: damaged$`));
    const e = await refused(recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: '-8' }, { lineNumber: 2, quantity: '-1' }] }, 'person:sam'));
    assert.deepEqual(problems(e), [
      ['qty-1', 'Line 1: sending back 8 EA is more than the 7 EA received so far.'],
      ['qty-2', 'Line 2: sending back 1 EA is more than the 0 EA received so far.'],
    ]);
    // After a return the line can be received up to the order again.
    await recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: '3' }] }, 'person:sam');
    assert.equal(receivedPerLine(await receiptsFor(t.store.db, po.id)).get(1)!.toFixed(), '10');
  });

  test('only open orders; unknown orders are 404', async () => {
    const po = await order([{ qty: '1', price: '1.00' }], { status: 'cancelled' });
    const e = await refused(recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: '1' }] }, 'person:sam'));
    assert.equal(e.status, 409);
    assert.deepEqual(problems(e), [[undefined, `Purchase order ${po.orderId} is cancelled: goods can be received only for an open order.`]]);
    await assert.rejects(recordGoodsReceipt(deps, 'po-nope', { lines: [{ lineNumber: 1, quantity: '1' }] }, 'person:sam'), (err: unknown) => err instanceof ProcurementError && err.status === 404);
  });

  test('two receipts at once that together over-deliver: one is refused', async () => {
    for (let round = 0; round < 3; round++) {
      const po = await order([{ qty: '10', price: '1.95' }]);
      const results = await Promise.allSettled([
        recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: '6' }] }, 'person:sam'),
        recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: '6' }] }, 'person:maria'),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected'], JSON.stringify(results));
      const no = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason;
      assert.ok(no instanceof ReceiptRefused, String(no));
      assert.match(no.message, /would make 12 EA received, but 10 EA were ordered and 6 EA were received before/);
      const stored: GoodsReceipt[] = await receiptsFor(t.store.db, po.id);
      assert.equal(stored.length, 1);
    }
  });

  test('lines that restock an inventory item add to its stock, once per receipt line', async () => {
    const item = await insertItem(
      deps,
      {
        name: 'Receipts test paper',
        supplierPartID: 'P-2',
        auxID: null,
        description: 'Paper',
        unit: 'BOX',
        unitPrice: '4.00',
        currency: 'EUR',
        classification: null,
        supplier,
        stock: '5',
        minStock: '0',
        reorderQuantity: '10',
        costCenter: '1000',
        requesterId: 'sam',
        active: true,
      },
      'person:sam',
    );
    const po = await order([{ qty: '2', price: '1.00' }, { qty: '10', price: '4.00', unit: 'BOX', inventoryItemId: item.id }], { requisition: true });
    const r = await recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: '2' }, { lineNumber: 2, quantity: '7' }] }, 'person:sam');
    assert.equal((await findItem(t.store.db, item.id))!.stock, '12');
    const moves = await movementsFor(t.store.db, item.id);
    const booked = moves.filter((m) => m.kind === 'receipt');
    assert.equal(booked.length, 1);
    assert.equal(booked[0]!.quantity, '7');
    const back = await recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 2, quantity: '-2' }] }, 'person:sam');
    assert.equal((await findItem(t.store.db, item.id))!.stock, '10');
    const keys = await t.store.db.selectFrom('sandbox_stock_movements').select('dedupe_key').where('item_id', '=', item.id).where('kind', '=', 'receipt').orderBy('created_at').orderBy('id').execute();
    assert.deepEqual(keys.map((k) => k.dedupe_key).sort(), [`receipt:${r.id}:2`, `receipt:${back.id}:2`].sort());
  });
});

describe('POST /sandbox/orders/:id/receipts', () => {
  async function post(poId: string, body: Record<string, string>, cookie = 'koppel_sandbox_person=sam') {
    return fetch(`${t.baseUrl}/sandbox/orders/${encodeURIComponent(poId)}/receipts`, { method: 'POST', redirect: 'manual', headers: { ...form, cookie }, body: new URLSearchParams(body).toString() });
  }

  test('a receipt: 303 to the order page, recorded for the person acting', async () => {
    const po = await order([{ qty: '10', price: '1.95' }, { qty: '4', price: '12.50' }]);
    const res = await post(po.id, { 'qty-1': '8', 'qty-2': '0', receivedOn: '', note: 'first delivery' });
    assert.equal(res.status, 303, await res.text());
    const [r] = await receiptsFor(t.store.db, po.id);
    assert.equal(res.headers.get('location'), `/sandbox/orders/${po.id}?received=${r!.number}#receipts`);
    assert.deepEqual([r!.receivedBy, r!.receivedOn, r!.note, r!.lines], ['person:sam', '2026-12-03', 'first delivery', [{ lineNumber: 1, quantity: '8' }]]);
    // The order page confirms it in the receipts section, and names who received it.
    const shown = await (await fetch(`${t.baseUrl}${res.headers.get('location')!.split('#')[0]}`, { headers: { cookie: 'koppel_sandbox_person=sam' } })).text();
    assert.ok(shown.includes(`Goods receipt <code class="token">${r!.number}</code> recorded.`), 'confirmation notice');
    assert.match(shown, /<td>Sam Okafor<\/td>/);
  });

  test('problems: 422, the order page with the typed values and each problem at its field', async () => {
    const po = await order([{ qty: '10', price: '1.95' }, { qty: '4', price: '12.50' }]);
    const res = await post(po.id, { 'qty-1': '11', 'qty-2': 'zwei', receivedOn: '2026-12-03', note: 'typed <note>' });
    const page = await res.text();
    assert.equal(res.status, 422, page);
    assert.match(page, /<input name="qty-1" value="11"[^>]*aria-invalid="true"/);
    assert.match(page, /<input name="qty-2" value="zwei"[^>]*aria-invalid="true"/);
    assert.ok(page.includes('value="typed &lt;note&gt;"'), 'the note comes back, escaped');
    assert.ok(page.includes('Line 1: receiving 11 EA would make 11 EA received, but 10 EA were ordered; at most 10 EA more can be received.'));
    assert.ok(page.includes('Line 2: &quot;zwei&quot; is not a quantity.'));
    assert.deepEqual(await receiptsFor(t.store.db, po.id), []);
  });

  test('an order that is not open: 409, the page says why and offers no form', async () => {
    const po = await order([{ qty: '1', price: '1.00' }], { status: 'cancelled' });
    const res = await post(po.id, { 'qty-1': '1' });
    const page = await res.text();
    assert.equal(res.status, 409, page);
    assert.ok(page.includes(`Purchase order ${po.orderId} is cancelled: goods can be received only for an open order.`), page);
    assert.ok(!page.includes('name="qty-1"'));
  });

  test('an unknown order is a 404 page', async () => {
    const res = await post('po-unknown', { 'qty-1': '1' });
    assert.equal(res.status, 404);
    assert.match(await res.text(), /Unknown purchase order/);
  });
});
