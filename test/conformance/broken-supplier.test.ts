/**
 * The conformance runner against a deliberately broken supplier (broken-supplier.ts): it must
 * fail with exactly the four planted findings — a 41-character DESCRIPTION, an unmapped unit, a
 * wrong field name (OCI) and a changed BuyerCookie (cXML) — each naming the field and value, and
 * `koppel probe` must exit 1 and write both reports.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { runConformance, type RunReport } from '../../src/conformance/run.js';
import { findPreset, type OciPreset } from '../../src/conformance/presets.js';
import { launchBrowser, parseScript } from '../../src/conformance/scenarios.js';
import { probeCommand } from '../../src/cli/probe.js';
import { browserSkipReason } from '../helpers/browser.js';
import { BROKEN_DESCRIPTION, BROKEN_SUPPLIER_SCRIPT, startBrokenSupplier, type BrokenSupplier } from './broken-supplier.js';

const BIN = fileURLToPath(new URL('../../bin/koppel.mjs', import.meta.url));
const DTD_DIR = fileURLToPath(new URL('../../../shared/dtd/', import.meta.url));

function failures(report: RunReport): string[] {
  return report.findings
    .filter((f) => f.status === 'fail')
    .map((f) => `${f.scenario} ${f.rule} ${f.field} = ${f.value}`)
    .sort();
}

/** `koppel probe` as a user runs it; async so the test's own servers keep answering. */
function probe(args: string[]): Promise<{ code: number; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'probe', ...args], { env: { ...process.env, KOPPEL_DTD_DIR: DTD_DIR } });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, err }));
  });
}

