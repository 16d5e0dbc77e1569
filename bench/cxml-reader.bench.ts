/**
 * How fast is the cXML reader on a large purchase order?
 *
 * Builds a 10,000-line OrderRequest (~5 MB), then times `readCxml` against a baseline in the same
 * process: saxes only counting events over the same text (the tokenising cost the reader cannot
 * avoid). Prints the figures and the ratio; asserts nothing.
 *
 *   node --import tsx bench/cxml-reader.bench.ts [lines] [runs]
 */
import { pathToFileURL } from 'node:url';
import { SaxesParser } from 'saxes';
import { readCxml } from '../src/protocol/cxml/reader.js';

export interface LargeOrder {
  readonly xml: string;
  readonly lines: number;
  /** Sum of quantity × unit price over all lines, as written in the header Total. */
  readonly total: string;
  /** Sum of all quantities. */
  readonly quantity: number;
}

/**
 * A realistic OrderRequest with `lines` ItemOut elements: ItemID with auxiliary id, full
 * ItemDetail with ShortName and an Extrinsic per line (about 500 bytes a line). Amounts are built
 * from integer cents so that the expected total is exact.
 */
export function buildLargeOrderRequest(lines = 10_000): LargeOrder {
  const parts: string[] = [];
  let totalCents = 0;
  let quantity = 0;
  for (let i = 1; i <= lines; i++) {
    const qty = (i % 5) + 1;
    const cents = (i % 97) * 100 + 25;
    totalCents += qty * cents;
    quantity += qty;
    parts.push(
      `<ItemOut quantity="${qty}" lineNumber="${i}" requestedDeliveryDate="2026-02-0${(i % 9) + 1}">` +
        `<ItemID><SupplierPartID>SKU-${i}</SupplierPartID><SupplierPartAuxiliaryID>cart-42:line-${i}</SupplierPartAuxiliaryID></ItemID>` +
        `<ItemDetail><UnitPrice><Money currency="EUR">${money(cents)}</Money></UnitPrice>` +
        `<Description xml:lang="de"><ShortName>Schraube M${(i % 12) + 3}</ShortName>Sechskant &amp; Mutter ${i}</Description>` +
        `<UnitOfMeasure>PCE</UnitOfMeasure><Classification domain="UNSPSC">31161500</Classification>` +
        `<Extrinsic name="CostCenter">CC-${i % 20}</Extrinsic></ItemDetail>` +
        `</ItemOut>\n`,
    );
  }
  const total = money(totalCents);
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">\n` +
    `<cXML payloadID="bench-${lines}@buyer.example" timestamp="2026-01-31T14:05:00+01:00" xml:lang="de-DE">` +
    `<Header><From><Credential domain="NetworkID"><Identity>AN0100000001</Identity></Credential></From>` +
    `<To><Credential domain="NetworkID"><Identity>KOPPEL</Identity></Credential></To>` +
    `<Sender><Credential domain="NetworkID"><Identity>AN0100000001</Identity><SharedSecret>s3cret</SharedSecret></Credential>` +
    `<UserAgent>bench</UserAgent></Sender></Header>\n` +
    `<Request deploymentMode="test"><OrderRequest>` +
    `<OrderRequestHeader orderID="PO-BENCH-${lines}" orderDate="2026-01-31T14:05:00+01:00" type="new">` +
    `<Total><Money currency="EUR">${total}</Money></Total>` +
    `<BillTo><Address><Name xml:lang="de">Koppel GmbH</Name></Address></BillTo></OrderRequestHeader>\n` +
    parts.join('') +
    `</OrderRequest></Request></cXML>\n`;
  return { xml, lines, total, quantity };
}

function money(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** Baseline: the tokenising work alone, counting events, no tree and no models. */
function saxesCount(xml: string): number {
  const parser = new SaxesParser({ xmlns: false, position: true });
  let events = 0;
  const count = (): void => {
    events++;
  };
  parser.on('opentag', count);
  parser.on('closetag', count);
  parser.on('text', count);
  parser.write(xml).close();
  return events;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function time(runs: number, fn: () => unknown): number {
  fn(); // warm-up: JIT and caches
  fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

export function run(lines = 10_000, runs = 7): void {
  const order = buildLargeOrderRequest(lines);
  const mb = Buffer.byteLength(order.xml) / 1e6;
  const reader = time(runs, () => readCxml(order.xml));
  const baseline = time(runs, () => saxesCount(order.xml));
  const events = saxesCount(order.xml);
  console.log(`cXML reader: OrderRequest with ${lines} lines, ${mb.toFixed(2)} MB, median of ${runs} runs`);
  console.log(`  readCxml          ${reader.toFixed(1).padStart(8)} ms  ${(mb / (reader / 1000)).toFixed(1).padStart(6)} MB/s`);
  console.log(`  saxes baseline    ${baseline.toFixed(1).padStart(8)} ms  ${(mb / (baseline / 1000)).toFixed(1).padStart(6)} MB/s  (${events} events)`);
  console.log(`  ratio reader/baseline  ${(reader / baseline).toFixed(2)}×`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(Number(process.argv[2] ?? 10_000), Number(process.argv[3] ?? 7));
}
