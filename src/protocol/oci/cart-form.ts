/**
 * The OCI cart transfer: cart lines → the ordered hidden fields of the form that the buyer's
 * browser posts to HOOK_URL, and that form as a complete HTML page. Pure.
 */
import { Decimal } from 'decimal.js';
import { cleanMultiLine, cleanSingleLine, describeReplacements, transliterateToLatin1, type OciCharset } from './charset.js';
import { cutOciText, cutTextAtWord, LONGTEXT, OCI_ITEM_FIELDS, OCI_TEXT_FIELD_PROPERTIES, ociItemFieldName, ociLongTextFieldName, type OciTextFields } from './fields.js';
import { escapeHtml, escapeHtmlAscii } from './html.js';
import { fitPriceToUnit, formatOciDecimal, formatOciInteger, OciNumberError } from './numbers.js';

export interface OciCartLine extends OciTextFields {
  /** Short text; cut at 40 characters, the full text then goes to the long text. */
  description: string;
  longText?: string;
  quantity: Decimal;
  /** The buyer's ISO unit code (≤ 3 characters), already mapped. */
  unit: string;
  /** Net price per `priceUnit` units. */
  price: Decimal;
  /** Price per N units; default 1. */
  priceUnit?: Decimal;
  currency: string;
  leadTimeDays?: number;
  service?: boolean;
}

export interface OciField {
  name: string;
  value: string;
}

export interface OciCartFormOptions {
  /** Form action, used verbatim (check it with checkReturnUrl first). */
  hookUrl: string;
  /** Form target; default `_top`. */
  target?: string;
  /** `~OkCode`, `~TARGET`, `~CALLER`, `~ForceTarget` as received; emitted first, unchanged names. */
  echo?: OciField[];
  /** Default UTF-8. ISO-8859-1 transliterates every value (never `?`). */
  charset?: OciCharset;
  /** Emit every NEW_ITEM field of each line even when empty (some buyers want all). */
  emitEmptyFields?: boolean;
  /** First line index; default 1 (some buyers want 0). */
  startIndex?: number;
  /** Most decimals the buyer takes in PRICE (0–3, default 3); more → price unit, not rounding. */
  maxPriceDecimals?: number;
}

export interface OciTruncation {
  /** OCI line index (as emitted, i.e. counted from startIndex). */
  line: number;
  field: string;
  from: string;
  to: string;
}

export interface OciCartForm {
  action: string;
  method: 'post';
  target: string;
  acceptCharset: string;
  fields: OciField[];
  truncations: OciTruncation[];
  warnings: string[];
}

/** A cart line that cannot be written as OCI without changing its meaning (bad unit, number …). */
export class OciCartError extends Error {
  readonly line: number;
  readonly field: string;
  constructor(line: number, field: string, message: string) {
    super(message);
    this.name = 'OciCartError';
    this.line = line;
    this.field = field;
  }
}

type TextKey = Exclude<
  keyof OciCartLine,
  'quantity' | 'price' | 'priceUnit' | 'leadTimeDays' | 'service' | 'description' | 'longText' | 'unit' | 'currency'
>;

/** OCI field → OciCartLine property, for the plain text fields. */
const TEXT_FIELDS: Readonly<Record<string, TextKey>> = OCI_TEXT_FIELD_PROPERTIES;

/**
 * Build the OCI cart form. Lines are numbered `startIndex`, `startIndex + 1`, … without gaps;
 * every value is cleaned (line breaks in short fields become spaces, control characters go),
 * transliterated for ISO-8859-1, then cut to the field's maximum length with a report.
 *
 * Throws OciCartError when a line cannot be sent faithfully: a unit that is not a 1–3 character
 * code (map it per buyer first), a bad currency code, a negative or too large number, a quantity
 * with more than 3 decimals, a lead time that is not a whole number of days.
 */
