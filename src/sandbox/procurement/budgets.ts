/**
 * Budgets per cost center and period, and their ledger (`sandbox_budget_entries`): a requisition's
 * total is committed on final approval; accepted invoices turn it into actual spend (credit memos
 * subtract); cancellation and change orders adjust the commitment. The standing is always summed
 * from the ledger, never stored.
 *
 * Concurrency: every function that checks "available" first touches the budget row (an update
 * that changes nothing visible), which on PostgreSQL locks it until the transaction ends, so two
 * approvals at once are checked one after the other. SQLite runs one write transaction at a time.
 */
import { Decimal } from 'decimal.js';
import type { Store } from '../../store/database.js';
import type { SandboxBudgetTable } from '../../store/schema.js';
import { formatMoney, isCurrencyCode } from '../../protocol/money.js';
import { assertNoProblems } from './form-problems.js';
import { amountProblem } from './amounts.js';
import { newId, recordEvent } from './history.js';
import { ProcurementError, type Budget, type BudgetStanding, type SandboxActor } from './model.js';

function fromRow(row: SandboxBudgetTable): Budget {
  return { id: row.id, costCenter: row.cost_center, periodStart: row.period_start, periodEnd: row.period_end, amount: row.amount, currency: row.currency };
}

/** Runs `fn` in a transaction, or in the caller's when `db` is one already. */
export async function inTransaction<T>(db: Store, fn: (trx: Store) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute((trx) => fn(trx));
}

/** YYYY-MM-DD of a moment, UTC. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function money(amount: Decimal | string, currency: string): string {
  return `${formatMoney(new Decimal(amount), currency)} ${currency}`;
}

export async function findBudget(db: Store, id: string): Promise<Budget | undefined> {
  const row = await db.selectFrom('sandbox_budgets').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** The budget of a cost center whose period contains `day` (YYYY-MM-DD). */
