/**
 * The sandbox's stores: inventory items linked to a supplier's product (SupplierPartID, price,
 * the supplier's cXML settings), stock movements (consumption, goods receipts, counts), and the
 * automatic re-order when stock runs low.
 *
 * Re-order rule. An item is short when
 *     stock + on order < min_stock
 * where "on order" is the quantity of this item in requisition lines (inventoryItemId) of
 * requisitions that are draft, pending, approved or ordered, minus what goods receipts for their
 * purchase order have received on those lines (receipt line n = requisition line n; a requisition
 * whose purchase order was cancelled or rejected counts nothing). Once a purchase order exists its
 * current lines count, not the requisition's: a change that lowered (or dropped) a line lowers
 * what is on order, so the re-order can close when that much has been received. A short item gets one
 * requisition (source `reorder`, the item's requester and cost center, reorder_quantity at the
 * item's unit price), submitted as `system`; the approval rule "Automatic re-orders" approves it
 * and submitRequisition places the purchase order.
 *
 * No two re-orders for one shortage: inside a transaction the item is claimed with a conditional
 * update of open_requisition_id (only where it is NULL), so of two consumptions at once only one
 * creates a requisition. While a re-order is open no other is made. It is let go lazily, at the
 * next check (after a consumption, or by the worker): when that requisition was rejected or
 * cancelled, its purchase order cancelled or rejected, or all of its goods received. A claim
 * whose requisition was never written (the process died in between) is let go after
 * STALE_CLAIM_MS.
 *
 * Stop after a refusal. A re-order whose requisition was rejected, or whose purchase order the
 * supplier rejected or never received, is let go with reorder_hold set (in the same conditional
 * update, so once): no automatic re-order for the item until a person resumes it (the button on
 * the item's page, or saving a change to the item). Otherwise a supplier that answers 400 got a
 * new order every tick.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../../store/database.js';
import { Decimal, dec, isCurrencyCode, minorUnits, roundMoney } from '../../protocol/money.js';
import { defaultSettings, settingsFromForm, type SandboxSettings } from '../settings.js';
import { newId, recordEvent } from './history.js';
import { newestFirst, ProcurementError, type InventoryItem, type ProcurementDeps, type ReorderHold, type Requisition, type RequisitionLine, type SandboxActor } from './model.js';
import { findPurchaseOrder, poLines } from './purchase-orders.js';
import { readQuantity, readUnitPrice } from './quantities.js';
import { createRequisition, submitRequisition } from './requisitions.js';

/** A claim that never became a requisition (crash between claim and insert) is released after this. */
export const STALE_CLAIM_MS = 10 * 60_000;

/** Requisition states whose lines count as "on order" (until received). */
export const ON_ORDER_STATUSES = ['draft', 'pending', 'approved', 'ordered'] as const;

type Row = {
  id: string;
  name: string;
  supplier_part_id: string;
  aux_id: string | null;
  description: string;
  unit: string;
  unit_price: string;
  currency: string;
  classification: string | null;
  supplier: string;
  stock: string;
  min_stock: string;
  reorder_quantity: string;
  cost_center: string;
  requester_id: string;
  open_requisition_id: string | null;
  reorder_hold: string | null;
  active: number;
  created_at: string;
  updated_at: string;
};

