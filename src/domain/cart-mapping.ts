/**
 * Cart mapping: what each cart line becomes in the buyer's format (OCI fields or cXML ItemIn),
 * following the connection's options — field mapping, unit map, currency map, classification
 * domain, text rules, price-unit mode, shipping and tax — and, for every value sent, where it
 * came from (provenance). Pure: the same mapping feeds the real transfer, the OCI VALIDATE /
 * BACKGROUND_SEARCH answers and the admin preview, so what the preview shows is what is sent.
 *
 * Nothing here throws for bad data: problems are collected as `issues` and judged by the lint
 * (cart-lint.ts), which names the product.
 */
import { Decimal, minorUnits, roundMoney, sum, tryDec } from '../protocol/money.js';
import { cutTextAtWord, OCI_TEXT_FIELD_PROPERTIES } from '../protocol/oci/fields.js';
import { fitPriceToUnit, formatOciDecimal } from '../protocol/oci/numbers.js';
import type { OciCartLine } from '../protocol/oci/cart-form.js';
import type { Extrinsic } from '../protocol/cxml/model.js';
import type { ItemInInput, MoneyInput, ShippingInput, TaxInput } from '../protocol/cxml/write-types.js';
import type { CartProduct } from './cart.js';
import type { ConnectionOptions, MappingSource, ProductAttribute } from './connection.js';

/** One cart line to map: a real cart line, or a sample line of the preview. */
export interface MappableLine {
  readonly product: CartProduct;
  readonly quantity: Decimal;
  readonly unitPrice: Decimal;
  readonly currency: string;
  /** SupplierPartAuxiliaryID (cXML). */
  readonly auxId?: string;
  /** Where the unit price came from; default 'cart' (the price stored when the line was added). */
  readonly priceSource?: PriceSource;
  /** E.g. the price list's name. */
  readonly priceNote?: string;
}

export type PriceSource = 'price list' | 'catalog' | 'cart';

/**
 * Where one value sent to the buyer comes from:
 * - `default:<attribute>` — Koppel's default for the field, reading that product attribute;
 * - `attribute:<attribute>` — the connection's field mapping names that attribute;
 * - `constant` / `empty` — the field mapping gives a constant / says "send nothing";
 * - `option:<name>` — a connection option (classificationDomain, cxml.shippingAmount …);
 * - `unit map` / `currency map` — our code translated for the buyer;
 * - `price list` / `catalog` / `cart` — the unit price (and its currency);
 * - `OCI call` / `session` — echoed from what the buyer sent when the session started;
 * - `computed: …` — derived from other values, the text says how.
 */
export type ValueSource =
  | `default:${string}`
  | `attribute:${string}`
  | 'constant'
  | 'empty'
  | `option:${string}`
  | 'unit map'
  | 'currency map'
  | PriceSource
  | 'OCI call'
  | 'session'
  | `computed: ${string}`;

export interface Provenance {
  /** Cart line, 1-based; 0 for the document header. */
  readonly line: number;
  /** OCI field name (`DESCRIPTION`) or cXML element (`ShortName`, `Classification@domain`). */
  readonly field: string;
  /** The value as mapped (before OCI's length cut and ISO-8859-1 transliteration). */
  readonly value: string;
  readonly source: ValueSource;
  readonly note?: string;
}

/** Something the mapping could not do as configured; the lint decides how bad it is. */
export interface MappingIssue {
  readonly kind: 'ignored mapping' | 'unknown attribute' | 'bad value' | 'bad option';
  readonly line?: number;
  readonly field?: string;
  readonly message: string;
}

/** What the lint needs to know about each mapped line. */
export interface LineFacts {
  readonly line: number;
  readonly sku: string;
  readonly name: string;
  readonly quantity: Decimal;
  readonly unitPrice: Decimal;
  readonly unit: { readonly ours: string; readonly sent: string; readonly mapped: boolean };
  readonly currency: { readonly ours: string; readonly sent: string; readonly mapped: boolean };
  /** OCI: the price as it goes out (per `priceUnit` units) and whether it had to be rounded. */
  readonly ociPrice?: { readonly price: Decimal; readonly priceUnit: Decimal; readonly rounded: boolean };
  /** Replacements made by the connection's text rules, per field. */
  readonly textRules: readonly { readonly field: string; readonly from: string; readonly to: string }[];
}

interface MappedBase {
  readonly options: ConnectionOptions;
  readonly facts: readonly LineFacts[];
  readonly provenance: readonly Provenance[];
  readonly issues: readonly MappingIssue[];
}

export interface OciMappedCart extends MappedBase {
  readonly protocol: 'oci';
  readonly lines: readonly OciCartLine[];
}

