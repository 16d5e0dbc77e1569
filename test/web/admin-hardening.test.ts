/**
 * Attacks on the admin that once got through, each kept as a test (over real HTTP):
 *
 *   - login throttling: a burst of parallel wrong passwords is held to the same budget as
 *     one-by-one guesses;
 *   - the page after login: `next` stays inside /admin however it is written (dot segments, encoded
 *     dots), and a character a header cannot carry does not turn a good login into a 500;
 *   - a login replaces the session the browser had: the cookie sent with the login form stops
 *     working (a planted or left-over session does not live on next to the new one);
 *   - list fields of a connection have bounds: return URL prefixes, the sites that may frame the
 *     shop (they become a response header of every storefront page) and the IP allow-list (read
 *     on every request of the buyer) cannot be made endless by a paste or a forged form;
 *   - names and identities a person reads in the admin carry no invisible or text-direction
 *     characters (U+202E shows "ACME‮lanif" as "ACMEfinal", U+200B makes two identities look the same);
 *   - resend reads the address only from the delivery record Koppel wrote (`posted to <url>` at the
 *     start of the detail, http or https): text before it that merely mentions "posted to" (a
 *     buyer's order number, an answer) never chooses where a document — with the connection's
 *     outbound secret put back — is posted;
 *   - a document that is not well-formed never shows a SharedSecret in the log: one redacted
 *     element does not make the rest of a broken document safe to keep;
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createAdminUser } from '../../src/app/admin-users.js';
import { logDocument } from '../../src/app/document-log.js';
import { deliveryOf, postedToDetail } from '../../src/app/document-replay.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { adminLogin, hiddenValue, type AdminClient } from '../helpers/admin.js';

/** The login form's CSRF cookie and token, as a browser would have them. */
async function loginForm(t: TestApp): Promise<{ cookie: string; token: string }> {
  const res = await fetch(`${t.baseUrl}/admin/login`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('koppel_login='))!.split(';')[0]!;
  return { cookie, token: hiddenValue(await res.text(), '_csrf') };
}

function sessionCookie(res: Response): string {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('koppel_admin='));
  assert.ok(line, 'a session cookie is set');
  return line.split(';')[0]!;
}

