/**
 * Turns the cart a supplier sent back (an OCI form or a cXML PunchOutOrderMessage) into one
 * table of lines with decimal amounts, and notes everything a buyer's system would trip over.
 *
 * Rounding rule (one, documented): each line amount is rounded to the currency's minor units
 * (half away from zero); the cart total is the sum of the rounded line amounts.
 */
import type { ItemIn, PunchOutOrderMessage } from '../protocol/cxml/model.js';
import type { OciReadLine } from '../protocol/oci/cart-form-reader.js';
import { Decimal, formatDecimal, formatMoney, roundMoney, sum } from '../protocol/money.js';
import type { SandboxCartLine } from './punchout-record.js';

export interface NormalisedCart {
  readonly lines: SandboxCartLine[];
  /** Null when the lines disagree on the currency (or there are none). */
  readonly total: string | null;
  readonly currency: string | null;
  readonly warnings: string[];
}

/**
 * Amount of one cXML line: quantity × unit price, scaled by PriceBasisQuantity when the price is
 * quoted per N units (`conversionFactor / quantity` of the basis).
 *
 * @example lineAmount(dec('3'), dec('104.99'), { quantity: dec('2'), conversionFactor: dec('1') }) // 157.485
 */
export function lineAmount(
  quantity: Decimal,
  unitPrice: Decimal,
  basis?: { readonly quantity: Decimal; readonly conversionFactor: Decimal },
): Decimal {
  const amount = quantity.times(unitPrice);
  if (!basis || basis.quantity.isZero()) return amount;
  return amount.times(basis.conversionFactor).div(basis.quantity);
}

/** OCI: PRICE is per PRICEUNIT units. Multiply before dividing so exact prices stay exact. */
export function ociLineAmount(quantity: Decimal, price: Decimal, priceUnit: Decimal): Decimal {
  return quantity.times(price).div(priceUnit);
}

/** Largest number of decimals a unit price derived from PRICE / PRICEUNIT keeps. */
export const MAX_UNIT_PRICE_DECIMALS = 6;

/** PRICE / PRICEUNIT, exact when it terminates within MAX_UNIT_PRICE_DECIMALS, else rounded. */
export function ociUnitPrice(price: Decimal, priceUnit: Decimal): { value: Decimal; rounded: boolean } {
  const exact = price.div(priceUnit);
  if (exact.decimalPlaces() <= MAX_UNIT_PRICE_DECIMALS) return { value: exact, rounded: false };
  return { value: exact.toDecimalPlaces(MAX_UNIT_PRICE_DECIMALS, Decimal.ROUND_HALF_UP), rounded: true };
}

function totalOf(lines: readonly SandboxCartLine[], amounts: readonly Decimal[], warnings: string[]): { total: string | null; currency: string | null } {
  if (lines.length === 0) return { total: null, currency: null };
  const currencies = [...new Set(lines.map((l) => l.currency))];
  if (currencies.length > 1) {
    warnings.push(`The lines use different currencies (${currencies.join(', ')}); no total is computed.`);
    return { total: null, currency: null };
  }
  const currency = currencies[0]!;
  if (currency === '') return { total: null, currency: null };
  return { total: formatMoney(sum(amounts), currency), currency };
}

function descriptionText(item: ItemIn): string {
  const d = item.itemDetail.descriptions[0];
  if (!d) return '';
  // The ShortName is the product's name; the text is often a long description.
  const short = d.shortName?.trim() ?? '';
  return short !== '' ? short : d.text.trim();
}

/** The cart of a PunchOutOrderMessage. The POOM's own Total is checked against the lines. */
export function cartFromPunchOutOrderMessage(poom: PunchOutOrderMessage): NormalisedCart {
  const warnings: string[] = [];
  const amounts: Decimal[] = [];
  const lines = poom.items.map((item, i): SandboxCartLine => {
    const d = item.itemDetail;
    const currency = d.unitPrice.currency;
    const pbq = d.priceBasisQuantity;
    const amount = roundMoney(lineAmount(item.quantity, d.unitPrice.amount, pbq), currency);
    amounts.push(amount);
    const classification = d.classifications[0];
    if (!classification) warnings.push(`Line ${i + 1}: no Classification (required by the cXML DTD).`);
    if (d.descriptions.length === 0) warnings.push(`Line ${i + 1}: no Description.`);
    return {
      line: i + 1,
      supplierPartID: item.itemID.supplierPartID,
      ...(item.itemID.supplierPartAuxiliaryID !== undefined ? { auxID: item.itemID.supplierPartAuxiliaryID } : {}),
      description: descriptionText(item),
      quantity: formatDecimal(item.quantity),
      unit: d.unitOfMeasure,
      unitPrice: formatDecimal(d.unitPrice.amount),
      ...(pbq
        ? { priceNote: `per ${formatDecimal(pbq.quantity)} ${pbq.unitOfMeasure} (PriceBasisQuantity, conversion factor ${formatDecimal(pbq.conversionFactor)})` }
        : {}),
      lineTotal: formatMoney(amount, currency),
      currency,
      ...(classification ? { classification: `${classification.domain} ${classification.code}` } : {}),
    };
  });
  const { total, currency } = totalOf(lines, amounts, warnings);
  if (total !== null && currency !== null) {
    const stated = poom.total;
    if (stated.currency !== currency) {
      warnings.push(`The cart's Total is in ${stated.currency}, its lines in ${currency}.`);
    } else if (!roundMoney(stated.amount, currency).eq(new Decimal(total))) {
      warnings.push(`The cart's Total says ${stated.raw} ${stated.currency}, but its lines add up to ${total} ${currency}.`);
    }
  }
  return { lines, total, currency, warnings };
}

