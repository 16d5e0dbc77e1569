/**
 * Purchase orders and the OrderRequests sent for them. A purchase order lives on its own (a
 * re-order or a recurring order has no punchout); every message sent for it — the `new`, each
 * `update` (change order, orderVersion + 1, DocumentReference to the previous accepted message)
 * and the `delete` — is a row in sandbox_po_messages with its exchange.
 *
 * Sending once: a message is claimed (status `sending`) in the transaction that creates or changes
 * the order, guarded by conditional updates, so a double press sends one document. A message that
 * was not delivered (`failed`) may be sent again byte for byte: the writer is pure, so the same
 * input (kept as JSON next to the exchange, without the SharedSecret) gives the same document.
 */
import { randomBytes } from 'node:crypto';
import { CxmlError } from '../../protocol/cxml/errors.js';
import { newPayloadId } from '../../protocol/cxml/payload-id.js';
import { readCxml } from '../../protocol/cxml/reader.js';
import { CxmlWriteError, writeOrderRequest, type ItemOutInput, type OrderRequestInput, type WriteContext } from '../../protocol/cxml/writer.js';
import { readOciCartForm } from '../../protocol/oci/cart-form-reader.js';
import { Decimal, isCurrencyCode, minorUnits } from '../../protocol/money.js';
import type { Store } from '../../store/database.js';
import type { SandboxPoMessageTable, SandboxPurchaseOrderTable } from '../../store/schema.js';
import { DEMO_BILL_TO, DEMO_END_USER, DEMO_SHIP_TO, DEMO_USER } from '../buyer.js';
import { documentsForPurchaseOrder, voidedInvoices } from '../documents.js';
import { OrderBuildError, orderItemsFromCxml, orderItemsFromOci, orderTotal, UNKNOWN_UNSPSC } from '../order-request.js';
import { findPunchout, type SupplierExchange } from '../punchout-record.js';
import { cxmlHeader, shownCxmlHeader, type SandboxSettings } from '../settings.js';
import { exchangeOf, postCxmlDocument, type CxmlExchangeResult } from '../supplier-client.js';
import { listRules, stepsFor, type PlannedStep } from './approval-rules.js';
import { inTransaction, recommitForOrder } from './budgets.js';
import { datedNumber, newId, nextNumber, recordEvent } from './history.js';
import { threeWayMatch, type LineMatch } from './match.js';
import {
  ProcurementError,
  type PoLine,
  type PoMessage,
  type PoMessageStatus,
  type PoMessageType,
  type ProcurementDeps,
  type PurchaseOrder,
  type PurchaseOrderStatus,
  type Requisition,
  type SandboxActor,
  type ApprovalStep,
} from './model.js';
import { QUANTITY_DECIMALS, QUANTITY_INTEGER_DIGITS, readQuantity } from './quantities.js';
import { lockPurchaseOrderRow, receiptsFor } from './receipts.js';
import { findRequisition, stepsOf } from './requisitions.js';

const LANG = 'en-US';
/** A `sending` claim older than this is taken to be from a request that died; it may be sent again. */
export const STALE_SENDING_MS = 60_000;

// ---- rows ---------------------------------------------------------------------------------------

