/**
 * The purchase order pages: the list of orders and one order with its lines and their progress,
 * the OrderRequests sent (new / update / delete) with the supplier's answers, the change and
 * cancel forms, the documents the supplier sent, goods receipts, the match and the history.
 * Pure functions from data to Html; the routes gather the data.
 */
import { formatMoney, tryDec } from '../../protocol/money.js';
import { html, type Html } from '../../web/html.js';
import { sandboxFrame } from '../layout.js';
import type { LineProgress, SandboxDocument } from '../documents.js';
import { prettyXml } from '../pretty-xml.js';
import { isHttpUrl } from '../settings.js';
import { DOC_TITLE, exchangeFacts, looksLikeXml, rawAnswer } from '../views.js';
import type { SandboxEvent } from './history.js';
import { actorName } from './requisition-views.js';
import type { MatchResult } from './match.js';
import { changeableNow, type PoLine, type PoMessage, type PurchaseOrder, type SandboxPerson } from './model.js';

export function orderPath(id: string): string {
  return `/sandbox/orders/${encodeURIComponent(id)}`;
}

const STATUS_LABEL: Record<string, string> = {
  open: 'Open',
  cancelled: 'Cancelled',
  rejected: 'Rejected by the supplier',
  failed: 'Not delivered',
};

const MESSAGE_LABEL: Record<string, string> = {
  sending: 'Sending',
  // The synchronous cXML answer: a receipt of the document, not the supplier's confirmation.
  accepted: 'Received by the supplier (cXML 200)',
  rejected: 'Rejected by the supplier',
  failed: 'Not delivered',
  withdrawn: 'Withdrawn by the buyer (the supplier had not confirmed it)',
};

const MESSAGE_NOTICE: Record<string, string> = { sending: 'info', accepted: 'ok', rejected: 'error', failed: 'warning', withdrawn: 'info' };

const TYPE_LABEL: Record<string, string> = { new: 'Order (new)', update: 'Change (update)', delete: 'Cancellation (delete)' };

function acting(person: SandboxPerson): { name: string; roles: readonly string[] } {
  return { name: person.name, roles: person.roles };
}

function badge(status: string): Html {
  return html`<span class="badge status-${status}">${STATUS_LABEL[status] ?? status}</span>`;
}

/**
 * The order's state as every page shows it: an open order whose three-way match is clean has
 * nothing left to do and shows as Complete (the data still says open).
 */
export function shownOrderStatus(status: string, matchStatus: MatchResult['status'] | string | undefined): string {
  return status === 'open' && matchStatus === 'clean' ? 'complete' : status;
}

/** The badge of an order's shown state (see shownOrderStatus). */
export function orderBadge(status: string, matchStatus?: MatchResult['status'] | string): Html {
  const shown = shownOrderStatus(status, matchStatus);
  return shown === 'complete' ? html`<span class="badge ok">Complete</span>` : badge(shown);
}

/** `407` → `407.00 EUR`: every amount with at least the currency's minor units. */
export function money(value: string, currency: string): string {
  const d = tryDec(value);
  return `${d ? formatMoney(d, currency) : value} ${currency}`.trim();
}

function when(iso: string): string {
  return iso.replace('T', ' ').slice(0, 19);
}

// ---- the list ----------------------------------------------------------------------------------

export interface OrderListRow {
  readonly po: PurchaseOrder;
  readonly requisition?: { readonly id: string; readonly number: string };
  readonly documents: number;
  /** clean / open / differences, or a note when the match could not be made. */
  readonly match: string;
}

