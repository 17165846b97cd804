import { z } from 'zod';

/**
 * The one schema for Allmende's environment. Every app (api, worker, cli) validates
 * `process.env` against it at start; later features add their variables here.
 */
const postgresUrl = z
  .string()
  .url()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');

const redisUrl = z
  .string()
  .url()
  .refine((value) => /^rediss?:\/\//.test(value), 'must be a redis:// or rediss:// URL');

const positiveInt = z.coerce.number().int().positive();

/** A rate limit `<per member>/<per IP>/<window in seconds>`, e.g. `60/120/60`. */
const rateLimit = z
  .string()
  .regex(
    /^\s*\d+\s*\/\s*\d+\s*\/\s*\d+\s*$/,
    'must be <per member>/<per IP>/<window in seconds>, e.g. 60/120/60',
  )
  .transform((value) => {
    const [perMember, perIp, windowSeconds] = value.split('/').map((part) => Number(part.trim())) as [
      number,
      number,
      number,
    ];
    return { perMember, perIp, windowSeconds };
  })
  .refine(
    (limit) => limit.perMember > 0 && limit.perIp > 0 && limit.windowSeconds > 0,
    'each number must be at least 1',
  );

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** Connection of the app role: owns nothing, no BYPASSRLS. Used by api and worker. */
  DATABASE_URL: postgresUrl,
  /** Connection of the owner role. Only `allmende db migrate` needs it. */
  DATABASE_OWNER_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: positiveInt.max(100).default(10),
  REDIS_URL: redisUrl,
  /** Prefix of every BullMQ key, so several installations (or test runs) can share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _')
    .default('allmende'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The URL people use to reach the portal; links in mails are built from it. */
  PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How long a stopping app waits for requests and active jobs before it exits anyway. */
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
  WORKER_CONCURRENCY: positiveInt.max(100).default(5),

  // Identity (Keycloak, or the dev identity provider that plays it). See docs/identity.md.
  /** Keycloak's base URL (the realm is at `${KEYCLOAK_URL}/realms/${KEYCLOAK_REALM}`). The API needs it. */
  KEYCLOAK_URL: z
    .string()
    .url()
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  KEYCLOAK_REALM: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _')
    .default('allmende'),
  /** The API's client: access tokens must name it as audience. */
  KEYCLOAK_API_CLIENT_ID: z.string().min(1).default('allmende-api'),
  /** The portal's confidential client (authorization code flow with PKCE). */
  KEYCLOAK_PORTAL_CLIENT_ID: z.string().min(1).default('allmende-portal'),
  KEYCLOAK_PORTAL_CLIENT_SECRET: z.string().min(1).optional(),
  /** Where people go to sign in and which provider creates their accounts: Keycloak, or the dev identity provider. */
  IDENTITY_DIRECTORY: z.enum(['keycloak', 'dev']).default('keycloak'),
  /** A service-account client with the realm-management role `manage-users` (member invitations). */
  KEYCLOAK_ADMIN_CLIENT_ID: z.string().min(1).default('allmende-provisioning'),
  KEYCLOAK_ADMIN_CLIENT_SECRET: z.string().min(1).optional(),
  /** Bearer token of the dev identity provider's user administration (IDENTITY_DIRECTORY=dev only). */
  DEV_IDP_ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** Signs the portal's session cookie; at least 32 characters. The portal needs it. */
  SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** How long a portal session lasts without activity. */
  SESSION_IDLE_MINUTES: positiveInt.max(7 * 24 * 60).default(8 * 60),
  // Files (the files module, photos of listings).
  /** Where uploaded files live (a local directory; S3-compatible storage later). */
  FILES_DIR: z.string().min(1).default('.allmende/files'),
  /** The largest upload; bigger ones get 413 before anything is stored. */
  FILES_MAX_MB: positiveInt.max(1024).default(20),
  /** Media types accepted (checked by content, not by name), comma-separated. */
  FILES_ALLOWED_TYPES: z
    .string()
    .default(
      'image/jpeg,image/png,image/webp,image/gif,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.oasis.opendocument.text,application/vnd.oasis.opendocument.spreadsheet',
    )
    .transform((value) =>
      value
        .split(',')
        .map((type) => type.trim())
        .filter(Boolean),
    ),
  /** Storage per tenant; uploads beyond it get 507. */
  FILES_TENANT_QUOTA_MB: positiveInt.default(1024),
  // Mail (the worker sends digests, alerts and notices). See docs/modules/mail.md.
  /** Where mail goes: smtp://user:pass@host:587 or smtps://… The worker needs it. */
  SMTP_URL: z
    .string()
    .url()
    .refine((value) => /^smtps?:\/\//.test(value), 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** The sender of every mail, e.g. `Allmende <noreply@example.org>`; its domain names the Message-IDs. */
  MAIL_FROM: z.string().min(3).default('Allmende <noreply@allmende.localhost>'),
  /** Mails handed to SMTP per second at most, over all workers (the BullMQ limiter of the mail queue). */
  MAIL_RATE_PER_SECOND: positiveInt.max(10_000).default(20),
  /** The first retry of a mail after a temporary SMTP error; each further one waits twice as long (8 attempts). */
  MAIL_RETRY_BASE_MS: positiveInt.default(15_000),
  /** Signs unsubscribe links; at least 32 characters. The worker (signing) and the API (checking) need the same. */
  MAIL_TOKEN_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** How often the digest scheduler looks for due members. */
  DIGEST_SCHEDULE_EVERY_MS: positiveInt.default(15 * 60 * 1000),
  /** `off`: the worker does not set up the repeating digest run (`allmende digest run` still works). */
  DIGEST_SCHEDULE: z.enum(['on', 'off']).default('on'),
  /** Members a scheduler run hands to batches at most, per tenant (the rest come next run, oldest attempt first). */
  DIGEST_MAX_PER_RUN: positiveInt.default(5_000),
  /** How often the worker relays new outbox rows to the queues. */
  OUTBOX_POLL_MS: positiveInt.default(1_000),
  /** Whether this worker runs the outbox relay (`off`: e.g. workers that should only send, or tests that share a database). */
  OUTBOX_RELAY: z.enum(['on', 'off']).default('on'),
  /** A job's lock; a worker that died holding one gives its job back after about this long. */
  WORKER_LOCK_DURATION_MS: positiveInt.min(1_000).default(30_000),
  /** Development only: where the dev SMTP sink of `npm start` keeps mails, shown at /dev/mail. */
  DEV_MAIL_DIR: z.string().min(1).optional(),
  // Abuse limits (libs/throttling), counted in Redis for all API instances. See docs/security.md.
  /** `off`: no request is rate limited (tests turn it on where they test it). */
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  /** Sign-ins (/auth/login, /auth/callback): `<per member>/<per IP>/<window in seconds>`. */
  RATE_LIMIT_LOGIN: rateLimit.prefault('10/30/300'),
  /** Searches: `<per member>/<per IP>/<window in seconds>`. */
  RATE_LIMIT_SEARCH: rateLimit.prefault('60/120/60'),
  /** Uploads (files, listing photos): `<per member>/<per IP>/<window in seconds>`. */
  RATE_LIMIT_UPLOADS: rateLimit.prefault('30/60/600'),
  /** Booking requests: `<per member>/<per IP>/<window in seconds>`. */
  RATE_LIMIT_BOOKING: rateLimit.prefault('10/30/3600'),
  /** Express `trust proxy`: set it behind a TLS-terminating proxy (e.g. `loopback` or `1`), so cookies get `Secure`. */
  TRUST_PROXY: z.string().min(1).optional(),
});

export type Env = z.infer<typeof envSchema>;

/** The variables an app cannot start without (no default, not optional). */
export function requiredEnvVars(): string[] {
  return Object.entries(envSchema.shape)
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([name]) => name);
}
