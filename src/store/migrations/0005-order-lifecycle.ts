/**
 * The order lifecycle: one order per (connection, orderID) that `update`/`delete` change, review
 * flags from reconciliation, a history of every change, the documents sent back (confirmations,
 * ship notices, invoices) with their numbers, per-line fulfilment figures, shop webhooks and API keys.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from './index.js';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const addTo = (table: string) => (column: string, type: 'text' | 'integer', build?: (c: any) => any) =>
    db.schema.alterTable(table).addColumn(column, type, build ?? ((c) => c)).execute();

  const orders = addTo('orders');
  await orders('linked_order_id', 'text');
  await orders('review', 'text', (c) => c.notNull().defaultTo('[]'));
  await orders('reviewed_at', 'text');
  await orders('reviewed_by', 'text');
  await orders('updated_at', 'text');
  await orders('session_ids', 'text', (c) => c.notNull().defaultTo('[]'));
  await sql`update orders set updated_at = received_at where updated_at is null`.execute(db);

  const lines = addTo('order_lines');
  await lines('product_id', 'text');
  await lines('cart_line_id', 'text');
  await lines('review', 'text', (c) => c.notNull().defaultTo('[]'));
  await lines('confirmed_quantity', 'text', (c) => c.notNull().defaultTo('0'));
  await lines('rejected_quantity', 'text', (c) => c.notNull().defaultTo('0'));
  await lines('shipped_quantity', 'text', (c) => c.notNull().defaultTo('0'));
  await lines('invoiced_quantity', 'text', (c) => c.notNull().defaultTo('0'));
  await lines('invoiced_amount', 'text', (c) => c.notNull().defaultTo('0'));

  // Orders were one row per OrderRequest before; now one per (connection, orderID). Older
  // duplicates (only possible from test runs of earlier versions) keep their row under a marked id.
  const dupes = await sql<{ id: string; order_id: string }>`
    select o.id, o.order_id from orders o
    where exists (select 1 from orders n where n.connection_id = o.connection_id and n.order_id = o.order_id and n.received_at > o.received_at)`.execute(db);
  for (const row of dupes.rows) {
    await sql`update orders set order_id = ${`${row.order_id} (superseded ${row.id})`} where id = ${row.id}`.execute(db);
  }
  await db.schema.dropIndex('orders_connection_order').execute();
  await db.schema.createIndex('orders_connection_order').on('orders').columns(['connection_id', 'order_id']).unique().execute();
  await db.schema.createIndex('orders_received').on('orders').column('received_at').execute();

  const seq = (c: any) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
  const seqType = dialect === 'postgres' ? 'serial' : 'integer';

  await db.schema
    .createTable('order_events')
    .addColumn('seq', seqType, seq)
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text')
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('document_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('order_events_order').on('order_events').columns(['order_id', 'seq']).execute();

  await db.schema
    .createTable('order_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    // confirmID / shipmentID / invoiceID: unique per supplier, so across all orders and buyers.
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('payload_id', 'text', (c) => c.notNull().unique())
    .addColumn('outbox_id', 'text')
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('totals', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('order_documents_order').on('order_documents').columns(['order_id', 'created_at']).execute();

  await db.schema
    .createTable('document_counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // sha256 of the key; the key itself is shown once.
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  // The buyer sandbox's own cXML endpoint: confirmations, ship notices and invoices it received.
  await db.schema
    .createTable('sandbox_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('punchout_id', 'text')
    .addColumn('order_id', 'text')
    .addColumn('doc_type', 'text', (c) => c.notNull())
    .addColumn('payload_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sandbox_documents_punchout').on('sandbox_documents').columns(['punchout_id', 'received_at']).execute();

  // Webhooks have no payloadID; this key makes "the same event for the same hook" one row.
  // (SQLite cannot add a UNIQUE column, hence the separate index.)
  await addTo('outbox')('dedupe_key', 'text');
  await db.schema.createIndex('outbox_dedupe').on('outbox').column('dedupe_key').unique().execute();
}
