import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLParseFlags, parseXml, type XMLElement } from 'libxmljs';
import { Decimal } from 'decimal.js';
import type {
  OrderRequest,
  ProfileResponse,
  PunchOutOrderMessage,
  PunchOutSetupRequest,
  Header,
} from '../../../src/protocol/cxml/model.js';
import {
  CxmlWriteError,
  formatCxmlTimestamp,
  toBase64Field,
  toUrlencodedFieldValue,
  writeOrderRequest,
  writeProfileResponse,
  writePunchOutOrderMessage,
  writePunchOutSetupRequest,
  writePunchOutSetupResponse,
  writeStatusResponse,
  type ItemInInput,
  type ItemOutInput,
  type OrderRequestInput,
  type ProfileResponseInput,
  type PunchOutOrderMessageInput,
  type PunchOutSetupRequestInput,
  type WriteContext,
} from '../../../src/protocol/cxml/writer.js';
import { newPayloadId } from '../../../src/protocol/cxml/payload-id.js';
import { escapeAttr, escapeText, stripInvalidXmlChars, toAsciiCharRefs } from '../../../src/protocol/cxml/xml-text.js';
import { assertDtdValid } from '../../helpers/dtd.js';

// ---- compile-time: model objects (what the reader produces) are accepted by the writer ------
export function modelsAreWriterInputs(
  poom: PunchOutOrderMessage,
  setup: PunchOutSetupRequest,
  order: OrderRequest,
  profile: ProfileResponse,
): [PunchOutOrderMessageInput, PunchOutSetupRequestInput, OrderRequestInput, ProfileResponseInput] {
  return [poom, setup, order, profile];
}

// ---- fixtures ---------------------------------------------------------------------------------
const d = (v: string | number) => new Decimal(v);
const eur = (v: string | number) => ({ amount: d(v), currency: 'EUR' });
const usd = (v: string | number) => ({ amount: d(v), currency: 'USD' });

const ctx: WriteContext = {
  payloadID: '1796288400000.abc@koppel.test',
  timestamp: new Date(Date.UTC(2026, 11, 3, 9, 0, 0)),
  offsetMinutes: 60,
};
const at = (version: string): WriteContext => ({ ...ctx, version });

const supplierHeader: Header = {
  from: { credentials: [{ domain: 'DUNS', identity: 'koppel-demo' }] },
  to: { credentials: [{ domain: 'NetworkID', identity: 'AN01000000001' }] },
  sender: { credentials: [{ domain: 'DUNS', identity: 'koppel-demo' }], userAgent: 'Koppel 0.1' },
};
const buyerHeader: Header = {
  from: { credentials: [{ domain: 'NetworkID', identity: 'DEMO-BUYER' }, { domain: 'DUNS', identity: 'mp', type: 'marketplace' }] },
  to: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO' }] },
  sender: { credentials: [{ domain: 'NetworkID', identity: 'DEMO-BUYER', sharedSecret: 'demo-secret' }], userAgent: 'Koppel Sandbox' },
};

const address = {
  name: 'ACME GmbH',
  isoCountryCode: 'DE',
  addressID: 'HQ-1',
  postalAddress: { name: 'default', deliverTo: ['Erika Mustermann', 'Einkauf'], street: ['Hauptstraße 1'], city: 'Köln', state: 'NRW', postalCode: '50667', country: 'Deutschland', countryCode: 'DE' },
  email: 'einkauf@acme.example',
  phone: { countryCode: '49', areaOrCityCode: '221', number: '123456' },
  url: 'https://acme.example/',
};

/** A cart line that every DTD version can carry (Coupa's 1.2.014 included). */
const basicItem: ItemInInput = {
  quantity: d(3),
  lineNumber: 1,
  itemID: { supplierPartID: 'SKU-1', supplierPartAuxiliaryID: 'cart-7:line-1' },
  itemDetail: {
    unitPrice: eur('12.5'),
    descriptions: [{ lang: 'de-DE', text: 'Kugelschreiber blau', shortName: 'Kuli' }],
    unitOfMeasure: 'EA',
    classifications: [{ domain: 'UNSPSC', code: '44121704' }],
    manufacturerPartID: 'KS-100',
    manufacturerName: 'Schreibwerk',
    url: 'https://shop.example/p/SKU-1',
    leadTime: 2,
    extrinsics: [{ name: 'Color', value: 'blue' }],
  },
  shipping: { money: eur('1.00'), description: 'Versand anteilig' },
  tax: { money: eur('7.31'), description: 'MwSt', details: [{ category: 'vat', percentageRate: d(19), taxableAmount: eur('38.50'), taxAmount: eur('7.31'), description: '19 %' }] },
};

