/**
 * The sandbox's only channel to a supplier's server: cXML documents POSTed over HTTP, answers
 * read with the same reader Koppel uses for buyers. Every outcome — network failure, timeout,
 * HTML error page, cXML Status — comes back as data for the punchout page, never as a throw.
 */
import { CxmlError } from '../protocol/cxml/errors.js';
import type { Status } from '../protocol/cxml/model.js';
import { readCxml } from '../protocol/cxml/reader.js';
import type { SupplierExchange } from './punchout-record.js';

export const SUPPLIER_TIMEOUT_MS = 15_000;
/** How much of an answer is kept for the page: enough for any cXML answer, bounded for HTML pages. */
export const MAX_KEPT_ANSWER = 200_000;

export interface CxmlExchangeResult {
  /** Absent when no HTTP answer came. */
  readonly httpStatus?: number;
  readonly contentType?: string;
  /** The answer body (cut at MAX_KEPT_ANSWER). */
  readonly body?: string;
  /** The cXML Status of the answer, when the answer was cXML. */
  readonly status?: Status;
  /** PunchOutSetupResponse/StartPage/URL, when present. */
  readonly startPageUrl?: string;
  /** Why the exchange failed, in words (network, timeout, not cXML). */
  readonly error?: string;
}

/**
 * POSTs one cXML document with `Content-Type: text/xml; charset=utf-8` and reads the answer.
 *
 * @example const r = await postCxmlDocument(fetch, 'http://localhost:8080/cxml', xml)
 *          if (r.status?.code === 200) r.startPageUrl
 */
export async function postCxmlDocument(
  fetchFn: typeof fetch,
  url: string,
  xml: string,
  timeoutMs = SUPPLIER_TIMEOUT_MS,
): Promise<CxmlExchangeResult> {
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', accept: 'text/xml, application/xml' },
      body: xml,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
  } catch (e) {
    return { error: describeFetchError(e, url, timeoutMs) };
  }
  const contentType = res.headers.get('content-type') ?? undefined;
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    return { httpStatus: res.status, ...(contentType ? { contentType } : {}), error: `The answer could not be read completely: ${describeFetchError(e, url, timeoutMs)}` };
  }
  const base = { httpStatus: res.status, ...(contentType ? { contentType } : {}), body: text.length > MAX_KEPT_ANSWER ? text.slice(0, MAX_KEPT_ANSWER) : text };
  if (res.status >= 300 && res.status < 400) {
    return { ...base, error: `HTTP ${res.status} redirect to ${res.headers.get('location') ?? '(no Location)'}; cXML endpoints must answer directly.` };
  }
  if (text.trim() === '') return { ...base, error: `HTTP ${res.status} with an empty body: not a cXML answer.` };
  try {
    const { envelope } = readCxml(text);
    const p = envelope.payload;
    const status = p.kind === 'Status' || p.kind === 'PunchOutSetupResponse' || p.kind === 'ProfileResponse' ? p.status : p.kind === 'Other' ? p.status : undefined;
    const startPageUrl = p.kind === 'PunchOutSetupResponse' ? p.startPageUrl : undefined;
    if (status === undefined) return { ...base, error: `The answer is cXML but carries a ${p.kind}, not a Response/Status.` };
    return { ...base, status, ...(startPageUrl !== undefined ? { startPageUrl } : {}) };
  } catch (e) {
    const why = e instanceof CxmlError ? e.message : String(e);
    return { ...base, error: `HTTP ${res.status}, but the answer is not readable cXML (${why}).` };
  }
}

/** An exchange's outcome as the pages show it (and the order/setup records keep it). */
export function exchangeOf(result: CxmlExchangeResult, payloadID: string, at: Date): SupplierExchange {
  return {
    payloadID,
    ...(result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}),
    ...(result.contentType !== undefined ? { contentType: result.contentType } : {}),
    ...(result.status ? { statusCode: result.status.code, statusText: result.status.text } : {}),
    ...(result.status?.detail ? { statusDetail: result.status.detail } : {}),
    ...(result.body !== undefined ? { answer: result.body } : {}),
    ...(result.error !== undefined ? { error: result.error } : {}),
    at: at.toISOString(),
  };
}

function describeFetchError(e: unknown, url: string, timeoutMs: number): string {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) {
    return `No answer from ${url} within ${timeoutMs / 1000} s.`;
  }
  const cause = e instanceof Error ? (e as Error & { cause?: { code?: string; message?: string } }).cause : undefined;
  const detail = cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
  return `Could not reach ${url} (${detail}).`;
}
