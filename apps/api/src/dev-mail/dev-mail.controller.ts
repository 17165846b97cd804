import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@allmende/auth';
import { APP_CONFIG, ProblemException, type AppConfig } from '@allmende/core';
import {
  listCapturedMails,
  readCapturedMail,
  readCapturedMailSource,
  type CapturedMail,
} from '@allmende/local-services';
import { DEV_MAIL_HTML_CSP, DEV_MAIL_PAGE_CSP, mailListPage, mailPage } from './dev-mail-pages';

/**
 * The mails the dev SMTP sink caught (`npm start`): a list, one mail's page, its HTML (served
 * with a sandbox policy) and source, and /dev/mail.json for scripts and tests. Only registered
 * in development with DEV_MAIL_DIR set (see DevMailModule); public there, as the whole
 * development setup is.
 */
@ApiExcludeController()
@Public()
@Controller('dev')
export class DevMailController {
  private readonly dir: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.dir = config.DEV_MAIL_DIR!;
  }

  @Get('mail.json')
  async json(@Res() response: Response): Promise<void> {
    noStore(response).json(await listCapturedMails(this.dir));
  }

  @Get('mail')
  async list(@Res() response: Response): Promise<void> {
    const mails = await listCapturedMails(this.dir);
    page(response).send(mailListPage(mails, this.dir));
  }

  @Get('mail/:id')
  async mail(@Param('id') id: string, @Res() response: Response): Promise<void> {
    page(response).send(mailPage(await this.captured(id)));
  }

  /** The mail's HTML as it is: only for the sandboxed frame (the policy sandboxes it even when opened directly). */
  @Get('mail/:id/html')
  async html(@Param('id') id: string, @Res() response: Response): Promise<void> {
    const mail = await this.captured(id);
    noStore(response)
      .setHeader('Content-Security-Policy', DEV_MAIL_HTML_CSP)
      .setHeader('X-Content-Type-Options', 'nosniff')
      .type('html')
      .send(mail.html ?? '');
  }

  @Get('mail/:id/source')
  async source(@Param('id') id: string, @Res() response: Response): Promise<void> {
    const source = await readCapturedMailSource(this.dir, id);
    if (!source) throw ProblemException.notFound(`No captured mail "${id}".`);
    noStore(response)
      .setHeader('X-Content-Type-Options', 'nosniff')
      .type('text/plain; charset=utf-8')
      .send(source);
  }

  private async captured(id: string): Promise<CapturedMail> {
    const mail = await readCapturedMail(this.dir, id);
    if (!mail) throw ProblemException.notFound(`No captured mail "${id}".`);
    return mail;
  }
}

function noStore(response: Response): Response {
  return response.setHeader('Cache-Control', 'no-store');
}

function page(response: Response): Response {
  return noStore(response)
    .setHeader('Content-Security-Policy', DEV_MAIL_PAGE_CSP)
    .setHeader('X-Content-Type-Options', 'nosniff')
    .type('html');
}
