import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000000Foundation } from './Migration20261125000000_foundation';
import { Migration20261125010000Provisioning } from './Migration20261125010000_provisioning';
import { Migration20261125020000Identity } from './Migration20261125020000_identity';
import { Migration20261125030000Content } from './Migration20261125030000_content';
import { Migration20261125040000News } from './Migration20261125040000_news';
import { Migration20261125050000Files } from './Migration20261125050000_files';
import { Migration20261125060000Listings } from './Migration20261125060000_listings';
import { Migration20261125070000Discussions } from './Migration20261125070000_discussions';
import { Migration20261125080000Calendar } from './Migration20261125080000_calendar';
import { Migration20261125090000Volunteering } from './Migration20261125090000_volunteering';
import { Migration20261125100000Booking } from './Migration20261125100000_booking';
import { Migration20261125110000Events } from './Migration20261125110000_events';
import { Migration20261125120000Polls } from './Migration20261125120000_polls';
import { Migration20261125130000Notifications } from './Migration20261125130000_notifications';
import { Migration20261125140000Mail } from './Migration20261125140000_mail';
import { Migration20261203000000NewsComments } from './Migration20261203000000_news_comments';
import { Migration20261204000000TenantPolicyOnce } from './Migration20261204000000_tenant_policy_once';
import { Migration20261204100000TenantBranding } from './Migration20261204100000_tenant_branding';
import { Migration20261208000000NewsFeedOrder } from './Migration20261208000000_news_feed_order';

/** Every migration, in order. Listed explicitly so compiled and test runs see the same set. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261125000000_foundation', class: Migration20261125000000Foundation },
  { name: 'Migration20261125010000_provisioning', class: Migration20261125010000Provisioning },
  { name: 'Migration20261125020000_identity', class: Migration20261125020000Identity },
  { name: 'Migration20261125030000_content', class: Migration20261125030000Content },
  { name: 'Migration20261125040000_news', class: Migration20261125040000News },
  { name: 'Migration20261125050000_files', class: Migration20261125050000Files },
  { name: 'Migration20261125060000_listings', class: Migration20261125060000Listings },
  { name: 'Migration20261125070000_discussions', class: Migration20261125070000Discussions },
  { name: 'Migration20261125080000_calendar', class: Migration20261125080000Calendar },
  { name: 'Migration20261125090000_volunteering', class: Migration20261125090000Volunteering },
  { name: 'Migration20261125100000_booking', class: Migration20261125100000Booking },
  { name: 'Migration20261125110000_events', class: Migration20261125110000Events },
  { name: 'Migration20261125120000_polls', class: Migration20261125120000Polls },
  { name: 'Migration20261125130000_notifications', class: Migration20261125130000Notifications },
  { name: 'Migration20261125140000_mail', class: Migration20261125140000Mail },
  { name: 'Migration20261203000000_news_comments', class: Migration20261203000000NewsComments },
  { name: 'Migration20261204000000_tenant_policy_once', class: Migration20261204000000TenantPolicyOnce },
  { name: 'Migration20261204100000_tenant_branding', class: Migration20261204100000TenantBranding },
  { name: 'Migration20261208000000_news_feed_order', class: Migration20261208000000NewsFeedOrder },
];
