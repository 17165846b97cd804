import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';

/**
 * An uploaded file of a group (also the photo of a listing). The row is written only after
 * its bytes are stored completely; `storageKey` names them in the FileStorage (an id, never
 * the name the uploader gave).
 */
export const StoredFileSchema = defineEntity({
  name: 'StoredFile',
  tableName: 'files',
  extends: TenantOwnedSchema,
  properties: {
    group: () => p.manyToOne(GroupSchema).ref().createForeignKeyConstraint(false),
    /** The member who uploaded it; null when that member was removed (the file stays). */
    uploader: () => p.manyToOne(MemberSchema).ref().nullable().createForeignKeyConstraint(false),
    /** The name as uploaded (sanitised: no path, no control characters). Shown, never used as a path. */
    originalName: p.string().length(255),
    /** Sniffed from the content, not taken from the client. */
    mediaType: p.string().length(100),
    /** Bytes (at most FILES_MAX_MB, at most 1 GiB: fits an integer). */
    size: p.integer(),
    sha256: p.string().length(64),
    storageKey: p.string().length(100),
  },
  uniques: [{ name: 'files_tenant_id_id_unique', properties: ['tenantId', 'id'] }],
  indexes: [
    { name: 'files_tenant_id_group_id_created_at_index', properties: ['tenantId', 'group', 'createdAt'] },
  ],
});

export type StoredFile = InferEntity<typeof StoredFileSchema>;
