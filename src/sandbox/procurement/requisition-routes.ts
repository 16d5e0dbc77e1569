/**
 * Requisition, approval, budget and setup routes:
 *   GET  /sandbox/requisitions               list (filters: status, costCenter, requester, source)
 *   GET  /sandbox/requisitions/:id           lines, budget, approval steps, actions, history
 *   POST /sandbox/requisitions/:id           edit the draft (title, requesterId, costCenter, note)
 *   POST /sandbox/requisitions/:id/submit    submit for approval
 *   POST /sandbox/requisitions/:id/decide    decision=approve|reject, comment, step (the step seen), back
 *   POST /sandbox/requisitions/:id/cancel    reason
 *   POST /sandbox/requisitions/:id/order     place the order again (approved, none placed)
 *   GET  /sandbox/approvals                  steps waiting for the acting person's roles
 *   GET  /sandbox/budgets (?edit=<id>, ?bookings=<id>)   standing per cost center and period; add/edit form; one budget's bookings
 *   POST /sandbox/budgets, /sandbox/budgets/:id
 *   GET  /sandbox/setup (?rule=<id>, ?person=<id>)   acting as, people, cost centers, rules
 *   POST /sandbox/setup/acting, /sandbox/setup/people(/:id), /sandbox/setup/cost-centers,
 *        /sandbox/setup/rules(/:id), /sandbox/setup/rules/:id/active
 * Thin: the work is in requisitions.ts, budgets.ts, approval-rules.ts, people.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorPage } from '../../web/views/layout.js';
import { formOf, seeOther, sendHtml, setActingPerson } from '../http.js';
import { ruleAmountProblems } from './amounts.js';
import { checkRuleForm, createRule, editRule, findRule, listRules, ruleFormFromRule, ruleFormOf, setRuleActive, type RuleForm } from './approval-rules.js';
import { budgetFor, budgetFormOf, budgetStanding, createBudget, editBudget, findBudget, listStandings, utcDay, type BudgetForm } from './budgets.js';
import { InvalidForm, type FieldProblems } from './form-problems.js';
import { eventsFor } from './history.js';
import { ProcurementError, REQUISITION_SOURCES, type ProcurementDeps, type RequisitionSource, type RequisitionStatus, type SandboxPerson } from './model.js';
import { createCostCenter, listCostCenters } from './organisation.js';
import { actingPerson, createPerson, editPerson, findPerson, listPeople, personFromForm, type PersonInput } from './people.js';
import {
  cancelRequisition,
  decideStep,
  draftEditOf,
  editDraft,
  findRequisition,
  listRequisitions,
  pendingApprovalsFor,
  personActor,
  placeOrderAgain,
  preparersOf,
  stepsOf,
  submitRequisition,
  type DraftEdit,
} from './requisitions.js';
import { approvalsPage, budgetsPage, REQUISITION_STATUSES, requisitionListPage, requisitionPage, type Notice, type RequisitionPageView } from './requisition-views.js';
import { setupPage, type SetupView } from './setup-views.js';
import { shownStatusOf } from './po-routes.js';

type IdParams = { Params: { id: string } };
const ID = /^[A-Za-z0-9_.-]{1,80}$/;

/** Messages after a successful POST (303 → GET with ?done=…). */
const DONE: Record<string, string> = {
  saved: 'The draft was saved.',
  submitted: 'Submitted.',
  approved: 'Your approval was recorded.',
  rejected: 'The requisition was rejected.',
  cancelled: 'The requisition was cancelled.',
  ordered: 'The order was placed again.',
  budget: 'The budget was saved.',
  person: 'The person was saved.',
  'cost-center': 'The cost center was added.',
  rule: 'The approval rule was saved.',
  acting: 'You now act as the chosen person.',
};

function doneNotice(request: FastifyRequest): Notice | undefined {
  const key = (request.query as Record<string, unknown>)?.done;
  return typeof key === 'string' && DONE[key] ? { kind: 'ok', text: DONE[key] } : undefined;
}

function query(request: FastifyRequest, name: string): string {
  const v = (request.query as Record<string, unknown>)?.[name];
  return typeof v === 'string' ? v.trim() : '';
}

