/** The onboarding sheet of a connection, HTML and JSON, over real HTTP: the facts, and never a secret. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { adminLogin, type AdminClient } from '../helpers/admin.js';
import { createConnection } from '../../src/app/connections.js';
import type { OnboardingSheet } from '../../src/app/onboarding.js';

let t: TestApp;
let viewer: AdminClient;

before(async () => {
  t = await startTestApp();
  viewer = await adminLogin(t, 'viewer');
  const acme = { buyerIdentities: [{ domain: 'DUNS', identity: 'acme-t' }], supplierIdentities: [{ domain: 'DUNS', identity: 'SUPPLIER-1' }], senderIdentities: [{ domain: 'DUNS', identity: 'acme-t' }] };
  await createConnection(t.ctx, { id: 'acme-test', name: 'Acme test', protocol: 'cxml', ...acme, secret: 'acme-test-secret-1', returnUrlPrefixes: ['https://acme-test.coupahost.com/'], environment: 'test', buyerOrg: 'Acme' });
  await createConnection(t.ctx, {
    id: 'acme-prod',
    name: 'Acme production',
    protocol: 'cxml',
    buyerIdentities: [{ domain: 'DUNS', identity: 'acme' }],
    supplierIdentities: [{ domain: 'DUNS', identity: 'SUPPLIER-1' }],
    senderIdentities: [{ domain: 'DUNS', identity: 'acme' }],
    secret: 'acme-prod-secret-2',
    returnUrlPrefixes: ['https://acme.coupahost.com/'],
    environment: 'production',
    buyerOrg: 'Acme',
    options: { cxml: { version: '1.2.020', formField: 'cXML-urlencoded' } },
  });
});
after(async () => {
  await t.close();
});

async function sheetHtml(id: string): Promise<string> {
  const res = await viewer.get(`/admin/connections/${id}/onboarding`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  return res.text();
}

async function sheetJson(id: string): Promise<{ text: string; sheet: OnboardingSheet }> {
  const res = await viewer.get(`/admin/connections/${id}/onboarding.json`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const text = await res.text();
  return { text, sheet: JSON.parse(text) as OnboardingSheet };
}

/** Every string value in a JSON value, with its path. */
function strings(value: unknown, path = '$'): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, `${path}.${k}`));
  return [];
}

test('OCI: catalog URL, method, parameter names, notes and the test script; the password is only "set"', async () => {
  const html = await sheetHtml('demo-oci');
  assert.ok(html.includes(`<code>${t.baseUrl}/punchout/oci/demo-oci</code>`));
  assert.match(html, /GET or POST/);
  for (const name of ['USERNAME', 'PASSWORD', 'HOOK_URL', '~OkCode', '~TARGET', '~CALLER', 'returntarget']) assert.ok(html.includes(`<code>${name}</code>`), name);
  assert.match(html, /<code>PASSWORD<\/code><\/td><td>fixed value<\/td><td><span class="muted">–<\/span><\/td>/, 'no password value');
  assert.match(html, /<dt>Password<\/dt><dd><span class="badge ok">set<\/span>/);
  assert.match(html, /shown once when the connection was created; hand it over by phone or a password manager; ask the supplier to rotate it if lost/);
  assert.match(html, /NEW_ITEM-DESCRIPTION\[n\]/);
  assert.match(html, /Cancel punchout/);
  assert.match(html, /any <code>http:\/\/<\/code> or <code>https:\/\/<\/code> URL/);
  assert.equal((html.match(/<li><span>/g) ?? []).length, 5, 'five numbered steps');
  assert.ok(!html.includes('scrypt$'));

  const { text, sheet } = await sheetJson('demo-oci');
  assert.ok(!text.includes('scrypt$'));
  const env = sheet.environments[0]!;
  assert.equal(env.oci!.catalogUrl, `${t.baseUrl}/punchout/oci/demo-oci`);
  assert.equal(env.secret, 'set');
  const password = env.oci!.parameters.find((p) => p.name === 'PASSWORD')!;
  assert.equal(password.value, undefined);
  // The demo user name and password are both "demo": the only "demo" value is the user name.
  assert.deepEqual(strings(sheet).filter(([, v]) => v === 'demo').map(([p]) => p), ['$.environments[0].oci.parameters[0].value']);
  assert.equal(env.oci!.parameters[0]!.name, 'USERNAME');
});

