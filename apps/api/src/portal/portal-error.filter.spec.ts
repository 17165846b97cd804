import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { NotFoundException } from '@nestjs/common';
import { PortalPages } from '@allmende/auth';
import { ProblemException } from '@allmende/core';
import { PortalErrorFilter } from './portal-error.filter';

/** A fake Express request/response pair, enough for the filter. */
function http(originalUrl: string, method = 'GET', headers: Record<string, string> = {}) {
  const url = new URL(originalUrl, 'http://portal.invalid');
  const response = {
    headersSent: false,
    statusCode: 200,
    headers: {} as Record<string, string>,
    body: '',
    redirectedTo: undefined as string | undefined,
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    type() {
      return this;
    },
    setHeader(name: string, value: string) {
      this.headers[name.toLowerCase()] = value;
    },
    getHeader(name: string) {
      return this.headers[name.toLowerCase()];
    },
    send(body: string) {
      this.body = body;
      return this;
    },
    redirect(code: number, location: string) {
      this.statusCode = code;
      this.redirectedTo = location;
    },
  };
  const request = {
    method,
    originalUrl,
    url: originalUrl,
    headers,
    query: Object.fromEntries(url.searchParams),
    tenant: { id: 'x', slug: 'dorf' },
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ArgumentsHost;
  return { host, response };
}

describe('PortalErrorFilter', () => {
  const api: ExceptionFilter & { calls: number } = {
    calls: 0,
    catch() {
      this.calls++;
    },
  };
  const filter = new PortalErrorFilter(new PortalPages(), api);

  it('renders a 500 page in the reader language, without the error text', () => {
    const { host, response } = http('/t/dorf/?lang=en');
    filter.catch(new Error('secret database detail'), host);
    expect(response.statusCode).toBe(500);
    expect(response.body).toContain('Something went wrong');
    expect(response.body).not.toContain('secret database detail');
    expect(response.body).toContain('href="/t/dorf/"');
  });

  it('renders 404 and 403 pages in German by default', () => {
    const notFound = http('/t/dorf/g/x');
    filter.catch(new NotFoundException(), notFound.host);
    expect(notFound.response.statusCode).toBe(404);
    expect(notFound.response.body).toContain('Seite nicht gefunden');
    const forbidden = http('/t/dorf/g/x/news', 'POST');
    filter.catch(ProblemException.forbidden('no'), forbidden.host);
    expect(forbidden.response.statusCode).toBe(403);
    expect(forbidden.response.body).toContain('Keine Berechtigung');
  });

  it('renders the "briefly unavailable" page for a 503, also on the account page and the sign-in flow', () => {
    for (const path of ['/t/dorf/', '/me', '/auth/login?returnTo=%2Fme']) {
      const { host, response } = http(path);
      filter.catch(ProblemException.unavailable('Sessions are unavailable.'), host);
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('30');
      expect(response.body).toContain('Gerade nicht erreichbar');
    }
    const english = http('/me?lang=en');
    filter.catch(ProblemException.unavailable(), english.host);
    expect(english.response.body).toContain('Briefly unavailable');
  });

  it('sends a GET that needs a login to sign in, and back afterwards', () => {
    const { host, response } = http('/t/dorf/me/notifications');
    filter.catch(ProblemException.unauthorized('Sign in first.'), host);
    expect(response.statusCode).toBe(303);
    expect(response.redirectedTo).toBe('/auth/login?returnTo=%2Ft%2Fdorf%2Fme%2Fnotifications');
  });

  it('offers to sign in after a form post without login, back to the community', () => {
    const { host, response } = http('/t/dorf/g/x/join', 'POST');
    filter.catch(ProblemException.unauthorized('Sign in first.'), host);
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain('href="/auth/login?returnTo&#x3D;%2Ft%2Fdorf%2F"');
  });

  it('names the fields of a refused form (validation problem)', () => {
    const { host, response } = http('/t/dorf/g/x/news', 'POST');
    filter.catch(ProblemException.validation([{ path: 'title', message: 'must not be empty' }]), host);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Das hat nicht geklappt');
    expect(response.body).toContain('must not be empty');
  });

  it('leaves the REST API to problem+json', () => {
    const { host, response } = http('/api/tenants/dorf/groups');
    filter.catch(new NotFoundException(), host);
    expect(api.calls).toBe(1);
    expect(response.body).toBe('');
  });
});
