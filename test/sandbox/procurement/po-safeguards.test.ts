/**
 * Safeguards of the sandbox's purchase orders (review findings): a change order cannot raise the
 * total past the approvals given; the order sent is the cart that was approved; an order the
 * supplier never received can be cancelled; change quantities are read strictly.
 * Real store, real HTTP; Koppel's own /cxml is the supplier.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Decimal } from 'decimal.js';
import type { ItemOutInput } from '../../../src/protocol/cxml/writer.js';
import { pairsFromHtmlForm } from '../../../src/protocol/oci/cart-form-reader.js';
import { requisitionLedger } from '../../../src/sandbox/procurement/budgets.js';
import { eventsFor, newId } from '../../../src/sandbox/procurement/history.js';
import { ProcurementError, type ApprovalStep, type ProcurementDeps, type PurchaseOrder, type Requisition, type RequisitionLine } from '../../../src/sandbox/procurement/model.js';
import {
  cancelPurchaseOrder,
  cartDisagreement,
  changeBelowDelivered,
  changePurchaseOrder,
  findPurchaseOrder,
  messagesFor,
  missingApprovals,
  parseChangeQuantity,
  poLines,
  resendMessage,
  STALE_SENDING_MS,
  whyNotCancellable,
  withdrawCancellation,
  type Delivered,
} from '../../../src/sandbox/procurement/purchase-orders.js';
import { recordGoodsReceipt } from '../../../src/sandbox/procurement/receipts.js';
import { createRequisition, findRequisition, submitRequisition } from '../../../src/sandbox/procurement/requisitions.js';
import { findPunchout } from '../../../src/sandbox/punchout-record.js';
import { defaultSettings, type SandboxSettings } from '../../../src/sandbox/settings.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
let product: { sku: string; name: string; unit: string; price: string; currency: string };
let posted: string[] = [];
/** While true, every POST to the supplier fails as if it were down (nothing is counted as posted). */
let supplierDown = false;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

/** The order version a freshly loaded page would put into its change and cancel forms. */
async function shownVersion(poId: string): Promise<number> {
  return (await findPurchaseOrder(t.store.db, poId))!.version;
}

const fetchSpy: typeof fetch = async (input, init) => {
  if (supplierDown) throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED (test)') });
  posted.push(String(input));
  return fetch(input, init);
};

function deps(): ProcurementDeps {
  return { db: t.store.db, config: t.ctx.config, now: () => new Date(), fetch: fetchSpy };
}

function line(quantity: string): RequisitionLine {
  return {
    line: 1,
    supplierPartID: product.sku,
    description: product.name,
    quantity,
    unit: product.unit,
    unitPrice: product.price,
    lineTotal: new Decimal(product.price).times(quantity).toDecimalPlaces(2).toFixed(2),
    currency: product.currency,
  };
}

async function orderedReorder(quantity: string, supplier: SandboxSettings = defaultSettings(t.baseUrl)): Promise<{ req: Requisition; po: PurchaseOrder }> {
  const draft = await createRequisition(deps(), { source: 'reorder', title: 'Safeguard test', requesterId: 'sam', costCenter: '1000', lines: [line(quantity)], currency: 'EUR', supplier }, 'system');
  const req = await submitRequisition(deps(), draft.id, 'system');
  assert.ok(req.poId, `the requisition has a purchase order (${req.status})`);
  return { req, po: (await findPurchaseOrder(t.store.db, req.poId))! };
}

/** A quantity of the product whose total is at least `amount` EUR. */
function quantityFor(amount: number): string {
  return new Decimal(amount).dividedBy(product.price).ceil().toFixed();
}

async function approvedStep(requisitionId: string, role: 'approver' | 'finance', position: number): Promise<void> {
  await t.store.db
    .insertInto('sandbox_approval_steps')
    .values({ id: newId('st'), requisition_id: requisitionId, position, rule_id: null, rule_name: `Test ${role}`, approver_role: role, status: 'approved', decided_by: role === 'finance' ? 'felix' : 'maria', comment: '', decided_at: new Date().toISOString() })
    .execute();
}

before(async () => {
  t = await startTestApp({ config: { secretKey: randomBytes(32).toString('base64') } });
  const row = await t.store.db.selectFrom('products').selectAll().where('currency', '=', 'EUR').where('stock', '>', 0).orderBy('sku').limit(1).executeTakeFirstOrThrow();
  product = { sku: row.sku, name: row.name, unit: row.unit, price: row.price, currency: row.currency };
  assert.ok(new Decimal(product.price).lt(100), 'a cheap product, so small orders stay below every threshold');
});

after(async () => {
  await t.close();
});

