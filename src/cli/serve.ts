/** `koppel serve`: opens the store (migrating it), seeds the demo on first start, and listens. */
import { loadConfig } from '../config.js';
import { openStore } from '../store/database.js';
import { createContext } from '../app/context.js';
import { seedDemo } from '../app/demo-seed.js';
import { countAdminUsers, createAdminUser, generatePassword } from '../app/admin-users.js';
import { buildServer, createLogger } from '../web/server.js';
import { startOutboxWorker, type OutboxWorker } from '../jobs/outbox-worker.js';
import { startProcurementWorker, type ProcurementWorker } from '../sandbox/procurement/worker.js';

const HELP = `Usage: koppel serve

Starts Koppel: the supplier gateway (OCI and cXML), the storefront and the buyer sandbox.

Environment:
  PORT               port to listen on (default 8080)
  HOST               address to bind (default 127.0.0.1; 0.0.0.0 for every interface)
  KOPPEL_BASE_URL    public base URL, used in start pages and profiles (default http://localhost:PORT)
  KOPPEL_DATA_DIR    folder of the SQLite database (default ./data)
  DATABASE_URL       postgres://… to use PostgreSQL instead of SQLite
  KOPPEL_DEMO        0 to start without the demo catalog and connections
  LOG_LEVEL          pino log level (default info)
  KOPPEL_ADMIN_PASSWORD  password of the "admin" account created on the first start
                     (default: a random one, printed once)
  KOPPEL_OUTBOX      0 to send no documents from this process (the outbox worker; see README)
  KOPPEL_SANDBOX_TICK_MS  how often the buyer sandbox runs due recurring orders and stock
                     re-orders, in milliseconds (default 60000)
`;

export async function serve(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.length > 0) {
    process.stderr.write(`koppel serve: unexpected argument "${args[0]}". Configuration comes from the environment; see "koppel serve --help".\n`);
    return 2;
  }
  const config = loadConfig();
  // OCI logins may carry passwords in the query string; start tokens are one-time credentials.
  const log = createLogger(config.logLevel);
  let store;
  try {
    store = await openStore({ dataDir: config.dataDir, ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}) });
  } catch (err) {
    log.fatal({ err }, 'could not open the store');
    process.stderr.write(`koppel serve: could not open the store: ${(err as Error).message}\n`);
    return 1;
  }
  const ctx = createContext({ db: store.db, dialect: store.dialect, config, log });
  if (config.demo) {
    const seeded = await seedDemo(ctx);
    if (seeded.seeded) log.info({ products: seeded.products }, 'demo data created: catalog and the demo-oci / demo-cxml connections');
  }
  if ((await countAdminUsers(ctx)) === 0) {
    // Without any account nobody could ever log in to /admin: make one and say its password once.
    const password = process.env.KOPPEL_ADMIN_PASSWORD ?? generatePassword(ctx);
    await createAdminUser(ctx, { username: 'admin', password, role: 'admin' }, 'first start');
    process.stdout.write(
      process.env.KOPPEL_ADMIN_PASSWORD
        ? `\nAdmin account "admin" created with the password from KOPPEL_ADMIN_PASSWORD.\n\n`
        : `\n  Admin account created for ${config.baseUrl}/admin\n    user name: admin\n    password:  ${password}\n  This password is shown only now. More accounts: koppel admin create --help\n\n`,
    );
  }
  const app = await buildServer(ctx, { log: true });
  let outbox: OutboxWorker | undefined;
  let procurement: ProcurementWorker | undefined;
  const close = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    // Sends in flight finish first (each bounded by KOPPEL_OUTBOX_TIMEOUT); unsent rows wait in the store.
    await outbox?.stop();
    await procurement?.stop();
    await app.close();
    await store.db.destroy();
    process.exit(0);
  };
  process.once('SIGTERM', () => void close('SIGTERM'));
  process.once('SIGINT', () => void close('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  // After listen: a port already in use ends the start before anything is sent.
  if (config.outbox.enabled) outbox = startOutboxWorker(ctx);
  else log.info('outbox worker disabled (KOPPEL_OUTBOX=0): this process sends no documents');
  // The sandbox's purchase orders go out without anyone clicking: recurring orders and re-orders.
  if (config.sandbox) procurement = startProcurementWorker({ db: store.db, config, now: () => ctx.now(), fetch: (input, init) => fetch(input, init) }, { intervalMs: config.sandboxTickMs, log });
  log.info({ store: store.location, dialect: store.dialect, baseUrl: config.baseUrl }, `Koppel is listening: ${config.baseUrl} (sandbox: ${config.baseUrl}/sandbox)`);
  return 0;
}
