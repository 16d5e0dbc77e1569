/**
 * The cart preview over real HTTP (logged in to the admin), and the same lint stopping a real
 * transfer: a product whose unit the buyer cannot take is named on the cart page, nothing is
 * sent, and the session stays open.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredOptions } from '../../src/domain/connection.js';
import { cxmlFieldLines, diffLines, ociFieldLines, parseSampleText } from '../../src/app/cart-preview.js';
import { readCxml } from '../../src/protocol/cxml/reader.js';
import type { PunchOutOrderMessage } from '../../src/protocol/cxml/model.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { adminLogin, type AdminClient } from '../helpers/admin.js';
import { postCxml, setupRequestXml } from '../helpers/cxml.js';

let t: TestApp;
let viewer: AdminClient;
before(async () => {
  t = await startTestApp();
  viewer = await adminLogin(t, 'viewer');
});
after(async () => {
  await t.close();
});

async function setOptions(connectionId: string, change: (o: StoredOptions) => StoredOptions): Promise<void> {
  const row = await t.store.db.selectFrom('connections').select('options').where('id', '=', connectionId).executeTakeFirstOrThrow();
  await t.store.db.updateTable('connections').set({ options: JSON.stringify(change(JSON.parse(row.options) as StoredOptions)) }).where('id', '=', connectionId).execute();
}

async function post(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${t.baseUrl}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
}

async function ociSession(): Promise<string> {
  const res = await post('/punchout/oci/demo-oci', { USERNAME: 'demo', PASSWORD: 'demo', HOOK_URL: 'https://srm.buyer.example/hook?sap-client=100', '~OkCode': 'ADDI' });
  assert.equal(res.status, 303);
  return res.headers.get('location')!.split('?')[0]!;
}

async function cxmlSession(): Promise<string> {
  const setup = await postCxml(t.baseUrl, setupRequestXml('https://buyer.example/cxml/return'));
  assert.equal(setup.status.code, 200);
  const start = await fetch(setup.startPageUrl!, { redirect: 'manual' });
  return start.headers.get('location')!.split('?')[0]!;
}

async function product(where: 'plain' | 'long') {
  const q = t.store.db.selectFrom('products').selectAll().where('stock', '>', 0).orderBy('sku');
  // The long-named one has another unit than the plain one, so a PK unit map touches one line only.
  return where === 'long' ? q.where((eb) => eb.fn('length', ['name']), '>', 40).where('unit', '!=', 'PK').executeTakeFirstOrThrow() : q.where('unit', '=', 'PK').executeTakeFirstOrThrow();
}

async function page(path: string): Promise<string> {
  const res = await viewer.get(path);
  assert.equal(res.status, 200, path);
  return res.text();
}

describe('the preview page', () => {
  test('needs a login, and says so for an unknown connection', async () => {
    const res = await fetch(`${t.baseUrl}/admin/connections/demo-oci/preview`, { redirect: 'manual' });
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location')!, /^\/admin\/login\?next=/);
    assert.equal((await viewer.get('/admin/connections/nobody/preview')).status, 404);
  });

  test('OCI (no transfer yet): a sample cart with provenance, lint, the form as text, no earlier transfer', async () => {
    const html = await page('/admin/connections/demo-oci/preview');
    assert.match(html, /No cart has been transferred on this connection yet, so this is a sample cart of 3 product/);
    assert.match(html, /NEW_ITEM-DESCRIPTION\[1\]/);
    assert.match(html, /<code>default:name<\/code>/);
    assert.match(html, /<code>default:sku<\/code>/);
    assert.match(html, /<code>option:classificationDomain<\/code>/);
    assert.match(html, /<code>computed: unit price × PRICEUNIT<\/code>/, 'the sub-cent sample product goes out per price unit');
    assert.match(html, /DESCRIPTION is \d+ characters, OCI takes 40/, 'the long sample name is cut, and the lint says so');
    assert.match(html, /Nothing blocks this cart/);
    assert.match(html, /An OCI cart is an HTML form; it has no DTD/);
    assert.match(html, /&lt;form id=&quot;oci-cart-form&quot; method=&quot;post&quot; action=&quot;https:\/\/purchasing-system\.invalid\/return&quot;/);
    assert.match(html, /No earlier transfer/);
    assert.match(html, /last transfer sent<\/strong>, not the last one accepted/);
  });

  test('cXML: the PunchOutOrderMessage, its values with sources, DTD valid', async () => {
    const html = await page('/admin/connections/demo-cxml/preview?cart=sample');
    assert.match(html, /&lt;PunchOutOrderMessage&gt;/);
    assert.match(html, /&lt;ItemIn quantity=&quot;2&quot; lineNumber=&quot;1&quot;&gt;/);
    assert.match(html, /<td class="code nowrap">ShortName<\/td>/);
    assert.match(html, /<code>default:unspsc<\/code>/);
    assert.match(html, /<code>computed: sum of line totals<\/code>/);
    assert.match(html, /<span class="badge ok">valid<\/span> against cXML 1\.2\.014/);
  });

  test('a sample cart from a SKU list; unknown SKUs and bad lines are named', async () => {
    const p = await product('plain');
    const html = await page(`/admin/connections/demo-oci/preview?cart=sample&skus=${encodeURIComponent(`${p.sku};4\nNOPE-1\n${p.sku};x`)}`);
    assert.match(html, /A sample cart of 1 product/);
    assert.match(html, /There is no product with the SKU NOPE-1/);
    assert.match(html, /Line 3 \(&quot;.*;x&quot;\)/);
    assert.match(html, new RegExp(`NEW_ITEM-QUANTITY\\[1\\]</td><td class="code wrap">4\\.000`));
  });

  test('the sample text parser', () => {
    const r = parseSampleText('A-1;2\n\n# comment\nB-2\tx\nC-3 1.5\nD-4');
    assert.deepEqual(r.entries.map((e) => [e.sku, e.quantity.toFixed()]), [['A-1', '2'], ['C-3', '1.5'], ['D-4', '1']]);
    assert.equal(r.problems.length, 1);
  });
});

describe('the difference from the last transfer sent', () => {
  test('OCI: after a real transfer, the last cart shows no difference; a unit map change shows in the diff and blocks', async () => {
    const path = await ociSession();
    const p = await product('plain');
    const long = await product('long');
    await post(`${path}/cart/add`, { product_id: p.id, quantity: '3' });
    await post(`${path}/cart/add`, { product_id: long.id, quantity: '1' });
    assert.equal((await post(`${path}/transfer`, {})).status, 200);

    let html = await page('/admin/connections/demo-oci/preview?cart=last');
    assert.match(html, /The last cart transferred on this connection/);
    assert.match(html, /<strong>No difference:<\/strong> this cart would be sent exactly as then/);
    assert.match(html, /action=&quot;https:\/\/srm\.buyer\.example\/hook\?sap-client=100&quot;/, 'the real HOOK_URL of that session');
    assert.match(html, /~OkCode/, 'the echo fields of that session');

    await setOptions('demo-oci', (o) => ({ ...o, unitMap: { PK: 'PACKS' } }));
    try {
      html = await page('/admin/connections/demo-oci/preview?cart=last');
      assert.match(html, /A transfer of this cart would be blocked/);
      assert.ok(html.includes(`the unit map sends &quot;PACKS&quot; for our unit &quot;PK&quot;`));
      assert.match(html, /<span class="badge error">blocks<\/span>/);
      assert.match(html, /Unit map<\/dt><dd>PK → PACKS/);
    } finally {
      await setOptions('demo-oci', (o) => ({ ...o, unitMap: {} }));
    }
    await setOptions('demo-oci', (o) => ({ ...o, unitMap: { PK: 'PAK' } }));
    try {
      html = await page('/admin/connections/demo-oci/preview?cart=last');
      assert.match(html, /<span class="badge warn">changed<\/span>/);
      assert.match(html, /<td class="code nowrap">UNIT<\/td><td>changed<\/td><td class="code wrap">PK<\/td><td class="code wrap">PAK<\/td>/);
      assert.match(html, /1 line unchanged/);
      assert.match(html, /<code>unit map<\/code>/);
    } finally {
      await setOptions('demo-oci', (o) => ({ ...o, unitMap: {} }));
    }
  });

  test('cXML: after a real transfer, a sample cart is compared line by line (added, removed, header)', async () => {
    const path = await cxmlSession();
    const p = await product('plain');
    await post(`${path}/cart/add`, { product_id: p.id, quantity: '2' });
    assert.equal((await post(`${path}/transfer`, {})).status, 200);
    const same = await page('/admin/connections/demo-cxml/preview?cart=last');
    assert.match(same, /No difference:/);
    const html = await page(`/admin/connections/demo-cxml/preview?cart=sample&skus=${encodeURIComponent(`${p.sku};5`)}`);
    assert.match(html, /<td class="code nowrap">quantity<\/td><td>changed<\/td><td class="code wrap">2<\/td><td class="code wrap">5<\/td>/);
    assert.match(html, /<h3>Header<\/h3>/);
    assert.match(html, /BuyerCookie/);
  });

  test('pairing lines by product key: reordered lines are unchanged, others added or removed', () => {
    const f = (sku: string, qty: string) => ({ name: `NEW_ITEM-EXT_PRODUCT_ID[${sku.slice(-1)}]`, value: sku, qty });
    const before = ociFieldLines([f('A-1', '1'), f('B-2', '1')].flatMap((x) => [{ name: x.name, value: x.value }, { name: x.name.replace('EXT_PRODUCT_ID', 'QUANTITY'), value: x.qty }]));
    const after = ociFieldLines([
      { name: 'NEW_ITEM-EXT_PRODUCT_ID[1]', value: 'B-2' },
      { name: 'NEW_ITEM-QUANTITY[1]', value: '1' },
      { name: 'NEW_ITEM-EXT_PRODUCT_ID[2]', value: 'C-3' },
      { name: 'NEW_ITEM-QUANTITY[2]', value: '1' },
    ]);
    const diff = diffLines(before, after);
    assert.deepEqual(diff.map((l) => [l.status, l.label]), [['unchanged', ' (B-2)'], ['added', ' (C-3)'], ['removed', ' (A-1)']]);
  });

  test('cXML lines leave out the aux ID, which differs on every transfer', () => {
    const xml = `<?xml version="1.0"?><cXML payloadID="x" timestamp="2026-12-03T10:00:00+00:00"><Header><From><Credential domain="a"><Identity>b</Identity></Credential></From><To><Credential domain="a"><Identity>b</Identity></Credential></To><Sender><Credential domain="a"><Identity>b</Identity></Credential><UserAgent>u</UserAgent></Sender></Header><Message><PunchOutOrderMessage><BuyerCookie>c</BuyerCookie><PunchOutOrderMessageHeader operationAllowed="edit"><Total><Money currency="EUR">1.00</Money></Total></PunchOutOrderMessageHeader><ItemIn quantity="1"><ItemID><SupplierPartID>A</SupplierPartID><SupplierPartAuxiliaryID>z</SupplierPartAuxiliaryID></ItemID><ItemDetail><UnitPrice><Money currency="EUR">1.00</Money></UnitPrice><Description xml:lang="en">d</Description><UnitOfMeasure>EA</UnitOfMeasure><Classification domain="UNSPSC">1</Classification></ItemDetail></ItemIn></PunchOutOrderMessage></Message></cXML>`;
    const lines = cxmlFieldLines(readCxml(xml).envelope.payload as PunchOutOrderMessage);
    assert.equal(lines.header.get('Total'), '1.00 EUR');
    assert.ok(!lines.lines[0]!.fields.has('SupplierPartAuxiliaryID'));
    assert.equal(lines.lines[0]!.fields.get('Classification[UNSPSC]'), '1');
  });
});

describe('the lint before a real transfer', () => {
  test('a unit mapped to an invalid 5-character code: 409 page naming the product, nothing sent, session still open', async () => {
    const p = await product('plain');
    await setOptions('demo-oci', (o) => ({ ...o, unitMap: { [p.unit]: 'PIECE' } }));
    try {
      const path = await ociSession();
      const sessionId = path.split('/')[3]!;
      await post(`${path}/cart/add`, { product_id: p.id, quantity: '1' });
      const res = await post(`${path}/transfer`, {});
      assert.equal(res.status, 409);
      const html = await res.text();
      assert.match(html, /The cart cannot be transferred yet/);
      assert.ok(html.includes(`&quot;${p.name.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}&quot; (${p.sku})`), 'the product is named');
      assert.ok(html.includes('&quot;PIECE&quot;'));
      assert.ok(!html.includes('oci-cart-form'), 'no cart form was sent to the browser');
      const sent = await t.store.db.selectFrom('documents').select('id').where('session_id', '=', sessionId).where('doc_type', '=', 'OCI cart').execute();
      assert.equal(sent.length, 0, 'nothing logged as sent');
      const row = await t.store.db.selectFrom('punchout_sessions').select('status').where('id', '=', sessionId).executeTakeFirstOrThrow();
      assert.equal(row.status, 'open');
      assert.equal((await fetch(`${t.baseUrl}${path}/cart`)).status, 200, 'the shop still works for this session');

      // Once the map is fixed, the same session transfers.
      await setOptions('demo-oci', (o) => ({ ...o, unitMap: { [p.unit]: 'PCE' } }));
      const ok = await post(`${path}/transfer`, {});
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /name="NEW_ITEM-UNIT\[1\]" value="PCE"/);
    } finally {
      await setOptions('demo-oci', (o) => ({ ...o, unitMap: {} }));
    }
  });

  test('VALIDATE leaves out a product the buyer cannot take instead of failing, and logs why', async () => {
    const p = await product('plain');
    await setOptions('demo-oci', (o) => ({ ...o, unitMap: { [p.unit]: 'PIECE' } }));
    try {
      const res = await post('/punchout/oci/demo-oci', { USERNAME: 'demo', PASSWORD: 'demo', HOOK_URL: 'https://srm.buyer.example/hook', FUNCTION: 'VALIDATE', PRODUCTID: p.sku });
      assert.equal(res.status, 200);
      assert.ok(!(await res.text()).includes('NEW_ITEM-'), 'no item in the answer');
      const log = await t.store.db.selectFrom('documents').select('detail').where('doc_type', '=', 'OCI VALIDATE answer').orderBy('seq', 'desc').executeTakeFirstOrThrow();
      assert.match(log.detail, /0 item\(s\) .*1 left out: .*"PIECE"/);
    } finally {
      await setOptions('demo-oci', (o) => ({ ...o, unitMap: {} }));
    }
  });

  test('cancel is never blocked by the lint', async () => {
    const p = await product('plain');
    await setOptions('demo-oci', (o) => ({ ...o, unitMap: { [p.unit]: 'PIECE' } }));
    try {
      const path = await ociSession();
      await post(`${path}/cart/add`, { product_id: p.id, quantity: '1' });
      assert.equal((await post(`${path}/cancel`, {})).status, 200);
    } finally {
      await setOptions('demo-oci', (o) => ({ ...o, unitMap: {} }));
    }
  });
});
