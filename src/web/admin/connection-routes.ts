/**
 * /admin/connections: list, create, edit, secrets, enable/disable and maps of buyer connections.
 * Pages need any admin login; every change needs the admin role and the form's CSRF token. Forms
 * are read as flat pairs; what a person typed comes back with the problems when it is refused.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { getConnection, listConnections } from '../../app/connections.js';
import {
  addConnection,
  ConnectionInputError,
  hasOutboundSecret,
  rotateSecret,
  setConnectionEnabled,
  setOutboundSecret,
  updateConnection,
  validateConnectionFields,
  connectionInput,
  type FieldProblem,
  type Actor,
  type ConnectionInput,
} from '../../app/connection-admin.js';
import { SealedSecretError, SecretKeyMissingError } from '../../app/sealed-secrets.js';
import type { Connection, Identity, MappingSource, OciOptions, CxmlOptions, ProductAttribute, StoredOptions } from '../../domain/connection.js';
import type { Html } from '../html.js';
import { adminForm, csrfField, type AdminGuard } from './guard.js';
import { adminPage, sendAdmin } from './layout.js';
import {
  detailBody,
  EXTRINSIC_PREFIX,
  mappingTargets,
  mapsBody,
  mapsValuesFromConnection,
  newConnectionBody,
  newConnectionValues,
  NO_PROBLEMS,
  notFoundBody,
  notAllowedBody,
  connectionListBody,
  PRODUCT_ATTRIBUTES,
  protocolChoiceBody,
  secretOnceBody,
  valuesFromConnection,
  type ConnectionFormValues,
  type DetailView,
  type Environment,
  type FormProblems,
  type IdentityRow,
  type MapRow,
  type MapsFormValues,
  type MappingRowValues,
  type Protocol,
  type SourceKind,
} from './connection-views.js';

/** Rows beyond this many are ignored: a form never needs more, and a forged one cannot make us loop. */
const MAX_ROWS = 200;

const NOTICES: Record<string, { kind: 'ok' | 'error'; text: string }> = {
  saved: { kind: 'ok', text: 'Changes saved.' },
  enabled: { kind: 'ok', text: 'Connection enabled: the buyer can punch out again.' },
  disabled: { kind: 'ok', text: 'Connection disabled: every punchout and order from this buyer is refused until it is enabled again.' },
  outbound: { kind: 'ok', text: 'Outbound secret saved.' },
};

/** Only the fixed texts above: a query parameter never becomes page text. */
function noticeFor(done: unknown): { kind: 'ok' | 'error'; text: string } | undefined {
  return typeof done === 'string' && Object.hasOwn(NOTICES, done) ? NOTICES[done] : undefined;
}

function actorOf(request: FastifyRequest): Actor {
  const user = request.adminSession!.user;
  return { id: user.id, username: user.username };
}

function canEdit(request: FastifyRequest): boolean {
  return request.adminSession?.user.role === 'admin';
}

function isProtocol(v: unknown): v is Protocol {
  return v === 'oci' || v === 'cxml';
}

function isEnvironment(v: unknown): v is Environment {
  return v === 'test' || v === 'production';
}

// ---------------------------------------------------------------- problems

class ProblemList {
  readonly list: string[] = [];
  readonly byField: Record<string, string[]> = {};
  readonly invalid: string[] = [];
  /** `field` shows the message; `mark` are further inputs to mark invalid (a table row). */
  add(field: string | undefined, message: string, mark?: string): void {
    if (!this.list.includes(message)) this.list.push(message);
    if (field) (this.byField[field] ??= []).push(message);
    if (mark) this.invalid.push(mark);
  }
  get empty(): boolean {
    return this.list.length === 0;
  }
  result(): FormProblems {
    return { list: this.list, byField: this.byField, invalid: this.invalid };
  }
}

