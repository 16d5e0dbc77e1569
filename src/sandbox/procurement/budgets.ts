/** Budgets per cost center and period (owner: requisitions helper). STUB — replaced by the implementation. */
import type { Store } from '../../store/database.js';

/**
 * An invoice (positive) or credit memo (negative) the sandbox accepted for a purchase order: books
 * the actual spend on the budget its requisition committed, and releases as much of the
 * commitment. Booked once per document (dedupe on the document id); does nothing for an order
 * without a requisition or budget.
 */
export async function recordInvoiceSpend(
  _db: Store,
  _input: { poId: string; documentId: string; amount: string; currency: string; at: Date },
): Promise<void> {
  throw new Error('not implemented');
}

/**
 * Sets the commitment of a purchase order's requisition to `total` minus what has been invoiced
 * (a change order raising or lowering the order; `total` "0" on cancellation releases it all).
 * Run inside the caller's transaction. Throws ProcurementError when a raise would take the
 * budget below zero.
 */
export async function recommitForOrder(
  _db: Store,
  _input: { poId: string; total: string; currency: string; at: Date; reason: string },
): Promise<void> {
  throw new Error('not implemented');
}
