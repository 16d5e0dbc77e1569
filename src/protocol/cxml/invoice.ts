/**
 * `InvoiceDetailRequest` (InvoiceDetail.dtd): standard invoices and credit memos, and the
 * invoice arithmetic they are built from. Pure: no clock, no I/O; payloadID and timestamp come
 * in through the WriteContext.
 *
 * The writer never takes totals from the caller: it computes them with `computeInvoice`, so the
 * header always adds up to the lines (field-failures rule 23).
 *
 * Credit memos. The DTD offers `creditMemo` (header level: `isHeaderInvoice="yes"`,
 * InvoiceDetailHeaderOrder, negative DueAmount), `lineLevelCreditMemo` (line items with negative
 * amounts, original invoice required) and, Coupa only, a `standard` invoice with negative
 * quantities. Koppel writes the header-level `creditMemo`: it is the only memo form the DTD's own
 * rules define completely, SAP Ariba accepts it, and Coupa accepts `purpose="creditMemo"` when the
 * original invoice is referenced — so the original invoice is required here and written as
 * DocumentReference (its payloadID, when known) and InvoiceIDInfo. Every amount is the negation of
 * the same arithmetic as a standard invoice. Coupa's samples show memo lines as items; if a buyer
 * insists on that, it is a per-buyer variant to add, not a change of this default.
 */
import { Decimal } from 'decimal.js';
import { isCurrencyCode, minorUnits, roundMoney } from '../money.js';
import type { Description, Extrinsic, Header, ItemID } from './model.js';
import { el, type XmlElement } from './write-tree.js';
import {
  CxmlWriteError,
  comments as commentsElement,
  contact,
  dateValue,
  description as descriptionElement,
  extrinsic,
  itemID as itemIDElement,
  money,
  nonEmpty,
  oneOf,
  tax as taxElement,
  token,
  uint,
  type WriteEnv,
} from './write-parts.js';
import type { CommentsInput, ContactInput, DateInput, TaxDetailInput } from './write-types.js';
import type { WriteContext } from './writer.js';
import { orderReference, positiveQuantity, requestDocument, resolveDocumentEnv, type OrderReferenceInput } from './fulfil.js';

// ---- arithmetic -------------------------------------------------------------------------------

/**
 * How tax is rounded, chosen per connection:
 * - `line`: each line's (and each shipping charge's) tax is rounded to the currency's minor
 *   units; the document tax is the sum of those.
 * - `document`: net amounts are summed per tax category and rate and each sum's tax is rounded
 *   once; the document tax is the sum over the rates.
 * Rounding is commercial (half away from zero). The two never differ by more than n/2 minor
 * units for n taxed amounts.
 */
export type TaxRounding = 'line' | 'document';

export interface ShippingCharge {
  /** In the invoice currency, ≥ 0, with at most the currency's minor units. */
  readonly amount: Decimal;
  /** Percent (19 = 19 %); absent when the shipping is not taxed. */
  readonly taxRate?: Decimal;
  /** Default `vat`. */
  readonly taxCategory?: string;
}

/** What the arithmetic needs of a line. */
export interface InvoiceAmountLine {
  /** > 0 (decimals allowed). */
  readonly quantity: Decimal;
  /** Per unit, ≥ 0; may have more decimals than the currency. */
  readonly unitPrice: Decimal;
  /** Percent, 0–100 (20.5 = 20.5 %). */
  readonly taxRate: Decimal;
  /** `TaxDetail@category`; default `vat`. */
  readonly taxCategory?: string;
  /** Shipping charged on this line (layouts with shipping in line). */
  readonly shipping?: ShippingCharge;
}

export interface InvoiceMathOptions {
  /** ISO 4217; fixes the minor units every amount is rounded to. */
  readonly currency: string;
  readonly taxRounding: TaxRounding;
  /** Shipping charged once for the document. */
  readonly shipping?: ShippingCharge;
  /** Credit memo: the same arithmetic, every amount negated. */
  readonly negate?: boolean;
}

