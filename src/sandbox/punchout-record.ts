/**
 * The sandbox's own table, `sandbox_punchouts`: one row per punchout the sandbox started, with
 * what it sent and the cart that came back. Orders live in sandbox_purchase_orders since
 * migration 0007 (the order_* columns remain for rows written before). The supplier's tables are
 * never touched here — the sandbox knows the supplier only through HTTP.
 */
import type { Store } from '../store/database.js';
import type { SandboxPunchoutTable } from '../store/schema.js';
import type { SandboxSettings } from './settings.js';

export type PunchoutStatus = 'started' | 'failed' | 'returned' | 'cancelled' | 'invalid' | 'ordered';
/** `sending` claims the order for one request; `failed` (transport/5xx) may be sent again. */
export type OrderStatus = 'sending' | 'accepted' | 'rejected' | 'failed';

/** A normalised cart line, the same for OCI and cXML carts (decimals as text). */
export interface SandboxCartLine {
  readonly line: number;
  readonly supplierPartID: string;
  readonly auxID?: string;
  readonly description: string;
  readonly quantity: string;
  readonly unit: string;
  /** Price of one unit. */
  readonly unitPrice: string;
  /** How the supplier quoted the price when not per one unit (PRICEUNIT, PriceBasisQuantity). */
  readonly priceNote?: string;
  readonly lineTotal: string;
  readonly currency: string;
  /** e.g. `UNSPSC 44121701`. */
  readonly classification?: string;
}

/** One HTTP exchange with the supplier's cXML endpoint, as the punchout page shows it. */
export interface SupplierExchange {
  readonly payloadID: string;
  /** HTTP status, absent when no answer came (network error, timeout). */
  readonly httpStatus?: number;
  readonly contentType?: string;
  /** cXML Status of the answer, when the answer was cXML. */
  readonly statusCode?: number;
  readonly statusText?: string;
  readonly statusDetail?: string;
  /** The answer as received (cut at a display limit). */
  readonly answer?: string;
  /** What went wrong, in words, when the exchange did not succeed. */
  readonly error?: string;
  readonly at: string;
}

/** Everything the sandbox keeps about one punchout besides the columns (stored as JSON in `request`). */
export interface PunchoutRequestInfo {
  /** As chosen on the start form, secrets included: the order is sent with them later. */
  readonly settings: SandboxSettings;
  /** The origin the browser used to reach the sandbox; return URLs are built on it. */
  readonly origin: string;
  /** HOOK_URL (OCI) or BrowserFormPost URL (cXML) sent to the supplier. */
  readonly returnUrl: string;
  /** cXML: the setup request (SharedSecret redacted) and the supplier's answer. */
  readonly setup?: SupplierExchange & { readonly startPageUrl?: string; readonly requestXml: string };
  /** How many carts came back; above 1 the page notes that the latest replaced the earlier. */
  readonly returns: number;
  readonly cartWarnings: readonly string[];
  /** The person acting when the punchout started: the requester of its requisition (four eyes). */
  readonly startedBy?: string;
  /** The cXML cart came back with another BuyerCookie than the one sent. */
  readonly cookieMismatch?: { readonly sent: string; readonly received: string };
  /** The purchase order: its number, when the document was made (kept for identical resends), tries. */
  readonly order?: SupplierExchange & { readonly orderID: string; readonly createdAt: string; readonly attempts: number };
}

export interface SandboxPunchout {
  readonly id: string;
  readonly protocol: 'oci' | 'cxml';
  readonly supplierUrl: string;
  readonly buyerCookie: string | null;
  readonly status: PunchoutStatus;
  readonly framed: boolean;
  readonly info: PunchoutRequestInfo;
  readonly cartRaw: string | null;
  readonly cartFormat: 'oci' | 'cxml' | null;
  readonly cartLines: readonly SandboxCartLine[] | null;
  readonly cartTotal: string | null;
  readonly currency: string | null;
  readonly orderPayloadId: string | null;
  readonly orderXml: string | null;
  readonly orderResponse: string | null;
  readonly orderStatus: OrderStatus | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

function fromRow(row: SandboxPunchoutTable): SandboxPunchout {
  return {
    id: row.id,
    protocol: row.protocol,
    supplierUrl: row.supplier_url,
    buyerCookie: row.buyer_cookie,
    status: row.status as PunchoutStatus,
    framed: row.framed === 1,
    info: JSON.parse(row.request) as PunchoutRequestInfo,
    cartRaw: row.cart_raw,
    cartFormat: row.cart_format as 'oci' | 'cxml' | null,
    cartLines: row.cart_lines === null ? null : (JSON.parse(row.cart_lines) as SandboxCartLine[]),
    cartTotal: row.cart_total,
    currency: row.currency,
    orderPayloadId: row.order_payload_id,
    orderXml: row.order_xml,
    orderResponse: row.order_response,
    orderStatus: row.order_status as OrderStatus | null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertPunchout(
  db: Store,
  p: { id: string; protocol: 'oci' | 'cxml'; supplierUrl: string; buyerCookie: string | null; framed: boolean; info: PunchoutRequestInfo; now: Date },
): Promise<void> {
  const at = p.now.toISOString();
  await db
    .insertInto('sandbox_punchouts')
    .values({
      id: p.id,
      protocol: p.protocol,
      supplier_url: p.supplierUrl,
      buyer_cookie: p.buyerCookie,
      status: 'started',
      framed: p.framed ? 1 : 0,
      request: JSON.stringify(p.info),
      cart_raw: null,
      cart_format: null,
      cart_lines: null,
      cart_total: null,
      currency: null,
      order_payload_id: null,
      order_xml: null,
      order_response: null,
      order_status: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
}

export async function findPunchout(db: Store, id: string): Promise<SandboxPunchout | undefined> {
  const row = await db.selectFrom('sandbox_punchouts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export async function recentPunchouts(db: Store, limit = 20): Promise<SandboxPunchout[]> {
  const rows = await db.selectFrom('sandbox_punchouts').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
  return rows.map(fromRow);
}

export async function saveSetupOutcome(db: Store, id: string, status: PunchoutStatus, info: PunchoutRequestInfo, now: Date): Promise<void> {
  await db
    .updateTable('sandbox_punchouts')
    .set({ status, request: JSON.stringify(info), updated_at: now.toISOString() })
    .where('id', '=', id)
    .execute();
}

/** Stores a returned cart; a later return replaces an earlier one (the page says so). */
export async function saveCart(
  db: Store,
  id: string,
  cart: {
    status: PunchoutStatus;
    info: PunchoutRequestInfo;
    raw: string;
    format: 'oci' | 'cxml';
    lines: readonly SandboxCartLine[] | null;
    total: string | null;
    currency: string | null;
  },
  now: Date,
): Promise<void> {
  await db
    .updateTable('sandbox_punchouts')
    .set({
      status: cart.status,
      request: JSON.stringify(cart.info),
      cart_raw: cart.raw,
      cart_format: cart.format,
      cart_lines: cart.lines === null ? null : JSON.stringify(cart.lines),
      cart_total: cart.total,
      currency: cart.currency,
      updated_at: now.toISOString(),
    })
    .where('id', '=', id)
    .execute();
}
