/**
 * Supplier → buyer documents of the Fulfill family: `ConfirmationRequest` (order confirmation)
 * and `ShipNoticeRequest` (advance ship notice), written in DTD order under a
 * `Fulfill.dtd` DOCTYPE of the version configured for the buyer.
 *
 * Pure: payloadID, timestamp and zone come in through the WriteContext; nothing here reads a
 * clock. What the DTD or its comments forbid (a reject with lines, statuses that do not add up
 * to the ordered quantity, a line twice) is refused with CxmlWriteError; the checks that need
 * the order or today's date live in fulfil-rules.ts and return a list instead.
 *
 * Version gates: the Fulfill.dtd files at hand start at 1.2.063, so only what the common modules
 * of older DTDs prove absent is gated (ShipmentIdentifier attributes, repeated Comments); the
 * elements and attributes used otherwise are the core ones of both documents.
 */
import { Decimal } from 'decimal.js';
import { formatDecimal } from '../money.js';
import type { Extrinsic, Header } from './model.js';
import { el, serializeDocument, type XmlElement } from './write-tree.js';
import {
  CxmlWriteError,
  DEFAULT_CXML_VERSION,
  DEFAULT_LANG,
  assertCxmlVersion,
  commentsList,
  compareCxmlVersions,
  contact,
  cxmlSystemId,
  dateValue,
  extrinsic,
  formatCxmlTimestamp,
  header as headerElement,
  money,
  nonEmpty,
  oneOf,
  token,
  uint,
  type WriteEnv,
} from './write-parts.js';
import type { CommentsInput, ContactInput, DateInput, MoneyInput } from './write-types.js';
import type { WriteContext } from './writer.js';
import { confirmationShapeProblems, shipNoticeShapeProblems, type OrderedLine, type RuleProblem } from './fulfil-rules.js';

// ---- document frame (shared with invoice.ts) --------------------------------------------------

/** DTD files of the supplier → buyer document families. */
export type DocumentFamilyFile = 'Fulfill.dtd' | 'InvoiceDetail.dtd';

/** A resolved WriteContext: what every element builder and the envelope need. */
export interface DocumentEnv extends WriteEnv {
  readonly payloadID: string;
  readonly timestamp: string;
}

/** Checks and fills in the WriteContext the same way writer.ts does for cXML.dtd documents. */
export function resolveDocumentEnv(ctx: WriteContext): DocumentEnv {
  const version = ctx.version ?? DEFAULT_CXML_VERSION;
  assertCxmlVersion(version);
  const offsetMinutes = ctx.offsetMinutes ?? 0;
  return {
    version,
    lang: token(ctx.lang ?? DEFAULT_LANG, 'document language'),
    offsetMinutes,
    payloadID: nonEmpty(ctx.payloadID, 'payloadID'),
    timestamp: formatCxmlTimestamp(ctx.timestamp, offsetMinutes),
  };
}

/**
 * A complete request document: envelope (payloadID, timestamp, xml:lang always present),
 * Header and `Request`, with the DOCTYPE of the family at the configured version — the
 * `Request` element of each family declares only that family's requests.
 */
export function requestDocument(
  env: DocumentEnv,
  file: DocumentFamilyFile,
  hdr: Header,
  deploymentMode: 'production' | 'test' | undefined,
  body: XmlElement,
): string {
  const mode = deploymentMode === undefined ? undefined : oneOf(deploymentMode, ['production', 'test'], 'deploymentMode');
  const root = el(
    'cXML',
    { payloadID: env.payloadID, timestamp: env.timestamp, 'xml:lang': env.lang },
    headerElement(hdr),
    el('Request', { deploymentMode: mode }, body),
  );
  return serializeDocument(root, cxmlSystemId(env.version, file));
}

/**
 * First version that provably has each construct. 1.2.014 and 1.2.020 declare ShipmentIdentifier
 * without attributes; 1.2.037 has them; Fulfill.dtd itself is only at hand from 1.2.063.
 */
