/**
 * The onboarding sheet of a connection, for the buyer's administrator: a printable page
 * (`/admin/connections/:id/onboarding`) and the same facts as JSON (`…/onboarding.json`).
 * Neither ever carries a secret or its hash.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { onboardingSheet, type OnboardingEnvironment, type OnboardingSheet } from '../../app/onboarding.js';
import type { Identity } from '../../domain/connection.js';
import { html, type Html } from '../html.js';
import type { AdminGuard } from './guard.js';
import { adminPage, sendAdmin } from './layout.js';

export async function registerOnboardingRoutes(app: FastifyInstance, ctx: AppContext, guard: AdminGuard): Promise<void> {
  app.get<{ Params: { id: string } }>('/admin/connections/:id/onboarding', { preHandler: guard.viewer }, async (request, reply) => {
    const sheet = await onboardingSheet(ctx, request.params.id);
    if (!sheet) {
      const body = html`<section class="notice error" role="alert"><h1>No such connection</h1><p>There is no connection <code>${request.params.id}</code>.</p><p class="todo"><a href="/admin/connections">Back to the connections</a></p></section>`;
      return sendAdmin(reply, adminPage(request, { title: 'No such connection', section: 'connections' }, body), 404);
    }
    reply.header('Cache-Control', 'no-store');
    return sendAdmin(reply, adminPage(request, { title: `Onboarding sheet · ${sheet.buyerOrg}`, section: 'connections' }, sheetBody(sheet)));
  });

  app.get<{ Params: { id: string } }>('/admin/connections/:id/onboarding.json', { preHandler: guard.viewer }, async (request, reply) => {
    const sheet = await onboardingSheet(ctx, request.params.id);
    reply.header('Cache-Control', 'no-store');
    if (!sheet) return reply.code(404).type('application/json; charset=utf-8').send({ error: `There is no connection "${request.params.id}".` });
    return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(sheet, null, 2));
  });
}

function identities(list: readonly Identity[]): Html {
  if (list.length === 0) return html`<span class="muted">none configured</span>`;
  return html`${list.map((i, n) => html`${n > 0 ? html`<br>` : ''}domain <code>${i.domain}</code> identity <code>${i.identity}</code>`)}`;
}

function secretLine(e: OnboardingEnvironment, what: string): Html {
  return html`<dt>${what}</dt><dd>${e.secret === 'set' ? html`<span class="badge ok">set</span>` : html`<span class="badge error">not set</span>`} <span class="muted">handed over separately, never written here</span></dd>`;
}

function returnUrls(e: OnboardingEnvironment): Html {
  if (e.returnUrls.anyHttp) return html`any <code>http://</code> or <code>https://</code> URL`;
  if (e.returnUrls.prefixes.length === 0) return html`<span class="badge error">none allowed yet</span> <span class="muted">tell the supplier your return URL</span>`;
  return html`URLs starting with ${e.returnUrls.prefixes.map((p, n) => html`${n > 0 ? ', ' : ''}<code>${p}</code>`)}`;
}

function ociSection(e: OnboardingEnvironment): Html {
  const o = e.oci!;
  return html`<dl class="kv">
<dt>Catalog URL</dt><dd><code>${o.catalogUrl}</code></dd>
<dt>Method</dt><dd>GET or POST (SAP's default is POST)</dd>
<dt>OCI version</dt><dd>${o.ociVersion}; the cart comes back in ${o.charset}</dd>
${secretLine(e, 'Password')}
<dt>Allowed return URLs</dt><dd>${returnUrls(e)}${o.sapEventAllowed ? html`; <code>SAPEVENT:</code> (SAP GUI) too` : ''}</dd>
${e.ipAllowList.length ? html`<dt>Calls accepted from</dt><dd>${e.ipAllowList.map((ip, n) => html`${n > 0 ? ', ' : ''}<code>${ip}</code>`)}</dd>` : ''}
</dl>
<h4>Call structure parameters</h4>
<div class="table-wrap"><table class="table">
<thead><tr><th scope="col">Parameter</th><th scope="col">Type</th><th scope="col">Value</th><th scope="col">Note</th></tr></thead>
<tbody>${o.parameters.map(
    (p) => html`<tr><td><code>${p.name}</code></td><td>${p.kind}</td><td>${p.value !== undefined ? html`<code>${p.value}</code>` : p.kind === 'return URL' ? html`<span class="muted">at runtime</span>` : html`<span class="muted">–</span>`}</td><td>${p.note}</td></tr>`,
  )}</tbody>
</table></div>
<p class="small muted">Catalog-specific parameters go before the return URL parameter, the SAP-internal ones (<code>~OkCode</code>, <code>~TARGET</code>, <code>~CALLER</code>) after it.</p>`;
}

function cxmlSection(e: OnboardingEnvironment): Html {
  const x = e.cxml!;
  return html`<dl class="kv">
<dt>Endpoint</dt><dd><code>${x.endpointUrl}</code> (HTTP POST, <code>Content-Type: text/xml</code>)</dd>
<dt>Transactions</dt><dd><ul class="plain">${x.transactions.map((t) => html`<li><strong>${t.name}</strong> → <code>${t.url}</code><br><span class="small muted">${t.note}</span></li>`)}</ul></dd>
<dt>From (your organisation)</dt><dd>${identities(x.identities.from)}</dd>
<dt>To (this supplier)</dt><dd>${identities(x.identities.to)}</dd>
<dt>Sender</dt><dd>${identities(x.identities.sender)}</dd>
${secretLine(e, 'SharedSecret')}
<dt>cXML version</dt><dd>writes <code>${x.versions.writes}</code>; reads ${x.versions.reads}</dd>
<dt>Cart form field</dt><dd><code>${x.cartFormField.configured}</code> <span class="muted">(not <code>${x.cartFormField.notUsed}</code>)</span></dd>
<dt>StartPage</dt><dd>single use, valid for ${x.startPageSingleUseSeconds} seconds after the setup answer</dd>
<dt>Cart target frame</dt><dd>the <code>ReturnFrame</code> extrinsic when sent, else <code>${x.defaultReturnTarget}</code></dd>
<dt>Allowed BrowserFormPost URLs</dt><dd>${returnUrls(e)}</dd>
${e.ipAllowList.length ? html`<dt>Calls accepted from</dt><dd>${e.ipAllowList.map((ip, n) => html`${n > 0 ? ', ' : ''}<code>${ip}</code>`)}</dd>` : ''}
</dl>`;
}

function environmentSection(e: OnboardingEnvironment): Html {
  return html`<section class="card onboarding-env">
<h2>${e.environment === 'test' ? 'Test' : 'Production'}: ${e.name} ${e.environment === 'test' ? html`<span class="badge warn">test</span>` : html`<span class="badge">production</span>`}${e.enabled ? '' : html` <span class="badge muted">disabled</span>`}</h2>
<p class="muted small">${e.protocol === 'oci' ? 'SAP OCI' : 'cXML'} · connection <code>${e.id}</code>${e.current ? '' : ' · the same buyer’s other environment'}</p>
${e.protocol === 'oci' ? ociSection(e) : cxmlSection(e)}
</section>`;
}

function sheetBody(s: OnboardingSheet): Html {
  const generated = s.generatedAt.replace('T', ' ').slice(0, 16);
  return html`<div class="onboarding">
<p class="breadcrumbs no-print"><a href="/admin/connections">Connections</a> › <a href="/admin/connections/${encodeURIComponent(s.connectionId)}">${s.connectionId}</a> › Onboarding sheet</p>
<section class="card">
<h1>Onboarding sheet: ${s.buyerOrg}</h1>
<p>For the buyer’s administrator: what to enter in your procurement system to connect to this supplier, and how to test it. Supplier: <code>${s.supplierBaseUrl}</code>. Made ${generated} UTC.</p>
<p class="no-print small"><a href="/admin/connections/${encodeURIComponent(s.connectionId)}/onboarding.json">Same facts as JSON</a> · print with your browser (Ctrl+P / ⌘P); navigation and buttons are left out.</p>
</section>
${s.environments.map(environmentSection)}
<section class="card">
<h2>Secrets</h2>
<p>${s.secretHandover}</p>
</section>
${s.testScripts.map(
  (t) => html`<section class="card onboarding-test">
<h2>Test script (${t.protocol === 'oci' ? 'SAP OCI' : 'cXML'})</h2>
<ol class="test-steps">${t.steps.map((step) => html`<li><span>${step.action}</span><br><span class="expect">Expect: ${step.expect}</span></li>`)}</ol>
</section>`,
)}
</div>`;
}
