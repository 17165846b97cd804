import Keycloak from 'keycloak-connect';
import { LRUCache } from 'lru-cache';
import type { IdentityConfig } from './identity-config';

/** What a verified access token says about its bearer. */
export interface VerifiedToken {
  /** The identity provider's id of the person (`sub`). */
  subject: string;
  email: string | null;
  emailVerified: boolean;
  username: string | null;
  name: string | null;
  realmRoles: string[];
  /** Unix seconds. */
  expiresAt: number;
}

/** Why a token was refused: the reason is for logs, the client only gets a 401. */
export class InvalidTokenError extends Error {
  constructor(reason: string) {
    super(`invalid access token: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}

interface KeycloakTokenContent {
  sub?: unknown;
  exp?: unknown;
  email?: unknown;
  email_verified?: unknown;
  preferred_username?: unknown;
  name?: unknown;
  realm_access?: { roles?: unknown };
}

/**
 * Verifies access tokens locally with keycloak-connect's grant manager: signature (RS256,
 * against the realm's keys, which it fetches once and again only for an unknown key id),
 * expiry, `typ: Bearer`, issuer, and audience (`verify-token-audience`). No call to the
 * identity provider per request.
 *
 * keycloak-connect's own middleware answers every rejection with 403 and treats a token
 * without `exp` as valid; this class reports the reason and requires `exp` and `sub`.
 *
 * A token that verified is remembered (by its whole text, signature included) until it
 * expires: clients send the same token with every request for its lifetime, and
 * keycloak-connect would convert the realm's JWK to PEM and check the RSA signature anew
 * each time. Expiry is still checked on every use.
 */
export class AccessTokenVerifier {
  private readonly grantManager: Keycloak.GrantManager;
  private readonly verified = new LRUCache<string, VerifiedToken>({ max: 10_000 });

  constructor(config: IdentityConfig) {
    const keycloak = new Keycloak({}, {
      realm: config.realm,
      'auth-server-url': config.keycloakUrl,
      resource: config.apiClientId,
      'bearer-only': true,
      'verify-token-audience': true,
      'ssl-required': 'external',
      'confidential-port': 0,
    } as unknown as Keycloak.KeycloakConfig);
    this.grantManager = keycloak.grantManager;
  }

  async verify(accessToken: string): Promise<VerifiedToken> {
    const known = this.verified.get(accessToken);
    if (known) {
      if (isExpired(known)) {
        this.verified.delete(accessToken);
        throw new InvalidTokenError('token is expired');
      }
      return known;
    }
    const token = await this.verifyAnew(accessToken);
    this.verified.set(accessToken, token);
    return token;
  }

  private async verifyAnew(accessToken: string): Promise<VerifiedToken> {
    if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(accessToken)) throw new InvalidTokenError('not a JWT');
    let content: KeycloakTokenContent;
    try {
      const grant = await this.grantManager.createGrant({ access_token: accessToken } as never);
      content = (grant.access_token as unknown as { content: KeycloakTokenContent }).content;
    } catch (error) {
      const reason =
        error instanceof Error ? error.message.replace(/^Grant validation failed\. Reason: /, '') : 'refused';
      throw new InvalidTokenError(reason);
    }
    if (typeof content.sub !== 'string' || content.sub === '') throw new InvalidTokenError('no subject');
    if (typeof content.exp !== 'number') throw new InvalidTokenError('no expiry');
    const roles = content.realm_access?.roles;
    return {
      subject: content.sub,
      email: typeof content.email === 'string' ? content.email.trim().toLowerCase() : null,
      emailVerified: content.email_verified === true,
      username: typeof content.preferred_username === 'string' ? content.preferred_username : null,
      name: typeof content.name === 'string' ? content.name : null,
      realmRoles: Array.isArray(roles)
        ? roles.filter((role): role is string => typeof role === 'string')
        : [],
      expiresAt: content.exp,
    };
  }
}

/** keycloak-connect's rule (Token.isExpired): expired once `exp` has passed. */
function isExpired(token: VerifiedToken): boolean {
  return token.expiresAt * 1000 < Date.now();
}
