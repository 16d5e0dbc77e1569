/**
 * Indents an XML document for display on the punchout page. Carts often arrive as one long
 * line; a person checking aux IDs needs one element per line. The document is re-serialised
 * from parser events (never edited as text); anything the parser refuses is shown unchanged.
 */
import { SaxesParser } from 'saxes';
import { escapeAttr, escapeText } from '../protocol/cxml/xml-text.js';

interface Frame {
  readonly name: string;
  /** Whether child elements appeared (then the close tag goes on its own line). */
  hasElements: boolean;
  text: string;
}

/**
 * @example prettyXml('<a><b x="1">t</b></a>') // '<a>\n  <b x="1">t</b>\n</a>'
 */
export function prettyXml(xml: string, indent = '  '): string {
  try {
    return reserialise(xml, indent);
  } catch {
    return xml;
  }
}

function reserialise(xml: string, indent: string): string {
  // No DTD is read: saxes never fetches or expands external entities.
  const parser = new SaxesParser({ xmlns: false, position: false });
  const lines: string[] = [];
  const stack: Frame[] = [];
  let failure: Error | undefined;
  const pad = (): string => indent.repeat(stack.length);
  // Text between elements is layout; inside a leaf it is content and is kept as sent.
  const flushText = (frame: Frame | undefined): void => {
    if (!frame || frame.text === '') return;
    if (frame.hasElements && frame.text.trim() !== '') lines.push(pad() + escapeText(frame.text.trim()));
    if (frame.hasElements) frame.text = '';
  };

  parser.on('error', (e) => {
    failure ??= e;
  });
  parser.on('xmldecl', (d) => {
    const parts = [`version="${d.version ?? '1.0'}"`];
    if (d.encoding) parts.push(`encoding="${d.encoding}"`);
    if (d.standalone) parts.push(`standalone="${d.standalone}"`);
    lines.push(`<?xml ${parts.join(' ')}?>`);
  });
  parser.on('doctype', (d) => lines.push(`<!DOCTYPE${d}>`));
  parser.on('comment', (c) => {
    flushText(stack.at(-1));
    lines.push(`${pad()}<!--${c}-->`);
  });
  parser.on('processinginstruction', (pi) => lines.push(`${pad()}<?${pi.target}${pi.body ? ` ${pi.body}` : ''}?>`));
  parser.on('opentag', (tag) => {
    const parent = stack.at(-1);
    if (parent) {
      if (!parent.hasElements) {
        // The parent turns out to have children: its open tag line stays, its text so far is layout.
        parent.hasElements = true;
      }
      flushText(parent);
    }
    const attrs = Object.entries(tag.attributes as Record<string, string>)
      .map(([n, v]) => ` ${n}="${escapeAttr(v)}"`)
      .join('');
    if (tag.isSelfClosing) {
      lines.push(`${pad()}<${tag.name}${attrs}/>`);
      return;
    }
    lines.push(`${pad()}<${tag.name}${attrs}>`);
    stack.push({ name: tag.name, hasElements: false, text: '' });
  });
  parser.on('text', (t) => {
    const frame = stack.at(-1);
    if (frame) frame.text += t;
  });
  parser.on('cdata', (t) => {
    const frame = stack.at(-1);
    if (frame) frame.text += t;
  });
  parser.on('closetag', (tag) => {
    if (tag.isSelfClosing) return;
    const frame = stack.pop();
    if (!frame) return;
    if (frame.hasElements) {
      flushText(frame);
      lines.push(`${pad()}</${frame.name}>`);
    } else {
      // Leaf: put the text on the open-tag line, exactly as sent.
      const open = lines.pop() ?? '';
      lines.push(`${open}${escapeText(frame.text)}</${frame.name}>`);
    }
  });
  parser.write(xml).close();
  if (failure) throw failure;
  return lines.join('\n');
}
