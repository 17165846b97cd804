import { Injectable } from '@nestjs/common';
import { TenantScope } from '@allmende/db';
import { MemberSchema } from '@allmende/members';
import type { FileView } from './file.view';
import type { StoredFile } from './stored-file.entity';

/** Given and family names of members by id (authors are shown by name, never by e-mail). */
@Injectable()
export class MemberNames {
  constructor(private readonly scope: TenantScope) {}

  async byId(
    ids: (string | null | undefined)[],
  ): Promise<Map<string, { givenName: string; familyName: string }>> {
    const wanted = [...new Set(ids.filter((id): id is string => !!id))];
    if (wanted.length === 0) return new Map();
    const members = await this.scope
      .em()
      .find(MemberSchema, { id: { $in: wanted } }, { fields: ['id', 'givenName', 'familyName'] });
    return new Map(members.map((m) => [m.id, { givenName: m.givenName, familyName: m.familyName }]));
  }

  async views(files: StoredFile[]): Promise<FileView[]> {
    const names = await this.byId(files.map((file) => file.uploader?.id));
    return files.map((file) => {
      const uploaderId = file.uploader?.id;
      const name = uploaderId ? names.get(uploaderId) : undefined;
      return {
        id: file.id,
        name: file.originalName,
        mediaType: file.mediaType,
        size: file.size,
        sha256: file.sha256,
        uploadedBy: name && uploaderId ? { memberId: uploaderId, ...name } : null,
        createdAt: file.createdAt.toISOString(),
      };
    });
  }
}
