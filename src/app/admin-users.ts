/**
 * Admin accounts and sessions. Passwords are scrypt hashes; a session is a random cookie token of
 * which only the SHA-256 is stored, with a CSRF token of its own, an idle timeout and an absolute
 * lifetime. Every change made in the admin is recorded in the audit trail.
 */
import { timingSafeEqual } from 'node:crypto';
import { iso, type AppContext } from './context.js';
import { digestToken, hashSecret, verifySecretAsync } from './secrets.js';

export type AdminRole = 'admin' | 'viewer';

export interface AdminUser {
  readonly id: string;
  readonly username: string;
  readonly role: AdminRole;
}

/** Minutes without a request after which an admin session ends. */
export const ADMIN_IDLE_MINUTES = 30;
/** Hours after which an admin session ends however active it was. */
export const ADMIN_MAX_HOURS = 12;
export const MIN_PASSWORD_LENGTH = 10;

export function validUsername(username: string): boolean {
  return /^[A-Za-z0-9._@-]{2,64}$/.test(username);
}

export async function countAdminUsers(ctx: AppContext): Promise<number> {
  const rows = await ctx.db.selectFrom('admin_users').select('id').execute();
  return rows.length;
}

export async function createAdminUser(ctx: AppContext, input: { username: string; password: string; role: AdminRole }, by = 'cli'): Promise<AdminUser> {
  if (!validUsername(input.username)) throw new Error(`user name "${input.username}" must be 2–64 letters, digits or . _ @ -`);
  if (input.password.length < MIN_PASSWORD_LENGTH) throw new Error(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (input.role !== 'admin' && input.role !== 'viewer') throw new Error(`role must be admin or viewer, not "${input.role}"`);
  const existing = await ctx.db.selectFrom('admin_users').select('id').where('username', '=', input.username).executeTakeFirst();
  if (existing) throw new Error(`a user named "${input.username}" already exists`);
  const user: AdminUser = { id: ctx.token(12), username: input.username, role: input.role };
  await ctx.db
    .insertInto('admin_users')
    .values({ id: user.id, username: user.username, password_hash: hashSecret(input.password), role: user.role, disabled: 0, created_at: iso(ctx.now()), last_login_at: null })
    .execute();
  await audit(ctx, { username: by }, 'admin-user.create', `user ${user.username}`, `role ${user.role}`);
  return user;
}

/** A readable random password for the first admin (about 120 bits). */
export function generatePassword(ctx: AppContext): string {
  return ctx.token(15).replace(/[-_]/g, 'x');
}

export type LoginResult = { ok: true; user: AdminUser; cookieToken: string; csrfToken: string } | { ok: false; message: string };

export async function login(ctx: AppContext, username: string, password: string): Promise<LoginResult> {
  const row = await ctx.db.selectFrom('admin_users').selectAll().where('username', '=', username).executeTakeFirst();
  // Verify even for an unknown user, so the time taken does not tell which names exist.
  const ok = await verifySecretAsync(password, row?.password_hash ?? null);
  if (!row || !ok || Number(row.disabled) === 1) {
    await audit(ctx, { username: username.slice(0, 64) || '(empty)' }, 'admin.login-failed', 'admin', '');
    return { ok: false, message: 'User name or password not accepted.' };
  }
  const now = ctx.now();
  const cookieToken = ctx.token(32);
  const csrfToken = ctx.token(24);
  await ctx.db
    .insertInto('admin_sessions')
    .values({
      id: digestToken(cookieToken),
      user_id: row.id,
      csrf_token: csrfToken,
      created_at: iso(now),
      last_seen_at: iso(now),
      expires_at: iso(new Date(now.getTime() + ADMIN_MAX_HOURS * 3600_000)),
    })
    .execute();
  await ctx.db.updateTable('admin_users').set({ last_login_at: iso(now) }).where('id', '=', row.id).execute();
  const user: AdminUser = { id: row.id, username: row.username, role: row.role };
  await audit(ctx, user, 'admin.login', 'admin', '');
  return { ok: true, user, cookieToken, csrfToken };
}

export interface AdminSession {
  readonly user: AdminUser;
  readonly csrfToken: string;
  readonly sessionId: string;
}

/** The session behind a cookie token, if it is still valid; touching it extends the idle timeout. */
export async function findAdminSession(ctx: AppContext, cookieToken: string | undefined): Promise<AdminSession | undefined> {
  if (!cookieToken) return undefined;
  const id = digestToken(cookieToken);
  const row = await ctx.db
    .selectFrom('admin_sessions')
    .innerJoin('admin_users', 'admin_users.id', 'admin_sessions.user_id')
    .select(['admin_sessions.id', 'admin_sessions.csrf_token', 'admin_sessions.last_seen_at', 'admin_sessions.expires_at', 'admin_users.id as user_id', 'admin_users.username', 'admin_users.role', 'admin_users.disabled'])
    .where('admin_sessions.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const now = ctx.now();
  const idleLimit = new Date(row.last_seen_at).getTime() + ADMIN_IDLE_MINUTES * 60_000;
  if (Number(row.disabled) === 1 || new Date(row.expires_at).getTime() <= now.getTime() || idleLimit <= now.getTime()) {
    await ctx.db.deleteFrom('admin_sessions').where('id', '=', id).execute();
    return undefined;
  }
  await ctx.db.updateTable('admin_sessions').set({ last_seen_at: iso(now) }).where('id', '=', id).execute();
  return { user: { id: row.user_id, username: row.username, role: row.role }, csrfToken: row.csrf_token, sessionId: id };
}

/** Ends the session behind a cookie token, if there is one (a login replaces the browser's old session). */
export async function endSession(ctx: AppContext, cookieToken: string | undefined): Promise<void> {
  if (!cookieToken) return;
  await ctx.db.deleteFrom('admin_sessions').where('id', '=', digestToken(cookieToken)).execute();
}

export async function logout(ctx: AppContext, session: AdminSession): Promise<void> {
  await ctx.db.deleteFrom('admin_sessions').where('id', '=', session.sessionId).execute();
  await audit(ctx, session.user, 'admin.logout', 'admin', '');
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function csrfMatches(expected: string, submitted: string | undefined | null): boolean {
  if (!submitted) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Records an admin change. `detail` must never contain a secret. */
export async function audit(ctx: AppContext, who: { id?: string; username: string }, action: string, subject: string, detail: string): Promise<void> {
  await ctx.db
    .insertInto('admin_audit')
    .values({ id: ctx.token(12), user_id: who.id ?? null, username: who.username, action, subject, detail, created_at: iso(ctx.now()) })
    .execute();
}
