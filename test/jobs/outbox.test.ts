/**
 * The outbox, one step at a time: enqueue (redacted, idempotent, inside the caller's
 * transaction), claiming with a lease, classification of answers, backoff with jitter, and single
 * delivery attempts against a fake buyer over real HTTP (secret put back on the wire only,
 * document log, cXML 4xx, redirects, retries used up, webhooks with a signature).
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import type { AppContext } from '../../src/app/context.js';
import { deliveryOf } from '../../src/app/document-replay.js';
import {
  OutboxInputError,
  backoffDelayMs,
  claimDue,
  classifyCxmlAnswer,
  classifyWebhookAnswer,
  deliverClaimed,
  enqueue,
  getOutboxEntry,
  outboxOfOrder,
  requeueFailed,
  retryAfterMs,
  webhookSignature,
  type DeliveryOptions,
  type OutboxRow,
} from '../../src/jobs/outbox.js';
import { setConnectionEnabled } from '../../src/app/connection-admin.js';
import { orderEvents } from '../../src/app/order-events.js';
import { openTestStore, type TestStore } from '../helpers/store.js';
import { FakeBuyer, addBuyer, cxmlStatus, fastOutbox, newPayloadId, ok, outboundXml, testConfig, testContext } from './fixtures/fake-buyer.js';

const SECRET = 'out-secret-<&>-4711';
let store: TestStore;
let ctx: AppContext;
let buyer: FakeBuyer;
/** Added to the real clock: lets a test jump past a lease or a backoff without waiting. */
let skewMs = 0;

before(async () => {
  store = await openTestStore();
  ctx = testContext(store, testConfig(randomBytes(32).toString('base64')), () => new Date(Date.now() + skewMs));
  await addBuyer(ctx, 'acme', SECRET);
  buyer = await new FakeBuyer().start();
});
after(async () => {
  await buyer.close();
  await store.cleanup();
});
beforeEach(async () => {
  skewMs = 0;
  buyer.script = ok;
  // Each test starts from an empty queue: claims would otherwise see earlier tests' rows.
  await ctx.db.deleteFrom('outbox').execute();
});

const settings = fastOutbox();
function options(over: Partial<DeliveryOptions> = {}): DeliveryOptions {
  return { owner: 'test-worker', settings, random: () => 0.5, ...over };
}

async function enqueueDoc(over: { payloadId?: string; orderId?: string; url?: string } = {}) {
  const payloadId = over.payloadId ?? newPayloadId();
  const r = await enqueue(ctx, { kind: 'cxml', connectionId: 'acme', orderId: over.orderId ?? 'order-1', url: over.url ?? buyer.url, body: outboundXml(payloadId, 'placeholder') });
  return { ...r, payloadId };
}

async function claimOne(owner = 'test-worker', leaseMs = settings.leaseMs): Promise<OutboxRow> {
  const rows = await claimDue(ctx, { owner, limit: 1, leaseMs });
  assert.equal(rows.length, 1, 'one row claimed');
  return rows[0]!;
}

async function row(id: string): Promise<OutboxRow> {
  return (await getOutboxEntry(ctx, id))!;
}

