/**
 * Pages of the admin's orders: the filtered list, and one order in full — header, addresses,
 * review flags, lines with their fulfilment figures, the documents sent back with their delivery,
 * a timeline, and (for admins, while the order is open) the forms that create the next document.
 *
 * Everything the buyer wrote (comments, descriptions, addresses, extrinsics) goes through the
 * escaping `html` tag; a link is made only from an http(s) URL.
 */
import { html, type Html } from '../html.js';
import { formatMoney, tryDec, Decimal } from '../../protocol/money.js';
import { FINAL_STATUSES, ORDER_STATUSES, ORDER_STATUS_LABELS, type DocumentKind, type OrderEventKind, type OrderStatus, type ReviewFlag } from '../../app/order-model.js';
import type { OrderDetail, OrderDocumentView, OrderLineView, OrderSummary } from '../../app/order-queries.js';
import { statusBadge, when } from './document-views.js';

// ---------------------------------------------------------------- shared bits

export const DOCUMENT_KIND_LABELS: Readonly<Record<DocumentKind, string>> = {
  confirmation: 'Confirmation',
  ship_notice: 'Ship notice',
  invoice: 'Invoice',
  credit_memo: 'Credit memo',
};

const EVENT_LABELS: Readonly<Record<OrderEventKind, string>> = {
  received: 'Order received',
  updated: 'Order updated by the buyer',
  update_ignored: 'Update ignored (not newer)',
  duplicate_ignored: 'Second "new" ignored',
  cancelled: 'Cancelled by the buyer',
  linked: 'Linked to another order',
  reviewed: 'Marked reviewed',
  confirmed: 'Confirmed',
  rejected: 'Rejected',
  shipped: 'Ship notice',
  invoiced: 'Invoiced',
  credited: 'Credit memo',
  closed: 'Closed',
  document_delivered: 'Document delivered',
  document_failed: 'Document not delivered',
};

const STATUS_BADGE: Readonly<Record<OrderStatus, string>> = {
  received: 'order-received',
  confirmed: 'ok',
  partly_shipped: 'order-progress',
  shipped: 'ok',
  partly_invoiced: 'order-progress',
  invoiced: 'ok',
  closed: 'muted',
  rejected: 'error',
  cancelled: 'muted',
};

export function orderStatusBadge(status: string): Html {
  const known = (ORDER_STATUSES as readonly string[]).includes(status) ? (status as OrderStatus) : undefined;
  return html`<span class="badge ${known ? STATUS_BADGE[known] : ''}">${known ? ORDER_STATUS_LABELS[known] : status}</span>`;
}

function outboxBadge(status: string): Html {
  const kind = status === 'delivered' ? 'ok' : status === 'failed' ? 'error' : status === 'sending' ? 'warn' : 'order-received';
  return html`<span class="badge ${kind}">${status}</span>`;
}

function dash(): Html {
  return html`<span class="muted">–</span>`;
}

/** At least the currency's minor units (71 EUR → 71.00), more when the amount has them (2.499). */
function money(amount: string, currency: string): Html {
  const d = tryDec(amount);
  return html`<span class="price">${d && /^[A-Z]{3}$/.test(currency) ? formatMoney(d, currency) : amount}&nbsp;${currency}</span>`;
}

/** Decimal text as a person reads it: zeros shown as 0, anything unreadable as it is. */
function qty(text: string): string {
  const d = tryDec(text);
  return d ? d.toFixed() : text;
}

const nonNegative = (d: Decimal) => (d.isNegative() ? new Decimal(0) : d);

/** What is still to ship on a line: the confirmed quantity (or, unconfirmed, ordered minus rejected) not yet shipped. */
export function remainingToShip(l: OrderLineView): Decimal {
  const confirmed = tryDec(l.confirmedQuantity) ?? new Decimal(0);
  const base = confirmed.gt(0) ? confirmed : (tryDec(l.quantity) ?? new Decimal(0)).minus(tryDec(l.rejectedQuantity) ?? 0);
  return nonNegative(base.minus(tryDec(l.shippedQuantity) ?? 0));
}

/** What the invoice form offers: shipped and not invoiced, or with nothing shipped on the order, ordered and not invoiced. */
export function remainingToInvoice(l: OrderLineView, anythingShipped: boolean): Decimal {
  const invoiced = tryDec(l.invoicedQuantity) ?? new Decimal(0);
  if (anythingShipped) return nonNegative((tryDec(l.shippedQuantity) ?? new Decimal(0)).minus(invoiced));
  return nonNegative((tryDec(l.quantity) ?? new Decimal(0)).minus(tryDec(l.rejectedQuantity) ?? 0).minus(invoiced));
}

// ---- the buyer's JSON header, read defensively (older rows, other writers) ----

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function moneyOf(v: unknown): Html | undefined {
  if (!isObj(v)) return undefined;
  const amount = str(v.amount) ?? str(v.raw);
  return amount ? money(amount, str(v.currency) ?? '') : undefined;
}

function phoneText(v: unknown): string | undefined {
  if (!isObj(v)) return undefined;
  const parts = [str(v.countryCode) ? `+${str(v.countryCode)}` : undefined, str(v.areaOrCityCode), str(v.number)].filter(Boolean).join(' ');
  if (!parts) return undefined;
  return str(v.extension) ? `${parts}-${str(v.extension)}` : parts;
}

/** A link only for http(s); anything else (cid:, javascript:, …) is shown as text. */
function urlLink(url: string): Html {
  return /^https?:\/\//i.test(url) ? html`<a href="${url}" rel="noreferrer noopener" target="_blank">${url}</a>` : html`<code>${url}</code>`;
}

function postalLines(p: unknown): Html[] {
  if (!isObj(p)) return [];
  const out: Html[] = [];
  for (const l of list(p.deliverTo)) if (str(l)) out.push(html`${str(l)}`);
  for (const l of list(p.street)) if (str(l)) out.push(html`${str(l)}`);
  const city = [str(p.postalCode), str(p.city)].filter(Boolean).join(' ');
  if (city) out.push(html`${city}`);
  if (str(p.municipality)) out.push(html`${str(p.municipality)}`);
  if (str(p.state)) out.push(html`${str(p.state)}`);
  const country = str(p.country) ?? str(p.countryCode);
  if (country) out.push(html`${country}${str(p.country) && str(p.countryCode) ? html` <span class="muted">(${str(p.countryCode)})</span>` : ''}`);
  return out;
}

