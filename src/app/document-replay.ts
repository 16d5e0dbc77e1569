/**
 * Acting on logged documents from the admin: replaying an inbound cXML request, resending an
 * outbound document, and finding the other half of a request/answer pair.
 *
 * Replay runs the stored request through the endpoint's own dispatch (`processAuthenticated`).
 * The stored copy has its SharedSecret redacted, so it can never authenticate again; the replay
 * is an admin's action instead, and every other check of the endpoint still applies (the From,
 * Sender and To identities must name the connection, which must be enabled). Only the secret is
 * taken on the admin's word.
 *
 * Resend posts an outbound document again, byte for byte the same body (same payloadID), to the
 * address it was delivered to. Documents delivered by Koppel over HTTP record that address in
 * their log detail as `posted to <url>` (see `postedToDetail`). Most outbound documents today are
 * not delivered that way: carts travel through the user's browser, and answers go back on the
 * buyer's own connection; neither can be sent again by the server, and the result says why.
 */
import type { Selectable } from 'kysely';
import { SaxesParser } from 'saxes';
import type { DocumentTable } from '../store/schema.js';
import type { Connection } from '../domain/connection.js';
import { anyIdentityMatches } from '../domain/connection.js';
import type { Envelope } from '../protocol/cxml/model.js';
import { readCxml } from '../protocol/cxml/reader.js';
import { escapeText } from '../protocol/cxml/xml-text.js';
import type { AppContext } from './context.js';
import { getConnection } from './connections.js';
import { processAuthenticated, replayNote } from './cxml-endpoint.js';
import { logDocument, redactXml } from './document-log.js';
import { audit } from './admin-users.js';

export type DocumentRow = Selectable<DocumentTable>;

export interface Actor {
  readonly id?: string;
  readonly username: string;
}

/** Requests the endpoint processes; anything else would only be refused (450) again. */
const REPLAYABLE = new Set(['ProfileRequest', 'PunchOutSetupRequest', 'OrderRequest']);

/** The log keeps this notice instead of a document that did not parse and may hold a secret. */
const WITHHELD = '[document not well-formed';

export async function getDocument(ctx: AppContext, id: string): Promise<DocumentRow | undefined> {
  return ctx.db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst();
}

// ---------------------------------------------------------------------------------------------
// Replay

export type ReplayCheck =
  | { ok: true; connection: Connection; envelope: Envelope; kind: string; warning?: string }
  | { ok: false; reason: string };

