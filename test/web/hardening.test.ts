/**
 * Hostile and odd input against the public contract over real HTTP: the cXML endpoint, the OCI
 * entry, start links, the storefront and the sandbox. Every test states the rule it holds
 * (field-failures.md numbers in brackets) and checks that nothing stored is lost or changed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readCxml } from '../../src/protocol/cxml/reader.js';
import type { PunchOutOrderMessage } from '../../src/protocol/cxml/model.js';
import { pairsFromHtmlForm, readOciCartForm } from '../../src/protocol/oci/cart-form-reader.js';
import { decodeHtmlEntities } from '../../src/protocol/oci/html.js';
import { createConnection } from '../../src/app/connections.js';
import { countRows } from '../../src/store/migrations/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { assertDtdValid } from '../helpers/dtd.js';
import { postCxml, testPayloadId } from '../helpers/cxml.js';
import { dec } from '../../src/protocol/money.js';
import { loadConfig } from '../../src/config.js';
import { createContext } from '../../src/app/context.js';
import { seedDemo } from '../../src/app/demo-seed.js';
import { buildServer, createLogger, redactUrlForLog } from '../../src/web/server.js';
import { openTestStore } from '../helpers/store.js';

/** The clock of the app under test: tests move it forward to expire links and sessions. */
let clockOffsetMs = 0;
let t: TestApp;

before(async () => {
  t = await startTestApp({ now: () => new Date(Date.now() + clockOffsetMs) });
  // A second cXML buyer with its own identities and secret, for credential-confusion tests.
  await createConnection(t.ctx, {
    id: 'buyer-b',
    name: 'Buyer B',
    protocol: 'cxml',
    buyerIdentities: [{ domain: 'DUNS', identity: 'BUYER-B' }],
    supplierIdentities: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO' }],
    senderIdentities: [{ domain: 'DUNS', identity: 'BUYER-B' }],
    secret: 'secret-of-b',
    returnUrlPrefixes: ['https://b.example/'],
  });
  // A buyer whose SAP system names the password field differently and returns in cXML-urlencoded.
  await createConnection(t.ctx, {
    id: 'kennwort-oci',
    name: 'German SAP buyer',
    protocol: 'oci',
    ociUsername: 'einkauf',
    secret: 'Geheim-123',
    returnUrlPrefixes: ['https://srm.buyer.example/'],
    options: { oci: { passwordField: 'KENNWORT' } },
  });
  await createConnection(t.ctx, {
    id: 'urlencoded-buyer',
    name: 'Buyer taking cXML-urlencoded',
    protocol: 'cxml',
    buyerIdentities: [{ domain: 'NetworkID', identity: 'URLENC-BUYER' }],
    supplierIdentities: [],
    senderIdentities: [{ domain: 'NetworkID', identity: 'URLENC-BUYER' }],
    secret: 'urlenc-secret',
    returnUrlPrefixes: ['https://'],
    options: { cxml: { formField: 'cXML-urlencoded' } },
  });
});
after(async () => {
  await t.close();
});

// ---- building documents by hand (so that they can be odd) ----------------------------------------

const DEMO_FROM = '<Credential domain="NetworkID"><Identity>DEMO-BUYER</Identity></Credential>';
const DEMO_TO = '<Credential domain="NetworkID"><Identity>KOPPEL-DEMO</Identity></Credential>';
const DEMO_SENDER = '<Credential domain="NetworkID"><Identity>DEMO-BUYER</Identity><SharedSecret>demo-secret</SharedSecret></Credential>';

interface Doc {
  from?: string;
  to?: string;
  sender?: string;
  request: string;
  payloadID?: string;
  encoding?: string;
}

function cxml(d: Doc): string {
  const decl = `<?xml version="1.0" encoding="${d.encoding ?? 'UTF-8'}"?>`;
  return `${decl}
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="${d.payloadID ?? testPayloadId()}" timestamp="2026-12-03T10:00:00+01:00" xml:lang="en-US">
<Header><From>${d.from ?? DEMO_FROM}</From><To>${d.to ?? DEMO_TO}</To><Sender>${d.sender ?? DEMO_SENDER}<UserAgent>hardening tests</UserAgent></Sender></Header>
<Request>${d.request}</Request></cXML>`;
}

function setupBody(opts: { operation?: string; cookie?: string; url?: string; items?: string } = {}): string {
  return `<PunchOutSetupRequest operation="${opts.operation ?? 'create'}"><BuyerCookie>${opts.cookie ?? 'cookie-1'}</BuyerCookie><BrowserFormPost><URL>${opts.url ?? 'https://buyer.example/return'}</URL></BrowserFormPost>${opts.items ?? ''}</PunchOutSetupRequest>`;
}

function itemOut(sku: string, quantity: string, price?: { amount: string; currency: string }, aux?: string): string {
  const detail = price
    ? `<ItemDetail><UnitPrice><Money currency="${price.currency}">${price.amount}</Money></UnitPrice><Description xml:lang="en">x</Description><UnitOfMeasure>EA</UnitOfMeasure><Classification domain="UNSPSC">44121701</Classification></ItemDetail>`
    : '';
  return `<ItemOut quantity="${quantity}"><ItemID><SupplierPartID>${sku}</SupplierPartID>${aux ? `<SupplierPartAuxiliaryID>${aux}</SupplierPartAuxiliaryID>` : ''}</ItemID>${detail}</ItemOut>`;
}

function orderBody(opts: { orderID?: string; quantity?: string; price?: string; total?: string } = {}): string {
  return `<OrderRequest><OrderRequestHeader orderID="${opts.orderID ?? 'PO-H-1'}" orderDate="2026-12-03" type="new"><Total><Money currency="EUR">${opts.total ?? '1.00'}</Money></Total><BillTo><Address><Name xml:lang="en">Buyer</Name></Address></BillTo></OrderRequestHeader>${itemOut('KP-10001', opts.quantity ?? '1', { amount: opts.price ?? '1.00', currency: 'EUR' })}</OrderRequest>`;
}

