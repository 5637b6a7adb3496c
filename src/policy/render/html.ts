/**
 * Writes a notice document as a complete, standalone HTML page: doctype, `<html lang>`, UTF-8,
 * a small inline stylesheet and no scripts. Policy text is untrusted input, so every value that
 * reaches the page goes through {@link escapeHtml}, attributes included.
 */
import type { Language } from '../schema.js';
import {
  fallbackTag,
  isSafeHref,
  type Block,
  type Inline,
  type NoticeDocument,
} from './notice-document.js';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and double- or single-quoted attributes alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

const STYLESHEET = `
body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; max-width: 52rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1 { font-size: 1.9rem; line-height: 1.25; margin: 0 0 1rem; }
h2 { font-size: 1.35rem; margin: 2.25rem 0 0.75rem; padding-top: 0.75rem; border-top: 1px solid #d0d7de; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
table { border-collapse: collapse; width: 100%; margin: 0.75rem 0 1rem; font-size: 0.95rem; }
th, td { border: 1px solid #d0d7de; padding: 0.4rem 0.55rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
.note { background: #fff8c5; border-left: 4px solid #d4a72c; padding: 0.6rem 0.9rem; margin: 1rem 0; }
.fallback { font-style: italic; }
.fallback-tag { font-size: 0.75em; color: #6e4600; background: #fff8c5; border-radius: 3px; padding: 0 0.2em; text-decoration: none; }
@media print { body { max-width: none; padding: 0; } h2 { break-after: avoid; } }
`.trim();

function writeInline(inline: Inline, titles: NoticeDocument['fallbackTitles']): string {
  if (typeof inline === 'string') {
    return escapeHtml(inline);
  }
  switch (inline.kind) {
    case 'fallback': {
      const title = titles[inline.language];
      const tagTitle = title === undefined ? '' : ` title="${escapeHtml(title)}"`;
      return (
        `<span class="fallback" lang="${inline.language}">${escapeHtml(inline.text)}</span>` +
        ` <abbr class="fallback-tag"${tagTitle}>${escapeHtml(fallbackTag(inline.language))}</abbr>`
      );
    }
    case 'strong':
      return `<strong>${writeInlines(inline.content, titles)}</strong>`;
    case 'link':
      return isSafeHref(inline.href)
        ? `<a href="${escapeHtml(inline.href)}">${escapeHtml(inline.text)}</a>`
        : escapeHtml(inline.text);
    case 'break':
      return '<br>';
  }
}

function writeInlines(
  content: readonly Inline[],
  titles: NoticeDocument['fallbackTitles'],
): string {
  return content.map((inline) => writeInline(inline, titles)).join('');
}

function writeBlock(block: Block, titles: NoticeDocument['fallbackTitles']): string {
  switch (block.kind) {
    case 'heading':
      return `<h${block.level}>${writeInlines(block.content, titles)}</h${block.level}>`;
    case 'paragraph':
      return `<p>${writeInlines(block.content, titles)}</p>`;
    case 'note':
      return `<p class="note" role="note">${writeInlines(block.content, titles)}</p>`;
    case 'list':
      return `<ul>\n${block.items.map((item) => `  <li>${writeInlines(item, titles)}</li>`).join('\n')}\n</ul>`;
    case 'table': {
      const header = block.header
        .map((cell) => `<th scope="col">${escapeHtml(cell)}</th>`)
        .join('');
      const rows = block.rows.map(
        (row) =>
          `    <tr>${row.map((cell) => `<td>${writeInlines(cell, titles)}</td>`).join('')}</tr>`,
      );
      return `<table>\n  <thead><tr>${header}</tr></thead>\n  <tbody>\n${rows.join('\n')}\n  </tbody>\n</table>`;
    }
  }
}

function languageAttribute(language: Language): string {
  return language;
}

/** The notice as a complete HTML document, ending with a newline. */
export function writeHtml(document: NoticeDocument): string {
  const body = document.blocks.map((block) => writeBlock(block, document.fallbackTitles));
  return [
    '<!DOCTYPE html>',
    `<html lang="${languageAttribute(document.language)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(document.title)}</title>`,
    `<style>\n${STYLESHEET}\n</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
