/**
 * The buyer sandbox's procurement model: the types every part shares (requisitions, approvals,
 * budgets, purchase orders, receipts, inventory, schedules). Decimals travel as text in rows and
 * JSON and become Decimal only where they are computed with.
 */
import type { KoppelConfig } from '../../config.js';
import type { Store } from '../../store/database.js';
import type { SandboxSettings } from '../settings.js';

/** What every procurement function needs: the store, the clock, and HTTP to reach suppliers. */
export interface ProcurementDeps {
  readonly db: Store;
  readonly config: KoppelConfig;
  readonly now: () => Date;
  readonly fetch: typeof fetch;
}

// ---- people ------------------------------------------------------------------------------------

export const SANDBOX_ROLES = ['requester', 'approver', 'finance', 'purchasing', 'stores'] as const;
export type SandboxRole = (typeof SANDBOX_ROLES)[number];

export interface SandboxPerson {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly roles: readonly SandboxRole[];
  readonly costCenter: string | null;
}

/**
 * Who did something, as recorded in the history: `person:<id>`, `rule:<rule id>` (an automatic
 * approval), `system` (the scheduler, stock re-orders), `supplier` (a document received).
 */
export type SandboxActor = `person:${string}` | `rule:${string}` | 'system' | 'supplier';

// ---- requisitions -------------------------------------------------------------------------------

export type RequisitionSource = 'punchout' | 'recurring' | 'reorder';
export const REQUISITION_SOURCES: readonly RequisitionSource[] = ['punchout', 'recurring', 'reorder'];

/**
 * draft (editable, not submitted) → pending (approval steps open) → approved (budget committed,
 * order being placed) → ordered (a purchase order exists); or rejected / cancelled. An approved
 * requisition whose order could not be sent stays `approved` with a note; it can be sent again.
 */
export type RequisitionStatus = 'draft' | 'pending' | 'approved' | 'rejected' | 'ordered' | 'cancelled';

export interface RequisitionLine {
  readonly line: number;
  readonly supplierPartID: string;
  readonly auxID?: string;
  readonly description: string;
  /** Decimal text. */
  readonly quantity: string;
  readonly unit: string;
  /** Price of one unit, decimal text. */
  readonly unitPrice: string;
  /** quantity × unitPrice rounded to the currency's minor units (for OCI: from PRICE / PRICEUNIT). */
  readonly lineTotal: string;
  readonly currency: string;
  readonly classification?: { readonly domain: string; readonly code: string };
  /** The inventory item a re-order or recurring line restocks. */
  readonly inventoryItemId?: string;
}

