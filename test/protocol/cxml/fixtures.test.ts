/**
 * Every real cXML document in ../shared/fixtures/cxml is read, and concrete values are checked per
 * file. The fixtures stay in the shared folder (they are not ours to copy); see its README for
 * where each one comes from and why it is interesting.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Decimal } from 'decimal.js';
import type {
  CxmlPayload,
  Envelope,
  MoneyAmount,
  OtherPayload,
  ProfileResponse,
  PunchOutSetupResponse,
  ReadResult,
  StatusResponse,
} from '../../../src/protocol/cxml/model.js';
import { readCxml } from '../../../src/protocol/cxml/reader.js';

const FIXTURES = new URL('../../../../shared/fixtures/cxml/', import.meta.url);

/**
 * The three documents the fixtures README reports as invalid against the official 1.2.071 DTD.
 * The reader tolerates all three; DTD validation itself is another module's job.
 * 02: Contact before BrowserFormPost (order — tolerated silently); 13: root `cxml` (warning);
 * 23: PaymentReference from a custom DTD (unknown element warning).
 */
const DTD_INVALID = new Set(['02', '13', '23']);

const files = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.xml'))
  .sort();

function read(file: string, options?: Parameters<typeof readCxml>[1]): ReadResult {
  return readCxml(readFileSync(new URL(file, FIXTURES)), options);
}

const money = (m: MoneyAmount | undefined): string => (m ? `${m.amount.toFixed()} ${m.currency}` : 'none');
const instant = (env: { timestamp: { instant?: Date } }): string | undefined => env.timestamp.instant?.toISOString();

function as<K extends CxmlPayload['kind']>(env: Envelope, kind: K): Extract<CxmlPayload, { kind: K }> {
  assert.equal(env.payload.kind, kind);
  return env.payload as Extract<CxmlPayload, { kind: K }>;
}

function other(env: Envelope, name: string, wrapper = 'Request'): OtherPayload {
  const p = as(env, 'Other');
  assert.equal(p.name, name);
  assert.equal(p.wrapper, wrapper);
  return p;
}

interface Expectation {
  /** Exact warnings as `path | message`; none when omitted. */
  warnings?: string[];
  check: (env: Envelope) => void;
}

