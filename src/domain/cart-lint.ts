/**
 * Cart lint: what in a mapped cart the buyer's system would drop, reject or change. A `block`
 * stops the transfer (the buyer would lose the line or the cart); a `warn` is sent anyway but
 * shown in the preview. Every finding about a line names the product. Pure: the same lint runs
 * in the admin preview and before every real transfer.
 */
import { Decimal, formatMoney, isCurrencyCode, minorUnits, roundMoney, sum } from '../protocol/money.js';
import { isKnownUnitCode } from '../protocol/units.js';
import { cleanMultiLine, cleanSingleLine, describeReplacements, transliterateToLatin1 } from '../protocol/oci/charset.js';
import { ociFieldSpec } from '../protocol/oci/fields.js';
import { formatOciDecimal, formatOciInteger } from '../protocol/oci/numbers.js';
import type { OciCartForm, OciCartLine } from '../protocol/oci/cart-form.js';
import { SINCE, compareCxmlVersions } from '../protocol/cxml/writer.js';
import { OCI_TEXT_FIELDS, type CxmlMappedCart, type LineFacts, type MappedCart, type MappingIssue, type OciMappedCart } from './cart-mapping.js';

export type LintSeverity = 'block' | 'warn';

export interface LintFinding {
  readonly severity: LintSeverity;
  /** Cart line, 1-based; absent for findings about the whole cart. */
  readonly line?: number;
  /** `"Name" (SKU)` of the line's product. */
  readonly product?: string;
  /** OCI field or cXML element the finding is about. */
  readonly field?: string;
  readonly message: string;
}

export interface LintContext {
  /** OCI: the form as built; its cut report gives the exact text the buyer gets. */
  readonly ociForm?: OciCartForm;
  /** What the writer refused (OciCartError, CxmlWriteError …) when it did. */
  readonly writeError?: { readonly message: string; readonly line?: number; readonly field?: string };
  /** Bytes of what travels to the buyer: the OCI form body, or the cXML form field value. */
  readonly transportBytes?: number;
  /** cXML: bytes of the XML document itself (before base64). */
  readonly documentBytes?: number;
}

/** SupplierPartID and SupplierPartAuxiliaryID: Jaggaer and Ariba keep at most 100 characters. */
const MAX_PART_ID = 100;

export function productLabel(facts: Pick<LineFacts, 'name' | 'sku'>): string {
  return `"${facts.name}" (${facts.sku})`;
}

/** All findings, blocks first, then by line. */
export function lintCart(mapped: MappedCart, context: LintContext = {}): LintFinding[] {
  const findings = mapped.protocol === 'oci' ? lintOci(mapped, context) : lintCxml(mapped, context);
  findings.push(...issueFindings(mapped));
  findings.push(...limitFindings(mapped, context));
  if (context.writeError) {
    const e = context.writeError;
    // The writer stops at the first problem; when the lint already named it, say it once.
    const known = findings.some((f) => f.severity === 'block' && (e.line === undefined || f.line === e.line) && (e.field === undefined || f.field === e.field));
    if (!known) findings.push(finding(mapped, 'block', e.line, e.field, `The cart cannot be written in this buyer's format: ${e.message}`));
  }
  return sortFindings(findings);
}

export function sortFindings(findings: readonly LintFinding[]): LintFinding[] {
  const rank = (f: LintFinding) => (f.severity === 'block' ? 0 : 1);
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f) || (a.f.line ?? 0) - (b.f.line ?? 0) || a.i - b.i)
    .map((x) => x.f);
}

export function hasBlocks(findings: readonly LintFinding[]): boolean {
  return findings.some((f) => f.severity === 'block');
}

function finding(mapped: MappedCart, severity: LintSeverity, line: number | undefined, field: string | undefined, message: string): LintFinding {
  const facts = line === undefined ? undefined : mapped.facts[line - 1];
  return {
    severity,
    ...(line !== undefined ? { line } : {}),
    ...(facts ? { product: productLabel(facts) } : {}),
    ...(field !== undefined ? { field } : {}),
    message,
  };
}

