/**
 * OrderRequest intake: the approved purchase order arrives from the buyer's system. Orders are
 * keyed by (connection, orderID): `new` creates the order, `update` replaces it when it is newer,
 * `delete` cancels it (field-failures rules 26–29, cxml.md §4).
 *
 * Everything one OrderRequest changes — the receipt (payloadID → answer), the order and its
 * lines, the history events and the webhook rows — is written in ONE transaction, and the buyer
 * gets its 200 only after the commit. The same payloadID again gets the stored answer byte for
 * byte and changes nothing; a payloadID another buyer used is refused (409). Two copies at the
 * same moment collide on the receipt's primary key, two different `new`s for one orderID on the
 * orders' unique index; the loser runs again and sees the winner's result.
 */
import type { Selectable } from 'kysely';
import type { Envelope, ItemOut, OrderRequest, OrderRequestHeader } from '../protocol/cxml/model.js';
import type { Connection } from '../domain/connection.js';
import type { OrderLineTable, OrderTable } from '../store/schema.js';
import { writeStatusResponse } from '../protocol/cxml/writer.js';
import { Decimal, dec, formatDecimal, sum } from '../protocol/money.js';
import { show } from '../protocol/cxml/read-context.js';
import { iso, type AppContext } from './context.js';
import { logInOut, statusAnswer, writeContext, type CxmlAnswer } from './cxml-answers.js';
import type { Actor, OrderStatus, ReviewFlag } from './order-model.js';
import { recordOrderEvent } from './order-events.js';
import { emitOrderEvent } from './webhooks.js';
import { maskCardNumbers } from './card-masking.js';
import { describeOrderChanges, reviewOrder, type OrderReview, type ReviewLineInput, type ReviewOrderInput } from './order-review.js';

type OrderRow = Selectable<OrderTable>;
type LineRow = Selectable<OrderLineTable>;

/** `note` marks the logged documents of a replay (see processAuthenticated). */
export async function receiveOrder(ctx: AppContext, connection: Connection, envelope: Envelope<OrderRequest>, received: string, note?: string): Promise<CxmlAnswer> {
  // The document log keeps the request, but never a full card number (only the last four digits).
  const body = maskCardNumbers(received);
  const version = connection.options.cxml.version;
  const log = (e: { orderId?: string | undefined; status: number; detail: string; answer: string }) =>
    logInOut(ctx, { docType: 'OrderRequest', requestBody: body, envelope, connectionId: connection.id, ...(e.orderId ? { orderId: e.orderId } : {}), status: e.status, detail: e.detail, answer: e.answer, answerType: 'Response', note });
  const repeated = async (earlier: Receipt): Promise<CxmlAnswer> => {
    if (earlier.connectionId !== connection.id) return payloadIdTaken(ctx, connection, envelope, body, note);
    await log({ orderId: earlier.orderId ?? undefined, status: 200, detail: 'same payloadID again: earlier answer repeated, nothing stored', answer: earlier.response });
    return { httpStatus: 200, xml: earlier.response };
  };

  const earlier = await receiptFor(ctx, envelope.payloadID);
  if (earlier) return repeated(earlier);
  const problem = lineProblem(envelope.payload);
  if (problem) {
    const xml = statusAnswer(ctx, 400, problem, version);
    await log({ status: 400, detail: problem, answer: xml });
    return { httpStatus: 200, xml };
  }

  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await ctx.db.transaction().execute((trx) => intake({ ...ctx, db: trx }, connection, envelope));
      await log({ orderId: outcome.orderRowId, status: 200, detail: outcome.logDetail, answer: outcome.answer });
      return { httpStatus: 200, xml: outcome.answer };
    } catch (err) {
      if (err instanceof Refusal) {
        // Final business refusal: the transaction rolled back, only the document log keeps it.
        const xml = statusAnswer(ctx, err.code, err.message, version);
        await log({ status: err.code, detail: err.message, answer: xml });
        return { httpStatus: 200, xml };
      }
      const again = await receiptFor(ctx, envelope.payloadID);
      if (again) return repeated(again);
      // Another `new` for the same orderID committed first: run again, it is a duplicate now.
      if (isUniqueViolation(err) && attempt < 3) continue;
      ctx.log.error({ err, payloadID: envelope.payloadID }, 'could not store an OrderRequest');
      // 5xx: the buyer retries later, and nothing half-stored remains (the transaction rolled back).
      const xml = statusAnswer(ctx, 500, 'The order could not be stored just now; please send it again later.', version);
      await log({ status: 500, detail: 'store failed', answer: xml });
      return { httpStatus: 200, xml };
    }
  }
}

