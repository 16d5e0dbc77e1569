/** Requisitions and their approval (owner: requisitions helper). STUB — replaced by the implementation. */
import type { ProcurementDeps, Requisition, RequisitionLine, RequisitionSource, SandboxActor } from './model.js';
import type { SandboxSettings } from '../settings.js';
import type { Store } from '../../store/database.js';

export interface NewRequisition {
  readonly source: RequisitionSource;
  readonly punchoutId?: string;
  readonly scheduleId?: string;
  readonly title: string;
  readonly requesterId: string;
  readonly costCenter: string;
  readonly lines: readonly RequisitionLine[];
  readonly currency: string;
  readonly supplier: SandboxSettings;
  readonly note?: string;
}

/** Creates a draft requisition. */
export async function createRequisition(_deps: ProcurementDeps, _input: NewRequisition, _actor: SandboxActor): Promise<Requisition> {
  throw new Error('not implemented');
}

/**
 * The requisition of a punchout whose cart came back: created as a draft the first time, its lines
 * replaced while it is still a draft (the cart came back again); one per punchout.
 */
export async function requisitionForPunchout(_deps: ProcurementDeps, _punchoutId: string, _actor: SandboxActor): Promise<Requisition> {
  throw new Error('not implemented');
}

/**
 * Submits a draft: approval steps from the rules; automatic steps decided at once; when nothing is
 * left open (and the budget allows) the requisition is approved, the budget committed and the
 * purchase order placed (placePurchaseOrder) before this returns.
 */
export async function submitRequisition(_deps: ProcurementDeps, _id: string, _actor: SandboxActor): Promise<Requisition> {
  throw new Error('not implemented');
}

export async function findRequisition(_db: Store, _id: string): Promise<Requisition | undefined> {
  throw new Error('not implemented');
}
