import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ProblemException } from '@allmende/core';
import { AccessTokenVerifier, InvalidTokenError } from '../access-token-verifier';
import { ANONYMOUS } from '../actor';
import { PeopleService } from '../people.service';
import { PortalSessionTokens } from '../portal/portal-session-tokens';
import { accessOf } from './access';

const BEARER = /^Bearer ([\w.~+/-]+=*)$/;

/**
 * First of the global guards: who is calling. A bearer token (API) or the portal session's
 * token, verified the same way; the person behind it becomes `request.actor`. A bad token is
 * a 401 on every route (a client that sends one has a bug to learn about); no token is a 401
 * only where the route is not public.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  private readonly logger = new Logger('Authentication');

  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: AccessTokenVerifier,
    private readonly people: PeopleService,
    private readonly sessionTokens: PortalSessionTokens,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const header = request.headers.authorization;
    let token: string | undefined;
    if (header !== undefined) {
      token = BEARER.exec(header)?.[1];
      if (!token)
        throw this.unauthorized(response, 'The Authorization header is not "Bearer <token>".', true);
    } else {
      token = await this.sessionTokens.accessToken(request);
    }
    if (!token) {
      request.actor = ANONYMOUS;
      if (accessOf(this.reflector, context)?.kind === 'public') return true;
      throw this.unauthorized(response, 'Sign in first: this needs a bearer access token.', false);
    }
    try {
      const verified = await this.verifier.verify(token);
      request.actor = { person: await this.people.personFor(verified), membership: null };
      return true;
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      this.logger.debug(error.message);
      if (header === undefined) {
        // A session whose token no longer verifies (e.g. the realm's keys changed): sign out.
        await this.sessionTokens.forget(request);
        request.actor = ANONYMOUS;
        if (accessOf(this.reflector, context)?.kind === 'public') return true;
      }
      throw this.unauthorized(response, 'The access token is not valid.', true);
    }
  }

  private unauthorized(response: Response, detail: string, invalid: boolean): ProblemException {
    // RFC 6750: tell the client which scheme, and whether its token was the problem.
    response.setHeader('WWW-Authenticate', invalid ? 'Bearer error="invalid_token"' : 'Bearer');
    return ProblemException.unauthorized(detail);
  }
}
