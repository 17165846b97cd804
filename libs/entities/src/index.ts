import { BaseSchema, TenantOwnedSchema } from '@allmende/db';
import { BOOKING_ENTITIES } from '@allmende/booking';
import { CalendarFeedTokenSchema } from '@allmende/calendar';
import { EVENTS_ENTITIES } from '@allmende/events';
import { POLLS_ENTITIES } from '@allmende/polls';
import { VOLUNTEERING_ENTITIES } from '@allmende/volunteering';
import { GroupJoinRequestSchema, GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema, UserSchema } from '@allmende/members';
import { TenantSchema } from '@allmende/tenants';
import { AuditEventSchema } from '@allmende/audit';
import { OutboxEventSchema } from '@allmende/outbox';
import { DISCUSSIONS_ENTITIES } from '@allmende/discussions';
import { FILES_ENTITIES } from '@allmende/files';
import { LISTINGS_ENTITIES } from '@allmende/listings';
import { NEWS_ENTITIES } from '@allmende/news';
import { NotificationPreferencesSchema } from '@allmende/notifications';
import { MailDeliverySchema } from '@allmende/mail';

/**
 * Every entity of the platform, in one list, for the ORM of each app. `libs/db` cannot
 * import the domain libs (they import it), so the list lives here.
 */
export const ALL_ENTITIES = [
  BaseSchema,
  TenantOwnedSchema,
  TenantSchema,
  UserSchema,
  MemberSchema,
  GroupSchema,
  GroupMemberSchema,
  GroupModuleSchema,
  GroupJoinRequestSchema,
  ...BOOKING_ENTITIES,
  OutboxEventSchema,
  AuditEventSchema,
  ...NEWS_ENTITIES,
  ...FILES_ENTITIES,
  ...LISTINGS_ENTITIES,
  ...DISCUSSIONS_ENTITIES,
  CalendarFeedTokenSchema,
  ...VOLUNTEERING_ENTITIES,
  ...EVENTS_ENTITIES,
  ...POLLS_ENTITIES,
  NotificationPreferencesSchema,
  MailDeliverySchema,
];