function addressBlock(title: string, a: unknown): Html {
  if (!isObj(a)) return html`<div class="order-address"><h3>${title}</h3><p class="muted">not given</p></div>`;
  const lines: Html[] = [];
  if (str(a.name)) lines.push(html`<strong>${str(a.name)}</strong>`);
  const postal = isObj(a.postalAddress) ? a.postalAddress : undefined;
  if (postal && str(postal.name) && postal.name !== a.name) lines.push(html`${str(postal.name)}`);
  lines.push(...postalLines(postal));
  const extra: Html[] = [];
  if (str(a.addressID)) extra.push(html`Address ID <code>${str(a.addressID)}</code>${str(a.addressIDDomain) ? html` <span class="muted">(${str(a.addressIDDomain)})</span>` : ''}`);
  if (str(a.email)) extra.push(html`${str(a.email)}`);
  if (phoneText(a.phone)) extra.push(html`Phone ${phoneText(a.phone)}`);
  if (phoneText(a.fax)) extra.push(html`Fax ${phoneText(a.fax)}`);
  if (str(a.url)) extra.push(urlLink(str(a.url)!));
  return html`<div class="order-address"><h3>${title}</h3>
<address>${lines.map((l, i) => html`${i ? html`<br>` : ''}${l}`)}</address>
${extra.length ? html`<p class="small muted">${extra.map((l, i) => html`${i ? html`<br>` : ''}${l}`)}</p>` : ''}</div>`;
}

/** Only the last four digits of a card number, whatever was stored. */
export function maskedCard(stored: string): string {
  const digits = stored.replace(/\D/g, '');
  return digits.length ? `•••• ${digits.slice(-4)}` : '••••';
}

function commentsBlock(comments: unknown): Html {
  const items = list(comments).filter(isObj);
  if (!items.length) return html``;
  return html`${items.map(
    (c) => html`<div class="order-comment">
${str(c.text) ? html`<p>${str(c.text)}</p>` : ''}
${list(c.attachmentUrls).length ? html`<p class="small">Attachments: ${list(c.attachmentUrls).map((u, i) => html`${i ? ', ' : ''}${urlLink(String(u))}`)}</p>` : ''}
${str(c.lang) ? html`<p class="small muted">Language ${str(c.lang)}</p>` : ''}
</div>`,
  )}`;
}

function extrinsicsTable(extrinsics: unknown): Html {
  const items = list(extrinsics).filter(isObj);
  if (!items.length) return html``;
  return html`<table class="table narrow-table order-extrinsics"><thead><tr><th scope="col">Extrinsic</th><th scope="col">Value</th></tr></thead>
<tbody>${items.map((e) => html`<tr><th scope="row"><code>${str(e.name) ?? ''}</code></th><td>${str(e.value) ?? ''}</td></tr>`)}</tbody></table>`;
}

function flagList(flags: readonly ReviewFlag[]): Html {
  return html`<ul class="order-flags">${flags.map((f) => html`<li><span class="badge warn">${f.code.replace(/_/g, ' ')}</span> ${f.message}</li>`)}</ul>`;
}

// ---------------------------------------------------------------- list

export interface OrderListFilters {
  connection?: string;
  status?: OrderStatus;
  review?: boolean;
  q?: string;
  from?: string;
  to?: string;
}

export interface OrderListView {
  filters: OrderListFilters;
  problems: string[];
  orders: OrderSummary[];
  total: number;
  page: number;
  pageSize: number;
  connections: { id: string; name: string }[];
}

export function filterQuery(f: OrderListFilters, page?: number): string {
  const p = new URLSearchParams();
  if (f.connection) p.set('connection', f.connection);
  if (f.status) p.set('status', f.status);
  if (f.review) p.set('review', '1');
  if (f.q) p.set('q', f.q);
  if (f.from) p.set('from', f.from);
  if (f.to) p.set('to', f.to);
  if (page !== undefined && page > 1) p.set('page', String(page));
  return p.toString();
}

