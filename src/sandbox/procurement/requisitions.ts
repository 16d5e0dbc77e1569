/**
 * Requisitions and their approval: draft → submit (steps from the approval rules) → each step
 * decided by a person holding its role, in order → the final approval checks and commits the
 * budget and approves in one transaction → the purchase order is placed. Every change is a
 * conditional update on the state it was seen in, so a button pressed twice (or two people at
 * once) changes things once; every step is recorded in the history.
 */
import { Decimal } from 'decimal.js';
import type { Store } from '../../store/database.js';
import type { SandboxApprovalStepTable, SandboxRequisitionTable } from '../../store/schema.js';
import { formatMoney, roundMoney, tryDec } from '../../protocol/money.js';
import type { SandboxSettings } from '../settings.js';
import { findPunchout, type SandboxCartLine } from '../punchout-record.js';
import { listRules, stepsFor } from './approval-rules.js';
import { commitRequisition, inTransaction, money, releaseRequisition } from './budgets.js';
import { assertNoProblems } from './form-problems.js';
import { datedNumber, eventsFor, newId, nextNumber, recordEvent, type SandboxEvent } from './history.js';
import {
  newestFirst,
  ProcurementError,
  type ApprovalStep,
  type ApprovalStepStatus,
  type ProcurementDeps,
  type Requisition,
  type RequisitionLine,
  type RequisitionSource,
  type RequisitionStatus,
  type SandboxActor,
  type SandboxPerson,
  type SandboxRole,
} from './model.js';
import { DEFAULT_PERSON_ID, findPerson, hasRole, listPeople } from './people.js';
import { QUANTITY_DECIMALS, QUANTITY_INTEGER_DIGITS } from './quantities.js';
import { placePurchaseOrder, RequisitionNotApproved } from './purchase-orders.js';

export interface NewRequisition {
  readonly source: RequisitionSource;
  readonly punchoutId?: string;
  readonly scheduleId?: string;
  readonly title: string;
  readonly requesterId: string;
  readonly costCenter: string;
  readonly lines: readonly RequisitionLine[];
  readonly currency: string;
  readonly supplier: SandboxSettings;
  readonly note?: string;
}

