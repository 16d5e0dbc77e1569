/**
 * Views of the connection admin (/admin/connections): the list, the create/edit form, the detail
 * page, the maps page and the page that shows a new secret once. Pure: no I/O, no clock — the
 * routes pass every value in (including the CSRF field), so each view can be tested alone.
 */
import { DEFAULT_OPTIONS, type Connection, type Identity, type MappingSource, type ProductAttribute } from '../../domain/connection.js';

const { allowSapEvent: _sapEvent, ...ociDefaults } = DEFAULT_OPTIONS.oci;
import { SUPPORTED_CXML_VERSIONS } from '../../app/connection-admin.js';
import { OCI_ITEM_FIELDS } from '../../protocol/oci/fields.js';
import { html, type Html } from '../html.js';

export type Protocol = 'oci' | 'cxml';
export type Environment = 'test' | 'production';

// ---------------------------------------------------------------- form values

export interface IdentityRow {
  domain: string;
  identity: string;
}

/** The connection form as typed: strings and flags, so a refused form comes back unchanged. */
export interface ConnectionFormValues {
  id: string;
  name: string;
  buyerOrg: string;
  environment: string;
  protocol: Protocol;
  from: IdentityRow[];
  to: IdentityRow[];
  sender: IdentityRow[];
  ociUsername: string;
  returnUrlPrefixes: string;
  allowSapEvent: boolean;
  ipAllowList: string;
  frameAncestors: string;
  oci: {
    charset: string;
    usernameField: string;
    passwordField: string;
    hookUrlField: string;
    priceUnitMode: string;
    maxPriceDecimals: string;
    emitEmptyFields: boolean;
  };
  cxml: {
    version: string;
    formField: string;
    defaultTarget: string;
    cartShipping: boolean;
    shippingAmount: string;
    cartTax: boolean;
    taxRatePercent: string;
    totalIncludesExtras: boolean;
    taxRounding: string;
    documentUrl: string;
    paymentTermDays: string;
    invoiceTaxInLine: boolean;
  };
  symbolsAsText: boolean;
  maxLines: string;
  maxBytes: string;
}

/**
 * Problems of a submitted form: all of them for the summary above the form, the messages shown
 * next to a field (by field name), and the inputs to mark invalid (a row of a table).
 */
export interface FormProblems {
  readonly list: readonly string[];
  readonly byField: Readonly<Record<string, readonly string[]>>;
  readonly invalid: readonly string[];
}

export const NO_PROBLEMS: FormProblems = { list: [], byField: {}, invalid: [] };

const VERSION_NOTES: Readonly<Record<string, string>> = {
  '1.2.014': 'Coupa; conservative default',
  '1.2.071': 'latest; SAP Ariba',
};

/** DTD versions a connection may use: those the writer's output is validated against. */
export const CXML_VERSIONS: readonly { value: string; label: string }[] = SUPPORTED_CXML_VERSIONS.map((v) => ({
  value: v,
  label: VERSION_NOTES[v] ? `${v} — ${VERSION_NOTES[v]}` : v,
}));

/** Product attributes a field mapping can read, with the words an admin knows them by. */
export const ATTRIBUTE_LABELS: Readonly<Record<ProductAttribute, string>> = {
  sku: 'Article number (SKU)',
  name: 'Name',
  description: 'Description',
  manufacturer: 'Manufacturer',
  manufacturerPartId: 'Manufacturer part number',
  unspsc: 'UNSPSC code',
  unit: 'Unit (after the unit map)',
  category: 'Category',
  leadTimeDays: 'Lead time (days)',
  id: 'Product id',
};

export const PRODUCT_ATTRIBUTES = Object.keys(ATTRIBUTE_LABELS) as ProductAttribute[];

/** cXML ItemIn parts a mapping can fill; `Extrinsic:<name>` rows come on top. */
export const CXML_TARGETS: readonly { target: string; hint: string }[] = [
  { target: 'ShortName', hint: 'ItemDetail/Description/ShortName (Ariba shows ≤ 50 characters)' },
  { target: 'Description', hint: 'ItemDetail/Description text' },
  { target: 'ManufacturerName', hint: 'ItemDetail/ManufacturerName' },
  { target: 'ManufacturerPartID', hint: 'ItemDetail/ManufacturerPartID' },
  { target: 'Classification', hint: 'ItemDetail/Classification (domain set below)' },
  { target: 'LeadTime', hint: 'ItemDetail/LeadTime in days' },
  { target: 'URL', hint: 'ItemDetail/URL' },
];

export const EXTRINSIC_PREFIX = 'Extrinsic:';

function blankIdentities(n: number): IdentityRow[] {
  return Array.from({ length: n }, () => ({ domain: '', identity: '' }));
}

function rowsOf(ids: readonly Identity[]): IdentityRow[] {
  return ids.map((i) => ({ domain: i.domain, identity: i.identity }));
}

/** Values of a new connection's form; `prefill` comes from links such as "Add test connection". */
export function newConnectionValues(protocol: Protocol, prefill: { buyerOrg?: string; environment?: string; name?: string } = {}): ConnectionFormValues {
  return {
    id: '',
    name: prefill.name ?? '',
    buyerOrg: prefill.buyerOrg ?? '',
    environment: prefill.environment === 'production' ? 'production' : 'test',
    protocol,
    from: [],
    to: [],
    sender: [],
    ociUsername: '',
    returnUrlPrefixes: '',
    allowSapEvent: false,
    ipAllowList: '',
    frameAncestors: '',
    // A blank form starts from the same defaults a connection stored without options gets.
    oci: { ...ociDefaults, maxPriceDecimals: String(DEFAULT_OPTIONS.oci.maxPriceDecimals) },
    cxml: { ...DEFAULT_OPTIONS.cxml, paymentTermDays: String(DEFAULT_OPTIONS.cxml.paymentTermDays) },
    symbolsAsText: false,
    maxLines: '0',
    maxBytes: '0',
  };
}

export function valuesFromConnection(c: Connection): ConnectionFormValues {
  const { oci, cxml } = c.options;
  return {
    id: c.id,
    name: c.name,
    buyerOrg: c.buyerOrg,
    environment: c.environment,
    protocol: c.protocol,
    from: rowsOf(c.buyerIdentities),
    to: rowsOf(c.supplierIdentities),
    sender: rowsOf(c.senderIdentities),
    ociUsername: c.ociUsername ?? '',
    returnUrlPrefixes: c.returnUrlPrefixes.join('\n'),
    allowSapEvent: oci.allowSapEvent,
    ipAllowList: c.ipAllowList.join('\n'),
    frameAncestors: c.options.frameAncestors.join('\n'),
    oci: {
      charset: oci.charset,
      usernameField: oci.usernameField,
      passwordField: oci.passwordField,
      hookUrlField: oci.hookUrlField,
      priceUnitMode: oci.priceUnitMode,
      maxPriceDecimals: String(oci.maxPriceDecimals),
      emitEmptyFields: oci.emitEmptyFields,
    },
    cxml: {
      version: cxml.version,
      formField: cxml.formField,
      defaultTarget: cxml.defaultTarget,
      cartShipping: cxml.cartShipping,
      shippingAmount: cxml.shippingAmount,
      cartTax: cxml.cartTax,
      taxRatePercent: cxml.taxRatePercent,
      totalIncludesExtras: cxml.totalIncludesExtras,
      taxRounding: cxml.taxRounding,
      documentUrl: cxml.documentUrl,
      paymentTermDays: String(cxml.paymentTermDays),
      invoiceTaxInLine: cxml.invoiceTaxInLine,
    },
    symbolsAsText: c.options.textRules.symbolsAsText,
    maxLines: String(c.options.limits.maxLines),
    maxBytes: String(c.options.limits.maxBytes),
  };
}