/** Tax of one category and rate: one `TaxDetail`. */
export interface TaxPortion {
  readonly category: string;
  /** Percent. */
  readonly rate: Decimal;
  /** `tax` for goods, `shippingTax` for a shipping charge (per-line details only). */
  readonly purpose: 'tax' | 'shippingTax';
  readonly taxable: Decimal;
  readonly tax: Decimal;
}

export interface ComputedLine {
  /** quantity × unit price, rounded to minor units. */
  readonly subtotal: Decimal;
  /** Shipping charged on the line; 0 when none. */
  readonly shipping: Decimal;
  /** Rounded tax of the line and its shipping (`line` rounding); undefined with `document` rounding. */
  readonly tax: Decimal | undefined;
  /** The parts of `tax`: goods, then shipping if taxed (`line` rounding); empty otherwise. */
  readonly taxes: readonly TaxPortion[];
}

export interface InvoiceTotals {
  readonly currency: string;
  readonly taxRounding: TaxRounding;
  /** Same order as the input lines. */
  readonly lines: readonly ComputedLine[];
  /** Σ line subtotals. */
  readonly subtotal: Decimal;
  /** Document shipping + Σ line shipping. */
  readonly shipping: Decimal;
  /** Σ of `taxSummary`. */
  readonly tax: Decimal;
  /** One entry per category and rate (purpose `tax`), in order of first appearance. */
  readonly taxSummary: readonly TaxPortion[];
  /** subtotal + tax + shipping. */
  readonly gross: Decimal;
  /** Discounts (none yet: always 0). */
  readonly discount: Decimal;
  /** gross − discount. */
  readonly net: Decimal;
  /** net (no deposits). */
  readonly due: Decimal;
}

// Quantities × prices must be exact before rounding; 64 digits leave room for any real invoice.
const Exact = Decimal.clone({ precision: 64, rounding: Decimal.ROUND_HALF_UP });
type Exact = InstanceType<typeof Exact>;

const HUNDRED = new Exact(100);
const DEFAULT_CATEGORY = 'vat';

function out(x: Exact, negate: boolean): Decimal {
  // Negating zero gives -0, which must never reach a document.
  const v = negate && !x.isZero() ? x.negated() : x;
  return new Decimal(v.isZero() ? 0 : v);
}

function checkRate(rate: Decimal, what: string): Exact {
  if (!rate.isFinite() || rate.isNegative() || rate.gt(100)) throw new RangeError(`${what}: tax rate must be 0–100 %, got ${rate.toString()}`);
  return new Exact(rate);
}

function checkShipping(s: ShippingCharge, currency: string, what: string): Exact {
  const a = s.amount;
  if (!a.isFinite() || (a.isNegative() && !a.isZero())) throw new RangeError(`${what}: shipping must be ≥ 0`);
  if (a.decimalPlaces() > minorUnits(currency)) {
    throw new RangeError(`${what}: shipping ${a.toString()} has more decimals than ${currency} allows (${minorUnits(currency)})`);
  }
  return new Exact(a);
}

interface Entry {
  readonly line: number | undefined;
  readonly purpose: 'tax' | 'shippingTax';
  readonly category: string;
  readonly rate: Exact;
  readonly net: Exact;
}

/**
 * Invoice arithmetic: line subtotal = quantity × unit price rounded to the currency's minor
 * units; tax by `taxRounding`; shipping taxed or not per charge; gross = subtotal + tax +
 * shipping; net = gross − discounts (none yet); due = net. With `negate` every amount is the
 * exact negation of the standard result.
 *
 * @example
 * computeInvoice([{ quantity: dec('2.5'), unitPrice: dec('3.999'), taxRate: dec(19) }], { currency: 'EUR', taxRounding: 'line' })
 * // subtotal 10.00, tax 1.90, gross 11.90
 * @throws RangeError for a bad currency, a quantity ≤ 0, a negative price, a rate outside 0–100,
 *   or a shipping amount with more decimals than the currency has.
 */
