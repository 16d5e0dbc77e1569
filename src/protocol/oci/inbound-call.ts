/**
 * The inbound OCI call: the buyer's browser arrives at the catalog with HOOK_URL, credentials
 * and SAP control fields, by GET (query) or POST (form body). Pure: the web layer hands in the
 * raw, still encoded texts.
 */
import { decodeFormComponent, splitRawPairs, type FormDecoding } from './form-encoding.js';

export interface OciCallOptions {
  /** Name of the user parameter, matched case-insensitively. Default `USERNAME`. */
  usernameField?: string;
  /** Default `PASSWORD`. */
  passwordField?: string;
  /** Default `HOOK_URL` (SAP's own catalog uses `MM_HOOK_URL`, 2ba `hookUrl`). */
  hookUrlField?: string;
  /**
   * How %-escapes are read. Default `auto`: UTF-8, and ISO-8859-1 for a value whose bytes are
   * not valid UTF-8 (reported in `warnings`).
   */
  decoding?: FormDecoding;
}

export interface OciNameValue {
  name: string;
  value: string;
}

export interface OciCall {
  method: 'GET' | 'POST';
  /** Decoded exactly once; or, for the unencoded-last-parameter quirk, the raw remainder verbatim. */
  hookUrl?: string;
  username?: string;
  password?: string;
  /** `~OkCode` in any case, with the received spelling. */
  okCode?: OciNameValue;
  /** `returntarget` (any case) if non-empty, else `~TARGET` (any case), as received; caller defaults to `_top`. */
  target?: string;
  /** `~OkCode`, `~TARGET`, `~CALLER`, `~ForceTarget` as received (spelling and order), to echo in the cart form. */
  echo: OciNameValue[];
  /** FUNCTION, trimmed and upper-cased (`DETAIL`, `VALIDATE`, `SOURCING`, `BACKGROUND_SEARCH` …). */
  function?: string;
  productId?: string;
  quantity?: string;
  searchString?: string;
  /** OCI_VERSION, or OCIVERSION as IFS spells it. */
  ociVersion?: string;
  /** VENDOR, or NEW_ITEM-VENDOR as IFS sends it: the buyer's number for this supplier. */
  vendor?: string;
  /** Every parameter as received: query pairs not overridden by the body, then body pairs. */
  params: OciNameValue[];
  /** Things worth showing an admin (credentials in a GET query, duplicate names, quirks applied). */
  warnings: string[];
}

export interface OciCallInput {
  method: 'GET' | 'POST';
  /** The text after `?`, undecoded. */
  rawQuery: string;
  /** An `application/x-www-form-urlencoded` body, undecoded. */
  rawBody?: string;
}

const ECHO_NAMES = new Set(['~okcode', '~target', '~caller', '~forcetarget']);

/**
 * Read an OCI call. Query and body are merged (body wins on duplicate names), names match
 * case-insensitively, every value is decoded exactly once (like URLSearchParams).
 *
 * The IFS quirk: IFS appends `HOOK_URL=<url>?uniqueid=…` last and unencoded, so the hook URL's
 * own `&`-separated parameters look like top-level ones. When the raw HOOK_URL value contains an
 * unencoded `?` (and no encoded `&` or `=`, which would show that the sender did encode it), the
 * hook URL is the whole raw remainder of that text after `HOOK_URL=`, taken verbatim (not
 * decoded: it was never encoded); what follows it is not read as parameters (see `warnings`).
 */
