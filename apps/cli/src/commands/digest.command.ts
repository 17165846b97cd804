import { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { ConfigModule, loadConfig, type AppConfig } from '@allmende/core';
import { DatabaseModule, TenantScope } from '@allmende/db';
import { ALL_ENTITIES } from '@allmende/entities';
import { QueuesModule } from '@allmende/jobs';
import { MAIL_COMPOSING_PROVIDERS } from '@allmende/mail';
import { MemberSchema } from '@allmende/members';
import {
  AlertBuilder,
  DigestBuilder,
  DigestScheduler,
  MailComposer,
  MailRecipients,
  NoticeBuilder,
} from '@allmende/notifications';
import { requireTenant } from '../cli-database';
import { CliError, ExitCode, type Output } from '../output';

/** What composing a digest needs (no SMTP, no queues): `digest preview`. */
@Module({})
class DigestPreviewModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: DigestPreviewModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot({ url: config.DATABASE_URL, entities: ALL_ENTITIES, poolMax: 2 }),
      ],
      providers: [
        ...MAIL_COMPOSING_PROVIDERS,
        MailRecipients,
        DigestBuilder,
        AlertBuilder,
        NoticeBuilder,
        MailComposer,
      ],
    };
  }
}

/** What scheduling needs: the database and the queues (`digest run`); the worker does the sending. */
@Module({})
class DigestRunModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: DigestRunModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot({ url: config.DATABASE_URL, entities: ALL_ENTITIES, poolMax: 2 }),
        QueuesModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX }),
      ],
      providers: [MailRecipients, DigestScheduler],
    };
  }
}

async function withContext<T>(
  module: DynamicModule,
  fn: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  const app = await NestFactory.createApplicationContext(module, {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** `allmende digest preview|run`: a member's digest without sending it; the scheduler once, now. */
export function digestCommand(output: Output): Command {
  const digest = new Command('digest').description('preview digests and run the digest scheduler');

  digest
    .command('preview')
    .description("render a member's digest for the period due now, without sending or recording it")
    .argument('<tenant>', 'tenant slug')
    .argument('<email>', "the member's e-mail address")
    .option('--html <file>', 'also write the HTML version to this file')
    .option('--at <iso-time>', 'as if it were this time (default: now)')
    .action(async (slug: string, email: string, options: { html?: string; at?: string }) => {
      const now = options.at ? new Date(options.at) : new Date();
      if (Number.isNaN(now.getTime())) throw new CliError(`--at: "${options.at}" is not a date and time`);
      const config = loadConfig();
      await withContext(DigestPreviewModule.forRoot(config), async (app) => {
        const tenant = await requireTenant(app.get(MikroORM), slug);
        await app.get(TenantScope).run(tenant.id, async (em) => {
          const member = await em.findOne(MemberSchema, { email: email.trim().toLowerCase() });
          if (!member) throw new CliError(`no member with e-mail ${email} in ${slug}`, ExitCode.notFound);
          const preview = await app.get(MailComposer).previewDigest(member.id, now);
          if (!preview) throw new CliError(`no member with e-mail ${email} in ${slug}`, ExitCode.notFound);
          if (!preview.period || preview.mail === 'obsolete') {
            output.out(`${email} gets no digests (switched off).`);
            return;
          }
          output.out(`Period: ${preview.period.key} (due ${preview.period.dueAt.toISOString()})`);
          if (preview.mail === 'empty') {
            output.out('Nothing new in this period: no mail would be sent.');
            return;
          }
          output.out(`To: ${preview.settings.recipient.name} <${preview.settings.recipient.email}>`);
          output.out(`Subject: ${preview.mail.rendered.subject}`);
          for (const [name, value] of Object.entries(preview.mail.headers)) output.out(`${name}: ${value}`);
          output.out('');
          output.out(preview.mail.rendered.text);
          if (options.html) {
            await writeFile(options.html, preview.mail.rendered.html);
            output.out(`HTML written to ${options.html}`);
          }
        });
      });
    });

  digest
    .command('run')
    .description('find the members whose digest is due now and queue them (the worker sends)')
    .option('--tenant <slug>', 'only this tenant')
    .action(async (options: { tenant?: string }) => {
      const config = loadConfig();
      await withContext(DigestRunModule.forRoot(config), async (app) => {
        const tenantId = options.tenant
          ? (await requireTenant(app.get(MikroORM), options.tenant)).id
          : undefined;
        const result = await app.get(DigestScheduler).run({ tenantId });
        output.out(
          `Queued ${result.due} digest(s) in ${result.batches} batch(es) over ${result.tenants} tenant(s); the worker sends them.`,
        );
      });
    });

  return digest;
}