export function computeInvoice(lines: readonly InvoiceAmountLine[], options: InvoiceMathOptions): InvoiceTotals {
  const currency = options.currency.toUpperCase();
  if (!isCurrencyCode(currency)) throw new RangeError(`currency must be an ISO 4217 code, got ${JSON.stringify(options.currency)}`);
  if (options.taxRounding !== 'line' && options.taxRounding !== 'document') {
    throw new RangeError(`taxRounding must be line or document, got ${JSON.stringify(options.taxRounding)}`);
  }
  const round = (x: Exact): Exact => roundMoney(x, currency) as Exact;
  const zero = new Exact(0);

  const entries: Entry[] = [];
  const subtotals: Exact[] = [];
  const shippings: Exact[] = [];
  lines.forEach((l, i) => {
    const what = `line ${i + 1}`;
    if (!l.quantity.isFinite() || !l.quantity.isPositive() || l.quantity.isZero()) throw new RangeError(`${what}: quantity must be > 0`);
    if (!l.unitPrice.isFinite() || (l.unitPrice.isNegative() && !l.unitPrice.isZero())) throw new RangeError(`${what}: unit price must be ≥ 0`);
    const subtotal = round(new Exact(l.quantity).times(new Exact(l.unitPrice)));
    subtotals.push(subtotal);
    entries.push({ line: i, purpose: 'tax', category: l.taxCategory ?? DEFAULT_CATEGORY, rate: checkRate(l.taxRate, what), net: subtotal });
    const s = l.shipping;
    const ship = s ? checkShipping(s, currency, what) : zero;
    shippings.push(ship);
    if (s?.taxRate !== undefined) {
      entries.push({ line: i, purpose: 'shippingTax', category: s.taxCategory ?? DEFAULT_CATEGORY, rate: checkRate(s.taxRate, `${what} shipping`), net: ship });
    }
  });
  const docShipping = options.shipping ? checkShipping(options.shipping, currency, 'document') : zero;
  if (options.shipping?.taxRate !== undefined) {
    entries.push({
      line: undefined,
      purpose: 'shippingTax',
      category: options.shipping.taxCategory ?? DEFAULT_CATEGORY,
      rate: checkRate(options.shipping.taxRate, 'document shipping'),
      net: docShipping,
    });
  }

  // Summary groups per category and rate, in order of first appearance.
  const groups = new Map<string, { category: string; rate: Exact; taxable: Exact; tax: Exact }>();
  const perLine = lines.map(() => [] as { purpose: 'tax' | 'shippingTax'; category: string; rate: Exact; taxable: Exact; tax: Exact }[]);
  for (const e of entries) {
    const key = `${e.category}\u0000${e.rate.toString()}`;
    const g = groups.get(key) ?? { category: e.category, rate: e.rate, taxable: zero, tax: zero };
    g.taxable = g.taxable.plus(e.net);
    if (options.taxRounding === 'line') {
      const t = round(e.net.times(e.rate).div(HUNDRED));
      g.tax = g.tax.plus(t);
      if (e.line !== undefined) perLine[e.line]!.push({ purpose: e.purpose, category: e.category, rate: e.rate, taxable: e.net, tax: t });
    }
    groups.set(key, g);
  }
  if (options.taxRounding === 'document') {
    for (const g of groups.values()) g.tax = round(g.taxable.times(g.rate).div(HUNDRED));
  }

  const neg = options.negate === true;
  const sum = (xs: Iterable<Exact>) => {
    let t = zero;
    for (const x of xs) t = t.plus(x);
    return t;
  };
  const subtotal = sum(subtotals);
  const shipping = docShipping.plus(sum(shippings));
  const tax = sum([...groups.values()].map((g) => g.tax));
  const gross = subtotal.plus(tax).plus(shipping);
  const discount = zero;
  const net = gross.minus(discount);
  const portion = (p: { purpose: 'tax' | 'shippingTax'; category: string; rate: Exact; taxable: Exact; tax: Exact }): TaxPortion => ({
    category: p.category,
    rate: new Decimal(p.rate),
    purpose: p.purpose,
    taxable: out(p.taxable, neg),
    tax: out(p.tax, neg),
  });
  return {
    currency,
    taxRounding: options.taxRounding,
    lines: lines.map((_, i) => ({
      subtotal: out(subtotals[i]!, neg),
      shipping: out(shippings[i]!, neg),
      tax: options.taxRounding === 'line' ? out(sum(perLine[i]!.map((p) => p.tax)), neg) : undefined,
      taxes: perLine[i]!.map(portion),
    })),
    subtotal: out(subtotal, neg),
    shipping: out(shipping, neg),
    tax: out(tax, neg),
    taxSummary: [...groups.values()].map((g) => portion({ ...g, purpose: 'tax' })),
    gross: out(gross, neg),
    discount: out(discount, neg),
    net: out(net, neg),
    due: out(net, neg),
  };
}