/** Everything 1.2.071 allows on a line and 1.2.014 does not. */
const richItem: ItemInInput = {
  ...basicItem,
  lineNumber: 2,
  parentLineNumber: 1,
  itemType: 'item',
  itemClassification: 'material',
  itemID: { supplierPartID: 'SKU-2', supplierPartAuxiliaryID: 'cart-7:line-2', buyerPartID: 'B-77' },
  itemDetail: {
    ...basicItem.itemDetail,
    unitPrice: eur('104.99'),
    priceBasisQuantity: { quantity: d(2), conversionFactor: d('0.5'), unitOfMeasure: 'BX', description: { lang: 'en', text: 'price per box of 2' } },
  },
  comments: { lang: 'de-DE', text: 'Bitte einzeln verpacken', attachmentUrls: ['cid:spec@koppel.test'] },
  extrinsics: [{ name: 'CartLine', value: '2' }],
};

const poomInput: PunchOutOrderMessageInput = {
  buyerCookie: 'cookie-123',
  operationAllowed: 'edit',
  total: eur('38.50'),
  items: [basicItem],
};

function parse(xml: string) {
  return parseXml(xml, { flags: [XMLParseFlags.XML_PARSE_NONET] });
}

function node(xml: string, xpath: string): XMLElement {
  const found = parse(xml).get(xpath);
  assert.ok(found && typeof found === 'object', `no node at ${xpath}`);
  return found as XMLElement;
}

function childNames(xml: string, xpath: string): string[] {
  return node(xml, xpath)
    .childNodes()
    .filter((n) => n.type() === 'element')
    .map((n) => n.name());
}

// ---- tests ------------------------------------------------------------------------------------

describe('envelope', () => {
  it('writes a bare Status response exactly', () => {
    const xml = writeStatusResponse(ctx, { code: 200 });
    assert.equal(
      xml,
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">',
        '<cXML payloadID="1796288400000.abc@koppel.test" timestamp="2026-12-03T10:00:00+01:00" xml:lang="en-US">',
        '  <Response>',
        '    <Status code="200" text="OK" xml:lang="en-US"/>',
        '  </Response>',
        '</cXML>',
        '',
      ].join('\n'),
    );
    assertDtdValid(xml, 'cXML');
    assertDtdValid(xml, 'cXML', '1.2.014');
  });

  it('writes error statuses with canonical text and detail', () => {
    const xml = writeStatusResponse(ctx, { code: 406, detail: 'Element <Foo> & more' });
    assert.match(xml, /<Status code="406" text="Not Acceptable" xml:lang="en-US">Element &lt;Foo&gt; &amp; more<\/Status>/);
    assert.match(writeStatusResponse(ctx, { code: 475 }), /text="Bad Request"/); // unknown 4xx → x00 text
    assert.match(writeStatusResponse(ctx, { code: 401, text: 'Unauthorized: bad secret' }), /text="Unauthorized: bad secret"/);
    assertDtdValid(xml, 'cXML');
    assert.throws(() => writeStatusResponse(ctx, { code: 42 }), CxmlWriteError);
  });

  it('has no Header in responses, and a Header in requests and messages', () => {
    assert.ok(!writeStatusResponse(ctx, { code: 200 }).includes('<Header>'));
    assert.ok(writePunchOutOrderMessage(ctx, supplierHeader, poomInput).includes('<Header>'));
  });

  it('writes timestamps with a numeric offset, never Z', () => {
    const t = new Date(Date.UTC(2026, 11, 3, 9, 0, 0));
    assert.equal(formatCxmlTimestamp(t, 60), '2026-12-03T10:00:00+01:00');
    assert.equal(formatCxmlTimestamp(t), '2026-12-03T09:00:00+00:00');
    assert.equal(formatCxmlTimestamp(t, -330), '2026-12-03T03:30:00-05:30');
    assert.equal(formatCxmlTimestamp(new Date(Date.UTC(2026, 11, 31, 23, 30, 5, 999)), 60), '2027-01-01T00:30:05+01:00');
    assert.match(writeStatusResponse({ ...ctx, offsetMinutes: undefined }, { code: 200 }), /timestamp="2026-12-03T09:00:00\+00:00"/);
    assert.throws(() => formatCxmlTimestamp(new Date(Number.NaN)), CxmlWriteError);
    assert.throws(() => formatCxmlTimestamp(t, 15 * 60), CxmlWriteError);
    assert.throws(() => formatCxmlTimestamp(t, 1.5), CxmlWriteError);
  });

  it('declares the configured DTD version and language', () => {
    const xml = writeStatusResponse({ ...ctx, version: '1.2.014', lang: 'de-DE' }, { code: 200 });
    assert.match(xml, /<!DOCTYPE cXML SYSTEM "http:\/\/xml\.cxml\.org\/schemas\/cXML\/1\.2\.014\/cXML\.dtd">/);
    assert.match(xml, /<cXML payloadID="[^"]+" timestamp="[^"]+" xml:lang="de-DE">/);
    assert.throws(() => writeStatusResponse({ ...ctx, version: '1.2.14"><x' }, { code: 200 }), CxmlWriteError);
    assert.throws(() => writeStatusResponse({ ...ctx, lang: 'en US' }, { code: 200 }), CxmlWriteError);
    assert.throws(() => writeStatusResponse({ ...ctx, payloadID: '' }, { code: 200 }), CxmlWriteError);
  });
});

