/**
 * A connection is one buyer organisation's punchout link to this shop: which protocol it speaks,
 * how it authenticates, where carts may be returned to, and the options its system needs.
 */
export interface Identity {
  readonly domain: string;
  readonly identity: string;
}

export type CxmlFormField = 'cXML-base64' | 'cXML-urlencoded';

export interface OciOptions {
  readonly charset: 'UTF-8' | 'ISO-8859-1';
  readonly usernameField: string;
  readonly passwordField: string;
  readonly hookUrlField: string;
  readonly emitEmptyFields: boolean;
  readonly maxPriceDecimals: number;
  readonly allowSapEvent: boolean;
  /**
   * 'per-unit': PRICE is always per 1 unit (safe for buyers that ignore PRICEUNIT);
   * 'price-unit': a price with more decimals than allowed goes out per 10/100/… units.
   */
  readonly priceUnitMode: 'per-unit' | 'price-unit';
}

export interface CxmlOptions {
  /** DTD version written in documents for this buyer. */
  readonly version: string;
  /** Name of the hidden field the cart travels in (exact spelling: some receivers are case-sensitive). */
  readonly formField: CxmlFormField;
  /** Form target when the buyer does not name one with a ReturnFrame extrinsic. */
  readonly defaultTarget: string;
  /** Whether the PunchOutOrderMessage carries Shipping, and its flat amount (decimal text). */
  readonly cartShipping: boolean;
  readonly shippingAmount: string;
  /** Whether the PunchOutOrderMessage carries Tax, at this rate in percent (decimal text). */
  readonly cartTax: boolean;
  readonly taxRatePercent: string;
  /** Whether the header Total includes shipping and tax (else it is the sum of the lines). */
  readonly totalIncludesExtras: boolean;
  /** Tax rounding: per line, or once on the document total. */
  readonly taxRounding: 'line' | 'document';
  /**
   * Where confirmations, ship notices and invoices are posted (the buyer's or network's cXML
   * URL); empty = none configured, documents cannot be sent for this connection.
   */
  readonly documentUrl: string;
  /** Invoices: `PaymentTerm@payInNumberOfDays`; 0 = not written. */
  readonly paymentTermDays: number;
  /** Invoices: tax on every line (`isTaxInLine`) rather than only in the summary. */
  readonly invoiceTaxInLine: boolean;
}

/** Where a value sent to the buyer comes from. */
export type MappingSource =
  | { readonly kind: 'attribute'; readonly attribute: ProductAttribute; readonly fallback?: string }
  | { readonly kind: 'constant'; readonly value: string }
  | { readonly kind: 'empty' };

/** Product attributes a mapping can read. */
export type ProductAttribute = 'sku' | 'name' | 'description' | 'manufacturer' | 'manufacturerPartId' | 'unspsc' | 'unit' | 'category' | 'leadTimeDays' | 'id';

export interface ConnectionOptions {
  readonly oci: OciOptions;
  readonly cxml: CxmlOptions;
  /** Our unit code → the buyer's unit code. Units not listed go out unchanged. */
  readonly unitMap: Readonly<Record<string, string>>;
  /** Our currency → the buyer's code (e.g. a legacy RON → ROL). */
  readonly currencyMap: Readonly<Record<string, string>>;
  /** Classification domain written for the product's UNSPSC code (cXML Classification, OCI EXT_SCHEMA_TYPE). */
  readonly classificationDomain: string;
  /** Per-buyer text rules, e.g. Coupa: ™ ® © written as (TM) (R) (C). */
  readonly textRules: { readonly symbolsAsText: boolean };
  /**
   * Origins that may show the storefront in a frame (CSP frame-ancestors), e.g.
   * `https://*.ariba.com`; empty = any origin (procurement systems embed punchout shops).
   */
  readonly frameAncestors: readonly string[];
  /** Limits the buyer's system enforces; checked before sending (0 = no limit). */
  readonly limits: { readonly maxLines: number; readonly maxBytes: number };
  /**
   * Field mapping: OCI field name (e.g. `MATGROUP`, `CUST_FIELD1`) or cXML target (e.g.
   * `ShortName`, `ManufacturerName`, `Extrinsic:CostCentre`) → where its value comes from.
   * Fields not listed use Koppel's defaults.
   */
  readonly fieldMapping: {
    readonly oci: Readonly<Record<string, MappingSource>>;
    readonly cxml: Readonly<Record<string, MappingSource>>;
  };
}

