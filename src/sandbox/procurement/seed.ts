/**
 * The procurement demo: people with roles, cost centers with budgets for the current year,
 * approval rules, inventory items linked to the demo catalog, and a recurring order. Seeded once,
 * when the sandbox starts on a store that has no sandbox people yet.
 */
import type { ProcurementDeps } from './model.js';
import { seedOrganisation } from './organisation.js';
import { seedInventory } from './inventory-seed.js';

export async function seedProcurement(deps: ProcurementDeps): Promise<void> {
  const anyone = await deps.db.selectFrom('sandbox_people').select('id').limit(1).executeTakeFirst();
  if (anyone) return;
  await seedOrganisation(deps);
  await seedInventory(deps);
}
