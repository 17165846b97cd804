import { z, type ZodType } from 'zod';

/** Every queue. Jobs say which queue they run on; the worker starts one processor per queue. */
export const QUEUES = { system: 'system' } as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * `system` jobs run without a tenant; `tenant` jobs carry `tenantId` and their handler
 * runs inside that tenant's scope, opened by the dispatcher.
 */
export type JobScope = 'system' | 'tenant';

export interface JobDefinition<Payload = unknown> {
  queue: QueueName;
  scope: JobScope;
  /** Payloads carry ids (and `tenantId`) only; handlers reload state. */
  payload: ZodType<Payload>;
}

export type JobCatalog = Record<string, JobDefinition>;

/** The payload base of every tenant job. */
export const tenantJobPayload = z.strictObject({ tenantId: z.uuid() });

/** Every job of the platform: name → queue, scope and payload schema. */
export const JOBS = {
  /** Records that a worker is alive, so operators (and /health/ready) can see it. */
  'system.heartbeat': { queue: QUEUES.system, scope: 'system', payload: z.strictObject({}) },
  /** Archives open listings past their expiry in every tenant (hourly; idempotent). */
  'listings.archive-expired': { queue: QUEUES.system, scope: 'system', payload: z.strictObject({}) },
  /** Writes the day-before reminders of pledged volunteering shifts in every tenant (hourly; idempotent). */
  'volunteering.send-shift-reminders': {
    queue: QUEUES.system,
    scope: 'system',
    payload: z.strictObject({}),
  },
} as const satisfies JobCatalog;

export type JobName = keyof typeof JOBS;
export type JobPayload<Name extends JobName> = z.infer<(typeof JOBS)[Name]['payload']>;
