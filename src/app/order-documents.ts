/**
 * Documents back to the buyer for a stored order: confirmation, ship notice, invoice, credit memo.
 * Each is checked against the order and the documents before it, written by the protocol core,
 * stored with its number, queued in the outbox and reflected in the order's state and line
 * figures — all in one transaction.
 *
 * Flow of every create*: lock the order (PostgreSQL `FOR UPDATE`; SQLite has one writer), load
 * its lines and earlier documents, collect every problem (nothing is stored when there is one),
 * draw the number, write the cXML, check the buyer's size limits, enqueue, store, update the
 * figures and the status, record the event. A problem found after the number was drawn (the
 * writer refusing, the size limit) rolls the whole transaction back, the counter included.
 *
 * Versions: a connection's cXML version is the one its buyer speaks, but the document families
 * started later than cXML.dtd (Fulfill.dtd is only at hand from 1.2.063, InvoiceDetail.dtd from
 * 1.2.020). A document for an older buyer is written at the lowest version that has its family
 * (`documentVersion`), so its DOCTYPE names a DTD that exists and it validates; newer buyers get
 * their own version.
 */
import { Decimal } from 'decimal.js';
import type { Selectable } from 'kysely';
import type { Connection } from '../domain/connection.js';
import type { Header } from '../protocol/cxml/model.js';
import type { DateInput } from '../protocol/cxml/write-types.js';
import { CxmlWriteError, compareCxmlVersions } from '../protocol/cxml/write-parts.js';
import {
  writeConfirmationRequest,
  writeShipNoticeRequest,
  type ConfirmationInput,
  type ConfirmationItemInput,
  type ConfirmationStatusInput,
  type DocumentFamilyFile,
  type OrderReferenceInput,
  type ShipNoticeInput,
} from '../protocol/cxml/fulfil.js';
import { invoiceTotals, writeInvoiceDetailRequest, type InvoiceInput, type InvoiceLineInput, type InvoiceTotals } from '../protocol/cxml/invoice.js';
import { checkConfirmation, checkInvoicedQuantities, checkShipNotice, checkSizeLimits, type OrderedLine, type ShipmentLines } from '../protocol/cxml/fulfil-rules.js';
import { formatDecimal, formatMoney, minorUnits } from '../protocol/money.js';
import type { OrderDocumentTable, OrderLineTable, OrderTable } from '../store/schema.js';
import { enqueue, OutboxInputError, requeueFailed } from '../jobs/outbox.js';
import { iso, type AppContext } from './context.js';
import { writeContext } from './cxml-answers.js';
import { getConnection } from './connections.js';
import { nextDocumentNumber } from './document-numbers.js';
import { recordOrderEvent } from './order-events.js';
import {
  FINAL_STATUSES,
  actorText,
  type Actor,
  type ConfirmationRequestInput,
  type CreateDocumentResult,
  type CreditMemoRequestInput,
  type DocumentKind,
  type InvoiceRequestInput,
  type OrderEventKind,
  type OrderStatus,
  type ShipNoticeRequestInput,
} from './order-model.js';

// ---- the status rule (pure) --------------------------------------------------------------------

/** What a line's figures say, as decimals in the line's unit. */
export interface LineFigures {
  readonly quantity: Decimal;
  readonly confirmed: Decimal;
  readonly rejected: Decimal;
  readonly shipped: Decimal;
  readonly invoiced: Decimal;
}

/**
 * The order's state from its line figures. What is rejected is no longer owed, so a line is
 * shipped/invoiced once `quantity − rejected` is. Invoiced beats shipped as soon as anything is
 * invoiced (the state shows the furthest step reached); a final state stays as it is.
 */
export function orderStatusFromLines(lines: readonly LineFigures[], current: OrderStatus): OrderStatus {
  if (FINAL_STATUSES.includes(current)) return current;
  if (lines.length === 0) return current;
  const owed = lines.map((l) => Decimal.max(l.quantity.minus(l.rejected), 0));
  if (owed.every((o) => o.isZero())) return 'rejected';
  const all = (pick: (l: LineFigures) => Decimal) => lines.every((l, i) => pick(l).gte(owed[i]!));
  const any = (pick: (l: LineFigures) => Decimal) => lines.some((l) => pick(l).gt(0));
  if (any((l) => l.invoiced)) return all((l) => l.invoiced) ? 'invoiced' : 'partly_invoiced';
  if (any((l) => l.shipped)) return all((l) => l.shipped) ? 'shipped' : 'partly_shipped';
  if (any((l) => l.confirmed) || any((l) => l.rejected)) return 'confirmed';
  return 'received';
}

// ---- versions ----------------------------------------------------------------------------------

/** Lowest DTD version at hand that has each document family (shared/dtd). */
export const FAMILY_SINCE: Readonly<Record<DocumentFamilyFile, string>> = {
  'Fulfill.dtd': '1.2.063',
  'InvoiceDetail.dtd': '1.2.020',
};

/** The version a document of `family` is written at for a buyer configured at `configured`. */
export function documentVersion(configured: string, family: DocumentFamilyFile): string {
  const since = FAMILY_SINCE[family];
  return compareCxmlVersions(configured, since) < 0 ? since : configured;
}

// ---- shared plumbing ---------------------------------------------------------------------------

/** The outbox puts the connection's sealed outbound secret here at send time; this text is never sent. */
const SECRET_PLACEHOLDER = 'set-by-outbox';

type OrderRow = Selectable<OrderTable>;
type LineRow = Selectable<OrderLineTable>;
type DocumentRow = Selectable<OrderDocumentTable>;

interface Loaded {
  readonly order: OrderRow;
  readonly lines: readonly LineRow[];
  readonly connection: Connection;
  readonly documents: readonly DocumentRow[];
  /** `YYYY-MM-DD` (UTC) of ctx.now(). */
  readonly today: string;
}

/** Problems found after the transaction started: thrown to roll it back, returned to the caller. */
class Refused extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

/** A document ready to be numbered and written. */
interface Plan {
  readonly kind: DocumentKind;
  readonly family: DocumentFamilyFile;
  readonly event: OrderEventKind;
  /** Lines in the document (for the buyer's line limit). */
  readonly lineCount: number;
  write(number: string, env: { ctx: ReturnType<typeof writeContext>; header: Header; order: OrderReferenceInput; deploymentMode: 'production' | 'test' | undefined }): { xml: string; totals?: Record<string, unknown> };
  /** What the document says, stored as JSON (number added by the caller). */
  readonly input: Record<string, unknown>;
  /** New figures per line id (only lines that change). */
  readonly figures: ReadonlyMap<string, Partial<Record<'confirmed_quantity' | 'rejected_quantity' | 'shipped_quantity' | 'invoiced_quantity' | 'invoiced_amount', Decimal>>>;
  /** Set for a status the figures alone do not express. */
  readonly status?: OrderStatus;
  readonly detail: string;
}

const dec = (text: string | null | undefined): Decimal => new Decimal(text && text.trim() !== '' ? text : '0');

const DECIMAL = /^\d+(\.\d+)?$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A plain decimal > 0 from text, or a problem. */
function positive(text: string | undefined, what: string, problems: string[]): Decimal | undefined {
  const t = (text ?? '').trim();
  if (!DECIMAL.test(t)) {
    problems.push(`${what}: "${text ?? ''}" is not a number (write it like 2 or 2.5)`);
    return undefined;
  }
  const d = new Decimal(t);
  if (d.isZero()) {
    problems.push(`${what} must be more than 0`);
    return undefined;
  }
  return d;
}

/** A real calendar day `YYYY-MM-DD`, or a problem. */
function day(text: string | undefined, what: string, problems: string[]): string | undefined {
  if (text === undefined) return undefined;
  const m = DAY.exec(text.trim());
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !d || d.toISOString().slice(0, 10) !== text.trim()) {
    problems.push(`${what}: "${text}" is not a date (write it as YYYY-MM-DD)`);
    return undefined;
  }
  return text.trim();
}

function comments(text: string | undefined): { text: string }[] | undefined {
  return text !== undefined && text.trim() !== '' ? [{ text: text.trim() }] : undefined;
}

function figuresOf(l: LineRow): LineFigures {
  return {
    quantity: dec(l.quantity),
    confirmed: dec(l.confirmed_quantity),
    rejected: dec(l.rejected_quantity),
    shipped: dec(l.shipped_quantity),
    invoiced: dec(l.invoiced_quantity),
  };
}

