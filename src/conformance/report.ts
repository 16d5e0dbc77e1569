/**
 * A conformance run as a report: JSON for machines (CI, diffing two runs) and one self-contained
 * HTML page for people — failures first, each with the exact field, value and what was expected.
 */
import { escapeAttr } from './scenarios.js';
import type { Finding } from './checks.js';
import type { RunReport } from './run.js';

export function reportJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const esc = escapeAttr;
const ORDER: Record<Finding['status'], number> = { fail: 0, warn: 1, pass: 2 };

export function reportHtml(report: RunReport): string {
  const verdict = report.ok ? 'All checks passed' : `${report.counts.fail} check${report.counts.fail === 1 ? '' : 's'} failed`;
  const sections = report.scenarios
    .map((s) => {
      const rows = report.findings
        .filter((f) => f.scenario === s.name)
        .sort((a, b) => ORDER[a.status] - ORDER[b.status])
        .map(
          (f) => `<tr class="${f.status}"><td><span class="badge ${f.status}">${f.status}</span></td><td>${esc(f.rule)}</td><td><code>${esc(f.field ?? '')}</code></td><td>${f.value !== undefined ? `<code>${esc(f.value)}</code>` : ''}</td><td>${f.expected !== undefined ? `<code>${esc(f.expected)}</code>` : ''}</td><td>${esc(f.message)}</td></tr>`,
        )
        .join('\n');
      const docs = report.documents
        .filter((d) => d.scenario === s.name)
        .map((d) => `<details><summary>Returned document: ${esc(d.method)} ${esc(d.url)} (arrived in: ${esc(d.arrivedIn)})</summary><pre>${esc(d.text)}</pre></details>`)
        .join('\n');
      return `<section>
<h2>${esc(s.name)} <small>${esc(s.status)}${s.note ? ` — ${esc(s.note)}` : ''}</small></h2>
${docs}
${rows ? `<table><thead><tr><th scope="col">Result</th><th scope="col">Rule</th><th scope="col">Field</th><th scope="col">Value</th><th scope="col">Expected</th><th scope="col">Message</th></tr></thead><tbody>
${rows}
</tbody></table>` : '<p>No checks ran in this scenario.</p>'}
</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Conformance: ${esc(report.presetTitle)} — ${esc(verdict)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24}
table{border-collapse:collapse;width:100%;margin-bottom:1.5rem;font-size:.9rem}
th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
code{font-size:.85rem;word-break:break-all}
.badge{display:inline-block;padding:0 .4rem;border-radius:.3rem;font-weight:600;text-transform:uppercase;font-size:.75rem}
.badge.fail{background:#ffebe9;color:#a40e26}.badge.warn{background:#fff8c5;color:#7d4e00}.badge.pass{background:#dafbe1;color:#116329}
.verdict{font-size:1.2rem;font-weight:600}.verdict.ok{color:#116329}.verdict.bad{color:#a40e26}
small{font-weight:normal;color:#57606a}
td:nth-child(2){white-space:nowrap}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;padding:.5rem;font-size:.8rem;max-height:30rem;overflow:auto}
</style>
</head>
<body>
<h1>Punchout conformance report</h1>
<p class="verdict ${report.ok ? 'ok' : 'bad'}">${esc(verdict)}</p>
<dl>
<dt>Buyer preset</dt><dd>${esc(report.presetTitle)} (<code>${esc(report.preset)}</code>)</dd>
<dt>Supplier</dt><dd><code>${esc(report.url)}</code></dd>
<dt>Run</dt><dd>${esc(report.startedAt)} – ${esc(report.finishedAt)}</dd>
<dt>Checks</dt><dd>${report.counts.pass} passed, ${report.counts.fail} failed, ${report.counts.warn} warnings</dd>
</dl>
${sections}
</body>
</html>
`;
}
