export * from './tenant-plan';
export * from './provisioning.service';
