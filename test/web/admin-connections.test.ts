/**
 * /admin/connections over real HTTP: an admin connects a new OCI and a new cXML buyer through
 * the forms, and the buyers can then punch out with what the admin was shown once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { adminLogin, type AdminClient } from '../helpers/admin.js';
import { postCxml, testPayloadId } from '../helpers/cxml.js';

let t: TestApp;
let admin: AdminClient;
before(async () => {
  // A sealing key for outbound secrets (tests have no data directory for a key file).
  t = await startTestApp({ config: { secretKey: randomBytes(32).toString('base64') } });
  admin = await adminLogin(t, 'admin');
});
after(async () => {
  await t.close();
});

const OCI_ID = 'acme-srm-test';
const CXML_ID = 'globex-ariba-test';
const HOOK = 'https://srm.acme.example/sap/bc/bsp/sap/return?sap-client=100';
const GLOBEX = {
  from: { domain: 'NetworkID', identity: 'AN01000000001-T' },
  to: { domain: 'NetworkID', identity: 'AN02000000002-T' },
  sender: { domain: 'NetworkID', identity: 'AN01000000001-T' },
};
/** Secrets shown once; later pages must never contain them. */
const shown: string[] = [];

function ociForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    protocol: 'oci',
    id: OCI_ID,
    name: 'ACME SRM test',
    buyerOrg: 'ACME AG',
    environment: 'test',
    ociUsername: 'acme-srm',
    returnUrlPrefixes: 'https://srm.acme.example/sap/bc/\r\nhttps://srm-qa.acme.example',
    allowSapEvent: '1',
    ipAllowList: '',
    oci_charset: 'ISO-8859-1',
    oci_usernameField: 'USERNAME',
    oci_passwordField: 'PASSWORD',
    oci_hookUrlField: 'HOOK_URL',
    oci_priceUnitMode: 'per-unit',
    oci_maxPriceDecimals: '2',
    oci_emitEmptyFields: '1',
    maxLines: '500',
    maxBytes: '0',
    secret: '',
    ...overrides,
  };
}

function cxmlForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    protocol: 'cxml',
    id: CXML_ID,
    name: 'Globex Ariba test realm',
    buyerOrg: 'Globex Corp',
    environment: 'test',
    from_domain_0: GLOBEX.from.domain,
    from_identity_0: GLOBEX.from.identity,
    from_domain_1: '',
    from_identity_1: '',
    to_domain_0: GLOBEX.to.domain,
    to_identity_0: GLOBEX.to.identity,
    sender_domain_0: '',
    sender_identity_0: '',
    sender_domain_1: GLOBEX.sender.domain,
    sender_identity_1: GLOBEX.sender.identity,
    returnUrlPrefixes: 'https://s1.ariba.com/',
    ipAllowList: '',
    cxml_version: '1.2.071',
    cxml_formField: 'cXML-urlencoded',
    cxml_defaultTarget: '_top',
    cxml_cartShipping: '1',
    cxml_shippingAmount: '4.95',
    cxml_taxRatePercent: '19',
    cxml_taxRounding: 'document',
    cxml_documentUrl: 'https://s1.ariba.com/service/transaction/cxml.asp',
    cxml_paymentTermDays: '45',
    symbolsAsText: '1',
    maxLines: '0',
    maxBytes: '1000000',
    secret: '',
    ...overrides,
  };
}

function secretOnPage(page: string): string {
  const m = /<p class="secret-value"[^>]*>([^<]+)<\/p>/.exec(page);
  assert.ok(m, 'the page shows the secret');
  return m[1]!;
}

async function row(id: string) {
  return t.store.db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function ociLogin(id: string, username: string, password: string, hook = HOOK): Promise<Response> {
  const query = new URLSearchParams({ USERNAME: username, PASSWORD: password, HOOK_URL: hook, '~OkCode': 'ADDI' });
  return fetch(`${t.baseUrl}/punchout/oci/${id}?${query.toString()}`, { redirect: 'manual' });
}

function profileRequest(secret: string): string {
  const cred = (c: { domain: string; identity: string }, secretXml = '') =>
    `<Credential domain="${c.domain}"><Identity>${c.identity}</Identity>${secretXml}</Credential>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="${testPayloadId()}" timestamp="2026-12-03T10:00:00+01:00"><Header><From>${cred(GLOBEX.from)}</From><To>${cred(GLOBEX.to)}</To><Sender>${cred(
    GLOBEX.sender,
    `<SharedSecret>${secret}</SharedSecret>`,
  )}<UserAgent>Ariba test</UserAgent></Sender></Header><Request><ProfileRequest/></Request></cXML>`;
}

test('no connection page without login: 303 to the login form; no change without login either', async () => {
  for (const path of ['/admin/connections', '/admin/connections/new', '/admin/connections/demo-oci', '/admin/connections/demo-oci/maps']) {
    const res = await fetch(`${t.baseUrl}${path}`, { redirect: 'manual' });
    assert.equal(res.status, 303, path);
    assert.equal(res.headers.get('location'), `/admin/login?next=${encodeURIComponent(path)}`);
  }
  const post = await fetch(`${t.baseUrl}/admin/connections`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'protocol=oci' });
  assert.equal(post.status, 303);
  assert.equal(post.headers.get('location'), '/admin/login');
});