/** What may still be shipped or invoiced of a line at most: what was not rejected. */
function owed(l: LineRow): Decimal {
  return Decimal.max(dec(l.quantity).minus(dec(l.rejected_quantity)), 0);
}

function orderedLines(lines: readonly LineRow[], quantity: (l: LineRow) => Decimal = (l) => dec(l.quantity)): OrderedLine[] {
  return lines.map((l) => ({ lineNumber: l.line_number, quantity: quantity(l), unitOfMeasure: l.unit }));
}

/** The stored order date as the writer takes it: a date-only value stays as sent. */
function orderDateInput(stored: string): DateInput | undefined {
  if (DAY.test(stored)) return stored;
  const d = new Date(stored);
  return Number.isFinite(d.getTime()) ? d : undefined;
}

function supplierHeader(c: Connection): Header {
  const supplier = c.supplierIdentities[0]!;
  const buyer = c.buyerIdentities[0]!;
  return {
    from: { credentials: [{ domain: supplier.domain, identity: supplier.identity }] },
    to: { credentials: [{ domain: buyer.domain, identity: buyer.identity }] },
    sender: { credentials: [{ domain: supplier.domain, identity: supplier.identity, sharedSecret: SECRET_PLACEHOLDER }], userAgent: 'Koppel' },
  };
}

function parseJson(text: string | null): Record<string, any> {
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, any>;
  } catch {
    return {};
  }
}

/** Reasons why no document can be created for the order at all. */
function orderProblems(order: OrderRow, connection: Connection | undefined, allowFinal = false): string[] {
  const problems: string[] = [];
  if (!allowFinal && FINAL_STATUSES.includes(order.status as OrderStatus)) {
    problems.push(`order ${order.order_id} is ${order.status}: no more documents can be created for it`);
  }
  if (!connection) {
    problems.push(`the order's connection ${order.connection_id} no longer exists`);
    return problems;
  }
  if (connection.protocol !== 'cxml') problems.push(`connection ${connection.id} speaks OCI: documents back to the buyer need a cXML connection`);
  if (!connection.enabled) problems.push(`connection ${connection.id} is disabled: enable it before sending documents to the buyer`);
  const url = connection.options.cxml.documentUrl.trim();
  if (url === '') {
    problems.push(`connection ${connection.id} has no document URL: set where confirmations, ship notices and invoices are posted (cXML options, document URL)`);
  } else {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) problems.push(`connection ${connection.id}: the document URL "${url}" is not an http(s) URL`);
  }
  if (connection.supplierIdentities.length === 0) problems.push(`connection ${connection.id} has no supplier identity (To) to send documents from`);
  if (connection.buyerIdentities.length === 0) problems.push(`connection ${connection.id} has no buyer identity (From) to send documents to`);
  try {
    compareCxmlVersions(connection.options.cxml.version, '1.2.014');
  } catch {
    problems.push(`connection ${connection.id}: cXML version "${connection.options.cxml.version}" is not a version`);
  }
  return problems;
}

/**
 * Two documents for one order at once: the second waits and then sees the first's figures.
 * PostgreSQL: a row lock. SQLite: a no-op write as the transaction's first statement takes the
 * database write lock before anything is read (waiting up to busy_timeout), so another process
 * (the CLI next to the server) cannot commit in between and leave this one with a stale read.
 */
async function lockOrder(ctx: AppContext, orderRowId: string): Promise<OrderRow | undefined> {
  if (ctx.dialect === 'postgres') return ctx.db.selectFrom('orders').selectAll().where('id', '=', orderRowId).forUpdate().executeTakeFirst();
  await ctx.db.updateTable('orders').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', orderRowId).execute();
  return ctx.db.selectFrom('orders').selectAll().where('id', '=', orderRowId).executeTakeFirst();
}

async function load(tctx: AppContext, orderRowId: string, allowFinal: boolean): Promise<Loaded> {
  const order = await lockOrder(tctx, orderRowId);
  if (!order) throw new Refused([`order ${orderRowId} not found`]);
  const connection = await getConnection(tctx, order.connection_id);
  const problems = orderProblems(order, connection, allowFinal);
  if (problems.length > 0) throw new Refused(problems);
  const lines = await tctx.db.selectFrom('order_lines').selectAll().where('order_id', '=', order.id).orderBy('line_number').execute();
  if (lines.length === 0) throw new Refused([`order ${order.order_id} has no lines`]);
  const documents = await tctx.db.selectFrom('order_documents').selectAll().where('order_id', '=', order.id).orderBy('created_at').orderBy('number').execute();
  return { order, lines, connection: connection!, documents, today: iso(tctx.now()).slice(0, 10) };
}

/** Runs one create*: everything in one transaction, problems returned with nothing stored. */
async function createDocument(ctx: AppContext, orderRowId: string, actor: Actor, plan: (s: Loaded) => Plan, allowFinal = false): Promise<CreateDocumentResult> {
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const tctx: AppContext = { ...ctx, db: trx };
      const s = await load(tctx, orderRowId, allowFinal);
      const p = plan(s);
      const { order, connection } = s;
      const orderDate = orderDateInput(order.order_date);
      if (orderDate === undefined) throw new Refused([`order ${order.order_id}: its order date "${order.order_date}" cannot be written in a document`]);

      const number = await nextDocumentNumber(tctx, p.kind);
      const wctx = writeContext(tctx, documentVersion(connection.options.cxml.version, p.family));
      const mode = order.deployment_mode === 'test' || order.deployment_mode === 'production' ? order.deployment_mode : undefined;
      let written: { xml: string; totals?: Record<string, unknown> };
      try {
        written = p.write(number, {
          ctx: wctx,
          header: supplierHeader(connection),
          order: { orderID: order.order_id, orderDate, payloadID: order.payload_id },
          deploymentMode: mode,
        });
      } catch (err) {
        if (err instanceof CxmlWriteError || err instanceof RangeError) throw new Refused([err.message]);
        throw err;
      }
      const { maxBytes, maxLines } = connection.options.limits;
      const size = checkSizeLimits(written.xml, p.lineCount, { ...(maxBytes > 0 ? { maxBytes } : {}), ...(maxLines > 0 ? { maxLines } : {}) });
      if (size.length > 0) throw new Refused(size.map((x) => x.message));

      let outbox;
      try {
        outbox = await enqueue(tctx, { kind: 'cxml', connectionId: connection.id, orderId: order.id, url: connection.options.cxml.documentUrl.trim(), body: written.xml });
      } catch (err) {
        if (err instanceof OutboxInputError) throw new Refused([err.message]);
        throw err;
      }
      const now = iso(tctx.now());
      const documentId = tctx.token(12);
      await trx
        .insertInto('order_documents')
        .values({
          id: documentId,
          order_id: order.id,
          connection_id: connection.id,
          kind: p.kind,
          number,
          payload_id: wctx.payloadID,
          outbox_id: outbox.id,
          input: JSON.stringify({ number, version: wctx.version, ...p.input }),
          totals: written.totals ? JSON.stringify(written.totals) : null,
          created_by: actorText(actor),
          created_at: now,
        })
        .execute();

      const figures = s.lines.map((l) => {
        const change = p.figures.get(l.id);
        const f = figuresOf(l);
        return change
          ? { ...f, ...(change.confirmed_quantity ? { confirmed: change.confirmed_quantity } : {}), ...(change.rejected_quantity ? { rejected: change.rejected_quantity } : {}), ...(change.shipped_quantity ? { shipped: change.shipped_quantity } : {}), ...(change.invoiced_quantity ? { invoiced: change.invoiced_quantity } : {}) }
          : f;
      });
      for (const [lineId, change] of p.figures) {
        const set: Record<string, string> = {};
        for (const [column, value] of Object.entries(change)) if (value) set[column] = formatDecimal(value);
        if (Object.keys(set).length > 0) await trx.updateTable('order_lines').set(set).where('id', '=', lineId).execute();
      }
      const from = order.status as OrderStatus;
      const to = p.status ?? orderStatusFromLines(figures, from);
      await trx.updateTable('orders').set({ status: to, updated_at: now }).where('id', '=', order.id).execute();
      await recordOrderEvent(tctx, { orderId: order.id, kind: p.event, actor, fromStatus: from, toStatus: to, detail: `${number}: ${p.detail}`, documentId });
      return { ok: true as const, documentId, number, payloadId: wctx.payloadID, outboxId: outbox.id };
    });
  } catch (err) {
    if (err instanceof Refused) return { ok: false, problems: err.problems };
    throw err;
  }
}

