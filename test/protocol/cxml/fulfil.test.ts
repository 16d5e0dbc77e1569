import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { XMLParseFlags, parseXml, type XMLElement } from 'libxmljs';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import type { Header } from '../../../src/protocol/cxml/model.js';
import {
  FULFIL_SINCE,
  confirmationLine,
  writeConfirmationRequest,
  writeShipNoticeRequest,
  type ConfirmationInput,
  type OrderReferenceInput,
  type ShipNoticeInput,
} from '../../../src/protocol/cxml/fulfil.js';
import {
  calendarDay,
  checkConfirmation,
  checkShipNotice,
  checkShipNotices,
  checkSizeLimits,
  confirmationShapeProblems,
  remainingToShip,
  type OrderedLine,
  type RuleCode,
  type RuleProblem,
} from '../../../src/protocol/cxml/fulfil-rules.js';
import { CxmlWriteError, type WriteContext } from '../../../src/protocol/cxml/writer.js';
import { readCxml } from '../../../src/protocol/cxml/reader.js';
import { assertDtdValid } from '../../helpers/dtd.js';

// ---- fixtures ---------------------------------------------------------------------------------
const d = (v: string | number) => new Decimal(v);

const ctx: WriteContext = {
  payloadID: '1796288400000.conf1@koppel.test',
  timestamp: new Date(Date.UTC(2026, 11, 3, 9, 0, 0)),
  offsetMinutes: 60,
};
const at = (version: string): WriteContext => ({ ...ctx, version });

/** Supplier → buyer: From/Sender are the supplier, the SharedSecret the buyer issued goes under Sender. */
const supplierHeader: Header = {
  from: { credentials: [{ domain: 'DUNS', identity: 'koppel-demo' }] },
  to: { credentials: [{ domain: 'NetworkID', identity: 'AN01000000001' }] },
  sender: { credentials: [{ domain: 'DUNS', identity: 'koppel-demo', sharedSecret: 'outbound-secret' }], userAgent: 'Koppel 0.1' },
};

const order: OrderReferenceInput = {
  orderID: 'PO-1001',
  orderDate: { raw: '2026-12-01T10:00:00+01:00', instant: new Date('2026-12-01T09:00:00Z') },
  payloadID: '1796115600000.po1001@buyer.example',
};

const orderLines: OrderedLine[] = [
  { lineNumber: 1, quantity: d(10), unitOfMeasure: 'EA' },
  { lineNumber: 2, quantity: d(4), unitOfMeasure: 'BX' },
  { lineNumber: 3, quantity: d('2.5'), unitOfMeasure: 'KGM' },
];
const [line1, line2, line3] = orderLines as [OrderedLine, OrderedLine, OrderedLine];
const today = { today: '2026-12-03', offsetMinutes: 60 };

/** Line 1: 6 now, 4 backordered; line 2 rejected; line 3 at a new price. */
const detail: ConfirmationInput = {
  type: 'detail',
  confirmID: 'C-2026-0001',
  noticeDate: ctx.timestamp,
  order,
  contacts: [{ role: 'customerService', name: 'Koppel Demo Service', email: 'service@koppel.example' }],
  items: [
    confirmationLine(line1, {
      shipmentDate: '2026-12-04',
      deliveryDate: '2026-12-07',
      backordered: { quantity: d(4), deliveryDate: '2026-12-21' },
    }),
    confirmationLine(line2, { rejected: { quantity: d(4), comments: [{ lang: 'en-US', text: 'Discontinued by the manufacturer' }] } }),
    confirmationLine(line3, { unitPrice: { amount: d('12.4'), currency: 'EUR' }, deliveryDate: '2026-12-08' }),
  ],
};

const shipNotice: ShipNoticeInput = {
  shipmentID: 'S-2026-0001',
  noticeDate: ctx.timestamp,
  shipmentDate: new Date(Date.UTC(2026, 11, 3, 8, 30, 0)),
  deliveryDate: '2026-12-05',
  carrier: { companyName: 'DHL Freight', scac: 'DHLF' },
  tracking: { number: 'JD0146000012345678' },
  order,
  contacts: [{ role: 'shipFrom', name: 'Koppel Demo Lager', postalAddress: { street: ['Lagerweg 1'], city: 'Köln', countryCode: 'DE' } }],
  comments: [{ lang: 'en-US', text: 'First of two parcels' }],
  items: [
    { lineNumber: 1, quantity: d(6), unitOfMeasure: 'EA' },
    { lineNumber: 3, quantity: d('2.5'), unitOfMeasure: 'KGM' },
  ],
};

