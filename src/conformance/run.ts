/**
 * One conformance run: a buyer preset drives a supplier's punchout through its scenarios in a
 * real browser (setup, add items, transfer, cancel, and edit / inspect where the preset's buyer
 * uses them), the receiver collects every returned document, and checks.ts judges each one.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { Decimal } from 'decimal.js';
import { readCxml } from '../protocol/cxml/reader.js';
import { pairsFromUrlencoded } from '../protocol/oci/form-encoding.js';
import { writePunchOutSetupRequest, type ItemOutInput } from '../protocol/cxml/writer.js';
import type { Credential, ItemIn } from '../protocol/cxml/model.js';
import { validateCxmlDocument } from '../cxml-dtd/validate.js';
import { checkCxmlReturn, checkOciReturn, Findings, show, type ArrivalFrame, type CapturedReturn, type Finding } from './checks.js';
import type { CxmlOperation, CxmlPreset, OciPreset, Preset } from './presets.js';
import { startReceiver, type Receiver, type ReturnSlot } from './receiver.js';
import { escapeAttr, framePage, KOPPEL_SCRIPT, launchBrowser, runSteps, ScriptError, watchArrivals, type Shop, type ShopScript } from './scenarios.js';

export interface Identity {
  domain: string;
  identity: string;
}

export interface RunOptions {
  preset: Preset;
  /** OCI: the catalog URL; cXML: the supplier's cXML endpoint (PunchOutSetupRequest). */
  url: string;
  /** OCI login. */
  username?: string;
  password?: string;
  /** cXML: From (the buyer), To (the supplier), Sender; the secret goes in Sender. */
  from?: Identity;
  to?: Identity;
  sender?: Identity;
  secret?: string;
  /** How to shop; default Koppel's own storefront. */
  script?: ShopScript;
  /** A running browser to use (tests share one); otherwise Chromium is launched and closed. */
  browser?: Browser;
  chromiumPath?: string;
  /** One line per step, for a progress display. */
  progress?: (line: string) => void;
  /** Timeout of one browser step (default 10 s). */
  stepTimeoutMs?: number;
  /** How long to wait for a returned cart (default 15 s). */
  returnTimeoutMs?: number;
  dtdDir?: string;
}

export interface ScenarioSummary {
  name: string;
  status: 'ran' | 'skipped' | 'error';
  note?: string;
}

export interface RunReport {
  preset: string;
  presetTitle: string;
  protocol: 'oci' | 'cxml';
  url: string;
  startedAt: string;
  finishedAt: string;
  /** True when no check failed. */
  ok: boolean;
  counts: { pass: number; fail: number; warn: number };
  scenarios: ScenarioSummary[];
  findings: Finding[];
  /** Every document the supplier sent back, as received (decoded for reading). */
  documents: ReturnedDocument[];
}

export interface ReturnedDocument {
  scenario: string;
  method: string;
  /** Path and query the form was posted to. */
  url: string;
  /** The window the post arrived in. */
  arrivedIn: ArrivalFrame;
  /** OCI: the form's name/value pairs; cXML: the decoded document (or the raw form when it could not be decoded). */
  text: string;
}

export async function runConformance(opts: RunOptions): Promise<RunReport> {
  const startedAt = new Date().toISOString();
  const progress = opts.progress ?? (() => undefined);
  const findings: Finding[] = [];
  const scenarios: ScenarioSummary[] = [];
  const documents: ReturnedDocument[] = [];
  const receiver = await startReceiver();
  const browser = opts.browser ?? (await launchBrowser(opts.chromiumPath));
  try {
    const run = new Run(opts, receiver, browser, progress, findings, scenarios, documents);
    if (opts.preset.protocol === 'oci') await run.oci(opts.preset);
    else await run.cxml(opts.preset);
  } finally {
    if (!opts.browser) await browser.close();
    await receiver.close();
  }
  const counts = { pass: 0, fail: 0, warn: 0 };
  for (const f of findings) counts[f.status]++;
  return {
    preset: opts.preset.name,
    presetTitle: opts.preset.title,
    protocol: opts.preset.protocol,
    url: opts.url,
    startedAt,
    finishedAt: new Date().toISOString(),
    ok: counts.fail === 0,
    counts,
    scenarios,
    findings,
    documents,
  };
}

/** A page in a fresh browser context (no cookies from earlier scenarios). */
interface Window {
  page: Page;
  arrivalOf: (pathAndQuery: string) => ArrivalFrame;
  close(): Promise<void>;
}