/** Whether a logged document can be replayed, and why not. Shared by the page and the action. */
export async function checkReplay(ctx: AppContext, doc: DocumentRow): Promise<ReplayCheck> {
  if (doc.direction !== 'in') {
    return { ok: false, reason: 'Only inbound documents can be replayed: this is a document Koppel sent. See "Resend" for documents Koppel delivered itself.' };
  }
  if (doc.protocol !== 'cxml') {
    return {
      ok: false,
      reason:
        "An OCI call has no replay: it comes from the buyer's user's browser, not from a server. It carries the user's login and a HOOK_URL that only that browser session can use, and what it starts is a person's shopping session. Ask the user to punch out again from the procurement system.",
    };
  }
  if (doc.body.startsWith(WITHHELD)) return { ok: false, reason: 'The document was not well-formed when it arrived, so its body was not stored; there is nothing to replay.' };
  if (!doc.connection_id) {
    return { ok: false, reason: 'No connection was identified when this document arrived (its From credentials matched none), so there is no buyer to replay it for. Fix the connection, then ask the buyer to send it again.' };
  }
  const connection = await getConnection(ctx, doc.connection_id);
  if (!connection) return { ok: false, reason: `The connection "${doc.connection_id}" no longer exists.` };
  if (!connection.enabled) return { ok: false, reason: `The connection "${connection.name}" is disabled; enable it before replaying its documents.` };
  let envelope: Envelope;
  try {
    envelope = readCxml(doc.body, { maxBytes: ctx.config.maxBodyBytes }).envelope;
  } catch (err) {
    return { ok: false, reason: `The stored document cannot be read: ${(err as Error).message}` };
  }
  const kind = envelope.payload.kind === 'Other' ? envelope.payload.name : envelope.payload.kind;
  if (!envelope.header) return { ok: false, reason: `The stored ${kind} has no Header; the endpoint would refuse it again.` };
  if (!REPLAYABLE.has(kind)) return { ok: false, reason: `${kind} is not processed by this Koppel (only ProfileRequest, PunchOutSetupRequest and OrderRequest); a replay would be refused again.` };
  // Every check of the endpoint but the secret: the document must still belong to this connection.
  const h = envelope.header;
  if (!anyIdentityMatches(h.from.credentials, connection.buyerIdentities)) {
    return { ok: false, reason: `The document's From credentials no longer match the connection "${connection.name}" (its identities were changed since).` };
  }
  if (!anyIdentityMatches(h.sender.credentials, connection.senderIdentities)) {
    return { ok: false, reason: `The document's Sender credential is not one the connection "${connection.name}" accepts.` };
  }
  if (connection.supplierIdentities.length > 0 && !anyIdentityMatches(h.to.credentials, connection.supplierIdentities)) {
    return { ok: false, reason: `The document's To credentials do not name this supplier as the connection "${connection.name}" expects.` };
  }
  const warning =
    doc.status === '401'
      ? 'When it arrived, this document was refused as not authenticated (401). A replay does not check the SharedSecret: replay it only if you know the buyer really sent it.'
      : undefined;
  return { ok: true, connection, envelope, kind, ...(warning ? { warning } : {}) };
}

export type ReplayResult =
  | { ok: true; kind: string; status: string; detail: string; requestDocumentId?: string; answerDocumentId?: string }
  | { ok: false; reason: string };

/**
 * Processes an inbound cXML document again as its connection, on an admin's behalf. An
 * OrderRequest is never stored twice (intake is idempotent by payloadID: the stored answer is
 * repeated); a PunchOutSetupRequest opens a new session. Logged and audited.
 */
export async function replayDocument(ctx: AppContext, actor: Actor, docId: string): Promise<ReplayResult> {
  const doc = await getDocument(ctx, docId);
  if (!doc) return { ok: false, reason: `There is no document ${docId}.` };
  const check = await checkReplay(ctx, doc);
  if (!check.ok) return check;
  const before = await lastSeq(ctx);
  const options = { replayOf: doc.id, by: actor.username };
  await processAuthenticated(ctx, check.connection, check.envelope, doc.body, options);
  const logged = await documentsNoted(ctx, before, check.connection.id, replayNote(options)!);
  const request = logged.find((d) => d.direction === 'in');
  const answer = logged.find((d) => d.direction === 'out');
  const status = request?.status ?? answer?.status ?? '?';
  const detail = stripNote(request?.detail ?? '');
  await audit(ctx, actor, 'document.replay', doc.id, `${check.kind} ${doc.payload_id ?? ''} replayed: answered ${status}${detail ? ` (${detail})` : ''}${request ? `; logged as ${request.id}` : ''}`);
  return { ok: true, kind: check.kind, status, detail, ...(request ? { requestDocumentId: request.id } : {}), ...(answer ? { answerDocumentId: answer.id } : {}) };
}

async function lastSeq(ctx: AppContext): Promise<number> {
  const row = await ctx.db.selectFrom('documents').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row ? Number(row.seq) : 0;
}

/** The documents just logged under a note (other traffic may have been logged in between). */
async function documentsNoted(ctx: AppContext, afterSeq: number, connectionId: string | null, note: string): Promise<DocumentRow[]> {
  let q = ctx.db.selectFrom('documents').selectAll().where('seq', '>', afterSeq).orderBy('seq', 'asc').limit(200);
  q = connectionId ? q.where('connection_id', '=', connectionId) : q.where('connection_id', 'is', null);
  return (await q.execute()).filter((d) => d.detail.startsWith(`${note}: `));
}