function toItem(r: Row): InventoryItem {
  return {
    id: r.id,
    name: r.name,
    supplierPartID: r.supplier_part_id,
    auxID: r.aux_id,
    description: r.description,
    unit: r.unit,
    unitPrice: r.unit_price,
    currency: r.currency,
    classification: r.classification ? (JSON.parse(r.classification) as { domain: string; code: string }) : null,
    supplier: JSON.parse(r.supplier) as SandboxSettings,
    stock: r.stock,
    minStock: r.min_stock,
    reorderQuantity: r.reorder_quantity,
    costCenter: r.cost_center,
    requesterId: r.requester_id,
    openRequisitionId: r.open_requisition_id,
    reorderHold: r.reorder_hold ? (JSON.parse(r.reorder_hold) as ReorderHold) : null,
    active: Number(r.active) === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function listItems(db: Store): Promise<InventoryItem[]> {
  const rows = await db.selectFrom('sandbox_inventory_items').selectAll().orderBy('name').orderBy('id').execute();
  return rows.map(toItem);
}

export async function findItem(db: Store, id: string): Promise<InventoryItem | undefined> {
  const row = await db.selectFrom('sandbox_inventory_items').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toItem(row) : undefined;
}

// ---- input: validation (pure) ---------------------------------------------------------------------

export interface ItemInput {
  readonly name: string;
  readonly supplierPartID: string;
  readonly auxID: string | null;
  readonly description: string;
  readonly unit: string;
  readonly unitPrice: string;
  readonly currency: string;
  readonly classification: { readonly domain: string; readonly code: string } | null;
  readonly supplier: SandboxSettings;
  /** Only when the item is created; later changes go through consumption, receipts and counts. */
  readonly stock?: string;
  readonly minStock: string;
  readonly reorderQuantity: string;
  readonly costCenter: string;
  readonly requesterId: string;
  readonly active: boolean;
}

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** Invalid item input: every problem, each with its form field (HTTP 422). */
export class ItemInputError extends ProcurementError {
  constructor(readonly problems: readonly FieldProblem[]) {
    super(problems.map((p) => p.message).join(' '), problems[0]?.field, 422);
    this.name = 'ItemInputError';
  }
}

export const ITEM_TEXT_FIELDS = [
  'name', 'supplierPartID', 'auxID', 'description', 'unit', 'unitPrice', 'currency', 'classificationDomain', 'classificationCode',
  'stock', 'minStock', 'reorderQuantity', 'costCenter', 'requesterId',
  'cxmlUrl', 'fromDomain', 'fromIdentity', 'toDomain', 'toIdentity', 'senderDomain', 'senderIdentity', 'sharedSecret', 'cxmlVersion',
] as const;

/** The form's values for an existing item, or the defaults of a new one (this Koppel's demo-cxml). */
export function itemFormValues(item: InventoryItem | undefined, baseUrl: string): Record<string, string> {
  const s = item?.supplier ?? defaultSettings(baseUrl);
  return {
    name: item?.name ?? '',
    supplierPartID: item?.supplierPartID ?? '',
    auxID: item?.auxID ?? '',
    description: item?.description ?? '',
    unit: item?.unit ?? 'EA',
    unitPrice: item?.unitPrice ?? '',
    currency: item?.currency ?? 'EUR',
    classificationDomain: item?.classification?.domain ?? 'UNSPSC',
    classificationCode: item?.classification?.code ?? '',
    stock: item?.stock ?? '0',
    minStock: item?.minStock ?? '',
    reorderQuantity: item?.reorderQuantity ?? '',
    costCenter: item?.costCenter ?? '1000',
    requesterId: item?.requesterId ?? 'sam',
    active: item ? (item.active ? '1' : '') : '1',
    cxmlUrl: s.cxmlUrl,
    fromDomain: s.from.domain,
    fromIdentity: s.from.identity,
    toDomain: s.to.domain,
    toIdentity: s.to.identity,
    senderDomain: s.sender.domain,
    senderIdentity: s.sender.identity,
    // Never shown again: empty means "keep the stored one" (or the demo secret for a new item).
    sharedSecret: '',
    cxmlVersion: s.cxmlVersion,
  };
}

/**
 * Reads the item form. Decimal fields must be plain non-negative numbers; the supplier part reads
 * like the sandbox start form (empty fields fall back to this Koppel's demo-cxml connection; an
 * empty SharedSecret keeps the stored one).
 */
export function itemFromForm(
  form: URLSearchParams,
  baseUrl: string,
  existing?: InventoryItem,
): { values: Record<string, string>; input: ItemInput | undefined; problems: FieldProblem[] } {
  const values: Record<string, string> = {};
  for (const f of ITEM_TEXT_FIELDS) values[f] = form.get(f) ?? '';
  values.active = form.has('active') && form.get('active') !== '0' ? '1' : '';
  values.sharedSecret = ''; // never echoed back
  const problems: FieldProblem[] = [];
  const text = (f: string) => (form.get(f) ?? '').trim();

  // The supplier: reuse the start form's reader so both forms mean the same thing.
  const supplierForm = new URLSearchParams();
  for (const f of ['cxmlUrl', 'fromDomain', 'fromIdentity', 'toDomain', 'toIdentity', 'senderDomain', 'senderIdentity', 'cxmlVersion']) {
    supplierForm.set(f, text(f));
  }
  const typedSecret = form.get('sharedSecret') ?? '';
  if (typedSecret !== '') supplierForm.set('sharedSecret', typedSecret);
  const read = settingsFromForm(supplierForm, baseUrl);
  for (const p of read.problems) problems.push(p);
  const supplier: SandboxSettings = {
    ...read.settings,
    protocol: 'cxml',
    sharedSecret: typedSecret !== '' ? typedSecret : (existing?.supplier.sharedSecret ?? defaultSettings(baseUrl).sharedSecret),
  };

  const input = validateItemFields(
    {
      name: text('name'),
      supplierPartID: text('supplierPartID'),
      auxID: text('auxID'),
      description: text('description'),
      unit: text('unit'),
      unitPrice: text('unitPrice'),
      currency: text('currency'),
      classificationDomain: text('classificationDomain'),
      classificationCode: text('classificationCode'),
      stock: existing ? undefined : text('stock'),
      minStock: text('minStock'),
      reorderQuantity: text('reorderQuantity'),
      costCenter: text('costCenter'),
      requesterId: text('requesterId'),
      active: values.active === '1',
      supplier,
    },
    problems,
  );
  return { values, input: problems.length === 0 ? input : undefined, problems };
}

interface RawItemFields {
  name: string;
  supplierPartID: string;
  auxID: string;
  description: string;
  unit: string;
  unitPrice: string;
  currency: string;
  classificationDomain: string;
  classificationCode: string;
  stock: string | undefined;
  minStock: string;
  reorderQuantity: string;
  costCenter: string;
  requesterId: string;
  active: boolean;
  supplier: SandboxSettings;
}

/** Checks every field, pushing one problem per bad field; returns the normalised input. */
function validateItemFields(raw: RawItemFields, problems: FieldProblem[]): ItemInput {
  if (raw.name === '') problems.push({ field: 'name', message: 'Name: enter what the item is called in your stores.' });
  else if (raw.name.length > 200) problems.push({ field: 'name', message: 'Name: at most 200 characters.' });
  if (raw.supplierPartID === '') problems.push({ field: 'supplierPartID', message: "Supplier part ID: enter the supplier's article number (SupplierPartID), e.g. KP-10035." });
  const unit = raw.unit.toUpperCase();
  if (!/^[A-Z0-9]{1,3}$/.test(unit)) problems.push({ field: 'unit', message: `Unit: a UN/CEFACT unit code such as EA, PK or RM (1–3 letters), got "${raw.unit}".` });
  const currency = raw.currency.toUpperCase();
  if (!isCurrencyCode(currency)) problems.push({ field: 'currency', message: `Currency: a three-letter ISO 4217 code such as EUR, got "${raw.currency}".` });
  const decimal = (field: string, label: string, value: string, positive: boolean): string => {
    const read = field === 'unitPrice' ? readUnitPrice(value, label) : readQuantity(value, label, '12 or 2.5');
    if (!read.ok) {
      problems.push({ field, message: read.problem });
      return value;
    }
    const d = read.value;
    if (d.isNegative() || (positive && d.isZero())) {
      problems.push({ field, message: `${label}: must be ${positive ? 'above' : 'at least'} 0, got ${value}.` });
      return value;
    }
    return d.toFixed();
  };
  const unitPrice = decimal('unitPrice', 'Unit price', raw.unitPrice, false);
  const stock = raw.stock === undefined ? undefined : decimal('stock', 'Stock', raw.stock, false);
  const minStock = decimal('minStock', 'Minimum stock', raw.minStock, false);
  const reorderQuantity = decimal('reorderQuantity', 'Re-order quantity', raw.reorderQuantity, true);
  const classification = raw.classificationCode === '' ? null : { domain: raw.classificationDomain || 'UNSPSC', code: raw.classificationCode };
  if (raw.costCenter === '') problems.push({ field: 'costCenter', message: 'Cost center: choose the cost center re-orders are charged to.' });
  if (raw.requesterId === '') problems.push({ field: 'requesterId', message: 'Requester: choose who re-orders are requested for.' });
  return {
    name: raw.name,
    supplierPartID: raw.supplierPartID,
    auxID: raw.auxID === '' ? null : raw.auxID,
    description: raw.description === '' ? raw.name : raw.description,
    unit,
    unitPrice,
    currency,
    classification,
    supplier: raw.supplier,
    ...(stock === undefined ? {} : { stock }),
    minStock,
    reorderQuantity,
    costCenter: raw.costCenter,
    requesterId: raw.requesterId,
    active: raw.active,
  };
}

/** The same checks for input that did not come from the form (seed, tests, other callers). */
function checkInput(input: ItemInput, creating: boolean): FieldProblem[] {
  const problems: FieldProblem[] = [];
  validateItemFields(
    {
      name: input.name.trim(),
      supplierPartID: input.supplierPartID.trim(),
      auxID: input.auxID ?? '',
      description: input.description,
      unit: input.unit,
      unitPrice: input.unitPrice,
      currency: input.currency,
      classificationDomain: input.classification?.domain ?? '',
      classificationCode: input.classification?.code ?? '',
      stock: creating ? (input.stock ?? '0') : undefined,
      minStock: input.minStock,
      reorderQuantity: input.reorderQuantity,
      costCenter: input.costCenter,
      requesterId: input.requesterId,
      active: input.active,
      supplier: input.supplier,
    },
    problems,
  );
  return problems;
}

/** Cost center and requester must exist in the sandbox organisation. */
async function checkReferences(db: Store, input: ItemInput, problems: FieldProblem[]): Promise<void> {
  if (input.costCenter !== '') {
    const cc = await db.selectFrom('sandbox_cost_centers').select('code').where('code', '=', input.costCenter).executeTakeFirst();
    if (!cc) problems.push({ field: 'costCenter', message: `Cost center: "${input.costCenter}" is not a cost center of the sandbox (see People & rules).` });
  }
  if (input.requesterId !== '') {
    const p = await db.selectFrom('sandbox_people').select('id').where('id', '=', input.requesterId).executeTakeFirst();
    if (!p) problems.push({ field: 'requesterId', message: `Requester: "${input.requesterId}" is not a person of the sandbox (see People & rules).` });
  }
}

function normalised(input: ItemInput): ItemInput {
  return {
    ...input,
    name: input.name.trim(),
    supplierPartID: input.supplierPartID.trim(),
    unit: input.unit.trim().toUpperCase(),
    currency: input.currency.trim().toUpperCase(),
    unitPrice: dec(input.unitPrice).toFixed(),
    minStock: dec(input.minStock).toFixed(),
    reorderQuantity: dec(input.reorderQuantity).toFixed(),
    ...(input.stock === undefined ? {} : { stock: dec(input.stock).toFixed() }),
    description: input.description.trim() === '' ? input.name.trim() : input.description,
  };
}

export async function createItem(deps: ProcurementDeps, input: ItemInput, actor: SandboxActor): Promise<InventoryItem> {
  const problems = checkInput(input, true);
  await checkReferences(deps.db, input, problems);
  if (problems.length > 0) throw new ItemInputError(problems);
  return insertItem(deps, normalised(input), actor);
}

/** Inserts without checking the organisation (the seed runs before a person could fix anything). */
export async function insertItem(deps: ProcurementDeps, input: ItemInput, actor: SandboxActor, id = newId('inv')): Promise<InventoryItem> {
  const at = deps.now();
  const stock = input.stock ?? '0';
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('sandbox_inventory_items')
      .values({
        id,
        name: input.name,
        supplier_part_id: input.supplierPartID,
        aux_id: input.auxID,
        description: input.description,
        unit: input.unit,
        unit_price: input.unitPrice,
        currency: input.currency,
        classification: input.classification ? JSON.stringify(input.classification) : null,
        supplier: JSON.stringify(input.supplier),
        stock,
        min_stock: input.minStock,
        reorder_quantity: input.reorderQuantity,
        cost_center: input.costCenter,
        requester_id: input.requesterId,
        open_requisition_id: null,
        active: input.active ? 1 : 0,
        created_at: at.toISOString(),
        updated_at: at.toISOString(),
      })
      .execute();
    await recordEvent(trx, {
      subjectType: 'item',
      subjectId: id,
      actor,
      kind: 'created',
      text: `Item created: ${input.name} (${input.supplierPartID}), stock ${stock} ${input.unit}, minimum ${input.minStock}, re-order ${input.reorderQuantity}.`,
      at,
    });
  });
  return (await findItem(deps.db, id))!;
}

