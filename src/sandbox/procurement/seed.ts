/**
 * The procurement demo: people with roles, cost centers with budgets for the current year,
 * approval rules, inventory items linked to the demo catalog, and a recurring order.
 *
 * Each part is seeded once per store (a flag in koppel_kv, so items a person deleted do not come
 * back on the next start). The inventory waits until the base URL has a real port: its items
 * order from this Koppel's /cxml, and a server still binding port 0 does not know its URL yet.
 */
import type { ProcurementDeps } from './model.js';
import { seedOrganisation } from './organisation.js';
import { seedInventory } from './inventory-seed.js';

const ORGANISATION = 'sandbox.seeded.organisation';
const INVENTORY = 'sandbox.seeded.inventory';

export async function seedProcurement(deps: ProcurementDeps): Promise<void> {
  if (!(await seeded(deps, ORGANISATION))) {
    const anyone = await deps.db.selectFrom('sandbox_people').select('id').limit(1).executeTakeFirst();
    if (!anyone) await seedOrganisation(deps);
    await mark(deps, ORGANISATION);
  }
  // The items order demo products from the demo-cxml connection: only where the demo exists.
  if (!deps.config.demo || new URL(deps.config.baseUrl).port === '0') return;
  if (!(await seeded(deps, INVENTORY))) {
    const anything = await deps.db.selectFrom('sandbox_inventory_items').select('id').limit(1).executeTakeFirst();
    if (!anything) await seedInventory(deps);
    await mark(deps, INVENTORY);
  }
}

async function seeded(deps: ProcurementDeps, key: string): Promise<boolean> {
  return (await deps.db.selectFrom('koppel_kv').select('key').where('key', '=', key).executeTakeFirst()) !== undefined;
}

async function mark(deps: ProcurementDeps, key: string): Promise<void> {
  // Two servers starting at once on one database: the second insert finds the key and is ignored.
  await deps.db.insertInto('koppel_kv').values({ key, value: deps.now().toISOString() }).onConflict((oc) => oc.column('key').doNothing()).execute();
}
