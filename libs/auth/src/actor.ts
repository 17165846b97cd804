import type { TenantRole } from '@allmende/members';

/** The realm role of the installation's operators (Keycloak realm role). */
export const PLATFORM_ADMIN_ROLE = 'platform_admin';

/** A signed-in person, from a verified token and our `users` row. */
export interface Person {
  /** Our `users.id`. */
  userId: string;
  /** The identity provider's id (`sub`). */
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  platformAdmin: boolean;
}

/** The person's member row in the tenant of the request. */
export interface TenantMembership {
  tenantId: string;
  memberId: string;
  role: TenantRole;
}

/**
 * Who is calling: built by the authentication guard from the bearer token (API) or the
 * session's token (portal), completed by the tenant membership guard. The only source of
 * "who may do what" for controllers and services.
 */
export interface Actor {
  /** Null: anonymous (public routes only). */
  person: Person | null;
  /** Null outside a tenant route, or when the person is not a member of the tenant. */
  membership: TenantMembership | null;
}

export const ANONYMOUS: Actor = Object.freeze({ person: null, membership: null });

declare module 'express' {
  interface Request {
    actor?: Actor;
  }
}
