/** Logging in to /admin over real HTTP in tests, and posting forms with the session's CSRF token. */
import assert from 'node:assert/strict';
import { createAdminUser, type AdminRole } from '../../src/app/admin-users.js';
import type { TestApp } from './app.js';

export interface AdminClient {
  cookie: string;
  csrf: string;
  get(path: string): Promise<Response>;
  /** Posts a form; the CSRF token is added unless `_csrf` is given. */
  post(path: string, fields: Record<string, string>): Promise<Response>;
}

function cookiesFrom(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    out[pair!.slice(0, eq)] = pair!.slice(eq + 1);
  }
  return out;
}

export function hiddenValue(page: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(page);
  assert.ok(m, `no hidden field ${name}`);
  return m[1]!;
}

let userCounter = 0;

/** Creates a user with the role and logs in through the login form. */
export async function adminLogin(t: TestApp, role: AdminRole = 'admin'): Promise<AdminClient & { username: string; password: string }> {
  userCounter += 1;
  const username = `${role}${userCounter}`;
  const password = `pw-${role}-${userCounter}-long-enough`;
  await createAdminUser(t.ctx, { username, password, role }, 'test');
  const form = await fetch(`${t.baseUrl}/admin/login`);
  const loginCookie = cookiesFrom(form);
  const token = hiddenValue(await form.text(), '_csrf');
  const res = await fetch(`${t.baseUrl}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `koppel_login=${loginCookie.koppel_login}` },
    body: new URLSearchParams({ _csrf: token, username, password, next: '/admin/audit' }).toString(),
  });
  assert.equal(res.status, 303, 'login redirects');
  const cookie = `koppel_admin=${cookiesFrom(res).koppel_admin}`;
  const landing = await fetch(`${t.baseUrl}/admin/audit`, { headers: { cookie } });
  assert.equal(landing.status, 200);
  const csrf = hiddenValue(await landing.text(), '_csrf');
  const client: AdminClient = {
    cookie,
    csrf,
    get: (path) => fetch(`${t.baseUrl}${path}`, { headers: { cookie }, redirect: 'manual' }),
    post: (path, fields) =>
      fetch(`${t.baseUrl}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      }),
  };
  return { ...client, username, password };
}
