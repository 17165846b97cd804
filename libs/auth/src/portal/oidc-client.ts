import { Injectable, Logger } from '@nestjs/common';
import * as client from 'openid-client';
import type { IdentityConfig } from '../identity-config';

/** What the portal keeps in the session after a login. */
export interface SessionTokens {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Unix seconds when the access token expires. */
  expiresAt: number;
}

/** What a login keeps in the session between the redirect to the provider and the callback. */
export interface PendingLogin {
  codeVerifier: string;
  state: string;
  nonce: string;
  returnTo: string;
}

/**
 * The portal's OpenID Connect client (openid-client, OpenID Certified): authorization code
 * flow with PKCE (S256), state and nonce, refresh, and RP-initiated logout. Discovery runs on
 * first use and again after a failure, so the API starts even while the provider is down.
 */
@Injectable()
export class PortalOidcClient {
  private readonly logger = new Logger('PortalOidcClient');
  private configuration?: Promise<client.Configuration>;

  constructor(
    private readonly identity: IdentityConfig,
    /** The portal's public base URL (PUBLIC_URL), for the redirect URIs registered at the provider. */
    private readonly publicUrl: string,
  ) {}

  get redirectUri(): string {
    return `${this.publicUrl}/auth/callback`;
  }

  get postLogoutRedirectUri(): string {
    return `${this.publicUrl}/auth/logged-out`;
  }

  /** Starts a login: the provider's authorization URL and what the callback must check. */
  async startLogin(returnTo: string): Promise<{ url: string; pending: PendingLogin }> {
    const config = await this.config();
    const codeVerifier = client.randomPKCECodeVerifier();
    const pending: PendingLogin = {
      codeVerifier,
      state: client.randomState(),
      nonce: client.randomNonce(),
      returnTo,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /** Completes a login: checks state, PKCE and nonce, and exchanges the code for tokens. */
  async finishLogin(callbackUrl: URL, pending: PendingLogin): Promise<SessionTokens> {
    const tokens = await client.authorizationCodeGrant(await this.config(), callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    return toSessionTokens(tokens);
  }

  async refresh(refreshToken: string): Promise<SessionTokens> {
    const tokens = await client.refreshTokenGrant(await this.config(), refreshToken);
    return toSessionTokens(tokens, refreshToken);
  }

  /** The provider's end-session URL, which ends its session too and comes back to us. */
  async logoutUrl(idToken: string | undefined): Promise<string> {
    const parameters: Record<string, string> = { post_logout_redirect_uri: this.postLogoutRedirectUri };
    if (idToken) parameters.id_token_hint = idToken;
    else parameters.client_id = this.identity.portalClientId;
    return client.buildEndSessionUrl(await this.config(), parameters).href;
  }

  private config(): Promise<client.Configuration> {
    this.configuration ??= this.discover().catch((error: unknown) => {
      this.configuration = undefined;
      throw error;
    });
    return this.configuration;
  }

  private async discover(): Promise<client.Configuration> {
    const issuer = new URL(this.identity.issuer);
    const secret = this.identity.portalClientSecret;
    if (!secret)
      throw new Error('KEYCLOAK_PORTAL_CLIENT_SECRET is not set: the portal cannot sign people in');
    // Plain HTTP only to a provider on this machine (the dev identity provider, tests).
    const local =
      issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
    const config = await client.discovery(
      issuer,
      this.identity.portalClientId,
      undefined,
      client.ClientSecretBasic(secret),
      local ? { execute: [client.allowInsecureRequests] } : undefined,
    );
    this.logger.log(`discovered ${issuer.href}`);
    return config;
  }
}

function toSessionTokens(
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
  previousRefreshToken?: string,
): SessionTokens {
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? previousRefreshToken,
    idToken: tokens.id_token,
    expiresAt: Math.floor(Date.now() / 1000) + (tokens.expiresIn() ?? 60),
  };
}
