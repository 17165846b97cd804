import { stringify } from 'csv-stringify/sync';
import type { Writable } from 'node:stream';
import { neutralizeFormula } from './formula';

/** The byte order mark that makes Excel read a CSV file as UTF-8. */
export const BOM = '\ufeff';

/**
 * Rows as CSV the way German Excel opens them cleanly: `;` between cells, CRLF between
 * rows, RFC 4180 quoting (a cell with a line break is quoted too), and every cell
 * neutralised against formula injection. The caller writes the BOM once, first.
 */
export function excelCsv(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  return stringify(
    rows.map((row) => row.map(neutralizeFormula)),
    { delimiter: ';', record_delimiter: '\r\n', quoted_match: /[\r\n]/ },
  );
}

/** Writes a chunk and waits until the stream has taken it (back-pressure; errors reject). */
export function writeChunk(out: Writable, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

/** Ends a stream and waits until everything is written. */
export function endStream(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}
