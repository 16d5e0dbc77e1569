/**
 * Writing and logging the answers of the cXML endpoint: every answer is a full cXML envelope,
 * and every exchange is logged in both directions with secrets redacted.
 */
import { statusText } from '../protocol/cxml/errors.js';
import { writeStatusResponse, type WriteContext } from '../protocol/cxml/writer.js';
import { newPayloadId } from '../protocol/cxml/payload-id.js';
import type { Envelope } from '../protocol/cxml/model.js';
import type { AppContext } from './context.js';
import { logDocument, redactXml } from './document-log.js';
import { hostOf } from './punchout.js';

export interface CxmlAnswer {
  /** HTTP status: 200 for every cXML answer (business errors included). */
  httpStatus: number;
  xml: string;
}

/** DTD version of answers sent before the buyer (and its configured version) is known. */
const DEFAULT_VERSION = '1.2.014';

export function writeContext(ctx: AppContext, version?: string): WriteContext {
  const now = ctx.now();
  return { payloadID: newPayloadId(hostOf(ctx.config.baseUrl), now, () => ctx.token(9)), timestamp: now, version: version ?? DEFAULT_VERSION };
}

/** A full cXML envelope with a Status; used for every refusal. */
export function statusAnswer(ctx: AppContext, code: number, detail: string, version?: string): string {
  return writeStatusResponse(writeContext(ctx, version), { code, text: statusText(code), detail });
}

export async function logInOut(
  ctx: AppContext,
  e: { docType: string; requestBody: string; envelope?: Envelope | undefined; connectionId?: string | undefined; sessionId?: string; orderId?: string; status: number; detail: string; answer: string; answerType: string; loggedAnswer?: string; note?: string | undefined },
): Promise<void> {
  // A replay's note goes in front of both details, so the pair still reads "answer to <payloadID>".
  const noted = (detail: string): string => (e.note ? `${e.note}: ${detail}` : detail);
  await logDocument(ctx, {
    direction: 'in',
    protocol: 'cxml',
    docType: e.docType,
    connectionId: e.connectionId ?? null,
    sessionId: e.sessionId ?? null,
    orderId: e.orderId ?? null,
    payloadId: e.envelope?.payloadID ?? null,
    status: e.status,
    detail: noted(e.detail),
    contentType: 'text/xml',
    body: redactXml(e.requestBody),
  });
  await logDocument(ctx, {
    direction: 'out',
    protocol: 'cxml',
    docType: e.answerType,
    connectionId: e.connectionId ?? null,
    sessionId: e.sessionId ?? null,
    orderId: e.orderId ?? null,
    payloadId: null,
    status: e.status,
    detail: noted(e.status >= 400 ? e.detail : `answer to ${e.envelope?.payloadID ?? 'request'}`),
    contentType: 'text/xml',
    body: e.loggedAnswer ?? e.answer,
  });
}

