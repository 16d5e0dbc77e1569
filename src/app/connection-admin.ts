/**
 * Managing buyer connections (admin pages and `koppel connections`): validation with messages
 * that name the field, creation with a generated secret, edits, enable/disable, secret rotation
 * with an overlap, and the sealed outbound secret. Every change is audited in the same
 * transaction as the change itself; no audit detail and no log line carries a secret.
 */
import { DEFAULT_OPTIONS, withDefaults, type Connection, type Identity, type ProductAttribute, type StoredOptions } from '../domain/connection.js';
import { hasControlCharacter, hiddenCharacter } from '../domain/visible-text.js';
import { audit } from './admin-users.js';
import { connectionFromRow, getConnection } from './connections.js';
import { iso, type AppContext } from './context.js';
import { ipEntryProblem } from './ip-allow-list.js';
import { sealingKey, seal, unseal } from './sealed-secrets.js';
import { hashSecret, verifySecret, verifySecretAsync } from './secrets.js';

export interface Actor {
  id?: string;
  username: string;
}

export interface ConnectionInput {
  id: string;
  name: string;
  protocol: 'oci' | 'cxml';
  environment: 'test' | 'production';
  /** Groups the test and production connections of one buyer; empty = the name. */
  buyerOrg: string;
  /** cXML */
  buyerIdentities: Identity[];
  supplierIdentities: Identity[];
  senderIdentities: Identity[];
  /** OCI */
  ociUsername?: string | null;
  returnUrlPrefixes: string[];
  /** Stored as options.oci.allowSapEvent; this field wins over the value inside `options`. */
  allowSapEvent: boolean;
  ipAllowList: string[];
  /** Replace the stored options as a whole; parts left out get their defaults. */
  options: StoredOptions;
  priceListId?: string | null;
}

/** One problem with the input: `field` is a path such as `options.cxml.version` or `buyerIdentities[1].domain`. */
export interface FieldProblem {
  field: string;
  message: string;
}

export class ConnectionInputError extends Error {
  readonly problems: string[];
  readonly fieldProblems: FieldProblem[];
  constructor(problems: FieldProblem[]) {
    super(`the connection was not saved: ${problems.map(problemText).join('; ')}`);
    this.name = 'ConnectionInputError';
    this.fieldProblems = problems;
    this.problems = problems.map(problemText);
  }
}

export class ConnectionNotFoundError extends Error {
  constructor(readonly connectionId: string) {
    super(`there is no connection "${connectionId}"`);
    this.name = 'ConnectionNotFoundError';
  }
}

/** cXML DTD versions a connection may use: the official DTDs every emitted document is validated against. */
export const SUPPORTED_CXML_VERSIONS = ['1.2.014', '1.2.020', '1.2.037', '1.2.063', '1.2.071'] as const;
export const CXML_FORM_FIELDS = ['cXML-base64', 'cXML-urlencoded'] as const;
export const OCI_CHARSETS = ['UTF-8', 'ISO-8859-1'] as const;
/** Longest overlap a rotation may keep the old secret alive. */
export const MAX_OVERLAP_DAYS = 90;
export const MIN_SECRET_LENGTH = 8;
/**
 * Bounds of a connection's lists. Frame ancestors become a header of every storefront page (a
 * proxy refuses a header of many kilobytes), the IP allow-list is read on every request of the
 * buyer, and no buyer needs more; a paste or a forged form cannot make them endless.
 */
export const MAX_RETURN_URL_PREFIXES = 100;
export const MAX_RETURN_URL_PREFIX_LENGTH = 2048;
export const MAX_FRAME_ANCESTORS = 20;
export const MAX_IP_ALLOW_LIST = 1000;

const PRODUCT_ATTRIBUTES = ['sku', 'name', 'description', 'manufacturer', 'manufacturerPartId', 'unspsc', 'unit', 'category', 'leadTimeDays', 'id'] as const satisfies readonly ProductAttribute[];

function problemText(p: FieldProblem): string {
  return `${p.field}: ${p.message}`;
}

// ---- validation -----------------------------------------------------------------------------

const CONTROL = /[\u0000-\u001f\u007f]/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function quote(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return JSON.stringify(s !== undefined && s.length > 80 ? `${s.slice(0, 77)}...` : s);
}

/** A plain text field: a string, no control characters, within a length. */
function checkText(out: FieldProblem[], field: string, value: unknown, o: { required?: boolean; max?: number } = {}): void {
  if (value === undefined || value === null || value === '') {
    if (o.required) out.push({ field, message: 'is required' });
    return;
  }
  if (typeof value !== 'string') return void out.push({ field, message: 'must be text' });
  if (o.required && value.trim() === '') return void out.push({ field, message: 'is required (only blanks given)' });
  const hidden = hiddenCharacter(value);
  if (hasControlCharacter(value)) out.push({ field, message: 'contains control characters' });
  else if (hidden) out.push({ field, message: `contains an invisible or text-direction character (${hidden})` });
  if (value.length > (o.max ?? 200)) out.push({ field, message: `is longer than ${o.max ?? 200} characters` });
}

