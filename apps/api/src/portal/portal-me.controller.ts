import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, type Actor } from '@allmende/auth';
import { ProblemException } from '@allmende/core';
import { MembersService } from '@allmende/members';
import { groupName } from './portal-groups';
import { PortalView } from './portal-view';

/**
 * "Mein Bereich" (`/t/<slug>/me`): who the member is in this community (name, e-mail and
 * whether it is verified, phone, the role in the community and in each of its groups), the
 * other communities of the same login, and the ways to the notification settings and the
 * calendar feed. Name and phone are kept by the community's administration (member import):
 * no service lets members change them, so they are shown read-only. The calendar feed's
 * "new link" form posts to PortalNotificationsController's existing route. Members only.
 */
@ApiExcludeController()
@Controller('t/:tenant/me')
export class PortalMeController {
  constructor(
    private readonly view: PortalView,
    private readonly members: MembersService,
  ) {}

  @Get()
  async page(
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.view.context(request, response, actor);
    const member = await this.members.get(actor.membership!.memberId);
    if (!member) throw ProblemException.notFound('No such member.');
    const base = `${context.community.href}/me`;
    this.view.send(
      response,
      context,
      'me',
      {
        profile: {
          name: `${member.givenName} ${member.familyName}`.trim(),
          // The sign-in e-mail and its state; the community's own address only when it differs.
          email: actor.person!.email ?? member.email,
          emailVerified: actor.person!.emailVerified,
          memberEmail: actor.person!.email?.toLowerCase() === member.email ? undefined : member.email,
          phone: member.phone,
          roleKey: member.role === 'tenant_admin' ? 'portal.me.roleTenantAdmin' : 'portal.me.roleMember',
        },
        groups: context.groups
          .filter((group) => group.role !== null)
          .map((group) => ({
            key: group.key,
            name: groupName(group.name, context.locale),
            href: `${context.community.href}/g/${encodeURIComponent(group.key)}`,
            roleKey: group.role === 'group_admin' ? 'portal.me.roleGroupAdmin' : 'portal.me.roleMember',
          })),
        communities: context.layout.communities ?? [],
        notificationsHref: `${base}/notifications`,
        calendarHref: `${base}/notifications#calendar`,
        feedAction: `${base}/calendar-feed`,
      },
      { titleKey: 'portal.me.title' },
    );
  }
}
