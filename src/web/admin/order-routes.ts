/**
 * The admin's orders: `GET /admin/orders` (filtered, paged), `GET /admin/orders/:id`, and the
 * actions on one order — confirm, ship notice, invoice, credit memo, close, mark reviewed, and
 * "Retry now" for a document the outbox gave up on. Reading and creating documents are the app
 * layer's (order-queries, order-documents); this file reads forms and renders answers.
 *
 * A refused form comes back (400) with what was typed and every problem named; a created
 * document redirects (303) to the order with a notice naming its number.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { iso } from '../../app/context.js';
import { audit } from '../../app/admin-users.js';
import { getConnection, listConnections } from '../../app/connections.js';
import { getOrder, listOrders } from '../../app/order-queries.js';
import { closeOrder, createConfirmation, createCreditMemo, createInvoice, createShipNotice, markReviewed, retryOrderDocument } from '../../app/order-documents.js';
import { ORDER_STATUSES, type Actor, type ConfirmationRequestInput, type CreateDocumentResult, type CreditMemoRequestInput, type InvoiceRequestInput, type OrderStatus, type ShipNoticeRequestInput } from '../../app/order-model.js';
import type { OrderDetail } from '../../app/order-queries.js';
import { adminForm, csrfField, type AdminGuard } from './guard.js';
import { adminPage, sendAdmin } from './layout.js';
import { html } from '../html.js';
import { Decimal, tryDec } from '../../protocol/money.js';
import { DOCUMENT_KIND_LABELS, orderDetailBody, orderListBody, type ActionForm, type FormProblem, type LogEntry, type OrderDetailView, type OrderListFilters } from './order-views.js';
import { first, validDate, type Query } from './query.js';

export const ORDER_PAGE_SIZE = 50;
/** Buyer-facing text typed in the admin: long enough for a real note, short enough for any receiver. */
const MAX_TEXT = 2000;
const MAX_SHORT = 200;

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}

// ---------------------------------------------------------------- reading the forms

/** Collects problems, each naming the field as the page labels it. */
class Problems {
  readonly list: FormProblem[] = [];
  add(field: string | undefined, message: string): void {
    this.list.push(field === undefined ? { message } : { field, message });
  }
}

/** Decimals are written with a point: "1,5" could mean 1.5 or 15 depending on who typed it. */
const DECIMAL = /^\d{1,12}(\.\d{1,6})?$/;

function decimalText(form: URLSearchParams, name: string, label: string, p: Problems, o: { required?: boolean; positive?: boolean } = {}): string | undefined {
  const v = (form.get(name) ?? '').trim();
  if (v === '') {
    if (o.required) p.add(name, `${label}: required.`);
    return undefined;
  }
  if (!DECIMAL.test(v)) {
    p.add(name, /^\d+,\d+$/.test(v) ? `${label}: "${v}" has a comma; write decimals with a point (e.g. ${v.replace(',', '.')}).` : `${label}: "${v}" is not a number (digits with an optional decimal point, e.g. 12.5).`);
    return undefined;
  }
  if (o.positive && /^0+(\.0+)?$/.test(v)) {
    p.add(name, `${label}: must be more than 0.`);
    return undefined;
  }
  return v;
}

function isZero(v: string): boolean {
  return /^0+(\.0+)?$/.test(v);
}

function dateText(form: URLSearchParams, name: string, label: string, p: Problems): string | undefined {
  const v = (form.get(name) ?? '').trim();
  if (v === '') return undefined;
  if (!validDate(v)) {
    p.add(name, `${label}: "${v}" is not a date (YYYY-MM-DD).`);
    return undefined;
  }
  return v;
}

function text(form: URLSearchParams, name: string, label: string, p: Problems, o: { required?: string; max?: number } = {}): string | undefined {
  const v = (form.get(name) ?? '').trim();
  if (v === '') {
    if (o.required) p.add(name, `${label}: ${o.required}`);
    return undefined;
  }
  const max = o.max ?? MAX_TEXT;
  if (v.length > max) {
    p.add(name, `${label}: at most ${max} characters (${v.length} typed).`);
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v)) {
    p.add(name, `${label}: contains control characters.`);
    return undefined;
  }
  return v;
}

