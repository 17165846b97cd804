export * from './mail-delivery.entity';
export * from './mail-models';
export * from './portal-links';
export * from './mailer';
export * from './message-id';
export * from './mail-renderer';
export * from './unsubscribe-tokens';
export * from './mail.providers';