function issueFindings(mapped: MappedCart): LintFinding[] {
  // A mapping problem on a setting (not a line) is reported once, not once per line.
  const seen = new Set<string>();
  const out: LintFinding[] = [];
  for (const issue of mapped.issues) {
    const key = `${issue.kind}|${issue.line === undefined ? '' : issue.line}|${issue.field ?? ''}|${issue.line === undefined ? issue.message : ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(finding(mapped, severityOf(issue), issue.line, issue.field, sentence(issue.message)));
  }
  return out;
}

function severityOf(issue: MappingIssue): LintSeverity {
  return issue.kind === 'bad value' || issue.kind === 'bad option' ? 'block' : 'warn';
}

function sentence(text: string): string {
  const t = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

function limitFindings(mapped: MappedCart, context: LintContext): LintFinding[] {
  const out: LintFinding[] = [];
  const { maxLines, maxBytes } = mapped.options.limits;
  const count = mapped.facts.length;
  if (maxLines > 0 && count > maxLines) {
    out.push(finding(mapped, 'block', undefined, undefined, `The cart has ${count} lines; this buyer's system takes at most ${maxLines}. Split the cart or remove lines.`));
  }
  if (maxBytes > 0 && context.transportBytes !== undefined && context.transportBytes > maxBytes) {
    const what =
      mapped.protocol === 'cxml'
        ? mapped.options.cxml.formField.toLowerCase() === 'cxml-base64'
          ? `as cXML-base64 (the XML is ${bytes(context.documentBytes ?? 0)}; base64 adds a third)`
          : 'as cXML-urlencoded (every markup character travels percent-encoded)'
        : 'as an OCI form';
    out.push(finding(mapped, 'block', undefined, undefined, `The cart travels as ${bytes(context.transportBytes)} ${what}; this buyer's system takes at most ${bytes(maxBytes)}. Split the cart or remove lines.`));
  }
  return out;
}

