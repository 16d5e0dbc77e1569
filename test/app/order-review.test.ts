/**
 * Reconciliation of purchase orders with real punchout carts: orders sent over HTTP, carts made
 * through the punchout use cases. Flags for every difference, never a refusal, and never a match
 * with another buyer's cart.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { postCxml, demoHeader } from '../helpers/cxml.js';
import { createOtherBuyer, linesFromCart, newOrderId, orderXml, punchedOutCart, type TestLine, type TestOrder } from '../helpers/orders.js';
import type { Header } from '../../src/protocol/cxml/model.js';
import { createConnection, getConnection } from '../../src/app/connections.js';
import { createSession } from '../../src/app/punchout.js';
import { describeOrderChanges, reconcile, type CartLineFacts } from '../../src/app/order-review.js';

let t: TestApp;
let other: Header;
before(async () => {
  t = await startTestApp();
  other = await createOtherBuyer(t.ctx, 'rev-other');
});
after(async () => {
  await t.close();
});

async function send(o: TestOrder, header: Header = demoHeader()) {
  const { xml, payloadID } = orderXml(o, header);
  const r = await postCxml(t.baseUrl, xml);
  assert.equal(r.status.code, 200, `the order is always accepted: ${r.status.detail}`);
  return { ...r, payloadID };
}

interface Stored {
  id: string;
  review: { code: string; message: string }[];
  sessionIds: string[];
  lines: { lineNumber: number; productId: string | null; cartLineId: string | null; codes: string[]; messages: string[] }[];
}

async function stored(orderID: string, connectionId = 'demo-cxml'): Promise<Stored> {
  const o = await t.store.db.selectFrom('orders').selectAll().where('connection_id', '=', connectionId).where('order_id', '=', orderID).executeTakeFirstOrThrow();
  const lines = await t.store.db.selectFrom('order_lines').selectAll().where('order_id', '=', o.id).orderBy('line_number').execute();
  return {
    id: o.id,
    review: JSON.parse(o.review),
    sessionIds: JSON.parse(o.session_ids),
    lines: lines.map((l) => {
      const flags = JSON.parse(l.review) as { code: string; message: string }[];
      return { lineNumber: l.line_number, productId: l.product_id, cartLineId: l.cart_line_id, codes: flags.map((f) => f.code).sort(), messages: flags.map((f) => f.message) };
    }),
  };
}

describe('an order that repeats its cart', () => {
  test('has no flags, and links each line to its product and cart line and the order to the session', async () => {
    const cart = await punchedOutCart(t.ctx, 'demo-cxml', [
      { sku: 'KP-10001', quantity: '2' },
      { sku: 'KP-10005', quantity: '1' },
    ]);
    const orderID = newOrderId('REV');
    await send({ orderID, lines: linesFromCart(cart.lines) });
    const s = await stored(orderID);
    assert.deepEqual(s.review, []);
    assert.deepEqual(s.sessionIds, [cart.sessionId]);
    assert.deepEqual(
      s.lines.map((l) => [l.productId, l.cartLineId, l.codes]),
      cart.lines.map((c) => [c.product.id, c.id, []]),
    );
  });

  test('compares decimals by value: 2.000 × 4.650 is the cart’s 2 × 4.65', async () => {
    const cart = await punchedOutCart(t.ctx, 'demo-cxml', [{ sku: 'KP-10001', quantity: '2' }]);
    const [line] = linesFromCart(cart.lines);
    const orderID = newOrderId('REV');
    await send({ orderID, total: '9.300', lines: [{ ...line!, quantity: '2.000', price: '4.650' }] });
    const s = await stored(orderID);
    assert.deepEqual(s.lines[0]!.codes, []);
    assert.deepEqual(s.review, []);
  });
});

describe('differences from the cart', () => {
  test('quantity, price, unit, part and currency are flagged per line; cart lines not ordered and a wrong total per order', async () => {
    const cart = await punchedOutCart(t.ctx, 'demo-cxml', [
      { sku: 'KP-10001', quantity: '2' },
      { sku: 'KP-10005', quantity: '1' },
      { sku: 'KP-10002', quantity: '4' },
      { sku: 'KP-10003', quantity: '1' },
      { sku: 'KP-10004', quantity: '3' },
      { sku: 'KP-10006', quantity: '1' },
    ]);
    const exact = linesFromCart(cart.lines);
    const orderID = newOrderId('REV');
    await send({
      orderID,
      total: '999.00',
      lines: [
        { ...exact[0]!, quantity: '3' },
        { ...exact[1]!, price: '9.00' },
        { ...exact[2]!, unit: 'EA' },
        { ...exact[3]!, sku: 'KP-10002' },
        { ...exact[4]!, currency: 'USD' },
      ],
    });
    const s = await stored(orderID);
    assert.deepEqual(s.lines[0]!.codes, ['cart_quantity']);
    assert.match(s.lines[0]!.messages[0]!, /quantity 3 ordered, the cart had 2/);
    assert.deepEqual(s.lines[1]!.codes, ['cart_price', 'price_list']);
    assert.match(s.lines[1]!.messages.join(' '), /unit price 9 EUR, the cart had 9.29 EUR/);
    assert.deepEqual(s.lines[2]!.codes, ['cart_unit']);
    assert.match(s.lines[2]!.messages[0]!, /unit EA ordered, the cart sent PK/);
    assert.deepEqual(s.lines[3]!.codes, ['cart_part']);
    assert.match(s.lines[3]!.messages[0]!, /"KP-10002" differs from the cart line's "KP-10003"/);
    assert.equal(s.lines[3]!.productId, 'kp-10002', 'the product the buyer ordered');
    assert.equal(s.lines[3]!.cartLineId, cart.lines[3]!.id);
    assert.deepEqual(s.lines[4]!.codes, ['currency', 'currency', 'price_list']);
    assert.match(s.lines[4]!.messages.join(' '), /currency USD differs from the order's EUR/);
    assert.match(s.lines[4]!.messages.join(' '), /currency USD differs from the cart's EUR/);
    assert.deepEqual(s.review.map((f) => f.code), ['cart_line_missing', 'currency', 'total']);
    assert.match(s.review[0]!.message, new RegExp(`1 × KP-10006 \\(SupplierPartAuxiliaryID ${cart.lines[5]!.auxId}\\)`));
    assert.match(s.review[1]!.message, /^Line 5 is priced in USD, the order total in EUR/);
    assert.match(s.review[2]!.message, /total 999.00 EUR equals neither the sum of the EUR lines/);
  });

  test('lines without an aux ID, with an unknown aux ID, or naming no product are flagged', async () => {
    const orderID = newOrderId('REV');
    await send({
      orderID,
      lines: [
        { sku: 'KP-10001', quantity: '1', price: '4.65', unit: 'PK' },
        { sku: 'KP-10001', aux: 'no-such-aux', quantity: '1', price: '4.65', unit: 'PK' },
        { sku: 'NOT-OURS-1', quantity: '1', price: '2.00', unit: 'EA' },
      ],
    });
    const s = await stored(orderID);
    assert.deepEqual(s.lines.map((l) => l.codes), [['not_from_cart'], ['not_from_cart'], ['not_from_cart', 'unknown_product']]);
    assert.match(s.lines[0]!.messages[0]!, /has no SupplierPartAuxiliaryID/);
    assert.match(s.lines[1]!.messages[0]!, /"no-such-aux" matches no cart line of this buyer/);
    assert.match(s.lines[2]!.messages.join(' '), /"NOT-OURS-1" names no product/);
    assert.deepEqual(s.lines.map((l) => l.productId), ['kp-10001', 'kp-10001', null]);
    assert.deepEqual(s.sessionIds, []);
  });

  test('the header total may include shipping and tax; otherwise it must equal the lines', async () => {
    const base = { lines: [{ sku: 'KP-10001', quantity: '2', price: '4.65', unit: 'PK', aux: 'x' }] as TestLine[] };
    const money = (a: string) => ({ amount: new Decimal(a), currency: 'EUR' });
    const withExtras = newOrderId('TOT');
    await send({ ...base, orderID: withExtras, total: '16.30', header: { shipping: { money: money('5.00'), description: 'Flat' }, tax: { money: money('2.00'), description: 'VAT' } } });
    assert.deepEqual((await stored(withExtras)).review, []);
    const onlyShipping = newOrderId('TOT');
    await send({ ...base, orderID: onlyShipping, total: '14.30', header: { shipping: { money: money('5.00'), description: 'Flat' }, tax: { money: money('2.00'), description: 'VAT' } } });
    assert.deepEqual((await stored(onlyShipping)).review.map((f) => f.code), ['total']);
  });
});

describe('buyer isolation', () => {
  test("an aux ID of another connection's cart matches nothing; the other buyer's own order matches it", async () => {
    const foreign = await punchedOutCart(t.ctx, 'rev-other', [{ sku: 'KP-10001', quantity: '2' }]);
    const lines = linesFromCart(foreign.lines);
    const ours = newOrderId('ISO');
    await send({ orderID: ours, lines });
    const s = await stored(ours);
    assert.deepEqual(s.lines[0]!.codes, ['not_from_cart']);
    assert.equal(s.lines[0]!.cartLineId, null);
    assert.deepEqual(s.sessionIds, []);
    assert.deepEqual(s.review, [], "no 'cart_line_missing' from another buyer's cart");

    const theirs = newOrderId('ISO');
    await send({ orderID: theirs, lines }, other);
    const o = await stored(theirs, 'rev-other');
    assert.deepEqual(o.lines[0]!.codes, []);
    assert.equal(o.lines[0]!.cartLineId, foreign.lines[0]!.id);
    assert.deepEqual(o.sessionIds, [foreign.sessionId]);
  });
});

describe('what the cart sent', () => {
  test("units are compared with the buyer's unit from the connection's unit map", async () => {
    await createConnection(t.ctx, {
      id: 'rev-units',
      name: 'Unit-mapped buyer',
      protocol: 'cxml',
      buyerIdentities: [{ domain: 'NetworkID', identity: 'REV-UNITS' }],
      senderIdentities: [{ domain: 'NetworkID', identity: 'REV-UNITS' }],
      supplierIdentities: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO' }],
      secret: 'rev-units-secret-1',
      returnUrlPrefixes: ['https://'],
      options: { unitMap: { PK: 'PA' } },
    });
    const cart = await punchedOutCart(t.ctx, 'rev-units', [{ sku: 'KP-10001', quantity: '1' }, { sku: 'KP-10002', quantity: '1' }]);
    const header: Header = {
      from: { credentials: [{ domain: 'NetworkID', identity: 'REV-UNITS' }] },
      to: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO' }] },
      sender: { credentials: [{ domain: 'NetworkID', identity: 'REV-UNITS', sharedSecret: 'rev-units-secret-1' }], userAgent: 't' },
    };
    const orderID = newOrderId('UNIT');
    const lines = linesFromCart(cart.lines, () => 'PA');
    await send({ orderID, lines: [lines[0]!, { ...lines[1]!, unit: 'PK' }] }, header);
    const s = await stored(orderID, 'rev-units');
    assert.deepEqual(s.lines[0]!.codes, []);
    assert.deepEqual(s.lines[1]!.codes, ['cart_unit']);
    assert.match(s.lines[1]!.messages[0]!, /unit PK ordered, the cart sent PA/);
  });

  test("prices are compared with the buyer's current price (price list)", async () => {
    const now = new Date().toISOString();
    await t.store.db.insertInto('price_lists').values({ id: 'pl-rev', name: 'Rev list', currency: 'EUR', created_at: now }).execute();
    await t.store.db.insertInto('price_list_items').values({ price_list_id: 'pl-rev', product_id: 'kp-10001', price: '4.20' }).execute();
    await t.store.db.updateTable('connections').set({ price_list_id: 'pl-rev' }).where('id', '=', 'rev-other').execute();
    try {
      const cart = await punchedOutCart(t.ctx, 'rev-other', [{ sku: 'KP-10001', quantity: '1' }]);
      assert.equal(cart.lines[0]!.unitPrice.toFixed(), '4.2', 'the cart has the list price');
      const atCart = newOrderId('PL');
      await send({ orderID: atCart, lines: linesFromCart(cart.lines) }, other);
      assert.deepEqual((await stored(atCart, 'rev-other')).lines[0]!.codes, []);

      // The list changed after the punchout: the cart price is no longer the buyer's price.
      await t.store.db.updateTable('price_list_items').set({ price: '4.00' }).where('price_list_id', '=', 'pl-rev').execute();
      const later = newOrderId('PL');
      await send({ orderID: later, lines: linesFromCart(cart.lines) }, other);
      const s = await stored(later, 'rev-other');
      assert.deepEqual(s.lines[0]!.codes, ['price_list']);
      assert.match(s.lines[0]!.messages[0]!, /unit price 4.2 EUR, the buyer's current price is 4 EUR \(price list Rev list\)/);
    } finally {
      await t.store.db.updateTable('connections').set({ price_list_id: null }).where('id', '=', 'rev-other').execute();
    }
  });

  test('an aux ID carried into an edit session matches the newest transferred cart', async () => {
    const first = await punchedOutCart(t.ctx, 'demo-cxml', [{ sku: 'KP-10001', quantity: '2' }]);
    const aux = first.lines[0]!.auxId;
    // The buyer re-opened the cart (edit) and raised the quantity; the edit cart was transferred.
    const connection = (await getConnection(t.ctx, 'demo-cxml'))!;
    const edit = await createSession(t.ctx, { connection, operation: 'edit', returnUrl: 'https://buyer.example/r', context: {}, lines: [{ productId: 'kp-10001', quantity: new Decimal(5), unitPrice: new Decimal('4.65'), currency: 'EUR', auxId: aux }] });
    await t.store.db.updateTable('punchout_sessions').set({ status: 'transferred', created_at: new Date(Date.now() + 1000).toISOString() }).where('id', '=', edit.sessionId).execute();
    const orderID = newOrderId('EDIT');
    await send({ orderID, lines: [{ sku: 'KP-10001', aux, quantity: '5', price: '4.65', unit: 'PK' }] });
    const s = await stored(orderID);
    assert.deepEqual(s.lines[0]!.codes, []);
    assert.deepEqual(s.sessionIds, [edit.sessionId]);
  });
});

describe('change orders are reconciled again', () => {
  test('an update that now matches the cart clears the flags; reviewed marks are reset', async () => {
    const cart = await punchedOutCart(t.ctx, 'demo-cxml', [{ sku: 'KP-10001', quantity: '2' }]);
    const [line] = linesFromCart(cart.lines);
    const orderID = newOrderId('RE');
    await send({ orderID, orderVersion: 1, lines: [{ ...line!, quantity: '7' }] });
    assert.deepEqual((await stored(orderID)).lines[0]!.codes, ['cart_quantity']);
    await send({ orderID, type: 'update', orderVersion: 2, lines: [line!] });
    const s = await stored(orderID);
    assert.deepEqual(s.lines[0]!.codes, []);
    assert.equal(s.lines[0]!.cartLineId, cart.lines[0]!.id);
  });
});

describe('pure parts', () => {
  const cartLine = (over: Partial<CartLineFacts> = {}): CartLineFacts => ({
    id: 'cl1',
    sessionId: 's1',
    auxId: 'a1',
    productId: 'p1',
    sku: 'SKU-1',
    quantity: new Decimal(2),
    sent: { supplierPartId: 'MAPPED-1', unit: 'EA', unitPrice: new Decimal('1.5'), currency: 'EUR' },
    ...over,
  });
  const facts = (c: CartLineFacts) => ({ cartLinesByAux: new Map([[c.auxId, c]]), sessionCarts: new Map([[c.sessionId, [c]]]), productsBySku: new Map(), prices: new Map() });
  const line = { lineNumber: 1, supplierPartId: 'MAPPED-1', auxId: 'a1', quantity: new Decimal(2), unit: 'ea', unitPrice: new Decimal('1.50'), currency: 'EUR', isAdHoc: false };

  test('a SupplierPartID mapped to something other than the SKU still finds the product through the cart', () => {
    const r = reconcile({ currency: 'EUR', total: new Decimal(3), lines: [line] }, facts(cartLine()));
    assert.deepEqual(r.lines[0]!.flags, []);
    assert.equal(r.lines[0]!.productId, 'p1');
  });

  test('a price per PriceBasisQuantity is compared per unit', () => {
    const per100 = { ...line, unitPrice: new Decimal(150), priceBasis: { quantity: new Decimal(100), conversionFactor: new Decimal(1) } };
    assert.deepEqual(reconcile({ currency: 'EUR', total: new Decimal(3), lines: [per100] }, facts(cartLine())).lines[0]!.flags, []);
    const wrong = { ...per100, unitPrice: new Decimal(160) };
    assert.deepEqual(reconcile({ currency: 'EUR', total: new Decimal('3.2'), lines: [wrong] }, facts(cartLine())).lines[0]!.flags.map((f) => f.code), ['cart_price']);
  });

  test('a negative unit price is flagged negative_price (not price_list), on ad-hoc lines too', () => {
    const discount = { ...line, unitPrice: new Decimal('-1.50') };
    const r = reconcile({ currency: 'EUR', total: new Decimal(-3), lines: [discount] }, facts(cartLine()));
    assert.deepEqual(r.lines[0]!.flags.map((f) => f.code), ['negative_price', 'cart_price']);
    assert.equal(r.lines[0]!.flags[0]!.message, 'Line 1: unit price -1.5 EUR is negative (a discount or credit line?); it cannot be invoiced as a line — agree with the buyer how to bill it.');
    const adHoc = { ...discount, auxId: null, isAdHoc: true };
    assert.deepEqual(reconcile({ currency: 'EUR', total: new Decimal(-3), lines: [adHoc] }, facts(cartLine())).lines[0]!.flags.map((f) => f.code), ['negative_price', 'ad_hoc']);
    assert.deepEqual(reconcile({ currency: 'EUR', total: new Decimal(3), lines: [line] }, facts(cartLine())).lines[0]!.flags, []);
  });

  test('the total is compared with the lines of its own currency only; other currencies get one order-level flag', () => {
    const usd = { ...line, lineNumber: 2, auxId: null, isAdHoc: true, currency: 'USD', unitPrice: new Decimal(10) };
    // 3 EUR + 20 USD = "23" would be a sum of two currencies: it must be flagged, not matched.
    const added = reconcile({ currency: 'EUR', total: new Decimal(23), lines: [line, usd] }, facts(cartLine()));
    assert.deepEqual(added.flags.map((f) => f.code), ['currency', 'total']);
    assert.equal(added.flags[0]!.message, 'Line 2 is priced in USD, the order total in EUR: the total cannot include it, and one invoice has one currency. Agree with the buyer on one currency (a change order).');
    assert.equal(added.flags[1]!.message, 'The order total 23.00 EUR equals neither the sum of the EUR lines (3.00).');
    assert.deepEqual(reconcile({ currency: 'EUR', total: new Decimal(3), lines: [line, usd] }, facts(cartLine())).flags.map((f) => f.code), ['currency']);
    assert.deepEqual(reconcile({ currency: 'EUR', total: new Decimal(3), lines: [line] }, facts(cartLine())).flags, []);
  });

  test('describeOrderChanges says when nothing changed', () => {
    const l = { lineNumber: 1, supplierPartId: 'A', quantity: new Decimal(1), unitPrice: new Decimal(2), unit: 'EA' };
    assert.equal(describeOrderChanges({ total: new Decimal(2), currency: 'EUR', lines: [l] }, { total: new Decimal('2.00'), currency: 'EUR', lines: [{ ...l, quantity: new Decimal('1.0') }] }), 'no change in lines or total');
  });
});
