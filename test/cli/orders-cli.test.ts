/** `koppel orders` as an operator runs it, against an order that arrived over real HTTP: exit codes 0/1/2, --json, --help. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { Decimal } from 'decimal.js';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/store/database.js';
import { createContext } from '../../src/app/context.js';
import { seedDemo } from '../../src/app/demo-seed.js';
import { buildServer } from '../../src/web/server.js';
import { writeOrderRequest } from '../../src/protocol/cxml/writer.js';
import { readCxml } from '../../src/protocol/cxml/reader.js';
import { demoHeader, postCxml, testPayloadId } from '../helpers/cxml.js';
import { assertDtdValid } from '../helpers/dtd.js';

const BIN = fileURLToPath(new URL('../../bin/koppel.mjs', import.meta.url));
const DATA_DIR = mkdtempSync(join(tmpdir(), 'koppel-orders-cli-'));

// The CLI opens the same store as `koppel serve`; these tests use a SQLite file in a temporary
// folder, never a shared DATABASE_URL.
const env: NodeJS.ProcessEnv = { ...process.env, KOPPEL_DATA_DIR: DATA_DIR, LOG_LEVEL: 'warn' };
delete env.DATABASE_URL;
delete env.KOPPEL_SECRET_KEY;

function koppel(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, 'orders', ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function json<T = any>(r: { code: number; out: string; err: string }): T {
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as T;
}

const ORDER_ID = `PO-CLI-${process.pid}`;

/** Opens the CLI's store in this process (between CLI runs; SQLite allows both). */
async function withStore<T>(run: (db: Awaited<ReturnType<typeof openStore>>['db']) => Promise<T>): Promise<T> {
  const store = await openStore({ dataDir: DATA_DIR });
  try {
    return await run(store.db);
  } finally {
    await store.db.destroy();
  }
}

before(async () => {
  const store = await openStore({ dataDir: DATA_DIR });
  const config = loadConfig({ ...env, PORT: '0' });
  const ctx = createContext({ db: store.db, dialect: store.dialect, config, log: pino({ level: 'silent' }) });
  await seedDemo(ctx);
  const row = await store.db.selectFrom('connections').select('options').where('id', '=', 'demo-cxml').executeTakeFirstOrThrow();
  const options = JSON.parse(row.options);
  options.cxml = { ...(options.cxml ?? {}), documentUrl: 'https://buyer.example/cxml', taxRatePercent: '19' };
  await store.db.updateTable('connections').set({ options: JSON.stringify(options) }).where('id', '=', 'demo-cxml').execute();
  const app = await buildServer(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  try {
    const xml = writeOrderRequest({ payloadID: testPayloadId(), timestamp: new Date() }, demoHeader(), {
      header: { orderID: ORDER_ID, orderDate: new Date(), type: 'new', total: { amount: new Decimal('56.00'), currency: 'EUR' }, billTo: { name: 'Buyer Inc.', isoCountryCode: 'DE' } },
      items: [
        { quantity: new Decimal(4), lineNumber: 1, itemID: { supplierPartID: 'PEN-1' }, itemDetail: { unitPrice: { amount: new Decimal('9.00'), currency: 'EUR' }, descriptions: [{ lang: 'en', text: 'Pen' }], unitOfMeasure: 'EA', classifications: [{ domain: 'UNSPSC', code: '44121700' }] } },
        { quantity: new Decimal(2), lineNumber: 2, itemID: { supplierPartID: 'PAD-2' }, itemDetail: { unitPrice: { amount: new Decimal('10.00'), currency: 'EUR' }, descriptions: [{ lang: 'en', text: 'Pad' }], unitOfMeasure: 'EA', classifications: [{ domain: 'UNSPSC', code: '44121700' }] } },
      ],
    });
    const answer = await postCxml(baseUrl, xml);
    assert.equal(answer.status.code, 200, answer.text);
  } finally {
    await app.close();
    await store.db.destroy();
  }
});

after(() => {});

test('--help for the group and each command', () => {
  const group = koppel(['--help']);
  assert.equal(group.code, 0);
  for (const c of ['list', 'show ORDER', 'confirm ORDER', 'reject ORDER', 'ship ORDER', 'invoice ORDER', 'credit ORDER', 'close ORDER', 'review ORDER']) assert.ok(group.out.includes(c), c);
  for (const c of ['list', 'show', 'confirm', 'reject', 'ship', 'invoice', 'credit', 'close', 'review']) {
    const r = koppel([c, '--help']);
    assert.equal(r.code, 0, c);
    assert.match(r.out, new RegExp(`^Usage: koppel orders ${c}`), c);
  }
});

test('usage errors exit 2 and say what is wrong', () => {
  const none = koppel([]);
  assert.equal(none.code, 2);
  assert.match(none.out, /Usage:/);
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['show'], /which order\?/],
    [['show', 'a', 'b'], /unexpected argument "b"/],
    [['list', '--status', 'lost'], /--status must be one of/],
    [['list', '--limit', 'ten'], /--limit must be a whole number/],
    [['ship', ORDER_ID, '--carrier', 'DHL'], /missing --tracking/],
    [['ship', ORDER_ID, '--tracking', '1'], /missing --carrier/],
    [['ship', ORDER_ID, '--carrier', 'DHL', '--tracking', '1', '--line', 'one=2'], /--line must be LINE=VALUE/],
    [['reject', ORDER_ID], /missing --reason/],
    [['credit', ORDER_ID, '--invoice', 'INV-1'], /missing --amount, --reason/],
    [['invoice', ORDER_ID, '--bogus'], /unknown option --bogus/],
    [['confirm', ORDER_ID, '--reject-line', '1=1'], /--reject-line needs --reason/],
  ];
  for (const [args, re] of cases) {
    const r = koppel(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re, args.join(' '));
  }
});

