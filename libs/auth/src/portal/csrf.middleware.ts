import { Injectable, type NestMiddleware } from '@nestjs/common';
import { csrfSync } from 'csrf-sync';
import type { NextFunction, Request, Response } from 'express';
import { ProblemException } from '@allmende/core';
import './session-data';

const csrf = csrfSync({
  // Forms send `_csrf`; scripts (htmx) may send the header.
  getTokenFromRequest: (request) =>
    (request.body as { _csrf?: unknown } | undefined)?._csrf?.toString() ??
    (request.headers['x-csrf-token'] as string | undefined),
});

/** The CSRF token of the request's session, for forms (created on first use). */
export function csrfToken(request: Request): string {
  return csrf.generateToken(request);
}

/**
 * Synchronizer-token CSRF protection (csrf-sync) on every state-changing portal request:
 * POST, PUT, PATCH and DELETE need the session's token, else 403.
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