// ---------------------------------------------------------------------------------------------
// Resend

/** How an outbound document reached the buyer, which decides whether the server can send it again. */
export type Delivery =
  | { kind: 'inbound' }
  | { kind: 'browser' }
  | { kind: 'answer' }
  | { kind: 'http'; url: string }
  | { kind: 'unknown' };

const ANSWER_TYPES = new Set(['Response', 'ProfileResponse', 'PunchOutSetupResponse']);
/**
 * The delivery record `postedToDetail` writes: at the very start of the detail (after a replay or
 * resend note). Text elsewhere that merely says "posted to …" (an order number, the buyer's
 * answer) must never choose where a document, with the outbound secret put back, is sent.
 */
const POSTED_TO = /^posted to (\S+)/;

/** The log detail of a document Koppel posted to a URL itself; `resendDocument` reads the URL back. */
export function postedToDetail(url: string, extra = ''): string {
  return `posted to ${url}${extra ? `; ${extra}` : ''}`;
}

export function deliveryOf(doc: Pick<DocumentRow, 'direction' | 'protocol' | 'doc_type' | 'detail'>): Delivery {
  if (doc.direction === 'in') return { kind: 'inbound' };
  // OCI carts and FUNCTION answers, and cXML carts, are forms the user's browser posts.
  if (doc.protocol === 'oci' || doc.doc_type === 'PunchOutOrderMessage') return { kind: 'browser' };
  if (ANSWER_TYPES.has(doc.doc_type) || stripNote(doc.detail).startsWith('answer to ')) return { kind: 'answer' };
  const posted = POSTED_TO.exec(stripNote(doc.detail));
  const url = posted?.[1]!.replace(/[;,)]+$/, '');
  if (url !== undefined && isHttpUrl(url)) return { kind: 'http', url };
  return { kind: 'unknown' };
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** Why a document cannot be resent, in words for the page; undefined when it can. */
export function resendRefusal(delivery: Delivery): string | undefined {
  switch (delivery.kind) {
    case 'http':
      return undefined;
    case 'inbound':
      return 'Only documents Koppel sent can be resent; an inbound document can be replayed instead.';
    case 'browser':
      return "Cannot be resent: carried by the buyer's browser. Koppel handed this cart to the user's browser as a form, and only that browser session could post it to the procurement system; the buyer's system would not take it from the server. Ask the user to punch out again and transfer the cart.";
    case 'answer':
      return "Cannot be resent: an answer on the buyer's own connection. It went back on the HTTP connection the buyer's system opened, so there is no address to send it to. The buyer gets it again by sending its request again (an OrderRequest with the same payloadID gets the same answer).";
    case 'unknown':
      return 'Cannot be resent: no delivery address was recorded for this document.';
  }
}

export interface ResendOptions {
  /**
   * The connection's outbound SharedSecret, to put back into a body whose secret the log
   * redacted. Without it, such a document is not sent (the buyer would refuse it as 401).
   */
  outboundSecret?: (connection: Connection) => string | undefined | Promise<string | undefined>;
  /** Seconds to wait for the buyer's answer. */
  timeoutSeconds?: number;
}

export type ResendResult =
  | { ok: true; url: string; httpStatus: number; status: string; documentId?: string; answerDocumentId?: string }
  | { ok: false; reason: string };

