/**
 * The sandbox against a fake supplier over real HTTP: a second Fastify server on 127.0.0.1:0
 * that answers cXML like a supplier would and records what it received. The sandbox runs in its
 * own Fastify instance with an in-memory store and the raw-string body parsing of server.ts.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import type { Envelope, OrderRequest, PunchOutSetupRequest } from '../../src/protocol/cxml/model.js';
import { readCxml } from '../../src/protocol/cxml/reader.js';
import { writePunchOutOrderMessage, writePunchOutSetupResponse, writeStatusResponse } from '../../src/protocol/cxml/writer.js';
import { encodeUrlencoded } from '../../src/protocol/oci/form-encoding.js';
import { dec } from '../../src/protocol/money.js';
import { registerSandbox } from '../../src/sandbox/routes.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

// ---- the fake supplier --------------------------------------------------------------------------

interface Received {
  contentType: string | undefined;
  body: string;
  envelope: Envelope;
}

const supplier = {
  app: undefined as FastifyInstance | undefined,
  base: '',
  received: [] as Received[],
  /** Answers for the next OrderRequests, in order; then 200. */
  orderAnswers: [] as { http: number; code?: number; body?: string }[],
  setupAnswer: undefined as { http: number; code?: number; body?: string } | undefined,
};

async function startSupplier(): Promise<void> {
  const app = Fastify();
  app.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'string' }, (_r, body, done) => done(null, body));
  app.post('/cxml', async (request, reply) => {
    const body = request.body as string;
    const { envelope } = readCxml(body);
    supplier.received.push({ contentType: request.headers['content-type'], body, envelope });
    const ctx = { payloadID: `${Date.now()}.${supplier.received.length}@supplier.test`, timestamp: new Date() };
    const kind = envelope.payload.kind;
    const planned = kind === 'OrderRequest' ? supplier.orderAnswers.shift() : supplier.setupAnswer;
    if (planned) {
      const text = planned.body ?? writeStatusResponse(ctx, { code: planned.code ?? 500, detail: 'planned by the test' });
      return reply.code(planned.http).type('text/xml; charset=utf-8').send(text);
    }
    if (kind === 'PunchOutSetupRequest') {
      return reply.type('text/xml; charset=utf-8').send(writePunchOutSetupResponse(ctx, { startPageUrl: `${supplier.base}/start/one-time-token` }));
    }
    return reply.type('text/xml; charset=utf-8').send(writeStatusResponse(ctx, { code: 200 }));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  supplier.base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  supplier.app = app;
}

/** A POOM as the supplier's shop would post it back. */
function poomXml(buyerCookie: string, items: 'two' | 'none' = 'two'): string {
  return writePunchOutOrderMessage(
    { payloadID: `poom.${Date.now()}@supplier.test`, timestamp: new Date() },
    {
      from: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO' }] },
      to: { credentials: [{ domain: 'NetworkID', identity: 'DEMO-BUYER' }] },
      sender: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO' }], userAgent: 'fake supplier' },
    },
    {
      buyerCookie,
      operationAllowed: 'edit',
      total: { amount: dec(items === 'two' ? '0.70' : '0'), currency: 'EUR' },
      items:
        items === 'none'
          ? []
          : [
              {
                quantity: dec('3'),
                itemID: { supplierPartID: 'SKU-1', supplierPartAuxiliaryID: 'sess-9/line-1 ä' },
                itemDetail: {
                  unitPrice: { amount: dec('0.1'), currency: 'EUR' },
                  descriptions: [{ lang: 'en', text: 'Ballpoint pen' }],
                  unitOfMeasure: 'EA',
                  classifications: [{ domain: 'UNSPSC', code: '44121704' }],
                },
              },
              {
                quantity: dec('2'),
                itemID: { supplierPartID: 'SKU-2', supplierPartAuxiliaryID: 'sess-9/line-2' },
                itemDetail: {
                  unitPrice: { amount: dec('0.2'), currency: 'EUR' },
                  descriptions: [{ lang: 'en', text: 'Pencil' }],
                  unitOfMeasure: 'EA',
                  classifications: [{ domain: 'UNSPSC', code: '44121706' }],
                },
              },
            ],
    },
  );
}

// ---- the sandbox --------------------------------------------------------------------------------

let sandbox: FastifyInstance;
let store: TestStore;
/** The browser reaches the sandbox under another name than the supplier's base URL. */
const SANDBOX_HOST = 'sandbox.test:8081';

before(async () => {
  await startSupplier();
  store = await openTestStore();
  sandbox = Fastify();
  // As src/web/server.ts: urlencoded and XML bodies arrive as raw strings.
  for (const type of ['application/x-www-form-urlencoded', 'text/xml', 'application/xml']) {
    sandbox.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 10 * 1024 * 1024 }, (_r, body, done) => done(null, body));
  }
  sandbox.addContentTypeParser('*', { parseAs: 'string' }, (_r, body, done) => done(null, body));
  const config = { ...loadConfig({ PORT: '0', KOPPEL_DATA_DIR: '/nonexistent' }), baseUrl: supplier.base };
  await registerSandbox(sandbox, { db: store.db, config });
  await sandbox.ready();
});

