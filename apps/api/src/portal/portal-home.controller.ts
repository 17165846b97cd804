import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, Public, SignedIn, type Actor } from '@allmende/auth';
import { GroupJoiningService } from '@allmende/groups';
import { PortalHome } from './portal-home';
import { PortalView } from './portal-view';

/** Notices after a redirect (`?notice=`), by catalogue key: only these, never text from the URL. */
const NOTICES: Record<string, string> = {
  joined: 'portal.home.joined',
  member: 'portal.home.joined',
  requested: 'portal.home.requested',
};

/** The community's home page, and joining a group from it. */
@ApiExcludeController()
@Controller('t/:tenant')
export class PortalHomeController {
  constructor(
    private readonly view: PortalView,
    private readonly home: PortalHome,
    private readonly joining: GroupJoiningService,
  ) {}

  @Public()
  @Get()
  async page(
    @Param('tenant') slug: string,
    @Query('notice') notice: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!request.tenant) {
      // `/t/<slug>` (the mails' link): the community's pages live below `/t/<slug>/`.
      const query = request.originalUrl.includes('?')
        ? request.originalUrl.slice(request.originalUrl.indexOf('?'))
        : '';
      return response.redirect(301, `/t/${encodeURIComponent(slug)}/${query}`);
    }
    const context = await this.view.context(request, response, actor);
    const data = await this.home.build(context);
    this.view.send(
      response,
      context,
      'home',
      { ...data, notice: typeof notice === 'string' ? NOTICES[notice] : undefined },
      { titleKey: 'portal.home.title' },
    );
  }

  /** Join an open group at once, or ask the admins of a group that decides (GroupJoiningService). */
  @SignedIn()
  @Post('g/:group/join')
  async join(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    const person = actor.person!;
    const outcome = await this.joining.requestToJoin(
      group,
      {
        userId: person.userId,
        memberId: actor.membership?.memberId ?? null,
        email: person.email,
        emailVerified: person.emailVerified,
        name: person.name,
      },
      undefined,
    );
    response.redirect(303, `/t/${encodeURIComponent(tenant)}/?notice=${outcome.status}`);
  }
}
