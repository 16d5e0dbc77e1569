/**
 * The inventory and recurring-order pages on a full Koppel (app.inject for the pages; the
 * purchase orders still go over real HTTP to the listening server's /cxml).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { defaultSettings } from '../../../src/sandbox/settings.js';
import { DEMO_ITEMS, DEMO_SCHEDULE_NAME } from '../../../src/sandbox/procurement/inventory-seed.js';
import { findItem } from '../../../src/sandbox/procurement/inventory.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;

before(async () => {
  t = await startTestApp({ config: { secretKey: randomBytes(32).toString('base64') } });
  // The seed ran before the port was known: point the demo items at the listening server.
  await t.store.db.updateTable('sandbox_inventory_items').set({ supplier: JSON.stringify({ ...defaultSettings(t.baseUrl), protocol: 'cxml' }) }).execute();
});

after(async () => {
  await t.close();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function post(url: string, fields: Record<string, string>) {
  return t.app.inject({ method: 'POST', url, headers: FORM, payload: new URLSearchParams(fields).toString() });
}

async function get(url: string) {
  return t.app.inject({ method: 'GET', url });
}

describe('demo inventory', () => {
  test('three items from the demo catalog and a recurring order that has not fired', async () => {
    for (const d of DEMO_ITEMS) {
      const item = (await findItem(t.store.db, d.id))!;
      const product = await t.store.db.selectFrom('products').select(['sku', 'price', 'unit']).where('sku', '=', d.sku).executeTakeFirstOrThrow();
      assert.equal(item.supplierPartID, product.sku);
      assert.equal(item.unitPrice, product.price);
      assert.equal(item.unit, product.unit);
      assert.equal(item.requesterId, 'sam');
      assert.equal(item.costCenter, '1000');
      assert.ok(Number(item.stock) >= Number(item.minStock));
    }
    const schedules = await t.store.db.selectFrom('sandbox_schedules').selectAll().execute();
    assert.equal(schedules.length, 1);
    assert.equal(schedules[0]!.name, DEMO_SCHEDULE_NAME);
    assert.ok(Date.parse(schedules[0]!.next_run_at) > Date.now() + 6 * 86_400_000);
    const recurring = await t.store.db.selectFrom('sandbox_requisitions').select('id').where('source', '=', 'recurring').execute();
    assert.equal(recurring.length, 0);
  });
});

describe('inventory pages', () => {
  test('the list shows stock, minimum and a consume form per item', async () => {
    const res = await get('/sandbox/inventory');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<a href="\/sandbox\/inventory" aria-current="page">Inventory<\/a>/);
    for (const d of DEMO_ITEMS) {
      assert.ok(res.body.includes(d.name), d.name);
      assert.ok(res.body.includes(`action="/sandbox/inventory/${d.id}/consume"`));
    }
  });

  test('three consumptions of paper: the third says which re-order and purchase order were made', async () => {
    let res = await post('/sandbox/inventory/inv-paper/consume', { quantity: '1', back: 'list' });
    assert.equal(res.statusCode, 303);
    assert.match(res.headers.location as string, /^\/sandbox\/inventory\?consumed=inv-paper&qty=1&reorder=none/);
    await post('/sandbox/inventory/inv-paper/consume', { quantity: '1', back: 'list' });
    res = await post('/sandbox/inventory/inv-paper/consume', { quantity: '1', back: 'list' });
    assert.equal(res.statusCode, 303);
    const location = res.headers.location as string;
    assert.match(location, /reorder=created&req=/);
    const page = await get(location);
    assert.equal(page.statusCode, 200);
    // The re-order and its purchase order are named and linked, as the approval notice links them.
    assert.match(page.body, /Took 1 RM of Copy paper A4 \(ream\) from stock; 9 left\. Re-order <a class="code" href="\/sandbox\/requisitions\/[^"]+">REQ-\d{8}-\d+<\/a> created; purchase order <a class="code" href="\/sandbox\/orders\/[^"]+">SBX-\d{8}-\d+<\/a> sent\./);
    const po = /purchase order <a class="code" href="[^"]+">(SBX-\d{8}-\d+)<\/a> sent/.exec(page.body)![1]!;
    const stored = await t.store.db.selectFrom('orders').select('order_id').where('order_id', '=', po).execute();
    assert.equal(stored.length, 1, 'Koppel stored the order');
    // The list links the open re-order; the item page shows it with its purchase order.
    const list = await get('/sandbox/inventory');
    assert.match(list.body, /<a href="\/sandbox\/requisitions\/[^"]+">REQ-/);
    const detail = await get('/sandbox/inventory/inv-paper');
    assert.equal(detail.statusCode, 200);
    assert.ok(detail.body.includes(po));
    assert.match(detail.body, /Stock movements/);
    assert.match(detail.body, /re-order REQ-\d{8}-\d+ for 20 RM/);
  });

  test('taking more than is in stock: 422 with the typed quantity and the figures; back to the item page', async () => {
    const res = await post('/sandbox/inventory/inv-toner/consume', { quantity: '99', back: 'item' });
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /value="99"/);
    assert.match(res.body, /Only 3 EA of Toner NL-240 black in stock: 99 cannot be taken/);
    assert.match(res.body, /aria-invalid="true"/);
    assert.match(res.body, /<h1>Toner NL-240 black<\/h1>/);
    const bad = await post('/sandbox/inventory/inv-toner/consume', { quantity: 'lots', back: 'list' });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /value="lots"/);
    assert.equal((await findItem(t.store.db, 'inv-toner'))!.stock, '3');
  });

  test('unknown items are 404', async () => {
    assert.equal((await get('/sandbox/inventory/nothing-here')).statusCode, 404);
    assert.equal((await post('/sandbox/inventory/nothing-here/consume', { quantity: '1' })).statusCode, 404);
    assert.equal((await post('/sandbox/recurring/nothing-here/run', {})).statusCode, 404);
  });

  test('adding an item: problems by field with the values kept; the SharedSecret is never shown again', async () => {
    const fields = { name: 'Staples', supplierPartID: 'KP-10090', unit: 'BX', unitPrice: 'cheap', currency: 'EUR', stock: '5', minStock: '2', reorderQuantity: '0', costCenter: '1000', requesterId: 'sam', active: '1', sharedSecret: 'top-secret-typed' };
    const bad = await post('/sandbox/inventory', fields);
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /value="Staples"/);
    assert.match(bad.body, /value="cheap"/);
    assert.match(bad.body, /id="unitPrice-problem"/);
    assert.match(bad.body, /id="reorderQuantity-problem"/);
    assert.ok(!bad.body.includes('top-secret-typed'), 'a typed secret is not echoed');
    const ok = await post('/sandbox/inventory', { ...fields, unitPrice: '1.25', reorderQuantity: '10' });
    assert.equal(ok.statusCode, 303);
    const location = ok.headers.location as string;
    const page = await get(location);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Item added\./);
    assert.match(page.body, /requested for Sam Okafor \(sam\)<\/dd>/);
    assert.ok(!page.body.includes('top-secret-typed'));
    const id = /\/sandbox\/inventory\/([^?]+)/.exec(location)![1]!;
    const item = (await findItem(t.store.db, id))!;
    assert.equal(item.supplier.sharedSecret, 'top-secret-typed');
    assert.equal(item.supplier.cxmlUrl, `${t.ctx.config.baseUrl}/cxml`);
    // Editing without a secret keeps it; a bad minimum comes back with what was typed.
    const edit = { name: 'Staples 24/6', supplierPartID: 'KP-10090', unit: 'BX', unitPrice: '1.25', currency: 'EUR', minStock: 'some', reorderQuantity: '10', costCenter: '1000', requesterId: 'sam', active: '1', sharedSecret: '' };
    const badEdit = await post(location.split('?')[0]!, edit);
    assert.equal(badEdit.statusCode, 422);
    assert.match(badEdit.body, /value="Staples 24\/6"/);
    assert.match(badEdit.body, /id="minStock-problem"/);
    const goodEdit = await post(location.split('?')[0]!, { ...edit, minStock: '3' });
    assert.equal(goodEdit.statusCode, 303);
    const edited = (await findItem(t.store.db, id))!;
    assert.equal(edited.name, 'Staples 24/6');
    assert.equal(edited.minStock, '3');
    assert.equal(edited.supplier.sharedSecret, 'top-secret-typed');
  });
});

describe('a stopped re-order on the pages', () => {
  test('the supplier rejects: the notice says so, list and item page show why with links, Resume re-ordering', async () => {
    // A wrong SharedSecret: Koppel's /cxml rejects the OrderRequest with a cXML 4xx.
    await t.store.db.updateTable('sandbox_inventory_items').set({ supplier: JSON.stringify({ ...defaultSettings(t.baseUrl), protocol: 'cxml', sharedSecret: 'wrong' }) }).where('id', '=', 'inv-coffee').execute();
    const res = await post('/sandbox/inventory/inv-coffee/consume', { quantity: '3', back: 'item' });
    assert.equal(res.statusCode, 303);
    const page = await get(res.headers.location as string);
    assert.match(page.body, /purchase order <a class="code" href="\/sandbox\/orders\/po-[\w-]+">SBX-\d{8}-\d+<\/a> rejected by the supplier\. Automatic re-ordering of this item is stopped until someone resumes it/);
    assert.match(page.body, /<strong>Automatic re-order stopped:<\/strong> the supplier rejected the purchase order of re-order REQ-\d{8}-\d+ \(<a href="\/sandbox\/requisitions\/[^"]+">REQ-[^<]+<\/a>, purchase order <a href="\/sandbox\/orders\/[^"]+">SBX-/);
    assert.match(page.body, /action="\/sandbox\/inventory\/inv-coffee\/resume-reorder"[^>]*><button type="submit" class="button small">Resume re-ordering<\/button>/);
    const list = await get('/sandbox/inventory');
    assert.match(list.body, /href="\/sandbox\/inventory\/inv-coffee#reorder-stopped" class="badge error"[^>]*>stopped<\/a> the supplier rejected/);
    // Taking more says nothing was ordered and why.
    const more = await get((await post('/sandbox/inventory/inv-coffee/consume', { quantity: '1', back: 'list' })).headers.location as string);
    assert.match(more.body, /Nothing was re-ordered: automatic re-ordering of this item is stopped because the supplier rejected/);
    const before = await t.store.db.selectFrom('sandbox_requisitions').select('id').where('lines', 'like', '%inv-coffee%').execute();
    assert.equal(before.length, 1);

    // Fixed, then resumed: the re-order goes out.
    await t.store.db.updateTable('sandbox_inventory_items').set({ supplier: JSON.stringify({ ...defaultSettings(t.baseUrl), protocol: 'cxml' }) }).where('id', '=', 'inv-coffee').execute();
    const resumed = await post('/sandbox/inventory/inv-coffee/resume-reorder', {});
    assert.equal(resumed.statusCode, 303);
    const after = await get(resumed.headers.location as string);
    assert.match(after.body, /Automatic re-ordering of Coffee beans 1 kg resumed\. Re-order <a class="code" href="\/sandbox\/requisitions\/req-[\w-]+">REQ-\d{8}-\d+<\/a> created; purchase order <a class="code" href="\/sandbox\/orders\/po-[\w-]+">SBX-\d{8}-\d+<\/a> sent\./);
    assert.doesNotMatch(after.body, /Automatic re-order stopped:/);
    assert.match(after.body, /Automatic re-ordering resumed \(it had stopped because the supplier rejected/);
  });
});

describe('recurring-order pages', () => {
  test('list, add (422 then 303), pause, resume, run now', async () => {
    const list = await get('/sandbox/recurring');
    assert.equal(list.statusCode, 200);
    assert.ok(list.body.includes(DEMO_SCHEDULE_NAME));
    assert.match(list.body, /aria-current="page">Recurring orders/);
    assert.match(list.body, /requested for Sam Okafor \(sam\)<\/dd>/, 'the person by name, as in the forms');

    const bad = await post('/sandbox/recurring', { name: 'Monthly paper', everyDays: 'thirty', nextRun: '2030-01-01', 'qty_inv-paper': '4', costCenter: '1000', requesterId: 'sam', active: '1' });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /value="Monthly paper"/);
    assert.match(bad.body, /id="everyDays-problem"/);
    assert.match(bad.body, /name="qty_inv-paper" value="4"/);

    const ok = await post('/sandbox/recurring', { name: 'Monthly paper', everyDays: '30', nextRun: '2030-01-01', 'qty_inv-paper': '4', costCenter: '1000', requesterId: 'sam', active: '1' });
    assert.equal(ok.statusCode, 303);
    const s = await t.store.db.selectFrom('sandbox_schedules').selectAll().where('name', '=', 'Monthly paper').executeTakeFirstOrThrow();
    const page = await get(ok.headers.location as string);
    assert.match(page.body, /Recurring order &quot;Monthly paper&quot; added/);

    const paused = await post(`/sandbox/recurring/${s.id}`, { action: 'pause' });
    assert.equal(paused.statusCode, 303);
    assert.equal((await t.store.db.selectFrom('sandbox_schedules').select('active').where('id', '=', s.id).executeTakeFirstOrThrow()).active, 0);
    await post(`/sandbox/recurring/${s.id}`, { action: 'resume' });
    assert.equal((await t.store.db.selectFrom('sandbox_schedules').select('active').where('id', '=', s.id).executeTakeFirstOrThrow()).active, 1);

    // A form without the run count it was shown with orders nothing and says to reload.
    const stale = await post(`/sandbox/recurring/${s.id}/run`, {});
    assert.equal(stale.statusCode, 400);
    assert.match(stale.body, /Nothing was ordered: the Run now form for &quot;[^&]+&quot; did not say how often the page had seen it run\. Reload the page/);
    assert.equal((await t.store.db.selectFrom('sandbox_requisitions').select('id').where('schedule_id', '=', s.id).execute()).length, 0);

    const run = await post(`/sandbox/recurring/${s.id}/run`, { runs: '0' });
    assert.equal(run.statusCode, 303);
    const after = await get(run.headers.location as string);
    assert.match(after.body, /run now\. Requisition <a class="code" href="\/sandbox\/requisitions\/[^"]+">REQ-\d{8}-\d+<\/a> created; purchase order <a class="code" href="\/sandbox\/orders\/[^"]+">SBX-\d{8}-\d+<\/a> sent\./);
    const reqs = await t.store.db.selectFrom('sandbox_requisitions').select(['source', 'status']).where('schedule_id', '=', s.id).execute();
    assert.deepEqual(reqs, [{ source: 'recurring', status: 'ordered' }]);

    // A double click: two POSTs with the run count the page showed order once; the second says it just ran.
    const shown = /name="runs" value="(\d+)"/.exec((await get('/sandbox/recurring')).body.slice((await get('/sandbox/recurring')).body.indexOf(`id="s-${s.id}"`)))![1]!;
    assert.equal(shown, '1');
    const clicks = await Promise.all([post(`/sandbox/recurring/${s.id}/run`, { runs: shown }), post(`/sandbox/recurring/${s.id}/run`, { runs: shown })]);
    assert.deepEqual(clicks.map((c) => c.statusCode), [303, 303]);
    const where = clicks.map((c) => /done=([a-z-]+)/.exec(c.headers.location as string)![1]).sort();
    assert.deepEqual(where, ['already-ran', 'ran']);
    assert.equal((await t.store.db.selectFrom('sandbox_requisitions').select('id').where('schedule_id', '=', s.id).execute()).length, 2);
    const second = await get(clicks.find((c) => /already-ran/.test(c.headers.location as string))!.headers.location as string);
    assert.equal(second.statusCode, 200);
    assert.match(second.body, /Recurring order &quot;Monthly paper&quot; had just been run at [0-9-]+ [0-9:]+ UTC \(a second click, or someone else at the same time\), so nothing more was ordered\. Latest requisition: REQ-/);

    // An item moved to another currency: the run fails and the card says why.
    await t.store.db.updateTable('sandbox_inventory_items').set({ currency: 'JPY' }).where('id', '=', 'inv-paper').execute();
    await post('/sandbox/recurring', { name: 'Paper and coffee', everyDays: '30', nextRun: '2030-01-01', 'qty_inv-paper': '1', 'qty_inv-coffee': '1', costCenter: '1000', requesterId: 'sam', active: '1' }).then((r) => assert.equal(r.statusCode, 422, 'refused when saved'));
    await t.store.db.updateTable('sandbox_inventory_items').set({ currency: 'EUR' }).where('id', '=', 'inv-paper').execute();
    const mixed = await post('/sandbox/recurring', { name: 'Paper and coffee', everyDays: '30', nextRun: '2030-01-01', 'qty_inv-paper': '1', 'qty_inv-coffee': '1', costCenter: '1000', requesterId: 'sam', active: '1' });
    assert.equal(mixed.statusCode, 303);
    const m = await t.store.db.selectFrom('sandbox_schedules').selectAll().where('name', '=', 'Paper and coffee').executeTakeFirstOrThrow();
    await t.store.db.updateTable('sandbox_inventory_items').set({ currency: 'JPY' }).where('id', '=', 'inv-paper').execute();
    try {
      const failed = await post(`/sandbox/recurring/${m.id}/run`, { runs: '0' });
      assert.match(failed.headers.location as string, /done=run-failed/);
      const card = await get(failed.headers.location as string);
      assert.match(card.body, /could not be run; the reason is shown below/);
      assert.match(card.body, /<strong>Last run failed<\/strong> \([^)]*UTC\): Run now failed: Nothing was ordered\. (Copy paper A4 \(ream\)|Coffee beans 1 kg) is priced in (JPY|EUR), .* in (EUR|JPY): one recurring order has one currency\./);
      assert.equal((await t.store.db.selectFrom('sandbox_requisitions').select('id').where('schedule_id', '=', m.id).execute()).length, 0);
    } finally {
      await t.store.db.updateTable('sandbox_inventory_items').set({ currency: 'EUR' }).where('id', '=', 'inv-paper').execute();
    }

    const badEdit = await post(`/sandbox/recurring/${s.id}`, { action: 'save', name: '', everyDays: '30', nextRun: '2030-01-01', 'qty_inv-paper': '4', costCenter: '1000', requesterId: 'sam' });
    assert.equal(badEdit.statusCode, 422);
    assert.match(badEdit.body, /id="name-problem"/);
  });
});