/** The header money of a PunchOutOrderMessage, every amount already rounded to the currency. */
export interface CxmlCartMoney {
  /** Our currency (amounts are rounded to its ISO 4217 minor units). */
  readonly currency: string;
  /** The code written into the document (after the currency map). */
  readonly sentCurrency: string;
  readonly lineTotals: readonly Decimal[];
  /** Per-line tax; only when tax is rounded per line. */
  readonly lineTaxes: readonly Decimal[];
  readonly goods: Decimal;
  readonly shipping?: Decimal;
  readonly tax?: Decimal;
  readonly total: Decimal;
}

export interface CxmlMappedCart extends MappedBase {
  readonly protocol: 'cxml';
  readonly items: readonly ItemInInput[];
  readonly header: { readonly total: MoneyInput; readonly shipping?: ShippingInput; readonly tax?: TaxInput };
  readonly money: CxmlCartMoney;
}

export type MappedCart = OciMappedCart | CxmlMappedCart;

export interface CartMappingInput {
  readonly options: ConnectionOptions;
  readonly lines: readonly MappableLine[];
  /** OCI: the VENDOR parameter of the buyer's call, echoed into NEW_ITEM-VENDOR. */
  readonly vendor?: string;
  /** cXML: language of the descriptions; default en-US. */
  readonly lang?: string;
  /** Currency of an empty cart's Total; default EUR. */
  readonly currency?: string;
}

// ---- product attributes and text rules -----------------------------------------------------

const ATTRIBUTES: Readonly<Record<ProductAttribute, (p: CartProduct) => string>> = {
  sku: (p) => p.sku,
  name: (p) => p.name,
  description: (p) => p.description,
  manufacturer: (p) => p.manufacturer,
  manufacturerPartId: (p) => p.manufacturerPartId,
  unspsc: (p) => p.unspsc,
  unit: (p) => p.unit,
  category: (p) => p.category,
  leadTimeDays: (p) => String(p.leadTimeDays),
  id: (p) => p.id,
};

export const PRODUCT_ATTRIBUTES = Object.keys(ATTRIBUTES) as ProductAttribute[];

function isAttribute(name: unknown): name is ProductAttribute {
  return typeof name === 'string' && Object.hasOwn(ATTRIBUTES, name);
}

/** Coupa and others store ™ ® © badly; such buyers get them as text. */
const SYMBOLS_AS_TEXT: readonly (readonly [string, string])[] = [
  ['\u2122', '(TM)'],
  ['\u00AE', '(R)'],
  ['\u00A9', '(C)'],
];

export function applySymbolsAsText(text: string): { text: string; replaced: { from: string; to: string }[] } {
  let out = text;
  const replaced: { from: string; to: string }[] = [];
  for (const [from, to] of SYMBOLS_AS_TEXT) {
    if (!out.includes(from)) continue;
    out = out.split(from).join(to);
    replaced.push({ from, to });
  }
  return { text: out, replaced };
}

// ---- resolving one field -------------------------------------------------------------------

type FieldDefault =
  | { readonly kind: 'attribute'; readonly attribute: ProductAttribute }
  | { readonly kind: 'option'; readonly option: string; readonly value: (o: ConnectionOptions) => string }
  | { readonly kind: 'call' }
  | { readonly kind: 'none' };

interface Resolved {
  /** undefined = the field is not sent. */
  readonly value: string | undefined;
  readonly source: ValueSource;
  readonly note?: string;
}

interface LineContext {
  readonly line: number;
  readonly product: CartProduct;
  readonly options: ConnectionOptions;
  readonly vendor: string | undefined;
  readonly issues: MappingIssue[];
}

function resolveField(field: string, mapping: MappingSource | undefined, def: FieldDefault, c: LineContext): Resolved {
  if (mapping === undefined) {
    switch (def.kind) {
      case 'attribute':
        return { value: ATTRIBUTES[def.attribute](c.product), source: `default:${def.attribute}` };
      case 'option':
        return { value: def.value(c.options), source: `option:${def.option}` };
      case 'call':
        return { value: c.vendor, source: 'OCI call' };
      case 'none':
        return { value: undefined, source: 'empty' };
    }
  }
  switch (mapping.kind) {
    case 'constant':
      return { value: String(mapping.value ?? ''), source: 'constant' };
    case 'empty':
      return { value: undefined, source: 'empty', note: 'the field mapping sends nothing here' };
    case 'attribute': {
      if (!isAttribute(mapping.attribute)) {
        // A setting problem, not a line's: reported once for the cart.
        c.issues.push({ kind: 'unknown attribute', field, message: `the field mapping for ${field} reads "${String(mapping.attribute)}", which is not a product attribute (${PRODUCT_ATTRIBUTES.join(', ')}); nothing is sent` });
        return { value: undefined, source: `attribute:${String(mapping.attribute)}` };
      }
      const value = ATTRIBUTES[mapping.attribute](c.product);
      if (value.trim() === '' && mapping.fallback !== undefined) {
        return { value: mapping.fallback, source: `attribute:${mapping.attribute}`, note: `${mapping.attribute} is empty: the mapping's fallback is used` };
      }
      return { value, source: `attribute:${mapping.attribute}` };
    }
    default:
      // Options are JSON written by people: an unknown kind must not break the transfer silently.
      c.issues.push({ kind: 'ignored mapping', line: c.line, field, message: `the field mapping for ${field} has an unknown kind ${JSON.stringify((mapping as { kind?: unknown }).kind)}; Koppel's default is used` });
      return resolveField(field, undefined, def, c);
  }
}