async function snapshot(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['punchout_sessions', 'cart_lines', 'orders', 'order_lines', 'cxml_receipts']) out[table] = await countRows(t.store.db, table);
  return out;
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

async function post(path: string, fields: Record<string, string> | string): Promise<Response> {
  return fetch(`${t.baseUrl}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: typeof fields === 'string' ? fields : form(fields),
  });
}

/** Opens a cXML session: setup → start link → the storefront path `/shop/s/<id>`. */
async function openCxmlSession(request = setupBody(), doc: Partial<Doc> = {}): Promise<string> {
  const setup = await postCxml(t.baseUrl, cxml({ ...doc, request }));
  assert.equal(setup.status.code, 200, setup.status.detail);
  const start = await fetch(setup.startPageUrl!, { redirect: 'manual' });
  assert.equal(start.status, 303);
  return start.headers.get('location')!.split('?')[0]!;
}

function sessionIdOf(path: string): string {
  return path.split('/')[3]!;
}

async function linesOf(path: string) {
  return t.store.db.selectFrom('cart_lines').selectAll().where('session_id', '=', sessionIdOf(path)).orderBy('position').execute();
}

/** The PunchOutOrderMessage inside a cXML return page (cXML-base64 or cXML-urlencoded). */
function poomOf(page: string): { field: string; xml: string; poom: PunchOutOrderMessage } {
  const [field, value] = pairsFromHtmlForm(page)[0]!;
  const xml = field === 'cXML-base64' ? Buffer.from(value, 'base64').toString('utf8') : value;
  return { field, xml, poom: readCxml(xml).envelope.payload as PunchOutOrderMessage };
}

// ---- cXML endpoint ---------------------------------------------------------------------------------

describe('cXML bytes: the declared encoding is honoured [7, 15]', () => {
  test('an ISO-8859-1 document keeps its BuyerCookie byte for byte', async () => {
    const cookie = ' Käse-Stück ';
    const xml = cxml({ encoding: 'ISO-8859-1', request: setupBody({ cookie }) });
    const r = await postCxml(t.baseUrl, Buffer.from(xml, 'latin1'), 'text/xml; charset=ISO-8859-1');
    assert.equal(r.status.code, 200, r.status.detail);
    const token = r.startPageUrl!.split('/').pop()!;
    const path = (await fetch(r.startPageUrl!, { redirect: 'manual' })).headers.get('location')!;
    const row = await t.store.db.selectFrom('punchout_sessions').select('buyer_cookie').where('id', '=', sessionIdOf(path)).executeTakeFirstOrThrow();
    assert.equal(row.buyer_cookie, cookie);
    const { poom } = poomOf(await (await post(`${path}/cancel`, {})).text());
    assert.equal(poom.buyerCookie, cookie);
    assert.ok(token.length > 20);
  });

  test('a UTF-16 document with a byte order mark is read', async () => {
    const xml = cxml({ encoding: 'UTF-16', request: setupBody({ cookie: 'utf16-ÿ€' }) });
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
    const r = await postCxml(t.baseUrl, bytes, 'text/xml');
    assert.equal(r.status.code, 200, r.status.detail);
  });

  test('bytes that are not valid in the declared encoding are refused with 406, nothing stored', async () => {
    const before = await snapshot();
    const bad = Buffer.concat([Buffer.from(cxml({ request: setupBody() }).replace('cookie-1', 'X'), 'utf8'), Buffer.from([0xff, 0xfe, 0xfd])]);
    const r = await postCxml(t.baseUrl, bad);
    assert.equal(r.status.code, 406);
    assert.match(r.status.detail ?? '', /UTF-8/i);
    assert.deepEqual(await snapshot(), before);
  });
});

describe('cXML credentials [19, 34]', () => {
  test('domains compare case-insensitively and the buyer is found through any From credential', async () => {
    const from = `<Credential domain="DUNS"><Identity>123456789</Identity></Credential><Credential domain="networkid"><Identity>DEMO-BUYER</Identity></Credential>`;
    const sender = '<Credential domain="NETWORKID"><Identity>DEMO-BUYER</Identity><SharedSecret>demo-secret</SharedSecret></Credential>';
    const r = await postCxml(t.baseUrl, cxml({ from, sender, to: '<Credential domain="networkId"><Identity>KOPPEL-DEMO</Identity></Credential>', request: '<ProfileRequest/>' }));
    assert.equal(r.status.code, 200, r.status.detail);
  });

  test('the SharedSecret is read from the Sender credential that names the buyer, wherever it stands', async () => {
    const sender = '<Credential domain="Other"><Identity>SOMEONE</Identity><SharedSecret>not-ours</SharedSecret></Credential><Credential domain="NetworkID"><Identity>DEMO-BUYER</Identity><SharedSecret>demo-secret</SharedSecret></Credential>';
    const r = await postCxml(t.baseUrl, cxml({ sender, request: '<ProfileRequest/>' }));
    assert.equal(r.status.code, 200, r.status.detail);
  });

  const refused: [string, Partial<Doc>, RegExp][] = [
    ['a SharedSecret under From only', { from: '<Credential domain="NetworkID"><Identity>DEMO-BUYER</Identity><SharedSecret>demo-secret</SharedSecret></Credential>', sender: '<Credential domain="NetworkID"><Identity>DEMO-BUYER</Identity></Credential>' }, /SharedSecret/],
    ['the right secret on a Sender credential that is not the buyer’s', { sender: '<Credential domain="NetworkID"><Identity>DEMO-BUYER</Identity></Credential><Credential domain="Other"><Identity>SOMEONE</Identity><SharedSecret>demo-secret</SharedSecret></Credential>' }, /SharedSecret|Sender/],
    ['buyer A with buyer B’s sender and secret', { sender: '<Credential domain="DUNS"><Identity>BUYER-B</Identity><SharedSecret>secret-of-b</SharedSecret></Credential>' }, /Sender/],
    ['buyer B with buyer A’s secret', { from: '<Credential domain="DUNS"><Identity>BUYER-B</Identity></Credential>', sender: '<Credential domain="DUNS"><Identity>BUYER-B</Identity><SharedSecret>demo-secret</SharedSecret></Credential>' }, /Sender/],
    ['an empty identity', { from: '<Credential domain="NetworkID"><Identity></Identity></Credential>' }, /From/],
    ['an empty SharedSecret', { sender: '<Credential domain="NetworkID"><Identity>DEMO-BUYER</Identity><SharedSecret></SharedSecret></Credential>' }, /Sender/],
    ['an identity in another case', { from: '<Credential domain="NetworkID"><Identity>demo-buyer</Identity></Credential>' }, /From/],
  ];
  for (const [name, doc, text] of refused) {
    test(`${name} gets a full, DTD-valid cXML 401 and opens nothing`, async () => {
      const before = await snapshot();
      const r = await postCxml(t.baseUrl, cxml({ ...doc, request: setupBody() }));
      assert.equal(r.http, 200);
      assert.equal(r.status.code, 401, r.status.detail);
      assert.match(r.status.detail ?? '', text);
      assert.ok(!r.text.includes('demo-secret') && !r.text.includes('secret-of-b'), 'no secret in the answer');
      assertDtdValid(r.text, 'cXML');
      assert.deepEqual(await snapshot(), before);
    });
  }
});

describe('PunchOutSetupRequest return URLs [9]', () => {
  const bad: [string, string][] = [
    ['data:', 'data:text/html,hi'],
    ['javascript:', 'JavaScript:alert(1)'],
    ['user info', 'https://user@buyer.example/return'],
    ['an encoded host', 'https://%62uyer.example/return'],
    ['a backslash host', 'https://buyer.example\\evil.example/'],
    ['a newline', 'https://buyer.example/a&#10;b'],
    ['SAPEVENT for a cXML buyer', 'SAPEVENT:ADDI'],
  ];
  for (const [name, url] of bad) {
    test(`${name} is refused with 400`, async () => {
      const before = await snapshot();
      const r = await postCxml(t.baseUrl, cxml({ request: setupBody({ url }) }));
      assert.equal(r.status.code, 400, r.status.detail);
      assert.deepEqual(await snapshot(), before);
    });
  }

  test('a refused, very long URL is not echoed in full', async () => {
    const url = `ftp://buyer.example/${'a'.repeat(100_000)}`;
    const r = await postCxml(t.baseUrl, cxml({ request: setupBody({ url }) }));
    assert.equal(r.status.code, 400);
    assert.ok((r.status.detail ?? '').length < 1000, `detail is ${r.status.detail?.length} characters`);
  });

  test('an allowed URL with query and fragment is used verbatim as the form action', async () => {
    const url = 'https://buyer.example/return?a=1&amp;b=%20x#frag';
    const path = await openCxmlSession(setupBody({ url }));
    const page = await (await post(`${path}/cancel`, {})).text();
    assert.ok(page.includes('action="https://buyer.example/return?a=1&amp;b=%20x#frag"'), page);
  });
});