export const FULFIL_SINCE = {
  shipmentIdentifierAttributes: '1.2.037',
  shipNoticeFulfillmentType: '1.2.063',
} as const;

function requireSince(env: WriteEnv, since: string, what: string): void {
  if (compareCxmlVersions(env.version, since) < 0) {
    throw new CxmlWriteError(
      `${what} cannot be written for cXML ${env.version}: the element/attribute is not in that DTD ` +
        `(first found in ${since}); leave it out or normalise the data for this buyer`,
    );
  }
}

function throwProblems(document: string, problems: readonly RuleProblem[]): void {
  if (problems.length > 0) throw new CxmlWriteError(`${document}: ${problems.map((p) => p.message).join('; ')}`);
}

/** A quantity attribute (`%r8;`): finite and > 0, machine-formatted. */
export function positiveQuantity(value: Decimal, what: string): string {
  if (!value.isFinite() || !value.isPositive() || value.isZero()) throw new CxmlWriteError(`${what} must be a number > 0`);
  return formatDecimal(value);
}

// ---- inputs -----------------------------------------------------------------------------------

/** The purchase order a document refers to, as stored when the OrderRequest arrived. */
export interface OrderReferenceInput {
  /** `OrderRequestHeader@orderID`. */
  readonly orderID: string;
  /** `OrderRequestHeader@orderDate` (a stored CxmlTimestamp keeps a date-only value as sent). */
  readonly orderDate: DateInput;
  /** payloadID of the OrderRequest document (`DocumentReference@payloadID`). */
  readonly payloadID: string;
}

/**
 * Status of a portion of an order line:
 * - `accept`: as ordered;
 * - `detail`: accepted with a change — a new `unitPrice` and/or a `deliveryDate` is required;
 * - `backordered`: not available now; give the expected `deliveryDate`;
 * - `reject`: not delivered; give the reason in `comments`.
 */
export type ConfirmationStatusType = 'accept' | 'detail' | 'backordered' | 'reject';

export interface ConfirmationStatusInput {
  readonly type: ConfirmationStatusType;
  /** In the line's unit of measure; > 0. The statuses of a line add up to its ordered quantity. */
  readonly quantity: Decimal;
  readonly shipmentDate?: DateInput;
  readonly deliveryDate?: DateInput;
  /** Price change (type `detail`); the currency should be the order's. */
  readonly unitPrice?: MoneyInput;
  readonly comments?: readonly CommentsInput[];
  readonly extrinsics?: readonly Extrinsic[];
}

export interface ConfirmationItemInput {
  /** `ItemOut@lineNumber` of the order line. */
  readonly lineNumber: number;
  /** The ordered quantity of the line (copied from the ItemOut). */
  readonly quantity: Decimal;
  /** The ordered unit of measure; also written on every status. */
  readonly unitOfMeasure: string;
  /** At least one; quantities add up to `quantity`. */
  readonly statuses: readonly ConfirmationStatusInput[];
}

/**
 * Header types Koppel sends:
 * - `accept`: whole order as ordered; items optional, and then only `accept` statuses;
 * - `reject`: whole order rejected; no items, the reason in `comments` (required);
 * - `detail`: only the listed lines change status; at least one item.
 */
export type ConfirmationType = 'accept' | 'reject' | 'detail';

export interface ConfirmationInput {
  readonly type: ConfirmationType;
  /** Koppel's confirmation number (`confirmID`), stable across resends. */
  readonly confirmID: string;
  readonly noticeDate: DateInput;
  readonly order: OrderReferenceInput;
  /** Supplier's invoice number for the order, when already known. */
  readonly invoiceID?: string;
  /** E.g. roles `supplierCorporate`, `customerService`, `shipFrom`; each role at most once. */
  readonly contacts?: readonly ContactInput[];
  /** Required for `reject`. More than one needs 1.2.063 or newer. */
  readonly comments?: readonly CommentsInput[];
  readonly extrinsics?: readonly Extrinsic[];
  readonly items?: readonly ConfirmationItemInput[];
  readonly deploymentMode?: 'production' | 'test';
}