function checkIdentities(out: FieldProblem[], field: string, value: unknown, what: string, required: boolean): void {
  if (!Array.isArray(value)) return void out.push({ field, message: 'must be a list of {domain, identity}' });
  if (required && value.length === 0) out.push({ field, message: `at least one ${what} (domain and identity) is needed` });
  value.forEach((item, i) => {
    const f = `${field}[${i}]`;
    if (!isRecord(item)) return void out.push({ field: f, message: 'must have a domain and an identity' });
    for (const part of ['domain', 'identity'] as const) {
      const v = item[part];
      if (typeof v !== 'string' || v.trim() === '') out.push({ field: `${f}.${part}`, message: `the ${part} is empty` });
      else checkText(out, `${f}.${part}`, v);
    }
  });
}

/** Problems with one allowed return URL prefix, or undefined (rule 9: SAPEVENT only as the option; never javascript:/data:). */
export function returnUrlPrefixProblem(prefix: string): string | undefined {
  if (prefix === '*' || prefix === 'http://' || prefix === 'https://') return undefined;
  if (prefix.length > MAX_RETURN_URL_PREFIX_LENGTH) return `is longer than ${MAX_RETURN_URL_PREFIX_LENGTH} characters`;
  if (prefix.trim() !== prefix) return `${quote(prefix)} has leading or trailing blanks`;
  if (CONTROL.test(prefix) || /\s/.test(prefix)) return `${quote(prefix)} contains blanks or control characters`;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(prefix)?.[1]?.toLowerCase();
  if (scheme === 'sapevent') return 'SAPEVENT: is not a URL prefix; turn on the "allow SAPEVENT" option (OCI) instead';
  if (scheme === 'javascript' || scheme === 'data' || scheme === 'vbscript') return `${scheme}: URLs are never allowed as return URLs`;
  if (scheme !== 'http' && scheme !== 'https') return `${quote(prefix)} must start with http:// or https:// (or be * for any URL)`;
  const m = /^https?:\/\/([^/?#]*)(.*)$/is.exec(prefix);
  if (!m || m[1] === '') return `${quote(prefix)} has no host (expected e.g. https://buyer.example/punchout/)`;
  const authority = m[1]!;
  if (authority.includes('@')) return `${quote(prefix)} carries user information (user@host)`;
  if (authority.includes('\\')) return `${quote(prefix)} has a backslash in its host`;
  const wildcard = authority.startsWith('*.');
  const host = (wildcard ? authority.slice(2) : authority).replace(/:\d{1,5}$/, '').toLowerCase();
  let parsed: URL;
  try {
    parsed = new URL(`${scheme}://${wildcard ? authority.slice(2) : authority}/`);
  } catch {
    return `${quote(prefix)} is not a valid URL`;
  }
  if (parsed.hostname !== host || host.includes('*')) return `${quote(prefix)} has an unusual host "${host}" (read as "${parsed.hostname}")`;
  return undefined;
}

/**
 * Problems with the URL documents (confirmations, ship notices, invoices) are posted to, or
 * undefined. Empty means "none configured". The outbox posts to it verbatim and never follows
 * redirects, so it must be a plain absolute http(s) URL.
 */
export function documentUrlProblem(url: string): string | undefined {
  if (url === '') return undefined;
  if (url.length > MAX_RETURN_URL_PREFIX_LENGTH) return `is longer than ${MAX_RETURN_URL_PREFIX_LENGTH} characters`;
  if (CONTROL.test(url) || /\s/.test(url)) return `${quote(url)} contains blanks or control characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${quote(url)} is not a URL (expected e.g. https://service.ariba.com/service/transaction/cxml.asp)`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `${quote(url)} must start with http:// or https://`;
  if (parsed.hostname === '') return `${quote(url)} has no host`;
  if (parsed.username !== '' || parsed.password !== '') return `${quote(url)} carries user information (user@host); the buyer authenticates documents by the SharedSecret`;
  return undefined;
}

const OPTION_KEYS = ['oci', 'cxml', 'unitMap', 'currencyMap', 'classificationDomain', 'textRules', 'limits', 'fieldMapping', 'frameAncestors'] as const satisfies readonly (keyof StoredOptions)[];

function unknownKeys(out: FieldProblem[], field: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) if (!known.includes(key)) out.push({ field: `${field}.${key}`, message: `is not a known option (known: ${known.join(', ')})` });
}

function checkOneOf(out: FieldProblem[], field: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) out.push({ field, message: `must be one of ${allowed.join(', ')}, not ${quote(value)}` });
}

function checkBoolean(out: FieldProblem[], field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') out.push({ field, message: 'must be true or false' });
}

function checkCount(out: FieldProblem[], field: string, value: unknown, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    out.push({ field, message: max === Number.MAX_SAFE_INTEGER ? `must be a whole number, 0 or more, not ${quote(value)}` : `must be a whole number from 0 to ${max}, not ${quote(value)}` });
  }
}