describe('payloadID reuse [27]', () => {
  test('a payloadID already used by another buyer is refused with a 4xx, never a 500, and changes nothing', async () => {
    const payloadID = testPayloadId();
    const a = await postCxml(t.baseUrl, cxml({ payloadID, request: orderBody({ orderID: 'PO-A' }) }));
    assert.equal(a.status.code, 200, a.status.detail);
    const before = await snapshot();
    const fromB = { payloadID, from: '<Credential domain="DUNS"><Identity>BUYER-B</Identity></Credential>', sender: '<Credential domain="DUNS"><Identity>BUYER-B</Identity><SharedSecret>secret-of-b</SharedSecret></Credential>' };
    const b = await postCxml(t.baseUrl, cxml({ ...fromB, request: orderBody({ orderID: 'PO-B' }) }));
    assert.ok(b.status.code >= 400 && b.status.code < 500, `${b.status.code} ${b.status.detail}`);
    assert.match(b.status.detail ?? '', /payloadID/);
    assert.deepEqual(await snapshot(), before);
    const again = await postCxml(t.baseUrl, cxml({ payloadID, request: orderBody({ orderID: 'PO-A' }) }));
    assert.equal(again.text, a.text, 'buyer A still gets its own answer');
  });
});

describe('OrderRequest numbers [20, 26]', () => {
  test('odd but valid quantities and prices are stored as plain decimals (no exponent)', async () => {
    const payloadID = testPayloadId();
    const r = await postCxml(t.baseUrl, cxml({ payloadID, request: orderBody({ quantity: '0.0000001', price: '123456789012345678901234567.5', total: '0.00000001' }) }));
    assert.equal(r.status.code, 200, r.status.detail);
    const order = await t.store.db.selectFrom('orders').selectAll().where('payload_id', '=', payloadID).executeTakeFirstOrThrow();
    const [line] = await t.store.db.selectFrom('order_lines').selectAll().where('order_id', '=', order.id).execute();
    assert.equal(line!.quantity, '0.0000001');
    assert.equal(line!.unit_price, '123456789012345678901234567.5');
    assert.equal(order.total, '0.00000001');
  });

  test('a tiny quantity in an edited cart stays a plain decimal in the store and on the cart page', async () => {
    const path = await openCxmlSession(setupBody({ operation: 'edit', items: itemOut('KP-10001', '0.0000001', undefined, 'aux-tiny') }));
    const [line] = await linesOf(path);
    assert.equal(line!.quantity, '0.0000001');
    const page = await (await fetch(`${t.baseUrl}${path}/cart`)).text();
    assert.match(page, /value="0\.0000001"/);
    assert.ok(!/\de-\d/.test(page), 'no exponent on the page');
  });

  const refused: [string, Record<string, string>][] = [
    ['a negative quantity', { quantity: '-1' }],
    ['an exponent', { quantity: '1e3' }],
    ['an ambiguous comma', { price: '1,500' }],
    ['NaN', { total: 'NaN' }],
  ];
  for (const [name, opts] of refused) {
    test(`${name} is refused with 400 and stores nothing`, async () => {
      const before = await snapshot();
      const r = await postCxml(t.baseUrl, cxml({ request: orderBody(opts) }));
      assert.equal(r.status.code, 400, r.status.detail);
      assert.deepEqual(await snapshot(), before);
    });
  }
});

