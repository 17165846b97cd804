import { jwtVerify, type JWTPayload } from 'jose';
import type { Realm } from './realm';

/**
 * Checks an access token the way Keycloak's /userinfo and /token/introspect do: our signature,
 * our issuer, not expired, `typ: Bearer`, the session not logged out, the user still there.
 * Returns its claims, or undefined for any token that fails.
 */
export async function verifyAccessToken(realm: Realm, token: string): Promise<JWTPayload | undefined> {
  try {
    const { payload } = await jwtVerify(token, realm.signingKey.publicKey, {
      issuer: realm.issuer,
      algorithms: ['RS256'],
    });
    if (payload.typ !== 'Bearer' || typeof payload.sub !== 'string') return undefined;
    if (typeof payload.sid === 'string' && realm.endedSessions.has(payload.sid)) return undefined;
    if (!realm.users.findById(payload.sub)) return undefined;
    return payload;
  } catch {
    return undefined;
  }
}
