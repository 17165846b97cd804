import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { sessionCookieOptions } from './oidc-provider-factory';
import type { Realm } from './realm';

async function revokeGrant(provider: Provider, grantId: string): Promise<void> {
  await Promise.all([
    provider.AccessToken.revokeByGrantId(grantId),
    provider.RefreshToken.revokeByGrantId(grantId),
    provider.AuthorizationCode.revokeByGrantId(grantId),
    provider.Grant.find(grantId).then((grant) => grant?.destroy()),
  ]);
}

/**
 * Ends the browser's SSO session (the session cookie of this request), as Keycloak's logout
 * does: the session and the grants, codes and refresh tokens of its clients are gone, its access
 * tokens stop being active, and the cookie is cleared on the response.
 */
export async function endProviderSession(
  realm: Realm,
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const ctx = provider.createContext(req, res);
  const session = await provider.Session.get(ctx);
  for (const authorization of Object.values(session.authorizations ?? {})) {
    if (authorization.sid) realm.endedSessions.add(authorization.sid);
    if (authorization.grantId) await revokeGrant(provider, authorization.grantId);
  }
  if (session.accountId) await session.destroy();
  ctx.cookies.set(provider.cookieName('session'), null, sessionCookieOptions(realm));
}
