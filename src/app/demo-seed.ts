/**
 * Demo data for a first start: the demo catalog and the two demo connections of the public
 * contract (README). Runs only when the store has no connections and no products.
 */
import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import { generateDemoCatalog } from '../store/demo-catalog.js';
import { setOutboundSecret } from './connection-admin.js';
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

/** The buyer sandbox's own cXML endpoint (src/sandbox/routes.ts SANDBOX_DOCUMENT_PATH). */
const SANDBOX_DOCUMENTS = '/sandbox/cxml';

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
  const documentUrl = sandboxDocumentUrl(ctx);
  await createConnection(ctx, {
    id: DEMO.cxml.id,
    name: 'Demo buyer (cXML)',
    protocol: 'cxml',
    buyerIdentities: [DEMO.cxml.from],
    supplierIdentities: [DEMO.cxml.to],
    senderIdentities: [DEMO.cxml.sender],
    secret: DEMO.cxml.secret,
    returnUrlPrefixes: ANY_HTTP,
    // Invoices: 30 days, tax in the summary, rounded per line (the combination every buyer accepts).
    options: { cxml: { paymentTermDays: 30, invoiceTaxInLine: false, taxRounding: 'line', ...(documentUrl ? { documentUrl } : {}) } },
  });
  if (documentUrl) await sealDemoSecret(ctx);
  return { seeded: true, products: catalog.length };
}

/**
 * With the sandbox on, the demo buyer *is* the sandbox: its confirmations, ship notices and
 * invoices go to the sandbox's own endpoint. Not when the base URL names port 0 (a port the
 * system picks at listen time, so the address is not known yet).
 */
function sandboxDocumentUrl(ctx: AppContext): string | undefined {
  if (!ctx.config.sandbox) return undefined;
  let base: URL;
  try {
    base = new URL(ctx.config.baseUrl);
  } catch {
    return undefined;
  }
  if (base.port === '0') return undefined;
  return `${ctx.config.baseUrl.replace(/\/+$/, '')}${SANDBOX_DOCUMENTS}`;
}

/**
 * The outbound secret the sandbox checks is the one it sends (`demo-secret`). It is sealed like
 * any outbound secret; without a key (PostgreSQL and no KOPPEL_SECRET_KEY, or a SQLite data
 * directory that does not exist — an in-memory store) it stays unset and the sandbox will refuse
 * the documents with 401, which the warning says.
 */
async function sealDemoSecret(ctx: AppContext): Promise<void> {
  const { config } = ctx;
  const keyAvailable = config.secretKey !== undefined || (!config.databaseUrl && existsSync(config.dataDir));
  const unsigned = 'documents to the buyer sandbox will not be signed: the demo-cxml connection has no outbound secret (set KOPPEL_SECRET_KEY and set it in the admin)';
  if (!keyAvailable) {
    ctx.log.warn(`no key to seal secrets with; ${unsigned}`);
    return;
  }
  try {
    await setOutboundSecret(ctx, { username: 'demo seed' }, DEMO.cxml.id, DEMO.cxml.secret);
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message }, unsigned);
  }
}
