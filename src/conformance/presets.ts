/**
 * Buyer presets: what one procurement system sends to a supplier's punchout and what it accepts
 * back. Each fact cites the research note it comes from (`../shared/docs/oci.md`, `cxml.md`,
 * `platforms.md`); facts no public source confirms are marked "assumed".
 */
import { UNIT_CODES } from '../protocol/units.js';

export type Severity = 'fail' | 'warn';

export interface OciPreset {
  readonly protocol: 'oci';
  readonly name: string;
  readonly title: string;
  /** Sent as OCI_VERSION. */
  readonly ociVersion: string;
  /** How the buyer's browser calls the catalog. */
  readonly method: 'GET' | 'POST';
  /** Charset the returned form must be in. */
  readonly charset: 'UTF-8' | 'ISO-8859-1';
  /** The parameter naming the frame the cart form must be posted to, and its value. */
  readonly targetField: '~TARGET' | 'returntarget';
  readonly target: '_top' | '_parent' | '_self';
  /** Fixed ITS-era parameters sent with the call; the supplier must echo them. */
  readonly echoFields: readonly (readonly [string, string])[];
  /** How much a missing echo matters. */
  readonly echoSeverity: Severity;
  /** The shop is opened inside an iframe of the buyer's page. */
  readonly framed: boolean;
  /** Unit codes the buyer maps (its T006/CUNI); others are dropped or mis-mapped. */
  readonly units: ReadonlySet<string>;
  readonly unitSeverity: Severity;
}

export type CxmlOperation = 'create' | 'edit' | 'inspect';

export interface CxmlPreset {
  readonly protocol: 'cxml';
  readonly name: string;
  readonly title: string;
  /** DTD version the setup request is written in; also the newest DOCTYPE accepted back when `maxVersion` is set. */
  readonly version: string;
  /** The POOM must not declare a newer DTD than this (the buyer rejects unknown versions). */
  readonly maxVersion?: string;
  /** Form field names accepted, exact spelling first; cXML says names are case-insensitive. */
  readonly formFields: readonly ('cXML-base64' | 'cXML-urlencoded')[];
  /** Operations the buyer uses on a cart; `create` always. */
  readonly operations: readonly CxmlOperation[];
  readonly framed: boolean;
  readonly units: ReadonlySet<string>;
  readonly unitSeverity: Severity;
  /** Characters the buyer cannot store in texts. */
  readonly refusedCharacters: readonly string[];
  /** Characters refused in SupplierPartID / SupplierPartAuxiliaryID. */
  readonly refusedInPartIds: readonly string[];
  /** Longest SupplierPartID / SupplierPartAuxiliaryID (0 = no limit). */
  readonly maxPartIdLength: number;
  /** Longest Description/ShortName (0 = no limit). */
  readonly maxShortNameLength: number;
  /** Most decimals in a UnitPrice (0 = no limit). */
  readonly maxPriceDecimals: number;
  /** A UTF-8 byte order mark in the decoded document is refused. */
  readonly refusesBom: boolean;
  /** A cancelled create may come back without items (some buyers crashed on it: warn only). */
  readonly emptyCartSeverity: Severity;
  /** Credential domain used for From/To/Sender when none is given. */
  readonly defaultDomain: string;
  readonly userAgent: string;
  /** Extrinsics sent in the setup request. */
  readonly extrinsics: readonly (readonly [string, string])[];
}

export type Preset = OciPreset | CxmlPreset;

/**
 * Common UN/CEFACT Recommendation 20 codes ("Codes for Units of Measure Used in International
 * Trade", Rev. 17, annexes I–III; https://unece.org/trade/uncefact/cl-recommendations): the
 * catalog units of `src/protocol/units.ts` plus a few that buyers' samples use (cxml.md §3.3
 * UnitOfMeasure, oci.md §3.6). SAP-internal codes such as `ST` (Stück) or `STK` are not here.
 */
