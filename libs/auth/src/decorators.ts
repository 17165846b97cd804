import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { GroupRole as GroupRoleName } from '@allmende/groups';
import type { TenantRole as TenantRoleName } from '@allmende/members';
import { ANONYMOUS, type Actor } from './actor';

/** Roles in a tenant (`tenant_admin`, `member`): a type, and the decorator of the same name below. */
export type TenantRole = TenantRoleName;
/** Roles in a group (`group_admin`, `member`): a type, and the decorator of the same name below. */
export type GroupRole = GroupRoleName;

/**
 * Who may call a route. Without a decorator a route needs a signed-in person, and on a
 * tenant route (`/api/tenants/:tenant/...`, `/t/:tenant/...`) a member of that tenant: a
 * non-member gets 404, as if the tenant did not exist for them.
 */
export const ACCESS_KEY = 'allmende:access';

export type Access =
  /** Anyone, signed in or not (a signed-in caller still gets their Actor). */
  | { kind: 'public' }
  /** Any signed-in person, member of the tenant or not (e.g. asking to join). */
  | { kind: 'signed-in' }
  /** Members of the tenant with one of these roles; others 403. */
  | { kind: 'tenant-role'; roles: TenantRole[] }
  /**
   * Members with one of these roles in the group named by the route's `:group` parameter
   * (its key or id); a tenant admin passes every group role check.
   */
  | { kind: 'group-role'; roles: GroupRole[] }
  /** Operators: realm role `platform_admin`. */
  | { kind: 'platform-admin' };

export const Public = () => SetMetadata(ACCESS_KEY, { kind: 'public' } satisfies Access);
export const SignedIn = () => SetMetadata(ACCESS_KEY, { kind: 'signed-in' } satisfies Access);
export const TenantRole = (...roles: TenantRole[]) =>
  SetMetadata(ACCESS_KEY, { kind: 'tenant-role', roles } satisfies Access);
export const GroupRole = (...roles: GroupRole[]) =>
  SetMetadata(ACCESS_KEY, { kind: 'group-role', roles } satisfies Access);
export const PlatformAdmin = () => SetMetadata(ACCESS_KEY, { kind: 'platform-admin' } satisfies Access);

/** The route's Actor (anonymous on public routes without a signed-in caller). */
export const CurrentActor = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Actor =>
    context.switchToHttp().getRequest<Request>().actor ?? ANONYMOUS,
);
