/**
 * The document log in the admin: `GET /admin/documents` (filtered, newest first, by `seq`),
 * `GET /admin/documents/:id`, and the replay / resend actions on one document.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ExpressionBuilder } from 'kysely';
import type { AppContext } from '../../app/context.js';
import type { Database } from '../../store/schema.js';
import { getConnection, listConnections } from '../../app/connections.js';
import { openOutboundSecret } from '../../app/connection-admin.js';
import { redactPairs, redactXml } from '../../app/document-log.js';
import { checkReplay, deliveryOf, findPair, getDocument, replayDocument, resendDocument, resendRefusal, type DocumentRow, type ResendOptions } from '../../app/document-replay.js';
import { prettyXml } from '../../protocol/cxml/pretty.js';
import type { Connection } from '../../domain/connection.js';
import { csrfField, type AdminGuard } from './guard.js';
import { adminPage, sendAdmin } from './layout.js';
import { html } from '../html.js';
import { documentDetailBody, documentListBody, NO_CONNECTION, type DetailView, type DocumentFilters, type ListRow, type OrderView } from './document-views.js';
import { first, validDate, type Query } from './query.js';

export const PAGE_SIZE = 50;
/** Bodies above this are shown as stored, without indentation (and cut). */
const PRETTY_LIMIT = 1_000_000;

/** Filters from the query string; values that make no sense are dropped and named. */
export function readFilters(q: Query): { filters: DocumentFilters; problems: string[] } {
  const problems: string[] = [];
  const f: DocumentFilters = {};
  for (const name of ['connection', 'type', 'status', 'session', 'order'] as const) {
    const v = first(q, name);
    if (v !== undefined) f[name] = v;
  }
  const direction = first(q, 'direction');
  if (direction === 'in' || direction === 'out') f.direction = direction;
  else if (direction !== undefined) problems.push(`direction "${direction}" is neither in nor out`);
  const protocol = first(q, 'protocol');
  if (protocol === 'oci' || protocol === 'cxml') f.protocol = protocol;
  else if (protocol !== undefined) problems.push(`protocol "${protocol}" is neither cxml nor oci`);
  for (const name of ['from', 'to'] as const) {
    const v = first(q, name);
    if (v === undefined) continue;
    if (validDate(v)) f[name] = v;
    else problems.push(`${name} date "${v}" is not a date (YYYY-MM-DD)`);
  }
  return { filters: f, problems };
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}

function conditions(eb: ExpressionBuilder<Database, 'documents'>, f: DocumentFilters) {
  const c = [];
  if (f.connection === NO_CONNECTION) c.push(eb('connection_id', 'is', null));
  else if (f.connection) c.push(eb('connection_id', '=', f.connection));
  if (f.type) c.push(eb('doc_type', '=', f.type));
  if (f.direction) c.push(eb('direction', '=', f.direction));
  if (f.status) c.push(eb('status', '=', f.status));
  if (f.protocol) c.push(eb('protocol', '=', f.protocol));
  if (f.session) c.push(eb('session_id', '=', f.session));
  if (f.order) c.push(eb('order_id', '=', f.order));
  // Timestamps are ISO-8601 UTC text, so text comparison is time order.
  if (f.from) c.push(eb('created_at', '>=', `${f.from}T00:00:00.000Z`));
  if (f.to) c.push(eb('created_at', '<', nextDay(f.to)));
  return c;
}

function pageQuery(f: DocumentFilters, cursor?: { before?: number; after?: number }): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') p.set(k, String(v));
  if (cursor?.before !== undefined) p.set('before', String(cursor.before));
  if (cursor?.after !== undefined) p.set('after', String(cursor.after));
  return p.toString();
}

const LIST_COLUMNS = ['id', 'seq', 'direction', 'protocol', 'doc_type', 'connection_id', 'session_id', 'order_id', 'payload_id', 'status', 'detail', 'content_type', 'created_at'] as const;

