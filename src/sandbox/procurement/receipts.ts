/**
 * Goods receipts: what arrived (or went back) for an open purchase order, line by line. A receipt
 * is checked against the order in the transaction that stores it, with the order's row locked, so
 * two receipts posted at once can never together receive more than was ordered.
 */
import { PostgresAdapter } from 'kysely';
import { Decimal } from '../../protocol/money.js';
import type { Store } from '../../store/database.js';
import { nextNumber, newId, recordEvent } from './history.js';
import { stockFromReceipt } from './inventory.js';
import { newestFirst, ProcurementError, type GoodsReceipt, type PoLine, type ProcurementDeps, type SandboxActor } from './model.js';
import { findPurchaseOrder, poLines } from './purchase-orders.js';
import { findRequisition } from './requisitions.js';
import { receivedPerLine } from './match.js';
import { readQuantity } from './quantities.js';

export interface GoodsReceiptInput {
  /** Quantities as typed (decimal text); blank or 0 lines are ignored; negative = goods sent back. */
  readonly lines: readonly { readonly lineNumber: number; readonly quantity: string }[];
  /** YYYY-MM-DD; default today (UTC); not in the future. */
  readonly receivedOn?: string;
  readonly note?: string;
}

/** A refused receipt: every problem, each with the form field it is about (`qty-<line>`, `receivedOn`, `note`, `lines`). */
export class ReceiptRefused extends ProcurementError {
  constructor(readonly problems: readonly ProcurementError[]) {
    super(problems.map((p) => p.message).join(' '), problems.length === 1 ? problems[0]!.field : undefined, problems.some((p) => p.status === 409) ? 409 : 422);
    this.name = 'ReceiptRefused';
  }
}

const NOTE_MAX = 2000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export async function receiptsFor(db: Store, poId: string): Promise<GoodsReceipt[]> {
  const rows = await db.selectFrom('sandbox_receipts').selectAll().where('po_id', '=', poId).orderBy('created_at').execute();
  rows.sort((a, b) => -newestFirst(a, b));
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    poId: r.po_id,
    receivedBy: r.received_by,
    receivedOn: r.received_on,
    lines: parseLines(r.lines),
    note: r.note,
    createdAt: r.created_at,
  }));
}

function parseLines(text: string): GoodsReceipt['lines'] {
  try {
    const v = JSON.parse(text) as unknown;
    if (!Array.isArray(v)) return [];
    return v
      .filter((x): x is { lineNumber: number; quantity: string } => typeof x === 'object' && x !== null && typeof x.lineNumber === 'number' && typeof x.quantity === 'string')
      .map((x) => ({ lineNumber: x.lineNumber, quantity: x.quantity }));
  } catch {
    return [];
  }
}

/**
 * Records a goods receipt for an open purchase order.
 *
 * @throws ProcurementError 404 for an unknown order; ReceiptRefused (422 invalid input, 409 the
 *   order is not open) naming each problem and its field.
 * @example await recordGoodsReceipt(deps, po.id, { lines: [{ lineNumber: 1, quantity: '8' }] }, 'person:sam')
 */
