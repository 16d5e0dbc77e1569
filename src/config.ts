/** Runtime configuration, read once from the environment (see README for every variable). */
import { resolve } from 'node:path';
import { decodeSecretKey } from './app/sealed-secrets.js';

export interface KoppelConfig {
  readonly port: number;
  readonly host: string;
  readonly baseUrl: string;
  readonly dataDir: string;
  readonly databaseUrl?: string;
  readonly demo: boolean;
  readonly logLevel: string;
  /** How long a StartPage / OCI entry token may wait before it is opened. */
  readonly startTokenTtlSeconds: number;
  /** How long a punchout session stays usable after it was opened. */
  readonly sessionTtlSeconds: number;
  /** Largest request body accepted on any route. */
  readonly maxBodyBytes: number;
  /**
   * Which proxies may tell the client address in X-Forwarded-For: false (default: the socket
   * address counts), true (any — only behind a proxy that replaces the header), or a list of
   * proxy addresses/CIDRs. The IP allow-lists of connections rely on it.
   */
  readonly trustProxy: boolean | string;
  /**
   * KOPPEL_SECRET_KEY: 32 bytes (base64 or hex) that seal outbound secrets. Absent: a key file in
   * the data directory (SQLite only). Kept as text; checked here so a bad key stops the start.
   */
  readonly secretKey?: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): KoppelConfig {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const secretKey = env.KOPPEL_SECRET_KEY?.trim() || undefined;
  if (secretKey) decodeSecretKey(secretKey);
  const baseUrl = (env.KOPPEL_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    baseUrl,
    dataDir: resolve(env.KOPPEL_DATA_DIR ?? './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    demo: env.KOPPEL_DEMO !== '0',
    logLevel: env.LOG_LEVEL ?? 'info',
    startTokenTtlSeconds: Number(env.KOPPEL_START_TOKEN_TTL ?? 300),
    sessionTtlSeconds: Number(env.KOPPEL_SESSION_TTL ?? 8 * 3600),
    maxBodyBytes: Number(env.KOPPEL_MAX_BODY_BYTES ?? 10 * 1024 * 1024),
    trustProxy: trustProxySetting(env.KOPPEL_TRUST_PROXY),
    ...(secretKey ? { secretKey } : {}),
  };
}

function trustProxySetting(value: string | undefined): boolean | string {
  const v = (value ?? '').trim();
  if (v === '' || v === '0' || v.toLowerCase() === 'false') return false;
  if (v === '1' || v.toLowerCase() === 'true') return true;
  return v; // comma-separated proxy addresses or CIDR ranges
}
