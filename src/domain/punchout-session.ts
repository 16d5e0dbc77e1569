/**
 * A punchout session: one visit of a buyer's user from their procurement system. It is opened
 * by an OCI login or a cXML PunchOutSetupRequest, lives on the server, and is found by an
 * unguessable id carried in every storefront URL (no cookies: it must work in a cross-site iframe).
 */
export type SessionStatus = 'pending' | 'open' | 'transferred' | 'cancelled';

export interface EchoField {
  readonly name: string;
  readonly value: string;
}

/** What the buyer told us when the session started; kept for the return and for the log. */
export interface SessionContext {
  /** OCI: every parameter of the call, credentials masked. */
  readonly ociParams?: readonly { name: string; value: string }[];
  /** OCI: the buyer's vendor number for us, echoed into NEW_ITEM-VENDOR. */
  readonly ociVendor?: string;
  readonly ociFunction?: string;
  readonly ociMethod?: string;
  /** cXML: the buyer's From credentials, used as To in the cart message. */
  readonly buyerCredentials?: readonly { domain: string; identity: string }[];
  /** cXML: the To credentials the buyer used for us (copied into From of the cart message). */
  readonly supplierCredentials?: readonly { domain: string; identity: string }[];
  readonly extrinsics?: readonly { name: string; value: string }[];
  readonly contactName?: string;
  readonly contactEmail?: string;
  readonly userAgent?: string;
  readonly shipTo?: unknown;
  /** cXML SelectedItem: the product to open first. */
  readonly selectedSku?: string;
  readonly lang?: string;
}

export interface PunchoutSession {
  readonly id: string;
  readonly connectionId: string;
  readonly protocol: 'oci' | 'cxml';
  readonly operation: 'create' | 'edit' | 'inspect';
  readonly status: SessionStatus;
  readonly buyerCookie: string | null;
  readonly returnUrl: string;
  readonly returnTarget: string | null;
  readonly echoFields: readonly EchoField[];
  readonly context: SessionContext;
  readonly deploymentMode: string;
  readonly expiresAt: string;
}

export type SessionProblem =
  | { readonly kind: 'unknown'; readonly message: string }
  | { readonly kind: 'expired'; readonly message: string }
  | { readonly kind: 'closed'; readonly message: string };

/** Why a session cannot be used now, or undefined when it can. */
export function sessionProblem(session: PunchoutSession | undefined, now: Date): SessionProblem | undefined {
  if (!session) return { kind: 'unknown', message: 'This punchout session does not exist.' };
  if (session.status === 'transferred') return { kind: 'closed', message: 'This punchout session has ended: its cart was already sent back to your purchasing system.' };
  if (session.status === 'cancelled') return { kind: 'closed', message: 'This punchout session has ended: it was cancelled.' };
  if (session.status === 'pending') return { kind: 'unknown', message: 'This punchout session was never opened.' };
  if (new Date(session.expiresAt).getTime() <= now.getTime()) return { kind: 'expired', message: 'This punchout session has expired.' };
  return undefined;
}
