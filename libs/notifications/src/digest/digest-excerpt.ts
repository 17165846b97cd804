import MarkdownIt from 'markdown-it';

/** Parses only: the excerpt is built from the token stream, never from rendered HTML. */
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

/** Tokens whose end separates words (paragraphs, headings, list items, table cells …). */
const BLOCK_BREAK = /_close$/;

/** A tag as someone may type it (`html: false` keeps it as text); the mail's excerpt shows no markup. */
const HTML_TAG = /<\/?[a-z][^<>]*>/gi;

type Token = ReturnType<MarkdownIt['parse']>[number];

/**
 * The plain text of a Markdown text, shortened for a mail: markup removed (emphasis, links
 * keep their text, images their alt text, HTML tags typed into the text are dropped), whitespace collapsed, and cut at
 * a word boundary to at most `max` characters including the closing "…".
 */
export function markdownExcerpt(source: string, max = 200): string {
  const parts: string[] = [];
  for (const token of markdown.parse(source, {})) {
    if (token.type === 'inline') parts.push(inlineText(token.children ?? []));
    else if (token.type === 'code_block' || token.type === 'fence') parts.push(token.content);
    if (token.block && BLOCK_BREAK.test(token.type)) parts.push(' ');
  }
  const text = parts.join(' ').replace(HTML_TAG, ' ');
  return shorten(text.replace(/\s+/g, ' ').trim(), max);
}

function inlineText(children: Token[]): string {
  let text = '';
  for (const child of children) {
    if (child.type === 'text' || child.type === 'code_inline') text += child.content;
    else if (child.type === 'softbreak' || child.type === 'hardbreak') text += ' ';
    else if (child.type === 'image') text += inlineText(child.children ?? []);
  }
  return text;
}

/** Cut at the last space before `max` (or hard at `max` when one word is longer), then "…". */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = text.slice(0, max - 1);
  const space = room.lastIndexOf(' ');
  const cut = space > max / 2 ? room.slice(0, space) : room;
  return `${cut.replace(/[\s,;:.\-–]+$/, '')}…`;
}