function node(xml: string, xpath: string): XMLElement {
  const found = parseXml(xml, { flags: [XMLParseFlags.XML_PARSE_NONET] }).get(xpath);
  assert.ok(found && typeof found === 'object', `no node at ${xpath}`);
  return found as XMLElement;
}

function childNames(xml: string, xpath: string): string[] {
  return node(xml, xpath)
    .childNodes()
    .filter((n) => n.type() === 'element')
    .map((n) => n.name());
}

/** Exact comparison with test/golden/<name>; KOPPEL_UPDATE_GOLDEN=1 rewrites the file. */
function assertGolden(name: string, xml: string): void {
  const file = new URL(`../../golden/${name}`, import.meta.url);
  if (process.env.KOPPEL_UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file.pathname), { recursive: true });
    writeFileSync(file, xml);
  }
  assert.ok(existsSync(file), `test/golden/${name} is missing (KOPPEL_UPDATE_GOLDEN=1 writes it)`);
  assert.equal(xml, readFileSync(file, 'utf8'), `differs from test/golden/${name} (KOPPEL_UPDATE_GOLDEN=1 to accept)`);
}

const codes = (problems: readonly RuleProblem[]): RuleCode[] => problems.map((p) => p.code);

// ---- ConfirmationRequest ----------------------------------------------------------------------

