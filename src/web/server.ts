/**
 * The HTTP server: Fastify with raw-text body parsing (cXML and OCI need the bytes as sent,
 * not a framework's idea of nested forms), secure defaults, and the routes of each face.
 */
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { AppContext } from '../app/context.js';
import { storeIsReachable } from '../store/database.js';
import { registerCxmlRoutes } from './routes/cxml.js';
import { registerOciRoutes } from './routes/oci.js';
import { registerShopRoutes } from './routes/shop.js';
import { registerHomeRoutes } from './routes/home.js';
import { registerSandbox } from '../sandbox/routes.js';
import { registerAdmin } from './admin/index.js';
import { registerApiRoutes } from './api/routes.js';
import { errorPage } from './views/layout.js';
import { statusAnswer } from '../app/cxml-answers.js';

const CSS = readFileSync(new URL('./assets/koppel.css', import.meta.url), 'utf8');

/** Query values that must never reach a log line, on any path. */
const SECRET_PARAMS = /^(password|passwort|kennwort|pwd|pass|secret|token|sharedsecret)$/i;

/**
 * OCI entry parameters whose values may be logged. A connection names its password field as its
 * buyer's SAP sends it (KENNWORT, PW, LOGIN_PASSWORD …), so on an OCI entry URL every value not
 * listed here is redacted; the document log keeps the whole call with the password masked.
 */
const OCI_LOGGABLE = new Set(['username', 'hook_url', '~okcode', '~target', '~caller', '~forcetarget', 'returntarget', 'function', 'oci_version', 'ociversion', 'productid', 'quantity', 'searchstring', 'vendor', 'sap-client', 'sap-language']);

export function redactUrlForLog(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const safePath = path.replace(/^\/punchout\/start\/[^/]+/, '/punchout/start/[redacted]');
  if (q === -1) return safePath;
  const oci = path.startsWith('/punchout/oci/');
  const parts = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq === -1) return pair;
    const name = decodeSafe(pair.slice(0, eq));
    const hidden = SECRET_PARAMS.test(name) || (oci && !OCI_LOGGABLE.has(name.toLowerCase()));
    return hidden ? `${pair.slice(0, eq)}=[redacted]` : pair;
  });
  return `${safePath}?${parts.join('&')}`;
}

/**
 * The process logger: pino with a request serializer that never writes a secret (OCI passwords
 * in a GET query, one-time start tokens in the path). `destination` is for tests.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    serializers: {
      req: (req: { method?: string; url?: string; ip?: string }) => ({ method: req.method, url: redactUrlForLog(req.url ?? ''), remoteAddress: req.ip }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

export async function buildServer(ctx: AppContext, options: { log?: boolean } = {}): Promise<FastifyInstance> {
  const common = { bodyLimit: ctx.config.maxBodyBytes, trustProxy: ctx.config.trustProxy };
  // One instance type for both branches: the pino instance only changes where lines go.
  const app: FastifyInstance = (options.log ? Fastify({ ...common, loggerInstance: ctx.log }) : Fastify({ ...common, logger: false })) as unknown as FastifyInstance;
  // Bodies arrive as text: cXML is read by our own parser; forms are parsed as flat pairs.
  for (const type of ['text/xml', 'application/xml', 'text/plain', 'application/x-www-form-urlencoded']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  }
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    // Storefront pages may be framed by any buyer (procurement systems embed them); the rest may not.
    if (!request.url.startsWith('/shop/') && !request.url.startsWith('/punchout/') && !reply.hasHeader('Content-Security-Policy')) {
      reply.header('Content-Security-Policy', "frame-ancestors 'self'");
    }
    return payload;
  });

  // No protocol carries U+0000, and PostgreSQL cannot store or compare it in text: a NUL in the
  // address or a form body is bad input (400), not a failed query (500). cXML bodies are bytes
  // (UTF-16 has zero bytes); the XML reader refuses a NUL character itself.
  app.addHook('preValidation', async (request) => {
    const body = typeof request.body === 'string' ? request.body : '';
    if (/%00/.test(request.url) || body.includes('\u0000') || /%00/.test(body)) {
      throw Object.assign(new Error('The request contains a NUL character (%00), which no field may hold.'), { statusCode: 400 });
    }
  });

  // Set before the routes: scopes registered below (the cXML endpoint's) take the handler they see.
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (request.url.startsWith('/cxml')) {
      const code = status === 413 ? 499 : status >= 500 ? 500 : 400;
      const text = status === 413 ? `The document is larger than the limit of ${ctx.config.maxBodyBytes} bytes.` : status >= 500 ? 'The request could not be processed; please try again later.' : error.message;
      return reply.code(status === 413 ? 413 : 200).type('text/xml; charset=utf-8').send(statusAnswer(ctx, code, text));
    }
    const title = status === 413 ? 'Request too large' : status >= 500 ? 'Something went wrong' : 'Bad request';
    const message = status >= 500 ? 'Koppel could not handle this request.' : error.message;
    return reply.code(status).type('text/html; charset=utf-8').send(errorPage(title, message, status >= 500 ? 'Try again in a moment. If it keeps happening, the log of this Koppel has the details.' : 'Go back and check what was sent.').toString());
  });

  app.get('/healthz', async (_req, reply) => {
    const ok = await storeIsReachable(ctx.db);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'store unreachable' });
  });
  // Browsers ask for it on every page; an empty answer keeps their consoles clean.
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).header('Cache-Control', 'public, max-age=86400').send());
  app.get('/assets/koppel.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('Cache-Control', 'public, max-age=300').send(CSS));

  await registerHomeRoutes(app, ctx);
  await registerCxmlRoutes(app, ctx);
  await registerOciRoutes(app, ctx);
  await registerShopRoutes(app, ctx);
  await registerAdmin(app, ctx);
  await registerApiRoutes(app, ctx);
  if (ctx.config.sandbox) await registerSandbox(app, { db: ctx.db, config: ctx.config, now: () => ctx.now() });

  app.setNotFoundHandler(async (request, reply) => {
    return reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(errorPage('Page not found', `There is nothing at ${request.url.split('?')[0]}.`, 'Start from the home page, or from your purchasing system if you were punching out.').toString());
  });
  return app;
}
