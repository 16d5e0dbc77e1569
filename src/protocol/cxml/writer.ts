/**
 * The cXML writer: builds the documents Koppel sends (and the buyer sandbox sends) as element
 * trees in DTD order and serializes them with the cXML.dtd DOCTYPE of the configured version.
 * Pure: payloadID and clock come in through the WriteContext.
 */
import type { Header } from './model.js';
import { el, serializeDocument, type XmlElement } from './write-tree.js';
import {
  CxmlWriteError,
  DEFAULT_CXML_VERSION,
  DEFAULT_LANG,
  address,
  assertCxmlVersion,
  commentsList,
  contact,
  cxmlSystemId,
  dateValue,
  extrinsic,
  formatCxmlTimestamp,
  header as headerElement,
  itemID,
  itemIn,
  itemOut,
  money,
  nonEmpty,
  oneOf,
  requireFeature,
  shipping,
  status,
  tax,
  token,
  uint,
  type WriteEnv,
} from './write-parts.js';
import { toAsciiCharRefs } from './xml-text.js';
import type {
  OrderRequestInput,
  ProfileResponseInput,
  PunchOutOrderMessageInput,
  PunchOutSetupRequestInput,
  PunchOutSetupResponseInput,
  StatusInput,
} from './write-types.js';

export type * from './write-types.js';
export {
  CxmlWriteError,
  DEFAULT_CXML_VERSION,
  SINCE,
  compareCxmlVersions,
  cxmlSystemId,
  formatCxmlTimestamp,
  supports,
  type WriterFeature,
} from './write-parts.js';

export interface WriteContext {
  /** Unique per document and kept across retries; make it with `newPayloadId()`. */
  readonly payloadID: string;
  /** The document's creation time (injected clock). */
  readonly timestamp: Date;
  /** Zone offset for every timestamp written, in minutes east of UTC; default 0 → `+00:00`. */
  readonly offsetMinutes?: number;
  /** cXML DTD version for the DOCTYPE (per buyer), default `1.2.071`. */
  readonly version?: string;
  /** `xml:lang` of the document and of free-text elements without their own; default `en-US`. */
  readonly lang?: string;
}

interface Resolved extends WriteEnv {
  readonly payloadID: string;
  readonly timestamp: string;
}

function resolve(ctx: WriteContext): Resolved {
  const version = ctx.version ?? DEFAULT_CXML_VERSION;
  assertCxmlVersion(version);
  const env: WriteEnv = {
    version,
    lang: token(ctx.lang ?? DEFAULT_LANG, 'document language'),
    offsetMinutes: ctx.offsetMinutes ?? 0,
  };
  return {
    ...env,
    payloadID: nonEmpty(ctx.payloadID, 'payloadID'),
    timestamp: formatCxmlTimestamp(ctx.timestamp, env.offsetMinutes),
  };
}

function documentOf(r: Resolved, ...body: XmlElement[]): string {
  const root = el('cXML', { payloadID: r.payloadID, timestamp: r.timestamp, 'xml:lang': r.lang }, body);
  return serializeDocument(root, cxmlSystemId(r.version, 'cXML.dtd'));
}

function deploymentMode(mode: string | undefined): string | undefined {
  return mode === undefined ? undefined : oneOf(mode, ['production', 'test'], 'deploymentMode');
}

// ---- responses (no Header) ------------------------------------------------------------------

/** A bare `Response/Status`: the answer to an OrderRequest, or any error answer. */
export function writeStatusResponse(ctx: WriteContext, s: StatusInput): string {
  const r = resolve(ctx);
  return documentOf(r, el('Response', null, status(s, r)));
}

