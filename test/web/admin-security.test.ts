/**
 * Security of the admin and of buyer separation, over real HTTP (no browser):
 *
 *   - every admin route is listed here; a route added without being listed fails the first test
 *     (collected with an `onRoute` hook on a test-only Fastify that registers the admin, and
 *     cross-checked against the real server's route tree);
 *   - no page and no action without a login (pages → 303 to the login form, actions → 303 to the
 *     login form, never a 200, never a change in the store);
 *   - a viewer changes nothing (every action → 403 with a valid CSRF token, store unchanged);
 *   - every action needs the session's CSRF token (missing, wrong, or another session's → 403);
 *   - a secret is never shown or logged after it was handed out once (every admin page, the
 *     document log, the audit trail, every table, and the process log are scanned);
 *   - one buyer's connection never reads another's sessions, prices, carts or documents (OCI and
 *     cXML, in the shop and in the admin's document log);
 *   - admin pages cannot be framed; the storefront can.
 *
 * The fixtures are made through the admin's own forms (connections, secrets, rotation, price lists,
 * maps) wherever a form exists.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { loadConfig, type KoppelConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/app/context.js';
import { seedDemo } from '../../src/app/demo-seed.js';
import { buildServer, createLogger } from '../../src/web/server.js';
import { registerAdmin } from '../../src/web/admin/index.js';
import { dec } from '../../src/protocol/money.js';
import { readCxml } from '../../src/protocol/cxml/reader.js';
import { writeOrderRequest, writePunchOutSetupRequest } from '../../src/protocol/cxml/writer.js';
import type { Header, PunchOutOrderMessage } from '../../src/protocol/cxml/model.js';
import type { ItemOutInput } from '../../src/protocol/cxml/write-types.js';
import { pairsFromHtmlForm, readOciCartForm } from '../../src/protocol/oci/cart-form-reader.js';
import { openTestStore } from '../helpers/store.js';
import type { TestApp } from '../helpers/app.js';
import { adminLogin, hiddenValue, type AdminClient } from '../helpers/admin.js';
import { postCxml, testPayloadId } from '../helpers/cxml.js';

// ---- the admin's routes -------------------------------------------------------------------------

type Access = 'public' | 'viewer' | 'admin';

/**
 * Every admin route and who may use it. `viewer`: any logged-in user; `admin`: the admin role and
 * the form's CSRF token. A new route must be added here (and so to every check below).
 */
const ADMIN_ROUTES: Readonly<Record<string, Access>> = {
  'GET /admin': 'viewer',
  'GET /admin/login': 'public',
  'POST /admin/login': 'public',
  'POST /admin/logout': 'viewer',
  'GET /admin/audit': 'viewer',
  'GET /admin/connections': 'viewer',
  'POST /admin/connections': 'admin',
  'GET /admin/connections/new': 'viewer',
  'GET /admin/connections/:id': 'viewer',
  'POST /admin/connections/:id': 'admin',
  'POST /admin/connections/:id/enabled': 'admin',
  'POST /admin/connections/:id/rotate': 'admin',
  'POST /admin/connections/:id/outbound-secret': 'admin',
  'GET /admin/connections/:id/maps': 'viewer',
  'POST /admin/connections/:id/maps': 'admin',
  'GET /admin/connections/:id/preview': 'viewer',
  'GET /admin/connections/:id/onboarding': 'viewer',
  'GET /admin/connections/:id/onboarding.json': 'viewer',
  'GET /admin/price-lists': 'viewer',
  'POST /admin/price-lists': 'admin',
  'GET /admin/price-lists/:id': 'viewer',
  'POST /admin/price-lists/:id/items': 'admin',
  'GET /admin/webhooks': 'viewer',
  'POST /admin/webhooks': 'admin',
  'GET /admin/webhooks/:id': 'viewer',
  'POST /admin/webhooks/:id': 'admin',
  'POST /admin/webhooks/:id/rotate': 'admin',
  'POST /admin/webhooks/:id/delete': 'admin',
  'GET /admin/api-keys': 'viewer',
  'POST /admin/api-keys': 'admin',
  'POST /admin/api-keys/:id/revoke': 'admin',
  'GET /admin/documents': 'viewer',
  'GET /admin/documents/:id': 'viewer',
  'POST /admin/documents/:id/replay': 'admin',
  'POST /admin/documents/:id/resend': 'admin',
  'GET /admin/orders': 'viewer',
  'GET /admin/orders/:id': 'viewer',
  'POST /admin/orders/:id/review': 'admin',
  'POST /admin/orders/:id/confirm': 'admin',
  'POST /admin/orders/:id/ship': 'admin',
  'POST /admin/orders/:id/invoice': 'admin',
  'POST /admin/orders/:id/credit': 'admin',
  'POST /admin/orders/:id/retry': 'admin',
  'POST /admin/orders/:id/close': 'admin',
};

const routeKeys = (access?: Access, method?: 'GET' | 'POST') =>
  Object.entries(ADMIN_ROUTES)
    .filter(([k, a]) => (!access || a === access) && (!method || k.startsWith(`${method} `)))
    .map(([k]) => k);

/** The admin's routes as registered: an `onRoute` hook on a Fastify that only registers the admin. */
async function registeredAdminRoutes(ctx: AppContext): Promise<string[]> {
  const probe = Fastify({ logger: false });
  const seen: string[] = [];
  probe.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') seen.push(`${method} ${route.url}`);
  });
  await registerAdmin(probe, ctx);
  await probe.ready();
  await probe.close();
  return seen.sort();
}

/**
 * The real server's routes under /admin from `printRoutes({ commonPrefix: false })`: each line is
 * a tree node `<prefix><segment> (<methods>)`, the prefix 4 characters per level, the node's
 * path its parent's path plus its segment. Catches an admin route registered outside registerAdmin.
 */
function adminRoutesFromTree(tree: string): string[] {
  const paths: string[] = [''];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    if (line.trim() === '') continue;
    const start = line.search(/[^│├└─\s]/u);
    assert.ok(start > 0 && start % 4 === 0, `unexpected route tree line: ${JSON.stringify(line)}`);
    const level = start / 4;
    const m = /^(.*?)(?: \(([^)]*)\))?$/.exec(line.slice(start))!;
    const path = (paths[level - 1] ?? '') + m[1]!;
    paths[level] = path;
    paths.length = level + 1;
    if (!m[2] || !(path === '/admin' || path.startsWith('/admin/'))) continue;
    for (const method of m[2].split(',').map((s) => s.trim())) if (method !== 'HEAD') out.push(`${method} ${path}`);
  }
  return out.sort();
}

// ---- the app, with a log we can read ------------------------------------------------------------

const logLines: string[] = [];
let t: TestApp;
let ctx: AppContext;

