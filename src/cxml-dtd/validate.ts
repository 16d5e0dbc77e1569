/**
 * Validation of cXML documents against the official DTDs, offline.
 *
 * Each DTD is parsed once per (family, version) from a local file. A document is parsed with
 * libxml2's defaults plus NONET — no entity substitution, no DTD loading, no validation while
 * parsing — so nothing it declares is fetched or expanded. Its own DOCTYPE node is unlinked from
 * the parsed tree and the document is then validated against the local DTD (xmlValidateDtd).
 *
 * libxmljs 1.0.11 exposes DTD parsing/validation only through its low-level bindings
 * (`dist/lib/bindings`), so they are wrapped here and nowhere else.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParseFlags, parseXml, type XMLDocument, type XMLStructuredError } from 'libxmljs';

type Bindings = typeof import('libxmljs/dist/lib/bindings/functions.js');
type DtdPtr = NonNullable<ReturnType<Bindings['xmlParseDTD']>>;
type DocPtr = Parameters<Bindings['xmlValidateDtd']>[1];

const require = createRequire(import.meta.url);
const lib = require('libxmljs/dist/lib/bindings/functions.js') as Bindings;

export type DtdFamily = 'cXML' | 'Fulfill' | 'InvoiceDetail';

export interface DtdValidation {
  readonly valid: boolean;
  /** One line per problem, with the line number when libxml2 knows it. */
  readonly errors: string[];
  /** Absolute path of the DTD file the document was checked against. */
  readonly dtd: string;
}

export interface ValidateOptions {
  /** DTD version directory, default `1.2.071`. */
  readonly version?: string;
  /** Directory holding `<version>/<family>.dtd`; default env KOPPEL_DTD_DIR, else `../shared/dtd`. */
  readonly dtdDir?: string;
}

export const DEFAULT_DTD_VERSION = '1.2.071';

const FULFILL = new Set([
  'ConfirmationRequest',
  'ShipNoticeRequest',
  'OrderStatusRequest',
  'ReceiptRequest',
  'ServiceEntryRequest',
  'SalesOrderRequest',
  'TimeCardInfoRequest',
  'TimeCardRequest',
  'ComponentConsumptionRequest',
]);

/**
 * DTD family of a document from the name of its payload element (the child of
 * Request/Message/Response). The `Request` element is redeclared in each DTD with only that
 * file's requests, so e.g. a ConfirmationRequest is invalid against cXML.dtd.
 */
export function familyOf(payloadName: string): DtdFamily {
  if (FULFILL.has(payloadName)) return 'Fulfill';
  if (payloadName === 'InvoiceDetailRequest') return 'InvoiceDetail';
  return 'cXML';
}

function defaultDtdDir(): string {
  // src/cxml-dtd/ → project root → its sibling `shared/dtd` (the DTDs are never copied in).
  return fileURLToPath(new URL('../../../shared/dtd/', import.meta.url));
}

function versionKey(name: string): number[] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(name);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/**
 * The DTD file for a family at a version; when that version has no such file, the newest
 * version directory that has one (newer DTDs accept older documents).
 */
export function resolveDtdFile(family: DtdFamily, opts: ValidateOptions = {}): string {
  const dir = resolve(opts.dtdDir ?? process.env.KOPPEL_DTD_DIR ?? defaultDtdDir());
  const version = opts.version ?? DEFAULT_DTD_VERSION;
  if (!versionKey(version)) throw new Error(`DTD version must look like 1.2.071, got ${JSON.stringify(version)}`);
  const wanted = join(dir, version, `${family}.dtd`);
  if (existsSync(wanted)) return wanted;
  if (!existsSync(dir)) throw new Error(`DTD directory not found: ${dir} (set KOPPEL_DTD_DIR)`);
  const versions = readdirSync(dir)
    .map((name) => ({ name, key: versionKey(name) }))
    .filter((v): v is { name: string; key: number[] } => v.key !== undefined)
    .sort((a, b) => b.key[0]! - a.key[0]! || b.key[1]! - a.key[1]! || b.key[2]! - a.key[2]!);
  for (const v of versions) {
    const file = join(dir, v.name, `${family}.dtd`);
    if (existsSync(file)) return file;
  }
  throw new Error(`no ${family}.dtd in any version directory of ${dir}`);
}

