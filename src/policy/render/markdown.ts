/**
 * Writes a notice document as CommonMark with GitHub tables. Policy text is untrusted: every
 * character Markdown gives a meaning to is escaped, so a label can neither inject HTML nor turn
 * into a link, an emphasis or a table column.
 */
import {
  fallbackTag,
  isSafeHref,
  type Block,
  type Inline,
  type NoticeDocument,
} from './notice-document.js';

/** ASCII punctuation CommonMark may read as markup; a backslash makes each literal. */
const MARKDOWN_SPECIAL = /[\\`*_[\]<>|#~&!]/g;

/** Escapes text for a Markdown line: markup characters, and line breaks folded to spaces. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(MARKDOWN_SPECIAL, (character) => `\\${character}`);
}

/** A line must not start a list, a quote or a setext heading by accident. */
function guardLineStart(line: string): string {
  return line.replace(/^(\d+)([.)])/, '$1\\$2').replace(/^([-+=])/, '\\$1');
}

function writeHref(href: string): string {
  return href.replace(/[()<>\s]/g, (character) => encodeURIComponent(character));
}

function writeInline(inline: Inline, inTable: boolean): string {
  if (typeof inline === 'string') {
    return escapeMarkdown(inline);
  }
  switch (inline.kind) {
    case 'fallback':
      return `${escapeMarkdown(inline.text)} ${fallbackTag(inline.language)}`;
    case 'strong':
      return `**${writeInlines(inline.content, inTable)}**`;
    case 'link':
      return isSafeHref(inline.href)
        ? `[${escapeMarkdown(inline.text)}](${writeHref(inline.href)})`
        : escapeMarkdown(inline.text);
    case 'break':
      // A table cell is one line; elsewhere a backslash at the end of a line is a hard break.
      return inTable ? '<br>' : '\\\n  ';
  }
}

function writeInlines(content: readonly Inline[], inTable = false): string {
  return content.map((inline) => writeInline(inline, inTable)).join('');
}

function writeBlock(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `${'#'.repeat(block.level)} ${writeInlines(block.content)}`;
    case 'paragraph':
      return guardLineStart(writeInlines(block.content));
    case 'note':
      return `> ${writeInlines(block.content)}`;
    case 'list':
      return block.items.map((item) => `- ${guardLineStart(writeInlines(item))}`).join('\n');
    case 'table': {
      const header = `| ${block.header.map(escapeMarkdown).join(' | ')} |`;
      const rule = `| ${block.header.map(() => '---').join(' | ')} |`;
      const rows = block.rows.map(
        (row) => `| ${row.map((cell) => writeInlines(cell, true)).join(' | ')} |`,
      );
      return [header, rule, ...rows].join('\n');
    }
  }
}

/** The notice as Markdown, ending with a newline. */
export function writeMarkdown(document: NoticeDocument): string {
  return `${document.blocks.map(writeBlock).join('\n\n')}\n`;
}
