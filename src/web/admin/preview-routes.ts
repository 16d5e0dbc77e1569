/**
 * The cart preview (/admin/connections/:id/preview) and, registered from here so the admin index
 * needs one line for both, the price list pages. The preview only reads: a GET for any
 * logged-in user, the cart chosen in the query.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { previewCart } from '../../app/cart-preview.js';
import { errorPage } from '../views/layout.js';
import type { AdminGuard } from './guard.js';
import { sendAdmin } from './layout.js';
import { registerAdminPriceLists } from './price-list-routes.js';
import { previewPage } from './preview-views.js';

type PreviewRequest = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, string | string[] | undefined> }>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export async function registerAdminPreviewAndPrices(app: FastifyInstance, ctx: AppContext, guard: AdminGuard): Promise<void> {
  app.get('/admin/connections/:id/preview', { preHandler: guard.viewer }, async (request: PreviewRequest, reply) => {
    const cart = first(request.query.cart);
    const text = first(request.query.skus) ?? '';
    const preview = await previewCart(ctx, request.params.id, cart === 'sample' ? { kind: 'sample', text } : { kind: 'last' });
    if (!preview) {
      return sendAdmin(reply, errorPage('Connection not found', `There is no connection "${request.params.id}".`, 'Go back to the connection list and choose one.'), 404);
    }
    return sendAdmin(reply, previewPage(request, preview));
  });
  await registerAdminPriceLists(app, ctx, guard);
}
