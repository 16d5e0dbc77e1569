/**
 * Quantities and unit prices typed into the sandbox's forms (goods receipts, taking from stock,
 * stock counts, inventory items, recurring orders), read strictly like the budget amounts: a plain
 * decimal such as 3 or 2.5 — no exponent (`1e-40`), no thousands separator, no comma.
 *
 * Quantities have at most 11 digits before the point and 3 after it: the limits of an OCI
 * QUANTITY (CHAR 15, 3 decimals), and few enough digits that sums stay exact within decimal.js's
 * 20 significant digits (a receipt of 0.0000000000000000000001 used to vanish in the rounding and
 * leave the match clean). Pure.
 */
import { Decimal } from 'decimal.js';
import { MAX_UNIT_PRICE_DECIMALS } from '../cart.js';

export const QUANTITY_INTEGER_DIGITS = 11;
export const QUANTITY_DECIMALS = 3;
const UNIT_PRICE_INTEGER_DIGITS = 12;

/** `format`: not a plain decimal at all; `size`: too many digits before or after the point. */
export type NumberReading = { readonly ok: true; readonly value: Decimal } | { readonly ok: false; readonly kind: 'format' | 'size'; readonly problem: string };

function readPlain(text: string, label: string, example: string, intDigits: number, decimals: number, what: string): NumberReading {
  const typed = text.trim();
  const m = /^[+-]?(\d*)(?:\.(\d*))?$/.exec(typed);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) {
    return {
      ok: false,
      kind: 'format',
      problem: `${label}: enter a plain number such as ${example} (digits with a decimal point; no exponent, comma or thousands separator)${typed === '' ? '' : `, got "${typed}"`}.`,
    };
  }
  if (m[1]!.replace(/^0+/, '').length > intDigits) {
    return { ok: false, kind: 'size', problem: `${label}: at most ${intDigits} digits before the decimal point, got "${typed}".` };
  }
  // Trailing zeros add no precision: 2.5000 is 2.5 (a quantity copied from a cart may carry them).
  if ((m[2] ?? '').replace(/0+$/, '').length > decimals) {
    return { ok: false, kind: 'size', problem: `${label}: at most ${decimals} decimals (${what}), got "${typed}".` };
  }
  return { ok: true, value: new Decimal(typed.endsWith('.') ? typed.slice(0, -1) : typed) };
}

/**
 * A quantity as typed; the sign is the caller's to check (a receipt may be negative).
 *
 * @example readQuantity('2.5', 'Quantity') // { ok: true, value: 2.5 }
 * @example readQuantity('1e-40', 'Quantity') // { ok: false, problem: 'Quantity: enter a plain number … got "1e-40".' }
 */
export function readQuantity(text: string, label: string, example = '3 or 2.5'): NumberReading {
  return readPlain(text, label, example, QUANTITY_INTEGER_DIGITS, QUANTITY_DECIMALS, 'quantities are kept to 3 decimals, like an OCI QUANTITY');
}

/** A unit price as typed: up to 6 decimals, as many as a price from a cart keeps. */
export function readUnitPrice(text: string, label: string, example = '12 or 4.59'): NumberReading {
  return readPlain(text, label, example, UNIT_PRICE_INTEGER_DIGITS, MAX_UNIT_PRICE_DECIMALS, `unit prices are kept to ${MAX_UNIT_PRICE_DECIMALS} decimals`);
}
