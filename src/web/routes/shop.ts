/**
 * The storefront a punchout session lands in. The session id is in every URL (no cookies), so the
 * shop works inside a cross-site iframe with third-party cookies blocked.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { dec, formatDecimal, formatMoney } from '../../protocol/money.js';
import { UNIT_CODES } from '../../protocol/units.js';
import { renderOciFormHtml } from '../../protocol/oci/cart-form.js';
import { getProduct, listCategories, searchProducts, type Product } from '../../app/catalog.js';
import { withBuyerPrices } from '../../app/pricing.js';
import {
  addToCart,
  cartLines,
  cartSummary,
  findActiveSession,
  lineTotal,
  removeCartLine,
  transferCart,
  updateCartLine,
  type ActiveSession,
} from '../../app/punchout.js';
import { parseQuantity, type CartLine } from '../../domain/cart.js';
import { catalogPage, cartPage, productPage, type CartLineView, type ProductCard, type ShopSession } from '../views/shop.js';
import { errorPage } from '../views/layout.js';
import { cxmlReturnPage } from '../views/return-form.js';
import { shopPath } from './oci.js';
import type { Html } from '../html.js';

// Query values are whatever the URL holds: a repeated parameter (`?q=a&q=b`) arrives as an array.
type SessionRequest = FastifyRequest<{ Params: { sid: string; id?: string }; Querystring: Record<string, string | string[] | undefined> }>;

const NOTICES: Record<string, string> = {
  added: 'Added to the cart.',
  updated: 'Quantity updated.',
  removed: 'Removed from the cart.',
  quantity: 'Enter a quantity above 0, with at most 3 decimals.',
  missing: 'That product or cart line does not exist (any more).',
  readonly: 'This cart is open for inspection only and cannot be changed.',
};

/** One query value: the first when the parameter is repeated. */
function param(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The message for a `notice` code; only our own codes (never `constructor` or `__proto__`). */
function noticeFor(value: string | string[] | undefined): string | undefined {
  const code = param(value);
  return code !== undefined && Object.hasOwn(NOTICES, code) ? NOTICES[code] : undefined;
}

/** The search a buyer was on (q, category, page only), so adding a product keeps their place. */
function catalogQuery(returnQuery: string | null): string {
  const from = new URLSearchParams(returnQuery ?? '');
  const kept = new URLSearchParams();
  for (const key of ['q', 'category', 'page']) {
    const value = from.get(key);
    if (value) kept.set(key, value.slice(0, 200));
  }
  const text = kept.toString();
  return text ? `?${text}` : '';
}

function form(request: FastifyRequest): URLSearchParams {
  return new URLSearchParams(typeof request.body === 'string' ? request.body : '');
}

function send(reply: FastifyReply, page: Html, code = 200): FastifyReply {
  return reply.code(code).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(page.toString());
}

function card(p: Product): ProductCard {
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    price: formatMoney(dec(p.price), p.currency),
    currency: p.currency,
    unit: p.unit,
    unitName: UNIT_CODES[p.unit] ?? p.unit,
    stock: Number(p.stock),
    leadTimeDays: Number(p.lead_time_days),
    manufacturer: p.manufacturer,
    category: p.category,
  };
}

function lineView(line: CartLine): CartLineView {
  return {
    id: line.id,
    productId: line.product.id,
    sku: line.product.sku,
    name: line.product.name,
    quantity: formatDecimal(line.quantity),
    unit: line.product.unit,
    unitPrice: formatMoney(line.unitPrice, line.currency),
    lineTotal: formatMoney(lineTotal(line), line.currency),
    currency: line.currency,
  };
}

async function shopSession(ctx: AppContext, active: ActiveSession): Promise<{ view: ShopSession; lines: CartLine[] }> {
  const lines = await cartLines(ctx, active.session.id);
  const summary = cartSummary(lines);
  const buyer = active.session.context.contactName ?? active.session.context.buyerCredentials?.[0]?.identity ?? active.connection.name;
  return {
    lines,
    view: {
      sessionId: active.session.id,
      buyerName: buyer,
      protocol: active.session.protocol,
      operation: active.session.operation,
      cartCount: summary.count,
      cartTotal: formatMoney(summary.total, summary.currency),
      currency: summary.currency,
      readOnly: active.session.operation === 'inspect',
    },
  };
}