export interface CarrierInput {
  /** `CarrierIdentifier domain="companyName"`. */
  readonly companyName?: string;
  /** `CarrierIdentifier domain="SCAC"` (Standard Carrier Alpha Code). */
  readonly scac?: string;
}

export interface TrackingInput {
  /** `ShipmentIdentifier` text: the carrier's tracking number. */
  readonly number: string;
  /** `ShipmentIdentifier@trackingURL` (cXML 1.2.037 or newer). */
  readonly url?: string;
}

export interface ShipNoticeItemInput {
  /** `ItemOut@lineNumber` of the order line. */
  readonly lineNumber: number;
  /** Quantity in this shipment, > 0. */
  readonly quantity: Decimal;
  readonly unitOfMeasure: string;
}

export interface ShipNoticeInput {
  /** Koppel's shipment number, unique per supplier. */
  readonly shipmentID: string;
  readonly noticeDate: DateInput;
  /** When the shipment left (or leaves) the supplier. */
  readonly shipmentDate: DateInput;
  /** Expected arrival. */
  readonly deliveryDate?: DateInput;
  /** `partial` | `complete` for the order (cXML 1.2.063 or newer). */
  readonly fulfillmentType?: 'partial' | 'complete';
  /** At least one of companyName and scac. */
  readonly carrier: CarrierInput;
  readonly tracking: TrackingInput;
  readonly order: OrderReferenceInput;
  /**
   * At least one. Each order line at most once per notice; several notices for one order
   * (partial shipments) are the caller's, checked with `checkShipNotices`.
   */
  readonly items: readonly ShipNoticeItemInput[];
  /** E.g. roles `shipFrom`, `shipTo`. */
  readonly contacts?: readonly ContactInput[];
  readonly comments?: readonly CommentsInput[];
  readonly extrinsics?: readonly Extrinsic[];
  readonly deploymentMode?: 'production' | 'test';
}

// ---- shared elements --------------------------------------------------------------------------

/** `OrderReference@orderID @orderDate` with the DocumentReference of the OrderRequest. */
export function orderReference(o: OrderReferenceInput, env: WriteEnv): XmlElement {
  return el(
    'OrderReference',
    { orderID: nonEmpty(o.orderID, 'OrderReference orderID'), orderDate: dateValue(o.orderDate, env, 'OrderReference orderDate') },
    el('DocumentReference', { payloadID: nonEmpty(o.payloadID, 'OrderReference payloadID') }),
  );
}

// ---- ConfirmationRequest ----------------------------------------------------------------------

function confirmationStatus(s: ConfirmationStatusInput, uom: string, env: WriteEnv, what: string): XmlElement {
  return el(
    'ConfirmationStatus',
    {
      quantity: positiveQuantity(s.quantity, `${what} quantity`),
      type: oneOf(s.type, ['accept', 'detail', 'backordered', 'reject'], `${what} type`),
      shipmentDate: s.shipmentDate !== undefined ? dateValue(s.shipmentDate, env, `${what} shipmentDate`) : undefined,
      deliveryDate: s.deliveryDate !== undefined ? dateValue(s.deliveryDate, env, `${what} deliveryDate`) : undefined,
    },
    el('UnitOfMeasure', null, uom),
    s.unitPrice && el('UnitPrice', null, money(s.unitPrice, `${what} UnitPrice`)),
    commentsList(s.comments ?? [], env, what),
    (s.extrinsics ?? []).map(extrinsic),
  );
}

function confirmationItem(item: ConfirmationItemInput, env: WriteEnv): XmlElement {
  const what = `ConfirmationItem line ${item.lineNumber}`;
  const uom = nonEmpty(item.unitOfMeasure, `${what} UnitOfMeasure`);
  return el(
    'ConfirmationItem',
    { quantity: positiveQuantity(item.quantity, `${what} quantity`), lineNumber: uint(item.lineNumber, `${what} lineNumber`) },
    el('UnitOfMeasure', null, uom),
    item.statuses.map((s, i) => confirmationStatus(s, uom, env, `${what} status ${i + 1}`)),
  );
}