/** `ProfileResponse` with Status 200, listing the requests Koppel accepts and their URLs. */
export function writeProfileResponse(ctx: WriteContext, input: ProfileResponseInput): string {
  const r = resolve(ctx);
  if (input.transactions.length === 0) throw new CxmlWriteError('ProfileResponse needs at least one Transaction');
  const option = (o: { name: string; value: string }) => el('Option', { name: nonEmpty(o.name, 'Option name') }, o.value);
  const body = el(
    'ProfileResponse',
    {
      effectiveDate: dateValue(input.effectiveDate, r, 'effectiveDate'),
      lastRefresh: input.lastRefresh !== undefined ? dateValue(input.lastRefresh, r, 'lastRefresh') : undefined,
    },
    (input.options ?? []).map(option),
    input.transactions.map((t) =>
      el(
        'Transaction',
        { requestName: token(t.requestName, 'Transaction requestName') },
        el('URL', null, nonEmpty(t.url, `Transaction ${t.requestName} URL`)),
        (t.options ?? []).map(option),
      ),
    ),
  );
  return documentOf(r, el('Response', null, status({ code: 200 }, r), body));
}

/** `PunchOutSetupResponse` with Status 200 and the one-time StartPage URL. */
export function writePunchOutSetupResponse(ctx: WriteContext, input: PunchOutSetupResponseInput): string {
  const r = resolve(ctx);
  const body = el('PunchOutSetupResponse', null, el('StartPage', null, el('URL', null, nonEmpty(input.startPageUrl, 'StartPage URL'))));
  return documentOf(r, el('Response', null, status({ code: 200 }, r), body));
}

// ---- PunchOutOrderMessage -------------------------------------------------------------------

/**
 * The cart (POOM). It travels through the user's browser, so a SharedSecret anywhere in the
 * Header is refused rather than written.
 */
export function writePunchOutOrderMessage(ctx: WriteContext, hdr: Header, m: PunchOutOrderMessageInput): string {
  const r = resolve(ctx);
  const parties = [hdr.from, hdr.to, hdr.sender];
  if (parties.some((p) => p.credentials.some((c) => c.sharedSecret !== undefined))) {
    throw new CxmlWriteError('a PunchOutOrderMessage must not carry a SharedSecret: it is posted through the browser');
  }
  const poomHeader = el(
    'PunchOutOrderMessageHeader',
    {
      operationAllowed: oneOf(m.operationAllowed, ['create', 'inspect', 'edit'], 'operationAllowed'),
      quoteStatus: m.quoteStatus ? oneOf(m.quoteStatus, ['final', 'pending'], 'quoteStatus') : undefined,
    },
    el('Total', null, money(m.total, 'Total')),
    m.shipTo && el('ShipTo', null, address(m.shipTo, r, 'ShipTo')),
    m.shipping && shipping(m.shipping, r, 'header'),
    m.tax && tax(m.tax, r, 'header'),
    m.supplierOrderId ? el('SupplierOrderInfo', { orderID: m.supplierOrderId }) : undefined,
  );
  const message = el(
    'Message',
    { deploymentMode: deploymentMode(m.deploymentMode), inReplyTo: m.inReplyTo },
    m.status && status(m.status, r),
    el(
      'PunchOutOrderMessage',
      null,
      el('BuyerCookie', null, m.buyerCookie),
      poomHeader,
      m.items.map((item, i) => itemIn(item, r, `ItemIn ${i + 1}`)),
    ),
  );
  return documentOf(r, headerElement(hdr), message);
}

// ---- buyer-side requests (sandbox) ----------------------------------------------------------

export function writePunchOutSetupRequest(ctx: WriteContext, hdr: Header, req: PunchOutSetupRequestInput): string {
  const r = resolve(ctx);
  const body = el(
    'PunchOutSetupRequest',
    { operation: oneOf(req.operation, ['create', 'edit', 'inspect', 'source'], 'operation') },
    el('BuyerCookie', null, req.buyerCookie),
    (req.extrinsics ?? []).map(extrinsic),
    req.browserFormPostUrl ? el('BrowserFormPost', null, el('URL', null, req.browserFormPostUrl)) : undefined,
    (req.contacts ?? []).map((c, i) => contact(c, r, `Contact ${i + 1}`)),
    req.supplierSetupUrl ? el('SupplierSetup', null, el('URL', null, req.supplierSetupUrl)) : undefined,
    req.shipTo && el('ShipTo', null, address(req.shipTo, r, 'ShipTo')),
    req.selectedItem && el('SelectedItem', null, itemID(req.selectedItem, r, 'SelectedItem')),
    (req.itemOut ?? []).map((item, i) => itemOut(item, r, `ItemOut ${i + 1}`)),
  );
  return documentOf(r, headerElement(hdr), el('Request', { deploymentMode: deploymentMode(req.deploymentMode) }, body));
}

