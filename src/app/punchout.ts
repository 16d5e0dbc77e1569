/**
 * Punchout use cases: open a session (OCI login or cXML setup), redeem the single-use start
 * token, work on the session's cart, and send the cart back (transfer or cancel).
 */
import type { Selectable } from 'kysely';
import type { PunchoutSessionTable } from '../store/schema.js';
import { Decimal, dec, formatDecimal } from '../protocol/money.js';
import { cartTotal, lineTotal, type CartLine } from '../domain/cart.js';
import type { Connection } from '../domain/connection.js';
import { sessionProblem, type EchoField, type PunchoutSession, type SessionContext, type SessionProblem } from '../domain/punchout-session.js';
import { mapCxmlCart, mapOciCart, type CxmlMappedCart, type MappableLine, type MappedCart } from '../domain/cart-mapping.js';
import { lintCart, type LintContext, type LintFinding } from '../domain/cart-lint.js';
import { buildOciCartForm, OciCartError, type OciCartForm } from '../protocol/oci/cart-form.js';
import { writePunchOutOrderMessage, toBase64Field, toUrlencodedFieldValue } from '../protocol/cxml/writer.js';
import { newPayloadId } from '../protocol/cxml/payload-id.js';
import type { Header } from '../protocol/cxml/model.js';
import { iso, type AppContext } from './context.js';
import { digestToken } from './secrets.js';
import { cartProduct, getProduct } from './catalog.js';
import { getConnection } from './connections.js';
import { logDocument } from './document-log.js';
import { priceFor } from './pricing.js';

export interface NewSession {
  connection: Connection;
  operation: 'create' | 'edit' | 'inspect';
  buyerCookie?: string;
  returnUrl: string;
  returnTarget?: string;
  echoFields?: EchoField[];
  context: SessionContext;
  deploymentMode?: string;
  setupPayloadId?: string;
  /** Lines to start with (cXML edit/inspect: the earlier cart). */
  lines?: { productId: string; quantity: Decimal; unitPrice: Decimal; currency: string; auxId?: string }[];
}

export interface OpenedSession {
  sessionId: string;
  /** Single-use token for the start URL; only its digest is stored. */
  startToken: string;
}

export function startUrl(ctx: AppContext, startToken: string): string {
  return `${ctx.config.baseUrl}/punchout/start/${startToken}`;
}

export async function createSession(ctx: AppContext, input: NewSession): Promise<OpenedSession> {
  const now = ctx.now();
  const sessionId = ctx.token(24);
  const startToken = ctx.token(32);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('punchout_sessions')
      .values({
        id: sessionId,
        connection_id: input.connection.id,
        protocol: input.connection.protocol,
        operation: input.operation,
        status: 'pending',
        start_token_hash: digestToken(startToken),
        start_expires_at: iso(new Date(now.getTime() + ctx.config.startTokenTtlSeconds * 1000)),
        expires_at: iso(new Date(now.getTime() + ctx.config.sessionTtlSeconds * 1000)),
        buyer_cookie: input.buyerCookie ?? null,
        return_url: input.returnUrl,
        return_target: input.returnTarget ?? null,
        echo_fields: JSON.stringify(input.echoFields ?? []),
        context: JSON.stringify(input.context),
        deployment_mode: input.deploymentMode ?? 'production',
        setup_payload_id: input.setupPayloadId ?? null,
        created_at: iso(now),
        opened_at: null,
        closed_at: null,
      })
      .execute();
    let position = 0;
    for (const line of input.lines ?? []) {
      position += 1;
      await trx
        .insertInto('cart_lines')
        .values({
          id: ctx.token(12),
          session_id: sessionId,
          product_id: line.productId,
          position,
          quantity: formatDecimal(line.quantity),
          unit_price: formatDecimal(line.unitPrice),
          currency: line.currency,
          aux_id: line.auxId ?? ctx.token(9),
          created_at: iso(now),
        })
        .execute();
    }
  });
  return { sessionId, startToken };
}

export type StartResult = { ok: true; sessionId: string } | { ok: false; message: string };

/**
 * Redeems a start token: valid once, until it expires. The update is conditional on the token
 * still being there, so two simultaneous uses cannot both win.
 */
export async function redeemStartToken(ctx: AppContext, token: string): Promise<StartResult> {
  const hash = digestToken(token);
  const now = ctx.now();
  const row = await ctx.db.selectFrom('punchout_sessions').select(['id', 'start_expires_at', 'status']).where('start_token_hash', '=', hash).executeTakeFirst();
  if (!row) return { ok: false, message: 'This start link is not valid or has already been used. Start the punchout again from your purchasing system.' };
  if (new Date(row.start_expires_at).getTime() <= now.getTime()) {
    await ctx.db.updateTable('punchout_sessions').set({ start_token_hash: null }).where('id', '=', row.id).execute();
    return { ok: false, message: 'This start link has expired. Start the punchout again from your purchasing system.' };
  }
  const result = await ctx.db
    .updateTable('punchout_sessions')
    .set({ start_token_hash: null, status: 'open', opened_at: iso(now) })
    .where('id', '=', row.id)
    .where('start_token_hash', '=', hash)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return { ok: false, message: 'This start link has already been used. Start the punchout again from your purchasing system.' };
  return { ok: true, sessionId: row.id };
}

