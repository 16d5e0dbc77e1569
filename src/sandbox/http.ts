/**
 * Small HTTP helpers shared by the sandbox's route files: the raw form body, HTML answers, and
 * who the person at the browser is acting as (the sandbox has no login; a cookie remembers the
 * person chosen under "Acting as", as in a test system's user switcher).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pairsFromUrlencoded } from '../protocol/oci/cart-form-reader.js';
import type { Html } from '../web/html.js';

export const ACTING_COOKIE = 'koppel_sandbox_person';

export function sendHtml(reply: FastifyReply, code: number, body: Html): FastifyReply {
  return reply.code(code).type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(body.toString());
}

/** 303 to a page after a successful POST (so a reload does not post again). */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('Location', location).header('Cache-Control', 'no-store').send();
}

/** The raw form text. server.ts hands urlencoded bodies over as strings; tolerate a parsed object too. */
export function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (body && typeof body === 'object') {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      for (const one of Array.isArray(v) ? v : [v]) params.append(k, String(one));
    }
    return params.toString();
  }
  return '';
}

/** A posted urlencoded form (UTF-8). */
export function formOf(request: FastifyRequest): URLSearchParams {
  return new URLSearchParams(pairsFromUrlencoded(bodyText(request.body)));
}

/** The person id chosen under "Acting as", if any (validated by the caller against sandbox_people). */
export function actingPersonId(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== ACTING_COOKIE) continue;
    // Person ids are plain ASCII: a value with escapes (or broken ones) is not one of ours.
    const value = part.slice(eq + 1).trim();
    return /^[A-Za-z0-9_.-]{1,64}$/.test(value) ? value : undefined;
  }
  return undefined;
}

export function setActingPerson(reply: FastifyReply, id: string): void {
  reply.header('Set-Cookie', `${ACTING_COOKIE}=${encodeURIComponent(id)}; Path=/sandbox; SameSite=Lax; HttpOnly`);
}