/** A refusal decided inside the transaction; thrown to roll everything back. */
class Refusal extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

interface Outcome {
  readonly answer: string;
  readonly orderRowId: string;
  readonly logDetail: string;
}

/** Pass a transaction's context: every read and write here belongs to it. */
async function intake(tctx: AppContext, connection: Connection, envelope: Envelope<OrderRequest>): Promise<Outcome> {
  const h = envelope.payload.header;
  const now = iso(tctx.now());
  // The receipt goes in first: its primary key is the payloadID, so a concurrent copy stops here.
  // Its answer is filled in below, before the commit; nobody sees the placeholder.
  await tctx.db.insertInto('cxml_receipts').values({ payload_id: envelope.payloadID, connection_id: connection.id, request_type: 'OrderRequest', response: '', order_id: null, created_at: now }).execute();

  let query = tctx.db.selectFrom('orders').selectAll().where('connection_id', '=', connection.id).where('order_id', '=', h.orderID);
  // PostgreSQL: concurrent changes of one order wait for each other (SQLite runs one transaction at a time).
  if (tctx.dialect === 'postgres') query = query.forUpdate();
  const existing = await query.executeTakeFirst();

  const step = new IntakeStep(tctx, connection, envelope, now);
  let result: { orderRowId: string; detail: string; logDetail: string };
  if (h.type === 'delete') {
    if (!existing) throw new Refusal(417, `Order ${show(h.orderID)} is not known for this buyer, so there is nothing to cancel. Nothing was stored.`);
    result = await step.cancel(existing);
  } else if (!existing) {
    result = await step.create();
  } else if (h.type === 'new') {
    result = await step.duplicate(existing);
  } else {
    result = await step.update(existing);
  }
  const answer = writeStatusResponse(writeContext(tctx, connection.options.cxml.version), { code: 200, text: 'OK', detail: result.detail });
  await tctx.db.updateTable('cxml_receipts').set({ response: answer, order_id: result.orderRowId }).where('payload_id', '=', envelope.payloadID).execute();
  return { answer, orderRowId: result.orderRowId, logDetail: result.logDetail };
}

/** One version of the order's content, kept in the header to recognise stale updates. */
interface VersionEntry {
  readonly payloadId: string;
  readonly type: string;
  readonly orderVersion: number | null;
  readonly at: string;
}

class IntakeStep {
  private readonly h: OrderRequestHeader;
  private readonly actor: Actor;

  constructor(
    private readonly tctx: AppContext,
    private readonly connection: Connection,
    private readonly envelope: Envelope<OrderRequest>,
    private readonly now: string,
  ) {
    this.h = envelope.payload.header;
    this.actor = { kind: 'buyer', name: connection.id };
  }

  private get db() {
    return this.tctx.db;
  }

  private get orderName(): string {
    return `Order ${show(this.h.orderID)}`;
  }

