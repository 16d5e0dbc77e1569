/**
 * Shop webhooks: an existing shop subscribes to order events and processes orders "as usual".
 * Each event is a row in the outbox (same retries, same lease), signed with HMAC-SHA256 at send
 * time with the hook's sealed secret. Payloads are documented in docs/webhooks.md.
 */
import { randomBytes } from 'node:crypto';
import { hasControlCharacter, hiddenCharacter } from '../domain/visible-text.js';
import { audit } from './admin-users.js';
import { iso, type AppContext } from './context.js';
import { seal, sealingKey, unseal } from './sealed-secrets.js';
import { enqueue } from '../jobs/outbox.js';

export const WEBHOOK_EVENTS = ['order.received', 'order.updated', 'order.cancelled'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const WEBHOOK_SIGNATURE_HEADER = 'Koppel-Signature';

/**
 * Header naming the subscription a delivery belongs to. Stored with the outbox row (it is no
 * secret): the worker finds the hook — its secret, whether it still exists and is enabled — by it.
 */
export const WEBHOOK_ID_HEADER = 'Koppel-Webhook-Id';
export const WEBHOOK_EVENT_HEADER = 'Koppel-Event';

export const MAX_WEBHOOK_URL_LENGTH = 2048;
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

export interface Webhook {
  readonly id: string;
  readonly url: string;
  readonly events: readonly WebhookEvent[];
  readonly enabled: boolean;
  readonly description: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface WebhookInput {
  readonly url: string;
  readonly events: readonly string[];
  readonly description?: string;
  readonly enabled?: boolean;
}

/** Who changed a hook (admin user or `cli`), for the audit trail. */
export interface WebhookActor {
  readonly id?: string;
  readonly username: string;
}

export class WebhookInputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the webhook was not saved: ${problems.join('; ')}`);
    this.name = 'WebhookInputError';
  }
}

export class WebhookNotFoundError extends Error {
  constructor(readonly webhookId: string) {
    super(`there is no webhook "${webhookId}"`);
    this.name = 'WebhookNotFoundError';
  }
}

type Row = { id: string; url: string; events: string; enabled: number; description: string; created_at: string; updated_at: string };

function fromRow(r: Row): Webhook {
  const events = (JSON.parse(r.events) as string[]).filter((e): e is WebhookEvent => (WEBHOOK_EVENTS as readonly string[]).includes(e));
  return { id: r.id, url: r.url, events, enabled: r.enabled === 1, description: r.description, createdAt: r.created_at, updatedAt: r.updated_at };
}

const COLUMNS = ['id', 'url', 'events', 'enabled', 'description', 'created_at', 'updated_at'] as const;

export async function listWebhooks(ctx: AppContext): Promise<Webhook[]> {
  const rows = await ctx.db.selectFrom('webhooks').select(COLUMNS).orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => fromRow({ ...r, enabled: Number(r.enabled) }));
}

export async function getWebhook(ctx: AppContext, id: string): Promise<Webhook | undefined> {
  const r = await ctx.db.selectFrom('webhooks').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? fromRow({ ...r, enabled: Number(r.enabled) }) : undefined;
}

/** Problems with the input, each naming its field. */
export function webhookProblems(input: Partial<WebhookInput>, secret?: string): string[] {
  const out: string[] = [];
  const url = input.url;
  if (typeof url !== 'string' || url.trim() === '') out.push('url: is required (the address Koppel posts the events to)');
  else if (url.length > MAX_WEBHOOK_URL_LENGTH) out.push(`url: is longer than ${MAX_WEBHOOK_URL_LENGTH} characters`);
  else {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url.trim());
    } catch {
      out.push(`url: ${JSON.stringify(url.slice(0, 80))} is not a URL (expected e.g. https://shop.example/koppel/events)`);
    }
    if (parsed) {
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') out.push(`url: must start with http:// or https://, not ${parsed.protocol}`);
      // The URL is shown in the admin and logs; credentials in it would be a secret in clear.
      else if (parsed.username || parsed.password) out.push('url: must not carry a user name or password (user@host); the signature authenticates Koppel');
    }
  }
  if (!Array.isArray(input.events) || input.events.length === 0) out.push(`events: choose at least one of ${WEBHOOK_EVENTS.join(', ')}`);
  else {
    for (const e of input.events) if (!(WEBHOOK_EVENTS as readonly string[]).includes(e)) out.push(`events: ${JSON.stringify(e)} is not an event (known: ${WEBHOOK_EVENTS.join(', ')})`);
    if (new Set(input.events).size !== input.events.length) out.push('events: an event is listed twice');
  }
  const d = input.description;
  if (d !== undefined) {
    if (typeof d !== 'string') out.push('description: must be text');
    else if (d.length > 200) out.push('description: is longer than 200 characters');
    else if (hasControlCharacter(d)) out.push('description: contains control characters');
    else if (hiddenCharacter(d)) out.push(`description: contains an invisible or text-direction character (${hiddenCharacter(d)})`);
  }
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean') out.push('enabled: must be true or false');
  if (secret !== undefined) {
    if (secret.length < MIN_WEBHOOK_SECRET_LENGTH) out.push(`secret: must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters`);
    else if (secret.length > 200) out.push('secret: is longer than 200 characters');
    else if (/[\s\u0000-\u001f\u007f]/.test(secret)) out.push('secret: must not contain blanks or control characters');
  }
  return out;
}

