/**
 * Migration 0007 moves the purchase orders the sandbox kept on sandbox_punchouts into their own
 * table: an install upgraded with old orders keeps them, their documents and their numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import * as m1 from '../../src/store/migrations/0001-round-trip.js';
import * as m2 from '../../src/store/migrations/0002-admin.js';
import * as m3 from '../../src/store/migrations/0003-connection-admin.js';
import * as m4 from '../../src/store/migrations/0004-outbox.js';
import * as m5 from '../../src/store/migrations/0005-order-lifecycle.js';
import * as m6 from '../../src/store/migrations/0006-order-document-state.js';
import * as m7 from '../../src/store/migrations/0007-sandbox-procurement.js';

test('0007 copies earlier sandbox orders with their documents and continues their numbering', async () => {
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  try {
    for (const m of [m1, m2, m3, m4, m5, m6]) await m.up(db, 'sqlite');
    const at = '2026-11-30T10:00:00.000Z';
    const punchout = (id: string, orderID: string | undefined, status: string | null) => ({
      id,
      protocol: 'cxml',
      supplier_url: 'http://supplier.example/cxml',
      buyer_cookie: 'c',
      status: status === 'accepted' ? 'ordered' : 'returned',
      framed: 0,
      request: JSON.stringify({ settings: { cxmlUrl: 'http://supplier.example/cxml' }, ...(orderID ? { order: { orderID, attempts: 2, payloadID: `p-${id}`, at } } : {}) }),
      cart_raw: null,
      cart_format: 'cxml',
      cart_lines: null,
      cart_total: '12.50',
      currency: 'EUR',
      order_payload_id: orderID ? `p-${id}` : null,
      order_xml: orderID ? '<cXML/>' : null,
      order_response: null,
      order_status: status,
      created_at: at,
      updated_at: at,
    });
    await db.insertInto('sandbox_punchouts').values([punchout('a', 'SBX-20261130-7', 'accepted'), punchout('b', 'SBX-20261130-9', 'rejected'), punchout('c', undefined, null)]).execute();
    await db
      .insertInto('sandbox_documents')
      .values({ id: 'd1', punchout_id: 'a', order_id: 'SBX-20261130-7', doc_type: 'ConfirmationRequest', payload_id: 'x', status: 'accepted', detail: '', summary: '{}', body: '<cXML/>', received_at: at })
      .execute();

    await m7.up(db, 'sqlite');

    const pos = await db.selectFrom('sandbox_purchase_orders').selectAll().orderBy('order_id').execute();
    assert.deepEqual(pos.map((p) => [p.order_id, p.status, p.punchout_id, p.total]), [
      ['SBX-20261130-7', 'open', 'a', '12.50'],
      ['SBX-20261130-9', 'rejected', 'b', '12.50'],
    ]);
    const messages = await db.selectFrom('sandbox_po_messages').selectAll().orderBy('payload_id').execute();
    assert.deepEqual(messages.map((m) => [m.payload_id, m.type, m.status, m.attempts]), [
      ['p-a', 'new', 'accepted', 2],
      ['p-b', 'new', 'rejected', 2],
    ]);
    const doc = await db.selectFrom('sandbox_documents').select('po_id').where('id', '=', 'd1').executeTakeFirstOrThrow();
    assert.equal(doc.po_id, pos[0]!.id);
    // The next order gets a number above the highest old one, not the count of copied orders.
    const counter = await db.selectFrom('sandbox_counters').selectAll().where('name', '=', 'po').executeTakeFirstOrThrow();
    assert.equal(Number(counter.value), 9);
  } finally {
    await db.destroy();
  }
});
