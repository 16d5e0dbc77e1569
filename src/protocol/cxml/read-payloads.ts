/**
 * Readers for the payloads Koppel models: ProfileRequest/Response, PunchOutSetupRequest/Response,
 * PunchOutOrderMessage and OrderRequest.
 */
import type {
  OperationAllowed,
  OrderRequest,
  OrderRequestHeader,
  OrderRequestType,
  PCard,
  ProfileResponse,
  ProfileTransaction,
  PunchOutOperation,
  PunchOutOrderMessage,
  PunchOutSetupRequest,
  PunchOutSetupResponse,
  Status,
} from './model.js';
import { fail, show, type Node } from './read-context.js';
import {
  clean,
  readAddressWrapper,
  readComments,
  readContact,
  readExtrinsics,
  readShipping,
  readTax,
  wrappedMoney,
} from './read-common.js';
import { readItemID, readItemIn, readItemOut } from './read-items.js';

const OPERATIONS: readonly PunchOutOperation[] = ['create', 'edit', 'inspect', 'source'];
const OPERATIONS_ALLOWED: readonly OperationAllowed[] = ['create', 'inspect', 'edit'];
const QUOTE_STATUSES = ['final', 'pending'] as const;
const ORDER_TYPES: readonly OrderRequestType[] = ['new', 'update', 'delete'];

/** An enumerated attribute: undefined when absent, 400 naming the value when it is not one of `allowed`. */
export function enumAttr<T extends string>(node: Node, name: string, allowed: readonly T[]): T | undefined {
  const value = node.rawAttr(name)?.trim();
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    fail(400, `${node.path}@${name}`, `unknown ${name} ${show(value)} (expected ${allowed.join(', ')})`);
  }
  return value as T;
}

/** BuyerCookie is echoed byte for byte, so it is never trimmed; an empty one is allowed but odd. */
function readBuyerCookie(parent: Node): string {
  const node = parent.requiredChild('BuyerCookie');
  const cookie = node.text();
  if (cookie.trim() === '') node.ctx.warn(node.path, 'BuyerCookie is empty');
  return cookie;
}

function childUrl(parent: Node, wrapper: string): string | undefined {
  return parent.child(wrapper)?.childText('URL');
}

export function readPunchOutSetupRequest(node: Node): PunchOutSetupRequest {
  let operation = enumAttr(node, 'operation', OPERATIONS);
  if (operation === undefined) {
    // Only an absent attribute means create; a blank or unknown one was refused above.
    node.ctx.warn(`${node.path}@operation`, 'operation is missing; create assumed', 406);
    operation = 'create';
  }
  const shipTo = node.child('ShipTo');
  const selected = node.child('SelectedItem');
  return clean<PunchOutSetupRequest>({
    kind: 'PunchOutSetupRequest',
    operation,
    buyerCookie: readBuyerCookie(node),
    extrinsics: readExtrinsics(node),
    browserFormPostUrl: childUrl(node, 'BrowserFormPost'),
    contacts: node.all('Contact').map(readContact),
    supplierSetupUrl: childUrl(node, 'SupplierSetup'),
    shipTo: shipTo && readAddressWrapper(shipTo),
    selectedItem: selected && readItemID(selected.requiredChild('ItemID')),
    itemOut: node.all('ItemOut').map(readItemOut),
  });
}

export function readPunchOutSetupResponse(node: Node, status: Status): PunchOutSetupResponse {
  const url = childUrl(node, 'StartPage');
  if (url === undefined) node.ctx.warn(`${node.path}/StartPage`, 'StartPage/URL is missing', 406);
  return clean<PunchOutSetupResponse>({ kind: 'PunchOutSetupResponse', status, startPageUrl: url });
}

function readOptions(node: Node): { name: string; value: string }[] {
  return node.all('Option').map((o) => ({ name: o.expectedAttr('name'), value: o.text().trim() }));
}

export function readProfileResponse(node: Node, status: Status): ProfileResponse {
  const { ctx, path } = node;
  const effective = node.rawAttr('effectiveDate');
  if (effective === undefined) ctx.warn(`${path}@effectiveDate`, 'effectiveDate is required by the DTD', 406);
  const transactions: ProfileTransaction[] = [];
  for (const t of node.all('Transaction')) {
    const url = t.childText('URL');
    if (url === undefined) {
      ctx.warn(`${t.path}/URL`, 'Transaction without URL ignored', 406);
      continue;
    }
    transactions.push({ requestName: t.expectedAttr('requestName'), url, options: readOptions(t) });
  }
  return {
    kind: 'ProfileResponse',
    status,
    effectiveDate: effective === undefined ? { raw: '' } : ctx.timestamp(effective, `${path}@effectiveDate`),
    options: readOptions(node),
    transactions,
  };
}

