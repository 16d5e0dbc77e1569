/**
 * Numbers of the documents Koppel sends for orders: confirmID, shipmentID and invoiceID. Each
 * series is one row of `document_counters`, incremented by a single upsert inside the
 * transaction that stores the document — PostgreSQL holds the row lock until that transaction
 * ends, SQLite runs one writer at a time — so two documents never get the same number and a
 * document that is refused (rolled back) gives its number back.
 */
import { sql } from 'kysely';
import type { AppContext } from './context.js';
import type { DocumentKind } from './order-model.js';

export interface DocumentSeries {
  /** `document_counters.name`. */
  readonly counter: string;
  readonly prefix: string;
}

/** Credit memos are invoices to the buyer's system (one invoiceID space), so they share the invoice series. */
export const DOCUMENT_SERIES: Readonly<Record<DocumentKind, DocumentSeries>> = {
  confirmation: { counter: 'confirmation', prefix: 'C-' },
  ship_notice: { counter: 'ship_notice', prefix: 'SN-' },
  invoice: { counter: 'invoice', prefix: 'INV-' },
  credit_memo: { counter: 'invoice', prefix: 'INV-' },
};

/** Zero-padded so numbers sort as text in lists and exports. */
export function formatDocumentNumber(series: DocumentSeries, value: number): string {
  return `${series.prefix}${String(value).padStart(6, '0')}`;
}

/**
 * The next number of a series. Pass the transaction's context (`{ ...ctx, db: trx }`): the
 * increment must commit or roll back together with the document that carries the number.
 */
export async function nextDocumentNumber(ctx: AppContext, kind: DocumentKind): Promise<string> {
  const series = DOCUMENT_SERIES[kind];
  const row = await ctx.db
    .insertInto('document_counters')
    .values({ name: series.counter, value: 1 })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: sql<number>`document_counters.value + 1` }))
    .returning('value')
    .executeTakeFirstOrThrow();
  return formatDocumentNumber(series, Number(row.value));
}
