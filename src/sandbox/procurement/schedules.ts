/**
 * Recurring orders: a list of inventory items and quantities ordered every N days. When a
 * schedule is due the worker makes a requisition (source `recurring`, the items at their current
 * prices) and submits it as `system`; the approval rules decide the rest ("Automatic re-orders"
 * approves it and the purchase order is sent).
 *
 * Never twice: a run is claimed with a conditional update of next_run_at (only where it still
 * holds the value the worker read), so of two workers ticking at once only one runs it.
 * next_run_at moves on by every_days; runs missed while no worker was running are not made up
 * (it moves on until it lies in the future), so a long stop does not fire a burst of orders.
 * A run that fails is recorded in the schedule's history; "Run now" repeats it.
 *
 * Every run claims itself by raising run_count; "Run now" only where it still holds the value the
 * page showed (the form sends it), so a double click or two people at once run it once and the
 * second gets a 409 "just ran". Each run checks its items again (they may have been changed,
 * deactivated or moved to another supplier or currency since the schedule was saved) and fails,
 * with the reasons in the history, instead of ordering a mix.
 */
import type { Store } from '../../store/database.js';
import { Decimal, dec, minorUnits, roundMoney, tryDec } from '../../protocol/money.js';
import { newId, recordEvent } from './history.js';
import { findItem, type FieldProblem } from './inventory.js';
import { readQuantity } from './quantities.js';
import { newestFirst, ProcurementError, type InventoryItem, type ProcurementDeps, type Requisition, type RequisitionLine, type SandboxActor, type Schedule } from './model.js';
import { createRequisition, submitRequisition } from './requisitions.js';

const DAY_MS = 86_400_000;

type Row = {
  id: string;
  name: string;
  lines: string;
  every_days: number;
  next_run_at: string;
  last_run_at: string | null;
  cost_center: string;
  requester_id: string;
  active: number;
  run_count: number;
};

function toSchedule(r: Row): Schedule {
  return {
    id: r.id,
    name: r.name,
    lines: JSON.parse(r.lines) as Schedule['lines'],
    everyDays: Number(r.every_days),
    nextRunAt: r.next_run_at,
    lastRunAt: r.last_run_at,
    costCenter: r.cost_center,
    requesterId: r.requester_id,
    active: Number(r.active) === 1,
    runCount: Number(r.run_count),
  };
}

export async function listSchedules(db: Store): Promise<Schedule[]> {
  const rows = await db.selectFrom('sandbox_schedules').selectAll().orderBy('name').orderBy('id').execute();
  return rows.map(toSchedule);
}

export async function findSchedule(db: Store, id: string): Promise<Schedule | undefined> {
  const row = await db.selectFrom('sandbox_schedules').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSchedule(row) : undefined;
}

// ---- input ----------------------------------------------------------------------------------------

export interface ScheduleInput {
  readonly name: string;
  readonly lines: readonly { readonly itemId: string; readonly quantity: string }[];
  readonly everyDays: number;
  /** ISO timestamp of the next run. */
  readonly nextRunAt: string;
  readonly costCenter: string;
  readonly requesterId: string;
  readonly active: boolean;
}

export class ScheduleInputError extends ProcurementError {
  constructor(readonly problems: readonly FieldProblem[]) {
    super(problems.map((p) => p.message).join(' '), problems[0]?.field, 422);
    this.name = 'ScheduleInputError';
  }
}

/**
 * Reads the recurring-order form (pure): one quantity field `qty_<item id>` per item (empty or 0:
 * not in the order), `nextRun` as YYYY-MM-DD or YYYY-MM-DDTHH:MM in UTC.
 */
