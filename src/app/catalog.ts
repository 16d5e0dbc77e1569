/** Catalog queries for the storefront. */
import { sql, type Selectable } from 'kysely';
import type { ProductTable } from '../store/schema.js';
import type { CartProduct } from '../domain/cart.js';
import type { AppContext } from './context.js';

export type Product = Selectable<ProductTable>;

export function cartProduct(p: Product): CartProduct {
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    description: p.description,
    manufacturer: p.manufacturer,
    manufacturerPartId: p.manufacturer_part_id,
    unspsc: p.unspsc,
    unit: p.unit,
    leadTimeDays: Number(p.lead_time_days),
    category: p.category,
  };
}

export interface ProductSearch {
  query?: string;
  category?: string;
  page?: number;
  pageSize?: number;
}

export async function searchProducts(ctx: AppContext, search: ProductSearch): Promise<{ products: Product[]; total: number; page: number; pageCount: number }> {
  const pageSize = search.pageSize ?? 24;
  let q = ctx.db.selectFrom('products');
  const words = (search.query ?? '').trim().toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);
  for (const word of words) {
    // LIKE with escaped wildcards, matching name, SKU, manufacturer and part number.
    const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([
        eb(sql`lower(name)`, 'like', sql`${pattern} escape '\\'`),
        eb(sql`lower(sku)`, 'like', sql`${pattern} escape '\\'`),
        eb(sql`lower(manufacturer)`, 'like', sql`${pattern} escape '\\'`),
        eb(sql`lower(manufacturer_part_id)`, 'like', sql`${pattern} escape '\\'`),
        eb(sql`lower(description)`, 'like', sql`${pattern} escape '\\'`),
      ]),
    );
  }
  if (search.category) q = q.where('category', '=', search.category);
  const countRow = await q.select(sql<string | number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  const total = Number(countRow.n);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, search.page ?? 1), pageCount);
  const products = await q
    .selectAll()
    .orderBy('category')
    .orderBy('name')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return { products, total, page, pageCount };
}

export async function getProduct(ctx: AppContext, id: string): Promise<Product | undefined> {
  return ctx.db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getProductsBySku(ctx: AppContext, skus: readonly string[]): Promise<Map<string, Product>> {
  if (skus.length === 0) return new Map();
  const rows = await ctx.db.selectFrom('products').selectAll().where('sku', 'in', [...new Set(skus)]).execute();
  return new Map(rows.map((r) => [r.sku, r]));
}

export async function listCategories(ctx: AppContext): Promise<string[]> {
  const rows = await ctx.db.selectFrom('products').select('category').distinct().orderBy('category').execute();
  return rows.map((r) => r.category);
}
