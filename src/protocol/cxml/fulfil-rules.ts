/**
 * Pure checks run before a confirmation, ship notice or invoice is sent (field-failures rules
 * 30, 31, 33). Each returns a list of problems — empty when the document may go — so the caller
 * can show them all at once. Nothing here reads a clock: "today" is passed in.
 *
 * The `…ShapeProblems` functions check what a document must satisfy on its own; the writers run
 * them and refuse. The `check…` functions add what needs the order, earlier documents or the date.
 */
import { Decimal } from 'decimal.js';
import { formatDecimal } from '../money.js';
import type { CxmlTimestamp } from './model.js';
import { formatCxmlTimestamp } from './write-parts.js';
import type { CommentsInput, DateInput } from './write-types.js';
import type { ConfirmationInput, ConfirmationItemInput, ShipNoticeInput, ShipNoticeItemInput } from './fulfil.js';
import type { InvoiceInput } from './invoice.js';

export type RuleCode =
  /** Header type does not fit the items/statuses (e.g. a reject with lines). */
  | 'type'
  /** A line number that is not a whole number ≥ 1. */
  | 'line.number'
  /** A line listed twice in one document. */
  | 'line.duplicate'
  /** A line the order does not have. */
  | 'line.unknown'
  /** A line already confirmed by an earlier confirmation. */
  | 'line.confirmed'
  /** A quantity that is not > 0. */
  | 'quantity'
  /** Confirmation statuses of a line that do not add up to its quantity. */
  | 'quantity.sum'
  /** A confirmation line quantity different from the ordered one. */
  | 'quantity.ordered'
  /** More shipped or invoiced, across documents, than ordered. */
  | 'quantity.exceeded'
  /** Unit of measure different from the order line's. */
  | 'uom'
  /** A shipment or delivery date before today. */
  | 'date.past'
  /** A delivery date before the shipment date. */
  | 'date.order'
  /** A date that cannot be placed on a calendar day. */
  | 'date.invalid'
  /** A reject without a reason in Comments. */
  | 'comments'
  /** A `detail` status that changes nothing (no unit price, no delivery date). */
  | 'detail'
  /** A backordered portion without an expected delivery date. */
  | 'backorder.date'
  /** A document without lines where lines are required. */
  | 'items'
  /** A ship notice without a carrier or tracking number. */
  | 'carrier'
  /** Larger than the buyer accepts. */
  | 'size';

export interface RuleProblem {
  readonly code: RuleCode;
  /** The order line (`ItemOut@lineNumber`) the problem is about, when it is about one. */
  readonly lineNumber?: number;
  /** Human-readable, names the line. */
  readonly message: string;
}

/** An order line as stored from the OrderRequest. */
export interface OrderedLine {
  readonly lineNumber: number;
  readonly quantity: Decimal;
  readonly unitOfMeasure: string;
}

/** Today's calendar date and the zone used to put instants on calendar days. */
export interface RuleClock {
  /** `YYYY-MM-DD`, injected (never read from the system clock here). */
  readonly today: string;
  /** Minutes east of UTC; default 0. */
  readonly offsetMinutes?: number;
}

// ---- helpers ----------------------------------------------------------------------------------

const show = (d: Decimal) => formatDecimal(d);

function problem(code: RuleCode, lineNumber: number | undefined, message: string): RuleProblem {
  return lineNumber === undefined ? { code, message } : { code, lineNumber, message };
}

function isLineNumber(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1;
}

function isPositive(d: Decimal): boolean {
  return d.isFinite() && d.isPositive() && !d.isZero();
}

