/** The document log in the admin over real HTTP: list, filters, pages, detail, replay and resend. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { adminLogin, type AdminClient } from '../helpers/admin.js';
import { fixtureOrderAsDemo, postCxml, setupRequestXml, testPayloadId } from '../helpers/cxml.js';
import { logDocument } from '../../src/app/document-log.js';
import { postedToDetail, resendDocument, restoreSecret } from '../../src/app/document-replay.js';
import { setOutboundSecret } from '../../src/app/connection-admin.js';

let t: TestApp;
let admin: AdminClient & { username: string };
let viewer: AdminClient & { username: string };

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}
async function post(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${t.baseUrl}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(fields) });
}
async function products(n: number) {
  return t.store.db.selectFrom('products').selectAll().where('stock', '>', 0).orderBy('sku').limit(n).execute();
}
function db() {
  return t.store.db;
}

/** Ids of the documents a list page links to, in page order. */
function listedIds(page: string): string[] {
  const ids: string[] = [];
  for (const m of page.matchAll(/<td class="nowrap"><a href="\/admin\/documents\/([^"?]+)"/g)) ids.push(decodeURIComponent(m[1]!));
  return ids;
}

async function page(path: string, client: AdminClient = admin): Promise<string> {
  const res = await client.get(path);
  assert.equal(res.status, 200, path);
  return res.text();
}

let cxmlSession = '';
let setupIn = '';
let setupOut = '';
let poomId = '';
let ociCallId = '';

before(async () => {
  t = await startTestApp({ config: { secretKey: randomBytes(32).toString('base64') } });
  admin = await adminLogin(t);
  viewer = await adminLogin(t, 'viewer');

  // A cXML punchout with a two-line cart.
  const setup = await postCxml(t.baseUrl, setupRequestXml('https://buyer.example/return'));
  assert.equal(setup.status.code, 200);
  const start = await fetch(setup.startPageUrl!, { redirect: 'manual' });
  const path = start.headers.get('location')!.split('?')[0]!;
  cxmlSession = path.split('/')[3]!;
  const [a, b] = await products(2);
  await post(`${path}/cart/add`, { product_id: a!.id, quantity: '2' });
  await post(`${path}/cart/add`, { product_id: b!.id, quantity: '1' });
  assert.equal((await post(`${path}/transfer`, {})).status, 200);

  // An OCI punchout, transferred.
  const oci = await post('/punchout/oci/demo-oci', { USERNAME: 'demo', PASSWORD: 'demo', HOOK_URL: 'https://srm.example/hook' });
  const ociPath = oci.headers.get('location')!.split('?')[0]!;
  await post(`${ociPath}/cart/add`, { product_id: a!.id, quantity: '1' });
  assert.equal((await post(`${ociPath}/transfer`, {})).status, 200);

  // Two refusals: a wrong secret (401, connection known) and an unknown buyer (no connection).
  assert.equal((await postCxml(t.baseUrl, setupRequestXml('https://buyer.example/return', {}, 'wrong-secret'))).status.code, 401);
  const unknown = setupRequestXml('https://buyer.example/return').replaceAll('DEMO-BUYER', 'NOBODY');
  assert.equal((await postCxml(t.baseUrl, unknown)).status.code, 401);

  const docs = await db().selectFrom('documents').selectAll().orderBy('seq').execute();
  setupIn = docs.find((d) => d.doc_type === 'PunchOutSetupRequest' && d.session_id === cxmlSession)!.id;
  setupOut = docs.find((d) => d.doc_type === 'PunchOutSetupResponse' && d.session_id === cxmlSession)!.id;
  poomId = docs.find((d) => d.doc_type === 'PunchOutOrderMessage')!.id;
  ociCallId = docs.find((d) => d.doc_type === 'OCI call')!.id;
});
after(async () => {
  await t.close();
});

