/**
 * The admin's cart preview for one connection: take the last real cart (or a sample cart of
 * chosen products), run it through exactly the pipeline a transfer uses (prepareReturn: mapping,
 * writer, lint), add the DTD check of the PunchOutOrderMessage, and compare the result with the
 * last cart document this connection was sent.
 *
 * "Last transfer sent", never "accepted": neither the OCI form nor the cXML browser post gets an
 * answer from the buyer, so whether the buyer took the cart is unknowable here.
 */
import { sql } from 'kysely';
import { Decimal, dec, formatDecimal } from '../protocol/money.js';
import { renderOciFormHtml, type OciField } from '../protocol/oci/cart-form.js';
import { readCxml } from '../protocol/cxml/reader.js';
import type { ItemIn, PunchOutOrderMessage } from '../protocol/cxml/model.js';
import { validateAgainstDtd } from '../cxml-dtd/validate.js';
import type { Connection } from '../domain/connection.js';
import type { MappableLine, Provenance } from '../domain/cart-mapping.js';
import { sortFindings, type LintFinding } from '../domain/cart-lint.js';
import type { AppContext } from './context.js';
import { cartProduct, type Product } from './catalog.js';
import { getConnection } from './connections.js';
import { cartLines, prepareReturn, type PreparedReturn, type ReturnSession } from './punchout.js';
import { pricesFor } from './pricing.js';

export type CartChoice = { readonly kind: 'last' } | { readonly kind: 'sample'; readonly text: string };

/** One value sent, with where it came from. */
export interface PreviewRow {
  /** Cart line (1-based); 0 = header or form-level field. */
  readonly line: number;
  /** As it appears in the document: `NEW_ITEM-DESCRIPTION[1]`, `ShortName` … */
  readonly name: string;
  readonly value: string;
  readonly source: string;
  readonly note?: string;
}

export interface PreviewLine {
  readonly sku: string;
  readonly name: string;
  readonly quantity: string;
  readonly unitPrice: string;
  readonly currency: string;
  readonly priceSource: string;
}

export type DtdCheck =
  | { readonly kind: 'valid'; readonly version: string; readonly file: string }
  | { readonly kind: 'invalid'; readonly version: string; readonly file: string; readonly errors: readonly string[] }
  | { readonly kind: 'unavailable'; readonly reason: string }
  | { readonly kind: 'not applicable'; readonly reason: string };

export interface LineChange {
  readonly field: string;
  readonly before?: string;
  readonly after?: string;
}

export interface LineDiff {
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly label: string;
  readonly beforeLine?: number;
  readonly afterLine?: number;
  readonly changes: readonly LineChange[];
}

export type TransferDiff =
  | { readonly kind: 'none' }
  | { readonly kind: 'unreadable'; readonly sentAt: string; readonly reason: string }
  | { readonly kind: 'diff'; readonly sentAt: string; readonly docType: string; readonly header: readonly LineChange[]; readonly lines: readonly LineDiff[] };

export interface CartPreview {
  readonly connection: Connection;
  readonly choice: CartChoice['kind'];
  /** What was previewed, in words. */
  readonly cartLabel: string;
  /** The sample cart text (given, or the default selection). */
  readonly sampleText: string;
  /** Lines of the sample text that could not be used. */
  readonly sampleProblems: readonly string[];
  readonly lines: readonly PreviewLine[];
  /** Where the form goes and with which session data, in words. */
  readonly sessionNote: string;
  readonly prepared: PreparedReturn;
  /** Lint findings plus the DTD check, blocks first. */
  readonly findings: readonly LintFinding[];
  readonly dtd: DtdCheck;
  readonly rows: readonly PreviewRow[];
  /** OCI: the HTML page the browser gets; cXML: the PunchOutOrderMessage. */
  readonly document?: { readonly kind: 'oci-html' | 'cxml'; readonly text: string; readonly travelsAs: string };
  readonly diff: TransferDiff;
}

/** Where a preview without a real session "returns" to: a reserved name that never resolves. */
export const PLACEHOLDER_RETURN_URL = 'https://purchasing-system.invalid/return';

