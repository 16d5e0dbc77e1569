/**
 * /admin/webhooks and /admin/api-keys over real HTTP: an admin creates, edits, rotates and deletes
 * through the forms, secrets and keys are shown once and never again, changes are audited,
 * deliveries of a hook are listed; a viewer reads but changes nothing; no page without a login
 * and no change without the CSRF token.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { adminLogin, type AdminClient } from '../helpers/admin.js';
import { emitOrderEvent } from '../../src/app/webhooks.js';

let t: TestApp;
let admin: AdminClient & { username: string };
let viewer: AdminClient;

before(async () => {
  t = await startTestApp({ config: { secretKey: randomBytes(32).toString('base64') } });
  admin = await adminLogin(t, 'admin');
  viewer = await adminLogin(t, 'viewer');
});
after(async () => {
  await t?.close();
});

function shownSecret(page: string): string {
  const m = /<p class="secret-value"[^>]*>([^<]+)<\/p>/.exec(page);
  assert.ok(m, 'the page shows the secret once');
  return m[1]!;
}

async function hookIds(): Promise<string[]> {
  return (await t.store.db.selectFrom('webhooks').select('id').orderBy('created_at').execute()).map((r) => r.id);
}

async function state(): Promise<string> {
  const hooks = await t.store.db.selectFrom('webhooks').selectAll().orderBy('id').execute();
  const keys = await t.store.db.selectFrom('api_keys').select(['id', 'name', 'role', 'revoked_at']).orderBy('id').execute();
  return JSON.stringify({ hooks, keys });
}

const hookForm = (over: Record<string, string> = {}) => new URLSearchParams({ url: 'https://shop.example/koppel/events', events: 'order.received', description: 'ERP', enabled: '1', ...over });

async function postForm(client: AdminClient, path: string, form: URLSearchParams, csrf: string | undefined = client.csrf): Promise<Response> {
  if (csrf !== undefined) form.set('_csrf', csrf);
  return fetch(`${t.baseUrl}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: client.cookie }, body: form.toString() });
}

describe('webhooks in the admin', () => {
  let hookId = '';
  let secret = '';

  test('an admin creates a webhook; the secret is shown once, stored sealed, and the change audited', async () => {
    const form = hookForm();
    form.append('events', 'order.cancelled');
    const res = await postForm(admin, '/admin/webhooks', form);
    assert.equal(res.status, 200);
    const page = await res.text();
    secret = shownSecret(page);
    assert.match(secret, /^whsec_/);
    const ids = await hookIds();
    assert.equal(ids.length, 1);
    hookId = ids[0]!;
    const row = await t.store.db.selectFrom('webhooks').selectAll().where('id', '=', hookId).executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(row.events), ['order.received', 'order.cancelled']);
    assert.ok(!row.secret_sealed.includes(secret));
    for (const path of ['/admin/webhooks', `/admin/webhooks/${hookId}`, '/admin/audit']) {
      const html = await (await admin.get(path)).text();
      assert.ok(!html.includes(secret), `${path} never shows the secret again`);
    }
    const audit = await t.store.db.selectFrom('admin_audit').selectAll().where('action', '=', 'webhook.create').executeTakeFirstOrThrow();
    assert.equal(audit.username, admin.username);
    assert.equal(audit.subject, `webhook ${hookId}`);
  });

  test('bad input comes back with the problems and what was typed; nothing is stored', async () => {
    const before = await state();
    const res = await postForm(admin, '/admin/webhooks', new URLSearchParams({ url: 'javascript:alert(1)', description: 'typed text' }));
    assert.equal(res.status, 400);
    const page = await res.text();
    assert.match(page, /url: must start with http:\/\/ or https:\/\//);
    assert.match(page, /events: choose at least one/);
    assert.match(page, /value="typed text"/);
    assert.equal(await state(), before);
  });

  test('edit, rotate (new secret once) and the recent deliveries of the hook', async () => {
    let res = await postForm(admin, `/admin/webhooks/${hookId}`, hookForm({ url: 'https://shop.example/v2', events: 'order.updated' }));
    assert.equal(res.status, 303);
    const row = await t.store.db.selectFrom('webhooks').selectAll().where('id', '=', hookId).executeTakeFirstOrThrow();
    assert.equal(row.url, 'https://shop.example/v2');
    assert.deepEqual(JSON.parse(row.events), ['order.updated']);
    res = await postForm(admin, `/admin/webhooks/${hookId}`, hookForm({ url: 'not a url' }));
    assert.equal(res.status, 400);
    assert.match(await res.text(), /url: .* is not a URL/);

    res = await postForm(admin, `/admin/webhooks/${hookId}/rotate`, new URLSearchParams());
    assert.equal(res.status, 200);
    const rotated = shownSecret(await res.text());
    assert.notEqual(rotated, secret);

    // A delivery queued for the hook is listed on its page.
    const conn = 'demo-cxml';
    const now = new Date().toISOString();
    await t.store.db
      .insertInto('orders')
      .values({ id: 'ord-admin-wh', connection_id: conn, order_id: 'PO-ADMIN-WH', payload_id: 'p-admin-wh@x', order_type: 'update', order_version: 2, order_date: now, deployment_mode: 'test', total: '1', currency: 'EUR', status: 'received', header: '{}', received_at: now, linked_order_id: null, reviewed_at: null, reviewed_by: null, updated_at: now })
      .execute();
    assert.equal(await emitOrderEvent(t.ctx, 'order.updated', 'ord-admin-wh'), 1);
    const outbox = await t.store.db.selectFrom('outbox').select('id').where('kind', '=', 'webhook').executeTakeFirstOrThrow();
    const detail = await (await viewer.get(`/admin/webhooks/${hookId}`)).text();
    assert.ok(detail.includes(outbox.id), 'the delivery id is listed');
    assert.match(detail, /order\.updated/);
    // The order is named by the buyer's orderID and links to its page.
    assert.ok(detail.includes('<a class="nowrap" href="/admin/orders/ord-admin-wh">PO-ADMIN-WH</a>'), 'the order links to its page');
    assert.ok(!detail.includes(rotated));
  });

  test('a viewer sees the pages without forms, and every change is 403 with nothing changed', async () => {
    const list = await viewer.get('/admin/webhooks');
    assert.equal(list.status, 200);
    const html = await list.text();
    assert.ok(html.includes('https://shop.example/v2'));
    assert.ok(!html.includes('Create webhook'), 'no create form for a viewer');
    const detail = await (await viewer.get(`/admin/webhooks/${hookId}`)).text();
    assert.ok(!detail.includes('Rotate secret') && !detail.includes('Delete webhook'));
    const before = await state();
    for (const path of ['/admin/webhooks', `/admin/webhooks/${hookId}`, `/admin/webhooks/${hookId}/rotate`, `/admin/webhooks/${hookId}/delete`]) {
      const res = await postForm(viewer, path, hookForm());
      assert.equal(res.status, 403, path);
    }
    assert.equal(await state(), before);
  });

  test('without a login: pages and actions go to the login form; without the CSRF token: 403', async () => {
    for (const path of ['/admin/webhooks', `/admin/webhooks/${hookId}`, '/admin/api-keys']) {
      const res = await fetch(`${t.baseUrl}${path}`, { redirect: 'manual' });
      assert.equal(res.status, 303);
      assert.match(res.headers.get('location') ?? '', /^\/admin\/login/);
    }
    const before = await state();
    const anon = await fetch(`${t.baseUrl}/admin/webhooks/${hookId}/delete`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    assert.equal(anon.status, 303);
    const res = await postForm(admin, `/admin/webhooks/${hookId}/delete`, new URLSearchParams(), 'wrong-token');
    assert.equal(res.status, 403);
    assert.equal(await state(), before);
  });

  test('delete', async () => {
    const res = await postForm(admin, `/admin/webhooks/${hookId}/delete`, new URLSearchParams());
    assert.equal(res.status, 303);
    assert.deepEqual(await hookIds(), []);
    assert.equal((await admin.get(`/admin/webhooks/${hookId}`)).status, 404);
  });
});

describe('API keys in the admin', () => {
  test('create: shown once, works against the API; revoke: refused from then on; a viewer can do neither', async () => {
    const res = await postForm(admin, '/admin/api-keys', new URLSearchParams({ name: 'shop ERP', role: 'viewer' }));
    assert.equal(res.status, 200);
    const key = shownSecret(await res.text());
    assert.match(key, /^kpk_/);
    const listPage = await (await admin.get('/admin/api-keys')).text();
    assert.ok(listPage.includes('shop ERP') && !listPage.includes(key), 'listed, the key itself never again');
    const row = await t.store.db.selectFrom('api_keys').selectAll().where('name', '=', 'shop ERP').executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(key), 'only a hash is stored');
    const call = () => fetch(`${t.baseUrl}/api/v1/nothing`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal((await call()).status, 404, 'the key is accepted (the route does not exist)');

    const bad = await postForm(admin, '/admin/api-keys', new URLSearchParams({ name: '', role: 'root' }));
    assert.equal(bad.status, 400);
    const badPage = await bad.text();
    assert.match(badPage, /name: is required/);
    assert.match(badPage, /role: must be admin or viewer/);

    const before = await state();
    assert.equal((await postForm(viewer, '/admin/api-keys', new URLSearchParams({ name: 'x', role: 'admin' }))).status, 403);
    assert.equal((await postForm(viewer, `/admin/api-keys/${row.id}/revoke`, new URLSearchParams())).status, 403);
    assert.equal((await postForm(admin, `/admin/api-keys/${row.id}/revoke`, new URLSearchParams(), '')).status, 403, 'no CSRF token');
    assert.equal(await state(), before);
    const viewerPage = await (await viewer.get('/admin/api-keys')).text();
    assert.ok(viewerPage.includes('shop ERP') && !viewerPage.includes('Create key') && !viewerPage.includes('Revoke'));

    const revoke = await postForm(admin, `/admin/api-keys/${row.id}/revoke`, new URLSearchParams());
    assert.equal(revoke.status, 303);
    assert.equal((await call()).status, 401);
    const actions = (await t.store.db.selectFrom('admin_audit').select('action').where('subject', '=', `API key ${row.id}`).execute()).map((a) => a.action).sort();
    assert.deepEqual(actions, ['api-key.create', 'api-key.revoke']);
    assert.equal((await postForm(admin, '/admin/api-keys/ak-none/revoke', new URLSearchParams())).status, 404);
  });
});
