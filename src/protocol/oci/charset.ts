/**
 * Text clean-up for OCI values and the ISO-8859-1 transliteration.
 *
 * A buyer whose SAP runs a Latin-1 code page gets `?` for every character outside ISO-8859-1
 * (field-failures.md rule 13). Koppel therefore rewrites such characters itself with a fixed
 * table, then by Unicode compatibility decomposition without marks, and otherwise removes them —
 * never `?`. Characters that ISO-8859-1 has (ä, ß, ©, ®, °, µ …) are kept as they are.
 */

export type OciCharset = 'UTF-8' | 'ISO-8859-1';

/** Fixed replacements for characters outside ISO-8859-1 (checked before the decomposition). */
export const LATIN1_TRANSLITERATIONS: Readonly<Record<string, string>> = {
  '\u20AC': 'EUR', // €
  '\u2122': '(TM)', // ™
  '\u2120': '(SM)', // ℠
  '\u201C': '"', '\u201D': '"', '\u201E': '"', '\u201F': '"', '\u2033': '"', '\u301D': '"', '\u301E': '"',
  '\u2018': "'", '\u2019': "'", '\u201A': "'", '\u201B': "'", '\u2032': "'",
  '\u2039': '<', '\u203A': '>',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-', '\u2212': '-',
  '\u2026': '...', // …
  '\u2022': '-', '\u2023': '-', '\u2043': '-', '\u25CF': '-', '\u25AA': '-', // bullets
  '\u0152': 'OE', '\u0153': 'oe',
  '\u0141': 'L', '\u0142': 'l', '\u0110': 'D', '\u0111': 'd', '\u0126': 'H', '\u0127': 'h',
  '\u0131': 'i', '\u0166': 'T', '\u0167': 't', '\u014A': 'N', '\u014B': 'n', '\u0138': 'k',
  '\u0192': 'f',
  '\u02C6': '^', '\u02DC': '~',
  '\u2020': '+', '\u2030': 'o/oo',
  '\u2044': '/', '\u2215': '/',
  '\u2190': '<-', '\u2192': '->', '\u2194': '<->', '\u21D2': '=>',
  '\u2264': '<=', '\u2265': '>=', '\u2260': '!=', '\u2248': '~',
  '\u03BC': '\u00B5', // Greek mu → micro sign (Latin-1)
  '\u2126': 'Ohm', '\u03A9': 'Ohm', // product texts use Ω for ohm
  '\u2116': 'No.',
  '\u200B': '', '\u200C': '', '\u200D': '', '\u2060': '', '\uFEFF': '', // invisible
};

function isLatin1Printable(cp: number): boolean {
  // 0x80–0x9F are C1 controls in ISO-8859-1 (not the Windows-1252 glyphs), so they do not count.
  return (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff) || cp === 0x09 || cp === 0x0a;
}

export interface Transliteration {
  text: string;
  /** What was replaced, in order of appearance (first occurrence of each character). */
  replaced: { from: string; to: string }[];
}

/** Map `text` into ISO-8859-1 without ever producing `?` for unknown characters. */
export function transliterateToLatin1(text: string): Transliteration {
  let out = '';
  const replaced: { from: string; to: string }[] = [];
  const seen = new Set<string>();
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (isLatin1Printable(cp) || cp === 0x0d) {
      out += ch;
      continue;
    }
    const to = replacementFor(ch);
    out += to;
    if (!seen.has(ch)) {
      seen.add(ch);
      replaced.push({ from: ch, to });
    }
  }
  return { text: out, replaced };
}

function replacementFor(ch: string): string {
  const fixed = LATIN1_TRANSLITERATIONS[ch];
  if (fixed !== undefined) return fixed;
  // Compatibility decomposition: ő → o + mark, ﬁ → fi, ² stays, ½ stays, ⁴ → 4, ℃ → °C.
  let out = '';
  for (const part of ch.normalize('NFKD')) {
    if (/\p{M}/u.test(part)) continue;
    const cp = part.codePointAt(0)!;
    if (isLatin1Printable(cp)) out += part;
    else out += LATIN1_TRANSLITERATIONS[part] ?? '';
  }
  return out;
}

/** Describe a transliteration for a warning: `"€" → "EUR", "😀" removed`. */
export function describeReplacements(replaced: { from: string; to: string }[]): string {
  return replaced
    .map((r) => (r.to === '' ? `${showChar(r.from)} removed` : `${showChar(r.from)} → "${r.to}"`))
    .join(', ');
}

function showChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xdfff) ? hex : `"${ch}" (${hex})`;
}

export interface CleanedText {
  text: string;
  /** Characters dropped because they cannot travel in a form value. */
  dropped: string[];
}

/**
 * Clean a value for a single-line OCI field: a tab or line break (CRLF counts once) becomes a space; other
 * control characters (C0, DEL, C1) and lone surrogates are dropped.
 */
export function cleanSingleLine(text: string): CleanedText {
  return clean(text.replace(/\r\n/g, '\n'), false);
}

/** Clean a long text: line breaks normalised to `\n`, tabs kept, other controls dropped. */
export function cleanMultiLine(text: string): CleanedText {
  return clean(text.replace(/\r\n?/g, '\n'), true);
}

function clean(text: string, multiLine: boolean): CleanedText {
  let out = '';
  const dropped: string[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\n' || ch === '\t' || ch === '\r') {
      out += multiLine ? ch : ' ';
    } else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xdfff)) {
      dropped.push(ch);
    } else {
      out += ch;
    }
  }
  return { text: out, dropped };
}
