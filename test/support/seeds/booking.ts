import type { EntityManager } from '@mikro-orm/postgresql';
import type { ModuleSeedContext } from './context';

/**
 * At least one row in every table of the booking module (inside the tenant's scope; flushed by
 * the caller), so the isolation suite covers them.
 */
export async function seedBooking(_em: EntityManager, _context: ModuleSeedContext): Promise<void> {}