function poFromRow(row: SandboxPurchaseOrderTable): PurchaseOrder {
  return {
    id: row.id,
    orderId: row.order_id,
    requisitionId: row.requisition_id,
    punchoutId: row.punchout_id,
    supplier: JSON.parse(row.supplier) as SandboxSettings,
    status: row.status as PurchaseOrderStatus,
    version: Number(row.version),
    total: row.total,
    currency: row.currency,
    orderXml: row.order_xml,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** What the exchange column holds: the last exchange and what rebuilds the document exactly. */
interface StoredExchange {
  readonly exchange?: SupplierExchange;
  readonly rebuild?: string;
}

function parseExchange(text: string | null): StoredExchange {
  if (text === null) return {};
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    // Rows copied from punchouts by migration 0007 hold a bare SupplierExchange.
    if ('payloadID' in value) return { exchange: value as unknown as SupplierExchange };
    return value as StoredExchange;
  } catch {
    return {};
  }
}

function messageFromRow(row: SandboxPoMessageTable): PoMessage {
  return {
    id: row.id,
    poId: row.po_id,
    type: row.type as PoMessageType,
    version: Number(row.version),
    payloadId: row.payload_id,
    xml: row.xml,
    status: row.status as PoMessageStatus,
    attempts: Number(row.attempts),
    exchange: parseExchange(row.exchange).exchange ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findPurchaseOrder(db: Store, id: string): Promise<PurchaseOrder | undefined> {
  const row = await db.selectFrom('sandbox_purchase_orders').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? poFromRow(row) : undefined;
}

/** Newest first. */
export async function listPurchaseOrders(db: Store, limit = 200): Promise<PurchaseOrder[]> {
  const rows = await db.selectFrom('sandbox_purchase_orders').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
  return rows.map(poFromRow);
}

/** The OrderRequests sent for one order, oldest first. */
export async function messagesFor(db: Store, poId: string): Promise<PoMessage[]> {
  const rows = await db.selectFrom('sandbox_po_messages').selectAll().where('po_id', '=', poId).orderBy('version').execute();
  return rows.map(messageFromRow);
}

// ---- the order's lines --------------------------------------------------------------------------

/** The lines of the OrderRequest last sent for the order (its stored copy is the truth). */
export function poLines(po: PurchaseOrder): PoLine[] {
  let payload;
  try {
    payload = readCxml(po.orderXml).envelope.payload;
  } catch (e) {
    if (e instanceof CxmlError) return [];
    throw e;
  }
  if (payload.kind !== 'OrderRequest') return [];
  return payload.items.map((item, i) => {
    const d = item.itemDetail;
    const aux = item.itemID.supplierPartAuxiliaryID;
    return {
      lineNumber: item.lineNumber ?? i + 1,
      supplierPartID: item.itemID.supplierPartID,
      ...(aux !== undefined && aux !== '' ? { auxID: aux } : {}),
      description: d?.descriptions[0]?.shortName || d?.descriptions[0]?.text || '',
      quantity: item.quantity.toFixed(),
      unit: d?.unitOfMeasure ?? '',
      unitPrice: d ? d.unitPrice.amount.toFixed() : '0',
      currency: d?.unitPrice.currency ?? payload.header.total.currency,
    };
  });
}

// ---- building the documents (pure) --------------------------------------------------------------

/** ItemOut lines from requisition lines (re-orders, recurring orders, edited lines). */
export function itemsFromRequisition(requisition: Requisition): ItemOutInput[] {
  return requisition.lines.map((l) => ({
    quantity: new Decimal(l.quantity),
    lineNumber: l.line,
    ...(l.supplierPartID === '' ? { isAdHoc: true } : {}),
    itemID: { supplierPartID: l.supplierPartID, ...(l.auxID ? { supplierPartAuxiliaryID: l.auxID } : {}) },
    itemDetail: {
      unitPrice: { amount: new Decimal(l.unitPrice), currency: l.currency },
      descriptions: [{ lang: LANG, text: l.description }],
      unitOfMeasure: l.unit || 'EA',
      classifications: [l.classification ?? { domain: 'UNSPSC', code: UNKNOWN_UNSPSC }],
    },
  }));
}

/** The header every OrderRequest of the sandbox carries: the demo buyer's addresses, the requester, the cost center. */
export function orderHeader(input: {
  orderID: string;
  orderDate: Date;
  total: { amount: Decimal; currency: string };
  costCenter: string;
  requester: { name: string; email: string };
  requisitionNumber?: string;
}): OrderRequestInput['header'] {
  return {
    orderID: input.orderID,
    orderDate: input.orderDate,
    type: 'new',
    ...(input.requisitionNumber ? { requisitionID: input.requisitionNumber } : {}),
    total: input.total,
    shipTo: DEMO_SHIP_TO,
    billTo: DEMO_BILL_TO,
    contacts: [{ ...DEMO_END_USER, name: input.requester.name, email: input.requester.email }],
    comments: [{ lang: LANG, text: 'Test order placed from the Koppel buyer sandbox.' }],
    extrinsics: [
      { name: 'UserEmail', value: input.requester.email },
      { name: 'CostCenter', value: input.costCenter },
    ],
  };
}

/** A plain decimal: no sign, exponent, hex or spaces inside (its size is checked by readQuantity). */
const CHANGE_QUANTITY = /^\d+(\.\d+)?$/;

/**
 * A typed change quantity, read strictly (surrounding spaces trimmed): Decimal would also take
 * "0x10", "1e1" or "1e-30", which no one means as a quantity. At most 11 digits before the point
 * and 3 after it, as every quantity the sandbox keeps (quantities.ts): a finer one could never be
 * received in full through the receipt form.
 *
 * @throws ProcurementError 422 naming the field `qty-<line>`.
 */
export function parseChangeQuantity(line: number, typed: string): Decimal {
  const text = typed.trim();
  if (!CHANGE_QUANTITY.test(text)) {
    throw new ProcurementError(
      `Line ${line}: "${typed}" is not a quantity; type a plain number such as 3 or 2.5 (0 removes the line; at most ${QUANTITY_INTEGER_DIGITS} digits before and ${QUANTITY_DECIMALS} after the point).`,
      `qty-${line}`,
      422,
    );
  }
  const read = readQuantity(text, `Line ${line}: quantity`);
  if (!read.ok) throw new ProcurementError(read.problem, `qty-${line}`, 422);
  return read.value;
}

/**
 * A change order: the previous document with new quantities (0 removes a line; the others keep
 * their line numbers), orderVersion and DocumentReference set, the total recomputed.
 *
 * @throws ProcurementError for an unknown line, a bad quantity, or nothing left to order.
 */
export function changedOrder(
  previous: OrderRequestInput,
  change: { type: 'update' | 'delete'; orderVersion: number; previousPayloadID: string; quantities?: ReadonlyMap<number, string> },
): OrderRequestInput {
  const known = new Set(previous.items.map((it, i) => it.lineNumber ?? i + 1));
  for (const n of change.quantities?.keys() ?? []) {
    if (!known.has(n)) throw new ProcurementError(`Line ${n} is not a line of this order.`, `qty-${n}`, 422);
  }
  const items: ItemOutInput[] = [];
  for (const [i, item] of previous.items.entries()) {
    const n = item.lineNumber ?? i + 1;
    const typed = change.quantities?.get(n);
    let quantity = item.quantity;
    if (typed !== undefined) quantity = parseChangeQuantity(n, typed);
    if (quantity.isZero()) continue;
    items.push({ ...item, lineNumber: n, quantity });
  }
  if (items.length === 0) throw new ProcurementError('A change cannot remove every line; cancel the order instead.', undefined, 422);
  const total = orderTotal(items);
  return {
    ...previous,
    header: { ...previous.header, type: change.type, orderVersion: change.orderVersion, documentReference: change.previousPayloadID, total },
    items,
  };
}

/** What an order has had so far: per line received (net of returns) and invoiced (net of credits), and its invoices that count. */
export interface Delivered {
  readonly lines: readonly Pick<LineMatch, 'lineNumber' | 'unit' | 'ordered' | 'received' | 'invoiced'>[];
  /** Invoice numbers of accepted invoices not deleted (credit memos not included). */
  readonly invoices: readonly string[];
}

/**
 * Why the order cannot be cancelled, or undefined — pure. Goods kept or an invoice accepted make
 * the order real: cancelling it would release the budget for spend that happened. Shipped but not
 * received does not block (the supplier decides whether it accepts the cancellation).
 */
export function whyNotCancellable(orderId: string, delivered: Delivered): string | undefined {
  const parts = cancelBlockers(delivered);
  if (parts.length === 0) return undefined;
  return (
    `Purchase order ${orderId} cannot be cancelled: ${parts.join('; ')}. ` +
    'To stop what is still open, lower the quantities with a change order (not below what was received or invoiced). ' +
    'To cancel it all, first send the goods back (a goods receipt with a negative quantity) and have the supplier delete its invoices.'
  );
}

/** What keeps an order from being cancelled ("line 1: 8 EA received", "invoice INV-1 accepted") — pure. */
function cancelBlockers(delivered: Delivered): string[] {
  const parts = delivered.lines
    .filter((l) => new Decimal(l.received).gt(0))
    .map((l) => `line ${l.lineNumber}: ${l.received}${l.unit ? ` ${l.unit}` : ''} received`);
  if (delivered.invoices.length > 0) parts.push(`invoice ${delivered.invoices.join(', ')} accepted`);
  return parts;
}

/**
 * The first line a change lowers below what was received or invoiced on it (removing it counts as
 * 0), as a 409 naming the line, or undefined — pure. Lines the change leaves as they were are not
 * checked (an over-invoiced line must not block a change elsewhere).
 */
export function changeBelowDelivered(next: OrderRequestInput, delivered: Delivered): ProcurementError | undefined {
  const quantities = new Map(next.items.map((it, i) => [it.lineNumber ?? i + 1, it.quantity]));
  for (const l of delivered.lines) {
    const received = new Decimal(l.received);
    const invoiced = new Decimal(l.invoiced);
    const floor = Decimal.max(received, invoiced);
    const q = quantities.get(l.lineNumber) ?? new Decimal(0);
    if (!floor.gt(0) || !q.lt(l.ordered) || !q.lt(floor)) continue;
    const unit = l.unit ? ` ${l.unit}` : '';
    const had = [received.gt(0) ? `${received.toFixed()}${unit} received` : '', invoiced.gt(0) ? `${invoiced.toFixed()}${unit} invoiced` : ''].filter((x) => x !== '').join(' and ');
    const what = q.isZero() ? 'cannot be removed' : `cannot be lowered to ${q.toFixed()}${unit}`;
    const fix = [received.gt(0) ? 'record goods sent back (a negative goods receipt)' : '', invoiced.gt(0) ? 'have the supplier credit or delete the invoice' : ''].filter((x) => x !== '').join(' and ');
    return new ProcurementError(`Line ${l.lineNumber} ${what}: ${had} already; it can go down to ${floor.toFixed()}${unit}. To go lower, first ${fix}.`, `qty-${l.lineNumber}`, 409);
  }
  return undefined;
}

/** Why the order cannot be cancelled now (goods received or an invoice accepted), or undefined: for the order page, which then offers no cancel form. */
export async function cancelRefusal(db: Store, po: PurchaseOrder): Promise<string | undefined> {
  return whyNotCancellable(po.orderId, await deliveredSoFar(db, po));
}

/** What the order has had so far (see Delivered), read with `db` — inside the caller's transaction, after its claim. */
async function deliveredSoFar(db: Store, po: PurchaseOrder): Promise<Delivered> {
  const documents = await documentsForPurchaseOrder(db, po.id);
  const match = threeWayMatch({ lines: poLines(po), receipts: await receiptsFor(db, po.id), documents });
  const voided = voidedInvoices(documents);
  const invoices = documents.flatMap((d) => {
    const c = d.summary.content;
    const counts = d.status === 'accepted' && c?.kind === 'InvoiceDetailRequest' && c.operation !== 'delete' && !voided.has(d.id) && !c.purpose.toLowerCase().includes('credit');
    return counts ? [c.invoiceID] : [];
  });
  return { lines: match.lines, invoices };
}

/** The document input as JSON, Decimals and Dates kept exactly, so a resend writes the same bytes. */
export function encodeDocument(doc: { input: OrderRequestInput; payloadID: string; timestamp: string; version: string }): string {
  return JSON.stringify(doc, function (this: Record<string, unknown>, key: string, value: unknown) {
    const original = this[key];
    if (Decimal.isDecimal(original)) return { $decimal: (original as Decimal).toString() };
    if (original instanceof Date) return { $date: original.toISOString() };
    return value;
  });
}

export function decodeDocument(text: string): { input: OrderRequestInput; payloadID: string; timestamp: string; version: string } {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const v = value as Record<string, unknown>;
      if (typeof v.$decimal === 'string' && Object.keys(v).length === 1) return new Decimal(v.$decimal);
      if (typeof v.$date === 'string' && Object.keys(v).length === 1) return new Date(v.$date);
    }
    return value;
  });
}

