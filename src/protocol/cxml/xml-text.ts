/**
 * Character-level helpers for emitting XML: escaping of text and attribute values, removal of
 * characters XML 1.0 forbids, and the ASCII-only form a `cXML-urlencoded` form field needs.
 * These work on values, never on markup: documents are built as element trees (write-tree.ts).
 */

/**
 * True for a code point XML 1.0 allows in a document:
 * #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
 * Lone surrogates (a broken UTF-16 string) are not characters at all and fail here too.
 */
export function isXmlChar(codePoint: number): boolean {
  if (codePoint === 0x9 || codePoint === 0xa || codePoint === 0xd) return true;
  if (codePoint >= 0x20 && codePoint <= 0xd7ff) return true;
  if (codePoint >= 0xe000 && codePoint <= 0xfffd) return true;
  return codePoint >= 0x10000 && codePoint <= 0x10ffff;
}

/**
 * Drops every character XML 1.0 cannot carry (C0 controls other than tab/LF/CR, U+FFFE/U+FFFF,
 * lone surrogates). Not even a character reference can express them, so a buyer's parser
 * would reject the whole document; they never carry meaning in catalog text.
 */
export function stripInvalidXmlChars(value: string): string {
  let out = '';
  let changed = false;
  for (const ch of value) {
    // for..of yields whole code points; a lone surrogate comes out as a single unit.
    if (isXmlChar(ch.codePointAt(0)!)) out += ch;
    else changed = true;
  }
  return changed ? out : value;
}

/**
 * Escapes character data. `>` is escaped too (so `]]>` can never appear), and CR becomes
 * `&#13;` because parsers normalise a literal CR to LF — opaque values such as a BuyerCookie
 * must come back byte for byte.
 */
export function escapeText(value: string): string {
  let out = '';
  for (const ch of stripInvalidXmlChars(value)) {
    switch (ch) {
      case '&': out += '&amp;'; break;
      case '<': out += '&lt;'; break;
      case '>': out += '&gt;'; break;
      case '\r': out += '&#13;'; break;
      default: out += ch;
    }
  }
  return out;
}

/**
 * Escapes an attribute value for double quotes. Tab, LF and CR become character references
 * because attribute-value normalisation would otherwise turn them into spaces.
 */
export function escapeAttr(value: string): string {
  let out = '';
  for (const ch of stripInvalidXmlChars(value)) {
    switch (ch) {
      case '&': out += '&amp;'; break;
      case '<': out += '&lt;'; break;
      case '>': out += '&gt;'; break;
      case '"': out += '&quot;'; break;
      case '\t': out += '&#9;'; break;
      case '\n': out += '&#10;'; break;
      case '\r': out += '&#13;'; break;
      default: out += ch;
    }
  }
  return out;
}

/**
 * Replaces every non-ASCII character with a numeric character reference (`&#xE9;`), leaving
 * ASCII untouched. Meant for serialized XML whose markup (element and attribute names) is
 * ASCII, as everything the cXML writer emits is; references are legal in text and attribute
 * values, which is where non-ASCII can occur.
 */
export function toAsciiCharRefs(xml: string): string {
  let out = '';
  for (const ch of xml) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out += ch;
    else if (cp >= 0xd800 && cp <= 0xdfff) continue; // lone surrogate: not a character
    else out += `&#x${cp.toString(16).toUpperCase()};`;
  }
  return out;
}
