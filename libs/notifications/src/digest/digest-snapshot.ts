import type { EntityManager } from '@mikro-orm/postgresql';
import type { DigestEventItem, DigestNewsItem } from '@allmende/mail';
import { markdownExcerpt } from './digest-excerpt';
import { DIGEST_MODULES, isOpen, type DigestModule } from './digest-groups';

/** Events and shifts this far after the digest's end are "coming up". */
export const DIGEST_LOOKAHEAD_MS = 7 * 24 * 60 * 60 * 1000;
/** At most this many items per section, newest first (soonest first for events). */
export const DIGEST_SECTION_LIMIT = 10;
/** Markdown read per post for its excerpt: enough for 200 characters of text after markup. */
const BODY_PREFIX = 4000;

/**
 * Everything any member's digest of one tenant and one window can show, member-independent:
 * the candidate rows of every section in every group with the module, each list already in
 * the section's order, plus what decides who may read which group. A member's digest is a
 * filter over it (digest-sections.ts): readable and unmuted groups, not their own, capped.
 */
export interface DigestSnapshot {
  tenantId: string;
  since: Date;
  until: Date;
  /** Groups with at least one digest module. */
  groups: SnapshotGroup[];
  /** Members of the groups that are not open to every member (private ones): memberId → groupIds. */
  memberships: Map<string, Set<string>>;
  /** Tenant admins read every group. */
  adminIds: Set<string>;
  /** Newest first. */
  news: SnapshotNews[];
  /** Newest first. */
  listings: SnapshotListing[];
  /** Newest first. */
  calls: SnapshotCall[];
  /** Soonest first. */
  events: SnapshotEvent[];
  bookings: SnapshotBooking[];
  closedCalls: SnapshotClosedCall[];
  /** Newest first. */
  threads: SnapshotThread[];
}

export interface SnapshotGroup {
  id: string;
  key: string;
  name: Record<string, string | undefined>;
  /** 'public' and 'members' groups are readable by every member. */
  visibility: string;
  modules: ReadonlySet<DigestModule>;
}

export interface SnapshotNews {
  id: string;
  groupId: string;
  authorId: string | null;
  title: string;
  excerpt: string;
  urgency: DigestNewsItem['urgency'];
  pinned: boolean;
  publishedAt: Date;
  /** Urgent or pinned: the first section of the mail. */
  prominent: boolean;
}

export interface SnapshotListing {
  id: string;
  groupId: string;
  authorId: string | null;
  title: string;
  kind: string;
  createdAt: Date;
}

export interface SnapshotCall {
  id: string;
  groupId: string;
  authorId: string | null;
  title: string;
  /** Created in the window (else a reminder of a call still missing people). */
  isNew: boolean;
  shifts: { startsAt: Date; endsAt: Date; missing: number }[];
  items: { name: string; missing: number }[];
}

export interface SnapshotEvent {
  id: string;
  groupId: string;
  authorId: string | null;
  title: string;
  startsAt: Date;
  endsAt: Date | null;
  place: string | null;
  createdInWindow: boolean;
  /** Every answer to the event: memberId → answer. */
  answers: Map<string, NonNullable<DigestEventItem['myAnswer']>>;
}

export interface SnapshotBooking {
  id: string;
  groupId: string;
  requesterId: string;
  /** Localized names as JSON (a plain string from old data). */
  resourceName: Record<string, string | undefined> | string;
  startsAt: Date;
  status: string;
  decidedAt: Date | null;
  decidedById: string | null;
  cancelledAt: Date | null;
  cancelledById: string | null;
}

export interface SnapshotClosedCall {
  id: string;
  groupId: string;
  authorId: string | null;
  title: string;
  closedAt: Date;
  pledgerIds: Set<string>;
}

export interface SnapshotThread {
  id: string;
  groupId: string;
  authorId: string;
  title: string;
  createdAt: Date;
  authorName: string;
}

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
export const toDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));

/**
 * Loads the snapshot of the current tenant (RLS of `em`'s scope) for [since, until): one query
 * per kind of row, the same for every member. Run it in one transaction for one consistent view.
 */