  /** The first version we know of: a `new`, or an `update` whose predecessor never reached us. */
  async create(): Promise<{ orderRowId: string; detail: string; logDetail: string }> {
    const { h, envelope } = this;
    const id = this.tctx.token(12);
    const lines = envelope.payload.items.map((item, i) => lineData(item, i, h.total.currency));
    const review = await reviewOrder(this.tctx, this.connection, reviewInput(h, lines));
    const link = await this.linkTarget();
    await this.db
      .insertInto('orders')
      .values({
        id,
        connection_id: this.connection.id,
        order_id: h.orderID,
        payload_id: envelope.payloadID,
        order_type: h.type,
        order_version: h.orderVersion ?? null,
        order_date: orderDate(h),
        deployment_mode: envelope.deploymentMode,
        total: formatDecimal(h.total.amount),
        currency: h.total.currency,
        status: 'received',
        header: headerJson(h, [this.versionEntry()]),
        received_at: this.now,
        updated_at: this.now,
        linked_order_id: link?.id ?? null,
        review: JSON.stringify(review.flags),
        reviewed_at: null,
        reviewed_by: null,
        session_ids: JSON.stringify(review.sessionIds),
      })
      .execute();
    for (const [i, line] of lines.entries()) {
      await this.db.insertInto('order_lines').values({ id: this.tctx.token(12), order_id: id, ...lineColumns(line, review.lines[i]!) }).execute();
    }
    const asUpdate = h.type === 'update' ? `arrived as an update${h.orderVersion !== undefined ? ` (version ${h.orderVersion})` : ''} with no earlier version known; stored as the order` : `payloadID ${envelope.payloadID}`;
    await recordOrderEvent(this.tctx, { orderId: id, kind: 'received', actor: this.actor, toStatus: 'received', detail: `${lines.length} line(s), total ${formatDecimal(h.total.amount)} ${h.total.currency}; ${asUpdate}${flagSummary(review)}` });
    if (link) {
      await recordOrderEvent(this.tctx, { orderId: id, kind: 'linked', actor: this.actor, detail: `references order ${link.order_id} (DocumentReference ${h.documentReference})` });
      await recordOrderEvent(this.tctx, { orderId: link.id, kind: 'linked', actor: this.actor, detail: `order ${h.orderID} references this order (DocumentReference ${h.documentReference})` });
    }
    await emitOrderEvent(this.tctx, 'order.received', id);
    return {
      orderRowId: id,
      detail: `${this.orderName} received.`,
      logDetail: `order ${h.orderID} (${h.type}) stored with ${lines.length} line(s)${h.type === 'update' ? ' (update with no earlier version known)' : ''}${link ? `, linked to ${link.order_id}` : ''}`,
    };
  }

  /**
   * A `new` naming a stored order of this buyer with ANOTHER orderID in its DocumentReference:
   * the buyer edited that order into a new one (SAP, Coupa re-issue), so the two are linked.
   */
  private async linkTarget(): Promise<{ id: string; order_id: string } | undefined> {
    const ref = this.h.documentReference;
    if (this.h.type !== 'new' || !ref) return undefined;
    const byReceipt = await this.db.selectFrom('cxml_receipts').select('order_id').where('payload_id', '=', ref).where('connection_id', '=', this.connection.id).executeTakeFirst();
    let target = byReceipt?.order_id ? await this.db.selectFrom('orders').select(['id', 'order_id']).where('id', '=', byReceipt.order_id).where('connection_id', '=', this.connection.id).executeTakeFirst() : undefined;
    target ??= await this.db.selectFrom('orders').select(['id', 'order_id']).where('payload_id', '=', ref).where('connection_id', '=', this.connection.id).executeTakeFirst();
    return target && target.order_id !== this.h.orderID ? target : undefined;
  }

  async duplicate(o: OrderRow): Promise<{ orderRowId: string; detail: string; logDetail: string }> {
    await recordOrderEvent(this.tctx, { orderId: o.id, kind: 'duplicate_ignored', actor: this.actor, detail: `another type="new" with payloadID ${this.envelope.payloadID}; the order was received before (payloadID ${o.payload_id}); nothing changed` });
    return {
      orderRowId: o.id,
      detail: `${this.orderName} was already received (payloadID ${o.payload_id}); nothing changed. Send changes as type="update".`,
      logDetail: `order ${this.h.orderID} already received: duplicate ignored, nothing changed`,
    };
  }

  /** Why this update must not replace the stored order, or undefined when it may. */
  private staleness(o: OrderRow): string | undefined {
    const { h } = this;
    if (h.orderVersion !== undefined) {
      if (o.order_version !== null && h.orderVersion <= Number(o.order_version)) return `stale version ${h.orderVersion} ignored (current ${o.order_version})`;
      return undefined;
    }
    // Without versions, the DocumentReference says which version this change was made from.
    const ref = h.documentReference;
    if (ref && ref !== o.payload_id && versionsOf(o).some((v) => v.payloadId === ref)) {
      return `stale update ignored: it changes the version of payloadID ${ref}, which has been replaced since (current payloadID ${o.payload_id})`;
    }
    return undefined;
  }

