import type { JWK } from 'jose';

/** A person in the dev realm, as `startDevIdentityProvider` takes it. */
export interface DevUser {
  /** Stable account id = the tokens' `sub`. Absent: derived from realm and e-mail (a UUID), so it survives restarts. */
  id?: string;
  username: string;
  /** Absent: the person cannot sign in until they set one through an invitation link. */
  password?: string;
  email: string;
  emailVerified: boolean;
  givenName: string;
  familyName: string;
  /** Realm roles besides Keycloak's defaults, e.g. `['platform_admin']`. */
  realmRoles?: string[];
}

/** An OpenID Connect client of the realm (confidential: it has a secret). */
export interface DevClient {
  clientId: string;
  clientSecret: string;
  /** Exact match, no wildcards. */
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** Keycloak's "direct access grants" (the password grant); meant for tests. */
  directAccessGrants?: boolean;
}

export interface DevIdentityProviderOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default `allmende`. */
  realm?: string;
  /** Default `allmende-api`: the audience of every access token. */
  apiClientId?: string;
  clients: DevClient[];
  users: DevUser[];
  /**
   * JSON file where users created or changed through the admin API are kept (written atomically)
   * and loaded at start, merged with `users` (the file wins for the same e-mail).
   */
  usersFile?: string;
  /** Private RSA JWK with `kid` (RS256). Generated if absent; tests pass their own to mint odd tokens. */
  signingKey?: JWK;
  /** Enables the dev admin API with this bearer token. */
  adminToken?: string;
  /** Default 300. */
  accessTokenTtlSeconds?: number;
  /** Default `process.env.NODE_ENV`. */
  nodeEnv?: string;
}

/** An invitation e-mail the provider "sent" (it records them instead). */
export interface DevActionEmail {
  userId: string;
  email: string;
  actions: string[];
  link: string;
  redirectUri?: string;
  sentAt: string;
}

export interface DevIdentityProvider {
  /** Base URL, what KEYCLOAK_URL would be, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** `${url}/realms/${realm}` */
  issuer: string;
  realm: string;
  signingKey: { privateJwk: JWK; publicJwk: JWK; kid: string };
  /**
   * Requests received so far whose path (without query) starts with `pathPrefix`, e.g.
   * `/realms/allmende/protocol/openid-connect/certs` (a full URL of the provider works too);
   * all requests without one. For tests that prove nobody calls the provider per API request.
   */
  requestCount(pathPrefix?: string): number;
  /** Current users (copies, without passwords). */
  users(): DevUser[];
  /** Invitation e-mails "sent" through the admin API, oldest first. */
  actionEmails(): DevActionEmail[];
  stop(): Promise<void>;
}

/** Thrown by `startDevIdentityProvider` with NODE_ENV=production. */
export class DevIdentityProviderRefusedError extends Error {
  constructor(message = 'the dev identity provider refuses to start with NODE_ENV=production') {
    super(message);
    this.name = 'DevIdentityProviderRefusedError';
  }
}
