/**
 * Keys for the HTTP API (/api/v1). A key is a long random token shown once; only its SHA-256 is
 * stored (a key has 256 bits of entropy, so a slow hash adds nothing), and a request is matched
 * by that hash. Roles as in the admin: `admin` may create documents, `viewer` only reads.
 * Creation and revocation are audited like every admin change.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hasControlCharacter, hiddenCharacter } from '../domain/visible-text.js';
import { audit } from './admin-users.js';
import { iso, type AppContext } from './context.js';

export type ApiKeyRole = 'admin' | 'viewer';
export const API_KEY_ROLES: readonly ApiKeyRole[] = ['admin', 'viewer'];
/** Every key starts with this: recognisable in a config file and by secret scanners. */
export const API_KEY_PREFIX = 'kpk_';

export interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly role: ApiKeyRole;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export class ApiKeyInputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the API key was not created: ${problems.join('; ')}`);
    this.name = 'ApiKeyInputError';
  }
}

export class ApiKeyNotFoundError extends Error {
  constructor(readonly keyId: string) {
    super(`there is no API key "${keyId}"`);
    this.name = 'ApiKeyNotFoundError';
  }
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

type Row = { id: string; name: string; role: string; created_at: string; last_used_at: string | null; revoked_at: string | null };

function fromRow(r: Row): ApiKey {
  return { id: r.id, name: r.name, role: r.role === 'admin' ? 'admin' : 'viewer', createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at };
}

const COLUMNS = ['id', 'name', 'role', 'created_at', 'last_used_at', 'revoked_at'] as const;

export function apiKeyProblems(input: { name?: unknown; role?: unknown }): string[] {
  const out: string[] = [];
  const name = input.name;
  if (typeof name !== 'string' || name.trim() === '') out.push('name: is required (say who or what uses the key, e.g. "shop ERP")');
  else if (name.length > 100) out.push('name: is longer than 100 characters');
  else if (hasControlCharacter(name)) out.push('name: contains control characters');
  else if (hiddenCharacter(name)) out.push(`name: contains an invisible or text-direction character (${hiddenCharacter(name)})`);
  if (!API_KEY_ROLES.includes(input.role as ApiKeyRole)) out.push(`role: must be admin or viewer, not ${JSON.stringify(input.role)}`);
  return out;
}

/** Creates a key; the key itself is in the answer and nowhere else, ever. */
export async function createApiKey(ctx: AppContext, actor: { id?: string; username: string }, input: { name: string; role: ApiKeyRole }): Promise<{ apiKey: ApiKey; key: string }> {
  const problems = apiKeyProblems(input);
  if (problems.length) throw new ApiKeyInputError(problems);
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const id = `ak-${randomBytes(6).toString('hex')}`;
  const now = iso(ctx.now());
  const name = input.name.trim();
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('api_keys').values({ id, name, key_hash: hashApiKey(key), role: input.role, created_at: now, last_used_at: null, revoked_at: null }).execute();
    await audit({ ...ctx, db: trx }, actor, 'api-key.create', `API key ${id}`, `"${name}", role ${input.role}`);
  });
  return { apiKey: (await getApiKey(ctx, id))!, key };
}

export async function listApiKeys(ctx: AppContext): Promise<ApiKey[]> {
  const rows = await ctx.db.selectFrom('api_keys').select(COLUMNS).orderBy('created_at').orderBy('id').execute();
  return rows.map(fromRow);
}

export async function getApiKey(ctx: AppContext, id: string): Promise<ApiKey | undefined> {
  const r = await ctx.db.selectFrom('api_keys').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? fromRow(r) : undefined;
}

/** Revokes a key for good (it stays listed, marked revoked). False when it was already revoked. */
export async function revokeApiKey(ctx: AppContext, actor: { id?: string; username: string }, id: string): Promise<boolean> {
  const existing = await getApiKey(ctx, id);
  if (!existing) throw new ApiKeyNotFoundError(id);
  return ctx.db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('api_keys').set({ revoked_at: iso(ctx.now()) }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    const changed = Number(r.numUpdatedRows) === 1;
    await audit({ ...ctx, db: trx }, actor, 'api-key.revoke', `API key ${id}`, changed ? `"${existing.name}"` : 'was already revoked');
    return changed;
  });
}

/**
 * The key a request presents, if it is one of ours and not revoked. Only the hash is compared,
 * in the database: the stored value is a hash of a random key, so timing reveals nothing useful.
 */
export async function authenticateApiKey(ctx: AppContext, key: string): Promise<ApiKey | undefined> {
  if (!key.startsWith(API_KEY_PREFIX) || key.length > 200) return undefined;
  const r = await ctx.db.selectFrom('api_keys').select(COLUMNS).where('key_hash', '=', hashApiKey(key)).where('revoked_at', 'is', null).executeTakeFirst();
  if (!r) return undefined;
  const now = ctx.now();
  // Written at most once a minute: a busy integration should not turn every read into a write.
  if (!r.last_used_at || now.getTime() - Date.parse(r.last_used_at) > 60_000) {
    await ctx.db.updateTable('api_keys').set({ last_used_at: iso(now) }).where('id', '=', r.id).execute();
  }
  return fromRow(r);
}
