/**
 * Every buyer preset of the conformance runner against Koppel itself, in one real browser: the
 * demo connections (demo-oci, demo-cxml) and, where a buyer needs other options, a connection
 * made through the admin functions (Coupa: cXML 1.2.014, ™ ® © written as text). Every check
 * must pass. A control run shows the runner does catch Koppel when a connection is set up wrong
 * for its buyer (Coupa against demo-cxml, which sends ® as is).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { addConnection } from '../../src/app/connection-admin.js';
import { DEMO } from '../../src/app/demo-seed.js';
import { runConformance, type RunOptions, type RunReport } from '../../src/conformance/run.js';
import { findPreset, listPresets, type CxmlPreset, type Preset } from '../../src/conformance/presets.js';
import { reportHtml, reportJson } from '../../src/conformance/report.js';
import { launchBrowser } from '../../src/conformance/scenarios.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { browserSkipReason } from '../helpers/browser.js';

const DTD_DIR = fileURLToPath(new URL('../../../shared/dtd/', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/koppel.mjs', import.meta.url));

const COUPA = {
  id: 'probe-coupa',
  buyer: { domain: 'DUNS', identity: 'coupa-probe-buyer' },
  supplier: { domain: 'DUNS', identity: 'koppel-probe-supplier' },
  secret: 'coupa-probe-secret',
};

function problems(report: RunReport): string {
  return JSON.stringify(report.findings.filter((f) => f.status !== 'pass'), null, 1);
}

describe('conformance runner: every preset against Koppel', { skip: browserSkipReason(), timeout: 180_000 }, () => {
  let t: TestApp;
  let browser: Browser;

  before(async () => {
    t = await startTestApp();
    browser = await launchBrowser();
    await addConnection(t.ctx, { username: 'conformance-test' }, {
      id: COUPA.id,
      name: 'Coupa (conformance)',
      protocol: 'cxml',
      environment: 'test',
      buyerOrg: '',
      buyerIdentities: [COUPA.buyer],
      supplierIdentities: [COUPA.supplier],
      senderIdentities: [COUPA.buyer],
      // The runner's receiver listens on a port picked per run.
      returnUrlPrefixes: ['http://'],
      allowSapEvent: false,
      ipAllowList: [],
      options: { cxml: { version: '1.2.014' }, textRules: { symbolsAsText: true } },
      secret: COUPA.secret,
    });
    // The runs share the browser and the server; four at a time keeps the file quick without
    // starving a slow machine (each run uses its own browser contexts and return addresses).
    const queue = [...Object.entries(expected).map(([name, e]) => [name, () => run(name, e.opts)] as const), ['control', () => run('coupa', demoCxml, { operations: ['create'] })] as const,
      // No cXML preset frames the shop; this variant covers the path (Koppel posts into its own frame).
      ['ariba-framed', () => run('ariba', demoCxml, { framed: true, operations: ['create'] })] as const,
      ['cli', cliRun] as const,
    ];
    const start = (name: string, go: () => Promise<RunReport>) => {
      const p = go();
      reports.set(name, p);
      // Keep a rejected run from being unhandled before its test awaits it.
      p.catch(() => undefined);
      return p;
    };
    const lanes = Array.from({ length: 4 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await start(next[0], next[1]).catch(() => undefined);
    });
    void Promise.all(lanes);
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const reports = new Map<string, Promise<RunReport>>();
  let cliResult: { code: number; err: string } | undefined;

  /** `koppel probe` as a user runs it against this Koppel (its own Chromium), JSON report read back. */
  function cliRun(): Promise<RunReport> {
    const json = join(mkdtempSync(join(tmpdir(), 'koppel-probe-')), 'report.json');
    const args = ['probe', '--preset', 'sap-s4hana', `${t.baseUrl}/punchout/oci/${DEMO.oci.id}`, '--username', DEMO.oci.username, '--password', DEMO.oci.password, '--json', json];
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, KOPPEL_DTD_DIR: DTD_DIR } });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => {
        cliResult = { code: code ?? -1, err };
        try {
          resolve(JSON.parse(readFileSync(json, 'utf8')) as RunReport);
        } catch (e) {
          reject(new Error(`no JSON report (exit ${code}): ${err}`, { cause: e }));
        }
      });
    });
  }
  /** The report of a run started in `before` (waiting until its lane gets to it). */
  async function reportOf(name: string): Promise<RunReport> {
    while (!reports.has(name)) await new Promise((r) => setTimeout(r, 50));
    return reports.get(name)!;
  }

  function run(preset: string, extra: Partial<RunOptions>, override: Partial<CxmlPreset> = {}): Promise<RunReport> {
    const p = { ...findPreset(preset)!, ...override } as Preset;
    return runConformance({ preset: p, url: p.protocol === 'oci' ? `${t.baseUrl}/punchout/oci/${DEMO.oci.id}` : `${t.baseUrl}/cxml`, browser, dtdDir: DTD_DIR, ...extra });
  }

  const oci = { username: DEMO.oci.username, password: DEMO.oci.password };
  const demoCxml = { from: DEMO.cxml.from, to: DEMO.cxml.to, sender: DEMO.cxml.sender, secret: DEMO.cxml.secret };
  const expected: Record<string, { opts: Partial<RunOptions>; scenarios: string[] }> = {
    'sap-srm': { opts: oci, scenarios: ['oci-transfer', 'oci-cancel'] },
    'sap-s4hana': { opts: oci, scenarios: ['oci-transfer', 'oci-cancel'] },
    ariba: { opts: demoCxml, scenarios: ['cxml-create', 'cxml-cancel', 'cxml-edit', 'cxml-edit-cancel', 'cxml-inspect'] },
    coupa: { opts: { from: COUPA.buyer, to: COUPA.supplier, secret: COUPA.secret }, scenarios: ['cxml-create', 'cxml-cancel', 'cxml-inspect'] },
    jaggaer: { opts: demoCxml, scenarios: ['cxml-create', 'cxml-cancel', 'cxml-edit', 'cxml-edit-cancel'] },
    oracle: { opts: demoCxml, scenarios: ['cxml-create', 'cxml-cancel'] },
  };

  test('the test covers every preset', () => {
    assert.deepEqual(Object.keys(expected).sort(), listPresets().map((p) => p.name).sort());
  });

  for (const [name, e] of Object.entries(expected)) {
    test(`${name}: every check passes against Koppel`, { timeout: 60_000 }, async () => {
      const report = await reportOf(name);
      assert.deepEqual(report.scenarios.map((s) => `${s.name} ${s.status}`), e.scenarios.map((s) => `${s} ran`), problems(report));
      assert.equal(report.counts.fail, 0, problems(report));
      assert.equal(report.ok, true);
      // Each scenario really checked its documents (not a run of nothing).
      for (const s of e.scenarios) assert.ok(report.findings.filter((f) => f.scenario === s && f.status === 'pass').length >= 5, `${s} checked its document`);
      const rules = new Set(report.findings.map((f) => f.rule));
      for (const rule of name.startsWith('sap') ? ['field-length', 'unit', 'return-url', 'target', 'echo', 'charset'] : ['dtd', 'buyer-cookie', 'unit', 'total', 'return-url', 'charset']) {
        assert.ok(rules.has(rule), `${name}: rule ${rule} was checked`);
      }
      assert.deepEqual(JSON.parse(reportJson(report)).counts, report.counts);
      assert.match(reportHtml(report), /All checks passed/);
    });
  }

  test('cXML with the shop in an iframe: the cart comes back inside the frame, every check passes', { timeout: 60_000 }, async () => {
    const report = await reportOf('ariba-framed');
    assert.equal(report.counts.fail, 0, problems(report));
    assert.deepEqual(report.documents.map((d) => `${d.scenario} ${d.arrivedIn}`), ['cxml-create shop-frame', 'cxml-cancel shop-frame']);
  });

  test('`koppel probe` against Koppel exits 0 with progress on stderr', { timeout: 90_000 }, async () => {
    const report = await reportOf('cli');
    assert.equal(cliResult?.code, 0, cliResult?.err);
    assert.match(cliResult!.err, /▸ oci-transfer/);
    assert.match(cliResult!.err, /PASS: \d+ passed, 0 failed/);
    assert.equal(report.ok, true);
  });

  test('control: Coupa against demo-cxml (® sent as is) fails on exactly that text, naming field and value', { timeout: 60_000 }, async () => {
    const report = await reportOf('control');
    const fails = report.findings.filter((f) => f.status === 'fail');
    assert.ok(fails.length >= 1, problems(report));
    for (const f of fails) {
      assert.equal(f.rule, 'text', problems(report));
      assert.match(f.field!, /^ItemIn\[\d\]\/ItemDetail\/Description\[1\]$/);
      assert.match(f.value!, /®/);
    }
    assert.equal(report.ok, false);
    assert.match(reportHtml(report), /check(s)? failed/);
  });
});
