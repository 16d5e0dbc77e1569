/** Cart normalisation: decimal line totals, price units, and warnings a buyer would need. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { PunchOutOrderMessage } from '../../src/protocol/cxml/model.js';
import { readCxml } from '../../src/protocol/cxml/reader.js';
import { readOciCartForm } from '../../src/protocol/oci/cart-form-reader.js';
import { pairsFromHtmlForm } from '../../src/protocol/oci/cart-form-reader.js';
import { dec } from '../../src/protocol/money.js';
import { cartFromOciLines, cartFromPunchOutOrderMessage, lineAmount, ociUnitPrice } from '../../src/sandbox/cart.js';

const FIXTURES = new URL('../../../shared/fixtures/', import.meta.url);

function poomFixture(name: string): PunchOutOrderMessage {
  return readCxml(readFileSync(new URL(`cxml/${name}`, FIXTURES), 'utf8')).envelope.payload as PunchOutOrderMessage;
}

describe('amounts', () => {
  it('scales by PriceBasisQuantity: conversionFactor converts the order unit into the price unit', () => {
    // 4 EA ordered, 2 EA per BOX (factor 0.5 EA→BOX), price 104.99 per 1 BOX → 2 BOX → 209.98.
    assert.equal(lineAmount(dec('4'), dec('104.99'), { quantity: dec('1'), conversionFactor: dec('0.5') }).toFixed(), '209.98');
    assert.equal(lineAmount(dec('3'), dec('0.1')).toFixed(), '0.3');
  });

  it('keeps PRICE / PRICEUNIT exact, rounds only beyond 6 decimals', () => {
    assert.deepEqual(ociUnitPrice(dec('1.25'), dec('10')).value.toFixed(), '0.125');
    const third = ociUnitPrice(dec('1'), dec('3'));
    assert.equal(third.rounded, true);
    assert.equal(third.value.toFixed(), '0.333333');
  });
});

describe('cXML carts', () => {
  it('reads a real POOM: aux IDs, line totals and the stated total agree', () => {
    const cart = cartFromPunchOutOrderMessage(poomFixture('12-PunchOutOrderMessage-wuerth-intershop-enfinity.xml'));
    assert.ok(cart.lines.length > 0);
    assert.equal(cart.currency, 'EUR');
    for (const l of cart.lines) assert.match(l.lineTotal, /^\d+\.\d{2}$/);
    assert.ok(cart.lines.every((l, i) => l.line === i + 1));
  });

  it('warns when the stated Total differs from the lines', () => {
    // The fixture states 104.99 for 2 EA at 104.99 per 2 BOX with factor 0.5 → 52.50 by the DTD's definition.
    const cart = cartFromPunchOutOrderMessage(poomFixture('15-PunchOutOrderMessage-pricebasisquantity.xml'));
    assert.equal(cart.total, '52.50');
    assert.ok(cart.warnings.some((w) => /Total says 104.99 USD/.test(w)), cart.warnings.join('\n'));
    assert.match(cart.lines[0]!.priceNote ?? '', /per 2 BOX/);
  });
});

describe('OCI carts', () => {
  it('reads the real-world Meplato form (zero-padded prices, PRICEUNIT 1.0)', () => {
    const html = readFileSync(new URL('oci/meplato-real-world-background-search.html', FIXTURES), 'utf8');
    const read = readOciCartForm(pairsFromHtmlForm(html));
    const cart = cartFromOciLines(read.lines);
    assert.equal(cart.lines.length, 10);
    assert.ok(cart.total !== null);
    assert.ok(cart.lines.every((l) => l.unitPrice !== '' && !l.unitPrice.startsWith('0000')));
  });

  it('computes line totals from PRICE × QUANTITY / PRICEUNIT and notes the price unit', () => {
    const read = readOciCartForm([
      ['NEW_ITEM-DESCRIPTION[1]', 'Clips'],
      ['NEW_ITEM-QUANTITY[1]', '3.000'],
      ['NEW_ITEM-UNIT[1]', 'PCE'],
      ['NEW_ITEM-PRICE[1]', '1.000'],
      ['NEW_ITEM-PRICEUNIT[1]', '3'],
      ['NEW_ITEM-CURRENCY[1]', 'EUR'],
      ['NEW_ITEM-VENDORMAT[1]', 'C-1'],
    ]);
    const cart = cartFromOciLines(read.lines);
    assert.equal(cart.lines[0]!.lineTotal, '1.00', 'exact: 3 × 1 / 3, not 3 × 0.333333');
    assert.equal(cart.total, '1.00');
    assert.match(cart.lines[0]!.priceNote ?? '', /per 3 \(PRICEUNIT\)/);
  });

  it('warns about lines an order cannot carry and gives no total then', () => {
    const cart = cartFromOciLines(readOciCartForm([['NEW_ITEM-DESCRIPTION[1]', 'x'], ['NEW_ITEM-QUANTITY[1]', '1']]).lines);
    assert.equal(cart.total, null);
    assert.ok(cart.warnings.some((w) => /Line 1: no PRICE, CURRENCY, UNIT/.test(w)), cart.warnings.join('\n'));
    assert.ok(cart.warnings.some((w) => /neither VENDORMAT nor EXT_PRODUCT_ID/.test(w)));
  });

  it('an empty form is an empty cart', () => {
    const cart = cartFromOciLines(readOciCartForm([['~OkCode', 'ADDI']]).lines);
    assert.deepEqual(cart.lines, []);
    assert.equal(cart.total, null);
  });
});
