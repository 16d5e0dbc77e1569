/**
 * Reading orders for the admin, the CLI and the HTTP API: a filtered list and one order in full
 * (lines with their fulfilment figures, review flags, history, documents and their delivery).
 */
import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../store/schema.js';
import type { AppContext } from './context.js';
import type { OrderStatus, ReviewFlag, DocumentKind } from './order-model.js';
import { orderEvents, type OrderEventRow } from './order-events.js';

export interface OrderFilters {
  readonly connectionId?: string;
  readonly status?: OrderStatus;
  /** Only orders with review flags not yet marked reviewed. */
  readonly needsReview?: boolean;
  /** Substring of the buyer's orderID. */
  readonly orderId?: string;
  /** Received on or after / before (ISO date or instant, UTC). */
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  readonly offset?: number;
}

export interface OrderSummary {
  readonly id: string;
  readonly connectionId: string;
  readonly connectionName: string;
  readonly orderId: string;
  readonly orderVersion: number | null;
  readonly orderType: string;
  readonly status: OrderStatus;
  readonly total: string;
  readonly currency: string;
  readonly lineCount: number;
  /** Line and order flags, 0 once reviewed. */
  readonly openFlags: number;
  readonly receivedAt: string;
  readonly updatedAt: string;
}

export interface OrderLineView {
  readonly id: string;
  readonly lineNumber: number;
  readonly supplierPartId: string;
  readonly auxId: string | null;
  readonly productId: string | null;
  readonly description: string;
  readonly quantity: string;
  readonly unit: string;
  readonly unitPrice: string;
  readonly currency: string;
  readonly isAdHoc: boolean;
  readonly review: readonly ReviewFlag[];
  readonly confirmedQuantity: string;
  readonly rejectedQuantity: string;
  readonly shippedQuantity: string;
  readonly invoicedQuantity: string;
  readonly invoicedAmount: string;
  /** JSON-decoded details (classification, distribution, comments, extrinsics …). */
  readonly details: Record<string, unknown>;
}

export interface OrderDocumentView {
  readonly id: string;
  readonly kind: DocumentKind;
  readonly number: string;
  readonly payloadId: string;
  readonly createdBy: string;
  readonly createdAt: string;
  /** `failed`: refused by the buyer or never delivered — its quantities no longer count. */
  readonly state: 'active' | 'failed';
  readonly input: Record<string, unknown>;
  readonly totals: Record<string, unknown> | null;
  /** The outbox row's delivery state. */
  readonly outbox: { readonly id: string; readonly status: string; readonly attempts: number; readonly lastError: string | null; readonly deliveredAt: string | null; readonly url: string } | null;
}

export interface OrderDetail extends OrderSummary {
  readonly payloadId: string;
  readonly orderDate: string;
  readonly deploymentMode: string;
  /** JSON-decoded header: shipTo, billTo, shipping, tax, payment (masked), comments, extrinsics … */
  readonly header: Record<string, unknown>;
  readonly review: readonly ReviewFlag[];
  readonly reviewedAt: string | null;
  readonly reviewedBy: string | null;
  readonly linkedOrder: { readonly id: string; readonly orderId: string } | null;
  /** Orders that link to this one. */
  readonly linkedFrom: readonly { readonly id: string; readonly orderId: string }[];
  readonly sessionIds: readonly string[];
  readonly lines: readonly OrderLineView[];
  readonly events: readonly OrderEventRow[];
  readonly documents: readonly OrderDocumentView[];
}

/** Default and largest page of `listOrders`. */
export const DEFAULT_ORDER_PAGE = 50;
export const MAX_ORDER_PAGE = 500;

/**
 * Newest first (by the time the first version arrived). `total` counts every order the filters
 * match, not only the page. A `from`/`to` that is no date refuses with a RangeError naming it.
 */
