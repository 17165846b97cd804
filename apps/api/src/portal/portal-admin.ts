import { ProblemException } from '@allmende/core';
import type { PortalContext } from './portal-view';

/** The sections of the admin area, in the order of its navigation. */
const SECTIONS = ['members', 'groups', 'moderation', 'audit'] as const;
export type AdminSection = (typeof SECTIONS)[number] | 'home';

/** `/t/<slug>/admin` */
export function adminBase(context: PortalContext): string {
  return `${context.community.href}/admin`;
}

/** The admin area's own navigation (partial `admin-nav`), the current section marked. */
export function adminNav(context: PortalContext, current: AdminSection) {
  const base = adminBase(context);
  return [
    { key: 'home', href: base, labelKey: 'portal.admin.nav.home', current: current === 'home' },
    ...SECTIONS.map((section) => ({
      key: section,
      href: `${base}/${section}`,
      labelKey: `portal.admin.nav.${section}`,
      current: current === section,
    })),
  ];
}

/** A bounded query-string value (the services check it properly). */
export function queryText(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;
}

/** The problem behind a refusal that the form shows again (its status among `statuses`), else undefined. */
export function refusal(error: unknown, statuses: readonly number[]): ProblemException | undefined {
  return error instanceof ProblemException && statuses.includes(error.problem.status) ? error : undefined;
}

/** Catalogue keys of the tenant roles and group settings, as the admin pages name them. */
export const ROLE_KEYS: Record<string, string> = {
  tenant_admin: 'portal.me.roleTenantAdmin',
  member: 'portal.me.roleMember',
};
export const VISIBILITY_KEYS: Record<string, string> = {
  public: 'portal.admin.groups.visibility.public',
  members: 'portal.admin.groups.visibility.members',
  private: 'portal.admin.groups.visibility.private',
};
export const JOIN_POLICY_KEYS: Record<string, string> = {
  open: 'portal.admin.groups.joinPolicy.open',
  request: 'portal.admin.groups.joinPolicy.request',
  invite: 'portal.admin.groups.joinPolicy.invite',
};

/**
 * Audit actions with a text of their own (`portal.admin.audit.action.<action>` in both
 * catalogues); others are shown by their code.
 */
export const AUDIT_ACTIONS: ReadonlySet<string> = new Set([
  'members.member.added',
  'members.member.invited',
  'members.role.changed',
  'groups.group.updated',
  'groups.join.approved',
  'groups.join.declined',
  'news.post.edited',
  'news.post.deleted',
  'news.post.pinned',
  'news.post.unpinned',
  'news.alert.resolved',
  'news.comment.hidden',
  'news.comment.unhidden',
  'news.comment.deleted',
  'discussions.thread.edited',
  'discussions.thread.deleted',
  'discussions.thread.hidden',
  'discussions.thread.unhidden',
  'discussions.thread.locked',
  'discussions.thread.unlocked',
  'discussions.comment.edited',
  'discussions.comment.deleted',
  'discussions.comment.hidden',
  'discussions.comment.unhidden',
  'listings.listing.updated',
  'listings.listing.resolved',
  'listings.listing.deleted',
  'events.event.edited',
  'events.event.cancelled',
  'polls.poll.closed',
  'polls.poll.finalised',
  'volunteering.call.edited',
  'volunteering.call.closed',
  'volunteering.shift.added',
  'volunteering.item.added',
  'files.file.deleted',
  'booking.resource.updated',
  'booking.resource.feed_rotated',
  'booking.request.handover_updated',
  'booking.request.approved',
  'booking.request.declined',
  'booking.request.cancelled',
  'notifications.unsubscribed',
]);