/** The document to send and its copy to keep (SharedSecret redacted), from one input. */
function writeBoth(settings: SandboxSettings, doc: { input: OrderRequestInput; payloadID: string; timestamp: string; version: string }): { xml: string; shown: string } {
  const ctx: WriteContext = { payloadID: doc.payloadID, timestamp: new Date(doc.timestamp), version: doc.version };
  return {
    xml: writeOrderRequest(ctx, cxmlHeader(settings), doc.input),
    shown: writeOrderRequest(ctx, shownCxmlHeader(settings), doc.input),
  };
}

/** 2xx with HTTP 200: accepted; a cXML 4xx: rejected (final); anything else: failed (may be sent again). */
export function messageOutcome(result: CxmlExchangeResult): { status: 'accepted' | 'rejected' | 'failed'; error?: string } {
  const code = result.status?.code;
  if (!result.error && result.httpStatus === 200 && code !== undefined && code >= 200 && code <= 299) return { status: 'accepted' };
  if (!result.error && code !== undefined && code >= 400 && code <= 499) {
    return { status: 'rejected', error: `The supplier rejected the document: cXML ${code} ${result.status!.text}. A 4xx is final; fix the cause first.` };
  }
  return { status: 'failed', error: result.error ?? `The document was not accepted (HTTP ${result.httpStatus ?? '—'}, cXML ${code ?? '—'}); it may be sent again.` };
}

// ---- placing ------------------------------------------------------------------------------------

/** Decimal text with the currency's minor units (more when the amount has more). */
function amountText(value: Decimal, currency: string): string {
  const places = isCurrencyCode(currency) ? minorUnits(currency) : 2;
  return value.toFixed(Math.max(places, value.decimalPlaces()));
}

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function payloadHost(deps: ProcurementDeps): string {
  try {
    return new URL(deps.config.baseUrl).hostname || 'koppel.sandbox';
  } catch {
    return 'koppel.sandbox';
  }
}

async function requesterOf(db: Store, id: string): Promise<{ name: string; email: string }> {
  const row = await db.selectFrom('sandbox_people').select(['name', 'email']).where('id', '=', id).executeTakeFirst();
  return row ? { name: row.name, email: row.email } : { name: DEMO_USER.name, email: DEMO_USER.email };
}

/** Thrown when the stored cart no longer is the one the requisition was approved with. */
export class CartChangedError extends Error {}

/**
 * Where the items built from a punchout's stored cart differ from the approved requisition's lines
 * (line numbers, SupplierPartID, aux ID, quantity, unit price, currency), or undefined — pure.
 */
export function cartDisagreement(items: readonly ItemOutInput[], lines: Requisition['lines']): string | undefined {
  const byLine = new Map(lines.map((l) => [l.line, l]));
  const seen = new Set<number>();
  for (const it of items) {
    const n = it.lineNumber!;
    const l = byLine.get(n);
    if (!l) return `line ${n} of the cart is not in the requisition`;
    seen.add(n);
    const diffs: string[] = [];
    if (it.itemID.supplierPartID !== l.supplierPartID) diffs.push(`SupplierPartID "${it.itemID.supplierPartID}" instead of "${l.supplierPartID}"`);
    if ((it.itemID.supplierPartAuxiliaryID ?? '') !== (l.auxID ?? '')) diffs.push(`aux ID "${it.itemID.supplierPartAuxiliaryID ?? ''}" instead of "${l.auxID ?? ''}"`);
    if (!it.quantity.equals(new Decimal(l.quantity))) diffs.push(`quantity ${it.quantity.toFixed()} instead of ${l.quantity}`);
    const price = it.itemDetail?.unitPrice;
    if (!price || !price.amount.equals(new Decimal(l.unitPrice))) diffs.push(`unit price ${price ? price.amount.toFixed() : 'none'} instead of ${l.unitPrice}`);
    if (!price || price.currency.toUpperCase() !== l.currency.toUpperCase()) diffs.push(`currency ${price?.currency ?? 'none'} instead of ${l.currency}`);
    if (diffs.length > 0) return `line ${n}: ${diffs.join(', ')}`;
  }
  const missing = lines.filter((l) => !seen.has(l.line)).map((l) => l.line);
  if (missing.length > 0) return `line(s) ${missing.join(', ')} of the requisition are not in the cart`;
  return undefined;
}

