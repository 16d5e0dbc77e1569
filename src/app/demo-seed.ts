/**
 * Demo data for a first start: the demo catalog and the two demo connections of the public
 * contract (README). Runs only when the store has no connections and no products.
 */
import { sql } from 'kysely';
import { generateDemoCatalog } from '../store/demo-catalog.js';
import { iso, type AppContext } from './context.js';
import { createConnection } from './connections.js';

export const DEMO = {
  oci: { id: 'demo-oci', username: 'demo', password: 'demo' },
  cxml: {
    id: 'demo-cxml',
    from: { domain: 'NetworkID', identity: 'DEMO-BUYER' },
    to: { domain: 'NetworkID', identity: 'KOPPEL-DEMO' },
    sender: { domain: 'NetworkID', identity: 'DEMO-BUYER' },
    secret: 'demo-secret',
  },
} as const;

/** The demo accepts any http(s) return URL so that outside punchout testers work against it. */
const ANY_HTTP = ['http://', 'https://'];

export async function seedDemo(ctx: AppContext): Promise<{ seeded: boolean; products: number }> {
  const counts = await ctx.db
    .selectNoFrom([
      sql<string | number>`(select count(*) from connections)`.as('connections'),
      sql<string | number>`(select count(*) from products)`.as('products'),
    ])
    .executeTakeFirstOrThrow();
  if (Number(counts.connections) > 0 || Number(counts.products) > 0) return { seeded: false, products: Number(counts.products) };

  const now = iso(ctx.now());
  const catalog = generateDemoCatalog();
  await ctx.db.transaction().execute(async (trx) => {
    for (const p of catalog) {
      await trx
        .insertInto('products')
        .values({
          id: p.sku.toLowerCase(),
          sku: p.sku,
          name: p.name,
          description: p.description,
          category: p.category,
          manufacturer: p.manufacturer,
          manufacturer_part_id: p.manufacturerPartId,
          unspsc: p.unspsc,
          unit: p.unit,
          price: p.price,
          currency: p.currency,
          lead_time_days: p.leadTimeDays,
          stock: p.stock,
          created_at: now,
        })
        .execute();
    }
  });
  await createConnection(ctx, {
    id: DEMO.oci.id,
    name: 'Demo buyer (SAP OCI)',
    protocol: 'oci',
    ociUsername: DEMO.oci.username,
    secret: DEMO.oci.password,
    returnUrlPrefixes: ANY_HTTP,
    options: { oci: { allowSapEvent: true } },
  });
  await createConnection(ctx, {
    id: DEMO.cxml.id,
    name: 'Demo buyer (cXML)',
    protocol: 'cxml',
    buyerIdentities: [DEMO.cxml.from],
    supplierIdentities: [DEMO.cxml.to],
    senderIdentities: [DEMO.cxml.sender],
    secret: DEMO.cxml.secret,
    returnUrlPrefixes: ANY_HTTP,
  });
  return { seeded: true, products: catalog.length };
}
