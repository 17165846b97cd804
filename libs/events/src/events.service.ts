import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@allmende/auth';
import {
  decodeCursor,
  GroupAccess,
  recordAudit,
  recordOutboxEvent,
  renderMarkdown,
  toPage,
  type GroupAccessContext,
  type Page,
} from '@allmende/content';
import { ProblemException } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { GroupModuleSchema, type Group } from '@allmende/groups';
import { memberReferenceOf, MemberSchema } from '@allmende/members';
import { EventRsvpSchema } from './event-rsvp.entity';
import { EventSchema, type Event } from './event.entity';
import { conflict, lockEvent, promote, setRsvp } from './event-rsvps';
import type {
  AttendeeView,
  CreateEventInput,
  EditEventInput,
  EventView,
  MyRsvpView,
  RangeQuery,
  RsvpCountsView,
  RsvpInput,
} from './event-views';

export const EVENTS_MODULE = 'events';

interface Counts {
  yes: number;
  maybe: number;
  no: number;
  placesTaken: number;
  waitlisted: number;
  waitlistedPlaces: number;
}

/**
 * Events of groups and their RSVPs, with the rules of the issue: members of the group create
 * events and answer; the author or a moderator (group admin, tenant admin) edits and cancels
 * (moderators acting on others' events are audited). Places and the waitlist change only
 * under the event's row lock (see event-rsvps.ts).
 */
@Injectable()
export class EventsService {
  constructor(
    private readonly scope: TenantScope,
    private readonly access: GroupAccess,
  ) {}

  // ---- reading ----------------------------------------------------------------------------

  /** Events of a group overlapping the range, by start. */
  async listGroupEvents(actor: Actor, groupKey: string, query: RangeQuery): Promise<Page<EventView>> {
    const access = await this.access.require(actor, groupKey, EVENTS_MODULE);
    return this.eventPage([access.group.id], query, actor);
  }

  /** The tenant-wide calendar: events of every group with events that the caller may read. */
  async tenantEvents(actor: Actor, query: RangeQuery): Promise<Page<EventView>> {
    const groupIds = await this.access.readableGroupIds(actor, EVENTS_MODULE);
    if (groupIds.length === 0) return { items: [], nextCursor: null };
    return this.eventPage(groupIds, query, actor);
  }

  async getEvent(actor: Actor, groupKey: string, eventId: string): Promise<EventView> {
    const access = await this.access.require(actor, groupKey, EVENTS_MODULE);
    const event = await this.findEvent(access, eventId);
    return this.view(event, actor);
  }

