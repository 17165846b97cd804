import { uuidV7 } from './uuid-v7';

describe('uuidV7', () => {
  it('makes RFC 9562 version 7 UUIDs with the current time in the first 48 bits', () => {
    const before = Date.now();
    const id = uuidV7();
    const after = Date.now();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('does not repeat itself', () => {
    const ids = new Set(Array.from({ length: 20_000 }, () => uuidV7()));
    expect(ids.size).toBe(20_000);
  });
});
