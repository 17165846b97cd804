import type { RealmUser } from './user-store';

/**
 * The claims Keycloak puts into its tokens, built from a realm user. Keycloak applies a client's
 * default client scopes (`profile`, `email`, `roles`, ...) whether the request names them or not,
 * so these claims do not depend on the requested scope.
 */

/** Scopes Keycloak adds to every token's `scope` claim (its default client scopes that show there). */
const DEFAULT_TOKEN_SCOPES = ['profile', 'email'];

export function realmRolesOf(user: RealmUser, realm: string): string[] {
  return [...new Set(['offline_access', 'uma_authorization', `default-roles-${realm}`, ...user.realmRoles])];
}

/** What the `profile` and `email` scopes give, in tokens and at /userinfo. */
export function profileClaims(user: RealmUser) {
  return {
    email_verified: user.emailVerified,
    name: [user.givenName, user.familyName].filter(Boolean).join(' '),
    preferred_username: user.username,
    given_name: user.givenName,
    family_name: user.familyName,
    email: user.email,
  };
}

/** The granted scopes plus Keycloak's defaults, `openid` first, e.g. `openid profile email`. */
export function tokenScope(granted: string | undefined): string {
  const scopes = new Set(granted?.split(' ').filter(Boolean));
  for (const scope of DEFAULT_TOKEN_SCOPES) scopes.add(scope);
  return [...scopes].sort((a, b) => Number(b === 'openid') - Number(a === 'openid')).join(' ');
}

/** Keycloak's access token claims besides `iss`, `sub`, `exp`, `iat` and `jti`. */
export function accessTokenClaims(
  user: RealmUser,
  context: { realm: string; apiClientId: string; clientId: string; sid?: string; scope?: string },
) {
  return {
    aud: [context.apiClientId],
    typ: 'Bearer',
    azp: context.clientId,
    ...(context.sid ? { sid: context.sid } : {}),
    realm_access: { roles: realmRolesOf(user, context.realm) },
    resource_access: {},
    scope: tokenScope(context.scope),
    ...profileClaims(user),
  };
}

/** Keycloak's ID token claims besides those oidc-provider sets (`iss`, `aud`, `exp`, `nonce`, `sid`...). */
export function idTokenClaims(user: RealmUser, clientId: string | undefined) {
  return { typ: 'ID', ...(clientId ? { azp: clientId } : {}), ...profileClaims(user) };
}

/** The claim names oidc-provider must know so that it lets them into ID tokens. */
export const ID_TOKEN_CLAIM_NAMES = [
  'typ',
  'azp',
  'email',
  'email_verified',
  'name',
  'preferred_username',
  'given_name',
  'family_name',
];
