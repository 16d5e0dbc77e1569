/** Secrets are hashed and compared safely; logged documents never carry them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestToken, hashSecret, verifySecret } from '../../src/app/secrets.js';
import { redactPairs, redactXml } from '../../src/app/document-log.js';
import { redactUrlForLog } from '../../src/web/server.js';

test('a stored secret is a salted scrypt hash that verifies only the right secret, also after caching', () => {
  const stored = hashSecret('s3cret-Ünïcode');
  assert.match(stored, /^scrypt\$\d+\$/);
  assert.ok(!stored.includes('s3cret'));
  assert.notEqual(hashSecret('s3cret-Ünïcode'), stored, 'salted');
  assert.equal(verifySecret('s3cret-Ünïcode', stored), true);
  assert.equal(verifySecret('s3cret-Ünïcode', stored), true, 'cached success');
  assert.equal(verifySecret('s3cret-unicode', stored), false);
  assert.equal(verifySecret('', stored), false);
  assert.equal(verifySecret('anything', null), false);
  assert.equal(verifySecret('anything', 'garbage'), false);
});

test('tokens are stored as SHA-256 digests', () => {
  assert.match(digestToken('abc'), /^[0-9a-f]{64}$/);
  assert.notEqual(digestToken('abc'), 'abc');
});

test('SharedSecret text is cut out by parser positions, also after non-ASCII and CDATA', () => {
  const xml = `<?xml version="1.0"?>\n<cXML payloadID="ä€😀@x" timestamp="t"><Header><Sender><Credential domain="D"><Identity>Grüße 😀</Identity><SharedSecret>top&amp;secret</SharedSecret></Credential></Sender><From><Credential domain="x"><Identity>i</Identity><SharedSecret><![CDATA[second]]></SharedSecret></Credential></From></Header></cXML>`;
  const out = redactXml(xml);
  assert.ok(!out.includes('top&amp;secret'));
  assert.ok(!out.includes('second'));
  assert.ok(out.includes('<Identity>Grüße 😀</Identity>'), 'the rest is untouched');
  assert.equal((out.match(/\[redacted\]/g) ?? []).length, 2);
});

test('a document that does not parse is withheld when it may hold a secret', () => {
  const out = redactXml('<cXML><SharedSecret>leak</SharedSecret');
  assert.ok(!out.includes('leak'));
  assert.equal(redactXml('<a>fine</a'), '<a>fine</a', 'nothing secret-like: kept for diagnosis');
});

test('OCI passwords are masked in logged pairs and URLs', () => {
  const pairs = redactPairs([{ name: 'USERNAME', value: 'u' }, { name: 'password', value: 'p' }], ['PASSWORD']);
  assert.deepEqual(pairs, [{ name: 'USERNAME', value: 'u' }, { name: 'password', value: '[redacted]' }]);
  assert.equal(redactUrlForLog('/punchout/oci/demo-oci?USERNAME=demo&PASSWORD=demo&HOOK_URL=x'), '/punchout/oci/demo-oci?USERNAME=demo&PASSWORD=[redacted]&HOOK_URL=x');
  assert.equal(redactUrlForLog('/punchout/start/abcDEF123'), '/punchout/start/[redacted]');
});