export function readPunchOutOrderMessage(node: Node, status: Status | undefined): PunchOutOrderMessage {
  const header = node.requiredChild('PunchOutOrderMessageHeader');
  const operationAllowed = enumAttr(header, 'operationAllowed', OPERATIONS_ALLOWED);
  if (operationAllowed === undefined) fail(406, header.path, 'attribute operationAllowed is required');
  const shipTo = header.child('ShipTo');
  const shipping = header.child('Shipping');
  const tax = header.child('Tax');
  return clean<PunchOutOrderMessage>({
    kind: 'PunchOutOrderMessage',
    status,
    buyerCookie: readBuyerCookie(node),
    operationAllowed,
    quoteStatus: enumAttr(header, 'quoteStatus', QUOTE_STATUSES),
    total: wrappedMoney(header.requiredChild('Total')),
    shipTo: shipTo && readAddressWrapper(shipTo),
    shipping: shipping && readShipping(shipping),
    tax: tax && readTax(tax),
    supplierOrderId: header.child('SupplierOrderInfo')?.attr('orderID'),
    items: node.all('ItemIn').map(readItemIn),
  });
}

/** Card numbers never leave the reader: only the last four digits survive. */
export function maskCardNumber(number: string): string {
  const digits = number.replace(/\D/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return '*'.repeat(digits.length - 4) + digits.slice(-4);
}

function readPCard(payment: Node): PCard | undefined {
  const card = payment.child('PCard');
  if (card === undefined) return undefined;
  const number = card.rawAttr('number');
  if (number === undefined || number.trim() === '') {
    card.ctx.warn(`${card.path}@number`, 'PCard without a number ignored', 406);
    return undefined;
  }
  return clean<PCard>({
    maskedNumber: maskCardNumber(number),
    expiration: card.expectedAttr('expiration'),
    name: card.attr('name'),
  });
}

function readOrderRequestHeader(node: Node): OrderRequestHeader {
  const { ctx, path } = node;
  const orderID = node.requiredAttr('orderID');
  if (orderID === '') fail(400, `${path}@orderID`, 'orderID is empty');
  const version = node.attr('orderVersion');
  const requested = node.attr('requestedDeliveryDate');
  const shipTo = node.child('ShipTo');
  const billTo = node.child('BillTo');
  if (billTo === undefined) ctx.warn(`${path}/BillTo`, 'BillTo is required by the DTD; none given', 406);
  const shipping = node.child('Shipping');
  const tax = node.child('Tax');
  const payment = node.child('Payment');
  const term = node.child('PaymentTerm');
  const days = term?.requiredAttr('payInNumberOfDays');
  return clean<OrderRequestHeader>({
    orderID,
    orderDate: ctx.timestamp(node.requiredAttr('orderDate'), `${path}@orderDate`),
    type: enumAttr(node, 'type', ORDER_TYPES) ?? 'new',
    orderVersion: version === undefined ? undefined : ctx.integer(version, `${path}@orderVersion`, 'orderVersion'),
    orderType: node.attr('orderType'),
    requisitionID: node.attr('requisitionID'),
    requestedDeliveryDate: requested === undefined ? undefined : ctx.timestamp(requested, `${path}@requestedDeliveryDate`),
    total: wrappedMoney(node.requiredChild('Total')),
    shipTo: shipTo && readAddressWrapper(shipTo),
    billTo: billTo && readAddressWrapper(billTo),
    shipping: shipping && readShipping(shipping),
    tax: tax && readTax(tax),
    payment: payment && readPCard(payment),
    paymentTermDays:
      term && days !== undefined ? ctx.integer(days, `${term.path}@payInNumberOfDays`, 'payInNumberOfDays') : undefined,
    contacts: node.all('Contact').map(readContact),
    comments: node.all('Comments').map(readComments),
    documentReference: node.child('DocumentReference')?.requiredAttr('payloadID'),
    supplierOrderId: node.child('SupplierOrderInfo')?.attr('orderID'),
    extrinsics: readExtrinsics(node),
  });
}

export function readOrderRequest(node: Node): OrderRequest {
  const header = readOrderRequestHeader(node.requiredChild('OrderRequestHeader'));
  const items = node.all('ItemOut');
  if (items.length === 0) fail(406, node.path, 'an OrderRequest needs at least one ItemOut');
  return { kind: 'OrderRequest', header, items: items.map(readItemOut) };
}
