/**
 * OCI login: the buyer's browser arrives with HOOK_URL and credentials. We authenticate against
 * the connection, open a server-side session with a fresh cart, and lead the browser into the shop.
 */
import { checkReturnUrl, readOciCall, type OciCall } from '../protocol/oci/inbound-call.js';
import type { Connection } from '../domain/connection.js';
import type { AppContext } from './context.js';
import { getConnection } from './connections.js';
import { logDocument, redactPairs } from './document-log.js';
import { createSession, redeemStartToken } from './punchout.js';
import { cartProduct, getProductsBySku, searchProducts, type Product } from './catalog.js';
import { pricesFor } from './pricing.js';
import { mapOciCart, type MappableLine } from '../domain/cart-mapping.js';
import { lintCart } from '../domain/cart-lint.js';
import { buildOciCartForm, type OciCartForm } from '../protocol/oci/cart-form.js';
import { parseQuantity } from '../domain/cart.js';
import { Decimal, dec } from '../protocol/money.js';
import { connectionSecretMatches } from './connection-admin.js';
import { ipAllowed } from './ip-allow-list.js';

export type OciEntryResult =
  | { ok: true; kind: 'session'; sessionId: string; call: OciCall; landing: { productSku?: string; search?: string } }
  /** VALIDATE and BACKGROUND_SEARCH are answered at once with an OCI form, without a session or UI. */
  | { ok: true; kind: 'form'; form: OciCartForm; autoSubmit: boolean; call: OciCall }
  | { ok: false; httpStatus: number; title: string; message: string; whatToDo: string };

export interface OciRequest {
  method: 'GET' | 'POST';
  rawQuery: string;
  rawBody?: string;
}

/** `clientIp`: the caller's address (checked against the connection's IP allow-list; unknown = refused when there is a list). */
export async function enterOci(ctx: AppContext, connectionId: string, request: OciRequest, clientIp?: string): Promise<OciEntryResult> {
  const connection = await getConnection(ctx, connectionId);
  if (!connection || connection.protocol !== 'oci') {
    await logCall(ctx, undefined, request, 404, `no OCI connection "${connectionId}"`);
    return fail(404, 'Unknown punchout connection', `There is no OCI connection named "${connectionId}" in this shop.`, 'Check the catalog URL configured in your purchasing system, or ask the supplier for the right one.');
  }
  if (!connection.enabled) {
    await logCall(ctx, connection, request, 403, 'connection disabled');
    return fail(403, 'Punchout connection disabled', `The connection "${connection.name}" is switched off.`, 'Ask the supplier to enable it again.');
  }
  const { oci } = connection.options;
  const call = readOciCall(request, { usernameField: oci.usernameField, passwordField: oci.passwordField, hookUrlField: oci.hookUrlField });

  // Before the password is looked at: from outside the allow-list it cannot even be guessed.
  if (!ipAllowed(connection.ipAllowList, clientIp)) {
    const from = clientIp ?? 'an unknown address';
    await logCall(ctx, connection, request, 403, `not allowed from ${from}`, call);
    return fail(403, 'Punchout not allowed from this address', `The connection "${connection.name}" is not allowed from ${from}.`, 'Punch out from your purchasing system’s usual network, or ask the supplier to add this address to the connection’s IP allow-list.');
  }
  const throttleKey = `oci:${clientIp ?? 'unknown'}`;
  const wait = ctx.authFailures.waitFor(throttleKey, ctx.now().getTime());
  if (wait > 0) {
    await logCall(ctx, connection, request, 429, 'too many failed logins from this address', call);
    return fail(429, 'Too many failed logins', `There were too many failed punchout logins from your address.`, `Wait ${Math.ceil(wait / 60_000)} minute(s), then start the punchout again from your purchasing system.`);
  }
  const userOk = call.username !== undefined && connection.ociUsername !== null && call.username === connection.ociUsername;
  // Always run the hash comparison so timing does not tell whether the user name was right.
  // The previous password stays valid until the end of a rotation overlap.
  const passwordOk = await connectionSecretMatches(ctx, connection, call.password ?? '');
  if (!userOk || !passwordOk) {
    ctx.authFailures.fail(throttleKey, ctx.now().getTime());
    await logCall(ctx, connection, request, 401, call.username === undefined ? `no ${oci.usernameField}` : 'wrong user name or password', call);
    return fail(401, 'Punchout login failed', `The user name or password sent by your purchasing system was not accepted for "${connection.name}".`, `Check the ${oci.usernameField} and ${oci.passwordField} values of this catalog in your purchasing system's configuration.`);
  }
  ctx.authFailures.succeed(throttleKey);
  if (!call.hookUrl) {
    await logCall(ctx, connection, request, 400, `no ${oci.hookUrlField}`, call);
    return fail(400, 'No return address', `Your purchasing system did not send a ${oci.hookUrlField}, so the cart could never be sent back.`, `Add the return URL parameter (${oci.hookUrlField}) to this catalog's call structure.`);
  }
  const urlCheck = checkReturnUrl(call.hookUrl, [...connection.returnUrlPrefixes], { allowSapEvent: oci.allowSapEvent });
  if (!urlCheck.ok) {
    await logCall(ctx, connection, request, 400, `HOOK_URL refused: ${urlCheck.reason}`, call);
    return fail(400, 'Return address not allowed', `The return address ${call.hookUrl} is not allowed for "${connection.name}": ${urlCheck.reason}`, 'Ask the supplier to add your purchasing system’s address to the allowed return URLs of this connection.');
  }
  const secretNames = [oci.passwordField, 'PASSWORD'];
  const fn = call.function?.toUpperCase();
  if (fn === 'VALIDATE' || fn === 'BACKGROUND_SEARCH') return answerDirectly(ctx, connection, request, call, fn);
  const opened = await createSession(ctx, {
    connection,
    operation: 'create',
    returnUrl: call.hookUrl,
    ...(call.target !== undefined ? { returnTarget: call.target } : {}),
    echoFields: call.echo,
    context: {
      ociParams: redactPairs(call.params, secretNames),
      ...(call.vendor !== undefined ? { ociVendor: call.vendor } : {}),
      ...(call.function !== undefined ? { ociFunction: call.function } : {}),
      ociMethod: call.method,
    },
  });
  const redeemed = await redeemStartToken(ctx, opened.startToken);
  if (!redeemed.ok) throw new Error('a fresh OCI session could not be opened');
  await logCall(ctx, connection, request, 200, `session opened (${call.method}${call.function ? `, FUNCTION=${call.function}` : ''})`, call, opened.sessionId);
  const landing: { productSku?: string; search?: string } = {};
  if (fn === 'DETAIL' && call.productId) landing.productSku = call.productId;
  if (fn === 'SOURCING' && call.searchString) landing.search = call.searchString;
  return { ok: true, kind: 'session', sessionId: opened.sessionId, call, landing };
}