before(async () => {
  const store = await openTestStore();
  const config: KoppelConfig = { ...loadConfig({ ...process.env, PORT: '0', KOPPEL_DATA_DIR: '/nonexistent' }), secretKey: randomBytes(32).toString('hex') };
  // The logger `koppel serve` uses, at the most talkative level, writing into an array.
  ctx = createContext({ db: store.db, dialect: store.dialect, config, log: createLogger('trace', { write: (line: string) => void logLines.push(line) }) });
  await seedDemo(ctx);
  const app = await buildServer(ctx, { log: true });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  (config as { baseUrl: string }).baseUrl = baseUrl;
  t = {
    ctx,
    store,
    app,
    baseUrl,
    async close() {
      await app.close();
      await store.cleanup();
    },
  };
});
after(async () => {
  await t?.close();
});

// ---- helpers ------------------------------------------------------------------------------------

const OCI_A = 'sec-oci-a';
const OCI_B = 'sec-oci-b';
const CXML_A = 'sec-cxml-a';
const CXML_B = 'sec-cxml-b';
const HOOK = { [OCI_A]: 'https://srm.buyer-a.example/sap/return', [OCI_B]: 'https://srm.buyer-b.example/sap/return' } as const;
const CXML_IDS = {
  [CXML_A]: { from: 'AN-FROM-A', to: 'KOPPEL-FOR-A', sender: 'AN-SENDER-A', returnUrl: 'https://ariba.buyer-a.example/cxml/return' },
  [CXML_B]: { from: 'AN-FROM-B', to: 'KOPPEL-FOR-B', sender: 'AN-SENDER-B', returnUrl: 'https://ariba.buyer-b.example/cxml/return' },
} as const;

/** Every secret handed out (or handed in) during this file: none may ever show up again. */
const secrets: Record<string, string> = {};
let admin: AdminClient;
let admin2: AdminClient;
let viewer: AdminClient;
let product: { id: string; sku: string; name: string; price: string };
const priceLists: Record<string, string> = {};
const LIST_PRICE = { [OCI_A]: '1.11', [OCI_B]: '2.22' } as const;
/** A webhook and an API key made through the admin forms (their secrets are in `secrets`). */
let webhookId = '';
let apiKeyId = '';

function ociForm(id: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    protocol: 'oci',
    id,
    name: `Buyer ${id}`,
    buyerOrg: `Org ${id}`,
    environment: 'test',
    ociUsername: `user-${id}`,
    returnUrlPrefixes: new URL(HOOK[id as keyof typeof HOOK] ?? 'https://srm.other.example/').origin + '/',
    ipAllowList: '',
    oci_charset: 'UTF-8',
    oci_usernameField: 'USERNAME',
    oci_passwordField: 'PASSWORD',
    oci_hookUrlField: 'HOOK_URL',
    oci_priceUnitMode: 'price-unit',
    oci_maxPriceDecimals: '3',
    maxLines: '0',
    maxBytes: '0',
    secret: '',
    ...overrides,
  };
}

function cxmlForm(id: keyof typeof CXML_IDS): Record<string, string> {
  const x = CXML_IDS[id];
  return {
    protocol: 'cxml',
    id,
    name: `cXML buyer ${id}`,
    buyerOrg: `Org ${id}`,
    environment: 'production',
    from_domain_0: 'NetworkID',
    from_identity_0: x.from,
    to_domain_0: 'NetworkID',
    to_identity_0: x.to,
    sender_domain_0: 'NetworkID',
    sender_identity_0: x.sender,
    returnUrlPrefixes: new URL(x.returnUrl).origin + '/',
    ipAllowList: '',
    cxml_version: '1.2.014',
    cxml_formField: 'cXML-base64',
    cxml_defaultTarget: '_self',
    cxml_shippingAmount: '0',
    cxml_taxRatePercent: '0',
    cxml_taxRounding: 'line',
    maxLines: '0',
    maxBytes: '0',
    secret: '',
  };
}

function secretOnPage(page: string): string {
  const m = /<p class="secret-value"[^>]*>([^<]+)<\/p>/.exec(page);
  assert.ok(m, 'the page shows the secret once');
  return m[1]!;
}

async function form(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${t.baseUrl}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });
}

async function ociLogin(id: string, password: string, extra: Record<string, string> = {}, user = `user-${id}`): Promise<Response> {
  return form(`/punchout/oci/${id}`, { USERNAME: user, PASSWORD: password, HOOK_URL: HOOK[id as keyof typeof HOOK], ...extra });
}

/** Logs in to an OCI connection; the storefront path of the new session (/shop/s/<sid>). */
async function ociSession(id: string, password: string, extra: Record<string, string> = {}): Promise<string> {
  const res = await ociLogin(id, password, extra);
  assert.equal(res.status, 303, `OCI login to ${id}`);
  return res.headers.get('location')!.split('?')[0]!;
}

const sidOf = (path: string) => path.split('/')[3]!;

function cxmlHeader(from: string, sender: string, to: string, secret: string): Header {
  return {
    from: { credentials: [{ domain: 'NetworkID', identity: from }] },
    to: { credentials: [{ domain: 'NetworkID', identity: to }] },
    sender: { credentials: [{ domain: 'NetworkID', identity: sender, sharedSecret: secret }], userAgent: 'security test' },
  };
}

function headerFor(id: keyof typeof CXML_IDS, secret: string): Header {
  const x = CXML_IDS[id];
  return cxmlHeader(x.from, x.sender, x.to, secret);
}

function profileXml(h: Header): string {
  const cred = (c: { domain: string; identity: string; sharedSecret?: string }) =>
    `<Credential domain="${c.domain}"><Identity>${c.identity}</Identity>${c.sharedSecret !== undefined ? `<SharedSecret>${c.sharedSecret}</SharedSecret>` : ''}</Credential>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="${testPayloadId()}" timestamp="2026-12-03T10:00:00+01:00"><Header>
<From>${h.from.credentials.map(cred).join('')}</From><To>${h.to.credentials.map(cred).join('')}</To>
<Sender>${h.sender.credentials.map(cred).join('')}<UserAgent>security test</UserAgent></Sender>
</Header><Request><ProfileRequest/></Request></cXML>`;
}

function setupXml(h: Header, returnUrl: string, operation: 'create' | 'edit' = 'create', itemOut: ItemOutInput[] = []): string {
  return writePunchOutSetupRequest({ payloadID: testPayloadId(), timestamp: new Date() }, h, {
    operation,
    buyerCookie: `cookie-${randomBytes(4).toString('hex')}`,
    extrinsics: [],
    browserFormPostUrl: returnUrl,
    contacts: [],
    itemOut,
  });
}

/** A cXML punchout of `id`: setup, start page, the storefront path. */
async function cxmlSession(id: keyof typeof CXML_IDS, operation: 'create' | 'edit' = 'create', itemOut: ItemOutInput[] = []): Promise<string> {
  const setup = await postCxml(t.baseUrl, setupXml(headerFor(id, secrets[id]!), CXML_IDS[id].returnUrl, operation, itemOut));
  assert.equal(setup.status.code, 200, setup.status.text);
  const start = await fetch(setup.startPageUrl!, { redirect: 'manual' });
  assert.equal(start.status, 303);
  return start.headers.get('location')!.split('?')[0]!;
}

