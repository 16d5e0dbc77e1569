/**
 * Indents an XML document for a person to read (the admin's document log). The parser only
 * checks the document and says where each piece of markup ends; every tag, text and entity
 * reference is then copied from the source exactly as sent. Nothing is decoded and re-encoded,
 * so an entity is never expanded (not even `&amp;` or `&#228;`), a DTD is never read, and what
 * is shown is what arrived, only with line breaks and indentation between elements.
 */
import { SaxesParser } from 'saxes';

interface Frame {
  /** Index in `lines` of the element's open tag. */
  readonly openLine: number;
  /** Whether child markup appeared (then the close tag goes on its own line). */
  hasChildren: boolean;
  /** Source text (and CDATA sections) since the last child markup, as sent. */
  pending: string;
}

/**
 * @example prettyXml('<a><b x="1">t &amp; u</b></a>') // '<a>\n  <b x="1">t &amp; u</b>\n</a>'
 * A document the parser refuses is returned unchanged.
 */
export function prettyXml(xml: string, indent = '  '): string {
  try {
    return reindent(xml, indent);
  } catch {
    return xml;
  }
}

function reindent(xml: string, indent: string): string {
  const parser = new SaxesParser({ position: true });
  const lines: string[] = [];
  const stack: Frame[] = [];
  let cursor = 0;
  let failure: Error | undefined;

  parser.on('error', (e) => {
    // A reference to an entity declared in an internal subset: we never expand it, and the
    // source is copied as sent anyway, so it is shown rather than refused.
    if (/undefined entity/i.test(e.message)) return;
    failure ??= e;
  });

  const pad = (): string => indent.repeat(stack.length);
  /** Text is everything between the last markup and the next `<` (well-formed text has no `<`). */
  const takeMarkup = (end: number): { text: string; markup: string } => {
    const start = xml.indexOf('<', cursor);
    if (start < 0 || start >= end) throw new Error('markup position not found');
    const out = { text: xml.slice(cursor, start), markup: xml.slice(start, end) };
    cursor = end;
    return out;
  };
  const flush = (frame: Frame | undefined, text: string): void => {
    if (!frame) return; // text outside the root element is layout
    frame.pending += text;
    if (frame.hasChildren && frame.pending.trim() !== '') lines.push(pad() + frame.pending.trim());
    if (frame.hasChildren) frame.pending = '';
  };
  /** Comments, processing instructions and child elements make the parent a container. */
  const child = (end: number): string => {
    const { text, markup } = takeMarkup(end);
    const parent = stack.at(-1);
    if (parent) {
      parent.pending += text;
      parent.hasChildren = true;
      flush(parent, '');
    }
    return markup;
  };

  parser.on('xmldecl', () => lines.push(takeMarkup(parser.position).markup));
  parser.on('doctype', () => lines.push(takeMarkup(parser.position).markup));
  // saxes reports a comment before reading its final `>`; a comment cannot contain `--`.
  parser.on('comment', () => lines.push(pad() + child(xml.indexOf('-->', cursor) + 3)));
  parser.on('processinginstruction', () => lines.push(pad() + child(parser.position)));
  parser.on('cdata', () => {
    const { text, markup } = takeMarkup(parser.position);
    const frame = stack.at(-1);
    if (frame) frame.pending += text + markup;
  });
  parser.on('opentag', (tag) => {
    const markup = child(parser.position);
    lines.push(pad() + markup);
    if (!tag.isSelfClosing) stack.push({ openLine: lines.length - 1, hasChildren: false, pending: '' });
  });
  parser.on('closetag', (tag) => {
    if (tag.isSelfClosing) return;
    const { text, markup } = takeMarkup(parser.position);
    const frame = stack.pop();
    if (!frame) return;
    if (frame.hasChildren) {
      frame.pending += text;
      if (frame.pending.trim() !== '') lines.push(indent.repeat(stack.length + 1) + frame.pending.trim());
      lines.push(pad() + markup);
    } else {
      // A leaf keeps its content exactly as sent, whitespace included, on the open tag's line.
      lines[frame.openLine] += frame.pending + text + markup;
    }
  });

  parser.write(xml).close();
  if (failure) throw failure;
  return lines.join('\n');
}
