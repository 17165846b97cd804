import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ConfigModule, loggerOptions, type AppConfig } from '@allmende/core';
import { DatabaseModule } from '@allmende/db';
import { ALL_ENTITIES } from '@allmende/entities';
import { JOBS, JobsWorkerModule, QueuesModule, RedisModule } from '@allmende/jobs';
import { ListingArchiver } from '@allmende/listings';
import { ShiftReminders } from '@allmende/volunteering';
import { ArchiveExpiredListingsHandler } from './listings/archive-expired-listings.handler';
import { ListingsSchedules } from './listings/listings-schedules';
import { SendShiftRemindersHandler } from './volunteering/send-shift-reminders.handler';
import { VolunteeringSchedules } from './volunteering/volunteering-schedules';
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
        JobsWorkerModule.forRoot({ catalog: JOBS, concurrency: config.WORKER_CONCURRENCY }),
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
      ],
    };
  }
}
