/**
 * A real Koppel on a loopback port with a fresh store (SQLite in memory, or PostgreSQL when
 * DATABASE_URL is set) and the demo data: tests talk to it over real HTTP.
 */
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type KoppelConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/app/context.js';
import { seedDemo } from '../../src/app/demo-seed.js';
import { buildServer } from '../../src/web/server.js';
import { seedProcurement } from '../../src/sandbox/procurement/seed.js';
import { openTestStore, type TestStore } from './store.js';

export interface TestApp {
  ctx: AppContext;
  store: TestStore;
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  close(): Promise<void>;
}

export interface StartTestAppOptions {
  config?: Partial<KoppelConfig>;
  demo?: boolean;
  now?: () => Date;
  /** Host name in the base URL (default 127.0.0.1). */
  host?: string;
  /**
   * Address to listen on (default 127.0.0.1). `localhost` binds every address the name resolves
   * to (127.0.0.1 and ::1 where both exist), so a base URL of http://localhost:PORT works for
   * Node's fetch, which may pick ::1, as well as for a browser using 127.0.0.1.
   */
  listenHost?: string;
}

export async function startTestApp(options: StartTestAppOptions = {}): Promise<TestApp> {
  const store = await openTestStore();
  const base = loadConfig({ ...process.env, PORT: '0', KOPPEL_DATA_DIR: '/nonexistent' });
  // The base URL is only known after listen; a mutable copy lets the server use the real port.
  const config: KoppelConfig = { ...base, ...options.config } as KoppelConfig;
  const ctx = createContext({ db: store.db, dialect: store.dialect, config, log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), ...(options.now ? { now: options.now } : {}) });
  if (options.demo !== false) await seedDemo(ctx);
  const app = await buildServer(ctx);
  await app.listen({ port: 0, host: options.listenHost ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const host = options.host ?? '127.0.0.1';
  const baseUrl = options.config?.baseUrl ?? `http://${host}:${port}`;
  (config as { baseUrl: string }).baseUrl = baseUrl;
  (config as { port: number }).port = port;
  // The sandbox's demo inventory orders from this server's /cxml: seeded once the port is known.
  if (config.sandbox) await seedProcurement({ db: store.db, config, now: () => ctx.now(), fetch: (input, init) => fetch(input, init) });
  return {
    ctx,
    store,
    app,
    baseUrl,
    async close() {
      await app.close();
      await store.cleanup();
    },
  };
}
