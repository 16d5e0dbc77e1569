/**
 * The purchase order page's goods receipt and three-way match sections. Pure: from the order, its
 * lines, its receipts and the match result to Html. CSS classes as in src/sandbox/views.ts.
 */
import { Decimal, formatMoney, tryDec } from '../../protocol/money.js';
import { html, type Html } from '../../web/html.js';
import type { GoodsReceipt, PoLine, PurchaseOrder, SandboxPerson } from './model.js';
import { actorName } from './requisition-views.js';
import { receivedPerLine, type LineMatch, type MatchResult } from './match.js';

export interface ReceiptForm {
  readonly values: Record<string, string>;
  readonly problems: readonly { field: string; message: string }[];
}

export function receiptPath(poId: string): string {
  return `/sandbox/orders/${encodeURIComponent(poId)}/receipts`;
}

/** `person:sam` → Sam Okafor (the id when the person is unknown); other actors as recorded. */
function who(actor: string, people: readonly SandboxPerson[]): string {
  return actor.startsWith('person:') || actor.startsWith('rule:') ? actorName(people, actor) : actor;
}

function qty(value: string | Decimal, unit: string): string {
  const text = typeof value === 'string' ? value : value.toFixed();
  return unit ? `${text} ${unit}` : text;
}

export function receiptSection(
  po: PurchaseOrder,
  lines: readonly PoLine[],
  receipts: readonly GoodsReceipt[],
  form?: ReceiptForm,
  opts: { readonly people?: readonly SandboxPerson[]; /** The number of the receipt just recorded (after the redirect). */ readonly recorded?: string } = {},
): Html {
  const people = opts.people ?? [];
  const recorded = opts.recorded ? receipts.find((r) => r.number === opts.recorded) : undefined;
  const byLine = new Map(lines.map((l) => [l.lineNumber, l]));
  const received = receivedPerLine(receipts);
  const table =
    receipts.length === 0
      ? html`<p class="muted">Nothing received yet.</p>`
      : html`<div class="table-wrap"><table class="table receipts">
<thead><tr><th>Receipt</th><th>Received on</th><th>By</th><th>Lines</th><th>Note</th></tr></thead>
<tbody>
${receipts.map(
  (r) => html`<tr>
<td class="nowrap"><code class="token">${r.number}</code></td>
<td class="nowrap">${r.receivedOn}</td>
<td>${who(r.receivedBy, people)}</td>
<td>${r.lines.map((l, i) => {
    const unit = byLine.get(l.lineNumber)?.unit ?? '';
    const back = l.quantity.startsWith('-');
    return html`${i > 0 ? html`<br>` : ''}Line ${l.lineNumber}: ${back ? html`${qty(l.quantity.slice(1), unit)} sent back` : qty(l.quantity, unit)}`;
  })}</td>
<td>${r.note === '' ? html`<span class="muted">—</span>` : r.note}</td>
</tr>`,
)}
</tbody>
</table></div>`;
  return html`<section class="card" id="receipts">
<h2>Goods receipts</h2>
${recorded ? html`<div class="notice ok" role="status"><p>Goods receipt <code class="token">${recorded.number}</code> recorded.</p></div>` : ''}
${table}
${po.status === 'open'
    ? receiptFormHtml(po, lines, received, form)
    : html`${form && form.problems.length > 0 ? html`<div class="notice error" role="alert"><p>Nothing was recorded: ${form.problems.map((p) => p.message).join(' ')}</p></div>` : ''}
<p class="muted">Goods can be received only while the order is open; this one is ${po.status}.</p>`}
</section>`;
}

function receiptFormHtml(po: PurchaseOrder, lines: readonly PoLine[], received: Map<number, Decimal>, form: ReceiptForm | undefined): Html {
  const problems = form?.problems ?? [];
  const at = (field: string) => problems.filter((p) => p.field === field);
  const invalid = (field: string) => (at(field).length > 0 ? html` aria-invalid="true" aria-describedby="${field}-problem"` : html``);
  const shown = (field: string) => {
    const list = at(field);
    return list.length === 0 ? html`` : html`<span class="field-problem" id="${field}-problem">${list.map((p) => p.message).join(' ')}</span>`;
  };
  const value = (field: string, fallback: string) => (form ? (form.values[field] ?? '') : fallback);
  const fields = new Set(['receivedOn', 'note', ...lines.map((l) => `qty-${l.lineNumber}`)]);
  const elsewhere = problems.filter((p) => !fields.has(p.field));
  const outstanding = (l: PoLine) => Decimal.max(new Decimal(l.quantity).minus(received.get(l.lineNumber) ?? 0), 0);
  const allIn = lines.every((l) => outstanding(l).isZero());

  return html`<form method="post" action="${receiptPath(po.id)}" class="receipt-form" novalidate>
<h3>Record a goods receipt</h3>
${problems.length > 0
    ? html`<div class="notice error" role="alert"><p>Nothing was recorded. Please correct:</p><ul>${problems.map((p) => html`<li>${p.message}</li>`)}</ul></div>`
    : ''}
<p class="muted">${allIn
    ? 'Everything ordered has been received. Enter a negative quantity to record goods sent back.'
    : 'Each line is filled in with what is still outstanding; change it to what actually arrived, leave 0 for nothing, or enter a negative quantity for goods sent back.'}</p>
${elsewhere.length > 0 ? html`<p>${elsewhere.map((p) => html`<span class="field-problem">${p.message}</span>`)}</p>` : ''}
<div class="table-wrap"><table class="table receipt-lines">
<thead><tr><th class="num">Line</th><th>Item</th><th class="num">Ordered</th><th class="num">Received so far</th><th class="num">Receiving now</th></tr></thead>
<tbody>
${lines.map((l) => {
    const field = `qty-${l.lineNumber}`;
    return html`<tr>
<td class="num">${l.lineNumber}</td>
<td>${l.description}<br><span class="code muted small">${l.supplierPartID}</span></td>
<td class="num nowrap">${qty(l.quantity, l.unit)}${new Decimal(l.quantity).isZero() ? html`<br><span class="muted small">removed</span>` : ''}</td>
<td class="num nowrap">${qty(received.get(l.lineNumber) ?? new Decimal(0), l.unit)}</td>
<td class="num nowrap"><label><input name="${field}" value="${value(field, outstanding(l).toFixed())}" inputmode="decimal" size="8" aria-label="Line ${l.lineNumber} received"${invalid(field)}> <span class="muted small">${l.unit}</span></label>${shown(field)}</td>
</tr>`;
  })}
</tbody>
</table></div>
<div class="form-row">
<label class="field date"><span>Received on</span>
<input type="date" name="receivedOn" value="${value('receivedOn', '')}"${invalid('receivedOn')}>
<span class="hint">Empty: today. Not in the future.</span>${shown('receivedOn')}</label>
<label class="field"><span>Note</span>
<input name="note" value="${value('note', '')}" maxlength="2000"${invalid('note')}>
<span class="hint">e.g. delivery note number, damage.</span>${shown('note')}</label>
</div>
<div class="actions"><button type="submit" class="button primary">Record receipt</button></div>
</form>`;
}