/** Stands in for the number the rules see before it is drawn; never shown (see withoutProbe). */
const PROBE_ID = 'koppel-probe';

/** A rule message about the document being created, without the placeholder number. */
function withoutProbe(message: string, prefix: string): string {
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** Documents that count: all but those the outbox finally failed. */
function counting(documents: readonly DocumentRow[]): DocumentRow[] {
  return documents.filter((d) => d.state !== 'failed');
}

/** Counting confirmations of the order version `orderPayloadId`, oldest first. */
function currentConfirmations(documents: readonly DocumentRow[], orderPayloadId: string): DocumentRow[] {
  return counting(documents).filter((d) => d.kind === 'confirmation' && parseJson(d.input).orderPayloadId === orderPayloadId);
}

/**
 * The calendar day of the order: a date-only order date as sent; a timestamp is stored as a UTC
 * instant, so its UTC day — the same clock as "today" for document dates.
 */
function orderDay(order: OrderRow): string | undefined {
  const stored = order.order_date.trim();
  if (DAY.test(stored)) return stored;
  const d = new Date(stored);
  return Number.isFinite(d.getTime()) ? d.toISOString().slice(0, 10) : undefined;
}

/** A shipment or invoice cannot be dated before the order it is for. */
function notBeforeOrder(s: Loaded, date: string | undefined, what: string, problems: string[]): void {
  const ordered = orderDay(s.order);
  if (date !== undefined && ordered !== undefined && date < ordered) {
    problems.push(`${what} ${date} is before the order date ${ordered} of order ${s.order.order_id}: give a date on or after the order date`);
  }
}

function refuseIf(problems: readonly string[]): void {
  if (problems.length > 0) throw new Refused(problems);
}

function lineByNumber(s: Loaded): Map<number, LineRow> {
  return new Map(s.lines.map((l) => [l.line_number, l]));
}

/** Listed line numbers: known to the order and each once. */
function lineNumberProblems(s: Loaded, numbers: readonly number[], problems: string[]): void {
  const known = lineByNumber(s);
  const seen = new Set<number>();
  for (const n of numbers) {
    if (!Number.isSafeInteger(n) || n < 1) problems.push(`line number ${n} is not a whole number ≥ 1`);
    else if (!known.has(n)) problems.push(`line ${n} is not in order ${s.order.order_id} (its lines: ${[...known.keys()].join(', ')})`);
    else if (seen.has(n)) problems.push(`line ${n} is listed more than once`);
    seen.add(n);
  }
}

// ---- confirmation ------------------------------------------------------------------------------

export async function createConfirmation(ctx: AppContext, orderRowId: string, input: ConfirmationRequestInput, actor: Actor): Promise<CreateDocumentResult> {
  return createDocument(ctx, orderRowId, actor, (s) => planConfirmation(s, input));
}

function planConfirmation(s: Loaded, input: ConfirmationRequestInput): Plan {
  const problems: string[] = [];
  // One confirmation per applied order version: an update asks for a new one.
  const earlier = currentConfirmations(s.documents, s.order.payload_id).at(-1);
  if (earlier) problems.push(`order ${s.order.order_id} was already confirmed (${earlier.number}); a confirmation cannot be sent twice for the same version of the order`);
  const type = input.type;
  if (type !== 'accept' && type !== 'reject' && type !== 'detail') {
    throw new Refused([`confirmation type must be accept, reject or detail, not "${String(type)}"`]);
  }

  // A line a change order removed after something shipped or was invoiced stays at quantity 0
  // for its figures; it is no longer ordered, so there is nothing to confirm on it.
  const lines = s.lines.filter((l) => !dec(l.quantity).isZero());
  // Per line: the statuses sent and the figures they leave.
  const items: ConfirmationItemInput[] = [];
  const figures = new Map<string, { confirmed_quantity: Decimal; rejected_quantity: Decimal }>();
  if (type === 'reject') {
    if (input.comment === undefined || input.comment.trim() === '') problems.push('a rejection needs the reason (comment)');
    for (const l of lines) figures.set(l.id, { confirmed_quantity: new Decimal(0), rejected_quantity: dec(l.quantity) });
  } else if (type === 'accept') {
    const deliveryDate = day(input.deliveryDate, 'delivery date', problems);
    for (const l of lines) {
      items.push({ lineNumber: l.line_number, quantity: dec(l.quantity), unitOfMeasure: l.unit, statuses: [{ type: 'accept', quantity: dec(l.quantity), ...(deliveryDate ? { deliveryDate } : {}) }] });
      figures.set(l.id, { confirmed_quantity: dec(l.quantity), rejected_quantity: new Decimal(0) });
    }
  } else {
    const listed = new Map(input.lines.map((l) => [l.lineNumber, l]));
    lineNumberProblems(s, input.lines.map((l) => l.lineNumber), problems);
    if (input.lines.length === 0) problems.push('a detail confirmation must list at least one line');
    for (const l of s.lines) {
      if (dec(l.quantity).isZero() && listed.has(l.line_number)) problems.push(`line ${l.line_number}: no longer ordered (the change order removed it); nothing to confirm`);
    }
    for (const l of lines) {
      const given = listed.get(l.line_number);
      const statuses: ConfirmationStatusInput[] = [];
      if (!given) statuses.push({ type: 'accept', quantity: dec(l.quantity) });
      else {
        if (given.statuses.length === 0) problems.push(`line ${l.line_number}: give at least one status`);
        given.statuses.forEach((st, i) => {
          const what = `line ${l.line_number} status ${i + 1}`;
          if (!['accept', 'detail', 'backordered', 'reject'].includes(st.type)) {
            problems.push(`${what}: type must be accept, detail, backordered or reject, not "${String(st.type)}"`);
            return;
          }
          const quantity = positive(st.quantity, `${what} quantity`, problems);
          const deliveryDate = day(st.deliveryDate, `${what} delivery date`, problems);
          let unitPrice: Decimal | undefined;
          if (st.unitPrice !== undefined) {
            const up = st.unitPrice.trim();
            if (!DECIMAL.test(up)) problems.push(`${what}: unit price "${st.unitPrice}" is not a number`);
            else unitPrice = new Decimal(up);
          }
          if (quantity) {
            statuses.push({
              type: st.type,
              quantity,
              ...(deliveryDate ? { deliveryDate } : {}),
              ...(unitPrice ? { unitPrice: { amount: unitPrice, currency: l.currency } } : {}),
              ...(comments(st.comment) ? { comments: comments(st.comment)! } : {}),
            });
          }
        });
      }
      items.push({ lineNumber: l.line_number, quantity: dec(l.quantity), unitOfMeasure: l.unit, statuses });
      const rejected = statuses.filter((x) => x.type === 'reject').reduce((t, x) => t.plus(x.quantity), new Decimal(0));
      const confirmed = Decimal.max(dec(l.quantity).minus(rejected), 0);
      figures.set(l.id, { confirmed_quantity: confirmed, rejected_quantity: rejected });
    }
  }
  // What was shipped or invoiced already cannot be rejected now.
  for (const l of lines) {
    const f = figures.get(l.id)!;
    const kept = dec(l.quantity).minus(f.rejected_quantity);
    if (dec(l.shipped_quantity).gt(kept)) problems.push(`line ${l.line_number}: ${l.shipped_quantity} already shipped, more than the ${formatDecimal(kept)} this confirmation keeps`);
    if (dec(l.invoiced_quantity).gt(kept)) problems.push(`line ${l.line_number}: ${l.invoiced_quantity} already invoiced, more than the ${formatDecimal(kept)} this confirmation keeps`);
  }

  const base = (number: string, order: OrderReferenceInput, deploymentMode: 'production' | 'test' | undefined): ConfirmationInput => ({
    type,
    confirmID: number,
    noticeDate: s.today,
    order,
    ...(comments(input.comment) ? { comments: comments(input.comment)! } : {}),
    ...(items.length > 0 ? { items } : {}),
    ...(deploymentMode ? { deploymentMode } : {}),
  });
  // The rules need the whole document; the number and payloadID do not change what they check.
  const probe = base('probe', { orderID: s.order.order_id, orderDate: s.today, payloadID: s.order.payload_id }, undefined);
  for (const p of checkConfirmation(probe, orderedLines(lines), { today: s.today })) if (!problems.includes(p.message)) problems.push(p.message);
  refuseIf(problems);

  const rejectedAll = type === 'reject';
  return {
    kind: 'confirmation',
    family: 'Fulfill.dtd',
    event: rejectedAll ? 'rejected' : 'confirmed',
    lineCount: items.length,
    ...(rejectedAll ? { status: 'rejected' as const } : {}),
    write: (number, env) => ({ xml: writeConfirmationRequest(env.ctx, env.header, base(number, env.order, env.deploymentMode)) }),
    input: {
      type,
      orderPayloadId: s.order.payload_id,
      ...(input.comment !== undefined ? { comment: input.comment } : {}),
      ...(type === 'accept' && input.deliveryDate ? { deliveryDate: input.deliveryDate } : {}),
      lines: items.map((i) => ({
        lineNumber: i.lineNumber,
        quantity: formatDecimal(i.quantity),
        unit: i.unitOfMeasure,
        statuses: i.statuses.map((st) => ({
          type: st.type,
          quantity: formatDecimal(st.quantity),
          ...(typeof st.deliveryDate === 'string' ? { deliveryDate: st.deliveryDate } : {}),
          ...(st.unitPrice ? { unitPrice: formatDecimal(st.unitPrice.amount) } : {}),
          ...(st.comments ? { comment: st.comments[0]!.text } : {}),
        })),
      })),
    },
    figures,
    detail: rejectedAll ? `order rejected: ${input.comment ?? ''}`.trim() : `${type} confirmation`,
  };
}

// ---- ship notice -------------------------------------------------------------------------------

export async function createShipNotice(ctx: AppContext, orderRowId: string, input: ShipNoticeRequestInput, actor: Actor): Promise<CreateDocumentResult> {
  return createDocument(ctx, orderRowId, actor, (s) => planShipNotice(s, input));
}

function storedLines(d: DocumentRow): { lineNumber: number; quantity: Decimal; unit: string }[] {
  const lines = parseJson(d.input).lines;
  if (!Array.isArray(lines)) return [];
  return lines.map((l: any) => ({ lineNumber: Number(l.lineNumber), quantity: dec(String(l.quantity)), unit: String(l.unit ?? '') }));
}

function planShipNotice(s: Loaded, input: ShipNoticeRequestInput): Plan {
  const problems: string[] = [];
  const byNumber = lineByNumber(s);
  const shipmentDate = day(input.shipmentDate ?? s.today, 'shipment date', problems);
  notBeforeOrder(s, shipmentDate, 'shipment date', problems);
  const deliveryDate = day(input.deliveryDate, 'delivery date', problems);
  if (input.trackingUrl !== undefined) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(input.trackingUrl).protocol);
    } catch {
      ok = false;
    }
    if (!ok) problems.push(`tracking URL "${input.trackingUrl}" is not an http(s) URL`);
  }

  let shipped: { line: LineRow; quantity: Decimal }[] = [];
  if (input.lines !== undefined) {
    lineNumberProblems(s, input.lines.map((l) => l.lineNumber), problems);
    if (input.lines.length === 0) problems.push('list at least one line, or none to ship everything not yet shipped');
    for (const l of input.lines) {
      const q = positive(l.quantity, `line ${l.lineNumber} quantity`, problems);
      const line = byNumber.get(l.lineNumber);
      if (q && line) shipped.push({ line, quantity: q });
    }
  } else {
    shipped = s.lines.map((line) => ({ line, quantity: owed(line).minus(dec(line.shipped_quantity)) })).filter((x) => x.quantity.gt(0));
    if (shipped.length === 0) problems.push(`order ${s.order.order_id}: nothing is left to ship`);
  }
  const items = shipped.map((x) => ({ lineNumber: x.line.line_number, quantity: x.quantity, unitOfMeasure: x.line.unit }));
  const previous: ShipmentLines[] = counting(s.documents)
    .filter((d) => d.kind === 'ship_notice')
    .map((d) => ({ shipmentID: d.number, items: storedLines(d).map((l) => ({ lineNumber: l.lineNumber, quantity: l.quantity, unitOfMeasure: l.unit })) }));

  const after = new Map(s.lines.map((l) => [l.id, dec(l.shipped_quantity)]));
  for (const x of shipped) after.set(x.line.id, after.get(x.line.id)!.plus(x.quantity));
  const complete = s.lines.every((l) => after.get(l.id)!.gte(owed(l)));

  const notice = (number: string, order: OrderReferenceInput, deploymentMode: 'production' | 'test' | undefined): ShipNoticeInput => ({
    shipmentID: number,
    noticeDate: s.today,
    shipmentDate: shipmentDate ?? s.today,
    ...(deliveryDate ? { deliveryDate } : {}),
    fulfillmentType: complete ? 'complete' : 'partial',
    carrier: { companyName: input.carrier?.trim() || undefined, scac: input.scac?.trim() || undefined },
    tracking: { number: input.trackingNumber ?? '', ...(input.trackingUrl ? { url: input.trackingUrl } : {}) },
    order,
    items,
    ...(comments(input.comment) ? { comments: comments(input.comment)! } : {}),
    ...(deploymentMode ? { deploymentMode } : {}),
  });
  if (problems.length === 0 || items.length > 0) {
    // Rejected quantities are not owed: the limit of a line is what was not rejected.
    const probe = notice(PROBE_ID, { orderID: s.order.order_id, orderDate: s.today, payloadID: s.order.payload_id }, undefined);
    const inThisNotice = new Set(items.map((i) => i.lineNumber));
    for (const p of checkShipNotice(probe, orderedLines(s.lines, owed), { previous })) {
      // History is not this document's fault: a line a change order cut below what had shipped
      // is flagged on the order, and must not block shipping the other lines.
      if (p.lineNumber !== undefined && !inThisNotice.has(p.lineNumber)) continue;
      const said = withoutProbe(p.message, `shipment ${PROBE_ID}: `);
      const message = p.code === 'quantity.exceeded' && p.lineNumber !== undefined ? overShipped(byNumber.get(p.lineNumber)!, said) : said;
      if (!problems.includes(message)) problems.push(message);
    }
  }
  refuseIf(problems);

  const figures = new Map(shipped.map((x) => [x.line.id, { shipped_quantity: after.get(x.line.id)! }]));
  return {
    kind: 'ship_notice',
    family: 'Fulfill.dtd',
    event: 'shipped',
    lineCount: items.length,
    write: (number, env) => ({ xml: writeShipNoticeRequest(env.ctx, env.header, notice(number, env.order, env.deploymentMode)) }),
    input: {
      orderPayloadId: s.order.payload_id,
      carrier: input.carrier,
      ...(input.scac ? { scac: input.scac } : {}),
      trackingNumber: input.trackingNumber,
      ...(input.trackingUrl ? { trackingUrl: input.trackingUrl } : {}),
      shipmentDate,
      ...(deliveryDate ? { deliveryDate } : {}),
      fulfillmentType: complete ? 'complete' : 'partial',
      ...(input.comment ? { comment: input.comment } : {}),
      lines: items.map((i) => ({ lineNumber: i.lineNumber, quantity: formatDecimal(i.quantity), unit: i.unitOfMeasure })),
    },
    figures,
    detail: `${complete ? 'complete' : 'partial'} shipment with ${input.carrier?.trim() || input.scac || ''}, tracking ${input.trackingNumber ?? ''}`,
  };
}