export interface Requisition {
  readonly id: string;
  /** REQ-<yyyymmdd>-<n>. */
  readonly number: string;
  readonly source: RequisitionSource;
  readonly punchoutId: string | null;
  readonly scheduleId: string | null;
  readonly title: string;
  readonly requesterId: string;
  readonly costCenter: string;
  readonly status: RequisitionStatus;
  readonly lines: readonly RequisitionLine[];
  /** Decimal text. */
  readonly total: string;
  readonly currency: string;
  /** The supplier the order goes to (its cXML URL, identities, SharedSecret, version). */
  readonly supplier: SandboxSettings;
  readonly note: string;
  readonly poId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type ApprovalStepStatus = 'pending' | 'approved' | 'rejected' | 'auto' | 'skipped';

export interface ApprovalStep {
  readonly id: string;
  readonly requisitionId: string;
  readonly position: number;
  readonly ruleId: string | null;
  readonly ruleName: string;
  readonly approverRole: SandboxRole | null;
  readonly status: ApprovalStepStatus;
  readonly decidedBy: string | null;
  readonly comment: string;
  readonly decidedAt: string | null;
}

export interface ApprovalRule {
  readonly id: string;
  readonly name: string;
  /** null: every cost center. */
  readonly costCenter: string | null;
  /** Applies from minAmount (inclusive) to maxAmount (exclusive; null: no limit), in `currency`. */
  readonly minAmount: string;
  readonly maxAmount: string | null;
  readonly currency: string;
  /** [] = every source. */
  readonly sources: readonly RequisitionSource[];
  /** `role`: a person with approverRole must approve; `auto`: approved by the rule itself. */
  readonly action: 'role' | 'auto';
  readonly approverRole: SandboxRole | null;
  readonly position: number;
  readonly active: boolean;
}

// ---- budgets ------------------------------------------------------------------------------------

export interface Budget {
  readonly id: string;
  readonly costCenter: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly amount: string;
  readonly currency: string;
}

export interface BudgetStanding extends Budget {
  /** Committed by approved requisitions and not yet invoiced. */
  readonly committed: string;
  /** Invoiced (credit memos subtract). */
  readonly spent: string;
  /** amount − committed − spent. */
  readonly available: string;
}

// ---- purchase orders ----------------------------------------------------------------------------

/** open (sent and accepted by the supplier's endpoint) · cancelled (a `delete` accepted) · rejected (4xx on the `new`) · failed (not delivered; may be sent again). */
export type PurchaseOrderStatus = 'open' | 'cancelled' | 'rejected' | 'failed';
export type PoMessageType = 'new' | 'update' | 'delete';
/** withdrawn: a cancellation that was not delivered and may no longer go (goods received or invoiced since). */
export type PoMessageStatus = 'sending' | 'accepted' | 'rejected' | 'failed' | 'withdrawn';

export interface PurchaseOrder {
  readonly id: string;
  /** SBX-<yyyymmdd>-<n>: the orderID the supplier sees. */
  readonly orderId: string;
  readonly requisitionId: string | null;
  readonly punchoutId: string | null;
  readonly supplier: SandboxSettings;
  readonly status: PurchaseOrderStatus;
  readonly version: number;
  readonly total: string;
  readonly currency: string;
  /** The latest OrderRequest sent, SharedSecret redacted. */
  readonly orderXml: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface PoMessage {
  readonly id: string;
  readonly poId: string;
  readonly type: PoMessageType;
  readonly version: number;
  readonly payloadId: string;
  readonly xml: string;
  readonly status: PoMessageStatus;
  readonly attempts: number;
  readonly exchange: import('../punchout-record.js').SupplierExchange | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface GoodsReceipt {
  readonly id: string;
  /** GR-<n>. */
  readonly number: string;
  readonly poId: string;
  readonly receivedBy: string;
  readonly receivedOn: string;
  /** Negative quantity: goods sent back. */
  readonly lines: readonly { readonly lineNumber: number; readonly quantity: string }[];
  readonly note: string;
  readonly createdAt: string;
}

// ---- inventory and schedules ---------------------------------------------------------------------

export interface InventoryItem {
  readonly id: string;
  readonly name: string;
  readonly supplierPartID: string;
  readonly auxID: string | null;
  readonly description: string;
  readonly unit: string;
  readonly unitPrice: string;
  readonly currency: string;
  readonly classification: { readonly domain: string; readonly code: string } | null;
  readonly supplier: SandboxSettings;
  readonly stock: string;
  readonly minStock: string;
  readonly reorderQuantity: string;
  readonly costCenter: string;
  readonly requesterId: string;
  readonly openRequisitionId: string | null;
  /** Automatic re-ordering stopped by a re-order that went wrong; null while it runs. */
  readonly reorderHold: ReorderHold | null;
  readonly active: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Why automatic re-ordering of an item stopped, and which requisition and order it was. */
export interface ReorderHold {
  readonly reason: string;
  readonly requisitionId: string;
  readonly requisitionNumber: string;
  readonly poId: string | null;
  readonly orderId: string | null;
  readonly at: string;
}

export interface Schedule {
  readonly id: string;
  readonly name: string;
  readonly lines: readonly { readonly itemId: string; readonly quantity: string }[];
  readonly everyDays: number;
  readonly nextRunAt: string;
  readonly lastRunAt: string | null;
  readonly costCenter: string;
  readonly requesterId: string;
  readonly active: boolean;
  /** Runs claimed so far; "Run now" sends the value it showed, so a double click runs once. */
  readonly runCount: number;
}

/** A refusal a person can act on (shown on the page; the form keeps what was typed). */
export class ProcurementError extends Error {
  constructor(
    message: string,
    /** The form field it is about, when there is one. */
    readonly field?: string,
    /** HTTP status for the page: 409 state conflicts, 422 invalid input, 404 unknown. */
    readonly status = 409,
  ) {
    super(message);
    this.name = 'ProcurementError';
  }
}

/** One line of a purchase order as last sent (from its OrderRequest). */
export interface PoLine {
  readonly lineNumber: number;
  readonly supplierPartID: string;
  readonly auxID?: string;
  readonly description: string;
  /** Decimal text; 0 for a line removed by a change. */
  readonly quantity: string;
  readonly unit: string;
  /** Decimal text, price of one unit. */
  readonly unitPrice: string;
  readonly currency: string;
}

/**
 * Newest first for numbered records (REQ-…-n, GR-n): by creation time, and within one instant
 * by the series number (…-10 after …-9, not as text), the order they were numbered in.
 */
export function newestFirst(a: { created_at: string; number: string }, b: { created_at: string; number: string }): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
  return seriesNumber(b.number) - seriesNumber(a.number);
}

function seriesNumber(number: string): number {
  return Number(number.slice(number.lastIndexOf('-') + 1)) || 0;
}

/** An open order with no document still being sent or undelivered: one that can be changed or cancelled now. */
export function changeableNow(po: Pick<PurchaseOrder, 'status'>, messages: readonly Pick<PoMessage, 'status'>[]): boolean {
  return po.status === 'open' && !messages.some((m) => m.status === 'sending' || m.status === 'failed');
}