function bytes(n: number): string {
  if (n < 10_000) return `${n} bytes`;
  if (n < 10_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

// ---- rules for both protocols --------------------------------------------------------------

function commonLineFindings(mapped: MappedCart, f: LineFacts, out: LintFinding[]): void {
  const who = productLabel(f);
  const add = (severity: LintSeverity, field: string | undefined, message: string) => out.push(finding(mapped, severity, f.line, field, message));
  if (!f.quantity.isFinite() || f.quantity.lte(0)) add('block', 'QUANTITY', `${who} has no quantity.`);
  if (!f.unitPrice.isFinite() || f.unitPrice.isNegative()) add('block', 'PRICE', `${who} has a negative price (${f.unitPrice.toFixed()}); a punchout cart cannot carry it.`);
  const { currency } = f;
  const sent = currency.sent.trim();
  // OCI CURRENCY is CHAR 5 (a buyer's own key is fine when mapped on purpose); cXML needs ISO 4217.
  const acceptable = mapped.protocol === 'oci' && currency.mapped ? /^[A-Za-z0-9]{1,5}$/.test(sent) : isCurrencyCode(sent.toUpperCase());
  if (sent === '') add('block', 'CURRENCY', `${who} has no currency; a price without a currency is dropped by the buyer's system.`);
  else if (!acceptable) {
    add(
      'block',
      'CURRENCY',
      currency.mapped
        ? `${who}: the currency map sends "${currency.sent}" for our ${currency.ours}, which is not a currency code. Fix the currency map of this connection.`
        : `${who}: the currency "${currency.ours}" is not an ISO 4217 code and the currency map has no entry for it.`,
    );
  } else if (!currency.mapped && Object.keys(mapped.options.currencyMap).length > 0) {
    add('warn', 'CURRENCY', `${who}: the currency map of this connection (${Object.keys(mapped.options.currencyMap).join(', ')}) has no entry for ${currency.ours}; it is sent unchanged.`);
  }
  for (const rule of groupRules(f.textRules)) {
    add('warn', rule.field, `${who}: ${rule.field}: ${rule.text} (text rule of this connection).`);
  }
}

function groupRules(rules: LineFacts['textRules']): { field: string; text: string }[] {
  const byField = new Map<string, string[]>();
  for (const r of rules) {
    const list = byField.get(r.field) ?? [];
    list.push(`${r.from} written as ${r.to}`);
    byField.set(r.field, list);
  }
  return [...byField].map(([field, list]) => ({ field, text: list.join(', ') }));
}

// ---- OCI -----------------------------------------------------------------------------------

function lintOci(mapped: OciMappedCart, context: LintContext): LintFinding[] {
  const out: LintFinding[] = [];
  const latin1 = mapped.options.oci.charset === 'ISO-8859-1';
  mapped.facts.forEach((f, i) => {
    const line = mapped.lines[i]!;
    const who = productLabel(f);
    const add = (severity: LintSeverity, field: string | undefined, message: string) => out.push(finding(mapped, severity, f.line, field, message));
    commonLineFindings(mapped, f, out);

    // UNIT: CHAR 3 in the buyer's T006/CUNI; a longer or empty code fails the whole line.
    const unit = f.unit.sent.trim();
    if (!/^[A-Za-z0-9]{1,3}$/.test(unit)) {
      add(
        'block',
        'UNIT',
        unit === ''
          ? `${who} has no unit of measure; map our unit "${f.unit.ours}" to the buyer's code in this connection's unit map.`
          : f.unit.mapped
            ? `${who}: the unit map sends "${unit}" for our unit "${f.unit.ours}", which is not a unit code this buyer's system can take (OCI UNIT is 1–3 letters or digits). Fix the unit map entry.`
            : `${who} has the unit "${unit}", which is not a unit code this buyer's system can take (OCI UNIT is 1–3 letters or digits). Map it to the buyer's code in this connection's unit map.`,
      );
    }

    // Numbers the form cannot carry.
    try {
      formatOciDecimal(f.quantity, 'quantity');
    } catch (err) {
      if (f.quantity.gt(0)) add('block', 'QUANTITY', `${who}: ${(err as Error).message}; OCI carries at most 11 digits and 3 decimals.`);
    }
    const price = f.ociPrice;
    if (price) {
      try {
        formatOciDecimal(price.price, 'price');
        formatOciInteger(price.priceUnit, 5, 'price unit');
      } catch (err) {
        add('block', 'PRICE', `${who}: ${(err as Error).message}; OCI carries at most 11 digits and 3 decimals.`);
      }
      priceFindings(mapped, f, price, add);
    }

    requiredFieldFindings(line, who, add);
    lengthFindings(mapped, line, f, context.ociForm, add);
    if (latin1) latin1Findings(line, who, add);
  });
  return out;
}

function priceFindings(mapped: OciMappedCart, f: LineFacts, price: NonNullable<LineFacts['ociPrice']>, add: (s: LintSeverity, field: string, m: string) => void): void {
  const who = productLabel(f);
  const max = mapped.options.oci.maxPriceDecimals;
  const needed = f.unitPrice.decimalPlaces();
  if (price.rounded) {
    const exact = roundMoney(f.quantity.times(f.unitPrice), f.currency.ours);
    const sent = roundMoney(f.quantity.times(price.price).div(price.priceUnit), f.currency.ours);
    const per = price.priceUnit.eq(1) ? '' : ` per ${price.priceUnit.toFixed()} units`;
    const why = mapped.options.oci.priceUnitMode === 'per-unit' ? `this buyer takes prices per 1 unit with at most ${max} decimals` : `even a price unit of ${price.priceUnit.toFixed()} cannot carry it with ${max} decimals`;
    add('warn', 'PRICE', `${who}: the price ${f.unitPrice.toFixed()} needs ${needed} decimals; ${why}, so ${price.price.toFixed()}${per} is sent (line total ${formatMoney(sent, f.currency.ours)} instead of ${formatMoney(exact, f.currency.ours)} ${f.currency.ours}).`);
  } else if (!price.priceUnit.eq(1)) {
    add('warn', 'PRICEUNIT', `${who}: the price ${f.unitPrice.toFixed()} needs ${needed} decimals (this buyer takes ${max}); it is sent as ${price.price.toFixed()} per ${price.priceUnit.toFixed()} units (PRICEUNIT ${price.priceUnit.toFixed()}). A buyer system that ignores PRICEUNIT would price it ${price.priceUnit.toFixed()} times too high.`);
  }
}

/** SAP drops a line that breaks these (oci.md §3.3): the line would silently vanish, so they block. */
function requiredFieldFindings(line: OciCartLine, who: string, add: (s: LintSeverity, field: string, m: string) => void): void {
  const has = (v: string | undefined) => v !== undefined && v.trim() !== '';
  if (!has(line.description) && !has(line.matnr)) add('block', 'DESCRIPTION', `${who}: neither DESCRIPTION nor MATNR is filled; SAP drops such a line.`);
  if ((has(line.extCategoryId) || has(line.extCategory)) && !has(line.extSchemaType)) {
    add('block', 'EXT_SCHEMA_TYPE', `${who}: EXT_CATEGORY_ID/EXT_CATEGORY are sent without EXT_SCHEMA_TYPE; SAP drops such a line. Set the classification domain or map EXT_SCHEMA_TYPE.`);
  }
  if (has(line.extQuoteItem) && !has(line.extQuoteId)) add('block', 'EXT_QUOTE_ID', `${who}: EXT_QUOTE_ITEM is sent without EXT_QUOTE_ID; SAP drops such a line.`);
  if (has(line.contractItem) && !has(line.contract)) add('block', 'CONTRACT', `${who}: CONTRACT_ITEM is sent without CONTRACT; SAP drops such a line.`);
}

/** The text each field gets after the builder's clean-up (and transliteration). */
function ociText(field: string, raw: string, latin1: boolean): string {
  const cleaned = field === 'LONGTEXT' ? cleanMultiLine(raw).text : cleanSingleLine(raw).text;
  return latin1 ? transliterateToLatin1(cleaned).text : cleaned;
}

function lengthFindings(mapped: OciMappedCart, line: OciCartLine, f: LineFacts, form: OciCartForm | undefined, add: (s: LintSeverity, field: string, m: string) => void): void {
  const who = productLabel(f);
  const latin1 = mapped.options.oci.charset === 'ISO-8859-1';
  for (const [field, key] of Object.entries(OCI_TEXT_FIELDS)) {
    const raw = line[key];
    const max = ociFieldSpec(field)?.maxLength;
    if (raw === undefined || max === undefined) continue;
    const text = ociText(field, raw, latin1);
    if (text.length <= max) continue;
    const cut = form?.truncations.find((t) => t.line === f.line && t.field === field)?.to;
    const to = cut !== undefined ? `: the buyer gets "${cut}"` : '';
    const rest = field === 'DESCRIPTION' ? '; the full text goes to the long text' : '';
    add('warn', field, `${who}: ${field} is ${text.length} characters, OCI takes ${max}${to}${rest}.`);
  }
}

function latin1Findings(line: OciCartLine, who: string, add: (s: LintSeverity, field: string, m: string) => void): void {
  for (const [field, key] of Object.entries(OCI_TEXT_FIELDS)) {
    const raw = line[key];
    if (raw === undefined) continue;
    const t = transliterateToLatin1(raw);
    if (t.replaced.length > 0) add('warn', field, `${who}: ${field} has characters this buyer's ISO-8859-1 system cannot store; sent as ${describeReplacements(t.replaced)}.`);
  }
}

// ---- cXML ----------------------------------------------------------------------------------

function lintCxml(mapped: CxmlMappedCart, _context: LintContext): LintFinding[] {
  const out: LintFinding[] = [];
  const version = mapped.options.cxml.version;
  const currencies = new Set(mapped.facts.map((f) => f.currency.ours));
  if (currencies.size > 1) {
    out.push(finding(mapped, 'block', undefined, 'Total', `The cart mixes currencies (${[...currencies].join(', ')}); a PunchOutOrderMessage has one Total in one currency. Give every product of this buyer a price in one currency (price list).`));
  }
  mapped.facts.forEach((f, i) => {
    const item = mapped.items[i]!;
    const who = productLabel(f);
    const add = (severity: LintSeverity, field: string | undefined, message: string) => out.push(finding(mapped, severity, f.line, field, message));
    commonLineFindings(mapped, f, out);

    const unit = f.unit.sent.trim();
    if (unit === '') add('block', 'UnitOfMeasure', `${who} has no unit of measure; map our unit "${f.unit.ours}" in this connection's unit map.`);
    else if (!f.unit.mapped && !isKnownUnitCode(unit)) {
      add('warn', 'UnitOfMeasure', `${who} has the unit "${unit}", which is not a UN/CEFACT Rec 20 code Koppel knows, and the unit map has no entry for it. Coupa rejects unknown units; Jaggaer turns them into EA.`);
    }

    const part = item.itemID.supplierPartID;
    if (part.trim() === '') add('block', 'SupplierPartID', `${who} has no SupplierPartID; the buyer cannot order it.`);
    else {
      if (part.length > MAX_PART_ID) add('warn', 'SupplierPartID', `${who}: SupplierPartID is ${part.length} characters; Jaggaer and Ariba keep at most ${MAX_PART_ID}.`);
      if (/[?{}]/.test(part)) add('warn', 'SupplierPartID', `${who}: SupplierPartID contains ? { or }, which Ariba refuses in part numbers.`);
    }
    const aux = item.itemID.supplierPartAuxiliaryID ?? '';
    if (aux.length > MAX_PART_ID) add('warn', 'SupplierPartAuxiliaryID', `${who}: SupplierPartAuxiliaryID is ${aux.length} characters; Jaggaer and Ariba keep at most ${MAX_PART_ID}.`);
    if (item.itemID.buyerPartID && compareCxmlVersions(version, SINCE.buyerPartID) < 0) {
      add('block', 'BuyerPartID', `${who}: BuyerPartID is mapped, but cXML ${version} (this buyer's version) has no BuyerPartID; remove the mapping or raise the version.`);
    }
    const shortName = mapped.provenance.find((p) => p.line === f.line && p.field === 'ShortName');
    if (shortName?.note?.includes('cut to')) add('warn', 'ShortName', `${who}: the short name is longer than 50 characters; the buyer gets "${shortName.value}".`);
    const code = item.itemDetail.classifications[0]?.code ?? '';
    if (code.trim() === '') add('warn', 'Classification', `${who} has no ${mapped.options.classificationDomain} classification code; many buyers need one to book the line.`);
  });
  out.push(...moneyFindings(mapped));
  return out;
}

/** Header money must add up exactly (Jaggaer recomputes; rule 23): re-derived here from the items. */
function moneyFindings(mapped: CxmlMappedCart): LintFinding[] {
  const out: LintFinding[] = [];
  const m = mapped.money;
  const dp = minorUnits(m.currency);
  const add = (message: string, field = 'Total') => out.push(finding(mapped, 'block', undefined, field, message));
  const lineTotals = mapped.items.map((item) => roundMoney(item.quantity.times(item.itemDetail.unitPrice.amount), m.currency));
  const goods = sum(lineTotals);
  const lineTaxes = mapped.items.map((item) => item.tax?.money.amount).filter((x): x is Decimal => x !== undefined);
  const expectedTax = mapped.header.tax ? (lineTaxes.length > 0 ? sum(lineTaxes) : mapped.header.tax.money.amount) : new Decimal(0);
  if (mapped.header.tax && lineTaxes.length > 0 && !sum(lineTaxes).eq(mapped.header.tax.money.amount)) {
    add(`The header tax ${mapped.header.tax.money.amount.toFixed()} is not the sum of the line taxes (${sum(lineTaxes).toFixed()}).`, 'Tax');
  }
  const extras = mapped.options.cxml.totalIncludesExtras ? (mapped.header.shipping?.money.amount ?? new Decimal(0)).plus(expectedTax) : new Decimal(0);
  const expected = goods.plus(extras);
  if (!expected.eq(mapped.header.total.amount)) add(`The Total ${mapped.header.total.amount.toFixed()} does not add up: the lines give ${goods.toFixed()}${extras.isZero() ? '' : ` plus ${extras.toFixed()} shipping and tax`} = ${expected.toFixed()} ${m.currency}.`);
  const amounts: [string, Decimal | undefined][] = [['Total', mapped.header.total.amount], ['Shipping', mapped.header.shipping?.money.amount], ['Tax', mapped.header.tax?.money.amount], ...lineTaxes.map((t): [string, Decimal] => ['Tax', t])];
  for (const [field, amount] of amounts) {
    if (amount !== undefined && amount.decimalPlaces() > dp) add(`${field} ${amount.toFixed()} has more decimals than ${m.currency} has (${dp}).`, field);
  }
  return out;
}
