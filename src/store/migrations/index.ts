/**
 * Schema migrations, run on every start (idempotent). One file per migration, listed here in
 * order; the same Kysely code serves SQLite and PostgreSQL (a migration may ask which it runs on).
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as roundTrip from './0001-round-trip.js';
import * as admin from './0002-admin.js';
import * as connectionAdmin from './0003-connection-admin.js';
import * as outbox from './0004-outbox.js';
import * as orderLifecycle from './0005-order-lifecycle.js';
import * as orderDocumentState from './0006-order-document-state.js';
import * as sandboxProcurement from './0007-sandbox-procurement.js';
import * as reorderHold from './0008-reorder-hold.js';

export type Dialect = 'sqlite' | 'postgres';

type Step = { up(db: Kysely<any>, dialect: Dialect): Promise<void> };

/** Append new migrations at the end; never rename or reorder applied ones. */
const STEPS: readonly [string, Step][] = [
  ['0001_round_trip', roundTrip],
  ['0002_admin', admin],
  ['0003_connection_admin', connectionAdmin],
  ['0004_outbox', outbox],
  ['0005_order_lifecycle', orderLifecycle],
  ['0006_order_document_state', orderDocumentState],
  ['0007_sandbox_procurement', sandboxProcurement],
  ['0008_reorder_hold', reorderHold],
];

class InCodeMigrations implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(STEPS.map(([name, step]) => [name, { up: (db: Kysely<any>) => step.up(db, this.dialect) }]));
  }
}

export async function migrateToLatest(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({ db, provider: new InCodeMigrations(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration failed${failed ? ` in ${failed.migrationName}` : ''}: ${String(error)}`);
  }
}

/** Used by tests: how many rows a table has, as a number on both dialects (pg returns int8 as text). */
export async function countRows(db: Kysely<any>, table: string): Promise<number> {
  const row = await db.selectFrom(table).select(sql<string | number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