export function ordersListPage(view: { rows: readonly OrderListRow[]; acting: SandboxPerson }): Html {
  return sandboxFrame(
    { title: 'Purchase orders', section: 'orders', acting: acting(view.acting) },
    html`<section class="card">
<h1>Purchase orders</h1>
<p class="muted">Every order the sandbox placed: from a punchout's cart, a re-order at minimum stock or a recurring order, after its requisition was approved.</p>
${
  view.rows.length === 0
    ? html`<p>No purchase orders yet. Start a punchout, submit its requisition, and the order appears here once it is approved.</p>`
    : html`<div class="table-wrap"><table class="table orders">
<thead><tr><th>Number</th><th>Supplier</th><th>Requisition</th><th>Status</th><th class="num">Version</th><th class="num">Total</th><th class="num">Documents</th><th>Match</th><th>Created (UTC)</th></tr></thead>
<tbody>${view.rows.map(
        (r) => html`<tr>
<td class="nowrap"><a href="${orderPath(r.po.id)}">${r.po.orderId}</a></td>
<td class="code">${r.po.supplier.to?.identity ?? ''} <span class="muted small">${r.po.supplier.cxmlUrl ?? ''}</span></td>
<td class="nowrap">${r.requisition ? html`<a href="/sandbox/requisitions/${encodeURIComponent(r.requisition.id)}">${r.requisition.number}</a>` : '—'}</td>
<td>${orderBadge(r.po.status, r.match)}</td>
<td class="num">${r.po.version}</td>
<td class="num price">${money(r.po.total, r.po.currency)}</td>
<td class="num">${r.documents}</td>
<td>${r.match}</td>
<td class="nowrap">${when(r.po.createdAt)}</td>
</tr>`,
      )}</tbody>
</table></div>`
}
</section>`,
  );
}

// ---- one order ----------------------------------------------------------------------------------

export interface FormState {
  readonly values: Record<string, string>;
  readonly problems: readonly { field: string; message: string }[];
}

export interface PurchaseOrderPageView {
  readonly po: PurchaseOrder;
  readonly acting: SandboxPerson;
  readonly lines: readonly PoLine[];
  /** Per line, from the documents received (same order as `lines`). */
  readonly progress: readonly LineProgress[];
  readonly messages: readonly PoMessage[];
  readonly documents: readonly SandboxDocument[];
  readonly events: readonly SandboxEvent[];
  /** For names in the history (`person:maria` → Maria Schulz). */
  readonly people?: readonly SandboxPerson[];
  readonly requisition?: { readonly id: string; readonly number: string; readonly status: string };
  /** Where suppliers post their documents. */
  readonly documentUrl: string;
  readonly receipts: Html;
  readonly match: Html;
  /** The three-way match's status: clean on an open order means complete. */
  readonly matchStatus?: MatchResult['status'];
  readonly notice?: { readonly kind: 'ok' | 'error' | 'warning' | 'info'; readonly text: string };
  readonly changeForm?: FormState;
  readonly cancelForm?: FormState;
  /** Why the order cannot be cancelled (goods received, invoice accepted): said instead of the cancel form. */
  readonly cancelBlocked?: string | undefined;
}

function problemFor(form: FormState | undefined, field: string): Html | string {
  const p = form?.problems.find((x) => x.field === field);
  return p ? html`<span class="problem" role="alert">${p.message}</span>` : '';
}

export function purchaseOrderPage(view: PurchaseOrderPageView): Html {
  const { po } = view;
  const s = po.supplier;
  const open = changeableNow(po, view.messages);
  // Everything received and invoiced, matching: nothing is left to do (the data still says open).
  const complete = shownOrderStatus(po.status, view.matchStatus) === 'complete';
  return sandboxFrame(
    { title: `Purchase order ${po.orderId}`, section: 'orders', acting: acting(view.acting) },
    html`<section class="card">
<h1>Purchase order ${po.orderId} ${orderBadge(po.status, view.matchStatus)}</h1>
${view.notice ? html`<div class="notice ${view.notice.kind}" role="${view.notice.kind === 'error' ? 'alert' : 'status'}"><p>${view.notice.text}</p></div>` : ''}
<dl class="kv">
<dt>Supplier</dt><dd><span class="code">${s.cxmlUrl}</span> · To ${s.to.domain}/${s.to.identity}</dd>
<dt>Version</dt><dd>${po.version}</dd>
<dt>Total</dt><dd class="price"><strong>${money(po.total, po.currency)}</strong></dd>
<dt>Requisition</dt><dd>${view.requisition ? html`<a href="/sandbox/requisitions/${encodeURIComponent(view.requisition.id)}">${view.requisition.number}</a> (${view.requisition.status})` : '—'}</dd>
${po.punchoutId ? html`<dt>Punchout</dt><dd><a href="/sandbox/punchouts/${encodeURIComponent(po.punchoutId)}">${po.punchoutId.slice(0, 8)}</a></dd>` : ''}
<dt>Created</dt><dd>${when(po.createdAt)} UTC</dd>
</dl>
</section>
${linesSection(view)}
${open ? changeSection(view, complete) : ''}
${undelivered(view) ? cancelUndeliveredSection(view) : ''}
${messagesSection(view)}
${documentsSection(view)}
${view.receipts}
${view.match}
${historySection(view.events, view.people ?? [])}
<p class="actions"><a class="button" href="/sandbox/orders">All purchase orders</a></p>`,
  );
}

