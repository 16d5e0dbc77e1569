/**
 * Flat `application/x-www-form-urlencoded` handling, written out by hand on purpose: OCI names
 * such as `NEW_ITEM-PRICE[3]` must stay flat pairs (qs-style parsers turn them into arrays or
 * objects depending on the item count), and the inbound call needs the raw text for the
 * unencoded-HOOK_URL quirk.
 */

/**
 * How percent-escapes are turned into text. `UTF-8` behaves like URLSearchParams (invalid
 * sequences become U+FFFD); `auto` reads UTF-8 and falls back to ISO-8859-1 for a value whose
 * bytes are not valid UTF-8 (old Latin-1 SAP systems send `%E4` for ä).
 */
export type FormDecoding = 'UTF-8' | 'ISO-8859-1' | 'auto';

export interface DecodedComponent {
  value: string;
  /** True when the value was read as ISO-8859-1 because it was not valid UTF-8. */
  latin1Fallback: boolean;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Decode one name or value exactly once: `+` → space, then `%XX`; a stray `%` stays literal. */
export function decodeFormComponent(raw: string, decoding: FormDecoding = 'UTF-8'): DecodedComponent {
  const text = raw.replace(/\+/g, ' ');
  if (!text.includes('%')) return { value: text, latin1Fallback: false };
  const bytes: number[] = [];
  let literalNonAscii = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && i + 2 < text.length && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // A literal non-ASCII character (already text): keep its UTF-8 bytes, as URLSearchParams does.
      literalNonAscii = true;
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      for (const b of utf8Encoder.encode(ch)) bytes.push(b);
      i += ch.length - 1;
    }
  }
  const buf = Uint8Array.from(bytes);
  if (decoding === 'ISO-8859-1' && !literalNonAscii) {
    return { value: latin1(buf), latin1Fallback: false };
  }
  try {
    return { value: strictUtf8.decode(buf), latin1Fallback: false };
  } catch {
    if (decoding === 'auto' && !literalNonAscii) {
      return { value: latin1(buf), latin1Fallback: true };
    }
    return { value: lenientUtf8.decode(buf), latin1Fallback: false };
  }
}

function latin1(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/** One `name=value` piece of a raw form text, still encoded. */
export interface RawPair {
  rawName: string;
  /** Undefined when the piece had no `=`. */
  rawValue: string | undefined;
}

/** Split raw form text on `&` (empty pieces skipped); a leading `?` is ignored. */
export function splitRawPairs(text: string): RawPair[] {
  const body = text.startsWith('?') ? text.slice(1) : text;
  const out: RawPair[] = [];
  for (const piece of body.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    out.push(eq < 0 ? { rawName: piece, rawValue: undefined } : { rawName: piece.slice(0, eq), rawValue: piece.slice(eq + 1) });
  }
  return out;
}

/**
 * Parse an urlencoded body into flat name/value pairs, in order, duplicates kept.
 * `decoding` defaults to UTF-8 (like URLSearchParams); pass `ISO-8859-1` for a Latin-1 form.
 */
export function pairsFromUrlencoded(body: string, decoding: FormDecoding = 'UTF-8'): [string, string][] {
  return splitRawPairs(body).map((p) => [
    decodeFormComponent(p.rawName, decoding).value,
    decodeFormComponent(p.rawValue ?? '', decoding).value,
  ]);
}

/** Encode pairs as `application/x-www-form-urlencoded` UTF-8 text (what a browser posts). */
export function encodeUrlencoded(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([n, v]) => `${encodeFormComponent(n)}=${encodeFormComponent(v)}`).join('&');
}

/** The urlencoded form of one component: space → `+`, everything but `*-._` and alphanumerics escaped. */
export function encodeFormComponent(text: string): string {
  // Browsers normalise line breaks to CRLF when they build the form data set.
  return encodeURIComponent(text.replace(/\r\n|\r|\n/g, '\r\n'))
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
