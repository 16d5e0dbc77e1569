/** The receipt form, receipts and match sections of the purchase order page (owner: receipts-and-match helper). STUB. */
import { html, type Html } from '../../web/html.js';
import type { GoodsReceipt, PoLine, PurchaseOrder } from './model.js';
import type { MatchResult } from './match.js';

export function receiptSection(_po: PurchaseOrder, _lines: readonly PoLine[], _receipts: readonly GoodsReceipt[], _form?: { values: Record<string, string>; problems: readonly { field: string; message: string }[] }): Html {
  return html``;
}

export function matchSection(_match: MatchResult): Html {
  return html``;
}
