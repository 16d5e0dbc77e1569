/**
 * The durable outbox: every cXML document and shop webhook Koppel sends on its own (not as the
 * answer to a request, not through a user's browser) is a row in the store before it is sent,
 * and a worker (`outbox-worker.ts`) delivers it.
 *
 * Life of a row:
 *
 *   enqueue ──► pending ──claim──► sending ──answer──► delivered
 *                  ▲                  │  └───────────► failed   (buyer refused: cXML 4xx, webhook 4xx;
 *                  └──── retry ◄──────┘                          or retries used up; or misconfigured)
 *                     (5xx, timeout, network error, non-cXML answer, 3xx: backoff with full jitter)
 *
 * - **Record before send.** Claiming is one conditional UPDATE that sets `status='sending'`, counts
 *   the attempt and takes a lease (`lease_owner`, `lease_until`); only then does the request go
 *   out. The outcome is written to the same row, fenced by owner and attempt number, so a worker
 *   that lost its lease can never overwrite a newer attempt.
 * - **Leases, not locks.** A worker that dies mid-send leaves `sending` with a lease that runs
 *   out; any worker (or the same one restarted) then claims the row again and sends the very same
 *   body, so the same payloadID. The buyer may thus see a document twice — cXML receivers dedupe
 *   by payloadID, webhook receivers by `X-Koppel-Delivery` — but Koppel never loses one.
 * - **Two processes, one database.** The claim picks due rows and updates them in one statement:
 *   on PostgreSQL the candidates are locked with `FOR UPDATE SKIP LOCKED`, and the outer UPDATE
 *   checks the due condition again; SQLite runs one writer at a time, so the statement is atomic.
 *   A row is therefore claimed by one worker per lease, and the lease (longer than the request
 *   timeout) outlasts the send of a live worker.
 * - **No secrets at rest.** A cXML body is stored with its SharedSecret as `[redacted]` (the same
 *   form as the document log); the connection's sealed outbound secret is put back by parser
 *   position just before sending (`restoreSecret`, shared with the admin's resend). A webhook's
 *   HMAC-SHA256 signature is computed at send time from a secret the caller resolves.
 * - **Visible.** Every cXML attempt goes to the document log (`out`, detail `posted to <url>; …`,
 *   so the admin can resend it) and the buyer's answer too (`in`, detail `answer to <payloadID>`).
 *   Webhook attempts go to the process log and stay visible on their row (status, attempts, last
 *   HTTP status, `last_error`; the admin's webhook page lists them): the document log is for
 *   documents exchanged with buyers, and its resend would treat a webhook as one. `last_error`
 *   holds the buyer's reason. A delivered or finally failed cXML row of a stored order also
 *   lands in the order's history (`document_delivered` / `document_failed`).
 * - **Held, not sent.** A cXML row of a disabled connection goes back to pending (the attempt not
 *   counted) with a later `next_attempt_at` and a `held: …` reason, until the connection is
 *   enabled again. A webhook row whose subscription was disabled or deleted is failed.
 *
 * Clocks come from `ctx.now()`; nodes sharing a database need synchronised clocks (NTP), as a
 * lease is compared against the claiming node's time.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ExpressionBuilder, Selectable } from 'kysely';
import type { OutboxConfig } from '../config.js';
import type { Database, OutboxTable } from '../store/schema.js';
import { readCxml } from '../protocol/cxml/reader.js';
import { decodeXmlBytes } from '../protocol/cxml/read-xml.js';
import type { CxmlPayload, Status } from '../protocol/cxml/model.js';
import { iso, type AppContext } from '../app/context.js';
import { logDocument, redactXml } from '../app/document-log.js';
import { hasRedactedSecret, postedToDetail, restoreSecret } from '../app/document-replay.js';
import { getConnection } from '../app/connections.js';
import { openOutboundSecret } from '../app/connection-admin.js';
import { recordOrderEvent } from '../app/order-events.js';
import { orderDocumentFailed } from '../app/order-documents.js';
import { WEBHOOK_ID_HEADER, webhookForDelivery } from '../app/webhooks.js';

export type OutboxRow = Selectable<OutboxTable>;
export type OutboxStatus = OutboxRow['status'];

// ---------------------------------------------------------------------------------------------
// Enqueue

interface CommonInput {
  connectionId?: string | null;
  orderId?: string | null;
  /** Where to POST. http(s) only; redirects are never followed. */
  url: string;
  contentType?: string;
  /** Not before this time (default: now). */
  notBefore?: Date;
}

