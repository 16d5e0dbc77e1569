/**
 * The round trip: connections, catalog, punchout sessions and carts, orders, cXML receipts,
 * the document log and the buyer sandbox's table.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from './index.js';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('buyer_identities', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('supplier_identities', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('sender_identities', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('secret_hash', 'text')
    .addColumn('oci_username', 'text')
    .addColumn('return_url_prefixes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('options', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('products')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sku', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('manufacturer', 'text', (c) => c.notNull())
    .addColumn('manufacturer_part_id', 'text', (c) => c.notNull())
    .addColumn('unspsc', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('price', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('lead_time_days', 'integer', (c) => c.notNull())
    .addColumn('stock', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('punchout_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id'))
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('start_token_hash', 'text', (c) => c.unique())
    .addColumn('start_expires_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('buyer_cookie', 'text')
    .addColumn('return_url', 'text', (c) => c.notNull())
    .addColumn('return_target', 'text')
    .addColumn('echo_fields', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('context', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('deployment_mode', 'text', (c) => c.notNull().defaultTo('production'))
    .addColumn('setup_payload_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text')
    .addColumn('closed_at', 'text')
    .execute();

  await db.schema
    .createTable('cart_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('punchout_sessions.id'))
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('quantity', 'text', (c) => c.notNull())
    .addColumn('unit_price', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('aux_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('cart_lines_session_product', ['session_id', 'product_id'])
    .execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id'))
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('payload_id', 'text', (c) => c.notNull().unique())
    .addColumn('order_type', 'text', (c) => c.notNull())
    .addColumn('order_version', 'integer')
    .addColumn('order_date', 'text', (c) => c.notNull())
    .addColumn('deployment_mode', 'text', (c) => c.notNull())
    .addColumn('total', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('header', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('orders_connection_order').on('orders').columns(['connection_id', 'order_id']).execute();

  await db.schema
    .createTable('order_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('line_number', 'integer', (c) => c.notNull())
    .addColumn('supplier_part_id', 'text', (c) => c.notNull())
    .addColumn('aux_id', 'text')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('quantity', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('unit_price', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('is_ad_hoc', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('order_lines_order').on('order_lines').column('order_id').execute();

  await db.schema
    .createTable('cxml_receipts')
    .addColumn('payload_id', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('request_type', 'text', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('documents')
    .addColumn('seq', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('doc_type', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text')
    .addColumn('session_id', 'text')
    .addColumn('order_id', 'text')
    .addColumn('payload_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('documents_connection').on('documents').columns(['connection_id', 'seq']).execute();
  await db.schema.createIndex('documents_session').on('documents').column('session_id').execute();

  await db.schema
    .createTable('sandbox_punchouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('supplier_url', 'text', (c) => c.notNull())
    .addColumn('buyer_cookie', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('framed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('cart_raw', 'text')
    .addColumn('cart_format', 'text')
    .addColumn('cart_lines', 'text')
    .addColumn('cart_total', 'text')
    .addColumn('currency', 'text')
    .addColumn('order_payload_id', 'text')
    .addColumn('order_xml', 'text')
    .addColumn('order_response', 'text')
    .addColumn('order_status', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('koppel_kv')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
