/**
 * The sandbox's pages: pure functions from stored punchouts to Html.
 *
 * CSS classes used (styled by /assets/koppel.css; the pages stay usable unstyled):
 * `card` (a boxed section), `table` (data table), `num` (right-aligned number cell),
 * `button` / `button primary` (buttons and button-like links), `notice` with `error`, `warning`,
 * `ok` or `info` (message boxes), `muted` (secondary text), `code` (identifiers, URLs),
 * `badge` + `status-<status>` (punchout status), `kv` (a definition list of facts),
 * `form-grid` / `field` / `actions` (the start form), `raw` (a `<pre>` with a document),
 * `shop-frame` (the framed supplier shop), `transfer` (auto-submit pages).
 *
 * Script appears only where the protocol needs a browser to move on (the OCI call auto-submit and
 * the framed return's top-window redirect), each with a visible button or link doing the same.
 */
import { html, raw, type Html } from '../web/html.js';
import { errorPage } from '../web/views/layout.js';
import { sandboxFrame } from './layout.js';
import type { SandboxDocument } from './documents.js';
import type { OciCallForm } from './oci-call.js';
import { prettyXml } from './pretty-xml.js';
import type { OrderStatus, PunchoutStatus, SandboxPunchout, SupplierExchange } from './punchout-record.js';
import type { SandboxSettings, SettingsProblem } from './settings.js';

export const SANDBOX_HOME = '/sandbox';

export function punchoutPath(id: string): string {
  return `/sandbox/punchouts/${encodeURIComponent(id)}`;
}

const STATUS_LABEL: Record<PunchoutStatus, string> = {
  started: 'Waiting for the cart',
  failed: 'Setup failed',
  returned: 'Cart received',
  cancelled: 'Cancelled (empty cart)',
  invalid: 'Cart unreadable',
  ordered: 'Ordered',
};

const ORDER_LABEL: Record<OrderStatus, string> = {
  sending: 'Sending',
  // The synchronous cXML answer to the OrderRequest: a receipt, not the supplier's confirmation.
  accepted: 'Received by the supplier (cXML 200)',
  rejected: 'Rejected by the supplier',
  failed: 'Not delivered',
};


/** The person the browser acts as, shown top right on every sandbox page. */
export type ActingAs = { readonly name: string; readonly roles: readonly string[] };

function sandboxPage(title: string, body: Html, acting?: ActingAs): Html {
  return sandboxFrame({ title, section: 'punchouts', ...(acting ? { acting } : {}) }, body);
}

/** What became of a punchout's cart: its requisition and purchase order (for links). */
export interface PunchoutOutcome {
  readonly requisition?: { readonly id: string; readonly number: string; readonly status: string };
  readonly purchaseOrder?: { readonly id: string; readonly orderId: string; readonly status: string };
}

function badge(status: PunchoutStatus): Html {
  return html`<span class="badge status-${status}">${STATUS_LABEL[status] ?? status}</span>`;
}

/** `2026-12-04T10:56:31.000Z` → `2026-12-04 10:56:31`, as the sandbox's tables show times (UTC). */
function when(iso: string): string {
  return iso.replace('T', ' ').slice(0, 19);
}

function shortId(id: string): string {
  return id.slice(0, 8);
}

// ---- start page ---------------------------------------------------------------------------------

export interface StartPageView {
  readonly settings: SandboxSettings;
  readonly recent: readonly SandboxPunchout[];
  readonly problems?: readonly SettingsProblem[];
  /** The sandbox's own cXML endpoint for suppliers' documents (`<baseUrl>/sandbox/cxml`). */
  readonly documentUrl?: string;
  /** Recent documents that matched no order of the sandbox, so a supplier's misconfiguration shows. */
  readonly unmatched?: readonly SandboxDocument[];
  readonly acting?: ActingAs;
  /** Per punchout id: the requisition and purchase order its cart became. */
  readonly outcomes?: ReadonlyMap<string, PunchoutOutcome>;
}

function textField(name: string, label: string, value: string, type = 'text'): Html {
  return html`<label class="field"><span>${label}</span> <input type="${type}" name="${name}" value="${value}" autocomplete="off"></label>`;
}

function radio(name: string, value: string, label: string, checked: boolean): Html {
  return html`<label><input type="radio" name="${name}" value="${value}"${checked ? html` checked` : ''}> ${label}</label>`;
}

