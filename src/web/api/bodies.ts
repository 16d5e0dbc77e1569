/**
 * Strict reading of the HTTP API's JSON bodies and query strings into the request types of
 * src/app/order-model.ts. Every problem names its field as a path (`lines[0].statuses[1].quantity`);
 * unknown fields are refused (a typo such as `trackingNo` must not be silently ignored). Money
 * and quantities are decimal text: a JSON number is a binary float and is refused with a hint.
 */
import { ORDER_STATUSES, type ConfirmationRequestInput, type CreditMemoRequestInput, type InvoiceRequestInput, type OrderStatus, type ShipNoticeRequestInput } from '../../app/order-model.js';
import type { OrderFilters } from '../../app/order-queries.js';
import { hasControlCharacter } from '../../domain/visible-text.js';

export type Read<T> = { ok: true; value: T } | { ok: false; problems: string[] };

type Obj = Record<string, unknown>;

class Problems {
  readonly list: string[] = [];
  add(field: string, message: string): void {
    this.list.push(`${field}: ${message}`);
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function path(base: string, key: string | number): string {
  return typeof key === 'number' ? `${base}[${key}]` : base ? `${base}.${key}` : key;
}

function known(p: Problems, base: string, o: Obj, keys: readonly string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) p.add(path(base, k), `is not a known field (known: ${keys.join(', ')})`);
}

function text(p: Problems, field: string, v: unknown, o: { required?: boolean; max?: number; multiline?: boolean } = {}): string | undefined {
  if (v === undefined || v === null) {
    if (o.required) p.add(field, 'is required');
    return undefined;
  }
  if (typeof v !== 'string') return void p.add(field, `must be text, not ${typeof v}`);
  if (o.required && v.trim() === '') return void p.add(field, 'is required (only blanks given)');
  const max = o.max ?? 200;
  if (v.length > max) return void p.add(field, `is longer than ${max} characters`);
  const bad = o.multiline ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v) : hasControlCharacter(v);
  if (bad) return void p.add(field, 'contains control characters');
  return v;
}

const DECIMAL = /^\d{1,12}(\.\d{1,6})?$/;

function decimal(p: Problems, field: string, v: unknown, o: { required?: boolean; positive?: boolean } = {}): string | undefined {
  if (v === undefined || v === null) {
    if (o.required) p.add(field, 'is required');
    return undefined;
  }
  if (typeof v === 'number') return void p.add(field, `must be a decimal written as text, e.g. "${v}" (JSON numbers are binary floats and may not be exact)`);
  if (typeof v !== 'string' || !DECIMAL.test(v)) return void p.add(field, `must be a decimal number written with a dot, e.g. "2.50", not ${JSON.stringify(v)}`);
  if (o.positive && /^0+(\.0+)?$/.test(v)) return void p.add(field, 'must be more than 0');
  return v;
}

