import type { EntityManager } from '@mikro-orm/postgresql';
import { newId, ProblemException } from '@allmende/core';
import { recordOutboxEvent } from '@allmende/content';
import { tenantContext } from '@allmende/db';
import type { RsvpAnswer, RsvpStatus } from './event-rsvp.entity';

/** The locked event row: what deciding about places needs. */
export interface LockedEvent {
  id: string;
  groupId: string;
  capacity: number | null;
  cancelledAt: Date | null;
}

interface RsvpRow {
  id: string;
  answer: RsvpAnswer;
  guests: number;
  status: RsvpStatus;
  position: number | null;
}

export function conflict(detail: string): ProblemException {
  return new ProblemException({ type: '/problems/conflict', title: 'Conflict', status: 409, detail });
}

/**
 * Locks the event's row until the end of the transaction. Every RSVP change and every
 * capacity change takes this lock first, so they run one after another per event and
 * "how many places are taken" is never read outside the lock.
 */
export async function lockEvent(em: EntityManager, eventId: string, groupId: string): Promise<LockedEvent> {
  const [row] = await em.execute<
    { id: string; group_id: string; capacity: number | null; cancelled_at: Date | null }[]
  >(`select id, group_id, capacity, cancelled_at from events where id = ? and group_id = ? for update`, [
    eventId,
    groupId,
  ]);
  if (!row) throw ProblemException.notFound('No such event in this group.');
  return { id: row.id, groupId: row.group_id, capacity: row.capacity, cancelledAt: row.cancelled_at };
}

/** Places taken by confirmed "yes" answers (members plus guests), optionally without one member. */
async function placesTaken(
  em: EntityManager,
  eventId: string,
  exceptMemberId: string | null,
): Promise<number> {
  const [row] = await em.execute<{ taken: number }[]>(
    `select coalesce(sum(1 + guests), 0)::int as taken from event_rsvps
      where event_id = ? and answer = 'yes' and status = 'confirmed' and member_id is distinct from ?::uuid`,
    [eventId, exceptMemberId],
  );
  return row?.taken ?? 0;
}

async function waitlistLength(em: EntityManager, eventId: string): Promise<number> {
  const [row] = await em.execute<{ n: number }[]>(
    `select count(*)::int as n from event_rsvps where event_id = ? and status = 'waitlisted'`,
    [eventId],
  );
  return row?.n ?? 0;
}

/**
 * Sets (or with `answer` null, removes) a member's RSVP and promotes from the waitlist; the
 * caller must run this inside a transaction holding `lockEvent`. Rules:
 * - a place is the member plus each guest; only "yes" takes places;
 * - a new "yes" is confirmed when its places fit and nobody is waiting (it never overtakes
 *   the waitlist), else it joins the end of the waitlist as one party (never split);
 * - a confirmed "yes" that asks for more guests than there are places left is a 409 (it keeps
 *   its places; it does not lose them to the waitlist);
 * - a waitlisted "yes" that changes its guests keeps its position;
 * - whenever places free up, the waitlist is promoted strictly in order: the first party is
 *   confirmed if it fits, then the next; a party that does not fit stops the promotion.
 * Returns the members promoted.
 */
export async function setRsvp(
  em: EntityManager,
  event: LockedEvent,
  memberId: string,
  input: { answer: RsvpAnswer; guests: number } | null,
): Promise<string[]> {
  if (event.cancelledAt) throw conflict('This event is cancelled.');
  const [existing] = await em.execute<RsvpRow[]>(
    `select id, answer, guests, status, position from event_rsvps where event_id = ? and member_id = ?`,
    [event.id, memberId],
  );
  if (input === null) {
    if (existing) await em.execute(`delete from event_rsvps where id = ?`, [existing.id]);
    return promote(em, event);
  }
  const guests = input.answer === 'no' ? 0 : input.guests;
  let status: RsvpStatus = 'confirmed';
  let position: number | null = null;
  if (input.answer === 'yes' && event.capacity !== null) {
    const places = 1 + guests;
    const taken = await placesTaken(em, event.id, memberId);
    const confirmedYes = existing?.answer === 'yes' && existing.status === 'confirmed';
    if (existing?.answer === 'yes' && existing.status === 'waitlisted') {
      status = 'waitlisted';
      position = existing.position;
    } else if (confirmedYes) {
      if (taken + places > event.capacity) {
        throw conflict(`Only ${Math.max(event.capacity - taken - 1, 0)} places left for guests.`);
      }
    } else if (taken + places > event.capacity || (await waitlistLength(em, event.id)) > 0) {
      status = 'waitlisted';
      const [row] = await em.execute<{ next: number }[]>(
        `select coalesce(max(position), 0)::int + 1 as next from event_rsvps where event_id = ?`,
        [event.id],
      );
      position = row!.next;
    }
  }
  await em.execute(
    `insert into event_rsvps (id, created_at, updated_at, tenant_id, event_id, member_id, answer, guests, status, position, answered_at)
     values (?, now(), now(), ?, ?, ?, ?, ?, ?, ?, now())
     on conflict (tenant_id, event_id, member_id) do update
       set answer = excluded.answer, guests = excluded.guests, status = excluded.status,
           position = excluded.position, answered_at = excluded.answered_at, updated_at = now()`,
    [newId(), tenantContext.requireTenantId(), event.id, memberId, input.answer, guests, status, position],
  );
  return promote(em, event);
}

/**
 * Confirms waitlisted parties in order while they fit (see setRsvp), each with an outbox row
 * `events.rsvp.promoted` for the promoted member. Caller holds the event lock.
 */
export async function promote(em: EntityManager, event: LockedEvent): Promise<string[]> {
  const promoted: string[] = [];
  for (;;) {
    const [head] = await em.execute<{ id: string; member_id: string; guests: number }[]>(
      `select id, member_id, guests from event_rsvps
        where event_id = ? and status = 'waitlisted' order by position, answered_at, id limit 1`,
      [event.id],
    );
    if (!head) break;
    if (
      event.capacity !== null &&
      (await placesTaken(em, event.id, null)) + 1 + head.guests > event.capacity
    ) {
      break;
    }
    await em.execute(
      `update event_rsvps set status = 'confirmed', position = null, updated_at = now() where id = ?`,
      [head.id],
    );
    recordOutboxEvent(em, 'events.rsvp.promoted', {
      groupId: event.groupId,
      eventId: event.id,
      memberId: head.member_id,
    });
    promoted.push(head.member_id);
  }
  return promoted;
}
