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
}

export interface CxmlOptions {
  /** DTD version written in documents for this buyer. */
  readonly version: string;
  /** Name of the hidden field the cart travels in (exact spelling: some receivers are case-sensitive). */
  readonly formField: CxmlFormField;
  /** Form target when the buyer does not name one with a ReturnFrame extrinsic. */
  readonly defaultTarget: string;
}

export interface ConnectionOptions {
  readonly oci: OciOptions;
  readonly cxml: CxmlOptions;
  /** Our unit code → the buyer's unit code. Units not listed go out unchanged. */
  readonly unitMap: Readonly<Record<string, string>>;
}

export interface Connection {
  readonly id: string;
  readonly name: string;
  readonly protocol: 'oci' | 'cxml';
  readonly enabled: boolean;
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
  },
  cxml: { version: '1.2.014', formField: 'cXML-base64', defaultTarget: '_self' },
  unitMap: {},
};

/** Fills in defaults for options stored partially (older rows, hand-written JSON). */
export function withDefaults(stored: Partial<{ oci: Partial<OciOptions>; cxml: Partial<CxmlOptions>; unitMap: Record<string, string> }>): ConnectionOptions {
  return {
    oci: { ...DEFAULT_OPTIONS.oci, ...(stored.oci ?? {}) },
    cxml: { ...DEFAULT_OPTIONS.cxml, ...(stored.cxml ?? {}) },
    unitMap: { ...(stored.unitMap ?? {}) },
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
