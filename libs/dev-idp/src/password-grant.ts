import { randomUUID } from 'node:crypto';
import { errors, type ResourceServer, type TokenEndpointGrantContext } from 'oidc-provider';
import { idTokenClaims, tokenScope } from './keycloak-claims';
import type { Realm } from './realm';

export const PASSWORD_GRANT_TYPE = 'password';
export const PASSWORD_GRANT_PARAMETERS = ['username', 'password', 'scope'];

type PasswordGrantContext = TokenEndpointGrantContext<{ username?: string; password?: string }>;

/** Keycloak answers wrong credentials with 401 (not the 400 of RFC 6749). */
function invalidUserCredentials(): errors.OIDCProviderError {
  const error = new errors.CustomOIDCProviderError('invalid_grant', 'Invalid user credentials');
  error.status = 401;
  error.statusCode = 401;
  return error;
}

/**
 * Keycloak's "direct access grants" (the resource owner password grant): only for clients that
 * have them switched on, others get `unauthorized_client` as from Keycloak. Tokens come out as
 * from the code flow: a JWT access token for the API, a refresh token, and an ID token when the
 * scope asks for `openid`.
 */
export function createPasswordGrant(realm: Realm, api: { resource: string; server: ResourceServer }) {
  return async function passwordGrant(ctx: PasswordGrantContext): Promise<void> {
    const { client, params, provider } = ctx.oidc;
    if (!realm.clients.get(client.clientId)?.directAccessGrants) {
      throw new errors.UnauthorizedClient('Client not allowed for direct access grants');
    }
    if (!params.username) throw new errors.InvalidRequest('Missing parameter: username');
    const user = await realm.users.authenticate(params.username, params.password ?? '');
    if (!user) throw invalidUserCredentials();

    const requested = new Set((params.scope ?? '').split(' ').filter(Boolean));
    const apiScopes = new Set(api.server.scope.split(' '));
    const scope = [...requested].filter((name) => apiScopes.has(name)).join(' ');
    const grant = new provider.Grant({ accountId: user.id, clientId: client.clientId });
    grant.addOIDCScope([...requested].filter((name) => ['openid', 'profile', 'email'].includes(name)));
    grant.addResourceScope(api.resource, scope);
    const grantId = await grant.save();
    // Keycloak opens a user session for this grant too; its id becomes the tokens' `sid`.
    const sid = randomUUID();

    const accessToken = new provider.AccessToken({
      accountId: user.id,
      client,
      grantId,
      gty: PASSWORD_GRANT_TYPE,
      scope,
      sid,
      resourceServer: new provider.ResourceServer(api.resource, api.server),
    });
    const refreshToken = new provider.RefreshToken({
      accountId: user.id,
      client,
      grantId,
      gty: PASSWORD_GRANT_TYPE,
      scope,
      sid,
      resource: api.resource,
      rotations: 0,
      authTime: Math.floor(Date.now() / 1000),
    });

    let idToken: string | undefined;
    if (requested.has('openid')) {
      const token = new provider.IdToken({ ...idTokenClaims(user, client.clientId), sub: user.id }, { ctx });
      // IdToken filters the claims by its scope; `openid` lets all of Keycloak's through (see ID_TOKEN_CLAIM_NAMES).
      (token as unknown as { scope: string }).scope = grant.getOIDCScope();
      token.set('sid', sid);
      idToken = await token.issue({ use: 'idtoken' });
    }

    ctx.body = {
      access_token: await accessToken.save(),
      expires_in: accessToken.expiration,
      refresh_token: await refreshToken.save(),
      refresh_expires_in: refreshToken.expiration,
      token_type: 'Bearer',
      ...(idToken ? { id_token: idToken } : {}),
      'not-before-policy': 0,
      session_state: sid,
      scope: tokenScope(scope),
    };
  };
}