describe('ConfirmationRequest', () => {
  for (const version of ['1.2.071', '1.2.063']) {
    it(`detail (split, backorder, reject, price change) validates against Fulfill.dtd ${version}`, () => {
      const xml = writeConfirmationRequest(at(version), supplierHeader, detail);
      const r = assertDtdValid(xml, 'Fulfill', version);
      assert.ok(r.dtd.endsWith(`/${version}/Fulfill.dtd`));
      assert.ok(xml.includes(`<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/${version}/Fulfill.dtd">`));
    });
    it(`accept and reject validate at ${version}`, () => {
      assertDtdValid(writeConfirmationRequest(at(version), supplierHeader, { type: 'accept', confirmID: 'C-2', noticeDate: ctx.timestamp, order }), 'Fulfill', version);
      const accepted = { ...detail, type: 'accept' as const, items: [confirmationLine(line1, { shipmentDate: '2026-12-04' })] };
      assertDtdValid(writeConfirmationRequest(at(version), supplierHeader, accepted), 'Fulfill', version);
      const reject: ConfirmationInput = { type: 'reject', confirmID: 'C-3', noticeDate: ctx.timestamp, order, comments: [{ text: 'Customer account on hold' }] };
      assertDtdValid(writeConfirmationRequest(at(version), supplierHeader, reject), 'Fulfill', version);
    });
  }

  it('matches the golden document (injected payloadID and timestamp)', () => {
    assertGolden('cxml/confirmation-detail.xml', writeConfirmationRequest(ctx, supplierHeader, detail));
  });

  it('writes children in DTD order and the key attributes exactly', () => {
    const xml = writeConfirmationRequest(ctx, supplierHeader, detail);
    assert.deepEqual(childNames(xml, '//ConfirmationRequest'), ['ConfirmationHeader', 'OrderReference', 'ConfirmationItem', 'ConfirmationItem', 'ConfirmationItem']);
    assert.match(xml, /<ConfirmationHeader confirmID="C-2026-0001" operation="new" type="detail" noticeDate="2026-12-03T10:00:00\+01:00">/);
    assert.match(xml, /<OrderReference orderID="PO-1001" orderDate="2026-12-01T10:00:00\+01:00">\s*<DocumentReference payloadID="1796115600000\.po1001@buyer\.example"\/>/);
    assert.deepEqual(childNames(xml, '//ConfirmationItem[1]'), ['UnitOfMeasure', 'ConfirmationStatus', 'ConfirmationStatus']);
    assert.match(xml, /<ConfirmationStatus quantity="6" type="accept" shipmentDate="2026-12-04" deliveryDate="2026-12-07">/);
    assert.match(xml, /<ConfirmationStatus quantity="4" type="backordered" deliveryDate="2026-12-21">/);
    assert.match(xml, /<ConfirmationStatus quantity="4" type="reject">\s*<UnitOfMeasure>BX<\/UnitOfMeasure>\s*<Comments xml:lang="en-US">Discontinued by the manufacturer<\/Comments>/);
    assert.match(xml, /<ConfirmationItem quantity="2\.5" lineNumber="3">/);
    assert.match(xml, /<ConfirmationStatus quantity="2\.5" type="detail" deliveryDate="2026-12-08">\s*<UnitOfMeasure>KGM<\/UnitOfMeasure>\s*<UnitPrice>\s*<Money currency="EUR">12\.40<\/Money>/);
  });

  it('always carries payloadID, timestamp and xml:lang, and the SharedSecret only under Sender (rule 32)', () => {
    const xml = writeConfirmationRequest({ ...ctx, lang: 'de-DE' }, supplierHeader, detail);
    assert.match(xml, /<cXML payloadID="1796288400000\.conf1@koppel\.test" timestamp="2026-12-03T10:00:00\+01:00" xml:lang="de-DE">/);
    assert.match(xml, /<Sender>\s*<Credential domain="DUNS">\s*<Identity>koppel-demo<\/Identity>\s*<SharedSecret>outbound-secret<\/SharedSecret>/);
    assert.equal(xml.match(/SharedSecret/g)?.length, 2);
    assert.throws(() => writeConfirmationRequest({ ...ctx, payloadID: ' ' }, supplierHeader, detail), CxmlWriteError);
  });

  it('is read back by the reader as a Fulfill document', () => {
    const { envelope } = readCxml(writeConfirmationRequest(at('1.2.063'), supplierHeader, detail));
    assert.deepEqual(envelope.doctype, { systemId: 'http://xml.cxml.org/schemas/cXML/1.2.063/Fulfill.dtd', version: '1.2.063', file: 'Fulfill.dtd' });
    assert.equal(envelope.payload.kind, 'ConfirmationRequest');
    assert.equal(envelope.payloadID, ctx.payloadID);
  });

  it('refuses a reject with lines or without a reason', () => {
    const reject: ConfirmationInput = { type: 'reject', confirmID: 'C-3', noticeDate: ctx.timestamp, order, comments: [{ text: 'On hold' }] };
    assert.throws(() => writeConfirmationRequest(ctx, supplierHeader, { ...reject, items: [confirmationLine(line1)] }), /must not list lines/);
    assert.throws(() => writeConfirmationRequest(ctx, supplierHeader, { ...reject, comments: [] }), /reason in Comments/);
    assert.throws(() => writeConfirmationRequest(ctx, supplierHeader, { ...reject, comments: [{ text: '  ' }] }), /reason in Comments/);
  });

  it('refuses statuses that do not add up, a line twice, and type mismatches', () => {
    const item = confirmationLine(line1);
    const short = { ...item, statuses: [{ type: 'accept' as const, quantity: d(9) }] };
    assert.throws(() => writeConfirmationRequest(ctx, supplierHeader, { ...detail, items: [short] }), /line 1: the statuses add up to 9, the line quantity is 10/);
    assert.throws(() => writeConfirmationRequest(ctx, supplierHeader, { ...detail, items: [item, item] }), /line 1 appears more than once/);
    const backordered = confirmationLine(line1, { backordered: { quantity: d(1), deliveryDate: '2026-12-20' } });
    assert.throws(() => writeConfirmationRequest(ctx, supplierHeader, { ...detail, type: 'accept', items: [backordered] }), /accept confirmation may only carry accept statuses/);
    assert.throws(() => writeConfirmationRequest(ctx, supplierHeader, { ...detail, items: [] }), /at least one line/);
    const noChange = { ...item, statuses: [{ type: 'detail' as const, quantity: d(10) }] };
    assert.throws(() => writeConfirmationRequest(ctx, supplierHeader, { ...detail, items: [noChange] }), /detail status must carry what changes/);
    const zero = { ...item, statuses: [{ type: 'accept' as const, quantity: d(10) }, { type: 'reject' as const, quantity: d(0), comments: [{ text: 'x' }] }] };
    assert.throws(() => writeConfirmationRequest(ctx, supplierHeader, { ...detail, items: [zero] }), /must be > 0/);
    assert.throws(() => writeConfirmationRequest(ctx, supplierHeader, { ...detail, type: 'except' as never }), CxmlWriteError);
  });

  it('writes the configured older version and refuses what it cannot carry', () => {
    const xml = writeConfirmationRequest(at('1.2.014'), supplierHeader, detail);
    assert.ok(xml.includes('<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/Fulfill.dtd">'));
    const twoComments: ConfirmationInput = { type: 'reject', confirmID: 'C-3', noticeDate: ctx.timestamp, order, comments: [{ text: 'a' }, { text: 'b' }] };
    assert.throws(() => writeConfirmationRequest(at('1.2.014'), supplierHeader, twoComments), /more than one Comments.*1\.2\.014/);
    assertDtdValid(writeConfirmationRequest(at('1.2.063'), supplierHeader, twoComments), 'Fulfill', '1.2.063');
  });
});

