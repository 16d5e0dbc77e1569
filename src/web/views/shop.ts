/**
 * Storefront pages for a punchout session. Pure functions from view data to Html.
 *
 * The shop often runs inside the buyer's iframe with third-party cookies blocked, so the session
 * travels in the URL: every link and every form action below is built from `shopBase(sessionId)`.
 * Forms POST, links GET, and nothing needs client-side script.
 *
 * Accessible names that tests and people rely on: buttons "Add to cart", "Transfer cart",
 * "Cancel punchout" (exactly one "Cancel punchout" per page), "Update", "Remove", "Search".
 */
import { html, type Html } from '../html.js';
import { page } from './layout.js';

export interface ShopSession {
  sessionId: string;
  buyerName: string;
  protocol: 'oci' | 'cxml';
  /** create | edit | inspect */
  operation: string;
  cartCount: number;
  /** Formatted amount, e.g. "12.40". */
  cartTotal: string;
  currency: string;
  /** Inspect: the buyer may look, not change. */
  readOnly: boolean;
}

export interface ProductCard {
  id: string;
  sku: string;
  name: string;
  /** Formatted money, e.g. "4.95" or "0.0125". */
  price: string;
  currency: string;
  unit: string;
  unitName: string;
  stock: number;
  leadTimeDays: number;
  manufacturer: string;
  category: string;
}

export interface ProductDetail extends ProductCard {
  description: string;
  manufacturerPartId: string;
  unspsc: string;
}

export interface CartLineView {
  id: string;
  productId: string;
  sku: string;
  name: string;
  quantity: string;
  unit: string;
  unitPrice: string;
  lineTotal: string;
  currency: string;
}

export interface CatalogView {
  query: string;
  category: string;
  categories: string[];
  products: ProductCard[];
  page: number;
  pageCount: number;
  total: number;
  notice?: string;
}

export interface CartView {
  lines: CartLineView[];
  total: string;
  currency: string;
  notice?: string;
  /** Reasons the transfer is blocked, each naming the product. */
  problems?: string[];
}

/** Below this many pieces the shop says "Only N left" instead of "In stock". */
export const LOW_STOCK_THRESHOLD = 10;

/** `/shop/s/<sid>`: the root of every storefront URL of one session. */
export function shopBase(sessionId: string): string {
  return `/shop/s/${encodeURIComponent(sessionId)}`;
}

/** Catalog URL with only the parameters that are set, so links stay short and stable. */
export function catalogUrl(sessionId: string, params: { q?: string; category?: string; page?: number } = {}): string {
  const search = new URLSearchParams();
  if (params.q) search.set('q', params.q);
  if (params.category) search.set('category', params.category);
  if (params.page && params.page > 1) search.set('page', String(params.page));
  const qs = search.toString();
  return qs ? `${shopBase(sessionId)}?${qs}` : shopBase(sessionId);
}

/** "€ 4.95" for euros, "USD 4.95" otherwise (a buyer must never mistake the currency). */
export function showMoney(amount: string, currency: string): string {
  return currency === 'EUR' ? `€ ${amount}` : `${currency} ${amount}`;
}

/** The availability line a buyer sees, with a class for colour. */
export function stockText(stock: number, leadTimeDays: number): { text: string; level: 'in' | 'low' | 'out' } {
  if (stock <= 0) return { text: `Out of stock — ships in ${days(leadTimeDays)}`, level: 'out' };
  if (stock < LOW_STOCK_THRESHOLD) return { text: `Only ${stock} left`, level: 'low' };
  return { text: 'In stock', level: 'in' };
}