async function transferPage(path: string): Promise<string> {
  const res = await form(`${path}/transfer`, {});
  assert.equal(res.status, 200, `transfer of ${path}`);
  return res.text();
}

/** Row counts and the rows that matter: what a refused request must leave exactly as it was. */
async function snapshot(): Promise<string> {
  const db = t.store.db;
  const counts: Record<string, number> = {};
  for (const table of ['connections', 'price_lists', 'price_list_items', 'admin_users', 'orders', 'punchout_sessions', 'documents', 'cart_lines', 'order_documents', 'order_events', 'outbox']) {
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
    counts[table] = Number(r.rows[0]!.n);
  }
  // Logins are recorded; any other audit entry is a change someone made.
  counts.admin_changes = (await db.selectFrom('admin_audit').select('id').where('action', 'not like', 'admin.log%').execute()).length;
  const connections = await db
    .selectFrom('connections')
    .select(['id', 'name', 'enabled', 'updated_at', 'secret_hash', 'secret_hash_previous', 'previous_valid_until', 'outbound_secret_sealed', 'options', 'price_list_id'])
    .orderBy('id')
    .execute();
  const items = await db.selectFrom('price_list_items').selectAll().orderBy('price_list_id').orderBy('product_id').execute();
  const users = await db.selectFrom('admin_users').select(['username', 'role', 'disabled']).orderBy('username').execute();
  return JSON.stringify({ counts, connections, items, users }, null, 1);
}

/** Admin answers (pages, redirects, refusals) are never framed. */
function assertNotFramable(res: Response, what: string): void {
  assert.equal(res.headers.get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
  assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, `${what}: CSP frame-ancestors`);
}

// ---- the POST actions, each with a form that would change something ----------------------------

interface Action {
  route: string;
  path: string;
  fields: Record<string, string>;
}

let replayDocId = '';
let resendDocId = '';
/** Orders of cXML A: X has an invoice and a document the buyer refused; Y is open. */
const orderIds = { x: '', y: '' };
let invoiceOfX = '';
let failedOutboxOfX = '';

function actions(): Action[] {
  const list: Action[] = [
    { route: 'POST /admin/connections', path: '/admin/connections', fields: ociForm('sec-refused', { ociUsername: 'refused' }) },
    { route: 'POST /admin/connections/:id', path: `/admin/connections/${OCI_A}`, fields: ociForm(OCI_A, { name: 'Renamed by a refused request' }) },
    { route: 'POST /admin/connections/:id/enabled', path: `/admin/connections/${OCI_A}/enabled`, fields: { enabled: '0' } },
    { route: 'POST /admin/connections/:id/rotate', path: `/admin/connections/${OCI_A}/rotate`, fields: { overlap: 'none' } },
    { route: 'POST /admin/connections/:id/outbound-secret', path: `/admin/connections/${CXML_A}/outbound-secret`, fields: { outboundSecret: 'refused-outbound-secret' } },
    { route: 'POST /admin/connections/:id/maps', path: `/admin/connections/${OCI_A}/maps`, fields: { unit_from_0: 'PK', unit_to_0: 'PCE', classificationDomain: 'UNSPSC', priceListId: priceLists[OCI_B]! } },
    { route: 'POST /admin/price-lists', path: '/admin/price-lists', fields: { name: 'Refused list', currency: 'EUR' } },
    { route: 'POST /admin/price-lists/:id/items', path: `/admin/price-lists/${priceLists[OCI_A]}/items`, fields: { items: `${product.sku};0.01` } },
    { route: 'POST /admin/webhooks', path: '/admin/webhooks', fields: { url: 'https://shop.example/refused', events: 'order.received', enabled: '1' } },
    { route: 'POST /admin/webhooks/:id', path: `/admin/webhooks/${webhookId}`, fields: { url: 'https://shop.example/renamed', events: 'order.updated', enabled: '1' } },
    { route: 'POST /admin/webhooks/:id/rotate', path: `/admin/webhooks/${webhookId}/rotate`, fields: {} },
    { route: 'POST /admin/webhooks/:id/delete', path: `/admin/webhooks/${webhookId}/delete`, fields: {} },
    { route: 'POST /admin/api-keys', path: '/admin/api-keys', fields: { name: 'refused key', role: 'admin' } },
    { route: 'POST /admin/api-keys/:id/revoke', path: `/admin/api-keys/${apiKeyId}/revoke`, fields: {} },
    { route: 'POST /admin/documents/:id/replay', path: `/admin/documents/${replayDocId}/replay`, fields: {} },
    { route: 'POST /admin/documents/:id/resend', path: `/admin/documents/${resendDocId}/resend`, fields: {} },
    // In an order the control run below can follow: close last.
    { route: 'POST /admin/orders/:id/review', path: `/admin/orders/${orderIds.y}/review`, fields: { note: 'looked at it' } },
    { route: 'POST /admin/orders/:id/confirm', path: `/admin/orders/${orderIds.y}/confirm`, fields: { type: 'accept' } },
    { route: 'POST /admin/orders/:id/ship', path: `/admin/orders/${orderIds.y}/ship`, fields: { carrier: 'DHL', trackingNumber: 'SEC-1', l1_quantity: '1' } },
    { route: 'POST /admin/orders/:id/invoice', path: `/admin/orders/${orderIds.y}/invoice`, fields: { l1_quantity: '1' } },
    { route: 'POST /admin/orders/:id/credit', path: `/admin/orders/${orderIds.x}/credit`, fields: { invoiceNumber: invoiceOfX, amount: '0.01', reason: 'security test' } },
    { route: 'POST /admin/orders/:id/retry', path: `/admin/orders/${orderIds.x}/retry`, fields: { outbox: failedOutboxOfX } },
    { route: 'POST /admin/orders/:id/close', path: `/admin/orders/${orderIds.y}/close`, fields: { reason: 'security test' } },
  ];
  // Every admin-only route has its action here.
  assert.deepEqual(list.map((a) => a.route).sort(), routeKeys('admin', 'POST').sort(), 'an action for every admin-only POST route');
  return list;
}

// ---- the tests ----------------------------------------------------------------------------------

describe('the admin routes', () => {
  test('every registered admin route is in ADMIN_ROUTES, and every listed one is registered', async () => {
    const registered = await registeredAdminRoutes(ctx);
    assert.deepEqual(registered, Object.keys(ADMIN_ROUTES).sort(), 'a new admin route needs an entry in ADMIN_ROUTES (and so the checks of this file)');
    assert.deepEqual(adminRoutesFromTree(t.app.printRoutes({ commonPrefix: false })), registered, 'the real server has exactly these routes under /admin');
  });

  test('every GET route is covered by a page fetched below', () => {
    // pages() lists concrete URLs per route; a GET route without one would go unchecked.
    const covered = new Set(pagesFor().map((p) => p.route));
    for (const key of routeKeys(undefined, 'GET')) assert.ok(covered.has(key), `${key} has a page in pagesFor()`);
  });
});