describe('enqueue', () => {
  test('stores the document with its SharedSecret redacted, keyed by its payloadID', async () => {
    const payloadId = newPayloadId();
    const r = await enqueue(ctx, { kind: 'cxml', connectionId: 'acme', orderId: 'o-7', url: buyer.url, body: outboundXml(payloadId, SECRET) });
    assert.equal(r.created, true);
    assert.equal(r.payloadId, payloadId);
    const stored = await row(r.id);
    assert.equal(stored.status, 'pending');
    assert.equal(stored.payload_id, payloadId);
    assert.equal(stored.doc_type, 'ConfirmationRequest', 'the payload name by default');
    assert.equal(stored.content_type, 'text/xml; charset=utf-8');
    assert.equal(stored.attempts, 0);
    assert.ok(!stored.body.includes('out-secret'), 'no secret at rest');
    assert.match(stored.body, /<SharedSecret>\[redacted\]<\/SharedSecret>/);
    assert.deepEqual((await outboxOfOrder(ctx, 'o-7')).map((x) => x.id), [r.id]);
  });

  test('is idempotent on the payloadID and refuses another document under the same one', async () => {
    const first = await enqueueDoc();
    const again = await enqueue(ctx, { kind: 'cxml', connectionId: 'acme', url: buyer.url, body: outboundXml(first.payloadId, 'another placeholder') });
    assert.deepEqual(again, { id: first.id, created: false, payloadId: first.payloadId }, 'the secret text does not matter: it is redacted');
    await assert.rejects(
      enqueue(ctx, { kind: 'cxml', connectionId: 'acme', url: buyer.url, body: outboundXml(first.payloadId, 'x', 'PO-OTHER') }),
      (err: Error) => err instanceof OutboxInputError && /already queued with a different document/.test(err.message),
    );
    const n = await ctx.db.selectFrom('outbox').select('id').where('payload_id', '=', first.payloadId).execute();
    assert.equal(n.length, 1);
  });

  test('refuses what could never be delivered', async () => {
    await assert.rejects(enqueue(ctx, { kind: 'cxml', connectionId: 'acme', url: buyer.url, body: '<not-cxml/>' }), /not a cXML document/);
    await assert.rejects(enqueue(ctx, { kind: 'cxml', connectionId: 'acme', url: 'ftp://buyer.example/x', body: outboundXml(newPayloadId()) }), /only http and https/);
    await assert.rejects(enqueue(ctx, { kind: 'cxml', connectionId: 'acme', url: 'buyer.example', body: outboundXml(newPayloadId()) }), /not a URL/);
    await assert.rejects(enqueue(ctx, { kind: 'webhook', docType: 'order.confirmed', url: buyer.url, body: '{}', headers: { 'bad header': 'x' } }), OutboxInputError);
    const spaced = await enqueue(ctx, { kind: 'webhook', docType: 'order.confirmed', url: 'https://shop.example/hooks/a b', body: '{}' });
    assert.equal((await row(spaced.id)).url, 'https://shop.example/hooks/a%20b', 'stored as fetch sends it, so the log can name it whole');
  });

  test("commits and rolls back with the caller's transaction", async () => {
    const payloadId = newPayloadId();
    await assert.rejects(
      ctx.db.transaction().execute(async (trx) => {
        await enqueue({ ...ctx, db: trx }, { kind: 'cxml', connectionId: 'acme', url: buyer.url, body: outboundXml(payloadId) });
        throw new Error('the order change failed');
      }),
      /the order change failed/,
    );
    assert.equal((await ctx.db.selectFrom('outbox').select('id').where('payload_id', '=', payloadId).execute()).length, 0, 'nothing queued without the change');
    const id = await ctx.db.transaction().execute(async (trx) => (await enqueue({ ...ctx, db: trx }, { kind: 'cxml', connectionId: 'acme', url: buyer.url, body: outboundXml(payloadId) })).id);
    assert.equal((await row(id)).payload_id, payloadId);
  });
});

