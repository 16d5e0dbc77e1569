/**
 * `POST /cxml`: every cXML request a buyer sends. Reads the document (no DTD, no entities, no
 * network), finds the connection by the From credentials, checks the SharedSecret under Sender
 * in constant time, and dispatches. Business errors are answered with HTTP 200 and a cXML Status.
 *
 * Three steps: read → authenticate → dispatch. `processAuthenticated` is the dispatch step on its
 * own, for callers that already know the connection (an admin replaying a logged document, whose
 * stored SharedSecret is redacted and so could never authenticate again).
 */
import { CxmlError } from '../protocol/cxml/errors.js';
import { readCxml } from '../protocol/cxml/reader.js';
import { decodeXmlBytes } from '../protocol/cxml/read-xml.js';
import { writeProfileResponse, writePunchOutSetupResponse } from '../protocol/cxml/writer.js';
import { logInOut, statusAnswer, writeContext, type CxmlAnswer } from './cxml-answers.js';

export { statusAnswer } from './cxml-answers.js';
import type { Credential, Envelope, OrderRequest, ProfileRequest, PunchOutSetupRequest } from '../protocol/cxml/model.js';
import { anyIdentityMatches, sameIdentity, type Connection } from '../domain/connection.js';
import type { AppContext } from './context.js';
import { listConnections } from './connections.js';
import { verifySecretAsync } from './secrets.js';
import { connectionSecretMatches } from './connection-admin.js';
import { ipAllowed } from './ip-allow-list.js';
import { createSession, startUrl } from './punchout.js';
import { getProductsBySku } from './catalog.js';
import { priceFor } from './pricing.js';
import { dec } from '../protocol/money.js';
import { checkReturnUrl } from '../protocol/oci/inbound-call.js';
import { receiveOrder } from './orders.js';

/**
 * Handles one request. Pass the body as the bytes received: the reader decodes them as the
 * document says (byte order mark, XML declaration), so ISO-8859-1 and UTF-16 documents keep
 * every character. The document log stores the same text.
 */
export async function handleCxmlRequest(ctx: AppContext, input: string | Buffer, clientIp?: string): Promise<CxmlAnswer> {
  const body = typeof input === 'string' ? input : textForLog(input);
  const read = await readRequest(ctx, input, body);
  if (!read.ok) return read.answer;
  const envelope = read.envelope;
  const auth = await authenticate(ctx, envelope, clientIp);
  if (!auth.ok) return refuse(ctx, { code: auth.code, message: auth.message, docType: envelope.payload.kind, body, envelope, version: envelope.doctype?.version, connectionId: auth.connectionId });
  return processAuthenticated(ctx, auth.connection, envelope, body);
}

/** Why a request is processed other than as the buyer sent it; noted in the document log. */
export interface ProcessOptions {
  /** Id of the logged document being processed again. */
  readonly replayOf?: string;
  /** User name of the admin who asked for it. */
  readonly by?: string;
}

/** The note logged with every document of a replay: "replay of <doc id> by <user>". */
export function replayNote(options: ProcessOptions): string | undefined {
  return options.replayOf ? `replay of ${options.replayOf} by ${options.by ?? 'unknown'}` : undefined;
}

/**
 * Dispatch for a request whose connection is established: the buyer authenticated, or an admin
 * vouches for a logged document. Same code path and same answers as a request from the buyer.
 */
export async function processAuthenticated(ctx: AppContext, connection: Connection, envelope: Envelope, body: string, options: ProcessOptions = {}): Promise<CxmlAnswer> {
  const note = replayNote(options);
  const kind = envelope.payload.kind;
  switch (kind) {
    case 'ProfileRequest':
      return profile(ctx, connection, envelope as Envelope<ProfileRequest>, body, note);
    case 'PunchOutSetupRequest':
      return setup(ctx, connection, envelope as Envelope<PunchOutSetupRequest>, body, note);
    case 'OrderRequest':
      return receiveOrder(ctx, connection, envelope as Envelope<OrderRequest>, body, note);
    default: {
      const name = kind === 'Other' ? envelope.payload.name : kind;
      const message = envelope.header ? `${name} is not supported at this endpoint. Supported: ProfileRequest, PunchOutSetupRequest, OrderRequest.` : `This endpoint takes cXML requests (with a Header); got a ${name} without one.`;
      return refuse(ctx, { code: envelope.header ? 450 : 400, message, docType: name, body, envelope, version: connection.options.cxml.version, connectionId: connection.id, note });
    }
  }
}

