/**
 * The small amount of HTML the OCI round trip needs: attribute escaping for the cart form we
 * render, and a tolerant scanner that pulls the submitted name/value pairs out of an OCI cart
 * page (fixtures, the sandbox, BACKGROUND_SEARCH answers). This is HTML scanning, not XML.
 */

/** Escape text for an HTML attribute value or element content: `& < > " '`. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Like escapeHtml, and every non-ASCII character as a numeric reference (page stays pure ASCII). */
export function escapeHtmlAscii(text: string): string {
  return escapeHtml(text).replace(/[^\x00-\x7f]/gu, (c) => `&#${c.codePointAt(0)!};`);
}

// HTML 4 Latin-1 entity names for U+00A0 … U+00FF, in code point order.
const LATIN1_NAMES =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 ' +
  'acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde ' +
  'Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc ' +
  'Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml ' +
  'aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc ' +
  'otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml';

const NAMED: Map<string, string> = (() => {
  const m = new Map<string, string>([
    ['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['apos', "'"],
    ['euro', '\u20AC'], ['trade', '\u2122'], ['hellip', '\u2026'], ['ndash', '\u2013'], ['mdash', '\u2014'],
    ['lsquo', '\u2018'], ['rsquo', '\u2019'], ['sbquo', '\u201A'], ['ldquo', '\u201C'], ['rdquo', '\u201D'],
    ['bdquo', '\u201E'], ['bull', '\u2022'], ['dagger', '\u2020'], ['Dagger', '\u2021'], ['permil', '\u2030'],
    ['lsaquo', '\u2039'], ['rsaquo', '\u203A'], ['OElig', '\u0152'], ['oelig', '\u0153'], ['Scaron', '\u0160'],
    ['scaron', '\u0161'], ['Yuml', '\u0178'], ['fnof', '\u0192'], ['circ', '\u02C6'], ['tilde', '\u02DC'],
    ['ensp', '\u2002'], ['emsp', '\u2003'], ['thinsp', '\u2009'], ['zwnj', '\u200C'], ['zwj', '\u200D'],
    ['lrm', '\u200E'], ['rlm', '\u200F'], ['prime', '\u2032'], ['Prime', '\u2033'], ['minus', '\u2212'],
    ['larr', '\u2190'], ['rarr', '\u2192'], ['le', '\u2264'], ['ge', '\u2265'], ['ne', '\u2260'],
    ['asymp', '\u2248'], ['infin', '\u221E'], ['mu', '\u03BC'], ['Omega', '\u03A9'], ['newline', '\n'],
    ['Tab', '\t'],
  ]);
  LATIN1_NAMES.split(' ').forEach((name, i) => m.set(name, String.fromCharCode(0xa0 + i)));
  return m;
})();

// Numeric references 0x80–0x9F mean Windows-1252 glyphs (HTML parsing rules).
const CP1252: Record<number, number> = {
  0x80: 0x20ac, 0x82: 0x201a, 0x83: 0x0192, 0x84: 0x201e, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
  0x88: 0x02c6, 0x89: 0x2030, 0x8a: 0x0160, 0x8b: 0x2039, 0x8c: 0x0152, 0x8e: 0x017d, 0x91: 0x2018,
  0x92: 0x2019, 0x93: 0x201c, 0x94: 0x201d, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02dc,
  0x99: 0x2122, 0x9a: 0x0161, 0x9b: 0x203a, 0x9c: 0x0153, 0x9e: 0x017e, 0x9f: 0x0178,
};

/** Decode character references (`&amp;`, `&#228;`, `&#xE4;`, common named ones); unknown ones stay. */
export function decodeHtmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(?:#[xX]([0-9a-fA-F]{1,8});?|#([0-9]{1,10});?|([A-Za-z][A-Za-z0-9]{1,31});)/g, (all, hex, decimal, name) => {
    if (name !== undefined) return NAMED.get(name) ?? all;
    let cp = hex !== undefined ? parseInt(hex as string, 16) : parseInt(decimal as string, 10);
    cp = CP1252[cp] ?? cp;
    if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\uFFFD';
    return String.fromCodePoint(cp);
  });
}

