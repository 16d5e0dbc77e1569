/**
 * Reading an OCI cart back from the flat name/value pairs a browser posted (our HOOK_URL
 * receiver, the sandbox, tests). Tolerant of what real shops send: zero-padded numbers, `1.0`,
 * decimal commas (with a warning), and the known wrong spellings of the long-text field.
 */
import { Decimal } from 'decimal.js';
import { parseOciNumber } from './numbers.js';
import { OCI_TEXT_FIELD_PROPERTIES, type OciTextFields } from './fields.js';

export { pairsFromUrlencoded } from './form-encoding.js';
export { pairsFromHtmlForm } from './html.js';

export interface OciReadLine extends OciTextFields {
  /** The `n` of `NEW_ITEM-…[n]`. */
  index: number;
  /** Every NEW_ITEM field of this line except the long text, raw: FIELD (upper case) → value. */
  fields: Record<string, string>;
  longText?: string;
  description?: string;
  quantity?: Decimal;
  unit?: string;
  price?: Decimal;
  /** PRICEUNIT; 1 when empty or missing. */
  priceUnit: Decimal;
  currency?: string;
  leadTimeDays?: number;
  /** SERVICE = `X`. */
  service?: boolean;
}

export interface OciReadResult {
  /** Sorted by index. */
  lines: OciReadLine[];
  /** Pairs that are not NEW_ITEM fields (`~OkCode`, `HEADER-PAGE`, tokens …), in order. */
  other: [string, string][];
  warnings: string[];
}

export interface ReadOciCartFormOptions {
  /**
   * Default true. Tolerant: wrong long-text spellings are read as long text and decimal commas
   * as numbers, each with a warning. Strict: wrong long-text spellings stay in `other` and
   * decimal commas are not numbers (both with a warning).
   */
  tolerant?: boolean;
}

const ITEM_FIELD = /^NEW_ITEM-([A-Za-z0-9_]+)\[(\d+)\]$/i;
const LONGTEXT_CORRECT = /^NEW_ITEM-LONGTEXT_(\d+):132\[\]$/;
// Any other spelling that starts like a long text: LONGTEXT[n], LONGTEXT_n:132[n], LONGTEXT:132[n],
// LONGTEXT_n:132, LONGTEXT_n:132[][n], LONGTEXT_1[n] (index in brackets wins over the `_n`).
const LONGTEXT_ANY = /^NEW_ITEM-LONGTEXT(?:_(\d+))?(?::(\d+))?((?:\[\d*\])*)$/i;

type StringKey = {
  [K in keyof OciReadLine]-?: OciReadLine[K] extends string | undefined ? (string extends OciReadLine[K] ? K : never) : never;
}[keyof OciReadLine];

const STRING_FIELDS: Readonly<Record<string, StringKey>> = {
  DESCRIPTION: 'description',
  UNIT: 'unit',
  CURRENCY: 'currency',
  ...OCI_TEXT_FIELD_PROPERTIES,
};

interface Collected {
  fields: Record<string, string>;
  longTexts: string[];
}

/**
 * Read an OCI cart form from raw, decoded name/value pairs (in order; use pairsFromUrlencoded or
 * pairsFromHtmlForm). Names match case-insensitively; a field sent twice for one line keeps the
 * last value (warning); several long-text entries for one line are joined with a line break.
 */
export function readOciCartForm(pairs: [string, string][], opts: ReadOciCartFormOptions = {}): OciReadResult {
  const tolerant = opts.tolerant ?? true;
  const byIndex = new Map<number, Collected>();
  const other: [string, string][] = [];
  const warnings: string[] = [];
  const lineFor = (n: number): Collected => {
    let c = byIndex.get(n);
    if (!c) byIndex.set(n, (c = { fields: {}, longTexts: [] }));
    return c;
  };

  for (const [name, value] of pairs) {
    const correct = LONGTEXT_CORRECT.exec(name);
    if (correct) {
      lineFor(Number(correct[1])).longTexts.push(value);
      continue;
    }
    const lt = LONGTEXT_ANY.exec(name);
    if (lt) {
      const index = longTextIndex(lt);
      if (index === undefined) {
        warnings.push(`"${name}" looks like a long text but names no line; ignored`);
        other.push([name, value]);
      } else if (tolerant) {
        warnings.push(`line ${index}: long text sent as "${name}" (non-standard; expected "NEW_ITEM-LONGTEXT_${index}:132[]")`);
        lineFor(index).longTexts.push(value);
      } else {
        warnings.push(`"${name}" is not a valid long-text name (expected "NEW_ITEM-LONGTEXT_${index}:132[]"); not read`);
        other.push([name, value]);
      }
      continue;
    }
    const item = ITEM_FIELD.exec(name);
    if (item) {
      const field = item[1]!.toUpperCase();
      const c = lineFor(Number(item[2]));
      if (field in c.fields) warnings.push(`line ${item[2]}: ${field} sent more than once; the last value is used`);
      c.fields[field] = value;
      continue;
    }
    if (/^NEW_ITEM-/i.test(name)) warnings.push(`"${name}" is not a NEW_ITEM-FIELD[n] name; kept in other`);
    other.push([name, value]);
  }

  const indexes = [...byIndex.keys()].sort((a, b) => a - b);
  if (indexes.length > 0) {
    if (indexes[0] !== 1) warnings.push(`line numbers start at ${indexes[0]}, not 1`);
    const gap = describeGaps(indexes);
    if (gap) warnings.push(`gap in line numbers: ${gap} missing`);
  }

  const lines = indexes.map((n) => toLine(n, byIndex.get(n)!, tolerant, warnings));
  return { lines, other, warnings };
}