describe('ProfileResponse and PunchOutSetupResponse', () => {
  const profile: ProfileResponseInput = {
    effectiveDate: new Date(Date.UTC(2026, 0, 1)),
    options: [{ name: 'Koppel', value: 'yes' }],
    transactions: [
      { requestName: 'ProfileRequest', url: 'https://shop.example/cxml' },
      { requestName: 'PunchOutSetupRequest', url: 'https://shop.example/cxml', options: [{ name: 'operationAllowed', value: 'edit' }] },
      { requestName: 'OrderRequest', url: 'https://shop.example/cxml?a=1&b=2' },
    ],
  };

  for (const version of ['1.2.071', '1.2.014']) {
    it(`ProfileResponse validates at ${version}`, () => {
      const r = assertDtdValid(writeProfileResponse(at(version), profile), 'cXML', version);
      assert.ok(r.dtd.includes(version));
    });
    it(`PunchOutSetupResponse validates at ${version}`, () => {
      const r = assertDtdValid(writePunchOutSetupResponse(at(version), { startPageUrl: 'https://shop.example/start?t=x&y=1' }), 'cXML', version);
      assert.ok(r.dtd.includes(version));
    });
  }

  it('writes the ProfileResponse in DTD order', () => {
    const xml = writeProfileResponse(ctx, profile);
    assert.match(xml, /<ProfileResponse effectiveDate="2026-01-01T01:00:00\+01:00">/);
    assert.deepEqual(childNames(xml, '//ProfileResponse'), ['Option', 'Transaction', 'Transaction', 'Transaction']);
    assert.match(xml, /<Transaction requestName="OrderRequest">\s*<URL>https:\/\/shop\.example\/cxml\?a=1&amp;b=2<\/URL>/);
    assert.deepEqual(childNames(xml, '//Response'), ['Status', 'ProfileResponse']);
    assert.throws(() => writeProfileResponse(ctx, { ...profile, transactions: [] }), CxmlWriteError);
  });

  it('writes the StartPage exactly', () => {
    const xml = writePunchOutSetupResponse(ctx, { startPageUrl: 'https://shop.example/start?t=x&y=1' });
    assert.ok(
      xml.endsWith(
        [
          '  <Response>',
          '    <Status code="200" text="OK" xml:lang="en-US"/>',
          '    <PunchOutSetupResponse>',
          '      <StartPage>',
          '        <URL>https://shop.example/start?t=x&amp;y=1</URL>',
          '      </StartPage>',
          '    </PunchOutSetupResponse>',
          '  </Response>',
          '</cXML>',
          '',
        ].join('\n'),
      ),
      xml,
    );
    assert.throws(() => writePunchOutSetupResponse(ctx, { startPageUrl: ' ' }), CxmlWriteError);
  });
});

