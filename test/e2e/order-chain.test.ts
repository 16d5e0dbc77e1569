/**
 * The whole cXML chain in a real browser, both sides looking on:
 *
 *   buyer sandbox punches out → cart back as a requisition → submitted → purchase order (OrderRequest over HTTP)
 *   → the supplier's admin confirms, sends a ship notice and an invoice through its forms
 *   → the outbox worker (the real one, polling) posts each document to the sandbox's own cXML
 *     endpoint → the sandbox shows them on its purchase order, and the admin shows them delivered.
 *
 * Supplier (http://localhost:PORT) and sandbox (http://127.0.0.1:PORT) are two sites of one
 * server. Screenshots: test-results/e2e-orders/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { TestApp } from '../helpers/app.js';
import { startChain, sendOrderDocument, type Chain } from '../helpers/chain.js';
import { browserSkipReason, screenshot, screenshotOnFailure } from '../helpers/browser.js';

const SHOTS = 'e2e-orders';

describe('browser: sandbox PO → confirmation → ship notice → invoice, visible on both sides', { skip: browserSkipReason(), timeout: 240_000 }, () => {
  let chain: Chain | undefined;
  let t: TestApp;
  let page: Page;
  let sandbox: string;
  let pageErrors: string[] = [];
  let punchoutId = '';
  let orderID = '';
  let poId = '';

  before(async () => {
    chain = await startChain('chain-admin');
    ({ t, page, sandbox, pageErrors } = chain);
  });

  after(async () => {
    await chain?.close();
  });

  test('the buyer punches out from the sandbox and sends a purchase order', { timeout: 60_000 }, () =>
    screenshotOnFailure(page, SHOTS, '1-po', async () => {
      const product = await t.store.db.selectFrom('products').selectAll().where('stock', '>', 0).where('currency', '=', 'EUR').orderBy('sku').limit(1).offset(5).executeTakeFirstOrThrow();
      await page.goto(`${sandbox}/sandbox`);
      await page.getByRole('radio', { name: 'cXML' }).check();
      await page.getByRole('checkbox', { name: /inside an iframe/ }).setChecked(false);
      await page.getByRole('button', { name: 'Start punchout' }).click();
      await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();
      await page.getByRole('searchbox', { name: 'Search products' }).fill(product.sku);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      const card = page.getByRole('article').filter({ has: page.getByRole('heading', { name: product.name, exact: true }) });
      await card.getByRole('spinbutton', { name: `Quantity for ${product.name}`, exact: true }).fill('4');
      await card.getByRole('button', { name: 'Add to cart' }).click();
      await page.getByRole('link', { name: /^Cart · 1 item/ }).click();
      await page.getByRole('button', { name: 'Transfer cart' }).click();
      // The cart comes back as a draft requisition; below 250 EUR, submitting it places the order.
      await page.waitForURL((u) => u.origin === sandbox && /^\/sandbox\/requisitions\/[A-Za-z0-9_-]+$/.test(u.pathname));
      const requisitionId = new URL(page.url()).pathname.split('/').pop()!;
      await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/sandbox/requisitions/${requisitionId}/submit`)), page.getByRole('button', { name: 'Submit for approval' }).click()]);
      await page.waitForLoadState();
      const req = await t.store.db.selectFrom('sandbox_requisitions').selectAll().where('id', '=', requisitionId).executeTakeFirstOrThrow();
      assert.ok(req.po_id, `the requisition was ordered (${req.status})`);
      punchoutId = req.punchout_id!;
      poId = req.po_id;
      await page.goto(`${sandbox}/sandbox/orders/${poId}`);
      const poHeading = page.getByRole('heading', { level: 1, name: /^Purchase order / });
      await poHeading.waitFor();
      await page.getByText('Received by the supplier (cXML 200)').waitFor();
      orderID = (await t.store.db.selectFrom('sandbox_purchase_orders').select('order_id').where('id', '=', poId).executeTakeFirstOrThrow()).order_id;
      assert.ok((await poHeading.innerText()).includes(orderID), 'the sandbox shows its PO number');
      await screenshot(page, SHOTS, '1-po-accepted');
    }),
  );

  test('the supplier sees the order in the admin and confirms, ships and invoices it through the forms', { timeout: 90_000 }, () =>
    screenshotOnFailure(page, SHOTS, '2-admin', async () => {
      assert.ok(orderID, 'needs the purchase order of the first test');
      await chain!.adminLogin();
      await page.getByRole('link', { name: 'Orders', exact: true }).first().click();
      await page.waitForURL((u) => u.pathname === '/admin/orders');
      await page.getByRole('link', { name: orderID, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: new RegExp(orderID) }).waitFor();
      await screenshot(page, SHOTS, '2-admin-order-received');

      const send = (title: string, fill: () => Promise<void>, button: string, prefix: string) => sendOrderDocument(page, title, fill, button, prefix);
      await send('Confirm or reject', async () => undefined, 'Send confirmation', 'C');
      await send(
        'Ship notice',
        async () => {
          const form = page.locator('details#ship');
          await form.getByLabel('Carrier').fill('DHL Freight');
          await form.getByLabel('Tracking number').fill('JD-CHAIN-0001');
        },
        'Send ship notice',
        'SN',
      );
      await send('Invoice', async () => undefined, 'Send invoice', 'INV');
      await screenshot(page, SHOTS, '2-admin-documents-queued');
    }),
  );

  test('the outbox delivers all three to the sandbox; both sides show them', { timeout: 60_000 }, () =>
    screenshotOnFailure(page, SHOTS, '3-both-sides', async () => {
      assert.ok(punchoutId && poId && orderID, 'needs the earlier tests');
      const order = await t.store.db.selectFrom('orders').selectAll().where('connection_id', '=', 'demo-cxml').where('order_id', '=', orderID).executeTakeFirstOrThrow();
      // The worker polls every 100 ms; wait for it rather than for a fixed time.
      const deadline = Date.now() + 30_000;
      let statuses: string[] = [];
      while (Date.now() < deadline) {
        statuses = (await t.store.db.selectFrom('outbox').select('status').where('order_id', '=', order.id).execute()).map((r) => r.status);
        if (statuses.length === 3 && statuses.every((s) => s === 'delivered' || s === 'failed')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(statuses, ['delivered', 'delivered', 'delivered'], 'all three documents delivered');
      const after = await t.store.db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow();
      assert.equal(after.status, 'invoiced');

      // Supplier side: delivered badges and the delivery events on the timeline.
      await page.reload();
      const sent = page.locator('section').filter({ has: page.getByRole('heading', { level: 2, name: 'Documents sent' }) });
      assert.equal(await sent.getByText('delivered', { exact: true }).count(), 3);
      const timeline = page.locator('section').filter({ has: page.getByRole('heading', { level: 2, name: 'Timeline' }) });
      assert.ok((await timeline.getByText('Document delivered').count()) >= 3, 'three delivery events on the timeline');
      await screenshot(page, SHOTS, '3-admin-delivered');

      // Buyer side: the sandbox's purchase order lists the three documents, accepted.
      const docs = await t.store.db.selectFrom('order_documents').select(['kind', 'number']).where('order_id', '=', order.id).orderBy('created_at').execute();
      await page.goto(`${sandbox}/sandbox/orders/${poId}`);
      const fromSupplier = page.locator('section').filter({ has: page.getByRole('heading', { level: 2, name: 'Documents from the supplier' }) });
      await fromSupplier.waitFor();
      const text = await fromSupplier.innerText();
      for (const d of docs) assert.ok(text.includes(d.number), `the sandbox shows ${d.kind} ${d.number}`);
      assert.match(text, /JD-CHAIN-0001/);
      assert.equal(await fromSupplier.getByText('accepted', { exact: true }).count(), 3);
      await screenshot(page, SHOTS, '3-sandbox-documents');
      assert.deepEqual(pageErrors, []);
    }),
  );
});
