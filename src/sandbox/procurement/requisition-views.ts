/**
 * Pages for requisitions, approvals and budgets: pure functions from the model to Html, inside
 * the sandbox frame. Forms come back with what was typed and each problem next to its field.
 */
import { Decimal } from 'decimal.js';
import { formatMoney } from '../../protocol/money.js';
import { html, type Html } from '../../web/html.js';
import { sandboxFrame } from '../layout.js';
import type { BudgetForm } from './budgets.js';
import type { FieldProblems } from './form-problems.js';
import type { SandboxEvent } from './history.js';
import {
  REQUISITION_SOURCES,
  type ApprovalStep,
  type BudgetStanding,
  type Requisition,
  type RequisitionStatus,
  type SandboxPerson,
} from './model.js';
import type { CostCenter } from './organisation.js';
import { ownPart, type DraftEdit, type Preparer, type RequisitionFilters } from './requisitions.js';

export const REQUISITION_STATUSES: readonly RequisitionStatus[] = ['draft', 'pending', 'approved', 'ordered', 'rejected', 'cancelled'];

export interface Notice {
  readonly kind: 'error' | 'warning' | 'ok' | 'info';
  readonly text: string;
}

// ---- small shared pieces ------------------------------------------------------------------------------

export function frame(title: string, section: string, acting: SandboxPerson, body: Html): Html {
  return sandboxFrame({ title, section, acting: { name: acting.name, roles: acting.roles } }, body);
}

export function noticeBox(n: Notice | undefined): Html | '' {
  if (!n) return '';
  return html`<div class="notice ${n.kind}" role="${n.kind === 'error' ? 'alert' : 'status'}"><p>${n.text}</p></div>`;
}

/** "Please correct …" above a form with problems. */
export function problemsSummary(problems: FieldProblems | undefined): Html | '' {
  if (!problems || Object.keys(problems).length === 0) return '';
  return html`<div class="notice error" role="alert"><p>Nothing was saved. Please correct the marked fields:</p><ul>${Object.values(problems).map((m) => html`<li>${m}</li>`)}</ul></div>`;
}

function invalid(problems: FieldProblems | undefined, name: string): Html | '' {
  return problems?.[name] ? html` aria-invalid="true" aria-describedby="${name}-problem"` : '';
}

function problemText(problems: FieldProblems | undefined, name: string): Html | '' {
  const m = problems?.[name];
  return m ? html`<span class="field-problem" id="${name}-problem">${m}</span>` : '';
}

export function textField(label: string, name: string, value: string, problems?: FieldProblems, opts: { hint?: string; type?: string; required?: boolean } = {}): Html {
  return html`<label class="field"><span>${label}</span>${problemText(problems, name)}<input type="${opts.type ?? 'text'}" name="${name}" value="${value}"${opts.required ? html` required` : ''}${invalid(problems, name)}>${opts.hint ? html`<span class="hint">${opts.hint}</span>` : ''}</label>`;
}

export function textArea(label: string, name: string, value: string, problems?: FieldProblems, hint?: string): Html {
  return html`<label class="field"><span>${label}</span>${problemText(problems, name)}<textarea name="${name}" rows="3"${invalid(problems, name)}>${value}</textarea>${hint ? html`<span class="hint">${hint}</span>` : ''}</label>`;
}

export function selectField(label: string, name: string, value: string, options: readonly (readonly [string, string])[], problems?: FieldProblems, hint?: string): Html {
  return html`<label class="field"><span>${label}</span>${problemText(problems, name)}<select name="${name}"${invalid(problems, name)}>${options.map(
    ([v, text]) => html`<option value="${v}"${v === value ? html` selected` : ''}>${text}</option>`,
  )}</select>${hint ? html`<span class="hint">${hint}</span>` : ''}</label>`;
}