test('the list groups connections by buyer organisation and filters by protocol and environment', async () => {
  const res = await admin.get('/admin/connections');
  assert.equal(res.status, 200);
  const page = await res.text();
  assert.match(page, /Demo buyer \(SAP OCI\)/);
  assert.match(page, /Demo buyer \(cXML\)/);
  assert.match(page, /OCI user <code>demo<\/code>/);
  assert.match(page, /NetworkID DEMO-BUYER/);
  assert.match(page, /href="\/admin\/connections\/new"/, 'admins get the New connection button');
  const oci = await (await admin.get('/admin/connections?protocol=oci')).text();
  assert.match(oci, /Demo buyer \(SAP OCI\)/);
  assert.doesNotMatch(oci, /Demo buyer \(cXML\)/);
  const test = await (await admin.get('/admin/connections?environment=test')).text();
  assert.match(test, /No connection matches this filter/, 'the demo connections are production');
});

test('"New connection" asks for the protocol first, then shows the fields that protocol needs', async () => {
  const choice = await (await admin.get('/admin/connections/new')).text();
  assert.match(choice, /href="\/admin\/connections\/new\?protocol=oci"/);
  assert.match(choice, /href="\/admin\/connections\/new\?protocol=cxml"/);
  const oci = await (await admin.get('/admin/connections/new?protocol=oci')).text();
  assert.match(oci, /name="ociUsername"/);
  assert.match(oci, /Allow SAPEVENT: return URLs \(SAP GUI\)/);
  assert.match(oci, /name="oci_passwordField" value="PASSWORD"/);
  assert.doesNotMatch(oci, /name="from_domain_0"/);
  assert.match(oci, /name="_csrf" value="/);
  const cxml = await (await admin.get('/admin/connections/new?protocol=cxml')).text();
  for (const key of ['from', 'to', 'sender']) for (const i of [0, 1, 2]) assert.match(cxml, new RegExp(`name="${key}_domain_${i}"`));
  assert.match(cxml, /AN01234567890/, 'hint about Ariba network ids');
  assert.match(cxml, /DUNS/, 'hint about Coupa');
  for (const v of ['1.2.014', '1.2.020', '1.2.037', '1.2.063', '1.2.071']) assert.match(cxml, new RegExp(`<option value="${v.replace(/\./g, '\\.')}"`));
});

test('invalid input: 400, every problem listed, what was typed kept (except the secret)', async () => {
  const res = await admin.post(
    '/admin/connections',
    ociForm({
      id: 'Bad Id!',
      name: 'Typed <name> & more',
      ociUsername: '',
      returnUrlPrefixes: 'javascript:alert(1)\nhttps://ok.example/',
      ipAllowList: '999.1.1.1',
      maxLines: 'lots',
      oci_maxPriceDecimals: '9',
      secret: 'typed-secret-never-echoed',
    }),
  );
  assert.equal(res.status, 400);
  const page = await res.text();
  assert.match(page, /role="alert"/);
  assert.match(page, /Connection id: .*lower-case letters/);
  assert.match(page, /OCI user name: is required/);
  assert.match(page, /Allowed return URL prefixes, entry 1: javascript: URLs are never allowed/);
  assert.match(page, /IP allow-list, entry 1:/);
  assert.match(page, /Max cart lines: must be a whole number/);
  assert.match(page, /Max price decimals: must be a whole number from 0 to 6/);
  assert.match(page, /name="id" value="Bad Id!"/);
  assert.match(page, /name="name" value="Typed &lt;name&gt; &amp; more"/);
  assert.match(page, /javascript:alert\(1\)\nhttps:\/\/ok\.example\//);
  assert.match(page, /name="maxLines" value="lots"/);
  assert.match(page, /name="oci_charset"[^>]*>.*<option value="ISO-8859-1" selected>/s);
  assert.match(page, /name="allowSapEvent" value="1" checked/);
  assert.match(page, /name="maxLines" value="lots" type="text" inputmode="numeric" aria-invalid="true"/);
  assert.doesNotMatch(page, /typed-secret-never-echoed/);
  assert.equal(await t.store.db.selectFrom('connections').select('id').where('id', '=', 'Bad Id!').executeTakeFirst(), undefined);

  const cxml = await admin.post('/admin/connections', cxmlForm({ id: 'globex-bad', from_identity_0: '', sender_domain_1: '', sender_identity_1: '', cxml_shippingAmount: '4,95', cxml_documentUrl: 'ftp://s1.ariba.com/cxml', cxml_paymentTermDays: '400', cxml_invoiceTaxInLine: '1' }));
  assert.equal(cxml.status, 400);
  const cpage = await cxml.text();
  assert.match(cpage, /From row 1: give both the domain and the identity/);
  assert.match(cpage, /Sender.*at least one Sender identity/);
  assert.match(cpage, /Flat shipping amount: must be a decimal number written with a dot/);
  assert.match(cpage, /name="from_domain_0" value="NetworkID"[^>]*aria-invalid="true"/);
  assert.match(cpage, /name="cxml_shippingAmount" value="4,95"/);
  assert.match(cpage, /Document URL: &quot;ftp:\/\/s1\.ariba\.com\/cxml&quot; must start with http:\/\/ or https:\/\//);
  assert.match(cpage, /Payment term \(days\): must be a whole number from 0 to 365/);
  assert.match(cpage, /name="cxml_documentUrl" value="ftp:\/\/s1\.ariba\.com\/cxml"[^>]*aria-invalid="true"/);
  assert.match(cpage, /name="cxml_paymentTermDays" value="400"/);
  assert.match(cpage, /name="cxml_invoiceTaxInLine" value="1" checked/);
  assert.match(cpage, /Tax on every invoice line: needs tax rounding per line/, 'the form above rounds once on the document');
});

test('an admin creates an OCI connection: the password is shown once, stored only as a hash, and works at /punchout/oci', async () => {
  const res = await admin.post('/admin/connections', ociForm());
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const page = await res.text();
  assert.match(page, /Copy it now; it will not be shown again/);
  const password = secretOnPage(page);
  assert.ok(password.length >= 24, 'a generated password is long');
  shown.push(password);
  assert.match(page, new RegExp(`/punchout/oci/${OCI_ID}`));
  assert.match(page, new RegExp(`href="/admin/connections/${OCI_ID}"`));

  const stored = await row(OCI_ID);
  assert.match(stored.secret_hash!, /^scrypt\$/);
  assert.ok(!JSON.stringify(stored).includes(password), 'the row holds only the hash');
  assert.equal(stored.environment, 'test');
  assert.equal(stored.buyer_org, 'ACME AG');
  assert.deepEqual(JSON.parse(stored.return_url_prefixes), ['https://srm.acme.example/sap/bc/', 'https://srm-qa.acme.example']);
  const options = JSON.parse(stored.options);
  assert.equal(options.oci.charset, 'ISO-8859-1');
  assert.equal(options.oci.priceUnitMode, 'per-unit');
  assert.equal(options.oci.maxPriceDecimals, 2);
  assert.equal(options.oci.emitEmptyFields, true);
  assert.equal(options.oci.allowSapEvent, true);
  assert.equal(options.limits.maxLines, 500);
  const audit = await t.store.db.selectFrom('admin_audit').selectAll().where('action', '=', 'connection.create').execute();
  assert.ok(audit.some((a) => a.subject.includes(OCI_ID)));
  assert.ok(audit.every((a) => !a.detail.includes(password)));

  // End to end: the buyer's SAP system logs in with what the admin passed on.
  const login = await ociLogin(OCI_ID, 'acme-srm', password);
  assert.equal(login.status, 303);
  assert.match(login.headers.get('location')!, /^\/shop\/s\//);
  assert.equal((await ociLogin(OCI_ID, 'acme-srm', 'wrong-password')).status, 401);
  assert.equal((await ociLogin(OCI_ID, 'acme-srm', password, 'https://evil.example/')).status, 400, 'return URL not in the allowed prefixes');
  assert.equal((await ociLogin(OCI_ID, 'acme-srm', password, 'SAPEVENT:POST')).status, 303, 'SAPEVENT allowed by the checkbox');
});

test('an admin creates a cXML connection with a chosen secret; a ProfileRequest with the new identities is answered 200', async () => {
  const dup = await admin.post('/admin/connections', ociForm({ secret: '' }));
  assert.equal(dup.status, 400);
  assert.match(await dup.text(), /already exists/);

  const secret = 'globex-shared-secret-1';
  const res = await admin.post('/admin/connections', cxmlForm({ secret }));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const page = await res.text();
  assert.equal(secretOnPage(page), secret);
  shown.push(secret);
  assert.match(page, /NetworkID AN01000000001-T/);

  const stored = await row(CXML_ID);
  assert.ok(!JSON.stringify(stored).includes(secret));
  assert.deepEqual(JSON.parse(stored.buyer_identities), [GLOBEX.from]);
  assert.deepEqual(JSON.parse(stored.supplier_identities), [GLOBEX.to]);
  assert.deepEqual(JSON.parse(stored.sender_identities), [GLOBEX.sender], 'blank rows are left out');
  const options = JSON.parse(stored.options);
  assert.equal(options.cxml.version, '1.2.071');
  assert.equal(options.cxml.formField, 'cXML-urlencoded');
  assert.equal(options.cxml.defaultTarget, '_top');
  assert.equal(options.cxml.cartShipping, true);
  assert.equal(options.cxml.shippingAmount, '4.95');
  assert.equal(options.cxml.cartTax, false);
  assert.equal(options.cxml.taxRatePercent, '19');
  assert.equal(options.cxml.taxRounding, 'document');
  assert.equal(options.cxml.documentUrl, 'https://s1.ariba.com/service/transaction/cxml.asp');
  assert.equal(options.cxml.paymentTermDays, 45);
  assert.equal(options.cxml.invoiceTaxInLine, false);
  assert.equal(options.textRules.symbolsAsText, true);
  assert.equal(options.limits.maxBytes, 1000000);

  const ok = await postCxml(t.baseUrl, profileRequest(secret));
  assert.equal(ok.http, 200);
  assert.equal(ok.status.code, 200, ok.status.text);
  assert.match(ok.text, /version="1\.2\.071"|1\.2\.071\/cXML\.dtd/, 'answers in the version chosen in the form');
  const wrong = await postCxml(t.baseUrl, profileRequest('not-the-secret'));
  assert.equal(wrong.status.code, 401);
});

test('cXML invoice options: tax on every invoice line needs per-line rounding; saved and shown once it has it', async () => {
  const bad = await admin.post(`/admin/connections/${CXML_ID}`, cxmlForm({ cxml_invoiceTaxInLine: '1', cxml_taxRounding: 'document' }));
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /Tax on every invoice line: needs tax rounding per line/);
  assert.equal(JSON.parse((await row(CXML_ID)).options).cxml.invoiceTaxInLine, false, 'nothing saved');
  const res = await admin.post(`/admin/connections/${CXML_ID}`, cxmlForm({ cxml_invoiceTaxInLine: '1', cxml_taxRounding: 'line', cxml_paymentTermDays: '0', cxml_documentUrl: '' }));
  assert.equal(res.status, 303);
  const cxml = JSON.parse((await row(CXML_ID)).options).cxml;
  assert.deepEqual([cxml.invoiceTaxInLine, cxml.taxRounding, cxml.paymentTermDays, cxml.documentUrl], [true, 'line', 0, '']);
  const page = await (await admin.get(`/admin/connections/${CXML_ID}`)).text();
  assert.match(page, /name="cxml_invoiceTaxInLine" value="1" checked/);
  assert.match(page, /name="cxml_paymentTermDays" value="0"/);
  // Back to what the later tests expect.
  assert.equal((await admin.post(`/admin/connections/${CXML_ID}`, cxmlForm())).status, 303);
});

test('an http:// document URL is allowed (local testing) but the connection page and form warn that the SharedSecret travels in clear', async () => {
  const warning = 'This is http://, not https://: the outbound SharedSecret and every document travel in clear. Use https:// except for local testing.';
  const secure = await (await admin.get(`/admin/connections/${CXML_ID}`)).text();
  assert.ok(!secure.includes(warning), 'no warning for https://');
  assert.doesNotMatch(secure, /not encrypted/);

  const res = await admin.post(`/admin/connections/${CXML_ID}`, cxmlForm({ cxml_documentUrl: 'HTTP://buyer.local:8080/cxml' }));
  assert.equal(res.status, 303);
  assert.equal(JSON.parse((await row(CXML_ID)).options).cxml.documentUrl, 'HTTP://buyer.local:8080/cxml');
  // The admin sees it under the form field and next to the outbound secret.
  const page = await (await admin.get(`/admin/connections/${CXML_ID}`)).text();
  assert.equal(page.split(warning).length - 1, 2);
  assert.ok(page.includes(`<span class="hint">Where confirmations, ship notices and invoices are posted (http:// or https://). Empty: none can be sent. <strong class="error-text">${warning}</strong></span>`), 'under the Document URL field');
  assert.match(page, /name="cxml_documentUrl" value="HTTP:\/\/buyer\.local:8080\/cxml"/);
  const secrets = page.slice(page.indexOf('id="secrets"'));
  assert.ok(secrets.includes(`<div class="notice warn" role="status"><p>Documents go to <code>HTTP://buyer.local:8080/cxml</code>. ${warning}</p></div>`), 'next to the outbound secret');
  // A viewer sees it in the settings list and next to the outbound secret.
  const viewer = await adminLogin(t, 'viewer');
  const read = await (await viewer.get(`/admin/connections/${CXML_ID}`)).text();
  assert.match(read, /<code>HTTP:\/\/buyer\.local:8080\/cxml<\/code> <span class="badge warn">not encrypted<\/span>/);
  assert.equal(read.split(warning).length - 1, 2);
  // Back to what the later tests expect.
  assert.equal((await admin.post(`/admin/connections/${CXML_ID}`, cxmlForm())).status, 303);
});

test('the list shows the new buyers, test side by side with production, and last activity', async () => {
  const page = await (await admin.get('/admin/connections')).text();
  assert.match(page, /<th scope="row">ACME AG<\/th>/);
  assert.match(page, /<th scope="row">Globex Corp<\/th>/);
  assert.match(page, /Add production connection/);
  assert.match(page, /Last activity \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  const filtered = await (await admin.get('/admin/connections?protocol=cxml&environment=test')).text();
  assert.match(filtered, /Globex Ariba test realm/);
  assert.doesNotMatch(filtered, /ACME SRM test/);
  assert.doesNotMatch(filtered, /Demo buyer/);
});

test('edit: the detail page holds the edit form; saving changes the row and keeps what the form does not show', async () => {
  const detail = await admin.get(`/admin/connections/${OCI_ID}`);
  assert.equal(detail.status, 200);
  const page = await detail.text();
  assert.match(page, new RegExp(`<form method="post" action="/admin/connections/${OCI_ID}"`));
  assert.doesNotMatch(page, /name="secret"/, 'the edit form has no secret field');
  assert.doesNotMatch(page, /name="id"/, 'the id cannot be changed');
  assert.match(page, /name="ociUsername" value="acme-srm"/);

  const bad = await admin.post(`/admin/connections/${OCI_ID}`, ociForm({ name: '', oci_usernameField: 'user name' }));
  assert.equal(bad.status, 400);
  const badPage = await bad.text();
  assert.match(badPage, /Name: is required/);
  assert.match(badPage, /User name field: must be a form field name/);
  assert.match(badPage, /name="oci_usernameField" value="user name"/);

  const res = await admin.post(`/admin/connections/${OCI_ID}`, ociForm({ name: 'ACME SRM QA', returnUrlPrefixes: 'https://srm.acme.example/', allowSapEvent: '' }));
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/admin/connections/${OCI_ID}?done=saved`);
  const after = await (await admin.get(`/admin/connections/${OCI_ID}?done=saved`)).text();
  assert.match(after, /Changes saved\./);
  assert.match(after, /<h1>ACME SRM QA<\/h1>/);
  const stored = await row(OCI_ID);
  assert.equal(stored.name, 'ACME SRM QA');
  assert.deepEqual(JSON.parse(stored.return_url_prefixes), ['https://srm.acme.example/']);
  // An empty-valued checkbox field is still "sent"; a real browser leaves an unchecked one out.
  const res2 = await admin.post(`/admin/connections/${OCI_ID}`, Object.fromEntries(Object.entries(ociForm({ name: 'ACME SRM QA' })).filter(([k]) => k !== 'allowSapEvent' && k !== 'oci_emitEmptyFields')));
  assert.equal(res2.status, 303);
  const options = JSON.parse((await row(OCI_ID)).options);
  assert.equal(options.oci.allowSapEvent, false);
  assert.equal(options.oci.emitEmptyFields, false);
  assert.equal((await row(OCI_ID)).secret_hash, stored.secret_hash, 'an edit never touches the secret');
});

test('maps: catalog units are offered; a mapped unit, currency, field mapping and price list are saved in the options', async () => {
  const units = (await t.store.db.selectFrom('products').select('unit').distinct().execute()).map((u) => u.unit).sort();
  assert.ok(units.length > 0);
  const page = await (await admin.get(`/admin/connections/${OCI_ID}/maps`)).text();
  for (const u of units) assert.match(page, new RegExp(`name="unit_from_\\d+" value="${u}"`));
  assert.match(page, /name="map\.MATGROUP\.kind"/);
  assert.match(page, /name="map\.CUST_FIELD1\.kind"/);
  assert.match(page, /href="\/admin\/connections\/acme-srm-test\/preview"/);
  assert.match(page, /name="classificationDomain" value="UNSPSC"/);
  assert.match(page, /None — catalog prices/);

  await t.store.db.insertInto('price_lists').values({ id: 'acme-2026', name: 'ACME contract 2026', currency: 'EUR', created_at: new Date().toISOString() }).execute();
  const i = units.indexOf(units[0]!);
  const fields: Record<string, string> = {
    [`unit_from_${i}`]: units[0]!,
    [`unit_to_${i}`]: 'PCE',
    currency_from_0: 'EUR',
    currency_to_0: '',
    currency_from_5: 'RON',
    currency_to_5: 'ROL',
    classificationDomain: 'UNSPSC_V13',
    'map.MATGROUP.kind': 'constant',
    'map.MATGROUP.attr': '',
    'map.MATGROUP.text': 'OFFICE',
    'map.MANUFACTMAT.kind': 'attribute',
    'map.MANUFACTMAT.attr': 'manufacturerPartId',
    'map.MANUFACTMAT.text': 'n/a',
    'map.CUST_FIELD1.kind': 'empty',
    'map.VENDOR.kind': 'default',
    priceListId: 'acme-2026',
  };
  const bad = await admin.post(`/admin/connections/${OCI_ID}/maps`, { ...fields, [`unit_to_${i}`]: 'PIECE', 'map.EXT_CATEGORY.kind': 'attribute', 'map.EXT_CATEGORY.attr': '' });
  assert.equal(bad.status, 400);
  const badPage = await bad.text();
  assert.match(badPage, /Unit map: .*not a unit code/);
  assert.match(badPage, /EXT_CATEGORY: choose the product attribute to send/);
  assert.match(badPage, new RegExp(`name="unit_to_${i}" value="PIECE"[^>]*aria-invalid="true"`), 'the typed value is kept and marked');
  assert.match(badPage, /name="map\.MATGROUP\.text" value="OFFICE"/);

  const res = await admin.post(`/admin/connections/${OCI_ID}/maps`, fields);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/admin/connections/${OCI_ID}/maps?done=saved`);
  const stored = await row(OCI_ID);
  const options = JSON.parse(stored.options);
  assert.deepEqual(options.unitMap, { [units[0]!]: 'PCE' });
  assert.deepEqual(options.currencyMap, { RON: 'ROL' });
  assert.equal(options.classificationDomain, 'UNSPSC_V13');
  assert.deepEqual(options.fieldMapping.oci, {
    MATGROUP: { kind: 'constant', value: 'OFFICE' },
    MANUFACTMAT: { kind: 'attribute', attribute: 'manufacturerPartId', fallback: 'n/a' },
    CUST_FIELD1: { kind: 'empty' },
  });
  assert.equal(stored.price_list_id, 'acme-2026');
  const again = await (await admin.get(`/admin/connections/${OCI_ID}/maps?done=saved`)).text();
  assert.match(again, new RegExp(`name="unit_to_${i}" value="PCE"`));
  assert.match(again, /<option value="acme-2026" selected>ACME contract 2026 \(EUR\)<\/option>/);

  // Saving the settings form afterwards keeps the maps.
  assert.equal((await admin.post(`/admin/connections/${OCI_ID}`, ociForm({ name: 'ACME SRM QA' }))).status, 303);
  const kept = JSON.parse((await row(OCI_ID)).options);
  assert.deepEqual(kept.unitMap, { [units[0]!]: 'PCE' });
  assert.equal((await row(OCI_ID)).price_list_id, 'acme-2026');
});

test('cXML maps: extrinsic rows are saved under Extrinsic:<name>', async () => {
  const page = await (await admin.get(`/admin/connections/${CXML_ID}/maps`)).text();
  for (const target of ['ShortName', 'Description', 'ManufacturerName', 'ManufacturerPartID', 'Classification', 'LeadTime', 'URL']) assert.match(page, new RegExp(`name="map\\.${target}\\.kind"`));
  assert.match(page, /name="ext\.0\.name"/);
  const res = await admin.post(`/admin/connections/${CXML_ID}/maps`, {
    'map.ShortName.kind': 'attribute',
    'map.ShortName.attr': 'name',
    'ext.0.name': 'CostCenter',
    'ext.0.kind': 'constant',
    'ext.0.text': '4711',
    'ext.1.name': '',
    'ext.1.kind': 'attribute',
    'ext.1.attr': '',
  });
  assert.equal(res.status, 303);
  const options = JSON.parse((await row(CXML_ID)).options);
  assert.deepEqual(options.fieldMapping.cxml, { ShortName: { kind: 'attribute', attribute: 'name' }, 'Extrinsic:CostCenter': { kind: 'constant', value: '4711' } });
  assert.equal(options.cxml.version, '1.2.071', 'maps do not touch the protocol options');
});

test('rotate: a new secret is shown once; with an overlap the old one keeps working until then', async () => {
  const before = await row(OCI_ID);
  const old = shown[0]!;
  const res = await admin.post(`/admin/connections/${OCI_ID}/rotate`, { overlap: '24h' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const page = await res.text();
  assert.match(page, /Copy it now; it will not be shown again/);
  const fresh = secretOnPage(page);
  shown.push(fresh);
  assert.notEqual(fresh, old);
  assert.match(page, /still accepted until/);
  const after = await row(OCI_ID);
  assert.notEqual(after.secret_hash, before.secret_hash);
  assert.ok(after.previous_valid_until! > new Date().toISOString());
  assert.equal((await ociLogin(OCI_ID, 'acme-srm', fresh)).status, 303);
  assert.equal((await ociLogin(OCI_ID, 'acme-srm', old)).status, 303, 'old password still accepted during the overlap');
  const detail = await (await admin.get(`/admin/connections/${OCI_ID}`)).text();
  assert.match(detail, /The previous OCI password is still accepted until/);

  const past = await admin.post(`/admin/connections/${OCI_ID}/rotate`, { overlap: 'date', overlapDate: '2001-01-01' });
  assert.equal(past.status, 400);
  assert.match(await past.text(), /already passed/);

  const now = await admin.post(`/admin/connections/${CXML_ID}/rotate`, { overlap: 'none' });
  assert.equal(now.status, 200);
  const cxmlSecret = secretOnPage(await now.text());
  shown.push(cxmlSecret);
  assert.equal((await postCxml(t.baseUrl, profileRequest(cxmlSecret))).status.code, 200);
  assert.equal((await postCxml(t.baseUrl, profileRequest(shown[1]!))).status.code, 401, 'without overlap the old secret stops at once');
});

test('outbound secret: set through a password field, then shown only as "set"', async () => {
  const before = await (await admin.get(`/admin/connections/${CXML_ID}`)).text();
  assert.match(before, /Outbound secret<\/dt><dd><span class="badge muted">not set/);
  assert.match(before, /<input type="password" name="outboundSecret"/);
  const empty = await admin.post(`/admin/connections/${CXML_ID}/outbound-secret`, { outboundSecret: '' });
  assert.equal(empty.status, 400);
  const res = await admin.post(`/admin/connections/${CXML_ID}/outbound-secret`, { outboundSecret: 'supplier-to-globex-secret' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/admin/connections/${CXML_ID}?done=outbound`);
  const page = await (await admin.get(`/admin/connections/${CXML_ID}?done=outbound`)).text();
  assert.match(page, /Outbound secret saved/);
  assert.match(page, /Outbound secret<\/dt><dd><span class="badge ok">set/);
  assert.doesNotMatch(page, /supplier-to-globex-secret/);
  const stored = await row(CXML_ID);
  assert.ok(stored.outbound_secret_sealed && !stored.outbound_secret_sealed.includes('supplier-to-globex-secret'));
});

test('disable and enable: a disabled connection refuses the buyer', async () => {
  const res = await admin.post(`/admin/connections/${OCI_ID}/enabled`, { enabled: '0' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/admin/connections/${OCI_ID}?done=disabled`);
  assert.equal((await row(OCI_ID)).enabled, 0);
  const page = await (await admin.get(`/admin/connections/${OCI_ID}?done=disabled`)).text();
  assert.match(page, /Connection disabled/);
  assert.match(page, /<button type="submit" class="button">Enable connection<\/button>/);
  assert.equal((await ociLogin(OCI_ID, 'acme-srm', shown[2]!)).status, 403);
  assert.equal((await admin.post(`/admin/connections/${OCI_ID}/enabled`, { enabled: '1' })).status, 303);
  assert.equal(Number((await row(OCI_ID)).enabled), 1);
  assert.equal((await ociLogin(OCI_ID, 'acme-srm', shown[2]!)).status, 303);
});

test('no secret shown earlier appears on any later page', async () => {
  for (const path of ['/admin/connections', `/admin/connections/${OCI_ID}`, `/admin/connections/${CXML_ID}`, `/admin/connections/${OCI_ID}/maps`, `/admin/connections/${CXML_ID}/maps`, '/admin/audit']) {
    const page = await (await admin.get(path)).text();
    for (const s of shown) assert.ok(!page.includes(s), `${path} does not show a secret`);
  }
});

test('a viewer sees every page read-only, with no change controls, and gets 403 on every change', async () => {
  const viewer = await adminLogin(t, 'viewer');
  const list = await (await viewer.get('/admin/connections')).text();
  assert.match(list, /ACME SRM QA/);
  assert.doesNotMatch(list, /New connection/);
  assert.doesNotMatch(list, /Add production connection/);
  for (const path of [`/admin/connections/${OCI_ID}`, `/admin/connections/${CXML_ID}`, `/admin/connections/${OCI_ID}/maps`, `/admin/connections/${CXML_ID}/maps`]) {
    const res = await viewer.get(path);
    assert.equal(res.status, 200, path);
    const page = await res.text();
    assert.doesNotMatch(page, /<form method="post" action="\/admin\/connections/, `${path} has no change form`);
    assert.doesNotMatch(page, /<(input|select|textarea)(?![^>]*name="_csrf")[^>]*name="(?!_csrf)/, `${path} has no form fields`);
  }
  const detail = await (await viewer.get(`/admin/connections/${OCI_ID}`)).text();
  assert.match(detail, /<dt>OCI user name<\/dt><dd><code>acme-srm<\/code>/);
  assert.match(detail, /https:\/\/srm\.acme\.example\//);
  assert.match(detail, /ACME contract 2026 \(EUR\)/);
  const maps = await (await viewer.get(`/admin/connections/${OCI_ID}/maps`)).text();
  assert.match(maps, /constant &quot;OFFICE&quot;/);
  assert.equal((await viewer.get('/admin/connections/new?protocol=oci')).status, 403);

  const before = await row(OCI_ID);
  const posts: [string, Record<string, string>][] = [
    ['/admin/connections', ociForm({ id: 'viewer-made' })],
    [`/admin/connections/${OCI_ID}`, ociForm({ name: 'Viewer was here' })],
    [`/admin/connections/${OCI_ID}/enabled`, { enabled: '0' }],
    [`/admin/connections/${OCI_ID}/rotate`, { overlap: 'none' }],
    [`/admin/connections/${OCI_ID}/outbound-secret`, { outboundSecret: 'viewer-secret' }],
    [`/admin/connections/${OCI_ID}/maps`, { unit_from_0: 'PCE', unit_to_0: 'EA' }],
  ];
  for (const [path, fields] of posts) assert.equal((await viewer.post(path, fields)).status, 403, path);
  assert.deepEqual(await row(OCI_ID), before, 'nothing changed');
  assert.equal(await t.store.db.selectFrom('connections').select('id').where('id', '=', 'viewer-made').executeTakeFirst(), undefined);
});

test('a change without the CSRF token is refused', async () => {
  const before = await row(OCI_ID);
  for (const path of ['/admin/connections', `/admin/connections/${OCI_ID}`, `/admin/connections/${OCI_ID}/enabled`, `/admin/connections/${OCI_ID}/rotate`, `/admin/connections/${OCI_ID}/maps`]) {
    const res = await fetch(`${t.baseUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie },
      body: new URLSearchParams({ ...ociForm({ id: 'csrf-made' }), enabled: '0', overlap: 'none' }).toString(),
    });
    assert.equal(res.status, 403, path);
  }
  assert.deepEqual(await row(OCI_ID), before);
});

test('an unknown connection is a 404 admin page; output is escaped', async () => {
  for (const path of ['/admin/connections/no-such-thing', '/admin/connections/no-such-thing/maps']) {
    const res = await admin.get(path);
    assert.equal(res.status, 404, path);
    assert.match(await res.text(), /No such connection/);
  }
  assert.equal((await admin.post('/admin/connections/no-such-thing/enabled', { enabled: '1' })).status, 404);
  assert.equal((await admin.post('/admin/connections/no-such-thing/rotate', { overlap: 'none' })).status, 404);
  const res = await admin.post('/admin/connections', ociForm({ id: 'xss-test', name: '<script>alert(1)</script>', ociUsername: 'x' }));
  assert.equal(res.status, 200);
  const list = await (await admin.get('/admin/connections')).text();
  assert.ok(!list.includes('<script>alert(1)</script>'));
  assert.match(list, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
});
