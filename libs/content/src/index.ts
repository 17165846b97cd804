export * from './group-access.service';
export * from './markdown';
export * from './pagination';
export * from './etag';
// apiSchema lives in libs/core (libs that libs/content builds on use it too).
export { apiSchema, type SchemaObject } from '@allmende/core';
// The audit log and the outbox live in libs of their own (libs/groups writes to them too).
export * from '@allmende/audit';
export * from '@allmende/outbox';
export * from './audit-log.service';
export * from './audit.controller';
export * from './content.module';
