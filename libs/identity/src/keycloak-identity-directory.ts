import KeycloakAdminClient, { NetworkError } from '@keycloak/keycloak-admin-client';
import { IdentityDirectoryError } from './dev-identity-directory';
import type { DirectoryUser, IdentityDirectory, InvitationOptions } from './identity-directory';

export interface KeycloakIdentityDirectoryOptions {
  /** Keycloak's base URL (KEYCLOAK_URL), without `/realms/...`. */
  url: string;
  /** The realm that holds the people (KEYCLOAK_REALM); the service-account client lives there too. */
  realm: string;
  /** A confidential client with a service account holding realm-management `manage-users` and `view-users`. */
  clientId: string;
  clientSecret: string;
  /** The client the set-up e-mail's "back to the application" link belongs to (the portal). */
  portalClientId: string;
  /** How long one request to Keycloak may take (default 15 s). */
  timeoutMs?: number;
}

/** What the set-up e-mail asks a new person to do. */
export const INVITATION_ACTIONS = ['VERIFY_EMAIL', 'UPDATE_PASSWORD'] as const;

/** A token is renewed this long before it expires, so that it does not expire on the way. */
const TOKEN_RENEWAL_MARGIN_MS = 30_000;
/** Lifetime assumed for a token whose expiry cannot be read. */
const UNKNOWN_TOKEN_LIFETIME_MS = 60_000;

interface AccessToken {
  value: string;
  expiresAt: number;
}

/**
 * The IdentityDirectory on Keycloak's admin REST API (`@keycloak/keycloak-admin-client`).
 * It signs in with the client-credentials grant of a service-account client in the realm
 * itself, keeps the access token until shortly before it expires (client-credentials tokens
 * come without a refresh token, so it signs in again), and signs in again once when Keycloak
 * answers 401 (a token revoked or expired early).
 */
export class KeycloakIdentityDirectory implements IdentityDirectory {
  private readonly client: KeycloakAdminClient;
  private token: AccessToken | undefined;
  /** One sign-in at a time: concurrent calls wait for the same token. */
  private signingIn: Promise<AccessToken> | undefined;

  constructor(private readonly options: KeycloakIdentityDirectoryOptions) {
    this.client = new KeycloakAdminClient({
      baseUrl: options.url.replace(/\/+$/, ''),
      realmName: options.realm,
      timeout: options.timeoutMs ?? 15_000,
    });
    this.client.registerTokenProvider({ getAccessToken: () => this.accessToken() });
  }

  async ensureUser(person: { email: string; givenName: string; familyName: string }): Promise<DirectoryUser> {
    const email = person.email.trim().toLowerCase();
    const existing = await this.request(`looking up the account of ${email}`, () => this.findByEmail(email));
    if (existing) return existing;
    try {
      const { id } = await this.withToken(() =>
        this.client.users.create({
          username: email,
          email,
          firstName: person.givenName,
          lastName: person.familyName,
          enabled: true,
          emailVerified: false,
        }),
      );
      return { id, email, emailVerified: false, created: true };
    } catch (error) {
      // 409: created by someone else since we looked (or the e-mail is someone's username).
      if (statusOf(error) === 409) {
        const created = await this.request(`looking up the account of ${email}`, () =>
          this.findByEmail(email),
        );
        if (created) return created;
      }
      throw this.failure(`creating the account of ${email}`, error);
    }
  }

  async sendInvitation(userId: string, options: InvitationOptions = {}): Promise<void> {
    await this.request(
      `sending the set-up e-mail to account ${userId}`,
      () =>
        this.client.users.executeActionsEmail({
          id: userId,
          actions: [...INVITATION_ACTIONS],
          clientId: this.options.portalClientId,
          ...(options.redirectUri !== undefined ? { redirectUri: options.redirectUri } : {}),
          ...(options.lifespanSeconds !== undefined ? { lifespan: options.lifespanSeconds } : {}),
        }),
      options.redirectUri,
    );
  }

  /** The account with exactly this e-mail; Keycloak's `exact` search, compared case-insensitively. */
  private async findByEmail(email: string): Promise<DirectoryUser | undefined> {
    const users = await this.client.users.find({ email, exact: true, max: 10 });
    const user = users.find((candidate) => candidate.email?.toLowerCase() === email);
    if (!user?.id) return undefined;
    return { id: user.id, email, emailVerified: user.emailVerified ?? false, created: false };
  }

