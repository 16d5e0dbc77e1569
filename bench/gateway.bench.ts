/**
 * How long does the gateway take for a PunchOutSetupRequest and an OrderRequest, end to end
 * through Fastify and the store? Baseline in the same process: GET /healthz (routing plus one
 * trivial query). Requests go through Fastify's inject (no sockets), so the figures are the
 * server's own cost. Prints figures and ratios; asserts nothing.
 *
 *   node --import tsx bench/gateway.bench.ts [requests]
 */
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/app/context.js';
import { seedDemo } from '../src/app/demo-seed.js';
import { openStore } from '../src/store/database.js';
import { buildServer } from '../src/web/server.js';
import { writeOrderRequest, writePunchOutSetupRequest } from '../src/protocol/cxml/writer.js';
import type { Header } from '../src/protocol/cxml/model.js';
import { dec } from '../src/protocol/money.js';

const header: Header = {
  from: { credentials: [{ domain: 'NetworkID', identity: 'DEMO-BUYER' }] },
  to: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO' }] },
  sender: { credentials: [{ domain: 'NetworkID', identity: 'DEMO-BUYER', sharedSecret: 'demo-secret' }], userAgent: 'bench' },
};

async function timeIt(label: string, n: number, one: (i: number) => Promise<void>): Promise<number> {
  for (let i = 0; i < Math.min(20, n); i++) await one(-i - 1); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await one(i);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${label.padEnd(34)} ${(ms / n).toFixed(3)} ms/request  (${n} requests, ${(n / (ms / 1000)).toFixed(0)} req/s)`);
  return ms / n;
}

export async function run(requests = 300): Promise<void> {
  const store = await openStore({ dataDir: '', memory: true });
  const ctx = createContext({ db: store.db, dialect: store.dialect, config: loadConfig({ PORT: '0' }), log: pino({ level: 'silent' }) });
  await seedDemo(ctx);
  const app = await buildServer(ctx);
  const sku = (await store.db.selectFrom('products').select('sku').limit(1).executeTakeFirstOrThrow()).sku;

  const base = await timeIt('baseline GET /healthz', requests, async () => {
    await app.inject({ method: 'GET', url: '/healthz' });
  });
  const setup = await timeIt('PunchOutSetupRequest (create)', requests, async (i) => {
    const body = writePunchOutSetupRequest({ payloadID: `bench-setup-${i}@bench`, timestamp: new Date() }, header, { operation: 'create', buyerCookie: `c${i}`, browserFormPostUrl: 'https://buyer.example/return' });
    await app.inject({ method: 'POST', url: '/cxml', headers: { 'content-type': 'text/xml' }, payload: body });
  });
  const order = await timeIt('OrderRequest (20 lines)', requests, async (i) => {
    const items = Array.from({ length: 20 }, (_, n) => ({
      quantity: dec(n + 1),
      lineNumber: n + 1,
      isAdHoc: false,
      itemID: { supplierPartID: sku, supplierPartAuxiliaryID: `aux-${n}` },
      itemDetail: { unitPrice: { amount: dec('4.95'), currency: 'EUR' }, descriptions: [{ lang: 'en', text: 'Pen' }], unitOfMeasure: 'EA', classifications: [{ domain: 'UNSPSC', code: '44121704' }], extrinsics: [] },
      distributions: [],
      contacts: [],
      comments: [],
      extrinsics: [],
    }));
    const body = writeOrderRequest({ payloadID: `bench-order-${i}@bench`, timestamp: new Date() }, header, {
      header: { orderID: `PO-${i}`, orderDate: { raw: '2026-12-03', dateOnly: '2026-12-03' }, type: 'new', total: { amount: dec('1039.50'), currency: 'EUR' }, billTo: { name: 'Buyer', isoCountryCode: 'NL', postalAddress: { street: ['Kerkstraat 1'], city: 'Utrecht', countryCode: 'NL', country: 'Netherlands', deliverTo: [] } }, contacts: [], comments: [], extrinsics: [] },
      items,
    } as Parameters<typeof writeOrderRequest>[2]);
    await app.inject({ method: 'POST', url: '/cxml', headers: { 'content-type': 'text/xml' }, payload: body });
  });
  console.log(`ratios to baseline: setup ×${(setup / base).toFixed(1)}, order ×${(order / base).toFixed(1)}`);
  await app.close();
  await store.db.destroy();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run(Number(process.argv[2] ?? 300));
}