async function postLogin(t: TestApp, form: { cookie: string; token: string }, fields: Record<string, string>, cookie = ''): Promise<Response> {
  return fetch(`${t.baseUrl}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [form.cookie, cookie].filter(Boolean).join('; ') },
    body: new URLSearchParams({ _csrf: form.token, ...fields }).toString(),
  });
}

describe('login throttling', () => {
  // Its own server: the budget of failed logins is per client address, and this uses it up.
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ demo: false });
    await createAdminUser(t.ctx, { username: 'victim', password: 'the-right-password', role: 'admin' }, 'test');
  });
  after(async () => {
    await t.close();
  });

  test('parallel wrong passwords get no more tries than sequential ones', async () => {
    const form = await loginForm(t);
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => postLogin(t, form, { username: 'victim', password: `guess-${i}` }).then((r) => r.status)));
    const tried = statuses.filter((s) => s === 401).length;
    assert.ok(tried <= 10, `${tried} of 40 parallel guesses were checked (at most 10 may be)`);
    assert.equal(statuses.filter((s) => s === 429).length, 40 - tried);
    // The budget is spent: even the right password waits now.
    assert.equal((await postLogin(t, form, { username: 'victim', password: 'the-right-password' })).status, 429);
  });
});

/** The OCI connection form with everything valid; tests change one field. */
function ociForm(id: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    protocol: 'oci',
    id,
    name: `Hardening ${id}`,
    buyerOrg: 'Hardening AG',
    environment: 'test',
    ociUsername: `user-${id}`,
    returnUrlPrefixes: 'https://srm.hardening.example/',
    ipAllowList: '',
    frameAncestors: '',
    oci_charset: 'UTF-8',
    oci_usernameField: 'USERNAME',
    oci_passwordField: 'PASSWORD',
    oci_hookUrlField: 'HOOK_URL',
    oci_priceUnitMode: 'price-unit',
    oci_maxPriceDecimals: '3',
    maxLines: '0',
    maxBytes: '0',
    secret: '',
    ...overrides,
  };
}

describe('the admin under attack', () => {
  let t: TestApp;
  let admin: AdminClient;
  before(async () => {
    t = await startTestApp();
    await createAdminUser(t.ctx, { username: 'boss', password: 'boss-password-long', role: 'admin' }, 'test');
    admin = await adminLogin(t, 'admin');
  });
  after(async () => {
    await t.close();
  });

  test('the page after login is always inside the admin, however `next` is written', async () => {
    const inside: Record<string, string> = {
      '/admin/../sandbox': '/admin',
      '/admin/%2e%2e/sandbox': '/admin',
      '/admin/.%2E/.%2e/sandbox': '/admin',
      '/admin/./../x': '/admin',
      '/admin/..//evil.example': '/admin',
      '//evil.example/admin': '/admin',
      '/admin\\..\\x': '/admin',
      '/admin/documents?connection=demo-cxml': '/admin/documents?connection=demo-cxml',
      '/admin/connections/demo-oci/../demo-cxml': '/admin/connections/demo-cxml',
      '/admin/\u0100': '/admin/%C4%80',
    };
    for (const [next, expected] of Object.entries(inside)) {
      const shown = await (await fetch(`${t.baseUrl}/admin/login?next=${encodeURIComponent(next)}`)).text();
      assert.equal(hiddenValue(shown, 'next'), expected.replace(/&/g, '&amp;'), `login form for next=${next}`);
      const res = await postLogin(t, await loginForm(t), { username: 'boss', password: 'boss-password-long', next });
      assert.equal(res.status, 303, `login with next=${next}`);
      assert.equal(res.headers.get('location'), expected, `after login with next=${next}`);
    }
  });

  test('logging in ends the session the browser came with', async () => {
    const first = await postLogin(t, await loginForm(t), { username: 'boss', password: 'boss-password-long' });
    const old = sessionCookie(first);
    assert.equal((await fetch(`${t.baseUrl}/admin/audit`, { headers: { cookie: old }, redirect: 'manual' })).status, 200);
    const again = await postLogin(t, await loginForm(t), { username: 'boss', password: 'boss-password-long' }, old);
    assert.equal(again.status, 303);
    const fresh = sessionCookie(again);
    assert.notEqual(fresh, old);
    assert.equal((await fetch(`${t.baseUrl}/admin/audit`, { headers: { cookie: old }, redirect: 'manual' })).status, 303, 'the old session is over');
    assert.equal((await fetch(`${t.baseUrl}/admin/audit`, { headers: { cookie: fresh }, redirect: 'manual' })).status, 200);
    // A refused login leaves the current session alone.
    const wrong = await postLogin(t, await loginForm(t), { username: 'boss', password: 'not-the-password' }, fresh);
    assert.equal(wrong.status, 401);
    assert.equal((await fetch(`${t.baseUrl}/admin/audit`, { headers: { cookie: fresh }, redirect: 'manual' })).status, 200);
  });

  test('list fields of a connection are bounded: entries and their length', async () => {
    const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');
    const refused: [string, Record<string, string>, RegExp][] = [
      ['a 100 KB return URL prefix', { returnUrlPrefixes: `https://srm.hardening.example/${'a'.repeat(100_000)}` }, /Allowed return URL prefixes, entry 1: is longer than 2048 characters/],
      ['5000 return URL prefixes', { returnUrlPrefixes: many(5000, (i) => `https://h${i}.hardening.example/`) }, /Allowed return URL prefixes: at most 100 entries, not 5000/],
      ['5000 sites that may frame the shop', { frameAncestors: many(5000, (i) => `https://h${i}.hardening.example`) }, /Sites that may frame the shop: at most 20 entries, not 5000/],
      ['a 100 KB host that may frame the shop', { frameAncestors: `https://${'a'.repeat(100_000)}.example` }, /Sites that may frame the shop, entry 1: .* has a host longer than 253 characters/],
      ['5000 IP allow-list entries', { ipAllowList: many(5000, (i) => `10.${i >> 8}.${i & 255}.1`) }, /IP allow-list: at most 1000 entries, not 5000/],
    ];
    for (const [what, overrides, message] of refused) {
      const res = await admin.post('/admin/connections', ociForm('bounded', overrides));
      assert.equal(res.status, 400, what);
      assert.match(await res.text(), message, what);
    }
    assert.equal(await t.store.db.selectFrom('connections').select('id').where('id', '=', 'bounded').executeTakeFirst(), undefined);
    // At the bounds it is accepted.
    const res = await admin.post(
      '/admin/connections',
      ociForm('bounded', {
        returnUrlPrefixes: many(100, (i) => `https://h${i}.hardening.example/${i === 0 ? 'p'.repeat(2048 - 'https://h0.hardening.example/'.length) : ''}`),
        frameAncestors: many(20, (i) => `https://h${i}.hardening.example`),
        ipAllowList: many(1000, (i) => `10.${i >> 8}.${i & 255}.1`),
      }),
    );
    assert.equal(res.status, 200);
  });

  test('names and identities refuse invisible and text-direction characters', async () => {
    const tricks: [string, Record<string, string>, RegExp][] = [
      ['a right-to-left override in the name', { name: 'ACME \u202Elanif' }, /Name: contains an invisible or text-direction character \(U\+202E\)/],
      ['a zero-width space in the buyer organisation', { buyerOrg: 'Hardening\u200B AG' }, /Buyer organisation: contains an invisible or text-direction character \(U\+200B\)/],
      ['a C1 control in the OCI user name', { ociUsername: 'user\u0085x' }, /OCI user name: contains control characters/],
      ['a line separator in the name', { name: 'ACME\u2028SRM' }, /Name: contains an invisible or text-direction character \(U\+2028\)/],
    ];
    for (const [what, overrides, message] of tricks) {
      const res = await admin.post('/admin/connections', ociForm('tricky', overrides));
      assert.equal(res.status, 400, what);
      assert.match(await res.text(), message, what);
    }
    const cxml = await admin.post('/admin/connections', {
      ...ociForm('tricky-cxml', { protocol: 'cxml' }),
      from_domain_0: 'NetworkID',
      from_identity_0: 'AN01000000001\u200B',
      sender_domain_0: 'NetworkID',
      sender_identity_0: 'AN01000000001',
      cxml_version: '1.2.014',
      cxml_formField: 'cXML-base64',
      cxml_defaultTarget: '_self',
      cxml_shippingAmount: '0',
      cxml_taxRatePercent: '0',
      cxml_taxRounding: 'line',
    });
    assert.equal(cxml.status, 400);
    assert.match(await cxml.text(), /From row 1: contains an invisible or text-direction character \(U\+200B\)/);
    assert.equal(await t.store.db.selectFrom('connections').select('id').where('id', 'in', ['tricky', 'tricky-cxml']).executeTakeFirst(), undefined);
    // Scripts that need joiners (Persian ZWNJ, emoji ZWJ) and plain accents are fine.
    const ok = await admin.post('/admin/connections', ociForm('tricky', { name: 'می\u200Cخواهم · Zürich 👩\u200D💻' }));
    assert.equal(ok.status, 200);

    for (const name of ['Prices \u202Ereversed', 'Two\nlines', 'Hidden\u2066isolate\u2069']) {
      const res = await admin.post('/admin/price-lists', { name, currency: 'EUR' });
      assert.equal(res.status, 400, JSON.stringify(name));
      assert.match(await res.text(), /The name contains a control, invisible or text-direction character/);
    }
    assert.equal((await t.store.db.selectFrom('price_lists').select('id').execute()).length, 0);
  });

  test('resend posts only to the address of the delivery record, never to one named in other text', async () => {
    const hits: string[] = [];
    const server: Server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/xml' }).end('<?xml version="1.0"?><cXML payloadID="a@b" timestamp="2026-01-01T00:00:00+00:00"><Response><Status code="200" text="OK"/></Response></cXML>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const body = '<?xml version="1.0"?><cXML payloadID="hardening@koppel" timestamp="2026-01-01T00:00:00+00:00"><Request><ConfirmationRequest/></Request></cXML>';
      const details = {
        mentioned: `confirmation of order "PO-7 posted to ${base}/internal/steal"; ${postedToDetail(`${base}/buyer/in`, 'HTTP 200')}`,
        otherScheme: postedToDetail('file:///etc/passwd', 'HTTP 200'),
        record: postedToDetail(`${base}/buyer/in`, 'HTTP 500; the buyer said: retry, or posted to http://127.0.0.1:1/other'),
      };
      const ids: Record<string, string> = {};
      for (const [name, detail] of Object.entries(details)) {
        await logDocument(t.ctx, { direction: 'out', protocol: 'cxml', docType: 'ConfirmationRequest', connectionId: 'demo-cxml', payloadId: `hardening-${name}@koppel`, status: 500, detail, contentType: 'text/xml', body });
        ids[name] = (await t.store.db.selectFrom('documents').select('id').where('payload_id', '=', `hardening-${name}@koppel`).executeTakeFirstOrThrow()).id;
      }
      for (const name of ['mentioned', 'otherScheme']) {
        const doc = await t.store.db.selectFrom('documents').selectAll().where('id', '=', ids[name]!).executeTakeFirstOrThrow();
        assert.deepEqual(deliveryOf(doc), { kind: 'unknown' }, name);
        const page = await (await admin.get(`/admin/documents/${ids[name]}`)).text();
        assert.ok(!page.includes('/resend"'), `no resend button for ${name}`);
        assert.equal((await admin.post(`/admin/documents/${ids[name]}/resend`, {})).status, 409, name);
      }
      assert.deepEqual(hits, [], 'nothing was posted');
      // The record Koppel wrote still works, whatever text follows it.
      const res = await admin.post(`/admin/documents/${ids.record}/resend`, {});
      assert.equal(res.status, 303);
      assert.deepEqual(hits, ['/buyer/in']);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test('a broken document with one SharedSecret redacted does not keep another in the clear', async () => {
    const secret = 'Sup3r-S3cret-of-the-buyer';
    // A stray SharedSecret under From is redacted; the unclosed quote before Sender hides the real one from the parser.
    const body = `<?xml version="1.0"?><cXML payloadID="broken-secret@buyer" timestamp="2026-01-01T00:00:00+00:00"><Header><From><Credential domain="NetworkID"><Identity>DEMO-BUYER</Identity><SharedSecret>old</SharedSecret></Credential></From><To><Credential domain="NetworkID"><Identity>KOPPEL-DEMO</Identity></Credential></To><Sender><Credential domain="NetworkID><Identity>DEMO-BUYER</Identity><SharedSecret>${secret}</SharedSecret></Credential><UserAgent>x</UserAgent></Sender></Header><Request><ProfileRequest/></Request></cXML>`;
    const res = await fetch(`${t.baseUrl}/cxml`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
    assert.match(await res.text(), /code="406"/);
    const rows = await t.store.db.selectFrom('documents').select(['id', 'body']).where('direction', '=', 'in').orderBy('seq', 'desc').limit(1).execute();
    assert.ok(!rows[0]!.body.includes(secret), 'the log keeps no secret');
    const page = await (await admin.get(`/admin/documents/${rows[0]!.id}`)).text();
    assert.ok(!page.includes(secret), 'the page shows no secret');
    assert.match(page, /body withheld because it may contain a secret/);
  });
});
