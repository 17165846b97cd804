import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '@allmende/core';
import { StoredFileSchema } from '@allmende/files';
import type { ModuleSeedContext } from './context';

/**
 * At least one row in every table of the files module (inside the tenant's scope; flushed by
 * the caller), so the isolation suite covers them. Only the row: no bytes in any storage.
 */
export async function seedFiles(em: EntityManager, context: ModuleSeedContext): Promise<void> {
  em.create(StoredFileSchema, {
    group: context.groups[0]!,
    uploader: context.members[0]!,
    originalName: `plan-${context.label}.png`,
    mediaType: 'image/png',
    size: 68,
    sha256: '0'.repeat(64),
    storageKey: newId(),
  });
}
