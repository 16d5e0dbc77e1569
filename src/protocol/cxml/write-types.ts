/**
 * Inputs of the cXML writer. They are the model types (model.ts) loosened where a caller
 * building a document by hand should not have to supply everything the reader fills in:
 * money without `raw`, optional empty arrays, dates as `Date`. Every model object is
 * assignable to the matching input, so a document read by the reader can be written back
 * (test/protocol/cxml/writer.test.ts checks this at compile time).
 */
import type { Decimal } from 'decimal.js';
import type {
  Classification,
  CxmlTimestamp,
  DeploymentMode,
  Description,
  Extrinsic,
  ItemID,
  OperationAllowed,
  OrderRequestType,
  PunchOutOperation,
} from './model.js';

export type { Header, Credential, Party } from './model.js';

/** `MoneyAmount` without `raw`; also matches `Money` from protocol/money.ts. */
export interface MoneyInput {
  readonly amount: Decimal;
  readonly currency: string;
}

/**
 * A date or date-time attribute. A `Date` is written in the context's zone offset; a
 * `CxmlTimestamp` keeps a date-only value as sent (never shifted) and re-expresses an instant;
 * a string must be a plain date `YYYY-MM-DD`.
 */
export type DateInput = Date | CxmlTimestamp | string;

export interface PhoneInput {
  readonly name?: string;
  /** Dialling code, e.g. `49`. */
  readonly countryCode?: string;
  /**
   * ISO 3166 code the DTD requires on `CountryCode`; when absent the enclosing address's
   * country is used, and without one the writer refuses.
   */
  readonly isoCountryCode?: string;
  readonly areaOrCityCode?: string;
  readonly number?: string;
  readonly extension?: string;
}

export interface PostalAddressInput {
  readonly name?: string;
  readonly deliverTo?: readonly string[];
  /** At least one line (`Street+`). */
  readonly street: readonly string[];
  /** Required by the DTD. */
  readonly city?: string;
  readonly municipality?: string;
  readonly state?: string;
  readonly postalCode?: string;
  /** Country name; defaults to the code. */
  readonly country?: string;
  /** ISO 3166 code, required by the DTD (`Country@isoCountryCode`). */
  readonly countryCode?: string;
}

export interface AddressInput {
  readonly name: string;
  readonly isoCountryCode?: string;
  readonly addressID?: string;
  readonly addressIDDomain?: string;
  readonly postalAddress?: PostalAddressInput;
  readonly email?: string;
  readonly phone?: PhoneInput;
  readonly fax?: PhoneInput;
  readonly url?: string;
}

export interface ContactInput {
  readonly role?: string;
  readonly name: string;
  readonly email?: string;
  readonly phone?: PhoneInput;
  readonly postalAddress?: PostalAddressInput;
}

export interface PriceBasisQuantityInput {
  readonly quantity: Decimal;
  readonly conversionFactor: Decimal;
  readonly unitOfMeasure: string;
  readonly description?: Description;
}

export interface ItemDetailInput {
  readonly unitPrice: MoneyInput;
  /** At least one (`Description+`); each needs a language. */
  readonly descriptions: readonly Description[];
  readonly unitOfMeasure: string;
  /** Refused for DTD versions that predate it (see write-parts.ts `SINCE`). */
  readonly priceBasisQuantity?: PriceBasisQuantityInput;
  /** At least one (`Classification+`). */
  readonly classifications: readonly Classification[];
  readonly manufacturerPartID?: string;
  readonly manufacturerName?: string;
  readonly url?: string;
  /** Whole days. */
  readonly leadTime?: number;
  readonly extrinsics?: readonly Extrinsic[];
}

export interface TaxDetailInput {
  readonly category: string;
  readonly percentageRate?: Decimal;
  readonly purpose?: string;
  readonly taxableAmount?: MoneyInput;
  readonly taxAmount: MoneyInput;
  /** Written with the context language. */
  readonly description?: string;
}

export interface TaxInput {
  readonly money: MoneyInput;
  /** Required by the DTD; written with the context language. */
  readonly description: string;
  readonly details?: readonly TaxDetailInput[];
}

export interface ShippingInput {
  readonly money: MoneyInput;
  /** Required by the DTD; written with the context language. */
  readonly description: string;
  readonly trackingDomain?: string;
  readonly trackingId?: string;
}

export interface CommentsInput {
  readonly lang?: string;
  readonly text: string;
  readonly attachmentUrls?: readonly string[];
}

export interface AccountingSegmentInput {
  readonly type?: string;
  readonly id: string;
  readonly description?: string;
}

export interface DistributionInput {
  readonly accountingName: string;
  /** At least one. */
  readonly segments: readonly AccountingSegmentInput[];
  readonly charge: MoneyInput;
}

/** A cart line (`ItemIn`). */
export interface ItemInInput {
  readonly quantity: Decimal;
  readonly lineNumber?: number;
  readonly parentLineNumber?: number;
  /** `composite` | `item` | `lean`. */
  readonly itemType?: string;
  /** `material` | `service`. */
  readonly itemClassification?: string;
  readonly itemID: ItemID;
  readonly itemDetail: ItemDetailInput;
  readonly shipping?: ShippingInput;
  readonly tax?: TaxInput;
  readonly comments?: CommentsInput;
  readonly extrinsics?: readonly Extrinsic[];
}

