/**
 * Recurring orders on a real Koppel: a due schedule runs once even with two workers at once, its
 * next run moves on, a paused one does not run; the order reaches Koppel's own /cxml.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { seedDemo } from '../../../src/app/demo-seed.js';
import { defaultSettings } from '../../../src/sandbox/settings.js';
import { createItem, editItem, findItem, itemFormValues, itemFromForm } from '../../../src/sandbox/procurement/inventory.js';
import { eventsFor } from '../../../src/sandbox/procurement/history.js';
import type { InventoryItem, ProcurementDeps, ProcurementError } from '../../../src/sandbox/procurement/model.js';
import {
  AlreadyRunError,
  createSchedule,
  editSchedule,
  findSchedule,
  nextRunAfter,
  runDueSchedules,
  runNow,
  scheduleFromForm,
  ScheduleInputError,
  setScheduleActive,
  type ScheduleInput,
} from '../../../src/sandbox/procurement/schedules.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';

const DAY = 86_400_000;
let t: TestApp;
let clock = Date.now();
let deps: ProcurementDeps;
let coffee: InventoryItem;
let paper: InventoryItem;

before(async () => {
  t = await startTestApp({ demo: false, config: { secretKey: randomBytes(32).toString('base64') } });
  await seedDemo(t.ctx);
  deps = { db: t.store.db, config: t.ctx.config, now: () => new Date(clock), fetch };
  const supplier = { ...defaultSettings(t.baseUrl), protocol: 'cxml' as const };
  const base = { auxID: null, currency: 'EUR', classification: null, supplier, stock: '100', minStock: '0', reorderQuantity: '1', costCenter: '1000', requesterId: 'sam', active: true };
  coffee = await createItem(deps, { ...base, name: 'Coffee', supplierPartID: 'KP-10208', description: 'Coffee beans', unit: 'BG', unitPrice: '17.89' }, 'system');
  paper = await createItem(deps, { ...base, name: 'Paper', supplierPartID: 'KP-10035', description: 'Copy paper', unit: 'RM', unitPrice: '4.59' }, 'system');
});

after(async () => {
  await t.close();
});

function schedule(p: Partial<ScheduleInput> = {}): ScheduleInput {
  return {
    name: `Coffee ${randomBytes(3).toString('hex')}`,
    lines: [{ itemId: coffee.id, quantity: '2' }, { itemId: paper.id, quantity: '3' }],
    everyDays: 7,
    nextRunAt: new Date(clock - 1000).toISOString(),
    costCenter: '1000',
    requesterId: 'sam',
    active: true,
    ...p,
  };
}

async function requisitionsOf(scheduleId: string) {
  return t.store.db.selectFrom('sandbox_requisitions').selectAll().where('schedule_id', '=', scheduleId).execute();
}

describe('recurring orders', () => {
  test('a due schedule runs once even with two workers ticking at once; next_run_at moves on', async () => {
    const s = await createSchedule(deps, schedule(), 'person:sam');
    // Open pool connections first (PostgreSQL), so both workers really run at the same time.
    await Promise.all([1, 2, 3, 4].map(() => sql`select 1`.execute(t.store.db)));
    const [a, b] = await Promise.all([runDueSchedules(deps), runDueSchedules(deps)]);
    const mine = [...a, ...b].filter((r) => r.scheduleId === s.id);
    assert.equal(mine.length, 1, 'run once');
    const run = mine[0]!;
    assert.equal(run.error, undefined);
    assert.equal(run.requisition!.source, 'recurring');
    assert.equal(run.requisition!.scheduleId, s.id);
    assert.equal(run.requisition!.status, 'ordered');
    assert.deepEqual(run.requisition!.lines.map((l) => [l.supplierPartID, l.quantity, l.lineTotal, l.inventoryItemId]), [
      ['KP-10208', '2', '35.78', coffee.id],
      ['KP-10035', '3', '13.77', paper.id],
    ]);
    assert.equal(run.requisition!.total, '49.55');
    const stored = await t.store.db.selectFrom('orders').select('order_id').where('order_id', '=', run.po!.orderId).execute();
    assert.equal(stored.length, 1, 'Koppel stored the order');
    const after = (await findSchedule(t.store.db, s.id))!;
    assert.equal(after.nextRunAt, new Date(Date.parse(s.nextRunAt) + 7 * DAY).toISOString());
    assert.equal(after.lastRunAt, new Date(clock).toISOString());
    // Not due any more.
    assert.equal((await runDueSchedules(deps)).filter((r) => r.scheduleId === s.id).length, 0);
    assert.equal((await requisitionsOf(s.id)).length, 1);
    // A week later it runs again.
    clock += 7 * DAY;
    try {
      assert.equal((await runDueSchedules(deps)).filter((r) => r.scheduleId === s.id).length, 1);
    } finally {
      clock -= 7 * DAY;
    }
    assert.equal((await requisitionsOf(s.id)).length, 2);
  });

  test('a paused schedule does not run; resumed, it does', async () => {
    const s = await createSchedule(deps, schedule({ active: false }), 'person:sam');
    assert.equal((await runDueSchedules(deps)).filter((r) => r.scheduleId === s.id).length, 0);
    assert.equal((await requisitionsOf(s.id)).length, 0);
    await setScheduleActive(deps, s.id, true, 'person:sam');
    assert.equal((await runDueSchedules(deps)).filter((r) => r.scheduleId === s.id).length, 1);
    await setScheduleActive(deps, s.id, false, 'person:sam');
    const events = await eventsFor(t.store.db, [{ type: 'schedule', id: s.id }]);
    assert.deepEqual(events.map((e) => e.kind).sort(), ['created', 'paused', 'resumed', 'run'], 'one clock tick: the order is not known');
  });

  test('a schedule not yet due does not run; run now does, once for two clicks at once', async () => {
    const s = await createSchedule(deps, schedule({ nextRunAt: new Date(clock + DAY).toISOString() }), 'person:sam');
    assert.equal((await runDueSchedules(deps)).filter((r) => r.scheduleId === s.id).length, 0);
    await Promise.all([1, 2, 3, 4].map(() => sql`select 1`.execute(t.store.db)));
    const results = await Promise.allSettled([runNow(deps, s.id, 'person:sam', s.runCount), runNow(deps, s.id, 'person:sam', s.runCount)]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(refused.reason instanceof AlreadyRunError, String(refused.reason));
    assert.equal(refused.reason.status, 409);
    assert.equal((await requisitionsOf(s.id)).length, 1);
    const after = (await findSchedule(t.store.db, s.id))!;
    assert.equal(after.nextRunAt, s.nextRunAt, 'run now keeps the plan');
    assert.equal(after.runCount, s.runCount + 1);
  });

  test('run now with the run count the page showed: two clicks at once or one after the other order once', async () => {
    const s = await createSchedule(deps, schedule({ nextRunAt: new Date(clock + DAY).toISOString() }), 'person:sam');
    await Promise.all([1, 2, 3, 4].map(() => sql`select 1`.execute(t.store.db)));
    const both = await Promise.allSettled([1, 2, 3].map(() => runNow(deps, s.id, 'person:sam', s.runCount)));
    assert.equal(both.filter((r) => r.status === 'fulfilled').length, 1);
    assert.ok(both.every((r) => r.status === 'fulfilled' || r.reason instanceof AlreadyRunError));
    // The second click arrives after the first run has finished: still the page's count, still refused.
    await assert.rejects(runNow(deps, s.id, 'person:alex', s.runCount), AlreadyRunError);
    assert.equal((await requisitionsOf(s.id)).length, 1);
    // From the fresh page (count 1) it runs again.
    const fresh = (await findSchedule(t.store.db, s.id))!;
    assert.equal(fresh.runCount, 1);
    assert.equal((await runNow(deps, s.id, 'person:sam', fresh.runCount)).error, undefined);
    assert.equal((await requisitionsOf(s.id)).length, 2);
    // A due run counts too: a page from before it gets "just ran".
    clock += 2 * DAY;
    try {
      assert.equal((await runDueSchedules(deps)).filter((r) => r.scheduleId === s.id).length, 1);
    } finally {
      clock -= 2 * DAY;
    }
    await assert.rejects(runNow(deps, s.id, 'person:sam', fresh.runCount + 1), AlreadyRunError);
    // A count the page cannot have shown is not "just ran": reload.
    await assert.rejects(runNow(deps, s.id, 'person:sam', 99), (e: ProcurementError) => !(e instanceof AlreadyRunError) && e.status === 400 && /names run 99 of "[^"]+", which has run 3 time\(s\); nothing was ordered\. Reload the page\./.test(e.message));
    assert.equal((await requisitionsOf(s.id)).length, 3);
  });

  test('each run checks its items again: another currency, another supplier or an inactive item fails the run, nothing is ordered', async () => {
    const supplier = { ...defaultSettings(t.baseUrl), protocol: 'cxml' as const };
    const base = { auxID: null, currency: 'EUR', classification: null, supplier, stock: '100', minStock: '0', reorderQuantity: '1', costCenter: '1000', requesterId: 'sam', active: true, unit: 'EA' };
    const a = await createItem(deps, { ...base, name: 'Item A', supplierPartID: 'KP-10208', description: 'A', unitPrice: '100' }, 'system');
    const b = await createItem(deps, { ...base, name: 'Item B', supplierPartID: 'KP-10035', description: 'B', unitPrice: '500' }, 'system');
    const s = await createSchedule(deps, schedule({ lines: [{ itemId: a.id, quantity: '1' }, { itemId: b.id, quantity: '1' }], nextRunAt: new Date(clock + DAY).toISOString() }), 'person:sam');
    const change = async (id: string, fields: Record<string, string>) => {
      const it = (await findItem(t.store.db, id))!;
      const form = itemFromForm(new URLSearchParams({ ...itemFormValues(it, t.baseUrl), ...fields }), t.baseUrl, it);
      assert.deepEqual(form.problems, []);
      await editItem(deps, id, form.input!, 'person:sam');
    };
    const lastEvent = async () => (await eventsFor(t.store.db, [{ type: 'schedule', id: s.id }])).at(-1)!;

    await change(b.id, { currency: 'JPY', unitPrice: '500000' });
    let run = await runNow(deps, s.id, 'person:sam', (await findSchedule(t.store.db, s.id))!.runCount);
    assert.match(run.error ?? '', /Item B is priced in JPY, Item A in EUR/);
    assert.equal((await requisitionsOf(s.id)).length, 0, 'no requisition adding EUR and JPY');
    assert.equal((await lastEvent()).kind, 'run-failed');
    assert.match((await lastEvent()).text, /Run now failed: Nothing was ordered\. Item B is priced in JPY/);
    // The due run is checked the same way.
    clock += 2 * DAY;
    try {
      const due = (await runDueSchedules(deps)).filter((r) => r.scheduleId === s.id);
      assert.equal(due.length, 1);
      assert.match(due[0]!.error ?? '', /priced in JPY/);
    } finally {
      clock -= 2 * DAY;
    }

    await change(b.id, { currency: 'EUR', unitPrice: '500', cxmlUrl: 'https://other.example/cxml' });
    run = await runNow(deps, s.id, 'person:sam', (await findSchedule(t.store.db, s.id))!.runCount);
    assert.match(run.error ?? '', /Item B comes from another supplier than Item A/);

    await change(b.id, { cxmlUrl: supplier.cxmlUrl, active: '0' });
    run = await runNow(deps, s.id, 'person:sam', (await findSchedule(t.store.db, s.id))!.runCount);
    assert.match(run.error ?? '', /Item B is inactive/);
    assert.equal((await requisitionsOf(s.id)).length, 0);

    await change(b.id, { active: '1' });
    run = await runNow(deps, s.id, 'person:sam', (await findSchedule(t.store.db, s.id))!.runCount);
    assert.equal(run.error, undefined);
    assert.equal(run.requisition!.total, '600.00');
    assert.equal(run.requisition!.currency, 'EUR');
  });

  test('validation: items of one supplier, existing cost center, quantities above 0', async () => {
    const other = await createItem(
      deps,
      { name: 'Elsewhere', supplierPartID: 'X-1', auxID: null, description: 'x', unit: 'EA', unitPrice: '1', currency: 'EUR', classification: null, supplier: { ...defaultSettings('https://other.example'), protocol: 'cxml' }, stock: '1', minStock: '0', reorderQuantity: '1', costCenter: '1000', requesterId: 'sam', active: true },
      'system',
    );
    await assert.rejects(createSchedule(deps, schedule({ lines: [{ itemId: coffee.id, quantity: '1' }, { itemId: other.id, quantity: '1' }], costCenter: '9999' }), 'system'), (err: unknown) => {
      assert.ok(err instanceof ScheduleInputError);
      assert.deepEqual(err.problems.map((p) => p.field).sort(), ['costCenter', `qty_${other.id}`]);
      return true;
    });
    const form = scheduleFromForm(new URLSearchParams({ name: '', everyDays: '0', nextRun: 'soon', [`qty_${coffee.id}`]: '-1', costCenter: '1000', requesterId: 'sam' }));
    assert.equal(form.input, undefined);
    assert.deepEqual(form.problems.map((p) => p.field).sort(), ['everyDays', 'name', 'nextRun', `qty_${coffee.id}`]);
    const strict = scheduleFromForm(new URLSearchParams({ name: 'Weekly', everyDays: '7', nextRun: '2030-01-02', [`qty_${coffee.id}`]: '1e1', [`qty_${paper.id}`]: '0.0005', costCenter: '1000', requesterId: 'sam' }));
    assert.equal(strict.input, undefined);
    assert.deepEqual(strict.problems.map((p) => [p.field, p.message]), [
      [`qty_${coffee.id}`, 'Quantity: enter a plain number such as 2 or 0.5 (digits with a decimal point; no exponent, comma or thousands separator), got "1e1".'],
      [`qty_${paper.id}`, 'Quantity: at most 3 decimals (quantities are kept to 3 decimals, like an OCI QUANTITY), got "0.0005".'],
    ]);
    const ok = scheduleFromForm(new URLSearchParams({ name: 'Weekly', everyDays: '7', nextRun: '2030-01-02', [`qty_${coffee.id}`]: '2', [`qty_${paper.id}`]: '', costCenter: '1000', requesterId: 'sam', active: '1' }));
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(ok.input!.lines, [{ itemId: coffee.id, quantity: '2' }]);
    assert.equal(ok.input!.nextRunAt, '2030-01-02T06:00:00.000Z');
    const s = await createSchedule(deps, ok.input!, 'person:sam');
    const edited = await editSchedule(deps, s.id, { ...ok.input!, everyDays: 14, active: false }, 'person:sam');
    assert.equal(edited.everyDays, 14);
    assert.equal(edited.active, false);
  });

  test('missed runs are not made up (pure)', () => {
    const now = new Date('2026-03-20T00:00:00Z');
    assert.equal(nextRunAfter('2026-03-19T06:00:00.000Z', 7, now), '2026-03-26T06:00:00.000Z');
    assert.equal(nextRunAfter('2026-03-01T06:00:00.000Z', 7, now), '2026-03-22T06:00:00.000Z');
  });
});