function sessionFromRow(row: Selectable<PunchoutSessionTable>): PunchoutSession {
  return {
    id: row.id,
    connectionId: row.connection_id,
    protocol: row.protocol,
    operation: row.operation as PunchoutSession['operation'],
    status: row.status,
    buyerCookie: row.buyer_cookie,
    returnUrl: row.return_url,
    returnTarget: row.return_target,
    echoFields: JSON.parse(row.echo_fields) as EchoField[],
    context: JSON.parse(row.context) as SessionContext,
    deploymentMode: row.deployment_mode,
    expiresAt: row.expires_at,
  };
}

export interface ActiveSession {
  session: PunchoutSession;
  connection: Connection;
}

export type SessionLookup = { ok: true; value: ActiveSession } | { ok: false; problem: SessionProblem };

export async function findActiveSession(ctx: AppContext, sessionId: string): Promise<SessionLookup> {
  const row = await ctx.db.selectFrom('punchout_sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
  const session = row ? sessionFromRow(row) : undefined;
  const problem = sessionProblem(session, ctx.now());
  if (problem || !session) return { ok: false, problem: problem ?? { kind: 'unknown', message: 'This punchout session does not exist.' } };
  const connection = await getConnection(ctx, session.connectionId);
  if (!connection || !connection.enabled) return { ok: false, problem: { kind: 'closed', message: 'The connection of this punchout session is disabled.' } };
  return { ok: true, value: { session, connection } };
}

export async function cartLines(ctx: AppContext, sessionId: string): Promise<CartLine[]> {
  const rows = await ctx.db
    .selectFrom('cart_lines')
    .innerJoin('products', 'products.id', 'cart_lines.product_id')
    .selectAll('products')
    .select(['cart_lines.id as line_id', 'cart_lines.position', 'cart_lines.quantity', 'cart_lines.unit_price', 'cart_lines.currency as line_currency', 'cart_lines.aux_id'])
    .where('cart_lines.session_id', '=', sessionId)
    .orderBy('cart_lines.position')
    .execute();
  return rows.map((r) => ({
    id: r.line_id,
    position: Number(r.position),
    product: cartProduct(r),
    quantity: dec(r.quantity),
    unitPrice: dec(r.unit_price),
    currency: r.line_currency,
    auxId: r.aux_id,
  }));
}

export type CartChange = { ok: true; message: string } | { ok: false; message: string };

function readOnly(active: ActiveSession): CartChange | undefined {
  return active.session.operation === 'inspect' ? { ok: false, message: 'This cart is open for inspection only and cannot be changed.' } : undefined;
}

/** Adds a product; adding one that is already in the cart raises its quantity. */
export async function addToCart(ctx: AppContext, active: ActiveSession, productId: string, quantity: Decimal): Promise<CartChange> {
  const blocked = readOnly(active);
  if (blocked) return blocked;
  const product = await getProduct(ctx, productId);
  if (!product) return { ok: false, message: 'That product does not exist (any more).' };
  // The line keeps the price this buyer was shown (its price list, else the catalog).
  const price = await priceFor(ctx, active.connection, product);
  const sessionId = active.session.id;
  await ctx.db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('cart_lines').select(['id', 'quantity']).where('session_id', '=', sessionId).where('product_id', '=', productId).executeTakeFirst();
    if (existing) {
      await trx.updateTable('cart_lines').set({ quantity: formatDecimal(dec(existing.quantity).plus(quantity)) }).where('id', '=', existing.id).execute();
      return;
    }
    const last = await trx.selectFrom('cart_lines').select('position').where('session_id', '=', sessionId).orderBy('position', 'desc').limit(1).executeTakeFirst();
    await trx
      .insertInto('cart_lines')
      .values({
        id: ctx.token(12),
        session_id: sessionId,
        product_id: productId,
        position: (last ? Number(last.position) : 0) + 1,
        quantity: formatDecimal(quantity),
        unit_price: formatDecimal(price.price),
        currency: price.currency,
        aux_id: ctx.token(9),
        created_at: iso(ctx.now()),
      })
      .execute();
  });
  return { ok: true, message: `Added ${quantity.toString()} × ${product.name} to the cart.` };
}