const EXPECTED: Record<string, Expectation> = {
  '01': {
    check(env) {
      assert.equal(env.payloadID, '1233444-200@ariba.acme.com');
      assert.equal(instant(env), '1999-03-13T02:39:09.000Z');
      assert.deepEqual(env.doctype, { systemId: 'http://xml.cXML.org/schemas/cXML/1.1.010/cXML.dtd', version: '1.1.010', file: 'cXML.dtd' });
      assert.deepEqual(env.header?.from.credentials, [{ domain: 'AribaNetworkUserId', identity: 'admin@acme.com' }]);
      assert.deepEqual(env.header?.sender, {
        credentials: [{ domain: 'AribaNetworkUserId', identity: 'admin@acme.com', sharedSecret: 'coyote' }],
        userAgent: 'Ariba ORMS 5.1P4',
      });
      const p = as(env, 'PunchOutSetupRequest');
      assert.equal(p.operation, 'create');
      assert.equal(p.buyerCookie, '34234234ADFSDF234234');
      assert.deepEqual(p.extrinsics, [{ name: 'randomKey', value: 'department code' }]);
      assert.equal(p.browserFormPostUrl, 'http://ariba.acme.com:1616/punchoutexit');
      assert.equal(p.supplierSetupUrl, 'http://workchairs.com/cxml');
      assert.deepEqual(p.itemOut, []);
    },
  },
  '02': {
    check(env) {
      assert.equal(env.payloadID, '1211221788.71299@ip-10-251-122-83');
      // Coupa's C ctime timestamp.
      assert.deepEqual(env.timestamp, { raw: 'Mon May 19 18:29:48 +0000 2008', instant: new Date('2008-05-19T18:29:48Z') });
      assert.equal(env.doctype?.version, '1.2.014');
      assert.equal(env.header?.sender.credentials[0]?.sharedSecret, 'test');
      assert.equal(env.header?.sender.userAgent, 'Coupa Procurement 1.0');
      const p = as(env, 'PunchOutSetupRequest');
      assert.equal(p.buyerCookie, 'c64af92dc27e68172e030d3dfd1bc944');
      assert.deepEqual(p.extrinsics, [
        { name: 'FirstName', value: 'Jim' },
        { name: 'LastName', value: 'Halpert' },
        { name: 'UniqueName', value: 'jim' },
        { name: 'UserEmail', value: 'noah+jim@coupa.com' },
        { name: 'User', value: 'jim' },
        { name: 'BusinessUnit', value: 'COUPA' },
      ]);
      // Contact comes before BrowserFormPost here (DTD-invalid order): both are read.
      assert.deepEqual(p.contacts, [{ role: 'endUser', name: 'jim', email: 'noah+jim@coupa.com' }]);
      assert.equal(p.browserFormPostUrl, 'https://qa.coupahost.com/punchout/checkout/4');
    },
  },
  '03': {
    check(env) {
      assert.equal(env.payloadID, 'demoSCAWIG@IESAonline');
      assert.equal(env.doctype, undefined);
      assert.equal(env.lang, 'en-UK');
      assert.deepEqual(env.header?.sender.credentials, [{ domain: 'IESAnetworkUserID', identity: '88888888', sharedSecret: '{shared secret in here}' }]);
      const p = as(env, 'PunchOutSetupRequest');
      assert.equal(p.buyerCookie, 'demoSCAWIGP');
      // URLs padded with newlines and spaces are trimmed.
      assert.equal(p.browserFormPostUrl, 'http://return_to_supplier_url.com');
      assert.equal(p.supplierSetupUrl, 'http://localhost:3000');
      assert.deepEqual(p.shipTo, {
        name: 'jmadden',
        isoCountryCode: 'US',
        addressID: '3119',
        postalAddress: {
          name: 'default',
          deliverTo: ['j maddedn'],
          street: ['333 East Hill Dr'],
          city: 'san leandro',
          state: 'ca',
          postalCode: '22222',
          country: 'United States',
          countryCode: 'US',
        },
        email: 'jmadden@coupa1.com',
        phone: { name: 'work', countryCode: '1', isoCountryCode: 'US', areaOrCityCode: '855', number: '8671234' },
      });
    },
  },
  '04': {
    warnings: ['cXML@timestamp | timestamp "2016-04-20T04:34:19" has no time zone; +00:00 assumed'],
    check(env) {
      assert.deepEqual(env.timestamp, { raw: '2016-04-20T04:34:19', instant: new Date('2016-04-20T04:34:19Z'), zoneAssumed: true });
      assert.equal(env.header?.sender.userAgent, 'V7');
      assert.deepEqual(env.header?.to.credentials, [{ domain: 'birchstreet.com', identity: '123456' }]);
      const p = as(env, 'PunchOutSetupRequest');
      assert.equal(p.buyerCookie, 'x-yz-2016-16-34-19-286-BABABUBAM');
      assert.equal(p.browserFormPostUrl, 'https://example.com/receive-itemsp-unchout');
    },
  },
  '05': {
    check(env) {
      assert.equal(env.payloadID, '933695160890');
      assert.equal(env.deploymentMode, 'test');
      assert.equal(env.doctype?.version, '1.2.050');
      const p = as(env, 'PunchOutSetupRequest');
      assert.deepEqual(p.extrinsics, [{ name: 'UserEmail', value: 'john-doe@domain.com' }]);
      assert.deepEqual(p.selectedItem, { supplierPartID: '4545321', buyerPartID: 'II99825' });
      assert.deepEqual(p.shipTo?.postalAddress?.deliverTo, ['Joe Smith', 'Mailstop M-543']);
      assert.equal(p.itemOut.length, 2);
      const [a, b] = p.itemOut;
      assert.equal(a?.quantity.toString(), '2');
      assert.equal(a?.lineNumber, 10);
      assert.equal(a?.requestedDeliveryDate?.instant?.toISOString(), '2023-01-23T17:00:06.000Z');
      assert.deepEqual(a?.itemID, { supplierPartID: '5555' });
      assert.equal(money(a?.itemDetail?.unitPrice), '763.2 EUR');
      assert.deepEqual(a?.itemDetail?.descriptions, [{ lang: 'en', text: '', shortName: 'Excelsior Desk Chair' }]);
      assert.deepEqual(a?.itemDetail?.classifications, [{ domain: 'UNSPSC', code: 'ean1234' }]);
      assert.equal(b?.lineNumber, 20);
      assert.equal(b?.itemID.supplierPartID, '6666');
      assert.equal(money(b?.itemDetail?.unitPrice), '764.2 EUR');
    },
  },
  '06': {
    check(env) {
      assert.deepEqual(env.timestamp, { raw: '2018-01-01T00:00:00-0500', instant: new Date('2018-01-01T05:00:00Z') });
      const p = as(env, 'PunchOutSetupRequest');
      assert.deepEqual(p.extrinsics, [{ name: 'ReturnFrame', value: '_returnFrame' }]);
      assert.deepEqual(p.contacts, [
        { name: 'John Smith', email: '1234@remotehost', phone: { countryCode: '1', isoCountryCode: 'CA', areaOrCityCode: '888', number: '5551212' } },
      ]);
      // CarrierIdentifier and TransportInformation are known cXML: ignored without a warning.
      assert.deepEqual(p.shipTo, {
        name: 'John Smith',
        postalAddress: {
          name: 'reception',
          deliverTo: ['John Smith'],
          street: ['123 Main St.'],
          city: 'Metropolis',
          municipality: 'N/A',
          state: 'ON',
          postalCode: 'H3C 3P3',
          country: 'Canada',
          countryCode: 'CA',
        },
        email: 'jsmith@example.com',
        phone: { name: 'reception', countryCode: '1', isoCountryCode: 'CA', areaOrCityCode: '888', number: '5551212', extension: '8888' },
        fax: { countryCode: '1', isoCountryCode: 'CA', areaOrCityCode: '866', number: '5551212' },
        url: 'https://example.com/',
      });
    },
  },
  '07': {
    check(env) {
      assert.equal(env.deploymentMode, 'test');
      const p = as(env, 'PunchOutSetupRequest');
      assert.deepEqual(p.extrinsics, [
        { name: 'UserEmail', value: '1234@remotehost' },
        { name: 'UserFullName', value: 'John Smith' },
      ]);
      assert.equal(p.shipTo?.postalAddress?.name, undefined);
      assert.equal(p.shipTo?.postalAddress?.city, 'Metropolis');
    },
  },
  '08': {
    check(env) {
      assert.equal(env.lang, undefined);
      assert.equal(env.header?.sender.credentials[0]?.sharedSecret, 'jd8je3$ndP');
      const p = as(env, 'PunchOutSetupRequest');
      assert.deepEqual(
        p.extrinsics.map((e) => e.name),
        ['UserEmail', 'FirstName', 'LastName', 'PhoneNumber'],
      );
      assert.equal(p.shipTo?.addressID, 'TEST');
      assert.equal(p.shipTo?.name, 'My Address');
      assert.deepEqual(p.shipTo?.postalAddress?.street, ['123 Street Address']);
    },
  },
  '09': {
    check(env) {
      assert.equal(env.header, undefined);
      assert.deepEqual(as(env, 'PunchOutSetupResponse'), {
        kind: 'PunchOutSetupResponse',
        status: { code: 200, text: 'OK' },
        startPageUrl: 'http://premier.workchairs.com/store?23423SDFSDF23',
      } satisfies PunchOutSetupResponse);
    },
  },
  '10': {
    check(env) {
      const p = as(env, 'PunchOutSetupResponse');
      assert.deepEqual(p.status, { code: 200, text: 'success' });
      assert.equal(p.startPageUrl, 'http://xml.workchairs.com/retrieve?reqUrl=20626;Initial=TRUE');
    },
  },
  '11': {
    check(env) {
      assert.equal(env.header?.sender.credentials[0]?.sharedSecret, undefined);
      const p = as(env, 'PunchOutOrderMessage');
      assert.equal(p.buyerCookie, '34234234ADFSDF234234');
      assert.equal(p.operationAllowed, 'edit');
      assert.equal(money(p.total), '100.23 USD');
      assert.equal(p.items.length, 2);
      assert.deepEqual(p.items[0]?.itemID, {
        supplierPartID: '1234',
        supplierPartAuxiliaryID: 'supplier cookie to describe configuration options on this item',
      });
      assert.deepEqual(p.items[0]?.itemDetail.classifications, [{ domain: 'SPSC', code: '12345' }]);
      assert.equal(p.items[0]?.itemDetail.manufacturerName, "O'Reilly");
      assert.equal(p.items[1]?.quantity.toString(), '2');
      assert.equal(money(p.items[1]?.itemDetail.unitPrice), '50 USD');
    },
  },
  '12': {
    warnings: [1, 2, 3].map(
      (n) =>
        `cXML/Message/PunchOutOrderMessage/ItemIn[${n}]/Tax/TaxDetail/TaxAmount | TaxAmount is empty; the Tax amount ${['7.8813', '7.1568', '19.9038'][n - 1]} EUR is used`,
    ),
    check(env) {
      // Würth / Intershop: single quotes, milliseconds and a +0200 offset.
      assert.deepEqual(env.timestamp, { raw: '2023-09-25T10:50:59.433+0200', instant: new Date('2023-09-25T08:50:59.433Z') });
      assert.equal(env.doctype?.version, '1.2.008');
      const p = as(env, 'PunchOutOrderMessage');
      assert.equal(p.buyerCookie.length, 140);
      assert.ok(p.buyerCookie.startsWith('gAAAAABlEZQA3rzR'));
      assert.equal(p.operationAllowed, 'edit');
      assert.equal(money(p.total), '166.39 EUR');
      assert.equal(p.total.raw, '166.3900');
      assert.equal(p.shipTo?.addressID, 'fUsKD908Dj4AAAFa.bHmUfGY');
      assert.deepEqual(p.shipTo?.postalAddress?.deliverTo, []);
      assert.equal(p.shipTo?.postalAddress?.state, undefined);
      assert.deepEqual(p.shipping, { money: p.shipping?.money, description: '' });
      assert.equal(p.shipping?.money.raw, '0.0000');
      assert.equal(money(p.tax?.money), '34.94 EUR');
      assert.equal(p.items.length, 3);
      const first = p.items[0];
      assert.ok(first);
      assert.equal(first.lineNumber, 1);
      assert.equal(first.itemID.supplierPartID, '061396325 060 1');
      // The auxiliary id is echoed exactly: the trailing newline and indentation stay.
      assert.equal(first.itemID.supplierPartAuxiliaryID, 'UtQKD90k4GgAAAGKhjMtqsuG@10\n                    ');
      assert.deepEqual(first.itemDetail.descriptions, [
        {
          lang: 'fr',
          shortName: 'Jeu de tournevis VDE,\n                        plats/cruciformes PH 5 pièces',
          text: 'JEU DE\n                        TOURNEVIS-VDE-PH/PLAT-5PIECES',
        },
      ]);
      assert.deepEqual(first.itemDetail.classifications, [{ domain: '', code: '' }]);
      assert.equal(money(first.tax?.money), '7.8813 EUR');
      assert.equal(first.tax?.description, 'Value-added tax');
      assert.equal(first.tax?.details[0]?.category, 'FullTax');
      assert.equal(first.tax?.details[0]?.percentageRate?.toString(), '0.21');
      assert.equal(money(first.tax?.details[0]?.taxAmount), '7.8813 EUR');
      // Prices add up to the Total; line taxes add up to the header tax at two decimals.
      const sum = p.items.reduce((s, i) => s.plus(i.quantity.times(i.itemDetail.unitPrice.amount)), new Decimal(0));
      assert.equal(sum.toFixed(2), '166.39');
      const tax = p.items.reduce((s, i) => s.plus(i.tax?.money.amount ?? 0), new Decimal(0));
      assert.equal(tax.toFixed(2), '34.94');
    },
  },
  '13': {
    warnings: ['cxml | root element <cxml> should be <cXML>; read as cXML'],
    check(env) {
      assert.equal(env.payloadID, '1346769469000.process.162998590@officedepot.com');
      assert.equal(env.version, '1.2.020');
      assert.equal(env.doctype, undefined);
      assert.deepEqual(env.header?.from.credentials, [{ domain: 'NetworkID', identity: 'AN01000000147' }]);
      const p = as(env, 'PunchOutOrderMessage');
      // BuyerCookie echoed byte for byte, padding included.
      assert.equal(p.buyerCookie, '\n          example_buyer_cookie\n        ');
      assert.equal(p.operationAllowed, 'create');
      assert.equal(money(p.total), '5.35 GBP');
      assert.deepEqual(p.items, []);
    },
  },
  '14': {
    check(env) {
      assert.deepEqual(env.header?.from.credentials, [{ domain: '', identity: 'Unknown' }]);
      const p = as(env, 'PunchOutOrderMessage');
      assert.equal(p.operationAllowed, 'create');
      assert.equal(money(p.total), '271.88 EUR');
      assert.deepEqual([money(p.shipping?.money), p.shipping?.description], ['0 EUR', 'Unknown']);
      assert.deepEqual([money(p.tax?.money), p.tax?.description, p.tax?.details], ['21.88 EUR', 'Unknown', []]);
      const d = p.items[0]?.itemDetail;
      assert.equal(d?.manufacturerPartID, 'MFPART-1');
      assert.equal(d?.manufacturerName, 'Manufacturer X');
      assert.equal(d?.leadTime, 14);
      assert.deepEqual(d?.classifications, [{ domain: 'UNSPSC', code: '41106104' }]);
      assert.deepEqual(d?.descriptions, [{ lang: 'de-DE', text: 'ANTI-RNase (15-30 U/ul)' }]);
    },
  },
  '15': {
    check(env) {
      const p = as(env, 'PunchOutOrderMessage');
      const item = p.items[0];
      assert.ok(item);
      assert.deepEqual(item.itemID, { supplierPartID: '5555', buyerPartID: 'KD5555' });
      assert.deepEqual(item.itemDetail.descriptions, [{ lang: 'en', text: '', shortName: 'Excelsior Desk Chair' }]);
      const pbq = item.itemDetail.priceBasisQuantity;
      assert.ok(pbq);
      assert.equal(pbq.quantity.toString(), '2');
      assert.equal(pbq.conversionFactor.toString(), '0.5');
      assert.equal(pbq.unitOfMeasure, 'BOX');
      // 2 EA at 104.99 per 2 EA: the line costs 104.99, which is the Total.
      const line = item.quantity.times(item.itemDetail.unitPrice.amount).dividedBy(pbq.quantity);
      assert.equal(line.toFixed(2), p.total.amount.toFixed(2));
    },
  },
  '16': {
    check(env) {
      const p = as(env, 'PunchOutOrderMessage');
      assert.deepEqual(
        p.items.map((i) => [i.quantity.toNumber(), i.itemID.buyerPartID, i.itemDetail.descriptions[0]?.shortName, i.itemDetail.descriptions[0]?.text]),
        [
          [3, 'KD5555', 'Excelsior Desk Chair', ''],
          [5, 'KD666', '22Excelsior Desk Chair', ''],
        ],
      );
    },
  },
  '17': {
    check(env) {
      assert.equal(env.deploymentMode, 'production');
      const p = as(env, 'PunchOutOrderMessage');
      assert.equal(p.quoteStatus, 'pending');
      assert.equal(money(p.total), '524.93 CAD');
      assert.equal(p.shipTo?.name, 'John Smith');
      assert.deepEqual([money(p.shipping?.money), p.shipping?.description], ['0.02 CAD', 'Shipping for the whole thing']);
      assert.equal(money(p.tax?.money), '0.05 CAD');
      assert.equal(p.supplierOrderId, '1234');
      const [desk, cap, service] = p.items;
      assert.equal(desk?.lineNumber, 1);
      assert.equal(desk?.parentLineNumber, 0);
      assert.equal(desk?.itemType, 'item');
      assert.equal(desk?.itemClassification, 'material');
      assert.deepEqual(desk?.itemDetail.descriptions, [{ lang: 'fr-CA', text: 'Sit-stand ergonomic desk with attachments', shortName: 'Desk' }]);
      assert.equal(desk?.itemDetail.url, 'https://example.com/products/2000');
      assert.equal(desk?.itemDetail.leadTime, 5);
      assert.equal(desk?.itemDetail.manufacturerName, 'Gildan');
      assert.equal(money(desk?.shipping?.money), '0.01 CAD');
      assert.equal(desk?.tax?.description, 'Taxes on the desk');
      assert.equal(cap?.quantity.toString(), '10');
      assert.equal(cap?.lineNumber, undefined);
      assert.equal(service?.itemType, 'composite');
      assert.equal(service?.itemClassification, 'service');
      assert.equal(service?.itemDetail.unitOfMeasure, 'HUR');
    },
  },
  '18': {
    warnings: ['cXML@timestamp | timestamp "2020-09-25 15:30:43" has no time zone; +00:00 assumed'],
    check(env) {
      // No XML declaration, no DOCTYPE, a space instead of T.
      assert.equal(env.doctype, undefined);
      assert.equal(env.version, '1.2.032');
      assert.equal(instant(env), '2020-09-25T15:30:43.000Z');
      const p = as(env, 'PunchOutOrderMessage');
      assert.equal(p.buyerCookie, '4-20-2016-16-34-19-286-CYCHICOGM');
      assert.equal(money(p.shipping?.money), '9.95 USD');
      assert.equal(money(p.tax?.money), '0 USD');
      assert.deepEqual(p.items[0]?.itemID, { supplierPartID: 'WCCWWHTM', supplierPartAuxiliaryID: '710130064' });
      assert.equal(p.items[0]?.itemDetail.url, 'dne');
    },
  },
  '19': {
    check(env) {
      assert.equal(env.deploymentMode, 'test');
      // Two From credentials, one of them a marketplace.
      assert.deepEqual(env.header?.from.credentials, [
        { domain: 'AribaNetworkUserId', identity: 'admin@acme.com' },
        { domain: 'AribaNetworkUserId', identity: 'bigadmin@marketplace.org', type: 'marketplace' },
      ]);
      const { header, items } = as(env, 'OrderRequest');
      assert.equal(header.orderID, 'DO1234');
      assert.deepEqual(header.orderDate, { raw: '1999-03-12', dateOnly: '1999-03-12' });
      assert.equal(header.type, 'new');
      assert.equal(money(header.total), '2.68 USD');
      assert.equal(header.shipTo?.name, 'Acme');
      assert.equal(header.billTo?.postalAddress?.city, 'Sunnyvale');
      assert.deepEqual([money(header.tax?.money), header.tax?.description], ['0.19 USD', 'CA Sales Tax']);
      // PCard masked to the last four digits.
      assert.deepEqual(header.payment, { maskedNumber: '************3456', expiration: '1999-03-12' });
      assert.deepEqual(header.comments, [{ lang: 'en-US', text: 'Anything well formed in XML can go here.', attachmentUrls: [] }]);
      assert.equal(items.length, 1);
      const item = items[0];
      assert.ok(item);
      assert.equal(item.quantity.toString(), '2');
      assert.deepEqual(item.requestedDeliveryDate, { raw: '1999-03-12', dateOnly: '1999-03-12' });
      assert.equal(item.itemDetail?.url, 'www.foo.com');
      assert.deepEqual(item.shipping, {
        money: item.shipping?.money,
        description: 'FedEx 2-day',
        trackingDomain: 'FedEx',
        trackingId: '1234567890',
      });
      assert.deepEqual(
        item.distributions.map((d) => [d.accountingName, d.segments.map((s) => `${s.type}:${s.id}:${s.description}`), money(d.charge)]),
        [
          ['DistributionCharge', ['G/L Account:23456:Entertainment', 'Cost Center:2323:Western Region Sales'], '0.34 USD'],
          ['DistributionCharge', ['G/L Account:456:Travel', 'Cost Center:23:Europe Implementation'], '1 USD'],
        ],
      );
      assert.equal(item.distributions[0]?.charge.raw, '.34');
      // The splits cover one unit price; quantity × price is the order total.
      assert.equal(item.quantity.times(item.itemDetail?.unitPrice.amount ?? 0).toFixed(2), '2.68');
    },
  },
  '20': {
    check(env) {
      assert.equal(env.header?.sender.userAgent, 'Coupa Procurement 1.0');
      const { header, items } = as(env, 'OrderRequest');
      assert.equal(header.orderID, '3309');
      assert.equal(header.orderDate.instant?.toISOString(), '2020-03-31T20:39:22.000Z');
      assert.equal(money(header.total), '91.71 USD');
      assert.deepEqual(header.extrinsics, [{ name: 'legacy_po', value: '' }]);
      assert.deepEqual(header.contacts, [{ role: 'endUser', name: 'alksdjfalskjf alk sdjflkj', email: 'asdlfkjasdflkj@optisconsulting.com' }]);
      assert.equal(header.shipping?.description, '');
      assert.equal(header.shipTo?.addressID, '21444');
      assert.deepEqual(
        items.map((i) => [i.lineNumber, i.quantity.toNumber(), i.itemID.supplierPartID, i.itemID.supplierPartAuxiliaryID]),
        [
          [1, 1, 'product:1861', 'product-requisition:6236'],
          [2, 9, 'product:4884', 'product-requisition:6235'],
        ],
      );
      assert.deepEqual(items[0]?.itemDetail?.extrinsics, [{ name: 'LineType', value: 'Quantity' }]);
      assert.deepEqual(items[0]?.itemDetail?.classifications, [{ domain: 'UNSPSC', code: 'unknown' }]);
      assert.deepEqual(items[0]?.distributions[0]?.segments.map((s) => s.type), ['Main Account (PL/BS)', 'Cost Center', 'Profit Center', 'Project Code']);
      assert.equal(items[0]?.distributions[0]?.segments[3]?.id, '000384');
      // Each line's distribution charge is its extended price; lines add up to the Total.
      for (const i of items) assert.equal(i.distributions[0]?.charge.amount.toFixed(2), i.quantity.times(i.itemDetail?.unitPrice.amount ?? 0).toFixed(2));
      const sum = items.reduce((s, i) => s.plus(i.quantity.times(i.itemDetail?.unitPrice.amount ?? 0)), new Decimal(0));
      assert.equal(sum.toFixed(2), '91.71');
    },
  },
  '21': {
    check(env) {
      // Credential domains keep their case as sent; XML comments are ignored.
      assert.deepEqual(env.header?.from.credentials, [{ domain: 'duns', identity: 'dell' }]);
      assert.deepEqual(env.header?.to.credentials, [{ domain: 'Duns', identity: '128293714' }]);
      assert.equal(env.header?.sender.credentials[0]?.sharedSecret, undefined);
      const { header, items } = as(env, 'OrderRequest');
      assert.equal(header.orderID, '6112');
      assert.equal(money(header.total), '1505 USD');
      assert.equal(header.total.raw, '1505.0');
      assert.deepEqual(header.comments, [{ lang: 'en', text: 'header comment goes here if entered by user', attachmentUrls: [] }]);
      assert.equal(items.length, 2);
      assert.equal(items[0]?.itemID.supplierPartAuxiliaryID, '1005379527029\\1');
      assert.deepEqual(items[1]?.comments, [{ lang: 'en', text: 'line item comment goes here if entered by user', attachmentUrls: [] }]);
      assert.deepEqual(items[0]?.distributions[0]?.segments, [
        { type: 'Organization', id: 'bbb', description: 'ORG' },
        { type: 'Department', id: 'b', description: 'DEPT' },
        { type: 'Project', id: 'bb', description: 'PROJ' },
      ]);
    },
  },
  '22': {
    check(env) {
      assert.equal(env.lang, undefined);
      assert.equal(env.deploymentMode, 'test');
      const { header, items } = as(env, 'OrderRequest');
      assert.equal(money(header.total), '85 EUR');
      // Comments holding only an Attachment.
      assert.deepEqual(header.comments, [{ text: '', attachmentUrls: ['delivery-note.pdf'] }]);
      assert.equal(header.billTo?.name, 'Zinc GmbH');
      assert.equal(header.billTo?.postalAddress?.city, 'Solingen');
      assert.equal(header.billTo?.postalAddress?.countryCode, 'DE');
      assert.deepEqual(header.billTo?.phone, { name: 'company', countryCode: '49', isoCountryCode: 'DE', areaOrCityCode: '761', number: '1234567' });
      assert.deepEqual(
        items.map((i) => [i.lineNumber, i.quantity.toNumber(), money(i.itemDetail?.unitPrice), i.requestedDeliveryDate?.instant?.toISOString()]),
        [
          [1, 10, '2.1 EUR', '2020-02-28T00:00:00.000Z'],
          [2, 20, '3.2 EUR', '2020-02-28T00:00:00.000Z'],
        ],
      );
      // xml:lang="" counts as no language.
      assert.deepEqual(items[1]?.comments, [{ text: 'Test comment', attachmentUrls: [] }]);
    },
  },
  '23': {
    warnings: ['cXML/Request/OrderRequest/OrderRequestHeader/Payment/PaymentReference | unknown element PaymentReference ignored'],
    check(env) {
      assert.deepEqual(env.doctype, { systemId: 'http://xml.cxml.org/schemas/cXML/1.2.060/Custom.dtd', version: '1.2.060', file: 'Custom.dtd' });
      const { header, items } = as(env, 'OrderRequest');
      assert.equal(header.orderID, 'acme-1-1');
      assert.equal(header.requestedDeliveryDate?.instant?.toISOString(), '2025-01-28T23:00:00.000Z');
      assert.equal(header.payment, undefined);
      assert.deepEqual(header.shipTo?.postalAddress?.deliverTo, ['ACME', 'TEST.USA']);
      assert.deepEqual(items[0]?.itemID, { supplierPartID: 'QA-ACME-AUTOTEST', buyerPartID: 'QA-ACME-AUTOTEST' });
    },
  },
  '24': {
    check(env) {
      assert.equal(env.payloadID, '9949494@cxml.workchairs.com');
      assert.deepEqual(env.payload, { kind: 'Status', status: { code: 200, text: 'OK' } } satisfies StatusResponse);
    },
  },
  '25': {
    check(env) {
      assert.deepEqual(as(env, 'Status').status, {
        code: 400,
        text: 'Failure',
        detail: 'XML document contained a doctype but failed validation.',
      });
    },
  },
  '26': {
    check(env) {
      assert.equal(env.doctype, undefined);
      assert.equal(env.version, '1.2.011');
      assert.equal(env.header?.sender.userAgent, 'BSD 8.12');
      // Read in detail by test/protocol/cxml/read-fulfil.test.ts.
      as(env, 'ConfirmationRequest');
    },
  },
  '27': {
    check(env) {
      assert.equal(env.doctype?.file, 'Fulfill.dtd');
      assert.equal(env.header?.sender.userAgent, 'Supplier’s Super Order Processor');
      as(env, 'ShipNoticeRequest');
    },
  },
  '28': {
    // Empty Money elements in invoice amounts are DTD-valid; the reader says it read them as not stated.
    warnings: [
      'cXML/Request/InvoiceDetailRequest/InvoiceDetailSummary/NetAmount/Money | Money is empty; the amount is read as not stated',
    ],
    check(env) {
      assert.deepEqual(env.doctype, { systemId: 'http://xml.cXML.org/schemas/cXML/1.2.020/InvoiceDetail.dtd', version: '1.2.020', file: 'InvoiceDetail.dtd' });
      assert.equal(env.version, '1.0');
      as(env, 'InvoiceDetailRequest');
    },
  },
  '29': {
    // Empty Money elements in invoice amounts are DTD-valid; the reader says it read them as not stated.
    warnings: [
      'cXML/Request/InvoiceDetailRequest/InvoiceDetailSummary/NetAmount/Money | Money is empty; the amount is read as not stated',
    ],
    check(env) {
      assert.equal(env.payloadID, '1240598937@devtrunk.coupahost.com');
      as(env, 'InvoiceDetailRequest');
    },
  },
  '30': {
    // Empty Money elements in invoice amounts are DTD-valid; the reader says it read them as not stated.
    warnings: [
      'cXML/Request/InvoiceDetailRequest/InvoiceDetailSummary/Tax/TaxDetail/TaxableAmount/Money | Money is empty; the amount is read as not stated',
    ],
    check(env) {
      // Timestamp with Z (forbidden by the spec, sent by Coupa).
      assert.deepEqual(env.timestamp, { raw: '2010-12-22T19:03:37Z', instant: new Date('2010-12-22T19:03:37Z') });
      assert.deepEqual(env.header?.from.credentials, [{ domain: 'COUPA', identity: 'SupplierID' }]);
      as(env, 'InvoiceDetailRequest');
    },
  },
  '31': {
    // Empty Money elements in invoice amounts are DTD-valid; the reader says it read them as not stated.
    warnings: [
      'cXML/Request/InvoiceDetailRequest/InvoiceDetailSummary/Tax/TaxDetail/TaxableAmount/Money | Money is empty; the amount is read as not stated',
    ],
    check(env) {
      assert.equal(env.payloadID, '20101222 190337.2999');
      assert.equal(env.header?.sender.credentials[0]?.sharedSecret, 'TESTSECRET');
      as(env, 'InvoiceDetailRequest');
    },
  },
  '32': {
    // Empty Money elements in invoice amounts are DTD-valid; the reader says it read them as not stated.
    warnings: [
      'cXML/Request/InvoiceDetailRequest/InvoiceDetailRequestHeader@invoiceDate | timestamp "invoice_date" is not understood; kept as text',
      'cXML/Request/InvoiceDetailRequest/InvoiceDetailSummary/Tax/Money | Money is empty; the amount is read as not stated',
      'cXML/Request/InvoiceDetailRequest/InvoiceDetailSummary/NetAmount/Money | Money is empty; the amount is read as not stated',
    ],
    check(env) {
      assert.equal(env.doctype?.version, '1.2.037');
      assert.equal(instant(env), '2018-05-04T08:24:51.000Z');
      as(env, 'InvoiceDetailRequest');
    },
  },
  '33': {
    check(env) {
      assert.deepEqual(other(env, 'StatusUpdateRequest').status, { code: 200, text: 'OK', detail: 'Forwarded to manufacturer' });
    },
  },
  '34': {
    check(env) {
      assert.deepEqual(other(env, 'StatusUpdateRequest').status, { code: 200, text: 'OK', detail: 'Forwarded to supplier', lang: 'en-US' });
    },
  },
  '35': {
    check(env) {
      assert.equal(env.deploymentMode, 'test');
      assert.equal(env.header?.sender.userAgent, 'ORMS V6.1');
      assert.deepEqual(env.payload, { kind: 'ProfileRequest' });
    },
  },
  '36': {
    check(env) {
      assert.equal(env.doctype, undefined);
      assert.equal(env.payloadID, 'payload-id');
      // Identities are text: the leading zero stays.
      assert.deepEqual(env.header?.to.credentials, [{ domain: 'DUNS', identity: '012345678' }]);
      assert.deepEqual(env.header?.sender.credentials, [{ domain: 'AribaNetworkUserId', identity: 'sysadmin@buyer.com', sharedSecret: 'abracadabra' }]);
      assert.deepEqual(env.payload, { kind: 'ProfileRequest' });
    },
  },
  '37': {
    check(env) {
      const p: ProfileResponse = as(env, 'ProfileResponse');
      assert.deepEqual(p.status, { code: 200, text: 'OK' });
      assert.deepEqual(p.effectiveDate, { raw: '2000-01-01T05:24:29-08:00', instant: new Date('2000-01-01T13:24:29Z') });
      assert.deepEqual(p.options, []);
      assert.deepEqual(p.transactions, [
        { requestName: 'OrderRequest', url: 'http://service.ariba.com/cgi/orders.cgi', options: [] },
        { requestName: 'PunchOutSetupRequest', url: 'http://service.ariba.com/cgi/PunchOut.cgi', options: [] },
      ]);
    },
  },
  '38': {
    check(env) {
      const p = as(env, 'ProfileResponse');
      assert.deepEqual(p.status, { code: 200, text: 'OK', lang: 'en-US' });
      assert.deepEqual(p.transactions[1], {
        requestName: 'PunchOutSetupRequest',
        url: 'https://example.com/api/cxml',
        options: [{ name: 'operationAllowed', value: 'create' }],
      });
    },
  },
  '39': {
    check(env) {
      assert.equal(env.deploymentMode, 'production');
      assert.deepEqual(env.header?.from.credentials, [{ domain: 'AribaNetworkUserId', identity: 'sender@sendercompany.com' }]);
      assert.deepEqual(other(env, 'CopyRequest'), { kind: 'Other', wrapper: 'Request', name: 'CopyRequest' });
    },
  },
  '40': {
    check(env) {
      assert.deepEqual(as(env, 'Status').status, { code: 401, text: 'Unauthorized', detail: 'Invalid sender.', lang: 'en-US' });
    },
  },
};

