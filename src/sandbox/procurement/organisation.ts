/**
 * The demo organisation (people, cost centers, budgets for the current UTC calendar year,
 * approval rules) with fixed ids so pages and tests can rely on them; and cost centers.
 */
import type { Store } from '../../store/database.js';
import { inTransaction } from './budgets.js';
import { assertNoProblems } from './form-problems.js';
import { recordEvent } from './history.js';
import { ProcurementError, type ProcurementDeps, type SandboxRole } from './model.js';

export interface CostCenter {
  readonly code: string;
  readonly name: string;
}

export const DEMO_PEOPLE: readonly { id: string; name: string; roles: SandboxRole[]; costCenter: string | null }[] = [
  { id: 'alex', name: 'Alex Meyer', roles: ['requester'], costCenter: '1000' },
  { id: 'maria', name: 'Maria Schulz', roles: ['approver'], costCenter: null },
  { id: 'felix', name: 'Felix Wagner', roles: ['finance'], costCenter: null },
  { id: 'sam', name: 'Sam Okafor', roles: ['purchasing', 'stores'], costCenter: null },
];

export const DEMO_COST_CENTERS: readonly (CostCenter & { budget: string })[] = [
  { code: '1000', name: 'Facilities', budget: '5000.00' },
  { code: '2000', name: 'IT', budget: '1500.00' },
];

export async function seedOrganisation(deps: ProcurementDeps): Promise<void> {
  const now = deps.now();
  const at = now.toISOString();
  const year = now.getUTCFullYear();
  await inTransaction(deps.db, async (db) => {
    for (const cc of DEMO_COST_CENTERS) {
      await db.insertInto('sandbox_cost_centers').values({ code: cc.code, name: cc.name, created_at: at }).onConflict((oc) => oc.column('code').doNothing()).execute();
    }
    for (const p of DEMO_PEOPLE) {
      await db
        .insertInto('sandbox_people')
        .values({ id: p.id, name: p.name, email: `${p.id}@example.com`, roles: JSON.stringify(p.roles), cost_center: p.costCenter, created_at: at })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
    for (const cc of DEMO_COST_CENTERS) {
      const id = `budget-${cc.code}-${year}`;
      const inserted = await db
        .insertInto('sandbox_budgets')
        .values({ id, cost_center: cc.code, period_start: `${year}-01-01`, period_end: `${year}-12-31`, amount: cc.budget, currency: 'EUR', created_at: at, updated_at: at })
        .onConflict((oc) => oc.columns(['cost_center', 'period_start']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) await recordEvent(db, { subjectType: 'budget', subjectId: id, actor: 'system', kind: 'created', text: `Demo budget ${cc.budget} EUR for ${cc.code} ${cc.name}, ${year}.`, at: now });
    }
    const rules = [
      { id: 'rule-auto-reorder', name: 'Automatic re-orders', min_amount: '0', max_amount: '1000', sources: ['reorder', 'recurring'], action: 'auto', approver_role: null, position: 0 },
      { id: 'rule-manager-250', name: 'Manager approval from 250 EUR', min_amount: '250', max_amount: null, sources: [], action: 'role', approver_role: 'approver', position: 1 },
      { id: 'rule-finance-2500', name: 'Finance approval from 2500 EUR', min_amount: '2500', max_amount: null, sources: [], action: 'role', approver_role: 'finance', position: 2 },
    ];
    for (const r of rules) {
      await db
        .insertInto('sandbox_approval_rules')
        .values({ ...r, cost_center: null, currency: 'EUR', sources: JSON.stringify(r.sources), active: 1, created_at: at })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
  });
}

export async function listCostCenters(db: Store): Promise<CostCenter[]> {
  return (await db.selectFrom('sandbox_cost_centers').select(['code', 'name']).orderBy('code').execute()).map((r) => ({ code: r.code, name: r.name }));
}

export async function findCostCenter(db: Store, code: string): Promise<CostCenter | undefined> {
  const r = await db.selectFrom('sandbox_cost_centers').select(['code', 'name']).where('code', '=', code).executeTakeFirst();
  return r ? { code: r.code, name: r.name } : undefined;
}

export async function createCostCenter(db: Store, input: { code: string; name: string }, at: Date): Promise<CostCenter> {
  const problems: Record<string, string> = {};
  if (!/^[A-Za-z0-9_.-]{1,20}$/.test(input.code)) problems.code = 'Enter a code of letters, digits, dot, dash or underscore (at most 20), e.g. 3000.';
  else if (await findCostCenter(db, input.code)) problems.code = `Cost center ${input.code} exists already.`;
  if (input.name === '') problems.name = 'Enter the name, e.g. Marketing.';
  assertNoProblems(problems);
  const inserted = await db
    .insertInto('sandbox_cost_centers')
    .values({ code: input.code, name: input.name, created_at: at.toISOString() })
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('code')
    .executeTakeFirst();
  if (!inserted) throw new ProcurementError(`Cost center ${input.code} exists already.`, 'code', 422);
  return { code: input.code, name: input.name };
}
