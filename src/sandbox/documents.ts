/**
 * The sandbox's own cXML endpoint (`POST /sandbox/cxml`): where a supplier posts order
 * confirmations, ship notices and invoices for the purchase orders the sandbox sent, as it would
 * to a real procurement system. Every document received is kept in `sandbox_documents` (secrets
 * redacted), accepted or refused, with a summary the purchase order page shows.
 *
 * The steps, each with the cXML status a procurement system would answer:
 *   read (406 unreadable or hostile) → payload type (450 not one of the three) → find the
 *   purchase order by the payloadID of any OrderRequest sent for it, else its orderID (417 naming it) → the sender (401: From must
 *   be the supplier the order was addressed to, the Sender SharedSecret the one the sandbox sent
 *   with it, compared in constant time) → the same payloadID again gets the stored answer and is
 *   not stored twice (409 when it comes with other content) → lines (417 naming an unknown line)
 *   → 200. An accepted invoice or credit memo books the spend on the order's budget (once).
 *
 * Only documents whose sender was authenticated are bound to their payloadID (their row id is
 * derived from it, so two identical posts at once still make one row): a stranger who guesses a
 * payloadID must not be able to pre-empt the supplier's real document with a refused one.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Decimal } from 'decimal.js';
import { redactXml } from '../app/document-log.js';
import { CxmlError, statusText } from '../protocol/cxml/errors.js';
import type {
  Comments,
  ConfirmationRequest,
  CxmlTimestamp,
  Envelope,
  InvoiceDetailRequest,
  InvoiceTax,
  MoneyAmount,
  OrderReference,
  ShipNoticeRequest,
} from '../protocol/cxml/model.js';
import { readCxml } from '../protocol/cxml/reader.js';
import { decodeXmlBytes } from '../protocol/cxml/read-xml.js';
import { Decimal as Dec, isCurrencyCode, minorUnits, sum } from '../protocol/money.js';
import type { Store } from '../store/database.js';
import type { SandboxDocumentTable } from '../store/schema.js';
import { invoiceBookings, recordInvoiceSpend, recordNotBooked, reverseInvoiceSpend } from './procurement/budgets.js';
import type { PurchaseOrder } from './procurement/model.js';
import { findPurchaseOrder } from './procurement/purchase-orders.js';

export type SupplierDocumentKind = 'ConfirmationRequest' | 'ShipNoticeRequest' | 'InvoiceDetailRequest';
const KINDS: readonly string[] = ['ConfirmationRequest', 'ShipNoticeRequest', 'InvoiceDetailRequest'];

// ---- summaries (JSON in sandbox_documents.summary; decimals as text) ----------------------------

export interface ConfirmationSummary {
  readonly kind: 'ConfirmationRequest';
  readonly type: string;
  readonly operation: string;
  readonly confirmID?: string;
  readonly noticeDate: string;
  readonly comments: readonly string[];
  readonly lines: readonly {
    readonly lineNumber: number;
    readonly quantity: string;
    readonly unit?: string;
    readonly statuses: readonly {
      readonly type: string;
      readonly quantity: string;
      readonly unit?: string;
      readonly shipmentDate?: string;
      readonly deliveryDate?: string;
      readonly unitPrice?: string;
      readonly comments: readonly string[];
    }[];
  }[];
}

export interface ShipNoticeSummary {
  readonly kind: 'ShipNoticeRequest';
  readonly shipmentID: string;
  readonly operation: string;
  readonly noticeDate: string;
  readonly shipmentDate?: string;
  readonly deliveryDate?: string;
  readonly fulfillmentType?: string;
  readonly carriers: readonly { readonly domain: string; readonly value: string }[];
  readonly tracking: readonly { readonly number: string; readonly url?: string }[];
  /** No lines: the whole order shipped (the DTD allows a portion without items). */
  readonly wholeOrder: boolean;
  readonly lines: readonly { readonly lineNumber: number; readonly quantity: string; readonly unit?: string }[];
  readonly comments: readonly string[];
}

export interface InvoiceSummaryView {
  readonly kind: 'InvoiceDetailRequest';
  readonly invoiceID: string;
  readonly invoiceDate: string;
  readonly purpose: string;
  /** For a credit or debit memo: the invoice it refers to (InvoiceIDInfo). */
  readonly originalInvoiceID?: string;
  readonly operation: string;
  readonly paymentTermDays?: number;
  readonly lines: readonly {
    readonly invoiceLineNumber: number;
    readonly orderLineNumber?: number;
    readonly description?: string;
    readonly quantity: string;
    readonly unit?: string;
    readonly unitPrice?: string;
    readonly subtotal?: string;
    readonly tax?: string;
  }[];
  readonly subtotal?: string;
  readonly tax?: string;
  readonly shipping?: string;
  readonly specialHandling?: string;
  readonly gross?: string;
  readonly net?: string;
  readonly due?: string;
}

export type DocumentContent = ConfirmationSummary | ShipNoticeSummary | InvoiceSummaryView;

export interface DocumentSummary {
  /** What the sandbox answered. */
  readonly answer: { readonly code: number; readonly text: string; readonly detail: string };
  /** The sender was the supplier of the order (the payloadID is bound to this row). */
  readonly authenticated: boolean;
  readonly content?: DocumentContent;
  /** Reader warnings and notes on the content (e.g. quantities beyond the order). */
  readonly warnings: readonly string[];
  /** An invoice delete: the id of the earlier invoice document it voided. */
  readonly voids?: string;
  /** An invoice booked on the budget: its ledger dedupe key (what a delete reverses, what a credit is capped by). */
  readonly budgetKey?: string;
}

