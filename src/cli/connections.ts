/**
 * `koppel connections list|add|show|rotate-secret|disable|enable`: buyer connections from the
 * command line, with the same rules and audit trail as the admin pages (actor "cli").
 * A secret is printed only when Koppel generated it, and only once; `show` never prints one.
 */
import type { Identity } from '../domain/connection.js';
import type { AppContext } from '../app/context.js';
import {
  ConnectionInputError,
  ConnectionNotFoundError,
  addConnection,
  connectionSummary,
  rotateSecret,
  setConnectionEnabled,
  type ConnectionInput,
  type ConnectionSummary,
} from '../app/connection-admin.js';
import { getConnection, listConnections } from '../app/connections.js';
import { withCliContext } from './context.js';
import { groupCommand, parseArgs, secretOption, UsageError, type Parsed } from './args.js';

const ACTOR = { username: 'cli' };

const COMMON = `Uses the same store as "koppel serve" (KOPPEL_DATA_DIR or DATABASE_URL).
Exit codes: 0 done, 1 refused or not found, 2 usage error.`;

const HELP = `Usage: koppel connections COMMAND [options]

Manage buyer connections (one per buyer system and environment).
  list                 all connections
  add                  create a connection (prints a generated secret once)
  show ID              one connection; secrets only as "set" / "not set"
  rotate-secret ID     give a connection a new inbound secret
  disable ID           refuse every request of the connection
  enable ID            accept its requests again

Every command takes --json for machine-readable output and --help for its options.
${COMMON}
`;

const HELPS: Record<string, string> = {
  list: `Usage: koppel connections list [--json]

Lists every connection: id, protocol, environment, enabled, name.
${COMMON}
`,
  add: `Usage: koppel connections add --id ID --name NAME --protocol oci|cxml [options]

Creates a connection. Without --secret a long random secret is generated and printed once: give
it to the buyer (cXML SharedSecret or OCI password). Koppel stores only its hash.
  --id ID                 lower-case letters, digits, dashes (appears in the OCI URL)
  --name NAME             shown in the admin and in error pages
  --protocol P            oci or cxml
  --environment E         test or production (default production)
  --buyer-org NAME        groups test and production connections of a buyer (default: the name)
  --from DOMAIN/ID        cXML: the buyer's From identity, e.g. NetworkID/AN01000000001 (repeatable)
  --to DOMAIN/ID          cXML: our identity as the buyer writes it in To (repeatable)
  --sender DOMAIN/ID      cXML: the Sender identity that carries the SharedSecret (repeatable)
  --username U            OCI: the USERNAME the buyer's system sends
  --return-url PREFIX     allowed return URL prefix, e.g. https://srm.buyer.example/ (repeatable;
                          http:// or https:// allow any, * allows everything)
  --sap-event             OCI: also allow SAPEVENT: return URLs (SAP GUI)
  --ip ADDRESS|CIDR       only accept requests from these addresses (repeatable; default: any)
  --cxml-version V        cXML DTD version for this buyer (1.2.014, 1.2.020, 1.2.037, 1.2.063, 1.2.071)
  --form-field F          cXML cart field: cXML-base64 (default) or cXML-urlencoded
  --charset C             OCI cart charset: UTF-8 (default) or ISO-8859-1
  --secret S              use this secret instead of generating one (at least 8 characters)
  --secret-stdin          read the secret from standard input (keeps it out of the shell history)
  --json                  machine-readable output
${COMMON}
`,
  show: `Usage: koppel connections show ID [--json]

Shows one connection. Secrets are never printed: only whether they are set, and until when the
previous secret is still accepted after a rotation.
${COMMON}
`,
  'rotate-secret': `Usage: koppel connections rotate-secret ID [--overlap-hours N] [--secret S | --secret-stdin] [--json]

Gives the connection a new inbound secret (printed once when generated).
  --overlap-hours N   the old secret stays valid for N more hours while the buyer switches
                      (default 0: the old secret stops working at once; at most 2160 = 90 days)
  --secret S          use this secret instead of generating one
  --secret-stdin      read the secret from standard input
  --json              machine-readable output
${COMMON}
`,
  disable: `Usage: koppel connections disable ID [--json]

Switches a connection off: its cXML requests are answered 403 and its OCI logins get an error
page. Nothing is deleted; "koppel connections enable ID" switches it on again.
${COMMON}
`,
  enable: `Usage: koppel connections enable ID [--json]

Switches a disabled connection on again.
${COMMON}
`,
};

function identity(option: string, text: string): Identity {
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1) throw new UsageError(`--${option} must be DOMAIN/ID (e.g. NetworkID/AN01000000001), not "${text}"`);
  return { domain: text.slice(0, slash), identity: text.slice(slash + 1) };
}

function oneId(command: string, rest: string[]): string {
  if (rest.length === 0) throw new UsageError(`which connection? Usage: koppel connections ${command} ID`);
  if (rest.length > 1) throw new UsageError(`unexpected argument "${rest[1]}"`);
  return rest[0]!;
}