export function checkboxes(label: string, name: string, chosen: readonly string[], options: readonly (readonly [string, string])[], problems?: FieldProblems, hint?: string): Html {
  return html`<fieldset class="field"${invalid(problems, name)}><legend>${label}</legend>${problemText(problems, name)}${options.map(
    ([v, text]) => html`<label><input type="checkbox" name="${name}" value="${v}"${chosen.includes(v) ? html` checked` : ''}> ${text}</label> `,
  )}${hint ? html`<span class="hint">${hint}</span>` : ''}</fieldset>`;
}

export function amount(value: string, currency: string): string {
  return `${formatMoney(new Decimal(value), currency)} ${currency}`;
}

export function when(iso: string | null): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '';
}

export function statusBadge(status: string): Html {
  return html`<span class="badge status-${status}">${status}</span>`;
}

function personName(people: readonly SandboxPerson[], id: string | null): string {
  if (id === null) return '';
  return people.find((p) => p.id === id)?.name ?? id;
}

/** `person:maria` → Maria Schulz; rules and the system as they are. */
export function actorName(people: readonly SandboxPerson[], actor: string): string {
  if (actor.startsWith('person:')) return personName(people, actor.slice(7));
  if (actor.startsWith('rule:')) return 'approval rule';
  return actor;
}

export function historyList(events: readonly SandboxEvent[], people: readonly SandboxPerson[]): Html {
  if (events.length === 0) return html`<p class="muted">Nothing recorded yet.</p>`;
  return html`<ol class="history">${events.map(
    (e) => html`<li><span class="muted">${when(e.createdAt)}</span> · <strong>${e.kind}</strong> · ${actorName(people, e.actor)}: ${e.text}</li>`,
  )}</ol>`;
}

export function standingSummary(s: BudgetStanding | null, costCenter: string): Html {
  if (!s) return html`<span class="muted">no budget for cost center ${costCenter} in this period (not checked)</span>`;
  return html`${amount(s.available, s.currency)} available of ${amount(s.amount, s.currency)} <span class="muted">(committed ${amount(s.committed, s.currency)}, spent ${amount(s.spent, s.currency)}; ${s.periodStart} – ${s.periodEnd})</span>`;
}

function ccOptions(costCenters: readonly CostCenter[]): [string, string][] {
  return costCenters.map((c) => [c.code, `${c.code} ${c.name}`]);
}

function peopleOptions(people: readonly SandboxPerson[]): [string, string][] {
  return people.map((p) => [p.id, `${p.name} (${p.id})`]);
}

// ---- the list -----------------------------------------------------------------------------------------

export interface RequisitionListView {
  readonly acting: SandboxPerson;
  readonly requisitions: readonly Requisition[];
  readonly people: readonly SandboxPerson[];
  readonly costCenters: readonly CostCenter[];
  readonly filters: RequisitionFilters;
  /** Per requisition id: its purchase order's status (only those with an order). */
  readonly orderStatuses?: ReadonlyMap<string, string>;
}

export function requisitionListPage(v: RequisitionListView): Html {
  const f = v.filters;
  const any: [string, string] = ['', 'any'];
  return frame(
    'Requisitions',
    'requisitions',
    v.acting,
    html`<section class="card">
<h1>Requisitions</h1>
<p class="muted">A punchout's cart becomes a draft requisition; submitted, it goes through the approval steps of the rules under <a href="/sandbox/setup#rules">People &amp; rules</a>, and the final approval commits the budget and places the purchase order.</p>
<form method="get" action="/sandbox/requisitions" class="doc-filters"><div class="form-row">
${selectField('Status', 'status', f.status ?? '', [any, ...REQUISITION_STATUSES.map((s): [string, string] => [s, s])])}
${selectField('Cost center', 'costCenter', f.costCenter ?? '', [any, ...ccOptions(v.costCenters)])}
${selectField('Requester', 'requester', f.requesterId ?? '', [any, ...peopleOptions(v.people)])}
${selectField('Source', 'source', f.source ?? '', [any, ...REQUISITION_SOURCES.map((s): [string, string] => [s, s])])}
</div><p class="actions"><button class="button" type="submit">Filter</button> <a href="/sandbox/requisitions">Show all</a></p></form>
${
  v.requisitions.length === 0
    ? html`<p class="muted">No requisitions${Object.values(f).some(Boolean) ? ' match these filters' : ' yet: start a punchout and bring a cart back'}.</p>`
    : html`<table class="table"><thead><tr><th>Number</th><th>Title</th><th>Status</th><th>Source</th><th>Requester</th><th>Cost center</th><th class="num">Total</th><th>Created</th></tr></thead><tbody>${v.requisitions.map(
        (r) => html`<tr><td><a href="/sandbox/requisitions/${r.id}" class="code">${r.number}</a></td><td>${r.title}</td><td>${statusBadge(r.status)}${r.status === 'ordered' && v.orderStatuses?.get(r.id) && v.orderStatuses.get(r.id) !== 'open' ? html` <span class="muted small">order ${v.orderStatuses.get(r.id)}</span>` : ''}</td><td>${r.source}</td><td>${personName(v.people, r.requesterId)}</td><td>${r.costCenter}</td><td class="num">${amount(r.total, r.currency)}</td><td class="nowrap">${when(r.createdAt)}</td></tr>`,
      )}</tbody></table>`
}
</section>`,
  );
}