/** The app layer's field paths → the form field that shows the message, and the words a person knows it by. */
const FIELD_LABELS: Readonly<Record<string, readonly [string | undefined, string]>> = {
  id: ['id', 'Connection id'],
  name: ['name', 'Name'],
  protocol: [undefined, 'Protocol'],
  environment: ['environment', 'Environment'],
  buyerOrg: ['buyerOrg', 'Buyer organisation'],
  ociUsername: ['ociUsername', 'OCI user name'],
  allowSapEvent: ['returnUrlPrefixes', 'Allow SAPEVENT'],
  returnUrlPrefixes: ['returnUrlPrefixes', 'Allowed return URL prefixes'],
  ipAllowList: ['ipAllowList', 'IP allow-list'],
  frameAncestors: ['frameAncestors', 'Sites that may frame the shop'],
  'options.frameAncestors': ['frameAncestors', 'Sites that may frame the shop'],
  secret: ['secret', 'Secret'],
  priceListId: ['priceListId', 'Price list'],
  outboundSecret: [undefined, 'Outbound secret'],
  overlapUntil: [undefined, 'Old secret accepted until'],
  'options.oci.charset': ['oci_charset', 'Cart charset'],
  'options.oci.usernameField': ['oci_usernameField', 'User name field'],
  'options.oci.passwordField': ['oci_passwordField', 'Password field'],
  'options.oci.hookUrlField': ['oci_hookUrlField', 'Return URL field'],
  'options.oci.priceUnitMode': ['oci_priceUnitMode', 'Price unit'],
  'options.oci.maxPriceDecimals': ['oci_maxPriceDecimals', 'Max price decimals'],
  'options.oci.emitEmptyFields': [undefined, 'Send every NEW_ITEM field'],
  'options.oci.allowSapEvent': ['returnUrlPrefixes', 'Allow SAPEVENT'],
  'options.cxml.version': ['cxml_version', 'DTD version'],
  'options.cxml.formField': ['cxml_formField', 'Cart form field'],
  'options.cxml.defaultTarget': ['cxml_defaultTarget', 'Default form target'],
  'options.cxml.shippingAmount': ['cxml_shippingAmount', 'Flat shipping amount'],
  'options.cxml.taxRatePercent': ['cxml_taxRatePercent', 'Tax rate'],
  'options.cxml.taxRounding': ['cxml_taxRounding', 'Tax rounding'],
  'options.cxml.documentUrl': ['cxml_documentUrl', 'Document URL'],
  'options.cxml.paymentTermDays': ['cxml_paymentTermDays', 'Payment term (days)'],
  'options.cxml.invoiceTaxInLine': [undefined, 'Tax on every invoice line'],
  'options.textRules.symbolsAsText': [undefined, '™ ® © as text'],
  'options.limits.maxLines': ['maxLines', 'Max cart lines'],
  'options.limits.maxBytes': ['maxBytes', 'Max cart size'],
  'options.classificationDomain': ['classificationDomain', 'Classification domain'],
};

const IDENTITY_KEYS = { buyerIdentities: 'from', supplierIdentities: 'to', senderIdentities: 'sender' } as const;
const IDENTITY_TITLES = { from: 'From', to: 'To', sender: 'Sender' } as const;

/** Form row of the n-th identity the input carried (blank rows were left out of the input). */
function identityRowIndex(rows: readonly IdentityRow[], n: number): number | undefined {
  let seen = -1;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (r.domain === '' && r.identity === '') continue;
    seen += 1;
    if (seen === n) return i;
  }
  return undefined;
}

/**
 * Puts each problem found by the app layer next to the field it names, in the words of the form
 * ("DTD version: must be one of …" rather than "options.cxml.version: …").
 */
function placeProblems(problems: ProblemList, found: readonly FieldProblem[], forms: { values?: ConnectionFormValues; maps?: MapsFormValues }): void {
  for (const { field, message } of found) {
    const known = FIELD_LABELS[field];
    if (known) {
      problems.add(known[0], `${known[1]}: ${message}`);
      continue;
    }
    const identity = /^(buyerIdentities|supplierIdentities|senderIdentities)(?:\[(\d+)\])?/.exec(field);
    if (identity) {
      const key = IDENTITY_KEYS[identity[1] as keyof typeof IDENTITY_KEYS];
      const n = identity[2] === undefined ? undefined : Number(identity[2]);
      const row = n === undefined || !forms.values ? undefined : identityRowIndex(forms.values[key], n);
      problems.add(key, `${IDENTITY_TITLES[key]}${row === undefined ? '' : ` row ${row + 1}`}: ${message}`, row === undefined ? undefined : `${key}_${row}`);
      continue;
    }
    const list = /^(returnUrlPrefixes|ipAllowList|options\.frameAncestors)\[(\d+)\]$/.exec(field);
    if (list) {
      const [formField, label] = FIELD_LABELS[list[1]!]!;
      problems.add(formField, `${label}, entry ${Number(list[2]) + 1}: ${message}`);
      continue;
    }
    const codeMap = /^options\.(unitMap|currencyMap)\.(.+)$/.exec(field);
    if (codeMap) {
      const key = codeMap[1] === 'unitMap' ? 'unit' : 'currency';
      const rows = forms.maps ? (key === 'unit' ? forms.maps.units : forms.maps.currencies) : [];
      const row = rows.findIndex((r) => r.from === codeMap[2] && r.to !== '');
      problems.add(key, `${key === 'unit' ? 'Unit map' : 'Currency map'}: ${message}`, row >= 0 ? `${key}_to_${row}` : undefined);
      continue;
    }
    const mapping = /^options\.fieldMapping\.(?:oci|cxml)\.(.+?)(?:\.(?:attribute|value|fallback|kind))?$/.exec(field);
    if (mapping) {
      const target = mapping[1]!;
      if (target.startsWith(EXTRINSIC_PREFIX)) {
        const i = forms.maps?.extrinsics.findIndex((e) => e.name === target.slice(EXTRINSIC_PREFIX.length)) ?? -1;
        problems.add(i >= 0 ? `ext.${i}` : undefined, `${target}: ${message}`);
      } else problems.add(`map.${target}`, `${target}: ${message}`);
      continue;
    }
    problems.add(undefined, `${field}: ${message}`);
  }
}