describe('confirmationLine (split helper)', () => {
  it('accepts the remainder and leaves zero portions out', () => {
    assert.deepEqual(confirmationLine(line1).statuses.map((s) => [s.type, s.quantity.toString()]), [['accept', '10']]);
    const all = confirmationLine(line1, { backordered: { quantity: d(10), deliveryDate: '2026-12-20' } });
    assert.deepEqual(all.statuses.map((s) => [s.type, s.quantity.toString()]), [['backordered', '10']]);
    const priced = confirmationLine(line3, { unitPrice: { amount: d(1), currency: 'EUR' }, rejected: { quantity: d('0.5'), comments: [{ text: 'short' }] } });
    assert.deepEqual(priced.statuses.map((s) => [s.type, s.quantity.toString()]), [['detail', '2'], ['reject', '0.5']]);
  });

  it('refuses portions larger than the order line', () => {
    assert.throws(() => confirmationLine(line2, { backordered: { quantity: d(3), deliveryDate: '2026-12-20' }, rejected: { quantity: d(2), comments: [{ text: 'x' }] } }), RangeError);
    assert.throws(() => confirmationLine(line2, { backordered: { quantity: d(-1), deliveryDate: '2026-12-20' } }), RangeError);
  });

  it('property: the statuses always add up to the ordered quantity', () => {
    const qty = (max: number) => fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max: 3 })).map(([n, places]) => new Decimal(n).div(10 ** places));
    fc.assert(
      fc.property(
        qty(100_000).filter((q) => !q.isZero()),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 999 }),
        (ordered, b, r, lineNumber) => {
          // Backordered and rejected shares of the ordered quantity, cut to 3 decimals (never above it).
          const backordered = ordered.times(b.toFixed(3)).toDecimalPlaces(3, Decimal.ROUND_DOWN);
          const rejected = ordered.minus(backordered).times(r.toFixed(3)).toDecimalPlaces(3, Decimal.ROUND_DOWN);
          const line = { lineNumber, quantity: ordered, unitOfMeasure: 'EA' };
          const item = confirmationLine(line, {
            deliveryDate: '2026-12-10',
            backordered: { quantity: backordered, deliveryDate: '2026-12-20' },
            rejected: { quantity: rejected, comments: [{ text: 'not available' }] },
          });
          const total = item.statuses.reduce((t, s) => t.plus(s.quantity), new Decimal(0));
          assert.ok(total.eq(ordered), `${total} ≠ ${ordered}`);
          assert.ok(item.statuses.every((s) => s.quantity.gt(0)));
          const c: ConfirmationInput = { type: 'detail', confirmID: 'C', noticeDate: '2026-12-03', order, items: [item] };
          assert.deepEqual(checkConfirmation(c, [line], today), []);
        },
      ),
    );
  });
});

