import { ConfigError, type AppConfig } from '@allmende/core';

/** Where the realm is and which clients we are, as libs/auth needs it. */
export interface IdentityConfig {
  /** The realm's URL, which is also the tokens' issuer: `${KEYCLOAK_URL}/realms/${KEYCLOAK_REALM}`. */
  issuer: string;
  keycloakUrl: string;
  realm: string;
  /** The audience every access token for the API must carry. */
  apiClientId: string;
  portalClientId: string;
  portalClientSecret?: string;
}

export function identityConfig(config: AppConfig): IdentityConfig {
  if (!config.KEYCLOAK_URL) {
    throw new ConfigError(['KEYCLOAK_URL: is required by the API (the Keycloak server that signs tokens)']);
  }
  return {
    issuer: `${config.KEYCLOAK_URL}/realms/${config.KEYCLOAK_REALM}`,
    keycloakUrl: config.KEYCLOAK_URL,
    realm: config.KEYCLOAK_REALM,
    apiClientId: config.KEYCLOAK_API_CLIENT_ID,
    portalClientId: config.KEYCLOAK_PORTAL_CLIENT_ID,
    portalClientSecret: config.KEYCLOAK_PORTAL_CLIENT_SECRET,
  };
}
