/** `koppel admin create`: the first (or another) admin account. */
import { createAdminUser, generatePassword, type AdminRole } from '../app/admin-users.js';
import { parseOptions, withCliContext } from './context.js';

const HELP = `Usage: koppel admin create [--username NAME] [--role admin|viewer] [--password PASSWORD] [--json]

Creates an admin account for the web admin at /admin.
  --username NAME   default: admin
  --role ROLE       admin (may change everything) or viewer (may only read); default: admin
  --password PW     at least 10 characters; default: $KOPPEL_ADMIN_PASSWORD, else a random
                    password that is printed once
  --json            machine-readable output

Uses the same store as "koppel serve" (KOPPEL_DATA_DIR or DATABASE_URL).
Exit codes: 0 created, 1 refused (e.g. the name exists), 2 usage error.
`;

export async function adminCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h') {
    process.stdout.write(HELP);
    return sub ? 0 : 2;
  }
  if (sub !== 'create') {
    process.stderr.write(`koppel admin: unknown command "${sub}". Try "koppel admin --help".\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const parsed = parseOptions(rest, ['username', 'role', 'password'], ['json']);
  if (parsed.error || parsed.rest.length > 0) {
    process.stderr.write(`koppel admin create: ${parsed.error ?? `unexpected argument "${parsed.rest[0]}"`}\n\n${HELP}`);
    return 2;
  }
  const o = parsed.options;
  const role = (typeof o.role === 'string' ? o.role : 'admin') as AdminRole;
  if (role !== 'admin' && role !== 'viewer') {
    process.stderr.write(`koppel admin create: --role must be admin or viewer\n`);
    return 2;
  }
  try {
    return await withCliContext(async (ctx) => {
      const given = typeof o.password === 'string' ? o.password : process.env.KOPPEL_ADMIN_PASSWORD;
      const password = given ?? generatePassword(ctx);
      const user = await createAdminUser(ctx, { username: typeof o.username === 'string' ? o.username : 'admin', password, role });
      if (o.json) process.stdout.write(JSON.stringify({ username: user.username, role: user.role, ...(given ? {} : { password }) }) + '\n');
      else {
        process.stdout.write(`Created ${user.role} "${user.username}".\n`);
        if (!given) process.stdout.write(`Password (shown only now): ${password}\n`);
      }
      return 0;
    });
  } catch (err) {
    process.stderr.write(`koppel admin create: ${(err as Error).message}\n`);
    return 1;
  }
}
