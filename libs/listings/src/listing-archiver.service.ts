import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { recordOutboxEvent } from '@allmende/content';
import { TenantScope } from '@allmende/db';
import { ListingSchema } from './listing.entity';

/**
 * Archives open listings whose time is up, in every tenant. Cross-tenant on purpose: it lists
 * the tenants from the global `tenants` table and then works inside one tenant scope at a
 * time. Idempotent: archived listings are not open, so a second run (or a concurrent one,
 * which waits for the row locks and then re-checks) finds nothing more to do.
 */
@Injectable()
export class ListingArchiver {
  private readonly logger = new Logger(ListingArchiver.name);

  constructor(private readonly scope: TenantScope) {}

  /** Returns how many listings were archived (per run, over all tenants). */
  async archiveExpired(now: Date = new Date()): Promise<number> {
    const counts = await this.scope.forEachTenant((scoped) => this.archiveInTenant(scoped, now));
    const archived = counts.reduce((sum, count) => sum + count, 0);
    if (archived > 0) this.logger.log({ archived }, 'archived expired listings');
    return archived;
  }

  private archiveInTenant(scoped: EntityManager, now: Date): Promise<number> {
    return scoped.transactional(async (em) => {
      const expired = await em.find(
        ListingSchema,
        { status: 'open', expiresAt: { $lte: now } },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      for (const listing of expired) {
        listing.status = 'archived';
        recordOutboxEvent(em, 'listings.listing.archived', {
          listingId: listing.id,
          groupId: listing.group.id,
          authorMemberId: listing.author.id,
        });
      }
      await em.flush();
      return expired.length;
    });
  }
}
