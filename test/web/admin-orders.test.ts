/**
 * /admin/orders over real HTTP: orders arrive as cXML OrderRequests from the demo buyer, an admin
 * finds them with the list's filters, reads one in full (addresses, flags, lines — never a card
 * number, buyer text always escaped), sends a confirmation, a ship notice, an invoice and a credit
 * memo through the forms, retries a document the buyer refused, marks the order reviewed and
 * closes it. A viewer sees everything and can change nothing; every form needs its CSRF token; a
 * refused form comes back with what was typed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { adminLogin, type AdminClient } from '../helpers/admin.js';
import { demoHeader, postCxml, testPayloadId } from '../helpers/cxml.js';
import { FakeBuyer, cxmlStatus, ok } from '../jobs/fixtures/fake-buyer.js';
import { writeOrderRequest } from '../../src/protocol/cxml/writer.js';
import { claimDue, deliverClaimed } from '../../src/jobs/outbox.js';
import type { StoredOptions } from '../../src/domain/connection.js';

const CARD = '4111111111111111';
const SCRIPT_COMMENT = '<script>alert("comment")</script> Please deliver to gate 7 & ring twice';
const SCRIPT_DESCRIPTION = '<script>alert("line")</script> Ballpoint pens';
const SCRIPT_EXTRINSIC = '<img src=x onerror=alert(1)>';

let t: TestApp;
let admin: AdminClient;
let viewer: AdminClient;
let buyer: FakeBuyer;

interface Placed {
  id: string;
  orderID: string;
}
const orders: Record<'rich' | 'plain' | 'other', Placed> = {} as never;

before(async () => {
  t = await startTestApp({ config: { secretKey: randomBytes(32).toString('base64') } });
  admin = await adminLogin(t, 'admin');
  viewer = await adminLogin(t, 'viewer');
  buyer = await new FakeBuyer().start();
});
after(async () => {
  await buyer?.close();
  await t?.close();
});

let counter = 0;

/** Posts an OrderRequest as the demo buyer; the stored order's row id. */
async function placeOrder(o: { orderID?: string; type?: 'new' | 'update'; rich?: boolean; lines?: { quantity: string; price: string; part: string; description?: string }[] } = {}): Promise<Placed> {
  counter += 1;
  const orderID = o.orderID ?? `PO-ADM-${process.pid}-${counter}`;
  const lines = o.lines ?? [
    { quantity: '10', price: '2.10', part: 'PEN-BLUE', description: 'Pens' },
    { quantity: '4', price: '12.50', part: 'NO-SUCH-PART', description: 'Binders' },
  ];
  const total = lines.reduce((s, l) => s.plus(new Decimal(l.quantity).times(l.price)), new Decimal(0));
  const rich = o.rich
    ? {
        shipTo: {
          name: 'Acme <b>Dock</b> 7',
          isoCountryCode: 'DE',
          postalAddress: { deliverTo: ['Joe Smith', 'Mailstop M-543'], street: ['Hauptstraße 1'], city: 'Köln', postalCode: '50667', country: 'Deutschland', countryCode: 'DE' },
        },
        payment: { number: CARD, expiration: '2030-03-31', name: 'Corporate card' },
        paymentTermDays: 30,
        comments: [{ text: SCRIPT_COMMENT, attachmentUrls: ['https://files.buyer.example/spec.pdf', 'cid:drawing-1'] }],
        extrinsics: [{ name: 'CostCenter', value: SCRIPT_EXTRINSIC }],
        shipping: { money: { amount: new Decimal('4.95'), currency: 'EUR' }, description: 'Standard freight' },
      }
    : {};
  const xml = writeOrderRequest({ payloadID: testPayloadId(), timestamp: new Date() }, demoHeader(), {
    header: {
      orderID,
      orderDate: new Date(Date.now() - 3_600_000),
      type: o.type ?? 'new',
      total: { amount: total, currency: 'EUR' },
      billTo: { name: 'Zinc GmbH', isoCountryCode: 'DE', postalAddress: { deliverTo: [], street: ['An den Eichen 18'], city: 'Solingen', postalCode: '42699', country: 'Deutschland', countryCode: 'DE' } },
      ...rich,
    },
    items: lines.map((l, i) => ({
      quantity: new Decimal(l.quantity),
      lineNumber: i + 1,
      itemID: { supplierPartID: l.part, supplierPartAuxiliaryID: `aux-${counter}-${i + 1}` },
      itemDetail: {
        unitPrice: { amount: new Decimal(l.price), currency: 'EUR' },
        descriptions: [{ lang: 'en', text: o.rich && i === 0 ? SCRIPT_DESCRIPTION : (l.description ?? `Item ${i + 1}`) }],
        unitOfMeasure: 'EA',
        classifications: [{ domain: 'UNSPSC', code: '44121700' }],
      },
    })),
  } as Parameters<typeof writeOrderRequest>[2]);
  const answer = await postCxml(t.baseUrl, xml);
  assert.equal(answer.status.code, 200, answer.text);
  const row = await t.store.db.selectFrom('orders').select('id').where('order_id', '=', orderID).executeTakeFirstOrThrow();
  return { id: row.id, orderID };
}

