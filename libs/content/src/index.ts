export * from './group-access.service';
export * from './markdown';
export * from './pagination';
export * from './etag';
export * from './openapi';
// The audit log and the outbox live in libs of their own (libs/groups writes to them too).
export * from '@allmende/audit';
export * from '@allmende/outbox';
export * from './audit.controller';
export * from './content.module';
