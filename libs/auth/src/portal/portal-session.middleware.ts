import {
  Inject,
  Injectable,
  type NestMiddleware,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { RedisStore } from 'connect-redis';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import { createClient } from 'redis';
import { APP_CONFIG, ConfigError, type AppConfig } from '@allmende/core';
import './session-data';
import { sessionStoreUnavailable } from './session-store-unavailable';

export const SESSION_COOKIE = 'allmende.sid';

/**
 * Portal sessions in Redis (express-session + connect-redis), shared by every API instance.
 * The cookie is HttpOnly, SameSite=Lax and Secure whenever the request came over TLS (behind
 * a proxy: set TRUST_PROXY); it expires after SESSION_IDLE_MINUTES without a request.
 * Only portal paths (/t/..., /me, /auth/...) have sessions; the REST API uses bearer tokens.
 */
@Injectable()
export class PortalSessionMiddleware implements NestMiddleware, OnModuleInit, OnApplicationShutdown {
  private readonly redis: ReturnType<typeof createClient>;
  private readonly handler: RequestHandler;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (!config.SESSION_SECRET) {
      throw new ConfigError(['SESSION_SECRET: is required by the API (it signs the portal session cookie)']);
    }
    this.redis = createClient({ url: config.REDIS_URL });
    // Errors surface on the requests that need Redis; an unhandled 'error' event would crash.
    this.redis.on('error', () => undefined);
    this.handler = session({
      name: SESSION_COOKIE,
      secret: config.SESSION_SECRET,
      store: new RedisStore({ client: this.redis, prefix: `${config.QUEUE_PREFIX}:session:` }),
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: 'auto',
        path: '/',
        maxAge: config.SESSION_IDLE_MINUTES * 60_000,
      },
    });
  }

  onModuleInit(): void {
    // Not awaited: the API starts (and reports Redis in /health/ready) while Redis is down;
    // the client keeps reconnecting, and portal requests fail until it is back.
    this.redis.connect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.isOpen) await this.redis.close();
    else this.redis.destroy();
  }

  use(request: Request, response: Response, next: NextFunction): void {
    // The only errors express-session passes on are the store's: Redis is down or slow.
    this.handler(request, response, (error?: unknown) =>
      error === undefined || error === null ? next() : next(sessionStoreUnavailable(error)),
    );
  }
}
