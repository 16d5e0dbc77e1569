/**
 * The rule checks of the conformance runner: pure functions from one document a supplier sent
 * back (the raw form as the buyer's HOOK_URL / BrowserFormPost URL received it) to findings that
 * name the exact field and value. No browser, no network: the scenarios collect, these judge.
 */
import { Decimal } from 'decimal.js';
import { decodeFormComponent, splitRawPairs } from '../protocol/oci/form-encoding.js';
import { readOciCartForm, type OciReadLine } from '../protocol/oci/cart-form-reader.js';
import { OCI_ITEM_FIELDS, ociFieldSpec, ociTextLength } from '../protocol/oci/fields.js';
import { readCxml } from '../protocol/cxml/reader.js';
import { CxmlError } from '../protocol/cxml/errors.js';
import type { Envelope, ItemIn, PunchOutOrderMessage } from '../protocol/cxml/model.js';
import { validateCxmlDocument } from '../cxml-dtd/validate.js';
import type { CxmlPreset, OciPreset, Severity } from './presets.js';

export type CheckStatus = 'pass' | 'fail' | 'warn';

export interface Finding {
  /** Unique within a run: scenario, rule and field. */
  id: string;
  scenario: string;
  rule: string;
  status: CheckStatus;
  field?: string;
  value?: string;
  expected?: string;
  message: string;
}

/** Where the returned form arrived: which window the browser navigated to post it. */
export type ArrivalFrame = 'top' | 'shop-frame' | 'other-frame' | 'unknown';

/** One form post the buyer's receiver collected. */
export interface CapturedReturn {
  method: string;
  /** Path and query exactly as requested. */
  url: string;
  contentType: string;
  body: Buffer;
  frame: ArrivalFrame;
}

/** Collects findings; a rule that was checked and found nothing gets one `pass`. */
export class Findings {
  readonly list: Finding[] = [];
  private readonly checked = new Map<string, string>();
  private readonly ids = new Map<string, number>();
  constructor(readonly scenario: string) {}

  /** Records that `rule` was checked (its pass message, used when nothing is reported for it). */
  rule(rule: string, passMessage: string): void {
    if (!this.checked.has(rule)) this.checked.set(rule, passMessage);
  }

  add(status: Exclude<CheckStatus, 'pass'>, rule: string, message: string, detail: { field?: string; value?: string; expected?: string } = {}): void {
    this.rule(rule, '');
    const base = `${this.scenario}:${rule}${detail.field ? `:${detail.field}` : ''}`;
    const n = (this.ids.get(base) ?? 0) + 1;
    this.ids.set(base, n);
    this.list.push({ id: n === 1 ? base : `${base}#${n}`, scenario: this.scenario, rule, status, ...definedOnly(detail), message });
  }

  fail(rule: string, message: string, detail?: { field?: string; value?: string; expected?: string }): void {
    this.add('fail', rule, message, detail);
  }

  warn(rule: string, message: string, detail?: { field?: string; value?: string; expected?: string }): void {
    this.add('warn', rule, message, detail);
  }

  report(severity: Severity, rule: string, message: string, detail?: { field?: string; value?: string; expected?: string }): void {
    this.add(severity, rule, message, detail);
  }

  /** Findings with one pass per checked rule that reported nothing. */
  done(): Finding[] {
    const reported = new Set(this.list.map((f) => f.rule));
    const passes: Finding[] = [];
    for (const [rule, message] of this.checked) {
      if (!reported.has(rule)) passes.push({ id: `${this.scenario}:${rule}`, scenario: this.scenario, rule, status: 'pass', message });
    }
    return [...this.list, ...passes];
  }
}

function definedOnly(d: { field?: string; value?: string; expected?: string }): { field?: string; value?: string; expected?: string } {
  const out: { field?: string; value?: string; expected?: string } = {};
  if (d.field !== undefined) out.field = d.field;
  if (d.value !== undefined) out.value = d.value;
  if (d.expected !== undefined) out.expected = d.expected;
  return out;
}

/** A value for a message: quoted, long ones shortened in the middle. */
export function show(value: string, max = 80): string {
  const v = value.length > max ? `${value.slice(0, max - 20)}…${value.slice(-19)}` : value;
  return JSON.stringify(v);
}

// ---- return address and window --------------------------------------------------------------

