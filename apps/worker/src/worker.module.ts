import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ConfigModule, loggerOptions, type AppConfig } from '@allmende/core';
import { DatabaseModule } from '@allmende/db';
import { ALL_ENTITIES } from '@allmende/entities';
import { JOBS, JobsWorkerModule, QUEUES, QueuesModule, RedisModule } from '@allmende/jobs';
import { EventReminders } from '@allmende/events';
import { MAILER_PROVIDER, MAIL_COMPOSING_PROVIDERS } from '@allmende/mail';
import {
  AlertBuilder,
  DigestBatches,
  DigestBuilder,
  DigestScheduler,
  MailComposer,
  MailDeliveries,
  MailJobs,
  MailRecipients,
  NoticeBuilder,
  OutboxFanOut,
} from '@allmende/notifications';
import { ListingArchiver } from '@allmende/listings';
import { ShiftReminders } from '@allmende/volunteering';
import { ArchiveExpiredListingsHandler } from './listings/archive-expired-listings.handler';
import { ListingsSchedules } from './listings/listings-schedules';
import { SendShiftRemindersHandler } from './volunteering/send-shift-reminders.handler';
import { VolunteeringSchedules } from './volunteering/volunteering-schedules';
import { SendEventRemindersHandler } from './events/send-event-reminders.handler';
import { EventsSchedules } from './events/events-schedules';
import { DeliverMailHandler } from './mail/deliver-mail.handler';
import {
  DigestBatchHandler,
  NotificationsSchedules,
  OutboxEventHandler,
  ScheduleDigestsHandler,
} from './notifications/notifications.handlers';
import { OutboxRelay } from './outbox/outbox-relay';
import { HeartbeatHandler } from './system/heartbeat.handler';
import { SystemSchedules } from './system/system-schedules';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({ pinoHttp: loggerOptions(config.LOG_LEVEL, 'worker') }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          entities: ALL_ENTITIES,
          poolMax: config.DATABASE_POOL_MAX,
        }),
        RedisModule.forRoot(config.REDIS_URL, config.QUEUE_PREFIX),
        QueuesModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX }),
        JobsWorkerModule.forRoot({
          catalog: JOBS,
          concurrency: config.WORKER_CONCURRENCY,
          lockDurationMs: config.WORKER_LOCK_DURATION_MS,
          // MAIL_RATE_PER_SECOND over all workers: BullMQ's limiter is kept in Redis, per queue.
          queues: { [QUEUES.mail]: { limiter: { max: config.MAIL_RATE_PER_SECOND, duration: 1_000 } } },
        }),
      ],
      providers: [
        HeartbeatHandler,
        SystemSchedules,
        ListingArchiver,
        ArchiveExpiredListingsHandler,
        ListingsSchedules,
        ShiftReminders,
        SendShiftRemindersHandler,
        VolunteeringSchedules,
        EventReminders,
        SendEventRemindersHandler,
        EventsSchedules,
        // Mail: recipients, builders, the exactly-once delivery, the relay that feeds it.
        ...MAIL_COMPOSING_PROVIDERS,
        MAILER_PROVIDER,
        MailRecipients,
        DigestBuilder,
        AlertBuilder,
        NoticeBuilder,
        MailJobs,
        MailComposer,
        MailDeliveries,
        DigestScheduler,
        DigestBatches,
        OutboxFanOut,
        OutboxRelay,
        ScheduleDigestsHandler,
        DigestBatchHandler,
        OutboxEventHandler,
        DeliverMailHandler,
        NotificationsSchedules,
      ],
    };
  }
}
