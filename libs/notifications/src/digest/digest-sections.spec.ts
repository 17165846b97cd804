import { PortalLinks, type MailRecipient } from '@allmende/mail';
import { DIGEST_MODULES, readableDigestGroups } from './digest-groups';
import {
  activitySection,
  eventsSection,
  listingsSection,
  newsSections,
  shiftLabel,
  type SectionContext,
} from './digest-sections';
import type {
  DigestSnapshot,
  SnapshotBooking,
  SnapshotEvent,
  SnapshotListing,
  SnapshotNews,
} from './digest-snapshot';

const SINCE = new Date('2026-11-20T06:00:00Z');
const UNTIL = new Date('2026-11-21T06:00:00Z');
const minutes = (n: number) => new Date(SINCE.getTime() + n * 60_000);
const ME = 'me';
const OTHER = 'other';
const ALL = new Set(DIGEST_MODULES);

function snapshot(parts: Partial<DigestSnapshot> = {}): DigestSnapshot {
  return {
    tenantId: 't',
    since: SINCE,
    until: UNTIL,
    groups: [
      { id: 'open', key: 'dorf', name: { de: 'Dorf', en: 'Village' }, visibility: 'public', modules: ALL },
      { id: 'closed', key: 'rat', name: { de: 'Rat' }, visibility: 'private', modules: ALL },
    ],
    memberships: new Map(),
    adminIds: new Set(),
    news: [],
    listings: [],
    calls: [],
    events: [],
    bookings: [],
    closedCalls: [],
    threads: [],
    ...parts,
  };
}

function context(
  snap: DigestSnapshot,
  recipient: Partial<MailRecipient> = {},
  muted: string[] = [],
): SectionContext {
  const full: MailRecipient = {
    memberId: ME,
    name: 'Rita',
    email: 'rita@example.org',
    language: 'de',
    timeZone: 'Europe/Berlin',
    ...recipient,
  };
  return {
    snapshot: snap,
    recipient: full,
    slug: 'gemeinde',
    links: new PortalLinks('https://allmende.test'),
    groups: readableDigestGroups(snap, full.memberId, full.language, muted),
  };
}

const news = (id: string, groupId: string, authorId: string | null, prominent = false): SnapshotNews => ({
  id,
  groupId,
  authorId,
  title: id,
  excerpt: id,
  urgency: prominent ? 'urgent' : 'normal',
  pinned: false,
  publishedAt: minutes(100 - Number(id.replace(/\D/g, '') || 0)),
  prominent,
});

