/**
 * Customer prices: a connection may have a price list; its buyer then sees and is charged the
 * list's price for every product on it (and the catalog price for the rest). Prices are looked
 * up only through the session's own connection, so one buyer never sees another's prices.
 * Also the admin's use cases for price lists: create, and replace the items from pasted
 * `SKU;price` lines — each recorded in the audit trail. (A connection chooses its list in the
 * connection form.)
 */
import { Decimal, dec, isCurrencyCode } from '../protocol/money.js';
import { hasControlCharacter, hiddenCharacter } from '../domain/visible-text.js';
import type { Connection } from '../domain/connection.js';
import { audit, type AdminUser } from './admin-users.js';
import type { Product } from './catalog.js';
import { iso, type AppContext } from './context.js';

export interface BuyerPrice {
  readonly price: Decimal;
  readonly currency: string;
  readonly source: 'catalog' | `price list ${string}`;
}

type PricedConnection = Pick<Connection, 'priceListId'> | undefined;

interface ListedPrice {
  readonly price: string;
  readonly currency: string;
  readonly listName: string;
}

async function listedPrices(ctx: AppContext, connection: PricedConnection, productIds: readonly string[]): Promise<Map<string, ListedPrice>> {
  const listId = connection?.priceListId;
  if (!listId || productIds.length === 0) return new Map();
  const rows = await ctx.db
    .selectFrom('price_list_items')
    .innerJoin('price_lists', 'price_lists.id', 'price_list_items.price_list_id')
    .select(['price_list_items.product_id', 'price_list_items.price', 'price_lists.currency', 'price_lists.name'])
    .where('price_list_items.price_list_id', '=', listId)
    .where('price_list_items.product_id', 'in', [...new Set(productIds)])
    .execute();
  return new Map(rows.map((r) => [r.product_id, { price: r.price, currency: r.currency, listName: r.name }]));
}

function priced(product: Product, listed: ListedPrice | undefined): BuyerPrice {
  return listed
    ? { price: dec(listed.price), currency: listed.currency, source: `price list ${listed.listName}` }
    : { price: dec(product.price), currency: product.currency, source: 'catalog' };
}

/** What this connection's buyer pays for one product. */
export async function priceFor(ctx: AppContext, connection: PricedConnection, product: Product): Promise<BuyerPrice> {
  return priced(product, (await listedPrices(ctx, connection, [product.id])).get(product.id));
}

/** Prices of several products for one connection, keyed by product id. */
export async function pricesFor(ctx: AppContext, connection: PricedConnection, products: readonly Product[]): Promise<Map<string, BuyerPrice>> {
  const listed = await listedPrices(ctx, connection, products.map((p) => p.id));
  return new Map(products.map((p) => [p.id, priced(p, listed.get(p.id))]));
}

/** The products as this connection's buyer sees them: price and currency from its price list. */
export async function withBuyerPrices(ctx: AppContext, connection: PricedConnection, products: readonly Product[]): Promise<Product[]> {
  const listed = await listedPrices(ctx, connection, products.map((p) => p.id));
  return products.map((p) => {
    const l = listed.get(p.id);
    return l ? { ...p, price: l.price, currency: l.currency } : p;
  });
}

// ---- admin ---------------------------------------------------------------------------------

export interface PriceListSummary {
  readonly id: string;
  readonly name: string;
  readonly currency: string;
  readonly createdAt: string;
  readonly itemCount: number;
  readonly connections: readonly { readonly id: string; readonly name: string }[];
}

export interface PriceListItem {
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly price: string;
  readonly catalogPrice: string;
  readonly catalogCurrency: string;
}

export async function listPriceLists(ctx: AppContext): Promise<PriceListSummary[]> {
  const lists = await ctx.db.selectFrom('price_lists').selectAll().orderBy('name').orderBy('id').execute();
  const counts = await ctx.db.selectFrom('price_list_items').select(['price_list_id']).select((eb) => eb.fn.countAll<string | number>().as('n')).groupBy('price_list_id').execute();
  const users = await ctx.db.selectFrom('connections').select(['id', 'name', 'price_list_id']).where('price_list_id', 'is not', null).orderBy('id').execute();
  return lists.map((l) => ({
    id: l.id,
    name: l.name,
    currency: l.currency,
    createdAt: l.created_at,
    itemCount: Number(counts.find((c) => c.price_list_id === l.id)?.n ?? 0),
    connections: users.filter((u) => u.price_list_id === l.id).map((u) => ({ id: u.id, name: u.name })),
  }));
}

export async function getPriceList(ctx: AppContext, id: string): Promise<(PriceListSummary & { items: PriceListItem[] }) | undefined> {
  const summary = (await listPriceLists(ctx)).find((l) => l.id === id);
  if (!summary) return undefined;
  const rows = await ctx.db
    .selectFrom('price_list_items')
    .innerJoin('products', 'products.id', 'price_list_items.product_id')
    .select(['products.id', 'products.sku', 'products.name', 'products.price as catalog_price', 'products.currency', 'price_list_items.price'])
    .where('price_list_items.price_list_id', '=', id)
    .orderBy('products.sku')
    .execute();
  return {
    ...summary,
    items: rows.map((r) => ({ productId: r.id, sku: r.sku, name: r.name, price: r.price, catalogPrice: r.catalog_price, catalogCurrency: r.currency })),
  };
}

export type PriceListResult = { ok: true; id: string; message: string } | { ok: false; problems: string[] };