interface LastSession {
  readonly id: string;
  readonly closedAt: string | null;
  readonly session: ReturnSession;
}

async function lastTransferredSession(ctx: AppContext, connection: Connection): Promise<LastSession | undefined> {
  const row = await ctx.db
    .selectFrom('punchout_sessions')
    .selectAll()
    .where('connection_id', '=', connection.id)
    .where('status', '=', 'transferred')
    .orderBy('closed_at', 'desc')
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    closedAt: row.closed_at,
    session: {
      protocol: row.protocol,
      operation: row.operation === 'edit' || row.operation === 'inspect' ? row.operation : 'create',
      buyerCookie: row.buyer_cookie,
      returnUrl: row.return_url,
      returnTarget: row.return_target,
      echoFields: JSON.parse(row.echo_fields) as ReturnSession['echoFields'],
      context: JSON.parse(row.context) as ReturnSession['context'],
      deploymentMode: row.deployment_mode,
    },
  };
}

function standInSession(connection: Connection): ReturnSession {
  return {
    protocol: connection.protocol,
    operation: 'create',
    buyerCookie: 'preview',
    returnUrl: PLACEHOLDER_RETURN_URL,
    returnTarget: null,
    echoFields: [],
    context: {},
    deploymentMode: connection.environment === 'test' ? 'test' : 'production',
  };
}

/**
 * Three varied products for a sample cart: one whose name is longer than OCI's 40 characters,
 * one with a sub-cent unit price (PRICEUNIT / rounding), and one with yet another unit.
 */
export async function defaultSampleText(ctx: AppContext): Promise<string> {
  const picked: { sku: string; quantity: string }[] = [];
  const skus = () => (picked.length ? picked.map((p) => p.sku) : ['']);
  const longName = await ctx.db.selectFrom('products').select(['sku', 'unit']).where(sql<boolean>`length(name) > 40`).orderBy('sku').limit(1).executeTakeFirst();
  if (longName) picked.push({ sku: longName.sku, quantity: '2' });
  const subCent = await ctx.db.selectFrom('products').select(['sku', 'unit']).where('price', 'like', '%.___%').where('sku', 'not in', skus()).orderBy('sku').limit(1).executeTakeFirst();
  if (subCent) picked.push({ sku: subCent.sku, quantity: '500' });
  const units = [longName?.unit, subCent?.unit].filter((u): u is string => u !== undefined);
  const other = await ctx.db
    .selectFrom('products')
    .select(['sku'])
    .where('sku', 'not in', skus())
    .where('unit', 'not in', units.length ? units : [''])
    .orderBy('sku')
    .limit(1)
    .executeTakeFirst();
  if (other) picked.push({ sku: other.sku, quantity: '1' });
  if (picked.length < 3) {
    const more = await ctx.db.selectFrom('products').select('sku').where('sku', 'not in', skus()).orderBy('sku').limit(3 - picked.length).execute();
    for (const m of more) picked.push({ sku: m.sku, quantity: '1' });
  }
  return picked.map((p) => `${p.sku};${p.quantity}`).join('\n');
}

/** `SKU` or `SKU;quantity` per line (tab or spaces work as separators too). */
export function parseSampleText(text: string): { entries: { sku: string; quantity: Decimal }[]; problems: string[] } {
  const entries: { sku: string; quantity: Decimal }[] = [];
  const problems: string[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return;
    const [sku = '', qty = '1', ...rest] = t.split(/\s*[;\t]\s*|\s+/);
    if (rest.length > 0 || !/^\d{1,11}(\.\d{1,3})?$/.test(qty) || dec(qty).lte(0)) {
      problems.push(`Line ${i + 1} ("${t}"): write SKU or SKU;quantity with a quantity above 0 (at most 3 decimals).`);
      return;
    }
    entries.push({ sku, quantity: dec(qty) });
  });
  return { entries: entries.slice(0, 200), problems: entries.length > 200 ? [...problems, 'Only the first 200 lines are previewed.'] : problems };
}