function longTextIndex(m: RegExpExecArray): number | undefined {
  const brackets = [...(m[3] ?? '').matchAll(/\[(\d*)\]/g)].map((b) => b[1]!).filter((b) => b !== '');
  const last = brackets[brackets.length - 1];
  if (last !== undefined) return Number(last);
  if (m[1] !== undefined) return Number(m[1]);
  return undefined;
}

function toLine(index: number, c: Collected, tolerant: boolean, warnings: string[]): OciReadLine {
  const f = c.fields;
  const line: OciReadLine = { index, fields: { ...f }, priceUnit: new Decimal(1) };
  for (const [field, key] of Object.entries(STRING_FIELDS)) {
    const v = f[field];
    if (v !== undefined && v !== '') line[key] = v;
  }
  if (c.longTexts.length > 0) {
    if (c.longTexts.length > 1) warnings.push(`line ${index}: ${c.longTexts.length} long-text entries joined`);
    // Browsers post line breaks as CRLF; keep them as \n.
    const text = c.longTexts.join('\n').replace(/\r\n?/g, '\n');
    if (text !== '') line.longText = text;
  }
  const num = (field: string): Decimal | undefined => {
    const raw = f[field];
    if (raw === undefined) return undefined;
    const parsed = parseOciNumber(raw, tolerant);
    if (parsed.problem) warnings.push(`line ${index} ${field}: ${parsed.problem}`);
    return parsed.value;
  };
  const quantity = num('QUANTITY');
  if (quantity !== undefined) line.quantity = quantity;
  const price = num('PRICE');
  if (price !== undefined) line.price = price;
  const priceUnit = num('PRICEUNIT');
  if (priceUnit !== undefined) {
    if (priceUnit.gt(0)) line.priceUnit = priceUnit;
    else warnings.push(`line ${index} PRICEUNIT: "${f.PRICEUNIT}" is not greater than 0; 1 assumed`);
  }
  const lead = num('LEADTIME');
  if (lead !== undefined) {
    if (lead.isInteger() && lead.lte(Number.MAX_SAFE_INTEGER)) line.leadTimeDays = lead.toNumber();
    else warnings.push(`line ${index} LEADTIME: "${f.LEADTIME}" is not a whole number of days`);
  }
  const service = f.SERVICE?.trim();
  if (service !== undefined && service !== '') {
    line.service = service.toUpperCase() === 'X';
    if (service.toUpperCase() !== 'X') warnings.push(`line ${index} SERVICE: "${service}" (only "X" marks a service)`);
  }
  return line;
}

/** How many missing line numbers are listed by number; the rest are only counted. */
const LISTED_GAPS = 10;

/**
 * The line numbers missing between sorted `indexes`: the first few by number, then a count. The
 * numbers are the sender's text, so nothing here grows with their value (a form naming line 1
 * and line 10^20 must not make us list every number in between).
 */
function describeGaps(indexes: readonly number[]): string | undefined {
  const listed: number[] = [];
  let count = 0;
  let countable = true;
  for (let i = 1; i < indexes.length; i++) {
    const prev = indexes[i - 1]!;
    const next = indexes[i]!;
    if (!(next - prev > 1)) continue;
    if (Number.isSafeInteger(prev) && Number.isSafeInteger(next)) count += next - prev - 1;
    else countable = false;
    for (let k = prev + 1; k < next && listed.length <= LISTED_GAPS && Number.isSafeInteger(k); k++) listed.push(k);
  }
  if (listed.length === 0 && countable) return undefined;
  if (countable && count <= LISTED_GAPS) return listed.join(', ');
  const shown = listed.slice(0, LISTED_GAPS).join(', ');
  return `${shown}${shown ? ' ' : ''}… (${countable ? `${count} in all` : 'too many to count'})`;
}
