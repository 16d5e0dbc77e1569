/**
 * OCI numbers: CHAR 15, decimal point, no grouping, no sign, at most 11 integer digits and
 * exactly 3 decimals on output (`12.500`), as SAP documents and every major emitter writes them.
 */
import { Decimal } from 'decimal.js';
import { dec } from '../money.js';

export const OCI_DECIMALS = 3;
export const OCI_MAX_INTEGER_DIGITS = 11;
/** PRICEUNIT is CHAR 5 in OCI 4.0/5.0. */
export const OCI_MAX_PRICE_UNIT = 99999;

/** Thrown when a value cannot be written as an OCI number without changing it. */
export class OciNumberError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'OciNumberError';
  }
}

/** `12.5` → `12.500`. Throws for negative values, more than 3 decimals or more than 11 integer digits. */
export function formatOciDecimal(value: Decimal, what = 'value'): string {
  if (!value.isFinite()) throw new OciNumberError(`${what} is not a finite number`);
  if (value.isNegative() && !value.isZero()) throw new OciNumberError(`${what} ${value.toFixed()} is negative; OCI numbers carry no sign`);
  if (value.decimalPlaces() > OCI_DECIMALS) {
    throw new OciNumberError(`${what} ${value.toFixed()} has more than ${OCI_DECIMALS} decimals`);
  }
  const text = value.abs().toFixed(OCI_DECIMALS);
  const integerDigits = text.indexOf('.');
  if (integerDigits > OCI_MAX_INTEGER_DIGITS) {
    throw new OciNumberError(`${what} ${value.toFixed()} has more than ${OCI_MAX_INTEGER_DIGITS} integer digits`);
  }
  return text;
}

/** A non-negative whole number as plain digits (PRICEUNIT, LEADTIME). */
export function formatOciInteger(value: Decimal | number, maxDigits: number, what = 'value'): string {
  const d = typeof value === 'number' ? (Number.isInteger(value) ? new Decimal(value) : undefined) : value;
  if (d === undefined || !d.isFinite() || !d.isInteger()) throw new OciNumberError(`${what} ${String(value)} is not a whole number`);
  if (d.isNegative() && !d.isZero()) throw new OciNumberError(`${what} ${d.toFixed()} is negative`);
  const text = d.abs().toFixed(0);
  if (text.length > maxDigits) throw new OciNumberError(`${what} ${text} has more than ${maxDigits} digits`);
  return text;
}

export interface PriceInUnit {
  /** Price per `priceUnit` units, with at most `maxDecimals` decimals. */
  price: Decimal;
  priceUnit: Decimal;
  /** True only when no price unit ≤ 99999 could carry the price exactly and it had to be rounded. */
  rounded: boolean;
}

/**
 * Express `price` per `priceUnit` so that the price has at most `maxDecimals` decimals and the
 * price unit is a whole number, by multiplying both by the smallest power of ten that works
 * (field-failures.md rule 22: use the price unit instead of rounding).
 * 0.0125 per 1 with 3 decimals → 0.125 per 10; with 1 decimal → 12.5 per 1000.
 * Only when even the largest price unit (≤ 99999) is not enough is the price rounded (half up)
 * at the largest usable unit, and `rounded` says so.
 */
export function fitPriceToUnit(price: Decimal, priceUnit: Decimal, maxDecimals: number): PriceInUnit {
  if (!Number.isInteger(maxDecimals) || maxDecimals < 0 || maxDecimals > OCI_DECIMALS) {
    throw new RangeError(`maxPriceDecimals must be a whole number from 0 to ${OCI_DECIMALS}, got ${maxDecimals}`);
  }
  if (!priceUnit.isFinite() || priceUnit.lte(0)) throw new OciNumberError(`price unit ${priceUnit.toFixed()} must be greater than 0`);
  let best: { price: Decimal; priceUnit: Decimal } | undefined;
  for (let k = 0; ; k++) {
    const scale = new Decimal(10).pow(k);
    const unit = priceUnit.times(scale);
    if (unit.gt(OCI_MAX_PRICE_UNIT)) break;
    if (!unit.isInteger()) continue;
    const p = price.times(scale);
    if (p.decimalPlaces() <= maxDecimals) return { price: p, priceUnit: unit, rounded: false };
    best = { price: p, priceUnit: unit };
  }
  if (!best) {
    throw new OciNumberError(`price unit ${priceUnit.toFixed()} cannot be written as a whole number up to ${OCI_MAX_PRICE_UNIT}`);
  }
  return { price: best.price.toDecimalPlaces(maxDecimals, Decimal.ROUND_HALF_UP), priceUnit: best.priceUnit, rounded: true };
}

export interface ParsedOciNumber {
  value: Decimal | undefined;
  /** Set when the text was not a plain OCI number (comma decimal, sign, garbage). */
  problem?: string;
}

/**
 * Read an OCI number tolerantly: surrounding blanks, zero padding (`00000001730.900`) and any
 * number of decimals (`1.0`) are fine. A decimal comma (`12,50`) is read in tolerant mode with a
 * problem note, refused otherwise. Empty text gives `undefined` without a problem.
 */
export function parseOciNumber(text: string, tolerant = true): ParsedOciNumber {
  const t = text.trim();
  if (t === '') return { value: undefined };
  if (/^(\d+\.?\d*|\.\d+)$/.test(t)) return { value: dec(t) };
  if (/^(\d+,\d*|,\d+)$/.test(t)) {
    return tolerant
      ? { value: dec(t.replace(',', '.')), problem: `decimal comma in "${text}"` }
      : { value: undefined, problem: `decimal comma in "${text}" (not an OCI number)` };
  }
  if (tolerant && /^[+-](\d+\.?\d*|\.\d+)$/.test(t)) {
    return { value: dec(t), problem: `sign in "${text}"` };
  }
  return { value: undefined, problem: `not a number: "${text}"` };
}
