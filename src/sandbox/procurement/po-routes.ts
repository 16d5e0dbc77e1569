/** Routes (STUB; replaced by the owner). */
import type { FastifyInstance } from 'fastify';
import type { ProcurementDeps } from './model.js';

export async function registerPurchaseOrderRoutes(_app: FastifyInstance, _deps: ProcurementDeps): Promise<void> {}

/**
 * The purchase order page as Html (undefined: no such order), for other route files that answer a
 * POST on it (a goods receipt with problems comes back on this page with the typed values).
 */
export async function purchaseOrderPageFor(
  _deps: ProcurementDeps,
  _request: import('fastify').FastifyRequest,
  _poId: string,
  _extra?: {
    readonly receiptForm?: { readonly values: Record<string, string>; readonly problems: readonly { field: string; message: string }[] };
    readonly notice?: { readonly kind: 'ok' | 'error' | 'warning' | 'info'; readonly text: string };
  },
): Promise<import('../../web/html.js').Html | undefined> {
  throw new Error('not implemented');
}
