import { randomBytes } from 'node:crypto';
import type { DevActionEmail } from './types';

/** Keycloak's "required actions" that an invitation link can carry and this provider carries out. */
export const SUPPORTED_ACTIONS = ['VERIFY_EMAIL', 'UPDATE_PASSWORD'] as const;
export type RequiredAction = (typeof SUPPORTED_ACTIONS)[number];

/** Keycloak's default lifespan of an execute-actions link: 12 hours. */
const DEFAULT_LIFESPAN_SECONDS = 12 * 60 * 60;

export interface ActionToken {
  userId: string;
  actions: RequiredAction[];
  redirectUri?: string;
  expiresAt: number;
}

/**
 * The invitation e-mails the provider "sent" (it records them instead of mailing them) and the
 * one-time keys of their links.
 */
export class Invitations {
  private readonly sent: DevActionEmail[] = [];
  private readonly tokens = new Map<string, ActionToken>();

  constructor(private readonly linkBase: string) {}

  send(input: {
    userId: string;
    email: string;
    actions: RequiredAction[];
    redirectUri?: string;
    lifespanSeconds?: number;
  }): DevActionEmail {
    const key = randomBytes(32).toString('base64url');
    const now = Date.now();
    this.tokens.set(key, {
      userId: input.userId,
      actions: input.actions,
      redirectUri: input.redirectUri,
      expiresAt: now + (input.lifespanSeconds ?? DEFAULT_LIFESPAN_SECONDS) * 1000,
    });
    const email: DevActionEmail = {
      userId: input.userId,
      email: input.email,
      actions: [...input.actions],
      link: `${this.linkBase}?key=${key}`,
      ...(input.redirectUri ? { redirectUri: input.redirectUri } : {}),
      sentAt: new Date(now).toISOString(),
    };
    this.sent.push(email);
    return email;
  }

  /** The token behind a link's key, if it is known, unused and not expired. */
  find(key: string): ActionToken | undefined {
    const token = this.tokens.get(key);
    if (token && token.expiresAt <= Date.now()) {
      this.tokens.delete(key);
      return undefined;
    }
    return token;
  }

  /** A link works once. */
  consume(key: string): void {
    this.tokens.delete(key);
  }

  emails(): DevActionEmail[] {
    return this.sent.map((email) => ({ ...email, actions: [...email.actions] }));
  }
}