export function buildOciCartForm(lines: OciCartLine[], options: OciCartFormOptions): OciCartForm {
  if (options.hookUrl === '') throw new Error('OCI cart form: the HOOK_URL (form action) is empty');
  const charset: OciCharset = options.charset ?? 'UTF-8';
  const latin1 = charset === 'ISO-8859-1';
  const start = options.startIndex ?? 1;
  if (!Number.isInteger(start) || start < 0) throw new RangeError(`startIndex must be a whole number ≥ 0, got ${start}`);
  const maxPriceDecimals = options.maxPriceDecimals ?? 3;
  const emitEmpty = options.emitEmptyFields ?? false;

  const fields: OciField[] = [];
  const truncations: OciTruncation[] = [];
  const warnings: string[] = [];

  const prepare = (text: string, where: string, multiLine: boolean): string => {
    const cleaned = multiLine ? cleanMultiLine(text) : cleanSingleLine(text);
    if (cleaned.dropped.length > 0) warnings.push(`${where}: ${cleaned.dropped.length} control character(s) removed`);
    if (!latin1) return cleaned.text;
    const t = transliterateToLatin1(cleaned.text);
    if (t.replaced.length > 0) warnings.push(`${where}: transliterated for ISO-8859-1: ${describeReplacements(t.replaced)}`);
    return t.text;
  };

  for (const e of options.echo ?? []) {
    fields.push({ name: e.name, value: prepare(e.value, e.name, false) });
  }

  lines.forEach((line, i) => {
    const n = start + i;
    const label = lineLabel(n, line);
    const fail = (field: string, message: string): never => {
      throw new OciCartError(n, field, `OCI ${label}: ${message}`);
    };
    const values = new Map<string, string>();

    // Text fields, cut to their maximum length.
    const put = (field: string, raw: string | undefined, max: number | undefined): void => {
      if (raw === undefined) return;
      const text = prepare(raw, `line ${n} ${field}`, field === LONGTEXT);
      const cut = max === undefined ? text : cutOciText(text, max);
      if (cut !== text) truncations.push({ line: n, field, from: text, to: cut });
      values.set(field, cut);
    };

    const description = prepare(line.description, `line ${n} DESCRIPTION`, false);
    const shortDescription = cutTextAtWord(description, 40);
    values.set('DESCRIPTION', shortDescription);
    let longText = line.longText === undefined ? '' : prepare(line.longText, `line ${n} LONGTEXT`, true);
    if (shortDescription !== description) {
      truncations.push({ line: n, field: 'DESCRIPTION', from: description, to: shortDescription });
      // The buyer keeps the full name: it leads the long text unless the long text already starts with it.
      if (longText === '') longText = description;
      else if (!longText.startsWith(description)) longText = `${description}\n${longText}`;
    }
    if (longText !== '') values.set(LONGTEXT, longText);

    for (const [field, key] of Object.entries(TEXT_FIELDS)) {
      put(field, line[key], OCI_ITEM_FIELDS.find((f) => f.field === field)?.maxLength);
    }

    // Codes are never cut: a cut unit or currency would be a different one.
    const unit = prepare(line.unit, `line ${n} UNIT`, false).trim();
    if (!/^[A-Za-z0-9]{1,3}$/.test(unit)) {
      fail('UNIT', unit === '' ? 'no unit of measure; map the unit to the buyer\'s ISO code' : `unit "${unit}" is not a buyer unit code of 1–3 letters/digits; map it to the buyer's ISO code`);
    }
    values.set('UNIT', unit);
    const currency = prepare(line.currency, `line ${n} CURRENCY`, false).trim();
    if (!/^[A-Za-z0-9]{1,5}$/.test(currency)) fail('CURRENCY', `currency "${currency}" is not a currency code (at most 5 characters)`);
    values.set('CURRENCY', currency);

    // Numbers.
    try {
      values.set('QUANTITY', formatOciDecimal(line.quantity, 'quantity'));
    } catch (err) {
      fail('QUANTITY', (err as Error).message);
    }
    if (line.quantity.isZero()) warnings.push(`line ${n}: quantity is 0`);
    const givenUnit = line.priceUnit ?? new Decimal(1);
    try {
      const fitted = fitPriceToUnit(line.price, givenUnit, maxPriceDecimals);
      if (fitted.rounded) {
        warnings.push(
          `line ${n}: price ${line.price.toFixed()} per ${givenUnit.toFixed()} needs more than ${maxPriceDecimals} decimals ` +
            `even per ${fitted.priceUnit.toFixed()} units; rounded to ${fitted.price.toFixed()} per ${fitted.priceUnit.toFixed()}`,
        );
      } else if (!fitted.priceUnit.eq(givenUnit)) {
        warnings.push(
          `line ${n}: price ${line.price.toFixed()} per ${givenUnit.toFixed()} does not fit ${maxPriceDecimals} price decimals ` +
            `and a whole PRICEUNIT; ` +
            `sent as ${fitted.price.toFixed()} per ${fitted.priceUnit.toFixed()} units (PRICEUNIT)`,
        );
      }
      values.set('PRICE', formatOciDecimal(fitted.price, 'price'));
      const unitText = formatOciInteger(fitted.priceUnit, 5, 'price unit');
      if (unitText !== '1' || emitEmpty) values.set('PRICEUNIT', unitText);
    } catch (err) {
      if (err instanceof OciNumberError) fail('PRICE', err.message);
      throw err;
    }
    if (line.leadTimeDays !== undefined) {
      try {
        values.set('LEADTIME', formatOciInteger(line.leadTimeDays, 5, 'lead time'));
      } catch (err) {
        fail('LEADTIME', (err as Error).message);
      }
    }
    if (line.service) values.set('SERVICE', 'X');

    checkConditionalRules(n, values, warnings);

    for (const spec of OCI_ITEM_FIELDS) {
      const value = values.get(spec.field);
      if (value === undefined || value === '') {
        if (!emitEmpty) continue;
      }
      const name = spec.field === LONGTEXT ? ociLongTextFieldName(n) : ociItemFieldName(spec.field, n);
      fields.push({ name, value: value ?? '' });
    }
  });

  return {
    action: options.hookUrl,
    method: 'post',
    target: options.target || '_top',
    acceptCharset: charset,
    fields,
    truncations,
    warnings,
  };
}

