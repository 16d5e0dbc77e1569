/**
 * Prints the demo catalog so people can inspect it or import it elsewhere.
 *
 *   npx tsx scripts/generate-catalog.ts [--seed N] [--format json|csv]
 *
 * The demo seed of a first start uses generateDemoCatalog() directly; this is only a window on it.
 */
import { DEFAULT_DEMO_SEED, generateDemoCatalog, type DemoProduct } from '../src/store/demo-catalog.js';

const COLUMNS = [
  'sku', 'name', 'description', 'category', 'manufacturer', 'manufacturerPartId',
  'unspsc', 'unit', 'price', 'currency', 'leadTimeDays', 'stock',
] as const satisfies readonly (keyof DemoProduct)[];

const USAGE = 'usage: npx tsx scripts/generate-catalog.ts [--seed N] [--format json|csv]';

function parseArgs(argv: string[]): { seed: number; format: 'json' | 'csv' } {
  let seed = DEFAULT_DEMO_SEED;
  let format: 'json' | 'csv' = 'json';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [arg, undefined];
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`);
    if (flag === '--seed') {
      const text = value();
      if (!/^\d{1,10}$/.test(text) || Number(text) > 0xffffffff) fail(`--seed must be a whole number from 0 to 4294967295, got "${text}"`);
      seed = Number(text);
    } else if (flag === '--format') {
      const text = value();
      if (text !== 'json' && text !== 'csv') fail(`--format must be json or csv, got "${text}"`);
      format = text;
    } else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else {
      fail(`unknown argument "${arg}"`);
    }
  }
  return { seed, format };
}

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

/** RFC 4180: quote a field when it holds a comma, quote or line break; double inner quotes. */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(products: readonly DemoProduct[]): string {
  const lines = [COLUMNS.join(',')];
  for (const p of products) lines.push(COLUMNS.map((c) => csvField(p[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

// `… | head` closes the pipe early; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const { seed, format } = parseArgs(process.argv.slice(2));
const catalog = generateDemoCatalog(seed);
process.stdout.write(format === 'csv' ? toCsv(catalog) : `${JSON.stringify(catalog, null, 2)}\n`);
