import { Injectable, type NestMiddleware } from '@nestjs/common';
import { csrfSync } from 'csrf-sync';
import type { NextFunction, Request, Response } from 'express';
import { ProblemException } from '@allmende/core';
import './session-data';

/** The field (urlencoded forms) and query parameter (multipart forms) that carry the token. */
export const CSRF_FIELD = '_csrf';

/** Whether the request's body is `multipart/form-data` (file uploads). */
export function isMultipart(request: Request): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && /^multipart\/form-data\s*(;|$)/i.test(type);
}

/**
 * Where the token of a request is:
 * - urlencoded forms send the `_csrf` field (parsed before this middleware runs);
 * - scripts (htmx) may send the `x-csrf-token` header;
 * - multipart forms (uploads) carry it in their action's query, `?_csrf=`, and only they: the
 *   body is streamed to the file store by the files service, so it is not parsed before this
 *   check, and reading a field out of it here would mean buffering the upload. Still a
 *   synchronizer token: it is bound to the session (a URL alone is worth nothing without the
 *   session cookie), never leaves the origin in a `Referer` (helmet's
 *   `Referrer-Policy: no-referrer`), and is never logged (the request log keeps the path only).
 *   For any other request the query is ignored, so a link cannot smuggle a token in.
 */
export function tokenFromRequest(request: Request): string | undefined {
  const fromBody = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
  if (typeof fromBody === 'string') return fromBody;
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  if (isMultipart(request)) {
    const fromQuery = (request.query as Record<string, unknown> | undefined)?.[CSRF_FIELD];
    if (typeof fromQuery === 'string') return fromQuery;
  }
  return undefined;
}

const csrf = csrfSync({ getTokenFromRequest: tokenFromRequest });

/** The CSRF token of the request's session, for forms (created on first use). */
export function csrfToken(request: Request): string {
  return csrf.generateToken(request);
}

/**
 * Synchronizer-token CSRF protection (csrf-sync) on every state-changing portal request:
 * POST, PUT, PATCH and DELETE need the session's token, else 403. The check runs before any
 * controller, so a refused upload is never read into the file store.
 */
@Injectable()
export class CsrfMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    csrf.csrfSynchronisedProtection(request, response, (error?: unknown) => {
      if (error)
        return next(
          ProblemException.forbidden(
            'The form has expired or is not ours (CSRF token missing or wrong). Reload the page and try again.',
          ),
        );
      next();
    });
  }
}
