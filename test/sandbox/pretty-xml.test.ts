/** Display indentation of returned documents. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prettyXml } from '../../src/sandbox/pretty-xml.js';

describe('prettyXml', () => {
  it('puts one element per line and keeps leaf text exactly', () => {
    const out = prettyXml('<?xml version="1.0"?><a x="1&amp;2"><b>  t &lt; u </b><c/></a>');
    assert.equal(out, '<?xml version="1.0"?>\n<a x="1&amp;2">\n  <b>  t &lt; u </b>\n  <c/>\n</a>');
  });

  it('shows what it cannot parse unchanged', () => {
    assert.equal(prettyXml('<a><b>'), '<a><b>');
    assert.equal(prettyXml('not xml'), 'not xml');
  });
});