// ---------------------------------------------------------------- small parts

export function protocolLabel(p: Protocol): string {
  return p === 'oci' ? 'OCI' : 'cXML';
}

export function environmentBadge(env: string): Html {
  return env === 'test' ? html`<span class="badge warn">test</span>` : html`<span class="badge">production</span>`;
}

export function enabledBadge(enabled: boolean): Html {
  return enabled ? html`<span class="badge ok">enabled</span>` : html`<span class="badge muted">disabled</span>`;
}

/** `2026-03-01 14:05 UTC` from stored ISO text. */
export function formatTime(iso: string): string {
  return `${iso.replace('T', ' ').slice(0, 16)} UTC`;
}

function identityText(ids: readonly Identity[]): string {
  return ids.map((i) => `${i.domain} ${i.identity}`).join(', ');
}

function orgLabel(c: Connection): string {
  return c.buyerOrg.trim() || c.name;
}

function problemsBox(p: FormProblems): Html | '' {
  if (p.list.length === 0) return '';
  return html`<div class="notice error" role="alert" id="problems">
<h2>${p.list.length === 1 ? 'Please correct this problem' : `Please correct these ${p.list.length} problems`}</h2>
<ul>${p.list.map((m) => html`<li>${m}</li>`)}</ul>
</div>`;
}

function fieldProblems(p: FormProblems, name: string): Html | '' {
  const list = p.byField[name];
  if (!list || list.length === 0) return '';
  return html`<span class="field-problem" id="${name}-problem">${list.join(' ')}</span>`;
}

/** Marks an input invalid; `shownAt` is the field whose message explains it (a table's, for a row). */
function invalidAttrs(p: FormProblems, name: string, shownAt = name): Html | '' {
  const invalid = (p.byField[name]?.length ?? 0) > 0 || p.invalid.includes(name);
  if (!invalid) return '';
  return p.byField[shownAt]?.length ? html` aria-invalid="true" aria-describedby="${shownAt}-problem"` : html` aria-invalid="true"`;
}

interface TextOptions {
  hint?: string | Html;
  required?: boolean;
  type?: string;
  autocomplete?: string;
  inputmode?: string;
  placeholder?: string;
  list?: string;
  pattern?: string;
}

/** Allowed (a buyer system on the local network, tests), but whoever listens on the way reads the secret. */
const PLAIN_HTTP_WARNING = 'This is http://, not https://: the outbound SharedSecret and every document travel in clear. Use https:// except for local testing.';

function plainHttp(url: string): boolean {
  return /^http:\/\//i.test(url.trim());
}

function textField(p: FormProblems, name: string, label: string, value: string, o: TextOptions = {}): Html {
  return html`<label class="field"><span>${label}</span>
<input name="${name}" value="${value}" type="${o.type ?? 'text'}"${o.required ? html` required` : ''}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${o.inputmode ? html` inputmode="${o.inputmode}"` : ''}${o.placeholder ? html` placeholder="${o.placeholder}"` : ''}${o.list ? html` list="${o.list}"` : ''}${o.pattern ? html` pattern="${o.pattern}"` : ''}${invalidAttrs(p, name)}>
${fieldProblems(p, name)}${o.hint ? html`<span class="hint">${o.hint}</span>` : ''}</label>`;
}

function textArea(p: FormProblems, name: string, label: string, value: string, hint: string | Html, rows = 4): Html {
  return html`<label class="field"><span>${label}</span>
<textarea name="${name}" rows="${rows}" spellcheck="false"${invalidAttrs(p, name)}>${value}</textarea>
${fieldProblems(p, name)}<span class="hint">${hint}</span></label>`;
}

function selectField(p: FormProblems, name: string, label: string, value: string, options: readonly (readonly [string, string])[], hint?: string): Html {
  // A stored value outside the list (hand-written JSON) stays selectable, so saving never changes it silently.
  const all = options.some(([v]) => v === value) || value === '' ? options : [...options, [value, value] as const];
  return html`<label class="field"><span>${label}</span>
<select name="${name}"${invalidAttrs(p, name)}>${all.map(([v, l]) => html`<option value="${v}"${v === value ? html` selected` : ''}>${l}</option>`)}</select>
${fieldProblems(p, name)}${hint ? html`<span class="hint">${hint}</span>` : ''}</label>`;
}

function checkbox(name: string, label: string, checked: boolean): Html {
  return html`<label><input type="checkbox" name="${name}" value="1"${checked ? html` checked` : ''}> ${label}</label>`;
}

/** Filters are links, not a form: nothing to submit, and viewers see no forms at all. */
function chip(label: string, href: string, current: boolean): Html {
  return html`<a href="${href}" class="chip"${current ? html` aria-current="true"` : ''}>${label}</a>`;
}

// ---------------------------------------------------------------- list

export interface ConnectionListRow {
  connection: Connection;
  /** Latest document-log entry of the connection (ISO), if any. */
  lastActivity: string | null;
}

export interface ConnectionListView {
  rows: readonly ConnectionListRow[];
  filter: { protocol?: Protocol; environment?: Environment };
  canEdit: boolean;
  /** How many connections exist without the filter. */
  total: number;
}

function listHref(filter: { protocol?: Protocol | undefined; environment?: Environment | undefined }): string {
  const q = new URLSearchParams();
  if (filter.protocol) q.set('protocol', filter.protocol);
  if (filter.environment) q.set('environment', filter.environment);
  const s = q.toString();
  return s ? `/admin/connections?${s}` : '/admin/connections';
}

function connectionBlock(row: ConnectionListRow): Html {
  const c = row.connection;
  const who =
    c.protocol === 'oci'
      ? html`OCI user <code>${c.ociUsername ?? '—'}</code>`
      : html`From <span class="code">${identityText(c.buyerIdentities) || '—'}</span>`;
  return html`<div class="conn">
<a href="/admin/connections/${c.id}" class="conn-name">${c.name}</a> <span class="muted code small">${c.id}</span>
<div class="conn-meta"><span class="badge">${protocolLabel(c.protocol)}</span> ${environmentBadge(c.environment)} ${enabledBadge(c.enabled)}</div>
<div class="small">${who}</div>
<div class="small muted">${row.lastActivity ? `Last activity ${formatTime(row.lastActivity)}` : 'No activity yet'}</div>
</div>`;
}

