/**
 * Requisitions through their approval on a real Koppel: the purchase order of an approved
 * requisition goes over real HTTP to this Koppel's own /cxml (the demo-cxml connection).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { seedDemo } from '../../../src/app/demo-seed.js';
import { defaultSettings, type SandboxSettings } from '../../../src/sandbox/settings.js';
import { insertPunchout, saveCart, type SandboxCartLine } from '../../../src/sandbox/punchout-record.js';
import { budgetFor, budgetStanding, createBudget, editBudget } from '../../../src/sandbox/procurement/budgets.js';
import { InvalidForm } from '../../../src/sandbox/procurement/form-problems.js';
import { eventsFor } from '../../../src/sandbox/procurement/history.js';
import { ProcurementError, type ProcurementDeps, type Requisition, type RequisitionSource, type SandboxPerson } from '../../../src/sandbox/procurement/model.js';
import { createPerson, findPerson } from '../../../src/sandbox/procurement/people.js';
import {
  cancelRequisition,
  createRequisition,
  decideStep,
  editDraft,
  findRequisition,
  listRequisitions,
  ownRequisitionRefusal,
  pendingApprovalsFor,
  preparersFrom,
  quantitySizeProblem,
  requisitionForPunchout,
  requisitionTotal,
  stepsOf,
  submitRequisition,
} from '../../../src/sandbox/procurement/requisitions.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
let deps: ProcurementDeps;
let supplier: SandboxSettings;
let products: { sku: string; name: string }[];
const people: Record<string, SandboxPerson> = {};

before(async () => {
  t = await startTestApp({ demo: false, config: { secretKey: randomBytes(32).toString('base64') } });
  await seedDemo(t.ctx);
  deps = { db: t.store.db, config: t.ctx.config, now: () => new Date(), fetch };
  supplier = { ...defaultSettings(t.baseUrl), protocol: 'cxml' };
  products = (await t.store.db.selectFrom('products').select(['sku', 'name']).orderBy('sku').limit(3).execute()).map((p) => ({ sku: p.sku, name: p.name }));
  for (const id of ['alex', 'maria', 'felix', 'sam']) people[id] = (await findPerson(t.store.db, id))!;
  // A cost center of its own for the over-budget cases, so the order of the tests does not matter.
  await t.store.db.insertInto('sandbox_cost_centers').values({ code: '4000', name: 'Lab', created_at: new Date().toISOString() }).execute();
  const year = new Date().getUTCFullYear();
  await createBudget(t.store.db, { costCenter: '4000', periodStart: `${year}-01-01`, periodEnd: `${year}-12-31`, amount: '100.00', currency: 'EUR' }, new Date(), 'system');
});

after(async () => {
  await t.close();
});

async function draft(total: string, p: { costCenter?: string; source?: RequisitionSource; requester?: string } = {}): Promise<Requisition> {
  const prod = products[0]!;
  return createRequisition(
    deps,
    {
      source: p.source ?? 'punchout',
      title: `Test ${total}`,
      requesterId: p.requester ?? 'alex',
      costCenter: p.costCenter ?? '1000',
      currency: 'EUR',
      supplier,
      lines: [{ line: 1, supplierPartID: prod.sku, description: prod.name, quantity: '1', unit: 'EA', unitPrice: total, lineTotal: total, currency: 'EUR' }],
    },
    'person:alex',
  );
}

async function commitments(requisitionId: string): Promise<string[]> {
  return (await t.store.db.selectFrom('sandbox_budget_entries').select('amount').where('requisition_id', '=', requisitionId).where('kind', '=', 'commitment').execute()).map((r) => r.amount);
}

function refused(pattern: RegExp, status?: number) {
  return (e: unknown) => {
    assert.ok(e instanceof ProcurementError, String(e));
    assert.match(e.message, pattern);
    if (status !== undefined) assert.equal(e.status, status);
    return true;
  };
}

describe('submitting', () => {
  test('below every threshold: approved on submission, budget committed, purchase order placed', async () => {
    const r = await draft('100.00');
    assert.match(r.number, /^REQ-\d{8}-\d+$/);
    assert.equal(r.status, 'draft');
    const done = await submitRequisition(deps, r.id, 'person:alex');
    const steps = await stepsOf(t.store.db, r.id);
    assert.deepEqual(steps.map((s) => [s.ruleName, s.status]), [['No approval needed: below every threshold', 'auto']]);
    assert.equal(done.status, 'ordered', JSON.stringify(await eventsFor(t.store.db, [{ type: 'requisition', id: r.id }])));
    assert.ok(done.poId);
    const po = await t.store.db.selectFrom('sandbox_purchase_orders').selectAll().where('id', '=', done.poId).executeTakeFirstOrThrow();
    assert.equal(po.status, 'open', 'Koppel accepted the OrderRequest');
    assert.deepEqual(await commitments(r.id), ['100.00']);
    await assert.rejects(submitRequisition(deps, r.id, 'person:alex'), refused(/submitted already/));
  });

  test('four eyes: the requester may neither approve nor reject their own requisition, but may cancel it', async () => {
    const r = await draft('300.00', { requester: 'maria' });
    const pending = await submitRequisition(deps, r.id, 'person:maria');
    assert.equal(pending.status, 'pending');
    const [step] = await stepsOf(t.store.db, r.id);
    assert.equal(step!.approverRole, 'approver');
    const own = refused(/Maria Schulz requested .* cannot approve or reject it .*approver.*cancel/, 403);
    await assert.rejects(decideStep(deps, r.id, { decision: 'approve', comment: '', stepId: step!.id }, people.maria!), own);
    await assert.rejects(decideStep(deps, r.id, { decision: 'reject', comment: 'mine', stepId: step!.id }, people.maria!), own);
    assert.equal((await findRequisition(t.store.db, r.id))!.status, 'pending');
    assert.equal((await stepsOf(t.store.db, r.id))[0]!.status, 'pending');
    assert.deepEqual(await commitments(r.id), []);
    const cancelled = await cancelRequisition(deps, r.id, people.maria!, 'withdrawn');
    assert.equal(cancelled.status, 'cancelled');
  });

  test('four eyes (pure): names who else holds the role; automatic steps and other requesters pass', () => {
    const staff = [
      { id: 'maria', name: 'Maria Schulz', roles: ['approver' as const] },
      { id: 'olga', name: 'Olga Berg', roles: ['approver' as const, 'finance' as const] },
      { id: 'felix', name: 'Felix Wagner', roles: ['finance' as const] },
    ];
    const req = { number: 'REQ-1', requesterId: 'maria' };
    assert.match(ownRequisitionRefusal(req, { approverRole: 'approver' }, staff[0]!, staff)!, /another approver decides: Olga Berg\./);
    assert.match(ownRequisitionRefusal(req, { approverRole: 'approver' }, staff[0]!, staff.slice(0, 1))!, /nobody else holds the role "approver"/);
    assert.equal(ownRequisitionRefusal(req, { approverRole: null }, staff[0]!, staff), null);
    assert.equal(ownRequisitionRefusal(req, { approverRole: 'approver' }, staff[1]!, staff), null);
  });

  test('four eyes: who created or submitted a requisition cannot decide it either, whoever the requester is', async () => {
    const olga = await createPerson(t.store.db, { id: 'olga', name: 'Olga Berg', email: 'olga@example.com', roles: ['approver'], costCenter: null }, new Date());
    // Maria types up and submits a requisition for Alex.
    const r = await createRequisition(deps, { source: 'punchout', title: 'for alex', requesterId: 'alex', costCenter: '2000', currency: 'EUR', supplier, lines: [{ line: 1, supplierPartID: products[0]!.sku, description: 'x', quantity: '1', unit: 'EA', unitPrice: '300.00', lineTotal: '300.00', currency: 'EUR' }] }, 'person:maria');
    await submitRequisition(deps, r.id, 'person:maria');
    const [step] = await stepsOf(t.store.db, r.id);
    await assert.rejects(decideStep(deps, r.id, { decision: 'approve', comment: '', stepId: step!.id }, people.maria!), refused(/Maria Schulz created and submitted REQ-\S+ and cannot approve or reject it \(four eyes\); another approver decides: Olga Berg/, 403));
    assert.deepEqual(await commitments(r.id), []);
    // Alex's own draft, submitted by Maria: she cannot decide it.
    const s = await draft('300.00', { costCenter: '2000' });
    await submitRequisition(deps, s.id, 'person:maria');
    await assert.rejects(decideStep(deps, s.id, { decision: 'reject', comment: 'no' }, people.maria!), refused(/Maria Schulz submitted REQ-\S+ and cannot/, 403));
    const approved = await decideStep(deps, r.id, { decision: 'approve', comment: '' }, olga);
    assert.equal(approved.status, 'ordered');
    await cancelRequisition(deps, s.id, people.alex!);
  });

  test('four eyes (pure): preparers from the history', () => {
    const staff = [{ id: 'maria', name: 'Maria Schulz', roles: ['approver' as const] }];
    const preparedBy = preparersFrom([
      { subjectType: 'requisition', actor: 'person:maria', kind: 'created' },
      { subjectType: 'requisition', actor: 'person:alex', kind: 'edited' },
      { subjectType: 'requisition', actor: 'system', kind: 'submitted' },
      { subjectType: 'item', actor: 'person:sam', kind: 'consumed' },
      { subjectType: 'item', actor: 'system', kind: 'created' },
    ]);
    assert.deepEqual(preparedBy, [{ personId: 'maria', did: 'created' }]);
    // Whoever created, changed or resumed the item or recurring order behind a re-order set it up.
    const setUp = preparersFrom([
      { subjectType: 'item', actor: 'person:maria', kind: 'changed' },
      { subjectType: 'schedule', actor: 'person:felix', kind: 'resumed' },
      { subjectType: 'item', actor: 'person:sam', kind: 'reorder-resumed' },
      { subjectType: 'requisition', actor: 'person:maria', kind: 'changed' },
    ]);
    assert.deepEqual(setUp, [{ personId: 'maria', did: 'set up' }, { personId: 'felix', did: 'set up' }, { personId: 'sam', did: 'set up' }]);
    assert.match(
      ownRequisitionRefusal({ number: 'REQ-3', requesterId: 'alex', preparedBy: setUp }, { approverRole: 'approver' }, staff[0]!, staff)!,
      /^Maria Schulz set up the item or recurring order that raised REQ-3 and cannot approve/,
    );
    assert.match(ownRequisitionRefusal({ number: 'REQ-2', requesterId: 'alex', preparedBy }, { approverRole: 'approver' }, staff[0]!, staff)!, /^Maria Schulz created REQ-2 and cannot/);
    assert.equal(ownRequisitionRefusal({ number: 'REQ-2', requesterId: 'alex', preparedBy: [] }, { approverRole: 'approver' }, staff[0]!, staff), null);
  });

  test('a manager step: only an approver decides; the approval commits once and orders', async () => {
    const r = await draft('300.00');
    const pending = await submitRequisition(deps, r.id, 'person:alex');
    assert.equal(pending.status, 'pending');
    const [step] = await stepsOf(t.store.db, r.id);
    assert.deepEqual([step!.approverRole, step!.status], ['approver', 'pending']);
    assert.deepEqual(await commitments(r.id), []);
    assert.ok((await pendingApprovalsFor(t.store.db, ['approver'])).some((a) => a.requisition.id === r.id));
    assert.ok(!(await pendingApprovalsFor(t.store.db, ['finance'])).some((a) => a.requisition.id === r.id));
    await assert.rejects(decideStep(deps, r.id, { decision: 'approve', comment: '' }, people.alex!), refused(/needs the role "approver"/, 403));
    await assert.rejects(decideStep(deps, r.id, { decision: 'approve', comment: '' }, people.felix!), refused(/needs the role "approver"/, 403));
    const approved = await decideStep(deps, r.id, { decision: 'approve', comment: 'fine', stepId: step!.id }, people.maria!);
    assert.equal(approved.status, 'ordered');
    const [decided] = await stepsOf(t.store.db, r.id);
    assert.deepEqual([decided!.status, decided!.decidedBy, decided!.comment], ['approved', 'maria', 'fine']);
    // pressed twice: refused, nothing booked twice
    await assert.rejects(decideStep(deps, r.id, { decision: 'approve', comment: '', stepId: step!.id }, people.maria!), refused(/nothing to decide|decided already/, 409));
    assert.deepEqual(await commitments(r.id), ['300.00']);
    const kinds = (await eventsFor(t.store.db, [{ type: 'requisition', id: r.id }])).map((e) => e.kind);
    assert.deepEqual(kinds.filter((k) => k !== 'ordered'), ['created', 'submitted', 'step approved', 'approved']);
  });

  test('from 2500 EUR: approver first, then finance', async () => {
    const r = await draft('2600.00');
    await submitRequisition(deps, r.id, 'person:alex');
    assert.deepEqual((await stepsOf(t.store.db, r.id)).map((s) => s.approverRole), ['approver', 'finance']);
    await assert.rejects(decideStep(deps, r.id, { decision: 'approve', comment: '' }, people.felix!), refused(/approver/, 403));
    const after1 = await decideStep(deps, r.id, { decision: 'approve', comment: '' }, people.maria!);
    assert.equal(after1.status, 'pending');
    assert.deepEqual(await commitments(r.id), []);
    await assert.rejects(decideStep(deps, r.id, { decision: 'approve', comment: '' }, people.maria!), refused(/finance/, 403));
    const after2 = await decideStep(deps, r.id, { decision: 'approve', comment: 'ok' }, people.felix!);
    assert.equal(after2.status, 'ordered');
    assert.deepEqual(await commitments(r.id), ['2600.00']);
  });

  test('over budget at the final approval: stays pending with the step open, the message names cost center, available and total', async () => {
    const r = await draft('250.00', { costCenter: '4000' });
    await submitRequisition(deps, r.id, 'person:alex');
    await assert.rejects(
      decideStep(deps, r.id, { decision: 'approve', comment: '' }, people.maria!),
      refused(/^Over budget: cost center 4000 has 100\.00 EUR available, the requisition total is 250\.00 EUR\.$/),
    );
    const now = (await findRequisition(t.store.db, r.id))!;
    assert.equal(now.status, 'pending');
    assert.deepEqual((await stepsOf(t.store.db, r.id)).map((s) => s.status), ['pending']);
    assert.deepEqual(await commitments(r.id), []);
    const events = await eventsFor(t.store.db, [{ type: 'requisition', id: r.id }]);
    assert.ok(events.some((e) => e.kind === 'blocked: over budget' && /stays pending/.test(e.text)));
    // more budget: the same approval goes through
    const b = (await budgetFor(t.store.db, '4000', new Date().toISOString().slice(0, 10)))!;
    await editBudget(t.store.db, b.id, { ...b, amount: '1000.00' }, new Date(), 'person:felix');
    const ok = await decideStep(deps, r.id, { decision: 'approve', comment: '' }, people.maria!);
    assert.equal(ok.status, 'ordered');
    assert.equal((await budgetStanding(t.store.db, (await budgetFor(t.store.db, '4000', b.periodStart))!)).available, '750');
  });

  test('an automatic approval over budget stays pending with its step open; retried when the budget allows', async () => {
    const r = await draft('900.00', { costCenter: '4000', source: 'reorder' });
    await assert.rejects(submitRequisition(deps, r.id, 'system'), refused(/Over budget: cost center 4000 has 750\.00 EUR available, the requisition total is 900\.00 EUR/));
    assert.equal((await findRequisition(t.store.db, r.id))!.status, 'pending');
    const steps = await stepsOf(t.store.db, r.id);
    assert.deepEqual(steps.map((s) => [s.ruleName, s.status, s.approverRole]), [['Automatic re-orders', 'pending', null]]);
    await assert.rejects(decideStep(deps, r.id, { decision: 'reject', comment: 'no' }, people.maria!), refused(/automatic step cannot be rejected/));
    const b = (await budgetFor(t.store.db, '4000', new Date().toISOString().slice(0, 10)))!;
    await editBudget(t.store.db, b.id, { ...b, amount: '2000.00' }, new Date(), 'person:felix');
    const ok = await decideStep(deps, r.id, { decision: 'approve', comment: '' }, people.sam!);
    assert.equal(ok.status, 'ordered');
    assert.equal((await stepsOf(t.store.db, r.id))[0]!.status, 'auto');
  });
});

describe('rejecting and cancelling', () => {
  test('a rejection needs a comment and ends the requisition', async () => {
    const r = await draft('400.00', { costCenter: '2000' });
    await submitRequisition(deps, r.id, 'person:alex');
    await assert.rejects(decideStep(deps, r.id, { decision: 'reject', comment: '  ' }, people.maria!), (e: unknown) => e instanceof ProcurementError && e.field === 'comment' && e.status === 422);
    assert.equal((await findRequisition(t.store.db, r.id))!.status, 'pending');
    const rejected = await decideStep(deps, r.id, { decision: 'reject', comment: 'Too expensive' }, people.maria!);
    assert.equal(rejected.status, 'rejected');
    assert.equal((await stepsOf(t.store.db, r.id))[0]!.comment, 'Too expensive');
    await assert.rejects(decideStep(deps, r.id, { decision: 'approve', comment: '' }, people.maria!), refused(/rejected/));
    assert.deepEqual(await commitments(r.id), []);
  });

  test('draft and pending can be cancelled; an ordered one only through its order', async () => {
    const d = await draft('10.00');
    assert.equal((await cancelRequisition(deps, d.id, people.alex!)).status, 'cancelled');
    const p = await draft('300.00');
    await submitRequisition(deps, p.id, 'person:alex');
    const c = await cancelRequisition(deps, p.id, people.alex!, 'not needed');
    assert.equal(c.status, 'cancelled');
    assert.deepEqual((await stepsOf(t.store.db, p.id)).map((s) => s.status), ['skipped']);
    await assert.rejects(decideStep(deps, p.id, { decision: 'approve', comment: '' }, people.maria!), refused(/cancelled/));
    const o = await draft('20.00');
    await submitRequisition(deps, o.id, 'person:alex');
    await assert.rejects(cancelRequisition(deps, o.id, people.alex!), refused(/cancel the order instead/));
  });

  test('an approved requisition whose order was not placed is cancelled with its commitment released', async () => {
    const r = await draft('50.00');
    // As if placing the order had failed after the approval: approved, committed, no order.
    await t.store.db.updateTable('sandbox_requisitions').set({ status: 'approved' }).where('id', '=', r.id).execute();
    const b = (await budgetFor(t.store.db, '1000', new Date().toISOString().slice(0, 10)))!;
    await t.store.db.insertInto('sandbox_budget_entries').values({ id: `be-${r.id}`, budget_id: b.id, requisition_id: r.id, po_id: null, kind: 'commitment', amount: '50.00', reason: 'test', dedupe_key: `commit:${r.id}`, created_at: new Date().toISOString() }).execute();
    await cancelRequisition(deps, r.id, people.sam!);
    const sum = (await commitments(r.id)).reduce((a, x) => a + Number(x), 0);
    assert.equal(sum, 0);
  });
});

describe('drafts', () => {
  test('edit: problems by field; only while a draft', async () => {
    const r = await draft('10.00');
    await assert.rejects(editDraft(deps, r.id, { title: '', requesterId: 'nobody', costCenter: '9', note: '' }, people.alex!), (e: unknown) => {
      assert.ok(e instanceof InvalidForm);
      assert.deepEqual(Object.keys(e.problems).sort(), ['costCenter', 'requesterId', 'title']);
      return true;
    });
    const edited = await editDraft(deps, r.id, { title: 'Pens for the lab', requesterId: 'maria', costCenter: '2000', note: 'urgent' }, people.alex!);
    assert.deepEqual([edited.title, edited.requesterId, edited.costCenter, edited.note], ['Pens for the lab', 'maria', '2000', 'urgent']);
    await submitRequisition(deps, r.id, 'person:alex');
    await assert.rejects(editDraft(deps, r.id, { title: 'x', requesterId: 'alex', costCenter: '1000', note: '' }, people.alex!), refused(/only a draft/));
    assert.equal((await listRequisitions(t.store.db, { costCenter: '2000', requesterId: 'maria' })).some((x) => x.id === r.id), true);
    assert.equal((await listRequisitions(t.store.db, { status: 'draft', costCenter: '2000', requesterId: 'maria' })).some((x) => x.id === r.id), false);
  });
});

describe('requisitionForPunchout', () => {
  const line = (n: number, qty: string, price: string): SandboxCartLine => ({
    line: n,
    supplierPartID: products[n - 1]!.sku,
    auxID: `aux-${n}`,
    description: products[n - 1]!.name,
    quantity: qty,
    unit: 'EA',
    unitPrice: price,
    lineTotal: (Number(qty) * Number(price)).toFixed(2),
    currency: 'EUR',
    classification: 'UNSPSC 44121701',
  });

  async function punchout(lines: SandboxCartLine[], id = `pt-${randomBytes(6).toString('hex')}`): Promise<string> {
    const info = { settings: supplier, origin: t.baseUrl, returnUrl: `${t.baseUrl}/sandbox/return`, returns: 1, cartWarnings: [] };
    await insertPunchout(t.store.db, { id, protocol: 'cxml', supplierUrl: `${t.baseUrl}/cxml`, buyerCookie: 'c', framed: false, info, now: new Date() });
    await saveCart(t.store.db, id, { status: 'returned', info, raw: '<cXML/>', format: 'cxml', lines, total: null, currency: 'EUR' }, new Date());
    return id;
  }

  test('a draft from the cart; the cart again replaces the lines; once submitted a later cart is refused', async () => {
    const pid = await punchout([line(1, '2', '1.50'), line(2, '1', '3.00')]);
    await createPerson(t.store.db, { id: 'jo', name: 'Jo Lee', email: 'jo@example.com', roles: ['requester'], costCenter: '2000' }, new Date());
    const r = await requisitionForPunchout(deps, pid, 'person:jo');
    assert.equal(r.status, 'draft');
    assert.equal(r.source, 'punchout');
    assert.equal(r.punchoutId, pid);
    assert.deepEqual([r.requesterId, r.costCenter, r.currency, r.total], ['jo', '2000', 'EUR', '6.00']);
    assert.match(r.title, new RegExp(`^Punchout 127\\.0\\.0\\.1:\\d+ \\d{4}-\\d{2}-\\d{2}$`));
    assert.deepEqual(r.lines[0]!.classification, { domain: 'UNSPSC', code: '44121701' });
    assert.equal(r.supplier.cxmlUrl, supplier.cxmlUrl);

    await saveCart(t.store.db, pid, { status: 'returned', info: { settings: supplier, origin: t.baseUrl, returnUrl: '', returns: 2, cartWarnings: [] }, raw: '<cXML/>', format: 'cxml', lines: [line(1, '4', '1.50')], total: '6.00', currency: 'EUR' }, new Date());
    const again = await requisitionForPunchout(deps, pid, 'person:jo');
    assert.equal(again.id, r.id);
    assert.equal(again.lines.length, 1);
    assert.equal(again.total, '6.00');
    assert.equal((await t.store.db.selectFrom('sandbox_requisitions').select('id').where('punchout_id', '=', pid).execute()).length, 1);

    await submitRequisition(deps, r.id, 'person:jo');
    await assert.rejects(requisitionForPunchout(deps, pid, 'person:jo'), refused(/submitted already/));
  });

  test('a cart line without a price, or mixed currencies, is refused with the line named (422), nothing stored', async () => {
    const noPrice = await punchout([line(1, '1', '2.00'), { ...line(2, '1', '1.00'), unitPrice: '', lineTotal: '' }]);
    await assert.rejects(requisitionForPunchout(deps, noPrice, 'system'), (e: unknown) => e instanceof ProcurementError && e.status === 422 && /line 2 has no price/.test(e.message));
    const mixed = await punchout([line(1, '1', '2.00'), { ...line(2, '1', '1.00'), currency: 'USD' }]);
    await assert.rejects(requisitionForPunchout(deps, mixed, 'system'), (e: unknown) => e instanceof ProcurementError && /different currencies \(EUR, USD\)/.test(e.message));
    const stored = await t.store.db.selectFrom('sandbox_requisitions').select('id').where('punchout_id', 'in', [noPrice, mixed]).execute();
    assert.equal(stored.length, 0);
  });

  test('a negative "promo" line or a quantity of 0 or less is refused with the line and value named (422); a free line is fine', async () => {
    const promo = await punchout([line(1, '1', '4000.00'), { ...line(2, '1', '-3900.00'), lineTotal: '-3900.00' }]);
    await assert.rejects(requisitionForPunchout(deps, promo, 'person:alex'), (e: unknown) => e instanceof ProcurementError && e.status === 422 && /line 2 has the unit price -3900\.00 EUR; prices cannot be negative/.test(e.message));
    const negativeQty = await punchout([line(1, '-5', '10.00')]);
    await assert.rejects(requisitionForPunchout(deps, negativeQty, 'person:alex'), (e: unknown) => e instanceof ProcurementError && e.status === 422 && /line 1 has the quantity -5; a quantity must be above 0/.test(e.message));
    const zeroQty = await punchout([line(1, '0', '10.00')]);
    await assert.rejects(requisitionForPunchout(deps, zeroQty, 'person:alex'), (e: unknown) => e instanceof ProcurementError && /line 1 has the quantity 0/.test(e.message));
    const stored = await t.store.db.selectFrom('sandbox_requisitions').select('id').where('punchout_id', 'in', [promo, negativeQty, zeroQty]).execute();
    assert.equal(stored.length, 0);
    const free = await requisitionForPunchout(deps, await punchout([line(1, '1', '5.00'), line(2, '2', '0.00')]), 'person:alex');
    assert.equal(free.total, '5.00');
  });

  test('a cart quantity finer than 3 decimals (or over 11 digits) makes no requisition: it could never be received in full; trailing zeros are fine', async () => {
    const fine = await punchout([line(1, '0.0005', '10.00')]);
    await assert.rejects(requisitionForPunchout(deps, fine, 'person:alex'), (e: unknown) => e instanceof ProcurementError && e.status === 422 && /line 1 has the quantity 0\.0005; quantities are kept to 3 decimals/.test(e.message));
    const huge = await punchout([line(1, '123456789012', '0.01')]);
    await assert.rejects(requisitionForPunchout(deps, huge, 'person:alex'), (e: unknown) => e instanceof ProcurementError && /line 1 has the quantity 123456789012;/.test(e.message));
    const zeros = await requisitionForPunchout(deps, await punchout([line(1, '2.50000', '1.00')]), 'person:alex');
    assert.equal(zeros.total, '2.50');
    assert.equal(quantitySizeProblem({ line: 1, quantity: '1.125' }), undefined);
    assert.equal(quantitySizeProblem({ line: 1, quantity: '99999999999.999' }), undefined);
  });

  test('requisitionTotal never lets a negative line lower the total: it refuses the line', () => {
    const l = (n: number, quantity: string, unitPrice: string, lineTotal: string) => ({ line: n, supplierPartID: 'X', description: 'x', quantity, unit: 'EA', unitPrice, lineTotal, currency: 'EUR' });
    assert.equal(requisitionTotal([l(1, '2', '1.50', '3.00'), l(2, '1', '0', '0.00')], 'EUR'), '3.00');
    assert.throws(() => requisitionTotal([l(1, '1', '4000.00', '4000.00'), l(2, '1', '-3900.00', '-3900.00')], 'EUR'), refused(/line 2 has the unit price -3900\.00 EUR/, 422));
    assert.throws(() => requisitionTotal([l(1, '1', '4000.00', '4000.00'), l(2, '-1', '3900.00', '-3900.00')], 'EUR'), refused(/line 2 has the quantity -1/, 422));
  });

  test('the system as actor requests for alex; someone without cost center stays the requester, on the first cost center', async () => {
    const a = await requisitionForPunchout(deps, await punchout([line(1, '1', '2.00')]), 'system');
    assert.deepEqual([a.requesterId, a.costCenter], ['alex', '1000']);
    const b = await requisitionForPunchout(deps, await punchout([line(1, '1', '2.00')]), 'person:maria');
    assert.deepEqual([b.requesterId, b.costCenter], ['maria', '1000']);
  });

  test('the requester is who started the punchout, even when the cart comes back under another cookie', async () => {
    const pid = await punchout([line(1, '1', '2.00')]);
    const p = await t.store.db.selectFrom('sandbox_punchouts').select('request').where('id', '=', pid).executeTakeFirstOrThrow();
    await t.store.db.updateTable('sandbox_punchouts').set({ request: JSON.stringify({ ...JSON.parse(p.request), startedBy: 'maria' }) }).where('id', '=', pid).execute();
    const r = await requisitionForPunchout(deps, pid, 'person:alex');
    assert.deepEqual([r.requesterId, r.costCenter], ['maria', '1000']);
  });

  test('two carts at once for one punchout make one requisition', async () => {
    const pid = await punchout([line(1, '1', '2.00')]);
    const both = await Promise.all([requisitionForPunchout(deps, pid, 'system'), requisitionForPunchout(deps, pid, 'system')]);
    assert.equal(both[0].id, both[1].id);
  });
});

describe('concurrency', () => {
  test('two approvals of the same step at once: one approval, one commitment, one order', async () => {
    const r = await draft('260.00', { costCenter: '2000' });
    await submitRequisition(deps, r.id, 'person:alex');
    const results = await Promise.allSettled([
      decideStep(deps, r.id, { decision: 'approve', comment: 'a' }, people.maria!),
      decideStep(deps, r.id, { decision: 'approve', comment: 'b' }, people.maria!),
    ]);
    assert.equal(results.filter((x) => x.status === 'fulfilled').length, 1, JSON.stringify(results.map((x) => (x.status === 'rejected' ? String(x.reason) : 'ok'))));
    const failure = results.find((x) => x.status === 'rejected') as PromiseRejectedResult;
    assert.ok(failure.reason instanceof ProcurementError, String(failure.reason));
    assert.deepEqual(await commitments(r.id), ['260.00']);
    const orders = await t.store.db.selectFrom('sandbox_purchase_orders').select('id').where('requisition_id', '=', r.id).execute();
    assert.equal(orders.length, 1);
    assert.equal((await findRequisition(t.store.db, r.id))!.status, 'ordered');
  });
});