export async function updateCartLine(ctx: AppContext, active: ActiveSession, lineId: string, quantity: Decimal): Promise<CartChange> {
  const blocked = readOnly(active);
  if (blocked) return blocked;
  const r = await ctx.db.updateTable('cart_lines').set({ quantity: formatDecimal(quantity) }).where('id', '=', lineId).where('session_id', '=', active.session.id).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1 ? { ok: true, message: 'Quantity updated.' } : { ok: false, message: 'That cart line does not exist.' };
}

export async function removeCartLine(ctx: AppContext, active: ActiveSession, lineId: string): Promise<CartChange> {
  const blocked = readOnly(active);
  if (blocked) return blocked;
  const r = await ctx.db.deleteFrom('cart_lines').where('id', '=', lineId).where('session_id', '=', active.session.id).executeTakeFirst();
  return Number(r.numDeletedRows) === 1 ? { ok: true, message: 'Removed from the cart.' } : { ok: false, message: 'That cart line does not exist.' };
}

/** What the browser must post back to the buyer: an OCI form or a cXML cart form. */
export type ReturnForm =
  | { kind: 'oci'; form: OciCartForm }
  | { kind: 'cxml'; action: string; target: string; fieldName: string; fieldValue: string; documentXml: string };

export type TransferResult = { ok: true; form: ReturnForm; lines: number } | { ok: false; problems: string[] };

/** The parts of a session that shape the cart sent back (the admin preview supplies a stand-in). */
export type ReturnSession = Pick<PunchoutSession, 'protocol' | 'operation' | 'buyerCookie' | 'returnUrl' | 'returnTarget' | 'echoFields' | 'context' | 'deploymentMode'>;

/** A cart mapped, written and linted for the buyer: exactly what a transfer would send. */
export interface PreparedReturn {
  readonly mapped: MappedCart;
  /** Blocks first; a block stops a real transfer. */
  readonly findings: LintFinding[];
  /** Absent when the buyer's format cannot carry the cart (a block finding says why). */
  readonly form?: ReturnForm;
}

/**
 * Maps the lines through the connection's options (cart-mapping.ts), writes the OCI form or the
 * PunchOutOrderMessage, and lints the result (cart-lint.ts). Used by the transfer and by the
 * admin preview, so the preview shows what a transfer sends.
 */
export function prepareReturn(ctx: AppContext, connection: Connection, session: ReturnSession, lines: readonly MappableLine[], mode: 'transfer' | 'cancel'): PreparedReturn {
  const options = connection.options;
  if (session.protocol === 'oci') {
    const vendor = session.context.ociVendor;
    const mapped = mapOciCart({ options, lines, ...(vendor !== undefined ? { vendor } : {}) });
    const lint: { -readonly [K in keyof LintContext]: LintContext[K] } = {};
    let form: ReturnForm | undefined;
    try {
      const built = buildOciCartForm([...mapped.lines], {
        hookUrl: session.returnUrl,
        target: session.returnTarget ?? '_top',
        echo: [...session.echoFields],
        charset: options.oci.charset,
        emitEmptyFields: options.oci.emitEmptyFields,
        maxPriceDecimals: options.oci.maxPriceDecimals,
      });
      form = { kind: 'oci', form: built };
      lint.ociForm = built;
      lint.transportBytes = new URLSearchParams(built.fields.map((f): [string, string] => [f.name, f.value])).toString().length;
    } catch (err) {
      lint.writeError = err instanceof OciCartError ? { message: err.message, line: err.line, field: err.field } : { message: (err as Error).message };
    }
    return { mapped, findings: lintCart(mapped, lint), ...(form ? { form } : {}) };
  }
  const mapped = mapCxmlCart({ options, lines, lang: session.context.lang ?? 'en-US' });
  try {
    const form = cxmlReturn(ctx, connection, session, mapped, mode);
    const documentBytes = Buffer.byteLength(form.documentXml, 'utf8');
    return { mapped, findings: lintCart(mapped, { transportBytes: Buffer.byteLength(form.fieldValue, 'utf8'), documentBytes }), form };
  } catch (err) {
    return { mapped, findings: lintCart(mapped, { writeError: { message: (err as Error).message } }) };
  }
}

