import { Module } from '@nestjs/common';
import { PortalPages } from '@allmende/auth';
import { NotificationPreferencesController } from './notification-preferences.controller';
import { NotificationPreferencesService } from './notification-preferences.service';
import { UnsubscribeController } from './unsubscribe/unsubscribe.controller';
import { UnsubscribePages } from './unsubscribe/unsubscribe-pages';
import { UnsubscribeService } from './unsubscribe/unsubscribe.service';

/**
 * How members hear from their community, on the API side: their preferences, and leaving a
 * mailing list by the link of a mail. Digests, alerts and notices are sent by the worker.
 */
@Module({
  controllers: [NotificationPreferencesController, UnsubscribeController],
  providers: [NotificationPreferencesService, UnsubscribeService, UnsubscribePages, PortalPages],
  exports: [NotificationPreferencesService],
})
export class NotificationsModule {}
