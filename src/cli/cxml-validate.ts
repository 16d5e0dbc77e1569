/** `koppel cxml validate FILE`: read a cXML document the way the gateway does, then check its DTD. */
import { readFileSync } from 'node:fs';
import { readCxml } from '../protocol/cxml/reader.js';
import { CxmlError } from '../protocol/cxml/errors.js';
import { familyOf, validateAgainstDtd } from '../cxml-dtd/validate.js';

const HELP = `Usage: koppel cxml validate FILE [--dtd-dir DIR] [--json]

Reads FILE as Koppel's gateway does (no DTD loading, no entity expansion, no network),
prints what it is and any warnings, then validates it against the official cXML DTD of its
family (cXML.dtd, Fulfill.dtd or InvoiceDetail.dtd) at the newest version available.

Options:
  --dtd-dir DIR   folder with the official DTDs as <version>/<file>.dtd
                  (default: $KOPPEL_DTD_DIR, else ../shared/dtd beside the project)
  --json          machine-readable output

Exit codes: 0 valid, 1 invalid or unreadable, 2 usage error.
`;

export async function cxmlValidate(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const json = args.includes('--json');
  let dtdDir: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') continue;
    if (a === '--dtd-dir') {
      dtdDir = args[++i];
      if (!dtdDir) return usage('--dtd-dir needs a folder');
      continue;
    }
    if (a.startsWith('-')) return usage(`unknown option ${a}`);
    files.push(a);
  }
  if (files.length !== 1) return usage('give exactly one FILE');
  const file = files[0]!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`koppel cxml validate: cannot read ${file}: ${(err as Error).message}\n`);
    return 1;
  }
  const report: { file: string; readable: boolean; payload?: string; payloadID?: string; warnings: string[]; dtd?: string; valid: boolean; errors: string[] } = { file, readable: false, warnings: [], valid: false, errors: [] };
  try {
    const result = readCxml(text);
    const payload = result.envelope.payload;
    report.readable = true;
    report.payload = payload.kind === 'Other' ? payload.name : payload.kind;
    report.payloadID = result.envelope.payloadID;
    report.warnings = result.warnings.map((w: { path: string; message: string }) => `${w.path}: ${w.message}`);
    const family = familyOf(report.payload);
    const v = validateAgainstDtd(text, family, dtdDir ? { dtdDir } : {});
    report.dtd = v.dtd;
    report.valid = v.valid;
    report.errors = v.errors;
  } catch (err) {
    // The library names only the variable; on the command line the option is just as good.
    const message = err instanceof CxmlError ? `cXML ${err.code}: ${err.message}` : (err as Error).message.replace('(set KOPPEL_DTD_DIR)', '(set KOPPEL_DTD_DIR or pass --dtd-dir FOLDER)');
    report.errors = [message];
  }
  if (json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    process.stdout.write(`${file}: ${report.readable ? `${report.payload} (payloadID ${report.payloadID})` : 'not readable as cXML'}\n`);
    for (const w of report.warnings) process.stdout.write(`  warning: ${w}\n`);
    if (report.dtd) process.stdout.write(`  DTD ${report.dtd}: ${report.valid ? 'valid' : 'INVALID'}\n`);
    for (const e of report.errors) process.stdout.write(`  error: ${e}\n`);
  }
  return report.valid ? 0 : 1;
}

function usage(message: string): number {
  process.stderr.write(`koppel cxml validate: ${message}\n${HELP}`);
  return 2;
}
