/** The start form: defaults for the demo connections, and clear problems for bad input. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cxmlHeader, defaultSettings, settingsFromForm } from '../../src/sandbox/settings.js';

describe('start form', () => {
  it('defaults to this Koppel\'s demo connections', () => {
    const d = defaultSettings('http://localhost:8080/');
    assert.equal(d.ociUrl, 'http://localhost:8080/punchout/oci/demo-oci');
    assert.equal(d.cxmlUrl, 'http://localhost:8080/cxml');
    assert.equal(d.cxmlVersion, '1.2.071');
    assert.deepEqual(d.from, { domain: 'NetworkID', identity: 'DEMO-BUYER' });
    assert.deepEqual(d.to, { domain: 'NetworkID', identity: 'KOPPEL-DEMO' });
    assert.equal(d.sharedSecret, 'demo-secret');
  });

  it('reads the fields; an empty form gives the defaults', () => {
    const { settings, problems } = settingsFromForm(new URLSearchParams(''), 'http://localhost:8080');
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, defaultSettings('http://localhost:8080'));
    const r = settingsFromForm(new URLSearchParams('protocol=cxml&framed=1&ociMethod=get&sharedSecret=%20s%20'), 'http://x');
    assert.equal(r.settings.protocol, 'cxml');
    assert.equal(r.settings.framed, true);
    assert.equal(r.settings.ociMethod, 'GET');
    assert.equal(r.settings.sharedSecret, ' s ', 'secrets are taken as typed');
  });

  it('names bad values', () => {
    const { problems } = settingsFromForm(new URLSearchParams('protocol=edi&cxmlUrl=javascript:alert(1)&cxmlVersion=2'), 'http://x');
    assert.deepEqual(problems.map((p) => p.field).sort(), ['cxmlUrl', 'cxmlVersion', 'protocol']);
  });

  it('puts the SharedSecret under Sender only', () => {
    const h = cxmlHeader(defaultSettings('http://x'));
    assert.equal(h.sender.credentials[0]!.sharedSecret, 'demo-secret');
    assert.equal(h.from.credentials[0]!.sharedSecret, undefined);
    assert.equal(h.to.credentials[0]!.sharedSecret, undefined);
  });
});
