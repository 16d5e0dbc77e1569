/** Opening the store for a CLI command (same configuration as `koppel serve`). */
import pino from 'pino';
import { loadConfig } from '../config.js';
import { openStore } from '../store/database.js';
import { createContext, type AppContext } from '../app/context.js';

export async function withCliContext<T>(run: (ctx: AppContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openStore({ dataDir: config.dataDir, ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}) });
  const ctx = createContext({ db: store.db, dialect: store.dialect, config, log: pino({ level: process.env.LOG_LEVEL ?? 'warn' }) });
  try {
    return await run(ctx);
  } finally {
    await store.db.destroy();
  }
}

/** Parses `--name value` and `--flag` options; unknown ones are reported by the caller. */
export function parseOptions(args: string[], valued: readonly string[], flags: readonly string[]): { options: Record<string, string | true>; rest: string[]; error?: string } {
  const options: Record<string, string | true> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (flags.includes(name)) options[name] = true;
      else if (valued.includes(name)) {
        const value = inline ?? args[++i];
        if (value === undefined) return { options, rest, error: `--${name} needs a value` };
        options[name] = value;
      } else return { options, rest, error: `unknown option --${name}` };
    } else rest.push(a);
  }
  return { options, rest };
}