function linesSection(view: PurchaseOrderPageView): Html {
  const progress = new Map(view.progress.map((p) => [p.line.lineNumber, p]));
  return html`<section class="card" id="lines">
<h2>Lines (version ${view.po.version})</h2>
<div class="table-wrap"><table class="table progress">
<thead><tr><th class="num">Line</th><th>Item</th><th class="num">Unit price</th><th class="num">Ordered</th><th class="num">Confirmed</th><th class="num">Backordered</th><th class="num">Rejected</th><th class="num">Shipped</th><th class="num">Invoiced</th><th class="num">Invoiced amount</th></tr></thead>
<tbody>
${view.lines.map((l) => {
  const x = progress.get(l.lineNumber);
  return html`<tr>
<td class="num">${l.lineNumber}</td>
<td>${shortText(l.description)}<br><span class="code muted small">${l.supplierPartID}${l.auxID ? ` · ${l.auxID}` : ''}</span></td>
<td class="num price">${money(l.unitPrice, l.currency)}</td>
<td class="num nowrap">${l.quantity} ${l.unit}</td>
<td class="num">${qty(x?.confirmed)}</td>
<td class="num">${qty(x?.backordered)}</td>
<td class="num">${qty(x?.rejected)}</td>
<td class="num">${qty(x?.shipped)}</td>
<td class="num">${qty(x?.invoiced)}</td>
<td class="num price">${x?.invoicedAmount ?? '—'}</td>
</tr>`;
})}
</tbody>
</table></div>
</section>`;
}

function changeSection(view: PurchaseOrderPageView, complete: boolean): Html {
  const { po } = view;
  const f = view.changeForm;
  const c = view.cancelForm;
  const version = html`<input type="hidden" name="version" value="${String(po.version)}">`;
  const forms = html`<form method="post" action="${orderPath(po.id)}/change">${version}
<p class="muted">A change goes to the supplier as an OrderRequest of type update (version ${po.version + 1}) with every remaining line; 0 removes a line. The budget is checked first.</p>
${problemFor(f, 'form')}
<div class="table-wrap"><table class="table change">
<thead><tr><th class="num">Line</th><th>Item</th><th class="num">Quantity</th></tr></thead>
<tbody>${view.lines.map(
      (l) => html`<tr><td class="num">${l.lineNumber}</td><td>${shortText(l.description)}</td>
<td class="num"><label><span class="visually-hidden">Quantity of line ${l.lineNumber}</span> <input type="text" inputmode="decimal" name="qty-${l.lineNumber}" value="${f?.values[`qty-${l.lineNumber}`] ?? l.quantity}" size="8"></label><input type="hidden" name="was-${l.lineNumber}" value="${l.quantity}"> ${l.unit} ${problemFor(f, `qty-${l.lineNumber}`)}</td></tr>`,
    )}</tbody>
</table></div>
<p class="actions"><button type="submit" class="button primary">Send the change</button></p>
</form>
${
    view.cancelBlocked && !c
      ? html`<p class="muted" id="cancel-blocked">${view.cancelBlocked}</p>`
      : html`<form method="post" action="${orderPath(po.id)}/cancel">${version}
<p class="muted">A cancellation goes as an OrderRequest of type delete; once the supplier accepts it the order is cancelled and its budget released.</p>
${problemFor(c, 'form')}
<label class="field"><span>Reason (required; the supplier sees it)</span> <input type="text" name="reason" value="${c?.values.reason ?? ''}" size="40" required> ${problemFor(c, 'reason')}</label>
<p class="actions"><button type="submit" class="button secondary danger">Cancel the order</button></p>
</form>`
  }`;
  // A complete order is rarely changed: the forms stay reachable, folded away (open when a form came back with problems).
  return html`<section class="card" id="change">
<h2>Change or cancel</h2>
${
  complete
    ? html`<p class="muted">Everything ordered was received and invoiced, and the match is clean: nothing is left to do for this order.</p>
<details${f || c ? html` open` : ''}><summary>Change or cancel anyway</summary>${forms}</details>`
    : forms
}
</section>`;
}