describe('document log list', () => {
  test('shows the documents of the punchouts, newest first, with status badges and links', async () => {
    const html = await page('/admin/documents');
    const all = await db().selectFrom('documents').select(['id']).orderBy('seq', 'desc').execute();
    assert.deepEqual(listedIds(html), all.map((d) => d.id));
    for (const type of ['PunchOutSetupRequest', 'PunchOutSetupResponse', 'PunchOutOrderMessage', 'OCI call', 'OCI cart']) assert.ok(html.includes(`>${type}</a>`), type);
    assert.match(html, /<span class="badge ok">200<\/span>/);
    assert.match(html, /<span class="badge error">401<\/span>/);
    assert.ok(html.includes('href="/admin/connections/demo-cxml"'));
    assert.ok(!html.includes('demo-secret'));
    // A long payloadID is shortened to keep its column narrow; the full value is in the title.
    const withId = await db().selectFrom('documents').select('payload_id').where('payload_id', 'is not', null).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    const full = withId.payload_id!;
    assert.ok(full.length > 20, full);
    assert.ok(html.includes(`<code class="token" title="${full}">${full.slice(0, 19)}…</code>`), full);
  });

  test('each filter narrows the list to exactly the matching documents', async () => {
    const cases: [string, (d: { connection_id: string | null; doc_type: string; direction: string; status: string; protocol: string; session_id: string | null }) => boolean][] = [
      ['connection=demo-oci', (d) => d.connection_id === 'demo-oci'],
      ['connection=-', (d) => d.connection_id === null],
      ['type=PunchOutOrderMessage', (d) => d.doc_type === 'PunchOutOrderMessage'],
      ['direction=in', (d) => d.direction === 'in'],
      ['direction=out&protocol=oci', (d) => d.direction === 'out' && d.protocol === 'oci'],
      ['status=401', (d) => d.status === '401'],
      [`session=${encodeURIComponent(cxmlSession)}`, (d) => d.session_id === cxmlSession],
      ['connection=demo-cxml&direction=in&status=200', (d) => d.connection_id === 'demo-cxml' && d.direction === 'in' && d.status === '200'],
    ];
    const docs = await db().selectFrom('documents').selectAll().orderBy('seq', 'desc').execute();
    for (const [query, keep] of cases) {
      const expected = docs.filter(keep).map((d) => d.id);
      assert.ok(expected.length > 0, `fixture has documents for ${query}`);
      assert.ok(expected.length < docs.length, `${query} narrows`);
      assert.deepEqual(listedIds(await page(`/admin/documents?${query}`)), expected, query);
    }
    const session = await page(`/admin/documents?session=${encodeURIComponent(cxmlSession)}`);
    assert.ok(session.includes('>PunchOutSetupRequest</a>') && session.includes('>PunchOutOrderMessage</a>'));
  });

  test('time range in UTC days; a bad date is named and ignored', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const total = (await db().selectFrom('documents').select('id').execute()).length;
    assert.equal(listedIds(await page(`/admin/documents?from=${today}&to=${today}`)).length, Math.min(total, 50));
    assert.equal(listedIds(await page(`/admin/documents?from=${tomorrow}`)).length, 0);
    assert.equal(listedIds(await page(`/admin/documents?to=${yesterday}`)).length, 0);
    const bad = await page('/admin/documents?from=2026-02-31&direction=sideways');
    assert.match(bad, /from date &quot;2026-02-31&quot; is not a date/);
    assert.match(bad, /direction &quot;sideways&quot; is neither in nor out/);
  });

  test('pages of 50 by seq: older and newer links walk the whole filtered log without gaps', async () => {
    for (let i = 0; i < 120; i++) {
      await logDocument(t.ctx, { direction: 'in', protocol: 'cxml', docType: 'ProfileRequest', connectionId: 'pager', status: 200, detail: `n${i}`, contentType: 'text/xml', body: '<cXML/>' });
    }
    const expected = (await db().selectFrom('documents').select(['id']).where('connection_id', '=', 'pager').orderBy('seq', 'desc').execute()).map((d) => d.id);
    const seen: string[] = [];
    const pages: string[] = [];
    let next: string | undefined = '/admin/documents?connection=pager';
    while (next) {
      const html = await page(next);
      pages.push(next);
      seen.push(...listedIds(html));
      const m = /href="\/admin\/documents\?([^"]*)" rel="next"/.exec(html);
      next = m ? `/admin/documents?${m[1]!.replaceAll('&amp;', '&')}` : undefined;
    }
    assert.equal(pages.length, 3);
    assert.deepEqual(seen, expected);
    // Back from the last page: "Newer" shows exactly the middle page again.
    const last = await page(pages[2]!);
    const newer = /href="\/admin\/documents\?([^"]*)" rel="prev"/.exec(last)![1]!.replaceAll('&amp;', '&');
    assert.deepEqual(listedIds(await page(`/admin/documents?${newer}`)), expected.slice(50, 100));
    assert.ok(newer.includes('connection=pager'), 'the filter stays on page links');
  });
});

