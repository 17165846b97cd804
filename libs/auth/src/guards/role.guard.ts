import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ProblemException } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import type { GroupRole } from '../decorators';
import { accessOf } from './access';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Last guard: the role a route asks for (@TenantRole, @GroupRole, @PlatformAdmin); 403 without it. */
@Injectable()
export class RoleGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly scope: TenantScope,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const access = accessOf(this.reflector, context);
    const request = context.switchToHttp().getRequest<Request>();
    const actor = request.actor;
    switch (access?.kind) {
      case 'platform-admin':
        if (!actor?.person?.platformAdmin) throw ProblemException.forbidden('This is for operators only.');
        return true;
      case 'tenant-role':
        if (!actor?.membership || !access.roles.includes(actor.membership.role)) {
          throw ProblemException.forbidden(`This needs the tenant role ${access.roles.join(' or ')}.`);
        }
        return true;
      case 'group-role': {
        const membership = actor?.membership;
        const group = request.params.group;
        if (!membership || typeof group !== 'string') {
          throw ProblemException.forbidden(`This needs the group role ${access.roles.join(' or ')}.`);
        }
        const role = await this.groupRole(group, membership.memberId);
        if (role === undefined) throw ProblemException.notFound(`No group "${group}".`);
        if (membership.role === 'tenant_admin' || (role !== null && access.roles.includes(role))) return true;
        throw ProblemException.forbidden(`This needs the group role ${access.roles.join(' or ')}.`);
      }
      default:
        return true;
    }
  }

  /** The member's role in the group (by key or id): undefined when there is no such group, null when not in it. */
  private async groupRole(group: string, memberId: string): Promise<GroupRole | null | undefined> {
    const byId = UUID.test(group);
    const [row] = await this.scope.em().execute<{ role: GroupRole | null }[]>(
      `select gm.role from groups g
         left join group_members gm on gm.group_id = g.id and gm.member_id = ?
        where ${byId ? 'g.id = ?' : 'g.key = ?'}`,
      [memberId, byId ? group : group.toLowerCase()],
    );
    return row === undefined ? undefined : row.role;
  }
}
