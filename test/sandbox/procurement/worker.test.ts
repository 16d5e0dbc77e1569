/**
 * The background job on a listening Koppel: it re-orders an item below its minimum and runs due
 * recurring orders without anyone clicking; the purchase order reaches Koppel's own /cxml and
 * Koppel stores it. Errors are logged, never thrown; stop() waits for the running tick.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { seedDemo } from '../../../src/app/demo-seed.js';
import { loadConfig } from '../../../src/config.js';
import { defaultSettings } from '../../../src/sandbox/settings.js';
import { createItem, editItem, findItem, itemFormValues, itemFromForm, type ItemInput } from '../../../src/sandbox/procurement/inventory.js';
import type { ProcurementDeps } from '../../../src/sandbox/procurement/model.js';
import { createSchedule } from '../../../src/sandbox/procurement/schedules.js';
import { procurementTick, startProcurementWorker, type WorkerLog } from '../../../src/sandbox/procurement/worker.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
let deps: ProcurementDeps;

before(async () => {
  t = await startTestApp({ demo: false, config: { secretKey: randomBytes(32).toString('base64') } });
  await seedDemo(t.ctx);
  deps = { db: t.store.db, config: t.ctx.config, now: () => new Date(), fetch };
  // Items the seed made before the port was known point elsewhere; this test makes its own.
  await t.store.db.updateTable('sandbox_inventory_items').set({ active: 0 }).execute();
  await t.store.db.updateTable('sandbox_schedules').set({ active: 0 }).execute();
});

after(async () => {
  await t.close();
});

function item(p: Partial<ItemInput> = {}): ItemInput {
  return {
    name: `Toner ${randomBytes(3).toString('hex')}`,
    supplierPartID: 'KP-10140',
    auxID: null,
    description: 'Toner cartridge NL-240, black',
    unit: 'EA',
    unitPrice: '82.99',
    currency: 'EUR',
    classification: null,
    supplier: { ...defaultSettings(t.baseUrl), protocol: 'cxml' },
    stock: '3',
    minStock: '2',
    reorderQuantity: '2',
    costCenter: '1000',
    requesterId: 'sam',
    active: true,
    ...p,
  };
}

function collectingLog() {
  const errors: string[] = [];
  const infos: string[] = [];
  const log: WorkerLog = { info: (_o, msg) => infos.push(msg), error: (o, msg) => errors.push(`${msg} ${JSON.stringify(o)}`) };
  return { log, errors, infos };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('procurement worker', () => {
  test('a tick re-orders an item below its minimum: the PO reaches Koppel and Koppel stores it', async () => {
    const it = await createItem(deps, item(), 'system');
    const { log, errors } = collectingLog();
    const worker = startProcurementWorker(deps, { intervalMs: 30, log });
    try {
      // The minimum is raised above the stock: nobody consumes, the worker notices.
      const form = itemFromForm(new URLSearchParams({ ...itemFormValues(it, t.baseUrl), minStock: '5' }), t.baseUrl, it);
      await editItem(deps, it.id, form.input!, 'person:sam');
      const po = await until('the purchase order', async () => {
        const fresh = await findItem(t.store.db, it.id);
        if (!fresh?.openRequisitionId || fresh.openRequisitionId.startsWith('claim:')) return undefined;
        return t.store.db.selectFrom('sandbox_purchase_orders').selectAll().where('requisition_id', '=', fresh.openRequisitionId).where('status', '=', 'open').executeTakeFirst();
      });
      const stored = await t.store.db.selectFrom('orders').select(['order_id', 'total', 'currency']).where('order_id', '=', po.order_id).execute();
      assert.equal(stored.length, 1, 'Koppel stored the order');
      assert.equal(stored[0]!.currency, 'EUR');
      // Further ticks make no second re-order.
      await new Promise((r) => setTimeout(r, 150));
      const reqs = await t.store.db.selectFrom('sandbox_requisitions').select('id').where('lines', 'like', `%${it.id}%`).execute();
      assert.equal(reqs.length, 1);
      assert.deepEqual(errors, []);
    } finally {
      await worker.stop();
    }
  });

  test('a supplier that rejects re-orders: one re-order, stop logged once, no new order on later ticks', async () => {
    // A wrong SharedSecret: Koppel answers the OrderRequest with a cXML 4xx, as a refusing supplier would.
    const it = await createItem(deps, item({ stock: '1', supplier: { ...defaultSettings(t.baseUrl), protocol: 'cxml', sharedSecret: 'wrong' } }), 'system');
    const { log, errors } = collectingLog();
    for (let i = 0; i < 5; i++) await procurementTick(deps, log);
    const reqs = await t.store.db.selectFrom('sandbox_requisitions').select(['id', 'po_id']).where('lines', 'like', `%${it.id}%`).execute();
    assert.equal(reqs.length, 1, 'one re-order in five ticks');
    const po = await t.store.db.selectFrom('sandbox_purchase_orders').select('status').where('id', '=', reqs[0]!.po_id!).executeTakeFirstOrThrow();
    assert.equal(po.status, 'rejected');
    const mine = errors.filter((e) => e.includes(it.id));
    assert.equal(mine.length, 1, mine.join('\n'));
    assert.match(mine[0]!, /automatic re-order stopped/);
    assert.ok((await findItem(t.store.db, it.id))!.reorderHold);
    await t.store.db.updateTable('sandbox_inventory_items').set({ active: 0 }).where('id', '=', it.id).execute();
  });

  test('stop waits for the running tick and no tick starts afterwards', async () => {
    let calls = 0;
    let sending = 0;
    const slow: ProcurementDeps = {
      ...deps,
      now: () => {
        calls += 1;
        return new Date();
      },
      // The supplier answers slowly, so stop() comes while the order is on its way.
      fetch: async (input, init) => {
        sending += 1;
        await new Promise((r) => setTimeout(r, 300));
        return fetch(input, init);
      },
    };
    const it = await createItem(deps, item({ stock: '1', minStock: '2' }), 'system');
    const worker = startProcurementWorker(slow, { intervalMs: 10, log: collectingLog().log });
    await until('the order being sent', async () => (sending > 0 ? true : undefined));
    await worker.stop();
    const fresh = (await findItem(t.store.db, it.id))!;
    const po = await t.store.db.selectFrom('sandbox_purchase_orders').select(['id', 'status']).where('requisition_id', '=', fresh.openRequisitionId!).executeTakeFirst();
    assert.equal(po?.status, 'open', 'the tick finished before stop() returned');
    const seen = calls;
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(calls, seen, 'no tick after stop');
  });

  test('errors are logged, not thrown: a recurring order whose item is gone', async () => {
    const it = await createItem(deps, item({ minStock: '0' }), 'system');
    await createSchedule(deps, { name: 'Broken', lines: [{ itemId: it.id, quantity: '1' }], everyDays: 1, nextRunAt: new Date(Date.now() - 1000).toISOString(), costCenter: '1000', requesterId: 'sam', active: true }, 'system');
    await t.store.db.updateTable('sandbox_inventory_items').set({ active: 0 }).where('id', '=', it.id).execute();
    const { log, errors } = collectingLog();
    await procurementTick(deps, log);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /recurring order failed.*Nothing was ordered.*is inactive/);
    // A store that fails: logged too.
    const broken: ProcurementDeps = { ...deps, db: new Proxy(deps.db, { get: (target, prop) => (prop === 'selectFrom' ? () => { throw new Error('store down'); } : Reflect.get(target, prop)) }) };
    const second = collectingLog();
    await procurementTick(broken, second.log);
    assert.ok(second.errors.some((e) => /store down/.test(e) || /failed/.test(e)), second.errors.join('\n'));
  });
});

describe('KOPPEL_SANDBOX_TICK_MS', () => {
  test('default one minute; a whole number of milliseconds; nonsense stops the start', () => {
    assert.equal(loadConfig({}).sandboxTickMs, 60_000);
    assert.equal(loadConfig({ KOPPEL_SANDBOX_TICK_MS: ' 500 ' }).sandboxTickMs, 500);
    assert.throws(() => loadConfig({ KOPPEL_SANDBOX_TICK_MS: 'soon' }), /KOPPEL_SANDBOX_TICK_MS/);
    assert.throws(() => loadConfig({ KOPPEL_SANDBOX_TICK_MS: '0' }), /KOPPEL_SANDBOX_TICK_MS/);
  });
});