/** The order's `new` never reached the supplier (and is not being sent): it can be cancelled here without a message. */
function undelivered(view: PurchaseOrderPageView): boolean {
  return view.po.status === 'failed' && view.messages.length > 0 && view.messages.every((m) => m.type === 'new' && m.status === 'failed');
}

function cancelUndeliveredSection(view: PurchaseOrderPageView): Html {
  const { po } = view;
  const c = view.cancelForm;
  return html`<section class="card" id="change">
<h2>Cancel</h2>
<form method="post" action="${orderPath(po.id)}/cancel"><input type="hidden" name="version" value="${String(po.version)}"><input type="hidden" name="undelivered" value="1">
<p class="muted">The supplier never accepted this order, so nothing is sent to the supplier: the order is only marked cancelled here and its budget commitment released. To order after all, send it again instead.</p>
${problemFor(c, 'form')}
<label class="field"><span>Reason (required)</span> <input type="text" name="reason" value="${c?.values.reason ?? ''}" size="40" required> ${problemFor(c, 'reason')}</label>
<p class="actions"><button type="submit" class="button secondary danger">Cancel the order (nothing is sent)</button></p>
</form>
</section>`;
}

/** Resend for a message that was not delivered; a cancellation may also be withdrawn, and only that once goods or an invoice came. */
function undeliveredActions(view: PurchaseOrderPageView, m: PurchaseOrderPageView['messages'][number]): Html {
  const path = orderPath(view.po.id);
  const resend = html`<form method="post" action="${path}/resend"><p class="muted">Sends the identical document again (same payloadID and timestamp), as a cXML retry must.</p><button type="submit" class="button primary">Resend</button></form>`;
  if (m.type !== 'delete') return resend;
  const withdraw = (why: string) => html`<form method="post" action="${path}/withdraw-cancel"><p class="muted">${why}</p><button type="submit" class="button secondary">Withdraw the cancellation</button></form>`;
  const unconfirmed = m.exchange?.httpStatus === undefined ? 'the supplier did not answer' : 'the supplier did not confirm it';
  if (!view.cancelBlocked) return html`${resend}${withdraw(`Or keep the order: ${unconfirmed}. Withdrawing sends nothing; if the supplier did process it, agree with them.`)}`;
  return html`<p class="notice warning" id="cancel-unsendable">This cancellation can no longer be sent: ${view.cancelBlocked}</p>${withdraw(`Withdraw it (${unconfirmed}), and the order stays open to be changed; if the supplier did process it, agree with them.`)}`;
}

