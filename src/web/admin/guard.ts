/**
 * Access control for /admin: a session cookie (HttpOnly, SameSite=Strict, path /admin), roles,
 * and a CSRF token on every form. Route modules use `guard.viewer` for pages and `guard.admin`
 * for every change (it also checks the CSRF token of the posted form).
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { csrfMatches, findAdminSession, type AdminSession } from '../../app/admin-users.js';
import { html, type Html } from '../html.js';
import { errorPage } from '../views/layout.js';

export const ADMIN_COOKIE = 'koppel_admin';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the admin guard on every admin route. */
    adminSession?: AdminSession;
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

export function cookieAttributes(ctx: AppContext, maxAgeSeconds?: number): string {
  const secure = ctx.config.baseUrl.startsWith('https://') ? '; Secure' : '';
  const age = maxAgeSeconds === undefined ? '' : `; Max-Age=${maxAgeSeconds}`;
  return `Path=/admin; HttpOnly; SameSite=Strict${secure}${age}`;
}

/** The posted form of an admin request, as flat pairs (bodies arrive as raw text). */
export function adminForm(request: FastifyRequest): URLSearchParams {
  return new URLSearchParams(typeof request.body === 'string' ? request.body : '');
}

/** The hidden CSRF field every admin form must carry. */
export function csrfField(request: FastifyRequest): Html {
  return html`<input type="hidden" name="_csrf" value="${request.adminSession?.csrfToken ?? ''}">`;
}

export interface AdminGuard {
  /** Any logged-in user (admin or viewer): for pages that only read. */
  viewer: preHandlerAsyncHookHandler;
  /** Role admin and a valid CSRF token: for every change. */
  admin: preHandlerAsyncHookHandler;
}

function deny(reply: FastifyReply, code: number, title: string, message: string, whatToDo: string): FastifyReply {
  return reply.code(code).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(errorPage(title, message, whatToDo).toString());
}

export function createAdminGuard(ctx: AppContext): AdminGuard {
  async function load(request: FastifyRequest, reply: FastifyReply): Promise<AdminSession | undefined> {
    const session = await findAdminSession(ctx, parseCookies(request.headers.cookie)[ADMIN_COOKIE]);
    if (!session) {
      const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
      await reply.code(303).header('Location', `/admin/login${next}`).header('Cache-Control', 'no-store').send();
      return undefined;
    }
    request.adminSession = session;
    return session;
  }
  return {
    viewer: async (request, reply) => {
      await load(request, reply);
    },
    admin: async (request, reply) => {
      const session = await load(request, reply);
      if (!session) return;
      if (session.user.role !== 'admin') {
        await deny(reply, 403, 'Not allowed', 'Your account may look at the admin but not change anything.', 'Ask an administrator to make the change, or to give your account the admin role.');
        return;
      }
      if (request.method !== 'GET' && !csrfMatches(session.csrfToken, adminForm(request).get('_csrf'))) {
        await deny(reply, 403, 'Form expired', 'This form was not sent from a current admin page (its security token is missing or old).', 'Go back, reload the page and submit the form again.');
      }
    },
  };
}
