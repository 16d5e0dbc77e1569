/**
 * What every use case needs, passed explicitly as the first argument (no globals):
 * the store, the configuration, a logger, the clock and a source of unguessable tokens.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { KoppelConfig } from '../config.js';
import type { Store } from '../store/database.js';
import { FailureThrottle } from './auth-throttle.js';

export interface AppContext {
  readonly db: Store;
  readonly dialect: 'sqlite' | 'postgres';
  readonly config: KoppelConfig;
  readonly log: Logger;
  now(): Date;
  /** An unguessable URL-safe token (base64url of `bytes` random bytes). */
  token(bytes?: number): string;
  /** Failed gateway logins per client address (cXML and OCI). */
  readonly authFailures: FailureThrottle;
}

export function createContext(parts: {
  db: Store;
  dialect: 'sqlite' | 'postgres';
  config: KoppelConfig;
  log: Logger;
  now?: () => Date;
}): AppContext {
  return {
    db: parts.db,
    dialect: parts.dialect,
    config: parts.config,
    log: parts.log,
    now: parts.now ?? (() => new Date()),
    token: (bytes = 32) => randomBytes(bytes).toString('base64url'),
    authFailures: new FailureThrottle(),
  };
}

/** ISO-8601 UTC text, the store's timestamp format. */
export function iso(date: Date): string {
  return date.toISOString();
}