function httpUrl(form: URLSearchParams, name: string, label: string, p: Problems): string | undefined {
  const v = text(form, name, label, p, { max: 2048 });
  if (v === undefined) return undefined;
  let ok = false;
  try {
    const u = new URL(v);
    ok = (u.protocol === 'http:' || u.protocol === 'https:') && !/\s/.test(v);
  } catch {
    ok = false;
  }
  if (!ok) {
    p.add(name, `${label}: "${v}" is not an http:// or https:// URL.`);
    return undefined;
  }
  return v;
}

/** Confirmed quantities may carry as many decimals as the buyer ordered with (the default is the ordered figure). */
const QUANTITY = /^\d{1,20}(\.\d{1,10})?$/;

/** A per-line quantity of the confirmation form: empty is 0. */
function lineQuantity(form: URLSearchParams, name: string, label: string, p: Problems): Decimal | undefined {
  const v = (form.get(name) ?? '').trim();
  if (v === '') return new Decimal(0);
  if (!QUANTITY.test(v)) {
    p.add(name, /^\d+,\d+$/.test(v) ? `${label}: "${v}" has a comma; write decimals with a point (e.g. ${v.replace(',', '.')}).` : `${label}: "${v}" is not a quantity (digits with an optional decimal point, e.g. 2 or 1.5).`);
    return undefined;
  }
  return new Decimal(v);
}

type LineStatus = Extract<ConfirmationRequestInput, { type: 'detail' }>['lines'][number]['statuses'][number];

/**
 * "Per line": each line's ordered quantity split into accepted (optionally at a new unit price,
 * sent as a `detail` status), backordered (with the expected date) and rejected — the parts must
 * add up to what was ordered, as the buyer's system checks.
 */
function readConfirmation(form: URLSearchParams, order: OrderDetail, p: Problems): ConfirmationRequestInput | undefined {
  const type = form.get('type');
  if (type === 'accept') {
    const deliveryDate = dateText(form, 'deliveryDate', 'Delivery date', p);
    const comment = text(form, 'comment', 'Comment', p);
    return { type, ...(deliveryDate ? { deliveryDate } : {}), ...(comment ? { comment } : {}) };
  }
  if (type === 'reject') {
    const comment = text(form, 'comment', 'Comment', p, { required: 'say why the order is rejected; the buyer reads it.' });
    return comment ? { type, comment } : undefined;
  }
  if (type !== 'detail') {
    p.add('type', 'Answer: choose accept, reject or per line.');
    return undefined;
  }
  const comment = text(form, 'comment', 'Comment', p);
  const lines: Extract<ConfirmationRequestInput, { type: 'detail' }>['lines'][number][] = [];
  for (const l of order.lines) {
    const n = l.lineNumber;
    const ordered = tryDec(l.quantity);
    // A line the change order removed after shipping stays at 0: there is nothing to answer.
    if (!ordered || !ordered.gt(0)) continue;
    const label = `Line ${n}`;
    const accept = lineQuantity(form, `l${n}_accept`, `${label} accept qty`, p);
    const backorder = lineQuantity(form, `l${n}_backorder`, `${label} backorder qty`, p);
    const reject = lineQuantity(form, `l${n}_reject`, `${label} reject qty`, p);
    const deliveryDate = dateText(form, `l${n}_deliveryDate`, `${label} delivery date`, p);
    const backorderDate = dateText(form, `l${n}_backorderDate`, `${label} expected date`, p);
    const unitPrice = decimalText(form, `l${n}_unitPrice`, `${label} new unit price`, p);
    const lineComment = text(form, `l${n}_comment`, `${label} comment`, p, { max: MAX_SHORT * 5 });
    // Each problem is named even when another field of the line is unreadable.
    if (accept?.isZero() && unitPrice !== undefined) p.add(`l${n}_unitPrice`, `${label} new unit price: it applies to the accepted quantity, and none is accepted; leave it empty or accept some.`);
    if (accept?.isZero() && deliveryDate !== undefined) p.add(`l${n}_deliveryDate`, `${label} delivery date: it is for the accepted quantity, and none is accepted; leave it empty or accept some.`);
    if (backorder?.isZero() && backorderDate !== undefined) p.add(`l${n}_backorderDate`, `${label} expected date: nothing is backordered; leave it empty or enter a backorder qty.`);
    // The buyer plans with it: a backorder without a date is no answer.
    if (backorder?.gt(0) && backorderDate === undefined && !p.list.some((x) => x.field === `l${n}_backorderDate`)) p.add(`l${n}_backorderDate`, `${label} expected date: required for the backordered quantity.`);
    if (reject?.gt(0) && lineComment === undefined && !p.list.some((x) => x.field === `l${n}_comment`)) p.add(`l${n}_comment`, `${label} comment: say why the quantity is rejected; the buyer reads it.`);
    if (accept === undefined || backorder === undefined || reject === undefined) continue;
    const total = accept.plus(backorder).plus(reject);
    if (!total.eq(ordered)) {
      p.add(`l${n}_accept`, `${label}: accept ${accept.toFixed()} + backorder ${backorder.toFixed()} + reject ${reject.toFixed()} = ${total.toFixed()}, but ${ordered.toFixed()} ${l.unit} were ordered; the three must add up to the ordered quantity.`);
    }
    const statuses: LineStatus[] = [];
    if (accept.gt(0)) {
      // A new price makes it "accepted with changes" (cXML ConfirmationStatus type="detail").
      statuses.push({ type: unitPrice !== undefined ? 'detail' : 'accept', quantity: accept.toFixed(), ...(deliveryDate ? { deliveryDate } : {}), ...(unitPrice !== undefined ? { unitPrice } : {}) });
    }
    if (backorder.gt(0)) statuses.push({ type: 'backordered', quantity: backorder.toFixed(), ...(backorderDate ? { deliveryDate: backorderDate } : {}) });
    if (reject.gt(0)) statuses.push({ type: 'reject', quantity: reject.toFixed() });
    // The line's comment goes with the rejection (its reason), else with the first status.
    if (lineComment && statuses.length) {
      const at = reject.gt(0) ? statuses.length - 1 : 0;
      statuses[at] = { ...statuses[at]!, comment: lineComment };
    }
    lines.push({ lineNumber: n, statuses });
  }
  return { type: 'detail', lines, ...(comment ? { comment } : {}) };
}

