import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

/**
 * For reads that clients poll (feeds, alerts): a weak ETag over the body; when the client's
 * `If-None-Match` names it, the answer is 304 without a body. Returns what to send (the body,
 * or undefined after a 304). Use with `@Res({ passthrough: true })`.
 */
export function withEtag<T>(request: Request, response: Response, body: T): T | undefined {
  const tag = `W/"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
  response.setHeader('ETag', tag);
  // Personal (what the caller may see differs): caches must ask every time.
  response.setHeader('Cache-Control', 'private, no-cache');
  const match = request.headers['if-none-match'];
  if (match && match.split(',').some((candidate) => candidate.trim() === tag || candidate.trim() === '*')) {
    response.status(304);
    return undefined;
  }
  return body;
}