export async function registerDocumentRoutes(app: FastifyInstance, ctx: AppContext, guard: AdminGuard, options: { resend?: ResendOptions } = {}): Promise<void> {
  async function listPage(f: DocumentFilters, before: number | undefined, after: number | undefined): Promise<{ rows: ListRow[]; newer: boolean; older: boolean }> {
    const base = () => ctx.db.selectFrom('documents').select([...LIST_COLUMNS]).where((eb) => eb.and(conditions(eb, f)));
    let rows: ListRow[];
    if (after !== undefined) {
      // Going back towards the newest: read upwards from the cursor, then show newest first.
      rows = (await base().where('seq', '>', after).orderBy('seq', 'asc').limit(PAGE_SIZE).execute()).reverse();
    } else {
      let q = base();
      if (before !== undefined) q = q.where('seq', '<', before);
      rows = await q.orderBy('seq', 'desc').limit(PAGE_SIZE).execute();
    }
    if (rows.length === 0) return { rows, newer: after !== undefined || before !== undefined, older: false };
    const top = Number(rows[0]!.seq);
    const bottom = Number(rows.at(-1)!.seq);
    const [newer, older] = await Promise.all([
      base().where('seq', '>', top).limit(1).execute(),
      base().where('seq', '<', bottom).limit(1).execute(),
    ]);
    return { rows, newer: newer.length > 0, older: older.length > 0 };
  }

  app.get<{ Querystring: Query }>('/admin/documents', { preHandler: guard.viewer }, async (request, reply) => {
    const { filters, problems } = readFilters(request.query);
    const cursor = (name: string): number | undefined => {
      const v = first(request.query, name);
      if (v === undefined) return undefined;
      if (/^\d{1,15}$/.test(v)) return Number(v);
      problems.push(`page position "${v}" is not a number`);
      return undefined;
    };
    const before = cursor('before');
    const after = before === undefined ? cursor('after') : undefined;
    const [page, connections, types, statuses] = await Promise.all([
      listPage(filters, before, after),
      listConnections(ctx),
      ctx.db.selectFrom('documents').select('doc_type').distinct().orderBy('doc_type').execute(),
      ctx.db.selectFrom('documents').select('status').distinct().orderBy('status').execute(),
    ]);
    const rows = page.rows;
    const body = documentListBody({
      filters,
      problems,
      rows,
      connections: connections.map((c) => ({ id: c.id, name: c.name })),
      types: types.map((t) => t.doc_type),
      statuses: statuses.map((s) => s.status),
      pageSize: PAGE_SIZE,
      ...(page.newer && rows.length ? { newer: pageQuery(filters, { after: Number(rows[0]!.seq) }) } : {}),
      ...(page.older && rows.length ? { older: pageQuery(filters, { before: Number(rows.at(-1)!.seq) }) } : {}),
      ...(page.newer || (rows.length === 0 && (before !== undefined || after !== undefined)) ? { newest: pageQuery(filters) } : {}),
    });
    return sendAdmin(reply, adminPage(request, { title: 'Document log', section: 'documents' }, body));
  });

  async function orderView(orderRowId: string): Promise<OrderView | undefined> {
    const order = await ctx.db
      .selectFrom('orders')
      .select(['id', 'order_id', 'order_type', 'order_version', 'order_date', 'total', 'currency', 'status', 'deployment_mode', 'received_at'])
      .where('id', '=', orderRowId)
      .executeTakeFirst();
    if (!order) return undefined;
    const lines = await ctx.db
      .selectFrom('order_lines')
      .select(['line_number', 'supplier_part_id', 'aux_id', 'description', 'quantity', 'unit', 'unit_price', 'currency'])
      .where('order_id', '=', orderRowId)
      .orderBy('line_number')
      .execute();
    return { order: { ...order, order_version: order.order_version === null ? null : Number(order.order_version) }, lines: lines.map((l) => ({ ...l, line_number: Number(l.line_number) })) };
  }

  async function renderDetail(request: FastifyRequest, reply: FastifyReply, doc: DocumentRow, notice?: DetailView['notice'], code = 200): Promise<FastifyReply> {
    const connection = doc.connection_id ? await getConnection(ctx, doc.connection_id) : undefined;
    const [pair, order, replay] = await Promise.all([findPair(ctx, doc), doc.order_id ? orderView(doc.order_id) : Promise.resolve(undefined), doc.direction === 'in' ? checkReplay(ctx, doc) : Promise.resolve(undefined)]);
    const shown = bodyForDisplay(doc, connection);
    const origin = /^(replay|resend) of (\S+) by \S+: /.exec(doc.detail);
    const view: DetailView = {
      doc,
      ...(connection ? { connectionName: connection.name } : {}),
      shownBody: shown.text,
      ...(shown.note ? { bodyNote: shown.note } : {}),
      ...(pair ? { pair } : {}),
      ...(order ? { order } : {}),
      ...(replay ? { replay: replay.ok ? { possible: true, text: replayExplanation(replay.kind), ...(replay.warning ? { warning: replay.warning } : {}) } : { possible: false, text: replay.reason } } : {}),
      ...(doc.direction === 'out' ? { resend: resendView(doc) } : {}),
      canAct: request.adminSession?.user.role === 'admin',
      csrf: csrfField(request),
      ...(notice ? { notice } : {}),
      ...(origin ? { origin: { what: origin[1] as 'replay' | 'resend', id: origin[2]! } } : {}),
    };
    return sendAdmin(reply, adminPage(request, { title: `${doc.doc_type} · Document log`, section: 'documents' }, documentDetailBody(view)), code);
  }

  app.get<{ Params: { id: string }; Querystring: Query }>('/admin/documents/:id', { preHandler: guard.viewer }, async (request, reply) => {
    const doc = await getDocument(ctx, request.params.id);
    if (!doc) return notFound(request, reply, request.params.id);
    const done = first(request.query, 'done');
    const notice: DetailView['notice'] | undefined =
      done === 'replayed'
        ? { kind: Number(doc.status) >= 400 ? 'warn' : 'ok', text: `Replayed: the request was processed again and answered ${doc.status}. This page is the replay's own log entry; its answer is linked below.` }
        : done === 'resent'
          ? { kind: /^2\d\d$/.test(doc.status) ? 'ok' : 'warn', text: `Resent: the buyer's system answered ${doc.status}.` }
          : undefined;
    return renderDetail(request, reply, doc, notice);
  });

  app.post<{ Params: { id: string } }>('/admin/documents/:id/replay', { preHandler: guard.admin }, async (request, reply) => {
    const doc = await getDocument(ctx, request.params.id);
    if (!doc) return notFound(request, reply, request.params.id);
    const user = request.adminSession!.user;
    const result = await replayDocument(ctx, user, doc.id);
    if (!result.ok) return renderDetail(request, reply, doc, { kind: 'error', text: `Not replayed. ${result.reason}` }, 409);
    const target = result.requestDocumentId ?? doc.id;
    return reply.code(303).header('Location', `/admin/documents/${encodeURIComponent(target)}?done=replayed`).send();
  });

  app.post<{ Params: { id: string } }>('/admin/documents/:id/resend', { preHandler: guard.admin }, async (request, reply) => {
    const doc = await getDocument(ctx, request.params.id);
    if (!doc) return notFound(request, reply, request.params.id);
    const user = request.adminSession!.user;
    // The log keeps the SharedSecret redacted; the connection's sealed outbound secret goes back in.
    const resend = options.resend ?? { outboundSecret: (c: Connection) => openOutboundSecret(ctx, c) };
    const result = await resendDocument(ctx, user, doc.id, resend);
    if (!result.ok) return renderDetail(request, reply, doc, { kind: 'error', text: `Not resent. ${result.reason}` }, 409);
    return reply.code(303).header('Location', `/admin/documents/${encodeURIComponent(result.documentId ?? doc.id)}?done=resent`).send();
  });
}

