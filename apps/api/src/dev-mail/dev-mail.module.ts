import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@allmende/core';
import { DevMailController } from './dev-mail.controller';

/**
 * /dev/mail, the mails of the dev SMTP sink. The routes exist only in development with
 * DEV_MAIL_DIR set (what `allmende dev` sets up); anywhere else they are a plain 404, so a
 * production API never reads a mail folder.
 */
@Module({})
export class DevMailModule {
  static forRoot(config: AppConfig): DynamicModule {
    const enabled = config.NODE_ENV === 'development' && config.DEV_MAIL_DIR !== undefined;
    return { module: DevMailModule, controllers: enabled ? [DevMailController] : [] };
  }
}