describe('confirmation rules (fulfil-rules, rule 30)', () => {
  it('a complete, correct confirmation has no problems', () => {
    assert.deepEqual(checkConfirmation(detail, orderLines, today), []);
    assert.deepEqual(checkConfirmation({ type: 'accept', confirmID: 'C', noticeDate: ctx.timestamp, order }, orderLines, today), []);
  });

  it('confirmed quantities per line add up to the ordered quantity', () => {
    const wrongLineQty = { ...confirmationLine(line1), quantity: d(9), statuses: [{ type: 'accept' as const, quantity: d(9) }] };
    const p = checkConfirmation({ ...detail, items: [wrongLineQty] }, orderLines, today);
    assert.deepEqual(codes(p), ['quantity.ordered']);
    assert.equal(p[0]!.lineNumber, 1);
    assert.match(p[0]!.message, /line 1: quantity 9 differs from the ordered 10/);
    const notSumming = { ...confirmationLine(line1), statuses: [{ type: 'accept' as const, quantity: d(6) }, { type: 'backordered' as const, quantity: d(3), deliveryDate: '2026-12-20' }] };
    const q = checkConfirmation({ ...detail, items: [notSumming] }, orderLines, today);
    assert.deepEqual(codes(q), ['quantity.sum']);
    assert.match(q[0]!.message, /line 1: the statuses add up to 9, the line quantity is 10/);
  });

  it('a line appears once, and only in one confirmation', () => {
    const item = confirmationLine(line1);
    assert.deepEqual(codes(checkConfirmation({ ...detail, items: [item, item] }, orderLines, today)), ['line.duplicate']);
    const p = checkConfirmation({ ...detail, items: [confirmationLine(line2)] }, orderLines, { ...today, previous: [detail] });
    assert.deepEqual(codes(p), ['line.confirmed']);
    assert.equal(p[0]!.lineNumber, 2);
  });

  it('lines must exist in the order with its unit', () => {
    const unknown = confirmationLine({ lineNumber: 9, quantity: d(1), unitOfMeasure: 'EA' });
    const p = checkConfirmation({ ...detail, items: [unknown] }, orderLines, today);
    assert.deepEqual(codes(p), ['line.unknown']);
    assert.match(p[0]!.message, /line 9/);
    const otherUnit = confirmationLine({ ...line1, unitOfMeasure: 'PCE' });
    assert.deepEqual(codes(checkConfirmation({ ...detail, items: [otherUnit] }, orderLines, today)), ['uom']);
    assert.deepEqual(codes(checkConfirmation({ ...detail, items: [{ ...otherUnit, lineNumber: 0 }] }, orderLines, today)), ['line.number', 'line.unknown']);
  });

  it('shipment and delivery dates are not in the past relative to the injected today', () => {
    const yesterday = confirmationLine(line1, { shipmentDate: '2026-12-02', deliveryDate: '2026-12-05' });
    const p = checkConfirmation({ ...detail, items: [yesterday] }, orderLines, today);
    assert.deepEqual(codes(p), ['date.past']);
    assert.equal(p[0]!.lineNumber, 1);
    assert.match(p[0]!.message, /line 1 \(accept\): the shipment date 2026-12-02 is in the past \(today is 2026-12-03\)/);
    // Today counts as not past; an instant is placed on a day in the configured zone.
    const lateYesterdayUtc = confirmationLine(line1, { shipmentDate: new Date('2026-12-02T23:30:00Z') });
    assert.deepEqual(checkConfirmation({ ...detail, items: [lateYesterdayUtc] }, orderLines, today), []);
    assert.deepEqual(codes(checkConfirmation({ ...detail, items: [lateYesterdayUtc] }, orderLines, { today: '2026-12-03' })), ['date.past']);
    const backorderPast = confirmationLine(line1, { backordered: { quantity: d(1), deliveryDate: { raw: '2026-11-30', dateOnly: '2026-11-30' } } });
    assert.deepEqual(codes(checkConfirmation({ ...detail, items: [backorderPast] }, orderLines, today)), ['date.past']);
    const reversed = confirmationLine(line1, { shipmentDate: '2026-12-10', deliveryDate: '2026-12-08' });
    assert.deepEqual(codes(checkConfirmation({ ...detail, items: [reversed] }, orderLines, today)), ['date.order']);
    const bad = confirmationLine(line1, { shipmentDate: { raw: 'soon' } });
    assert.deepEqual(codes(checkConfirmation({ ...detail, items: [bad] }, orderLines, today)), ['date.invalid']);
  });

  it('rejects carry comments, at the header and per line', () => {
    const p = checkConfirmation({ type: 'reject', confirmID: 'C', noticeDate: ctx.timestamp, order }, orderLines, today);
    assert.deepEqual(codes(p), ['comments']);
    const lineReject = confirmationLine(line2, { rejected: { quantity: d(4), comments: [] } });
    const q = checkConfirmation({ ...detail, items: [lineReject] }, orderLines, today);
    assert.deepEqual(codes(q), ['comments']);
    assert.equal(q[0]!.lineNumber, 2);
  });

  it('a backorder names its expected delivery date', () => {
    const item = { ...confirmationLine(line1), statuses: [{ type: 'backordered' as const, quantity: d(10) }] };
    const p = checkConfirmation({ ...detail, items: [item] }, orderLines, today);
    assert.deepEqual(codes(p), ['backorder.date']);
    // The DTD allows it, so the writer does not refuse; the rule stops it before sending.
    assertDtdValid(writeConfirmationRequest(ctx, supplierHeader, { ...detail, items: [item] }), 'Fulfill');
  });

  it('lists every problem at once, each naming its line', () => {
    const bad: ConfirmationInput = {
      ...detail,
      items: [
        { ...confirmationLine(line1, { shipmentDate: '2026-01-01' }), statuses: [{ type: 'accept', quantity: d(1), shipmentDate: '2026-01-01' }] },
        confirmationLine(line2, { rejected: { quantity: d(4), comments: [] } }),
      ],
    };
    const p = checkConfirmation(bad, orderLines, today);
    assert.deepEqual(codes(p), ['quantity.sum', 'comments', 'date.past']);
    assert.deepEqual(p.map((x) => x.lineNumber), [1, 2, 1]);
    assert.deepEqual(confirmationShapeProblems(bad).map((x) => x.code), ['quantity.sum', 'comments']);
  });

  it('calendarDay keeps date-only values and places instants in the zone', () => {
    assert.equal(calendarDay('2026-12-03'), '2026-12-03');
    assert.equal(calendarDay({ raw: '2026-12-03', dateOnly: '2026-12-03' }, -600), '2026-12-03');
    assert.equal(calendarDay(new Date('2026-12-02T23:30:00Z'), 60), '2026-12-03');
    assert.equal(calendarDay(new Date('2026-12-02T23:30:00Z')), '2026-12-02');
    assert.equal(calendarDay(new Date(Number.NaN)), undefined);
    assert.equal(calendarDay('3.12.2026'), undefined);
  });
});