/** ItemOut lines for a requisition: a punchout's cart exactly as the supplier sent it, else the requisition lines. */
async function itemsFor(db: Store, requisition: Requisition): Promise<{ items: ItemOutInput[]; total: { amount: Decimal; currency: string } }> {
  const p = requisition.source === 'punchout' && requisition.punchoutId ? await findPunchout(db, requisition.punchoutId) : undefined;
  if (p && p.cartRaw !== null && p.cartFormat !== null) {
    const byLine = new Map(requisition.lines.map((l) => [l.line, l]));
    // The requisition may have been edited as a draft: its quantities count, a removed line goes.
    const keep = (n: number) => byLine.size === 0 || byLine.has(n);
    const qty = (n: number, fallback: Decimal) => {
      const l = byLine.get(n);
      return l ? new Decimal(l.quantity) : fallback;
    };
    // The order sent must be the one approved: a later cart must not slip other lines or prices in.
    const agree = (items: readonly ItemOutInput[]) => {
      const diff = cartDisagreement(items, requisition.lines);
      if (diff) throw new CartChangedError(diff);
    };
    if (p.cartFormat === 'cxml') {
      const poom = readCxml(p.cartRaw).envelope.payload;
      if (poom.kind !== 'PunchOutOrderMessage') throw new OrderBuildError('The stored cart is not a PunchOutOrderMessage.');
      // A Status 204 cart carries no order (its items are ignored); it cannot be what was approved.
      if (poom.status?.code === 204) throw new CartChangedError('the stored cart is a Status 204 (no change) return');
      const items = orderItemsFromCxml(poom.items)
        .filter((it) => keep(it.lineNumber!))
        .map((it) => ({ ...it, quantity: qty(it.lineNumber!, it.quantity) }));
      agree(items);
      return { items, total: orderTotal(items) };
    }
    const ociLines = readOciCartForm(JSON.parse(p.cartRaw) as [string, string][]).lines;
    const built = orderItemsFromOci(ociLines);
    const pairs = built.items
      .map((it, i) => ({ it, oci: ociLines[i]! }))
      .filter(({ it }) => keep(it.lineNumber!))
      .map(({ it, oci }) => {
        const q = qty(it.lineNumber!, it.quantity);
        return { it: { ...it, quantity: q }, oci: { ...oci, quantity: q } };
      });
    const items = pairs.map((x) => x.it);
    agree(items);
    return { items, total: orderTotal(items, pairs.map((x) => x.oci)) };
  }
  const items = itemsFromRequisition(requisition);
  return { items, total: orderTotal(items) };
}

/**
 * Places the purchase order of an approved requisition: a new PO row (SBX-… number), the
 * OrderRequest type `new` written and POSTed to the supplier, the answer recorded; the
 * requisition becomes `ordered`. Never throws for supplier trouble: the PO shows it. Called twice
 * for one requisition, it returns the order placed by the first call and sends nothing.
 *
 * @throws ProcurementError when the order cannot be built from the requisition.
 */
export async function placePurchaseOrder(deps: ProcurementDeps, requisition: Requisition, actor: SandboxActor): Promise<PurchaseOrder> {
  const { db } = deps;
  const existing = await existingOrderOf(db, requisition.id);
  if (existing) return existing;

  const at = deps.now();
  let built: Awaited<ReturnType<typeof itemsFor>>;
  try {
    built = await itemsFor(db, requisition);
  } catch (e) {
    if (e instanceof CartChangedError) {
      await recordEvent(db, { subjectType: 'requisition', subjectId: requisition.id, actor, kind: 'cart changed', text: `The cart changed since approval (${e.message}); nothing was sent to the supplier. Cancel this requisition and order again from a new punchout.`, at });
      throw new ProcurementError(`the cart changed since approval (${e.message}); nothing was sent to the supplier. Cancel this requisition and order again from a new punchout`);
    }
    if (e instanceof OrderBuildError || e instanceof CxmlError) throw new ProcurementError(`The purchase order could not be built: ${e.message}`);
    throw e;
  }
  const requester = await requesterOf(db, requisition.requesterId);
  const orderID = datedNumber('SBX', at, await nextNumber(db, 'po'));
  const input: OrderRequestInput = {
    header: orderHeader({ orderID, orderDate: at, total: built.total, costCenter: requisition.costCenter, requester, requisitionNumber: requisition.number }),
    items: built.items,
  };
  const payloadID = newPayloadId(payloadHost(deps), at, () => randomToken(9));
  const doc = { input, payloadID, timestamp: at.toISOString(), version: requisition.supplier.cxmlVersion };
  let written: { xml: string; shown: string };
  try {
    written = writeBoth(requisition.supplier, doc);
  } catch (e) {
    if (e instanceof CxmlWriteError) throw new ProcurementError(`The purchase order could not be written: ${e.message}`);
    throw e;
  }

  const poId = newId('po');
  const messageId = newId('pm');
  const iso = at.toISOString();
  const total = amountText(built.total.amount, built.total.currency);
  const placed = await inTransaction(db, async (trx) => {
    // The guard: only the first caller links the requisition to an order, and only while it is
    // still approved (a cancellation between approval and this claim wins; nothing is sent).
    const linked = await trx
      .updateTable('sandbox_requisitions')
      .set({ po_id: poId, status: 'ordered', updated_at: iso })
      .where('id', '=', requisition.id)
      .where('po_id', 'is', null)
      .where('status', '=', 'approved')
      .executeTakeFirst();
    if (Number(linked.numUpdatedRows) !== 1) return false;
    await trx
      .insertInto('sandbox_purchase_orders')
      .values({
        id: poId,
        order_id: orderID,
        requisition_id: requisition.id,
        punchout_id: requisition.punchoutId,
        supplier: JSON.stringify(requisition.supplier),
        // Until the supplier answers: not delivered.
        status: 'failed',
        version: 1,
        total,
        currency: built.total.currency,
        order_xml: written.shown,
        created_at: iso,
        updated_at: iso,
      })
      .execute();
    await trx
      .insertInto('sandbox_po_messages')
      .values({ id: messageId, po_id: poId, type: 'new', version: 1, payload_id: payloadID, xml: written.shown, status: 'sending', attempts: 1, exchange: JSON.stringify({ rebuild: encodeDocument(doc) }), created_at: iso, updated_at: iso })
      .execute();
    await recordEvent(trx, { subjectType: 'po', subjectId: poId, actor, kind: 'created', text: `Purchase order ${orderID} created from requisition ${requisition.number}: ${built.items.length} line(s), ${total} ${built.total.currency}.`, at });
    await recordEvent(trx, { subjectType: 'requisition', subjectId: requisition.id, actor, kind: 'ordered', text: `Purchase order ${orderID} placed.`, at });
    return true;
  });
  if (!placed) {
    const other = await existingOrderOf(db, requisition.id);
    if (other) return other;
    throw notApproved(requisition, await requisitionStatus(db, requisition.id));
  }
  await send(deps, { poId, messageId, type: 'new', xml: written.xml, payloadID, actor, claimedAt: iso });
  return (await findPurchaseOrder(db, poId))!;
}

