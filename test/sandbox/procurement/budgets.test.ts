/** Budgets: the ledger of commitments and actual spend, on a real store (SQLite, or PostgreSQL with DATABASE_URL). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config.js';
import { defaultSettings } from '../../../src/sandbox/settings.js';
import { readAmount, ruleAmountProblems } from '../../../src/sandbox/procurement/amounts.js';
import {
  budgetFor,
  budgetStanding,
  checkBudgetForm,
  commitRequisition,
  createBudget,
  editBudget,
  recommitForOrder,
  recordInvoiceSpend,
} from '../../../src/sandbox/procurement/budgets.js';
import { InvalidForm } from '../../../src/sandbox/procurement/form-problems.js';
import { ProcurementError, type ProcurementDeps, type Requisition } from '../../../src/sandbox/procurement/model.js';
import { seedOrganisation } from '../../../src/sandbox/procurement/organisation.js';
import { createRequisition } from '../../../src/sandbox/procurement/requisitions.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';

let store: TestStore;
let deps: ProcurementDeps;
const NOW = new Date();
const YEAR = NOW.getUTCFullYear();
const today = NOW.toISOString().slice(0, 10);

before(async () => {
  store = await openTestStore();
  deps = { db: store.db, config: loadConfig({ PORT: '0', KOPPEL_DATA_DIR: '/nonexistent' }), now: () => NOW, fetch };
  await seedOrganisation(deps);
  await seedOrganisation(deps); // twice: nothing doubled
});

after(async () => {
  await store.cleanup();
});

let n = 0;
async function requisition(total: string, costCenter = '1000', currency = 'EUR'): Promise<Requisition> {
  n += 1;
  return createRequisition(
    deps,
    {
      source: 'punchout',
      title: `Test ${n}`,
      requesterId: 'alex',
      costCenter,
      currency,
      supplier: defaultSettings('http://127.0.0.1:1'),
      lines: [{ line: 1, supplierPartID: `P-${n}`, description: 'Thing', quantity: '1', unit: 'EA', unitPrice: total, lineTotal: total, currency }],
    },
    'person:alex',
  );
}

/** A purchase order row for the requisition (the purchase-order part makes these for real). */
async function orderFor(req: Requisition): Promise<string> {
  const id = `po-test-${req.id}`;
  const at = NOW.toISOString();
  await store.db
    .insertInto('sandbox_purchase_orders')
    .values({ id, order_id: `SBX-T-${req.id}`, requisition_id: req.id, punchout_id: null, supplier: '{}', status: 'open', version: 1, total: req.total, currency: req.currency, order_xml: '<cXML/>', created_at: at, updated_at: at })
    .execute();
  await store.db.updateTable('sandbox_requisitions').set({ po_id: id, status: 'ordered' }).where('id', '=', req.id).execute();
  return id;
}

async function standing(cc = '1000') {
  const b = await budgetFor(store.db, cc, today);
  assert.ok(b, `no budget for ${cc}`);
  const s = await budgetStanding(store.db, b);
  return { committed: s.committed, spent: s.spent, available: s.available };
}

describe('the demo budgets', () => {
  test('1000 and 2000 have EUR budgets for the current calendar year, nothing booked', async () => {
    const b = (await budgetFor(store.db, '1000', `${YEAR}-06-30`))!;
    assert.deepEqual([b.periodStart, b.periodEnd, b.amount, b.currency], [`${YEAR}-01-01`, `${YEAR}-12-31`, '5000.00', 'EUR']);
    assert.equal((await budgetFor(store.db, '2000', today))!.amount, '1500.00');
    assert.equal(await budgetFor(store.db, '1000', `${YEAR + 1}-01-01`), undefined);
    const rows = await store.db.selectFrom('sandbox_budgets').select('id').execute();
    assert.equal(rows.length, 2);
  });
});

describe('commitments', () => {
  test('committed once per requisition, however often it is asked', async () => {
    const before = await standing('2000');
    const r = await requisition('100.00', '2000');
    await commitRequisition(store.db, r, NOW, 'person:maria');
    await commitRequisition(store.db, r, NOW, 'person:maria');
    const s = await standing('2000');
    assert.equal(s.committed, '100');
    assert.equal(s.available, (Number(before.available) - 100).toFixed(2).replace(/\.?0+$/, ''));
  });
  test('over budget: refused with cost center, available and total, nothing booked', async () => {
    const r = await requisition('1400.50', '2000');
    await assert.rejects(commitRequisition(store.db, r, NOW, 'person:maria'), (e: unknown) => {
      assert.ok(e instanceof ProcurementError);
      assert.equal(e.message, 'Over budget: cost center 2000 has 1400.00 EUR available, the requisition total is 1400.50 EUR.');
      return true;
    });
    assert.equal((await standing('2000')).committed, '100');
  });
  test('a budget in another currency refuses the approval', async () => {
    const r = await requisition('10.00', '2000', 'USD');
    await assert.rejects(commitRequisition(store.db, r, NOW, 'person:maria'), /kept in EUR, the requisition is in USD/);
  });
  test('no budget for the cost center: nothing checked, nothing booked', async () => {
    await store.db.insertInto('sandbox_cost_centers').values({ code: '3000', name: 'Marketing', created_at: NOW.toISOString() }).execute();
    const r = await requisition('99999.00', '3000');
    assert.equal(await commitRequisition(store.db, r, NOW, 'person:maria'), undefined);
  });
});

