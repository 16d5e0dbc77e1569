/**
 * The buyer sandbox under /sandbox: a small procurement system that punches out into any
 * supplier (this Koppel by default) over the real protocols and turns the cart into a cXML
 * purchase order. It reaches the supplier only over HTTP — a browser form for OCI, server-side
 * POSTs for cXML — so it tests other suppliers' endpoints just as well as Koppel's own.
 *
 * Routes:
 *   GET  /sandbox                              start form and recent punchouts (?like=<id> prefills)
 *   POST /sandbox/punchouts                    start a punchout (OCI call page, or cXML setup → StartPage)
 *   GET  /sandbox/punchouts/:id                the punchout: cart, warnings, raw document, order
 *   GET  /sandbox/punchouts/:id/shop           (re)open the supplier shop (framed or full window)
 *   GET  /sandbox/punchouts/:id/oci-call       the auto-submitting OCI call (the framed shop's src)
 *   POST /sandbox/punchouts/:id/oci-return     HOOK_URL: the OCI cart form
 *   POST /sandbox/punchouts/:id/cxml-return    BrowserFormPost: cXML-base64 / cXML-urlencoded
 *   POST /sandbox/punchouts/:id/order          submit the cart's requisition (older scripts; once)
 *   POST /sandbox/cxml                         the sandbox's own cXML endpoint: confirmations, ship
 *                                              notices and invoices from suppliers (documents.ts)
 *
 * Body parsing: urlencoded bodies are expected as the raw string (src/web/server.ts registers a
 * string parser), so OCI carts stay flat pairs with no field-count limit.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { KoppelConfig } from '../config.js';
import { CxmlError, statusText } from '../protocol/cxml/errors.js';
import { newPayloadId } from '../protocol/cxml/payload-id.js';
import { readCxml } from '../protocol/cxml/reader.js';
import { CxmlWriteError, writePunchOutSetupRequest, writeStatusResponse, type WriteContext } from '../protocol/cxml/writer.js';
import { pairsFromUrlencoded, readOciCartForm } from '../protocol/oci/cart-form-reader.js';
import type { Store } from '../store/database.js';
import type { Html } from '../web/html.js';
import { bodyText, seeOther, sendHtml } from './http.js';
import { ProcurementError, type ProcurementDeps, type SandboxActor } from './procurement/model.js';
import { actingPerson } from './procurement/people.js';
import { cartProblem, requisitionForPunchout, submitRequisition } from './procurement/requisitions.js';
import { seedProcurement } from './procurement/seed.js';
import { registerRequisitionRoutes } from './procurement/requisition-routes.js';
import { registerPurchaseOrderRoutes } from './procurement/po-routes.js';
import { registerInventoryRoutes } from './procurement/inventory-routes.js';
import { registerReceiptRoutes } from './procurement/receipt-routes.js';
import { buyerUser } from './buyer.js';
import { receiveSupplierDocument, unmatchedDocuments } from './documents.js';
import { cartFromOciLines, cartFromPunchOutOrderMessage, type NormalisedCart } from './cart.js';
import { ociCallForm } from './oci-call.js';
import {
  findPunchout,
  insertPunchout,
  recentPunchouts,
  saveCart,
  saveSetupOutcome,
  type PunchoutRequestInfo,
  type PunchoutStatus,
  type SandboxPunchout,
} from './punchout-record.js';
import { cxmlHeader, defaultSettings, isHttpUrl, settingsFromForm, shownCxmlHeader } from './settings.js';
import { exchangeOf, postCxmlDocument } from './supplier-client.js';
import { shownStatusOf } from './procurement/po-routes.js';
import {
  framedShopPage,
  ociCallPage,
  punchoutPage,
  punchoutPath,
  startPage,
  topRedirectPage,
  unknownPunchoutPage,
  type ActingAs,
  type PunchoutOutcome,
  type PunchoutPageView,
} from './views.js';

export interface SandboxDeps {
  db: Store;
  config: KoppelConfig;
  now?: () => Date;
  fetch?: typeof fetch;
}

/** The sandbox's own cXML endpoint for suppliers' documents. */
export const SANDBOX_DOCUMENT_PATH = '/sandbox/cxml';

/** Punchout ids are 24 base64url characters; anything else cannot be one of ours. */
const ID = /^[A-Za-z0-9_-]{16,64}$/;

type IdParams = { Params: { id: string } };

