import { Controller, Get, Inject, Logger, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { APP_CONFIG, ProblemException, type AppConfig } from '@allmende/core';
import { negotiateLocale } from '@allmende/i18n';
import { Public } from '../decorators';
import { PortalOidcClient } from './oidc-client';
import { PortalPages } from './portal-pages';
import { safeReturnTo } from './return-to';
import { SESSION_COOKIE } from './portal-session.middleware';
import './session-data';
import { sessionStoreUnavailable } from './session-store-unavailable';

/**
 * The portal's sign-in and sign-out (authorization code flow with PKCE, state and nonce).
 * The session id is renewed at login (no session fixation); logout ends our session and the
 * provider's.
 */
@ApiExcludeController()
@Controller('auth')
export class PortalAuthController {
  private readonly logger = new Logger('PortalAuth');

  constructor(
    private readonly oidc: PortalOidcClient,
    private readonly pages: PortalPages,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get('login')
  async login(
    @Query('returnTo') returnTo: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const target = safeReturnTo(returnTo);
    if (!target) throw ProblemException.badRequest('returnTo must be a path of this portal.');
    const { url, pending } = await this.oidc.startLogin(target);
    request.session.pendingLogin = pending;
    await save(request);
    response.redirect(303, url);
  }

  @Public()
  @Get('callback')
  async callback(@Req() request: Request, @Res() response: Response): Promise<void> {
    const pending = request.session.pendingLogin;
    if (!pending) throw ProblemException.badRequest('No sign-in is under way in this browser: start again.');
    const callbackUrl = new URL(request.originalUrl, this.config.PUBLIC_URL);
    let tokens;
    try {
      tokens = await this.oidc.finishLogin(new URL(`${this.oidc.redirectUri}${callbackUrl.search}`), pending);
    } catch (error) {
      this.logger.warn(`sign-in refused: ${error instanceof Error ? error.message : String(error)}`);
      delete request.session.pendingLogin;
      await save(request);
      throw ProblemException.badRequest('The sign-in could not be completed: start again.');
    }
    // A new session id for the signed-in session: an id planted before login is worthless.
    await new Promise<void>((resolve, reject) =>
      request.session.regenerate((error) => (error ? reject(sessionStoreUnavailable(error)) : resolve())),
    );
    request.session.tokens = tokens;
    await save(request);
    response.redirect(303, pending.returnTo);
  }

  /** CSRF-protected (a POST): a third-party page cannot sign people out. */
  @Public()
  @Post('logout')
  async logout(@Req() request: Request, @Res() response: Response): Promise<void> {
    const idToken = request.session.tokens?.idToken;
    await new Promise<void>((resolve, reject) =>
      request.session.destroy((error) => (error ? reject(sessionStoreUnavailable(error)) : resolve())),
    );
    response.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax' });
    response.redirect(303, await this.oidc.logoutUrl(idToken));
  }

  @Public()
  @Get('logged-out')
  loggedOut(@Query('lang') lang: unknown, @Req() request: Request, @Res() response: Response): void {
    const locale = negotiateLocale(lang, request.headers['accept-language']);
    response.type('html').send(this.pages.render('logged-out', locale, {}, 'auth.loggedOutTitle'));
  }
}

function save(request: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    request.session.save((error) => (error ? reject(sessionStoreUnavailable(error)) : resolve())),
  );
}
