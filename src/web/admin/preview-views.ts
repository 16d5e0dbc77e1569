/** The cart preview page: the cart, the lint, every value sent with its source, the document, the diff. */
import type { FastifyRequest } from 'fastify';
import type { CartPreview, LineChange, LineDiff, PreviewRow } from '../../app/cart-preview.js';
import type { LintFinding } from '../../domain/cart-lint.js';
import { html, type Html } from '../html.js';
import { adminPage } from './layout.js';

function chooser(p: CartPreview): Html {
  const id = p.connection.id;
  return html`<form method="get" action="/admin/connections/${id}/preview" class="form-grid">
<fieldset>
<legend>Cart to preview</legend>
<label><input type="radio" name="cart" value="last"${p.choice === 'last' ? html` checked` : ''}> The last real cart transferred on this connection</label>
<label><input type="radio" name="cart" value="sample"${p.choice === 'sample' ? html` checked` : ''}> A sample cart of these products</label>
</fieldset>
<label class="field"><span>Sample products: one SKU;quantity per line</span>
<textarea name="skus" rows="4" spellcheck="false">${p.sampleText}</textarea>
<span class="hint">The default picks a product with a name longer than 40 characters, one with a sub-cent price and one with another unit.</span></label>
<div class="actions"><button type="submit" class="button">Preview</button></div>
</form>`;
}

function connectionSummary(p: CartPreview): Html {
  const c = p.connection;
  const o = c.options;
  const protocol =
    c.protocol === 'oci'
      ? html`<dt>Protocol</dt><dd>SAP OCI · ${o.oci.charset} · prices ${o.oci.priceUnitMode === 'per-unit' ? 'per 1 unit' : 'per price unit when needed'}, at most ${o.oci.maxPriceDecimals} decimals${o.oci.emitEmptyFields ? ' · empty fields sent' : ''}</dd>`
      : html`<dt>Protocol</dt><dd>cXML ${o.cxml.version} · field ${o.cxml.formField}${o.cxml.cartShipping ? ` · shipping ${o.cxml.shippingAmount}` : ''}${o.cxml.cartTax ? ` · tax ${o.cxml.taxRatePercent} % rounded per ${o.cxml.taxRounding}` : ''}${o.cxml.totalIncludesExtras ? ' · Total includes shipping and tax' : ''}</dd>`;
  const map = (m: Readonly<Record<string, string>>) => (Object.keys(m).length ? Object.entries(m).map(([k, v]) => `${k} → ${v}`).join(', ') : 'none');
  const mappings = Object.keys(c.protocol === 'oci' ? o.fieldMapping.oci : o.fieldMapping.cxml);
  return html`<dl class="kv">
${protocol}
<dt>Unit map</dt><dd>${map(o.unitMap)}</dd>
<dt>Currency map</dt><dd>${map(o.currencyMap)}</dd>
<dt>Classification</dt><dd>${o.classificationDomain}</dd>
<dt>Field mapping</dt><dd>${mappings.length ? mappings.join(', ') : 'Koppel’s defaults'}</dd>
<dt>Text rules</dt><dd>${o.textRules.symbolsAsText ? '™ ® © written as (TM) (R) (C)' : 'none'}</dd>
<dt>Limits</dt><dd>${o.limits.maxLines ? `${o.limits.maxLines} lines` : 'no line limit'} · ${o.limits.maxBytes ? `${o.limits.maxBytes} bytes` : 'no size limit'}</dd>
</dl>
<p><a href="/admin/connections/${c.id}/maps">Change units, currencies and field mapping</a></p>`;
}

function cartSection(p: CartPreview): Html {
  const rows = p.lines.map(
    (l, i) => html`<tr><td class="num">${i + 1}</td><td class="code">${l.sku}</td><td>${l.name}</td><td class="num">${l.quantity}</td><td class="num price">${l.unitPrice} ${l.currency}</td><td>${l.priceSource}</td></tr>`,
  );
  return html`<section class="card" aria-labelledby="cart-h">
<h2 id="cart-h">Cart</h2>
<p>${p.cartLabel}</p>
${p.sampleProblems.length ? html`<div class="notice warn" role="alert"><p>Some sample lines were left out:</p><ul>${p.sampleProblems.map((x) => html`<li>${x}</li>`)}</ul></div>` : ''}
${p.lines.length
  ? html`<div class="table-wrap"><table class="table">
<thead><tr><th scope="col" class="num">Line</th><th scope="col">SKU</th><th scope="col">Product</th><th scope="col" class="num">Quantity</th><th scope="col" class="num">Unit price</th><th scope="col">Price from</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
  : html`<p class="muted">The cart is empty.</p>`}
