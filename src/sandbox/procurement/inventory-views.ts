/**
 * Pages of the sandbox's stores (pure Html): the inventory list with a consume form per item, an
 * item's page (details, edit form, movements, its requisitions and orders, history), and the
 * recurring orders. Forms come back with what was typed and each problem next to its field.
 */
import { html, type Html } from '../../web/html.js';
import { sandboxFrame } from '../layout.js';
import { money } from './po-views.js';
import { actorName } from './requisition-views.js';
import type { SandboxEvent } from './history.js';
import type { FieldProblem, ItemRequisition, StockMovement } from './inventory.js';
import type { InventoryItem, ReorderHold, Schedule, SandboxPerson } from './model.js';

export type Acting = { readonly name: string; readonly roles: readonly string[] };

export interface Notice {
  readonly kind: 'ok' | 'error' | 'info';
  /** Plain text, or Html when it links the requisition and order it names. */
  readonly text: string | Html;
}

export interface FormState {
  readonly values: Readonly<Record<string, string>>;
  readonly problems: readonly FieldProblem[];
}

export interface Choices {
  readonly costCenters: readonly { readonly code: string; readonly name: string }[];
  readonly people: readonly SandboxPerson[];
}

export interface ItemRow {
  readonly item: InventoryItem;
  /** Decimal text. */
  readonly onOrder: string;
  readonly openRequisition: { readonly id: string; readonly number: string } | null;
}

export function itemPath(id: string): string {
  return `/sandbox/inventory/${encodeURIComponent(id)}`;
}

const EMPTY: FormState = { values: {}, problems: [] };

function problemsOf(form: FormState, field: string): string[] {
  return form.problems.filter((p) => p.field === field).map((p) => p.message);
}

function problemsBox(form: FormState, what: string): Html | '' {
  if (form.problems.length === 0) return '';
  return html`<div class="notice error" role="alert"><p>${what}</p><ul>${form.problems.map((p) => html`<li>${p.message}</li>`)}</ul></div>`;
}

function noticeBox(n: Notice | undefined): Html | '' {
  if (!n) return '';
  return html`<div class="notice ${n.kind}" role="${n.kind === 'error' ? 'alert' : 'status'}"><p>${n.text}</p></div>`;
}

function field(form: FormState, name: string, label: string, o: { type?: string; hint?: string; value?: string; inputmode?: string } = {}): Html {
  const list = problemsOf(form, name);
  const value = o.value ?? form.values[name] ?? '';
  return html`<label class="field"><span>${label}</span>
<input name="${name}" value="${value}" type="${o.type ?? 'text'}"${o.inputmode ? html` inputmode="${o.inputmode}"` : ''}${o.type === 'password' ? html` autocomplete="new-password"` : ''}${list.length ? html` aria-invalid="true" aria-describedby="${name}-problem"` : ''}>
${list.length ? html`<span class="field-problem" id="${name}-problem">${list.join(' ')}</span>` : ''}${o.hint ? html`<span class="hint">${o.hint}</span>` : ''}</label>`;
}

function select(form: FormState, name: string, label: string, options: readonly (readonly [string, string])[]): Html {
  const value = form.values[name] ?? '';
  const list = problemsOf(form, name);
  const all = options.some(([v]) => v === value) || value === '' ? options : [...options, [value, value] as const];
  return html`<label class="field"><span>${label}</span>
<select name="${name}"${list.length ? html` aria-invalid="true" aria-describedby="${name}-problem"` : ''}>${all.map(([v, l]) => html`<option value="${v}"${v === value ? html` selected` : ''}>${l}</option>`)}</select>
${list.length ? html`<span class="field-problem" id="${name}-problem">${list.join(' ')}</span>` : ''}</label>`;
}

function checkbox(form: FormState, name: string, label: string): Html {
  return html`<label><input type="checkbox" name="${name}" value="1"${form.values[name] === '1' ? html` checked` : ''}> ${label}</label>`;
}

function costCenterOptions(c: Choices): [string, string][] {
  return c.costCenters.map((cc) => [cc.code, `${cc.code} ${cc.name}`]);
}

