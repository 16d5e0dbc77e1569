/**
 * Purchase order routes:
 *   GET  /sandbox/orders                 every order: number, supplier, requisition, status, version, total, documents, match
 *   GET  /sandbox/orders/:id             one order (lines and their progress, messages, documents, receipts, match, history)
 *   POST /sandbox/orders/:id/change      quantities per line (`qty-<line>`; 0 removes) → OrderRequest update
 *   POST /sandbox/orders/:id/cancel      `reason` → OrderRequest delete
 *   POST /sandbox/orders/:id/resend      the failed message again, byte for byte
 *   POST /sandbox/orders/:id/withdraw-cancel  drop a cancellation that was not delivered
 * Routes stay thin: the work is in purchase-orders.ts, the pages in po-views.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Html } from '../../web/html.js';
import { errorPage } from '../../web/views/layout.js';
import { documentsForPurchaseOrder, orderedLines, orderProgress } from '../documents.js';
import { formOf, seeOther, sendHtml } from '../http.js';
import { eventsFor, type SubjectType } from './history.js';
import { matchSection, receiptSection } from './match-views.js';
import { threeWayMatch } from './match.js';
import { changeableNow, ProcurementError, type ProcurementDeps, type SandboxActor } from './model.js';
import { actingPerson, listPeople } from './people.js';
import { orderPath, ordersListPage, purchaseOrderPage, shownOrderStatus, type FormState, type OrderListRow } from './po-views.js';
import type { Store } from '../../store/database.js';
import { cancelPurchaseOrder, cancelRefusal, changePurchaseOrder, findPurchaseOrder, listPurchaseOrders, messagesFor, poLines, resendMessage, StaleOrderError, withdrawCancellation } from './purchase-orders.js';
import { receiptsFor } from './receipts.js';
import { mergeStaleChange, pageStillCurrent } from './stale-change.js';

type IdParams = { Params: { id: string } };
const ID = /^[A-Za-z0-9_-]{1,80}$/;
const QTY_FIELD = /^qty-(\d{1,6})$/;
const WAS_FIELD = /^was-(\d{1,6})$/;

/** The order version the change and cancel forms were shown at (hidden field `version`). */
function seenVersion(form: URLSearchParams): number | undefined {
  const v = form.get('version') ?? '';
  return /^\d{1,9}$/.test(v) ? Number(v) : undefined;
}

const STALE_FORM = new ProcurementError('Nothing was sent: the form did not say which version of the order it was filled in on. Reload the page and send it again.', 'form', 400);

function documentUrl(deps: ProcurementDeps): string {
  return `${deps.config.baseUrl.replace(/\/+$/, '')}/sandbox/cxml`;
}

function unknownOrderPage(): Html {
  return errorPage('Unknown purchase order', 'The sandbox has no purchase order with this id.', 'Open the list of purchase orders at /sandbox/orders.');
}

/**
 * The state an order's own page shows (`complete` for an open order whose match is clean, else its
 * status), for the pages that link the order: list, punchout, requisition. Undefined: no such order.
 */
export async function shownStatusOf(db: Store, poId: string): Promise<string | undefined> {
  const po = await findPurchaseOrder(db, poId);
  if (!po) return undefined;
  if (po.status !== 'open') return po.status;
  const match = threeWayMatch({ lines: poLines(po), receipts: await receiptsFor(db, po.id), documents: await documentsForPurchaseOrder(db, po.id) });
  return shownOrderStatus(po.status, match.status);
}

