/** Goods receipts (owner: receipts-and-match helper). STUB. */
import type { Store } from '../../store/database.js';
import type { GoodsReceipt } from './model.js';

export async function receiptsFor(_db: Store, _poId: string): Promise<GoodsReceipt[]> {
  throw new Error('not implemented');
}