// ---- edit / inspect ----------------------------------------------------------------------------------

async function product(sku: string) {
  return t.store.db.selectFrom('products').selectAll().where('sku', '=', sku).executeTakeFirstOrThrow();
}

describe('edit and inspect rebuild the cart safely [3, 23, 29]', () => {
  test('create ignores ItemOut lines: the cart starts empty', async () => {
    const path = await openCxmlSession(setupBody({ items: itemOut('KP-10001', '3', undefined, 'aux-1') }));
    assert.equal((await linesOf(path)).length, 0);
  });

  test('a negative or foreign-currency ItemOut price is not taken over; the header total adds up', async () => {
    const a = await product('KP-10001');
    const b = await product('KP-10002');
    const items = itemOut(a.sku, '2', { amount: '-5.00', currency: a.currency }, 'aux-a') + itemOut(b.sku, '1', { amount: '1.00', currency: 'USD' }, 'aux-b');
    const path = await openCxmlSession(setupBody({ operation: 'edit', items }));
    const lines = await linesOf(path);
    assert.equal(lines.length, 2);
    for (const [line, p] of [[lines[0]!, a], [lines[1]!, b]] as const) {
      assert.equal(line.currency, p.currency);
      assert.equal(line.unit_price, p.price, 'the catalog price');
    }
    assert.deepEqual(lines.map((l) => l.aux_id), ['aux-a', 'aux-b'], 'aux IDs survive');
    const res = await post(`${path}/transfer`, {});
    assert.equal(res.status, 200);
    const { poom, xml } = poomOf(await res.text());
    assert.equal(poom.total.currency, a.currency);
    const sum = poom.items.reduce((s, i) => s.plus(i.quantity.times(i.itemDetail.unitPrice.amount)), dec(0));
    assert.ok(poom.total.amount.eq(sum.toDecimalPlaces(2)), `total ${poom.total.amount} = lines ${sum}`);
    assert.ok(poom.items.every((i) => i.itemDetail.unitPrice.currency === a.currency && !i.itemDetail.unitPrice.amount.isNegative()));
    assertDtdValid(xml, 'cXML');
  });

  test('an earlier price sent back by the buyer is never taken as ours: edit uses today’s price for this buyer', async () => {
    const a = await product('KP-10003');
    const path = await openCxmlSession(setupBody({ operation: 'edit', items: itemOut(a.sku, '1', { amount: '0.50', currency: a.currency }, 'aux-keep') }));
    const [line] = await linesOf(path);
    assert.equal(line!.unit_price, a.price);
    assert.equal(line!.aux_id, 'aux-keep');
  });

  test('inspect never changes the cart and offers no transfer; cancel still returns', async () => {
    const a = await product('KP-10001');
    const path = await openCxmlSession(setupBody({ operation: 'inspect', items: itemOut(a.sku, '2', undefined, 'aux-i') }));
    const before = await linesOf(path);
    assert.equal(before.length, 1);
    await post(`${path}/cart/add`, { product_id: 'kp-10002', quantity: '1' });
    await post(`${path}/cart/update`, { line_id: before[0]!.id, quantity: '9' });
    await post(`${path}/cart/remove`, { line_id: before[0]!.id });
    assert.equal((await post(`${path}/transfer`, {})).status, 409);
    assert.deepEqual(await linesOf(path), before);
    const cart = await (await fetch(`${t.baseUrl}${path}/cart`)).text();
    assert.ok(!cart.includes('Transfer cart'));
    assert.equal((await post(`${path}/cancel`, {})).status, 200);
  });
});

// ---- storefront ----------------------------------------------------------------------------------------

async function ociLogin(extra: Record<string, string> = {}): Promise<Response> {
  return post('/punchout/oci/demo-oci', { USERNAME: 'demo', PASSWORD: 'demo', HOOK_URL: 'https://srm.buyer.example/hook?x=1', ...extra });
}

async function ociSession(): Promise<string> {
  const res = await ociLogin();
  assert.equal(res.status, 303);
  return res.headers.get('location')!.split('?')[0]!;
}

