/**
 * A change typed on an older page of a purchase order, laid over the order as it is now (pure).
 *
 * The change form says what it showed (`was-N` per line). Only lines the person edited keep what
 * they typed; every other line shows the current quantity, so sending the form again cannot undo
 * a change someone else made meanwhile. Lines both people changed are named, so nobody overwrites
 * the other without seeing it.
 */
import { Decimal } from 'decimal.js';

export interface CurrentLine {
  readonly lineNumber: number;
  /** Decimal text; 0 for a line removed by a change. */
  readonly quantity: string;
}

export interface StaleMerge {
  /** The change form's values: qty-N → text. */
  readonly values: Record<string, string>;
  /** The person's own edits kept in the form, e.g. "line 2 → 4". */
  readonly kept: readonly string[];
  /** Edits that meet a change made meanwhile, or that could not be kept, in words. */
  readonly clashes: readonly string[];
}

/** Equal as numbers where both are numbers ("1" and "1.0"), else as trimmed text. */
function same(a: string, b: string): boolean {
  try {
    return new Decimal(a.trim()).eq(new Decimal(b.trim()));
  } catch {
    return a.trim() === b.trim();
  }
}

/**
 * True when every line the page showed still has that quantity, and no line the order has was
 * missing from the page: the page is as good as current even if the version moved (a change the
 * supplier refused, a withdrawn cancellation).
 */
export function pageStillCurrent(current: readonly CurrentLine[], shown: ReadonlyMap<number, string>): boolean {
  if (current.length === 0) return false;
  return current.every((l) => {
    const was = shown.get(l.lineNumber);
    return was !== undefined && same(was, l.quantity);
  });
}

export function mergeStaleChange(current: readonly CurrentLine[], typed: ReadonlyMap<number, string>, shown: ReadonlyMap<number, string>): StaleMerge {
  const values: Record<string, string> = {};
  const kept: string[] = [];
  const clashes: string[] = [];
  for (const line of current) {
    const n = line.lineNumber;
    const t = typed.get(n)?.trim() ?? '';
    const was = shown.get(n);
    values[`qty-${n}`] = line.quantity;
    // An empty field leaves the line as it is; a value equal to what the page showed is no edit.
    if (t === '' || same(t, was ?? line.quantity)) continue;
    // Someone else already set it to this.
    if (same(t, line.quantity)) continue;
    values[`qty-${n}`] = t;
    if (was !== undefined && !same(was, line.quantity)) {
      const now = same(line.quantity, '0') ? 'removed' : `changed from ${was} to ${line.quantity}`;
      clashes.push(`line ${n}: you typed ${t}, but it was ${now} meanwhile`);
    } else {
      kept.push(`line ${n} → ${t}`);
    }
  }
  const known = new Set(current.map((l) => l.lineNumber));
  for (const [n, text] of typed) {
    if (!known.has(n) && text.trim() !== '') clashes.push(`line ${n} is not on the order any more; your ${text.trim()} was not kept`);
  }
  return { values, kept, clashes };
}