// ---- document inputs --------------------------------------------------------------------------

export interface InvoiceLineInput extends InvoiceAmountLine {
  /** Unique within the invoice, ≥ 1. */
  readonly invoiceLineNumber: number;
  /** The PO line invoiced (`InvoiceDetailItemReference@lineNumber`); once per order. */
  readonly orderLineNumber: number;
  readonly unitOfMeasure: string;
  /** Absent for ad-hoc lines without a SupplierPartID. */
  readonly itemID?: ItemID;
  /** The line's description as ordered; a string is written in the document language. */
  readonly description: string | Description;
}

export interface InvoiceOrderInput {
  readonly order: OrderReferenceInput;
  /** At least one. */
  readonly lines: readonly InvoiceLineInput[];
}

export interface IdReferenceInput {
  /** E.g. `vatID`, `supplierTaxID`, `ibanID`. */
  readonly domain: string;
  readonly identifier: string;
}

/** An `InvoicePartner`: its Contact with a role such as `remitTo`, `soldTo`, `billTo`. */
export interface InvoicePartnerInput extends ContactInput {
  readonly role: string;
  readonly addressID?: string;
  readonly idReferences?: readonly IdReferenceInput[];
}

/** Per-connection layout of invoices. */
export interface InvoiceLayout {
  readonly taxRounding: TaxRounding;
  /** `isTaxInLine`: every line carries its Tax (needs `line` rounding so lines add up to the header). */
  readonly taxInLine: boolean;
  /** `isShippingInLine`: shipping is charged per line (`InvoiceLineInput.shipping`), never for the document. */
  readonly shippingInLine: boolean;
}

/** The invoice a credit memo credits. */
export interface OriginalInvoiceInput {
  readonly invoiceID: string;
  readonly invoiceDate?: DateInput;
  /** payloadID of the original InvoiceDetailRequest, when known. */
  readonly payloadID?: string;
}

export interface InvoiceInput {
  /** Unique per supplier and stable across resends. */
  readonly invoiceID: string;
  /** Should be earlier than the document timestamp. */
  readonly invoiceDate: DateInput;
  /** `creditMemo`: header-level memo, every amount negative (see the file comment). */
  readonly purpose: 'standard' | 'creditMemo';
  /** `delete` cancels the invoice of the same invoiceID sent earlier (default `new`). */
  readonly operation?: 'new' | 'delete';
  /** One currency for the whole invoice. */
  readonly currency: string;
  readonly layout: InvoiceLayout;
  /** At least one; each order once. */
  readonly orders: readonly InvoiceOrderInput[];
  /** Shipping charged once for the invoice (not with `layout.shippingInLine`). */
  readonly shipping?: ShippingCharge;
  /** Both or neither; required when lines carry shipping (`InvoiceDetailShipping` needs both). */
  readonly shipFrom?: ContactInput;
  readonly shipTo?: ContactInput;
  /** E.g. remitTo and soldTo. */
  readonly partners?: readonly InvoicePartnerInput[];
  /** `PaymentTerm@payInNumberOfDays`. */
  readonly paymentTermDays?: number;
  /** Required for a credit memo. */
  readonly originalInvoice?: OriginalInvoiceInput;
  /** `Tax/Description` (required by the DTD); default `Tax`. */
  readonly taxDescription?: string;
  readonly comments?: CommentsInput;
  readonly extrinsics?: readonly Extrinsic[];
  readonly deploymentMode?: 'production' | 'test';
}