/** Changes an item's master data; its stock changes only through movements. */
export async function editItem(deps: ProcurementDeps, id: string, input: ItemInput, actor: SandboxActor): Promise<InventoryItem> {
  const item = await findItem(deps.db, id);
  if (!item) throw new ProcurementError('There is no such inventory item.', undefined, 404);
  const problems = checkInput(input, false);
  await checkReferences(deps.db, input, problems);
  if (problems.length > 0) throw new ItemInputError(problems);
  const n = normalised(input);
  const at = deps.now();
  const changed = describeChanges(item, n);
  // Changing the item is a person acting on it (e.g. a fixed supplier URL): re-ordering resumes.
  const resumes = item.reorderHold !== null && changed.length > 0;
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('sandbox_inventory_items')
      .set({
        name: n.name,
        supplier_part_id: n.supplierPartID,
        aux_id: n.auxID,
        description: n.description,
        unit: n.unit,
        unit_price: n.unitPrice,
        currency: n.currency,
        classification: n.classification ? JSON.stringify(n.classification) : null,
        supplier: JSON.stringify(n.supplier),
        min_stock: n.minStock,
        reorder_quantity: n.reorderQuantity,
        cost_center: n.costCenter,
        requester_id: n.requesterId,
        active: n.active ? 1 : 0,
        ...(resumes ? { reorder_hold: null } : {}),
        updated_at: at.toISOString(),
      })
      .where('id', '=', id)
      .execute();
    await recordEvent(trx, { subjectType: 'item', subjectId: id, actor, kind: 'changed', text: changed.length ? `Changed: ${changed.join('; ')}.` : 'Saved without changes.', at });
    if (resumes) {
      await recordEvent(trx, { subjectType: 'item', subjectId: id, actor, kind: 'reorder-resumed', text: `Automatic re-ordering resumed by the change (it had stopped because ${item.reorderHold!.reason}).`, at });
    }
  });
  return (await findItem(deps.db, id))!;
}

