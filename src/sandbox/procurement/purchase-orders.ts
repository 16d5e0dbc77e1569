/** Purchase orders and the OrderRequests sent for them (owner: purchase-order helper). STUB. */
import type { Store } from '../../store/database.js';
import type { ProcurementDeps, PurchaseOrder, Requisition, SandboxActor } from './model.js';

/**
 * Places the purchase order of an approved requisition: a new PO row (SBX-… number), the
 * OrderRequest type `new` written and POSTed to the supplier, the answer recorded; the
 * requisition becomes `ordered`. Never throws for supplier trouble: the PO shows it.
 */
export async function placePurchaseOrder(_deps: ProcurementDeps, _requisition: Requisition, _actor: SandboxActor): Promise<PurchaseOrder> {
  throw new Error('not implemented');
}

export async function findPurchaseOrder(_db: Store, _id: string): Promise<PurchaseOrder | undefined> {
  throw new Error('not implemented');
}

/** The lines of the OrderRequest last sent for the order (its stored copy is the truth). */
export function poLines(_po: PurchaseOrder): import('./model.js').PoLine[] {
  throw new Error('not implemented');
}