describe('PunchOutOrderMessage', () => {
  const full: PunchOutOrderMessageInput = {
    buyerCookie: 'cookie-123',
    operationAllowed: 'edit',
    quoteStatus: 'final',
    total: eur('263.48'),
    shipTo: address,
    shipping: { money: eur('4.90'), description: 'Standard', trackingDomain: 'DHL', trackingId: '123' },
    tax: { money: eur('42.07'), description: 'MwSt', details: [{ category: 'vat', percentageRate: d(19), taxAmount: eur('42.07') }] },
    supplierOrderId: 'Q-2026-1',
    items: [basicItem, richItem],
    deploymentMode: 'test',
    inReplyTo: 'setup-payload@buyer',
  };

  it('validates with every optional part at 1.2.071', () => {
    assertDtdValid(writePunchOutOrderMessage(ctx, supplierHeader, full), 'cXML');
  });

  it('validates a Coupa-compatible cart at 1.2.014 against the 1.2.014 DTD', () => {
    const xml = writePunchOutOrderMessage(at('1.2.014'), supplierHeader, { ...full, items: [basicItem, { ...basicItem, lineNumber: 2 }] });
    const r = assertDtdValid(xml, 'cXML', '1.2.014');
    assert.ok(r.dtd.endsWith('/1.2.014/cXML.dtd'));
    assert.match(xml, /cXML\/1\.2\.014\/cXML\.dtd/);
  });

  it('validates an empty cart and a cancel (Status 204) at both versions', () => {
    for (const version of ['1.2.071', '1.2.014']) {
      assertDtdValid(writePunchOutOrderMessage(at(version), supplierHeader, { ...poomInput, items: [] }), 'cXML', version);
      const cancel = writePunchOutOrderMessage(at(version), supplierHeader, { ...poomInput, items: [], status: { code: 204 } });
      assertDtdValid(cancel, 'cXML', version);
      assert.match(cancel, /<Message>\s*<Status code="204" text="No Content" xml:lang="en-US"\/>\s*<PunchOutOrderMessage>/);
    }
  });

  it('writes header and item children in DTD order', () => {
    const xml = writePunchOutOrderMessage(ctx, supplierHeader, full);
    assert.deepEqual(childNames(xml, '/cXML'), ['Header', 'Message']);
    assert.deepEqual(childNames(xml, '//PunchOutOrderMessage'), ['BuyerCookie', 'PunchOutOrderMessageHeader', 'ItemIn', 'ItemIn']);
    assert.deepEqual(childNames(xml, '//PunchOutOrderMessageHeader'), ['Total', 'ShipTo', 'Shipping', 'Tax', 'SupplierOrderInfo']);
    assert.deepEqual(childNames(xml, '//ItemIn[2]'), ['ItemID', 'ItemDetail', 'Shipping', 'Tax', 'Comments', 'Extrinsic']);
    assert.deepEqual(childNames(xml, '//ItemIn[2]/ItemID'), ['SupplierPartID', 'SupplierPartAuxiliaryID', 'BuyerPartID']);
    assert.deepEqual(childNames(xml, '//ItemIn[2]/ItemDetail'), [
      'UnitPrice', 'Description', 'UnitOfMeasure', 'PriceBasisQuantity', 'Classification',
      'ManufacturerPartID', 'ManufacturerName', 'URL', 'LeadTime', 'Extrinsic',
    ]);
    assert.deepEqual(childNames(xml, '//ShipTo/Address'), ['Name', 'PostalAddress', 'Email', 'Phone', 'URL']);
    assert.deepEqual(childNames(xml, '//ShipTo/Address/PostalAddress'), ['DeliverTo', 'DeliverTo', 'Street', 'City', 'State', 'PostalCode', 'Country']);
  });

  it('writes the key parts exactly', () => {
    const xml = writePunchOutOrderMessage(ctx, supplierHeader, full);
    assert.match(xml, /<Message deploymentMode="test" inReplyTo="setup-payload@buyer">/);
    assert.match(xml, /<PunchOutOrderMessageHeader operationAllowed="edit" quoteStatus="final">\s*<Total>\s*<Money currency="EUR">263\.48<\/Money>/);
    assert.ok(
      xml.includes(
        [
          '      <ItemIn quantity="3" lineNumber="1">',
          '        <ItemID>',
          '          <SupplierPartID>SKU-1</SupplierPartID>',
          '          <SupplierPartAuxiliaryID>cart-7:line-1</SupplierPartAuxiliaryID>',
          '        </ItemID>',
          '        <ItemDetail>',
          '          <UnitPrice>',
          '            <Money currency="EUR">12.50</Money>',
          '          </UnitPrice>',
          '          <Description xml:lang="de-DE"><ShortName>Kuli</ShortName>Kugelschreiber blau</Description>',
          '          <UnitOfMeasure>EA</UnitOfMeasure>',
          '          <Classification domain="UNSPSC">44121704</Classification>',
        ].join('\n'),
      ),
      xml,
    );
    assert.match(xml, /<ItemIn quantity="3" lineNumber="2" parentLineNumber="1" itemType="item" itemClassification="material">/);
    assert.match(xml, /<PriceBasisQuantity quantity="2" conversionFactor="0\.5">\s*<UnitOfMeasure>BX<\/UnitOfMeasure>\s*<Description xml:lang="en">price per box of 2<\/Description>/);
    assert.match(xml, /<TaxDetail category="vat" percentageRate="19">\s*<TaxableAmount>\s*<Money currency="EUR">38\.50<\/Money>/);
    assert.match(xml, /<Shipping trackingDomain="DHL" trackingId="123">/);
    assert.match(xml, /<Comments xml:lang="de-DE">Bitte einzeln verpacken<Attachment><URL>cid:spec@koppel\.test<\/URL><\/Attachment><\/Comments>/);
    assert.match(xml, /<SupplierOrderInfo orderID="Q-2026-1"\/>/);
    assert.match(xml, /<Phone>\s*<TelephoneNumber>\s*<CountryCode isoCountryCode="DE">49<\/CountryCode>/);
  });

  it('formats money with the currency minor units and no grouping', () => {
    const item = (price: { amount: Decimal; currency: string }): ItemInInput => ({ ...basicItem, shipping: undefined, tax: undefined, itemDetail: { ...basicItem.itemDetail, unitPrice: price } });
    const xml = writePunchOutOrderMessage(ctx, supplierHeader, {
      ...poomInput,
      total: { amount: d('1234567.5'), currency: 'eur' },
      items: [item({ amount: d('1000'), currency: 'JPY' }), item({ amount: d('0.12345'), currency: 'USD' }), item({ amount: d('1.5'), currency: 'BHD' })],
    });
    assert.match(xml, /<Total>\s*<Money currency="EUR">1234567\.50<\/Money>/);
    assert.match(xml, /<Money currency="JPY">1000<\/Money>/);
    assert.match(xml, /<Money currency="USD">0\.12345<\/Money>/);
    assert.match(xml, /<Money currency="BHD">1\.500<\/Money>/);
    assert.match(writePunchOutOrderMessage(ctx, supplierHeader, { ...poomInput, items: [{ ...basicItem, quantity: d('2.50') }] }), /<ItemIn quantity="2\.5"/);
    assert.throws(() => writePunchOutOrderMessage(ctx, supplierHeader, { ...poomInput, total: { amount: d(1), currency: 'EURO' } }), CxmlWriteError);
    assert.throws(() => writePunchOutOrderMessage(ctx, supplierHeader, { ...poomInput, items: [{ ...basicItem, quantity: d(-1) }] }), CxmlWriteError);
  });

  it('refuses PriceBasisQuantity for DTD versions that predate it', () => {
    const withPbq: PunchOutOrderMessageInput = { ...poomInput, items: [{ ...basicItem, itemDetail: richItem.itemDetail }] };
    for (const version of ['1.2.014', '1.2.020']) {
      assert.throws(
        () => writePunchOutOrderMessage(at(version), supplierHeader, withPbq),
        (e: unknown) => e instanceof CxmlWriteError && /PriceBasisQuantity/.test(e.message) && e.message.includes(version),
      );
    }
    assertDtdValid(writePunchOutOrderMessage(at('1.2.037'), supplierHeader, withPbq), 'cXML', '1.2.063');
  });

  it('refuses other constructs the 1.2.014 DTD lacks instead of writing an invalid cart', () => {
    const v14 = at('1.2.014');
    const variants: ItemInInput[] = [
      { ...basicItem, itemID: { ...basicItem.itemID, buyerPartID: 'B-1' } },
      { ...basicItem, comments: { text: 'x' } },
      { ...basicItem, extrinsics: [{ name: 'a', value: 'b' }] },
      { ...basicItem, itemType: 'item' },
    ];
    for (const item of variants) {
      assert.throws(() => writePunchOutOrderMessage(v14, supplierHeader, { ...poomInput, items: [item] }), /not in that DTD/);
    }
    const shipTo = { ...address, postalAddress: { ...address.postalAddress, municipality: 'Innenstadt' } };
    assert.throws(() => writePunchOutOrderMessage(v14, supplierHeader, { ...poomInput, shipTo }), /Municipality/);
    assertDtdValid(writePunchOutOrderMessage(ctx, supplierHeader, { ...poomInput, shipTo }), 'cXML');
  });

  it('requires Classification and Description on every line', () => {
    const noClass = { ...basicItem, itemDetail: { ...basicItem.itemDetail, classifications: [] } };
    assert.throws(() => writePunchOutOrderMessage(ctx, supplierHeader, { ...poomInput, items: [noClass] }), /Classification/);
    const noDesc = { ...basicItem, itemDetail: { ...basicItem.itemDetail, descriptions: [] } };
    assert.throws(() => writePunchOutOrderMessage(ctx, supplierHeader, { ...poomInput, items: [noDesc] }), /Description/);
    const noUom = { ...basicItem, itemDetail: { ...basicItem.itemDetail, unitOfMeasure: '' } };
    assert.throws(() => writePunchOutOrderMessage(ctx, supplierHeader, { ...poomInput, items: [noUom] }), /UnitOfMeasure/);
  });

  it('refuses a SharedSecret, which would travel through the browser', () => {
    assert.throws(() => writePunchOutOrderMessage(ctx, buyerHeader, poomInput), /SharedSecret/);
  });

  it('echoes the BuyerCookie byte for byte', () => {
    const cookie = '  Ab&<c>\r\n\t"x"  ';
    const xml = writePunchOutOrderMessage(ctx, supplierHeader, { ...poomInput, buyerCookie: cookie });
    assert.equal(node(xml, '//BuyerCookie').text(), cookie);
    assertDtdValid(xml, 'cXML');
    assert.match(writePunchOutOrderMessage(ctx, supplierHeader, { ...poomInput, buyerCookie: '' }), /<BuyerCookie\/>/);
  });
});