export async function registerSandbox(app: FastifyInstance, deps: SandboxDeps): Promise<void> {
  const { db, config } = deps;
  const now = deps.now ?? (() => new Date());
  const fetchFn = deps.fetch ?? ((input, init) => fetch(input, init));
  /** Where suppliers post documents: on the public base URL, since they post server to server. */
  const documentUrl = (): string => `${config.baseUrl.replace(/\/+$/, '')}${SANDBOX_DOCUMENT_PATH}`;
  const procurement: ProcurementDeps = { db, config, now, fetch: fetchFn };
  await seedProcurement(procurement);
  await registerRequisitionRoutes(app, procurement);
  await registerPurchaseOrderRoutes(app, procurement);
  await registerReceiptRoutes(app, procurement);
  await registerInventoryRoutes(app, procurement);

  // The document endpoint in its own scope: the body arrives as bytes whatever the Content-Type
  // (the XML declaration names the encoding), and every error is a cXML answer, never a page.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.setErrorHandler(async (error: { statusCode?: number; message: string }, request, reply) => {
      const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, 'sandbox document endpoint failed');
      const code = status === 413 ? 499 : status >= 500 ? 500 : 400;
      const text = status === 413 ? 'The document is larger than this server accepts.' : status >= 500 ? 'The document could not be processed; please try again later.' : error.message;
      return sendCxml(reply, code, text, status === 413 ? 413 : 200);
    });
    scope.post(SANDBOX_DOCUMENT_PATH, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const answer = await receiveSupplierDocument(db, body, { now: now(), maxBytes: config.maxBodyBytes });
      return sendCxml(reply, answer.code, answer.detail);
    });
    // Someone opening the URL in a browser learns what it is for.
    scope.get(SANDBOX_DOCUMENT_PATH, async (_request, reply) =>
      sendCxml(reply, 400, 'The buyer sandbox receives ConfirmationRequest, ShipNoticeRequest and InvoiceDetailRequest documents here by HTTP POST (Content-Type: text/xml).'),
    );
  });

  function sendCxml(reply: FastifyReply, code: number, detail: string, http = 200): FastifyReply {
    const at = now();
    const xml = writeStatusResponse({ payloadID: newPayloadId(new URL(config.baseUrl).hostname, at, () => randomToken(9)), timestamp: at }, { code, text: statusText(code), detail });
    return reply.code(http).type('text/xml; charset=utf-8').header('Cache-Control', 'no-store').send(xml);
  }

  /** The punchout of `:id`, or a 404 page already sent. */
  async function load(request: FastifyRequest<IdParams>, reply: FastifyReply): Promise<SandboxPunchout | undefined> {
    const id = request.params.id;
    const p = ID.test(id) ? await findPunchout(db, id) : undefined;
    if (!p) sendHtml(reply, 404, unknownPunchoutPage());
    return p;
  }

  app.get<{ Querystring: { like?: string } }>('/sandbox', async (request, reply) => {
    const like = request.query.like;
    const earlier = like && ID.test(like) ? await findPunchout(db, like) : undefined;
    const defaults = defaultSettings(config.baseUrl);
    // Everything but the secrets: anyone who can open the sandbox sees the recent punchouts and
    // so this link; a password or SharedSecret typed for a real supplier is never shown again.
    const settings = earlier ? { ...earlier.info.settings, ociPassword: defaults.ociPassword, sharedSecret: defaults.sharedSecret } : defaults;
    const recent = await recentPunchouts(db);
    const outcomes = new Map<string, PunchoutOutcome>();
    for (const p of recent) outcomes.set(p.id, await outcomeOf(p));
    return sendHtml(reply, 200, startPage({ settings, recent, outcomes, documentUrl: documentUrl(), unmatched: await unmatchedDocuments(db), ...(await actingOf(request)) }));
  });

  app.post('/sandbox/punchouts', async (request, reply) => {
    const form = new URLSearchParams(pairsFromUrlencoded(bodyText(request.body)));
    const { settings, problems } = settingsFromForm(form, config.baseUrl);
    if (problems.length > 0) {
      return sendHtml(reply, 400, startPage({ settings, recent: await recentPunchouts(db), problems, documentUrl: documentUrl(), unmatched: await unmatchedDocuments(db), ...(await actingOf(request)) }));
    }
    const origin = sandboxOrigin(request, config);
    const id = randomToken(18);
    const at = now();
    // Whoever starts the punchout requests its cart, whatever cookie the cart comes back with.
    const starter = await actingPerson(db, request).catch((e: unknown) => {
      if (e instanceof ProcurementError) return undefined; // nobody in the sandbox yet
      throw e;
    });

    if (settings.protocol === 'oci') {
      const returnUrl = `${origin}${punchoutPath(id)}/oci-return`;
      const info: PunchoutRequestInfo = { settings, origin, returnUrl, returns: 0, cartWarnings: [], ...(starter ? { startedBy: starter.id } : {}) };
      await insertPunchout(db, { id, protocol: 'oci', supplierUrl: settings.ociUrl, buyerCookie: null, framed: settings.framed, info, now: at });
      const p = (await findPunchout(db, id))!;
      const acting = (await actingOf(request)).acting;
      return sendHtml(reply, 200, settings.framed ? framedShopPage(p, `${punchoutPath(id)}/oci-call`, acting) : ociCallPage(p, ociCallForm(settings, returnUrl), acting));
    }

    // cXML: the setup request goes server to server; only the StartPage reaches the browser.
    const returnUrl = `${origin}${punchoutPath(id)}/cxml-return`;
    const buyerCookie = `SBX-${randomToken(12)}`;
    const ctx: WriteContext = { payloadID: newPayloadId(new URL(origin).hostname, at, () => randomToken(9)), timestamp: at, version: settings.cxmlVersion };
    // The shop greets the person acting in the sandbox (the requester the cart's requisition gets).
    const user = buyerUser(starter ?? (await actingPerson(db, request)));
    const setupInput = {
      operation: 'create' as const,
      buyerCookie,
      extrinsics: user.extrinsics,
      browserFormPostUrl: returnUrl,
      contacts: [user.contact],
    };
    let xml: string;
    let shownXml: string;
    try {
      xml = writePunchOutSetupRequest(ctx, cxmlHeader(settings), setupInput);
      shownXml = writePunchOutSetupRequest(ctx, shownCxmlHeader(settings), setupInput);
    } catch (e) {
      if (!(e instanceof CxmlWriteError)) throw e;
      const problem = { field: 'cxmlVersion', message: `The setup request could not be written: ${e.message}` };
      return sendHtml(reply, 400, startPage({ settings, recent: await recentPunchouts(db), problems: [problem], ...(await actingOf(request)) }));
    }
    const base: PunchoutRequestInfo = {
      settings,
      origin,
      returnUrl,
      returns: 0,
      cartWarnings: [],
      ...(starter ? { startedBy: starter.id } : {}),
      setup: { payloadID: ctx.payloadID, requestXml: shownXml, at: at.toISOString() },
    };
    await insertPunchout(db, { id, protocol: 'cxml', supplierUrl: settings.cxmlUrl, buyerCookie, framed: settings.framed, info: base, now: at });

    const result = await postCxmlDocument(fetchFn, settings.cxmlUrl, xml);
    const startPageUrl = result.startPageUrl?.trim();
    let error = result.error;
    if (!error) {
      if (result.httpStatus !== 200) error = `The supplier answered HTTP ${result.httpStatus}; a cXML answer comes with HTTP 200.`;
      else if (result.status && (result.status.code < 200 || result.status.code > 299)) {
        error = `The supplier refused the setup request: cXML ${result.status.code} ${result.status.text}.`;
      } else if (!startPageUrl) error = 'The answer has no PunchOutSetupResponse/StartPage/URL.';
      else if (!isHttpUrl(startPageUrl)) error = `The StartPage URL is not an http(s) URL: ${startPageUrl}`;
    }
    const info: PunchoutRequestInfo = {
      ...base,
      setup: { ...base.setup!, ...exchangeOf(result, ctx.payloadID, now()), ...(startPageUrl ? { startPageUrl } : {}), ...(error ? { error } : {}) },
    };
    await saveSetupOutcome(db, id, error ? 'failed' : 'started', info, now());
    const p = (await findPunchout(db, id))!;
    if (error) return sendHtml(reply, 502, punchoutPage({ punchout: p, notice: { kind: 'error', text: 'The supplier did not open a punchout; the setup request and the answer are below.' }, ...(await actingOf(request)) }));
    if (settings.framed) return sendHtml(reply, 200, framedShopPage(p, startPageUrl!, (await actingOf(request)).acting));
    return reply.code(303).header('Location', startPageUrl!).header('Cache-Control', 'no-store').send();
  });

  app.get<IdParams>('/sandbox/punchouts/:id', async (request, reply) => {
    const p = await load(request, reply);
    if (!p) return reply;
    return sendHtml(reply, 200, await pageOf(p, request));
  });

  app.get<IdParams>('/sandbox/punchouts/:id/shop', async (request, reply) => {
    const p = await load(request, reply);
    if (!p) return reply;
    if (p.protocol === 'oci') {
      const acting = (await actingOf(request)).acting;
      return sendHtml(reply, 200, p.framed ? framedShopPage(p, `${punchoutPath(p.id)}/oci-call`, acting) : ociCallPage(p, ociCallForm(p.info.settings, p.info.returnUrl), acting));
    }
    const start = p.info.setup?.startPageUrl;
    if (!start) return sendHtml(reply, 409, punchoutPage({ punchout: p, notice: { kind: 'error', text: 'This punchout has no start page: the setup request did not succeed. Start another punchout.' }, ...(await actingOf(request)) }));
    if (p.framed) return sendHtml(reply, 200, framedShopPage(p, start, (await actingOf(request)).acting));
    return reply.code(303).header('Location', start).send();
  });

  app.get<IdParams>('/sandbox/punchouts/:id/oci-call', async (request, reply) => {
    const p = await load(request, reply);
    if (!p) return reply;
    if (p.protocol !== 'oci') return sendHtml(reply, 409, punchoutPage({ punchout: p, notice: { kind: 'error', text: 'This is a cXML punchout; it has no OCI call.' }, ...(await actingOf(request)) }));
    return sendHtml(reply, 200, ociCallPage(p, ociCallForm(p.info.settings, p.info.returnUrl), (await actingOf(request)).acting));
  });

  app.post<IdParams>('/sandbox/punchouts/:id/oci-return', async (request, reply) => {
    const p = await load(request, reply);
    if (!p) return reply;
    const refused = refuseReturn(p, 'oci', await requisitionRowOf(p.id), (await actingOf(request)).acting);
    if (refused) return sendHtml(reply, 409, refused);
    const wrongType = notUrlencoded(request);
    if (wrongType) {
      const kept = await storeCart(p, 'invalid', bodyText(request.body).slice(0, 200_000), 'oci', null, [wrongType], undefined);
      return afterReturn(p, reply, request, kept);
    }
    // `auto`: old Latin-1 SAP-style shops send %E4 for ä; such values are read as ISO-8859-1.
    const pairs = pairsFromUrlencoded(bodyText(request.body), 'auto');
    const read = readOciCartForm(pairs);
    const cart = cartFromOciLines(read.lines);
    const status: PunchoutStatus = cart.lines.length === 0 ? 'cancelled' : 'returned';
    const kept = await storeCart(p, status, JSON.stringify(pairs), 'oci', cart, [...read.warnings, ...cart.warnings], undefined);
    return afterReturn(p, reply, request, kept);
  });

  app.post<IdParams>('/sandbox/punchouts/:id/cxml-return', async (request, reply) => {
    const p = await load(request, reply);
    if (!p) return reply;
    const refused = refuseReturn(p, 'cxml', await requisitionRowOf(p.id), (await actingOf(request)).acting);
    if (refused) return sendHtml(reply, 409, refused);
    const body = bodyText(request.body);
    const wrongType = notUrlencoded(request);
    if (wrongType) {
      const kept = await storeCart(p, 'invalid', body.slice(0, 200_000), 'cxml', null, [wrongType], undefined);
      return afterReturn(p, reply, request, kept);
    }
    const received = cxmlFromForm(pairsFromUrlencoded(body));
    if (received.xml === undefined) {
      const kept = await storeCart(p, 'invalid', body, 'cxml', null, received.warnings, undefined);
      return afterReturn(p, reply, request, kept);
    }
    const warnings = [...received.warnings];
    let status: PunchoutStatus = 'invalid';
    let cart: NormalisedCart | null = null;
    let cookieMismatch: PunchoutRequestInfo['cookieMismatch'];
    try {
      const { envelope, warnings: readWarnings } = readCxml(received.xml);
      warnings.push(...readWarnings.map((w) => (w.path ? `${w.path}: ${w.message}` : w.message)));
      const poom = envelope.payload;
      if (poom.kind !== 'PunchOutOrderMessage') {
        warnings.unshift(`The document is a ${poom.kind === 'Other' ? poom.name : poom.kind}, not a PunchOutOrderMessage.`);
      } else {
        if (p.buyerCookie !== null && poom.buyerCookie !== p.buyerCookie) cookieMismatch = { sent: p.buyerCookie, received: poom.buyerCookie };
        cart = cartFromPunchOutOrderMessage(poom);
        warnings.push(...cart.warnings);
        const cancelled = poom.status?.code === 204 || poom.items.length === 0;
        if (poom.status?.code === 204 && poom.items.length > 0) warnings.push('The cart has Status 204 (no change) and items; the items are ignored.');
        status = cancelled ? 'cancelled' : 'returned';
        if (cancelled) cart = { ...cart, lines: [], total: null, currency: null };
      }
    } catch (e) {
      if (!(e instanceof CxmlError)) throw e;
      warnings.unshift(`The cart is not readable cXML (${e.code} ${statusText(e.code)}): ${e.message}`);
    }
    const kept = await storeCart(p, status, received.xml, 'cxml', cart, warnings, cookieMismatch);
    return afterReturn(p, reply, request, kept);
  });

  // Kept for scripts written before requisitions: the cart's requisition is submitted (approval
  // rules apply; below every threshold it is ordered at once) and the browser goes to it.
  app.post<IdParams>('/sandbox/punchouts/:id/order', async (request, reply) => {
    const p = await load(request, reply);
    if (!p) return reply;
    const earlier = await requisitionRowOf(p.id);
    // Idempotent from the browser's view: a submitted requisition is only shown again.
    if (earlier && earlier.status !== 'draft') return seeOther(reply, requisitionPath(earlier.id));
    if (!p.cartLines || p.cartLines.length === 0 || p.cartRaw === null || p.status !== 'returned') {
      return sendHtml(reply, 409, await pageOf(p, request, { kind: 'error', text: 'There is no cart to order yet: finish the punchout in the supplier shop first.' }));
    }
    const actor = await actorOf(request);
    try {
      const requisition = await requisitionForPunchout(procurement, p.id, actor);
      await submitRequisition(procurement, requisition.id, actor);
      return seeOther(reply, requisitionPath(requisition.id));
    } catch (e) {
      if (!(e instanceof ProcurementError)) throw e;
      const now = await requisitionRowOf(p.id);
      // A second press that lost the race: the first one submitted it.
      if (now && now.status !== 'draft') return seeOther(reply, requisitionPath(now.id));
      return sendHtml(reply, e.status, await pageOf(p, request, { kind: 'error', text: e.message }));
    }
  });

  /** A cart may not replace one that already became an order: the page would no longer match it. */
  function refuseReturn(p: SandboxPunchout, protocol: 'oci' | 'cxml', submitted: { status: string } | undefined, acting: ActingAs | undefined): Html | undefined {
    if (p.protocol !== protocol) {
      return punchoutPage({ punchout: p, ...(acting ? { acting } : {}), notice: { kind: 'error', text: `A ${protocol === 'oci' ? 'OCI' : 'cXML'} cart arrived for a ${p.protocol === 'oci' ? 'OCI' : 'cXML'} punchout; it was not stored. Check the return URL the supplier posts to.` } });
    }
    if (p.orderStatus !== null || (submitted !== undefined && submitted.status !== 'draft')) {
      return punchoutPage({ punchout: p, ...(acting ? { acting } : {}), notice: { kind: 'error', text: 'A cart arrived for a punchout whose requisition was already submitted; it was not stored. Start another punchout to order again.' } });
    }
    return undefined;
  }

  /**
   * Stores a returned cart. Once the punchout has a requisition, its order is built from the
   * stored cart: a later cart that would not replace the requisition's lines (cancelled, invalid,
   * unusable) is not stored; only the warnings say what came. False then.
   */
  async function storeCart(
    p: SandboxPunchout,
    status: PunchoutStatus,
    raw: string,
    format: 'oci' | 'cxml',
    cart: NormalisedCart | null,
    warnings: string[],
    cookieMismatch: PunchoutRequestInfo['cookieMismatch'],
  ): Promise<boolean> {
    const requisition = await requisitionRowOf(p.id);
    if (requisition && p.cartRaw !== null) {
      const why =
        status === 'cancelled'
          ? 'it is empty or cancelled (no items, or Status 204).'
          : status !== 'returned' || !cart
            ? 'it is not a readable cart.'
            : cartProblem(cart.lines);
      if (why) {
        await keepEarlierCart(p, [`A later cart was not stored: ${why} Requisition ${requisition.number} keeps the cart it was made from (below).`, ...warnings.map((w) => `Later cart: ${w}`)], raw);
        return false;
      }
    }
    // The browser lands on the punchout page then: it says why no requisition was made.
    const unusable = status === 'returned' && cart ? cartProblem(cart.lines) : undefined;
    if (unusable) warnings = [`This cart cannot become a requisition: ${unusable} Fix the cart in the supplier's shop and transfer it again.`, ...warnings];
    const { cookieMismatch: _earlier, ...rest } = p.info;
    const info: PunchoutRequestInfo = { ...rest, returns: p.info.returns + 1, cartWarnings: warnings, ...(cookieMismatch ? { cookieMismatch } : {}) };
    await saveCart(db, p.id, { status, info, raw, format, lines: cart?.lines ?? null, total: cart?.total ?? null, currency: cart?.currency ?? null }, now());
    return true;
  }

  /** Puts back the cart `p` held, with notes about a later cart that was received but not kept (an excerpt of it included). */
  async function keepEarlierCart(p: SandboxPunchout, notes: string[], received: string): Promise<void> {
    const excerpt = received.length > 4000 ? `${received.slice(0, 4000)} …` : received;
    const info: PunchoutRequestInfo = { ...p.info, returns: p.info.returns + 1, cartWarnings: [...notes, `Later cart as received: ${excerpt}`, ...p.info.cartWarnings] };
    await saveCart(db, p.id, { status: p.status, info, raw: p.cartRaw!, format: p.cartFormat ?? p.protocol, lines: p.cartLines, total: p.cartTotal, currency: p.currency }, now());
  }

  /**
   * After a cart came back: a usable cart becomes (or updates) the punchout's draft requisition and
   * the browser goes there; an invalid or cancelled cart stays on the punchout page. Framed shops
   * post the cart inside the frame: the whole window is moved; otherwise a plain redirect.
   */
  async function afterReturn(p: SandboxPunchout, reply: FastifyReply, request: FastifyRequest, kept = true): Promise<FastifyReply> {
    let stored = (await findPunchout(db, p.id))!;
    let target = punchoutPath(p.id);
    if (kept && stored.status === 'returned') {
      try {
        const requisition = await requisitionForPunchout(procurement, p.id, await actorOf(request));
        target = requisitionPath(requisition.id);
      } catch (e) {
        // The cart is kept whatever it holds (a hostile or incomplete cart may not make a
        // requisition); the punchout page shows it, its warnings and the requisition's state.
        request.log[e instanceof ProcurementError ? 'info' : 'warn']({ err: e, punchout: p.id }, 'no requisition for the returned cart');
        // But a requisition made from the earlier cart (submitted meanwhile) keeps that cart.
        const requisition = await requisitionRowOf(p.id);
        if (requisition && p.cartRaw !== null) {
          const reason = e instanceof ProcurementError ? e.message : 'the requisition could not take it.';
          await keepEarlierCart(p, [`A later cart was not stored: ${reason} Requisition ${requisition.number} keeps the cart it was made from (below).`], stored.cartRaw ?? '');
          stored = (await findPunchout(db, p.id))!;
        }
      }
    }
    if (p.framed) return sendHtml(reply, 200, topRedirectPage(stored, target));
    return seeOther(reply, target);
  }

  /** The punchout's requisition row, when its cart became one. */
  async function requisitionRowOf(punchoutId: string): Promise<{ id: string; number: string; status: string; po_id: string | null } | undefined> {
    return db.selectFrom('sandbox_requisitions').select(['id', 'number', 'status', 'po_id']).where('punchout_id', '=', punchoutId).executeTakeFirst();
  }

  async function actorOf(request: FastifyRequest): Promise<SandboxActor> {
    return `person:${(await actingPerson(db, request)).id}`;
  }

  /**
   * The person acting, for the page header ("Acting as …"); none when the sandbox has no people
   * yet (the header then offers to choose).
   */
  async function actingOf(request: FastifyRequest): Promise<{ acting?: ActingAs }> {
    try {
      const person = await actingPerson(db, request);
      return { acting: { name: person.name, roles: person.roles } };
    } catch (e) {
      if (e instanceof ProcurementError) return {};
      throw e;
    }
  }

  /** What the punchout's cart became: its requisition and purchase order (in the state the order's page shows). */
  async function outcomeOf(p: SandboxPunchout): Promise<PunchoutOutcome> {
    const r = await requisitionRowOf(p.id);
    const poRow = r?.po_id
      ? await db.selectFrom('sandbox_purchase_orders').select(['id', 'order_id', 'status']).where('id', '=', r.po_id).executeTakeFirst()
      : await db.selectFrom('sandbox_purchase_orders').select(['id', 'order_id', 'status']).where('punchout_id', '=', p.id).orderBy('created_at', 'desc').executeTakeFirst();
    return {
      ...(r ? { requisition: { id: r.id, number: r.number, status: r.status } } : {}),
      ...(poRow ? { purchaseOrder: { id: poRow.id, orderId: poRow.order_id, status: (await shownStatusOf(db, poRow.id)) ?? poRow.status } } : {}),
    };
  }

  /** The punchout page with its requisition and purchase order. */
  async function pageOf(p: SandboxPunchout, request: FastifyRequest, notice?: PunchoutPageView['notice']): Promise<Html> {
    return punchoutPage({
      punchout: p,
      ...(notice ? { notice } : {}),
      ...(await outcomeOf(p)),
      ...(await actingOf(request)),
    });
  }
}