export async function registerPurchaseOrderRoutes(app: FastifyInstance, deps: ProcurementDeps): Promise<void> {
  const { db } = deps;

  async function actor(request: FastifyRequest): Promise<SandboxActor> {
    return `person:${(await actingPerson(db, request)).id}`;
  }

  app.get('/sandbox/orders', async (request, reply) => {
    const person = await actingPerson(db, request);
    const orders = await listPurchaseOrders(db);
    const rows: OrderListRow[] = [];
    for (const po of orders) {
      const documents = await documentsForPurchaseOrder(db, po.id);
      const req = po.requisitionId ? await db.selectFrom('sandbox_requisitions').select(['id', 'number']).where('id', '=', po.requisitionId).executeTakeFirst() : undefined;
      const match = po.status === 'open' ? threeWayMatch({ lines: poLines(po), receipts: await receiptsFor(db, po.id), documents }).status : '—';
      rows.push({ po, documents: documents.length, match, ...(req ? { requisition: req } : {}) });
    }
    return sendHtml(reply, 200, ordersListPage({ rows, acting: person }));
  });

  app.get<IdParams & { Querystring: { received?: string } }>('/sandbox/orders/:id', async (request, reply) => {
    const received = request.query.received;
    const recorded = typeof received === 'string' && /^[A-Za-z0-9-]{1,40}$/.test(received) ? received : undefined;
    const page = await orderPage(deps, request, request.params.id, recorded ? { recorded } : {});
    return page ? sendHtml(reply, 200, page) : sendHtml(reply, 404, unknownOrderPage());
  });

  app.post<IdParams>('/sandbox/orders/:id/change', async (request, reply) => {
    const id = request.params.id;
    const form = formOf(request);
    const values: Record<string, string> = {};
    const typed = new Map<number, string>();
    const shown = new Map<number, string>();
    for (const [name, value] of form) {
      const m = QTY_FIELD.exec(name);
      const w = WAS_FIELD.exec(name);
      if (w) shown.set(Number(w[1]), value);
      if (!m) continue;
      values[name] = value;
      typed.set(Number(m[1]), value);
    }
    const quantities = new Map([...typed].filter(([, v]) => v.trim() !== ''));
    let seen = seenVersion(form);
    if (seen === undefined) return answerRefusal(request, reply, id, STALE_FORM, { changeForm: { values, problems: [{ field: 'form', message: STALE_FORM.message }] } });
    // A page of an older version whose lines are still exactly the order's (a change the supplier
    // refused, a withdrawn cancellation) is as good as current: its change goes ahead.
    const po = await findPurchaseOrder(db, id);
    if (po && seen < po.version && pageStillCurrent(poLines(po), shown)) seen = po.version;
    try {
      await changePurchaseOrder(deps, id, quantities, await actor(request), seen);
    } catch (e) {
      if (!(e instanceof ProcurementError)) throw e;
      if (e instanceof StaleOrderError) {
        const { refusal, form: back } = await staleChange(id, e, typed, shown);
        return answerRefusal(request, reply, id, refusal, { changeForm: back });
      }
      return answerRefusal(request, reply, id, e, { changeForm: { values, problems: [{ field: e.field ?? 'form', message: e.message }] } });
    }
    return seeOther(reply, `${orderPath(id)}#messages`);
  });

  app.post<IdParams>('/sandbox/orders/:id/cancel', async (request, reply) => {
    const id = request.params.id;
    const form = formOf(request);
    const reason = (form.get('reason') ?? '').trim();
    const seen = seenVersion(form);
    if (seen === undefined) return answerRefusal(request, reply, id, STALE_FORM, { cancelForm: { values: { reason }, problems: [{ field: 'form', message: STALE_FORM.message }] } });
    if (reason === '') {
      const e = new ProcurementError('Say why the order is cancelled; the supplier sees it.', 'reason', 422);
      return answerRefusal(request, reply, id, e, { cancelForm: { values: { reason }, problems: [{ field: 'reason', message: e.message }] } });
    }
    try {
      await cancelPurchaseOrder(deps, id, await actor(request), reason, { version: seen, undelivered: form.get('undelivered') === '1' });
    } catch (e) {
      if (!(e instanceof ProcurementError)) throw e;
      return answerRefusal(request, reply, id, e, { cancelForm: { values: { reason }, problems: [{ field: e.field ?? 'form', message: e.message }] } });
    }
    return seeOther(reply, `${orderPath(id)}#messages`);
  });

  // Buttons without fields: the action, then the order's messages; a refusal comes back on the page.
  const buttons: readonly [string, (deps: ProcurementDeps, poId: string, actor: SandboxActor) => Promise<unknown>][] = [
    ['resend', resendMessage],
    ['withdraw-cancel', withdrawCancellation],
  ];
  for (const [action, run] of buttons) {
    app.post<IdParams>(`/sandbox/orders/:id/${action}`, async (request, reply) => {
      const id = request.params.id;
      try {
        await run(deps, id, await actor(request));
      } catch (e) {
        if (!(e instanceof ProcurementError)) throw e;
        return answerRefusal(request, reply, id, e, {});
      }
      return seeOther(reply, `${orderPath(id)}#messages`);
    });
  }

  /**
   * A change typed on an older version comes back laid over the current order (see
   * stale-change.ts), and the message says what became of each edit; when the order cannot be
   * changed right now (a document still being sent or undelivered) the edits are named instead.
   */
  async function staleChange(id: string, e: StaleOrderError, typed: ReadonlyMap<number, string>, shown: ReadonlyMap<number, string>): Promise<{ refusal: ProcurementError; form: FormState }> {
    const merged = mergeStaleChange(poLines(e.current), typed, shown);
    const edits = [...merged.kept, ...merged.clashes];
    let text = e.message;
    if (!changeableNow(e.current, await messagesFor(db, id))) {
      if (edits.length) text += ` Your edits (${edits.join('; ')}) were not sent, and the order cannot be changed right now; see its documents below.`;
    } else {
      text += ' The change form shows the current quantities';
      text += merged.kept.length ? ` with your own edits (${merged.kept.join(', ')})` : '';
      text += merged.clashes.length ? `. Check: ${merged.clashes.join('; ')}` : '';
      text += '. Send it again if still needed.';
    }
    return { refusal: new ProcurementError(text, 'form', e.status), form: { values: merged.values, problems: [{ field: 'form', message: text }] } };
  }

  async function answerRefusal(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    e: ProcurementError,
    forms: { changeForm?: FormState; cancelForm?: FormState },
  ): Promise<FastifyReply> {
    if (e.status === 404) return sendHtml(reply, 404, unknownOrderPage());
    const page = await orderPage(deps, request, id, { ...forms, notice: { kind: 'error', text: e.message } });
    if (!page) return sendHtml(reply, 404, unknownOrderPage());
    return sendHtml(reply, e.status, page);
  }
}