async function requisitionStatus(db: Store, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('sandbox_requisitions').select('status').where('id', '=', id).executeTakeFirst();
  return row?.status;
}

/** Thrown when the requisition is no longer approved (cancelled meanwhile): no order is placed. */
export class RequisitionNotApproved extends ProcurementError {}

function notApproved(requisition: Requisition, status: string | undefined): RequisitionNotApproved {
  return new RequisitionNotApproved(
    `Requisition ${requisition.number} is ${status ?? 'gone'}, no longer approved: no purchase order was placed and nothing was sent to the supplier.`,
  );
}

async function existingOrderOf(db: Store, requisitionId: string): Promise<PurchaseOrder | undefined> {
  const req = await db.selectFrom('sandbox_requisitions').select('po_id').where('id', '=', requisitionId).executeTakeFirst();
  return req?.po_id ? findPurchaseOrder(db, req.po_id) : undefined;
}

/** POSTs a claimed message and records the answer on the message, the order and the history. */
async function send(
  deps: ProcurementDeps,
  m: { poId: string; messageId: string; type: PoMessageType; xml: string; payloadID: string; actor: SandboxActor; previous?: { orderXml: string; total: string }; claimedAt: string },
): Promise<PoMessageStatus> {
  const { db } = deps;
  const po = (await findPurchaseOrder(db, m.poId))!;
  const result = await postCxmlDocument(deps.fetch, po.supplier.cxmlUrl, m.xml);
  const at = deps.now();
  const outcome = messageOutcome(result);
  const exchange: SupplierExchange = { ...exchangeOf(result, m.payloadID, at), ...(outcome.error && !result.error ? { error: outcome.error } : {}) };
  await inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('sandbox_po_messages').select(['exchange', 'version']).where('id', '=', m.messageId).executeTakeFirstOrThrow();
    const stored = parseExchange(row.exchange);
    const label = m.type === 'new' ? 'Order' : m.type === 'update' ? `Change (version ${row.version})` : 'Cancellation';
    const answer = result.status ? `cXML ${result.status.code} ${result.status.text}` : result.error ?? `HTTP ${result.httpStatus ?? '—'}`;
    // Only the attempt that holds the claim records its answer: a later attempt (a resend of a
    // send that looked stuck) owns the message now, and its answer decides.
    const recorded = await trx
      .updateTable('sandbox_po_messages')
      .set({ status: outcome.status, exchange: JSON.stringify({ ...stored, exchange }), updated_at: at.toISOString() })
      .where('id', '=', m.messageId)
      .where('status', '=', 'sending')
      .where('updated_at', '=', m.claimedAt)
      .executeTakeFirst();
    if (Number(recorded.numUpdatedRows) !== 1) {
      await recordEvent(trx, { subjectType: 'po', subjectId: m.poId, actor: 'system', kind: 'sent', text: `${label}: a late answer of an earlier attempt (${answer}) was not recorded; a later attempt owns the document.`, at });
      return;
    }
    if (m.type === 'new') {
      const status: PurchaseOrderStatus = outcome.status === 'accepted' ? 'open' : outcome.status;
      await trx.updateTable('sandbox_purchase_orders').set({ status, updated_at: at.toISOString() }).where('id', '=', m.poId).execute();
      if (outcome.status === 'rejected') await recommitForOrder(trx, { poId: m.poId, total: '0', currency: po.currency, at, reason: `Order ${po.orderId} rejected by the supplier` });
    } else if (m.type === 'update' && outcome.status === 'rejected' && m.previous) {
      // The supplier refused the change: the order stays as it was.
      await trx.updateTable('sandbox_purchase_orders').set({ order_xml: m.previous.orderXml, total: m.previous.total, updated_at: at.toISOString() }).where('id', '=', m.poId).execute();
      await recommitForOrder(trx, { poId: m.poId, total: m.previous.total, currency: po.currency, at, reason: `Change of ${po.orderId} rejected by the supplier` });
    } else if (m.type === 'delete' && outcome.status === 'accepted') {
      await trx.updateTable('sandbox_purchase_orders').set({ status: 'cancelled', updated_at: at.toISOString() }).where('id', '=', m.poId).execute();
      await recommitForOrder(trx, { poId: m.poId, total: '0', currency: po.currency, at, reason: `Order ${po.orderId} cancelled` });
      await recordEvent(trx, { subjectType: 'po', subjectId: m.poId, actor: m.actor, kind: 'cancelled', text: `Purchase order ${po.orderId} cancelled; the supplier accepted the cancellation.`, at });
      await cancelRequisitionOfOrder(trx, po, m.actor, at);
    }
    const verdict = outcome.status === 'accepted' ? 'accepted by the supplier' : outcome.status === 'rejected' ? 'rejected by the supplier' : 'not delivered';
    await recordEvent(trx, { subjectType: 'po', subjectId: m.poId, actor: 'system', kind: 'sent', text: `${label} sent to ${po.supplier.cxmlUrl}: ${verdict} (${answer}).`, at });
  });
  return outcome.status;
}

// ---- changing, cancelling, sending again ---------------------------------------------------------

async function lastAccepted(db: Store, poId: string): Promise<{ message: SandboxPoMessageTable; doc: ReturnType<typeof decodeDocument> | undefined } | undefined> {
  const row = await db.selectFrom('sandbox_po_messages').selectAll().where('po_id', '=', poId).where('status', '=', 'accepted').orderBy('version', 'desc').limit(1).executeTakeFirst();
  if (!row) return undefined;
  const rebuild = parseExchange(row.exchange).rebuild;
  return { message: row, doc: rebuild ? decodeDocument(rebuild) : undefined };
}

/** The input of the previous document, from what was kept; orders copied from punchouts keep none: their stored XML is read back. */
function previousInput(po: PurchaseOrder, doc: ReturnType<typeof decodeDocument> | undefined): OrderRequestInput {
  if (doc) return doc.input;
  const payload = readCxml(po.orderXml).envelope.payload;
  if (payload.kind !== 'OrderRequest') throw new ProcurementError('The stored order cannot be read; it cannot be changed.');
  const { header, items } = payload;
  return {
    header: { ...header, billTo: header.billTo ?? DEMO_BILL_TO },
    items: items.map((it, i) => ({ ...it, lineNumber: it.lineNumber ?? i + 1 })),
  } as OrderRequestInput;
}

