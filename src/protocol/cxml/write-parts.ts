/**
 * Element builders shared by the cXML writer, in DTD order, plus the version gates: what an
 * older DTD (Coupa still declares 1.2.014) lacks is refused with a clear error instead of
 * being emitted into a document the buyer's validator would reject.
 */
import type { Decimal } from 'decimal.js';
import { formatDecimal, formatMoney } from '../money.js';
import type { Credential, Description, Extrinsic, Header, ItemID, Party } from './model.js';
import { statusText } from './errors.js';
import { el, type XmlElement } from './write-tree.js';
import type {
  AddressInput,
  CommentsInput,
  ContactInput,
  DateInput,
  DistributionInput,
  ItemDetailInput,
  ItemInInput,
  ItemOutInput,
  MoneyInput,
  PhoneInput,
  PostalAddressInput,
  ShippingInput,
  StatusInput,
  TaxDetailInput,
  TaxInput,
} from './write-types.js';

export const DEFAULT_CXML_VERSION = '1.2.071';
export const DEFAULT_LANG = 'en-US';

/** A document the writer refuses to produce (missing required data, or not expressible in the DTD version). */
export class CxmlWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CxmlWriteError';
  }
}

/** Resolved write settings. */
export interface WriteEnv {
  readonly version: string;
  readonly lang: string;
  readonly offsetMinutes: number;
}

const VERSION = /^(\d)\.(\d)\.(\d{3})$/;