/** Concrete URLs for every GET route (ids of what exists now). */
function pagesFor(ids: { connections?: string[]; lists?: string[]; documents?: string[]; orders?: string[] } = {}): { route: string; path: string }[] {
  const connections = ids.connections ?? [OCI_A];
  const lists = ids.lists ?? ['pl-none'];
  const documents = ids.documents ?? ['doc-none'];
  const orders = ids.orders ?? ['order-none'];
  const out: { route: string; path: string }[] = [
    { route: 'GET /admin', path: '/admin' },
    { route: 'GET /admin/login', path: '/admin/login' },
    { route: 'GET /admin/audit', path: '/admin/audit' },
    { route: 'GET /admin/connections', path: '/admin/connections' },
    { route: 'GET /admin/connections', path: '/admin/connections?protocol=oci&environment=test' },
    { route: 'GET /admin/connections/new', path: '/admin/connections/new' },
    { route: 'GET /admin/connections/new', path: '/admin/connections/new?protocol=oci' },
    { route: 'GET /admin/connections/new', path: '/admin/connections/new?protocol=cxml' },
    { route: 'GET /admin/price-lists', path: '/admin/price-lists' },
    { route: 'GET /admin/webhooks', path: '/admin/webhooks' },
    { route: 'GET /admin/webhooks/:id', path: `/admin/webhooks/${webhookId || 'wh-none'}` },
    { route: 'GET /admin/api-keys', path: '/admin/api-keys' },
    { route: 'GET /admin/documents', path: '/admin/documents' },
    { route: 'GET /admin/orders', path: '/admin/orders' },
    { route: 'GET /admin/orders', path: '/admin/orders?status=received&review=1&q=SEC' },
  ];
  for (const id of connections) {
    out.push(
      { route: 'GET /admin/connections/:id', path: `/admin/connections/${id}` },
      { route: 'GET /admin/connections/:id/maps', path: `/admin/connections/${id}/maps` },
      { route: 'GET /admin/connections/:id/preview', path: `/admin/connections/${id}/preview` },
      { route: 'GET /admin/connections/:id/preview', path: `/admin/connections/${id}/preview?cart=last` },
      { route: 'GET /admin/connections/:id/preview', path: `/admin/connections/${id}/preview?cart=sample` },
      { route: 'GET /admin/connections/:id/onboarding', path: `/admin/connections/${id}/onboarding` },
      { route: 'GET /admin/connections/:id/onboarding.json', path: `/admin/connections/${id}/onboarding.json` },
      { route: 'GET /admin/documents', path: `/admin/documents?connection=${id}` },
    );
  }
  for (const id of lists) out.push({ route: 'GET /admin/price-lists/:id', path: `/admin/price-lists/${id}` });
  for (const id of documents) out.push({ route: 'GET /admin/documents/:id', path: `/admin/documents/${id}` });
  for (const id of orders) out.push({ route: 'GET /admin/orders/:id', path: `/admin/orders/${id}` }, { route: 'GET /admin/orders', path: `/admin/orders?connection=${CXML_A}` });
  return out;
}