function peopleOptions(c: Choices): [string, string][] {
  return c.people.map((p) => [p.id, `${p.name} (${p.id})`]);
}

/** "Sam Okafor (sam)", as in the forms; the bare id when the person is gone. */
function personLabel(people: readonly SandboxPerson[], id: string): string {
  const p = people.find((x) => x.id === id);
  return p ? `${p.name} (${p.id})` : id;
}

function when(iso: string): string {
  return iso.replace('T', ' ').slice(0, 16);
}

function badge(status: string): Html {
  const kind = ['open', 'ordered', 'approved', 'accepted'].includes(status) ? 'ok' : ['rejected', 'failed', 'cancelled'].includes(status) ? 'error' : 'muted';
  return html`<span class="badge ${kind}">${status}</span>`;
}

function history(events: readonly SandboxEvent[], people: readonly SandboxPerson[]): Html {
  if (events.length === 0) return html`<p class="muted">Nothing yet.</p>`;
  return html`<ol class="history">${events.map(
    (e) => html`<li><span class="muted">${when(e.createdAt)} UTC · ${actorName(people, e.actor)}</span> — ${e.text}</li>`,
  )}</ol>`;
}

// ---- the item form --------------------------------------------------------------------------------

function itemFields(form: FormState, c: Choices, creating: boolean, hasStoredSecret: boolean): Html {
  return html`<fieldset>
<legend>Item</legend>
${field(form, 'name', 'Name')}
${field(form, 'supplierPartID', 'Supplier part ID', { hint: "The supplier's article number (SupplierPartID), e.g. KP-10035 in this Koppel's demo catalog." })}
${field(form, 'auxID', 'Supplier part auxiliary ID (optional)')}
${field(form, 'description', 'Description (empty: the name)')}
${field(form, 'unit', 'Unit (UN/CEFACT)')}
${field(form, 'unitPrice', 'Unit price', { inputmode: 'decimal' })}
${field(form, 'currency', 'Currency')}
${field(form, 'classificationDomain', 'Classification domain')}
${field(form, 'classificationCode', 'Classification code (optional)')}
</fieldset>
<fieldset>
<legend>Stock and re-order</legend>
${creating ? field(form, 'stock', 'Stock now', { inputmode: 'decimal' }) : ''}
${field(form, 'minStock', 'Minimum stock', { inputmode: 'decimal', hint: 'When stock + on order falls below this, a re-order is made.' })}
${field(form, 'reorderQuantity', 'Re-order quantity', { inputmode: 'decimal' })}
${select(form, 'costCenter', 'Cost center', costCenterOptions(c))}
${select(form, 'requesterId', 'Requester of re-orders', peopleOptions(c))}
${checkbox(form, 'active', 'Active (checked for re-orders and recurring orders)')}
</fieldset>
<fieldset>
<legend>Supplier (cXML purchase orders)</legend>
<p class="muted">Where re-orders are sent. Empty fields fall back to this Koppel's demo-cxml connection.</p>
${field(form, 'cxmlUrl', 'cXML URL', { type: 'url' })}
${field(form, 'fromDomain', 'From domain')}
${field(form, 'fromIdentity', 'From identity')}
${field(form, 'toDomain', 'To domain')}
${field(form, 'toIdentity', 'To identity')}
${field(form, 'senderDomain', 'Sender domain')}
${field(form, 'senderIdentity', 'Sender identity')}
${field(form, 'sharedSecret', 'SharedSecret', { type: 'password', value: '', hint: hasStoredSecret ? 'Stored and never shown again; leave empty to keep it.' : "Empty: the demo connection's secret." })}
${field(form, 'cxmlVersion', 'cXML DTD version')}
</fieldset>`;
}

/** The requisition and order of a stopped re-order, as links. */
function holdLinks(h: ReorderHold): Html {
  return html`<a href="/sandbox/requisitions/${encodeURIComponent(h.requisitionId)}">${h.requisitionNumber}</a>${h.poId ? html`, purchase order <a href="/sandbox/orders/${encodeURIComponent(h.poId)}">${h.orderId ?? h.poId}</a>` : ''}`;
}

