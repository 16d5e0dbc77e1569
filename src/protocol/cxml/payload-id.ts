/**
 * cXML payloadIDs: unique in space and time, stable across retries of the same document
 * (so the caller makes one per document and stores it with the document, never per attempt).
 * Clock and randomness are passed in to keep protocol/ pure.
 */

/** Characters that would make the id ambiguous (`@` separates the host) or awkward in logs. */
const BAD = /[\s@<>&"']/;

/**
 * `<epochMillis>.<random>@<host>`, e.g. `1764756000000.k3j9x2@shop.example.com`.
 * `random` should return an unguessable token (e.g. base64url of 9+ random bytes).
 */
export function newPayloadId(host: string, now: Date, random: () => string): string {
  const millis = now.getTime();
  if (!Number.isFinite(millis)) throw new RangeError('payloadID: invalid clock value');
  if (host === '' || BAD.test(host)) throw new RangeError(`payloadID: invalid host ${JSON.stringify(host)}`);
  const token = random();
  if (token === '' || BAD.test(token)) throw new RangeError(`payloadID: invalid random part ${JSON.stringify(token)}`);
  return `${millis}.${token}@${host}`;
}
