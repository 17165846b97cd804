import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { csrfToken, PeopleService, PortalPages, type Actor, type PortalLayout } from '@allmende/auth';
import { ProblemException } from '@allmende/core';
import type { Locale } from '@allmende/i18n';
import { languageLinks, portalLocale, rememberLocale } from './portal-locale';
import { portalCommunity } from './portal-branding';
import { groupName, PortalGroups, type PortalGroup } from './portal-groups';

/** Everything a community page needs besides its own data: who, which language, which community. */
export interface PortalContext {
  actor: Actor;
  locale: Locale;
  /** The community's IANA time zone: every date on its pages is shown in it. */
  timeZone: string;
  community: { id: string; slug: string; name: string; href: string };
  /** The groups the caller may see (navigation, home page, tabs). */
  groups: PortalGroup[];
  csrfToken: string;
  /** Where "sign in" goes: the login, back to this page afterwards. */
  signInHref: string;
  layout: PortalLayout;
}

/** Options of one rendered page. */
export interface PortalRender {
  titleKey: string;
  titleParams?: Record<string, string>;
  status?: number;
  /** The group whose pages these are (highlighted in the navigation). */
  currentGroup?: string;
}

/** Where to sign in and come back to `path` (a path of the portal, e.g. request.originalUrl). */
export function signInHref(path: string): string {
  return `/auth/login?returnTo=${encodeURIComponent(path)}`;
}

/**
 * Builds the frame of every community page (`/t/:tenant/…`) and sends pages: the community's
 * name and time zone, the navigation of its groups, who is signed in, the language switch and
 * the community switcher. Controllers stay thin: context, their service call, `send`.
 */
@Injectable()
export class PortalView {
  constructor(
    private readonly people: PeopleService,
    private readonly portalGroups: PortalGroups,
    private readonly pages: PortalPages,
  ) {}

  async context(request: Request, response: Response, actor: Actor): Promise<PortalContext> {
    // Looked up (active only) by the tenant middleware for this request.
    const tenant = request.tenant;
    if (!tenant) throw ProblemException.notFound('No such community.');
    const locale = portalLocale(request);
    rememberLocale(request, response, locale);
    const [groups, communities] = await Promise.all([
      this.portalGroups.visibleTo(actor),
      actor.person ? this.people.communitiesOf(actor.person) : Promise.resolve([]),
    ]);
    const href = `/t/${encodeURIComponent(tenant.slug)}`;
    // Forms only for signed-in people (sign out, join, write): anonymous readers get no token,
    // so reading the public pages creates no session.
    const token = actor.person ? csrfToken(request) : '';
    const signIn = signInHref(pathWithoutLang(request.originalUrl));
    // Personal pages must never sit in a shared cache; anonymous ones may be revalidated.
    response.setHeader('Cache-Control', actor.person ? 'no-store' : 'no-cache');
    return {
      actor,
      locale,
      timeZone: tenant.timezone,
      community: { id: tenant.id, slug: tenant.slug, name: tenant.name, href },
      groups,
      csrfToken: token,
      signInHref: signIn,
      layout: {
        community: portalCommunity(tenant),
        nav: groups.map((group) => ({
          key: group.key,
          name: groupName(group.name, locale),
          href: `${href}/g/${encodeURIComponent(group.key)}`,
          current: false,
        })),
        user: actor.person ? { name: actor.person.name ?? actor.person.email ?? '' } : null,
        signInHref: signIn,
        csrfToken: token,
        languages: languageLinks(request, locale),
        communities: communities.map((community) => ({
          slug: community.slug,
          name: community.name,
          href: `/t/${encodeURIComponent(community.slug)}/`,
          current: community.slug === tenant.slug,
        })),
        admin: actor.membership?.role === 'tenant_admin' ? { href: `${href}/admin` } : undefined,
      },
    };
  }

  /** Renders `page` in the community's frame and sends it. */
  send(
    response: Response,
    context: PortalContext,
    page: string,
    data: Record<string, unknown>,
    options: PortalRender,
  ): void {
    const layout: PortalLayout = {
      ...context.layout,
      nav: context.layout.nav?.map((item) => ({ ...item, current: item.key === options.currentGroup })),
    };
    const html = this.pages.renderPage(page, {
      locale: context.locale,
      timeZone: context.timeZone,
      titleKey: options.titleKey,
      titleParams: options.titleParams,
      layout,
      data: {
        ...data,
        community: context.community,
        signedIn: !!context.actor.person,
        member: !!context.actor.membership,
        csrfToken: context.csrfToken,
        signInHref: context.signInHref,
      },
    });
    response
      .status(options.status ?? 200)
      .type('html')
      .send(html);
  }

  /**
   * Renders `page` without the layout (a block for htmx to swap in, `HX-Request: true`), with
   * the same page data (`csrfToken`, `community`...) as `send`.
   */
  sendFragment(
    response: Response,
    context: PortalContext,
    page: string,
    data: Record<string, unknown>,
  ): void {
    const html = this.pages.renderFragment(page, context.locale, context.timeZone, {
      ...data,
      community: context.community,
      signedIn: !!context.actor.person,
      member: !!context.actor.membership,
      csrfToken: context.csrfToken,
      signInHref: context.signInHref,
    });
    response.status(200).type('html').send(html);
  }
}

/** The page's path without `?lang=`: after signing in, the remembered language applies. */
function pathWithoutLang(originalUrl: string): string {
  const url = new URL(originalUrl, 'http://portal.invalid');
  url.searchParams.delete('lang');
  return url.pathname + url.search;
}
