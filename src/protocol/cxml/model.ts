/**
 * Typed models of the cXML documents Koppel reads and writes. The reader (`reader.ts`) fills them
 * from any buyer's document; the writer (`writer.ts`) emits them in DTD order.
 *
 * Conventions:
 * - Amounts and quantities are `Decimal` (never floats); text that is not a number stays a string
 *   in `raw…` fields only where the field is meant to be shown back as sent.
 * - Timestamps are kept as `CxmlTimestamp`: the text as sent plus its parsed instant (if any).
 * - Optional elements are `undefined` when absent; repeated elements are arrays (possibly empty).
 */
import type { Decimal } from 'decimal.js';

/** A timestamp or date attribute as sent, with what could be understood of it. */
export interface CxmlTimestamp {
  /** Text as sent (trimmed). */
  readonly raw: string;
  /** The instant, when the text names one (date-only values give none). */
  readonly instant?: Date;
  /** `YYYY-MM-DD` when the text is a date without a time (never shifted by time zones). */
  readonly dateOnly?: string;
  /** True when the text had no zone and a default zone was assumed. */
  readonly zoneAssumed?: boolean;
}

export interface Credential {
  readonly domain: string;
  readonly identity: string;
  /** Only ever read from Sender; never logged. */
  readonly sharedSecret?: string;
  /** `marketplace` or undefined. */
  readonly type?: string;
}

export interface Party {
  readonly credentials: readonly Credential[];
}

export interface Header {
  readonly from: Party;
  readonly to: Party;
  readonly sender: Party & { readonly userAgent: string };
}

export type DeploymentMode = 'production' | 'test';

/** The `<cXML>` root and its Header; `payload` is the typed body. */
export interface Envelope<P = CxmlPayload> {
  readonly payloadID: string;
  readonly timestamp: CxmlTimestamp;
  readonly version?: string;
  readonly lang?: string;
  /** From the DOCTYPE system id, e.g. `1.2.014` and `cXML.dtd`. */
  readonly doctype?: { readonly version?: string; readonly file?: string; readonly systemId: string };
  /** Absent on a Response. */
  readonly header?: Header;
  readonly deploymentMode: DeploymentMode;
  /** `Message@inReplyTo`, when present. */
  readonly inReplyTo?: string;
  readonly payload: P;
}

export interface Status {
  readonly code: number;
  readonly text: string;
  /** Element content: the specific problem. */
  readonly detail?: string;
  readonly lang?: string;
}

export interface Extrinsic {
  readonly name: string;
  /** Text content (markup inside is flattened to text). */
  readonly value: string;
}

export interface PostalAddress {
  readonly name?: string;
  readonly deliverTo: readonly string[];
  readonly street: readonly string[];
  readonly city?: string;
  readonly municipality?: string;
  readonly state?: string;
  readonly postalCode?: string;
  readonly country?: string;
  readonly countryCode?: string;
}

export interface Phone {
  readonly name?: string;
  /** Dialling code, e.g. `49`. */
  readonly countryCode?: string;
  /** `CountryCode@isoCountryCode` (ISO 3166), required by the DTD: kept so the phone can be written back. */
  readonly isoCountryCode?: string;
  readonly areaOrCityCode?: string;
  readonly number?: string;
  readonly extension?: string;
}

export interface Address {
  readonly name: string;
  readonly isoCountryCode?: string;
  readonly addressID?: string;
  readonly addressIDDomain?: string;
  readonly postalAddress?: PostalAddress;
  readonly email?: string;
  readonly phone?: Phone;
  readonly fax?: Phone;
  readonly url?: string;
}

export interface Contact {
  readonly role?: string;
  readonly name: string;
  readonly email?: string;
  readonly phone?: Phone;
  readonly postalAddress?: PostalAddress;
}

export interface MoneyAmount {
  readonly amount: Decimal;
  readonly currency: string;
  /** The amount text as sent, e.g. to report a comma decimal. */
  readonly raw: string;
}

export interface Description {
  readonly lang: string;
  readonly text: string;
  readonly shortName?: string;
}

export interface Classification {
  readonly domain: string;
  readonly code: string;
}

export interface ItemID {
  readonly supplierPartID: string;
  readonly supplierPartAuxiliaryID?: string;
  readonly buyerPartID?: string;
}

export interface PriceBasisQuantity {
  readonly quantity: Decimal;
  readonly conversionFactor: Decimal;
  readonly unitOfMeasure: string;
}

