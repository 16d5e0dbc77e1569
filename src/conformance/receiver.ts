/**
 * The buyer's side of a conformance run: a small HTTP listener on 127.0.0.1 with a port the
 * system picks. It serves the pages the buyer's browser starts from (the OCI call form, the
 * frame around the shop) and is the HOOK_URL / BrowserFormPost URL the supplier posts carts to.
 * Every returned form is kept raw — bytes, method, path and query — for the checks to judge.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

/** Larger carts than this are not a conformance question; the post is cut off. */
const MAX_BODY_BYTES = 20 * 1024 * 1024;

export interface RawReturn {
  method: string;
  /** Path and query exactly as requested. */
  url: string;
  contentType: string;
  body: Buffer;
}

export interface ReturnSlot {
  /** Absolute URL to give the supplier (HOOK_URL, BrowserFormPost URL). */
  url: string;
  /** Its path and query, as the request line must carry it. */
  pathAndQuery: string;
  /** The first post to this slot, or undefined after `timeoutMs`. */
  wait(timeoutMs: number): Promise<RawReturn | undefined>;
  /** Posts received so far. */
  received(): RawReturn[];
}

export interface Receiver {
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /**
   * A fresh return address. `query` is appended as given: real HOOK_URLs carry their own query
   * (`sap-client=…`, Coupa's `?id=N`), and the supplier must post to the URL as is.
   */
  returnSlot(label: string, query?: string): ReturnSlot;
  /** Serves `html` at a fresh URL (the buyer's pages). */
  page(html: string): string;
  close(): Promise<void>;
}

const RECEIVED_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cart received</title></head>
<body><h1>Cart received</h1><p>The Koppel conformance runner received the returned cart.</p></body></html>`;

export async function startReceiver(): Promise<Receiver> {
  const slots = new Map<string, { posts: RawReturn[]; waiters: ((r: RawReturn) => void)[] }>();
  const pages = new Map<string, string>();
  const token = () => randomBytes(9).toString('base64url');

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    const pageMatch = /^\/page\/([A-Za-z0-9_-]+)$/.exec(path);
    if (pageMatch && req.method === 'GET') {
      const html = pages.get(pageMatch[1]!);
      if (html === undefined) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no such page');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(html);
    }
    const returnMatch = /^\/return\/([A-Za-z0-9_-]+)$/.exec(path);
    const slot = returnMatch ? slots.get(returnMatch[1]!) : undefined;
    if (!slot) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not a return address of this run');
    const body = await readBody(req);
    const raw: RawReturn = { method: req.method ?? 'GET', url, contentType: String(req.headers['content-type'] ?? ''), body };
    // A GET "post" carries the form in the query: keep the request line as the body too.
    if (raw.method === 'GET') raw.body = Buffer.from(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '', 'latin1');
    slot.posts.push(raw);
    for (const w of slot.waiters.splice(0)) w(raw);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(RECEIVED_PAGE);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    returnSlot(label, query) {
      const id = `${label.replace(/[^A-Za-z0-9_-]/g, '')}-${token()}`;
      const state = { posts: [] as RawReturn[], waiters: [] as ((r: RawReturn) => void)[] };
      slots.set(id, state);
      const pathAndQuery = `/return/${id}${query ? `?${query}` : ''}`;
      return {
        url: `${baseUrl}${pathAndQuery}`,
        pathAndQuery,
        received: () => [...state.posts],
        wait(timeoutMs) {
          if (state.posts[0]) return Promise.resolve(state.posts[0]);
          return new Promise((resolve) => {
            const timer = setTimeout(() => resolve(undefined), timeoutMs);
            state.waiters.push((r) => {
              clearTimeout(timer);
              resolve(r);
            });
          });
        },
      };
    },
    page(html) {
      const id = token();
      pages.set(id, html);
      return `${baseUrl}/page/${id}`;
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
