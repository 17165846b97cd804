import { arrayLiteral, sqlLiteral } from './sql-literal';

describe('sqlLiteral', () => {
  it('doubles quotes and backslashes in an escape string', () => {
    expect(sqlLiteral("O'Brien")).toBe("E'O''Brien'");
    expect(sqlLiteral('a\\b')).toBe("E'a\\\\b'");
    expect(sqlLiteral("x'); drop table members; --")).toBe("E'x''); drop table members; --'");
    expect(sqlLiteral('Müller ?')).toBe("E'Müller ?'");
  });

  it('refuses NUL characters', () => {
    expect(() => sqlLiteral('a\0b')).toThrow(/NUL/);
  });

  it('writes arrays, quoting and escaping text elements', () => {
    expect(arrayLiteral(['a@x.de', "O'Neil"], 'text[]')).toBe(`E'{"a@x.de","O''Neil"}'::text[]`);
    expect(arrayLiteral(['b"c\\d', null, ''], 'text[]')).toBe(`E'{"b\\\\"c\\\\\\\\d",NULL,""}'::text[]`);
    expect(arrayLiteral(['{x}', 'a,b'], 'text[]')).toBe(`E'{"{x}","a,b"}'::text[]`);
    expect(arrayLiteral([], 'text[]')).toBe("E'{}'::text[]");
    expect(arrayLiteral([], 'uuid[]')).toBe("E'{}'::uuid[]");
    expect(arrayLiteral(['0199a2b0-0000-7000-8000-000000000001', null], 'uuid[]')).toBe(
      `E'{"0199a2b0-0000-7000-8000-000000000001",NULL}'::uuid[]`,
    );
  });
});
