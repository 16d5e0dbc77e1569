/**
 * Purchase orders and punchout carts for the order lifecycle tests: OrderRequests written with
 * our writer (so they are what a buyer sends), a second cXML buyer, and real carts made through
 * the punchout use cases (session, start token, add to cart, transfer).
 */
import { Decimal } from 'decimal.js';
import { writeOrderRequest } from '../../src/protocol/cxml/writer.js';
import type { Header } from '../../src/protocol/cxml/model.js';
import type { ItemOutInput, OrderRequestHeaderInput } from '../../src/protocol/cxml/write-types.js';
import type { AppContext } from '../../src/app/context.js';
import { createConnection, getConnection } from '../../src/app/connections.js';
import { addToCart, cartLines, createSession, findActiveSession, redeemStartToken, transferCart } from '../../src/app/punchout.js';
import type { CartLine } from '../../src/domain/cart.js';
import { demoHeader, testPayloadId } from './cxml.js';

export interface TestLine {
  readonly lineNumber?: number;
  readonly sku: string;
  readonly aux?: string;
  readonly quantity: string;
  readonly price: string;
  readonly unit?: string;
  readonly currency?: string;
  readonly adHoc?: boolean;
  readonly description?: string;
}

export interface TestOrder {
  readonly orderID: string;
  readonly type?: 'new' | 'update' | 'delete';
  readonly orderVersion?: number;
  readonly documentReference?: string;
  readonly payloadID?: string;
  /** Default: the sum of quantity × price of the lines. */
  readonly total?: string;
  readonly currency?: string;
  readonly lines: readonly TestLine[];
  readonly header?: Partial<OrderRequestHeaderInput>;
}

let orderCounter = 0;
/** An orderID no other test uses. */
export function newOrderId(prefix = 'PO'): string {
  orderCounter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${orderCounter}`;
}

export function orderXml(o: TestOrder, header: Header = demoHeader()): { xml: string; payloadID: string } {
  const payloadID = o.payloadID ?? testPayloadId();
  const currency = o.currency ?? 'EUR';
  const items: ItemOutInput[] = o.lines.map((l, i) => ({
    quantity: new Decimal(l.quantity),
    lineNumber: l.lineNumber ?? i + 1,
    ...(l.adHoc ? { isAdHoc: true } : {}),
    itemID: { supplierPartID: l.sku, ...(l.aux ? { supplierPartAuxiliaryID: l.aux } : {}) },
    itemDetail: {
      unitPrice: { amount: new Decimal(l.price), currency: l.currency ?? currency },
      descriptions: [{ lang: 'en', text: l.description ?? `Item ${l.sku || 'free text'}` }],
      unitOfMeasure: l.unit ?? 'EA',
      classifications: [{ domain: 'UNSPSC', code: '44121700' }],
    },
  }));
  const total = o.total ?? o.lines.reduce((s, l) => s.plus(new Decimal(l.quantity).times(l.price)), new Decimal(0)).toFixed(2);
  const xml = writeOrderRequest({ payloadID, timestamp: new Date() }, header, {
    header: {
      orderID: o.orderID,
      orderDate: new Date(),
      type: o.type ?? 'new',
      ...(o.orderVersion !== undefined ? { orderVersion: o.orderVersion } : {}),
      ...(o.documentReference ? { documentReference: o.documentReference } : {}),
      total: { amount: new Decimal(total), currency },
      billTo: { name: 'Buyer Accounts', postalAddress: { deliverTo: [], street: ['Main Street 1'], city: 'Berlin', countryCode: 'DE' } },
      ...o.header,
    },
    items,
  });
  return { xml, payloadID };
}

/** A second cXML buyer with its own identities and secret. */
export async function createOtherBuyer(ctx: AppContext, id = 'other-cxml'): Promise<Header> {
  await createConnection(ctx, {
    id,
    name: `Other buyer ${id}`,
    protocol: 'cxml',
    buyerIdentities: [{ domain: 'NetworkID', identity: `${id.toUpperCase()}-BUYER` }],
    supplierIdentities: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO' }],
    senderIdentities: [{ domain: 'NetworkID', identity: `${id.toUpperCase()}-BUYER` }],
    secret: `${id}-secret`,
    returnUrlPrefixes: ['https://'],
  });
  const cred = { domain: 'NetworkID', identity: `${id.toUpperCase()}-BUYER` };
  return {
    from: { credentials: [cred] },
    to: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO' }] },
    sender: { credentials: [{ ...cred, sharedSecret: `${id}-secret` }], userAgent: 'Koppel tests' },
  };
}

/**
 * A real punchout cart of `connectionId`: the session is opened with its start token, the
 * products are added through the storefront's use case, and the cart is transferred.
 */
export async function punchedOutCart(ctx: AppContext, connectionId: string, items: readonly { sku: string; quantity: string }[], transfer = true): Promise<{ sessionId: string; lines: CartLine[] }> {
  const connection = (await getConnection(ctx, connectionId))!;
  const opened = await createSession(ctx, { connection, operation: 'create', buyerCookie: 'c-1', returnUrl: 'https://buyer.example/return', context: {} });
  const started = await redeemStartToken(ctx, opened.startToken);
  if (!started.ok) throw new Error(started.message);
  const active = await findActiveSession(ctx, started.sessionId);
  if (!active.ok) throw new Error(active.problem.message);
  for (const item of items) {
    const product = await ctx.db.selectFrom('products').select('id').where('sku', '=', item.sku).executeTakeFirstOrThrow();
    const added = await addToCart(ctx, active.value, product.id, new Decimal(item.quantity));
    if (!added.ok) throw new Error(added.message);
  }
  const lines = await cartLines(ctx, started.sessionId);
  if (transfer) {
    const sent = await transferCart(ctx, active.value, 'transfer');
    if (!sent.ok) throw new Error(sent.problems.join('; '));
  }
  return { sessionId: started.sessionId, lines };
}

/** Cart lines as order lines that repeat them exactly (what a well-behaved buyer sends). */
export function linesFromCart(lines: readonly CartLine[], unit = (l: CartLine) => l.product.unit): TestLine[] {
  return lines.map((l, i) => ({ lineNumber: i + 1, sku: l.product.sku, aux: l.auxId, quantity: l.quantity.toFixed(), price: l.unitPrice.toFixed(), unit: unit(l), currency: l.currency }));
}
