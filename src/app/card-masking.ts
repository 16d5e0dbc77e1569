/**
 * Payment card numbers never reach the store: every logged cXML document has its `PCard@number`
 * cut to the last four digits, as the reader already does for the parsed order.
 */
import { SaxesParser } from 'saxes';
import { maskCardNumber } from '../protocol/cxml/read-payloads.js';

/**
 * The document with every `PCard@number` cut to its last four digits, as the reader keeps it.
 * Positions come from a real XML parser and the start tag is spliced by offsets (never a regex).
 * A document the parser cannot follow is withheld when it mentions a PCard at all.
 */
export function maskCardNumbers(xml: string): string {
  if (!xml.includes('PCard')) return xml;
  const edits: { start: number; end: number; text: string }[] = [];
  const parser = new SaxesParser({ position: true });
  let tagStart = -1;
  let cards = 0;
  let failed = false;
  parser.on('opentagstart', (tag) => {
    if (tag.name === 'PCard') tagStart = xml.lastIndexOf('<', parser.position - 1);
  });
  parser.on('opentag', (tag) => {
    if (tag.name !== 'PCard') return;
    cards += 1;
    const range = attributeValueRange(xml, tagStart, parser.position, 'number');
    const value = tag.attributes['number'];
    if (range && typeof value === 'string') edits.push({ start: range[0], end: range[1], text: alreadyMasked(value) ? value : maskCardNumber(value) });
    tagStart = -1;
  });
  parser.on('error', () => {
    failed = true;
  });
  try {
    parser.write(xml).close();
  } catch {
    failed = true;
  }
  if (failed || edits.length < cards) return `[document withheld: it carries a payment card number that could not be masked; ${xml.length} characters]`;
  let out = '';
  let at = 0;
  for (const e of edits.sort((a, b) => a.start - b.start)) {
    out += xml.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + xml.slice(at);
}

/** Offsets of one attribute's value (between its quotes) inside a well-formed start tag. */
function attributeValueRange(xml: string, tagStart: number, tagEnd: number, name: string): [number, number] | undefined {
  if (tagStart < 0) return undefined;
  const space = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  let i = tagStart + 1;
  while (i < tagEnd && !space(xml[i]) && xml[i] !== '>' && xml[i] !== '/') i++;
  while (i < tagEnd) {
    while (i < tagEnd && space(xml[i])) i++;
    if (xml[i] === '>' || xml[i] === '/') return undefined;
    const nameStart = i;
    while (i < tagEnd && xml[i] !== '=' && !space(xml[i])) i++;
    const attr = xml.slice(nameStart, i);
    while (i < tagEnd && space(xml[i])) i++;
    if (xml[i] !== '=') return undefined;
    i++;
    while (i < tagEnd && space(xml[i])) i++;
    const quote = xml[i];
    if (quote !== '"' && quote !== "'") return undefined;
    const valueStart = i + 1;
    const valueEnd = xml.indexOf(quote, valueStart);
    if (valueEnd < 0 || valueEnd >= tagEnd) return undefined;
    if (attr === name) return [valueStart, valueEnd];
    i = valueEnd + 1;
  }
  return undefined;
}

/** Masked once already (stars, then at most the last four digits): masking again would lose those. */
function alreadyMasked(value: string): boolean {
  let stars = 0;
  while (value[stars] === '*') stars++;
  const rest = value.slice(stars);
  return stars > 0 && rest.length <= 4 && [...rest].every((c) => c >= '0' && c <= '9');
}