  /** Who answered what: names only, for the author and moderators. */
  async attendees(actor: Actor, groupKey: string, eventId: string): Promise<AttendeeView[]> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    const access = await this.access.require(actor, groupKey, EVENTS_MODULE);
    const event = await this.findEvent(access, eventId);
    if (event.author.id !== actor.membership?.memberId && !access.canModerate) {
      throw ProblemException.forbidden('Only the author or a group admin may see the attendees.');
    }
    const rows = await this.scope.em().execute<
      {
        member_id: string;
        given_name: string;
        family_name: string;
        answer: AttendeeView['answer'];
        guests: number;
        status: AttendeeView['status'];
        waitlist_position: number | null;
        answered_at: Date;
      }[]
    >(
      `select r.member_id, m.given_name, m.family_name, r.answer, r.guests, r.status, r.answered_at,
              case when r.status = 'waitlisted'
                   then row_number() over (partition by r.status order by r.position, r.answered_at, r.id)
              end::int as waitlist_position
         from event_rsvps r join members m on m.id = r.member_id
        where r.event_id = ?
        order by (r.status = 'waitlisted'), r.position, r.answered_at, r.id`,
      [event.id],
    );
    return rows.map((row) => ({
      memberId: row.member_id,
      givenName: row.given_name,
      familyName: row.family_name,
      answer: row.answer,
      guests: row.guests,
      status: row.status,
      waitlistPosition: row.waitlist_position,
      answeredAt: new Date(row.answered_at).toISOString(),
    }));
  }

  // ---- writing ----------------------------------------------------------------------------

  async createEvent(actor: Actor, groupKey: string, input: CreateEventInput): Promise<EventView> {
    const access = await this.access.requireWrite(actor, groupKey, EVENTS_MODULE);
    const em = this.scope.em();
    const event = this.addEvent(em, access.group, actor.membership!.memberId, input);
    await em.flush(); // one flush: the event and its outbox row in one transaction
    await em.populate(event, ['author']);
    return this.view(event, actor);
  }

  /**
   * Adds an event (and its `events.event.created` outbox row) to `em`'s unit of work without
   * flushing, for callers that write more in the same transaction (polls finalising into an
   * event). The group must have the events module (409 otherwise); who may do it is the
   * caller's rule.
   */
  async createEventInTransaction(
    em: EntityManager,
    group: Group,
    authorMemberId: string,
    input: CreateEventInput,
  ): Promise<Event> {
    const enabled = await em.findOne(GroupModuleSchema, { group: group.id, module: EVENTS_MODULE });
    if (!enabled) throw conflict('This group has no events module.');
    return this.addEvent(em, group, authorMemberId, input);
  }

  async editEvent(
    actor: Actor,
    groupKey: string,
    eventId: string,
    input: EditEventInput,
  ): Promise<EventView> {
    const access = await this.requireChanger(actor, groupKey);
    const event = await this.findEvent(access, eventId);
    const own = this.mayChange(event, actor, access);
    const startsAt = input.startsAt !== undefined ? new Date(input.startsAt) : event.startsAt;
    const endsAt = input.endsAt !== undefined ? new Date(input.endsAt) : event.endsAt;
    if (endsAt.getTime() <= startsAt.getTime()) {
      throw ProblemException.validation([{ path: 'endsAt', message: 'must be after startsAt' }]);
    }
    await this.scope.em().transactional(async (em) => {
      const locked = await lockEvent(em, event.id, access.group.id);
      if (locked.cancelledAt) throw conflict('This event is cancelled.');
      const row = await em.findOneOrFail(EventSchema, event.id, { refresh: true });
      if (input.title !== undefined) row.title = input.title;
      if (input.description !== undefined) row.description = input.description;
      if (input.place !== undefined) row.place = input.place;
      if (input.allDay !== undefined) row.allDay = input.allDay;
      if (startsAt.getTime() !== row.startsAt.getTime()) {
        // A new time: the day-before reminders go out again for it.
        await em.nativeUpdate(EventRsvpSchema, { event: event.id }, { remindedAt: null });
      }
      row.startsAt = startsAt;
      row.endsAt = endsAt;
      row.editedAt = new Date();
      if (input.capacity !== undefined && input.capacity !== locked.capacity) {
        // More places (or none limited) may let waiting parties in; fewer places demote nobody.
        row.capacity = input.capacity;
        await promote(em, { ...locked, capacity: input.capacity });
      }
      recordOutboxEvent(em, 'events.event.updated', {
        groupId: access.group.id,
        eventId: event.id,
        participantMemberIds: await this.participants(em, event.id),
      });
      if (!own) this.audit(em, actor, 'events.event.edited', event.id, access);
    });
    return this.view(await this.findEvent(access, eventId, true), actor);
  }

  async cancelEvent(actor: Actor, groupKey: string, eventId: string): Promise<EventView> {
    const access = await this.requireChanger(actor, groupKey);
    const event = await this.findEvent(access, eventId);
    const own = this.mayChange(event, actor, access);
    await this.scope.em().transactional(async (em) => {
      const locked = await lockEvent(em, event.id, access.group.id);
      if (locked.cancelledAt) throw conflict('This event is cancelled already.');
      await em.execute(`update events set cancelled_at = now(), updated_at = now() where id = ?`, [event.id]);
      recordOutboxEvent(em, 'events.event.cancelled', {
        groupId: access.group.id,
        eventId: event.id,
        participantMemberIds: await this.participants(em, event.id),
      });
      if (!own) this.audit(em, actor, 'events.event.cancelled', event.id, access);
    });
    return this.view(await this.findEvent(access, eventId, true), actor);
  }

  /** Answers for the caller (members of the group), under the event's lock. */
  async rsvp(actor: Actor, groupKey: string, eventId: string, input: RsvpInput | null): Promise<EventView> {
    const access = await this.access.requireWrite(actor, groupKey, EVENTS_MODULE);
    const memberId = actor.membership!.memberId;
    await this.scope.em().transactional(async (em) => {
      const locked = await lockEvent(em, eventId, access.group.id);
      await setRsvp(em, locked, memberId, input);
    });
    return this.view(await this.findEvent(access, eventId, true), actor);
  }

  // ---- helpers ----------------------------------------------------------------------------

  private addEvent(em: EntityManager, group: Group, authorMemberId: string, input: CreateEventInput): Event {
    const event = em.create(EventSchema, {
      group,
      author: em.getReference(MemberSchema, authorMemberId),
      title: input.title,
      description: input.description,
      place: input.place,
      startsAt: new Date(input.startsAt),
      endsAt: new Date(input.endsAt),
      allDay: input.allDay,
      capacity: input.capacity,
    });
    recordOutboxEvent(em, 'events.event.created', {
      groupId: group.id,
      eventId: event.id,
      authorMemberId,
    });
    return event;
  }

  /** Editing and cancelling need a signed-in reader; `mayChange` then allows the author and moderators. */
  private async requireChanger(actor: Actor, groupKey: string): Promise<GroupAccessContext> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    return this.access.require(actor, groupKey, EVENTS_MODULE);
  }

  /** Whether this is the caller's own event; 403 unless it is theirs or they moderate. */
  private mayChange(event: Event, actor: Actor, access: GroupAccessContext): boolean {
    const own = event.author.id === actor.membership?.memberId;
    if (!own && !access.canModerate) {
      throw ProblemException.forbidden('Only the author or a group admin may change this event.');
    }
    return own;
  }

  private audit(
    em: EntityManager,
    actor: Actor,
    action: string,
    eventId: string,
    access: GroupAccessContext,
  ): void {
    recordAudit(em, actor, {
      action,
      entityType: 'event',
      entityId: eventId,
      details: { groupId: access.group.id },
    });
  }

  /** Members who answered yes or maybe, or wait for a place: those who hear about changes. */
  private async participants(em: EntityManager, eventId: string): Promise<string[]> {
    const rows = await em.execute<{ member_id: string }[]>(
      `select member_id from event_rsvps where event_id = ? and answer in ('yes', 'maybe') order by answered_at, id`,
      [eventId],
    );
    return rows.map((row) => row.member_id);
  }

  private async findEvent(access: GroupAccessContext, eventId: string, refresh = false): Promise<Event> {
    const event = await this.scope
      .em()
      .findOne(
        EventSchema,
        { id: eventId, group: access.group.id },
        { populate: ['author', 'group'], refresh },
      );
    if (!event) throw ProblemException.notFound('No such event in this group.');
    return event;
  }

  private async eventPage(groupIds: string[], query: RangeQuery, actor: Actor): Promise<Page<EventView>> {
    const conditions: object[] = [
      { group: { $in: groupIds } },
      { startsAt: { $lt: query.to } },
      { endsAt: { $gt: query.from } },
    ];
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, 2) as [string, string];
      if (Number.isNaN(new Date(at).getTime())) {
        throw ProblemException.validation([{ path: 'cursor', message: 'not a cursor of this list' }]);
      }
      conditions.push({
        $or: [{ startsAt: { $gt: new Date(at) } }, { startsAt: new Date(at), id: { $gt: id } }],
      });
    }
    const events = await this.scope
      .em()
      .find(
        EventSchema,
        { $and: conditions },
        { orderBy: { startsAt: 'asc', id: 'asc' }, limit: query.limit + 1, populate: ['author', 'group'] },
      );
    const shown = events.slice(0, query.limit).map((event) => event.id);
    const counts = await this.counts(shown);
    const mine = await this.myRsvps(shown, actor.membership?.memberId ?? null);
    return toPage(
      events,
      query.limit,
      (event) => eventView(event, actor, counts.get(event.id), mine.get(event.id) ?? null),
      (event) => [event.startsAt.toISOString(), event.id],
    );
  }

  private async view(event: Event, actor: Actor): Promise<EventView> {
    const counts = await this.counts([event.id]);
    const mine = await this.myRsvps([event.id], actor.membership?.memberId ?? null);
    return eventView(event, actor, counts.get(event.id), mine.get(event.id) ?? null);
  }

  /** RSVP counts per event, counted (never stored), so they cannot drift. */
  private async counts(eventIds: string[]): Promise<Map<string, Counts>> {
    if (eventIds.length === 0) return new Map();
    const rows = await this.scope.em().execute<(Counts & { event_id: string })[]>(
      `select event_id,
              count(*) filter (where answer = 'yes' and status = 'confirmed')::int as "yes",
              count(*) filter (where answer = 'maybe')::int as "maybe",
              count(*) filter (where answer = 'no')::int as "no",
              coalesce(sum(1 + guests) filter (where answer = 'yes' and status = 'confirmed'), 0)::int as "placesTaken",
              count(*) filter (where status = 'waitlisted')::int as "waitlisted",
              coalesce(sum(1 + guests) filter (where status = 'waitlisted'), 0)::int as "waitlistedPlaces"
         from event_rsvps where event_id in (${eventIds.map(() => '?').join(', ')})
        group by event_id`,
      eventIds,
    );
    return new Map(rows.map(({ event_id, ...counts }) => [event_id, counts]));
  }

  /** The caller's RSVPs, with their rank on the waitlist (1 = next to be promoted). */
  private async myRsvps(eventIds: string[], memberId: string | null): Promise<Map<string, MyRsvpView>> {
    if (eventIds.length === 0 || !memberId) return new Map();
    const rows = await this.scope.em().execute<
      {
        event_id: string;
        answer: MyRsvpView['answer'];
        guests: number;
        status: MyRsvpView['status'];
        rank: number | null;
      }[]
    >(
      `select r.event_id, r.answer, r.guests, r.status,
              case when r.status = 'waitlisted' then (
                select count(*) from event_rsvps w
                 where w.event_id = r.event_id and w.status = 'waitlisted' and w.position <= r.position)
              end::int as rank
         from event_rsvps r
        where r.member_id = ? and r.event_id in (${eventIds.map(() => '?').join(', ')})`,
      [memberId, ...eventIds],
    );
    return new Map(
      rows.map((row) => [
        row.event_id,
        { answer: row.answer, guests: row.guests, status: row.status, waitlistPosition: row.rank },
      ]),
    );
  }
}

