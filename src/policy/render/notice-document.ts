/**
 * A rendered notice before it is written out: headings, paragraphs, lists and tables of inline
 * runs, in one language. Markdown and HTML are two writers of this one document, so both formats
 * say exactly the same thing. Every string in it is text, never markup: the writers escape it.
 */
import type { Language } from '../schema.js';

export type Inline =
  /** Text in the notice language (template text, or organisation text in that language). */
  | string
  /** Organisation text missing in the notice language, shown in another language, visibly. */
  | { readonly kind: 'fallback'; readonly text: string; readonly language: Language }
  | { readonly kind: 'strong'; readonly content: readonly Inline[] }
  /** Only http(s) and mailto addresses become links; anything else stays text. */
  | { readonly kind: 'link'; readonly href: string; readonly text: string }
  | { readonly kind: 'break' };

export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3; readonly content: readonly Inline[] }
  | { readonly kind: 'paragraph'; readonly content: readonly Inline[] }
  /** A call-out the reader must not miss, such as the untranslated-passages note. */
  | { readonly kind: 'note'; readonly content: readonly Inline[] }
  | { readonly kind: 'list'; readonly items: readonly (readonly Inline[])[] }
  | {
      readonly kind: 'table';
      readonly header: readonly string[];
      readonly rows: readonly (readonly (readonly Inline[])[])[];
    };

export interface NoticeDocument {
  readonly language: Language;
  readonly title: string;
  /** For each language passages fell back to, the tooltip explaining the marker. */
  readonly fallbackTitles: Readonly<Partial<Record<Language, string>>>;
  readonly blocks: readonly Block[];
}

/** The visible marker after a passage shown in another language. */
export function fallbackTag(language: Language): string {
  return `[${language}]`;
}

/** True for addresses a notice may link to: the web and e-mail, never `javascript:` or `data:`. */
export function isSafeHref(href: string): boolean {
  return /^(?:https?:\/\/|mailto:)/i.test(href);
}
