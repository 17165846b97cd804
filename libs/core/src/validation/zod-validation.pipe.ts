import { Injectable, type PipeTransform } from '@nestjs/common';
import type { ZodType } from 'zod';
import { ProblemException } from '../errors/problem';

/**
 * Validates a body, query or param against one zod schema. Object schemas should be
 * `z.strictObject(...)` so unknown fields are rejected, not silently dropped.
 */
@Injectable()
export class ZodValidationPipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly schema: ZodType<T>) {}

  transform(value: unknown): T {
    // PostgreSQL text cannot hold U+0000: refuse it here, as a field error, not as a 500 later.
    const nul = nulCharacterPaths(value);
    if (nul.length)
      throw ProblemException.validation(
        nul.map((path) => ({ path, message: 'must not contain a NUL character' })),
      );
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    throw ProblemException.validation(
      result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.') || '(root)',
        message: issue.message,
      })),
    );
  }
}

/** Paths of the strings in `value` (nested objects and arrays included) that contain U+0000. */
function nulCharacterPaths(value: unknown, path: string[] = [], found: string[] = [], depth = 0): string[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push(path.join('.') || '(root)');
  } else if (isPlainData(value) && depth < 32) {
    for (const [key, entry] of Object.entries(value)) {
      if (key.includes('\u0000')) found.push([...path, key].join('.'));
      nulCharacterPaths(entry, [...path, key], found, depth + 1);
    }
  }
  return found;
}

/** Parsed JSON, query and route params: arrays and plain objects (never buffers or streams). */
function isPlainData(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