function describeChanges(before: InventoryItem, after: ItemInput): string[] {
  const out: string[] = [];
  const cmp = (label: string, a: string | null, b: string | null) => {
    if ((a ?? '') !== (b ?? '')) out.push(`${label} ${a ?? '—'} → ${b ?? '—'}`);
  };
  cmp('name', before.name, after.name);
  cmp('supplier part', before.supplierPartID, after.supplierPartID);
  cmp('unit price', before.unitPrice, after.unitPrice);
  cmp('currency', before.currency, after.currency);
  cmp('unit', before.unit, after.unit);
  cmp('minimum', before.minStock, after.minStock);
  cmp('re-order quantity', before.reorderQuantity, after.reorderQuantity);
  cmp('cost center', before.costCenter, after.costCenter);
  cmp('requester', before.requesterId, after.requesterId);
  cmp('cXML URL', before.supplier.cxmlUrl, after.supplier.cxmlUrl);
  if (before.supplier.sharedSecret !== after.supplier.sharedSecret) out.push('SharedSecret replaced');
  if (before.active !== after.active) out.push(after.active ? 'active again' : 'deactivated');
  return out;
}

// ---- on order -------------------------------------------------------------------------------------

/** One requisition as the on-order rule sees it. */
export interface OpenRequisitionView {
  readonly status: string;
  readonly lines: readonly Pick<RequisitionLine, 'line' | 'quantity' | 'inventoryItemId'>[];
  /** Status of its purchase order, null when none yet. */
  readonly poStatus: string | null;
  /** Receipt lines of that purchase order (negative: returned). */
  readonly received: readonly { readonly lineNumber: number; readonly quantity: string }[];
  /**
   * The purchase order's current lines (after changes), null when there is no purchase order yet.
   * PO line n = requisition line n.
   */
  readonly ordered?: readonly { readonly lineNumber: number; readonly quantity: string }[] | null;
}

/** Per item: ordered and not yet received (pure; see the rule at the top of the file). */
export function onOrderQuantities(requisitions: readonly OpenRequisitionView[]): Map<string, Decimal> {
  const out = new Map<string, Decimal>();
  for (const r of requisitions) {
    if (!(ON_ORDER_STATUSES as readonly string[]).includes(r.status)) continue;
    if (r.poStatus === 'cancelled' || r.poStatus === 'rejected') continue;
    for (const l of r.lines) {
      if (!l.inventoryItemId) continue;
      // With a purchase order, what it orders now counts (a change may have lowered or dropped the line).
      const quantity = r.ordered
        ? r.ordered.filter((x) => x.lineNumber === l.line).reduce((s, x) => s.plus(dec(x.quantity)), new Decimal(0))
        : dec(l.quantity);
      const got = r.received.filter((x) => x.lineNumber === l.line).reduce((s, x) => s.plus(dec(x.quantity)), new Decimal(0));
      const open = Decimal.max(0, quantity.minus(got));
      out.set(l.inventoryItemId, (out.get(l.inventoryItemId) ?? new Decimal(0)).plus(open));
    }
  }
  return out;
}

/** The open requisitions naming any inventory item, with their POs and receipts. */
async function openRequisitionViews(db: Store, requisitionIds?: readonly string[]): Promise<(OpenRequisitionView & { id: string; number: string })[]> {
  let q = db.selectFrom('sandbox_requisitions').select(['id', 'number', 'status', 'lines', 'po_id']).where('lines', 'like', '%inventoryItemId%');
  q = requisitionIds ? q.where('id', 'in', requisitionIds.length ? [...requisitionIds] : ['']) : q.where('status', 'in', [...ON_ORDER_STATUSES]);
  const reqs = await q.execute();
  const poIds = reqs.map((r) => r.po_id).filter((x): x is string => x !== null);
  const pos = poIds.length ? await db.selectFrom('sandbox_purchase_orders').select(['id', 'status']).where('id', 'in', poIds).execute() : [];
  const currentLines = new Map<string, { lineNumber: number; quantity: string }[]>();
  for (const { id } of pos) {
    const po = await findPurchaseOrder(db, id);
    if (po) currentLines.set(id, poLines(po).map((l) => ({ lineNumber: l.lineNumber, quantity: l.quantity })));
  }
  const receipts = poIds.length ? await db.selectFrom('sandbox_receipts').select(['po_id', 'lines']).where('po_id', 'in', poIds).execute() : [];
  return reqs.map((r) => ({
    id: r.id,
    number: r.number,
    status: r.status,
    lines: JSON.parse(r.lines) as RequisitionLine[],
    poStatus: r.po_id ? (pos.find((p) => p.id === r.po_id)?.status ?? null) : null,
    ordered: r.po_id ? (currentLines.get(r.po_id) ?? null) : null,
    received: receipts.filter((x) => x.po_id === r.po_id).flatMap((x) => JSON.parse(x.lines) as { lineNumber: number; quantity: string }[]),
  }));
}

