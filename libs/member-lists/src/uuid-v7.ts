import { randomFillSync } from 'node:crypto';

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const pool = Buffer.allocUnsafe(10 * 1024);
let offset = pool.length;
/** The id is written here as text, then read out as one string. */
const text = Buffer.from('00000000-0000-7000-8000-000000000000', 'latin1');
/** Where each of the 16 bytes goes in the text (two hex digits each). */
const POSITIONS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const bytes = new Uint8Array(16);

/**
 * A UUID version 7 (RFC 9562: 48-bit Unix time in milliseconds, then random bits), like
 * `newId()` of @allmende/core, for bulk work: it draws on a pool of random bytes and
 * allocates nothing but the string (the uuid package allocates two typed arrays per id,
 * which at 100,000 rows shows in the import's memory).
 */
export function uuidV7(): string {
  if (offset + 10 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const ms = Date.now();
  const high = Math.floor(ms / 0x10000); // the first 32 of the 48 time bits
  bytes[0] = (high >>> 24) & 0xff;
  bytes[1] = (high >>> 16) & 0xff;
  bytes[2] = (high >>> 8) & 0xff;
  bytes[3] = high & 0xff;
  bytes[4] = (ms >>> 8) & 0xff;
  bytes[5] = ms & 0xff;
  for (let index = 6; index < 16; index++) bytes[index] = pool[offset++]!;
  bytes[6] = 0x70 | (bytes[6]! & 0x0f); // version 7
  bytes[8] = 0x80 | (bytes[8]! & 0x3f); // variant 10
  for (let index = 0; index < 16; index++) {
    const byte = bytes[index]!;
    const position = POSITIONS[index]!;
    text[position] = HEX_DIGITS[byte >>> 4]!;
    text[position + 1] = HEX_DIGITS[byte & 0x0f]!;
  }
  return text.toString('latin1', 0, 36);
}