/** Posts an outbound document again (same body, same payloadID) to where it was delivered. */
export async function resendDocument(ctx: AppContext, actor: Actor, docId: string, options: ResendOptions = {}): Promise<ResendResult> {
  const doc = await getDocument(ctx, docId);
  if (!doc) return { ok: false, reason: `There is no document ${docId}.` };
  const delivery = deliveryOf(doc);
  if (delivery.kind !== 'http') return { ok: false, reason: resendRefusal(delivery)! };
  if (doc.body.startsWith(WITHHELD)) return { ok: false, reason: 'The body of this document was not stored; there is nothing to resend.' };
  const connection = doc.connection_id ? await getConnection(ctx, doc.connection_id) : undefined;
  let body = doc.body;
  if (isXml(doc.content_type) && hasRedactedSecret(body)) {
    let secret: string | undefined;
    try {
      secret = connection ? await options.outboundSecret?.(connection) : undefined;
    } catch (err) {
      return { ok: false, reason: `Cannot be resent: the connection's outbound secret could not be opened (${(err as Error).message}).` };
    }
    if (!secret) return { ok: false, reason: "Cannot be resent: the log keeps this document with its SharedSecret redacted, and the connection has no outbound secret to put back; the buyer's system would refuse it. Set the connection's outbound secret first." };
    body = restoreSecret(body, secret);
  }

  const note = `resend of ${doc.id} by ${actor.username}`;
  const base = { protocol: doc.protocol, connectionId: doc.connection_id, sessionId: doc.session_id, orderId: doc.order_id } as const;
  let httpStatus = 0;
  let answer = '';
  let answerType = 'text/plain';
  let failure: string | undefined;
  try {
    const res = await fetch(delivery.url, {
      method: 'POST',
      headers: { 'content-type': doc.content_type.includes('charset') || !isXml(doc.content_type) ? doc.content_type : `${doc.content_type}; charset=utf-8` },
      body,
      redirect: 'manual', // a document goes only where it was addressed
      signal: AbortSignal.timeout((options.timeoutSeconds ?? 30) * 1000),
    });
    httpStatus = res.status;
    answerType = res.headers.get('content-type') ?? 'text/plain';
    answer = await res.text();
  } catch (err) {
    failure = (err as Error).message;
  }
  const status = failure ? 'failed' : cxmlStatusOf(answer) ?? String(httpStatus);
  const before = await lastSeq(ctx);
  // The stored copy stays the redacted one; the secret only ever travels on the wire.
  await logDocument(ctx, { ...base, direction: 'out', docType: doc.doc_type, payloadId: doc.payload_id, status, detail: `${note}: ${postedToDetail(delivery.url, failure ? `not delivered: ${failure}` : `HTTP ${httpStatus}`)}`, contentType: doc.content_type, body: doc.body });
  if (!failure) {
    await logDocument(ctx, { ...base, direction: 'in', docType: answerKind(answer), payloadId: null, status, detail: `${note}: answer to ${doc.payload_id ?? 'document'}`, contentType: answerType, body: isXml(answerType) || answer.trimStart().startsWith('<') ? redactXml(answer) : answer.slice(0, 100_000) });
  }
  const logged = await documentsNoted(ctx, before, doc.connection_id, note);
  const sent = logged.find((d) => d.direction === 'out');
  const got = logged.find((d) => d.direction === 'in');
  await audit(ctx, actor, 'document.resend', doc.id, failure ? `${doc.doc_type} ${doc.payload_id ?? ''} to ${delivery.url}: not delivered (${failure})` : `${doc.doc_type} ${doc.payload_id ?? ''} to ${delivery.url}: HTTP ${httpStatus}, status ${status}`);
  if (failure) return { ok: false, reason: `The buyer's system at ${delivery.url} could not be reached: ${failure}` };
  return { ok: true, url: delivery.url, httpStatus, status, ...(sent ? { documentId: sent.id } : {}), ...(got ? { answerDocumentId: got.id } : {}) };
}

function isXml(contentType: string): boolean {
  return /xml/i.test(contentType);
}

function cxmlStatusOf(text: string): string | undefined {
  try {
    const payload = readCxml(text).envelope.payload;
    return 'status' in payload && payload.status ? String(payload.status.code) : undefined;
  } catch {
    return undefined;
  }
}

