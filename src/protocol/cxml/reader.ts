/**
 * The cXML reader: any buyer's document in, typed models (`model.ts`) out.
 *
 * Lenient where real traffic is sloppy (child order, CDATA, unknown elements and attributes,
 * a lower-case root, missing DOCTYPE, odd timestamps, decimal commas), strict where safety or
 * meaning is at stake (DTD subsets and entities, missing required data, unknown enumerated
 * values, non-numeric amounts). Everything tolerated is reported as a ReadWarning; `strict: true`
 * turns the structural ones into errors.
 *
 * Errors are CxmlError with the cXML status code to answer with: 406 for documents that are not
 * acceptable XML/cXML or lack required structure, 400 for values that make no sense, 499 for size.
 */
import { CxmlError } from './errors.js';
import type {
  CxmlPayload,
  Credential,
  DeploymentMode,
  Envelope,
  Header,
  OtherPayload,
  Party,
  ReadResult,
  Status,
} from './model.js';
import { fail, Node, ReadContext, show } from './read-context.js';
import { clean, readStatus } from './read-common.js';
import {
  readOrderRequest,
  readProfileResponse,
  readPunchOutOrderMessage,
  readPunchOutSetupRequest,
  readPunchOutSetupResponse,
} from './read-payloads.js';
import { readConfirmationRequest, readInvoiceDetailRequest, readShipNoticeRequest } from './read-fulfil.js';
import { parseXml } from './read-xml.js';
import { isValidZone } from './timestamp.js';

export interface ReadOptions {
  /** Zone for timestamps sent without one: `+01:00`, `-0500`, `Z` or an IANA name. Default `+00:00`. */
  defaultZone?: string;
  /** Documents larger than this many bytes (UTF-8 for strings) are refused with 499. */
  maxBytes?: number;
  /** Refuse (406/400) instead of warning about unknown elements/attributes and DTD omissions. */
  strict?: boolean;
}

/**
 * Reads a cXML document. Never loads a DTD, never expands entities, never touches the network.
 *
 * @example
 * const { envelope, warnings } = readCxml(body, { defaultZone: '+01:00', maxBytes: 10_000_000 });
 * if (envelope.payload.kind === 'OrderRequest') envelope.payload.header.orderID;
 *
 * @throws CxmlError (406, 400, 499) with a message naming the element path.
 */