export async function loadDigestSnapshot(
  em: EntityManager,
  tenantId: string,
  since: Date,
  until: Date,
): Promise<DigestSnapshot> {
  const groups = await loadGroups(em);
  const idsWith = (module: DigestModule) => groups.filter((g) => g.modules.has(module)).map((g) => g.id);
  const values = {
    since,
    until,
    lookaheadEnd: new Date(until.getTime() + DIGEST_LOOKAHEAD_MS),
    newsGroups: idsWith('news'),
    listingGroups: idsWith('listings'),
    callGroups: idsWith('volunteering'),
    eventGroups: idsWith('events'),
    bookingGroups: idsWith('booking'),
    threadGroups: idsWith('discussions'),
    closedGroups: groups.filter((g) => !isOpen(g)).map((g) => g.id),
  };
  // One after the other: a transaction is one connection, which runs one query at a time anyway.
  const memberships = await loadMemberships(em, values);
  const adminRows = await em.execute<{ id: string }[]>(`select id from members where role = 'tenant_admin'`);
  return {
    tenantId,
    since,
    until,
    groups,
    memberships,
    adminIds: new Set(adminRows.map((row) => row.id)),
    news: values.newsGroups.length ? await loadNews(em, values) : [],
    listings: values.listingGroups.length ? await loadListings(em, values) : [],
    calls: values.callGroups.length ? await loadCalls(em, values) : [],
    events: values.eventGroups.length ? await loadEvents(em, values) : [],
    bookings: values.bookingGroups.length ? await loadBookings(em, values) : [],
    closedCalls: values.callGroups.length ? await loadClosedCalls(em, values) : [],
    threads: values.threadGroups.length ? await loadThreads(em, values) : [],
  };
}

type Values = Record<string, unknown>;

async function loadGroups(em: EntityManager): Promise<SnapshotGroup[]> {
  const rows = await em.execute<
    {
      id: string;
      key: string;
      name: Record<string, string | undefined>;
      visibility: string;
      modules: string[];
    }[]
  >(
    `select g.id, g.key, g.name, g.visibility::text as visibility,
            array_agg(gm.module::text order by gm.module)::text[] as modules
       from groups g
       join group_modules gm on gm.group_id = g.id and gm.module = any(array[?]::text[])
      group by g.id`,
    [[...DIGEST_MODULES]],
  );
  return rows.map((row) => ({
    id: row.id,
    key: row.key,
    name: row.name,
    visibility: row.visibility,
    modules: new Set(row.modules as DigestModule[]),
  }));
}

async function loadMemberships(em: EntityManager, values: Values): Promise<Map<string, Set<string>>> {
  const memberships = new Map<string, Set<string>>();
  if ((values.closedGroups as string[]).length === 0) return memberships;
  const rows = await em.execute<{ member_id: string; group_id: string }[]>(
    ...bind(
      `select member_id, group_id from group_members where group_id = any(array[@closedGroups]::uuid[])`,
      values,
    ),
  );
  for (const row of rows) {
    let groups = memberships.get(row.member_id);
    if (!groups) memberships.set(row.member_id, (groups = new Set()));
    groups.add(row.group_id);
  }
  return memberships;
}

/** Posts published in the window, not expired at its end. */
async function loadNews(em: EntityManager, values: Values): Promise<SnapshotNews[]> {
  const rows = await em.execute<
    {
      id: string;
      group_id: string;
      author_id: string | null;
      title: string;
      body: string;
      urgency: DigestNewsItem['urgency'];
      pinned: boolean;
      publish_at: Date;
    }[]
  >(
    ...bind(
      `select p.id, p.group_id, p.author_id, p.title, left(p.body, ${BODY_PREFIX}) as body, p.urgency, p.pinned,
              p.publish_at
         from news_posts p
        where p.group_id = any(array[@newsGroups]::uuid[])
          and p.publish_at >= @since and p.publish_at < @until
          and (p.expires_at is null or p.expires_at > @until)
        order by p.publish_at desc, p.id desc`,
      values,
    ),
  );
  return rows.map((row) => ({
    id: row.id,
    groupId: row.group_id,
    authorId: row.author_id,
    title: row.title,
    // Once per post, not once per reader.
    excerpt: markdownExcerpt(row.body),
    urgency: row.urgency,
    pinned: row.pinned,
    publishedAt: toDate(row.publish_at),
    prominent: row.urgency === 'urgent' || row.pinned,
  }));
}