test('cXML: endpoint, identities, versions, form field, test script; the SharedSecret never appears', async () => {
  const html = await sheetHtml('demo-cxml');
  assert.ok(html.includes(`<code>${t.baseUrl}/cxml</code>`));
  for (const text of ['ProfileRequest', 'PunchOutSetupRequest', 'OrderRequest', 'DEMO-BUYER', 'KOPPEL-DEMO', 'NetworkID', '1.2.014', '1.1.0xx to 1.2.071', 'cXML-base64', 'BuyerCookie echoed unchanged', 'never a second order', 'one order, not two']) {
    assert.ok(html.includes(text), text);
  }
  assert.match(html, /<dt>SharedSecret<\/dt><dd><span class="badge ok">set<\/span>/);
  assert.ok(!html.includes('demo-secret'));
  assert.ok(!html.includes('scrypt$'));

  const { text, sheet } = await sheetJson('demo-cxml');
  assert.ok(!text.includes('demo-secret'));
  assert.ok(!text.includes('scrypt$'));
  const x = sheet.environments[0]!.cxml!;
  assert.equal(x.endpointUrl, `${t.baseUrl}/cxml`);
  assert.deepEqual(x.identities.from, [{ domain: 'NetworkID', identity: 'DEMO-BUYER' }]);
  assert.deepEqual(x.identities.to, [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO' }]);
  assert.deepEqual(x.identities.sender, [{ domain: 'NetworkID', identity: 'DEMO-BUYER' }]);
  assert.deepEqual(x.versions, { writes: '1.2.014', reads: '1.1.0xx to 1.2.071' });
  assert.deepEqual(x.cartFormField, { configured: 'cXML-base64', notUsed: 'cXML-urlencoded' });
  assert.deepEqual(x.transactions.map((tr) => tr.name), ['ProfileRequest', 'PunchOutSetupRequest', 'OrderRequest']);
  assert.equal(sheet.testScripts[0]!.steps.length, 5);
  assert.equal(sheet.environments.length, 1, 'the other demo connection belongs to another buyer');
});

test('a buyer with test and production connections: both listed, test first, each with its identities', async () => {
  for (const id of ['acme-test', 'acme-prod']) {
    const { text, sheet } = await sheetJson(id);
    assert.equal(sheet.buyerOrg, 'Acme');
    assert.deepEqual(sheet.environments.map((e) => [e.id, e.environment]), [['acme-test', 'test'], ['acme-prod', 'production']]);
    assert.equal(sheet.environments.find((e) => e.current)!.id, id);
    assert.deepEqual(sheet.environments[1]!.cxml!.identities.from, [{ domain: 'DUNS', identity: 'acme' }]);
    assert.equal(sheet.environments[1]!.cxml!.versions.writes, '1.2.020');
    assert.equal(sheet.environments[1]!.cxml!.cartFormField.configured, 'cXML-urlencoded');
    for (const secret of ['acme-test-secret-1', 'acme-prod-secret-2', 'scrypt$']) assert.ok(!text.includes(secret), secret);
  }
  const html = await sheetHtml('acme-prod');
  assert.ok(html.indexOf('Test: Acme test') < html.indexOf('Production: Acme production'));
  assert.ok(html.includes('<code>acme-t</code>') && html.includes('<code>acme</code>'));
  assert.ok(html.includes('<code>https://acme.coupahost.com/</code>'));
  for (const secret of ['acme-test-secret-1', 'acme-prod-secret-2', 'scrypt$']) assert.ok(!html.includes(secret), secret);
});

test('printable: navigation and buttons are hidden in print', async () => {
  const html = await sheetHtml('demo-cxml');
  assert.ok(html.includes('class="breadcrumbs no-print"'));
  const css = await (await fetch(`${t.baseUrl}/assets/koppel.css`)).text();
  const block = css.slice(css.indexOf('/* ---------- Admin: document log and onboarding sheet'));
  assert.match(block, /@media print \{\n\s+\.admin-nav, \.no-print, \.doc-action, button, \.button \{ display: none !important; \}/);
});

test('login required; an unknown connection is a 404', async () => {
  const res = await fetch(`${t.baseUrl}/admin/connections/demo-oci/onboarding.json`, { redirect: 'manual' });
  assert.equal(res.status, 303);
  assert.equal((await viewer.get('/admin/connections/nobody/onboarding')).status, 404);
  assert.equal((await viewer.get('/admin/connections/nobody/onboarding.json')).status, 404);
});
