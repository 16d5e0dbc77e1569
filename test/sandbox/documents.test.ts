/**
 * The sandbox's own cXML endpoint over real HTTP. A real purchase order first: the sandbox punches
 * out into this Koppel's demo-cxml connection, the cart comes back through the shop, and the
 * sandbox sends its OrderRequest. Then confirmations, ship notices and invoices written by hand
 * with Koppel's writers are posted to /sandbox/cxml with fetch, as a supplier would, and the
 * purchase order page shows them.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Decimal } from 'decimal.js';
import { openOutboundSecret } from '../../src/app/connection-admin.js';
import { createConfirmation, createInvoice, createShipNotice } from '../../src/app/order-documents.js';
import { claimDue, deliverClaimed } from '../../src/jobs/outbox.js';
import { getConnection } from '../../src/app/connections.js';
import { seedDemo } from '../../src/app/demo-seed.js';
import { confirmationLine, writeConfirmationRequest, writeShipNoticeRequest, type OrderReferenceInput } from '../../src/protocol/cxml/fulfil.js';
import { writeInvoiceDetailRequest, type InvoiceInput } from '../../src/protocol/cxml/invoice.js';
import type { Header, OrderRequest, Status } from '../../src/protocol/cxml/model.js';
import { readCxml } from '../../src/protocol/cxml/reader.js';
import type { WriteContext } from '../../src/protocol/cxml/writer.js';
import { pairsFromHtmlForm } from '../../src/protocol/oci/cart-form-reader.js';
import { findPurchaseOrder } from '../../src/sandbox/procurement/purchase-orders.js';
import type { PurchaseOrder } from '../../src/sandbox/procurement/model.js';
import pino from 'pino';
import { createContext } from '../../src/app/context.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { openTestStore } from '../helpers/store.js';
import { fixtureText } from '../helpers/cxml.js';

let t: TestApp;
let po: PurchaseOrder;
let firstPayloadID: string;
let poLines: { lineNumber: number; quantity: Decimal; unit: string; price: Decimal }[];
let ref: OrderReferenceInput;
let secret: string;

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const d = (v: string | number) => new Decimal(v);

function supplierHeader(sharedSecret = secret, fromIdentity = 'KOPPEL-DEMO'): Header {
  return {
    from: { credentials: [{ domain: 'NetworkID', identity: fromIdentity }] },
    to: { credentials: [{ domain: 'NetworkID', identity: 'DEMO-BUYER' }] },
    sender: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO', sharedSecret }], userAgent: 'Koppel tests (supplier)' },
  };
}

let n = 0;
function wctx(): WriteContext {
  n += 1;
  return { payloadID: `${Date.now()}.${n}.${randomBytes(4).toString('hex')}@supplier.test`, timestamp: new Date(), version: '1.2.071', offsetMinutes: 60 };
}

async function post(xml: string | Buffer): Promise<{ http: number; status: Status; text: string }> {
  const res = await fetch(`${t.baseUrl}/sandbox/cxml`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body: xml });
  const text = await res.text();
  const payload = readCxml(text).envelope.payload;
  assert.equal(payload.kind, 'Status', text);
  return { http: res.status, status: (payload as { status: Status }).status, text };
}

async function rows() {
  return t.store.db.selectFrom('sandbox_documents').selectAll().orderBy('received_at').orderBy('id').execute();
}

async function page(): Promise<string> {
  const res = await fetch(`${t.baseUrl}/sandbox/orders/${po.id}`);
  assert.equal(res.status, 200);
  return res.text();
}

/** The whole buyer flow: cXML punchout from the sandbox into the demo shop, cart back as a requisition, submitted, order sent. */
async function placeSandboxOrder(): Promise<PurchaseOrder> {
  const started = await fetch(`${t.baseUrl}/sandbox/punchouts`, { method: 'POST', redirect: 'manual', headers: form, body: 'protocol=cxml' });
  assert.equal(started.status, 303, await started.clone().text());
  const shop = await fetch(started.headers.get('location')!, { redirect: 'manual' });
  assert.equal(shop.status, 303);
  const session = shop.headers.get('location')!.split('?')[0]!;
  const products = await t.store.db.selectFrom('products').selectAll().where('stock', '>', 0).orderBy('sku').limit(2).execute();
  for (const [p, q] of [[products[0]!, '3'], [products[1]!, '10']] as const) {
    const added = await fetch(`${t.baseUrl}${session}/cart/add`, { method: 'POST', redirect: 'manual', headers: form, body: new URLSearchParams({ product_id: p.id, quantity: q }).toString() });
    assert.equal(added.status, 303);
  }
  const transfer = await fetch(`${t.baseUrl}${session}/transfer`, { method: 'POST', redirect: 'manual', headers: form, body: '' });
  const transferPage = await transfer.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(transferPage)![1]!.replace(/&amp;/g, '&');
  const back = await fetch(action, { method: 'POST', redirect: 'manual', headers: form, body: new URLSearchParams(pairsFromHtmlForm(transferPage)).toString() });
  assert.equal(back.status, 303);
  const requisitionPath = back.headers.get('location')!;
  assert.match(requisitionPath, /^\/sandbox\/requisitions\//);
  const draft = await t.store.db.selectFrom('sandbox_requisitions').selectAll().where('id', '=', requisitionPath.split('/').pop()!).executeTakeFirstOrThrow();
  assert.equal(draft.status, 'draft');
  // Below every approval threshold: submitted, approved and ordered at once (the punchout's /order submits it).
  const submitted = await fetch(`${t.baseUrl}/sandbox/punchouts/${draft.punchout_id}/order`, { method: 'POST', redirect: 'manual', headers: form, body: '' });
  assert.equal(submitted.status, 303, await submitted.clone().text());
  assert.equal(submitted.headers.get('location'), requisitionPath);
  const req = await t.store.db.selectFrom('sandbox_requisitions').selectAll().where('id', '=', draft.id).executeTakeFirstOrThrow();
  assert.equal(req.status, 'ordered');
  const p = (await findPurchaseOrder(t.store.db, req.po_id!))!;
  assert.equal(p.status, 'open');
  assert.equal(p.punchoutId, req.punchout_id);
  return p;
}

before(async () => {
  // The demo is seeded once the port is known, so the demo connection points at this sandbox.
  t = await startTestApp({ demo: false, config: { secretKey: randomBytes(32).toString('base64') } });
  await seedDemo(t.ctx);
  secret = openOutboundSecret(t.ctx, (await getConnection(t.ctx, 'demo-cxml'))!)!;
  po = await placeSandboxOrder();
  const order = readCxml(po.orderXml).envelope.payload as OrderRequest;
  poLines = order.items.map((i) => ({ lineNumber: i.lineNumber!, quantity: i.quantity, unit: i.itemDetail!.unitOfMeasure, price: i.itemDetail!.unitPrice.amount }));
  firstPayloadID = (await t.store.db.selectFrom('sandbox_po_messages').select('payload_id').where('po_id', '=', po.id).where('version', '=', 1).executeTakeFirstOrThrow()).payload_id;
  ref = { orderID: order.header.orderID, orderDate: order.header.orderDate, payloadID: firstPayloadID };
});

after(async () => {
  await t.close();
});

describe('demo wiring', () => {
  test('with the sandbox on, demo-cxml posts documents to the sandbox with the secret the sandbox checks', async () => {
    const c = (await getConnection(t.ctx, 'demo-cxml'))!;
    assert.equal(c.options.cxml.documentUrl, `${t.baseUrl}/sandbox/cxml`);
    assert.equal(c.options.cxml.paymentTermDays, 30);
    assert.equal(c.options.cxml.invoiceTaxInLine, false);
    assert.equal(secret, 'demo-secret');
    assert.equal(secret, po.supplier.sharedSecret);
  });

  test('without a key to seal with (PostgreSQL, no KOPPEL_SECRET_KEY) the demo leaves the outbound secret unset and says so', async () => {
    const store = await openTestStore();
    try {
      const lines: string[] = [];
      const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
      const config = { ...t.ctx.config, secretKey: undefined, databaseUrl: 'postgres://nobody@127.0.0.1:1/none' };
      const ctx = createContext({ db: store.db, dialect: store.dialect, config, log });
      await seedDemo(ctx);
      const c = (await getConnection(ctx, 'demo-cxml'))!;
      assert.equal(c.outboundSecretSealed, null);
      assert.equal(c.options.cxml.documentUrl, `${t.baseUrl}/sandbox/cxml`);
      assert.ok(lines.some((l) => /documents to the buyer sandbox will not be signed/.test(l)), lines.join('\n'));
    } finally {
      await store.cleanup();
    }
  });

  test('the sandbox pages show the endpoint URL to paste into a supplier', async () => {
    const home = await (await fetch(`${t.baseUrl}/sandbox`)).text();
    assert.ok(home.includes(`<code class="code document-url">${t.baseUrl}/sandbox/cxml</code>`));
    assert.ok((await page()).includes(`${t.baseUrl}/sandbox/cxml`));
  });

  test('the OrderRequest carries what a supplier needs to answer: orderID, orderDate, payloadID, numbered lines and units', () => {
    assert.match(ref.orderID, /^SBX-\d{8}-\d+$/);
    assert.ok(ref.payloadID.length > 10);
    assert.deepEqual(poLines.map((l) => l.lineNumber), [1, 2]);
    assert.ok(poLines.every((l) => l.unit !== ''));
  });
});

describe('POST /sandbox/cxml', () => {
  test('a confirmation, a ship notice and an invoice are accepted and shown on the purchase order', async () => {
    const [l1, l2] = poLines as [(typeof poLines)[0], (typeof poLines)[0]];
    const confirmation = writeConfirmationRequest(wctx(), supplierHeader(), {
      type: 'detail',
      confirmID: 'C-TEST-1',
      noticeDate: new Date(),
      order: ref,
      items: [
        confirmationLine({ lineNumber: 1, quantity: l1.quantity, unitOfMeasure: l1.unit }, { deliveryDate: '2026-12-08' }),
        confirmationLine(
          { lineNumber: 2, quantity: l2.quantity, unitOfMeasure: l2.unit },
          { deliveryDate: '2026-12-08', backordered: { quantity: d(4), deliveryDate: '2026-12-20' }, rejected: { quantity: d(1), comments: [{ text: 'Colour discontinued' }] } },
        ),
      ],
    });
    const shipNotice = writeShipNoticeRequest(wctx(), supplierHeader(), {
      shipmentID: 'S-TEST-1',
      noticeDate: new Date(),
      shipmentDate: new Date(),
      deliveryDate: '2026-12-09',
      carrier: { companyName: 'DHL Freight', scac: 'DHLF' },
      tracking: { number: 'JD0001', url: 'https://track.example/?id=JD0001&lang=en' },
      order: ref,
      items: [
        { lineNumber: 1, quantity: l1.quantity, unitOfMeasure: l1.unit },
        { lineNumber: 2, quantity: d(5), unitOfMeasure: l2.unit },
      ],
    });
    const invoice: InvoiceInput = {
      invoiceID: 'INV-TEST-1',
      invoiceDate: new Date(Date.now() - 60_000),
      purpose: 'standard',
      currency: po.currency!,
      layout: { taxRounding: 'line', taxInLine: true, shippingInLine: false },
      orders: [
        {
          order: ref,
          lines: [
            { invoiceLineNumber: 1, orderLineNumber: 1, quantity: l1.quantity, unitPrice: l1.price, taxRate: d(19), unitOfMeasure: l1.unit, description: 'first line' },
            { invoiceLineNumber: 2, orderLineNumber: 2, quantity: d(5), unitPrice: l2.price, taxRate: d(19), unitOfMeasure: l2.unit, description: 'second line' },
          ],
        },
      ],
      shipping: { amount: d('4.90') },
      paymentTermDays: 30,
    };
    // A header-level credit memo over 10.00 against that invoice.
    const creditMemo: InvoiceInput = {
      invoiceID: 'INV-TEST-2',
      invoiceDate: new Date(Date.now() - 30_000),
      purpose: 'creditMemo',
      currency: po.currency!,
      layout: { taxRounding: 'line', taxInLine: true, shippingInLine: false },
      orders: [{ order: ref, lines: [{ invoiceLineNumber: 1, orderLineNumber: 1, quantity: d(1), unitPrice: d('10.00'), taxRate: d(19), unitOfMeasure: l1.unit, description: 'One pad damaged' }] }],
      originalInvoice: { invoiceID: 'INV-TEST-1' },
    };
    for (const xml of [confirmation, shipNotice, writeInvoiceDetailRequest(wctx(), supplierHeader(), invoice), writeInvoiceDetailRequest(wctx(), supplierHeader(), creditMemo)]) {
      const answer = await post(xml);
      assert.equal(answer.http, 200);
      assert.equal(answer.status.code, 200, answer.text);
      assert.equal(answer.status.text, 'OK');
    }
    const stored = await rows();
    assert.deepEqual(stored.map((r) => [r.doc_type, r.status, r.po_id, r.punchout_id, r.order_id]), [
      ['ConfirmationRequest', 'accepted', po.id, po.punchoutId, ref.orderID],
      ['ShipNoticeRequest', 'accepted', po.id, po.punchoutId, ref.orderID],
      ['InvoiceDetailRequest', 'accepted', po.id, po.punchoutId, ref.orderID],
      ['InvoiceDetailRequest', 'accepted', po.id, po.punchoutId, ref.orderID],
    ]);
    assert.ok(stored.every((r) => !r.body.includes(secret) && r.body.includes('SharedSecret')), 'the SharedSecret is redacted');

    const html = await page();
    assert.match(html, /Documents from the supplier/);
    assert.match(html, /Order confirmation <span class="code">C-TEST-1<\/span>/);
    assert.match(html, /Colour discontinued/);
    assert.ok(html.includes('<a href="https://track.example/?id=JD0001&amp;lang=en" rel="noopener noreferrer" target="_blank">JD0001</a>'));
    // The carrier by name, its SCAC labelled; no internal domain names.
    assert.match(html, /<dt>Carrier<\/dt><dd>DHL Freight, SCAC: DHLF<\/dd>/);
    assert.match(html, /<h2>Lines \(version 1\)<\/h2>/);
    assert.match(html, /Invoice <span class="code">INV-TEST-1<\/span>/);
    // The credit memo is named as one, with the invoice it credits and its (negative) amounts, and no empty line table.
    const memo = /<article[^>]*id="document-4">([\s\S]*?)<details>/.exec(html)![1]!;
    assert.match(memo, /4\. Credit memo <span class="code">INV-TEST-2<\/span>/);
    assert.match(memo, /<dt>Credits invoice<\/dt><dd><span class="code">INV-TEST-1<\/span><\/dd>/);
    assert.match(memo, /<dt>Due<\/dt><dd class="price"><strong>-11\.90 /);
    assert.ok(!memo.includes('creditMemo') && !memo.includes('<table class="table invoice">'), memo);
    // The order-level picture: line 2 ordered 10, confirmed 5, backordered 4, rejected 1, shipped 5, invoiced 5.
    const row2 = /<table class="table progress">[\s\S]*?<tbody>[\s\S]*?<tr>[\s\S]*?<\/tr>\s*<tr>([\s\S]*?)<\/tr>/.exec(html)![1]!;
    const cells = [...row2.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]*>/g, '').trim());
    assert.deepEqual([cells[0], cells[3], cells[4], cells[5], cells[6], cells[7], cells[8]], ['2', `10 ${l2.unit}`, '5', '4', '1', '5', '5']);
    const line2 = d(5).times(l2.price).toDecimalPlaces(2);
    assert.equal(cells[9], `${line2.toFixed(2)} ${po.currency}`, 'the invoiced amount of line 2');
    const subtotal = l1.quantity.times(l1.price).toDecimalPlaces(2).plus(line2);
    const tax = subtotal.times('0.19');
    const invoiceFoot = /<table class="table invoice">[\s\S]*?<tfoot>([\s\S]*?)<\/tfoot>/.exec(html)![1]!;
    assert.ok(invoiceFoot.includes(`<th colspan="6">Subtotal</th><td class="num price">${subtotal.toFixed(2)} ${po.currency}</td>`), invoiceFoot);
    assert.ok(invoiceFoot.includes(`<th colspan="6">Shipping</th><td class="num price">4.90 ${po.currency}</td>`));
    // Tax per line rounds each line; within a cent of the unrounded total.
    const taxShown = d(/<th colspan="6">Tax<\/th><td class="num price">([\d.]+)/.exec(invoiceFoot)![1]!);
    assert.ok(taxShown.minus(tax).abs().lte('0.01'));
    const due = subtotal.plus(taxShown).plus('4.90');
    assert.ok(invoiceFoot.includes(`<th colspan="6">Due</th><td class="num price"><strong>${due.toFixed(2)} ${po.currency}</strong></td>`), invoiceFoot);
  });

  test('a wrong SharedSecret is refused with 401, stored as refused, and accepts nothing', async () => {
    const before = (await rows()).filter((r) => r.status === 'accepted').length;
    const xml = writeShipNoticeRequest(wctx(), supplierHeader('not-the-secret'), {
      shipmentID: 'S-EVIL',
      noticeDate: new Date(),
      shipmentDate: new Date(),
      carrier: { companyName: 'Nobody' },
      tracking: { number: 'X' },
      order: ref,
      items: [{ lineNumber: 1, quantity: d(1), unitOfMeasure: poLines[0]!.unit }],
    });
    const answer = await post(xml);
    assert.equal(answer.http, 200);
    assert.equal(answer.status.code, 401);
    assert.match(answer.status.detail ?? '', /SharedSecret under Sender is not the one the sandbox sent/);
    const all = await rows();
    assert.equal(all.filter((r) => r.status === 'accepted').length, before);
    const refused = all.find((r) => r.body.includes('S-EVIL'))!;
    assert.equal(refused.status, 'refused');
    assert.ok(!refused.body.includes('not-the-secret'));
    const html = await page();
    assert.match(html, /refused · 401 Unauthorized/);
    // The refused notice shipped nothing.
    assert.match(html, /SharedSecret under Sender is not the one/);

    const wrongFrom = await post(writeShipNoticeRequest(wctx(), supplierHeader(secret, 'SOMEONE-ELSE'), {
      shipmentID: 'S-EVIL-2', noticeDate: new Date(), shipmentDate: new Date(), carrier: { companyName: 'Nobody' }, tracking: { number: 'X' }, order: ref,
      items: [{ lineNumber: 1, quantity: d(1), unitOfMeasure: poLines[0]!.unit }],
    }));
    assert.equal(wrongFrom.status.code, 401);
    assert.match(wrongFrom.status.detail ?? '', /From must name the supplier the purchase order was sent to \(NetworkID\/KOPPEL-DEMO\)/);
  });

  test('an unknown order or an unknown line is refused with 417 naming it', async () => {
    const unknownOrder = await post(
      writeConfirmationRequest(wctx(), supplierHeader(), { type: 'accept', confirmID: 'C-X', noticeDate: new Date(), order: { orderID: 'PO-NOPE', orderDate: '2026-12-01', payloadID: 'nope@buyer.test' } }),
    );
    assert.equal(unknownOrder.status.code, 417);
    assert.match(unknownOrder.status.detail ?? '', /Unknown purchase order orderID "PO-NOPE", payloadID "nope@buyer\.test"/);
    const unknownLine = await post(
      writeShipNoticeRequest(wctx(), supplierHeader(), {
        shipmentID: 'S-LINE-7', noticeDate: new Date(), shipmentDate: new Date(), carrier: { scac: 'UPSN' }, tracking: { number: '1Z' }, order: ref,
        items: [{ lineNumber: 7, quantity: d(1), unitOfMeasure: 'EA' }],
      }),
    );
    assert.equal(unknownLine.status.code, 417);
    assert.match(unknownLine.status.detail ?? '', new RegExp(`Line 7 is not a line of purchase order ${ref.orderID} \\(its lines: 1, 2\\)`));
  });

  test('the order is also found by its orderID when the payloadID is not the one sent', async () => {
    const answer = await post(
      writeConfirmationRequest(wctx(), supplierHeader(), { type: 'accept', confirmID: 'C-BY-ID', noticeDate: new Date(), order: { ...ref, payloadID: 'resent-elsewhere@supplier.test' } }),
    );
    assert.equal(answer.status.code, 200, answer.text);
    const row = (await rows()).find((r) => r.body.includes('C-BY-ID'))!;
    assert.equal(row.po_id, po.id);
  });

  test('the same payloadID twice gets the same answer and is stored once; other content under it is a 409', async () => {
    const ctx = wctx();
    const xml = writeShipNoticeRequest(ctx, supplierHeader(), {
      shipmentID: 'S-TWICE', noticeDate: new Date(), shipmentDate: new Date(), carrier: { companyName: 'DPD' }, tracking: { number: 'T2' }, order: ref,
      items: [{ lineNumber: 1, quantity: d(1), unitOfMeasure: poLines[0]!.unit }],
    });
    const [a, b] = await Promise.all([post(xml), post(xml)]);
    const c = await post(xml);
    assert.deepEqual([a.status.code, b.status.code, c.status.code], [200, 200, 200]);
    assert.equal(a.status.detail, c.status.detail);
    const stored = (await rows()).filter((r) => r.payload_id === ctx.payloadID);
    assert.equal(stored.length, 1);
    const other = await post(
      writeShipNoticeRequest(ctx, supplierHeader(), {
        shipmentID: 'S-TWICE-B', noticeDate: new Date(), shipmentDate: new Date(), carrier: { companyName: 'DPD' }, tracking: { number: 'T3' }, order: ref,
        items: [{ lineNumber: 1, quantity: d(1), unitOfMeasure: poLines[0]!.unit }],
      }),
    );
    assert.equal(other.status.code, 409);
    assert.match(other.status.detail ?? '', /already used for another document/);
    assert.equal((await rows()).filter((r) => r.payload_id === ctx.payloadID && r.status === 'accepted').length, 1);
  });

  test('a refused sender does not take the payloadID away from the real document', async () => {
    const ctx = wctx();
    const notice = (s: string) =>
      writeShipNoticeRequest(ctx, supplierHeader(s), {
        shipmentID: 'S-RACE', noticeDate: new Date(), shipmentDate: new Date(), carrier: { companyName: 'GLS' }, tracking: { number: 'R1' }, order: ref,
        items: [{ lineNumber: 1, quantity: d(1), unitOfMeasure: poLines[0]!.unit }],
      });
    assert.equal((await post(notice('guess'))).status.code, 401);
    assert.equal((await post(notice(secret))).status.code, 200);
  });

  test('hostile or unreadable XML is refused with 406 and kept, other requests with 450', async () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
      '<cXML payloadID="x@evil" timestamp="2026-12-03T10:00:00+01:00"><Header/><Request><ShipNoticeRequest>&xxe;</ShipNoticeRequest></Request></cXML>';
    const refused = await post(xxe);
    assert.equal(refused.status.code, 406);
    assert.match(refused.status.detail ?? '', /internal DTD subset/);
    assert.ok(!refused.text.includes('root:'));
    assert.equal((await post('this is not xml')).status.code, 406);
    const kept = (await rows()).filter((r) => r.doc_type === 'unreadable');
    assert.equal(kept.length, 2);
    assert.ok(kept.every((r) => r.status === 'refused' && r.punchout_id === null && r.po_id === null));

    const profile = await post(fixtureText('35-'));
    assert.equal(profile.status.code, 450);
    assert.match(profile.status.detail ?? '', /ProfileRequest is not supported/);

    // A supplier whose documents match nothing sees why on the sandbox's start page.
    const home = await (await fetch(`${t.baseUrl}/sandbox`)).text();
    assert.match(home, /Recent documents that matched no order/);
    assert.match(home, /406 Not Acceptable: The document could not be read/);
    assert.match(home, /417 Expectation Failed: Unknown purchase order orderID (&quot;|&#34;)PO-NOPE/);

    const get = await fetch(`${t.baseUrl}/sandbox/cxml`);
    assert.match(await get.text(), /by HTTP POST/);
  });
});