async function sampleLines(ctx: AppContext, connection: Connection, text: string): Promise<{ lines: MappableLine[]; view: PreviewLine[]; problems: string[] }> {
  const { entries, problems } = parseSampleText(text);
  const rows = entries.length ? await ctx.db.selectFrom('products').selectAll().where('sku', 'in', [...new Set(entries.map((e) => e.sku))]).execute() : [];
  const bySku = new Map(rows.map((r) => [r.sku, r]));
  const prices = await pricesFor(ctx, connection, rows);
  const lines: MappableLine[] = [];
  const view: PreviewLine[] = [];
  for (const e of entries) {
    const product = bySku.get(e.sku);
    if (!product) {
      problems.push(`There is no product with the SKU ${e.sku}.`);
      continue;
    }
    const price = prices.get(product.id)!;
    const fromList = price.source !== 'catalog';
    lines.push({
      product: cartProduct(product),
      quantity: e.quantity,
      unitPrice: price.price,
      currency: price.currency,
      auxId: `preview-${lines.length + 1}`,
      priceSource: fromList ? 'price list' : 'catalog',
      ...(fromList ? { priceNote: price.source } : {}),
    });
    view.push({ sku: product.sku, name: product.name, quantity: formatDecimal(e.quantity), unitPrice: formatDecimal(price.price), currency: price.currency, priceSource: price.source });
  }
  return { lines, view, problems };
}

/** The last real cart, each price labelled with where it came from as far as can be told now. */
async function lastCartLines(ctx: AppContext, connection: Connection, sessionId: string): Promise<{ lines: MappableLine[]; view: PreviewLine[] }> {
  const cart = await cartLines(ctx, sessionId);
  const products = cart.length ? await ctx.db.selectFrom('products').selectAll().where('id', 'in', cart.map((l) => l.product.id)).execute() : [];
  const prices = await pricesFor(ctx, connection, products as Product[]);
  const lines: MappableLine[] = [];
  const view: PreviewLine[] = [];
  for (const l of cart) {
    const now = prices.get(l.product.id);
    const same = now !== undefined && now.price.eq(l.unitPrice) && now.currency === l.currency;
    const source = same ? (now.source === 'catalog' ? 'catalog' : 'price list') : 'cart';
    const note = same ? (now.source === 'catalog' ? 'unit price stored with the line; same as the catalog today' : `unit price stored with the line; same as the ${now.source} today`) : 'unit price stored when the line was added; today\'s price differs';
    lines.push({ ...l, priceSource: source, priceNote: note });
    view.push({ sku: l.product.sku, name: l.product.name, quantity: formatDecimal(l.quantity), unitPrice: formatDecimal(l.unitPrice), currency: l.currency, priceSource: same ? now.source : 'stored with the line' });
  }
  return { lines, view };
}

export async function previewCart(ctx: AppContext, connectionId: string, choice: CartChoice): Promise<CartPreview | undefined> {
  const connection = await getConnection(ctx, connectionId);
  if (!connection) return undefined;
  const last = await lastTransferredSession(ctx, connection);
  const sampleText = choice.kind === 'sample' && choice.text.trim() !== '' ? choice.text : await defaultSampleText(ctx);

  let lines: MappableLine[];
  let view: PreviewLine[];
  let sampleProblems: string[] = [];
  let cartLabel: string;
  let kind: CartChoice['kind'] = choice.kind;
  if (choice.kind === 'last' && last) {
    ({ lines, view } = await lastCartLines(ctx, connection, last.id));
    cartLabel = `The last cart transferred on this connection (${(last.closedAt ?? '').replace('T', ' ').slice(0, 19)} UTC, ${lines.length} line(s)), with its stored prices.`;
  } else {
    ({ lines, view, problems: sampleProblems } = await sampleLines(ctx, connection, sampleText));
    cartLabel =
      choice.kind === 'last'
        ? `No cart has been transferred on this connection yet, so this is a sample cart of ${lines.length} product(s).`
        : `A sample cart of ${lines.length} product(s), priced for this connection.`;
    kind = 'sample';
  }

  // The last real session gives the real return address, echo fields, cookie and credentials.
  const session = last ? { ...last.session, protocol: connection.protocol } : standInSession(connection);
  const sessionNote = last
    ? `Sent as in the last session of this connection: to ${session.returnUrl}${connection.protocol === 'cxml' ? `, BuyerCookie ${JSON.stringify(session.buyerCookie ?? '')}` : ''}.`
    : `No session has ended with a transfer yet: the form goes to the placeholder ${PLACEHOLDER_RETURN_URL}; a real transfer uses the buyer's return URL.`;
  const prepared = prepareReturn(ctx, connection, session, lines, 'transfer');

  const extra: LintFinding[] = [];
  const dtd = checkDtd(connection, prepared);
  if (dtd.kind === 'invalid') {
    extra.push({ severity: 'block', field: 'DTD', message: `The PunchOutOrderMessage is not valid against cXML ${dtd.version} (${dtd.file}): ${dtd.errors.slice(0, 3).join('; ')}${dtd.errors.length > 3 ? ` (and ${dtd.errors.length - 3} more)` : ''}.` });
  } else if (dtd.kind === 'unavailable') {
    extra.push({ severity: 'warn', field: 'DTD', message: `The DTD check could not run: ${dtd.reason}` });
  }

  return {
    connection,
    choice: kind,
    cartLabel,
    sampleText,
    sampleProblems,
    lines: view,
    sessionNote,
    prepared,
    findings: sortFindings([...prepared.findings, ...extra]),
    dtd,
    rows: previewRows(prepared),
    ...documentOf(prepared),
    diff: await diffWithLastSent(ctx, connection, prepared),
  };
}