describe('escaping', () => {
  const nasty = 'Schraube “groß” & <Mutter> "M8" \u00e9\u{1F529}';
  const item: ItemInInput = {
    ...basicItem,
    itemID: { supplierPartID: 'A&B<1>"', supplierPartAuxiliaryID: 'aux\u0001\u0008id\uFFFF' },
    itemDetail: {
      ...basicItem.itemDetail,
      descriptions: [{ lang: 'de-DE', text: nasty, shortName: 'a<b' }],
      classifications: [{ domain: 'X "q" & <y>\n\tz', code: '1' }],
      extrinsics: [{ name: 'n"ame', value: 'v<a>l&' }],
    },
  };
  const xml = writePunchOutOrderMessage(ctx, supplierHeader, { ...poomInput, items: [item] });

  it('escapes & < > in text and & < > " and whitespace in attributes', () => {
    assert.ok(xml.includes('<SupplierPartID>A&amp;B&lt;1&gt;"</SupplierPartID>'));
    assert.ok(xml.includes('<ShortName>a&lt;b</ShortName>Schraube “groß” &amp; &lt;Mutter&gt; "M8" é🔩</Description>'));
    assert.ok(xml.includes('<Classification domain="X &quot;q&quot; &amp; &lt;y&gt;&#10;&#9;z">1</Classification>'));
    assert.ok(xml.includes('<Extrinsic name="n&quot;ame">v&lt;a&gt;l&amp;</Extrinsic>'));
    assertDtdValid(xml, 'cXML');
  });

  it('round-trips the values through a parser', () => {
    assert.equal(node(xml, '//ItemDetail/Description').text(), `a<b${nasty}`);
    assert.equal(node(xml, '//SupplierPartID').text(), 'A&B<1>"');
    assert.equal(node(xml, '//Classification').getAttribute('domain')?.value(), 'X "q" & <y>\n\tz');
  });

  it('strips characters XML 1.0 forbids', () => {
    assert.ok(xml.includes('<SupplierPartAuxiliaryID>auxid</SupplierPartAuxiliaryID>'));
    assert.equal(stripInvalidXmlChars('a\u0000b\u001Fc\uD800d\uFFFEe\t\n\r'), 'abcde\t\n\r');
    assert.equal(stripInvalidXmlChars('ok \u{1F600}'), 'ok \u{1F600}');
  });

  it('has small, exact helpers', () => {
    assert.equal(escapeText('a&b<c>d\re"f\''), 'a&amp;b&lt;c&gt;d&#13;e"f\'');
    assert.equal(escapeAttr('a&b<c>d"e\tf\ng\rh\''), 'a&amp;b&lt;c&gt;d&quot;e&#9;f&#10;g&#13;h\'');
    assert.equal(toAsciiCharRefs('é€😀x'), '&#xE9;&#x20AC;&#x1F600;x');
  });
});

