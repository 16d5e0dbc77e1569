/**
 * Readers for the documents a supplier sends back after an order: ConfirmationRequest and
 * ShipNoticeRequest (Fulfill.dtd) and InvoiceDetailRequest (InvoiceDetail.dtd). Used by the buyer
 * sandbox, which receives them on its own endpoint.
 *
 * The same rules as the rest of the reader: tolerant of child order and of what real senders leave
 * out (empty Money in invoice summaries, an empty confirmID, notices without items), strict about
 * what carries meaning (enumerated types, line numbers, quantities, amounts that are not numbers).
 */
import type { Decimal } from 'decimal.js';
import type {
  CarrierIdentifier,
  Comments,
  ConfirmationHeaderType,
  ConfirmationItem,
  ConfirmationRequest,
  ConfirmationStatus,
  ConfirmationStatusType,
  InvoiceDetailRequest,
  InvoiceLine,
  InvoiceOrder,
  InvoicePurpose,
  InvoiceSummary,
  InvoiceTax,
  MoneyAmount,
  OrderReference,
  ShipmentIdentifier,
  ShipNoticeItem,
  ShipNoticePortion,
  ShipNoticeRequest,
  TaxDetail,
} from './model.js';
import { fail, type Node } from './read-context.js';
import { clean, readComments, readContact, readDescription, readExtrinsics } from './read-common.js';
import { readItemID } from './read-items.js';
import { enumAttr } from './read-payloads.js';

const CONFIRMATION_TYPES: readonly ConfirmationHeaderType[] = [
  'accept',
  'allDetail',
  'detail',
  'backordered',
  'except',
  'reject',
  'requestToPay',
  'replace',
];
const CONFIRMATION_STATUS_TYPES: readonly ConfirmationStatusType[] = [
  'accept',
  'allDetail',
  'detail',
  'backordered',
  'reject',
  'unknown',
  'requestToPay',
];
const INVOICE_PURPOSES: readonly InvoicePurpose[] = ['standard', 'creditMemo', 'debitMemo', 'lineLevelCreditMemo', 'lineLevelDebitMemo'];

// ---- shared pieces ------------------------------------------------------------------------------

function requiredEnum<T extends string>(node: Node, name: string, allowed: readonly T[]): T {
  const value = enumAttr(node, name, allowed);
  if (value === undefined) fail(406, node.path, `attribute ${name} is required`);
  return value;
}

function timestampAttr(node: Node, name: string) {
  const v = node.attr(name);
  return v === undefined ? undefined : node.ctx.timestamp(v, `${node.path}@${name}`);
}

function requiredTimestamp(node: Node, name: string) {
  const v = node.attr(name);
  if (v === undefined) fail(406, node.path, `attribute ${name} is required`);
  return node.ctx.timestamp(v, `${node.path}@${name}`);
}

/** A line number the document is about: required and a whole number ≥ 1 (417 later names it if unknown). */
function lineNumberAttr(node: Node, name: string): number {
  const raw = node.attr(name);
  if (raw === undefined) fail(406, node.path, `attribute ${name} is required`);
  const n = node.ctx.integer(raw, `${node.path}@${name}`, name);
  if (n < 1) fail(400, `${node.path}@${name}`, `${name} ${n} is not a line number (1 or more)`);
  return n;
}

function quantityAttr(node: Node): Decimal {
  return node.ctx.quantity(node.requiredAttr('quantity'), `${node.path}@quantity`);
}

/** Comments with some text or an attachment: `<Comments></Comments>` placeholders carry nothing. */
function commentsOf(parent: Node): Comments[] {
  return parent
    .all('Comments')
    .map(readComments)
    .filter((c) => c.text !== '' || c.attachmentUrls.length > 0);
}

function unitOf(parent: Node): string | undefined {
  return parent.childText('UnitOfMeasure');
}

/**
 * The Money inside a wrapper (`SubtotalAmount`, `NetAmount` …) when it states an amount. Real
 * invoices send `<Money currency="USD"/>`: that reads as "not stated" with a warning rather than
 * refusing the whole invoice; text that is not a number is still refused (400).
 */
