/**
 * /admin/price-lists: everyone logged in may look; admins create lists and paste their prices.
 * A form with problems comes back with the posted text intact.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { createPriceList, getPriceList, listPriceLists, savePriceListItems } from '../../app/pricing.js';
import { errorPage } from '../views/layout.js';
import { adminForm, type AdminGuard } from './guard.js';
import { sendAdmin } from './layout.js';
import { priceListItemsText, priceListPage, priceListsPage } from './price-list-views.js';

const NOTICES: Record<string, string> = {
  created: 'Price list created. Paste its prices below.',
  saved: 'Prices saved.',
};

function noticeFor(request: FastifyRequest): string | undefined {
  const code = (request.query as Record<string, unknown>).notice;
  return typeof code === 'string' && Object.hasOwn(NOTICES, code) ? NOTICES[code] : undefined;
}

function canEdit(request: FastifyRequest): boolean {
  return request.adminSession?.user.role === 'admin';
}

function notFound(reply: FastifyReply): FastifyReply {
  return sendAdmin(reply, errorPage('Price list not found', 'There is no price list at this address (any more).', 'Go back to the price lists and choose one.'), 404);
}

type ListRequest = FastifyRequest<{ Params: { id: string } }>;

export async function registerAdminPriceLists(app: FastifyInstance, ctx: AppContext, guard: AdminGuard): Promise<void> {
  app.get('/admin/price-lists', { preHandler: guard.viewer }, async (request, reply) => {
    const notice = noticeFor(request);
    return sendAdmin(reply, priceListsPage(request, { lists: await listPriceLists(ctx), canEdit: canEdit(request), ...(notice ? { notice } : {}) }));
  });

  app.post('/admin/price-lists', { preHandler: guard.admin }, async (request, reply) => {
    const form = adminForm(request);
    const values = { name: form.get('name') ?? '', currency: form.get('currency') ?? '' };
    const result = await createPriceList(ctx, request.adminSession!.user, values);
    if (!result.ok) return sendAdmin(reply, priceListsPage(request, { lists: await listPriceLists(ctx), canEdit: true, problems: result.problems, values }), 400);
    return reply.code(303).header('Location', `/admin/price-lists/${encodeURIComponent(result.id)}?notice=created`).send();
  });

  app.get('/admin/price-lists/:id', { preHandler: guard.viewer }, async (request: ListRequest, reply) => {
    const list = await getPriceList(ctx, request.params.id);
    if (!list) return notFound(reply);
    const notice = noticeFor(request);
    return sendAdmin(reply, priceListPage(request, { list, canEdit: canEdit(request), text: priceListItemsText(list.items), ...(notice ? { notice } : {}) }));
  });

  app.post('/admin/price-lists/:id/items', { preHandler: guard.admin }, async (request: ListRequest, reply) => {
    const text = adminForm(request).get('items') ?? '';
    const result = await savePriceListItems(ctx, request.adminSession!.user, request.params.id, text);
    if (!result.ok) {
      const list = await getPriceList(ctx, request.params.id);
      if (!list) return notFound(reply);
      return sendAdmin(reply, priceListPage(request, { list, canEdit: true, text, problems: result.problems }), 400);
    }
    return reply.code(303).header('Location', `/admin/price-lists/${encodeURIComponent(request.params.id)}?notice=saved`).send();
  });
}
