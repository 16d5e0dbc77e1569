/**
 * The HTTP API /api/v1 over real HTTP: Bearer keys (none, wrong, revoked → 401 JSON), roles
 * (viewer reads, POST → 403), strict JSON bodies and query strings with field-named problems,
 * and the order endpoints on orders that arrived as real cXML OrderRequests.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { demoHeader, postCxml, testPayloadId } from '../helpers/cxml.js';
import { writeOrderRequest } from '../../src/protocol/cxml/writer.js';
import { createApiKey, revokeApiKey } from '../../src/app/api-keys.js';
import type { StoredOptions } from '../../src/domain/connection.js';

let t: TestApp;
let adminKey = '';
let viewerKey = '';
const ACTOR = { username: 'tests' };

before(async () => {
  t = await startTestApp();
  const row = await t.store.db.selectFrom('connections').select('options').where('id', '=', 'demo-cxml').executeTakeFirstOrThrow();
  const options = JSON.parse(row.options) as StoredOptions;
  await t.store.db
    .updateTable('connections')
    .set({ options: JSON.stringify({ ...options, cxml: { ...(options.cxml ?? {}), documentUrl: 'https://buyer.example/cxml/inbound' } }) })
    .where('id', '=', 'demo-cxml')
    .execute();
  adminKey = (await createApiKey(t.ctx, ACTOR, { name: 'erp', role: 'admin' })).key;
  viewerKey = (await createApiKey(t.ctx, ACTOR, { name: 'dashboard', role: 'viewer' })).key;
});
after(async () => {
  await t?.close();
});

async function api(method: string, path: string, o: { key?: string | null; body?: unknown; raw?: string; type?: string } = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const key = o.key === undefined ? adminKey : o.key;
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (o.raw !== undefined) body = o.raw;
  else if (o.body !== undefined) body = JSON.stringify(o.body);
  if (body !== undefined) headers['content-type'] = o.type ?? 'application/json';
  const res = await fetch(`${t.baseUrl}/api/v1${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${method} ${path}: JSON answer (${text.slice(0, 100)})`);
  return { status: res.status, json: JSON.parse(text), headers: res.headers };
}

let counter = 0;
/** An OrderRequest of the demo buyer over real HTTP; the stored order's id. */
async function placeOrder(): Promise<{ id: string; orderID: string }> {
  counter += 1;
  const orderID = `API-${process.pid}-${counter}`;
  const xml = writeOrderRequest({ payloadID: testPayloadId(), timestamp: new Date() }, demoHeader(), {
    deploymentMode: 'production',
    header: { orderID, orderDate: new Date(Date.now() - 3_600_000), type: 'new', total: { amount: new Decimal('25.00'), currency: 'EUR' }, billTo: { addressID: 'B1', name: 'Buyer Inc.', isoCountryCode: 'DE' } },
    items: [1, 2].map((n) => ({
      quantity: new Decimal(n === 1 ? '2' : '1'),
      lineNumber: n,
      itemID: { supplierPartID: `P-${n}`, supplierPartAuxiliaryID: `aux-${n}` },
      itemDetail: { unitPrice: { amount: new Decimal(n === 1 ? '10.00' : '5.00'), currency: 'EUR' }, descriptions: [{ lang: 'en', text: `Item ${n}` }], unitOfMeasure: 'EA', classifications: [{ domain: 'UNSPSC', code: '44121700' }] },
    })),
  });
  const answer = await postCxml(t.baseUrl, xml);
  assert.equal(answer.status.code, 200, answer.text);
  const row = await t.store.db.selectFrom('orders').select('id').where('order_id', '=', orderID).executeTakeFirstOrThrow();
  return { id: row.id, orderID };
}

