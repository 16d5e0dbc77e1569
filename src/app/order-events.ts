/**
 * The history of an order: every change, with who or what caused it. Written in the same
 * transaction as the change itself, so the timeline never shows something that did not happen.
 */
import { iso, type AppContext } from './context.js';
import { actorText, type Actor, type OrderEventKind, type OrderStatus } from './order-model.js';

export interface OrderEventInput {
  readonly orderId: string;
  readonly kind: OrderEventKind;
  readonly actor: Actor;
  readonly fromStatus?: OrderStatus | string | null;
  readonly toStatus?: OrderStatus | string | null;
  readonly detail?: string;
  /** order_documents.id or documents.id. */
  readonly documentId?: string | null;
}

/** Pass the transaction's context (`{ ...ctx, db: trx }`) when the change runs in one. */
export async function recordOrderEvent(ctx: AppContext, e: OrderEventInput): Promise<string> {
  const id = ctx.token(12);
  await ctx.db
    .insertInto('order_events')
    .values({
      id,
      order_id: e.orderId,
      kind: e.kind,
      actor: actorText(e.actor),
      from_status: e.fromStatus ?? null,
      to_status: e.toStatus ?? null,
      detail: e.detail ?? '',
      document_id: e.documentId ?? null,
      created_at: iso(ctx.now()),
    })
    .execute();
  return id;
}

export interface OrderEventRow {
  readonly id: string;
  readonly kind: OrderEventKind;
  readonly actor: string;
  readonly fromStatus: string | null;
  readonly toStatus: string | null;
  readonly detail: string;
  readonly documentId: string | null;
  readonly createdAt: string;
}

/** Oldest first. */
export async function orderEvents(ctx: AppContext, orderId: string): Promise<OrderEventRow[]> {
  const rows = await ctx.db.selectFrom('order_events').selectAll().where('order_id', '=', orderId).orderBy('seq').execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind as OrderEventKind,
    actor: r.actor,
    fromStatus: r.from_status,
    toStatus: r.to_status,
    detail: r.detail,
    documentId: r.document_id,
    createdAt: r.created_at,
  }));
}
