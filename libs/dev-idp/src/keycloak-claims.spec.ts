import { accessTokenClaims, idTokenClaims, realmRolesOf, tokenScope } from './keycloak-claims';
import type { RealmUser } from './user-store';

const user: RealmUser = {
  id: 'u1',
  username: 'grete',
  email: 'grete@example.org',
  emailVerified: false,
  givenName: 'Grete',
  familyName: 'Müller',
  realmRoles: ['platform_admin', 'offline_access'],
};

describe('Keycloak’s claims', () => {
  it('realm roles: Keycloak’s defaults first, then the user’s, no duplicates', () => {
    expect(realmRolesOf(user, 'allmende')).toEqual([
      'offline_access',
      'uma_authorization',
      'default-roles-allmende',
      'platform_admin',
    ]);
  });

  it('scope: openid first, the default client scopes always there', () => {
    expect(tokenScope(undefined)).toBe('profile email');
    expect(tokenScope('email openid')).toBe('openid email profile');
    expect(tokenScope('openid offline_access')).toBe('openid offline_access profile email');
  });

  it('access token and ID token claims', () => {
    expect(
      accessTokenClaims(user, {
        realm: 'allmende',
        apiClientId: 'allmende-api',
        clientId: 'portal',
        scope: 'openid',
      }),
    ).toEqual({
      aud: ['allmende-api'],
      typ: 'Bearer',
      azp: 'portal',
      realm_access: { roles: realmRolesOf(user, 'allmende') },
      resource_access: {},
      scope: 'openid profile email',
      email: 'grete@example.org',
      email_verified: false,
      preferred_username: 'grete',
      given_name: 'Grete',
      family_name: 'Müller',
      name: 'Grete Müller',
    });
    expect(idTokenClaims(user, 'portal')).toMatchObject({ typ: 'ID', azp: 'portal', email_verified: false });
  });
});