function overShipped(line: LineRow, ruleMessage: string): string {
  const rejected = dec(line.rejected_quantity);
  return rejected.isZero() ? ruleMessage : `${ruleMessage} (${line.quantity} ordered, ${line.rejected_quantity} of them rejected)`;
}

// ---- invoice -----------------------------------------------------------------------------------

export async function createInvoice(ctx: AppContext, orderRowId: string, input: InvoiceRequestInput, actor: Actor): Promise<CreateDocumentResult> {
  return createDocument(ctx, orderRowId, actor, (s) => planInvoice(s, input));
}

interface InvoiceSettings {
  readonly taxRate: Decimal;
  readonly layout: InvoiceInput['layout'];
  readonly paymentTermDays: number;
}

function invoiceSettings(c: Connection, problems: string[]): InvoiceSettings | undefined {
  const o = c.options.cxml;
  const rate = (o.taxRatePercent ?? '0').trim();
  if (!DECIMAL.test(rate) || new Decimal(rate).gt(100)) {
    problems.push(`connection ${c.id}: tax rate "${o.taxRatePercent}" is not a percentage from 0 to 100`);
    return undefined;
  }
  if (o.invoiceTaxInLine && o.taxRounding !== 'line') {
    problems.push(`connection ${c.id}: tax on every invoice line needs per-line tax rounding (the line taxes must add up to the header)`);
  }
  return { taxRate: new Decimal(rate), layout: { taxRounding: o.taxRounding, taxInLine: o.invoiceTaxInLine, shippingInLine: false }, paymentTermDays: o.paymentTermDays };
}

