import type { EntityManager } from '@mikro-orm/postgresql';
import {
  DiscussionCommentSchema,
  DiscussionThanksSchema,
  DiscussionThreadSchema,
} from '@allmende/discussions';
import type { ModuleSeedContext } from './context';

/**
 * At least one row in every table of the discussions module (inside the tenant's scope; flushed by
 * the caller), so the isolation suite covers them: a thread by the group admin, a comment by
 * the other member, and thanks for both.
 */
export async function seedDiscussions(em: EntityManager, context: ModuleSeedContext): Promise<void> {
  const [admin, other] = context.members;
  const now = new Date();
  const thread = em.create(DiscussionThreadSchema, {
    group: context.groups[0]!,
    author: admin!,
    title: `Erfahrungen ${context.label}`,
    body: 'Wer hat Tipps für den **Komposthaufen**?',
    lastActivityAt: now,
    commentCount: 1,
  });
  const comment = em.create(DiscussionCommentSchema, {
    thread,
    author: other!,
    body: 'Regelmäßig umsetzen!',
  });
  em.create(DiscussionThanksSchema, { thread, member: other! });
  em.create(DiscussionThanksSchema, { comment, member: admin! });
}