export function startPage(view: StartPageView): Html {
  const s = view.settings;
  const problems = view.problems ?? [];
  return sandboxPage(
    'Punch out to a supplier',
    html`<section class="card">
<h1>Punch out to a supplier</h1>
<p class="muted">The sandbox plays a procurement system: it opens a supplier's shop over SAP OCI or cXML, receives the cart and sends a cXML purchase order — only over HTTP, like a real buyer. By default it punches out into this Koppel's demo connections.</p>
${view.documentUrl ? html`<p class="notice info">Suppliers post confirmations, ship notices and invoices for the sandbox's orders to <code class="code document-url">${view.documentUrl}</code> — <a href="#document-endpoint">how to set it up</a>.</p>` : ''}
${problems.length > 0 ? html`<div class="notice error" role="alert"><p>The punchout was not started:</p><ul>${problems.map((p) => html`<li>${p.message}</li>`)}</ul></div>` : ''}
<form method="post" action="/sandbox/punchouts" class="form-grid">
<fieldset>
<legend>Protocol</legend>
${radio('protocol', 'oci', 'SAP OCI', s.protocol === 'oci')}
${radio('protocol', 'cxml', 'cXML', s.protocol === 'cxml')}
</fieldset>
<fieldset>
<legend>OCI</legend>
${textField('ociUrl', 'OCI URL', s.ociUrl, 'url')}
${textField('ociUsername', 'USERNAME', s.ociUsername)}
${textField('ociPassword', 'PASSWORD', s.ociPassword, 'password')}
<div class="field"><span>Call method</span> ${radio('ociMethod', 'POST', 'POST', s.ociMethod === 'POST')} ${radio('ociMethod', 'GET', 'GET', s.ociMethod === 'GET')}</div>
</fieldset>
<fieldset>
<legend>cXML</legend>
<p class="muted">Used for cXML punchouts and for every purchase order, also after an OCI punchout.</p>
${textField('cxmlUrl', 'cXML URL', s.cxmlUrl, 'url')}
${textField('fromDomain', 'From domain', s.from.domain)}
${textField('fromIdentity', 'From identity', s.from.identity)}
${textField('toDomain', 'To domain', s.to.domain)}
${textField('toIdentity', 'To identity', s.to.identity)}
${textField('senderDomain', 'Sender domain', s.sender.domain)}
${textField('senderIdentity', 'Sender identity', s.sender.identity)}
${textField('sharedSecret', 'SharedSecret', s.sharedSecret, 'password')}
${textField('cxmlVersion', 'cXML DTD version', s.cxmlVersion)}
</fieldset>
<label><input type="checkbox" name="framed" value="1"${s.framed ? html` checked` : ''}> Open the shop inside an iframe (like SAP SRM / many procurement systems)</label>
<p class="muted">Tip: open the sandbox at another host name than the supplier's (e.g. 127.0.0.1 instead of localhost) to run the framed shop truly cross-site.</p>
<div class="actions"><button type="submit" class="button primary">Start punchout</button></div>
</form>
</section>
${view.documentUrl ? documentUrlCard(view.documentUrl, view.unmatched ?? []) : ''}
<section class="card">
<h2>Recent punchouts</h2>
${view.recent.length === 0 ? html`<p class="muted">None yet.</p>` : recentTable(view.recent, view.outcomes)}
</section>`,
    view.acting,
  );
}

/** The requisition and purchase order numbers as links; before there is a requisition, the old order column. */
function outcomeCell(p: SandboxPunchout, o: PunchoutOutcome | undefined): Html | string {
  if (o?.requisition || o?.purchaseOrder) {
    return html`${o.requisition ? html`<a class="code" href="/sandbox/requisitions/${encodeURIComponent(o.requisition.id)}">${o.requisition.number}</a>` : ''}${
      o.requisition && o.purchaseOrder ? html`<br>` : ''
    }${o.purchaseOrder ? html`<a class="code" href="/sandbox/orders/${encodeURIComponent(o.purchaseOrder.id)}">${o.purchaseOrder.orderId}</a> ${orderBadge(o.purchaseOrder.status)}` : ''}`;
  }
  return p.orderStatus ? `${p.info.order?.orderID ?? ''} ${ORDER_LABEL[p.orderStatus] ?? p.orderStatus}` : '';
}

/** A purchase order's state as its own page shows it (`complete` comes from the routes). */
function orderBadge(status: string): Html {
  return status === 'complete' ? html`<span class="badge ok">Complete</span>` : html`<span class="badge status-${status}">${PO_LABEL[status] ?? status}</span>`;
}

const PO_LABEL: Record<string, string> = { open: 'Open', cancelled: 'Cancelled', rejected: 'Rejected by the supplier', failed: 'Not delivered' };

function recentTable(rows: readonly SandboxPunchout[], outcomes?: ReadonlyMap<string, PunchoutOutcome>): Html {
  return html`<table class="table">
<thead><tr><th>Started (UTC)</th><th>Protocol</th><th>Supplier</th><th>Status</th><th class="num">Lines</th><th class="num">Total</th><th>Requisition / order</th></tr></thead>
<tbody>
${rows.map(
  (p) => html`<tr>
<td class="nowrap"><a href="${punchoutPath(p.id)}">${p.createdAt.replace('T', ' ').slice(0, 19)}</a></td>
<td>${p.protocol === 'oci' ? 'OCI' : 'cXML'}</td>
<td class="code">${p.supplierUrl}</td>
<td>${badge(p.status)}</td>
<td class="num">${p.cartLines ? p.cartLines.length : ''}</td>
<td class="num">${p.cartTotal !== null ? `${p.cartTotal} ${p.currency ?? ''}` : ''}</td>
<td class="nowrap">${outcomeCell(p, outcomes?.get(p.id))}</td>
</tr>`,
)}
</tbody>
</table>`;
}

// ---- launching the shop -------------------------------------------------------------------------

/**
 * The auto-submitting OCI call. Outside a frame it replaces the sandbox page; inside the
 * sandbox's iframe it loads the shop into that frame.
 */
export function ociCallPage(p: SandboxPunchout, form: OciCallForm, acting?: ActingAs): Html {
  return sandboxPage(
    'Opening the supplier shop',
    html`<section class="card transfer">
<h1>Opening the supplier's shop…</h1>
<p>The sandbox sends your browser to <span class="code">${form.action}</span> with an OCI ${form.method} call. If nothing happens, press the button.</p>
<form id="oci-call" method="${form.method.toLowerCase()}" action="${form.action}">
${form.fields.map(([n, v]) => html`<input type="hidden" name="${n}" value="${v}">`)}
<button type="submit" class="button primary">Open the supplier shop</button>
</form>
<details><summary>Parameters sent</summary>
<table class="table"><tbody>${form.fields.map(([n, v]) => html`<tr><th class="code">${n}</th><td class="code">${n.toUpperCase() === 'PASSWORD' ? '***' : v}</td></tr>`)}</tbody></table>
</details>
<p class="muted"><a href="${punchoutPath(p.id)}" target="_top">Punchout details</a></p>
</section>
<script>document.getElementById('oci-call').submit();</script>`,
    acting,
  );
}

/** The procurement page with the supplier's shop framed in it, as SAP SRM shows catalogs. */
export function framedShopPage(p: SandboxPunchout, src: string, acting?: ActingAs): Html {
  return sandboxPage(
    'Supplier shop',
    html`<section class="card">
<h1>Supplier shop <span class="muted">(framed)</span></h1>
<p class="muted">The shop below runs inside an iframe of the sandbox page; the cart returns to <span class="code">${p.info.returnUrl}</span>. <a href="${punchoutPath(p.id)}">Punchout details</a></p>
</section>
<iframe name="shop" class="shop-frame" title="Supplier shop" src="${src}" style="width:100%;height:80vh;border:1px solid #ccc"></iframe>`,
    acting,
  );
}

/**
 * Where a cart lands when the shop posted it inside the frame: moves the whole window to the
 * punchout page (the frame shares the sandbox origin, so the top window may be navigated).
 */
export function topRedirectPage(p: SandboxPunchout, target = punchoutPath(p.id)): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Cart received · Koppel buyer sandbox</title>
<link rel="stylesheet" href="/assets/koppel.css">
</head>
<body class="area-sandbox">
<main>
<section class="card transfer">
<p>Cart received. <a href="${target}" target="_top">${target === punchoutPath(p.id) ? 'Show the punchout' : 'Show the requisition'}</a></p>
</section>
</main>
<script>window.top.location.href = ${jsString(target)};</script>
</body>
</html>`;
}

/** A JS string literal that cannot end the `<script>` element it sits in. */
function jsString(text: string): Html {
  return raw(JSON.stringify(text).replace(/</g, '\\u003c'));
}

// ---- the punchout page --------------------------------------------------------------------------

export interface PunchoutPageView {
  readonly punchout: SandboxPunchout;
  readonly acting?: ActingAs;
  /** A message at the top, e.g. why the order could not be built. */
  readonly notice?: { readonly kind: 'error' | 'warning' | 'ok' | 'info'; readonly text: string };
  /** The requisition made from the cart, when there is one. */
  readonly requisition?: { readonly id: string; readonly number: string; readonly status: string };
  /** Its purchase order, when one was placed. */
  readonly purchaseOrder?: { readonly id: string; readonly orderId: string; readonly status: string };
}

export function punchoutPage(view: PunchoutPageView): Html {
  const p = view.punchout;
  const s = p.info.settings;
  return sandboxPage(
    `Punchout ${shortId(p.id)}`,
    html`<section class="card">
<h1>Punchout ${shortId(p.id)} ${badge(p.status)}</h1>
${view.notice ? html`<div class="notice ${view.notice.kind}" role="${view.notice.kind === 'error' ? 'alert' : 'status'}"><p>${view.notice.text}</p></div>` : ''}
<dl class="kv">
<dt>Protocol</dt><dd>${p.protocol === 'oci' ? `SAP OCI (${s.ociMethod})` : `cXML ${s.cxmlVersion}`}</dd>
<dt>Supplier</dt><dd class="code">${p.supplierUrl}</dd>
<dt>Shop</dt><dd>${p.framed ? 'inside an iframe' : 'full window'}</dd>
<dt>Return URL</dt><dd class="code">${p.info.returnUrl}</dd>
${p.buyerCookie !== null ? html`<dt>BuyerCookie</dt><dd class="code">${p.buyerCookie}</dd>` : ''}
<dt>Started</dt><dd>${when(p.createdAt)} UTC</dd>
</dl>
${p.status === 'started' ? html`<p class="notice info">No cart has come back yet. ${reopenLink(p)}</p>` : ''}
</section>
${p.info.setup ? setupSection(p) : ''}
${cartSection(p)}
${orderSection(p, view)}
<p class="actions"><a class="button" href="${SANDBOX_HOME}">Start another punchout</a> <a href="${SANDBOX_HOME}?like=${p.id}">Start another punchout with these settings</a></p>`,
    view.acting,
  );
}

function reopenLink(p: SandboxPunchout): Html | string {
  if (p.protocol === 'oci') return html`<a href="${punchoutPath(p.id)}/shop">Open the supplier shop again</a>.`;
  if (p.info.setup?.startPageUrl && p.framed) return html`<a href="${punchoutPath(p.id)}/shop">Back to the framed shop</a> (a start page usually works only once).`;
  return '';
}

export function exchangeFacts(x: SupplierExchange): Html {
  return html`<dl class="kv">
<dt>payloadID</dt><dd class="code">${x.payloadID}</dd>
<dt>HTTP status</dt><dd>${x.httpStatus ?? 'no answer'}</dd>
${x.statusCode !== undefined ? html`<dt>cXML Status</dt><dd><strong>${x.statusCode}</strong> ${x.statusText ?? ''}${x.statusDetail ? html` — ${x.statusDetail}` : ''}</dd>` : ''}
${x.contentType ? html`<dt>Content-Type</dt><dd class="code">${x.contentType}</dd>` : ''}
</dl>
${x.error ? html`<div class="notice error" role="alert"><p>${x.error}</p></div>` : ''}`;
}

export function rawAnswer(x: SupplierExchange, open: boolean): Html | string {
  if (x.answer === undefined) return '';
  return html`<details${open ? html` open` : ''}><summary>The supplier's raw answer</summary><pre class="raw">${looksLikeXml(x.answer) ? prettyXml(x.answer) : x.answer}</pre></details>`;
}

export function looksLikeXml(text: string): boolean {
  return text.trimStart().startsWith('<?xml') || /^\s*<(cXML|!DOCTYPE)/i.test(text);
}

function setupSection(p: SandboxPunchout): Html {
  const setup = p.info.setup!;
  const failed = p.status === 'failed';
  return html`<section class="card">
<h2>PunchOutSetupRequest</h2>
${exchangeFacts(setup)}
${setup.startPageUrl ? html`<p>Start page (single use; the supplier refuses it once opened): <span class="code">${setup.startPageUrl}</span></p>` : ''}
${failed ? setupAdvice(p) : ''}
${rawAnswer(setup, failed)}
<details><summary>The request the sandbox sent (SharedSecret hidden)</summary><pre class="raw">${prettyXml(setup.requestXml)}</pre></details>
</section>`;
}

function setupAdvice(p: SandboxPunchout): Html {
  const s = p.info.settings;
  const code = p.info.setup?.statusCode;
  return html`<div class="notice warning"><p>What to check:</p><ul>
${p.info.setup?.httpStatus === undefined ? html`<li>Is the supplier's server running and is <span class="code">${s.cxmlUrl}</span> reachable from this Koppel's server (not just from your browser)?</li>` : ''}
${code === 401 || code === undefined ? html`<li>The credentials: From ${s.from.domain}/${s.from.identity}, To ${s.to.domain}/${s.to.identity}, Sender ${s.sender.domain}/${s.sender.identity} and the SharedSecret must match the supplier's connection.</li>` : ''}
<li>The URL: a supplier's cXML endpoint answers a POST of <span class="code">text/xml</span> with a cXML Response (HTTP 200), not with an HTML page or a redirect.</li>
<li>The supplier's log for the payloadID above.</li>
</ul></div>`;
}

function cartSection(p: SandboxPunchout): Html | string {
  if (p.cartRaw === null) return '';
  const lines = p.cartLines ?? [];
  const warnings = p.info.cartWarnings;
  return html`<section class="card">
<h2>Returned cart</h2>
${p.info.returns > 1 ? html`<p class="notice info">The supplier sent ${p.info.returns} carts for this punchout; the latest replaced the earlier ones.</p>` : ''}
${p.info.cookieMismatch ? html`<div class="notice error" role="alert"><p>The BuyerCookie in the cart is not the one the sandbox sent: sent <span class="code">${JSON.stringify(p.info.cookieMismatch.sent)}</span>, received <span class="code">${JSON.stringify(p.info.cookieMismatch.received)}</span>. A procurement system would not match this cart to the punchout; the supplier must echo the BuyerCookie byte for byte.</p></div>` : ''}
${p.status === 'cancelled' ? html`<p class="notice info">The cart is empty: the user returned without items (treated as a cancelled punchout).</p>` : ''}
${warnings.length > 0 ? html`<div class="notice warning"><p>Warnings:</p><ul>${warnings.map((w) => html`<li>${w}</li>`)}</ul></div>` : ''}
${lines.length > 0 ? cartTable(p) : ''}
<details><summary>Raw ${p.cartFormat === 'cxml' ? 'cXML document' : 'OCI form fields'}</summary><pre class="raw">${rawCart(p)}</pre></details>
</section>`;
}

function cartTable(p: SandboxPunchout): Html {
  const lines = p.cartLines ?? [];
  return html`<table class="table cart">
<thead><tr><th class="num">Line</th><th>Supplier part ID</th><th>Aux ID</th><th>Description</th><th class="num">Quantity</th><th>Unit</th><th class="num">Unit price</th><th class="num">Line total</th><th>Currency</th></tr></thead>
<tbody>
${lines.map(
  (l) => html`<tr>
<td class="num">${l.line}</td>
<td class="code">${l.supplierPartID}</td>
<td class="code">${l.auxID ?? ''}</td>
<td>${l.description}${l.classification ? html`<br><span class="muted">${l.classification}</span>` : ''}</td>
<td class="num">${l.quantity}</td>
<td>${l.unit}</td>
<td class="num">${l.unitPrice}${l.priceNote ? html`<br><span class="muted">${l.priceNote}</span>` : ''}</td>
<td class="num">${l.lineTotal}</td>
<td>${l.currency}</td>
</tr>`,
)}
</tbody>
<tfoot><tr><th colspan="7">Total</th><td class="num"><strong>${p.cartTotal ?? '—'}</strong></td><td>${p.currency ?? ''}</td></tr></tfoot>
</table>`;
}

function rawCart(p: SandboxPunchout): string {
  const raw = p.cartRaw ?? '';
  if (p.cartFormat === 'cxml') return prettyXml(raw);
  try {
    const pairs = JSON.parse(raw) as [string, string][];
    return pairs.map(([n, v]) => `${n}=${v}`).join('\n');
  } catch {
    return raw;
  }
}

function orderSection(p: SandboxPunchout, view: PunchoutPageView): Html | string {
  const r = view.requisition;
  const po = view.purchaseOrder;
  const hasCart = (p.cartLines ?? []).length > 0 && (p.status === 'returned' || p.status === 'ordered');
  if (!r && !po && !hasCart) return '';
  const s = p.info.settings;
  const submit = html`<form method="post" action="${punchoutPath(p.id)}/order">
<p class="muted">Submitting sends the requisition through approval; once approved, the purchase order goes to <span class="code">${s.cxmlUrl}</span> as ${s.from.domain}/${s.from.identity} (Sender ${s.sender.domain}/${s.sender.identity}).</p>
<button type="submit" class="button primary">Submit the requisition</button>
</form>`;
  return html`<section class="card" id="order">
<h2>Requisition and purchase order</h2>
<dl class="kv">
<dt>Requisition</dt><dd>${r ? html`<a href="/sandbox/requisitions/${encodeURIComponent(r.id)}">${r.number}</a> <span class="badge status-${r.status}">${r.status}</span>` : html`<span class="muted">none yet</span>`}</dd>
<dt>Purchase order</dt><dd>${po ? html`<a href="/sandbox/orders/${encodeURIComponent(po.id)}">${po.orderId}</a> ${orderBadge(po.status)}` : html`<span class="muted">none yet</span>`}</dd>
</dl>
${po ? html`<p class="muted">The OrderRequests sent, the supplier's confirmations, ship notices and invoices, goods receipts and the match are on the <a href="/sandbox/orders/${encodeURIComponent(po.id)}">purchase order page</a>.</p>` : ''}
${!po && (!r || r.status === 'draft') && hasCart ? submit : ''}
</section>`;
}

// ---- documents from the supplier ----------------------------------------------------------------

/** Where suppliers post documents: shown on the start page so it can be pasted into a supplier's settings. */
function documentUrlCard(url: string, unmatched: readonly SandboxDocument[]): Html {
  return html`<section class="card" id="document-endpoint">
<h2>Documents from suppliers</h2>
<p>Suppliers post order confirmations, ship notices and invoices for the sandbox's purchase orders to</p>
<p><code class="code document-url">${url}</code></p>
<p class="muted">Enter it as the buyer's document URL in the supplier's connection (in Koppel: the connection's cXML option "Document URL"). The supplier must send as the identity the order was addressed to (From = the order's To) with the SharedSecret the sandbox sent with the order.</p>
${
  unmatched.length > 0
    ? html`<h3>Recent documents that matched no order</h3>
<div class="table-wrap"><table class="table unmatched">
<thead><tr><th>Received (UTC)</th><th>Document</th><th>payloadID</th><th>Answer</th></tr></thead>
<tbody>${unmatched.map(
        (d) => html`<tr><td class="nowrap">${d.receivedAt.replace('T', ' ').slice(0, 19)}</td><td>${DOC_TITLE[d.docType] ?? d.docType}</td><td class="code">${d.payloadId ?? '—'}</td><td>${d.summary.answer.code} ${d.summary.answer.text}: ${d.summary.answer.detail}</td></tr>`,
      )}</tbody>
</table></div>`
    : ''
}
</section>`;
}

export const DOC_TITLE: Record<string, string> = {
  ConfirmationRequest: 'Order confirmation',
  ShipNoticeRequest: 'Ship notice',
  InvoiceDetailRequest: 'Invoice',
  unreadable: 'Unreadable document',
};

// ---- errors ---------------------------------------------------------------------------------------

export function unknownPunchoutPage(): Html {
  return errorPage(
    'Unknown punchout',
    'The sandbox has no punchout with this id (it may come from another Koppel, or the link was cut).',
    'Open the sandbox at /sandbox and start a new punchout; recent punchouts are listed there.',
  );
}
