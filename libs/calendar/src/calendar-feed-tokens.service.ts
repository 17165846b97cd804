import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { TenantScope } from '@allmende/db';
import { CalendarFeedTokenSchema, type CalendarFeedKind } from './calendar-feed-token.entity';

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

/**
 * Secrets of calendar feed URLs, in the current tenant scope. A feed URL is
 * `/api/tenants/{tenant}/calendar/{secret}.ics`; whoever has it sees the feed, without
 * signing in — so secrets are long and random, only their hashes are stored, and rotating
 * makes the old URL worthless.
 */
@Injectable()
export class CalendarFeedTokens {
  constructor(private readonly scope: TenantScope) {}

  /** The feed's secret, made on first use. Secrets are not stored: an existing feed is rotated to show one. */
  async issue(kind: CalendarFeedKind, subjectId: string): Promise<string> {
    return this.rotate(kind, subjectId);
  }

  /** A new secret for the feed; the old URL stops working. */
  async rotate(kind: CalendarFeedKind, subjectId: string): Promise<string> {
    const secret = randomBytes(32).toString('base64url');
    await this.scope.em().transactional(async (em) => {
      await em.execute(
        `insert into calendar_feed_tokens (id, tenant_id, kind, subject_id, token_hash)
         values (gen_random_uuid(), current_setting('app.tenant_id')::uuid, ?, ?, ?)
         on conflict (tenant_id, kind, subject_id) do update set token_hash = excluded.token_hash, updated_at = now()`,
        [kind, subjectId, hash(secret)],
      );
    });
    return secret;
  }

  /** What a secret opens (kind and subject), or null for an unknown or rotated secret. */
  async resolve(secret: string): Promise<{ kind: CalendarFeedKind; subjectId: string } | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(secret)) return null;
    const token = await this.scope.em().findOne(CalendarFeedTokenSchema, { tokenHash: hash(secret) });
    return token ? { kind: token.kind, subjectId: token.subjectId } : null;
  }
}