/** Field mapping keys are matched case-insensitively; the first spelling found wins. */
function lookupMapping(table: Readonly<Record<string, MappingSource>>, field: string): MappingSource | undefined {
  if (Object.hasOwn(table, field)) return table[field];
  const wanted = field.toLowerCase();
  const key = Object.keys(table).find((k) => k.toLowerCase() === wanted);
  return key === undefined ? undefined : table[key];
}

function applyTextRule(value: string, field: string, options: ConnectionOptions, replacements: LineFacts['textRules'][number][]): { value: string; note?: string } {
  if (!options.textRules.symbolsAsText) return { value };
  const r = applySymbolsAsText(value);
  if (r.replaced.length === 0) return { value };
  for (const x of r.replaced) replacements.push({ field, ...x });
  return { value: r.text, note: `text rule: ${r.replaced.map((x) => `${x.from} → ${x.to}`).join(', ')}` };
}

function mapUnit(options: ConnectionOptions, unit: string): LineFacts['unit'] {
  const mapped = Object.hasOwn(options.unitMap, unit);
  return { ours: unit, sent: mapped ? options.unitMap[unit]! : unit, mapped };
}

function mapCurrency(options: ConnectionOptions, currency: string): LineFacts['currency'] {
  const mapped = Object.hasOwn(options.currencyMap, currency);
  return { ours: currency, sent: mapped ? options.currencyMap[currency]! : currency, mapped };
}

function label(p: CartProduct): string {
  return `"${p.name}" (${p.sku})`;
}

function priceProvenance(line: MappableLine): { source: ValueSource; note?: string } {
  const source = line.priceSource ?? 'cart';
  const note = line.priceNote ?? (source === 'cart' ? 'unit price stored when the line was added' : undefined);
  return note === undefined ? { source } : { source, note };
}

// ---- OCI -----------------------------------------------------------------------------------

type OciTextKey = Exclude<keyof OciCartLine, 'quantity' | 'price' | 'priceUnit' | 'leadTimeDays' | 'service' | 'unit' | 'currency'>;

/** OCI field → OciCartLine property, for every text field a mapping may feed. */
export const OCI_TEXT_FIELDS: Readonly<Record<string, OciTextKey>> = {
  DESCRIPTION: 'description',
  LONGTEXT: 'longText',
  ...OCI_TEXT_FIELD_PROPERTIES,
};

/** Fields that always come from the cart and the unit/currency maps; a mapping for them is ignored. */
export const OCI_FIXED_FIELDS: readonly string[] = ['QUANTITY', 'UNIT', 'PRICE', 'CURRENCY', 'PRICEUNIT'];

/** Descriptive text the text rules apply to; identifiers (SKU, part numbers, codes) must round-trip unchanged. */
const OCI_DESCRIPTIVE = new Set(['DESCRIPTION', 'LONGTEXT', 'EXT_CATEGORY', 'ATTACHMENT_TITLE', 'CUST_FIELD1', 'CUST_FIELD2', 'CUST_FIELD3', 'CUST_FIELD4', 'CUST_FIELD5']);

/** Koppel's defaults: today's mapping (EXT_PRODUCT_ID = SKU, so DETAIL/VALIDATE find the product). */
const OCI_DEFAULTS: Readonly<Record<string, FieldDefault>> = {
  DESCRIPTION: { kind: 'attribute', attribute: 'name' },
  LONGTEXT: { kind: 'attribute', attribute: 'description' },
  VENDOR: { kind: 'call' },
  VENDORMAT: { kind: 'attribute', attribute: 'sku' },
  MANUFACTMAT: { kind: 'attribute', attribute: 'manufacturerPartId' },
  MATGROUP: { kind: 'attribute', attribute: 'unspsc' },
  EXT_PRODUCT_ID: { kind: 'attribute', attribute: 'sku' },
  EXT_SCHEMA_TYPE: { kind: 'option', option: 'classificationDomain', value: (o) => o.classificationDomain },
  EXT_CATEGORY_ID: { kind: 'attribute', attribute: 'unspsc' },
  EXT_CATEGORY: { kind: 'attribute', attribute: 'category' },
  LEADTIME: { kind: 'attribute', attribute: 'leadTimeDays' },
};