export interface ItemDetail {
  readonly unitPrice: MoneyAmount;
  readonly descriptions: readonly Description[];
  readonly unitOfMeasure: string;
  readonly priceBasisQuantity?: PriceBasisQuantity;
  readonly classifications: readonly Classification[];
  readonly manufacturerPartID?: string;
  readonly manufacturerName?: string;
  readonly url?: string;
  readonly leadTime?: number;
  readonly extrinsics: readonly Extrinsic[];
}

export interface TaxDetail {
  readonly category: string;
  readonly percentageRate?: Decimal;
  readonly purpose?: string;
  readonly taxableAmount?: MoneyAmount;
  readonly taxAmount: MoneyAmount;
  readonly description?: string;
}

export interface Tax {
  readonly money: MoneyAmount;
  readonly description: string;
  readonly details: readonly TaxDetail[];
}

export interface Shipping {
  readonly money: MoneyAmount;
  readonly description: string;
  readonly trackingDomain?: string;
  readonly trackingId?: string;
}

export interface AccountingSegment {
  readonly type?: string;
  readonly id: string;
  readonly description?: string;
}

export interface Distribution {
  readonly accountingName: string;
  readonly segments: readonly AccountingSegment[];
  readonly charge: MoneyAmount;
}

export interface Comments {
  readonly lang?: string;
  readonly text: string;
  readonly attachmentUrls: readonly string[];
}

/** An `ItemIn` of a PunchOutOrderMessage (the cart line). */
export interface ItemIn {
  readonly quantity: Decimal;
  readonly lineNumber?: number;
  readonly parentLineNumber?: number;
  readonly itemType?: string;
  readonly itemClassification?: string;
  readonly itemID: ItemID;
  readonly itemDetail: ItemDetail;
  readonly shipping?: Shipping;
  readonly tax?: Tax;
  readonly comments?: Comments;
  readonly extrinsics: readonly Extrinsic[];
}

/** An `ItemOut` of an OrderRequest or of an edit/inspect PunchOutSetupRequest. */
export interface ItemOut {
  readonly quantity: Decimal;
  readonly lineNumber?: number;
  readonly requestedDeliveryDate?: CxmlTimestamp;
  readonly isAdHoc: boolean;
  readonly operation?: string;
  readonly itemID: ItemID;
  /** Absent for some ad-hoc or blanket lines. */
  readonly itemDetail?: ItemDetail;
  readonly shipTo?: Address;
  readonly shipping?: Shipping;
  readonly tax?: Tax;
  readonly distributions: readonly Distribution[];
  readonly contacts: readonly Contact[];
  readonly comments: readonly Comments[];
  readonly extrinsics: readonly Extrinsic[];
}

export interface ProfileRequest {
  readonly kind: 'ProfileRequest';
}

export interface ProfileTransaction {
  readonly requestName: string;
  readonly url: string;
  readonly options: readonly { readonly name: string; readonly value: string }[];
}

export interface ProfileResponse {
  readonly kind: 'ProfileResponse';
  readonly status: Status;
  readonly effectiveDate: CxmlTimestamp | Date;
  readonly options: readonly { readonly name: string; readonly value: string }[];
  readonly transactions: readonly ProfileTransaction[];
}

export type PunchOutOperation = 'create' | 'edit' | 'inspect' | 'source';

export interface PunchOutSetupRequest {
  readonly kind: 'PunchOutSetupRequest';
  readonly operation: PunchOutOperation;
  /** Echoed byte for byte: never trimmed. */
  readonly buyerCookie: string;
  readonly extrinsics: readonly Extrinsic[];
  /** Trimmed URL. */
  readonly browserFormPostUrl?: string;
  readonly contacts: readonly Contact[];
  readonly supplierSetupUrl?: string;
  readonly shipTo?: Address;
  readonly selectedItem?: ItemID;
  readonly itemOut: readonly ItemOut[];
}

export interface PunchOutSetupResponse {
  readonly kind: 'PunchOutSetupResponse';
  readonly status: Status;
  readonly startPageUrl?: string;
}

export type OperationAllowed = 'create' | 'inspect' | 'edit';

export interface PunchOutOrderMessage {
  readonly kind: 'PunchOutOrderMessage';
  /** `Message/Status`, e.g. 204 when the user cancelled an edit. */
  readonly status?: Status;
  readonly buyerCookie: string;
  readonly operationAllowed: OperationAllowed;
  readonly quoteStatus?: 'final' | 'pending';
  readonly total: MoneyAmount;
  readonly shipTo?: Address;
  readonly shipping?: Shipping;
  readonly tax?: Tax;
  readonly supplierOrderId?: string;
  readonly items: readonly ItemIn[];
}