/** An order line (`ItemOut`), also used for edit/inspect setup requests. */
export interface ItemOutInput {
  readonly quantity: Decimal;
  readonly lineNumber?: number;
  readonly requestedDeliveryDate?: DateInput;
  readonly isAdHoc?: boolean;
  /** `delete` | `block` (change orders). */
  readonly operation?: string;
  readonly itemID: ItemID;
  readonly itemDetail?: ItemDetailInput;
  readonly shipTo?: AddressInput;
  readonly shipping?: ShippingInput;
  readonly tax?: TaxInput;
  readonly distributions?: readonly DistributionInput[];
  readonly contacts?: readonly ContactInput[];
  readonly comments?: readonly CommentsInput[];
  /**
   * ItemOut has no Extrinsic in any cXML DTD: a non-empty list is refused (item data belongs in
   * `itemDetail.extrinsics`). Present only so that model `ItemOut` objects are accepted.
   */
  readonly extrinsics?: readonly Extrinsic[];
}

export interface StatusInput {
  readonly code: number;
  /** Defaults to the canonical text of the code (errors.ts `statusText`). */
  readonly text?: string;
  /** Element content: the specific problem. */
  readonly detail?: string;
}

export interface NameValue {
  readonly name: string;
  readonly value: string;
}

export interface ProfileTransactionInput {
  /** Request element name, e.g. `PunchOutSetupRequest`. */
  readonly requestName: string;
  readonly url: string;
  readonly options?: readonly NameValue[];
}

export interface ProfileResponseInput {
  readonly effectiveDate: Date | CxmlTimestamp;
  readonly lastRefresh?: Date | CxmlTimestamp;
  readonly options?: readonly NameValue[];
  /** At least one. */
  readonly transactions: readonly ProfileTransactionInput[];
}

export interface PunchOutSetupResponseInput {
  readonly startPageUrl: string;
}

export interface PunchOutOrderMessageInput {
  /** Echoed byte for byte from the setup request (may be empty, never trimmed). */
  readonly buyerCookie: string;
  readonly operationAllowed: OperationAllowed;
  readonly quoteStatus?: 'final' | 'pending';
  readonly total: MoneyInput;
  readonly shipTo?: AddressInput;
  readonly shipping?: ShippingInput;
  readonly tax?: TaxInput;
  /** `SupplierOrderInfo@orderID`. */
  readonly supplierOrderId?: string;
  readonly items: readonly ItemInInput[];
  /** `Message/Status`, e.g. `{ code: 204 }` when the user cancelled an edit. */
  readonly status?: StatusInput;
  readonly deploymentMode?: DeploymentMode;
  /** `Message@inReplyTo`: payloadID of the setup request. */
  readonly inReplyTo?: string;
}

export interface PunchOutSetupRequestInput {
  readonly operation: PunchOutOperation;
  readonly buyerCookie: string;
  readonly extrinsics?: readonly Extrinsic[];
  readonly browserFormPostUrl?: string;
  readonly contacts?: readonly ContactInput[];
  readonly supplierSetupUrl?: string;
  readonly shipTo?: AddressInput;
  readonly selectedItem?: ItemID;
  readonly itemOut?: readonly ItemOutInput[];
  readonly deploymentMode?: DeploymentMode;
}

/** A PCard as the sandbox sends it (the model's `PCard` keeps only a masked number). */
export interface PCardInput {
  readonly number: string;
  readonly expiration: string;
  readonly name?: string;
}

export interface OrderRequestHeaderInput {
  readonly orderID: string;
  readonly orderDate: Date | CxmlTimestamp;
  readonly type?: OrderRequestType;
  readonly orderVersion?: number;
  /** `regular` | `release` | `blanket` | `stockTransport` | `stockTransportRelease` (by version). */
  readonly orderType?: string;
  readonly requisitionID?: string;
  readonly requestedDeliveryDate?: Date | CxmlTimestamp;
  readonly total: MoneyInput;
  readonly shipTo?: AddressInput;
  /** Required by the DTD; optional here only so that model headers are accepted. */
  readonly billTo?: AddressInput;
  readonly shipping?: ShippingInput;
  readonly tax?: TaxInput;
  readonly payment?: PCardInput | { readonly maskedNumber: string; readonly expiration: string; readonly name?: string };
  readonly paymentTermDays?: number;
  readonly contacts?: readonly ContactInput[];
  readonly comments?: readonly CommentsInput[];
  /** `DocumentReference@payloadID` (update/delete: the previous version). */
  readonly documentReference?: string;
  readonly supplierOrderId?: string;
  readonly extrinsics?: readonly Extrinsic[];
}

export interface OrderRequestInput {
  readonly header: OrderRequestHeaderInput;
  /** At least one (`ItemOut+`). */
  readonly items: readonly ItemOutInput[];
  readonly deploymentMode?: DeploymentMode;
}