/** Says that re-ordering stopped, why, and what to do: fix the cause, then resume. */
function holdBox(it: InventoryItem): Html | '' {
  const h = it.reorderHold;
  if (!h) return '';
  return html`<div class="notice error" role="alert" id="reorder-stopped">
<p><strong>Automatic re-order stopped:</strong> ${h.reason} (${holdLinks(h)}, ${when(h.at)} UTC). Nothing more is ordered for this item until you resume, so a refusing supplier does not get a new order every minute.</p>
<p>Fix the cause first (open the order to see the supplier's answer; correct the supplier settings below, or resend or cancel the order), then resume. Saving a change to the item resumes too.</p>
<form method="post" action="${itemPath(it.id)}/resume-reorder" class="inline"><button type="submit" class="button small">Resume re-ordering</button></form>
</div>`;
}

function consumeForm(item: InventoryItem, back: 'list' | 'item', form?: FormState): Html {
  const f = form ?? EMPTY;
  const list = problemsOf(f, 'quantity');
  return html`<form method="post" action="${itemPath(item.id)}/consume" class="inline">
<input type="hidden" name="back" value="${back}">
<input name="quantity" aria-label="Quantity of ${item.name} to take (${item.unit})" value="${f.values.quantity ?? '1'}" inputmode="decimal" size="5"${list.length ? html` aria-invalid="true" aria-describedby="consume-${item.id}-problem"` : ''}>
<button type="submit" class="button small">Take from stock</button>
${list.length ? html`<span class="field-problem" id="consume-${item.id}-problem">${list.join(' ')}</span>` : ''}
</form>`;
}

// ---- pages ----------------------------------------------------------------------------------------

export interface InventoryListView {
  readonly acting: Acting;
  readonly rows: readonly ItemRow[];
  readonly choices: Choices;
  readonly notice?: Notice;
  /** A refused consumption: the item and what was typed. */
  readonly consume?: { readonly itemId: string; readonly form: FormState };
  readonly add?: FormState;
  readonly addOpen?: boolean;
}

export function inventoryListPage(v: InventoryListView): Html {
  const add = v.add ?? EMPTY;
  return sandboxFrame(
    { title: 'Inventory', section: 'inventory', acting: v.acting },
    html`<section class="card">
<h1>Inventory</h1>
<p class="muted">Stock of items bought from suppliers. When stock plus what is on order falls below the minimum, the sandbox makes a re-order requisition by itself; the rule "Automatic re-orders" approves it and the purchase order is sent. The background job checks every item regularly too.</p>
${noticeBox(v.notice)}
${v.rows.length === 0
  ? html`<p class="muted">No items yet: add one below.</p>`
  : html`<div class="table-wrap"><table class="table">
<thead><tr><th>Item</th><th>Supplier part</th><th class="num">Stock</th><th class="num">Minimum</th><th class="num">On order</th><th class="num">Re-order qty</th><th>Open re-order</th><th>Take from stock</th></tr></thead>
<tbody>${v.rows.map(
    (r) => html`<tr${r.item.active ? '' : html` class="muted"`}>
<td><a href="${itemPath(r.item.id)}">${r.item.name}</a>${r.item.active ? '' : ' (inactive)'}</td>
<td class="code">${r.item.supplierPartID}</td>
<td class="num">${r.item.stock} ${r.item.unit}</td>
<td class="num">${r.item.minStock}</td>
<td class="num">${r.onOrder}</td>
<td class="num">${r.item.reorderQuantity}</td>
<td>${r.item.reorderHold
      ? html`<a href="${itemPath(r.item.id)}#reorder-stopped" class="badge error" title="${r.item.reorderHold.reason}">stopped</a> ${r.item.reorderHold.reason} (${holdLinks(r.item.reorderHold)})`
      : r.openRequisition
        ? html`<span class="nowrap"><a href="/sandbox/requisitions/${encodeURIComponent(r.openRequisition.id)}">${r.openRequisition.number}</a></span>`
        : r.item.openRequisitionId
          ? 'being made…'
          : ''}</td>
<td>${consumeForm(r.item, 'list', v.consume?.itemId === r.item.id ? v.consume.form : undefined)}</td>
</tr>`,
  )}</tbody></table></div>`}
</section>
<section class="card">
<details${v.addOpen || add.problems.length ? html` open` : ''}><summary>Add an item</summary>
${problemsBox(add, 'The item was not added:')}
<form method="post" action="/sandbox/inventory" class="form-grid">
${itemFields(add, v.choices, true, false)}
<div class="actions"><button type="submit" class="button primary">Add item</button></div>
</form>
</details>
</section>`,
  );
}