function versionParts(version: string): [number, number, number] {
  const m = VERSION.exec(version);
  if (!m) throw new CxmlWriteError(`cXML version must look like 1.2.071, got ${JSON.stringify(version)}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function assertCxmlVersion(version: string): void {
  versionParts(version);
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b`. */
export function compareCxmlVersions(a: string, b: string): number {
  const x = versionParts(a);
  const y = versionParts(b);
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** `http://xml.cxml.org/schemas/cXML/<version>/<file>` — the system id buyers expect. */
export function cxmlSystemId(version: string, file = 'cXML.dtd'): string {
  assertCxmlVersion(version);
  return `http://xml.cxml.org/schemas/cXML/${version}/${file}`;
}

/**
 * First DTD version, among the official DTDs in shared/dtd, that has each construct. All of
 * these are absent from 1.2.014 and 1.2.020 and present in 1.2.037 (InvoiceDetail.dtd, which
 * shares the common modules) or only in 1.2.063; the exact release in between is not known
 * from the files, so the gate is conservative: versions before the first proven one are refused.
 */
export const SINCE = {
  priceBasisQuantity: '1.2.037',
  buyerPartID: '1.2.037',
  itemInCommentsAndExtrinsics: '1.2.037',
  itemInLineAttributes: '1.2.037',
  municipality: '1.2.037',
  addressIDDomain: '1.2.037',
  orderRequestedDeliveryDate: '1.2.037',
  orderTypeBlanket: '1.2.020',
  orderTypeStockTransport: '1.2.063',
  repeatedComments: '1.2.063',
  itemOutOperation: '1.2.063',
} as const;

export type WriterFeature = keyof typeof SINCE;

export function supports(env: WriteEnv, feature: WriterFeature): boolean {
  return compareCxmlVersions(env.version, SINCE[feature]) >= 0;
}

export function requireFeature(env: WriteEnv, feature: WriterFeature, what: string): void {
  if (!supports(env, feature)) {
    throw new CxmlWriteError(
      `${what} cannot be written for cXML ${env.version}: the element/attribute is not in that DTD ` +
        `(first found in ${SINCE[feature]}); leave it out or normalise the data for this buyer`,
    );
  }
}

// ---- value checks ---------------------------------------------------------------------------

export function nonEmpty(value: string | undefined, what: string): string {
  if (value === undefined || value.trim() === '') throw new CxmlWriteError(`${what} is required`);
  return value;
}

/** NMTOKEN-typed attributes (currency, country, language, role, requestName). */
export function token(value: string, what: string): string {
  if (!/^[A-Za-z0-9._:-]+$/.test(value)) throw new CxmlWriteError(`${what} must be a code without spaces, got ${JSON.stringify(value)}`);
  return value;
}

export function uint(value: number, what: string): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new CxmlWriteError(`${what} must be a whole number ≥ 0, got ${value}`);
  return String(value);
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new CxmlWriteError(`${what} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function quantity(value: Decimal, what: string): string {
  if (!value.isFinite() || (value.isNegative() && !value.isZero())) throw new CxmlWriteError(`${what} must be a number ≥ 0`);
  return formatDecimal(value);
}

// ---- dates ----------------------------------------------------------------------------------

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * ISO 8601 with a numeric offset (`2026-12-03T10:00:00+01:00`), never `Z` — the cXML
 * guide forbids it. Fractions of a second are dropped.
 */
export function formatCxmlTimestamp(instant: Date, offsetMinutes = 0): string {
  const t = instant.getTime();
  if (!Number.isFinite(t)) throw new CxmlWriteError('timestamp is not a valid date');
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > 14 * 60) {
    throw new CxmlWriteError(`zone offset must be whole minutes within ±14:00, got ${offsetMinutes}`);
  }
  const local = new Date(t + offsetMinutes * 60_000);
  const year = local.getUTCFullYear();
  if (year < 1 || year > 9999) throw new CxmlWriteError(`year ${year} cannot be written`);
  const abs = Math.abs(offsetMinutes);
  return (
    `${pad(year, 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

export function dateValue(value: DateInput, env: WriteEnv, what: string): string {
  if (value instanceof Date) return formatCxmlTimestamp(value, env.offsetMinutes);
  if (typeof value === 'string') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new CxmlWriteError(`${what}: a text date must be YYYY-MM-DD, got ${JSON.stringify(value)}`);
    return value;
  }
  // A date-only value stays as sent: shifting it through a zone could change the day.
  if (value.dateOnly !== undefined) return value.dateOnly;
  if (value.instant !== undefined) return formatCxmlTimestamp(value.instant, env.offsetMinutes);
  throw new CxmlWriteError(`${what}: "${value.raw}" is not a date that can be written`);
}

// ---- small elements -------------------------------------------------------------------------

export function money(m: MoneyInput, what: string): XmlElement {
  const currency = m.currency.toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new CxmlWriteError(`${what}: currency must be an ISO 4217 code, got ${JSON.stringify(m.currency)}`);
  if (!m.amount.isFinite()) throw new CxmlWriteError(`${what}: amount is not a finite number`);
  return el('Money', { currency }, formatMoney(m.amount, currency));
}

function lang(value: string | undefined, env: WriteEnv, what: string): string {
  return token(value === undefined || value === '' ? env.lang : value, `${what} language`);
}

export function description(d: Description, env: WriteEnv, what: string): XmlElement {
  return el(
    'Description',
    { 'xml:lang': lang(d.lang, env, what) },
    d.shortName ? el('ShortName', null, d.shortName) : undefined,
    d.text,
  );
}

function textDescription(text: string, env: WriteEnv): XmlElement {
  return el('Description', { 'xml:lang': env.lang }, text);
}

export function extrinsic(x: Extrinsic): XmlElement {
  return el('Extrinsic', { name: nonEmpty(x.name, 'Extrinsic name') }, x.value);
}

export function status(s: StatusInput, env: WriteEnv): XmlElement {
  if (!Number.isInteger(s.code) || s.code < 100 || s.code > 999) throw new CxmlWriteError(`Status code must be a 3-digit number, got ${s.code}`);
  return el('Status', { code: s.code, text: s.text ?? statusText(s.code), 'xml:lang': env.lang }, s.detail);
}

// ---- addresses and contacts -----------------------------------------------------------------

function phone(tag: 'Phone' | 'Fax', p: PhoneInput, fallbackIso: string | undefined, what: string): XmlElement {
  const iso = p.isoCountryCode ?? fallbackIso;
  if (!iso) throw new CxmlWriteError(`${what}: the ISO country of the phone number is required (CountryCode@isoCountryCode)`);
  return el(
    tag,
    { name: p.name },
    el(
      'TelephoneNumber',
      null,
      el('CountryCode', { isoCountryCode: token(iso, `${what} country`) }, p.countryCode ?? ''),
      el('AreaOrCityCode', null, p.areaOrCityCode ?? ''),
      el('Number', null, nonEmpty(p.number, `${what} number`)),
      p.extension ? el('Extension', null, p.extension) : undefined,
    ),
  );
}

export function postalAddress(pa: PostalAddressInput, env: WriteEnv, what: string): XmlElement {
  if (pa.street.length === 0) throw new CxmlWriteError(`${what}: at least one street line is required`);
  const code = token(nonEmpty(pa.countryCode, `${what} country code`), `${what} country code`);
  if (pa.municipality) requireFeature(env, 'municipality', `${what} Municipality`);
  return el(
    'PostalAddress',
    { name: pa.name },
    (pa.deliverTo ?? []).map((d) => el('DeliverTo', null, d)),
    pa.street.map((s) => el('Street', null, s)),
    el('City', null, nonEmpty(pa.city, `${what} city`)),
    pa.municipality ? el('Municipality', null, pa.municipality) : undefined,
    pa.state ? el('State', null, pa.state) : undefined,
    pa.postalCode ? el('PostalCode', null, pa.postalCode) : undefined,
    el('Country', { isoCountryCode: code }, pa.country || code),
  );
}

export function address(a: AddressInput, env: WriteEnv, what: string): XmlElement {
  if (a.addressIDDomain) requireFeature(env, 'addressIDDomain', `${what} addressIDDomain`);
  const iso = a.isoCountryCode ?? a.postalAddress?.countryCode;
  return el(
    'Address',
    {
      isoCountryCode: a.isoCountryCode ? token(a.isoCountryCode, `${what} isoCountryCode`) : undefined,
      addressID: a.addressID,
      addressIDDomain: a.addressIDDomain,
    },
    el('Name', { 'xml:lang': env.lang }, nonEmpty(a.name, `${what} name`)),
    a.postalAddress && postalAddress(a.postalAddress, env, what),
    a.email ? el('Email', null, a.email) : undefined,
    a.phone && phone('Phone', a.phone, iso, `${what} phone`),
    a.fax && phone('Fax', a.fax, iso, `${what} fax`),
    a.url ? el('URL', null, a.url) : undefined,
  );
}

export function contact(c: ContactInput, env: WriteEnv, what: string): XmlElement {
  return el(
    'Contact',
    { role: c.role ? token(c.role, `${what} role`) : undefined },
    el('Name', { 'xml:lang': env.lang }, nonEmpty(c.name, `${what} name`)),
    c.postalAddress && postalAddress(c.postalAddress, env, what),
    c.email ? el('Email', null, c.email) : undefined,
    c.phone && phone('Phone', c.phone, c.postalAddress?.countryCode, `${what} phone`),
  );
}

// ---- money-bearing blocks -------------------------------------------------------------------

export function shipping(s: ShippingInput, env: WriteEnv, what: string): XmlElement {
  return el(
    'Shipping',
    { trackingDomain: s.trackingDomain, trackingId: s.trackingId },
    money(s.money, `${what} Shipping`),
    textDescription(s.description, env),
  );
}

function taxDetail(d: TaxDetailInput, env: WriteEnv, what: string): XmlElement {
  return el(
    'TaxDetail',
    {
      purpose: d.purpose,
      category: nonEmpty(d.category, `${what} TaxDetail category`),
      percentageRate: d.percentageRate !== undefined ? formatDecimal(d.percentageRate) : undefined,
    },
    d.taxableAmount && el('TaxableAmount', null, money(d.taxableAmount, `${what} TaxableAmount`)),
    el('TaxAmount', null, money(d.taxAmount, `${what} TaxAmount`)),
    d.description ? textDescription(d.description, env) : undefined,
  );
}

export function tax(t: TaxInput, env: WriteEnv, what: string): XmlElement {
  return el(
    'Tax',
    null,
    money(t.money, `${what} Tax`),
    textDescription(t.description, env),
    (t.details ?? []).map((d) => taxDetail(d, env, what)),
  );
}

export function comments(c: CommentsInput, what: string): XmlElement {
  return el(
    'Comments',
    { 'xml:lang': c.lang ? token(c.lang, `${what} Comments language`) : undefined },
    c.text,
    (c.attachmentUrls ?? []).map((u) => el('Attachment', null, el('URL', null, u))),
  );
}

function distribution(d: DistributionInput, env: WriteEnv, what: string): XmlElement {
  if (d.segments.length === 0) throw new CxmlWriteError(`${what}: Distribution needs at least one accounting segment`);
  // The old Segment form needs type and description on every segment; otherwise use AccountingSegment.
  const legacy = d.segments.every((s) => s.type && s.description);
  const segments = legacy
    ? d.segments.map((s) => el('Segment', { type: s.type, id: s.id, description: s.description }))
    : d.segments.map((s) =>
        el(
          'AccountingSegment',
          { id: s.id },
          el('Name', { 'xml:lang': env.lang }, s.type || s.id),
          el('Description', { 'xml:lang': env.lang }, s.description ?? ''),
        ),
      );
  return el(
    'Distribution',
    null,
    el('Accounting', { name: nonEmpty(d.accountingName, `${what} Accounting name`) }, segments),
    el('Charge', null, money(d.charge, `${what} Charge`)),
  );
}

// ---- items ----------------------------------------------------------------------------------

export function itemID(id: ItemID, env: WriteEnv, what: string): XmlElement {
  if (id.buyerPartID) requireFeature(env, 'buyerPartID', `${what} BuyerPartID`);
  return el(
    'ItemID',
    null,
    el('SupplierPartID', null, id.supplierPartID),
    id.supplierPartAuxiliaryID !== undefined && id.supplierPartAuxiliaryID !== ''
      ? el('SupplierPartAuxiliaryID', null, id.supplierPartAuxiliaryID)
      : undefined,
    id.buyerPartID ? el('BuyerPartID', null, id.buyerPartID) : undefined,
  );
}

export function itemDetail(d: ItemDetailInput, env: WriteEnv, what: string): XmlElement {
  if (d.descriptions.length === 0) throw new CxmlWriteError(`${what}: at least one Description is required`);
  if (d.classifications.length === 0) {
    throw new CxmlWriteError(`${what}: at least one Classification is required (e.g. UNSPSC)`);
  }
  const pbq = d.priceBasisQuantity;
  if (pbq) requireFeature(env, 'priceBasisQuantity', `${what} PriceBasisQuantity`);
  return el(
    'ItemDetail',
    null,
    el('UnitPrice', null, money(d.unitPrice, `${what} UnitPrice`)),
    d.descriptions.map((x) => description(x, env, what)),
    el('UnitOfMeasure', null, nonEmpty(d.unitOfMeasure, `${what} UnitOfMeasure`)),
    pbq &&
      el(
        'PriceBasisQuantity',
        {
          quantity: quantity(pbq.quantity, `${what} PriceBasisQuantity quantity`),
          conversionFactor: quantity(pbq.conversionFactor, `${what} PriceBasisQuantity conversionFactor`),
        },
        el('UnitOfMeasure', null, nonEmpty(pbq.unitOfMeasure, `${what} PriceBasisQuantity unit`)),
        pbq.description && description(pbq.description, env, what),
      ),
    d.classifications.map((c) => el('Classification', { domain: c.domain }, c.code)),
    d.manufacturerPartID ? el('ManufacturerPartID', null, d.manufacturerPartID) : undefined,
    d.manufacturerName ? el('ManufacturerName', null, d.manufacturerName) : undefined,
    d.url ? el('URL', null, d.url) : undefined,
    d.leadTime !== undefined ? el('LeadTime', null, uint(d.leadTime, `${what} LeadTime`)) : undefined,
    (d.extrinsics ?? []).map(extrinsic),
  );
}

export function itemIn(item: ItemInInput, env: WriteEnv, what: string): XmlElement {
  if (item.parentLineNumber !== undefined || item.itemType || item.itemClassification) {
    requireFeature(env, 'itemInLineAttributes', `${what} parentLineNumber/itemType/itemClassification`);
  }
  const extrinsics = item.extrinsics ?? [];
  if (item.comments || extrinsics.length > 0) requireFeature(env, 'itemInCommentsAndExtrinsics', `${what} Comments/Extrinsic`);
  return el(
    'ItemIn',
    {
      quantity: quantity(item.quantity, `${what} quantity`),
      lineNumber: item.lineNumber !== undefined ? uint(item.lineNumber, `${what} lineNumber`) : undefined,
      parentLineNumber: item.parentLineNumber !== undefined ? uint(item.parentLineNumber, `${what} parentLineNumber`) : undefined,
      itemType: item.itemType ? oneOf(item.itemType, ['composite', 'item', 'lean'], `${what} itemType`) : undefined,
      itemClassification: item.itemClassification
        ? oneOf(item.itemClassification, ['material', 'service'], `${what} itemClassification`)
        : undefined,
    },
    itemID(item.itemID, env, what),
    itemDetail(item.itemDetail, env, what),
    item.shipping && shipping(item.shipping, env, what),
    item.tax && tax(item.tax, env, what),
    item.comments && comments(item.comments, what),
    extrinsics.map(extrinsic),
  );
}

export function commentsList(list: readonly CommentsInput[], env: WriteEnv, what: string): XmlElement[] {
  if (list.length > 1) requireFeature(env, 'repeatedComments', `${what}: more than one Comments`);
  return list.map((c) => comments(c, what));
}

export function itemOut(item: ItemOutInput, env: WriteEnv, what: string): XmlElement {
  if (item.extrinsics && item.extrinsics.length > 0) {
    throw new CxmlWriteError(`${what}: ItemOut has no Extrinsic in the cXML DTD; put item extrinsics in itemDetail.extrinsics`);
  }
  if (item.operation) requireFeature(env, 'itemOutOperation', `${what} operation`);
  return el(
    'ItemOut',
    {
      quantity: quantity(item.quantity, `${what} quantity`),
      lineNumber: item.lineNumber !== undefined ? uint(item.lineNumber, `${what} lineNumber`) : undefined,
      requestedDeliveryDate:
        item.requestedDeliveryDate !== undefined ? dateValue(item.requestedDeliveryDate, env, `${what} requestedDeliveryDate`) : undefined,
      isAdHoc: item.isAdHoc ? 'yes' : undefined,
      operation: item.operation ? oneOf(item.operation, ['delete', 'block'], `${what} operation`) : undefined,
    },
    itemID(item.itemID, env, what),
    item.itemDetail && itemDetail(item.itemDetail, env, what),
    item.shipTo && el('ShipTo', null, address(item.shipTo, env, `${what} ShipTo`)),
    item.shipping && shipping(item.shipping, env, what),
    item.tax && tax(item.tax, env, what),
    (item.distributions ?? []).map((d) => distribution(d, env, what)),
    (item.contacts ?? []).map((c) => contact(c, env, `${what} Contact`)),
    commentsList(item.comments ?? [], env, what),
  );
}

// ---- envelope -------------------------------------------------------------------------------

function credential(c: Credential, withSecret: boolean, what: string): XmlElement {
  return el(
    'Credential',
    {
      domain: nonEmpty(c.domain, `${what} credential domain`),
      type: c.type ? oneOf(c.type, ['marketplace'], `${what} credential type`) : undefined,
    },
    el('Identity', null, c.identity),
    // Secrets are only ever sent under Sender; one found in From/To is not written.
    withSecret && c.sharedSecret !== undefined ? el('SharedSecret', null, c.sharedSecret) : undefined,
  );
}

function party(tag: 'From' | 'To', p: Party): XmlElement {
  if (p.credentials.length === 0) throw new CxmlWriteError(`Header ${tag} needs at least one Credential`);
  return el(tag, null, p.credentials.map((c) => credential(c, false, tag)));
}

export function header(h: Header): XmlElement {
  if (h.sender.credentials.length === 0) throw new CxmlWriteError('Header Sender needs at least one Credential');
  return el(
    'Header',
    null,
    party('From', h.from),
    party('To', h.to),
    el(
      'Sender',
      null,
      h.sender.credentials.map((c) => credential(c, true, 'Sender')),
      el('UserAgent', null, nonEmpty(h.sender.userAgent, 'Sender UserAgent')),
    ),
  );
}