export function connectionListBody(v: ConnectionListView): Html {
  const groups = new Map<string, ConnectionListRow[]>();
  for (const row of v.rows) {
    const key = orgLabel(row.connection);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const orgs = [...groups.keys()].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
  const envs: Environment[] = v.filter.environment ? [v.filter.environment] : ['test', 'production'];
  const f = v.filter;

  const cell = (org: string, rows: ConnectionListRow[], env: Environment): Html => {
    const here = rows.filter((r) => r.connection.environment === env);
    if (here.length > 0) return html`<td>${here.map(connectionBlock)}</td>`;
    const sibling = rows[0]!.connection;
    // The usual case: a buyer has production and wants a test realm (or the other way round).
    const add = v.canEdit
      ? html`<a class="small" href="/admin/connections/new?${new URLSearchParams({ protocol: sibling.protocol, buyerOrg: org, environment: env }).toString()}">Add ${env} connection</a>`
      : '';
    return html`<td><span class="muted">—</span> ${add}</td>`;
  };

  const table =
    orgs.length === 0
      ? html`<p class="empty">${v.total === 0 ? 'No connections yet.' : 'No connection matches this filter.'}</p>`
      : html`<div class="table-wrap"><table class="table connections">
<thead><tr><th scope="col">Buyer organisation</th>${envs.map((e) => html`<th scope="col">${e === 'test' ? 'Test' : 'Production'}</th>`)}</tr></thead>
<tbody>${orgs.map((org) => {
          const rows = groups.get(org)!;
          return html`<tr><th scope="row">${org}</th>${envs.map((e) => cell(org, rows, e))}</tr>`;
        })}</tbody>
</table></div>`;

  return html`<section>
<div class="page-head">
<div><h1>Connections</h1>
<p class="muted">One connection per buyer system: how it logs in, where carts may go, and what its system needs.</p></div>
${v.canEdit ? html`<a class="button" href="/admin/connections/new">New connection</a>` : ''}
</div>
<nav class="filters" aria-label="Filter connections">
<span class="muted small">Protocol</span>
${chip('All', listHref({ environment: f.environment }), !f.protocol)}
${chip('OCI', listHref({ ...f, protocol: 'oci' }), f.protocol === 'oci')}
${chip('cXML', listHref({ ...f, protocol: 'cxml' }), f.protocol === 'cxml')}
<span class="muted small">Environment</span>
${chip('All', listHref({ protocol: f.protocol }), !f.environment)}
${chip('Test', listHref({ ...f, environment: 'test' }), f.environment === 'test')}
${chip('Production', listHref({ ...f, environment: 'production' }), f.environment === 'production')}
</nav>
${table}
</section>`;
}

// ---------------------------------------------------------------- create / edit form

/** First step of "New connection": the protocol decides which fields the form needs. */
export function protocolChoiceBody(prefill: URLSearchParams): Html {
  const link = (protocol: Protocol) => {
    const q = new URLSearchParams(prefill);
    q.set('protocol', protocol);
    return `/admin/connections/new?${q.toString()}`;
  };
  return html`<section>
<h1>New connection</h1>
<p>Which protocol does the buyer's procurement system speak?</p>
<div class="grid">
<a class="card choice" href="${link('oci')}"><strong>SAP OCI</strong><span class="muted">SAP SRM, S/4HANA, ECC (MM), and other systems with an OCI catalog call (user name, password, HOOK_URL).</span></a>
<a class="card choice" href="${link('cxml')}"><strong>cXML</strong><span class="muted">SAP Ariba, Coupa, Jaggaer, Oracle and other systems that send a PunchOutSetupRequest (identities and a SharedSecret).</span></a>
</div>
<p><a href="/admin/connections">Back to the connections</a></p>
</section>`;
}

function identityTable(p: FormProblems, key: 'from' | 'to' | 'sender', title: string, hint: string, rows: IdentityRow[]): Html {
  const filled = rows.filter((r) => r.domain !== '' || r.identity !== '');
  const all = [...filled, ...blankIdentities(Math.max(3 - filled.length, 1))];
  return html`<div class="identity-block">
<h3>${title}</h3>
<p class="hint">${hint}</p>
${fieldProblems(p, key)}
<table class="rows">
<thead><tr><th scope="col">Domain</th><th scope="col">Identity</th></tr></thead>
<tbody>${all.map(
    (r, i) => html`<tr>
<td><input name="${key}_domain_${i}" value="${r.domain}" list="credential-domains" aria-label="${title} ${i + 1}: domain"${invalidAttrs(p, `${key}_${i}`, key)}></td>
<td><input name="${key}_identity_${i}" value="${r.identity}" aria-label="${title} ${i + 1}: identity" class="code"${invalidAttrs(p, `${key}_${i}`, key)}></td>
</tr>`,
  )}</tbody>
</table>
</div>`;
}

export interface ConnectionFormView {
  mode: 'create' | 'edit';
  values: ConnectionFormValues;
  problems: FormProblems;
  csrf: Html;
}

/** The form shared by "New connection" and the detail page's edit section. */
export function connectionForm(v: ConnectionFormView): Html {
  const { values: x, problems: p } = v;
  const action = v.mode === 'create' ? '/admin/connections' : `/admin/connections/${x.id}`;
  const oci = x.protocol === 'oci';
  const otherProtocol: Protocol = oci ? 'cxml' : 'oci';

  const basics = html`<fieldset>
<legend>Connection</legend>
<div class="form-row">
${
  v.mode === 'create'
    ? textField(p, 'id', 'Connection id', x.id, {
        required: true,
        pattern: '[a-z0-9][a-z0-9\\-]{0,62}',
        hint: oci ? html`Lower-case letters, digits and dashes. Part of the catalog URL <code>/punchout/oci/&lt;id&gt;</code>; it cannot be changed later.` : 'Lower-case letters, digits and dashes; it cannot be changed later.',
      })
    : html`<div class="field"><span>Connection id</span><code>${x.id}</code></div>`
}
${textField(p, 'name', 'Name', x.name, { required: true, hint: 'Shown in the admin and the document log, e.g. "ACME SRM production".' })}
</div>
<div class="form-row">
${textField(p, 'buyerOrg', 'Buyer organisation', x.buyerOrg, { required: true, hint: 'Groups the test and production connections of one buyer.' })}
${selectField(p, 'environment', 'Environment', x.environment, [
  ['test', 'Test (buyer QA system, Ariba test realm)'],
  ['production', 'Production'],
])}
<div class="field"><span>Protocol</span><span><strong>${oci ? 'SAP OCI' : 'cXML'}</strong>${
    v.mode === 'create' ? html` · <a href="/admin/connections/new?protocol=${otherProtocol}">use ${protocolLabel(otherProtocol)} instead</a>` : ''
  }</span><input type="hidden" name="protocol" value="${x.protocol}"></div>
</div>
</fieldset>`;

  const login = oci
    ? html`<fieldset>
<legend>Login</legend>
${textField(p, 'ociUsername', 'OCI user name', x.ociUsername, { required: true, autocomplete: 'off', hint: 'The fixed USERNAME value in the buyer\'s catalog call structure.' })}
</fieldset>`
    : html`<fieldset class="identities">
<legend>Identities</legend>
<p class="hint">Domain and identity exactly as the buyer's system writes them. SAP Ariba: domain <code>NetworkID</code>, identity the ANID (<code>AN01234567890</code>; test realms end in <code>-T</code>). Coupa: domain <code>DUNS</code> with the DUNS number by default. Domains compare case-insensitively, identities exactly.</p>
<datalist id="credential-domains"><option value="NetworkID"><option value="DUNS"><option value="AribaNetworkUserId"><option value="NetworkUserId"><option value="buyersystemid"></datalist>
<div class="identity-grid">
${identityTable(p, 'from', 'From (buyer)', 'Any of these finds this connection.', x.from)}
${identityTable(p, 'to', 'To (us, as the buyer names us)', 'Empty = not checked.', x.to)}
${identityTable(p, 'sender', 'Sender (carries the SharedSecret)', 'Ariba sends its own network identity here; most others repeat From.', x.sender)}
</div>
</fieldset>`;

  const returns = html`<fieldset>
<legend>Where carts may go</legend>
${textArea(
  p,
  'returnUrlPrefixes',
  oci ? 'Allowed return URL prefixes (HOOK_URL)' : 'Allowed return URL prefixes (BrowserFormPost)',
  x.returnUrlPrefixes,
  html`One per line. <code>https://srm.buyer.example</code> = that host, any path; <code>https://srm.buyer.example/sap/bc/</code> = URLs starting with it; <code>https://*.buyer.example/</code> = any subdomain; <code>*</code> = any http(s) URL (testing only).`,
)}
${oci ? html`${checkbox('allowSapEvent', 'Allow SAPEVENT: return URLs (SAP GUI)', x.allowSapEvent)}<p class="hint">SAP GUI's HTML control sends <code>HOOK_URL=SAPEVENT:POST</code> instead of a web address (ECC/S/4 purchase requisitions in the GUI).</p>` : ''}
${textArea(p, 'ipAllowList', 'IP allow-list', x.ipAllowList, html`One address or CIDR range per line, e.g. <code>203.0.113.0/24</code>. Empty = calls from any address.`, 3)}
${textArea(p, 'frameAncestors', 'Sites that may frame the shop', x.frameAncestors, html`One origin per line, e.g. <code>https://*.ariba.com</code> or <code>https://srm.buyer.example</code>. Empty = any site (many procurement systems show the shop in an iframe). The admin itself is never framed.`, 2)}
</fieldset>`;

  const options = oci
    ? html`<fieldset class="wide">
