import type { EntityManager } from '@mikro-orm/postgresql';
import { PollAnswerSchema, PollOptionSchema, PollSchema } from '@allmende/polls';
import type { ModuleSeedContext } from './context';

/**
 * At least one row in every table of the polls module (inside the tenant's scope; flushed by
 * the caller), so the isolation suite covers them: a poll with two dates, answered by both members.
 */
export async function seedPolls(em: EntityManager, context: ModuleSeedContext): Promise<void> {
  const [admin, other] = context.members;
  const poll = em.create(PollSchema, {
    group: context.groups[0]!,
    author: admin!,
    title: `Termin für das Sommerfest ${context.label}`,
    description: 'Welcher Samstag passt?',
  });
  const hour = 60 * 60 * 1000;
  const first = em.create(PollOptionSchema, {
    poll,
    position: 0,
    startsAt: new Date(Date.UTC(2027, 6, 3, 14)),
    endsAt: new Date(Date.UTC(2027, 6, 3, 14) + 4 * hour),
  });
  const second = em.create(PollOptionSchema, {
    poll,
    position: 1,
    startsAt: new Date(Date.UTC(2027, 6, 10, 14)),
    endsAt: new Date(Date.UTC(2027, 6, 10, 14) + 4 * hour),
  });
  em.create(PollAnswerSchema, { option: first, member: admin!, answer: 'yes' });
  em.create(PollAnswerSchema, { option: second, member: other!, answer: 'maybe' });
}