test('an unknown order exits 1', () => {
  const r = koppel(['show', 'PO-NOPE']);
  assert.equal(r.code, 1);
  assert.match(r.err, /no order "PO-NOPE"/);
  const other = koppel(['show', ORDER_ID, '--connection', 'demo-oci']);
  assert.equal(other.code, 1);
  assert.match(other.err, /no order .* on connection demo-oci/);
});

test('confirm, ship in parts, invoice, credit, close and review by the buyer\'s orderID', async () => {
  const listed = json(koppel(['list', '--json', '--connection', 'demo-cxml']));
  const order = listed.orders.find((o: { orderId: string }) => o.orderId === ORDER_ID);
  assert.ok(order, 'the order is listed');
  assert.equal(order.status, 'received');
  assert.match(koppel(['list']).out, new RegExp(`${ORDER_ID}\\s+demo-cxml\\s+received`));

  const confirmed = json(koppel(['confirm', ORDER_ID, '--backorder', '1=1@2099-01-15', '--json']));
  assert.equal(confirmed.ok, true);
  assert.match(confirmed.number, /^C-\d{6}$/);

  const shipped = koppel(['ship', ORDER_ID, '--carrier', 'DHL', '--tracking', '123', '--line', '1=2']);
  assert.equal(shipped.code, 0, shipped.err);
  assert.match(shipped.out, /ship notice SN-\d{6} created for order/);

  const over = koppel(['ship', order.id, '--carrier', 'DHL', '--tracking', '124', '--line', '1=3']);
  assert.equal(over.code, 1);
  assert.match(over.err, /refused for order .*:\n {2}- line 1: 5 shipped in total, only 4 ordered/);
  const overJson = koppel(['ship', order.id, '--carrier', 'DHL', '--tracking', '124', '--line', '1=3', '--json']);
  assert.equal(overJson.code, 1);
  assert.equal(JSON.parse(overJson.out).ok, false);

  assert.equal(koppel(['ship', ORDER_ID, '--carrier', 'UPS', '--tracking', '125']).code, 0);
  const invoice = json(koppel(['invoice', ORDER_ID, '--shipping', '4.95', '--json']));
  assert.match(invoice.number, /^INV-\d{6}$/);
  const credit = json(koppel(['credit', ORDER_ID, '--invoice', invoice.number, '--amount', '10', '--reason', 'One pad damaged', '--json']));
  assert.match(credit.number, /^INV-\d{6}$/);
  const tooMuch = koppel(['credit', ORDER_ID, '--invoice', invoice.number, '--amount', '47', '--reason', 'again']);
  assert.equal(tooMuch.code, 1);
  assert.match(tooMuch.err, /not yet credited/);

  const shown = json(koppel(['show', ORDER_ID, '--json']));
  assert.equal(shown.status, 'invoiced');
  assert.deepEqual(shown.lines.map((l: { shippedQuantity: string; invoicedQuantity: string }) => [l.shippedQuantity, l.invoicedQuantity]), [['4', '4'], ['2', '2']]);
  assert.deepEqual(shown.documents.map((d: { kind: string }) => d.kind), ['confirmation', 'ship_notice', 'ship_notice', 'invoice', 'credit_memo']);
  assert.ok(shown.events.every((e: { kind: string; actor: string }) => e.kind === 'received' || e.actor === 'cli'));
  const text = koppel(['show', ORDER_ID]);
  assert.equal(text.code, 0);
  assert.match(text.out, /Documents:[\s\S]*SN-\d{6}\s+ship_notice/);
  // Every figure of a line is labelled.
  assert.match(text.out, /\n {7}ordered 4 \S+ × [\d.]+ EUR · confirmed 4 · rejected 0 · shipped 4 · invoiced 4 \([\d.]+ EUR\)\n/);

  // The documents the CLI queued are valid cXML for the buyer.
  await withStore(async (db) => {
    const rows = await db.selectFrom('outbox').select(['body', 'url', 'doc_type']).where('order_id', '=', order.id).execute();
    assert.equal(rows.length, 5);
    for (const r of rows) {
      assert.equal(r.url, 'https://buyer.example/cxml');
      const version = readCxml(r.body).envelope.doctype!.version!;
      assertDtdValid(r.body, r.doc_type === 'InvoiceDetailRequest' ? 'InvoiceDetail' : 'Fulfill', version);
    }
  });

  const closed = koppel(['close', ORDER_ID]);
  assert.equal(closed.code, 0, closed.err);
  assert.match(closed.out, /is closed/);
  const again = koppel(['close', ORDER_ID, '--reason', 'x']);
  assert.equal(again.code, 1);
  assert.match(again.err, /already closed/);
  const refusedAfterClose = koppel(['invoice', ORDER_ID]);
  assert.equal(refusedAfterClose.code, 1);
  assert.match(refusedAfterClose.err, /is closed: no more documents/);

  const reviewed = json(koppel(['review', ORDER_ID, '--note', 'prices checked', '--json']));
  assert.equal(reviewed.ok, true);
  const after = json(koppel(['show', order.id, '--json']));
  assert.equal(after.reviewedBy, 'cli');
});