describe('storefront input', () => {
  test('weird quantities are refused and change nothing', async () => {
    const path = await ociSession();
    for (const quantity of ['1e3', '-1', '0.0001', '99999999999999', '0', '', 'NaN', '１', '1,5', '0x10']) {
      const res = await post(`${path}/cart/add`, { product_id: 'kp-10001', quantity });
      assert.equal(res.status, 303);
      assert.match(res.headers.get('location')!, /notice=quantity$/, quantity);
    }
    assert.equal((await linesOf(path)).length, 0);
    const missing = await post(`${path}/cart/add`, { product_id: 'no-such-product', quantity: '1' });
    assert.match(missing.headers.get('location')!, /notice=missing$/);
    assert.equal((await linesOf(path)).length, 0);
  });

  test('a cart line of another session cannot be changed', async () => {
    const mine = await ociSession();
    const theirs = await ociSession();
    await post(`${theirs}/cart/add`, { product_id: 'kp-10001', quantity: '2' });
    const [line] = await linesOf(theirs);
    await post(`${mine}/cart/update`, { line_id: line!.id, quantity: '7' });
    await post(`${mine}/cart/remove`, { line_id: line!.id });
    assert.equal((await linesOf(theirs))[0]!.quantity, '2');
  });

  test('repeated query parameters and odd values give a page, not a 500', async () => {
    const path = await ociSession();
    for (const qs of ['q=a&q=b', 'category=a&category=b', 'page=a&page=2', 'page=-5', 'page=99999999999999999999', 'notice=a&notice=b']) {
      const res = await fetch(`${t.baseUrl}${path}?${qs}`);
      assert.equal(res.status, 200, qs);
    }
    for (const sub of ['/cart', '/products/kp-10001']) {
      assert.equal((await fetch(`${t.baseUrl}${path}${sub}?notice=a&notice=b`)).status, 200, sub);
    }
  });

  test('notice names are looked up as own keys only', async () => {
    const path = await ociSession();
    for (const notice of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const page = await (await fetch(`${t.baseUrl}${path}?notice=${notice}`)).text();
      assert.ok(!page.includes('role="status"'), `notice=${notice} shows a message`);
    }
  });

  test('the search text is reflected escaped', async () => {
    const path = await ociSession();
    const page = await (await fetch(`${t.baseUrl}${path}?q=${encodeURIComponent('"><script>alert(1)</script>')}&category=${encodeURIComponent('<img src=x onerror=alert(1)>')}`)).text();
    assert.ok(!page.includes('<script>alert(1)'));
    assert.ok(!page.includes('<img src=x'));
    assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  });

  test('no cookie is set anywhere in a punchout [1]', async () => {
    const responses: Response[] = [await ociLogin()];
    const path = responses[0]!.headers.get('location')!;
    responses.push(await fetch(`${t.baseUrl}${path}`), await post(`${path}/cart/add`, { product_id: 'kp-10001', quantity: '1' }), await fetch(`${t.baseUrl}${path}/cart`), await post(`${path}/transfer`, {}));
    const setup = await fetch(`${t.baseUrl}/cxml`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: cxml({ request: setupBody() }) });
    responses.push(setup);
    const start = readCxml(await setup.text()).envelope.payload;
    responses.push(await fetch((start as { startPageUrl: string }).startPageUrl, { redirect: 'manual' }));
    for (const r of responses) assert.equal(r.headers.get('set-cookie'), null, r.url);
  });
});

describe('sessions and start links [2, 4]', () => {
  test('a start link works once, also when opened many times at once', async () => {
    const r = await postCxml(t.baseUrl, cxml({ request: setupBody() }));
    const results = await Promise.all(Array.from({ length: 8 }, () => fetch(r.startPageUrl!, { redirect: 'manual' })));
    assert.deepEqual(results.map((x) => x.status).sort(), [303, 410, 410, 410, 410, 410, 410, 410]);
    assert.equal((await fetch(r.startPageUrl!, { redirect: 'manual' })).status, 410);
  });

  test('a start link expires; an expired session cannot be used or transferred', async () => {
    const r = await postCxml(t.baseUrl, cxml({ request: setupBody() }));
    const path = await openCxmlSession();
    await post(`${path}/cart/add`, { product_id: 'kp-10001', quantity: '1' });
    clockOffsetMs = (t.ctx.config.startTokenTtlSeconds + 1) * 1000;
    try {
      assert.equal((await fetch(r.startPageUrl!, { redirect: 'manual' })).status, 410);
      clockOffsetMs = (t.ctx.config.sessionTtlSeconds + 1) * 1000;
      for (const res of [await fetch(`${t.baseUrl}${path}`), await post(`${path}/cart/add`, { product_id: 'kp-10001', quantity: '1' }), await post(`${path}/transfer`, {})]) {
        assert.equal(res.status, 410);
        assert.match(await res.text(), /expired/);
      }
    } finally {
      clockOffsetMs = 0;
    }
    assert.equal((await linesOf(path)).length, 1, 'the cart is kept as it was');
  });

  test('a session id of one session never opens another, and transfer twice sends once', async () => {
    const path = await ociSession();
    await post(`${path}/cart/add`, { product_id: 'kp-10001', quantity: '1' });
    const both = await Promise.all([post(`${path}/transfer`, {}), post(`${path}/transfer`, {}), post(`${path}/cancel`, {})]);
    assert.equal(both.filter((r) => r.status === 200).length, 1);
    const docs = await t.store.db.selectFrom('documents').select('doc_type').where('session_id', '=', sessionIdOf(path)).where('direction', '=', 'out').execute();
    assert.equal(docs.length, 1);
    assert.equal((await post(`${path}/transfer`, {})).status, 410);
    assert.equal((await fetch(`${t.baseUrl}${path.slice(0, -1)}`)).status, 404);
  });
});