/** The part number an order carries for an OCI line: VENDORMAT, else EXT_PRODUCT_ID. */
export function ociPartIds(line: OciReadLine): { supplierPartID: string | undefined; auxID: string | undefined } {
  const supplierPartID = line.vendorMat ?? line.extProductId;
  const auxID = line.extProductId !== undefined && line.extProductId !== supplierPartID ? line.extProductId : undefined;
  return { supplierPartID, auxID };
}

/** The UNSPSC code of an OCI line, when its category schema says UNSPSC. */
export function ociUnspsc(line: OciReadLine): string | undefined {
  return line.extSchemaType !== undefined && /unspsc/i.test(line.extSchemaType) ? line.extCategoryId : undefined;
}

/** The cart of an OCI form. Lines missing what an order needs are shown, with a warning each. */
export function cartFromOciLines(ociLines: readonly OciReadLine[]): NormalisedCart {
  const warnings: string[] = [];
  const amounts: Decimal[] = [];
  const lines = ociLines.map((l, i): SandboxCartLine => {
    const n = i + 1;
    const missing = (['QUANTITY', 'PRICE', 'CURRENCY', 'UNIT'] as const).filter(
      (f) => ({ QUANTITY: l.quantity, PRICE: l.price, CURRENCY: l.currency, UNIT: l.unit })[f] === undefined,
    );
    if (missing.length > 0) warnings.push(`Line ${n}: no ${missing.join(', ')}.`);
    if (l.description === undefined && l.matnr === undefined) warnings.push(`Line ${n}: neither DESCRIPTION nor MATNR (SAP drops such a line).`);
    const { supplierPartID, auxID } = ociPartIds(l);
    if (supplierPartID === undefined) warnings.push(`Line ${n}: neither VENDORMAT nor EXT_PRODUCT_ID; an order can only carry it as an ad-hoc line.`);
    const currency = l.currency ?? '';
    let unitPrice = '';
    let lineTotal = '';
    if (l.price !== undefined) {
      const unit = ociUnitPrice(l.price, l.priceUnit);
      unitPrice = formatDecimal(unit.value);
      if (unit.rounded) warnings.push(`Line ${n}: PRICE / PRICEUNIT does not end within ${MAX_UNIT_PRICE_DECIMALS} decimals; the unit price is rounded.`);
      if (l.quantity !== undefined) {
        const raw = ociLineAmount(l.quantity, l.price, l.priceUnit);
        const amount = currency === '' ? raw : roundMoney(raw, currency);
        amounts.push(amount);
        lineTotal = currency === '' ? formatDecimal(amount) : formatMoney(amount, currency);
      }
    }
    const unspsc = ociUnspsc(l);
    return {
      line: n,
      supplierPartID: supplierPartID ?? '',
      ...(auxID !== undefined ? { auxID } : {}),
      description: l.description ?? l.matnr ?? '',
      quantity: l.quantity !== undefined ? formatDecimal(l.quantity) : '',
      unit: l.unit ?? '',
      unitPrice,
      ...(l.price !== undefined && !l.priceUnit.eq(1)
        ? { priceNote: `PRICE ${formatDecimal(l.price)} per ${formatDecimal(l.priceUnit)} (PRICEUNIT)` }
        : {}),
      lineTotal,
      currency,
      ...(unspsc !== undefined ? { classification: `UNSPSC ${unspsc}` } : {}),
    };
  });
  const { total, currency } = totalOf(lines, amounts, warnings);
  // A line without an amount makes the total meaningless.
  if (total !== null && amounts.length !== lines.length) {
    return { lines, total: null, currency, warnings };
  }
  return { lines, total, currency, warnings };
}