function answerKind(text: string): string {
  try {
    const payload = readCxml(text).envelope.payload;
    return payload.kind === 'Status' ? 'Response' : payload.kind === 'Other' ? payload.name : payload.kind;
  } catch {
    return 'answer';
  }
}

/** SharedSecret elements whose text the log replaced, found by parser positions (never by regex). */
function secretRanges(xml: string): [number, number][] {
  const ranges: [number, number][] = [];
  const parser = new SaxesParser({ position: true });
  const open: number[] = [];
  parser.on('opentag', () => open.push(parser.position));
  parser.on('closetag', (tag) => {
    const start = open.pop();
    if (start === undefined || tag.isSelfClosing || tag.name !== 'SharedSecret') return;
    const end = xml.lastIndexOf('</', parser.position - 1); // position is past the '>'
    if (end >= start && xml.slice(start, end).trim() === '[redacted]') ranges.push([start, end]);
  });
  parser.on('error', () => undefined);
  try {
    parser.write(xml).close();
  } catch {
    return [];
  }
  return ranges;
}

/** True when the body has a SharedSecret the log redacted, which `restoreSecret` fills back in. Also used by the outbox. */
export function hasRedactedSecret(xml: string): boolean {
  return secretRanges(xml).length > 0;
}

/** The document with the connection's secret back where the log redacted it. */
export function restoreSecret(xml: string, secret: string): string {
  let out = '';
  let at = 0;
  for (const [start, end] of secretRanges(xml)) {
    out += xml.slice(at, start) + escapeText(secret);
    at = end;
  }
  return out + xml.slice(at);
}

// ---------------------------------------------------------------------------------------------
// Request / answer pairs

const NOTE = /^(?:replay|resend) of \S+ by \S+: /;

function noteOf(detail: string): string {
  return NOTE.exec(detail)?.[0] ?? '';
}

/** A logged detail without the "replay of … by …: " note in front. */
export function stripNote(detail: string): string {
  return detail.replace(NOTE, '');
}

/**
 * The other half of a request/answer pair: for a request, the answer logged after it on the same
 * connection (detail "answer to <payloadID>", or the same refusal); for an answer, its request.
 * `role` says what the other half is.
 */
export async function findPair(ctx: AppContext, doc: DocumentRow): Promise<{ doc: DocumentRow; role: 'answer' | 'request' } | undefined> {
  if (doc.protocol !== 'cxml') return undefined;
  const other = doc.direction === 'in' ? 'out' : 'in';
  const note = noteOf(doc.detail);
  const base = stripNote(doc.detail);
  const refused = Number(doc.status) >= 400;
  let q = ctx.db.selectFrom('documents').selectAll().where('direction', '=', other).where('protocol', '=', 'cxml');
  q = doc.connection_id ? q.where('connection_id', '=', doc.connection_id) : q.where('connection_id', 'is', null);
  const sameRefusal = (r: DocumentRow): boolean => refused && r.status === doc.status && stripNote(r.detail) === base;
  const isAnswer = base.startsWith('answer to ') || (doc.direction === 'out' && ANSWER_TYPES.has(doc.doc_type));
  if (isAnswer) {
    // Its request came just before it and carries the payloadID the answer names.
    const payloadId = base.startsWith('answer to ') ? base.slice('answer to '.length) : undefined;
    const rows = await q.where('seq', '<', doc.seq).orderBy('seq', 'desc').limit(20).execute();
    const request = rows.find((r) => noteOf(r.detail) === note && ((payloadId !== undefined && r.payload_id === payloadId) || sameRefusal(r)));
    return request ? { doc: request, role: 'request' } : undefined;
  }
  const rows = await q.where('seq', '>', doc.seq).orderBy('seq', 'asc').limit(20).execute();
  const answer = rows.find((r) => noteOf(r.detail) === note && ((doc.payload_id !== null && stripNote(r.detail) === `answer to ${doc.payload_id}`) || sameRefusal(r)));
  return answer ? { doc: answer, role: 'answer' } : undefined;
}