async function changeOrCancel(
  deps: ProcurementDeps,
  poId: string,
  actor: SandboxActor,
  change: { type: 'update' | 'delete'; quantities?: ReadonlyMap<number, string>; reason?: string },
  seenVersion: number | undefined,
): Promise<PurchaseOrder> {
  const { db } = deps;
  const po = await findPurchaseOrder(db, poId);
  if (!po) throw new ProcurementError('There is no such purchase order.', undefined, 404);
  if (po.status !== 'open') throw new ProcurementError(`Purchase order ${po.orderId} is ${po.status}; only an open order can be ${change.type === 'update' ? 'changed' : 'cancelled'}.`);
  // The page's version: a second person (or tab) whose page is older than a change already sent
  // must look at the order again, or two different changes would both go to the supplier.
  if (seenVersion !== undefined && seenVersion !== po.version) throw new StaleOrderError(po, seenVersion);
  const pending = await db.selectFrom('sandbox_po_messages').select(['version', 'status', 'type']).where('po_id', '=', poId).where('status', 'in', ['sending', 'failed']).executeTakeFirst();
  if (pending) {
    throw new ProcurementError(
      pending.status === 'sending'
        ? 'A document for this order is being sent; reload the page in a moment.'
        : pending.type === 'delete'
          ? `The cancellation (version ${pending.version}) was not delivered; send it again or withdraw it first.`
          : `Version ${pending.version} of this order was not delivered; send it again first.`,
    );
  }
  const previous = await lastAccepted(db, poId);
  if (!previous) throw new ProcurementError('The supplier has accepted no document of this order yet.');

  const at = deps.now();
  const version = po.version + 1;
  const input = changedOrder(previousInput(po, previous.doc), { type: change.type, orderVersion: version, previousPayloadID: previous.message.payload_id, ...(change.quantities ? { quantities: change.quantities } : {}) });
  const withReason: OrderRequestInput =
    change.type === 'delete' && change.reason ? { ...input, header: { ...input.header, comments: [{ lang: LANG, text: `Cancelled: ${change.reason}` }] } } : input;
  const payloadID = newPayloadId(payloadHost(deps), at, () => randomToken(9));
  const doc = { input: withReason, payloadID, timestamp: at.toISOString(), version: po.supplier.cxmlVersion };
  let written: { xml: string; shown: string };
  try {
    written = writeBoth(po.supplier, doc);
  } catch (e) {
    if (e instanceof CxmlWriteError) throw new ProcurementError(`The document could not be written: ${e.message}`);
    throw e;
  }
  const total = amountText(withReason.header.total.amount, po.currency);
  if (change.type === 'update' && total === po.total && sameLines(po, withReason)) {
    throw new ProcurementError('Nothing changed: type the new quantities first.', undefined, 422);
  }
  // A raise must not reach past the approvals the order was given; lowering needs none.
  if (change.type === 'update' && new Decimal(total).gt(po.total)) await refuseUnapprovedRaise(db, po, previousInput(po, previous.doc), total);
  const messageId = newId('pm');
  const iso = at.toISOString();
  await inTransaction(db, async (trx) => {
    // The claim: only one change at a time, and only of the version this request has seen.
    const claimed = await trx
      .updateTable('sandbox_purchase_orders')
      .set({ version, ...(change.type === 'update' ? { order_xml: written.shown, total } : {}), updated_at: iso })
      .where('id', '=', poId)
      .where('version', '=', po.version)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) throw new ProcurementError('The order was changed meanwhile; look at it again.');
    // After the claim (PostgreSQL: the row is locked, so a receipt or invoice waits for this
    // transaction), what was received or invoiced meanwhile is seen; refusing rolls it all back.
    const delivered = await deliveredSoFar(trx, po);
    if (change.type === 'delete') {
      const why = whyNotCancellable(po.orderId, delivered);
      if (why) throw new ProcurementError(why);
    } else {
      const below = changeBelowDelivered(input, delivered);
      if (below) throw below;
    }
    // May refuse (budget): the whole change rolls back and nothing is sent.
    if (change.type === 'update') await recommitForOrder(trx, { poId, total, currency: po.currency, at, reason: `Change of ${po.orderId} to version ${version}` });
    await trx
      .insertInto('sandbox_po_messages')
      .values({ id: messageId, po_id: poId, type: change.type, version, payload_id: payloadID, xml: written.shown, status: 'sending', attempts: 1, exchange: JSON.stringify({ rebuild: encodeDocument(doc) }), created_at: iso, updated_at: iso })
      .execute();
    await recordEvent(trx, {
      subjectType: 'po',
      subjectId: poId,
      actor,
      kind: change.type === 'update' ? 'changed' : 'cancel-requested',
      text:
        change.type === 'update'
          ? `Change to version ${version}: ${describeChange(po, change.quantities)}; total ${po.total} → ${total} ${po.currency}.`
          : `Cancellation requested${change.reason ? `: ${change.reason}` : ''}.`,
      at,
    });
  });
  await send(deps, { poId, messageId, type: change.type, xml: written.xml, payloadID, actor, previous: { orderXml: po.orderXml, total: po.total }, claimedAt: iso });
  return (await findPurchaseOrder(db, poId))!;
}

/** The planned steps whose role none of the approved steps had (an automatic step covers only automatic rules) — pure. */
export function missingApprovals(planned: readonly PlannedStep[], steps: readonly ApprovalStep[]): PlannedStep[] {
  const approvedRoles = new Set(steps.filter((s) => s.status === 'approved' && s.approverRole !== null).map((s) => s.approverRole));
  return planned.filter((p) => p.approverRole !== null && !approvedRoles.has(p.approverRole));
}

/**
 * Refuses (409) a raise of the order total to `total` that the approval rules would send to a role
 * the order's requisition was never approved by. An order without a requisition had no approval.
 */
async function refuseUnapprovedRaise(db: Store, po: PurchaseOrder, previous: OrderRequestInput, total: string): Promise<void> {
  const requisition = po.requisitionId ? await findRequisition(db, po.requisitionId) : undefined;
  const costCenter = requisition?.costCenter ?? previous.header.extrinsics?.find((e) => e.name === 'CostCenter')?.value ?? '';
  const planned = stepsFor(await listRules(db, { activeOnly: true }), {
    costCenter,
    total,
    currency: requisition?.currency ?? po.currency,
    source: requisition?.source ?? 'punchout',
  });
  const steps = requisition ? await stepsOf(db, requisition.id) : [];
  const missing = missingApprovals(planned, steps);
  if (missing.length === 0) return;
  const roles = [...new Set(missing.map((m) => m.approverRole))].join(' and ');
  const approvedBy = [...new Set(steps.filter((s) => s.status === 'approved' && s.approverRole !== null).map((s) => s.approverRole))];
  const basis = requisition
    ? `requisition ${requisition.number} was approved for ${requisition.total} ${requisition.currency} (${approvedBy.length > 0 ? `by ${approvedBy.join(' and ')}` : 'automatically, without a person'})`
    : 'this order has no requisition and was approved by no one';
  throw new ProcurementError(
    `A raise to ${total} ${po.currency} (now ${po.total} ${po.currency}) needs approval by ${roles} (${missing.map((m) => m.ruleName).join('; ')}); ${basis}. Place a new requisition for the additional quantity.`,
    'form',
    409,
  );
}

function sameLines(po: PurchaseOrder, next: OrderRequestInput): boolean {
  const before = poLines(po);
  if (before.length !== next.items.length) return false;
  return before.every((l, i) => new Decimal(l.quantity).equals(next.items[i]!.quantity));
}

