/**
 * Pages of the document log: the filtered list and one document with its body, its pair, its
 * order, and the replay / resend actions (or why there is none).
 */
import { html, type Html } from '../html.js';
import type { DocumentRow } from '../../app/document-replay.js';

export interface DocumentFilters {
  connection?: string;
  type?: string;
  direction?: 'in' | 'out';
  status?: string;
  protocol?: 'oci' | 'cxml';
  from?: string;
  to?: string;
  session?: string;
  order?: string;
}

/** `-` in the connection filter: documents no connection was identified for. */
export const NO_CONNECTION = '-';

export type ListRow = Omit<DocumentRow, 'body'>;

export interface ListView {
  filters: DocumentFilters;
  problems: string[];
  rows: ListRow[];
  connections: { id: string; name: string }[];
  types: string[];
  statuses: string[];
  /** Query strings (without `?`) of the neighbouring pages, when there are some. */
  newer?: string;
  older?: string;
  newest?: string;
  pageSize: number;
}

export function when(isoText: string): string {
  return isoText.replace('T', ' ').slice(0, 19);
}

/** 2xx green, 4xx red, 5xx amber; words (sent, cancel, failed) by meaning. */
export function statusBadge(status: string): Html {
  const code = /^\d{3}$/.test(status) ? Number(status) : undefined;
  let kind = '';
  if (code !== undefined) kind = code < 300 ? 'ok' : code < 500 ? 'error' : 'warn';
  else if (status === 'failed') kind = 'error';
  else if (status === 'cancel') kind = 'muted';
  return html`<span class="badge${kind ? ` ${kind}` : ''}">${status}</span>`;
}

