/**
 * Shop webhooks: managing hooks (validation, sealed secrets, rotation, audit), queueing order
 * events (payload, only subscribed hooks, inside the caller's transaction, once per event and
 * hook even when queued concurrently) and delivering them through the real outbox worker to a
 * local HTTP receiver that verifies the signature exactly as docs/webhooks.md tells shops to.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../../src/app/context.js';
import {
  WEBHOOK_SIGNATURE_HEADER,
  WebhookInputError,
  createWebhook,
  deleteWebhook,
  emitOrderEvent,
  getWebhook,
  listWebhooks,
  rotateWebhookSecret,
  updateWebhook,
  webhookDeliveries,
} from '../../src/app/webhooks.js';
import { claimDue, deliverClaimed, getOutboxEntry } from '../../src/jobs/outbox.js';
import { OutboxWorker } from '../../src/jobs/outbox-worker.js';
import { openTestStore, type TestStore } from '../helpers/store.js';
import { FakeBuyer, addBuyer, fastOutbox, testConfig, testContext, type Received } from '../jobs/fixtures/fake-buyer.js';

const ACTOR = { username: 'tests' };
const CARD = '4111111111111111';
let store: TestStore;
let ctx: AppContext;
let shop: FakeBuyer;

/** The verification a shop runs, as documented in docs/webhooks.md ("Verifying a delivery"). */
function verifyKoppelSignature(secret: string, rawBody: string, header: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

let orderCounter = 0;
/** An order with two lines and a header holding a (masked) card and a comment, as intake stores it. */
async function addOrder(over: { version?: number | null; status?: string } = {}): Promise<string> {
  orderCounter += 1;
  const id = `ord-${orderCounter}-${randomBytes(3).toString('hex')}`;
  const now = new Date().toISOString();
  await ctx.db
    .insertInto('orders')
    .values({
      id,
      connection_id: 'wh-buyer',
      order_id: `PO-${orderCounter}`,
      payload_id: `${id}@buyer.example`,
      order_type: 'new',
      order_version: over.version ?? null,
      order_date: '2026-12-01T09:00:00.000Z',
      deployment_mode: 'test',
      total: '123.45',
      currency: 'EUR',
      status: over.status ?? 'received',
      header: JSON.stringify({
        shipTo: { name: 'Stadt Beispiel', street: ['Hauptstr. 1'], city: 'Köln', postalCode: '50667', country: 'DE' },
        billTo: { name: 'Stadt Beispiel Buchhaltung' },
        payment: { card: { number: CARD, name: 'J. Doe', expiration: '2028-01-01' } },
        extrinsics: [{ name: 'CostCenter', value: 'secret-cc-7' }],
        comments: 'Please deliver to gate 2',
      }),
      received_at: now,
      linked_order_id: null,
      reviewed_at: null,
      reviewed_by: null,
      updated_at: now,
    })
    .execute();
  for (const n of [1, 2]) {
    await ctx.db
      .insertInto('order_lines')
      .values({
        id: `${id}-l${n}`,
        order_id: id,
        line_number: n,
        supplier_part_id: `KP-1000${n}`,
        aux_id: n === 1 ? `aux-${n}` : null,
        description: `Product ${n}`,
        quantity: n === 1 ? '2' : '0.5',
        unit: 'EA',
        unit_price: n === 1 ? '10.10' : '0.0125',
        currency: 'EUR',
        is_ad_hoc: n === 2 ? 1 : 0,
        details: '{}',
        product_id: null,
        cart_line_id: null,
      })
      .execute();
  }
  return id;
}

before(async () => {
  store = await openTestStore();
  ctx = testContext(store, testConfig(randomBytes(32).toString('base64')));
  await addBuyer(ctx, 'wh-buyer', 'outbound-secret');
  shop = await new FakeBuyer(() => ({ status: 204 })).start();
});
after(async () => {
  await shop.close();
  await store.cleanup();
});
beforeEach(async () => {
  shop.script = () => ({ status: 204 });
  await ctx.db.deleteFrom('outbox').execute();
  await ctx.db.deleteFrom('webhooks').execute();
});

const rows = () => ctx.db.selectFrom('outbox').selectAll().where('kind', '=', 'webhook').orderBy('created_at').execute();

describe('managing webhooks', () => {
  test('create: the generated secret is returned once and stored sealed; the change is audited', async () => {
    const { webhook, secret } = await createWebhook(ctx, ACTOR, { url: 'https://shop.example/koppel', events: ['order.updated', 'order.received'], description: 'ERP' });
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(webhook.events, ['order.received', 'order.updated'], 'in the documented order');
    assert.equal(webhook.enabled, true);
    const row = await ctx.db.selectFrom('webhooks').selectAll().where('id', '=', webhook.id).executeTakeFirstOrThrow();
    assert.match(row.secret_sealed, /^v1:/);
    assert.ok(!JSON.stringify(row).includes(secret), 'no secret at rest');
    const audits = await ctx.db.selectFrom('admin_audit').selectAll().where('subject', '=', `webhook ${webhook.id}`).execute();
    assert.equal(audits.length, 1);
    assert.equal(audits[0]!.action, 'webhook.create');
    assert.ok(!JSON.stringify(audits).includes(secret), 'no secret in the audit trail');
  });

  test('create refuses bad input with field-named problems and stores nothing', async () => {
    await assert.rejects(
      createWebhook(ctx, ACTOR, { url: 'ftp://shop.example/x', events: ['order.shipped'], secret: 'short' }),
      (err: Error) => {
        assert.ok(err instanceof WebhookInputError);
        assert.ok(err.problems.some((p) => p.startsWith('url: must start with http:// or https://')), err.message);
        assert.ok(err.problems.some((p) => p.startsWith('events: "order.shipped" is not an event')), err.message);
        assert.ok(err.problems.some((p) => p.startsWith('secret: must be at least 16')), err.message);
        return true;
      },
    );
    await assert.rejects(createWebhook(ctx, ACTOR, { url: 'https://user:pw@shop.example/', events: ['order.received'] }), /url: must not carry a user name or password/);
    await assert.rejects(createWebhook(ctx, ACTOR, { url: 'https://shop.example/', events: [] }), /events: choose at least one/);
    assert.equal((await listWebhooks(ctx)).length, 0);
  });

  test('update, rotate and delete; a given secret is used as given', async () => {
    const { webhook } = await createWebhook(ctx, ACTOR, { url: 'https://shop.example/a', events: ['order.received'], secret: 'given-secret-0123456789' });
    const updated = await updateWebhook(ctx, ACTOR, webhook.id, { url: 'https://shop.example/b', events: ['order.cancelled'], enabled: false, description: 'x' });
    assert.deepEqual([updated.url, updated.events, updated.enabled, updated.description], ['https://shop.example/b', ['order.cancelled'], false, 'x']);
    const before = (await ctx.db.selectFrom('webhooks').select('secret_sealed').where('id', '=', webhook.id).executeTakeFirstOrThrow()).secret_sealed;
    const { secret } = await rotateWebhookSecret(ctx, ACTOR, webhook.id);
    const afterRow = (await ctx.db.selectFrom('webhooks').select('secret_sealed').where('id', '=', webhook.id).executeTakeFirstOrThrow()).secret_sealed;
    assert.notEqual(afterRow, before);
    assert.notEqual(secret, 'given-secret-0123456789');
    await deleteWebhook(ctx, ACTOR, webhook.id);
    assert.equal(await getWebhook(ctx, webhook.id), undefined);
    const actions = (await ctx.db.selectFrom('admin_audit').select('action').where('subject', '=', `webhook ${webhook.id}`).execute()).map((a) => a.action).sort();
    assert.deepEqual(actions, ['webhook.create', 'webhook.delete', 'webhook.rotate-secret', 'webhook.update']);
  });
});

describe('queueing order events', () => {
  test('one row per enabled, subscribed hook, with the documented payload and nothing more', async () => {
    const a = await createWebhook(ctx, ACTOR, { url: shop.url, events: ['order.received'] });
    await createWebhook(ctx, ACTOR, { url: 'https://other.example/', events: ['order.cancelled'] });
    await createWebhook(ctx, ACTOR, { url: 'https://off.example/', events: ['order.received'], enabled: false });
    const orderId = await addOrder();
    assert.equal(await emitOrderEvent(ctx, 'order.received', orderId), 1);
    const [row] = await rows();
    assert.ok(row);
    assert.equal(row.url, shop.url);
    assert.equal(row.doc_type, 'order.received');
    assert.equal(row.order_id, orderId);
    assert.equal(row.signature_header, WEBHOOK_SIGNATURE_HEADER);
    assert.equal(row.dedupe_key, `order.received:${orderId}:${(await ctx.db.selectFrom('orders').select('payload_id').where('id', '=', orderId).executeTakeFirstOrThrow()).payload_id}:${a.webhook.id}`);
    const payload = JSON.parse(row.body);
    assert.match(payload.id, /^evt_[0-9a-f]{24}$/);
    assert.equal(payload.event, 'order.received');
    assert.ok(!Number.isNaN(Date.parse(payload.createdAt)));
    assert.deepEqual(Object.keys(payload.order).sort(), ['billTo', 'comments', 'connectionId', 'currency', 'id', 'lines', 'orderDate', 'orderId', 'orderVersion', 'shipTo', 'status', 'total', 'type'].sort());
    assert.equal(payload.order.total, '123.45', 'money as decimal text');
    assert.equal(payload.order.shipTo.city, 'Köln');
    assert.equal(payload.order.comments, 'Please deliver to gate 2');
    assert.deepEqual(payload.order.lines[1], { lineNumber: 2, supplierPartId: 'KP-10002', auxId: null, description: 'Product 2', quantity: '0.5', unit: 'EA', unitPrice: '0.0125', currency: 'EUR', isAdHoc: true });
    assert.ok(!row.body.includes(CARD) && !row.body.includes('J. Doe'), 'never the payment card');
    assert.ok(!row.body.includes('secret-cc-7'), 'no extrinsics');
    assert.ok(!row.body.includes('whsec_'), 'no secret');
    assert.equal(await emitOrderEvent(ctx, 'order.updated', orderId), 0, 'no hook is subscribed to order.updated');
  });

  test('emitted in a transaction that rolls back, nothing is queued', async () => {
    await createWebhook(ctx, ACTOR, { url: shop.url, events: ['order.received'] });
    const orderId = await addOrder();
    await assert.rejects(
      ctx.db.transaction().execute(async (trx) => {
        assert.equal(await emitOrderEvent({ ...ctx, db: trx }, 'order.received', orderId), 1);
        throw new Error('the order change failed');
      }),
      /the order change failed/,
    );
    assert.equal((await rows()).length, 0);
  });

  test('the same event for the same applied OrderRequest is queued once, also when emitted concurrently; a new version queues again', async () => {
    await createWebhook(ctx, ACTOR, { url: shop.url, events: ['order.updated'] });
    const orderId = await addOrder({ version: 1 });
    const first = (await ctx.db.selectFrom('orders').select('payload_id').where('id', '=', orderId).executeTakeFirstOrThrow()).payload_id;
    assert.equal(await emitOrderEvent(ctx, 'order.updated', orderId), 1);
    assert.equal(await emitOrderEvent(ctx, 'order.updated', orderId), 0, 'second time: nothing new');
    assert.equal((await rows()).length, 1);

    // An applied update changes the order's payloadID (also when the buyer sends no orderVersion).
    await ctx.db.updateTable('orders').set({ order_version: 2, payload_id: `${first}-v2` }).where('id', '=', orderId).execute();
    // Two transactions at once (two pool connections on PostgreSQL): one row, no error in either.
    const results = await Promise.all(
      [1, 2, 3].map(() => ctx.db.transaction().execute((trx) => emitOrderEvent({ ...ctx, db: trx }, 'order.updated', orderId))),
    );
    assert.equal(results.reduce((a, b) => a + b, 0), 1, `exactly one emit queued (${results.join(', ')})`);
    const all = await rows();
    assert.equal(all.length, 2);
    assert.deepEqual(all.map((r) => r.dedupe_key!.split(':')[2]).sort(), [first, `${first}-v2`].sort());
  });

  test('an unknown order is an error, not a silent empty event', async () => {
    await createWebhook(ctx, ACTOR, { url: shop.url, events: ['order.received'] });
    await assert.rejects(emitOrderEvent(ctx, 'order.received', 'no-such-order'), /no order no-such-order/);
  });
});

describe('delivery', () => {
  test('the worker posts the signed event to a real receiver, which verifies it as documented', async () => {
    const { webhook, secret } = await createWebhook(ctx, ACTOR, { url: shop.url, events: ['order.received', 'order.cancelled'] });
    const verified: boolean[] = [];
    shop.script = (req: Received) => {
      const ok = verifyKoppelSignature(secret, req.body, String(req.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] ?? ''), Math.floor(Date.now() / 1000));
      verified.push(ok);
      return { status: ok ? 200 : 400, body: ok ? 'thanks' : 'bad signature' };
    };
    const orderId = await addOrder();
    await emitOrderEvent(ctx, 'order.received', orderId);
    const n = shop.received.length;
    const worker = new OutboxWorker(ctx, { settings: fastOutbox() }).start();
    try {
      await shop.waitForRequests(n + 1);
      const deadline = Date.now() + 5000;
      while ((await rows())[0]!.status !== 'delivered' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await worker.stop();
    }
    const got = shop.received.at(-1)!;
    assert.deepEqual(verified, [true], 'the signature verifies with the hook secret');
    assert.equal(got.headers['koppel-webhook-id'], webhook.id);
    assert.equal(got.headers['koppel-event'], 'order.received');
    assert.equal(got.headers['content-type'], 'application/json');
    const row = (await rows())[0]!;
    assert.equal(row.status, 'delivered');
    assert.equal(got.headers['x-koppel-delivery'], row.id);
    assert.equal(JSON.parse(got.body).order.id, orderId);
    // A tampered body or another secret does not verify: the check can fail.
    const sig = String(got.headers['koppel-signature']);
    assert.equal(verifyKoppelSignature(secret, got.body.replace('123.45', '1.00'), sig, Math.floor(Date.now() / 1000)), false);
    assert.equal(verifyKoppelSignature('whsec_other', got.body, sig, Math.floor(Date.now() / 1000)), false);
    assert.equal(verifyKoppelSignature(secret, got.body, sig, Math.floor(Date.now() / 1000) + 3600), false, 'an old delivery is refused');
    const deliveries = await webhookDeliveries(ctx, webhook.id);
    assert.deepEqual(deliveries.map((d) => d.id), [row.id]);
  });

  test('after a rotation, queued events are signed with the new secret', async () => {
    const { webhook } = await createWebhook(ctx, ACTOR, { url: shop.url, events: ['order.received'] });
    await emitOrderEvent(ctx, 'order.received', await addOrder());
    const { secret } = await rotateWebhookSecret(ctx, ACTOR, webhook.id);
    const [claimed] = await claimDue(ctx, { owner: 'w', limit: 1, leaseMs: 5000 });
    const result = await deliverClaimed(ctx, claimed!, { owner: 'w', settings: fastOutbox() });
    assert.equal(result.status, 'delivered');
    const got = shop.received.at(-1)!;
    assert.ok(verifyKoppelSignature(secret, got.body, String(got.headers['koppel-signature']), Math.floor(Date.now() / 1000)));
  });

  test('a hook disabled or deleted after queueing: its rows are failed with the reason, not sent', async () => {
    const off = await createWebhook(ctx, ACTOR, { url: shop.url, events: ['order.cancelled'] });
    const gone = await createWebhook(ctx, ACTOR, { url: shop.url, events: ['order.cancelled'] });
    const orderId = await addOrder({ status: 'cancelled' });
    assert.equal(await emitOrderEvent(ctx, 'order.cancelled', orderId), 2);
    await updateWebhook(ctx, ACTOR, off.webhook.id, { url: shop.url, events: ['order.cancelled'], enabled: false });
    await deleteWebhook(ctx, ACTOR, gone.webhook.id);
    const n = shop.received.length;
    for (const row of await claimDue(ctx, { owner: 'w', limit: 5, leaseMs: 5000 })) {
      const r = await deliverClaimed(ctx, row, { owner: 'w', settings: fastOutbox() });
      assert.equal(r.status, 'failed');
    }
    assert.equal(shop.received.length, n, 'nothing was sent');
    const byHook = Object.fromEntries((await rows()).map((r) => [r.dedupe_key!.split(':').at(-1), r]));
    assert.equal(byHook[off.webhook.id]!.status, 'failed');
    assert.match(byHook[off.webhook.id]!.last_error ?? '', new RegExp(`webhook ${off.webhook.id} is disabled`));
    assert.match(byHook[gone.webhook.id]!.last_error ?? '', new RegExp(`webhook ${gone.webhook.id} was deleted`));
    assert.equal((await getOutboxEntry(ctx, byHook[gone.webhook.id]!.id))!.status, 'failed');
  });
});
