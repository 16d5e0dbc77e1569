/**
 * A minimal element tree and its serializer. Documents are assembled as trees so that
 * escaping happens in exactly one place and children come out in the order the caller
 * listed them (the DTD order); nothing is ever produced by editing markup text.
 */
import { escapeAttr, escapeText } from './xml-text.js';

export interface XmlElement {
  readonly name: string;
  readonly attrs: readonly (readonly [string, string])[];
  /** Strings are character data. */
  readonly children: readonly XmlNode[];
}

export type XmlNode = XmlElement | string;

export type AttrValue = string | number | undefined | null | false;
/** What `el()` accepts as children: nested arrays are flattened, empty values skipped. */
export type Child = XmlNode | undefined | null | false | readonly Child[];

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;

function assertName(name: string): void {
  // Names come from this code base, never from data; a bad one is a programming error.
  if (!NAME.test(name)) throw new Error(`invalid XML name: ${JSON.stringify(name)}`);
}

function flatten(children: readonly Child[], out: XmlNode[]): XmlNode[] {
  for (const c of children) {
    if (c === undefined || c === null || c === false || c === '') continue;
    if (Array.isArray(c)) flatten(c as readonly Child[], out);
    else out.push(c as XmlNode);
  }
  return out;
}

/** Builds an element; attributes whose value is undefined/null/false are left out. */
export function el(name: string, attrs?: Readonly<Record<string, AttrValue>> | null, ...children: Child[]): XmlElement {
  assertName(name);
  const list: [string, string][] = [];
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      assertName(key);
      list.push([key, String(value)]);
    }
  }
  return { name, attrs: list, children: flatten(children, []) };
}

function openTag(e: XmlElement): string {
  let s = `<${e.name}`;
  for (const [k, v] of e.attrs) s += ` ${k}="${escapeAttr(v)}"`;
  return s;
}

/** Serializes without any added whitespace (used inside mixed content). */
function inline(e: XmlElement): string {
  if (e.children.length === 0) return `${openTag(e)}/>`;
  let s = `${openTag(e)}>`;
  for (const c of e.children) s += typeof c === 'string' ? escapeText(c) : inline(c);
  return `${s}</${e.name}>`;
}

/**
 * Indents element-only content for readability; any element holding text is written inline,
 * because whitespace added to mixed content (Description, Comments, Extrinsic) would change
 * the value the buyer reads.
 */
function pretty(e: XmlElement, depth: number): string {
  const hasText = e.children.some((c) => typeof c === 'string');
  if (e.children.length === 0 || hasText) return inline(e);
  const pad = '  '.repeat(depth + 1);
  let s = `${openTag(e)}>`;
  for (const c of e.children) s += `\n${pad}${pretty(c as XmlElement, depth + 1)}`;
  return `${s}\n${'  '.repeat(depth)}</${e.name}>`;
}

export function serializeElement(e: XmlElement): string {
  return pretty(e, 0);
}

/** A complete UTF-8 document: XML declaration, DOCTYPE with a SYSTEM id, root element. */
export function serializeDocument(root: XmlElement, systemId: string): string {
  // The system id sits in a quoted literal of the prolog: it must not be able to close it.
  if (/["<>\s]/.test(systemId)) throw new Error(`invalid DOCTYPE system id: ${JSON.stringify(systemId)}`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE ${root.name} SYSTEM "${systemId}">\n${pretty(root, 0)}\n`;
}
