import type { PendingLogin, SessionTokens } from './oidc-client';

declare module 'express-session' {
  interface SessionData {
    /** The tokens of the signed-in person (access, refresh, ID). */
    tokens?: SessionTokens;
    /** Between the redirect to the provider and the callback. */
    pendingLogin?: PendingLogin;
    /** The language chosen in the portal (also kept in a cookie, for after sign-out). */
    locale?: 'de' | 'en';
    /** csrf-sync's synchronizer token. */
    csrfToken?: string;
  }
}

export {};