function optionalMoney(wrapper: Node | undefined): MoneyAmount | undefined {
  if (wrapper === undefined) return undefined;
  const money = wrapper.child('Money');
  if (money === undefined) {
    wrapper.ctx.warn(`${wrapper.path}/Money`, 'Money is missing; the amount is read as not stated', 406);
    return undefined;
  }
  if (money.text().trim() === '') {
    wrapper.ctx.warn(money.path, 'Money is empty; the amount is read as not stated');
    return undefined;
  }
  return money.money();
}

export function readOrderReference(node: Node): OrderReference {
  const ref = node.child('DocumentReference');
  if (ref === undefined) node.ctx.warn(`${node.path}/DocumentReference`, 'DocumentReference is required by the DTD; none given', 406);
  return clean<OrderReference>({
    orderID: node.attr('orderID'),
    orderDate: timestampAttr(node, 'orderDate'),
    payloadID: ref?.attr('payloadID'),
  });
}

// ---- ConfirmationRequest ------------------------------------------------------------------------

function readConfirmationStatus(node: Node): ConfirmationStatus {
  const price = node.child('UnitPrice');
  return clean<ConfirmationStatus>({
    type: requiredEnum(node, 'type', CONFIRMATION_STATUS_TYPES),
    quantity: quantityAttr(node),
    unitOfMeasure: unitOf(node),
    shipmentDate: timestampAttr(node, 'shipmentDate'),
    deliveryDate: timestampAttr(node, 'deliveryDate'),
    unitPrice: price && optionalMoney(price),
    comments: commentsOf(node),
    extrinsics: readExtrinsics(node),
  });
}

function readConfirmationItem(node: Node): ConfirmationItem {
  const statuses = node.all('ConfirmationStatus');
  if (statuses.length === 0) node.ctx.warn(`${node.path}/ConfirmationStatus`, 'a ConfirmationItem needs at least one ConfirmationStatus', 406);
  return clean<ConfirmationItem>({
    lineNumber: lineNumberAttr(node, 'lineNumber'),
    quantity: quantityAttr(node),
    unitOfMeasure: unitOf(node),
    statuses: statuses.map(readConfirmationStatus),
  });
}

export function readConfirmationRequest(node: Node): ConfirmationRequest {
  const header = node.requiredChild('ConfirmationHeader');
  const operation = enumAttr(header, 'operation', ['new', 'update'] as const) ?? 'new';
  return clean<ConfirmationRequest>({
    kind: 'ConfirmationRequest',
    type: requiredEnum(header, 'type', CONFIRMATION_TYPES),
    operation,
    confirmID: header.attr('confirmID'),
    noticeDate: requiredTimestamp(header, 'noticeDate'),
    invoiceID: header.attr('invoiceID'),
    order: readOrderReference(node.requiredChild('OrderReference')),
    contacts: header.all('Contact').map(readContact),
    comments: commentsOf(header),
    extrinsics: readExtrinsics(header),
    items: node.all('ConfirmationItem').map(readConfirmationItem),
  });
}

// ---- ShipNoticeRequest --------------------------------------------------------------------------

function readShipNoticePortion(node: Node): ShipNoticePortion {
  const ref = node.child('OrderReference');
  if (ref === undefined) node.ctx.warn(`${node.path}/OrderReference`, 'a ShipNoticePortion without OrderReference names no order', 406);
  const items = node.all('ShipNoticeItem').map(
    (i): ShipNoticeItem =>
      clean<ShipNoticeItem>({ lineNumber: lineNumberAttr(i, 'lineNumber'), quantity: quantityAttr(i), unitOfMeasure: unitOf(i) }),
  );
  return clean<ShipNoticePortion>({ order: ref && readOrderReference(ref), items });
}