export function readOciCall(input: OciCallInput, options: OciCallOptions = {}): OciCall {
  const hookName = (options.hookUrlField ?? 'HOOK_URL').toLowerCase();
  const decoding = options.decoding ?? 'auto';
  const warnings: string[] = [];

  const query = readRawParams(input.rawQuery ?? '', 'query', hookName, decoding, warnings);
  const body = input.rawBody ? readRawParams(input.rawBody, 'body', hookName, decoding, warnings) : [];

  const inBody = new Set(body.map((p) => p.name.toLowerCase()));
  const params: OciNameValue[] = [];
  for (const p of query) {
    if (inBody.has(p.name.toLowerCase())) warnings.push(`parameter "${p.name}" sent in query and body; the body value is used`);
    else params.push(p);
  }
  params.push(...body);

  const counts = new Map<string, number>();
  for (const p of params) counts.set(p.name.toLowerCase(), (counts.get(p.name.toLowerCase()) ?? 0) + 1);
  for (const [name, n] of counts) if (n > 1) warnings.push(`parameter "${name}" sent ${n} times; the last value is used`);

  // Last occurrence wins: body after query, and within one source the later one.
  const find = (...names: string[]): OciNameValue | undefined => {
    const wanted = new Set(names.map((n) => n.toLowerCase()));
    for (let i = params.length - 1; i >= 0; i--) if (wanted.has(params[i]!.name.toLowerCase())) return params[i];
    return undefined;
  };
  const get = (...names: string[]): string | undefined => find(...names)?.value;

  const userName = (options.usernameField ?? 'USERNAME').toLowerCase();
  const passwordName = (options.passwordField ?? 'PASSWORD').toLowerCase();
  const call: OciCall = { method: input.method, echo: [], params, warnings };

  const hookUrl = get(hookName);
  if (hookUrl !== undefined) call.hookUrl = hookUrl;
  const username = get(userName);
  if (username !== undefined) call.username = username;
  const password = get(passwordName);
  if (password !== undefined) call.password = password;
  if (query.some((p) => p.name.toLowerCase() === passwordName)) {
    warnings.push(`the password ("${options.passwordField ?? 'PASSWORD'}") was sent in the URL query; keep it out of logs`);
  }

  const okCode = find('~okcode');
  if (okCode) call.okCode = { ...okCode };
  // Echo each control field once (the effective occurrence), in received order.
  for (const p of params) {
    const lower = p.name.toLowerCase();
    if (ECHO_NAMES.has(lower) && find(lower) === p) call.echo.push({ ...p });
  }
  // An empty returntarget says nothing; fall back to ~TARGET, then (in the caller) to _top.
  const target = [get('returntarget'), get('~target')].find((t) => t !== undefined && t !== '');
  if (target !== undefined) call.target = target;

  const fn = get('FUNCTION');
  if (fn !== undefined && fn.trim() !== '') call.function = fn.trim().toUpperCase();
  const productId = get('PRODUCTID');
  if (productId !== undefined) call.productId = productId;
  const quantity = get('QUANTITY');
  if (quantity !== undefined) call.quantity = quantity;
  const searchString = get('SEARCHSTRING');
  if (searchString !== undefined) call.searchString = searchString;
  const ociVersion = get('OCI_VERSION', 'OCIVERSION');
  if (ociVersion !== undefined) call.ociVersion = ociVersion;
  const vendor = get('VENDOR', 'NEW_ITEM-VENDOR');
  if (vendor !== undefined) call.vendor = vendor;
  return call;
}

function readRawParams(
  raw: string,
  source: 'query' | 'body',
  hookName: string,
  decoding: FormDecoding,
  warnings: string[],
): OciNameValue[] {
  const text = raw.startsWith('?') ? raw.slice(1) : raw;
  const out: OciNameValue[] = [];
  let pos = 0;
  while (pos <= text.length) {
    const amp = text.indexOf('&', pos);
    const end = amp < 0 ? text.length : amp;
    const piece = text.slice(pos, end);
    if (piece !== '') {
      const eq = piece.indexOf('=');
      const rawName = eq < 0 ? piece : piece.slice(0, eq);
      const rawValue = eq < 0 ? '' : piece.slice(eq + 1);
      const name = decode(rawName, decoding, source, warnings);
      // An encoded `&` or `=` shows that the sender did encode the hook URL, so `?` alone is no quirk.
      if (name.toLowerCase() === hookName && rawValue.includes('?') && !/%26|%3d/i.test(rawValue)) {
        const remainder = text.slice(pos + eq + 1);
        if (remainder !== rawValue) {
          const swallowed = splitRawPairs(text.slice(end + 1)).map((p) => decode(p.rawName, decoding, source, warnings));
          warnings.push(
            `${name} in the ${source} was sent unencoded with its own query string; taken verbatim up to the end ` +
              `(${swallowed.map((n) => `"${n}"`).join(', ')} belong to it)`,
          );
        }
        out.push({ name, value: remainder });
        return out;
      }
      out.push({ name, value: decode(rawValue, decoding, source, warnings) });
    }
    if (amp < 0) break;
    pos = amp + 1;
  }
  return out;
}

function decode(raw: string, decoding: FormDecoding, source: string, warnings: string[]): string {
  const d = decodeFormComponent(raw, decoding);
  if (d.latin1Fallback) warnings.push(`a ${source} value was not UTF-8 and was read as ISO-8859-1: "${d.value}"`);
  return d.value;
}