function checkDtd(connection: Connection, prepared: PreparedReturn): DtdCheck {
  if (connection.protocol !== 'cxml') return { kind: 'not applicable', reason: 'An OCI cart is an HTML form; it has no DTD.' };
  if (prepared.form?.kind !== 'cxml') return { kind: 'not applicable', reason: 'No document could be written (see the problems above).' };
  const version = connection.options.cxml.version;
  try {
    const r = validateAgainstDtd(prepared.form.documentXml, 'cXML', { version });
    return r.valid ? { kind: 'valid', version, file: r.dtd } : { kind: 'invalid', version, file: r.dtd, errors: r.errors };
  } catch (err) {
    // The official DTDs are not shipped with Koppel (KOPPEL_DTD_DIR points at them).
    return { kind: 'unavailable', reason: `${(err as Error).message}. Point KOPPEL_DTD_DIR at a folder with <version>/cXML.dtd.` };
  }
}

function documentOf(prepared: PreparedReturn): Pick<CartPreview, 'document'> {
  const form = prepared.form;
  if (!form) return {};
  if (form.kind === 'oci') {
    const page = renderOciFormHtml(form.form, { title: 'Sending your cart' });
    return { document: { kind: 'oci-html', text: page, travelsAs: `${form.form.fields.length} hidden fields posted to ${form.form.action} (${form.form.acceptCharset})` } };
  }
  return { document: { kind: 'cxml', text: form.documentXml, travelsAs: `one hidden field ${form.fieldName} (${form.fieldValue.length} characters) posted to ${form.action}` } };
}

const OCI_NAME = /^NEW_ITEM-([A-Z0-9_]+)\[(\d+)\]$/;
const OCI_LONGTEXT = /^NEW_ITEM-LONGTEXT_(\d+):132\[\]$/;

/** (line, field) of an OCI form field name, or undefined for form-level fields (~OkCode …). */
export function ociFieldPosition(name: string): { line: number; field: string } | undefined {
  const lt = OCI_LONGTEXT.exec(name);
  if (lt) return { line: Number(lt[1]), field: 'LONGTEXT' };
  const m = OCI_NAME.exec(name);
  return m ? { line: Number(m[2]), field: m[1]! } : undefined;
}

/** Why the form carries something else than the mapped text (numbers are formatted, never "changed"). */
function ociChange(field: string, mapped: string, sent: string): string | undefined {
  if (mapped === sent || ['QUANTITY', 'PRICE', 'PRICEUNIT', 'LEADTIME'].includes(field)) return undefined;
  if (field === 'LONGTEXT' && sent.endsWith(mapped)) return 'the full name leads the long text because DESCRIPTION was cut';
  if (sent.length < mapped.length && mapped.startsWith(sent.slice(0, Math.max(1, sent.length - 1)))) return `cut to OCI's length from “${mapped}”`;
  return `written for OCI from “${mapped}” (line breaks, control characters or ISO-8859-1)`;
}

