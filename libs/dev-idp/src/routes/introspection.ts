import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyAccessToken } from '../access-token-verifier';
import { authenticateClient } from '../client-authentication';
import { readForm, sendJson } from '../http-io';
import type { Realm } from '../realm';

/**
 * `/protocol/openid-connect/token/introspect`, served here because oidc-provider's refuses
 * JWT access tokens and keycloak-connect's way of sending client credentials. Like Keycloak:
 * `{active: false}` for any token that does not verify, else its claims with `active: true`.
 */
export async function handleIntrospection(
  realm: Realm,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'POST') {
    sendJson(res, 405, { error: 'invalid_request', error_description: 'HTTP method not allowed' });
    return;
  }
  const form = await readForm(req);
  if (!authenticateClient(realm, req, form)) {
    sendJson(res, 401, {
      error: 'invalid_client',
      error_description: 'Invalid client or Invalid client credentials',
    });
    return;
  }
  const token = form.get('token');
  const claims = token ? await verifyAccessToken(realm, token) : undefined;
  if (!claims) {
    sendJson(res, 200, { active: false });
    return;
  }
  sendJson(res, 200, {
    ...claims,
    client_id: claims.azp,
    username: claims.preferred_username,
    token_type: 'Bearer',
    active: true,
  });
}