function messagesSection(view: PurchaseOrderPageView): Html {
  const { po } = view;
  return html`<section class="card" id="messages">
<h2>OrderRequests sent</h2>
${view.messages.map(
  (m) => html`<article class="message" id="message-${m.version}">
<h3>Version ${m.version}: ${TYPE_LABEL[m.type] ?? m.type}</h3>
<p class="notice ${MESSAGE_NOTICE[m.status] ?? 'info'}">${MESSAGE_LABEL[m.status] ?? m.status}${m.attempts > 1 ? ` (after ${m.attempts} attempts)` : ''}${m.status === 'accepted' && m.type === 'new' ? html`. This is the receipt of the order, not its confirmation: the supplier's confirmation, ship notices and invoices appear under <a href="#documents">Documents from the supplier</a>.` : ''}</p>
<p class="muted small">Created ${when(m.createdAt)} UTC${m.exchange ? '' : html` · payloadID <span class="code">${m.payloadId}</span>`}</p>
${m.exchange ? exchangeFacts(m.exchange) : ''}
${m.status === 'failed' && po.status !== 'cancelled' ? undeliveredActions(view, m) : ''}
${m.status === 'sending' ? html`<p class="notice info">The document is being sent; reload this page in a moment.</p>` : ''}
${m.exchange ? rawAnswer(m.exchange, m.status !== 'accepted') : ''}
<details><summary>The OrderRequest the sandbox sent (SharedSecret hidden)</summary><pre class="raw">${prettyXml(m.xml)}</pre></details>
</article>`,
)}
</section>`;
}

function documentsSection(view: PurchaseOrderPageView): Html {
  const s = view.po.supplier;
  return html`<section class="card" id="documents">
<h2>Documents from the supplier</h2>
<p>The supplier posts confirmations, ship notices and invoices for this order to <code class="code document-url">${view.documentUrl}</code> as ${s.to.domain}/${s.to.identity}, with the SharedSecret the sandbox sent with the order, naming orderID <span class="code">${view.po.orderId}</span>.</p>
${view.documents.length === 0 ? html`<p class="muted">None received yet.</p>` : ''}
${view.documents.map((d, i) => documentCard(d, i + 1))}
</section>`;
}

function historySection(events: readonly SandboxEvent[], people: readonly SandboxPerson[]): Html {
  return html`<section class="card" id="history">
<h2>History</h2>
${
  events.length === 0
    ? html`<p class="muted">Nothing recorded yet.</p>`
    : html`<ol class="history">${events.map((e) => html`<li><span class="muted small">${when(e.createdAt)} UTC · ${actorName(people, e.actor)}</span> <strong>${e.kind}</strong> ${e.text}</li>`)}</ol>`
}
</section>`;
}

// ---- documents (moved here from the punchout page) -------------------------------------------------

/** Long catalog descriptions would stretch the table: the first 80 characters, the rest on hover. */
function shortText(text: string): Html | string {
  if (text.length <= 80) return text;
  return html`<span title="${text}">${text.slice(0, 77).trimEnd()}…</span>`;
}

function qty(value: { toFixed(): string } | undefined): string {
  return value === undefined ? '—' : value.toFixed();
}

export function documentCard(d: SandboxDocument, n: number): Html {
  const c = d.summary.content;
  const title = c?.kind === 'InvoiceDetailRequest' ? invoiceTitle(c.purpose) : DOC_TITLE[d.docType] ?? d.docType;
  const number = c ? (c.kind === 'ConfirmationRequest' ? c.confirmID : c.kind === 'ShipNoticeRequest' ? c.shipmentID : c.invoiceID) : undefined;
  const answer = d.summary.answer;
  const accepted = d.status === 'accepted';
  return html`<article class="document ${accepted ? 'accepted' : 'refused'}" id="document-${n}">
<h3>${n}. ${title}${number ? html` <span class="code">${number}</span>` : ''} <span class="badge ${accepted ? 'ok' : 'error'}">${accepted ? 'accepted' : `refused · ${answer.code} ${answer.text}`}</span></h3>
<p class="muted small">Received ${d.receivedAt.replace('T', ' ').slice(0, 19)} UTC${d.payloadId ? html` · payloadID <span class="code">${d.payloadId}</span>` : ''}</p>
${accepted ? '' : html`<div class="notice error" role="status"><p>The sandbox answered ${answer.code} ${answer.text}: ${answer.detail}</p></div>`}
${c?.kind === 'ConfirmationRequest' ? confirmationView(c) : ''}
${c?.kind === 'ShipNoticeRequest' ? shipNoticeView(c) : ''}
${c?.kind === 'InvoiceDetailRequest' ? invoiceView(c) : ''}
${d.summary.warnings.length > 0 ? html`<div class="notice warning"><p>Notes:</p><ul>${d.summary.warnings.map((w) => html`<li>${w}</li>`)}</ul></div>` : ''}
<details><summary>The document as received (SharedSecret hidden)</summary><pre class="raw">${looksLikeXml(d.body) ? prettyXml(d.body) : d.body}</pre></details>
</article>`;
}

