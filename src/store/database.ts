/**
 * Opens the store: SQLite file under the data directory by default, PostgreSQL when a
 * DATABASE_URL is given. Migrations run on open.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Database } from './schema.js';
import { migrateToLatest } from './migrations/index.js';

export type Store = Kysely<Database>;

export interface OpenStoreOptions {
  dataDir: string;
  databaseUrl?: string;
  /** Use an in-memory SQLite database (tests). */
  memory?: boolean;
}

export interface OpenedStore {
  db: Store;
  dialect: 'sqlite' | 'postgres';
  /** Where the data lives, for the start-up log line (never includes a password). */
  location: string;
}

export async function openStore(options: OpenStoreOptions): Promise<OpenedStore> {
  let db: Store;
  let dialect: 'sqlite' | 'postgres';
  let location: string;
  if (options.databaseUrl) {
    dialect = 'postgres';
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    location = redactUrl(options.databaseUrl);
  } else {
    dialect = 'sqlite';
    let file = ':memory:';
    if (!options.memory) {
      mkdirSync(options.dataDir, { recursive: true });
      file = join(options.dataDir, 'koppel.sqlite');
    }
    const sqlite = new SQLite(file);
    // WAL lets readers go on while a write commits; busy_timeout waits instead of failing on a lock.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    location = file;
  }
  await migrateToLatest(db, dialect);
  return { db, dialect, location };
}

/** True when the store answers a trivial query. */
export async function storeIsReachable(db: Store): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres';
  }
}
