/**
 * Fault tests of the outbox worker against a fake buyer over real HTTP: the buyer answers 500,
 * then recovers; the buyer does not answer within the timeout, then recovers; two workers on one
 * database (separate pools; PostgreSQL when DATABASE_URL is set, else a SQLite file) send 50
 * documents; a bad row does not stop the worker; stopping waits for the send in flight.
 * In every case each document is taken by the buyer exactly once.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../src/app/context.js';
import { enqueue, getOutboxEntry, type OutboxRow } from '../../src/jobs/outbox.js';
import { OutboxWorker } from '../../src/jobs/outbox-worker.js';
import { FakeBuyer, addBuyer, cxmlStatus, newPayloadId, ok, outboundXml, sharedDatabase, testConfig, testContext, waitFor, type SharedDatabase } from './fixtures/fake-buyer.js';

const KEY = randomBytes(32).toString('base64');
const SECRET = 'faults-secret';

async function settled(ctx: AppContext, id: string, timeoutMs = 10_000): Promise<OutboxRow> {
  return waitFor(`outbox row ${id} delivered or failed`, async () => {
    const r = await getOutboxEntry(ctx, id);
    return r && (r.status === 'delivered' || r.status === 'failed') ? r : undefined;
  }, timeoutMs);
}

describe('one worker against a flaky buyer', () => {
  let store: SharedDatabase;
  let ctx: AppContext;
  let buyer: FakeBuyer;
  let worker: OutboxWorker | undefined;

  before(async () => {
    // A database of its own (not the in-memory one): its clean-up waits for the pool to close.
    // The request budget is well above an instant answer (on a loaded CI machine 0.3 s can pass
    // before one arrives, adding an attempt), and the lease far above the budget, so no row is
    // claimed again while its attempt is still running: every attempt count below is exact.
    store = await sharedDatabase();
    ctx = testContext(await store.open(), testConfig(KEY, { requestTimeoutMs: 1500, leaseMs: 10_000, baseDelayMs: 20, maxDelayMs: 80, pollMs: 15 }));
    await addBuyer(ctx, 'flaky', SECRET);
    buyer = await new FakeBuyer().start();
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });
  after(async () => {
    await buyer.close();
    await store.cleanup();
  });

  async function queue(payloadId = newPayloadId()): Promise<{ id: string; payloadId: string }> {
    const { id } = await enqueue(ctx, { kind: 'cxml', connectionId: 'flaky', url: buyer.url, body: outboundXml(payloadId) });
    return { id, payloadId };
  }

  test('500, 500, then 200: delivered exactly once, the same bytes every time', async () => {
    buyer.script = (req) => (req.nthOfPayload <= 2 ? { status: 500, body: 'database down' } : ok());
    const { id, payloadId } = await queue();
    worker = new OutboxWorker(ctx).start();
    const r = await settled(ctx, id);
    assert.equal(r.status, 'delivered');
    assert.equal(r.attempts, 3);
    const got = buyer.of(payloadId);
    assert.deepEqual(got.map((g) => g.answered), [500, 500, 200]);
    assert.equal(buyer.acceptedCount(payloadId), 1);
    assert.ok(got.every((g) => g.body === got[0]!.body), 'a retry is the same document');
    assert.ok(got[0]!.body.includes(`<SharedSecret>${SECRET}</SharedSecret>`));
    const logged = await ctx.db.selectFrom('documents').select(['direction', 'status']).where('payload_id', '=', payloadId).where('direction', '=', 'out').orderBy('seq').execute();
    assert.deepEqual(logged.map((d) => d.status), ['500', '500', '200'], 'every attempt in the document log');
  });

  test('no answer within the timeout, then an answer: delivered exactly once', async () => {
    buyer.script = (req) => (req.nthOfPayload === 1 ? { hang: true } : ok());
    const { id, payloadId } = await queue();
    const started = Date.now();
    worker = new OutboxWorker(ctx).start();
    const r = await settled(ctx, id);
    assert.equal(r.status, 'delivered');
    assert.equal(r.attempts, 2);
    assert.ok(Date.now() - started >= 1500, 'the first attempt waited for its timeout');
    assert.equal(buyer.of(payloadId).length, 2);
    assert.equal(buyer.acceptedCount(payloadId), 1);
    const first = await ctx.db.selectFrom('documents').select('detail').where('payload_id', '=', payloadId).where('direction', '=', 'out').orderBy('seq').executeTakeFirstOrThrow();
    assert.match(first.detail, /no answer within 1\.5 s; next attempt at/);
  });

  test('a mixed outage over many documents: 503, timeouts, cXML 500, HTML — each delivered once', async () => {
    const failures = [() => ({ status: 503 }), () => ({ hang: true as const }), () => ({ status: 200, body: cxmlStatus(500, 'try later') }), () => ({ status: 200, body: '<html>Maintenance</html>' })];
    buyer.script = (req) => {
      const i = Number(req.payloadId!.split('.')[2]) % failures.length;
      return req.nthOfPayload === 1 ? failures[i]!() : ok();
    };
    const docs = await Promise.all(Array.from({ length: 12 }, () => queue()));
    worker = new OutboxWorker(ctx).start();
    for (const d of docs) {
      const r = await settled(ctx, d.id);
      assert.equal(r.status, 'delivered', d.payloadId);
      assert.equal(r.attempts, 2);
      assert.equal(buyer.acceptedCount(d.payloadId), 1);
    }
  });

  test('a buyer refusal (cXML 4xx) is final and shown with its reason; retries used up are failed too', async () => {
    const refused = await queue();
    const down = await queue();
    buyer.script = (req) => (req.payloadId === refused.payloadId ? { status: 200, body: cxmlStatus(401, 'Unknown SharedSecret for AN-BUYER') } : { status: 502 });
    worker = new OutboxWorker(ctx, { settings: { maxAttempts: 3 } }).start();
    const a = await settled(ctx, refused.id);
    assert.equal(a.status, 'failed');
    assert.equal(a.attempts, 1);
    assert.match(a.last_error ?? '', /refused by the buyer: cXML 401 Unauthorized — Unknown SharedSecret for AN-BUYER/);
    const b = await settled(ctx, down.id);
    assert.equal(b.status, 'failed');
    assert.equal(b.attempts, 3);
    assert.match(b.last_error ?? '', /gave up after 3 attempts; the last one: HTTP 502/);
    assert.equal(buyer.of(refused.payloadId).length, 1);
    assert.equal(buyer.of(down.payloadId).length, 3);
  });

  test('a bad row does not stop the worker', async () => {
    buyer.script = ok;
    const now = new Date().toISOString();
    await ctx.db
      .insertInto('outbox')
      .values({ id: 'bad-row', kind: 'webhook', connection_id: null, order_id: null, doc_type: 'x', url: buyer.url, payload_id: null, content_type: 'application/json', body: '{}', headers: '{not json', signature_header: null, status: 'pending', attempts: 0, next_attempt_at: now, created_at: now, updated_at: now })
      .execute();
    const good = await queue();
    worker = new OutboxWorker(ctx).start();
    assert.equal((await settled(ctx, 'bad-row')).status, 'failed');
    assert.equal((await settled(ctx, good.id)).status, 'delivered');
  });

  test('stop() lets the send in flight finish and claims nothing more', async () => {
    buyer.script = async () => {
      await new Promise((r) => setTimeout(r, 150));
      return ok();
    };
    const first = await queue();
    worker = new OutboxWorker(ctx, { settings: { concurrency: 1 } }).start();
    await buyer.waitForRequests(buyer.received.length + 1);
    const second = await queue();
    await worker.stop();
    assert.equal((await getOutboxEntry(ctx, first.id))!.status, 'delivered', 'finished, not abandoned');
    assert.equal((await getOutboxEntry(ctx, second.id))!.status, 'pending', 'left for the next worker');
    worker = new OutboxWorker(ctx).start();
    assert.equal((await settled(ctx, second.id)).status, 'delivered');
  });
});

describe('two workers on one database', () => {
  let db: SharedDatabase;
  let buyer: FakeBuyer;
  const workers: OutboxWorker[] = [];

  before(async () => {
    db = await sharedDatabase();
    buyer = await new FakeBuyer(async () => {
      await new Promise((r) => setTimeout(r, 10));
      return ok();
    }).start();
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await buyer.close();
    await db.cleanup();
  });

  test('50 documents, two workers with their own pools: each document sent exactly once', { timeout: 60_000 }, async () => {
    const config = testConfig(KEY, { pollMs: 10, concurrency: 4, requestTimeoutMs: 5000, leaseMs: 10_000 });
    const ctxA = testContext(await db.open(), config);
    const ctxB = testContext(await db.open(), config);
    await addBuyer(ctxA, 'shared', SECRET);
    // Each worker counts the documents it prepares (the secret is looked up once per send).
    const sends = { a: 0, b: 0 };
    const secretFor = (w: 'a' | 'b') => ({ outboundSecret: () => (sends[w]++, SECRET) });
    workers.push(new OutboxWorker(ctxA, { owner: 'worker-a', secrets: secretFor('a') }).start(), new OutboxWorker(ctxB, { owner: 'worker-b', secrets: secretFor('b') }).start());

    const payloadIds = Array.from({ length: 50 }, () => newPayloadId());
    // One transaction, as an order change would do: the workers see all 50 at once.
    const ids = await ctxA.db.transaction().execute(async (trx) => {
      const out: string[] = [];
      for (const p of payloadIds) out.push((await enqueue({ ...ctxA, db: trx }, { kind: 'cxml', connectionId: 'shared', url: buyer.url, body: outboundXml(p) })).id);
      return out;
    });
    for (const id of ids) assert.equal((await settled(ctxB, id, 30_000)).status, 'delivered');

    for (const p of payloadIds) assert.equal(buyer.of(p).length, 1, `${p} sent once`);
    assert.equal(buyer.received.length, 50);
    assert.equal(sends.a + sends.b, 50);
    assert.ok(sends.a > 0 && sends.b > 0, `both workers sent (a: ${sends.a}, b: ${sends.b})`);
    const rows = await ctxA.db.selectFrom('outbox').select(['status', 'attempts', 'last_error']).execute();
    const odd = rows.filter((r) => r.status !== 'delivered' || Number(r.attempts) !== 1);
    assert.deepEqual(odd, [], 'every row delivered at the first attempt');
  });
});
