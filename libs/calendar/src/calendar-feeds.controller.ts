import { Controller, Get, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentActor, Public, SignedIn, type Actor } from '@allmende/auth';
import { GroupAccess } from '@allmende/content';
import { APP_CONFIG, apiSchema, ProblemException, type AppConfig } from '@allmende/core';
import { CalendarFeeds } from './calendar-feeds.service';
import { calendarResponseHeaders } from './ical';

const feedUrl = z.object({
  url: z.string().url().describe('the secret feed URL; renewing it makes the old one stop working'),
});
const calendarText = {
  'text/calendar': { schema: { type: 'string' as const, description: 'RFC 5545 (iCalendar)' } },
};

/**
 * Calendar feeds for calendar apps, which do not sign in: a member's own calendar and a
 * group's calendar at secret URLs (renewable), public groups' calendars without a secret.
 */
@ApiTags('calendar')
@Controller('api/tenants/:tenant')
export class CalendarFeedsController {
  constructor(
    private readonly feeds: CalendarFeeds,
    private readonly access: GroupAccess,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get('calendar/:feed')
  @ApiOperation({ summary: 'A calendar feed at its secret URL (`{secret}.ics`); no session needed' })
  @ApiProduces('text/calendar')
  @ApiOkResponse({ content: calendarText })
  async bySecret(@Param('feed') feed: string, @Res() response: Response): Promise<void> {
    const secret = /^(.+)\.ics$/.exec(feed)?.[1];
    if (!secret) throw ProblemException.notFound('No such calendar feed.');
    response.set(calendarResponseHeaders()).send(await this.feeds.bySecret(secret));
  }

  @Public()
  @Get('groups/:group/calendar.ics')
  @ApiOperation({ summary: "A public group's calendar (other groups: use their secret feed URL)" })
  @ApiProduces('text/calendar')
  @ApiOkResponse({ content: calendarText })
  async publicGroup(@Param('group') group: string, @Res() response: Response): Promise<void> {
    response.set(calendarResponseHeaders()).send(await this.feeds.publicGroupFeed(group));
  }

  @ApiBearerAuth()
  @Post('calendar/feeds/me')
  @ApiOperation({ summary: "A new secret URL for the caller's own calendar (events, bookings, shifts)" })
  @ApiOkResponse({ schema: apiSchema(feedUrl) })
  async rotateMine(
    @CurrentActor() actor: Actor,
    @Param('tenant') tenant: string,
  ): Promise<z.infer<typeof feedUrl>> {
    return { url: this.url(tenant, await this.feeds.rotateMemberFeed(actor)) };
  }

  @ApiBearerAuth()
  @SignedIn()
  @Post('groups/:group/calendar/feed')
  @ApiOperation({ summary: "A new secret URL for a group's calendar (members of the group)" })
  @ApiOkResponse({ schema: apiSchema(feedUrl) })
  async rotateGroup(
    @CurrentActor() actor: Actor,
    @Param('tenant') tenant: string,
    @Param('group') group: string,
  ): Promise<z.infer<typeof feedUrl>> {
    const groupId = await this.memberGroupId(actor, group);
    return { url: this.url(tenant, await this.feeds.rotateGroupFeed(groupId)) };
  }

  /** The group, when the caller is in it (tenant admins too). */
  private async memberGroupId(actor: Actor, groupKey: string): Promise<string> {
    for (const module of ['events', 'booking', 'volunteering'] as const) {
      try {
        const access = await this.access.require(actor, groupKey, module);
        if (access.groupRole === null && actor.membership?.role !== 'tenant_admin') {
          throw ProblemException.forbidden('Only members of the group get its calendar feed.');
        }
        return access.group.id;
      } catch (error) {
        if (error instanceof ProblemException && error.problem.status === 404) continue;
        throw error;
      }
    }
    throw ProblemException.notFound(`No group "${groupKey}" with a calendar.`);
  }

  private url(tenant: string, secret: string): string {
    return `${this.config.PUBLIC_URL}/api/tenants/${encodeURIComponent(tenant)}/calendar/${secret}.ics`;
  }
}
