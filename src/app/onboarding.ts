/**
 * The onboarding sheet: what the buyer's administrator enters in their procurement system to
 * connect to this shop, and a test script to prove it works. Facts only, built from the stored
 * connections; it never carries a secret or a hash (only whether one is set), because the
 * sheet is printed, mailed and filed. The HTML and JSON forms are rendered from this one value.
 */
import type { Connection, Identity } from '../domain/connection.js';
import { iso, type AppContext } from './context.js';
import { getConnection, listConnections } from './connections.js';

/** The cXML versions the reader takes (it reads any version; these are the tested ends). */
export const CXML_READS = '1.1.0xx to 1.2.071';

export const SECRET_HANDOVER =
  'The SharedSecret / password was shown once when the connection was created; hand it over by phone or a password manager; ask the supplier to rotate it if lost.';

export interface OciParameter {
  readonly name: string;
  /** How the buyer's call structure fills it (SAP's parameter types). */
  readonly kind: 'fixed value' | 'return URL' | 'optional';
  /** A value to enter, where one is fixed and not secret. */
  readonly value?: string;
  readonly note: string;
}

export interface OciFacts {
  readonly catalogUrl: string;
  readonly methods: readonly ['GET', 'POST'];
  readonly parameters: readonly OciParameter[];
  readonly ociVersion: '4.0';
  readonly charset: string;
  readonly maxPriceDecimals: number;
  readonly functions: readonly string[];
  readonly sapEventAllowed: boolean;
}

export interface CxmlFacts {
  readonly endpointUrl: string;
  readonly transactions: readonly { readonly name: string; readonly url: string; readonly note: string }[];
  readonly identities: { readonly from: readonly Identity[]; readonly to: readonly Identity[]; readonly sender: readonly Identity[] };
  readonly versions: { readonly writes: string; readonly reads: string };
  readonly cartFormField: { readonly configured: string; readonly notUsed: string };
  readonly startPageSingleUseSeconds: number;
  readonly defaultReturnTarget: string;
}

export interface OnboardingEnvironment {
  readonly id: string;
  readonly name: string;
  readonly environment: 'test' | 'production';
  readonly protocol: 'oci' | 'cxml';
  readonly enabled: boolean;
  /** The connection the sheet was asked for. */
  readonly current: boolean;
  /** Only whether a secret exists; the secret itself is never part of the sheet. */
  readonly secret: 'set' | 'not set';
  readonly returnUrls: { readonly anyHttp: boolean; readonly prefixes: readonly string[] };
  readonly ipAllowList: readonly string[];
  readonly oci?: OciFacts;
  readonly cxml?: CxmlFacts;
}

export interface TestStep {
  readonly action: string;
  readonly expect: string;
}

export interface OnboardingSheet {
  readonly connectionId: string;
  readonly buyerOrg: string;
  readonly generatedAt: string;
  readonly supplierBaseUrl: string;
  /** Test first, then production; every enabled connection of the buyer organisation. */
  readonly environments: readonly OnboardingEnvironment[];
  readonly secretHandover: string;
  readonly testScripts: readonly { readonly protocol: 'oci' | 'cxml'; readonly steps: readonly TestStep[] }[];
}

export async function onboardingSheet(ctx: AppContext, connectionId: string): Promise<OnboardingSheet | undefined> {
  const connection = await getConnection(ctx, connectionId);
  if (!connection) return undefined;
  // The sibling (test / production) of the same buyer is listed too: the buyer sets up both.
  const siblings = (await listConnections(ctx)).filter((c) => c.buyerOrg === connection.buyerOrg && c.id !== connection.id && c.enabled);
  const all = [connection, ...siblings].sort((a, b) => envOrder(a) - envOrder(b) || (a.id === connection.id ? -1 : b.id === connection.id ? 1 : a.id.localeCompare(b.id)));
  const environments = all.map((c) => environmentFacts(ctx, c, c.id === connection.id));
  const protocols = [...new Set(environments.map((e) => e.protocol))];
  return {
    connectionId: connection.id,
    buyerOrg: connection.buyerOrg,
    generatedAt: iso(ctx.now()),
    supplierBaseUrl: ctx.config.baseUrl,
    environments,
    secretHandover: SECRET_HANDOVER,
    testScripts: protocols.map((p) => ({ protocol: p, steps: p === 'oci' ? ociSteps(environments.find((e) => e.protocol === 'oci')!) : cxmlSteps(ctx, environments.find((e) => e.protocol === 'cxml')!) })),
  };
}

function envOrder(c: Connection): number {
  return c.environment === 'test' ? 0 : 1;
}

function environmentFacts(ctx: AppContext, c: Connection, current: boolean): OnboardingEnvironment {
  const anyHttp = c.returnUrlPrefixes.length > 0 && c.returnUrlPrefixes.every((p) => p === 'http://' || p === 'https://');
  const base = {
    id: c.id,
    name: c.name,
    environment: c.environment,
    protocol: c.protocol,
    enabled: c.enabled,
    current,
    secret: c.secretHash ? ('set' as const) : ('not set' as const),
    returnUrls: { anyHttp, prefixes: [...c.returnUrlPrefixes] },
    ipAllowList: [...c.ipAllowList],
  };
  return c.protocol === 'oci' ? { ...base, oci: ociFacts(ctx, c) } : { ...base, cxml: cxmlFacts(ctx, c) };
}