function requisitionPath(id: string): string {
  return `/sandbox/requisitions/${encodeURIComponent(id)}`;
}

// ---- helpers ------------------------------------------------------------------------------------

/** Browser form posts are urlencoded; a multipart cart would be misread as one garbage pair. */
function notUrlencoded(request: FastifyRequest): string | undefined {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === '' || type === 'application/x-www-form-urlencoded') return undefined;
  return `The cart was posted as ${type}; a browser form post of a cart must be application/x-www-form-urlencoded (no enctype on the form).`;
}

/**
 * The origin the browser used to reach the sandbox (scheme + Host): return URLs must lead back to
 * this very origin, which may differ from the supplier's (127.0.0.1 vs localhost makes a framed
 * shop truly cross-site). A Host that is not a plain host[:port] falls back to the base URL.
 */
export function sandboxOrigin(request: FastifyRequest, config: KoppelConfig): string {
  const host = request.host ?? request.headers.host;
  const proto = request.protocol === 'https' ? 'https' : 'http';
  if (host && /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host)) return `${proto}://${host}`;
  return new URL(config.baseUrl).origin;
}

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * The POOM from a BrowserFormPost form: `cXML-base64` first, then `cXML-urlencoded`, names
 * matched case-insensitively (cxml.md §3.4).
 */
