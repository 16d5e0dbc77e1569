/**
 * The purchase order the sandbox places for a returned cart: a cXML OrderRequest built from the
 * cart exactly as the supplier sent it. ItemID (SupplierPartID + SupplierPartAuxiliaryID) and, for
 * cXML carts, the whole ItemDetail go back unchanged — that is what a supplier matches on.
 */
import type { ItemIn } from '../protocol/cxml/model.js';
import type { ItemDetailInput, ItemOutInput, OrderRequestInput } from '../protocol/cxml/writer.js';
import type { OciReadLine } from '../protocol/oci/cart-form-reader.js';
import { Decimal, roundMoney, sum } from '../protocol/money.js';
import { DEMO_BILL_TO, DEMO_END_USER, DEMO_SHIP_TO, DEMO_USER } from './buyer.js';
import { lineAmount, ociLineAmount, ociPartIds, ociUnitPrice, ociUnspsc } from './cart.js';

/** The cart cannot become an order (a line lacks a price, currencies differ …). */
export class OrderBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrderBuildError';
  }
}

export const UNKNOWN_UNSPSC = 'unknown';
const LANG = 'en-US';

/**
 * ItemOut lines from a cXML cart: quantity, ItemID and ItemDetail as received; line numbers 1..n.
 * A line without any Classification gets `UNSPSC unknown`, because the DTD requires one.
 */
export function orderItemsFromCxml(items: readonly ItemIn[]): ItemOutInput[] {
  return items.map((item, i) => {
    const d = item.itemDetail;
    const itemDetail: ItemDetailInput =
      d.classifications.length > 0 ? d : { ...d, classifications: [{ domain: 'UNSPSC', code: UNKNOWN_UNSPSC }] };
    return { quantity: item.quantity, lineNumber: i + 1, itemID: item.itemID, itemDetail };
  });
}

/**
 * ItemOut lines from an OCI cart. SupplierPartID = VENDORMAT (else EXT_PRODUCT_ID); the aux ID is
 * EXT_PRODUCT_ID when it differs; unit price = PRICE / PRICEUNIT. A line without either part
 * number goes as an ad-hoc line with an empty SupplierPartID.
 *
 * @throws OrderBuildError when a line has no quantity, price or currency.
 */
export function orderItemsFromOci(lines: readonly OciReadLine[]): { items: ItemOutInput[]; warnings: string[] } {
  const warnings: string[] = [];
  const items = lines.map((l, i): ItemOutInput => {
    const n = i + 1;
    if (l.quantity === undefined) throw new OrderBuildError(`Line ${n} has no QUANTITY.`);
    if (l.price === undefined) throw new OrderBuildError(`Line ${n} has no PRICE.`);
    if (l.currency === undefined) throw new OrderBuildError(`Line ${n} has no CURRENCY.`);
    const { supplierPartID, auxID } = ociPartIds(l);
    if (supplierPartID === undefined) warnings.push(`Line ${n}: no VENDORMAT or EXT_PRODUCT_ID; sent as an ad-hoc line.`);
    const unitPrice = ociUnitPrice(l.price, l.priceUnit);
    if (unitPrice.rounded) warnings.push(`Line ${n}: unit price PRICE / PRICEUNIT rounded to ${unitPrice.value.toFixed()}.`);
    let unit = l.unit;
    if (unit === undefined) {
      warnings.push(`Line ${n}: no UNIT; sent as EA.`);
      unit = 'EA';
    }
    const text = l.description ?? l.matnr ?? l.longText ?? '';
    return {
      quantity: l.quantity,
      lineNumber: n,
      ...(supplierPartID === undefined ? { isAdHoc: true } : {}),
      itemID: { supplierPartID: supplierPartID ?? '', ...(auxID !== undefined ? { supplierPartAuxiliaryID: auxID } : {}) },
      itemDetail: {
        unitPrice: { amount: unitPrice.value, currency: l.currency },
        descriptions: [{ lang: LANG, text }],
        unitOfMeasure: unit,
        classifications: [{ domain: 'UNSPSC', code: ociUnspsc(l) ?? UNKNOWN_UNSPSC }],
        ...(l.manufactMat !== undefined ? { manufacturerPartID: l.manufactMat } : {}),
        ...(l.leadTimeDays !== undefined ? { leadTime: l.leadTimeDays } : {}),
      },
    };
  });
  return { items, warnings };
}

/**
 * The order total: the sum of the line amounts, each rounded to the currency's minor units (the
 * same rule as the cart page). For OCI lines the amount is computed from PRICE and PRICEUNIT,
 * not from the (possibly rounded) unit price.
 *
 * @throws OrderBuildError for an empty order or mixed currencies.
 */
export function orderTotal(items: readonly ItemOutInput[], ociLines?: readonly OciReadLine[]): { amount: Decimal; currency: string } {
  if (items.length === 0) throw new OrderBuildError('The cart is empty: there is nothing to order.');
  const currencies = [...new Set(items.map((it) => it.itemDetail?.unitPrice.currency ?? ''))];
  if (currencies.length > 1 || currencies[0] === '') {
    throw new OrderBuildError(`The lines use different currencies (${currencies.join(', ')}); one order needs one currency.`);
  }
  const currency = currencies[0]!;
  const amounts = items.map((it, i) => {
    const oci = ociLines?.[i];
    const raw =
      oci?.quantity !== undefined && oci.price !== undefined
        ? ociLineAmount(oci.quantity, oci.price, oci.priceUnit)
        : lineAmount(it.quantity, it.itemDetail!.unitPrice.amount, it.itemDetail!.priceBasisQuantity);
    return roundMoney(raw, currency);
  });
  return { amount: sum(amounts), currency };
}

/**
 * The whole OrderRequest: type new, the demo buyer's BillTo and ShipTo, the end user as contact.
 *
 * @example buildOrderRequest({ orderID: 'SBX-20260131-1', orderDate: now, items })
 */
export function buildOrderRequest(input: {
  orderID: string;
  orderDate: Date;
  items: readonly ItemOutInput[];
  ociLines?: readonly OciReadLine[];
}): OrderRequestInput {
  const total = orderTotal(input.items, input.ociLines);
  return {
    header: {
      orderID: input.orderID,
      orderDate: input.orderDate,
      type: 'new',
      total,
      shipTo: DEMO_SHIP_TO,
      billTo: DEMO_BILL_TO,
      contacts: [DEMO_END_USER],
      comments: [{ lang: LANG, text: 'Test order placed from the Koppel buyer sandbox.' }],
      extrinsics: [
        { name: 'UserEmail', value: DEMO_USER.email },
        { name: 'CostCenter', value: DEMO_USER.costCenter },
      ],
    },
    items: input.items,
  };
}

/** `SBX-20260131-7`: the sandbox's PO numbers, dated in UTC. */
export function sandboxOrderId(now: Date, n: number): string {
  const d = now.toISOString().slice(0, 10).replace(/-/g, '');
  return `SBX-${d}-${n}`;
}
