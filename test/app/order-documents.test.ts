/**
 * Documents back to the buyer, created from orders that arrived over real HTTP: every kind valid
 * against the official DTD, numbers unique under concurrency, over-shipping and over-invoicing
 * refused with nothing stored, partial shipments, invoice arithmetic, credit memo limits, status
 * transitions and the outbox row.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { demoHeader, postCxml, testPayloadId } from '../helpers/cxml.js';
import { assertDtdValid } from '../helpers/dtd.js';
import { writeOrderRequest } from '../../src/protocol/cxml/writer.js';
import { readCxml } from '../../src/protocol/cxml/reader.js';
import { invoiceTotals } from '../../src/protocol/cxml/invoice.js';
import {
  closeOrder,
  createConfirmation,
  createCreditMemo,
  createInvoice,
  createShipNotice,
  documentVersion,
  markReviewed,
  orderStatusFromLines,
  type LineFigures,
} from '../../src/app/order-documents.js';
import type { Actor, CreateDocumentResult } from '../../src/app/order-model.js';
import type { StoredOptions } from '../../src/domain/connection.js';

const actor: Actor = { kind: 'admin', name: 'alice' };
const DOC_URL = 'https://buyer.example/cxml/inbound';
let t: TestApp;

/** Today in UTC, plus n days. */
function dayFrom(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

async function setOptions(change: (o: StoredOptions) => StoredOptions, id = 'demo-cxml'): Promise<void> {
  const row = await t.store.db.selectFrom('connections').select('options').where('id', '=', id).executeTakeFirstOrThrow();
  await t.store.db.updateTable('connections').set({ options: JSON.stringify(change(JSON.parse(row.options) as StoredOptions)) }).where('id', '=', id).execute();
}

function cxmlOptions(patch: Record<string, unknown>) {
  return (o: StoredOptions): StoredOptions => ({ ...o, cxml: { ...(o.cxml ?? {}), ...patch } });
}

interface LineSpec {
  quantity: string;
  price: string;
  unit?: string;
  part?: string;
}

const DEFAULT_LINES: LineSpec[] = [
  { quantity: '5', price: '10.00', part: 'PEN-1' },
  { quantity: '3', price: '2.499', unit: 'BX', part: 'BOX-2' },
  { quantity: '1', price: '100', part: 'CHAIR-3' },
];

let orderCounter = 0;

/** Posts an OrderRequest as the demo buyer and returns the stored order's row id. */
async function placeOrder(
  lines: LineSpec[] = DEFAULT_LINES,
  mode: 'production' | 'test' = 'production',
  change?: { orderID: string; version: number },
): Promise<{ id: string; orderID: string; payloadID: string }> {
  orderCounter += 1;
  const orderID = change?.orderID ?? `PO-${process.pid}-${orderCounter}`;
  const payloadID = testPayloadId();
  const total = lines.reduce((s, l) => s.plus(new Decimal(l.quantity).times(l.price)), new Decimal(0)).toDecimalPlaces(2);
  const xml = writeOrderRequest({ payloadID, timestamp: new Date() }, demoHeader(), {
    deploymentMode: mode,
    header: {
      orderID,
      orderDate: new Date(Date.now() - 3_600_000),
      type: change ? 'update' : 'new',
      ...(change ? { orderVersion: change.version } : {}),
      total: { amount: total, currency: 'EUR' },
      billTo: { addressID: 'B1', name: 'Buyer Inc.', isoCountryCode: 'DE' },
    },
    items: lines.map((l, i) => ({
      quantity: new Decimal(l.quantity),
      lineNumber: i + 1,
      itemID: { supplierPartID: l.part ?? `P-${i + 1}`, supplierPartAuxiliaryID: `aux-${i + 1}` },
      itemDetail: {
        unitPrice: { amount: new Decimal(l.price), currency: 'EUR' },
        descriptions: [{ lang: 'en', text: `Item ${i + 1}` }],
        unitOfMeasure: l.unit ?? 'EA',
        classifications: [{ domain: 'UNSPSC', code: '44121700' }],
      },
    })),
  });
  const answer = await postCxml(t.baseUrl, xml);
  assert.equal(answer.status.code, 200, answer.text);
  const row = await t.store.db.selectFrom('orders').select('id').where('order_id', '=', orderID).executeTakeFirstOrThrow();
  return { id: row.id, orderID, payloadID };
}

function ok(r: CreateDocumentResult): Extract<CreateDocumentResult, { ok: true }> {
  assert.ok(r.ok, `refused: ${r.ok ? '' : r.problems.join('; ')}`);
  return r;
}

function refused(r: CreateDocumentResult, re: RegExp): void {
  assert.equal(r.ok, false, 'expected a refusal');
  if (!r.ok) assert.ok(r.problems.some((p) => re.test(p)), `no problem matches ${re}: ${r.problems.join(' | ')}`);
}

async function outboxRow(id: string) {
  return t.store.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function orderRow(id: string) {
  return t.store.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function lineRows(id: string) {
  return t.store.db.selectFrom('order_lines').selectAll().where('order_id', '=', id).orderBy('line_number').execute();
}

async function documentRow(id: string) {
  return t.store.db.selectFrom('order_documents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Row counts of everything a document touches, and every figure: equal before and after a refusal. */
async function snapshot(orderId: string): Promise<unknown> {
  const db = t.store.db;
  const count = async (table: 'order_documents' | 'outbox' | 'order_events' | 'document_counters') =>
    Number((await db.selectFrom(table).select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return {
    documents: await count('order_documents'),
    outbox: await count('outbox'),
    events: await count('order_events'),
    counters: await db.selectFrom('document_counters').selectAll().orderBy('name').execute(),
    order: await orderRow(orderId),
    lines: await lineRows(orderId),
  };
}

async function refusedWithNothingStored(orderId: string, run: () => Promise<CreateDocumentResult>, re: RegExp): Promise<void> {
  const before = await snapshot(orderId);
  refused(await run(), re);
  assert.deepEqual(await snapshot(orderId), before, 'a refusal must store nothing');
}

/** The written document (from the outbox), its payload element and the version it was written at. */
async function sentDocument(outboxId: string) {
  const row = await outboxRow(outboxId);
  const { envelope } = readCxml(row.body);
  return { row, xml: row.body, envelope, version: envelope.doctype!.version! };
}

before(async () => {
  t = await startTestApp();
  await setOptions(cxmlOptions({ documentUrl: DOC_URL, taxRatePercent: '19', taxRounding: 'line', invoiceTaxInLine: true, paymentTermDays: 30 }));
});

after(async () => {
  await t?.close();
});

describe('status rule', () => {
  const L = (quantity: string, confirmed = '0', rejected = '0', shipped = '0', invoiced = '0'): LineFigures => ({
    quantity: new Decimal(quantity),
    confirmed: new Decimal(confirmed),
    rejected: new Decimal(rejected),
    shipped: new Decimal(shipped),
    invoiced: new Decimal(invoiced),
  });
  test('each step from the figures; invoiced beats shipped; rejected quantities are not owed', () => {
    assert.equal(orderStatusFromLines([L('2'), L('1')], 'received'), 'received');
    assert.equal(orderStatusFromLines([L('2', '2'), L('1', '1')], 'received'), 'confirmed');
    assert.equal(orderStatusFromLines([L('2', '1', '1'), L('1', '1')], 'received'), 'confirmed');
    assert.equal(orderStatusFromLines([L('2', '0', '2'), L('1', '0', '1')], 'received'), 'rejected');
    assert.equal(orderStatusFromLines([L('2', '2', '0', '1'), L('1', '1')], 'confirmed'), 'partly_shipped');
    assert.equal(orderStatusFromLines([L('2', '2', '0', '2'), L('1', '1', '0', '1')], 'partly_shipped'), 'shipped');
    // The rejected unit need not ship for the order to be shipped.
    assert.equal(orderStatusFromLines([L('2', '1', '1', '1'), L('1', '1', '0', '1')], 'confirmed'), 'shipped');
    assert.equal(orderStatusFromLines([L('2', '2', '0', '1', '1'), L('1')], 'partly_shipped'), 'partly_invoiced');
    assert.equal(orderStatusFromLines([L('2', '0', '0', '0', '2'), L('1', '0', '0', '0', '1')], 'received'), 'invoiced');
    assert.equal(orderStatusFromLines([L('2', '2', '0', '2', '2'), L('1', '1', '0', '1', '1')], 'shipped'), 'invoiced');
    assert.equal(orderStatusFromLines([L('2', '2', '0', '2', '2')], 'closed'), 'closed');
    assert.equal(orderStatusFromLines([L('2')], 'cancelled'), 'cancelled');
  });

  test('documents are written at the lowest DTD version that has their family', () => {
    assert.equal(documentVersion('1.2.014', 'Fulfill.dtd'), '1.2.063');
    assert.equal(documentVersion('1.2.037', 'Fulfill.dtd'), '1.2.063');
    assert.equal(documentVersion('1.2.071', 'Fulfill.dtd'), '1.2.071');
    assert.equal(documentVersion('1.2.014', 'InvoiceDetail.dtd'), '1.2.020');
    assert.equal(documentVersion('1.2.037', 'InvoiceDetail.dtd'), '1.2.037');
  });
});

describe('refusals before anything is written', () => {
  test('unknown order, missing document URL, disabled connection, final state', async () => {
    refused(await createConfirmation(t.ctx, 'no-such-order', { type: 'accept' }, actor), /order no-such-order not found/);
    const o = await placeOrder();
    await setOptions(cxmlOptions({ documentUrl: '' }));
    try {
      await refusedWithNothingStored(o.id, () => createShipNotice(t.ctx, o.id, { carrier: 'DHL', trackingNumber: '1' }, actor), /has no document URL/);
    } finally {
      await setOptions(cxmlOptions({ documentUrl: DOC_URL }));
    }
    await t.store.db.updateTable('connections').set({ enabled: 0 }).where('id', '=', 'demo-cxml').execute();
    try {
      await refusedWithNothingStored(o.id, () => createInvoice(t.ctx, o.id, {}, actor), /is disabled/);
    } finally {
      await t.store.db.updateTable('connections').set({ enabled: 1 }).where('id', '=', 'demo-cxml').execute();
    }
    await t.store.db.updateTable('orders').set({ status: 'cancelled' }).where('id', '=', o.id).execute();
    await refusedWithNothingStored(o.id, () => createConfirmation(t.ctx, o.id, { type: 'accept' }, actor), /is cancelled: no more documents/);
  });

  test('bad input: unknown lines, bad numbers and dates, past dates, reject without reason', async () => {
    const o = await placeOrder();
    await refusedWithNothingStored(o.id, () => createConfirmation(t.ctx, o.id, { type: 'reject', comment: ' ' }, actor), /needs the reason/);
    await refusedWithNothingStored(o.id, () => createConfirmation(t.ctx, o.id, { type: 'accept', deliveryDate: dayFrom(-2) }, actor), /in the past/);
    await refusedWithNothingStored(o.id, () => createConfirmation(t.ctx, o.id, { type: 'accept', deliveryDate: '2026-02-30' }, actor), /not a date/);
    await refusedWithNothingStored(
      o.id,
      () => createConfirmation(t.ctx, o.id, { type: 'detail', lines: [{ lineNumber: 1, statuses: [{ type: 'accept', quantity: '4' }] }] }, actor),
      /add up to 4, the line quantity is 5/,
    );
    await refusedWithNothingStored(
      o.id,
      () => createConfirmation(t.ctx, o.id, { type: 'detail', lines: [{ lineNumber: 1, statuses: [{ type: 'accept', quantity: '4' }, { type: 'reject', quantity: '1' }] }] }, actor),
      /rejected portion needs the reason/,
    );
    await refusedWithNothingStored(o.id, () => createShipNotice(t.ctx, o.id, { carrier: 'DHL', trackingNumber: '1', lines: [{ lineNumber: 9, quantity: '1' }] }, actor), /line 9 is not in order/);
    await refusedWithNothingStored(o.id, () => createShipNotice(t.ctx, o.id, { carrier: 'DHL', trackingNumber: '1', lines: [{ lineNumber: 1, quantity: '1,5' }] }, actor), /"1,5" is not a number/);
    await refusedWithNothingStored(o.id, () => createShipNotice(t.ctx, o.id, { carrier: '', trackingNumber: '1' }, actor), /carrier needs a company name or a SCAC/);
    await refusedWithNothingStored(o.id, () => createInvoice(t.ctx, o.id, { shipping: '4.999' }, actor), /more decimals than EUR allows/);
    await refusedWithNothingStored(o.id, () => createInvoice(t.ctx, o.id, { invoiceDate: dayFrom(3) }, actor), /in the future/);
    await refusedWithNothingStored(o.id, () => createCreditMemo(t.ctx, o.id, { invoiceNumber: 'INV-999999', amount: '1', reason: 'x' }, actor), /not an invoice of order/);
  });
});

describe('confirmations', () => {
  test('accept: numbered, valid Fulfill.dtd, header and order reference, outbox row, figures, status and event', async () => {
    const o = await placeOrder(DEFAULT_LINES, 'test');
    const r = ok(await createConfirmation(t.ctx, o.id, { type: 'accept', deliveryDate: dayFrom(7), comment: 'Thank you' }, actor));
    assert.match(r.number, /^C-\d{6}$/);
    const { row, xml, envelope, version } = await sentDocument(r.outboxId);
    // The demo connection speaks 1.2.014; Fulfill.dtd exists from 1.2.063.
    assert.equal(version, '1.2.063');
    assertDtdValid(xml, 'Fulfill', version);
    assert.equal(row.url, DOC_URL);
    assert.equal(row.payload_id, r.payloadId);
    assert.equal(row.order_id, o.id);
    assert.equal(row.connection_id, 'demo-cxml');
    assert.equal(row.doc_type, 'ConfirmationRequest');
    assert.equal(row.status, 'pending');
    assert.equal(envelope.payloadID, r.payloadId);
    assert.equal(envelope.deploymentMode, 'test');
    assert.deepEqual(envelope.header!.from.credentials.map((c) => c.identity), ['KOPPEL-DEMO']);
    assert.deepEqual(envelope.header!.to.credentials.map((c) => c.identity), ['DEMO-BUYER']);
    assert.equal(envelope.header!.sender.credentials[0]!.identity, 'KOPPEL-DEMO');
    // Stored redacted; the outbox puts the sealed outbound secret back at send time.
    assert.ok(xml.includes('<SharedSecret>[redacted]</SharedSecret>'), xml);
    assert.ok(xml.includes(`confirmID="${r.number}"`));
    assert.ok(xml.includes(`orderID="${o.orderID}"`));
    assert.ok(xml.includes(`<DocumentReference payloadID="${o.payloadID}"`));
    assert.ok(xml.includes(`deliveryDate="${dayFrom(7)}"`));

    const doc = await documentRow(r.documentId);
    assert.equal(doc.kind, 'confirmation');
    assert.equal(doc.number, r.number);
    assert.equal(doc.outbox_id, r.outboxId);
    assert.equal(doc.created_by, 'admin:alice');
    assert.equal(JSON.parse(doc.input).type, 'accept');
    assert.equal((await orderRow(o.id)).status, 'confirmed');
    assert.deepEqual((await lineRows(o.id)).map((l) => [l.confirmed_quantity, l.rejected_quantity]), [['5', '0'], ['3', '0'], ['1', '0']]);
    const events = await t.store.db.selectFrom('order_events').selectAll().where('order_id', '=', o.id).where('kind', '=', 'confirmed').execute();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.from_status, 'received');
    assert.equal(events[0]!.to_status, 'confirmed');
    assert.equal(events[0]!.document_id, r.documentId);
    assert.equal(events[0]!.actor, 'admin:alice');

    await refusedWithNothingStored(o.id, () => createConfirmation(t.ctx, o.id, { type: 'accept' }, actor), /already confirmed/);
  });

  test('detail: backorder, rejected part and a new price; unlisted lines accepted; figures follow', async () => {
    const o = await placeOrder();
    const r = ok(
      await createConfirmation(
        t.ctx,
        o.id,
        {
          type: 'detail',
          comment: 'Partly available',
          lines: [
            { lineNumber: 1, statuses: [{ type: 'accept', quantity: '2' }, { type: 'backordered', quantity: '2', deliveryDate: dayFrom(14) }, { type: 'reject', quantity: '1', comment: 'discontinued' }] },
            { lineNumber: 2, statuses: [{ type: 'detail', quantity: '3', unitPrice: '2.60' }] },
          ],
        },
        actor,
      ),
    );
    const { xml, version } = await sentDocument(r.outboxId);
    assertDtdValid(xml, 'Fulfill', version);
    assert.ok(xml.includes('type="backordered"'));
    assert.ok(xml.includes('<Money currency="EUR">2.60</Money>'));
    assert.deepEqual((await lineRows(o.id)).map((l) => [l.confirmed_quantity, l.rejected_quantity]), [['4', '1'], ['3', '0'], ['1', '0']]);
    assert.equal((await orderRow(o.id)).status, 'confirmed');
    // The rejected unit may not be shipped: only 4 of line 1 are owed.
    await refusedWithNothingStored(o.id, () => createShipNotice(t.ctx, o.id, { carrier: 'DHL', trackingNumber: 'X', lines: [{ lineNumber: 1, quantity: '5' }] }, actor), /5 shipped in total, only 4/);
    const rest = ok(await createShipNotice(t.ctx, o.id, { carrier: 'DHL', trackingNumber: 'X' }, actor));
    assert.deepEqual(JSON.parse((await documentRow(rest.documentId)).input).lines.map((l: { quantity: string }) => l.quantity), ['4', '3', '1']);
    assert.equal((await orderRow(o.id)).status, 'shipped');
    // Line 2 was accepted at a new price: that is the price invoiced.
    const inv = ok(await createInvoice(t.ctx, o.id, {}, actor));
    const invoiced = JSON.parse((await documentRow(inv.documentId)).input).lines;
    assert.deepEqual(invoiced.map((l: { unitPrice: string; subtotal: string }) => [l.unitPrice, l.subtotal]), [['10', '40.00'], ['2.6', '7.80'], ['100', '100.00']]);
    assert.deepEqual((await lineRows(o.id)).map((l) => l.invoiced_amount), ['40', '7.8', '100']);
  });

  test('reject: whole order, reason in Comments, order rejected and final', async () => {
    const o = await placeOrder();
    const r = ok(await createConfirmation(t.ctx, o.id, { type: 'reject', comment: 'We cannot deliver to this address' }, actor));
    const { xml, version } = await sentDocument(r.outboxId);
    assertDtdValid(xml, 'Fulfill', version);
    assert.ok(xml.includes('type="reject"'));
    assert.ok(!xml.includes('<ConfirmationItem'));
    assert.equal((await orderRow(o.id)).status, 'rejected');
    const ev = await t.store.db.selectFrom('order_events').selectAll().where('order_id', '=', o.id).where('kind', '=', 'rejected').executeTakeFirstOrThrow();
    assert.equal(ev.to_status, 'rejected');
    await refusedWithNothingStored(o.id, () => createShipNotice(t.ctx, o.id, { carrier: 'DHL', trackingNumber: '1' }, actor), /is rejected/);
  });

  test('a buyer at 1.2.071 gets 1.2.071', async () => {
    await setOptions(cxmlOptions({ version: '1.2.071' }));
    try {
      const o = await placeOrder();
      const r = ok(await createConfirmation(t.ctx, o.id, { type: 'accept' }, actor));
      const { xml, version } = await sentDocument(r.outboxId);
      assert.equal(version, '1.2.071');
      assertDtdValid(xml, 'Fulfill', '1.2.071');
      const inv = ok(await createInvoice(t.ctx, o.id, {}, actor));
      const sent = await sentDocument(inv.outboxId);
      assert.equal(sent.version, '1.2.071');
      assertDtdValid(sent.xml, 'InvoiceDetail', '1.2.071');
    } finally {
      await setOptions(cxmlOptions({ version: '1.2.014' }));
    }
  });
});

describe('change orders', () => {
  test('a line the change order removed after it shipped stays at quantity 0 and is left out of the new confirmation', async () => {
    const lines: LineSpec[] = [
      { quantity: '2', price: '10.00', part: 'KEEP-1' },
      { quantity: '1', price: '5.00', part: 'GONE-2' },
    ];
    const o = await placeOrder(lines);
    ok(await createConfirmation(t.ctx, o.id, { type: 'accept' }, actor));
    ok(await createShipNotice(t.ctx, o.id, { carrier: 'DHL', trackingNumber: 'T-GONE', lines: [{ lineNumber: 2, quantity: '1' }] }, actor));
    // Version 2 keeps only line 1; line 2 was shipped, so its figures stay on a 0-quantity line.
    await placeOrder([lines[0]!], 'production', { orderID: o.orderID, version: 2 });
    const kept = (await lineRows(o.id)).find((l) => l.line_number === 2)!;
    assert.ok(new Decimal(kept.quantity).isZero() && new Decimal(kept.shipped_quantity).eq(1), 'line 2 kept at 0 with its shipment');

    const c = ok(await createConfirmation(t.ctx, o.id, { type: 'accept' }, actor));
    const { envelope, xml } = await sentDocument(c.outboxId);
    const items = (envelope.payload as { items?: { lineNumber: number }[] }).items ?? [];
    assert.deepEqual(items.map((i) => i.lineNumber), [1], 'only the line still ordered is confirmed');
    assertDtdValid(xml, 'Fulfill');

    // The default ship notice and invoice cover what is still ordered, never the removed line.
    ok(await createShipNotice(t.ctx, o.id, { carrier: 'DHL', trackingNumber: 'T-KEEP' }, actor));
    const inv = ok(await createInvoice(t.ctx, o.id, {}, actor));
    const invoiced = await lineRows(o.id);
    assert.deepEqual(invoiced.map((l) => [l.line_number, l.invoiced_quantity]), [[1, '2'], [2, '0']]);
    assert.ok((await documentRow(inv.documentId)).number.startsWith('INV-'));
  });
});

describe('ship notices', () => {
  test('partial shipment, over-shipping refused with nothing stored, then the rest', async () => {
    const o = await placeOrder();
    ok(await createConfirmation(t.ctx, o.id, { type: 'accept' }, actor));
    const first = ok(await createShipNotice(t.ctx, o.id, { carrier: 'DHL', scac: 'DHLC', trackingNumber: 'JD0001', trackingUrl: 'https://track.example/JD0001', lines: [{ lineNumber: 1, quantity: '2' }] }, actor));
    assert.match(first.number, /^SN-\d{6}$/);
    const a = await sentDocument(first.outboxId);
    assertDtdValid(a.xml, 'Fulfill', a.version);
    assert.ok(a.xml.includes('fulfillmentType="partial"'));
    assert.ok(a.xml.includes('trackingURL="https://track.example/JD0001"'));
    assert.ok(a.xml.includes(`shipmentID="${first.number}"`));
    assert.equal((await orderRow(o.id)).status, 'partly_shipped');
    assert.equal((await lineRows(o.id))[0]!.shipped_quantity, '2');

    await refusedWithNothingStored(
      o.id,
      () => createShipNotice(t.ctx, o.id, { carrier: 'DHL', trackingNumber: 'JD0002', lines: [{ lineNumber: 1, quantity: '3.5' }] }, actor),
      /line 1: 5\.5 shipped in total, only 5 ordered/,
    );

    const rest = ok(await createShipNotice(t.ctx, o.id, { carrier: 'UPS', trackingNumber: '1Z999' }, actor));
    const b = await sentDocument(rest.outboxId);
    assertDtdValid(b.xml, 'Fulfill', b.version);
    assert.ok(b.xml.includes('fulfillmentType="complete"'));
    assert.deepEqual(JSON.parse((await documentRow(rest.documentId)).input).lines, [
      { lineNumber: 1, quantity: '3', unit: 'EA' },
      { lineNumber: 2, quantity: '3', unit: 'BX' },
      { lineNumber: 3, quantity: '1', unit: 'EA' },
    ]);
    assert.deepEqual((await lineRows(o.id)).map((l) => l.shipped_quantity), ['5', '3', '1']);
    assert.equal((await orderRow(o.id)).status, 'shipped');
    const ev = await t.store.db.selectFrom('order_events').selectAll().where('order_id', '=', o.id).where('kind', '=', 'shipped').orderBy('seq').execute();
    assert.deepEqual(ev.map((e) => [e.from_status, e.to_status]), [['confirmed', 'partly_shipped'], ['partly_shipped', 'shipped']]);
    await refusedWithNothingStored(o.id, () => createShipNotice(t.ctx, o.id, { carrier: 'UPS', trackingNumber: '1Z999' }, actor), /nothing is left to ship/);
  });
});

describe('invoices and credit memos', () => {
  test('invoice of what was shipped: totals are invoiceTotals, invoiced_amount adds up, over-invoicing refused', async () => {
    const o = await placeOrder();
    ok(await createShipNotice(t.ctx, o.id, { carrier: 'DHL', trackingNumber: 'A', lines: [{ lineNumber: 1, quantity: '2' }, { lineNumber: 2, quantity: '3' }] }, actor));
    const inv = ok(await createInvoice(t.ctx, o.id, { shipping: '4.95', comment: 'First part' }, actor));
    assert.match(inv.number, /^INV-\d{6}$/);
    const { xml, version } = await sentDocument(inv.outboxId);
    assert.equal(version, '1.2.020');
    assertDtdValid(xml, 'InvoiceDetail', version);
    assert.ok(xml.includes('isTaxInLine="yes"'));
    assert.ok(xml.includes('payInNumberOfDays="30"'));

    const doc = await documentRow(inv.documentId);
    const input = JSON.parse(doc.input);
    assert.deepEqual(input.lines.map((l: { lineNumber: number; quantity: string }) => [l.lineNumber, l.quantity]), [[1, '2'], [2, '3']]);
    const totals = JSON.parse(doc.totals!);
    const expected = invoiceTotals({
      invoiceID: 'x',
      invoiceDate: '2026-01-01',
      purpose: 'standard',
      currency: 'EUR',
      layout: { taxRounding: 'line', taxInLine: true, shippingInLine: false },
      orders: [
        {
          order: { orderID: o.orderID, orderDate: '2026-01-01', payloadID: o.payloadID },
          lines: [
            { invoiceLineNumber: 1, orderLineNumber: 1, quantity: new Decimal(2), unitPrice: new Decimal('10.00'), taxRate: new Decimal(19), unitOfMeasure: 'EA', description: 'x' },
            { invoiceLineNumber: 2, orderLineNumber: 2, quantity: new Decimal(3), unitPrice: new Decimal('2.499'), taxRate: new Decimal(19), unitOfMeasure: 'BX', description: 'x' },
          ],
        },
      ],
      // Shipping is taxed at the goods' rate.
      shipping: { amount: new Decimal('4.95'), taxRate: new Decimal(19) },
    });
    assert.equal(totals.subtotal, expected.subtotal.toFixed(2));
    assert.equal(totals.tax, expected.tax.toFixed(2));
    assert.equal(totals.shipping, '4.95');
    assert.equal(totals.due, expected.due.toFixed(2));
    assert.equal(totals.subtotal, '27.50'); // 20.00 + 7.497 → 7.50
    assert.equal(totals.tax, '6.17'); // 3.80 + 1.43 (per line) + 0.94 on the shipping
    assert.equal(totals.due, '38.62');
    assert.deepEqual(totals.taxSummary, [{ category: 'vat', rate: '19', taxable: '32.45', tax: '6.17' }]);
    assert.ok(xml.includes(`<Money currency="EUR">${totals.due}</Money>`));

    let lines = await lineRows(o.id);
    assert.deepEqual(lines.map((l) => [l.invoiced_quantity, l.invoiced_amount]), [['2', '20'], ['3', '7.5'], ['0', '0']]);
    assert.equal((await orderRow(o.id)).status, 'partly_invoiced');

    // Everything shipped is invoiced: nothing by default, and more than ordered is refused.
    await refusedWithNothingStored(o.id, () => createInvoice(t.ctx, o.id, {}, actor), /nothing is left to invoice/);
    await refusedWithNothingStored(o.id, () => createInvoice(t.ctx, o.id, { lines: [{ lineNumber: 2, quantity: '1' }] }, actor), /line 2: 4 invoiced in total, only 3 ordered/);

    ok(await createShipNotice(t.ctx, o.id, { carrier: 'DHL', trackingNumber: 'B' }, actor));
    const second = ok(await createInvoice(t.ctx, o.id, {}, actor));
    const s2 = await sentDocument(second.outboxId);
    assertDtdValid(s2.xml, 'InvoiceDetail', s2.version);
    lines = await lineRows(o.id);
    assert.deepEqual(lines.map((l) => [l.invoiced_quantity, l.invoiced_amount]), [['5', '50'], ['3', '7.5'], ['1', '100']]);
    const subtotals = (await t.store.db.selectFrom('order_documents').select('totals').where('order_id', '=', o.id).where('kind', '=', 'invoice').execute()).map(
      (d) => new Decimal(JSON.parse(d.totals!).subtotal),
    );
    const amounts = lines.reduce((s, l) => s.plus(l.invoiced_amount), new Decimal(0));
    assert.equal(amounts.toFixed(2), subtotals.reduce((s, x) => s.plus(x), new Decimal(0)).toFixed(2));
    assert.equal((await orderRow(o.id)).status, 'invoiced');

    // Credit memos: against an invoice of this order, at most its net not yet credited.
    await refusedWithNothingStored(o.id, () => createCreditMemo(t.ctx, o.id, { invoiceNumber: inv.number, amount: '27.51', reason: 'Damaged' }, actor), /more than the 27\.50 EUR/);
    await refusedWithNothingStored(o.id, () => createCreditMemo(t.ctx, o.id, { invoiceNumber: inv.number, amount: '5', reason: '' }, actor), /needs the reason/);
    const memo = ok(await createCreditMemo(t.ctx, o.id, { invoiceNumber: inv.number, amount: '20.00', reason: 'Two pens damaged' }, actor));
    assert.match(memo.number, /^INV-\d{6}$/);
    const m = await sentDocument(memo.outboxId);
    assertDtdValid(m.xml, 'InvoiceDetail', m.version);
    assert.ok(m.xml.includes('purpose="creditMemo"'));
    assert.ok(m.xml.includes(`<InvoiceIDInfo invoiceID="${inv.number}"`));
    assert.ok(m.xml.includes(`<DocumentReference payloadID="${inv.payloadId}"`));
    assert.ok(m.xml.includes('<Money currency="EUR">-23.80</Money>'), m.xml); // 20.00 + 19 %
    assert.equal(JSON.parse((await documentRow(memo.documentId)).totals!).due, '-23.80');
    await refusedWithNothingStored(o.id, () => createCreditMemo(t.ctx, o.id, { invoiceNumber: inv.number, amount: '7.51', reason: 'More' }, actor), /more than the 7\.50 EUR[\s\S]*20\.00 EUR credited before/);
    ok(await createCreditMemo(t.ctx, o.id, { invoiceNumber: inv.number, amount: '7.50', reason: 'The rest' }, actor));
    const credited = await t.store.db.selectFrom('order_events').select(['from_status', 'to_status']).where('order_id', '=', o.id).where('kind', '=', 'credited').execute();
    assert.deepEqual(credited, [{ from_status: 'invoiced', to_status: 'invoiced' }, { from_status: 'invoiced', to_status: 'invoiced' }]);
    // Invoiced amounts count standard invoices only.
    assert.deepEqual((await lineRows(o.id)).map((l) => l.invoiced_amount), ['50', '7.5', '100']);

    // Fully shipped and invoiced: closes without a reason.
    assert.deepEqual(await closeOrder(t.ctx, o.id, actor), { ok: true });
    assert.equal((await orderRow(o.id)).status, 'closed');
    await refusedWithNothingStored(o.id, () => createInvoice(t.ctx, o.id, {}, actor), /is closed/);
  });

  test('nothing shipped: the invoice covers what was ordered and not rejected; document-level tax rounding', async () => {
    await setOptions(cxmlOptions({ taxRounding: 'document', invoiceTaxInLine: false, paymentTermDays: 0 }));
    try {
      const o = await placeOrder([{ quantity: '3', price: '0.333' }, { quantity: '3', price: '0.333' }]);
      ok(await createConfirmation(t.ctx, o.id, { type: 'detail', lines: [{ lineNumber: 2, statuses: [{ type: 'accept', quantity: '2' }, { type: 'reject', quantity: '1', comment: 'out' }] }] }, actor));
      const inv = ok(await createInvoice(t.ctx, o.id, {}, actor));
      const { xml, version } = await sentDocument(inv.outboxId);
      assertDtdValid(xml, 'InvoiceDetail', version);
      assert.ok(!xml.includes('isTaxInLine'));
      assert.ok(!xml.includes('PaymentTerm'));
      const doc = await documentRow(inv.documentId);
      assert.deepEqual(JSON.parse(doc.input).lines.map((l: { quantity: string }) => l.quantity), ['3', '2']);
      // 1.00 + 0.67 = 1.67; 19 % of 1.67 once = 0.32 (per line it would be 0.19 + 0.13).
      assert.equal(JSON.parse(doc.totals!).tax, '0.32');
      assert.equal((await orderRow(o.id)).status, 'invoiced');
    } finally {
      await setOptions(cxmlOptions({ taxRounding: 'line', invoiceTaxInLine: true, paymentTermDays: 30 }));
    }
  });

  test('the buyer\'s size limits refuse a document and give its number back', async () => {
    const o = await placeOrder();
    await setOptions((opts) => ({ ...opts, limits: { maxLines: 2, maxBytes: 0 } }));
    try {
      await refusedWithNothingStored(o.id, () => createInvoice(t.ctx, o.id, {}, actor), /3 lines; the buyer accepts at most 2/);
    } finally {
      await setOptions((opts) => ({ ...opts, limits: { maxLines: 0, maxBytes: 0 } }));
    }
  });
});

describe('numbers, close, review', () => {
  test('concurrent invoices get unique consecutive numbers; concurrent ones on one order never over-invoice', async () => {
    const orders = await Promise.all([1, 2, 3, 4, 5, 6].map(() => placeOrder([{ quantity: '1', price: '5' }])));
    const results = await Promise.all(orders.map((o) => createInvoice(t.ctx, o.id, {}, actor)));
    const numbers = results.map((r) => ok(r).number);
    assert.equal(new Set(numbers).size, numbers.length);
    const values = numbers.map((n) => Number(n.slice(4))).sort((a, b) => a - b);
    for (let i = 1; i < values.length; i++) assert.equal(values[i], values[i - 1]! + 1, `numbers ${numbers.join(', ')}`);
    const payloads = results.map((r) => ok(r).payloadId);
    assert.equal(new Set(payloads).size, payloads.length);

    const one = await placeOrder([{ quantity: '3', price: '1' }]);
    const race = await Promise.all([1, 2, 3, 4, 5].map(() => createInvoice(t.ctx, one.id, { lines: [{ lineNumber: 1, quantity: '1' }] }, actor)));
    assert.equal(race.filter((r) => r.ok).length, 3);
    for (const r of race.filter((x) => !x.ok)) refused(r, /invoiced in total, only 3 ordered/);
    assert.equal((await lineRows(one.id))[0]!.invoiced_quantity, '3');
    const docs = await t.store.db.selectFrom('order_documents').select('number').where('order_id', '=', one.id).execute();
    assert.equal(docs.length, 3);
  });

  test('close refuses with reasons unless complete or given a reason; review marks the flags seen', async () => {
    const o = await placeOrder();
    ok(await createShipNotice(t.ctx, o.id, { carrier: 'DHL', trackingNumber: 'Z', lines: [{ lineNumber: 1, quantity: '5' }] }, actor));
    const before = await snapshot(o.id);
    const r = await closeOrder(t.ctx, o.id, actor);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.match(r.problems[0]!, /not fully shipped and invoiced; give a reason/);
      assert.ok(r.problems.includes('line 2: 0 of 3 shipped'), r.problems.join(' | '));
      assert.ok(r.problems.includes('line 1: 0 of 5 invoiced'), r.problems.join(' | '));
    }
    assert.deepEqual(await snapshot(o.id), before);
    assert.deepEqual(await closeOrder(t.ctx, o.id, actor, 'Buyer cancelled the rest by phone'), { ok: true });
    const order = await orderRow(o.id);
    assert.equal(order.status, 'closed');
    const ev = await t.store.db.selectFrom('order_events').selectAll().where('order_id', '=', o.id).where('kind', '=', 'closed').executeTakeFirstOrThrow();
    assert.deepEqual([ev.from_status, ev.to_status, ev.detail, ev.actor], ['partly_shipped', 'closed', 'Buyer cancelled the rest by phone', 'admin:alice']);
    const again = await closeOrder(t.ctx, o.id, actor, 'again');
    assert.deepEqual(again, { ok: false, problems: [`order ${o.orderID} is already closed`] });

    assert.equal(await markReviewed(t.ctx, 'missing', actor), false);
    assert.equal(await markReviewed(t.ctx, o.id, { kind: 'cli' }, 'checked prices'), true);
    const reviewed = await orderRow(o.id);
    assert.equal(reviewed.reviewed_by, 'cli');
    assert.ok(reviewed.reviewed_at);
    const rev = await t.store.db.selectFrom('order_events').selectAll().where('order_id', '=', o.id).where('kind', '=', 'reviewed').executeTakeFirstOrThrow();
    assert.equal(rev.detail, 'checked prices');
  });
});