export function readShipNoticeRequest(node: Node): ShipNoticeRequest {
  const header = node.requiredChild('ShipNoticeHeader');
  const shipmentID = header.requiredAttr('shipmentID');
  if (shipmentID === '') fail(400, `${header.path}@shipmentID`, 'shipmentID is empty');
  const carriers: CarrierIdentifier[] = [];
  const identifiers: ShipmentIdentifier[] = [];
  for (const control of node.all('ShipControl')) {
    for (const c of control.all('CarrierIdentifier')) {
      const value = c.text().trim();
      if (value !== '') carriers.push({ domain: c.expectedAttr('domain'), value });
    }
    for (const s of control.all('ShipmentIdentifier')) {
      const value = s.text().trim();
      if (value !== '') identifiers.push(clean<ShipmentIdentifier>({ value, domain: s.attr('domain'), trackingURL: s.attr('trackingURL') }));
    }
  }
  const portions = node.all('ShipNoticePortion');
  if (portions.length === 0) fail(406, node.path, 'a ShipNoticeRequest needs at least one ShipNoticePortion');
  return clean<ShipNoticeRequest>({
    kind: 'ShipNoticeRequest',
    shipmentID,
    operation: enumAttr(header, 'operation', ['new', 'update', 'delete'] as const) ?? 'new',
    noticeDate: requiredTimestamp(header, 'noticeDate'),
    shipmentDate: timestampAttr(header, 'shipmentDate'),
    deliveryDate: timestampAttr(header, 'deliveryDate'),
    fulfillmentType: header.attr('fulfillmentType'),
    carriers,
    shipmentIdentifiers: identifiers,
    portions: portions.map(readShipNoticePortion),
    contacts: header.all('Contact').map(readContact),
    comments: commentsOf(header),
    extrinsics: readExtrinsics(header),
  });
}

// ---- InvoiceDetailRequest -----------------------------------------------------------------------

function readInvoiceTaxDetail(node: Node): TaxDetail | undefined {
  const taxAmount = optionalMoney(node.child('TaxAmount'));
  if (taxAmount === undefined) {
    node.ctx.warn(node.path, 'TaxDetail without a TaxAmount is ignored');
    return undefined;
  }
  const rate = node.attr('percentageRate');
  const description = node.child('Description');
  return clean<TaxDetail>({
    category: node.expectedAttr('category'),
    percentageRate: rate === undefined ? undefined : node.ctx.decimal(rate, `${node.path}@percentageRate`, 'percentageRate'),
    purpose: node.attr('purpose'),
    taxableAmount: optionalMoney(node.child('TaxableAmount')),
    taxAmount,
    description: description && (readDescription(description).text || undefined),
  });
}

function readInvoiceTax(node: Node): InvoiceTax {
  const description = node.child('Description');
  return clean<InvoiceTax>({
    money: optionalMoney(node),
    description: description ? readDescription(description).text : '',
    details: node
      .all('TaxDetail')
      .map(readInvoiceTaxDetail)
      .filter((d): d is TaxDetail => d !== undefined),
  });
}

function lineShipping(node: Node): MoneyAmount | undefined {
  const shipping = node.child('InvoiceDetailLineShipping');
  return shipping && optionalMoney(shipping);
}

function readInvoiceLine(node: Node): InvoiceLine {
  const ref = node.child('InvoiceDetailItemReference');
  if (ref === undefined) node.ctx.warn(`${node.path}/InvoiceDetailItemReference`, 'the invoice line names no order line', 406);
  const itemID = ref?.child('ItemID');
  const description = ref?.child('Description');
  const tax = node.child('Tax');
  const desc = description && readDescription(description);
  return clean<InvoiceLine>({
    invoiceLineNumber: lineNumberAttr(node, 'invoiceLineNumber'),
    quantity: quantityAttr(node),
    unitOfMeasure: unitOf(node),
    unitPrice: optionalMoney(node.child('UnitPrice')),
    orderLineNumber: ref && lineNumberAttr(ref, 'lineNumber'),
    itemID: itemID && readItemID(itemID),
    description: desc && (desc.text || desc.shortName || undefined),
    subtotal: optionalMoney(node.child('SubtotalAmount')),
    tax: tax && readInvoiceTax(tax),
    shipping: lineShipping(node),
  });
}

