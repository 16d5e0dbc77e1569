/**
 * Reconciliation of a purchase order with what the buyer punched out: every order line is matched
 * to a cart line of the SAME connection through its SupplierPartAuxiliaryID (the round-trip key,
 * field-failures rule 29) and compared with what the cart sent — part, quantity, price, unit and
 * currency — with our catalog and with the buyer's current price. The order is always accepted;
 * the findings are review flags for a person (rule 26).
 *
 * `reconcile` and `describeOrderChanges` are pure; `loadReviewFacts` reads what they need.
 */
import { Decimal, formatMoney, roundMoney, sum } from '../protocol/money.js';
import { mapCxmlCart } from '../domain/cart-mapping.js';
import type { Connection } from '../domain/connection.js';
import type { AppContext } from './context.js';
import type { ReviewFlag } from './order-model.js';
import { cartLines } from './punchout.js';
import { getProductsBySku } from './catalog.js';
import { pricesFor } from './pricing.js';

/** One line of the order as the buyer sent it. */
export interface ReviewLineInput {
  readonly lineNumber: number;
  readonly supplierPartId: string;
  readonly auxId: string | null;
  readonly quantity: Decimal;
  readonly unit: string;
  /** UnitPrice as sent (per `priceBasis.quantity` units when a PriceBasisQuantity came with it). */
  readonly unitPrice: Decimal;
  readonly priceBasis?: { readonly quantity: Decimal; readonly conversionFactor: Decimal };
  readonly currency: string;
  readonly isAdHoc: boolean;
}

export interface ReviewOrderInput {
  readonly currency: string;
  readonly total: Decimal;
  readonly shipping?: Decimal;
  readonly tax?: Decimal;
  readonly lines: readonly ReviewLineInput[];
}

/** A cart line and what the PunchOutOrderMessage said about it (after the connection's maps). */
export interface CartLineFacts {
  readonly id: string;
  readonly sessionId: string;
  readonly auxId: string;
  readonly productId: string;
  /** Our SKU of the line's product. */
  readonly sku: string;
  readonly quantity: Decimal;
  readonly sent: { readonly supplierPartId: string; readonly unit: string; readonly unitPrice: Decimal; readonly currency: string };
}

export interface ReviewFacts {
  /** The cart line chosen for each aux ID (this connection's sessions only). */
  readonly cartLinesByAux: ReadonlyMap<string, CartLineFacts>;
  /** The whole cart of every session that a chosen cart line belongs to. */
  readonly sessionCarts: ReadonlyMap<string, readonly CartLineFacts[]>;
  readonly productsBySku: ReadonlyMap<string, { readonly id: string; readonly sku: string }>;
  /** The buyer's current price per product id, currency as the buyer gets it (currency map). */
  readonly prices: ReadonlyMap<string, { readonly price: Decimal; readonly currency: string; readonly source: string }>;
}

export interface LineReview {
  readonly lineNumber: number;
  readonly productId: string | null;
  readonly cartLineId: string | null;
  readonly flags: ReviewFlag[];
}

export interface OrderReview {
  readonly lines: readonly LineReview[];
  readonly flags: ReviewFlag[];
  /** Sessions whose cart lines the order matched, in order of first match. */
  readonly sessionIds: readonly string[];
}

/** The price of one unit of the ordered unit of measure (PriceBasisQuantity taken into account). */
export function perUnitPrice(line: Pick<ReviewLineInput, 'unitPrice' | 'priceBasis'>): Decimal {
  const b = line.priceBasis;
  if (!b || b.quantity.isZero()) return line.unitPrice;
  return line.unitPrice.times(b.conversionFactor).div(b.quantity);
}

/** Quantity × per-unit price, rounded to the currency like the cart's line totals. */
export function lineAmount(line: ReviewLineInput, currency: string): Decimal {
  return roundMoney(line.quantity.times(perUnitPrice(line)), currency);
}

const show = (d: Decimal): string => d.toFixed();