<p class="muted">${p.sessionNote}</p>
</section>`;
}

function findingItem(f: LintFinding): Html {
  const badge = f.severity === 'block' ? html`<span class="badge error">blocks</span>` : html`<span class="badge warn">warning</span>`;
  const where = [f.line !== undefined ? `line ${f.line}` : '', f.field ?? ''].filter(Boolean).join(' · ');
  return html`<li>${badge} ${where ? html`<span class="muted">${where}</span> ` : ''}${f.message}</li>`;
}

function lintSection(p: CartPreview): Html {
  const blocks = p.findings.filter((f) => f.severity === 'block');
  const warnings = p.findings.length - blocks.length;
  const verdict = blocks.length
    ? html`<p class="notice error" role="alert"><strong>A transfer of this cart would be blocked</strong> (${blocks.length} problem${blocks.length === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}); the buyer’s user would see the problems on the cart page.</p>`
    : html`<p class="notice ok" role="status"><strong>Nothing blocks this cart.</strong> ${warnings ? `${warnings} warning${warnings === 1 ? '' : 's'}: sent anyway, but worth a look.` : 'No warnings.'}</p>`;
  const dtd = p.dtd;
  const dtdLine =
    dtd.kind === 'valid'
      ? html`<span class="badge ok">valid</span> against cXML ${dtd.version} <span class="muted code">${dtd.file}</span>`
      : dtd.kind === 'invalid'
        ? html`<span class="badge error">not valid</span> against cXML ${dtd.version} <span class="muted code">${dtd.file}</span>`
        : dtd.kind === 'unavailable'
          ? html`<span class="badge warn">not checked</span> ${dtd.reason}`
          : html`<span class="badge muted">n/a</span> ${dtd.reason}`;
  return html`<section class="card" aria-labelledby="lint-h">
<h2 id="lint-h">Lint</h2>
${verdict}
${p.findings.length ? html`<ul class="findings">${p.findings.map(findingItem)}</ul>` : ''}
<p><strong>DTD:</strong> ${dtdLine}</p>
${dtd.kind === 'invalid' ? html`<details><summary>All ${dtd.errors.length} DTD message(s)</summary><pre class="code wrap">${dtd.errors.join('\n')}</pre></details>` : ''}
</section>`;
}

function valueRows(rows: readonly PreviewRow[]): Html[] {
  const out: Html[] = [];
  let current = -1;
  for (const r of rows) {
    if (r.line !== current) {
      current = r.line;
      out.push(html`<tr><th scope="rowgroup" colspan="4">${r.line === 0 ? 'Form and header' : `Line ${r.line}`}</th></tr>`);
    }
    out.push(html`<tr><td class="code nowrap">${r.name}</td><td class="code wrap">${r.value}</td><td class="nowrap"><code>${r.source}</code></td><td class="small">${r.note ?? ''}</td></tr>`);
  }
  return out;
}

function sentSection(p: CartPreview): Html {
  const doc = p.document;
  const isOci = p.connection.protocol === 'oci';
  return html`<section class="card" aria-labelledby="sent-h">
<h2 id="sent-h">What is sent</h2>
${doc ? html`<p class="muted">${doc.travelsAs}.</p>` : html`<p class="notice error">No document could be written for this cart; see the lint above.</p>`}
<div class="table-wrap"><table class="table values">
<thead><tr><th scope="col">${isOci ? 'Field' : 'Element'}</th><th scope="col">Value</th><th scope="col">Source</th><th scope="col">Note</th></tr></thead>
<tbody>${valueRows(p.rows)}</tbody>
</table></div>
${doc
  ? html`<details${isOci ? '' : html` open`}><summary>${isOci ? 'The HTML form as the browser gets it' : `The PunchOutOrderMessage (cXML ${p.connection.options.cxml.version})`}</summary>
<pre class="code"><code>${doc.text}</code></pre></details>`
  : ''}