after(async () => {
  await sandbox.close();
  await supplier.app?.close();
  await store.cleanup();
});

beforeEach(() => {
  supplier.received = [];
  supplier.orderAnswers = [];
  supplier.setupAnswer = undefined;
});

function post(url: string, form: string | [string, string][], host = SANDBOX_HOST) {
  return sandbox.inject({
    method: 'POST',
    url,
    headers: { host, 'content-type': 'application/x-www-form-urlencoded' },
    payload: typeof form === 'string' ? form : encodeUrlencoded(form),
  });
}

function get(url: string) {
  return sandbox.inject({ method: 'GET', url, headers: { host: SANDBOX_HOST } });
}

function idFrom(text: string): string {
  const m = /\/sandbox\/punchouts\/([A-Za-z0-9_-]{16,64})/.exec(text);
  assert.ok(m, `no punchout id in:\n${text.slice(0, 2000)}`);
  return m[1]!;
}

/** Hidden inputs of the first form on a page (the template writes them in one known shape). */
function hiddenFields(page: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of page.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    out.set(m[1]!.replace(/&amp;/g, '&'), m[2]!.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
  }
  return out;
}

async function startCxml(extra = ''): Promise<{ id: string; setup: PunchOutSetupRequest; location?: string; page: string; status: number }> {
  const res = await post('/sandbox/punchouts', `protocol=cxml${extra}`);
  const setupDoc = supplier.received.find((r) => r.envelope.payload.kind === 'PunchOutSetupRequest');
  assert.ok(setupDoc, 'the supplier received a setup request');
  const setup = setupDoc.envelope.payload as PunchOutSetupRequest;
  return { id: idFrom(setup.browserFormPostUrl ?? ''), setup, ...(res.headers.location ? { location: String(res.headers.location) } : {}), page: res.body, status: res.statusCode };
}

function requisitionIdFrom(location: unknown): string {
  const m = /^\/sandbox\/requisitions\/([A-Za-z0-9_-]+)$/.exec(String(location));
  assert.ok(m, `not a requisition page: ${String(location)}`);
  return m[1]!;
}

/** The purchase order page linked from the punchout page. */
async function orderPageOf(punchoutId: string): Promise<{ path: string; body: string }> {
  const page = await get(`/sandbox/punchouts/${punchoutId}`);
  const m = /href="(\/sandbox\/orders\/[A-Za-z0-9_-]+)"/.exec(page.body);
  assert.ok(m, `no purchase order link on the punchout page:\n${page.body.slice(0, 3000)}`);
  const res = await get(m[1]!);
  assert.equal(res.statusCode, 200);
  return { path: m[1]!, body: res.body };
}

function ordersReceived(): { envelope: Envelope<OrderRequest>; body: string }[] {
  return supplier.received
    .filter((r) => r.envelope.payload.kind === 'OrderRequest')
    .map((r) => ({ envelope: r.envelope as Envelope<OrderRequest>, body: r.body }));
}

// ---- tests --------------------------------------------------------------------------------------