export interface ReturnExpectation {
  /** Path and query of the HOOK_URL / BrowserFormPost URL the buyer sent. */
  url: string;
  /** Where the post must arrive for the target the buyer asked for. */
  frame: ArrivalFrame;
  /** The target as the buyer sent it (for messages). */
  target: string;
}

function checkArrival(f: Findings, capture: CapturedReturn, expect: ReturnExpectation, urlName: string): void {
  f.rule('return-url', `posted to the ${urlName} exactly as sent, query included`);
  if (capture.url !== expect.url) {
    f.fail('return-url', `the form was posted to ${show(capture.url)}, not to the ${urlName} ${show(expect.url)} as sent`, { field: urlName, value: capture.url, expected: expect.url });
  }
  f.rule('method', 'the form was posted with POST');
  if (capture.method !== 'POST') f.fail('method', `the form was sent with ${capture.method}; the buyer expects POST`, { field: 'method', value: capture.method, expected: 'POST' });
  f.rule('target', `the form arrived in the window the target ${show(expect.target)} names`);
  if (capture.frame !== 'unknown' && capture.frame !== expect.frame) {
    f.fail('target', `the form arrived in the ${frameName(capture.frame)}, but the target ${show(expect.target)} names the ${frameName(expect.frame)}`, { field: 'target', value: capture.frame, expected: expect.frame });
  }
}

function frameName(frame: ArrivalFrame): string {
  return frame === 'top' ? 'top window' : frame === 'shop-frame' ? "shop's own frame" : frame === 'other-frame' ? 'another frame' : 'unknown window';
}

// ---- OCI --------------------------------------------------------------------------------------

export interface OciExpectation extends ReturnExpectation {
  /** `transfer`: the cart must carry items; `cancel`: it must be empty. */
  kind: 'transfer' | 'cancel';
  /** Parameters sent with the call that must come back (name → value). */
  echo: readonly (readonly [string, string])[];
}

export interface OciCheckResult {
  findings: Finding[];
  lines: OciReadLine[];
}

const OCI_NUMBER = /^\d{1,11}(\.\d{1,3})?$/;
const OCI_INTEGER = /^\d{1,5}$/;
const STANDARD_FIELDS = OCI_ITEM_FIELDS.map((s) => s.field).filter((f) => f !== 'LONGTEXT');