function checkDecimalText(out: FieldProblem[], field: string, value: unknown, max?: number): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !/^\d{1,12}(\.\d{1,6})?$/.test(value)) {
    return void out.push({ field, message: `must be a decimal number written with a dot (e.g. 4.95), not ${quote(value)}` });
  }
  if (max !== undefined && Number(value) > max) out.push({ field, message: `must not be more than ${max}` });
}

function checkCodeMap(out: FieldProblem[], field: string, value: unknown, ours: RegExp, theirs: RegExp, shape: string): void {
  if (value === undefined) return;
  if (!isRecord(value)) return void out.push({ field, message: 'must map codes to codes' });
  for (const [k, v] of Object.entries(value)) {
    if (!ours.test(k)) out.push({ field: `${field}.${k}`, message: `our code ${quote(k)} is not ${shape}` });
    if (typeof v !== 'string' || !theirs.test(v)) out.push({ field: `${field}.${k}`, message: `the buyer's code ${quote(v)} is not ${shape}` });
  }
}

function checkOptions(out: FieldProblem[], options: unknown): void {
  if (options === undefined) return;
  if (!isRecord(options)) return void out.push({ field: 'options', message: 'must be an object' });
  unknownKeys(out, 'options', options, OPTION_KEYS);

  const oci = options.oci;
  if (oci !== undefined) {
    if (!isRecord(oci)) out.push({ field: 'options.oci', message: 'must be an object' });
    else {
      unknownKeys(out, 'options.oci', oci, Object.keys(DEFAULT_OPTIONS.oci));
      checkOneOf(out, 'options.oci.charset', oci.charset, OCI_CHARSETS);
      for (const name of ['usernameField', 'passwordField', 'hookUrlField'] as const) {
        const v = oci[name];
        if (v !== undefined && (typeof v !== 'string' || !/^[A-Za-z0-9_~.-]{1,64}$/.test(v))) out.push({ field: `options.oci.${name}`, message: `must be a form field name (letters, digits, _ ~ . -), not ${quote(v)}` });
      }
      checkBoolean(out, 'options.oci.emitEmptyFields', oci.emitEmptyFields);
      checkBoolean(out, 'options.oci.allowSapEvent', oci.allowSapEvent);
      checkCount(out, 'options.oci.maxPriceDecimals', oci.maxPriceDecimals, 6);
      checkOneOf(out, 'options.oci.priceUnitMode', oci.priceUnitMode, ['per-unit', 'price-unit']);
    }
  }

  const cxml = options.cxml;
  if (cxml !== undefined) {
    if (!isRecord(cxml)) out.push({ field: 'options.cxml', message: 'must be an object' });
    else {
      unknownKeys(out, 'options.cxml', cxml, Object.keys(DEFAULT_OPTIONS.cxml));
      checkOneOf(out, 'options.cxml.version', cxml.version, SUPPORTED_CXML_VERSIONS);
      checkOneOf(out, 'options.cxml.formField', cxml.formField, CXML_FORM_FIELDS);
      const target = cxml.defaultTarget;
      if (target !== undefined && (typeof target !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(target))) out.push({ field: 'options.cxml.defaultTarget', message: `must be a frame name such as _self or _top, not ${quote(target)}` });
      checkBoolean(out, 'options.cxml.cartShipping', cxml.cartShipping);
      checkDecimalText(out, 'options.cxml.shippingAmount', cxml.shippingAmount);
      checkBoolean(out, 'options.cxml.cartTax', cxml.cartTax);
      checkDecimalText(out, 'options.cxml.taxRatePercent', cxml.taxRatePercent, 100);
      checkBoolean(out, 'options.cxml.totalIncludesExtras', cxml.totalIncludesExtras);
      checkOneOf(out, 'options.cxml.taxRounding', cxml.taxRounding, ['line', 'document']);
      if (cxml.documentUrl !== undefined) {
        const problem = typeof cxml.documentUrl === 'string' ? documentUrlProblem(cxml.documentUrl) : 'must be text';
        if (problem) out.push({ field: 'options.cxml.documentUrl', message: problem });
      }
      checkCount(out, 'options.cxml.paymentTermDays', cxml.paymentTermDays, 365);
      checkBoolean(out, 'options.cxml.invoiceTaxInLine', cxml.invoiceTaxInLine);
      // Line taxes must add up to the invoice's tax, which only rounding per line guarantees.
      if (cxml.invoiceTaxInLine === true && cxml.taxRounding === 'document') out.push({ field: 'options.cxml.invoiceTaxInLine', message: 'needs tax rounding per line (rounded once on the document, the line taxes may not add up to the total tax)' });
    }
  }

  // OCI's UNIT field holds 3 characters; UN/ECE Rec 20 codes (EA, C62, H87) fit.
  checkCodeMap(out, 'options.unitMap', options.unitMap, /^[A-Za-z0-9][A-Za-z0-9_.-]{0,15}$/, /^[A-Za-z0-9]{1,3}$/, 'a unit code (1–3 letters or digits for the buyer, e.g. EA, C62)');
  checkCodeMap(out, 'options.currencyMap', options.currencyMap, /^[A-Z]{3}$/, /^[A-Z]{3}$/, 'a three-letter currency code (e.g. EUR)');
  if (options.classificationDomain !== undefined) checkText(out, 'options.classificationDomain', options.classificationDomain, { required: true, max: 64 });

  const textRules = options.textRules;
  if (textRules !== undefined) {
    if (!isRecord(textRules)) out.push({ field: 'options.textRules', message: 'must be an object' });
    else {
      unknownKeys(out, 'options.textRules', textRules, Object.keys(DEFAULT_OPTIONS.textRules));
      checkBoolean(out, 'options.textRules.symbolsAsText', textRules.symbolsAsText);
    }
  }
  const limits = options.limits;
  if (limits !== undefined) {
    if (!isRecord(limits)) out.push({ field: 'options.limits', message: 'must be an object' });
    else {
      unknownKeys(out, 'options.limits', limits, Object.keys(DEFAULT_OPTIONS.limits));
      checkCount(out, 'options.limits.maxLines', limits.maxLines);
      checkCount(out, 'options.limits.maxBytes', limits.maxBytes);
    }
  }
  const ancestors = options.frameAncestors;
  if (ancestors !== undefined) {
    if (!Array.isArray(ancestors)) out.push({ field: 'options.frameAncestors', message: 'must be a list of origins' });
    else if (ancestors.length > MAX_FRAME_ANCESTORS) out.push({ field: 'options.frameAncestors', message: `at most ${MAX_FRAME_ANCESTORS} entries, not ${ancestors.length}` });
    else
      ancestors.forEach((a, i) => {
        // A CSP source expression: scheme://host[:port] with an optional leading *. label.
        const origin = typeof a === 'string' ? /^https?:\/\/(?:\*\.)?([A-Za-z0-9.-]+)(:\d{1,5})?$/.exec(a) : null;
        if (!origin) {
          out.push({ field: `options.frameAncestors[${i}]`, message: `${quote(a)} is not an origin such as https://procurement.buyer.example or https://*.ariba.com` });
        } else if (origin[1]!.length > 253) {
          out.push({ field: `options.frameAncestors[${i}]`, message: `${quote(a)} has a host longer than 253 characters` });
        }
      });
  }
  const mapping = options.fieldMapping;
  if (mapping !== undefined) {
    if (!isRecord(mapping)) out.push({ field: 'options.fieldMapping', message: 'must be an object' });
    else {
      unknownKeys(out, 'options.fieldMapping', mapping, ['oci', 'cxml']);
      for (const side of ['oci', 'cxml'] as const) {
        const entries = mapping[side];
        if (entries === undefined) continue;
        if (!isRecord(entries)) {
          out.push({ field: `options.fieldMapping.${side}`, message: 'must map field names to sources' });
          continue;
        }
        for (const [target, source] of Object.entries(entries)) {
          const f = `options.fieldMapping.${side}.${target}`;
          if (!/^[A-Za-z0-9_:.-]{1,64}$/.test(target)) out.push({ field: f, message: `${quote(target)} is not a field name` });
          if (!isRecord(source)) out.push({ field: f, message: 'must be a source such as {"kind":"attribute","attribute":"sku"}' });
          else if (source.kind === 'attribute') {
            checkOneOf(out, `${f}.attribute`, source.attribute ?? '', PRODUCT_ATTRIBUTES);
            if (source.fallback !== undefined) checkText(out, `${f}.fallback`, source.fallback, { max: 1000 });
          } else if (source.kind === 'constant') {
            if (typeof source.value !== 'string') out.push({ field: `${f}.value`, message: 'must be text' });
            else checkText(out, `${f}.value`, source.value, { max: 1000 });
          } else if (source.kind !== 'empty') out.push({ field: `${f}.kind`, message: `must be attribute, constant or empty, not ${quote(source.kind)}` });
        }
      }
    }
  }
}

