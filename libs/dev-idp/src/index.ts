export {
  DevIdentityProviderRefusedError,
  type DevActionEmail,
  type DevClient,
  type DevIdentityProvider,
  type DevIdentityProviderOptions,
  type DevUser,
} from './types';
export { startDevIdentityProvider } from './dev-identity-provider';
export { DEMO_USERS_FILE, loadDemoUsers, type DemoUser } from './demo-users';
