import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cartPage, catalogPage, productPage, showMoney, stockText, type CartLineView, type ProductCard, type ProductDetail, type ShopSession } from '../../src/web/views/shop.js';

// A token with characters that must be percent-encoded in a path, to prove every URL encodes it.
const SID = 'Ab3_x-9 z+/';
const BASE = `/shop/s/${encodeURIComponent(SID)}`;

const session: ShopSession = {
  sessionId: SID,
  buyerName: 'ACME <Procurement> & Co',
  protocol: 'oci',
  operation: 'create',
  cartCount: 2,
  cartTotal: '12.40',
  currency: 'EUR',
  readOnly: false,
};
const inspect: ShopSession = { ...session, operation: 'inspect', readOnly: true };

const pen: ProductCard = {
  id: 'kp-10001',
  sku: 'KP-10001',
  name: 'Ballpoint pen, retractable, blue, 0.7 mm, pack of 10',
  price: '4.95',
  currency: 'EUR',
  unit: 'PK',
  unitName: 'pack',
  stock: 120,
  leadTimeDays: 2,
  manufacturer: 'Penwright & Sons',
  category: 'Writing instruments',
};
const evil: ProductCard = { ...pen, id: 'kp-666', sku: 'KP-666', name: 'Pen <script>alert(1)</script>', stock: 3, price: '0.0125', currency: 'USD' };
const gone: ProductCard = { ...pen, id: 'kp-10002', sku: 'KP-10002', name: 'Out pen', stock: 0, leadTimeDays: 9 };
const detail: ProductDetail = { ...evil, description: 'Größe A4 — "quoted" & <b>bold</b>™', manufacturerPartId: 'PEN-1', unspsc: '44121704' };
const lines: CartLineView[] = [
  { id: 'line-1', productId: 'kp-10001', sku: 'KP-10001', name: pen.name, quantity: '2', unit: 'PK', unitPrice: '4.95', lineTotal: '9.90', currency: 'EUR' },
  { id: 'line-2', productId: 'kp-666', sku: 'KP-666', name: evil.name, quantity: '1.5', unit: 'EA', unitPrice: '1.6667', lineTotal: '2.50', currency: 'EUR' },
];

const catalogView = { query: 'pen "blue"', category: 'Writing instruments', categories: ['Paper & notebooks', 'Writing instruments'], products: [pen, evil, gone], page: 2, pageCount: 3, total: 50, notice: 'Added to cart' };

function render() {
  return {
    catalog: catalogPage(session, catalogView).toString(),
    product: productPage(session, detail, { notice: 'Added to cart' }).toString(),
    cart: cartPage(session, { lines, total: '12.40', currency: 'EUR' }).toString(),
  };
}

/** Visible text of every button (our buttons hold plain text). */
function buttons(page: string): string[] {
  return [...page.matchAll(/<button\b[^>]*>([\s\S]*?)<\/button>/g)].map((m) => m[1]!.trim());
}
function attrs(page: string, tag: string, attr: string): string[] {
  return [...page.matchAll(new RegExp(`<${tag}\\b[^>]*\\b${attr}="([^"]*)"`, 'g'))].map((m) => m[1]!.replace(/&amp;/g, '&'));
}
function count(list: string[], value: string): number {
  return list.filter((x) => x === value).length;
}

test('the three pages render with the exact button names', () => {
  const { catalog, product, cart } = render();
  for (const page of [catalog, product, cart]) {
    assert.match(page, /^<!doctype html>/);
    assert.equal(count(buttons(page), 'Cancel punchout'), 1, 'exactly one "Cancel punchout" per page');
  }
  assert.equal(count(buttons(catalog), 'Add to cart'), 3);
  assert.equal(count(buttons(catalog), 'Search'), 1);
  assert.equal(count(buttons(product), 'Add to cart'), 1);
  assert.equal(count(buttons(cart), 'Transfer cart'), 1);
  assert.equal(count(buttons(cart), 'Update'), 2);
  assert.equal(count(buttons(cart), 'Remove'), 2);
  assert.match(cart, />Continue shopping</);
});

test('every form and every shop link carries the session id', () => {
  const { catalog, product, cart } = render();
  for (const page of [catalog, product, cart]) {
    const actions = attrs(page, 'form', 'action');
    assert.ok(actions.length > 0);
    for (const action of actions) assert.ok(action.startsWith(BASE), `form action ${action}`);
    for (const href of attrs(page, 'a', 'href')) assert.ok(href.startsWith(BASE), `link ${href}`);
  }
  const catalogActions = attrs(catalog, 'form', 'action');
  assert.ok(catalogActions.includes(`${BASE}/cart/add`));
  assert.ok(catalogActions.includes(`${BASE}/cancel`));
  assert.ok(catalogActions.includes(BASE), 'search form');
  const cartActions = attrs(cart, 'form', 'action');
  for (const path of ['/cart/update', '/cart/remove', '/transfer', '/cancel']) assert.ok(cartActions.includes(`${BASE}${path}`), path);
  // Forms that change things POST; the search form GETs.
  assert.equal([...catalog.matchAll(/<form\b[^>]*method="get"/g)].length, 1);
  assert.ok(attrs(cart, 'a', 'href').includes(`${BASE}/cart`), 'header cart link');
  assert.ok(attrs(cart, 'a', 'href').includes(`${BASE}/products/kp-10001`));
});

