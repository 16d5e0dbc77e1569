/** Punchout entry points: the OCI login and the single-use cXML start page. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { enterOci } from '../../app/oci-entry.js';
import { findActiveSession, redeemStartToken } from '../../app/punchout.js';
import { getProductsBySku } from '../../app/catalog.js';
import { errorPage } from '../views/layout.js';
import { ociFormContentType, renderOciFormHtml } from '../../protocol/oci/cart-form.js';

function rawQuery(request: FastifyRequest): string {
  const i = request.url.indexOf('?');
  return i === -1 ? '' : request.url.slice(i + 1);
}

export function shopPath(sessionId: string, rest = ''): string {
  return `/shop/s/${encodeURIComponent(sessionId)}${rest}`;
}

export async function registerOciRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const entry = async (request: FastifyRequest<{ Params: { connection: string } }>, reply: FastifyReply) => {
    reply.header('Cache-Control', 'no-store');
    const result = await enterOci(ctx, request.params.connection, {
      method: request.method === 'POST' ? 'POST' : 'GET',
      rawQuery: rawQuery(request),
      ...(typeof request.body === 'string' ? { rawBody: request.body } : {}),
    }, request.ip);
    if (!result.ok) {
      return reply.code(result.httpStatus).type('text/html; charset=utf-8').send(errorPage(result.title, result.message, result.whatToDo).toString());
    }
    if (result.kind === 'form') {
      const page = renderOciFormHtml(result.form, { autoSubmit: result.autoSubmit, visibleButton: !result.autoSubmit, title: 'Catalog answer' });
      const latin1 = result.form.acceptCharset.toUpperCase() === 'ISO-8859-1';
      return reply.code(200).type(ociFormContentType(result.form)).send(latin1 ? Buffer.from(page, 'latin1') : page);
    }
    let target = shopPath(result.sessionId);
    if (result.landing.productSku) {
      const product = (await getProductsBySku(ctx, [result.landing.productSku])).get(result.landing.productSku);
      if (product) target = shopPath(result.sessionId, `/products/${encodeURIComponent(product.id)}`);
    } else if (result.landing.search) {
      target = shopPath(result.sessionId, `?q=${encodeURIComponent(result.landing.search)}`);
    }
    return reply.code(303).header('Location', target).send();
  };
  app.get('/punchout/oci/:connection', entry);
  app.post('/punchout/oci/:connection', entry);

  app.get<{ Params: { token: string } }>('/punchout/start/:token', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    const result = await redeemStartToken(ctx, request.params.token);
    if (!result.ok) {
      return reply.code(410).type('text/html; charset=utf-8').send(errorPage('Start link no longer valid', result.message, 'Open the supplier again from your purchasing system; it will create a new link.').toString());
    }
    let target = shopPath(result.sessionId);
    const active = await findActiveSession(ctx, result.sessionId);
    const sku = active.ok ? active.value.session.context.selectedSku : undefined;
    if (sku) {
      const product = (await getProductsBySku(ctx, [sku])).get(sku);
      if (product) target = shopPath(result.sessionId, `/products/${encodeURIComponent(product.id)}`);
    }
    return reply.code(303).header('Location', target).send();
  });
}
