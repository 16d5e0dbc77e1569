/**
 * `koppel orders list|show|confirm|reject|ship|invoice|credit|close|review`: purchase orders and
 * the documents sent back to the buyer, from the command line, with the same rules as the admin
 * (src/app/order-documents.ts) and "cli" as the actor in the order's history.
 */
import { Decimal } from 'decimal.js';
import type { AppContext } from '../app/context.js';
import { findOrderByBuyerId, getOrder, listOrders, type OrderDetail, type OrderFilters, type OrderSummary } from '../app/order-queries.js';
import { closeOrder, createConfirmation, createCreditMemo, createInvoice, createShipNotice, markReviewed } from '../app/order-documents.js';
import { ORDER_STATUSES, type Actor, type ConfirmationRequestInput, type CreateDocumentResult, type OrderStatus } from '../app/order-model.js';
import { withCliContext } from './context.js';
import { groupCommand, parseArgs, UsageError, type ArgSpec, type Parsed } from './args.js';

const ACTOR: Actor = { kind: 'cli' };

const COMMON = `ORDER is the order's id in Koppel or the buyer's orderID (add --connection ID when two
buyers use the same number). Uses the same store as "koppel serve" (KOPPEL_DATA_DIR or DATABASE_URL).
Exit codes: 0 done, 1 refused or not found, 2 usage error.`;

const HELP = `Usage: koppel orders COMMAND [options]

Purchase orders from buyers, and the documents Koppel sends back (through the outbox).
  list                 orders, newest first (filters: --status, --connection, --needs-review …)
  show ORDER           one order: lines with their figures, documents, history
  confirm ORDER        order confirmation (accept, or per line with backorders, rejected parts, prices)
  reject ORDER         reject the whole order (--reason required)
  ship ORDER           ship notice (--carrier, --tracking; default: everything not yet shipped)
  invoice ORDER        invoice (default: shipped and not invoiced, or ordered if nothing shipped)
  credit ORDER         credit memo against an earlier invoice of the order
  close ORDER          close a fully shipped and invoiced order (or any, with --reason)
  review ORDER         mark the order's review flags as seen

Every command takes --json for machine-readable output and --help for its options.
${COMMON}
`;

