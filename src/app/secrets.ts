/**
 * Inbound secrets (cXML SharedSecret, OCI password) are stored as scrypt hashes and compared in
 * constant time; tokens carried in URLs are stored as SHA-256 digests so a database leak does
 * not hand out live sessions.
 */
import { createHash, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

const N = 16384;
const KEYLEN = 32;

export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(secret.normalize('NFC'), salt, KEYLEN, { N });
  return `scrypt$${N}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * Secrets that verified recently, keyed by a digest of (stored hash, secret). A buyer sends the
 * same SharedSecret with every document; scrypt on each would cap the gateway at a few dozen
 * requests a second per core. Only successes are remembered, so guessing stays slow.
 */
const verified = new Map<string, true>();
const VERIFIED_MAX = 1000;

export function verifySecret(secret: string, stored: string | null | undefined): boolean {
  if (stored) {
    const key = createHash('sha256').update(stored).update('\0').update(secret.normalize('NFC')).digest('base64');
    if (verified.has(key)) return true;
    const ok = verifyWithScrypt(secret, stored);
    if (ok) {
      if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
      verified.set(key, true);
    }
    return ok;
  }
  return verifyWithScrypt(secret, stored);
}

function verifyWithScrypt(secret: string, stored: string | null | undefined): boolean {
  // Hash even when nothing is stored, so a missing connection costs the same time as a wrong secret.
  const parts = (stored ?? '').split('$');
  const valid = parts.length === 4 && parts[0] === 'scrypt';
  const n = valid ? Number(parts[1]) : N;
  const salt = valid ? Buffer.from(parts[2]!, 'base64') : Buffer.alloc(16);
  const expected = valid ? Buffer.from(parts[3]!, 'base64') : Buffer.alloc(KEYLEN);
  const actual = scryptSync(secret.normalize('NFC'), salt, expected.length || KEYLEN, { N: n });
  return valid && actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function digestToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function scryptAsync(secret: string, salt: Buffer, keylen: number, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, keylen, { N: n }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * verifySecret for request paths: scrypt runs in the thread pool, so a burst of wrong secrets
 * slows only authentication, never the whole server.
 */
export async function verifySecretAsync(secret: string, stored: string | null | undefined): Promise<boolean> {
  const key = stored ? createHash('sha256').update(stored).update('\0').update(secret.normalize('NFC')).digest('base64') : undefined;
  if (key && verified.has(key)) return true;
  const parts = (stored ?? '').split('$');
  const valid = parts.length === 4 && parts[0] === 'scrypt';
  const n = valid ? Number(parts[1]) : N;
  const salt = valid ? Buffer.from(parts[2]!, 'base64') : Buffer.alloc(16);
  const expected = valid ? Buffer.from(parts[3]!, 'base64') : Buffer.alloc(KEYLEN);
  const actual = await scryptAsync(secret.normalize('NFC'), salt, expected.length || KEYLEN, n);
  const ok = valid && actual.length === expected.length && timingSafeEqual(actual, expected);
  if (ok && key) {
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
    verified.set(key, true);
  }
  return ok;
}
