/**
 * The document log: every inbound and outbound cXML document, OCI call and OCI cart, with
 * direction, type, connection, session and status. Secrets are redacted before anything is
 * stored: callers pass bodies through the redaction helpers first.
 */
import { maskCardNumbers } from './card-masking.js';
import { SaxesParser } from 'saxes';
import { iso, type AppContext } from './context.js';

export interface DocumentEntry {
  direction: 'in' | 'out';
  protocol: 'oci' | 'cxml';
  docType: string;
  connectionId?: string | null;
  sessionId?: string | null;
  orderId?: string | null;
  payloadId?: string | null;
  status: string | number;
  detail?: string;
  contentType: string;
  /** Already redacted. */
  body: string;
}

export async function logDocument(ctx: AppContext, entry: DocumentEntry): Promise<void> {
  try {
    await ctx.db
      .insertInto('documents')
      .values({
        id: ctx.token(12),
        direction: entry.direction,
        protocol: entry.protocol,
        doc_type: entry.docType,
        connection_id: entry.connectionId ?? null,
        session_id: entry.sessionId ?? null,
        order_id: entry.orderId ?? null,
        payload_id: entry.payloadId ?? null,
        status: String(entry.status),
        detail: storable(entry.detail ?? ''),
        content_type: entry.contentType,
        // Card numbers go whatever path the document took (refused at the door, replayed, answered).
        body: storable(entry.protocol === 'cxml' ? maskCardNumbers(entry.body) : entry.body),
        created_at: iso(ctx.now()),
      })
      .execute();
  } catch (err) {
    // The log must never turn a good answer into a failure; say so loudly instead.
    ctx.log.error({ err, docType: entry.docType }, 'could not write the document log');
  }
}

/**
 * Text as the store can keep it: PostgreSQL refuses U+0000 in text, and a refused insert would
 * drop the entry of exactly the hostile document worth looking at. NUL is shown as U+FFFD.
 */
function storable(text: string): string {
  return text.includes('\u0000') ? text.replace(/\u0000/g, '\uFFFD') : text;
}

const REDACTED = '[redacted]';

/**
 * Replaces the text of every element named in `names` (e.g. SharedSecret) with [redacted].
 * Positions come from a real XML parser; the document is spliced by offsets, never by regex.
 * A document that does not parse is stored as a short notice instead (it may hold a secret).
 */
export function redactXml(xml: string, names: ReadonlySet<string> = new Set(['SharedSecret', 'CredentialMac'])): string {
  const ranges: [number, number][] = [];
  const parser = new SaxesParser({ position: true });
  const open: { name: string; contentStart: number }[] = [];
  let failed = false;
  parser.on('opentag', (tag) => {
    open.push({ name: tag.name, contentStart: parser.position });
  });
  parser.on('closetag', (tag) => {
    const top = open.pop();
    if (!top || !names.has(tag.name)) return;
    // position is just past the close tag's '>'; from there a search would find the next tag.
    const closeStart = xml.lastIndexOf('</', parser.position - 1);
    if (closeStart >= top.contentStart && !tag.isSelfClosing) ranges.push([top.contentStart, closeStart]);
  });
  parser.on('error', () => {
    failed = true;
  });
  try {
    parser.write(xml).close();
  } catch {
    failed = true;
  }
  // A broken document is kept only when every mention of a secret element is one the parser
  // found (an open and a close tag each): past a syntax error (an unclosed quote, say) the parser
  // may read a real SharedSecret as text, and one redacted element elsewhere does not make it safe.
  if (failed && mentions(xml, names) > 2 * ranges.length) {
    return `[document not well-formed; body withheld because it may contain a secret; ${xml.length} characters]`;
  }
  let out = '';
  let at = 0;
  for (const [start, end] of ranges.sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    out += xml.slice(at, start) + REDACTED;
    at = end;
  }
  return out + xml.slice(at);
}

/** How often the names occur in the text, in any case (a count only decides whether to withhold). */
function mentions(xml: string, names: ReadonlySet<string>): number {
  const lower = xml.toLowerCase();
  let count = 0;
  for (const n of names) count += lower.split(n.toLowerCase()).length - 1;
  return count;
}

/** Name/value pairs with password-like values masked (OCI calls). */
export function redactPairs(pairs: readonly { name: string; value: string }[], secretNames: readonly string[]): { name: string; value: string }[] {
  const secret = new Set(secretNames.map((n) => n.toLowerCase()));
  return pairs.map((p) => (secret.has(p.name.toLowerCase()) ? { name: p.name, value: REDACTED } : p));
}