export interface SandboxDocument {
  readonly id: string;
  /** The purchase order it is about (sandbox_purchase_orders.id), when found. */
  readonly poId: string | null;
  /** The punchout of that order, for orders placed from a punchout (older pages link by it). */
  readonly punchoutId: string | null;
  readonly orderId: string | null;
  readonly docType: string;
  readonly payloadId: string | null;
  readonly status: 'accepted' | 'refused';
  readonly detail: string;
  readonly summary: DocumentSummary;
  readonly body: string;
  readonly receivedAt: string;
}

function fromRow(row: SandboxDocumentTable): SandboxDocument {
  let summary: DocumentSummary;
  try {
    summary = JSON.parse(row.summary) as DocumentSummary;
  } catch {
    summary = { answer: { code: 0, text: '', detail: row.detail }, authenticated: false, warnings: [] };
  }
  return {
    id: row.id,
    poId: row.po_id ?? null,
    punchoutId: row.punchout_id,
    orderId: row.order_id,
    docType: row.doc_type,
    payloadId: row.payload_id,
    status: row.status === 'accepted' ? 'accepted' : 'refused',
    detail: row.detail,
    summary: { ...summary, warnings: summary.warnings ?? [] },
    body: row.body,
    receivedAt: row.received_at,
  };
}

/** The documents received for one purchase order, in arrival order. */
export async function documentsForPurchaseOrder(db: Store, poId: string): Promise<SandboxDocument[]> {
  const rows = await db.selectFrom('sandbox_documents').selectAll().where('po_id', '=', poId).orderBy('received_at').orderBy('id').execute();
  return rows.map(fromRow);
}

