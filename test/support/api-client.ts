import type { DevIdentityProvider } from '@allmende/dev-idp';
import { passwordToken } from './identity';

/**
 * Calls to one tenant's API as one of the test's people (a password-grant token each, made
 * once) or anonymously: `call('POST', '/groups/x/...', 'anna', body)`. The API, the provider
 * and the tenant are read when a call is made (they are set up in `beforeAll`).
 */
export function tenantApi<People extends Record<string, { email: string }>>(
  target: () => { base: string; idp: DevIdentityProvider },
  people: People,
  tenantSlug: () => string,
) {
  const tokens = new Map<string, Promise<string>>();
  const tokenOf = (email: string) => {
    if (!tokens.has(email)) tokens.set(email, passwordToken(target().idp, email));
    return tokens.get(email)!;
  };
  return async (
    method: string,
    path: string,
    who: keyof People | 'anonymous',
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> => {
    const authorization: Record<string, string> =
      who === 'anonymous' ? {} : { authorization: `Bearer ${await tokenOf(people[who]!.email)}` };
    return fetch(`${target().base}/api/tenants/${tenantSlug()}${path}`, {
      method,
      headers: {
        ...authorization,
        ...headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };
}

/** The JSON body of a response that must have this status (else the error names both). */
export async function expectJson<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