describe('start page', () => {
  it('offers the form with the demo defaults', async () => {
    const res = await get('/sandbox');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Start punchout/);
    assert.ok(res.body.includes(`value="${supplier.base}/punchout/oci/demo-oci"`));
    assert.ok(res.body.includes(`value="${supplier.base}/cxml"`));
    assert.match(res.body, /Open the shop inside an iframe/);
  });

  it('refuses a bad URL with a clear problem and keeps the form', async () => {
    const res = await post('/sandbox/punchouts', 'protocol=oci&ociUrl=ftp%3A%2F%2Fx');
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /OCI URL must be an absolute http/);
    assert.match(res.body, /Start punchout/);
  });

  it('answers an unknown punchout with a 404 page that says what to do', async () => {
    for (const url of ['/sandbox/punchouts/AAAAAAAAAAAAAAAAAAAAAAAA', '/sandbox/punchouts/x']) {
      const res = await get(url);
      assert.equal(res.statusCode, 404);
      assert.match(res.body, /Unknown punchout/);
      assert.match(res.body, /start a new punchout/);
    }
    assert.equal((await post('/sandbox/punchouts/AAAAAAAAAAAAAAAAAAAAAAAA/oci-return', 'x=1')).statusCode, 404);
  });
});

describe('OCI punchout', () => {
  it('renders the auto-submitting call with HOOK_URL on the sandbox origin', async () => {
    const res = await post('/sandbox/punchouts', 'protocol=oci&ociMethod=POST');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, new RegExp(`<form id="oci-call" method="post" action="${supplier.base}/punchout/oci/demo-oci">`));
    const f = hiddenFields(res.body);
    const id = idFrom(f.get('HOOK_URL') ?? '');
    assert.equal(f.get('HOOK_URL'), `http://${SANDBOX_HOST}/sandbox/punchouts/${id}/oci-return`);
    assert.equal(f.get('USERNAME'), 'demo');
    assert.equal(f.get('~OkCode'), 'ADDI');
    assert.equal(f.get('~TARGET'), '_top');
    assert.equal(f.get('~CALLER'), 'CTLG');
    assert.match(res.body, /<script>document.getElementById\('oci-call'\).submit\(\);<\/script>/);
    assert.match(res.body, /<button type="submit"[^>]*>Open the supplier shop<\/button>/);
  });

  it('frames the shop when asked: the iframe loads a sandbox page that makes the call', async () => {
    const res = await post('/sandbox/punchouts', 'protocol=oci&framed=1');
    assert.match(res.body, /<iframe name="shop"/);
    const src = /<iframe[^>]* src="([^"]+)"/.exec(res.body)?.[1];
    assert.match(src ?? '', /^\/sandbox\/punchouts\/[A-Za-z0-9_-]+\/oci-call$/);
    const call = await get(src!);
    assert.equal(call.statusCode, 200);
    assert.equal(hiddenFields(call.body).get('~TARGET'), '_top');
  });

  it('receives a large cart (> 1000 fields), shows it, and orders it once with aux IDs kept', async () => {
    const start = await post('/sandbox/punchouts', 'protocol=oci');
    const id = idFrom(hiddenFields(start.body).get('HOOK_URL')!);
    const pairs: [string, string][] = [['~OkCode', 'ADDI'], ['~TARGET', '_top'], ['~CALLER', 'CTLG']];
    const LINES = 40;
    for (let n = 1; n <= LINES; n++) {
      pairs.push(
        [`NEW_ITEM-DESCRIPTION[${n}]`, `Item ${n} & co`],
        [`NEW_ITEM-QUANTITY[${n}]`, '1.000'],
        [`NEW_ITEM-UNIT[${n}]`, 'PCE'],
        [`NEW_ITEM-PRICE[${n}]`, n === 1 ? '1.250' : '0.100'],
        [`NEW_ITEM-PRICEUNIT[${n}]`, n === 1 ? '10' : '1'],
        [`NEW_ITEM-CURRENCY[${n}]`, 'EUR'],
        [`NEW_ITEM-VENDORMAT[${n}]`, `SKU-${n}`],
        [`NEW_ITEM-EXT_PRODUCT_ID[${n}]`, `aux:${n}`],
        [`NEW_ITEM-LONGTEXT_${n}:132[]`, 'long text'],
      );
      for (let k = 1; k <= 22; k++) pairs.push([`NEW_ITEM-CUST_FIELD${k + 5}[${n}]`, `c${k}`]);
    }
    assert.ok(pairs.length > 1000);
    const ret = await post(`/sandbox/punchouts/${id}/oci-return`, pairs, 'supplier-does-not-matter.test');
    assert.equal(ret.statusCode, 303);
    // The cart became a draft requisition; the browser goes there.
    const requisitionId = requisitionIdFrom(ret.headers.location);

    const page = await get(`/sandbox/punchouts/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Cart received/);
    assert.ok(page.body.includes('<td class="code">aux:40</td>'));
    assert.ok(page.body.includes('Item 1 &amp; co'));
    // 0.125 × 1 → 0.13 (rounded per line) + 39 × 0.10 = 4.03
    assert.match(page.body, /<strong>4\.03<\/strong>/);
    assert.match(page.body, /NEW_ITEM-VENDORMAT\[40\]=SKU-40/, 'raw pairs are listed');
    assert.ok(page.body.includes(`/sandbox/requisitions/${requisitionId}`), 'the punchout links its requisition');
    assert.match(page.body, /Submit the requisition/);

    // Old scripts post /order: the requisition is submitted; below 250 EUR it is ordered at once.
    const order = await post(`/sandbox/punchouts/${id}/order`, '');
    assert.equal(order.statusCode, 303);
    assert.equal(order.headers.location, `/sandbox/requisitions/${requisitionId}`);
    const orders = ordersReceived();
    assert.equal(orders.length, 1);
    const o = orders[0]!.envelope;
    assert.equal(supplier.received.at(-1)!.contentType, 'text/xml; charset=utf-8');
    assert.match(o.payload.header.orderID, /^SBX-\d{8}-\d+$/);
    assert.equal(o.payload.header.total.raw, '4.03');
    assert.equal(o.payload.items.length, LINES);
    assert.deepEqual(o.payload.items[0]!.itemID, { supplierPartID: 'SKU-1', supplierPartAuxiliaryID: 'aux:1' });
    assert.equal(o.payload.items[0]!.itemDetail?.unitPrice.amount.toFixed(), '0.125');
    assert.equal(o.header?.sender.credentials[0]?.sharedSecret, 'demo-secret');
    assert.equal(o.header?.to.credentials[0]?.identity, 'KOPPEL-DEMO');

    const shown = await orderPageOf(id);
    assert.match(shown.body, /Received by the supplier \(cXML 200\)/);
    assert.ok(shown.body.includes(o.payloadID));
    assert.ok(shown.body.includes(o.payload.header.orderID));
    assert.ok(!shown.body.includes('demo-secret'), 'the SharedSecret is never shown');
    const punchoutPage = await get(`/sandbox/punchouts/${id}`);
    assert.doesNotMatch(punchoutPage.body, /Submit the requisition/);
    assert.ok(!punchoutPage.body.includes('demo-secret'));

    // A second press shows the result and sends nothing.
    const again = await post(`/sandbox/punchouts/${id}/order`, '');
    assert.equal(again.statusCode, 303);
    assert.equal(ordersReceived().length, 1);

    // A late cart for an ordered punchout is not stored.
    const late = await post(`/sandbox/punchouts/${id}/oci-return`, [['NEW_ITEM-DESCRIPTION[1]', 'late']]);
    assert.equal(late.statusCode, 409);
  });

  it('names a cart posted as multipart/form-data instead of reading it as empty', async () => {
    const start = await post('/sandbox/punchouts', 'protocol=oci');
    const id = idFrom(hiddenFields(start.body).get('HOOK_URL')!);
    const res = await sandbox.inject({
      method: 'POST',
      url: `/sandbox/punchouts/${id}/oci-return`,
      headers: { host: SANDBOX_HOST, 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x\r\nContent-Disposition: form-data; name="NEW_ITEM-DESCRIPTION[1]"\r\n\r\nPen\r\n--x--\r\n',
    });
    assert.equal(res.statusCode, 303);
    const page = await get(`/sandbox/punchouts/${id}`);
    assert.match(page.body, /Cart unreadable/);
    assert.match(page.body, /posted as multipart\/form-data/);
  });

  it('a cart with a negative "promo" line makes no requisition and no order; the page names the line', async () => {
    const start = await post('/sandbox/punchouts', 'protocol=oci');
    const id = idFrom(hiddenFields(start.body).get('HOOK_URL')!);
    const item = (n: number, price: string, qty = '1.000'): [string, string][] => [
      [`NEW_ITEM-DESCRIPTION[${n}]`, `Item ${n}`],
      [`NEW_ITEM-QUANTITY[${n}]`, qty],
      [`NEW_ITEM-UNIT[${n}]`, 'PCE'],
      [`NEW_ITEM-PRICE[${n}]`, price],
      [`NEW_ITEM-CURRENCY[${n}]`, 'EUR'],
      [`NEW_ITEM-VENDORMAT[${n}]`, `SKU-${n}`],
    ];
    const ret = await post(`/sandbox/punchouts/${id}/oci-return`, [['~OkCode', 'ADDI'], ...item(1, '4000.00'), ...item(2, '-3900.00')]);
    assert.equal(ret.statusCode, 303);
    assert.equal(ret.headers.location, `/sandbox/punchouts/${id}`, 'no requisition to go to');
    const page = await get(`/sandbox/punchouts/${id}`);
    assert.match(page.body, /This cart cannot become a requisition: line 2 has the unit price -3900(\.0+)? EUR; prices cannot be negative/);
    const order = await post(`/sandbox/punchouts/${id}/order`, '');
    assert.equal(order.statusCode, 422);
    assert.match(order.body, /line 2 has the unit price -3900/);
    assert.equal(ordersReceived().length, 0);

    const start2 = await post('/sandbox/punchouts', 'protocol=oci');
    const id2 = idFrom(hiddenFields(start2.body).get('HOOK_URL')!);
    await post(`/sandbox/punchouts/${id2}/oci-return`, [['~OkCode', 'ADDI'], ...item(1, '4000.00', '-1.000')]);
    assert.equal((await post(`/sandbox/punchouts/${id2}/order`, '')).statusCode, 422);
    assert.equal(ordersReceived().length, 0);
  });

  it('an empty cart is a cancelled punchout without an order button', async () => {
    const start = await post('/sandbox/punchouts', 'protocol=oci');
    const id = idFrom(hiddenFields(start.body).get('HOOK_URL')!);
    await post(`/sandbox/punchouts/${id}/oci-return`, [['~OkCode', 'ADDI']]);
    const page = await get(`/sandbox/punchouts/${id}`);
    assert.match(page.body, /Cancelled \(empty cart\)/);
    assert.doesNotMatch(page.body, /Submit the requisition/);
    assert.equal((await post(`/sandbox/punchouts/${id}/order`, '')).statusCode, 409);
    assert.equal(ordersReceived().length, 0);
  });
});

describe('cXML punchout', () => {
  it('posts a PunchOutSetupRequest and sends the browser to the StartPage', async () => {
    const { id, setup, location, status } = await startCxml();
    assert.equal(status, 303);
    assert.equal(location, `${supplier.base}/start/one-time-token`);
    const doc = supplier.received[0]!;
    assert.equal(doc.contentType, 'text/xml; charset=utf-8');
    assert.equal(setup.operation, 'create');
    assert.match(setup.buyerCookie, /^SBX-/);
    assert.equal(setup.browserFormPostUrl, `http://${SANDBOX_HOST}/sandbox/punchouts/${id}/cxml-return`);
    assert.deepEqual(setup.extrinsics.map((e) => e.name), ['UserEmail', 'UniqueName', 'CostCenter']);
    assert.equal(setup.contacts[0]?.role, 'endUser');
    assert.equal(doc.envelope.header?.sender.credentials[0]?.sharedSecret, 'demo-secret');
    assert.equal(doc.envelope.doctype?.version, '1.2.071');
  });

  it('reads the cart from cXML-base64, checks the BuyerCookie and orders with the aux IDs', async () => {
    const { id, setup } = await startCxml();
    const xml = poomXml(setup.buyerCookie);
    const ret = await post(`/sandbox/punchouts/${id}/cxml-return`, [['cXML-base64', Buffer.from(xml, 'utf8').toString('base64')]]);
    assert.equal(ret.statusCode, 303);
    const page = await get(`/sandbox/punchouts/${id}`);
    assert.match(page.body, /Cart received/);
    assert.ok(page.body.includes('sess-9/line-1 ä'));
    assert.match(page.body, /<strong>0\.70<\/strong>/);
    assert.doesNotMatch(page.body, /BuyerCookie in the cart is not the one/);
    assert.match(page.body, /&lt;PunchOutOrderMessage&gt;/, 'the raw document is shown');

    await post(`/sandbox/punchouts/${id}/order`, '');
    const [order] = ordersReceived();
    assert.ok(order);
    assert.deepEqual(order.envelope.payload.items.map((i) => i.itemID.supplierPartAuxiliaryID), ['sess-9/line-1 ä', 'sess-9/line-2']);
    assert.equal(order.envelope.payload.header.total.raw, '0.70');
    assert.equal(order.envelope.payload.header.billTo?.name, 'Gemeente Voorbeeldstad');
    assert.deepEqual(order.envelope.payload.items.map((i) => i.lineNumber), [1, 2]);
  });

  it('a cXML cart with a negative unit price or a zero quantity makes no requisition and no order', async () => {
    for (const [from, to, named] of [
      ['<Money currency="EUR">0.20</Money>', '<Money currency="EUR">-0.20</Money>', /line 2 has the unit price -0\.2 EUR/],
      // (a negative quantity is refused by the cXML reader already: the cart is unreadable)
      ['quantity="2"', 'quantity="0"', /line 2 has the quantity 0; a quantity must be above 0/],
    ] as const) {
      supplier.received = [];
      const { id, setup } = await startCxml();
      const xml = poomXml(setup.buyerCookie);
      assert.ok(xml.includes(from), from);
      const ret = await post(`/sandbox/punchouts/${id}/cxml-return`, [['cXML-urlencoded', xml.replace(from, to)]]);
      assert.equal(ret.headers.location, `/sandbox/punchouts/${id}`);
      const order = await post(`/sandbox/punchouts/${id}/order`, '');
      assert.equal(order.statusCode, 422, to);
      assert.match(order.body, named);
      assert.equal(ordersReceived().length, 0);
    }
  });

  it('reads cxml-urlencoded (any case) and warns when the BuyerCookie differs', async () => {
    const { id } = await startCxml();
    await post(`/sandbox/punchouts/${id}/cxml-return`, [['CXML-URLENCODED', poomXml('someone-elses-cookie')]]);
    const page = await get(`/sandbox/punchouts/${id}`);
    assert.match(page.body, /BuyerCookie in the cart is not the one the sandbox sent/);
    assert.ok(page.body.includes('someone-elses-cookie'));
  });

  it('takes base64 whose "+" arrived as spaces', async () => {
    const { id, setup } = await startCxml();
    // Pad the document until its base64 contains a "+".
    let xml = poomXml(setup.buyerCookie);
    for (let i = 0; !Buffer.from(xml).toString('base64').includes('+') && i < 64; i++) xml += ' ';
    const b64 = Buffer.from(xml).toString('base64');
    assert.ok(b64.includes('+'));
    await post(`/sandbox/punchouts/${id}/cxml-return`, `cxml-base64=${b64}`);
    const page = await get(`/sandbox/punchouts/${id}`);
    assert.match(page.body, /Cart received/);
    assert.match(page.body, /read as &quot;\+&quot;/);
  });

  it('an empty POOM is a cancelled punchout; garbage is shown as unreadable', async () => {
    const { id, setup } = await startCxml();
    await post(`/sandbox/punchouts/${id}/cxml-return`, [['cXML-base64', Buffer.from(poomXml(setup.buyerCookie, 'none')).toString('base64')]]);
    assert.match((await get(`/sandbox/punchouts/${id}`)).body, /Cancelled \(empty cart\)/);
    await post(`/sandbox/punchouts/${id}/cxml-return`, [['cXML-urlencoded', '<html>oops</html>']]);
    const page = await get(`/sandbox/punchouts/${id}`);
    assert.match(page.body, /Cart unreadable/);
    assert.match(page.body, /not readable cXML/);
    assert.match(page.body, /sent 2 carts/);
    await post(`/sandbox/punchouts/${id}/cxml-return`, [['something', 'else']]);
    assert.match((await get(`/sandbox/punchouts/${id}`)).body, /neither a cXML-base64 nor a cXML-urlencoded field/);
  });

  it('framed: shows the StartPage in an iframe and brings the top window back after the return', async () => {
    const { id, setup, page, status } = await startCxml('&framed=1');
    assert.equal(status, 200);
    assert.ok(page.includes(`src="${supplier.base}/start/one-time-token"`));
    const ret = await post(`/sandbox/punchouts/${id}/cxml-return`, [['cXML-base64', Buffer.from(poomXml(setup.buyerCookie)).toString('base64')]]);
    assert.equal(ret.statusCode, 200);
    // The top window goes to the cart's requisition.
    const target = /window\.top\.location\.href = "(\/sandbox\/requisitions\/[A-Za-z0-9_-]+)"/.exec(ret.body)?.[1];
    assert.ok(target, ret.body);
    assert.ok(ret.body.includes(`<a href="${target}" target="_top">`));
    // An empty cart stays on the punchout page.
    const other = await startCxml('&framed=1');
    const empty = await post(`/sandbox/punchouts/${other.id}/cxml-return`, [['cXML-base64', Buffer.from(poomXml(other.setup.buyerCookie, 'none')).toString('base64')]]);
    assert.ok(empty.body.includes(`window.top.location.href = "/sandbox/punchouts/${other.id}"`));
  });

  it('shows a refused setup request with code, text, raw answer and what to check', async () => {
    supplier.setupAnswer = { http: 200, code: 401 };
    const res = await post('/sandbox/punchouts', 'protocol=cxml&sharedSecret=wrong');
    assert.equal(res.statusCode, 502);
    assert.match(res.body, /Setup failed/);
    assert.match(res.body, /<strong>401<\/strong> Unauthorized/);
    assert.match(res.body, /What to check/);
    assert.match(res.body, /planned by the test/, 'the raw answer is shown');
    assert.ok(!res.body.includes('>wrong<'), 'the SharedSecret is hidden in the shown request');
  });

  it('shows a non-cXML answer and an unreachable supplier', async () => {
    supplier.setupAnswer = { http: 404, body: '<html><body>Not here</body></html>' };
    const html404 = await post('/sandbox/punchouts', 'protocol=cxml');
    assert.equal(html404.statusCode, 502);
    assert.match(html404.body, /HTTP 404, but the answer is not readable cXML/);
    assert.match(html404.body, /Not here/);

    const down = await post('/sandbox/punchouts', 'protocol=cxml&cxmlUrl=http%3A%2F%2F127.0.0.1%3A1%2Fcxml');
    assert.equal(down.statusCode, 502);
    assert.match(down.body, /Could not reach http:\/\/127.0.0.1:1\/cxml/);
    assert.match(down.body, /reachable from this Koppel/);
  });

  it('retries a failed order with the same payloadID, then stops', async () => {
    const { id, setup } = await startCxml();
    await post(`/sandbox/punchouts/${id}/cxml-return`, [['cXML-base64', Buffer.from(poomXml(setup.buyerCookie)).toString('base64')]]);
    supplier.orderAnswers = [{ http: 500, code: 560 }];
    await post(`/sandbox/punchouts/${id}/order`, '');
    const failed = await orderPageOf(id);
    assert.match(failed.body, /Not delivered/);
    assert.match(failed.body, />Resend</);
    // Pressing /order again does not send a second order: the requisition is ordered already.
    await post(`/sandbox/punchouts/${id}/order`, '');
    assert.equal(ordersReceived().length, 1);
    const resent = await post(`${failed.path}/resend`, '');
    assert.equal(resent.statusCode, 303);
    const orders = ordersReceived();
    assert.equal(orders.length, 2);
    assert.equal(orders[0]!.envelope.payloadID, orders[1]!.envelope.payloadID);
    assert.equal(orders[0]!.body, orders[1]!.body, 'a resend is the identical document');
    const done = await get(failed.path);
    assert.match(done.body, /Received by the supplier \(cXML 200\)/);
    assert.match(done.body, /after 2 attempts/);
    assert.doesNotMatch(done.body, />Resend</);
    // Nothing left to resend: refused with a message, nothing sent.
    assert.equal((await post(`${failed.path}/resend`, '')).statusCode, 409);
    assert.equal(ordersReceived().length, 2);
  });

  it('a double click sends one order', async () => {
    const { id, setup } = await startCxml();
    await post(`/sandbox/punchouts/${id}/cxml-return`, [['cXML-base64', Buffer.from(poomXml(setup.buyerCookie)).toString('base64')]]);
    const both = await Promise.all([post(`/sandbox/punchouts/${id}/order`, ''), post(`/sandbox/punchouts/${id}/order`, '')]);
    assert.deepEqual(both.map((r) => r.statusCode), [303, 303]);
    assert.equal(ordersReceived().length, 1);
  });

  it('a 4xx answer to the order is final', async () => {
    const { id, setup } = await startCxml();
    await post(`/sandbox/punchouts/${id}/cxml-return`, [['cXML-base64', Buffer.from(poomXml(setup.buyerCookie)).toString('base64')]]);
    supplier.orderAnswers = [{ http: 200, code: 400 }];
    await post(`/sandbox/punchouts/${id}/order`, '');
    await post(`/sandbox/punchouts/${id}/order`, '');
    assert.equal(ordersReceived().length, 1);
    const page = await orderPageOf(id);
    assert.match(page.body, /Rejected by the supplier/);
    assert.doesNotMatch(page.body, />Resend</);
    assert.equal((await post(`${page.path}/resend`, '')).statusCode, 409);
    assert.equal(ordersReceived().length, 1);
  });

  it('the start page and the punchout page say who is acting; the recent punchouts link the requisition and order', async () => {
    const { id, setup } = await startCxml();
    await post(`/sandbox/punchouts/${id}/cxml-return`, [['cXML-base64', Buffer.from(poomXml(setup.buyerCookie)).toString('base64')]]);
    await post(`/sandbox/punchouts/${id}/order`, '');
    const asSam = { host: SANDBOX_HOST, cookie: 'koppel_sandbox_person=sam' };
    const home = await sandbox.inject({ method: 'GET', url: '/sandbox', headers: asSam });
    assert.match(home.body, /Acting as <strong>Sam Okafor<\/strong>/);
    assert.doesNotMatch(home.body, /Choose who you are acting as/);
    const punchout = await sandbox.inject({ method: 'GET', url: `/sandbox/punchouts/${id}`, headers: asSam });
    assert.match(punchout.body, /Acting as <strong>Sam Okafor<\/strong>/);
    // "Started" as the other pages show times, not raw ISO text.
    assert.match(punchout.body, /<dt>Started<\/dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/dd>/);
    // The row of this punchout links its requisition and purchase order, as the punchout page does.
    const req = /href="(\/sandbox\/requisitions\/[^"]+)">(REQ-\d{8}-\d+)<\/a>/.exec(punchout.body);
    const po = /href="(\/sandbox\/orders\/[^"]+)">(SBX-\d{8}-\d+)<\/a>/.exec(punchout.body);
    assert.ok(req && po, 'the punchout page links both');
    const row = home.body.slice(home.body.indexOf(`/sandbox/punchouts/${id}`));
    const rowEnd = row.indexOf('</tr>');
    assert.ok(row.slice(0, rowEnd).includes(`<a class="code" href="${req[1]}">${req[2]}</a>`), 'requisition link in the row');
    assert.ok(row.slice(0, rowEnd).includes(`<a class="code" href="${po[1]}">${po[2]}</a>`), 'order link in the row');
    // The framed shop page of a framed punchout says it too.
    supplier.received = [];
    const framed = await startCxml('&framed=1');
    assert.notEqual(framed.id, id);
    const shop = await sandbox.inject({ method: 'GET', url: `/sandbox/punchouts/${framed.id}/shop`, headers: asSam });
    assert.equal(shop.statusCode, 200);
    assert.match(shop.body, /<iframe /);
    assert.match(shop.body, /Acting as <strong>Sam Okafor<\/strong>/);
  });

  it('lists punchouts on the start page and prefills "with these settings"', async () => {
    const { id } = await startCxml('&fromIdentity=OTHER-BUYER');
    const home = await get('/sandbox');
    assert.ok(home.body.includes(`/sandbox/punchouts/${id}`));
    const like = await get(`/sandbox?like=${id}`);
    assert.ok(like.body.includes('value="OTHER-BUYER"'));
    assert.match(like.body, /value="cxml" checked/);
  });
});