function problemTexts(found: readonly FieldProblem[]): string[] {
  const problems = new ProblemList();
  placeProblems(problems, found, {});
  return problems.list;
}

// ---------------------------------------------------------------- connection form → input

function rowIndices(form: URLSearchParams, pattern: RegExp): number[] {
  const seen = new Set<number>();
  for (const key of form.keys()) {
    const m = pattern.exec(key);
    if (m && Number(m[1]) < MAX_ROWS) seen.add(Number(m[1]));
  }
  return [...seen].sort((a, b) => a - b);
}

function readIdentityRows(form: URLSearchParams, key: 'from' | 'to' | 'sender'): IdentityRow[] {
  return rowIndices(form, new RegExp(`^${key}_(?:domain|identity)_(\\d{1,3})$`)).map((i) => ({
    domain: (form.get(`${key}_domain_${i}`) ?? '').trim(),
    identity: (form.get(`${key}_identity_${i}`) ?? '').trim(),
  }));
}

/**
 * The form as typed. Fields a form does not carry (the other protocol's options, protocol and id
 * on the edit form) keep the values of `base`; a checkbox the form carries is off when absent.
 */
function readConnectionForm(form: URLSearchParams, base: ConnectionFormValues): ConnectionFormValues {
  const text = (name: string, fallback: string) => form.get(name) ?? fallback;
  const oci = base.protocol === 'oci';
  return {
    ...base,
    id: base.id !== '' ? base.id : text('id', '').trim(),
    name: text('name', base.name),
    buyerOrg: text('buyerOrg', base.buyerOrg),
    environment: text('environment', base.environment),
    from: oci ? base.from : readIdentityRows(form, 'from'),
    to: oci ? base.to : readIdentityRows(form, 'to'),
    sender: oci ? base.sender : readIdentityRows(form, 'sender'),
    ociUsername: oci ? text('ociUsername', base.ociUsername) : base.ociUsername,
    returnUrlPrefixes: text('returnUrlPrefixes', base.returnUrlPrefixes),
    allowSapEvent: oci ? form.has('allowSapEvent') : base.allowSapEvent,
    ipAllowList: text('ipAllowList', base.ipAllowList),
    frameAncestors: text('frameAncestors', base.frameAncestors),
    oci: oci
      ? {
          charset: text('oci_charset', base.oci.charset),
          usernameField: text('oci_usernameField', base.oci.usernameField),
          passwordField: text('oci_passwordField', base.oci.passwordField),
          hookUrlField: text('oci_hookUrlField', base.oci.hookUrlField),
          priceUnitMode: text('oci_priceUnitMode', base.oci.priceUnitMode),
          maxPriceDecimals: text('oci_maxPriceDecimals', base.oci.maxPriceDecimals),
          emitEmptyFields: form.has('oci_emitEmptyFields'),
        }
      : base.oci,
    cxml: oci
      ? base.cxml
      : {
          version: text('cxml_version', base.cxml.version),
          formField: text('cxml_formField', base.cxml.formField),
          defaultTarget: text('cxml_defaultTarget', base.cxml.defaultTarget),
          cartShipping: form.has('cxml_cartShipping'),
          shippingAmount: text('cxml_shippingAmount', base.cxml.shippingAmount),
          cartTax: form.has('cxml_cartTax'),
          taxRatePercent: text('cxml_taxRatePercent', base.cxml.taxRatePercent),
          totalIncludesExtras: form.has('cxml_totalIncludesExtras'),
          taxRounding: text('cxml_taxRounding', base.cxml.taxRounding),
          documentUrl: text('cxml_documentUrl', base.cxml.documentUrl),
          paymentTermDays: text('cxml_paymentTermDays', base.cxml.paymentTermDays),
          invoiceTaxInLine: form.has('cxml_invoiceTaxInLine'),
        },
    symbolsAsText: form.has('symbolsAsText'),
    maxLines: text('maxLines', base.maxLines),
    maxBytes: text('maxBytes', base.maxBytes),
  };
}

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** Turns typed values into the app layer's input; what cannot even be read is a problem here. */
function inputFromValues(x: ConnectionFormValues, existing: Connection | undefined, problems: ProblemList): ConnectionInput {
  const whole = (field: string, label: string, value: string): number => {
    const t = value.trim();
    if (t === '') return 0;
    if (!/^\d{1,15}$/.test(t)) {
      problems.add(field, `${label}: must be a whole number (0 or more), not "${t}".`);
      return 0;
    }
    return Number(t);
  };
  const oneOf = <T extends string>(field: string, label: string, value: string, allowed: readonly T[]): T => {
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.add(field, `${label}: "${value}" is not one of ${allowed.join(', ')}.`);
    return allowed[0]!;
  };
  const identities = (key: 'from' | 'to' | 'sender'): Identity[] => {
    const out: Identity[] = [];
    x[key].forEach((r, i) => {
      if (r.domain === '' && r.identity === '') return;
      if (r.domain === '' || r.identity === '') {
        problems.add(key, `${IDENTITY_TITLES[key]} row ${i + 1}: give both the domain and the identity.`, `${key}_${i}`);
        return;
      }
      out.push({ domain: r.domain, identity: r.identity });
    });
    return out;
  };

  const environment = oneOf('environment', 'Environment', x.environment, ['test', 'production'] as const);
  const stored: StoredOptions = existing ? { ...existing.options } : {};
  let ociOptions: Partial<OciOptions> = existing ? { ...existing.options.oci } : {};
  let cxmlOptions: Partial<CxmlOptions> = existing ? { ...existing.options.cxml } : {};
  if (x.protocol === 'oci') {
    ociOptions = {
      ...ociOptions,
      charset: oneOf('oci_charset', 'Cart charset', x.oci.charset, ['UTF-8', 'ISO-8859-1'] as const),
      usernameField: x.oci.usernameField.trim(),
      passwordField: x.oci.passwordField.trim(),
      hookUrlField: x.oci.hookUrlField.trim(),
      priceUnitMode: oneOf('oci_priceUnitMode', 'Price unit', x.oci.priceUnitMode, ['price-unit', 'per-unit'] as const),
      maxPriceDecimals: whole('oci_maxPriceDecimals', 'Max price decimals', x.oci.maxPriceDecimals),
      emitEmptyFields: x.oci.emitEmptyFields,
      allowSapEvent: x.allowSapEvent,
    };
  } else {
    cxmlOptions = {
      ...cxmlOptions,
      version: x.cxml.version.trim(),
      formField: oneOf('cxml_formField', 'Cart form field', x.cxml.formField, ['cXML-base64', 'cXML-urlencoded'] as const),
      defaultTarget: x.cxml.defaultTarget.trim(),
      cartShipping: x.cxml.cartShipping,
      shippingAmount: x.cxml.shippingAmount.trim() || '0',
      cartTax: x.cxml.cartTax,
      taxRatePercent: x.cxml.taxRatePercent.trim() || '0',
      totalIncludesExtras: x.cxml.totalIncludesExtras,
      taxRounding: oneOf('cxml_taxRounding', 'Tax rounding', x.cxml.taxRounding, ['line', 'document'] as const),
      documentUrl: x.cxml.documentUrl.trim(),
      paymentTermDays: whole('cxml_paymentTermDays', 'Payment term (days)', x.cxml.paymentTermDays),
      invoiceTaxInLine: x.cxml.invoiceTaxInLine,
    };
  }
  return {
    id: x.id,
    name: x.name.trim(),
    protocol: x.protocol,
    environment,
    buyerOrg: x.buyerOrg.trim(),
    buyerIdentities: identities('from'),
    supplierIdentities: identities('to'),
    senderIdentities: identities('sender'),
    ociUsername: x.protocol === 'oci' ? x.ociUsername.trim() : (existing?.ociUsername ?? null),
    returnUrlPrefixes: lines(x.returnUrlPrefixes),
    allowSapEvent: x.allowSapEvent,
    ipAllowList: lines(x.ipAllowList),
    options: {
      ...stored,
      oci: ociOptions,
      cxml: cxmlOptions,
      textRules: { symbolsAsText: x.symbolsAsText },
      limits: { maxLines: whole('maxLines', 'Max cart lines', x.maxLines), maxBytes: whole('maxBytes', 'Max cart size', x.maxBytes) },
      frameAncestors: lines(x.frameAncestors),
    },
    priceListId: existing?.priceListId ?? null,
  };
}