/** Open listings created in the window, not expired at its end. */
async function loadListings(em: EntityManager, values: Values): Promise<SnapshotListing[]> {
  const rows = await em.execute<
    {
      id: string;
      group_id: string;
      author_id: string | null;
      title: string;
      kind: string;
      created_at: Date;
    }[]
  >(
    ...bind(
      `select l.id, l.group_id, l.author_id, l.title, l.kind, l.created_at
         from listings l
        where l.group_id = any(array[@listingGroups]::uuid[]) and l.status = 'open'
          and l.created_at >= @since and l.created_at < @until
          and l.expires_at > @until
        order by l.created_at desc, l.id desc`,
      values,
    ),
  );
  return rows.map((row) => ({
    id: row.id,
    groupId: row.group_id,
    authorId: row.author_id,
    title: row.title,
    kind: row.kind,
    createdAt: toDate(row.created_at),
  }));
}

/**
 * Open calls created in the window, and older ones that still miss people for a shift in the
 * week after the window. Open needs: shifts not started at the window's end that are not full,
 * items still short (each capped).
 */
async function loadCalls(em: EntityManager, values: Values): Promise<SnapshotCall[]> {
  const rows = await em.execute<
    {
      id: string;
      group_id: string;
      author_id: string | null;
      title: string;
      is_new: boolean;
      shifts: { startsAt: string; endsAt: string; missing: number }[];
      items: { name: string; missing: number }[];
    }[]
  >(
    ...bind(
      `select c.id, c.group_id, c.author_id, c.title,
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
      where c.group_id = any(array[@callGroups]::uuid[]) and c.status = 'open'
        and ((c.created_at >= @since and c.created_at < @until)
             or exists (select 1 from volunteer_shifts s
                         where s.call_id = c.id and s.starts_at >= @until and s.starts_at < @lookaheadEnd
                           and s.pledged_count < s.helpers_needed))
      order by c.created_at desc, c.id desc`,
      values,
    ),
  );
  return rows.map((row) => ({
    id: row.id,
    groupId: row.group_id,
    authorId: row.author_id,
    title: row.title,
    isNew: row.is_new,
    shifts: row.shifts.map((shift) => ({
      startsAt: toDate(shift.startsAt),
      endsAt: toDate(shift.endsAt),
      missing: shift.missing,
    })),
    items: row.items,
  }));
}

/** Events starting in the week after the window, not cancelled, with every answer to them. */
async function loadEvents(em: EntityManager, values: Values): Promise<SnapshotEvent[]> {
  const rows = await em.execute<
    {
      id: string;
      group_id: string;
      author_id: string | null;
      title: string;
      starts_at: Date;
      ends_at: Date | null;
      place: string | null;
      created_in_window: boolean;
      answers: Record<string, NonNullable<DigestEventItem['myAnswer']>>;
    }[]
  >(
    ...bind(
      `select e.id, e.group_id, e.author_id, e.title, e.starts_at, e.ends_at, e.place,
              (e.created_at >= @since and e.created_at < @until) as created_in_window,
              coalesce((select json_object_agg(r.member_id, r.answer) from event_rsvps r where r.event_id = e.id),
                       '{}'::json) as answers
         from events e
        where e.group_id = any(array[@eventGroups]::uuid[])
          and e.starts_at >= @until and e.starts_at < @lookaheadEnd and e.cancelled_at is null
        order by e.starts_at, e.id`,
      values,
    ),
  );
  return rows.map((row) => ({
    id: row.id,
    groupId: row.group_id,
    authorId: row.author_id,
    title: row.title,
    startsAt: toDate(row.starts_at),
    endsAt: row.ends_at === null ? null : toDate(row.ends_at),
    place: row.place,
    createdInWindow: row.created_in_window,
    answers: new Map(Object.entries(row.answers)),
  }));
}