<legend>OCI options</legend>
<div class="form-row">
${selectField(p, 'oci_charset', 'Cart charset', x.oci.charset, [
  ['UTF-8', 'UTF-8'],
  ['ISO-8859-1', 'ISO-8859-1 (older SAP systems)'],
])}
${selectField(
  p,
  'oci_priceUnitMode',
  'Price unit',
  x.oci.priceUnitMode,
  [
    ['price-unit', 'Use PRICEUNIT for small prices (per 10, 100 …)'],
    ['per-unit', 'Always per 1 unit (buyer ignores PRICEUNIT)'],
  ],
)}
${textField(p, 'oci_maxPriceDecimals', 'Max price decimals', x.oci.maxPriceDecimals, { inputmode: 'numeric', hint: 'SAP reads 3; some buyers fewer.' })}
</div>
<div class="form-row">
${textField(p, 'oci_usernameField', 'User name field', x.oci.usernameField, { hint: 'Usually USERNAME.' })}
${textField(p, 'oci_passwordField', 'Password field', x.oci.passwordField, { hint: 'Usually PASSWORD.' })}
${textField(p, 'oci_hookUrlField', 'Return URL field', x.oci.hookUrlField, { hint: 'Usually HOOK_URL.' })}
</div>
${checkbox('oci_emitEmptyFields', 'Send every NEW_ITEM field, even when empty', x.oci.emitEmptyFields)}
</fieldset>`
    : html`<fieldset class="wide">
<legend>cXML options</legend>
<div class="form-row">
${selectField(
  p,
  'cxml_version',
  'DTD version written',
  x.cxml.version,
  CXML_VERSIONS.map((o) => [o.value, o.label] as const),
)}
${selectField(p, 'cxml_formField', 'Cart form field', x.cxml.formField, [
  ['cXML-base64', 'cXML-base64 (recommended)'],
  ['cXML-urlencoded', 'cXML-urlencoded'],
])}
${textField(p, 'cxml_defaultTarget', 'Default form target', x.cxml.defaultTarget, { list: 'form-targets', hint: 'Used when the buyer sends no ReturnFrame extrinsic.' })}
<datalist id="form-targets"><option value="_self"><option value="_top"><option value="_parent"></datalist>
</div>
<div class="form-row">
<div class="field"><span>Shipping</span>${checkbox('cxml_cartShipping', 'Cart carries shipping', x.cxml.cartShipping)}</div>
${textField(p, 'cxml_shippingAmount', 'Flat shipping amount', x.cxml.shippingAmount, { inputmode: 'decimal' })}
<div class="field"><span>Tax</span>${checkbox('cxml_cartTax', 'Cart carries tax', x.cxml.cartTax)}</div>
${textField(p, 'cxml_taxRatePercent', 'Tax rate (%)', x.cxml.taxRatePercent, { inputmode: 'decimal' })}
</div>
<div class="form-row">
${selectField(p, 'cxml_taxRounding', 'Tax rounding', x.cxml.taxRounding, [
  ['line', 'Per line'],
  ['document', 'Once on the document'],
])}
<div class="field"><span>Header total</span>${checkbox('cxml_totalIncludesExtras', 'Total includes shipping and tax', x.cxml.totalIncludesExtras)}</div>
</div>
<h3>Documents after the order</h3>
<div class="form-row">
${textField(p, 'cxml_documentUrl', 'Document URL', x.cxml.documentUrl, { inputmode: 'url', hint: plainHttp(x.cxml.documentUrl) ? html`Where confirmations, ship notices and invoices are posted (http:// or https://). Empty: none can be sent. <strong class="error-text">${PLAIN_HTTP_WARNING}</strong>` : 'Where confirmations, ship notices and invoices are posted (http:// or https://). Empty: none can be sent.' })}
${textField(p, 'cxml_paymentTermDays', 'Payment term (days)', x.cxml.paymentTermDays, { inputmode: 'numeric', hint: 'Written on invoices; 0 to 365, 0 = not written.' })}
<div class="field"><span>Invoice tax</span>${checkbox('cxml_invoiceTaxInLine', 'Tax on every invoice line', x.cxml.invoiceTaxInLine)}</div>
</div>
</fieldset>`;

  const textAndLimits = html`<fieldset>
<legend>Text and limits</legend>
${checkbox('symbolsAsText', '™ ® © as text (TM) (R) (C) — Coupa', x.symbolsAsText)}
<div class="form-row">
${textField(p, 'maxLines', 'Max cart lines', x.maxLines, { inputmode: 'numeric', hint: '0 = no limit.' })}
${textField(p, 'maxBytes', 'Max cart size (bytes)', x.maxBytes, { inputmode: 'numeric', hint: '0 = no limit.' })}
</div>
</fieldset>`;

  const secret =
    v.mode === 'create'
      ? html`<fieldset>
