/**
 * The buyer sandbox as a small procurement system: people with roles, cost centers and budgets,
 * approval rules, requisitions with their approval steps, purchase orders that live on their own
 * (a re-order has no punchout) with every OrderRequest sent for them, goods receipts, inventory
 * with stock movements, recurring orders, and one history of every step.
 *
 * Purchase orders the sandbox placed before this migration (kept on sandbox_punchouts) are copied
 * into sandbox_purchase_orders, and the documents received for them are linked to the copy.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from './index.js';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('sandbox_people')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    // JSON array of roles: requester, approver, finance, purchasing, stores.
    .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('cost_center', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sandbox_cost_centers')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sandbox_budgets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cost_center', 'text', (c) => c.notNull())
    // Inclusive UTC dates, YYYY-MM-DD.
    .addColumn('period_start', 'text', (c) => c.notNull())
    .addColumn('period_end', 'text', (c) => c.notNull())
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sandbox_budgets_period').on('sandbox_budgets').columns(['cost_center', 'period_start']).unique().execute();

  // Signed amounts: a commitment is booked on approval and released as invoices turn it into actuals.
  await db.schema
    .createTable('sandbox_budget_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('budget_id', 'text', (c) => c.notNull())
    .addColumn('requisition_id', 'text')
    .addColumn('po_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull()) // commitment | actual
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    // Makes booking the same thing twice (a resent invoice) impossible, e.g. actual:<document id>.
    .addColumn('dedupe_key', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sandbox_budget_entries_budget').on('sandbox_budget_entries').column('budget_id').execute();
  await db.schema.createIndex('sandbox_budget_entries_dedupe').on('sandbox_budget_entries').column('dedupe_key').unique().execute();

  await db.schema
    .createTable('sandbox_approval_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // null: every cost center.
    .addColumn('cost_center', 'text')
    // The rule applies from min_amount (inclusive) up to max_amount (exclusive, null: no limit).
    .addColumn('min_amount', 'text', (c) => c.notNull().defaultTo('0'))
    .addColumn('max_amount', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    // JSON array of requisition sources it applies to (punchout, recurring, reorder); [] = all.
    .addColumn('sources', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('action', 'text', (c) => c.notNull()) // role | auto
    .addColumn('approver_role', 'text')
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sandbox_requisitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('source', 'text', (c) => c.notNull()) // punchout | recurring | reorder
    .addColumn('punchout_id', 'text')
    .addColumn('schedule_id', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('requester_id', 'text', (c) => c.notNull())
    .addColumn('cost_center', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('total', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    // JSON SandboxSettings of the supplier the order goes to (its SharedSecret included).
    .addColumn('supplier', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('po_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // One requisition per punchout (NULLs are distinct on both databases).
  await db.schema.createIndex('sandbox_requisitions_punchout').on('sandbox_requisitions').column('punchout_id').unique().execute();
  await db.schema.createIndex('sandbox_requisitions_status').on('sandbox_requisitions').columns(['status', 'created_at']).execute();

  await db.schema
    .createTable('sandbox_approval_steps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('requisition_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('rule_id', 'text')
    .addColumn('rule_name', 'text', (c) => c.notNull())
    .addColumn('approver_role', 'text')
    .addColumn('status', 'text', (c) => c.notNull()) // pending | approved | rejected | auto | skipped
    .addColumn('decided_by', 'text')
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('decided_at', 'text')
    .execute();
  await db.schema.createIndex('sandbox_approval_steps_req').on('sandbox_approval_steps').columns(['requisition_id', 'position']).unique().execute();

  await db.schema
    .createTable('sandbox_purchase_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().unique())
    .addColumn('requisition_id', 'text')
    .addColumn('punchout_id', 'text')
    // JSON SandboxSettings: where the OrderRequests go and what the supplier's documents must carry.
    .addColumn('supplier', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // open | cancelled | rejected | failed
    // The orderVersion of the latest message (1 for the `new`).
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('total', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    // The latest OrderRequest sent (SharedSecret redacted): its items are the order's lines.
    .addColumn('order_xml', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sandbox_purchase_orders_req').on('sandbox_purchase_orders').column('requisition_id').execute();

  await db.schema
    .createTable('sandbox_po_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('po_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull()) // new | update | delete
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('payload_id', 'text', (c) => c.notNull().unique())
    .addColumn('xml', 'text', (c) => c.notNull()) // SharedSecret redacted
    .addColumn('status', 'text', (c) => c.notNull()) // sending | accepted | rejected | failed
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // JSON SupplierExchange of the last attempt.
    .addColumn('exchange', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sandbox_po_messages_po').on('sandbox_po_messages').columns(['po_id', 'version']).unique().execute();

  await db.schema.alterTable('sandbox_documents').addColumn('po_id', 'text').execute();
  await db.schema.createIndex('sandbox_documents_po').on('sandbox_documents').columns(['po_id', 'received_at']).execute();

  await db.schema
    .createTable('sandbox_receipts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('po_id', 'text', (c) => c.notNull())
    .addColumn('received_by', 'text', (c) => c.notNull())
    .addColumn('received_on', 'text', (c) => c.notNull()) // YYYY-MM-DD
    // JSON [{lineNumber, quantity}] (quantity negative for a return).
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sandbox_receipts_po').on('sandbox_receipts').columns(['po_id', 'created_at']).execute();

  await db.schema
    .createTable('sandbox_inventory_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('supplier_part_id', 'text', (c) => c.notNull())
    .addColumn('aux_id', 'text')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('unit_price', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('classification', 'text') // JSON {domain, code}
    .addColumn('supplier', 'text', (c) => c.notNull()) // JSON SandboxSettings
    .addColumn('stock', 'text', (c) => c.notNull())
    .addColumn('min_stock', 'text', (c) => c.notNull())
    .addColumn('reorder_quantity', 'text', (c) => c.notNull())
    .addColumn('cost_center', 'text', (c) => c.notNull())
    .addColumn('requester_id', 'text', (c) => c.notNull())
    // The re-order in progress: no second one while it is open.
    .addColumn('open_requisition_id', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sandbox_stock_movements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // consume | receipt | adjust
    .addColumn('quantity', 'text', (c) => c.notNull()) // signed
    .addColumn('stock_after', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('actor', 'text', (c) => c.notNull())
    // e.g. receipt:<receipt id>:<line>: a goods receipt adds to stock once.
    .addColumn('dedupe_key', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sandbox_stock_movements_item').on('sandbox_stock_movements').columns(['item_id', 'created_at']).execute();
  await db.schema.createIndex('sandbox_stock_movements_dedupe').on('sandbox_stock_movements').column('dedupe_key').unique().execute();

  await db.schema
    .createTable('sandbox_schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // JSON [{itemId, quantity}]: inventory items and how many of each per run.
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('every_days', 'integer', (c) => c.notNull())
    .addColumn('next_run_at', 'text', (c) => c.notNull())
    .addColumn('last_run_at', 'text')
    .addColumn('cost_center', 'text', (c) => c.notNull())
    .addColumn('requester_id', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sandbox_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject_type', 'text', (c) => c.notNull()) // requisition | po | item | schedule | budget
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sandbox_events_subject').on('sandbox_events').columns(['subject_type', 'subject_id', 'created_at']).execute();

  await db.schema
    .createTable('sandbox_counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'integer', (c) => c.notNull())
    .execute();

  await copyEarlierOrders(db);
}

/** Orders placed before purchase orders had a table of their own. */
async function copyEarlierOrders(db: Kysely<any>): Promise<void> {
  type Row = { id: string; request: string; order_payload_id: string; order_xml: string | null; order_status: string | null; cart_total: string | null; currency: string | null; created_at: string; updated_at: string };
  const rows = (await db.selectFrom('sandbox_punchouts').selectAll().where('order_payload_id', 'is not', null).execute()) as Row[];
  let n = 0;
  const copied: string[] = [];
  for (const row of rows) {
    let info: { settings?: unknown; order?: { orderID?: string; attempts?: number } & Record<string, unknown> };
    try {
      info = JSON.parse(row.request);
    } catch {
      continue;
    }
    const orderID = info.order?.orderID;
    if (!orderID || row.order_xml === null) continue;
    const poId = `po-${row.id}`;
    const status = row.order_status === 'accepted' ? 'open' : row.order_status === 'rejected' ? 'rejected' : 'failed';
    const exists = await db.selectFrom('sandbox_purchase_orders').select('id').where('order_id', '=', orderID).executeTakeFirst();
    copied.push(orderID);
    if (exists) continue;
    await db
      .insertInto('sandbox_purchase_orders')
      .values({
        id: poId,
        order_id: orderID,
        requisition_id: null,
        punchout_id: row.id,
        supplier: JSON.stringify(info.settings ?? {}),
        status,
        version: 1,
        total: row.cart_total ?? '0',
        currency: row.currency ?? '',
        order_xml: row.order_xml,
        created_at: row.created_at,
        updated_at: row.updated_at,
      })
      .execute();
    const { orderID: _o, attempts, ...exchange } = info.order ?? {};
    await db
      .insertInto('sandbox_po_messages')
      .values({
        id: `pm-${row.id}`,
        po_id: poId,
        type: 'new',
        version: 1,
        payload_id: row.order_payload_id,
        xml: row.order_xml,
        status: row.order_status === 'sending' ? 'failed' : (row.order_status ?? 'failed'),
        attempts: attempts ?? 1,
        exchange: JSON.stringify(exchange),
        created_at: row.created_at,
        updated_at: row.updated_at,
      })
      .execute();
    await db.updateTable('sandbox_documents').set({ po_id: poId }).where('punchout_id', '=', row.id).execute();
    n += 1;
  }
  // New numbers continue after the highest old one (SBX-<date>-<n>), so none is given twice.
  const highest = Math.max(n, ...copied.map((id) => Number(/-(\d+)$/.exec(id)?.[1] ?? 0)));
  if (highest > 0) await db.insertInto('sandbox_counters').values({ name: 'po', value: highest }).execute();
}
