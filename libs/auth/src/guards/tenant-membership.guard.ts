import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ProblemException } from '@allmende/core';
import { PeopleService } from '../people.service';
import { accessOf } from './access';

/**
 * Second guard, on tenant routes only: the caller's member row in the tenant of the URL.
 * Routes that need membership answer a non-member with the same 404 as an unknown tenant,
 * so nobody learns what another tenant holds.
 */
@Injectable()
export class TenantMembershipGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly people: PeopleService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    const tenant = request.tenant;
    const actor = request.actor;
    if (!tenant || !actor) return true;
    if (actor.person) actor.membership = await this.people.membershipIn(tenant.id, actor.person);
    const access = accessOf(this.reflector, context);
    if (access?.kind === 'public' || access?.kind === 'signed-in' || access?.kind === 'platform-admin') {
      return true;
    }
    if (!actor.membership) throw ProblemException.notFound(`No tenant "${tenant.slug}".`);
    return true;
  }
}