export interface ItemPageView {
  readonly acting: Acting;
  readonly item: InventoryItem;
  readonly onOrder: string;
  readonly openRequisition: { readonly id: string; readonly number: string } | null;
  readonly movements: readonly StockMovement[];
  readonly requisitions: readonly ItemRequisition[];
  readonly events: readonly SandboxEvent[];
  readonly choices: Choices;
  readonly form: FormState;
  readonly notice?: Notice;
  readonly consume?: FormState;
  readonly count?: FormState;
}

export function itemPage(v: ItemPageView): Html {
  const it = v.item;
  const count = v.count ?? EMPTY;
  const countProblems = problemsOf(count, 'counted');
  return sandboxFrame(
    { title: it.name, section: 'inventory', acting: v.acting, subtitle: 'Inventory item' },
    html`<p><a href="/sandbox/inventory">← Inventory</a></p>
<section class="card">
<h1>${it.name}</h1>
${noticeBox(v.notice)}
${holdBox(it)}
<dl class="kv">
<dt>Supplier part</dt><dd class="code">${it.supplierPartID}${it.auxID ? ` / ${it.auxID}` : ''}</dd>
<dt>Description</dt><dd>${it.description}</dd>
<dt>Price</dt><dd>${money(it.unitPrice, it.currency)} per ${it.unit}</dd>
<dt>Stock</dt><dd><strong>${it.stock} ${it.unit}</strong> (minimum ${it.minStock}, on order ${v.onOrder}, re-order ${it.reorderQuantity})</dd>
<dt>Open re-order</dt><dd>${it.reorderHold ? html`none: automatic re-ordering stopped (see above)` : v.openRequisition ? html`<a href="/sandbox/requisitions/${encodeURIComponent(v.openRequisition.id)}">${v.openRequisition.number}</a>` : it.openRequisitionId ? 'being made…' : 'none'}</dd>
<dt>Charged to</dt><dd>cost center ${it.costCenter}, requested for ${personLabel(v.choices.people, it.requesterId)}</dd>
<dt>Supplier</dt><dd class="code">${it.supplier.cxmlUrl} (To ${it.supplier.to.domain}/${it.supplier.to.identity})</dd>
<dt>Status</dt><dd>${it.active ? 'active' : 'inactive'}</dd>
</dl>
<h2>Take from stock</h2>
${consumeForm(it, 'item', v.consume)}
<h2>Count stock</h2>
<form method="post" action="${itemPath(it.id)}/count" class="inline">
<label class="small">Counted <input name="counted" value="${count.values.counted ?? it.stock}" inputmode="decimal" size="6"${countProblems.length ? html` aria-invalid="true" aria-describedby="counted-problem"` : ''}></label>
<label class="small">Reason <input name="reason" value="${count.values.reason ?? ''}" size="20"></label>
<button type="submit" class="button small secondary">Set stock</button>
${countProblems.length ? html`<span class="field-problem" id="counted-problem">${countProblems.join(' ')}</span>` : ''}
</form>
</section>
<section class="card">
<h2>Requisitions and purchase orders</h2>
${v.requisitions.length === 0
  ? html`<p class="muted">None yet.</p>`
  : html`<table class="table"><thead><tr><th>Requisition</th><th>Source</th><th>Status</th><th class="num">Quantity</th><th>Purchase order</th><th>Created (UTC)</th></tr></thead><tbody>${v.requisitions.map(
      (r) => html`<tr><td class="nowrap"><a href="/sandbox/requisitions/${encodeURIComponent(r.id)}">${r.number}</a></td><td>${r.source}</td><td>${badge(r.status)}</td><td class="num">${r.quantity}</td><td class="nowrap">${r.po ? html`<a href="/sandbox/orders/${encodeURIComponent(r.po.id)}">${r.po.orderId}</a> ${badge(r.po.status)}` : ''}</td><td class="nowrap">${when(r.createdAt)}</td></tr>`,
    )}</tbody></table>`}
</section>
<section class="card">
<h2>Stock movements</h2>
${v.movements.length === 0
  ? html`<p class="muted">None yet.</p>`
  : html`<table class="table"><thead><tr><th>When (UTC)</th><th>Kind</th><th class="num">Quantity</th><th class="num">Stock after</th><th>Reference</th><th>By</th></tr></thead><tbody>${v.movements.map(
      (m) => html`<tr><td class="nowrap">${when(m.createdAt)}</td><td>${m.kind}</td><td class="num">${m.quantity}</td><td class="num">${m.stockAfter}</td><td>${m.reference}</td><td>${actorName(v.choices.people, m.actor)}</td></tr>`,
    )}</tbody></table>`}
</section>
<section class="card">
<h2>Edit item</h2>
${problemsBox(v.form, 'The changes were not saved:')}
<form method="post" action="${itemPath(it.id)}" class="form-grid">
${itemFields(v.form, v.choices, false, true)}
<div class="actions"><button type="submit" class="button primary">Save</button></div>
</form>
</section>
<section class="card">
<h2>History</h2>
${history(v.events, v.choices.people)}
</section>`,
  );
}

