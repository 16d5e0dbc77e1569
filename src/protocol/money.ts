/**
 * Decimal money and quantities. Never binary floats: every amount is a decimal.js value
 * and every number that leaves Koppel is machine-formatted (point, no grouping).
 */
import { Decimal } from 'decimal.js';

export { Decimal };

/** A decimal built from text or an integer; refuses anything that is not a plain decimal number. */
export function dec(value: string | number | Decimal): Decimal {
  if (value instanceof Decimal) return value;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError(`refusing a binary float for money: ${value}`);
    return new Decimal(value);
  }
  const text = value.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    throw new RangeError(`not a decimal number: "${value}"`);
  }
  return new Decimal(text);
}

/** Like dec(), but returns undefined for text that is not a decimal number. */
export function tryDec(value: string | undefined | null): Decimal | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    return dec(value);
  } catch {
    return undefined;
  }
}

/** ISO 4217 minor units for the currencies that differ from 2, plus the common 2-digit ones. */
const MINOR_UNITS: Record<string, number> = {
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0,
  UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  CLF: 4, UYW: 4,
};

/** Known ISO 4217 codes that use 2 minor units (others are accepted when they look like a code). */
const TWO_DIGIT = new Set(
  'AED AUD BRL CAD CHF CNY CZK DKK EUR GBP HKD HUF IDR ILS INR MXN MYR NOK NZD PHP PLN RON RUB SAR SEK SGD THB TRY TWD USD ZAR'.split(' '),
);

export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code);
}

/** Minor units (decimal places) of an ISO 4217 currency; 2 when the code is not in the table. */
export function minorUnits(currency: string): number {
  const code = currency.toUpperCase();
  if (code in MINOR_UNITS) return MINOR_UNITS[code]!;
  if (TWO_DIGIT.has(code)) return 2;
  return 2;
}

/** Round an amount to the currency's minor units, half away from zero (commercial rounding). */
export function roundMoney(amount: Decimal, currency: string): Decimal {
  return amount.toDecimalPlaces(minorUnits(currency), Decimal.ROUND_HALF_UP);
}

/** Format an amount for a document: at least the currency's minor units, more if the value has them. */
export function formatMoney(amount: Decimal, currency: string): string {
  const min = minorUnits(currency);
  const dp = Math.max(min, amount.decimalPlaces());
  return amount.toFixed(dp);
}

/** Format a plain decimal (quantities, unit prices) without exponent and without trailing noise. */
export function formatDecimal(value: Decimal, places?: number): string {
  return places === undefined ? value.toFixed() : value.toFixed(places, Decimal.ROUND_HALF_UP);
}

/** A sum of decimals. */
export function sum(values: Iterable<Decimal>): Decimal {
  let total = new Decimal(0);
  for (const v of values) total = total.plus(v);
  return total;
}

export interface Money {
  readonly amount: Decimal;
  readonly currency: string;
}

export function money(amount: string | number | Decimal, currency: string): Money {
  return { amount: dec(amount), currency: currency.toUpperCase() };
}