export async function recordGoodsReceipt(deps: ProcurementDeps, poId: string, input: GoodsReceiptInput, actor: SandboxActor): Promise<GoodsReceipt> {
  const now = deps.now();
  const today = now.toISOString().slice(0, 10);
  const problems: ProcurementError[] = [];
  const bad = (field: string, message: string) => problems.push(new ProcurementError(message, field, 422));

  const receivedOn = (input.receivedOn ?? '').trim() || today;
  if (!validDay(receivedOn)) bad('receivedOn', `The date received must be a date as YYYY-MM-DD (e.g. ${today}); "${receivedOn}" is not one.`);
  else if (receivedOn > today) bad('receivedOn', `The date received ${receivedOn} is in the future; goods can be received up to today (${today}).`);
  const note = (input.note ?? '').trim();
  if (note.length > NOTE_MAX) bad('note', `The note is ${note.length} characters long; at most ${NOTE_MAX} are kept.`);

  // Format first (no database needed); the figures are checked against the locked order below.
  const wanted: { lineNumber: number; quantity: Decimal }[] = [];
  const seen = new Set<number>();
  for (const l of input.lines) {
    const text = l.quantity.trim();
    const field = `qty-${l.lineNumber}`;
    if (text === '') continue;
    const read = readQuantity(text, `Line ${l.lineNumber}`);
    if (!read.ok) {
      bad(field, read.kind === 'format' ? `Line ${l.lineNumber}: "${l.quantity}" is not a quantity. Enter a decimal number with a point (1.5, not 1,5); negative to send goods back.` : read.problem);
      continue;
    }
    if (seen.has(l.lineNumber)) {
      bad(field, `Line ${l.lineNumber} is given twice; enter one quantity per line.`);
      continue;
    }
    seen.add(l.lineNumber);
    const q = read.value;
    if (!q.isZero()) wanted.push({ lineNumber: l.lineNumber, quantity: q });
  }
  if (wanted.length === 0 && !problems.some((p) => p.field?.startsWith('qty-'))) {
    bad('lines', 'Enter the quantity received on at least one line (negative to send goods back).');
  }

  return deps.db.transaction().execute(async (trx) => {
    // PostgreSQL: a second receipt for the same order waits here until the first commits, then
    // sees it below. SQLite runs one write transaction at a time, so no lock is needed there.
    const locked = await lockPurchaseOrderRow(trx, poId);
    const po = locked ? await findPurchaseOrder(trx, poId) : undefined;
    if (!po) throw new ProcurementError(`There is no purchase order ${poId}.`, undefined, 404);
    if (po.status !== 'open') {
      problems.push(new ProcurementError(`Purchase order ${po.orderId} is ${po.status}: goods can be received only for an open order.`, undefined, 409));
      throw new ReceiptRefused(problems);
    }
    // A cancellation on its way was allowed because nothing was received; a receipt now would be lost with it.
    const cancelling = await trx.selectFrom('sandbox_po_messages').select('id').where('po_id', '=', poId).where('type', '=', 'delete').where('status', '=', 'sending').executeTakeFirst();
    if (cancelling) {
      problems.push(new ProcurementError(`A cancellation of purchase order ${po.orderId} is being sent to the supplier; reload the page in a moment and record the receipt if the order is still open.`, undefined, 409));
      throw new ReceiptRefused(problems);
    }

    const lines = new Map<number, PoLine>(poLines(po).map((l) => [l.lineNumber, l]));
    const before = receivedPerLine(await receiptsFor(trx, poId));
    for (const w of wanted) {
      const line = lines.get(w.lineNumber);
      const field = `qty-${w.lineNumber}`;
      if (!line) {
        bad(field, `Line ${w.lineNumber} is not a line of purchase order ${po.orderId} (its lines: ${[...lines.keys()].join(', ') || 'none'}).`);
        continue;
      }
      const unit = line.unit ? ` ${line.unit}` : '';
      const ordered = new Decimal(line.quantity);
      const had = before.get(w.lineNumber) ?? new Decimal(0);
      const after = had.plus(w.quantity);
      if (after.gt(ordered)) {
        const room = Decimal.max(ordered.minus(had), 0);
        bad(
          field,
          `Line ${w.lineNumber}: receiving ${w.quantity.toFixed()}${unit} would make ${after.toFixed()}${unit} received, but ${ordered.toFixed()}${unit} ${ordered.isZero() ? 'are ordered (the line was removed)' : 'were ordered'}` +
            `${had.isZero() ? '' : ` and ${had.toFixed()}${unit} were received before`}; at most ${room.toFixed()}${unit} more can be received.`,
        );
      } else if (after.isNegative()) {
        bad(field, `Line ${w.lineNumber}: sending back ${w.quantity.negated().toFixed()}${unit} is more than the ${had.toFixed()}${unit} received so far.`);
      }
    }
    if (problems.length > 0) throw new ReceiptRefused(problems);

    const id = newId('gr');
    const number = `GR-${await nextNumber(trx, 'receipt')}`;
    const stored = wanted.map((w) => ({ lineNumber: w.lineNumber, quantity: w.quantity.toFixed() }));
    const at = now.toISOString();
    await trx
      .insertInto('sandbox_receipts')
      .values({ id, number, po_id: poId, received_by: actor, received_on: receivedOn, lines: JSON.stringify(stored), note, created_at: at })
      .execute();
    const parts = wanted.map((w) => {
      const unit = lines.get(w.lineNumber)!.unit;
      return w.quantity.isNegative()
        ? `line ${w.lineNumber}: ${w.quantity.negated().toFixed()}${unit ? ` ${unit}` : ''} sent back`
        : `line ${w.lineNumber}: ${w.quantity.toFixed()}${unit ? ` ${unit}` : ''}`;
    });
    await recordEvent(trx, {
      subjectType: 'po',
      subjectId: poId,
      actor,
      kind: wanted.every((w) => w.quantity.isNegative()) ? 'returned' : 'received',
      text: `Goods receipt ${number} (${receivedOn}): ${parts.join(', ')}.${note ? ` Note: ${note}` : ''}`,
      at: now,
    });

    // Lines that restock an inventory item (re-orders, recurring orders) add to its stock.
    const requisition = po.requisitionId ? await findRequisition(trx, po.requisitionId) : undefined;
    const items = new Map((requisition?.lines ?? []).filter((l) => l.inventoryItemId).map((l) => [l.line, l.inventoryItemId!]));
    const stock = wanted.filter((w) => items.has(w.lineNumber)).map((w) => ({ lineNumber: w.lineNumber, inventoryItemId: items.get(w.lineNumber)!, quantity: w.quantity.toFixed() }));
    if (stock.length > 0) await stockFromReceipt(trx, { receiptId: id, receiptNumber: number, lines: stock, actor, at: now });

    return { id, number, poId, receivedBy: actor, receivedOn, lines: stored, note, createdAt: at };
  });
}

/**
 * Reads the order row inside `trx`, locking it on PostgreSQL until the transaction ends, so writers
 * that decide on what was received, invoiced or is being cancelled take turns. SQLite runs one
 * write transaction at a time and needs no lock. Undefined: no such order.
 */
export async function lockPurchaseOrderRow(trx: Store, poId: string): Promise<{ id: string; status: string } | undefined> {
  const q = trx.selectFrom('sandbox_purchase_orders').select(['id', 'status']).where('id', '=', poId);
  return (isPostgres(trx) ? q.forUpdate() : q).executeTakeFirst();
}

function isPostgres(db: Store): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

function validDay(text: string): boolean {
  const m = DAY.exec(text);
  if (!m) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}
