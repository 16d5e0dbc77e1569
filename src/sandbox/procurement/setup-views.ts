/**
 * The setup page: who the browser acts as, the people and their roles, cost centers and the
 * approval rules. Pure functions to Html; forms keep what was typed and name each problem.
 */
import { html, type Html } from '../../web/html.js';
import { money } from './po-views.js';
import type { RuleForm } from './approval-rules.js';
import type { FieldProblems } from './form-problems.js';
import { REQUISITION_SOURCES, SANDBOX_ROLES, type ApprovalRule, type SandboxPerson } from './model.js';
import type { CostCenter } from './organisation.js';
import type { PersonInput } from './people.js';
import { checkboxes, frame, noticeBox, problemsSummary, selectField, textField, type Notice } from './requisition-views.js';

export interface SetupView {
  readonly acting: SandboxPerson;
  readonly people: readonly SandboxPerson[];
  readonly costCenters: readonly CostCenter[];
  readonly rules: readonly ApprovalRule[];
  /** Where the acting-as switch returns to. */
  readonly back: string;
  readonly notice?: Notice;
  readonly personForm?: { readonly values: PersonInput; readonly problems: FieldProblems; readonly editing?: string };
  readonly costCenterForm?: { readonly values: { code: string; name: string }; readonly problems: FieldProblems };
  readonly ruleForm?: { readonly values: RuleForm; readonly problems: FieldProblems; readonly editing?: string };
}

const ROLE_OPTIONS = SANDBOX_ROLES.map((r): [string, string] => [r, r]);
const SOURCE_OPTIONS = REQUISITION_SOURCES.map((s): [string, string] => [s, s]);

function ruleRange(r: ApprovalRule): string {
  return r.maxAmount === null ? `from ${money(r.minAmount, r.currency)}` : `${money(r.minAmount, r.currency)} to below ${money(r.maxAmount, r.currency)}`;
}