function sealContext(id: string): string {
  return `webhook:${id}`;
}

/** A signing secret: `whsec_` and 32 random bytes (base64url), 256 bits. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

async function inTransaction<T>(ctx: AppContext, run: (tctx: AppContext) => Promise<T>): Promise<T> {
  return ctx.db.transaction().execute((trx) => run({ ...ctx, db: trx }));
}

function orderedEvents(events: readonly string[]): WebhookEvent[] {
  return WEBHOOK_EVENTS.filter((e) => events.includes(e));
}

/**
 * Creates a hook. The signing secret (generated unless given) is returned once and stored sealed
 * (AES-256-GCM, bound to the hook id): it cannot be shown again, only rotated. Sealing needs
 * KOPPEL_SECRET_KEY on PostgreSQL (see sealed-secrets.ts); without it nothing is stored.
 */
export async function createWebhook(ctx: AppContext, actor: WebhookActor, input: WebhookInput & { secret?: string }): Promise<{ webhook: Webhook; secret: string }> {
  const given = input.secret !== undefined && input.secret !== '';
  const problems = webhookProblems(input, given ? input.secret : undefined);
  if (problems.length) throw new WebhookInputError(problems);
  const secret = given ? input.secret! : generateWebhookSecret();
  // Hex: the id is matched as a suffix of outbox dedupe keys with LIKE, where _ and % are wildcards.
  const id = `wh-${randomBytes(8).toString('hex')}`;
  const sealed = seal(sealingKey(ctx.config, ctx.log), secret, sealContext(id));
  const now = iso(ctx.now());
  const events = orderedEvents(input.events);
  await inTransaction(ctx, async (tctx) => {
    await tctx.db
      .insertInto('webhooks')
      .values({ id, url: new URL(input.url.trim()).href, events: JSON.stringify(events), secret_sealed: sealed, enabled: input.enabled === false ? 0 : 1, description: (input.description ?? '').trim(), created_at: now, updated_at: now })
      .execute();
    await audit(tctx, actor, 'webhook.create', `webhook ${id}`, `${new URL(input.url.trim()).href}; events ${events.join(', ')}; secret ${given ? 'given' : 'generated'}`);
  });
  return { webhook: (await getWebhook(ctx, id))!, secret };
}

/** Changes URL, events, description and enabled; the secret stays. */
export async function updateWebhook(ctx: AppContext, actor: WebhookActor, id: string, input: WebhookInput): Promise<Webhook> {
  const existing = await getWebhook(ctx, id);
  if (!existing) throw new WebhookNotFoundError(id);
  const problems = webhookProblems(input);
  if (problems.length) throw new WebhookInputError(problems);
  const url = new URL(input.url.trim()).href;
  const events = orderedEvents(input.events);
  const enabled = input.enabled ?? existing.enabled;
  const description = (input.description ?? existing.description).trim();
  const changed = [
    url !== existing.url ? 'url' : '',
    JSON.stringify(events) !== JSON.stringify(existing.events) ? 'events' : '',
    enabled !== existing.enabled ? (enabled ? 'enabled' : 'disabled') : '',
    description !== existing.description ? 'description' : '',
  ].filter(Boolean);
  await inTransaction(ctx, async (tctx) => {
    await tctx.db.updateTable('webhooks').set({ url, events: JSON.stringify(events), enabled: enabled ? 1 : 0, description, updated_at: iso(ctx.now()) }).where('id', '=', id).execute();
    await audit(tctx, actor, 'webhook.update', `webhook ${id}`, changed.length ? `changed: ${changed.join(', ')}` : 'no change');
  });
  return (await getWebhook(ctx, id))!;
}