/** On order per item id (items with nothing on order are absent). */
export async function onOrderFor(db: Store): Promise<Map<string, Decimal>> {
  return onOrderQuantities(await openRequisitionViews(db));
}

/**
 * Why an item's open re-order went wrong in a way that must stop automatic re-ordering (a new
 * one would go the same way), or null (pure). A failed order still counts as on order, but
 * nobody resends it by itself, so it stops re-ordering too and the item page says so.
 */
export function reorderStopReason(r: (OpenRequisitionView & { number: string }) | undefined): string | null {
  if (!r) return null;
  if (r.status === 'rejected') return `re-order ${r.number} was rejected`;
  if (r.poStatus === 'rejected') return `the supplier rejected the purchase order of re-order ${r.number}`;
  if (r.poStatus === 'failed') return `the purchase order of re-order ${r.number} could not be delivered to the supplier`;
  return null;
}

/** Why an item's open re-order no longer blocks a new one, or null while it is still open (pure). */
export function reorderClosedReason(itemId: string, r: (OpenRequisitionView & { number: string }) | undefined): string | null {
  if (!r) return 'its requisition no longer exists';
  if (r.status === 'rejected') return `${r.number} was rejected`;
  if (r.status === 'cancelled') return `${r.number} was cancelled`;
  if (r.poStatus === 'cancelled') return `the purchase order of ${r.number} was cancelled`;
  if (r.poStatus === 'rejected') return `the purchase order of ${r.number} was rejected by the supplier`;
  if (r.status === 'ordered') {
    const left = onOrderQuantities([r]).get(itemId);
    if (!left || left.isZero()) return `the goods of ${r.number} were received`;
  }
  return null;
}

// ---- movements ------------------------------------------------------------------------------------

export interface StockMovement {
  readonly id: string;
  readonly itemId: string;
  readonly kind: 'consume' | 'receipt' | 'adjust';
  readonly quantity: string;
  readonly stockAfter: string;
  readonly reference: string;
  readonly actor: string;
  readonly createdAt: string;
}

export async function movementsFor(db: Store, itemId: string, limit = 200): Promise<StockMovement[]> {
  const rows = await db
    .selectFrom('sandbox_stock_movements')
    .selectAll()
    .where('item_id', '=', itemId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    itemId: r.item_id,
    kind: r.kind as StockMovement['kind'],
    quantity: r.quantity,
    stockAfter: r.stock_after,
    reference: r.reference,
    actor: r.actor,
    createdAt: r.created_at,
  }));
}

/** Runs `fn` in a transaction, or inside the caller's when `db` already is one. */
async function inTransaction<T>(db: Store, fn: (trx: Store) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}

/**
 * Sets an item's stock from `from` to `to` only if nobody changed it meanwhile (compare and set
 * on the stored text), so two consumptions at once never both take the same units.
 */
