/**
 * Secrets Koppel must send (the outbound SharedSecret of a connection) cannot be hashed: they are
 * sealed with AES-256-GCM instead. Format: `v1:<iv>:<tag>:<ciphertext>`, each part base64url; the
 * version prefix lets a later key or algorithm change read old values. A `context` (e.g. the
 * connection id) is bound in as associated data, so a sealed value copied to another row does
 * not open there.
 *
 * The key: KOPPEL_SECRET_KEY (32 bytes, base64 or hex). Without it, a SQLite installation keeps
 * a key file `secret.key` (mode 0600) in the data directory; a PostgreSQL installation may run on
 * several nodes that would each make their own file, so there it must come from the environment.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

const VERSION = 'v1';
const IV_BYTES = 12;
const KEY_BYTES = 32;
export const KEY_FILE_NAME = 'secret.key';

/** A sealed value that does not open: wrong key, other context, tampered or not a sealed value. */
export class SealedSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedSecretError';
  }
}

/** No key can be had (PostgreSQL without KOPPEL_SECRET_KEY). */
export class SecretKeyMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyMissingError';
  }
}

function aad(context: string): Buffer {
  return Buffer.from(`koppel-sealed-${VERSION}\0${context}`, 'utf8');
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new SealedSecretError(`the sealing key must be ${KEY_BYTES} bytes, got ${key.length}`);
}

export function seal(key: Buffer, plain: string, context = ''): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(context));
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join(':');
}

export function unseal(key: Buffer, sealed: string, context = ''): string {
  checkKey(key);
  const parts = sealed.split(':');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new SealedSecretError(`not a sealed value of format ${VERSION}`);
  const [, ivText, tagText, dataText] = parts as [string, string, string, string];
  const b64url = /^[A-Za-z0-9_-]*$/;
  if (![ivText, tagText, dataText].every((p) => b64url.test(p))) throw new SealedSecretError('the sealed value is not base64url');
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== 16) throw new SealedSecretError('the sealed value has a malformed IV or tag');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    decipher.setAAD(aad(context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(dataText, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    // GCM says only "unable to authenticate": the key is wrong or the value was changed.
    throw new SealedSecretError('the sealed value could not be opened: wrong KOPPEL_SECRET_KEY, or the stored value was changed');
  }
}

/**
 * Reads a key written as 64 hex digits or base64 (standard or URL-safe). The error names the
 * expected shape and the length seen, never the text itself.
 */
export function decodeSecretKey(text: string, name = 'KOPPEL_SECRET_KEY'): Buffer {
  const t = text.trim();
  // Hex first: 64 hex digits are also valid base64 (of 48 bytes).
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (!key || key.length !== KEY_BYTES) {
    throw new Error(`${name} must be ${KEY_BYTES} random bytes written as base64 (44 characters) or hex (64 characters); got ${t.length} characters that are neither. Make one with: openssl rand -base64 32`);
  }
  return key;
}

export interface SecretKeySettings {
  readonly secretKey?: string | undefined;
  readonly dataDir: string;
  readonly databaseUrl?: string | undefined;
}

const fileKeys = new Map<string, Buffer>();
const warned = new Set<string>();

/** The sealing key for this installation; may create the key file (see the module comment). */
export function sealingKey(settings: SecretKeySettings, log?: Pick<Logger, 'warn'>): Buffer {
  if (settings.secretKey) return decodeSecretKey(settings.secretKey);
  if (settings.databaseUrl) {
    throw new SecretKeyMissingError(
      'KOPPEL_SECRET_KEY is not set. With DATABASE_URL (PostgreSQL, possibly several nodes) the key that seals outbound secrets must come from the environment: set KOPPEL_SECRET_KEY to 32 random bytes in base64 or hex (openssl rand -base64 32) on every node.',
    );
  }
  const path = join(settings.dataDir, KEY_FILE_NAME);
  let key = fileKeys.get(path);
  if (!key) {
    key = readOrCreateKeyFile(settings.dataDir, path, log);
    fileKeys.set(path, key);
  }
  if (!warned.has(path)) {
    warned.add(path);
    log?.warn({ keyFile: path }, 'KOPPEL_SECRET_KEY is not set: outbound secrets are sealed with the key file in the data directory. Production should set KOPPEL_SECRET_KEY (and keep a copy: without the key, sealed secrets cannot be opened).');
  }
  return key;
}

function readOrCreateKeyFile(dataDir: string, path: string, log?: Pick<Logger, 'warn'>): Buffer {
  try {
    return readKeyFile(path, log);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  // Written under a temporary name and linked into place: link fails if the file exists, so two
  // processes starting at once end up with one key, and nobody reads a half-written file.
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, randomBytes(KEY_BYTES).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  return readKeyFile(path, log);
}

function readKeyFile(path: string, log?: Pick<Logger, 'warn'>): Buffer {
  const text = readFileSync(path, 'utf8');
  if ((statSync(path).mode & 0o077) !== 0) log?.warn({ keyFile: path }, 'the key file can be read by other users; it should have mode 0600');
  return decodeSecretKey(text, `the key file ${path}`);
}