test('values are escaped', () => {
  const { catalog, product, cart } = render();
  for (const page of [catalog, product, cart]) {
    assert.ok(!page.includes('<script>'), 'raw <script> in page');
    assert.ok(!page.includes('<Procurement>'));
  }
  assert.ok(catalog.includes('Pen &lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(catalog.includes('value="pen &quot;blue&quot;"'), 'query in the search box');
  assert.ok(product.includes('Größe A4 — &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;™'));
  assert.ok(cart.includes('ACME &lt;Procurement&gt; &amp; Co'));
});

test('catalog: search, filter, prices, stock, quantity labels, pagination', () => {
  const { catalog } = render();
  assert.match(catalog, /<label for="q">Search products<\/label>/);
  assert.match(catalog, /<label for="category">Category<\/label>/);
  assert.match(catalog, /<option value="Writing instruments" selected>/);
  assert.match(catalog, /€ 4\.95<\/span> \/ <abbr title="pack">PK<\/abbr>/);
  assert.match(catalog, /USD 0\.0125<\/span>/);
  assert.match(catalog, /In stock/);
  assert.match(catalog, /Only 3 left/);
  assert.match(catalog, /Out of stock — ships in 9 days/);
  assert.match(catalog, /Quantity for Ballpoint pen, retractable, blue, 0\.7 mm, pack of 10<\/label>/);
  assert.match(catalog, /type="number" name="quantity" value="1" min="1" step="1"/);
  assert.match(catalog, /name="return_to" value="catalog"/);
  assert.match(catalog, /Page 2 of 3/);
  const links = attrs(catalog, 'a', 'href');
  assert.ok(links.includes(`${BASE}?q=pen+%22blue%22&category=Writing+instruments`), 'Previous goes to page 1 without page=');
  assert.ok(links.includes(`${BASE}?q=pen+%22blue%22&category=Writing+instruments&page=3`));
  assert.match(catalog, /role="status">Added to cart</);
  assert.match(catalog, /Punchout session for <strong>ACME &lt;Procurement&gt; &amp; Co<\/strong> · OCI/);
  // Every label points at an existing, unique control.
  const ids = attrs(catalog, 'input', 'id').concat(attrs(catalog, 'select', 'id'));
  assert.equal(new Set(ids).size, ids.length);
  for (const f of attrs(catalog, 'label', 'for')) assert.ok(ids.includes(f), `label for ${f}`);
});

test('catalog without results and without pages', () => {
  const page = catalogPage(session, { ...catalogView, products: [], total: 0, page: 1, pageCount: 1, notice: undefined }).toString();
  assert.match(page, /No products match/);
  assert.ok(!page.includes('Page 1 of 1'));
  assert.ok(!page.includes('role="status"'));
});

test('product page shows the details and an add form that returns to the product', () => {
  const { product } = render();
  for (const text of ['KP-666', 'PEN-1', '44121704', 'Writing instruments', 'Penwright &amp; Sons']) assert.ok(product.includes(text), text);
  assert.match(product, /name="return_to" value="product"/);
  assert.match(product, /name="product_id" value="kp-666"/);
});

test('cart: quantities, totals, problems, empty cart', () => {
  const { cart } = render();
  assert.match(cart, /name="line_id" value="line-1"/);
  assert.match(cart, /value="2" min="1" step="1"/);
  assert.match(cart, /value="1\.5" min="1" step="any"/, 'a fractional quantity stays submittable');
  assert.match(cart, /€ 12\.40/);
  const blocked = cartPage(session, { lines, total: '12.40', currency: 'EUR', problems: ['Out pen (KP-10002) is no longer sold.'] }).toString();
  assert.match(blocked, /role="alert"[\s\S]*Out pen \(KP-10002\) is no longer sold\.[\s\S]*Transfer cart/);
  const empty = cartPage({ ...session, cartCount: 0, cartTotal: '0.00' }, { lines: [], total: '0.00', currency: 'EUR' }).toString();
  assert.match(empty, /Your cart is empty/);
  assert.equal(count(buttons(empty), 'Transfer cart'), 0);
  assert.equal(count(buttons(empty), 'Cancel punchout'), 1);
});

test('inspect sessions are read-only: no add, update, remove or transfer, but cancel stays', () => {
  const pages = [
    catalogPage(inspect, catalogView).toString(),
    productPage(inspect, detail).toString(),
    cartPage(inspect, { lines, total: '12.40', currency: 'EUR' }).toString(),
  ];
  for (const page of pages) {
    const names = buttons(page);
    for (const hidden of ['Add to cart', 'Transfer cart', 'Update', 'Remove']) assert.equal(count(names, hidden), 0, hidden);
    assert.equal(count(names, 'Cancel punchout'), 1);
    assert.match(page, /read-only: this cart cannot be changed/);
    for (const action of attrs(page, 'form', 'action')) assert.ok(!/\/(cart\/|transfer)/.test(action), action);
  }
});

test('money and stock wording', () => {
  assert.equal(showMoney('4.95', 'EUR'), '€ 4.95');
  assert.equal(showMoney('4.95', 'CHF'), 'CHF 4.95');
  assert.deepEqual(stockText(0, 1), { text: 'Out of stock — ships in 1 day', level: 'out' });
  assert.deepEqual(stockText(9, 2), { text: 'Only 9 left', level: 'low' });
  assert.deepEqual(stockText(10, 2), { text: 'In stock', level: 'in' });
});
