/** The requisition, approval, budget and setup pages over app.inject on a real Koppel. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { seedDemo } from '../../../src/app/demo-seed.js';
import { encodeUrlencoded } from '../../../src/protocol/oci/form-encoding.js';
import { defaultSettings } from '../../../src/sandbox/settings.js';
import type { ProcurementDeps, Requisition } from '../../../src/sandbox/procurement/model.js';
import { createRequisition, findRequisition } from '../../../src/sandbox/procurement/requisitions.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
let deps: ProcurementDeps;
let sku: string;

before(async () => {
  t = await startTestApp({ demo: false, config: { secretKey: randomBytes(32).toString('base64') } });
  await seedDemo(t.ctx);
  deps = { db: t.store.db, config: t.ctx.config, now: () => new Date(), fetch };
  sku = (await t.store.db.selectFrom('products').select('sku').orderBy('sku').executeTakeFirstOrThrow()).sku;
});

after(async () => {
  await t.close();
});

const cookieFor = (person: string) => `koppel_sandbox_person=${person}`;

function get(url: string, person?: string) {
  return t.app.inject({ method: 'GET', url, headers: person ? { cookie: cookieFor(person) } : {} });
}

function post(url: string, form: [string, string][], person?: string) {
  return t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', ...(person ? { cookie: cookieFor(person) } : {}) }, payload: encodeUrlencoded(form) });
}

async function draft(total: string, costCenter = '1000', requesterId = 'alex'): Promise<Requisition> {
  return createRequisition(
    deps,
    {
      source: 'punchout',
      title: 'Pens & paper',
      requesterId,
      costCenter,
      currency: 'EUR',
      supplier: { ...defaultSettings(t.baseUrl), protocol: 'cxml' },
      lines: [{ line: 1, supplierPartID: sku, description: 'Pen <blue>', quantity: '1', unit: 'EA', unitPrice: total, lineTotal: total, currency: 'EUR', classification: { domain: 'UNSPSC', code: '44121701' } }],
    },
    'person:alex',
  );
}

/** The text of the field-problem span of a field. */
function problemOf(body: string, field: string): string | undefined {
  return new RegExp(`<span class="field-problem" id="${field}-problem">([^<]*)</span>`).exec(body)?.[1];
}

describe('acting as', () => {
  test('without a cookie the sandbox acts as Alex; the switch sets the cookie and goes back', async () => {
    const list = await get('/sandbox/requisitions');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Acting as <strong>Alex Meyer<\/strong>/);
    assert.match(list.body, /aria-current="page">Requisitions</);
    const sw = await post('/sandbox/setup/acting', [['person', 'maria'], ['back', '/sandbox/approvals']]);
    assert.equal(sw.statusCode, 303);
    assert.equal(sw.headers.location, '/sandbox/approvals');
    assert.match(String(sw.headers['set-cookie']), /koppel_sandbox_person=maria; Path=\/sandbox/);
    const approvals = await get('/sandbox/approvals', 'maria');
    assert.match(approvals.body, /Acting as <strong>Maria Schulz<\/strong>/);
  });
  test('the switch returns to the page the browser came from', async () => {
    const setup = await t.app.inject({ method: 'GET', url: '/sandbox/setup', headers: { host: 'sandbox.test', referer: 'http://sandbox.test/sandbox/requisitions?status=pending' } });
    assert.match(setup.body, /name="back" value="\/sandbox\/requisitions\?status=pending"/);
    const foreign = await t.app.inject({ method: 'GET', url: '/sandbox/setup', headers: { host: 'sandbox.test', referer: 'http://elsewhere.test/sandbox/approvals' } });
    assert.match(foreign.body, /name="back" value="\/sandbox\/setup"/);
  });
  test('an unknown person is refused; an unsafe back address is not followed', async () => {
    const bad = await post('/sandbox/setup/acting', [['person', 'nobody']]);
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /There is no person &quot;nobody&quot;/);
    const away = await post('/sandbox/setup/acting', [['person', 'felix'], ['back', 'https://evil.example/']]);
    assert.equal(away.statusCode, 303);
    assert.equal(away.headers.location, '/sandbox/setup?done=acting');
    assert.match((await get('/sandbox/requisitions', 'unknown-id')).body, /Acting as <strong>Alex Meyer/);
  });
});