/** The totals the writer puts into the document for `input` (store them with the invoice). */
export function invoiceTotals(input: InvoiceInput): InvoiceTotals {
  return computeInvoice(
    input.orders.flatMap((o) => o.lines),
    {
      currency: input.currency,
      taxRounding: input.layout.taxRounding,
      shipping: input.shipping,
      negate: input.purpose === 'creditMemo',
    },
  );
}

// ---- writer -----------------------------------------------------------------------------------

function structureProblems(input: InvoiceInput): string[] {
  const problems: string[] = [];
  const { layout } = input;
  if (input.orders.length === 0) problems.push('an invoice needs at least one order');
  if (layout.taxInLine && layout.taxRounding !== 'line') {
    problems.push('tax in line needs per-line rounding: with document rounding the line taxes would not add up to the header');
  }
  if (layout.shippingInLine && input.shipping) problems.push('shipping is configured per line: the document-level shipping cannot be written');
  const lineShipping = input.orders.some((o) => o.lines.some((l) => l.shipping));
  if (!layout.shippingInLine && lineShipping) problems.push('shipping is configured for the document: lines cannot carry shipping');
  if ((input.shipFrom === undefined) !== (input.shipTo === undefined)) problems.push('shipFrom and shipTo go together');
  if (lineShipping && !input.shipFrom) problems.push('lines with shipping need shipFrom and shipTo');
  if (input.purpose === 'creditMemo' && !input.originalInvoice) problems.push('a credit memo needs the original invoice it credits');
  const invoiceLines = new Set<number>();
  const orders = new Set<string>();
  for (const o of input.orders) {
    if (orders.has(o.order.payloadID)) problems.push(`order ${o.order.orderID} appears more than once`);
    orders.add(o.order.payloadID);
    if (o.lines.length === 0) problems.push(`order ${o.order.orderID} has no lines`);
    const orderLines = new Set<number>();
    for (const l of o.lines) {
      if (invoiceLines.has(l.invoiceLineNumber)) problems.push(`invoice line ${l.invoiceLineNumber} appears more than once`);
      invoiceLines.add(l.invoiceLineNumber);
      if (orderLines.has(l.orderLineNumber)) problems.push(`order ${o.order.orderID} line ${l.orderLineNumber} is invoiced twice`);
      orderLines.add(l.orderLineNumber);
    }
  }
  return problems;
}

function moneyOf(amount: Decimal, currency: string, what: string): XmlElement {
  return money({ amount, currency }, what);
}

function amountElement(name: string, amount: Decimal, currency: string): XmlElement {
  return el(name, null, moneyOf(amount, currency, name));
}

function taxBlock(amount: Decimal, portions: readonly TaxPortion[], currency: string, descriptionText: string, env: WriteEnv, what: string): XmlElement {
  const details: TaxDetailInput[] = portions.map((p) => ({
    purpose: p.purpose,
    category: p.category,
    percentageRate: p.rate,
    taxableAmount: { amount: p.taxable, currency },
    taxAmount: { amount: p.tax, currency },
  }));
  return taxElement({ money: { amount, currency }, description: descriptionText, details }, env, what);
}

/** Adds up portions of the same purpose, category and rate (a memo's per-order tax). */
function mergePortions(portions: readonly TaxPortion[]): TaxPortion[] {
  const merged = new Map<string, TaxPortion>();
  for (const p of portions) {
    const key = `${p.purpose}\u0000${p.category}\u0000${p.rate.toString()}`;
    const m = merged.get(key);
    merged.set(key, m ? { ...m, taxable: m.taxable.plus(p.taxable), tax: m.tax.plus(p.tax) } : p);
  }
  return [...merged.values()];
}