/**
 * `ConfirmationRequest` (Fulfill.dtd). Refuses shapes the DTD comments forbid; run
 * `checkConfirmation` first for the checks that need the order and today's date.
 *
 * @example
 * writeConfirmationRequest(ctx, header, {
 *   type: 'detail', confirmID: 'C-1', noticeDate: now, order,
 *   items: [confirmationLine(orderLine, { backordered: { quantity: dec(2), deliveryDate: '2026-12-20' } })],
 * });
 */
export function writeConfirmationRequest(ctx: WriteContext, hdr: Header, c: ConfirmationInput): string {
  const env = resolveDocumentEnv(ctx);
  throwProblems('ConfirmationRequest', confirmationShapeProblems(c));
  const confirmationHeader = el(
    'ConfirmationHeader',
    {
      confirmID: nonEmpty(c.confirmID, 'confirmID'),
      // Written although it is the DTD default: some receivers read the attribute literally.
      operation: 'new',
      type: oneOf(c.type, ['accept', 'reject', 'detail'], 'ConfirmationHeader type'),
      noticeDate: dateValue(c.noticeDate, env, 'noticeDate'),
      invoiceID: c.invoiceID,
    },
    (c.contacts ?? []).map((x, i) => contact(x, env, `ConfirmationHeader Contact ${i + 1}`)),
    commentsList(c.comments ?? [], env, 'ConfirmationHeader'),
    (c.extrinsics ?? []).map(extrinsic),
  );
  const body = el(
    'ConfirmationRequest',
    null,
    confirmationHeader,
    orderReference(c.order, env),
    (c.items ?? []).map((item) => confirmationItem(item, env)),
  );
  return requestDocument(env, 'Fulfill.dtd', hdr, c.deploymentMode, body);
}

/** How one order line is confirmed by `confirmationLine`. */
export interface ConfirmationSplit {
  /** Dates of the accepted portion. */
  readonly shipmentDate?: DateInput;
  readonly deliveryDate?: DateInput;
  /** New unit price: the accepted portion becomes a `detail` status carrying it. */
  readonly unitPrice?: MoneyInput;
  /** Portion that ships later. */
  readonly backordered?: { readonly quantity: Decimal; readonly deliveryDate: DateInput; readonly shipmentDate?: DateInput };
  /** Portion that will not be delivered, with the reason. */
  readonly rejected?: { readonly quantity: Decimal; readonly comments: readonly CommentsInput[] };
}

/**
 * Builds the ConfirmationItem of one order line: the accepted portion is whatever is neither
 * backordered nor rejected, so the statuses always add up to the ordered quantity exactly.
 * Zero portions are left out.
 *
 * @throws RangeError when backordered + rejected exceed the ordered quantity or a part is negative.
 */
export function confirmationLine(line: OrderedLine, split: ConfirmationSplit = {}): ConfirmationItemInput {
  const zero = new Decimal(0);
  const backordered = split.backordered?.quantity ?? zero;
  const rejected = split.rejected?.quantity ?? zero;
  if (!backordered.isFinite() || backordered.isNegative() || !rejected.isFinite() || rejected.isNegative()) {
    throw new RangeError(`line ${line.lineNumber}: backordered and rejected quantities must be ≥ 0`);
  }
  const accepted = line.quantity.minus(backordered).minus(rejected);
  if (accepted.isNegative() && !accepted.isZero()) {
    throw new RangeError(
      `line ${line.lineNumber}: backordered ${formatDecimal(backordered)} + rejected ${formatDecimal(rejected)} exceed the ordered ${formatDecimal(line.quantity)}`,
    );
  }
  const statuses: ConfirmationStatusInput[] = [];
  if (!accepted.isZero()) {
    statuses.push({
      type: split.unitPrice ? 'detail' : 'accept',
      quantity: accepted,
      shipmentDate: split.shipmentDate,
      deliveryDate: split.deliveryDate,
      unitPrice: split.unitPrice,
    });
  }
  if (split.backordered && !backordered.isZero()) {
    statuses.push({
      type: 'backordered',
      quantity: backordered,
      shipmentDate: split.backordered.shipmentDate,
      deliveryDate: split.backordered.deliveryDate,
    });
  }
  if (split.rejected && !rejected.isZero()) {
    statuses.push({ type: 'reject', quantity: rejected, comments: split.rejected.comments });
  }
  return { lineNumber: line.lineNumber, quantity: line.quantity, unitOfMeasure: line.unitOfMeasure, statuses };
}

