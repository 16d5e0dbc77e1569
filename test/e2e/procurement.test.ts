/**
 * The buyer's side of the chain in a real browser, with this Koppel as the supplier:
 *
 *   punchout (cXML) → the cart becomes a requisition → submitted → the manager approves
 *   → the purchase order goes to the supplier → the supplier confirms, ships and invoices
 *   (through its admin forms; the real outbox worker delivers to the sandbox's /sandbox/cxml)
 *   → the storekeeper records the goods receipt → the three-way match is clean and the budget
 *   shows the invoice as spent.
 *
 * Then: a requisition over its cost center's budget cannot be approved; and taking stock below
 * its minimum produces a purchase order that nobody clicks to send.
 *
 * Supplier (http://localhost:PORT) and sandbox (http://127.0.0.1:PORT) are two sites of one
 * server. Screenshots: test-results/e2e-procurement/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import type { Page } from 'playwright-core';
import type { TestApp } from '../helpers/app.js';
import { startChain, sendOrderDocument, type Chain } from '../helpers/chain.js';
import { browserSkipReason, screenshot, screenshotOnFailure } from '../helpers/browser.js';

const SHOTS = 'e2e-procurement';

describe('browser: punchout → requisition → approval → PO → documents → receipt → clean match; budget; re-order', { skip: browserSkipReason(), timeout: 300_000 }, () => {
  let chain: Chain | undefined;
  let t: TestApp;
  let page: Page;
  let supplier: string;
  let sandbox: string;
  let pageErrors: string[] = [];
  let orderID = '';
  let poPath = '';
  let requisitionTotal = '';

  before(async () => {
    chain = await startChain('proc-admin');
    ({ t, page, supplier, sandbox, pageErrors } = chain);
  });

  after(async () => {
    await chain?.close();
  });

  /** A product of the demo catalog and the quantity that brings a cart to between `from` and `to` EUR. */
  async function productFor(from: number, to: number, offset: number) {
    const products = await t.store.db.selectFrom('products').selectAll().where('stock', '>', 0).where('currency', '=', 'EUR').where('unit', '=', 'EA').orderBy('sku').execute();
    for (const p of products.slice(offset)) {
      const price = new Decimal(p.price);
      const quantity = Decimal.ceil(new Decimal(from).div(price));
      const total = price.times(quantity);
      if (quantity.lte(50) && total.gte(from) && total.lt(to)) return { product: p, quantity: quantity.toFixed() };
    }
    throw new Error(`no demo product makes a cart between ${from} and ${to} EUR`);
  }

  /** Punches out over cXML from the sandbox, puts `quantity` of the product in the cart and transfers it; ends on the requisition. */
  async function cartToRequisition(product: { sku: string; name: string }, quantity: string, buyer = 'Alex Meyer'): Promise<void> {
    await page.goto(`${sandbox}/sandbox`);
    await page.getByRole('radio', { name: 'cXML' }).check();
    await page.getByRole('checkbox', { name: /inside an iframe/ }).setChecked(false);
    await page.getByRole('button', { name: 'Start punchout' }).click();
    await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();
    // The setup request named the person acting in the sandbox as the end user.
    await page.getByText(`Punchout session for ${buyer}`).waitFor();
    await page.getByRole('searchbox', { name: 'Search products' }).fill(product.sku);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const card = page.getByRole('article').filter({ has: page.getByRole('heading', { name: product.name, exact: true }) });
    await card.getByRole('spinbutton', { name: `Quantity for ${product.name}`, exact: true }).fill(quantity);
    await card.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByRole('link', { name: /^Cart · 1 item/ }).click();
    await page.getByRole('button', { name: 'Transfer cart' }).click();
    await page.waitForURL((u) => u.origin === sandbox && /^\/sandbox\/requisitions\/[^/]+$/.test(u.pathname));
    await page.getByRole('heading', { level: 1, name: /^Requisition REQ-/ }).waitFor();
  }

  async function actAs(name: RegExp): Promise<void> {
    await page.goto(`${sandbox}/sandbox/setup`);
    const person = page.locator('form[action="/sandbox/setup/acting"] select[name=person]');
    await person.selectOption({ label: (await person.locator('option').allInnerTexts()).find((o) => name.test(o))! });
    await page.getByRole('button', { name: 'Act as this person' }).click();
    await page.getByText(name).first().waitFor();
  }

  test('a cart over 250 EUR becomes a requisition that the manager approves; the PO reaches the supplier', { timeout: 90_000 }, () =>
    screenshotOnFailure(page, SHOTS, '1-approval', async () => {
      const { product, quantity } = await productFor(300, 1500, 10);
      await cartToRequisition(product, quantity);
      await screenshot(page, SHOTS, '1-requisition-draft');
      await page.getByRole('button', { name: 'Submit for approval' }).click();
      const approval = page.locator('section#approval');
      await approval.getByText('Manager approval from 250 EUR').waitFor();
      assert.equal(await page.locator('a[href^="/sandbox/orders/"]').count(), 0, 'no purchase order before the approval');
      const requisitionUrl = page.url();

      await actAs(/Maria Schulz/);
      await page.goto(`${sandbox}/sandbox/approvals`);
      const row = page.getByRole('row').filter({ hasText: product.name.slice(0, 10) }).or(page.getByRole('row').filter({ has: page.getByRole('button', { name: 'Approve' }) })).first();
      await row.getByLabel('Comment').fill('Fine for the facilities budget.');
      await row.getByRole('button', { name: 'Approve' }).click();
      await page.goto(requisitionUrl);
      const poLink = page.locator('a[href^="/sandbox/orders/"]').first();
      await poLink.waitFor();
      poPath = (await poLink.getAttribute('href'))!;
      await screenshot(page, SHOTS, '1-requisition-ordered');
      await page.goto(`${sandbox}${poPath}`);
      const heading = page.getByRole('heading', { level: 1, name: /^Purchase order SBX-/ });
      orderID = /SBX-\d{8}-\d+/.exec(await heading.innerText())![0];
      const po = await t.store.db.selectFrom('sandbox_purchase_orders').selectAll().where('order_id', '=', orderID).executeTakeFirstOrThrow();
      assert.equal(po.status, 'open');
      requisitionTotal = po.total;
      // The supplier stored it, with the cost center the requisition was approved for.
      const order = await t.store.db.selectFrom('orders').selectAll().where('connection_id', '=', 'demo-cxml').where('order_id', '=', orderID).executeTakeFirstOrThrow();
      assert.match(order.header, /CostCenter[^}]*1000/);
      await screenshot(page, SHOTS, '1-po-open');
    }),
  );

  test('the supplier confirms, ships and invoices through its admin; the outbox delivers to the sandbox', { timeout: 90_000 }, () =>
    screenshotOnFailure(page, SHOTS, '2-supplier', async () => {
      assert.ok(orderID, 'needs the purchase order of the first test');
      await chain!.adminLogin();
      await page.goto(`${supplier}/admin/orders`);
      await page.getByRole('link', { name: orderID, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: new RegExp(orderID) }).waitFor();
      const send = (title: string, fill: () => Promise<void>, button: string, prefix: string) => sendOrderDocument(page, title, fill, button, prefix);
      await send('Confirm or reject', async () => undefined, 'Send confirmation', 'C');
      await send('Ship notice', async () => {
        const form = page.locator('details#ship');
        await form.getByLabel('Carrier').fill('DHL Freight');
        await form.getByLabel('Tracking number').fill('JD-PROC-0001');
      }, 'Send ship notice', 'SN');
      await send('Invoice', async () => undefined, 'Send invoice', 'INV');

      const po = await t.store.db.selectFrom('sandbox_purchase_orders').select('id').where('order_id', '=', orderID).executeTakeFirstOrThrow();
      const deadline = Date.now() + 30_000;
      let accepted = 0;
      while (Date.now() < deadline) {
        accepted = (await t.store.db.selectFrom('sandbox_documents').select('id').where('po_id', '=', po.id).where('status', '=', 'accepted').execute()).length;
        if (accepted === 3) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(accepted, 3, 'confirmation, ship notice and invoice accepted by the sandbox');
    }),
  );

  test('the storekeeper records the goods receipt; the three-way match is clean; the budget shows the spend', { timeout: 60_000 }, () =>
    screenshotOnFailure(page, SHOTS, '3-match', async () => {
      assert.ok(poPath, 'needs the purchase order');
      await page.goto(sandbox + poPath);
      const match = page.locator('section').filter({ has: page.getByRole('heading', { level: 2, name: /^Three-way match/ }) });
      assert.doesNotMatch(await match.innerText(), /Match clean/, 'not clean before the goods are received');
      await actAs(/Sam Okafor/);
      await page.goto(sandbox + poPath);
      // The form is prefilled with what is still outstanding: everything.
      await page.getByRole('button', { name: 'Record receipt' }).click();
      await page.locator('section').filter({ has: page.getByRole('heading', { level: 2, name: 'Goods receipts' }) }).getByText(/GR-\d+/).first().waitFor();
      await match.getByText('Match clean').waitFor();
      await screenshot(page, SHOTS, '3-po-match-clean');

      await page.goto(`${sandbox}/sandbox/budgets`);
      const row = page.getByRole('row').filter({ hasText: 'Facilities' }).first();
      const text = await row.innerText();
      // Committed on approval and turned into spent by the invoice: the net goods value of the order.
      const spent = new Decimal(requisitionTotal).toFixed(2);
      assert.ok(text.replace(/[\s,]/g, '').includes(spent.replace(/,/g, '')), `the budget row shows ${spent} spent: ${text}`);
      await screenshot(page, SHOTS, '3-budgets');
    }),
  );

  test('a requisition over the budget of its cost center cannot be approved', { timeout: 60_000 }, () =>
    screenshotOnFailure(page, SHOTS, '4-over-budget', async () => {
      await actAs(/Alex Meyer/);
      // Cost center 2000 (IT) has 1500 EUR for the year; this cart needs the manager (≥ 250) but not finance (< 2500).
      const { product, quantity } = await productFor(1600, 2400, 20);
      await cartToRequisition(product, quantity);
      const edit = page.locator('form#edit');
      await edit.locator('select[name=costCenter]').selectOption('2000');
      await edit.getByRole('button', { name: 'Save the draft' }).click();
      await page.getByRole('button', { name: 'Submit for approval' }).click();
      await page.locator('section#approval').getByText('Manager approval from 250 EUR').waitFor();
      const requisitionUrl = page.url();
      await actAs(/Maria Schulz/);
      await page.goto(requisitionUrl);
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.getByText(/budget/i).first().waitFor();
      const body = await page.locator('main').innerText();
      assert.match(body, /2000/);
      assert.match(body, /1[ ,]?500\.00/, 'names the available amount');
      await screenshot(page, SHOTS, '4-over-budget-refused');
      const id = new URL(requisitionUrl).pathname.split('/').pop()!;
      const r = await t.store.db.selectFrom('sandbox_requisitions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(r.status, 'pending');
      assert.equal(r.po_id, null);
      const entries = await t.store.db.selectFrom('sandbox_budget_entries').select('id').where('requisition_id', '=', id).execute();
      assert.equal(entries.length, 0, 'nothing committed');
    }),
  );

  test('taking stock below its minimum sends a purchase order without anyone clicking to order', { timeout: 60_000 }, () =>
    screenshotOnFailure(page, SHOTS, '5-reorder', async () => {
      await actAs(/Sam Okafor/);
      const item = await t.store.db.selectFrom('sandbox_inventory_items').selectAll().orderBy('name').executeTakeFirstOrThrow();
      const take = new Decimal(item.stock).minus(item.min_stock).plus(1);
      const ordersBefore = (await t.store.db.selectFrom('orders').select('id').execute()).length;
      await page.goto(`${sandbox}/sandbox/inventory`);
      await page.getByLabel(`Quantity of ${item.name} to take (${item.unit})`).fill(take.toFixed());
      const row = page.getByRole('row').filter({ has: page.getByLabel(`Quantity of ${item.name} to take (${item.unit})`) });
      await row.getByRole('button', { name: 'Take from stock' }).click();
      await page.getByText(/Re-order REQ-\d{8}-\d+/).first().waitFor();
      await screenshot(page, SHOTS, '5-reorder-notice');
      const reorder = await t.store.db.selectFrom('sandbox_requisitions').selectAll().where('source', '=', 'reorder').executeTakeFirstOrThrow();
      assert.equal(reorder.status, 'ordered');
      const po = await t.store.db.selectFrom('sandbox_purchase_orders').selectAll().where('id', '=', reorder.po_id!).executeTakeFirstOrThrow();
      assert.equal(po.status, 'open');
      const orders = await t.store.db.selectFrom('orders').selectAll().where('order_id', '=', po.order_id).execute();
      assert.equal(orders.length, 1, 'the supplier stored the re-order');
      assert.equal((await t.store.db.selectFrom('orders').select('id').execute()).length, ordersBefore + 1);
      await page.goto(`${sandbox}/sandbox/orders/${po.id}`);
      await page.getByRole('heading', { level: 1, name: new RegExp(po.order_id) }).waitFor();
      await screenshot(page, SHOTS, '5-reorder-po');
      assert.deepEqual(pageErrors, []);
    }),
  );
});