const NONE: FieldDefault = { kind: 'none' };

/** Order of the provenance rows: the order the OCI form carries the fields in. */
const OCI_ORDER = [
  'DESCRIPTION', 'MATNR', 'QUANTITY', 'UNIT', 'PRICE', 'CURRENCY', 'PRICEUNIT', 'LEADTIME', 'LONGTEXT', 'VENDOR', 'VENDORMAT',
  'MANUFACTCODE', 'MANUFACTMAT', 'MATGROUP', 'SERVICE', 'CONTRACT', 'CONTRACT_ITEM', 'EXT_QUOTE_ID', 'EXT_QUOTE_ITEM',
  'EXT_PRODUCT_ID', 'ATTACHMENT', 'ATTACHMENT_TITLE', 'ATTACHMENT_PURPOSE', 'EXT_SCHEMA_TYPE', 'EXT_CATEGORY_ID',
  'EXT_CATEGORY', 'SLD_SYS_NAME', 'CUST_FIELD1', 'CUST_FIELD2', 'CUST_FIELD3', 'CUST_FIELD4', 'CUST_FIELD5', 'ITEM_TYPE', 'PARENT_ID',
];

function ociMappingIssues(options: ConnectionOptions): MappingIssue[] {
  const issues: MappingIssue[] = [];
  for (const key of Object.keys(options.fieldMapping.oci)) {
    const field = key.toUpperCase();
    if (OCI_FIXED_FIELDS.includes(field)) {
      issues.push({ kind: 'ignored mapping', field, message: `the field mapping for ${field} is ignored: quantity, unit, price, currency and price unit always come from the cart (units and currencies through their maps)` });
    } else if (!Object.hasOwn(OCI_TEXT_FIELDS, field) && field !== 'LEADTIME' && field !== 'SERVICE') {
      issues.push({ kind: 'ignored mapping', field, message: `the field mapping names ${key}, which is not an OCI 4.0 NEW_ITEM field; nothing is sent for it` });
    }
  }
  return issues;
}