describe('NUL characters (PostgreSQL cannot store them) [bad input]', () => {
  test('in addresses, queries and forms they get a 4xx page, never a 500', async () => {
    const path = await ociSession();
    await post(`${path}/cart/add`, { product_id: 'kp-10001', quantity: '1' });
    const attempts: [string, Promise<Response>][] = [
      ['session id', fetch(`${t.baseUrl}/shop/s/%00`)],
      ['search', fetch(`${t.baseUrl}${path}?q=%00`)],
      ['category', fetch(`${t.baseUrl}${path}?category=a%00`)],
      ['product id', fetch(`${t.baseUrl}${path}/products/kp-10001%00`)],
      ['add', post(`${path}/cart/add`, 'product_id=%00&quantity=1')],
      ['update', post(`${path}/cart/update`, 'line_id=%00&quantity=1')],
      ['remove', post(`${path}/cart/remove`, 'line_id=x%00')],
      ['OCI connection', fetch(`${t.baseUrl}/punchout/oci/demo%00?USERNAME=demo&PASSWORD=demo&HOOK_URL=https://b.example/`, { redirect: 'manual' })],
      ['OCI VALIDATE', post('/punchout/oci/demo-oci', `USERNAME=demo&PASSWORD=demo&HOOK_URL=https%3A%2F%2Fb.example%2F&FUNCTION=VALIDATE&PRODUCTID=%00`)],
      ['OCI user', post('/punchout/oci/demo-oci', `USERNAME=de%00mo&PASSWORD=demo&HOOK_URL=https%3A%2F%2Fb.example%2F`)],
      ['start link', fetch(`${t.baseUrl}/punchout/start/%00`, { redirect: 'manual' })],
      ['sandbox', fetch(`${t.baseUrl}/sandbox?like=%00`)],
    ];
    for (const [name, pending] of attempts) {
      const res = await pending;
      assert.ok(res.status >= 400 && res.status < 500, `${name}: ${res.status}`);
    }
    assert.equal((await linesOf(path)).length, 1, 'the cart is unchanged');
  });

  test('a cXML body with a NUL byte is refused with 406 and still lands in the document log', async () => {
    const before = await countRows(t.store.db, 'documents');
    const r = await postCxml(t.baseUrl, Buffer.from(`<cXML payloadID="nul\u0000" timestamp="x"/>`, 'utf8'));
    assert.equal(r.status.code, 406);
    assert.equal(await countRows(t.store.db, 'documents'), before + 2);
  });
});

// ---- cart transport ------------------------------------------------------------------------------------

