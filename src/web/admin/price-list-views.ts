/** Admin pages for customer price lists: the list with a create form, and one list's items. */
import type { FastifyRequest } from 'fastify';
import type { PriceLineProblem, PriceListItem, PriceListSummary } from '../../app/pricing.js';
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

function usedBy(list: PriceListSummary): Html {
  return list.connections.length
    ? html`${list.connections.map((c, i) => html`${i ? ', ' : ''}<a href="/admin/connections/${c.id}">${c.name}</a>`)}`
    : html`<span class="muted">no connection</span>`;
}

export interface PriceListsView {
  readonly lists: readonly PriceListSummary[];
  readonly canEdit: boolean;
  readonly notice?: string;
  readonly problems?: readonly string[];
  readonly values?: { readonly name: string; readonly currency: string };
}

export function priceListsPage(request: FastifyRequest, v: PriceListsView): Html {
  const problems = v.problems ?? [];
  const rows = v.lists.map(
    (l) => html`<tr>
<td><a href="/admin/price-lists/${l.id}">${l.name}</a></td>
<td>${l.currency}</td>
<td class="num">${l.itemCount}</td>
<td>${usedBy(l)}</td>
<td>${l.createdAt.replace('T', ' ').slice(0, 16)}</td>
</tr>`,
  );
  const table = v.lists.length
    ? html`<div class="table-wrap"><table class="table">
<thead><tr><th scope="col">Name</th><th scope="col">Currency</th><th scope="col" class="num">Prices</th><th scope="col">Used by</th><th scope="col">Created (UTC)</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
    : html`<p class="muted">No price lists yet: every buyer sees the catalog prices.</p>`;
  const create = v.canEdit
    ? html`<section class="card">
<h2>New price list</h2>
${problemBox('The price list was not created:', problems)}
<form method="post" action="/admin/price-lists" class="form-row"${problems.length ? html` aria-describedby="form-problems"` : ''}>
${csrfField(request)}
<label class="field"><span>Name</span><input name="name" required maxlength="100" value="${v.values?.name ?? ''}"></label>
<label class="field"><span>Currency</span><input name="currency" required maxlength="3" size="5" value="${v.values?.currency ?? 'EUR'}" autocapitalize="characters"></label>
<button type="submit" class="button">Create price list</button>
</form>
<p class="hint">A connection gets its price list in the connection's settings; its buyers then see and are charged these prices.</p>
</section>`
    : '';
  const body = html`<section class="card">
<h1>Price lists</h1>
<p class="muted">Customer-specific prices. A product that is not on a buyer's list keeps its catalog price.</p>
${notice(v.notice)}
${table}
</section>
${create}`;
  return adminPage(request, { title: 'Price lists', section: 'price-lists' }, body);
}

export interface PriceListView {
  readonly list: PriceListSummary & { readonly items: readonly PriceListItem[] };
  readonly canEdit: boolean;
  readonly notice?: string;
  /** The pasted text: the saved items, or what was posted when it had problems. */
  readonly text: string;
  readonly problems?: readonly PriceLineProblem[];
}

export function priceListItemsText(items: readonly PriceListItem[]): string {
  return items.map((i) => `${i.sku};${i.price}`).join('\n');
}

export function priceListPage(request: FastifyRequest, v: PriceListView): Html {
  const { list } = v;
  const problems = v.problems ?? [];
  const items = list.items.length
    ? html`<div class="table-wrap"><table class="table">
<thead><tr><th scope="col">SKU</th><th scope="col">Product</th><th scope="col" class="num">Price (${list.currency})</th><th scope="col" class="num">Catalog price</th></tr></thead>
<tbody>${list.items.map(
        (i) => html`<tr><td class="code">${i.sku}</td><td>${i.name}</td><td class="num">${i.price}</td><td class="num muted">${i.catalogPrice} ${i.catalogCurrency}</td></tr>`,
      )}</tbody>
</table></div>`
    : html`<p class="muted">This list has no prices yet.</p>`;
  const edit = v.canEdit
    ? html`<section class="card">
<h2>Edit prices</h2>
${problems.length
  ? html`<div class="notice error" role="alert" id="form-problems"><p><strong>Nothing was saved. Fix these lines and save again:</strong></p><ul>${problems.map(
      (p) => html`<li>${p.line > 0 ? html`Line ${p.line}${p.text.trim() ? html` (<code>${p.text.trim()}</code>)` : ''}: ` : ''}${p.message}</li>`,
    )}</ul></div>`
  : ''}
<form method="post" action="/admin/price-lists/${list.id}/items">
${csrfField(request)}
<label class="field"><span>One product per line: SKU;price (a tab works too). Saving replaces the whole list.</span>
<textarea name="items" rows="12" spellcheck="false"${problems.length ? html` aria-invalid="true" aria-describedby="form-problems"` : ''}>${v.text}</textarea></label>
<p class="hint">Prices in ${list.currency}, with a decimal point and up to 6 decimals (e.g. <code>KP-10001;4.65</code>, <code>KP-10002;0.0125</code>). Lines starting with # are ignored.</p>
<div class="actions"><button type="submit" class="button">Save prices</button></div>
</form>
</section>`
    : '';
  const body = html`<p><a href="/admin/price-lists">← All price lists</a></p>
<section class="card">
<h1>${list.name}</h1>
${notice(v.notice)}
<dl class="kv">
<dt>Currency</dt><dd>${list.currency}</dd>
<dt>Prices</dt><dd>${list.itemCount}</dd>
<dt>Used by</dt><dd>${usedBy(list)}</dd>
</dl>
${items}
</section>
${edit}`;
  return adminPage(request, { title: `Price list ${list.name}`, section: 'price-lists' }, body);
}