/** The order (or contract) an invoice block is about. */
function readOrderInfo(block: Node): Pick<InvoiceOrder, 'order' | 'masterAgreementPayloadID'> {
  const info = block.child('InvoiceDetailOrderInfo');
  if (info === undefined) {
    block.ctx.warn(`${block.path}/InvoiceDetailOrderInfo`, 'InvoiceDetailOrderInfo is required by the DTD; none given', 406);
    return {};
  }
  const ref = info.child('OrderReference');
  const idInfo = info.child('OrderIDInfo');
  const agreement = info.child('MasterAgreementReference');
  const order: OrderReference | undefined = ref
    ? readOrderReference(ref)
    : idInfo
      ? clean<OrderReference>({ orderID: idInfo.attr('orderID'), orderDate: timestampAttr(idInfo, 'orderDate') })
      : undefined;
  return clean({ order, masterAgreementPayloadID: agreement?.child('DocumentReference')?.attr('payloadID') });
}

function readInvoiceOrder(node: Node): InvoiceOrder {
  return { ...readOrderInfo(node), lines: [...node.all('InvoiceDetailItem').map(readInvoiceLine)] };
}

function readHeaderOrder(node: Node): InvoiceOrder {
  const summary = node.child('InvoiceDetailOrderSummary');
  const tax = summary?.child('Tax');
  return {
    ...readOrderInfo(node),
    lines: [],
    summary: clean({
      subtotal: optionalMoney(summary?.child('SubtotalAmount')),
      tax: tax && readInvoiceTax(tax),
      shipping: summary && lineShipping(summary),
    }),
  };
}

function readInvoiceSummary(node: Node): InvoiceSummary {
  const tax = node.child('Tax');
  return clean<InvoiceSummary>({
    subtotal: optionalMoney(node.child('SubtotalAmount')),
    tax: tax && readInvoiceTax(tax),
    specialHandling: optionalMoney(node.child('SpecialHandlingAmount')),
    shipping: optionalMoney(node.child('ShippingAmount')),
    gross: optionalMoney(node.child('GrossAmount')),
    discount: optionalMoney(node.child('InvoiceDetailDiscount')),
    net: optionalMoney(node.child('NetAmount')),
    due: optionalMoney(node.child('DueAmount')),
  });
}

export function readInvoiceDetailRequest(node: Node): InvoiceDetailRequest {
  const header = node.requiredChild('InvoiceDetailRequestHeader');
  const invoiceID = header.requiredAttr('invoiceID');
  if (invoiceID === '') fail(400, `${header.path}@invoiceID`, 'invoiceID is empty');
  const lineIndicator = header.child('InvoiceDetailLineIndicator');
  const term = header.child('PaymentTerm');
  const days = term?.attr('payInNumberOfDays');
  const comments = header.child('Comments');
  const orders = [...node.all('InvoiceDetailOrder').map(readInvoiceOrder), ...node.all('InvoiceDetailHeaderOrder').map(readHeaderOrder)];
  if (orders.length === 0) fail(406, node.path, 'an InvoiceDetailRequest needs an InvoiceDetailOrder or InvoiceDetailHeaderOrder');
  return clean<InvoiceDetailRequest>({
    kind: 'InvoiceDetailRequest',
    invoiceID,
    invoiceDate: requiredTimestamp(header, 'invoiceDate'),
    purpose: enumAttr(header, 'purpose', INVOICE_PURPOSES) ?? 'standard',
    operation: enumAttr(header, 'operation', ['new', 'delete'] as const) ?? 'new',
    isHeaderInvoice: header.child('InvoiceDetailHeaderIndicator')?.attr('isHeaderInvoice') === 'yes',
    isTaxInLine: lineIndicator?.attr('isTaxInLine') === 'yes',
    isShippingInLine: lineIndicator?.attr('isShippingInLine') === 'yes',
    paymentTermDays: term && days !== undefined ? header.ctx.integer(days, `${term.path}@payInNumberOfDays`, 'payInNumberOfDays') : undefined,
    originalInvoiceID: header.child('InvoiceIDInfo')?.attr('invoiceID'),
    orders,
    summary: readInvoiceSummary(node.requiredChild('InvoiceDetailSummary')),
    comments: comments && readComments(comments),
    extrinsics: readExtrinsics(header),
  });
}