/** A secret given by a person (inbound or outbound): printable, no blanks around it, not trivially short. */
export function secretProblem(secret: unknown, min = MIN_SECRET_LENGTH): string | undefined {
  if (typeof secret !== 'string') return 'must be text';
  if (secret.length < min) return `must have at least ${min} characters`;
  if (secret.length > 256) return 'must not be longer than 256 characters';
  if (secret.trim() !== secret) return 'has leading or trailing blanks';
  if (CONTROL.test(secret)) return 'contains control characters';
  return undefined;
}

/** Ids that would collide with admin paths under /admin/connections/. */
const RESERVED_IDS = new Set(['new']);

/** Every problem with the input, each naming its field. */
export function validateConnectionFields(input: ConnectionInput & { secret?: string }, existing?: Connection): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (typeof input.id !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(input.id)) {
    out.push({ field: 'id', message: `${quote(input.id ?? '')} must be 1–63 lower-case letters, digits and dashes, starting with a letter or digit (it appears in URLs)` });
  } else if (existing && input.id !== existing.id) out.push({ field: 'id', message: `cannot be changed (it is "${existing.id}")` });
  else if (!existing && RESERVED_IDS.has(input.id)) out.push({ field: 'id', message: `"${input.id}" is reserved (it names a page of the admin); choose another` });
  checkText(out, 'name', input.name, { required: true });
  if (input.protocol !== 'oci' && input.protocol !== 'cxml') out.push({ field: 'protocol', message: `must be oci or cxml, not ${quote(input.protocol ?? '')}` });
  else if (existing && input.protocol !== existing.protocol) out.push({ field: 'protocol', message: `cannot be changed (it is ${existing.protocol}); create a new connection instead` });
  if (input.environment !== 'test' && input.environment !== 'production') out.push({ field: 'environment', message: `must be test or production, not ${quote(input.environment ?? '')}` });
  checkText(out, 'buyerOrg', input.buyerOrg);

  const cxml = input.protocol === 'cxml';
  checkIdentities(out, 'buyerIdentities', input.buyerIdentities ?? [], 'From identity of the buyer', cxml);
  checkIdentities(out, 'supplierIdentities', input.supplierIdentities ?? [], 'To identity', false);
  checkIdentities(out, 'senderIdentities', input.senderIdentities ?? [], 'Sender identity', cxml);
  if (input.protocol === 'oci') {
    const u = input.ociUsername;
    if (typeof u !== 'string' || u.trim() === '') out.push({ field: 'ociUsername', message: 'is required for an OCI connection (the USERNAME the buyer sends)' });
    else if (u.trim() !== u) out.push({ field: 'ociUsername', message: 'has leading or trailing blanks' });
    else checkText(out, 'ociUsername', u);
  }

  if (typeof input.allowSapEvent !== 'boolean') out.push({ field: 'allowSapEvent', message: 'must be true or false' });
  else if (input.allowSapEvent && input.protocol === 'cxml') out.push({ field: 'allowSapEvent', message: 'SAPEVENT: return URLs exist only in OCI' });
  if (!Array.isArray(input.returnUrlPrefixes)) out.push({ field: 'returnUrlPrefixes', message: 'must be a list of URL prefixes' });
  else if (input.returnUrlPrefixes.length > MAX_RETURN_URL_PREFIXES) {
    out.push({ field: 'returnUrlPrefixes', message: `at most ${MAX_RETURN_URL_PREFIXES} entries, not ${input.returnUrlPrefixes.length}` });
  } else {
    input.returnUrlPrefixes.forEach((p, i) => {
      const problem = typeof p === 'string' ? returnUrlPrefixProblem(p) : 'must be text';
      if (problem) out.push({ field: `returnUrlPrefixes[${i}]`, message: problem });
    });
    const sapEventOnly = input.protocol === 'oci' && input.allowSapEvent === true;
    if (input.returnUrlPrefixes.length === 0 && !sapEventOnly) {
      out.push({ field: 'returnUrlPrefixes', message: 'at least one allowed return URL prefix is needed (e.g. https://buyer.example/), otherwise every cart return is refused' });
    }
  }
  if (!Array.isArray(input.ipAllowList)) out.push({ field: 'ipAllowList', message: 'must be a list of addresses or CIDR ranges' });
  else if (input.ipAllowList.length > MAX_IP_ALLOW_LIST) out.push({ field: 'ipAllowList', message: `at most ${MAX_IP_ALLOW_LIST} entries, not ${input.ipAllowList.length}` });
  else {
    input.ipAllowList.forEach((entry, i) => {
      const problem = typeof entry === 'string' ? ipEntryProblem(entry) : 'must be text';
      if (problem) out.push({ field: `ipAllowList[${i}]`, message: problem });
    });
  }
  checkOptions(out, input.options);
  if (input.priceListId !== undefined && input.priceListId !== null) checkText(out, 'priceListId', input.priceListId, { max: 64 });
  if (input.secret !== undefined && input.secret !== '') {
    const problem = secretProblem(input.secret);
    if (problem) out.push({ field: 'secret', message: problem });
  }
  return out;
}