const counts = async () => {
  const n = async (table: 'order_documents' | 'outbox' | 'order_events') => Number((await t.store.db.selectFrom(table).select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { documents: await n('order_documents'), outbox: await n('outbox'), events: await n('order_events') };
};

describe('authentication and roles', () => {
  test('no key, a malformed header, an unknown key or a revoked key: 401 JSON with WWW-Authenticate, no cookie', async () => {
    const { key: revoked, apiKey } = await createApiKey(t.ctx, ACTOR, { name: 'old', role: 'admin' });
    assert.equal((await api('GET', '/orders', { key: revoked })).status, 200, 'works before it is revoked');
    await revokeApiKey(t.ctx, ACTOR, apiKey.id);
    for (const [what, key] of [
      ['no key', null],
      ['unknown key', `kpk_${'A'.repeat(43)}`],
      ['revoked key', revoked],
      ['a key of another shape', 'not-a-key'],
    ] as const) {
      const r = await api('GET', '/orders', { key });
      assert.equal(r.status, 401, what);
      assert.equal(typeof r.json.error, 'string');
      assert.deepEqual(r.json.problems, []);
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.equal(r.headers.get('set-cookie'), null);
    }
    const basic = await fetch(`${t.baseUrl}/api/v1/orders`, { headers: { authorization: `Basic ${Buffer.from(`x:${adminKey}`).toString('base64')}` } });
    assert.equal(basic.status, 401, 'only Bearer');
    const r = await api('POST', '/orders/x/close', { key: null, body: {} });
    assert.equal(r.status, 401, 'POST without a key');
  });

  test('a viewer key reads but every POST is 403 and changes nothing', async () => {
    const order = await placeOrder();
    assert.equal((await api('GET', '/orders', { key: viewerKey })).status, 200);
    assert.equal((await api('GET', `/orders/${order.id}`, { key: viewerKey })).status, 200);
    const before = await counts();
    for (const [path, body] of [
      ['confirmations', { type: 'accept' }],
      ['ship-notices', { carrier: 'DHL', trackingNumber: '1' }],
      ['invoices', {}],
      ['credit-memos', { invoiceNumber: 'x', amount: '1', reason: 'x' }],
      ['close', {}],
      ['review', {}],
    ] as const) {
      const r = await api('POST', `/orders/${order.id}/${path}`, { key: viewerKey, body });
      assert.equal(r.status, 403, path);
      assert.match(r.json.error, /viewer role and may only read/);
    }
    assert.deepEqual(await counts(), before);
  });

  test('last use of a key is recorded', async () => {
    const row = await t.store.db.selectFrom('api_keys').select('last_used_at').where('name', '=', 'dashboard').executeTakeFirstOrThrow();
    assert.ok(row.last_used_at);
  });
});

describe('validation', () => {
  test('bodies: not JSON, wrong content type, not an object, unknown and mistyped fields are named', async () => {
    const order = await placeOrder();
    const before = await counts();
    let r = await api('POST', `/orders/${order.id}/confirmations`, { raw: '{"type": "accept",' });
    assert.equal(r.status, 400);
    assert.match(r.json.problems[0], /^body: is not valid JSON/);
    r = await api('POST', `/orders/${order.id}/confirmations`, { raw: 'type=accept', type: 'application/x-www-form-urlencoded' });
    assert.equal(r.status, 400);
    assert.match(r.json.problems[0], /^content-type: must be application\/json/);
    r = await api('POST', `/orders/${order.id}/confirmations`, { body: ['accept'] });
    assert.equal(r.status, 422);
    assert.deepEqual(r.json.problems, ['body: must be a JSON object']);
    r = await api('POST', `/orders/${order.id}/ship-notices`, { body: { carrier: 'DHL', trackingNo: '123', lines: [{ lineNumber: 1, quantity: 2 }, { lineNumber: 0, quantity: '1,5' }] } });
    assert.equal(r.status, 422);
    assert.equal(r.json.error, 'the request body does not describe a valid document');
    const problems: string[] = r.json.problems;
    for (const expected of [
      /^trackingNo: is not a known field/,
      /^trackingNumber: is required/,
      /^lines\[0\]\.quantity: must be a decimal written as text, e\.g\. "2"/,
      /^lines\[1\]\.lineNumber: must be a whole number from 1/,
      /^lines\[1\]\.quantity: must be a decimal number written with a dot/,
    ]) {
      assert.ok(problems.some((p) => expected.test(p)), `${expected} in ${JSON.stringify(problems)}`);
    }
    r = await api('POST', `/orders/${order.id}/confirmations`, { body: { type: 'detail', lines: [{ lineNumber: 1, statuses: [{ type: 'maybe', quantity: '1', deliveryDate: '2026-02-30' }] }] } });
    assert.equal(r.status, 422);
    assert.ok(r.json.problems.includes('lines[0].statuses[0].type: must be one of accept, detail, backordered, reject, not "maybe"'), JSON.stringify(r.json.problems));
    assert.ok(r.json.problems.includes('lines[0].statuses[0].deliveryDate: 2026-02-30 is not a calendar date'), JSON.stringify(r.json.problems));
    r = await api('POST', `/orders/${order.id}/confirmations`, { body: { type: 'reject' } });
    assert.deepEqual(r.json.problems, ['comment: is required']);
    r = await api('POST', `/orders/${order.id}/credit-memos`, { body: { invoiceNumber: 'INV-1', amount: '0', reason: 'x' } });
    assert.deepEqual(r.json.problems, ['amount: must be more than 0']);
    r = await api('POST', `/orders/${order.id}/close`, { body: { why: 'x' } });
    assert.equal(r.status, 422);
    assert.match(r.json.problems[0], /^why: is not a known field \(known: reason\)/);
    assert.deepEqual(await counts(), before, 'nothing stored');
  });

  test('query strings: unknown filters, bad values and repeats are named', async () => {
    const r = await api('GET', '/orders?status=shipped_maybe&limit=0&sort=date&needsReview=yes&from=yesterday&offset=1&offset=2');
    assert.equal(r.status, 400);
    const problems: string[] = r.json.problems;
    for (const field of ['status', 'limit', 'sort', 'needsReview', 'from', 'offset']) assert.ok(problems.some((p) => p.startsWith(`${field}: `)), `${field} in ${JSON.stringify(problems)}`);
  });

  test('unknown orders and routes: 404 JSON', async () => {
    let r = await api('GET', '/orders/no-such-order');
    assert.equal(r.status, 404);
    assert.match(r.json.error, /no order with id "no-such-order"/);
    r = await api('POST', '/orders/no-such-order/confirmations', { body: { type: 'accept' } });
    assert.equal(r.status, 404);
    r = await api('GET', '/nothing-here');
    assert.equal(r.status, 404);
    assert.deepEqual(r.json.problems, []);
  });
});

describe('orders and their documents', () => {
  test('list with filters and read one order', async () => {
    const order = await placeOrder();
    let r = await api('GET', `/orders?orderId=${encodeURIComponent(order.orderID)}&connection=demo-cxml&status=received`);
    assert.equal(r.status, 200);
    assert.equal(r.json.total, 1);
    assert.equal(r.json.orders[0].id, order.id);
    assert.equal(r.json.orders[0].total, '25', 'money as decimal text, as stored');
    assert.equal(r.json.limit, 50);
    r = await api('GET', `/orders?orderId=${encodeURIComponent(order.orderID)}&status=shipped`);
    assert.equal(r.json.total, 0, 'the status filter applies');
    r = await api('GET', `/orders/${order.id}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.orderId, order.orderID);
    assert.equal(r.json.lines.length, 2);
  });

  test('confirm, ship, invoice, credit, review and close: 201 with the document, or 422 with the reason', async () => {
    const order = await placeOrder();
    let r = await api('POST', `/orders/${order.id}/confirmations`, { body: { type: 'accept', comment: 'thanks' } });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.deepEqual(Object.keys(r.json).sort(), ['documentId', 'number', 'outboxId', 'payloadId']);
    const outbox = await t.store.db.selectFrom('outbox').selectAll().where('id', '=', r.json.outboxId).executeTakeFirstOrThrow();
    assert.equal(outbox.payload_id, r.json.payloadId);
    assert.equal(outbox.order_id, order.id);
    const confirmed = await t.store.db.selectFrom('order_events').select(['kind', 'actor']).where('order_id', '=', order.id).where('kind', '=', 'confirmed').executeTakeFirstOrThrow();
    assert.equal(confirmed.actor, 'api:erp', 'the key acts under its name');

    const before = await counts();
    r = await api('POST', `/orders/${order.id}/ship-notices`, { body: { carrier: 'DHL', trackingNumber: 'JD0001', lines: [{ lineNumber: 1, quantity: '3' }] } });
    assert.equal(r.status, 422, 'more than ordered');
    assert.equal(r.json.error, 'the document was not created');
    assert.ok(r.json.problems.length > 0);
    assert.deepEqual(await counts(), before, 'a refusal stores nothing');

    r = await api('POST', `/orders/${order.id}/ship-notices`, { body: { carrier: 'DHL', trackingNumber: 'JD0001' } });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    r = await api('POST', `/orders/${order.id}/invoices`, { body: { shipping: '4.95' } });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const invoiceNumber = r.json.number as string;
    r = await api('POST', `/orders/${order.id}/credit-memos`, { body: { invoiceNumber, amount: '5.00', reason: 'damaged box' } });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    r = await api('POST', `/orders/${order.id}/review`, { body: { note: 'looked at it' } });
    assert.equal(r.status, 200);
    assert.equal(r.json.ok, true);
    r = await api('POST', `/orders/${order.id}/close`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    r = await api('GET', `/orders/${order.id}`);
    assert.equal(r.json.status, 'closed');
    r = await api('POST', `/orders/${order.id}/confirmations`, { body: { type: 'accept' } });
    assert.equal(r.status, 422, 'a closed order takes no more documents');
  });
});