/**
 * Unit prices the confirmation changed (a `detail` status with a price): the buyer accepted the
 * order at that price, so it is what gets invoiced. A line whose portions name different prices
 * keeps the ordered one (it cannot be invoiced as one line at one price).
 */
function confirmedPrices(s: Loaded): Map<number, Decimal> {
  const prices = new Map<number, Decimal>();
  const confirmation = currentConfirmations(s.documents, s.order.payload_id).at(-1);
  const lines = confirmation ? parseJson(confirmation.input).lines : undefined;
  if (!Array.isArray(lines)) return prices;
  for (const l of lines) {
    const given = new Set<string>((Array.isArray(l.statuses) ? l.statuses : []).filter((st: any) => typeof st.unitPrice === 'string' && DECIMAL.test(st.unitPrice)).map((st: any) => new Decimal(st.unitPrice).toFixed()));
    if (given.size === 1) prices.set(Number(l.lineNumber), new Decimal([...given][0]!));
  }
  return prices;
}

function invoiceLine(line: LineRow, quantity: Decimal, index: number, taxRate: Decimal, price?: Decimal): InvoiceLineInput {
  return {
    invoiceLineNumber: index + 1,
    orderLineNumber: line.line_number,
    quantity,
    unitPrice: price ?? dec(line.unit_price),
    taxRate,
    unitOfMeasure: line.unit,
    ...(line.supplier_part_id.trim() !== '' ? { itemID: { supplierPartID: line.supplier_part_id, ...(line.aux_id ? { supplierPartAuxiliaryID: line.aux_id } : {}) } } : {}),
    description: line.description.trim() !== '' ? line.description : line.supplier_part_id || `line ${line.line_number}`,
  };
}

/** Decimal text of every amount (the currency's minor units), for order_documents.totals. */
function totalsJson(t: InvoiceTotals, lineNumbers: readonly number[]): Record<string, unknown> {
  const m = (d: Decimal) => formatMoney(d, t.currency);
  return {
    currency: t.currency,
    taxRounding: t.taxRounding,
    subtotal: m(t.subtotal),
    shipping: m(t.shipping),
    tax: m(t.tax),
    gross: m(t.gross),
    discount: m(t.discount),
    net: m(t.net),
    due: m(t.due),
    taxSummary: t.taxSummary.map((p) => ({ category: p.category, rate: formatDecimal(p.rate), taxable: m(p.taxable), tax: m(p.tax) })),
    lines: t.lines.map((l, i) => ({ lineNumber: lineNumbers[i], subtotal: m(l.subtotal), ...(l.tax !== undefined ? { tax: m(l.tax) } : {}) })),
  };
}

function planInvoice(s: Loaded, input: InvoiceRequestInput): Plan {
  const problems: string[] = [];
  const byNumber = lineByNumber(s);
  const settings = invoiceSettings(s.connection, problems);
  const currency = s.order.currency.toUpperCase();
  const invoiceDate = day(input.invoiceDate ?? s.today, 'invoice date', problems);
  if (invoiceDate && invoiceDate > s.today) problems.push(`invoice date ${invoiceDate} is in the future (today is ${s.today})`);
  notBeforeOrder(s, invoiceDate, 'invoice date', problems);

  let invoiced: { line: LineRow; quantity: Decimal }[] = [];
  if (input.lines !== undefined) {
    lineNumberProblems(s, input.lines.map((l) => l.lineNumber), problems);
    if (input.lines.length === 0) problems.push('list at least one line, or none to invoice everything not yet invoiced');
    for (const l of input.lines) {
      const q = positive(l.quantity, `line ${l.lineNumber} quantity`, problems);
      const line = byNumber.get(l.lineNumber);
      if (q && line) invoiced.push({ line, quantity: q });
    }
  } else {
    // What was shipped and not invoiced; with nothing shipped yet, what was ordered and not invoiced.
    const anyShipped = s.lines.some((l) => dec(l.shipped_quantity).gt(0));
    invoiced = s.lines
      .map((line) => ({ line, quantity: (anyShipped ? Decimal.min(dec(line.shipped_quantity), owed(line)) : owed(line)).minus(dec(line.invoiced_quantity)) }))
      .filter((x) => x.quantity.gt(0));
    if (invoiced.length === 0) problems.push(`order ${s.order.order_id}: nothing is left to invoice${anyShipped ? ' (everything shipped is invoiced)' : ''}`);
  }
  for (const x of invoiced) {
    if (x.line.currency.toUpperCase() !== currency) problems.push(`line ${x.line.line_number} is in ${x.line.currency}, the order in ${currency}: one invoice has one currency`);
  }
  let shipping: Decimal | undefined;
  if (input.shipping !== undefined && input.shipping.trim() !== '') {
    const t = input.shipping.trim();
    if (!DECIMAL.test(t)) problems.push(`shipping "${input.shipping}" is not an amount`);
    else if (new Decimal(t).decimalPlaces() > minorUnits(currency)) problems.push(`shipping ${t} has more decimals than ${currency} allows (${minorUnits(currency)})`);
    else if (!new Decimal(t).isZero()) shipping = new Decimal(t);
  }
  refuseIf(problems);
  const { taxRate, layout, paymentTermDays } = settings!;

  const prices = confirmedPrices(s);
  const lines = invoiced.map((x, i) => invoiceLine(x.line, x.quantity, i, taxRate, prices.get(x.line.line_number)));
  const invoice = (number: string, order: OrderReferenceInput, deploymentMode: 'production' | 'test' | undefined): InvoiceInput => ({
    invoiceID: number,
    invoiceDate: invoiceDate!,
    purpose: 'standard',
    currency,
    layout,
    orders: [{ order, lines }],
    // Shipping is taxed like the goods it brings (same rate, same rounding rule).
    ...(shipping ? { shipping: { amount: shipping, taxRate } } : {}),
    ...(paymentTermDays > 0 ? { paymentTermDays } : {}),
    ...(input.comment?.trim() ? { comments: { text: input.comment.trim() } } : {}),
    ...(deploymentMode ? { deploymentMode } : {}),
  });
  // Earlier invoices of this order, against its current payloadID (an update keeps its invoices).
  const ref = { orderID: s.order.order_id, orderDate: s.today, payloadID: s.order.payload_id };
  const previous: InvoiceInput[] = counting(s.documents)
    .filter((d) => d.kind === 'invoice')
    .map((d) => ({
      ...invoice(d.number, ref, undefined),
      orders: [{ order: ref, lines: storedLines(d).map((l, i) => ({ ...invoiceLine(byNumber.get(l.lineNumber) ?? s.lines[0]!, l.quantity, i, taxRate), orderLineNumber: l.lineNumber, unitOfMeasure: l.unit })) }],
    }));
  const current = invoice(PROBE_ID, ref, undefined);
  const inThisInvoice = new Set(invoiced.map((x) => x.line.line_number));
  for (const p of checkInvoicedQuantities({ payloadID: s.order.payload_id, lines: orderedLines(s.lines, owed) }, [...previous, current])) {
    // As for ship notices: only the lines this invoice covers can make it wrong.
    if (p.lineNumber !== undefined && !inThisInvoice.has(p.lineNumber)) continue;
    const message = withoutProbe(p.message, `invoice ${PROBE_ID}: `);
    if (!problems.includes(message)) problems.push(message);
  }
  let totals: InvoiceTotals;
  try {
    totals = invoiceTotals(current);
  } catch (err) {
    throw new Refused([(err as Error).message]);
  }
  refuseIf(problems);

  const figures = new Map(
    invoiced.map((x, i) => [
      x.line.id,
      { invoiced_quantity: dec(x.line.invoiced_quantity).plus(x.quantity), invoiced_amount: dec(x.line.invoiced_amount).plus(totals.lines[i]!.subtotal) },
    ]),
  );
  const lineNumbers = invoiced.map((x) => x.line.line_number);
  return {
    kind: 'invoice',
    family: 'InvoiceDetail.dtd',
    event: 'invoiced',
    lineCount: lines.length,
    write: (number, env) => {
      const doc = invoice(number, env.order, env.deploymentMode);
      return { xml: writeInvoiceDetailRequest(env.ctx, env.header, doc), totals: totalsJson(invoiceTotals(doc), lineNumbers) };
    },
    input: {
      orderPayloadId: s.order.payload_id,
      invoiceDate,
      currency,
      taxRatePercent: formatDecimal(taxRate),
      taxRounding: layout.taxRounding,
      taxInLine: layout.taxInLine,
      ...(shipping ? { shipping: formatMoney(shipping, currency) } : {}),
      ...(paymentTermDays > 0 ? { paymentTermDays } : {}),
      ...(input.comment ? { comment: input.comment } : {}),
      lines: invoiced.map((x, i) => ({
        lineNumber: x.line.line_number,
        quantity: formatDecimal(x.quantity),
        unit: x.line.unit,
        unitPrice: formatDecimal(lines[i]!.unitPrice),
        subtotal: formatMoney(totals.lines[i]!.subtotal, currency),
      })),
    },
    figures,
    detail: `invoice over ${formatMoney(totals.due, currency)} ${currency} (${lines.length} line${lines.length === 1 ? '' : 's'})`,
  };
}

