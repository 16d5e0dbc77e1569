/**
 * The reader's working state: collected warnings, the strict switch, and a small cursor over the
 * element tree that knows its path (for messages) and checks names against the cXML schema.
 */
import { Decimal } from 'decimal.js';
import { CxmlError } from './errors.js';
import type { CxmlTimestamp, MoneyAmount, ReadWarning } from './model.js';
import { elementRule } from './read-schema.js';
import { parseCxmlTimestamp } from './timestamp.js';
import type { XmlElement } from './read-xml.js';

/** A sender's value quoted for a message: escaped, and cut so a hostile value cannot flood logs. */
export function show(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 61)}...` : value);
}

const PLAIN_DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;
const COMMA_DECIMAL = /^\d+,\d+$/;
// `1,505` could be a decimal comma or a thousands separator: never guess with money.
const AMBIGUOUS_COMMA = /^\d{1,3},\d{3}$/;

export class ReadContext {
  readonly warnings: ReadWarning[] = [];
  /** The document's `xml:lang`, used where a required language is missing. */
  lang: string | undefined;

  constructor(
    readonly strict: boolean,
    readonly defaultZone: string,
  ) {}

  /**
   * Records a problem that does not stop the read. With `strictCode`, strict mode turns it into
   * a CxmlError with that code instead.
   */
  warn(path: string, message: string, strictCode?: number): void {
    if (this.strict && strictCode !== undefined) fail(strictCode, path, message);
    this.warnings.push({ path, message });
  }

  /** Reads a decimal; a lone decimal comma (`1505,0`) is accepted with a warning. */
  decimal(raw: string, path: string, what = 'number'): Decimal {
    const text = raw.trim();
    if (PLAIN_DECIMAL.test(text)) return new Decimal(text);
    if (text === '') fail(400, path, `${what} is empty`);
    if (AMBIGUOUS_COMMA.test(text)) {
      fail(400, path, `${what} ${show(text)} is ambiguous (decimal comma or thousands separator)`);
    }
    if (COMMA_DECIMAL.test(text)) {
      const fixed = text.replace(',', '.');
      this.warn(path, `${what} ${show(text)} uses a decimal comma; read as ${fixed}`, 400);
      return new Decimal(fixed);
    }
    return fail(400, path, `${what} ${show(text)} is not a decimal number`);
  }

  /** A quantity: a decimal that is not negative. */
  quantity(raw: string, path: string): Decimal {
    const q = this.decimal(raw, path, 'quantity');
    if (q.isNegative()) fail(400, path, `quantity ${show(raw.trim())} is negative`);
    return q;
  }

  integer(raw: string, path: string, what = 'value'): number {
    const text = raw.trim();
    const n = /^[+-]?\d{1,15}$/.test(text) ? Number.parseInt(text, 10) : Number.NaN;
    if (Number.isNaN(n)) fail(400, path, `${what} ${show(text)} is not a whole number`);
    return n;
  }

  /** Timestamps never stop a read: what cannot be understood is kept raw with a warning. */
  timestamp(raw: string, path: string): CxmlTimestamp {
    const ts = parseCxmlTimestamp(raw, this.defaultZone);
    if (ts.zoneAssumed) {
      this.warn(path, `timestamp ${show(ts.raw)} has no time zone; ${this.defaultZone} assumed`);
    } else if (ts.instant === undefined && ts.dateOnly === undefined) {
      this.warn(path, `timestamp ${show(ts.raw)} is not understood; kept as text`);
    }
    return ts;
  }
}

/** Stops the read: a CxmlError whose message starts with the element path. */
export function fail(code: number, path: string, message: string): never {
  throw new CxmlError(code, path === '' ? message : `${path}: ${message}`);
}

/** A cursor on one element: path-aware accessors for attributes, children and text. */
export class Node {
  constructor(
    readonly ctx: ReadContext,
    readonly el: XmlElement,
    readonly path: string,
    ruleName: string = el.name,
  ) {
    if (!el.checked) {
      el.checked = true;
      checkNames(ctx, el, path, ruleName);
    }
  }

  get name(): string {
    return this.el.name;
  }

  /** Attribute value as sent, or undefined. */
  rawAttr(name: string): string | undefined {
    return this.el.attrs[name];
  }

  /** Attribute value trimmed; undefined when absent or blank. */
  attr(name: string): string | undefined {
    const v = this.el.attrs[name]?.trim();
    return v === '' ? undefined : v;
  }

  /** Attribute value trimmed (blank allowed); a missing attribute stops the read (406). */
  requiredAttr(name: string): string {
    const v = this.el.attrs[name];
    if (v === undefined) fail(406, this.path, `attribute ${name} is required`);
    return v.trim();
  }

  /** A required attribute the model can live without: a warning (406 when strict) and ''. */
  expectedAttr(name: string): string {
    const v = this.el.attrs[name];
    if (v === undefined) {
      this.ctx.warn(`${this.path}@${name}`, `attribute ${name} is required by the DTD; read as empty`, 406);
      return '';
    }
    return v.trim();
  }

  /** First child element with that name. */
  child(name: string): Node | undefined {
    for (const c of this.el.children) {
      if (c.name === name) return new Node(this.ctx, c, `${this.path}/${name}`);
    }
    return undefined;
  }

  requiredChild(name: string, code = 406): Node {
    const c = this.child(name);
    if (c === undefined) fail(code, this.path, `element ${name} is required`);
    return c;
  }

  /** All children with that name; paths carry a 1-based index when there are several. */
  all(name: string): Node[] {
    const found = this.el.children.filter((c) => c.name === name);
    if (found.length === 1) return [new Node(this.ctx, found[0]!, `${this.path}/${name}`)];
    return found.map((c, i) => new Node(this.ctx, c, `${this.path}/${name}[${i + 1}]`));
  }

  /** Full text content as sent (markup inside flattened, CDATA included, nothing trimmed). */
  text(): string {
    return deepText(this.el);
  }

  /** Own character data only, e.g. Description text outside ShortName. */
  ownText(): string {
    return this.el.text;
  }

  /** Trimmed text of the first child with that name; undefined when absent or blank. */
  childText(name: string): string | undefined {
    const v = this.child(name)?.text().trim();
    return v === '' ? undefined : v;
  }

  /** Trimmed texts of all children with that name, blanks dropped. */
  childTexts(name: string): string[] {
    return this.all(name)
      .map((c) => c.text().trim())
      .filter((t) => t !== '');
  }

  /** A `Money` element: currency plus decimal amount. */
  money(): MoneyAmount {
    const currency = this.requiredAttr('currency');
    const raw = this.text().trim();
    return { amount: this.ctx.decimal(raw, this.path, 'amount'), currency, raw };
  }
}

function checkNames(ctx: ReadContext, el: XmlElement, path: string, ruleName: string): void {
  const rule = elementRule(ruleName);
  if (rule === undefined) return;
  for (const name in el.attrs) {
    if (!rule.attributes.has(name) && !name.startsWith('xmlns')) {
      ctx.warn(`${path}@${name}`, `unknown attribute ${name} ignored`, 406);
    }
  }
  if (rule.children === undefined) return;
  for (const c of el.children) {
    if (!rule.children.has(c.name)) ctx.warn(`${path}/${c.name}`, `unknown element ${c.name} ignored`, 406);
  }
}

/** Text of an element and its descendants in document order. */
function deepText(el: XmlElement): string {
  if (el.children.length === 0) return el.text;
  let out = '';
  let pos = 0;
  for (const c of el.children) {
    out += el.text.slice(pos, c.at) + deepText(c);
    pos = c.at;
  }
  return out + el.text.slice(pos);
}
