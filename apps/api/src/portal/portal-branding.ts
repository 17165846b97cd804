import type { PortalCommunity } from '@allmende/auth';
import type { RequestTenant } from '../tenancy/tenant-scope.middleware';

/**
 * The community in a page's header (PortalView, the error pages): name, home, and its
 * stylesheet and logo when it has them. Their URLs carry the branding's version, so browsers
 * may keep them long and fetch new ones as soon as an operator changes them.
 */
export function portalCommunity(tenant: RequestTenant): PortalCommunity {
  const href = `/t/${encodeURIComponent(tenant.slug)}/`;
  const version = tenant.brandingVersion ?? 0;
  return {
    slug: tenant.slug,
    name: tenant.name,
    href,
    themeHref: tenant.accentColor ? `${href}theme.css?v=${version}` : undefined,
    logoHref: tenant.hasLogo ? `${href}logo?v=${version}` : undefined,
  };
}