export function cxmlFromForm(pairs: readonly (readonly [string, string])[]): { xml?: string; field?: string; warnings: string[] } {
  const warnings: string[] = [];
  const find = (name: string) => pairs.find(([n]) => n.trim().toLowerCase() === name);
  const b64 = find('cxml-base64');
  if (b64) {
    let value = b64[1];
    // An unencoded `+` arrives as a space; base64 never contains spaces, so they can be put back.
    if (value.includes(' ')) {
      warnings.push(`The ${b64[0]} value contained spaces (a "+" the supplier did not URL-encode?); they were read as "+".`);
      value = value.replace(/ /g, '+');
    }
    value = value.replace(/[\r\n\t]/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) && !/^[A-Za-z0-9_-]*={0,2}$/.test(value)) {
      return { field: b64[0], warnings: [...warnings, `The ${b64[0]} field is not base64.`] };
    }
    return { xml: xmlBytesToText(Buffer.from(value, 'base64')), field: b64[0], warnings };
  }
  const plain = find('cxml-urlencoded');
  if (plain) return { xml: plain[1], field: plain[0], warnings };
  const names = pairs.map(([n]) => n).slice(0, 20);
  return {
    warnings: [`The form has neither a cXML-base64 nor a cXML-urlencoded field${names.length > 0 ? ` (fields received: ${names.join(', ')})` : ' (it was empty)'}.`],
  };
}

/** Bytes of an XML document → text, honouring a BOM or the declared encoding (UTF-8 otherwise). */
function xmlBytesToText(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const head = bytes.subarray(0, 256).toString('latin1');
  const declared = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/.exec(head)?.[1];
  try {
    return new TextDecoder(declared ?? 'utf-8').decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}
