import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import { ProblemException } from '@allmende/core';

/** How much of the start of a file the type is sniffed from (ZIP-based office files need some). */
export const SNIFF_BYTES = 64 * 1024;

/** 415: the content is not of an allowed type. */
export function unsupportedMediaType(detail: string): ProblemException {
  return new ProblemException({
    type: '/problems/unsupported-media-type',
    title: 'Unsupported Media Type',
    status: 415,
    detail,
  });
}

/**
 * The media type of a file's first bytes, by magic number (`file-type`), never by name or the
 * client's header. Plain text has no magic number: it counts as `text/plain` only when the
 * allowed types list it and the sniffed bytes are UTF-8 without control characters
 * (other than tab and line breaks); otherwise it is refused like any unknown type.
 */
export async function sniffMediaType(head: Buffer, allowed: readonly string[]): Promise<string> {
  if (head.length === 0) throw unsupportedMediaType('The file is empty.');
  const detected = await fileTypeFromBuffer(head);
  const mediaType =
    detected?.mime ?? (allowed.includes('text/plain') && isPlainText(head) ? 'text/plain' : null);
  if (!mediaType) throw unsupportedMediaType('The type of this file could not be recognised.');
  if (!allowed.includes(mediaType))
    throw unsupportedMediaType(`Files of type ${mediaType} are not accepted.`);
  return mediaType;
}

function isPlainText(head: Buffer): boolean {
  // The window may end inside a multi-byte character: ignore up to 3 trailing bytes.
  const text = new TextDecoder('utf-8', { fatal: false }).decode(
    head.subarray(0, Math.max(0, head.length - 3)),
  );
  if (text.includes('\uFFFD')) return false;
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text);
}

/**
 * Passes a file's bytes through while it holds back the first SNIFF_BYTES, decides the type
 * from them (erroring with 415 before anything is written when it is not allowed), and
 * counts and hashes everything.
 */
export class ContentCheck extends Transform {
  mediaType: string | null = null;
  size = 0;
  private readonly hash = createHash('sha256');
  private head: Buffer[] = [];
  private headBytes = 0;

  constructor(private readonly allowed: readonly string[]) {
    super();
  }

  get sha256(): string {
    return this.hash.copy().digest('hex');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    this.hash.update(chunk);
    if (this.mediaType) return callback(null, chunk);
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < SNIFF_BYTES) return callback();
    this.decide(callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.mediaType) return callback();
    this.decide(callback);
  }

  private decide(callback: TransformCallback): void {
    const head = Buffer.concat(this.head);
    this.head = [];
    sniffMediaType(head, this.allowed).then((mediaType) => {
      this.mediaType = mediaType;
      callback(null, head);
    }, callback);
  }
}
