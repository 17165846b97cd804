import iconv from 'iconv-lite';

/** How much of a file the encoding is guessed from. */
export const ENCODING_SAMPLE_BYTES = 64 * 1024;

export type CsvDelimiter = ';' | ',' | '\t';

export interface DetectedEncoding {
  /** An iconv-lite encoding name: `utf-8`, `windows-1252` (or `utf-16le`/`utf-16be`) when detected. */
  encoding: string;
  bom: boolean;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Guesses the encoding of a CSV file from its first bytes: a UTF-8 byte order mark means
 * UTF-8 (a UTF-16 one UTF-16); bytes that decode as strict UTF-8 mean UTF-8; anything else is taken as
 * Windows-1252 (what German Excel writes, a superset of ISO-8859-1's printable characters).
 *
 * `complete` says whether `sample` is the whole file: if not, a multi-byte sequence cut at
 * the end of the sample is not held against UTF-8.
 */
export function detectEncoding(sample: Uint8Array, complete: boolean): DetectedEncoding {
  if (sample.length >= 3 && UTF8_BOM.every((byte, index) => sample[index] === byte)) {
    return { encoding: 'utf-8', bom: true };
  }
  // Excel's "Unicode Text" is UTF-16 with a byte order mark.
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', bom: true };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', bom: true };
  try {
    // `stream: true` keeps an incomplete trailing sequence back instead of failing on it.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: !complete });
    return { encoding: 'utf-8', bom: false };
  } catch {
    return { encoding: 'windows-1252', bom: false };
  }
}

const ENCODING_ALIASES: Record<string, string> = {
  utf8: 'utf-8',
  'utf-8': 'utf-8',
  'utf-8-bom': 'utf-8',
  'utf8-bom': 'utf-8',
  'windows-1252': 'windows-1252',
  win1252: 'windows-1252',
  cp1252: 'windows-1252',
  ansi: 'windows-1252',
  'iso-8859-1': 'iso-8859-1',
  iso88591: 'iso-8859-1',
  latin1: 'iso-8859-1',
  'latin-1': 'iso-8859-1',
  'iso-8859-15': 'iso-8859-15',
  latin9: 'iso-8859-15',
};

/** The canonical name of an encoding given with `--encoding`, or undefined when unknown. */
export function normalizeEncodingName(name: string): string | undefined {
  const key = name.trim().toLowerCase().replace(/_/g, '-');
  const known = ENCODING_ALIASES[key];
  if (known) return known;
  return iconv.encodingExists(key) ? key : undefined;
}

const DELIMITERS: readonly CsvDelimiter[] = [';', ',', '\t'];

/**
 * The delimiter of a CSV file from the text of its start: `;`, `,` and tab are counted in
 * the first line (outside double quotes); the most frequent wins, `;` on a tie (German
 * Excel). A header with none of them (a single column) gives `;`.
 */
export function detectDelimiter(text: string): CsvDelimiter {
  const counts = new Map<CsvDelimiter, number>(DELIMITERS.map((delimiter) => [delimiter, 0]));
  let quoted = false;
  for (const char of firstLine(text)) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char as CsvDelimiter)) {
      counts.set(char as CsvDelimiter, counts.get(char as CsvDelimiter)! + 1);
    }
  }
  let best: CsvDelimiter = ';';
  for (const delimiter of DELIMITERS) if (counts.get(delimiter)! > counts.get(best)!) best = delimiter;
  return best;
}

/**
 * The first line of `text` (a line break inside double quotes does not end it); undefined
 * when `text` holds no complete line yet.
 */
export function completeFirstLine(text: string): string | undefined {
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) return text.slice(0, index);
  }
  return undefined;
}

function firstLine(text: string): string {
  return completeFirstLine(text) ?? text;
}
