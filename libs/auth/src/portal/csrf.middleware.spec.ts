import type { Request, Response } from 'express';
import { ProblemException } from '@allmende/core';
import { CsrfMiddleware, csrfToken, tokenFromRequest } from './csrf.middleware';

function fakeRequest(init: {
  method?: string;
  contentType?: string;
  body?: unknown;
  query?: Record<string, unknown>;
  header?: string;
  session?: Record<string, unknown>;
}): Request {
  const headers: Record<string, string> = {};
  if (init.contentType) headers['content-type'] = init.contentType;
  if (init.header) headers['x-csrf-token'] = init.header;
  return {
    method: init.method ?? 'POST',
    headers,
    body: init.body,
    query: init.query ?? {},
    session: init.session ?? {},
  } as unknown as Request;
}

/** Runs the middleware; resolves with what it passed to next(). */
function run(request: Request): Promise<unknown> {
  return new Promise((resolve) => new CsrfMiddleware().use(request, {} as Response, resolve));
}

describe('CSRF token sources', () => {
  const multipart = 'multipart/form-data; boundary=----x';

  it('reads the urlencoded field, then the header', () => {
    expect(tokenFromRequest(fakeRequest({ body: { _csrf: 'a' }, header: 'b' }))).toBe('a');
    expect(tokenFromRequest(fakeRequest({ body: {}, header: 'b' }))).toBe('b');
  });

  it('reads the query only for multipart/form-data', () => {
    expect(tokenFromRequest(fakeRequest({ contentType: multipart, query: { _csrf: 'q' } }))).toBe('q');
    expect(
      tokenFromRequest(fakeRequest({ contentType: 'MULTIPART/FORM-DATA;boundary=y', query: { _csrf: 'q' } })),
    ).toBe('q');
    for (const contentType of [
      undefined,
      'application/x-www-form-urlencoded',
      'application/json',
      'text/plain',
      'multipart/form-datax; boundary=z',
      'multipart/mixed; boundary=z',
    ]) {
      expect(tokenFromRequest(fakeRequest({ contentType, body: {}, query: { _csrf: 'q' } }))).toBeUndefined();
    }
    // A repeated parameter (an array) is no token.
    expect(
      tokenFromRequest(fakeRequest({ contentType: multipart, query: { _csrf: ['q', 'r'] } })),
    ).toBeUndefined();
  });
});

describe('CsrfMiddleware', () => {
  const multipart = 'multipart/form-data; boundary=----x';

  it('lets a multipart POST with the session token in the query through', async () => {
    const session = {};
    const token = csrfToken(fakeRequest({ session }));
    expect(
      await run(fakeRequest({ contentType: multipart, query: { _csrf: token }, session })),
    ).toBeUndefined();
  });

  it('answers 403 for a missing or wrong token, and for a token of another session', async () => {
    const session = {};
    const token = csrfToken(fakeRequest({ session }));
    const otherSession = {};
    const other = csrfToken(fakeRequest({ session: otherSession }));
    expect(other).not.toBe(token);
    for (const request of [
      fakeRequest({ contentType: multipart, session }),
      fakeRequest({ contentType: multipart, query: { _csrf: 'wrong' }, session }),
      fakeRequest({ contentType: multipart, query: { _csrf: other }, session }),
      // The query does not count for urlencoded forms.
      fakeRequest({
        contentType: 'application/x-www-form-urlencoded',
        body: {},
        query: { _csrf: token },
        session,
      }),
    ]) {
      const error = await run(request);
      expect(error).toBeInstanceOf(ProblemException);
      expect((error as ProblemException).problem.status).toBe(403);
    }
  });

  it('does not check reads', async () => {
    expect(await run(fakeRequest({ method: 'GET' }))).toBeUndefined();
  });
});