export function orderListBody(v: OrderListView): Html {
  const f = v.filters;
  const filtered = Boolean(f.connection || f.status || f.review || f.q || f.from || f.to);
  const option = (value: string, label: string, current: string | undefined) => html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`;
  const form = html`<form method="get" action="/admin/orders" class="doc-filters" aria-label="Filter orders">
<div class="form-row">
<label class="field"><span>Connection</span><select name="connection"><option value="">any</option>${v.connections.map((c) => option(c.id, `${c.name} (${c.id})`, f.connection))}</select></label>
<label class="field"><span>Status</span><select name="status"><option value="">any</option>${ORDER_STATUSES.map((s) => option(s, ORDER_STATUS_LABELS[s], f.status))}</select></label>
<label class="field"><span>Buyer's order number</span><input name="q" value="${f.q ?? ''}" spellcheck="false" autocomplete="off" placeholder="part of the orderID"></label>
</div>
<div class="form-row">
<label class="field"><span>Received from (UTC)</span><input type="date" name="from" value="${f.from ?? ''}"></label>
<label class="field"><span>Received to (UTC, inclusive)</span><input type="date" name="to" value="${f.to ?? ''}"></label>
<div class="field"><span>Review</span><label><input type="checkbox" name="review" value="1"${f.review ? html` checked` : ''}> Needs review only</label></div>
<div class="actions"><button type="submit" class="button">Filter</button>${filtered ? html` <a href="/admin/orders">Clear filters</a>` : ''}</div>
</div>
</form>`;
  const problems = v.problems.length ? html`<div class="notice warn" role="status"><p>Some filters were ignored:</p><ul>${v.problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : '';
  const first = (v.page - 1) * v.pageSize + 1;
  const table = v.orders.length
    ? html`<p class="result-count">${v.total === 1 ? '1 order' : `${v.total} orders`}${v.total > v.pageSize ? `, ${first}–${first + v.orders.length - 1} shown` : ''}</p>
<div class="table-wrap"><table class="table order-list">
<thead><tr><th scope="col">Received (UTC)</th><th scope="col">Order</th><th scope="col">Connection</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col" class="num">Lines</th><th scope="col" class="num">Total</th><th scope="col">Review</th><th scope="col">Updated (UTC)</th></tr></thead>
<tbody>${v.orders.map(
        (o) => html`<tr>
<td class="nowrap">${when(o.receivedAt)}</td>
<td><a href="/admin/orders/${encodeURIComponent(o.id)}" class="order-number">${o.orderId}</a>${o.orderVersion !== null ? html` <span class="muted small">v${o.orderVersion}</span>` : ''}</td>
<td><a href="/admin/connections/${encodeURIComponent(o.connectionId)}" title="${o.connectionId}">${o.connectionName || o.connectionId}</a></td>
<td>${o.orderType}</td>
<td>${orderStatusBadge(o.status)}</td>
<td class="num">${o.lineCount}</td>
<td class="num">${money(o.total, o.currency)}</td>
<td>${o.openFlags > 0 ? html`<span class="badge warn" title="review flags not yet marked reviewed">${o.openFlags === 1 ? '1 flag' : `${o.openFlags} flags`}</span>` : html`<span class="muted">–</span>`}</td>
<td class="nowrap">${when(o.updatedAt)}</td>
</tr>`,
      )}</tbody>
</table></div>`
    : v.total > 0
      ? html`<p class="empty">No orders on page ${v.page}: ${v.total === 1 ? 'there is 1 order' : `there are ${v.total} orders`}. <a href="/admin/orders?${filterQuery(f)}">First page</a></p>`
      : html`<p class="empty">${filtered ? 'No order matches these filters.' : 'No orders yet. Purchase orders (cXML OrderRequest) from your buyers show up here.'}</p>`;
  const pages = Math.max(1, Math.ceil(v.total / v.pageSize));
  const pager =
    pages > 1 && v.orders.length
      ? html`<nav class="pagination" aria-label="Pages">
${v.page > 1 ? html`<a href="/admin/orders?${filterQuery(f, v.page - 1)}" rel="prev">← Newer</a>` : html`<span class="muted">← Newer</span>`}
<span>Page ${Math.min(v.page, pages)} of ${pages}</span>
${v.page < pages ? html`<a href="/admin/orders?${filterQuery(f, v.page + 1)}" rel="next">Older →</a>` : html`<span class="muted">Older →</span>`}
</nav>`
      : '';
  return html`<section class="card">
<h1>Orders</h1>
<p class="muted">Purchase orders from your buyers, newest first, ${v.pageSize} to a page. Open one to confirm, ship, invoice or close it.</p>
${form}
${problems}
</section>
${table}
${pager}`;
}

// ---------------------------------------------------------------- detail

export type ActionForm = 'confirm' | 'ship' | 'invoice' | 'credit' | 'close' | 'review';

export interface FormProblem {
  /** The input the problem is about, to mark it; none for problems of the whole request. */
  field?: string;
  message: string;
}

/** A refused form: shown again with what was typed and why. */
export interface RefusedForm {
  form: ActionForm;
  values: URLSearchParams;
  problems: readonly FormProblem[];
}

export interface LogEntry {
  id: string;
  seq: number;
  direction: string;
  doc_type: string;
  status: string;
  detail: string;
  payload_id: string | null;
  created_at: string;
}

export interface OrderDetailView {
  order: OrderDetail;
  canAct: boolean;
  csrf: Html;
  /** YYYY-MM-DD (UTC) for the date fields. */
  today: string;
  notice?: { kind: 'ok' | 'warn' | 'error'; text: string };
  refused?: RefusedForm;
  /** The order's documents in the document log, oldest first. */
  log: LogEntry[];
  /** What stops documents from reaching the buyer (no document URL, no outbound secret). */
  sendingProblems: string[];
}

const ACTION_TITLES: Readonly<Record<ActionForm, string>> = {
  confirm: 'Confirm or reject',
  ship: 'Ship notice',
  invoice: 'Invoice',
  credit: 'Credit memo',
  close: 'Close the order',
  review: 'Mark reviewed',
};

const DECIMAL_HINT = 'Decimal point only (1.5, not 1,5).';

/** Reads the typed value of a refused form, else the default. */
function valuesOf(v: OrderDetailView, form: ActionForm) {
  const refused = v.refused?.form === form ? v.refused : undefined;
  const invalid = new Set(refused?.problems.map((p) => p.field).filter((f): f is string => f !== undefined));
  return {
    refused,
    get: (name: string, fallback: string): string => (refused ? (refused.values.get(name) ?? '') : fallback),
    checked: (name: string, value: string, byDefault: boolean): boolean => (refused ? refused.values.get(name) === value : byDefault),
    invalid: (name: string): Html => (invalid.has(name) ? html` aria-invalid="true"` : html``),
  };
}

type Values = ReturnType<typeof valuesOf>;

function input(x: Values, name: string, label: string, fallback: string, o: { type?: string; hint?: string; inputmode?: string; required?: boolean; cls?: string } = {}): Html {
  return html`<label class="field${o.cls ? ` ${o.cls}` : ''}"><span>${label}</span>
<input name="${name}" value="${x.get(name, fallback)}" type="${o.type ?? 'text'}"${o.inputmode ? html` inputmode="${o.inputmode}"` : ''}${o.required ? html` required` : ''}${x.invalid(name)}>
${o.hint ? html`<span class="hint">${o.hint}</span>` : ''}</label>`;
}

function textarea(x: Values, name: string, label: string, o: { hint?: string; required?: boolean } = {}): Html {
  return html`<label class="field"><span>${label}</span>
<textarea name="${name}" rows="3"${o.required ? html` required` : ''}${x.invalid(name)}>${x.get(name, '')}</textarea>
${o.hint ? html`<span class="hint">${o.hint}</span>` : ''}</label>`;
}

function problemsBox(x: Values): Html {
  if (!x.refused) return html``;
  return html`<div class="notice error" role="alert"><p>Nothing was sent. Please correct:</p><ul>${x.refused.problems.map((p) => html`<li>${p.message}</li>`)}</ul></div>`;
}

function actionCard(v: OrderDetailView, form: ActionForm, intro: Html, fields: Html, submit: string, x: Values): Html {
  return html`<details class="card order-action" id="${form}"${x.refused ? html` open` : ''}>
<summary><h3>${ACTION_TITLES[form]}</h3></summary>
${problemsBox(x)}
${intro}
<form method="post" action="/admin/orders/${encodeURIComponent(v.order.id)}/${form}" class="order-form">
${v.csrf}
${fields}
<div class="actions"><button type="submit" class="button primary">${submit}</button></div>
</form>
</details>`;
}

function lineLabel(l: OrderLineView): Html {
  return html`<th scope="row"><span class="num">${l.lineNumber}</span> <code>${l.supplierPartId || '—'}</code><br><span class="small">${l.description}</span></th>`;
}

function confirmForm(v: OrderDetailView): Html {
  const x = valuesOf(v, 'confirm');
  const lines = v.order.lines;
  const typeRadio = (value: string, label: string, byDefault: boolean) =>
    html`<label><input type="radio" name="type" value="${value}"${x.checked('type', value, byDefault) ? html` checked` : ''}> ${label}</label>`;
  const fields = html`<fieldset><legend>Answer</legend>
<div class="radios">${typeRadio('accept', 'Accept everything as ordered', true)} ${typeRadio('reject', 'Reject the order', false)} ${typeRadio('detail', 'Per line (table below)', false)}</div>
<div class="form-row">
${input(x, 'deliveryDate', 'Delivery date (accept)', '', { type: 'date', cls: 'date', hint: 'Optional, when accepting everything.' })}
</div>
${textarea(x, 'comment', 'Comment to the buyer', { hint: 'Required when rejecting the order.' })}
</fieldset>
<fieldset class="wide"><legend>Per line</legend>
<p class="hint">Used only with "Per line". Split each line's ordered quantity into accepted, backordered and rejected; the three must add up to the ordered quantity. ${DECIMAL_HINT} A new unit price (in the line's currency) applies to the accepted quantity; leave it empty to keep the ordered price.</p>
<div class="table-wrap"><table class="table rows order-lines-form confirm-lines">
<thead><tr><th scope="col">Line</th><th scope="col" class="num">Ordered</th><th scope="col">Accept qty<br><span class="small muted">delivery date</span></th><th scope="col">New unit price<br><span class="small muted">for the accepted qty</span></th><th scope="col">Backorder qty<br><span class="small muted">expected date</span></th><th scope="col">Reject qty<br><span class="small muted">reason</span></th></tr></thead>
<tbody>${lines.map((l) => {
    const n = l.lineNumber;
    const ordered = tryDec(l.quantity);
    if (!ordered || !ordered.gt(0)) {
      return html`<tr>${lineLabel(l)}<td class="num">${qty(l.quantity)} ${l.unit}</td><td colspan="4" class="muted">Removed by the change order: nothing to confirm.</td></tr>`;
    }
    // Each part's quantity with what belongs to it below, so the row fits a laptop screen.
    const field = (name: string, label: string, fallback: string, o: { type?: string; placeholder?: string } = {}) =>
      html`<input name="${name}" value="${x.get(name, fallback)}"${o.type ? html` type="${o.type}"` : html` inputmode="decimal" class="qty"`}${o.placeholder ? html` placeholder="${o.placeholder}"` : ''} aria-label="${label}"${x.invalid(name)}>`;
    return html`<tr>${lineLabel(l)}
<td class="num">${qty(l.quantity)} ${l.unit}</td>
<td>${field(`l${n}_accept`, `Accept qty of line ${n}`, qty(l.quantity))}<br>${field(`l${n}_deliveryDate`, `Delivery date of line ${n} (accepted quantity)`, '', { type: 'date' })}</td>
<td>${field(`l${n}_unitPrice`, `New unit price of line ${n} (${l.currency}), for the accepted quantity`, '', { placeholder: l.unitPrice })} <span class="small muted">${l.currency}</span></td>
<td>${field(`l${n}_backorder`, `Backorder qty of line ${n}`, '')}<br>${field(`l${n}_backorderDate`, `Expected date of the backordered quantity of line ${n}`, '', { type: 'date' })}</td>
<td>${field(`l${n}_reject`, `Reject qty of line ${n}`, '')}<br><input name="l${n}_comment" value="${x.get(`l${n}_comment`, '')}" placeholder="reason" aria-label="Comment on line ${n} (reason for a rejection)"${x.invalid(`l${n}_comment`)}></td>
</tr>`;
  })}</tbody></table></div>
</fieldset>`;
  return actionCard(v, 'confirm', html`<p class="muted">Sends a ConfirmationRequest to the buyer.</p>`, fields, 'Send confirmation', x);
}

function shipForm(v: OrderDetailView): Html {
  const x = valuesOf(v, 'ship');
  const fields = html`<div class="form-row">
${input(x, 'carrier', 'Carrier', '', { required: true, hint: 'e.g. DHL, UPS, own delivery.' })}
${input(x, 'scac', 'SCAC', '', { hint: 'Optional, e.g. DHLC.', cls: 'short' })}
${input(x, 'trackingNumber', 'Tracking number', '', { required: true })}
${input(x, 'trackingUrl', 'Tracking URL', '', { type: 'url', inputmode: 'url', hint: 'Optional, http:// or https://.' })}
</div>
<div class="form-row">
${input(x, 'shipmentDate', 'Shipment date', v.today, { type: 'date', cls: 'date' })}
${input(x, 'deliveryDate', 'Expected delivery', '', { type: 'date', cls: 'date', hint: 'Optional.' })}
</div>
<fieldset class="wide"><legend>Quantities shipped</legend>
<p class="hint">Prefilled with what remains to ship; 0 or empty leaves a line out. ${DECIMAL_HINT}</p>
<div class="table-wrap"><table class="table rows order-lines-form">
<thead><tr><th scope="col">Line</th><th scope="col" class="num">Ordered</th><th scope="col" class="num">Confirmed</th><th scope="col" class="num">Shipped so far</th><th scope="col">Ship now</th></tr></thead>
<tbody>${v.order.lines.map(
    (l) => html`<tr>${lineLabel(l)}
<td class="num">${qty(l.quantity)} ${l.unit}</td><td class="num">${qty(l.confirmedQuantity)}</td><td class="num">${qty(l.shippedQuantity)}</td>
<td><input name="l${l.lineNumber}_quantity" value="${x.get(`l${l.lineNumber}_quantity`, remainingToShip(l).toFixed())}" inputmode="decimal" class="qty" aria-label="Quantity of line ${l.lineNumber} shipped now"${x.invalid(`l${l.lineNumber}_quantity`)}></td></tr>`,
  )}</tbody></table></div>
</fieldset>
${textarea(x, 'comment', 'Comment to the buyer')}`;
  return actionCard(v, 'ship', html`<p class="muted">Sends a ShipNoticeRequest (advance ship notice) to the buyer.</p>`, fields, 'Send ship notice', x);
}

function invoiceForm(v: OrderDetailView): Html {
  const x = valuesOf(v, 'invoice');
  const anythingShipped = v.order.lines.some((l) => (tryDec(l.shippedQuantity) ?? new Decimal(0)).gt(0));
  const fields = html`<div class="form-row">
${input(x, 'invoiceDate', 'Invoice date', v.today, { type: 'date', cls: 'date' })}
${input(x, 'shipping', `Shipping charged (${v.order.currency})`, '', { inputmode: 'decimal', hint: `Optional. ${DECIMAL_HINT}` })}
</div>
<fieldset class="wide"><legend>Quantities invoiced</legend>
<p class="hint">Prefilled with ${anythingShipped ? 'what was shipped and not yet invoiced' : 'what was ordered and not yet invoiced (nothing is shipped yet)'}; 0 or empty leaves a line out. ${DECIMAL_HINT}</p>
<div class="table-wrap"><table class="table rows order-lines-form">
<thead><tr><th scope="col">Line</th><th scope="col" class="num">Unit price</th><th scope="col" class="num">Shipped</th><th scope="col" class="num">Invoiced so far</th><th scope="col">Invoice now</th></tr></thead>
<tbody>${v.order.lines.map(
    (l) => html`<tr>${lineLabel(l)}
<td class="num">${money(l.unitPrice, l.currency)}</td><td class="num">${qty(l.shippedQuantity)}</td><td class="num">${qty(l.invoicedQuantity)}</td>
<td><input name="l${l.lineNumber}_quantity" value="${x.get(`l${l.lineNumber}_quantity`, remainingToInvoice(l, anythingShipped).toFixed())}" inputmode="decimal" class="qty" aria-label="Quantity of line ${l.lineNumber} invoiced now"${x.invalid(`l${l.lineNumber}_quantity`)}></td></tr>`,
  )}</tbody></table></div>
</fieldset>
${textarea(x, 'comment', 'Comment on the invoice')}`;
  return actionCard(v, 'invoice', html`<p class="muted">Sends an InvoiceDetailRequest; tax and payment terms follow the connection's settings.</p>`, fields, 'Send invoice', x);
}

function creditForm(v: OrderDetailView): Html {
  const x = valuesOf(v, 'credit');
  const invoices = v.order.documents.filter((d) => d.kind === 'invoice');
  const chosen = x.get('invoiceNumber', invoices.at(-1)?.number ?? '');
  const fields = html`<div class="form-row">
<label class="field"><span>Invoice credited</span><select name="invoiceNumber"${x.invalid('invoiceNumber')}>${invoices.map((d) => html`<option value="${d.number}"${d.number === chosen ? html` selected` : ''}>${d.number} (${when(d.createdAt).slice(0, 10)})</option>`)}</select></label>
${input(x, 'amount', `Net amount credited (${v.order.currency})`, '', { inputmode: 'decimal', required: true, hint: `Tax is added at the rate of the credited invoice. ${DECIMAL_HINT}` })}
</div>
${textarea(x, 'reason', 'Reason', { required: true, hint: 'Shown to the buyer.' })}`;
  return actionCard(v, 'credit', html`<p class="muted">Sends a credit memo (an InvoiceDetailRequest with purpose creditMemo) against one of this order's invoices.</p>`, fields, 'Send credit memo', x);
}

function closeForm(v: OrderDetailView): Html {
  const x = valuesOf(v, 'close');
  const fields = html`${textarea(x, 'reason', 'Reason', { hint: 'Needed unless everything is shipped and invoiced. Nothing is sent to the buyer.' })}`;
  return actionCard(v, 'close', html`<p class="muted">A closed order takes no further documents.</p>`, fields, 'Close order', x);
}

function reviewSection(v: OrderDetailView): Html {
  const o = v.order;
  const lineFlags = o.lines.filter((l) => l.review.length);
  if (!o.review.length && !lineFlags.length) return html`<section class="card" id="review"><h2>Review</h2><p class="muted">Nothing to review: every line matched the cart and the buyer's prices.</p></section>`;
  const x = valuesOf(v, 'review');
  const form = formShown(v, 'review')
    ? html`${problemsBox(x)}<form method="post" action="/admin/orders/${encodeURIComponent(o.id)}/review" class="order-form">
${v.csrf}
<div class="form-row">${input(x, 'note', 'Note (optional)', '', { hint: 'What you checked or decided; kept in the history.' })}
<div class="actions"><button type="submit" class="button">Mark reviewed</button></div></div>
</form>`
      : '';
  return html`<section class="card" id="review">
<h2>Review ${o.reviewedAt ? html`<span class="badge ok">reviewed</span>` : html`<span class="badge warn">needs review</span>`}</h2>
${o.reviewedAt ? html`<p>Marked reviewed by <strong>${o.reviewedBy ?? 'unknown'}</strong> at ${when(o.reviewedAt)} UTC. The flags stay visible.</p>` : html`<p>The order was accepted; these differences need a person's look.</p>`}
${o.review.length ? html`<h3>Order</h3>${flagList(o.review)}` : ''}
${lineFlags.map((l) => html`<h3>Line ${l.lineNumber} <code>${l.supplierPartId}</code></h3>${flagList(l.review)}`)}
${form}
</section>`;
}

function headerSection(v: OrderDetailView): Html {
  const o = v.order;
  const h = o.header;
  const payment = isObj(h.payment) ? h.payment : undefined;
  const terms = typeof h.paymentTermDays === 'number' ? `${h.paymentTermDays} days` : str(h.paymentTermDays);
  const linked: Html[] = [];
  if (o.linkedOrder) linked.push(html`refers to <a href="/admin/orders/${encodeURIComponent(o.linkedOrder.id)}">${o.linkedOrder.orderId}</a>`);
  for (const l of o.linkedFrom) linked.push(html`referred to by <a href="/admin/orders/${encodeURIComponent(l.id)}">${l.orderId}</a>`);
  const tax = isObj(h.tax) ? h.tax : undefined;
  const shipping = isObj(h.shipping) ? h.shipping : undefined;
  const contacts = list(h.contacts).filter(isObj);
  return html`<section class="card">
<div class="page-head"><div><h1>Order ${o.orderId} ${orderStatusBadge(o.status)}${o.deploymentMode === 'test' ? html` <span class="badge warn">test</span>` : ''}</h1>
<p class="muted">From <a href="/admin/connections/${encodeURIComponent(o.connectionId)}">${o.connectionName || o.connectionId}</a> · received ${when(o.receivedAt)} UTC</p></div></div>
<dl class="kv">
<dt>Buyer's orderID</dt><dd><code>${o.orderId}</code>${o.orderVersion !== null ? ` (version ${o.orderVersion})` : ''}</dd>
<dt>Type</dt><dd>${o.orderType}${str(h.orderType) ? html` · <span class="muted">${str(h.orderType)}</span>` : ''}</dd>
<dt>Status</dt><dd>${orderStatusBadge(o.status)}</dd>
<dt>Order date</dt><dd>${cxmlDateTime(o.orderDate)}</dd>
${str(h.requestedDeliveryDate) ? html`<dt>Requested delivery</dt><dd>${str(h.requestedDeliveryDate)}</dd>` : ''}
<dt>Received / updated (UTC)</dt><dd>${when(o.receivedAt)} / ${when(o.updatedAt)}</dd>
<dt>Deployment mode</dt><dd>${o.deploymentMode}</dd>
<dt>Total</dt><dd>${money(o.total, o.currency)}</dd>
${str(h.requisitionID) ? html`<dt>Requisition</dt><dd><code>${str(h.requisitionID)}</code></dd>` : ''}
<dt>payloadID</dt><dd><code>${o.payloadId}</code></dd>
${linked.length ? html`<dt>Linked orders</dt><dd>${linked.map((l, i) => html`${i ? html`<br>` : ''}${l}`)}</dd>` : ''}
<dt>Shipping</dt><dd>${shipping ? html`${moneyOf(shipping.money) ?? ''} ${str(shipping.description) ?? ''}${str(shipping.trackingId) ? html` · tracking <code>${str(shipping.trackingId)}</code>` : ''}` : dash()}</dd>
<dt>Tax</dt><dd>${tax ? html`${moneyOf(tax.money) ?? ''} ${str(tax.description) ?? ''}${list(tax.details).filter(isObj).map((d) => html`<br><span class="small">${str(d.category) ?? ''}${str(d.percentageRate) ? ` ${str(d.percentageRate)} %` : ''}: ${moneyOf(d.taxAmount) ?? ''}${str(d.description) ? ` · ${str(d.description)}` : ''}</span>`)}` : dash()}</dd>
<dt>Payment</dt><dd>${payment ? html`card ${maskedCard(str(payment.maskedNumber) ?? '')}${str(payment.expiration) ? `, expires ${str(payment.expiration)}` : ''}${str(payment.name) ? html`, ${str(payment.name)}` : ''}` : dash()}</dd>
<dt>Payment terms</dt><dd>${terms ?? dash()}</dd>
${str(h.documentReference) ? html`<dt>Refers to payloadID</dt><dd><code>${str(h.documentReference)}</code></dd>` : ''}
${o.sessionIds.length ? html`<dt>Punchout sessions</dt><dd>${o.sessionIds.map((s, i) => html`${i ? ', ' : ''}<a href="/admin/documents?session=${encodeURIComponent(s)}">${s.slice(0, 12)}…</a>`)}</dd>` : ''}
<dt>Documents in the log</dt><dd><a href="/admin/documents?order=${encodeURIComponent(o.id)}">all of this order's documents</a></dd>
</dl>
<div class="grid two order-addresses">
${addressBlock('Ship to', h.shipTo)}
${addressBlock('Bill to', h.billTo)}
</div>
${contacts.length ? html`<h3>Contacts</h3><ul>${contacts.map((c) => html`<li>${str(c.role) ? html`<span class="muted">${str(c.role)}:</span> ` : ''}${str(c.name) ?? ''}${str(c.email) ? ` · ${str(c.email)}` : ''}${phoneText(c.phone) ? ` · ${phoneText(c.phone)}` : ''}</li>`)}</ul>` : ''}
${list(h.comments).length ? html`<h3>Comments</h3>${commentsBlock(h.comments)}` : ''}
${list(h.extrinsics).length ? html`<h3>Extrinsics</h3>${extrinsicsTable(h.extrinsics)}` : ''}
</section>`;
}

function linesSection(v: OrderDetailView): Html {
  const o = v.order;
  return html`<section class="card" id="lines">
<h2>Lines</h2>
<div class="table-wrap"><table class="table order-lines">
<thead><tr><th scope="col" class="num">Line</th><th scope="col">Part ID <span class="muted">/ aux ID</span></th><th scope="col">Description</th><th scope="col" class="num">Qty</th><th scope="col">Unit</th><th scope="col" class="num">Unit price</th><th scope="col" class="num">Confirmed</th><th scope="col" class="num">Shipped</th><th scope="col" class="num">Invoiced</th><th scope="col">Flags</th></tr></thead>
<tbody>${o.lines.map((l) => {
    const d = l.details;
    const rejected = tryDec(l.rejectedQuantity);
    return html`<tr>
<td class="num">${l.lineNumber}</td>
<td class="order-part">${l.supplierPartId ? html`<code>${l.supplierPartId}</code>` : dash()}${l.isAdHoc ? html` <span class="badge muted">ad hoc</span>` : ''}${l.auxId ? html`<br><code class="small muted" title="SupplierPartAuxiliaryID">${l.auxId}</code>` : ''}</td>
<td class="order-desc">${l.description}${str(d.manufacturerName) || str(d.manufacturerPartID) ? html`<br><span class="small muted">${[str(d.manufacturerName), str(d.manufacturerPartID)].filter(Boolean).join(' ')}</span>` : ''}${str(d.requestedDeliveryDate) ? html`<br><span class="small muted">wanted by ${str(d.requestedDeliveryDate)}</span>` : ''}${list(d.comments).length || isObj(d.comments) ? html`<div class="small">${commentsBlock(Array.isArray(d.comments) ? d.comments : [d.comments])}</div>` : ''}${list(d.extrinsics).length ? html`<div class="small muted">${list(d.extrinsics).filter(isObj).map((e, i) => html`${i ? ' · ' : ''}${str(e.name) ?? ''}: ${str(e.value) ?? ''}`)}</div>` : ''}</td>
<td class="num">${qty(l.quantity)}</td>
<td>${l.unit}</td>
<td class="num">${money(l.unitPrice, l.currency)}</td>
<td class="num">${qty(l.confirmedQuantity)}${rejected && rejected.gt(0) ? html`<br><span class="small error-text">${rejected.toFixed()} rejected</span>` : ''}</td>
<td class="num">${qty(l.shippedQuantity)}</td>
<td class="num">${qty(l.invoicedQuantity)}${tryDec(l.invoicedAmount)?.gt(0) ? html`<br><span class="small muted">${money(l.invoicedAmount, l.currency)}</span>` : ''}</td>
<td>${l.review.length ? html`${l.review.map((f) => html`<span class="badge warn" title="${f.message}">${f.code.replace(/_/g, ' ')}</span> `)}` : dash()}</td>
</tr>`;
  })}</tbody>
</table></div>
</section>`;
}

/** The latest outbound document-log entry of a payloadID (the last delivery attempt). */
function logEntryOf(v: OrderDetailView, payloadId: string): LogEntry | undefined {
  let found: LogEntry | undefined;
  for (const e of v.log) if (e.payload_id === payloadId && e.direction === 'out') found = e;
  return found;
}

function linesText(lines: unknown): string {
  return list(lines)
    .filter(isObj)
    .map((l) => `line ${str(l.lineNumber) ?? '?'}: ${str(l.quantity) ?? '?'}${str(l.unit) ? ` ${str(l.unit)}` : ''}`)
    .join(', ');
}

/** What a document said, from its stored input and totals (read defensively: older rows, other writers). */
function documentSummary(d: OrderDocumentView, currency: string): Html {
  const i = d.input;
  const t = d.totals ?? {};
  const due = str(t.due) ?? str(t.gross);
  const parts: Html[] = [];
  switch (d.kind) {
    case 'confirmation': {
      const type = str(i.type);
      parts.push(html`${type === 'accept' ? 'Accepted as ordered' : type === 'reject' ? 'Rejected' : type === 'detail' ? 'Per line' : (type ?? '')}${str(i.deliveryDate) ? `, delivery ${str(i.deliveryDate)}` : ''}`);
      if (type === 'detail') {
        const lines = list(i.lines).filter(isObj).map((l) => `line ${str(l.lineNumber) ?? '?'}: ${list(l.statuses).filter(isObj).map((st) => `${str(st.type) ?? ''} ${str(st.quantity) ?? ''}${str(st.unitPrice) ? ` at ${str(st.unitPrice)}` : ''}${str(st.deliveryDate) ? ` by ${str(st.deliveryDate)}` : ''}`).join(' + ')}`);
        if (lines.length) parts.push(html`<span class="small">${lines.join('; ')}</span>`);
      }
      break;
    }
    case 'ship_notice':
      parts.push(html`${str(i.carrier) ?? ''}${str(i.scac) ? ` (${str(i.scac)})` : ''}, tracking ${str(i.trackingUrl) && /^https?:\/\//i.test(str(i.trackingUrl)!) ? html`<a href="${str(i.trackingUrl)}" rel="noreferrer noopener" target="_blank">${str(i.trackingNumber) ?? ''}</a>` : (str(i.trackingNumber) ?? '')}`);
      parts.push(html`<span class="small">${str(i.fulfillmentType) ? `${str(i.fulfillmentType)} shipment` : 'shipment'}${str(i.shipmentDate) ? ` on ${str(i.shipmentDate)}` : ''}; ${linesText(i.lines)}</span>`);
      break;
    case 'invoice':
      if (due) parts.push(html`${money(due, str(t.currency) ?? currency)}${str(t.tax) ? html` <span class="small muted">incl. tax ${str(t.tax)}</span>` : ''}`);
      parts.push(html`<span class="small">${str(i.invoiceDate) ? `dated ${str(i.invoiceDate)}; ` : ''}${linesText(i.lines)}${str(i.shipping) ? `; shipping ${str(i.shipping)}` : ''}</span>`);
      break;
    case 'credit_memo':
      if (due) parts.push(html`${money(due, str(t.currency) ?? currency)}`);
      parts.push(html`<span class="small">against ${str(i.invoiceNumber) ?? '?'}${str(i.amount) ? `, net ${str(i.amount)}` : ''}${str(i.reason) ? `: ${str(i.reason)}` : ''}</span>`);
      break;
  }
  if (str(i.comment) && d.kind !== 'credit_memo') parts.push(html`<span class="small muted">“${str(i.comment)}”</span>`);
  return html`${parts.map((p, n) => html`${n ? html`<br>` : ''}${p}`)}`;
}

function documentsSection(v: OrderDetailView): Html {
  const docs = v.order.documents;
  const problems = v.sendingProblems.length
    ? html`<div class="notice warn" role="status"><p>Documents cannot reach this buyer yet:</p><ul>${v.sendingProblems.map((p) => html`<li>${p}</li>`)}</ul><p><a href="/admin/connections/${encodeURIComponent(v.order.connectionId)}">Open the connection</a></p></div>`
    : '';
  const row = (d: OrderDocumentView) => {
    const entry = logEntryOf(v, d.payloadId);
    const ob = d.outbox;
    return html`<tr id="doc-${d.id}">
<td>${DOCUMENT_KIND_LABELS[d.kind] ?? d.kind}</td>
<td><strong>${d.number}</strong></td>
<td class="order-doc-what">${documentSummary(d, v.order.currency)}</td>
<td><code class="small" title="${d.payloadId}">${d.payloadId}</code></td>
<td class="nowrap">${when(d.createdAt)}<br><span class="small muted">${d.createdBy}</span></td>
<td>${ob ? html`${outboxBadge(ob.status)} <span class="small muted">${ob.attempts === 1 ? '1 attempt' : `${ob.attempts} attempts`}</span>${ob.deliveredAt ? html`<br><span class="small muted">delivered ${when(ob.deliveredAt)}</span>` : ''}${ob.lastError ? html`<br><span class="small order-error">${ob.lastError}</span>` : ''}` : html`<span class="muted">not queued</span>`}</td>
<td>${entry ? html`<a href="/admin/documents/${encodeURIComponent(entry.id)}">log entry</a>` : html`<span class="muted">not sent yet</span>`}
${ob && ob.status === 'failed' && v.canAct ? html`<form method="post" action="/admin/orders/${encodeURIComponent(v.order.id)}/retry" class="inline">${v.csrf}<input type="hidden" name="outbox" value="${ob.id}"><button type="submit" class="button small">Retry now</button></form>` : ''}</td>
</tr>`;
  };
  return html`<section class="card" id="documents">
<h2>Documents sent</h2>
${problems}
${docs.length
  ? html`<div class="table-wrap"><table class="table order-docs">
<thead><tr><th scope="col">Kind</th><th scope="col">Number</th><th scope="col">Content</th><th scope="col">payloadID</th><th scope="col">Created (UTC)</th><th scope="col">Delivery</th><th scope="col">Log</th></tr></thead>
<tbody>${docs.map(row)}</tbody></table></div>`
  : html`<p class="muted">No confirmation, ship notice or invoice yet.</p>`}
</section>`;
}

interface TimelineItem {
  at: string;
  order: number;
  body: Html;
}

function timelineSection(v: OrderDetailView): Html {
  const logIds = new Set(v.log.map((e) => e.id));
  const docById = new Map(v.order.documents.map((d) => [d.id, d]));
  const items: TimelineItem[] = [];
  v.order.events.forEach((e, i) => {
    const doc = e.documentId ? docById.get(e.documentId) : undefined;
    const logEntry = doc ? logEntryOf(v, doc.payloadId) : undefined;
    const link = e.documentId
      ? logIds.has(e.documentId)
        ? html` · <a href="/admin/documents/${encodeURIComponent(e.documentId)}">document</a>`
        : doc
          ? html` · ${DOCUMENT_KIND_LABELS[doc.kind]} <a href="#doc-${doc.id}">${doc.number}</a>${logEntry ? html` (<a href="/admin/documents/${encodeURIComponent(logEntry.id)}">log</a>)` : ''}`
          : ''
      : '';
    const change = e.fromStatus || e.toStatus ? html` <span class="order-change">${e.fromStatus ? orderStatusBadge(e.fromStatus) : ''} → ${e.toStatus ? orderStatusBadge(e.toStatus) : ''}</span>` : '';
    items.push({
      at: e.createdAt,
      order: i,
      body: html`<strong>${EVENT_LABELS[e.kind] ?? e.kind}</strong>${change} <span class="muted small">by ${e.actor}</span>${link}${e.detail ? html`<br><span class="small">${e.detail}</span>` : ''}`,
    });
  });
  v.log.forEach((d, i) => {
    items.push({
      at: d.created_at,
      order: v.order.events.length + i,
      body: html`<span class="doc-dir ${d.direction === 'in' ? 'in' : 'out'}">${d.direction === 'in' ? '→ in' : '← out'}</span> <a href="/admin/documents/${encodeURIComponent(d.id)}">${d.doc_type}</a> ${statusBadge(d.status)}${d.detail ? html`<br><span class="small muted">${d.detail}</span>` : ''}`,
    });
  });
  items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order));
  return html`<section class="card" id="timeline">
<h2>Timeline</h2>
${items.length
  ? html`<ol class="order-timeline">${items.map((it) => html`<li><time datetime="${it.at}">${when(it.at)}</time><div>${it.body}</div></li>`)}</ol>`
  : html`<p class="muted">Nothing recorded yet.</p>`}
</section>`;
}

