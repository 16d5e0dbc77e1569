/**
 * Driving a supplier's shop in a real browser (Debian's Chromium through playwright-core, never a
 * downloaded one): the shop script format, Koppel's own script, and the helpers that open the
 * shop the way a buyer does (full window or inside an iframe) and note which window a returned
 * cart arrives in.
 *
 * A shop script is JSON with three step lists — `add` (fill the cart), `transfer` (send it),
 * `cancel` (leave without items). Steps find elements the way a person does, by role and
 * accessible name, label or visible text:
 *
 *   { "add": [ { "fill": { "role": "searchbox", "name": "Search" }, "value": "pen" },
 *              { "click": { "role": "button", "name": "Add to cart", "nth": 0 } } ],
 *     "transfer": [ { "click": { "text": "Checkout" } } ],
 *     "cancel": [ { "click": { "role": "link", "name": "Back to procurement" } } ] }
 */
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import type { ArrivalFrame } from './checks.js';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

export interface Locate {
  role?: string;
  name?: string;
  /** Match the accessible name / text exactly (default: substring, case-insensitive). */
  exact?: boolean;
  label?: string;
  text?: string;
  css?: string;
  /** Which match when several (default the first). */
  nth?: number;
}

export type Step =
  | { goto: string }
  | { click: Locate }
  | { fill: Locate; value: string }
  | { select: Locate; value: string }
  | { check: Locate }
  | { waitFor: Locate };

export interface ShopScript {
  add: Step[];
  transfer: Step[];
  cancel: Step[];
}

/**
 * Koppel's storefront (names from src/web/views/shop.ts): two products found by search — paper
 * cups (their text carries ®) and a ballpoint pen whose name is longer than OCI's 40 characters.
 */
export const KOPPEL_SCRIPT: ShopScript = {
  add: [
    { fill: { role: 'searchbox', name: 'Search products' }, value: 'Paper cups, 200 ml' },
    { click: { role: 'button', name: 'Search', exact: true } },
    { fill: { role: 'spinbutton', name: 'Quantity for', nth: 0 }, value: '2' },
    { click: { role: 'button', name: 'Add to cart', nth: 0 } },
    { waitFor: { role: 'link', name: 'Cart · 1 item' } },
    { fill: { role: 'searchbox', name: 'Search products' }, value: 'Ballpoint pen, stick, blue' },
    { click: { role: 'button', name: 'Search', exact: true } },
    { click: { role: 'button', name: 'Add to cart', nth: 0 } },
    { waitFor: { role: 'link', name: 'Cart · 2 items' } },
  ],
  transfer: [{ click: { role: 'link', name: 'Cart ·', nth: 0 } }, { click: { role: 'button', name: 'Transfer cart' } }],
  cancel: [{ click: { role: 'button', name: 'Cancel punchout' } }],
};

export class ScriptError extends Error {
  override name = 'ScriptError';
}

const LOCATE_KEYS = new Set(['role', 'name', 'exact', 'label', 'text', 'css', 'nth']);
const STEP_KINDS = ['goto', 'click', 'fill', 'select', 'check', 'waitFor'] as const;

/** Validates a script read from JSON; errors name the step. */
export function parseScript(data: unknown): ShopScript {
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new ScriptError('a shop script is a JSON object with "add", "transfer" and "cancel" step lists');
  const obj = data as Record<string, unknown>;
  const out: ShopScript = { add: [], transfer: [], cancel: [] };
  for (const key of Object.keys(obj)) if (!(key in out)) throw new ScriptError(`unknown key "${key}" in the shop script (expected add, transfer, cancel)`);
  for (const phase of ['add', 'transfer', 'cancel'] as const) {
    const list = obj[phase];
    if (!Array.isArray(list) || list.length === 0) throw new ScriptError(`"${phase}" must be a non-empty list of steps`);
    out[phase] = list.map((s, i) => parseStep(s, `${phase}[${i}]`));
  }
  return out;
}

function parseStep(s: unknown, where: string): Step {
  if (!s || typeof s !== 'object' || Array.isArray(s)) throw new ScriptError(`${where}: a step is an object such as {"click": {"role": "button", "name": "Add"}}`);
  const o = s as Record<string, unknown>;
  const kinds = STEP_KINDS.filter((k) => k in o);
  if (kinds.length !== 1) throw new ScriptError(`${where}: a step has exactly one of ${STEP_KINDS.join(', ')}`);
  const kind = kinds[0]!;
  if (kind === 'goto') {
    if (typeof o.goto !== 'string' || o.goto === '') throw new ScriptError(`${where}: "goto" needs a URL or path`);
    return { goto: o.goto };
  }
  const target = parseLocate(o[kind], where);
  if (kind === 'fill' || kind === 'select') {
    if (typeof o.value !== 'string') throw new ScriptError(`${where}: "${kind}" needs a "value" string`);
    return kind === 'fill' ? { fill: target, value: o.value } : { select: target, value: o.value };
  }
  return kind === 'click' ? { click: target } : kind === 'check' ? { check: target } : { waitFor: target };
}

function parseLocate(l: unknown, where: string): Locate {
  if (!l || typeof l !== 'object' || Array.isArray(l)) throw new ScriptError(`${where}: the element is an object with role/name, label, text or css`);
  const o = l as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!LOCATE_KEYS.has(k)) throw new ScriptError(`${where}: unknown key "${k}" (use role, name, exact, label, text, css, nth)`);
  const out: Locate = {};
  for (const k of ['role', 'name', 'label', 'text', 'css'] as const) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== 'string' || o[k] === '') throw new ScriptError(`${where}: "${k}" must be a non-empty string`);
    out[k] = o[k] as string;
  }
  if (o.exact !== undefined) out.exact = o.exact === true;
  if (o.nth !== undefined) {
    if (typeof o.nth !== 'number' || !Number.isInteger(o.nth) || o.nth < 0) throw new ScriptError(`${where}: "nth" must be a whole number ≥ 0`);
    out.nth = o.nth;
  }
  if (!out.role && !out.label && !out.text && !out.css) throw new ScriptError(`${where}: name the element by role, label, text or css`);
  return out;
}