export interface Connection {
  readonly id: string;
  readonly name: string;
  readonly protocol: 'oci' | 'cxml';
  readonly enabled: boolean;
  readonly environment: 'test' | 'production';
  /** Groups the test and production connections of one buyer organisation. */
  readonly buyerOrg: string;
  /** The secret before the last rotation and until when it is still accepted. */
  readonly secretHashPrevious: string | null;
  readonly previousValidUntil: string | null;
  readonly outboundSecretSealed: string | null;
  /** IPs and CIDR ranges allowed to call this connection; empty = any. */
  readonly ipAllowList: readonly string[];
  readonly priceListId: string | null;
  readonly buyerIdentities: readonly Identity[];
  readonly supplierIdentities: readonly Identity[];
  readonly senderIdentities: readonly Identity[];
  readonly secretHash: string | null;
  readonly ociUsername: string | null;
  readonly returnUrlPrefixes: readonly string[];
  readonly options: ConnectionOptions;
}

export const DEFAULT_OPTIONS: ConnectionOptions = {
  oci: {
    charset: 'UTF-8',
    usernameField: 'USERNAME',
    passwordField: 'PASSWORD',
    hookUrlField: 'HOOK_URL',
    emitEmptyFields: false,
    maxPriceDecimals: 3,
    allowSapEvent: false,
    priceUnitMode: 'price-unit',
  },
  cxml: {
    version: '1.2.014',
    formField: 'cXML-base64',
    defaultTarget: '_self',
    cartShipping: false,
    shippingAmount: '0',
    cartTax: false,
    taxRatePercent: '0',
    totalIncludesExtras: false,
    taxRounding: 'line',
    documentUrl: '',
    paymentTermDays: 30,
    invoiceTaxInLine: false,
  },
  unitMap: {},
  currencyMap: {},
  classificationDomain: 'UNSPSC',
  textRules: { symbolsAsText: false },
  limits: { maxLines: 0, maxBytes: 0 },
  fieldMapping: { oci: {}, cxml: {} },
  frameAncestors: [],
};

/** Options as stored: any part may be missing (older rows, hand-written JSON). */
export type StoredOptions = Partial<{
  oci: Partial<OciOptions>;
  cxml: Partial<CxmlOptions>;
  unitMap: Record<string, string>;
  currencyMap: Record<string, string>;
  classificationDomain: string;
  textRules: Partial<ConnectionOptions['textRules']>;
  limits: Partial<ConnectionOptions['limits']>;
  frameAncestors: readonly string[];
  fieldMapping: Partial<{ oci: Record<string, MappingSource>; cxml: Record<string, MappingSource> }>;
}>;

/** Fills in defaults for options stored partially. */
export function withDefaults(stored: StoredOptions): ConnectionOptions {
  return {
    oci: { ...DEFAULT_OPTIONS.oci, ...(stored.oci ?? {}) },
    cxml: { ...DEFAULT_OPTIONS.cxml, ...(stored.cxml ?? {}) },
    unitMap: { ...(stored.unitMap ?? {}) },
    currencyMap: { ...(stored.currencyMap ?? {}) },
    classificationDomain: stored.classificationDomain || DEFAULT_OPTIONS.classificationDomain,
    textRules: { ...DEFAULT_OPTIONS.textRules, ...(stored.textRules ?? {}) },
    limits: { ...DEFAULT_OPTIONS.limits, ...(stored.limits ?? {}) },
    fieldMapping: { oci: { ...(stored.fieldMapping?.oci ?? {}) }, cxml: { ...(stored.fieldMapping?.cxml ?? {}) } },
    frameAncestors: [...(stored.frameAncestors ?? [])],
  };
}

/** Credential domains compare case-insensitively (NetworkID, NetworkId …); identities exactly. */
export function sameIdentity(a: Identity, b: Identity): boolean {
  return a.domain.trim().toLowerCase() === b.domain.trim().toLowerCase() && a.identity.trim() === b.identity.trim();
}

export function anyIdentityMatches(candidates: readonly Identity[], known: readonly Identity[]): boolean {
  return candidates.some((c) => known.some((k) => sameIdentity(c, k)));
}

/** The unit code the buyer gets for one of our units. */
export function buyerUnit(connection: Connection, unit: string): string {
  return connection.options.unitMap[unit] ?? unit;
}
