/**
 * Connection management in the app layer: validation that names the field, secrets that are
 * only ever stored hashed or sealed, rotation with an overlap (clock injected), audit rows
 * without secrets, the sealing key, and IP allow-list matching.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/app/context.js';
import { getConnection } from '../../src/app/connections.js';
import {
  ConnectionInputError,
  ConnectionNotFoundError,
  addConnection,
  connectionInput,
  connectionSecretMatches,
  connectionSummary,
  hasOutboundSecret,
  openOutboundSecret,
  rotateSecret,
  setConnectionEnabled,
  setOutboundSecret,
  updateConnection,
  validateConnectionFields,
  validateConnectionInput,
  type ConnectionInput,
} from '../../src/app/connection-admin.js';
import { SealedSecretError, SecretKeyMissingError, decodeSecretKey, seal, sealingKey, unseal } from '../../src/app/sealed-secrets.js';
import { ipAllowed, ipEntryProblem } from '../../src/app/ip-allow-list.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

const T0 = new Date('2026-12-03T10:00:00Z');
let clock = T0;
let store: TestStore;
let ctx: AppContext;
const actor = { username: 'tester' };

before(async () => {
  store = await openTestStore();
  // A fixed key: with DATABASE_URL (CI's PostgreSQL run) sealing refuses to work without one.
  const config = { ...loadConfig({ ...process.env, KOPPEL_DATA_DIR: mkdtempSync(join(tmpdir(), 'koppel-ca-')) }), secretKey: randomBytes(32).toString('base64') };
  ctx = createContext({ db: store.db, dialect: store.dialect, config, log: pino({ level: 'silent' }), now: () => clock });
});
after(async () => {
  await store.cleanup();
});

function cxmlInput(id: string, over: Partial<ConnectionInput> = {}): ConnectionInput {
  return {
    id,
    name: `Buyer ${id}`,
    protocol: 'cxml',
    environment: 'test',
    buyerOrg: 'ACME',
    buyerIdentities: [{ domain: 'NetworkID', identity: `AN-${id}` }],
    supplierIdentities: [{ domain: 'NetworkID', identity: 'KOPPEL' }],
    senderIdentities: [{ domain: 'NetworkID', identity: `AN-${id}` }],
    returnUrlPrefixes: ['https://buyer.example/punchout/'],
    allowSapEvent: false,
    ipAllowList: [],
    options: {},
    ...over,
  };
}

function ociInput(id: string, over: Partial<ConnectionInput> = {}): ConnectionInput {
  return { ...cxmlInput(id), protocol: 'oci', buyerIdentities: [], supplierIdentities: [], senderIdentities: [], ociUsername: 'srm-user', ...over };
}

function fields(input: ConnectionInput & { secret?: string }): string[] {
  return validateConnectionFields(input).map((p) => p.field);
}

describe('validation', () => {
  test('a complete input has no problems', () => {
    assert.deepEqual(validateConnectionInput(cxmlInput('ok')), []);
    assert.deepEqual(validateConnectionInput(ociInput('ok-oci', { allowSapEvent: true, returnUrlPrefixes: [] })), [], 'SAPEVENT alone needs no URL prefix');
    assert.deepEqual(
      validateConnectionInput(
        cxmlInput('full', {
          returnUrlPrefixes: ['*', 'http://', 'https://', 'https://*.buyer.example/', 'https://srm.buyer.example:8443/sap/bc/'],
          ipAllowList: ['192.0.2.10', '198.51.100.0/24', '2001:db8::/32', '::ffff:10.0.0.0/104'],
          options: {
            cxml: { version: '1.2.071', formField: 'cXML-urlencoded', shippingAmount: '4.95', taxRatePercent: '19' },
            oci: { charset: 'ISO-8859-1', maxPriceDecimals: 6 },
            unitMap: { EA: 'C62', PK: 'PK' },
            currencyMap: { RON: 'ROL' },
            limits: { maxLines: 500, maxBytes: 0 },
            fieldMapping: { oci: { MATGROUP: { kind: 'attribute', attribute: 'unspsc' } }, cxml: { 'Extrinsic:CostCentre': { kind: 'constant', value: '4711' } } },
          },
        }),
      ),
      [],
    );
  });

  test('every problem names its field', () => {
    const problems = validateConnectionInput(
      cxmlInput('Bad Id', {
        name: ' ',
        buyerIdentities: [],
        senderIdentities: [{ domain: 'NetworkID', identity: '' }],
        returnUrlPrefixes: ['javascript:alert(1)', 'SAPEVENT:ORDER', 'data:text/html,x', 'ftp://x.example/', 'https://user@evil.example/'],
        ipAllowList: ['10.0.0.1/8', '300.1.1.1', 'fe80::/200'],
        options: {
          cxml: { version: '1.2.050', formField: 'cxml-base64' as 'cXML-base64', shippingAmount: '4,95' },
          oci: { charset: 'latin1' as 'UTF-8', maxPriceDecimals: 7 },
          limits: { maxLines: -1 },
          unitMap: { EA: 'PIECE' },
          currencyMap: { eur: 'EUR' },
          colour: 'red',
        } as ConnectionInput['options'],
      }),
    );
    const expect = [
      /^id: "Bad Id" must be 1–63 lower-case letters/,
      /^name: is required/,
      /^buyerIdentities: at least one From identity/,
      /^senderIdentities\[0\]\.identity: the identity is empty/,
      /^returnUrlPrefixes\[0\]: javascript: URLs are never allowed/,
      /^returnUrlPrefixes\[1\]: SAPEVENT: is not a URL prefix; turn on the "allow SAPEVENT" option/,
      /^returnUrlPrefixes\[2\]: data: URLs are never allowed/,
      /^returnUrlPrefixes\[3\]: "ftp:\/\/x.example\/" must start with http:\/\/ or https:\/\//,
      /^returnUrlPrefixes\[4\]: .* carries user information/,
      /^ipAllowList\[0\]: "10.0.0.1\/8" has bits set after the prefix; did you mean 10.0.0.0\/8\?/,
      /^ipAllowList\[1\]: "300.1.1.1" is not an IPv4 or IPv6 address/,
      /^ipAllowList\[2\]: "fe80::\/200" has an invalid prefix length/,
      /^options\.colour: is not a known option/,
      /^options\.oci\.charset: must be one of UTF-8, ISO-8859-1/,
      /^options\.oci\.maxPriceDecimals: must be a whole number from 0 to 6/,
      /^options\.cxml\.version: must be one of 1\.2\.014, 1\.2\.020, 1\.2\.037, 1\.2\.063, 1\.2\.071, not "1\.2\.050"/,
      /^options\.cxml\.formField: must be one of cXML-base64, cXML-urlencoded/,
      /^options\.cxml\.shippingAmount: must be a decimal number written with a dot/,
      /^options\.unitMap\.EA: the buyer's code "PIECE" is not a unit code/,
      /^options\.currencyMap\.eur: our code "eur" is not a three-letter currency code/,
      /^options\.limits\.maxLines: must be a whole number, 0 or more/,
    ];
    for (const re of expect) assert.ok(problems.some((p) => re.test(p)), `expected a problem matching ${re}\n got:\n${problems.join('\n')}`);
  });

  test('OCI needs a user name; cXML identities are not required for OCI; SAPEVENT is OCI-only', () => {
    assert.ok(fields(ociInput('o', { ociUsername: '' })).includes('ociUsername'));
    assert.ok(fields(ociInput('o', { ociUsername: ' srm' })).includes('ociUsername'), 'blanks around a user name would never match');
    assert.ok(fields(cxmlInput('c', { allowSapEvent: true })).includes('allowSapEvent'));
    assert.ok(fields(cxmlInput('c', { returnUrlPrefixes: [] })).includes('returnUrlPrefixes'), 'no return URL at all would refuse every cart');
  });

  test('a given secret must be usable; an empty one means "generate"', () => {
    assert.ok(fields({ ...cxmlInput('s'), secret: 'short' }).includes('secret'));
    assert.ok(fields({ ...cxmlInput('s'), secret: ' padded-secret ' }).includes('secret'));
    assert.deepEqual(fields({ ...cxmlInput('s'), secret: '' }), []);
  });
});

describe('add, update, enable', () => {
  test('add stores only a hash of the generated secret and audits without it', async () => {
    const { connection, secret } = await addConnection(ctx, actor, cxmlInput('acme-test'));
    assert.match(secret, /^[A-Za-z0-9_-]{24,}$/, 'long random base64url');
    const row = await store.db.selectFrom('connections').selectAll().where('id', '=', 'acme-test').executeTakeFirstOrThrow();
    assert.match(row.secret_hash ?? '', /^scrypt\$/);
    assert.ok(!JSON.stringify(row).includes(secret), 'the plain secret is nowhere in the row');
    assert.equal(await connectionSecretMatches(ctx, connection, secret), true);
    assert.equal(await connectionSecretMatches(ctx, connection, secret + 'x'), false);
    const audits = await store.db.selectFrom('admin_audit').selectAll().where('subject', '=', 'connection acme-test').execute();
    assert.equal(audits.length, 1);
    assert.equal(audits[0]!.action, 'connection.create');
    assert.equal(audits[0]!.username, 'tester');
    assert.match(audits[0]!.detail, /cxml, test, buyer organisation "ACME"; secret generated/);
    assert.ok(!JSON.stringify(audits).includes(secret));
    const summary = JSON.stringify(connectionSummary(ctx, connection));
    assert.ok(!summary.includes(secret) && !summary.includes('scrypt'), 'the summary shows neither secret nor hash');
  });

  test('a given secret is used; a second connection with the same id is refused, naming the id', async () => {
    const { secret, connection } = await addConnection(ctx, actor, { ...ociInput('acme-oci'), secret: 'given-password-1' });
    assert.equal(secret, 'given-password-1');
    assert.equal(connection.options.oci.allowSapEvent, false);
    await assert.rejects(addConnection(ctx, actor, ociInput('acme-oci')), (err: unknown) => {
      assert.ok(err instanceof ConnectionInputError);
      assert.deepEqual(err.problems, ['id: a connection "acme-oci" already exists']);
      return true;
    });
    await assert.rejects(addConnection(ctx, actor, cxmlInput('bad', { ipAllowList: ['nope'] })), ConnectionInputError);
    assert.equal(await getConnection(ctx, 'bad'), undefined, 'nothing stored on refusal');
  });

  test('update edits everything but secrets, maps allowSapEvent into the options, and audits the changed fields', async () => {
    const before = (await getConnection(ctx, 'acme-oci'))!;
    const input = connectionInput(before);
    assert.equal(input.allowSapEvent, false);
    const updated = await updateConnection(ctx, actor, 'acme-oci', { ...input, name: 'ACME SRM', allowSapEvent: true, options: { ...input.options, oci: { ...input.options.oci, charset: 'ISO-8859-1' } } });
    assert.equal(updated.name, 'ACME SRM');
    assert.equal(updated.options.oci.allowSapEvent, true);
    assert.equal(updated.options.oci.charset, 'ISO-8859-1');
    assert.equal(connectionInput(updated).allowSapEvent, true);
    assert.equal(updated.secretHash, before.secretHash, 'the secret is untouched');
    const audit = await store.db.selectFrom('admin_audit').selectAll().where('action', '=', 'connection.update').executeTakeFirstOrThrow();
    assert.match(audit.detail, /changed: name, allowSapEvent, options\.oci\.charset, options\.oci\.allowSapEvent/);
    await assert.rejects(updateConnection(ctx, actor, 'acme-oci', { ...input, protocol: 'cxml' }), (err: unknown) => err instanceof ConnectionInputError && err.problems.some((p) => p.startsWith('protocol: cannot be changed')));
    await assert.rejects(updateConnection(ctx, actor, 'acme-oci', { ...input, id: 'other' }), (err: unknown) => err instanceof ConnectionInputError && err.problems.some((p) => p.startsWith('id: cannot be changed')));
    await assert.rejects(updateConnection(ctx, actor, 'nobody', input), ConnectionNotFoundError);
    await assert.rejects(updateConnection(ctx, actor, 'acme-oci', { ...input, priceListId: 'no-such-list' }), (err: unknown) => err instanceof ConnectionInputError && err.problems[0] === 'priceListId: there is no price list "no-such-list"');
  });

  test('disable and enable are audited', async () => {
    assert.equal((await setConnectionEnabled(ctx, actor, 'acme-oci', false)).enabled, false);
    assert.equal((await setConnectionEnabled(ctx, actor, 'acme-oci', true)).enabled, true);
    const actions = (await store.db.selectFrom('admin_audit').select('action').where('subject', '=', 'connection acme-oci').orderBy('created_at').execute()).map((r) => r.action);
    assert.ok(actions.includes('connection.disable') && actions.includes('connection.enable'));
    await assert.rejects(setConnectionEnabled(ctx, actor, 'nobody', false), ConnectionNotFoundError);
  });
});

describe('rotation', () => {
  test('with an overlap, old and new secrets both work until the chosen time, then only the new one', async () => {
    clock = T0;
    const { secret: oldSecret } = await addConnection(ctx, actor, cxmlInput('rot'));
    const until = new Date(T0.getTime() + 3600_000);
    const r = await rotateSecret(ctx, actor, 'rot', { overlapUntil: until });
    assert.equal(r.previousValidUntil, until.toISOString());
    assert.notEqual(r.secret, oldSecret);
    let c = (await getConnection(ctx, 'rot'))!;
    assert.equal(await connectionSecretMatches(ctx, c, oldSecret), true, 'old secret during the overlap');
    assert.equal(await connectionSecretMatches(ctx, c, r.secret), true, 'new secret');
    assert.equal(connectionSummary(ctx, c).previousSecretValidUntil, until.toISOString());
    clock = new Date(until.getTime() - 1);
    assert.equal(await connectionSecretMatches(ctx, c, oldSecret), true, 'one millisecond before the end');
    clock = until;
    assert.equal(await connectionSecretMatches(ctx, c, oldSecret), false, 'old secret after the overlap');
    assert.equal(await connectionSecretMatches(ctx, c, r.secret), true);
    assert.equal(connectionSummary(ctx, c).previousSecretValidUntil, null);

    // Without an overlap the old secret stops at once.
    const r2 = await rotateSecret(ctx, actor, 'rot', { overlapUntil: null, secret: 'a-chosen-secret' });
    assert.equal(r2.previousValidUntil, null);
    c = (await getConnection(ctx, 'rot'))!;
    assert.equal(await connectionSecretMatches(ctx, c, r.secret), false);
    assert.equal(await connectionSecretMatches(ctx, c, 'a-chosen-secret'), true);
    const audits = await store.db.selectFrom('admin_audit').selectAll().where('action', '=', 'connection.rotate-secret').where('subject', '=', 'connection rot').execute();
    assert.equal(audits.length, 2);
    assert.ok(audits.some((a) => a.detail.includes(`previous secret accepted until ${until.toISOString()}`)));
    assert.ok(!JSON.stringify(audits).includes(r.secret) && !JSON.stringify(audits).includes('a-chosen-secret'));
    clock = T0;
  });

  test('an overlap in the past or too long, or the same secret again, is refused', async () => {
    await assert.rejects(rotateSecret(ctx, actor, 'rot', { overlapUntil: new Date(T0.getTime() - 1) }), (e: unknown) => e instanceof ConnectionInputError && /^overlapUntil: must be in the future/.test(e.problems[0]!));
    await assert.rejects(rotateSecret(ctx, actor, 'rot', { overlapUntil: new Date(T0.getTime() + 91 * 86_400_000) }), (e: unknown) => e instanceof ConnectionInputError && /at most 90 days/.test(e.problems[0]!));
    await assert.rejects(rotateSecret(ctx, actor, 'rot', { secret: 'a-chosen-secret' }), (e: unknown) => e instanceof ConnectionInputError && e.problems[0] === 'secret: is the same as the current secret');
    await assert.rejects(rotateSecret(ctx, actor, 'nobody', {}), ConnectionNotFoundError);
  });
});

describe('sealed outbound secret', () => {
  const key = randomBytes(32);

  test('seal and unseal round trip in the versioned format, with a fresh IV each time', () => {
    const sealed = seal(key, 'outbound-Sécret', 'connection:a');
    assert.match(sealed, /^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    assert.ok(!sealed.includes('outbound'));
    assert.notEqual(seal(key, 'outbound-Sécret', 'connection:a'), sealed);
    assert.equal(unseal(key, sealed, 'connection:a'), 'outbound-Sécret');
  });

  test('a changed IV, tag or ciphertext, another key or another context does not open', () => {
    const sealed = seal(key, 'outbound-secret', 'connection:a');
    const parts = sealed.split(':');
    for (const i of [1, 2, 3]) {
      const p = parts[i]!;
      const flipped = (p[0] === 'A' ? 'B' : 'A') + p.slice(1);
      const tampered = parts.map((x, j) => (j === i ? flipped : x)).join(':');
      assert.throws(() => unseal(key, tampered, 'connection:a'), SealedSecretError, `part ${i}`);
    }
    assert.throws(() => unseal(randomBytes(32), sealed, 'connection:a'), SealedSecretError);
    assert.throws(() => unseal(key, sealed, 'connection:b'), SealedSecretError);
    assert.throws(() => unseal(key, 'v2:' + parts.slice(1).join(':'), 'connection:a'), /format v1/);
    assert.throws(() => unseal(key, 'plain text', 'connection:a'), SealedSecretError);
  });

  test('setOutboundSecret seals it in the row; only openOutboundSecret gives it back; a copy in another row does not open', async () => {
    await setOutboundSecret(ctx, actor, 'acme-test', 'our-outbound-secret');
    const c = (await getConnection(ctx, 'acme-test'))!;
    assert.equal(hasOutboundSecret(c), true);
    assert.match(c.outboundSecretSealed!, /^v1:/);
    const row = await store.db.selectFrom('connections').selectAll().where('id', '=', 'acme-test').executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes('our-outbound-secret'));
    assert.equal(openOutboundSecret(ctx, c), 'our-outbound-secret');
    assert.equal(connectionSummary(ctx, c).outboundSecret, 'set');
    const other = (await getConnection(ctx, 'rot'))!;
    assert.equal(hasOutboundSecret(other), false);
    assert.equal(openOutboundSecret(ctx, other), undefined);
    assert.throws(() => openOutboundSecret(ctx, { ...other, outboundSecretSealed: c.outboundSecretSealed }), SealedSecretError, 'bound to its connection');
    const audit = await store.db.selectFrom('admin_audit').selectAll().where('action', '=', 'connection.set-outbound-secret').executeTakeFirstOrThrow();
    assert.equal(audit.detail, '');
  });

  test('without KOPPEL_SECRET_KEY: a key file with mode 0600 is created once, with one warning', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'koppel-key-')), 'data');
    const warnings: unknown[] = [];
    const log = { warn: (...args: unknown[]) => void warnings.push(args) };
    const k1 = sealingKey({ dataDir: dir }, log as never);
    const file = join(dir, 'secret.key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(decodeSecretKey(readFileSync(file, 'utf8')).equals(k1), true);
    const k2 = sealingKey({ dataDir: dir }, log as never);
    assert.ok(k1.equals(k2));
    assert.equal(warnings.length, 1);
    assert.match(JSON.stringify(warnings[0]), /production should set KOPPEL_SECRET_KEY/i);
  });

  test('with DATABASE_URL and no key, sealing is refused with a message saying to set KOPPEL_SECRET_KEY', () => {
    assert.throws(() => sealingKey({ dataDir: '/nonexistent', databaseUrl: 'postgres://x@127.0.0.1/y' }), (err: unknown) => err instanceof SecretKeyMissingError && /set KOPPEL_SECRET_KEY/.test(err.message));
  });

  test('KOPPEL_SECRET_KEY is read as hex or base64; a wrong one stops the configuration without echoing it', () => {
    const raw = randomBytes(32);
    assert.ok(decodeSecretKey(raw.toString('hex')).equals(raw));
    assert.ok(decodeSecretKey(raw.toString('base64')).equals(raw));
    assert.ok(decodeSecretKey(raw.toString('base64url')).equals(raw));
    assert.equal(loadConfig({ KOPPEL_SECRET_KEY: raw.toString('hex') }).secretKey, raw.toString('hex'));
    assert.throws(
      () => loadConfig({ KOPPEL_SECRET_KEY: 'too-short-key-value' }),
      (err: unknown) => /KOPPEL_SECRET_KEY must be 32 random bytes/.test((err as Error).message) && !(err as Error).message.includes('too-short-key-value'),
    );
  });
});

describe('IP allow-list', () => {
  test('IPv4, IPv6, CIDR and IPv4-mapped IPv6', () => {
    assert.equal(ipAllowed([], '203.0.113.9'), true, 'empty list: anyone');
    assert.equal(ipAllowed(['203.0.113.9'], undefined), false, 'a list and no known address: refused');
    assert.equal(ipAllowed(['127.0.0.1'], '127.0.0.1'), true);
    assert.equal(ipAllowed(['127.0.0.1'], '::ffff:127.0.0.1'), true, 'IPv4-mapped from a dual-stack socket');
    assert.equal(ipAllowed(['::ffff:127.0.0.1'], '127.0.0.1'), true);
    assert.equal(ipAllowed(['10.0.0.0/8'], '10.255.1.2'), true);
    assert.equal(ipAllowed(['10.0.0.0/8'], '11.0.0.1'), false);
    assert.equal(ipAllowed(['192.0.2.128/25'], '192.0.2.127'), false);
    assert.equal(ipAllowed(['192.0.2.128/25'], '192.0.2.200'), true);
    assert.equal(ipAllowed(['0.0.0.0/0'], '8.8.8.8'), true);
    assert.equal(ipAllowed(['2001:db8::/32'], '2001:db8:ffff::1'), true);
    assert.equal(ipAllowed(['2001:db8::/32'], '2001:db9::1'), false);
    assert.equal(ipAllowed(['::1'], '::1'), true);
    assert.equal(ipAllowed(['fe80::/10'], 'fe80::1%eth0'), true, 'zone index ignored');
    assert.equal(ipAllowed(['::ffff:10.0.0.0/104'], '10.1.2.3'), true);
    assert.equal(ipAllowed(['10.0.0.0/8'], '::1'), false, 'families do not mix');
    assert.equal(ipAllowed(['10.0.0.0/8'], 'not-an-ip'), false);
    assert.equal(ipAllowed(['garbage', '127.0.0.1'], '127.0.0.1'), true, 'a bad entry matches nothing but does not break the rest');
  });

  test('entries are read strictly', () => {
    for (const ok of ['1.2.3.4', '1.2.3.0/24', '::', '::/0', '2001:db8:0:0:0:0:0:1', '2001:db8::1.2.3.4', '::ffff:1.2.3.4']) assert.equal(ipEntryProblem(ok), undefined, ok);
    for (const bad of ['', '1.2.3', '01.2.3.4', '1.2.3.4/33', '1.2.3.4/', '1::2::3', '12345::', 'localhost', '1.2.3.4/24', '2001:db8::1/32', '::ffff:10.0.0.0/90']) {
      assert.ok(ipEntryProblem(bad), `"${bad}" should be refused`);
    }
    assert.match(ipEntryProblem('2001:db8::1/32')!, /did you mean 2001:db8::\/32\?/);
  });
});