/** Human-readable problems, each starting with the field it is about ("options.cxml.version: …"). */
export function validateConnectionInput(input: ConnectionInput, existing?: Connection): string[] {
  return validateConnectionFields(input, existing).map(problemText);
}

// ---- reading --------------------------------------------------------------------------------

/** The input that reproduces a stored connection: the starting point of an edit form. */
export function connectionInput(c: Connection): ConnectionInput {
  const options = JSON.parse(JSON.stringify(c.options)) as StoredOptions;
  return {
    id: c.id,
    name: c.name,
    protocol: c.protocol,
    environment: c.environment,
    buyerOrg: c.buyerOrg,
    buyerIdentities: c.buyerIdentities.map((i) => ({ ...i })),
    supplierIdentities: c.supplierIdentities.map((i) => ({ ...i })),
    senderIdentities: c.senderIdentities.map((i) => ({ ...i })),
    ociUsername: c.ociUsername,
    returnUrlPrefixes: [...c.returnUrlPrefixes],
    allowSapEvent: c.options.oci.allowSapEvent,
    ipAllowList: [...c.ipAllowList],
    options,
    priceListId: c.priceListId,
  };
}

/** What may be shown about a connection: secrets only as "set" / "not set", never a hash. */
export interface ConnectionSummary {
  id: string;
  name: string;
  protocol: 'oci' | 'cxml';
  environment: 'test' | 'production';
  buyerOrg: string;
  enabled: boolean;
  buyerIdentities: Identity[];
  supplierIdentities: Identity[];
  senderIdentities: Identity[];
  ociUsername: string | null;
  returnUrlPrefixes: string[];
  allowSapEvent: boolean;
  ipAllowList: string[];
  priceListId: string | null;
  secret: 'set' | 'not set';
  /** When the secret before the last rotation stops being accepted; null when it is not accepted now. */
  previousSecretValidUntil: string | null;
  outboundSecret: 'set' | 'not set';
  options: Connection['options'];
}

