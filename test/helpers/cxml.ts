/** Building and posting cXML documents in tests, with the demo connection's credentials. */
import { readFileSync, readdirSync } from 'node:fs';
import { readCxml } from '../../src/protocol/cxml/reader.js';
import { writeOrderRequest, writePunchOutSetupRequest } from '../../src/protocol/cxml/writer.js';
import type { Header, OrderRequest, PunchOutSetupRequest, Status } from '../../src/protocol/cxml/model.js';

export const FIXTURES = new URL('../../../shared/fixtures/cxml/', import.meta.url);

export function fixturePath(prefix: string): URL {
  const name = readdirSync(FIXTURES).find((f) => f.startsWith(prefix));
  if (!name) throw new Error(`no fixture ${prefix}`);
  return new URL(name, FIXTURES);
}

export function fixtureText(prefix: string): string {
  return readFileSync(fixturePath(prefix), 'utf8');
}

export function demoHeader(secret = 'demo-secret'): Header {
  return {
    from: { credentials: [{ domain: 'NetworkID', identity: 'DEMO-BUYER' }] },
    to: { credentials: [{ domain: 'NetworkID', identity: 'KOPPEL-DEMO' }] },
    sender: { credentials: [{ domain: 'NetworkID', identity: 'DEMO-BUYER', sharedSecret: secret }], userAgent: 'Koppel tests' },
  };
}

let counter = 0;
export function testPayloadId(): string {
  counter += 1;
  return `${Date.now()}.${process.pid}.${counter}@tests.koppel.example`;
}

/** A setup request from our writer, with the demo credentials and the given return URL. */
export function setupRequestXml(returnUrl: string, overrides: Partial<PunchOutSetupRequest> = {}, secret?: string): string {
  return writePunchOutSetupRequest({ payloadID: testPayloadId(), timestamp: new Date() }, demoHeader(secret), {
    operation: 'create',
    buyerCookie: 'cookie-' + counter,
    extrinsics: [{ name: 'UserEmail', value: 'buyer@example.org' }],
    browserFormPostUrl: returnUrl,
    contacts: [],
    itemOut: [],
    ...overrides,
  } as Parameters<typeof writePunchOutSetupRequest>[2]);
}

/** A real fixture's setup request body written again under the demo credentials. */
export function fixtureSetupAsDemo(prefix: string, returnUrl?: string): { xml: string; request: PunchOutSetupRequest } {
  const read = readCxml(fixtureText(prefix)).envelope;
  const request = read.payload as PunchOutSetupRequest;
  const xml = writePunchOutSetupRequest({ payloadID: testPayloadId(), timestamp: new Date() }, demoHeader(), {
    ...request,
    browserFormPostUrl: returnUrl ?? request.browserFormPostUrl ?? 'https://buyer.example/punchout/return',
  } as Parameters<typeof writePunchOutSetupRequest>[2]);
  return { xml, request };
}

/** A real fixture's OrderRequest written again under the demo credentials, with a fresh payloadID. */
export function fixtureOrderAsDemo(prefix: string, payloadID = testPayloadId()): { xml: string; order: OrderRequest; payloadID: string } {
  const read = readCxml(fixtureText(prefix)).envelope;
  const order = read.payload as OrderRequest;
  const xml = writeOrderRequest({ payloadID, timestamp: new Date() }, demoHeader(), order as Parameters<typeof writeOrderRequest>[2]);
  return { xml, order, payloadID };
}

export async function postCxml(baseUrl: string, body: string | Buffer, contentType = 'text/xml; charset=utf-8'): Promise<{ http: number; text: string; status: Status; startPageUrl?: string }> {
  const res = await fetch(`${baseUrl}/cxml`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  const env = readCxml(text).envelope;
  const payload = env.payload;
  let status: Status;
  let startPageUrl: string | undefined;
  if (payload.kind === 'Status') status = payload.status;
  else if (payload.kind === 'PunchOutSetupResponse') {
    status = payload.status;
    startPageUrl = payload.startPageUrl;
  } else if (payload.kind === 'ProfileResponse') status = payload.status;
  else throw new Error(`unexpected answer ${payload.kind}`);
  return { http: res.status, text, status, ...(startPageUrl ? { startPageUrl } : {}) };
}