describe('invoices turn commitments into spend', () => {
  let req: Requisition;
  let poId: string;
  before(async () => {
    req = await requisition('1000.00');
    await commitRequisition(store.db, req, NOW, 'person:maria');
    poId = await orderFor(req);
  });
  test('an invoice books actual and releases as much commitment; the same document again books nothing', async () => {
    await recordInvoiceSpend(store.db, { poId, documentId: 'doc-1', amount: '300.00', currency: 'EUR', at: NOW });
    assert.deepEqual(await standing(), { committed: '700', spent: '300', available: '4000' });
    await recordInvoiceSpend(store.db, { poId, documentId: 'doc-1', amount: '300.00', currency: 'EUR', at: NOW });
    assert.deepEqual(await standing(), { committed: '700', spent: '300', available: '4000' });
  });
  test('a credit memo subtracts from spend and gives the money back', async () => {
    await recordInvoiceSpend(store.db, { poId, documentId: 'doc-2', amount: '-100.00', currency: 'EUR', at: NOW });
    assert.deepEqual(await standing(), { committed: '700', spent: '200', available: '4100' });
  });
  test('an invoice above the open commitment releases only what is open', async () => {
    await recordInvoiceSpend(store.db, { poId, documentId: 'doc-3', amount: '900.00', currency: 'EUR', at: NOW });
    assert.deepEqual(await standing(), { committed: '0', spent: '1100', available: '3900' });
  });
  test('an invoice in another currency is not booked, and the budget history says so', async () => {
    await recordInvoiceSpend(store.db, { poId, documentId: 'doc-4', amount: '5.00', currency: 'USD', at: NOW });
    assert.deepEqual(await standing(), { committed: '0', spent: '1100', available: '3900' });
    const ev = await store.db.selectFrom('sandbox_events').select('text').where('kind', '=', 'not booked').execute();
    assert.equal(ev.length, 1);
  });
  test('an order without requisition: nothing happens', async () => {
    await recordInvoiceSpend(store.db, { poId: 'po-unknown', documentId: 'doc-5', amount: '5.00', currency: 'EUR', at: NOW });
    assert.deepEqual(await standing(), { committed: '0', spent: '1100', available: '3900' });
  });
});

describe('recommitForOrder', () => {
  let req: Requisition;
  let poId: string;
  before(async () => {
    req = await requisition('500.00');
    await commitRequisition(store.db, req, NOW, 'person:maria');
    poId = await orderFor(req);
    await recordInvoiceSpend(store.db, { poId, documentId: 'r-1', amount: '100.00', currency: 'EUR', at: NOW });
  });
  test('a change order sets the commitment to total minus invoiced', async () => {
    const s0 = await standing();
    await recommitForOrder(store.db, { poId, total: '800.00', currency: 'EUR', at: NOW, reason: 'Change order v2' });
    const s1 = await standing();
    assert.equal(Number(s1.committed) - Number(s0.committed), 300);
    await recommitForOrder(store.db, { poId, total: '50.00', currency: 'EUR', at: NOW, reason: 'Change order v3' });
    const rows = await store.db.selectFrom('sandbox_budget_entries').select(['kind', 'amount']).where('requisition_id', '=', req.id).execute();
    const open = rows.filter((r) => r.kind === 'commitment').reduce((a, r) => a + Number(r.amount), 0);
    assert.equal(open, 0, 'total below what is invoiced: nothing stays committed');
  });
  test('a raise beyond the available budget is refused and books nothing', async () => {
    const s0 = await standing();
    await assert.rejects(
      recommitForOrder(store.db, { poId, total: '100000.00', currency: 'EUR', at: NOW, reason: 'Change order v4' }),
      (e: unknown) => e instanceof ProcurementError && /Over budget: cost center 1000 has .* EUR available/.test(e.message),
    );
    assert.deepEqual(await standing(), s0);
  });
  test('cancellation (total 0) releases everything; an order without requisition is ignored', async () => {
    await recommitForOrder(store.db, { poId, total: '300.00', currency: 'EUR', at: NOW, reason: 'Change order v5' });
    await recommitForOrder(store.db, { poId, total: '0', currency: 'EUR', at: NOW, reason: 'Order cancelled' });
    const rows = await store.db.selectFrom('sandbox_budget_entries').select(['kind', 'amount']).where('requisition_id', '=', req.id).where('kind', '=', 'commitment').execute();
    assert.equal(rows.reduce((a, r) => a + Number(r.amount), 0), 0);
    await recommitForOrder(store.db, { poId: 'po-none', total: '5', currency: 'EUR', at: NOW, reason: 'x' });
  });
});