describe('a requisition page', () => {
  test('a draft: lines, budget, submit and edit forms; the edit form comes back with what was typed', async () => {
    const r = await draft('300.00');
    const page = await get(`/sandbox/requisitions/${r.id}`);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(r.number));
    assert.match(page.body, /Pen &lt;blue&gt;/);
    assert.match(page.body, /UNSPSC 44121701/);
    assert.match(page.body, /available of 5000\.00 EUR/);
    assert.match(page.body, /Submit for approval/);
    assert.match(page.body, /<button class="button secondary danger" type="submit">Cancel the requisition<\/button>/);
    // Unit prices with the currency's minor units, like the totals next to them.
    const plain = await get(`/sandbox/requisitions/${(await draft('407')).id}`);
    assert.match(plain.body, /<td class="num">407\.00 EUR<\/td><td class="num">407\.00 EUR<\/td>/);
    assert.doesNotMatch(plain.body, />407 EUR</);
    const bad = await post(`/sandbox/requisitions/${r.id}`, [['title', ''], ['requesterId', 'ghost'], ['costCenter', '1000'], ['note', 'keep "this" <note>']]);
    assert.equal(bad.statusCode, 422);
    assert.equal(problemOf(bad.body, 'title'), 'Enter a title.');
    assert.equal(problemOf(bad.body, 'requesterId'), 'There is no person &quot;ghost&quot;.');
    assert.match(bad.body, /<textarea name="note" rows="3">keep &quot;this&quot; &lt;note&gt;<\/textarea>/);
    assert.match(bad.body, /name="title" value="" required aria-invalid="true"/);
    const ok = await post(`/sandbox/requisitions/${r.id}`, [['title', 'Pens for the office'], ['requesterId', 'alex'], ['costCenter', '1000'], ['note', '']]);
    assert.equal(ok.statusCode, 303);
    assert.equal((await findRequisition(t.store.db, r.id))!.title, 'Pens for the office');
  });

  test('submit, then the approver decides on the approvals page; a rejection without comment comes back', async () => {
    const r = await draft('300.00');
    assert.equal((await post(`/sandbox/requisitions/${r.id}/submit`, [])).statusCode, 303);
    const asAlex = await get(`/sandbox/requisitions/${r.id}`);
    assert.match(asAlex.body, /Waiting for someone with the role <strong>approver<\/strong>/);
    assert.doesNotMatch(asAlex.body, /name="decision"/);
    const denied = await post(`/sandbox/requisitions/${r.id}/decide`, [['decision', 'approve'], ['comment', '']]);
    assert.equal(denied.statusCode, 403);
    assert.match(denied.body, /needs the role &quot;approver&quot;/);

    const queue = await get('/sandbox/approvals', 'maria');
    assert.ok(queue.body.includes(r.number));
    assert.ok(!(await get('/sandbox/approvals', 'felix')).body.includes(r.number));
    const stepId = /name="step" value="([^"]+)"/.exec((await get(`/sandbox/requisitions/${r.id}`, 'maria')).body)![1]!;

    const noComment = await post(`/sandbox/requisitions/${r.id}/decide`, [['decision', 'reject'], ['comment', ''], ['step', stepId]], 'maria');
    assert.equal(noComment.statusCode, 422);
    assert.match(problemOf(noComment.body, 'comment') ?? '', /Say why/);

    const ok = await post(`/sandbox/requisitions/${r.id}/decide`, [['decision', 'approve'], ['comment', 'go'], ['step', stepId], ['back', '/sandbox/approvals']], 'maria');
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, `/sandbox/approvals?requisition=${r.id}&done=approved`);
    const approvedPage = await get(ok.headers.location as string, 'maria');
    const placed = (await findRequisition(t.store.db, r.id))!;
    assert.ok(approvedPage.body.includes(`Your approval was recorded. Requisition <a class="code" href="/sandbox/requisitions/${r.id}">${r.number}</a> is now ordered`), 'the notice links the requisition');
    assert.ok(placed.poId && approvedPage.body.includes(`purchase order <a class="code" href="/sandbox/orders/${placed.poId}">`), 'and the order it placed');
    assert.match(queue.body, /<button class="button secondary danger" type="submit" name="decision" value="reject">Reject<\/button>/);
    const again = await post(`/sandbox/requisitions/${r.id}/decide`, [['decision', 'approve'], ['comment', ''], ['step', stepId]], 'maria');
    assert.equal(again.statusCode, 409);

    const done = await get(`/sandbox/requisitions/${r.id}`);
    const now = (await findRequisition(t.store.db, r.id))!;
    assert.equal(now.status, 'ordered');
    assert.ok(done.body.includes(`href="/sandbox/orders/${now.poId}"`));
    assert.match(done.body, /Maria Schulz/);
    assert.match(done.body, /step approved/);
  });

  test('four eyes: the requester is offered no decide form for their own requisition, and a decision is refused (403)', async () => {
    const r = await draft('300.00', '1000', 'maria');
    assert.equal((await post(`/sandbox/requisitions/${r.id}/submit`, [], 'maria')).statusCode, 303);
    const page = await get(`/sandbox/requisitions/${r.id}`, 'maria');
    assert.doesNotMatch(page.body, /name="decision"/);
    assert.match(page.body, /You requested and submitted this; another approver decides/);
    assert.ok(page.body.includes(`action="/sandbox/requisitions/${r.id}/cancel"`), 'the requester may cancel instead');
    const queue = await get('/sandbox/approvals', 'maria');
    assert.ok(queue.body.includes(r.number));
    assert.ok(!queue.body.includes(`action="/sandbox/requisitions/${r.id}/decide"`));
    assert.match(queue.body, /You requested and submitted this; another approver decides/);
    const stepId = /name="step" value="([^"]+)"/.exec((await get(`/sandbox/requisitions/${r.id}`, 'alex')).body)?.[1] ?? '';
    for (const decision of ['approve', 'reject']) {
      const res = await post(`/sandbox/requisitions/${r.id}/decide`, [['decision', decision], ['comment', 'mine'], ['step', stepId]], 'maria');
      assert.equal(res.statusCode, 403);
      assert.match(res.body, /Maria Schulz requested .* cannot approve or reject it/);
    }
    assert.equal((await findRequisition(t.store.db, r.id))!.status, 'pending');
  });

  test('four eyes over the browser: acting as Maria (no cost center) she punches out, submits and cannot approve her own cart', async () => {
    const start = await post('/sandbox/punchouts', [['protocol', 'oci']], 'maria');
    assert.equal(start.statusCode, 200);
    const punchoutId = /\/sandbox\/punchouts\/([A-Za-z0-9_-]{16,64})\/oci-return/.exec(start.body)?.[1];
    assert.ok(punchoutId, start.body.slice(0, 2000));
    const cart: [string, string][] = [
      ['~OkCode', 'ADDI'],
      ['NEW_ITEM-DESCRIPTION[1]', 'Chair'],
      ['NEW_ITEM-QUANTITY[1]', '1.000'],
      ['NEW_ITEM-UNIT[1]', 'EA'],
      ['NEW_ITEM-PRICE[1]', '300.00'],
      ['NEW_ITEM-CURRENCY[1]', 'EUR'],
      ['NEW_ITEM-VENDORMAT[1]', sku],
      ['NEW_ITEM-MATGROUP[1]', '44121701'],
    ];
    const ret = await post(`/sandbox/punchouts/${punchoutId}/oci-return`, cart, 'maria');
    assert.equal(ret.statusCode, 303);
    const id = /^\/sandbox\/requisitions\/([A-Za-z0-9_-]+)$/.exec(String(ret.headers.location))?.[1];
    assert.ok(id, String(ret.headers.location));
    const r = (await findRequisition(t.store.db, id))!;
    // The requester is who punched out, not the demo requester; the cost center is the first one.
    assert.deepEqual([r.requesterId, r.costCenter], ['maria', '1000']);
    assert.equal((await post(`/sandbox/requisitions/${id}/submit`, [], 'maria')).statusCode, 303);
    const page = await get(`/sandbox/requisitions/${id}`, 'maria');
    assert.doesNotMatch(page.body, /name="decision"/);
    const stepId = /name="step" value="([^"]+)"/.exec((await get(`/sandbox/requisitions/${id}`, 'alex')).body)?.[1] ?? '';
    const res = await post(`/sandbox/requisitions/${id}/decide`, [['decision', 'approve'], ['comment', ''], ['step', stepId]], 'maria');
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /Maria Schulz requested, created and submitted REQ-\S+ and cannot approve or reject it \(four eyes\)/);
    assert.equal((await findRequisition(t.store.db, id))!.status, 'pending');
  });

  test('four eyes: changing the requester on a draft does not let the person who created and submitted it approve it', async () => {
    const start = await post('/sandbox/punchouts', [['protocol', 'oci']], 'maria');
    const punchoutId = /\/sandbox\/punchouts\/([A-Za-z0-9_-]{16,64})\/oci-return/.exec(start.body)![1]!;
    const cart: [string, string][] = [['~OkCode', 'ADDI'], ['NEW_ITEM-DESCRIPTION[1]', 'Desk'], ['NEW_ITEM-QUANTITY[1]', '1'], ['NEW_ITEM-UNIT[1]', 'EA'], ['NEW_ITEM-PRICE[1]', '400'], ['NEW_ITEM-CURRENCY[1]', 'EUR'], ['NEW_ITEM-VENDORMAT[1]', sku]];
    const id = /([A-Za-z0-9_-]+)$/.exec(String((await post(`/sandbox/punchouts/${punchoutId}/oci-return`, cart, 'maria')).headers.location))![1]!;
    const edit = await post(`/sandbox/requisitions/${id}`, [['title', 'Desk'], ['requesterId', 'alex'], ['costCenter', '1000'], ['note', '']], 'maria');
    assert.equal(edit.statusCode, 303);
    assert.equal((await findRequisition(t.store.db, id))!.requesterId, 'alex');
    assert.equal((await post(`/sandbox/requisitions/${id}/submit`, [], 'maria')).statusCode, 303);
    const page = await get(`/sandbox/requisitions/${id}`, 'maria');
    assert.doesNotMatch(page.body, /name="decision"/);
    assert.match(page.body, /You created and submitted this; another approver decides/);
    const queue = await get('/sandbox/approvals', 'maria');
    assert.ok(!queue.body.includes(`action="/sandbox/requisitions/${id}/decide"`));
    const res = await post(`/sandbox/requisitions/${id}/decide`, [['decision', 'approve'], ['comment', '']], 'maria');
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /Maria Schulz created and submitted REQ-\S+ and cannot approve/);
  });

  test('over budget: warned before anyone approves; 409 with the cost center, available amount and total; still pending', async () => {
    const r = await draft('1600.00', '2000');
    const warned = 'Over budget: cost center 2000 has 1500.00 EUR available; this requisition (1600.00 EUR) cannot be approved unless the budget is raised or the cost center changed.';
    assert.ok((await get(`/sandbox/requisitions/${r.id}`)).body.includes(warned), 'the draft warns');
    await post(`/sandbox/requisitions/${r.id}/submit`, []);
    assert.ok((await get(`/sandbox/requisitions/${r.id}`, 'maria')).body.includes(warned), 'the pending requisition warns the approver');
    assert.ok(!(await get(`/sandbox/requisitions/${(await draft('12.00', '2000')).id}`)).body.includes('Over budget'), 'not below the budget');
    const res = await post(`/sandbox/requisitions/${r.id}/decide`, [['decision', 'approve'], ['comment', '']], 'maria');
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /Over budget: cost center 2000 has 1500\.00 EUR available, the requisition total is 1600\.00 EUR\./);
    assert.match(res.body, /held up by the budget/);
    assert.equal((await findRequisition(t.store.db, r.id))!.status, 'pending');
  });

  test('unknown requisition: 404; list filters', async () => {
    assert.equal((await get('/sandbox/requisitions/req-nope')).statusCode, 404);
    const drafts = await get('/sandbox/requisitions?status=draft&costCenter=2000');
    assert.equal(drafts.statusCode, 200);
    assert.match(drafts.body, /No requisitions match these filters|<table/);
  });
});

