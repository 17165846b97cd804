import type { EntityManager } from '@mikro-orm/postgresql';
import { NewsCommentSchema, NewsPostSchema } from '@allmende/news';
import type { ModuleSeedContext } from './context';

/**
 * At least one row in every table of the news module (inside the tenant's scope; flushed by
 * the caller), so the isolation suite covers them: an urgent alert in the public group, and a
 * resident's question under it.
 */
export async function seedNews(em: EntityManager, context: ModuleSeedContext): Promise<void> {
  const post = em.create(NewsPostSchema, {
    group: context.groups[0]!,
    author: context.members[0]!,
    categoryKey: 'baustellen',
    title: `Vollsperrung Hauptstraße ${context.label}`,
    body: 'Wegen Kanalarbeiten ist die **Hauptstraße** bis Freitag gesperrt.',
    urgency: 'urgent',
    publishAt: new Date(),
  });
  em.create(NewsCommentSchema, {
    post,
    author: context.members[context.members.length - 1]!,
    body: `Ist der Fußweg frei? (${context.label})`,
  });
}