type Content = NonNullable<SandboxDocument['summary']['content']>;

function confirmationView(c: Extract<Content, { kind: 'ConfirmationRequest' }>): Html {
  return html`<dl class="kv">
<dt>Type</dt><dd>${c.type}${c.operation !== 'new' ? ` (${c.operation})` : ''}</dd>
<dt>Notice date</dt><dd>${c.noticeDate}</dd>
${c.comments.length > 0 ? html`<dt>Comments</dt><dd>${c.comments.join(' · ')}</dd>` : ''}
</dl>
${
  c.lines.length === 0
    ? html`<p>${c.type === 'accept' ? 'The whole order is accepted as ordered.' : c.type === 'reject' ? 'The whole order is rejected.' : 'No lines listed.'}</p>`
    : html`<div class="table-wrap"><table class="table confirmation">
<thead><tr><th class="num">Line</th><th class="num">Quantity</th><th>Status</th><th class="num">Status quantity</th><th>Delivery date</th><th>Shipment date</th><th class="num">Unit price</th><th>Comments</th></tr></thead>
<tbody>
${c.lines.flatMap((l) =>
  l.statuses.map(
    (st, i) => html`<tr>
${i === 0 ? html`<td class="num" rowspan="${l.statuses.length}">${l.lineNumber}</td><td class="num" rowspan="${l.statuses.length}">${l.quantity} ${l.unit ?? ''}</td>` : ''}
<td><span class="badge ${st.type === 'reject' ? 'error' : st.type === 'backordered' ? 'warning' : 'ok'}">${st.type}</span></td>
<td class="num">${st.quantity} ${st.unit ?? ''}</td>
<td>${st.deliveryDate ?? ''}</td>
<td>${st.shipmentDate ?? ''}</td>
<td class="num price">${st.unitPrice ?? ''}</td>
<td>${st.comments.join(' · ')}</td>
</tr>`,
  ),
)}
</tbody>
</table></div>`
}`;
}

function shipNoticeView(c: Extract<Content, { kind: 'ShipNoticeRequest' }>): Html {
  return html`<dl class="kv">
<dt>Carrier</dt><dd>${c.carriers.length > 0 ? [...c.carriers].sort((a, b) => Number(isScac(a)) - Number(isScac(b))).map(carrierText).join(', ') : '—'}</dd>
<dt>Tracking</dt><dd>${c.tracking.length > 0 ? c.tracking.map((t) => (t.url && isHttpUrl(t.url) ? html`<a href="${t.url}" rel="noopener noreferrer" target="_blank">${t.number}</a> ` : html`<span class="code">${t.number}</span> `)) : '—'}</dd>
<dt>Shipped</dt><dd>${c.shipmentDate ?? '—'}</dd>
<dt>Expected delivery</dt><dd>${c.deliveryDate ?? '—'}</dd>
<dt>Notice date</dt><dd>${c.noticeDate}${c.operation !== 'new' ? ` (${c.operation})` : ''}</dd>
${c.fulfillmentType ? html`<dt>Fulfilment</dt><dd>${c.fulfillmentType}</dd>` : ''}
${c.comments.length > 0 ? html`<dt>Comments</dt><dd>${c.comments.join(' · ')}</dd>` : ''}
</dl>
${
  c.wholeOrder
    ? html`<p>No lines listed: the whole order shipped.</p>`
    : html`<table class="table ship-notice"><thead><tr><th class="num">Line</th><th class="num">Quantity shipped</th><th>Unit</th></tr></thead>
<tbody>${c.lines.map((l) => html`<tr><td class="num">${l.lineNumber}</td><td class="num">${l.quantity}</td><td>${l.unit ?? ''}</td></tr>`)}</tbody></table>`
}`;
}

