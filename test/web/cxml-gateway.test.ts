/**
 * POST /cxml over real HTTP: profile, punchout setup from real buyers' documents, orders, and
 * every kind of bad input — each answered with a full cXML envelope, nothing stored changing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { countRows } from '../../src/store/migrations/index.js';
import { createConnection } from '../../src/app/connections.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { assertDtdValid } from '../helpers/dtd.js';
import { demoHeader, fixtureOrderAsDemo, fixtureSetupAsDemo, postCxml, setupRequestXml, testPayloadId } from '../helpers/cxml.js';
import { writeOrderRequest } from '../../src/protocol/cxml/writer.js';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

function header(secret = 'demo-secret', from = 'DEMO-BUYER'): string {
  return `<Header><From><Credential domain="NetworkID"><Identity>${from}</Identity></Credential></From><To><Credential domain="NetworkID"><Identity>KOPPEL-DEMO</Identity></Credential></To><Sender><Credential domain="networkid"><Identity>DEMO-BUYER</Identity><SharedSecret>${secret}</SharedSecret></Credential><UserAgent>test</UserAgent></Sender></Header>`;
}

function profileRequest(secret?: string, from?: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="${testPayloadId()}" timestamp="2026-12-03T10:00:00+01:00">${header(secret, from)}<Request><ProfileRequest/></Request></cXML>`;
}

async function snapshot(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['punchout_sessions', 'cart_lines', 'orders', 'order_lines', 'cxml_receipts', 'connections', 'products']) out[table] = await countRows(t.store.db, table);
  return out;
}

describe('ProfileRequest', () => {
  test('answers a ProfileResponse listing the supported requests, DTD-valid', async () => {
    const r = await postCxml(t.baseUrl, profileRequest());
    assert.equal(r.http, 200);
    assert.equal(r.status.code, 200);
    assertDtdValid(r.text, 'cXML');
    for (const name of ['ProfileRequest', 'PunchOutSetupRequest', 'OrderRequest']) assert.match(r.text, new RegExp(`requestName="${name}"`));
    assert.ok(r.text.includes(`${t.baseUrl}/cxml`));
  });

  test('a wrong SharedSecret gets a cXML 401 naming the Sender', async () => {
    const r = await postCxml(t.baseUrl, profileRequest('not-the-secret'));
    assert.equal(r.http, 200);
    assert.equal(r.status.code, 401);
    assert.match(r.status.detail ?? '', /Sender/);
    assertDtdValid(r.text, 'cXML');
  });

  test('an unknown buyer gets a cXML 401 naming the From credential', async () => {
    const r = await postCxml(t.baseUrl, profileRequest('demo-secret', 'SOMEONE-ELSE'));
    assert.equal(r.status.code, 401);
    assert.match(r.status.detail ?? '', /SOMEONE-ELSE/);
  });
});

describe('PunchOutSetupRequest', () => {
  for (const prefix of ['01', '02', '03', '04', '05', '06', '07', '08']) {
    test(`real setup request ${prefix} opens a session with a single-use start page`, async () => {
      const { xml, request } = fixtureSetupAsDemo(prefix);
      const r = await postCxml(t.baseUrl, xml);
      assert.equal(r.status.code, 200, r.status.detail);
      assertDtdValid(r.text, 'cXML');
      assert.ok(r.startPageUrl?.startsWith(`${t.baseUrl}/punchout/start/`));
      const first = await fetch(r.startPageUrl!, { redirect: 'manual' });
      assert.equal(first.status, 303);
      const shop = await fetch(new URL(first.headers.get('location')!, t.baseUrl));
      assert.equal(shop.status, 200);
      const page = await shop.text();
      assert.match(page, /Add to cart/);
      const second = await fetch(r.startPageUrl!, { redirect: 'manual' });
      assert.ok(second.status >= 400, `second use gave ${second.status}`);
      const row = await t.store.db.selectFrom('punchout_sessions').selectAll().where('setup_payload_id', 'is not', null).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
      assert.equal(row.buyer_cookie, request.buyerCookie, 'BuyerCookie kept byte for byte');
    });
  }

  test('missing BrowserFormPost is refused with 400 and opens nothing', async () => {
    const before = await snapshot();
    const xml = setupRequestXml('https://buyer.example/return', { browserFormPostUrl: undefined } as never);
    const r = await postCxml(t.baseUrl, xml);
    assert.equal(r.status.code, 400);
    assert.match(r.status.detail ?? '', /BrowserFormPost/);
    assert.deepEqual(await snapshot(), before);
  });

  test('a javascript: return URL is refused', async () => {
    const r = await postCxml(t.baseUrl, setupRequestXml('javascript:alert(1)'));
    assert.equal(r.status.code, 400);
    assert.match(r.status.detail ?? '', /not allowed/);
  });

  test('a return URL outside the connection’s allowed prefixes is refused', async () => {
    await createConnection(t.ctx, {
      id: 'strict-buyer',
      name: 'Strict buyer',
      protocol: 'cxml',
      buyerIdentities: [{ domain: 'DUNS', identity: '123456789' }],
      supplierIdentities: [{ domain: 'DUNS', identity: 'KOPPEL' }],
      senderIdentities: [{ domain: 'DUNS', identity: '123456789' }],
      secret: 's3cret',
      returnUrlPrefixes: ['https://strict.example/punchout/'],
    });
    const creds = (id: string, secret?: string) => `<Credential domain="DUNS"><Identity>${id}</Identity>${secret ? `<SharedSecret>${secret}</SharedSecret>` : ''}</Credential>`;
    const doc = (url: string) => `<?xml version="1.0"?><cXML payloadID="${testPayloadId()}" timestamp="2026-12-03T10:00:00+00:00"><Header><From>${creds('123456789')}</From><To>${creds('KOPPEL')}</To><Sender>${creds('123456789', 's3cret')}<UserAgent>t</UserAgent></Sender></Header><Request><PunchOutSetupRequest operation="create"><BuyerCookie>c1</BuyerCookie><BrowserFormPost><URL>${url}</URL></BrowserFormPost></PunchOutSetupRequest></Request></cXML>`;
    const good = await postCxml(t.baseUrl, doc('https://strict.example/punchout/return?id=7'));
    assert.equal(good.status.code, 200, good.status.detail);
    const bad = await postCxml(t.baseUrl, doc('https://evil.example/punchout/return'));
    assert.equal(bad.status.code, 400);
    assert.match(bad.status.detail ?? '', /evil\.example/);
  });

  test('operation="source" is answered 450', async () => {
    const r = await postCxml(t.baseUrl, setupRequestXml('https://buyer.example/r', { operation: 'source' } as never));
    assert.equal(r.status.code, 450);
  });

  test('the document log keeps both documents with the secret and the start token redacted', async () => {
    const r = await postCxml(t.baseUrl, setupRequestXml('https://buyer.example/r'));
    const token = r.startPageUrl!.split('/').pop()!;
    const docs = await t.store.db.selectFrom('documents').selectAll().execute();
    assert.ok(docs.some((d) => d.direction === 'in' && d.doc_type === 'PunchOutSetupRequest' && d.status === '200'));
    assert.ok(docs.some((d) => d.direction === 'out' && d.doc_type === 'PunchOutSetupResponse'));
    for (const d of docs) {
      assert.ok(!d.body.includes('demo-secret'), `secret leaked in ${d.doc_type}`);
      assert.ok(!d.body.includes(token), `start token leaked in ${d.doc_type}`);
    }
  });
});

describe('bad input', () => {
  const hostile: Record<string, string> = {
    'malformed XML': '<cXML payloadID="x" timestamp="2026-01-01T00:00:00+00:00"><Header></cXML>',
    'an XXE attempt': `<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY x SYSTEM "file:///etc/passwd">]><cXML payloadID="x@t" timestamp="2026-01-01T00:00:00+00:00">${header('demo-secret', '&x;')}<Request><ProfileRequest/></Request></cXML>`,
    'a billion-laughs document': `<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><cXML payloadID="x@t" timestamp="2026-01-01T00:00:00+00:00"><Header><From><Credential domain="NetworkID"><Identity>&d;</Identity></Credential></From></Header></cXML>`,
    'an empty body': '',
    'not cXML at all': '<html><body>hello</body></html>',
    'a Response sent as a request': `<cXML payloadID="x@t" timestamp="2026-01-01T00:00:00+00:00"><Response><Status code="200" text="OK"/></Response></cXML>`,
  };
  for (const [name, body] of Object.entries(hostile)) {
    test(`${name} gets a cXML 4xx, stores nothing and the server stays up`, async () => {
      const before = await snapshot();
      const r = await postCxml(t.baseUrl, body);
      assert.equal(r.http, 200);
      assert.ok(r.status.code >= 400 && r.status.code < 500, `status ${r.status.code}`);
      assert.ok((r.status.detail ?? '').length > 5, 'the text names the problem');
      assert.ok(!r.text.includes('root:'), 'no file content in the answer');
      assertDtdValid(r.text, 'cXML');
      assert.deepEqual(await snapshot(), before);
      assert.equal((await fetch(`${t.baseUrl}/healthz`)).status, 200);
    });
  }

  test('an unsupported request (StatusUpdateRequest) is answered 450', async () => {
    const body = `<cXML payloadID="${testPayloadId()}" timestamp="2026-01-01T00:00:00+00:00">${header()}<Request><StatusUpdateRequest><Status code="200" text="OK"/></StatusUpdateRequest></Request></cXML>`;
    const r = await postCxml(t.baseUrl, body);
    assert.equal(r.status.code, 450);
    assert.match(r.status.detail ?? '', /StatusUpdateRequest/);
  });

  test('an oversized body gets HTTP 413 with a cXML envelope, nothing stored', async () => {
    const small = await startTestApp({ config: { maxBodyBytes: 2048 } });
    try {
      const before = await countRows(small.store.db, 'orders');
      const big = `${profileRequest()}<!-- ${'x'.repeat(5000)} -->`;
      const res = await fetch(`${small.baseUrl}/cxml`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: big });
      assert.equal(res.status, 413);
      const text = await res.text();
      assert.match(text, /<Status code="4\d\d"/);
      assert.match(text, /2048/);
      assert.equal(await countRows(small.store.db, 'orders'), before);
    } finally {
      await small.close();
    }
  });
});

let ownIds = 0;
/** A real fixture's order under a fresh orderID (and payloadID). */
function fixtureOrderWithOwnId(prefix: string): ReturnType<typeof fixtureOrderAsDemo> {
  const read = fixtureOrderAsDemo(prefix);
  ownIds += 1;
  const order = { ...read.order, header: { ...read.order.header, orderID: `${read.order.header.orderID}-${ownIds}` } };
  const xml = writeOrderRequest({ payloadID: read.payloadID, timestamp: new Date() }, demoHeader(), order as Parameters<typeof writeOrderRequest>[2]);
  return { xml, order, payloadID: read.payloadID };
}

