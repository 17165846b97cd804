import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { TenantRole } from '@allmende/auth';
import { apiSchema, ZodValidationPipe } from '@allmende/core';
import type { AuditEvent } from '@allmende/audit';
import { AuditLogService } from './audit-log.service';
import { pageQuery, type Page } from './pagination';

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
  constructor(private readonly audit: AuditLogService) {}

  @TenantRole('tenant_admin')
  @Get()
  @ApiOperation({ summary: 'Moderation and admin actions, newest first (tenant admins)' })
  @ApiOkResponse({ schema: apiSchema(auditPage) })
  async list(
    @Query(new ZodValidationPipe(pageQuery)) query: z.infer<typeof pageQuery>,
  ): Promise<Page<AuditEventView>> {
    return this.audit.list(query, view);
  }
}