export async function listOrders(ctx: AppContext, filters: OrderFilters): Promise<{ orders: OrderSummary[]; total: number }> {
  const where = filtered(filters);
  const counted = await where(ctx.db.selectFrom('orders')).select(sql<string | number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  const limit = Math.min(Math.max(1, Math.trunc(filters.limit ?? DEFAULT_ORDER_PAGE)), MAX_ORDER_PAGE);
  const offset = Math.max(0, Math.trunc(filters.offset ?? 0));
  const rows = await summaryQuery(where(ctx.db.selectFrom('orders'))).orderBy('orders.received_at', 'desc').orderBy('orders.id', 'desc').limit(limit).offset(offset).execute();
  return { orders: await summaries(ctx, rows), total: Number(counted.n) };
}

export async function getOrder(ctx: AppContext, id: string): Promise<OrderDetail | undefined> {
  const row = await summaryQuery(ctx.db.selectFrom('orders').where('orders.id', '=', id))
    .select(['orders.payload_id', 'orders.order_date', 'orders.deployment_mode', 'orders.header', 'orders.reviewed_by', 'orders.linked_order_id', 'orders.session_ids'])
    .executeTakeFirst();
  if (!row) return undefined;
  const lineRows = await ctx.db.selectFrom('order_lines').selectAll().where('order_id', '=', id).orderBy('line_number').orderBy('id').execute();
  const [summary] = await summaries(ctx, [row]);
  const linked = row.linked_order_id ? await ctx.db.selectFrom('orders').select(['id', 'order_id']).where('id', '=', row.linked_order_id).executeTakeFirst() : undefined;
  const linkedFrom = await ctx.db.selectFrom('orders').select(['id', 'order_id']).where('linked_order_id', '=', id).orderBy('received_at').orderBy('id').execute();
  const documents = await ctx.db
    .selectFrom('order_documents')
    .leftJoin('outbox', 'outbox.id', 'order_documents.outbox_id')
    .selectAll('order_documents')
    .select([
      'outbox.id as outbox_row_id',
      'outbox.status as outbox_status',
      'outbox.attempts as outbox_attempts',
      'outbox.last_error as outbox_last_error',
      'outbox.delivered_at as outbox_delivered_at',
      'outbox.url as outbox_url',
    ])
    .where('order_documents.order_id', '=', id)
    .orderBy('order_documents.created_at')
    .orderBy('order_documents.id')
    .execute();
  return {
    ...summary!,
    payloadId: row.payload_id,
    orderDate: row.order_date,
    deploymentMode: row.deployment_mode,
    header: jsonObject(row.header),
    review: flags(row.review),
    reviewedAt: row.reviewed_at,
    reviewedBy: row.reviewed_by,
    linkedOrder: linked ? { id: linked.id, orderId: linked.order_id } : null,
    linkedFrom: linkedFrom.map((l) => ({ id: l.id, orderId: l.order_id })),
    sessionIds: stringList(row.session_ids),
    lines: lineRows.map(
      (l): OrderLineView => ({
        id: l.id,
        lineNumber: Number(l.line_number),
        supplierPartId: l.supplier_part_id,
        auxId: l.aux_id,
        productId: l.product_id,
        description: l.description,
        quantity: l.quantity,
        unit: l.unit,
        unitPrice: l.unit_price,
        currency: l.currency,
        isAdHoc: Number(l.is_ad_hoc) === 1,
        review: flags(l.review),
        confirmedQuantity: l.confirmed_quantity,
        rejectedQuantity: l.rejected_quantity,
        shippedQuantity: l.shipped_quantity,
        invoicedQuantity: l.invoiced_quantity,
        invoicedAmount: l.invoiced_amount,
        details: jsonObject(l.details),
      }),
    ),
    events: await orderEvents(ctx, id),
    documents: documents.map(
      (d): OrderDocumentView => ({
        id: d.id,
        kind: d.kind,
        number: d.number,
        payloadId: d.payload_id,
        createdBy: d.created_by,
        createdAt: d.created_at,
        state: d.state === 'failed' ? 'failed' : 'active',
        input: jsonObject(d.input),
        totals: d.totals === null ? null : jsonObject(d.totals),
        outbox:
          d.outbox_row_id === null || d.outbox_row_id === undefined
            ? null
            : {
                id: d.outbox_row_id,
                status: d.outbox_status ?? '',
                attempts: Number(d.outbox_attempts ?? 0),
                lastError: d.outbox_last_error ?? null,
                deliveredAt: d.outbox_delivered_at ?? null,
                url: d.outbox_url ?? '',
              },
      }),
    ),
  };
}

/** Find by the buyer's orderID (CLI/API convenience); `connectionId` narrows when two buyers share a number. */
export async function findOrderByBuyerId(ctx: AppContext, orderId: string, connectionId?: string): Promise<OrderSummary[]> {
  let q = ctx.db.selectFrom('orders').where('orders.order_id', '=', orderId);
  if (connectionId !== undefined) q = q.where('orders.connection_id', '=', connectionId);
  const rows = await summaryQuery(q).orderBy('orders.received_at', 'desc').orderBy('orders.id', 'desc').execute();
  return summaries(ctx, rows);
}

// ---- building blocks ------------------------------------------------------------------------

type OrdersQuery = SelectQueryBuilder<Database, 'orders', object>;

/** Review columns hold '[]' when empty (always written by JSON.stringify), so plain text comparison works on both databases. */
function hasOpenFlags(eb: ExpressionBuilder<Database, 'orders'>) {
  return eb.and([
    eb('orders.reviewed_at', 'is', null),
    eb.or([
      eb('orders.review', '<>', '[]'),
      eb.exists(eb.selectFrom('order_lines').select('order_lines.id').whereRef('order_lines.order_id', '=', 'orders.id').where('order_lines.review', '<>', '[]')),
    ]),
  ]);
}

function filtered(filters: OrderFilters): (q: OrdersQuery) => OrdersQuery {
  const from = filters.from ? bound(filters.from, 'from') : undefined;
  const to = filters.to ? bound(filters.to, 'to') : undefined;
  return (q) => {
    if (filters.connectionId) q = q.where('orders.connection_id', '=', filters.connectionId);
    if (filters.status) q = q.where('orders.status', '=', filters.status);
    if (filters.needsReview === true) q = q.where((eb) => hasOpenFlags(eb));
    if (filters.needsReview === false) q = q.where((eb) => eb.not(hasOpenFlags(eb)));
    const part = filters.orderId?.trim();
    if (part) {
      // LIKE with escaped wildcards: "PO_1" finds PO_1, not POX1.
      const pattern = `%${part.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) => eb(sql`lower(orders.order_id)`, 'like', sql`${pattern} escape '\\'`));
    }
    if (from) q = q.where('orders.received_at', '>=', from.value);
    if (to) q = q.where('orders.received_at', to.dateOnly ? '<' : '<=', to.value);
    return q;
  };
}

/**
 * A filter bound as stored timestamps compare (ISO-8601 UTC text). A plain date means the whole
 * day in UTC: `from` its start, `to` up to the start of the next day.
 */
function bound(text: string, name: 'from' | 'to'): { value: string; dateOnly: boolean } {
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const day = new Date(`${t}T00:00:00.000Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== t) throw new RangeError(`The "${name}" date ${t} does not exist; write it as YYYY-MM-DD.`);
    if (name === 'from') return { value: day.toISOString(), dateOnly: true };
    return { value: new Date(day.getTime() + 86_400_000).toISOString(), dateOnly: true };
  }
  const instant = /^\d{4}-\d{2}-\d{2}T/.test(t) ? new Date(t) : new Date(Number.NaN);
  if (Number.isNaN(instant.getTime())) throw new RangeError(`The "${name}" filter "${text}" is not a date (YYYY-MM-DD) or an ISO-8601 date and time.`);
  return { value: instant.toISOString(), dateOnly: false };
}

function summaryQuery(q: OrdersQuery) {
  return q
    .innerJoin('connections', 'connections.id', 'orders.connection_id')
    .select((eb) => [
      'orders.id',
      'orders.connection_id',
      'connections.name as connection_name',
      'orders.order_id',
      'orders.order_version',
      'orders.order_type',
      'orders.status',
      'orders.total',
      'orders.currency',
      'orders.review',
      'orders.reviewed_at',
      'orders.received_at',
      'orders.updated_at',
      eb.selectFrom('order_lines').select(sql<string | number>`count(*)`.as('n')).whereRef('order_lines.order_id', '=', 'orders.id').as('line_count'),
    ]);
}

type SummaryRow = {
  id: string;
  connection_id: string;
  connection_name: string;
  order_id: string;
  order_version: number | null;
  order_type: string;
  status: string;
  total: string;
  currency: string;
  review: string;
  reviewed_at: string | null;
  received_at: string;
  updated_at: string | null;
  line_count: string | number | null;
};

async function summaries(ctx: AppContext, rows: readonly SummaryRow[]): Promise<OrderSummary[]> {
  const open = rows.filter((r) => r.reviewed_at === null).map((r) => r.id);
  const lineFlags = new Map<string, number>();
  for (let i = 0; i < open.length; i += 500) {
    const lines = await ctx.db.selectFrom('order_lines').select(['order_id', 'review']).where('order_id', 'in', open.slice(i, i + 500)).where('review', '<>', '[]').execute();
    for (const l of lines) lineFlags.set(l.order_id, (lineFlags.get(l.order_id) ?? 0) + flags(l.review).length);
  }
  return rows.map((r) => ({
    id: r.id,
    connectionId: r.connection_id,
    connectionName: r.connection_name,
    orderId: r.order_id,
    orderVersion: r.order_version === null ? null : Number(r.order_version),
    orderType: r.order_type,
    status: r.status as OrderStatus,
    total: r.total,
    currency: r.currency,
    lineCount: Number(r.line_count ?? 0),
    openFlags: r.reviewed_at === null ? flags(r.review).length + (lineFlags.get(r.id) ?? 0) : 0,
    receivedAt: r.received_at,
    updatedAt: r.updated_at ?? r.received_at,
  }));
}

function flags(text: string): ReviewFlag[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v as ReviewFlag[]) : [];
  } catch {
    return [];
  }
}

function stringList(text: string): string[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function jsonObject(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