function previewRows(prepared: PreparedReturn): PreviewRow[] {
  const provenance = prepared.mapped.provenance;
  const byField = new Map(provenance.map((p) => [`${p.line}|${p.field}`, p]));
  const find = (line: number, field: string): Provenance | undefined => byField.get(`${line}|${field}`);
  const form = prepared.form;
  if (prepared.mapped.protocol === 'oci' && form?.kind === 'oci') {
    return form.form.fields.map((f): PreviewRow => {
      const at = ociFieldPosition(f.name);
      if (!at) return { line: 0, name: f.name, value: f.value, source: 'session', note: 'echoed from the buyer’s OCI call' };
      const p = find(at.line, at.field);
      const notes = [p?.note, p ? ociChange(at.field, p.value, f.value) : undefined].filter(Boolean).join('; ');
      return { line: at.line, name: f.name, value: f.value, source: p?.source ?? 'empty', ...(notes ? { note: notes } : {}) };
    });
  }
  return provenance.map((p) => ({ line: p.line, name: p.field, value: p.value, source: p.source, ...(p.note ? { note: p.note } : {}) }));
}

// ---- difference from the last transfer sent ------------------------------------------------

/** One cart line as comparable fields. */
export interface FieldLine {
  readonly key: string;
  readonly label: string;
  readonly fields: ReadonlyMap<string, string>;
}

/** OCI form fields grouped by line; the key is the product id the buyer sees (EXT_PRODUCT_ID, else VENDORMAT). */
export function ociFieldLines(fields: readonly OciField[]): FieldLine[] {
  const byLine = new Map<number, Map<string, string>>();
  for (const f of fields) {
    const at = ociFieldPosition(f.name);
    if (!at) continue;
    const m = byLine.get(at.line) ?? new Map<string, string>();
    m.set(at.field, f.value);
    byLine.set(at.line, m);
  }
  return [...byLine.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([n, m]) => {
      const key = m.get('EXT_PRODUCT_ID') || m.get('VENDORMAT') || `line ${n}`;
      return { key, label: `${m.get('DESCRIPTION') ?? ''} (${key})`, fields: m };
    });
}

function itemFields(item: ItemIn): Map<string, string> {
  const m = new Map<string, string>();
  const d = item.itemDetail;
  m.set('quantity', formatDecimal(item.quantity));
  m.set('SupplierPartID', item.itemID.supplierPartID);
  if (item.itemID.buyerPartID) m.set('BuyerPartID', item.itemID.buyerPartID);
  m.set('UnitPrice', `${d.unitPrice.raw} ${d.unitPrice.currency}`);
  d.descriptions.forEach((x, i) => {
    const suffix = d.descriptions.length > 1 ? `[${x.lang}]` : '';
    if (x.shortName !== undefined) m.set(`ShortName${suffix}`, x.shortName);
    m.set(`Description${suffix}`, x.text);
  });
  m.set('UnitOfMeasure', d.unitOfMeasure);
  for (const c of d.classifications) m.set(`Classification[${c.domain}]`, c.code);
  if (d.manufacturerPartID !== undefined) m.set('ManufacturerPartID', d.manufacturerPartID);
  if (d.manufacturerName !== undefined) m.set('ManufacturerName', d.manufacturerName);
  if (d.url !== undefined) m.set('URL', d.url);
  if (d.leadTime !== undefined) m.set('LeadTime', String(d.leadTime));
  for (const x of d.extrinsics) m.set(`Extrinsic:${x.name}`, x.value);
  if (item.tax) m.set('Tax', `${item.tax.money.raw} ${item.tax.money.currency}`);
  if (item.shipping) m.set('Shipping', `${item.shipping.money.raw} ${item.shipping.money.currency}`);
  return m;
}