/** `YYYY-MM-DD` naming a real calendar day. */
function date(p: Problems, field: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return void p.add(field, `must be a date written YYYY-MM-DD, not ${JSON.stringify(v)}`);
  const d = new Date(`${v}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) return void p.add(field, `${v} is not a calendar date`);
  return v;
}

function lineNumber(p: Problems, field: string, v: unknown): number | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1_000_000) return void p.add(field, `must be a whole number from 1 (the order line's number), not ${JSON.stringify(v)}`);
  return v;
}

function list(p: Problems, field: string, v: unknown, o: { required?: boolean; max?: number } = {}): unknown[] | undefined {
  if (v === undefined || v === null) {
    if (o.required) p.add(field, 'is required');
    return undefined;
  }
  if (!Array.isArray(v)) return void p.add(field, 'must be a list');
  if (v.length === 0) return void p.add(field, 'must not be empty (leave it out instead)');
  const max = o.max ?? 10_000;
  if (v.length > max) return void p.add(field, `has more than ${max} entries`);
  return v;
}

function body(v: unknown): { p: Problems; o: Obj } | Read<never> {
  if (!isObj(v)) return { ok: false, problems: ['body: must be a JSON object'] };
  return { p: new Problems(), o: v };
}

function done<T>(p: Problems, value: T): Read<T> {
  return p.list.length ? { ok: false, problems: p.list } : { ok: true, value };
}

function strip<T extends Obj>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function quantityLines(p: Problems, field: string, v: unknown): { lineNumber: number; quantity: string }[] | undefined {
  const items = list(p, field, v);
  if (!items) return undefined;
  const seen = new Set<number>();
  return items.map((item, i) => {
    const f = path(field, i);
    if (!isObj(item)) {
      p.add(f, 'must be an object {lineNumber, quantity}');
      return { lineNumber: 0, quantity: '' };
    }
    known(p, f, item, ['lineNumber', 'quantity']);
    const n = lineNumber(p, path(f, 'lineNumber'), item.lineNumber);
    if (n !== undefined && seen.has(n)) p.add(path(f, 'lineNumber'), `line ${n} is listed twice`);
    if (n !== undefined) seen.add(n);
    return { lineNumber: n ?? 0, quantity: decimal(p, path(f, 'quantity'), item.quantity, { required: true, positive: true }) ?? '' };
  });
}

const CONFIRMATION_TYPES = ['accept', 'reject', 'detail'] as const;
const LINE_STATUS_TYPES = ['accept', 'detail', 'backordered', 'reject'] as const;

export function readConfirmation(v: unknown): Read<ConfirmationRequestInput> {
  const b = body(v);
  if ('ok' in b) return b;
  const { p, o } = b;
  const type = o.type;
  if (!CONFIRMATION_TYPES.includes(type as never)) {
    p.add('type', `must be one of ${CONFIRMATION_TYPES.join(', ')}, not ${JSON.stringify(type)}`);
    return done(p, undefined as never);
  }
  if (type === 'accept') {
    known(p, '', o, ['type', 'deliveryDate', 'comment']);
    return done(p, strip({ type: 'accept' as const, deliveryDate: date(p, 'deliveryDate', o.deliveryDate), comment: text(p, 'comment', o.comment, { max: 2000, multiline: true }) }));
  }
  if (type === 'reject') {
    known(p, '', o, ['type', 'comment']);
    return done(p, { type: 'reject' as const, comment: text(p, 'comment', o.comment, { required: true, max: 2000, multiline: true }) ?? '' });
  }
  known(p, '', o, ['type', 'comment', 'lines']);
  const comment = text(p, 'comment', o.comment, { max: 2000, multiline: true });
  const items = list(p, 'lines', o.lines, { required: true }) ?? [];
  const seen = new Set<number>();
  const lines = items.map((item, i) => {
    const f = path('lines', i);
    if (!isObj(item)) {
      p.add(f, 'must be an object {lineNumber, statuses}');
      return { lineNumber: 0, statuses: [] };
    }
    known(p, f, item, ['lineNumber', 'statuses']);
    const n = lineNumber(p, path(f, 'lineNumber'), item.lineNumber);
    if (n !== undefined && seen.has(n)) p.add(path(f, 'lineNumber'), `line ${n} is listed twice`);
    if (n !== undefined) seen.add(n);
    const statuses = (list(p, path(f, 'statuses'), item.statuses, { required: true, max: 100 }) ?? []).map((s, j) => {
      const sf = path(path(f, 'statuses'), j);
      if (!isObj(s)) {
        p.add(sf, 'must be an object {type, quantity, …}');
        return { type: 'accept' as const, quantity: '' };
      }
      known(p, sf, s, ['type', 'quantity', 'deliveryDate', 'unitPrice', 'comment']);
      if (!LINE_STATUS_TYPES.includes(s.type as never)) p.add(path(sf, 'type'), `must be one of ${LINE_STATUS_TYPES.join(', ')}, not ${JSON.stringify(s.type)}`);
      return strip({
        type: s.type as (typeof LINE_STATUS_TYPES)[number],
        quantity: decimal(p, path(sf, 'quantity'), s.quantity, { required: true, positive: true }) ?? '',
        deliveryDate: date(p, path(sf, 'deliveryDate'), s.deliveryDate),
        unitPrice: decimal(p, path(sf, 'unitPrice'), s.unitPrice),
        comment: text(p, path(sf, 'comment'), s.comment, { max: 2000, multiline: true }),
      });
    });
    return { lineNumber: n ?? 0, statuses };
  });
  return done(p, strip({ type: 'detail' as const, comment, lines }));
}

export function readShipNotice(v: unknown): Read<ShipNoticeRequestInput> {
  const b = body(v);
  if ('ok' in b) return b;
  const { p, o } = b;
  known(p, '', o, ['carrier', 'scac', 'trackingNumber', 'trackingUrl', 'shipmentDate', 'deliveryDate', 'lines', 'comment']);
  const trackingUrl = text(p, 'trackingUrl', o.trackingUrl, { max: 2048 });
  if (trackingUrl !== undefined && !/^https?:\/\/[^\s]+$/i.test(trackingUrl)) p.add('trackingUrl', 'must be an http:// or https:// URL');
  if (o.scac !== undefined && (typeof o.scac !== 'string' || !/^[A-Z]{2,4}$/.test(o.scac))) p.add('scac', `must be a carrier's SCAC code (2–4 capital letters), not ${JSON.stringify(o.scac)}`);
  return done(
    p,
    strip({
      carrier: text(p, 'carrier', o.carrier, { required: true, max: 100 }) ?? '',
      scac: typeof o.scac === 'string' ? o.scac : undefined,
      trackingNumber: text(p, 'trackingNumber', o.trackingNumber, { required: true, max: 100 }) ?? '',
      trackingUrl,
      shipmentDate: date(p, 'shipmentDate', o.shipmentDate),
      deliveryDate: date(p, 'deliveryDate', o.deliveryDate),
      lines: quantityLines(p, 'lines', o.lines),
      comment: text(p, 'comment', o.comment, { max: 2000, multiline: true }),
    }),
  );
}

export function readInvoice(v: unknown): Read<InvoiceRequestInput> {
  const b = body(v);
  if ('ok' in b) return b;
  const { p, o } = b;
  known(p, '', o, ['lines', 'shipping', 'invoiceDate', 'comment']);
  return done(
    p,
    strip({
      lines: quantityLines(p, 'lines', o.lines),
      shipping: decimal(p, 'shipping', o.shipping),
      invoiceDate: date(p, 'invoiceDate', o.invoiceDate),
      comment: text(p, 'comment', o.comment, { max: 2000, multiline: true }),
    }),
  );
}

export function readCreditMemo(v: unknown): Read<CreditMemoRequestInput> {
  const b = body(v);
  if ('ok' in b) return b;
  const { p, o } = b;
  known(p, '', o, ['invoiceNumber', 'amount', 'reason']);
  return done(p, {
    invoiceNumber: text(p, 'invoiceNumber', o.invoiceNumber, { required: true, max: 100 }) ?? '',
    amount: decimal(p, 'amount', o.amount, { required: true, positive: true }) ?? '',
    reason: text(p, 'reason', o.reason, { required: true, max: 2000, multiline: true }) ?? '',
  });
}

/** `{reason?}` for close, `{note?}` for review. */
export function readNote(v: unknown, field: 'reason' | 'note'): Read<string | undefined> {
  const b = body(v ?? {});
  if ('ok' in b) return b;
  const { p, o } = b;
  known(p, '', o, [field]);
  return done(p, text(p, field, o[field], { max: 2000, multiline: true }));
}

const FILTER_KEYS = ['connection', 'status', 'needsReview', 'orderId', 'from', 'to', 'limit', 'offset'] as const;
export const MAX_LIMIT = 500;

/** A date or an instant (ISO 8601, UTC or with an offset). */
function instant(p: Problems, field: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return date(p, field, v);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
  return void p.add(field, `must be a date (YYYY-MM-DD) or an instant (e.g. 2026-12-03T10:00:00Z), not ${JSON.stringify(v)}`);
}

/** The query string of GET /api/v1/orders; each parameter at most once. */
export function readOrderFilters(query: URLSearchParams): Read<OrderFilters> {
  const p = new Problems();
  for (const k of new Set(query.keys())) {
    if (!(FILTER_KEYS as readonly string[]).includes(k)) p.add(k, `is not a known filter (known: ${FILTER_KEYS.join(', ')})`);
    else if (query.getAll(k).length > 1) p.add(k, 'is given more than once');
  }
  const get = (k: string) => query.get(k) ?? undefined;
  const status = get('status');
  if (status !== undefined && !(ORDER_STATUSES as readonly string[]).includes(status)) p.add('status', `must be one of ${ORDER_STATUSES.join(', ')}, not ${JSON.stringify(status)}`);
  const review = get('needsReview');
  if (review !== undefined && review !== 'true' && review !== 'false') p.add('needsReview', `must be true or false, not ${JSON.stringify(review)}`);
  const count = (k: 'limit' | 'offset', min: number, max: number): number | undefined => {
    const v = get(k);
    if (v === undefined) return undefined;
    if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max) return void p.add(k, `must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}`);
    return Number(v);
  };
  const connection = get('connection');
  const orderId = get('orderId');
  if (connection !== undefined) text(p, 'connection', connection, { max: 100 });
  if (orderId !== undefined) text(p, 'orderId', orderId, { max: 100 });
  const filters: OrderFilters = strip({
    connectionId: connection,
    status: status as OrderStatus | undefined,
    needsReview: review === undefined ? undefined : review === 'true',
    orderId,
    from: instant(p, 'from', get('from')),
    to: instant(p, 'to', get('to')),
    limit: count('limit', 1, MAX_LIMIT) ?? 50,
    offset: count('offset', 0, 1_000_000_000) ?? 0,
  });
  return done(p, filters);
}
