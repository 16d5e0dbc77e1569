/**
 * Approval rules and the pure decision which approval steps a requisition needs.
 *
 * stepsFor: an applicable `auto` rule approves on its own (one automatic step, the first such
 * rule by position); otherwise every applicable `role` rule becomes a step, in position order
 * (one step per role); when nothing applies the requisition is approved by the system with the
 * step "No approval needed: below every threshold".
 *
 * Currencies: a rule's amounts are in its own currency and there is no exchange rate, so a rule
 * in another currency does not apply. A requisition in a currency that no active rule is written
 * in would slip through every threshold; it needs an `approver` instead (decided here, see
 * UNCOVERED_CURRENCY_STEP).
 */
import { Decimal } from 'decimal.js';
import type { Store } from '../../store/database.js';
import type { SandboxApprovalRuleTable } from '../../store/schema.js';
import { isCurrencyCode, tryDec } from '../../protocol/money.js';
import { assertNoProblems } from './form-problems.js';
import { newId } from './history.js';
import {
  ProcurementError,
  REQUISITION_SOURCES,
  SANDBOX_ROLES,
  type ApprovalRule,
  type RequisitionSource,
  type SandboxRole,
} from './model.js';

/** One approval step as planned for a requisition (before it is stored). */
export interface PlannedStep {
  readonly ruleId: string | null;
  readonly ruleName: string;
  /** null: automatic (decided by the rule or the system, no person). */
  readonly approverRole: SandboxRole | null;
}

export const BELOW_EVERY_THRESHOLD = 'No approval needed: below every threshold';

/** What stepsFor needs to know of a requisition. */
export interface RuleSubject {
  readonly costCenter: string;
  readonly total: string;
  readonly currency: string;
  readonly source: RequisitionSource;
}

/** True when the rule covers the requisition (cost center, currency, amount range, source). */
export function ruleApplies(rule: ApprovalRule, req: RuleSubject): boolean {
  if (!rule.active) return false;
  if (rule.costCenter !== null && rule.costCenter !== req.costCenter) return false;
  if (rule.currency.toUpperCase() !== req.currency.toUpperCase()) return false;
  if (rule.sources.length > 0 && !rule.sources.includes(req.source)) return false;
  const total = new Decimal(req.total);
  if (total.lt(new Decimal(rule.minAmount))) return false;
  if (rule.maxAmount !== null && !total.lt(new Decimal(rule.maxAmount))) return false;
  return true;
}