/**
 * The purchase order page as Html (undefined: no such order), for other route files that answer a
 * POST on it (a goods receipt with problems comes back on this page with the typed values).
 */
export async function purchaseOrderPageFor(
  deps: ProcurementDeps,
  request: FastifyRequest,
  poId: string,
  extra?: {
    readonly receiptForm?: { readonly values: Record<string, string>; readonly problems: readonly { field: string; message: string }[] };
    readonly notice?: { readonly kind: 'ok' | 'error' | 'warning' | 'info'; readonly text: string };
  },
): Promise<Html | undefined> {
  return orderPage(deps, request, poId, extra ?? {});
}

async function orderPage(
  deps: ProcurementDeps,
  request: FastifyRequest,
  poId: string,
  extra: {
    receiptForm?: FormState;
    notice?: { readonly kind: 'ok' | 'error' | 'warning' | 'info'; readonly text: string };
    changeForm?: FormState;
    cancelForm?: FormState;
    /** The goods receipt just recorded (`?received=<number>`): confirmed in its section. */
    recorded?: string;
  },
): Promise<Html | undefined> {
  const { db } = deps;
  if (!ID.test(poId)) return undefined;
  const po = await findPurchaseOrder(db, poId);
  if (!po) return undefined;
  const person = await actingPerson(db, request);
  const people = await listPeople(db);
  const lines = poLines(po);
  const [documents, messages, receipts] = [await documentsForPurchaseOrder(db, po.id), await messagesFor(db, po.id), await receiptsFor(db, po.id)];
  const req = po.requisitionId ? await db.selectFrom('sandbox_requisitions').select(['id', 'number', 'status']).where('id', '=', po.requisitionId).executeTakeFirst() : undefined;
  const match = threeWayMatch({ lines, receipts, documents });
  const subjects: { type: SubjectType; id: string }[] = [{ type: 'po', id: po.id }];
  if (req) subjects.push({ type: 'requisition', id: req.id });
  return purchaseOrderPage({
    po,
    acting: person,
    lines,
    progress: orderProgress(orderedLines(po), documents),
    messages,
    documents,
    events: await eventsFor(db, subjects),
    people,
    ...(req ? { requisition: req } : {}),
    documentUrl: documentUrl(deps),
    receipts: receiptSection(po, lines, receipts, extra.receiptForm, { people, ...(extra.recorded ? { recorded: extra.recorded } : {}) }),
    match: matchSection(match, po.status),
    matchStatus: match.status,
    ...(extra.notice ? { notice: extra.notice } : {}),
    ...(extra.changeForm ? { changeForm: extra.changeForm } : {}),
    ...(extra.cancelForm ? { cancelForm: extra.cancelForm } : {}),
    ...(po.status === 'open' ? { cancelBlocked: await cancelRefusal(db, po) } : {}),
  });
}