describe('editing budgets', () => {
  test('problems by field; overlapping periods refused', async () => {
    await assert.rejects(createBudget(store.db, { costCenter: '9', periodStart: '2026-02-30', periodEnd: 'x', amount: '-1', currency: 'eu' }, NOW, 'person:felix'), (e: unknown) => {
      assert.ok(e instanceof InvalidForm);
      assert.deepEqual(Object.keys(e.problems).sort(), ['amount', 'costCenter', 'currency', 'periodEnd', 'periodStart']);
      return true;
    });
    await assert.rejects(createBudget(store.db, { costCenter: '1000', periodStart: `${YEAR}-06-01`, periodEnd: `${YEAR + 1}-05-31`, amount: '1', currency: 'EUR' }, NOW, 'person:felix'), (e: unknown) => e instanceof InvalidForm && /overlap/.test(e.problems.periodStart!));
  });
  test('a new budget and a change of amount', async () => {
    const b = await createBudget(store.db, { costCenter: '1000', periodStart: `${YEAR + 1}-01-01`, periodEnd: `${YEAR + 1}-12-31`, amount: '7000', currency: 'EUR' }, NOW, 'person:felix');
    const changed = await editBudget(store.db, b.id, { costCenter: '1000', periodStart: b.periodStart, periodEnd: b.periodEnd, amount: '7500.00', currency: 'EUR' }, NOW, 'person:felix');
    assert.equal(changed.amount, '7500.00');
    const booked = (await budgetFor(store.db, '1000', today))!;
    await assert.rejects(editBudget(store.db, booked.id, { costCenter: '1000', periodStart: booked.periodStart, periodEnd: booked.periodEnd, amount: '5000', currency: 'USD' }, NOW, 'person:felix'), (e: unknown) => e instanceof InvalidForm && 'currency' in e.problems);
  });
});

describe('amount parsing (pure)', () => {
  test('plain decimals only, within the currency\'s decimals', () => {
    for (const [text, currency, value] of [['5000', 'EUR', '5000'], [' 12.34 ', 'EUR', '12.34'], ['0', 'EUR', '0'], ['0.5', 'EUR', '0.5'], ['999999999999.99', 'EUR', '999999999999.99'], ['1500', 'JPY', '1500'], ['1.234', 'KWD', '1.234']] as const) {
      const r = readAmount(text, currency, 'Amount');
      assert.ok(r.ok, `${text} ${currency}`);
      assert.equal(r.value.toFixed(), value);
    }
    for (const [text, currency, pattern] of [
      ['1e100000', 'EUR', /^Amount: enter a plain amount .*got "1e100000"/],
      ['1e3', 'EUR', /plain amount/],
      ['Infinity', 'EUR', /plain amount/],
      ['NaN', 'EUR', /plain amount/],
      ['1,000', 'EUR', /plain amount/],
      ['0x10', 'EUR', /plain amount/],
      ['-1', 'EUR', /plain amount/],
      ['+1', 'EUR', /plain amount/],
      ['.5', 'EUR', /plain amount/],
      ['5.', 'EUR', /plain amount/],
      ['', 'EUR', /^Amount: enter a plain amount [^"]*\.$/],
      ['1234567890123', 'EUR', /at most 12 digits/],
      [' 12.345 ', 'EUR', /^Amount: EUR has at most 2 decimals, got "12\.345"\.$/],
      ['12.5', 'JPY', /JPY has no decimals/],
      ['1.2345', 'KWD', /KWD has at most 3 decimals/],
    ] as const) {
      const r = readAmount(text, currency, 'Amount');
      assert.ok(!r.ok, `${text} ${currency}`);
      assert.match(r.problem, pattern);
    }
  });

  test('the budget form check uses it; the rule limits too (empty means 0 / no limit)', () => {
    const form = { costCenter: '1000', periodStart: '2030-01-01', periodEnd: '2030-12-31', currency: 'EUR' };
    assert.match(checkBudgetForm({ ...form, amount: '1e100000' }, ['1000']).amount ?? '', /plain amount/);
    assert.match(checkBudgetForm({ ...form, amount: '12.345' }, ['1000']).amount ?? '', /at most 2 decimals/);
    assert.deepEqual(checkBudgetForm({ ...form, amount: '12.34' }, ['1000']), {});
    assert.deepEqual(ruleAmountProblems({ minAmount: '', maxAmount: '', currency: 'EUR' }), {});
    assert.deepEqual(Object.keys(ruleAmountProblems({ minAmount: '1e3', maxAmount: '0.001', currency: 'EUR' })).sort(), ['maxAmount', 'minAmount']);
  });

  test('createBudget refuses 1e100000: nothing stored', async () => {
    await assert.rejects(
      createBudget(store.db, { costCenter: '2000', periodStart: `${YEAR + 5}-01-01`, periodEnd: `${YEAR + 5}-12-31`, amount: '1e100000', currency: 'EUR' }, NOW, 'person:felix'),
      (e: unknown) => e instanceof InvalidForm && /plain amount/.test(e.problems.amount ?? ''),
    );
    assert.equal(await budgetFor(store.db, '2000', `${YEAR + 5}-06-01`), undefined);
  });
});
