/**
 * `koppel webhooks add|list|remove|rotate-secret`: shop webhooks from the command line, with the
 * same rules and audit trail as the admin pages (actor "cli"). A signing secret is printed only
 * when Koppel generated it, and only once.
 */
import type { AppContext } from '../app/context.js';
import { WEBHOOK_EVENTS, WebhookInputError, WebhookNotFoundError, createWebhook, deleteWebhook, listWebhooks, rotateWebhookSecret, type Webhook } from '../app/webhooks.js';
import { withCliContext } from './context.js';
import { groupCommand, parseArgs, secretOption, UsageError, type Parsed } from './args.js';

const ACTOR = { username: 'cli' };

const COMMON = `Uses the same store as "koppel serve" (KOPPEL_DATA_DIR or DATABASE_URL; with DATABASE_URL,
KOPPEL_SECRET_KEY must be set: signing secrets are stored sealed).
Exit codes: 0 done, 1 refused or not found, 2 usage error.`;

const HELP = `Usage: koppel webhooks COMMAND [options]

Shop webhooks: Koppel posts signed order events (${WEBHOOK_EVENTS.join(', ')}) to a URL.
  list                 all webhooks
  add                  create a webhook (prints a generated signing secret once)
  remove ID            delete a webhook (queued deliveries for it are failed, not sent)
  rotate-secret ID     give a webhook a new signing secret (printed once)

Every command takes --json for machine-readable output and --help for its options.
${COMMON}
`;

const HELPS: Record<string, string> = {
  list: `Usage: koppel webhooks list [--json]

Lists every webhook: id, state, events, URL. Secrets are never printed.
${COMMON}
`,
  add: `Usage: koppel webhooks add --url URL [--event EVENT]... [options]

Creates a webhook. Without --secret a random signing secret is generated and printed once.
  --url URL            http:// or https:// address that receives the events
  --event EVENT        one of ${WEBHOOK_EVENTS.join(', ')} (repeatable; default: all)
  --description TEXT   shown in the admin
  --disabled           create it switched off
  --secret S           use this signing secret (at least 16 characters)
  --secret-stdin       read the signing secret from standard input
  --json               machine-readable output
${COMMON}
`,
  remove: `Usage: koppel webhooks remove ID [--json]

Deletes a webhook. Deliveries still queued for it are failed instead of sent.
${COMMON}
`,
  'rotate-secret': `Usage: koppel webhooks rotate-secret ID [--secret S | --secret-stdin] [--json]

Gives the webhook a new signing secret (printed once when generated). Deliveries sent from now
on, also retries of events queued earlier, are signed with it.
${COMMON}
`,
};

function oneId(command: string, rest: string[]): string {
  if (rest.length === 0) throw new UsageError(`which webhook? Usage: koppel webhooks ${command} ID`);
  if (rest.length > 1) throw new UsageError(`unexpected argument "${rest[1]}"`);
  return rest[0]!;
}

const out = (text: string) => process.stdout.write(text);

function line(h: Webhook): string {
  return `${h.id.padEnd(20)} ${(h.enabled ? 'enabled' : 'disabled').padEnd(9)} ${h.events.join(',').padEnd(46)} ${h.url}\n`;
}

const SPECS: Record<string, { valued?: string[]; repeatable?: string[]; flags?: string[] }> = {
  list: { flags: ['json'] },
  add: { valued: ['url', 'description', 'secret'], repeatable: ['event'], flags: ['disabled', 'secret-stdin', 'json'] },
  remove: { flags: ['json'] },
  'rotate-secret': { valued: ['secret'], flags: ['secret-stdin', 'json'] },
};

async function run(ctx: AppContext, sub: string, p: Parsed, secret: string | undefined): Promise<number> {
  const json = p.flags.has('json');
  switch (sub) {
    case 'list': {
      if (p.rest.length) throw new UsageError(`unexpected argument "${p.rest[0]}"`);
      const hooks = await listWebhooks(ctx);
      if (json) out(JSON.stringify(hooks, null, 2) + '\n');
      else if (hooks.length === 0) out('No webhooks. Create one with "koppel webhooks add --help".\n');
      else out(`${'ID'.padEnd(20)} ${'STATE'.padEnd(9)} ${'EVENTS'.padEnd(46)} URL\n` + hooks.map(line).join(''));
      return 0;
    }
    case 'add': {
      if (p.rest.length) throw new UsageError(`unexpected argument "${p.rest[0]}"`);
      if (p.values.url === undefined) throw new UsageError('missing --url');
      const { webhook, secret: s } = await createWebhook(ctx, ACTOR, {
        url: p.values.url,
        events: p.lists.event ?? [...WEBHOOK_EVENTS],
        enabled: !p.flags.has('disabled'),
        ...(p.values.description !== undefined ? { description: p.values.description } : {}),
        ...(secret !== undefined ? { secret } : {}),
      });
      if (json) out(JSON.stringify({ webhook, ...(secret === undefined ? { secret: s } : {}) }, null, 2) + '\n');
      else {
        out(`Created webhook ${webhook.id} for ${webhook.url} (${webhook.events.join(', ')}).\n`);
        if (secret === undefined) out(`Signing secret (shown only now; put it in the shop's configuration): ${s}\n`);
      }
      return 0;
    }
    case 'remove': {
      const id = oneId('remove', p.rest);
      await deleteWebhook(ctx, ACTOR, id);
      out(json ? JSON.stringify({ id, removed: true }, null, 2) + '\n' : `Webhook ${id} removed.\n`);
      return 0;
    }
    default: {
      const id = oneId('rotate-secret', p.rest);
      const r = await rotateWebhookSecret(ctx, ACTOR, id, secret);
      if (json) out(JSON.stringify({ id, ...(secret === undefined ? { secret: r.secret } : {}) }, null, 2) + '\n');
      else out(secret === undefined ? `New signing secret for ${id} (shown only now): ${r.secret}\n` : `New signing secret set for ${id}.\n`);
      return 0;
    }
  }
}

export async function webhooksCommand(args: string[]): Promise<number> {
  const call = groupCommand('webhooks', args, { group: HELP, commands: HELPS }, SPECS);
  if (typeof call === 'number') return call;
  const { sub, rest, spec } = call;
  const prefix = `koppel webhooks ${sub}`;
  let parsed: Parsed;
  let secret: string | undefined;
  try {
    parsed = parseArgs(rest, spec);
    if (sub === 'add' || sub === 'rotate-secret') secret = secretOption(parsed);
    if (sub === 'add' && parsed.values.url === undefined) throw new UsageError('missing --url');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${prefix}: ${err.message}\n\n${HELPS[sub]}`);
    return 2;
  }
  try {
    return await withCliContext((ctx) => run(ctx, sub, parsed, secret));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${prefix}: ${err.message}\n\n${HELPS[sub]}`);
      return 2;
    }
    if (err instanceof WebhookInputError) {
      process.stderr.write(`${prefix}: refused:\n${err.problems.map((p) => `  - ${p}\n`).join('')}`);
      return 1;
    }
    if (err instanceof WebhookNotFoundError) {
      process.stderr.write(`${prefix}: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`${prefix}: ${(err as Error).message}\n`);
    return 1;
  }
}
