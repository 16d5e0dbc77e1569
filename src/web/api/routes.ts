/**
 * The HTTP API under /api/v1 for shops and ERPs: read orders, create the documents that go back
 * to the buyer. Authenticated by an API key as a Bearer token (no cookies, so no CSRF); viewer
 * keys only read. Every answer is JSON, errors as `{ error, problems[] }`. Bodies are read as
 * raw text and parsed here, so a broken body gets a clear 400 and not a framework's message.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { authenticateApiKey, type ApiKey } from '../../app/api-keys.js';
import { getOrder, listOrders } from '../../app/order-queries.js';
import { closeOrder, createConfirmation, createCreditMemo, createInvoice, createShipNotice, markReviewed } from '../../app/order-documents.js';
import type { Actor, CreateDocumentResult } from '../../app/order-model.js';
import { readConfirmation, readCreditMemo, readInvoice, readNote, readOrderFilters, readShipNotice, type Read } from './bodies.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the API's auth hook on every /api/v1 route. */
    apiKey?: ApiKey;
  }
}

export const API_PREFIX = '/api/v1';

function fail(reply: FastifyReply, code: number, error: string, problems: readonly string[] = []): FastifyReply {
  return reply.code(code).type('application/json; charset=utf-8').send({ error, problems });
}

function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

function actorOf(request: FastifyRequest): Actor {
  return { kind: 'api', name: request.apiKey!.name };
}

/** The body as JSON: empty counts as `{}` only where `emptyOk`. */
function jsonBody(request: FastifyRequest, emptyOk: boolean): Read<unknown> {
  const raw = typeof request.body === 'string' ? request.body : '';
  if (raw.trim() === '') return emptyOk ? { ok: true, value: {} } : { ok: false, problems: ['body: is empty; send a JSON object'] };
  const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return { ok: false, problems: [`content-type: must be application/json, not ${JSON.stringify(type || '(none)')}`] };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch (err) {
    return { ok: false, problems: [`body: is not valid JSON (${(err as Error).message})`] };
  }
}

export async function registerApiRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(
    async (api) => {
      // Raw text for every type: JSON is parsed by the routes, with errors that name the problem.
      api.removeAllContentTypeParsers();
      api.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

      api.setErrorHandler(async (error: { statusCode?: number; message: string }, request, reply) => {
        const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
        if (status >= 500) {
          request.log.error({ err: error }, 'API request failed');
          ctx.log.error({ err: error, url: request.url.split('?')[0] }, 'API request failed');
          return fail(reply, 500, 'internal error: the request could not be processed; the log of this Koppel has the details');
        }
        if (status === 413) return fail(reply, 413, `the body is larger than the limit of ${ctx.config.maxBodyBytes} bytes`);
        return fail(reply, status, error.message);
      });
      api.setNotFoundHandler(async (request, reply) => fail(reply, 404, `there is no API route ${request.method} ${request.url.split('?')[0]}`));

      api.addHook('onRequest', async (request, reply) => {
        reply.header('Cache-Control', 'no-store');
        const key = bearer(request);
        const found = key ? await authenticateApiKey(ctx, key) : undefined;
        if (!found) {
          reply.header('WWW-Authenticate', 'Bearer realm="koppel"');
          return fail(reply, 401, key ? 'the API key is not valid (unknown or revoked)' : 'an API key is required: send "Authorization: Bearer <key>"');
        }
        request.apiKey = found;
        if (request.method !== 'GET' && request.method !== 'HEAD' && found.role !== 'admin') {
          return fail(reply, 403, `the API key "${found.name}" has the viewer role and may only read`);
        }
        return undefined;
      });

      api.get('/orders', async (request, reply) => {
        const q = request.url.indexOf('?');
        const filters = readOrderFilters(new URLSearchParams(q === -1 ? '' : request.url.slice(q + 1)));
        if (!filters.ok) return fail(reply, 400, 'invalid query', filters.problems);
        const { orders, total } = await listOrders(ctx, filters.value);
        return reply.send({ orders, total, limit: filters.value.limit, offset: filters.value.offset });
      });

      api.get<{ Params: { id: string } }>('/orders/:id', async (request, reply) => {
        const order = await getOrder(ctx, request.params.id);
        if (!order) return fail(reply, 404, `there is no order with id ${JSON.stringify(request.params.id)}`);
        return reply.send(order);
      });

      const documentRoute = <T>(suffix: string, read: (v: unknown) => Read<T>, create: (ctx: AppContext, id: string, input: T, actor: Actor) => Promise<CreateDocumentResult>) => {
        api.post<{ Params: { id: string } }>(`/orders/:id/${suffix}`, async (request, reply) => {
          const parsed = jsonBody(request, false);
          if (!parsed.ok) return fail(reply, 400, 'invalid request body', parsed.problems);
          const input = read(parsed.value);
          if (!input.ok) return fail(reply, 422, 'the request body does not describe a valid document', input.problems);
          if (!(await getOrder(ctx, request.params.id))) return fail(reply, 404, `there is no order with id ${JSON.stringify(request.params.id)}`);
          const result = await create(ctx, request.params.id, input.value, actorOf(request));
          if (!result.ok) return fail(reply, 422, 'the document was not created', result.problems);
          const { documentId, number, payloadId, outboxId } = result;
          return reply.code(201).send({ documentId, number, payloadId, outboxId });
        });
      };
      documentRoute('confirmations', readConfirmation, createConfirmation);
      documentRoute('ship-notices', readShipNotice, createShipNotice);
      documentRoute('invoices', readInvoice, createInvoice);
      documentRoute('credit-memos', readCreditMemo, createCreditMemo);

      api.post<{ Params: { id: string } }>('/orders/:id/close', async (request, reply) => {
        const parsed = jsonBody(request, true);
        if (!parsed.ok) return fail(reply, 400, 'invalid request body', parsed.problems);
        const reason = readNote(parsed.value, 'reason');
        if (!reason.ok) return fail(reply, 422, 'invalid request body', reason.problems);
        if (!(await getOrder(ctx, request.params.id))) return fail(reply, 404, `there is no order with id ${JSON.stringify(request.params.id)}`);
        const result = await closeOrder(ctx, request.params.id, actorOf(request), reason.value);
        if (!result.ok) return fail(reply, 422, 'the order was not closed', result.problems);
        return reply.send({ ok: true });
      });

      api.post<{ Params: { id: string } }>('/orders/:id/review', async (request, reply) => {
        const parsed = jsonBody(request, true);
        if (!parsed.ok) return fail(reply, 400, 'invalid request body', parsed.problems);
        const note = readNote(parsed.value, 'note');
        if (!note.ok) return fail(reply, 422, 'invalid request body', note.problems);
        if (!(await getOrder(ctx, request.params.id))) return fail(reply, 404, `there is no order with id ${JSON.stringify(request.params.id)}`);
        const changed = await markReviewed(ctx, request.params.id, actorOf(request), note.value);
        return reply.send({ ok: true, reviewed: changed });
      });
    },
    { prefix: API_PREFIX },
  );
}
