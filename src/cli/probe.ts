/** `koppel probe`: test a supplier's punchout the way a given buyer system uses it. */
import { readFileSync, writeFileSync } from 'node:fs';
import { runConformance, type Identity } from '../conformance/run.js';
import { findPreset, listPresets } from '../conformance/presets.js';
import { reportHtml, reportJson } from '../conformance/report.js';
import { parseScript, ScriptError, type ShopScript } from '../conformance/scenarios.js';

const HELP = `Usage: koppel probe --preset NAME URL [options]
       koppel probe --list-presets

Drives the supplier punchout at URL through the scenarios of a buyer system (setup, add items,
transfer, cancel, and edit / inspect where that buyer uses them) in headless Chromium, collects
every returned cart and checks it: DTD, BuyerCookie, field lengths, unit codes, numbers, totals,
return URL and target, charset. URL is the OCI catalog URL or the cXML setup URL.

Options:
  --preset NAME          buyer preset (see --list-presets)
  --username U           OCI login (sent as USERNAME)
  --password P           OCI password (sent as PASSWORD)
  --identity ID          cXML: the buyer's identity (From and Sender), DOMAIN:ID or ID
  --secret S             cXML: the shared secret (in Sender)
  --from / --to / --sender DOMAIN:ID
                         cXML credentials one by one (To = the supplier; default: as --identity)
  --script FILE          JSON shop script (add / transfer / cancel steps); default: Koppel's shop
  --report FILE          write the HTML report
  --json FILE            write the JSON report
  --chromium PATH        Chromium binary (default $CHROMIUM_PATH, else /usr/bin/chromium)
  --dtd-dir DIR          folder with the official cXML DTDs (default $KOPPEL_DTD_DIR)

Progress goes to stderr. Exit codes: 0 every check passed, 1 a check failed, 2 usage error.
`;

const VALUE_OPTIONS = ['--preset', '--username', '--password', '--identity', '--secret', '--from', '--to', '--sender', '--script', '--report', '--json', '--chromium', '--dtd-dir'] as const;

export async function probeCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.includes('--list-presets')) {
    for (const p of listPresets()) process.stdout.write(`${p.name.padEnd(12)} ${p.protocol.padEnd(5)} ${p.title}\n`);
    return 0;
  }
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if ((VALUE_OPTIONS as readonly string[]).includes(a)) {
      const v = args[++i];
      if (v === undefined) return usage(`${a} needs a value`);
      values.set(a, v);
    } else if (a.startsWith('-')) return usage(`unknown option ${a}`);
    else positional.push(a);
  }
  const presetName = values.get('--preset');
  if (!presetName) return usage('--preset NAME is required (koppel probe --list-presets shows the names)');
  const preset = findPreset(presetName);
  if (!preset) return usage(`no preset "${presetName}"; one of: ${listPresets().map((p) => p.name).join(', ')}`);
  if (positional.length !== 1) return usage('give exactly one URL');
  const url = positional[0]!;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return usage(`"${url}" is not an http(s) URL`);
  }

  const opts: Parameters<typeof runConformance>[0] = { preset, url, progress: (line) => process.stderr.write(`${line}\n`) };
  if (preset.protocol === 'oci') {
    for (const o of ['--identity', '--secret', '--from', '--to', '--sender']) if (values.has(o)) return usage(`${o} is for cXML presets; ${preset.name} speaks OCI (use --username / --password)`);
    const username = values.get('--username');
    const password = values.get('--password');
    if (username === undefined || password === undefined) return usage(`${preset.name} is an OCI preset: give --username U --password P`);
    opts.username = username;
    opts.password = password;
  } else {
    for (const o of ['--username', '--password']) if (values.has(o)) return usage(`${o} is for OCI presets; ${preset.name} speaks cXML (use --identity / --secret)`);
    const secret = values.get('--secret');
    if (secret === undefined) return usage(`${preset.name} is a cXML preset: give --identity ID --secret S`);
    opts.secret = secret;
    const parse = (name: string): Identity | undefined | 'bad' => {
      const v = values.get(name);
      if (v === undefined) return undefined;
      const colon = v.indexOf(':');
      const id = colon < 0 ? { domain: preset.defaultDomain, identity: v } : { domain: v.slice(0, colon), identity: v.slice(colon + 1) };
      return id.domain && id.identity ? id : 'bad';
    };
    const identity = parse('--identity');
    const from = parse('--from') ?? identity;
    const sender = parse('--sender') ?? identity ?? from;
    const to = parse('--to');
    for (const [name, v] of [['--identity', identity], ['--from', from], ['--to', to], ['--sender', sender]] as const) {
      if (v === 'bad') return usage(`${name} must be DOMAIN:IDENTITY or IDENTITY`);
    }
    if (!from) return usage(`${preset.name} is a cXML preset: give --identity ID (or --from DOMAIN:ID)`);
    opts.from = from as Identity;
    if (sender) opts.sender = sender as Identity;
    if (to) opts.to = to as Identity;
  }
  const scriptFile = values.get('--script');
  if (scriptFile) {
    let script: ShopScript;
    try {
      script = parseScript(JSON.parse(readFileSync(scriptFile, 'utf8')));
    } catch (e) {
      const why = e instanceof ScriptError || e instanceof SyntaxError ? e.message : (e as Error).message;
      return usage(`the shop script ${scriptFile} cannot be used: ${why}`);
    }
    opts.script = script;
  }
  const chromium = values.get('--chromium');
  if (chromium) opts.chromiumPath = chromium;
  const dtdDir = values.get('--dtd-dir');
  if (dtdDir) opts.dtdDir = dtdDir;

  process.stderr.write(`koppel probe: ${preset.title} → ${url}\n`);
  let report;
  try {
    report = await runConformance(opts);
  } catch (e) {
    process.stderr.write(`koppel probe: the run could not complete: ${(e as Error).message}\n`);
    return 1;
  }
  const reportFile = values.get('--report');
  const jsonFile = values.get('--json');
  if (reportFile) writeFileSync(reportFile, reportHtml(report));
  if (jsonFile) writeFileSync(jsonFile, reportJson(report));
  const { pass, fail, warn } = report.counts;
  process.stderr.write(`${report.ok ? 'PASS' : 'FAIL'}: ${pass} passed, ${fail} failed, ${warn} warnings${reportFile ? ` — report: ${reportFile}` : ''}${jsonFile ? ` — JSON: ${jsonFile}` : ''}\n`);
  return report.ok ? 0 : 1;
}

function usage(message: string): number {
  process.stderr.write(`koppel probe: ${message}. Try "koppel probe --help".\n`);
  return 2;
}
