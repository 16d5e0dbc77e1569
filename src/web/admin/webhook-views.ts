/** Admin pages for shop webhooks and HTTP API keys: lists, forms, secrets shown once, deliveries. */
import type { FastifyRequest } from 'fastify';
import type { ApiKey } from '../../app/api-keys.js';
import { WEBHOOK_EVENTS, WEBHOOK_SIGNATURE_HEADER, type Webhook } from '../../app/webhooks.js';
import { html, type Html } from '../html.js';
import { csrfField } from './guard.js';
import { adminPage } from './layout.js';

function notice(text: string | undefined): Html | string {
  return text ? html`<p class="notice ok" role="status">${text}</p>` : '';
}

function problemBox(title: string, problems: readonly string[]): Html | string {
  return problems.length
    ? html`<div class="notice error" role="alert" id="form-problems"><p><strong>${title}</strong></p><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul></div>`
    : '';
}

function time(t: string | null | undefined): string {
  return t ? `${t.replace('T', ' ').slice(0, 19)} UTC` : '—';
}

export interface WebhookFormValues {
  readonly url: string;
  readonly events: readonly string[];
  readonly description: string;
  readonly enabled: boolean;
}

function webhookFields(v: WebhookFormValues, problems: readonly string[]): Html {
  const invalid = (field: string) => (problems.some((p) => p.startsWith(`${field}:`)) ? html` aria-invalid="true" aria-describedby="form-problems"` : '');
  return html`<label class="field"><span>URL (where Koppel posts the events)</span><input name="url" type="url" required maxlength="2048" value="${v.url}" placeholder="https://shop.example/koppel/events"${invalid('url')}></label>
<fieldset class="field"${invalid('events')}><legend>Events</legend>
${WEBHOOK_EVENTS.map((e) => html`<label class="check"><input type="checkbox" name="events" value="${e}"${v.events.includes(e) ? html` checked` : ''}> <code>${e}</code></label>`)}
</fieldset>
<label class="field"><span>Description (optional)</span><input name="description" maxlength="200" value="${v.description}"${invalid('description')}></label>
<label class="check"><input type="checkbox" name="enabled" value="1"${v.enabled ? html` checked` : ''}> Enabled (events are queued for this webhook)</label>`;
}

export interface WebhooksView {
  readonly hooks: readonly Webhook[];
  readonly canEdit: boolean;
  readonly notice?: string;
  readonly problems?: readonly string[];
  readonly values?: WebhookFormValues;
}