describe('cart transport fields', () => {
  const item: ItemInInput = { ...basicItem, itemDetail: { ...basicItem.itemDetail, descriptions: [{ lang: 'de-DE', text: 'Größe “XL” – 10 € 😀 & <mehr>' }] } };
  const xml = writePunchOutOrderMessage(ctx, supplierHeader, { ...poomInput, items: [item] });

  it('cXML-urlencoded value is pure US-ASCII and means the same document', () => {
    const value = toUrlencodedFieldValue(xml);
    for (let i = 0; i < value.length; i++) assert.ok(value.charCodeAt(i) < 0x80, `non-ASCII at ${i}`);
    assert.ok(value.includes('Gr&#xF6;&#xDF;e &#x201C;XL&#x201D; &#x2013; 10 &#x20AC; &#x1F600; &amp; &lt;mehr&gt;'));
    // Not URL-encoded (the browser does that): markup is still literal.
    assert.ok(value.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE cXML'));
    assert.equal(node(value, '//ItemDetail/Description').text(), 'Größe “XL” – 10 € 😀 & <mehr>');
    assertDtdValid(value, 'cXML');
  });

  it('cXML-base64 value decodes to the same XML (UTF-8)', () => {
    const value = toBase64Field(xml);
    assert.match(value, /^[A-Za-z0-9+/]+=*$/);
    assert.equal(Buffer.from(value, 'base64').toString('utf8'), xml);
    assert.ok(Buffer.from(value, 'base64').includes(Buffer.from('Größe', 'utf8')));
  });
});

describe('PunchOutSetupRequest (buyer sandbox)', () => {
  const create: PunchOutSetupRequestInput = {
    operation: 'create',
    buyerCookie: 'sandbox-session-1',
    extrinsics: [{ name: 'UserEmail', value: 'erika@acme.example' }, { name: 'UniqueName', value: 'erika' }],
    browserFormPostUrl: 'https://sandbox.example/sandbox/punchout/return?s=1&t=2',
    contacts: [{ role: 'endUser', name: 'Erika Mustermann', email: 'erika@acme.example' }],
    supplierSetupUrl: 'https://shop.example/cxml',
    shipTo: address,
    selectedItem: { supplierPartID: 'SKU-1' },
    deploymentMode: 'test',
  };
  const editLine: ItemOutInput = {
    quantity: d(2),
    lineNumber: 1,
    itemID: { supplierPartID: 'SKU-1', supplierPartAuxiliaryID: 'cart-7:line-1' },
    itemDetail: basicItem.itemDetail,
  };

  for (const version of ['1.2.071', '1.2.014']) {
    it(`create validates at ${version}`, () => {
      const r = assertDtdValid(writePunchOutSetupRequest(at(version), buyerHeader, create), 'cXML', version);
      assert.ok(r.dtd.includes(version));
    });
    it(`edit with ItemOut validates at ${version}`, () => {
      const xml = writePunchOutSetupRequest(at(version), buyerHeader, { operation: 'edit', buyerCookie: 'c2', itemOut: [editLine, { ...editLine, lineNumber: 2 }] });
      assertDtdValid(xml, 'cXML', version);
    });
  }

  it('writes children in DTD order (Contact after BrowserFormPost, unlike Coupa)', () => {
    const xml = writePunchOutSetupRequest(ctx, buyerHeader, { ...create, itemOut: [editLine] });
    assert.deepEqual(childNames(xml, '//PunchOutSetupRequest'), [
      'BuyerCookie', 'Extrinsic', 'Extrinsic', 'BrowserFormPost', 'Contact', 'SupplierSetup', 'ShipTo', 'SelectedItem', 'ItemOut',
    ]);
    assert.match(xml, /<Request deploymentMode="test">\s*<PunchOutSetupRequest operation="create">/);
  });

  it('puts the SharedSecret only under Sender', () => {
    const xml = writePunchOutSetupRequest(ctx, buyerHeader, create);
    assert.match(xml, /<Sender>\s*<Credential domain="NetworkID">\s*<Identity>DEMO-BUYER<\/Identity>\s*<SharedSecret>demo-secret<\/SharedSecret>/);
    assert.match(xml, /<Credential domain="DUNS" type="marketplace">/);
    const leaky: Header = { ...buyerHeader, from: { credentials: [{ domain: 'DUNS', identity: 'x', sharedSecret: 'never' }] } };
    assert.ok(!writePunchOutSetupRequest(ctx, leaky, create).includes('never'));
  });
});

describe('OrderRequest (buyer sandbox)', () => {
  const line = (n: number): ItemOutInput => ({
    quantity: d(n),
    lineNumber: n,
    requestedDeliveryDate: '2026-12-10',
    itemID: { supplierPartID: `SKU-${n}`, supplierPartAuxiliaryID: `cart-7:line-${n}` },
    itemDetail: basicItem.itemDetail,
    shipTo: address,
    shipping: { money: eur('1'), description: 'Versand' },
    tax: { money: eur('2.38'), description: 'MwSt' },
    distributions: [{ accountingName: 'Cost Center', segments: [{ type: 'CostCenter', id: '4711', description: 'Einkauf' }], charge: eur('12.50') }],
    contacts: [{ role: 'endUser', name: 'Erika', email: 'erika@acme.example' }],
    comments: [{ text: 'Line note' }],
  });
  const order: OrderRequestInput = {
    header: {
      orderID: 'PO-1001',
      orderDate: new Date(Date.UTC(2026, 11, 3, 8, 0, 0)),
      type: 'new',
      orderVersion: 1,
      orderType: 'regular',
      total: eur('45.88'),
      shipTo: address,
      billTo: { ...address, addressID: 'BILL-1' },
      shipping: { money: eur('4.90'), description: 'Standard' },
      tax: { money: eur('7.98'), description: 'MwSt' },
      payment: { number: '4111111111111111', expiration: '2028-12-31', name: 'Erika Mustermann' },
      paymentTermDays: 30,
      contacts: [{ role: 'buyer', name: 'Einkauf', email: 'einkauf@acme.example' }],
      comments: [{ lang: 'de-DE', text: 'Bitte an Tor 3 liefern', attachmentUrls: ['cid:po@sandbox'] }],
      documentReference: 'prev@sandbox',
      supplierOrderId: 'Q-2026-1',
      extrinsics: [{ name: 'CostCenter', value: '4711' }],
    },
    items: [line(1), line(2)],
  };

  for (const version of ['1.2.071', '1.2.014']) {
    it(`validates at ${version}`, () => {
      const r = assertDtdValid(writeOrderRequest(at(version), buyerHeader, order), 'cXML', version);
      assert.ok(r.dtd.includes(version));
    });
  }

  it('writes the header in DTD order with the required BillTo', () => {
    const xml = writeOrderRequest(ctx, buyerHeader, order);
    assert.deepEqual(childNames(xml, '//OrderRequestHeader'), [
      'Total', 'ShipTo', 'BillTo', 'Shipping', 'Tax', 'Payment', 'PaymentTerm', 'Contact', 'Comments',
      'DocumentReference', 'SupplierOrderInfo', 'Extrinsic',
    ]);
    assert.deepEqual(childNames(xml, '//ItemOut[1]'), ['ItemID', 'ItemDetail', 'ShipTo', 'Shipping', 'Tax', 'Distribution', 'Contact', 'Comments']);
    assert.match(xml, /<OrderRequestHeader orderID="PO-1001" orderDate="2026-12-03T09:00:00\+01:00" orderType="regular" type="new" orderVersion="1">/);
    assert.match(xml, /<ItemOut quantity="1" lineNumber="1" requestedDeliveryDate="2026-12-10">/);
    assert.match(xml, /<Segment type="CostCenter" id="4711" description="Einkauf"\/>/);
    assert.throws(() => writeOrderRequest(ctx, buyerHeader, { ...order, header: { ...order.header, billTo: undefined } }), /BillTo/);
    assert.throws(() => writeOrderRequest(ctx, buyerHeader, { ...order, items: [] }), /ItemOut/);
  });

  it('keeps a date-only orderDate as sent and re-expresses an instant', () => {
    const dateOnly = writeOrderRequest(ctx, buyerHeader, { ...order, header: { ...order.header, orderDate: { raw: '2026-12-03', dateOnly: '2026-12-03' } } });
    assert.match(dateOnly, /orderDate="2026-12-03"/);
    const instant = writeOrderRequest(ctx, buyerHeader, { ...order, header: { ...order.header, orderDate: { raw: '2026-12-03T08:00:00Z', instant: new Date('2026-12-03T08:00:00Z') } } });
    assert.match(instant, /orderDate="2026-12-03T09:00:00\+01:00"/);
  });

  it('writes AccountingSegment when segments lack type or description', () => {
    const items = [{ ...line(1), distributions: [{ accountingName: 'GL', segments: [{ id: '6000' }], charge: eur('12.50') }] }];
    const xml = writeOrderRequest(ctx, buyerHeader, { ...order, items });
    assert.match(xml, /<AccountingSegment id="6000">\s*<Name xml:lang="en-US">6000<\/Name>\s*<Description xml:lang="en-US"\/>/);
    assertDtdValid(xml, 'cXML');
  });

  it('refuses what the 1.2.014 DTD cannot carry', () => {
    const v14 = at('1.2.014');
    const twoComments = { ...order, header: { ...order.header, comments: [{ text: 'a' }, { text: 'b' }] } };
    assert.throws(() => writeOrderRequest(v14, buyerHeader, twoComments), /more than one Comments/);
    assertDtdValid(writeOrderRequest(ctx, buyerHeader, twoComments), 'cXML');
    assert.throws(() => writeOrderRequest(v14, buyerHeader, { ...order, header: { ...order.header, orderType: 'blanket' } }), /blanket/);
    assert.throws(() => writeOrderRequest(v14, buyerHeader, { ...order, header: { ...order.header, requestedDeliveryDate: new Date() } }), /requestedDeliveryDate/);
    assert.throws(() => writeOrderRequest(ctx, buyerHeader, { ...order, header: { ...order.header, orderType: 'weird' } }), CxmlWriteError);
  });

  it('refuses ItemOut extrinsics, which no DTD has', () => {
    assert.throws(() => writeOrderRequest(ctx, buyerHeader, { ...order, items: [{ ...line(1), extrinsics: [{ name: 'a', value: 'b' }] }] }), /itemDetail\.extrinsics/);
  });
});

describe('newPayloadId', () => {
  it('is <epochMillis>.<random>@<host>', () => {
    assert.equal(newPayloadId('koppel.test', new Date(Date.UTC(2026, 11, 3, 9)), () => 'k3j9x2'), '1796288400000.k3j9x2@koppel.test');
  });

  it('refuses parts that would make it ambiguous', () => {
    assert.throws(() => newPayloadId('', new Date(), () => 'x'), RangeError);
    assert.throws(() => newPayloadId('a@b', new Date(), () => 'x'), RangeError);
    assert.throws(() => newPayloadId('host', new Date(), () => 'has space'), RangeError);
    assert.throws(() => newPayloadId('host', new Date(Number.NaN), () => 'x'), RangeError);
  });
});
