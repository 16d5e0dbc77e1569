/** Inventory items, stock and re-orders (owner: inventory helper). STUB. */
import type { Store } from '../../store/database.js';

/**
 * A goods receipt adds to the stock of the inventory items its lines restock (once per receipt
 * line: dedupe key receipt:<receiptId>:<lineNumber>; a negative quantity is a return).
 */
export async function stockFromReceipt(
  _db: Store,
  _input: { receiptId: string; receiptNumber: string; lines: readonly { lineNumber: number; inventoryItemId: string; quantity: string }[]; actor: string; at: Date },
): Promise<void> {
  throw new Error('not implemented');
}