export function reconcile(order: ReviewOrderInput, facts: ReviewFacts): OrderReview {
  const sessionIds: string[] = [];
  const matchedCartLines = new Set<string>();
  const lines = order.lines.map((line): LineReview => {
    const flags: ReviewFlag[] = [];
    const n = `Line ${line.lineNumber}`;
    const price = perUnitPrice(line);
    const product = line.supplierPartId.trim() ? facts.productsBySku.get(line.supplierPartId) : undefined;
    if (line.currency !== order.currency) {
      flags.push({ code: 'currency', message: `${n}: currency ${line.currency} differs from the order's ${order.currency}.` });
    }
    if (price.isNegative()) {
      // A discount or credit line: an invoice line cannot carry it, so someone has to decide how to bill it.
      flags.push({ code: 'negative_price', message: `${n}: unit price ${show(price)} ${line.currency} is negative (a discount or credit line?); it cannot be invoiced as a line — agree with the buyer how to bill it.` });
    }
    if (line.isAdHoc) {
      // A free-text line is by definition not from the cart: only the ad-hoc flag, no noise.
      flags.push({ code: 'ad_hoc', message: `${n} is an ad-hoc (free-text) line without a catalog product: check description, quantity and price by hand.` });
      return { lineNumber: line.lineNumber, productId: product?.id ?? null, cartLineId: null, flags };
    }
    const cart = line.auxId ? facts.cartLinesByAux.get(line.auxId) : undefined;
    if (!line.auxId) {
      flags.push({ code: 'not_from_cart', message: `${n} has no SupplierPartAuxiliaryID, so it cannot be matched to a punchout cart.` });
    } else if (!cart) {
      flags.push({ code: 'not_from_cart', message: `${n}: SupplierPartAuxiliaryID "${line.auxId}" matches no cart line of this buyer.` });
    }
    let productId = product?.id ?? null;
    if (cart) {
      matchedCartLines.add(cart.id);
      if (!sessionIds.includes(cart.sessionId)) sessionIds.push(cart.sessionId);
      if (line.supplierPartId !== cart.sent.supplierPartId) {
        flags.push({ code: 'cart_part', message: `${n}: SupplierPartID "${line.supplierPartId}" differs from the cart line's "${cart.sent.supplierPartId}".` });
      } else if (productId === null) {
        // The mapping may send something other than the SKU as SupplierPartID: the cart knows the product.
        productId = cart.productId;
      }
      if (!line.quantity.eq(cart.quantity)) {
        flags.push({ code: 'cart_quantity', message: `${n}: quantity ${show(line.quantity)} ordered, the cart had ${show(cart.quantity)}.` });
      }
      if (!price.eq(cart.sent.unitPrice)) {
        flags.push({ code: 'cart_price', message: `${n}: unit price ${show(price)} ${line.currency}, the cart had ${show(cart.sent.unitPrice)} ${cart.sent.currency}.` });
      }
      if (line.unit.trim().toUpperCase() !== cart.sent.unit.trim().toUpperCase()) {
        flags.push({ code: 'cart_unit', message: `${n}: unit ${line.unit || '(none)'} ordered, the cart sent ${cart.sent.unit}.` });
      }
      if (line.currency !== cart.sent.currency) {
        flags.push({ code: 'currency', message: `${n}: currency ${line.currency} differs from the cart's ${cart.sent.currency}.` });
      }
    }
    if (productId === null) {
      flags.push({ code: 'unknown_product', message: `${n}: SupplierPartID "${line.supplierPartId}" names no product in the catalog.` });
    } else {
      const current = facts.prices.get(productId);
      if (current && (!price.eq(current.price) || line.currency !== current.currency)) {
        flags.push({ code: 'price_list', message: `${n}: unit price ${show(price)} ${line.currency}, the buyer's current price is ${show(current.price)} ${current.currency} (${current.source}).` });
      }
    }
    return { lineNumber: line.lineNumber, productId, cartLineId: cart?.id ?? null, flags };
  });

  const flags: ReviewFlag[] = [];
  for (const sessionId of sessionIds) {
    for (const c of facts.sessionCarts.get(sessionId) ?? []) {
      if (matchedCartLines.has(c.id)) continue;
      flags.push({ code: 'cart_line_missing', message: `The punched-out cart had ${show(c.quantity)} × ${c.sku} (SupplierPartAuxiliaryID ${c.auxId}), which is not in the order.` });
    }
  }
  // Amounts in different currencies are never added: the total is checked against the lines in its currency.
  const foreign = order.lines.filter((l) => l.currency !== order.currency);
  const own = order.lines.filter((l) => l.currency === order.currency);
  if (foreign.length) {
    const currencies = [...new Set(foreign.map((l) => l.currency))].join(', ');
    flags.push({
      code: 'currency',
      message: `Line${foreign.length > 1 ? 's' : ''} ${foreign.map((l) => l.lineNumber).join(', ')} ${foreign.length > 1 ? 'are' : 'is'} priced in ${currencies}, the order total in ${order.currency}: the total cannot include ${foreign.length > 1 ? 'them' : 'it'}, and one invoice has one currency. Agree with the buyer on one currency (a change order).`,
    });
  }
  const goods = roundMoney(sum(own.map((l) => lineAmount(l, order.currency))), order.currency);
  const withExtras = goods.plus(order.shipping ?? 0).plus(order.tax ?? 0);
  if (!order.total.eq(goods) && !order.total.eq(withExtras)) {
    const extras = order.shipping !== undefined || order.tax !== undefined ? ` nor the lines + shipping + tax (${formatMoney(withExtras, order.currency)})` : '';
    const which = foreign.length ? `the ${order.currency} lines` : 'the lines';
    flags.push({ code: 'total', message: `The order total ${formatMoney(order.total, order.currency)} ${order.currency} equals neither the sum of ${which} (${formatMoney(goods, order.currency)})${extras}.` });
  }
  return { lines, flags, sessionIds };
}

