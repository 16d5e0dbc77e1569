/**
 * A deliberately broken punchout supplier for the conformance tests (node:http, no framework).
 * It behaves like a real shop — OCI call and cXML setup, a page with "Add to cart", "Transfer
 * cart" and "Cancel punchout" — and gets exactly four things wrong:
 *
 *   OCI:  NEW_ITEM-DESCRIPTION[1] is 41 characters, NEW_ITEM-UNIT[1] is "STK" (an SAP-internal
 *         code, not UN/ECE Rec 20), and the lead time is sent as NEW_ITEM-LEADTIM[1].
 *   cXML: the BuyerCookie of a transferred cart is not the one the setup request sent.
 *
 * Everything else (HOOK_URL as is, target, echoes, DTD, totals, cancel) is right, so the runner
 * must report those four findings and nothing else.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { pairsFromUrlencoded } from '../../src/protocol/oci/form-encoding.js';
import { escapeHtml } from '../../src/protocol/oci/html.js';
import { readCxml } from '../../src/protocol/cxml/reader.js';
import { toBase64Field, writePunchOutOrderMessage, writePunchOutSetupResponse, writeStatusResponse } from '../../src/protocol/cxml/writer.js';

export const BROKEN_DESCRIPTION = 'Fake stapler with forty-one characters ok';

interface Session {
  protocol: 'oci' | 'cxml';
  returnUrl: string;
  target: string;
  echo: [string, string][];
  buyerCookie: string;
  operation: string;
  items: number;
}

export interface BrokenSupplier {
  baseUrl: string;
  ociUrl: string;
  cxmlUrl: string;
  /** Method of every OCI call received, in order. */
  ociCalls: string[];
  close(): Promise<void>;
}

export async function startBrokenSupplier(): Promise<BrokenSupplier> {
  const sessions = new Map<string, Session>();
  const ociCalls: string[] = [];
  const server: Server = createServer((req, res) => {
    void handle(req)
      .then(({ status, type, body, location }) => {
        res.writeHead(status, { 'content-type': type, ...(location ? { location } : {}) });
        res.end(body);
      })
      .catch((e: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(e.message);
      });
  });

  async function handle(req: IncomingMessage): Promise<{ status: number; type: string; body: string; location?: string }> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = await text(req);
    const html = (b: string) => ({ status: 200, type: 'text/html; charset=utf-8', body: b });

    if (url.pathname === '/oci') {
      const pairs = [...pairsFromUrlencoded(url.search.slice(1)), ...pairsFromUrlencoded(body)];
      const get = (n: string) => pairs.find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1];
      if (get('USERNAME') !== 'buyer' || get('PASSWORD') !== 'secret') return { status: 401, type: 'text/plain', body: 'wrong login' };
      ociCalls.push(req.method ?? '');
      const id = newId();
      sessions.set(id, {
        protocol: 'oci',
        returnUrl: get('HOOK_URL') ?? '',
        // `fake-target` in the catalog URL makes the fake ignore the buyer's target (a fifth mistake, on request).
        target: url.searchParams.get('fake-target') || get('returntarget') || get('~TARGET') || '_top',
        echo: pairs.filter(([k]) => ['~okcode', '~target', '~caller'].includes(k.toLowerCase())),
        buyerCookie: '',
        operation: 'create',
        items: 0,
      });
      return { status: 303, type: 'text/plain', body: '', location: `/shop/${id}` };
    }

    if (url.pathname === '/cxml' && req.method === 'POST') {
      const { envelope } = readCxml(body);
      const p = envelope.payload;
      const now = new Date();
      if (p.kind !== 'PunchOutSetupRequest') return { status: 200, type: 'text/xml', body: writeStatusResponse({ payloadID: payloadId(), timestamp: now, version: '1.2.014' }, { code: 450 }) };
      const id = newId();
      sessions.set(id, { protocol: 'cxml', returnUrl: p.browserFormPostUrl ?? '', target: '_self', echo: [], buyerCookie: p.buyerCookie, operation: p.operation, items: 0 });
      const host = req.headers.host ?? '127.0.0.1';
      return { status: 200, type: 'text/xml; charset=utf-8', body: writePunchOutSetupResponse({ payloadID: payloadId(), timestamp: now, version: '1.2.014' }, { startPageUrl: `http://${host}/shop/${id}` }) };
    }

    const shop = /^\/shop\/([A-Za-z0-9_-]+)(?:\/(add|transfer|cancel))?$/.exec(url.pathname);
    const s = shop ? sessions.get(shop[1]!) : undefined;
    if (!shop || !s) return { status: 404, type: 'text/plain', body: 'not found' };
    const id = shop[1]!;
    const action = shop[2];
    if (action === 'add' && s.operation !== 'inspect') {
      s.items++;
      return { status: 303, type: 'text/plain', body: '', location: `/shop/${id}` };
    }
    if (action === 'transfer' || action === 'cancel') {
      const cancel = action === 'cancel';
      sessions.delete(id);
      return html(s.protocol === 'oci' ? ociReturn(s, cancel) : cxmlReturn(s, cancel));
    }
    const readOnly = s.operation === 'inspect';
    return html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fake shop</title></head><body>
