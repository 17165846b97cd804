import type { DirectoryUser, IdentityDirectory, InvitationOptions } from './identity-directory';

/** A request to the identity provider's user administration failed; the message is one line saying what and why. */
export class IdentityDirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityDirectoryError';
  }
}

export interface DevIdentityDirectoryOptions {
  /** The dev identity provider's base URL (KEYCLOAK_URL). */
  url: string;
  realm: string;
  /** Its admin API's bearer token (DEV_IDP_ADMIN_TOKEN). */
  adminToken: string;
  fetch?: typeof fetch;
  /** How long one request may take (default 15 s). */
  timeoutMs?: number;
}

/** What the set-up e-mail asks a new person to do (as with Keycloak). */
const INVITATION_ACTIONS = ['VERIFY_EMAIL', 'UPDATE_PASSWORD'];

interface CreatedUser {
  id: string;
  created: boolean;
}

interface ListedUser {
  id: string;
  email: string;
  emailVerified: boolean;
}

/**
 * The IdentityDirectory on the dev identity provider's admin API (`/realms/<realm>/dev-admin`),
 * for `npm start` and the tests. The provider records the set-up e-mails instead of sending them
 * (`DevIdentityProvider.actionEmails()`).
 */
export class DevIdentityDirectory implements IdentityDirectory {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: DevIdentityDirectoryOptions) {
    this.baseUrl = `${options.url.replace(/\/+$/, '')}/realms/${encodeURIComponent(options.realm)}/dev-admin`;
    this.fetch = options.fetch ?? fetch;
  }

  async ensureUser(person: { email: string; givenName: string; familyName: string }): Promise<DirectoryUser> {
    const email = person.email.trim().toLowerCase();
    const { id, created } = await this.request<CreatedUser>(
      `creating the account of ${email}`,
      'POST',
      '/users',
      {
        email,
        givenName: person.givenName,
        familyName: person.familyName,
      },
    );
    if (created) return { id, email, emailVerified: false, created: true };
    // An account that existed already may have verified its e-mail meanwhile.
    const found = await this.request<ListedUser[]>(
      `looking up the account of ${email}`,
      'GET',
      `/users?${new URLSearchParams({ email })}`,
    );
    return {
      id,
      email,
      emailVerified: found.find((user) => user.id === id)?.emailVerified ?? false,
      created: false,
    };
  }

  async sendInvitation(userId: string, options: InvitationOptions = {}): Promise<void> {
    await this.request<void>(
      `sending the set-up e-mail to account ${userId}`,
      'PUT',
      `/users/${encodeURIComponent(userId)}/execute-actions-email`,
      {
        actions: INVITATION_ACTIONS,
        ...(options.redirectUri !== undefined ? { redirectUri: options.redirectUri } : {}),
        ...(options.lifespanSeconds !== undefined ? { lifespanSeconds: options.lifespanSeconds } : {}),
      },
    );
  }

  private async request<T>(what: string, method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.adminToken}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      throw new IdentityDirectoryError(`dev identity provider: ${what} failed: ${describeFailure(error)}`);
    }
    if (!response.ok) {
      const detail = await errorDetail(response);
      throw new IdentityDirectoryError(
        `dev identity provider: ${what} failed: ${response.status} ${detail}${hint(response.status)}`,
      );
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
}

/** What an operator can do about the usual refusals. */
function hint(status: number): string {
  if (status === 401) return ' (check DEV_IDP_ADMIN_TOKEN)';
  if (status === 404) return ' (no such account)';
  return '';
}

/** The provider's own message, in one short line. */
async function errorDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  let detail: unknown;
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    detail = json.error_description ?? json.error;
  } catch {
    detail = text.length > 0 && text.length <= 200 ? text : undefined;
  }
  return (typeof detail === 'string' ? detail : response.statusText).replace(/\s+/g, ' ').trim();
}

/** Why a request got no answer: fetch keeps the reason (ECONNREFUSED...) in `cause`. */
function describeFailure(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { name, message, cause } = error as { name?: string; message?: string; cause?: { message?: string } };
  if (name === 'TimeoutError' || name === 'AbortError') return 'no answer in time';
  const reason = cause?.message ? `: ${cause.message}` : '';
  return `${message ?? String(error)}${reason}`.split('\n')[0]!;
}
