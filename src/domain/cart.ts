/** A punchout cart: lines with decimal quantities and prices, and their totals. */
import { Decimal, roundMoney, sum } from '../protocol/money.js';

export interface CartProduct {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly manufacturer: string;
  readonly manufacturerPartId: string;
  readonly unspsc: string;
  readonly unit: string;
  readonly leadTimeDays: number;
  readonly category: string;
}

export interface CartLine {
  readonly id: string;
  readonly position: number;
  readonly product: CartProduct;
  readonly quantity: Decimal;
  readonly unitPrice: Decimal;
  readonly currency: string;
  /** SupplierPartAuxiliaryID: identifies this line across create → edit → order. */
  readonly auxId: string;
}

export function lineTotal(line: CartLine): Decimal {
  return roundMoney(line.quantity.times(line.unitPrice), line.currency);
}

/** Sum of rounded line totals, so the header always equals what the lines show. */
export function cartTotal(lines: readonly CartLine[], currency: string): Decimal {
  return roundMoney(sum(lines.map(lineTotal)), currency);
}

/** A quantity a person typed: a positive decimal with at most 3 places (OCI's limit). */
export function parseQuantity(text: string | undefined): Decimal | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (!/^\d{1,11}(\.\d{1,3})?$/.test(t)) return undefined;
  const q = new Decimal(t);
  return q.greaterThan(0) ? q : undefined;
}
