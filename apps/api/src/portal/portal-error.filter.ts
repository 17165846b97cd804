import { HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { PortalPages } from '@allmende/auth';
import { ProblemException } from '@allmende/core';
import { languageLinks, portalLocale } from './portal-locale';
import { portalCommunity } from './portal-branding';
import { signInHref } from './portal-view';

/**
 * Pages whose errors are pages too: the communities' pages, the account page and the sign-in
 * flow (all in a browser); everything else (the REST API) keeps problem+json.
 */
export function isPortalPage(path: string): boolean {
  return path === '/t' || path.startsWith('/t/') || path === '/me' || path.startsWith('/auth/');
}

/** The statuses with a page of their own; the rest share the generic one. */
const OWN_PAGES = new Set([401, 403, 404, 429, 500, 503]);

/**
 * Errors of portal pages in the portal's look and the reader's language: 404, 403, 500 (and
 * a generic page for the rest); a GET that needs a login is sent to sign in instead. Other
 * paths go to the API's problem+json filter unchanged.
 */
export class PortalErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('PortalError');

  constructor(
    private readonly pages: PortalPages,
    private readonly api: ExceptionFilter,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    // originalUrl, not path: inside middleware mounted on a route, `path` is relative to it.
    const path = (request.originalUrl ?? request.url ?? '').split('?')[0]!;
    if (!isPortalPage(path) || response.headersSent) {
      this.api.catch(exception, host);
      return;
    }
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    if (status >= 500) {
      // The stack goes to the log, never to the page.
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    }
    if (status === 401 && request.method === 'GET') {
      response.setHeader('Cache-Control', 'no-store');
      response.redirect(303, signInHref(request.originalUrl));
      return;
    }
    // After signing in, back to this page; a form's target is no page: back to the community.
    const slug = request.tenant?.slug;
    const back =
      request.method === 'GET' ? request.originalUrl : slug ? `/t/${encodeURIComponent(slug)}/` : '/';
    const locale = portalLocale(request);
    const kind = OWN_PAGES.has(status) ? String(status) : status >= 500 ? '500' : 'other';
    const html = this.pages.renderPage('error', {
      locale,
      titleKey: `portal.error.${kind}.title`,
      layout: {
        // In the community's look (name, logo, accent) when the error is on one of its pages.
        community: request.tenant ? portalCommunity(request.tenant) : undefined,
        languages: languageLinks(request, locale),
        signInHref: signInHref(back),
      },
      data: {
        kind,
        status,
        heading: `portal.error.${kind}.title`,
        text: `portal.error.${kind}.text`,
        // What the form got wrong (validation problem): the service's messages name the field.
        errors: exception instanceof ProblemException ? (exception.problem.errors ?? []) : [],
        homeHref: slug ? `/t/${encodeURIComponent(slug)}/` : '/me',
        signInHref: status === 401 ? signInHref(back) : undefined,
      },
    });
    response.setHeader('Cache-Control', 'no-store');
    // Unavailable for a moment (Redis, usually back within seconds): when to try again.
    if (status === 503 && !response.getHeader('Retry-After')) response.setHeader('Retry-After', '30');
    response.status(status).type('html').send(html);
  }
}
