/**
 * Table types for Kysely. One schema for SQLite and PostgreSQL: ids are text, decimals are text
 * (exact, never float columns), timestamps are ISO-8601 UTC text (sortable), JSON is text.
 */
import type { Generated } from 'kysely';

export interface ConnectionTable {
  id: string; // slug used in URLs, e.g. demo-oci
  name: string;
  protocol: 'oci' | 'cxml';
  enabled: number; // 1/0 (portable boolean)
  /** cXML: identities that name the buyer (any From credential matches), JSON [{domain, identity}] */
  buyer_identities: string;
  /** cXML: our identity as the buyer writes it in To, JSON [{domain, identity}] */
  supplier_identities: string;
  /** cXML: Sender credential expected with the SharedSecret, JSON [{domain, identity}] */
  sender_identities: string;
  /** scrypt hash of the inbound SharedSecret (cXML) or OCI password. */
  secret_hash: string | null;
  oci_username: string | null;
  /** JSON array of allowed return URL prefixes. */
  return_url_prefixes: string;
  /** JSON: protocol options (charset, credential field names, cXML version, form field, unit map …). */
  options: string;
  created_at: string;
  updated_at: string;
  /** 'test' | 'production': a buyer usually has one of each (Ariba test realms, SAP QA systems). */
  environment: string;
  /** Groups the test and production connections of one buyer organisation. */
  buyer_org: string;
  /** The secret before the last rotation, accepted until previous_valid_until. */
  secret_hash_previous: string | null;
  previous_valid_until: string | null;
  /** Secret Koppel sends in documents to the buyer, sealed with KOPPEL_SECRET_KEY (AES-256-GCM). */
  outbound_secret_sealed: string | null;
  /** JSON array of IPs / CIDR ranges allowed to call; empty = any. */
  ip_allow_list: string;
  price_list_id: string | null;
}

export interface PriceListTable {
  id: string;
  name: string;
  currency: string;
  created_at: string;
}

export interface PriceListItemTable {
  price_list_id: string;
  product_id: string;
  price: string; // decimal text
}

export interface ProductTable {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: string;
  manufacturer: string;
  manufacturer_part_id: string;
  unspsc: string;
  unit: string;
  price: string; // decimal text
  currency: string;
  lead_time_days: number;
  stock: number;
  created_at: string;
}

export interface PunchoutSessionTable {
  id: string; // unguessable token carried in storefront URLs
  connection_id: string;
  protocol: 'oci' | 'cxml';
  operation: string; // create | edit | inspect
  status: 'pending' | 'open' | 'transferred' | 'cancelled';
  /** sha256 of the single-use start token; null once used */
  start_token_hash: string | null;
  start_expires_at: string;
  expires_at: string;
  buyer_cookie: string | null;
  return_url: string;
  return_target: string | null;
  /** JSON [{name, value}] — OCI ~ fields to echo */
  echo_fields: string;
  /** JSON: everything else the buyer sent (OCI params, cXML extrinsics, contact, ship-to) */
  context: string;
  deployment_mode: string;
  setup_payload_id: string | null;
  created_at: string;
  opened_at: string | null;
  closed_at: string | null;
}

export interface CartLineTable {
  id: string;
  session_id: string;
  product_id: string;
  position: number;
  quantity: string; // decimal text
  unit_price: string; // decimal text, price at the time it was added
  currency: string;
  /** SupplierPartAuxiliaryID for cXML — the round-trip key of this line */
  aux_id: string;
  created_at: string;
}

export interface OrderTable {
  id: string;
  connection_id: string;
  order_id: string; // buyer's PO number
  payload_id: string;
  order_type: string; // new | update | delete
  order_version: number | null;
  order_date: string;
  deployment_mode: string;
  total: string;
  currency: string;
  /** OrderStatus (src/app/order-model.ts). */
  status: string;
  /** JSON: addresses, shipping, tax, payment (masked), comments, extrinsics */
  header: string;
  /** When the first version arrived. */
  received_at: string;
  /** Another order this one is linked to (a `new` that references an edited order). */
  linked_order_id: string | null;
  /** JSON ReviewFlag[]: order-level findings of reconciliation (cart lines not ordered …). */
  review: Generated<string>;
  reviewed_at: string | null;
  reviewed_by: string | null;
  updated_at: string | null;
  /** JSON string[]: punchout sessions whose cart lines this order's aux IDs matched. */
  session_ids: Generated<string>;
}