function describeChange(po: PurchaseOrder, quantities: ReadonlyMap<number, string> | undefined): string {
  const lines = new Map(poLines(po).map((l) => [l.lineNumber, l]));
  const parts: string[] = [];
  for (const [n, q] of quantities ?? []) {
    const l = lines.get(n);
    const next = parseChangeQuantity(n, q);
    if (!l || new Decimal(l.quantity).equals(next)) continue;
    parts.push(next.isZero() ? `line ${n} removed` : `line ${n} ${l.quantity} → ${next.toFixed()}`);
  }
  return parts.length > 0 ? parts.join(', ') : 'no quantity changed';
}

/**
 * Sends an OrderRequest `update` for an open order: new quantities by line number (0 removes the
 * line), orderVersion + 1, DocumentReference to the previous accepted message. The budget is
 * re-committed before anything is sent (it may refuse).
 *
 * @throws ProcurementError (422 bad input, 409 state) — nothing sent then.
 */
export async function changePurchaseOrder(
  deps: ProcurementDeps,
  poId: string,
  quantities: ReadonlyMap<number, string> | Readonly<Record<number, string>>,
  actor: SandboxActor,
  seenVersion?: number,
): Promise<PurchaseOrder> {
  const map = quantities instanceof Map ? quantities : new Map(Object.entries(quantities).map(([k, v]) => [Number(k), String(v)]));
  return changeOrCancel(deps, poId, actor, { type: 'update', quantities: map as ReadonlyMap<number, string> }, seenVersion);
}

/** The person's page showed an older version of the order than the one now stored; nothing was sent. */
export class StaleOrderError extends ProcurementError {
  /** The order as it was when the form was refused, to lay the form over. */
  readonly current: PurchaseOrder;
  constructor(po: PurchaseOrder, seenVersion: number) {
    super(
      seenVersion > po.version
        ? `The form names version ${seenVersion} of purchase order ${po.orderId}, which is at version ${po.version}; nothing was sent. Reload the page.`
        : `Purchase order ${po.orderId} was changed since this page was shown (it was version ${seenVersion}, it is now version ${po.version}); nothing was sent.`,
    );
    this.name = 'StaleOrderError';
    this.current = po;
  }
}

/**
 * Sends an OrderRequest `delete`; once the supplier accepts it, the order is cancelled and its
 * commitment released. An order the supplier never received is cancelled here without a message.
 * `seen` is what the person's page showed (the web forms always send it; scripts may leave it
 * out): its version (also for changes), and whether it offered the cancellation that sends
 * nothing, so a stale page of an undelivered order that was resent meanwhile sends no delete.
 */
export async function cancelPurchaseOrder(
  deps: ProcurementDeps,
  poId: string,
  actor: SandboxActor,
  reason: string,
  seen?: { readonly version: number; readonly undelivered: boolean },
): Promise<PurchaseOrder> {
  const po = await findPurchaseOrder(deps.db, poId);
  if (po && seen && seen.undelivered !== (po.status === 'failed')) {
    throw new ProcurementError(
      !seen.undelivered
        ? `Purchase order ${po.orderId} was not delivered to the supplier; nothing was cancelled. Look at the page again: it can be cancelled without sending anything.`
        : po.status === 'open'
          ? `Purchase order ${po.orderId} was sent again since this page was shown and the supplier accepted it; nothing was cancelled. A cancellation now goes to the supplier: use the cancel form on this page if it is still needed.`
          : po.status === 'cancelled'
            ? `Purchase order ${po.orderId} was cancelled meanwhile (by someone else or another tab); nothing more to do.`
            : `Purchase order ${po.orderId} was sent again since this page was shown and is now ${po.status}; nothing was cancelled, and there is nothing left to cancel.`,
    );
  }
  if (po?.status === 'failed') return cancelUndelivered(deps, po, actor, reason.trim());
  return changeOrCancel(deps, poId, actor, { type: 'delete', reason: reason.trim() }, seen?.version);
}

/** True when the order's `new` never reached the supplier and is not being sent: cancelling it sends nothing. */
export function neverDelivered(po: PurchaseOrder, messages: readonly PoMessage[]): boolean {
  return po.status === 'failed' && messages.length > 0 && messages.every((m) => m.type === 'new' && m.status === 'failed');
}

/**
 * Cancels an order whose `new` was never accepted (the supplier was down): the supplier has no
 * order, so nothing is sent; the order is cancelled and its commitment released. The `new` message
 * row is touched in the same transaction, so a resend racing with this cancellation loses (its claim
 * checks the row's updated_at) or wins (then this one is refused).
 */
async function cancelUndelivered(deps: ProcurementDeps, po: PurchaseOrder, actor: SandboxActor, reason: string): Promise<PurchaseOrder> {
  const { db } = deps;
  const messages = await messagesFor(db, po.id);
  if (!neverDelivered(po, messages)) {
    throw new ProcurementError(
      messages.some((m) => m.status === 'sending')
        ? 'A document for this order is being sent; reload the page in a moment.'
        : `Purchase order ${po.orderId} is ${po.status}; only an open order, or one the supplier never received, can be cancelled.`,
    );
  }
  const message = messages[0]!;
  const at = deps.now();
  const iso = at.toISOString();
  await inTransaction(db, async (trx) => {
    const touched = await trx
      .updateTable('sandbox_po_messages')
      .set({ updated_at: iso })
      .where('id', '=', message.id)
      .where('status', '=', 'failed')
      .where('updated_at', '=', message.updatedAt)
      .executeTakeFirst();
    const cancelled = await trx
      .updateTable('sandbox_purchase_orders')
      .set({ status: 'cancelled', updated_at: iso })
      .where('id', '=', po.id)
      .where('status', '=', 'failed')
      .where('version', '=', po.version)
      .executeTakeFirst();
    if (Number(touched.numUpdatedRows) !== 1 || Number(cancelled.numUpdatedRows) !== 1) {
      throw new ProcurementError('The order was sent again or changed meanwhile; look at it again.');
    }
    // The supplier may have billed an order whose answer never came back.
    const why = whyNotCancellable(po.orderId, await deliveredSoFar(trx, po));
    if (why) throw new ProcurementError(why);
    await recommitForOrder(trx, { poId: po.id, total: '0', currency: po.currency, at, reason: `Order ${po.orderId} cancelled before the supplier received it` });
    const text = `Purchase order ${po.orderId} cancelled${reason ? `: ${reason}` : ''}. Nothing was sent to the supplier: it never accepted the order (not delivered), so there is no order there to cancel.`;
    await recordEvent(trx, { subjectType: 'po', subjectId: po.id, actor, kind: 'cancelled', text, at });
    await cancelRequisitionOfOrder(trx, po, actor, at);
  });
  return (await findPurchaseOrder(db, po.id))!;
}

