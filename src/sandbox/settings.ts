/**
 * What the person chose on the sandbox start form: which supplier, which protocol, which
 * credentials. Parsed from the raw form body; every field has a default that punches out into
 * this Koppel's demo connections, so "Start punchout" works without typing anything.
 */
import type { Credential, Header } from '../protocol/cxml/model.js';

export type SandboxProtocol = 'oci' | 'cxml';

export interface CxmlIdentity {
  readonly domain: string;
  readonly identity: string;
}

export interface SandboxSettings {
  readonly protocol: SandboxProtocol;
  readonly ociUrl: string;
  readonly ociUsername: string;
  readonly ociPassword: string;
  readonly ociMethod: 'GET' | 'POST';
  /** The supplier's cXML endpoint: setup requests (cXML punchouts) and every purchase order. */
  readonly cxmlUrl: string;
  readonly from: CxmlIdentity;
  readonly to: CxmlIdentity;
  readonly sender: CxmlIdentity;
  readonly sharedSecret: string;
  /** DOCTYPE version of the documents the sandbox sends. */
  readonly cxmlVersion: string;
  /** Open the shop inside an iframe, like SAP SRM and many procurement systems do. */
  readonly framed: boolean;
}

export const DEFAULT_CXML_VERSION = '1.2.071';

/** The defaults point at the demo connections of the Koppel at `baseUrl` (README, "Demo connections"). */
export function defaultSettings(baseUrl: string): SandboxSettings {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    protocol: 'oci',
    ociUrl: `${base}/punchout/oci/demo-oci`,
    ociUsername: 'demo',
    ociPassword: 'demo',
    ociMethod: 'POST',
    cxmlUrl: `${base}/cxml`,
    from: { domain: 'NetworkID', identity: 'DEMO-BUYER' },
    to: { domain: 'NetworkID', identity: 'KOPPEL-DEMO' },
    sender: { domain: 'NetworkID', identity: 'DEMO-BUYER' },
    sharedSecret: 'demo-secret',
    cxmlVersion: DEFAULT_CXML_VERSION,
    framed: false,
  };
}

/** A problem with one start-form field, shown next to the form. */
export interface SettingsProblem {
  readonly field: string;
  readonly message: string;
}

/**
 * Reads the start form. Empty text fields fall back to the defaults (a person who clears a
 * field most likely wants "the usual"); URLs must be absolute http(s) URLs.
 */
export function settingsFromForm(
  form: URLSearchParams,
  baseUrl: string,
): { settings: SandboxSettings; problems: SettingsProblem[] } {
  const d = defaultSettings(baseUrl);
  const problems: SettingsProblem[] = [];
  const text = (name: string, fallback: string): string => {
    const v = form.get(name);
    return v === null || v.trim() === '' ? fallback : v.trim();
  };
  // Secrets are taken as typed (a space may be part of a password); only a missing field defaults.
  const secret = (name: string, fallback: string): string => {
    const v = form.get(name);
    return v === null || v === '' ? fallback : v;
  };
  const url = (name: string, fallback: string, label: string): string => {
    const v = text(name, fallback);
    if (!isHttpUrl(v)) problems.push({ field: name, message: `${label} must be an absolute http:// or https:// URL, got "${v}".` });
    return v;
  };
  const protocolText = text('protocol', d.protocol).toLowerCase();
  if (protocolText !== 'oci' && protocolText !== 'cxml') {
    problems.push({ field: 'protocol', message: `Protocol must be OCI or cXML, got "${protocolText}".` });
  }
  const methodText = text('ociMethod', d.ociMethod).toUpperCase();
  if (methodText !== 'GET' && methodText !== 'POST') {
    problems.push({ field: 'ociMethod', message: `OCI method must be GET or POST, got "${methodText}".` });
  }
  const version = text('cxmlVersion', d.cxmlVersion);
  if (!/^1\.[0-2]\.\d{3}$/.test(version)) {
    problems.push({ field: 'cxmlVersion', message: `cXML version must look like 1.2.071, got "${version}".` });
  }
  const settings: SandboxSettings = {
    protocol: protocolText === 'cxml' ? 'cxml' : 'oci',
    ociUrl: url('ociUrl', d.ociUrl, 'The OCI URL'),
    ociUsername: text('ociUsername', d.ociUsername),
    ociPassword: secret('ociPassword', d.ociPassword),
    ociMethod: methodText === 'GET' ? 'GET' : 'POST',
    cxmlUrl: url('cxmlUrl', d.cxmlUrl, 'The cXML URL'),
    from: { domain: text('fromDomain', d.from.domain), identity: text('fromIdentity', d.from.identity) },
    to: { domain: text('toDomain', d.to.domain), identity: text('toIdentity', d.to.identity) },
    sender: { domain: text('senderDomain', d.sender.domain), identity: text('senderIdentity', d.sender.identity) },
    sharedSecret: secret('sharedSecret', d.sharedSecret),
    cxmlVersion: version,
    // A checkbox is only sent when ticked.
    framed: form.has('framed') && form.get('framed') !== '0',
  };
  return { settings, problems };
}

export function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export const SANDBOX_USER_AGENT = 'Koppel buyer sandbox';

/** The cXML Header the sandbox sends: the SharedSecret only ever goes under Sender. */
export function cxmlHeader(settings: SandboxSettings): Header {
  const cred = (c: CxmlIdentity): Credential => ({ domain: c.domain, identity: c.identity });
  return {
    from: { credentials: [cred(settings.from)] },
    to: { credentials: [cred(settings.to)] },
    sender: {
      credentials: [{ ...cred(settings.sender), sharedSecret: settings.sharedSecret }],
      userAgent: SANDBOX_USER_AGENT,
    },
  };
}

/** The Header as the sandbox keeps and shows it: the SharedSecret replaced by `***`. */
export function shownCxmlHeader(settings: SandboxSettings): Header {
  return cxmlHeader({ ...settings, sharedSecret: '***' });
}

/** The settings as they may be shown or stored next to logs: secrets replaced. */
export function redactedSettings(settings: SandboxSettings): SandboxSettings {
  return { ...settings, ociPassword: '***', sharedSecret: '***' };
}
