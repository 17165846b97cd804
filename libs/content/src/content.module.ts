import { Global, Module } from '@nestjs/common';
import { AuditLogService } from './audit-log.service';
import { AuditController } from './audit.controller';
import { GroupAccess } from './group-access.service';

/** What every group module shares: access rules, the audit log. */
@Global()
@Module({
  controllers: [AuditController],
  providers: [GroupAccess, AuditLogService],
  exports: [GroupAccess, AuditLogService],
})
export class ContentModule {}
