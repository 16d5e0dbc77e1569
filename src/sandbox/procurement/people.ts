/** People and "acting as" (owner: requisitions helper). STUB. */
import type { FastifyRequest } from 'fastify';
import type { Store } from '../../store/database.js';
import type { SandboxPerson } from './model.js';

/** The person chosen under "Acting as" (cookie), else the demo requester `alex`, else the first person. */
export async function actingPerson(_db: Store, _request: FastifyRequest): Promise<SandboxPerson> {
  throw new Error('not implemented');
}

export async function findPerson(_db: Store, _id: string): Promise<SandboxPerson | undefined> {
  throw new Error('not implemented');
}