/** Step one: the document is read and must be a request this endpoint takes. */
async function readRequest(ctx: AppContext, input: string | Buffer, body: string): Promise<{ ok: true; envelope: Envelope } | { ok: false; answer: CxmlAnswer }> {
  let envelope: Envelope;
  try {
    envelope = readCxml(input, { maxBytes: ctx.config.maxBodyBytes }).envelope;
  } catch (err) {
    const code = err instanceof CxmlError ? err.code : 406;
    const message = err instanceof CxmlError ? err.message : `The document could not be read: ${(err as Error).message}`;
    if (!(err instanceof CxmlError)) ctx.log.warn({ err }, 'unexpected error while reading a cXML document');
    return { ok: false, answer: await refuse(ctx, { code, message, docType: 'unreadable', body }) };
  }
  const version = envelope.doctype?.version;
  const kind = envelope.payload.kind;
  if (!envelope.header) {
    return { ok: false, answer: await refuse(ctx, { code: 400, message: `This endpoint takes cXML requests (with a Header); got a ${kind === 'Other' ? envelope.payload.name : kind} without one.`, docType: kind, body, envelope, version }) };
  }
  if (kind !== 'ProfileRequest' && kind !== 'PunchOutSetupRequest' && kind !== 'OrderRequest') {
    const name = kind === 'Other' ? envelope.payload.name : kind;
    return { ok: false, answer: await refuse(ctx, { code: 450, message: `${name} is not supported at this endpoint. Supported: ProfileRequest, PunchOutSetupRequest, OrderRequest.`, docType: name, body, envelope, version }) };
  }
  return { ok: true, envelope };
}