// ---- one requisition -------------------------------------------------------------------------------------

export interface RequisitionPageView {
  readonly acting: SandboxPerson;
  readonly requisition: Requisition;
  readonly people: readonly SandboxPerson[];
  readonly costCenters: readonly CostCenter[];
  readonly standing: BudgetStanding | null;
  readonly steps: readonly ApprovalStep[];
  readonly events: readonly SandboxEvent[];
  /** Who created, submitted or set up the requisition (four eyes; see preparersOf). */
  readonly preparedBy: readonly Preparer[];
  /** The purchase order's SBX number, when there is one. */
  readonly orderNumber?: string;
  /** The purchase order's status (open, cancelled, …), when there is one. */
  readonly orderStatus?: string;
  readonly notice?: Notice;
  /** The edit-draft form as typed, with problems. */
  readonly edit?: { readonly values: DraftEdit; readonly problems: FieldProblems };
  /** The decision form as typed, with problems. */
  readonly decide?: { readonly comment: string; readonly problems: FieldProblems };
}

export function requisitionPage(v: RequisitionPageView): Html {
  const r = v.requisition;
  const open = [...v.steps].sort((a, b) => a.position - b.position).find((s) => s.status === 'pending');
  const blocked = r.status === 'pending' && v.events.length > 0 && v.events[v.events.length - 1]!.kind === 'blocked: over budget';
  // The refusal just shown says what the warning would: one box, not the same text twice.
  const sameAsBlock = blocked && v.notice !== undefined && v.events[v.events.length - 1]!.text.includes(v.notice.text);
  return frame(
    `Requisition ${r.number}`,
    'requisitions',
    v.acting,
    html`<section class="card">
<h1>Requisition <span class="code">${r.number}</span> ${statusBadge(r.status)}</h1>
${sameAsBlock ? noticeBox({ kind: v.notice!.kind, text: `${v.notice!.text} The final approval was held up by the budget: the requisition stays pending until the budget allows it.` }) : noticeBox(v.notice)}
${blocked && !sameAsBlock ? html`<div class="notice warning" role="status"><p>Pending: the final approval was held up by the budget. ${v.events[v.events.length - 1]!.text}</p></div>` : ''}
${!blocked && (r.status === 'draft' || r.status === 'pending') ? overBudgetWarning(r, v.standing) : ''}
<dl class="kv">
<dt>Title</dt><dd>${r.title}</dd>
<dt>Requester</dt><dd>${personName(v.people, r.requesterId)}</dd>
<dt>Cost center</dt><dd>${r.costCenter} ${v.costCenters.find((c) => c.code === r.costCenter)?.name ?? ''}</dd>
<dt>Budget</dt><dd>${standingSummary(v.standing, r.costCenter)}</dd>
<dt>Total</dt><dd><strong>${amount(r.total, r.currency)}</strong> (net)</dd>
<dt>Source</dt><dd>${r.source}${r.punchoutId ? html` · <a href="/sandbox/punchouts/${r.punchoutId}">the punchout</a>` : ''}</dd>
<dt>Supplier</dt><dd class="code">${r.supplier.cxmlUrl}</dd>
${r.poId ? html`<dt>Purchase order</dt><dd><a href="/sandbox/orders/${r.poId}" class="code">${v.orderNumber ?? r.poId}</a>${v.orderStatus ? html` ${statusBadge(v.orderStatus)}` : ''}</dd>` : ''}
${r.note ? html`<dt>Note</dt><dd>${r.note}</dd>` : ''}
<dt>Created</dt><dd>${when(r.createdAt)}</dd>
</dl>
</section>
<section class="card"><h2>Lines</h2>
<table class="table"><thead><tr><th>#</th><th>Part</th><th>Description</th><th class="num">Quantity</th><th>Unit</th><th class="num">Unit price</th><th class="num">Line total</th><th>Classification</th></tr></thead><tbody>${r.lines.map(
      (l) => html`<tr><td>${l.line}</td><td class="code">${l.supplierPartID}${l.auxID ? html`<br><span class="muted">${l.auxID}</span>` : ''}</td><td>${l.description}</td><td class="num">${l.quantity}</td><td>${l.unit}</td><td class="num">${amount(l.unitPrice, l.currency)}</td><td class="num">${amount(l.lineTotal, l.currency)}</td><td>${l.classification ? `${l.classification.domain} ${l.classification.code}` : ''}</td></tr>`,
    )}</tbody><tfoot><tr><th colspan="6">Total</th><td class="num"><strong>${amount(r.total, r.currency)}</strong></td><td></td></tr></tfoot></table>
</section>
${stepsSection(v, open)}
${actionsSection(v, open)}
<section class="card"><h2>History</h2>${historyList(v.events, v.people)}</section>`,
  );
}

