import { createReadStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import iconv from 'iconv-lite';
import {
  completeFirstLine,
  detectDelimiter,
  detectEncoding,
  ENCODING_SAMPLE_BYTES,
  normalizeEncodingName,
  type CsvDelimiter,
} from './detect';

/** Where a CSV file comes from: a path, or something that yields its bytes (tests, stdin). */
export type CsvInput = string | (() => AsyncIterable<Uint8Array>);

/** A file-level problem: the file cannot be read as a member list at all. */
export class MemberListFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MemberListFileError';
  }
}

/** One record of the file. `row` is the row a spreadsheet shows (header = 1, blank lines count). */
export interface CsvRecord {
  row: number;
  fields: string[];
}

/** The file could not be parsed from this row on (e.g. a quote that is never closed). */
export interface CsvSyntaxProblem {
  row: number;
  reason: string;
}

export interface CsvFile {
  encoding: string;
  delimiter: CsvDelimiter;
  /**
   * Records in order, a slice at a time; blank lines are skipped. Ends early (after
   * `syntaxProblem`) on malformed CSV.
   */
  records: AsyncIterable<CsvRecord[]>;
  /** Set when reading stopped at malformed CSV. */
  readonly syntaxProblem: CsvSyntaxProblem | undefined;
  /** Bytes of the file read so far (for progress). */
  readonly bytesRead: number;
}

export interface OpenCsvOptions {
  /** Overrides detection (`--encoding`). */
  encoding?: string;
  /** A record longer than this is malformed CSV (an unclosed quote must not eat the memory). */
  maxRecordBytes?: number;
}

function openBytes(input: CsvInput): AsyncIterable<Uint8Array> {
  return typeof input === 'string' ? createReadStream(input, { highWaterMark: 64 * 1024 }) : input();
}

interface ParsedRecord {
  record: string[];
  info: { records: number; empty_lines: number };
}

const SYNTAX_REASONS: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a double quote opened in this row is never closed',
  CSV_MAX_RECORD_SIZE: 'the row is too long (probably a double quote that is never closed)',
  CSV_INVALID_CLOSING_QUOTE: 'a closing double quote is followed by other characters',
};

/**
 * Opens a CSV file for streaming: detects (or takes) the encoding from the first 64 KiB,
 * decodes with iconv-lite's streaming decoder (a UTF-8 BOM is dropped), detects the
 * delimiter from the header line and parses with csv-parse. Only a window of the file is
 * in memory at any time.
 */
export async function openCsv(input: CsvInput, options: OpenCsvOptions = {}): Promise<CsvFile> {
  const iterator = openBytes(input)[Symbol.asyncIterator]();
  let bytesRead = 0;
  let done = false;
  const pull = async (): Promise<Uint8Array | undefined> => {
    if (done) return undefined;
    const next = await iterator.next();
    if (next.done) {
      done = true;
      return undefined;
    }
    bytesRead += next.value.length;
    return next.value;
  };

  // The sample for detection.
  const head: Uint8Array[] = [];
  let headBytes = 0;
  while (headBytes < ENCODING_SAMPLE_BYTES) {
    const chunk = await pull();
    if (!chunk) break;
    head.push(chunk);
    headBytes += chunk.length;
  }
  const sample = Buffer.concat(head);
  let encoding: string;
  if (options.encoding) {
    const named = normalizeEncodingName(options.encoding);
    if (!named) throw new MemberListFileError(`unknown encoding "${options.encoding}"`);
    encoding = named;
  } else {
    encoding = detectEncoding(
      sample.subarray(0, ENCODING_SAMPLE_BYTES),
      done && sample.length <= ENCODING_SAMPLE_BYTES,
    ).encoding;
  }
  const decoder = iconv.getDecoder(encoding, { stripBOM: true });

  // Decode until the header line is complete, for the delimiter.
  const pending: string[] = [decoder.write(sample)];
  let text = pending[0]!;
  while (completeFirstLine(text) === undefined && !done && text.length < 1024 * 1024) {
    const chunk = await pull();
    if (!chunk) break;
    const decoded = decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    pending.push(decoded);
    text += decoded;
  }
  if (text.trim() === '' && done) throw new MemberListFileError('the file is empty');
  const delimiter = detectDelimiter(text);

  async function* decoded(): AsyncGenerator<string> {
    for (const piece of pending.splice(0)) if (piece) yield piece;
    for (let chunk = await pull(); chunk; chunk = await pull()) {
      const piece = decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      if (piece) yield piece;
    }
    const rest = decoder.end();
    if (rest) yield rest;
  }

  const file: { syntaxProblem: CsvSyntaxProblem | undefined } = { syntaxProblem: undefined };

  /**
   * Records in slices (what one decoded chunk of the file held): iterating row by row
   * through two async generators costs more than parsing the row.
   */
  async function* records(): AsyncGenerator<CsvRecord[]> {
    const parser = parse({
      delimiter,
      bom: true,
      info: true,
      relax_column_count: true,
      // `Hans "Hansi" Müller` in an unquoted cell is kept as written.
      relax_quotes: true,
      skip_empty_lines: true,
      max_record_size: options.maxRecordBytes ?? 1024 * 1024,
      // Malformed records are reported through 'skip' events: an error would end the
      // stream before the records that were already parsed are read.
      skip_records_with_error: true,
    });
    let parsed: CsvRecord[] = [];
    let failure: Error | undefined;
    parser.on('data', (item: ParsedRecord) => {
      const row = item.info.records + item.info.empty_lines;
      // What the parser recovers after malformed CSV is not trusted.
      if (file.syntaxProblem && row > file.syntaxProblem.row) return;
      parsed.push({ row, fields: item.record });
    });
    parser.on('error', (error: Error) => (failure ??= error));
    parser.on('skip', (error: CsvError) => {
      if (file.syntaxProblem) return;
      const info = error as unknown as { records?: number; empty_lines?: number };
      file.syntaxProblem = {
        row: (info.records ?? 0) + (info.empty_lines ?? 0) + 1,
        reason: `malformed CSV: ${SYNTAX_REASONS[error.code] ?? error.message}; the file was not read past this row`,
      };
    });
    const take = (): CsvRecord[] => {
      if (failure) throw failure;
      const slice = parsed;
      parsed = [];
      return slice;
    };
    try {
      for await (const text of decoded()) {
        await new Promise<void>((resolve) => parser.write(text, () => resolve()));
        const slice = take();
        if (slice.length > 0) yield slice;
        if (file.syntaxProblem) break;
      }
      await new Promise<void>((resolve) => parser.end(() => resolve()));
      await finished(parser).catch(() => undefined);
      const slice = take();
      if (slice.length > 0) yield slice;
    } finally {
      parser.destroy();
      await iterator.return?.();
    }
  }

  return {
    encoding,
    delimiter,
    records: records(),
    get syntaxProblem() {
      return file.syntaxProblem;
    },
    get bytesRead() {
      return bytesRead;
    },
  };
}
