/**
 * IP allow-lists of connections: single addresses and CIDR ranges, IPv4 and IPv6. An IPv4
 * address that reaches us as IPv4-mapped IPv6 (`::ffff:192.0.2.1`, what a dual-stack socket
 * reports) is treated as the IPv4 address, so a list written in IPv4 still matches it.
 */

interface IpRange {
  readonly family: 4 | 6;
  /** Network address, 4 or 16 bytes. */
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/** Parses a dotted quad strictly: four decimal parts 0–255, no leading zeros (010 could mean octal). */
function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups: number[] = [];
    const pieces = s.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return undefined;
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
        groups.push(parseInt(piece, 16));
      }
    }
    return groups;
  };
  const head = toGroups(halves[0]!);
  const tail = halves.length === 2 ? toGroups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  // An embedded IPv4 part may only come last.
  if (halves.length === 2 && halves[0]!.includes('.')) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

function isV4Mapped(bytes: Uint8Array): boolean {
  return bytes.length === 16 && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

/** An address as (family, bytes), with IPv4-mapped IPv6 turned into IPv4 and an IPv6 zone (%eth0) dropped. */
function parseAddress(text: string): { family: 4 | 6; bytes: Uint8Array } | undefined {
  const t = text.trim();
  const v4 = parseIpv4(t);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIpv6(t.replace(/%[0-9A-Za-z._~-]+$/, '').replace(/^\[(.*)\]$/, '$1'));
  if (!v6) return undefined;
  if (isV4Mapped(v6)) return { family: 4, bytes: v6.slice(12) };
  return { family: 6, bytes: v6 };
}

function hostBitsSet(bytes: Uint8Array, prefix: number): boolean {
  for (let bit = prefix; bit < bytes.length * 8; bit++) {
    if ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1) return true;
  }
  return false;
}

function format(family: 4 | 6, bytes: Uint8Array): string {
  if (family === 4) return [...bytes].join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952: the longest run of two or more zero groups becomes "::".
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best === -1) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

function clearHostBits(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = bytes.slice();
  for (let bit = prefix; bit < out.length * 8; bit++) out[bit >> 3]! &= ~(1 << (7 - (bit & 7)));
  return out;
}

type RangeResult = { ok: true; range: IpRange } | { ok: false; problem: string };

/** Reads one allow-list entry (`192.0.2.10`, `192.0.2.0/24`, `2001:db8::/32`, `::ffff:10.0.0.0/104`). */
function parseRange(entry: string): RangeResult {
  const text = entry.trim();
  if (text === '') return { ok: false, problem: 'is empty' };
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const address = parseAddress(addressText);
  if (!address) return { ok: false, problem: `"${entry}" is not an IPv4 or IPv6 address or CIDR range` };
  const written6 = !parseIpv4(addressText.trim());
  let prefix = address.family === 4 ? 32 : 128;
  if (slash !== -1) {
    const prefixText = text.slice(slash + 1);
    const max = written6 ? 128 : 32;
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
      return { ok: false, problem: `"${entry}" has an invalid prefix length (0–${max} expected)` };
    }
    prefix = Number(prefixText);
    // An IPv4-mapped range written in IPv6 (::ffff:10.0.0.0/104) covers IPv4 addresses.
    if (written6 && address.family === 4) {
      if (prefix < 96) return { ok: false, problem: `"${entry}" reaches outside the IPv4-mapped range (prefix below 96)` };
      prefix -= 96;
    }
  }
  if (hostBitsSet(address.bytes, prefix)) {
    const suggestion = `${format(address.family, clearHostBits(address.bytes, prefix))}/${prefix}`;
    return { ok: false, problem: `"${entry}" has bits set after the prefix; did you mean ${suggestion}?` };
  }
  return { ok: true, range: { family: address.family, bytes: address.bytes, prefix } };
}

/** A human-readable problem with one allow-list entry, or undefined when it is valid. */
export function ipEntryProblem(entry: string): string | undefined {
  const r = parseRange(entry);
  return r.ok ? undefined : r.problem;
}

function inRange(range: IpRange, bytes: Uint8Array): boolean {
  const full = range.prefix >> 3;
  for (let i = 0; i < full; i++) if (range.bytes[i] !== bytes[i]) return false;
  const rest = range.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (range.bytes[full]! & mask) === (bytes[full]! & mask);
}

/**
 * Whether `ip` may call a connection with this allow-list. An empty list allows everyone; a
 * non-empty list allows nobody whose address is unknown or unreadable (fail closed). Invalid
 * entries (never stored through the admin, but possible in hand-edited rows) match nothing.
 */
export function ipAllowed(list: readonly string[], ip: string | undefined | null): boolean {
  if (list.length === 0) return true;
  if (!ip) return false;
  const address = parseAddress(ip);
  if (!address) return false;
  return list.some((entry) => {
    const r = parseRange(entry);
    return r.ok && r.range.family === address.family && inRange(r.range, address.bytes);
  });
}
