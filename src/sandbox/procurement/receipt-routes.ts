/** Routes (STUB; replaced by the owner). */
import type { FastifyInstance } from 'fastify';
import type { ProcurementDeps } from './model.js';

export async function registerReceiptRoutes(_app: FastifyInstance, _deps: ProcurementDeps): Promise<void> {}