/** Said before anyone approves: the final approval would be refused by the budget check. */
export function overBudgetWarning(r: Pick<Requisition, 'costCenter' | 'total' | 'currency'>, s: BudgetStanding | null): Html | '' {
  if (!s || s.currency !== r.currency || !new Decimal(r.total).gt(s.available)) return '';
  return html`<div class="notice warning over-budget" role="status"><p>Over budget: cost center ${r.costCenter} has ${amount(s.available, s.currency)} available; this requisition (${amount(r.total, r.currency)}) cannot be approved unless the budget is raised or the cost center changed.</p></div>`;
}

function stepsSection(v: RequisitionPageView, open: ApprovalStep | undefined): Html {
  if (v.steps.length === 0) return html`<section class="card"><h2>Approval</h2><p class="muted">${v.requisition.status === 'draft' ? 'Not submitted yet: the steps are decided by the approval rules when it is submitted.' : 'No approval steps.'}</p></section>`;
  return html`<section class="card" id="approval"><h2>Approval</h2>
<table class="table"><thead><tr><th>#</th><th>Step</th><th>Who</th><th>Status</th><th>Decided by</th><th>When</th><th>Comment</th></tr></thead><tbody>${v.steps.map(
    (s) => html`<tr${s === open ? html` aria-current="step"` : ''}><td>${s.position}</td><td>${s.ruleName}</td><td>${s.approverRole ?? 'automatic'}</td><td>${statusBadge(s.status)}</td><td>${s.decidedBy ? (s.decidedBy.includes(':') ? actorName(v.people, s.decidedBy) : personName(v.people, s.decidedBy)) : ''}</td><td class="nowrap">${when(s.decidedAt)}</td><td>${s.comment}</td></tr>`,
  )}</tbody></table>
${decideForm(v, open)}
</section>`;
}