// ---- ShipNoticeRequest ------------------------------------------------------------------------

describe('ShipNoticeRequest', () => {
  for (const version of ['1.2.071', '1.2.063']) {
    it(`validates against Fulfill.dtd ${version}`, () => {
      const xml = writeShipNoticeRequest(at(version), supplierHeader, { ...shipNotice, tracking: { number: 'JD01', url: 'https://track.example/?id=JD01&lang=de' }, fulfillmentType: 'partial' });
      const r = assertDtdValid(xml, 'Fulfill', version);
      assert.ok(r.dtd.endsWith(`/${version}/Fulfill.dtd`));
      assertDtdValid(writeShipNoticeRequest(at(version), supplierHeader, { ...shipNotice, carrier: { scac: 'UPSN' }, contacts: [], comments: [] }), 'Fulfill', version);
    });
  }

  it('matches the golden document', () => {
    assertGolden('cxml/ship-notice.xml', writeShipNoticeRequest(ctx, supplierHeader, shipNotice));
  });

  it('writes header, ShipControl and one portion in DTD order', () => {
    const xml = writeShipNoticeRequest(ctx, supplierHeader, { ...shipNotice, tracking: { number: 'JD01', url: 'https://track.example/?id=JD01&lang=de' } });
    assert.deepEqual(childNames(xml, '//ShipNoticeRequest'), ['ShipNoticeHeader', 'ShipControl', 'ShipNoticePortion']);
    assert.deepEqual(childNames(xml, '//ShipNoticeHeader'), ['Contact', 'Comments']);
    assert.deepEqual(childNames(xml, '//ShipControl'), ['CarrierIdentifier', 'CarrierIdentifier', 'ShipmentIdentifier']);
    assert.deepEqual(childNames(xml, '//ShipNoticePortion'), ['OrderReference', 'ShipNoticeItem', 'ShipNoticeItem']);
    assert.match(xml, /<ShipNoticeHeader shipmentID="S-2026-0001" operation="new" noticeDate="2026-12-03T10:00:00\+01:00" shipmentDate="2026-12-03T09:30:00\+01:00" deliveryDate="2026-12-05">/);
    assert.match(xml, /<CarrierIdentifier domain="SCAC">DHLF<\/CarrierIdentifier>\s*<CarrierIdentifier domain="companyName">DHL Freight<\/CarrierIdentifier>/);
    assert.match(xml, /<ShipmentIdentifier trackingURL="https:\/\/track\.example\/\?id=JD01&amp;lang=de">JD01<\/ShipmentIdentifier>/);
    assert.match(xml, /<ShipNoticeItem quantity="2\.5" lineNumber="3">\s*<UnitOfMeasure>KGM<\/UnitOfMeasure>/);
    const { envelope } = readCxml(xml);
    assert.equal(envelope.payload.kind, 'ShipNoticeRequest');
    assert.equal(envelope.doctype?.file, 'Fulfill.dtd');
  });

  it('refuses a notice without carrier, tracking number or lines, or with a line twice', () => {
    assert.throws(() => writeShipNoticeRequest(ctx, supplierHeader, { ...shipNotice, carrier: {} }), /company name or a SCAC/);
    assert.throws(() => writeShipNoticeRequest(ctx, supplierHeader, { ...shipNotice, carrier: { companyName: ' ' } }), /company name or a SCAC/);
    assert.throws(() => writeShipNoticeRequest(ctx, supplierHeader, { ...shipNotice, tracking: { number: '' } }), /tracking number/);
    assert.throws(() => writeShipNoticeRequest(ctx, supplierHeader, { ...shipNotice, items: [] }), /shipped lines/);
    const twice = [shipNotice.items[0]!, shipNotice.items[0]!];
    assert.throws(() => writeShipNoticeRequest(ctx, supplierHeader, { ...shipNotice, items: twice }), /line 1 appears more than once/);
    assert.throws(() => writeShipNoticeRequest(ctx, supplierHeader, { ...shipNotice, items: [{ lineNumber: 1, quantity: d(0), unitOfMeasure: 'EA' }] }), /must be > 0/);
  });

  it('refuses tracking URL and fulfillmentType for versions that predate them', () => {
    const withUrl = { ...shipNotice, tracking: { number: 'JD01', url: 'https://track.example/' } };
    for (const version of ['1.2.014', '1.2.020']) {
      assert.throws(() => writeShipNoticeRequest(at(version), supplierHeader, withUrl), (e: unknown) => e instanceof CxmlWriteError && /trackingURL/.test(e.message) && e.message.includes(version));
    }
    assert.match(writeShipNoticeRequest(at(FULFIL_SINCE.shipmentIdentifierAttributes), supplierHeader, withUrl), /trackingURL=/);
    assert.throws(() => writeShipNoticeRequest(at('1.2.037'), supplierHeader, { ...shipNotice, fulfillmentType: 'complete' }), /fulfillmentType/);
    const old = writeShipNoticeRequest(at('1.2.014'), supplierHeader, shipNotice);
    assert.ok(old.includes('/1.2.014/Fulfill.dtd'));
  });
});