function readLineQuantities(form: URLSearchParams, order: OrderDetail, p: Problems, what: string): { lineNumber: number; quantity: string }[] {
  const out: { lineNumber: number; quantity: string }[] = [];
  for (const l of order.lines) {
    const q = decimalText(form, `l${l.lineNumber}_quantity`, `Line ${l.lineNumber} quantity`, p);
    if (q !== undefined && !isZero(q)) out.push({ lineNumber: l.lineNumber, quantity: q });
  }
  if (out.length === 0 && !p.list.some((x) => x.field?.endsWith('_quantity'))) p.add(undefined, `Quantities: nothing to ${what}; enter a quantity on at least one line.`);
  return out;
}

function readShipNotice(form: URLSearchParams, order: OrderDetail, p: Problems): ShipNoticeRequestInput {
  const carrier = text(form, 'carrier', 'Carrier', p, { required: 'name the carrier (e.g. DHL, or "own delivery").', max: MAX_SHORT });
  const scac = text(form, 'scac', 'SCAC', p, { max: 4 });
  if (scac !== undefined && !/^[A-Za-z]{2,4}$/.test(scac)) p.add('scac', `SCAC: "${scac}" is not a carrier code (2 to 4 letters, e.g. DHLC).`);
  const trackingNumber = text(form, 'trackingNumber', 'Tracking number', p, { required: 'give the tracking number (or the delivery note number).', max: MAX_SHORT });
  const trackingUrl = httpUrl(form, 'trackingUrl', 'Tracking URL', p);
  const shipmentDate = dateText(form, 'shipmentDate', 'Shipment date', p);
  const deliveryDate = dateText(form, 'deliveryDate', 'Expected delivery', p);
  const comment = text(form, 'comment', 'Comment', p);
  const lines = readLineQuantities(form, order, p, 'ship');
  return {
    carrier: carrier ?? '',
    trackingNumber: trackingNumber ?? '',
    ...(scac ? { scac } : {}),
    ...(trackingUrl ? { trackingUrl } : {}),
    ...(shipmentDate ? { shipmentDate } : {}),
    ...(deliveryDate ? { deliveryDate } : {}),
    ...(comment ? { comment } : {}),
    lines,
  };
}