/** Maps cart lines to OCI lines (for buildOciCartForm) with the provenance of every value. */
export function mapOciCart(input: CartMappingInput): OciMappedCart {
  const { options } = input;
  const issues = ociMappingIssues(options);
  const provenance: Provenance[] = [];
  const facts: LineFacts[] = [];
  const lines: OciCartLine[] = [];
  const table = options.fieldMapping.oci;

  input.lines.forEach((cartLine, i) => {
    const n = i + 1;
    const c: LineContext = { line: n, product: cartLine.product, options, vendor: input.vendor, issues };
    const rows = new Map<string, Provenance>();
    const textRules: LineFacts['textRules'][number][] = [];
    const text: Partial<Record<OciTextKey, string>> = {};

    for (const [field, key] of Object.entries(OCI_TEXT_FIELDS)) {
      const r = resolveField(field, lookupMapping(table, field), OCI_DEFAULTS[field] ?? NONE, c);
      if (r.value === undefined) {
        if (r.source === 'empty' && r.note) rows.set(field, { line: n, field, value: '', source: 'empty', note: r.note });
        continue;
      }
      const ruled = OCI_DESCRIPTIVE.has(field) ? applyTextRule(r.value, field, options, textRules) : { value: r.value };
      text[key] = ruled.value;
      const note = [r.note, ruled.note].filter(Boolean).join('; ');
      rows.set(field, { line: n, field, value: ruled.value, source: r.source, ...(note ? { note } : {}) });
    }

    // LEADTIME is a whole number of days.
    let leadTimeDays: number | undefined;
    const lead = resolveField('LEADTIME', lookupMapping(table, 'LEADTIME'), OCI_DEFAULTS.LEADTIME!, c);
    if (lead.value !== undefined && lead.value.trim() !== '') {
      const t = lead.value.trim();
      if (/^\d{1,5}$/.test(t)) {
        leadTimeDays = Number(t);
        rows.set('LEADTIME', { line: n, field: 'LEADTIME', value: String(leadTimeDays), source: lead.source, ...(lead.note ? { note: lead.note } : {}) });
      } else {
        issues.push({ kind: 'bad value', line: n, field: 'LEADTIME', message: `${label(cartLine.product)}: LEADTIME "${lead.value}" is not a whole number of days (at most 5 digits)` });
      }
    } else if (lead.source === 'empty' && lead.note) {
      rows.set('LEADTIME', { line: n, field: 'LEADTIME', value: '', source: 'empty', note: lead.note });
    }

    // SERVICE is a flag: any of X, 1, yes, true marks the line as a service.
    const service = resolveField('SERVICE', lookupMapping(table, 'SERVICE'), NONE, c);
    const isService = service.value !== undefined && /^(x|1|yes|true)$/i.test(service.value.trim());
    if (isService) rows.set('SERVICE', { line: n, field: 'SERVICE', value: 'X', source: service.source });

    const unit = mapUnit(options, cartLine.product.unit);
    const currency = mapCurrency(options, cartLine.currency);
    const price = ociPriceFor(cartLine, options, issues, n);
    const priceFrom = priceProvenance(cartLine);

    rows.set('QUANTITY', { line: n, field: 'QUANTITY', value: ociNumber(cartLine.quantity), source: 'cart' });
    rows.set('UNIT', { line: n, field: 'UNIT', value: unit.sent, ...(unit.mapped ? { source: 'unit map', note: `our unit ${unit.ours} → ${unit.sent}` } : { source: 'default:unit' }) });
    if (price) {
      const perUnits = !price.priceUnit.eq(1);
      const priceSource: ValueSource = price.rounded
        ? `computed: rounded to ${options.oci.maxPriceDecimals} decimals`
        : perUnits
          ? 'computed: unit price × PRICEUNIT'
          : priceFrom.source;
      const note = price.rounded || perUnits ? `${cartLine.unitPrice.toFixed()} per unit (${priceFrom.source}${priceFrom.note ? `: ${priceFrom.note}` : ''})` : priceFrom.note;
      rows.set('PRICE', { line: n, field: 'PRICE', value: ociNumber(price.price), source: priceSource, ...(note ? { note } : {}) });
    }
    rows.set('CURRENCY', { line: n, field: 'CURRENCY', value: currency.sent, ...(currency.mapped ? { source: 'currency map', note: `our currency ${currency.ours} → ${currency.sent}` } : { source: priceFrom.source }) });
    if (price && !price.priceUnit.eq(1)) {
      rows.set('PRICEUNIT', { line: n, field: 'PRICEUNIT', value: price.priceUnit.toFixed(0), source: `computed: price needs more than ${options.oci.maxPriceDecimals} decimals`, note: 'PRICE is per this many units' });
    }
    for (const field of OCI_ORDER) {
      const row = rows.get(field);
      if (row) provenance.push(row);
    }

    const ociLine: OciCartLine = {
      description: '',
      quantity: cartLine.quantity,
      unit: unit.sent,
      // The builder receives the price per unit and fits PRICEUNIT itself ('price-unit'), or a
      // price already rounded to the buyer's decimals ('per-unit'), so its warnings stay exact.
      price: options.oci.priceUnitMode === 'per-unit' && price ? price.price : cartLine.unitPrice,
      currency: currency.sent,
      ...(leadTimeDays !== undefined ? { leadTimeDays } : {}),
      ...(isService ? { service: true } : {}),
    };
    for (const [key, value] of Object.entries(text) as [OciTextKey, string][]) ociLine[key] = value;
    lines.push(ociLine);
    facts.push({
      line: n,
      sku: cartLine.product.sku,
      name: cartLine.product.name,
      quantity: cartLine.quantity,
      unitPrice: cartLine.unitPrice,
      unit,
      currency,
      ...(price ? { ociPrice: price } : {}),
      textRules,
    });
  });

  return { protocol: 'oci', options, lines, facts, provenance, issues };
}

/** OCI number text for provenance; the builder refuses what cannot be written (the lint says why). */
function ociNumber(value: Decimal): string {
  try {
    return formatOciDecimal(value);
  } catch {
    return value.toFixed();
  }
}

/**
 * The price as the OCI form carries it. 'per-unit': always per 1, rounded to the buyer's
 * decimals when it needs more (the lint warns). 'price-unit': per 10/100/… units instead of
 * rounding (field-failures.md rule 22), exactly as buildOciCartForm will fit it.
 */