describe('document detail', () => {
  test('a setup request: metadata, pretty XML with the secret redacted, session link, its answer', async () => {
    const html = await page(`/admin/documents/${setupIn}`);
    assert.ok(html.includes('[redacted]'));
    assert.ok(!html.includes('demo-secret'));
    assert.match(html, /\n {4}&lt;Sender&gt;\n {6}&lt;Credential domain=&quot;NetworkID&quot;&gt;/, 'indented XML');
    assert.ok(html.includes(`href="/admin/documents?session=${encodeURIComponent(cxmlSession)}"`));
    assert.ok(html.includes(`Answer to this request: `));
    assert.ok(html.includes(`href="/admin/documents/${setupOut}"`), 'links its answer');
    assert.ok(html.includes('href="/admin/connections/demo-cxml/onboarding"'), 'links the onboarding sheet');
    assert.match(html, /opens a new punchout session/);
    assert.ok(html.includes(`action="/admin/documents/${setupIn}/replay"`));

    const answer = await page(`/admin/documents/${setupOut}`);
    assert.ok(answer.includes('The request this answers: '));
    assert.ok(answer.includes(`href="/admin/documents/${setupIn}"`));
    assert.match(answer, /an answer on the buyer(&#39;|')s own connection/);
    assert.ok(!answer.includes('/resend"'), 'no resend button where it cannot work');
  });

  test('a secret a stored row still holds is redacted again on display', async () => {
    await logDocument(t.ctx, {
      direction: 'in',
      protocol: 'cxml',
      docType: 'ProfileRequest',
      connectionId: 'demo-cxml',
      status: 200,
      detail: 'old row',
      contentType: 'text/xml',
      body: '<cXML payloadID="p@x" timestamp="2026-01-01T00:00:00+00:00"><Header><Sender><Credential domain="d"><Identity>i</Identity><SharedSecret>old-leak-123</SharedSecret></Credential></Sender></Header></cXML>',
    });
    const row = await db().selectFrom('documents').select('id').where('detail', '=', 'old row').executeTakeFirstOrThrow();
    const html = await page(`/admin/documents/${row.id}`);
    assert.ok(!html.includes('old-leak-123'));
    assert.ok(html.includes('&lt;SharedSecret&gt;[redacted]&lt;/SharedSecret&gt;'));
  });

  test('an OCI call shows its JSON with the password masked, and says why it has no replay', async () => {
    const html = await page(`/admin/documents/${ociCallId}`);
    assert.match(html, /&quot;name&quot;: &quot;PASSWORD&quot;,\n\s+&quot;value&quot;: &quot;\[redacted\]&quot;/);
    assert.match(html, /comes from the buyer(&#39;|')s user(&#39;|')s browser/);
    assert.ok(!html.includes('/replay"'));
  });

  test('an unknown document is a 404 page', async () => {
    assert.equal((await admin.get('/admin/documents/nope')).status, 404);
  });
});

describe('replay', () => {
  test('an OrderRequest: same answer, still one order, new log rows, an audit entry', async () => {
    const { xml, payloadID } = fixtureOrderAsDemo('20');
    const first = await postCxml(t.baseUrl, xml);
    assert.equal(first.status.code, 200, first.status.detail);
    const original = await db().selectFrom('documents').selectAll().where('payload_id', '=', payloadID).where('direction', '=', 'in').executeTakeFirstOrThrow();
    const originalAnswer = await db().selectFrom('documents').selectAll().where('detail', '=', `answer to ${payloadID}`).executeTakeFirstOrThrow();

    const detail = await page(`/admin/documents/${original.id}`);
    assert.match(detail, /idempotent by payloadID/);
    assert.ok(detail.includes('id="order"') && detail.includes('Order PO '), 'the order is shown inline');

    const res = await admin.post(`/admin/documents/${original.id}/replay`, {});
    assert.equal(res.status, 303);
    const location = res.headers.get('location')!;
    const replayed = await db().selectFrom('documents').selectAll().where('detail', 'like', `replay of ${original.id} by ${admin.username}: %`).orderBy('seq').execute();
    assert.equal(replayed.length, 2, 'request and answer logged again');
    assert.equal(location, `/admin/documents/${replayed[0]!.id}?done=replayed`);
    assert.equal(replayed[0]!.direction, 'in');
    assert.equal(replayed[1]!.body, originalAnswer.body, 'the stored answer, word for word');
    assert.equal(replayed[0]!.order_id, original.order_id);
    const orders = await db().selectFrom('orders').select('id').where('payload_id', '=', payloadID).execute();
    assert.equal(orders.length, 1, 'no second order');
    const audit = await db().selectFrom('admin_audit').selectAll().where('action', '=', 'document.replay').where('subject', '=', original.id).execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.username, admin.username);

    const shown = await page(location);
    assert.match(shown, /Replayed: the request was processed again and answered 200/);
    assert.ok(shown.includes(`href="/admin/documents/${original.id}"`), 'links what it replays');
    assert.ok(shown.includes(`href="/admin/documents/${replayed[1]!.id}"`), 'pairs with its own answer');
  });

  test('a PunchOutSetupRequest opens a new session', async () => {
    const before = (await db().selectFrom('punchout_sessions').select('id').execute()).length;
    const res = await admin.post(`/admin/documents/${setupIn}/replay`, {});
    assert.equal(res.status, 303);
    const sessions = await db().selectFrom('punchout_sessions').select('id').execute();
    assert.equal(sessions.length, before + 1);
    const row = await db().selectFrom('documents').selectAll().where('detail', 'like', `replay of ${setupIn} by %`).where('direction', '=', 'in').executeTakeFirstOrThrow();
    assert.equal(row.status, '200');
    assert.ok(row.session_id && row.session_id !== cxmlSession);
    const answer = await db().selectFrom('documents').selectAll().where('detail', 'like', `replay of ${setupIn} by %: answer to %`).executeTakeFirstOrThrow();
    assert.ok(answer.body.includes('[redacted]'), 'the live StartPage token is not logged');
  });

  test('refused for viewers and without the CSRF token; nothing is processed', async () => {
    const count = async () => (await db().selectFrom('documents').select('id').execute()).length;
    const n = await count();
    assert.equal((await viewer.post(`/admin/documents/${setupIn}/replay`, {})).status, 403);
    assert.equal((await admin.post(`/admin/documents/${setupIn}/replay`, { _csrf: 'forged' })).status, 403);
    const bare = await fetch(`${t.baseUrl}/admin/documents/${setupIn}/replay`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie }, body: '' });
    assert.equal(bare.status, 403);
    assert.equal(await count(), n);
    const html = await page(`/admin/documents/${setupIn}`, viewer);
    assert.ok(!html.includes('/replay"'), 'viewers see no replay button');
    assert.match(html, /Only administrators can replay/);
  });

  test('an OCI call or an outbound document is refused with the reason', async () => {
    const oci = await admin.post(`/admin/documents/${ociCallId}/replay`, {});
    assert.equal(oci.status, 409);
    assert.match(await oci.text(), /Not replayed\. An OCI call has no replay: it comes from the buyer(&#39;|')s user(&#39;|')s browser/);
    const out = await admin.post(`/admin/documents/${poomId}/replay`, {});
    assert.equal(out.status, 409);
    assert.match(await out.text(), /Only inbound documents can be replayed/);
  });

  test('a compact one-line request is stored well-formed and replays (ProfileRequest)', async () => {
    const payloadID = testPayloadId();
    const xml = `<?xml version="1.0" encoding="UTF-8"?><cXML payloadID="${payloadID}" timestamp="2026-12-03T10:00:00+01:00"><Header><From><Credential domain="NetworkID"><Identity>DEMO-BUYER</Identity></Credential></From><To><Credential domain="NetworkID"><Identity>KOPPEL-DEMO</Identity></Credential></To><Sender><Credential domain="NetworkID"><Identity>DEMO-BUYER</Identity><SharedSecret>demo-secret</SharedSecret></Credential><UserAgent>t</UserAgent></Sender></Header><Request><ProfileRequest/></Request></cXML>`;
    assert.equal((await postCxml(t.baseUrl, xml)).status.code, 200);
    const row = await db().selectFrom('documents').selectAll().where('payload_id', '=', payloadID).executeTakeFirstOrThrow();
    assert.ok(row.body.includes('<SharedSecret>[redacted]</SharedSecret></Credential>'), row.body);
    const res = await admin.post(`/admin/documents/${row.id}/replay`, {});
    assert.equal(res.status, 303);
    const shown = await page(res.headers.get('location')!);
    assert.match(shown, /answered 200/);
    assert.match(shown, /ProfileResponse/);
  });

  test('a document with no identified connection cannot be replayed', async () => {
    const row = await db().selectFrom('documents').select('id').where('connection_id', 'is', null).where('direction', '=', 'in').executeTakeFirstOrThrow();
    const res = await admin.post(`/admin/documents/${row.id}/replay`, {});
    assert.equal(res.status, 409);
    assert.match(await res.text(), /No connection was identified/);
  });

  test('a document refused for its secret warns before a replay', async () => {
    const row = await db().selectFrom('documents').select('id').where('status', '=', '401').where('connection_id', '=', 'demo-cxml').where('direction', '=', 'in').executeTakeFirstOrThrow();
    assert.match(await page(`/admin/documents/${row.id}`), /refused as not authenticated \(401\)/);
  });
});

describe('resend', () => {
  test("a PunchOutOrderMessage: refused, carried by the buyer's browser; no button on its page", async () => {
    const html = await page(`/admin/documents/${poomId}`);
    assert.match(html, /carried by the buyer(&#39;|')s browser/);
    assert.ok(!html.includes('/resend"'));
    const res = await admin.post(`/admin/documents/${poomId}/resend`, {});
    assert.equal(res.status, 409);
    assert.match(await res.text(), /Not resent\. Cannot be resent: carried by the buyer(&#39;|')s browser/);
    const direct = await resendDocument(t.ctx, { username: 'test' }, poomId);
    assert.deepEqual(direct.ok, false);
    assert.match(!direct.ok ? direct.reason : '', /carried by the buyer's browser/);
    const answer = await resendDocument(t.ctx, { username: 'test' }, setupOut);
    assert.match(!answer.ok ? answer.reason : '', /an answer on the buyer's own connection/);
    assert.equal((await viewer.post(`/admin/documents/${poomId}/resend`, {})).status, 403);
  });

  test('a document Koppel posted to a URL goes out again with the same payloadID, secret put back', async () => {
    const received: { body: string; type: string | undefined }[] = [];
    const server: Server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ body, type: req.headers['content-type'] });
        res.writeHead(200, { 'content-type': 'text/xml' }).end('<?xml version="1.0"?><cXML payloadID="a@b" timestamp="2026-01-01T00:00:00+00:00"><Response><Status code="200" text="OK"/></Response></cXML>');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/cxml/in?x=1`;
    try {
      const payloadID = testPayloadId();
      const body = `<?xml version="1.0"?><cXML payloadID="${payloadID}" timestamp="2026-01-01T00:00:00+00:00"><Header><From><Credential domain="NetworkID"><Identity>KOPPEL-DEMO</Identity></Credential></From><To><Credential domain="NetworkID"><Identity>DEMO-BUYER</Identity></Credential></To><Sender><Credential domain="NetworkID"><Identity>KOPPEL-DEMO</Identity><SharedSecret>[redacted]</SharedSecret></Credential><UserAgent>Koppel</UserAgent></Sender></Header><Request><ConfirmationRequest/></Request></cXML>`;
      await logDocument(t.ctx, { direction: 'out', protocol: 'cxml', docType: 'ConfirmationRequest', connectionId: 'demo-cxml', payloadId: payloadID, status: 200, detail: postedToDetail(url, 'HTTP 200'), contentType: 'text/xml', body });
      const doc = await db().selectFrom('documents').selectAll().where('payload_id', '=', payloadID).executeTakeFirstOrThrow();

      // Without the outbound secret the server refuses: the buyer would answer 401.
      const page1 = await page(`/admin/documents/${doc.id}`);
      assert.ok(page1.includes(`action="/admin/documents/${doc.id}/resend"`));
      const refused = await admin.post(`/admin/documents/${doc.id}/resend`, {});
      assert.equal(refused.status, 409);
      assert.match(await refused.text(), /SharedSecret redacted/);
      assert.equal(received.length, 0);

      // With the connection's sealed outbound secret set, the admin action puts it back in.
      await setOutboundSecret(t.ctx, { username: 'test' }, 'demo-cxml', 'out&secret');
      const res = await admin.post(`/admin/documents/${doc.id}/resend`, {});
      assert.equal(res.status, 303);
      assert.equal(received.length, 1);
      assert.equal(received[0]!.body, restoreSecret(body, 'out&secret'));
      assert.ok(received[0]!.body.includes(`payloadID="${payloadID}"`) && received[0]!.body.includes('<SharedSecret>out&amp;secret</SharedSecret>'));
      const logged = await db().selectFrom('documents').selectAll().where('detail', 'like', `resend of ${doc.id} by ${admin.username}: %`).orderBy('seq').execute();
      assert.equal(logged.length, 2);
      assert.equal(res.headers.get('location'), `/admin/documents/${logged[0]!.id}?done=resent`);
      const shown = await page(res.headers.get('location')!);
      assert.match(shown, /Resent: the buyer(&#39;|')s system answered 200/);
      assert.ok(shown.includes(`href="/admin/documents/${logged[1]!.id}"`), 'the buyer\'s answer is its pair');
      assert.ok(!shown.includes('out&amp;secret'));
      assert.equal(logged[0]!.payload_id, payloadID);
      assert.ok(!logged[0]!.body.includes('out&amp;secret'), 'the log keeps the redacted copy');
      assert.equal(logged[1]!.status, '200');
      const audit = await db().selectFrom('admin_audit').selectAll().where('action', '=', 'document.resend').where('subject', '=', doc.id).execute();
      assert.equal(audit.length, 1);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