/** Sends the cart back: builds the return form, logs the document, and ends the session. */
export async function transferCart(ctx: AppContext, active: ActiveSession, mode: 'transfer' | 'cancel'): Promise<TransferResult> {
  const { session, connection } = active;
  const lines = mode === 'cancel' ? [] : await cartLines(ctx, session.id);
  if (mode === 'transfer' && session.operation === 'inspect') return { ok: false, problems: ['This cart is open for inspection only; use "Cancel punchout" to return.'] };
  const prepared = prepareReturn(ctx, connection, session, lines, mode);
  // The same lint as the preview: a line the buyer would drop stops the transfer, naming the product.
  const blocks = prepared.findings.filter((f) => f.severity === 'block');
  if (mode === 'transfer' && blocks.length > 0) {
    ctx.log.info({ sessionId: session.id, problems: blocks.length }, 'cart transfer blocked by the lint');
    return { ok: false, problems: blocks.map((f) => f.message) };
  }
  const form = prepared.form;
  if (!form) {
    ctx.log.warn({ sessionId: session.id, problems: blocks.map((f) => f.message) }, 'cart could not be written for the buyer');
    return { ok: false, problems: blocks.length > 0 ? blocks.map((f) => f.message) : ["The cart cannot be sent in this buyer's format."] };
  }
  // Close first: if two tabs press "Transfer cart" at once, only one gets the form.
  const closed = await ctx.db
    .updateTable('punchout_sessions')
    .set({ status: mode === 'cancel' ? 'cancelled' : 'transferred', closed_at: iso(ctx.now()) })
    .where('id', '=', session.id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (Number(closed.numUpdatedRows) !== 1) return { ok: false, problems: ['This punchout session has already ended.'] };
  if (form.kind === 'oci') {
    await logDocument(ctx, {
      direction: 'out',
      protocol: 'oci',
      docType: mode === 'cancel' ? 'OCI cart (cancel)' : 'OCI cart',
      connectionId: connection.id,
      sessionId: session.id,
      status: 'sent',
      detail: `${lines.length} line(s) to ${form.form.action}${form.form.truncations.length ? `; ${form.form.truncations.length} value(s) cut to OCI lengths` : ''}`,
      contentType: 'application/json',
      body: JSON.stringify({ action: form.form.action, target: form.form.target, acceptCharset: form.form.acceptCharset, fields: form.form.fields, truncations: form.form.truncations, warnings: form.form.warnings }, null, 2),
    });
  } else {
    await logDocument(ctx, {
      direction: 'out',
      protocol: 'cxml',
      docType: 'PunchOutOrderMessage',
      connectionId: connection.id,
      sessionId: session.id,
      status: mode === 'cancel' ? 'cancel' : 'sent',
      detail: `${lines.length} line(s) to ${form.action} as ${form.fieldName}`,
      contentType: 'text/xml',
      body: form.documentXml,
    });
  }
  return { ok: true, form, lines: lines.length };
}

function cxmlReturn(ctx: AppContext, connection: Connection, session: ReturnSession, mapped: CxmlMappedCart, mode: 'transfer' | 'cancel'): ReturnForm & { kind: 'cxml' } {
  const lang = session.context.lang ?? 'en-US';
  const supplier = session.context.supplierCredentials?.length ? session.context.supplierCredentials : connection.supplierIdentities;
  const buyer = session.context.buyerCredentials?.length ? session.context.buyerCredentials : connection.buyerIdentities;
  // The cart travels through the user's browser, so it never carries a SharedSecret.
  const header: Header = {
    from: { credentials: supplier.map((c) => ({ domain: c.domain, identity: c.identity })) },
    to: { credentials: buyer.map((c) => ({ domain: c.domain, identity: c.identity })) },
    sender: { credentials: supplier.slice(0, 1).map((c) => ({ domain: c.domain, identity: c.identity })), userAgent: 'Koppel' },
  };
  const now = ctx.now();
  const cancelEdit = mode === 'cancel' && session.operation === 'edit';
  const xml = writePunchOutOrderMessage(
    { payloadID: newPayloadId(hostOf(ctx.config.baseUrl), now, () => ctx.token(9)), timestamp: now, version: connection.options.cxml.version, lang },
    header,
    {
      buyerCookie: session.buyerCookie ?? '',
      operationAllowed: 'edit',
      total: mapped.header.total,
      ...(mapped.header.shipping ? { shipping: mapped.header.shipping } : {}),
      ...(mapped.header.tax ? { tax: mapped.header.tax } : {}),
      items: mapped.items,
      // After an edit, an empty cart would delete the buyer's lines; 204 means "no change".
      ...(cancelEdit ? { status: { code: 204, text: 'No Content' } } : {}),
      deploymentMode: session.deploymentMode === 'test' ? 'test' : 'production',
    },
  );
  const fieldName = connection.options.cxml.formField;
  const target = session.returnTarget ?? connection.options.cxml.defaultTarget;
  return {
    kind: 'cxml',
    action: session.returnUrl,
    target,
    fieldName,
    fieldValue: fieldName.toLowerCase() === 'cxml-urlencoded' ? toUrlencodedFieldValue(xml) : toBase64Field(xml),
    documentXml: xml,
  };
}

export function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).hostname || 'koppel.local';
  } catch {
    return 'koppel.local';
  }
}

/** Cart figures for the storefront header. */
export function cartSummary(lines: readonly CartLine[]): { count: number; total: Decimal; currency: string } {
  const currency = lines[0]?.currency ?? 'EUR';
  return { count: lines.length, total: cartTotal(lines, currency), currency };
}

export { lineTotal };
