import type { EntityManager } from '@mikro-orm/postgresql';
import {
  VolunteerCallSchema,
  VolunteerItemSchema,
  VolunteerPledgeSchema,
  VolunteerShiftSchema,
} from '@allmende/volunteering';
import type { ModuleSeedContext } from './context';

/**
 * At least one row in every table of the volunteering module (inside the tenant's scope; flushed by
 * the caller), so the isolation suite covers them: a call by the group admin with a shift and an
 * item, and the other member's pledges for both (counters matching).
 */
export async function seedVolunteering(em: EntityManager, context: ModuleSeedContext): Promise<void> {
  const [admin, other] = context.members;
  const startsAt = new Date(Date.now() + 7 * 24 * 60 * 60 * 1000);
  const call = em.create(VolunteerCallSchema, {
    group: context.groups[0]!,
    author: admin!,
    title: `Dorffest ${context.label}`,
    body: 'Wir brauchen **Hilfe** beim Aufbau.',
    place: 'Dorfplatz',
    contact: 'Bitte im Gemeindebüro melden',
  });
  const shift = em.create(VolunteerShiftSchema, {
    call,
    startsAt,
    endsAt: new Date(startsAt.getTime() + 3 * 60 * 60 * 1000),
    helpersNeeded: 5,
    pledgedCount: 1,
  });
  const item = em.create(VolunteerItemSchema, {
    call,
    name: 'Kuchen',
    quantityNeeded: 10,
    pledgedQuantity: 2,
  });
  em.create(VolunteerPledgeSchema, { member: other!, shift, quantity: 1 });
  em.create(VolunteerPledgeSchema, { member: other!, item, quantity: 2 });
}
