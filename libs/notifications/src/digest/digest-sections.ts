import type { EntityManager } from '@mikro-orm/postgresql';
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
import { markdownExcerpt } from './digest-excerpt';
import { localizedName, type DigestGroups } from './digest-groups';

/** At most this many items per section, newest first (soonest first for events). */
export const DIGEST_SECTION_LIMIT = 10;
/** Events and shifts this far after the digest's end are "coming up". */
export const DIGEST_LOOKAHEAD_MS = 7 * 24 * 60 * 60 * 1000;
/** Markdown read per post for its excerpt: enough for 200 characters of text after markup. */
const BODY_PREFIX = 4000;

/** What every section query needs: one member, one window, their readable groups. */
export interface SectionContext {
  em: EntityManager;
  recipient: MailRecipient;
  slug: string;
  links: PortalLinks;
  groups: DigestGroups;
  since: Date;
  until: Date;
}

/** A section's items, and whether any of them is new in the window (old ones alone make no digest). */
export interface Section<T> {
  items: T[];
  hasNew: boolean;
}

const empty = <T>(): Section<T> => ({ items: [], hasNew: false });
const lookaheadEnd = (context: SectionContext) => new Date(context.until.getTime() + DIGEST_LOOKAHEAD_MS);
/**
 * Named parameters for raw SQL: MikroORM inlines `?` values in order, so a value used twice
 * would have to be passed twice; `@name` says which value goes where. (It inlines an array as
 * a comma-separated list of literals, which is why every array parameter sits in `array[…]`.)
 */
export function bind(sql: string, values: Record<string, unknown>): [string, unknown[]] {
  const params: unknown[] = [];
  const text = sql.replace(/@(\w+)/g, (_match, name: string) => {
    if (!(name in values)) throw new Error(`no value for @${name}`);
    params.push(values[name]);
    return '?';
  });
  return [text, params];
}
/** Raw rows may carry timestamps as strings (json_agg); Date-ify in one place. */
const toDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));

// ---- news ---------------------------------------------------------------------------------

interface NewsRow {
  id: string;
  group_id: string;
  title: string;
  body: string;
  urgency: DigestNewsItem['urgency'];
  pinned: boolean;
  publish_at: Date;
  prominent: boolean;
}

/**
 * Posts published in the window, not expired at its end, not the member's own: urgent or
 * pinned ones (first in the mail) and the others, each capped. One query for both.
 */
export async function newsSections(
  context: SectionContext,
): Promise<{ urgent: Section<DigestNewsItem>; news: Section<DigestNewsItem> }> {
  const groupIds = context.groups.idsWith('news');
  if (groupIds.length === 0) return { urgent: empty(), news: empty() };
  const rows = await context.em.execute<NewsRow[]>(
    `select id, group_id, title, body, urgency, pinned, publish_at, prominent from (
       select p.id, p.group_id, p.title, left(p.body, ${BODY_PREFIX}) as body, p.urgency, p.pinned, p.publish_at,
              (p.urgency = 'urgent' or p.pinned) as prominent,
              row_number() over (partition by (p.urgency = 'urgent' or p.pinned)
                                 order by p.publish_at desc, p.id desc) as rank
         from news_posts p
        where p.group_id = any(array[?]::uuid[])
          and p.publish_at >= ? and p.publish_at < ?
          and (p.expires_at is null or p.expires_at > ?)
          and p.author_id is distinct from ?::uuid) ranked
      where rank <= ${DIGEST_SECTION_LIMIT}
      order by publish_at desc, id desc`,
    [groupIds, context.since, context.until, context.until, context.recipient.memberId],
  );
  const item = (row: NewsRow): DigestNewsItem => {
    const group = context.groups.get(row.group_id);
    return {
      title: row.title,
      excerpt: markdownExcerpt(row.body),
      groupName: group.name,
      urgency: row.urgency,
      pinned: row.pinned,
      publishedAt: toDate(row.publish_at),
      url: context.links.newsPost(context.slug, group.key, row.id),
    };
  };
  const urgent = rows.filter((row) => row.prominent).map(item);
  const news = rows.filter((row) => !row.prominent).map(item);
  return {
    urgent: { items: urgent, hasNew: urgent.length > 0 },
    news: { items: news, hasNew: news.length > 0 },
  };
}

