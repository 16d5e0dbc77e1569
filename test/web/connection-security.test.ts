/**
 * The gateway enforces what the admin sets, over real HTTP: rotation overlap for the cXML
 * SharedSecret and the OCI password, the IP allow-list (cXML 403 / OCI 403 page, both in the
 * document log), disabled connections — and no secret ever shows up again after it was handed
 * out: not in the document log, the audit trail, the connection row or the request log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { startTestApp } from '../helpers/app.js';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type KoppelConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/app/context.js';
import { buildServer, redactUrlForLog } from '../../src/web/server.js';
import { addConnection, connectionInput, rotateSecret, setConnectionEnabled, setOutboundSecret, updateConnection } from '../../src/app/connection-admin.js';
import { createConnection, getConnection } from '../../src/app/connections.js';
import { openTestStore, type TestStore } from '../helpers/store.js';
import { postCxml, testPayloadId } from '../helpers/cxml.js';

let clock = new Date('2026-12-03T10:00:00Z');
const logLines: string[] = [];
let store: TestStore;
let ctx: AppContext;
let app: FastifyInstance;
let baseUrl: string;
const admin = { username: 'security-test' };

before(async () => {
  store = await openTestStore();
  // The test client plays the reverse proxy, so loopback is the trusted proxy here.
  const config: KoppelConfig = { ...loadConfig({ ...process.env, PORT: '0', KOPPEL_DATA_DIR: '/nonexistent' }), secretKey: randomBytes(32).toString('hex'), trustProxy: '127.0.0.1' };
  // The same request serializer as `koppel serve`, writing every line into an array we can scan.
  const log = pino(
    { level: 'trace', serializers: { req: (req: { method?: string; url?: string; ip?: string }) => ({ method: req.method, url: redactUrlForLog(req.url ?? ''), remoteAddress: req.ip }) } },
    { write: (line: string) => void logLines.push(line) },
  );
  ctx = createContext({ db: store.db, dialect: store.dialect, config, log, now: () => clock });
  app = await buildServer(ctx, { log: true });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  (config as { baseUrl: string }).baseUrl = baseUrl;
});
after(async () => {
  await app.close();
  await store.cleanup();
});

const secrets: string[] = [];

async function addCxml(id: string, ipAllowList: string[] = []): Promise<string> {
  const { secret } = await addConnection(ctx, admin, {
    id,
    name: `Buyer ${id}`,
    protocol: 'cxml',
    environment: 'production',
    buyerOrg: 'Security test',
    buyerIdentities: [{ domain: 'NetworkID', identity: `FROM-${id}` }],
    supplierIdentities: [{ domain: 'NetworkID', identity: 'KOPPEL-SEC' }],
    senderIdentities: [{ domain: 'NetworkID', identity: `SENDER-${id}` }],
    returnUrlPrefixes: ['https://buyer.example/'],
    allowSapEvent: false,
    ipAllowList,
    options: {},
  });
  secrets.push(secret);
  return secret;
}

async function addOci(id: string, ipAllowList: string[] = []): Promise<string> {
  const { secret } = await addConnection(ctx, admin, {
    id,
    name: `OCI buyer ${id}`,
    protocol: 'oci',
    environment: 'test',
    buyerOrg: 'Security test',
    buyerIdentities: [],
    supplierIdentities: [],
    senderIdentities: [],
    ociUsername: `user-${id}`,
    returnUrlPrefixes: ['https://srm.buyer.example/'],
    allowSapEvent: false,
    ipAllowList,
    options: {},
  });
  secrets.push(secret);
  return secret;
}

function profileXml(id: string, secret: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="${testPayloadId()}" timestamp="2026-12-03T10:00:00+01:00"><Header>
<From><Credential domain="NetworkID"><Identity>FROM-${id}</Identity></Credential></From>
<To><Credential domain="NetworkID"><Identity>KOPPEL-SEC</Identity></Credential></To>
<Sender><Credential domain="NetworkID"><Identity>SENDER-${id}</Identity><SharedSecret>${secret}</SharedSecret></Credential><UserAgent>test</UserAgent></Sender>
</Header><Request><ProfileRequest/></Request></cXML>`;
}

async function profile(id: string, secret: string, headers: Record<string, string> = {}) {
  if (Object.keys(headers).length === 0) return postCxml(baseUrl, profileXml(id, secret));
  const res = await fetch(`${baseUrl}/cxml`, { method: 'POST', headers: { 'content-type': 'text/xml', ...headers }, body: profileXml(id, secret) });
  const text = await res.text();
  return { http: res.status, text, status: { code: Number(/<Status code="(\d+)"/.exec(text)?.[1]), detail: /<Status[^>]*>([^<]*)</.exec(text)?.[1] } };
}

async function ociLogin(id: string, password: string, method: 'GET' | 'POST' = 'POST'): Promise<Response> {
  const fields = new URLSearchParams({ USERNAME: `user-${id}`, PASSWORD: password, HOOK_URL: 'https://srm.buyer.example/sap/bc/gui/return?x=1' }).toString();
  if (method === 'GET') return fetch(`${baseUrl}/punchout/oci/${id}?${fields}`, { redirect: 'manual' });
  return fetch(`${baseUrl}/punchout/oci/${id}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields });
}

async function lastDocument(connectionId: string) {
  return store.db.selectFrom('documents').selectAll().where('connection_id', '=', connectionId).where('direction', '=', 'in').orderBy('seq', 'desc').executeTakeFirstOrThrow();
}

describe('secret rotation with overlap', () => {
  test('cXML: old and new SharedSecret both work until the overlap ends, then only the new one', async () => {
    const oldSecret = await addCxml('rot-cxml');
    assert.equal((await profile('rot-cxml', oldSecret)).status.code, 200);
    const { secret: newSecret } = await rotateSecret(ctx, admin, 'rot-cxml', { overlapUntil: new Date(clock.getTime() + 3600_000) });
    secrets.push(newSecret);
    assert.equal((await profile('rot-cxml', oldSecret)).status.code, 200, 'old secret during the overlap');
    assert.equal((await profile('rot-cxml', newSecret)).status.code, 200, 'new secret');
    clock = new Date(clock.getTime() + 2 * 3600_000);
    const late = await profile('rot-cxml', oldSecret);
    assert.equal(late.status.code, 401, 'old secret after the overlap');
    assert.match(late.status.detail ?? '', /SharedSecret was not accepted/);
    assert.equal((await profile('rot-cxml', newSecret)).status.code, 200);
  });

  test('OCI: old and new password both log in until the overlap ends', async () => {
    const oldPassword = await addOci('rot-oci');
    assert.equal((await ociLogin('rot-oci', oldPassword)).status, 303);
    const { secret: newPassword } = await rotateSecret(ctx, admin, 'rot-oci', { overlapUntil: new Date(clock.getTime() + 600_000) });
    secrets.push(newPassword);
    assert.equal((await ociLogin('rot-oci', oldPassword)).status, 303, 'old password during the overlap');
    assert.equal((await ociLogin('rot-oci', newPassword, 'GET')).status, 303, 'new password (GET)');
    clock = new Date(clock.getTime() + 601_000);
    const late = await ociLogin('rot-oci', oldPassword, 'GET');
    assert.equal(late.status, 401);
    assert.match(await late.text(), /not accepted/);
    assert.equal((await ociLogin('rot-oci', newPassword)).status, 303);
  });
});

describe('IP allow-list', () => {
  test('cXML: a connection limited to other addresses answers 403 naming 127.0.0.1, logged; listing it lets the request in', async () => {
    const secret = await addCxml('ip-cxml', ['10.0.0.0/8']);
    const refused = await profile('ip-cxml', secret);
    assert.equal(refused.http, 200, 'a full cXML answer');
    assert.equal(refused.status.code, 403);
    assert.match(refused.status.detail ?? '', /"Buyer ip-cxml" is not allowed from 127\.0\.0\.1/);
    const doc = await lastDocument('ip-cxml');
    assert.equal(doc.status, '403');
    assert.match(doc.detail, /not allowed from 127\.0\.0\.1/);
    // Even the right secret is not looked at from outside the list: a wrong one gets the same 403.
    assert.equal((await profile('ip-cxml', 'wrong-secret-xyz')).status.code, 403);

    const c = (await getConnection(ctx, 'ip-cxml'))!;
    await updateConnection(ctx, admin, 'ip-cxml', { ...connectionInput(c), ipAllowList: ['10.0.0.0/8', '127.0.0.1'] });
    assert.equal((await profile('ip-cxml', secret)).status.code, 200);
  });

  test('behind a proxy the client address comes from X-Forwarded-For', async () => {
    const secret = await addCxml('ip-proxy', ['192.0.2.0/24']);
    assert.equal((await profile('ip-proxy', secret)).status.code, 403);
    assert.equal((await profile('ip-proxy', secret, { 'x-forwarded-for': '192.0.2.77' })).status.code, 200);
    const other = await profile('ip-proxy', secret, { 'x-forwarded-for': '198.51.100.1' });
    assert.equal(other.status.code, 403);
    assert.match(other.status.detail ?? '', /not allowed from 198\.51\.100\.1/);
  });

  test('without a trusted proxy, X-Forwarded-For is ignored: a caller cannot claim an allowed address', async () => {
    const plain = await startTestApp();
    try {
      await createConnection(plain.ctx, {
        id: 'ip-spoof',
        name: 'Spoof target',
        protocol: 'cxml',
        buyerIdentities: [{ domain: 'NetworkID', identity: 'FROM-ip-spoof' }],
        supplierIdentities: [{ domain: 'NetworkID', identity: 'KOPPEL-SEC' }],
        senderIdentities: [{ domain: 'NetworkID', identity: 'SENDER-ip-spoof' }],
        secret: 'spoof-secret-123',
        returnUrlPrefixes: ['https://buyer.example/'],
        ipAllowList: ['192.0.2.0/24'],
      });
      const res = await fetch(`${plain.baseUrl}/cxml`, { method: 'POST', headers: { 'content-type': 'text/xml', 'x-forwarded-for': '192.0.2.77' }, body: profileXml('ip-spoof', 'spoof-secret-123') });
      const text = await res.text();
      assert.match(text, /<Status code="403"/);
      assert.match(text, /not allowed from 127\.0\.0\.1/);
    } finally {
      await plain.close();
    }
  });

  test('OCI: refused with a 403 page before the password is checked, logged; allowed when listed', async () => {
    const password = await addOci('ip-oci', ['2001:db8::/32']);
    const res = await ociLogin('ip-oci', password);
    assert.equal(res.status, 403);
    const page = await res.text();
    assert.match(page, /not allowed from 127\.0\.0\.1/);
    assert.match(page, /IP allow-list/);
    const doc = await lastDocument('ip-oci');
    assert.equal(doc.status, '403');
    assert.match(doc.detail, /not allowed from 127\.0\.0\.1/);
    const c = (await getConnection(ctx, 'ip-oci'))!;
    await updateConnection(ctx, admin, 'ip-oci', { ...connectionInput(c), ipAllowList: ['127.0.0.0/8'] });
    assert.equal((await ociLogin('ip-oci', password)).status, 303);
  });
});

describe('disabled connections', () => {
  test('cXML 403 naming the connection; OCI 403 page; enabled again they work', async () => {
    const secret = await addCxml('off-cxml');
    const password = await addOci('off-oci');
    await setConnectionEnabled(ctx, admin, 'off-cxml', false);
    await setConnectionEnabled(ctx, admin, 'off-oci', false);
    const cx = await profile('off-cxml', secret);
    assert.equal(cx.status.code, 403);
    assert.match(cx.status.detail ?? '', /"Buyer off-cxml" is disabled/);
    const oci = await ociLogin('off-oci', password);
    assert.equal(oci.status, 403);
    assert.match(await oci.text(), /OCI buyer off-oci.*switched off/);
    await setConnectionEnabled(ctx, admin, 'off-cxml', true);
    await setConnectionEnabled(ctx, admin, 'off-oci', true);
    assert.equal((await profile('off-cxml', secret)).status.code, 200);
    assert.equal((await ociLogin('off-oci', password)).status, 303);
  });
});

test('a secret is never shown or logged after creation', async () => {
  // More traffic with every kind of secret: wrong and right, GET and POST, plus an outbound secret.
  const secret = await addCxml('leak-cxml');
  const password = await addOci('leak-oci');
  const { secret: rotated } = await rotateSecret(ctx, admin, 'leak-cxml', { overlapUntil: new Date(clock.getTime() + 60_000) });
  secrets.push(rotated);
  const outbound = `outbound-${randomBytes(12).toString('base64url')}`;
  secrets.push(outbound);
  await setOutboundSecret(ctx, admin, 'leak-cxml', outbound);
  await profile('leak-cxml', secret);
  await profile('leak-cxml', rotated);
  await profile('leak-cxml', `${rotated}-wrong`);
  await ociLogin('leak-oci', password, 'GET');
  await ociLogin('leak-oci', password, 'POST');
  await ociLogin('leak-oci', `${password}-wrong`, 'GET');

  assert.ok(secrets.length >= 12);
  assert.ok(logLines.length > 10, 'the request log was captured');
  assert.ok(logLines.some((l) => l.includes('/punchout/oci/leak-oci?') && l.includes('PASSWORD=[redacted]')), 'OCI GET requests are in the log, redacted');
  const places: Record<string, string> = {
    documents: JSON.stringify(await store.db.selectFrom('documents').selectAll().execute()),
    admin_audit: JSON.stringify(await store.db.selectFrom('admin_audit').selectAll().execute()),
    connections: JSON.stringify(await store.db.selectFrom('connections').selectAll().execute()),
    punchout_sessions: JSON.stringify(await store.db.selectFrom('punchout_sessions').selectAll().execute()),
    log: logLines.join('\n'),
  };
  for (const s of secrets) {
    for (const [where, text] of Object.entries(places)) assert.ok(!text.includes(s), `a secret (${s.length} characters) appears in ${where}`);
  }
});

describe('failed logins are throttled per address', () => {
  test('after 30 wrong secrets even the right one waits, without any hash being computed; other addresses are not affected', async () => {
    const t2 = await startTestApp();
    try {
      const doc = (secret: string) => profileXmlDemo(secret);
      for (let i = 0; i < 30; i++) {
        const r = await postCxml(t2.baseUrl, doc(`wrong-${i}`));
        assert.equal(r.status.code, 401);
      }
      const blocked = await postCxml(t2.baseUrl, doc('demo-secret'));
      assert.equal(blocked.status.code, 403);
      assert.match(blocked.status.detail ?? '', /Too many failed authentications from 127\.0\.0\.1/);
      // OCI counts separately: the demo OCI login still works from the same address.
      const oci = await fetch(`${t2.baseUrl}/punchout/oci/demo-oci?USERNAME=demo&PASSWORD=demo&HOOK_URL=https://x.example/r`, { redirect: 'manual' });
      assert.equal(oci.status, 303);
    } finally {
      await t2.close();
    }
  });

  test('OCI: 30 wrong passwords, then a 429 page that says how long to wait', async () => {
    const t2 = await startTestApp();
    try {
      for (let i = 0; i < 30; i++) {
        const r = await fetch(`${t2.baseUrl}/punchout/oci/demo-oci?USERNAME=demo&PASSWORD=nope${i}&HOOK_URL=https://x.example/r`);
        assert.equal(r.status, 401);
      }
      const r = await fetch(`${t2.baseUrl}/punchout/oci/demo-oci?USERNAME=demo&PASSWORD=demo&HOOK_URL=https://x.example/r`);
      assert.equal(r.status, 429);
      assert.match(await r.text(), /Wait \d+ minute/);
    } finally {
      await t2.close();
    }
  });
});

function profileXmlDemo(secret: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="${testPayloadId()}" timestamp="2026-12-03T10:00:00+01:00"><Header>
<From><Credential domain="NetworkID"><Identity>DEMO-BUYER</Identity></Credential></From>
<To><Credential domain="NetworkID"><Identity>KOPPEL-DEMO</Identity></Credential></To>
<Sender><Credential domain="NetworkID"><Identity>DEMO-BUYER</Identity><SharedSecret>${secret}</SharedSecret></Credential><UserAgent>test</UserAgent></Sender>
</Header><Request><ProfileRequest/></Request></cXML>`;
}