describe('budgets page', () => {
  test('standing per cost center; the add form comes back with typed values and problems', async () => {
    const page = await get('/sandbox/budgets');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /1000 Facilities/);
    assert.match(page.body, /aria-current="page">Budgets</);
    const bad = await post('/sandbox/budgets', [['costCenter', '2000'], ['periodStart', '2031-01-01'], ['periodEnd', '2030-12-31'], ['amount', 'lots'], ['currency', 'EUR']]);
    assert.equal(bad.statusCode, 422);
    assert.match(problemOf(bad.body, 'amount') ?? '', /Amount: enter a plain amount/);
    assert.match(problemOf(bad.body, 'periodEnd') ?? '', /must not be before/);
    assert.match(bad.body, /name="amount" value="lots"/);
    const ok = await post('/sandbox/budgets', [['costCenter', '2000'], ['periodStart', '2031-01-01'], ['periodEnd', '2031-12-31'], ['amount', '900'], ['currency', 'EUR']]);
    assert.equal(ok.statusCode, 303);
    assert.match((await get('/sandbox/budgets')).body, /2031-01-01 – 2031-12-31/);
    const id = (await t.store.db.selectFrom('sandbox_budgets').select('id').where('period_start', '=', '2031-01-01').executeTakeFirstOrThrow()).id;
    const edit = await get(`/sandbox/budgets?edit=${id}`);
    assert.match(edit.body, /History of this budget/);
    assert.match(edit.body, /Budget 900\.00 EUR for 2000/);
    const changed = await post(`/sandbox/budgets/${id}`, [['periodStart', '2031-01-01'], ['periodEnd', '2031-12-31'], ['amount', '950'], ['currency', 'EUR']]);
    assert.equal(changed.statusCode, 303);
    assert.match((await get(`/sandbox/budgets?edit=${id}`)).body, /Budget set to 950\.00 EUR/);
  });
});