describe('claiming', () => {
  test('a claimed row is leased to one worker; after the lease it is claimed again, same body', async () => {
    const { id } = await enqueueDoc();
    const first = await claimOne('worker-a', 1000);
    assert.equal(first.id, id);
    assert.equal(first.status, 'sending');
    assert.equal(first.attempts, 1, 'the attempt is counted before anything is sent');
    assert.equal(first.lease_owner, 'worker-a');
    assert.deepEqual(await claimDue(ctx, { owner: 'worker-b', limit: 10, leaseMs: 1000 }), [], 'leased: nobody else gets it');

    skewMs = 1001;
    const second = await claimOne('worker-b');
    assert.equal(second.id, id);
    assert.equal(second.attempts, 2);
    assert.equal(second.lease_owner, 'worker-b');
    assert.equal(second.body, first.body);
    assert.match(second.last_error ?? '', /previous attempt was interrupted/);

    // The first worker comes back late: its outcome must not overwrite the new attempt.
    const late = await deliverClaimed(ctx, first, options({ owner: 'worker-a' }));
    assert.equal(late.recorded, false);
    const now = await row(id);
    assert.equal(now.status, 'sending');
    assert.equal(now.lease_owner, 'worker-b');
  });

  test('only due rows are claimed, oldest first, at most the limit', async () => {
    const later = await enqueue(ctx, { kind: 'cxml', connectionId: 'acme', url: buyer.url, body: outboundXml(newPayloadId()), notBefore: new Date(Date.now() + 60_000) });
    // Distinct due times: rows due in the same millisecond are taken in id order, which is random.
    const a = await enqueue(ctx, { kind: 'cxml', connectionId: 'acme', url: buyer.url, body: outboundXml(newPayloadId()), notBefore: new Date(Date.now() - 2000) });
    const b = await enqueue(ctx, { kind: 'cxml', connectionId: 'acme', url: buyer.url, body: outboundXml(newPayloadId()), notBefore: new Date(Date.now() - 1000) });
    const claimed = await claimDue(ctx, { owner: 'w', limit: 1, leaseMs: 100_000 });
    assert.deepEqual(claimed.map((r) => r.id), [a.id]);
    assert.deepEqual((await claimDue(ctx, { owner: 'w', limit: 5, leaseMs: 100_000 })).map((r) => r.id), [b.id]);
    assert.equal((await row(later.id)).status, 'pending');
    skewMs = 61_000;
    assert.deepEqual((await claimDue(ctx, { owner: 'w', limit: 5, leaseMs: 100_000 })).map((r) => r.id), [later.id]);
  });
});

describe('classification', () => {
  test('cXML answers: 2xx delivered, 4xx failed with the reason, the rest retried', () => {
    assert.equal(classifyCxmlAnswer(200, cxmlStatus(200)).verdict, 'delivered');
    assert.equal(classifyCxmlAnswer(200, cxmlStatus(201)).verdict, 'delivered');
    const refused = classifyCxmlAnswer(200, cxmlStatus(400, 'Unknown order PO-9', 'Bad Request'));
    assert.equal(refused.verdict, 'failed');
    assert.equal(refused.cxmlStatus, 400);
    assert.match(refused.reason, /cXML 400 Bad Request — Unknown order PO-9/);
    assert.equal(classifyCxmlAnswer(401, cxmlStatus(401)).verdict, 'failed', 'HTTP 4xx with a cXML 4xx');
    assert.equal(classifyCxmlAnswer(500, cxmlStatus(400)).verdict, 'retry', 'HTTP 5xx is transport trouble, whatever the body says');
    assert.equal(classifyCxmlAnswer(200, cxmlStatus(500)).verdict, 'retry', 'cXML 5xx is transient');
    assert.equal(classifyCxmlAnswer(200, cxmlStatus(560)).verdict, 'retry');
    assert.equal(classifyCxmlAnswer(200, '<html>maintenance</html>').verdict, 'retry', 'not cXML');
    assert.equal(classifyCxmlAnswer(404, 'Not Found').verdict, 'retry', 'a non-cXML answer is a transport error (cXML guide)');
    assert.equal(classifyCxmlAnswer(400, cxmlStatus(200)).verdict, 'retry', 'contradictory');
    const moved = classifyCxmlAnswer(301, '', 'https://elsewhere.example/');
    assert.equal(moved.verdict, 'retry');
    assert.match(moved.reason, /redirect to https:\/\/elsewhere\.example\/ not followed/);
  });

  test('webhook answers: 2xx delivered, 408/429/5xx retried, other 4xx failed', () => {
    assert.equal(classifyWebhookAnswer(204, '').verdict, 'delivered');
    assert.equal(classifyWebhookAnswer(404, 'no such hook').verdict, 'failed');
    assert.match(classifyWebhookAnswer(422, 'bad event').reason, /HTTP 422: bad event/);
    for (const s of [408, 429, 500, 502, 503, 302]) assert.equal(classifyWebhookAnswer(s, '').verdict, 'retry', String(s));
  });

  test('Retry-After in seconds or as a date', () => {
    const now = new Date('2026-12-03T10:00:00Z');
    assert.equal(retryAfterMs('120', now), 120_000);
    assert.equal(retryAfterMs('Thu, 03 Dec 2026 10:01:00 GMT', now), 60_000);
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(retryAfterMs(null, now), undefined);
  });
});

