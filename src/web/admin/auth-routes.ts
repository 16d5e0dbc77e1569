/** Admin login and logout. The login form has its own CSRF token (double submit with a short-lived cookie). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { csrfMatches, endSession, login, logout } from '../../app/admin-users.js';
import { html } from '../html.js';
import { ADMIN_COOKIE, adminForm, cookieAttributes, parseCookies, type AdminGuard } from './guard.js';
import { adminPage, sendAdmin } from './layout.js';

const LOGIN_CSRF_COOKIE = 'koppel_login';
/** Failed logins allowed per client address in the window before it has to wait. */
const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 15 * 60_000;

/** Addresses whose failures are remembered; beyond this, expired entries are dropped first. */
const MAX_TRACKED_ADDRESSES = 10_000;

function forgetOldFailures(failures: Map<string, { count: number; since: number }>, now: number): void {
  for (const [key, entry] of failures) if (now - entry.since >= FAILURE_WINDOW_MS) failures.delete(key);
}

/**
 * Where to go after login: only a local admin path, never another site. The path is read the way
 * a browser reads a Location (dot segments, also encoded ones, resolved) and sent back in that
 * normalised, percent-encoded form, so `/admin/../x` cannot leave the admin and a character a
 * header cannot carry cannot break the answer.
 */
function safeNext(next: string | undefined | null): string {
  if (!next || !/^\/admin(\/[^\s\\]*)?$/.test(next) || next.startsWith('//')) return '/admin';
  const origin = 'http://admin.invalid';
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return '/admin';
  }
  if (url.origin !== origin || !(url.pathname === '/admin' || url.pathname.startsWith('/admin/'))) return '/admin';
  return `${url.pathname}${url.search}`;
}

export async function registerAdminAuth(app: FastifyInstance, ctx: AppContext, guard: AdminGuard): Promise<void> {
  const failures = new Map<string, { count: number; since: number }>();

  // The user name typed before a failed login is offered again; the password never is.
  const loginPage = (request: FastifyRequest, token: string, next: string, message?: string, username = '') =>
    adminPage(
      request,
      { title: 'Log in' },
      html`<section class="card narrow">
<h1>Log in to the Koppel admin</h1>
${message ? html`<p class="notice error" role="alert">${message}</p>` : ''}
<form method="post" action="/admin/login" class="login-form">
<input type="hidden" name="_csrf" value="${token}">
<input type="hidden" name="next" value="${next}">
<label class="field"><span>User name</span><input name="username" autocomplete="username" required value="${username}"${username ? '' : html` autofocus`}></label>
<label class="field"><span>Password</span><input name="password" type="password" autocomplete="current-password" required${username ? html` autofocus` : ''}></label>
<div class="actions"><button type="submit" class="button">Log in</button></div>
</form>
<p class="hint">The first start of the server creates the account <code>admin</code> and prints its password once in the console. More accounts: <code>koppel admin create</code> on the server.</p>
</section>`,
    );

  app.get<{ Querystring: { next?: string } }>('/admin/login', async (request, reply) => {
    const token = ctx.token(18);
    reply.header('Set-Cookie', `${LOGIN_CSRF_COOKIE}=${token}; ${cookieAttributes(ctx, 600)}`);
    return sendAdmin(reply, loginPage(request, token, safeNext(request.query.next)));
  });

  app.post('/admin/login', async (request, reply) => {
    const form = adminForm(request);
    const next = safeNext(form.get('next'));
    const token = ctx.token(18);
    const username = (form.get('username') ?? '').slice(0, 200);
    const retry = (code: number, message: string) => {
      reply.header('Set-Cookie', `${LOGIN_CSRF_COOKIE}=${token}; ${cookieAttributes(ctx, 600)}`);
      return sendAdmin(reply, loginPage(request, token, next, message, username), code);
    };
    const cookieToken = parseCookies(request.headers.cookie)[LOGIN_CSRF_COOKIE];
    if (!cookieToken || !csrfMatches(cookieToken, form.get('_csrf'))) return retry(403, 'The login form expired. Please log in again.');
    const key = request.ip;
    const now = Date.now();
    const seen = failures.get(key);
    const entry = seen && now - seen.since < FAILURE_WINDOW_MS ? seen : { count: 0, since: now };
    if (entry.count >= MAX_FAILURES) {
      return retry(429, 'Too many failed logins from your address. Wait 15 minutes and try again.');
    }
    // Counted before the password is checked: parallel attempts all see the ones still running,
    // so a burst gets no more guesses than attempts one after another. A success clears it.
    entry.count += 1;
    if (entry !== seen) {
      if (failures.size >= MAX_TRACKED_ADDRESSES) forgetOldFailures(failures, now);
      failures.set(key, entry);
    }
    const result = await login(ctx, form.get('username') ?? '', form.get('password') ?? '');
    if (!result.ok) return retry(401, result.message);
    failures.delete(key);
    // The session the browser came with (left over, or planted) ends: only the new one is valid.
    await endSession(ctx, parseCookies(request.headers.cookie)[ADMIN_COOKIE]);
    reply.header('Set-Cookie', [`${ADMIN_COOKIE}=${result.cookieToken}; ${cookieAttributes(ctx)}`, `${LOGIN_CSRF_COOKIE}=; ${cookieAttributes(ctx, 0)}`]);
    return reply.code(303).header('Location', next).send();
  });

  app.post('/admin/logout', { preHandler: guard.viewer }, async (request, reply) => {
    const session = request.adminSession!;
    if (!csrfMatches(session.csrfToken, adminForm(request).get('_csrf'))) {
      return reply.code(303).header('Location', '/admin').send();
    }
    await logout(ctx, session);
    reply.header('Set-Cookie', `${ADMIN_COOKIE}=; ${cookieAttributes(ctx, 0)}`);
    return reply.code(303).header('Location', '/admin/login').send();
  });

  // A logged-in user's landing page is the connection list.
  app.get('/admin', { preHandler: guard.viewer }, async (_request, reply) => reply.code(303).header('Location', '/admin/connections').send());
}