describe('setup through the admin forms', () => {
  test('users: an admin, a second admin and a viewer log in', async () => {
    admin = await adminLogin(t, 'admin');
    admin2 = await adminLogin(t, 'admin');
    viewer = await adminLogin(t, 'viewer');
    assert.notEqual(admin.csrf, admin2.csrf, 'each session has its own CSRF token');
    const p = await t.store.db.selectFrom('products').select(['id', 'sku', 'name', 'price']).where('stock', '>', 0).where('currency', '=', 'EUR').orderBy('sku').execute();
    product = p.find((x) => !['1.11', '2.22'].includes(x.price) && /^\d+\.\d\d$/.test(x.price))!;
    assert.ok(product);
  });

  test('two OCI and two cXML connections; each secret is shown once', async () => {
    for (const id of [OCI_A, OCI_B]) {
      const res = await admin.post('/admin/connections', ociForm(id));
      assert.equal(res.status, 200, `create ${id}`);
      secrets[id] = secretOnPage(await res.text());
    }
    for (const id of [CXML_A, CXML_B] as const) {
      const res = await admin.post('/admin/connections', cxmlForm(id));
      assert.equal(res.status, 200, `create ${id}`);
      secrets[id] = secretOnPage(await res.text());
    }
    assert.equal(new Set(Object.values(secrets)).size, 4);
  });

  test('OCI A\'s password is rotated with a 24-hour overlap; cXML A gets an outbound secret', async () => {
    const res = await admin.post(`/admin/connections/${OCI_A}/rotate`, { overlap: '24h' });
    assert.equal(res.status, 200);
    const page = await res.text();
    secrets[`${OCI_A} (rotated)`] = secretOnPage(page);
    assert.match(page, /still accepted until/);
    secrets[`${CXML_A} (outbound)`] = `outbound-${randomBytes(12).toString('hex')}`;
    const out = await admin.post(`/admin/connections/${CXML_A}/outbound-secret`, { outboundSecret: secrets[`${CXML_A} (outbound)`]! });
    assert.equal(out.status, 303);
    const row = await t.store.db.selectFrom('connections').select('outbound_secret_sealed').where('id', '=', CXML_A).executeTakeFirstOrThrow();
    assert.match(row.outbound_secret_sealed ?? '', /^v1:/);
  });

  test('a webhook and an API key; each secret is shown once', async () => {
    const hook = await admin.post('/admin/webhooks', { url: 'https://shop.example/koppel/events', events: 'order.received', enabled: '1' });
    assert.equal(hook.status, 200);
    secrets['webhook signing secret'] = secretOnPage(await hook.text());
    webhookId = (await t.store.db.selectFrom('webhooks').select('id').executeTakeFirstOrThrow()).id;
    const key = await admin.post('/admin/api-keys', { name: 'shop ERP', role: 'admin' });
    assert.equal(key.status, 200);
    secrets['API key'] = secretOnPage(await key.text());
    apiKeyId = (await t.store.db.selectFrom('api_keys').select('id').executeTakeFirstOrThrow()).id;
  });

  test('a price list per OCI buyer with a different price for the same product, chosen on the maps page', async () => {
    for (const id of [OCI_A, OCI_B] as const) {
      const created = await admin.post('/admin/price-lists', { name: `Prices of ${id}`, currency: 'EUR' });
      assert.equal(created.status, 303);
      const listId = /^\/admin\/price-lists\/([^?]+)\?/.exec(created.headers.get('location')!)![1]!;
      priceLists[id] = listId;
      assert.equal((await admin.post(`/admin/price-lists/${listId}/items`, { items: `${product.sku};${LIST_PRICE[id]}` })).status, 303);
      const maps = await admin.post(`/admin/connections/${id}/maps`, { classificationDomain: 'UNSPSC', priceListId: listId });
      assert.equal(maps.status, 303, `maps of ${id}`);
      const row = await t.store.db.selectFrom('connections').select('price_list_id').where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.price_list_id, listId);
    }
  });

  test('traffic: each secret is used (and a wrong one tried) so the log has something to leak', async () => {
    // OCI: old and new password of A (overlap), B; by POST and by GET (the password in the URL).
    await ociSession(OCI_A, secrets[OCI_A]!);
    await ociSession(OCI_A, secrets[`${OCI_A} (rotated)`]!);
    const get = await fetch(`${t.baseUrl}/punchout/oci/${OCI_B}?${new URLSearchParams({ USERNAME: `user-${OCI_B}`, PASSWORD: secrets[OCI_B]!, HOOK_URL: HOOK[OCI_B] })}`, { redirect: 'manual' });
    assert.equal(get.status, 303);
    assert.equal((await ociLogin(OCI_B, secrets[OCI_A]!)).status, 401);
    // cXML: a ProfileRequest and a setup for each, and A's identities with B's secret.
    for (const id of [CXML_A, CXML_B] as const) {
      const ok = await postCxml(t.baseUrl, profileXml(headerFor(id, secrets[id]!)));
      assert.equal(ok.status.code, 200, ok.status.text);
      await cxmlSession(id);
    }
    assert.equal((await postCxml(t.baseUrl, profileXml(headerFor(CXML_A, secrets[CXML_B]!)))).status.code, 401);
    const docs = await t.store.db.selectFrom('documents').select(['id', 'doc_type', 'direction', 'connection_id']).where('connection_id', '=', CXML_A).execute();
    replayDocId = docs.find((d) => d.doc_type === 'ProfileRequest' && d.direction === 'in')!.id;
    resendDocId = docs.find((d) => d.direction === 'out')!.id;
  });

  test('orders: two from cXML A; X is confirmed and invoiced through the order forms, and the buyer refused its confirmation', async () => {
    // The document URL through the connection form (the rest of the form as created).
    const edit = await admin.post(`/admin/connections/${CXML_A}`, { ...cxmlForm(CXML_A), cxml_documentUrl: 'https://ariba.buyer-a.example/cxml/documents', cxml_paymentTermDays: '30' });
    assert.equal(edit.status, 303, 'document URL saved');
    for (const key of ['x', 'y'] as const) {
      const orderID = `SEC-${key.toUpperCase()}-${process.pid}`;
      const xml = writeOrderRequest({ payloadID: testPayloadId(), timestamp: new Date() }, headerFor(CXML_A, secrets[CXML_A]!), {
        header: { orderID, orderDate: new Date(), type: 'new', total: { amount: dec(product.price).times(2), currency: 'EUR' }, billTo: { name: 'Buyer A', isoCountryCode: 'DE' } },
        items: [{ quantity: dec(2), lineNumber: 1, itemID: { supplierPartID: product.sku }, itemDetail: { unitPrice: { amount: dec(product.price), currency: 'EUR' }, descriptions: [{ lang: 'en', text: product.name }], unitOfMeasure: 'EA', classifications: [{ domain: 'UNSPSC', code: '44121700' }] } }],
      } as Parameters<typeof writeOrderRequest>[2]);
      const answer = await postCxml(t.baseUrl, xml);
      assert.equal(answer.status.code, 200, answer.text);
      orderIds[key] = (await t.store.db.selectFrom('orders').select('id').where('order_id', '=', orderID).executeTakeFirstOrThrow()).id;
    }
    assert.equal((await admin.post(`/admin/orders/${orderIds.x}/confirm`, { type: 'accept' })).status, 303);
    assert.equal((await admin.post(`/admin/orders/${orderIds.x}/invoice`, { l1_quantity: '2' })).status, 303);
    invoiceOfX = (await t.store.db.selectFrom('order_documents').select('number').where('order_id', '=', orderIds.x).where('kind', '=', 'invoice').executeTakeFirstOrThrow()).number;
    // No outbox worker runs here: the buyer's refusal is written as the worker would write it.
    const confirmation = await t.store.db.selectFrom('outbox').select('id').where('order_id', '=', orderIds.x).where('doc_type', '=', 'ConfirmationRequest').executeTakeFirstOrThrow();
    await t.store.db.updateTable('outbox').set({ status: 'failed', attempts: 1, last_error: 'cXML 400: unknown order' }).where('id', '=', confirmation.id).execute();
    failedOutboxOfX = confirmation.id;
  });
});

describe('no page and no action without a login', () => {
  test('every page: 303 to the login form (keeping where you wanted to go), never the page', async () => {
    for (const { route, path } of pagesFor({ connections: [OCI_A, CXML_A], lists: [priceLists[OCI_A]!], documents: [replayDocId], orders: [orderIds.x] })) {
      const res = await fetch(`${t.baseUrl}${path}`, { redirect: 'manual' });
      assertNotFramable(res, path);
      if (ADMIN_ROUTES[route] === 'public') {
        assert.equal(res.status, 200, path);
        continue;
      }
      assert.equal(res.status, 303, `${path} without login`);
      assert.equal(res.headers.get('location'), `/admin/login?next=${encodeURIComponent(path)}`, path);
      assert.equal(await res.text(), '', `${path}: no content without login`);
      // A made-up or expired session cookie is no login either.
      const forged = await fetch(`${t.baseUrl}${path}`, { redirect: 'manual', headers: { cookie: `koppel_admin=${randomBytes(32).toString('base64url')}` } });
      assert.equal(forged.status, 303, `${path} with a forged cookie`);
    }
  });

  test('every action: 303 to the login form and nothing changed', async () => {
    const before = await snapshot();
    for (const a of [...actions(), { route: 'POST /admin/logout', path: '/admin/logout', fields: {} }]) {
      for (const cookie of [undefined, `koppel_admin=${randomBytes(32).toString('base64url')}`]) {
        // With some CSRF token (a viewer's real one), so only the missing login can stop it.
        const res = await form(a.path, { ...a.fields, _csrf: viewer.csrf }, cookie ? { cookie } : {});
        assert.equal(res.status, 303, `${a.route} without login (${cookie ? 'forged cookie' : 'no cookie'})`);
        assert.equal(res.headers.get('location'), '/admin/login', a.route);
        assertNotFramable(res, a.route);
      }
    }
    assert.equal(await snapshot(), before, 'nothing changed');
  });

  test('the login itself needs its own CSRF cookie and token: no session is made without them', async () => {
    const sessions = async () => (await t.store.db.selectFrom('admin_sessions').select('id').execute()).length;
    const count = await sessions();
    const user = await t.store.db.selectFrom('admin_users').select('username').where('role', '=', 'admin').executeTakeFirstOrThrow();
    const loginPage = await fetch(`${t.baseUrl}/admin/login`);
    const cookie = loginPage.headers.getSetCookie()[0]!.split(';')[0]!;
    const token = hiddenValue(await loginPage.text(), '_csrf');
    for (const [what, fields, headers] of [
      ['no cookie', { _csrf: token }, {}],
      ['no token', {}, { cookie }],
      ['wrong token', { _csrf: `${token.slice(0, -2)}xx` }, { cookie }],
    ] as const) {
      const res = await form('/admin/login', { username: user.username, password: 'whatever-it-is', ...fields }, headers);
      assert.equal(res.status, 403, `login with ${what}`);
      assert.equal(res.headers.getSetCookie().some((c) => c.startsWith('koppel_admin=') && !c.startsWith('koppel_admin=;')), false, `${what}: no session cookie`);
    }
    assert.equal(await sessions(), count);
  });
});

