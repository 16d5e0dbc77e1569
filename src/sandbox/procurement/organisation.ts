/** People, cost centers, budgets and approval rules (owner: requisitions helper). STUB. */
import type { ProcurementDeps } from './model.js';

export async function seedOrganisation(_deps: ProcurementDeps): Promise<void> {}
