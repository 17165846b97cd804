import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { CurrentActor, type Actor } from '@allmende/auth';
import { apiSchema, ZodValidationPipe } from '@allmende/core';
import { DIGEST_FREQUENCIES, NOTIFICATION_LANGUAGES } from './notification-preferences.entity';
import { NotificationPreferencesService, type PreferencesView } from './notification-preferences.service';

const preferencesInput = z.strictObject({
  digest: z.strictObject({
    frequency: z.enum(DIGEST_FREQUENCIES),
    hour: z.number().int().min(0).max(23).describe('hour of the day in the time zone below'),
    weekday: z
      .number()
      .int()
      .min(1)
      .max(7)
      .describe('ISO weekday of a weekly digest: 1 = Monday … 7 = Sunday'),
  }),
  mutedGroups: z.array(z.string().min(1).max(63)).max(200).describe('keys of groups left out of digests'),
  urgentAlerts: z.boolean(),
  language: z.enum(NOTIFICATION_LANGUAGES),
  timeZone: z
    .string()
    .max(64)
    .refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as Europe/Berlin')
    .nullable()
    .optional()
    .describe("the member's own time zone for digest times; null or absent: the community's"),
});
const preferencesView = preferencesInput.extend({
  isDefault: z.boolean().describe("true while the member has not chosen: the community's defaults apply"),
});

/** The caller's notification preferences in this community (members). */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/me/notifications')
export class NotificationPreferencesController {
  constructor(private readonly preferences: NotificationPreferencesService) {}

  @Get()
  @ApiOperation({ summary: 'My notification preferences (digest, muted groups, urgent alerts, language)' })
  @ApiOkResponse({ schema: apiSchema(preferencesView) })
  get(@CurrentActor() actor: Actor): Promise<PreferencesView> {
    return this.preferences.get(actor.membership!.memberId);
  }

  @Put()
  @ApiOperation({ summary: 'Replace my notification preferences' })
  @ApiBody({ schema: apiSchema(preferencesInput) })
  @ApiOkResponse({ schema: apiSchema(preferencesView) })
  put(
    @CurrentActor() actor: Actor,
    @Body(new ZodValidationPipe(preferencesInput)) body: z.infer<typeof preferencesInput>,
  ): Promise<PreferencesView> {
    return this.preferences.put(actor.membership!.memberId, body);
  }
}