/** Checks one OCI cart form against the preset's rules. */
export function checkOciReturn(preset: OciPreset, scenario: string, capture: CapturedReturn, expect: OciExpectation): OciCheckResult {
  const f = new Findings(scenario);
  checkArrival(f, capture, expect, 'HOOK_URL');

  const text = capture.body.toString('latin1');
  f.rule('charset', `every value is valid ${preset.charset}`);
  const pairs: [string, string][] = [];
  for (const raw of splitRawPairs(text)) {
    const name = decodeFormComponent(raw.rawName, 'UTF-8').value;
    const auto = decodeFormComponent(raw.rawValue ?? '', 'auto');
    if (preset.charset === 'UTF-8') {
      if (auto.latin1Fallback) f.fail('charset', `${name} is not valid UTF-8 (read as ISO-8859-1: ${show(auto.value)})`, { field: name, value: auto.value, expected: 'UTF-8' });
      pairs.push([name, auto.value]);
    } else {
      const latin = decodeFormComponent(raw.rawValue ?? '', 'ISO-8859-1').value;
      if (!auto.latin1Fallback && auto.value !== latin) f.warn('charset', `${name} looks like UTF-8 (${show(auto.value)}), the buyer reads ISO-8859-1 (${show(latin)})`, { field: name, value: latin, expected: 'ISO-8859-1' });
      pairs.push([name, latin]);
    }
  }

  const read = readOciCartForm(pairs, { tolerant: false });
  const itemName = (field: string, index: number) => `NEW_ITEM-${field}[${index}]`;

  f.rule('items', expect.kind === 'transfer' ? 'the cart carries the items put in it' : 'the cancelled cart came back empty');
  if (expect.kind === 'transfer' && read.lines.length === 0) f.fail('items', 'the transferred cart has no NEW_ITEM lines', { field: 'NEW_ITEM', value: '0 lines', expected: 'at least 1' });
  if (expect.kind === 'cancel' && read.lines.length > 0) f.fail('items', `the cancelled punchout returned ${read.lines.length} line(s); a cancel must return an empty cart`, { field: 'NEW_ITEM', value: `${read.lines.length} lines`, expected: '0 lines' });

  // Reader warnings: line numbering, long-text spellings, duplicates.
  f.rule('line-index', 'lines are numbered 1, 2, 3 … without gaps');
  f.rule('field-name', 'every field name is an OCI field, spelled as SAP expects');
  for (const w of read.warnings) {
    if (/^line numbers start at|^gap in line numbers/.test(w)) f.fail('line-index', `${w}: SAP reads from [1] until the first missing index and drops the rest`);
    else if (/not a valid long-text name/.test(w)) {
      const name = /"([^"]+)"/.exec(w)?.[1] ?? '';
      f.fail('field-name', `${w}; SAP attaches such texts to the wrong item or drops them`, { field: name, value: name, expected: 'NEW_ITEM-LONGTEXT_n:132[]' });
    } else if (/is not a NEW_ITEM-FIELD\[n\] name/.test(w)) {
      const name = /"([^"]+)"/.exec(w)?.[1] ?? '';
      f.fail('field-name', `${name} is not a NEW_ITEM-FIELD[n] name`, { field: name, value: name });
    } else if (!/decimal comma|is not a number|PRICEUNIT|LEADTIME|SERVICE/.test(w)) f.warn('form', w);
  }

  f.rule('field-length', 'no field is longer than OCI allows');
  f.rule('required', "every line has the fields SAP requires (DESCRIPTION or MATNR, QUANTITY, UNIT, CURRENCY with PRICE …)");
  f.rule('number', 'numbers use a decimal point, ≤ 11 integer digits and ≤ 3 decimals');
  f.rule('unit', 'every UNIT is a code the buyer maps');
  f.rule('currency', 'every CURRENCY is an ISO 4217 code');
  for (const line of read.lines) {
    const n = line.index;
    for (const [field, value] of Object.entries(line.fields)) {
      const spec = ociFieldSpec(field);
      if (!spec) {
        const near = nearestField(field);
        if (near) f.fail('field-name', `${itemName(field, n)} is not an OCI field (did you mean ${itemName(near, n)}?); SAP ignores it`, { field: itemName(field, n), value, expected: itemName(near, n) });
        else f.warn('field-name', `${itemName(field, n)} is not a standard OCI 4.0 field; the buyer must be set up to read it`, { field: itemName(field, n), value });
        continue;
      }
      if (spec.maxLength !== undefined && ociTextLength(value) > spec.maxLength) {
        f.fail('field-length', `${itemName(field, n)} is ${ociTextLength(value)} characters (${show(value)}), OCI allows ${spec.maxLength}`, { field: itemName(field, n), value, expected: `≤ ${spec.maxLength} characters` });
      }
    }
    const has = (field: string) => (line.fields[field] ?? '').trim() !== '';
    const need = (field: string, why: string) => {
      if (!has(field)) f.fail('required', `${itemName(field, n)} is missing ${why}`, { field: itemName(field, n), value: line.fields[field] ?? '', expected: 'a value' });
    };
    if (!has('DESCRIPTION') && !has('MATNR')) f.fail('required', `line ${n} has neither DESCRIPTION nor MATNR; SAP drops it`, { field: itemName('DESCRIPTION', n), value: '', expected: 'a value' });
    need('QUANTITY', '(always required)');
    if (!has('MATNR')) need('UNIT', '(required when MATNR is empty)');
    if (has('PRICE')) need('CURRENCY', '(required with PRICE)');
    if (has('EXT_CATEGORY_ID') || has('EXT_CATEGORY')) need('EXT_SCHEMA_TYPE', '(required with EXT_CATEGORY_ID / EXT_CATEGORY)');
    if (has('EXT_QUOTE_ITEM')) need('EXT_QUOTE_ID', '(required with EXT_QUOTE_ITEM)');
    if (has('CONTRACT_ITEM')) need('CONTRACT', '(required with CONTRACT_ITEM)');

    for (const field of ['QUANTITY', 'PRICE']) {
      const raw = line.fields[field];
      if (raw === undefined || raw === '') continue;
      if (!OCI_NUMBER.test(raw)) f.fail('number', `${itemName(field, n)} is ${show(raw)}: OCI wants a decimal point, no grouping, ≤ 11 integer digits and ≤ 3 decimals`, { field: itemName(field, n), value: raw, expected: 'e.g. 12.500' });
    }
    if (line.fields.QUANTITY && OCI_NUMBER.test(line.fields.QUANTITY) && new Decimal(line.fields.QUANTITY).lte(0)) {
      f.fail('number', `${itemName('QUANTITY', n)} is ${show(line.fields.QUANTITY)}; a quantity must be greater than 0`, { field: itemName('QUANTITY', n), value: line.fields.QUANTITY, expected: '> 0' });
    }
    for (const field of ['PRICEUNIT', 'LEADTIME']) {
      const raw = line.fields[field];
      if (raw === undefined || raw === '') continue;
      if (OCI_INTEGER.test(raw)) continue;
      if (/^\d{1,5}\.0+$/.test(raw)) f.warn('number', `${itemName(field, n)} is ${show(raw)}; OCI defines it as a whole number`, { field: itemName(field, n), value: raw, expected: raw.split('.')[0]! });
      else f.fail('number', `${itemName(field, n)} is ${show(raw)}; OCI wants a whole number of at most 5 digits`, { field: itemName(field, n), value: raw, expected: 'e.g. 1' });
    }
    const unit = line.fields.UNIT;
    if (unit !== undefined && unit !== '' && !preset.units.has(unit)) {
      f.report(preset.unitSeverity, 'unit', `${itemName('UNIT', n)} is ${show(unit)}, a unit the buyer does not map (not a UN/ECE Rec 20 code such as PCE, EA, C62)`, { field: itemName('UNIT', n), value: unit, expected: 'a UN/ECE Rec 20 code' });
    }
    const currency = line.fields.CURRENCY;
    if (currency !== undefined && currency !== '' && !/^[A-Z]{3}$/.test(currency)) {
      f.fail('currency', `${itemName('CURRENCY', n)} is ${show(currency)}, not an ISO 4217 code`, { field: itemName('CURRENCY', n), value: currency, expected: 'e.g. EUR' });
    }
  }

  if (expect.echo.length > 0) {
    f.rule('echo', `the call's ${expect.echo.map(([k]) => k).join(', ')} came back`);
    for (const [name, value] of expect.echo) {
      const got = read.other.find(([k]) => k.toLowerCase() === name.toLowerCase());
      if (!got) f.report(preset.echoSeverity, 'echo', `${name} was sent with the call (${show(value)}) but is not in the returned form`, { field: name, value: '', expected: value });
      else if (got[1] !== value) f.fail('echo', `${got[0]} came back as ${show(got[1])}, the call sent ${show(value)}`, { field: got[0], value: got[1], expected: value });
    }
  }
  return { findings: f.done(), lines: read.lines };
}

