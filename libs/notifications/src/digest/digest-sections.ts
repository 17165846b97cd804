import type {
  DigestActivityItem,
  DigestCallItem,
  DigestEventItem,
  DigestListingItem,
  DigestNewsItem,
  DigestThreadItem,
  MailRecipient,
  PortalLinks,
} from '@allmende/mail';
import { timeFormat } from './digest-formats';
import { localizedName, type DigestGroups, type DigestModule } from './digest-groups';
import { DIGEST_SECTION_LIMIT, type DigestSnapshot } from './digest-snapshot';

export { DIGEST_LOOKAHEAD_MS, DIGEST_SECTION_LIMIT } from './digest-snapshot';

/**
 * What every section needs: the tenant's snapshot of the window and one member with their
 * readable, unmuted groups. Sections filter the snapshot in memory; they run no queries.
 */
export interface SectionContext {
  snapshot: DigestSnapshot;
  recipient: MailRecipient;
  slug: string;
  links: PortalLinks;
  groups: DigestGroups;
}

/** A section's items, and whether any of them is new in the window (old ones alone make no digest). */
export interface Section<T> {
  items: T[];
  hasNew: boolean;
}

/**
 * "Someone else's": SQL's `author <> member`, which is never true for a missing author (null),
 * unlike `is distinct from` (see news).
 */
const byOther = (authorId: string | null, memberId: string) => authorId !== null && authorId !== memberId;

/** The first `limit` rows that pass, in the snapshot's order. */
function take<T>(rows: readonly T[], keep: (row: T) => boolean, limit = DIGEST_SECTION_LIMIT): T[] {
  const taken: T[] = [];
  for (const row of rows) {
    if (taken.length >= limit) break;
    if (keep(row)) taken.push(row);
  }
  return taken;
}

const inGroups = (context: SectionContext, module: DigestModule) => (row: { groupId: string }) =>
  context.groups.has(row.groupId, module);

// ---- news ---------------------------------------------------------------------------------

/**
 * Posts published in the window, not expired at its end, not the member's own: urgent or
 * pinned ones (first in the mail) and the others, each capped, newest first.
 */
export function newsSections(context: SectionContext): {
  urgent: Section<DigestNewsItem>;
  news: Section<DigestNewsItem>;
} {
  const memberId = context.recipient.memberId;
  const readable = inGroups(context, 'news');
  const urgent: DigestNewsItem[] = [];
  const news: DigestNewsItem[] = [];
  for (const row of context.snapshot.news) {
    if (urgent.length >= DIGEST_SECTION_LIMIT && news.length >= DIGEST_SECTION_LIMIT) break;
    // `is distinct from`: posts without an author (imported) are nobody's own.
    if (!readable(row) || row.authorId === memberId) continue;
    const target = row.prominent ? urgent : news;
    if (target.length >= DIGEST_SECTION_LIMIT) continue;
    const group = context.groups.get(row.groupId);
    target.push({
      title: row.title,
      excerpt: row.excerpt,
      groupName: group.name,
      urgency: row.urgency,
      pinned: row.pinned,
      publishedAt: row.publishedAt,
      url: context.links.newsPost(context.slug, group.key, row.id),
    });
  }
  return {
    urgent: { items: urgent, hasNew: urgent.length > 0 },
    news: { items: news, hasNew: news.length > 0 },
  };
}

// ---- listings -----------------------------------------------------------------------------

/** Open listings created in the window by others. */
export function listingsSection(context: SectionContext): Section<DigestListingItem> {
  const memberId = context.recipient.memberId;
  const readable = inGroups(context, 'listings');
  const items = take(
    context.snapshot.listings,
    (row) => readable(row) && byOther(row.authorId, memberId),
  ).map((row) => {
    const group = context.groups.get(row.groupId);
    return {
      title: row.title,
      kind: row.kind,
      groupName: group.name,
      createdAt: row.createdAt,
      url: context.links.listing(context.slug, group.key, row.id),
    };
  });
  return { items, hasNew: items.length > 0 };
}

// ---- calls for help -----------------------------------------------------------------------

/**
 * Open calls of others: those created in the window, and older ones that still miss people
 * for a shift in the week after the window (a reminder, not news: they alone make no digest).
 */
export function callsSection(context: SectionContext): Section<DigestCallItem> {
  const memberId = context.recipient.memberId;
  const readable = inGroups(context, 'volunteering');
  const rows = take(context.snapshot.calls, (row) => readable(row) && byOther(row.authorId, memberId));
  const items = rows.map((row) => {
    const group = context.groups.get(row.groupId);
    return {
      title: row.title,
      groupName: group.name,
      openShifts: row.shifts.map((shift) => ({
        label: shiftLabel(shift.startsAt, shift.endsAt, context.recipient),
        startsAt: shift.startsAt,
        missing: shift.missing,
      })),
      openItems: row.items.map((item) => ({ label: item.name, missing: item.missing })),
      url: context.links.call(context.slug, group.key, row.id),
    };
  });
  return { items, hasNew: rows.some((row) => row.isNew) };
}