export function scheduleFromForm(form: URLSearchParams): { values: Record<string, string>; input: ScheduleInput | undefined; problems: FieldProblem[] } {
  const values: Record<string, string> = {};
  for (const [k, v] of form) values[k] = v;
  values.active = form.has('active') && form.get('active') !== '0' ? '1' : '';
  const problems: FieldProblem[] = [];
  const name = (form.get('name') ?? '').trim();
  if (name === '') problems.push({ field: 'name', message: 'Name: say what is ordered, e.g. "Weekly coffee".' });
  const everyText = (form.get('everyDays') ?? '').trim();
  const everyDays = Number(everyText);
  if (!/^\d+$/.test(everyText) || everyDays < 1 || everyDays > 366) problems.push({ field: 'everyDays', message: `Every: a whole number of days from 1 to 366, got "${everyText}".` });
  const nextText = (form.get('nextRun') ?? '').trim();
  const nextRunAt = parseRunTime(nextText);
  if (!nextRunAt) problems.push({ field: 'nextRun', message: `Next run: a date such as 2026-12-10 or 2026-12-10T06:00 (UTC), got "${nextText}".` });
  const lines: { itemId: string; quantity: string }[] = [];
  for (const [k, v] of form) {
    if (!k.startsWith('qty_')) continue;
    const text = v.trim();
    if (text === '') continue;
    const read = readQuantity(text, 'Quantity', '2 or 0.5');
    if (!read.ok || read.value.isNegative()) {
      problems.push({ field: k, message: read.ok ? `Quantity: a number of at least 0, got "${text}".` : read.problem });
      continue;
    }
    const d = read.value;
    if (!d.isZero()) lines.push({ itemId: k.slice(4), quantity: d.toFixed() });
  }
  if (lines.length === 0 && !problems.some((p) => p.field.startsWith('qty_'))) problems.push({ field: 'lines', message: 'Items: enter a quantity for at least one item.' });
  const costCenter = (form.get('costCenter') ?? '').trim();
  const requesterId = (form.get('requesterId') ?? '').trim();
  if (costCenter === '') problems.push({ field: 'costCenter', message: 'Cost center: choose one.' });
  if (requesterId === '') problems.push({ field: 'requesterId', message: 'Requester: choose one.' });
  const input = problems.length === 0 ? { name, lines, everyDays, nextRunAt: nextRunAt!, costCenter, requesterId, active: values.active === '1' } : undefined;
  return { values, input, problems };
}

