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