function readInvoice(form: URLSearchParams, order: OrderDetail, p: Problems): InvoiceRequestInput {
  const invoiceDate = dateText(form, 'invoiceDate', 'Invoice date', p);
  const shipping = decimalText(form, 'shipping', 'Shipping charged', p);
  const comment = text(form, 'comment', 'Comment', p);
  const lines = readLineQuantities(form, order, p, 'invoice');
  return { lines, ...(invoiceDate ? { invoiceDate } : {}), ...(shipping && !isZero(shipping) ? { shipping } : {}), ...(comment ? { comment } : {}) };
}

function readCreditMemo(form: URLSearchParams, order: OrderDetail, p: Problems): CreditMemoRequestInput {
  const invoiceNumber = (form.get('invoiceNumber') ?? '').trim();
  if (!order.documents.some((d) => d.kind === 'invoice' && d.number === invoiceNumber)) p.add('invoiceNumber', `Invoice credited: choose one of this order's invoices${invoiceNumber ? `, not "${invoiceNumber}"` : ''}.`);
  const amount = decimalText(form, 'amount', 'Net amount credited', p, { required: true, positive: true });
  const reason = text(form, 'reason', 'Reason', p, { required: 'say why the amount is credited; the buyer reads it.' });
  return { invoiceNumber, amount: amount ?? '', reason: reason ?? '' };
}

// ---------------------------------------------------------------- routes

