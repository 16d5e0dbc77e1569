/**
 * The demo stores: three inventory items that are products of this Koppel's demo catalog (same
 * generator and seed as the demo data, so SupplierPartID and price are what Koppel sells), all
 * ordered from the demo-cxml connection, and one recurring order due in seven days (so nothing
 * is ordered on the first start). Three consumptions of the default quantity push an item below
 * its minimum, and the re-order (small enough for the "Automatic re-orders" rule, below every
 * approval threshold) is sent without anyone clicking.
 */
import { DEFAULT_DEMO_SEED, generateDemoCatalog, type DemoProduct } from '../../store/demo-catalog.js';
import { defaultSettings } from '../settings.js';
import { insertItem } from './inventory.js';
import type { ProcurementDeps } from './model.js';
import { createSchedule } from './schedules.js';

/** Fixed ids so tests and links can rely on them. */
export const DEMO_ITEMS = [
  { id: 'inv-paper', sku: 'KP-10035', name: 'Copy paper A4 (ream)', stock: '12', minStock: '10', reorderQuantity: '20' },
  { id: 'inv-toner', sku: 'KP-10140', name: 'Toner NL-240 black', stock: '3', minStock: '2', reorderQuantity: '2' },
  { id: 'inv-coffee', sku: 'KP-10208', name: 'Coffee beans 1 kg', stock: '6', minStock: '4', reorderQuantity: '8' },
] as const;

export const DEMO_SCHEDULE_NAME = 'Weekly breakroom coffee';

export async function seedInventory(deps: ProcurementDeps): Promise<void> {
  const existing = await deps.db.selectFrom('sandbox_inventory_items').select('id').limit(1).executeTakeFirst();
  if (existing) return;
  const catalog = new Map<string, DemoProduct>(generateDemoCatalog(DEFAULT_DEMO_SEED).map((p) => [p.sku, p]));
  const supplier = { ...defaultSettings(deps.config.baseUrl), protocol: 'cxml' as const };
  for (const d of DEMO_ITEMS) {
    const p = catalog.get(d.sku);
    if (!p) continue; // the catalog changed; the other items still make a demo
    await insertItem(
      deps,
      {
        name: d.name,
        supplierPartID: p.sku,
        auxID: null,
        description: p.name,
        unit: p.unit,
        unitPrice: p.price,
        currency: p.currency,
        classification: { domain: 'UNSPSC', code: p.unspsc },
        supplier,
        stock: d.stock,
        minStock: d.minStock,
        reorderQuantity: d.reorderQuantity,
        costCenter: '1000',
        requesterId: 'sam',
        active: true,
      },
      'system',
      d.id,
    );
  }
  if (!(await deps.db.selectFrom('sandbox_inventory_items').select('id').where('id', '=', 'inv-coffee').executeTakeFirst())) return;
  await createSchedule(
    deps,
    {
      name: DEMO_SCHEDULE_NAME,
      lines: [{ itemId: 'inv-coffee', quantity: '2' }],
      everyDays: 7,
      nextRunAt: new Date(deps.now().getTime() + 7 * 86_400_000).toISOString(),
      costCenter: '1000',
      requesterId: 'sam',
      active: true,
    },
    'system',
    { skipChecks: true },
  );
}
