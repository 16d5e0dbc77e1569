/** Lists of numbered records made in one instant (a fixed clock, a fast machine) keep their numbering order (pure). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newestFirst } from '../../../src/sandbox/procurement/model.js';

test('newest first: by time, then by series number as a number (…-10 after …-9)', () => {
  const same = '2026-12-04T10:00:00.000Z';
  const rows = [
    { number: 'REQ-20261204-9', created_at: same },
    { number: 'REQ-20261204-10', created_at: same },
    { number: 'REQ-20261204-2', created_at: '2026-12-04T09:59:59.999Z' },
    { number: 'REQ-20261204-11', created_at: '2026-12-04T10:00:00.001Z' },
    { number: 'REQ-20261204-1', created_at: '2026-12-04T09:00:00.000Z' },
  ];
  assert.deepEqual([...rows].sort(newestFirst).map((r) => r.number), ['REQ-20261204-11', 'REQ-20261204-10', 'REQ-20261204-9', 'REQ-20261204-2', 'REQ-20261204-1']);
  // Receipts are listed oldest first with the same rule reversed.
  assert.deepEqual([{ number: 'GR-10', created_at: same }, { number: 'GR-9', created_at: same }].sort((a, b) => -newestFirst(a, b)).map((r) => r.number), ['GR-9', 'GR-10']);
});