async function page(client: AdminClient, path: string, status = 200): Promise<string> {
  const res = await client.get(path);
  const body = await res.text();
  assert.equal(res.status, status, `${path}: ${body.slice(0, 400)}`);
  return body;
}

async function counts() {
  const n = async (table: 'order_documents' | 'outbox' | 'order_events' | 'orders' | 'admin_audit') => Number((await t.store.db.selectFrom(table).select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { documents: await n('order_documents'), outbox: await n('outbox'), events: await n('order_events'), orders: await n('orders'), audit: await n('admin_audit') };
}

async function orderRow(id: string) {
  return t.store.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Every action form's path for an order. */
const ACTIONS = ['confirm', 'ship', 'invoice', 'credit', 'close', 'review', 'retry'] as const;

/** Asserts a 303 to the order page and returns that page. */
async function postOk(path: string, fields: Record<string, string>): Promise<{ location: string; page: string }> {
  const res = await admin.post(path, fields);
  const body = await res.text();
  assert.equal(res.status, 303, `${path}: ${res.status} ${body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 1200)}`);
  const location = res.headers.get('location')!;
  return { location, page: await page(admin, location) };
}

describe('setup', () => {
  test('the demo cXML buyer gets a document URL and an outbound secret; three orders arrive', async () => {
    const row = await t.store.db.selectFrom('connections').select('options').where('id', '=', 'demo-cxml').executeTakeFirstOrThrow();
    const options = JSON.parse(row.options) as StoredOptions;
    await t.store.db
      .updateTable('connections')
      .set({ options: JSON.stringify({ ...options, cxml: { ...(options.cxml ?? {}), documentUrl: buyer.url, paymentTermDays: 30 } }) })
      .where('id', '=', 'demo-cxml')
      .execute();
    assert.equal((await admin.post('/admin/connections/demo-cxml/outbound-secret', { outboundSecret: 'outbound-secret-for-orders' })).status, 303);
    orders.rich = await placeOrder({ rich: true, orderID: `PO-RICH-${process.pid}` });
    orders.plain = await placeOrder({ orderID: `PO-PLAIN-${process.pid}`, lines: [{ quantity: '3', price: '5.00', part: 'PLAIN-1' }] });
    orders.other = await placeOrder({ orderID: `PO-OTHER-${process.pid}` });
  });
});

describe('the list', () => {
  test('shows every order with its status, flags and a link; the nav has "Orders"', async () => {
    const body = await page(admin, '/admin/orders');
    assert.match(body, /<a href="\/admin\/orders" aria-current="page">Orders<\/a>/);
    for (const o of Object.values(orders)) assert.ok(body.includes(`href="/admin/orders/${o.id}"`), `links ${o.orderID}`);
    assert.match(body, /3 orders/);
    assert.match(body, /<span class="badge order-received">Received<\/span>/);
    assert.match(body, /\d+ flags?<\/span>/, 'open review flags are counted');
  });

  test('filters: orderID search, status, connection, received from/to, needs review; nonsense is named', async () => {
    const only = async (query: string, expected: Placed[]) => {
      const body = await page(admin, `/admin/orders?${query}`);
      for (const o of Object.values(orders)) {
        assert.equal(body.includes(`href="/admin/orders/${o.id}"`), expected.includes(o), `${query}: ${o.orderID} ${expected.includes(o) ? 'listed' : 'not listed'}`);
      }
      return body;
    };
    await only('q=RICH', [orders.rich]);
    await only(`q=${encodeURIComponent(`PO-PLAIN-${process.pid}`)}`, [orders.plain]);
    await only('status=received', [orders.rich, orders.plain, orders.other]);
    await only('status=shipped', []);
    await only('connection=demo-cxml', [orders.rich, orders.plain, orders.other]);
    await only('connection=demo-oci', []);
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await only(`from=${today}&to=${today}`, [orders.rich, orders.plain, orders.other]);
    await only(`from=${tomorrow}`, []);
    await only(`to=${yesterday}`, []);
    const body = await only('from=2026-13-45&status=lost', [orders.rich, orders.plain, orders.other]);
    assert.match(body, /from date &quot;2026-13-45&quot; is not a date/);
    assert.match(body, /status &quot;lost&quot; is not an order status/);
    assert.match(await only('review=1', [orders.rich, orders.plain, orders.other]), /name="review" value="1" checked/);
  });
});

describe('the detail page', () => {
  test('shows the header, addresses, payment with a masked card, comments with attachments, extrinsics, lines and flags', async () => {
    const body = await page(admin, `/admin/orders/${orders.rich.id}`);
    assert.match(body, new RegExp(`<h1>Order PO-RICH-${process.pid} `));
    assert.match(body, /Joe Smith<br>Mailstop M-543<br>Hauptstraße 1<br>50667 Köln/);
    assert.match(body, /An den Eichen 18<br>42699 Solingen/);
    assert.match(body, /card •••• 1111, expires 2030-03-31/);
    assert.match(body, /30 days/);
    assert.match(body, /Standard freight/);
    assert.match(body, /<a href="https:\/\/files\.buyer\.example\/spec\.pdf"/);
    assert.match(body, /<code>cid:drawing-1<\/code>/, 'a non-http attachment is text, not a link');
    assert.match(body, /<code>CostCenter<\/code>/);
    // Lines: part IDs, quantities, prices, the flag on the unknown part.
    assert.match(body, /<code>PEN-BLUE<\/code>/);
    assert.match(body, /<code>NO-SUCH-PART<\/code>/);
    assert.match(body, /12\.50&nbsp;EUR/);
    assert.match(body, /id="review"/);
    assert.match(body, /needs review/);
    assert.match(body, /<span class="badge warn"[^>]*>[a-z ]+<\/span>/, 'line flags are shown');
    assert.match(body, /action="\/admin\/orders\/[^"]+\/review"/, 'an admin may mark it reviewed');
  });

  test('never shows the full card number, on the page or anywhere in the log views', async () => {
    for (const path of [`/admin/orders/${orders.rich.id}`, '/admin/orders', `/admin/documents?order=${orders.rich.id}`]) {
      const body = await page(admin, path);
      assert.ok(!body.includes(CARD), `${path} shows the card number`);
      assert.ok(!body.includes(CARD.slice(0, 12)), `${path} shows most of the card number`);
    }
  });

  test('buyer text is escaped: a <script> in a comment, a description or an extrinsic renders as text', async () => {
    const body = await page(admin, `/admin/orders/${orders.rich.id}`);
    assert.ok(!/<script/i.test(body), 'no script element');
    assert.ok(!body.includes('<img src=x'), 'no injected image');
    assert.ok(!body.includes('<b>Dock</b>'), 'no injected markup in the address');
    assert.ok(body.includes('&lt;script&gt;alert(&quot;comment&quot;)&lt;/script&gt; Please deliver to gate 7 &amp; ring twice'));
    assert.ok(body.includes('&lt;script&gt;alert(&quot;line&quot;)&lt;/script&gt; Ballpoint pens'));
    assert.ok(body.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(body.includes('Acme &lt;b&gt;Dock&lt;/b&gt; 7'));
  });

  test('an unknown order is a 404 page', async () => {
    const body = await page(admin, '/admin/orders/no-such-order', 404);
    assert.match(body, /No such order/);
    assert.equal((await admin.post('/admin/orders/no-such-order/confirm', { type: 'accept' })).status, 404);
  });
});

describe('a viewer and the CSRF token', () => {
  test('a viewer sees the order but no action form, and gets 403 on every action with nothing changed', async () => {
    const body = await page(viewer, `/admin/orders/${orders.rich.id}`);
    assert.match(body, /PEN-BLUE/);
    assert.doesNotMatch(body, /<form method="post" action="\/admin\/orders/);
    assert.match(body, /Only administrators can send documents/);
    const before = await counts();
    const order = await orderRow(orders.rich.id);
    for (const action of ACTIONS) {
      const res = await viewer.post(`/admin/orders/${orders.rich.id}/${action}`, { type: 'accept', carrier: 'DHL', trackingNumber: '1', reason: 'x', outbox: 'x' });
      assert.equal(res.status, 403, `viewer ${action}`);
      assert.match(await res.text(), /may look at the admin but not change anything/);
    }
    assert.deepEqual(await counts(), before);
    assert.deepEqual(await orderRow(orders.rich.id), order);
  });

  test('an admin without the form\'s token, or with a wrong one, is refused and nothing changes', async () => {
    const before = await counts();
    for (const action of ACTIONS) {
      for (const token of ['', `${admin.csrf.slice(0, -3)}abc`, viewer.csrf]) {
        const res = await admin.post(`/admin/orders/${orders.rich.id}/${action}`, { _csrf: token, type: 'accept' });
        assert.equal(res.status, 403, `${action} with token "${token.slice(0, 6)}…"`);
        assert.match(await res.text(), /security token is missing or old/);
      }
    }
    assert.deepEqual(await counts(), before);
  });
});

describe('documents through the forms', () => {
  test('a refused ship notice comes back with the typed values and each problem; nothing is stored', async () => {
    const before = await counts();
    const res = await admin.post(`/admin/orders/${orders.rich.id}/ship`, {
      carrier: 'DHL Express',
      scac: 'DHLC',
      trackingNumber: '',
      trackingUrl: 'javascript:alert(1)',
      shipmentDate: '2026-02-30',
      deliveryDate: '',
      l1_quantity: '1,5',
      l2_quantity: '2',
      comment: 'Typed <comment> kept',
    });
    assert.equal(res.status, 400);
    const body = await res.text();
    assert.match(body, /<details class="card order-action" id="ship" open>/);
    assert.match(body, /Tracking number: give the tracking number/);
    assert.match(body, /Tracking URL: &quot;javascript:alert\(1\)&quot; is not an http:\/\/ or https:\/\/ URL/);
    assert.match(body, /Shipment date: &quot;2026-02-30&quot; is not a date/);
    assert.match(body, /Line 1 quantity: &quot;1,5&quot; has a comma; write decimals with a point \(e\.g\. 1\.5\)/);
    assert.match(body, /name="carrier" value="DHL Express"/);
    assert.match(body, /name="scac" value="DHLC"/);
    assert.match(body, /name="trackingUrl" value="javascript:alert\(1\)"[^>]*aria-invalid="true"/);
    assert.match(body, /name="l1_quantity" value="1,5"[^>]*aria-invalid="true"/);
    assert.match(body, /name="l2_quantity" value="2"/);
    assert.match(body, /Typed &lt;comment&gt; kept<\/textarea>/);
    assert.match(body, /Decimal point only \(1\.5, not 1,5\)/, 'the hint says how to write decimals');
    assert.deepEqual(await counts(), before);
  });

  test('rejecting without a comment is refused, naming the field', async () => {
    const res = await admin.post(`/admin/orders/${orders.rich.id}/confirm`, { type: 'reject', comment: '  ' });
    assert.equal(res.status, 400);
    const body = await res.text();
    assert.match(body, /Comment: say why the order is rejected/);
    assert.match(body, /<input type="radio" name="type" value="reject" checked>/);
  });

  test('confirm, ship and invoice: each redirects with the document number, queues an outbox row and shows in the timeline', async () => {
    const id = orders.rich.id;
    const before = await counts();
    const confirmed = await postOk(`/admin/orders/${id}/confirm`, { type: 'accept', deliveryDate: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10), comment: 'Thanks' });
    assert.match(confirmed.location, new RegExp(`^/admin/orders/${id}\\?created=`));
    const confirmation = await t.store.db.selectFrom('order_documents').selectAll().where('order_id', '=', id).where('kind', '=', 'confirmation').executeTakeFirstOrThrow();
    assert.ok(confirmed.page.includes(`Confirmation ${confirmation.number} created`), 'the notice names the number');
    assert.match(confirmed.page, /<span class="badge ok">Confirmed<\/span>/);

    // The ship form is prefilled with what remains: all of both lines.
    assert.match(confirmed.page, /name="l1_quantity" value="10"/);
    const shipped = await postOk(`/admin/orders/${id}/ship`, { carrier: 'DHL', scac: 'DHLC', trackingNumber: 'JD0001', trackingUrl: 'https://track.example/JD0001', shipmentDate: new Date().toISOString().slice(0, 10), l1_quantity: '10', l2_quantity: '1.5' });
    const notice = await t.store.db.selectFrom('order_documents').selectAll().where('order_id', '=', id).where('kind', '=', 'ship_notice').executeTakeFirstOrThrow();
    assert.ok(shipped.page.includes(`Ship notice ${notice.number} created`));
    assert.match(shipped.page, /Partly shipped/);

    // The invoice form offers what was shipped and not invoiced.
    assert.match(shipped.page, /id="invoice"[\s\S]*name="l2_quantity" value="1\.5"/);
    const invoiced = await postOk(`/admin/orders/${id}/invoice`, { invoiceDate: new Date().toISOString().slice(0, 10), l1_quantity: '10', l2_quantity: '1.5', shipping: '4.95' });
    const invoice = await t.store.db.selectFrom('order_documents').selectAll().where('order_id', '=', id).where('kind', '=', 'invoice').executeTakeFirstOrThrow();
    assert.ok(invoiced.page.includes(`Invoice ${invoice.number} created`));

    const after = await counts();
    assert.equal(after.documents, before.documents + 3);
    assert.equal(after.outbox, before.outbox + 3, 'one outbox row per document');
    const outbox = await t.store.db.selectFrom('outbox').selectAll().where('order_id', '=', id).execute();
    assert.deepEqual(outbox.map((r) => r.doc_type).sort(), ['ConfirmationRequest', 'InvoiceDetailRequest', 'ShipNoticeRequest']);
    assert.ok(outbox.every((r) => r.status === 'pending' && r.url === buyer.url));

    // Documents sent and the timeline, on the page.
    const body = invoiced.page;
    for (const d of [confirmation, notice, invoice]) {
      assert.ok(body.includes(`<strong>${d.number}</strong>`), `documents table lists ${d.number}`);
      assert.ok(body.includes(d.payload_id), `payloadID of ${d.number}`);
    }
    // What each document said.
    assert.match(body, /Accepted as ordered, delivery \d{4}-\d\d-\d\d/);
    assert.match(body, /DHL \(DHLC\), tracking <a href="https:\/\/track\.example\/JD0001"[^>]*>JD0001<\/a>/);
    assert.match(body, /partial shipment on \d{4}-\d\d-\d\d; line 1: 10 EA, line 2: 1\.5 EA/);
    assert.match(body, /dated \d{4}-\d\d-\d\d; line 1: 10 EA, line 2: 1\.5 EA; shipping 4\.95/);
    const timeline = body.slice(body.indexOf('id="timeline"'));
    assert.match(timeline, /Order received/);
    assert.match(timeline, /<strong>Confirmed<\/strong>/);
    assert.match(timeline, /<strong>Ship notice<\/strong>/);
    assert.match(timeline, /<strong>Invoiced<\/strong>/);
    assert.match(timeline, /OrderRequest<\/a>/, 'the inbound OrderRequest from the document log');
    assert.match(timeline, /by admin:admin\d+/);
    // Each action is in the audit trail.
    const audit = await t.store.db.selectFrom('admin_audit').select(['action', 'detail']).where('action', 'like', 'order.%').execute();
    for (const [action, d] of [['order.confirm', confirmation], ['order.ship-notice', notice], ['order.invoice', invoice]] as const) {
      assert.ok(audit.some((a) => a.action === action && a.detail.includes(d.number)), `${action} audited`);
    }
  });

  test('a per-line confirmation on another order: each line its own status', async () => {
    const id = orders.other.id;
    await postOk(`/admin/orders/${id}/confirm`, { type: 'detail', l1_accept: '10', l2_accept: '0', l2_reject: '4', l2_comment: 'discontinued' });
    const lines = await t.store.db.selectFrom('order_lines').select(['line_number', 'confirmed_quantity', 'rejected_quantity']).where('order_id', '=', id).orderBy('line_number').execute();
    assert.ok(new Decimal(lines[0]!.confirmed_quantity).eq(10));
    assert.ok(new Decimal(lines[1]!.rejected_quantity).eq(4));
    const body = await page(admin, `/admin/orders/${id}`);
    assert.match(body, /4 rejected/);
    // Nothing of line 2 remains to ship.
    assert.match(body, /id="ship"[\s\S]*name="l2_quantity" value="0"/);
  });

  test('per line, a partial answer: accept 2 and backorder 1 with its date; accept at a new price and reject the rest with a reason', async () => {
    const placed = await placeOrder({ lines: [{ quantity: '3', price: '10.00', part: 'PART-A' }, { quantity: '4', price: '12.50', part: 'PART-B' }, { quantity: '5', price: '1.00', part: 'PART-C' }] });
    const form = await page(admin, `/admin/orders/${placed.id}`);
    // Defaults: everything accepted, nothing backordered or rejected.
    assert.match(form, /name="l1_accept" value="3"/);
    assert.match(form, /name="l1_backorder" value=""/);
    assert.match(form, /name="l1_reject" value=""/);
    const soon = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    await postOk(`/admin/orders/${placed.id}/confirm`, {
      type: 'detail',
      l1_accept: '2', l1_backorder: '1', l1_backorderDate: soon, l1_reject: '',
      l2_accept: '1', l2_unitPrice: '11.75', l2_backorder: '', l2_reject: '3', l2_comment: 'Only one left, discontinued',
      l3_accept: '5',
    });
    const doc = await t.store.db.selectFrom('order_documents').selectAll().where('order_id', '=', placed.id).where('kind', '=', 'confirmation').executeTakeFirstOrThrow();
    const input = JSON.parse(doc.input) as { type: string; lines: { lineNumber: number; statuses: Record<string, string>[] }[] };
    assert.equal(input.type, 'detail');
    assert.deepEqual(input.lines.map((l) => [l.lineNumber, l.statuses]), [
      [1, [{ type: 'accept', quantity: '2' }, { type: 'backordered', quantity: '1', deliveryDate: soon }]],
      [2, [{ type: 'detail', quantity: '1', unitPrice: '11.75' }, { type: 'reject', quantity: '3', comment: 'Only one left, discontinued' }]],
      [3, [{ type: 'accept', quantity: '5' }]],
    ]);
    // What goes to the buyer says the same.
    const outbox = await t.store.db.selectFrom('outbox').select('body').where('id', '=', doc.outbox_id).executeTakeFirstOrThrow();
    assert.match(outbox.body, /<ConfirmationStatus quantity="2" type="accept">/);
    assert.match(outbox.body, new RegExp(`<ConfirmationStatus quantity="1" type="backordered" deliveryDate="${soon}`));
    assert.match(outbox.body, /<ConfirmationStatus quantity="1" type="detail">[\s\S]*?<Money currency="EUR">11.75<\/Money>/);
    assert.match(outbox.body, /<ConfirmationStatus quantity="3" type="reject">[\s\S]*?Only one left, discontinued/);
    const lines = await t.store.db.selectFrom('order_lines').select(['line_number', 'confirmed_quantity', 'rejected_quantity']).where('order_id', '=', placed.id).orderBy('line_number').execute();
    assert.deepEqual(lines.map((l) => [l.line_number, new Decimal(l.confirmed_quantity).toFixed(), new Decimal(l.rejected_quantity).toFixed()]), [[1, '3', '0'], [2, '1', '3'], [3, '5', '0']]);
  });

  test('a per-line answer that does not add up is refused: every typed value kept, each problem named, nothing stored', async () => {
    const placed = await placeOrder({ lines: [{ quantity: '3', price: '10.00', part: 'PART-A' }, { quantity: '4', price: '12.50', part: 'PART-B' }] });
    const before = await counts();
    const fields = {
      type: 'detail',
      l1_accept: '2', l1_backorder: '', l1_backorderDate: '2031-01-15', l1_reject: '', l1_comment: 'typed <kept>',
      l2_accept: '0', l2_unitPrice: '11.75', l2_backorder: '1,5', l2_reject: '2',
    };
    const res = await admin.post(`/admin/orders/${placed.id}/confirm`, fields);
    assert.equal(res.status, 400);
    const body = await res.text();
    assert.match(body, /<details class="card order-action" id="confirm" open>/);
    assert.match(body, /<input type="radio" name="type" value="detail" checked>/);
    assert.ok(body.includes('Line 1: accept 2 + backorder 0 + reject 0 = 2, but 3 EA were ordered; the three must add up to the ordered quantity.'), 'line 1 sum named');
    assert.ok(body.includes('Line 1 expected date: nothing is backordered; leave it empty or enter a backorder qty.'));
    assert.ok(body.includes('Line 2 backorder qty: &quot;1,5&quot; has a comma; write decimals with a point (e.g. 1.5).'));
    assert.ok(body.includes('Line 2 new unit price: it applies to the accepted quantity, and none is accepted; leave it empty or accept some.'));
    assert.ok(body.includes('Line 2 comment: say why the quantity is rejected; the buyer reads it.'));
    assert.match(body, /name="l1_accept" value="2"[^>]*aria-invalid="true"/);
    assert.match(body, /name="l1_backorderDate" value="2031-01-15"[^>]*aria-invalid="true"/);
    assert.match(body, /name="l1_comment" value="typed &lt;kept&gt;"/);
    assert.match(body, /name="l2_accept" value="0"/);
    assert.match(body, /name="l2_unitPrice" value="11.75"[^>]*aria-invalid="true"/);
    assert.match(body, /name="l2_backorder" value="1,5"[^>]*aria-invalid="true"/);
    assert.match(body, /name="l2_reject" value="2"/);
    assert.deepEqual(await counts(), before);

    // Corrected, the same form goes through.
    await postOk(`/admin/orders/${placed.id}/confirm`, { ...fields, l1_backorder: '1', l2_unitPrice: '', l2_backorder: '2', l2_backorderDate: '2031-02-01', l2_comment: 'Discontinued' });
  });

  test('after a change order the confirm form is offered again with the new quantities, and a second confirmation goes out', async () => {
    const placed = await placeOrder({ lines: [{ quantity: '3', price: '10.00', part: 'PART-A' }] });
    await postOk(`/admin/orders/${placed.id}/confirm`, { type: 'accept' });
    const confirmed = await page(admin, `/admin/orders/${placed.id}`);
    assert.doesNotMatch(confirmed, /action="\/admin\/orders\/[^"]+\/confirm"/);
    assert.match(confirmed, /a confirmation is sent once per version of the order/);
    await placeOrder({ orderID: placed.orderID, type: 'update', lines: [{ quantity: '5', price: '10.00', part: 'PART-A' }] });
    const updated = await page(admin, `/admin/orders/${placed.id}`);
    assert.match(updated, /id="confirm"/);
    assert.match(updated, /name="l1_accept" value="5"/);
    const missingDate = await admin.post(`/admin/orders/${placed.id}/confirm`, { type: 'detail', l1_accept: '4', l1_backorder: '1' });
    assert.equal(missingDate.status, 400);
    assert.ok((await missingDate.text()).includes('Line 1 expected date: required for the backordered quantity.'));
    await postOk(`/admin/orders/${placed.id}/confirm`, { type: 'detail', l1_accept: '4', l1_backorder: '1', l1_backorderDate: '2031-03-01' });
    assert.equal((await t.store.db.selectFrom('order_documents').select('id').where('order_id', '=', placed.id).where('kind', '=', 'confirmation').execute()).length, 2);
    assert.equal((await orderRow(placed.id)).status, 'confirmed');
  });

  test('a credit memo against the invoice', async () => {
    const id = orders.rich.id;
    const invoice = await t.store.db.selectFrom('order_documents').selectAll().where('order_id', '=', id).where('kind', '=', 'invoice').executeTakeFirstOrThrow();
    const refused = await admin.post(`/admin/orders/${id}/credit`, { invoiceNumber: invoice.number, amount: '2,00', reason: '' });
    assert.equal(refused.status, 400);
    const text = await refused.text();
    assert.match(text, /Net amount credited: &quot;2,00&quot; has a comma/);
    assert.match(text, /Reason: say why/);
    const credited = await postOk(`/admin/orders/${id}/credit`, { invoiceNumber: invoice.number, amount: '2.00', reason: 'One pen was broken' });
    const memo = await t.store.db.selectFrom('order_documents').selectAll().where('order_id', '=', id).where('kind', '=', 'credit_memo').executeTakeFirstOrThrow();
    assert.ok(credited.page.includes(`Credit memo ${memo.number} created`));
  });

  test('the buyer refuses a document: the page shows the failure and "Retry now" queues it again', async () => {
    const id = orders.rich.id;
    buyer.script = (r) => (r.body.includes('ConfirmationRequest') ? { status: 200, body: cxmlStatus(400, 'Unknown order reference'), headers: { 'content-type': 'text/xml' } } : ok());
    // One round of the outbox worker, as `koppel serve` runs it.
    const claimed = await claimDue(t.ctx, { owner: 'test-worker', limit: 20, leaseMs: 60_000 });
    assert.ok(claimed.length >= 4);
    for (const row of claimed) await deliverClaimed(t.ctx, row, { owner: 'test-worker', settings: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 2000, requestTimeoutMs: 5000 }, random: () => 0 });
    const failed = await t.store.db.selectFrom('outbox').selectAll().where('order_id', '=', id).where('status', '=', 'failed').executeTakeFirstOrThrow();
    assert.equal(failed.doc_type, 'ConfirmationRequest');

    const body = await page(admin, `/admin/orders/${id}`);
    assert.match(body, /<span class="badge error">failed<\/span>/);
    assert.match(body, /Unknown order reference/);
    assert.match(body, /<span class="badge ok">delivered<\/span>/);
    assert.match(body, /<a href="\/admin\/documents\/[^"]+">log entry<\/a>/);
    assert.ok(body.includes(`name="outbox" value="${failed.id}"`), 'Retry now for the failed row');
    assert.equal((body.match(/Retry now/g) ?? []).length, 1, 'only failed rows can be retried');
    assert.match(body.slice(body.indexOf('id="timeline"')), /ConfirmationRequest<\/a> <span class="badge error">400<\/span>/, 'the attempt is in the timeline');

    // A row of another order cannot be requeued through this one.
    const foreign = await admin.post(`/admin/orders/${orders.plain.id}/retry`, { outbox: failed.id });
    assert.equal(foreign.status, 404);
    assert.equal((await t.store.db.selectFrom('outbox').select('status').where('id', '=', failed.id).executeTakeFirstOrThrow()).status, 'failed');

    const retried = await postOk(`/admin/orders/${id}/retry`, { outbox: failed.id });
    assert.match(retried.page, /queued again/);
    // Through the app layer's retry: the refused confirmation counts again, and the history says so.
    const doc = await t.store.db.selectFrom('order_documents').select(['id', 'state', 'number']).where('outbox_id', '=', failed.id).executeTakeFirstOrThrow();
    assert.equal(doc.state, 'active');
    const events = await t.store.db.selectFrom('order_events').select(['kind', 'detail']).where('order_id', '=', id).where('document_id', '=', doc.id).execute();
    assert.ok(events.some((e) => e.kind === 'confirmed' && e.detail.startsWith(`${doc.number}:`) && /queued again/.test(e.detail)), JSON.stringify(events));
    const row = await t.store.db.selectFrom('outbox').selectAll().where('id', '=', failed.id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'pending');
    assert.equal(Number(row.attempts), 0);
    const again = await admin.post(`/admin/orders/${id}/retry`, { outbox: failed.id });
    assert.equal(again.status, 409, 'a row that is not failed is not requeued');
    const audit = await t.store.db.selectFrom('admin_audit').selectAll().where('action', '=', 'order.retry-document').execute();
    assert.equal(audit.length, 1);
  });

  test('mark reviewed, then close: the page keeps the flags, shows who reviewed, and offers no more forms', async () => {
    const id = orders.rich.id;
    const reviewed = await postOk(`/admin/orders/${id}/review`, { note: 'Binders are a special order' });
    assert.match(reviewed.page, /Marked reviewed by <strong>admin:admin\d+<\/strong>/);
    assert.doesNotMatch(reviewed.page, /action="\/admin\/orders\/[^"]+\/review"/);
    assert.ok(!(await page(admin, '/admin/orders?review=1')).includes(`href="/admin/orders/${id}"`), 'no longer needs review');

    const closed = await postOk(`/admin/orders/${id}/close`, { reason: 'Rest cancelled by phone' });
    assert.match(closed.page, /The order is closed/);
    assert.match(closed.page, /<span class="badge muted">Closed<\/span>/);
    assert.doesNotMatch(closed.page, /<form method="post" action="\/admin\/orders\/[^"]+\/(confirm|ship|invoice|credit|close)"/);
    assert.ok((await page(admin, '/admin/orders?status=closed')).includes(`href="/admin/orders/${id}"`));

    // The app refuses documents for a closed order; the refusal is shown, nothing stored.
    const before = await counts();
    const res = await admin.post(`/admin/orders/${id}/ship`, { carrier: 'DHL', trackingNumber: 'X1', l1_quantity: '1' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /nothing was sent.<\/p><ul><li>[^<]*closed/i);
    assert.deepEqual(await counts(), before);
    const audit = await t.store.db.selectFrom('admin_audit').select('action').where('action', 'in', ['order.review', 'order.close']).execute();
    assert.equal(audit.length, 2);
  });
});

describe('paging', () => {
  test('50 orders to a page, newest first; the pager keeps the filters; a page past the end says so', async () => {
    for (let i = 0; i < 52; i++) await placeOrder({ orderID: `PAGE-${process.pid}-${String(i).padStart(2, '0')}`, lines: [{ quantity: '1', price: '1.00', part: 'P' }] });
    const first = await page(admin, '/admin/orders?q=PAGE-');
    assert.match(first, /52 orders, 1–50 shown/);
    assert.equal((first.match(/href="\/admin\/orders\/[^"?]+" class="order-number"/g) ?? []).length, 50);
    assert.match(first, /Page 1 of 2/);
    assert.ok(first.includes(`PAGE-${process.pid}-51<`) && !first.includes(`PAGE-${process.pid}-00<`), 'newest first');
    assert.match(first, /<a href="\/admin\/orders\?q=PAGE-&amp;page=2" rel="next">/);
    const second = await page(admin, '/admin/orders?q=PAGE-&page=2');
    assert.match(second, /52 orders, 51–52 shown/);
    assert.ok(second.includes(`PAGE-${process.pid}-00<`), 'the oldest on the last page');
    const ids = (text: string) => [...text.matchAll(/href="\/admin\/orders\/([^"?]+)" class="order-number"/g)].map((m) => m[1]);
    assert.equal(new Set([...ids(first), ...ids(second)]).size, 52, 'every order on exactly one page');
    assert.match(second, /<a href="\/admin\/orders\?q=PAGE-" rel="prev">/);
    const past = await page(admin, '/admin/orders?q=PAGE-&page=9');
    assert.match(past, /No orders on page 9: there are 52 orders/);
    assert.match(await page(admin, '/admin/orders?page=0'), /page &quot;0&quot; is not a page number/);
  });
});