  async update(o: OrderRow): Promise<{ orderRowId: string; detail: string; logDetail: string }> {
    const { h, envelope } = this;
    // The buyer cancelled it: a later change cannot revive it (a new order must be a `new`). On
    // PostgreSQL `o` was read under the row lock, so a delete that committed first is seen here.
    if (o.status === 'cancelled') {
      await recordOrderEvent(this.tctx, { orderId: o.id, kind: 'update_ignored', actor: this.actor, detail: `update with payloadID ${envelope.payloadID} for an order the buyer cancelled; nothing changed` });
      return {
        orderRowId: o.id,
        detail: `${this.orderName} is cancelled; the update was ignored and nothing changed. Send a new order (type="new") to order again.`,
        logDetail: `order ${h.orderID} is cancelled: update ignored`,
      };
    }
    const stale = this.staleness(o);
    if (stale) {
      await recordOrderEvent(this.tctx, { orderId: o.id, kind: 'update_ignored', actor: this.actor, detail: `${stale}; payloadID ${envelope.payloadID}` });
      return { orderRowId: o.id, detail: `${this.orderName}: ${stale}; nothing changed.`, logDetail: `order ${h.orderID}: ${stale}` };
    }
    const oldLines = await this.db.selectFrom('order_lines').selectAll().where('order_id', '=', o.id).orderBy('line_number').execute();
    const byNumber = new Map(oldLines.map((l) => [Number(l.line_number), l]));
    const lines = envelope.payload.items.map((item, i) => lineData(item, i, h.total.currency));
    const review = await reviewOrder(this.tctx, this.connection, reviewInput(h, lines));

    for (const [i, line] of lines.entries()) {
      const old = byNumber.get(line.lineNumber);
      const lineReview = review.lines[i]!;
      if (!old) {
        await this.db.insertInto('order_lines').values({ id: this.tctx.token(12), order_id: o.id, ...lineColumns(line, lineReview) }).execute();
        continue;
      }
      // The line stays the same row: shipped and invoiced figures carry over. Confirmations answer
      // one version of the order, so the confirmed and rejected figures start again at 0.
      const flags = [...lineReview.flags, ...belowFulfilled(old, line.quantity), ...termsChanged(old, line)];
      await this.db
        .updateTable('order_lines')
        .set({ ...lineColumns(line, { ...lineReview, flags }), confirmed_quantity: '0', rejected_quantity: '0' })
        .where('id', '=', old.id)
        .execute();
    }
    const remaining = new Set(lines.map((l) => l.lineNumber));
    for (const old of oldLines) {
      if (remaining.has(Number(old.line_number))) continue;
      const fulfilled = fulfilment(old);
      if (!fulfilled) {
        await this.db.deleteFrom('order_lines').where('id', '=', old.id).execute();
        continue;
      }
      // Shipped or invoiced goods cannot vanish from the record: the line stays at quantity 0, flagged.
      const flag: ReviewFlag = { code: 'fulfilment', message: `Line ${old.line_number} was removed by the change order, but ${fulfilled} already.` };
      await this.db.updateTable('order_lines').set({ quantity: '0', confirmed_quantity: '0', rejected_quantity: '0', review: JSON.stringify([flag]) }).where('id', '=', old.id).execute();
    }

    const fromStatus = o.status as OrderStatus;
    // A change order needs a new confirmation; later steps (shipped, invoiced) stay as they are.
    const toStatus: OrderStatus = fromStatus === 'confirmed' ? 'received' : fromStatus;
    const wasConfirmed = fromStatus === 'confirmed' || oldLines.some((l) => !dec(l.confirmed_quantity).isZero() || !dec(l.rejected_quantity).isZero());
    const keptFlags = parseFlags(o.review).filter((f) => f.code === 'fulfilment');
    await this.db
      .updateTable('orders')
      .set({
        payload_id: envelope.payloadID,
        order_type: h.type,
        order_version: h.orderVersion ?? o.order_version,
        order_date: orderDate(h),
        deployment_mode: envelope.deploymentMode,
        total: formatDecimal(h.total.amount),
        currency: h.total.currency,
        status: toStatus,
        header: headerJson(h, [...versionsOf(o), this.versionEntry()]),
        review: JSON.stringify([...keptFlags, ...review.flags]),
        // New content needs a new look, whatever was reviewed before.
        reviewed_at: null,
        reviewed_by: null,
        session_ids: JSON.stringify(review.sessionIds),
        updated_at: this.now,
      })
      .where('id', '=', o.id)
      .execute();

    const diff = describeOrderChanges(
      { total: dec(o.total), currency: o.currency, lines: oldLines.map((l) => ({ lineNumber: Number(l.line_number), supplierPartId: l.supplier_part_id, quantity: dec(l.quantity), unitPrice: dec(l.unit_price), unit: l.unit })) },
      { total: h.total.amount, currency: h.total.currency, lines: lines.map((l) => ({ lineNumber: l.lineNumber, supplierPartId: l.supplierPartId, quantity: l.quantity, unitPrice: l.unitPrice, unit: l.unit })) },
    );
    const versionText = h.orderVersion !== undefined ? `version ${o.order_version ?? '(none)'} → ${h.orderVersion}` : `payloadID ${o.payload_id} → ${envelope.payloadID}`;
    const reconfirm = wasConfirmed ? '; the earlier confirmation answered the previous version: confirmed and rejected quantities reset, a new confirmation is expected' : '';
    await recordOrderEvent(this.tctx, { orderId: o.id, kind: 'updated', actor: this.actor, fromStatus, toStatus, detail: `${versionText}: ${diff}${flagSummary(review)}${reconfirm}` });
    await emitOrderEvent(this.tctx, 'order.updated', o.id);
    const statusNote = wasConfirmed ? ' The supplier will send a new confirmation for this version.' : '';
    return { orderRowId: o.id, detail: `${this.orderName} updated.${statusNote}`, logDetail: `order ${h.orderID} updated (${versionText}): ${diff}${reconfirm}` };
  }