/**
 * An order cancelled for good cancels its requisition too (in the same transaction), so the
 * requisition no longer reads "ordered". Only an `ordered` requisition of this order is touched.
 */
async function cancelRequisitionOfOrder(trx: Store, po: PurchaseOrder, actor: SandboxActor, at: Date): Promise<void> {
  if (!po.requisitionId) return;
  const r = await trx
    .updateTable('sandbox_requisitions')
    .set({ status: 'cancelled', updated_at: at.toISOString() })
    .where('id', '=', po.requisitionId)
    .where('po_id', '=', po.id)
    .where('status', '=', 'ordered')
    .executeTakeFirst();
  // The order's own event says how it was cancelled (both show in either history); this one says what it meant here.
  const text = `Purchase order ${po.orderId} cancelled${Number(r.numUpdatedRows) === 1 ? ', so this requisition is cancelled too' : ''}.`;
  await recordEvent(trx, { subjectType: 'requisition', subjectId: po.requisitionId, actor, kind: 'cancelled', text, at });
}

/** Moves a message on only from the state the caller read (a second press changes nothing); true when it moved. */
async function moveMessage(trx: Store, row: SandboxPoMessageTable, status: 'sending' | 'withdrawn', at: Date): Promise<boolean> {
  const r = await trx
    .updateTable('sandbox_po_messages')
    .set({ status, ...(status === 'sending' ? { attempts: Number(row.attempts) + 1 } : {}), updated_at: at.toISOString() })
    .where('id', '=', row.id)
    .where('status', '=', row.status)
    .where('updated_at', '=', row.updated_at)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Withdraws a cancellation the supplier did not confirm (not delivered, timed out or answered
 * with a transient error): the order stays open and can be changed or cancelled again. Nothing is
 * sent. A supplier that did process it still has it cancelled — the page says to check with them.
 *
 * @throws ProcurementError when the latest message is not an undelivered cancellation.
 */
export async function withdrawCancellation(deps: ProcurementDeps, poId: string, actor: SandboxActor): Promise<PurchaseOrder> {
  const { db } = deps;
  const po = await findPurchaseOrder(db, poId);
  if (!po) throw new ProcurementError('There is no such purchase order.', undefined, 404);
  const row = await db.selectFrom('sandbox_po_messages').selectAll().where('po_id', '=', poId).orderBy('version', 'desc').limit(1).executeTakeFirst();
  if (!row || row.type !== 'delete' || row.status !== 'failed') throw new ProcurementError(`Purchase order ${po.orderId} has no undelivered cancellation to withdraw.`, undefined, 409);
  const at = deps.now();
  await inTransaction(db, async (trx) => {
    if (!(await moveMessage(trx, row, 'withdrawn', at))) throw new ProcurementError('The cancellation was sent again meanwhile; look at the order again.', undefined, 409);
    await recordEvent(trx, { subjectType: 'po', subjectId: poId, actor, kind: 'cancel-withdrawn', text: `Cancellation (version ${row.version}) withdrawn; the supplier had not confirmed it, so the order stays open here.`, at });
  });
  return (await findPurchaseOrder(db, poId))!;
}

/**
 * Sends a message that was not delivered again: the identical document (same payloadID and
 * timestamp), as cXML retries must be. A second press while it is being sent does nothing.
 *
 * @throws ProcurementError when the latest message is not one that may be sent again.
 */
export async function resendMessage(deps: ProcurementDeps, poId: string, actor: SandboxActor = 'system'): Promise<PurchaseOrder> {
  const { db } = deps;
  const po = await findPurchaseOrder(db, poId);
  if (!po) throw new ProcurementError('There is no such purchase order.', undefined, 404);
  const row = await db.selectFrom('sandbox_po_messages').selectAll().where('po_id', '=', poId).orderBy('version', 'desc').limit(1).executeTakeFirst();
  const at = deps.now();
  const stale = row?.status === 'sending' && at.getTime() - Date.parse(row.updated_at) >= STALE_SENDING_MS;
  if (!row || (row.status !== 'failed' && !stale)) {
    if (row?.status === 'sending') return po; // the other press is sending it
    throw new ProcurementError('There is nothing to send again: the latest document was delivered.');
  }
  if (po.status === 'cancelled') throw new ProcurementError(`Purchase order ${po.orderId} is cancelled; nothing is sent for it any more.`);
  const rebuild = parseExchange(row.exchange).rebuild;
  if (!rebuild) throw new ProcurementError('This order was placed before the sandbox kept what it needs to resend it; place a new order instead.');
  const doc = decodeDocument(rebuild);
  const written = writeBoth(po.supplier, doc);
  const outcome = await inTransaction(db, async (trx): Promise<{ claimed: boolean; withdrawn?: string; refused?: string }> => {
    if (row.type === 'delete') {
      // With the order row locked (a receipt or invoice waits), see what came since the
      // cancellation failed: goods received or an invoice accepted make it wrong to send now.
      // It is withdrawn, or it would block every change of the order for good.
      await lockPurchaseOrderRow(trx, poId);
      const delivered = await deliveredSoFar(trx, po);
      const why = whyNotCancellable(po.orderId, delivered);
      if (why) {
        // A send that only looks stuck may still be answered: refuse, but leave it to that answer.
        if (row.status !== 'failed') return { claimed: false, refused: why };
        if (!(await moveMessage(trx, row, 'withdrawn', at))) return { claimed: false };
        await recordEvent(trx, { subjectType: 'po', subjectId: poId, actor, kind: 'cancel-withdrawn', text: `Cancellation (version ${row.version}) withdrawn, not sent again: ${cancelBlockers(delivered).join('; ')}.`, at });
        return { claimed: false, withdrawn: why };
      }
    }
    return { claimed: await moveMessage(trx, row, 'sending', at) };
  });
  if (outcome.withdrawn) {
    throw new ProcurementError(`${outcome.withdrawn} The cancellation the supplier did not confirm (version ${row.version}) is withdrawn; the order stays open and can be changed.`, undefined, 409);
  }
  if (outcome.refused) throw new ProcurementError(outcome.refused, undefined, 409);
  if (!outcome.claimed) return po;
  await recordEvent(db, { subjectType: 'po', subjectId: poId, actor, kind: 'resent', text: `Version ${row.version} (${row.type}) sent again, attempt ${Number(row.attempts) + 1}, same payloadID ${row.payload_id}.`, at });
  // A change the supplier refuses on this attempt puts the order back to the last accepted version.
  const accepted = row.type === 'update' ? await lastAccepted(db, poId) : undefined;
  const previous = accepted ? { orderXml: accepted.message.xml, total: amountText(previousInput(po, accepted.doc).header.total.amount, po.currency) } : undefined;
  await send(deps, { poId, messageId: row.id, type: row.type as PoMessageType, xml: written.xml, payloadID: row.payload_id, actor, ...(previous ? { previous } : {}), claimedAt: at.toISOString() });
  return (await findPurchaseOrder(db, poId))!;
}
