import { Injectable } from '@nestjs/common';
import { AuditEventSchema, type AuditEvent } from '@allmende/audit';
import { TenantScope } from '@allmende/db';
import { decodeCursor, toPage, type Page, type PageQuery } from './pagination';

/** The tenant's audit log (moderation and admin actions), for its admins. */
@Injectable()
export class AuditLogService {
  constructor(private readonly scope: TenantScope) {}

  /** Newest first (then by id, so entries of the same instant keep their order across pages). */
  async list<T = AuditEvent>(query: PageQuery, view: (event: AuditEvent) => T): Promise<Page<T>> {
    const where = query.cursor
      ? (() => {
          const [at, id] = decodeCursor(query.cursor, 2) as [string, string];
          return {
            $or: [{ createdAt: { $lt: new Date(at) } }, { createdAt: new Date(at), id: { $lt: id } }],
          };
        })()
      : {};
    const rows = await this.scope
      .em()
      .find(AuditEventSchema, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: query.limit + 1 });
    return toPage(rows, query.limit, view, (row) => [row.createdAt.toISOString(), row.id]);
  }
}