function ociFacts(ctx: AppContext, c: Connection): OciFacts {
  const o = c.options.oci;
  return {
    catalogUrl: `${ctx.config.baseUrl}/punchout/oci/${c.id}`,
    methods: ['GET', 'POST'],
    parameters: [
      { name: o.usernameField, kind: 'fixed value', ...(c.ociUsername ? { value: c.ociUsername } : {}), note: 'The catalog user name.' },
      { name: o.passwordField, kind: 'fixed value', note: 'The catalog password: handed over separately, never written on this sheet.' },
      { name: o.hookUrlField, kind: 'return URL', note: 'Filled by your system at runtime; the cart is posted back to it.' },
      { name: '~OkCode', kind: 'optional', value: 'ADDI', note: 'Echoed back with the cart.' },
      { name: '~TARGET', kind: 'optional', value: '_top', note: 'The frame the cart is posted into; _top when not sent. Echoed back.' },
      { name: '~CALLER', kind: 'optional', value: 'CTLG', note: 'Echoed back with the cart.' },
      { name: 'returntarget', kind: 'optional', note: 'SRM 7 / S/4HANA: the form target; wins over ~TARGET.' },
      { name: 'FUNCTION', kind: 'optional', note: 'DETAIL (with PRODUCTID), VALIDATE (PRODUCTID, QUANTITY), SOURCING and BACKGROUND_SEARCH (SEARCHSTRING).' },
    ],
    ociVersion: '4.0',
    charset: o.charset,
    maxPriceDecimals: o.maxPriceDecimals,
    functions: ['DETAIL', 'VALIDATE', 'SOURCING', 'BACKGROUND_SEARCH'],
    sapEventAllowed: o.allowSapEvent,
  };
}

function cxmlFacts(ctx: AppContext, c: Connection): CxmlFacts {
  const url = `${ctx.config.baseUrl}/cxml`;
  const field = c.options.cxml.formField;
  return {
    endpointUrl: url,
    transactions: [
      { name: 'ProfileRequest', url, note: 'Supported: answers with the transactions below.' },
      { name: 'PunchOutSetupRequest', url, note: 'operation create, edit or inspect; BrowserFormPost/URL is required; a ReturnFrame extrinsic names the frame the cart goes to.' },
      { name: 'OrderRequest', url, note: 'Answered 200 once stored; the same payloadID again gets the same answer and never a second order.' },
    ],
    identities: { from: [...c.buyerIdentities], to: [...c.supplierIdentities], sender: [...c.senderIdentities] },
    versions: { writes: c.options.cxml.version, reads: CXML_READS },
    cartFormField: { configured: field, notUsed: field === 'cXML-base64' ? 'cXML-urlencoded' : 'cXML-base64' },
    startPageSingleUseSeconds: ctx.config.startTokenTtlSeconds,
    defaultReturnTarget: c.options.cxml.defaultTarget,
  };
}

function ociSteps(e: OnboardingEnvironment): TestStep[] {
  const o = e.oci!;
  const [user, pass, hook] = o.parameters;
  return [
    {
      action: `Call the catalog URL ${o.catalogUrl} from your system (GET or POST) with ${user!.name}, ${pass!.name} and ${hook!.name}, plus ~OkCode=ADDI, ~TARGET=_top and ~CALLER=CTLG.`,
      expect: 'The shop opens without a login page.',
    },
    { action: 'Add two different items to the cart, then press "Transfer cart".', expect: `The cart is posted to your ${hook!.name} as an OCI ${o.ociVersion} form (${o.charset}).` },
    {
      action: 'Check the transferred items.',
      expect: `For both lines: NEW_ITEM-DESCRIPTION[n], NEW_ITEM-QUANTITY[n], NEW_ITEM-UNIT[n], NEW_ITEM-PRICE[n] (at most ${o.maxPriceDecimals} decimals), NEW_ITEM-CURRENCY[n] and NEW_ITEM-VENDORMAT[n] are filled, with units in your codes.`,
    },
    { action: 'Check where the cart arrived.', expect: 'In the frame named by ~TARGET (or returntarget); ~OkCode and ~CALLER come back unchanged.' },
    { action: 'Punch out again, add an item, then press "Cancel punchout".', expect: 'An empty cart comes back (no NEW_ITEM-* fields); nothing is added to the requisition.' },
  ];
}

function cxmlSteps(ctx: AppContext, e: OnboardingEnvironment): TestStep[] {
  const x = e.cxml!;
  const minutes = Math.max(1, Math.round(ctx.config.startTokenTtlSeconds / 60));
  return [
    { action: `Send a ProfileRequest to ${x.endpointUrl} with the identities above.`, expect: 'HTTP 200 and a ProfileResponse with Status 200 listing ProfileRequest, PunchOutSetupRequest and OrderRequest.' },
    {
      action: 'Send a PunchOutSetupRequest with operation="create", a BuyerCookie and your BrowserFormPost URL.',
      expect: `Status 200 and a StartPage URL; open it within ${minutes} minute(s) (it works once).`,
    },
    {
      action: 'Add two different items to the cart, then press "Transfer cart".',
      expect: `Your BrowserFormPost URL receives a PunchOutOrderMessage in the field ${x.cartFormField.configured}: your BuyerCookie echoed unchanged, two ItemIn lines with SupplierPartID, SupplierPartAuxiliaryID, UnitOfMeasure and UnitPrice, and the Total.`,
    },
    { action: 'Send an OrderRequest for that cart (ItemOut lines with the same SupplierPartID and SupplierPartAuxiliaryID).', expect: 'HTTP 200 and Status 200.' },
    { action: 'Send the same OrderRequest again, with the same payloadID.', expect: 'The same answer; the supplier sees one order, not two.' },
  ];
}