function decideForm(v: RequisitionPageView, open: ApprovalStep | undefined): Html | '' {
  const r = v.requisition;
  if (r.status !== 'pending' || !open) return '';
  const id = r.id;
  if (open.approverRole === null) {
    return html`<form method="post" action="/sandbox/requisitions/${id}/decide"><input type="hidden" name="step" value="${open.id}"><input type="hidden" name="decision" value="approve">
<p>The automatic step waits for budget. When the budget allows it, <button class="button" type="submit">Try the approval again</button></p></form>`;
  }
  if (!v.acting.roles.includes(open.approverRole)) {
    return html`<p class="muted">Waiting for someone with the role <strong>${open.approverRole}</strong>. You act as ${v.acting.name}; <a href="/sandbox/setup#acting">switch</a> to decide.</p>`;
  }
  const own = ownPart(r, v.preparedBy, v.acting.id);
  if (own) return ownRequisitionNote(v.people, v.acting, open.approverRole, own);
  const problems = v.decide?.problems;
  return html`<form method="post" action="/sandbox/requisitions/${id}/decide" class="decide">
<h3>Your decision (${open.approverRole})</h3>
${problemsSummary(problems)}
<input type="hidden" name="step" value="${open.id}">
${textArea('Comment', 'comment', v.decide?.comment ?? '', problems, 'Required when rejecting; the requester reads it.')}
<p class="actions"><button class="button primary" type="submit" name="decision" value="approve">Approve</button> <button class="button secondary danger" type="submit" name="decision" value="reject">Reject</button></p>
</form>`;
}

/** Four eyes: whoever requested, created or submitted a requisition never gets its decide form. */
function ownRequisitionNote(people: readonly SandboxPerson[], acting: SandboxPerson, role: string, part: string): Html {
  const others = people.filter((p) => p.id !== acting.id && (p.roles as readonly string[]).includes(role)).map((p) => p.name);
  return html`<p class="muted">You ${part} this; another ${role} decides${others.length ? html` (${others.join(', ')})` : html` (nobody else holds the role yet: add one under <a href="/sandbox/setup">People &amp; rules</a>)`}. You can cancel it instead.</p>`;
}

function actionsSection(v: RequisitionPageView, _open: ApprovalStep | undefined): Html | '' {
  const r = v.requisition;
  const parts: Html[] = [];
  if (r.status === 'draft') {
    const e = v.edit?.values ?? { title: r.title, requesterId: r.requesterId, costCenter: r.costCenter, note: r.note };
    const problems = v.edit?.problems;
    parts.push(html`<form method="post" action="/sandbox/requisitions/${r.id}/submit"><p class="actions"><button class="button primary" type="submit">Submit for approval</button></p></form>
<form method="post" action="/sandbox/requisitions/${r.id}" id="edit"><h3>Edit the draft</h3>
${problemsSummary(problems)}
${textField('Title', 'title', e.title, problems, { required: true })}
${selectField('Requester', 'requesterId', e.requesterId, peopleOptions(v.people), problems)}
${selectField('Cost center', 'costCenter', e.costCenter, ccOptions(v.costCenters), problems)}
${textArea('Note', 'note', e.note, problems)}
<p class="actions"><button class="button" type="submit">Save the draft</button></p></form>`);
  }
  if (r.status === 'approved' && r.poId === null) {
    parts.push(html`<form method="post" action="/sandbox/requisitions/${r.id}/order"><p>Approved, but the purchase order was not placed (see the history). <button class="button primary" type="submit">Place the order again</button></p></form>`);
  }
  if ((r.status === 'draft' || r.status === 'pending' || r.status === 'approved') && r.poId === null) {
    parts.push(html`<form method="post" action="/sandbox/requisitions/${r.id}/cancel"><h3>Cancel</h3>${textField('Reason (optional)', 'reason', '')}<p class="actions"><button class="button secondary danger" type="submit">Cancel the requisition</button></p></form>`);
  }
  if (r.poId) parts.push(html`<p>The purchase order carries on from here: <a href="/sandbox/orders/${r.poId}">${v.orderNumber ?? 'open it'}</a> (changes, cancellation, receipts).</p>`);
  if (parts.length === 0) return '';
  return html`<section class="card"><h2>Actions</h2>${parts}</section>`;
}

