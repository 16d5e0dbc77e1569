/** The "acting as" cookie comes from the browser: hostile values fall back to the default person, never a 500. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t?.close();
});

test('broken escapes, unknown ids and odd characters in the cookie act as the default requester', async () => {
  for (const value of ['%', '%E0%A4%A', 'nobody', '<script>', 'maria%00', 'a'.repeat(200)]) {
    for (const url of ['/sandbox/requisitions', '/sandbox/approvals', '/sandbox/orders', '/sandbox/inventory', '/sandbox/budgets', '/sandbox/setup']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { cookie: `koppel_sandbox_person=${value}` } });
      assert.equal(res.statusCode, 200, `${url} with cookie ${value}`);
      assert.match(res.body, /Acting as <strong>Alex Meyer<\/strong>/, `${url} with cookie ${value}`);
    }
  }
  const maria = await t.app.inject({ method: 'GET', url: '/sandbox/approvals', headers: { cookie: 'other=1; koppel_sandbox_person=maria' } });
  assert.match(maria.body, /Acting as <strong>Maria Schulz<\/strong>/);
});