/** The payload kind each file name announces. */
function expectedKind(file: string): CxmlPayload['kind'] {
  const name = file.replace(/^\d+-/, '').split('-')[0] ?? '';
  if (name === 'OrderResponse' || name === 'Response') return 'Status';
  const modelled = ['ProfileRequest', 'ProfileResponse', 'PunchOutSetupRequest', 'PunchOutSetupResponse', 'PunchOutOrderMessage', 'OrderRequest', 'ConfirmationRequest', 'ShipNoticeRequest', 'InvoiceDetailRequest'];
  return modelled.includes(name) ? (name as CxmlPayload['kind']) : 'Other';
}

describe('shared cXML fixtures', () => {
  it('has an expectation for every fixture file and a file for every expectation', () => {
    assert.equal(files.length, 40);
    assert.deepEqual(
      files.map((f) => f.slice(0, 2)),
      Object.keys(EXPECTED).sort(),
    );
  });

  for (const file of files) {
    const id = file.slice(0, 2);
    it(`${file}`, () => {
      const expectation = EXPECTED[id];
      assert.ok(expectation, `no expectation for ${file}`);
      const result = read(file);
      assert.equal(result.envelope.payload.kind, expectedKind(file));
      assert.ok(result.envelope.payloadID.length > 0);
      assert.ok(result.envelope.timestamp.instant instanceof Date, 'every fixture timestamp is understood');
      assert.deepEqual(
        result.warnings.map((w) => `${w.path} | ${w.message}`),
        expectation.warnings ?? [],
      );
      expectation.check(result.envelope);
    });
  }

  it('reads every DTD-valid fixture in strict mode; of the DTD-invalid ones strict refuses 13 and 23', () => {
    for (const file of files) {
      const id = file.slice(0, 2);
      if (!DTD_INVALID.has(id)) {
        assert.doesNotThrow(() => read(file, { strict: true }), file);
      }
    }
    assert.throws(() => read(files.find((f) => f.startsWith('13'))!, { strict: true }), /root element <cxml>/);
    assert.throws(() => read(files.find((f) => f.startsWith('23'))!, { strict: true }), /unknown element PaymentReference/);
    // 02 is invalid only by child order, which the reader never checks.
    assert.doesNotThrow(() => read(files.find((f) => f.startsWith('02'))!, { strict: true }));
  });

  it('names exactly the fixtures the DTD validator rejects as DTD_INVALID', async (t) => {
    // Cross-check against the real DTDs when the native validator is built; the reader does not need it.
    let validate: ((xml: string) => { valid: boolean }) | undefined;
    try {
      validate = (await import('../../../src/cxml-dtd/validate.js')).validateCxmlDocument;
    } catch (err) {
      t.skip(`DTD validator not available: ${(err as Error).message}`);
      return;
    }
    const invalid = files.filter((f) => !validate(readFileSync(new URL(f, FIXTURES), 'utf8')).valid).map((f) => f.slice(0, 2));
    assert.deepEqual(new Set(invalid), DTD_INVALID);
  });

  it('never reports unknown names on the DTD-valid fixtures (the schema table matches the DTD)', () => {
    for (const file of files) {
      if (DTD_INVALID.has(file.slice(0, 2))) continue;
      const unknown = read(file).warnings.filter((w) => /unknown/.test(w.message));
      assert.deepEqual(unknown, [], file);
    }
  });

  it('shifts a zone-less timestamp by the per-buyer default zone (fixture 04, BirchStreet)', () => {
    const file = files.find((f) => f.startsWith('04'))!;
    const result = read(file, { defaultZone: 'America/New_York' });
    assert.equal(result.envelope.timestamp.instant?.toISOString(), '2016-04-20T08:34:19.000Z');
    assert.match(result.warnings[0]?.message ?? '', /America\/New_York assumed/);
  });

  it('never keeps a SharedSecret from From or To', () => {
    for (const file of files) {
      const env = read(file).envelope;
      for (const c of [...(env.header?.from.credentials ?? []), ...(env.header?.to.credentials ?? [])]) {
        assert.equal(c.sharedSecret, undefined, file);
      }
    }
  });
});
