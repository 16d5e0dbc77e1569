/**
 * `koppel api-keys create|list|revoke`: keys for the HTTP API (/api/v1), audited like the admin
 * (actor "cli"). A key is printed once, when it is created; Koppel keeps only its SHA-256.
 */
import type { AppContext } from '../app/context.js';
import { ApiKeyInputError, ApiKeyNotFoundError, createApiKey, listApiKeys, revokeApiKey, type ApiKey, type ApiKeyRole } from '../app/api-keys.js';
import { parseOptions, withCliContext } from './context.js';
import { groupCommand, UsageError } from './args.js';

const ACTOR = { username: 'cli' };

const COMMON = `Uses the same store as "koppel serve" (KOPPEL_DATA_DIR or DATABASE_URL).
Exit codes: 0 done, 1 refused or not found, 2 usage error.`;

const HELP = `Usage: koppel api-keys COMMAND [options]

Keys for the HTTP API at /api/v1 (sent as "Authorization: Bearer <key>").
  list                         all keys (never the keys themselves)
  create --name N --role R     create a key (printed once); role admin or viewer
  revoke ID                    refuse the key from now on

Every command takes --json for machine-readable output and --help for its options.
${COMMON}
`;

const HELPS: Record<string, string> = {
  list: `Usage: koppel api-keys list [--json]

Lists every key: id, role, name, created, last used, revoked.
${COMMON}
`,
  create: `Usage: koppel api-keys create --name NAME --role admin|viewer [--json]

Creates a key and prints it once. viewer keys read orders; admin keys also create documents
(confirmations, ship notices, invoices, credit memos) and close or review orders.
${COMMON}
`,
  revoke: `Usage: koppel api-keys revoke ID [--json]

Revokes a key: requests with it get 401 from now on. The key stays listed as revoked.
${COMMON}
`,
};

const SPECS: Record<string, { valued: string[]; flags: string[] }> = {
  list: { valued: [], flags: ['json'] },
  create: { valued: ['name', 'role'], flags: ['json'] },
  revoke: { valued: [], flags: ['json'] },
};

const out = (text: string) => process.stdout.write(text);

function line(k: ApiKey): string {
  return `${k.id.padEnd(18)} ${k.role.padEnd(7)} ${(k.revokedAt ? 'revoked' : 'active').padEnd(8)} ${(k.lastUsedAt ?? 'never').padEnd(25)} ${k.name}\n`;
}

async function run(ctx: AppContext, sub: string, options: Record<string, string | true>, rest: string[]): Promise<number> {
  const json = options.json === true;
  if (sub === 'list') {
    const keys = await listApiKeys(ctx);
    if (json) out(JSON.stringify(keys, null, 2) + '\n');
    else if (keys.length === 0) out('No API keys. Create one with "koppel api-keys create --help".\n');
    else out(`${'ID'.padEnd(18)} ${'ROLE'.padEnd(7)} ${'STATE'.padEnd(8)} ${'LAST USED'.padEnd(25)} NAME\n` + keys.map(line).join(''));
    return 0;
  }
  if (sub === 'create') {
    const { apiKey, key } = await createApiKey(ctx, ACTOR, { name: String(options.name), role: String(options.role) as ApiKeyRole });
    if (json) out(JSON.stringify({ apiKey, key }, null, 2) + '\n');
    else out(`Created ${apiKey.role} key ${apiKey.id} ("${apiKey.name}").\nKey (shown only now): ${key}\n`);
    return 0;
  }
  const id = rest[0]!;
  const changed = await revokeApiKey(ctx, ACTOR, id);
  if (json) out(JSON.stringify({ id, revoked: true, alreadyRevoked: !changed }, null, 2) + '\n');
  else out(changed ? `API key ${id} revoked.\n` : `API key ${id} was already revoked.\n`);
  return 0;
}

export async function apiKeysCommand(args: string[]): Promise<number> {
  const call = groupCommand('api-keys', args, { group: HELP, commands: HELPS }, SPECS);
  if (typeof call === 'number') return call;
  const { sub, rest, spec } = call;
  const prefix = `koppel api-keys ${sub}`;
  const parsed = parseOptions(rest, spec.valued, spec.flags);
  try {
    if (parsed.error) throw new UsageError(parsed.error);
    if (sub === 'revoke' && parsed.rest.length !== 1) throw new UsageError(parsed.rest.length ? `unexpected argument "${parsed.rest[1]}"` : 'which key? Usage: koppel api-keys revoke ID');
    if (sub !== 'revoke' && parsed.rest.length) throw new UsageError(`unexpected argument "${parsed.rest[0]}"`);
    if (sub === 'create') {
      const missing = ['name', 'role'].filter((n) => typeof parsed.options[n] !== 'string');
      if (missing.length) throw new UsageError(`missing ${missing.map((n) => `--${n}`).join(', ')}`);
      if (parsed.options.role !== 'admin' && parsed.options.role !== 'viewer') throw new UsageError(`--role must be admin or viewer, not "${String(parsed.options.role)}"`);
    }
  } catch (err) {
    process.stderr.write(`${prefix}: ${(err as Error).message}\n\n${HELPS[sub]}`);
    return 2;
  }
  try {
    return await withCliContext((ctx) => run(ctx, sub, parsed.options, parsed.rest));
  } catch (err) {
    if (err instanceof ApiKeyInputError) {
      process.stderr.write(`${prefix}: refused:\n${err.problems.map((p) => `  - ${p}\n`).join('')}`);
      return 1;
    }
    if (err instanceof ApiKeyNotFoundError) {
      process.stderr.write(`${prefix}: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`${prefix}: ${(err as Error).message}\n`);
    return 1;
  }
}