describe('backoff', () => {
  const s = { baseDelayMs: 1000, maxDelayMs: 30_000 };
  test('full jitter between 0 and base × 2^(attempt−1), capped', () => {
    assert.equal(backoffDelayMs(1, s, () => 0), 0);
    assert.equal(backoffDelayMs(1, s, () => 0.5), 500);
    assert.equal(backoffDelayMs(3, s, () => 0.5), 2000);
    assert.equal(backoffDelayMs(3, s, () => 0.999999), 3999);
    assert.equal(backoffDelayMs(10, s, () => 0.999999), 29_999, 'capped at the maximum');
    assert.equal(backoffDelayMs(2000, s, () => 0.5), 15_000, 'no overflow for absurd attempt numbers');
    assert.equal(backoffDelayMs(2, s, () => 7), 2000, 'a bad random source cannot exceed the ceiling');
  });

  test('random delays stay within their bounds and spread out', () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const ceiling = Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** (attempt - 1));
      const seen = new Set<number>();
      for (let i = 0; i < 200; i++) {
        const d = backoffDelayMs(attempt, s, Math.random);
        assert.ok(d >= 0 && d < ceiling, `attempt ${attempt}: ${d} within [0, ${ceiling})`);
        seen.add(d);
      }
      assert.ok(seen.size > 50, 'jittered, not constant');
    }
  });
});