function parseRunTime(text: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const t = Date.parse(`${m[1]}T${m[2] ?? '06:00'}:00.000Z`);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

/** Checks against the store: items exist, are active, and share one supplier and currency. */
async function checkSchedule(db: Store, input: ScheduleInput): Promise<{ problems: FieldProblem[]; items: InventoryItem[] }> {
  const problems: FieldProblem[] = [];
  const items: InventoryItem[] = [];
  if (input.name.trim() === '') problems.push({ field: 'name', message: 'Name: say what is ordered.' });
  if (!Number.isInteger(input.everyDays) || input.everyDays < 1 || input.everyDays > 366) problems.push({ field: 'everyDays', message: 'Every: a whole number of days from 1 to 366.' });
  if (!Number.isFinite(Date.parse(input.nextRunAt))) problems.push({ field: 'nextRun', message: 'Next run: not a date.' });
  if (input.lines.length === 0) problems.push({ field: 'lines', message: 'Items: enter a quantity for at least one item.' });
  for (const l of input.lines) {
    const item = await findItem(db, l.itemId);
    const q = tryDec(l.quantity);
    if (!item) problems.push({ field: `qty_${l.itemId}`, message: `Item ${l.itemId} does not exist.` });
    else items.push(item);
    if (!q || !q.isPositive() || q.isZero()) problems.push({ field: `qty_${l.itemId}`, message: `Quantity: must be above 0, got "${l.quantity}".` });
  }
  problems.push(...mixProblems(items));
  const cc = await db.selectFrom('sandbox_cost_centers').select('code').where('code', '=', input.costCenter).executeTakeFirst();
  if (!cc) problems.push({ field: 'costCenter', message: `Cost center: "${input.costCenter}" is not a cost center of the sandbox.` });
  const person = await db.selectFrom('sandbox_people').select('id').where('id', '=', input.requesterId).executeTakeFirst();
  if (!person) problems.push({ field: 'requesterId', message: `Requester: "${input.requesterId}" is not a person of the sandbox.` });
  return { problems, items };
}

/** Items of one order must share one supplier and one currency (pure). */
function mixProblems(items: readonly InventoryItem[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const first = items[0];
  if (!first) return problems;
  for (const it of items.slice(1)) {
    if (it.supplier.cxmlUrl !== first.supplier.cxmlUrl || it.supplier.to.identity !== first.supplier.to.identity) {
      problems.push({ field: `qty_${it.id}`, message: `${it.name} comes from another supplier than ${first.name}: one recurring order goes to one supplier.` });
    } else if (it.currency !== first.currency) {
      problems.push({ field: `qty_${it.id}`, message: `${it.name} is priced in ${it.currency}, ${first.name} in ${first.currency}: one recurring order has one currency.` });
    }
  }
  return problems;
}

export async function createSchedule(deps: ProcurementDeps, input: ScheduleInput, actor: SandboxActor, options: { skipChecks?: boolean } = {}): Promise<Schedule> {
  if (!options.skipChecks) {
    const { problems } = await checkSchedule(deps.db, input);
    if (problems.length > 0) throw new ScheduleInputError(problems);
  }
  const id = newId('sch');
  const at = deps.now();
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('sandbox_schedules')
      .values({
        id,
        name: input.name.trim(),
        lines: JSON.stringify(input.lines),
        every_days: input.everyDays,
        next_run_at: new Date(input.nextRunAt).toISOString(),
        last_run_at: null,
        cost_center: input.costCenter,
        requester_id: input.requesterId,
        active: input.active ? 1 : 0,
        created_at: at.toISOString(),
        updated_at: at.toISOString(),
      })
      .execute();
    await recordEvent(trx, {
      subjectType: 'schedule',
      subjectId: id,
      actor,
      kind: 'created',
      text: `Recurring order created: every ${input.everyDays} day(s), next run ${new Date(input.nextRunAt).toISOString()}${input.active ? '' : ' (paused)'}.`,
      at,
    });
  });
  return (await findSchedule(deps.db, id))!;
}

export async function editSchedule(deps: ProcurementDeps, id: string, input: ScheduleInput, actor: SandboxActor): Promise<Schedule> {
  const before = await findSchedule(deps.db, id);
  if (!before) throw new ProcurementError('There is no such recurring order.', undefined, 404);
  const { problems } = await checkSchedule(deps.db, input);
  if (problems.length > 0) throw new ScheduleInputError(problems);
  const at = deps.now();
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('sandbox_schedules')
      .set({
        name: input.name.trim(),
        lines: JSON.stringify(input.lines),
        every_days: input.everyDays,
        next_run_at: new Date(input.nextRunAt).toISOString(),
        cost_center: input.costCenter,
        requester_id: input.requesterId,
        active: input.active ? 1 : 0,
        updated_at: at.toISOString(),
      })
      .where('id', '=', id)
      .execute();
    await recordEvent(trx, {
      subjectType: 'schedule',
      subjectId: id,
      actor,
      kind: 'changed',
      text: `Changed: every ${input.everyDays} day(s), next run ${new Date(input.nextRunAt).toISOString()}, ${input.lines.length} item(s)${before.active !== input.active ? (input.active ? ', resumed' : ', paused') : ''}.`,
      at,
    });
  });
  return (await findSchedule(deps.db, id))!;
}