/** A standard field within two edits of `field` (a misspelling), or undefined. */
export function nearestField(field: string): string | undefined {
  const upper = field.toUpperCase();
  let best: { field: string; d: number } | undefined;
  for (const candidate of STANDARD_FIELDS) {
    const d = editDistance(upper, candidate);
    if (d <= 2 && (!best || d < best.d)) best = { field: candidate, d };
  }
  // Short names (TAX vs MAX) are too close to everything to guess.
  return best && upper.length >= 5 ? best.field : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

// ---- cXML -------------------------------------------------------------------------------------

export type CxmlReturnKind = 'transfer' | 'cancel' | 'edit' | 'cancel-edit';

export interface CxmlExpectation extends ReturnExpectation {
  kind: CxmlReturnKind;
  buyerCookie: string;
  /** The shared secret sent in the setup request: it must never travel back through the browser. */
  secret?: string;
  /** Edit: SupplierPartID / AuxID of the cart being edited, which must come back unchanged. */
  editedItems?: readonly { supplierPartID: string; supplierPartAuxiliaryID?: string }[];
}

export interface CxmlCheckResult {
  findings: Finding[];
  /** The document read, when it could be. */
  envelope?: Envelope;
  message?: PunchOutOrderMessage;
  xml?: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Checks one returned cXML cart (PunchOutOrderMessage in a form field) against the preset. */
export function checkCxmlReturn(preset: CxmlPreset, scenario: string, capture: CapturedReturn, expect: CxmlExpectation, opts: { dtdDir?: string } = {}): CxmlCheckResult {
  const f = new Findings(scenario);
  const result = (extra: Omit<CxmlCheckResult, 'findings'> = {}): CxmlCheckResult => ({ findings: f.done(), ...extra });
  checkArrival(f, capture, expect, 'BrowserFormPost URL');

  // The form field.
  f.rule('form-field', `the cart travels in one field named ${preset.formFields.join(' or ')}`);
  const raw = splitRawPairs(capture.body.toString('latin1'));
  const fields = raw.map((p) => ({ name: decodeFormComponent(p.rawName).value, rawValue: p.rawValue ?? '' }));
  const cxmlFields = fields.filter((p) => /^cxml-(base64|urlencoded)$/i.test(p.name));
  if (cxmlFields.length === 0) {
    const names = fields.map((p) => p.name);
    const guess = fields.find((p) => /cxml/i.test(p.name)) ?? (fields.length === 1 ? fields[0] : undefined);
    f.fail('form-field', `no cXML-base64 or cXML-urlencoded field in the returned form (fields: ${names.map((n) => show(n)).join(', ') || 'none'})`, {
      field: guess?.name ?? 'form',
      value: names.join(', '),
      expected: preset.formFields.join(' or '),
    });
    return result();
  }
  if (cxmlFields.length > 1) f.fail('form-field', `the form carries ${cxmlFields.length} cXML fields (${cxmlFields.map((c) => c.name).join(', ')}); send exactly one`, { field: 'form', value: cxmlFields.map((c) => c.name).join(', '), expected: 'one field' });
  const field = cxmlFields[0]!;
  if (!(preset.formFields as readonly string[]).includes(field.name)) {
    const sameIgnoringCase = preset.formFields.find((n) => n.toLowerCase() === field.name.toLowerCase());
    if (sameIgnoringCase) f.warn('form-field', `the field is spelled ${show(field.name)}; cXML names are case-insensitive but some receivers only read ${show(sameIgnoringCase)}`, { field: field.name, value: field.name, expected: sameIgnoringCase });
    else f.fail('form-field', `the cart came in ${show(field.name)}; this buyer reads ${preset.formFields.join(' or ')}`, { field: field.name, value: field.name, expected: preset.formFields.join(' or ') });
  }

  // Bytes → XML text.
  f.rule('charset', 'the document decodes cleanly (UTF-8, no byte order mark; ASCII in cXML-urlencoded)');
  let xml: string;
  const base64 = field.name.toLowerCase() === 'cxml-base64';
  if (base64) {
    const b64 = decodeFormComponent(field.rawValue).value.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) {
      f.fail('charset', `${field.name} is not base64`, { field: field.name, value: b64.slice(0, 60), expected: 'base64 text' });
      return result();
    }
    let bytes = Buffer.from(b64, 'base64');
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      f.report(preset.refusesBom ? 'fail' : 'warn', 'charset', `the decoded document starts with a UTF-8 byte order mark${preset.refusesBom ? ', which this buyer rejects' : ''}`, { field: field.name, value: 'EF BB BF', expected: 'no BOM' });
      bytes = bytes.subarray(3);
    }
    try {
      xml = strictUtf8.decode(bytes);
    } catch {
      f.fail('charset', `the document in ${field.name} is not valid UTF-8`, { field: field.name, value: bytes.subarray(0, 40).toString('latin1'), expected: 'UTF-8' });
      xml = bytes.toString('latin1');
    }
  } else {
    xml = decodeFormComponent(field.rawValue).value;
    const nonAscii = [...xml].find((c) => c.charCodeAt(0) > 0x7f);
    if (nonAscii) f.fail('charset', `${field.name} carries the non-ASCII character ${show(nonAscii)}; it must be sent as a character reference (&#${nonAscii.codePointAt(0)};) because receivers read this field as US-ASCII`, { field: field.name, value: nonAscii, expected: 'ASCII only' });
  }

  // Reading.
  f.rule('read', 'the document is well-formed cXML');
  let envelope: Envelope;
  try {
    const read = readCxml(xml);
    envelope = read.envelope;
    for (const w of read.warnings) f.warn('read', `${w.path}: ${w.message}`, { field: w.path });
  } catch (e) {
    const msg = e instanceof CxmlError ? `cXML ${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
    f.fail('read', `the returned document cannot be read: ${msg}`, { field: field.name, value: xml.slice(0, 120) });
    return result({ xml });
  }

  // DTD and version.
  const declared = envelope.doctype?.version;
  f.rule('version', preset.maxVersion ? `the DOCTYPE declares cXML ${preset.maxVersion} or older` : 'the DOCTYPE declares a cXML version');
  if (!declared) f.warn('version', 'the document has no DOCTYPE naming a cXML version', { field: 'DOCTYPE', value: '', expected: `cXML/${preset.version}/cXML.dtd` });
  else if (preset.maxVersion && compareVersions(declared, preset.maxVersion) > 0) {
    f.fail('version', `the DOCTYPE declares cXML ${declared}; this buyer accepts ${preset.maxVersion} and older`, { field: 'DOCTYPE', value: declared, expected: `≤ ${preset.maxVersion}` });
  }
  f.rule('dtd', `valid against the cXML ${declared ?? preset.version} DTD`);
  try {
    const v = validateCxmlDocument(xml, { version: declared && /^\d+\.\d+\.\d+$/.test(declared) ? declared : preset.version, ...(opts.dtdDir ? { dtdDir: opts.dtdDir } : {}) });
    for (const err of v.errors.slice(0, 10)) f.fail('dtd', `not valid against ${v.dtd.split('/').slice(-2).join('/')}: ${err}`, { field: 'DTD', value: err });
    if (v.errors.length > 10) f.fail('dtd', `… and ${v.errors.length - 10} more DTD errors`, { field: 'DTD' });
  } catch (e) {
    f.warn('dtd', `the DTD check could not run: ${e instanceof Error ? e.message : String(e)}`, { field: 'DTD' });
  }

  const payload = envelope.payload;
  f.rule('payload', 'the document is a PunchOutOrderMessage');
  if (payload.kind !== 'PunchOutOrderMessage') {
    f.fail('payload', `the document is a ${payload.kind}, not a PunchOutOrderMessage`, { field: 'payload', value: payload.kind, expected: 'PunchOutOrderMessage' });
    return result({ envelope, xml });
  }
  const m = payload;

  f.rule('buyer-cookie', 'the BuyerCookie came back unchanged');
  if (m.buyerCookie !== expect.buyerCookie) {
    f.fail('buyer-cookie', `BuyerCookie came back as ${show(m.buyerCookie)}, the setup request sent ${show(expect.buyerCookie)}`, { field: 'PunchOutOrderMessage/BuyerCookie', value: m.buyerCookie, expected: expect.buyerCookie });
  }

  f.rule('no-secret', 'no SharedSecret travels through the browser');
  for (const c of envelope.header?.sender.credentials ?? []) {
    if (c.sharedSecret === undefined) continue;
    if (expect.secret !== undefined && c.sharedSecret === expect.secret) f.fail('no-secret', 'the cart carries the shared secret in Header/Sender; anyone with the browser can read it', { field: 'Header/Sender/Credential/SharedSecret', value: '(the shared secret)', expected: 'no SharedSecret' });
    else f.warn('no-secret', 'the cart carries a SharedSecret in Header/Sender; the DTD says not to send credentials through the browser', { field: 'Header/Sender/Credential/SharedSecret', expected: 'no SharedSecret' });
  }

  checkCxmlItems(preset, f, m, expect);
  return result({ envelope, message: m, xml });
}

function checkCxmlItems(preset: CxmlPreset, f: Findings, m: PunchOutOrderMessage, expect: CxmlExpectation): void {
  const count = m.items.length;
  f.rule('items', expect.kind === 'transfer' || expect.kind === 'edit' ? 'the cart carries the items put in it' : 'the cancelled cart changes nothing');
  if ((expect.kind === 'transfer' || expect.kind === 'edit') && count === 0) f.fail('items', 'the transferred cart has no ItemIn', { field: 'ItemIn', value: '0', expected: 'at least 1' });
  if (expect.kind === 'cancel' && count > 0) f.fail('items', `the cancelled punchout returned ${count} ItemIn; a cancel must return an empty cart`, { field: 'ItemIn', value: String(count), expected: '0' });
  if (expect.kind === 'cancel' && count === 0) {
    f.rule('empty-cart', 'the buyer takes an empty cart');
    if (preset.emptyCartSeverity === 'warn') f.warn('empty-cart', `an empty cart crashed some ${preset.title.split(' (')[0]} versions; test the cancel with the buyer`, { field: 'ItemIn', value: '0' });
  }
  if (expect.kind === 'cancel-edit' && count > 0 && m.status?.code !== 204) {
    f.fail('items', `cancelling an edit returned ${count} ItemIn without Status 204; the buyer replaces its lines with them`, { field: 'Message/Status', value: String(m.status?.code ?? 'none'), expected: '204' });
  }
  if (expect.kind === 'cancel-edit' && count === 0 && m.status?.code !== 204) {
    f.fail('items', 'cancelling an edit returned an empty cart without Status 204: the buyer deletes the lines of that cart', { field: 'Message/Status', value: String(m.status?.code ?? 'none'), expected: '204' });
  }
  if (expect.kind === 'edit' && expect.editedItems) {
    f.rule('edit-identity', 'the edited cart keeps each item\'s SupplierPartID and SupplierPartAuxiliaryID');
    const key = (i: { supplierPartID: string; supplierPartAuxiliaryID?: string }) => `${i.supplierPartID} / ${i.supplierPartAuxiliaryID ?? '(no aux)'}`;
    const got = m.items.map((i) => key(i.itemID));
    for (const wanted of expect.editedItems.map(key)) {
      if (!got.includes(wanted)) f.fail('edit-identity', `the edited cart lost item ${wanted} (returned: ${got.join('; ') || 'none'})`, { field: 'ItemIn/ItemID', value: got.join('; '), expected: wanted });
    }
  }

  f.rule('unit', 'every UnitOfMeasure is a code the buyer maps');
  f.rule('number', 'quantities are positive, prices are plain decimals in one currency');
  if (preset.refusedCharacters.length) f.rule('text', `no text carries ${preset.refusedCharacters.join(' ')}`);
  if (preset.refusedInPartIds.length || preset.maxPartIdLength) f.rule('part-id', 'part IDs fit the buyer\'s limits');
  if (preset.maxShortNameLength) f.rule('field-length', `ShortName ≤ ${preset.maxShortNameLength} characters`);

  m.items.forEach((item, i) => {
    const at = `ItemIn[${i + 1}]`;
    const d = item.itemDetail;
    if (!preset.units.has(d.unitOfMeasure)) {
      f.report(preset.unitSeverity, 'unit', `${at}/ItemDetail/UnitOfMeasure is ${show(d.unitOfMeasure)}, a unit the buyer does not map (not a UN/ECE Rec 20 code such as EA, PCE, C62)`, { field: `${at}/ItemDetail/UnitOfMeasure`, value: d.unitOfMeasure, expected: 'a UN/ECE Rec 20 code' });
    }
    if (!item.quantity.gt(0)) f.fail('number', `${at}@quantity is ${item.quantity.toString()}; must be greater than 0`, { field: `${at}@quantity`, value: item.quantity.toString(), expected: '> 0' });
    const price = d.unitPrice;
    if (!/^-?\d+(\.\d+)?$/.test(price.raw.trim())) f.fail('number', `${at}/ItemDetail/UnitPrice/Money is ${show(price.raw)}: a plain decimal with a point is expected`, { field: `${at}/ItemDetail/UnitPrice/Money`, value: price.raw, expected: 'e.g. 12.50' });
    if (preset.maxPriceDecimals && price.amount.decimalPlaces() > preset.maxPriceDecimals) {
      f.fail('number', `${at}/ItemDetail/UnitPrice/Money is ${price.raw} with ${price.amount.decimalPlaces()} decimals; this buyer keeps ${preset.maxPriceDecimals}`, { field: `${at}/ItemDetail/UnitPrice/Money`, value: price.raw, expected: `≤ ${preset.maxPriceDecimals} decimals` });
    }
    if (price.currency !== m.total.currency) f.fail('number', `${at}/ItemDetail/UnitPrice/Money@currency is ${price.currency}, the cart total is in ${m.total.currency}`, { field: `${at}/ItemDetail/UnitPrice/Money@currency`, value: price.currency, expected: m.total.currency });
    for (const [k, text] of itemTexts(item)) {
      const bad = preset.refusedCharacters.filter((c) => text.includes(c));
      if (bad.length) f.fail('text', `${at}/${k} contains ${bad.join(' ')} (${show(text)}); this buyer refuses them — write them as (TM) (R) (C)`, { field: `${at}/${k}`, value: text, expected: 'no ™ ® ©' });
    }
    for (const [k, id] of [['ItemID/SupplierPartID', item.itemID.supplierPartID], ['ItemID/SupplierPartAuxiliaryID', item.itemID.supplierPartAuxiliaryID]] as const) {
      if (id === undefined) continue;
      const bad = preset.refusedInPartIds.filter((c) => id.includes(c));
      if (bad.length) f.fail('part-id', `${at}/${k} ${show(id)} contains ${bad.join(' ')}, which this buyer refuses in part IDs`, { field: `${at}/${k}`, value: id, expected: `no ${preset.refusedInPartIds.join(' ')}` });
      if (preset.maxPartIdLength && id.length > preset.maxPartIdLength) f.fail('part-id', `${at}/${k} is ${id.length} characters; this buyer allows ${preset.maxPartIdLength}`, { field: `${at}/${k}`, value: id, expected: `≤ ${preset.maxPartIdLength} characters` });
    }
    if (preset.maxShortNameLength) {
      d.descriptions.forEach((desc, j) => {
        if (desc.shortName !== undefined && desc.shortName.length > preset.maxShortNameLength) {
          f.fail('field-length', `${at}/ItemDetail/Description[${j + 1}]/ShortName is ${desc.shortName.length} characters (${show(desc.shortName)}); this buyer allows ${preset.maxShortNameLength}`, { field: `${at}/ItemDetail/Description[${j + 1}]/ShortName`, value: desc.shortName, expected: `≤ ${preset.maxShortNameLength} characters` });
        }
      });
    }
  });

  // Total = Σ quantity × unit price (each line rounded to cents), plus shipping and tax when sent.
  f.rule('total', 'the cart Total is the sum of its lines (plus Shipping and Tax when sent)');
  if (m.items.length > 0 && m.items.every((i) => i.itemDetail.unitPrice.currency === m.total.currency)) {
    const lines = m.items.map((i) => {
      const pbq = i.itemDetail.priceBasisQuantity;
      const perUnit = pbq && pbq.quantity.gt(0) ? i.itemDetail.unitPrice.amount.div(pbq.quantity) : i.itemDetail.unitPrice.amount;
      return i.quantity.times(perUnit);
    });
    const rounded = lines.reduce((s, l) => s.plus(l.toDecimalPlaces(2, Decimal.ROUND_HALF_UP)), new Decimal(0));
    const exact = lines.reduce((s, l) => s.plus(l), new Decimal(0));
    const extras = new Decimal(0).plus(m.shipping?.money.amount ?? 0).plus(m.tax?.money.amount ?? 0);
    const total = m.total.amount;
    const candidates = [rounded, exact.toDecimalPlaces(2, Decimal.ROUND_HALF_UP), rounded.plus(extras), exact.plus(extras).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)];
    if (!candidates.some((c) => c.eq(total))) {
      f.fail('total', `PunchOutOrderMessageHeader/Total is ${m.total.raw} ${m.total.currency}, the lines add up to ${rounded.toFixed(2)}${extras.gt(0) ? ` (${rounded.plus(extras).toFixed(2)} with shipping and tax)` : ''}`, {
        field: 'PunchOutOrderMessageHeader/Total/Money',
        value: m.total.raw,
        expected: rounded.toFixed(2),
      });
    }
  } else if (m.items.length === 0 && !m.total.amount.eq(0)) {
    f.fail('total', `the cart has no items but its Total is ${m.total.raw}`, { field: 'PunchOutOrderMessageHeader/Total/Money', value: m.total.raw, expected: '0' });
  }
}

/** The free texts of an item a buyer stores: descriptions, short names, manufacturer. */
function itemTexts(item: ItemIn): [string, string][] {
  const out: [string, string][] = [];
  item.itemDetail.descriptions.forEach((d, j) => {
    out.push([`ItemDetail/Description[${j + 1}]`, d.text]);
    if (d.shortName !== undefined) out.push([`ItemDetail/Description[${j + 1}]/ShortName`, d.shortName]);
  });
  if (item.itemDetail.manufacturerName) out.push(['ItemDetail/ManufacturerName', item.itemDetail.manufacturerName]);
  return out;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
