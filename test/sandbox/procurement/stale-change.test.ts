/** A change typed on an older page, laid over the order as it is now (pure). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeStaleChange, pageStillCurrent } from '../../../src/sandbox/procurement/stale-change.js';

const lines = (...q: string[]) => q.map((quantity, i) => ({ lineNumber: i + 1, quantity }));
const map = (o: Record<number, string>) => new Map(Object.entries(o).map(([k, v]) => [Number(k), v]));

test('only the lines this person edited keep what was typed; the rest show the current quantities', () => {
  // The page showed 2/1/5; meanwhile line 1 became 3. This person raised line 2 to 4.
  const m = mergeStaleChange(lines('3', '1', '5'), map({ 1: '2', 2: '4', 3: '5' }), map({ 1: '2', 2: '1', 3: '5' }));
  assert.deepEqual(m.values, { 'qty-1': '3', 'qty-2': '4', 'qty-3': '5' });
  assert.deepEqual(m.kept, ['line 2 → 4']);
  assert.deepEqual(m.clashes, []);
});

test('numbers compare as numbers, an empty field is no edit, spaces do not count', () => {
  const m = mergeStaleChange(lines('3', '1', '5'), map({ 1: '2.0', 2: '', 3: ' 5 ' }), map({ 1: '2', 2: '1', 3: '5' }));
  assert.deepEqual(m.values, { 'qty-1': '3', 'qty-2': '1', 'qty-3': '5' }, '2.0 was what the page showed: the newer 3 stays');
  assert.deepEqual([m.kept, m.clashes], [[], []]);
});

test('a line both changed is kept as typed and named; one changed to the same value is quietly in place', () => {
  const m = mergeStaleChange(lines('2', '3'), map({ 1: '7', 2: '3.000' }), map({ 1: '1', 2: '1' }));
  assert.deepEqual(m.values, { 'qty-1': '7', 'qty-2': '3' });
  assert.deepEqual(m.kept, []);
  assert.deepEqual(m.clashes, ['line 1: you typed 7, but it was changed from 1 to 2 meanwhile']);
});

test('a line removed meanwhile, and a typed line the order no longer has, are named', () => {
  const m = mergeStaleChange(lines('2', '0'), map({ 2: '4', 9: '1' }), map({ 1: '2', 2: '1' }));
  assert.deepEqual(m.values, { 'qty-1': '2', 'qty-2': '4' });
  assert.deepEqual(m.clashes, ['line 2: you typed 4, but it was removed meanwhile', 'line 9 is not on the order any more; your 1 was not kept']);
});

test('without was-N (a script) a typed value that differs from the current one counts as an edit', () => {
  const m = mergeStaleChange(lines('2'), map({ 1: '5' }), map({}));
  assert.deepEqual([m.values, m.kept], [{ 'qty-1': '5' }, ['line 1 → 5']]);
});

test('a page is still current when every line it showed has that quantity now', () => {
  assert.equal(pageStillCurrent(lines('2', '1'), map({ 1: '2.0', 2: '1' })), true);
  assert.equal(pageStillCurrent(lines('2', '1'), map({ 1: '2', 2: '3' })), false);
  assert.equal(pageStillCurrent(lines('2', '1'), map({ 1: '2' })), false, 'a line the page did not show');
  assert.equal(pageStillCurrent([], map({})), false);
});
