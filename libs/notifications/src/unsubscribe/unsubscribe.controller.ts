import { Controller, Get, Headers, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@allmende/auth';
import { negotiateLocale, type Locale } from '@allmende/i18n';
import { UnsubscribePages } from './unsubscribe-pages';
import { UnsubscribeService } from './unsubscribe.service';

/**
 * `/unsubscribe/<token>`, the link in every digest and alert (and their `List-Unsubscribe`
 * header). GET shows what would be switched off and a button; it changes nothing, since link
 * scanners and previews fetch links. POST switches it off: the button, or a mail client's
 * RFC 8058 one-click (`List-Unsubscribe=One-Click`, no cookies). The signed token is the
 * only credential, so there is no session and no CSRF token here (and no /t/ prefix: the
 * token names the community).
 */
@ApiExcludeController()
@Public()
@Controller('unsubscribe')
export class UnsubscribeController {
  constructor(
    private readonly unsubscribing: UnsubscribeService,
    private readonly pages: UnsubscribePages,
  ) {}

  @Get(':token')
  async confirm(
    @Param('token') token: string,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const outcome = await this.unsubscribing.preview(token);
    this.send(response, this.pages.confirmation(outcome, token, fallback(acceptLanguage)));
  }

  @Post(':token')
  async unsubscribe(
    @Param('token') token: string,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const outcome = await this.unsubscribing.unsubscribe(token);
    this.send(response, this.pages.result(outcome, fallback(acceptLanguage)));
  }

  private send(response: Response, page: { status: number; html: string }): void {
    // The token is a credential in the URL: keep it out of caches, referrers and search engines.
    response
      .status(page.status)
      .setHeader('Cache-Control', 'no-store')
      .setHeader('Referrer-Policy', 'no-referrer')
      .setHeader('X-Robots-Tag', 'noindex')
      .type('html')
      .send(page.html);
  }
}

/** The language of pages that have no member to ask (a bad link): the browser's. */
function fallback(acceptLanguage: string | undefined): Locale {
  return negotiateLocale(undefined, acceptLanguage);
}
