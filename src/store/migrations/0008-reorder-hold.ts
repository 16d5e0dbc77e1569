/**
 * sandbox_inventory_items.reorder_hold: automatic re-ordering stopped for an item because its
 * last re-order was rejected (by an approver or the supplier) or its purchase order could not be
 * delivered; JSON {reason, requisitionId, requisitionNumber, poId, orderId, at}, null while
 * re-ordering runs. Without it a rejecting supplier got a new re-order every tick.
 *
 * sandbox_schedules.run_count: how often a schedule has run. "Run now" and the worker claim a run
 * by raising it only where it still holds the value they read (the page's value for "Run now"),
 * so a double click orders once.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from './index.js';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('sandbox_inventory_items').addColumn('reorder_hold', 'text').execute();
  await db.schema.alterTable('sandbox_schedules').addColumn('run_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