// ---- ShipNoticeRequest ------------------------------------------------------------------------

function shipControl(n: ShipNoticeInput, env: WriteEnv): XmlElement {
  const { companyName, scac } = n.carrier;
  if (n.tracking.url !== undefined) requireSince(env, FULFIL_SINCE.shipmentIdentifierAttributes, 'ShipmentIdentifier trackingURL');
  return el(
    'ShipControl',
    null,
    scac ? el('CarrierIdentifier', { domain: 'SCAC' }, scac) : undefined,
    companyName ? el('CarrierIdentifier', { domain: 'companyName' }, companyName) : undefined,
    el('ShipmentIdentifier', { trackingURL: n.tracking.url }, nonEmpty(n.tracking.number, 'tracking number')),
  );
}

/**
 * `ShipNoticeRequest` (Fulfill.dtd): one shipment of one order, one ShipControl and one
 * ShipNoticePortion listing the shipped lines. Partial shipments are several notices with
 * their own shipmentIDs; `checkShipNotices` keeps their sum within the ordered quantities.
 */
export function writeShipNoticeRequest(ctx: WriteContext, hdr: Header, n: ShipNoticeInput): string {
  const env = resolveDocumentEnv(ctx);
  throwProblems('ShipNoticeRequest', shipNoticeShapeProblems(n));
  if (n.fulfillmentType !== undefined) requireSince(env, FULFIL_SINCE.shipNoticeFulfillmentType, 'ShipNoticeHeader fulfillmentType');
  const shipNoticeHeader = el(
    'ShipNoticeHeader',
    {
      shipmentID: nonEmpty(n.shipmentID, 'shipmentID'),
      operation: 'new',
      noticeDate: dateValue(n.noticeDate, env, 'noticeDate'),
      shipmentDate: dateValue(n.shipmentDate, env, 'shipmentDate'),
      deliveryDate: n.deliveryDate !== undefined ? dateValue(n.deliveryDate, env, 'deliveryDate') : undefined,
      fulfillmentType: n.fulfillmentType ? oneOf(n.fulfillmentType, ['partial', 'complete'], 'fulfillmentType') : undefined,
    },
    (n.contacts ?? []).map((x, i) => contact(x, env, `ShipNoticeHeader Contact ${i + 1}`)),
    commentsList(n.comments ?? [], env, 'ShipNoticeHeader'),
    (n.extrinsics ?? []).map(extrinsic),
  );
  const portion = el(
    'ShipNoticePortion',
    null,
    orderReference(n.order, env),
    n.items.map((item) => {
      const what = `ShipNoticeItem line ${item.lineNumber}`;
      return el(
        'ShipNoticeItem',
        { quantity: positiveQuantity(item.quantity, `${what} quantity`), lineNumber: uint(item.lineNumber, `${what} lineNumber`) },
        el('UnitOfMeasure', null, nonEmpty(item.unitOfMeasure, `${what} UnitOfMeasure`)),
      );
    }),
  );
  const body = el('ShipNoticeRequest', null, shipNoticeHeader, shipControl(n, env), portion);
  return requestDocument(env, 'Fulfill.dtd', hdr, n.deploymentMode, body);
}
