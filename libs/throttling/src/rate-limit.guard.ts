import { HttpException, Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request } from 'express';
import { createHash } from 'node:crypto';
import type { Actor } from '@allmende/auth';
import { ProblemException, ProblemType } from '@allmende/core';
import { policyForRoute, type RateLimitPolicyName, type RateLimitSettings } from './rate-limit-policies';

export const RATE_LIMIT_SETTINGS = Symbol('RATE_LIMIT_SETTINGS');

type LimitedRequest = Request & { rateLimitPolicy?: RateLimitPolicyName };

function requestOf(context: ExecutionContext): LimitedRequest {
  return context.switchToHttp().getRequest<LimitedRequest>();
}

/** Who is signed in: the member in the URL's tenant, else the person (sign-in routes). */
function memberTracker(request: Request): string | undefined {
  const actor: Actor | undefined = request.actor;
  if (actor?.membership) return `member:${actor.membership.memberId}`;
  if (actor?.person) return `user:${actor.person.userId}`;
  return undefined;
}

/**
 * The two throttlers of every limited route: one per IP address (everyone, signed in or not)
 * and one per member (only when signed in), with the limits of the route's policy.
 */
export function rateLimitThrottlers(settings: RateLimitSettings): ThrottlerOptions[] {
  const limit = (context: ExecutionContext) => settings.limits[requestOf(context).rateLimitPolicy!];
  const windowMs = (context: ExecutionContext) => limit(context).windowSeconds * 1000;
  return [
    {
      name: 'ip',
      limit: (context) => limit(context).perIp,
      ttl: windowMs,
      blockDuration: windowMs,
      getTracker: (request) => `ip:${normalizeIp((request as Request).ip ?? 'unknown')}`,
    },
    {
      name: 'member',
      limit: (context) => limit(context).perMember,
      ttl: windowMs,
      blockDuration: windowMs,
      skipIf: (context) => memberTracker(requestOf(context)) === undefined,
      getTracker: (request) => memberTracker(request as Request)!,
    },
  ];
}

/**
 * Rate limits on the routes of RATE_LIMITED_ROUTES (sign-in, search, uploads, booking
 * requests), counted in Redis for all API instances. A global guard registered after the
 * authentication guards, so the Actor is known. Other routes are skipped before any Redis
 * call. Over the limit: 429 `/problems/too-many-requests` with `Retry-After` (portal pages get
 * the portal's error page). When Redis does not answer, requests pass (logged): the limiter
 * must not take the platform down with it.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private lastWarning = 0;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(RATE_LIMIT_SETTINGS) private readonly settings: RateLimitSettings,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (!this.settings.enabled || context.getType() !== 'http') return true;
    const request = requestOf(context);
    const policy = policyForRoute(request.method, (request.route as { path?: string } | undefined)?.path);
    if (!policy) return true;
    request.rateLimitPolicy = policy;
    return false;
  }

  protected override generateKey(context: ExecutionContext, tracker: string, name: string): string {
    // Trackers hold IP addresses: only their hash goes to Redis.
    const hash = createHash('sha256').update(tracker).digest('hex').slice(0, 32);
    return `${requestOf(context).rateLimitPolicy}:${name}:${hash}`;
  }

  protected override async handleRequest(
    props: Parameters<ThrottlerGuard['handleRequest']>[0],
  ): Promise<boolean> {
    try {
      return await super.handleRequest(props);
    } catch (error) {
      if (error instanceof HttpException) throw error;
      // Once a minute at most: an outage should not flood the log.
      if (Date.now() - this.lastWarning > 60_000) {
        this.lastWarning = Date.now();
        this.logger.warn(
          `rate limiter unavailable, requests let through: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return true;
    }
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const seconds = Math.max(1, detail.timeToBlockExpire);
    context
      .switchToHttp()
      .getResponse<{ setHeader(name: string, value: string): void }>()
      .setHeader('Retry-After', String(seconds));
    throw new ProblemException({
      type: ProblemType.tooManyRequests,
      title: 'Too Many Requests',
      status: 429,
      detail: `Too many requests of this kind (${requestOf(context).rateLimitPolicy}). Try again in ${seconds} seconds.`,
      retryAfter: seconds,
    });
  }
}