/** Bookings decided or cancelled in the window (whose requester they concern is decided per member). */
async function loadBookings(em: EntityManager, values: Values): Promise<SnapshotBooking[]> {
  const rows = await em.execute<
    {
      id: string;
      group_id: string;
      requester_id: string;
      name: Record<string, string | undefined> | string;
      starts_at: Date;
      status: string;
      decided_at: Date | null;
      decided_by_member_id: string | null;
      cancelled_at: Date | null;
      cancelled_by_member_id: string | null;
    }[]
  >(
    ...bind(
      `select b.id, b.group_id, b.requester_id, r.name, b.starts_at, b.status::text as status,
              b.decided_at, b.decided_by_member_id, b.cancelled_at, b.cancelled_by_member_id
         from bookings b
         join bookable_resources r on r.id = b.resource_id
        where b.group_id = any(array[@bookingGroups]::uuid[])
          and ((b.decided_at >= @since and b.decided_at < @until)
               or (b.cancelled_at >= @since and b.cancelled_at < @until))`,
      values,
    ),
  );
  return rows.map((row) => ({
    id: row.id,
    groupId: row.group_id,
    requesterId: row.requester_id,
    resourceName: row.name,
    startsAt: toDate(row.starts_at),
    status: row.status,
    decidedAt: row.decided_at === null ? null : toDate(row.decided_at),
    decidedById: row.decided_by_member_id,
    cancelledAt: row.cancelled_at === null ? null : toDate(row.cancelled_at),
    cancelledById: row.cancelled_by_member_id,
  }));
}

/** Calls closed in the window, with everyone who pledged for one of their shifts or items. */
async function loadClosedCalls(em: EntityManager, values: Values): Promise<SnapshotClosedCall[]> {
  const rows = await em.execute<
    {
      id: string;
      group_id: string;
      author_id: string | null;
      title: string;
      closed_at: Date;
      pledgers: string[];
    }[]
  >(
    ...bind(
      `select c.id, c.group_id, c.author_id, c.title, c.closed_at,
              array(select p.member_id::text from volunteer_pledges p
                      join volunteer_shifts s on s.id = p.shift_id where s.call_id = c.id
                    union
                    select p.member_id::text from volunteer_pledges p
                      join volunteer_items i on i.id = p.item_id where i.call_id = c.id)::text[] as pledgers
         from volunteer_calls c
        where c.group_id = any(array[@callGroups]::uuid[]) and c.status = 'closed'
          and c.closed_at >= @since and c.closed_at < @until`,
      values,
    ),
  );
  return rows.map((row) => ({
    id: row.id,
    groupId: row.group_id,
    authorId: row.author_id,
    title: row.title,
    closedAt: toDate(row.closed_at),
    pledgerIds: new Set(row.pledgers),
  }));
}

/** Threads started in the window, not hidden or deleted. */
async function loadThreads(em: EntityManager, values: Values): Promise<SnapshotThread[]> {
  const rows = await em.execute<
    {
      id: string;
      group_id: string;
      author_id: string;
      title: string;
      created_at: Date;
      given_name: string;
      family_name: string;
    }[]
  >(
    ...bind(
      // last_activity_at >= created_at always: the extra bound lets the (group, last activity) index narrow the scan.
      `select t.id, t.group_id, t.author_id, t.title, t.created_at, m.given_name, m.family_name
         from discussion_threads t
         join members m on m.id = t.author_id
        where t.group_id = any(array[@threadGroups]::uuid[]) and t.last_activity_at >= @since
          and t.created_at >= @since and t.created_at < @until
          and t.hidden_at is null and t.deleted_at is null
        order by t.created_at desc, t.id desc`,
      values,
    ),
  );
  return rows.map((row) => ({
    id: row.id,
    groupId: row.group_id,
    authorId: row.author_id,
    title: row.title,
    createdAt: toDate(row.created_at),
    authorName: [row.given_name, row.family_name].filter(Boolean).join(' '),
  }));
}