describe('amounts are read strictly', () => {
  test('the budget form refuses exponents, signs, separators and too many decimals (422, typed value kept, nothing stored)', async () => {
    for (const [typed, currency, pattern] of [
      ['1e100000', 'EUR', /plain amount/],
      ['1e3', 'EUR', /plain amount/],
      ['Infinity', 'EUR', /plain amount/],
      ['1,000', 'EUR', /plain amount/],
      ['0x10', 'EUR', /plain amount/],
      ['-1', 'EUR', /plain amount/],
      ['1234567890123', 'EUR', /at most 12 digits/],
      [' 12.345 ', 'EUR', /EUR has at most 2 decimals, got "12\.345"/],
      ['12.5', 'JPY', /JPY has no decimals/],
    ] as const) {
      const res = await post('/sandbox/budgets', [['costCenter', '2000'], ['periodStart', '2040-01-01'], ['periodEnd', '2040-12-31'], ['amount', typed], ['currency', currency]]);
      assert.equal(res.statusCode, 422, typed);
      assert.match(problemOf(res.body, 'amount') ?? '', /^Amount: /, typed);
      assert.match((problemOf(res.body, 'amount') ?? '').replace(/&quot;/g, '"'), pattern, typed);
      assert.ok(res.body.includes(`name="amount" value="${typed.trim()}"`), `typed value kept: ${typed}`);
      assert.equal(await t.store.db.selectFrom('sandbox_budgets').select('id').where('period_start', '=', '2040-01-01').executeTakeFirst(), undefined, typed);
    }
    const ok = await post('/sandbox/budgets', [['costCenter', '2000'], ['periodStart', '2040-01-01'], ['periodEnd', '2040-12-31'], ['amount', ' 12.34 '], ['currency', 'EUR']]);
    assert.equal(ok.statusCode, 303);
    const row = await t.store.db.selectFrom('sandbox_budgets').select('amount').where('period_start', '=', '2040-01-01').executeTakeFirstOrThrow();
    assert.equal(row.amount, '12.34');
  });

  test('the rule form reads its limits the same way (422 naming the field, typed value kept, nothing stored)', async () => {
    const rule = (min: string, max: string, name = 'Strict limits') =>
      post('/sandbox/setup/rules', [['name', name], ['minAmount', min], ['maxAmount', max], ['currency', 'EUR'], ['action', 'role'], ['approverRole', 'approver'], ['position', '7']]);
    const bad = await rule('1e3', '12.345');
    assert.equal(bad.statusCode, 422);
    assert.match(problemOf(bad.body, 'minAmount') ?? '', /^From amount: enter a plain amount/);
    assert.match((problemOf(bad.body, 'maxAmount') ?? '').replace(/&quot;/g, '"'), /^Below amount: EUR has at most 2 decimals, got "12\.345"/);
    assert.match(bad.body, /name="minAmount" value="1e3"/);
    assert.match(bad.body, /name="maxAmount" value="12.345"/);
    assert.equal((await rule('1,5', '')).statusCode, 422);
    assert.equal(await t.store.db.selectFrom('sandbox_approval_rules').select('id').where('name', '=', 'Strict limits').executeTakeFirst(), undefined);
    const seeded = await t.store.db.selectFrom('sandbox_approval_rules').selectAll().where('id', '=', 'rule-manager-250').executeTakeFirstOrThrow();
    const edit = await post(`/sandbox/setup/rules/${seeded.id}`, [['name', seeded.name], ['minAmount', '2.5e2'], ['currency', 'EUR'], ['action', 'role'], ['approverRole', 'approver'], ['position', String(seeded.position)]]);
    assert.equal(edit.statusCode, 422);
    assert.ok(problemOf(edit.body, 'minAmount'));
    assert.equal((await t.store.db.selectFrom('sandbox_approval_rules').select('min_amount').where('id', '=', seeded.id).executeTakeFirstOrThrow()).min_amount, seeded.min_amount);
    assert.equal((await post('/sandbox/setup/rules/no-such-rule', [['name', 'x'], ['minAmount', '1e3'], ['currency', 'EUR'], ['action', 'auto']])).statusCode, 404);
    assert.equal((await rule('100', '1000.50')).statusCode, 303);
    // Out of the way of the other tests' requisitions.
    const made = await t.store.db.selectFrom('sandbox_approval_rules').select(['id', 'max_amount']).where('name', '=', 'Strict limits').executeTakeFirstOrThrow();
    assert.equal(made.max_amount, '1000.5');
    assert.equal((await post(`/sandbox/setup/rules/${made.id}/active`, [['active', '0']])).statusCode, 303);
  });
});