const WS = /[\t\n\f\r ]/;

/** Parse the attributes of a start tag beginning at `pos` (just after the tag name). */
function readAttributes(html: string, pos: number): { attrs: Map<string, string>; end: number } {
  const attrs = new Map<string, string>();
  let p = pos;
  const n = html.length;
  while (p < n) {
    while (p < n && (WS.test(html[p]!) || html[p] === '/')) p++;
    if (p >= n) break;
    if (html[p] === '>') {
      p++;
      break;
    }
    const nameStart = p;
    while (p < n && !WS.test(html[p]!) && html[p] !== '/' && html[p] !== '>' && (html[p] !== '=' || p === nameStart)) p++;
    const name = html.slice(nameStart, p).toLowerCase();
    while (p < n && WS.test(html[p]!)) p++;
    let value = '';
    if (html[p] === '=') {
      p++;
      while (p < n && WS.test(html[p]!)) p++;
      const q = html[p];
      if (q === '"' || q === "'") {
        const close = html.indexOf(q, p + 1);
        const stop = close < 0 ? n : close;
        value = html.slice(p + 1, stop);
        p = stop + 1;
      } else {
        const start = p;
        while (p < n && !WS.test(html[p]!) && html[p] !== '>') p++;
        value = html.slice(start, p);
      }
    }
    // The first occurrence of an attribute wins, as in a browser.
    if (name !== '' && !attrs.has(name)) attrs.set(name, decodeHtmlEntities(value));
  }
  return { attrs, end: p };
}

const SKIPPED_INPUT_TYPES = new Set(['submit', 'button', 'reset', 'image', 'file']);
const TAG = /<(!--|input|textarea|script|style)(?=[\s/>]|$)|<!--/iy;

/**
 * Extract the name/value pairs a browser would submit from the `<input>` (and `<textarea>`)
 * elements of an HTML page, in document order. Tolerant: any quoting, any case, comments,
 * scripts and styles skipped, character references decoded. Buttons, unchecked check boxes
 * and disabled controls are left out. All forms of the page are read together.
 */
export function pairsFromHtmlForm(html: string): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    TAG.lastIndex = lt;
    const m = TAG.exec(html);
    if (!m) {
      i = lt + 1;
      continue;
    }
    const tag = (m[1] ?? '!--').toLowerCase();
    if (tag === '!--') {
      const close = html.indexOf('-->', lt + 4);
      i = close < 0 ? html.length : close + 3;
      continue;
    }
    const { attrs, end } = readAttributes(html, lt + 1 + tag.length);
    if (tag === 'script' || tag === 'style' || tag === 'textarea') {
      const closeRe = new RegExp(`</${tag}[\\s/>]`, 'ig');
      closeRe.lastIndex = end;
      const close = closeRe.exec(html);
      const contentEnd = close ? close.index : html.length;
      if (tag === 'textarea') {
        const name = attrs.get('name');
        // A newline right after <textarea> is not part of the value.
        const content = html.slice(end, contentEnd).replace(/^\r?\n/, '');
        if (name && !attrs.has('disabled')) out.push([name, decodeHtmlEntities(content)]);
      }
      i = close ? close.index + close[0].length : html.length;
      continue;
    }
    i = end;
    const name = attrs.get('name');
    if (!name || attrs.has('disabled')) continue;
    const type = (attrs.get('type') ?? 'text').toLowerCase();
    if (SKIPPED_INPUT_TYPES.has(type)) continue;
    if ((type === 'checkbox' || type === 'radio') && !attrs.has('checked')) continue;
    out.push([name, attrs.get('value') ?? (type === 'checkbox' || type === 'radio' ? 'on' : '')]);
  }
  return out;
}