/** ItemIn lines as comparable fields (SupplierPartAuxiliaryID left out: it differs per session by design). */
export function cxmlFieldLines(poom: PunchOutOrderMessage): { header: Map<string, string>; lines: FieldLine[] } {
  const header = new Map<string, string>();
  header.set('Total', `${poom.total.raw} ${poom.total.currency}`);
  if (poom.shipping) header.set('Shipping', `${poom.shipping.money.raw} ${poom.shipping.money.currency}`);
  if (poom.tax) header.set('Tax', `${poom.tax.money.raw} ${poom.tax.money.currency}`);
  return {
    header,
    lines: poom.items.map((item) => {
      const fields = itemFields(item);
      const key = item.itemID.supplierPartID;
      const name = item.itemDetail.descriptions[0];
      return { key, label: `${name?.shortName || name?.text.slice(0, 60) || ''} (${key})`, fields };
    }),
  };
}

export function diffFields(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): LineChange[] {
  const changes: LineChange[] = [];
  for (const [field, value] of after) {
    const old = before.get(field);
    if (old === undefined) changes.push({ field, after: value });
    else if (old !== value) changes.push({ field, before: old, after: value });
  }
  for (const [field, value] of before) if (!after.has(field)) changes.push({ field, before: value });
  return changes;
}

/** Lines are paired by product key (same key, in order), so a reordered cart is not "all changed". */
export function diffLines(before: readonly FieldLine[], after: readonly FieldLine[]): LineDiff[] {
  const used = new Set<number>();
  const out: LineDiff[] = [];
  after.forEach((a, ai) => {
    const bi = before.findIndex((b, i) => !used.has(i) && b.key === a.key);
    if (bi < 0) {
      out.push({ status: 'added', label: a.label, afterLine: ai + 1, changes: [...a.fields].map(([field, value]) => ({ field, after: value })) });
      return;
    }
    used.add(bi);
    const changes = diffFields(before[bi]!.fields, a.fields);
    out.push({ status: changes.length ? 'changed' : 'unchanged', label: a.label, beforeLine: bi + 1, afterLine: ai + 1, changes });
  });
  before.forEach((b, bi) => {
    if (!used.has(bi)) out.push({ status: 'removed', label: b.label, beforeLine: bi + 1, changes: [...b.fields].map(([field, value]) => ({ field, before: value })) });
  });
  return out;
}

async function diffWithLastSent(ctx: AppContext, connection: Connection, prepared: PreparedReturn): Promise<TransferDiff> {
  const doc = await ctx.db
    .selectFrom('documents')
    .select(['doc_type', 'body', 'created_at'])
    .where('connection_id', '=', connection.id)
    .where('direction', '=', 'out')
    .where('doc_type', 'in', ['OCI cart', 'PunchOutOrderMessage'])
    .where('status', '=', 'sent')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!doc) return { kind: 'none' };
  const sentAt = doc.created_at;
  try {
    if (doc.doc_type === 'OCI cart') {
      const body = JSON.parse(doc.body) as { fields?: OciField[] };
      if (!Array.isArray(body.fields)) return { kind: 'unreadable', sentAt, reason: 'the logged OCI cart has no field list' };
      const now = prepared.form?.kind === 'oci' ? ociFieldLines(prepared.form.form.fields) : [];
      return { kind: 'diff', sentAt, docType: doc.doc_type, header: [], lines: diffLines(ociFieldLines(body.fields), now) };
    }
    const before = readCxml(doc.body).envelope.payload;
    if (before.kind !== 'PunchOutOrderMessage') return { kind: 'unreadable', sentAt, reason: `the logged document is a ${before.kind}` };
    const then = cxmlFieldLines(before);
    if (prepared.form?.kind !== 'cxml') return { kind: 'diff', sentAt, docType: doc.doc_type, header: diffFields(then.header, new Map()), lines: diffLines(then.lines, []) };
    const current = readCxml(prepared.form.documentXml).envelope.payload as PunchOutOrderMessage;
    const now = cxmlFieldLines(current);
    return { kind: 'diff', sentAt, docType: doc.doc_type, header: diffFields(then.header, now.header), lines: diffLines(then.lines, now.lines) };
  } catch (err) {
    return { kind: 'unreadable', sentAt, reason: (err as Error).message };
  }
}