// ---- listings -----------------------------------------------------------------------------

interface ListingRow {
  id: string;
  group_id: string;
  title: string;
  kind: string;
  created_at: Date;
}

/** Open listings created in the window by others. */
export async function listingsSection(context: SectionContext): Promise<Section<DigestListingItem>> {
  const groupIds = context.groups.idsWith('listings');
  if (groupIds.length === 0) return empty();
  const rows = await context.em.execute<ListingRow[]>(
    `select l.id, l.group_id, l.title, l.kind, l.created_at
       from listings l
      where l.group_id = any(array[?]::uuid[]) and l.status = 'open'
        and l.created_at >= ? and l.created_at < ?
        and l.expires_at > ?
        and l.author_id <> ?::uuid
      order by l.created_at desc, l.id desc
      limit ${DIGEST_SECTION_LIMIT}`,
    [groupIds, context.since, context.until, context.until, context.recipient.memberId],
  );
  const items = rows.map((row) => {
    const group = context.groups.get(row.group_id);
    return {
      title: row.title,
      kind: row.kind,
      groupName: group.name,
      createdAt: toDate(row.created_at),
      url: context.links.listing(context.slug, group.key, row.id),
    };
  });
  return { items, hasNew: items.length > 0 };
}

// ---- calls for help -----------------------------------------------------------------------

interface CallRow {
  id: string;
  group_id: string;
  title: string;
  is_new: boolean;
  shifts: { startsAt: string; endsAt: string; missing: number }[];
  items: { name: string; missing: number }[];
}

/**
 * Open calls of others: those created in the window, and older ones that still miss people
 * for a shift in the week after the window (a reminder, not news: they alone make no digest).
 * Open needs are shifts not over at the window's end that are not full, and items still short.
 */
export async function callsSection(context: SectionContext): Promise<Section<DigestCallItem>> {
  const groupIds = context.groups.idsWith('volunteering');
  if (groupIds.length === 0) return empty();
  const rows = await context.em.execute<CallRow[]>(
    ...bind(
      `select c.id, c.group_id, c.title,
            (c.created_at >= @since and c.created_at < @until) as is_new,
            coalesce((select json_agg(json_build_object('startsAt', s.starts_at, 'endsAt', s.ends_at,
                                                        'missing', s.helpers_needed - s.pledged_count)
                                      order by s.starts_at, s.id)
                        from (select * from volunteer_shifts s
                               where s.call_id = c.id and s.starts_at >= @until and s.pledged_count < s.helpers_needed
                               order by s.starts_at, s.id limit ${DIGEST_SECTION_LIMIT}) s), '[]'::json) as shifts,
            coalesce((select json_agg(json_build_object('name', i.name,
                                                        'missing', i.quantity_needed - i.pledged_quantity)
                                      order by i.created_at, i.id)
                        from (select * from volunteer_items i
                               where i.call_id = c.id and i.pledged_quantity < i.quantity_needed
                               order by i.created_at, i.id limit ${DIGEST_SECTION_LIMIT}) i), '[]'::json) as items
       from volunteer_calls c
      where c.group_id = any(array[@groupIds]::uuid[]) and c.status = 'open' and c.author_id <> @memberId::uuid
        and ((c.created_at >= @since and c.created_at < @until)
             or exists (select 1 from volunteer_shifts s
                         where s.call_id = c.id and s.starts_at >= @until and s.starts_at < @lookaheadEnd
                           and s.pledged_count < s.helpers_needed))
      order by c.created_at desc, c.id desc
      limit ${DIGEST_SECTION_LIMIT}`,
      {
        since: context.since,
        until: context.until,
        groupIds,
        memberId: context.recipient.memberId,
        lookaheadEnd: lookaheadEnd(context),
      },
    ),
  );
  const items = rows.map((row) => {
    const group = context.groups.get(row.group_id);
    return {
      title: row.title,
      groupName: group.name,
      openShifts: row.shifts.map((shift) => ({
        label: shiftLabel(toDate(shift.startsAt), toDate(shift.endsAt), context.recipient),
        startsAt: toDate(shift.startsAt),
        missing: shift.missing,
      })),
      openItems: row.items.map((item) => ({ label: item.name, missing: item.missing })),
      url: context.links.call(context.slug, group.key, row.id),
    };
  });
  return { items, hasNew: rows.some((row) => row.is_new) };
}