// ---- approvals ------------------------------------------------------------------------------------------

export interface ApprovalsView {
  readonly acting: SandboxPerson;
  /** After an approval: the requisition decided and, when the approval placed it, its purchase order. */
  readonly decided?: { readonly requisition: Pick<Requisition, 'id' | 'number' | 'status'>; readonly order?: { readonly id: string; readonly number: string } };
  readonly items: readonly { readonly requisition: Requisition; readonly step: ApprovalStep; readonly preparedBy?: readonly Preparer[] }[];
  readonly people: readonly SandboxPerson[];
  readonly notice?: Notice;
}

function decidedNotice(n: Notice, d: NonNullable<ApprovalsView['decided']>): Html {
  const r = d.requisition;
  return html`<div class="notice ${n.kind}" role="status"><p>${n.text} Requisition <a class="code" href="/sandbox/requisitions/${r.id}">${r.number}</a> is now ${r.status}${
    d.order ? html`; purchase order <a class="code" href="/sandbox/orders/${d.order.id}">${d.order.number}</a> was placed` : ''
  }.</p></div>`;
}

export function approvalsPage(v: ApprovalsView): Html {
  return frame(
    'Approvals',
    'approvals',
    v.acting,
    html`<section class="card">
<h1>Waiting for your approval</h1>
${v.notice && v.decided ? decidedNotice(v.notice, v.decided) : noticeBox(v.notice)}
<p class="muted">Steps for the roles of ${v.acting.name}: ${v.acting.roles.join(', ') || 'none'}. <a href="/sandbox/setup#acting">Act as someone else</a>.</p>
${
  v.items.length === 0
    ? html`<p>Nothing waits for you.</p>`
    : html`<table class="table"><thead><tr><th>Requisition</th><th>Title</th><th>Requester</th><th>Cost center</th><th class="num">Total</th><th>Step</th><th>Decide</th></tr></thead><tbody>${v.items.map(
        ({ requisition: r, step: s, preparedBy }) => html`<tr><td><a class="code" href="/sandbox/requisitions/${r.id}">${r.number}</a></td><td>${r.title}</td><td>${personName(v.people, r.requesterId)}</td><td>${r.costCenter}</td><td class="num">${amount(r.total, r.currency)}</td><td>${s.ruleName} (${s.approverRole})</td>
<td>${
          ownPart(r, preparedBy ?? [], v.acting.id)
            ? ownRequisitionNote(v.people, v.acting, s.approverRole ?? '', ownPart(r, preparedBy ?? [], v.acting.id)!)
            : html`<form method="post" action="/sandbox/requisitions/${r.id}/decide"><input type="hidden" name="step" value="${s.id}"><input type="hidden" name="back" value="/sandbox/approvals">
<label class="field"><span>Comment</span><input type="text" name="comment" value=""></label>
<button class="button primary" type="submit" name="decision" value="approve">Approve</button> <button class="button secondary danger" type="submit" name="decision" value="reject">Reject</button></form>`
        }</td></tr>`,
      )}</tbody></table>`
}
</section>`,
  );
}

// ---- budgets ---------------------------------------------------------------------------------------------

export interface BudgetsView {
  readonly acting: SandboxPerson;
  readonly standings: readonly BudgetStanding[];
  readonly costCenters: readonly CostCenter[];
  readonly today: string;
  readonly notice?: Notice;
  /** The add form (or the edit form when `editing` is set), as typed. */
  readonly form: BudgetForm;
  readonly problems?: FieldProblems;
  readonly editing?: BudgetStanding;
  /** The history of the budget being edited. */
  readonly history?: readonly SandboxEvent[];
  /** One budget's bookings (its history), shown under the table (`?bookings=<id>`). */
  readonly bookings?: { readonly budget: BudgetStanding; readonly events: readonly SandboxEvent[] };
  readonly people?: readonly SandboxPerson[];
}