/** Only paths inside the sandbox: the switch never redirects elsewhere. */
function safeBack(value: string | null | undefined, fallback: string): string {
  return value && /^\/sandbox(\/[A-Za-z0-9_.~\/-]*)?(\?[A-Za-z0-9_.~=&%-]*)?(#[A-Za-z0-9_-]*)?$/.test(value) ? value : fallback;
}

/** The sandbox page the browser came from (the "switch" link), so the acting-as switch can return there. */
function refererPath(request: FastifyRequest): string {
  const referer = request.headers.referer;
  if (!referer) return '';
  try {
    const url = new URL(referer);
    if (url.host !== request.headers.host || url.pathname.startsWith('/sandbox/setup')) return '';
    return `${url.pathname}${url.search}`;
  } catch {
    return '';
  }
}

function unknownPage(what: string, hint: string) {
  return errorPage(`Unknown ${what}`, `The sandbox has no ${what} with this id.`, hint);
}

export async function registerRequisitionRoutes(app: FastifyInstance, deps: ProcurementDeps): Promise<void> {
  const { db } = deps;

  // ---- requisitions ----

  app.get('/sandbox/requisitions', async (request, reply) => {
    const acting = await actingPerson(db, request);
    const status = query(request, 'status');
    const source = query(request, 'source');
    const filters = {
      ...(REQUISITION_STATUSES.includes(status as RequisitionStatus) ? { status: status as RequisitionStatus } : {}),
      ...(REQUISITION_SOURCES.includes(source as RequisitionSource) ? { source: source as RequisitionSource } : {}),
      ...(query(request, 'costCenter') ? { costCenter: query(request, 'costCenter') } : {}),
      ...(query(request, 'requester') ? { requesterId: query(request, 'requester') } : {}),
    };
    const [requisitions, people, costCenters] = [await listRequisitions(db, filters), await listPeople(db), await listCostCenters(db)];
    const poIds = requisitions.map((r) => r.poId).filter((x): x is string => x !== null);
    const pos = poIds.length ? await db.selectFrom('sandbox_purchase_orders').select(['id', 'status']).where('id', 'in', poIds).execute() : [];
    const orderStatuses = new Map<string, string>();
    for (const r of requisitions) {
      const po = pos.find((p) => p.id === r.poId);
      // An open order whose match is clean shows as complete, as on its own page.
      if (po) orderStatuses.set(r.id, po.status === 'open' ? ((await shownStatusOf(db, po.id)) ?? po.status) : po.status);
    }
    return sendHtml(reply, 200, requisitionListPage({ acting, requisitions, people, costCenters, filters, orderStatuses }));
  });

  async function showRequisition(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    code: number,
    extra: Partial<Pick<RequisitionPageView, 'notice' | 'edit' | 'decide'>> = {},
  ): Promise<FastifyReply> {
    const requisition = ID.test(id) ? await findRequisition(db, id) : undefined;
    if (!requisition) return sendHtml(reply, 404, unknownPage('requisition', 'Open the list of requisitions at /sandbox/requisitions.'));
    const acting = await actingPerson(db, request);
    const budget = await budgetFor(db, requisition.costCenter, utcDay(deps.now()));
    const po = requisition.poId ? await db.selectFrom('sandbox_purchase_orders').select(['order_id', 'status']).where('id', '=', requisition.poId).executeTakeFirst() : undefined;
    const view: RequisitionPageView = {
      acting,
      requisition,
      people: await listPeople(db),
      costCenters: await listCostCenters(db),
      standing: budget ? await budgetStanding(db, budget) : null,
      steps: await stepsOf(db, id),
      events: await eventsFor(db, [{ type: 'requisition', id }, ...(requisition.poId ? [{ type: 'po' as const, id: requisition.poId }] : [])]),
      preparedBy: await preparersOf(db, id),
      // The order's state as its own page shows it (complete once received, invoiced and matching).
      ...(po ? { orderNumber: po.order_id, orderStatus: (await shownStatusOf(db, requisition.poId!)) ?? po.status } : {}),
      ...(doneNotice(request) && code === 200 ? { notice: doneNotice(request)! } : {}),
      ...extra,
    };
    return sendHtml(reply, code, requisitionPage(view));
  }

  app.get<IdParams>('/sandbox/requisitions/:id', async (request, reply) => showRequisition(request, reply, request.params.id, 200));

  /** Runs a requisition action; a refusal shows the page again with the reason (and the form as typed). */
  async function act(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    run: (person: SandboxPerson) => Promise<unknown>,
    done: string,
    onProblem: (problems: FieldProblems) => Partial<Pick<RequisitionPageView, 'edit' | 'decide'>> = () => ({}),
    back?: string,
  ): Promise<FastifyReply> {
    const id = request.params.id;
    if (!ID.test(id) || !(await findRequisition(db, id))) return sendHtml(reply, 404, unknownPage('requisition', 'Open the list of requisitions at /sandbox/requisitions.'));
    const person = await actingPerson(db, request);
    try {
      await run(person);
    } catch (e) {
      if (e instanceof InvalidForm) return showRequisition(request, reply, id, 422, { notice: { kind: 'error', text: 'Nothing was changed: please correct the marked fields.' }, ...onProblem(e.problems) });
      if (e instanceof ProcurementError) {
        const problems: FieldProblems = e.field ? { [e.field]: e.message } : {};
        return showRequisition(request, reply, id, e.status, { notice: { kind: 'error', text: e.message }, ...onProblem(problems) });
      }
      throw e;
    }
    return seeOther(reply, back ? `${back}${back.includes('?') ? '&' : '?'}done=${done}` : `/sandbox/requisitions/${id}?done=${done}`);
  }

  app.post<IdParams>('/sandbox/requisitions/:id', async (request, reply) => {
    const edit: DraftEdit = draftEditOf(formOf(request));
    return act(request, reply, (person) => editDraft(deps, request.params.id, edit, person), 'saved', (problems) => ({ edit: { values: edit, problems } }));
  });

  app.post<IdParams>('/sandbox/requisitions/:id/submit', async (request, reply) =>
    act(request, reply, (person) => submitRequisition(deps, request.params.id, personActor(person)), 'submitted'),
  );

  app.post<IdParams>('/sandbox/requisitions/:id/decide', async (request, reply) => {
    const form = formOf(request);
    const decision = form.get('decision') === 'reject' ? 'reject' : form.get('decision') === 'approve' ? 'approve' : undefined;
    const comment = form.get('comment') ?? '';
    const step = form.get('step') ?? '';
    const safe = form.get('back') ? safeBack(form.get('back'), '') || undefined : undefined;
    // Back on the approvals page, the notice links the requisition just approved (and its order).
    const back = safe && decision === 'approve' ? `${safe}${safe.includes('?') ? '&' : '?'}requisition=${encodeURIComponent(request.params.id)}` : safe;
    return act(
      request,
      reply,
      async (person) => {
        if (!decision) throw new ProcurementError('Choose approve or reject.', 'decision', 422);
        return decideStep(deps, request.params.id, { decision, comment, ...(step ? { stepId: step } : {}) }, person);
      },
      decision === 'reject' ? 'rejected' : 'approved',
      (problems) => ({ decide: { comment, problems } }),
      back,
    );
  });

  app.post<IdParams>('/sandbox/requisitions/:id/cancel', async (request, reply) => {
    const reason = formOf(request).get('reason') ?? '';
    return act(request, reply, (person) => cancelRequisition(deps, request.params.id, person, reason), 'cancelled');
  });

  app.post<IdParams>('/sandbox/requisitions/:id/order', async (request, reply) =>
    act(request, reply, (person) => placeOrderAgain(deps, request.params.id, person), 'ordered'),
  );

  // ---- approvals ----

  app.get('/sandbox/approvals', async (request, reply) => {
    const acting = await actingPerson(db, request);
    const items = await pendingApprovalsFor(db, acting.roles);
    const notice = doneNotice(request);
    const decidedId = query(request, 'requisition');
    const decidedReq = notice && ID.test(decidedId) ? await findRequisition(db, decidedId) : undefined;
    const decidedPo = decidedReq?.poId ? await db.selectFrom('sandbox_purchase_orders').select(['id', 'order_id']).where('id', '=', decidedReq.poId).executeTakeFirst() : undefined;
    const decided = decidedReq ? { requisition: decidedReq, ...(decidedPo ? { order: { id: decidedPo.id, number: decidedPo.order_id } } : {}) } : undefined;
    return sendHtml(reply, 200, approvalsPage({ acting, items, people: await listPeople(db), ...(notice ? { notice } : {}), ...(decided ? { decided } : {}) }));
  });

  // ---- budgets ----

  async function showBudgets(request: FastifyRequest, reply: FastifyReply, code: number, form?: { values: BudgetForm; problems: FieldProblems; editing?: string; notice?: Notice }): Promise<FastifyReply> {
    const acting = await actingPerson(db, request);
    const standings = await listStandings(db);
    const editId = form?.editing ?? query(request, 'edit');
    const editing = editId ? standings.find((s) => s.id === editId) : undefined;
    const today = utcDay(deps.now());
    const year = today.slice(0, 4);
    const values: BudgetForm = form?.values ?? (editing ? { costCenter: editing.costCenter, periodStart: editing.periodStart, periodEnd: editing.periodEnd, amount: editing.amount, currency: editing.currency } : { costCenter: '', periodStart: `${year}-01-01`, periodEnd: `${year}-12-31`, amount: '', currency: 'EUR' });
    const notice = form?.notice ?? (code === 200 ? doneNotice(request) : undefined);
    const history = editing ? { history: await eventsFor(db, [{ type: 'budget', id: editing.id }]), people: await listPeople(db) } : {};
    // ?bookings=<id>: one budget's bookings (commitments, spend, releases) under the table.
    const bookingsId = form ? '' : query(request, 'bookings');
    const booked = bookingsId ? standings.find((s) => s.id === bookingsId) : undefined;
    const bookings = booked ? { bookings: { budget: booked, events: await eventsFor(db, [{ type: 'budget', id: booked.id }]) }, people: await listPeople(db) } : {};
    return sendHtml(reply, code, budgetsPage({ acting, standings, costCenters: await listCostCenters(db), today, form: values, ...(form ? { problems: form.problems } : {}), ...(editing ? { editing } : {}), ...(notice ? { notice } : {}), ...history, ...bookings }));
  }

  app.get('/sandbox/budgets', async (request, reply) => showBudgets(request, reply, 200));

  async function saveBudget(request: FastifyRequest, reply: FastifyReply, id: string | undefined): Promise<FastifyReply> {
    const values = budgetFormOf(formOf(request));
    const person = await actingPerson(db, request);
    if (id !== undefined && (!ID.test(id) || !(await findBudget(db, id)))) return sendHtml(reply, 404, unknownPage('budget', 'Open the budgets at /sandbox/budgets.'));
    try {
      if (id === undefined) await createBudget(db, values, deps.now(), personActor(person));
      else await editBudget(db, id, values, deps.now(), personActor(person));
    } catch (e) {
      if (e instanceof InvalidForm) return showBudgets(request, reply, 422, { values, problems: e.problems, ...(id ? { editing: id } : {}) });
      if (e instanceof ProcurementError) return showBudgets(request, reply, e.status, { values, problems: {}, ...(id ? { editing: id } : {}), notice: { kind: 'error', text: e.message } });
      throw e;
    }
    return seeOther(reply, '/sandbox/budgets?done=budget');
  }

  app.post('/sandbox/budgets', async (request, reply) => saveBudget(request, reply, undefined));
  app.post<IdParams>('/sandbox/budgets/:id', async (request, reply) => saveBudget(request, reply, request.params.id));

  // ---- setup ----

  async function showSetup(request: FastifyRequest, reply: FastifyReply, code: number, extra: Partial<Pick<SetupView, 'notice' | 'personForm' | 'costCenterForm' | 'ruleForm'>> = {}): Promise<FastifyReply> {
    const acting = await actingPerson(db, request);
    let view: SetupView = {
      acting,
      people: await listPeople(db),
      costCenters: await listCostCenters(db),
      rules: await listRules(db),
      back: safeBack(query(request, 'back') || refererPath(request), '/sandbox/setup'),
      ...(code === 200 && doneNotice(request) ? { notice: doneNotice(request)! } : {}),
      ...extra,
    };
    if (!view.ruleForm && query(request, 'rule')) {
      const rule = await findRule(db, query(request, 'rule'));
      if (rule) view = { ...view, ruleForm: { values: ruleFormFromRule(rule), problems: {}, editing: rule.id } };
    }
    if (!view.personForm && query(request, 'person')) {
      const p = await findPerson(db, query(request, 'person'));
      if (p) view = { ...view, personForm: { values: { ...p }, problems: {}, editing: p.id } };
    }
    return sendHtml(reply, code, setupPage(view));
  }

  app.get('/sandbox/setup', async (request, reply) => showSetup(request, reply, 200));

  app.post('/sandbox/setup/acting', async (request, reply) => {
    const form = formOf(request);
    const id = (form.get('person') ?? '').trim();
    const person = ID.test(id) ? await findPerson(db, id) : undefined;
    if (!person) return showSetup(request, reply, 422, { notice: { kind: 'error', text: `There is no person "${id}"; choose one from the list.` } });
    setActingPerson(reply, person.id);
    const back = safeBack(form.get('back'), '/sandbox/setup');
    return seeOther(reply, `${back}${back === '/sandbox/setup' ? '?done=acting' : ''}`);
  });

  async function setupAction(request: FastifyRequest, reply: FastifyReply, run: () => Promise<unknown>, done: string, onProblem: (problems: FieldProblems) => Partial<Pick<SetupView, 'personForm' | 'costCenterForm' | 'ruleForm'>>, anchor: string): Promise<FastifyReply> {
    try {
      await run();
    } catch (e) {
      if (e instanceof InvalidForm) return showSetup(request, reply, 422, onProblem(e.problems));
      if (e instanceof ProcurementError) return showSetup(request, reply, e.status, { notice: { kind: 'error', text: e.message }, ...onProblem(e.field ? { [e.field]: e.message } : {}) });
      throw e;
    }
    return seeOther(reply, `/sandbox/setup?done=${done}#${anchor}`);
  }

  app.post('/sandbox/setup/people', async (request, reply) => {
    const values: PersonInput = personFromForm(formOf(request));
    return setupAction(request, reply, () => createPerson(db, values, deps.now()), 'person', (problems) => ({ personForm: { values, problems } }), 'people');
  });

  app.post<IdParams>('/sandbox/setup/people/:id', async (request, reply) => {
    const id = request.params.id;
    const values: PersonInput = { ...personFromForm(formOf(request)), id };
    return setupAction(request, reply, () => editPerson(db, id, values), 'person', (problems) => ({ personForm: { values, problems, editing: id } }), 'people');
  });

  app.post('/sandbox/setup/cost-centers', async (request, reply) => {
    const form = formOf(request);
    const values = { code: (form.get('code') ?? '').trim(), name: (form.get('name') ?? '').trim() };
    return setupAction(request, reply, () => createCostCenter(db, values, deps.now()), 'cost-center', (problems) => ({ costCenterForm: { values, problems } }), 'cost-centers');
  });

  /**
   * The rule's limits are read strictly (plain decimals within the currency's decimals) before the
   * rule is saved; refused, the form comes back with every problem of the form, as typed.
   */
  async function strictRuleAmounts(values: RuleForm): Promise<void> {
    const strict = ruleAmountProblems(values);
    if (Object.keys(strict).length === 0) return;
    const codes = (await listCostCenters(db)).map((c) => c.code);
    throw new InvalidForm({ ...checkRuleForm(values, codes).problems, ...strict });
  }

  app.post('/sandbox/setup/rules', async (request, reply) => {
    const values: RuleForm = ruleFormOf(formOf(request));
    return setupAction(
      request,
      reply,
      async () => {
        await strictRuleAmounts(values);
        return createRule(db, values, deps.now());
      },
      'rule',
      (problems) => ({ ruleForm: { values, problems } }),
      'rules',
    );
  });

  app.post<IdParams>('/sandbox/setup/rules/:id', async (request, reply) => {
    const id = request.params.id;
    const values: RuleForm = ruleFormOf(formOf(request));
    return setupAction(
      request,
      reply,
      async () => {
        // An unknown rule stays a 404, whatever was typed.
        if (ID.test(id) && (await findRule(db, id))) await strictRuleAmounts(values);
        return editRule(db, id, values);
      },
      'rule',
      (problems) => ({ ruleForm: { values, problems, editing: id } }),
      'rules',
    );
  });

  app.post<IdParams>('/sandbox/setup/rules/:id/active', async (request, reply) => {
    const active = formOf(request).get('active') === '1';
    return setupAction(request, reply, () => setRuleActive(db, request.params.id, active), 'rule', () => ({}), 'rules');
  });
}