describe('cart transport [6, 7, 9, 10]', () => {
  test('cXML-urlencoded per connection: escaped once, not URL-encoded, non-ASCII as character references; BuyerCookie kept with its blanks', async () => {
    const cookie = '  Cookie With  Blanks \t';
    const path = await openCxmlSession(setupBody({ cookie: cookie.replace('\t', '&#9;'), url: 'https://urlenc.buyer.example/r?x=1&amp;y=2' }), {
      from: '<Credential domain="NetworkID"><Identity>URLENC-BUYER</Identity></Credential>',
      sender: '<Credential domain="NetworkID"><Identity>URLENC-BUYER</Identity><SharedSecret>urlenc-secret</SharedSecret></Credential>',
    });
    const product = await t.store.db.selectFrom('products').selectAll().where('name', 'like', '%ä%').executeTakeFirst() ?? (await t.store.db.selectFrom('products').selectAll().executeTakeFirstOrThrow());
    await post(`${path}/cart/add`, { product_id: product.id, quantity: '1' });
    const page = await (await post(`${path}/transfer`, {})).text();
    const raw = /<input type="hidden" name="([^"]+)" value="([^"]*)">/.exec(page)!;
    assert.equal(raw[1], 'cXML-urlencoded');
    assert.ok(!/%[0-9A-F]{2}/.test(raw[2]!.replace(/https?:\/\/[^&"]*/g, '')), 'not URL-encoded');
    assert.ok(!/[^\x00-\x7f]/.test(raw[2]!), 'pure ASCII');
    const xml = decodeHtmlEntities(raw[2]!);
    assert.ok(xml.startsWith('<?xml'));
    const poom = readCxml(xml).envelope.payload as PunchOutOrderMessage;
    assert.equal(poom.buyerCookie, cookie);
    assert.ok(page.includes('action="https://urlenc.buyer.example/r?x=1&amp;y=2"'));
  });

  test('cancelling a create sends a cart without lines and without Status 204 [8]', async () => {
    const path = await openCxmlSession();
    await post(`${path}/cart/add`, { product_id: 'kp-10001', quantity: '1' });
    const { poom, xml } = poomOf(await (await post(`${path}/cancel`, {})).text());
    assert.equal(poom.items.length, 0);
    assert.equal(poom.status, undefined);
    assertDtdValid(xml, 'cXML');
  });

  test('OCI lines are numbered 1…n without gaps after a line was removed [11]', async () => {
    const path = await ociSession();
    for (const id of ['kp-10001', 'kp-10002', 'kp-10003']) await post(`${path}/cart/add`, { product_id: id, quantity: '1' });
    const lines = await linesOf(path);
    await post(`${path}/cart/remove`, { line_id: lines[1]!.id });
    const read = readOciCartForm(pairsFromHtmlForm(await (await post(`${path}/transfer`, {})).text()));
    assert.deepEqual(read.lines.map((l) => l.index), [1, 2]);
    assert.deepEqual(read.lines.map((l) => l.vendorMat), ['KP-10001', 'KP-10003']);
  });

  test('a unit the buyer cannot take blocks the transfer naming the product; a unit map lets it through [24]', async () => {
    const base = await product('KP-10001');
    await t.store.db.insertInto('products').values({ ...base, id: 'odd-unit-1', sku: 'ODD-UNIT-1', name: 'Tape sold per Stück', unit: 'Stück' }).execute();
    await createConnection(t.ctx, { id: 'units-oci', name: 'Buyer with a unit map', protocol: 'oci', ociUsername: 'u', secret: 'p', returnUrlPrefixes: ['https://'], options: { unitMap: { 'Stück': 'PCE' } } });
    const blocked = await ociSession();
    await post(`${blocked}/cart/add`, { product_id: 'odd-unit-1', quantity: '1' });
    const refused = await post(`${blocked}/transfer`, {});
    assert.equal(refused.status, 409);
    const page = await refused.text();
    assert.match(page, /Tape sold per Stück/);
    assert.match(page, /ODD-UNIT-1/);
    assert.equal((await fetch(`${t.baseUrl}${blocked}/cart`)).status, 200, 'the session stays open');
    const mapped = (await post('/punchout/oci/units-oci', { USERNAME: 'u', PASSWORD: 'p', HOOK_URL: 'https://b.example/h' })).headers.get('location')!;
    await post(`${mapped}/cart/add`, { product_id: 'odd-unit-1', quantity: '1' });
    const sent = await post(`${mapped}/transfer`, {});
    assert.equal(sent.status, 200);
    assert.equal(readOciCartForm(pairsFromHtmlForm(await sent.text())).lines[0]!.unit, 'PCE');
  });

  test('HOOK_URL is decoded once: a doubly encoded one is not a URL', async () => {
    const res = await post('/punchout/oci/demo-oci', `USERNAME=demo&PASSWORD=demo&HOOK_URL=${encodeURIComponent(encodeURIComponent('https://srm.buyer.example/hook'))}`);
    assert.equal(res.status, 400);
  });

  const hooks: [string, string, number][] = [
    ['SAPEVENT for a buyer that allows it', 'SAPEVENT:ADDI', 303],
    ['data:', 'data:text/html,<script>alert(1)</script>', 400],
    ['javascript: in upper case', 'JAVASCRIPT:alert(1)', 400],
    ['a fragment', 'https://srm.buyer.example/hook#part', 303],
  ];
  for (const [name, hook, code] of hooks) {
    test(`HOOK_URL ${name} → ${code}`, async () => {
      const res = await ociLogin({ HOOK_URL: hook });
      assert.equal(res.status, code);
      if (code === 303) {
        const row = await t.store.db.selectFrom('punchout_sessions').select('return_url').where('id', '=', sessionIdOf(res.headers.get('location')!)).executeTakeFirstOrThrow();
        assert.equal(row.return_url, hook);
      }
    });
  }

  test('SAPEVENT is refused for a buyer that has not enabled it', async () => {
    const res = await post('/punchout/oci/kennwort-oci', { USERNAME: 'einkauf', KENNWORT: 'Geheim-123', HOOK_URL: 'SAPEVENT:ADDI' });
    assert.equal(res.status, 400);
  });

  test('the form target is this session’s returntarget; more than 1000 parameters are fine', async () => {
    const extra: Record<string, string> = { returntarget: 'procurement_frame', '~TARGET': '_parent' };
    for (let i = 0; i < 1200; i++) extra[`X${i}`] = String(i);
    const path = (await ociLogin(extra)).headers.get('location')!;
    const other = await ociSession();
    await post(`${path}/cart/add`, { product_id: 'kp-10001', quantity: '1' });
    await post(`${other}/cart/add`, { product_id: 'kp-10001', quantity: '1' });
    assert.match(await (await post(`${path}/transfer`, {})).text(), /target="procurement_frame"/);
    assert.match(await (await post(`${other}/transfer`, {})).text(), /target="_top"/);
  });
});

// ---- secrets in the document log ---------------------------------------------------------------------

describe('secrets never reach the document log [34]', () => {
  test('SharedSecrets, OCI passwords (any field name) and start tokens', async () => {
    const r = await postCxml(t.baseUrl, cxml({ request: setupBody() }));
    const token = r.startPageUrl!.split('/').pop()!;
    await postCxml(t.baseUrl, cxml({ sender: '<Credential domain="NetworkID"><Identity>DEMO-BUYER</Identity><SharedSecret><![CDATA[demo-secret]]></SharedSecret></Credential>', request: '<ProfileRequest/>' }));
    await postCxml(t.baseUrl, cxml({ sender: '<Credential domain="NetworkID"><Identity>DEMO-BUYER</Identity><SharedSecret>wrong-guess-secret</SharedSecret></Credential>', request: '<ProfileRequest/>' }));
    await postCxml(t.baseUrl, `<cXML><SharedSecret>demo-secret</SharedSecret>`);
    await fetch(`${t.baseUrl}/punchout/oci/kennwort-oci?USERNAME=einkauf&KENNWORT=Geheim-123&HOOK_URL=${encodeURIComponent('https://srm.buyer.example/h')}`, { redirect: 'manual' });
    await fetch(`${t.baseUrl}/punchout/oci/kennwort-oci?USERNAME=einkauf&KENNWORT=Geheim-124&HOOK_URL=${encodeURIComponent('https://srm.buyer.example/h')}`, { redirect: 'manual' });
    const docs = await t.store.db.selectFrom('documents').selectAll().execute();
    const sessions = await t.store.db.selectFrom('punchout_sessions').selectAll().execute();
    for (const text of [...docs.map((d) => `${d.body}\n${d.detail}`), ...sessions.map((s) => JSON.stringify(s))]) {
      for (const secret of ['demo-secret', 'wrong-guess-secret', 'Geheim-123', 'Geheim-124', token]) assert.ok(!text.includes(secret), `${secret} stored`);
    }
  });
});

// ---- secrets in the request log (pino) ---------------------------------------------------------------

describe('the request log [2, 34]', () => {
  test('OCI entry URLs keep only known-harmless values, whatever the password field is called', () => {
    const logged = redactUrlForLog('/punchout/oci/x?USERNAME=u&KENNWORT=Geheim-123&pw=p2&HOOK_URL=https%3A%2F%2Fb.example%2F&~OkCode=ADDI&FUNCTION=DETAIL');
    assert.equal(logged, '/punchout/oci/x?USERNAME=u&KENNWORT=[redacted]&pw=[redacted]&HOOK_URL=https%3A%2F%2Fb.example%2F&~OkCode=ADDI&FUNCTION=DETAIL');
    assert.equal(redactUrlForLog('/punchout/oci/x?HOOK_URL=https://b.example/?id=1&PASSWORD=s'), '/punchout/oci/x?HOOK_URL=https://b.example/?id=1&PASSWORD=[redacted]', 'a second ? keeps the rest');
    assert.equal(redactUrlForLog('/shop/s/abc?q=pens'), '/shop/s/abc?q=pens', 'other paths unchanged');
  });

  test('a real server’s log lines carry no secret, and a missing session at transfer time is logged', async () => {
    const store = await openTestStore();
    const lines: string[] = [];
    const config = { ...loadConfig({ ...process.env, PORT: '0', KOPPEL_DATA_DIR: '/nonexistent' }), logLevel: 'debug' };
    const ctx = createContext({ db: store.db, dialect: store.dialect, config, log: createLogger(config.logLevel, { write: (line: string) => void lines.push(line) }) });
    await seedDemo(ctx);
    await createConnection(ctx, { id: 'kennwort-oci', name: 'German SAP buyer', protocol: 'oci', ociUsername: 'einkauf', secret: 'Geheim-123', returnUrlPrefixes: ['https://'], options: { oci: { passwordField: 'KENNWORT' } } });
    const app = await buildServer(ctx, { log: true });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    (config as { baseUrl: string }).baseUrl = base;
    try {
      const setup = await postCxml(base, cxml({ request: setupBody() }));
      const token = setup.startPageUrl!.split('/').pop()!;
      await fetch(`${base}/punchout/start/${token}/extra`);
      await fetch(setup.startPageUrl!, { redirect: 'manual' });
      await fetch(`${base}/punchout/oci/kennwort-oci?USERNAME=einkauf&KENNWORT=Geheim-123&HOOK_URL=${encodeURIComponent('https://b.example/h')}`, { redirect: 'manual' });
      await fetch(`${base}/punchout/oci/demo-oci?USERNAME=demo&PASSWORD=demo&HOOK_URL=${encodeURIComponent('https://b.example/h')}`, { redirect: 'manual' });
      await fetch(`${base}/shop/s/no-such-session/transfer`, { method: 'POST' });
      const log = lines.join('');
      assert.ok(log.includes('/punchout/oci/kennwort-oci'), 'requests are logged');
      for (const secret of ['demo-secret', 'Geheim-123', 'PASSWORD=demo', token]) assert.ok(!log.includes(secret), `${secret} in the log`);
      assert.ok(lines.some((l) => /"level":40/.test(l) && /without a usable punchout session/.test(l)), 'the missing session is logged');
    } finally {
      await app.close();
      await store.cleanup();
    }
  });
});

// ---- the buyer sandbox ---------------------------------------------------------------------------------

async function sandboxOciPunchout(fields: Record<string, string> = {}): Promise<string> {
  const res = await post('/sandbox/punchouts', { protocol: 'oci', ...fields });
  assert.equal(res.status, 200);
  const hook = pairsFromHtmlForm(await res.text()).find(([n]) => n === 'HOOK_URL')![1];
  return new URL(hook).pathname.replace(/\/oci-return$/, '');
}

describe('the sandbox survives hostile carts and keeps secrets to itself', () => {
  test('an OCI cart with an absurd line number is stored with a short warning, and the server stays up', async () => {
    const path = await sandboxOciPunchout();
    const body = form({
      'NEW_ITEM-DESCRIPTION[1]': 'first',
      'NEW_ITEM-QUANTITY[1]': '1',
      'NEW_ITEM-DESCRIPTION[99999999999999999999]': 'far away',
      [`NEW_ITEM-DESCRIPTION[${'9'.repeat(400)}]`]: 'beyond numbers',
      'NEW_ITEM-DESCRIPTION[5000000]': 'a big gap',
    });
    const started = Date.now();
    const res = await post(`${path}/oci-return`, body);
    assert.equal(res.status, 303);
    assert.ok(Date.now() - started < 5000, 'answered quickly');
    const page = await (await fetch(`${t.baseUrl}${path}`)).text();
    assert.match(page, /gap in line numbers/);
    assert.ok(page.length < 200_000, `page is ${page.length} characters`);
    assert.equal((await fetch(`${t.baseUrl}/healthz`)).status, 200);
  });

  test('hostile cXML carts are shown escaped or refused as unreadable', async () => {
    const start = await post('/sandbox/punchouts', { protocol: 'cxml' });
    assert.equal(start.status, 303);
    const listing = await (await fetch(`${t.baseUrl}/sandbox`)).text();
    const path = /href="(\/sandbox\/punchouts\/[A-Za-z0-9_-]+)"/.exec(listing)![1]!;
    const poom = `<cXML payloadID="x" timestamp="2026-01-01T00:00:00Z"><Message><PunchOutOrderMessage><BuyerCookie>&lt;script&gt;alert(1)&lt;/script&gt;</BuyerCookie><PunchOutOrderMessageHeader operationAllowed="edit"><Total><Money currency="EUR">1</Money></Total></PunchOutOrderMessageHeader><ItemIn quantity="1"><ItemID><SupplierPartID>&lt;img src=x onerror=alert(1)&gt;</SupplierPartID></ItemID><ItemDetail><UnitPrice><Money currency="EUR">1</Money></UnitPrice><Description xml:lang="en">&lt;b&gt;bold&lt;/b&gt;</Description><UnitOfMeasure>EA</UnitOfMeasure></ItemDetail></ItemIn></PunchOutOrderMessage></Message></cXML>`;
    for (const body of [form({ 'cXML-urlencoded': poom }), form({ 'cXML-base64': '%%% not base64 %%%' }), form({ 'cXML-base64': Buffer.from('<cXML><').toString('base64') }), 'garbage=&&&=']) {
      assert.equal((await post(`${path}/cxml-return`, body)).status, 303);
      const page = await (await fetch(`${t.baseUrl}${path}`)).text();
      assert.ok(!/<script>alert|<img src=x|<b>bold/.test(page), 'unescaped content');
    }
  });

  test('“start another punchout with these settings” does not reveal the earlier secrets', async () => {
    const path = await sandboxOciPunchout({ ociPassword: 'Real-OCI-Passw0rd', sharedSecret: 'Real-Shared-Secret', ociUsername: 'real-user' });
    const id = path.split('/').pop()!;
    const page = await (await fetch(`${t.baseUrl}/sandbox?like=${id}`)).text();
    assert.match(page, /value="real-user"/, 'the other settings are copied');
    assert.ok(!page.includes('Real-OCI-Passw0rd'), 'OCI password shown');
    assert.ok(!page.includes('Real-Shared-Secret'), 'SharedSecret shown');
  });
});