const BADGE: Record<MatchResult['status'], Html> = {
  clean: html`<span class="badge ok">Match clean</span>`,
  differences: html`<span class="badge error">Differences</span>`,
  open: html`<span class="badge muted">Open</span>`,
};

/**
 * The match as the page shows it. `poStatus` (optional, default open) decides the wording: a
 * cancelled order expects nothing more, so it is never "open — still to come"; with nothing
 * received or invoiced it is only "Cancelled", otherwise the comparison stays (differences count).
 */
const CANCELLED_BADGE = html`<span class="badge muted">Cancelled</span>`;

export function matchSection(match: MatchResult, poStatus = 'open'): Html {
  const cancelled = poStatus === 'cancelled';
  const anything = match.lines.some((l) => !new Decimal(l.received).isZero() || !new Decimal(l.invoiced).isZero());
  if (cancelled && !anything) {
    return html`<section class="card" id="match">
<h2>Three-way match ${CANCELLED_BADGE}</h2>
<div class="notice info"><p>The order was cancelled; nothing more is expected.</p></div>
</section>`;
  }
  const todo = cancelled ? [] : match.lines.flatMap((l) => stillToCome(l));
  const summary = cancelled && match.status !== 'differences'
    ? html`<div class="notice info"><p>The order was cancelled; nothing more is expected. Below: what was received and invoiced before.</p></div>`
    : match.status === 'clean'
      ? html`<div class="notice ok"><p>Ordered, received and invoiced agree on every line, at the order's prices.</p></div>`
      : match.status === 'open'
        ? html`<div class="notice info"><p>Nothing contradicts the order so far. Still to come: ${todo.join('; ')}.</p></div>`
        : html`<div class="notice warning"><p>Order, receipts and invoices do not agree: see the differences below.</p>${
            match.orderDifferences.length > 0 ? html`<ul>${match.orderDifferences.map((d) => html`<li>${d}</li>`)}</ul>` : ''
          }</div>`;
  return html`<section class="card" id="match">
<h2>Three-way match ${cancelled && match.status !== 'differences' ? CANCELLED_BADGE : BADGE[match.status]}</h2>
${summary}
<div class="table-wrap"><table class="table match">
<thead><tr><th class="num">Line</th><th>Item</th><th class="num">Ordered</th><th class="num">Received</th><th class="num">Invoiced</th><th class="num">Ordered price</th><th class="num">Invoiced price</th><th>Differences</th></tr></thead>
<tbody>
${match.lines.map(
  (l) => html`<tr>
<td class="num">${l.lineNumber}</td>
<td>${l.description}</td>
<td class="num nowrap">${qty(l.ordered, l.unit)}</td>
<td class="num nowrap">${qty(l.received, l.unit)}</td>
<td class="num nowrap">${qty(l.invoiced, l.unit)}</td>
<td class="num nowrap">${price(l.orderedPrice, l.currency)}</td>
<td class="num nowrap">${l.invoicedPrice === undefined ? html`<span class="muted">—</span>` : price(l.invoicedPrice, l.currency)}</td>
<td>${l.differences.length === 0
    ? html`<span class="muted">${cancelled || stillToCome(l).length === 0 ? 'none' : 'none so far'}</span>`
    : html`<ul class="differences">${l.differences.map((d) => html`<li class="error-text">${d}</li>`)}</ul>`}</td>
</tr>`,
)}
</tbody>
</table></div>
</section>`;
}

/** `12.5` → `12.50 EUR`: at least the currency's minor units, as the documents show amounts. */
function price(value: string, currency: string): string {
  const d = tryDec(value);
  return `${d ? formatMoney(d, currency) : value} ${currency}`.trim();
}

/** What a line still waits for, in words ("line 2: 3 EA to receive"). */
function stillToCome(l: LineMatch): string[] {
  const ordered = new Decimal(l.ordered);
  const out: string[] = [];
  const toReceive = ordered.minus(l.received);
  const toInvoice = ordered.minus(l.invoiced);
  if (toReceive.gt(0)) out.push(`line ${l.lineNumber}: ${qty(toReceive, l.unit)} to receive`);
  if (toInvoice.gt(0)) out.push(`line ${l.lineNumber}: ${qty(toInvoice, l.unit)} to invoice`);
  return out;
}
