/** The OCI call the sandbox makes as a procurement system. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ociCallFields, ociCallForm } from '../../src/sandbox/oci-call.js';
import { defaultSettings } from '../../src/sandbox/settings.js';

const HOOK = 'http://127.0.0.1:8080/sandbox/punchouts/abc/oci-return';

describe('OCI call', () => {
  it('sends credentials, HOOK_URL and the SAP control fields', () => {
    const fields = new Map(ociCallFields(defaultSettings('http://localhost:8080'), HOOK));
    assert.equal(fields.get('USERNAME'), 'demo');
    assert.equal(fields.get('PASSWORD'), 'demo');
    assert.equal(fields.get('HOOK_URL'), HOOK);
    assert.equal(fields.get('~OkCode'), 'ADDI');
    assert.equal(fields.get('~TARGET'), '_top');
    assert.equal(fields.get('~CALLER'), 'CTLG');
    assert.equal(fields.get('OCI_VERSION'), '4.0');
  });

  it('POSTs to the catalog URL verbatim', () => {
    const s = { ...defaultSettings('http://localhost:8080'), ociUrl: 'https://shop.example/oci?sap-client=100' };
    const form = ociCallForm(s, HOOK);
    assert.equal(form.method, 'POST');
    assert.equal(form.action, 'https://shop.example/oci?sap-client=100');
  });

  it('with GET, moves the URL query into fields (a GET submit would drop it)', () => {
    const s = { ...defaultSettings('http://localhost:8080'), ociMethod: 'GET' as const, ociUrl: 'https://shop.example/oci?sap-client=100&lang=de' };
    const form = ociCallForm(s, HOOK);
    assert.equal(form.action, 'https://shop.example/oci');
    assert.deepEqual(form.fields.slice(0, 2), [['sap-client', '100'], ['lang', 'de']]);
    assert.ok(form.fields.some(([n, v]) => n === 'HOOK_URL' && v === HOOK));
  });
});