<legend>${oci ? 'Password' : 'SharedSecret'}</legend>
${textField(p, 'secret', oci ? 'OCI password (optional)' : 'SharedSecret (optional)', '', {
  type: 'password',
  autocomplete: 'new-password',
  hint: 'Leave empty and Koppel generates a strong one. Either way it is shown once after saving, and stored only as a hash.',
})}
</fieldset>`
      : '';

  return html`<form method="post" action="${action}" class="connection-form" novalidate>
${v.csrf}
${problemsBox(p)}
${basics}
<div class="form-grid">
${login}
${returns}
${options}
${textAndLimits}
${secret}
</div>
<div class="actions"><button type="submit" class="button primary">${v.mode === 'create' ? 'Create connection' : 'Save changes'}</button>
<a href="${v.mode === 'create' ? '/admin/connections' : `/admin/connections/${x.id}`}">Cancel</a></div>
</form>`;
}

export function newConnectionBody(v: ConnectionFormView): Html {
  return html`<section class="card">
<h1>New ${protocolLabel(v.values.protocol)} connection</h1>
${connectionForm(v)}
</section>`;
}

// ---------------------------------------------------------------- what the buyer configures

function buyerSetup(c: Connection, baseUrl: string, secret?: string): Html {
  const secretCell = secret !== undefined ? html`<code class="secret-inline">${secret}</code>` : html`<span class="muted">the one given to the buyer (shown once when it was made)</span>`;
  if (c.protocol === 'oci') {
    const o = c.options.oci;
    return html`<dl class="kv">
<dt>Catalog URL</dt><dd><code>${baseUrl}/punchout/oci/${c.id}</code> (GET or POST)</dd>
<dt>Fixed parameter</dt><dd><code>${o.usernameField}</code> = <code>${c.ociUsername ?? ''}</code></dd>
<dt>Fixed parameter</dt><dd><code>${o.passwordField}</code> = ${secretCell}</dd>
<dt>Return URL parameter</dt><dd><code>${o.hookUrlField}</code> (type "return URL")</dd>
</dl>`;
  }
  return html`<dl class="kv">
<dt>Endpoint</dt><dd><code>${baseUrl}/cxml</code> (ProfileRequest, PunchOutSetupRequest, OrderRequest)</dd>
<dt>From</dt><dd class="code">${identityText(c.buyerIdentities) || '—'}</dd>
<dt>To</dt><dd class="code">${identityText(c.supplierIdentities) || '— (not checked)'}</dd>
<dt>Sender</dt><dd class="code">${identityText(c.senderIdentities) || '—'}</dd>
<dt>SharedSecret</dt><dd>${secretCell}</dd>
<dt>Cart field</dt><dd><code>${c.options.cxml.formField}</code></dd>
</dl>`;
}

// ---------------------------------------------------------------- secret shown once

export interface SecretOnceView {
  connection: Connection;
  secret: string;
  baseUrl: string;
  /** 'created' after "New connection", 'rotated' after "Rotate secret". */
  reason: 'created' | 'rotated';
  previousValidUntil?: string | null;
}

export function secretOnceBody(v: SecretOnceView): Html {
  const c = v.connection;
  const what = c.protocol === 'oci' ? 'OCI password' : 'SharedSecret';
  const overlap =
    v.reason === 'rotated'
      ? v.previousValidUntil
        ? html`<p>The previous ${what} is still accepted until <strong>${formatTime(v.previousValidUntil)}</strong>, so the buyer can switch in that time.</p>`
        : html`<p>The previous ${what} no longer works.</p>`
      : '';
  return html`<section class="card">
<h1>${v.reason === 'created' ? `Connection "${c.name}" created` : `New ${what} for "${c.name}"`}</h1>
<div class="notice warn" role="alert">
<p><strong>Copy it now; it will not be shown again.</strong> Koppel keeps only a hash of it. If it gets lost, rotate the secret and give the buyer the new one.</p>
</div>
<p class="secret-label">${what}</p>
<p class="secret-value" aria-label="${what}">${v.secret}</p>
${overlap}
<h2>What the buyer configures</h2>
${buyerSetup(c, v.baseUrl, v.secret)}
<div class="actions"><a class="button" href="/admin/connections/${c.id}">Go to the connection</a><a class="button secondary" href="/admin/connections/${c.id}/maps">Units and field mapping</a></div>
</section>`;
}

// ---------------------------------------------------------------- detail

export interface DetailView {
  connection: Connection;
  baseUrl: string;
  canEdit: boolean;
  csrf: Html;
  outboundSecretSet: boolean;
  /** ISO now, to say whether the previous secret is still accepted. */
  now: string;
  lastActivity: string | null;
  priceListName: string | null;
  /** Shown above everything after a change (fixed texts chosen by the routes). */
  notice?: { kind: 'ok' | 'error'; text: string };
  /** The edit form when it comes back refused. */
  form?: { values: ConnectionFormValues; problems: FormProblems };
  /** Problems of the rotation or outbound-secret forms. */
  secretProblems?: readonly string[];
}

function yesNo(b: boolean): string {
  return b ? 'yes' : 'no';
}

/** Every setting, read-only: what viewers see instead of the edit form. */
function settingsList(c: Connection, priceListName: string | null): Html {
  const o = c.options;
  const lines = (xs: readonly string[]) => (xs.length ? html`${xs.map((x) => html`<code>${x}</code><br>`)}` : html`<span class="muted">none</span>`);
  const protocolPart =
    c.protocol === 'oci'
      ? html`<dt>OCI user name</dt><dd><code>${c.ociUsername ?? '—'}</code></dd>
<dt>SAPEVENT: return URLs</dt><dd>${o.oci.allowSapEvent ? 'allowed (SAP GUI)' : 'not allowed'}</dd>
<dt>Charset</dt><dd>${o.oci.charset}</dd>
<dt>Credential fields</dt><dd><code>${o.oci.usernameField}</code>, <code>${o.oci.passwordField}</code>, <code>${o.oci.hookUrlField}</code></dd>
<dt>Price unit</dt><dd>${o.oci.priceUnitMode === 'per-unit' ? 'always per 1 unit' : 'PRICEUNIT for small prices'}</dd>
<dt>Max price decimals</dt><dd>${o.oci.maxPriceDecimals}</dd>
<dt>Empty optional fields</dt><dd>${o.oci.emitEmptyFields ? 'sent' : 'left out'}</dd>`
      : html`<dt>From (buyer)</dt><dd class="code">${identityText(c.buyerIdentities) || '—'}</dd>