export interface OrderLineTable {
  id: string;
  order_id: string; // orders.id
  line_number: number;
  supplier_part_id: string;
  aux_id: string | null;
  description: string;
  quantity: string;
  unit: string;
  unit_price: string;
  currency: string;
  is_ad_hoc: number;
  /** JSON: classification, distribution, extrinsics … */
  details: string;
  /** Our product, when the SupplierPartID names one. */
  product_id: string | null;
  /** The punched-out cart line matched through SupplierPartAuxiliaryID. */
  cart_line_id: string | null;
  /** JSON ReviewFlag[]: differences from the cart or the price list, ad-hoc, unknown product. */
  review: Generated<string>;
  /** Decimal text, in the line's unit: what confirmations, ship notices and invoices covered so far. */
  confirmed_quantity: Generated<string>;
  rejected_quantity: Generated<string>;
  shipped_quantity: Generated<string>;
  invoiced_quantity: Generated<string>;
  /** Decimal text: net amount invoiced for this line (standard invoices). */
  invoiced_amount: Generated<string>;
}

/** Every change of an order, with who or what caused it. */
export interface OrderEventTable {
  seq: Generated<number>;
  id: string;
  order_id: string;
  /** OrderEventKind (src/app/order-model.ts). */
  kind: string;
  /** `buyer:<connection>`, `admin:<user>`, `cli`, `api:<key name>`, `system`. */
  actor: string;
  from_status: string | null;
  to_status: string | null;
  detail: string;
  /** order_documents.id or documents.id this event is about. */
  document_id: string | null;
  created_at: string;
}

/** A confirmation, ship notice, invoice or credit memo created for an order (sent through the outbox). */
export interface OrderDocumentTable {
  id: string;
  order_id: string;
  connection_id: string;
  kind: 'confirmation' | 'ship_notice' | 'invoice' | 'credit_memo';
  /** confirmID / shipmentID / invoiceID; unique across the supplier. */
  number: string;
  payload_id: string;
  outbox_id: string | null;
  /** JSON: what the document says (type, lines and quantities, carrier, amounts …). */
  input: string;
  /** JSON: invoice totals (decimal text), null for other kinds. */
  totals: string | null;
  created_by: string;
  created_at: string;
  /** `failed` once the outbox finally failed it: its quantities and amounts no longer count. */
  state: Generated<'active' | 'failed'>;
}

export interface DocumentCounterTable {
  name: string;
  value: number;
}

/** Shop webhooks: where order events are posted, signed with HMAC-SHA256. */
export interface WebhookTable {
  id: string;
  url: string;
  /** JSON string[] of event names. */
  events: string;
  /** Signing secret, sealed like outbound cXML secrets. */
  secret_sealed: string;
  enabled: number;
  description: string;
  created_at: string;
  updated_at: string;
}

