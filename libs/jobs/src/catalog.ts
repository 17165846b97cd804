import { z, type ZodType } from 'zod';

/** Every queue. Jobs say which queue they run on; the worker starts one processor per queue. */
export const QUEUES = { system: 'system', notifications: 'notifications', mail: 'mail' } as const;
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

const isoDate = z.iso.datetime({ offset: true });

/** One member of a digest batch: who, which period (the ledger key) and the window's end. */
export const digestBatchEntry = z.strictObject({
  memberId: z.uuid(),
  periodKey: z.string().min(1).max(200),
  frequency: z.enum(['daily', 'weekly']),
  /** The period's due moment: the digest covers what is new before it. */
  until: isoDate,
});

/**
 * One mail to one member. `periodKey` is the ledger key that makes it exactly once; the rest
 * names what to build (ids and times only; the delivery reloads everything).
 */
export const mailDeliveryPayload = z.discriminatedUnion('kind', [
  z.strictObject({
    tenantId: z.uuid(),
    memberId: z.uuid(),
    kind: z.literal('digest'),
    periodKey: z.string().min(1).max(200),
    frequency: z.enum(['daily', 'weekly']),
    until: isoDate,
  }),
  z.strictObject({
    tenantId: z.uuid(),
    memberId: z.uuid(),
    kind: z.literal('alert'),
    periodKey: z.string().min(1).max(200),
    postId: z.uuid(),
    phase: z.enum(['published', 'resolved']),
  }),
  z.strictObject({
    tenantId: z.uuid(),
    memberId: z.uuid(),
    kind: z.literal('notice'),
    periodKey: z.string().min(1).max(200),
    outboxEventId: z.uuid(),
  }),
]);
export type MailDeliveryPayload = z.infer<typeof mailDeliveryPayload>;

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
  /** Writes the day-before reminders of "yes" answers to events in every tenant (hourly; idempotent). */
  'events.send-event-reminders': { queue: QUEUES.system, scope: 'system', payload: z.strictObject({}) },
  /** Finds members whose digest is due (every tenant, their own time zone) and enqueues batches of 50. */
  'notifications.schedule-digests': {
    queue: QUEUES.notifications,
    scope: 'system',
    payload: z.strictObject({ tenantId: z.uuid().optional() }),
  },
  /** Up to 50 members of one tenant: each due member's digest goes to the mail queue (ledger-checked). */
  'notifications.digest-batch': {
    queue: QUEUES.notifications,
    scope: 'tenant',
    payload: tenantJobPayload.extend({ members: z.array(digestBatchEntry).min(1).max(50) }),
  },
  /** One relayed outbox row: its consumers (alerts, notices) fan out to the mail queue. */
  'notifications.outbox-event': {
    queue: QUEUES.notifications,
    scope: 'tenant',
    payload: tenantJobPayload.extend({ outboxEventId: z.uuid() }),
  },
  /** One mail to one member, exactly once (the delivery ledger); rate-limited by the mail queue. */
  'mail.deliver': { queue: QUEUES.mail, scope: 'tenant', payload: mailDeliveryPayload },
} as const satisfies JobCatalog;

export type JobName = keyof typeof JOBS;
export type JobPayload<Name extends JobName> = z.infer<(typeof JOBS)[Name]['payload']>;
