/**
 * The admin in a real browser (Debian's Chromium through playwright-core), end to end: an admin
 * logs in, connects a new OCI and a new cXML buyer through the forms (each secret shown once),
 * maps a unit for the OCI buyer, checks the preview, and then the buyer sandbox punches out
 * against exactly those new connections with the credentials the admin was shown. The cart comes
 * back with the mapped unit, and the document log, filtered by connection, shows the calls.
 *
 * The sandbox runs at http://127.0.0.1:PORT and Koppel (admin, OCI entry, cXML, shop) at
 * http://localhost:PORT: two sites, third-party cookies blocked, like the round-trip test.
 *
 * Screenshots of the key steps: test-results/e2e-admin/. Skip on purpose with
 * KOPPEL_SKIP_BROWSER=1; a missing Chromium fails.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createAdminUser } from '../../src/app/admin-users.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { browserSkipReason, launchChromium, screenshot, screenshotOnFailure, type LaunchedChromium } from '../helpers/browser.js';

const STEP_TIMEOUT_MS = 15_000;
const SHOTS = 'e2e-admin';

const OCI_ID = 'e2e-acme-srm';
const CXML_ID = 'e2e-globex-ariba';
const OCI_USER = 'ACME_SRM_E2E';
const GLOBEX = {
  from: { domain: 'NetworkID', identity: 'AN01000000077-T' },
  to: { domain: 'NetworkID', identity: 'AN02000000088-T' },
  sender: { domain: 'NetworkID', identity: 'AN01000000077-T' },
};

type Row = Record<string, string>;

/** A table as rows keyed by column header (textContent: the stylesheet may set headers in capitals). */
async function readTable(page: Page, headerName: string): Promise<Row[]> {
  const table = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: headerName, exact: true }) });
  await table.first().waitFor();
  const headers = (await table.first().locator('thead').getByRole('columnheader').allTextContents()).map((h) => h.trim());
  const rows: Row[] = [];
  for (const row of await table.first().locator('tbody').getByRole('row').all()) {
    const cells = await row.getByRole('cell').allInnerTexts();
    rows.push(Object.fromEntries(headers.map((h, i) => [h, (cells[i] ?? '').trim()])));
  }
  return rows;
}

