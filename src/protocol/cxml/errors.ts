/**
 * A cXML document that cannot be accepted. `code` is the cXML Status code to answer with
 * (406 unparsable or structurally wrong, 400 semantically unacceptable, 450 not supported,
 * 413-like size problems are 499); `message` names the problem for the sender.
 */
export class CxmlError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = 'CxmlError';
    this.code = code;
  }
}

/** Canonical Status texts for the codes Koppel answers with. */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Accepted',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  417: 'Expectation Failed',
  450: 'Not Implemented',
  499: 'Document Size Error',
  500: 'Internal Server Error',
  560: 'Temporary server error',
};

export function statusText(code: number): string {
  return STATUS_TEXT[code] ?? STATUS_TEXT[Math.floor(code / 100) * 100] ?? 'Unknown';
}
