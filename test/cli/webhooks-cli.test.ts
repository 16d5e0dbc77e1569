/** `koppel webhooks` and `koppel api-keys` as an operator runs them: --help, --json, exit codes 0/1/2, secrets once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';

const BIN = fileURLToPath(new URL('../../bin/koppel.mjs', import.meta.url));
const DATA_DIR = mkdtempSync(join(tmpdir(), 'koppel-webhooks-cli-'));

// A SQLite file of its own even in the PostgreSQL run (the CLI writes where `koppel serve` would).
const env: NodeJS.ProcessEnv = { ...process.env, KOPPEL_DATA_DIR: DATA_DIR, LOG_LEVEL: 'error', KOPPEL_DEMO: '0' };
delete env.DATABASE_URL;
delete env.KOPPEL_SECRET_KEY;

function koppel(args: string[], input?: string): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, timeout: 60_000, ...(input !== undefined ? { input } : {}) });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function json<T = any>(r: { code: number; out: string; err: string }): T {
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as T;
}

function table<T = any>(sqlText: string): T[] {
  const db = new SQLite(join(DATA_DIR, 'koppel.sqlite'), { readonly: true });
  try {
    return db.prepare(sqlText).all() as T[];
  } finally {
    db.close();
  }
}

test('--help for both groups and each command; koppel --help names them', () => {
  assert.match(koppel(['--help']).out, /koppel webhooks COMMAND[\s\S]*koppel api-keys COMMAND/);
  for (const [group, commands] of [
    ['webhooks', ['list', 'add', 'remove', 'rotate-secret']],
    ['api-keys', ['list', 'create', 'revoke']],
  ] as const) {
    assert.equal(koppel([group, '--help']).code, 0);
    for (const c of commands) {
      const r = koppel([group, c, '--help']);
      assert.equal(r.code, 0, `${group} ${c}`);
      assert.match(r.out, new RegExp(`^Usage: koppel ${group} ${c}`));
    }
  }
});

test('usage errors exit 2 and say what is wrong', () => {
  const cases: [string[], RegExp][] = [
    [['webhooks'], /Usage:/],
    [['webhooks', 'frobnicate'], /unknown command "frobnicate"/],
    [['webhooks', 'add'], /missing --url/],
    [['webhooks', 'add', '--url', 'https://x.example/', '--bogus'], /unknown option --bogus/],
    [['webhooks', 'remove'], /which webhook\?/],
    [['api-keys', 'create', '--name', 'x'], /missing --role/],
    [['api-keys', 'create', '--name', 'x', '--role', 'root'], /--role must be admin or viewer/],
    [['api-keys', 'revoke'], /which key\?/],
  ];
  for (const [args, re] of cases) {
    const r = koppel(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(args.length === 1 ? r.out : r.err, re, args.join(' '));
  }
});

test('webhooks: add prints the secret once, list never; refusals and unknown ids exit 1', () => {
  const added = json(koppel(['webhooks', 'add', '--url', 'https://shop.example/events', '--event', 'order.received', '--description', 'ERP', '--json']));
  assert.match(added.secret, /^whsec_/);
  assert.deepEqual(added.webhook.events, ['order.received']);
  const id: string = added.webhook.id;
  const listed = koppel(['webhooks', 'list', '--json']);
  assert.deepEqual(json(listed).map((h: { id: string }) => h.id), [id]);
  assert.ok(!listed.out.includes(added.secret));
  const stored = table<{ secret_sealed: string }>('select secret_sealed from webhooks');
  assert.ok(stored[0]!.secret_sealed.startsWith('v1:') && !stored[0]!.secret_sealed.includes(added.secret));

  const given = koppel(['webhooks', 'add', '--url', 'https://shop.example/b', '--secret-stdin', '--json'], 'a-given-secret-of-some-length\n');
  assert.equal(json(given).secret, undefined, 'a given secret is not printed back');

  const refused = koppel(['webhooks', 'add', '--url', 'ftp://shop.example/', '--event', 'order.shipped']);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /url: must start with http:\/\/ or https:\/\/[\s\S]*events: "order.shipped" is not an event/);

  const rotated = json(koppel(['webhooks', 'rotate-secret', id, '--json']));
  assert.match(rotated.secret, /^whsec_/);
  assert.notEqual(rotated.secret, added.secret);
  assert.equal(koppel(['webhooks', 'remove', id]).code, 0);
  const missing = koppel(['webhooks', 'remove', id]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /there is no webhook/);
  const audit = table<{ action: string; username: string }>("select action, username from admin_audit where action like 'webhook.%' order by created_at");
  assert.deepEqual(audit.map((a) => a.action), ['webhook.create', 'webhook.create', 'webhook.rotate-secret', 'webhook.delete']);
  assert.ok(audit.every((a) => a.username === 'cli'));
});

test('api-keys: create prints the key once, only its hash is stored; revoke; unknown ids exit 1', () => {
  const created = json(koppel(['api-keys', 'create', '--name', 'shop ERP', '--role', 'viewer', '--json']));
  assert.match(created.key, /^kpk_/);
  const rows = table<{ key_hash: string; role: string }>('select key_hash, role from api_keys');
  assert.equal(rows.length, 1);
  assert.match(rows[0]!.key_hash, /^[0-9a-f]{64}$/);
  assert.ok(!JSON.stringify(rows).includes(created.key));
  const list = koppel(['api-keys', 'list']);
  assert.equal(list.code, 0);
  assert.match(list.out, /viewer\s+active\s+never\s+shop ERP/);
  assert.ok(!list.out.includes(created.key));
  assert.equal(koppel(['api-keys', 'revoke', created.apiKey.id]).code, 0);
  assert.match(koppel(['api-keys', 'list']).out, /revoked/);
  const again = json(koppel(['api-keys', 'revoke', created.apiKey.id, '--json']));
  assert.equal(again.alreadyRevoked, true);
  const unknown = koppel(['api-keys', 'revoke', 'ak-none']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /there is no API key "ak-none"/);
});