</section>`;
}

function change(c: LineChange): Html {
  const kind = c.before === undefined ? 'added' : c.after === undefined ? 'removed' : 'changed';
  return html`<tr><td class="code nowrap">${c.field}</td><td>${kind}</td><td class="code wrap">${c.before ?? ''}</td><td class="code wrap">${c.after ?? ''}</td></tr>`;
}

function changesTable(changes: readonly LineChange[]): Html {
  return html`<div class="table-wrap"><table class="table">
<thead><tr><th scope="col">Field</th><th scope="col">Change</th><th scope="col">Last transfer sent</th><th scope="col">Now</th></tr></thead>
<tbody>${changes.map(change)}</tbody></table></div>`;
}

const STATUS: Record<LineDiff['status'], Html> = {
  added: html`<span class="badge ok">new line</span>`,
  removed: html`<span class="badge error">line not in this cart</span>`,
  changed: html`<span class="badge warn">changed</span>`,
  unchanged: html`<span class="badge muted">unchanged</span>`,
};

function lineDiff(l: LineDiff): Html {
  const where = [l.beforeLine !== undefined ? `then line ${l.beforeLine}` : '', l.afterLine !== undefined ? `now line ${l.afterLine}` : ''].filter(Boolean).join(', ');
  const title = html`${l.label} ${STATUS[l.status]} <span class="muted small">${where}</span>`;
  // A whole line added or gone is one fact; its fields are there for whoever wants them.
  return l.status === 'changed' ? html`<h3>${title}</h3>${changesTable(l.changes)}` : html`<details><summary>${title}</summary>${changesTable(l.changes)}</details>`;
}

function diffSection(p: CartPreview): Html {
  const d = p.diff;
  const why = html`<p class="muted">Compared with the last cart document sent on this connection. Neither the OCI form nor the cXML browser post gets an answer from the buyer, so Koppel cannot know whether the buyer accepted that cart: this is the <strong>last transfer sent</strong>, not the last one accepted. Aux IDs, payloadID and timestamps differ on every transfer and are not compared.</p>`;
  let body: Html;
  if (d.kind === 'none') body = html`<p>No earlier transfer: no cart has been sent on this connection yet.</p>`;
  else if (!p.document) body = html`<p class="notice warn">This cart cannot be written in the buyer’s format, so there is nothing to compare with the last transfer sent (${d.kind === 'diff' || d.kind === 'unreadable' ? d.sentAt.replace('T', ' ').slice(0, 19) : ''} UTC). Fix the blocking problems above first.</p>`;
  else if (d.kind === 'unreadable') body = html`<p class="notice warn">The last transfer sent (${d.sentAt.replace('T', ' ').slice(0, 19)} UTC) could not be read for comparison: ${d.reason}.</p>`;
  else {
    const changed = d.lines.filter((l) => l.status !== 'unchanged');
    const same = d.lines.length - changed.length;
    body = html`<p>Last transfer sent: ${d.sentAt.replace('T', ' ').slice(0, 19)} UTC (${d.docType}).
${changed.length === 0 && d.header.length === 0 ? html` <strong>No difference:</strong> this cart would be sent exactly as then.` : ''}</p>
${d.header.length ? html`<h3>Header</h3>${changesTable(d.header)}` : ''}
${changed.map(lineDiff)}
${same ? html`<p class="muted">${same} line${same === 1 ? '' : 's'} unchanged.</p>` : ''}`;
  }
  return html`<section class="card" aria-labelledby="diff-h">
<h2 id="diff-h">Difference from the last transfer sent</h2>
${why}
${body}
</section>`;
}

export function previewPage(request: FastifyRequest, p: CartPreview): Html {
  const c = p.connection;
  const body = html`<p><a href="/admin/connections/${c.id}">← ${c.name}</a></p>
<section class="card">
<h1>Preview: what ${c.name} receives</h1>
<p class="muted">Exactly what “Transfer cart” would send to this buyer now, with the source of every value, checked by the same lint that runs before every real transfer. Nothing is sent from this page.</p>
${connectionSummary(p)}
${chooser(p)}
</section>
${lintSection(p)}
${cartSection(p)}
${sentSection(p)}
${diffSection(p)}`;
  return adminPage(request, { title: `Preview · ${c.name}`, section: 'connections' }, body);
}
