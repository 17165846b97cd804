import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { apiSchema } from '@allmende/core';
import { negotiateLocale } from '@allmende/i18n';
import { z } from 'zod';
import type { Actor } from './actor';
import { CurrentActor, Public, SignedIn } from './decorators';
import { PeopleService, type Community } from './people.service';
import { csrfToken } from './portal/csrf.middleware';
import { PortalPages } from './portal/portal-pages';

const meResponse = z.object({
  userId: z.uuid(),
  email: z.string().nullable(),
  emailVerified: z.boolean(),
  name: z.string().nullable(),
  platformAdmin: z.boolean(),
  communities: z.array(
    z.object({
      tenantId: z.uuid(),
      slug: z.string(),
      name: z.string(),
      kind: z.string(),
      memberId: z.uuid(),
      role: z.enum(['tenant_admin', 'member']),
    }),
  ),
});
type MeResponse = z.infer<typeof meResponse> & { communities: Community[] };

/** The signed-in person and their communities: `GET /api/me` (JSON) and the portal's `/me` page. */
@Controller()
export class MeController {
  constructor(
    private readonly people: PeopleService,
    private readonly pages: PortalPages,
  ) {}

  @ApiTags('me')
  @ApiOperation({ summary: 'The caller, and every community they are a member of' })
  @ApiOkResponse({ schema: apiSchema(meResponse) })
  @SignedIn()
  @Get('api/me')
  async me(@CurrentActor() actor: Actor): Promise<MeResponse> {
    const person = actor.person!;
    return {
      userId: person.userId,
      email: person.email,
      emailVerified: person.emailVerified,
      name: person.name,
      platformAdmin: person.platformAdmin,
      communities: await this.people.communitiesOf(person),
    };
  }

  /** Public so that a visitor without a session is sent to sign in rather than shown a 401. */
  @ApiExcludeEndpoint()
  @Public()
  @Get('me')
  async page(
    @CurrentActor() actor: Actor,
    @Query('lang') lang: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const person = actor.person;
    // Personal pages: never stored by browsers or proxies.
    response.setHeader('Cache-Control', 'no-store');
    if (!person) return response.redirect(303, '/auth/login?returnTo=%2Fme');
    const locale = negotiateLocale(lang, request.headers['accept-language']);
    const communities = await this.people.communitiesOf(person);
    const html = this.pages.render(
      'account',
      locale,
      {
        name: person.name ?? person.email ?? person.subject,
        emailVerified: person.emailVerified,
        communities: communities.map((community) => ({
          ...community,
          isAdmin: community.role === 'tenant_admin',
        })),
        csrfToken: csrfToken(request),
      },
      'account.title',
    );
    response.type('html').send(html);
  }
}
