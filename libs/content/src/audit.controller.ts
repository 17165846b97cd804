import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { TenantRole } from '@allmende/auth';
import { apiSchema, ZodValidationPipe } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { AuditEventSchema, type AuditEvent } from '@allmende/audit';

import { decodeCursor, pageQuery, toPage, type Page } from './pagination';

export const auditEventView = z.object({
  id: z.uuid(),
  at: z.string(),
  actorUserId: z.uuid().nullable(),
  actorMemberId: z.uuid().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.uuid(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEventView = z.infer<typeof auditEventView>;

const auditPage = z.object({ items: z.array(auditEventView), nextCursor: z.string().nullable() });

function view(event: AuditEvent): AuditEventView {
  return {
    id: event.id,
    at: event.createdAt.toISOString(),
    actorUserId: event.actorUserId ?? null,
    actorMemberId: event.actorMemberId ?? null,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    details: event.details ?? null,
  };
}

/** The tenant's audit log, newest first (tenant admins). */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/audit')
export class AuditController {
  constructor(private readonly scope: TenantScope) {}

  @TenantRole('tenant_admin')
  @Get()
  @ApiOperation({ summary: 'Moderation and admin actions, newest first (tenant admins)' })
  @ApiOkResponse({ schema: apiSchema(auditPage) })
  async list(
    @Query(new ZodValidationPipe(pageQuery)) query: z.infer<typeof pageQuery>,
  ): Promise<Page<AuditEventView>> {
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
