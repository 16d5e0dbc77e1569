/**
 * A fresh store for one test file: in-memory SQLite by default; with DATABASE_URL set (CI's
 * PostgreSQL run) a new, empty PostgreSQL database that is dropped again afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type OpenedStore } from '../../src/store/database.js';

export interface TestStore extends OpenedStore {
  cleanup(): Promise<void>;
}

export async function openTestStore(): Promise<TestStore> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const store = await openStore({ dataDir: '', memory: true });
    return { ...store, cleanup: () => store.db.destroy() };
  }
  const name = `koppel_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const store = await openStore({ dataDir: '', databaseUrl: url.toString() });
  return {
    ...store,
    async cleanup() {
      await store.db.destroy();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      try {
        // Closed pool connections may still be leaving the server; a forced drop would kill them
        // mid-exit (an uncaught "terminating connection" in the test). Wait for them first.
        for (let i = 0; i < 50; i++) {
          try {
            await a.query(`drop database if exists ${name}`);
            return;
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        await a.query(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}