// ---- credit memo -------------------------------------------------------------------------------

export async function createCreditMemo(ctx: AppContext, orderRowId: string, input: CreditMemoRequestInput, actor: Actor): Promise<CreateDocumentResult> {
  // Returns and cancellations after invoicing: a cancelled, closed or rejected order may be credited.
  return createDocument(ctx, orderRowId, actor, (s) => planCreditMemo(s, input), true);
}

/**
 * A header-level memo against one earlier invoice of the order that counts (not failed). It
 * credits net money (tax is added at the rate that invoice used), at most the invoice's goods
 * subtotal not yet credited.
 */
function planCreditMemo(s: Loaded, input: CreditMemoRequestInput): Plan {
  const problems: string[] = [];
  const invoices = counting(s.documents).filter((d) => d.kind === 'invoice');
  const wanted = (input.invoiceNumber ?? '').trim();
  const original = invoices.find((d) => d.number === wanted);
  const failed = s.documents.find((d) => d.kind === 'invoice' && d.number === wanted && d.state === 'failed');
  if (s.order.status === 'rejected' && invoices.length === 0) {
    problems.push(`order ${s.order.order_id} is rejected and nothing of it was invoiced: there is nothing to credit`);
  } else if (failed) {
    problems.push(`invoice ${failed.number} was not accepted by the buyer (its delivery failed): it does not count, so it cannot be credited`);
  } else if (!original) {
    problems.push(
      `invoice "${input.invoiceNumber ?? ''}" is not an invoice of order ${s.order.order_id}` + (invoices.length ? ` (its invoices: ${invoices.map((d) => d.number).join(', ')})` : ' (it has none yet)'),
    );
  }
  if (input.reason === undefined || input.reason.trim() === '') problems.push('a credit memo needs the reason');
  const amount = positive(input.amount, 'credit amount', problems);
  refuseIf(problems);

  const originalInput = parseJson(original!.input);
  const originalTotals = parseJson(original!.totals);
  const currency = String(originalTotals.currency ?? s.order.currency).toUpperCase();
  if (amount!.decimalPlaces() > minorUnits(currency)) problems.push(`credit amount ${input.amount} has more decimals than ${currency} allows (${minorUnits(currency)})`);
  const credited = counting(s.documents)
    .filter((d) => d.kind === 'credit_memo' && parseJson(d.input).invoiceNumber === original!.number)
    .reduce((t, d) => t.plus(dec(String(parseJson(d.input).amount ?? '0'))), new Decimal(0));
  const creditable = dec(String(originalTotals.subtotal ?? '0')).minus(credited);
  if (amount!.gt(creditable)) {
    problems.push(
      `credit amount ${formatMoney(amount!, currency)} ${currency} is more than the ${formatMoney(Decimal.max(creditable, 0), currency)} ${currency} of invoice ${original!.number} not yet credited` +
        (credited.gt(0) ? ` (net ${originalTotals.subtotal} ${currency}, ${formatMoney(credited, currency)} ${currency} credited before)` : ' (its net amount before tax)'),
    );
  }
  // Across the order too: a memo against an invoice the buyer later refused still counts, so the
  // order's credits may never exceed what its counting invoices billed (no goods credited twice).
  const orderRoom = creditRoom(s.documents);
  if (amount!.gt(orderRoom)) {
    problems.push(`credit amount ${formatMoney(amount!, currency)} ${currency} is more than the ${formatMoney(Decimal.max(orderRoom, 0), currency)} ${currency} the order's counting invoices leave to credit (credit memos against invoices the buyer refused count too)`);
  }
  const settings = invoiceSettings(s.connection, problems);
  refuseIf(problems);
  const rateText = String(originalInput.taxRatePercent ?? formatDecimal(settings!.taxRate));
  const taxRate = DECIMAL.test(rateText) ? new Decimal(rateText) : settings!.taxRate;
  const first = s.lines[0]!;
  const originalDate = typeof originalInput.invoiceDate === 'string' && DAY.test(originalInput.invoiceDate) ? originalInput.invoiceDate : undefined;

  const memo = (number: string, order: OrderReferenceInput, deploymentMode: 'production' | 'test' | undefined): InvoiceInput => ({
    invoiceID: number,
    invoiceDate: s.today,
    purpose: 'creditMemo',
    currency,
    layout: settings!.layout,
    // A header-level memo writes only the order's sums; the line carries the amount and the rate.
    orders: [{ order, lines: [{ invoiceLineNumber: 1, orderLineNumber: first.line_number, quantity: new Decimal(1), unitPrice: amount!, taxRate, unitOfMeasure: first.unit || 'EA', description: input.reason.trim() }] }],
    originalInvoice: { invoiceID: original!.number, ...(originalDate ? { invoiceDate: originalDate } : {}), payloadID: original!.payload_id },
    comments: { text: input.reason.trim() },
    ...(deploymentMode ? { deploymentMode } : {}),
  });
  let due: Decimal;
  try {
    due = invoiceTotals(memo('probe', { orderID: s.order.order_id, orderDate: s.today, payloadID: s.order.payload_id }, undefined)).due;
  } catch (err) {
    throw new Refused([(err as Error).message]);
  }
  return {
    kind: 'credit_memo',
    family: 'InvoiceDetail.dtd',
    event: 'credited',
    lineCount: 1,
    write: (number, env) => {
      const doc = memo(number, env.order, env.deploymentMode);
      return { xml: writeInvoiceDetailRequest(env.ctx, env.header, doc), totals: totalsJson(invoiceTotals(doc), [first.line_number]) };
    },
    input: {
      invoiceNumber: original!.number,
      invoiceDocumentId: original!.id,
      amount: formatMoney(amount!, currency),
      currency,
      taxRatePercent: formatDecimal(taxRate),
      reason: input.reason.trim(),
      invoiceDate: s.today,
    },
    figures: new Map(),
    detail: `credit memo for ${original!.number} over ${formatMoney(due, currency)} ${currency}: ${input.reason.trim()}`,
  };
}

// ---- close and review --------------------------------------------------------------------------

/** Closes a fully shipped and invoiced order (or any open one, with a reason). */
export async function closeOrder(ctx: AppContext, orderRowId: string, actor: Actor, reason?: string): Promise<{ ok: true } | { ok: false; problems: string[] }> {
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const tctx: AppContext = { ...ctx, db: trx };
      const order = await lockOrder(tctx, orderRowId);
      if (!order) throw new Refused([`order ${orderRowId} not found`]);
      if (FINAL_STATUSES.includes(order.status as OrderStatus)) throw new Refused([`order ${order.order_id} is already ${order.status}`]);
      const lines = await trx.selectFrom('order_lines').selectAll().where('order_id', '=', order.id).orderBy('line_number').execute();
      const open: string[] = [];
      for (const l of lines) {
        const due = owed(l);
        if (dec(l.shipped_quantity).lt(due)) open.push(`line ${l.line_number}: ${l.shipped_quantity} of ${formatDecimal(due)} shipped`);
        if (dec(l.invoiced_quantity).lt(due)) open.push(`line ${l.line_number}: ${l.invoiced_quantity} of ${formatDecimal(due)} invoiced`);
      }
      const why = reason?.trim() ?? '';
      if (open.length > 0 && why === '') throw new Refused([`order ${order.order_id} is not fully shipped and invoiced; give a reason to close it anyway`, ...open]);
      const now = iso(tctx.now());
      await trx.updateTable('orders').set({ status: 'closed', updated_at: now }).where('id', '=', order.id).execute();
      await recordOrderEvent(tctx, { orderId: order.id, kind: 'closed', actor, fromStatus: order.status, toStatus: 'closed', detail: why !== '' ? why : 'fully shipped and invoiced' });
      return { ok: true as const };
    });
  } catch (err) {
    if (err instanceof Refused) return { ok: false, problems: [...err.problems] };
    throw err;
  }
}

