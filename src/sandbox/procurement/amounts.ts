/**
 * Money amounts typed into the sandbox's setup forms (budgets, approval rule limits), read
 * strictly: a plain decimal such as 5000 or 250.00 — no exponent (`1e100000` would be stored as
 * 100 004 characters), no sign, no thousands separator, no hex — with at most 12 digits before
 * the point and no more decimals than the currency has (EUR: 2, JPY: 0). Pure.
 */
import { Decimal } from 'decimal.js';
import { isCurrencyCode, minorUnits } from '../../protocol/money.js';

const PLAIN = /^\d{1,12}(\.\d+)?$/;

export type AmountReading = { readonly ok: true; readonly value: Decimal } | { readonly ok: false; readonly problem: string };

/**
 * Reads `text` (trimmed) as an amount in `currency`; the problem names the field by `label` and
 * says what was typed. An unknown currency code skips the decimals check (the currency field
 * has its own problem then).
 */
export function readAmount(text: string, currency: string, label: string, example = '5000.00'): AmountReading {
  const typed = text.trim();
  if (!PLAIN.test(typed)) {
    return {
      ok: false,
      problem: `${label}: enter a plain amount of 0 or more such as ${example} (digits with an optional decimal point, at most 12 digits before it)${typed === '' ? '' : `, got "${typed}"`}.`,
    };
  }
  const code = currency.trim().toUpperCase();
  const decimals = typed.includes('.') ? typed.length - typed.indexOf('.') - 1 : 0;
  if (isCurrencyCode(code) && decimals > minorUnits(code)) {
    const units = minorUnits(code);
    return { ok: false, problem: `${label}: ${code} has ${units === 0 ? 'no decimals' : `at most ${units} decimal${units === 1 ? '' : 's'}`}, got "${typed}".` };
  }
  return { ok: true, value: new Decimal(typed) };
}

/** The problem of an amount field, or undefined when it reads; an empty optional field reads. */
export function amountProblem(text: string, currency: string, label: string, opts: { optional?: boolean; example?: string } = {}): string | undefined {
  if (opts.optional && text.trim() === '') return undefined;
  const r = readAmount(text, currency, label, opts.example);
  return r.ok ? undefined : r.problem;
}

/** The amount problems of the approval rule form (min and max limit), by field. */
export function ruleAmountProblems(f: { readonly minAmount: string; readonly maxAmount: string; readonly currency: string }): Record<string, string> {
  const problems: Record<string, string> = {};
  const min = amountProblem(f.minAmount, f.currency, 'From amount', { optional: true, example: '250.00' });
  if (min) problems.minAmount = min;
  const max = amountProblem(f.maxAmount, f.currency, 'Below amount', { optional: true, example: '1000.00 (or leave it empty for no limit)' });
  if (max) problems.maxAmount = max;
  return problems;
}