const out = (text: string) => process.stdout.write(text);

function listLine(s: ConnectionSummary): string {
  return `${s.id.padEnd(24)} ${s.protocol.padEnd(5)} ${s.environment.padEnd(11)} ${(s.enabled ? 'enabled' : 'disabled').padEnd(9)} ${s.name}\n`;
}

function ids(list: readonly Identity[]): string {
  return list.map((i) => `${i.domain}/${i.identity}`).join(', ') || '—';
}

function describe(s: ConnectionSummary): string {
  const rows: [string, string][] = [
    ['name', s.name],
    ['protocol', s.protocol],
    ['environment', s.environment],
    ['buyer org', s.buyerOrg],
    ['enabled', s.enabled ? 'yes' : 'no (disabled)'],
  ];
  if (s.protocol === 'cxml') rows.push(['From', ids(s.buyerIdentities)], ['To', ids(s.supplierIdentities)], ['Sender', ids(s.senderIdentities)]);
  else rows.push(['username', s.ociUsername ?? '—']);
  rows.push(
    ['secret', s.secret + (s.previousSecretValidUntil ? `; the previous secret is accepted until ${s.previousSecretValidUntil}` : '')],
    ['outbound secret', s.outboundSecret],
    ['return URLs', s.returnUrlPrefixes.join(', ') || '—'],
  );
  if (s.protocol === 'oci') rows.push(['SAPEVENT', s.allowSapEvent ? 'allowed' : 'not allowed'], ['charset', s.options.oci.charset]);
  else rows.push(['cXML version', s.options.cxml.version], ['cart field', s.options.cxml.formField]);
  rows.push(['IP allow-list', s.ipAllowList.join(', ') || 'any address'], ['price list', s.priceListId ?? '—']);
  return `${s.id}\n${rows.map(([k, v]) => `  ${k.padEnd(16)}${v}`).join('\n')}\n`;
}

async function list(ctx: AppContext, p: Parsed): Promise<number> {
  if (p.rest.length) throw new UsageError(`unexpected argument "${p.rest[0]}"`);
  const all = (await listConnections(ctx)).map((c) => connectionSummary(ctx, c));
  if (p.flags.has('json')) out(JSON.stringify(all, null, 2) + '\n');
  else if (all.length === 0) out('No connections. Create one with "koppel connections add --help".\n');
  else out(`${'ID'.padEnd(24)} ${'PROTO'.padEnd(5)} ${'ENVIRONMENT'.padEnd(11)} ${'STATE'.padEnd(9)} NAME\n` + all.map(listLine).join(''));
  return 0;
}

async function show(ctx: AppContext, p: Parsed): Promise<number> {
  const id = oneId('show', p.rest);
  const c = await getConnection(ctx, id);
  if (!c) throw new ConnectionNotFoundError(id);
  const s = connectionSummary(ctx, c);
  out(p.flags.has('json') ? JSON.stringify(s, null, 2) + '\n' : describe(s));
  return 0;
}

function addInput(p: Parsed): ConnectionInput & { secret?: string } {
  if (p.rest.length) throw new UsageError(`unexpected argument "${p.rest[0]}"`);
  const v = p.values;
  const missing = ['id', 'name', 'protocol'].filter((n) => v[n] === undefined);
  if (missing.length) throw new UsageError(`missing ${missing.map((n) => `--${n}`).join(', ')}`);
  if (v.protocol !== 'oci' && v.protocol !== 'cxml') throw new UsageError(`--protocol must be oci or cxml, not "${v.protocol}"`);
  const environment = v.environment ?? 'production';
  if (environment !== 'test' && environment !== 'production') throw new UsageError(`--environment must be test or production, not "${environment}"`);
  const oci = { ...(v.charset !== undefined ? { charset: v.charset as 'UTF-8' } : {}) };
  const cxml = {
    ...(v['cxml-version'] !== undefined ? { version: v['cxml-version'] } : {}),
    ...(v['form-field'] !== undefined ? { formField: v['form-field'] as 'cXML-base64' } : {}),
  };
  const secret = secretOption(p);
  return {
    id: v.id!,
    name: v.name!,
    protocol: v.protocol,
    environment,
    buyerOrg: v['buyer-org'] ?? '',
    buyerIdentities: (p.lists.from ?? []).map((t) => identity('from', t)),
    supplierIdentities: (p.lists.to ?? []).map((t) => identity('to', t)),
    senderIdentities: (p.lists.sender ?? []).map((t) => identity('sender', t)),
    ociUsername: v.username ?? null,
    returnUrlPrefixes: p.lists['return-url'] ?? [],
    allowSapEvent: p.flags.has('sap-event'),
    ipAllowList: p.lists.ip ?? [],
    // Only what was given: the rest gets the defaults, and a wrong value is named by validation.
    options: { ...(Object.keys(oci).length ? { oci } : {}), ...(Object.keys(cxml).length ? { cxml } : {}) },
    ...(secret !== undefined ? { secret } : {}),
  };
}

