import { readFileSync } from 'node:fs';

/**
 * Options of the `koppel` sub-commands: `--name value` or `--name=value`, flags without a value,
 * and options that may come more than once. A mistake is a UsageError (exit code 2).
 */

export class UsageError extends Error {}

export interface ArgSpec {
  /** Options that take one value, at most once. */
  readonly valued?: readonly string[];
  /** Options that take a value and may come more than once. */
  readonly repeatable?: readonly string[];
  /** Options without a value. */
  readonly flags?: readonly string[];
}

export interface Parsed {
  values: Record<string, string>;
  lists: Record<string, string[]>;
  flags: Set<string>;
  /** Arguments that are not options, in order. */
  rest: string[];
}

export function parseArgs(args: readonly string[], spec: ArgSpec): Parsed {
  const out: Parsed = { values: {}, lists: {}, flags: new Set(), rest: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      out.rest.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
    if (spec.flags?.includes(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    const repeatable = spec.repeatable?.includes(name) ?? false;
    if (!repeatable && !spec.valued?.includes(name)) throw new UsageError(`unknown option --${name}`);
    const value = eq === -1 ? args[++i] : a.slice(eq + 1);
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (repeatable) (out.lists[name] ??= []).push(value);
    else if (name in out.values) throw new UsageError(`--${name} was given twice`);
    else out.values[name] = value;
  }
  return out;
}

/**
 * The common start of a command group (`koppel orders ship …`): the group's help, an unknown
 * command, a command's own --help. Returns the exit code when that already answered the call.
 */
export function groupCommand<S>(
  group: string,
  args: readonly string[],
  help: { readonly group: string; readonly commands: Readonly<Record<string, string>> },
  specs: Readonly<Record<string, S>>,
): { sub: string; rest: string[]; spec: S } | number {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(help.group);
    return sub ? 0 : 2;
  }
  const spec = Object.hasOwn(specs, sub) ? specs[sub] : undefined;
  if (spec === undefined) {
    process.stderr.write(`koppel ${group}: unknown command "${sub}". Try "koppel ${group} --help".\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(help.commands[sub] ?? help.group);
    return 0;
  }
  return { sub, rest, spec };
}

/** `--secret S` or `--secret-stdin` (keeps a chosen secret out of the shell history). */
export function secretOption(p: Parsed): string | undefined {
  if (p.flags.has('secret-stdin')) {
    if (p.values.secret !== undefined) throw new UsageError('give either --secret or --secret-stdin, not both');
    const text = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
    if (text === '') throw new UsageError('--secret-stdin: standard input was empty');
    return text;
  }
  return p.values.secret;
}
