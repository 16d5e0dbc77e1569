/** Demo inventory items and a recurring order (owner: inventory helper). STUB. */
import type { ProcurementDeps } from './model.js';

export async function seedInventory(_deps: ProcurementDeps): Promise<void> {}
