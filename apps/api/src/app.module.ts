import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import { AuthModule } from '@allmende/auth';
import { BookingModule } from '@allmende/booking';
import { CalendarModule } from '@allmende/calendar';
import { ContentModule } from '@allmende/content';
import { EventsModule } from '@allmende/events';
import { PollsModule } from '@allmende/polls';
import { VolunteeringModule } from '@allmende/volunteering';
import { DiscussionsModule } from '@allmende/discussions';
import { FilesModule } from '@allmende/files';
import { ListingsModule } from '@allmende/listings';
import { NewsModule } from '@allmende/news';
import { NotificationsModule } from '@allmende/notifications';
import { SearchModule } from '@allmende/search';
import { asyncStdout, ConfigModule, httpLogSerializers, loggerOptions, type AppConfig } from '@allmende/core';
import { DatabaseModule } from '@allmende/db';
import { ALL_ENTITIES } from '@allmende/entities';
import { GroupsModule } from '@allmende/groups';
import { QueuesModule, RedisModule } from '@allmende/jobs';
import { MembersModule } from '@allmende/members';
import { TenantsModule } from '@allmende/tenants';
import { ThrottlingModule } from '@allmende/throttling';
import { AdminModule } from './admin/admin.module';
import { DevMailModule } from './dev-mail/dev-mail.module';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { PortalModule } from './portal/portal.module';
import { TenantScopeMiddleware } from './tenancy/tenant-scope.middleware';

const REQUEST_ID = /^[\w.-]{1,64}$/;

/** Keeps a caller's X-Request-Id when it is sane, else makes one. */
function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            ...loggerOptions(config.LOG_LEVEL, 'api'),
            // Never stop the event loop for a slow reader of the log (see asyncStdout).
            stream: asyncStdout(),
            genReqId: (request, response) => {
              const id = requestId(request);
              response.setHeader('X-Request-Id', id);
              return id;
            },
            serializers: httpLogSerializers,
            // Only the tenant's slug: no personal data in logs.
            customProps: (request) => ({ tenant: (request as Request).tenant?.slug }),
            autoLogging: { ignore: (request) => request.url?.startsWith('/health/') ?? false },
          },
        }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          entities: ALL_ENTITIES,
          poolMax: config.DATABASE_POOL_MAX,
        }),
        RedisModule.forRoot(config.REDIS_URL, config.QUEUE_PREFIX),
        QueuesModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX }),
        AuthModule,
        TenantsModule,
        GroupsModule,
        MembersModule,
        ContentModule,
        NewsModule,
        FilesModule,
        ListingsModule,
        DiscussionsModule,
        SearchModule,
        CalendarModule,
        VolunteeringModule,
        BookingModule,
        EventsModule,
        PollsModule,
        NotificationsModule,
        AdminModule,
        PortalModule,
        DevMailModule.forRoot(config),
        // After AuthModule: the rate limits' guard needs the Actor the auth guards build.
        ThrottlingModule.forRoot(config),
      ],
      controllers: [HealthController],
      providers: [HealthService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // `t/:tenant` too: the community's home page (`/t/<slug>/`) has nothing after the slash.
    consumer
      .apply(TenantScopeMiddleware)
      .forRoutes('api/tenants/:tenant/*path', 't/:tenant/*path', 't/:tenant');
  }
}