const HELPS: Record<string, string> = {
  list: `Usage: koppel orders list [--status S] [--connection ID] [--needs-review] [--order-id TEXT]
                         [--from DATE] [--to DATE] [--limit N] [--offset N] [--json]

Lists orders, newest first.
  --status S        ${ORDER_STATUSES.join(', ')}
  --connection ID   only this buyer connection
  --needs-review    only orders with review flags not yet marked reviewed
  --order-id TEXT   part of the buyer's orderID
  --from, --to      received on/after, before (YYYY-MM-DD or an ISO instant, UTC)
  --limit N         at most N orders (default 50, at most 500); --offset N skips N
${COMMON}
`,
  show: `Usage: koppel orders show ORDER [--connection ID] [--json]

Shows one order: header, lines with confirmed/rejected/shipped/invoiced figures, review flags,
documents with their delivery state, and the history.
${COMMON}
`,
  confirm: `Usage: koppel orders confirm ORDER [--delivery-date DATE] [--comment TEXT]
                              [--backorder LINE=QTY@DATE ...] [--reject-line LINE=QTY ... --reason TEXT]
                              [--price LINE=PRICE ...] [--json]

Sends an order confirmation. Without line options every line is accepted as ordered.
  --delivery-date DATE     expected delivery (YYYY-MM-DD, not in the past)
  --comment TEXT           note to the buyer
  --backorder LINE=QTY@DATE  QTY of LINE ships later, expected on DATE (repeatable)
  --reject-line LINE=QTY   QTY of LINE will not be delivered (repeatable; needs --reason)
  --reason TEXT            why the rejected quantities are not delivered
  --price LINE=PRICE       accept LINE at a new unit price (repeatable)
Lines not named are accepted as ordered. An order is confirmed once.
${COMMON}
`,
  reject: `Usage: koppel orders reject ORDER --reason TEXT [--json]

Rejects the whole order (a confirmation of type reject). The order becomes "rejected" and final.
${COMMON}
`,
  ship: `Usage: koppel orders ship ORDER --carrier NAME --tracking NUMBER [--line LINE=QTY ...]
                           [--scac CODE] [--tracking-url URL] [--shipment-date DATE]
                           [--delivery-date DATE] [--comment TEXT] [--json]

Sends a ship notice. Without --line: everything confirmed (or ordered) and not yet shipped.
  --carrier NAME        carrier company (or give --scac)
  --tracking NUMBER     the carrier's tracking number
  --line LINE=QTY       ship QTY of order line LINE (repeatable); e.g. --line 1=2
  --scac CODE           Standard Carrier Alpha Code
  --tracking-url URL    where the buyer can follow the shipment
  --shipment-date DATE  when it left (default today); --delivery-date DATE expected arrival
${COMMON}
`,
  invoice: `Usage: koppel orders invoice ORDER [--line LINE=QTY ...] [--shipping AMOUNT]
                              [--invoice-date DATE] [--comment TEXT] [--json]

Sends an invoice at the connection's tax rate and layout. Without --line: what was shipped and
not yet invoiced, or, with nothing shipped, what was ordered and not invoiced.
  --line LINE=QTY       invoice QTY of order line LINE (repeatable)
  --shipping AMOUNT     shipping charged on this invoice, e.g. 4.95
  --invoice-date DATE   default today (not in the future)
${COMMON}
`,
  credit: `Usage: koppel orders credit ORDER --invoice NUMBER --amount AMOUNT --reason TEXT [--json]

Sends a credit memo against an earlier invoice of the order: AMOUNT is net (tax is added at the
invoice's rate), at most what of that invoice's net is not yet credited.
${COMMON}
`,
  close: `Usage: koppel orders close ORDER [--reason TEXT] [--json]

Closes the order. Without --reason only a fully shipped and invoiced order can be closed.
${COMMON}
`,
  review: `Usage: koppel orders review ORDER [--note TEXT] [--json]

Marks the order's review flags as seen (they stay visible).
${COMMON}
`,
};

class NotFound extends Error {}

const SPECS: Record<string, ArgSpec> = {
  list: { valued: ['status', 'connection', 'order-id', 'from', 'to', 'limit', 'offset'], flags: ['needs-review', 'json'] },
  show: { valued: ['connection'], flags: ['json'] },
  confirm: { valued: ['connection', 'delivery-date', 'comment', 'reason'], repeatable: ['backorder', 'reject-line', 'price'], flags: ['json'] },
  reject: { valued: ['connection', 'reason'], flags: ['json'] },
  ship: { valued: ['connection', 'carrier', 'tracking', 'scac', 'tracking-url', 'shipment-date', 'delivery-date', 'comment'], repeatable: ['line'], flags: ['json'] },
  invoice: { valued: ['connection', 'shipping', 'invoice-date', 'comment'], repeatable: ['line'], flags: ['json'] },
  credit: { valued: ['connection', 'invoice', 'amount', 'reason'], flags: ['json'] },
  close: { valued: ['connection', 'reason'], flags: ['json'] },
  review: { valued: ['connection', 'note'], flags: ['json'] },
};

function oneOrder(command: string, p: Parsed): string {
  if (p.rest.length === 0) throw new UsageError(`which order? Usage: koppel orders ${command} ORDER`);
  if (p.rest.length > 1) throw new UsageError(`unexpected argument "${p.rest[1]}"`);
  return p.rest[0]!;
}

/** `LINE=REST` with LINE a whole number ≥ 1. */
function linePair(option: string, text: string): { lineNumber: number; value: string } {
  const m = /^(\d+)=(.+)$/.exec(text.trim());
  if (!m || Number(m[1]) < 1) throw new UsageError(`--${option} must be LINE=VALUE with a line number ≥ 1 (e.g. --${option} 1=2), not "${text}"`);
  return { lineNumber: Number(m[1]), value: m[2]! };
}