  async cancel(o: OrderRow): Promise<{ orderRowId: string; detail: string; logDetail: string }> {
    const { h, envelope } = this;
    if (o.status === 'cancelled') {
      await recordOrderEvent(this.tctx, { orderId: o.id, kind: 'update_ignored', actor: this.actor, detail: `delete with payloadID ${envelope.payloadID} for an order already cancelled; nothing changed` });
      return { orderRowId: o.id, detail: `${this.orderName} is already cancelled; nothing changed.`, logDetail: `order ${h.orderID} already cancelled: delete ignored` };
    }
    const lines = await this.db.selectFrom('order_lines').selectAll().where('order_id', '=', o.id).execute();
    const shipped = sum(lines.map((l) => dec(l.shipped_quantity)));
    const invoiced = sum(lines.map((l) => dec(l.invoiced_quantity)));
    const flags = parseFlags(o.review);
    const late = !shipped.isZero() || !invoiced.isZero();
    if (late) {
      flags.push({ code: 'fulfilment', message: `Cancelled by the buyer after ${formatDecimal(shipped)} unit(s) were shipped and ${formatDecimal(invoiced)} invoiced: stop or take back the shipment and credit what was invoiced.` });
    }
    await this.db
      .updateTable('orders')
      .set({ status: 'cancelled', updated_at: this.now, review: JSON.stringify(flags), ...(late ? { reviewed_at: null, reviewed_by: null } : {}) })
      .where('id', '=', o.id)
      .execute();
    await recordOrderEvent(this.tctx, { orderId: o.id, kind: 'cancelled', actor: this.actor, fromStatus: o.status, toStatus: 'cancelled', detail: `cancelled by the buyer (payloadID ${envelope.payloadID})${late ? `; ${formatDecimal(shipped)} shipped and ${formatDecimal(invoiced)} invoiced before` : ''}` });
    await emitOrderEvent(this.tctx, 'order.cancelled', o.id);
    return { orderRowId: o.id, detail: `${this.orderName} cancelled.`, logDetail: `order ${h.orderID} cancelled${late ? ' after shipping or invoicing (flagged for review)' : ''}` };
  }

  private versionEntry(): VersionEntry {
    return { payloadId: this.envelope.payloadID, type: this.h.type, orderVersion: this.h.orderVersion ?? null, at: this.now };
  }
}

// ---- lines ----------------------------------------------------------------------------------

interface LineData extends ReviewLineInput {
  readonly description: string;
  readonly details: string;
}

