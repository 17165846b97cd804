import type { INestApplication } from '@nestjs/common';
import { SignJWT, importJWK, type JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';
import { startDevIdentityProvider, type DevIdentityProvider, type DevUser } from '@allmende/dev-idp';
import { freePort } from '@allmende/local-services';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { testConfig } from './test-config';

export const PORTAL_CLIENT = { clientId: 'allmende-portal', clientSecret: 'allmende-test-portal-secret' };
/** A client with Keycloak's direct access grants, so tests can get tokens with a password. */
export const TEST_CLIENT = { clientId: 'allmende-test', clientSecret: 'allmende-test-client-secret' };
export const TEST_PASSWORD = 'Test-Passwort-1';

/** A dev identity provider for an API at `publicUrl`, with the given people (password TEST_PASSWORD). */
export function startTestIdentityProvider(
  publicUrl: string,
  users: Omit<DevUser, 'username' | 'password'>[],
): Promise<DevIdentityProvider> {
  return startDevIdentityProvider({
    clients: [
      {
        ...PORTAL_CLIENT,
        redirectUris: [`${publicUrl}/auth/callback`],
        postLogoutRedirectUris: [`${publicUrl}/auth/logged-out`],
      },
      { ...TEST_CLIENT, redirectUris: [], postLogoutRedirectUris: [], directAccessGrants: true },
    ],
    users: users.map((user) => ({ ...user, username: user.email, password: TEST_PASSWORD })),
    nodeEnv: 'test',
  });
}

/** An access token from the provider's token endpoint (password grant), as a client gets one. */
export async function passwordToken(idp: DevIdentityProvider, email: string): Promise<string> {
  const response = await fetch(`${idp.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${TEST_CLIENT.clientId}:${TEST_CLIENT.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'password',
      username: email,
      password: TEST_PASSWORD,
      scope: 'openid',
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token)
    throw new Error(`password grant failed: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/**
 * A token signed with the provider's own key but with claims of our choosing (expired, wrong
 * issuer, wrong audience...): what only the holder of the realm's key could make.
 */
export async function mintToken(
  idp: DevIdentityProvider,
  claims: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  const key = await importJWK(idp.signingKey.privateJwk, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    typ: 'Bearer',
    azp: TEST_CLIENT.clientId,
    realm_access: { roles: [] },
    email_verified: true,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: idp.signingKey.kid, typ: 'JWT', ...header })
    .setIssuer((claims.iss as string | undefined) ?? idp.issuer)
    .setAudience((claims.aud as string | string[] | undefined) ?? ['allmende-api'])
    .setSubject(claims.sub ?? randomUUID())
    .setIssuedAt(claims.iat ?? now)
    .setExpirationTime(claims.exp ?? now + 300)
    .setJti(randomUUID())
    .sign(key);
}

export interface ApiWithIdentity {
  app: INestApplication;
  idp: DevIdentityProvider;
  /** The API's base URL (also its PUBLIC_URL). */
  base: string;
  stop(): Promise<void>;
}

/** The API app listening on loopback, signing people in at a dev identity provider of its own. */
export async function startApiWithIdentityProvider(
  users: Omit<DevUser, 'username' | 'password'>[],
): Promise<ApiWithIdentity> {
  // The port is chosen before the app listens (the provider needs the app's URL first); in
  // between, another process can take it, even as the source port of an outgoing connection
  // (seen once in a full run: EADDRINUSE). Then the app starts again on another port.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const idp = await startTestIdentityProvider(base, users);
    const app = await createApiApp(testConfig({ KEYCLOAK_URL: idp.url, PUBLIC_URL: base }));
    try {
      await app.listen(port, '127.0.0.1');
    } catch (error) {
      await app.close().catch(() => undefined);
      await idp.stop();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 3) continue;
      throw error;
    }
    return {
      app,
      idp,
      base,
      stop: async () => {
        await app.close();
        await idp.stop();
      },
    };
  }
}
