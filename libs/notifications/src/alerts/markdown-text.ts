import sanitizeHtml from 'sanitize-html';
import { renderMarkdown } from '@allmende/content';

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  apos: "'",
  nbsp: ' ',
};

/**
 * The plain-text part of a mail from Markdown as people write it: rendered and sanitised by
 * libs/content first (so plain text and HTML say the same), then paragraphs and list items
 * become lines, links keep their target in brackets (a plain-text reader cannot click the
 * words), and the markup is dropped.
 */
export function markdownToText(source: string): string {
  const html = renderMarkdown(source)
    // The renderer's own line breaks after tags carry no meaning; the tags below make the lines.
    .replace(/>\n/g, '>')
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/<a [^>]*href="([^"]*)"[^>]*>(.*?)<\/a>/gs, (_whole, href: string, text: string) =>
      text === href ? href : `${text} (${href})`,
    )
    .replace(/<li[^>]*>/g, '- ')
    .replace(/<\/(p|blockquote|pre|table)>/g, '\n\n')
    .replace(/<\/(li|h[1-6]|ul|ol|tr)>/g, '\n')
    .replace(/<hr\s*\/?>/g, '---\n\n');
  const text = sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} }).replace(
    /&(amp|lt|gt|quot|#39|apos|nbsp);/g,
    (_whole, name: string) => ENTITIES[name]!,
  );
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