describe('Koppel\'s own documents for the sandbox order, through the outbox', () => {
  test('confirmation, ship notice and invoice of the demo-cxml order are delivered to the sandbox and accepted', async () => {
    // The supplier side of the same order: what the sandbox's OrderRequest became in Koppel.
    const order = await t.store.db.selectFrom('orders').selectAll().where('connection_id', '=', 'demo-cxml').where('order_id', '=', ref.orderID).executeTakeFirstOrThrow();
    const actor = { kind: 'admin', name: 'tests' } as const;
    const results = [
      await createConfirmation(t.ctx, order.id, { type: 'accept', deliveryDate: '2026-12-31' }, actor),
      await createShipNotice(t.ctx, order.id, { carrier: 'DHL Freight', scac: 'DHLF', trackingNumber: 'JD-OUTBOX-1' }, actor),
      await createInvoice(t.ctx, order.id, {}, actor),
    ];
    for (const r of results) assert.ok(r.ok, JSON.stringify(r));
    const before = (await rows()).length;
    const claimed = await claimDue(t.ctx, { owner: 'tests', limit: 10, leaseMs: 60_000 });
    assert.equal(claimed.length, 3);
    for (const row of claimed) {
      const outcome = await deliverClaimed(t.ctx, row, { owner: 'tests', settings: { maxAttempts: 1, baseDelayMs: 1000, maxDelayMs: 1000, requestTimeoutMs: 10_000 } });
      assert.equal(outcome.status, 'delivered', `${row.doc_type}: ${outcome.reason}`);
    }
    const received = (await rows()).slice(before);
    assert.deepEqual(received.map((r) => [r.doc_type, r.status, r.po_id]).sort(), [
      ['ConfirmationRequest', 'accepted', po.id],
      ['InvoiceDetailRequest', 'accepted', po.id],
      ['ShipNoticeRequest', 'accepted', po.id],
    ]);
    const html = await page();
    assert.match(html, /JD-OUTBOX-1/);
  });
});
