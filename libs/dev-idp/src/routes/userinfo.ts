import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyAccessToken } from '../access-token-verifier';
import { bearerToken, readForm, sendJson } from '../http-io';
import { profileClaims } from '../keycloak-claims';
import type { Realm } from '../realm';

/**
 * `/protocol/openid-connect/userinfo`, served here because oidc-provider's own refuses access
 * tokens issued for a resource server. Token in the Authorization header (or, on POST, as
 * `access_token` in the form body, as Keycloak also takes it).
 */
export async function handleUserinfo(realm: Realm, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let token = bearerToken(req);
  if (!token && req.method === 'POST') token = (await readForm(req)).get('access_token') ?? undefined;
  const claims = token ? await verifyAccessToken(realm, token) : undefined;
  const user = claims?.sub ? realm.users.findById(claims.sub) : undefined;
  if (!user) {
    const description = token ? 'Token verification failed' : 'Missing token';
    sendJson(
      res,
      401,
      { error: 'invalid_token', error_description: description },
      {
        'WWW-Authenticate': `Bearer realm="${realm.name}", error="invalid_token", error_description="${description}"`,
      },
    );
    return;
  }
  sendJson(res, 200, { sub: user.id, ...profileClaims(user) });
}
