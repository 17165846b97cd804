export * from './identity-directory';
export { DevIdentityDirectory, IdentityDirectoryError } from './dev-identity-directory';
export * from './keycloak-identity-directory';
export * from './identity-directory.factory';