describe('delivery attempts', () => {
  test('delivered: the secret goes on the wire only; both sides are in the document log', async () => {
    const { id, payloadId } = await enqueueDoc({ orderId: 'o-logged' });
    const result = await deliverClaimed(ctx, await claimOne(), options());
    assert.equal(result.status, 'delivered');
    assert.equal(result.recorded, true);

    const got = buyer.of(payloadId);
    assert.equal(got.length, 1);
    assert.ok(got[0]!.body.includes(`<SharedSecret>out-secret-&lt;&amp;&gt;-4711</SharedSecret>`), 'the sealed outbound secret, escaped, in place of the placeholder');
    assert.match(String(got[0]!.headers['content-type']), /^text\/xml/);

    const r = await row(id);
    assert.equal(r.status, 'delivered');
    assert.ok(r.delivered_at);
    assert.equal(r.last_http_status, 200);
    assert.equal(r.last_cxml_status, 200);
    assert.equal(r.last_error, null);
    assert.equal(r.lease_owner, null);

    const docs = await ctx.db.selectFrom('documents').selectAll().where('order_id', '=', 'o-logged').orderBy('seq').execute();
    assert.deepEqual(docs.map((d) => [d.direction, d.doc_type, d.status]), [['out', 'ConfirmationRequest', '200'], ['in', 'Response', '200']]);
    assert.ok(docs[0]!.detail.startsWith(`posted to ${buyer.url}; outbox attempt 1: delivered`), docs[0]!.detail);
    assert.deepEqual(deliveryOf(docs[0]!), { kind: 'http', url: buyer.url }, "the admin's resend finds the address");
    assert.equal(docs[0]!.payload_id, payloadId);
    assert.equal(docs[1]!.detail, `answer to ${payloadId}`);
    for (const d of docs) assert.ok(!d.body.includes('out-secret'), 'no secret in the log');
  });

  test('a cXML 4xx fails for good with the buyer’s reason', async () => {
    buyer.script = () => ({ status: 200, body: cxmlStatus(417, 'Order PO-1 is unknown', 'Expectation Failed'), headers: { 'content-type': 'text/xml' } });
    const { id } = await enqueueDoc();
    const result = await deliverClaimed(ctx, await claimOne(), options());
    assert.equal(result.status, 'failed');
    const r = await row(id);
    assert.equal(r.status, 'failed');
    assert.equal(r.last_cxml_status, 417);
    assert.equal(r.last_error, 'refused by the buyer: cXML 417 Expectation Failed — Order PO-1 is unknown');
    skewMs = 3_600_000;
    assert.deepEqual(await claimDue(ctx, { owner: 'w', limit: 5, leaseMs: 1000 }), [], 'never tried again');
  });

  test('HTTP 500 is retried later with backoff, then given up after the last attempt', async () => {
    buyer.script = () => ({ status: 500, body: 'oops' });
    const { id } = await enqueueDoc();
    const max = 3;
    for (let attempt = 1; attempt <= max; attempt++) {
      const before = Date.now() + skewMs;
      const result = await deliverClaimed(ctx, await claimOne(), options({ settings: { ...settings, maxAttempts: max, baseDelayMs: 1000, maxDelayMs: 10_000 }, random: () => 0.5 }));
      const r = await row(id);
      assert.equal(r.attempts, attempt);
      assert.equal(r.last_http_status, 500);
      if (attempt < max) {
        assert.equal(result.status, 'pending');
        const wait = Date.parse(r.next_attempt_at) - before;
        const expected = 0.5 * 1000 * 2 ** (attempt - 1);
        assert.ok(wait >= expected - 5 && wait <= expected + 1000, `attempt ${attempt}: waits ${wait} ms, about ${expected}`);
        assert.deepEqual(await claimDue(ctx, { owner: 'w', limit: 5, leaseMs: 1000 }), [], 'not before its time');
        skewMs += 10_000;
      } else {
        assert.equal(result.status, 'failed');
        assert.equal(r.status, 'failed');
        assert.match(r.last_error ?? '', /^gave up after 3 attempts; the last one: HTTP 500/);
      }
    }
    assert.equal((await requeueFailed(ctx, id)) && (await row(id)).status, 'pending', 'an admin can requeue it');
    assert.equal(await requeueFailed(ctx, id), false, 'only a failed row');
  });

  test('a redirect is not followed', async () => {
    let followed = false;
    buyer.script = (req) => {
      if (req.nthOfPayload > 1) followed = true;
      return { status: 302, headers: { location: `${buyer.url}?moved` } };
    };
    const { id, payloadId } = await enqueueDoc();
    const result = await deliverClaimed(ctx, await claimOne(), options());
    assert.equal(result.status, 'pending');
    assert.equal(followed, false);
    assert.equal(buyer.of(payloadId).length, 1);
    assert.match((await row(id)).last_error ?? '', /HTTP 302 redirect to .* not followed/);
  });

  test('a connection without an outbound secret: nothing is sent, and the row says why', async () => {
    await addBuyer(ctx, 'no-secret', 'tmp-secret');
    await ctx.db.updateTable('connections').set({ outbound_secret_sealed: null }).where('id', '=', 'no-secret').execute();
    const payloadId = newPayloadId();
    const { id } = await enqueue(ctx, { kind: 'cxml', connectionId: 'no-secret', url: buyer.url, body: outboundXml(payloadId) });
    const result = await deliverClaimed(ctx, await claimOne(), options());
    assert.equal(result.status, 'failed');
    assert.equal(buyer.of(payloadId).length, 0);
    assert.match((await row(id)).last_error ?? '', /no-secret has no outbound secret/);
  });

  test('the last attempt interrupted: failed, not sent a time too many', async () => {
    const { id, payloadId } = await enqueueDoc();
    for (let i = 0; i < settings.maxAttempts; i++) {
      await claimOne('dying-worker', 1000);
      skewMs += 1001; // each worker dies; its lease runs out
    }
    const result = await deliverClaimed(ctx, await claimOne(), options());
    assert.equal(result.status, 'failed');
    assert.equal(buyer.of(payloadId).length, 0);
    assert.match((await row(id)).last_error ?? '', /interrupted .* may or may not have received it/);
  });

  test('webhooks: own headers, a delivery id, an HMAC signature computed at send time', async () => {
    const hookSecret = 'whsec-test';
    const body = JSON.stringify({ event: 'order.confirmed', order: 'o-9' });
    const { id } = await enqueue(ctx, { kind: 'webhook', docType: 'order.confirmed', orderId: 'o-9', url: buyer.url, body, headers: { 'x-shop': 'demo' }, signatureHeader: 'X-Koppel-Signature' });
    const stored = await row(id);
    assert.equal(stored.payload_id, null);
    assert.equal(stored.content_type, 'application/json');
    assert.ok(!JSON.stringify(stored).includes(hookSecret));

    const result = await deliverClaimed(ctx, await claimOne(), options({ secrets: { webhookSecret: (_c, r) => (r.id === id ? hookSecret : undefined) } }));
    assert.equal(result.status, 'delivered');
    const got = buyer.received.at(-1)!;
    assert.equal(got.body, body);
    assert.equal(got.headers['x-shop'], 'demo');
    assert.equal(got.headers['x-koppel-delivery'], id);
    const sig = String(got.headers['x-koppel-signature']);
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig);
    assert.ok(m, sig);
    assert.equal(m[2], createHmac('sha256', hookSecret).update(`${m[1]}.${body}`).digest('hex'), 'a receiver can verify it');
    assert.equal(sig, webhookSignature(hookSecret, body, Number(m[1])));
  });

  test('webhooks: 4xx fails, 429 waits at least its Retry-After, a missing signing secret fails', async () => {
    buyer.script = () => ({ status: 410, body: 'gone' });
    const gone = await enqueue(ctx, { kind: 'webhook', docType: 'order.shipped', url: buyer.url, body: '{}' });
    await deliverClaimed(ctx, await claimOne(), options());
    assert.equal((await row(gone.id)).status, 'failed');
    assert.equal((await row(gone.id)).last_error, 'refused by the receiver: HTTP 410: gone');

    buyer.script = () => ({ status: 429, headers: { 'retry-after': '60' } });
    const busy = await enqueue(ctx, { kind: 'webhook', docType: 'order.shipped', url: buyer.url, body: '{}' });
    const before = Date.now() + skewMs;
    await deliverClaimed(ctx, await claimOne(), options({ settings: { ...settings, maxDelayMs: 120_000 } }));
    const r = await row(busy.id);
    assert.equal(r.status, 'pending');
    assert.ok(Date.parse(r.next_attempt_at) - before >= 59_000, 'Retry-After honoured');

    const unsigned = await enqueue(ctx, { kind: 'webhook', docType: 'order.shipped', url: buyer.url, body: '{}', signatureHeader: 'x-sig' });
    skewMs = 0;
    const n = buyer.received.length;
    await deliverClaimed(ctx, await claimOne(), options());
    assert.equal(buyer.received.length, n, 'not sent unsigned');
    assert.match((await row(unsigned.id)).last_error ?? '', /no secret to sign the webhook with/);
  });
});