export async function budgetFor(db: Store, costCenter: string, day: string): Promise<Budget | undefined> {
  const row = await db
    .selectFrom('sandbox_budgets')
    .selectAll()
    .where('cost_center', '=', costCenter)
    .where('period_start', '<=', day)
    .where('period_end', '>=', day)
    .orderBy('period_start', 'desc')
    .executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export async function listBudgets(db: Store): Promise<Budget[]> {
  const rows = await db.selectFrom('sandbox_budgets').selectAll().orderBy('cost_center').orderBy('period_start', 'desc').execute();
  return rows.map(fromRow);
}

/** committed / spent / available of one budget, summed from its ledger. */
export async function budgetStanding(db: Store, budget: Budget): Promise<BudgetStanding> {
  const entries = await db.selectFrom('sandbox_budget_entries').select(['kind', 'amount']).where('budget_id', '=', budget.id).execute();
  let committed = new Decimal(0);
  let spent = new Decimal(0);
  for (const e of entries) {
    if (e.kind === 'commitment') committed = committed.plus(e.amount);
    else if (e.kind === 'actual') spent = spent.plus(e.amount);
  }
  const available = new Decimal(budget.amount).minus(committed).minus(spent);
  return { ...budget, committed: committed.toFixed(), spent: spent.toFixed(), available: available.toFixed() };
}

export async function listStandings(db: Store): Promise<BudgetStanding[]> {
  const out: BudgetStanding[] = [];
  for (const b of await listBudgets(db)) out.push(await budgetStanding(db, b));
  return out;
}

/** Locks the budget row for the rest of the transaction (PostgreSQL); see the file comment. */
async function lockBudget(db: Store, budgetId: string): Promise<void> {
  await db.updateTable('sandbox_budgets').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', budgetId).execute();
}

/** What a requisition has on the ledger: its budget, open commitment and invoiced amount. */
export async function requisitionLedger(db: Store, requisitionId: string): Promise<{ budgetId: string; committed: Decimal; spent: Decimal } | undefined> {
  const entries = await db.selectFrom('sandbox_budget_entries').select(['budget_id', 'kind', 'amount']).where('requisition_id', '=', requisitionId).orderBy('created_at').execute();
  if (entries.length === 0) return undefined;
  let committed = new Decimal(0);
  let spent = new Decimal(0);
  for (const e of entries) {
    if (e.kind === 'commitment') committed = committed.plus(e.amount);
    else if (e.kind === 'actual') spent = spent.plus(e.amount);
  }
  return { budgetId: entries[0]!.budget_id, committed, spent };
}

/**
 * Checks the budget and books the requisition's commitment — run inside the approval's
 * transaction. No budget for the period: nothing checked or booked (returns undefined).
 * Throws ProcurementError (nothing booked) when the currency differs or the total exceeds what
 * is available. Booked once per requisition (dedupe key).
 */
export async function commitRequisition(
  db: Store,
  req: { id: string; number: string; costCenter: string; total: string; currency: string },
  at: Date,
  actor: SandboxActor | string,
): Promise<BudgetStanding | undefined> {
  const budget = await budgetFor(db, req.costCenter, utcDay(at));
  if (!budget) return undefined;
  if (budget.currency.toUpperCase() !== req.currency.toUpperCase()) {
    throw new ProcurementError(
      `Cannot approve: the budget of cost center ${req.costCenter} is kept in ${budget.currency}, the requisition is in ${req.currency}; there is no exchange rate in the sandbox.`,
    );
  }
  await lockBudget(db, budget.id);
  const standing = await budgetStanding(db, budget);
  const total = new Decimal(req.total);
  if (total.gt(standing.available)) {
    throw new ProcurementError(
      `Over budget: cost center ${req.costCenter} has ${money(standing.available, budget.currency)} available, the requisition total is ${money(total, req.currency)}.`,
    );
  }
  const inserted = await db
    .insertInto('sandbox_budget_entries')
    .values({
      id: newId('be'),
      budget_id: budget.id,
      requisition_id: req.id,
      po_id: null,
      kind: 'commitment',
      amount: formatMoney(total, budget.currency),
      reason: `Approved ${req.number}`,
      dedupe_key: `commit:${req.id}`,
      created_at: at.toISOString(),
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) {
    await recordEvent(db, { subjectType: 'budget', subjectId: budget.id, actor, kind: 'committed', text: `${money(total, req.currency)} committed for ${req.number}.`, at });
  }
  return budgetStanding(db, budget);
}

/** Releases whatever a requisition still has committed (cancellation before an order exists). */
export async function releaseRequisition(db: Store, req: { id: string; number: string }, at: Date, actor: SandboxActor | string, reason: string): Promise<void> {
  const ledger = await requisitionLedger(db, req.id);
  if (!ledger || ledger.committed.isZero()) return;
  await db
    .insertInto('sandbox_budget_entries')
    .values({ id: newId('be'), budget_id: ledger.budgetId, requisition_id: req.id, po_id: null, kind: 'commitment', amount: ledger.committed.negated().toFixed(), reason, dedupe_key: null, created_at: at.toISOString() })
    .execute();
  const budget = await findBudget(db, ledger.budgetId);
  await recordEvent(db, { subjectType: 'budget', subjectId: ledger.budgetId, actor, kind: 'released', text: `${money(ledger.committed, budget?.currency ?? '')} released: ${reason}.`, at });
}

async function requisitionOfOrder(db: Store, poId: string): Promise<{ id: string; number: string } | undefined> {
  const po = await db.selectFrom('sandbox_purchase_orders').select('requisition_id').where('id', '=', poId).executeTakeFirst();
  const byPo = po?.requisition_id
    ? await db.selectFrom('sandbox_requisitions').select(['id', 'number']).where('id', '=', po.requisition_id).executeTakeFirst()
    : await db.selectFrom('sandbox_requisitions').select(['id', 'number']).where('po_id', '=', poId).executeTakeFirst();
  return byPo;
}

/**
 * An invoice (positive) or credit memo (negative) the sandbox accepted for a purchase order: books
 * the actual spend on the budget its requisition committed, and releases as much of the
 * commitment (an invoice releases min(amount, open commitment); a credit memo releases nothing —
 * it gives the money back to the budget). Booked once per `key` — documents.ts passes one per
 * (order, purpose, invoice number), so the same invoice under a new payloadID cannot book twice;
 * the default is per document. Does nothing for an order without a requisition or budget. An
 * invoice in another currency than the budget is not booked; the budget's history says so.
 */
export async function recordInvoiceSpend(
  db: Store,
  input: { poId: string; documentId: string; amount: string; currency: string; at: Date; key?: string; label?: string },
): Promise<void> {
  await inTransaction(db, (trx) => bookInvoice(trx, input));
}

/** The actual spend booked for a purchase order's invoices, by dedupe key (credits negative). */
export async function invoiceBookings(db: Store, poId: string): Promise<Map<string, Decimal>> {
  const rows = await db.selectFrom('sandbox_budget_entries').select(['dedupe_key', 'amount']).where('po_id', '=', poId).where('kind', '=', 'actual').execute();
  const out = new Map<string, Decimal>();
  for (const r of rows) if (r.dedupe_key) out.set(r.dedupe_key, new Decimal(r.amount));
  return out;
}

/** The budget a purchase order books on, with its requisition; undefined when there is none. */
async function budgetOfOrder(db: Store, poId: string): Promise<{ req: { id: string; number: string }; budget: Budget } | undefined> {
  const req = await requisitionOfOrder(db, poId);
  if (!req) return undefined;
  const ledger = await requisitionLedger(db, req.id);
  if (!ledger) return undefined;
  const budget = await findBudget(db, ledger.budgetId);
  return budget ? { req, budget } : undefined;
}

/** An accepted invoice the budget does not book: the budget's history says why ("not booked: …"). */
export async function recordNotBooked(db: Store, input: { poId: string; label: string; reason: string; at: Date }): Promise<void> {
  const found = await budgetOfOrder(db, input.poId);
  if (!found) return;
  await recordEvent(db, {
    subjectType: 'budget',
    subjectId: found.budget.id,
    actor: 'supplier',
    kind: 'not booked',
    text: `${input.label} for ${found.req.number}: not booked: ${input.reason}.`,
    at: input.at,
  });
}

/**
 * A deleted (voided) invoice or credit memo: books the opposite of what `originalKey` booked, once
 * (its own dedupe `key`), and puts back the commitment the invoice had released. Nothing when the
 * original booked nothing.
 */
export async function reverseInvoiceSpend(db: Store, input: { poId: string; originalKey: string; key: string; label: string; at: Date }): Promise<void> {
  await inTransaction(db, async (trx) => {
    const found = await budgetOfOrder(trx, input.poId);
    if (!found) return;
    const { req, budget } = found;
    await lockBudget(trx, budget.id);
    const original = await trx.selectFrom('sandbox_budget_entries').select(['amount']).where('dedupe_key', '=', input.originalKey).executeTakeFirst();
    if (!original) return;
    const amount = new Decimal(original.amount).negated();
    const inserted = await trx
      .insertInto('sandbox_budget_entries')
      .values({ id: newId('be'), budget_id: budget.id, requisition_id: req.id, po_id: input.poId, kind: 'actual', amount: amount.toFixed(), reason: `${input.label} deleted (${req.number})`, dedupe_key: input.key, created_at: input.at.toISOString() })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return;
    const released = await trx.selectFrom('sandbox_budget_entries').select(['amount']).where('dedupe_key', '=', `release:${input.originalKey}`).executeTakeFirst();
    if (released && !new Decimal(released.amount).isZero()) {
      await trx
        .insertInto('sandbox_budget_entries')
        .values({ id: newId('be'), budget_id: budget.id, requisition_id: req.id, po_id: input.poId, kind: 'commitment', amount: new Decimal(released.amount).negated().toFixed(), reason: `${input.label} deleted: committed again (${req.number})`, dedupe_key: `release:${input.key}`, created_at: input.at.toISOString() })
        .execute();
    }
    await recordEvent(trx, {
      subjectType: 'budget',
      subjectId: budget.id,
      actor: 'supplier',
      kind: 'reversed',
      text: `${input.label} deleted by the supplier: ${money(amount.abs(), budget.currency)} ${amount.isNegative() ? 'taken off the spend' : 'booked back as spend'} (${req.number}).`,
      at: input.at,
    });
  });
}

async function bookInvoice(db: Store, input: { poId: string; documentId: string; amount: string; currency: string; at: Date; key?: string; label?: string }): Promise<void> {
  const found = await budgetOfOrder(db, input.poId);
  if (!found) return;
  const { req, budget } = found;
  const amount = new Decimal(input.amount);
  const dedupe = input.key ?? `actual:${input.documentId}`;
  const label = input.label ?? `Invoice document ${input.documentId}`;
  if (budget.currency.toUpperCase() !== input.currency.toUpperCase()) {
    const seen = await db.selectFrom('sandbox_events').select('id').where('subject_type', '=', 'budget').where('subject_id', '=', budget.id).where('kind', '=', 'not booked').where('text', 'like', `%${input.documentId}%`).executeTakeFirst();
    if (!seen) {
      await recordEvent(db, { subjectType: 'budget', subjectId: budget.id, actor: 'supplier', kind: 'not booked', text: `${label} (document ${input.documentId}) for ${req.number} is in ${input.currency}, the budget in ${budget.currency}: not booked.`, at: input.at });
    }
    return;
  }
  await lockBudget(db, budget.id);
  const open = (await requisitionLedger(db, req.id))!.committed;
  const inserted = await db
    .insertInto('sandbox_budget_entries')
    .values({
      id: newId('be'),
      budget_id: budget.id,
      requisition_id: req.id,
      po_id: input.poId,
      kind: 'actual',
      amount: amount.toFixed(),
      reason: amount.isNegative() ? `Credit memo for ${req.number}` : `Invoice for ${req.number}`,
      dedupe_key: dedupe,
      created_at: input.at.toISOString(),
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return; // the same document again: booked already
  let released = new Decimal(0);
  if (amount.isPositive() && open.isPositive()) {
    released = Decimal.min(amount, open);
    await db
      .insertInto('sandbox_budget_entries')
      .values({ id: newId('be'), budget_id: budget.id, requisition_id: req.id, po_id: input.poId, kind: 'commitment', amount: released.negated().toFixed(), reason: `Invoiced: ${req.number}`, dedupe_key: `release:${dedupe}`, created_at: input.at.toISOString() })
      .execute();
  }
  const text = amount.isNegative()
    ? `Credit memo: ${money(amount.negated(), budget.currency)} back to the budget (${req.number}).`
    : `Invoiced ${money(amount, budget.currency)} for ${req.number}; ${money(released, budget.currency)} of its commitment turned into spend.`;
  await recordEvent(db, { subjectType: 'budget', subjectId: budget.id, actor: 'supplier', kind: amount.isNegative() ? 'credited' : 'spent', text, at: input.at });
}

/**
 * Sets the commitment of a purchase order's requisition to max(0, total − invoiced so far) (a
 * change order raising or lowering the order; `total` "0" on cancellation releases it all).
 * Run inside the caller's transaction. Throws ProcurementError when a raise exceeds what the
 * budget has available or the currency differs. No requisition or budget: nothing to do.
 */
export async function recommitForOrder(db: Store, input: { poId: string; total: string; currency: string; at: Date; reason: string }): Promise<void> {
  const req = await requisitionOfOrder(db, input.poId);
  if (!req) return;
  const ledger = await requisitionLedger(db, req.id);
  if (!ledger) return;
  const budget = await findBudget(db, ledger.budgetId);
  if (!budget) return;
  const total = new Decimal(input.total);
  if (!total.isZero() && budget.currency.toUpperCase() !== input.currency.toUpperCase()) {
    throw new ProcurementError(`The budget of ${req.number} is kept in ${budget.currency}; the order is now in ${input.currency}.`);
  }
  await lockBudget(db, budget.id);
  const fresh = (await requisitionLedger(db, req.id))!;
  const target = Decimal.max(0, total.minus(fresh.spent));
  const delta = target.minus(fresh.committed);
  if (delta.isZero()) return;
  if (delta.isPositive()) {
    const standing = await budgetStanding(db, budget);
    if (delta.gt(standing.available)) {
      throw new ProcurementError(
        `Over budget: cost center ${budget.costCenter} has ${money(standing.available, budget.currency)} available, the change needs ${money(delta, budget.currency)} more (order total ${money(total, budget.currency)}).`,
      );
    }
  }
  await db
    .insertInto('sandbox_budget_entries')
    .values({ id: newId('be'), budget_id: budget.id, requisition_id: req.id, po_id: input.poId, kind: 'commitment', amount: delta.toFixed(), reason: input.reason, dedupe_key: null, created_at: input.at.toISOString() })
    .execute();
  await recordEvent(db, {
    subjectType: 'budget',
    subjectId: budget.id,
    actor: 'system',
    kind: delta.isPositive() ? 'committed' : 'released',
    text: `${input.reason}: commitment of ${req.number} ${delta.isPositive() ? 'raised' : 'lowered'} by ${money(delta.abs(), budget.currency)} to ${money(target, budget.currency)}.`,
    at: input.at,
  });
}

// ---- editing budgets -------------------------------------------------------------------------------

export interface BudgetForm {
  readonly costCenter: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly amount: string;
  readonly currency: string;
}

export function budgetFormOf(form: URLSearchParams): BudgetForm {
  const t = (k: string): string => (form.get(k) ?? '').trim();
  return { costCenter: t('costCenter'), periodStart: t('periodStart'), periodEnd: t('periodEnd'), amount: t('amount'), currency: t('currency').toUpperCase() };
}

function isDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Problems of a budget form by field — pure. */
export function checkBudgetForm(f: BudgetForm, costCenters: readonly string[]): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!costCenters.includes(f.costCenter)) problems.costCenter = f.costCenter === '' ? 'Choose the cost center.' : `There is no cost center "${f.costCenter}".`;
  if (!isDay(f.periodStart)) problems.periodStart = 'Enter the first day as YYYY-MM-DD, e.g. 2026-01-01.';
  if (!isDay(f.periodEnd)) problems.periodEnd = 'Enter the last day as YYYY-MM-DD, e.g. 2026-12-31.';
  else if (isDay(f.periodStart) && f.periodEnd < f.periodStart) problems.periodEnd = 'The last day must not be before the first.';
  // Strict: a plain decimal within the currency's decimals (no exponent, sign or separators).
  const amount = amountProblem(f.amount, f.currency, 'Amount');
  if (amount) problems.amount = amount;
  if (!isCurrencyCode(f.currency)) problems.currency = 'Enter a three-letter currency code, e.g. EUR.';
  return problems;
}

async function overlapProblem(db: Store, f: BudgetForm, exceptId: string | null): Promise<string | undefined> {
  let q = db.selectFrom('sandbox_budgets').select(['id', 'period_start', 'period_end']).where('cost_center', '=', f.costCenter).where('period_start', '<=', f.periodEnd).where('period_end', '>=', f.periodStart);
  if (exceptId) q = q.where('id', '!=', exceptId);
  const other = await q.executeTakeFirst();
  return other ? `Cost center ${f.costCenter} has a budget for ${other.period_start} – ${other.period_end} already; periods must not overlap.` : undefined;
}

async function costCenterCodes(db: Store): Promise<string[]> {
  return (await db.selectFrom('sandbox_cost_centers').select('code').execute()).map((r) => r.code);
}

export async function createBudget(db: Store, f: BudgetForm, at: Date, actor: SandboxActor | string): Promise<Budget> {
  const problems = checkBudgetForm(f, await costCenterCodes(db));
  if (Object.keys(problems).length === 0) {
    const overlap = await overlapProblem(db, f, null);
    if (overlap) problems.periodStart = overlap;
  }
  assertNoProblems(problems);
  const id = newId('bud');
  const now = at.toISOString();
  const amount = formatMoney(new Decimal(f.amount), f.currency);
  await db.insertInto('sandbox_budgets').values({ id, cost_center: f.costCenter, period_start: f.periodStart, period_end: f.periodEnd, amount, currency: f.currency, created_at: now, updated_at: now }).execute();
  await recordEvent(db, { subjectType: 'budget', subjectId: id, actor, kind: 'created', text: `Budget ${money(amount, f.currency)} for ${f.costCenter}, ${f.periodStart} – ${f.periodEnd}.`, at });
  return (await findBudget(db, id))!;
}

/** Changes amount and period; the currency stays once money is booked on the budget. */
export async function editBudget(db: Store, id: string, f: BudgetForm, at: Date, actor: SandboxActor | string): Promise<Budget> {
  const budget = await findBudget(db, id);
  if (!budget) throw new ProcurementError(`There is no budget "${id}".`, undefined, 404);
  const form = { ...f, costCenter: budget.costCenter };
  const problems = checkBudgetForm(form, await costCenterCodes(db));
  if (Object.keys(problems).length === 0) {
    const overlap = await overlapProblem(db, form, id);
    if (overlap) problems.periodStart = overlap;
    const booked = await db.selectFrom('sandbox_budget_entries').select('id').where('budget_id', '=', id).limit(1).executeTakeFirst();
    if (booked && form.currency !== budget.currency) problems.currency = `Money is booked on this budget in ${budget.currency}; its currency cannot change.`;
  }
  assertNoProblems(problems);
  const amount = formatMoney(new Decimal(form.amount), form.currency);
  await db.updateTable('sandbox_budgets').set({ period_start: form.periodStart, period_end: form.periodEnd, amount, currency: form.currency, updated_at: at.toISOString() }).where('id', '=', id).execute();
  await recordEvent(db, { subjectType: 'budget', subjectId: id, actor, kind: 'changed', text: `Budget set to ${money(amount, form.currency)} for ${form.periodStart} – ${form.periodEnd} (was ${money(budget.amount, budget.currency)}, ${budget.periodStart} – ${budget.periodEnd}).`, at });
  return (await findBudget(db, id))!;
}