export async function createPriceList(ctx: AppContext, who: AdminUser, input: { name: string; currency: string }): Promise<PriceListResult> {
  const name = input.name.trim();
  const currency = input.currency.trim().toUpperCase();
  const problems: string[] = [];
  if (name === '' || name.length > 100) problems.push('Give the price list a name of 1 to 100 characters.');
  else if (hasControlCharacter(name) || hiddenCharacter(name)) problems.push('The name contains a control, invisible or text-direction character; type it again as plain text.');
  if (!isCurrencyCode(currency)) problems.push(`The currency must be an ISO 4217 code of three letters (EUR, CHF, USD …), got "${input.currency.trim()}".`);
  if (problems.length === 0 && (await ctx.db.selectFrom('price_lists').select('id').where('name', '=', name).executeTakeFirst())) {
    problems.push(`A price list named "${name}" exists already; choose another name.`);
  }
  if (problems.length > 0) return { ok: false, problems };
  const id = `pl-${ctx.token(6)}`;
  await ctx.db.insertInto('price_lists').values({ id, name, currency, created_at: iso(ctx.now()) }).execute();
  await audit(ctx, who, 'price-list.create', `price list ${name}`, `id ${id}, currency ${currency}`);
  return { ok: true, id, message: `Price list "${name}" created.` };
}

export interface PriceLineProblem {
  /** 1-based line number in the pasted text. */
  readonly line: number;
  readonly text: string;
  readonly message: string;
}

export interface PriceLine {
  readonly line: number;
  readonly sku: string;
  readonly price: Decimal;
  /** The price as typed (leading zeros dropped), so 5.00 stays 5.00 in the list. */
  readonly text: string;
}

/** Unit prices may carry more decimals than the currency (0.0125 per sheet), but not endless ones. */
const PRICE_TEXT = /^\d{1,11}(\.\d{1,6})?$/;

/**
 * Reads pasted `SKU;price` lines (a tab works too, as pasted from a spreadsheet). Blank lines and
 * lines starting with # are skipped. Says what is wrong with each bad line; never guesses.
 */
export function parsePriceLines(text: string): { entries: PriceLine[]; problems: PriceLineProblem[] } {
  const entries: PriceLine[] = [];
  const problems: PriceLineProblem[] = [];
  const firstLine = new Map<string, number>();
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return;
    const problem = (message: string) => problems.push({ line, text: raw, message });
    const parts = t.split(/;|\t/).map((p) => p.trim());
    if (parts.length === 3 && parts[2] === '') parts.pop();
    if (parts.length !== 2) return problem('Write one product per line as SKU;price, e.g. KP-10001;4.65.');
    const [sku, priceText] = parts as [string, string];
    if (sku === '') return problem('The SKU is missing before the semicolon.');
    if (/^-/.test(priceText)) return problem(`The price "${priceText}" is negative; a price list holds prices of 0 or more.`);
    if (/^\d+,\d+$/.test(priceText)) return problem(`The price "${priceText}" has a decimal comma; write it with a point (${priceText.replace(',', '.')}).`);
    if (!PRICE_TEXT.test(priceText)) return problem(`The price "${priceText}" is not a decimal number (digits, a point, at most 6 decimals; no currency sign or thousands separator).`);
    const earlier = firstLine.get(sku);
    if (earlier !== undefined) return problem(`The SKU ${sku} is listed already on line ${earlier}.`);
    firstLine.set(sku, line);
    entries.push({ line, sku, price: dec(priceText), text: priceText.replace(/^0+(?=\d)/, '') });
  });
  return { entries, problems };
}

export type PriceItemsResult = { ok: true; count: number; message: string } | { ok: false; problems: PriceLineProblem[] };

/**
 * Replaces every item of the list with the pasted lines. Any problem (bad line, unknown SKU)
 * saves nothing, so a half-applied list never reaches a buyer.
 */
export async function savePriceListItems(ctx: AppContext, who: AdminUser, listId: string, text: string): Promise<PriceItemsResult> {
  const list = await ctx.db.selectFrom('price_lists').selectAll().where('id', '=', listId).executeTakeFirst();
  if (!list) return { ok: false, problems: [{ line: 0, text: '', message: 'This price list does not exist (any more).' }] };
  const { entries, problems } = parsePriceLines(text);
  const products = new Map<string, string>();
  // Chunked: SQLite and PostgreSQL both limit the number of bound parameters.
  const skus = entries.map((e) => e.sku);
  for (let i = 0; i < skus.length; i += 500) {
    const rows = await ctx.db.selectFrom('products').select(['id', 'sku']).where('sku', 'in', skus.slice(i, i + 500)).execute();
    for (const r of rows) products.set(r.sku, r.id);
  }
  for (const e of entries) {
    if (!products.has(e.sku)) problems.push({ line: e.line, text: e.sku, message: `There is no product with the SKU ${e.sku} in the catalog.` });
  }
  if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
  const before = await ctx.db.selectFrom('price_list_items').select('product_id').where('price_list_id', '=', listId).execute();
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('price_list_items').where('price_list_id', '=', listId).execute();
    for (const e of entries) {
      await trx.insertInto('price_list_items').values({ price_list_id: listId, product_id: products.get(e.sku)!, price: e.text }).execute();
    }
  });
  await audit(ctx, who, 'price-list.items', `price list ${list.name}`, `${entries.length} item(s) saved (before: ${before.length})`);
  return { ok: true, count: entries.length, message: `${entries.length} price(s) saved for "${list.name}".` };
}