export function budgetsPage(v: BudgetsView): Html {
  const f = v.form;
  const p = v.problems;
  const ccName = (code: string): string => v.costCenters.find((c) => c.code === code)?.name ?? '';
  const without = v.costCenters.filter((c) => !v.standings.some((s) => s.costCenter === c.code && s.periodStart <= v.today && s.periodEnd >= v.today));
  return frame(
    'Budgets',
    'budgets',
    v.acting,
    html`<section class="card">
<h1>Budgets</h1>
${noticeBox(v.notice)}
<p class="muted">A requisition's total is committed on its final approval, turned into spend when the invoice is accepted (credit memos give it back) and released on cancellation. A requisition above what is available cannot be approved.</p>
${
  v.standings.length === 0
    ? html`<p>No budgets yet.</p>`
    : html`<table class="table"><thead><tr><th>Cost center</th><th>Period</th><th class="num">Budget</th><th class="num">Committed</th><th class="num">Spent</th><th class="num">Available</th><th></th></tr></thead><tbody>${v.standings.map(
        (s) => html`<tr${s.periodStart <= v.today && s.periodEnd >= v.today ? html` aria-current="true"` : ''}><td>${s.costCenter} ${ccName(s.costCenter)}</td><td>${s.periodStart} – ${s.periodEnd}</td><td class="num">${amount(s.amount, s.currency)}</td><td class="num">${amount(s.committed, s.currency)}</td><td class="num">${amount(s.spent, s.currency)}</td><td class="num"><strong>${amount(s.available, s.currency)}</strong></td><td class="nowrap"><a href="/sandbox/budgets?bookings=${s.id}#bookings">Bookings</a> · <a href="/sandbox/budgets?edit=${s.id}#budget-form">Edit</a> · <a href="/sandbox/requisitions?costCenter=${encodeURIComponent(s.costCenter)}">Requisitions</a></td></tr>`,
      )}</tbody></table>`
}
${without.length > 0 ? html`<p class="muted">No budget for today (${v.today}): ${without.map((c) => `${c.code} ${c.name}`).join(', ')} — requisitions there are not checked.</p>` : ''}
</section>
${
  v.bookings
    ? html`<section class="card" id="bookings">
<h2>Bookings of ${v.bookings.budget.costCenter} ${ccName(v.bookings.budget.costCenter)}, ${v.bookings.budget.periodStart} – ${v.bookings.budget.periodEnd}</h2>
<p class="muted">Every commitment, spend, release and change of this budget, oldest first. <a href="/sandbox/budgets">Close</a></p>
${historyList(v.bookings.events, v.people ?? [])}
</section>`
    : ''
}
<section class="card" id="budget-form">
<h2>${v.editing ? html`Edit the budget of ${v.editing.costCenter}, ${v.editing.periodStart} – ${v.editing.periodEnd}` : 'Add a budget'}</h2>
${problemsSummary(p)}
<form method="post" action="${v.editing ? `/sandbox/budgets/${v.editing.id}` : '/sandbox/budgets'}">
<div class="form-row">
${v.editing ? html`<input type="hidden" name="costCenter" value="${v.editing.costCenter}">` : selectField('Cost center', 'costCenter', f.costCenter, [['', 'choose…'], ...ccOptions(v.costCenters)], p)}
${textField('First day', 'periodStart', f.periodStart, p, { hint: 'YYYY-MM-DD' })}
${textField('Last day', 'periodEnd', f.periodEnd, p, { hint: 'YYYY-MM-DD, inclusive' })}
${textField('Amount', 'amount', f.amount, p, { hint: 'e.g. 5000.00' })}
${textField('Currency', 'currency', f.currency, p, { hint: 'three letters, e.g. EUR' })}
</div>
<p class="actions"><button class="button primary" type="submit">${v.editing ? 'Save the budget' : 'Add the budget'}</button>${v.editing ? html` <a href="/sandbox/budgets">Cancel</a>` : ''}</p>
</form>
${v.editing && v.history ? html`<h3>History of this budget</h3>${historyList(v.history, v.people ?? [])}` : ''}
</section>`,
  );
}