export function describeLocate(l: Locate): string {
  const parts = [l.role && `${l.role}${l.name ? ` "${l.name}"` : ''}`, l.label && `label "${l.label}"`, l.text && `text "${l.text}"`, l.css && `css ${l.css}`].filter(Boolean);
  return `${parts.join(', ')}${l.nth !== undefined ? ` #${l.nth}` : ''}`;
}

export function describeStep(s: Step): string {
  if ('goto' in s) return `go to ${s.goto}`;
  if ('click' in s) return `click ${describeLocate(s.click)}`;
  if ('fill' in s) return `fill ${describeLocate(s.fill)} with "${s.value}"`;
  if ('select' in s) return `select "${s.value}" in ${describeLocate(s.select)}`;
  if ('check' in s) return `check ${describeLocate(s.check)}`;
  return `wait for ${describeLocate(s.waitFor)}`;
}

export type Shop = Page | FrameLocator;

function locate(shop: Shop, l: Locate): Locator {
  let loc: Locator;
  const exact = l.exact ?? false;
  if (l.role) loc = shop.getByRole(l.role as Parameters<Page['getByRole']>[0], l.name !== undefined ? { name: l.name, exact } : {});
  else if (l.label) loc = shop.getByLabel(l.label, { exact });
  else if (l.text) loc = shop.getByText(l.text, { exact });
  else loc = shop.locator(l.css!);
  return loc.nth(l.nth ?? 0);
}

/** Runs steps in the shop; a failing step throws an error naming it. */
export async function runSteps(page: Page, shop: Shop, steps: readonly Step[], timeoutMs: number, phase: string): Promise<void> {
  for (const [i, step] of steps.entries()) {
    try {
      if ('goto' in step) {
        if (shop === page) await page.goto(new URL(step.goto, page.url()).toString(), { timeout: timeoutMs });
        else {
          // A path is relative to the shop frame's current address.
          const frame = await (await (shop as FrameLocator).owner().elementHandle())?.contentFrame();
          if (!frame) throw new Error('the shop frame has no document');
          await frame.goto(new URL(step.goto, frame.url()).toString(), { timeout: timeoutMs });
        }
      } else if ('click' in step) await locate(shop, step.click).click({ timeout: timeoutMs });
      else if ('fill' in step) await locate(shop, step.fill).fill(step.value, { timeout: timeoutMs });
      else if ('select' in step) await locate(shop, step.select).selectOption(step.value, { timeout: timeoutMs });
      else if ('check' in step) await locate(shop, step.check).check({ timeout: timeoutMs });
      else await locate(shop, step.waitFor).waitFor({ timeout: timeoutMs });
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new ScriptError(`${phase} step ${i + 1} (${describeStep(step)}) failed: ${why}${await whereNow(page, shop)}`);
    }
  }
}

/** Where the shop was when a step failed (a login error page explains more than a timeout). */
async function whereNow(page: Page, shop: Shop): Promise<string> {
  try {
    const frame = shop === page ? page.mainFrame() : await (await (shop as FrameLocator).owner().elementHandle({ timeout: 1000 }))?.contentFrame();
    if (!frame) return '';
    const heading = (await frame.locator('h1').first().textContent({ timeout: 500 }).catch(() => null))?.trim();
    return ` (the shop showed ${frame.url()}${heading ? `, heading "${heading.slice(0, 80)}"` : ''})`;
  } catch {
    return '';
  }
}

export function chromiumPath(explicit?: string): string {
  return explicit || process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
}

export async function launchBrowser(executablePath?: string): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(executablePath), headless: true, timeout: 30_000 });
}

/** The iframe the buyer's page shows the shop in. */
export const SHOP_FRAME_NAME = 'koppel-probe-shop';

/** A buyer page with the shop in an iframe, as SRM 7's outbound handler shows it. */
export function framePage(src: string, title: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeAttr(title)}</title>
<style>body{margin:0;font-family:sans-serif}header{padding:.5rem 1rem;background:#234;color:#fff}iframe{border:0;width:100%;height:calc(100vh - 3rem)}</style></head>
<body><header>Buyer system (Koppel conformance runner): ${escapeAttr(title)}</header>
<iframe name="${SHOP_FRAME_NAME}" title="Supplier shop" src="${escapeAttr(src)}"></iframe></body></html>`;
}

export function escapeAttr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Notes which window navigated to each return address (the form's target, as the browser applied it). */
export function watchArrivals(page: Page, receiverBase: string): (pathAndQuery: string) => ArrivalFrame {
  const seen = new Map<string, ArrivalFrame>();
  page.on('request', (request) => {
    if (!request.isNavigationRequest()) return;
    const url = request.url();
    if (!url.startsWith(`${receiverBase}/return/`)) return;
    const frame = request.frame();
    const where: ArrivalFrame = frame === page.mainFrame() ? 'top' : frame.name() === SHOP_FRAME_NAME ? 'shop-frame' : 'other-frame';
    seen.set(new URL(url).pathname, where);
  });
  return (pathAndQuery) => seen.get(pathAndQuery.split('?')[0]!) ?? 'unknown';
}