// ---------------------------------------------------------------- maps form → options

function readMapRows(form: URLSearchParams, key: 'unit' | 'currency'): MapRow[] {
  return rowIndices(form, new RegExp(`^${key}_(?:from|to)_(\\d{1,3})$`)).map((i) => ({
    from: (form.get(`${key}_from_${i}`) ?? '').trim(),
    to: (form.get(`${key}_to_${i}`) ?? '').trim(),
  }));
}

function readSourceKind(value: string | null, fallback: SourceKind): SourceKind {
  return value === 'default' || value === 'attribute' || value === 'constant' || value === 'empty' ? value : fallback;
}

function readMapsForm(form: URLSearchParams, protocol: Protocol): MapsFormValues {
  const mapping: Record<string, MappingRowValues> = {};
  for (const { target } of mappingTargets(protocol)) {
    const name = `map.${target}`;
    mapping[target] = {
      kind: readSourceKind(form.get(`${name}.kind`), 'default'),
      attribute: form.get(`${name}.attr`) ?? '',
      text: form.get(`${name}.text`) ?? '',
    };
  }
  const extrinsics =
    protocol === 'cxml'
      ? rowIndices(form, /^ext\.(\d{1,3})\.(?:name|kind|attr|text)$/).map((i) => ({
          name: (form.get(`ext.${i}.name`) ?? '').trim(),
          kind: readSourceKind(form.get(`ext.${i}.kind`), 'attribute'),
          attribute: form.get(`ext.${i}.attr`) ?? '',
          text: form.get(`ext.${i}.text`) ?? '',
        }))
      : [];
  return {
    units: readMapRows(form, 'unit'),
    currencies: readMapRows(form, 'currency'),
    classificationDomain: form.get('classificationDomain') ?? '',
    mapping,
    extrinsics,
    priceListId: form.get('priceListId') ?? '',
  };
}