export type ReturnUrlCheck = { ok: true } | { ok: false; reason: string };

/**
 * Check a return URL (HOOK_URL, BrowserFormPost) before it is used — verbatim, never rebuilt.
 *
 * - `javascript:`, `data:`, `vbscript:` and every scheme other than http/https are refused;
 *   `SAPEVENT:…` (SAP GUI's HTML control) only with `allowSapEvent`, and then without a prefix check.
 * - Control characters, leading/trailing blanks, user info (`user@host`), a backslash before the
 *   path, or a host that a URL parser reads differently from the text are refused.
 * - The URL must match one of `allowedPrefixes`:
 *   - `*` — any http(s) URL;
 *   - `http://` or `https://` — any URL of that scheme (the demo connection uses both);
 *   - `https://buyer.example` — exactly that host and port (the authority must be equal), any path;
 *   - `https://*.buyer.example/` — any subdomain of buyer.example (not buyer.example itself);
 *   - `https://buyer.example/oci/` — the URL must start with it (path compared case-sensitively).
 *   Scheme and host are compared case-insensitively; a prefix can never match a longer host name
 *   (`https://buyer.example` does not allow `https://buyer.example.evil.test`).
 */
export function checkReturnUrl(url: string, allowedPrefixes: string[], opts: { allowSapEvent?: boolean } = {}): ReturnUrlCheck {
  if (url === '') return { ok: false, reason: 'the return URL is empty' };
  if (/[\u0000-\u001f\u007f]/.test(url)) return { ok: false, reason: 'the return URL contains control characters' };
  if (url.trim() !== url) return { ok: false, reason: 'the return URL has leading or trailing blanks' };
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  if (!schemeMatch) return { ok: false, reason: 'the return URL has no scheme (http or https expected)' };
  const scheme = schemeMatch[1]!.toLowerCase();
  if (scheme === 'sapevent') {
    return opts.allowSapEvent
      ? { ok: true }
      : { ok: false, reason: 'SAPEVENT: return URLs are not enabled for this connection' };
  }
  if (scheme === 'javascript' || scheme === 'data' || scheme === 'vbscript') {
    return { ok: false, reason: `${scheme}: URLs are never accepted as a return URL` };
  }
  if (scheme !== 'http' && scheme !== 'https') return { ok: false, reason: `scheme "${scheme}:" is not http or https` };

  const parts = splitAuthority(url);
  if (!parts) return { ok: false, reason: 'the return URL has no host (expected scheme://host/…)' };
  if (parts.authority.includes('\\')) return { ok: false, reason: 'the return URL has a backslash in its host part' };
  if (parts.authority.includes('@')) return { ok: false, reason: 'the return URL carries user information (user@host)' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'the return URL is not a valid URL' };
  }
  const rawHost = parts.authority.replace(/:\d*$/, '').toLowerCase();
  if (parsed.hostname === '' || parsed.hostname !== rawHost) {
    return { ok: false, reason: `the return URL's host "${rawHost}" is ambiguous (read as "${parsed.hostname}")` };
  }

  for (const prefix of allowedPrefixes) if (matchesPrefix(url, scheme, parts, prefix)) return { ok: true };
  return { ok: false, reason: 'the return URL does not match any allowed return URL of this connection' };
}

interface UrlParts {
  authority: string;
  /** Everything after the authority (path, query, fragment), verbatim. */
  rest: string;
}

function splitAuthority(url: string): UrlParts | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)(.*)$/s.exec(url);
  if (!m || m[1] === '') return undefined;
  return { authority: m[1]!, rest: m[2]! };
}

function matchesPrefix(url: string, scheme: string, parts: UrlParts, prefix: string): boolean {
  const p = prefix.trim();
  if (p === '*') return true;
  const pm = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s.exec(p);
  if (!pm) return false;
  if (pm[1]!.toLowerCase() !== scheme) return false;
  const prefixAuthority = pm[2]!.toLowerCase();
  const prefixRest = pm[3]!;
  if (prefixAuthority === '') return prefixRest === '';
  const authority = parts.authority.toLowerCase();
  if (prefixAuthority.startsWith('*.')) {
    const suffix = prefixAuthority.slice(1); // ".buyer.example"
    if (!(authority.endsWith(suffix) && authority.length > suffix.length)) return false;
  } else if (authority !== prefixAuthority) {
    return false;
  }
  return parts.rest.startsWith(prefixRest);
}