/** Whether the page shows this action's form (and so the problems and typed values in it). */
function formShown(v: OrderDetailView, form: ActionForm): boolean {
  if (!v.canAct) return false;
  if (form === 'review') return !v.order.reviewedAt && (v.order.review.length > 0 || v.order.lines.some((l) => l.review.length > 0));
  if (FINAL_STATUSES.includes(v.order.status)) return false;
  return whyNoForm(v, form) === undefined;
}

/** Why an open order offers no form of this kind (a confirmation goes once; nothing left to ship …). */
function whyNoForm(v: OrderDetailView, form: ActionForm): string | undefined {
  const o = v.order;
  switch (form) {
    case 'confirm': {
      // One confirmation per version of the order: after a change order the buyer expects a new one.
      // A confirmation the buyer refused (or that was never delivered) does not count.
      const c = o.documents.filter((d) => d.kind === 'confirmation' && d.input['orderPayloadId'] === o.payloadId && d.state !== 'failed').at(-1);
      return c ? `Confirmed with ${c.number}; a confirmation is sent once per version of the order.` : undefined;
    }
    case 'ship':
      return o.lines.some((l) => remainingToShip(l).gt(0)) ? undefined : 'Nothing is left to ship.';
    case 'invoice': {
      const shipped = o.lines.some((l) => (tryDec(l.shippedQuantity) ?? new Decimal(0)).gt(0));
      return o.lines.some((l) => remainingToInvoice(l, shipped).gt(0)) ? undefined : shipped ? 'Everything shipped is invoiced.' : 'Nothing is left to invoice.';
    }
    case 'credit':
      return o.documents.some((d) => d.kind === 'invoice') ? undefined : 'A credit memo needs an invoice to credit.';
    default:
      return undefined;
  }
}

