/**
 * The durable outbox (src/jobs/outbox.ts): every document and webhook Koppel sends to a buyer is
 * a row here first, and a worker delivers it. See the table type in schema.ts for each column.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from './index.js';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    // No foreign keys: a delivery row outlives what it talks about, and the worker checks itself.
    .addColumn('connection_id', 'text')
    .addColumn('order_id', 'text')
    .addColumn('doc_type', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    // Unique: one row per cXML document, and enqueueing it again is a no-op. NULLs (webhooks) never clash.
    .addColumn('payload_id', 'text', (c) => c.unique())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('headers', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('signature_header', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_http_status', 'integer')
    .addColumn('last_cxml_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // Claiming looks for due pending rows and for sending rows whose lease ran out.
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_lease').on('outbox').columns(['status', 'lease_until']).execute();
  await db.schema.createIndex('outbox_order').on('outbox').column('order_id').execute();
  await db.schema.createIndex('outbox_connection').on('outbox').columns(['connection_id', 'created_at']).execute();
}
