/** The admin's page frame: navigation, the signed-in user, and a logout form with its CSRF token. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type Html } from '../html.js';
import { page } from '../views/layout.js';
import { csrfField } from './guard.js';

/** Sections of the admin navigation; route modules add theirs here. */
export const ADMIN_SECTIONS: readonly { key: string; label: string; href: string }[] = [
  { key: 'connections', label: 'Connections', href: '/admin/connections' },
  { key: 'price-lists', label: 'Price lists', href: '/admin/price-lists' },
  { key: 'orders', label: 'Orders', href: '/admin/orders' },
  { key: 'documents', label: 'Document log', href: '/admin/documents' },
  { key: 'webhooks', label: 'Webhooks', href: '/admin/webhooks' },
  { key: 'api-keys', label: 'API keys', href: '/admin/api-keys' },
  { key: 'audit', label: 'Audit trail', href: '/admin/audit' },
];

export function adminPage(request: FastifyRequest, options: { title: string; section?: string }, body: Html): Html {
  const session = request.adminSession;
  const nav = html`<nav class="admin-nav" aria-label="Admin">${ADMIN_SECTIONS.map(
    (s) => html`<a href="${s.href}"${s.key === options.section ? html` aria-current="page"` : ''}>${s.label}</a>`,
  )}</nav>`;
  const right = session
    ? html`<span class="muted">${session.user.username} · ${session.user.role}</span>
<form method="post" action="/admin/logout" class="inline">${csrfField(request)}<button type="submit" class="button secondary">Log out</button></form>`
    : html``;
  return page({ title: options.title, area: 'admin', headerRight: right }, html`${session ? nav : ''}${body}`);
}

/** Sends an admin page with the headers every admin answer carries. */
export function sendAdmin(reply: FastifyReply, body: Html, code = 200): FastifyReply {
  return reply.code(code).type('text/html; charset=utf-8').send(body.toString());
}