function lineQuantities(p: Parsed): { lineNumber: number; quantity: string }[] | undefined {
  const given = p.lists.line;
  if (!given) return undefined;
  return given.map((t) => {
    const { lineNumber, value } = linePair('line', t);
    return { lineNumber, quantity: value };
  });
}

function required(p: Parsed, ...names: string[]): void {
  const missing = names.filter((n) => p.values[n] === undefined || p.values[n]!.trim() === '');
  if (missing.length) throw new UsageError(`missing ${missing.map((n) => `--${n}`).join(', ')}`);
}

const out = (text: string) => process.stdout.write(text);

/** The order a command names: its row id, else the buyer's orderID (unique with --connection). */
async function resolveOrder(ctx: AppContext, ref: string, connectionId: string | undefined): Promise<OrderSummary> {
  const byId = await getOrder(ctx, ref);
  if (byId && (connectionId === undefined || byId.connectionId === connectionId)) return byId;
  const found = await findOrderByBuyerId(ctx, ref, connectionId);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) throw new NotFound(`no order "${ref}"${connectionId ? ` on connection ${connectionId}` : ''}`);
  throw new UsageError(`"${ref}" is the orderID of ${found.length} orders (${found.map((o) => `${o.connectionId}: ${o.id}`).join(', ')}); add --connection ID or use the order's id`);
}

// ---- list and show -----------------------------------------------------------------------------