describe('a change order cannot skip approval', () => {
  test('missingApprovals: roles the approved steps did not have; an automatic step covers no role', () => {
    const step = (approverRole: ApprovalStep['approverRole'], status: ApprovalStep['status']): ApprovalStep => ({
      id: 's',
      requisitionId: 'r',
      position: 0,
      ruleId: null,
      ruleName: 'x',
      approverRole,
      status,
      decidedBy: null,
      comment: '',
      decidedAt: null,
    });
    const planned = [
      { ruleId: 'a', ruleName: 'Manager', approverRole: 'approver' as const },
      { ruleId: 'b', ruleName: 'Finance', approverRole: 'finance' as const },
    ];
    assert.deepEqual(missingApprovals(planned, [step(null, 'auto')]).map((p) => p.approverRole), ['approver', 'finance']);
    assert.deepEqual(missingApprovals(planned, [step('approver', 'approved')]).map((p) => p.approverRole), ['finance']);
    assert.deepEqual(missingApprovals(planned, [step('approver', 'approved'), step('finance', 'pending')]).map((p) => p.approverRole), ['finance']);
    assert.deepEqual(missingApprovals([{ ruleId: 'c', ruleName: 'Auto', approverRole: null }], []), []);
  });

  test('an auto-approved order raised past the thresholds is refused (409, nothing sent); lowering stays allowed', async () => {
    const { req, po } = await orderedReorder('1');
    posted = [];
    const raise = quantityFor(2600);
    await assert.rejects(changePurchaseOrder(deps(), po.id, new Map([[1, raise]]), 'person:alex'), (e: ProcurementError) => {
      assert.equal(e.status, 409);
      assert.match(e.message, /needs approval by approver and finance/);
      assert.match(e.message, /Place a new requisition for the additional quantity/);
      return true;
    });
    assert.equal(posted.length, 0);
    const same = (await findPurchaseOrder(t.store.db, po.id))!;
    assert.equal(same.version, 1);
    assert.equal(same.total, po.total);
    assert.equal((await requisitionLedger(t.store.db, req.id))!.committed.toFixed(2), new Decimal(po.total).toFixed(2));

    // Over the automatic re-order limit (1000 EUR): a manager is needed.
    await assert.rejects(changePurchaseOrder(deps(), po.id, new Map([[1, quantityFor(1000)]]), 'person:alex'), /needs approval by approver \(/);

    // The form answers 409 with the figures and keeps what was typed.
    const res = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/change`, { method: 'POST', redirect: 'manual', headers: form, body: `version=${await shownVersion(po.id)}&qty-1=${raise}` });
    assert.equal(res.status, 409);
    const page = await res.text();
    assert.match(page, new RegExp(`name="qty-1" value="${raise}"`));
    assert.match(page, /A raise to [\d.]+ EUR \(now [\d.]+ EUR\) needs approval by approver and finance/);
    // The pages post through the server's own fetch: the order's messages say what was sent.
    assert.deepEqual((await messagesFor(t.store.db, po.id)).map((m) => m.type), ['new'], 'no change sent');

    // A small raise the automatic rule still covers, then lowering: both go.
    const small = await changePurchaseOrder(deps(), po.id, new Map([[1, '2']]), 'person:alex');
    assert.equal(small.version, 2);
    const lower = await changePurchaseOrder(deps(), po.id, new Map([[1, '1']]), 'person:alex');
    assert.equal(lower.version, 3);
  });

  test('a raise within the roles that approved the requisition goes; past them it is refused; the budget still counts', async () => {
    const { req, po } = await orderedReorder('1');
    await approvedStep(req.id, 'approver', 11);
    const within = await changePurchaseOrder(deps(), po.id, new Map([[1, quantityFor(1200)]]), 'person:maria');
    assert.equal(within.version, 2);
    await assert.rejects(changePurchaseOrder(deps(), po.id, new Map([[1, quantityFor(2600)]]), 'person:maria'), (e: ProcurementError) => e.status === 409 && /needs approval by finance/.test(e.message));
    await approvedStep(req.id, 'finance', 12);
    await assert.rejects(changePurchaseOrder(deps(), po.id, new Map([[1, quantityFor(100_000)]]), 'person:felix'), /Over budget/);
    assert.equal((await findPurchaseOrder(t.store.db, po.id))!.version, 2);
  });
});

describe('change quantities are read strictly', () => {
  test('parseChangeQuantity: plain decimals only, surrounding spaces trimmed', () => {
    assert.equal(parseChangeQuantity(1, ' 3 ').toFixed(), '3');
    assert.equal(parseChangeQuantity(1, '2.5').toFixed(), '2.5');
    assert.equal(parseChangeQuantity(1, '0').toFixed(), '0');
    assert.equal(parseChangeQuantity(1, '12345678901.125').toFixed(), '12345678901.125');
    assert.equal(parseChangeQuantity(1, '2.5000').toFixed(), '2.5', 'trailing zeros are not decimals that count');
    // Finer than 3 decimals could never be received in full through the receipt form.
    assert.throws(() => parseChangeQuantity(1, '1.0005'), (e: ProcurementError) => e.status === 422 && e.field === 'qty-1' && /at most 3 decimals/.test(e.message));
    for (const bad of ['0x10', '1e1', '1e-30', '-1', '+3', '1.1234', '123456789012', '1 000', '.5', '5.', 'Infinity', 'NaN', '']) {
      assert.throws(() => parseChangeQuantity(2, bad), (e: ProcurementError) => e.status === 422 && e.field === 'qty-2', bad);
    }
  });

  test('the change form: spaces around a number are fine (no 500); hex and exponents are a 422 with the value kept', async () => {
    const { po } = await orderedReorder('2');
    const spaced = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/change`, { method: 'POST', redirect: 'manual', headers: form, body: `version=${await shownVersion(po.id)}&qty-1=+3+` });
    assert.equal(spaced.status, 303);
    assert.equal((await findPurchaseOrder(t.store.db, po.id))!.version, 2);
    for (const typed of ['0x10', '1e1', '1e-30']) {
      const res = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/change`, { method: 'POST', redirect: 'manual', headers: form, body: new URLSearchParams({ version: String(await shownVersion(po.id)), 'qty-1': typed }).toString() });
      assert.equal(res.status, 422, typed);
      const page = await res.text();
      assert.match(page, new RegExp(`name="qty-1" value="${typed}"`));
      assert.match(page, /is not a quantity/);
    }
    assert.equal((await findPurchaseOrder(t.store.db, po.id))!.version, 2);
  });
});

describe('an order the supplier never received', () => {
  const down = () => ({ ...defaultSettings(t.baseUrl), cxmlUrl: 'http://127.0.0.1:1/cxml' });

  test('can be cancelled: nothing is sent, the commitment is released, resend is refused', async () => {
    const { req, po } = await orderedReorder('1', down());
    assert.equal(po.status, 'failed');
    assert.ok((await requisitionLedger(t.store.db, req.id))!.committed.gt(0));
    posted = [];
    const page = await (await fetch(`${t.baseUrl}/sandbox/orders/${po.id}`)).text();
    assert.match(page, /nothing is sent to the supplier/);
    const res = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/cancel`, { method: 'POST', redirect: 'manual', headers: form, body: `version=${await shownVersion(po.id)}&undelivered=1&reason=supplier+gone` });
    assert.equal(res.status, 303);
    const cancelled = (await findPurchaseOrder(t.store.db, po.id))!;
    assert.equal(cancelled.status, 'cancelled');
    assert.equal((await requisitionLedger(t.store.db, req.id))!.committed.toFixed(), '0');
    const events = await eventsFor(t.store.db, [{ type: 'po', id: po.id }]);
    assert.ok(events.some((e) => e.kind === 'cancelled' && /Nothing was sent to the supplier/.test(e.text)));
    assert.equal((await messagesFor(t.store.db, po.id)).length, 1, 'no delete message');
    assert.equal((await findRequisition(t.store.db, req.id))!.status, 'cancelled', 'the requisition is cancelled with its order');
    await assert.rejects(resendMessage(deps(), po.id), (e: ProcurementError) => e.status === 409);
    const after = await (await fetch(`${t.baseUrl}/sandbox/orders/${po.id}`)).text();
    assert.doesNotMatch(after, /action="[^"]*\/resend"/);
    // Cancelled twice: a real state conflict.
    const again = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/cancel`, { method: 'POST', redirect: 'manual', headers: form, body: `version=${await shownVersion(po.id)}&reason=again` });
    assert.equal(again.status, 409);
  });

  test('a page still offering "nothing is sent" after the order was resent meanwhile sends no delete', async () => {
    supplierDown = true;
    let po: PurchaseOrder;
    try {
      po = (await orderedReorder('1')).po;
    } finally {
      supplierDown = false;
    }
    assert.equal(po.status, 'failed');
    const page = await (await fetch(`${t.baseUrl}/sandbox/orders/${po.id}`)).text();
    assert.match(page, /name="undelivered" value="1"/);
    await resendMessage(deps(), po.id);
    assert.equal((await findPurchaseOrder(t.store.db, po.id))!.status, 'open');
    // The pages post through the server's own fetch: the order's messages say what was sent.
    const res = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/cancel`, { method: 'POST', redirect: 'manual', headers: form, body: 'version=1&undelivered=1&reason=supplier+gone' });
    assert.equal(res.status, 409);
    assert.match(await res.text(), /was sent again since this page was shown and the supplier accepted it; nothing was cancelled\. A cancellation now goes to the supplier/);
    assert.deepEqual((await messagesFor(t.store.db, po.id)).map((m) => m.type), ['new'], 'no delete went to the supplier');
    assert.equal((await findPurchaseOrder(t.store.db, po.id))!.status, 'open');
    // The open order's own cancel form says so and sends the delete.
    const now = await (await fetch(`${t.baseUrl}/sandbox/orders/${po.id}`)).text();
    assert.doesNotMatch(now, /name="undelivered"/);
    const sent = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/cancel`, { method: 'POST', redirect: 'manual', headers: form, body: 'version=1&reason=supplier+gone' });
    assert.equal(sent.status, 303);
    assert.deepEqual((await messagesFor(t.store.db, po.id)).map((m) => [m.type, m.status]), [['new', 'accepted'], ['delete', 'accepted']]);
    assert.equal((await findPurchaseOrder(t.store.db, po.id))!.status, 'cancelled');
  });

  test('a rejected order stays a 409 for cancelling', async () => {
    const { po } = await orderedReorder('1', { ...defaultSettings(t.baseUrl), sharedSecret: 'wrong-secret' });
    assert.equal(po.status, 'rejected');
    await assert.rejects(cancelPurchaseOrder(deps(), po.id, 'person:sam', 'x'), (e: ProcurementError) => e.status === 409);
  });
});

describe('the order sent is the cart that was approved', () => {
  const item = (over: { part?: string; aux?: string; qty?: string; price?: string; currency?: string; lineNumber?: number } = {}): ItemOutInput => ({
    quantity: new Decimal(over.qty ?? '2'),
    lineNumber: over.lineNumber ?? 1,
    itemID: { supplierPartID: over.part ?? 'P-1', ...(over.aux !== undefined ? { supplierPartAuxiliaryID: over.aux } : {}) },
    itemDetail: { unitPrice: { amount: new Decimal(over.price ?? '4.65'), currency: over.currency ?? 'EUR' }, descriptions: [{ lang: 'en', text: 'x' }], unitOfMeasure: 'EA', classifications: [] },
  });
  const reqLine: RequisitionLine = { line: 1, supplierPartID: 'P-1', description: 'x', quantity: '2', unit: 'EA', unitPrice: '4.650', lineTotal: '9.30', currency: 'EUR' };

  test('cartDisagreement compares part, aux ID, quantity, unit price and currency line by line', () => {
    assert.equal(cartDisagreement([item()], [reqLine]), undefined);
    assert.match(cartDisagreement([item({ price: '4650' })], [reqLine])!, /line 1: unit price 4650 instead of 4.650/);
    assert.match(cartDisagreement([item({ part: 'P-2' })], [reqLine])!, /SupplierPartID/);
    assert.match(cartDisagreement([item({ aux: 'A' })], [reqLine])!, /aux ID/);
    assert.match(cartDisagreement([item({ qty: '3' })], [reqLine])!, /quantity 3 instead of 2/);
    assert.match(cartDisagreement([item({ currency: 'USD' })], [reqLine])!, /currency USD/);
    assert.match(cartDisagreement([item(), item({ lineNumber: 2 })], [reqLine])!, /line 2 of the cart is not in the requisition/);
    assert.match(cartDisagreement([], [reqLine])!, /line\(s\) 1 of the requisition are not in the cart/);
  });

  /** A cXML punchout on this Koppel with `quantity` of the first product in the cart; the return form not yet posted. */
  async function cartForm(quantity: string): Promise<{ action: string; pairs: [string, string][] }> {
    const started = await fetch(`${t.baseUrl}/sandbox/punchouts`, { method: 'POST', redirect: 'manual', headers: form, body: 'protocol=cxml' });
    const shop = await fetch(started.headers.get('location')!, { redirect: 'manual' });
    const session = shop.headers.get('location')!.split('?')[0]!;
    const p = await t.store.db.selectFrom('products').select('id').where('sku', '=', product.sku).executeTakeFirstOrThrow();
    await fetch(`${t.baseUrl}${session}/cart/add`, { method: 'POST', redirect: 'manual', headers: form, body: new URLSearchParams({ product_id: p.id, quantity }).toString() });
    const transfer = await (await fetch(`${t.baseUrl}${session}/transfer`, { method: 'POST', redirect: 'manual', headers: form, body: '' })).text();
    const action = /<form[^>]*action="([^"]+)"/.exec(transfer)![1]!.replace(/&amp;/g, '&');
    return { action, pairs: pairsFromHtmlForm(transfer) as [string, string][] };
  }

  function cartXml(pairs: [string, string][]): string {
    const b64 = pairs.find(([k]) => k.toLowerCase() === 'cxml-base64');
    return b64 ? Buffer.from(b64[1], 'base64').toString('utf8') : pairs.find(([k]) => k.toLowerCase() === 'cxml-urlencoded')![1];
  }

  /** The cart with every price × 1000 (test input, edited as text on purpose) and optionally Status 204. */
  function dearer(xml: string, status204: boolean): string {
    let out = xml.replace(/<Money currency="([A-Z]{3})">([0-9.]+)<\/Money>/g, (_m, c: string, v: string) => `<Money currency="${c}">${new Decimal(v).times(1000).toFixed()}</Money>`);
    if (status204) out = out.replace(/<Message([^>]*)>/, '<Message$1><Status code="204" text="No Content"/>');
    return out;
  }

  async function post(action: string, pairs: [string, string][]): Promise<Response> {
    return fetch(action, { method: 'POST', redirect: 'manual', headers: form, body: new URLSearchParams(pairs).toString() });
  }

  test('a later Status 204 cart or an unreadable cart does not replace the cart a requisition was made from', async () => {
    const { action, pairs } = await cartForm('1');
    const back = await post(action, pairs);
    const reqId = back.headers.get('location')!.split('/').pop()!;
    const draft = (await findRequisition(t.store.db, reqId))!;
    const before = (await findPunchout(t.store.db, draft.punchoutId!))!;

    const late = await post(action, [['cXML-urlencoded', dearer(cartXml(pairs), true)]]);
    assert.equal(late.status, 303);
    assert.match(late.headers.get('location')!, /\/sandbox\/punchouts\//);
    const garbage = await post(action, [['cXML-urlencoded', '<cXML><nonsense']]);
    assert.equal(garbage.status, 303);

    const now = (await findPunchout(t.store.db, draft.punchoutId!))!;
    assert.equal(now.cartRaw, before.cartRaw, 'the stored cart is the one the requisition was made from');
    assert.equal(now.status, 'returned');
    assert.deepEqual(now.cartLines, before.cartLines);
    assert.ok(now.info.cartWarnings.some((w) => /A later cart was not stored: it is empty or cancelled/.test(w)));
    assert.ok(now.info.cartWarnings.some((w) => /A later cart was not stored: it is not a readable cart/.test(w)));
    const page = await (await fetch(`${t.baseUrl}/sandbox/punchouts/${draft.punchoutId}`)).text();
    assert.match(page, /A later cart was not stored/);
    assert.match(page, /Later cart as received: .*nonsense/);

    posted = [];
    await submitRequisition(deps(), reqId, 'person:alex');
    const ordered = (await findRequisition(t.store.db, reqId))!;
    assert.equal(ordered.status, 'ordered');
    const po = (await findPurchaseOrder(t.store.db, ordered.poId!))!;
    assert.equal(po.total, draft.total, 'the order is the approved cart');
  });

  test('a stored cart that differs from the approved requisition is not sent; the requisition stays approved with a note', async () => {
    const { action, pairs } = await cartForm('1');
    const back = await post(action, pairs);
    const reqId = back.headers.get('location')!.split('/').pop()!;
    const draft = (await findRequisition(t.store.db, reqId))!;
    // Whatever path wrote it: the stored cart no longer matches the requisition.
    await t.store.db.updateTable('sandbox_punchouts').set({ cart_raw: dearer(cartXml(pairs), false) }).where('id', '=', draft.punchoutId!).execute();
    const ordersBefore = (await t.store.db.selectFrom('sandbox_purchase_orders').select('id').execute()).length;

    posted = [];
    await submitRequisition(deps(), reqId, 'person:alex');
    assert.equal(posted.length, 0, 'nothing sent');
    const after = (await findRequisition(t.store.db, reqId))!;
    assert.equal(after.status, 'approved');
    assert.equal(after.poId, null);
    assert.equal((await t.store.db.selectFrom('sandbox_purchase_orders').select('id').execute()).length, ordersBefore, 'no purchase order');
    const events = await eventsFor(t.store.db, [{ type: 'requisition', id: reqId }]);
    assert.ok(events.some((e) => /the cart changed since approval \(line 1: unit price \d/i.test(e.text) && /nothing was sent/.test(e.text)), JSON.stringify(events.map((e) => e.text)));
  });
});

describe('what was received or invoiced stays on the order', () => {
  const delivered = (lines: { n: number; ordered: string; received?: string; invoiced?: string }[], invoices: string[] = []): Delivered => ({
    lines: lines.map((l) => ({ lineNumber: l.n, unit: 'EA', ordered: l.ordered, received: l.received ?? '0', invoiced: l.invoiced ?? '0' })),
    invoices,
  });
  const next = (quantities: Record<number, string>) =>
    ({ header: {}, items: Object.entries(quantities).map(([n, q]) => ({ lineNumber: Number(n), quantity: new Decimal(q) })) }) as unknown as Parameters<typeof changeBelowDelivered>[0];

  test('whyNotCancellable: goods kept or an invoice accepted block; returned in full or nothing yet does not', () => {
    assert.equal(whyNotCancellable('SBX-1', delivered([{ n: 1, ordered: '2' }])), undefined);
    assert.equal(whyNotCancellable('SBX-1', delivered([{ n: 1, ordered: '2', received: '0' }])), undefined);
    assert.match(whyNotCancellable('SBX-1', delivered([{ n: 1, ordered: '2', received: '1' }]))!, /SBX-1 cannot be cancelled: line 1: 1 EA received\. .*change order/);
    assert.match(whyNotCancellable('SBX-1', delivered([{ n: 1, ordered: '2', invoiced: '2' }], ['INV-1']))!, /invoice INV-1 accepted/);
  });

  test('changeBelowDelivered: a line lowered below received or invoiced, or removed with receipts, is named; other lines are not checked', () => {
    const d = delivered([
      { n: 1, ordered: '2', received: '1' },
      { n: 2, ordered: '3', invoiced: '5' },
    ]);
    const low = changeBelowDelivered(next({ 1: '0.5', 2: '3' }), d)!;
    assert.equal(low.field, 'qty-1');
    assert.equal(low.status, 409);
    assert.match(low.message, /Line 1 cannot be lowered to 0\.5 EA: 1 EA received already; it can go down to 1 EA\..*negative goods receipt/);
    assert.match(changeBelowDelivered(next({ 2: '3' }), d)!.message, /Line 1 cannot be removed: 1 EA received/);
    assert.equal(changeBelowDelivered(next({ 1: '1', 2: '3' }), d), undefined, 'down to what was received is fine; the over-invoiced line 2 is unchanged');
    assert.match(changeBelowDelivered(next({ 1: '2', 2: '2' }), d)!.message, /Line 2 cannot be lowered to 2 EA: 5 EA invoiced already.*credit or delete the invoice/);
  });

  test('cancelling after a goods receipt is refused (409, the page says what to do, nothing sent); a change may not go below the receipt', async () => {
    const { req, po } = await orderedReorder('2');
    const before = await (await fetch(`${t.baseUrl}/sandbox/orders/${po.id}`)).text();
    assert.match(before, /action="[^"]*\/cancel"/, 'an order with nothing received offers the cancel form');
    await recordGoodsReceipt(deps(), po.id, { lines: [{ lineNumber: 1, quantity: '1' }] }, 'person:sam');
    const after = await (await fetch(`${t.baseUrl}/sandbox/orders/${po.id}`)).text();
    assert.doesNotMatch(after, /action="[^"]*\/cancel"/, 'no cancel form once goods were received');
    assert.match(after, /id="cancel-blocked">Purchase order \S+ cannot be cancelled: line 1: 1 \S+ received/);
    const committed = (await requisitionLedger(t.store.db, req.id))!.committed.toFixed();
    posted = [];
    const res = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/cancel`, { method: 'POST', redirect: 'manual', headers: form, body: `version=${await shownVersion(po.id)}&reason=too+late` });
    assert.equal(res.status, 409);
    const page = await res.text();
    assert.match(page, new RegExp(`Purchase order ${po.orderId} cannot be cancelled: line 1: 1 \\S+ received`));
    assert.match(page, /lower the quantities with a change order/);
    assert.deepEqual((await messagesFor(t.store.db, po.id)).map((m) => m.type), ['new'], 'no delete sent');
    assert.equal((await findPurchaseOrder(t.store.db, po.id))!.status, 'open');
    assert.equal((await findRequisition(t.store.db, req.id))!.status, 'ordered');
    assert.equal((await requisitionLedger(t.store.db, req.id))!.committed.toFixed(), committed, 'the commitment stays');

    await assert.rejects(changePurchaseOrder(deps(), po.id, new Map([[1, '0.5']]), 'person:sam'), (e: ProcurementError) => e.status === 409 && e.field === 'qty-1' && /Line 1 cannot be lowered to 0\.5/.test(e.message));
    assert.equal(posted.length, 0);
    assert.equal((await findPurchaseOrder(t.store.db, po.id))!.version, 1, 'the refused change rolled back');
    // Down to what was received is allowed; after the goods went back, the order can be cancelled.
    assert.equal((await changePurchaseOrder(deps(), po.id, new Map([[1, '1']]), 'person:sam')).version, 2);
    await recordGoodsReceipt(deps(), po.id, { lines: [{ lineNumber: 1, quantity: '-1' }] }, 'person:sam');
    assert.equal((await cancelPurchaseOrder(deps(), po.id, 'person:sam', 'sent back')).status, 'cancelled');
  });

  test('a cancellation that was not delivered can be withdrawn; the order is changed and cancelled again as usual', async () => {
    const { po } = await orderedReorder('2');
    supplierDown = true;
    try {
      await cancelPurchaseOrder(deps(), po.id, 'person:sam', 'not needed');
    } finally {
      supplierDown = false;
    }
    assert.deepEqual((await messagesFor(t.store.db, po.id)).map((m) => [m.type, m.status]), [['new', 'accepted'], ['delete', 'failed']]);
    assert.equal((await findPurchaseOrder(t.store.db, po.id))!.status, 'open');
    await assert.rejects(changePurchaseOrder(deps(), po.id, new Map([[1, '1']]), 'person:sam'), /The cancellation \(version 2\) was not delivered; send it again or withdraw it first/);
    const page = await (await fetch(`${t.baseUrl}/sandbox/orders/${po.id}`)).text();
    assert.match(page, /action="[^"]*\/resend"/);
    assert.match(page, /action="[^"]*\/withdraw-cancel"/);
    assert.match(page, /Or keep the order: the supplier did not answer\. Withdrawing sends nothing/);

    const res = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/withdraw-cancel`, { method: 'POST', redirect: 'manual', headers: form, body: '' });
    assert.equal(res.status, 303);
    assert.deepEqual((await messagesFor(t.store.db, po.id)).map((m) => [m.status, m.attempts]), [['accepted', 1], ['withdrawn', 1]], 'nothing is sent');
    const events = await eventsFor(t.store.db, [{ type: 'po', id: po.id }]);
    // The form acts as whoever the acting-as cookie names; without one, the default person.
    assert.ok(events.some((e) => e.kind === 'cancel-withdrawn' && e.actor === 'person:alex' && /withdrawn; the supplier had not confirmed it/.test(e.text)), JSON.stringify(events.map((e) => [e.kind, e.actor, e.text])));
    const again = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/withdraw-cancel`, { method: 'POST', redirect: 'manual', headers: form, body: '' });
    assert.equal(again.status, 409);
    assert.match(await again.text(), /has no undelivered cancellation to withdraw/);
    await assert.rejects(resendMessage(deps(), po.id, 'person:sam'), /nothing to send again/);

    // The order goes on: a change from a page opened before the cancellation (version 1, whose
    // lines are still the order's) is sent as version 3; then a cancellation that is delivered.
    const change = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/change`, { method: 'POST', redirect: 'manual', headers: form, body: 'version=1&was-1=2&qty-1=1' });
    assert.equal(change.status, 303, await change.text());
    const v3 = (await findPurchaseOrder(t.store.db, po.id))!;
    assert.equal(v3.version, 3);
    assert.equal(poLines(v3)[0]!.quantity, '1');
    assert.equal((await cancelPurchaseOrder(deps(), po.id, 'person:sam', 'not needed after all')).status, 'cancelled');
  });

  test('a change from an old page while the order cannot be changed names the edits that were not sent', async () => {
    const { po } = await orderedReorder('2');
    await changePurchaseOrder(deps(), po.id, new Map([[1, '3']]), 'person:sam');
    supplierDown = true;
    try {
      await cancelPurchaseOrder(deps(), po.id, 'person:sam', 'not needed');
    } finally {
      supplierDown = false;
    }
    // The page was opened at version 1 (line 1 at 2); the order is at version 3 with its cancellation undelivered.
    const res = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}/change`, { method: 'POST', redirect: 'manual', headers: form, body: 'version=1&was-1=2&qty-1=5' });
    assert.equal(res.status, 409);
    assert.match(await res.text(), /it was version 1, it is now version 3\); nothing was sent\. Your edits \(line 1: you typed 5, but it was changed from 2 to 3 meanwhile\) were not sent, and the order cannot be changed right now; see its documents below\./);
    assert.deepEqual((await messagesFor(t.store.db, po.id)).map((m) => [m.type, m.status]), [['new', 'accepted'], ['update', 'accepted'], ['delete', 'failed']]);
  });

  test('goods received after a cancellation failed: it can no longer be sent, resending withdraws it, and the order is not stuck', async () => {
    const { req, po } = await orderedReorder('2');
    supplierDown = true;
    try {
      await cancelPurchaseOrder(deps(), po.id, 'person:sam', 'not needed');
    } finally {
      supplierDown = false;
    }
    // The goods arrive anyway (the supplier never had the cancellation): the receipt is recorded.
    await recordGoodsReceipt(deps(), po.id, { lines: [{ lineNumber: 1, quantity: '1' }] }, 'person:sam');
    const page = await (await fetch(`${t.baseUrl}/sandbox/orders/${po.id}`)).text();
    assert.doesNotMatch(page, /action="[^"]*\/resend"/, 'no resend of a cancellation that may not go');
    assert.match(page, /id="cancel-unsendable">This cancellation can no longer be sent: Purchase order \S+ cannot be cancelled: line 1: 1 \S+ received/);
    assert.match(page, /action="[^"]*\/withdraw-cancel"/);

    // Resend (an old page, or a second tab): refused, nothing posted, and the cancellation is withdrawn.
    posted = [];
    await assert.rejects(resendMessage(deps(), po.id, 'person:sam'), (e: ProcurementError) => {
      assert.equal(e.status, 409);
      assert.match(e.message, new RegExp(`Purchase order ${po.orderId} cannot be cancelled: line 1: 1 \\S+ received`));
      assert.match(e.message, /is withdrawn; the order stays open and can be changed/);
      return true;
    });
    assert.equal(posted.length, 0, 'no delete sent');
    assert.deepEqual((await messagesFor(t.store.db, po.id)).map((m) => m.status), ['accepted', 'withdrawn']);
    const events = await eventsFor(t.store.db, [{ type: 'po', id: po.id }]);
    assert.ok(events.some((e) => e.kind === 'cancel-withdrawn' && /withdrawn, not sent again: line 1: 1 \S+ received\./.test(e.text)), JSON.stringify(events.map((e) => e.text)));
    assert.equal((await findRequisition(t.store.db, req.id))!.status, 'ordered');
    // Not stuck: lowering to what was received is sent.
    const lowered = await changePurchaseOrder(deps(), po.id, new Map([[1, '1']]), 'person:sam');
    assert.equal(lowered.version, 3);
    assert.equal(lowered.status, 'open');
    await assert.rejects(withdrawCancellation(deps(), po.id, 'person:sam'), (e: ProcurementError) => e.status === 409);
  });

  test('a cancellation that only looks stuck (sending for a minute) is not withdrawn by a resend after goods came: its answer decides', async () => {
    const { po } = await orderedReorder('2');
    await recordGoodsReceipt(deps(), po.id, { lines: [{ lineNumber: 1, quantity: '1' }] }, 'person:sam');
    const old = new Date(Date.now() - STALE_SENDING_MS - 5000).toISOString();
    // What a resend would rebuild from (the order's own document will do: it is never sent).
    const { exchange } = await t.store.db.selectFrom('sandbox_po_messages').select('exchange').where('po_id', '=', po.id).executeTakeFirstOrThrow();
    await t.store.db
      .insertInto('sandbox_po_messages')
      .values({ id: newId('pm'), po_id: po.id, type: 'delete', version: 2, payload_id: `cancel-${po.id}@test`, xml: '<cXML/>', status: 'sending', attempts: 1, exchange, created_at: old, updated_at: old })
      .execute();
    posted = [];
    await assert.rejects(resendMessage(deps(), po.id, 'person:sam'), (e: ProcurementError) => e.status === 409 && /cannot be cancelled: line 1: 1 \S+ received/.test(e.message) && !/withdrawn/.test(e.message));
    assert.equal(posted.length, 0);
    assert.deepEqual((await messagesFor(t.store.db, po.id)).map((m) => m.status), ['accepted', 'sending']);
  });

  test('a late answer of a send that looked stuck does not overwrite the resend that now owns the document', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The first attempt hangs, then fails; meanwhile a resend (the first looked stuck) is accepted.
    const hanging: typeof fetch = async () => {
      await gate;
      throw new TypeError('fetch failed', { cause: new Error('socket hang up (test)') });
    };
    const draft = await createRequisition(deps(), { source: 'reorder', title: 'Stuck send', requesterId: 'sam', costCenter: '1000', lines: [line('1')], currency: 'EUR', supplier: defaultSettings(t.baseUrl) }, 'system');
    const placing = submitRequisition({ ...deps(), fetch: hanging }, draft.id, 'system');
    let poId: string | null = null;
    for (let i = 0; i < 200 && !poId; i++) {
      poId = (await t.store.db.selectFrom('sandbox_requisitions').select('po_id').where('id', '=', draft.id).executeTakeFirst())?.po_id ?? null;
      if (!poId) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(poId, 'the order was placed and is being sent');
    const later = () => new Date(Date.now() + STALE_SENDING_MS + 1000);
    const resent = await resendMessage({ ...deps(), now: later }, poId, 'person:sam');
    assert.equal(resent.status, 'open');
    release();
    await placing;
    assert.deepEqual((await messagesFor(t.store.db, poId)).map((m) => [m.status, m.attempts]), [['accepted', 2]]);
    assert.equal((await findPurchaseOrder(t.store.db, poId))!.status, 'open', 'the late failure did not undo the accepted resend');
    const events = await eventsFor(t.store.db, [{ type: 'po', id: poId }]);
    assert.ok(events.some((e) => /a late answer of an earlier attempt \(fetch failed|a late answer of an earlier attempt \(.*not recorded/.test(e.text)), JSON.stringify(events.map((e) => e.text)));
  });

  test('no goods receipt while a cancellation is being sent (it was allowed because nothing was received)', async () => {
    const { po } = await orderedReorder('2');
    const at = new Date().toISOString();
    // The state cancelPurchaseOrder leaves while the supplier has not answered yet.
    await t.store.db
      .insertInto('sandbox_po_messages')
      .values({ id: newId('pm'), po_id: po.id, type: 'delete', version: 2, payload_id: `cancel-${po.id}@test`, xml: '<cXML/>', status: 'sending', attempts: 1, exchange: null, created_at: at, updated_at: at })
      .execute();
    await assert.rejects(recordGoodsReceipt(deps(), po.id, { lines: [{ lineNumber: 1, quantity: '1' }] }, 'person:sam'), (e: ProcurementError) => e.status === 409 && /A cancellation of purchase order .* is being sent/.test(e.message));
  });
});