describe('a viewer cannot change anything', () => {
  test('every page a viewer may see opens; "New connection" says not allowed', async () => {
    for (const { route, path } of pagesFor({ connections: [OCI_A, CXML_B], lists: [priceLists[OCI_B]!], documents: [replayDocId, resendDocId], orders: [orderIds.x, orderIds.y] })) {
      const res = await viewer.get(path);
      assertNotFramable(res, path);
      const expected = route === 'GET /admin' ? 303 : route === 'GET /admin/connections/new' ? 403 : 200;
      assert.equal(res.status, expected, `viewer ${path}`);
    }
  });

  test('every action: 403 with a valid CSRF token, and the store unchanged', async () => {
    const before = await snapshot();
    for (const a of actions()) {
      const res = await viewer.post(a.path, a.fields);
      assert.equal(res.status, 403, `viewer ${a.route}`);
      assertNotFramable(res, a.route);
      assert.match(await res.text(), /may look at the admin but not change anything/);
    }
    assert.equal(await snapshot(), before, 'nothing changed');
    // The viewer's session survived all that and still works.
    assert.equal((await viewer.get('/admin/audit')).status, 200);
  });
});

describe('every action needs the session\'s CSRF token', () => {
  test('an admin without a token, with a wrong one, or with another session\'s: 403 and nothing changed', async () => {
    const before = await snapshot();
    const variants: [string, Record<string, string>][] = [
      ['no token', {}],
      ['empty token', { _csrf: '' }],
      ['wrong token', { _csrf: `${admin.csrf.slice(0, -3)}abc` }],
      ['another admin session\'s token', { _csrf: admin2.csrf }],
    ];
    for (const a of actions()) {
      for (const [what, token] of variants) {
        const body = new URLSearchParams({ ...a.fields, ...token });
        if (!('_csrf' in token)) body.delete('_csrf');
        const res = await fetch(`${t.baseUrl}${a.path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie }, body: body.toString() });
        assert.equal(res.status, 403, `${a.route} with ${what}`);
        assert.match(await res.text(), /security token is missing or old/, `${a.route} with ${what}`);
      }
      // The token in the query string instead of the form does not count either.
      const res = await fetch(`${t.baseUrl}${a.path}?_csrf=${admin.csrf}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie }, body: new URLSearchParams(a.fields).toString() });
      assert.equal(res.status, 403, `${a.route} with the token in the URL`);
    }
    assert.equal(await snapshot(), before, 'nothing changed');
  });

  test('log out without the token does not end the session', async () => {
    const res = await fetch(`${t.baseUrl}/admin/logout`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie }, body: '' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/admin');
    assert.equal((await admin.get('/admin/audit')).status, 200, 'still logged in');
  });
});