/** Above everything: what was refused; the problems themselves when no form below can show them. */
function refusedNotice(v: OrderDetailView): Html {
  const r = v.refused;
  if (!r) return html``;
  if (formShown(v, r.form)) return html`<div class="notice error" role="alert"><p>${ACTION_TITLES[r.form]}: nothing was sent. <a href="#${r.form}">The form</a> keeps what you typed and lists what to correct.</p></div>`;
  return html`<div class="notice error" role="alert"><p>${ACTION_TITLES[r.form]}: nothing was sent.</p><ul>${r.problems.map((p) => html`<li>${p.message}</li>`)}</ul></div>`;
}

export function orderDetailBody(v: OrderDetailView): Html {
  const o = v.order;
  const final = FINAL_STATUSES.includes(o.status);
  const notice = v.notice ? html`<div class="notice ${v.notice.kind}" role="${v.notice.kind === 'error' ? 'alert' : 'status'}"><p>${v.notice.text}</p></div>` : '';
  const notOffered = (['confirm', 'ship', 'invoice', 'credit'] as const).map((f) => whyNoForm(v, f)).filter((t): t is string => t !== undefined);
  const actions = v.canAct
    ? final
      ? html`<section class="card"><h2>Actions</h2><p class="muted">This order is ${ORDER_STATUS_LABELS[o.status].toLowerCase()}: no further documents can be created.</p></section>`
      : html`<section class="order-actions" aria-label="Actions">
<h2>Actions</h2>
${formShown(v, 'confirm') ? confirmForm(v) : ''}
${formShown(v, 'ship') ? shipForm(v) : ''}
${formShown(v, 'invoice') ? invoiceForm(v) : ''}
${formShown(v, 'credit') ? creditForm(v) : ''}
${closeForm(v)}
${notOffered.length ? html`<ul class="muted small order-not-offered">${notOffered.map((t) => html`<li>${t}</li>`)}</ul>` : ''}
</section>`
    : html`<p class="muted">Only administrators can send documents for an order.</p>`;
  return html`<p class="breadcrumbs"><a href="/admin/orders">Orders</a> › ${o.orderId}</p>
${notice}
${refusedNotice(v)}
${headerSection(v)}
${reviewSection(v)}
${linesSection(v)}
${documentsSection(v)}
${actions}
${timelineSection(v)}`;
}

/**
 * A cXML date-time as the rest of the page shows times: `2026-12-04T10:56:31.000Z` →
 * `2026-12-04 10:56:31 UTC`, an offset kept (`… +01:00`); anything else as sent.
 */
export function cxmlDateTime(text: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d(?::\d\d)?)(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?$/.exec(text.trim());
  if (!m) return text;
  return `${m[1]} ${m[2]}${m[3] === undefined ? '' : m[3] === 'Z' ? ' UTC' : ` ${m[3]}`}`;
}