export function unknownItemPage(acting: Acting, what = 'inventory item'): Html {
  return sandboxFrame(
    { title: 'Not found', section: what === 'inventory item' ? 'inventory' : 'recurring', acting },
    html`<section class="card"><h1>No such ${what}</h1><p>It may have been removed, or the link is incomplete. <a href="${what === 'inventory item' ? '/sandbox/inventory' : '/sandbox/recurring'}">Back to the list</a>.</p></section>`,
  );
}

// ---- recurring orders -----------------------------------------------------------------------------

export interface ScheduleRow {
  readonly schedule: Schedule;
  readonly requisitions: readonly { readonly id: string; readonly number: string; readonly status: string; readonly total: string; readonly currency: string; readonly createdAt: string }[];
  readonly events: readonly SandboxEvent[];
  /** The edit form when it came back with problems. */
  readonly form?: FormState;
}

export interface RecurringView {
  readonly acting: Acting;
  readonly rows: readonly ScheduleRow[];
  readonly items: readonly InventoryItem[];
  readonly choices: Choices;
  readonly notice?: Notice;
  readonly add?: FormState;
}

/** Form values of a stored schedule. */
export function scheduleFormValues(s: Schedule): Record<string, string> {
  const values: Record<string, string> = {
    name: s.name,
    everyDays: String(s.everyDays),
    nextRun: s.nextRunAt.slice(0, 16),
    costCenter: s.costCenter,
    requesterId: s.requesterId,
    active: s.active ? '1' : '',
  };
  for (const l of s.lines) values[`qty_${l.itemId}`] = l.quantity;
  return values;
}

function scheduleFields(form: FormState, items: readonly InventoryItem[], c: Choices): Html {
  const lineProblems = problemsOf(form, 'lines');
  return html`${field(form, 'name', 'Name')}
${field(form, 'everyDays', 'Every … days', { inputmode: 'numeric' })}
${field(form, 'nextRun', 'Next run (UTC)', { hint: 'YYYY-MM-DD or YYYY-MM-DDTHH:MM; a date alone means 06:00 UTC.' })}
${select(form, 'costCenter', 'Cost center', costCenterOptions(c))}
${select(form, 'requesterId', 'Requester', peopleOptions(c))}
${checkbox(form, 'active', 'Active (unchecked: paused)')}
<fieldset><legend>Items and quantities per run</legend>
${lineProblems.length ? html`<p class="field-problem">${lineProblems.join(' ')}</p>` : ''}
${items.map((it) => field(form, `qty_${it.id}`, `${it.name} (${money(it.unitPrice, it.currency)} per ${it.unit})`, { inputmode: 'decimal' }))}
</fieldset>`;
}