function mapFromRows(rows: readonly MapRow[], key: 'unit' | 'currency', what: string, problems: ProblemList): Record<string, string> {
  const out: Record<string, string> = {};
  rows.forEach((r, i) => {
    if (r.to === '') return; // an offered row left empty: the code goes out unchanged
    if (r.from === '') {
      problems.add(key, `${what} row ${i + 1}: which of our codes should become "${r.to}"?`, `${key}_to_${i}`);
      return;
    }
    if (out[r.from] !== undefined && out[r.from] !== r.to) {
      problems.add(key, `${what}: "${r.from}" is mapped twice (to "${out[r.from]}" and "${r.to}").`, `${key}_to_${i}`);
      return;
    }
    out[r.from] = r.to;
  });
  return out;
}

function sourceFrom(r: MappingRowValues, label: string, field: string, problems: ProblemList): MappingSource | undefined {
  switch (r.kind) {
    case 'default':
      return undefined;
    case 'empty':
      return { kind: 'empty' };
    case 'constant':
      // An empty constant means the same as "always empty"; saying so keeps the stored mapping plain.
      return r.text === '' ? { kind: 'empty' } : { kind: 'constant', value: r.text };
    case 'attribute':
      if (!(PRODUCT_ATTRIBUTES as readonly string[]).includes(r.attribute)) {
        problems.add(field, `${label}: choose the product attribute to send.`);
        return undefined;
      }
      return { kind: 'attribute', attribute: r.attribute as ProductAttribute, ...(r.text !== '' ? { fallback: r.text } : {}) };
  }
}

function fieldMappingFrom(x: MapsFormValues, protocol: Protocol, problems: ProblemList): Record<string, MappingSource> {
  const out: Record<string, MappingSource> = {};
  for (const { target } of mappingTargets(protocol)) {
    const r = x.mapping[target];
    if (!r) continue;
    const s = sourceFrom(r, target, `map.${target}`, problems);
    if (s) out[target] = s;
  }
  x.extrinsics.forEach((r, i) => {
    const field = `ext.${i}`;
    if (r.name === '') {
      if (r.attribute !== '' || r.text !== '') problems.add(field, `Extrinsic row ${i + 1}: give the extrinsic a name.`);
      return;
    }
    const key = `${EXTRINSIC_PREFIX}${r.name}`;
    if (out[key]) {
      problems.add(field, `Extrinsic "${r.name}" is listed twice.`);
      return;
    }
    const s = sourceFrom(r.kind === 'default' ? { ...r, kind: 'attribute' } : r, `Extrinsic "${r.name}"`, field, problems);
    if (s) out[key] = s;
  });
  return out;
}

// ---------------------------------------------------------------- routes