async function casStock(db: Store, id: string, from: string, to: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('sandbox_inventory_items')
    .set({ stock: to, updated_at: at.toISOString() })
    .where('id', '=', id)
    .where('stock', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** What the re-order check did. */
export type ReorderOutcome =
  | { readonly kind: 'none' }
  | { readonly kind: 'open'; readonly requisitionId: string }
  | {
      readonly kind: 'created';
      readonly requisition: Requisition;
      readonly po?: { readonly id: string; readonly orderId: string; readonly status: string };
      /** Set when the requisition was made but could not be submitted. */
      readonly error?: string;
      /** Set when it was rejected or not delivered at once: automatic re-ordering stopped. */
      readonly stopped?: ReorderHold;
    }
  | { readonly kind: 'failed'; readonly error: string }
  /** This check stopped automatic re-ordering (once; later checks say `held`). */
  | { readonly kind: 'stopped'; readonly hold: ReorderHold }
  /** Re-ordering was stopped earlier and nobody resumed it: nothing was checked or ordered. */
  | { readonly kind: 'held'; readonly hold: ReorderHold };

export interface StockChange {
  readonly item: InventoryItem;
  readonly movement: StockMovement;
  readonly reorder: ReorderOutcome;
}

function quantityOf(text: string, field: string, label: string): Decimal {
  const read = readQuantity(text, label, '3 or 2.5');
  if (!read.ok) throw new ProcurementError(read.problem, field, 422);
  return read.value;
}

/**
 * Takes `quantity` out of stock (never below 0: refused with the figures), then runs the
 * re-order check and reports what it did.
 */
export async function consume(deps: ProcurementDeps, itemId: string, quantity: string, actor: SandboxActor, note = ''): Promise<StockChange> {
  const q = quantityOf(quantity, 'quantity', 'Quantity');
  if (!q.isPositive() || q.isZero()) throw new ProcurementError(`Quantity: must be above 0, got ${quantity}.`, 'quantity', 422);
  const movement = await changeStock(deps, itemId, actor, 'consume', (item) => {
    const stock = dec(item.stock);
    if (q.greaterThan(stock)) {
      throw new ProcurementError(`Only ${item.stock} ${item.unit} of ${item.name} in stock: ${q.toFixed()} cannot be taken. Stock never goes below 0.`, 'quantity', 422);
    }
    return { delta: q.negated(), text: (after) => `Consumed ${q.toFixed()} ${item.unit}${note ? ` (${note})` : ''}; stock ${item.stock} → ${after}.`, reference: note };
  });
  const reorder = await checkReorderSafely(deps, itemId);
  return { item: (await findItem(deps.db, itemId))!, movement, reorder };
}

/** A stock count: sets the stock to what was counted (the movement is the difference). */
export async function adjustStock(deps: ProcurementDeps, itemId: string, counted: string, actor: SandboxActor, reason = ''): Promise<StockChange> {
  const c = quantityOf(counted, 'counted', 'Counted stock');
  if (c.isNegative()) throw new ProcurementError(`Counted stock: must be at least 0, got ${counted}.`, 'counted', 422);
  const movement = await changeStock(deps, itemId, actor, 'adjust', (item) => ({
    delta: c.minus(dec(item.stock)),
    text: (after) => `Stock counted: ${item.stock} → ${after} ${item.unit}${reason ? ` (${reason})` : ''}.`,
    reference: reason,
  }));
  const reorder = await checkReorderSafely(deps, itemId);
  return { item: (await findItem(deps.db, itemId))!, movement, reorder };
}

async function changeStock(
  deps: ProcurementDeps,
  itemId: string,
  actor: SandboxActor,
  kind: 'consume' | 'adjust',
  plan: (item: InventoryItem) => { delta: Decimal; text: (after: string) => string; reference: string },
): Promise<StockMovement> {
  // Compare and set: a lost race re-reads the stock and decides again.
  for (let attempt = 0; attempt < 20; attempt++) {
    const at = deps.now();
    const done = await deps.db.transaction().execute(async (trx) => {
      const item = await findItem(trx, itemId);
      if (!item) throw new ProcurementError('There is no such inventory item.', undefined, 404);
      const { delta, text, reference } = plan(item);
      const after = dec(item.stock).plus(delta).toFixed();
      if (!(await casStock(trx, itemId, item.stock, after, at))) return undefined;
      const movement: StockMovement = { id: newId('mv'), itemId, kind, quantity: delta.toFixed(), stockAfter: after, reference, actor, createdAt: at.toISOString() };
      await trx
        .insertInto('sandbox_stock_movements')
        .values({ id: movement.id, item_id: itemId, kind, quantity: movement.quantity, stock_after: after, reference, actor, dedupe_key: null, created_at: movement.createdAt })
        .execute();
      await recordEvent(trx, { subjectType: 'item', subjectId: itemId, actor, kind: kind === 'consume' ? 'consumed' : 'counted', text: text(after), at });
      return movement;
    });
    if (done) return done;
  }
  throw new ProcurementError('The stock changed too often at the same time; please try again.', undefined, 409);
}

/**
 * A goods receipt adds to the stock of the inventory items its lines restock (once per receipt
 * line: dedupe key receipt:<receiptId>:<lineNumber>; a negative quantity is a return, which takes
 * at most what is in stock). Runs inside the caller's transaction when given one.
 */
export async function stockFromReceipt(
  db: Store,
  input: { receiptId: string; receiptNumber: string; lines: readonly { lineNumber: number; inventoryItemId: string; quantity: string }[]; actor: string; at: Date },
): Promise<void> {
  await inTransaction(db, async (trx) => {
    for (const line of input.lines) {
      const q = dec(line.quantity);
      if (q.isZero()) continue;
      const key = `receipt:${input.receiptId}:${line.lineNumber}`;
      const id = newId('mv');
      // The unique dedupe key claims the line first: a second call (or a concurrent one) inserts nothing.
      const ins = await trx
        .insertInto('sandbox_stock_movements')
        .values({ id, item_id: line.inventoryItemId, kind: 'receipt', quantity: '0', stock_after: '0', reference: input.receiptNumber, actor: input.actor, dedupe_key: key, created_at: input.at.toISOString() })
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .executeTakeFirst();
      if (Number(ins.numInsertedOrUpdatedRows ?? 0n) !== 1) continue;
      for (let attempt = 0; ; attempt++) {
        const item = await findItem(trx, line.inventoryItemId);
        if (!item) {
          await trx.deleteFrom('sandbox_stock_movements').where('id', '=', id).execute();
          break;
        }
        const before = dec(item.stock);
        // A return cannot take more than is left in stock.
        const delta = q.isNegative() && q.abs().greaterThan(before) ? before.negated() : q;
        const after = before.plus(delta).toFixed();
        if (!(await casStock(trx, item.id, item.stock, after, input.at))) {
          if (attempt > 20) throw new Error(`stock of ${item.id} kept changing while receipt ${input.receiptNumber} was booked`);
          continue;
        }
        await trx.updateTable('sandbox_stock_movements').set({ quantity: delta.toFixed(), stock_after: after }).where('id', '=', id).execute();
        const text = q.isNegative()
          ? `Returned ${q.abs().toFixed()} ${item.unit} (${input.receiptNumber}, line ${line.lineNumber})${delta.equals(q) ? '' : `; only ${before.toFixed()} were in stock`}; stock ${item.stock} → ${after}.`
          : `Received ${q.toFixed()} ${item.unit} (${input.receiptNumber}, line ${line.lineNumber}); stock ${item.stock} → ${after}.`;
        await recordEvent(trx, { subjectType: 'item', subjectId: item.id, actor: input.actor, kind: q.isNegative() ? 'returned' : 'received', text, at: input.at });
        break;
      }
    }
  });
}

// ---- re-orders ------------------------------------------------------------------------------------

/** The re-order check that never throws: a failure is reported (and logged by the caller). */
async function checkReorderSafely(deps: ProcurementDeps, itemId: string): Promise<ReorderOutcome> {
  try {
    return await checkReorder(deps, itemId);
  } catch (err) {
    return { kind: 'failed', error: (err as Error).message };
  }
}

function isStaleClaim(openId: string, now: Date): boolean {
  if (!openId.startsWith('claim:')) return false;
  const at = Date.parse(openId.split(':').slice(1, -1).join(':'));
  return !Number.isFinite(at) || now.getTime() - at > STALE_CLAIM_MS;
}

/**
 * Re-orders the item when it is short (see the rule at the top of the file). Lets go of a
 * finished re-order first. Called after every consumption and by the worker for every item.
 */
export async function checkReorder(deps: ProcurementDeps, itemId: string): Promise<ReorderOutcome> {
  const { db } = deps;
  let item = await findItem(db, itemId);
  if (!item || !item.active) return { kind: 'none' };
  if (item.reorderHold) return { kind: 'held', hold: item.reorderHold };
  const openId = item.openRequisitionId;
  if (openId !== null) {
    const settled = await settleOpenReorder(deps, itemId, openId);
    if (settled.kind !== 'released') return settled;
    item = (await findItem(db, itemId))!;
  }
  const at = deps.now();
  const claim = `claim:${at.toISOString()}:${randomBytes(6).toString('base64url')}`;
  const shortage = await db.transaction().execute(async (trx) => {
    const current = await findItem(trx, itemId);
    if (!current || !current.active || current.openRequisitionId !== null || current.reorderHold !== null) return undefined;
    const onOrder = onOrderQuantities(await openRequisitionViews(trx)).get(itemId) ?? new Decimal(0);
    const stock = dec(current.stock);
    if (!stock.plus(onOrder).lessThan(dec(current.minStock))) return undefined;
    // The claim: only one of several checks at once finds the column still empty.
    const r = await trx
      .updateTable('sandbox_inventory_items')
      .set({ open_requisition_id: claim, updated_at: at.toISOString() })
      .where('id', '=', itemId)
      .where('open_requisition_id', 'is', null)
      .where('reorder_hold', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return undefined;
    return { item: current, onOrder };
  });
  if (!shortage) return { kind: 'none' };

  const it = shortage.item;
  const quantity = dec(it.reorderQuantity);
  const line: RequisitionLine = {
    line: 1,
    supplierPartID: it.supplierPartID,
    ...(it.auxID ? { auxID: it.auxID } : {}),
    description: it.description || it.name,
    quantity: quantity.toFixed(),
    unit: it.unit,
    unitPrice: it.unitPrice,
    lineTotal: roundMoney(quantity.times(dec(it.unitPrice)), it.currency).toFixed(minorUnits(it.currency)),
    currency: it.currency,
    ...(it.classification ? { classification: it.classification } : {}),
    inventoryItemId: it.id,
  };
  let requisition: Requisition;
  try {
    requisition = await createRequisition(
      deps,
      {
        source: 'reorder',
        title: `Re-order: ${it.name}`,
        requesterId: it.requesterId,
        costCenter: it.costCenter,
        lines: [line],
        currency: it.currency,
        supplier: it.supplier,
        note: `Automatic re-order: stock ${it.stock} + on order ${shortage.onOrder.toFixed()} fell below the minimum of ${it.minStock} ${it.unit}.`,
      },
      'system',
    );
  } catch (err) {
    await db.updateTable('sandbox_inventory_items').set({ open_requisition_id: null }).where('id', '=', itemId).where('open_requisition_id', '=', claim).execute();
    await recordEvent(db, { subjectType: 'item', subjectId: itemId, actor: 'system', kind: 'reorder-failed', text: `Re-order could not be created: ${(err as Error).message}`, at: deps.now() });
    throw err;
  }
  await db.updateTable('sandbox_inventory_items').set({ open_requisition_id: requisition.id }).where('id', '=', itemId).where('open_requisition_id', '=', claim).execute();
  await recordEvent(db, {
    subjectType: 'item',
    subjectId: itemId,
    actor: 'system',
    kind: 'reorder',
    text: `Stock ${it.stock} + on order ${shortage.onOrder.toFixed()} is below the minimum of ${it.minStock} ${it.unit}: re-order ${requisition.number} for ${line.quantity} ${it.unit} (${line.lineTotal} ${it.currency}) created.`,
    at: deps.now(),
  });
  try {
    requisition = await submitRequisition(deps, requisition.id, 'system');
  } catch (err) {
    const error = (err as Error).message;
    await recordEvent(db, { subjectType: 'item', subjectId: itemId, actor: 'system', kind: 'reorder-failed', text: `Re-order ${requisition.number} could not be submitted: ${error}`, at: deps.now() });
    return { kind: 'created', requisition, error };
  }
  const po = requisition.poId
    ? await db.selectFrom('sandbox_purchase_orders').select(['id', 'order_id', 'status']).where('id', '=', requisition.poId).executeTakeFirst()
    : undefined;
  // Rejected or undelivered at once: stop now, not at the next check.
  const settled = await settleOpenReorder(deps, itemId, requisition.id);
  return {
    kind: 'created',
    requisition,
    ...(po ? { po: { id: po.id, orderId: po.order_id, status: po.status } } : {}),
    ...(settled.kind === 'stopped' ? { stopped: settled.hold } : {}),
  };
}

/**
 * Looks at the item's open re-order `openId`: still open, finished (let go: `released`), or gone
 * wrong (let go and re-ordering stopped: `stopped`). The conditional update on
 * open_requisition_id makes the release, its history entry and the stop happen once.
 */
async function settleOpenReorder(
  deps: ProcurementDeps,
  itemId: string,
  openId: string,
): Promise<{ kind: 'open'; requisitionId: string } | { kind: 'released' } | { kind: 'stopped'; hold: ReorderHold } | { kind: 'none' }> {
  const { db } = deps;
  let reason: string | null;
  let stop: string | null = null;
  let view: (OpenRequisitionView & { id: string; number: string }) | undefined;
  if (openId.startsWith('claim:')) {
    reason = isStaleClaim(openId, deps.now()) ? 'an unfinished re-order was abandoned' : null;
  } else {
    [view] = await openRequisitionViews(db, [openId]);
    stop = reorderStopReason(view);
    reason = stop ?? reorderClosedReason(itemId, view);
  }
  if (reason === null) return { kind: 'open', requisitionId: openId };
  const at = deps.now();
  let hold: ReorderHold | undefined;
  if (stop !== null && view) {
    const req = await db.selectFrom('sandbox_requisitions').select('po_id').where('id', '=', openId).executeTakeFirst();
    const po = req?.po_id ? await db.selectFrom('sandbox_purchase_orders').select(['id', 'order_id']).where('id', '=', req.po_id).executeTakeFirst() : undefined;
    hold = { reason: stop, requisitionId: openId, requisitionNumber: view.number, poId: po?.id ?? null, orderId: po?.order_id ?? null, at: at.toISOString() };
  }
  const released = await db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('sandbox_inventory_items')
      .set({ open_requisition_id: null, ...(hold ? { reorder_hold: JSON.stringify(hold) } : {}), updated_at: at.toISOString() })
      .where('id', '=', itemId)
      .where('open_requisition_id', '=', openId)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    if (hold) {
      const what = hold.orderId ? `${hold.requisitionNumber} / ${hold.orderId}` : hold.requisitionNumber;
      await recordEvent(trx, {
        subjectType: 'item',
        subjectId: itemId,
        actor: 'system',
        kind: 'reorder-stopped',
        text: `Automatic re-ordering stopped: ${hold.reason} (${what}). Nothing more is ordered for this item until someone resumes re-ordering on this page or saves a change to the item.`,
        at,
      });
    } else {
      await recordEvent(trx, { subjectType: 'item', subjectId: itemId, actor: 'system', kind: 'reorder-closed', text: `Re-order finished: ${reason}.`, at });
    }
    return true;
  });
  if (!released) return { kind: 'none' }; // someone else handled it meanwhile
  return hold ? { kind: 'stopped', hold } : { kind: 'released' };
}

/**
 * A person resumes automatic re-ordering of an item that had stopped (recorded with who), then
 * the re-order check runs at once and its outcome is returned. Resuming one that runs: `none`.
 */
export async function resumeReorder(deps: ProcurementDeps, itemId: string, actor: SandboxActor): Promise<{ resumed: boolean; reorder: ReorderOutcome }> {
  const item = await findItem(deps.db, itemId);
  if (!item) throw new ProcurementError('There is no such inventory item.', undefined, 404);
  if (!item.reorderHold) return { resumed: false, reorder: { kind: 'none' } };
  const at = deps.now();
  const hold = item.reorderHold;
  const resumed = await deps.db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('sandbox_inventory_items')
      .set({ reorder_hold: null, updated_at: at.toISOString() })
      .where('id', '=', itemId)
      .where('reorder_hold', 'is not', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await recordEvent(trx, { subjectType: 'item', subjectId: itemId, actor, kind: 'reorder-resumed', text: `Automatic re-ordering resumed (it had stopped because ${hold.reason}).`, at });
    return true;
  });
  if (!resumed) return { resumed: false, reorder: { kind: 'none' } };
  return { resumed: true, reorder: await checkReorderSafely(deps, itemId) };
}

