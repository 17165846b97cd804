import { z } from 'zod';
import { ProblemException } from '@allmende/core';

/** `?limit=&cursor=` of every list: at most 100 items a page, 20 unless asked. */
export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(500).optional(),
});
export type PageQuery = z.infer<typeof pageQuery>;

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Opaque cursors: the sort key values of the last item (e.g. `[createdAt, id]`), so the next
 * page continues after it whatever was inserted meanwhile (keyset pagination, stable order).
 */
export function encodeCursor(values: readonly (string | number | boolean)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number | boolean)[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(values) &&
      values.length === arity &&
      values.every((value) => ['string', 'number', 'boolean'].includes(typeof value))
    ) {
      return values as (string | number | boolean)[];
    }
  } catch {
    // fall through
  }
  throw ProblemException.validation([{ path: 'cursor', message: 'not a cursor of this list' }]);
}

/** A page from `limit + 1` rows: the extra row only says that there is more. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  item: (row: Row) => Item,
  cursorOf: (row: Row) => (string | number | boolean)[],
): Page<Item> {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  return { items: shown.map(item), nextCursor: more ? encodeCursor(cursorOf(shown.at(-1)!)) : null };
}