export function connectionSummary(ctx: Pick<AppContext, 'now'>, c: Connection): ConnectionSummary {
  const input = connectionInput(c);
  return {
    id: c.id,
    name: c.name,
    protocol: c.protocol,
    environment: c.environment,
    buyerOrg: c.buyerOrg,
    enabled: c.enabled,
    buyerIdentities: input.buyerIdentities,
    supplierIdentities: input.supplierIdentities,
    senderIdentities: input.senderIdentities,
    ociUsername: c.ociUsername,
    returnUrlPrefixes: input.returnUrlPrefixes,
    allowSapEvent: input.allowSapEvent,
    ipAllowList: input.ipAllowList,
    priceListId: c.priceListId,
    secret: c.secretHash ? 'set' : 'not set',
    previousSecretValidUntil: previousSecretLive(ctx, c) ? c.previousValidUntil : null,
    outboundSecret: hasOutboundSecret(c) ? 'set' : 'not set',
    options: c.options,
  };
}

async function mustGet(ctx: AppContext, id: string): Promise<Connection> {
  const c = await getConnection(ctx, id);
  if (!c) throw new ConnectionNotFoundError(id);
  return c;
}

// ---- changes --------------------------------------------------------------------------------

/** Runs a change and its audit row in one transaction: no change without its audit, and no audit of a change that failed. */
async function inTransaction<T>(ctx: AppContext, run: (tctx: AppContext) => Promise<T>): Promise<T> {
  return ctx.db.transaction().execute((trx) => run({ ...ctx, db: trx }));
}

async function checkPriceList(ctx: AppContext, input: ConnectionInput): Promise<FieldProblem[]> {
  if (!input.priceListId) return [];
  const row = await ctx.db.selectFrom('price_lists').select('id').where('id', '=', input.priceListId).executeTakeFirst();
  return row ? [] : [{ field: 'priceListId', message: `there is no price list "${input.priceListId}"` }];
}

function trimmed(list: readonly Identity[] | undefined): Identity[] {
  return (list ?? []).map((i) => ({ domain: i.domain.trim(), identity: i.identity.trim() }));
}

/** The columns an input sets (everything but secrets, enabled and timestamps). */
function inputColumns(input: ConnectionInput) {
  const options = withDefaults({ ...input.options, oci: { ...(input.options?.oci ?? {}), allowSapEvent: input.allowSapEvent } });
  return {
    name: input.name.trim(),
    protocol: input.protocol,
    environment: input.environment,
    buyer_org: input.buyerOrg?.trim() || input.name.trim(),
    buyer_identities: JSON.stringify(trimmed(input.buyerIdentities)),
    supplier_identities: JSON.stringify(trimmed(input.supplierIdentities)),
    sender_identities: JSON.stringify(trimmed(input.senderIdentities)),
    oci_username: input.protocol === 'oci' ? (input.ociUsername ?? null) : null,
    return_url_prefixes: JSON.stringify(input.returnUrlPrefixes),
    options: JSON.stringify(options),
    ip_allow_list: JSON.stringify(input.ipAllowList.map((e) => e.trim())),
    price_list_id: input.priceListId || null,
  };
}

/** A long random secret for a buyer to enter in their system (32 characters base64url, 192 bits). */
export function generateSecret(ctx: Pick<AppContext, 'token'>): string {
  return ctx.token(24);
}

export async function addConnection(ctx: AppContext, actor: Actor, input: ConnectionInput & { secret?: string }): Promise<{ connection: Connection; secret: string }> {
  const problems = validateConnectionFields(input);
  if (problems.length === 0) problems.push(...(await checkPriceList(ctx, input)));
  if (problems.length === 0 && (await getConnection(ctx, input.id))) problems.push({ field: 'id', message: `a connection "${input.id}" already exists` });
  if (problems.length > 0) throw new ConnectionInputError(problems);
  const given = input.secret !== undefined && input.secret !== '';
  const secret = given ? input.secret! : generateSecret(ctx);
  const now = iso(ctx.now());
  const columns = inputColumns(input);
  try {
    await inTransaction(ctx, async (tctx) => {
      await tctx.db
        .insertInto('connections')
        .values({ id: input.id, enabled: 1, ...columns, secret_hash: hashSecret(secret), secret_hash_previous: null, previous_valid_until: null, outbound_secret_sealed: null, created_at: now, updated_at: now })
        .execute();
      await audit(tctx, actor, 'connection.create', `connection ${input.id}`, `${input.protocol}, ${input.environment}, buyer organisation "${columns.buyer_org}"; secret ${given ? 'given' : 'generated'}`);
    });
  } catch (err) {
    // Two admins adding the same id at once: the primary key refuses the second.
    if (await getConnection(ctx, input.id)) throw new ConnectionInputError([{ field: 'id', message: `a connection "${input.id}" already exists` }]);
    throw err;
  }
  return { connection: await mustGet(ctx, input.id), secret };
}