function notFound(request: FastifyRequest, reply: FastifyReply, id: string): FastifyReply {
  const body = html`<section class="notice error" role="alert"><h1>No such document</h1><p>There is no document <code>${id}</code> in the log.</p><p class="todo"><a href="/admin/documents">Back to the document log</a></p></section>`;
  return sendAdmin(reply, adminPage(request, { title: 'No such document', section: 'documents' }, body), 404);
}

function replayExplanation(kind: string): string {
  const how = 'The stored request is processed again through the same code path as a request from the buyer, as its connection: the SharedSecret is not checked (the log keeps it redacted), every other check is. The replay is logged as new documents and recorded in the audit trail.';
  switch (kind) {
    case 'OrderRequest':
      return `${how} An order is never stored twice: order intake is idempotent by payloadID, so if this order was stored, the stored answer is given again and nothing changes.`;
    case 'PunchOutSetupRequest':
      return `${how} A replayed PunchOutSetupRequest opens a new punchout session (its StartPage link is not shown: it would log you in as the buyer's user, and it expires unused).`;
    default:
      return `${how} A ProfileRequest is simply answered again.`;
  }
}

function resendView(doc: DocumentRow): { possible: boolean; text: string } {
  const delivery = deliveryOf(doc);
  if (delivery.kind === 'http') return { possible: true, text: `Posts the same body (same payloadID ${doc.payload_id ?? ''}) again to ${delivery.url}. The buyer's answer is logged; the action is recorded in the audit trail.` };
  return { possible: false, text: resendRefusal(delivery)! };
}

/**
 * The body for the page: secrets were redacted when it was stored, and are redacted again here
 * in case an older row or another writer missed one. XML is indented, JSON pretty-printed.
 */
export function bodyForDisplay(doc: Pick<DocumentRow, 'body' | 'content_type'>, connection?: Connection): { text: string; note?: string } {
  const body = doc.body;
  if (/xml/i.test(doc.content_type) || body.trimStart().startsWith('<')) {
    const safe = redactXml(body);
    if (safe.length > PRETTY_LIMIT) return { text: safe.slice(0, PRETTY_LIMIT), note: `Too long to indent: the first ${PRETTY_LIMIT} of ${safe.length} characters are shown.` };
    return { text: prettyXml(safe) };
  }
  if (/json/i.test(doc.content_type)) {
    try {
      const value = JSON.parse(body) as unknown;
      return { text: JSON.stringify(redactJson(value, connection), null, 2) };
    } catch {
      return { text: body.slice(0, PRETTY_LIMIT) };
    }
  }
  return { text: body.slice(0, PRETTY_LIMIT) };
}

/** OCI call bodies hold `params` as name/value pairs: the password field is masked again. */
function redactJson(value: unknown, connection?: Connection): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const obj = value as Record<string, unknown>;
  if (!Array.isArray(obj.params)) return value;
  const names = ['PASSWORD', ...(connection ? [connection.options.oci.passwordField] : [])];
  const pairs = obj.params.filter((p): p is { name: string; value: string } => !!p && typeof p === 'object' && typeof (p as { name?: unknown }).name === 'string');
  return { ...obj, params: redactPairs(pairs, names) };
}