<dt>To (us)</dt><dd class="code">${identityText(c.supplierIdentities) || '—'}</dd>
<dt>Sender</dt><dd class="code">${identityText(c.senderIdentities) || '—'}</dd>
<dt>DTD version</dt><dd>${o.cxml.version}</dd>
<dt>Cart form field</dt><dd><code>${o.cxml.formField}</code></dd>
<dt>Default target</dt><dd><code>${o.cxml.defaultTarget}</code></dd>
<dt>Shipping in cart</dt><dd>${o.cxml.cartShipping ? `yes, flat ${o.cxml.shippingAmount}` : 'no'}</dd>
<dt>Tax in cart</dt><dd>${o.cxml.cartTax ? `yes, ${o.cxml.taxRatePercent} %, rounded ${o.cxml.taxRounding === 'line' ? 'per line' : 'on the document'}` : 'no'}</dd>
<dt>Header total includes shipping/tax</dt><dd>${yesNo(o.cxml.totalIncludesExtras)}</dd>
<dt>Document URL</dt><dd>${o.cxml.documentUrl ? html`<code>${o.cxml.documentUrl}</code>${plainHttp(o.cxml.documentUrl) ? html` <span class="badge warn">not encrypted</span><br><span class="small">${PLAIN_HTTP_WARNING}</span>` : ''}` : html`<span class="muted">none: confirmations, ship notices and invoices cannot be sent</span>`}</dd>
<dt>Payment term</dt><dd>${o.cxml.paymentTermDays > 0 ? `${o.cxml.paymentTermDays} days` : 'not written'}</dd>
<dt>Invoice tax</dt><dd>${o.cxml.invoiceTaxInLine ? 'on every line and in the summary' : 'in the summary only'}</dd>`;
  return html`<dl class="kv">
<dt>Connection id</dt><dd><code>${c.id}</code></dd>
<dt>Name</dt><dd>${c.name}</dd>
<dt>Buyer organisation</dt><dd>${c.buyerOrg}</dd>
<dt>Environment</dt><dd>${c.environment}</dd>
<dt>Protocol</dt><dd>${protocolLabel(c.protocol)}</dd>
${protocolPart}
<dt>Allowed return URL prefixes</dt><dd>${lines(c.returnUrlPrefixes)}</dd>
<dt>IP allow-list</dt><dd>${c.ipAllowList.length ? lines(c.ipAllowList) : html`<span class="muted">any address</span>`}</dd>
<dt>Sites that may frame the shop</dt><dd>${o.frameAncestors.length ? lines(o.frameAncestors) : html`<span class="muted">any site</span>`}</dd>
<dt>™ ® © as text</dt><dd>${yesNo(o.textRules.symbolsAsText)}</dd>
<dt>Limits</dt><dd>${o.limits.maxLines ? `${o.limits.maxLines} lines` : 'no line limit'}, ${o.limits.maxBytes ? `${o.limits.maxBytes} bytes` : 'no size limit'}</dd>
<dt>Price list</dt><dd>${priceListName ?? 'none — catalog prices'}</dd>
</dl>`;
}

function secretsCard(v: DetailView): Html {
  const c = v.connection;
  const what = c.protocol === 'oci' ? 'OCI password' : 'SharedSecret';
  let previous: Html | '' = '';
  if (c.previousValidUntil) {
    previous =
      c.previousValidUntil > v.now
        ? html`<p class="notice warn">The previous ${what} is still accepted until <strong>${formatTime(c.previousValidUntil)}</strong>.</p>`
        : html`<p class="muted">The previous ${what} stopped working at ${formatTime(c.previousValidUntil)}.</p>`;
  }
  const rotate = v.canEdit
    ? html`<form method="post" action="/admin/connections/${c.id}/rotate" class="rotate">
${v.csrf}
<fieldset><legend>Rotate the ${what}</legend>
<p class="hint">Koppel makes a new one and shows it once. Choose how long the current one keeps working, so the buyer can switch without an outage.</p>
<div class="radios">
<label><input type="radio" name="overlap" value="none" checked> No overlap — stops at once</label>
<label><input type="radio" name="overlap" value="24h"> 24 hours</label>
<label><input type="radio" name="overlap" value="7d"> 7 days</label>
<label><input type="radio" name="overlap" value="date"> Until the end of this day (UTC):</label>
<input type="date" name="overlapDate" aria-label="Old secret accepted until (date)">
</div>
<button type="submit" class="button danger">Rotate secret</button>
</fieldset>
</form>`
    : '';
  const outbound = v.canEdit
    ? html`<form method="post" action="/admin/connections/${c.id}/outbound-secret" class="form-row outbound">
${v.csrf}
<label class="field"><span>${v.outboundSecretSet ? 'Replace outbound secret' : 'Set outbound secret'}</span><input type="password" name="outboundSecret" autocomplete="new-password" required></label>
<button type="submit" class="button secondary">Save outbound secret</button>
</form>`
    : '';
  return html`<section class="card" id="secrets">
<h2>Secrets</h2>
${v.secretProblems?.length ? html`<div class="notice error" role="alert"><ul>${v.secretProblems.map((m) => html`<li>${m}</li>`)}</ul></div>` : ''}
<dl class="kv">
<dt>Inbound ${what}</dt><dd>${c.secretHash ? html`<span class="badge ok">set</span>` : html`<span class="badge error">not set</span>`} <span class="muted small">stored as a hash; never shown again</span></dd>
</dl>
${previous}
${rotate}
<dl class="kv">
<dt>Outbound secret</dt><dd>${v.outboundSecretSet ? html`<span class="badge ok">set</span>` : html`<span class="badge muted">not set</span>`} <span class="muted small">what Koppel sends when it posts documents to the buyer (confirmations, ship notices, invoices)</span></dd>
</dl>
${c.protocol === 'cxml' && plainHttp(c.options.cxml.documentUrl) ? html`<div class="notice warn" role="status"><p>Documents go to <code>${c.options.cxml.documentUrl}</code>. ${PLAIN_HTTP_WARNING}</p></div>` : ''}
${outbound}
</section>`;
}

export function detailBody(v: DetailView): Html {
  const c = v.connection;
  const statusCard = html`<section class="card" id="status">
<h2>Status</h2>
<p>${enabledBadge(c.enabled)} ${c.enabled ? 'The buyer can punch out and send orders.' : 'Every punchout and order from this buyer is refused.'}
<span class="muted">${v.lastActivity ? `Last activity ${formatTime(v.lastActivity)}.` : 'No activity yet.'}</span></p>
${
  v.canEdit
    ? html`<form method="post" action="/admin/connections/${c.id}/enabled">
${v.csrf}<input type="hidden" name="enabled" value="${c.enabled ? '0' : '1'}">
<button type="submit" class="${c.enabled ? 'button secondary danger' : 'button'}">${c.enabled ? 'Disable connection' : 'Enable connection'}</button>
</form>`
    : ''
}
</section>`;

  const settings = v.canEdit
    ? html`<section class="card" id="settings">
<h2>Settings</h2>
${connectionForm({ mode: 'edit', values: v.form?.values ?? valuesFromConnection(c), problems: v.form?.problems ?? NO_PROBLEMS, csrf: v.csrf })}
</section>`
    : html`<section class="card" id="settings">
<h2>Settings</h2>
${settingsList(c, v.priceListName)}
</section>`;

  return html`<p class="breadcrumbs"><a href="/admin/connections">Connections</a> › ${orgLabel(c)}</p>