class Run {
  private readonly stepTimeout: number;
  private readonly returnTimeout: number;
  private readonly script: ShopScript;

  constructor(
    private readonly opts: RunOptions,
    private readonly receiver: Receiver,
    private readonly browser: Browser,
    private readonly progress: (line: string) => void,
    private readonly findings: Finding[],
    private readonly scenarios: ScenarioSummary[],
    private readonly documents: ReturnedDocument[],
  ) {
    this.stepTimeout = opts.stepTimeoutMs ?? 10_000;
    this.returnTimeout = opts.returnTimeoutMs ?? 15_000;
    this.script = opts.script ?? KOPPEL_SCRIPT;
  }

  private async window(): Promise<Window> {
    const context = await this.browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(this.stepTimeout);
    return { page, arrivalOf: watchArrivals(page, this.receiver.baseUrl), close: () => context.close() };
  }

  /** A scenario that could not be driven to its end: one failing finding saying where it stopped. */
  private broken(scenario: string, rule: string, message: string, detail: { field?: string; value?: string; expected?: string } = {}): void {
    const f = new Findings(scenario);
    f.fail(rule, message, detail);
    this.findings.push(...f.done());
    this.scenarios.push({ name: scenario, status: 'error', note: message });
    this.progress(`  ✗ ${scenario}: ${message}`);
  }

  private record(scenario: string, list: Finding[], note?: string): void {
    this.findings.push(...list);
    this.scenarios.push({ name: scenario, status: 'ran', ...(note ? { note } : {}) });
    const fails = list.filter((f) => f.status === 'fail');
    const warns = list.filter((f) => f.status === 'warn').length;
    this.progress(`  ${fails.length ? '✗' : '✓'} ${scenario}: ${list.length - fails.length - warns} passed, ${fails.length} failed, ${warns} warnings`);
    for (const f of fails) this.progress(`      ${f.rule}: ${f.message}`);
  }

  private async waitReturn(win: Window, slot: ReturnSlot): Promise<CapturedReturn | undefined> {
    const raw = await slot.wait(this.returnTimeout);
    if (!raw) return undefined;
    // The navigation event may trail the request by a moment.
    let frame = win.arrivalOf(raw.url);
    for (let i = 0; i < 20 && frame === 'unknown'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      frame = win.arrivalOf(raw.url);
    }
    return { ...raw, frame };
  }

  private keep(scenario: string, capture: CapturedReturn, text?: string): void {
    const shown = text ?? pairsFromUrlencoded(capture.body.toString('latin1')).map(([k, v]) => `${k}=${v}`).join('\n');
    this.documents.push({ scenario, method: capture.method, url: capture.url, arrivedIn: capture.frame, text: shown });
  }

  // ---- OCI --------------------------------------------------------------------------------------

  async oci(preset: OciPreset): Promise<void> {
    for (const kind of ['transfer', 'cancel'] as const) {
      const scenario = kind === 'transfer' ? 'oci-transfer' : 'oci-cancel';
      this.progress(`▸ ${scenario}: OCI ${preset.method} call${preset.framed ? ' in an iframe' : ''}, add items, ${kind}`);
      const win = await this.window();
      try {
        // Real HOOK_URLs carry their own query (SAP ITS, sap-client): it must survive the round trip.
        const slot = this.receiver.returnSlot(scenario, `sap-client=100&probe=${token()}`);
        const shop = await this.openOci(win.page, preset, slot.url);
        await runSteps(win.page, shop, this.script.add, this.stepTimeout, 'add');
        await runSteps(win.page, shop, kind === 'transfer' ? this.script.transfer : this.script.cancel, this.stepTimeout, kind);
        const capture = await this.waitReturn(win, slot);
        if (!capture) {
          this.broken(scenario, 'returned', `no cart came back to the HOOK_URL within ${this.returnTimeout / 1000} s after ${kind}`, { field: 'HOOK_URL', expected: 'a form post' });
          continue;
        }
        const echo = preset.echoFields;
        const { findings, lines } = checkOciReturn(preset, scenario, capture, {
          url: slot.pathAndQuery,
          frame: expectedFrame(preset.framed, preset.target),
          target: preset.target,
          kind,
          echo,
        });
        this.keep(scenario, capture);
        this.record(scenario, findings, `${lines.length} line(s) returned`);
      } catch (e) {
        this.broken(scenario, 'scenario', errorText(e));
      } finally {
        await win.close();
      }
    }
  }