async function add(ctx: AppContext, input: ConnectionInput & { secret?: string }, json: boolean): Promise<number> {
  const generated = input.secret === undefined;
  const { connection, secret } = await addConnection(ctx, ACTOR, input);
  const summary = connectionSummary(ctx, connection);
  if (json) out(JSON.stringify({ connection: summary, ...(generated ? { secret } : {}) }, null, 2) + '\n');
  else {
    out(`Created ${connection.protocol} connection "${connection.id}" (${connection.environment}).\n`);
    const what = connection.protocol === 'cxml' ? 'SharedSecret' : 'OCI password';
    if (generated) out(`${what} (shown only now; give it to the buyer): ${secret}\n`);
    if (connection.protocol === 'oci') out(`Catalog URL: ${ctx.config.baseUrl}/punchout/oci/${connection.id}\n`);
    else out(`cXML endpoint: ${ctx.config.baseUrl}/cxml\n`);
  }
  return 0;
}

function overlapUntil(ctx: AppContext, text: string | undefined): Date | null {
  if (text === undefined) return null;
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) > 90 * 24) throw new UsageError(`--overlap-hours must be a number of hours from 0 to 2160, not "${text}"`);
  const hours = Number(text);
  return hours === 0 ? null : new Date(ctx.now().getTime() + hours * 3_600_000);
}

async function rotate(ctx: AppContext, p: Parsed, secret: string | undefined): Promise<number> {
  const id = oneId('rotate-secret', p.rest);
  const until = overlapUntil(ctx, p.values['overlap-hours']);
  const r = await rotateSecret(ctx, ACTOR, id, { overlapUntil: until, ...(secret !== undefined ? { secret } : {}) });
  const generated = secret === undefined;
  if (p.flags.has('json')) out(JSON.stringify({ id, ...(generated ? { secret: r.secret } : {}), previousValidUntil: r.previousValidUntil }, null, 2) + '\n');
  else {
    out(`New secret set for "${id}".\n`);
    if (generated) out(`New secret (shown only now): ${r.secret}\n`);
    out(r.previousValidUntil ? `The previous secret is accepted until ${r.previousValidUntil}.\n` : 'The previous secret no longer works.\n');
  }
  return 0;
}

async function setEnabled(ctx: AppContext, p: Parsed, enabled: boolean): Promise<number> {
  const id = oneId(enabled ? 'enable' : 'disable', p.rest);
  const c = await setConnectionEnabled(ctx, ACTOR, id, enabled);
  if (p.flags.has('json')) out(JSON.stringify(connectionSummary(ctx, c), null, 2) + '\n');
  else out(`Connection "${id}" is ${enabled ? 'enabled' : 'disabled'}.\n`);
  return 0;
}

const SPECS: Record<string, { valued?: string[]; repeatable?: string[]; flags?: string[] }> = {
  list: { flags: ['json'] },
  show: { flags: ['json'] },
  add: {
    valued: ['id', 'name', 'protocol', 'environment', 'buyer-org', 'username', 'cxml-version', 'form-field', 'charset', 'secret'],
    repeatable: ['from', 'to', 'sender', 'return-url', 'ip'],
    flags: ['sap-event', 'secret-stdin', 'json'],
  },
  'rotate-secret': { valued: ['overlap-hours', 'secret'], flags: ['secret-stdin', 'json'] },
  disable: { flags: ['json'] },
  enable: { flags: ['json'] },
};

export async function connectionsCommand(args: string[]): Promise<number> {
  const call = groupCommand('connections', args, { group: HELP, commands: HELPS }, SPECS);
  if (typeof call === 'number') return call;
  const { sub, rest, spec } = call;
  const prefix = `koppel connections ${sub}`;
  let parsed: Parsed;
  let addIn: (ConnectionInput & { secret?: string }) | undefined;
  let secret: string | undefined;
  try {
    // Everything that is a usage error is found before the store is opened.
    parsed = parseArgs(rest, spec);
    if (sub === 'add') addIn = addInput(parsed);
    if (sub === 'rotate-secret') secret = secretOption(parsed);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${prefix}: ${err.message}\n\n${HELPS[sub]}`);
    return 2;
  }
  try {
    return await withCliContext(async (ctx) => {
      switch (sub) {
        case 'list':
          return list(ctx, parsed);
        case 'show':
          return show(ctx, parsed);
        case 'add':
          return add(ctx, addIn!, parsed.flags.has('json'));
        case 'rotate-secret':
          return rotate(ctx, parsed, secret);
        default:
          return setEnabled(ctx, parsed, sub === 'enable');
      }
    });
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${prefix}: ${err.message}\n\n${HELPS[sub]}`);
      return 2;
    }
    if (err instanceof ConnectionInputError) {
      process.stderr.write(`${prefix}: refused:\n${err.problems.map((p) => `  - ${p}\n`).join('')}`);
      return 1;
    }
    process.stderr.write(`${prefix}: ${(err as Error).message}\n`);
    return 1;
  }
}
