import type { EntityManager } from '@mikro-orm/postgresql';
import { ListingMessageSchema, ListingSchema } from '@allmende/listings';
import type { ModuleSeedContext } from './context';

/**
 * At least one row in every table of the listings module (inside the tenant's scope; flushed by
 * the caller), so the isolation suite covers them.
 */
export async function seedListings(em: EntityManager, context: ModuleSeedContext): Promise<void> {
  const listing = em.create(ListingSchema, {
    group: context.groups[0]!,
    author: context.members[0]!,
    kind: 'lost',
    title: `Schlüsselbund ${context.label}`,
    description: 'Am Brunnen verloren.',
    place: 'Marktplatz',
    date: '2026-11-20',
    expiresAt: new Date(Date.now() + 30 * 24 * 3600 * 1000),
  });
  em.create(ListingMessageSchema, { listing, sender: context.members[1]!, text: 'Ich habe ihn gefunden.' });
}
