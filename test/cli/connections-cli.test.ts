/** `koppel connections` as an operator runs it: --json for scripts, --help everywhere, exit codes 0/1/2. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';

const BIN = fileURLToPath(new URL('../../bin/koppel.mjs', import.meta.url));
const DATA_DIR = mkdtempSync(join(tmpdir(), 'koppel-conn-cli-'));

// The CLI opens the same store as `koppel serve`: with DATABASE_URL set (CI's PostgreSQL run) it
// would write into that shared database. These tests use a SQLite file in a temporary folder.
const env: NodeJS.ProcessEnv = { ...process.env, KOPPEL_DATA_DIR: DATA_DIR, LOG_LEVEL: 'warn' };
delete env.DATABASE_URL;
delete env.KOPPEL_SECRET_KEY;

function koppel(args: string[], input?: string): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, 'connections', ...args], { encoding: 'utf8', env, timeout: 60_000, ...(input !== undefined ? { input } : {}) });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function json<T = any>(r: { code: number; out: string; err: string }): T {
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as T;
}

test('--help for the group and each command', () => {
  const group = koppel(['--help']);
  assert.equal(group.code, 0);
  for (const c of ['list', 'add', 'show ID', 'rotate-secret ID', 'disable ID', 'enable ID']) assert.ok(group.out.includes(c), c);
  for (const c of ['list', 'add', 'show', 'rotate-secret', 'disable', 'enable']) {
    const r = koppel([c, '--help']);
    assert.equal(r.code, 0, c);
    assert.match(r.out, new RegExp(`^Usage: koppel connections ${c}`), c);
  }
  assert.match(koppel(['add', '--help']).out, /--from DOMAIN\/ID[\s\S]*--return-url PREFIX[\s\S]*--secret S/);
});

test('usage errors exit 2 and say what is wrong', () => {
  const none = koppel([]);
  assert.equal(none.code, 2);
  assert.match(none.out, /Usage:/);
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['add', '--id', 'x', '--name', 'X'], /missing --protocol/],
    [['add', '--id', 'x', '--name', 'X', '--protocol', 'edi'], /--protocol must be oci or cxml/],
    [['add', '--id', 'x', '--name', 'X', '--protocol', 'cxml', '--from', 'no-slash'], /--from must be DOMAIN\/ID/],
    [['add', '--bogus'], /unknown option --bogus/],
    [['show'], /which connection\?/],
    [['show', 'a', 'b'], /unexpected argument "b"/],
    [['rotate-secret', 'x', '--overlap-hours', 'soon'], /--overlap-hours must be a number/],
    [['list', '--json=yes'], /--json takes no value/],
  ];
  for (const [args, re] of cases) {
    const r = koppel(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, re, args.join(' '));
  }
});

let cxmlSecret = '';

test('add (cXML) with --json prints the generated secret once; list and show never print it or its hash', () => {
  const added = json(
    koppel(['add', '--json', '--id', 'acme-ariba', '--name', 'ACME (Ariba)', '--protocol', 'cxml', '--environment', 'test', '--buyer-org', 'ACME',
      '--from', 'NetworkID/AN01000000001', '--from', 'DUNS/123456789', '--to', 'NetworkID/AN02000000002', '--sender', 'NetworkID/AN01000000001',
      '--return-url', 'https://s1.ariba.com/', '--ip', '192.0.2.0/24', '--cxml-version', '1.2.071', '--form-field', 'cXML-urlencoded']),
  );
  cxmlSecret = added.secret;
  assert.match(cxmlSecret, /^[A-Za-z0-9_-]{24,}$/);
  assert.equal(added.connection.id, 'acme-ariba');
  assert.equal(added.connection.environment, 'test');
  assert.equal(added.connection.secret, 'set');
  assert.deepEqual(added.connection.buyerIdentities, [{ domain: 'NetworkID', identity: 'AN01000000001' }, { domain: 'DUNS', identity: '123456789' }]);
  assert.equal(added.connection.options.cxml.version, '1.2.071');
  assert.equal(added.connection.options.cxml.formField, 'cXML-urlencoded');
  assert.deepEqual(added.connection.ipAllowList, ['192.0.2.0/24']);

  const listed = json<any[]>(koppel(['list', '--json']));
  assert.deepEqual(listed.map((c) => c.id), ['acme-ariba']);
  const shown = koppel(['show', 'acme-ariba']);
  assert.equal(shown.code, 0);
  assert.match(shown.out, /secret\s+set/);
  assert.match(shown.out, /outbound secret\s+not set/);
  for (const r of [shown, koppel(['show', 'acme-ariba', '--json']), koppel(['list']), koppel(['list', '--json'])]) {
    assert.ok(!r.out.includes(cxmlSecret), 'no secret');
    assert.ok(!r.out.includes('scrypt'), 'no hash');
  }
});

test('add (OCI) with a secret from stdin does not print it; a refused add exits 1 naming the fields', () => {
  const r = koppel(['add', '--id', 'acme-srm', '--name', 'ACME SRM', '--protocol', 'oci', '--username', 'SRM_ACME', '--return-url', 'https://srm.acme.example/', '--sap-event', '--charset', 'ISO-8859-1', '--secret-stdin'], 'typed-in-password\n');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Created oci connection "acme-srm"/);
  assert.match(r.out, /\/punchout\/oci\/acme-srm/);
  assert.ok(!r.out.includes('typed-in-password'));
  const shown = json(koppel(['show', 'acme-srm', '--json']));
  assert.equal(shown.allowSapEvent, true);
  assert.equal(shown.options.oci.charset, 'ISO-8859-1');
  assert.equal(shown.ociUsername, 'SRM_ACME');

  const bad = koppel(['add', '--id', 'acme-srm', '--name', 'Again', '--protocol', 'oci', '--return-url', 'javascript:alert(1)', '--ip', '10.1.1.1/8']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /ociUsername: is required/);
  assert.match(bad.err, /returnUrlPrefixes\[0\]: javascript: URLs are never allowed/);
  assert.match(bad.err, /ipAllowList\[0\]: .*did you mean 10\.0\.0\.0\/8\?/);
  const dup = koppel(['add', '--id', 'acme-srm', '--name', 'Again', '--protocol', 'oci', '--username', 'u', '--return-url', 'https://x.example/']);
  assert.equal(dup.code, 1);
  assert.match(dup.err, /id: a connection "acme-srm" already exists/);
});

test('rotate-secret prints the new secret once; with --overlap-hours the old one stays valid until a shown time', () => {
  const r = json(koppel(['rotate-secret', 'acme-ariba', '--overlap-hours', '48', '--json']));
  assert.match(r.secret, /^[A-Za-z0-9_-]{24,}$/);
  assert.notEqual(r.secret, cxmlSecret);
  const until = Date.parse(r.previousValidUntil);
  assert.ok(until > Date.now() + 47 * 3600_000 && until < Date.now() + 49 * 3600_000);
  const shown = koppel(['show', 'acme-ariba']);
  assert.match(shown.out, new RegExp(`previous secret is accepted until ${r.previousValidUntil.replace(/\./g, '\\.')}`));
  assert.ok(!shown.out.includes(r.secret));

  const now = koppel(['rotate-secret', 'acme-ariba']);
  assert.equal(now.code, 0);
  assert.match(now.out, /New secret \(shown only now\): [A-Za-z0-9_-]{24,}/);
  assert.match(now.out, /previous secret no longer works/);
  assert.equal(json(koppel(['show', 'acme-ariba', '--json'])).previousSecretValidUntil, null);
  assert.equal(koppel(['rotate-secret', 'acme-ariba', '--secret', 'short']).code, 1);
});

test('disable and enable; an unknown id exits 1', () => {
  assert.equal(json(koppel(['disable', 'acme-ariba', '--json'])).enabled, false);
  assert.match(koppel(['list']).out, /acme-ariba\s+cxml\s+test\s+disabled/);
  const on = koppel(['enable', 'acme-ariba']);
  assert.equal(on.code, 0);
  assert.match(on.out, /is enabled/);
  for (const args of [['show', 'nope'], ['disable', 'nope'], ['enable', 'nope'], ['rotate-secret', 'nope']]) {
    const r = koppel(args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.err, /there is no connection "nope"/);
  }
});

test('every change is in the audit trail as "cli" without a secret; no table holds a plain secret', () => {
  const db = new SQLite(join(DATA_DIR, 'koppel.sqlite'), { readonly: true });
  try {
    const audits = db.prepare('select username, action, subject, detail from admin_audit order by created_at').all() as { username: string; action: string }[];
    assert.ok(audits.length >= 6);
    assert.ok(audits.every((a) => a.username === 'cli'));
    for (const action of ['connection.create', 'connection.rotate-secret', 'connection.disable', 'connection.enable']) assert.ok(audits.some((a) => a.action === action), action);
    const everything = JSON.stringify([audits, db.prepare('select * from connections').all(), db.prepare('select * from documents').all()]);
    assert.ok(!everything.includes(cxmlSecret));
    assert.ok(!everything.includes('typed-in-password'));
  } finally {
    db.close();
  }
});