describe('browser: admin creates connections, maps a unit, previews; the sandbox punches out against them', { skip: browserSkipReason(), timeout: 240_000 }, () => {
  let t: TestApp;
  let browser: LaunchedChromium | undefined;
  let page: Page;
  let supplier: string;
  let sandbox: string;
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const admin = { username: 'e2e-admin', password: 'e2e-admin-password-1' };
  let ociPassword = '';
  let cxmlSecret = '';
  let pk: { id: string; sku: string; name: string };

  before(async () => {
    t = await startTestApp({ listenHost: 'localhost', host: 'localhost' });
    supplier = t.baseUrl;
    sandbox = `http://127.0.0.1:${new URL(supplier).port}`;
    await createAdminUser(t.ctx, { ...admin, role: 'admin' }, 'e2e');
    // A product sold per pack (PK) at an ordinary cent price: the unit the OCI buyer gets mapped.
    const products = await t.store.db.selectFrom('products').select(['id', 'sku', 'name', 'price', 'currency']).where('unit', '=', 'PK').where('stock', '>', 0).orderBy('sku').execute();
    const plain = products.find((p) => /^\d+(\.\d{1,2})?$/.test(p.price) && p.currency === 'EUR');
    assert.ok(plain, 'the demo catalog has a product sold per PK at a cent price');
    pk = plain;
    browser = await launchChromium({ thirdPartyCookies: 'block' });
    page = browser.page;
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      // A page answered 4xx on purpose (wrong password) and the missing favicon log "Failed to
      // load resource"; anything else (a CSP violation, a script error) is kept.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) consoleErrors.push(`${page.url()}: ${m.text()}`);
    });
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  test('log in through /admin/login and land on the connection list', { timeout: 60_000 }, () =>
    screenshotOnFailure(page, SHOTS, '1-login', async () => {
      await page.goto(`${supplier}/admin/connections`);
      await page.waitForURL((u) => u.pathname === '/admin/login');
      assert.equal(new URL(page.url()).searchParams.get('next'), '/admin/connections');
      await page.getByRole('heading', { level: 1, name: 'Log in to the Koppel admin' }).waitFor();
      await page.getByLabel('User name').fill(admin.username);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('alert').filter({ hasText: 'User name or password not accepted.' }).waitFor();
      await page.getByLabel('User name').fill(admin.username);
      await page.getByLabel('Password').fill(admin.password);
      await screenshot(page, SHOTS, '1-login');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${supplier}/admin/connections`);
      await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
      await page.getByText(`${admin.username} · admin`).waitFor();
    }),
  );

  test('create an OCI connection through the form; its password is shown once', { timeout: 60_000 }, () =>
    screenshotOnFailure(page, SHOTS, '2-oci-create', async () => {
      await page.getByRole('link', { name: 'New connection' }).click();
      await page.getByRole('link', { name: /^SAP OCI/ }).click();
      await page.getByRole('heading', { level: 1, name: 'New OCI connection' }).waitFor();
      await page.locator('input[name="id"]').fill(OCI_ID);
      await page.locator('input[name="name"]').fill('ACME SRM (e2e)');
      await page.locator('input[name="buyerOrg"]').fill('ACME AG');
      await page.locator('input[name="ociUsername"]').fill(OCI_USER);
      // The sandbox's HOOK_URL is http://127.0.0.1:PORT/sandbox/punchouts/<id>/oci-return.
      await page.locator('textarea[name="returnUrlPrefixes"]').fill(`${sandbox}/sandbox/`);
      await screenshot(page, SHOTS, '2-oci-form');
      await page.getByRole('button', { name: 'Create connection' }).click();
      await page.getByRole('heading', { level: 1, name: 'Connection "ACME SRM (e2e)" created' }).waitFor();
      ociPassword = (await page.locator('p.secret-value').innerText()).trim();
      assert.ok(ociPassword.length >= 24, `a generated password is long (got ${ociPassword.length} characters)`);
      await page.getByText(`${supplier}/punchout/oci/${OCI_ID}`).waitFor();
      await screenshot(page, SHOTS, '2-oci-secret-once');

      const row = await t.store.db.selectFrom('connections').selectAll().where('id', '=', OCI_ID).executeTakeFirstOrThrow();
      assert.match(row.secret_hash ?? '', /^scrypt\$/);
      assert.ok(!JSON.stringify(row).includes(ociPassword), 'only the hash is stored');
      // Shown once: the connection page does not show it again.
      await page.getByRole('link', { name: 'Go to the connection' }).click();
      await page.getByRole('heading', { level: 1, name: 'ACME SRM (e2e)' }).waitFor();
      assert.ok(!(await page.content()).includes(ociPassword), 'the detail page does not show the password again');
    }),
  );

  test('create a cXML connection through the form; its SharedSecret is shown once', { timeout: 60_000 }, () =>
    screenshotOnFailure(page, SHOTS, '3-cxml-create', async () => {
      await page.goto(`${supplier}/admin/connections`);
      await page.getByRole('link', { name: 'New connection' }).click();
      await page.getByRole('link', { name: /^cXML/ }).click();
      await page.getByRole('heading', { level: 1, name: 'New cXML connection' }).waitFor();
      await page.locator('input[name="id"]').fill(CXML_ID);
      await page.locator('input[name="name"]').fill('Globex Ariba (e2e)');
      await page.locator('input[name="buyerOrg"]').fill('Globex Corp');
      await page.getByLabel('From (buyer) 1: domain').fill(GLOBEX.from.domain);
      await page.getByLabel('From (buyer) 1: identity').fill(GLOBEX.from.identity);
      await page.getByLabel('To (us, as the buyer names us) 1: domain').fill(GLOBEX.to.domain);
      await page.getByLabel('To (us, as the buyer names us) 1: identity').fill(GLOBEX.to.identity);
      await page.getByLabel('Sender (carries the SharedSecret) 1: domain').fill(GLOBEX.sender.domain);
      await page.getByLabel('Sender (carries the SharedSecret) 1: identity').fill(GLOBEX.sender.identity);
      await page.locator('textarea[name="returnUrlPrefixes"]').fill(`${sandbox}/sandbox/`);
      await page.getByRole('button', { name: 'Create connection' }).click();
      await page.getByRole('heading', { level: 1, name: 'Connection "Globex Ariba (e2e)" created' }).waitFor();
      cxmlSecret = (await page.locator('p.secret-value').innerText()).trim();
      assert.ok(cxmlSecret.length >= 24, 'a generated SharedSecret is long');
      assert.notEqual(cxmlSecret, ociPassword);
      await screenshot(page, SHOTS, '3-cxml-secret-once');
      const row = await t.store.db.selectFrom('connections').selectAll().where('id', '=', CXML_ID).executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(row.buyer_identities), [GLOBEX.from]);
      assert.deepEqual(JSON.parse(row.sender_identities), [GLOBEX.sender]);
      assert.ok(!JSON.stringify(row).includes(cxmlSecret));
    }),
  );

  test('map our unit PK to the buyer\'s PAK on the OCI connection\'s maps page', { timeout: 60_000 }, () =>
    screenshotOnFailure(page, SHOTS, '4-maps', async () => {
      await page.goto(`${supplier}/admin/connections/${OCI_ID}`);
      await page.getByRole('link', { name: 'Units, currencies, field mapping' }).click();
      await page.getByRole('heading', { level: 1, name: 'Units, currencies and fields for ACME SRM (e2e)' }).waitFor();
      const pkRow = page.locator('tr', { has: page.locator('input[name^="unit_from_"][value="PK"]') });
      assert.equal(await pkRow.count(), 1, 'the catalog unit PK is offered once');
      await pkRow.locator('input[name^="unit_to_"]').fill('PAK');
      await page.getByRole('button', { name: 'Save maps' }).click();
      await page.waitForURL((u) => u.pathname === `/admin/connections/${OCI_ID}/maps` && u.searchParams.get('done') === 'saved');
      await page.getByText('Changes saved.').waitFor();
      assert.equal(await page.locator('tr', { has: page.locator('input[name^="unit_from_"][value="PK"]') }).locator('input[name^="unit_to_"]').inputValue(), 'PAK');
      await screenshot(page, SHOTS, '4-maps-saved');
      const options = JSON.parse((await t.store.db.selectFrom('connections').select('options').where('id', '=', OCI_ID).executeTakeFirstOrThrow()).options);
      assert.deepEqual(options.unitMap, { PK: 'PAK' });
    }),
  );

  test('the preview shows the mapped unit with its provenance, and the lint', { timeout: 60_000 }, () =>
    screenshotOnFailure(page, SHOTS, '5-preview', async () => {
      await page.getByRole('link', { name: 'Preview what this buyer receives' }).click();
      await page.getByRole('heading', { level: 1, name: 'Preview: what ACME SRM (e2e) receives' }).waitFor();
      await page.getByText('PK → PAK', { exact: true }).waitFor();
      await page.getByRole('radio', { name: 'A sample cart of these products' }).check();
      await page.getByRole('textbox', { name: /Sample products/ }).fill(`${pk.sku};2`);
      await page.getByRole('button', { name: 'Preview', exact: true }).click();
      await page.waitForURL((u) => u.searchParams.get('cart') === 'sample');
      await page.getByText('A sample cart of 1 product').waitFor();

      // "What is sent": UNIT of line 1 is PAK, from the unit map, with a note naming our unit.
      const unitRow = page.locator('table.values tr', { has: page.getByRole('cell', { name: 'NEW_ITEM-UNIT[1]', exact: true }) });
      assert.equal(await unitRow.count(), 1, 'one UNIT row for the one line');
      const cells = (await unitRow.getByRole('cell').allInnerTexts()).map((c) => c.trim());
      assert.deepEqual(cells.slice(0, 3), ['NEW_ITEM-UNIT[1]', 'PAK', 'unit map']);
      assert.match(cells[3] ?? '', /our unit PK → PAK/);

      // The lint ran: its verdict and the DTD line (an OCI cart has none).
      const lint = page.getByRole('region', { name: 'Lint' });
      await lint.getByText('Nothing blocks this cart.').waitFor();
      assert.match(await lint.innerText(), /DTD:/);
      await page.getByRole('region', { name: 'Cart' }).getByText(pk.sku, { exact: true }).waitFor();
      await screenshot(page, SHOTS, '5-preview');
    }),
  );

  /** The cart lands on its draft requisition; the punchout page shows the cart as received. */
  async function openReturnedCart(): Promise<void> {
    await page.waitForURL((u) => u.origin === sandbox && /^\/sandbox\/requisitions\/[A-Za-z0-9_-]+$/.test(u.pathname));
    const requisitionId = new URL(page.url()).pathname.split('/').pop()!;
    const req = await t.store.db.selectFrom('sandbox_requisitions').select('punchout_id').where('id', '=', requisitionId).executeTakeFirstOrThrow();
    await page.goto(`${sandbox}/sandbox/punchouts/${req.punchout_id}`);
    await page.getByRole('heading', { level: 2, name: 'Returned cart' }).waitFor();
  }

  test('sandbox: an OCI punchout against the new connection brings the line back with unit PAK', { timeout: 90_000 }, () =>
    screenshotOnFailure(page, SHOTS, '6-sandbox-oci', async () => {
      await page.goto(`${sandbox}/sandbox`);
      await page.getByRole('radio', { name: 'SAP OCI' }).check();
      await page.getByLabel('OCI URL').fill(`${supplier}/punchout/oci/${OCI_ID}`);
      await page.getByLabel('USERNAME').fill(OCI_USER);
      await page.getByLabel('PASSWORD').fill(ociPassword);
      await page.getByRole('checkbox', { name: /inside an iframe/ }).setChecked(false);
      await screenshot(page, SHOTS, '6-sandbox-oci-start');
      await page.getByRole('button', { name: 'Start punchout' }).click();
      await page.waitForURL((u) => u.origin === supplier && u.pathname.startsWith('/shop/s/'));
      await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();

      await page.getByRole('searchbox', { name: 'Search products' }).fill(pk.sku);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      const card = page.getByRole('article').filter({ has: page.getByRole('heading', { name: pk.name, exact: true }) });
      await card.getByRole('spinbutton', { name: `Quantity for ${pk.name}`, exact: true }).fill('2');
      await card.getByRole('button', { name: 'Add to cart' }).click();
      await page.getByRole('link', { name: /^Cart · 1 item/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Cart' }).waitFor();
      await page.getByRole('button', { name: 'Transfer cart' }).click();

      await openReturnedCart();
      const rows = await readTable(page, 'Supplier part ID');
      assert.equal(rows.length, 1, 'one line came back');
      assert.equal(rows[0]!['Supplier part ID'], pk.sku);
      assert.equal(rows[0]!['Quantity'], '2');
      assert.equal(rows[0]!['Unit'], 'PAK', 'the unit the admin mapped');
      await screenshot(page, SHOTS, '6-sandbox-oci-cart');
    }),
  );

  test('sandbox: a cXML punchout with the new identities and SharedSecret returns its cart', { timeout: 90_000 }, () =>
    screenshotOnFailure(page, SHOTS, '7-sandbox-cxml', async () => {
      await page.goto(`${sandbox}/sandbox`);
      await page.getByRole('radio', { name: 'cXML', exact: true }).check();
      await page.getByLabel('cXML URL').fill(`${supplier}/cxml`);
      await page.getByLabel('From domain').fill(GLOBEX.from.domain);
      await page.getByLabel('From identity').fill(GLOBEX.from.identity);
      await page.getByLabel('To domain').fill(GLOBEX.to.domain);
      await page.getByLabel('To identity').fill(GLOBEX.to.identity);
      await page.getByLabel('Sender domain').fill(GLOBEX.sender.domain);
      await page.getByLabel('Sender identity').fill(GLOBEX.sender.identity);
      await page.getByLabel('SharedSecret').fill(cxmlSecret);
      await page.getByRole('checkbox', { name: /inside an iframe/ }).setChecked(false);
      await page.getByRole('button', { name: 'Start punchout' }).click();
      await page.waitForURL((u) => u.origin === supplier && u.pathname.startsWith('/shop/s/'));
      await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();
      await page.getByRole('searchbox', { name: 'Search products' }).fill(pk.sku);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      const card = page.getByRole('article').filter({ has: page.getByRole('heading', { name: pk.name, exact: true }) });
      await card.getByRole('button', { name: 'Add to cart' }).click();
      await page.getByRole('link', { name: /^Cart · 1 item/ }).click();
      await page.getByRole('button', { name: 'Transfer cart' }).click();
      await openReturnedCart();
      const rows = await readTable(page, 'Supplier part ID');
      assert.deepEqual(rows.map((r) => r['Supplier part ID']), [pk.sku]);
      // No unit map on this connection: our own code goes out.
      assert.equal(rows[0]!['Unit'], 'PK');
      await screenshot(page, SHOTS, '7-sandbox-cxml-cart');
    }),
  );

  test('document log filtered by each new connection shows its calls and carts, and nothing else', { timeout: 60_000 }, () =>
    screenshotOnFailure(page, SHOTS, '8-documents', async () => {
      await page.goto(`${supplier}/admin/documents`);
      await page.getByRole('heading', { level: 1, name: /Document log/ }).waitFor();
      const filters = page.getByRole('form', { name: 'Filter documents' });
      await filters.getByLabel('Connection').selectOption(OCI_ID);
      await filters.getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL((u) => u.searchParams.get('connection') === OCI_ID);
      let rows = await readTable(page, 'Type');
      assert.ok(rows.length >= 2, 'the OCI call and the cart');
      assert.deepEqual([...new Set(rows.map((r) => r['Connection']))], [OCI_ID], 'only this connection\'s documents');
      assert.ok(rows.some((r) => r['Type'] === 'OCI call' && r['Status'] === '200' && /session opened/.test(r['Detail'] ?? '')), 'the OCI call, 200');
      assert.ok(rows.some((r) => r['Type'] === 'OCI cart' && r['Status'] === 'sent' && /1 line\(s\) to http:\/\/127\.0\.0\.1:\d+\/sandbox\//.test(r['Detail'] ?? '')), 'the OCI cart, sent to the sandbox');
      await screenshot(page, SHOTS, '8-documents-oci');

      // The OCI cart document itself carries the mapped unit.
      await page.getByRole('link', { name: 'OCI cart', exact: true }).first().click();
      await page.getByRole('heading', { level: 1, name: /OCI cart/ }).waitFor();
      // The stored form fields, pretty-printed JSON: {"name": "NEW_ITEM-UNIT[1]", "value": "PAK"}.
      assert.match(await page.locator('pre').first().innerText(), /"name": "NEW_ITEM-UNIT\[1\]",\s*"value": "PAK"/);
      assert.ok(!(await page.content()).includes(ociPassword), 'no password on a document page');

      await page.goto(`${supplier}/admin/documents`);
      await filters.getByLabel('Connection').selectOption(CXML_ID);
      await filters.getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL((u) => u.searchParams.get('connection') === CXML_ID);
      rows = await readTable(page, 'Type');
      assert.deepEqual([...new Set(rows.map((r) => r['Connection']))], [CXML_ID]);
      const types = rows.map((r) => `${r['Type']} ${r['Status']}`);
      for (const expected of ['PunchOutSetupRequest 200', 'PunchOutSetupResponse 200', 'PunchOutOrderMessage sent']) {
        assert.ok(types.includes(expected), `${expected} in ${JSON.stringify(types)}`);
      }
      await screenshot(page, SHOTS, '8-documents-cxml');
      await page.getByRole('link', { name: 'PunchOutSetupRequest', exact: true }).first().click();
      await page.getByRole('heading', { level: 1, name: /PunchOutSetupRequest/ }).waitFor();
      const body = await page.content();
      assert.ok(!body.includes(cxmlSecret), 'the SharedSecret is redacted on the document page');
      assert.match(body, new RegExp(GLOBEX.from.identity));
    }),
  );

  test('no script errors on any page', () => {
    assert.deepEqual(pageErrors, [], 'script errors');
    assert.deepEqual(consoleErrors, [], 'console errors (a CSP violation shows up here)');
  });
});
