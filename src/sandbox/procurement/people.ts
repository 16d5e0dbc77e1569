/**
 * People of the demo organisation and "acting as": the sandbox has no login, the browser picks a
 * person (cookie) and every action is recorded as `person:<id>`.
 */
import type { FastifyRequest } from 'fastify';
import type { Store } from '../../store/database.js';
import type { SandboxPersonTable } from '../../store/schema.js';
import { actingPersonId } from '../http.js';
import { assertNoProblems } from './form-problems.js';
import { ProcurementError, SANDBOX_ROLES, type SandboxPerson, type SandboxRole } from './model.js';

/** The person an unknown or missing cookie falls back to (the demo requester). */
export const DEFAULT_PERSON_ID = 'alex';

function fromRow(row: SandboxPersonTable): SandboxPerson {
  let roles: SandboxRole[] = [];
  try {
    const parsed = JSON.parse(row.roles) as unknown;
    if (Array.isArray(parsed)) roles = parsed.filter((r): r is SandboxRole => (SANDBOX_ROLES as readonly string[]).includes(String(r)));
  } catch {
    // a broken row shows as a person without roles
  }
  return { id: row.id, name: row.name, email: row.email, roles, costCenter: row.cost_center };
}

export async function findPerson(db: Store, id: string): Promise<SandboxPerson | undefined> {
  const row = await db.selectFrom('sandbox_people').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export async function listPeople(db: Store): Promise<SandboxPerson[]> {
  const rows = await db.selectFrom('sandbox_people').selectAll().orderBy('name').orderBy('id').execute();
  return rows.map(fromRow);
}

/** The person chosen under "Acting as" (cookie), else the demo requester `alex`, else the first person. */
export async function actingPerson(db: Store, request: FastifyRequest): Promise<SandboxPerson> {
  const chosen = actingPersonId(request);
  const person = (chosen ? await findPerson(db, chosen) : undefined) ?? (await findPerson(db, DEFAULT_PERSON_ID));
  if (person) return person;
  const first = await db.selectFrom('sandbox_people').selectAll().orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
  if (first) return fromRow(first);
  throw new ProcurementError('The sandbox has no people yet: add one under People & rules.', undefined, 409);
}

export function hasRole(person: SandboxPerson, role: SandboxRole | null): boolean {
  return role !== null && person.roles.includes(role);
}

export interface PersonInput {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly roles: readonly SandboxRole[];
  readonly costCenter: string | null;
}

/** The person form as typed (values kept for the page) — pure. */
export function personFromForm(form: URLSearchParams): PersonInput {
  const roles = form.getAll('roles').filter((r): r is SandboxRole => (SANDBOX_ROLES as readonly string[]).includes(r));
  const cc = (form.get('costCenter') ?? '').trim();
  return {
    id: (form.get('id') ?? '').trim(),
    name: (form.get('name') ?? '').trim(),
    email: (form.get('email') ?? '').trim(),
    roles,
    costCenter: cc === '' ? null : cc,
  };
}

async function personProblems(db: Store, input: PersonInput, isNew: boolean): Promise<Record<string, string>> {
  const problems: Record<string, string> = {};
  if (isNew) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(input.id)) problems.id = 'Enter an id of letters, digits, dot, dash or underscore (at most 64), e.g. "jo".';
    else if (await findPerson(db, input.id)) problems.id = `A person with the id "${input.id}" exists already.`;
  }
  if (input.name === '') problems.name = 'Enter the name.';
  if (!/^[^@\s]+@[^@\s]+$/.test(input.email)) problems.email = 'Enter an e-mail address such as jo@example.com.';
  if (input.costCenter !== null) {
    const cc = await db.selectFrom('sandbox_cost_centers').select('code').where('code', '=', input.costCenter).executeTakeFirst();
    if (!cc) problems.costCenter = `There is no cost center "${input.costCenter}".`;
  }
  return problems;
}

export async function createPerson(db: Store, input: PersonInput, at: Date): Promise<SandboxPerson> {
  assertNoProblems(await personProblems(db, input, true));
  await db
    .insertInto('sandbox_people')
    .values({ id: input.id, name: input.name, email: input.email, roles: JSON.stringify(input.roles), cost_center: input.costCenter, created_at: at.toISOString() })
    .execute();
  return (await findPerson(db, input.id))!;
}

/** Changes name, e-mail, roles and cost center (the id stays: the history refers to it). */
export async function editPerson(db: Store, id: string, input: Omit<PersonInput, 'id'>): Promise<SandboxPerson> {
  const existing = await findPerson(db, id);
  if (!existing) throw new ProcurementError(`There is no person "${id}".`, undefined, 404);
  assertNoProblems(await personProblems(db, { ...input, id }, false));
  await db
    .updateTable('sandbox_people')
    .set({ name: input.name, email: input.email, roles: JSON.stringify(input.roles), cost_center: input.costCenter })
    .where('id', '=', id)
    .execute();
  return (await findPerson(db, id))!;
}