function hasText(comments: readonly CommentsInput[] | undefined): boolean {
  return (comments ?? []).some((c) => c.text.trim() !== '');
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Calendar day (`YYYY-MM-DD`) of a date value: a date-only value as written, an instant in the
 * given zone. Undefined when the value names no day.
 */
export function calendarDay(value: DateInput, offsetMinutes = 0): string | undefined {
  try {
    if (value instanceof Date) return Number.isFinite(value.getTime()) ? formatCxmlTimestamp(value, offsetMinutes).slice(0, 10) : undefined;
    if (typeof value === 'string') return DAY.test(value) ? value : undefined;
    const ts: CxmlTimestamp = value;
    if (ts.dateOnly !== undefined) return DAY.test(ts.dateOnly) ? ts.dateOnly : undefined;
    return ts.instant ? formatCxmlTimestamp(ts.instant, offsetMinutes).slice(0, 10) : undefined;
  } catch {
    return undefined;
  }
}

function dateProblems(
  lineNumber: number | undefined,
  where: string,
  shipmentDate: DateInput | undefined,
  deliveryDate: DateInput | undefined,
  clock: RuleClock | undefined,
): RuleProblem[] {
  const out: RuleProblem[] = [];
  const offset = clock?.offsetMinutes ?? 0;
  const days: [string, DateInput | undefined, string | undefined][] = [
    ['shipment date', shipmentDate, shipmentDate === undefined ? undefined : calendarDay(shipmentDate, offset)],
    ['delivery date', deliveryDate, deliveryDate === undefined ? undefined : calendarDay(deliveryDate, offset)],
  ];
  for (const [label, raw, day] of days) {
    if (raw === undefined) continue;
    if (day === undefined) out.push(problem('date.invalid', lineNumber, `${where}: the ${label} is not a valid date`));
    else if (clock && day < clock.today) out.push(problem('date.past', lineNumber, `${where}: the ${label} ${day} is in the past (today is ${clock.today})`));
  }
  const ship = days[0]![2];
  const deliver = days[1]![2];
  if (ship !== undefined && deliver !== undefined && deliver < ship) {
    out.push(problem('date.order', lineNumber, `${where}: the delivery date ${deliver} is before the shipment date ${ship}`));
  }
  return out;
}

function orderIndex(order: readonly OrderedLine[]): Map<number, OrderedLine> {
  return new Map(order.map((l) => [l.lineNumber, l]));
}

// ---- confirmations ----------------------------------------------------------------------------

function itemShapeProblems(item: ConfirmationItemInput, headerType: string): RuleProblem[] {
  const out: RuleProblem[] = [];
  const n = item.lineNumber;
  const where = `line ${n}`;
  if (!isPositive(item.quantity)) out.push(problem('quantity', n, `${where}: the ordered quantity must be > 0`));
  if (item.statuses.length === 0) {
    out.push(problem('quantity.sum', n, `${where}: at least one status is needed`));
    return out;
  }
  let total = new Decimal(0);
  for (const s of item.statuses) {
    if (!isPositive(s.quantity)) out.push(problem('quantity', n, `${where}: a ${s.type} status has quantity ${show(s.quantity)}; it must be > 0`));
    else total = total.plus(s.quantity);
    if (headerType === 'accept' && s.type !== 'accept') {
      out.push(problem('type', n, `${where}: an accept confirmation may only carry accept statuses, got ${s.type}`));
    }
    if (s.type === 'reject' && !hasText(s.comments)) out.push(problem('comments', n, `${where}: a rejected portion needs the reason in Comments`));
    if (s.type === 'detail' && !s.unitPrice && s.deliveryDate === undefined) {
      out.push(problem('detail', n, `${where}: a detail status must carry what changes (a unit price or a delivery date)`));
    }
  }
  if (item.statuses.every((s) => isPositive(s.quantity)) && !total.eq(item.quantity)) {
    out.push(
      problem('quantity.sum', n, `${where}: the statuses add up to ${show(total)}, the line quantity is ${show(item.quantity)}`),
    );
  }
  return out;
}

/** What a ConfirmationRequest must satisfy on its own (the writer refuses when this is not empty). */
export function confirmationShapeProblems(c: ConfirmationInput): RuleProblem[] {
  const out: RuleProblem[] = [];
  const items = c.items ?? [];
  if (c.type === 'reject') {
    if (items.length > 0) out.push(problem('type', undefined, 'a reject confirmation rejects the whole order and must not list lines'));
    if (!hasText(c.comments)) out.push(problem('comments', undefined, 'a reject confirmation needs the reason in Comments'));
  }
  if (c.type === 'detail' && items.length === 0) out.push(problem('items', undefined, 'a detail confirmation must list at least one line'));
  const seen = new Set<number>();
  for (const item of items) {
    if (!isLineNumber(item.lineNumber)) {
      out.push(problem('line.number', undefined, `line number ${item.lineNumber} is not a whole number ≥ 1`));
      continue;
    }
    if (seen.has(item.lineNumber)) out.push(problem('line.duplicate', item.lineNumber, `line ${item.lineNumber} appears more than once`));
    seen.add(item.lineNumber);
    out.push(...itemShapeProblems(item, c.type));
  }
  return out;
}

export interface ConfirmationCheckOptions extends RuleClock {
  /** Earlier confirmations of the same order: a line may be confirmed in only one of them. */
  readonly previous?: readonly ConfirmationInput[];
}

/**
 * All problems of a confirmation against its order (rule 30): the shape problems, then every
 * line known to the order with its ordered quantity and unit, statuses adding up to the ordered
 * quantity, no line confirmed twice, no shipment/delivery date before today, backorders with a
 * delivery date.
 */
export function checkConfirmation(c: ConfirmationInput, order: readonly OrderedLine[], options: ConfirmationCheckOptions): RuleProblem[] {
  const out = confirmationShapeProblems(c);
  const lines = orderIndex(order);
  const confirmedBefore = new Set((options.previous ?? []).flatMap((p) => (p.items ?? []).map((i) => i.lineNumber)));
  for (const item of c.items ?? []) {
    const n = item.lineNumber;
    const where = `line ${n}`;
    const ordered = lines.get(n);
    if (!ordered) out.push(problem('line.unknown', n, `${where} is not in the order`));
    else {
      if (!item.quantity.eq(ordered.quantity)) {
        out.push(problem('quantity.ordered', n, `${where}: quantity ${show(item.quantity)} differs from the ordered ${show(ordered.quantity)}`));
      }
      if (item.unitOfMeasure !== ordered.unitOfMeasure) {
        out.push(problem('uom', n, `${where}: unit ${item.unitOfMeasure} differs from the ordered ${ordered.unitOfMeasure}`));
      }
    }
    if (confirmedBefore.has(n)) out.push(problem('line.confirmed', n, `${where} was already confirmed by an earlier confirmation`));
    for (const s of item.statuses) {
      out.push(...dateProblems(n, `${where} (${s.type})`, s.shipmentDate, s.deliveryDate, options));
      if (s.type === 'backordered' && s.deliveryDate === undefined) {
        out.push(problem('backorder.date', n, `${where}: a backordered portion needs the expected delivery date`));
      }
    }
  }
  return out;
}

// ---- ship notices -----------------------------------------------------------------------------

/** The lines of one ship notice: enough to add up shipped quantities. */
export interface ShipmentLines {
  readonly shipmentID: string;
  readonly items: readonly ShipNoticeItemInput[];
}

/** What a ShipNoticeRequest must satisfy on its own (the writer refuses when this is not empty). */
export function shipNoticeShapeProblems(n: ShipNoticeInput): RuleProblem[] {
  const out: RuleProblem[] = [];
  if (!n.carrier.companyName?.trim() && !n.carrier.scac?.trim()) {
    out.push(problem('carrier', undefined, 'the carrier needs a company name or a SCAC code'));
  }
  if (n.tracking.number.trim() === '') out.push(problem('carrier', undefined, 'the tracking number is empty'));
  if (n.items.length === 0) out.push(problem('items', undefined, 'a ship notice must list the shipped lines'));
  const seen = new Set<number>();
  for (const item of n.items) {
    if (!isLineNumber(item.lineNumber)) {
      out.push(problem('line.number', undefined, `line number ${item.lineNumber} is not a whole number ≥ 1`));
      continue;
    }
    if (seen.has(item.lineNumber)) out.push(problem('line.duplicate', item.lineNumber, `line ${item.lineNumber} appears more than once`));
    seen.add(item.lineNumber);
    if (!isPositive(item.quantity)) out.push(problem('quantity', item.lineNumber, `line ${item.lineNumber}: the shipped quantity must be > 0`));
  }
  return out;
}

function addUp(lines: Iterable<{ lineNumber: number; quantity: Decimal }>): Map<number, Decimal> {
  const sums = new Map<number, Decimal>();
  for (const l of lines) {
    if (!l.quantity.isFinite()) continue;
    sums.set(l.lineNumber, (sums.get(l.lineNumber) ?? new Decimal(0)).plus(l.quantity));
  }
  return sums;
}

/**
 * Shipped quantities of one order across all its ship notices (partial shipments): every line
 * known to the order, in its unit, and never more shipped in total than ordered.
 */
export function checkShipNotices(order: readonly OrderedLine[], notices: readonly ShipmentLines[]): RuleProblem[] {
  const out: RuleProblem[] = [];
  const lines = orderIndex(order);
  for (const notice of notices) {
    for (const item of notice.items) {
      const ordered = lines.get(item.lineNumber);
      if (!ordered) out.push(problem('line.unknown', item.lineNumber, `shipment ${notice.shipmentID}: line ${item.lineNumber} is not in the order`));
      else if (item.unitOfMeasure !== ordered.unitOfMeasure) {
        out.push(problem('uom', item.lineNumber, `shipment ${notice.shipmentID}: line ${item.lineNumber} unit ${item.unitOfMeasure} differs from the ordered ${ordered.unitOfMeasure}`));
      }
    }
  }
  for (const [lineNumber, shipped] of addUp(notices.flatMap((n) => n.items))) {
    const ordered = lines.get(lineNumber);
    if (ordered && shipped.gt(ordered.quantity)) {
      out.push(problem('quantity.exceeded', lineNumber, `line ${lineNumber}: ${show(shipped)} shipped in total, only ${show(ordered.quantity)} ordered`));
    }
  }
  return out;
}

export interface ShipNoticeCheckOptions {
  /** Ship notices already sent for the same order. */
  readonly previous?: readonly ShipmentLines[];
}

/** All problems of the next ship notice of an order: its shape, its dates, and the running totals. */
export function checkShipNotice(n: ShipNoticeInput, order: readonly OrderedLine[], options: ShipNoticeCheckOptions = {}): RuleProblem[] {
  return [
    ...shipNoticeShapeProblems(n),
    // Shipment dates are facts reported after the event, so only their order is checked.
    ...dateProblems(undefined, `shipment ${n.shipmentID}`, n.shipmentDate, n.deliveryDate, undefined),
    ...checkShipNotices(order, [...(options.previous ?? []), n]),
  ];
}

/** Quantity of each order line not yet shipped (never negative). */
export function remainingToShip(order: readonly OrderedLine[], notices: readonly ShipmentLines[]): Map<number, Decimal> {
  const shipped = addUp(notices.flatMap((n) => n.items));
  return new Map(
    order.map((l) => {
      const left = l.quantity.minus(shipped.get(l.lineNumber) ?? 0);
      return [l.lineNumber, left.isNegative() ? new Decimal(0) : left];
    }),
  );
}

// ---- invoices ---------------------------------------------------------------------------------

/**
 * Invoiced quantities of one order across standard invoices (rule 31): every invoiced line is
 * in the order and the total invoiced never exceeds the ordered quantity. Credit memos are left
 * out: a header-level memo credits money, not quantities.
 */
export function checkInvoicedQuantities(
  order: { readonly payloadID: string; readonly lines: readonly OrderedLine[] },
  invoices: readonly InvoiceInput[],
): RuleProblem[] {
  const out: RuleProblem[] = [];
  const lines = orderIndex(order.lines);
  const invoiced: { lineNumber: number; quantity: Decimal }[] = [];
  for (const inv of invoices) {
    if (inv.purpose !== 'standard') continue;
    for (const o of inv.orders) {
      if (o.order.payloadID !== order.payloadID) continue;
      for (const l of o.lines) {
        const ordered = lines.get(l.orderLineNumber);
        if (!ordered) out.push(problem('line.unknown', l.orderLineNumber, `invoice ${inv.invoiceID}: line ${l.orderLineNumber} is not in the order`));
        else if (l.unitOfMeasure !== ordered.unitOfMeasure) {
          out.push(problem('uom', l.orderLineNumber, `invoice ${inv.invoiceID}: line ${l.orderLineNumber} unit ${l.unitOfMeasure} differs from the ordered ${ordered.unitOfMeasure}`));
        }
        invoiced.push({ lineNumber: l.orderLineNumber, quantity: l.quantity });
      }
    }
  }
  for (const [lineNumber, total] of addUp(invoiced)) {
    const ordered = lines.get(lineNumber);
    if (ordered && total.gt(ordered.quantity)) {
      out.push(problem('quantity.exceeded', lineNumber, `line ${lineNumber}: ${show(total)} invoiced in total, only ${show(ordered.quantity)} ordered`));
    }
  }
  return out;
}

// ---- size -------------------------------------------------------------------------------------

export interface SizeLimits {
  /** Largest body the buyer accepts, in bytes as sent. */
  readonly maxBytes?: number;
  /** Most lines per document. */
  readonly maxLines?: number;
  /** `base64` when the document travels base64-encoded (a third larger). Default `raw`. */
  readonly encoding?: 'raw' | 'base64';
}

/** Per-buyer size limits (rule 33), checked on the finished document before sending. */
export function checkSizeLimits(xml: string, lineCount: number, limits: SizeLimits): RuleProblem[] {
  const out: RuleProblem[] = [];
  const raw = Buffer.byteLength(xml, 'utf8');
  const bytes = limits.encoding === 'base64' ? 4 * Math.ceil(raw / 3) : raw;
  if (limits.maxBytes !== undefined && bytes > limits.maxBytes) {
    out.push(problem('size', undefined, `the document is ${bytes} bytes${limits.encoding === 'base64' ? ' in base64' : ''}; the buyer accepts at most ${limits.maxBytes}`));
  }
  if (limits.maxLines !== undefined && lineCount > limits.maxLines) {
    out.push(problem('size', undefined, `the document has ${lineCount} lines; the buyer accepts at most ${limits.maxLines}`));
  }
  return out;
}
