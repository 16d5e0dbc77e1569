/**
 * Reading an OCI cart form that a hostile or broken shop posted: line numbers are the sender's
 * text, so nothing may grow with their value (the gap warning used to list every missing number).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readOciCartForm } from '../../../src/protocol/oci/cart-form-reader.js';

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

test('a huge gap in line numbers is summarised without listing every missing number', () => {
  const { value, ms } = timed(() =>
    readOciCartForm([
      ['NEW_ITEM-DESCRIPTION[1]', 'a'],
      ['NEW_ITEM-DESCRIPTION[50000000]', 'b'],
    ]),
  );
  assert.ok(ms < 1000, `took ${ms} ms`);
  assert.deepEqual(value.lines.map((l) => l.index), [1, 50000000]);
  const gap = value.warnings.find((w) => w.startsWith('gap in line numbers'));
  assert.ok(gap, value.warnings.join('\n'));
  assert.match(gap, /2, 3, 4, 5, 6, 7, 8, 9, 10, 11 … \(49999998 in all\)/);
  assert.ok(gap.length < 200, gap);
});

test('line numbers beyond safe integers or beyond any number do not hang or crash the reader', () => {
  const { value, ms } = timed(() =>
    readOciCartForm([
      ['NEW_ITEM-DESCRIPTION[1]', 'a'],
      ['NEW_ITEM-DESCRIPTION[99999999999999999999]', 'b'],
      [`NEW_ITEM-DESCRIPTION[${'9'.repeat(400)}]`, 'c'],
      [`NEW_ITEM-LONGTEXT_${'9'.repeat(400)}:132[]`, 'd'],
    ]),
  );
  assert.ok(ms < 1000, `took ${ms} ms`);
  assert.ok(value.warnings.some((w) => w.startsWith('gap in line numbers')));
  assert.ok(value.warnings.every((w) => w.length < 500));
});

test('small gaps are still listed one by one, and a form without gaps has no gap warning', () => {
  const gappy = readOciCartForm([
    ['NEW_ITEM-DESCRIPTION[1]', 'a'],
    ['NEW_ITEM-DESCRIPTION[4]', 'b'],
    ['NEW_ITEM-DESCRIPTION[6]', 'c'],
  ]);
  assert.ok(gappy.warnings.includes('gap in line numbers: 2, 3, 5 missing'), gappy.warnings.join('\n'));
  const tidy = readOciCartForm([
    ['NEW_ITEM-DESCRIPTION[1]', 'a'],
    ['NEW_ITEM-DESCRIPTION[2]', 'b'],
  ]);
  assert.ok(!tidy.warnings.some((w) => w.startsWith('gap')));
});