/** The latest documents that matched none of the sandbox's orders (unreadable, unknown order, other types). */
export async function unmatchedDocuments(db: Store, limit = 10): Promise<SandboxDocument[]> {
  const rows = await db
    .selectFrom('sandbox_documents')
    .selectAll()
    .where('po_id', 'is', null)
    .where('punchout_id', 'is', null)
    .orderBy('received_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(fromRow);
}

// ---- the order the documents are about ----------------------------------------------------------

export interface OrderedLine {
  readonly lineNumber: number;
  readonly quantity: Decimal;
  readonly unit: string;
  readonly supplierPartID: string;
  readonly description: string;
}

/** The lines of the latest OrderRequest the sandbox sent (its stored copy is the truth, not the cart). */
export function orderedLines(po: Pick<PurchaseOrder, 'orderXml'>): OrderedLine[] {
  if (!po.orderXml) return [];
  let payload;
  try {
    payload = readCxml(po.orderXml).envelope.payload;
  } catch {
    // The sandbox wrote it; should it ever not read, the page still shows the documents.
    return [];
  }
  if (payload.kind !== 'OrderRequest') return [];
  return payload.items.map((item, i) => ({
    lineNumber: item.lineNumber ?? i + 1,
    quantity: item.quantity,
    unit: item.itemDetail?.unitOfMeasure ?? '',
    supplierPartID: item.itemID.supplierPartID,
    // ShortName is the product's name where the supplier sends one; the text is often a paragraph.
    description: item.itemDetail?.descriptions[0]?.shortName || item.itemDetail?.descriptions[0]?.text || '',
  }));
}

// ---- receiving ---------------------------------------------------------------------------------

export interface DocumentAnswer {
  readonly code: number;
  readonly text: string;
  /** The specific problem (or what was accepted), for the Status element. */
  readonly detail: string;
  /** The stored document (the earlier one for a repeat). */
  readonly documentId: string;
  readonly repeat: boolean;
}

export interface ReceiveOptions {
  readonly now: Date;
  readonly maxBytes?: number;
}

interface Refusal {
  readonly code: number;
  readonly detail: string;
}

/**
 * Reads, authenticates, checks and stores one document posted to the sandbox.
 *
 * @example const answer = await receiveSupplierDocument(db, body, { now: new Date() });
 */
export async function receiveSupplierDocument(db: Store, body: Buffer | string, options: ReceiveOptions): Promise<DocumentAnswer> {
  const text = typeof body === 'string' ? body : bytesAsText(body);
  const stored = redactXml(text);
  const at = options.now.toISOString();

  let envelope: Envelope;
  const warnings: string[] = [];
  try {
    const read = readCxml(body, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
    envelope = read.envelope;
    warnings.push(...read.warnings.map((w) => (w.path ? `${w.path}: ${w.message}` : w.message)));
  } catch (e) {
    if (!(e instanceof CxmlError)) throw e;
    return refuse({ code: e.code, detail: `The document could not be read: ${e.message}` }, { docType: 'unreadable', stored, at, warnings });
  }

  const payload = envelope.payload;
  const docType = payload.kind === 'Other' ? payload.name : payload.kind;
  const payloadId = envelope.payloadID;
  if (!KINDS.includes(payload.kind)) {
    return refuse(
      { code: 450, detail: `The sandbox receives ConfirmationRequest, ShipNoticeRequest and InvoiceDetailRequest here; ${docType} is not supported.` },
      { docType, payloadId, stored, at, warnings },
    );
  }
  const doc = payload as ConfirmationRequest | ShipNoticeRequest | InvoiceDetailRequest;
  const content = summarise(doc);

  // Which purchase order of the sandbox: every reference must name the same one.
  const refs = orderReferences(doc);
  if (refs.length === 0) {
    return refuse({ code: 417, detail: 'The document names no purchase order (OrderReference with DocumentReference payloadID or orderID).' }, { docType, payloadId, stored, at, warnings, content });
  }
  const found = new Map<string, PurchaseOrder>();
  for (const ref of refs) {
    const p = await findOrder(db, ref);
    if (!p) {
      return refuse({ code: 417, detail: `Unknown purchase order ${describeRef(ref)}: the sandbox sent no order with this payloadID or orderID.` }, { docType, payloadId, stored, at, warnings, content, orderId: ref.orderID });
    }
    found.set(p.id, p);
  }
  if (found.size > 1) {
    return refuse(
      { code: 417, detail: `The document names ${found.size} different purchase orders of the sandbox; send one document per purchase order.` },
      { docType, payloadId, stored, at, warnings, content },
    );
  }
  const po = [...found.values()][0]!;
  const orderId = po.orderId;
  const base = { docType, payloadId, stored, at, warnings, content, orderId, poId: po.id, ...(po.punchoutId ? { punchoutId: po.punchoutId } : {}) };

  const denied = authenticate(envelope, po);
  if (denied) return refuse({ code: 401, detail: denied }, base);

  // Authenticated from here on: the payloadID belongs to this document.
  const id = boundId(payloadId);
  const earlier = await db.selectFrom('sandbox_documents').selectAll().where('id', '=', id).executeTakeFirst();
  if (earlier) return repeatOf(fromRow(earlier), base);

  const lines = orderedLines(po);
  const unknown = unknownLines(doc, po, lines);
  const negative = doc.kind === 'InvoiceDetailRequest' ? negativeCharge(doc) : undefined;
  const outcome: Refusal = unknown
    ? { code: 417, detail: unknown }
    : negative
      ? { code: 400, detail: negative }
      : { code: 200, detail: `${LABEL[doc.kind]} ${documentNumber(content)} accepted for purchase order ${orderId ?? ''}.`.replace(/ +\./, '.') };
  warnings.push(...contentNotes(doc, po, lines));
  // An accepted invoice, credit memo or invoice delete: decided against the order's earlier
  // invoices and the ledger inside the storing transaction (see planInvoice).
  return store(outcome, { ...base, id, authenticated: true, ...(outcome.code === 200 && doc.kind === 'InvoiceDetailRequest' ? { invoice: { doc, po } } : {}) });

  // -- helpers closing over db ----------------------------------------------------------------

  async function refuse(r: Refusal, s: StoreInput & { invoice?: unknown }): Promise<DocumentAnswer> {
    // A refused document books nothing.
    const { invoice: _none, ...rest } = s;
    return store(r, { ...rest, id: `sd-${randomBytes(12).toString('base64url')}`, authenticated: false });
  }

  async function store(r0: Refusal, s: StoreInput & { id: string; authenticated: boolean; invoice?: { doc: InvoiceDetailRequest; po: PurchaseOrder } }): Promise<DocumentAnswer> {
    let r = r0;
    try {
      await db.transaction().execute(async (trx) => {
        let plan: InvoicePlan | undefined;
        if (s.invoice) {
          // One invoice decision per order at a time (PostgreSQL row lock; SQLite writes one at a time).
          await trx.updateTable('sandbox_purchase_orders').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', s.invoice.po.id).execute();
          // A cancellation on its way was allowed because nothing was invoiced; an invoice booked now
          // would be cancelled with the order. 560 (temporary): suppliers retry 5xx, never 4xx.
          if (isCharge(s.invoice.doc)) {
            const cancelling = await trx.selectFrom('sandbox_po_messages').select('id').where('po_id', '=', s.invoice.po.id).where('type', '=', 'delete').where('status', '=', 'sending').executeTakeFirst();
            if (cancelling) throw new CancellationUnderway(s.invoice.po.orderId);
          }
          const earlier = (await documentsForPurchaseOrder(trx, s.invoice.po.id)).filter((d) => d.id !== s.id);
          plan = planInvoice(s.invoice.doc, s.invoice.po, earlier, await invoiceBookings(trx, s.invoice.po.id));
          if (plan.refusal) r = plan.refusal;
        }
        const answer = { code: r.code, text: statusText(r.code), detail: r.detail };
        const summary: DocumentSummary = {
          answer,
          authenticated: s.authenticated,
          ...(s.content ? { content: s.content } : {}),
          warnings: [...s.warnings, ...(plan?.warnings ?? [])],
          ...(plan?.voids ? { voids: plan.voids } : {}),
          ...(plan?.book ? { budgetKey: plan.book.key } : {}),
        };
        await trx
          .insertInto('sandbox_documents')
          .values({
            id: s.id,
            po_id: s.poId ?? null,
            punchout_id: s.punchoutId ?? null,
            order_id: s.orderId ?? null,
            doc_type: s.docType,
            payload_id: s.payloadId ?? null,
            status: r.code === 200 ? 'accepted' : 'refused',
            detail: r.detail,
            summary: JSON.stringify(summary),
            body: storable(s.stored),
            received_at: s.at,
          })
          .execute();
        if (!plan || plan.refusal || !s.poId) return;
        const at = new Date(s.at);
        if (plan.book) await recordInvoiceSpend(trx, { poId: s.poId, documentId: s.id, ...plan.book, label: plan.label, at });
        if (plan.reverse) await reverseInvoiceSpend(trx, { poId: s.poId, ...plan.reverse, label: plan.label, at });
        if (plan.notBooked) await recordNotBooked(trx, { poId: s.poId, label: plan.label, reason: plan.notBooked, at });
      });
    } catch (err) {
      if (err instanceof CancellationUnderway) {
        // Kept under its own id, so the supplier's retry with the same payloadID is decided afresh.
        const { invoice: _none, ...rest } = s;
        return store({ code: 560, detail: err.message }, { ...rest, id: `sd-${randomBytes(12).toString('base64url')}` });
      }
      // The same document posted twice at once: the other request stored it first.
      const row = s.authenticated ? await db.selectFrom('sandbox_documents').selectAll().where('id', '=', s.id).executeTakeFirst() : undefined;
      if (!row) throw err;
      return repeatOf(fromRow(row), s);
    }
    return { code: r.code, text: statusText(r.code), detail: r.detail, documentId: s.id, repeat: false };
  }

  async function repeatOf(earlier: SandboxDocument, s: StoreInput): Promise<DocumentAnswer> {
    if (earlier.body === storable(s.stored)) return { ...earlier.summary.answer, documentId: earlier.id, repeat: true };
    return refuse(
      { code: 409, detail: `payloadID ${earlier.payloadId ?? ''} was already used for another document (received ${earlier.receivedAt}); every document needs its own payloadID.` },
      s,
    );
  }
}

/** An invoice arrived while a cancellation of its order is being sent (see store). */
class CancellationUnderway extends Error {
  constructor(orderId: string | null) {
    super(`A cancellation of purchase order ${orderId ?? ''} is being sent to you right now; this is temporary: send the invoice again in a moment (if the order is cancelled by then, it is accepted but not booked).`);
  }
}

/** A standard invoice or debit memo (not a credit memo, not a delete): it books spend. */
function isCharge(doc: InvoiceDetailRequest): boolean {
  return doc.operation !== 'delete' && !isCredit(doc.purpose);
}

interface StoreInput {
  readonly docType: string;
  readonly payloadId?: string;
  readonly stored: string;
  readonly at: string;
  readonly warnings: string[];
  readonly content?: DocumentContent;
  readonly orderId?: string | null | undefined;
  readonly poId?: string;
  readonly punchoutId?: string;
}

/**
 * The net goods value of an invoice for the budget: the sum of its line subtotals (the header
 * subtotal when it has no lines); a credit memo counts negative whatever sign its amounts carry.
 */
export function invoiceSpend(doc: InvoiceDetailRequest, orderCurrency: string): { amount: string; currency: string } {
  const subtotals = doc.orders.flatMap((o) => o.lines.map((l) => l.subtotal)).filter((m): m is MoneyAmount => m !== undefined);
  const amounts = subtotals.length > 0 ? subtotals : doc.summary.subtotal ? [doc.summary.subtotal] : [];
  const currency = amounts[0]?.currency ?? orderCurrency;
  let total = sum(amounts.map((m) => m.amount));
  if (doc.purpose.toLowerCase().includes('credit')) total = total.abs().negated();
  return { amount: total.toFixed(), currency };
}

/**
 * The first negative figure of an invoice that charges (purpose standard, debitMemo or
 * lineLevelDebitMemo), named by its element, or undefined — pure. Booked as it came, a negative
 * standard invoice would lower spent past any credit-memo cap; money goes back only by a credit
 * memo. Credit memos (either sign) and deletes (their figures are not booked) are not checked.
 */
export function negativeCharge(doc: InvoiceDetailRequest): string | undefined {
  if (doc.operation === 'delete' || isCredit(doc.purpose)) return undefined;
  const found: string[] = [];
  const check = (where: string, value: Decimal | undefined) => {
    if (value !== undefined && value.isNegative()) found.push(`${where} is ${value.toFixed()}`);
  };
  for (const o of doc.orders) {
    for (const l of o.lines) {
      const at = `InvoiceDetailItem invoiceLineNumber="${l.invoiceLineNumber}"`;
      check(`${at} quantity`, l.quantity);
      check(`${at} UnitPrice`, l.unitPrice?.amount);
      check(`${at} SubtotalAmount`, l.subtotal?.amount);
    }
    check('InvoiceDetailOrderSummary SubtotalAmount', o.summary?.subtotal?.amount);
  }
  const sums = doc.summary;
  check('InvoiceDetailSummary SubtotalAmount', sums.subtotal?.amount);
  check('InvoiceDetailSummary GrossAmount', sums.gross?.amount);
  check('InvoiceDetailSummary NetAmount', sums.net?.amount);
  check('InvoiceDetailSummary DueAmount', sums.due?.amount);
  if (found.length === 0) return undefined;
  return (
    `A ${doc.purpose} invoice charges; its amounts cannot be negative: ${found[0]}${found.length > 1 ? ` (and ${found.length - 1} more)` : ''}. ` +
    'To give money back, send a credit memo (purpose="lineLevelCreditMemo" or "creditMemo") naming the invoice it credits in InvoiceIDInfo.'
  );
}

// ---- invoices against earlier invoices and the budget ------------------------------------------------

export interface InvoicePlan {
  /** A duplicate invoice number: refused (409), nothing booked. */
  readonly refusal?: Refusal;
  /** "Invoice INV-1" / "Credit memo CM-1", for the budget's history. */
  readonly label: string;
  readonly warnings: string[];
  /** A delete: the earlier invoice document it voids. */
  readonly voids?: string;
  readonly book?: { readonly key: string; readonly amount: string; readonly currency: string };
  readonly reverse?: { readonly originalKey: string; readonly key: string };
  /** Accepted but not booked: why (a "not booked: …" budget event). */
  readonly notBooked?: string;
}

function isCredit(purpose: string): boolean {
  return purpose.toLowerCase().includes('credit');
}

/** An invoice number as an AP system compares it: "INV-1", "inv-1" and " INV-1 " are the same invoice. */
function sameNumber(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function invoiceLabel(c: { purpose: string; invoiceID: string }): string {
  return `${isCredit(c.purpose) ? 'Credit memo' : 'Invoice'} ${c.invoiceID}`;
}

function invoiceOf(d: SandboxDocument): InvoiceSummaryView | undefined {
  const c = d.summary.content;
  return d.status === 'accepted' && c?.kind === 'InvoiceDetailRequest' ? c : undefined;
}

/** The invoice documents voided by a later accepted delete of the same invoice number (and purpose). */
export function voidedInvoices(docs: readonly SandboxDocument[]): Set<string> {
  const out = new Set<string>();
  for (const d of docs) if (d.status === 'accepted' && d.summary.voids) out.add(d.summary.voids);
  return out;
}

/** Accepted, not deleted, not voided invoices and credit memos, in arrival order. */
function liveInvoices(docs: readonly SandboxDocument[]): { doc: SandboxDocument; c: InvoiceSummaryView }[] {
  const voided = voidedInvoices(docs);
  return docs.flatMap((doc) => {
    const c = invoiceOf(doc);
    return c && c.operation !== 'delete' && !voided.has(doc.id) ? [{ doc, c }] : [];
  });
}

/**
 * What an accepted InvoiceDetailRequest does, given the order's earlier documents and what its
 * invoices booked (ledger amounts by dedupe key) — pure. A real AP system refuses an invoice number
 * it has (duplicate → 409); a delete voids the earlier invoice and reverses its booking; a credit
 * memo is booked only against an invoice of this order, up to what that invoice booked less the
 * credits before it; mixed currencies and cancelled or rejected orders are accepted, not booked.
 */
export function planInvoice(doc: InvoiceDetailRequest, po: Pick<PurchaseOrder, 'id' | 'orderId' | 'status' | 'currency'>, earlier: readonly SandboxDocument[], bookings: ReadonlyMap<string, Decimal>): InvoicePlan {
  const label = invoiceLabel(doc);
  const purpose = doc.purpose.toLowerCase();
  const same = (c: InvoiceSummaryView) => sameNumber(c.invoiceID, doc.invoiceID) && c.purpose.toLowerCase() === purpose;
  const live = liveInvoices(earlier);
  const enc = encodeURIComponent;

  if (doc.operation === 'delete') {
    const target = live.filter((x) => same(x.c)).at(-1);
    if (!target) return { label, warnings: [`Deletes ${label.toLowerCase()}, which this order has not received (or which was deleted already): nothing to undo, nothing booked.`] };
    const warnings = [`Voids ${label.toLowerCase()} received ${target.doc.receivedAt}: it no longer counts, and what it booked on the budget is reversed.`];
    const originalKey = target.doc.summary.budgetKey;
    return { label, warnings, voids: target.doc.id, ...(originalKey ? { reverse: { originalKey, key: `void:${originalKey.slice('actual:'.length)}` } } : {}) };
  }

  const dup = live.find((x) => same(x.c));
  if (dup) {
    return {
      label,
      warnings: [],
      refusal: {
        code: 409,
        detail: `${label} was already received${dup.c.invoiceID === doc.invoiceID ? '' : ` as "${dup.c.invoiceID}"`} for purchase order ${po.orderId ?? ''} on ${dup.doc.receivedAt} (payloadID ${dup.doc.payloadId ?? ''}); a duplicate invoice number is refused (case and surrounding spaces do not make another number). To replace it, delete it first (operation="delete").`,
      },
    };
  }

  // Re-issued after a delete: a fresh key, so the new invoice books on its own.
  const reissue = earlier.filter((d) => {
    const c = invoiceOf(d);
    return c !== undefined && c.operation !== 'delete' && same(c);
  }).length;
  const suffix = reissue > 0 ? `#${reissue}` : '';
  const credit = isCredit(doc.purpose);
  const key = credit
    ? `actual:${po.id}:credit:${enc(doc.originalInvoiceID ?? '')}:${enc(doc.invoiceID)}${suffix}`
    : `actual:${po.id}:${enc(purpose)}:${enc(doc.invoiceID)}${suffix}`;
  const notBooked = (reason: string, warning: string): InvoicePlan => ({ label, warnings: [warning], notBooked: reason });

  if (po.status === 'cancelled' || po.status === 'rejected') {
    return notBooked(`invoice for a ${po.status} order`, `This is an invoice for a ${po.status} order: accepted (a cancellation fee may be due), not booked on the budget.`);
  }
  const currencies = [...new Set(doc.orders.flatMap((o) => o.lines.map((l) => l.subtotal?.currency)).filter((c): c is string => c !== undefined))];
  if (currencies.length > 1) {
    return notBooked('mixed currencies', `The lines are in more than one currency (${currencies.join(', ')}): not booked on the budget.`);
  }
  const spend = invoiceSpend(doc, po.currency ?? '');
  if (!credit) return { label, warnings: [], book: { key, ...spend } };

  const original = doc.originalInvoiceID;
  if (original === undefined || original === '') {
    return notBooked('it names no original invoice (InvoiceIDInfo)', 'The credit memo names no original invoice (InvoiceIDInfo): not booked on the budget.');
  }
  const target = live.find((x) => sameNumber(x.c.invoiceID, original) && !isCredit(x.c.purpose));
  if (!target) {
    return notBooked(`it names invoice ${original}, which this order has not received or which was deleted`, `The credit memo names invoice ${original}, which this order has not received (or which was deleted): not booked on the budget.`);
  }
  const booked = target.doc.summary.budgetKey ? bookings.get(target.doc.summary.budgetKey) : undefined;
  if (!booked || booked.lte(0)) {
    return notBooked(`invoice ${original} booked nothing on the budget`, `Invoice ${original} booked nothing on the budget, so neither does this credit memo.`);
  }
  // Credits (and reversed credits) against the same invoice so far, negative — whichever way
  // each memo spelt its number (the key holds it as the memo wrote it).
  const creditsOriginal = (k: string) =>
    [`actual:${po.id}:credit:`, `void:${po.id}:credit:`].some((head) => {
      if (!k.startsWith(head)) return false;
      try {
        return sameNumber(decodeURIComponent(k.slice(head.length).split(':')[0]!), original);
      } catch {
        return false;
      }
    });
  let credited = new Dec(0);
  for (const [k, v] of bookings) if (creditsOriginal(k)) credited = credited.plus(v);
  const left = booked.plus(credited);
  if (left.lte(0)) {
    return notBooked(`invoice ${original} is credited in full already`, `Invoice ${original} is credited in full already: not booked on the budget.`);
  }
  const asked = new Dec(spend.amount).abs();
  if (asked.gt(left)) {
    return {
      label,
      warnings: [`The credit memo is over ${moneyText(asked, spend.currency)}; only ${moneyText(left, spend.currency)} of invoice ${original} is left to credit, so the budget gets back ${moneyText(left, spend.currency)}.`],
      book: { key, amount: left.negated().toFixed(), currency: spend.currency },
    };
  }
  return { label, warnings: [], book: { key, ...spend } };
}

const LABEL: Record<SupplierDocumentKind, string> = {
  ConfirmationRequest: 'Confirmation',
  ShipNoticeRequest: 'Ship notice',
  InvoiceDetailRequest: 'Invoice',
};

function documentNumber(c: DocumentContent): string {
  if (c.kind === 'ConfirmationRequest') return c.confirmID ?? '';
  if (c.kind === 'ShipNoticeRequest') return c.shipmentID;
  return c.invoiceID;
}

/** The stored copy: decoded as the document declares, else as UTF-8 (an unreadable one is kept all the same). */
function bytesAsText(body: Buffer): string {
  try {
    return decodeXmlBytes(body);
  } catch {
    return body.toString('utf8');
  }
}

/** PostgreSQL refuses U+0000 in text; a hostile document is worth keeping all the same. */
function storable(text: string): string {
  return text.includes('\u0000') ? text.replace(/\u0000/g, '\uFFFD') : text;
}

/** A row id derived from the payloadID: the primary key makes a second copy impossible. */
function boundId(payloadID: string): string {
  return `sd-p-${createHash('sha256').update(payloadID, 'utf8').digest('base64url').slice(0, 32)}`;
}

function orderReferences(doc: ConfirmationRequest | ShipNoticeRequest | InvoiceDetailRequest): OrderReference[] {
  const refs: (OrderReference | undefined)[] =
    doc.kind === 'ConfirmationRequest' ? [doc.order] : doc.kind === 'ShipNoticeRequest' ? doc.portions.map((p) => p.order) : doc.orders.map((o) => o.order);
  return refs.filter((r): r is OrderReference => r !== undefined && (r.payloadID !== undefined || r.orderID !== undefined));
}

function describeRef(ref: OrderReference): string {
  const parts = [ref.orderID !== undefined ? `orderID ${JSON.stringify(ref.orderID)}` : '', ref.payloadID !== undefined ? `payloadID ${JSON.stringify(ref.payloadID)}` : ''];
  return parts.filter((x) => x !== '').join(', ');
}

/** By the payloadID of any OrderRequest sent for it (new, update, delete) first, else by its orderID. */
async function findOrder(db: Store, ref: OrderReference): Promise<PurchaseOrder | undefined> {
  if (ref.payloadID !== undefined) {
    const row = await db.selectFrom('sandbox_po_messages').select('po_id').where('payload_id', '=', ref.payloadID).executeTakeFirst();
    if (row) return findPurchaseOrder(db, row.po_id);
  }
  if (ref.orderID === undefined) return undefined;
  const row = await db.selectFrom('sandbox_purchase_orders').select('id').where('order_id', '=', ref.orderID).executeTakeFirst();
  return row ? findPurchaseOrder(db, row.id) : undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant time: both sides are hashed to the same length first. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** Why the sender is not accepted, or undefined. Names no secret. */
function authenticate(envelope: Envelope, po: PurchaseOrder): string | undefined {
  const settings = po.supplier;
  const header = envelope.header;
  if (!header) return 'The document has no Header.';
  const supplier = settings.to;
  const fromOk = header.from.credentials.some((c) => c.domain.toLowerCase() === supplier.domain.toLowerCase() && c.identity === supplier.identity);
  const secrets = header.sender.credentials.map((c) => c.sharedSecret).filter((s): s is string => s !== undefined);
  // Every check runs, so the time taken does not tell which one failed.
  const secretOk = secrets.map((s) => sameSecret(s, settings.sharedSecret)).some(Boolean);
  if (!fromOk) {
    return `From must name the supplier the purchase order was sent to (${supplier.domain}/${supplier.identity}).`;
  }
  if (secrets.length === 0) return 'The Sender credential carries no SharedSecret.';
  if (!secretOk) return 'The SharedSecret under Sender is not the one the sandbox sent with this purchase order.';
  return undefined;
}

function lineLabel(lines: readonly OrderedLine[]): string {
  return lines.length === 0 ? 'none' : lines.map((l) => l.lineNumber).join(', ');
}

/** The first document line that is not a line of the order, named, or undefined. */
function unknownLines(doc: ConfirmationRequest | ShipNoticeRequest | InvoiceDetailRequest, po: PurchaseOrder, lines: readonly OrderedLine[]): string | undefined {
  const known = new Set(lines.map((l) => l.lineNumber));
  const numbers: number[] =
    doc.kind === 'ConfirmationRequest'
      ? doc.items.map((i) => i.lineNumber)
      : doc.kind === 'ShipNoticeRequest'
        ? doc.portions.flatMap((x) => x.items.map((i) => i.lineNumber))
        : doc.orders.flatMap((o) => o.lines.map((l) => l.orderLineNumber).filter((n): n is number => n !== undefined));
  const bad = numbers.find((n) => !known.has(n));
  if (bad === undefined) return undefined;
  return `Line ${bad} is not a line of purchase order ${po.orderId} (its lines: ${lineLabel(lines)}).`;
}

/** Remarks that do not refuse the document but that a buyer would look at. */
function contentNotes(doc: ConfirmationRequest | ShipNoticeRequest | InvoiceDetailRequest, po: PurchaseOrder, lines: readonly OrderedLine[]): string[] {
  const notes: string[] = [];
  const byLine = new Map(lines.map((l) => [l.lineNumber, l]));
  if (doc.kind === 'ConfirmationRequest') {
    for (const item of doc.items) {
      const statuses = sum(item.statuses.map((s) => s.quantity));
      if (!statuses.equals(item.quantity)) notes.push(`Line ${item.lineNumber}: the statuses add up to ${statuses.toFixed()}, not to ${item.quantity.toFixed()}.`);
      const ordered = byLine.get(item.lineNumber);
      if (ordered && !ordered.quantity.equals(item.quantity)) notes.push(`Line ${item.lineNumber}: confirmed for ${item.quantity.toFixed()}, ordered ${ordered.quantity.toFixed()}.`);
    }
  }
  const currency = po.currency;
  if (doc.kind === 'InvoiceDetailRequest' && currency) {
    const other = doc.orders.flatMap((o) => o.lines.map((l) => l.subtotal?.currency)).find((c) => c !== undefined && c !== currency);
    if (other) notes.push(`Invoiced in ${other}; the order is in ${currency}.`);
  }
  return notes;
}

// ---- summaries ----------------------------------------------------------------------------------

function when(t: CxmlTimestamp | undefined): string | undefined {
  return t?.raw;
}

/** `12.50 EUR`: machine-formatted, with the currency's minor units unless the amount has more. */
function amount(m: MoneyAmount | undefined): string | undefined {
  return m ? moneyText(m.amount, m.currency) : undefined;
}

function moneyText(value: Decimal, currency: string): string {
  const places = isCurrencyCode(currency) ? Math.max(minorUnits(currency), value.decimalPlaces()) : value.decimalPlaces();
  return `${value.toFixed(places)} ${currency}`;
}

function taxAmount(t: InvoiceTax | undefined): string | undefined {
  if (!t) return undefined;
  if (t.money) return amount(t.money);
  // An empty Tax amount with details: their sum is what the supplier charged.
  const currency = t.details[0]?.taxAmount.currency;
  return currency ? moneyText(sum(t.details.map((x) => x.taxAmount.amount)), currency) : undefined;
}

function texts(comments: readonly Comments[]): string[] {
  return comments.map((c) => c.text).filter((t) => t !== '');
}

function clean<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function summarise(doc: ConfirmationRequest | ShipNoticeRequest | InvoiceDetailRequest): DocumentContent {
  if (doc.kind === 'ConfirmationRequest') {
    return clean<ConfirmationSummary>({
      kind: doc.kind,
      type: doc.type,
      operation: doc.operation,
      confirmID: doc.confirmID,
      noticeDate: doc.noticeDate.raw,
      comments: texts(doc.comments),
      lines: doc.items.map((i) =>
        clean({
          lineNumber: i.lineNumber,
          quantity: i.quantity.toFixed(),
          unit: i.unitOfMeasure,
          statuses: i.statuses.map((s) =>
            clean({
              type: s.type,
              quantity: s.quantity.toFixed(),
              unit: s.unitOfMeasure,
              shipmentDate: when(s.shipmentDate),
              deliveryDate: when(s.deliveryDate),
              unitPrice: amount(s.unitPrice),
              comments: texts(s.comments),
            }),
          ),
        }),
      ),
    });
  }
  if (doc.kind === 'ShipNoticeRequest') {
    const lines = doc.portions.flatMap((p) => p.items);
    return clean<ShipNoticeSummary>({
      kind: doc.kind,
      shipmentID: doc.shipmentID,
      operation: doc.operation,
      noticeDate: doc.noticeDate.raw,
      shipmentDate: when(doc.shipmentDate),
      deliveryDate: when(doc.deliveryDate),
      fulfillmentType: doc.fulfillmentType,
      carriers: doc.carriers.map((c) => ({ domain: c.domain, value: c.value })),
      tracking: doc.shipmentIdentifiers.map((s) => clean({ number: s.value, url: s.trackingURL })),
      wholeOrder: lines.length === 0,
      lines: lines.map((l) => clean({ lineNumber: l.lineNumber, quantity: l.quantity.toFixed(), unit: l.unitOfMeasure })),
      comments: texts(doc.comments),
    });
  }
  const s = doc.summary;
  return clean<InvoiceSummaryView>({
    kind: doc.kind,
    invoiceID: doc.invoiceID,
    invoiceDate: doc.invoiceDate.raw,
    purpose: doc.purpose,
    originalInvoiceID: doc.originalInvoiceID,
    operation: doc.operation,
    paymentTermDays: doc.paymentTermDays,
    lines: doc.orders.flatMap((o) =>
      o.lines.map((l) =>
        clean({
          invoiceLineNumber: l.invoiceLineNumber,
          orderLineNumber: l.orderLineNumber,
          description: l.description,
          quantity: l.quantity.toFixed(),
          unit: l.unitOfMeasure,
          unitPrice: amount(l.unitPrice),
          subtotal: amount(l.subtotal),
          tax: taxAmount(l.tax),
        }),
      ),
    ),
    subtotal: amount(s.subtotal),
    tax: taxAmount(s.tax),
    shipping: amount(s.shipping),
    specialHandling: amount(s.specialHandling),
    gross: amount(s.gross),
    net: amount(s.net),
    due: amount(s.due),
  });
}

// ---- the order-level picture ----------------------------------------------------------------------

export interface LineProgress {
  readonly line: OrderedLine;
  /** Accepted (with or without changes) in the latest confirmation naming the line; undefined: not confirmed yet. */
  readonly confirmed?: Decimal;
  readonly backordered?: Decimal;
  readonly rejected?: Decimal;
  readonly shipped: Decimal;
  readonly invoiced: Decimal;
  /** Σ invoice line subtotals, per currency text (`12.50 EUR`). */
  readonly invoicedAmount?: string;
}

/**
 * Ordered vs confirmed vs shipped vs invoiced per line, from the accepted documents in arrival
 * order. A later confirmation of a line replaces the earlier one; a whole-order accept or reject
 * (no items) covers every line; a ship notice without items ships the whole order; deleted
 * notices and invoices count for nothing, nor do invoices a later delete voided; credit memos subtract.
 */
export function orderProgress(lines: readonly OrderedLine[], docs: readonly SandboxDocument[]): LineProgress[] {
  const zero = new Dec(0);
  const state = new Map(
    lines.map((l) => [
      l.lineNumber,
      { confirmed: undefined as Decimal | undefined, backordered: undefined as Decimal | undefined, rejected: undefined as Decimal | undefined, shipped: zero, invoiced: zero, amount: undefined as Decimal | undefined, currency: '' },
    ]),
  );
  const voided = voidedInvoices(docs);
  for (const d of docs) {
    const c = d.summary.content;
    if (d.status !== 'accepted' || !c || voided.has(d.id)) continue;
    if (c.kind === 'ConfirmationRequest') {
      if (c.lines.length === 0 && (c.type === 'accept' || c.type === 'reject')) {
        for (const l of lines) {
          const s = state.get(l.lineNumber)!;
          s.confirmed = c.type === 'accept' ? l.quantity : zero;
          s.backordered = zero;
          s.rejected = c.type === 'reject' ? l.quantity : zero;
        }
      }
      for (const item of c.lines) {
        const s = state.get(item.lineNumber);
        if (!s) continue;
        const of = (types: string[]) => sum(item.statuses.filter((x) => types.includes(x.type)).map((x) => new Dec(x.quantity)));
        s.confirmed = of(['accept', 'detail', 'allDetail']);
        s.backordered = of(['backordered']);
        s.rejected = of(['reject']);
      }
    } else if (c.kind === 'ShipNoticeRequest') {
      if (c.operation === 'delete') continue;
      if (c.wholeOrder) for (const l of lines) state.get(l.lineNumber)!.shipped = l.quantity;
      for (const item of c.lines) {
        const s = state.get(item.lineNumber);
        if (s) s.shipped = s.shipped.plus(item.quantity);
      }
    } else {
      if (c.operation === 'delete') continue;
      const sign = c.purpose.toLowerCase().includes('credit') ? -1 : 1;
      for (const item of c.lines) {
        const s = item.orderLineNumber === undefined ? undefined : state.get(item.orderLineNumber);
        if (!s) continue;
        s.invoiced = s.invoiced.plus(new Dec(item.quantity).times(sign));
        const [value, currency] = (item.subtotal ?? '').split(' ');
        if (value !== undefined && currency !== undefined && value !== '') {
          s.amount = (s.amount ?? zero).plus(new Dec(value).times(sign));
          s.currency = currency;
        }
      }
    }
  }
  return lines.map((line) => {
    const s = state.get(line.lineNumber)!;
    return clean<LineProgress>({
      line,
      confirmed: s.confirmed,
      backordered: s.backordered,
      rejected: s.rejected,
      shipped: s.shipped,
      invoiced: s.invoiced,
      invoicedAmount: s.amount === undefined ? undefined : moneyText(s.amount, s.currency),
    });
  });
}