function eventView(
  event: Event,
  actor: Actor,
  counts: Counts | undefined,
  mine: MyRsvpView | null,
): EventView {
  const group = event.group.getEntity();
  const placesTaken = counts?.placesTaken ?? 0;
  const rsvpCounts: RsvpCountsView = {
    yes: counts?.yes ?? 0,
    maybe: counts?.maybe ?? 0,
    no: counts?.no ?? 0,
    placesTaken,
    placesLeft: event.capacity == null ? null : Math.max(event.capacity - placesTaken, 0),
    waitlisted: counts?.waitlisted ?? 0,
    waitlistedPlaces: counts?.waitlistedPlaces ?? 0,
  };
  return {
    id: event.id,
    group: { id: group.id, key: group.key },
    title: event.title,
    description: event.description,
    descriptionHtml: renderMarkdown(event.description),
    place: event.place ?? null,
    startsAt: event.startsAt.toISOString(),
    endsAt: event.endsAt.toISOString(),
    allDay: event.allDay,
    capacity: event.capacity ?? null,
    author: memberReferenceOf(event.author.getEntity()),
    mine: event.author.id === actor.membership?.memberId,
    createdAt: event.createdAt.toISOString(),
    editedAt: event.editedAt?.toISOString() ?? null,
    cancelled: !!event.cancelledAt,
    cancelledAt: event.cancelledAt?.toISOString() ?? null,
    counts: rsvpCounts,
    myRsvp: mine,
  };
}