function listFilters(p: Parsed): OrderFilters {
  if (p.rest.length) throw new UsageError(`unexpected argument "${p.rest[0]}"`);
  const v = p.values;
  if (v.status !== undefined && !ORDER_STATUSES.includes(v.status as OrderStatus)) throw new UsageError(`--status must be one of ${ORDER_STATUSES.join(', ')}, not "${v.status}"`);
  const count = (name: string): number | undefined => {
    if (v[name] === undefined) return undefined;
    if (!/^\d+$/.test(v[name]!)) throw new UsageError(`--${name} must be a whole number, not "${v[name]}"`);
    return Number(v[name]);
  };
  const limit = count('limit');
  const offset = count('offset');
  return {
    ...(v.status !== undefined ? { status: v.status as OrderStatus } : {}),
    ...(v.connection !== undefined ? { connectionId: v.connection } : {}),
    ...(p.flags.has('needs-review') ? { needsReview: true } : {}),
    ...(v['order-id'] !== undefined ? { orderId: v['order-id'] } : {}),
    ...(v.from !== undefined ? { from: v.from } : {}),
    ...(v.to !== undefined ? { to: v.to } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(offset !== undefined ? { offset } : {}),
  };
}

async function list(ctx: AppContext, p: Parsed, filters: OrderFilters): Promise<number> {
  let result;
  try {
    result = await listOrders(ctx, filters);
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
  if (p.flags.has('json')) {
    out(JSON.stringify(result, null, 2) + '\n');
    return 0;
  }
  if (result.orders.length === 0) {
    out('No orders.\n');
    return 0;
  }
  out(`${'ID'.padEnd(18)} ${'ORDER'.padEnd(20)} ${'CONNECTION'.padEnd(16)} ${'STATUS'.padEnd(15)} ${'TOTAL'.padStart(14)} LINES FLAGS RECEIVED\n`);
  for (const o of result.orders) {
    out(
      `${o.id.padEnd(18)} ${o.orderId.padEnd(20)} ${o.connectionId.padEnd(16)} ${o.status.padEnd(15)} ${`${o.total} ${o.currency}`.padStart(14)} ${String(o.lineCount).padStart(5)} ${String(o.openFlags).padStart(5)} ${o.receivedAt}\n`,
    );
  }
  if (result.total > result.orders.length) out(`(${result.orders.length} of ${result.total}; use --limit and --offset for more)\n`);
  return 0;
}

function describe(o: OrderDetail): string {
  const rows: [string, string][] = [
    ['id', o.id],
    ['connection', `${o.connectionId} (${o.connectionName})`],
    ['status', o.status],
    ['order date', o.orderDate],
    ['total', `${o.total} ${o.currency}`],
    ['payloadID', o.payloadId],
    ['mode', o.deploymentMode],
    ['received', o.receivedAt],
    ['updated', o.updatedAt],
  ];
  if (o.reviewedAt) rows.push(['reviewed', `${o.reviewedAt} by ${o.reviewedBy ?? '?'}`]);
  if (o.linkedOrder) rows.push(['linked to', `${o.linkedOrder.orderId} (${o.linkedOrder.id})`]);
  let text = `Order ${o.orderId}\n${rows.map(([k, v]) => `  ${k.padEnd(12)}${v}`).join('\n')}\n`;
  for (const f of o.review) text += `  ! ${f.message}\n`;
  text += `\nLines:\n`;
  for (const l of o.lines) {
    text += `  ${String(l.lineNumber).padStart(3)}  ${l.supplierPartId || '(ad hoc)'}  ${l.description}\n`;
    // Each figure carries its own label: a row of bare numbers is read against the wrong heading.
    text += `       ordered ${l.quantity} ${l.unit} × ${l.unitPrice} ${l.currency} · confirmed ${l.confirmedQuantity} · rejected ${l.rejectedQuantity} · shipped ${l.shippedQuantity} · invoiced ${l.invoicedQuantity} (${l.invoicedAmount} ${l.currency})\n`;
    for (const f of l.review) text += `       ! ${f.message}\n`;
  }
  if (o.documents.length) {
    text += `\nDocuments:\n`;
    for (const d of o.documents) {
      const delivery = d.outbox ? `${d.outbox.status}${d.outbox.attempts ? `, ${d.outbox.attempts} attempt(s)` : ''}${d.outbox.lastError ? `: ${d.outbox.lastError}` : ''}` : 'not queued';
      const due = d.totals && typeof d.totals.due === 'string' ? ` ${d.totals.due} ${String(d.totals.currency ?? '')}` : '';
      text += `  ${d.number.padEnd(12)} ${d.kind.padEnd(12)} ${d.createdAt}${due}  [${delivery}]\n`;
    }
  }
  if (o.events.length) {
    text += `\nHistory:\n`;
    for (const e of o.events) {
      const change = e.fromStatus || e.toStatus ? ` ${e.fromStatus ?? ''} → ${e.toStatus ?? ''}` : '';
      text += `  ${e.createdAt}  ${e.kind}${change}  (${e.actor})${e.detail ? `  ${e.detail}` : ''}\n`;
    }
  }
  return text;
}

async function show(ctx: AppContext, p: Parsed): Promise<number> {
  const ref = await resolveOrder(ctx, oneOrder('show', p), p.values.connection);
  const o = await getOrder(ctx, ref.id);
  if (!o) throw new NotFound(`no order "${ref.id}"`);
  out(p.flags.has('json') ? JSON.stringify(o, null, 2) + '\n' : describe(o));
  return 0;
}

// ---- documents ---------------------------------------------------------------------------------

const NAMES: Record<string, string> = { confirm: 'confirmation', reject: 'rejection', ship: 'ship notice', invoice: 'invoice', credit: 'credit memo' };

function report(command: string, order: OrderSummary, r: CreateDocumentResult, json: boolean): number {
  if (json) out(JSON.stringify({ order: order.id, orderId: order.orderId, ...r }, null, 2) + '\n');
  if (!r.ok) {
    process.stderr.write(`koppel orders ${command}: refused for order ${order.orderId}:\n${r.problems.map((x) => `  - ${x}\n`).join('')}`);
    return 1;
  }
  if (!json) out(`${NAMES[command]} ${r.number} created for order ${order.orderId} and queued for the buyer (payloadID ${r.payloadId}).\n`);
  return 0;
}

/** Per-line statuses from --backorder, --reject-line and --price; lines not named stay accepted. */
async function confirmationInput(ctx: AppContext, p: Parsed, order: OrderSummary): Promise<ConfirmationRequestInput> {
  const v = p.values;
  const backorders = (p.lists.backorder ?? []).map((t) => {
    const { lineNumber, value } = linePair('backorder', t);
    const at = value.indexOf('@');
    if (at <= 0 || at === value.length - 1) throw new UsageError(`--backorder must be LINE=QTY@DATE (e.g. 1=2@2026-12-20), not "${t}"`);
    return { lineNumber, quantity: value.slice(0, at), date: value.slice(at + 1) };
  });
  const rejects = (p.lists['reject-line'] ?? []).map((t) => linePair('reject-line', t)).map(({ lineNumber, value }) => ({ lineNumber, quantity: value }));
  const prices = new Map((p.lists.price ?? []).map((t) => linePair('price', t)).map(({ lineNumber, value }) => [lineNumber, value]));
  if (rejects.length && !(v.reason ?? '').trim()) throw new UsageError('--reject-line needs --reason (the buyer is told why)');
  const named = new Set([...backorders.map((b) => b.lineNumber), ...rejects.map((r) => r.lineNumber), ...prices.keys()]);
  if (named.size === 0) {
    return { type: 'accept', ...(v['delivery-date'] !== undefined ? { deliveryDate: v['delivery-date'] } : {}), ...(v.comment !== undefined ? { comment: v.comment } : {}) };
  }
  const detail = await getOrder(ctx, order.id);
  const lines = [...named].sort((a, b) => a - b).map((lineNumber) => {
    const ordered = detail?.lines.find((l) => l.lineNumber === lineNumber);
    const b = backorders.filter((x) => x.lineNumber === lineNumber);
    const r = rejects.filter((x) => x.lineNumber === lineNumber);
    const statuses: { type: 'accept' | 'detail' | 'backordered' | 'reject'; quantity: string; deliveryDate?: string; unitPrice?: string; comment?: string }[] = [];
    // The accepted rest is what is neither backordered nor rejected (the app checks the numbers).
    let rest: Decimal | undefined = ordered ? new Decimal(ordered.quantity) : undefined;
    for (const x of [...b, ...r]) rest = rest && /^\d+(\.\d+)?$/.test(x.quantity) ? rest.minus(x.quantity) : undefined;
    const price = prices.get(lineNumber);
    if (rest === undefined || rest.gt(0)) {
      statuses.push({
        type: price !== undefined ? 'detail' : 'accept',
        quantity: rest?.toFixed() ?? ordered?.quantity ?? '0',
        ...(v['delivery-date'] !== undefined ? { deliveryDate: v['delivery-date'] } : {}),
        ...(price !== undefined ? { unitPrice: price } : {}),
      });
    }
    for (const x of b) statuses.push({ type: 'backordered', quantity: x.quantity, deliveryDate: x.date });
    for (const x of r) statuses.push({ type: 'reject', quantity: x.quantity, comment: v.reason!.trim() });
    return { lineNumber, statuses };
  });
  return { type: 'detail', ...(v.comment !== undefined ? { comment: v.comment } : {}), lines };
}

async function document(ctx: AppContext, command: string, p: Parsed): Promise<number> {
  const order = await resolveOrder(ctx, oneOrder(command, p), p.values.connection);
  const v = p.values;
  const json = p.flags.has('json');
  switch (command) {
    case 'confirm':
      return report(command, order, await createConfirmation(ctx, order.id, await confirmationInput(ctx, p, order), ACTOR), json);
    case 'reject':
      return report(command, order, await createConfirmation(ctx, order.id, { type: 'reject', comment: v.reason! }, ACTOR), json);
    case 'ship': {
      const lines = lineQuantities(p);
      return report(
        command,
        order,
        await createShipNotice(
          ctx,
          order.id,
          {
            carrier: v.carrier ?? '',
            trackingNumber: v.tracking!,
            ...(v.scac !== undefined ? { scac: v.scac } : {}),
            ...(v['tracking-url'] !== undefined ? { trackingUrl: v['tracking-url'] } : {}),
            ...(v['shipment-date'] !== undefined ? { shipmentDate: v['shipment-date'] } : {}),
            ...(v['delivery-date'] !== undefined ? { deliveryDate: v['delivery-date'] } : {}),
            ...(v.comment !== undefined ? { comment: v.comment } : {}),
            ...(lines ? { lines } : {}),
          },
          ACTOR,
        ),
        json,
      );
    }
    case 'invoice': {
      const lines = lineQuantities(p);
      return report(
        command,
        order,
        await createInvoice(
          ctx,
          order.id,
          {
            ...(lines ? { lines } : {}),
            ...(v.shipping !== undefined ? { shipping: v.shipping } : {}),
            ...(v['invoice-date'] !== undefined ? { invoiceDate: v['invoice-date'] } : {}),
            ...(v.comment !== undefined ? { comment: v.comment } : {}),
          },
          ACTOR,
        ),
        json,
      );
    }
    default:
      return report(command, order, await createCreditMemo(ctx, order.id, { invoiceNumber: v.invoice!, amount: v.amount!, reason: v.reason! }, ACTOR), json);
  }
}

async function close(ctx: AppContext, p: Parsed): Promise<number> {
  const order = await resolveOrder(ctx, oneOrder('close', p), p.values.connection);
  const r = await closeOrder(ctx, order.id, ACTOR, p.values.reason);
  if (p.flags.has('json')) out(JSON.stringify({ order: order.id, orderId: order.orderId, ...r }, null, 2) + '\n');
  if (!r.ok) {
    process.stderr.write(`koppel orders close: refused for order ${order.orderId}:\n${r.problems.map((x) => `  - ${x}\n`).join('')}`);
    return 1;
  }
  if (!p.flags.has('json')) out(`Order ${order.orderId} is closed.\n`);
  return 0;
}

async function review(ctx: AppContext, p: Parsed): Promise<number> {
  const order = await resolveOrder(ctx, oneOrder('review', p), p.values.connection);
  const done = await markReviewed(ctx, order.id, ACTOR, p.values.note);
  if (!done) throw new NotFound(`no order "${order.id}"`);
  out(p.flags.has('json') ? JSON.stringify({ order: order.id, orderId: order.orderId, ok: true }, null, 2) + '\n' : `Order ${order.orderId} is marked reviewed.\n`);
  return 0;
}

/** Usage errors found before the store is opened. */
function precheck(sub: string, p: Parsed): OrderFilters | undefined {
  if (sub === 'list') return listFilters(p);
  oneOrder(sub, p);
  if (sub === 'reject') required(p, 'reason');
  if (sub === 'ship') {
    required(p, 'tracking');
    if (!(p.values.carrier ?? '').trim() && !(p.values.scac ?? '').trim()) throw new UsageError('missing --carrier (or --scac)');
  }
  if (sub === 'credit') required(p, 'invoice', 'amount', 'reason');
  if (sub === 'ship' || sub === 'invoice') lineQuantities(p);
  return undefined;
}

export async function ordersCommand(args: string[]): Promise<number> {
  const call = groupCommand('orders', args, { group: HELP, commands: HELPS }, SPECS);
  if (typeof call === 'number') return call;
  const { sub, rest, spec } = call;
  const prefix = `koppel orders ${sub}`;
  let parsed: Parsed;
  let filters: OrderFilters | undefined;
  try {
    parsed = parseArgs(rest, spec);
    filters = precheck(sub, parsed);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${prefix}: ${err.message}\n\n${HELPS[sub]}`);
    return 2;
  }
  try {
    return await withCliContext(async (ctx) => {
      switch (sub) {
        case 'list':
          return list(ctx, parsed, filters!);
        case 'show':
          return show(ctx, parsed);
        case 'close':
          return close(ctx, parsed);
        case 'review':
          return review(ctx, parsed);
        default:
          return document(ctx, sub, parsed);
      }
    });
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${prefix}: ${err.message}\n\n${HELPS[sub]}`);
      return 2;
    }
    process.stderr.write(`${prefix}: ${(err as Error).message}\n`);
    return 1;
  }
}
