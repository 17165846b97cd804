import type { Provider } from '@nestjs/common';
import { APP_CONFIG, ConfigError, type AppConfig } from '@allmende/core';
import { MailRenderer } from './mail-renderer';
import { Mailer } from './mailer';
import { UnsubscribeTokens } from './unsubscribe-tokens';

/** What composing mail needs: the renderer, and the signer of unsubscribe links (MAIL_TOKEN_SECRET). */
export const MAIL_COMPOSING_PROVIDERS: Provider[] = [
  {
    provide: UnsubscribeTokens,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => {
      if (!config.MAIL_TOKEN_SECRET) {
        throw new ConfigError([
          'MAIL_TOKEN_SECRET: is required to sign unsubscribe links (at least 32 characters)',
        ]);
      }
      return new UnsubscribeTokens(config.MAIL_TOKEN_SECRET);
    },
  },
  { provide: MailRenderer, useFactory: () => new MailRenderer() },
];

/** The SMTP hand-off (SMTP_URL): what sending needs on top of composing. */
export const MAILER_PROVIDER: Provider = {
  provide: Mailer,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => {
    if (!config.SMTP_URL) throw new ConfigError(['SMTP_URL: is required by the worker (where mail goes)']);
    return new Mailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM });
  },
};
