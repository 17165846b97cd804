import { createRemoteJWKSet, decodeJwt, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import Keycloak from 'keycloak-connect';
import * as oidc from 'openid-client';
import { loadDemoUsers } from './demo-users';
import { startDevIdentityProvider } from './dev-identity-provider';
import {
  API_CLIENT,
  browse,
  browseWithinProvider,
  CookieJar,
  formAction,
  formPost,
  GRETE,
  KARL,
  passwordGrant,
  PORTAL,
  TESTS,
  tokensFor,
  type TokenResponse,
} from './test-fixtures';
import { DevIdentityProviderRefusedError, type DevIdentityProvider } from './types';

/** The provider over HTTP, as our code and its libraries (openid-client, keycloak-connect, jose) see it. */
describe('dev identity provider (OpenID Connect as Keycloak)', () => {
  let idp: DevIdentityProvider;
  const endpoint = (path: string) => `${idp.issuer}/protocol/openid-connect${path}`;
  const basic = (client: { clientId: string; clientSecret: string }) =>
    `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;

  beforeAll(async () => {
    idp = await startDevIdentityProvider({
      clients: [PORTAL, TESTS, API_CLIENT],
      users: [GRETE, KARL],
      accessTokenTtlSeconds: 120,
      nodeEnv: 'test',
    });
  });
  afterAll(() => idp.stop());

  /** openid-client configured for the portal, as the portal's login does. */
  const portalClient = () =>
    oidc.discovery(new URL(idp.issuer), PORTAL.clientId, PORTAL.clientSecret, undefined, {
      execute: [oidc.allowInsecureRequests],
    });

  async function introspect(
    token: string,
    init: { authorization?: string; body?: Record<string, string> } = {},
  ) {
    const response = await fetch(endpoint('/token/introspect'), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(init.authorization ? { authorization: init.authorization } : {}),
      },
      body: new URLSearchParams({ token, ...init.body }).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  describe('discovery and keys', () => {
    it('serves the discovery document with Keycloak’s paths under /realms/<realm>', async () => {
      const response = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
      expect(response.status).toBe(200);
      const document = (await response.json()) as Record<string, unknown>;
      expect(idp.issuer).toBe(`${idp.url}/realms/allmende`);
      expect(document).toMatchObject({
        issuer: idp.issuer,
        authorization_endpoint: endpoint('/auth'),
        token_endpoint: endpoint('/token'),
        jwks_uri: endpoint('/certs'),
        userinfo_endpoint: endpoint('/userinfo'),
        end_session_endpoint: endpoint('/logout'),
        introspection_endpoint: endpoint('/token/introspect'),
        code_challenge_methods_supported: ['S256'],
      });
      expect(document.grant_types_supported).toEqual(
        expect.arrayContaining(['authorization_code', 'refresh_token', 'password']),
      );
    });

    it('publishes the signing key at /certs and the realm’s public key at /realms/<realm>', async () => {
      const jwks = (await (await fetch(endpoint('/certs'))).json()) as { keys: Record<string, unknown>[] };
      expect(jwks.keys).toEqual([
        expect.objectContaining({ kty: 'RSA', kid: idp.signingKey.kid, alg: 'RS256' }),
      ]);
      expect(jwks.keys[0]).not.toHaveProperty('d');
      const realm = (await (await fetch(idp.issuer)).json()) as Record<string, unknown>;
      expect(realm).toMatchObject({ realm: 'allmende', public_key: expect.stringMatching(/^MII/) });
    });
  });

  describe('direct access grants (password grant)', () => {
    it('issues tokens to a client with direct access grants; the access token has Keycloak’s claims', async () => {
      const tokens = await tokensFor(idp, 'grete', GRETE.password!);
      expect(tokens).toMatchObject({
        token_type: 'Bearer',
        expires_in: 120,
        refresh_token: expect.any(String),
      });

      const { payload, protectedHeader } = await jwtVerify(
        tokens.access_token,
        createRemoteJWKSet(new URL(endpoint('/certs'))),
        { issuer: idp.issuer, audience: 'allmende-api', algorithms: ['RS256'] },
      );
      expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: idp.signingKey.kid, typ: 'JWT' });
      const grete = idp.users().find((user) => user.username === 'grete')!;
      expect(payload).toMatchObject({
        iss: idp.issuer,
        sub: grete.id,
        aud: ['allmende-api'],
        azp: TESTS.clientId,
        typ: 'Bearer',
        scope: 'openid profile email',
        sid: expect.any(String),
        jti: expect.any(String),
        preferred_username: 'grete',
        email: 'grete.mueller@example.org',
        email_verified: true,
        given_name: 'Grete',
        family_name: 'Müller',
        name: 'Grete Müller',
        resource_access: {},
      });
      expect(payload.exp! - payload.iat!).toBe(120);
      expect((payload.realm_access as { roles: string[] }).roles.sort()).toEqual(
        ['default-roles-allmende', 'offline_access', 'platform_admin', 'uma_authorization'].sort(),
      );

      const idToken = decodeJwt(tokens.id_token!);
      expect(idToken).toMatchObject({ typ: 'ID', aud: TESTS.clientId, azp: TESTS.clientId, sub: grete.id });
    });

    it('accepts the e-mail address in any case as the username; an unverified e-mail shows in the token', async () => {
      const tokens = await tokensFor(idp, 'KARL@Example.ORG', 'demo');
      expect(decodeJwt(tokens.access_token)).toMatchObject({
        sub: KARL.id,
        email_verified: false,
        realm_access: { roles: ['offline_access', 'uma_authorization', 'default-roles-allmende'] },
      });
    });

    it('answers a client without direct access grants with unauthorized_client', async () => {
      const response = await passwordGrant(idp, PORTAL, 'grete', GRETE.password!);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: 'unauthorized_client',
        error_description: 'Client not allowed for direct access grants',
      });
    });

    it('answers wrong credentials with 401 invalid_grant, the same for an unknown user', async () => {
      const wrongPassword = await passwordGrant(idp, TESTS, 'grete', 'falsch');
      const unknownUser = await passwordGrant(idp, TESTS, 'niemand', 'falsch');
      for (const response of [wrongPassword, unknownUser]) {
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({
          error: 'invalid_grant',
          error_description: 'Invalid user credentials',
        });
      }
    });

    it('refuses a wrong client secret', async () => {
      const response = await passwordGrant(
        idp,
        { ...TESTS, clientSecret: 'wrong' },
        'grete',
        GRETE.password!,
      );
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    });
  });

  describe('what keycloak-connect sees', () => {
    const keycloak = () =>
      new Keycloak({}, {
        realm: 'allmende',
        'auth-server-url': idp.url,
        resource: 'allmende-api',
        'bearer-only': true,
        'verify-token-audience': true,
        'confidential-port': 0,
        'ssl-required': 'external',
      } as unknown as Keycloak.KeycloakConfig);

    it('verifies our access token against /certs (signature, issuer, typ, audience) and reads the realm roles', async () => {
      const tokens = await tokensFor(idp, 'grete', GRETE.password!);
      const grant = await keycloak().grantManager.createGrant({ access_token: tokens.access_token } as never);
      const accessToken = grant.access_token as unknown as { hasRealmRole(role: string): boolean };
      expect(accessToken.hasRealmRole('platform_admin')).toBe(true);
      expect(accessToken.hasRealmRole('tenant_admin')).toBe(false);
    });

    it('rejects a token signed with another key, and one for another audience', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT({ typ: 'Bearer', aud: ['allmende-api'] })
        .setProtectedHeader({ alg: 'RS256', kid: idp.signingKey.kid })
        .setIssuer(idp.issuer)
        .setSubject('someone')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      await expect(keycloak().grantManager.createGrant({ access_token: forged } as never)).rejects.toThrow(
        /signature/,
      );

      // Tests mint odd tokens with the provider's own key:
      const key = await import('jose').then(({ importJWK }) => importJWK(idp.signingKey.privateJwk, 'RS256'));
      const otherAudience = await new SignJWT({ typ: 'Bearer', aud: ['someone-else'] })
        .setProtectedHeader({ alg: 'RS256', kid: idp.signingKey.kid })
        .setIssuer(idp.issuer)
        .setSubject('someone')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key);
      await expect(
        keycloak().grantManager.createGrant({ access_token: otherAudience } as never),
      ).rejects.toThrow(/wrong audience/);
    });
  });

  describe('authorization code flow with PKCE (the portal’s login)', () => {
    const redirectUri = PORTAL.redirectUris[0]!;

    async function startLogin(jar: CookieJar) {
      const config = await portalClient();
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      const { response, leftTo } = await browseWithinProvider(idp, jar, url.href);
      return { config, verifier, state, nonce, url, response, leftTo };
    }

    async function logIn(jar: CookieJar, username: string, password: string) {
      const login = await startLogin(jar);
      expect(login.response.status).toBe(200);
      const page = await login.response.text();
      const { response, leftTo } = await browseWithinProvider(
        idp,
        jar,
        formAction(page, login.response.url || login.url.href),
        formPost({ username, password }),
      );
      return { ...login, response, leftTo };
    }

    it('login form, wrong password (form again), right password, redirect with code and state, token exchange, nonce', async () => {
      const jar = new CookieJar();
      const login = await startLogin(jar);
      expect(login.leftTo).toBeUndefined();
      expect(login.response.status).toBe(200);
      const form = await login.response.text();
      expect(form).toContain('<html lang="de">');
      expect(form).toMatch(/<label for="username">[^<]+<\/label>/);
      expect(form).toMatch(/<input id="username" name="username"/);
      expect(form).toMatch(/<input id="password" name="password" type="password"/);
      const action = formAction(form, `${idp.issuer}/login-actions/authenticate`);
      expect(action).toMatch(new RegExp(`^${idp.issuer}/login-actions/authenticate\\?`));

      const wrong = await browse(jar, action, formPost({ username: 'grete', password: 'falsch' }));
      expect(wrong.status).toBe(200);
      const again = await wrong.text();
      expect(again).toContain('role="alert"');
      expect(again).toContain('Ungültiger Benutzername oder Passwort.');
      expect(again).toContain('value="grete"');
      expect(again).toMatch(/name="password"/);

      const { leftTo } = await browseWithinProvider(
        idp,
        jar,
        formAction(again, action),
        formPost({ username: 'GRETE.MUELLER@example.org', password: GRETE.password! }),
      );
      expect(leftTo).toBeDefined();
      const callback = new URL(leftTo!);
      expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri);
      expect(callback.searchParams.get('state')).toBe(login.state);
      expect(callback.searchParams.get('code')).toEqual(expect.any(String));

      const tokens = await oidc.authorizationCodeGrant(login.config, callback, {
        pkceCodeVerifier: login.verifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims()!;
      expect(idToken).toMatchObject({
        iss: idp.issuer,
        aud: PORTAL.clientId,
        typ: 'ID',
        nonce: login.nonce,
        email: 'grete.mueller@example.org',
        email_verified: true,
        preferred_username: 'grete',
        given_name: 'Grete',
        family_name: 'Müller',
        sid: expect.any(String),
      });
      expect(decodeJwt(tokens.access_token)).toMatchObject({
        aud: ['allmende-api'],
        azp: PORTAL.clientId,
        typ: 'Bearer',
        sid: idToken.sid,
        realm_access: { roles: expect.arrayContaining(['platform_admin']) },
      });
      expect(tokens.refresh_token).toEqual(expect.any(String));

      // The SSO session: a second authorization request needs no login.
      const second = await startLogin(jar);
      expect(second.leftTo).toContain('code=');
    });

    it('the login page without an authorization request in progress says the login expired', async () => {
      const response = await browse(new CookieJar(), `${idp.issuer}/login-actions/authenticate?tab_id=x`);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('Anmeldung abgelaufen');
    });

    it('refuses an authorization request without PKCE (error sent back to the client)', async () => {
      const config = await portalClient();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid',
        state: 'abc',
      });
      const { leftTo } = await browseWithinProvider(idp, new CookieJar(), url.href);
      const callback = new URL(leftTo!);
      expect(callback.searchParams.get('error')).toBe('invalid_request');
      expect(callback.searchParams.get('error_description')).toMatch(/PKCE/);
      expect(callback.searchParams.get('state')).toBe('abc');
      expect(callback.searchParams.has('code')).toBe(false);
    });

    it('shows an error page, never a redirect, for an unregistered redirect_uri', async () => {
      const config = await portalClient();
      for (const uri of [
        'http://127.0.0.1:3999/elsewhere',
        `${redirectUri}/more`,
        'https://evil.example/cb',
      ]) {
        const url = oidc.buildAuthorizationUrl(config, {
          redirect_uri: uri,
          scope: 'openid',
          code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
        });
        const response = await browse(new CookieJar(), url.href);
        expect(response.status).toBe(400);
        expect(response.headers.get('location')).toBeNull();
        expect(await response.text()).toContain('redirect_uri');
      }
    });

    it('logout with id_token_hint ends the session and redirects at once; the next login asks again', async () => {
      const jar = new CookieJar();
      const login = await logIn(jar, 'grete', GRETE.password!);
      const tokens = await oidc.authorizationCodeGrant(login.config, new URL(login.leftTo!), {
        pkceCodeVerifier: login.verifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
      });
      expect((await introspect(tokens.access_token, { authorization: basic(API_CLIENT) })).body.active).toBe(
        true,
      );

      const logout = oidc.buildEndSessionUrl(login.config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: PORTAL.postLogoutRedirectUris[0]!,
        state: 'bye',
      });
      const response = await browse(jar, logout.href);
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe(`${PORTAL.postLogoutRedirectUris[0]}?state=bye`);

      const next = await startLogin(jar);
      expect(next.leftTo).toBeUndefined();
      expect(await next.response.text()).toContain('name="password"');

      // The session's tokens are over, as with Keycloak.
      expect((await introspect(tokens.access_token, { authorization: basic(API_CLIENT) })).body).toEqual({
        active: false,
      });
      await expect(oidc.refreshTokenGrant(login.config, tokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
    });

    it('logout refuses an unregistered post_logout_redirect_uri and a foreign id_token_hint', async () => {
      const tokens = await tokensFor(idp, 'grete', GRETE.password!);
      const unregistered = await fetch(
        `${endpoint('/logout')}?${new URLSearchParams({
          id_token_hint: tokens.id_token!,
          post_logout_redirect_uri: 'https://evil.example/',
        })}`,
        { redirect: 'manual' },
      );
      expect(unregistered.status).toBe(400);
      expect(unregistered.headers.get('location')).toBeNull();

      const { privateKey } = await generateKeyPair('RS256');
      const foreign = await new SignJWT({ typ: 'ID' })
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(idp.issuer)
        .setAudience(PORTAL.clientId)
        .sign(privateKey);
      const refused = await fetch(
        `${endpoint('/logout')}?${new URLSearchParams({
          id_token_hint: foreign,
          post_logout_redirect_uri: PORTAL.postLogoutRedirectUris[0]!,
        })}`,
        { redirect: 'manual' },
      );
      expect(refused.status).toBe(400);
    });

    it('logout without id_token_hint asks first (confirmation page), then ends the session', async () => {
      const jar = new CookieJar();
      const login = await logIn(jar, 'karl', 'demo');
      const tokens = await oidc.authorizationCodeGrant(login.config, new URL(login.leftTo!), {
        pkceCodeVerifier: login.verifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
      });
      const logoutUrl = `${endpoint('/logout')}?client_id=${PORTAL.clientId}`;
      const confirmation = await browse(jar, logoutUrl);
      expect(confirmation.status).toBe(200);
      const page = await confirmation.text();
      expect(page).toContain('Möchten Sie sich abmelden?');

      const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)![1]!;
      const { response } = await browseWithinProvider(
        idp,
        jar,
        formAction(page, logoutUrl),
        formPost({ xsrf, logout: 'yes' }),
      );
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('Sie sind abgemeldet.');

      expect((await introspect(tokens.access_token, { authorization: basic(API_CLIENT) })).body).toEqual({
        active: false,
      });
      const next = await startLogin(jar);
      expect(next.leftTo).toBeUndefined();
      expect(await next.response.text()).toContain('name="password"');
    });
  });

  describe('userinfo, introspection, refresh', () => {
    let tokens: TokenResponse;
    beforeAll(async () => {
      tokens = await tokensFor(idp, 'grete', GRETE.password!);
    });

    it('userinfo answers a good token with the profile claims', async () => {
      const response = await fetch(endpoint('/userinfo'), {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        sub: decodeJwt(tokens.access_token).sub,
        email: 'grete.mueller@example.org',
        email_verified: true,
        preferred_username: 'grete',
        given_name: 'Grete',
        family_name: 'Müller',
        name: 'Grete Müller',
      });
    });

    it('userinfo answers a tampered, a foreign-signed and a missing token with 401 and WWW-Authenticate', async () => {
      const [header, payload, signature] = tokens.access_token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
      const tampered = [
        header,
        Buffer.from(
          JSON.stringify({ ...claims, realm_access: { roles: ['platform_admin', 'god'] } }),
        ).toString('base64url'),
        signature,
      ].join('.');
      const { privateKey } = await generateKeyPair('RS256');
      const foreign = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
      for (const authorization of [`Bearer ${tampered}`, `Bearer ${foreign}`, undefined]) {
        const response = await fetch(endpoint('/userinfo'), {
          headers: authorization ? { authorization } : {},
        });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(
          /^Bearer realm="allmende", error="invalid_token"/,
        );
      }
    });

    it('introspection: the claims with active:true for a good token, active:false for a bad one', async () => {
      const good = await introspect(tokens.access_token, { authorization: basic(API_CLIENT) });
      expect(good.status).toBe(200);
      expect(good.body).toMatchObject({
        active: true,
        sub: decodeJwt(tokens.access_token).sub,
        aud: ['allmende-api'],
        client_id: TESTS.clientId,
        username: 'grete',
        typ: 'Bearer',
        realm_access: { roles: expect.arrayContaining(['platform_admin']) },
      });
      expect(
        (await introspect(`${tokens.access_token}x`, { authorization: basic(API_CLIENT) })).body,
      ).toEqual({
        active: false,
      });
      expect((await introspect('not-a-token', { authorization: basic(API_CLIENT) })).body).toEqual({
        active: false,
      });
    });

    it('introspection takes client credentials by Basic, in the body, or both (as keycloak-connect sends them)', async () => {
      const inBody = await introspect(tokens.access_token, {
        body: { client_id: API_CLIENT.clientId, client_secret: API_CLIENT.clientSecret },
      });
      expect(inBody.body.active).toBe(true);
      const both = await introspect(tokens.access_token, {
        authorization: basic(API_CLIENT),
        body: { client_id: API_CLIENT.clientId, client_secret: API_CLIENT.clientSecret },
      });
      expect(both.body.active).toBe(true);
      const wrong = await introspect(tokens.access_token, {
        authorization: basic({ ...API_CLIENT, clientSecret: 'x' }),
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toMatchObject({ error: 'invalid_client' });
    });

    it('an expired access token is inactive at introspection and refused at userinfo', async () => {
      const key = await import('jose').then(({ importJWK }) => importJWK(idp.signingKey.privateJwk, 'RS256'));
      const claims = decodeJwt(tokens.access_token);
      const expired = await new SignJWT({ ...claims, iat: claims.iat! - 3600, exp: claims.iat! - 1800 })
        .setProtectedHeader({ alg: 'RS256', kid: idp.signingKey.kid, typ: 'JWT' })
        .sign(key);
      expect((await introspect(expired, { authorization: basic(API_CLIENT) })).body).toEqual({
        active: false,
      });
      const userinfo = await fetch(endpoint('/userinfo'), {
        headers: { authorization: `Bearer ${expired}` },
      });
      expect(userinfo.status).toBe(401);
    });

    it('refresh gives new tokens; a used refresh token is refused (rotation)', async () => {
      const refresh = (refreshToken: string) =>
        fetch(endpoint('/token'), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(TESTS) },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
        });
      const fresh = await tokensFor(idp, 'grete', GRETE.password!);
      const response = await refresh(fresh.refresh_token);
      expect(response.status).toBe(200);
      const renewed = (await response.json()) as TokenResponse;
      expect(renewed.access_token).not.toBe(fresh.access_token);
      expect(renewed.refresh_token).not.toBe(fresh.refresh_token);
      expect(decodeJwt(renewed.access_token)).toMatchObject({
        sub: decodeJwt(fresh.access_token).sub,
        aud: ['allmende-api'],
        typ: 'Bearer',
        azp: TESTS.clientId,
        preferred_username: 'grete',
      });
      expect(decodeJwt(renewed.id_token!)).toMatchObject({ typ: 'ID' });

      const reused = await refresh(fresh.refresh_token);
      expect(reused.status).toBe(400);
      expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
    });
  });

  it('counts requests per path, so tests can prove nobody calls the provider per API request', async () => {
    const certs = '/realms/allmende/protocol/openid-connect/certs';
    const before = idp.requestCount(certs);
    const total = idp.requestCount();
    await fetch(`${idp.url}${certs}`);
    await fetch(`${idp.url}${certs}?again=1`);
    expect(idp.requestCount(`${idp.url}${certs}`)).toBe(before + 2);
    expect(idp.requestCount(certs)).toBe(before + 2);
    expect(idp.requestCount()).toBe(total + 2);
    expect(idp.requestCount('/nowhere')).toBe(0);
  });
});

describe('the demo people', () => {
  it('can all sign in with their seed passwords; their tokens carry what the demo shows', async () => {
    const demoUsers = await loadDemoUsers();
    const idp = await startDevIdentityProvider({ clients: [TESTS], users: demoUsers });
    try {
      for (const person of demoUsers) {
        const claims = decodeJwt((await tokensFor(idp, person.username, person.password!)).access_token);
        expect(claims).toMatchObject({
          sub: person.id,
          email: person.email,
          email_verified: person.emailVerified,
          preferred_username: person.username,
        });
        const roles = (claims.realm_access as { roles: string[] }).roles;
        expect(roles.includes('platform_admin')).toBe(person.realmRoles?.includes('platform_admin') ?? false);
      }
    } finally {
      await idp.stop();
    }
  });
});

describe('startDevIdentityProvider', () => {
  it('refuses to start with NODE_ENV=production', async () => {
    const start = startDevIdentityProvider({ clients: [], users: [], nodeEnv: 'production' });
    await expect(start).rejects.toThrow(DevIdentityProviderRefusedError);
    await expect(start).rejects.toThrow(
      'the dev identity provider refuses to start with NODE_ENV=production',
    );
  });

  it('refuses with NODE_ENV=production from the environment too', async () => {
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await expect(startDevIdentityProvider({ clients: [], users: [] })).rejects.toThrow(
        DevIdentityProviderRefusedError,
      );
    } finally {
      process.env.NODE_ENV = saved;
    }
  });

  it('signs with a given key (tests keep it to mint odd tokens), another realm and API audience', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-key-1' };
    const idp = await startDevIdentityProvider({
      realm: 'probe',
      apiClientId: 'probe-api',
      clients: [TESTS],
      users: [KARL],
      signingKey,
    });
    try {
      expect(idp.issuer).toBe(`${idp.url}/realms/probe`);
      expect(idp.signingKey.kid).toBe('test-key-1');
      const tokens = await tokensFor(idp, 'karl', 'demo');
      const { payload, protectedHeader } = await jwtVerify(tokens.access_token, publicKey, {
        issuer: idp.issuer,
        audience: 'probe-api',
      });
      expect(protectedHeader.kid).toBe('test-key-1');
      expect(payload.realm_access).toEqual({
        roles: ['offline_access', 'uma_authorization', 'default-roles-probe'],
      });
    } finally {
      await idp.stop();
    }
  });
});