/**
 * Deletes a hook. Deliveries still queued for it are failed by the worker ("deleted") rather than
 * sent: nobody could verify their signature any more.
 */
export async function deleteWebhook(ctx: AppContext, actor: WebhookActor, id: string): Promise<void> {
  const existing = await getWebhook(ctx, id);
  if (!existing) throw new WebhookNotFoundError(id);
  await inTransaction(ctx, async (tctx) => {
    await tctx.db.deleteFrom('webhooks').where('id', '=', id).execute();
    await audit(tctx, actor, 'webhook.delete', `webhook ${id}`, existing.url);
  });
}

/**
 * A new signing secret, returned once. Deliveries not yet sent are signed with the new secret
 * (signatures are computed at send time), so the shop should switch as soon as it has it.
 */
export async function rotateWebhookSecret(ctx: AppContext, actor: WebhookActor, id: string, given?: string): Promise<{ secret: string }> {
  const existing = await getWebhook(ctx, id);
  if (!existing) throw new WebhookNotFoundError(id);
  const useGiven = given !== undefined && given !== '';
  if (useGiven) {
    const problems = webhookProblems({ url: existing.url, events: existing.events }, given);
    if (problems.length) throw new WebhookInputError(problems);
  }
  const secret = useGiven ? given! : generateWebhookSecret();
  const sealed = seal(sealingKey(ctx.config, ctx.log), secret, sealContext(id));
  await inTransaction(ctx, async (tctx) => {
    await tctx.db.updateTable('webhooks').set({ secret_sealed: sealed, updated_at: iso(ctx.now()) }).where('id', '=', id).execute();
    await audit(tctx, actor, 'webhook.rotate-secret', `webhook ${id}`, `new secret ${useGiven ? 'given' : 'generated'}`);
  });
  return { secret };
}

/**
 * The hook a queued delivery belongs to and a way to open its signing secret (for the outbox
 * worker only; never for display). `undefined` when the hook no longer exists. `openSecret`
 * throws SealedSecretError when the secret does not open on this node (another KOPPEL_SECRET_KEY).
 */
export async function webhookForDelivery(ctx: AppContext, id: string): Promise<{ enabled: boolean; openSecret(): string } | undefined> {
  const r = await ctx.db.selectFrom('webhooks').select(['id', 'enabled', 'secret_sealed']).where('id', '=', id).executeTakeFirst();
  if (!r) return undefined;
  return { enabled: Number(r.enabled) === 1, openSecret: () => unseal(sealingKey(ctx.config, ctx.log), r.secret_sealed, sealContext(r.id)) };
}