/** Pause or resume. Resuming a schedule whose date has passed runs it at the next tick. */
export async function setScheduleActive(deps: ProcurementDeps, id: string, active: boolean, actor: SandboxActor): Promise<Schedule> {
  const before = await findSchedule(deps.db, id);
  if (!before) throw new ProcurementError('There is no such recurring order.', undefined, 404);
  if (before.active === active) return before;
  const at = deps.now();
  await deps.db.transaction().execute(async (trx) => {
    await trx.updateTable('sandbox_schedules').set({ active: active ? 1 : 0, updated_at: at.toISOString() }).where('id', '=', id).execute();
    await recordEvent(trx, { subjectType: 'schedule', subjectId: id, actor, kind: active ? 'resumed' : 'paused', text: active ? `Resumed; next run ${before.nextRunAt}.` : 'Paused: it makes no orders until resumed.', at });
  });
  return (await findSchedule(deps.db, id))!;
}

// ---- running --------------------------------------------------------------------------------------

/** The next run after `from`: every_days later, moved on past `now` (missed runs are not made up). Pure. */
export function nextRunAfter(from: string, everyDays: number, now: Date): string {
  let t = Date.parse(from) + everyDays * DAY_MS;
  while (t <= now.getTime()) t += everyDays * DAY_MS;
  return new Date(t).toISOString();
}

export interface ScheduleRun {
  readonly scheduleId: string;
  readonly name: string;
  readonly requisition?: Requisition;
  readonly po?: { readonly id: string; readonly orderId: string; readonly status: string };
  readonly error?: string;
}

/** Makes and submits the requisition of one run (the caller has claimed it). Records the outcome. */
async function runClaimed(deps: ProcurementDeps, s: Schedule, actor: SandboxActor, why: string): Promise<ScheduleRun> {
  const { db } = deps;
  try {
    const items: InventoryItem[] = [];
    const lines: RequisitionLine[] = [];
    // The items as they are now: leaving one out or mixing currencies would order something else than planned.
    const problems: string[] = [];
    for (const l of s.lines) {
      const item = await findItem(db, l.itemId);
      if (!item) problems.push(`Item ${l.itemId} no longer exists.`);
      else if (!item.active) problems.push(`${item.name} is inactive.`);
      if (!item || !item.active) continue;
      items.push(item);
      const q = dec(l.quantity);
      lines.push({
        line: lines.length + 1,
        supplierPartID: item.supplierPartID,
        ...(item.auxID ? { auxID: item.auxID } : {}),
        description: item.description || item.name,
        quantity: q.toFixed(),
        unit: item.unit,
        unitPrice: item.unitPrice,
        lineTotal: roundMoney(q.times(dec(item.unitPrice)), item.currency).toFixed(minorUnits(item.currency)),
        currency: item.currency,
        ...(item.classification ? { classification: item.classification } : {}),
        inventoryItemId: item.id,
      });
    }
    problems.push(...mixProblems(items).map((p) => p.message));
    const first = items[0];
    if (problems.length > 0 || !first) {
      throw new ProcurementError(`Nothing was ordered. ${problems.join(' ')} Change the items or this recurring order, then run it again.`);
    }
    const total = lines.reduce((sum, l) => sum.plus(dec(l.lineTotal)), new Decimal(0));
    let requisition = await createRequisition(
      deps,
      {
        source: 'recurring',
        scheduleId: s.id,
        title: `${s.name} (recurring)`,
        requesterId: s.requesterId,
        costCenter: s.costCenter,
        lines,
        currency: first.currency,
        supplier: first.supplier,
        note: `Recurring order "${s.name}", every ${s.everyDays} day(s).`,
      },
      actor,
    );
    await recordEvent(db, { subjectType: 'schedule', subjectId: s.id, actor, kind: 'run', text: `${why}: requisition ${requisition.number} created (${lines.length} line(s), ${total.toFixed(minorUnits(first.currency))} ${first.currency}).`, at: deps.now() });
    requisition = await submitRequisition(deps, requisition.id, actor);
    const po = requisition.poId
      ? await db.selectFrom('sandbox_purchase_orders').select(['id', 'order_id', 'status']).where('id', '=', requisition.poId).executeTakeFirst()
      : undefined;
    return { scheduleId: s.id, name: s.name, requisition, ...(po ? { po: { id: po.id, orderId: po.order_id, status: po.status } } : {}) };
  } catch (err) {
    const error = (err as Error).message;
    await recordEvent(db, { subjectType: 'schedule', subjectId: s.id, actor, kind: 'run-failed', text: `${why} failed: ${error}`, at: deps.now() });
    return { scheduleId: s.id, name: s.name, error };
  }
}