/**
 * Shifts have no name of their own; their label is the time span in the recipient's zone and
 * language ("14:00–17:00"; the renderer shows the day from `startsAt`).
 */
export function shiftLabel(startsAt: Date, endsAt: Date, recipient: MailRecipient): string {
  const time = new Intl.DateTimeFormat(recipient.language === 'en' ? 'en-GB' : 'de-DE', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: recipient.timeZone,
  });
  return `${time.format(startsAt)}–${time.format(endsAt)}`;
}

// ---- events -------------------------------------------------------------------------------

interface EventRow {
  id: string;
  group_id: string;
  title: string;
  starts_at: Date;
  ends_at: Date | null;
  place: string | null;
  answer: DigestEventItem['myAnswer'];
  any_new: boolean;
}

/**
 * Events starting in the week after the window, not cancelled, with the member's own answer.
 * New only when one of them was created in the window by someone else.
 */
export async function eventsSection(context: SectionContext): Promise<Section<DigestEventItem>> {
  const groupIds = context.groups.idsWith('events');
  if (groupIds.length === 0) return empty();
  const memberId = context.recipient.memberId;
  const rows = await context.em.execute<EventRow[]>(
    `select e.id, e.group_id, e.title, e.starts_at, e.ends_at, e.place, r.answer,
            -- evaluated before the limit: a new event past the cap still counts
            bool_or(e.created_at >= ? and e.created_at < ? and e.author_id <> ?::uuid) over () as any_new
       from events e
       left join event_rsvps r on r.event_id = e.id and r.member_id = ?::uuid
      where e.group_id = any(array[?]::uuid[]) and e.starts_at >= ? and e.starts_at < ? and e.cancelled_at is null
      order by e.starts_at, e.id
      limit ${DIGEST_SECTION_LIMIT}`,
    [context.since, context.until, memberId, memberId, groupIds, context.until, lookaheadEnd(context)],
  );
  const items = rows.map((row) => {
    const group = context.groups.get(row.group_id);
    return {
      title: row.title,
      groupName: group.name,
      startsAt: toDate(row.starts_at),
      endsAt: row.ends_at === null ? null : toDate(row.ends_at),
      location: row.place,
      myAnswer: row.answer ?? null,
      url: context.links.event(context.slug, group.key, row.id),
    };
  });
  return { items, hasNew: rows.some((row) => row.any_new) };
}

// ---- activity -----------------------------------------------------------------------------

type ActivityKind = 'bookingApproved' | 'bookingDeclined' | 'bookingCancelled' | 'pledgeCallClosed';

interface ActivityRow {
  kind: ActivityKind;
  id: string;
  group_id: string;
  /** The resource's localized name (bookings) or the call's title as a JSON string (pledges). */
  subject: Record<string, string | undefined> | string;
  from_at: Date | null;
  at: Date;
}

/**
 * Changes in the window to the member's own things, made by someone else: their booking
 * requests approved, declined or cancelled by a steward (automatic approvals have no decider and
 * are left out), and calls they pledged for closed by the organisers.
 */