export type OrderRequestType = 'new' | 'update' | 'delete';

export interface PCard {
  /** Masked on read: only the last four digits are kept. */
  readonly maskedNumber: string;
  readonly expiration: string;
  readonly name?: string;
}

export interface OrderRequestHeader {
  readonly orderID: string;
  readonly orderDate: CxmlTimestamp;
  readonly type: OrderRequestType;
  readonly orderVersion?: number;
  readonly orderType?: string;
  readonly requisitionID?: string;
  readonly requestedDeliveryDate?: CxmlTimestamp;
  readonly total: MoneyAmount;
  readonly shipTo?: Address;
  readonly billTo?: Address;
  readonly shipping?: Shipping;
  readonly tax?: Tax;
  readonly payment?: PCard;
  readonly paymentTermDays?: number;
  readonly contacts: readonly Contact[];
  readonly comments: readonly Comments[];
  /** `DocumentReference@payloadID` (update/delete point at the previous version). */
  readonly documentReference?: string;
  readonly supplierOrderId?: string;
  readonly extrinsics: readonly Extrinsic[];
}

export interface OrderRequest {
  readonly kind: 'OrderRequest';
  readonly header: OrderRequestHeader;
  readonly items: readonly ItemOut[];
}

/** A bare `Response/Status` (answer to an OrderRequest, or any error). */
export interface StatusResponse {
  readonly kind: 'Status';
  readonly status: Status;
}

/** A document the reader recognised as cXML but whose payload Koppel does not model (yet). */
export interface OtherPayload {
  readonly kind: 'Other';
  /** `Request`, `Response` or `Message`. */
  readonly wrapper: string;
  /** Name of the payload element, e.g. `StatusUpdateRequest`. */
  readonly name: string;
  readonly status?: Status;
}

// ---- supplier → buyer documents (read by the buyer sandbox) -----------------------------------

/** `OrderReference`: which purchase order a document is about. Both attributes are optional in the DTD. */
export interface OrderReference {
  readonly orderID?: string;
  readonly orderDate?: CxmlTimestamp;
  /** `DocumentReference@payloadID`: the payloadID of the OrderRequest. */
  readonly payloadID?: string;
}

export type ConfirmationHeaderType =
  | 'accept'
  | 'allDetail'
  | 'detail'
  | 'backordered'
  | 'except'
  | 'reject'
  | 'requestToPay'
  | 'replace';

export type ConfirmationStatusType = 'accept' | 'allDetail' | 'detail' | 'backordered' | 'reject' | 'unknown' | 'requestToPay';

export interface ConfirmationStatus {
  readonly type: ConfirmationStatusType;
  readonly quantity: Decimal;
  readonly unitOfMeasure?: string;
  readonly shipmentDate?: CxmlTimestamp;
  readonly deliveryDate?: CxmlTimestamp;
  readonly unitPrice?: MoneyAmount;
  /** Comments with text only (empty `<Comments/>` elements are dropped). */
  readonly comments: readonly Comments[];
  readonly extrinsics: readonly Extrinsic[];
}

export interface ConfirmationItem {
  readonly lineNumber: number;
  /** The ordered quantity as the supplier states it. */
  readonly quantity: Decimal;
  readonly unitOfMeasure?: string;
  readonly statuses: readonly ConfirmationStatus[];
}

export interface ConfirmationRequest {
  readonly kind: 'ConfirmationRequest';
  readonly type: ConfirmationHeaderType;
  readonly operation: 'new' | 'update';
  /** May be empty: Office Depot sends `confirmID=""`. */
  readonly confirmID?: string;
  readonly noticeDate: CxmlTimestamp;
  readonly invoiceID?: string;
  readonly order: OrderReference;
  readonly contacts: readonly Contact[];
  readonly comments: readonly Comments[];
  readonly extrinsics: readonly Extrinsic[];
  readonly items: readonly ConfirmationItem[];
}

export interface CarrierIdentifier {
  /** e.g. `SCAC`, `companyName`. */
  readonly domain: string;
  readonly value: string;
}

export interface ShipmentIdentifier {
  readonly value: string;
  readonly domain?: string;
  readonly trackingURL?: string;
}

export interface ShipNoticeItem {
  readonly lineNumber: number;
  readonly quantity: Decimal;
  readonly unitOfMeasure?: string;
}

