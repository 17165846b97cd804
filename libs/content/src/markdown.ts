import { LRUCache } from 'lru-cache';
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/**
 * Markdown as people write it (stored as written), rendered for display. Raw HTML in the
 * source is not interpreted (markdown-it `html: false` escapes it), links with unsafe schemes
 * are not made, and the result passes an allow-list sanitizer as a second line of defence:
 * no scripts, no event handlers, no styles, links only http(s) and mailto, opened with
 * `rel="nofollow noopener noreferrer"`.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'strong',
    'em',
    'del',
    's',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'hr',
    'a',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: { a: ['href', 'title', 'rel'], ol: ['start'], th: ['align'], td: ['align'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }),
  },
};

/**
 * Rendered texts by source. Rendering is a pure function of the source and costs about as
 * much as the rest of a feed request (20 posts, each parsed and sanitised); feeds show the
 * same posts again and again. Bounded by the characters held (sources plus their HTML).
 */
const rendered = new LRUCache<string, string>({
  maxSize: 16_000_000,
  sizeCalculation: (html, source) => html.length + source.length || 1,
});

/** The sanitised HTML of a Markdown text. */
export function renderMarkdown(source: string): string {
  let html = rendered.get(source);
  if (html === undefined) {
    html = sanitizeHtml(markdown.render(source), SANITIZE);
    rendered.set(source, html);
  }
  return html;
}