// Parsed DTDs stay referenced here for the life of the process (libxmljs frees unreferenced ones).
const dtdCache = new Map<string, DtdPtr>();

function loadDtd(file: string): DtdPtr {
  const cached = dtdCache.get(file);
  if (cached) return cached;
  const dtd = lib.withStructuredErrors<DtdPtr | null>((errors: XMLStructuredError[]) => {
    const parsed = lib.xmlParseDTD(null, file);
    if (!parsed) throw new Error(`cannot parse DTD ${file}: ${errors.map((e) => e.message.trim()).join('; ')}`);
    return parsed;
  });
  if (!dtd) throw new Error(`cannot parse DTD ${file}`);
  dtdCache.set(file, dtd);
  return dtd;
}

function describe(e: XMLStructuredError): string {
  const text = e.message.trim();
  return e.line > 0 && !/\(Line: \d+/.test(text) ? `line ${e.line}: ${text}` : text;
}

function nativeDoc(doc: XMLDocument): DocPtr {
  // getNativeReference() is protected in the typings but is the only handle the bindings accept.
  return (doc as unknown as { getNativeReference(): DocPtr }).getNativeReference();
}

/** Validates `xml` against the official DTD of `family` (default version 1.2.071). */
export function validateAgainstDtd(xml: string, family: DtdFamily, opts: ValidateOptions = {}): DtdValidation {
  const file = resolveDtdFile(family, opts);
  const dtd = loadDtd(file);

  let doc: XMLDocument;
  try {
    // Only NONET is added to libxml2's defaults: entities stay unexpanded, no DTD is loaded.
    doc = parseXml(xml, { flags: [XMLParseFlags.XML_PARSE_NONET] });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { valid: false, errors: [`not well-formed: ${msg.trim()}`], dtd: file };
  }
  // Recoverable parse errors (e.g. an undefined entity) still make the document unacceptable.
  const errors: string[] = doc.errors.filter((e) => e.level >= 2).map((e) => `parse error: ${describe(e)}`);

  const root = doc.root();
  if (root && root.name() !== 'cXML') errors.push(`root element is <${root.name()}>, expected <cXML>`);

  const docRef = nativeDoc(doc);
  const internal = lib.xmlGetIntSubset(docRef);
  if (internal?.children) {
    // Entity or element declarations inside the document would change what it means; cXML
    // documents have none, and Koppel never expands them.
    errors.push('document has an internal DTD subset (declarations inside its DOCTYPE); not allowed in cXML');
  }
  // Strip the document's own DOCTYPE from the tree so that nothing it names can be consulted.
  const ownDoctype = doc.getDtd();
  ownDoctype?.unlink();

  const ok = lib.withStructuredErrors<number>((validationErrors: XMLStructuredError[]) => {
    const ctxt = lib.xmlNewValidCtxt();
    try {
      const result = lib.xmlValidateDtd(ctxt, docRef, dtd);
      for (const e of validationErrors) errors.push(describe(e));
      return result;
    } finally {
      lib.xmlFreeValidCtxt(ctxt);
    }
  });
  // Keep the unlinked node alive until validation is over; libxmljs frees it when collected.
  void ownDoctype;

  return { valid: ok === 1 && errors.length === 0, errors, dtd: file };
}

/**
 * Name of the payload element (first element child of Request, Message or Response after
 * Status), parsed with the same safe settings; undefined when the document is not cXML-shaped.
 */
export function payloadNameOf(xml: string): string | undefined {
  let doc: XMLDocument;
  try {
    doc = parseXml(xml, { flags: [XMLParseFlags.XML_PARSE_NONET] });
  } catch {
    return undefined;
  }
  const root = doc.root();
  if (!root) return undefined;
  for (const wrapper of root.childNodes()) {
    if (wrapper.type() !== 'element' || !['Request', 'Message', 'Response'].includes(wrapper.name())) continue;
    const payload = wrapper.childNodes().find((n) => n.type() === 'element' && n.name() !== 'Status');
    return payload?.name() ?? (wrapper.name() === 'Response' ? 'Response' : undefined);
  }
  return undefined;
}

/** Validates with the family chosen from the document's payload element. */
export function validateCxmlDocument(xml: string, opts: ValidateOptions = {}): DtdValidation & { family: DtdFamily } {
  const family = familyOf(payloadNameOf(xml) ?? '');
  return { ...validateAgainstDtd(xml, family, opts), family };
}
