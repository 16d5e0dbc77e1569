/**
 * XML text → a light element tree, with the safety rules Koppel holds for untrusted input:
 * no DTD is ever loaded, no entity is ever expanded (only the five XML ones and numeric
 * character references), nothing touches the network, and a document carrying an internal DTD
 * subset is refused outright (that is where billion-laughs and XXE payloads live).
 *
 * saxes does the tokenising (non-validating, streaming, doctype reported as raw text); the tree
 * is ours so that the reader can walk it without a DOM.
 */
import { TextDecoder } from 'node:util';
import { SaxesParser } from 'saxes';
import { CxmlError } from './errors.js';

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Direct character data (text and CDATA), children's text excluded. */
  text: string;
  /** Length of the parent's `text` when this element started: keeps mixed content in order. */
  readonly at: number;
  readonly line: number;
  /** Set once the reader has checked names against the schema (avoids double warnings). */
  checked?: boolean;
}

export interface XmlDocument {
  readonly root: XmlElement;
  /** Raw DOCTYPE declaration body, e.g. ` cXML SYSTEM "http://…/cXML.dtd"`. */
  readonly doctype?: string;
  /** Problems that did not stop parsing (e.g. whitespace before the XML declaration). */
  readonly notes: readonly string[];
}

export interface ParseLimits {
  maxBytes?: number;
  /** Deepest element nesting accepted; cXML needs about 15 levels. */
  maxDepth?: number;
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };
const DEFAULT_MAX_DEPTH = 200;

/** Parses a cXML body. Throws CxmlError 406 (not well-formed, unsafe) or 499 (too large). */
export function parseXml(input: string | Buffer, limits: ParseLimits = {}): XmlDocument {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (limits.maxBytes !== undefined && size > limits.maxBytes) {
    throw new CxmlError(499, `document is ${size} bytes, more than the ${limits.maxBytes} bytes accepted`);
  }
  const notes: string[] = [];
  let text = typeof input === 'string' ? input : decodeXmlBytes(input);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new CxmlError(406, 'empty document: no XML received');
  // Some senders put a newline or spaces before `<?xml`; XML forbids it, but it is harmless.
  const lead = /^\s+/.exec(text);
  if (lead && text.startsWith('<?xml', lead[0].length)) {
    text = text.slice(lead[0].length);
    notes.push('whitespace before the XML declaration ignored');
  }
  return build(text, limits.maxDepth ?? DEFAULT_MAX_DEPTH, notes);
}

function build(text: string, maxDepth: number, notes: string[]): XmlDocument {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const fail = (message: string): never => {
    throw new CxmlError(406, `not acceptable XML at line ${parser.line}, column ${parser.column + 1}: ${message}`);
  };
  // saxes looks entities up in this map only: a trap here names the entity and stops the parse
  // before anything could be expanded.
  parser.ENTITIES = new Proxy(Object.create(null) as Record<string, string>, {
    get(_target, key) {
      if (typeof key === 'string' && Object.hasOwn(PREDEFINED, key)) return PREDEFINED[key];
      const name = String(key).length > 40 ? `${String(key).slice(0, 37)}...` : String(key);
      return fail(`entity reference &${name}; is not allowed (only the five XML entities and numeric character references are)`);
    },
  });

  let doctype: string | undefined;
  let root: XmlElement | undefined;
  const stack: XmlElement[] = [];

  parser.on('doctype', (body) => {
    if (hasInternalSubset(body)) {
      fail('a DOCTYPE with an internal DTD subset ([...]) is not accepted; entity declarations are refused');
    }
    doctype = body;
  });
  parser.on('opentag', (tag) => {
    const parent = stack[stack.length - 1];
    if (stack.length >= maxDepth) fail(`elements nested deeper than ${maxDepth} levels`);
    const el: XmlElement = {
      name: tag.name,
      attrs: tag.attributes,
      children: [],
      text: '',
      at: parent ? parent.text.length : 0,
      line: parser.line,
    };
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const onText = (chunk: string): void => {
    const current = stack[stack.length - 1];
    if (current) current.text += chunk;
  };
  parser.on('text', onText);
  // CDATA is ordinary text.
  parser.on('cdata', onText);

  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof CxmlError) throw err;
    // saxes messages start with "line:column: "; say it in words for the sender.
    const message = err instanceof Error ? err.message : String(err);
    const pos = /^(\d+):(\d+): (.*)$/s.exec(message);
    throw new CxmlError(
      406,
      pos ? `not well-formed XML at line ${pos[1]}, column ${Number(pos[2]) + 1}: ${pos[3]}` : `not well-formed XML: ${message}`,
    );
  }
  if (!root) throw new CxmlError(406, 'no root element');
  return doctype === undefined ? { root, notes } : { root, doctype, notes };
}

/** True when the DOCTYPE body has `[` outside its quoted public/system literals. */
function hasInternalSubset(body: string): boolean {
  let quote = '';
  for (const ch of body) {
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[') return true;
  }
  return false;
}

/**
 * Bytes → text: BOM first, then the encoding the XML declaration names (default UTF-8).
 * Bytes that are not valid in that encoding are refused (CxmlError 406) rather than guessed at.
 */
export function decodeXmlBytes(bytes: Buffer): string {
  let label = 'utf-8';
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) label = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) label = 'utf-16be';
  else if (bytes[0] === 0x3c && bytes[1] === 0x00 && bytes[2] === 0x3f && bytes[3] === 0x00) label = 'utf-16le';
  else if (bytes[0] === 0x00 && bytes[1] === 0x3c && bytes[2] === 0x00 && bytes[3] === 0x3f) label = 'utf-16be';
  else {
    const head = bytes.subarray(0, 256).toString('latin1');
    const declared = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/.exec(head)?.[1];
    if (declared) label = declared.toLowerCase();
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    throw new CxmlError(406, `unsupported document encoding "${label}"`);
  }
  try {
    return decoder.decode(bytes.subarray(start));
  } catch {
    throw new CxmlError(406, `document bytes are not valid ${decoder.encoding}`);
  }
}
