/**
 * The accounts of the identity provider (Keycloak, or the dev identity provider that plays
 * it), as member invitations need them. Who may do what is not here: that lives in our
 * database (libs/auth).
 */
export interface DirectoryUser {
  /** The provider's id of the account (the `sub` of its tokens). */
  id: string;
  email: string;
  emailVerified: boolean;
  /** Whether this call created the account (false: it existed already). */
  created: boolean;
}

export interface InvitationOptions {
  /** Where the provider sends the person after the set-up (a portal URL). */
  redirectUri?: string;
  /** How long the e-mail's link is valid. */
  lifespanSeconds?: number;
}

export interface IdentityDirectory {
  /**
   * Finds the account with this e-mail (exact, case-insensitive) or creates it: enabled,
   * e-mail not verified, no password. Calling it twice gives the same account.
   */
  ensureUser(person: { email: string; givenName: string; familyName: string }): Promise<DirectoryUser>;
  /** Sends the account set-up e-mail: verify the e-mail address and set a password. */
  sendInvitation(userId: string, options?: InvitationOptions): Promise<void>;
}