export function webhooksPage(request: FastifyRequest, v: WebhooksView): Html {
  const problems = v.problems ?? [];
  const table = v.hooks.length
    ? html`<div class="table-wrap"><table class="table">
<thead><tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">State</th><th scope="col">Description</th><th scope="col">Created</th></tr></thead>
<tbody>${v.hooks.map(
        (h) => html`<tr><td><a href="/admin/webhooks/${h.id}">${h.url}</a></td><td>${h.events.join(', ')}</td><td>${h.enabled ? 'enabled' : 'disabled'}</td><td>${h.description}</td><td>${time(h.createdAt)}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="muted">No webhooks yet. A shop that processes orders itself subscribes here to order events.</p>`;
  const create = v.canEdit
    ? html`<section class="card">
<h2>New webhook</h2>
${problemBox('The webhook was not created:', problems)}
<form method="post" action="/admin/webhooks">
${csrfField(request)}
${webhookFields(v.values ?? { url: '', events: [...WEBHOOK_EVENTS], description: '', enabled: true }, problems)}
<div class="actions"><button type="submit" class="button">Create webhook</button></div>
</form>
<p class="hint">Koppel generates a signing secret and shows it once. Every delivery carries <code>${WEBHOOK_SIGNATURE_HEADER}</code>; see docs/webhooks.md for how to verify it.</p>
</section>`
    : '';
  return adminPage(
    request,
    { title: 'Webhooks', section: 'webhooks' },
    html`<section class="card"><h1>Webhooks</h1>${notice(v.notice)}${table}</section>${create}`,
  );
}

export interface Delivery {
  readonly id: string;
  readonly doc_type: string;
  readonly order_id: string | null;
  readonly status: string;
  readonly attempts: number;
  readonly last_http_status: number | null;
  readonly last_error: string | null;
  readonly last_attempt_at: string | null;
  readonly next_attempt_at: string;
  readonly delivered_at: string | null;
  readonly created_at: string;
}

export interface WebhookView {
  readonly hook: Webhook;
  readonly deliveries: readonly Delivery[];
  /** The buyer's orderID for Koppel's order ids in the deliveries, where the order still exists. */
  readonly orderIds?: ReadonlyMap<string, string>;
  readonly canEdit: boolean;
  readonly notice?: string;
  readonly problems?: readonly string[];
  readonly values?: WebhookFormValues;
}

/** Koppel's order id links to the order; the buyer's orderID is what people recognise. */
function orderCell(id: string | null, orderIds: ReadonlyMap<string, string> | undefined): Html | string {
  if (!id) return '—';
  const buyerId = orderIds?.get(id);
  return html`<a class="nowrap" href="/admin/orders/${encodeURIComponent(id)}">${buyerId ?? id}</a>${buyerId ? html`<br><span class="muted code token">${id}</span>` : ''}`;
}

export function webhookPage(request: FastifyRequest, v: WebhookView): Html {
  const { hook } = v;
  const problems = v.problems ?? [];
  const deliveries = v.deliveries.length
    ? html`<div class="table-wrap"><table class="table">
<thead><tr><th scope="col">Queued</th><th scope="col">Event</th><th scope="col">Order</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col">Last answer</th><th scope="col">Delivery id</th></tr></thead>
<tbody>${v.deliveries.map(
        (d) => html`<tr><td class="nowrap">${time(d.created_at)}</td><td><code class="token">${d.doc_type}</code></td><td>${orderCell(d.order_id, v.orderIds)}</td>
<td>${d.status}${d.status === 'pending' && Number(d.attempts) > 0 ? html`<br><span class="muted">next ${time(d.next_attempt_at)}</span>` : ''}${d.delivered_at ? html`<br><span class="muted">${time(d.delivered_at)}</span>` : ''}</td>
<td class="num">${Number(d.attempts)}</td><td>${d.last_http_status !== null ? `HTTP ${d.last_http_status}` : ''}${d.last_error ? html`<br><span class="muted">${d.last_error}</span>` : ''}</td><td class="code token">${d.id}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="muted">Nothing was queued for this webhook yet.</p>`;
  const edit = v.canEdit
    ? html`<section class="card">
<h2>Edit</h2>
${problemBox('Nothing was saved:', problems)}
<form method="post" action="/admin/webhooks/${hook.id}">
${csrfField(request)}
${webhookFields(v.values ?? { url: hook.url, events: hook.events, description: hook.description, enabled: hook.enabled }, problems)}
<div class="actions"><button type="submit" class="button">Save</button></div>
</form>
</section>
<section class="card">
<h2>Signing secret</h2>
<p>The secret is stored sealed and cannot be shown again. A new one takes effect for every delivery sent from now on, also retries of events already queued.</p>
<form method="post" action="/admin/webhooks/${hook.id}/rotate">${csrfField(request)}<div class="actions"><button type="submit" class="button secondary">Rotate secret</button></div></form>
</section>
<section class="card">
<h2>Delete</h2>
<p>Deliveries still queued for this webhook are failed instead of sent.</p>
<form method="post" action="/admin/webhooks/${hook.id}/delete">${csrfField(request)}<div class="actions"><button type="submit" class="button danger">Delete webhook</button></div></form>
</section>`
    : '';
  return adminPage(
    request,
    { title: `Webhook ${hook.url}`, section: 'webhooks' },
    html`<p><a href="/admin/webhooks">← All webhooks</a></p>
<section class="card">
<h1>Webhook</h1>
${notice(v.notice)}
<dl class="kv">
<dt>URL</dt><dd>${hook.url}</dd>
<dt>Events</dt><dd>${hook.events.join(', ')}</dd>
<dt>State</dt><dd>${hook.enabled ? 'enabled' : 'disabled'}</dd>
<dt>Description</dt><dd>${hook.description || '—'}</dd>
<dt>Id</dt><dd class="code">${hook.id}</dd>
</dl>
</section>
<section class="card"><h2>Recent deliveries</h2>${deliveries}</section>
${edit}`,
  );
}

/** The secret, once: after creation or rotation. */
export function webhookSecretPage(request: FastifyRequest, hook: Webhook, secret: string, reason: 'created' | 'rotated'): Html {
  return adminPage(
    request,
    { title: 'Webhook secret', section: 'webhooks' },
    html`<section class="card">
<h1>${reason === 'created' ? 'Webhook created' : 'New signing secret'}</h1>
<div class="notice warn" role="alert"><p><strong>Copy it now; it will not be shown again.</strong> Put it in the shop's configuration to verify the <code>${WEBHOOK_SIGNATURE_HEADER}</code> header.</p></div>
<p class="secret-label">Signing secret for ${hook.url}</p>
<p class="secret-value" aria-label="Signing secret">${secret}</p>
<div class="actions"><a class="button" href="/admin/webhooks/${hook.id}">Go to the webhook</a></div>
</section>`,
  );
}

export interface ApiKeysView {
  readonly keys: readonly ApiKey[];
  readonly canEdit: boolean;
  readonly notice?: string;
  readonly problems?: readonly string[];
  readonly values?: { readonly name: string; readonly role: string };
}

export function apiKeysPage(request: FastifyRequest, v: ApiKeysView): Html {
  const problems = v.problems ?? [];
  const table = v.keys.length
    ? html`<div class="table-wrap"><table class="table">
<thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">State</th>${v.canEdit ? html`<th scope="col"><span class="visually-hidden">Action</span></th>` : ''}</tr></thead>
<tbody>${v.keys.map(
        (k) => html`<tr><td>${k.name}<br><span class="muted code">${k.id}</span></td><td>${k.role}</td><td>${time(k.createdAt)}</td><td>${time(k.lastUsedAt)}</td><td>${k.revokedAt ? `revoked ${time(k.revokedAt)}` : 'active'}</td>
${v.canEdit ? html`<td>${k.revokedAt ? '' : html`<form method="post" action="/admin/api-keys/${k.id}/revoke" class="inline">${csrfField(request)}<button type="submit" class="button danger">Revoke</button></form>`}</td>` : ''}</tr>`,
      )}</tbody></table></div>`
    : html`<p class="muted">No API keys yet.</p>`;
  const values = v.values ?? { name: '', role: 'viewer' };
  const create = v.canEdit
    ? html`<section class="card">
<h2>New API key</h2>
${problemBox('The key was not created:', problems)}
<form method="post" action="/admin/api-keys" class="form-row">
${csrfField(request)}
<label class="field"><span>Name (who or what uses it)</span><input name="name" required maxlength="100" value="${values.name}"></label>
<label class="field"><span>Role</span><select name="role">
<option value="viewer"${values.role === 'viewer' ? html` selected` : ''}>viewer (reads orders)</option>
<option value="admin"${values.role === 'admin' ? html` selected` : ''}>admin (also creates documents)</option>
</select></label>
<button type="submit" class="button">Create key</button>
</form>
<p class="hint">The key is shown once; Koppel keeps only its SHA-256. Send it as <code>Authorization: Bearer &lt;key&gt;</code> to <code>/api/v1</code> (docs/api.md).</p>
</section>`
    : '';
  return adminPage(request, { title: 'API keys', section: 'api-keys' }, html`<section class="card"><h1>API keys</h1>${notice(v.notice)}${table}</section>${create}`);
}

export function apiKeyOncePage(request: FastifyRequest, key: ApiKey, secret: string): Html {
  return adminPage(
    request,
    { title: 'API key created', section: 'api-keys' },
    html`<section class="card">
<h1>API key "${key.name}" created (${key.role})</h1>
<div class="notice warn" role="alert"><p><strong>Copy it now; it will not be shown again.</strong> Koppel keeps only a hash of it. If it gets lost, revoke it and create a new one.</p></div>
<p class="secret-label">API key</p>
<p class="secret-value" aria-label="API key">${secret}</p>
<div class="actions"><a class="button" href="/admin/api-keys">Back to the API keys</a></div>
</section>`,
  );
}