function fromRow(row: SandboxRequisitionTable): Requisition {
  return {
    id: row.id,
    number: row.number,
    source: row.source as RequisitionSource,
    punchoutId: row.punchout_id,
    scheduleId: row.schedule_id,
    title: row.title,
    requesterId: row.requester_id,
    costCenter: row.cost_center,
    status: row.status as RequisitionStatus,
    lines: JSON.parse(row.lines) as RequisitionLine[],
    total: row.total,
    currency: row.currency,
    supplier: JSON.parse(row.supplier) as SandboxSettings,
    note: row.note,
    poId: row.po_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function stepFromRow(row: SandboxApprovalStepTable): ApprovalStep {
  return {
    id: row.id,
    requisitionId: row.requisition_id,
    position: Number(row.position),
    ruleId: row.rule_id,
    ruleName: row.rule_name,
    approverRole: row.approver_role as SandboxRole | null,
    status: row.status as ApprovalStepStatus,
    decidedBy: row.decided_by,
    comment: row.comment,
    decidedAt: row.decided_at,
  };
}

export function personActor(person: SandboxPerson): SandboxActor {
  return `person:${person.id}`;
}

export async function findRequisition(db: Store, id: string): Promise<Requisition | undefined> {
  const row = await db.selectFrom('sandbox_requisitions').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

async function mustFind(db: Store, id: string): Promise<Requisition> {
  const r = await findRequisition(db, id);
  if (!r) throw new ProcurementError(`There is no requisition "${id}".`, undefined, 404);
  return r;
}

export interface RequisitionFilters {
  readonly status?: RequisitionStatus;
  readonly costCenter?: string;
  readonly requesterId?: string;
  readonly source?: RequisitionSource;
}

export async function listRequisitions(db: Store, filters: RequisitionFilters = {}, limit = 200): Promise<Requisition[]> {
  let q = db.selectFrom('sandbox_requisitions').selectAll();
  if (filters.status) q = q.where('status', '=', filters.status);
  if (filters.costCenter) q = q.where('cost_center', '=', filters.costCenter);
  if (filters.requesterId) q = q.where('requester_id', '=', filters.requesterId);
  if (filters.source) q = q.where('source', '=', filters.source);
  const rows = await q.orderBy('created_at', 'desc').orderBy('number', 'desc').limit(limit).execute();
  return rows.sort(newestFirst).map(fromRow);
}

export async function stepsOf(db: Store, requisitionId: string): Promise<ApprovalStep[]> {
  const rows = await db.selectFrom('sandbox_approval_steps').selectAll().where('requisition_id', '=', requisitionId).orderBy('position').execute();
  return rows.map(stepFromRow);
}

/** The step to decide next: the first pending one. */
export function currentStep(steps: readonly ApprovalStep[]): ApprovalStep | undefined {
  return [...steps].sort((a, b) => a.position - b.position).find((s) => s.status === 'pending');
}

/**
 * Why a line cannot be requested by its signs, or undefined: a quantity of 0 or less, or a
 * negative price or line total. A free line (price 0) is fine. Pure.
 */
export function lineSignProblem(l: Pick<RequisitionLine, 'line' | 'quantity' | 'unitPrice' | 'lineTotal' | 'currency'>): string | undefined {
  const q = tryDec(l.quantity);
  if (!q) return `line ${l.line} has no readable quantity ("${l.quantity}").`;
  if (!q.isPositive() || q.isZero()) return `line ${l.line} has the quantity ${l.quantity}; a quantity must be above 0.`;
  for (const [what, text] of [['unit price', l.unitPrice], ['line total', l.lineTotal]] as const) {
    const d = tryDec(text);
    if (!d) return `line ${l.line} has no readable ${what} ("${text}").`;
    // A negative "promo" line would lower the total the approval rules and the budget see.
    if (d.isNegative() && !d.isZero()) return `line ${l.line} has the ${what} ${text} ${l.currency}; prices cannot be negative (a discount belongs in the unit price).`;
  }
  return undefined;
}

/**
 * A quantity finer or larger than the sandbox keeps (3 decimals, 11 integer digits, like an OCI
 * QUANTITY; see quantities.ts) — cXML sets no limit, but such a line could never be received in
 * full through the receipt form, so its match would never close. Trailing zeros do not count.
 * Measured on the Decimal (not readQuantity's typed-text rules): the supplier's text is already read.
 */
export function quantitySizeProblem(l: Pick<RequisitionLine, 'line' | 'quantity'>): string | undefined {
  const q = tryDec(l.quantity);
  if (!q) return undefined;
  if (q.decimalPlaces() <= QUANTITY_DECIMALS && q.trunc().abs().toFixed().length <= QUANTITY_INTEGER_DIGITS) return undefined;
  return `line ${l.line} has the quantity ${l.quantity}; quantities are kept to ${QUANTITY_DECIMALS} decimals and ${QUANTITY_INTEGER_DIGITS} digits before the point (like an OCI QUANTITY), so it could not be received in full.`;
}

/**
 * Sum of the line totals, rounded to the currency. A line with a negative amount or a quantity of
 * 0 or less is refused (422) instead of summed: approval and budget are decided on this total.
 */
export function requisitionTotal(lines: readonly RequisitionLine[], currency: string): string {
  let total = new Decimal(0);
  for (const l of lines) {
    const problem = lineSignProblem(l);
    if (problem) throw new ProcurementError(`The requisition cannot be made: ${problem}`, undefined, 422);
    total = total.plus(l.lineTotal);
  }
  return formatMoney(roundMoney(total, currency), currency);
}

// ---- creating ----------------------------------------------------------------------------------------

/** Creates a draft requisition. */
export async function createRequisition(deps: ProcurementDeps, input: NewRequisition, actor: SandboxActor): Promise<Requisition> {
  if (input.lines.length === 0) throw new ProcurementError('A requisition needs at least one line.', undefined, 422);
  const id = newId('req');
  await inTransaction(deps.db, async (db) => {
    await insertRequisition(db, deps.now(), id, input, actor);
  });
  return (await findRequisition(deps.db, id))!;
}

async function insertRequisition(db: Store, at: Date, id: string, input: NewRequisition, actor: SandboxActor): Promise<boolean> {
  const number = datedNumber('REQ', at, await nextNumber(db, 'requisition'));
  const iso = at.toISOString();
  const total = requisitionTotal(input.lines, input.currency);
  const inserted = await db
    .insertInto('sandbox_requisitions')
    .values({
      id,
      number,
      source: input.source,
      punchout_id: input.punchoutId ?? null,
      schedule_id: input.scheduleId ?? null,
      title: input.title,
      requester_id: input.requesterId,
      cost_center: input.costCenter,
      status: 'draft',
      lines: JSON.stringify(input.lines),
      total,
      currency: input.currency,
      supplier: JSON.stringify(input.supplier),
      note: input.note ?? '',
      po_id: null,
      created_at: iso,
      updated_at: iso,
    })
    .onConflict((oc) => oc.column('punchout_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return false;
  await recordEvent(db, { subjectType: 'requisition', subjectId: id, actor, kind: 'created', text: `Requisition ${number} created (${input.source}): ${input.lines.length} line(s), ${money(total, input.currency)}.`, at });
  return true;
}

/** `UNSPSC 44121701` → {domain, code}; a bare code counts as UNSPSC. */
export function parseClassification(text: string | undefined): { domain: string; code: string } | undefined {
  const t = (text ?? '').trim();
  if (t === '') return undefined;
  const m = /^(\S+)\s+(\S.*)$/.exec(t);
  return m ? { domain: m[1]!, code: m[2]!.trim() } : { domain: 'UNSPSC', code: t };
}

export function linesFromCart(cart: readonly SandboxCartLine[]): RequisitionLine[] {
  return cart.map((c) => {
    const classification = parseClassification(c.classification);
    return {
      line: c.line,
      supplierPartID: c.supplierPartID,
      ...(c.auxID !== undefined ? { auxID: c.auxID } : {}),
      description: c.description,
      quantity: c.quantity,
      unit: c.unit,
      unitPrice: c.unitPrice,
      lineTotal: c.lineTotal,
      currency: c.currency,
      ...(classification ? { classification } : {}),
    };
  });
}

/** Why a returned cart cannot be requested (a line without quantity, price or currency; a quantity of 0 or less or a negative price; mixed currencies), or undefined. */
export function cartProblem(cart: readonly SandboxCartLine[]): string | undefined {
  for (const c of cart) {
    const missing = [c.quantity === '' ? 'quantity' : '', c.unitPrice === '' || c.lineTotal === '' ? 'price' : '', c.currency === '' ? 'currency' : ''].filter((x) => x !== '');
    if (missing.length > 0) return `line ${c.line} has no ${missing.join(', ')}.`;
    const signs = lineSignProblem(c) ?? quantitySizeProblem(c);
    if (signs) return signs;
  }
  const currencies = [...new Set(cart.map((c) => c.currency.toUpperCase()))];
  if (currencies.length > 1) return `the lines use different currencies (${currencies.join(', ')}); one requisition needs one currency.`;
  return undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * The requisition of a punchout whose cart came back: created as a draft the first time, its lines
 * replaced while it is still a draft (the cart came back again); one per punchout. Once submitted
 * a later cart is refused (ProcurementError).
 */
export async function requisitionForPunchout(deps: ProcurementDeps, punchoutId: string, actor: SandboxActor): Promise<Requisition> {
  const p = await findPunchout(deps.db, punchoutId);
  if (!p) throw new ProcurementError(`There is no punchout "${punchoutId}".`, undefined, 404);
  if (!p.cartLines || p.cartLines.length === 0) throw new ProcurementError('The punchout has no cart with lines to request.');
  const unusable = cartProblem(p.cartLines);
  if (unusable) throw new ProcurementError(`The cart cannot become a requisition: ${unusable} Fix the cart in the supplier's shop and transfer it again.`, undefined, 422);
  const lines = linesFromCart(p.cartLines);
  const currency = (p.currency ?? p.cartLines[0]!.currency ?? 'EUR').toUpperCase();
  const at = deps.now();
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await deps.db.selectFrom('sandbox_requisitions').selectAll().where('punchout_id', '=', punchoutId).executeTakeFirst();
    if (existing) {
      if (existing.status !== 'draft') {
        throw new ProcurementError(`Requisition ${existing.number} of this punchout was submitted already (${existing.status}); a later cart cannot change it. Start a new punchout.`);
      }
      const replaced = await inTransaction(deps.db, async (db) => {
        const total = requisitionTotal(lines, currency);
        const r = await db
          .updateTable('sandbox_requisitions')
          .set({ lines: JSON.stringify(lines), total, currency, supplier: JSON.stringify(p.info.settings), updated_at: at.toISOString() })
          .where('id', '=', existing.id)
          .where('status', '=', 'draft')
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return false;
        await recordEvent(db, { subjectType: 'requisition', subjectId: existing.id, actor, kind: 'cart replaced', text: `The cart came back again: ${lines.length} line(s), ${money(total, currency)} replace the earlier lines.`, at });
        return true;
      });
      if (replaced) return (await findRequisition(deps.db, existing.id))!;
      continue; // submitted meanwhile: the next round refuses
    }
    const { requesterId, costCenter } = await requesterFor(deps.db, p.info.startedBy, actor);
    const id = newId('req');
    const created = await inTransaction(deps.db, (db) =>
      insertRequisition(db, at, id, {
        source: 'punchout',
        punchoutId,
        title: `Punchout ${hostOf(p.supplierUrl)} ${at.toISOString().slice(0, 10)}`,
        requesterId,
        costCenter,
        lines,
        currency,
        supplier: p.info.settings,
      }, actor),
    );
    if (created) return (await findRequisition(deps.db, id))!;
    // another request created it at the same moment: replace its lines in the next round
  }
  const r = await deps.db.selectFrom('sandbox_requisitions').selectAll().where('punchout_id', '=', punchoutId).executeTakeFirst();
  if (r) return fromRow(r);
  throw new ProcurementError('The requisition of this punchout could not be saved; try again.');
}

/**
 * The requester of a punchout's requisition: the person who started the punchout (older punchouts
 * did not record it: the person the cart came back for), else the demo requester. The cost center
 * is theirs, else the first one; the requester stays that person, so four eyes still sees them.
 */
async function requesterFor(db: Store, startedBy: string | undefined, actor: SandboxActor): Promise<{ requesterId: string; costCenter: string }> {
  const personId = startedBy ?? (actor.startsWith('person:') ? actor.slice('person:'.length) : DEFAULT_PERSON_ID);
  const person = (await findPerson(db, personId)) ?? (await findPerson(db, DEFAULT_PERSON_ID));
  const requesterId = person?.id ?? personId;
  if (person?.costCenter) return { requesterId, costCenter: person.costCenter };
  const first = await db.selectFrom('sandbox_cost_centers').select('code').orderBy('code').limit(1).executeTakeFirst();
  if (!first) throw new ProcurementError('The sandbox has no cost center yet: add one under People & rules, then transfer the cart again.', undefined, 409);
  return { requesterId, costCenter: first.code };
}

// ---- editing a draft ---------------------------------------------------------------------------------

export interface DraftEdit {
  readonly title: string;
  readonly requesterId: string;
  readonly costCenter: string;
  readonly note: string;
}

export function draftEditOf(form: URLSearchParams): DraftEdit {
  const t = (k: string): string => (form.get(k) ?? '').trim();
  return { title: t('title'), requesterId: t('requesterId'), costCenter: t('costCenter'), note: (form.get('note') ?? '').trim() };
}

/** Changes title, requester, cost center and note — only while a draft. */
export async function editDraft(deps: ProcurementDeps, id: string, edit: DraftEdit, person: SandboxPerson): Promise<Requisition> {
  const req = await mustFind(deps.db, id);
  const problems: Record<string, string> = {};
  if (edit.title === '') problems.title = 'Enter a title.';
  else if (edit.title.length > 200) problems.title = 'Keep the title to 200 characters.';
  if (!(await findPerson(deps.db, edit.requesterId))) problems.requesterId = edit.requesterId === '' ? 'Choose the requester.' : `There is no person "${edit.requesterId}".`;
  const cc = await deps.db.selectFrom('sandbox_cost_centers').select('code').where('code', '=', edit.costCenter).executeTakeFirst();
  if (!cc) problems.costCenter = edit.costCenter === '' ? 'Choose the cost center.' : `There is no cost center "${edit.costCenter}".`;
  if (edit.note.length > 2000) problems.note = 'Keep the note to 2000 characters.';
  assertNoProblems(problems);
  const at = deps.now();
  await inTransaction(deps.db, async (db) => {
    const r = await db
      .updateTable('sandbox_requisitions')
      .set({ title: edit.title, requester_id: edit.requesterId, cost_center: edit.costCenter, note: edit.note, updated_at: at.toISOString() })
      .where('id', '=', id)
      .where('status', '=', 'draft')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new ProcurementError(`Requisition ${req.number} is ${req.status === 'draft' ? 'no longer a draft' : req.status}; only a draft can be edited.`);
    const changes: string[] = [];
    if (edit.title !== req.title) changes.push(`title "${edit.title}"`);
    if (edit.requesterId !== req.requesterId) changes.push(`requester ${edit.requesterId}`);
    if (edit.costCenter !== req.costCenter) changes.push(`cost center ${edit.costCenter}`);
    if (edit.note !== req.note) changes.push('note');
    await recordEvent(db, { subjectType: 'requisition', subjectId: id, actor: personActor(person), kind: 'edited', text: changes.length ? `Changed ${changes.join(', ')}.` : 'Saved without changes.', at });
  });
  return (await findRequisition(deps.db, id))!;
}

// ---- submitting and deciding ---------------------------------------------------------------------------

/**
 * Submits a draft: approval steps from the rules; automatic steps decided at once; when nothing is
 * left open (and the budget allows) the requisition is approved, the budget committed and the
 * purchase order placed (placePurchaseOrder) before this returns. Over budget: the requisition
 * stays pending with its automatic step open, and ProcurementError says why.
 */
export async function submitRequisition(deps: ProcurementDeps, id: string, actor: SandboxActor): Promise<Requisition> {
  const req = await mustFind(deps.db, id);
  const at = deps.now();
  const rules = await listRules(deps.db, { activeOnly: true });
  const planned = stepsFor(rules, req);
  await inTransaction(deps.db, async (db) => {
    const r = await db.updateTable('sandbox_requisitions').set({ status: 'pending', updated_at: at.toISOString() }).where('id', '=', id).where('status', '=', 'draft').executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new ProcurementError(`Requisition ${req.number} was submitted already (${(await findRequisition(db, id))?.status ?? req.status}).`);
    // Automatic steps are stored pending too and decided right after: if the budget refuses, one stays open.
    for (const [i, s] of planned.entries()) {
      await db
        .insertInto('sandbox_approval_steps')
        .values({ id: newId('step'), requisition_id: id, position: i + 1, rule_id: s.ruleId, rule_name: s.ruleName, approver_role: s.approverRole, status: 'pending', decided_by: null, comment: '', decided_at: null })
        .execute();
    }
    const describe = planned.map((s) => (s.approverRole ? `${s.ruleName} (${s.approverRole})` : `${s.ruleName} (automatic)`)).join('; ');
    await recordEvent(db, { subjectType: 'requisition', subjectId: id, actor, kind: 'submitted', text: `Submitted for approval, ${money(req.total, req.currency)}. Steps: ${describe}.`, at });
  });
  await runAutomaticSteps(deps, id);
  return (await findRequisition(deps.db, id))!;
}

/** Decides the automatic step(s) at the head of the queue; approves when nothing is left. */
async function runAutomaticSteps(deps: ProcurementDeps, id: string): Promise<void> {
  const step = currentStep(await stepsOf(deps.db, id));
  if (!step || step.approverRole !== null) return;
  const actor: SandboxActor = step.ruleId ? `rule:${step.ruleId}` : 'system';
  await approveStep(deps, id, step, actor, step.ruleId ? `Approved by rule "${step.ruleName}".` : step.ruleName, 'auto');
}

/** What a person did to put a requisition together; each of these keeps them from deciding it. */
export type Preparation = 'created' | 'submitted' | 'set up';
export interface Preparer {
  readonly personId: string;
  readonly did: Preparation;
}

/** Kinds of item and schedule events by which a person shapes the re-orders and recurring orders they raise. */
const SETUP_KINDS: ReadonlySet<string> = new Set(['created', 'changed', 'resumed', 'reorder-resumed']);

/**
 * Who put the requisition together, from history: created it or brought its cart back
 * ("created"), submitted it, or — for re-orders and recurring orders, which the worker raises as
 * `system` — created, changed or resumed the inventory item or recurring order behind it before
 * it was raised ("set up"; preparersOf picks those events): whoever chose the quantities must not
 * approve them. The requester field can be edited on a
 * draft, the history cannot, so four eyes looks at both. Pure.
 */
export function preparersFrom(events: readonly Pick<SandboxEvent, 'actor' | 'kind' | 'subjectType'>[]): Preparer[] {
  const out: Preparer[] = [];
  for (const e of events) {
    if (!e.actor.startsWith('person:')) continue;
    const did: Preparation | undefined =
      e.subjectType === 'item' || e.subjectType === 'schedule'
        ? SETUP_KINDS.has(e.kind) ? 'set up' : undefined
        : e.kind === 'created' || e.kind === 'cart replaced' ? 'created' : e.kind === 'submitted' ? 'submitted' : undefined;
    const personId = e.actor.slice('person:'.length);
    if (did && !out.some((p) => p.personId === personId && p.did === did)) out.push({ personId, did });
  }
  return out;
}

export async function preparersOf(db: Store, requisitionId: string): Promise<Preparer[]> {
  const req = await findRequisition(db, requisitionId);
  const items = [...new Set((req?.lines ?? []).flatMap((l) => (l.inventoryItemId ? [l.inventoryItemId] : [])))];
  const events = await eventsFor(db, [
    { type: 'requisition', id: requisitionId },
    ...items.map((id) => ({ type: 'item' as const, id })),
    ...(req?.scheduleId ? [{ type: 'schedule' as const, id: req.scheduleId }] : []),
  ]);
  // Only the set-up that shaped this requisition: fixing the item while it waits does not bar its approver.
  const made = req ? Date.parse(req.createdAt) : Number.POSITIVE_INFINITY;
  return preparersFrom(events.filter((e) => e.subjectType === 'requisition' || Date.parse(e.createdAt) <= made));
}

/** What `personId` did to the requisition that keeps them from deciding it ("requested", "created and submitted"), or undefined. Pure. */
export function ownPart(req: Pick<Requisition, 'requesterId'>, preparedBy: readonly Preparer[], personId: string): string | undefined {
  const verbs = [
    ...(req.requesterId === personId ? ['requested'] : []),
    ...(['created', 'submitted'] as const).filter((did) => preparedBy.some((p) => p.personId === personId && p.did === did)),
    ...(preparedBy.some((p) => p.personId === personId && p.did === 'set up') ? ['set up the item or recurring order that raised'] : []),
  ];
  if (verbs.length === 0) return undefined;
  return verbs.length === 1 ? verbs[0] : `${verbs.slice(0, -1).join(', ')} and ${verbs.at(-1)}`;
}

/**
 * Four eyes: nobody approves or rejects a requisition they requested, created or submitted
 * themselves (they may cancel it). Automatic steps are not decided by a person. Returns why,
 * naming who else holds the role, or null when the person may decide (pure).
 */
export function ownRequisitionRefusal(
  req: Pick<Requisition, 'number' | 'requesterId'> & { readonly preparedBy?: readonly Preparer[] },
  step: Pick<ApprovalStep, 'approverRole'>,
  person: Pick<SandboxPerson, 'id' | 'name'>,
  people: readonly Pick<SandboxPerson, 'id' | 'name' | 'roles'>[],
): string | null {
  const part = ownPart(req, req.preparedBy ?? [], person.id);
  if (step.approverRole === null || part === undefined) return null;
  const role = step.approverRole;
  const others = people.filter((p) => p.id !== person.id && p.roles.includes(role)).map((p) => p.name);
  const who = others.length > 0 ? `another ${role} decides: ${others.join(', ')}` : `nobody else holds the role "${role}" yet: add one under People & rules`;
  return `${person.name} ${part} ${req.number} and cannot approve or reject it (four eyes); ${who}. To withdraw it, cancel the requisition.`;
}

export interface Decision {
  readonly decision: 'approve' | 'reject';
  readonly comment: string;
  /** The step the person saw; when given and no longer the open one, the decision is refused. */
  readonly stepId?: string;
}

/**
 * A person decides the open step: only someone holding the step's role who did not request,
 * create or submit it (anyone may retry an automatic step that the budget held up), only the first pending step, once. Rejecting needs a
 * comment and ends the requisition. Approving the last step approves the requisition (budget
 * checked and committed in the same transaction) and places the purchase order.
 */
export async function decideStep(deps: ProcurementDeps, id: string, d: Decision, person: SandboxPerson): Promise<Requisition> {
  const req = await mustFind(deps.db, id);
  if (req.status !== 'pending') throw new ProcurementError(`Requisition ${req.number} is ${req.status}; there is nothing to decide.`);
  const step = currentStep(await stepsOf(deps.db, id));
  if (!step) throw new ProcurementError(`Requisition ${req.number} has no open approval step.`);
  if (d.stepId && d.stepId !== step.id) throw new ProcurementError('That step was decided already; the page shows where the requisition stands now.');
  const comment = d.comment.trim();
  if (step.approverRole === null) {
    if (d.decision !== 'approve') throw new ProcurementError('An automatic step cannot be rejected; cancel the requisition instead.');
    await approveStep(deps, id, step, step.ruleId ? `rule:${step.ruleId}` : 'system', `${step.ruleName} (tried again by ${person.name}).`, 'auto');
    return (await findRequisition(deps.db, id))!;
  }
  if (!hasRole(person, step.approverRole)) {
    throw new ProcurementError(`${person.name} cannot decide this step: it needs the role "${step.approverRole}".`, undefined, 403);
  }
  const own = ownRequisitionRefusal({ ...req, preparedBy: await preparersOf(deps.db, id) }, step, person, await listPeople(deps.db));
  if (own) throw new ProcurementError(own, undefined, 403);
  if (d.decision === 'reject') {
    if (comment === '') throw new ProcurementError('Say why the requisition is rejected (the requester reads it).', 'comment', 422);
    const at = deps.now();
    await inTransaction(deps.db, async (db) => {
      const s = await db
        .updateTable('sandbox_approval_steps')
        .set({ status: 'rejected', decided_by: person.id, comment, decided_at: at.toISOString() })
        .where('id', '=', step.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(s.numUpdatedRows) !== 1) throw new ProcurementError('That step was decided already.');
      await db.updateTable('sandbox_approval_steps').set({ status: 'skipped' }).where('requisition_id', '=', id).where('status', '=', 'pending').execute();
      await db.updateTable('sandbox_requisitions').set({ status: 'rejected', updated_at: at.toISOString() }).where('id', '=', id).where('status', '=', 'pending').execute();
      await recordEvent(db, { subjectType: 'requisition', subjectId: id, actor: personActor(person), kind: 'rejected', text: `Rejected by ${person.name} (${step.approverRole}) at "${step.ruleName}": ${comment}`, at });
    });
    return (await findRequisition(deps.db, id))!;
  }
  if (d.decision !== 'approve') throw new ProcurementError('Choose approve or reject.', 'decision', 422);
  await approveStep(deps, id, step, personActor(person), comment, 'approved', person);
  return (await findRequisition(deps.db, id))!;
}

/**
 * Approves one step (conditional on it still being pending). When it was the last open step the
 * same transaction checks and commits the budget and approves the requisition; over budget rolls
 * all of it back (the step stays open), records "blocked: over budget" and throws. After the
 * commit, the purchase order is placed.
 */
async function approveStep(
  deps: ProcurementDeps,
  id: string,
  step: ApprovalStep,
  actor: SandboxActor,
  comment: string,
  status: 'approved' | 'auto',
  person?: SandboxPerson,
): Promise<void> {
  const at = deps.now();
  let approved: Requisition | undefined;
  try {
    approved = await inTransaction(deps.db, async (db) => {
      const s = await db
        .updateTable('sandbox_approval_steps')
        .set({ status, decided_by: person?.id ?? actor, comment, decided_at: at.toISOString() })
        .where('id', '=', step.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(s.numUpdatedRows) !== 1) throw new ProcurementError('That step was decided already.');
      // Worded like the rejection: who decided, then the rule's step.
      const who = person ? `by ${person.name} (${step.approverRole})` : 'automatically';
      await recordEvent(db, { subjectType: 'requisition', subjectId: id, actor, kind: status === 'auto' ? 'approved automatically' : 'step approved', text: `Approved ${who} at "${step.ruleName}"${comment && person ? `: ${comment}` : '.'}`, at });
      const open = await db.selectFrom('sandbox_approval_steps').select('id').where('requisition_id', '=', id).where('status', '=', 'pending').executeTakeFirst();
      if (open) return undefined;
      const req = (await findRequisition(db, id))!;
      const standing = await commitRequisition(db, req, at, actor);
      const r = await db.updateTable('sandbox_requisitions').set({ status: 'approved', updated_at: at.toISOString() }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new ProcurementError(`Requisition ${req.number} is no longer pending.`);
      const budgetText = standing
        ? ` ${money(req.total, req.currency)} committed on cost center ${req.costCenter}; ${money(standing.available, standing.currency)} left.`
        : ` No budget for cost center ${req.costCenter} in this period: not checked.`;
      // A millisecond later than the step, so the history (ordered by time) shows them in order.
      await recordEvent(db, { subjectType: 'requisition', subjectId: id, actor, kind: 'approved', text: `Requisition approved.${budgetText}`, at: new Date(at.getTime() + 1) });
      return (await findRequisition(db, id))!;
    });
  } catch (e) {
    if (e instanceof ProcurementError && /^(Over budget|Cannot approve)/.test(e.message)) {
      await recordEvent(deps.db, { subjectType: 'requisition', subjectId: id, actor, kind: 'blocked: over budget', text: `${e.message} The requisition stays pending until the budget allows it.`, at });
    }
    throw e;
  }
  if (approved) await orderApproved(deps, approved, actor);
}

/** Places the order of an approved requisition; trouble that is not the supplier's stays on the requisition as a note in its history. */
async function orderApproved(deps: ProcurementDeps, req: Requisition, actor: SandboxActor): Promise<void> {
  try {
    const po = await placePurchaseOrder(deps, req, actor);
    // placePurchaseOrder links the requisition itself; only fill in what it has not.
    await deps.db.updateTable('sandbox_requisitions').set({ po_id: po.id, updated_at: deps.now().toISOString() }).where('id', '=', req.id).where('po_id', 'is', null).execute();
    await deps.db.updateTable('sandbox_requisitions').set({ status: 'ordered' }).where('id', '=', req.id).where('status', '=', 'approved').where('po_id', '=', po.id).execute();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // Cancelled meanwhile: there is nothing to place again.
    const text = e instanceof RequisitionNotApproved ? message : `The purchase order could not be placed: ${message}. Place it again from this page.`;
    await recordEvent(deps.db, { subjectType: 'requisition', subjectId: req.id, actor, kind: 'order failed', text, at: deps.now() });
  }
}

/** An approved requisition without an order (placing it failed): try again. */
export async function placeOrderAgain(deps: ProcurementDeps, id: string, person: SandboxPerson): Promise<Requisition> {
  const req = await mustFind(deps.db, id);
  if (req.status !== 'approved' || req.poId !== null) throw new ProcurementError(`Requisition ${req.number} is ${req.status}${req.poId ? ' and has an order' : ''}; there is no order to place.`);
  await orderApproved(deps, req, personActor(person));
  return (await findRequisition(deps.db, id))!;
}

/**
 * Cancels a draft or pending requisition (nothing was committed), or an approved one whose order
 * was never placed (its commitment is released). An ordered requisition is cancelled through its
 * purchase order.
 */
export async function cancelRequisition(deps: ProcurementDeps, id: string, person: SandboxPerson, reason = ''): Promise<Requisition> {
  const req = await mustFind(deps.db, id);
  const at = deps.now();
  const actor = personActor(person);
  await inTransaction(deps.db, async (db) => {
    let q = db.updateTable('sandbox_requisitions').set({ status: 'cancelled', updated_at: at.toISOString() }).where('id', '=', id).where('po_id', 'is', null);
    q = q.where('status', 'in', ['draft', 'pending', 'approved']);
    const r = await q.executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) {
      const now = (await findRequisition(db, id)) ?? req;
      throw new ProcurementError(
        now.poId ? `Requisition ${req.number} has a purchase order; cancel the order instead.` : `Requisition ${req.number} is ${now.status} and cannot be cancelled.`,
      );
    }
    await db.updateTable('sandbox_approval_steps').set({ status: 'skipped' }).where('requisition_id', '=', id).where('status', '=', 'pending').execute();
    await releaseRequisition(db, req, at, actor, `${req.number} cancelled`);
    await recordEvent(db, { subjectType: 'requisition', subjectId: id, actor, kind: 'cancelled', text: `Cancelled by ${person.name}${reason.trim() ? `: ${reason.trim()}` : '.'}`, at });
  });
  return (await findRequisition(deps.db, id))!;
}

/** Steps waiting for someone with one of these roles: the open step of each pending requisition. */
export async function pendingApprovalsFor(db: Store, roles: readonly SandboxRole[]): Promise<{ requisition: Requisition; step: ApprovalStep; preparedBy: Preparer[] }[]> {
  if (roles.length === 0) return [];
  const pending = await listRequisitions(db, { status: 'pending' }, 500);
  const out: { requisition: Requisition; step: ApprovalStep; preparedBy: Preparer[] }[] = [];
  for (const requisition of pending) {
    const step = currentStep(await stepsOf(db, requisition.id));
    if (step && step.approverRole !== null && roles.includes(step.approverRole)) out.push({ requisition, step, preparedBy: await preparersOf(db, requisition.id) });
  }
  return out;
}