describe('one buyer never reaches another buyer\'s sessions, prices, carts or documents', () => {
  let pathA = '';
  let pathB = '';

  test('OCI: each session shows its own buyer\'s list price, in the catalog, on the product page and in the cart', async () => {
    pathA = await ociSession(OCI_A, secrets[`${OCI_A} (rotated)`]!);
    pathB = await ociSession(OCI_B, secrets[OCI_B]!);
    assert.notEqual(sidOf(pathA), sidOf(pathB));
    const shown = (price: string) => `€ ${price}`;
    for (const [path, mine, theirs] of [
      [pathA, LIST_PRICE[OCI_A], LIST_PRICE[OCI_B]],
      [pathB, LIST_PRICE[OCI_B], LIST_PRICE[OCI_A]],
    ] as const) {
      for (const page of [`${path}?q=${encodeURIComponent(product.sku)}`, `${path}/products/${product.id}`]) {
        const html = await (await fetch(`${t.baseUrl}${page}`)).text();
        assert.ok(html.includes(shown(mine)), `${page} shows its buyer's price ${mine}`);
        assert.ok(!html.includes(shown(theirs)), `${page} never shows the other buyer's price ${theirs}`);
      }
    }
    assert.equal((await form(`${pathA}/cart/add`, { product_id: product.id, quantity: '3' })).status, 303);
    assert.equal((await form(`${pathB}/cart/add`, { product_id: product.id, quantity: '1' })).status, 303);
    const cartA = await (await fetch(`${t.baseUrl}${pathA}/cart`)).text();
    const cartB = await (await fetch(`${t.baseUrl}${pathB}/cart`)).text();
    assert.ok(cartA.includes(shown('3.33')) && !cartA.includes(shown('2.22')), 'A: 3 × 1.11');
    assert.ok(cartB.includes(shown('2.22')) && !cartB.includes(shown('1.11')), 'B: 1 × 2.22');
  });

  test('OCI: B\'s session cannot change or remove a line of A\'s cart, even knowing its id', async () => {
    const lineA = await t.store.db.selectFrom('cart_lines').selectAll().where('session_id', '=', sidOf(pathA)).executeTakeFirstOrThrow();
    const update = await form(`${pathB}/cart/update`, { line_id: lineA.id, quantity: '99' });
    assert.equal(update.status, 303);
    assert.match(update.headers.get('location')!, /notice=missing$/);
    const remove = await form(`${pathB}/cart/remove`, { line_id: lineA.id });
    assert.match(remove.headers.get('location')!, /notice=missing$/);
    const still = await t.store.db.selectFrom('cart_lines').selectAll().where('id', '=', lineA.id).executeTakeFirstOrThrow();
    assert.deepEqual(still, lineA, 'A\'s line is untouched');
    assert.equal((await t.store.db.selectFrom('cart_lines').select('id').where('session_id', '=', sidOf(pathB)).execute()).length, 1, 'B has its one line only');
  });

  test('OCI: B\'s entry never opens or returns A\'s session, whatever is sent with it; credentials do not cross', async () => {
    const sidA = sidOf(pathA);
    // A's session id offered under every name a client might try: B gets a fresh, empty session.
    const smuggled = await ociSession(OCI_B, secrets[OCI_B]!, { sid: sidA, SESSION: sidA, session_id: sidA, '~CALLER': sidA, BUYER_COOKIE: sidA });
    assert.notEqual(sidOf(smuggled), sidA);
    const row = await t.store.db.selectFrom('punchout_sessions').selectAll().where('id', '=', sidOf(smuggled)).executeTakeFirstOrThrow();
    assert.equal(row.connection_id, OCI_B);
    assert.equal((await t.store.db.selectFrom('cart_lines').select('id').where('session_id', '=', row.id).execute()).length, 0, 'a new session starts with an empty cart');
    const smuggledCart = await (await fetch(`${t.baseUrl}${smuggled}/cart`)).text();
    assert.ok(!smuggledCart.includes(product.name), 'none of A\'s lines');

    // Credentials of one connection never open the other.
    assert.equal((await ociLogin(OCI_B, secrets[`${OCI_A} (rotated)`]!, {}, `user-${OCI_A}`)).status, 401, 'A\'s user and password at B');
    assert.equal((await ociLogin(OCI_B, secrets[OCI_B]!, {}, `user-${OCI_A}`)).status, 401, 'A\'s user name with B\'s password');
    assert.equal((await ociLogin(OCI_A, secrets[OCI_B]!)).status, 401, 'B\'s password at A');

    // B's server-side answers (VALIDATE, BACKGROUND_SEARCH) carry B's price.
    const calls: Record<string, string>[] = [
      { FUNCTION: 'VALIDATE', PRODUCTID: product.sku, QUANTITY: '1' },
      { FUNCTION: 'BACKGROUND_SEARCH', SEARCHSTRING: product.sku },
    ];
    for (const fn of calls) {
      const res = await ociLogin(OCI_B, secrets[OCI_B]!, fn);
      assert.equal(res.status, 200, fn.FUNCTION);
      const read = readOciCartForm(pairsFromHtmlForm(await res.text()));
      const line = read.lines.find((l) => l.vendorMat === product.sku || l.extProductId === product.sku);
      assert.ok(line, `${fn.FUNCTION} answers the product`);
      assert.ok(line.price!.div(line.priceUnit).eq(LIST_PRICE[OCI_B]), `${fn.FUNCTION}: B's price, not A's`);
    }
  });

  test('OCI: each transfer carries only its own lines at its own price, to its own HOOK_URL', async () => {
    const pageB = await transferPage(pathB);
    const pageA = await transferPage(pathA);
    for (const [page, id, quantity] of [
      [pageA, OCI_A, 3],
      [pageB, OCI_B, 1],
    ] as const) {
      assert.ok(page.includes(`action="${HOOK[id]}"`), `${id}'s cart goes to its own HOOK_URL`);
      const other = id === OCI_A ? OCI_B : OCI_A;
      assert.ok(!page.includes(HOOK[other]), `${id}'s cart never names the other buyer's HOOK_URL`);
      const read = readOciCartForm(pairsFromHtmlForm(page));
      assert.equal(read.lines.length, 1);
      assert.ok(read.lines[0]!.quantity!.eq(quantity), `${id}: its own quantity`);
      assert.ok(read.lines[0]!.price!.div(read.lines[0]!.priceUnit).eq(LIST_PRICE[id]), `${id}: its own price`);
    }
    // A finished session is finished for everyone.
    assert.equal((await form(`${pathA}/transfer`, {})).status, 410);
  });

  test('cXML: A\'s identities with B\'s secret, or mixed credentials, are refused; a profile names nothing of B', async () => {
    const a = CXML_IDS[CXML_A];
    const b = CXML_IDS[CXML_B];
    const namesOfB = [CXML_B, `cXML buyer ${CXML_B}`, b.from, b.sender, b.to, `Org ${CXML_B}`];
    const refused = [
      ['A\'s identities, B\'s secret', headerFor(CXML_A, secrets[CXML_B]!)],
      ['From A, Sender B with B\'s secret', cxmlHeader(a.from, b.sender, a.to, secrets[CXML_B]!)],
      ['From B, Sender A with A\'s secret', cxmlHeader(b.from, a.sender, b.to, secrets[CXML_A]!)],
      ['B\'s identities naming A\'s supplier identity', cxmlHeader(b.from, b.sender, a.to, secrets[CXML_B]!)],
    ] as const;
    for (const [what, header] of refused) {
      const res = await postCxml(t.baseUrl, profileXml(header));
      assert.equal(res.status.code, 401, what);
    }
    const res = await postCxml(t.baseUrl, profileXml(headerFor(CXML_A, secrets[CXML_A]!)));
    assert.equal(res.status.code, 200);
    for (const name of namesOfB) assert.ok(!res.text.includes(name), `A's profile does not mention ${name}`);
    // And refusing A never tells A anything about B.
    const wrong = await postCxml(t.baseUrl, profileXml(headerFor(CXML_A, secrets[CXML_B]!)));
    for (const name of namesOfB) assert.ok(!wrong.text.includes(name), `the refusal does not mention ${name}`);
  });

  test('cXML: an edit by B that quotes A\'s line (its aux ID) gets only what B sent, never A\'s cart', async () => {
    const pathCA = await cxmlSession(CXML_A);
    await form(`${pathCA}/cart/add`, { product_id: product.id, quantity: '7' });
    const poomField = pairsFromHtmlForm(await transferPage(pathCA))[0]![1];
    const poom = readCxml(Buffer.from(poomField, 'base64').toString('utf8')).envelope.payload as PunchOutOrderMessage;
    const itemA = poom.items[0]!;
    assert.ok(itemA.itemID.supplierPartAuxiliaryID, 'A\'s line has an aux ID');
    const linesA = await t.store.db.selectFrom('cart_lines').selectAll().where('session_id', '=', sidOf(pathCA)).execute();

    const pathCB = await cxmlSession(CXML_B, 'edit', [{ quantity: dec(1), itemID: itemA.itemID }]);
    const session = await t.store.db.selectFrom('punchout_sessions').selectAll().where('id', '=', sidOf(pathCB)).executeTakeFirstOrThrow();
    assert.equal(session.connection_id, CXML_B);
    const linesB = await t.store.db.selectFrom('cart_lines').selectAll().where('session_id', '=', session.id).execute();
    assert.equal(linesB.length, 1, 'the one line B sent');
    assert.equal(dec(linesB[0]!.quantity).toString(), '1', 'B\'s quantity, not A\'s 7');
    assert.deepEqual(await t.store.db.selectFrom('cart_lines').selectAll().where('session_id', '=', sidOf(pathCA)).execute(), linesA, 'A\'s cart is untouched');
    // B's transfer carries one line; nothing of A's cart rides along.
    const poomB = readCxml(Buffer.from(pairsFromHtmlForm(await transferPage(pathCB))[0]![1], 'base64').toString('utf8')).envelope.payload as PunchOutOrderMessage;
    assert.equal(poomB.items.length, 1);
    assert.ok(poomB.items[0]!.quantity.eq(1));
    assert.notEqual(poomB.buyerCookie, poom.buyerCookie);
  });

  test('admin document log: filtered by A, none of B\'s documents (and the other way round)', async () => {
    const db = t.store.db;
    for (const [mine, other] of [
      [OCI_A, OCI_B],
      [OCI_B, OCI_A],
      [CXML_A, CXML_B],
      [CXML_B, CXML_A],
    ] as const) {
      const page = await (await admin.get(`/admin/documents?connection=${mine}`)).text();
      const listed = [...page.matchAll(/<td><a href="\/admin\/connections\/([^"]+)"/g)].map((m) => m[1]);
      assert.ok(listed.length > 0, `${mine} has documents`);
      assert.deepEqual([...new Set(listed)], [mine], `only ${mine}'s documents`);
      const ids = new Set([...page.matchAll(/<a href="\/admin\/documents\/([^"?]+)">/g)].map((m) => m[1]));
      const theirs = await db.selectFrom('documents').select(['id', 'session_id']).where('connection_id', '=', other).execute();
      for (const d of theirs) {
        assert.ok(!ids.has(d.id), `${other}'s document ${d.id} is not in ${mine}'s log`);
        if (d.session_id) assert.ok(!page.includes(d.session_id), `${other}'s session id is not on ${mine}'s page`);
      }
      const ours = await db.selectFrom('documents').select('id').where('connection_id', '=', mine).execute();
      assert.deepEqual([...ids].sort(), ours.map((d) => d.id).sort(), `every one of ${mine}'s documents`);
    }
    // A session of A under B's filter: nothing.
    const sessionA = (await db.selectFrom('punchout_sessions').select('id').where('connection_id', '=', OCI_A).executeTakeFirstOrThrow()).id;
    const crossed = await (await admin.get(`/admin/documents?connection=${OCI_B}&session=${sessionA}`)).text();
    assert.match(crossed, /No document matches these filters/);
  });
});

describe('a secret is never shown or logged after it was handed out', () => {
  test('no admin page (as admin or viewer) shows a secret, a hash or a sealed value', async () => {
    const db = t.store.db;
    const connections = (await db.selectFrom('connections').select(['id', 'secret_hash', 'secret_hash_previous', 'outbound_secret_sealed']).execute());
    const lists = (await db.selectFrom('price_lists').select('id').execute()).map((r) => r.id);
    const documents = (await db.selectFrom('documents').select('id').execute()).map((r) => r.id);
    assert.ok(documents.length > 20, 'the traffic above logged documents');
    const stored = connections.flatMap((c) => [c.secret_hash, c.secret_hash_previous, c.outbound_secret_sealed]).filter((v): v is string => !!v);
    const orders = (await db.selectFrom('orders').select('id').execute()).map((r) => r.id);
    const pages = pagesFor({ connections: connections.map((c) => c.id), lists, documents, orders });
    // The document log pages, all the way back.
    let older: string | undefined = '/admin/documents';
    while (older) {
      pages.push({ route: 'GET /admin/documents', path: older });
      const html: string = await (await admin.get(older)).text();
      const next: string | undefined = /href="\/admin\/documents\?([^"]*before=\d+[^"]*)"/.exec(html)?.[1];
      older = next ? `/admin/documents?${next.replace(/&amp;/g, '&')}` : undefined;
    }
    let scanned = 0;
    for (const client of [admin, viewer]) {
      for (const { path } of pages) {
        const res = await client.get(path);
        assert.ok([200, 303, 403].includes(res.status), `${path}: ${res.status}`);
        const text = await res.text();
        for (const [name, secret] of Object.entries(secrets)) assert.ok(!text.includes(secret), `${path} shows the secret of ${name}`);
        assert.ok(!text.includes('scrypt$'), `${path} shows a secret hash`);
        for (const value of stored) assert.ok(!text.includes(value), `${path} shows a stored hash or sealed value`);
        scanned += 1;
      }
    }
    assert.ok(scanned > 100, `${scanned} pages scanned`);
  });

  test('no table holds a secret in clear: documents, audit trail, sessions, everything', async () => {
    const tables = (await t.store.db.introspection.getTables()).map((x) => x.name).filter((n) => !/^kysely_/.test(n));
    for (const expected of ['connections', 'documents', 'admin_audit', 'punchout_sessions', 'admin_sessions']) assert.ok(tables.includes(expected), `table ${expected} is scanned`);
    for (const table of tables) {
      const rows = (await sql`select * from ${sql.table(table)}`.execute(t.store.db)).rows;
      const text = JSON.stringify(rows);
      for (const [name, secret] of Object.entries(secrets)) assert.ok(!text.includes(secret), `table ${table} holds the secret of ${name}`);
    }
    const audit = await t.store.db.selectFrom('admin_audit').selectAll().execute();
    assert.ok(audit.some((a) => a.action === 'connection.rotate-secret'), 'the rotation is in the audit trail');
  });

  test('the process log (every request, at level trace) never carries a secret', () => {
    assert.ok(logLines.length > 100, `${logLines.length} log lines`);
    assert.ok(logLines.some((l) => l.includes(`/punchout/oci/${OCI_B}?`)), 'the OCI GET login was logged');
    const all = logLines.join('\n');
    for (const [name, secret] of Object.entries(secrets)) assert.ok(!all.includes(secret), `the log carries the secret of ${name}`);
    assert.ok(!all.includes('scrypt$'), 'the log carries a secret hash');
  });
});

describe('framing', () => {
  test('admin pages send X-Frame-Options DENY and frame-ancestors \'none\'; the storefront may be framed', async () => {
    for (const path of ['/admin/login', '/admin/connections', `/admin/connections/${OCI_A}`, '/admin/documents', '/admin/price-lists', '/admin/connections/nope', '/admin/orders', `/admin/orders/${orderIds.x}`]) {
      assertNotFramable(await admin.get(path), path);
    }
    const shop = await ociSession(OCI_B, secrets[OCI_B]!);
    for (const path of [shop, `${shop}?q=${product.sku}`, `${shop}/products/${product.id}`, `${shop}/cart`]) {
      const res = await fetch(`${t.baseUrl}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('x-frame-options'), null, `${path}: no X-Frame-Options`);
      // A connection may list the buyer's sites; by default any site may frame the shop.
      assert.doesNotMatch(res.headers.get('content-security-policy') ?? '', /frame-ancestors[^;]*'(none|self)'/, `${path}: frameable by the buyer's site`);
    }
    await form(`${shop}/cart/add`, { product_id: product.id, quantity: '1' });
    const transfer = await form(`${shop}/transfer`, {});
    assert.equal(transfer.status, 200);
    assert.equal(transfer.headers.get('x-frame-options'), null, 'the cart return page runs in the buyer\'s frame too');
  });
});

describe('control: the same actions with an admin\'s login and token go through', () => {
  // Run last: these change the store. They show that the refusals above were refusals, not
  // forms that could not have changed anything anyway.
  test('every admin action is accepted and (except a refused resend) changes the store', async () => {
    for (const a of actions()) {
      const before = await snapshot();
      const res = await admin.post(a.path, a.fields);
      assert.ok(![403].includes(res.status) && res.headers.get('location') !== '/admin/login', `${a.route}: ${res.status}`);
      assertNotFramable(res, a.route);
      if (a.route === 'POST /admin/documents/:id/resend') {
        // An answer Koppel gave on the buyer's connection cannot be resent: refused with the reason.
        assert.equal(res.status, 409);
        continue;
      }
      assert.ok([200, 303].includes(res.status), `${a.route}: ${res.status}`);
      assert.notEqual(await snapshot(), before, `${a.route} changed something`);
    }
  });
});