export const REC20_COMMON: ReadonlySet<string> = new Set([
  ...Object.keys(UNIT_CODES),
  'KGM', 'GRM', 'TNE', 'LTR', 'MLT', 'MTQ', 'MTR', 'CMT', 'MMT', 'KMT', 'MTK', 'HUR', 'MIN', 'DAY', 'WEE', 'MON', 'ANN',
  'C62', 'EA', 'PCE', 'PR', 'SET', 'PK', 'BX', 'CT', 'CS', 'DZN', 'RM', 'RO', 'BG', 'BO', 'CA', 'TU', 'PA', 'KT', 'LO', 'PL', 'DR', 'CR', 'E48',
]);

/** Oracle wants EACH-style units (cxml.md §3.5, "per third-party summary"): accepted besides Rec 20. */
const ORACLE_UNITS = new Set([...REC20_COMMON, 'EACH', 'BOX', 'PACK']);

const PRESETS: readonly Preset[] = [
  {
    protocol: 'oci',
    name: 'sap-srm',
    title: 'SAP SRM 7 (OCI 4.0, POST, shop in an iframe, ~TARGET)',
    ociVersion: '4.0', // oci.md §4: SRM speaks OCI 4.0.
    method: 'POST', // oci.md §2.1: EBP/SRM default is POST.
    charset: 'UTF-8', // oci.md §3.1: modern SAP systems are Unicode; UTF-8 is the safe default.
    targetField: '~TARGET', // oci.md §2.2 and §5.1: old ITS systems need ~TARGET, ~OkCode, ~CALLER echoed.
    target: '_top',
    echoFields: [['~OkCode', 'ADDI'], ['~TARGET', '_top'], ['~CALLER', 'CTLG']],
    echoSeverity: 'fail',
    framed: true, // oci.md §5.1: the SRM 7 outbound handler opens the catalog in an iframe.
    units: REC20_COMMON, // oci.md §0 rule 6 and §3.6: UNIT must be an ISO code the buyer maps in T006.
    unitSeverity: 'fail',
  },
  {
    protocol: 'oci',
    name: 'sap-s4hana',
    title: 'SAP S/4HANA (OCI 4.0, POST, returntarget)',
    ociVersion: '4.0', // oci.md §5.2: OCI 4.0 punch-out from Self-Service Procurement.
    method: 'POST', // oci.md §5.2: Fiori rebuilds the POST in the browser from the call structure.
    charset: 'UTF-8',
    targetField: 'returntarget', // oci.md §2.2: returntarget is the SRM 7 / S/4 way to name the frame.
    target: '_top', // assumed: the value S/4 sends is not documented in our sources; _top is the OCI default.
    echoFields: [['~OkCode', 'ADDI'], ['~CALLER', 'CTLG']],
    echoSeverity: 'warn', // S/4 has no ITS; the echo is a courtesy there (oci.md §3.1 "when received").
    framed: false, // assumed: S/4 opens the catalog in its own window.
    units: REC20_COMMON,
    unitSeverity: 'fail',
  },
  {
    protocol: 'cxml',
    name: 'ariba',
    title: 'SAP Ariba (cXML, cXML-base64, create/edit/inspect)',
    version: '1.2.071', // cxml.md §1.4: Ariba accepts any 1.2.0xx; its documents carry a recent DOCTYPE.
    formFields: ['cXML-base64'], // cxml.md §3.4: Ariba's catalog team recommends base64.
    operations: ['create', 'edit', 'inspect'], // cxml.md §3.2: Ariba re-opens carts with edit/inspect.
    framed: false,
    units: REC20_COMMON,
    unitSeverity: 'warn', // cxml.md §3.3: "Ariba systems often lack UN" — mapping is buyer-specific.
    refusedCharacters: [],
    refusedInPartIds: ['?', '{', '}'], // cxml.md §3.5: Ariba forbids ? { } in part ids.
    maxPartIdLength: 100, // cxml.md §3.3: keep SupplierPartID / AuxID ≤ 100.
    maxShortNameLength: 50, // cxml.md §3.3: ShortName max 50 (per third-party summary).
    maxPriceDecimals: 0,
    refusesBom: true, // cxml.md §3.4: UTF-8 BOMs are rejected by Ariba (per third-party summary).
    emptyCartSeverity: 'fail',
    defaultDomain: 'NetworkID',
    userAgent: 'Koppel conformance runner (Ariba preset)',
    extrinsics: [['UserEmail', 'probe@example.com'], ['CostCenter', '1000']],
  },
  {
    protocol: 'cxml',
    name: 'coupa',
    title: 'Coupa (cXML 1.2.014, create and inspect, strict units, no ™ ® ©)',
    version: '1.2.014', // cxml.md §1.4: Coupa's samples and generated requests use 1.2.014.
    maxVersion: '1.2.014',
    formFields: ['cXML-base64', 'cXML-urlencoded'], // assumed: no Coupa source names one; both are cXML.
    operations: ['create', 'inspect'], // issue 5: Coupa creates and inspects carts, never edits them.
    framed: false,
    units: REC20_COMMON,
    unitSeverity: 'fail', // cxml.md §3.5: an unknown UOM fails Coupa's cart import.
    refusedCharacters: ['\u2122', '\u00AE', '\u00A9'], // field-failures.md rule 25: Coupa stores ™ ® © badly.
    refusedInPartIds: [],
    maxPartIdLength: 0,
    maxShortNameLength: 0,
    maxPriceDecimals: 0,
    refusesBom: false,
    emptyCartSeverity: 'fail',
    defaultDomain: 'DUNS', // cxml.md §2.2: DUNS is Coupa's default credential domain.
    userAgent: 'Coupa Procurement 1.0',
    // cxml.md §3.5: Coupa's setup request extrinsics.
    extrinsics: [['FirstName', 'Probe'], ['LastName', 'Runner'], ['UniqueName', 'probe'], ['UserEmail', 'probe@example.com'], ['User', 'probe'], ['BusinessUnit', 'Conformance']],
  },
  {
    protocol: 'cxml',
    name: 'jaggaer',
    title: 'Jaggaer (cXML, create/edit)',
    version: '1.2.014', // assumed: no public Jaggaer sample (cxml.md §1.4); a conservative version.
    formFields: ['cXML-base64', 'cXML-urlencoded'],
    operations: ['create', 'edit'], // cxml.md §3.5: "copy requisition" re-sends old aux ids, i.e. carts are re-opened.
    framed: false,
    units: REC20_COMMON,
    unitSeverity: 'warn', // cxml.md §3.5: unknown UOM becomes EA silently — worth a warning, not a refusal.
    refusedCharacters: [],
    refusedInPartIds: [],
    maxPartIdLength: 100, // cxml.md §3.5: SupplierPartID/AuxID ≤ 100.
    maxShortNameLength: 0,
    maxPriceDecimals: 4, // cxml.md §3.3: keep ≤ 4 decimals (Jaggaer).
    refusesBom: false,
    emptyCartSeverity: 'fail',
    defaultDomain: 'DUNS',
    userAgent: 'Koppel conformance runner (Jaggaer preset)',
    extrinsics: [['UserEmail', 'probe@example.com']],
  },
  {
    protocol: 'cxml',
    name: 'oracle',
    title: 'Oracle iProcurement / Fusion (cXML, create)',
    version: '1.2.014', // assumed: no public Oracle sample (cxml.md §1.4).
    formFields: ['cXML-base64', 'cXML-urlencoded'],
    operations: ['create'], // assumed: our sources do not show Oracle re-opening carts.
    framed: false,
    units: ORACLE_UNITS,
    unitSeverity: 'warn', // cxml.md §3.5: Oracle wants EACH-style mappings, configured per buyer.
    refusedCharacters: [],
    refusedInPartIds: [],
    maxPartIdLength: 0,
    maxShortNameLength: 0,
    maxPriceDecimals: 0,
    refusesBom: false,
    emptyCartSeverity: 'warn', // cxml.md §3.5: an empty cart crashed some Oracle versions.
    defaultDomain: 'DUNS',
    userAgent: 'Koppel conformance runner (Oracle preset)',
    extrinsics: [['UserEmail', 'probe@example.com']],
  },
];

export function listPresets(): readonly Preset[] {
  return PRESETS;
}

export function findPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name.toLowerCase());
}
