/** Quantities and unit prices typed into the sandbox's forms are read strictly (pure). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readQuantity, readUnitPrice } from '../../../src/sandbox/procurement/quantities.js';

const value = (r: ReturnType<typeof readQuantity>) => (r.ok ? r.value.toFixed() : r.problem);

test('plain decimals up to 11 digits and 3 decimals read exactly', () => {
  for (const [typed, read] of [['3', '3'], [' 2.5 ', '2.5'], ['0.001', '0.001'], ['-3', '-3'], ['+4', '4'], ['.5', '0.5'], ['7.', '7'], ['99999999999.999', '99999999999.999'], ['000012', '12'], ['2.50000', '2.5'], ['1.0000000', '1']]) {
    assert.equal(value(readQuantity(typed!, 'Quantity')), read, typed);
  }
});

test('exponents, commas, separators and too many digits are refused, naming the field and the value', () => {
  for (const typed of ['1e-40', '2E1', '1,5', '1 000', '0x10', 'Infinity', 'NaN', '-', '.', '']) {
    const r = readQuantity(typed, 'Quantity');
    assert.equal(r.ok, false, typed);
    assert.match(!r.ok ? r.problem : '', /^Quantity: enter a plain number such as 3 or 2\.5 \(digits with a decimal point; no exponent/, typed);
    if (typed !== '') assert.ok(!r.ok && r.problem.includes(`got "${typed}"`), typed);
  }
  const tiny = readQuantity('0.0000000000000000000001', 'Line 1');
  assert.deepEqual(tiny.ok ? undefined : [tiny.kind, tiny.problem], ['size', 'Line 1: at most 3 decimals (quantities are kept to 3 decimals, like an OCI QUANTITY), got "0.0000000000000000000001".']);
  const huge = readQuantity('123456789012', 'Stock');
  assert.match(huge.ok ? '' : huge.problem, /^Stock: at most 11 digits before the decimal point, got "123456789012"\.$/);
});

test('unit prices keep up to 6 decimals, no exponent', () => {
  assert.equal(value(readUnitPrice('0.125000', 'Unit price')), '0.125');
  assert.match(value(readUnitPrice('0.1234567', 'Unit price')), /^Unit price: at most 6 decimals/);
  assert.match(value(readUnitPrice('1e3', 'Unit price')), /^Unit price: enter a plain number such as 12 or 4\.59 .*got "1e3"/);
});
