/**
 * Connections managed in the admin: test and production variants of one buyer organisation,
 * secret rotation with overlap, a sealed outbound secret, an IP allow-list, and customer price lists.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from './index.js';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  const add = (column: string, type: 'text' | 'integer', build?: (c: any) => any) =>
    db.schema.alterTable('connections').addColumn(column, type, build ?? ((c) => c)).execute();
  await add('environment', 'text', (c) => c.notNull().defaultTo('production'));
  await add('buyer_org', 'text', (c) => c.notNull().defaultTo(''));
  await add('secret_hash_previous', 'text');
  await add('previous_valid_until', 'text');
  await add('outbound_secret_sealed', 'text');
  await add('ip_allow_list', 'text', (c) => c.notNull().defaultTo('[]'));
  await add('price_list_id', 'text');

  await db.schema
    .createTable('price_lists')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('price_list_items')
    .addColumn('price_list_id', 'text', (c) => c.notNull().references('price_lists.id'))
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('price', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('price_list_items_pk', ['price_list_id', 'product_id'])
    .execute();
}