describe('OrderRequest', () => {
  for (const prefix of ['19', '20', '21', '22']) {
    test(`real order ${prefix} is stored once; the same payloadID gets the same answer`, async () => {
      // Orders are one per (buyer, orderID), and fixtures 19 and 22 share DO1234: each gets its own.
      const { xml, order, payloadID } = fixtureOrderWithOwnId(prefix);
      const before = await countRows(t.store.db, 'orders');
      const a = await postCxml(t.baseUrl, xml);
      assert.equal(a.status.code, 200, a.status.detail);
      assertDtdValid(a.text, 'cXML');
      const b = await postCxml(t.baseUrl, xml);
      assert.equal(b.text, a.text, 'identical answer');
      assert.equal(await countRows(t.store.db, 'orders'), before + 1);
      const stored = await t.store.db.selectFrom('orders').selectAll().where('payload_id', '=', payloadID).executeTakeFirstOrThrow();
      assert.equal(stored.order_id, order.header.orderID);
      assert.equal(stored.total, order.header.total.amount.toString());
      const lines = await t.store.db.selectFrom('order_lines').selectAll().where('order_id', '=', stored.id).orderBy('line_number').execute();
      assert.equal(lines.length, order.items.length);
      assert.equal(lines[0]!.supplier_part_id, order.items[0]!.itemID.supplierPartID);
      assert.equal(lines[0]!.aux_id, order.items[0]!.itemID.supplierPartAuxiliaryID ?? null);
    });
  }

  test('concurrent copies of one order create exactly one order', async () => {
    const { xml, payloadID } = fixtureOrderWithOwnId('20');
    const answers = await Promise.all(Array.from({ length: 6 }, () => postCxml(t.baseUrl, xml)));
    assert.ok(answers.every((a) => a.status.code === 200));
    const rows = await t.store.db.selectFrom('orders').select('id').where('payload_id', '=', payloadID).execute();
    assert.equal(rows.length, 1);
  });

  test('a line with neither part ID nor ad-hoc flag is refused, naming the line', async () => {
    const body = `<cXML payloadID="${testPayloadId()}" timestamp="2026-01-01T00:00:00+00:00">${header()}<Request><OrderRequest><OrderRequestHeader orderID="PO-X" orderDate="2026-01-01"><Total><Money currency="EUR">1.00</Money></Total><BillTo><Address><Name xml:lang="en">B</Name></Address></BillTo></OrderRequestHeader><ItemOut quantity="1" lineNumber="7"><ItemID><SupplierPartID></SupplierPartID></ItemID></ItemOut></OrderRequest></Request></cXML>`;
    const before = await snapshot();
    const r = await postCxml(t.baseUrl, body);
    assert.equal(r.status.code, 400);
    assert.match(r.status.detail ?? '', /line 7/i);
    assert.deepEqual(await snapshot(), before);
  });
});
