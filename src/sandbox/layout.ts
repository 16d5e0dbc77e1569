/**
 * The sandbox's page frame: the section navigation (punchouts, requisitions, approvals, purchase
 * orders, inventory, recurring orders, setup) and the person the browser is acting as. Uses the
 * admin's navigation style so the sandbox looks like the rest of Koppel.
 */
import { html, type Html } from '../web/html.js';
import { page } from '../web/views/layout.js';

export const SANDBOX_SECTIONS: readonly { key: string; label: string; href: string }[] = [
  { key: 'punchouts', label: 'Punchouts', href: '/sandbox' },
  { key: 'requisitions', label: 'Requisitions', href: '/sandbox/requisitions' },
  { key: 'approvals', label: 'Approvals', href: '/sandbox/approvals' },
  { key: 'orders', label: 'Purchase orders', href: '/sandbox/orders' },
  { key: 'inventory', label: 'Inventory', href: '/sandbox/inventory' },
  { key: 'recurring', label: 'Recurring orders', href: '/sandbox/recurring' },
  { key: 'budgets', label: 'Budgets', href: '/sandbox/budgets' },
  { key: 'setup', label: 'People & rules', href: '/sandbox/setup' },
];

export interface SandboxPageOptions {
  readonly title: string;
  /** Key of SANDBOX_SECTIONS marked as the current one. */
  readonly section?: string;
  readonly subtitle?: string;
  /** "Name (roles)" of the person acting, shown top right with a link to switch. */
  readonly acting?: { readonly name: string; readonly roles: readonly string[] };
}

export function sandboxFrame(options: SandboxPageOptions, body: Html): Html {
  const nav = html`<nav class="admin-nav" aria-label="Sandbox">${SANDBOX_SECTIONS.map(
    (s) => html`<a href="${s.href}"${s.key === options.section ? html` aria-current="page"` : ''}>${s.label}</a>`,
  )}</nav>`;
  const right = options.acting
    ? html`<span>Acting as <strong>${options.acting.name}</strong> <span class="muted">(${options.acting.roles.join(', ')})</span> · <a href="/sandbox/setup#acting">switch</a></span>`
    : html`<a href="/sandbox/setup#acting">Choose who you are acting as</a>`;
  return page({ title: options.title, area: 'sandbox', headerRight: right, ...(options.subtitle ? { subtitle: options.subtitle } : {}) }, html`${nav}${body}`);
}