function lineData(item: ItemOut, index: number, orderCurrency: string): LineData {
  const d = item.itemDetail;
  const pbq = d?.priceBasisQuantity;
  return {
    lineNumber: item.lineNumber ?? index + 1,
    supplierPartId: item.itemID.supplierPartID,
    auxId: item.itemID.supplierPartAuxiliaryID ?? null,
    quantity: item.quantity,
    unit: d?.unitOfMeasure ?? '',
    unitPrice: d ? d.unitPrice.amount : new Decimal(0),
    ...(pbq ? { priceBasis: { quantity: pbq.quantity, conversionFactor: pbq.conversionFactor } } : {}),
    currency: d?.unitPrice.currency ?? orderCurrency,
    isAdHoc: item.isAdHoc,
    // An ad-hoc line is free text: the long description is all there is, so the first text wins.
    description: d ? d.descriptions.map((x) => x.shortName ?? x.text).find((t) => t.trim()) ?? '' : '',
    details: JSON.stringify({
      descriptions: d?.descriptions,
      classifications: d?.classifications,
      manufacturerPartID: d?.manufacturerPartID,
      manufacturerName: d?.manufacturerName,
      priceBasisQuantity: pbq ? { quantity: formatDecimal(pbq.quantity), conversionFactor: formatDecimal(pbq.conversionFactor), unitOfMeasure: pbq.unitOfMeasure } : undefined,
      buyerPartID: item.itemID.buyerPartID,
      operation: item.operation,
      requestedDeliveryDate: item.requestedDeliveryDate?.raw,
      shipTo: item.shipTo,
      shipping: item.shipping,
      tax: item.tax,
      distributions: item.distributions,
      contacts: item.contacts,
      comments: item.comments,
      extrinsics: [...item.extrinsics, ...(d?.extrinsics ?? [])],
    }),
  };
}

function lineColumns(line: LineData, review: { productId: string | null; cartLineId: string | null; flags: readonly ReviewFlag[] }) {
  return {
    line_number: line.lineNumber,
    supplier_part_id: line.supplierPartId,
    aux_id: line.auxId,
    description: line.description,
    quantity: formatDecimal(line.quantity),
    unit: line.unit,
    unit_price: formatDecimal(line.unitPrice),
    currency: line.currency,
    is_ad_hoc: line.isAdHoc ? 1 : 0,
    details: line.details,
    product_id: review.productId,
    cart_line_id: review.cartLineId,
    review: JSON.stringify(review.flags),
  };
}

function reviewInput(h: OrderRequestHeader, lines: readonly LineData[]): ReviewOrderInput {
  return {
    currency: h.total.currency,
    total: h.total.amount,
    ...(h.shipping ? { shipping: h.shipping.money.amount } : {}),
    ...(h.tax ? { tax: h.tax.money.amount } : {}),
    lines,
  };
}

/** "5 shipped and 2 invoiced", or undefined when nothing of the line went out yet. */
function fulfilment(l: LineRow): string | undefined {
  const parts: string[] = [];
  if (!dec(l.shipped_quantity).isZero()) parts.push(`${l.shipped_quantity} shipped`);
  if (!dec(l.invoiced_quantity).isZero()) parts.push(`${l.invoiced_quantity} invoiced`);
  else if (!dec(l.invoiced_amount).isZero()) parts.push(`${l.invoiced_amount} invoiced`);
  return parts.length ? parts.join(' and ') : undefined;
}

function belowFulfilled(old: LineRow, quantity: Decimal): ReviewFlag[] {
  const shipped = dec(old.shipped_quantity);
  const invoiced = dec(old.invoiced_quantity);
  if (quantity.gte(shipped) && quantity.gte(invoiced)) return [];
  return [{ code: 'fulfilment', message: `Line ${old.line_number}: the change order asks for ${formatDecimal(quantity)}, but ${fulfilment(old)} already.` }];
}

/**
 * A change of unit or currency on a line with goods already shipped or invoiced: the earlier
 * documents counted in the old unit or currency, so the figures no longer add up. Accepted (the
 * buyer's system has already moved on) but a person has to sort it out.
 */
function termsChanged(old: LineRow, line: LineData): ReviewFlag[] {
  const done = fulfilment(old);
  if (!done) return [];
  const changes: string[] = [];
  if (old.unit.trim().toUpperCase() !== line.unit.trim().toUpperCase()) changes.push(`unit ${old.unit || '(none)'} → ${line.unit || '(none)'}`);
  if (old.currency !== line.currency) changes.push(`currency ${old.currency} → ${line.currency}`);
  if (!changes.length) return [];
  return [{ code: 'fulfilment', message: `Line ${old.line_number}: the change order switches ${changes.join(' and ')}, but ${done} already (in ${old.unit || 'no unit'}, ${old.currency}); further documents for this line will not match the earlier ones.` }];
}

function flagSummary(review: OrderReview): string {
  const count = review.flags.length + review.lines.reduce((n, l) => n + l.flags.length, 0);
  return count ? `; ${count} review flag(s)` : '';
}