export async function registerAdminConnections(app: FastifyInstance, ctx: AppContext, guard: AdminGuard): Promise<void> {
  const send = (request: FastifyRequest, reply: FastifyReply, title: string, body: Html, code = 200) =>
    sendAdmin(reply, adminPage(request, { title, section: 'connections' }, body), code);

  const notFound = (request: FastifyRequest, reply: FastifyReply, id: string) => send(request, reply, 'No such connection', notFoundBody(id), 404);

  /** A page that carries a secret: never stored by a browser or a proxy. */
  const sendSecret = (request: FastifyRequest, reply: FastifyReply, title: string, body: Html) => {
    reply.header('Cache-Control', 'no-store');
    return send(request, reply, title, body);
  };

  async function lastActivity(id?: string): Promise<Map<string, string>> {
    let q = ctx.db
      .selectFrom('documents')
      .select((eb) => ['connection_id', eb.fn.max('created_at').as('last')])
      .where('connection_id', 'is not', null)
      .groupBy('connection_id');
    if (id !== undefined) q = q.where('connection_id', '=', id);
    const rows = await q.execute();
    return new Map(rows.map((r) => [r.connection_id!, String(r.last)]));
  }

  async function priceLists() {
    return ctx.db.selectFrom('price_lists').select(['id', 'name', 'currency']).orderBy('name').execute();
  }

  async function renderDetail(request: FastifyRequest, reply: FastifyReply, c: Connection, extra: Partial<DetailView> = {}, code = 200) {
    const last = await lastActivity(c.id);
    const list = c.priceListId ? (await priceLists()).find((l) => l.id === c.priceListId) : undefined;
    const view: DetailView = {
      connection: c,
      baseUrl: ctx.config.baseUrl,
      canEdit: canEdit(request),
      csrf: csrfField(request),
      outboundSecretSet: hasOutboundSecret(c),
      now: ctx.now().toISOString(),
      lastActivity: last.get(c.id) ?? null,
      priceListName: list ? `${list.name} (${list.currency})` : null,
      ...extra,
    };
    return send(request, reply, c.name, detailBody(view), code);
  }

  async function renderMaps(request: FastifyRequest, reply: FastifyReply, c: Connection, values: MapsFormValues | undefined, problems: FormProblems, code = 200, notice?: DetailView['notice']) {
    const [units, currencies, lists] = await Promise.all([
      ctx.db.selectFrom('products').select('unit').distinct().orderBy('unit').execute(),
      ctx.db.selectFrom('products').select('currency').distinct().orderBy('currency').execute(),
      priceLists(),
    ]);
    const body = mapsBody({
      connection: c,
      values:
        values ??
        mapsValuesFromConnection(
          c,
          units.map((u) => u.unit),
          currencies.map((u) => u.currency),
        ),
      priceLists: lists,
      canEdit: canEdit(request),
      csrf: csrfField(request),
      problems,
      ...(notice ? { notice } : {}),
    });
    return send(request, reply, `Maps · ${c.name}`, body, code);
  }

  // ---- list

  app.get<{ Querystring: { protocol?: string; environment?: string } }>('/admin/connections', { preHandler: guard.viewer }, async (request, reply) => {
    const protocol = isProtocol(request.query.protocol) ? request.query.protocol : undefined;
    const environment = isEnvironment(request.query.environment) ? request.query.environment : undefined;
    const all = await listConnections(ctx);
    const last = await lastActivity();
    const rows = all
      .filter((c) => (!protocol || c.protocol === protocol) && (!environment || c.environment === environment))
      .map((c) => ({ connection: c, lastActivity: last.get(c.id) ?? null }));
    const body = connectionListBody({ rows, filter: { ...(protocol ? { protocol } : {}), ...(environment ? { environment } : {}) }, canEdit: canEdit(request), total: all.length });
    return send(request, reply, 'Connections', body);
  });

  // ---- create

  app.get<{ Querystring: Record<string, string | undefined> }>('/admin/connections/new', { preHandler: guard.viewer }, async (request, reply) => {
    if (!canEdit(request)) return send(request, reply, 'Not allowed', notAllowedBody(), 403);
    const q = request.query;
    const prefill = {
      ...(typeof q.buyerOrg === 'string' ? { buyerOrg: q.buyerOrg, name: `${q.buyerOrg} ${q.environment === 'production' ? 'production' : 'test'}` } : {}),
      ...(typeof q.environment === 'string' ? { environment: q.environment } : {}),
    };
    if (!isProtocol(q.protocol)) {
      const keep = new URLSearchParams();
      if (prefill.buyerOrg) keep.set('buyerOrg', prefill.buyerOrg);
      if (prefill.environment) keep.set('environment', prefill.environment);
      return send(request, reply, 'New connection', protocolChoiceBody(keep));
    }
    const values = newConnectionValues(q.protocol, prefill);
    return send(request, reply, 'New connection', newConnectionBody({ mode: 'create', values, problems: NO_PROBLEMS, csrf: csrfField(request) }));
  });

  app.post('/admin/connections', { preHandler: guard.admin }, async (request, reply) => {
    const form = adminForm(request);
    const protocol = form.get('protocol');
    if (!isProtocol(protocol)) return send(request, reply, 'New connection', protocolChoiceBody(new URLSearchParams()), 400);
    const values = readConnectionForm(form, newConnectionValues(protocol));
    const problems = new ProblemList();
    const input = inputFromValues(values, undefined, problems);
    const secret = form.get('secret') ?? '';
    const refuse = () =>
      send(request, reply, 'New connection', newConnectionBody({ mode: 'create', values, problems: problems.result(), csrf: csrfField(request) }), 400);
    if (!problems.empty) {
      // List the app layer's findings too, so one round trip shows everything to correct.
      placeProblems(problems, validateConnectionFields(input), { values });
      return refuse();
    }
    try {
      const created = await addConnection(ctx, actorOf(request), { ...input, ...(secret !== '' ? { secret } : {}) });
      return sendSecret(request, reply, `${created.connection.name} created`, secretOnceBody({ connection: created.connection, secret: created.secret, baseUrl: ctx.config.baseUrl, reason: 'created' }));
    } catch (err) {
      if (!(err instanceof ConnectionInputError)) throw err;
      placeProblems(problems, err.fieldProblems, { values });
      return refuse();
    }
  });

  // ---- detail and edit

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>('/admin/connections/:id', { preHandler: guard.viewer }, async (request, reply) => {
    const c = await getConnection(ctx, request.params.id);
    if (!c) return notFound(request, reply, request.params.id);
    const notice = noticeFor(request.query.done);
    return renderDetail(request, reply, c, notice ? { notice } : {});
  });

  app.post<{ Params: { id: string } }>('/admin/connections/:id', { preHandler: guard.admin }, async (request, reply) => {
    const existing = await getConnection(ctx, request.params.id);
    if (!existing) return notFound(request, reply, request.params.id);
    const values = readConnectionForm(adminForm(request), valuesFromConnection(existing));
    const problems = new ProblemList();
    const input = inputFromValues(values, existing, problems);
    const refuse = () => renderDetail(request, reply, existing, { form: { values, problems: problems.result() } }, 400);
    if (!problems.empty) {
      placeProblems(problems, validateConnectionFields(input, existing), { values });
      return refuse();
    }
    try {
      await updateConnection(ctx, actorOf(request), existing.id, input);
    } catch (err) {
      if (!(err instanceof ConnectionInputError)) throw err;
      placeProblems(problems, err.fieldProblems, { values });
      return refuse();
    }
    return reply.code(303).header('Location', `/admin/connections/${encodeURIComponent(existing.id)}?done=saved`).send();
  });

  // ---- status and secrets

  app.post<{ Params: { id: string } }>('/admin/connections/:id/enabled', { preHandler: guard.admin }, async (request, reply) => {
    const c = await getConnection(ctx, request.params.id);
    if (!c) return notFound(request, reply, request.params.id);
    const enabled = adminForm(request).get('enabled') === '1';
    await setConnectionEnabled(ctx, actorOf(request), c.id, enabled);
    return reply.code(303).header('Location', `/admin/connections/${encodeURIComponent(c.id)}?done=${enabled ? 'enabled' : 'disabled'}`).send();
  });

  app.post<{ Params: { id: string } }>('/admin/connections/:id/rotate', { preHandler: guard.admin }, async (request, reply) => {
    const c = await getConnection(ctx, request.params.id);
    if (!c) return notFound(request, reply, request.params.id);
    const form = adminForm(request);
    const now = ctx.now();
    let overlapUntil: Date | null = null;
    const overlap = form.get('overlap') ?? 'none';
    if (overlap === '24h') overlapUntil = new Date(now.getTime() + 24 * 3600_000);
    else if (overlap === '7d') overlapUntil = new Date(now.getTime() + 7 * 24 * 3600_000);
    else if (overlap === 'date') {
      const day = (form.get('overlapDate') ?? '').trim();
      // The last millisecond of that day in UTC: "until 2026-05-01" includes the whole day.
      const until = /^\d{4}-\d{2}-\d{2}$/.test(day) ? new Date(`${day}T23:59:59.999Z`) : new Date(NaN);
      if (Number.isNaN(until.getTime())) return renderDetail(request, reply, c, { secretProblems: ['Choose the date until which the current secret keeps working.'] }, 400);
      if (until <= now) return renderDetail(request, reply, c, { secretProblems: [`The date ${day} has already passed; choose a later one, or "No overlap".`] }, 400);
      overlapUntil = until;
    } else if (overlap !== 'none') {
      return renderDetail(request, reply, c, { secretProblems: ['Choose how long the current secret keeps working.'] }, 400);
    }
    let rotated: { secret: string; previousValidUntil: string | null };
    try {
      rotated = await rotateSecret(ctx, actorOf(request), c.id, { overlapUntil });
    } catch (err) {
      if (!(err instanceof ConnectionInputError)) throw err;
      return renderDetail(request, reply, c, { secretProblems: problemTexts(err.fieldProblems) }, 400);
    }
    const fresh = (await getConnection(ctx, c.id)) ?? c;
    return sendSecret(
      request,
      reply,
      `New secret · ${c.name}`,
      secretOnceBody({ connection: fresh, secret: rotated.secret, baseUrl: ctx.config.baseUrl, reason: 'rotated', previousValidUntil: rotated.previousValidUntil }),
    );
  });

  app.post<{ Params: { id: string } }>('/admin/connections/:id/outbound-secret', { preHandler: guard.admin }, async (request, reply) => {
    const c = await getConnection(ctx, request.params.id);
    if (!c) return notFound(request, reply, request.params.id);
    const secret = adminForm(request).get('outboundSecret') ?? '';
    if (secret.trim() === '') return renderDetail(request, reply, c, { secretProblems: ['Enter the outbound secret the buyer gave you.'] }, 400);
    try {
      await setOutboundSecret(ctx, actorOf(request), c.id, secret);
    } catch (err) {
      if (err instanceof ConnectionInputError) return renderDetail(request, reply, c, { secretProblems: problemTexts(err.fieldProblems) }, 400);
      // The server has no sealing key (PostgreSQL without KOPPEL_SECRET_KEY): say so instead of a bare 500.
      if (err instanceof SecretKeyMissingError || err instanceof SealedSecretError) {
        request.log.error({ err }, 'outbound secret could not be sealed');
        return renderDetail(request, reply, c, { secretProblems: [`The outbound secret could not be stored: ${err.message}`] }, 500);
      }
      throw err;
    }
    return reply.code(303).header('Location', `/admin/connections/${encodeURIComponent(c.id)}?done=outbound`).send();
  });

  // ---- maps

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>('/admin/connections/:id/maps', { preHandler: guard.viewer }, async (request, reply) => {
    const c = await getConnection(ctx, request.params.id);
    if (!c) return notFound(request, reply, request.params.id);
    const notice = noticeFor(request.query.done);
    return renderMaps(request, reply, c, undefined, NO_PROBLEMS, 200, notice);
  });

  app.post<{ Params: { id: string } }>('/admin/connections/:id/maps', { preHandler: guard.admin }, async (request, reply) => {
    const c = await getConnection(ctx, request.params.id);
    if (!c) return notFound(request, reply, request.params.id);
    const values = readMapsForm(adminForm(request), c.protocol);
    const problems = new ProblemList();
    const unitMap = mapFromRows(values.units, 'unit', 'Unit map', problems);
    const currencyMap = mapFromRows(values.currencies, 'currency', 'Currency map', problems);
    const mapping = fieldMappingFrom(values, c.protocol, problems);
    const lists = await priceLists();
    if (values.priceListId !== '' && !lists.some((l) => l.id === values.priceListId)) {
      problems.add('priceListId', 'The chosen price list no longer exists; choose another one.');
    }
    const base = connectionInput(c);
    const input: ConnectionInput = {
      ...base,
      options: {
        ...base.options,
        unitMap,
        currencyMap,
        classificationDomain: values.classificationDomain.trim() || 'UNSPSC',
        fieldMapping: { ...c.options.fieldMapping, [c.protocol]: mapping },
      },
      priceListId: values.priceListId === '' ? null : values.priceListId,
    };
    if (!problems.empty) {
      placeProblems(problems, validateConnectionFields(input, c), { maps: values });
      return renderMaps(request, reply, c, values, problems.result(), 400);
    }
    try {
      await updateConnection(ctx, actorOf(request), c.id, input);
    } catch (err) {
      if (!(err instanceof ConnectionInputError)) throw err;
      placeProblems(problems, err.fieldProblems, { maps: values });
      return renderMaps(request, reply, c, values, problems.result(), 400);
    }
    return reply.code(303).header('Location', `/admin/connections/${encodeURIComponent(c.id)}/maps?done=saved`).send();
  });
}