function days(n: number): string {
  return n === 1 ? '1 day' : `${n} days`;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

function cartLink(s: ShopSession): Html {
  const items = s.cartCount === 1 ? '1 item' : `${s.cartCount} items`;
  return html`<a class="cart-link" href="${shopBase(s.sessionId)}/cart">Cart · ${items} · <span class="price">${showMoney(s.cartTotal, s.currency)}</span></a>`;
}

function cancelForm(s: ShopSession): Html {
  // Always available, also in inspect mode: it is how the buyer gets back to their system.
  return html`<form class="inline" method="post" action="${shopBase(s.sessionId)}/cancel">
    <button type="submit" class="secondary">Cancel punchout</button>
  </form>`;
}

function operationNote(s: ShopSession): Html | string {
  if (s.readOnly) return html` <span class="badge warn">read-only: this cart cannot be changed</span>`;
  if (s.operation === 'edit') return html` <span class="badge">editing a cart from your purchasing system</span>`;
  return '';
}

/** The session banner; `withCancel` is false where the page has its own cancel button (cart). */
function banner(s: ShopSession, withCancel: boolean): Html {
  return html`<div class="session-banner">
  <p>Punchout session for <strong>${s.buyerName}</strong> · ${s.protocol === 'cxml' ? 'cXML' : 'OCI'}${operationNote(s)}</p>
  ${withCancel ? cancelForm(s) : ''}
</div>`;
}

function notice(text: string | undefined): Html | string {
  return text ? html`<div class="notice ok" role="status">${text}</div>` : '';
}

function shopPage(s: ShopSession, title: string, body: Html): Html {
  // No subtitle: the session banner below the bar already names the buyer.
  return page({ title, area: 'shop', headerRight: cartLink(s) }, body);
}

function priceLine(p: ProductCard): Html {
  return html`<span class="price">${showMoney(p.price, p.currency)}</span> / <abbr title="${p.unitName}">${p.unit}</abbr>`;
}

function stockLine(p: ProductCard): Html {
  const st = stockText(p.stock, p.leadTimeDays);
  return html`<span class="stock ${st.level}">${st.text}</span>`;
}

/**
 * The add form. `fieldId` keeps label/input ids unique on a page even when product ids contain
 * characters that are awkward in an id attribute.
 */
function addForm(s: ShopSession, p: ProductCard, fieldId: string, returnTo: 'catalog' | 'product', returnQuery?: string): Html {
  return html`<form class="add-form" method="post" action="${shopBase(s.sessionId)}/cart/add">
    <input type="hidden" name="product_id" value="${p.id}">
    <input type="hidden" name="return_to" value="${returnTo}">
    ${returnQuery ? html`<input type="hidden" name="return_query" value="${returnQuery}">` : ''}
    <label class="visually-hidden" for="${fieldId}">Quantity for ${p.name}</label>
    <input id="${fieldId}" class="qty" type="number" name="quantity" value="1" min="1" step="1" inputmode="numeric" required>
    <button type="submit">Add to cart</button>
  </form>`;
}

// ---------------------------------------------------------------------------------------------
// Catalog

export function catalogPage(s: ShopSession, v: CatalogView): Html {
  const base = shopBase(s.sessionId);
  // Lets the route send the buyer back to the same search page after "Add to cart".
  const returnQuery = catalogUrl('', { q: v.query, category: v.category, page: v.page }).split('?')[1] ?? '';
  const heading = v.query ? `Results for “${v.query}”` : v.category || 'Catalog';
  const count = v.total === 1 ? '1 product' : `${v.total} products`;

  const cards = v.products.map(
    (p, i) => html`<article class="card product-card">
  <h2><a href="${base}/products/${encodeURIComponent(p.id)}">${p.name}</a></h2>
  <p class="meta muted"><span class="sku">${p.sku}</span> · ${p.manufacturer}</p>
  <p class="price-line">${priceLine(p)}</p>
  <p>${stockLine(p)}</p>
  ${s.readOnly ? '' : addForm(s, p, `qty-${i + 1}`, 'catalog', returnQuery)}
</article>`,
  );

  const empty = html`<div class="empty card">
  <p>No products match your search${v.category ? html` in <strong>${v.category}</strong>` : ''}.</p>
  <p><a href="${base}">Show all products</a></p>
</div>`;

  const body = html`${banner(s, true)}
<h1>${heading}</h1>
${notice(v.notice)}
<form class="search-form" method="get" action="${base}" role="search">
  <div class="field">
    <label for="q">Search products</label>
    <input id="q" type="search" name="q" value="${v.query}" placeholder="Name, SKU, manufacturer …">
  </div>
  <div class="field">
    <label for="category">Category</label>
    <select id="category" name="category">
      <option value=""${v.category ? '' : html` selected`}>All categories</option>
      ${v.categories.map((c) => html`<option value="${c}"${c === v.category ? html` selected` : ''}>${c}</option>`)}
    </select>
  </div>
  <button type="submit">Search</button>
</form>
<p class="muted result-count">${count}${v.pageCount > 1 ? ` · page ${v.page} of ${v.pageCount}` : ''}</p>
${v.products.length ? html`<div class="grid products">${cards}</div>` : empty}
${pagination(s, v)}`;

  return shopPage(s, v.query ? `Search: ${v.query}` : 'Catalog', body);
}

function pagination(s: ShopSession, v: CatalogView): Html | string {
  if (v.pageCount <= 1) return '';
  const at = (p: number) => catalogUrl(s.sessionId, { q: v.query, category: v.category, page: p });
  return html`<nav class="pagination" aria-label="Pagination">
  ${v.page > 1 ? html`<a rel="prev" href="${at(v.page - 1)}">Previous</a>` : html`<span class="muted">Previous</span>`}
  <span>Page ${v.page} of ${v.pageCount}</span>
  ${v.page < v.pageCount ? html`<a rel="next" href="${at(v.page + 1)}">Next</a>` : html`<span class="muted">Next</span>`}
</nav>`;
}

// ---------------------------------------------------------------------------------------------
// Product

export function productPage(s: ShopSession, p: ProductDetail, v: { notice?: string } = {}): Html {
  const base = shopBase(s.sessionId);
  const body = html`${banner(s, true)}
<nav class="breadcrumbs" aria-label="Breadcrumb">
  <a href="${base}">Catalog</a> › <a href="${catalogUrl(s.sessionId, { category: p.category })}">${p.category}</a>
</nav>
${notice(v.notice)}
<article class="product-detail">
  <h1>${p.name}</h1>
  <div class="product-columns">
    <div class="card">
      <p class="description">${p.description}</p>
      <dl class="specs">
        <dt>SKU</dt><dd class="sku">${p.sku}</dd>
        <dt>Manufacturer</dt><dd>${p.manufacturer}</dd>
        <dt>Manufacturer part no.</dt><dd>${p.manufacturerPartId}</dd>
        <dt>Category</dt><dd>${p.category}</dd>
        <dt>UNSPSC</dt><dd>${p.unspsc}</dd>
        <dt>Unit</dt><dd>${p.unit} (${p.unitName})</dd>
        <dt>Delivery time</dt><dd>${days(p.leadTimeDays)}</dd>
      </dl>
    </div>
    <aside class="card buy-box" aria-label="Price and availability">
      <p class="price-line big">${priceLine(p)}</p>
      <p>${stockLine(p)}</p>
      ${s.readOnly ? html`<p class="muted">This session is read-only.</p>` : addForm(s, p, 'qty-product', 'product')}
    </aside>
  </div>
</article>
<p><a href="${base}">← Back to the catalog</a></p>`;
  return shopPage(s, p.name, body);
}

// ---------------------------------------------------------------------------------------------
// Cart

export function cartPage(s: ShopSession, v: CartView): Html {
  const base = shopBase(s.sessionId);
  const problems = v.problems ?? [];

  const rows = v.lines.map((l, i) => {
    // Quantities from an edited buyer cart may be fractional; step="1" would make them unsubmittable.
    const step = /^\d+$/.test(l.quantity) ? '1' : 'any';
    const qty = s.readOnly
      ? html`${l.quantity}`
      : html`<form class="inline qty-form" method="post" action="${base}/cart/update">
        <input type="hidden" name="line_id" value="${l.id}">
        <label class="visually-hidden" for="line-qty-${i + 1}">Quantity for ${l.name}</label>
        <input id="line-qty-${i + 1}" class="qty" type="number" name="quantity" value="${l.quantity}" min="1" step="${step}" required>
        <button type="submit" class="secondary small">Update</button>
      </form>`;
    return html`<tr>
      <td><a href="${base}/products/${encodeURIComponent(l.productId)}">${l.name}</a><br><span class="muted sku">${l.sku}</span></td>
      <td class="num"><span class="price">${showMoney(l.unitPrice, l.currency)}</span> / ${l.unit}</td>
      <td>${qty}</td>
      <td class="num"><span class="price">${showMoney(l.lineTotal, l.currency)}</span></td>
      ${s.readOnly ? '' : html`<td><form class="inline" method="post" action="${base}/cart/remove">
        <input type="hidden" name="line_id" value="${l.id}">
        <button type="submit" class="danger small">Remove</button>
      </form></td>`}
    </tr>`;
  });

  const table = html`<div class="table-wrap"><table class="table cart">
  <thead><tr><th scope="col">Product</th><th scope="col" class="num">Unit price</th><th scope="col">Quantity</th><th scope="col" class="num">Line total</th>${s.readOnly ? '' : html`<th scope="col"><span class="visually-hidden">Actions</span></th>`}</tr></thead>
  <tbody>${rows}</tbody>
  <tfoot><tr><th scope="row" colspan="3">Total</th><td class="num"><strong class="price">${showMoney(v.total, v.currency)}</strong></td>${s.readOnly ? '' : html`<td></td>`}</tr></tfoot>
</table></div>`;

  const problemBox = problems.length
    ? html`<div class="notice error" role="alert" id="transfer-problems">
  <p><strong>The cart cannot be transferred yet:</strong></p>
  <ul>${problems.map((p) => html`<li>${p}</li>`)}</ul>
</div>`
    : '';

  // An empty cart has nothing to transfer; "Cancel punchout" is the way back then.
  const transfer =
    s.readOnly || v.lines.length === 0
      ? ''
      : html`<form class="inline" method="post" action="${base}/transfer">
    <button type="submit" class="primary"${problems.length ? html` aria-describedby="transfer-problems"` : ''}>Transfer cart</button>
  </form>`;

  const body = html`${banner(s, false)}
<h1>Cart</h1>
${notice(v.notice)}
${v.lines.length ? table : html`<div class="empty card"><p>Your cart is empty.</p></div>`}
${problemBox}
<div class="cart-actions">
  ${transfer}
  ${cancelForm(s)}
  <a class="button secondary" href="${base}">Continue shopping</a>
</div>
${s.readOnly ? '' : html`<p class="muted hint">“Transfer cart” sends these items to your purchasing system, where the order is approved and placed.</p>`}`;
  return shopPage(s, 'Cart', body);
}
