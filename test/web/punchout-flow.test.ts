/**
 * The storefront round trip over real HTTP: OCI login → shop → cart → transfer (OCI form back),
 * cXML setup → start page → cart → transfer (PunchOutOrderMessage back) → OrderRequest, and the
 * refusals a person sees as pages.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dec } from '../../src/protocol/money.js';
import { readCxml } from '../../src/protocol/cxml/reader.js';
import { writeOrderRequest } from '../../src/protocol/cxml/writer.js';
import type { PunchOutOrderMessage } from '../../src/protocol/cxml/model.js';
import { pairsFromHtmlForm, readOciCartForm } from '../../src/protocol/oci/cart-form-reader.js';
import { createConnection } from '../../src/app/connections.js';
import { createPriceList, savePriceListItems } from '../../src/app/pricing.js';
import { countRows } from '../../src/store/migrations/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { assertDtdValid } from '../helpers/dtd.js';
import { demoHeader, postCxml, setupRequestXml, testPayloadId } from '../helpers/cxml.js';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

const HOOK = 'https://srm.buyer.example/sap/bc/gui/sap/its/bbpsc02?sap-client=100&~OkCode=ADDI&x=a%20b';

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

async function ociLogin(extra: Record<string, string> = {}, method: 'GET' | 'POST' = 'POST'): Promise<Response> {
  const fields = { USERNAME: 'demo', PASSWORD: 'demo', HOOK_URL: HOOK, '~OkCode': 'ADDI', '~TARGET': '_top', '~CALLER': 'CTLG', ...extra };
  if (method === 'GET') return fetch(`${t.baseUrl}/punchout/oci/demo-oci?${form(fields)}`, { redirect: 'manual' });
  return fetch(`${t.baseUrl}/punchout/oci/demo-oci`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(fields) });
}

function sessionPath(res: Response): string {
  assert.equal(res.status, 303);
  const location = res.headers.get('location')!;
  assert.match(location, /^\/shop\/s\/[A-Za-z0-9_-]{20,}/);
  return location.split('?')[0]!;
}

async function post(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${t.baseUrl}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(fields) });
}

async function someProducts(n: number) {
  return t.store.db.selectFrom('products').selectAll().where('stock', '>', 0).orderBy('sku').limit(n).execute();
}

describe('OCI round trip', () => {
  test('login, two products, change and remove, transfer: the form carries both lines and echoes', async () => {
    const path = sessionPath(await ociLogin());
    const catalog = await fetch(`${t.baseUrl}${path}`);
    assert.equal(catalog.status, 200);
    assert.match(await catalog.text(), /Transfer cart|Add to cart/);
    const [a, b, c] = await someProducts(3);
    assert.equal((await post(`${path}/cart/add`, { product_id: a!.id, quantity: '2' })).status, 303);
    assert.equal((await post(`${path}/cart/add`, { product_id: b!.id, quantity: '1' })).status, 303);
    assert.equal((await post(`${path}/cart/add`, { product_id: c!.id, quantity: '1' })).status, 303);
    const lines = await t.store.db.selectFrom('cart_lines').selectAll().where('session_id', '=', path.split('/')[3]!).orderBy('position').execute();
    assert.equal(lines.length, 3);
    await post(`${path}/cart/update`, { line_id: lines[1]!.id, quantity: '3' });
    await post(`${path}/cart/remove`, { line_id: lines[2]!.id });
    const cart = await (await fetch(`${t.baseUrl}${path}/cart`)).text();
    assert.match(cart, /Transfer cart/);
    assert.match(cart, /Cancel punchout/);

    const res = await post(`${path}/transfer`, {});
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.ok(page.includes(`action="${HOOK.replace(/&/g, '&amp;')}"`), 'HOOK_URL used verbatim as the form action');
    const pairs = pairsFromHtmlForm(page);
    const read = readOciCartForm(pairs);
    assert.equal(read.lines.length, 2);
    assert.equal(read.lines[0]!.vendorMat, a!.sku);
    assert.ok(read.lines[0]!.quantity!.equals(2));
    assert.ok(read.lines[0]!.price!.div(read.lines[0]!.priceUnit).equals(dec(a!.price)));
    assert.ok(read.lines[1]!.quantity!.equals(3));
    assert.ok(pairs.some(([n, v]) => n === '~OkCode' && v === 'ADDI'));
    assert.ok(pairs.some(([n, v]) => n === '~CALLER' && v === 'CTLG'));
    assert.match(page, /target="_top"/);

    // The session has ended: the shop says so instead of silently starting over.
    const again = await fetch(`${t.baseUrl}${path}/cart`);
    assert.equal(again.status, 410);
    assert.match(await again.text(), /ended/);
    const retransfer = await post(`${path}/transfer`, {});
    assert.equal(retransfer.status, 410);
  });

  test('GET login works too, and the IFS-style unencoded HOOK_URL sent last keeps its query', async () => {
    const raw = `USERNAME=demo&PASSWORD=demo&OCI_VERSION=4.0&HOOK_URL=https://ifs.buyer.example/ret?uniqueid=42&lang=en`;
    const res = await fetch(`${t.baseUrl}/punchout/oci/demo-oci?${raw}`, { redirect: 'manual' });
    const path = sessionPath(res);
    const row = await t.store.db.selectFrom('punchout_sessions').selectAll().where('id', '=', path.split('/')[3]!).executeTakeFirstOrThrow();
    assert.equal(row.return_url, 'https://ifs.buyer.example/ret?uniqueid=42&lang=en');
  });

  test('cancel sends an empty form with the echo fields only', async () => {
    const path = sessionPath(await ociLogin());
    const [a] = await someProducts(1);
    await post(`${path}/cart/add`, { product_id: a!.id, quantity: '1' });
    const page = await (await post(`${path}/cancel`, {})).text();
    const pairs = pairsFromHtmlForm(page);
    assert.equal(pairs.filter(([n]) => n.startsWith('NEW_ITEM-')).length, 0);
    assert.ok(pairs.some(([n]) => n === '~OkCode'));
  });

  test('two sessions of the same buyer never share a cart', async () => {
    const p1 = sessionPath(await ociLogin());
    const p2 = sessionPath(await ociLogin());
    const [a] = await someProducts(1);
    await post(`${p1}/cart/add`, { product_id: a!.id, quantity: '1' });
    const n2 = await t.store.db.selectFrom('cart_lines').select('id').where('session_id', '=', p2.split('/')[3]!).execute();
    assert.equal(n2.length, 0);
  });

  const refusals: [string, Record<string, string>, number, RegExp][] = [
    ['a wrong password', { PASSWORD: 'nope' }, 401, /not accepted/],
    ['no HOOK_URL', { HOOK_URL: '' }, 400, /HOOK_URL/],
    ['a javascript: HOOK_URL', { HOOK_URL: 'javascript:alert(1)' }, 400, /not allowed/],
  ];
  for (const [name, extra, code, text] of refusals) {
    test(`${name} gets a ${code} page that says what to do, and opens no session`, async () => {
      const before = await countRows(t.store.db, 'punchout_sessions');
      const res = await ociLogin(extra);
      assert.equal(res.status, code);
      assert.match(await res.text(), text);
      assert.equal(await countRows(t.store.db, 'punchout_sessions'), before);
    });
  }

  test('FUNCTION=VALIDATE answers at once with one item for the quantity, auto-submitted, no session', async () => {
    const [a] = await someProducts(1);
    const before = await countRows(t.store.db, 'punchout_sessions');
    const res = await ociLogin({ FUNCTION: 'VALIDATE', PRODUCTID: a!.sku, QUANTITY: '7' });
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /<script/);
    const read = readOciCartForm(pairsFromHtmlForm(page));
    assert.equal(read.lines.length, 1);
    assert.equal(read.lines[0]!.extProductId, a!.sku);
    assert.ok(read.lines[0]!.quantity!.equals(7));
    assert.equal(await countRows(t.store.db, 'punchout_sessions'), before);
    const unknown = readOciCartForm(pairsFromHtmlForm(await (await ociLogin({ FUNCTION: 'VALIDATE', PRODUCTID: 'NO-SUCH-SKU' })).text()));
    assert.equal(unknown.lines.length, 0);
  });

  test('FUNCTION=BACKGROUND_SEARCH answers with every hit in a form that is not submitted', async () => {
    const res = await ociLogin({ FUNCTION: 'BACKGROUND_SEARCH', SEARCHSTRING: 'pen' });
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.ok(!page.includes('<script'), 'not auto-submitted');
    const read = readOciCartForm(pairsFromHtmlForm(page));
    assert.ok(read.lines.length > 1);
    assert.ok(read.lines.filter((l) => /pen/i.test(l.description ?? '')).length >= read.lines.length / 2, 'hits are about pens');
  });

  test('FUNCTION=DETAIL opens the product page in a new session', async () => {
    const [a] = await someProducts(1);
    const res = await ociLogin({ FUNCTION: 'DETAIL', PRODUCTID: a!.sku });
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location')!, new RegExp(`/products/${a!.id}$`));
  });

  test('an unknown connection gets a 404 page', async () => {
    const res = await fetch(`${t.baseUrl}/punchout/oci/nobody?USERNAME=demo&PASSWORD=demo&HOOK_URL=https://x.example/`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /no OCI connection/i);
  });

  test('the OCI call is logged with the password masked', async () => {
    await ociLogin({ PASSWORD: 'demo' });
    const docs = await t.store.db.selectFrom('documents').selectAll().where('protocol', '=', 'oci').execute();
    assert.ok(docs.some((d) => d.doc_type === 'OCI call' && d.status === '200'));
    assert.ok(docs.some((d) => d.doc_type === 'OCI cart'));
    for (const d of docs) assert.ok(!/"PASSWORD",\s*"value":\s*"demo"/.test(d.body), 'password in the log');
  });

  test('an unknown or missing session at transfer time is an explicit 404 page', async () => {
    const res = await post('/shop/s/does-not-exist/transfer', {});
    assert.equal(res.status, 404);
    assert.match(await res.text(), /purchasing system/);
    assert.equal((await fetch(`${t.baseUrl}/shop`)).status, 400);
  });

  test('an ISO-8859-1 buyer gets a Latin-1 page without question marks', async () => {
    await createConnection(t.ctx, { id: 'latin1-buyer', name: 'Latin-1 buyer', protocol: 'oci', ociUsername: 'l1', secret: 'pw', returnUrlPrefixes: ['https://'], options: { oci: { charset: 'ISO-8859-1' } } });
    const res = await fetch(`${t.baseUrl}/punchout/oci/latin1-buyer`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ USERNAME: 'l1', PASSWORD: 'pw', HOOK_URL: 'https://b.example/r' }) });
    const path = sessionPath(res);
    const product = await t.store.db.selectFrom('products').selectAll().where('name', 'like', '%™%').executeTakeFirst() ?? (await someProducts(1))[0]!;
    await post(`${path}/cart/add`, { product_id: product.id, quantity: '1' });
    const out = await post(`${path}/transfer`, {});
    assert.match(out.headers.get('content-type') ?? '', /ISO-8859-1/i);
    const bytes = Buffer.from(await out.arrayBuffer());
    const text = bytes.toString('latin1');
    assert.match(text, /accept-charset="ISO-8859-1"/i);
    assert.ok(!text.includes('?') || !/value="[^"]*\?[^"]*"/.test(text.replace(/action="[^"]*"/, '')), 'no ? substitutions in values');
  });
});

describe('cXML round trip', () => {
  test('setup → start page → cart → PunchOutOrderMessage with cookie and aux IDs → OrderRequest', async () => {
    const setup = await postCxml(t.baseUrl, setupRequestXml('https://buyer.example/cxml/return?req=9', { buyerCookie: '  Cookie\nWith Space  ' } as never));
    assert.equal(setup.status.code, 200);
    const start = await fetch(setup.startPageUrl!, { redirect: 'manual' });
    const path = sessionPath(start);
    const [a, b] = await someProducts(2);
    await post(`${path}/cart/add`, { product_id: a!.id, quantity: '2' });
    await post(`${path}/cart/add`, { product_id: b!.id, quantity: '5' });
    const res = await post(`${path}/transfer`, {});
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.ok(page.includes('action="https://buyer.example/cxml/return?req=9"'));
    const pairs = pairsFromHtmlForm(page);
    assert.equal(pairs.length, 1);
    assert.equal(pairs[0]![0], 'cXML-base64');
    const xml = Buffer.from(pairs[0]![1], 'base64').toString('utf8');
    assertDtdValid(xml, 'cXML', '1.2.014');
    assertDtdValid(xml, 'cXML');
    const poom = readCxml(xml).envelope.payload as PunchOutOrderMessage;
    assert.equal(poom.kind, 'PunchOutOrderMessage');
    assert.equal(poom.buyerCookie, '  Cookie\nWith Space  ');
    assert.equal(poom.items.length, 2);
    assert.equal(poom.items[0]!.itemID.supplierPartID, a!.sku);
    assert.ok(poom.items[0]!.itemID.supplierPartAuxiliaryID);
    const expected = dec(a!.price).times(2).toDecimalPlaces(2).plus(dec(b!.price).times(5).toDecimalPlaces(2));
    assert.ok(poom.total.amount.equals(expected), `total ${poom.total.amount} vs ${expected}`);
    assert.ok(!xml.includes('SharedSecret'), 'no secret travels through the browser');

    // The buyer approves and orders the same lines: aux IDs come back unchanged.
    const payloadID = testPayloadId();
    const order = writeOrderRequest({ payloadID, timestamp: new Date() }, demoHeader(), {
      header: {
        orderID: 'PO-RT-1',
        orderDate: { raw: '2026-12-03', dateOnly: '2026-12-03' },
        type: 'new',
        total: poom.total,
        billTo: { name: 'Buyer BV', isoCountryCode: 'NL', postalAddress: { street: ['Kerkstraat 1'], city: 'Utrecht', countryCode: 'NL', country: 'Netherlands', deliverTo: [] } },
        contacts: [],
        comments: [],
        extrinsics: [],
      },
      items: poom.items.map((i, n) => ({ quantity: i.quantity, lineNumber: n + 1, isAdHoc: false, itemID: i.itemID, itemDetail: i.itemDetail, distributions: [], contacts: [], comments: [], extrinsics: [] })),
    } as Parameters<typeof writeOrderRequest>[2]);
    const answer = await postCxml(t.baseUrl, order);
    assert.equal(answer.status.code, 200, answer.status.detail);
    const stored = await t.store.db.selectFrom('orders').innerJoin('order_lines', 'order_lines.order_id', 'orders.id').select(['order_lines.aux_id', 'order_lines.supplier_part_id']).where('orders.payload_id', '=', payloadID).orderBy('order_lines.line_number').execute();
    assert.deepEqual(stored.map((s) => s.aux_id), poom.items.map((i) => i.itemID.supplierPartAuxiliaryID));
  });

  test('edit re-opens the earlier cart from ItemOut; cancelling an edit answers Status 204', async () => {
    const [a] = await someProducts(1);
    const xml = setupRequestXml('https://buyer.example/r', {
      operation: 'edit',
      itemOut: [{ quantity: dec(4), lineNumber: 1, isAdHoc: false, itemID: { supplierPartID: a!.sku, supplierPartAuxiliaryID: 'aux-keep-1' }, distributions: [], contacts: [], comments: [], extrinsics: [] }],
    } as never);
    const setup = await postCxml(t.baseUrl, xml);
    assert.equal(setup.status.code, 200, setup.status.detail);
    const path = sessionPath(await fetch(setup.startPageUrl!, { redirect: 'manual' }));
    const lines = await t.store.db.selectFrom('cart_lines').selectAll().where('session_id', '=', path.split('/')[3]!).execute();
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.aux_id, 'aux-keep-1');
    assert.equal(lines[0]!.quantity, '4');
    const page = await (await post(`${path}/cancel`, {})).text();
    const poomXml = Buffer.from(pairsFromHtmlForm(page)[0]![1], 'base64').toString('utf8');
    const poom = readCxml(poomXml).envelope.payload as PunchOutOrderMessage;
    assert.equal(poom.status?.code, 204);
    assert.equal(poom.items.length, 0);
  });
});

describe('framing of the storefront per connection', () => {
  test('by default any site may frame the shop; a connection can limit it to named origins', async () => {
    const open = sessionPath(await ociLogin());
    const page = await fetch(`${t.baseUrl}${open}`);
    assert.equal(page.headers.get('x-frame-options'), null);
    assert.equal(page.headers.get('content-security-policy'), null);

    await createConnection(t.ctx, { id: 'framed-buyer', name: 'Framed buyer', protocol: 'oci', ociUsername: 'fb', secret: 'framed-pw', returnUrlPrefixes: ['https://'], options: { frameAncestors: ['https://*.ariba.com', 'https://srm.buyer.example'] } });
    const res = await fetch(`${t.baseUrl}/punchout/oci/framed-buyer`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ USERNAME: 'fb', PASSWORD: 'framed-pw', HOOK_URL: 'https://srm.buyer.example/r' }) });
    const limited = await fetch(`${t.baseUrl}${sessionPath(res)}`);
    assert.equal(limited.headers.get('content-security-policy'), 'frame-ancestors https://*.ariba.com https://srm.buyer.example');
  });
});

describe('cXML edit follows the buyer’s price list', () => {
  test('an edited cart is rebuilt at the price-list price, whatever price the buyer sent back', async () => {
    const who = { id: 'test', username: 'test', role: 'admin' as const };
    const created = await createPriceList(t.ctx, who, { name: 'Edit list', currency: 'EUR' });
    assert.ok(created.ok);
    const [a] = await someProducts(1);
    const saved = await savePriceListItems(t.ctx, who, created.id, `${a!.sku};0.77`);
    assert.ok(saved.ok);
    await t.store.db.updateTable('connections').set({ price_list_id: created.id }).where('id', '=', 'demo-cxml').execute();
    try {
      const xml = setupRequestXml('https://buyer.example/r', {
        operation: 'edit',
        itemOut: [{ quantity: dec(2), lineNumber: 1, isAdHoc: false, itemID: { supplierPartID: a!.sku, supplierPartAuxiliaryID: 'aux-pl' }, itemDetail: { unitPrice: { amount: dec('0.01'), currency: 'EUR' }, descriptions: [{ lang: 'en', text: 'x' }], unitOfMeasure: a!.unit, classifications: [{ domain: 'UNSPSC', code: a!.unspsc }], extrinsics: [] }, distributions: [], contacts: [], comments: [], extrinsics: [] }],
      } as never);
      const setup = await postCxml(t.baseUrl, xml);
      assert.equal(setup.status.code, 200, setup.status.detail);
      const path = sessionPath(await fetch(setup.startPageUrl!, { redirect: 'manual' }));
      const [line] = await t.store.db.selectFrom('cart_lines').selectAll().where('session_id', '=', path.split('/')[3]!).execute();
      assert.equal(line!.unit_price, '0.77');
      assert.equal(line!.aux_id, 'aux-pl');
    } finally {
      await t.store.db.updateTable('connections').set({ price_list_id: null }).where('id', '=', 'demo-cxml').execute();
    }
  });
});

describe('storefront keeps the buyer’s place', () => {
  test('adding a product from a search result returns to that search', async () => {
    const path = sessionPath(await ociLogin());
    const [a] = await someProducts(1);
    const res = await post(`${path}/cart/add`, { product_id: a!.id, quantity: '1', return_to: 'catalog', return_query: 'q=pen&category=Writing%20instruments&page=2&evil=x' });
    assert.equal(res.status, 303);
    const location = res.headers.get('location')!;
    assert.match(location, /\?q=pen&category=Writing\+instruments&page=2&notice=added$/);
    assert.ok(!location.includes('evil'));
  });
});

describe('the buyer sandbox is served only where it should be', () => {
  test('without demo data the sandbox is off unless KOPPEL_SANDBOX=1 (it makes server-side requests to typed URLs)', async () => {
    const { loadConfig } = await import('../../src/config.js');
    assert.equal(loadConfig({ KOPPEL_DEMO: '0' }).sandbox, false);
    assert.equal(loadConfig({ KOPPEL_DEMO: '0', KOPPEL_SANDBOX: '1' }).sandbox, true);
    assert.equal(loadConfig({}).sandbox, true);
    assert.equal(loadConfig({ KOPPEL_SANDBOX: '0' }).sandbox, false);
    const off = await startTestApp({ config: { sandbox: false } });
    try {
      assert.equal((await fetch(`${off.baseUrl}/sandbox`)).status, 404);
      assert.equal((await fetch(`${off.baseUrl}/sandbox/punchouts`, { method: 'POST', body: 'protocol=cxml&cxmlUrl=http://127.0.0.1:9/' , headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 404);
    } finally {
      await off.close();
    }
  });
});