/** Names of the fields that differ, for the audit trail (values are left out: they may be long). */
function changedFields(before: ConnectionInput, after: ConnectionInput): string[] {
  const changed: string[] = [];
  const b = before as unknown as Record<string, unknown>;
  const a = after as unknown as Record<string, unknown>;
  for (const key of Object.keys(a)) {
    if (key === 'options') continue;
    if (JSON.stringify(b[key] ?? null) !== JSON.stringify(a[key] ?? null)) changed.push(key);
  }
  const bo = withDefaults(before.options) as unknown as Record<string, unknown>;
  const ao = withDefaults(after.options) as unknown as Record<string, unknown>;
  for (const key of Object.keys(ao)) {
    const bv = bo[key];
    const av = ao[key];
    if (isRecord(av) && isRecord(bv) && (key === 'oci' || key === 'cxml' || key === 'textRules' || key === 'limits')) {
      for (const sub of Object.keys(av)) if (JSON.stringify(bv[sub]) !== JSON.stringify(av[sub])) changed.push(`options.${key}.${sub}`);
    } else if (JSON.stringify(bv) !== JSON.stringify(av)) changed.push(`options.${key}`);
  }
  return changed;
}

/** Saves an edited connection. Secrets, enabled state and the outbound secret are not touched. */
export async function updateConnection(ctx: AppContext, actor: Actor, id: string, input: ConnectionInput): Promise<Connection> {
  const existing = await mustGet(ctx, id);
  const problems = validateConnectionFields({ ...input, secret: undefined } as ConnectionInput, existing);
  if (problems.length === 0) problems.push(...(await checkPriceList(ctx, input)));
  if (problems.length > 0) throw new ConnectionInputError(problems);
  const columns = inputColumns(input);
  const after = connectionFromRow({ ...rowOf(existing), ...columns });
  const changed = changedFields(connectionInput(existing), connectionInput(after));
  await inTransaction(ctx, async (tctx) => {
    await tctx.db.updateTable('connections').set({ ...columns, updated_at: iso(ctx.now()) }).where('id', '=', id).execute();
    await audit(tctx, actor, 'connection.update', `connection ${id}`, changed.length ? `changed: ${changed.join(', ')}` : 'no change');
  });
  return mustGet(ctx, id);
}

/** Columns of a connection as read (for comparing an edit with the stored state). */
function rowOf(c: Connection) {
  return {
    id: c.id,
    name: c.name,
    protocol: c.protocol,
    enabled: c.enabled ? 1 : 0,
    buyer_identities: JSON.stringify(c.buyerIdentities),
    supplier_identities: JSON.stringify(c.supplierIdentities),
    sender_identities: JSON.stringify(c.senderIdentities),
    secret_hash: c.secretHash,
    oci_username: c.ociUsername,
    return_url_prefixes: JSON.stringify(c.returnUrlPrefixes),
    options: JSON.stringify(c.options),
    created_at: '',
    updated_at: '',
    environment: c.environment,
    buyer_org: c.buyerOrg,
    secret_hash_previous: c.secretHashPrevious,
    previous_valid_until: c.previousValidUntil,
    outbound_secret_sealed: c.outboundSecretSealed,
    ip_allow_list: JSON.stringify(c.ipAllowList),
    price_list_id: c.priceListId,
  };
}

export async function setConnectionEnabled(ctx: AppContext, actor: Actor, id: string, enabled: boolean): Promise<Connection> {
  const existing = await mustGet(ctx, id);
  await inTransaction(ctx, async (tctx) => {
    await tctx.db.updateTable('connections').set({ enabled: enabled ? 1 : 0, updated_at: iso(ctx.now()) }).where('id', '=', id).execute();
    await audit(tctx, actor, enabled ? 'connection.enable' : 'connection.disable', `connection ${id}`, existing.enabled === enabled ? `was already ${enabled ? 'enabled' : 'disabled'}` : '');
  });
  return mustGet(ctx, id);
}

/**
 * Gives the connection a new inbound secret. With `overlapUntil` in the future the old secret is
 * still accepted until then (the buyer changes their side in the meantime); otherwise it stops
 * working at once. Only one previous secret is kept: rotating again during an overlap ends the
 * older one.
 */
