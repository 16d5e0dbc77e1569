/** Three-way match: order, goods receipt, invoice (owner: receipts-and-match helper). STUB. */
import type { SandboxDocument } from '../documents.js';
import type { GoodsReceipt, PoLine } from './model.js';

export interface LineMatch {
  readonly lineNumber: number;
  readonly description: string;
  readonly unit: string;
  readonly ordered: string;
  readonly received: string;
  readonly invoiced: string;
  readonly orderedPrice: string;
  /** Invoiced amount ÷ invoiced quantity, when something was invoiced. */
  readonly invoicedPrice?: string;
  readonly currency: string;
  /** Each difference in words, e.g. "invoiced 10, received 8". */
  readonly differences: readonly string[];
}

export interface MatchResult {
  /** clean: every line ordered = received = invoiced at the order's price; open: nothing contradicts but something is still to come; differences: see the lines. */
  readonly status: 'clean' | 'open' | 'differences';
  readonly lines: readonly LineMatch[];
  /** Differences not tied to a line (e.g. an invoice for no line of the order). */
  readonly orderDifferences: readonly string[];
}

export function threeWayMatch(_input: { lines: readonly PoLine[]; receipts: readonly GoodsReceipt[]; documents: readonly SandboxDocument[] }): MatchResult {
  throw new Error('not implemented');
}
