import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { IANAZone } from 'luxon';
import { CurrentActor, type Actor } from '@allmende/auth';
import { CalendarFeeds } from '@allmende/calendar';
import { APP_CONFIG, ProblemException, type AppConfig } from '@allmende/core';
import {
  DIGEST_FREQUENCIES,
  NOTIFICATION_LANGUAGES,
  NotificationPreferencesService,
  type PreferencesInput,
  type PreferencesView,
} from '@allmende/notifications';
import { groupName } from './portal-groups';
import { PortalView, type PortalContext } from './portal-view';
import { type FormBody } from './portal-forms';

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const HOURS = Array.from({ length: 24 }, (_, hour) => hour);
/** Time zones offered besides the community's: the ones members of German communities live in. */
const TIME_ZONES = ['Europe/Berlin', 'Europe/Vienna', 'Europe/Zurich', 'Europe/London', 'UTC'];

/**
 * The member's notification settings in this community (`/t/<slug>/me/notifications`, the
 * address mails link to) through NotificationPreferencesService, and the secret URL of their
 * calendar feed (renewed on request, as the REST API does). Members only: others are sent
 * to sign in (401 → login) or get 404 (the guards).
 */
@ApiExcludeController()
@Controller('t/:tenant/me')
export class PortalNotificationsController {
  constructor(
    private readonly view: PortalView,
    private readonly preferences: NotificationPreferencesService,
    private readonly feeds: CalendarFeeds,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('notifications')
  async page(
    @Query('saved') saved: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.view.context(request, response, actor);
    const current = await this.preferences.get(actor.membership!.memberId);
    this.render(response, context, current, { saved: saved === '1' });
  }

  @Post('notifications')
  async save(
    @Param('tenant') tenant: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    await this.preferences.put(actor.membership!.memberId, preferencesFrom(body));
    response.redirect(303, `/t/${encodeURIComponent(tenant)}/me/notifications?saved=1`);
  }

  /** A new secret calendar URL: shown once on the page (the old one stops working). */
  @Post('calendar-feed')
  async rotateFeed(
    @Param('tenant') tenant: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const secret = await this.feeds.rotateMemberFeed(actor);
    const context = await this.view.context(request, response, actor);
    const current = await this.preferences.get(actor.membership!.memberId);
    this.render(response, context, current, {
      feedUrl: `${this.config.PUBLIC_URL}/api/tenants/${encodeURIComponent(tenant)}/calendar/${secret}.ics`,
    });
  }

  private render(
    response: Response,
    context: PortalContext,
    current: PreferencesView,
    extra: { saved?: boolean; feedUrl?: string },
  ): void {
    const base = `${context.community.href}/me`;
    this.view.send(
      response,
      context,
      'notifications',
      {
        ...extra,
        action: `${base}/notifications`,
        feedAction: `${base}/calendar-feed`,
        frequencies: DIGEST_FREQUENCIES.map((value) => ({
          value,
          labelKey: `portal.prefs.frequency${value[0]!.toUpperCase()}${value.slice(1)}`,
          checked: current.digest.frequency === value,
        })),
        hours: HOURS.map((hour) => ({
          value: hour,
          label: String(hour).padStart(2, '0'),
          selected: current.digest.hour === hour,
        })),
        weekdays: WEEKDAYS.map((day) => ({
          value: day,
          labelKey: `portal.prefs.weekdays.${day}`,
          selected: current.digest.weekday === day,
        })),
        groups: context.groups.map((group) => ({
          key: group.key,
          name: groupName(group.name, context.locale),
          muted: current.mutedGroups.includes(group.key),
        })),
        urgentAlerts: current.urgentAlerts,
        languages: NOTIFICATION_LANGUAGES.map((code) => ({
          value: code,
          label: code === 'de' ? 'Deutsch' : 'English',
          selected: current.language === code,
        })),
        communityZone: context.timeZone,
        timeZones: [...new Set([...TIME_ZONES, ...(current.timeZone ? [current.timeZone] : [])])].map(
          (zone) => ({
            value: zone,
            selected: current.timeZone === zone,
          }),
        ),
      },
      { titleKey: 'portal.prefs.title' },
    );
  }
}

/**
 * The form's fields as the service's input. The form offers only valid choices; anything
 * else (a forged or stale form) is a validation problem naming the field, as the REST API answers.
 */
export function preferencesFrom(body: FormBody): PreferencesInput {
  const one = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
  const errors: { path: string; message: string }[] = [];
  const frequency = one('frequency');
  if (!(DIGEST_FREQUENCIES as readonly string[]).includes(frequency))
    errors.push({ path: 'digest.frequency', message: `one of ${DIGEST_FREQUENCIES.join(', ')}` });
  const hour = Number(one('hour'));
  if (!Number.isInteger(hour) || hour < 0 || hour > 23 || one('hour') === '')
    errors.push({ path: 'digest.hour', message: 'a whole hour from 0 to 23' });
  const weekday = Number(one('weekday'));
  if (!Number.isInteger(weekday) || weekday < 1 || weekday > 7)
    errors.push({ path: 'digest.weekday', message: 'an ISO weekday from 1 to 7' });
  const language = one('language');
  if (!(NOTIFICATION_LANGUAGES as readonly string[]).includes(language))
    errors.push({ path: 'language', message: `one of ${NOTIFICATION_LANGUAGES.join(', ')}` });
  const zone = one('timeZone');
  if (zone !== '' && !IANAZone.isValidZone(zone))
    errors.push({ path: 'timeZone', message: 'must be an IANA time zone such as Europe/Berlin' });
  if (errors.length > 0) throw ProblemException.validation(errors);
  const muted = body.mutedGroups;
  return {
    digest: { frequency: frequency as PreferencesInput['digest']['frequency'], hour, weekday },
    mutedGroups: muted === undefined ? [] : [muted].flat(),
    urgentAlerts: body.urgentAlerts === 'on',
    language: language as PreferencesInput['language'],
    timeZone: zone === '' ? null : zone,
  };
}