/** An InvoiceDetailRequest is named by its purpose: a credit memo is no invoice to pay. */
const INVOICE_PURPOSE: Record<string, string> = {
  standard: 'Invoice',
  creditMemo: 'Credit memo',
  lineLevelCreditMemo: 'Credit memo (per line)',
  debitMemo: 'Debit memo',
  lineLevelDebitMemo: 'Debit memo (per line)',
};

function invoiceTitle(purpose: string): string {
  return INVOICE_PURPOSE[purpose] ?? 'Invoice';
}

const isScac = (x: { domain: string }): boolean => x.domain.toLowerCase() === 'scac';

/** The carrier's name as people know it; the SCAC code, when sent, labelled as such (after the name). */
function carrierText(x: { domain: string; value: string }): string {
  const domain = x.domain.toLowerCase();
  if (domain === 'companyname') return x.value;
  if (domain === 'scac') return `SCAC: ${x.value}`;
  return `${x.value} (${x.domain})`;
}

function invoiceView(c: Extract<Content, { kind: 'InvoiceDetailRequest' }>): Html {
  const amounts: [string, string | undefined, boolean][] = [
    ['Subtotal', c.subtotal, false],
    ['Tax', c.tax, false],
    ['Shipping', c.shipping, false],
    ['Special handling', c.specialHandling, false],
    ['Gross', c.gross, false],
    ['Net', c.net, false],
    ['Due', c.due, true],
  ];
  const total = (label: string, value: string | undefined, strong = false) =>
    value === undefined ? '' : html`<tr><th colspan="6">${label}</th><td class="num price">${strong ? html`<strong>${value}</strong>` : value}</td></tr>`;
  const known = INVOICE_PURPOSE[c.purpose] !== undefined;
  const facts = html`<dl class="kv">
<dt>${c.purpose === 'standard' ? 'Invoice date' : 'Date'}</dt><dd>${c.invoiceDate}</dd>
${known && c.purpose === 'standard' ? '' : html`<dt>Purpose</dt><dd>${known ? invoiceTitle(c.purpose) : c.purpose}</dd>`}
${c.originalInvoiceID ? html`<dt>Credits invoice</dt><dd><span class="code">${c.originalInvoiceID}</span></dd>` : ''}
${c.operation !== 'new' ? html`<dt>Operation</dt><dd>${c.operation}</dd>` : ''}
${c.paymentTermDays !== undefined ? html`<dt>Payment term</dt><dd>${c.paymentTermDays} days</dd>` : ''}
</dl>`;
  // A memo over an amount has no lines: its amounts, without an empty line table.
  if (c.lines.length === 0) {
    return html`${facts}
<dl class="kv amounts">${amounts.map(([label, value, strong]) => (value === undefined ? '' : html`<dt>${label}</dt><dd class="price">${strong ? html`<strong>${value}</strong>` : value}</dd>`))}</dl>`;
  }
  return html`${facts}
<div class="table-wrap"><table class="table invoice">
<thead><tr><th class="num">Invoice line</th><th class="num">PO line</th><th>Description</th><th class="num">Quantity</th><th class="num">Unit price</th><th class="num">Tax</th><th class="num">Subtotal</th></tr></thead>
<tbody>
${c.lines.map(
  (l) => html`<tr>
<td class="num">${l.invoiceLineNumber}</td>
<td class="num">${l.orderLineNumber ?? '—'}</td>
<td>${l.description ?? ''}</td>
<td class="num">${l.quantity} ${l.unit ?? ''}</td>
<td class="num price">${l.unitPrice ?? ''}</td>
<td class="num price">${l.tax ?? ''}</td>
<td class="num price">${l.subtotal ?? ''}</td>
</tr>`,
)}
</tbody>
<tfoot>
${amounts.map(([label, value, strong]) => total(label, value, strong))}
</tfoot>
</table></div>`;
}