describe('connections and orders', () => {
  /** A stored order of connection acme (the outbox rows above name made-up order ids). */
  async function storedOrder(): Promise<string> {
    const id = `ord-${randomBytes(4).toString('hex')}`;
    const now = new Date().toISOString();
    await ctx.db
      .insertInto('orders')
      .values({ id, connection_id: 'acme', order_id: `PO-${id}`, payload_id: `${id}@buyer.example`, order_type: 'new', order_version: null, order_date: now, deployment_mode: 'test', total: '1.00', currency: 'EUR', status: 'confirmed', header: '{}', received_at: now, linked_order_id: null, reviewed_at: null, reviewed_by: null, updated_at: now })
      .execute();
    return id;
  }

  test('a disabled connection holds its documents: pending, later, a clear reason, no attempt counted, nothing sent', async () => {
    const { id, payloadId } = await enqueueDoc();
    await setConnectionEnabled(ctx, { username: 'tests' }, 'acme', false);
    try {
      const before = Date.now() + skewMs;
      const result = await deliverClaimed(ctx, await claimOne(), options());
      assert.equal(result.status, 'pending');
      assert.equal(result.held, true);
      assert.equal(buyer.of(payloadId).length, 0, 'not sent');
      const held = await row(id);
      assert.equal(held.status, 'pending');
      assert.equal(held.attempts, 0, 'holding is no attempt');
      assert.equal(held.lease_owner, null);
      assert.match(held.last_error ?? '', /^held: connection acme is disabled; the document is sent once the connection is enabled again/);
      assert.ok(Date.parse(held.next_attempt_at) >= before + settings.baseDelayMs - 5, 'looked at again later, not at once');
      assert.equal((await claimDue(ctx, { owner: 'test-worker', limit: 5, leaseMs: settings.leaseMs })).length, 0, 'not due now');
      // Held as often as it comes up: attempts never run out while the connection is off.
      for (let i = 0; i < settings.maxAttempts + 2; i++) {
        skewMs += settings.maxDelayMs * 10;
        await deliverClaimed(ctx, await claimOne(), options());
      }
      assert.equal((await row(id)).status, 'pending');
      assert.equal((await row(id)).attempts, 0);
    } finally {
      await setConnectionEnabled(ctx, { username: 'tests' }, 'acme', true);
    }
    skewMs += settings.maxDelayMs * 10;
    const result = await deliverClaimed(ctx, await claimOne(), options());
    assert.equal(result.status, 'delivered', 'sent once the connection is enabled again');
    assert.equal((await row(id)).attempts, 1);
    assert.equal(buyer.acceptedCount(payloadId), 1);
  });

  test("a delivered document of a stored order is in the order's history, with its document", async () => {
    const orderId = await storedOrder();
    const { id } = await enqueueDoc({ orderId });
    const docId = `doc-${randomBytes(4).toString('hex')}`;
    await ctx.db
      .insertInto('order_documents')
      .values({ id: docId, order_id: orderId, connection_id: 'acme', kind: 'confirmation', number: `C-${docId}`, payload_id: (await row(id)).payload_id!, outbox_id: id, input: '{}', totals: null, created_by: 'tests', created_at: new Date().toISOString() })
      .execute();
    await deliverClaimed(ctx, await claimOne(), options());
    const events = await orderEvents(ctx, orderId);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.kind, 'document_delivered');
    assert.equal(events[0]!.actor, 'system');
    assert.equal(events[0]!.documentId, docId);
    assert.match(events[0]!.detail, new RegExp(`ConfirmationRequest C-${docId} delivered to ${buyer.url.replace(/[.]/g, '\\.')}`));
  });

  test("a document the buyer refused is document_failed with the buyer's reason; retries and rows of no stored order record nothing", async () => {
    const orderId = await storedOrder();
    buyer.script = () => ({ status: 500, body: 'busy' });
    await enqueueDoc({ orderId });
    await deliverClaimed(ctx, await claimOne(), options());
    assert.equal((await orderEvents(ctx, orderId)).length, 0, 'a retry is no outcome');
    buyer.script = () => ({ status: 200, body: cxmlStatus(400, 'Unknown order PO-x'), headers: { 'content-type': 'text/xml' } });
    skewMs += settings.maxDelayMs * 10;
    await deliverClaimed(ctx, await claimOne(), options());
    const events = await orderEvents(ctx, orderId);
    assert.deepEqual(events.map((e) => e.kind), ['document_failed']);
    assert.match(events[0]!.detail, /not delivered: refused by the buyer: cXML 400 .*Unknown order PO-x/);

    const before = (await ctx.db.selectFrom('order_events').select('id').execute()).length;
    await enqueueDoc({ orderId: 'not-a-stored-order' });
    buyer.script = ok;
    skewMs += settings.maxDelayMs * 10;
    assert.equal((await deliverClaimed(ctx, await claimOne(), options())).status, 'delivered');
    assert.equal((await ctx.db.selectFrom('order_events').select('id').execute()).length, before);
  });
});