function ociPriceFor(line: MappableLine, options: ConnectionOptions, issues: MappingIssue[], n: number): LineFacts['ociPrice'] {
  const max = options.oci.maxPriceDecimals;
  if (!Number.isInteger(max) || max < 0 || max > 3) {
    issues.push({ kind: 'bad option', field: 'PRICE', message: `the connection's maximum price decimals (${String(max)}) must be a whole number from 0 to 3` });
    return undefined;
  }
  if (!line.unitPrice.isFinite() || line.unitPrice.isNegative()) return undefined;
  if (options.oci.priceUnitMode === 'per-unit') {
    const rounded = line.unitPrice.toDecimalPlaces(max, Decimal.ROUND_HALF_UP);
    return { price: rounded, priceUnit: new Decimal(1), rounded: !rounded.eq(line.unitPrice) };
  }
  try {
    return fitPriceToUnit(line.unitPrice, new Decimal(1), max);
  } catch {
    issues.push({ kind: 'bad value', line: n, field: 'PRICE', message: `${label(line.product)}: the price ${line.unitPrice.toFixed()} cannot be written with a price unit` });
    return undefined;
  }
}

// ---- cXML ----------------------------------------------------------------------------------

/** cXML targets a field mapping may feed (besides `Extrinsic:<name>`), with Koppel's defaults. */
const CXML_DEFAULTS: Readonly<Record<string, FieldDefault>> = {
  SupplierPartID: { kind: 'attribute', attribute: 'sku' },
  BuyerPartID: NONE,
  Description: { kind: 'attribute', attribute: 'description' },
  ShortName: { kind: 'attribute', attribute: 'name' },
  Classification: { kind: 'attribute', attribute: 'unspsc' },
  ManufacturerPartID: { kind: 'attribute', attribute: 'manufacturerPartId' },
  ManufacturerName: { kind: 'attribute', attribute: 'manufacturer' },
  URL: NONE,
  LeadTime: { kind: 'attribute', attribute: 'leadTimeDays' },
};

export const CXML_TARGETS = Object.keys(CXML_DEFAULTS);
const CXML_FIXED = ['quantity', 'UnitPrice', 'UnitOfMeasure', 'SupplierPartAuxiliaryID', 'Total', 'Shipping', 'Tax'];
const CXML_DESCRIPTIVE = new Set(['Description', 'ShortName', 'ManufacturerName']);
/** ShortName: recommended ≤ 30, at most 50 characters (Ariba); the full name stays in the table. */
export const SHORT_NAME_MAX = 50;
const EXTRINSIC = /^extrinsic:(.+)$/i;

function cxmlMappingIssues(options: ConnectionOptions): MappingIssue[] {
  const issues: MappingIssue[] = [];
  for (const key of Object.keys(options.fieldMapping.cxml)) {
    if (EXTRINSIC.test(key)) continue;
    if (CXML_TARGETS.some((t) => t.toLowerCase() === key.toLowerCase())) continue;
    issues.push(
      CXML_FIXED.some((t) => t.toLowerCase() === key.toLowerCase())
        ? { kind: 'ignored mapping', field: key, message: `the field mapping for ${key} is ignored: quantity, price, unit, aux ID and the header money always come from the cart and the connection's maps and options` }
        : { kind: 'ignored mapping', field: key, message: `the field mapping names ${key}, which Koppel cannot fill in a PunchOutOrderMessage (use one of ${CXML_TARGETS.join(', ')} or Extrinsic:<name>)` },
    );
  }
  return issues;
}

function decimalOption(text: string, name: string, issues: MappingIssue[]): Decimal | undefined {
  const d = tryDec(text);
  if (d === undefined || d.isNegative()) {
    issues.push({ kind: 'bad option', field: name, message: `the connection option ${name} must be a decimal number ≥ 0 with a point, got "${text}"` });
    return undefined;
  }
  return d;
}

/**
 * Maps cart lines to ItemIn elements and the header money. Money rules (field-failures.md
 * rule 23): each line total is quantity × unit price rounded to the currency's minor units; tax
 * is computed on the goods (the line totals; the flat shipping amount is not taxed) and rounded
 * either per line (each line's tax rounded, the header tax is their sum, every line carries its
 * Tax) or once on the document (sum of line totals × rate, then rounded); the Total is the sum
 * of the line totals, plus shipping and tax when the connection says it includes them.
 */
