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
  /**
   * Whether the buyer sandbox is served. It sends requests from the server to any URL typed into
   * it, so it is on for demo installs and off otherwise unless KOPPEL_SANDBOX=1.
   */
  readonly sandbox: boolean;
  /** KOPPEL_SANDBOX_TICK_MS: how often the sandbox's job runs recurring orders and re-orders. */
  readonly sandboxTickMs: number;
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
  /** The outbox worker that delivers documents and webhooks to buyers (src/jobs/). */
  readonly outbox: OutboxConfig;
}

export interface OutboxConfig {
  /** KOPPEL_OUTBOX=0 keeps this process from sending (another node may still do it). */
  readonly enabled: boolean;
  /** How often an idle worker looks for due rows. */
  readonly pollMs: number;
  /** Attempts per row before it is failed for good. */
  readonly maxAttempts: number;
  /** Backoff: the n-th retry waits a random time up to min(maxDelayMs, baseDelayMs × 2^(n−1)). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Budget for one request, answer included. */
  readonly requestTimeoutMs: number;
  /** How long a claimed row belongs to its worker; longer than a request, so a live worker keeps it. */
  readonly leaseMs: number;
  /** Requests one worker has in flight at once. */
  readonly concurrency: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): KoppelConfig {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const secretKey = env.KOPPEL_SECRET_KEY?.trim() || undefined;
  if (secretKey) decodeSecretKey(secretKey);
  const baseUrl = (env.KOPPEL_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  return {
    port,
    // Loopback unless told otherwise: a first `npm start` must not offer the demo logins to the network.
    host: env.HOST ?? '127.0.0.1',
    baseUrl,
    dataDir: resolve(env.KOPPEL_DATA_DIR ?? './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    demo: env.KOPPEL_DEMO !== '0',
    sandbox: env.KOPPEL_SANDBOX === undefined || env.KOPPEL_SANDBOX === '' ? env.KOPPEL_DEMO !== '0' : env.KOPPEL_SANDBOX !== '0',
    sandboxTickMs: sandboxTickMs(env.KOPPEL_SANDBOX_TICK_MS),
    logLevel: env.LOG_LEVEL ?? 'info',
    startTokenTtlSeconds: Number(env.KOPPEL_START_TOKEN_TTL ?? 300),
    sessionTtlSeconds: Number(env.KOPPEL_SESSION_TTL ?? 8 * 3600),
    maxBodyBytes: Number(env.KOPPEL_MAX_BODY_BYTES ?? 10 * 1024 * 1024),
    trustProxy: trustProxySetting(env.KOPPEL_TRUST_PROXY),
    ...(secretKey ? { secretKey } : {}),
    outbox: outboxSettings(env),
  };
}

function outboxSettings(env: NodeJS.ProcessEnv): OutboxConfig {
  const seconds = (name: string, fallback: number): number => {
    const raw = env[name]?.trim();
    const value = raw ? Number(raw) : fallback;
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a number of seconds above 0, got "${raw}"`);
    return Math.round(value * 1000);
  };
  const count = (name: string, fallback: number): number => {
    const raw = env[name]?.trim();
    const value = raw ? Number(raw) : fallback;
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, got "${raw}"`);
    return value;
  };
  const requestTimeoutMs = seconds('KOPPEL_OUTBOX_TIMEOUT', 30);
  const baseDelayMs = seconds('KOPPEL_OUTBOX_BASE_DELAY', 60);
  const maxDelayMs = seconds('KOPPEL_OUTBOX_MAX_DELAY', 3600);
  // The lease must outlast a request, or a slow but live send could be claimed (and sent) twice.
  const leaseMs = seconds('KOPPEL_OUTBOX_LEASE', requestTimeoutMs / 1000 + 60);
  if (leaseMs <= requestTimeoutMs) throw new Error('KOPPEL_OUTBOX_LEASE must be longer than KOPPEL_OUTBOX_TIMEOUT');
  return {
    enabled: env.KOPPEL_OUTBOX !== '0',
    pollMs: seconds('KOPPEL_OUTBOX_POLL', 1),
    // 15 attempts from 1 minute doubling to an hour span several hours, as cXML buyers expect.
    maxAttempts: count('KOPPEL_OUTBOX_MAX_ATTEMPTS', 15),
    baseDelayMs,
    maxDelayMs: Math.max(maxDelayMs, baseDelayMs),
    requestTimeoutMs,
    leaseMs,
    concurrency: count('KOPPEL_OUTBOX_CONCURRENCY', 4),
  };
}

function sandboxTickMs(value: string | undefined): number {
  const raw = value?.trim();
  const ms = raw ? Number(raw) : 60_000;
  if (!Number.isInteger(ms) || ms < 10) throw new Error(`KOPPEL_SANDBOX_TICK_MS must be a whole number of milliseconds of at least 10, got "${raw}"`);
  return ms;
}

function trustProxySetting(value: string | undefined): boolean | string {
  const v = (value ?? '').trim();
  if (v === '' || v === '0' || v.toLowerCase() === 'false') return false;
  if (v === '1' || v.toLowerCase() === 'true') return true;
  return v; // comma-separated proxy addresses or CIDR ranges
}