export async function rotateSecret(ctx: AppContext, actor: Actor, id: string, opts: { overlapUntil?: Date | null; secret?: string }): Promise<{ secret: string; previousValidUntil: string | null }> {
  const existing = await mustGet(ctx, id);
  const problems: FieldProblem[] = [];
  const given = opts.secret !== undefined && opts.secret !== '';
  if (given) {
    const problem = secretProblem(opts.secret);
    if (problem) problems.push({ field: 'secret', message: problem });
  }
  const now = ctx.now();
  const until = opts.overlapUntil ?? null;
  if (until !== null) {
    if (!(until instanceof Date) || Number.isNaN(until.getTime())) problems.push({ field: 'overlapUntil', message: 'is not a valid time' });
    else if (until.getTime() <= now.getTime()) problems.push({ field: 'overlapUntil', message: `must be in the future (it is ${iso(until)})` });
    else if (until.getTime() - now.getTime() > MAX_OVERLAP_DAYS * 86_400_000) problems.push({ field: 'overlapUntil', message: `must be at most ${MAX_OVERLAP_DAYS} days from now` });
  }
  if (problems.length === 0 && given && existing.secretHash && verifySecret(opts.secret!, existing.secretHash)) {
    problems.push({ field: 'secret', message: 'is the same as the current secret' });
  }
  if (problems.length > 0) throw new ConnectionInputError(problems);
  const secret = given ? opts.secret! : generateSecret(ctx);
  const overlap = until !== null && existing.secretHash !== null;
  const previousValidUntil = overlap ? iso(until) : null;
  await inTransaction(ctx, async (tctx) => {
    // Conditional on the hash we read: two rotations at once must not both claim the same
    // "previous" secret (the first one's new secret would silently stop working).
    let q = tctx.db
      .updateTable('connections')
      .set({ secret_hash: hashSecret(secret), secret_hash_previous: overlap ? existing.secretHash : null, previous_valid_until: previousValidUntil, updated_at: iso(now) })
      .where('id', '=', id);
    q = existing.secretHash === null ? q.where('secret_hash', 'is', null) : q.where('secret_hash', '=', existing.secretHash);
    const result = await q.executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new Error(`the secret of "${id}" was changed by someone else at the same time; nothing was changed, try again`);
    await audit(tctx, actor, 'connection.rotate-secret', `connection ${id}`, `new secret ${given ? 'given' : 'generated'}; ${previousValidUntil ? `previous secret accepted until ${previousValidUntil}` : 'previous secret no longer accepted'}`);
  });
  return { secret, previousValidUntil };
}

/** Whether the secret before the last rotation is still accepted now. */
function previousSecretLive(ctx: Pick<AppContext, 'now'>, c: Connection): boolean {
  if (!c.secretHashPrevious || !c.previousValidUntil) return false;
  const until = Date.parse(c.previousValidUntil);
  return Number.isFinite(until) && ctx.now().getTime() < until;
}

/**
 * Inbound secret check used by the gateway: the current secret, or the previous one until
 * previousValidUntil. Constant time per hash (scrypt via verifySecret); the previous hash is
 * tried only while it is live, so without an overlap a wrong secret costs one hash as before.
 */
export async function connectionSecretMatches(ctx: Pick<AppContext, 'now'>, c: Connection, secret: string): Promise<boolean> {
  if (await verifySecretAsync(secret, c.secretHash)) return true;
  return previousSecretLive(ctx, c) && (await verifySecretAsync(secret, c.secretHashPrevious));
}

function sealContext(id: string): string {
  return `connection:${id}`;
}

/** Stores the secret Koppel sends to this buyer, sealed (AES-256-GCM). It is never shown again. */
export async function setOutboundSecret(ctx: AppContext, actor: Actor, id: string, secret: string): Promise<void> {
  await mustGet(ctx, id);
  const problem = secretProblem(secret, 1);
  if (problem) throw new ConnectionInputError([{ field: 'outboundSecret', message: problem }]);
  const sealed = seal(sealingKey(ctx.config, ctx.log), secret, sealContext(id));
  await inTransaction(ctx, async (tctx) => {
    await tctx.db.updateTable('connections').set({ outbound_secret_sealed: sealed, updated_at: iso(ctx.now()) }).where('id', '=', id).execute();
    await audit(tctx, actor, 'connection.set-outbound-secret', `connection ${id}`, '');
  });
}

export async function clearOutboundSecret(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  await mustGet(ctx, id);
  await inTransaction(ctx, async (tctx) => {
    await tctx.db.updateTable('connections').set({ outbound_secret_sealed: null, updated_at: iso(ctx.now()) }).where('id', '=', id).execute();
    await audit(tctx, actor, 'connection.clear-outbound-secret', `connection ${id}`, '');
  });
}

export function hasOutboundSecret(c: Connection): boolean {
  return c.outboundSecretSealed !== null && c.outboundSecretSealed !== '';
}

/**
 * The outbound secret in clear, for code that sends documents to the buyer; never for display.
 * Throws SealedSecretError when the stored value does not open (wrong key, changed value).
 */
export function openOutboundSecret(ctx: AppContext, c: Connection): string | undefined {
  if (!hasOutboundSecret(c)) return undefined;
  return unseal(sealingKey(ctx.config, ctx.log), c.outboundSecretSealed!, sealContext(c.id));
}