function shippingContacts(input: InvoiceInput, env: WriteEnv): XmlElement[] {
  return [
    contact({ ...input.shipFrom!, role: 'shipFrom' }, env, 'shipFrom'),
    contact({ ...input.shipTo!, role: 'shipTo' }, env, 'shipTo'),
  ];
}

function lineShipping(amount: Decimal, input: InvoiceInput, env: WriteEnv): XmlElement {
  return el('InvoiceDetailLineShipping', null, el('InvoiceDetailShipping', null, shippingContacts(input, env)), moneyOf(amount, input.currency, 'line shipping'));
}

function partner(p: InvoicePartnerInput, env: WriteEnv, what: string): XmlElement {
  const role = token(nonEmpty(p.role, `${what} role`), `${what} role`);
  // contact() has no addressID; the element is rebuilt with it around the same children.
  const base = contact({ ...p, role }, env, what);
  return el(
    'InvoicePartner',
    null,
    el('Contact', { role, addressID: p.addressID }, base.children),
    (p.idReferences ?? []).map((r) =>
      el('IdReference', { identifier: nonEmpty(r.identifier, `${what} IdReference identifier`), domain: nonEmpty(r.domain, `${what} IdReference domain`) }),
    ),
  );
}

function requestHeader(input: InvoiceInput, env: WriteEnv): XmlElement {
  const memo = input.purpose === 'creditMemo';
  const original = input.originalInvoice;
  return el(
    'InvoiceDetailRequestHeader',
    {
      invoiceID: nonEmpty(input.invoiceID, 'invoiceID'),
      purpose: input.purpose,
      operation: input.operation ?? 'new',
      invoiceDate: dateValue(input.invoiceDate, env, 'invoiceDate'),
    },
    el('InvoiceDetailHeaderIndicator', { isHeaderInvoice: memo ? 'yes' : undefined }),
    el('InvoiceDetailLineIndicator', {
      isTaxInLine: input.layout.taxInLine ? 'yes' : undefined,
      isShippingInLine: input.layout.shippingInLine ? 'yes' : undefined,
    }),
    (input.partners ?? []).map((p, i) => partner(p, env, `InvoicePartner ${i + 1}`)),
    original?.payloadID ? el('DocumentReference', { payloadID: original.payloadID }) : undefined,
    original &&
      el('InvoiceIDInfo', {
        invoiceID: nonEmpty(original.invoiceID, 'original invoiceID'),
        invoiceDate: original.invoiceDate !== undefined ? dateValue(original.invoiceDate, env, 'original invoiceDate') : undefined,
      }),
    // Header shipping details only when shipping is not per line (the DTD says they are ignored then).
    !input.layout.shippingInLine && input.shipFrom ? el('InvoiceDetailShipping', null, shippingContacts(input, env)) : undefined,
    input.paymentTermDays !== undefined ? el('PaymentTerm', { payInNumberOfDays: uint(input.paymentTermDays, 'paymentTermDays') }) : undefined,
    input.comments && commentsElement(input.comments, 'InvoiceDetailRequestHeader'),
    (input.extrinsics ?? []).map(extrinsic),
  );
}

function orderInfo(o: InvoiceOrderInput, env: WriteEnv): XmlElement {
  return el('InvoiceDetailOrderInfo', null, orderReference(o.order, env));
}

function detailItem(l: InvoiceLineInput, c: ComputedLine, input: InvoiceInput, env: WriteEnv): XmlElement {
  const what = `invoice line ${l.invoiceLineNumber}`;
  const cur = input.currency;
  const desc: Description = typeof l.description === 'string' ? { lang: '', text: l.description } : l.description;
  return el(
    'InvoiceDetailItem',
    { invoiceLineNumber: uint(l.invoiceLineNumber, `${what} number`), quantity: positiveQuantity(l.quantity, `${what} quantity`) },
    el('UnitOfMeasure', null, nonEmpty(l.unitOfMeasure, `${what} UnitOfMeasure`)),
    el('UnitPrice', null, moneyOf(l.unitPrice, cur, `${what} UnitPrice`)),
    el(
      'InvoiceDetailItemReference',
      { lineNumber: uint(l.orderLineNumber, `${what} order line`) },
      l.itemID && itemIDElement(l.itemID, env, what),
      descriptionElement(desc, env, what),
    ),
    amountElement('SubtotalAmount', c.subtotal, cur),
    input.layout.taxInLine && taxBlock(c.tax!, c.taxes, cur, input.taxDescription ?? 'Tax', env, what),
    l.shipping && lineShipping(c.shipping, input, env),
  );
}