/** The outbox rows of one hook (its recent deliveries), newest first. */
export async function webhookDeliveries(ctx: AppContext, id: string, limit = 20) {
  return ctx.db
    .selectFrom('outbox')
    .select(['id', 'doc_type', 'order_id', 'status', 'attempts', 'last_http_status', 'last_error', 'last_attempt_at', 'next_attempt_at', 'delivered_at', 'created_at'])
    .where('kind', '=', 'webhook')
    .where('dedupe_key', 'like', `%:${id}`)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Events

export interface WebhookOrderPayload {
  readonly id: string;
  readonly event: WebhookEvent;
  readonly createdAt: string;
  readonly order: {
    readonly id: string;
    readonly connectionId: string;
    readonly orderId: string;
    readonly orderVersion: number | null;
    readonly type: string;
    readonly status: string;
    readonly orderDate: string;
    readonly total: string;
    readonly currency: string;
    readonly shipTo: unknown;
    readonly billTo: unknown;
    readonly comments: unknown;
    readonly lines: readonly {
      readonly lineNumber: number;
      readonly supplierPartId: string;
      readonly auxId: string | null;
      readonly description: string;
      readonly quantity: string;
      readonly unit: string;
      readonly unitPrice: string;
      readonly currency: string;
      readonly isAdHoc: boolean;
    }[];
  };
}

/**
 * The order as a webhook tells it. Only named fields are copied: the stored header also holds the
 * (masked) payment card and extrinsics, which a shop does not need and must not receive.
 */
async function orderPayload(ctx: AppContext, event: WebhookEvent, orderRowId: string): Promise<{ payload: Omit<WebhookOrderPayload, 'id'>; version: string } | undefined> {
  const o = await ctx.db.selectFrom('orders').selectAll().where('id', '=', orderRowId).executeTakeFirst();
  if (!o) return undefined;
  const lines = await ctx.db.selectFrom('order_lines').selectAll().where('order_id', '=', orderRowId).orderBy('line_number').execute();
  let header: Record<string, unknown> = {};
  try {
    header = JSON.parse(o.header) as Record<string, unknown>;
  } catch {
    header = {};
  }
  const orderVersion = o.order_version === null ? null : Number(o.order_version);
  return {
    // The payloadID of the applied OrderRequest changes with every applied version, also for
    // updates without orderVersion; a replayed event of the same version stays one row.
    version: o.payload_id,
    payload: {
      event,
      createdAt: iso(ctx.now()),
      order: {
        id: o.id,
        connectionId: o.connection_id,
        orderId: o.order_id,
        orderVersion,
        type: o.order_type,
        status: o.status,
        orderDate: o.order_date,
        total: o.total,
        currency: o.currency,
        shipTo: header.shipTo ?? null,
        billTo: header.billTo ?? null,
        comments: header.comments ?? null,
        lines: lines.map((l) => ({
          lineNumber: Number(l.line_number),
          supplierPartId: l.supplier_part_id,
          auxId: l.aux_id,
          description: l.description,
          quantity: l.quantity,
          unit: l.unit,
          unitPrice: l.unit_price,
          currency: l.currency,
          isAdHoc: Number(l.is_ad_hoc) === 1,
        })),
      },
    },
  };
}

/**
 * Queues `event` for every enabled hook subscribed to it. Call with the context of the
 * transaction that made the change (`{ ...ctx, db: trx }`): the event and the change commit
 * together. Idempotent per (event, order, applied OrderRequest payloadID, hook): the outbox's unique dedupe key
 * makes a second queueing — also a concurrent one — a no-op. Returns the number newly queued.
 */
export async function emitOrderEvent(ctx: AppContext, event: WebhookEvent, orderRowId: string): Promise<number> {
  if (!(WEBHOOK_EVENTS as readonly string[]).includes(event)) throw new Error(`emitOrderEvent: unknown event ${JSON.stringify(event)}`);
  const hooks = await ctx.db.selectFrom('webhooks').select(['id', 'url', 'events']).where('enabled', '=', 1).orderBy('id').execute();
  const subscribed = hooks.filter((h) => (JSON.parse(h.events) as string[]).includes(event));
  if (subscribed.length === 0) return 0;
  const built = await orderPayload(ctx, event, orderRowId);
  if (!built) throw new Error(`emitOrderEvent: there is no order ${orderRowId}`);
  let queued = 0;
  for (const hook of subscribed) {
    // One id per delivery: a receiver that gets the same one twice (at-least-once) drops it.
    const payload: WebhookOrderPayload = { id: `evt_${randomBytes(12).toString('hex')}`, ...built.payload };
    const r = await enqueue(ctx, {
      kind: 'webhook',
      docType: event,
      orderId: orderRowId,
      url: hook.url,
      body: JSON.stringify(payload),
      headers: { [WEBHOOK_ID_HEADER]: hook.id, [WEBHOOK_EVENT_HEADER]: event },
      signatureHeader: WEBHOOK_SIGNATURE_HEADER,
      dedupeKey: `${event}:${orderRowId}:${built.version}:${hook.id}`,
    });
    if (r.created) queued += 1;
  }
  return queued;
}
