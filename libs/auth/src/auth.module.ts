import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, ConfigError, type AppConfig } from '@allmende/core';
import { AccessTokenVerifier } from './access-token-verifier';
import { AuthenticationGuard } from './guards/authentication.guard';
import { RoleGuard } from './guards/role.guard';
import { TenantMembershipGuard } from './guards/tenant-membership.guard';
import { identityConfig, type IdentityConfig } from './identity-config';
import { MeController } from './me.controller';
import { PeopleService } from './people.service';
import { CsrfMiddleware } from './portal/csrf.middleware';
import { PortalOidcClient } from './portal/oidc-client';
import { PortalAuthController } from './portal/portal-auth.controller';
import { PortalPages } from './portal/portal-pages';
import { PortalSessionMiddleware } from './portal/portal-session.middleware';
import { PortalSessionTokens } from './portal/portal-session-tokens';

// The portal's building blocks for the API app's portal pages (apps/api/src/portal), exported
// here because this module is what the package index re-exports.
export { csrfToken, isMultipart } from './portal/csrf.middleware';
export type { PortalCommunity, PortalLayout, PortalPage } from './portal/portal-pages';
export { formatDate, formatDateTime, formatTime } from './portal/portal-dates';

export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');

/** Paths of the portal, which have sessions and CSRF protection (the REST API has neither). */
export const PORTAL_ROUTES = ['me', 'auth/*path', 't/*path'];
/**
 * Operators' pages (the queue dashboard) that go by the portal session too. Without the CSRF
 * middleware: Bull Board's UI calls its JSON API without our token; the session cookie is
 * SameSite=Lax, so other sites' requests never carry it.
 */
export const OPERATOR_ROUTES = ['admin/*path'];

/**
 * Authentication and authorisation for the API app. The guards are global and run in this
 * order: who is calling (AuthenticationGuard) → their membership in the URL's tenant
 * (TenantMembershipGuard) → the role the route asks for (RoleGuard).
 */
@Module({
  controllers: [PortalAuthController, MeController],
  providers: [
    {
      provide: IDENTITY_CONFIG,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => identityConfig(config),
    },
    {
      provide: AccessTokenVerifier,
      inject: [IDENTITY_CONFIG],
      useFactory: (identity: IdentityConfig) => new AccessTokenVerifier(identity),
    },
    {
      provide: PortalOidcClient,
      inject: [IDENTITY_CONFIG, APP_CONFIG],
      useFactory: (identity: IdentityConfig, config: AppConfig) => {
        if (!identity.portalClientSecret) {
          throw new ConfigError([
            'KEYCLOAK_PORTAL_CLIENT_SECRET: is required by the API (the portal signs people in with it)',
          ]);
        }
        return new PortalOidcClient(identity, config.PUBLIC_URL);
      },
    },
    PeopleService,
    PortalSessionTokens,
    PortalPages,
    PortalSessionMiddleware,
    CsrfMiddleware,
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: TenantMembershipGuard },
    { provide: APP_GUARD, useClass: RoleGuard },
  ],
  exports: [PeopleService, AccessTokenVerifier, PortalPages],
})
export class AuthModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(PortalSessionMiddleware, CsrfMiddleware).forRoutes(...PORTAL_ROUTES);
    consumer.apply(PortalSessionMiddleware).forRoutes(...OPERATOR_ROUTES);
  }
}