export interface CxmlOutboxInput extends CommonInput {
  kind: 'cxml';
  connectionId: string;
  /**
   * The whole cXML document, exactly as it should go out, with a `SharedSecret` element in the
   * Sender credential holding any text (a placeholder or the real secret): it is stored redacted,
   * and the connection's outbound secret replaces it at send time. The payloadID is read from it.
   */
  body: string;
  /** Default: the payload element's name (ConfirmationRequest, InvoiceDetailRequest …). */
  docType?: string;
}

export interface WebhookOutboxInput extends CommonInput {
  kind: 'webhook';
  /** Event name, e.g. `order.confirmed`. */
  docType: string;
  body: string;
  /** Extra request headers. Never put a secret here: they are stored in clear. */
  headers?: Readonly<Record<string, string>>;
  /** Header to carry `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (see `webhookSignature`). */
  signatureHeader?: string;
  /** One row per key: queueing the same key again (also concurrently) stores nothing new. */
  dedupeKey?: string;
}

export type OutboxInput = CxmlOutboxInput | WebhookOutboxInput;

export interface Enqueued {
  id: string;
  /** False when the payloadID was already queued: nothing new was stored. */
  created: boolean;
  payloadId: string | null;
}

/** The caller's mistake (bad URL, not a cXML document, one payloadID for two documents). */
export class OutboxInputError extends Error {
  override readonly name = 'OutboxInputError';
}

/**
 * Stores a document or webhook for delivery and returns its row id. Pass the context of the
 * caller's transaction (`{ ...ctx, db: trx }`) so that the change that causes the document and
 * the document itself commit together — or neither does.
 *
 * Idempotent on the cXML payloadID: queueing the same document again returns the existing row
 * (`created: false`); another document under a payloadID already used is refused.
 *
 * @example
 * await ctx.db.transaction().execute(async (trx) => {
 *   const tctx = { ...ctx, db: trx };
 *   await markConfirmed(tctx, order);
 *   await enqueue(tctx, { kind: 'cxml', connectionId: order.connectionId, orderId: order.id, url, body: confirmationXml });
 * });
 */
