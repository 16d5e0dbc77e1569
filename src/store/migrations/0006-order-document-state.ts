/**
 * order_documents.state: a document the outbox finally failed (the buyer refused it, or it could
 * not be delivered) no longer counts towards the order's figures; "retry" makes it count again.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from './index.js';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('order_documents').addColumn('state', 'text', (c) => c.notNull().defaultTo('active')).execute();
}
