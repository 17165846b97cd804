import type { EntityManager } from '@mikro-orm/postgresql';
import { BookableResourceSchema, BookingSchema } from '@allmende/booking';
import type { ModuleSeedContext } from './context';

/**
 * At least one row in every table of the booking module (inside the tenant's scope; flushed by
 * the caller), so the isolation suite covers them: an approved booking of the first group's hut
 * by the other member.
 */
export async function seedBooking(em: EntityManager, context: ModuleSeedContext): Promise<void> {
  const [, other] = context.members;
  // seedTenant made the hut already (bookable_resources belongs to provisioning's migration).
  const resource = await em.findOneOrFail(BookableResourceSchema, {
    group: context.groups[0]!,
    key: 'grillhuette',
  });
  const start = new Date(Date.now() + 7 * 86_400_000);
  em.create(BookingSchema, {
    resource,
    group: context.groups[0]!,
    requester: other!,
    startsAt: start,
    endsAt: new Date(start.getTime() + 4 * 3_600_000),
    status: 'approved',
    purpose: 'Sommerfest',
    expectedGuests: 30,
    contactPhone: '+49 6131 000000',
    depositStatus: 'due',
  });
}
