/**
 * Customer price lists over real HTTP: the admin pages (create, paste SKU;price lines, problems
 * shown without losing the text, roles, CSRF, audit), and the prices a buyer sees and gets in
 * the cart — from its own connection's list only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dec } from '../../src/protocol/money.js';
import { createConnection } from '../../src/app/connections.js';
import { parsePriceLines } from '../../src/app/pricing.js';
import { readCxml } from '../../src/protocol/cxml/reader.js';
import type { PunchOutOrderMessage } from '../../src/protocol/cxml/model.js';
import { pairsFromHtmlForm, readOciCartForm } from '../../src/protocol/oci/cart-form-reader.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { adminLogin, type AdminClient } from '../helpers/admin.js';
import { postCxml, setupRequestXml } from '../helpers/cxml.js';

let t: TestApp;
let admin: AdminClient;
before(async () => {
  t = await startTestApp();
  admin = await adminLogin(t, 'admin');
});
after(async () => {
  await t.close();
});

async function post(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${t.baseUrl}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
}

async function products(n: number) {
  return t.store.db.selectFrom('products').selectAll().where('stock', '>', 0).where('unit', 'in', ['PCE', 'PK', 'BX']).orderBy('sku').limit(n).execute();
}

async function createList(name: string, currency = 'EUR'): Promise<string> {
  const res = await admin.post('/admin/price-lists', { name, currency });
  assert.equal(res.status, 303);
  const m = /^\/admin\/price-lists\/(pl-[A-Za-z0-9_-]+)\?notice=created$/.exec(res.headers.get('location')!);
  assert.ok(m, res.headers.get('location')!);
  return m[1]!;
}

async function useList(connectionId: string, listId: string | null): Promise<void> {
  await t.store.db.updateTable('connections').set({ price_list_id: listId }).where('id', '=', connectionId).execute();
}

describe('admin pages', () => {
  test('create a list, paste prices, see them; each change is in the audit trail', async () => {
    const [a, b] = await products(2);
    const id = await createList('Acme 2027');
    const created = await (await admin.get(`/admin/price-lists/${id}?notice=created`)).text();
    assert.match(created, /Price list created/);
    assert.match(created, /This list has no prices yet/);

    const saved = await admin.post(`/admin/price-lists/${id}/items`, { items: `# Acme contract\n${a!.sku};1.23\n${b!.sku}\t0.0125\n` });
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.get('location'), `/admin/price-lists/${id}?notice=saved`);
    const html = await (await admin.get(`/admin/price-lists/${id}`)).text();
    assert.ok(html.includes(`<td class="code">${a!.sku}</td>`));
    assert.match(html, /<td class="num">1\.23<\/td>/);
    assert.match(html, /<td class="num">0\.0125<\/td>/);
    assert.ok(html.includes(`${a!.sku};1.23\n${b!.sku};0.0125</textarea>`), 'the textarea holds the saved list');

    const list = await (await admin.get('/admin/price-lists')).text();
    assert.match(list, /<a href="\/admin\/price-lists\/pl-[^"]+">Acme 2027<\/a>/);
    const audit = await t.store.db.selectFrom('admin_audit').selectAll().where('action', 'like', 'price-list.%').orderBy('created_at').execute();
    assert.deepEqual(audit.map((r) => r.action).slice(-2), ['price-list.create', 'price-list.items']);
    assert.match(audit.at(-1)!.detail, /2 item\(s\) saved/);

    // Saving again replaces the whole list.
    assert.equal((await admin.post(`/admin/price-lists/${id}/items`, { items: `${b!.sku};0.011` })).status, 303);
    const items = await t.store.db.selectFrom('price_list_items').selectAll().where('price_list_id', '=', id).execute();
    assert.deepEqual(items.map((i) => [i.product_id, i.price]), [[b!.id, '0.011']]);
  });

  test('bad lines: every problem named, nothing saved, the pasted text kept', async () => {
    const [a, b, c] = await products(3);
    const id = await createList('Problems');
    await admin.post(`/admin/price-lists/${id}/items`, { items: `${a!.sku};5.00` });
    const text = `${a!.sku};1,50\nNO-SUCH-SKU;2.00\n${b!.sku}\n${c!.sku};-3\n${c!.sku};abc\n${b!.sku};1.00\n${b!.sku};2.00`;
    const res = await admin.post(`/admin/price-lists/${id}/items`, { items: text });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /Nothing was saved/);
    assert.match(html, /Line 1 .*decimal comma; write it with a point \(1\.50\)/);
    assert.match(html, /Line 2 .*no product with the SKU NO-SUCH-SKU/);
    assert.match(html, /Line 3 .*Write one product per line as SKU;price/);
    assert.match(html, /Line 4 .*is negative/);
    assert.match(html, /Line 5 .*not a decimal number/);
    assert.match(html, /Line 7 .*listed already on line 6/);
    assert.ok(html.includes(`<textarea name="items" rows="12" spellcheck="false" aria-invalid="true" aria-describedby="form-problems">${text.replace(/&/g, '&amp;')}</textarea>`), 'the posted text is kept');
    const items = await t.store.db.selectFrom('price_list_items').selectAll().where('price_list_id', '=', id).execute();
    assert.deepEqual(items.map((i) => i.price), ['5.00'], 'the earlier list is untouched');
  });

  test('creating: a bad currency or a taken name is refused with the values kept', async () => {
    const res = await admin.post('/admin/price-lists', { name: 'Beta', currency: 'EURO' });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /ISO 4217 code of three letters/);
    assert.match(html, /name="name" required maxlength="100" value="Beta"/);
    await createList('Gamma', 'chf');
    const again = await admin.post('/admin/price-lists', { name: 'Gamma', currency: 'CHF' });
    assert.equal(again.status, 400);
    assert.match(await again.text(), /exists already/);
    const row = await t.store.db.selectFrom('price_lists').selectAll().where('name', '=', 'Gamma').executeTakeFirstOrThrow();
    assert.equal(row.currency, 'CHF');
  });

  test('viewers read without forms and may not change; a form without CSRF token is refused', async () => {
    const id = await createList('Read only');
    const viewer = await adminLogin(t, 'viewer');
    const list = await (await viewer.get('/admin/price-lists')).text();
    assert.ok(!list.includes('Create price list'));
    const one = await viewer.get(`/admin/price-lists/${id}`);
    assert.equal(one.status, 200);
    assert.ok(!(await one.text()).includes('<textarea'));
    assert.equal((await viewer.post('/admin/price-lists', { name: 'V', currency: 'EUR' })).status, 403);
    assert.equal((await viewer.post(`/admin/price-lists/${id}/items`, { items: '' })).status, 403);
    assert.equal((await admin.post('/admin/price-lists', { name: 'No token', currency: 'EUR', _csrf: 'wrong' })).status, 403);
    assert.equal((await admin.get('/admin/price-lists/pl-nope')).status, 404);
    assert.equal((await fetch(`${t.baseUrl}/admin/price-lists`, { redirect: 'manual' })).status, 303);
  });

  test('the line parser', () => {
    const r = parsePriceLines('A;1\r\nB\t2.5;\n\n#x\nC ; 0.000001\nD;0.0000001');
    assert.deepEqual(r.entries.map((e) => [e.sku, e.price.toFixed()]), [['A', '1'], ['B', '2.5'], ['C', '0.000001']]);
    assert.deepEqual(r.problems.map((p) => p.line), [6]);
  });
});

describe('prices follow the session\'s connection', () => {
  test('shop, cart and OCI cart carry the list price for that connection only', async () => {
    const [a, b] = await products(2);
    const listPrice = dec(a!.price).eq('7.77') ? '6.66' : '7.77';
    const id = await createList('Demo OCI prices');
    assert.equal((await admin.post(`/admin/price-lists/${id}/items`, { items: `${a!.sku};${listPrice}` })).status, 303);
    await useList('demo-oci', id);
    await createConnection(t.ctx, { id: 'other-oci', name: 'Other OCI buyer', protocol: 'oci', ociUsername: 'other', secret: 'other-pw', returnUrlPrefixes: ['https://'] });
    try {
      const login = async (connection: string, user: string, pw: string) => {
        const res = await post(`/punchout/oci/${connection}`, { USERNAME: user, PASSWORD: pw, HOOK_URL: 'https://srm.buyer.example/hook' });
        assert.equal(res.status, 303);
        return res.headers.get('location')!.split('?')[0]!;
      };
      const ours = await login('demo-oci', 'demo', 'demo');
      const theirs = await login('other-oci', 'other', 'other-pw');
      const shown = `€ ${listPrice}`;
      const catalogShown = `€ ${dec(a!.price).toFixed(Math.max(2, dec(a!.price).decimalPlaces()))}`;

      const search = await (await fetch(`${t.baseUrl}${ours}?q=${encodeURIComponent(a!.sku)}`)).text();
      assert.ok(search.includes(shown), 'catalog shows the list price');
      const productPage = await (await fetch(`${t.baseUrl}${ours}/products/${a!.id}`)).text();
      assert.ok(productPage.includes(shown), 'product page shows the list price');
      const otherPage = await (await fetch(`${t.baseUrl}${theirs}/products/${a!.id}`)).text();
      assert.ok(!otherPage.includes(shown), 'another buyer never sees this list price');
      assert.ok(otherPage.includes(catalogShown));

      await post(`${ours}/cart/add`, { product_id: a!.id, quantity: '2' });
      await post(`${ours}/cart/add`, { product_id: b!.id, quantity: '1' });
      await post(`${theirs}/cart/add`, { product_id: a!.id, quantity: '2' });
      const line = await t.store.db.selectFrom('cart_lines').selectAll().where('session_id', '=', ours.split('/')[3]!).where('product_id', '=', a!.id).executeTakeFirstOrThrow();
      assert.equal(line.unit_price, listPrice);
      const cart = await (await fetch(`${t.baseUrl}${ours}/cart`)).text();
      assert.ok(cart.includes(shown));

      const form = readOciCartForm(pairsFromHtmlForm(await (await post(`${ours}/transfer`, {})).text()));
      assert.ok(form.lines[0]!.price!.div(form.lines[0]!.priceUnit).eq(listPrice), 'the OCI cart carries the list price');
      assert.ok(form.lines[1]!.price!.div(form.lines[1]!.priceUnit).eq(b!.price), 'a product not on the list keeps its catalog price');
      const other = readOciCartForm(pairsFromHtmlForm(await (await post(`${theirs}/transfer`, {})).text()));
      assert.ok(other.lines[0]!.price!.div(other.lines[0]!.priceUnit).eq(a!.price), 'the other buyer gets the catalog price');

      // VALIDATE answers with the buyer's own price too.
      const validate = await post('/punchout/oci/demo-oci', { USERNAME: 'demo', PASSWORD: 'demo', HOOK_URL: 'https://srm.buyer.example/hook', FUNCTION: 'VALIDATE', PRODUCTID: a!.sku });
      const answered = readOciCartForm(pairsFromHtmlForm(await validate.text()));
      assert.ok(answered.lines[0]!.price!.div(answered.lines[0]!.priceUnit).eq(listPrice));

      // The preview names the price list as the source.
      const preview = await (await admin.get(`/admin/connections/demo-oci/preview?cart=sample&skus=${encodeURIComponent(a!.sku)}`)).text();
      assert.match(preview, /<code>price list<\/code>/);
      assert.match(preview, /price list Demo OCI prices/);
    } finally {
      await useList('demo-oci', null);
    }
  });

  test('cXML: the list price travels in the PunchOutOrderMessage; a cart mixing currencies is blocked', async () => {
    const [a, b] = await products(2);
    const id = await createList('Swiss buyer', 'CHF');
    await admin.post(`/admin/price-lists/${id}/items`, { items: `${a!.sku};12.40` });
    await useList('demo-cxml', id);
    try {
      const session = async () => {
        const setup = await postCxml(t.baseUrl, setupRequestXml('https://buyer.example/cxml/return'));
        return (await fetch(setup.startPageUrl!, { redirect: 'manual' })).headers.get('location')!.split('?')[0]!;
      };
      const path = await session();
      await post(`${path}/cart/add`, { product_id: a!.id, quantity: '3' });
      const page = await (await post(`${path}/transfer`, {})).text();
      const xml = Buffer.from(pairsFromHtmlForm(page)[0]![1], 'base64').toString('utf8');
      const poom = readCxml(xml).envelope.payload as PunchOutOrderMessage;
      assert.equal(poom.items[0]!.itemDetail.unitPrice.currency, 'CHF');
      assert.ok(poom.items[0]!.itemDetail.unitPrice.amount.eq('12.40'));
      assert.equal(poom.total.currency, 'CHF');
      assert.ok(poom.total.amount.eq('37.20'));

      const mixed = await session();
      await post(`${mixed}/cart/add`, { product_id: a!.id, quantity: '1' });
      await post(`${mixed}/cart/add`, { product_id: b!.id, quantity: '1' });
      const blocked = await post(`${mixed}/transfer`, {});
      assert.equal(blocked.status, 409);
      assert.match(await blocked.text(), /mixes currencies \(CHF, EUR\)/);
    } finally {
      await useList('demo-cxml', null);
    }
  });
});