export async function activitySection(context: SectionContext): Promise<Section<DigestActivityItem>> {
  const bookingGroups = context.groups.idsWith('booking');
  const callGroups = context.groups.idsWith('volunteering');
  if (bookingGroups.length === 0 && callGroups.length === 0) return empty();
  const sql = `
    select e.kind, b.id, b.group_id, r.name as subject, b.starts_at as from_at, e.at
      from bookings b
      join bookable_resources r on r.id = b.resource_id
      cross join lateral (values
        ('bookingApproved', case when b.status in ('approved', 'cancelled') and b.decided_by_member_id <> @memberId
                                 then b.decided_at end),
        ('bookingDeclined', case when b.status = 'declined' and b.decided_by_member_id <> @memberId
                                 then b.decided_at end),
        ('bookingCancelled', case when b.cancelled_by_member_id is distinct from @memberId
                                  then b.cancelled_at end)) e(kind, at)
     where b.requester_id = @memberId and b.group_id = any(array[@bookingGroups]::uuid[])
       and ((b.decided_at >= @since and b.decided_at < @until) or (b.cancelled_at >= @since and b.cancelled_at < @until))
       and e.at >= @since and e.at < @until
    union all
    select 'pledgeCallClosed', c.id, c.group_id, to_jsonb(c.title), null, c.closed_at
      from volunteer_calls c
     where c.group_id = any(array[@callGroups]::uuid[]) and c.status = 'closed'
       and c.closed_at >= @since and c.closed_at < @until and c.author_id <> @memberId
       and exists (select 1 from volunteer_pledges p
                     left join volunteer_shifts s on s.id = p.shift_id
                     left join volunteer_items i on i.id = p.item_id
                    where p.member_id = @memberId and (s.call_id = c.id or i.call_id = c.id))
    order by at desc, id desc
    limit ${DIGEST_SECTION_LIMIT}`;
  const rows = await context.em.execute<ActivityRow[]>(
    ...bind(sql, {
      memberId: context.recipient.memberId,
      bookingGroups,
      callGroups,
      since: context.since,
      until: context.until,
    }),
  );
  const items = rows.map((row): DigestActivityItem => {
    const group = context.groups.get(row.group_id);
    const at = toDate(row.at);
    if (row.kind === 'pledgeCallClosed') {
      return {
        messageKey: `mail.digest.activity.${row.kind}`,
        params: { call: typeof row.subject === 'string' ? row.subject : '' },
        at,
        url: context.links.call(context.slug, group.key, row.id),
      };
    }
    const resource =
      typeof row.subject === 'string' ? row.subject : localizedName(row.subject, context.recipient.language);
    return {
      messageKey: `mail.digest.activity.${row.kind}`,
      params: { resource, from: toDate(row.from_at!) },
      at,
      url: context.links.bookingRequest(context.slug, group.key, row.id),
    };
  });
  return { items, hasNew: items.length > 0 };
}

// ---- discussions --------------------------------------------------------------------------

interface ThreadRow {
  id: string;
  group_id: string;
  title: string;
  created_at: Date;
  given_name: string;
  family_name: string;
}

/** Threads started in the window by others, not hidden or deleted. */
export async function threadsSection(context: SectionContext): Promise<Section<DigestThreadItem>> {
  const groupIds = context.groups.idsWith('discussions');
  if (groupIds.length === 0) return empty();
  const rows = await context.em.execute<ThreadRow[]>(
    // last_activity_at >= created_at always: the extra bound lets the (group, last activity) index narrow the scan.
    `select t.id, t.group_id, t.title, t.created_at, m.given_name, m.family_name
       from discussion_threads t
       join members m on m.id = t.author_id
      where t.group_id = any(array[?]::uuid[]) and t.last_activity_at >= ?
        and t.created_at >= ? and t.created_at < ?
        and t.hidden_at is null and t.deleted_at is null
        and t.author_id <> ?::uuid
      order by t.created_at desc, t.id desc
      limit ${DIGEST_SECTION_LIMIT}`,
    [groupIds, context.since, context.since, context.until, context.recipient.memberId],
  );
  const items = rows.map((row) => {
    const group = context.groups.get(row.group_id);
    return {
      title: row.title,
      groupName: group.name,
      authorName: [row.given_name, row.family_name].filter(Boolean).join(' '),
      createdAt: toDate(row.created_at),
      url: context.links.thread(context.slug, group.key, row.id),
    };
  });
  return { items, hasNew: items.length > 0 };
}
