import { ConfigError, loadConfig } from '@allmende/core';
import { DevIdentityDirectory } from './dev-identity-directory';
import { identityDirectoryFromConfig } from './identity-directory.factory';
import { KeycloakIdentityDirectory } from './keycloak-identity-directory';

const BASE = { DATABASE_URL: 'postgres://app@localhost/allmende', REDIS_URL: 'redis://localhost:6379' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    identityDirectoryFromConfig(loadConfig({ ...BASE, ...env }));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('identityDirectoryFromConfig', () => {
  it('keycloak (the default) needs KEYCLOAK_URL and KEYCLOAK_ADMIN_CLIENT_SECRET, naming both', () => {
    expect(problemsOf({})).toEqual([
      'KEYCLOAK_URL: is required when IDENTITY_DIRECTORY=keycloak (member invitations)',
      'KEYCLOAK_ADMIN_CLIENT_SECRET: is required when IDENTITY_DIRECTORY=keycloak (member invitations)',
    ]);
    expect(problemsOf({ KEYCLOAK_URL: 'http://keycloak:8080' })).toEqual([
      'KEYCLOAK_ADMIN_CLIENT_SECRET: is required when IDENTITY_DIRECTORY=keycloak (member invitations)',
    ]);
    // The dev provider's token does not stand in for the Keycloak secret.
    expect(problemsOf({ KEYCLOAK_URL: 'http://keycloak:8080', DEV_IDP_ADMIN_TOKEN: 'x'.repeat(32) })).toEqual(
      ['KEYCLOAK_ADMIN_CLIENT_SECRET: is required when IDENTITY_DIRECTORY=keycloak (member invitations)'],
    );
  });

  it('keycloak with URL and secret gives the Keycloak directory', () => {
    const config = loadConfig({
      ...BASE,
      IDENTITY_DIRECTORY: 'keycloak',
      KEYCLOAK_URL: 'http://keycloak:8080/',
      KEYCLOAK_ADMIN_CLIENT_SECRET: 'secret',
    });
    expect(identityDirectoryFromConfig(config)).toBeInstanceOf(KeycloakIdentityDirectory);
  });

  it('dev needs KEYCLOAK_URL and DEV_IDP_ADMIN_TOKEN, naming both', () => {
    expect(problemsOf({ IDENTITY_DIRECTORY: 'dev' })).toEqual([
      'KEYCLOAK_URL: is required when IDENTITY_DIRECTORY=dev (member invitations)',
      'DEV_IDP_ADMIN_TOKEN: is required when IDENTITY_DIRECTORY=dev (member invitations)',
    ]);
    expect(
      problemsOf({
        IDENTITY_DIRECTORY: 'dev',
        KEYCLOAK_URL: 'http://127.0.0.1:8081',
        KEYCLOAK_ADMIN_CLIENT_SECRET: 's',
      }),
    ).toEqual(['DEV_IDP_ADMIN_TOKEN: is required when IDENTITY_DIRECTORY=dev (member invitations)']);
  });

  it('dev with URL and token gives the dev directory, but never in production', () => {
    const env = {
      IDENTITY_DIRECTORY: 'dev',
      KEYCLOAK_URL: 'http://127.0.0.1:8081',
      DEV_IDP_ADMIN_TOKEN: 'a-dev-admin-token-of-32-characters',
    };
    expect(identityDirectoryFromConfig(loadConfig({ ...BASE, ...env }))).toBeInstanceOf(DevIdentityDirectory);
    expect(problemsOf({ ...env, NODE_ENV: 'production', PUBLIC_URL: 'https://allmende.example' })).toEqual([
      'IDENTITY_DIRECTORY: dev is not allowed when NODE_ENV=production',
    ]);
  });
});
