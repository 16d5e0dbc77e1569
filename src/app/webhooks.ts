/**
 * Shop webhooks: an existing shop subscribes to order events and processes orders "as usual".
 * Each event is a row in the outbox (same retries, same lease), signed with HMAC-SHA256 at send
 * time with the hook's sealed secret. Payloads are documented in docs/webhooks.md.
 */
import type { AppContext } from './context.js';

export const WEBHOOK_EVENTS = ['order.received', 'order.updated', 'order.cancelled'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const WEBHOOK_SIGNATURE_HEADER = 'Koppel-Signature';

/**
 * Queues `event` for every enabled hook subscribed to it. Call with the context of the
 * transaction that made the change (`{ ...ctx, db: trx }`): the event and the change commit
 * together. Idempotent per (event, order, order version, hook).
 */
export async function emitOrderEvent(ctx: AppContext, event: WebhookEvent, orderRowId: string): Promise<number> {
  const hooks = await ctx.db.selectFrom('webhooks').select(['id', 'events']).where('enabled', '=', 1).execute();
  const subscribed = hooks.filter((h) => (JSON.parse(h.events) as string[]).includes(event));
  if (subscribed.length === 0) return 0;
  void orderRowId;
  throw new Error('emitOrderEvent: being written');
}