<div class="page-head">
<div><h1>${c.name}</h1>
<p class="conn-meta"><span class="badge">${protocolLabel(c.protocol)}</span> ${environmentBadge(c.environment)} ${enabledBadge(c.enabled)} <code>${c.id}</code></p></div>
<div class="actions"><a class="button secondary" href="/admin/connections/${c.id}/maps">Units, currencies, field mapping</a><a class="button secondary" href="/admin/connections/${c.id}/preview">Preview what this buyer receives</a><a class="button secondary" href="/admin/connections/${c.id}/onboarding">Onboarding sheet</a><a class="button secondary" href="/admin/documents?connection=${c.id}">Documents</a></div>
</div>
${v.notice ? html`<p class="notice ${v.notice.kind}" role="status">${v.notice.text}</p>` : ''}
<section class="card">
<h2>What the buyer configures</h2>
${buyerSetup(c, v.baseUrl)}
</section>
${v.form ? settings : ''}
${statusCard}
${secretsCard(v)}
${v.form ? '' : settings}`;
}

// ---------------------------------------------------------------- maps

export interface MapRow {
  from: string;
  to: string;
}

export type SourceKind = 'default' | 'attribute' | 'constant' | 'empty';

export interface MappingRowValues {
  kind: SourceKind;
  attribute: string;
  text: string;
}

export interface ExtrinsicRowValues extends MappingRowValues {
  name: string;
}

export interface MapsFormValues {
  units: MapRow[];
  currencies: MapRow[];
  classificationDomain: string;
  /** By target: an OCI field name or a fixed cXML target. */
  mapping: Record<string, MappingRowValues>;
  extrinsics: ExtrinsicRowValues[];
  priceListId: string;
}

export interface PriceListOption {
  id: string;
  name: string;
  currency: string;
}

/** Mapping targets the maps form offers for a protocol (extrinsics apart). */
export function mappingTargets(protocol: Protocol): readonly { target: string; hint: string }[] {
  if (protocol === 'cxml') return CXML_TARGETS;
  return OCI_ITEM_FIELDS.map((f) => ({ target: f.field, hint: f.maxLength === undefined ? 'unlimited' : `max ${f.maxLength}` }));
}

function rowFromSource(s: MappingSource | undefined): MappingRowValues {
  if (!s) return { kind: 'default', attribute: '', text: '' };
  if (s.kind === 'attribute') return { kind: 'attribute', attribute: s.attribute, text: s.fallback ?? '' };
  if (s.kind === 'constant') return { kind: 'constant', attribute: '', text: s.value };
  return { kind: 'empty', attribute: '', text: '' };
}

function mergedKeys(known: readonly string[], mapped: Readonly<Record<string, string>>): string[] {
  return [...new Set([...known, ...Object.keys(mapped)])].sort((a, b) => a.localeCompare(b));
}

/**
 * The maps form of a connection. Rows are offered for the units and currencies the catalog
 * uses, so an admin sees at once which ones the buyer might not know.
 */
export function mapsValuesFromConnection(c: Connection, catalogUnits: readonly string[], catalogCurrencies: readonly string[]): MapsFormValues {
  const o = c.options;
  const fm = c.protocol === 'oci' ? o.fieldMapping.oci : o.fieldMapping.cxml;
  const mapping: Record<string, MappingRowValues> = {};
  for (const { target } of mappingTargets(c.protocol)) mapping[target] = rowFromSource(fm[target]);
  const extrinsics: ExtrinsicRowValues[] = Object.entries(fm)
    .filter(([k]) => k.startsWith(EXTRINSIC_PREFIX))
    .map(([k, s]) => ({ name: k.slice(EXTRINSIC_PREFIX.length), ...rowFromSource(s) }));
  return {
    units: mergedKeys(catalogUnits, o.unitMap).map((u) => ({ from: u, to: o.unitMap[u] ?? '' })),
    currencies: mergedKeys(catalogCurrencies, o.currencyMap).map((u) => ({ from: u, to: o.currencyMap[u] ?? '' })),
    classificationDomain: o.classificationDomain,
    mapping,
    extrinsics,
    priceListId: c.priceListId ?? '',
  };
}

export interface MapsView {
  connection: Connection;
  values: MapsFormValues;
  priceLists: readonly PriceListOption[];
  canEdit: boolean;
  csrf: Html;
  problems: FormProblems;
  notice?: { kind: 'ok' | 'error'; text: string };
}

function padRows<T>(rows: T[], blank: () => T, extra: number): T[] {
  return [...rows, ...Array.from({ length: extra }, blank)];
}

function mapTable(p: FormProblems, key: 'unit' | 'currency', rows: MapRow[], ours: string, theirs: string, canEdit: boolean): Html {
  if (!canEdit) {
    const mapped = rows.filter((r) => r.to !== '');
    return mapped.length
      ? html`<table class="table narrow-table"><thead><tr><th scope="col">${ours}</th><th scope="col">${theirs}</th></tr></thead>
<tbody>${mapped.map((r) => html`<tr><td><code>${r.from}</code></td><td><code>${r.to}</code></td></tr>`)}</tbody></table>`
      : html`<p class="muted">Nothing mapped: every code goes out unchanged.</p>`;
  }
  const all = padRows(rows, () => ({ from: '', to: '' }), 3);
  return html`${fieldProblems(p, key)}<table class="rows narrow-table">
<thead><tr><th scope="col">${ours}</th><th scope="col">${theirs}</th></tr></thead>
<tbody>${all.map(
    (r, i) => html`<tr><td><input name="${key}_from_${i}" value="${r.from}" class="code" aria-label="${ours} ${i + 1}"></td>
<td><input name="${key}_to_${i}" value="${r.to}" class="code" aria-label="${theirs} ${i + 1}"${invalidAttrs(p, `${key}_to_${i}`, key)}></td></tr>`,
  )}</tbody>
</table>`;
}

function sourceSelect(name: string, label: string, kind: SourceKind, offerDefault: boolean): Html {
  const options: [SourceKind, string][] = [
    ...(offerDefault ? ([['default', 'Koppel default']] as [SourceKind, string][]) : []),
    ['attribute', 'Product attribute'],
    ['constant', 'Constant'],
    ['empty', 'Always empty'],
  ];
  return html`<select name="${name}" aria-label="${label}">${options.map(([v, l]) => html`<option value="${v}"${v === kind ? html` selected` : ''}>${l}</option>`)}</select>`;
}

function attributeSelect(name: string, label: string, value: string): Html {
  return html`<select name="${name}" aria-label="${label}"><option value="">—</option>${PRODUCT_ATTRIBUTES.map(
    (a) => html`<option value="${a}"${a === value ? html` selected` : ''}>${ATTRIBUTE_LABELS[a]}</option>`,
  )}</select>`;
}

function describeSource(r: MappingRowValues): string {
  if (r.kind === 'attribute') {
    const label = ATTRIBUTE_LABELS[r.attribute as ProductAttribute] ?? r.attribute;
    return r.text ? `${label} (else "${r.text}")` : label;
  }
  if (r.kind === 'constant') return `constant "${r.text}"`;
  if (r.kind === 'empty') return 'always empty';
  return 'Koppel default';
}

export function mapsBody(v: MapsView): Html {
  const c = v.connection;
  const x = v.values;
  const p = v.problems;
  const targets = mappingTargets(c.protocol);
  const priceListName = v.priceLists.find((l) => l.id === x.priceListId);

  const mappingEdit = html`<div class="table-wrap"><table class="rows mapping">