/** Keys for the HTTP API (/api/v1); only the SHA-256 of a key is stored. */
export interface ApiKeyTable {
  id: string;
  name: string;
  key_hash: string;
  role: 'admin' | 'viewer';
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Answers given to inbound cXML requests, keyed by payloadID: the same payloadID gets the same answer. */
export interface CxmlReceiptTable {
  payload_id: string;
  connection_id: string;
  request_type: string;
  response: string;
  order_id: string | null;
  created_at: string;
}

export interface DocumentTable {
  id: string;
  seq: Generated<number>;
  direction: 'in' | 'out';
  protocol: 'oci' | 'cxml';
  doc_type: string;
  connection_id: string | null;
  session_id: string | null;
  order_id: string | null;
  payload_id: string | null;
  status: string; // e.g. 200, 401, ok
  detail: string;
  content_type: string;
  body: string; // secrets redacted
  created_at: string;
}

export interface SandboxPunchoutTable {
  id: string;
  protocol: 'oci' | 'cxml';
  supplier_url: string;
  buyer_cookie: string | null;
  status: string; // started | returned | ordered | failed
  framed: number;
  /** JSON: what the sandbox sent (setup request / OCI call) and the supplier's answer */
  request: string;
  /** raw document received back (OCI pairs JSON, or cXML text) */
  cart_raw: string | null;
  cart_format: string | null;
  /** JSON: normalised cart lines */
  cart_lines: string | null;
  cart_total: string | null;
  currency: string | null;
  order_payload_id: string | null;
  order_xml: string | null;
  order_response: string | null;
  order_status: string | null;
  created_at: string;
  updated_at: string;
}

/** A document the buyer sandbox received on its own cXML endpoint (/sandbox/cxml). */
export interface SandboxDocumentTable {
  id: string;
  /** sandbox_punchouts.id of the purchase order it is about, when found. */
  punchout_id: string | null;
  /** The orderID it names. */
  order_id: string | null;
  doc_type: string;
  payload_id: string | null;
  /** accepted | refused */
  status: string;
  /** What the sandbox answered, or why it refused. */
  detail: string;
  /** JSON: what the document says, normalised for display (lines, quantities, dates, totals). */
  summary: string;
  body: string; // SharedSecret redacted
  received_at: string;
  /** sandbox_purchase_orders.id of the purchase order it is about, when found. */
  po_id: string | null;
}

export interface KvTable {
  key: string;
  value: string;
}

export interface AdminUserTable {
  id: string;
  username: string;
  password_hash: string;
  role: 'admin' | 'viewer';
  disabled: number;
  created_at: string;
  last_login_at: string | null;
}

export interface AdminSessionTable {
  /** sha256 of the cookie token */
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

/** Who changed what in the admin (and through the CLI). Never holds a secret. */
export interface AdminAuditTable {
  id: string;
  user_id: string | null;
  username: string;
  action: string;
  subject: string;
  detail: string;
  created_at: string;
}

/**
 * Documents and webhooks waiting to be sent, being sent, or done (src/jobs/outbox.ts). The body is
 * stored exactly as it goes out except for secrets: a cXML SharedSecret is kept as [redacted] and
 * put back at send time, a webhook signature is computed at send time.
 */
export interface OutboxTable {
  id: string;
  kind: 'cxml' | 'webhook';
  connection_id: string | null;
  order_id: string | null;
  /** cXML payload name (ConfirmationRequest …) or webhook event name. */
  doc_type: string;
  url: string;
  /** The cXML document's payloadID, the same on every attempt; null for webhooks. */
  payload_id: string | null;
  content_type: string;
  body: string;
  /** JSON {name: value}: extra request headers (never secrets). */
  headers: string;
  /** Webhooks: header that carries the HMAC-SHA256 signature computed at send time. */
  signature_header: string | null;
  status: 'pending' | 'sending' | 'delivered' | 'failed';
  /** Attempts started (counted before the request goes out). */
  attempts: number;
  next_attempt_at: string;
  /** Worker holding the row while status is 'sending', and until when. */
  lease_owner: string | null;
  lease_until: string | null;
  last_attempt_at: string | null;
  last_http_status: number | null;
  last_cxml_status: number | null;
  /** Why the last attempt did not deliver: the buyer's Status text, an HTTP or network error. */
  last_error: string | null;
  delivered_at: string | null;
  created_at: string;
  updated_at: string;
  /** Webhooks: one row per (event, subject, hook); queueing the same again is a no-op. */
  dedupe_key: Generated<string | null>;
}

// ---- the buyer sandbox's procurement (migration 0007) -------------------------------------------

export interface SandboxPersonTable {
  id: string;
  name: string;
  email: string;
  /** JSON array of SandboxRole. */
  roles: string;
  cost_center: string | null;
  created_at: string;
}

export interface SandboxCostCenterTable {
  code: string;
  name: string;
  created_at: string;
}

export interface SandboxBudgetTable {
  id: string;
  cost_center: string;
  /** Inclusive UTC dates, YYYY-MM-DD. */
  period_start: string;
  period_end: string;
  amount: string;
  currency: string;
  created_at: string;
  updated_at: string;
}

export interface SandboxBudgetEntryTable {
  id: string;
  budget_id: string;
  requisition_id: string | null;
  po_id: string | null;
  /** commitment | actual */
  kind: string;
  /** Signed decimal. */
  amount: string;
  reason: string;
  dedupe_key: string | null;
  created_at: string;
}

export interface SandboxApprovalRuleTable {
  id: string;
  name: string;
  cost_center: string | null;
  min_amount: string;
  max_amount: string | null;
  currency: string;
  /** JSON array of RequisitionSource; [] = all. */
  sources: string;
  /** role | auto */
  action: string;
  approver_role: string | null;
  position: number;
  active: number;
  created_at: string;
}

export interface SandboxRequisitionTable {
  id: string;
  number: string;
  source: string;
  punchout_id: string | null;
  schedule_id: string | null;
  title: string;
  requester_id: string;
  cost_center: string;
  status: string;
  /** JSON RequisitionLine[]. */
  lines: string;
  total: string;
  currency: string;
  /** JSON SandboxSettings (secret included). */
  supplier: string;
  note: string;
  po_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface SandboxApprovalStepTable {
  id: string;
  requisition_id: string;
  position: number;
  rule_id: string | null;
  rule_name: string;
  approver_role: string | null;
  /** pending | approved | rejected | auto | skipped */
  status: string;
  decided_by: string | null;
  comment: string;
  decided_at: string | null;
}

export interface SandboxPurchaseOrderTable {
  id: string;
  order_id: string;
  requisition_id: string | null;
  punchout_id: string | null;
  /** JSON SandboxSettings. */
  supplier: string;
  /** open | cancelled | rejected | failed */
  status: string;
  version: number;
  total: string;
  currency: string;
  /** The latest OrderRequest sent, SharedSecret redacted. */
  order_xml: string;
  created_at: string;
  updated_at: string;
}

export interface SandboxPoMessageTable {
  id: string;
  po_id: string;
  /** new | update | delete */
  type: string;
  version: number;
  payload_id: string;
  xml: string;
  /** sending | accepted | rejected | failed */
  status: string;
  attempts: number;
  /** JSON SupplierExchange of the last attempt. */
  exchange: string | null;
  created_at: string;
  updated_at: string;
}

export interface SandboxReceiptTable {
  id: string;
  number: string;
  po_id: string;
  received_by: string;
  received_on: string;
  /** JSON [{lineNumber, quantity}]. */
  lines: string;
  note: string;
  created_at: string;
}

export interface SandboxInventoryItemTable {
  id: string;
  name: string;
  supplier_part_id: string;
  aux_id: string | null;
  description: string;
  unit: string;
  unit_price: string;
  currency: string;
  /** JSON {domain, code}. */
  classification: string | null;
  /** JSON SandboxSettings. */
  supplier: string;
  stock: string;
  min_stock: string;
  reorder_quantity: string;
  cost_center: string;
  requester_id: string;
  open_requisition_id: string | null;
  active: number;
  created_at: string;
  updated_at: string;
  /** JSON ReorderHold: automatic re-ordering stopped until a person resumes it; null: running. */
  reorder_hold: Generated<string | null>;
}

export interface SandboxStockMovementTable {
  id: string;
  item_id: string;
  /** consume | receipt | adjust */
  kind: string;
  quantity: string;
  stock_after: string;
  reference: string;
  actor: string;
  dedupe_key: string | null;
  created_at: string;
}

export interface SandboxScheduleTable {
  id: string;
  name: string;
  /** JSON [{itemId, quantity}]. */
  lines: string;
  every_days: number;
  next_run_at: string;
  last_run_at: string | null;
  cost_center: string;
  requester_id: string;
  active: number;
  created_at: string;
  updated_at: string;
  /** Runs claimed so far (the claim raises it conditionally). */
  run_count: Generated<number>;
}

export interface SandboxEventTable {
  id: string;
  subject_type: string;
  subject_id: string;
  actor: string;
  kind: string;
  text: string;
  created_at: string;
}

export interface SandboxCounterTable {
  name: string;
  value: number;
}

export interface Database {
  connections: ConnectionTable;
  products: ProductTable;
  punchout_sessions: PunchoutSessionTable;
  cart_lines: CartLineTable;
  orders: OrderTable;
  order_lines: OrderLineTable;
  cxml_receipts: CxmlReceiptTable;
  documents: DocumentTable;
  sandbox_punchouts: SandboxPunchoutTable;
  koppel_kv: KvTable;
  admin_users: AdminUserTable;
  admin_sessions: AdminSessionTable;
  admin_audit: AdminAuditTable;
  price_lists: PriceListTable;
  price_list_items: PriceListItemTable;
  outbox: OutboxTable;
  order_events: OrderEventTable;
  order_documents: OrderDocumentTable;
  document_counters: DocumentCounterTable;
  webhooks: WebhookTable;
  api_keys: ApiKeyTable;
  sandbox_documents: SandboxDocumentTable;
  sandbox_people: SandboxPersonTable;
  sandbox_cost_centers: SandboxCostCenterTable;
  sandbox_budgets: SandboxBudgetTable;
  sandbox_budget_entries: SandboxBudgetEntryTable;
  sandbox_approval_rules: SandboxApprovalRuleTable;
  sandbox_requisitions: SandboxRequisitionTable;
  sandbox_approval_steps: SandboxApprovalStepTable;
  sandbox_purchase_orders: SandboxPurchaseOrderTable;
  sandbox_po_messages: SandboxPoMessageTable;
  sandbox_receipts: SandboxReceiptTable;
  sandbox_inventory_items: SandboxInventoryItemTable;
  sandbox_stock_movements: SandboxStockMovementTable;
  sandbox_schedules: SandboxScheduleTable;
  sandbox_events: SandboxEventTable;
  sandbox_counters: SandboxCounterTable;
}