function lineLabel(n: number, line: OciCartLine): string {
  const id = line.vendorMat || line.extProductId;
  const name = line.description.length > 60 ? `${line.description.slice(0, 57)}...` : line.description;
  return `line ${n}${id ? ` (${id}, "${name}")` : ` ("${name}")`}`;
}

/** SAP drops lines that break these (oci.md §3.3); we send them anyway but say so. */
function checkConditionalRules(n: number, v: Map<string, string>, warnings: string[]): void {
  const has = (f: string): boolean => (v.get(f) ?? '') !== '';
  if (!has('DESCRIPTION') && !has('MATNR')) warnings.push(`line ${n}: neither DESCRIPTION nor MATNR is filled; SAP drops such a line`);
  if ((has('EXT_CATEGORY_ID') || has('EXT_CATEGORY')) && !has('EXT_SCHEMA_TYPE')) {
    warnings.push(`line ${n}: EXT_CATEGORY_ID/EXT_CATEGORY without EXT_SCHEMA_TYPE`);
  }
  if (has('EXT_QUOTE_ITEM') && !has('EXT_QUOTE_ID')) warnings.push(`line ${n}: EXT_QUOTE_ITEM without EXT_QUOTE_ID`);
  if (has('CONTRACT_ITEM') && !has('CONTRACT')) warnings.push(`line ${n}: CONTRACT_ITEM without CONTRACT`);
}

/** The inline script; a fixed text, so a CSP can allow it by hash. */
export const OCI_AUTOSUBMIT_SCRIPT =
  "(function(){var f=document.getElementById('oci-cart-form');if(f)HTMLFormElement.prototype.submit.call(f);})();";

export interface RenderOciFormOptions {
  /** Submit the form by script as soon as the page is parsed; default true. */
  autoSubmit?: boolean;
  title?: string;
  /** Default 'Return to your purchasing system'. */
  buttonLabel?: string;
  /**
   * Show the submit button; default true. False puts it inside <noscript> (VALIDATE answers must
   * stay invisible).
   */
  visibleButton?: boolean;
  /** CSP nonce for the inline script. */
  scriptNonce?: string;
}

/**
 * The complete HTML page carrying the form: hidden inputs only, a submit button as fallback,
 * and (autoSubmit) one inline script that submits it. The action is HOOK_URL verbatim, HTML-escaped
 * once. For ISO-8859-1 every non-ASCII character is written as a numeric character reference, so
 * the page is pure ASCII and reads the same whether it is sent as Latin-1 or UTF-8 bytes.
 */
export function renderOciFormHtml(form: OciCartForm, opts: RenderOciFormOptions = {}): string {
  const esc = form.acceptCharset.toUpperCase() === 'UTF-8' ? escapeHtml : escapeHtmlAscii;
  const autoSubmit = opts.autoSubmit ?? true;
  const title = opts.title ?? 'Returning to your purchasing system';
  const label = opts.buttonLabel ?? 'Return to your purchasing system';
  const button = `<button type="submit">${esc(label)}</button>`;
  const inputs = form.fields.map((f) => `<input type="hidden" name="${esc(f.name)}" value="${esc(f.value)}">`);
  const nonce = opts.scriptNonce ? ` nonce="${escapeHtml(opts.scriptNonce)}"` : '';
  return [
    '<!doctype html>',
    '<html>',
    '<head>',
    `<meta charset="${esc(form.acceptCharset)}">`,
    '<meta name="robots" content="noindex">',
    `<title>${esc(title)}</title>`,
    '</head>',
    '<body>',
    `<form id="oci-cart-form" method="post" action="${esc(form.action)}" target="${esc(form.target)}" accept-charset="${esc(form.acceptCharset)}">`,
    ...inputs,
    opts.visibleButton === false ? `<noscript>${button}</noscript>` : button,
    '</form>',
    ...(autoSubmit ? [`<script${nonce}>${OCI_AUTOSUBMIT_SCRIPT}</script>`] : []),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The Content-Type header that matches the rendered page. */
export function ociFormContentType(form: OciCartForm): string {
  return `text/html; charset=${form.acceptCharset}`;
}
