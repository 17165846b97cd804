import { Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { PortalOidcClient } from './oidc-client';
import './session-data';

/** Refresh this many seconds before the access token expires, so a request never carries a dying one. */
const REFRESH_MARGIN_SECONDS = 30;

/**
 * The portal session's access token for a request: refreshed with the refresh token shortly
 * before it expires; a session whose refresh fails (the provider's session ended) is signed
 * out.
 */
@Injectable()
export class PortalSessionTokens {
  private readonly logger = new Logger('PortalSession');

  constructor(private readonly oidc: PortalOidcClient) {}

  async accessToken(request: Request): Promise<string | undefined> {
    const session = request.session;
    const tokens = session?.tokens;
    if (!session || !tokens) return undefined;
    if (tokens.expiresAt - REFRESH_MARGIN_SECONDS > Date.now() / 1000) return tokens.accessToken;
    if (!tokens.refreshToken) return this.forget(request);
    try {
      session.tokens = await this.oidc.refresh(tokens.refreshToken);
      return session.tokens.accessToken;
    } catch (error) {
      this.logger.debug(`refresh failed: ${error instanceof Error ? error.message : String(error)}`);
      return this.forget(request);
    }
  }

  /** Drops the session's tokens: the person is signed out of the portal. */
  async forget(request: Request): Promise<undefined> {
    if (request.session?.tokens) {
      delete request.session.tokens;
      await new Promise<void>((resolve) => request.session.save(() => resolve()));
    }
    return undefined;
  }
}