/**
 * Shifts have no name of their own; their label is the time span in the recipient's zone and
 * language ("14:00–17:00"; the renderer shows the day from `startsAt`).
 */
export function shiftLabel(startsAt: Date, endsAt: Date, recipient: MailRecipient): string {
  const time = timeFormat(recipient.language, recipient.timeZone);
  return `${time.format(startsAt)}–${time.format(endsAt)}`;
}

// ---- events -------------------------------------------------------------------------------

/**
 * Events starting in the week after the window, not cancelled, with the member's own answer.
 * New only when one of them was created in the window by someone else — any of them, also
 * one past the cap.
 */
export function eventsSection(context: SectionContext): Section<DigestEventItem> {
  const memberId = context.recipient.memberId;
  const readable = context.snapshot.events.filter(inGroups(context, 'events'));
  const items = readable.slice(0, DIGEST_SECTION_LIMIT).map((row) => {
    const group = context.groups.get(row.groupId);
    return {
      title: row.title,
      groupName: group.name,
      startsAt: row.startsAt,
      endsAt: row.endsAt,
      location: row.place,
      myAnswer: row.answers.get(memberId) ?? null,
      url: context.links.event(context.slug, group.key, row.id),
    };
  });
  return { items, hasNew: readable.some((row) => row.createdInWindow && byOther(row.authorId, memberId)) };
}

// ---- activity -----------------------------------------------------------------------------

type ActivityKind = 'bookingApproved' | 'bookingDeclined' | 'bookingCancelled' | 'pledgeCallClosed';

const within = (at: Date | null, context: SectionContext): at is Date =>
  at !== null && at >= context.snapshot.since && at < context.snapshot.until;

/**
 * Changes in the window to the member's own things, made by someone else: their booking
 * requests approved, declined or cancelled by a steward (automatic approvals have no decider and
 * are left out), and calls they pledged for closed by the organisers. Newest first.
 */
export function activitySection(context: SectionContext): Section<DigestActivityItem> {
  const memberId = context.recipient.memberId;
  const found: { kind: ActivityKind; id: string; at: Date; item: () => DigestActivityItem }[] = [];

  const bookable = inGroups(context, 'booking');
  for (const booking of context.snapshot.bookings) {
    if (booking.requesterId !== memberId || !bookable(booking)) continue;
    const decidedByOther = byOther(booking.decidedById, memberId);
    const events: [ActivityKind, Date | null][] = [
      [
        'bookingApproved',
        decidedByOther && ['approved', 'cancelled'].includes(booking.status) ? booking.decidedAt : null,
      ],
      ['bookingDeclined', decidedByOther && booking.status === 'declined' ? booking.decidedAt : null],
      // `is distinct from`: a cancellation with no canceller (the system) counts too.
      ['bookingCancelled', booking.cancelledById !== memberId ? booking.cancelledAt : null],
    ];
    for (const [kind, at] of events) {
      if (!within(at, context)) continue;
      found.push({
        kind,
        id: booking.id,
        at,
        item: () => {
          const group = context.groups.get(booking.groupId);
          return {
            messageKey: `mail.digest.activity.${kind}`,
            params: {
              resource: resourceName(booking.resourceName, context.recipient.language),
              from: booking.startsAt,
            },
            at,
            url: context.links.bookingRequest(context.slug, group.key, booking.id),
          };
        },
      });
    }
  }

  const callable = inGroups(context, 'volunteering');
  for (const call of context.snapshot.closedCalls) {
    if (!callable(call) || !byOther(call.authorId, memberId) || !call.pledgerIds.has(memberId)) continue;
    if (!within(call.closedAt, context)) continue;
    found.push({
      kind: 'pledgeCallClosed',
      id: call.id,
      at: call.closedAt,
      item: () => {
        const group = context.groups.get(call.groupId);
        return {
          messageKey: 'mail.digest.activity.pledgeCallClosed',
          params: { call: call.title },
          at: call.closedAt,
          url: context.links.call(context.slug, group.key, call.id),
        };
      },
    });
  }

  found.sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const items = found.slice(0, DIGEST_SECTION_LIMIT).map((entry) => entry.item());
  return { items, hasNew: items.length > 0 };
}

function resourceName(
  name: Record<string, string | undefined> | string,
  language: MailRecipient['language'],
) {
  return typeof name === 'string' ? name : localizedName(name, language);
}

// ---- discussions --------------------------------------------------------------------------

/** Threads started in the window by others, not hidden or deleted. */
export function threadsSection(context: SectionContext): Section<DigestThreadItem> {
  const memberId = context.recipient.memberId;
  const readable = inGroups(context, 'discussions');
  const items = take(context.snapshot.threads, (row) => readable(row) && row.authorId !== memberId).map(
    (row) => {
      const group = context.groups.get(row.groupId);
      return {
        title: row.title,
        groupName: group.name,
        authorName: row.authorName,
        createdAt: row.createdAt,
        url: context.links.thread(context.slug, group.key, row.id),
      };
    },
  );
  return { items, hasNew: items.length > 0 };
}