/** One `ShipNoticePortion`: an order and the lines of it in this shipment (none = the whole order). */
export interface ShipNoticePortion {
  readonly order?: OrderReference;
  readonly items: readonly ShipNoticeItem[];
}

export interface ShipNoticeRequest {
  readonly kind: 'ShipNoticeRequest';
  readonly shipmentID: string;
  readonly operation: 'new' | 'update' | 'delete';
  readonly noticeDate: CxmlTimestamp;
  /** Optional in the DTD, though every real notice carries it. */
  readonly shipmentDate?: CxmlTimestamp;
  readonly deliveryDate?: CxmlTimestamp;
  readonly fulfillmentType?: string;
  readonly carriers: readonly CarrierIdentifier[];
  readonly shipmentIdentifiers: readonly ShipmentIdentifier[];
  readonly portions: readonly ShipNoticePortion[];
  readonly contacts: readonly Contact[];
  readonly comments: readonly Comments[];
  readonly extrinsics: readonly Extrinsic[];
}

export type InvoicePurpose = 'standard' | 'creditMemo' | 'debitMemo' | 'lineLevelCreditMemo' | 'lineLevelDebitMemo';

/**
 * A `Tax` of an invoice. Unlike the cart's Tax its amount may be missing: real invoices carry
 * `<Money currency="USD"/>` (Coupa samples), which is kept as "not stated" with a warning.
 */
export interface InvoiceTax {
  readonly money?: MoneyAmount;
  readonly description: string;
  readonly details: readonly TaxDetail[];
}

export interface InvoiceLine {
  readonly invoiceLineNumber: number;
  readonly quantity: Decimal;
  readonly unitOfMeasure?: string;
  readonly unitPrice?: MoneyAmount;
  /** `InvoiceDetailItemReference@lineNumber`: the PO line. */
  readonly orderLineNumber?: number;
  readonly itemID?: ItemID;
  readonly description?: string;
  readonly subtotal?: MoneyAmount;
  readonly tax?: InvoiceTax;
  readonly shipping?: MoneyAmount;
}

/** An `InvoiceDetailOrder` (lines) or, for header-level memos, an `InvoiceDetailHeaderOrder` (sums only). */
export interface InvoiceOrder {
  /** Absent when the block is backed by a contract (MasterAgreementReference) or nothing. */
  readonly order?: OrderReference;
  readonly masterAgreementPayloadID?: string;
  readonly lines: readonly InvoiceLine[];
  /** InvoiceDetailOrderSummary of a header order. */
  readonly summary?: { readonly subtotal?: MoneyAmount; readonly tax?: InvoiceTax; readonly shipping?: MoneyAmount };
}

export interface InvoiceSummary {
  readonly subtotal?: MoneyAmount;
  readonly tax?: InvoiceTax;
  readonly specialHandling?: MoneyAmount;
  readonly shipping?: MoneyAmount;
  readonly gross?: MoneyAmount;
  readonly discount?: MoneyAmount;
  readonly net?: MoneyAmount;
  readonly due?: MoneyAmount;
}

export interface InvoiceDetailRequest {
  readonly kind: 'InvoiceDetailRequest';
  readonly invoiceID: string;
  readonly invoiceDate: CxmlTimestamp;
  readonly purpose: InvoicePurpose;
  readonly operation: 'new' | 'delete';
  readonly isHeaderInvoice: boolean;
  readonly isTaxInLine: boolean;
  readonly isShippingInLine: boolean;
  readonly paymentTermDays?: number;
  /** The invoice a memo refers to (`InvoiceIDInfo`). */
  readonly originalInvoiceID?: string;
  readonly orders: readonly InvoiceOrder[];
  readonly summary: InvoiceSummary;
  readonly comments?: Comments;
  readonly extrinsics: readonly Extrinsic[];
}

export type CxmlPayload =
  | ProfileRequest
  | ProfileResponse
  | PunchOutSetupRequest
  | PunchOutSetupResponse
  | PunchOutOrderMessage
  | OrderRequest
  | ConfirmationRequest
  | ShipNoticeRequest
  | InvoiceDetailRequest
  | StatusResponse
  | OtherPayload;

/** A problem noticed while reading that did not stop the read. */
export interface ReadWarning {
  /** Element path, e.g. `cXML/Request/PunchOutSetupRequest/Foo`. */
  readonly path: string;
  readonly message: string;
}

export interface ReadResult<P = CxmlPayload> {
  readonly envelope: Envelope<P>;
  readonly warnings: readonly ReadWarning[];
}