describe('setup page', () => {
  test('people, cost centers and rules; forms come back with problems', async () => {
    const page = await get('/sandbox/setup');
    assert.equal(page.statusCode, 200);
    for (const text of ['Alex Meyer', 'Maria Schulz', 'Felix Wagner', 'Sam Okafor', 'Automatic re-orders', 'Manager approval from 250 EUR', 'Finance approval from 2500 EUR', 'Facilities']) assert.ok(page.body.includes(text), text);

    const badPerson = await post('/sandbox/setup/people', [['id', 'x y'], ['name', 'Jo'], ['email', 'nope'], ['roles', 'approver']]);
    assert.equal(badPerson.statusCode, 422);
    assert.ok(problemOf(badPerson.body, 'id'));
    assert.ok(problemOf(badPerson.body, 'email'));
    assert.match(badPerson.body, /name="name" value="Jo"/);
    assert.match(badPerson.body, /value="approver" checked/);
    assert.equal((await post('/sandbox/setup/people', [['id', 'jo'], ['name', 'Jo Lee'], ['email', 'jo@example.com'], ['roles', 'finance'], ['costCenter', '2000']])).statusCode, 303);

    assert.equal((await post('/sandbox/setup/cost-centers', [['code', '1000'], ['name', 'Again']])).statusCode, 422);
    assert.equal((await post('/sandbox/setup/cost-centers', [['code', '5000'], ['name', 'Marketing']])).statusCode, 303);

    const badRule = await post('/sandbox/setup/rules', [['name', ''], ['minAmount', '10'], ['currency', 'EUR'], ['action', 'role'], ['approverRole', ''], ['position', '5']]);
    assert.equal(badRule.statusCode, 422);
    assert.ok(problemOf(badRule.body, 'name'));
    assert.ok(problemOf(badRule.body, 'approverRole'));
    assert.match(badRule.body, /name="minAmount" value="10"/);
    const okRule = await post('/sandbox/setup/rules', [['name', 'IT from 100'], ['costCenter', '2000'], ['minAmount', '100'], ['currency', 'EUR'], ['action', 'role'], ['approverRole', 'purchasing'], ['position', '5']]);
    assert.equal(okRule.statusCode, 303);
    const rule = await t.store.db.selectFrom('sandbox_approval_rules').selectAll().where('name', '=', 'IT from 100').executeTakeFirstOrThrow();
    const edit = await get(`/sandbox/setup?rule=${rule.id}`);
    assert.match(edit.body, /Edit the rule/);
    assert.equal((await post(`/sandbox/setup/rules/${rule.id}`, [['name', 'IT from 150'], ['costCenter', '2000'], ['minAmount', '150'], ['currency', 'EUR'], ['action', 'role'], ['approverRole', 'purchasing'], ['position', '5']])).statusCode, 303);
    assert.equal((await post(`/sandbox/setup/rules/${rule.id}/active`, [['active', '0']])).statusCode, 303);
    const after = await t.store.db.selectFrom('sandbox_approval_rules').selectAll().where('id', '=', rule.id).executeTakeFirstOrThrow();
    assert.deepEqual([after.name, after.min_amount, after.active], ['IT from 150', '150', 0]);
  });
});