/** Marks the order's review flags as seen (they stay visible). */
export async function markReviewed(ctx: AppContext, orderRowId: string, actor: Actor, note?: string): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    const tctx: AppContext = { ...ctx, db: trx };
    const now = iso(tctx.now());
    const r = await trx.updateTable('orders').set({ reviewed_at: now, reviewed_by: actorText(actor), updated_at: now }).where('id', '=', orderRowId).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await recordOrderEvent(tctx, { orderId: orderRowId, kind: 'reviewed', actor, detail: note?.trim() ?? '' });
    return true;
  });
}

// ---- documents that failed, and trying them again ----------------------------------------------

type LineChange = { confirmed?: Decimal; rejected?: Decimal; shipped?: Decimal; invoiced?: Decimal; amount?: Decimal };

/** Lines of a stored ship notice or invoice: quantity, unit and (invoices) the line's net amount. */
function documentLines(d: DocumentRow): { lineNumber: number; quantity: Decimal; unit: string; subtotal: Decimal }[] {
  const lines = parseJson(d.input).lines;
  if (!Array.isArray(lines)) return [];
  return lines.map((l: any) => ({ lineNumber: Number(l.lineNumber), quantity: dec(String(l.quantity ?? '0')), unit: String(l.unit ?? ''), subtotal: dec(String(l.subtotal ?? '0')) }));
}

/** The confirmed and rejected quantity per line id a stored confirmation states (every line: unlisted ones are 0/0). */
function confirmationFigures(d: DocumentRow | undefined, lines: readonly LineRow[]): Map<string, { confirmed: Decimal; rejected: Decimal }> {
  const input = d ? parseJson(d.input) : {};
  const stated = new Map<number, any>((Array.isArray(input.lines) ? input.lines : []).map((l: any) => [Number(l.lineNumber), l]));
  return new Map(
    lines.map((l) => {
      if (!d) return [l.id, { confirmed: new Decimal(0), rejected: new Decimal(0) }];
      if (input.type === 'reject') return [l.id, { confirmed: new Decimal(0), rejected: dec(l.quantity) }];
      const statuses = Array.isArray(stated.get(l.line_number)?.statuses) ? (stated.get(l.line_number).statuses as any[]) : [];
      const rejected = statuses.filter((st) => st.type === 'reject').reduce((t: Decimal, st) => t.plus(dec(String(st.quantity ?? '0'))), new Decimal(0));
      return [l.id, { confirmed: Decimal.max(dec(l.quantity).minus(rejected), 0), rejected }];
    }),
  );
}

/** What counting (`sign` 1) or no longer counting (−1) the document changes in the line figures. */
function documentChanges(d: DocumentRow, order: OrderRow, lines: readonly LineRow[], others: readonly DocumentRow[], sign: 1 | -1): Map<string, LineChange> {
  const changes = new Map<string, LineChange>();
  const byNumber = new Map(lines.map((l) => [l.line_number, l]));
  if (d.kind === 'confirmation') {
    // Only a confirmation of the current version sets the figures; without it they fall back to
    // the latest other counting one of that version (or nothing confirmed).
    if (parseJson(d.input).orderPayloadId !== order.payload_id) return changes;
    const source = sign === 1 ? d : currentConfirmations(others, order.payload_id).at(-1);
    for (const [id, f] of confirmationFigures(source, lines)) changes.set(id, f);
  } else if (d.kind === 'ship_notice' || d.kind === 'invoice') {
    for (const x of documentLines(d)) {
      const line = byNumber.get(x.lineNumber);
      if (!line) continue;
      const c = changes.get(line.id) ?? {};
      if (d.kind === 'ship_notice') c.shipped = Decimal.max(dec(line.shipped_quantity).plus(x.quantity.times(sign)), 0);
      else {
        c.invoiced = Decimal.max(dec(line.invoiced_quantity).plus(x.quantity.times(sign)), 0);
        c.amount = Decimal.max(dec(line.invoiced_amount).plus(x.subtotal.times(sign)), 0);
      }
      changes.set(line.id, c);
    }
  }
  return changes;
}

/** Writes the changes and returns the order's new status (from `base`, a final one stays). */
async function applyChanges(tctx: AppContext, lines: readonly LineRow[], changes: ReadonlyMap<string, LineChange>, base: OrderStatus): Promise<OrderStatus> {
  const figures: LineFigures[] = [];
  for (const l of lines) {
    const c = changes.get(l.id);
    const f = figuresOf(l);
    if (!c) {
      figures.push(f);
      continue;
    }
    const set: Record<string, string> = {};
    if (c.confirmed) set.confirmed_quantity = formatDecimal(c.confirmed);
    if (c.rejected) set.rejected_quantity = formatDecimal(c.rejected);
    if (c.shipped) set.shipped_quantity = formatDecimal(c.shipped);
    if (c.invoiced) set.invoiced_quantity = formatDecimal(c.invoiced);
    if (c.amount) set.invoiced_amount = formatDecimal(c.amount);
    if (Object.keys(set).length > 0) await tctx.db.updateTable('order_lines').set(set).where('id', '=', l.id).execute();
    figures.push({ ...f, ...(c.confirmed ? { confirmed: c.confirmed } : {}), ...(c.rejected ? { rejected: c.rejected } : {}), ...(c.shipped ? { shipped: c.shipped } : {}), ...(c.invoiced ? { invoiced: c.invoiced } : {}) });
  }
  return orderStatusFromLines(figures, base);
}

const KIND_TEXT: Record<DocumentKind, string> = { confirmation: 'confirmation', ship_notice: 'ship notice', invoice: 'invoice', credit_memo: 'credit memo' };

/**
 * The outbox finally failed an order document (the buyer refused it, or it gave up): in the
 * outbox's transaction, its quantities and amounts are taken back from the order lines, the
 * status is recomputed, the document is marked failed and the order's history says so. False
 * when the row is no order document (the outbox then records its own event).
 */
export async function orderDocumentFailed(tctx: AppContext, outboxId: string, reason: string): Promise<boolean> {
  const doc = await tctx.db.selectFrom('order_documents').selectAll().where('outbox_id', '=', outboxId).executeTakeFirst();
  if (!doc) return false;
  const order = await lockOrder(tctx, doc.order_id);
  if (!order) return false;
  if (doc.state === 'failed') return true;
  const lines = await tctx.db.selectFrom('order_lines').selectAll().where('order_id', '=', order.id).orderBy('line_number').execute();
  const documents = await tctx.db.selectFrom('order_documents').selectAll().where('order_id', '=', order.id).where('id', '!=', doc.id).orderBy('created_at').orderBy('number').execute();
  const changes = documentChanges(doc, order, lines, documents, -1);
  const from = order.status as OrderStatus;
  // A refused rejection leaves the order open again.
  const base: OrderStatus = doc.kind === 'confirmation' && parseJson(doc.input).type === 'reject' && from === 'rejected' ? 'received' : from;
  const to = await applyChanges(tctx, lines, changes, base);
  const now = iso(tctx.now());
  await tctx.db.updateTable('order_documents').set({ state: 'failed' }).where('id', '=', doc.id).execute();
  if (to !== from) await tctx.db.updateTable('orders').set({ status: to, updated_at: now }).where('id', '=', order.id).execute();
  const why = reason.startsWith('refused by the buyer') ? reason : `not delivered: ${reason}`;
  const counts = doc.kind === 'credit_memo' ? 'its amount no longer counts' : 'its quantities no longer count';
  const memos = doc.kind === 'invoice' ? counting(documents).filter((d) => d.kind === 'credit_memo' && parseJson(d.input).invoiceNumber === doc.number) : [];
  const memoNote = memos.length
    ? `; credit memo ${memos.map((d) => d.number).join(', ')} against it still counts (check with the buyer: it credits an invoice they do not have)`
    : '';
  await recordOrderEvent(tctx, { orderId: order.id, kind: 'document_failed', actor: { kind: 'system' }, fromStatus: from, toStatus: to, detail: `${doc.number} ${why}; ${counts}${memoNote}`, documentId: doc.id });
  return true;
}

