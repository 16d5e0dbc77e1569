/**
 * Routes of the sandbox's stores (thin: parse, call inventory.ts / schedules.ts, render):
 *   GET  /sandbox/inventory                 items: stock, minimum, on order, open re-order, consume forms
 *   POST /sandbox/inventory                 add an item
 *   GET  /sandbox/inventory/:id             details, movements, requisitions and orders, history, edit form
 *   POST /sandbox/inventory/:id             edit the item
 *   POST /sandbox/inventory/:id/consume     take from stock (→ 303 back with what happened: the re-order, its PO)
 *   POST /sandbox/inventory/:id/count       set the stock to a counted value
 *   POST /sandbox/inventory/:id/resume-reorder  resume automatic re-ordering stopped by a rejected re-order
 *   GET  /sandbox/recurring                 recurring orders + add form
 *   POST /sandbox/recurring                 add one
 *   POST /sandbox/recurring/:id             action=save (edit) | pause | resume
 *   POST /sandbox/recurring/:id/run         run now (form field runs: the run count the page showed)
 * Invalid input → 422 with the form as typed; unknown id → 404; state conflicts → 409.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { html, type Html } from '../../web/html.js';
import { formOf, seeOther, sendHtml } from '../http.js';
import { eventsFor } from './history.js';
import {
  adjustStock,
  consume,
  createItem,
  editItem,
  findItem,
  ItemInputError,
  itemFormValues,
  itemFromForm,
  listItems,
  movementsFor,
  onOrderFor,
  requisitionNumbers,
  requisitionsForItem,
  resumeReorder,
  type FieldProblem,
  type ReorderOutcome,
} from './inventory.js';
import { inventoryListPage, itemPage, itemPath, recurringPage, scheduleFormValues, unknownItemPage, type Acting, type Choices, type FormState, type Notice } from './inventory-views.js';
import { ProcurementError, type InventoryItem, type ProcurementDeps, type SandboxActor, type SandboxPerson } from './model.js';
import { listCostCenters } from './organisation.js';
import { actingPerson, listPeople } from './people.js';
import {
  AlreadyRunError,
  createSchedule,
  editSchedule,
  findSchedule,
  listSchedules,
  requisitionsForSchedule,
  runNow,
  scheduleFromForm,
  ScheduleInputError,
  setScheduleActive,
} from './schedules.js';

type IdParams = { Params: { id: string } };
type Query = Record<string, string | undefined>;

const ID = /^[A-Za-z0-9_-]{1,80}$/;

export async function registerInventoryRoutes(app: FastifyInstance, deps: ProcurementDeps): Promise<void> {
  const { db, config } = deps;

  async function who(request: FastifyRequest): Promise<{ person: SandboxPerson; acting: Acting; actor: SandboxActor }> {
    const person = await actingPerson(db, request);
    return { person, acting: { name: person.name, roles: person.roles }, actor: `person:${person.id}` };
  }

  async function choices(): Promise<Choices> {
    return { costCenters: await listCostCenters(db), people: await listPeople(db) };
  }

  async function loadItem(id: string): Promise<InventoryItem | undefined> {
    return ID.test(id) ? findItem(db, id) : undefined;
  }

  /** What a re-order did, in words, from the ids carried in the redirect; the requisition and order numbers link to them. */
  async function reorderNotice(kind: string | undefined, reqId: string | undefined, item?: InventoryItem, what = 'Re-order'): Promise<Html | string> {
    if (kind === 'failed') return " The re-order check failed; see the item's history.";
    const hold = item?.reorderHold;
    if ((kind === 'held' || kind === 'stopped') && hold) {
      return kind === 'held'
        ? ` Nothing was re-ordered: automatic re-ordering of this item is stopped because ${hold.reason}. Resume it on the item's page once the cause is fixed.`
        : ` Automatic re-ordering of this item stopped: ${hold.reason}. Nothing more is ordered until someone resumes it on the item's page.`;
    }
    const stopped = kind === 'created' && hold && hold.requisitionId === reqId ? ` Automatic re-ordering of this item is stopped until someone resumes it on the item's page.` : '';
    if (!reqId || !ID.test(reqId) || (kind !== 'created' && kind !== 'open')) return '';
    const req = await db.selectFrom('sandbox_requisitions').select(['number', 'status', 'po_id']).where('id', '=', reqId).executeTakeFirst();
    if (!req) return '';
    const reqLink = html`<a class="code" href="/sandbox/requisitions/${encodeURIComponent(reqId)}">${req.number}</a>`;
    if (kind === 'open') return html` ${what} ${reqLink} is already open; nothing more was ordered.`;
    const po = req.po_id ? await db.selectFrom('sandbox_purchase_orders').select(['id', 'order_id', 'status']).where('id', '=', req.po_id).executeTakeFirst() : undefined;
    if (po) {
      const sent = po.status === 'open' ? 'sent' : po.status === 'rejected' ? 'rejected by the supplier' : po.status === 'failed' ? 'could not be delivered (it can be sent again from the order)' : po.status;
      return html` ${what} ${reqLink} created; purchase order <a class="code" href="/sandbox/orders/${encodeURIComponent(po.id)}">${po.order_id}</a> ${sent}.${stopped}`;
    }
    return html` ${what} ${reqLink} created (${req.status}).${stopped}`;
  }

  function redirectQuery(base: Record<string, string>, outcome: ReorderOutcome): string {
    const q = new URLSearchParams(base);
    q.set('reorder', outcome.kind === 'created' && outcome.error ? 'failed' : outcome.kind);
    if (outcome.kind === 'created') q.set('req', outcome.requisition.id);
    if (outcome.kind === 'open') q.set('req', outcome.requisitionId);
    if (outcome.kind === 'held' || outcome.kind === 'stopped') q.set('req', outcome.hold.requisitionId);
    return q.toString();
  }

  async function noticeFrom(query: Query): Promise<Notice | undefined> {
    if (query.consumed && ID.test(query.consumed)) {
      const item = await findItem(db, query.consumed);
      if (!item) return undefined;
      const qty = /^[0-9.]{1,30}$/.test(query.qty ?? '') ? query.qty : '';
      const extra = await reorderNotice(query.reorder, query.req, item);
      const bad = query.reorder === 'failed' || query.reorder === 'held' || query.reorder === 'stopped' || (query.reorder === 'created' && item.reorderHold !== null);
      return { kind: bad ? 'error' : 'ok', text: html`Took ${qty} ${item.unit} of ${item.name} from stock; ${item.stock} left.${extra}` };
    }
    if (query.counted && ID.test(query.counted)) {
      const item = await findItem(db, query.counted);
      if (!item) return undefined;
      return { kind: 'ok', text: html`Stock of ${item.name} set to ${item.stock} ${item.unit}.${await reorderNotice(query.reorder, query.req, item)}` };
    }
    if (query.resumed && ID.test(query.resumed)) {
      const item = await findItem(db, query.resumed);
      if (!item) return undefined;
      if (query.reorder === 'none' && query.was === '0') return { kind: 'info', text: 'Automatic re-ordering was already running; nothing changed.' };
      const extra = query.reorder === 'none' ? ' Stock plus what is on order is not below the minimum: nothing was ordered now.' : await reorderNotice(query.reorder, query.req, item);
      return { kind: item.reorderHold || query.reorder === 'failed' ? 'error' : 'ok', text: html`Automatic re-ordering of ${item.name} resumed.${extra}` };
    }
    if (query.created === '1') return { kind: 'ok', text: 'Item added.' };
    if (query.saved === '1') return { kind: 'ok', text: query.resumed === '1' ? 'Changes saved; automatic re-ordering resumed (the next check orders if stock is still short).' : 'Changes saved.' };
    return undefined;
  }

  async function rowsOf(items: readonly InventoryItem[]) {
    const onOrder = await onOrderFor(db);
    const numbers = await requisitionNumbers(db, items.map((i) => i.openRequisitionId).filter((x): x is string => x !== null));
    return items.map((item) => ({
      item,
      onOrder: (onOrder.get(item.id)?.toFixed() ?? '0'),
      openRequisition: item.openRequisitionId && numbers.has(item.openRequisitionId) ? { id: item.openRequisitionId, number: numbers.get(item.openRequisitionId)! } : null,
    }));
  }

  async function listPage(acting: Acting, extra: { notice?: Notice; consume?: { itemId: string; form: FormState }; add?: FormState }): Promise<Html> {
    const items = await listItems(db);
    return inventoryListPage({ acting, rows: await rowsOf(items), choices: await choices(), ...extra });
  }

  async function detailPage(acting: Acting, item: InventoryItem, extra: { notice?: Notice; form?: FormState; consume?: FormState; count?: FormState }): Promise<Html> {
    const [row] = await rowsOf([item]);
    return itemPage({
      acting,
      item,
      onOrder: row!.onOrder,
      openRequisition: row!.openRequisition,
      movements: await movementsFor(db, item.id),
      requisitions: await requisitionsForItem(db, item.id),
      events: await eventsFor(db, [{ type: 'item', id: item.id }]),
      choices: await choices(),
      form: extra.form ?? { values: itemFormValues(item, config.baseUrl), problems: [] },
      ...(extra.notice ? { notice: extra.notice } : {}),
      ...(extra.consume ? { consume: extra.consume } : {}),
      ...(extra.count ? { count: extra.count } : {}),
    });
  }

  function problemsOf(err: ProcurementError, fallbackField: string): FieldProblem[] {
    if (err instanceof ItemInputError || err instanceof ScheduleInputError) return [...err.problems];
    return [{ field: err.field ?? fallbackField, message: err.message }];
  }

  // ---- inventory ----

  app.get<{ Querystring: Query }>('/sandbox/inventory', async (request, reply) => {
    const { acting } = await who(request);
    const notice = await noticeFrom(request.query);
    return sendHtml(reply, 200, await listPage(acting, notice ? { notice } : {}));
  });

  app.post('/sandbox/inventory', async (request, reply) => {
    const { acting, actor } = await who(request);
    const form = formOf(request);
    const parsed = itemFromForm(form, config.baseUrl);
    try {
      if (!parsed.input) throw new ItemInputError(parsed.problems);
      const item = await createItem(deps, parsed.input, actor);
      return seeOther(reply, `${itemPath(item.id)}?created=1`);
    } catch (err) {
      if (!(err instanceof ProcurementError)) throw err;
      return sendHtml(reply, err.status, await listPage(acting, { add: { values: parsed.values, problems: problemsOf(err, 'name') } }));
    }
  });

  app.get<IdParams & { Querystring: Query }>('/sandbox/inventory/:id', async (request, reply) => {
    const { acting } = await who(request);
    const item = await loadItem(request.params.id);
    if (!item) return sendHtml(reply, 404, unknownItemPage(acting));
    const notice = await noticeFrom(request.query);
    return sendHtml(reply, 200, await detailPage(acting, item, notice ? { notice } : {}));
  });

  app.post<IdParams>('/sandbox/inventory/:id', async (request, reply) => {
    const { acting, actor } = await who(request);
    const item = await loadItem(request.params.id);
    if (!item) return sendHtml(reply, 404, unknownItemPage(acting));
    const parsed = itemFromForm(formOf(request), config.baseUrl, item);
    try {
      if (!parsed.input) throw new ItemInputError(parsed.problems);
      const saved = await editItem(deps, item.id, parsed.input, actor);
      return seeOther(reply, `${itemPath(item.id)}?saved=1${item.reorderHold && !saved.reorderHold ? '&resumed=1' : ''}`);
    } catch (err) {
      if (!(err instanceof ProcurementError)) throw err;
      if (err.status === 404) return sendHtml(reply, 404, unknownItemPage(acting));
      return sendHtml(reply, err.status, await detailPage(acting, item, { form: { values: parsed.values, problems: problemsOf(err, 'name') } }));
    }
  });

  app.post<IdParams>('/sandbox/inventory/:id/consume', async (request, reply) => {
    const { acting, actor } = await who(request);
    const item = await loadItem(request.params.id);
    if (!item) return sendHtml(reply, 404, unknownItemPage(acting));
    const form = formOf(request);
    const quantity = form.get('quantity') ?? '';
    const back = form.get('back') === 'item' ? 'item' : 'list';
    try {
      const done = await consume(deps, item.id, quantity, actor);
      if (done.reorder.kind === 'failed') request.log.error({ item: item.id, error: done.reorder.error }, 're-order check failed');
      const q = redirectQuery({ consumed: item.id, qty: done.movement.quantity.replace(/^-/, '') }, done.reorder);
      return seeOther(reply, back === 'item' ? `${itemPath(item.id)}?${q}` : `/sandbox/inventory?${q}`);
    } catch (err) {
      if (!(err instanceof ProcurementError)) throw err;
      if (err.status === 404) return sendHtml(reply, 404, unknownItemPage(acting));
      const state: FormState = { values: { quantity }, problems: problemsOf(err, 'quantity') };
      const fresh = (await findItem(db, item.id)) ?? item;
      return sendHtml(reply, err.status, back === 'item' ? await detailPage(acting, fresh, { consume: state }) : await listPage(acting, { consume: { itemId: item.id, form: state } }));
    }
  });

  app.post<IdParams>('/sandbox/inventory/:id/count', async (request, reply) => {
    const { acting, actor } = await who(request);
    const item = await loadItem(request.params.id);
    if (!item) return sendHtml(reply, 404, unknownItemPage(acting));
    const form = formOf(request);
    const counted = form.get('counted') ?? '';
    const reason = (form.get('reason') ?? '').trim().slice(0, 200);
    try {
      const done = await adjustStock(deps, item.id, counted, actor, reason);
      return seeOther(reply, `${itemPath(item.id)}?${redirectQuery({ counted: item.id }, done.reorder)}`);
    } catch (err) {
      if (!(err instanceof ProcurementError)) throw err;
      if (err.status === 404) return sendHtml(reply, 404, unknownItemPage(acting));
      return sendHtml(reply, err.status, await detailPage(acting, item, { count: { values: { counted, reason }, problems: problemsOf(err, 'counted') } }));
    }
  });

  app.post<IdParams>('/sandbox/inventory/:id/resume-reorder', async (request, reply) => {
    const { acting, actor } = await who(request);
    const item = await loadItem(request.params.id);
    if (!item) return sendHtml(reply, 404, unknownItemPage(acting));
    const done = await resumeReorder(deps, item.id, actor);
    if (done.reorder.kind === 'failed') request.log.error({ item: item.id, error: done.reorder.error }, 're-order check failed');
    return seeOther(reply, `${itemPath(item.id)}?${redirectQuery({ resumed: item.id, was: done.resumed ? '1' : '0' }, done.reorder)}`);
  });

  // ---- recurring orders ----

  async function recurringView(acting: Acting, extra: { notice?: Notice; add?: FormState; edit?: { id: string; form: FormState } }): Promise<Html> {
    const schedules = await listSchedules(db);
    const rows = [];
    for (const schedule of schedules) {
      rows.push({
        schedule,
        requisitions: await requisitionsForSchedule(db, schedule.id),
        events: await eventsFor(db, [{ type: 'schedule', id: schedule.id }]),
        ...(extra.edit?.id === schedule.id ? { form: extra.edit.form } : {}),
      });
    }
    return recurringPage({
      acting,
      rows,
      items: (await listItems(db)).filter((i) => i.active),
      choices: await choices(),
      ...(extra.notice ? { notice: extra.notice } : {}),
      ...(extra.add ? { add: extra.add } : {}),
    });
  }

  async function recurringNotice(query: Query): Promise<Notice | undefined> {
    const id = query.s;
    const s = id && ID.test(id) ? await findSchedule(db, id) : undefined;
    if (!s) return undefined;
    switch (query.done) {
      case 'created':
        return { kind: 'ok', text: `Recurring order "${s.name}" added; next run ${s.nextRunAt.replace('T', ' ').slice(0, 16)} UTC.` };
      case 'saved':
        return { kind: 'ok', text: `Recurring order "${s.name}" saved.` };
      case 'paused':
        return { kind: 'ok', text: `Recurring order "${s.name}" paused.` };
      case 'resumed':
        return { kind: 'ok', text: `Recurring order "${s.name}" resumed.` };
      case 'ran':
        return { kind: 'ok', text: html`Recurring order "${s.name}" run now.${await reorderNotice('created', query.req, undefined, 'Requisition')}` };
      case 'run-failed':
        return { kind: 'error', text: `Recurring order "${s.name}" could not be run; the reason is shown below and in its history.` };
      case 'already-ran': {
        const [latest] = await requisitionsForSchedule(db, s.id, 1);
        const last = s.lastRunAt ? ` at ${s.lastRunAt.replace('T', ' ').slice(0, 19)} UTC` : '';
        const made = latest ? ` Latest requisition: ${latest.number} (${latest.status}).` : '';
        return { kind: 'info', text: `Recurring order "${s.name}" had just been run${last} (a second click, or someone else at the same time), so nothing more was ordered.${made} Click Run now again to order once more.` };
      }
      default:
        return undefined;
    }
  }

  app.get<{ Querystring: Query }>('/sandbox/recurring', async (request, reply) => {
    const { acting } = await who(request);
    const notice = await recurringNotice(request.query);
    return sendHtml(reply, 200, await recurringView(acting, notice ? { notice } : {}));
  });

  app.post('/sandbox/recurring', async (request, reply) => {
    const { acting, actor } = await who(request);
    const parsed = scheduleFromForm(formOf(request));
    try {
      if (!parsed.input) throw new ScheduleInputError(parsed.problems);
      const s = await createSchedule(deps, parsed.input, actor);
      return seeOther(reply, `/sandbox/recurring?done=created&s=${encodeURIComponent(s.id)}#s-${s.id}`);
    } catch (err) {
      if (!(err instanceof ProcurementError)) throw err;
      return sendHtml(reply, err.status, await recurringView(acting, { add: { values: parsed.values, problems: problemsOf(err, 'name') } }));
    }
  });

  app.post<IdParams>('/sandbox/recurring/:id', async (request, reply) => {
    const { acting, actor } = await who(request);
    const s = ID.test(request.params.id) ? await findSchedule(db, request.params.id) : undefined;
    if (!s) return sendHtml(reply, 404, unknownItemPage(acting, 'recurring order'));
    const form = formOf(request);
    const action = form.get('action') ?? 'save';
    const back = (done: string) => seeOther(reply, `/sandbox/recurring?done=${done}&s=${encodeURIComponent(s.id)}#s-${s.id}`);
    if (action === 'pause' || action === 'resume') {
      await setScheduleActive(deps, s.id, action === 'resume', actor);
      return back(action === 'pause' ? 'paused' : 'resumed');
    }
    if (action !== 'save') {
      return sendHtml(reply, 422, await recurringView(acting, { notice: { kind: 'error', text: `Unknown action "${action}": use Save, Pause or Resume.` } }));
    }
    const parsed = scheduleFromForm(form);
    try {
      if (!parsed.input) throw new ScheduleInputError(parsed.problems);
      await editSchedule(deps, s.id, parsed.input, actor);
      return back('saved');
    } catch (err) {
      if (!(err instanceof ProcurementError)) throw err;
      return sendHtml(reply, err.status, await recurringView(acting, { edit: { id: s.id, form: { values: { ...scheduleFormValues(s), ...parsed.values }, problems: problemsOf(err, 'name') } } }));
    }
  });

  app.post<IdParams>('/sandbox/recurring/:id/run', async (request, reply) => {
    const { acting, actor } = await who(request);
    const s = ID.test(request.params.id) ? await findSchedule(db, request.params.id) : undefined;
    if (!s) return sendHtml(reply, 404, unknownItemPage(acting, 'recurring order'));
    const seen = formOf(request).get('runs') ?? '';
    // Without the count the page showed, a double click could not be told from a second order.
    if (!/^\d{1,9}$/.test(seen)) {
      return sendHtml(reply, 400, await recurringView(acting, { notice: { kind: 'error', text: `Nothing was ordered: the Run now form for "${s.name}" did not say how often the page had seen it run. Reload the page and click Run now again.` } }));
    }
    try {
      const run = await runNow(deps, s.id, actor, Number(seen));
      if (run.error || !run.requisition) return seeOther(reply, `/sandbox/recurring?done=run-failed&s=${encodeURIComponent(s.id)}#s-${s.id}`);
      return seeOther(reply, `/sandbox/recurring?done=ran&s=${encodeURIComponent(s.id)}&req=${encodeURIComponent(run.requisition.id)}#s-${s.id}`);
    } catch (err) {
      if (err instanceof AlreadyRunError) return seeOther(reply, `/sandbox/recurring?done=already-ran&s=${encodeURIComponent(s.id)}#s-${s.id}`);
      if (!(err instanceof ProcurementError)) throw err;
      return sendHtml(reply, err.status, await recurringView(acting, { notice: { kind: 'error', text: err.message } }));
    }
  });
}
