import type { Writable } from 'node:stream';
import { BOM, endStream, excelCsv, writeChunk } from './excel-csv';
import type { RejectedRow } from './member-import';

/** The report's columns: one line per problem, so a row with two problems has two lines. */
export const REPORT_HEADER = ['Row', 'Column', 'Value', 'Reason'] as const;

/** Writes rejected rows as CSV (same conventions as the export: BOM, `;`, CRLF, neutralised). */
export async function writeRejectionReport(out: Writable, rejections: readonly RejectedRow[]): Promise<void> {
  const lines = rejections.flatMap((rejection) =>
    rejection.problems.map((problem) => [
      String(rejection.row),
      problem.column,
      problem.value,
      problem.reason,
    ]),
  );
  await writeChunk(out, BOM + excelCsv([[...REPORT_HEADER]]));
  for (let start = 0; start < lines.length; start += 1000) {
    await writeChunk(out, excelCsv(lines.slice(start, start + 1000)));
  }
  await endStream(out);
}

/** One line per rejected row, for a terminal: `row 7, E-Mail: is not a valid e-mail address ("anna@")`. */
export function describeRejection(rejection: RejectedRow): string {
  const problems = rejection.problems.map((problem) => {
    const value = problem.value.trim() === '' ? '' : ` (${JSON.stringify(shorten(problem.value))})`;
    return `${problem.column ? `${problem.column}: ` : ''}${problem.reason}${value}`;
  });
  return `row ${rejection.row}: ${problems.join('; ')}`;
}

function shorten(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}