export function setupPage(v: SetupView): Html {
  const ccOptions: [string, string][] = v.costCenters.map((c) => [c.code, `${c.code} ${c.name}`]);
  const pf = v.personForm;
  const pv: PersonInput = pf?.values ?? { id: '', name: '', email: '', roles: ['requester'], costCenter: null };
  const cf = v.costCenterForm;
  const rf = v.ruleForm;
  const rv: RuleForm = rf?.values ?? { name: '', costCenter: '', minAmount: '0', maxAmount: '', currency: 'EUR', sources: [], action: 'role', approverRole: 'approver', position: String(v.rules.length) };
  return frame(
    'People & rules',
    'setup',
    v.acting,
    html`<section class="card" id="acting">
<h1>People &amp; rules</h1>
${noticeBox(v.notice)}
<h2>Acting as</h2>
<p class="muted">The sandbox has no login: choose whose desk you sit at. Approvals, budgets and the history follow this choice.</p>
<form method="post" action="/sandbox/setup/acting"><input type="hidden" name="back" value="${v.back}">
<div class="form-row">${selectField('Person', 'person', v.acting.id, v.people.map((p): [string, string] => [p.id, `${p.name} — ${p.roles.join(', ') || 'no roles'}`]))}</div>
<p class="actions"><button class="button primary" type="submit">Act as this person</button></p></form>
</section>

<section class="card" id="people"><h2>People</h2>
<table class="table"><thead><tr><th>Id</th><th>Name</th><th>E-mail</th><th>Roles</th><th>Cost center</th><th></th></tr></thead><tbody>${v.people.map(
      (p) => html`<tr><td class="code">${p.id}</td><td>${p.name}</td><td>${p.email}</td><td>${p.roles.join(', ')}</td><td>${p.costCenter ?? ''}</td><td><a href="/sandbox/setup?person=${encodeURIComponent(p.id)}#person-form">Edit</a></td></tr>`,
    )}</tbody></table>
<form method="post" action="${pf?.editing ? `/sandbox/setup/people/${encodeURIComponent(pf.editing)}` : '/sandbox/setup/people'}" id="person-form">
<h3>${pf?.editing ? `Edit ${pf.editing}` : 'Add a person'}</h3>
${problemsSummary(pf?.problems)}
<div class="form-row">
${pf?.editing ? html`<input type="hidden" name="id" value="${pf.editing}">` : textField('Id', 'id', pv.id, pf?.problems, { hint: 'short, e.g. jo; used in the history' })}
${textField('Name', 'name', pv.name, pf?.problems)}
${textField('E-mail', 'email', pv.email, pf?.problems, { type: 'email' })}
${selectField('Cost center', 'costCenter', pv.costCenter ?? '', [['', 'none'], ...ccOptions], pf?.problems)}
</div>
${checkboxes('Roles', 'roles', pv.roles, ROLE_OPTIONS, pf?.problems)}
<p class="actions"><button class="button" type="submit">${pf?.editing ? 'Save the person' : 'Add the person'}</button>${pf?.editing ? html` <a href="/sandbox/setup#people">Cancel</a>` : ''}</p>
</form>
</section>

<section class="card" id="cost-centers"><h2>Cost centers</h2>
<ul>${v.costCenters.map((c) => html`<li><span class="code">${c.code}</span> ${c.name} · <a href="/sandbox/budgets">budget</a></li>`)}</ul>
<form method="post" action="/sandbox/setup/cost-centers"><h3>Add a cost center</h3>
${problemsSummary(cf?.problems)}
<div class="form-row">${textField('Code', 'code', cf?.values.code ?? '', cf?.problems)}${textField('Name', 'name', cf?.values.name ?? '', cf?.problems)}</div>
<p class="actions"><button class="button" type="submit">Add the cost center</button></p></form>
</section>

<section class="card" id="rules"><h2>Approval rules</h2>
<p class="muted">An applicable automatic rule approves on its own; otherwise every applicable role rule is a step, in position order. Amounts are net, in the rule's currency (a rule in another currency does not apply; a requisition in a currency no rule is written in needs an approver). No rule applies: approved at once.</p>
<table class="table"><thead><tr><th>Pos.</th><th>Name</th><th>Cost center</th><th>Amount</th><th>Sources</th><th>Action</th><th>Status</th><th></th></tr></thead><tbody>${v.rules.map(
      (r) => html`<tr><td>${r.position}</td><td>${r.name}</td><td>${r.costCenter ?? 'all'}</td><td>${ruleRange(r)}</td><td>${r.sources.length ? r.sources.join(', ') : 'all'}</td><td>${r.action === 'auto' ? 'approve automatically' : `role ${r.approverRole}`}</td><td>${r.active ? 'active' : html`<span class="muted">inactive</span>`}</td>
<td><a href="/sandbox/setup?rule=${r.id}#rule-form">Edit</a> <form method="post" action="/sandbox/setup/rules/${r.id}/active" style="display:inline"><input type="hidden" name="active" value="${r.active ? '0' : '1'}"><button class="button secondary${r.active ? ' danger' : ''}" type="submit">${r.active ? 'Deactivate' : 'Activate'}</button></form></td></tr>`,
    )}</tbody></table>
<form method="post" action="${rf?.editing ? `/sandbox/setup/rules/${rf.editing}` : '/sandbox/setup/rules'}" id="rule-form">
<h3>${rf?.editing ? 'Edit the rule' : 'Add a rule'}</h3>
${problemsSummary(rf?.problems)}
<div class="form-row">
${textField('Name', 'name', rv.name, rf?.problems)}
${selectField('Cost center', 'costCenter', rv.costCenter, [['', 'all'], ...ccOptions], rf?.problems)}
${textField('From amount (inclusive)', 'minAmount', rv.minAmount, rf?.problems)}
${textField('Below amount (exclusive)', 'maxAmount', rv.maxAmount, rf?.problems, { hint: 'empty: no limit' })}
${textField('Currency', 'currency', rv.currency, rf?.problems)}
${textField('Position', 'position', rv.position, rf?.problems, { hint: 'lower first' })}
</div>
<div class="form-row">
${selectField('Action', 'action', rv.action, [['role', 'a person with a role approves'], ['auto', 'approve automatically']], rf?.problems)}
${selectField('Role', 'approverRole', rv.approverRole, [['', '—'], ...ROLE_OPTIONS], rf?.problems, 'for role rules')}
</div>
${checkboxes('Sources', 'sources', rv.sources, SOURCE_OPTIONS, rf?.problems, 'none checked: every source')}
<p class="actions"><button class="button primary" type="submit">${rf?.editing ? 'Save the rule' : 'Add the rule'}</button>${rf?.editing ? html` <a href="/sandbox/setup#rules">Cancel</a>` : ''}</p>
</form>
</section>`,
  );
}