describe('digest sections from a snapshot', () => {
  it('reads open groups, own private ones, everything for admins, minus muted ones', () => {
    const snap = snapshot({
      memberships: new Map([[ME, new Set(['closed'])]]),
      adminIds: new Set(['admin']),
    });
    expect(context(snap).groups.idsWith('news')).toEqual(['open', 'closed']);
    expect(context(snap, { memberId: OTHER }).groups.idsWith('news')).toEqual(['open']);
    expect(context(snap, { memberId: 'admin' }).groups.idsWith('news')).toEqual(['open', 'closed']);
    expect(context(snap, {}, ['open']).groups.idsWith('news')).toEqual(['closed']);
    expect(context(snap, { language: 'en' }).groups.get('open').name).toBe('Village');
  });

  it("caps news after filtering: own and unreadable posts don't use up the ten places", () => {
    const rows = [
      ...Array.from({ length: 5 }, (_, i) => news(`mine${i}`, 'open', ME)),
      ...Array.from({ length: 5 }, (_, i) => news(`secret${i}`, 'closed', OTHER)),
      ...Array.from({ length: 12 }, (_, i) => news(`n${i + 10}`, 'open', i === 0 ? null : OTHER)),
      news('u1', 'open', OTHER, true),
    ];
    const { urgent, news: normal } = newsSections(context(snapshot({ news: rows })));
    expect(urgent.items.map((item) => item.title)).toEqual(['u1']);
    // Keeps the snapshot's order; a post without author is nobody's own.
    expect(normal.items.map((item) => item.title)).toEqual(
      Array.from({ length: 10 }, (_, i) => `n${i + 10}`),
    );
    expect(normal.items[0]!.url).toBe('https://allmende.test/t/gemeinde/g/dorf/news/n10');
  });

  it('leaves out listings without an author, like `author_id <> member` in SQL', () => {
    const listing = (id: string, authorId: string | null): SnapshotListing => ({
      id,
      groupId: 'open',
      authorId,
      title: id,
      kind: 'lost',
      createdAt: SINCE,
    });
    const section = listingsSection(
      context(snapshot({ listings: [listing('a', null), listing('b', ME), listing('c', OTHER)] })),
    );
    expect(section.items.map((item) => item.title)).toEqual(['c']);
  });

  it("takes the member's answer and counts a new event past the cap", () => {
    const event = (id: string, createdInWindow: boolean): SnapshotEvent => ({
      id,
      groupId: 'open',
      authorId: OTHER,
      title: id,
      startsAt: UNTIL,
      endsAt: null,
      place: null,
      createdInWindow,
      answers: new Map([[ME, 'yes']]),
    });
    const events = Array.from({ length: 11 }, (_, i) => event(`e${i}`, i === 10));
    const section = eventsSection(context(snapshot({ events })));
    expect(section.items).toHaveLength(10);
    expect(section.items[0]!.myAnswer).toBe('yes');
    expect(section.hasNew).toBe(true);
    expect(eventsSection(context(snapshot({ events }), { memberId: OTHER })).items[0]!.myAnswer).toBeNull();
  });

  it("tells of decisions on the member's bookings by others, newest first", () => {
    const booking = (id: string, changes: Partial<SnapshotBooking>): SnapshotBooking => ({
      id,
      groupId: 'open',
      requesterId: ME,
      resourceName: { de: 'Hütte', en: 'Hut' },
      startsAt: UNTIL,
      status: 'approved',
      decidedAt: null,
      decidedById: null,
      cancelledAt: null,
      cancelledById: null,
      ...changes,
    });
    const bookings = [
      booking('b1', { decidedAt: minutes(10), decidedById: OTHER }),
      booking('b2', { status: 'declined', decidedAt: minutes(20), decidedById: OTHER }),
      booking('b3', { decidedAt: minutes(30), decidedById: null }), // automatic
      booking('b4', {
        status: 'cancelled',
        decidedAt: minutes(5),
        decidedById: OTHER,
        cancelledAt: minutes(40),
      }),
      booking('b5', { status: 'cancelled', cancelledAt: minutes(50), cancelledById: ME }),
      booking('b6', { requesterId: OTHER, decidedAt: minutes(60), decidedById: 'x' }),
      booking('b7', { decidedAt: new Date(UNTIL.getTime() + 1), decidedById: OTHER }),
    ];
    const section = activitySection(context(snapshot({ bookings }), { language: 'en' }));
    expect(section.items.map((item) => [item.messageKey.split('.').pop(), item.at])).toEqual([
      ['bookingCancelled', minutes(40)],
      ['bookingDeclined', minutes(20)],
      ['bookingApproved', minutes(10)],
      ['bookingApproved', minutes(5)],
    ]);
    expect(section.items[0]!.params).toEqual({ resource: 'Hut', from: UNTIL });
  });

  it('labels shifts in the recipient zone and language', () => {
    const start = new Date('2026-11-22T13:00:00Z');
    const end = new Date('2026-11-22T16:30:00Z');
    const recipient = context(snapshot()).recipient;
    expect(shiftLabel(start, end, recipient)).toBe('14:00–17:30');
    expect(shiftLabel(start, end, { ...recipient, language: 'en', timeZone: 'UTC' })).toBe('13:00–16:30');
    expect(shiftLabel(start, end, recipient)).toBe('14:00–17:30');
  });
});
