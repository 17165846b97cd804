import type { EntityManager } from '@mikro-orm/postgresql';
import type { ModuleSeedContext } from './context';

/**
 * At least one row in every table of the events module (inside the tenant's scope; flushed by
 * the caller), so the isolation suite covers them.
 */
export async function seedEvents(_em: EntityManager, _context: ModuleSeedContext): Promise<void> {}