function byPosition(a: ApprovalRule, b: ApprovalRule): number {
  return a.position - b.position || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

/** The approval steps a requisition needs under `rules` — pure. */
export function stepsFor(rules: readonly ApprovalRule[], req: RuleSubject): PlannedStep[] {
  const active = rules.filter((r) => r.active).sort(byPosition);
  const applying = active.filter((r) => ruleApplies(r, req));
  const auto = applying.find((r) => r.action === 'auto');
  if (auto) return [{ ruleId: auto.id, ruleName: auto.name, approverRole: null }];
  const steps: PlannedStep[] = [];
  const roles = new Set<SandboxRole>();
  for (const r of applying) {
    if (r.action !== 'role' || r.approverRole === null || roles.has(r.approverRole)) continue;
    roles.add(r.approverRole);
    steps.push({ ruleId: r.id, ruleName: r.name, approverRole: r.approverRole });
  }
  if (steps.length > 0) return steps;
  const cur = req.currency.toUpperCase();
  if (active.length > 0 && !active.some((r) => r.currency.toUpperCase() === cur)) {
    return [{ ruleId: null, ruleName: `Approval needed: no rule is written in ${cur}`, approverRole: 'approver' }];
  }
  return [{ ruleId: null, ruleName: BELOW_EVERY_THRESHOLD, approverRole: null }];
}

// ---- storage ---------------------------------------------------------------------------------------

function fromRow(row: SandboxApprovalRuleTable): ApprovalRule {
  let sources: RequisitionSource[] = [];
  try {
    const parsed = JSON.parse(row.sources) as unknown;
    if (Array.isArray(parsed)) sources = parsed.filter((s): s is RequisitionSource => REQUISITION_SOURCES.includes(s as RequisitionSource));
  } catch {
    // treated as "every source"
  }
  return {
    id: row.id,
    name: row.name,
    costCenter: row.cost_center,
    minAmount: row.min_amount,
    maxAmount: row.max_amount,
    currency: row.currency,
    sources,
    action: row.action === 'auto' ? 'auto' : 'role',
    approverRole: (SANDBOX_ROLES as readonly string[]).includes(row.approver_role ?? '') ? (row.approver_role as SandboxRole) : null,
    position: Number(row.position),
    active: Number(row.active) === 1,
  };
}

export async function listRules(db: Store, options: { activeOnly?: boolean } = {}): Promise<ApprovalRule[]> {
  let q = db.selectFrom('sandbox_approval_rules').selectAll();
  if (options.activeOnly) q = q.where('active', '=', 1);
  const rows = await q.orderBy('position').orderBy('name').orderBy('id').execute();
  return rows.map(fromRow);
}

export async function findRule(db: Store, id: string): Promise<ApprovalRule | undefined> {
  const row = await db.selectFrom('sandbox_approval_rules').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** The rule form as typed; every value kept as text so the page can show it again. */
export interface RuleForm {
  readonly name: string;
  readonly costCenter: string;
  readonly minAmount: string;
  readonly maxAmount: string;
  readonly currency: string;
  readonly sources: readonly string[];
  readonly action: string;
  readonly approverRole: string;
  readonly position: string;
}

export function ruleFormOf(form: URLSearchParams): RuleForm {
  const t = (k: string): string => (form.get(k) ?? '').trim();
  return {
    name: t('name'),
    costCenter: t('costCenter'),
    minAmount: t('minAmount'),
    maxAmount: t('maxAmount'),
    currency: t('currency').toUpperCase(),
    sources: form.getAll('sources'),
    action: t('action'),
    approverRole: t('approverRole'),
    position: t('position'),
  };
}

export function ruleFormFromRule(r: ApprovalRule): RuleForm {
  return {
    name: r.name,
    costCenter: r.costCenter ?? '',
    minAmount: r.minAmount,
    maxAmount: r.maxAmount ?? '',
    currency: r.currency,
    sources: r.sources,
    action: r.action,
    approverRole: r.approverRole ?? '',
    position: String(r.position),
  };
}

/** Checks the form — pure; returns the rule's values or the problems by field. */
export function checkRuleForm(f: RuleForm, costCenters: readonly string[]): { problems: Record<string, string>; rule?: Omit<ApprovalRule, 'id' | 'active'> } {
  const problems: Record<string, string> = {};
  if (f.name === '') problems.name = 'Enter a name, e.g. "Manager approval from 250 EUR".';
  if (f.costCenter !== '' && !costCenters.includes(f.costCenter)) problems.costCenter = `There is no cost center "${f.costCenter}".`;
  const min = f.minAmount === '' ? new Decimal(0) : tryDec(f.minAmount);
  if (!min || min.isNegative()) problems.minAmount = 'Enter an amount of 0 or more, e.g. 250.00.';
  const max = f.maxAmount === '' ? null : tryDec(f.maxAmount);
  if (max === undefined || (max !== null && max.isNegative())) problems.maxAmount = 'Enter an amount, e.g. 1000.00, or leave it empty for no limit.';
  else if (max !== null && min && !max.gt(min)) problems.maxAmount = 'The upper limit must be above the lower one (it is exclusive).';
  if (!isCurrencyCode(f.currency)) problems.currency = 'Enter a three-letter currency code, e.g. EUR.';
  const badSource = f.sources.find((s) => !REQUISITION_SOURCES.includes(s as RequisitionSource));
  if (badSource !== undefined) problems.sources = `Unknown source "${badSource}".`;
  if (f.action !== 'role' && f.action !== 'auto') problems.action = 'Choose whether a role approves or the rule approves automatically.';
  if (f.action === 'role' && !(SANDBOX_ROLES as readonly string[]).includes(f.approverRole)) problems.approverRole = 'Choose the role that approves.';
  const position = f.position === '' ? 0 : Number(f.position);
  if (!/^-?\d{0,6}$/.test(f.position) || !Number.isInteger(position)) problems.position = 'Enter a whole number (lower numbers come first).';
  if (Object.keys(problems).length > 0) return { problems };
  return {
    problems,
    rule: {
      name: f.name,
      costCenter: f.costCenter === '' ? null : f.costCenter,
      minAmount: min!.toFixed(),
      maxAmount: max === null ? null : max!.toFixed(),
      currency: f.currency,
      sources: f.sources as RequisitionSource[],
      action: f.action as 'role' | 'auto',
      approverRole: f.action === 'role' ? (f.approverRole as SandboxRole) : null,
      position,
    },
  };
}

async function costCenterCodes(db: Store): Promise<string[]> {
  return (await db.selectFrom('sandbox_cost_centers').select('code').execute()).map((r) => r.code);
}

export async function createRule(db: Store, form: RuleForm, at: Date): Promise<ApprovalRule> {
  const { problems, rule } = checkRuleForm(form, await costCenterCodes(db));
  assertNoProblems(problems);
  const id = newId('rule');
  await db
    .insertInto('sandbox_approval_rules')
    .values({
      id,
      name: rule!.name,
      cost_center: rule!.costCenter,
      min_amount: rule!.minAmount,
      max_amount: rule!.maxAmount,
      currency: rule!.currency,
      sources: JSON.stringify(rule!.sources),
      action: rule!.action,
      approver_role: rule!.approverRole,
      position: rule!.position,
      active: 1,
      created_at: at.toISOString(),
    })
    .execute();
  return (await findRule(db, id))!;
}

/** Changes a rule; requisitions already submitted keep the steps they got. */
export async function editRule(db: Store, id: string, form: RuleForm): Promise<ApprovalRule> {
  if (!(await findRule(db, id))) throw new ProcurementError(`There is no approval rule "${id}".`, undefined, 404);
  const { problems, rule } = checkRuleForm(form, await costCenterCodes(db));
  assertNoProblems(problems);
  await db
    .updateTable('sandbox_approval_rules')
    .set({
      name: rule!.name,
      cost_center: rule!.costCenter,
      min_amount: rule!.minAmount,
      max_amount: rule!.maxAmount,
      currency: rule!.currency,
      sources: JSON.stringify(rule!.sources),
      action: rule!.action,
      approver_role: rule!.approverRole,
      position: rule!.position,
    })
    .where('id', '=', id)
    .execute();
  return (await findRule(db, id))!;
}

export async function setRuleActive(db: Store, id: string, active: boolean): Promise<ApprovalRule> {
  const result = await db.updateTable('sandbox_approval_rules').set({ active: active ? 1 : 0 }).where('id', '=', id).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new ProcurementError(`There is no approval rule "${id}".`, undefined, 404);
  return (await findRule(db, id))!;
}
