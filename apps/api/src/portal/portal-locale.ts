import type { Request, Response } from 'express';
import { DEFAULT_LOCALE, LOCALES, type Locale } from '@allmende/i18n';
import '@allmende/auth';

/** Remembers the language beyond the session (after sign-out, for anonymous residents). */
export const LOCALE_COOKIE = 'allmende.lang';
const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** One cookie of the request (no cookie-parser: this is the only plain cookie the portal reads). */
function cookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}

/**
 * The portal's language: `?lang=` (the switch), else the session's choice, else the cookie,
 * else German. Deliberately not Accept-Language: German is the communities' language, English
 * is a choice.
 */
export function portalLocale(request: Request): Locale {
  const query = (request.query as Record<string, unknown> | undefined)?.lang;
  if (isLocale(query)) return query;
  if (isLocale(request.session?.locale)) return request.session.locale;
  const remembered = cookie(request, LOCALE_COOKIE);
  return isLocale(remembered) ? remembered : DEFAULT_LOCALE;
}

/** Keeps a language chosen with `?lang=` in the session and a cookie, so it holds on every page. */
export function rememberLocale(request: Request, response: Response, locale: Locale): void {
  const query = (request.query as Record<string, unknown> | undefined)?.lang;
  if (query !== locale) return;
  // The session only when there is one to keep (signed in): anonymous readers get the cookie.
  if (request.session?.tokens && request.session.locale !== locale) request.session.locale = locale;
  if (cookie(request, LOCALE_COOKIE) !== locale) {
    response.cookie(LOCALE_COOKIE, locale, {
      path: '/',
      maxAge: ONE_YEAR_MS,
      httpOnly: true,
      sameSite: 'lax',
      secure: request.secure,
    });
  }
}

/** The current page in each language: links of the language switch (work without JavaScript). */
export function languageLinks(
  request: Request,
  current: Locale,
): { code: Locale; label: string; href: string; current: boolean }[] {
  const url = new URL(request.originalUrl, 'http://portal.invalid');
  return LOCALES.map((code) => {
    url.searchParams.set('lang', code);
    return {
      code,
      // Each language names itself, so people find theirs whatever the page's language.
      label: code === 'de' ? 'Deutsch' : 'English',
      href: url.pathname + url.search,
      current: code === current,
    };
  });
}