/**
 * Reads the carts, products and prices the order's lines name. Cart lines are looked up only
 * among this connection's sessions: another buyer's aux ID matches nothing.
 */
export async function loadReviewFacts(ctx: AppContext, connection: Connection, order: ReviewOrderInput): Promise<ReviewFacts> {
  const auxIds = [...new Set(order.lines.map((l) => l.auxId).filter((a): a is string => !!a))];
  const candidates: { id: string; aux_id: string; session_id: string; status: string; created_at: string }[] = [];
  for (let i = 0; i < auxIds.length; i += 500) {
    const rows = await ctx.db
      .selectFrom('cart_lines')
      .innerJoin('punchout_sessions', 'punchout_sessions.id', 'cart_lines.session_id')
      .select(['cart_lines.id', 'cart_lines.aux_id', 'cart_lines.session_id', 'punchout_sessions.status', 'punchout_sessions.created_at'])
      .where('punchout_sessions.connection_id', '=', connection.id)
      .where('cart_lines.aux_id', 'in', auxIds.slice(i, i + 500))
      .execute();
    candidates.push(...rows);
  }
  // An edit session carries the earlier cart's aux IDs: the newest transferred cart is the one ordered.
  const rank = (r: (typeof candidates)[number]): string => `${r.status === 'transferred' ? 1 : 0}|${r.created_at}|${r.id}`;
  const chosen = new Map<string, (typeof candidates)[number]>();
  for (const r of candidates) {
    const have = chosen.get(r.aux_id);
    if (!have || rank(r) > rank(have)) chosen.set(r.aux_id, r);
  }

  const sessionCarts = new Map<string, CartLineFacts[]>();
  for (const sessionId of new Set([...chosen.values()].map((r) => r.session_id))) {
    const lines = await cartLines(ctx, sessionId);
    // The same mapping as the transfer: what the buyer received is what the order should repeat.
    const mapped = mapCxmlCart({ options: connection.options, lines });
    sessionCarts.set(
      sessionId,
      lines.map((l, i) => {
        const item = mapped.items[i]!;
        return {
          id: l.id,
          sessionId,
          auxId: l.auxId,
          productId: l.product.id,
          sku: l.product.sku,
          quantity: l.quantity,
          sent: { supplierPartId: item.itemID.supplierPartID, unit: item.itemDetail.unitOfMeasure, unitPrice: item.itemDetail.unitPrice.amount, currency: item.itemDetail.unitPrice.currency },
        };
      }),
    );
  }
  const cartLinesByAux = new Map<string, CartLineFacts>();
  for (const [aux, r] of chosen) {
    const facts = sessionCarts.get(r.session_id)?.find((c) => c.id === r.id);
    if (facts) cartLinesByAux.set(aux, facts);
  }

  const bySku = await getProductsBySku(ctx, order.lines.map((l) => l.supplierPartId).filter((s) => s.trim() !== ''));
  const productIds = new Set([...bySku.values()].map((p) => p.id));
  for (const c of cartLinesByAux.values()) productIds.add(c.productId);
  const products = productIds.size === 0 ? [] : await ctx.db.selectFrom('products').selectAll().where('id', 'in', [...productIds]).execute();
  const buyerPrices = await pricesFor(ctx, connection, products);
  const prices = new Map<string, { price: Decimal; currency: string; source: string }>();
  for (const [id, p] of buyerPrices) prices.set(id, { price: p.price, currency: connection.options.currencyMap[p.currency] ?? p.currency, source: p.source });
  return {
    cartLinesByAux,
    sessionCarts,
    productsBySku: new Map([...bySku].map(([sku, p]) => [sku, { id: p.id, sku: p.sku }])),
    prices,
  };
}

