import type { DevClient, DevIdentityProvider, DevUser } from './types';

/**
 * Clients, people and a cookie jar for the provider's own tests (not exported from the lib).
 */

export const PORTAL: DevClient = {
  clientId: 'allmende-portal',
  clientSecret: 'portal-secret-0123456789',
  redirectUris: ['http://127.0.0.1:3999/auth/callback'],
  postLogoutRedirectUris: ['http://127.0.0.1:3999/'],
};

export const TESTS: DevClient = {
  clientId: 'allmende-tests',
  clientSecret: 'tests-secret-0123456789',
  redirectUris: [],
  postLogoutRedirectUris: [],
  directAccessGrants: true,
};

export const API_CLIENT: DevClient = {
  clientId: 'allmende-api',
  clientSecret: 'api-secret-0123456789',
  redirectUris: [],
  postLogoutRedirectUris: [],
};

export const GRETE: DevUser = {
  username: 'grete',
  password: 'Grillhütte 2026',
  email: 'Grete.Mueller@example.org',
  emailVerified: true,
  givenName: 'Grete',
  familyName: 'Müller',
  realmRoles: ['platform_admin'],
};

export const KARL: DevUser = {
  id: '7d1f0a52-3f7e-4a4e-8a41-0c4cbb2c9e10',
  username: 'karl',
  password: 'demo',
  email: 'karl@example.org',
  emailVerified: false,
  givenName: 'Karl-Heinz',
  familyName: 'Öztürk',
};

/** Cookies per name, sent back to paths under their Path, as a browser would (one host only). */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const attribute = (key: string) =>
        attributes.find((part) => part.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const expires = attribute('expires');
      const expired =
        value === '' || attribute('max-age') === '0' || (expires && Date.parse(expires) < Date.now());
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, { value, path: attribute('path') ?? '/' });
    }
  }

  header(url: string): string {
    const { pathname } = new URL(url);
    return [...this.cookies]
      .filter(([, cookie]) => pathname.startsWith(cookie.path))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ');
  }

  names(): string[] {
    return [...this.cookies.keys()];
  }
}

/** A browser's request: cookies from and into the jar, redirects not followed. */
export async function browse(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, {
    ...init,
    redirect: 'manual',
    headers: { ...(init.headers as Record<string, string>), cookie: jar.header(url), accept: 'text/html' },
  });
  jar.store(response);
  return response;
}

/** Follows redirects within the provider; stops at the first one that leaves it (returns its Location). */
export async function browseWithinProvider(
  idp: DevIdentityProvider,
  jar: CookieJar,
  url: string,
  init: RequestInit = {},
): Promise<{ response: Response; leftTo?: string }> {
  let response = await browse(jar, url, init);
  for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
    const location = new URL(response.headers.get('location')!, url).href;
    if (!location.startsWith(idp.url)) return { response, leftTo: location };
    url = location;
    response = await browse(jar, url);
  }
  return { response };
}

/** The action of the page's first form, absolute. */
export function formAction(html: string, pageUrl: string): string {
  const match = /<form[^>]*action="([^"]*)"/.exec(html);
  if (!match?.[1]) throw new Error(`no form on the page: ${html.slice(0, 300)}`);
  return new URL(match[1].replace(/&amp;/g, '&'), pageUrl).href;
}

export function formPost(fields: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  id_token?: string;
  expires_in: number;
  token_type: string;
  scope?: string;
}

/** Keycloak's direct access grant, as tests use it. */
export async function passwordGrant(
  idp: DevIdentityProvider,
  client: DevClient,
  username: string,
  password: string,
  scope = 'openid',
): Promise<Response> {
  return fetch(`${idp.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'password', username, password, scope }).toString(),
  });
}

export async function tokensFor(
  idp: DevIdentityProvider,
  username: string,
  password: string,
  scope = 'openid',
): Promise<TokenResponse> {
  const response = await passwordGrant(idp, TESTS, username, password, scope);
  if (response.status !== 200) throw new Error(`password grant: ${response.status} ${await response.text()}`);
  return (await response.json()) as TokenResponse;
}