<thead><tr><th scope="col">${c.protocol === 'oci' ? 'OCI field' : 'cXML target'}</th><th scope="col">Source</th><th scope="col">Attribute</th><th scope="col">Constant, or fallback when the attribute is empty</th></tr></thead>
<tbody>${targets.map(({ target, hint }) => {
    const r = x.mapping[target] ?? { kind: 'default', attribute: '', text: '' };
    const name = `map.${target}`;
    return html`<tr${p.byField[name]?.length ? html` class="invalid"` : ''}><th scope="row"><code>${target}</code> <span class="hint">${hint}</span>${fieldProblems(p, name)}</th>
<td>${sourceSelect(`${name}.kind`, `${target}: source`, r.kind, true)}</td>
<td>${attributeSelect(`${name}.attr`, `${target}: attribute`, r.attribute)}</td>
<td><input name="${name}.text" value="${r.text}" aria-label="${target}: constant or fallback"></td></tr>`;
  })}
${
  c.protocol === 'cxml'
    ? padRows(x.extrinsics, () => ({ name: '', kind: 'attribute' as SourceKind, attribute: '', text: '' }), 3).map((r, i) => {
        const name = `ext.${i}`;
        return html`<tr><th scope="row"><label class="ext-name">Extrinsic <input name="${name}.name" value="${r.name}" placeholder="name, e.g. CostCenter" aria-label="Extrinsic ${i + 1}: name"></label>${fieldProblems(p, name)}</th>
<td>${sourceSelect(`${name}.kind`, `Extrinsic ${i + 1}: source`, r.kind, false)}</td>
<td>${attributeSelect(`${name}.attr`, `Extrinsic ${i + 1}: attribute`, r.attribute)}</td>
<td><input name="${name}.text" value="${r.text}" aria-label="Extrinsic ${i + 1}: constant or fallback"></td></tr>`;
      })
    : ''
}
</tbody></table></div>`;

  const mappedRows = [
    ...targets.filter(({ target }) => (x.mapping[target]?.kind ?? 'default') !== 'default').map(({ target }) => [target, x.mapping[target]!] as const),
    ...x.extrinsics.map((e) => [`${EXTRINSIC_PREFIX}${e.name}`, e] as const),
  ];
  const mappingRead = mappedRows.length
    ? html`<table class="table"><thead><tr><th scope="col">Target</th><th scope="col">Source</th></tr></thead>
<tbody>${mappedRows.map(([t, r]) => html`<tr><td><code>${t}</code></td><td>${describeSource(r)}</td></tr>`)}</tbody></table>`
    : html`<p class="muted">Every field uses Koppel's default.</p>`;

  const priceList = v.canEdit
    ? html`<label class="field short"><span>Price list</span><select name="priceListId"${invalidAttrs(p, 'priceListId')}>
<option value="">None — catalog prices</option>
${v.priceLists.map((l) => html`<option value="${l.id}"${l.id === x.priceListId ? html` selected` : ''}>${l.name} (${l.currency})</option>`)}
</select>${fieldProblems(p, 'priceListId')}<span class="hint">Prices this buyer sees in the shop and in carts. <a href="/admin/price-lists">Manage price lists</a></span></label>`
    : html`<p>${priceListName ? `${priceListName.name} (${priceListName.currency})` : 'None — catalog prices'}</p>`;

  const sections = html`<div class="grid two">
<section class="card">
<h2>Price list</h2>
${priceList}
</section>
<section class="card">
<h2>Classification</h2>
${
  v.canEdit
    ? html`<label class="field short"><span>Classification domain</span><input name="classificationDomain" value="${x.classificationDomain}"${invalidAttrs(p, 'classificationDomain')}>${fieldProblems(p, 'classificationDomain')}<span class="hint">Written with the product's UNSPSC code (${c.protocol === 'oci' ? 'OCI EXT_SCHEMA_TYPE' : 'cXML Classification@domain'}). Default UNSPSC.</span></label>`
    : html`<p>Domain <code>${x.classificationDomain}</code></p>`
}
</section>
</div>
<div class="grid two">
<section class="card">
<h2>Unit map</h2>
<p class="hint">Our unit → the code the buyer's system knows (SAP: ISO code from CUNI, e.g. <code>PCE</code>, <code>C62</code>, <code>EA</code>; OCI allows 3 characters). Empty = sent unchanged. The catalog's units are listed.</p>
${mapTable(p, 'unit', x.units, 'Our unit', 'Buyer code', v.canEdit)}
</section>
<section class="card">
<h2>Currency map</h2>
<p class="hint">Only for buyers that still use an old code (e.g. <code>RON</code> → <code>ROL</code>). Empty = sent unchanged.</p>
${mapTable(p, 'currency', x.currencies, 'Our currency', 'Buyer code', v.canEdit)}
</section>
</div>
<section class="card">
<h2>Field mapping</h2>
<p class="hint">Where each value sent to the buyer comes from. "Koppel default" is what Koppel sends without a mapping.${c.protocol === 'cxml' ? ' Extrinsics are added to every ItemIn under the name given.' : ''}</p>
${v.canEdit ? mappingEdit : mappingRead}
</section>`;

  return html`<p class="breadcrumbs"><a href="/admin/connections">Connections</a> › <a href="/admin/connections/${c.id}">${c.name}</a> › Maps</p>
<div class="page-head">
<div><h1>Units, currencies and fields for ${c.name}</h1>
<p class="conn-meta"><span class="badge">${protocolLabel(c.protocol)}</span> ${environmentBadge(c.environment)} <code>${c.id}</code></p></div>
<div class="actions"><a class="button secondary" href="/admin/connections/${c.id}/preview">Preview what this buyer receives</a></div>
</div>
${v.notice ? html`<p class="notice ${v.notice.kind}" role="status">${v.notice.text}</p>` : ''}
${
  v.canEdit
    ? html`<form method="post" action="/admin/connections/${c.id}/maps" class="maps-form" novalidate>
${v.csrf}
${problemsBox(p)}
${sections}
<div class="actions"><button type="submit" class="button primary">Save maps</button><a href="/admin/connections/${c.id}">Cancel</a></div>
</form>`
    : sections
}`;
}

// ---------------------------------------------------------------- not found

export function notFoundBody(id: string): Html {
  return html`<section class="notice error" role="alert">
<h1>No such connection</h1>
<p>There is no connection with the id <code>${id}</code>.</p>
<p class="todo"><a href="/admin/connections">Back to the connections</a></p>
</section>`;
}

export function notAllowedBody(): Html {
  return html`<section class="notice error" role="alert">
<h1>Not allowed</h1>
<p>Your account may look at the connections but not change them.</p>
<p class="todo">Ask an administrator to make the change. <a href="/admin/connections">Back to the connections</a></p>
</section>`;
}