export function mapCxmlCart(input: CartMappingInput): CxmlMappedCart {
  const { options } = input;
  const issues = cxmlMappingIssues(options);
  const provenance: Provenance[] = [];
  const facts: LineFacts[] = [];
  const items: ItemInInput[] = [];
  const table = options.fieldMapping.cxml;
  const lang = input.lang ?? 'en-US';
  const ours = input.lines[0]?.currency ?? input.currency ?? 'EUR';
  const headerCurrency = mapCurrency(options, ours);
  const { cxml } = options;

  const rate = cxml.cartTax ? decimalOption(cxml.taxRatePercent, 'cxml.taxRatePercent', issues) : undefined;
  const shippingAmount = cxml.cartShipping ? decimalOption(cxml.shippingAmount, 'cxml.shippingAmount', issues) : undefined;
  const perLineTax = rate !== undefined && cxml.taxRounding === 'line';
  const lineTotals: Decimal[] = [];
  const lineTaxes: Decimal[] = [];

  input.lines.forEach((cartLine, i) => {
    const n = i + 1;
    const c: LineContext = { line: n, product: cartLine.product, options, vendor: undefined, issues };
    const textRules: LineFacts['textRules'][number][] = [];
    const rows: Provenance[] = [];
    const add = (field: string, value: string, source: ValueSource, note?: string) => rows.push({ line: n, field, value, source, ...(note ? { note } : {}) });
    const resolved = new Map<string, Resolved>();
    const value = (target: string): string | undefined => resolved.get(target)?.value;
    const addMapped = (target: string, always = false) => {
      const r = resolved.get(target);
      if (r && (always || r.value)) add(target, r.value ?? '', r.source, r.note);
    };

    for (const target of CXML_TARGETS) {
      const r = resolveField(target, lookupMapping(table, target), CXML_DEFAULTS[target]!, c);
      if (r.value === undefined) {
        resolved.set(target, r);
        continue;
      }
      const ruled = CXML_DESCRIPTIVE.has(target) ? applyTextRule(r.value, target, options, textRules) : { value: r.value };
      let text = ruled.value;
      const notes = [r.note, ruled.note];
      if (target === 'ShortName' && text.length > SHORT_NAME_MAX) {
        text = cutTextAtWord(text, SHORT_NAME_MAX);
        notes.push(`cut to ${SHORT_NAME_MAX} characters`);
      }
      const note = notes.filter(Boolean).join('; ');
      resolved.set(target, { value: text, source: r.source, ...(note ? { note } : {}) });
    }

    const extrinsics: Extrinsic[] = [];
    for (const [key, mapping] of Object.entries(table)) {
      const m = EXTRINSIC.exec(key);
      if (!m) continue;
      const name = m[1]!.trim();
      const r = resolveField(key, mapping, NONE, c);
      if (r.value === undefined) continue;
      const ruled = applyTextRule(r.value, `Extrinsic:${name}`, options, textRules);
      extrinsics.push({ name, value: ruled.value });
      const note = [r.note, ruled.note].filter(Boolean).join('; ');
      resolved.set(`Extrinsic:${name}`, { value: ruled.value, source: r.source, ...(note ? { note } : {}) });
    }

    let leadTime: number | undefined;
    const leadText = value('LeadTime')?.trim();
    if (leadText !== undefined && leadText !== '') {
      if (/^\d{1,9}$/.test(leadText)) leadTime = Number(leadText);
      else issues.push({ kind: 'bad value', line: n, field: 'LeadTime', message: `${label(cartLine.product)}: LeadTime "${leadText}" is not a whole number of days` });
    }

    const unit = mapUnit(options, cartLine.product.unit);
    const currency = mapCurrency(options, cartLine.currency);
    const priceFrom = priceProvenance(cartLine);
    const lineTotal = roundMoney(cartLine.quantity.times(cartLine.unitPrice), ours);
    lineTotals.push(lineTotal);
    let tax: TaxInput | undefined;
    if (perLineTax) {
      const lineTax = roundMoney(lineTotal.times(rate).div(100), ours);
      lineTaxes.push(lineTax);
      tax = taxInput(lineTax, lineTotal, rate, headerCurrency.sent);
    }

    add('quantity', cartLine.quantity.toFixed(), 'cart');
    addMapped('SupplierPartID', true);
    if (cartLine.auxId) add('SupplierPartAuxiliaryID', cartLine.auxId, 'cart', 'key of this cart line across edit and order');
    addMapped('BuyerPartID');
    add('UnitPrice', formatAmount(cartLine.unitPrice, ours), priceFrom.source, priceFrom.note);
    add('UnitPrice@currency', currency.sent, currency.mapped ? 'currency map' : priceFrom.source, currency.mapped ? `our currency ${currency.ours} → ${currency.sent}` : undefined);
    addMapped('ShortName');
    addMapped('Description', true);
    add('UnitOfMeasure', unit.sent, unit.mapped ? 'unit map' : 'default:unit', unit.mapped ? `our unit ${unit.ours} → ${unit.sent}` : undefined);
    add('Classification@domain', options.classificationDomain, 'option:classificationDomain');
    addMapped('Classification', true);
    addMapped('ManufacturerPartID');
    addMapped('ManufacturerName');
    addMapped('URL');
    if (leadTime !== undefined) addMapped('LeadTime');
    for (const x of extrinsics) addMapped(`Extrinsic:${x.name}`);
    if (tax) add('Tax', formatAmount(tax.money.amount, ours), `computed: line total × ${rate!.toFixed()} %, rounded per line`, `line total ${formatAmount(lineTotal, ours)}`);
    provenance.push(...rows);

    items.push({
      quantity: cartLine.quantity,
      lineNumber: n,
      itemID: {
        supplierPartID: value('SupplierPartID') ?? '',
        ...(cartLine.auxId ? { supplierPartAuxiliaryID: cartLine.auxId } : {}),
        ...(value('BuyerPartID') ? { buyerPartID: value('BuyerPartID')! } : {}),
      },
      itemDetail: {
        unitPrice: { amount: cartLine.unitPrice, currency: currency.sent },
        descriptions: [{ lang, text: value('Description') ?? '', ...(value('ShortName') ? { shortName: value('ShortName')! } : {}) }],
        unitOfMeasure: unit.sent,
        classifications: [{ domain: options.classificationDomain, code: value('Classification') ?? '' }],
        ...(value('ManufacturerPartID') ? { manufacturerPartID: value('ManufacturerPartID')! } : {}),
        ...(value('ManufacturerName') ? { manufacturerName: value('ManufacturerName')! } : {}),
        ...(value('URL') ? { url: value('URL')! } : {}),
        ...(leadTime !== undefined ? { leadTime } : {}),
        extrinsics,
      },
      ...(tax ? { tax } : {}),
    });
    facts.push({ line: n, sku: cartLine.product.sku, name: cartLine.product.name, quantity: cartLine.quantity, unitPrice: cartLine.unitPrice, unit, currency, textRules });
  });

  const goods = roundMoney(sum(lineTotals), ours);
  const shipping = shippingAmount !== undefined ? roundMoney(shippingAmount, ours) : undefined;
  let tax: Decimal | undefined;
  if (rate !== undefined) tax = perLineTax ? roundMoney(sum(lineTaxes), ours) : roundMoney(goods.times(rate).div(100), ours);
  const total = cxml.totalIncludesExtras ? goods.plus(shipping ?? 0).plus(tax ?? 0) : goods;
  const sent = headerCurrency.sent;

  const header: CxmlMappedCart['header'] = {
    total: { amount: total, currency: sent },
    ...(shipping !== undefined ? { shipping: { money: { amount: shipping, currency: sent }, description: 'Shipping' } } : {}),
    ...(tax !== undefined && rate !== undefined ? { tax: taxInput(tax, goods, rate, sent) } : {}),
  };
  const parts = ['sum of line totals', ...(cxml.totalIncludesExtras && shipping !== undefined ? ['shipping'] : []), ...(cxml.totalIncludesExtras && tax !== undefined ? ['tax'] : [])];
  provenance.push({ line: 0, field: 'Total', value: formatAmount(total, ours), source: `computed: ${parts.join(' + ')}`, note: `each line total = quantity × unit price, rounded to ${minorUnits(ours)} decimals (${ours})` });
  provenance.push({ line: 0, field: 'Total@currency', value: sent, ...(headerCurrency.mapped ? { source: 'currency map', note: `our currency ${ours} → ${sent}` } : { source: 'cart' }) });
  if (shipping !== undefined) provenance.push({ line: 0, field: 'Shipping', value: formatAmount(shipping, ours), source: 'option:cxml.shippingAmount' });
  if (tax !== undefined && rate !== undefined) {
    provenance.push({
      line: 0,
      field: 'Tax',
      value: formatAmount(tax, ours),
      source: perLineTax ? 'computed: sum of the line taxes' : `computed: sum of line totals × ${rate.toFixed()} %, rounded once`,
      note: `rate from option cxml.taxRatePercent; rounding per ${perLineTax ? 'line' : 'document'} (cxml.taxRounding)`,
    });
  }
  const money: CxmlCartMoney = {
    currency: ours,
    sentCurrency: sent,
    lineTotals,
    lineTaxes,
    goods,
    ...(shipping !== undefined ? { shipping } : {}),
    ...(tax !== undefined ? { tax } : {}),
    total,
  };
  return { protocol: 'cxml', options, items, header, money, facts, provenance, issues };
}

function taxInput(amount: Decimal, taxable: Decimal, rate: Decimal, currency: string): TaxInput {
  return {
    money: { amount, currency },
    description: `Tax ${rate.toFixed()} %`,
    details: [{ category: 'sales', percentageRate: rate, taxableAmount: { amount: taxable, currency }, taxAmount: { amount, currency } }],
  };
}

/** An amount as the document writes it: at least the currency's minor units. */
function formatAmount(amount: Decimal, currency: string): string {
  return amount.toFixed(Math.max(minorUnits(currency), amount.decimalPlaces()));
}