/** A memo's order: InvoiceDetailHeaderOrder with the order's (negative) sums, no items. */
function headerOrder(o: InvoiceOrderInput, index: number, lines: readonly ComputedLine[], input: InvoiceInput, env: WriteEnv): XmlElement {
  const cur = input.currency;
  const zero = new Decimal(0);
  const subtotal = lines.reduce((t, c) => t.plus(c.subtotal), zero);
  const shipping = lines.reduce((t, c) => t.plus(c.shipping), zero);
  const hasShipping = o.lines.some((l) => l.shipping);
  return el(
    'InvoiceDetailHeaderOrder',
    null,
    orderInfo(o, env),
    el(
      'InvoiceDetailOrderSummary',
      // A header-level memo has no item lines; each order's summary is numbered 1…n instead.
      { invoiceLineNumber: index + 1 },
      amountElement('SubtotalAmount', subtotal, cur),
      input.layout.taxInLine &&
        taxBlock(
          lines.reduce((t, c) => t.plus(c.tax!), zero),
          mergePortions(lines.flatMap((c) => c.taxes)),
          cur,
          input.taxDescription ?? 'Tax',
          env,
          `order ${o.order.orderID}`,
        ),
      hasShipping && lineShipping(shipping, input, env),
    ),
  );
}

/**
 * `InvoiceDetailRequest` (InvoiceDetail.dtd) for a standard invoice or a header-level credit
 * memo. Amounts are computed here (`invoiceTotals`), never taken from the caller.
 *
 * @throws CxmlWriteError for an inconsistent structure (tax in line with document rounding,
 *   shipping where the layout does not put it, duplicate lines or orders, a memo without the
 *   original invoice) or data the DTD version cannot carry; RangeError from the arithmetic.
 */
export function writeInvoiceDetailRequest(ctx: WriteContext, hdr: Header, input: InvoiceInput): string {
  const env = resolveDocumentEnv(ctx);
  oneOf(input.purpose, ['standard', 'creditMemo'], 'purpose');
  const problems = structureProblems(input);
  if (problems.length > 0) throw new CxmlWriteError(`InvoiceDetailRequest: ${problems.join('; ')}`);
  const totals = invoiceTotals(input);
  const cur = totals.currency;
  const memo = input.purpose === 'creditMemo';

  let next = 0;
  const orders = input.orders.map((o, index) => {
    const computed = o.lines.map(() => totals.lines[next++]!);
    if (memo) return headerOrder(o, index, computed, input, env);
    return el(
      'InvoiceDetailOrder',
      null,
      orderInfo(o, env),
      o.lines.map((l, i) => detailItem(l, computed[i]!, input, env)),
    );
  });

  const summary = el(
    'InvoiceDetailSummary',
    null,
    amountElement('SubtotalAmount', totals.subtotal, cur),
    // Required by the DTD even when zero.
    taxBlock(totals.tax, totals.taxSummary, cur, input.taxDescription ?? 'Tax', env, 'InvoiceDetailSummary'),
    input.shipping || input.orders.some((o) => o.lines.some((l) => l.shipping)) ? amountElement('ShippingAmount', totals.shipping, cur) : undefined,
    amountElement('GrossAmount', totals.gross, cur),
    amountElement('NetAmount', totals.net, cur),
    amountElement('DueAmount', totals.due, cur),
  );
  const body = el('InvoiceDetailRequest', null, requestHeader(input, env), orders, summary);
  return requestDocument(env, 'InvoiceDetail.dtd', hdr, input.deploymentMode, body);
}