/** The document as text for the log; bytes that do not decode are kept one character per byte. */
function textForLog(bytes: Buffer): string {
  try {
    return decodeXmlBytes(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

type AuthResult = { ok: true; connection: Connection } | { ok: false; code: 401 | 403; message: string; connectionId?: string };

function describe(creds: readonly Credential[]): string {
  return creds.map((c) => `${c.domain}/${c.identity}`).join(', ') || '(none)';
}

/**
 * The buyer is found through any From credential; the SharedSecret counts only under Sender
 * (current secret, or the previous one during a rotation overlap), and To must name us. A
 * connection with an IP allow-list is not even tried from another address: its secret cannot
 * be guessed from outside the list. Failures are a 401 (credentials) or 403 (address, disabled)
 * that says which part did not match.
 */
/**
 * The SharedSecret of the Sender credential that names one of the connection's sender
 * identities. A secret on another credential of the Sender (or under From/To) does not count.
 */
function senderSecretFor(connection: Connection, senderCreds: readonly Credential[]): string | undefined {
  return senderCreds.find((s) => s.sharedSecret !== undefined && connection.senderIdentities.some((k) => sameIdentity(s, k)))?.sharedSecret;
}

async function authenticate(ctx: AppContext, envelope: Envelope, clientIp: string | undefined): Promise<AuthResult> {
  const key = `cxml:${clientIp ?? 'unknown'}`;
  const wait = ctx.authFailures.waitFor(key, ctx.now().getTime());
  if (wait > 0) {
    return { ok: false, code: 403, message: `Too many failed authentications from ${clientIp ?? 'this address'}; try again in ${Math.ceil(wait / 60_000)} minute(s).` };
  }
  const result = await checkCredentials(ctx, envelope, clientIp);
  if (result.ok) ctx.authFailures.succeed(key);
  else if (result.code === 401) ctx.authFailures.fail(key, ctx.now().getTime());
  return result;
}

async function checkCredentials(ctx: AppContext, envelope: Envelope, clientIp: string | undefined): Promise<AuthResult> {
  const header = envelope.header!;
  const candidates = (await listConnections(ctx, 'cxml')).filter((c) => anyIdentityMatches(header.from.credentials, c.buyerIdentities));
  const senderCreds = header.sender.credentials;
  const secret = senderCreds.find((c) => c.sharedSecret !== undefined)?.sharedSecret;
  if (candidates.length === 0) {
    await verifySecretAsync(secret ?? '', null); // same cost as a real check
    return { ok: false, code: 401, message: `No buyer connection matches the From credential(s) ${describe(header.from.credentials)}.` };
  }
  const bySender = candidates.filter((c) => senderCreds.some((s) => c.senderIdentities.some((k) => sameIdentity(s, k))));
  const reachable = bySender.filter((c) => ipAllowed(c.ipAllowList, clientIp));
  if (bySender.length > 0 && reachable.length === 0) {
    const first = bySender[0]!;
    return { ok: false, code: 403, message: `The connection "${first.name}" is not allowed from ${clientIp ?? 'an unknown address'}.`, connectionId: first.id };
  }
  if (reachable.length === 0) await verifySecretAsync(secret ?? '', null); // same cost as a real check
  for (const connection of reachable) {
    if (!(await connectionSecretMatches(ctx, connection, senderSecretFor(connection, senderCreds) ?? ''))) continue;
    if (!connection.enabled) return { ok: false, code: 403, message: `The connection "${connection.name}" is disabled.`, connectionId: connection.id };
    if (connection.supplierIdentities.length > 0 && !anyIdentityMatches(header.to.credentials, connection.supplierIdentities)) {
      return { ok: false, code: 401, message: `The To credential(s) ${describe(header.to.credentials)} do not name this supplier; expected ${describe(connection.supplierIdentities)}.`, connectionId: connection.id };
    }
    return { ok: true, connection };
  }
  const first = candidates[0]!;
  if (secret === undefined) return { ok: false, code: 401, message: `No SharedSecret under Sender ${describe(senderCreds)}.`, connectionId: first.id };
  return { ok: false, code: 401, message: `The Sender credential ${describe(senderCreds)} or its SharedSecret was not accepted.`, connectionId: first.id };
}

async function refuse(
  ctx: AppContext,
  r: { code: number; message: string; docType: string; body: string; envelope?: Envelope; version?: string | undefined; connectionId?: string | undefined; note?: string | undefined },
): Promise<CxmlAnswer> {
  const xml = statusAnswer(ctx, r.code, r.message, r.version);
  await logInOut(ctx, { docType: r.docType, requestBody: r.body, envelope: r.envelope, connectionId: r.connectionId, status: r.code, detail: r.message, answer: xml, answerType: 'Response', note: r.note });
  return { httpStatus: 200, xml };
}

async function profile(ctx: AppContext, connection: Connection, envelope: Envelope<ProfileRequest>, body: string, note?: string): Promise<CxmlAnswer> {
  const url = `${ctx.config.baseUrl}/cxml`;
  const xml = writeProfileResponse(writeContext(ctx, connection.options.cxml.version), {
    effectiveDate: ctx.now(),
    transactions: [
      { requestName: 'ProfileRequest', url },
      { requestName: 'PunchOutSetupRequest', url, options: [{ name: 'operationAllowed', value: 'create inspect edit' }] },
      { requestName: 'OrderRequest', url },
    ],
  });
  await logInOut(ctx, { docType: 'ProfileRequest', requestBody: body, envelope, connectionId: connection.id, status: 200, detail: 'profile sent', answer: xml, answerType: 'ProfileResponse', note });
  return { httpStatus: 200, xml };
}

/** A sender's value in a message, cut so that a hostile one cannot flood answers and logs. */
function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

async function setup(ctx: AppContext, connection: Connection, envelope: Envelope<PunchOutSetupRequest>, body: string, replay?: string): Promise<CxmlAnswer> {
  const req = envelope.payload;
  const version = connection.options.cxml.version;
  const no = (code: number, message: string) => refuse(ctx, { code, message, docType: 'PunchOutSetupRequest', body, envelope, version, connectionId: connection.id, note: replay });
  if (req.operation === 'source') return no(450, 'operation="source" (sourcing) is not supported; use create, edit or inspect.');
  if (!req.browserFormPostUrl) return no(400, 'BrowserFormPost/URL is missing: without it the cart can never be sent back.');
  const check = checkReturnUrl(req.browserFormPostUrl, [...connection.returnUrlPrefixes]);
  if (!check.ok) return no(400, `BrowserFormPost URL ${cut(req.browserFormPostUrl, 200)} is not allowed for this connection: ${check.reason}`);

  // edit / inspect: rebuild the earlier cart from the ItemOut lines, keyed by our aux IDs.
  const products = await getProductsBySku(ctx, req.itemOut.map((i) => i.itemID.supplierPartID));
  const lines = [];
  const unknown: string[] = [];
  const repriced: string[] = [];
  for (const item of req.itemOut) {
    const product = products.get(item.itemID.supplierPartID);
    if (!product) {
      unknown.push(item.itemID.supplierPartID);
      continue;
    }
    // The cart is rebuilt at the price this buyer gets today (its price list, else the catalog).
    // The price in the ItemOut came through the buyer's system, so it is never taken as ours;
    // a line whose earlier price differs is noted in the log.
    const current = await priceFor(ctx, connection, product);
    const earlier = item.itemDetail?.unitPrice;
    if (earlier && (earlier.currency.toUpperCase() !== current.currency.toUpperCase() || !earlier.amount.equals(current.price) || item.itemDetail?.priceBasisQuantity)) {
      repriced.push(item.itemID.supplierPartID);
    }
    const unitPrice = current.price;
    lines.push({ productId: product.id, quantity: item.quantity, unitPrice, currency: current.currency, ...(item.itemID.supplierPartAuxiliaryID ? { auxId: item.itemID.supplierPartAuxiliaryID } : {}) });
  }
  if (req.operation === 'create') lines.length = 0; // a create always starts with an empty cart
  const email = req.extrinsics.find((e) => /^(useremail|email)$/i.test(e.name))?.value ?? req.contacts.find((c) => c.email)?.email;
  const returnFrame = req.extrinsics.find((e) => e.name.toLowerCase() === 'returnframe')?.value.trim();
  const opened = await createSession(ctx, {
    connection,
    operation: req.operation,
    buyerCookie: req.buyerCookie,
    returnUrl: req.browserFormPostUrl,
    ...(returnFrame ? { returnTarget: returnFrame } : {}),
    context: {
      buyerCredentials: envelope.header!.from.credentials.map((c) => ({ domain: c.domain, identity: c.identity })),
      supplierCredentials: envelope.header!.to.credentials.map((c) => ({ domain: c.domain, identity: c.identity })),
      extrinsics: req.extrinsics,
      ...(req.contacts[0]?.name ? { contactName: req.contacts[0].name } : {}),
      ...(email ? { contactEmail: email } : {}),
      userAgent: envelope.header!.sender.userAgent,
      ...(req.shipTo ? { shipTo: req.shipTo } : {}),
      ...(req.selectedItem?.supplierPartID ? { selectedSku: req.selectedItem.supplierPartID } : {}),
      lang: envelope.lang ?? 'en-US',
    },
    deploymentMode: envelope.deploymentMode,
    setupPayloadId: envelope.payloadID,
    lines,
  });
  const wctx = writeContext(ctx, version);
  const xml = writePunchOutSetupResponse(wctx, { startPageUrl: startUrl(ctx, opened.startToken) });
  // The start URL is a one-time credential: the log keeps the same answer with the token hidden.
  const logged = writePunchOutSetupResponse(wctx, { startPageUrl: startUrl(ctx, '[redacted]') });
  const note = (unknown.length ? `; ${unknown.length} earlier line(s) not in the catalog any more: ${unknown.join(', ')}` : '') + (repriced.length && req.operation !== 'create' ? `; ${repriced.length} line(s) repriced to today's price for this buyer: ${repriced.join(', ')}` : '');
  await logInOut(ctx, { docType: 'PunchOutSetupRequest', requestBody: body, envelope, connectionId: connection.id, sessionId: opened.sessionId, status: 200, detail: `session opened (${req.operation})${note}`, answer: xml, loggedAnswer: logged, answerType: 'PunchOutSetupResponse', note: replay });
  return { httpStatus: 200, xml };
}
