export * from './notification-preferences.entity';
export * from './notification-preferences.service';
export * from './notifications.module';
