/**
 * The shared vocabulary of the order lifecycle: states, history events, review flags, who acted,
 * and the requests that create documents for an order. Intake (orders.ts), the documents sent
 * back (order-documents.ts), the admin pages, the CLI and the HTTP API all speak these types.
 */

/**
 * received → confirmed → partly_shipped → shipped → partly_invoiced → invoiced → closed,
 * or rejected (our confirmation said no) / cancelled (the buyer's `delete`).
 * Invoicing may start before shipping is complete; the state shows the furthest step reached.
 */
export const ORDER_STATUSES = ['received', 'confirmed', 'partly_shipped', 'shipped', 'partly_invoiced', 'invoiced', 'closed', 'rejected', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_STATUS_LABELS: Readonly<Record<OrderStatus, string>> = {
  received: 'Received',
  confirmed: 'Confirmed',
  partly_shipped: 'Partly shipped',
  shipped: 'Shipped',
  partly_invoiced: 'Partly invoiced',
  invoiced: 'Invoiced',
  closed: 'Closed',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
};

/** States in which no further document may be created (only viewing). */
export const FINAL_STATUSES: readonly OrderStatus[] = ['closed', 'rejected', 'cancelled'];

export type OrderEventKind =
  | 'received' // first version stored
  | 'updated' // a higher orderVersion replaced the order
  | 'update_ignored' // a stale or equal orderVersion arrived; nothing changed
  | 'duplicate_ignored' // a second `new` for the same orderID (other payloadID); nothing changed
  | 'cancelled' // the buyer's `delete`
  | 'linked' // a `new` references this (edited) order, or this order references another
  | 'reviewed' // someone marked the review flags as seen
  | 'confirmed'
  | 'rejected'
  | 'shipped'
  | 'invoiced'
  | 'credited'
  | 'closed'
  | 'document_delivered' // the outbox delivered one of the order's documents
  | 'document_failed'; // the outbox gave up on one of them (the buyer's reason in detail)

/** Who or what caused a change, stored as text: `buyer:<connection>`, `admin:<user>`, `cli`, `api:<key>`, `system`. */
export type Actor =
  | { readonly kind: 'buyer'; readonly name: string }
  | { readonly kind: 'admin'; readonly name: string }
  | { readonly kind: 'api'; readonly name: string }
  | { readonly kind: 'cli' }
  | { readonly kind: 'system' };

export function actorText(a: Actor): string {
  return a.kind === 'cli' || a.kind === 'system' ? a.kind : `${a.kind}:${a.name}`;
}

/** A finding of reconciliation, on a line or on the whole order. The order is accepted regardless. */
export interface ReviewFlag {
  readonly code:
    | 'ad_hoc' // free-text line, no catalog product
    | 'unknown_product' // SupplierPartID names no product of ours
    | 'not_from_cart' // no aux ID, or one that matches no cart line of this buyer
    | 'cart_quantity' // quantity differs from the cart line
    | 'cart_price' // unit price differs from the cart line
    | 'cart_unit' // unit differs from what the cart sent
    | 'cart_part' // SupplierPartID differs from the cart line's product
    | 'price_list' // unit price differs from the buyer's current price
    | 'negative_price' // a line priced below zero (discount, credit): cannot be invoiced as a line
    | 'currency' // line currency differs from the order's or the cart's
    | 'cart_line_missing' // order level: a line of the punched-out cart is not in the order
    | 'total' // order level: header total differs from the sum of the lines
    | 'fulfilment'; // a change order or cancellation conflicts with what was already shipped or invoiced
  readonly message: string;
}

// ---- requests that create documents (admin forms, CLI, HTTP API) ------------------------------

/** Quantities and money are decimal text; dates are `YYYY-MM-DD`. */
export type ConfirmationRequestInput =
  | { readonly type: 'accept'; readonly deliveryDate?: string; readonly comment?: string }
  | { readonly type: 'reject'; readonly comment: string }
  | {
      readonly type: 'detail';
      readonly comment?: string;
      /** Lines not listed are confirmed as ordered. */
      readonly lines: readonly {
        readonly lineNumber: number;
        readonly statuses: readonly {
          readonly type: 'accept' | 'detail' | 'backordered' | 'reject';
          readonly quantity: string;
          readonly deliveryDate?: string;
          readonly unitPrice?: string;
          readonly comment?: string;
        }[];
      }[];
    };

export interface ShipNoticeRequestInput {
  readonly carrier: string;
  readonly scac?: string;
  readonly trackingNumber: string;
  readonly trackingUrl?: string;
  /** Default: today. */
  readonly shipmentDate?: string;
  readonly deliveryDate?: string;
  /** Default: everything confirmed (or ordered) and not yet shipped. */
  readonly lines?: readonly { readonly lineNumber: number; readonly quantity: string }[];
  readonly comment?: string;
}

export interface InvoiceRequestInput {
  /** Default: everything shipped and not yet invoiced (or, with nothing shipped, everything ordered and not invoiced). */
  readonly lines?: readonly { readonly lineNumber: number; readonly quantity: string }[];
  /** Shipping charged on this invoice, decimal text. */
  readonly shipping?: string;
  /** Default: today. */
  readonly invoiceDate?: string;
  readonly comment?: string;
}

export interface CreditMemoRequestInput {
  /** The invoice being credited (its number). */
  readonly invoiceNumber: string;
  /** Positive decimal text: the net amount credited (tax is added at the connection's rate). */
  readonly amount: string;
  readonly reason: string;
}

export type DocumentKind = 'confirmation' | 'ship_notice' | 'invoice' | 'credit_memo';

export type CreateDocumentResult =
  | { readonly ok: true; readonly documentId: string; readonly number: string; readonly payloadId: string; readonly outboxId: string }
  | { readonly ok: false; readonly problems: readonly string[] };
