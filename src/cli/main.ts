/**
 * The `koppel` command line. Every command has --help; errors say what is wrong and exit non-zero.
 */
import { serve } from './serve.js';
import { cxmlValidate } from './cxml-validate.js';
import { adminCommand } from './admin.js';
import { connectionsCommand } from './connections.js';
import { ordersCommand } from './orders.js';
import { webhooksCommand } from './webhooks.js';
import { apiKeysCommand } from './api-keys.js';
import { probeCommand } from './probe.js';

const USAGE = `koppel — open-source punchout platform (SAP OCI and cXML)

Usage:
  koppel serve                 start the gateway, storefront and buyer sandbox
  koppel cxml validate FILE    read a cXML document and check it against the official DTD
  koppel admin create          create an admin account for /admin
  koppel connections COMMAND   list, add, show, rotate-secret, disable, enable buyer connections
  koppel orders COMMAND        list, show, confirm, reject, ship, invoice, credit, close, review orders
  koppel webhooks COMMAND      list, add, remove, rotate-secret shop webhooks
  koppel api-keys COMMAND      list, create, revoke keys for the HTTP API (/api/v1)
  koppel probe --preset P URL  test a supplier punchout as a buyer system would (conformance)
  koppel --help                this text

Run "koppel COMMAND --help" for the options of a command.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 1;
  }
  if (command === 'serve') return serve(rest);
  if (command === 'admin') return adminCommand(rest);
  if (command === 'connections') return connectionsCommand(rest);
  if (command === 'orders') return ordersCommand(rest);
  if (command === 'webhooks') return webhooksCommand(rest);
  if (command === 'api-keys') return apiKeysCommand(rest);
  if (command === 'probe') return probeCommand(rest);
  if (command === 'cxml') {
    const [sub, ...args] = rest;
    if (sub === 'validate') return cxmlValidate(args);
    if (!sub || sub === '--help' || sub === '-h') {
      process.stdout.write('Usage: koppel cxml validate FILE [--dtd-dir DIR] [--json]\n');
      return sub ? 0 : 1;
    }
    process.stderr.write(`koppel cxml: unknown command "${sub}". Try "koppel cxml --help".\n`);
    return 2;
  }
  process.stderr.write(`koppel: unknown command "${command}". Try "koppel --help".\n`);
  return 2;
}

const code = await main(process.argv.slice(2));
if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
