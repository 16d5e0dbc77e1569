/**
 * Reading orders for the admin, the CLI and the HTTP API: a filtered list and one order in full
 * (lines with their fulfilment figures, review flags, history, documents and their delivery).
 */
import type { AppContext } from './context.js';
import type { OrderStatus, ReviewFlag, DocumentKind } from './order-model.js';
import type { OrderEventRow } from './order-events.js';

export interface OrderFilters {
  readonly connectionId?: string;
  readonly status?: OrderStatus;
  /** Only orders with review flags not yet marked reviewed. */
  readonly needsReview?: boolean;
  /** Substring of the buyer's orderID. */
  readonly orderId?: string;
  /** Received on or after / before (ISO date or instant, UTC). */
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  readonly offset?: number;
}

export interface OrderSummary {
  readonly id: string;
  readonly connectionId: string;
  readonly connectionName: string;
  readonly orderId: string;
  readonly orderVersion: number | null;
  readonly orderType: string;
  readonly status: OrderStatus;
  readonly total: string;
  readonly currency: string;
  readonly lineCount: number;
  /** Line and order flags, 0 once reviewed. */
  readonly openFlags: number;
  readonly receivedAt: string;
  readonly updatedAt: string;
}

export interface OrderLineView {
  readonly id: string;
  readonly lineNumber: number;
  readonly supplierPartId: string;
  readonly auxId: string | null;
  readonly productId: string | null;
  readonly description: string;
  readonly quantity: string;
  readonly unit: string;
  readonly unitPrice: string;
  readonly currency: string;
  readonly isAdHoc: boolean;
  readonly review: readonly ReviewFlag[];
  readonly confirmedQuantity: string;
  readonly rejectedQuantity: string;
  readonly shippedQuantity: string;
  readonly invoicedQuantity: string;
  readonly invoicedAmount: string;
  /** JSON-decoded details (classification, distribution, comments, extrinsics …). */
  readonly details: Record<string, unknown>;
}

export interface OrderDocumentView {
  readonly id: string;
  readonly kind: DocumentKind;
  readonly number: string;
  readonly payloadId: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly input: Record<string, unknown>;
  readonly totals: Record<string, unknown> | null;
  /** The outbox row's delivery state. */
  readonly outbox: { readonly id: string; readonly status: string; readonly attempts: number; readonly lastError: string | null; readonly deliveredAt: string | null; readonly url: string } | null;
}

export interface OrderDetail extends OrderSummary {
  readonly payloadId: string;
  readonly orderDate: string;
  readonly deploymentMode: string;
  /** JSON-decoded header: shipTo, billTo, shipping, tax, payment (masked), comments, extrinsics … */
  readonly header: Record<string, unknown>;
  readonly review: readonly ReviewFlag[];
  readonly reviewedAt: string | null;
  readonly reviewedBy: string | null;
  readonly linkedOrder: { readonly id: string; readonly orderId: string } | null;
  /** Orders that link to this one. */
  readonly linkedFrom: readonly { readonly id: string; readonly orderId: string }[];
  readonly sessionIds: readonly string[];
  readonly lines: readonly OrderLineView[];
  readonly events: readonly OrderEventRow[];
  readonly documents: readonly OrderDocumentView[];
}

export async function listOrders(ctx: AppContext, filters: OrderFilters): Promise<{ orders: OrderSummary[]; total: number }> {
  void ctx; void filters;
  throw new Error('listOrders: being written');
}

export async function getOrder(ctx: AppContext, id: string): Promise<OrderDetail | undefined> {
  void ctx; void id;
  throw new Error('getOrder: being written');
}

/** Find by the buyer's orderID (CLI/API convenience); `connectionId` narrows when two buyers share a number. */
export async function findOrderByBuyerId(ctx: AppContext, orderId: string, connectionId?: string): Promise<OrderSummary[]> {
  void ctx; void orderId; void connectionId;
  throw new Error('findOrderByBuyerId: being written');
}
