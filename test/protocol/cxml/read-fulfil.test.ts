/**
 * Reading the documents a supplier sends after an order: the real public fixtures (Office Depot's
 * confirmation, an Ariba-style ship notice, Coupa invoices) with concrete values, and documents
 * written by Koppel's own writers read back to the same values.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decimal } from 'decimal.js';
import { CxmlError } from '../../../src/protocol/cxml/errors.js';
import { confirmationLine, writeConfirmationRequest, writeShipNoticeRequest, type ConfirmationInput, type OrderReferenceInput, type ShipNoticeInput } from '../../../src/protocol/cxml/fulfil.js';
import { invoiceTotals, writeInvoiceDetailRequest, type InvoiceInput } from '../../../src/protocol/cxml/invoice.js';
import type { ConfirmationRequest, CxmlPayload, Envelope, Header, InvoiceDetailRequest, MoneyAmount, ShipNoticeRequest } from '../../../src/protocol/cxml/model.js';
import { readCxml } from '../../../src/protocol/cxml/reader.js';
import type { WriteContext } from '../../../src/protocol/cxml/writer.js';
import { fixtureText } from '../../helpers/cxml.js';

const d = (v: string | number) => new Decimal(v);
const money = (m: MoneyAmount | undefined) => (m ? `${m.amount.toFixed()} ${m.currency}` : undefined);

function as<K extends CxmlPayload['kind']>(env: Envelope, kind: K): Extract<CxmlPayload, { kind: K }> {
  assert.equal(env.payload.kind, kind);
  return env.payload as Extract<CxmlPayload, { kind: K }>;
}

const supplierHeader: Header = {
  from: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO' }] },
  to: { credentials: [{ domain: 'NetworkID', identity: 'DEMO-BUYER' }] },
  sender: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO', sharedSecret: 'demo-secret' }], userAgent: 'Koppel' },
};
const ctx: WriteContext = { payloadID: '1796288400000.doc1@koppel.test', timestamp: new Date(Date.UTC(2026, 11, 3, 9, 0, 0)), offsetMinutes: 60 };
const order: OrderReferenceInput = { orderID: 'SBX-20261201-1', orderDate: '2026-12-01', payloadID: '1796115600000.po@sandbox.test' };

describe('fixtures', () => {
  it('26: Office Depot confirmation, three accepted lines with dates and prices', () => {
    const { envelope, warnings } = readCxml(fixtureText('26-'));
    const c = as(envelope, 'ConfirmationRequest');
    assert.deepEqual(warnings, []);
    assert.equal(c.type, 'detail');
    assert.equal(c.operation, 'new');
    assert.equal(c.confirmID, undefined, 'confirmID="" reads as absent');
    assert.equal(c.invoiceID, '623612976001');
    assert.equal(c.noticeDate.instant?.toISOString(), '2012-09-04T07:37:49.000Z');
    assert.deepEqual(c.order, { orderID: '400-2591453-0', payloadID: '20120904023747.cXMLPurchaseOrder.984556224@eprosvcs.com' });
    assert.equal(c.contacts[0]?.role, 'shipTo');
    assert.equal(c.contacts[0]?.postalAddress?.city, 'Royal Oak');
    assert.deepEqual(
      c.items.map((i) => [i.lineNumber, i.quantity.toFixed(), i.unitOfMeasure]),
      [[1, '20', 'RM'], [2, '12', 'BX'], [3, '2', 'EA']],
    );
    const s = c.items[1]!.statuses[0]!;
    assert.equal(s.type, 'accept');
    assert.equal(s.quantity.toFixed(), '12');
    assert.equal(s.unitOfMeasure, 'BX');
    assert.equal(money(s.unitPrice), '1.52 USD');
    assert.equal(s.deliveryDate?.instant?.toISOString(), '2012-09-05T17:00:00.000Z');
    assert.equal(s.shipmentDate?.raw, '2012-09-05T12:00:00-05:00');
    assert.deepEqual(s.comments, [], 'the empty <Comments></Comments> carries nothing');
    assert.deepEqual(s.extrinsics, [
      { name: 'SupplierPartID', value: '429175' },
      { name: 'SupplierPartAuxilliaryID', value: '429175' },
    ]);
  });

  it('27: ship notice with SCAC and company name, tracking number, whole order (no items)', () => {
    const { envelope, warnings } = readCxml(fixtureText('27-'));
    const n = as(envelope, 'ShipNoticeRequest');
    assert.deepEqual(warnings, []);
    assert.equal(n.shipmentID, 'S2-123');
    assert.equal(n.noticeDate.instant?.toISOString(), '2000-10-15T02:39:09.000Z');
    assert.equal(n.shipmentDate?.instant?.toISOString(), '2000-10-14T16:30:19.000Z');
    assert.equal(n.deliveryDate?.raw, '2000-10-18T09:00:00-08:00');
    assert.deepEqual(n.carriers, [
      { domain: 'SCAC', value: 'FDE' },
      { domain: 'companyName', value: 'Federal Express' },
    ]);
    assert.deepEqual(n.shipmentIdentifiers, [{ value: '8202 8261 1194' }]);
    assert.deepEqual(n.portions, [{ order: { orderID: 'DO1234', payloadID: '32232995@hub.acme.com' }, items: [] }]);
    assert.deepEqual(n.comments, [{ lang: 'en-CA', text: 'Got it all into one shipment.', attachmentUrls: [] }]);
  });

  it('28: Coupa invoice with tax in line; the empty NetAmount is "not stated" with a warning', () => {
    const { envelope, warnings } = readCxml(fixtureText('28-'));
    const inv = as(envelope, 'InvoiceDetailRequest');
    assert.equal(inv.invoiceID, '3495');
    assert.equal(inv.purpose, 'standard');
    assert.equal(inv.isTaxInLine, true);
    assert.equal(inv.paymentTermDays, 30);
    assert.equal(inv.orders.length, 1);
    assert.deepEqual(inv.orders[0]!.order, { payloadID: '123' });
    const l = inv.orders[0]!.lines[0]!;
    assert.equal(l.invoiceLineNumber, 1);
    assert.equal(l.orderLineNumber, 1);
    assert.equal(l.quantity.toFixed(), '1');
    assert.equal(money(l.unitPrice), '365 USD');
    assert.equal(money(l.subtotal), '365 USD');
    assert.equal(money(l.tax?.money), '8 USD');
    assert.equal(l.tax?.details[0]?.category, 'CA');
    assert.equal(l.tax?.details[0]?.percentageRate?.toFixed(), '8.25');
    assert.match(l.description ?? '', /NINTENDO WII/);
    assert.equal(money(inv.summary.subtotal), '365 USD');
    assert.equal(money(inv.summary.tax?.money), '8 USD');
    assert.equal(money(inv.summary.specialHandling), '5 USD');
    assert.equal(money(inv.summary.shipping), '30 USD');
    assert.equal(inv.summary.net, undefined);
    assert.equal(inv.summary.due, undefined);
    assert.deepEqual(warnings.map((w) => w.message), ['Money is empty; the amount is read as not stated']);
  });

  it('30: one invoice for two purchase orders', () => {
    const inv = as(readCxml(fixtureText('30-')).envelope, 'InvoiceDetailRequest');
    assert.deepEqual(inv.orders.map((o) => o.order?.payloadID), ['2252', '2253']);
    assert.deepEqual(inv.orders.map((o) => o.lines.map((l) => [l.invoiceLineNumber, l.orderLineNumber, l.quantity.toFixed(), money(l.subtotal)])), [
      [[1, 1, '2', '200 USD']],
      [[2, 1, '2', '20 USD']],
    ]);
    assert.equal(money(inv.summary.subtotal), '220 USD');
    assert.equal(inv.summary.subtotal?.raw, '220.00');
    assert.equal(money(inv.summary.net), '0 USD');
  });

  it('31: a contract-backed block has no order reference', () => {
    const inv = as(readCxml(fixtureText('31-')).envelope, 'InvoiceDetailRequest');
    assert.equal(inv.orders[0]!.order?.payloadID, 'E14994');
    assert.equal(inv.orders[1]!.order, undefined);
    assert.equal(inv.orders[1]!.masterAgreementPayloadID, 'l');
  });

  it('32: several taxes per summary; ItemID on the line; an empty summary tax amount', () => {
    const inv = as(readCxml(fixtureText('32-')).envelope, 'InvoiceDetailRequest');
    const l = inv.orders[0]!.lines[0]!;
    assert.equal(l.itemID?.supplierPartID, 'part-id');
    assert.equal(money(l.tax?.money), '1.3 currency_code');
    assert.equal(inv.summary.tax?.money, undefined);
    assert.deepEqual(
      inv.summary.tax?.details.map((t) => [t.purpose, t.category, t.percentageRate?.toFixed(), t.taxAmount.amount.toFixed()]),
      [
        ['tax', 'foo', '1', '0'],
        ['specialHandlingTax', 'HST', '13', '1.3'],
        ['specialHandlingTax', 'GST', '5', '0.5'],
        ['shippingTax', 'HST', '13', '1.3'],
        ['shippingTax', 'QST', '9.975', '1'],
      ],
    );
    assert.equal(money(inv.summary.discount), '123 currency_code');
  });
});

describe('round trips through Koppel\'s writers', () => {
  it('a confirmation with accepted, backordered and rejected portions reads back to the same values', () => {
    const input: ConfirmationInput = {
      type: 'detail',
      confirmID: 'C-2026-0007',
      noticeDate: new Date(Date.UTC(2026, 11, 3, 8, 0, 0)),
      order,
      comments: [{ text: 'Partly backordered' }],
      items: [
        confirmationLine({ lineNumber: 1, quantity: d(3), unitOfMeasure: 'EA' }, { deliveryDate: '2026-12-08' }),
        confirmationLine(
          { lineNumber: 2, quantity: d('10'), unitOfMeasure: 'BX' },
          {
            unitPrice: { amount: d('4.25'), currency: 'EUR' },
            backordered: { quantity: d(4), deliveryDate: '2026-12-20' },
            rejected: { quantity: d(1), comments: [{ text: 'Discontinued colour' }] },
          },
        ),
      ],
    };
    const c: ConfirmationRequest = as(readCxml(writeConfirmationRequest(ctx, supplierHeader, input)).envelope, 'ConfirmationRequest');
    assert.equal(c.type, 'detail');
    assert.equal(c.confirmID, 'C-2026-0007');
    assert.equal(c.noticeDate.instant?.toISOString(), '2026-12-03T08:00:00.000Z');
    assert.deepEqual(c.order, { orderID: order.orderID, orderDate: { raw: '2026-12-01', dateOnly: '2026-12-01' }, payloadID: order.payloadID });
    assert.equal(c.comments[0]?.text, 'Partly backordered');
    assert.deepEqual(
      c.items.map((i) => [i.lineNumber, i.quantity.toFixed(), i.unitOfMeasure, i.statuses.map((s) => [s.type, s.quantity.toFixed(), s.deliveryDate?.dateOnly, money(s.unitPrice), s.comments[0]?.text])]),
      [
        [1, '3', 'EA', [['accept', '3', '2026-12-08', undefined, undefined]]],
        [2, '10', 'BX', [['detail', '5', undefined, '4.25 EUR', undefined], ['backordered', '4', '2026-12-20', undefined, undefined], ['reject', '1', undefined, undefined, 'Discontinued colour']]],
      ],
    );
  });

  it('a ship notice reads back with carrier, tracking URL, dates and quantities', () => {
    const input: ShipNoticeInput = {
      shipmentID: 'S-2026-0003',
      noticeDate: new Date(Date.UTC(2026, 11, 3, 9, 0, 0)),
      shipmentDate: new Date(Date.UTC(2026, 11, 3, 8, 30, 0)),
      deliveryDate: '2026-12-05',
      fulfillmentType: 'partial',
      carrier: { companyName: 'DHL Freight', scac: 'DHLF' },
      tracking: { number: 'JD01', url: 'https://track.example/?id=JD01&lang=de' },
      order,
      items: [
        { lineNumber: 1, quantity: d(3), unitOfMeasure: 'EA' },
        { lineNumber: 2, quantity: d('2.5'), unitOfMeasure: 'KGM' },
      ],
    };
    const n: ShipNoticeRequest = as(readCxml(writeShipNoticeRequest(ctx, supplierHeader, input)).envelope, 'ShipNoticeRequest');
    assert.equal(n.shipmentID, 'S-2026-0003');
    assert.equal(n.fulfillmentType, 'partial');
    assert.equal(n.shipmentDate?.instant?.toISOString(), '2026-12-03T08:30:00.000Z');
    assert.equal(n.deliveryDate?.dateOnly, '2026-12-05');
    assert.deepEqual(n.carriers, [
      { domain: 'SCAC', value: 'DHLF' },
      { domain: 'companyName', value: 'DHL Freight' },
    ]);
    assert.deepEqual(n.shipmentIdentifiers, [{ value: 'JD01', trackingURL: 'https://track.example/?id=JD01&lang=de' }]);
    assert.equal(n.portions[0]?.order?.payloadID, order.payloadID);
    assert.deepEqual(n.portions[0]?.items.map((i) => [i.lineNumber, i.quantity.toFixed(), i.unitOfMeasure]), [
      [1, '3', 'EA'],
      [2, '2.5', 'KGM'],
    ]);
  });

  for (const taxInLine of [true, false]) {
    it(`an invoice (tax in line: ${taxInLine}) reads back with the writer's totals, as decimals`, () => {
      const input: InvoiceInput = {
        invoiceID: 'INV-2026-0009',
        invoiceDate: new Date(Date.UTC(2026, 11, 3, 8, 0, 0)),
        purpose: 'standard',
        currency: 'EUR',
        layout: { taxRounding: 'line', taxInLine, shippingInLine: false },
        orders: [
          {
            order,
            lines: [
              { invoiceLineNumber: 1, orderLineNumber: 1, quantity: d(3), unitPrice: d('12.5'), taxRate: d(19), unitOfMeasure: 'EA', itemID: { supplierPartID: 'SKU-1' }, description: 'Pen' },
              { invoiceLineNumber: 2, orderLineNumber: 2, quantity: d('2.5'), unitPrice: d('3.999'), taxRate: d(7), unitOfMeasure: 'KGM', description: 'Coffee' },
            ],
          },
        ],
        shipping: { amount: d('4.90'), taxRate: d(19) },
        paymentTermDays: 30,
      };
      const totals = invoiceTotals(input);
      const inv: InvoiceDetailRequest = as(readCxml(writeInvoiceDetailRequest(ctx, supplierHeader, input)).envelope, 'InvoiceDetailRequest');
      assert.equal(inv.invoiceID, 'INV-2026-0009');
      assert.equal(inv.isTaxInLine, taxInLine);
      assert.equal(inv.paymentTermDays, 30);
      assert.equal(inv.orders[0]!.order?.orderID, order.orderID);
      const lines = inv.orders[0]!.lines;
      assert.deepEqual(lines.map((l) => [l.invoiceLineNumber, l.orderLineNumber, l.quantity.toFixed(), l.unitOfMeasure, money(l.unitPrice), money(l.subtotal)]), [
        [1, 1, '3', 'EA', '12.5 EUR', '37.5 EUR'],
        [2, 2, '2.5', 'KGM', '3.999 EUR', '10 EUR'],
      ]);
      assert.ok(lines[0]!.subtotal!.amount instanceof Decimal);
      assert.equal(lines[0]!.tax?.money?.amount.toFixed(), taxInLine ? totals.lines[0]!.tax!.toFixed() : undefined);
      const s = inv.summary;
      assert.ok(s.subtotal!.amount.equals(totals.subtotal));
      assert.ok(s.tax!.money!.amount.equals(totals.tax));
      assert.ok(s.shipping!.amount.equals(totals.shipping));
      assert.ok(s.net!.amount.equals(totals.net));
      assert.ok(s.due!.amount.equals(totals.due));
      // 37.50 + 10.00 (2.5 × 3.999) + tax 7.13 + 0.70 + 0.93 (shipping) + shipping 4.90.
      assert.equal(money(s.due), '61.16 EUR');
    });
  }
});

describe('refusals', () => {
  const head =
    '<cXML payloadID="p@x" timestamp="2026-12-03T10:00:00+01:00"><Header><From><Credential domain="d"><Identity>a</Identity></Credential></From>' +
    '<To><Credential domain="d"><Identity>b</Identity></Credential></To><Sender><Credential domain="d"><Identity>a</Identity></Credential><UserAgent>t</UserAgent></Sender></Header><Request>';
  const tail = '</Request></cXML>';
  const refuses = (body: string, code: number, pattern: RegExp) =>
    assert.throws(
      () => readCxml(head + body + tail),
      (e: unknown) => e instanceof CxmlError && e.code === code && pattern.test(e.message),
    );

  it('an unknown confirmation type, a status type or a line without a number', () => {
    const ref = '<OrderReference orderID="PO-1"><DocumentReference payloadID="po@x"/></OrderReference>';
    refuses(`<ConfirmationRequest><ConfirmationHeader type="maybe" noticeDate="2026-12-03"/>${ref}</ConfirmationRequest>`, 400, /unknown type "maybe"/);
    refuses(
      `<ConfirmationRequest><ConfirmationHeader type="detail" noticeDate="2026-12-03"/>${ref}<ConfirmationItem quantity="1" lineNumber="1"><ConfirmationStatus quantity="1" type="fine"/></ConfirmationItem></ConfirmationRequest>`,
      400,
      /ConfirmationStatus@type: unknown type "fine"/,
    );
    refuses(`<ConfirmationRequest><ConfirmationHeader type="detail" noticeDate="2026-12-03"/>${ref}<ConfirmationItem quantity="1"/></ConfirmationRequest>`, 406, /ConfirmationItem: attribute lineNumber is required/);
  });

  it('an invoice amount that is not a number, and a ship notice without a portion', () => {
    refuses(
      '<InvoiceDetailRequest><InvoiceDetailRequestHeader invoiceID="I-1" invoiceDate="2026-12-03"/><InvoiceDetailOrder><InvoiceDetailOrderInfo><OrderReference><DocumentReference payloadID="po"/></OrderReference></InvoiceDetailOrderInfo></InvoiceDetailOrder>' +
        '<InvoiceDetailSummary><SubtotalAmount><Money currency="EUR">ten</Money></SubtotalAmount></InvoiceDetailSummary></InvoiceDetailRequest>',
      400,
      /SubtotalAmount\/Money: amount "ten" is not a decimal number/,
    );
    refuses('<ShipNoticeRequest><ShipNoticeHeader shipmentID="S" noticeDate="2026-12-03"/></ShipNoticeRequest>', 406, /needs at least one ShipNoticePortion/);
  });

  it('unknown elements are warnings, and their siblings are still read', () => {
    const xml =
      head +
      '<ShipNoticeRequest><ShipNoticeHeader shipmentID="S" noticeDate="2026-12-03"><Gossip/></ShipNoticeHeader>' +
      '<ShipNoticePortion><ShipNoticeItem lineNumber="2" quantity="1"><UnitOfMeasure>EA</UnitOfMeasure><Colour>red</Colour></ShipNoticeItem><OrderReference orderID="PO-1"><DocumentReference payloadID="po@x"/></OrderReference></ShipNoticePortion></ShipNoticeRequest>' +
      tail;
    const { envelope, warnings } = readCxml(xml);
    const n = as(envelope, 'ShipNoticeRequest');
    assert.deepEqual(n.portions[0]?.items.map((i) => [i.lineNumber, i.unitOfMeasure]), [[2, 'EA']]);
    assert.equal(n.portions[0]?.order?.orderID, 'PO-1');
    assert.deepEqual(warnings.map((w) => w.message).sort(), ['unknown element Colour ignored', 'unknown element Gossip ignored']);
    assert.throws(() => readCxml(xml, { strict: true }), (e: unknown) => e instanceof CxmlError && e.code === 406);
  });
});