/** Most hits a BACKGROUND_SEARCH answer carries: buyers parse the whole page in one go. */
const BACKGROUND_SEARCH_LIMIT = 50;

/**
 * VALIDATE: current price and availability of one product (PRODUCTID = our SKU) for QUANTITY,
 * auto-submitted to HOOK_URL with no visible page; an unknown product gives a form without items.
 * BACKGROUND_SEARCH: every hit for SEARCHSTRING in one static form that the buyer's server parses;
 * it is not submitted.
 */
async function answerDirectly(ctx: AppContext, connection: Connection, request: OciRequest, call: OciCall, fn: 'VALIDATE' | 'BACKGROUND_SEARCH'): Promise<OciEntryResult> {
  const wanted: { product: Product; quantity: Decimal }[] = [];
  if (fn === 'VALIDATE') {
    const product = call.productId ? (await getProductsBySku(ctx, [call.productId.trim()])).get(call.productId.trim()) : undefined;
    const quantity = parseQuantity(call.quantity ?? '1') ?? dec(1);
    if (product) wanted.push({ product, quantity });
  } else {
    const hits = await searchProducts(ctx, { query: call.searchString ?? '', pageSize: BACKGROUND_SEARCH_LIMIT });
    for (const p of hits.products) wanted.push({ product: p, quantity: dec(1) });
  }
  // The buyer's own prices (its price list), mapped exactly like the lines of a cart transfer.
  const prices = await pricesFor(ctx, connection, wanted.map((w) => w.product));
  const lines: MappableLine[] = wanted.map(({ product, quantity }) => {
    const price = prices.get(product.id)!;
    return { product: cartProduct(product), quantity, unitPrice: price.price, currency: price.currency };
  });
  const mapped = mapOciCart({ options: connection.options, lines, ...(call.vendor !== undefined ? { vendor: call.vendor } : {}) });
  // A product this buyer's system cannot take (an unmapped unit …) is left out of the answer
  // instead of failing it; the log says which one and why.
  const blocked = lintCart(mapped).filter((f) => f.severity === 'block' && f.line !== undefined);
  const leftOut = new Set(blocked.map((f) => f.line! - 1));
  const sendable = mapped.lines.filter((_, i) => !leftOut.has(i));
  const why = leftOut.size ? `; ${leftOut.size} left out: ${[...new Set(blocked.map((f) => f.message))].join(' ')}` : '';
  const form = buildOciCartForm(sendable, {
    hookUrl: call.hookUrl!,
    target: call.target ?? '_top',
    echo: call.echo,
    charset: connection.options.oci.charset,
    emitEmptyFields: connection.options.oci.emitEmptyFields,
    maxPriceDecimals: connection.options.oci.maxPriceDecimals,
  });
  await logCall(ctx, connection, request, 200, `FUNCTION=${fn} answered with ${sendable.length} item(s)${why}`, call);
  await logDocument(ctx, {
    direction: 'out',
    protocol: 'oci',
    docType: `OCI ${fn} answer`,
    connectionId: connection.id,
    status: 'sent',
    detail: `${sendable.length} item(s) to ${form.action}${why}`,
    contentType: 'application/json',
    body: JSON.stringify({ action: form.action, target: form.target, fields: form.fields }, null, 2),
  });
  return { ok: true, kind: 'form', form, autoSubmit: fn === 'VALIDATE', call };
}

function fail(httpStatus: number, title: string, message: string, whatToDo: string): OciEntryResult {
  return { ok: false, httpStatus, title, message, whatToDo };
}

async function logCall(ctx: AppContext, connection: Connection | undefined, request: OciRequest, status: number, detail: string, call?: OciCall, sessionId?: string): Promise<void> {
  const secretNames = [connection?.options.oci.passwordField ?? 'PASSWORD', 'PASSWORD'];
  const params = call ? redactPairs(call.params, secretNames) : [{ name: '(unparsed)', value: '[withheld]' }];
  await logDocument(ctx, {
    direction: 'in',
    protocol: 'oci',
    docType: 'OCI call',
    connectionId: connection?.id ?? null,
    sessionId: sessionId ?? null,
    status,
    detail,
    contentType: 'application/json',
    body: JSON.stringify({ method: request.method, params }, null, 2),
  });
}
