/** The audit trail: who changed what, newest first. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { html } from '../html.js';
import type { AdminGuard } from './guard.js';
import { adminPage, sendAdmin } from './layout.js';

export async function registerAdminAudit(app: FastifyInstance, ctx: AppContext, guard: AdminGuard): Promise<void> {
  app.get('/admin/audit', { preHandler: guard.viewer }, async (request, reply) => {
    const rows = await ctx.db.selectFrom('admin_audit').selectAll().orderBy('created_at', 'desc').limit(200).execute();
    const body = html`<section class="card">
<h1>Audit trail</h1>
<p class="muted">The last 200 changes made in the admin and on the command line: accounts, connections, price lists, webhooks, API keys, and the documents sent from an order's page in the admin. Order documents made with <code>koppel orders</code> or the HTTP API are not listed here; every order records them, with who made them, in the history on its page under <a href="/admin/orders">Orders</a>.</p>
<div class="table-wrap"><table class="table">
<thead><tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Subject</th><th scope="col">Detail</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${r.created_at.replace('T', ' ').slice(0, 19)}</td><td>${r.username}</td><td><code class="token">${r.action}</code></td><td>${r.subject}</td><td>${r.detail}</td></tr>`)}</tbody>
</table></div>
</section>`;
    return sendAdmin(reply, adminPage(request, { title: 'Audit trail', section: 'audit' }, body));
  });
}