/** Net goods amount of the order's counting invoices not yet taken by its counting credit memos. */
function creditRoom(documents: readonly DocumentRow[]): Decimal {
  const docs = counting(documents);
  const invoiced = docs.filter((d) => d.kind === 'invoice').reduce((t, d) => t.plus(dec(String(parseJson(d.totals).subtotal ?? '0'))), new Decimal(0));
  const credited = docs.filter((d) => d.kind === 'credit_memo').reduce((t, d) => t.plus(dec(String(parseJson(d.input).amount ?? '0'))), new Decimal(0));
  return invoiced.minus(credited);
}

/** Why a failed document cannot count again now (the figures moved on since it failed). */
function retryProblems(doc: DocumentRow, order: OrderRow, lines: readonly LineRow[], documents: readonly DocumentRow[]): string[] {
  const problems: string[] = [];
  const others = counting(documents).filter((d) => d.id !== doc.id);
  const later = others.filter((d) => d.kind === doc.kind && (d.created_at > doc.created_at || (d.created_at === doc.created_at && d.number > doc.number)));
  const replaced = later.length > 0 ? ` (${later.map((d) => d.number).join(', ')} created since, probably as its replacement)` : '';
  if (doc.kind !== 'credit_memo' && FINAL_STATUSES.includes(order.status as OrderStatus)) {
    problems.push(`order ${order.order_id} is ${order.status}: ${doc.number} cannot count again`);
    return problems;
  }
  const byNumber = new Map(lines.map((l) => [l.line_number, l]));
  if (doc.kind === 'confirmation') {
    const input = parseJson(doc.input);
    if (input.orderPayloadId !== order.payload_id) problems.push(`${doc.number} confirms an earlier version of order ${order.order_id} (it was updated since): create a new confirmation instead`);
    const current = currentConfirmations(others, order.payload_id).at(-1);
    if (current) problems.push(`${current.number} already confirms this version of order ${order.order_id}${replaced}: ${doc.number} cannot be sent as well`);
    if (problems.length === 0) {
      for (const l of lines) {
        const kept = dec(l.quantity).minus(confirmationFigures(doc, lines).get(l.id)!.rejected);
        if (dec(l.shipped_quantity).gt(kept)) problems.push(`line ${l.line_number}: ${l.shipped_quantity} shipped since, more than the ${formatDecimal(kept)} ${doc.number} keeps`);
        if (dec(l.invoiced_quantity).gt(kept)) problems.push(`line ${l.line_number}: ${l.invoiced_quantity} invoiced since, more than the ${formatDecimal(kept)} ${doc.number} keeps`);
      }
    }
  } else if (doc.kind === 'ship_notice' || doc.kind === 'invoice') {
    const input = parseJson(doc.input);
    // Its prices and references are those of the version it was written for.
    if (typeof input.orderPayloadId === 'string' && input.orderPayloadId !== order.payload_id) {
      problems.push(`${doc.number} was written for an earlier version of order ${order.order_id} (it was updated since): create a new ${doc.kind === 'invoice' ? 'invoice' : 'ship notice'} instead`);
    }
    if (doc.kind === 'invoice' && String(input.currency ?? order.currency).toUpperCase() !== order.currency.toUpperCase()) {
      problems.push(`${doc.number} is in ${String(input.currency)}, the order now in ${order.currency}`);
    }
    for (const x of documentLines(doc)) {
      const line = byNumber.get(x.lineNumber);
      if (!line) {
        problems.push(`${doc.number}: line ${x.lineNumber} is no longer in order ${order.order_id}`);
        continue;
      }
      if (x.unit !== '' && x.unit !== line.unit) problems.push(`${doc.number}: line ${x.lineNumber} unit ${x.unit} differs from the ordered ${line.unit}`);
      const done = dec(doc.kind === 'invoice' ? line.invoiced_quantity : line.shipped_quantity);
      const verb = doc.kind === 'invoice' ? 'invoiced' : 'shipped';
      if (done.plus(x.quantity).gt(owed(line))) {
        problems.push(`${doc.number}: line ${x.lineNumber} would have ${formatDecimal(done.plus(x.quantity))} ${verb}, only ${formatDecimal(owed(line))} owed (${formatDecimal(done)} ${verb} without it${replaced})`);
      }
    }
  } else {
    const input = parseJson(doc.input);
    const invoice = documents.find((d) => d.kind === 'invoice' && d.number === input.invoiceNumber);
    if (!invoice || invoice.state === 'failed') problems.push(`${doc.number} credits invoice ${String(input.invoiceNumber)}, which does not count (its delivery failed): it cannot count again`);
    else {
      const totals = parseJson(invoice.totals);
      const creditable = dec(String(totals.subtotal ?? '0'));
      const credited = others.filter((d) => d.kind === 'credit_memo' && parseJson(d.input).invoiceNumber === invoice.number).reduce((t, d) => t.plus(dec(String(parseJson(d.input).amount ?? '0'))), new Decimal(0));
      const amount = dec(String(input.amount ?? '0'));
      if (credited.plus(amount).gt(creditable)) problems.push(`${doc.number} would credit ${formatDecimal(credited.plus(amount))} of invoice ${invoice.number}, more than its ${formatDecimal(creditable)} net${replaced}`);
      const room = creditRoom(others);
      if (amount.gt(room)) problems.push(`${doc.number} would credit ${formatDecimal(amount)}, more than the ${formatDecimal(Decimal.max(room, 0))} the order's counting invoices leave to credit`);
    }
  }
  return problems;
}

/**
 * "Retry now" for a failed outbox row. An order document the outbox finally failed counts again
 * only if the rules still hold against the current figures (nothing replaced it, the order was
 * not updated or closed since): then its figures are applied again and it is queued with fresh
 * attempts, in one transaction. Other failed rows are simply queued again.
 */
export async function retryOrderDocument(ctx: AppContext, outboxId: string, actor: Actor): Promise<{ ok: true } | { ok: false; problems: string[] }> {
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const tctx: AppContext = { ...ctx, db: trx };
      const first = await trx.selectFrom('order_documents').select(['order_id']).where('outbox_id', '=', outboxId).executeTakeFirst();
      // Lock the order before reading the row and the figures, like every create*.
      const order = first ? await lockOrder(tctx, first.order_id) : undefined;
      const row = await trx.selectFrom('outbox').select(['status']).where('id', '=', outboxId).executeTakeFirst();
      if (!row) throw new Refused([`outbox entry ${outboxId} not found`]);
      if (row.status !== 'failed') throw new Refused([`outbox entry ${outboxId} is ${row.status}, not failed: there is nothing to retry`]);
      const doc = first ? await trx.selectFrom('order_documents').selectAll().where('outbox_id', '=', outboxId).executeTakeFirst() : undefined;
      if (!doc || !order || doc.state !== 'failed') {
        if (!(await requeueFailed(tctx, outboxId))) throw new Refused([`outbox entry ${outboxId} could not be queued again`]);
        return { ok: true as const };
      }
      const lines = await trx.selectFrom('order_lines').selectAll().where('order_id', '=', order.id).orderBy('line_number').execute();
      const documents = await trx.selectFrom('order_documents').selectAll().where('order_id', '=', order.id).orderBy('created_at').orderBy('number').execute();
      refuseIf(retryProblems(doc, order, lines, documents));
      const from = order.status as OrderStatus;
      const input = parseJson(doc.input);
      const rejectsAll = doc.kind === 'confirmation' && input.type === 'reject';
      const changed = await applyChanges(tctx, lines, documentChanges(doc, order, lines, documents, 1), from);
      const to: OrderStatus = rejectsAll ? 'rejected' : changed;
      const now = iso(tctx.now());
      await trx.updateTable('order_documents').set({ state: 'active' }).where('id', '=', doc.id).execute();
      if (to !== from) await trx.updateTable('orders').set({ status: to, updated_at: now }).where('id', '=', order.id).execute();
      if (!(await requeueFailed(tctx, outboxId))) throw new Refused([`outbox entry ${outboxId} could not be queued again`]);
      const event: OrderEventKind = doc.kind === 'confirmation' ? (rejectsAll ? 'rejected' : 'confirmed') : doc.kind === 'ship_notice' ? 'shipped' : doc.kind === 'invoice' ? 'invoiced' : 'credited';
      const counts = doc.kind === 'credit_memo' ? 'its amount counts again' : 'its quantities count again';
      await recordOrderEvent(tctx, { orderId: order.id, kind: event, actor, fromStatus: from, toStatus: to, detail: `${doc.number}: ${KIND_TEXT[doc.kind]} queued again; ${counts}`, documentId: doc.id });
      return { ok: true as const };
    });
  } catch (err) {
    if (err instanceof Refused) return { ok: false, problems: [...err.problems] };
    throw err;
  }
}
