/** Admin access: login, logout, expiry, roles, CSRF, headers — over real HTTP. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { adminLogin, hiddenValue } from '../helpers/admin.js';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

test('no admin page without login: redirect to the login form, which keeps where you wanted to go', async () => {
  for (const path of ['/admin', '/admin/audit']) {
    const res = await fetch(`${t.baseUrl}${path}`, { redirect: 'manual' });
    assert.equal(res.status, 303, path);
    assert.equal(res.headers.get('location'), `/admin/login?next=${encodeURIComponent(path)}`);
  }
  const post = await fetch(`${t.baseUrl}/admin/logout`, { method: 'POST', redirect: 'manual' });
  assert.equal(post.status, 303);
  assert.equal(post.headers.get('location'), '/admin/login');
});

test('login with a wrong password is refused and recorded; the right one opens a session', async () => {
  const ok = await adminLogin(t);
  const form = await fetch(`${t.baseUrl}/admin/login`);
  const cookie = form.headers.getSetCookie()[0]!.split(';')[0]!;
  const token = hiddenValue(await form.text(), '_csrf');
  const bad = await fetch(`${t.baseUrl}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ _csrf: token, username: ok.username, password: 'wrong-password' }).toString(),
  });
  assert.equal(bad.status, 401);
  const page = await bad.text();
  assert.match(page, /not accepted/);
  // The user name is kept for the next try; the password never comes back.
  assert.match(page, new RegExp(`<input name="username"[^>]* value="${ok.username}"`));
  assert.ok(!page.includes('wrong-password'));
  const audit = await t.store.db.selectFrom('admin_audit').selectAll().where('action', '=', 'admin.login-failed').execute();
  assert.ok(audit.length >= 1);
  assert.ok(audit.every((a) => !a.detail.includes('wrong-password')));
});

test('the login form needs its CSRF cookie', async () => {
  const res = await fetch(`${t.baseUrl}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: 'forged', username: 'x', password: 'y' }).toString(),
  });
  assert.equal(res.status, 403);
});

test('the session cookie is HttpOnly, SameSite=Strict and limited to /admin; admin pages are never framed', async () => {
  const c = await adminLogin(t);
  const res = await c.get('/admin/audit');
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const form = await fetch(`${t.baseUrl}/admin/login`);
  assert.match(form.headers.getSetCookie()[0]!, /Path=\/admin; HttpOnly; SameSite=Strict/);
});

test('a change without the CSRF token is refused, with it accepted (logout)', async () => {
  const c = await adminLogin(t);
  const forged = await fetch(`${t.baseUrl}/admin/logout`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: c.cookie }, body: '_csrf=nope' });
  assert.equal(forged.headers.get('location'), '/admin', 'not logged out');
  assert.equal((await c.get('/admin/audit')).status, 200);
  const out = await c.post('/admin/logout', {});
  assert.equal(out.headers.get('location'), '/admin/login');
  assert.equal((await c.get('/admin/audit')).status, 303, 'session gone after logout');
});

test('an idle session expires', async () => {
  const c = await adminLogin(t);
  await t.store.db.updateTable('admin_sessions').set({ last_seen_at: new Date(Date.now() - 31 * 60_000).toISOString() }).execute();
  assert.equal((await c.get('/admin/audit')).status, 303);
});

test('a redirect after login never leaves the admin', async () => {
  const form = await fetch(`${t.baseUrl}/admin/login?next=https://evil.example/`);
  assert.ok((await form.text()).includes('name="next" value="/admin"'));
});
