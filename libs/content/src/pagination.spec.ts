import { decodeCursor, encodeCursor, toPage } from './pagination';

describe('cursors', () => {
  it('round-trip the sort keys', () => {
    const cursor = encodeCursor(['2026-06-14T16:00:00.000Z', 'a1b2', 3, true]);
    expect(decodeCursor(cursor, 4)).toEqual(['2026-06-14T16:00:00.000Z', 'a1b2', 3, true]);
  });

  it.each([
    'kaputt',
    encodeCursor(['x']),
    Buffer.from('{"a":1}').toString('base64url'),
    encodeCursor([{} as never, 'x']),
  ])('refuse %p with a validation problem', (cursor) => {
    expect(() => decodeCursor(cursor, 2)).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('make a page of limit rows and a cursor only when there are more', () => {
    const rows = [1, 2, 3].map((n) => ({ n }));
    expect(
      toPage(
        rows,
        2,
        (row) => row.n,
        (row) => [row.n],
      ),
    ).toEqual({ items: [1, 2], nextCursor: encodeCursor([2]) });
    expect(
      toPage(
        rows,
        3,
        (row) => row.n,
        (row) => [row.n],
      ),
    ).toEqual({ items: [1, 2, 3], nextCursor: null });
  });
});