export async function registerShopRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  /** Finds the session or answers with a page that says why it cannot be used (never a silent redirect). */
  async function withSession(request: SessionRequest, reply: FastifyReply): Promise<ActiveSession | undefined> {
    const found = await findActiveSession(ctx, request.params.sid);
    if (found.ok) {
      // The shop may be framed by the buyer's procurement system; a connection can name which sites.
      const ancestors = found.value.connection.options.frameAncestors;
      if (ancestors.length > 0) reply.header('Content-Security-Policy', `frame-ancestors ${ancestors.join(' ')}`);
      return found.value;
    }
    request.log.warn({ problem: found.problem.kind, path: request.routeOptions.url }, 'storefront request without a usable punchout session');
    const code = found.problem.kind === 'unknown' ? 404 : 410;
    send(reply, errorPage('Punchout session not available', found.problem.message, 'Go back to your purchasing system and open the supplier’s catalog again to start a new session.'), code);
    return undefined;
  }

  app.get('/shop', async (_request, reply) =>
    send(reply, errorPage('Open the shop from your purchasing system', 'This catalog is opened from a procurement system (SAP, Ariba, Coupa …) through punchout, which starts a session for you.', 'Start from your purchasing system, or try the buyer sandbox at /sandbox.'), 400),
  );

  app.get('/shop/s/:sid', async (request: SessionRequest, reply) => {
    const active = await withSession(request, reply);
    if (!active) return reply;
    const query = param(request.query.q) ?? '';
    const category = param(request.query.category) ?? '';
    const page = Number.parseInt(param(request.query.page) ?? '1', 10);
    const result = await searchProducts(ctx, { query, category, page: Number.isFinite(page) ? page : 1 });
    const { view } = await shopSession(ctx, active);
    const notice = noticeFor(request.query.notice);
    return send(
      reply,
      catalogPage(view, {
        query,
        category,
        categories: await listCategories(ctx),
        // Prices as this session's buyer pays them (its connection's price list).
        products: (await withBuyerPrices(ctx, active.connection, result.products)).map(card),
        page: result.page,
        pageCount: result.pageCount,
        total: result.total,
        ...(notice ? { notice } : {}),
      }),
    );
  });

  app.get('/shop/s/:sid/products/:id', async (request: SessionRequest, reply) => {
    const active = await withSession(request, reply);
    if (!active) return reply;
    const found = await getProduct(ctx, request.params.id ?? '');
    const product = found && (await withBuyerPrices(ctx, active.connection, [found]))[0];
    if (!product) return send(reply, errorPage('Product not found', 'This product is not in the catalog (any more).', 'Go back to the catalog and search for it again.'), 404);
    const { view } = await shopSession(ctx, active);
    const notice = noticeFor(request.query.notice);
    return send(reply, productPage(view, { ...card(product), description: product.description, manufacturerPartId: product.manufacturer_part_id, unspsc: product.unspsc }, notice ? { notice } : {}));
  });

  app.get('/shop/s/:sid/cart', async (request: SessionRequest, reply) => {
    const active = await withSession(request, reply);
    if (!active) return reply;
    const { view, lines } = await shopSession(ctx, active);
    const notice = noticeFor(request.query.notice);
    return send(reply, cartPage(view, { lines: lines.map(lineView), total: view.cartTotal, currency: view.currency, ...(notice ? { notice } : {}) }));
  });

  app.post('/shop/s/:sid/cart/add', async (request: SessionRequest, reply) => {
    const active = await withSession(request, reply);
    if (!active) return reply;
    const body = form(request);
    const productId = body.get('product_id') ?? '';
    const back = body.get('return_to') === 'product' ? shopPath(active.session.id, `/products/${encodeURIComponent(productId)}`) : body.get('return_to') === 'cart' ? shopPath(active.session.id, '/cart') : shopPath(active.session.id, catalogQuery(body.get('return_query')));
    const sep = back.includes('?') ? '&' : '?';
    const quantity = parseQuantity(body.get('quantity') ?? '1');
    if (!quantity) return reply.code(303).header('Location', `${back}${sep}notice=quantity`).send();
    const result = await addToCart(ctx, active, productId, quantity);
    const notice = result.ok ? 'added' : active.session.operation === 'inspect' ? 'readonly' : 'missing';
    return reply.code(303).header('Location', `${back}${sep}notice=${notice}`).send();
  });

  app.post('/shop/s/:sid/cart/update', async (request: SessionRequest, reply) => {
    const active = await withSession(request, reply);
    if (!active) return reply;
    const body = form(request);
    const quantity = parseQuantity(body.get('quantity') ?? '');
    const cart = shopPath(active.session.id, '/cart');
    if (!quantity) return reply.code(303).header('Location', `${cart}?notice=quantity`).send();
    const result = await updateCartLine(ctx, active, body.get('line_id') ?? '', quantity);
    return reply.code(303).header('Location', `${cart}?notice=${result.ok ? 'updated' : 'missing'}`).send();
  });

  app.post('/shop/s/:sid/cart/remove', async (request: SessionRequest, reply) => {
    const active = await withSession(request, reply);
    if (!active) return reply;
    const result = await removeCartLine(ctx, active, form(request).get('line_id') ?? '');
    return reply.code(303).header('Location', `${shopPath(active.session.id, '/cart')}?notice=${result.ok ? 'removed' : 'missing'}`).send();
  });

  for (const mode of ['transfer', 'cancel'] as const) {
    app.post(`/shop/s/:sid/${mode}`, async (request: SessionRequest, reply) => {
      const active = await withSession(request, reply);
      if (!active) return reply;
      const result = await transferCart(ctx, active, mode);
      if (!result.ok) {
        const { view, lines } = await shopSession(ctx, active);
        return send(reply, cartPage(view, { lines: lines.map(lineView), total: view.cartTotal, currency: view.currency, problems: result.problems }), 409);
      }
      const page = result.form.kind === 'oci' ? renderOciFormHtml(result.form.form, { title: mode === 'cancel' ? 'Returning without items' : 'Sending your cart' }) : cxmlReturnPage(result.form, mode === 'cancel').toString();
      const charset = result.form.kind === 'oci' ? result.form.form.acceptCharset : 'UTF-8';
      // An ISO-8859-1 buyer gets Latin-1 bytes, matching the page's meta charset and accept-charset.
      const bytes = charset.toUpperCase() === 'ISO-8859-1' ? Buffer.from(page, 'latin1') : page;
      return reply.code(200).header('Cache-Control', 'no-store').type(`text/html; charset=${charset}`).send(bytes);
    });
  }
}