describe('conformance runner: a broken supplier', { skip: browserSkipReason(), timeout: 120_000 }, () => {
  let supplier: BrokenSupplier;
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'koppel-probe-'));
  const scriptFile = join(dir, 'script.json');
  const cliJson = join(dir, 'coupa.json');
  const cliHtml = join(dir, 'coupa.html');
  let cliRun: Promise<{ code: number; err: string }>;

  before(async () => {
    supplier = await startBrokenSupplier();
    browser = await launchBrowser();
    writeFileSync(scriptFile, JSON.stringify(BROKEN_SUPPLIER_SCRIPT));
    // The CLI run (its own process and Chromium) goes on while the in-process runs are checked.
    cliRun = probe(['--preset', 'coupa', supplier.cxmlUrl, '--identity', 'DUNS:buyer', '--to', 'DUNS:fake-supplier', '--secret', 's3cret', '--script', scriptFile, '--json', cliJson, '--report', cliHtml]);
  });
  after(async () => {
    await browser?.close();
    await supplier?.close();
  });

  test('OCI (SAP SRM preset): exactly the 41-character DESCRIPTION, the unmapped unit and the misspelt field', { timeout: 60_000 }, async () => {
    const report = await runConformance({
      preset: findPreset('sap-srm')!,
      url: supplier.ociUrl,
      username: 'buyer',
      password: 'secret',
      script: parseScript(BROKEN_SUPPLIER_SCRIPT),
      browser,
      dtdDir: DTD_DIR,
    });
    assert.equal(report.ok, false);
    assert.deepEqual(failures(report), [
      `oci-transfer field-length NEW_ITEM-DESCRIPTION[1] = ${BROKEN_DESCRIPTION}`,
      'oci-transfer field-name NEW_ITEM-LEADTIM[1] = 2',
      'oci-transfer unit NEW_ITEM-UNIT[1] = STK',
    ]);
    const byRule = new Map(report.findings.filter((f) => f.status === 'fail').map((f) => [f.rule, f]));
    assert.equal(byRule.get('field-length')!.message, `NEW_ITEM-DESCRIPTION[1] is 41 characters ("${BROKEN_DESCRIPTION}"), OCI allows 40`);
    assert.equal(byRule.get('field-name')!.expected, 'NEW_ITEM-LEADTIME[1]');
    assert.match(byRule.get('unit')!.message, /NEW_ITEM-UNIT\[1\] is "STK"/);
    // What the fake does right is checked and passes: the run is not failing everything.
    const passed = new Set(report.findings.filter((f) => f.status === 'pass').map((f) => `${f.scenario} ${f.rule}`));
    for (const rule of ['return-url', 'target', 'echo', 'charset', 'required', 'number', 'items']) assert.ok(passed.has(`oci-transfer ${rule}`), `oci-transfer ${rule} passes`);
    assert.ok(passed.has('oci-cancel items'), 'the cancel returned an empty cart');
    // The returned forms are in the report as received.
    assert.deepEqual(report.documents.map((d) => `${d.scenario} ${d.method} ${d.arrivedIn}`), ['oci-transfer POST top', 'oci-cancel POST top']);
    assert.match(report.documents[0]!.text, new RegExp(`^NEW_ITEM-DESCRIPTION\\[1\\]=${BROKEN_DESCRIPTION}$`, 'm'));
    assert.match(report.documents[0]!.url, /\?sap-client=100&probe=/);
  });

  test('a GET call and a form that ignores ~TARGET: the post lands in the shop\'s frame and the target check fails', { timeout: 60_000 }, async () => {
    const srm = findPreset('sap-srm')! as OciPreset;
    const calls = supplier.ociCalls.length;
    const report = await runConformance({
      preset: { ...srm, name: 'sap-srm-get', method: 'GET' },
      url: `${supplier.ociUrl}?fake-target=_self`,
      username: 'buyer',
      password: 'secret',
      script: parseScript(BROKEN_SUPPLIER_SCRIPT),
      browser,
      dtdDir: DTD_DIR,
    });
    assert.deepEqual(supplier.ociCalls.slice(calls), ['GET', 'GET'], 'both scenarios called the catalog with GET');
    const target = report.findings.filter((f) => f.rule === 'target');
    assert.deepEqual(
      target.map((f) => `${f.scenario} ${f.status} ${f.value} ${f.expected}`),
      ['oci-transfer fail shop-frame top', 'oci-cancel fail shop-frame top'],
    );
    assert.match(target[0]!.message, /arrived in the shop's own frame, but the target "_top" names the top window/);
  });

  test('a script step that cannot be done stops its scenario with a failure naming the step', { timeout: 30_000 }, async () => {
    const report = await runConformance({
      preset: findPreset('sap-s4hana')!,
      url: supplier.ociUrl,
      username: 'buyer',
      password: 'secret',
      script: parseScript({ ...BROKEN_SUPPLIER_SCRIPT, add: [{ click: { role: 'button', name: 'Put in basket' } }] }),
      browser,
      stepTimeoutMs: 800,
    });
    assert.equal(report.ok, false);
    assert.deepEqual(report.scenarios.map((s) => s.status), ['error', 'error']);
    const f = report.findings.filter((x) => x.status === 'fail');
    assert.equal(f.length, 2);
    assert.match(f[0]!.message, /^add step 1 \(click button "Put in basket"\) failed: .*\(the shop showed http:\/\/127\.0\.0\.1:\d+\/shop\/[A-Za-z0-9_-]+, heading "Fake shop"\)$/);
  });

  test('cXML (Coupa preset) through `koppel probe`: exactly the changed BuyerCookie, exit 1, HTML and JSON reports', { timeout: 60_000 }, async () => {
    const json = cliJson;
    const html = cliHtml;
    const r = await cliRun;
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /▸ cxml-create/, 'progress lines on stderr');
    assert.match(r.err, /FAIL: \d+ passed, 1 failed/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as RunReport;
    const cookie = report.findings.filter((f) => f.status === 'fail');
    assert.equal(cookie.length, 1, JSON.stringify(cookie, null, 1));
    assert.equal(cookie[0]!.rule, 'buyer-cookie');
    assert.equal(cookie[0]!.field, 'PunchOutOrderMessage/BuyerCookie');
    assert.equal(cookie[0]!.value, `${cookie[0]!.expected}-changed`);
    assert.deepEqual(report.scenarios.map((s) => `${s.name} ${s.status}`), ['cxml-create ran', 'cxml-cancel ran', 'cxml-inspect ran']);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /1 check failed/);
    assert.match(page, /BuyerCookie came back as/);
    assert.match(page, /Returned document: POST \/return\/cxml-create-/);
    assert.ok(report.documents.some((d) => d.scenario === 'cxml-create' && d.text.includes('<PunchOutOrderMessage>')), 'the decoded POOM is in the JSON report');
  });

  test('usage errors exit 2 before anything runs', async () => {
    const r = await probe(['--preset', 'coupa', supplier.cxmlUrl]);
    assert.equal(r.code, 2, 'a cXML preset needs --identity and --secret');
    assert.match(r.err, /give --identity ID --secret S/);
    // The same parser in-process (spawning costs a second each).
    assert.equal(await probeCommand(['--preset', 'sap-srm', supplier.ociUrl, '--identity', 'x']), 2, 'OCI takes --username / --password');
    assert.equal(await probeCommand(['--preset', 'nope', supplier.ociUrl]), 2);
    assert.equal(await probeCommand(['--preset', 'sap-srm', 'ftp://x', '--username', 'u', '--password', 'p']), 2);
    assert.equal(await probeCommand(['--preset', 'sap-srm', supplier.ociUrl, '--username', 'u', '--password', 'p', '--script', join(dir, 'missing.json')]), 2, 'an unreadable script');
  });
});