describe('ship notice rules (partial shipments)', () => {
  const first = { shipmentID: 'S-1', items: [{ lineNumber: 1, quantity: d(6), unitOfMeasure: 'EA' }] };
  const second = { shipmentID: 'S-2', items: [{ lineNumber: 1, quantity: d(4), unitOfMeasure: 'EA' }, { lineNumber: 2, quantity: d(4), unitOfMeasure: 'BX' }] };

  it('several notices may ship an order line in parts up to its quantity', () => {
    assert.deepEqual(checkShipNotices(orderLines, [first, second]), []);
    const left = remainingToShip(orderLines, [first]);
    assert.deepEqual([...left].map(([n, q]) => [n, q.toString()]), [[1, '4'], [2, '4'], [3, '2.5']]);
    assert.deepEqual([...remainingToShip(orderLines, [first, second])].map(([n, q]) => [n, q.toString()]), [[1, '0'], [2, '0'], [3, '2.5']]);
  });

  it('shipped quantity per line across notices never exceeds the ordered quantity', () => {
    const third = { shipmentID: 'S-3', items: [{ lineNumber: 1, quantity: d('0.001'), unitOfMeasure: 'EA' }] };
    const p = checkShipNotices(orderLines, [first, second, third]);
    assert.deepEqual(codes(p), ['quantity.exceeded']);
    assert.equal(p[0]!.lineNumber, 1);
    assert.match(p[0]!.message, /line 1: 10\.001 shipped in total, only 10 ordered/);
    assert.equal(remainingToShip(orderLines, [first, second, third]).get(1)!.toString(), '0');
  });

  it('checkShipNotice adds shape, date order, unknown lines and units', () => {
    assert.deepEqual(checkShipNotice(shipNotice, orderLines, { previous: [] }), []);
    const reversed = { ...shipNotice, deliveryDate: '2026-12-01' };
    assert.deepEqual(codes(checkShipNotice(reversed, orderLines)), ['date.order']);
    const unknown = { ...shipNotice, items: [{ lineNumber: 7, quantity: d(1), unitOfMeasure: 'EA' }] };
    assert.deepEqual(codes(checkShipNotice(unknown, orderLines)), ['line.unknown']);
    const unit = { ...shipNotice, items: [{ lineNumber: 1, quantity: d(1), unitOfMeasure: 'PCE' }] };
    assert.deepEqual(codes(checkShipNotice(unit, orderLines)), ['uom']);
    const over = checkShipNotice(shipNotice, orderLines, { previous: [first, second] });
    assert.deepEqual(codes(over), ['quantity.exceeded']);
    assert.match(over[0]!.message, /line 1: 16 shipped in total, only 10 ordered/);
  });

  it('property: shipments that stay within what is left are never flagged, one unit more always is', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 10_000 }), (cuts, ordered) => {
        const line: OrderedLine = { lineNumber: 1, quantity: new Decimal(ordered).div(1000), unitOfMeasure: 'EA' };
        const notices: { shipmentID: string; items: { lineNumber: number; quantity: Decimal; unitOfMeasure: string }[] }[] = [];
        for (const [i, cut] of cuts.entries()) {
          const left = remainingToShip([line], notices).get(1)!;
          const qty = Decimal.min(left, new Decimal(cut).div(1000));
          if (qty.isZero()) break;
          notices.push({ shipmentID: `S-${i}`, items: [{ lineNumber: 1, quantity: qty, unitOfMeasure: 'EA' }] });
          assert.deepEqual(checkShipNotices([line], notices), []);
        }
        const left = remainingToShip([line], notices).get(1)!;
        const extra = { shipmentID: 'S-x', items: [{ lineNumber: 1, quantity: left.plus('0.001'), unitOfMeasure: 'EA' }] };
        assert.deepEqual(codes(checkShipNotices([line], [...notices, extra])), ['quantity.exceeded']);
      }),
    );
  });
});

describe('size limits (rule 33)', () => {
  it('checks bytes as sent (base64 adds a third) and lines', () => {
    const xml = writeShipNoticeRequest(ctx, supplierHeader, shipNotice);
    const bytes = Buffer.byteLength(xml, 'utf8');
    assert.deepEqual(checkSizeLimits(xml, 2, { maxBytes: bytes, maxLines: 2 }), []);
    assert.deepEqual(codes(checkSizeLimits(xml, 2, { maxBytes: bytes, encoding: 'base64' })), ['size']);
    assert.match(checkSizeLimits(xml, 2, { maxBytes: bytes, encoding: 'base64' })[0]!.message, new RegExp(`${Buffer.from(xml).toString('base64').length} bytes in base64`));
    assert.deepEqual(codes(checkSizeLimits(xml, 3, { maxLines: 2 })), ['size']);
  });
});
