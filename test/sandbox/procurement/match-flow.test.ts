/**
 * The three-way match end to end on a real Koppel: a requisition below every threshold is ordered
 * over real HTTP from this Koppel's demo-cxml connection; goods are received through the order
 * page's form; Koppel's own invoice and credit memo reach the sandbox through the outbox; the
 * order page shows the match as it goes (open → differences → clean → differences).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createCreditMemo, createInvoice } from '../../../src/app/order-documents.js';
import { seedDemo } from '../../../src/app/demo-seed.js';
import { claimDue, deliverClaimed } from '../../../src/jobs/outbox.js';
import { defaultSettings } from '../../../src/sandbox/settings.js';
import type { ProcurementDeps, PurchaseOrder } from '../../../src/sandbox/procurement/model.js';
import { findPurchaseOrder } from '../../../src/sandbox/procurement/purchase-orders.js';
import { createRequisition, submitRequisition } from '../../../src/sandbox/procurement/requisitions.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
let deps: ProcurementDeps;
let po: PurchaseOrder;
let orderRowId: string;
const actor = { kind: 'admin', name: 'tests' } as const;

before(async () => {
  t = await startTestApp({ demo: false, config: { secretKey: randomBytes(32).toString('base64') } });
  await seedDemo(t.ctx);
  deps = { db: t.store.db, config: t.ctx.config, now: () => new Date(), fetch };
  const supplier = { ...defaultSettings(t.baseUrl), protocol: 'cxml' as const };
  const products = await t.store.db.selectFrom('products').selectAll().where('currency', '=', 'EUR').orderBy('price').limit(2).execute();
  assert.equal(products.length, 2);
  const lines = products.map((p, i) => {
    const quantity = i === 0 ? '3' : '2';
    return { line: i + 1, supplierPartID: p.sku, description: p.name, quantity, unit: p.unit, unitPrice: p.price, lineTotal: multiply(quantity, p.price), currency: 'EUR' };
  });
  const r = await createRequisition(deps, { source: 'punchout', title: 'Match flow', requesterId: 'alex', costCenter: '1000', currency: 'EUR', supplier, lines }, 'person:alex');
  const ordered = await submitRequisition(deps, r.id, 'person:alex');
  assert.equal(ordered.status, 'ordered');
  po = (await findPurchaseOrder(t.store.db, ordered.poId!))!;
  assert.equal(po.status, 'open');
  orderRowId = (await t.store.db.selectFrom('orders').select('id').where('connection_id', '=', 'demo-cxml').where('order_id', '=', po.orderId).executeTakeFirstOrThrow()).id;
});

after(async () => {
  await t.close();
});

/** quantity × price in cents, as text with 2 places (test data only: integer quantities). */
function multiply(quantity: string, price: string): string {
  const [whole, frac = ''] = price.split('.');
  const cents = BigInt(whole! + frac.padEnd(2, '0').slice(0, 2)) * BigInt(quantity);
  const s = cents.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

async function page(): Promise<string> {
  const res = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}`);
  assert.equal(res.status, 200);
  return res.text();
}

function matchOf(html: string): string {
  const m = /<section class="card" id="match">([\s\S]*?)<\/section>/.exec(html);
  assert.ok(m, 'the page has the match section');
  return m[1]!;
}

async function receive(quantities: Record<string, string>): Promise<void> {
  const res = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/receipts`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'koppel_sandbox_person=sam' },
    body: new URLSearchParams({ ...quantities, receivedOn: '', note: '' }).toString(),
  });
  assert.equal(res.status, 303, await res.text());
}

async function deliverAll(): Promise<void> {
  const claimed = await claimDue(t.ctx, { owner: 'tests', limit: 10, leaseMs: 60_000 });
  assert.ok(claimed.length > 0);
  for (const row of claimed) {
    const outcome = await deliverClaimed(t.ctx, row, { owner: 'tests', settings: { maxAttempts: 1, baseDelayMs: 1000, maxDelayMs: 1000, requestTimeoutMs: 10_000 } });
    assert.equal(outcome.status, 'delivered', `${row.doc_type}: ${outcome.reason}`);
  }
}

describe('three-way match of a real order', () => {
  test('open, then differences, then clean, then a header-level credit memo', async () => {
    assert.match(matchOf(await page()), /<span class="badge muted">Open<\/span>/);

    await receive({ 'qty-1': '3', 'qty-2': '1' });
    let match = matchOf(await page());
    assert.match(match, /Open/);
    assert.match(match, /Still to come: line 1: 3 \w+ to invoice; line 2: 1 \w+ to receive; line 2: 2 \w+ to invoice\./);

    const invoiced = await createInvoice(t.ctx, orderRowId, { lines: [{ lineNumber: 1, quantity: '3' }, { lineNumber: 2, quantity: '2' }] }, actor);
    assert.ok(invoiced.ok, JSON.stringify(invoiced));
    await deliverAll();
    match = matchOf(await page());
    assert.match(match, /<span class="badge error">Differences<\/span>/);
    assert.match(match, /invoiced 2 \w+, received 1 \w+/);

    await receive({ 'qty-1': '0', 'qty-2': '1' });
    match = matchOf(await page());
    assert.match(match, /<span class="badge ok">Match clean<\/span>/, match);
    // Received and invoiced in full, matching: the order reads complete; change and cancel are folded away.
    const complete = await page();
    assert.match(complete, /<h1>Purchase order [^<]+ <span class="badge ok">Complete<\/span><\/h1>/);
    assert.match(complete, /<details><summary>Change or cancel anyway<\/summary><form method="post" action="[^"]+\/change">/);
    // The list says the same as the order's own page (not "Open" next to a clean match).
    const list = await (await fetch(`${t.baseUrl}/sandbox/orders`)).text();
    const row = list.slice(list.indexOf(`/sandbox/orders/${po.id}`));
    assert.match(row.slice(0, row.indexOf('</tr>')), /<span class="badge ok">Complete<\/span>[\s\S]*<td>clean<\/td>/);
    // So does the requisition list's note on the order.
    const reqs = await (await fetch(`${t.baseUrl}/sandbox/requisitions`)).text();
    assert.match(reqs, /<span class="muted small">order complete<\/span>/);

    const number = (await t.store.db.selectFrom('order_documents').select('number').where('order_id', '=', orderRowId).where('kind', '=', 'invoice').executeTakeFirstOrThrow()).number;
    const memo = await createCreditMemo(t.ctx, orderRowId, { invoiceNumber: number, amount: '0.01', reason: 'Late delivery' }, actor);
    assert.ok(memo.ok, JSON.stringify(memo));
    await deliverAll();
    match = matchOf(await page());
    assert.match(match, /Differences/);
    assert.match(match, /credit memo [^ ]+ over -0\.01 EUR names no line of the order/);
  });
});