export async function reviewOrder(ctx: AppContext, connection: Connection, order: ReviewOrderInput): Promise<OrderReview> {
  return reconcile(order, await loadReviewFacts(ctx, connection, order));
}

// ---- what a change order changed ------------------------------------------------------------

export interface DiffLine {
  readonly lineNumber: number;
  readonly supplierPartId: string;
  readonly quantity: Decimal;
  readonly unitPrice: Decimal;
  readonly unit: string;
}

/** A readable summary of a change order: lines added and removed, quantity/price/unit changes, total. */
export function describeOrderChanges(
  before: { readonly total: Decimal; readonly currency: string; readonly lines: readonly DiffLine[] },
  after: { readonly total: Decimal; readonly currency: string; readonly lines: readonly DiffLine[] },
): string {
  const parts: string[] = [];
  const old = new Map(before.lines.map((l) => [l.lineNumber, l]));
  const now = new Map(after.lines.map((l) => [l.lineNumber, l]));
  const added = after.lines.filter((l) => !old.has(l.lineNumber));
  const removed = before.lines.filter((l) => !now.has(l.lineNumber));
  if (added.length) parts.push(`added ${added.map((l) => `line ${l.lineNumber} (${show(l.quantity)} × ${l.supplierPartId})`).join(', ')}`);
  if (removed.length) parts.push(`removed ${removed.map((l) => `line ${l.lineNumber} (${show(l.quantity)} × ${l.supplierPartId})`).join(', ')}`);
  for (const l of after.lines) {
    const o = old.get(l.lineNumber);
    if (!o) continue;
    const changes: string[] = [];
    if (o.supplierPartId !== l.supplierPartId) changes.push(`part ${o.supplierPartId} → ${l.supplierPartId}`);
    if (!o.quantity.eq(l.quantity)) changes.push(`quantity ${show(o.quantity)} → ${show(l.quantity)}`);
    if (!o.unitPrice.eq(l.unitPrice)) changes.push(`price ${show(o.unitPrice)} → ${show(l.unitPrice)}`);
    if (o.unit !== l.unit) changes.push(`unit ${o.unit} → ${l.unit}`);
    if (changes.length) parts.push(`line ${l.lineNumber}: ${changes.join(', ')}`);
  }
  if (!before.total.eq(after.total) || before.currency !== after.currency) {
    parts.push(`total ${formatMoney(before.total, before.currency)} ${before.currency} → ${formatMoney(after.total, after.currency)} ${after.currency}`);
  }
  return parts.length ? parts.join('; ') : 'no change in lines or total';
}