  /** Opens the catalog the way the buyer does; returns where the shop runs. */
  private async openOci(page: Page, preset: OciPreset, hookUrl: string): Promise<Shop> {
    const fields: [string, string][] = [
      ['USERNAME', this.opts.username ?? ''],
      ['PASSWORD', this.opts.password ?? ''],
      ['HOOK_URL', hookUrl],
      ['OCI_VERSION', preset.ociVersion],
      ...(preset.targetField === 'returntarget' ? ([['returntarget', preset.target]] as [string, string][]) : []),
      ...preset.echoFields.map(([k, v]) => [k, v] as [string, string]),
    ];
    let callUrl: string;
    if (preset.method === 'GET') {
      const u = new URL(this.opts.url);
      for (const [k, v] of fields) u.searchParams.append(k, v);
      callUrl = u.toString();
    } else {
      const inputs = fields.map(([k, v]) => `<input type="hidden" name="${escapeAttr(k)}" value="${escapeAttr(v)}">`).join('\n');
      callUrl = this.receiver.page(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>OCI call</title></head><body>
<form id="oci-call" method="post" action="${escapeAttr(this.opts.url)}" accept-charset="${preset.charset}">${inputs}<button type="submit">Open catalog</button></form>
<script>document.getElementById('oci-call').submit();</script></body></html>`);
    }
    if (preset.framed) {
      await page.goto(this.receiver.page(framePage(callUrl, preset.title)));
      return page.frameLocator('iframe[title="Supplier shop"]');
    }
    await page.goto(callUrl);
    return page;
  }

  // ---- cXML -------------------------------------------------------------------------------------

  async cxml(preset: CxmlPreset): Promise<void> {
    const first = await this.cxmlScenario(preset, 'cxml-create', 'create', 'transfer');
    await this.cxmlScenario(preset, 'cxml-cancel', 'create', 'cancel');
    const items = first?.items;
    for (const op of ['edit', 'inspect'] as const satisfies readonly CxmlOperation[]) {
      if (!preset.operations.includes(op)) continue;
      const scenario = `cxml-${op}`;
      if (!items || items.length === 0) {
        this.scenarios.push({ name: scenario, status: 'skipped', note: 'no cart from the create scenario to re-open' });
        this.progress(`▸ ${scenario}: skipped (no cart from the create scenario)`);
        continue;
      }
      const allowed = first.operationAllowed;
      if (op === 'edit' && allowed !== 'edit') {
        const f = new Findings(scenario);
        f.warn('operation-allowed', `the cart said operationAllowed="${allowed}", so the buyer cannot edit it`, { field: 'PunchOutOrderMessageHeader@operationAllowed', value: allowed, expected: 'edit' });
        this.record(scenario, f.done(), 'not allowed by the cart');
        continue;
      }
      if (op === 'inspect' && allowed === 'create') {
        const f = new Findings(scenario);
        f.warn('operation-allowed', 'the cart said operationAllowed="create", so the buyer cannot inspect it', { field: 'PunchOutOrderMessageHeader@operationAllowed', value: allowed, expected: 'inspect or edit' });
        this.record(scenario, f.done(), 'not allowed by the cart');
        continue;
      }
      await this.cxmlScenario(preset, scenario, op, op === 'edit' ? 'edit' : 'inspect', items);
      // Leaving an edit without changes must not delete the buyer's lines (cxml.md §3.6: Status 204).
      if (op === 'edit') await this.cxmlScenario(preset, 'cxml-edit-cancel', 'edit', 'cancel-edit', items);
    }
  }

  /**
   * One cXML session. `transfer`: add items and transfer; `cancel`: add items and cancel; `edit`:
   * re-open `items` and transfer unchanged; `inspect`: re-open read-only, a transfer must be impossible.
   */
  private async cxmlScenario(
    preset: CxmlPreset,
    scenario: string,
    operation: CxmlOperation,
    mode: 'transfer' | 'cancel' | 'edit' | 'cancel-edit' | 'inspect',
    items?: readonly ItemIn[],
  ): Promise<{ items: readonly ItemIn[]; operationAllowed: string } | undefined> {
    this.progress(`▸ ${scenario}: PunchOutSetupRequest operation="${operation}", ${mode === 'inspect' ? 'try to transfer, then cancel' : mode === 'edit' ? 'transfer the re-opened cart' : mode === 'cancel-edit' ? 'cancel the re-opened cart' : `add items, ${mode}`}`);
    const buyerCookie = `probe ${token()} ${operation}`;
    const slot = this.receiver.returnSlot(scenario, `id=${Math.floor(Math.random() * 1e6)}`);
    const setupFindings = new Findings(scenario);
    const start = await this.setup(preset, setupFindings, operation, buyerCookie, slot.url, items);
    if (!start) {
      this.record(scenario, setupFindings.done(), 'setup failed');
      return undefined;
    }
    const win = await this.window();
    try {
      let shop: Shop = win.page;
      if (preset.framed) {
        await win.page.goto(this.receiver.page(framePage(start, preset.title)));
        shop = win.page.frameLocator('iframe[title="Supplier shop"]');
      } else await win.page.goto(start);

      if (mode === 'inspect') {
        setupFindings.rule('inspect-readonly', 'an inspected cart cannot be transferred');
        let transferred = false;
        try {
          await runSteps(win.page, shop, this.script.transfer, Math.min(this.stepTimeout, 2000), 'transfer');
          transferred = true;
        } catch {
          // Expected: the shop offers no transfer in inspect mode.
        }
        const posted = transferred ? await slot.wait(5000) : undefined;
        if (posted) setupFindings.fail('inspect-readonly', 'the inspected cart could be transferred back; inspect is read-only', { field: 'operation', value: 'inspect', expected: 'no transfer' });
        else if (transferred) setupFindings.warn('inspect-readonly', 'the transfer steps ran in inspect mode, though nothing came back', { field: 'operation', value: 'inspect' });
        await runSteps(win.page, shop, this.script.cancel, this.stepTimeout, 'cancel');
        const back = await this.waitReturn(win, slot);
        const f = back ? checkCxmlReturn(preset, scenario, back, { url: slot.pathAndQuery, frame: expectedFrame(preset.framed, '_self'), target: '_self', kind: 'cancel', buyerCookie, ...secret(this.opts) }, dtd(this.opts)) : undefined;
        if (back) this.keep(scenario, back, f?.xml);
        // After inspect any cart is ignored by the buyer (cxml.md §3.6): only the envelope rules matter.
        const kept = (f?.findings ?? []).filter((x) => !['items', 'empty-cart', 'total'].includes(x.rule));
        this.record(scenario, [...setupFindings.done(), ...kept], back ? 'cancelled after inspection' : 'no document after cancel');
        return undefined;
      }

      const cancelling = mode === 'cancel' || mode === 'cancel-edit';
      if (mode === 'transfer' || mode === 'cancel') await runSteps(win.page, shop, this.script.add, this.stepTimeout, 'add');
      await runSteps(win.page, shop, cancelling ? this.script.cancel : this.script.transfer, this.stepTimeout, cancelling ? 'cancel' : 'transfer');
      const capture = await this.waitReturn(win, slot);
      if (!capture) {
        setupFindings.fail('returned', `no cart came back to the BrowserFormPost URL within ${this.returnTimeout / 1000} s`, { field: 'BrowserFormPost/URL', expected: 'a form post' });
        this.record(scenario, setupFindings.done(), 'nothing returned');
        return undefined;
      }
      const result = checkCxmlReturn(
        preset,
        scenario,
        capture,
        {
          url: slot.pathAndQuery,
          // The buyer names no ReturnFrame: the cart comes back in the window the shop runs in.
          frame: expectedFrame(preset.framed, '_self'),
          target: '(none: the shop\'s own window)',
          kind: mode,
          buyerCookie,
          ...secret(this.opts),
          ...(mode === 'edit' && items ? { editedItems: items.map((i) => i.itemID) } : {}),
        },
        dtd(this.opts),
      );
      this.keep(scenario, capture, result.xml);
      this.record(scenario, [...setupFindings.done(), ...result.findings], result.message ? `${result.message.items.length} item(s) returned` : undefined);
      return result.message ? { items: result.message.items, operationAllowed: result.message.operationAllowed } : undefined;
    } catch (e) {
      this.findings.push(...setupFindings.done());
      this.broken(scenario, 'scenario', errorText(e));
      return undefined;
    } finally {
      await win.close();
    }
  }

  /** Sends the PunchOutSetupRequest; returns the StartPage URL, or undefined with findings. */
  private async setup(preset: CxmlPreset, f: Findings, operation: CxmlOperation, buyerCookie: string, returnUrl: string, items?: readonly ItemIn[]): Promise<string | undefined> {
    const from = this.opts.from ?? { domain: preset.defaultDomain, identity: 'koppel-probe' };
    const to = this.opts.to ?? from;
    const sender = this.opts.sender ?? from;
    const cred = (i: Identity, secretValue?: string): Credential => ({ domain: i.domain, identity: i.identity, ...(secretValue !== undefined ? { sharedSecret: secretValue } : {}) });
    const now = new Date();
    const xml = writePunchOutSetupRequest(
      { payloadID: `${now.getTime()}.${token()}@koppel-probe`, timestamp: now, version: preset.version },
      { from: { credentials: [cred(from)] }, to: { credentials: [cred(to)] }, sender: { credentials: [cred(sender, this.opts.secret ?? '')], userAgent: preset.userAgent } },
      {
        operation,
        buyerCookie,
        extrinsics: preset.extrinsics.map(([name, value]) => ({ name, value })),
        browserFormPostUrl: returnUrl,
        ...(items ? { itemOut: items.map(itemOutOf) } : {}),
        deploymentMode: 'test',
      },
    );
    f.rule('setup', `the supplier answers the ${operation} PunchOutSetupRequest with Status 200 and a StartPage URL`);
    let status: number;
    let text: string;
    try {
      const res = await fetch(this.opts.url, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body: xml, signal: AbortSignal.timeout(30_000) });
      status = res.status;
      text = await res.text();
    } catch (e) {
      f.fail('setup', `the PunchOutSetupRequest could not be sent to ${this.opts.url}: ${errorText(e)}`, { field: 'URL', value: this.opts.url });
      return undefined;
    }
    let start: string | undefined;
    try {
      const { envelope } = readCxml(text);
      const p = envelope.payload;
      if (p.kind !== 'PunchOutSetupResponse' && p.kind !== 'Status') {
        f.fail('setup', `the answer is a ${p.kind}, not a PunchOutSetupResponse`, { field: 'Response', value: p.kind, expected: 'PunchOutSetupResponse' });
      } else if (p.status.code !== 200) {
        f.fail('setup', `the supplier refused the ${operation} setup: cXML Status ${p.status.code} ${p.status.text}${p.status.detail ? ` — ${p.status.detail}` : ''}`, { field: 'Response/Status@code', value: String(p.status.code), expected: '200' });
      } else if (p.kind !== 'PunchOutSetupResponse' || !p.startPageUrl) {
        f.fail('setup', 'the answer has Status 200 but no PunchOutSetupResponse/StartPage/URL', { field: 'PunchOutSetupResponse/StartPage/URL', value: '', expected: 'a URL' });
      } else start = p.startPageUrl;
      if (status !== 200 && start) f.warn('setup', `HTTP status ${status} with a cXML 200 answer`, { field: 'HTTP status', value: String(status), expected: '200' });
      f.rule('setup-dtd', 'the setup answer is valid against its DTD');
      try {
        const declared = envelope.doctype?.version;
        const v = validateCxmlDocument(text, { version: declared && /^\d+\.\d+\.\d+$/.test(declared) ? declared : preset.version, ...(this.opts.dtdDir ? { dtdDir: this.opts.dtdDir } : {}) });
        for (const err of v.errors.slice(0, 5)) f.fail('setup-dtd', `the PunchOutSetupResponse is not DTD-valid: ${err}`, { field: 'DTD', value: err });
      } catch (e) {
        f.warn('setup-dtd', `the DTD check could not run: ${errorText(e)}`, { field: 'DTD' });
      }
    } catch (e) {
      f.fail('setup', `the answer (HTTP ${status}) is not readable cXML: ${errorText(e)}`, { field: 'Response', value: text.slice(0, 200) });
    }
    return start;
  }
}

/** ItemOut of an edit/inspect setup request from an ItemIn of the earlier cart. */
function itemOutOf(item: ItemIn, i: number): ItemOutInput {
  return { quantity: new Decimal(item.quantity), lineNumber: i + 1, itemID: item.itemID, itemDetail: item.itemDetail };
}

function expectedFrame(framed: boolean, target: string): ArrivalFrame {
  if (!framed) return 'top';
  return target === '_self' ? 'shop-frame' : 'top';
}

function secret(opts: RunOptions): { secret?: string } {
  return opts.secret ? { secret: opts.secret } : {};
}

function dtd(opts: RunOptions): { dtdDir?: string } {
  return opts.dtdDir ? { dtdDir: opts.dtdDir } : {};
}

function token(): string {
  return randomBytes(6).toString('base64url');
}

function errorText(e: unknown): string {
  if (e instanceof ScriptError) return e.message;
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

export { show };