export function recurringPage(v: RecurringView): Html {
  const add = v.add ?? { values: { everyDays: '7', costCenter: '1000', requesterId: 'sam', active: '1' }, problems: [] };
  return sandboxFrame(
    { title: 'Recurring orders', section: 'recurring', acting: v.acting },
    html`<section class="card">
<h1>Recurring orders</h1>
<p class="muted">Items ordered every few days. When one is due the background job makes a requisition (source "recurring") at the items' current prices and submits it; the approval rules decide the rest. Runs missed while the sandbox was stopped are not made up.</p>
${noticeBox(v.notice)}
${v.rows.length === 0
  ? html`<p class="muted">None yet.</p>`
  : v.rows.map((r) => scheduleCard(r, v.items, v.choices))}
</section>
<section class="card">
<details${add.problems.length ? html` open` : ''}><summary>Add a recurring order</summary>
${problemsBox(add, 'The recurring order was not added:')}
${v.items.length === 0
  ? html`<p class="muted">Add inventory items first.</p>`
  : html`<form method="post" action="/sandbox/recurring" class="form-grid">
${scheduleFields(add, v.items, v.choices)}
<div class="actions"><button type="submit" class="button primary">Add recurring order</button></div>
</form>`}
</details>
</section>`,
  );
}

function scheduleCard(r: ScheduleRow, items: readonly InventoryItem[], c: Choices): Html {
  const s = r.schedule;
  const path = `/sandbox/recurring/${encodeURIComponent(s.id)}`;
  const name = (id: string) => items.find((i) => i.id === id)?.name ?? id;
  const form = r.form ?? { values: scheduleFormValues(s), problems: [] };
  // The last run's outcome; a failure stays visible until a run succeeds.
  const lastRun = [...r.events].reverse().find((e) => e.kind === 'run' || e.kind === 'run-failed');
  return html`<article class="card" id="s-${s.id}">
<h2>${s.name} ${s.active ? html`<span class="badge ok">active</span>` : html`<span class="badge muted">paused</span>`}</h2>
${lastRun?.kind === 'run-failed' ? html`<div class="notice error" role="alert"><p><strong>Last run failed</strong> (${when(lastRun.createdAt)} UTC): ${lastRun.text}</p></div>` : ''}
<dl class="kv">
<dt>Every</dt><dd>${s.everyDays} day(s)</dd>
<dt>Next run</dt><dd>${when(s.nextRunAt)} UTC${s.active ? '' : ' (paused: will not run)'}</dd>
<dt>Last run</dt><dd>${s.lastRunAt ? `${when(s.lastRunAt)} UTC` : 'never'}</dd>
<dt>Items</dt><dd>${s.lines.map((l, i) => html`${i ? ', ' : ''}${l.quantity} × <a href="${itemPath(l.itemId)}">${name(l.itemId)}</a>`)}</dd>
<dt>Charged to</dt><dd>cost center ${s.costCenter}, requested for ${personLabel(c.people, s.requesterId)}</dd>
</dl>
<div class="actions">
<form method="post" action="${path}/run" class="inline"><input type="hidden" name="runs" value="${String(s.runCount)}"><button type="submit" class="button small">Run now</button></form>
<form method="post" action="${path}" class="inline"><input type="hidden" name="action" value="${s.active ? 'pause' : 'resume'}"><button type="submit" class="button small secondary${s.active ? ' danger' : ''}">${s.active ? 'Pause' : 'Resume'}</button></form>
</div>
${r.requisitions.length
  ? html`<h3>Requisitions made</h3><ul>${r.requisitions.map((q) => html`<li><a href="/sandbox/requisitions/${encodeURIComponent(q.id)}">${q.number}</a> ${badge(q.status)} ${money(q.total, q.currency)} · ${when(q.createdAt)} UTC</li>`)}</ul>`
  : ''}
<details${form.problems.length ? html` open` : ''}><summary>Edit</summary>
${problemsBox(form, 'The changes were not saved:')}
<form method="post" action="${path}" class="form-grid">
<input type="hidden" name="action" value="save">
${scheduleFields(form, items, c)}
<div class="actions"><button type="submit" class="button primary">Save</button></div>
</form>
</details>
<details><summary>History</summary>${history(r.events, c.people)}</details>
</article>`;
}
