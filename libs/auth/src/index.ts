export * from './actor';
export * from './decorators';
export * from './identity-config';
export * from './access-token-verifier';
export * from './people.service';
export * from './auth.module';
export { safeReturnTo } from './portal/return-to';
export { SESSION_COOKIE } from './portal/portal-session.middleware';
export { PortalPages } from './portal/portal-pages';