<h1>Fake shop</h1><p>${s.items} item${s.items === 1 ? '' : 's'} in cart</p>
${readOnly ? '' : `<form method="post" action="/shop/${id}/add"><button>Add to cart</button></form>`}
${readOnly || s.items === 0 ? '' : `<form method="post" action="/shop/${id}/transfer"><button>Transfer cart</button></form>`}
<form method="post" action="/shop/${id}/cancel"><button>Cancel punchout</button></form>
</body></html>`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    baseUrl,
    ociUrl: `${baseUrl}/oci`,
    cxmlUrl: `${baseUrl}/cxml`,
    ociCalls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function autoPost(action: string, target: string, fields: [string, string][]): string {
  const inputs = fields.map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Returning</title></head><body>
<form id="f" method="post" action="${escapeHtml(action)}" target="${escapeHtml(target)}" accept-charset="UTF-8">${inputs}</form>
<script>document.getElementById('f').submit();</script></body></html>`;
}

function ociReturn(s: Session, cancel: boolean): string {
  const fields: [string, string][] = cancel
    ? []
    : [
        ['NEW_ITEM-DESCRIPTION[1]', BROKEN_DESCRIPTION],
        ['NEW_ITEM-QUANTITY[1]', `${s.items}.000`],
        ['NEW_ITEM-UNIT[1]', 'STK'],
        ['NEW_ITEM-PRICE[1]', '9.900'],
        ['NEW_ITEM-CURRENCY[1]', 'EUR'],
        ['NEW_ITEM-VENDORMAT[1]', 'FAKE-1'],
        ['NEW_ITEM-LEADTIM[1]', '2'],
      ];
  return autoPost(s.returnUrl, s.target, [...fields, ...s.echo]);
}

function cxmlReturn(s: Session, cancel: boolean): string {
  const now = new Date();
  const price = new Decimal('9.90');
  const quantity = new Decimal(cancel ? 0 : Math.max(s.items, 1));
  const xml = writePunchOutOrderMessage(
    { payloadID: payloadId(), timestamp: now, version: '1.2.014' },
    {
      from: { credentials: [{ domain: 'DUNS', identity: 'fake-supplier' }] },
      to: { credentials: [{ domain: 'DUNS', identity: 'buyer' }] },
      sender: { credentials: [{ domain: 'DUNS', identity: 'fake-supplier' }], userAgent: 'Fake supplier' },
    },
    {
      // The one thing wrong: the cart of a transfer carries another BuyerCookie.
      buyerCookie: cancel ? s.buyerCookie : `${s.buyerCookie}-changed`,
      operationAllowed: 'inspect',
      total: { amount: cancel ? new Decimal(0) : price.times(quantity), currency: 'EUR' },
      items: cancel
        ? []
        : [
            {
              quantity,
              lineNumber: 1,
              itemID: { supplierPartID: 'FAKE-1', supplierPartAuxiliaryID: 'a1' },
              itemDetail: {
                unitPrice: { amount: price, currency: 'EUR' },
                descriptions: [{ lang: 'en', text: 'Fake stapler' }],
                unitOfMeasure: 'EA',
                classifications: [{ domain: 'UNSPSC', code: '44121615' }],
              },
            },
          ],
    },
  );
  return autoPost(s.returnUrl, s.target, [['cXML-base64', toBase64Field(xml)]]);
}

function newId(): string {
  return randomBytes(12).toString('base64url');
}

function payloadId(): string {
  return `${Date.now()}.${randomBytes(4).toString('hex')}@fake-supplier`;
}

async function text(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The shop script for the fake (the runner's --script format). */
export const BROKEN_SUPPLIER_SCRIPT = {
  add: [{ click: { role: 'button', name: 'Add to cart' } }, { waitFor: { text: '1 item in cart' } }],
  transfer: [{ click: { role: 'button', name: 'Transfer cart' } }],
  cancel: [{ click: { role: 'button', name: 'Cancel punchout' } }],
};