export function readCxml(xml: string | Buffer, options: ReadOptions = {}): ReadResult {
  const defaultZone = options.defaultZone ?? '+00:00';
  // Bad options are the caller's bug, not the sender's: plain errors, not CxmlError.
  if (!isValidZone(defaultZone)) throw new RangeError(`defaultZone "${defaultZone}" is not a zone offset or zone name`);
  if (options.maxBytes !== undefined && !(options.maxBytes >= 0)) {
    throw new RangeError(`maxBytes must be a non-negative number, got ${options.maxBytes}`);
  }
  const doc = parseXml(xml, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
  const ctx = new ReadContext(options.strict ?? false, defaultZone);
  for (const note of doc.notes) ctx.warn('', note, 406);

  const rootName = doc.root.name;
  if (rootName !== 'cXML') {
    if (rootName.toLowerCase() !== 'cxml') {
      throw new CxmlError(406, `not a cXML document: the root element is <${rootName}>, expected <cXML>`);
    }
    ctx.warn(rootName, `root element <${rootName}> should be <cXML>; read as cXML`, 406);
  }
  const root = new Node(ctx, doc.root, rootName, 'cXML');
  const envelope = readEnvelope(root, doc.doctype);
  return { envelope, warnings: ctx.warnings };
}

function readEnvelope(root: Node, doctype: string | undefined): Envelope {
  const { ctx } = root;
  const payloadID = root.requiredAttr('payloadID');
  if (payloadID === '') fail(406, `${root.path}@payloadID`, 'payloadID is empty');
  const timestamp = ctx.timestamp(root.requiredAttr('timestamp'), `${root.path}@timestamp`);
  const lang = root.attr('xml:lang');
  ctx.lang = lang;

  const headerNode = root.child('Header');
  const bodies = root.el.children.filter((c) => c.name === 'Request' || c.name === 'Message' || c.name === 'Response');
  if (bodies.length === 0) fail(406, root.path, 'a cXML document needs a Request, Message or Response');
  if (bodies.length > 1) {
    fail(406, root.path, `only one of Request, Message, Response is allowed, got ${bodies.map((b) => b.name).join(' and ')}`);
  }
  const body = new Node(ctx, bodies[0]!, `${root.path}/${bodies[0]!.name}`);
  const isResponse = body.name === 'Response';

  let header: Header | undefined;
  if (isResponse) {
    if (headerNode) ctx.warn(headerNode.path, 'a Response carries no Header; ignored', 406);
  } else {
    if (!headerNode) fail(406, root.path, `element Header is required with a ${body.name}`);
    header = readHeader(headerNode);
  }

  return clean<Envelope>({
    payloadID,
    timestamp,
    version: root.attr('version'),
    lang,
    doctype: doctype === undefined ? undefined : readDoctype(doctype),
    header,
    deploymentMode: readDeploymentMode(body),
    inReplyTo: body.name === 'Message' ? body.attr('inReplyTo') : undefined,
    payload: readPayload(body),
  });
}

function readDeploymentMode(body: Node): DeploymentMode {
  const raw = body.rawAttr('deploymentMode');
  if (raw === undefined) return 'production';
  const mode = raw.trim();
  // A misread mode could turn a test order into a real one: refuse anything unknown.
  if (mode !== 'production' && mode !== 'test') {
    fail(400, `${body.path}@deploymentMode`, `unknown deploymentMode ${show(mode)} (expected production, test)`);
  }
  return mode;
}

/**
 * `SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd"` → version 1.2.014, file cXML.dtd.
 * Custom locations keep their file name; the version is only taken from a `/x.y.zzz/` folder.
 */
function readDoctype(body: string): Envelope['doctype'] {
  const literals = [...body.matchAll(/"([^"]*)"|'([^']*)'/g)].map((m) => m[1] ?? m[2] ?? '');
  const isPublic = /^\s*\S+\s+PUBLIC\b/i.test(body);
  const systemId = (isPublic ? literals[1] : literals[0])?.trim();
  if (systemId === undefined || systemId === '') return undefined;
  const path = systemId.replace(/[?#].*$/, '');
  const file = /([^/\\]+\.dtd)$/i.exec(path)?.[1];
  const version = /(?:^|\/)(\d+\.\d+(?:\.\d+)?)\/[^/]+$/.exec(path)?.[1];
  return clean({ systemId, version, file });
}

function readHeader(node: Node): Header {
  const sender = node.requiredChild('Sender');
  let userAgent = sender.childText('UserAgent');
  if (userAgent === undefined) {
    node.ctx.warn(`${sender.path}/UserAgent`, 'UserAgent is missing or empty', 406);
    userAgent = '';
  }
  return {
    from: readParty(node.requiredChild('From'), false),
    to: readParty(node.requiredChild('To'), false),
    sender: { ...readParty(sender, true), userAgent },
  };
}

/** SharedSecret counts only under Sender; elsewhere it is dropped (never echoed in a warning). */
function readParty(node: Node, isSender: boolean): Party {
  const creds = node.all('Credential');
  if (creds.length === 0) fail(406, node.path, 'at least one Credential is required');
  return { credentials: creds.map((c) => readCredential(c, isSender)) };
}

function readCredential(node: Node, isSender: boolean): Credential {
  const secretNode = node.child('SharedSecret');
  let sharedSecret: string | undefined;
  if (secretNode !== undefined) {
    if (isSender) sharedSecret = secretNode.text().trim();
    else node.ctx.warn(secretNode.path, 'SharedSecret outside Sender is ignored');
  }
  return clean<Credential>({
    domain: node.requiredAttr('domain'),
    identity: node.requiredChild('Identity').text().trim(),
    sharedSecret,
    type: node.attr('type'),
  });
}

/** The one payload element of a Request, Message or Response. */
function readPayload(body: Node): CxmlPayload {
  const { ctx } = body;
  let status: Status | undefined;
  const payloads: Node[] = [];
  for (const el of body.el.children) {
    const child = new Node(ctx, el, `${body.path}/${el.name}`);
    if (el.name === 'Status' && body.name !== 'Request' && status === undefined) {
      status = readStatus(child);
    } else {
      payloads.push(child);
    }
  }
  if (payloads.length > 1) {
    fail(406, body.path, `exactly one payload element expected, got ${payloads.map((p) => p.name).join(', ')}`);
  }
  const payload = payloads[0];
  switch (body.name) {
    case 'Response': {
      if (status === undefined) fail(406, body.path, 'element Status is required in a Response');
      if (payload === undefined) return { kind: 'Status', status };
      if (payload.name === 'PunchOutSetupResponse') return readPunchOutSetupResponse(payload, status);
      if (payload.name === 'ProfileResponse') return readProfileResponse(payload, status);
      return other(body, payload, status);
    }
    case 'Message': {
      if (payload === undefined) fail(406, body.path, 'a Message needs a payload element');
      if (payload.name === 'PunchOutOrderMessage') return readPunchOutOrderMessage(payload, status);
      return other(body, payload, status);
    }
    default: {
      if (payload === undefined) fail(406, body.path, 'a Request needs a payload element');
      switch (payload.name) {
        case 'ProfileRequest':
          return { kind: 'ProfileRequest' };
        case 'PunchOutSetupRequest':
          return readPunchOutSetupRequest(payload);
        case 'OrderRequest':
          return readOrderRequest(payload);
        case 'ConfirmationRequest':
          return readConfirmationRequest(payload);
        case 'ShipNoticeRequest':
          return readShipNoticeRequest(payload);
        case 'InvoiceDetailRequest':
          return readInvoiceDetailRequest(payload);
        default: {
          // Requests such as StatusUpdateRequest carry their Status inside the payload.
          const inner = payload.child('Status');
          return other(body, payload, inner && readStatus(inner));
        }
      }
    }
  }
}

function other(body: Node, payload: Node, status: Status | undefined): OtherPayload {
  return clean<OtherPayload>({ kind: 'Other', wrapper: body.name, name: payload.name, status });
}
