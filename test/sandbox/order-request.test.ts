/**
 * The sandbox's purchase order: built from the cart as the supplier sent it — aux IDs kept,
 * PRICE / PRICEUNIT as the unit price, totals in decimals — and valid against the cXML DTD.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PunchOutOrderMessage } from '../../src/protocol/cxml/model.js';
import { readCxml } from '../../src/protocol/cxml/reader.js';
import { writeOrderRequest, writePunchOutOrderMessage } from '../../src/protocol/cxml/writer.js';
import { readOciCartForm } from '../../src/protocol/oci/cart-form-reader.js';
import { dec } from '../../src/protocol/money.js';
import {
  buildOrderRequest,
  OrderBuildError,
  orderItemsFromCxml,
  orderItemsFromOci,
  orderTotal,
  sandboxOrderId,
} from '../../src/sandbox/order-request.js';
import { cxmlHeader, defaultSettings } from '../../src/sandbox/settings.js';
import { assertDtdValid } from '../helpers/dtd.js';

const NOW = new Date('2026-01-31T13:05:00Z');

function ociPairs(lines: Record<string, string>[]): [string, string][] {
  const pairs: [string, string][] = [['~OkCode', 'ADDI']];
  lines.forEach((fields, i) => {
    for (const [k, v] of Object.entries(fields)) {
      pairs.push([k === 'LONGTEXT' ? `NEW_ITEM-LONGTEXT_${i + 1}:132[]` : `NEW_ITEM-${k}[${i + 1}]`, v]);
    }
  });
  return pairs;
}

const OCI_CART = ociPairs([
  // Price per 10 units: unit price 0.125, line 3 × 1.25 / 10 = 0.375 → 0.38
  { DESCRIPTION: 'Paperclips', QUANTITY: '3.000', UNIT: 'PCE', PRICE: '1.250', PRICEUNIT: '10', CURRENCY: 'EUR', VENDORMAT: 'CLIP-1', EXT_PRODUCT_ID: 'p-17/aux', EXT_SCHEMA_TYPE: 'UNSPSC', EXT_CATEGORY_ID: '44122107' },
  // 0.1 + 0.2 territory: decimals, never floats.
  { DESCRIPTION: 'Pen', QUANTITY: '3', UNIT: 'PCE', PRICE: '0.1', CURRENCY: 'EUR', EXT_PRODUCT_ID: 'PEN-9', MANUFACTMAT: 'MP-1' },
  { DESCRIPTION: 'Stapler', QUANTITY: '1', UNIT: 'PCE', PRICE: '0.2', CURRENCY: 'EUR', VENDORMAT: 'ST-2', EXT_PRODUCT_ID: 'ST-2' },
]);

describe('order from an OCI cart', () => {
  const lines = readOciCartForm(OCI_CART).lines;
  const { items, warnings } = orderItemsFromOci(lines);

  it('uses VENDORMAT as SupplierPartID and EXT_PRODUCT_ID as aux ID when they differ', () => {
    assert.deepEqual(items[0]!.itemID, { supplierPartID: 'CLIP-1', supplierPartAuxiliaryID: 'p-17/aux' });
    assert.deepEqual(items[1]!.itemID, { supplierPartID: 'PEN-9' }, 'EXT_PRODUCT_ID alone becomes the part id');
    assert.deepEqual(items[2]!.itemID, { supplierPartID: 'ST-2' }, 'no aux ID when both are the same');
    assert.deepEqual(warnings, []);
  });

  it('divides PRICE by PRICEUNIT in decimals and numbers the lines 1..n', () => {
    assert.equal(items[0]!.itemDetail!.unitPrice.amount.toFixed(), '0.125');
    assert.equal(items[0]!.itemDetail!.unitPrice.currency, 'EUR');
    assert.deepEqual(items.map((i) => i.lineNumber), [1, 2, 3]);
    assert.equal(items[0]!.quantity.toFixed(), '3');
  });

  it('carries UNSPSC from the cart or says unknown', () => {
    assert.deepEqual(items[0]!.itemDetail!.classifications, [{ domain: 'UNSPSC', code: '44122107' }]);
    assert.deepEqual(items[1]!.itemDetail!.classifications, [{ domain: 'UNSPSC', code: 'unknown' }]);
    assert.equal(items[1]!.itemDetail!.manufacturerPartID, 'MP-1');
  });

  it('totals rounded line amounts: 0.38 + 0.30 + 0.20 = 0.88', () => {
    const total = orderTotal(items, lines);
    assert.equal(total.currency, 'EUR');
    assert.equal(total.amount.toFixed(2), '0.88');
  });

  it('writes a DTD-valid OrderRequest that reads back with the same ids and total', () => {
    const order = buildOrderRequest({ orderID: sandboxOrderId(NOW, 7), orderDate: NOW, items, ociLines: lines });
    const xml = writeOrderRequest({ payloadID: '1.x@sandbox.test', timestamp: NOW }, cxmlHeader(defaultSettings('http://localhost:8080')), order);
    assertDtdValid(xml, 'cXML');
    const back = readCxml(xml).envelope.payload;
    assert.equal(back.kind, 'OrderRequest');
    if (back.kind !== 'OrderRequest') return;
    assert.equal(back.header.orderID, 'SBX-20260131-7');
    assert.equal(back.header.type, 'new');
    assert.equal(back.header.total.raw, '0.88');
    assert.equal(back.header.billTo?.name, 'Gemeente Voorbeeldstad');
    assert.equal(back.items[0]!.itemID.supplierPartAuxiliaryID, 'p-17/aux');
  });

  it('refuses a line without a price, naming it', () => {
    const broken = readOciCartForm(ociPairs([{ DESCRIPTION: 'x', QUANTITY: '1', UNIT: 'PCE', CURRENCY: 'EUR', VENDORMAT: 'A' }])).lines;
    assert.throws(() => orderItemsFromOci(broken), (e: unknown) => e instanceof OrderBuildError && /Line 1 has no PRICE/.test(e.message));
  });

  it('sends a line without part numbers as ad hoc, with a warning', () => {
    const adHoc = readOciCartForm(ociPairs([{ DESCRIPTION: 'Free text', QUANTITY: '1', UNIT: 'PCE', PRICE: '5', CURRENCY: 'EUR' }])).lines;
    const r = orderItemsFromOci(adHoc);
    assert.equal(r.items[0]!.isAdHoc, true);
    assert.equal(r.items[0]!.itemID.supplierPartID, '');
    assert.match(r.warnings[0]!, /ad-hoc/);
  });

  it('refuses mixed currencies and empty orders', () => {
    const mixed = readOciCartForm(
      ociPairs([
        { DESCRIPTION: 'a', QUANTITY: '1', UNIT: 'PCE', PRICE: '1', CURRENCY: 'EUR', VENDORMAT: 'A' },
        { DESCRIPTION: 'b', QUANTITY: '1', UNIT: 'PCE', PRICE: '1', CURRENCY: 'USD', VENDORMAT: 'B' },
      ]),
    ).lines;
    assert.throws(() => orderTotal(orderItemsFromOci(mixed).items, mixed), OrderBuildError);
    assert.throws(() => orderTotal([]), /empty/);
  });
});

describe('order from a cXML cart', () => {
  // A cart as a supplier writes it: aux IDs with markup-ish characters and spaces, a CDATA-free round trip.
  const poomXml = writePunchOutOrderMessage(
    { payloadID: 'poom-1@supplier.test', timestamp: NOW },
    {
      from: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO' }] },
      to: { credentials: [{ domain: 'NetworkID', identity: 'DEMO-BUYER' }] },
      sender: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO' }], userAgent: 'test supplier' },
    },
    {
      buyerCookie: 'cookie',
      operationAllowed: 'edit',
      total: { amount: dec('0.70'), currency: 'EUR' },
      items: [
        {
          quantity: dec('3'),
          itemID: { supplierPartID: 'SKU-1', supplierPartAuxiliaryID: 'sess:42 <line 1> & co' },
          itemDetail: {
            unitPrice: { amount: dec('0.1'), currency: 'EUR' },
            descriptions: [{ lang: 'de-DE', text: 'Kugelschreiber', shortName: 'Kuli' }],
            unitOfMeasure: 'PCE',
            classifications: [{ domain: 'UNSPSC', code: '44121704' }, { domain: 'eCLASS', code: '24-29-01-02' }],
            manufacturerName: 'Acme',
            manufacturerPartID: 'AC-1',
            extrinsics: [{ name: 'Colour', value: 'blue' }],
          },
        },
        {
          quantity: dec('2'),
          itemID: { supplierPartID: 'SKU-2', supplierPartAuxiliaryID: 'sess:42 line 2' },
          itemDetail: {
            unitPrice: { amount: dec('0.2'), currency: 'EUR' },
            descriptions: [{ lang: 'en', text: 'Pencil' }],
            unitOfMeasure: 'EA',
            classifications: [{ domain: 'UNSPSC', code: '44121706' }],
          },
        },
      ],
    },
  );
  const poom = readCxml(poomXml).envelope.payload as PunchOutOrderMessage;

  it('keeps ItemID and ItemDetail exactly as received', () => {
    const items = orderItemsFromCxml(poom.items);
    assert.deepEqual(items[0]!.itemID, poom.items[0]!.itemID);
    assert.equal(items[0]!.itemID.supplierPartAuxiliaryID, 'sess:42 <line 1> & co');
    assert.equal(items[0]!.itemDetail, poom.items[0]!.itemDetail, 'the very same ItemDetail object');
    assert.deepEqual(items.map((i) => i.lineNumber), [1, 2]);
  });

  it('computes the total 3 × 0.1 + 2 × 0.2 = 0.70 exactly and writes a DTD-valid document', () => {
    const items = orderItemsFromCxml(poom.items);
    const order = buildOrderRequest({ orderID: 'SBX-20260131-1', orderDate: NOW, items });
    assert.equal(order.header.total.amount.toFixed(2), '0.70');
    const xml = writeOrderRequest({ payloadID: '2.x@sandbox.test', timestamp: NOW }, cxmlHeader(defaultSettings('http://localhost:8080')), order);
    assertDtdValid(xml, 'cXML');
    const back = readCxml(xml).envelope.payload;
    if (back.kind !== 'OrderRequest') throw new Error(back.kind);
    assert.equal(back.items[0]!.itemID.supplierPartAuxiliaryID, 'sess:42 <line 1> & co');
    assert.deepEqual(back.items[0]!.itemDetail?.classifications, poom.items[0]!.itemDetail.classifications);
    assert.deepEqual(back.items[0]!.itemDetail?.descriptions, poom.items[0]!.itemDetail.descriptions);
    assert.equal(back.items[0]!.itemDetail?.manufacturerPartID, 'AC-1');
  });

  it('adds UNSPSC unknown to a line the supplier sent without Classification', () => {
    const bare = { ...poom.items[1]!, itemDetail: { ...poom.items[1]!.itemDetail, classifications: [] } };
    const [item] = orderItemsFromCxml([bare]);
    assert.deepEqual(item!.itemDetail!.classifications, [{ domain: 'UNSPSC', code: 'unknown' }]);
  });
});