/** The requisitions (and their purchase orders) that ordered this item, newest first. */
export interface ItemRequisition {
  readonly id: string;
  readonly number: string;
  readonly source: string;
  readonly status: string;
  readonly quantity: string;
  readonly createdAt: string;
  readonly po: { readonly id: string; readonly orderId: string; readonly status: string } | null;
}

export async function requisitionsForItem(db: Store, itemId: string, limit = 50): Promise<ItemRequisition[]> {
  const rows = await db
    .selectFrom('sandbox_requisitions')
    .select(['id', 'number', 'source', 'status', 'lines', 'po_id', 'created_at'])
    .where('lines', 'like', `%${itemId}%`)
    .orderBy('created_at', 'desc')
    .limit(limit * 4)
    .execute();
  const mine = rows
    .sort(newestFirst)
    .map((r) => ({ r, lines: (JSON.parse(r.lines) as RequisitionLine[]).filter((l) => l.inventoryItemId === itemId) }))
    .filter((x) => x.lines.length > 0)
    .slice(0, limit);
  const poIds = mine.map((x) => x.r.po_id).filter((x): x is string => x !== null);
  const pos = poIds.length ? await db.selectFrom('sandbox_purchase_orders').select(['id', 'order_id', 'status']).where('id', 'in', poIds).execute() : [];
  return mine.map(({ r, lines }) => {
    const po = pos.find((p) => p.id === r.po_id);
    return {
      id: r.id,
      number: r.number,
      source: r.source,
      status: r.status,
      quantity: lines.reduce((s, l) => s.plus(dec(l.quantity)), new Decimal(0)).toFixed(),
      createdAt: r.created_at,
      po: po ? { id: po.id, orderId: po.order_id, status: po.status } : null,
    };
  });
}

/** Requisition numbers by id (for links on the inventory list). */
export async function requisitionNumbers(db: Store, ids: readonly string[]): Promise<Map<string, string>> {
  const real = ids.filter((id) => !id.startsWith('claim:'));
  if (real.length === 0) return new Map();
  const rows = await db.selectFrom('sandbox_requisitions').select(['id', 'number']).where('id', 'in', real).execute();
  return new Map(rows.map((r) => [r.id, r.number]));
}