const ORDER_TYPES_1_2_014 = ['regular', 'release'] as const;

function orderType(value: string, r: WriteEnv): string {
  if (value === 'blanket') requireFeature(r, 'orderTypeBlanket', 'orderType "blanket"');
  else if (value === 'stockTransport' || value === 'stockTransportRelease') {
    requireFeature(r, 'orderTypeStockTransport', `orderType "${value}"`);
  } else oneOf(value, ORDER_TYPES_1_2_014, 'orderType');
  return value;
}

export function writeOrderRequest(ctx: WriteContext, hdr: Header, order: OrderRequestInput): string {
  const r = resolve(ctx);
  const h = order.header;
  if (!h.billTo) throw new CxmlWriteError('OrderRequestHeader needs a BillTo address (required by the DTD)');
  if (order.items.length === 0) throw new CxmlWriteError('OrderRequest needs at least one ItemOut');
  if (h.requestedDeliveryDate !== undefined) requireFeature(r, 'orderRequestedDeliveryDate', 'OrderRequestHeader requestedDeliveryDate');
  const p = h.payment;
  const orderHeader = el(
    'OrderRequestHeader',
    {
      orderID: nonEmpty(h.orderID, 'orderID'),
      orderDate: dateValue(h.orderDate, r, 'orderDate'),
      orderType: h.orderType ? orderType(h.orderType, r) : undefined,
      type: h.type ? oneOf(h.type, ['new', 'update', 'delete'], 'type') : undefined,
      orderVersion: h.orderVersion !== undefined ? uint(h.orderVersion, 'orderVersion') : undefined,
      requisitionID: h.requisitionID,
      requestedDeliveryDate: h.requestedDeliveryDate !== undefined ? dateValue(h.requestedDeliveryDate, r, 'requestedDeliveryDate') : undefined,
    },
    el('Total', null, money(h.total, 'Total')),
    h.shipTo && el('ShipTo', null, address(h.shipTo, r, 'ShipTo')),
    el('BillTo', null, address(h.billTo, r, 'BillTo')),
    h.shipping && shipping(h.shipping, r, 'header'),
    h.tax && tax(h.tax, r, 'header'),
    p &&
      el(
        'Payment',
        null,
        el('PCard', {
          number: nonEmpty('number' in p ? p.number : p.maskedNumber, 'PCard number'),
          expiration: nonEmpty(p.expiration, 'PCard expiration'),
          name: p.name,
        }),
      ),
    h.paymentTermDays !== undefined ? el('PaymentTerm', { payInNumberOfDays: uint(h.paymentTermDays, 'paymentTermDays') }) : undefined,
    (h.contacts ?? []).map((c, i) => contact(c, r, `Contact ${i + 1}`)),
    commentsList(h.comments ?? [], r, 'OrderRequestHeader'),
    h.documentReference ? el('DocumentReference', { payloadID: h.documentReference }) : undefined,
    h.supplierOrderId ? el('SupplierOrderInfo', { orderID: h.supplierOrderId }) : undefined,
    (h.extrinsics ?? []).map(extrinsic),
  );
  const body = el(
    'OrderRequest',
    null,
    orderHeader,
    order.items.map((item, i) => itemOut(item, r, `ItemOut ${i + 1}`)),
  );
  return documentOf(r, headerElement(hdr), el('Request', { deploymentMode: deploymentMode(order.deploymentMode) }, body));
}

// ---- cart transport -------------------------------------------------------------------------

/** Value of a `cXML-base64` form field: base64 of the document's UTF-8 bytes. */
export function toBase64Field(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}

/**
 * Value of a `cXML-urlencoded` form field: the document with every non-ASCII character as a
 * numeric character reference, so the receiver's US-ASCII assumption holds. It is neither
 * URL-encoded (the browser does that) nor HTML-escaped (the page renderer does that).
 */
export function toUrlencodedFieldValue(xml: string): string {
  return toAsciiCharRefs(xml);
}
