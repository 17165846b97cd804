import type { EntityManager } from '@mikro-orm/postgresql';
import { EventRsvpSchema, EventSchema } from '@allmende/events';
import type { ModuleSeedContext } from './context';

/**
 * At least one row in every table of the events module (inside the tenant's scope; flushed by
 * the caller), so the isolation suite covers them: an event by the group admin with a place
 * for one, the other member's confirmed "yes" and the admin on the waitlist.
 */
export async function seedEvents(em: EntityManager, context: ModuleSeedContext): Promise<void> {
  const [admin, other] = context.members;
  const startsAt = new Date(Date.now() + 7 * 24 * 60 * 60 * 1000);
  const event = em.create(EventSchema, {
    group: context.groups[0]!,
    author: admin!,
    title: `Dorffest ${context.label}`,
    description: 'Mit **Kuchenbuffet**.',
    place: 'Festwiese',
    startsAt,
    endsAt: new Date(startsAt.getTime() + 3 * 60 * 60 * 1000),
    capacity: 1,
  });
  const answeredAt = new Date();
  em.create(EventRsvpSchema, { event, member: other!, answer: 'yes', answeredAt });
  em.create(EventRsvpSchema, {
    event,
    member: admin!,
    answer: 'yes',
    status: 'waitlisted',
    position: 1,
    answeredAt,
  });
}
