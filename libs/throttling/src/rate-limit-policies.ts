import type { AppConfig } from '@allmende/core';

/** The routes that are limited, grouped by what they cost us. */
export type RateLimitPolicyName = 'login' | 'search' | 'uploads' | 'booking';

/** Limits of one policy: hits per member and per IP address within one window. */
export interface RateLimit {
  perMember: number;
  perIp: number;
  windowSeconds: number;
}

export interface RateLimitSettings {
  enabled: boolean;
  limits: Record<RateLimitPolicyName, RateLimit>;
}

/**
 * The limited routes (method and Express route pattern, as Nest registers them). Every other
 * route is not limited and never touches the rate limiter. `rate-limits.e2e-spec.ts` checks
 * that each pattern is a route of the API, so a renamed route cannot silently lose its limit.
 */
export const RATE_LIMITED_ROUTES: readonly { method: string; path: string; policy: RateLimitPolicyName }[] = [
  { method: 'GET', path: '/auth/login', policy: 'login' },
  { method: 'GET', path: '/auth/callback', policy: 'login' },
  { method: 'GET', path: '/api/tenants/:tenant/search', policy: 'search' },
  { method: 'POST', path: '/api/tenants/:tenant/groups/:group/files', policy: 'uploads' },
  { method: 'POST', path: '/api/tenants/:tenant/groups/:group/listings/photos', policy: 'uploads' },
  { method: 'POST', path: '/t/:tenant/g/:group/files', policy: 'uploads' },
  // The portal's listing form is multipart with an optional photo: counted as an upload.
  { method: 'POST', path: '/t/:tenant/g/:group/listings', policy: 'uploads' },
  {
    method: 'POST',
    path: '/api/tenants/:tenant/groups/:group/booking/resources/:resource/requests',
    policy: 'booking',
  },
  { method: 'POST', path: '/t/:tenant/g/:group/booking/:resource/requests', policy: 'booking' },
];

const byRoute = new Map(RATE_LIMITED_ROUTES.map((route) => [`${route.method} ${route.path}`, route.policy]));

/** The policy of a matched route, or undefined when the route is not limited. */
export function policyForRoute(
  method: string,
  routePath: string | undefined,
): RateLimitPolicyName | undefined {
  if (!routePath) return undefined;
  const path = routePath.length > 1 ? routePath.replace(/\/+$/, '') : routePath;
  return byRoute.get(`${method.toUpperCase()} ${path}`);
}

/** The settings from the validated environment (RATE_LIMITS, RATE_LIMIT_*). */
export function rateLimitSettings(config: AppConfig): RateLimitSettings {
  return {
    enabled: config.RATE_LIMITS === 'on',
    limits: {
      login: config.RATE_LIMIT_LOGIN,
      search: config.RATE_LIMIT_SEARCH,
      uploads: config.RATE_LIMIT_UPLOADS,
      booking: config.RATE_LIMIT_BOOKING,
    },
  };
}