function parseFlags(text: string): ReviewFlag[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v as ReviewFlag[]) : [];
  } catch {
    return [];
  }
}

// ---- header ---------------------------------------------------------------------------------

function orderDate(h: OrderRequestHeader): string {
  return h.orderDate.instant ? iso(h.orderDate.instant) : h.orderDate.dateOnly ?? h.orderDate.raw;
}

/** Addresses, shipping, tax, payment (the reader masked the card number), comments with attachment URLs, extrinsics. */
function headerJson(h: OrderRequestHeader, versions: readonly VersionEntry[]): string {
  return JSON.stringify({
    shipTo: h.shipTo,
    billTo: h.billTo,
    shipping: h.shipping,
    tax: h.tax,
    payment: h.payment,
    paymentTermDays: h.paymentTermDays,
    contacts: h.contacts,
    comments: h.comments,
    extrinsics: h.extrinsics,
    documentReference: h.documentReference,
    requisitionID: h.requisitionID,
    orderType: h.orderType,
    requestedDeliveryDate: h.requestedDeliveryDate?.raw,
    supplierOrderId: h.supplierOrderId,
    versions,
  });
}

function versionsOf(o: OrderRow): VersionEntry[] {
  try {
    const v = (JSON.parse(o.header) as { versions?: unknown }).versions;
    return Array.isArray(v) ? (v as VersionEntry[]) : [];
  } catch {
    return [];
  }
}

// ---- checks ---------------------------------------------------------------------------------

/**
 * A line with neither a part ID nor the ad-hoc flag cannot be matched or reviewed; two lines with
 * one number could not be told apart by confirmations, ship notices, invoices and change orders.
 */
function lineProblem(order: OrderRequest): string | undefined {
  const seen = new Set<number>();
  // A delete's lines are not stored: only what identifies them matters there.
  const stored = order.header.type !== 'delete';
  for (const [i, item] of order.items.entries()) {
    const n = item.lineNumber ?? i + 1;
    // Confirmations, ship notices and invoices can only name lines 1 and up (cXML lineNumber).
    if (n < 1) return `The line with lineNumber="${n}" (ItemOut ${i + 1}, ${show(item.itemID.supplierPartID)}) cannot be confirmed, shipped or invoiced: line numbers start at 1.`;
    if (!item.itemID.supplierPartID.trim() && !item.isAdHoc) {
      return `Line ${n} has no SupplierPartID and is not marked isAdHoc="yes".`;
    }
    if (seen.has(n)) return `Line number ${n} appears twice; every ItemOut needs a lineNumber of its own.`;
    seen.add(n);
    // Nothing could ever be confirmed, shipped or invoiced on it.
    if (stored && !item.quantity.gt(0)) return `Line ${n} (${show(item.itemID.supplierPartID)}) has quantity ${formatDecimal(item.quantity)}; an ordered quantity must be more than 0. Remove the line instead.`;
  }
  return undefined;
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'));
}

interface Receipt {
  readonly response: string;
  readonly orderId: string | null;
  readonly connectionId: string;
}

/** The stored answer to a payloadID, and which connection sent it. */
async function receiptFor(ctx: AppContext, payloadId: string): Promise<Receipt | undefined> {
  const row = await ctx.db.selectFrom('cxml_receipts').select(['response', 'order_id', 'connection_id']).where('payload_id', '=', payloadId).executeTakeFirst();
  return row ? { response: row.response, orderId: row.order_id, connectionId: row.connection_id } : undefined;
}

/**
 * The payloadID is already the key of another buyer's document. That buyer's answer is not
 * ours to give, and storing cannot succeed, so this is final (409), not a 500 to retry forever.
 */
async function payloadIdTaken(ctx: AppContext, connection: Connection, envelope: Envelope<OrderRequest>, body: string, note: string | undefined): Promise<CxmlAnswer> {
  const detail = `The payloadID ${show(envelope.payloadID)} was already used by another sender; every cXML document needs a payloadID of its own. Nothing was stored.`;
  const xml = statusAnswer(ctx, 409, detail, connection.options.cxml.version);
  await logInOut(ctx, { docType: 'OrderRequest', requestBody: body, envelope, connectionId: connection.id, status: 409, detail, answer: xml, answerType: 'Response', note });
  return { httpStatus: 200, xml };
}
