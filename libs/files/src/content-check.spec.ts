import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createHash } from 'node:crypto';
import { ContentCheck, sniffMediaType, SNIFF_BYTES } from './content-check';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

async function run(chunks: Buffer[], allowed: string[]) {
  const check = new ContentCheck(allowed);
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    check,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    }),
  );
  return { check, out: Buffer.concat(out) };
}

describe('sniffMediaType', () => {
  it('recognises by magic number, not by anything the client says', async () => {
    await expect(sniffMediaType(PNG, ['image/png'])).resolves.toBe('image/png');
    await expect(sniffMediaType(PNG, ['application/pdf'])).rejects.toMatchObject({ status: 415 });
    await expect(sniffMediaType(Buffer.from('<script>'), ['image/png'])).rejects.toMatchObject({
      status: 415,
    });
    await expect(sniffMediaType(Buffer.alloc(0), ['image/png'])).rejects.toMatchObject({ status: 415 });
  });

  it('takes text as text/plain only when allowed and free of control characters', async () => {
    await expect(sniffMediaType(Buffer.from('Grüße\nvom Rat\n'), ['text/plain'])).resolves.toBe('text/plain');
    await expect(sniffMediaType(Buffer.from('Grüße'), ['image/png'])).rejects.toMatchObject({ status: 415 });
    await expect(
      sniffMediaType(Buffer.from('a\u0001b\u0002c-padding'), ['text/plain']),
    ).rejects.toMatchObject({
      status: 415,
    });
  });
});

describe('ContentCheck', () => {
  it('passes every byte through, counting and hashing, with the type from the head', async () => {
    const body = Buffer.concat([PNG, Buffer.alloc(SNIFF_BYTES * 2, 9)]);
    const chunks = [body.subarray(0, 10), body.subarray(10, 70_000), body.subarray(70_000)];
    const { check, out } = await run(chunks, ['image/png']);
    expect(out.equals(body)).toBe(true);
    expect(check.mediaType).toBe('image/png');
    expect(check.size).toBe(body.length);
    expect(check.sha256).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it('fails before passing anything on when the type is not allowed', async () => {
    const written: Buffer[] = [];
    const check = new ContentCheck(['application/pdf']);
    await expect(
      pipeline(
        Readable.from([PNG, Buffer.alloc(SNIFF_BYTES, 1)]),
        check,
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            written.push(chunk);
            callback();
          },
        }),
      ),
    ).rejects.toMatchObject({ status: 415 });
    expect(written).toEqual([]);
  });
});