export async function registerOrderRoutes(app: FastifyInstance, ctx: AppContext, guard: AdminGuard): Promise<void> {
  app.get<{ Querystring: Query }>('/admin/orders', { preHandler: guard.viewer }, async (request, reply) => {
    const q = request.query;
    const problems: string[] = [];
    const filters: OrderListFilters = {};
    const connection = first(q, 'connection');
    if (connection) filters.connection = connection;
    const status = first(q, 'status');
    if (status && (ORDER_STATUSES as readonly string[]).includes(status)) filters.status = status as OrderStatus;
    else if (status) problems.push(`status "${status}" is not an order status`);
    if (first(q, 'review') === '1') filters.review = true;
    const search = first(q, 'q');
    if (search && search.length <= 100) filters.q = search;
    else if (search) problems.push('the order number searched for is longer than 100 characters');
    for (const name of ['from', 'to'] as const) {
      const v = first(q, name);
      if (v === undefined) continue;
      if (validDate(v)) filters[name] = v;
      else problems.push(`${name} date "${v}" is not a date (YYYY-MM-DD)`);
    }
    let page = 1;
    const pageText = first(q, 'page');
    if (pageText !== undefined) {
      if (/^\d{1,6}$/.test(pageText) && Number(pageText) >= 1) page = Number(pageText);
      else problems.push(`page "${pageText}" is not a page number`);
    }
    const [result, connections] = await Promise.all([
      listOrders(ctx, {
        ...(filters.connection ? { connectionId: filters.connection } : {}),
        ...(filters.status ? { status: filters.status } : {}),
        ...(filters.review ? { needsReview: true } : {}),
        ...(filters.q ? { orderId: filters.q } : {}),
        ...(filters.from ? { from: `${filters.from}T00:00:00.000Z` } : {}),
        // "to" is inclusive on the page: everything before the next day starts.
        ...(filters.to ? { to: nextDay(filters.to) } : {}),
        limit: ORDER_PAGE_SIZE,
        offset: (page - 1) * ORDER_PAGE_SIZE,
      }),
      listConnections(ctx),
    ]);
    const body = orderListBody({
      filters,
      problems,
      orders: result.orders,
      total: result.total,
      page,
      pageSize: ORDER_PAGE_SIZE,
      connections: connections.map((c) => ({ id: c.id, name: c.name })),
    });
    return sendAdmin(reply, adminPage(request, { title: 'Orders', section: 'orders' }, body));
  });

  async function renderDetail(request: FastifyRequest, reply: FastifyReply, order: OrderDetail, extra: Pick<OrderDetailView, 'notice' | 'refused'> = {}, code = 200): Promise<FastifyReply> {
    const [log, connection] = await Promise.all([
      ctx.db
        .selectFrom('documents')
        .select(['id', 'seq', 'direction', 'doc_type', 'status', 'detail', 'payload_id', 'created_at'])
        .where('order_id', '=', order.id)
        .orderBy('seq')
        .limit(1000)
        .execute(),
      getConnection(ctx, order.connectionId),
    ]);
    const sendingProblems: string[] = [];
    if (!connection) sendingProblems.push(`The connection ${order.connectionId} no longer exists.`);
    else {
      if (!connection.options.cxml.documentUrl) sendingProblems.push('The connection has no document URL: confirmations, ship notices and invoices have nowhere to go. Set it in the connection\'s cXML options.');
      if (!connection.outboundSecretSealed) sendingProblems.push('The connection has no outbound secret: the buyer cannot authenticate our documents. Set it on the connection page.');
    }
    const view: OrderDetailView = {
      order,
      canAct: request.adminSession?.user.role === 'admin',
      csrf: csrfField(request),
      today: iso(ctx.now()).slice(0, 10),
      log: log.map((e): LogEntry => ({ ...e, seq: Number(e.seq) })),
      sendingProblems,
      ...extra,
    };
    return sendAdmin(reply, adminPage(request, { title: `Order ${order.orderId} · Orders`, section: 'orders' }, orderDetailBody(view)), code);
  }

  app.get<{ Params: { id: string }; Querystring: Query }>('/admin/orders/:id', { preHandler: guard.viewer }, async (request, reply) => {
    const order = await getOrder(ctx, request.params.id);
    if (!order) return notFound(request, reply, request.params.id);
    const created = first(request.query, 'created');
    const done = first(request.query, 'done');
    const doc = created ? order.documents.find((d) => d.id === created) : undefined;
    const notice: OrderDetailView['notice'] = doc
      ? { kind: 'ok', text: `${DOCUMENT_KIND_LABELS[doc.kind]} ${doc.number} created and queued for the buyer (payloadID ${doc.payloadId}). Its delivery shows below.` }
      : done === 'closed'
        ? { kind: 'ok', text: 'The order is closed.' }
        : done === 'reviewed'
          ? { kind: 'ok', text: 'Marked reviewed.' }
          : done === 'retried'
            ? { kind: 'ok', text: 'The document is queued again; the outbox sends it on its next round.' }
            : undefined;
    return renderDetail(request, reply, order, notice ? { notice } : {});
  });

  /** Loads the order for an action; a missing one is a 404 page. */
  async function orderFor(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<OrderDetail | undefined> {
    const order = await getOrder(ctx, request.params.id);
    if (!order) await notFound(request, reply, request.params.id);
    return order;
  }

  const actorOf = (request: FastifyRequest): Actor => ({ kind: 'admin', name: request.adminSession!.user.username });
  const subjectOf = (order: OrderDetail) => `order ${order.orderId} (${order.connectionId})`;

  function refuse(request: FastifyRequest, reply: FastifyReply, order: OrderDetail, form: ActionForm, values: URLSearchParams, problems: readonly FormProblem[]): Promise<FastifyReply> {
    values.delete('_csrf');
    return renderDetail(request, reply, order, { refused: { form, values, problems } }, 400);
  }

  /** The four document forms: read, create, audit, redirect — or show the form again with its problems. */
  function documentAction<I>(form: ActionForm, auditAction: string, read: (form: URLSearchParams, order: OrderDetail, p: Problems) => I | undefined, create: (ctx: AppContext, orderRowId: string, input: I, actor: Actor) => Promise<CreateDocumentResult>, describe: (input: I) => string): void {
    app.post<{ Params: { id: string } }>(`/admin/orders/:id/${form}`, { preHandler: guard.admin }, async (request, reply) => {
      const order = await orderFor(request, reply);
      if (!order) return reply;
      const values = adminForm(request);
      const p = new Problems();
      const input = read(values, order, p);
      if (p.list.length || input === undefined) return refuse(request, reply, order, form, values, p.list);
      const result = await create(ctx, order.id, input, actorOf(request));
      if (!result.ok) return refuse(request, reply, order, form, values, result.problems.map((message) => ({ message })));
      await audit(ctx, request.adminSession!.user, auditAction, subjectOf(order), `${result.number} (${describe(input)}), payloadID ${result.payloadId}, outbox ${result.outboxId}`);
      return reply.code(303).header('Location', `/admin/orders/${encodeURIComponent(order.id)}?created=${encodeURIComponent(result.documentId)}`).send();
    });
  }

  documentAction('confirm', 'order.confirm', readConfirmation, createConfirmation, (i) => (i.type === 'detail' ? `per line: ${i.lines.map((l) => `${l.lineNumber} ${l.statuses.map((s) => `${s.type} ${s.quantity}`).join('+')}`).join(', ')}` : i.type));
  documentAction('ship', 'order.ship-notice', readShipNotice, createShipNotice, (i) => `${i.carrier} ${i.trackingNumber}, ${i.lines?.length ?? 0} line(s)`);
  documentAction('invoice', 'order.invoice', readInvoice, createInvoice, (i) => `${i.lines?.length ?? 0} line(s)${i.shipping ? `, shipping ${i.shipping}` : ''}`);
  documentAction('credit', 'order.credit-memo', readCreditMemo, createCreditMemo, (i) => `against ${i.invoiceNumber}, net ${i.amount}`);

  app.post<{ Params: { id: string } }>('/admin/orders/:id/close', { preHandler: guard.admin }, async (request, reply) => {
    const order = await orderFor(request, reply);
    if (!order) return reply;
    const values = adminForm(request);
    const p = new Problems();
    const reason = text(values, 'reason', 'Reason', p);
    if (p.list.length) return refuse(request, reply, order, 'close', values, p.list);
    const result = await closeOrder(ctx, order.id, actorOf(request), reason);
    if (!result.ok) return refuse(request, reply, order, 'close', values, result.problems.map((message) => ({ message })));
    await audit(ctx, request.adminSession!.user, 'order.close', subjectOf(order), reason ? `reason: ${reason}` : 'fully shipped and invoiced');
    return reply.code(303).header('Location', `/admin/orders/${encodeURIComponent(order.id)}?done=closed`).send();
  });

  app.post<{ Params: { id: string } }>('/admin/orders/:id/review', { preHandler: guard.admin }, async (request, reply) => {
    const order = await orderFor(request, reply);
    if (!order) return reply;
    const values = adminForm(request);
    const p = new Problems();
    const note = text(values, 'note', 'Note', p);
    if (p.list.length) return refuse(request, reply, order, 'review', values, p.list);
    const marked = await markReviewed(ctx, order.id, actorOf(request), note);
    if (!marked) return refuse(request, reply, order, 'review', values, [{ message: order.reviewedAt ? `Already marked reviewed by ${order.reviewedBy ?? 'someone'}.` : 'Not marked reviewed: the order has no review flags.' }]);
    await audit(ctx, request.adminSession!.user, 'order.review', subjectOf(order), note ? `note: ${note}` : '');
    return reply.code(303).header('Location', `/admin/orders/${encodeURIComponent(order.id)}?done=reviewed`).send();
  });

  app.post<{ Params: { id: string } }>('/admin/orders/:id/retry', { preHandler: guard.admin }, async (request, reply) => {
    const order = await orderFor(request, reply);
    if (!order) return reply;
    const outboxId = adminForm(request).get('outbox') ?? '';
    // Only this order's own documents: the outbox also holds other orders' documents and webhooks.
    const doc = order.documents.find((d) => d.outbox?.id === outboxId);
    if (!doc) return renderDetail(request, reply, order, { notice: { kind: 'error', text: 'Not requeued: that document is not one of this order\'s.' } }, 404);
    // Not a bare requeue: a document the buyer refused stopped counting, and counts again only if
    // its figures still fit the order (the app layer checks and re-applies them in one transaction).
    const retried = await retryOrderDocument(ctx, outboxId, actorOf(request));
    if (!retried.ok) {
      return renderDetail(request, reply, order, { notice: { kind: 'error', text: `Not requeued: ${DOCUMENT_KIND_LABELS[doc.kind]} ${doc.number}: ${retried.problems.join('; ')}.` } }, 409);
    }
    await audit(ctx, request.adminSession!.user, 'order.retry-document', subjectOf(order), `${DOCUMENT_KIND_LABELS[doc.kind]} ${doc.number}, payloadID ${doc.payloadId}, outbox ${outboxId} (was failed after ${doc.outbox?.attempts ?? '?'} attempt(s): ${doc.outbox?.lastError ?? ''})`);
    return reply.code(303).header('Location', `/admin/orders/${encodeURIComponent(order.id)}?done=retried`).send();
  });
}

function notFound(request: FastifyRequest, reply: FastifyReply, id: string): FastifyReply {
  const body = html`<section class="notice error" role="alert"><h1>No such order</h1><p>There is no order <code>${id}</code>.</p><p class="todo"><a href="/admin/orders">Back to the orders</a></p></section>`;
  return sendAdmin(reply, adminPage(request, { title: 'No such order', section: 'orders' }, body), 404);
}
