/**
 * A worker process killed mid-send (SIGKILL while the buyer holds the request open) loses
 * nothing: its lease runs out, a new worker sends the same document again — same payloadID, same
 * bytes — and the row is delivered once. Runs on a SQLite file, or on PostgreSQL with DATABASE_URL.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { AppContext } from '../../src/app/context.js';
import { enqueue, getOutboxEntry } from '../../src/jobs/outbox.js';
import { OutboxWorker } from '../../src/jobs/outbox-worker.js';
import { FakeBuyer, addBuyer, newPayloadId, ok, outboundXml, sharedDatabase, testConfig, testContext, waitFor, type SharedDatabase } from './fixtures/fake-buyer.js';

const KEY = randomBytes(32).toString('base64');
const SECRET = 'kill-test-secret';
const CHILD = fileURLToPath(new URL('./fixtures/outbox-child.ts', import.meta.url));

let db: SharedDatabase;
let ctx: AppContext;
let buyer: FakeBuyer;
let child: ChildProcess | undefined;
let worker: OutboxWorker | undefined;

before(async () => {
  db = await sharedDatabase();
  // The same settings as the child's: a 2 s request timeout and a 2.5 s lease.
  ctx = testContext(await db.open(), testConfig(KEY, { pollMs: 20, requestTimeoutMs: 2000, leaseMs: 2500 }));
  await addBuyer(ctx, 'kill', SECRET);
  buyer = await new FakeBuyer().start();
});
after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await worker?.stop();
  await buyer.close();
  await db.cleanup();
});

test('worker killed mid-send: delivered after the lease with the same payloadID', { timeout: 60_000 }, async () => {
  const payloadId = newPayloadId();
  const { id } = await enqueue(ctx, { kind: 'cxml', connectionId: 'kill', url: buyer.url, body: outboundXml(payloadId) });
  // The first request is held open: the sender is "mid-send" when it dies.
  buyer.script = (req) => (req.nthOfPayload === 1 ? { hang: true } : ok());

  child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: {
      ...process.env,
      ...db.env,
      KOPPEL_SECRET_KEY: KEY,
      KOPPEL_OUTBOX_POLL: '0.02',
      KOPPEL_OUTBOX_TIMEOUT: '2',
      KOPPEL_OUTBOX_LEASE: '2.5',
      OUTBOX_OWNER: 'child-worker',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await buyer.waitForRequests(1, 30_000);
  const sending = (await getOutboxEntry(ctx, id))!;
  assert.equal(sending.status, 'sending', 'recorded before the request went out');
  assert.equal(sending.lease_owner, 'child-worker');
  assert.equal(sending.attempts, 1);

  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.equal(child.signalCode, 'SIGKILL');

  worker = new OutboxWorker(ctx, { owner: 'restarted-worker' }).start();
  const done = await waitFor('the row delivered by the new worker', async () => {
    const r = await getOutboxEntry(ctx, id);
    return r?.status === 'delivered' ? r : undefined;
  }, 20_000);

  const got = buyer.of(payloadId);
  assert.equal(got.length, 2, 'sent twice: once to the dead worker, once after — the buyer dedupes by payloadID');
  assert.equal(got[1]!.body, got[0]!.body, 'the very same bytes');
  assert.ok(got[0]!.body.includes(`<SharedSecret>${SECRET}</SharedSecret>`));
  assert.ok(got[1]!.at >= Date.parse(sending.lease_until!), 'not before the lease ran out');
  assert.equal(buyer.acceptedCount(payloadId), 1);

  assert.equal(done.attempts, 2);
  assert.equal(done.last_error, null);
  const rows = await ctx.db.selectFrom('outbox').select('status').where('payload_id', '=', payloadId).execute();
  assert.deepEqual(rows, [{ status: 'delivered' }], 'one row, delivered once');
  const logged = await ctx.db.selectFrom('documents').select(['status', 'detail']).where('payload_id', '=', payloadId).where('direction', '=', 'out').execute();
  assert.equal(logged.length, 1);
  assert.match(logged[0]!.detail, /outbox attempt 2: delivered/);
});