  /** Runs one admin request; a failure becomes an IdentityDirectoryError saying what failed. */
  private async request<T>(what: string, fn: () => Promise<T>, redirectUri?: string): Promise<T> {
    try {
      return await this.withToken(fn);
    } catch (error) {
      throw this.failure(what, error, redirectUri);
    }
  }

  /** Runs `fn`; after a 401 it signs in again and runs it once more. */
  private async withToken<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (statusOf(error) !== 401) throw error;
      this.token = undefined;
      return fn();
    }
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt - TOKEN_RENEWAL_MARGIN_MS > Date.now()) return this.token.value;
    this.signingIn ??= this.signIn().finally(() => (this.signingIn = undefined));
    this.token = await this.signingIn;
    return this.token.value;
  }

  private async signIn(): Promise<AccessToken> {
    try {
      await this.client.auth({
        grantType: 'client_credentials',
        clientId: this.options.clientId,
        clientSecret: this.options.clientSecret,
      });
    } catch (error) {
      const hint =
        statusOf(error) === 401 || statusOf(error) === 400
          ? ' (check KEYCLOAK_ADMIN_CLIENT_ID and KEYCLOAK_ADMIN_CLIENT_SECRET)'
          : '';
      throw new IdentityDirectoryError(
        `Keycloak: signing in as client ${this.options.clientId} in realm ${this.options.realm} failed: ` +
          `${describe(error)}${hint}`,
      );
    }
    const value = this.client.accessToken;
    if (!value) {
      throw new IdentityDirectoryError(
        `Keycloak: signing in as client ${this.options.clientId} gave no token`,
      );
    }
    return { value, expiresAt: expiryOf(value) ?? Date.now() + UNKNOWN_TOKEN_LIFETIME_MS };
  }

  private failure(what: string, error: unknown, redirectUri?: string): IdentityDirectoryError {
    if (error instanceof IdentityDirectoryError) return error;
    return new IdentityDirectoryError(
      `Keycloak: ${what} failed: ${describe(error)}${this.hint(error, redirectUri)}`,
    );
  }

  /** What an operator can do about the usual refusals. */
  private hint(error: unknown, redirectUri?: string): string {
    const status = statusOf(error);
    if (status === 403) {
      return ` (the service account of ${this.options.clientId} needs the realm-management roles manage-users and view-users)`;
    }
    if (status === 404) return ' (no such account)';
    if (status === 400 && /redirect/i.test(describe(error))) {
      return ` (add ${redirectUri ?? 'the URL'} to the valid redirect URIs of client ${this.options.portalClientId})`;
    }
    if (status === 500 && /email/i.test(describe(error))) {
      return ' (is SMTP configured in the realm settings?)';
    }
    return '';
  }
}

/** The HTTP status of a failed Keycloak request, if it got that far. */
function statusOf(error: unknown): number | undefined {
  return error instanceof NetworkError ? error.response.status : undefined;
}

/** One line: status and Keycloak's message, or why the request got no answer. */
function describe(error: unknown): string {
  if (error instanceof NetworkError) {
    const data = error.responseData as Record<string, unknown> | string | undefined;
    const detail =
      typeof data === 'object' && data !== null
        ? (['error_description', 'errorMessage', 'error'] as const)
            .map((key) => data[key])
            .find((value): value is string => typeof value === 'string')
        : typeof data === 'string' && data.length > 0 && data.length <= 200
          ? data
          : undefined;
    const { status, statusText } = error.response;
    return `${status} ${detail ?? statusText}`.trim().replace(/\s+/g, ' ');
  }
  if (isError(error)) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'no answer in time';
    // fetch() reports "fetch failed" and keeps the reason (ECONNREFUSED, DNS...) in `cause`.
    const reason = isError(error.cause) && error.cause.message ? `: ${error.cause.message}` : '';
    return `${error.message}${reason}`.split('\n')[0]!;
  }
  return String(error);
}

/**
 * Error-shaped, also across realms: fetch's errors come from Node's own realm, where
 * `instanceof Error` of another realm (a test sandbox) does not see them.
 */
function isError(value: unknown): value is Error & { cause?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Error).message === 'string' &&
    typeof (value as Error).name === 'string'
  );
}

/** The `exp` claim of a JWT in milliseconds, if readable. */
function expiryOf(jwt: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