export function directionLabel(direction: string): Html {
  return direction === 'in'
    ? html`<span class="doc-dir in" title="inbound: from the buyer to Koppel"><span aria-hidden="true">→</span> in</span>`
    : html`<span class="doc-dir out" title="outbound: from Koppel to the buyer"><span aria-hidden="true">←</span> out</span>`;
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function connectionCell(id: string | null, names: Map<string, string>): Html {
  if (!id) return html`<span class="muted">none</span>`;
  return html`<a href="/admin/connections/${encodeURIComponent(id)}" title="${names.get(id) ?? 'no longer exists'}">${id}</a>`;
}

function select(name: string, label: string, current: string | undefined, options: readonly { value: string; label: string }[]): Html {
  return html`<label class="field"><span>${label}</span><select name="${name}">
<option value="">any</option>
${options.map((o) => html`<option value="${o.value}"${o.value === current ? ' selected' : ''}>${o.label}</option>`)}
</select></label>`;
}

export function documentListBody(v: ListView): Html {
  const f = v.filters;
  const names = new Map(v.connections.map((c) => [c.id, c.name]));
  const filtered = Object.values(f).some((x) => x !== undefined && x !== '');
  const form = html`<form method="get" action="/admin/documents" class="doc-filters" aria-label="Filter documents">
<div class="form-row">
${select('connection', 'Connection', f.connection, [...v.connections.map((c) => ({ value: c.id, label: `${c.name} (${c.id})` })), { value: NO_CONNECTION, label: '(no connection identified)' }])}
${select('type', 'Document type', f.type, v.types.map((t) => ({ value: t, label: t })))}
${select('direction', 'Direction', f.direction, [
  { value: 'in', label: 'in (buyer → Koppel)' },
  { value: 'out', label: 'out (Koppel → buyer)' },
])}
${select('protocol', 'Protocol', f.protocol, [
  { value: 'cxml', label: 'cXML' },
  { value: 'oci', label: 'OCI' },
])}
${select('status', 'Status', f.status, v.statuses.map((s) => ({ value: s, label: s })))}
</div>
<div class="form-row">
<label class="field"><span>From (UTC)</span><input type="date" name="from" value="${f.from ?? ''}"></label>
<label class="field"><span>To (UTC, inclusive)</span><input type="date" name="to" value="${f.to ?? ''}"></label>
<label class="field"><span>Punchout session</span><input name="session" value="${f.session ?? ''}" spellcheck="false" autocomplete="off"></label>
${f.order ? html`<input type="hidden" name="order" value="${f.order}">` : ''}
<div class="actions"><button type="submit" class="button">Filter</button>${filtered ? html` <a href="/admin/documents">Clear filters</a>` : ''}</div>
</div>
</form>`;
  const problems = v.problems.length ? html`<div class="notice warn" role="status"><p>Some filters were ignored:</p><ul>${v.problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : '';
  const table = v.rows.length
    ? html`<div class="table-wrap"><table class="table doc-log">
<thead><tr><th scope="col">Time (UTC)</th><th scope="col">Dir.</th><th scope="col">Protocol</th><th scope="col">Type</th><th scope="col">Connection</th><th scope="col">Status</th><th scope="col">Detail</th><th scope="col">payloadID</th></tr></thead>
<tbody>${v.rows.map(
        (r) => html`<tr>
<td class="nowrap"><a href="/admin/documents/${encodeURIComponent(r.id)}" aria-label="Document ${r.doc_type} of ${when(r.created_at)}">${when(r.created_at)}</a></td>
<td class="nowrap">${directionLabel(r.direction)}</td>
<td>${r.protocol === 'cxml' ? 'cXML' : 'OCI'}</td>
<td><a href="/admin/documents/${encodeURIComponent(r.id)}">${r.doc_type}</a></td>
<td>${connectionCell(r.connection_id, names)}</td>
<td>${statusBadge(r.status)}</td>
<td class="doc-detail"${r.detail.length > 140 ? html` title="${r.detail}"` : ''}>${shorten(r.detail, 140)}</td>
<td>${r.payload_id ? html`<code class="token" title="${r.payload_id}">${shorten(r.payload_id, 20)}</code>` : html`<span class="muted">–</span>`}</td>
</tr>`,
      )}</tbody>
</table></div>`
    : html`<p class="empty">${filtered ? 'No document matches these filters.' : 'No documents yet. Every punchout, cart and order will show up here.'}</p>`;
  const pager =
    v.newer || v.older
      ? html`<nav class="pagination" aria-label="Pages">
${v.newest ? html`<a href="/admin/documents?${v.newest}">Newest</a>` : ''}
${v.newer ? html`<a href="/admin/documents?${v.newer}" rel="prev">← Newer</a>` : html`<span class="muted">← Newer</span>`}
${v.older ? html`<a href="/admin/documents?${v.older}" rel="next">Older →</a>` : html`<span class="muted">Older →</span>`}
</nav>`
      : '';
  return html`<section class="card">
<h1>Document log</h1>
<p class="muted">Every cXML document, OCI call and OCI cart, newest first, ${v.pageSize} to a page. Secrets are redacted before anything is stored.</p>
${form}
${problems}
</section>
${table}
${pager}`;
}

export interface OrderView {
  order: { order_id: string; order_type: string; order_version: number | null; order_date: string; total: string; currency: string; status: string; deployment_mode: string; received_at: string };
  lines: { line_number: number; supplier_part_id: string; aux_id: string | null; description: string; quantity: string; unit: string; unit_price: string; currency: string }[];
}

export interface ReplayView {
  possible: boolean;
  /** Why not, or what a replay will do. */
  text: string;
  warning?: string;
}

export interface DetailView {
  doc: DocumentRow;
  connectionName?: string;
  /** The body as it is shown: pretty-printed, redacted again. */
  shownBody: string;
  bodyNote?: string;
  pair?: { doc: DocumentRow; role: 'answer' | 'request' };
  order?: OrderView;
  orderMissing?: boolean;
  replay?: ReplayView;
  resend?: { possible: boolean; text: string };
  canAct: boolean;
  csrf: Html;
  notice?: { kind: 'ok' | 'error' | 'warn'; text: string; link?: { href: string; label: string } };
  /** The document this one replays / resends, from its logged note. */
  origin?: { id: string; what: 'replay' | 'resend' };
}

function docLink(d: Pick<DocumentRow, 'id' | 'doc_type' | 'created_at' | 'status'>): Html {
  return html`<a href="/admin/documents/${encodeURIComponent(d.id)}">${d.doc_type}</a> <span class="muted">${when(d.created_at)}</span> ${statusBadge(d.status)}`;
}

export function documentDetailBody(v: DetailView): Html {
  const d = v.doc;
  const notice = v.notice
    ? html`<div class="notice ${v.notice.kind}" role="${v.notice.kind === 'error' ? 'alert' : 'status'}"><p>${v.notice.text}${v.notice.link ? html` <a href="${v.notice.link.href}">${v.notice.link.label}</a>` : ''}</p></div>`
    : '';
  const connection = d.connection_id
    ? html`<a href="/admin/connections/${encodeURIComponent(d.connection_id)}">${v.connectionName ?? d.connection_id}</a> <code>${d.connection_id}</code> · <a href="/admin/connections/${encodeURIComponent(d.connection_id)}/onboarding">onboarding sheet</a> · <a href="/admin/documents?connection=${encodeURIComponent(d.connection_id)}">its documents</a>`
    : html`<span class="muted">none identified</span>`;
  const meta = html`<dl class="kv">
<dt>Time (UTC)</dt><dd>${when(d.created_at)}</dd>
<dt>Direction</dt><dd>${directionLabel(d.direction)}</dd>
<dt>Protocol</dt><dd>${d.protocol === 'cxml' ? 'cXML' : 'OCI'}</dd>
<dt>Type</dt><dd>${d.doc_type}</dd>
<dt>Status</dt><dd>${statusBadge(d.status)}</dd>
<dt>Detail</dt><dd>${d.detail || html`<span class="muted">–</span>`}</dd>
<dt>payloadID</dt><dd>${d.payload_id ? html`<code>${d.payload_id}</code>` : html`<span class="muted">–</span>`}</dd>
<dt>Connection</dt><dd>${connection}</dd>
<dt>Punchout session</dt><dd>${d.session_id ? html`<a href="/admin/documents?session=${encodeURIComponent(d.session_id)}">all documents of this session</a>` : html`<span class="muted">–</span>`}</dd>
<dt>Order</dt><dd>${d.order_id ? (v.order ? html`<a href="#order">PO ${v.order.order.order_id}</a> · <a href="/admin/documents?order=${encodeURIComponent(d.order_id)}">its documents</a>` : html`<span class="muted">stored order ${d.order_id} not found</span>`) : html`<span class="muted">–</span>`}</dd>
<dt>Content type</dt><dd><code>${d.content_type}</code>, ${d.body.length} characters</dd>
<dt>Log id</dt><dd><code>${d.id}</code> (#${d.seq})</dd>
${v.origin ? html`<dt>${v.origin.what === 'replay' ? 'Replay of' : 'Resend of'}</dt><dd><a href="/admin/documents/${encodeURIComponent(v.origin.id)}">${v.origin.id}</a></dd>` : ''}
</dl>`;
  const pair = v.pair
    ? html`<p class="doc-pair">${v.pair.role === 'answer' ? 'Answer to this request: ' : 'The request this answers: '}${directionLabel(v.pair.doc.direction)} ${docLink(v.pair.doc)}</p>`
    : d.protocol === 'cxml' && (d.direction === 'in' || d.detail.includes('answer to'))
      ? html`<p class="doc-pair muted">No ${d.direction === 'in' ? 'answer' : 'request'} logged for this document.</p>`
      : '';
  const order = v.order
    ? html`<section class="card" id="order">
<h2>Order PO ${v.order.order.order_id}</h2>
<dl class="kv">
<dt>Type</dt><dd>${v.order.order.order_type}${v.order.order.order_version !== null ? ` (version ${v.order.order.order_version})` : ''}</dd>
<dt>Order date</dt><dd>${v.order.order.order_date}</dd>
<dt>Total</dt><dd class="price">${v.order.order.total} ${v.order.order.currency}</dd>
<dt>Status</dt><dd>${v.order.order.status}${v.order.order.deployment_mode === 'test' ? html` <span class="badge warn">test</span>` : ''}</dd>
<dt>Received (UTC)</dt><dd>${when(v.order.order.received_at)}</dd>
</dl>
<div class="table-wrap"><table class="table">
<thead><tr><th scope="col" class="num">Line</th><th scope="col">Part</th><th scope="col">Aux ID</th><th scope="col">Description</th><th scope="col" class="num">Quantity</th><th scope="col">Unit</th><th scope="col" class="num">Unit price</th></tr></thead>
<tbody>${v.order.lines.map(
        (l) => html`<tr><td class="num">${l.line_number}</td><td><code>${l.supplier_part_id}</code></td><td>${l.aux_id ? html`<code>${l.aux_id}</code>` : ''}</td><td>${l.description}</td><td class="num">${l.quantity}</td><td>${l.unit}</td><td class="num price">${l.unit_price} ${l.currency}</td></tr>`,
      )}</tbody>
</table></div>
</section>`
    : '';
  const replay = v.replay
    ? html`<section class="card doc-action" id="replay">
<h2>Replay</h2>
${v.replay.possible
  ? html`<p>${v.replay.text}</p>
${v.replay.warning ? html`<p class="notice warn">${v.replay.warning}</p>` : ''}
${v.canAct
  ? html`<form method="post" action="/admin/documents/${encodeURIComponent(d.id)}/replay" class="actions">${v.csrf}<button type="submit" class="button">Replay this ${d.doc_type}</button></form>`
  : html`<p class="muted">Only administrators can replay documents.</p>`}`
  : html`<p class="muted">${v.replay.text}</p>`}
</section>`
    : '';
  const resend = v.resend
    ? html`<section class="card doc-action" id="resend">
<h2>Resend</h2>
${v.resend.possible
  ? html`<p>${v.resend.text}</p>
${v.canAct
  ? html`<form method="post" action="/admin/documents/${encodeURIComponent(d.id)}/resend" class="actions">${v.csrf}<button type="submit" class="button">Resend this ${d.doc_type}</button></form>`
  : html`<p class="muted">Only administrators can resend documents.</p>`}`
  : html`<p class="muted">${v.resend.text}</p>`}
</section>`
    : '';
  return html`<p class="breadcrumbs"><a href="/admin/documents">Document log</a> › ${d.doc_type}</p>
${notice}
<section class="card">
<h1>${d.doc_type} ${statusBadge(d.status)}</h1>
${meta}
${pair}
</section>
${order}
<section class="card">
<h2>Body</h2>
<p class="muted small">As stored, with secrets redacted${d.content_type.includes('xml') ? '; indented for reading (entities are shown as sent, never expanded)' : ''}.${v.bodyNote ? ` ${v.bodyNote}` : ''}</p>
<pre class="doc-body"><code>${v.shownBody}</code></pre>
</section>
${replay}
${resend}`;
}