export async function enqueue(ctx: AppContext, input: OutboxInput): Promise<Enqueued> {
  const url = checkedUrl(input.url);
  const now = iso(ctx.now());
  const base = {
    id: ctx.token(12),
    connection_id: input.connectionId ?? null,
    order_id: input.orderId ?? null,
    url,
    status: 'pending' as const,
    attempts: 0,
    next_attempt_at: iso(input.notBefore ?? ctx.now()),
    created_at: now,
    updated_at: now,
  };
  if (input.kind === 'webhook') {
    const headers = checkedHeaders(input.headers ?? {});
    if (input.signatureHeader !== undefined) checkedHeaders({ [input.signatureHeader]: 'x' });
    const values = {
      ...base,
      kind: 'webhook' as const,
      doc_type: input.docType,
      payload_id: null,
      content_type: input.contentType ?? 'application/json',
      body: input.body,
      headers: JSON.stringify(headers),
      signature_header: input.signatureHeader ?? null,
      dedupe_key: input.dedupeKey ?? null,
    };
    if (input.dedupeKey === undefined) {
      await ctx.db.insertInto('outbox').values(values).execute();
      return { id: base.id, created: true, payloadId: null };
    }
    // ON CONFLICT DO NOTHING: a concurrent insert of the same key waits for the other transaction
    // (PostgreSQL) and then stores nothing, instead of failing the caller's transaction.
    const inserted = await ctx.db.insertInto('outbox').values(values).onConflict((oc) => oc.column('dedupe_key').doNothing()).returning('id').executeTakeFirst();
    if (inserted) return { id: inserted.id, created: true, payloadId: null };
    const existing = await ctx.db.selectFrom('outbox').select('id').where('dedupe_key', '=', input.dedupeKey).executeTakeFirstOrThrow();
    return { id: existing.id, created: false, payloadId: null };
  }

  let payloadId: string;
  let payload: CxmlPayload;
  try {
    ({ payloadID: payloadId, payload } = readCxml(input.body).envelope);
  } catch (err) {
    throw new OutboxInputError(`not a cXML document: ${(err as Error).message}`);
  }
  const body = redactXml(input.body);
  const inserted = await ctx.db
    .insertInto('outbox')
    .values({
      ...base,
      kind: 'cxml',
      doc_type: input.docType ?? payloadName(payload),
      payload_id: payloadId,
      content_type: input.contentType ?? 'text/xml; charset=utf-8',
      body,
      headers: '{}',
      signature_header: null,
    })
    .onConflict((oc) => oc.column('payload_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true, payloadId };
  const existing = await ctx.db.selectFrom('outbox').select(['id', 'body']).where('payload_id', '=', payloadId).executeTakeFirstOrThrow();
  // A payloadID names one document for good (cXML: it must not change on retries, nor be reused).
  if (existing.body !== body) throw new OutboxInputError(`payloadID ${payloadId} is already queued with a different document`);
  return { id: existing.id, created: false, payloadId };
}

/** The URL as fetch will use it (no spaces left: the log's "posted to <url>" must read it back whole). */
function checkedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OutboxInputError(`not a URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new OutboxInputError(`only http and https URLs can be delivered to, got ${parsed.protocol}`);
  return parsed.href;
}

/** Header names and values fetch would accept, minus the ones the worker sets itself. */
function checkedHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  try {
    new Headers(headers);
  } catch (err) {
    throw new OutboxInputError(`invalid webhook header: ${(err as Error).message}`);
  }
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !OWN_HEADERS.has(name.toLowerCase())));
}

const OWN_HEADERS = new Set(['content-type', 'content-length', 'host', 'x-koppel-delivery']);

function payloadName(payload: CxmlPayload): string {
  return payload.kind === 'Other' ? payload.name : payload.kind === 'Status' ? 'Response' : payload.kind;
}

// ---------------------------------------------------------------------------------------------
// Reading and requeueing (for the admin and the order lifecycle)

export async function getOutboxEntry(ctx: AppContext, id: string): Promise<OutboxRow | undefined> {
  return ctx.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The rows of one order, oldest first. */
export async function outboxOfOrder(ctx: AppContext, orderId: string): Promise<OutboxRow[]> {
  return ctx.db.selectFrom('outbox').selectAll().where('order_id', '=', orderId).orderBy('created_at').orderBy('id').execute();
}

/**
 * Puts a failed row back in the queue with a fresh set of attempts (same body, same payloadID),
 * e.g. after the buyer fixed its side or the outbound secret was set. False if it is not failed.
 */
export async function requeueFailed(ctx: AppContext, id: string): Promise<boolean> {
  const now = iso(ctx.now());
  const r = await ctx.db
    .updateTable('outbox')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// ---------------------------------------------------------------------------------------------
// Claim

/** A worker's name in `lease_owner`: host, process and a random part (one process may run several). */
export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export interface ClaimOptions {
  owner: string;
  /** Most rows to take. */
  limit: number;
  leaseMs: number;
}

const INTERRUPTED = 'the previous attempt was interrupted (its worker stopped or lost its lease); sending the same document again';

function due(now: string) {
  return (eb: ExpressionBuilder<Database, 'outbox'>) =>
    eb.or([
      eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
      eb.and([eb('status', '=', 'sending'), eb('lease_until', '<=', now)]),
    ]);
}

/**
 * Takes up to `limit` due rows for `owner`: pending rows whose time has come and sending rows
 * whose lease ran out. Each comes back as `sending`, its attempt already counted, leased until
 * now + leaseMs. Safe to run from any number of processes at once.
 */
export async function claimDue(ctx: AppContext, options: ClaimOptions): Promise<OutboxRow[]> {
  if (options.limit < 1) return [];
  const nowDate = ctx.now();
  const now = iso(nowDate);
  // Tie-break on id: the pick must be one definite set of rows.
  const candidates = ctx.db.selectFrom('outbox').select('id').where(due(now)).orderBy('next_attempt_at').orderBy('id').limit(options.limit);
  // SKIP LOCKED: a second node takes the next rows instead of waiting for (and losing) these.
  const locked = ctx.dialect === 'postgres' ? candidates.forUpdate().skipLocked() : candidates;
  return (
    ctx.db
      // MATERIALIZED: picked once. As a plain IN (subquery … LIMIT n), PostgreSQL may run the
      // subquery again per row and update more than n rows (seen with equal next_attempt_at).
      .with((cte) => cte('picked').materialized(), () => locked)
      .updateTable('outbox')
      .set((eb) => ({
        status: 'sending',
        attempts: eb('attempts', '+', 1),
        lease_owner: options.owner,
        lease_until: iso(new Date(nowDate.getTime() + options.leaseMs)),
        last_attempt_at: now,
        updated_at: now,
        last_error: eb.case().when('status', '=', 'sending').then(INTERRUPTED).else(eb.ref('last_error')).end(),
      }))
      .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
      // Checked again on the row itself: on PostgreSQL after any concurrent change committed.
      .where(due(now))
      .returningAll()
      .execute()
  );
}

// ---------------------------------------------------------------------------------------------
// Classify

/** What one answer (or its absence) means for the row. */
export interface Verdict {
  verdict: 'delivered' | 'retry' | 'failed';
  /** In words, for last_error and the logs. */
  reason: string;
  cxmlStatus?: number;
  /** From a Retry-After header: wait at least this long. */
  retryAfterMs?: number;
}

/**
 * A buyer's answer to a cXML document (cXML guide §2.4): delivered only on HTTP 2xx with a cXML
 * Status 2xx; a cXML 4xx is permanent (HTTP 200 or 4xx) and its text is the buyer's reason; HTTP
 * 5xx, a cXML 5xx, redirects and anything that is not a cXML answer are transport trouble and
 * retried.
 */
export function classifyCxmlAnswer(httpStatus: number, answer: string, location?: string | null): Verdict {
  if (httpStatus >= 300 && httpStatus < 400) return redirect(httpStatus, location);
  if (httpStatus >= 500) {
    const status = cxmlStatus(answer);
    return { verdict: 'retry', reason: `HTTP ${httpStatus}${status ? `: ${describeStatus(status)}` : ''}`, ...(status ? { cxmlStatus: status.code } : {}) };
  }
  const status = cxmlStatus(answer);
  if (!status) return { verdict: 'retry', reason: `HTTP ${httpStatus} without a cXML Status in the answer (${snippet(answer)})` };
  const range = Math.floor(status.code / 100);
  const base = { cxmlStatus: status.code };
  if (range === 4) return { ...base, verdict: 'failed', reason: `refused by the buyer: ${describeStatus(status)}` };
  if (range === 2 && httpStatus >= 200 && httpStatus < 300) return { ...base, verdict: 'delivered', reason: `HTTP ${httpStatus}, ${describeStatus(status)}` };
  if (range === 2) return { ...base, verdict: 'retry', reason: `HTTP ${httpStatus} contradicts its cXML ${describeStatus(status)}` };
  return { ...base, verdict: 'retry', reason: `HTTP ${httpStatus}, ${describeStatus(status)}` };
}

/** A webhook receiver's answer: 2xx delivered; 408, 429, 5xx and redirects retried; other 4xx permanent. */
export function classifyWebhookAnswer(httpStatus: number, answer: string, location?: string | null): Verdict {
  if (httpStatus >= 200 && httpStatus < 300) return { verdict: 'delivered', reason: `HTTP ${httpStatus}` };
  if (httpStatus >= 300 && httpStatus < 400) return redirect(httpStatus, location);
  const said = answer.trim() ? `: ${snippet(answer)}` : '';
  if (httpStatus >= 400 && httpStatus < 500 && httpStatus !== 408 && httpStatus !== 429) return { verdict: 'failed', reason: `refused by the receiver: HTTP ${httpStatus}${said}` };
  return { verdict: 'retry', reason: `HTTP ${httpStatus}${said}` };
}

/** Not followed: a document goes only to the address it was given (a redirect may be a moved endpoint). */
function redirect(httpStatus: number, location?: string | null): Verdict {
  return { verdict: 'retry', reason: `HTTP ${httpStatus} redirect${location ? ` to ${location}` : ''} not followed; if the endpoint moved, change the URL` };
}

/** The Status of a cXML answer; a Message without one means 200 (cXML guide §2.3). */
function cxmlStatus(answer: string): Status | undefined {
  try {
    const env = readCxml(answer).envelope;
    const payload = env.payload;
    if ('status' in payload && payload.status) return payload.status;
    if (payload.kind === 'PunchOutOrderMessage' || (payload.kind === 'Other' && payload.wrapper === 'Message')) return { code: 200, text: 'OK' };
    return undefined;
  } catch {
    return undefined;
  }
}

function describeStatus(s: Status): string {
  const detail = s.detail?.trim();
  return `cXML ${s.code} ${s.text}${detail ? ` — ${detail}` : ''}`;
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t === '') return 'empty body';
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

/** A transport failure (no answer) in words: timeouts and refused connections are told apart. */
export function describeTransportError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = e?.cause;
  if (cause?.code) return `network error: ${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return `network error: ${cause?.message ?? e?.message ?? String(err)}`;
}

// ---------------------------------------------------------------------------------------------
// Backoff

/**
 * Delay before the next attempt after `attempt` (1-based) failed: "full jitter" — a uniform
 * random time between 0 and min(maxDelayMs, baseDelayMs × 2^(attempt−1)) — so that many rows that
 * failed together (a buyer's outage) do not come back together.
 *
 * @example backoffDelayMs(3, { baseDelayMs: 1000, maxDelayMs: 60_000 }, Math.random) // 0 … 4000
 */
export function backoffDelayMs(attempt: number, settings: Pick<OutboxConfig, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now: Date): number | undefined {
  if (!header) return undefined;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

// ---------------------------------------------------------------------------------------------
// Deliver

export interface OutboxSecrets {
  /** A cXML connection's outbound SharedSecret in clear. Default: the sealed one, opened. */
  outboundSecret?(ctx: AppContext, connectionId: string): Promise<string | undefined> | string | undefined;
  /**
   * The key that signs a webhook row that names a signature header. Default: the sealed secret of
   * the hook named in the row's Koppel-Webhook-Id header, opened.
   */
  webhookSecret?(ctx: AppContext, row: OutboxRow): Promise<string | undefined> | string | undefined;
}

export interface DeliveryOptions {
  /** The worker that claimed the row (its lease). */
  owner: string;
  settings: Pick<OutboxConfig, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'requestTimeoutMs'>;
  secrets?: OutboxSecrets;
  /** Jitter source in [0, 1); injectable for tests. */
  random?: () => number;
}

export interface AttemptResult {
  /** The row's status after this attempt. */
  status: OutboxStatus;
  verdict: Verdict['verdict'];
  reason: string;
  httpStatus?: number;
  nextAttemptAt?: string;
  /** False when the row was taken over meanwhile and this outcome was not written. */
  recorded: boolean;
  /** Not sent and not counted as an attempt: the row waits (a disabled connection). */
  held?: boolean;
}

/** Rows not sent at all: a problem on our side that only a person can fix (failed) or that may pass (retry). */
class NotSent extends Error {
  constructor(
    readonly verdict: 'failed' | 'retry',
    message: string,
  ) {
    super(message);
  }
}

const USER_AGENT = 'Koppel outbox';

/**
 * One delivery attempt of a row this worker has claimed: prepare the exact request, POST it, judge
 * the answer, write the outcome to the row and the document log. Never throws for the row's sake;
 * an error of the store itself leaves the row leased, to be retried once the lease runs out.
 */
export async function deliverClaimed(ctx: AppContext, row: OutboxRow, options: DeliveryOptions): Promise<AttemptResult> {
  const { settings } = options;
  const held = await holdReason(ctx, row, settings.baseDelayMs);
  if (held) return hold(ctx, row, options, held);
  if (row.attempts > settings.maxAttempts) {
    // Only a row whose last attempt was interrupted gets here: whether the buyer got it is unknown.
    const reason = `the last of ${settings.maxAttempts} attempts was interrupted (its worker stopped); the buyer may or may not have received it`;
    return record(ctx, row, options, { verdict: 'failed', reason });
  }
  let request: { body: string; headers: Record<string, string> };
  try {
    request = await prepare(ctx, row, options.secrets ?? {});
  } catch (err) {
    const verdict: Verdict = err instanceof NotSent ? { verdict: err.verdict, reason: err.message } : { verdict: 'failed', reason: `cannot be sent: ${(err as Error).message}` };
    return record(ctx, row, options, verdict);
  }

  let httpStatus: number | undefined;
  let answer = '';
  let answerType = 'text/plain';
  let verdict: Verdict;
  try {
    const res = await fetch(row.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(settings.requestTimeoutMs),
    });
    httpStatus = res.status;
    answerType = res.headers.get('content-type') ?? 'text/plain';
    answer = await readAnswer(res, ctx.config.maxBodyBytes);
    const location = res.headers.get('location');
    verdict = row.kind === 'cxml' ? classifyCxmlAnswer(res.status, answer, location) : classifyWebhookAnswer(res.status, answer, location);
    const wait = retryAfterMs(res.headers.get('retry-after'), ctx.now());
    if (verdict.verdict === 'retry' && wait !== undefined) verdict.retryAfterMs = wait;
  } catch (err) {
    verdict = { verdict: 'retry', reason: httpStatus === undefined ? describeTransportError(err, settings.requestTimeoutMs) : `HTTP ${httpStatus}, answer not read: ${describeTransportError(err, settings.requestTimeoutMs)}` };
  }
  // Logged before the row changes: whoever sees the row settled finds the attempt in the log.
  const log = row.kind === 'cxml' ? (outcome: Outcome) => logAttempt(ctx, row, outcome, verdict, { httpStatus, answer, answerType }) : undefined;
  return record(ctx, row, options, verdict, httpStatus, log);
}

/**
 * Why a row must wait without being sent: a cXML document of a connection an admin disabled. A
 * disabled buyer's endpoint may be gone or may belong to someone else now; the document goes
 * once the connection is enabled again (or an admin deletes it), and waiting costs no attempt.
 */
async function holdReason(ctx: AppContext, row: OutboxRow, waitMs: number): Promise<string | undefined> {
  if (row.kind !== 'cxml' || !row.connection_id) return undefined;
  const connection = await getConnection(ctx, row.connection_id);
  if (!connection || connection.enabled) return undefined;
  return `held: connection ${row.connection_id} is disabled; the document is sent once the connection is enabled again (checked again every ${Math.max(1, Math.round(waitMs / 1000))} s)`;
}

/** Puts a held row back to pending, its attempt not counted, to be looked at again after baseDelayMs. */
async function hold(ctx: AppContext, row: OutboxRow, options: DeliveryOptions, reason: string): Promise<AttemptResult> {
  const nowDate = ctx.now();
  const now = iso(nowDate);
  const waitMs = options.settings.baseDelayMs;
  const nextAttemptAt = iso(new Date(nowDate.getTime() + waitMs));
  const r = await ctx.db
    .updateTable('outbox')
    .set({ status: 'pending', attempts: row.attempts - 1, lease_owner: null, lease_until: null, last_error: reason, next_attempt_at: nextAttemptAt, updated_at: now })
    .where('id', '=', row.id)
    .where('status', '=', 'sending')
    .where('lease_owner', '=', options.owner)
    .where('attempts', '=', row.attempts)
    .executeTakeFirst();
  const recorded = Number(r.numUpdatedRows) === 1;
  if (recorded) ctx.log.info({ outbox: row.id, connection: row.connection_id, nextAttemptAt }, `outbox: ${row.doc_type} ${reason}`);
  return { status: 'pending', verdict: 'retry', reason, nextAttemptAt, recorded, held: true };
}

async function prepare(ctx: AppContext, row: OutboxRow, secrets: OutboxSecrets): Promise<{ body: string; headers: Record<string, string> }> {
  const headers: Record<string, string> = { 'content-type': row.content_type, 'user-agent': USER_AGENT };
  if (row.kind === 'cxml') {
    let body = row.body;
    if (hasRedactedSecret(body)) {
      if (!row.connection_id) throw new NotSent('failed', 'the document needs a SharedSecret but names no connection to take it from');
      let secret: string | undefined;
      try {
        secret = await (secrets.outboundSecret ?? defaultOutboundSecret)(ctx, row.connection_id);
      } catch (err) {
        // E.g. this node has another KOPPEL_SECRET_KEY: another node (or a fixed one) may succeed.
        throw new NotSent('retry', `the outbound secret of connection ${row.connection_id} could not be opened: ${(err as Error).message}`);
      }
      if (secret === undefined) throw new NotSent('failed', `connection ${row.connection_id} has no outbound secret (or no longer exists); set it in the admin, then requeue the document`);
      body = restoreSecret(body, secret);
    }
    return { body, headers };
  }
  let extra: Record<string, string>;
  try {
    extra = JSON.parse(row.headers) as Record<string, string>;
  } catch {
    throw new NotSent('failed', 'the stored headers are not valid JSON');
  }
  Object.assign(headers, extra, { 'x-koppel-delivery': row.id });
  // A row queued for a subscription (emitOrderEvent) goes only while that subscription exists and is on.
  const hookId = Object.entries(extra).find(([name]) => name.toLowerCase() === WEBHOOK_ID_HEADER.toLowerCase())?.[1];
  let hookSecret: (() => string) | undefined;
  if (hookId !== undefined) {
    const hook = await webhookForDelivery(ctx, hookId);
    if (!hook) throw new NotSent('failed', `webhook ${hookId} was deleted; the event is not sent`);
    if (!hook.enabled) throw new NotSent('failed', `webhook ${hookId} is disabled; the event is not sent (enable the webhook before new events are queued for it)`);
    hookSecret = hook.openSecret;
  }
  if (row.signature_header) {
    let secret: string | undefined;
    try {
      secret = secrets.webhookSecret ? await secrets.webhookSecret(ctx, row) : hookSecret?.();
    } catch (err) {
      // E.g. this node has another KOPPEL_SECRET_KEY: another node (or a fixed one) may succeed.
      throw new NotSent('retry', `the signing secret of webhook ${hookId ?? '(none named)'} could not be opened: ${(err as Error).message}`);
    }
    if (!secret) throw new NotSent('failed', `no secret to sign the webhook with (${row.signature_header})`);
    headers[row.signature_header.toLowerCase()] = webhookSignature(secret, row.body, Math.floor(ctx.now().getTime() / 1000));
  }
  return { body: row.body, headers };
}

async function defaultOutboundSecret(ctx: AppContext, connectionId: string): Promise<string | undefined> {
  const connection = await getConnection(ctx, connectionId);
  return connection ? openOutboundSecret(ctx, connection) : undefined;
}

/**
 * The webhook signature header value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
 * The time inside the signed text lets a receiver refuse old replays.
 */
export function webhookSignature(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** The answer as text, at most `limit` bytes (a larger one is cut: only its start is judged and logged). */
async function readAnswer(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(Buffer.from(chunk));
    size += chunk.byteLength;
    if (size >= limit) break; // leaving the loop cancels the rest of the stream
  }
  const bytes = Buffer.concat(chunks).subarray(0, limit);
  try {
    return decodeXmlBytes(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

/** What an attempt leads to: the row's next status, the reason shown, and when to try again. */
interface Outcome {
  status: OutboxStatus;
  reason: string;
  nextAttemptAt?: string;
}

/** Writes the outcome into the row, only if this worker still holds this attempt; `log` runs just before. */
async function record(ctx: AppContext, row: OutboxRow, options: DeliveryOptions, verdict: Verdict, httpStatus?: number, log?: (outcome: Outcome) => Promise<void>): Promise<AttemptResult> {
  const { settings } = options;
  const nowDate = ctx.now();
  const now = iso(nowDate);
  let status: OutboxStatus;
  let reason = verdict.reason;
  let nextAttemptAt: string | undefined;
  if (verdict.verdict === 'delivered') status = 'delivered';
  else if (verdict.verdict === 'failed') status = 'failed';
  else if (row.attempts >= settings.maxAttempts) {
    status = 'failed';
    reason = `gave up after ${row.attempts} attempts; the last one: ${verdict.reason}`;
  } else {
    status = 'pending';
    const delay = Math.min(settings.maxDelayMs, Math.max(backoffDelayMs(row.attempts, settings, options.random ?? Math.random), verdict.retryAfterMs ?? 0));
    nextAttemptAt = iso(new Date(nowDate.getTime() + delay));
  }
  await log?.({ status, reason, ...(nextAttemptAt ? { nextAttemptAt } : {}) });
  const recorded = await ctx.db.transaction().execute(async (trx) => {
    const tctx = { ...ctx, db: trx };
    const r = await trx
    .updateTable('outbox')
    .set({
      status,
      lease_owner: null,
      lease_until: null,
      last_http_status: httpStatus ?? null,
      last_cxml_status: verdict.cxmlStatus ?? null,
      last_error: status === 'delivered' ? null : reason,
      ...(status === 'delivered' ? { delivered_at: now } : {}),
      ...(nextAttemptAt ? { next_attempt_at: nextAttemptAt } : {}),
      updated_at: now,
    })
    .where('id', '=', row.id)
    .where('status', '=', 'sending')
    .where('lease_owner', '=', options.owner)
    .where('attempts', '=', row.attempts)
    .executeTakeFirst();
    const done = Number(r.numUpdatedRows) === 1;
    // The order's history shows the outcome with the row's change (same transaction).
    // A finally failed order document stops counting in the same transaction (it says so itself).
    const handled = done && status === 'failed' && row.kind === 'cxml' && row.order_id ? await orderDocumentFailed(tctx, row.id, reason) : false;
    if (done && status !== 'pending' && !handled) await recordDeliveryEvent(tctx, row, status, reason);
    return done;
  });
  const fields = { outbox: row.id, kind: row.kind, docType: row.doc_type, payloadId: row.payload_id, url: row.url, attempt: row.attempts, status, httpStatus };
  if (!recorded) ctx.log.warn(fields, `outbox: lease lost before the outcome was written (${verdict.verdict}: ${reason}); another worker owns the row now`);
  else if (status === 'failed') ctx.log.error({ ...fields, reason }, `outbox: ${row.doc_type} to ${row.url} failed: ${reason}`);
  else if (status === 'pending') ctx.log.warn({ ...fields, reason, nextAttemptAt }, `outbox: ${row.doc_type} to ${row.url} not delivered (${reason}); next attempt at ${nextAttemptAt}`);
  else ctx.log.info(fields, `outbox: ${row.doc_type} delivered to ${row.url}`);
  return { status, verdict: verdict.verdict, reason, recorded, ...(httpStatus !== undefined ? { httpStatus } : {}), ...(nextAttemptAt ? { nextAttemptAt } : {}) };
}

/**
 * `document_delivered` / `document_failed` in the history of the order a cXML document belongs
 * to (webhooks are the shop's business, not the buyer's: their outcome stays on the outbox row).
 * Rows whose order_id names no stored order (tests, hand-queued documents) get no event.
 */
async function recordDeliveryEvent(ctx: AppContext, row: OutboxRow, status: OutboxStatus, reason: string): Promise<void> {
  if (row.kind !== 'cxml' || !row.order_id) return;
  const order = await ctx.db.selectFrom('orders').select('id').where('id', '=', row.order_id).executeTakeFirst();
  if (!order) return;
  const doc = await ctx.db.selectFrom('order_documents').select(['id', 'number']).where('outbox_id', '=', row.id).executeTakeFirst();
  const what = `${row.doc_type}${doc ? ` ${doc.number}` : ''}`;
  await recordOrderEvent(ctx, {
    orderId: order.id,
    kind: status === 'delivered' ? 'document_delivered' : 'document_failed',
    actor: { kind: 'system' },
    detail: status === 'delivered' ? `${what} delivered to ${row.url} (attempt ${row.attempts})` : `${what} not delivered: ${reason}`,
    documentId: doc?.id ?? null,
  });
}

/** The attempt and the buyer's answer in the document log; the body is the stored, redacted one. */
async function logAttempt(ctx: AppContext, row: OutboxRow, result: Outcome, verdict: Verdict, got: { httpStatus: number | undefined; answer: string; answerType: string }): Promise<void> {
  const base = { protocol: 'cxml', connectionId: row.connection_id, orderId: row.order_id } as const;
  const next = result.status === 'pending' ? `; next attempt at ${result.nextAttemptAt}` : result.status === 'failed' ? '; failed' : '';
  const outcome = `outbox attempt ${row.attempts}: ${result.status === 'delivered' ? `delivered (${verdict.reason})` : result.reason}${next}`;
  await logDocument(ctx, {
    ...base,
    direction: 'out',
    docType: row.doc_type,
    payloadId: row.payload_id,
    status: verdict.cxmlStatus ?? got.httpStatus ?? 'failed',
    detail: postedToDetail(row.url, outcome),
    contentType: row.content_type,
    body: row.body,
  });
  if (got.httpStatus === undefined) return;
  let answerPayloadId: string | null = null;
  let answerType = 'answer';
  try {
    const env = readCxml(got.answer).envelope;
    answerPayloadId = env.payloadID;
    answerType = payloadName(env.payload);
  } catch {
    // not cXML: logged as it came, cut to a readable size
  }
  const looksXml = /xml/i.test(got.answerType) || got.answer.trimStart().startsWith('<');
  await logDocument(ctx, {
    ...base,
    direction: 'in',
    docType: answerType,
    payloadId: answerPayloadId,
    status: verdict.cxmlStatus ?? got.httpStatus,
    detail: `answer to ${row.payload_id ?? row.id}`,
    contentType: got.answerType,
    body: looksXml ? redactXml(got.answer) : got.answer.slice(0, 100_000),
  });
}