/** Runs every active schedule whose next_run_at has come, each once (claimed in the database). */
export async function runDueSchedules(deps: ProcurementDeps): Promise<ScheduleRun[]> {
  const now = deps.now();
  const due = await deps.db
    .selectFrom('sandbox_schedules')
    .selectAll()
    .where('active', '=', 1)
    .where('next_run_at', '<=', now.toISOString())
    .orderBy('next_run_at')
    .execute();
  const runs: ScheduleRun[] = [];
  for (const row of due) {
    const s = toSchedule(row);
    const next = nextRunAfter(s.nextRunAt, s.everyDays, now);
    const claimed = await deps.db
      .updateTable('sandbox_schedules')
      .set((eb) => ({ next_run_at: next, last_run_at: now.toISOString(), run_count: eb('run_count', '+', 1), updated_at: now.toISOString() }))
      .where('id', '=', s.id)
      .where('next_run_at', '=', s.nextRunAt)
      .where('active', '=', 1)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) continue; // another worker has it
    runs.push(await runClaimed(deps, s, 'system', `Due run of ${s.nextRunAt} (next ${next})`));
  }
  return runs;
}

/**
 * Runs a schedule at once (also when paused); its next_run_at stays. `seenRunCount` is the
 * run_count the person's page showed: the claim raises it only from that value in one UPDATE,
 * so of two clicks (or two people) only one runs and the other gets a 409 saying it just ran.
 * It is required: a count read here would let a second click that reads after the first
 * run's claim order again.
 */
export async function runNow(deps: ProcurementDeps, id: string, actor: SandboxActor, seenRunCount: number): Promise<ScheduleRun> {
  const s = await findSchedule(deps.db, id);
  if (!s) throw new ProcurementError('There is no such recurring order.', undefined, 404);
  const expected = seenRunCount;
  if (expected > s.runCount) throw new ProcurementError(`The Run now form names run ${expected} of "${s.name}", which has run ${s.runCount} time(s); nothing was ordered. Reload the page.`, undefined, 400);
  const now = deps.now().toISOString();
  const claimed = await deps.db
    .updateTable('sandbox_schedules')
    .set((eb) => ({ last_run_at: now, run_count: eb('run_count', '+', 1), updated_at: now }))
    .where('id', '=', id)
    .where('run_count', '=', expected)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) throw new AlreadyRunError(s.name);
  return runClaimed(deps, { ...s, runCount: expected + 1 }, actor, 'Run now');
}

/** "Run now" found the schedule run since the page was shown (a double click, another person, the worker). */
export class AlreadyRunError extends ProcurementError {
  constructor(name: string) {
    super(`Recurring order "${name}" has just been run (a second click, or someone else at the same time); nothing more was ordered. Its latest requisition is listed below; click Run now again to order once more.`, undefined, 409);
    this.name = 'AlreadyRunError';
  }
}

/** The requisitions a schedule made, newest first. */
export async function requisitionsForSchedule(db: Store, id: string, limit = 20): Promise<{ id: string; number: string; status: string; total: string; currency: string; createdAt: string }[]> {
  const rows = await db
    .selectFrom('sandbox_requisitions')
    .select(['id', 'number', 'status', 'total', 'currency', 'created_at'])
    .where('schedule_id', '=', id)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.sort(newestFirst).map((r) => ({ id: r.id, number: r.number, status: r.status, total: r.total, currency: r.currency, createdAt: r.created_at }));
}
