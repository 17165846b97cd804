import { ConfigError, type AppConfig, type Env } from '@allmende/core';
import { DevIdentityDirectory } from './dev-identity-directory';
import type { IdentityDirectory } from './identity-directory';
import { KeycloakIdentityDirectory } from './keycloak-identity-directory';

/** The variables each kind of directory needs beyond the schema's defaults. */
const NEEDED: Record<AppConfig['IDENTITY_DIRECTORY'], (keyof Env)[]> = {
  keycloak: ['KEYCLOAK_URL', 'KEYCLOAK_ADMIN_CLIENT_SECRET'],
  dev: ['KEYCLOAK_URL', 'DEV_IDP_ADMIN_TOKEN'],
};

/**
 * The identity directory the configuration names (IDENTITY_DIRECTORY): Keycloak's admin API
 * through a service-account client, or the dev identity provider's user administration.
 * Throws a ConfigError naming every missing variable.
 */
export function identityDirectoryFromConfig(config: AppConfig): IdentityDirectory {
  const kind = config.IDENTITY_DIRECTORY;
  const problems = NEEDED[kind]
    .filter((name) => config[name] === undefined)
    .map((name) => `${name}: is required when IDENTITY_DIRECTORY=${kind} (member invitations)`);
  if (kind === 'dev' && config.NODE_ENV === 'production') {
    // The dev identity provider refuses to run in production; its directory must not either.
    problems.push('IDENTITY_DIRECTORY: dev is not allowed when NODE_ENV=production');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const url = config.KEYCLOAK_URL!;
  if (kind === 'dev') {
    return new DevIdentityDirectory({
      url,
      realm: config.KEYCLOAK_REALM,
      adminToken: config.DEV_IDP_ADMIN_TOKEN!,
    });
  }
  return new KeycloakIdentityDirectory({
    url,
    realm: config.KEYCLOAK_REALM,
    clientId: config.KEYCLOAK_ADMIN_CLIENT_ID,
    clientSecret: config.KEYCLOAK_ADMIN_CLIENT_SECRET!,
    portalClientId: config.KEYCLOAK_PORTAL_CLIENT_ID,
  });
}
