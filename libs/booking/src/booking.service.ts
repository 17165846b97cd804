import { Injectable } from '@nestjs/common';
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
  type PageQuery,
} from '@allmende/content';
import { ProblemException, ProblemType } from '@allmende/core';
import { TenantScope, tenantContext } from '@allmende/db';
import { memberReferenceOf, MemberSchema } from '@allmende/members';
import { BookableResourceSchema, type BookableResource } from './bookable-resource.entity';
import { BookingSchema, HOLDING_STATUSES, type Booking, type BookingStatus } from './booking.entity';
import { checkBookingRules } from './booking-rules';
import type {
  BookingView,
  CreateRequestInput,
  DecisionInput,
  HandoverInput,
  OccupancyQuery,
  OccupancyView,
  QueueQuery,
  ResourceView,
  UpdateResourceInput,
} from './booking-views';

const MODULE = 'booking';
const POPULATE = ['requester', 'resource', 'group'] as const;

/** SQLSTATE 23P01: the exclusion constraint `bookings_one_booking_per_slot` refused an overlap. */
function isSlotTaken(error: unknown): boolean {
  for (let cause = error as { code?: unknown; cause?: unknown } | undefined; cause;) {
    if (cause.code === '23P01') return true;
    cause = cause.cause as typeof cause;
  }
  return false;
}

function conflict(detail: string, extra: Record<string, unknown> = {}): ProblemException {
  return new ProblemException({
    type: ProblemType.conflict,
    title: 'Conflict',
    status: 409,
    detail,
    ...extra,
  });
}

/**
 * Bookings of the booking module ("Grillhütte"), with the rules of the issue: members of the
 * group request; the resource's rules are checked here and double booking is refused by the
 * database; stewards (group admins, tenant admins) approve, decline, cancel and keep deposit
 * and key notes, which is audited; tenant admins edit resources. Everyone else sees only when
 * a resource is busy or tentatively held, never by whom.
 */
@Injectable()
export class BookingService {
  constructor(
    private readonly scope: TenantScope,
    private readonly access: GroupAccess,
  ) {}

  // ---- resources --------------------------------------------------------------------------

  async listResources(actor: Actor, groupKey: string): Promise<{ items: ResourceView[] }> {
    const access = await this.access.require(actor, groupKey, MODULE);
    const resources = await this.scope
      .em()
      .find(BookableResourceSchema, { group: access.group.id }, { orderBy: { key: 'asc' } });
    return { items: resources.map((resource) => toResourceView(resource, access)) };
  }

  async getResource(actor: Actor, groupKey: string, resourceKey: string): Promise<ResourceView> {
    const access = await this.access.require(actor, groupKey, MODULE);
    return toResourceView(await this.resource(access, resourceKey), access);
  }

  /** Tenant admins edit what the template provisioned (audited with the changed fields). */
  async updateResource(
    actor: Actor,
    groupKey: string,
    resourceKey: string,
    input: UpdateResourceInput,
  ): Promise<ResourceView> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    const access = await this.access.require(actor, groupKey, MODULE);
    if (actor.membership?.role !== 'tenant_admin') {
      throw ProblemException.forbidden('Only tenant admins may edit resources.');
    }
    const resource = await this.resource(access, resourceKey);
    const minHours = input.minHours ?? Number(resource.minHours);
    const maxHours = input.maxHours ?? Number(resource.maxHours);
    if (maxHours < minHours) {
      throw ProblemException.validation([{ path: 'maxHours', message: 'must not be less than minHours' }]);
    }
    const em = this.scope.em();
    em.assign(resource, input);
    recordAudit(em, actor, {
      action: 'booking.resource.updated',
      entityType: 'bookable_resource',
      entityId: resource.id,
      details: { groupId: access.group.id, fields: Object.keys(input) },
    });
    await em.flush();
    return toResourceView(resource, access);
  }

  /**
   * The resource's held slots in [from, to). The requester sees their own bookings in full;
   * for everybody else a slot is only `busy` (approved) or `tentative` (requested).
   */
  async occupancy(
    actor: Actor,
    groupKey: string,
    resourceKey: string,
    query: OccupancyQuery,
  ): Promise<OccupancyView> {
    const access = await this.requireOccupancyAccess(actor, groupKey);
    const [occupancy] = await this.occupancyOf(actor, [await this.resource(access, resourceKey)], query);
    return occupancy!;
  }

  /**
   * The occupancy of every resource of the group, with the resources: one access check and one
   * resource query for all of them (the portal home's free dates).
   */
  async groupOccupancy(
    actor: Actor,
    groupKey: string,
    query: OccupancyQuery,
  ): Promise<{ resource: ResourceView; occupancy: OccupancyView }[]> {
    const access = await this.requireOccupancyAccess(actor, groupKey);
    const resources = await this.scope
      .em()
      .find(BookableResourceSchema, { group: access.group.id }, { orderBy: { key: 'asc' } });
    const occupancies = await this.occupancyOf(actor, resources, query);
    return resources.map((resource, index) => ({
      resource: toResourceView(resource, access),
      occupancy: occupancies[index]!,
    }));
  }

  /** Read access to the group's calendar: members only when the template says so (401). */
  private async requireOccupancyAccess(actor: Actor, groupKey: string): Promise<GroupAccessContext> {
    const access = await this.access.require(actor, groupKey, MODULE);
    if (access.module.settings['publicCalendar'] === false && !actor.membership) {
      throw ProblemException.unauthorized('Sign in to see the occupancy.');
    }
    return access;
  }

  /** The occupancy of each of these resources in the range, in their order (one query for all). */
  private async occupancyOf(
    actor: Actor,
    resources: BookableResource[],
    query: OccupancyQuery,
  ): Promise<OccupancyView[]> {
    if (resources.length === 0) return [];
    const from = new Date(query.from);
    const to = new Date(query.to);
    const bookings = await this.scope.em().find(
      BookingSchema,
      {
        resource: { $in: resources.map((resource) => resource.id) },
        status: { $in: HOLDING_STATUSES },
        startsAt: { $lt: to },
        endsAt: { $gt: from },
      },
      { orderBy: { startsAt: 'asc', id: 'asc' } },
    );
    const memberId = actor.membership?.memberId ?? null;
    const isOwn = (booking: Booking) => memberId !== null && booking.requester.id === memberId;
    // Only the caller's own bookings are shown in full; only those need what they refer to.
    const own = bookings.filter(isOwn);
    if (own.length > 0) await this.scope.em().populate(own, POPULATE);
    return resources.map((resource) => ({
      resource: { id: resource.id, key: resource.key },
      from: from.toISOString(),
      to: to.toISOString(),
      slots: bookings
        .filter((booking) => booking.resource.id === resource.id)
        .map((booking) => ({
          start: booking.startsAt.toISOString(),
          end: booking.endsAt.toISOString(),
          state: booking.status === 'approved' ? ('busy' as const) : ('tentative' as const),
          booking: isOwn(booking) ? toBookingView(booking, memberId, false) : null,
        })),
    }));
  }

  // ---- requests ---------------------------------------------------------------------------

  /**
   * A request. The rules (duration, lead time, window in the tenant's time zone, house rules,
   * extra fields) are checked here; the free slot is checked by the database's exclusion
   * constraint at insert, so of concurrent overlapping requests exactly one wins, and the
   * others get 409 naming the slot that holds it.
   */
  async createRequest(
    actor: Actor,
    groupKey: string,
    resourceKey: string,
    input: CreateRequestInput,
  ): Promise<BookingView> {
    const access = await this.access.requireWrite(actor, groupKey, MODULE);
    const memberId = actor.membership!.memberId;
    const resource = await this.resource(access, resourceKey);
    const start = new Date(input.start);
    const end = new Date(input.end);
    const violations = checkBookingRules(resource, { start, end }, new Date(), await this.timezone());
    if (resource.houseRules && !input.acceptHouseRules) {
      violations.push({ path: 'acceptHouseRules', message: 'accept the house rules first' });
    }
    const fields = resource.extraFields ?? [];
    for (const key of Object.keys(input.answers)) {
      if (!fields.some((field) => field.key === key)) {
        violations.push({ path: `answers.${key}`, message: 'not a question of this resource' });
      }
    }
    for (const field of fields) {
      if (field.required && !input.answers[field.key]) {
        violations.push({ path: `answers.${field.key}`, message: 'required' });
      }
    }
    if (
      resource.capacity !== null &&
      resource.capacity !== undefined &&
      input.expectedGuests > resource.capacity
    ) {
      violations.push({
        path: 'expectedGuests',
        message: `the place holds at most ${resource.capacity} people`,
      });
    }
    if (violations.length > 0) {
      throw new ProblemException({
        type: '/problems/booking-rules',
        title: 'Booking rules not met',
        status: 422,
        detail: 'The request breaks the rules of this resource.',
        errors: violations,
      });
    }

    const status: BookingStatus = resource.approvalRequired ? 'requested' : 'approved';
    let bookingId: string;
    try {
      bookingId = await this.scope.em().transactional(async (em) => {
        const now = new Date();
        const booking = em.create(BookingSchema, {
          resource,
          group: access.group,
          requester: em.getReference(MemberSchema, memberId),
          startsAt: start,
          endsAt: end,
          status,
          purpose: input.purpose,
          expectedGuests: input.expectedGuests,
          contactPhone: input.contactPhone,
          houseRulesAcceptedAt: resource.houseRules ? now : null,
          answers: input.answers,
          decidedAt: status === 'approved' ? now : null,
          depositStatus: status === 'approved' && resource.depositCents ? 'due' : null,
        });
        recordOutboxEvent(em, 'booking.request.created', {
          groupId: access.group.id,
          resourceId: resource.id,
          bookingId: booking.id,
          requesterMemberId: memberId,
          status,
          start: start.toISOString(),
          end: end.toISOString(),
        });
        return booking.id;
      });
    } catch (error) {
      if (isSlotTaken(error)) throw await this.slotTaken(resource, start, end);
      throw error;
    }
    return toBookingView(await this.loadBooking(bookingId), memberId, false);
  }

  /** The caller's own requests in the group, latest start first. */
  async myRequests(actor: Actor, groupKey: string, query: PageQuery): Promise<Page<BookingView>> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    const access = await this.access.require(actor, groupKey, MODULE);
    return this.ownRequests(actor, [access.group.id], query);
  }

  /** The caller's own requests in every group they may still read, latest start first. */
  async myRequestsEverywhere(actor: Actor, query: PageQuery): Promise<Page<BookingView>> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    return this.ownRequests(actor, await this.access.readableGroupIds(actor, MODULE), query);
  }

  private async ownRequests(actor: Actor, groupIds: string[], query: PageQuery): Promise<Page<BookingView>> {
    const memberId = actor.membership?.memberId;
    if (!memberId || groupIds.length === 0) return { items: [], nextCursor: null };
    const conditions: object[] = [{ group: { $in: groupIds } }, { requester: memberId }];
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, 2) as [string, string];
      conditions.push({
        $or: [{ startsAt: { $lt: new Date(at) } }, { startsAt: new Date(at), id: { $lt: id } }],
      });
    }
    const rows = await this.scope
      .em()
      .find(
        BookingSchema,
        { $and: conditions },
        { orderBy: { startsAt: 'desc', id: 'desc' }, limit: query.limit + 1, populate: POPULATE },
      );
    return toPage(
      rows,
      query.limit,
      (booking) => toBookingView(booking, memberId, false),
      (booking) => [booking.startsAt.toISOString(), booking.id],
    );
  }

  /** The stewards' queue: requests of the group by status (`requested` unless asked), soonest first. */
  async queue(actor: Actor, groupKey: string, query: QueueQuery): Promise<Page<BookingView>> {
    const access = await this.access.requireModerate(actor, groupKey, MODULE);
    const conditions: object[] = [{ group: access.group.id }, { status: query.status ?? 'requested' }];
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, 2) as [string, string];
      conditions.push({
        $or: [{ startsAt: { $gt: new Date(at) } }, { startsAt: new Date(at), id: { $gt: id } }],
      });
    }
    const rows = await this.scope
      .em()
      .find(
        BookingSchema,
        { $and: conditions },
        { orderBy: { startsAt: 'asc', id: 'asc' }, limit: query.limit + 1, populate: POPULATE },
      );
    const memberId = actor.membership?.memberId ?? null;
    return toPage(
      rows,
      query.limit,
      (booking) => toBookingView(booking, memberId, true),
      (booking) => [booking.startsAt.toISOString(), booking.id],
    );
  }

  /** One request: for its requester and the stewards; 404 for everyone else. */
  async getRequest(actor: Actor, groupKey: string, bookingId: string): Promise<BookingView> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    const access = await this.access.require(actor, groupKey, MODULE);
    const booking = await this.visibleBooking(actor, access, bookingId);
    return toBookingView(booking, actor.membership?.memberId ?? null, access.canModerate);
  }

  async approve(
    actor: Actor,
    groupKey: string,
    bookingId: string,
    input: DecisionInput,
  ): Promise<BookingView> {
    const access = await this.access.requireModerate(actor, groupKey, MODULE);
    const booking = await this.bookingInGroup(access, bookingId);
    const resource = booking.resource.getEntity();
    return this.transition(actor, access, booking, ['requested'], 'approved', {
      decisionMessage: input.message || null,
      decidedByMemberId: actor.membership?.memberId ?? null,
      decidedAt: new Date(),
      depositStatus: resource.depositCents ? 'due' : null,
    });
  }

  /** Declining frees the slot (the exclusion constraint only covers holding statuses). */
  async decline(
    actor: Actor,
    groupKey: string,
    bookingId: string,
    input: DecisionInput,
  ): Promise<BookingView> {
    const access = await this.access.requireModerate(actor, groupKey, MODULE);
    const booking = await this.bookingInGroup(access, bookingId);
    return this.transition(actor, access, booking, ['requested'], 'declined', {
      decisionMessage: input.message || null,
      decidedByMemberId: actor.membership?.memberId ?? null,
      decidedAt: new Date(),
    });
  }

  /** The requester cancels their own request or booking; a steward may cancel anyone's (audited). */
  async cancel(
    actor: Actor,
    groupKey: string,
    bookingId: string,
    input: DecisionInput,
  ): Promise<BookingView> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    const access = await this.access.require(actor, groupKey, MODULE);
    const booking = await this.visibleBooking(actor, access, bookingId);
    const own = booking.requester.id === actor.membership?.memberId;
    const changes: Partial<Booking> = {
      cancelledByMemberId: actor.membership?.memberId ?? null,
      cancelledAt: new Date(),
    };
    if (!own) changes.decisionMessage = input.message || null;
    return this.transition(actor, access, booking, HOLDING_STATUSES, 'cancelled', changes, !own);
  }

  /** Stewards keep the deposit's state and key hand-over notes (audited). */
  async handover(
    actor: Actor,
    groupKey: string,
    bookingId: string,
    input: HandoverInput,
  ): Promise<BookingView> {
    const access = await this.access.requireModerate(actor, groupKey, MODULE);
    const booking = await this.bookingInGroup(access, bookingId);
    if (input.depositStatus !== undefined && !booking.resource.getEntity().depositCents) {
      throw conflict('This resource takes no deposit.');
    }
    if (
      input.depositStatus !== undefined &&
      booking.status !== 'approved' &&
      booking.status !== 'cancelled'
    ) {
      throw conflict('The deposit is kept only for approved (or later cancelled) bookings.');
    }
    const em = this.scope.em();
    if (input.depositStatus !== undefined) booking.depositStatus = input.depositStatus;
    if (input.keyNotes !== undefined) booking.keyNotes = input.keyNotes || null;
    recordAudit(em, actor, {
      action: 'booking.request.handover_updated',
      entityType: 'booking',
      entityId: booking.id,
      details: {
        groupId: access.group.id,
        depositStatus: booking.depositStatus,
        keyNotesChanged: input.keyNotes !== undefined,
      },
    });
    await em.flush();
    return toBookingView(booking, actor.membership?.memberId ?? null, true);
  }

  // ---- helpers ----------------------------------------------------------------------------

  /**
   * Moves a booking from one of `from` to `to` in one conditional UPDATE, with its outbox row
   * (and audit row for steward actions) in the same transaction: of two stewards deciding at
   * once, or a decision racing a cancellation, exactly one wins and the other gets 409.
   */
  private async transition(
    actor: Actor,
    access: GroupAccessContext,
    booking: Booking,
    from: BookingStatus[],
    to: BookingStatus,
    changes: Partial<Booking>,
    audited = true,
  ): Promise<BookingView> {
    const memberId = actor.membership?.memberId ?? null;
    await this.scope.em().transactional(async (em) => {
      const changed = await em.nativeUpdate(
        BookingSchema,
        { id: booking.id, status: { $in: from } },
        { ...changes, status: to, updatedAt: new Date() },
      );
      if (changed === 0) throw conflict(`The request is ${booking.status}, it cannot become ${to}.`);
      recordOutboxEvent(em, `booking.request.${to}`, {
        groupId: access.group.id,
        resourceId: booking.resource.id,
        bookingId: booking.id,
        requesterMemberId: booking.requester.id,
        byMemberId: memberId,
        start: booking.startsAt.toISOString(),
        end: booking.endsAt.toISOString(),
      });
      if (audited) {
        recordAudit(em, actor, {
          action: `booking.request.${to}`,
          entityType: 'booking',
          entityId: booking.id,
          details: { groupId: access.group.id, resourceId: booking.resource.id, from: booking.status },
        });
      }
    });
    return toBookingView(await this.loadBooking(booking.id), memberId, access.canModerate);
  }

  /** The 409 for a taken slot: when it is held and how sure (never by whom). */
  private async slotTaken(resource: BookableResource, start: Date, end: Date): Promise<ProblemException> {
    const [holder] = await this.scope.em().execute<{ starts_at: Date; ends_at: Date; status: string }[]>(
      `select starts_at, ends_at, status from bookings
        where resource_id = ? and status in ('requested', 'approved')
          and tstzrange(starts_at, ends_at, '[)') && tstzrange(?::timestamptz, ?::timestamptz, '[)')
        order by starts_at limit 1`,
      [resource.id, start.toISOString(), end.toISOString()],
    );
    const slot = holder
      ? {
          start: new Date(holder.starts_at).toISOString(),
          end: new Date(holder.ends_at).toISOString(),
          state: holder.status === 'approved' ? 'busy' : 'tentative',
        }
      : null;
    return conflict(
      slot
        ? `The slot overlaps a ${slot.state === 'busy' ? 'booking' : 'request'} from ${slot.start} to ${slot.end}.`
        : 'The slot overlaps another booking.',
      { conflictingSlot: slot },
    );
  }

  private async resource(access: GroupAccessContext, key: string): Promise<BookableResource> {
    const resource = await this.scope.em().findOne(BookableResourceSchema, { group: access.group.id, key });
    if (!resource) throw ProblemException.notFound(`No resource "${key}" in this group.`);
    return resource;
  }

  private async loadBooking(id: string): Promise<Booking> {
    return this.scope.em().findOneOrFail(BookingSchema, { id }, { populate: POPULATE, refresh: true });
  }

  private async bookingInGroup(access: GroupAccessContext, id: string): Promise<Booking> {
    const booking = await this.scope
      .em()
      .findOne(BookingSchema, { id, group: access.group.id }, { populate: POPULATE, refresh: true });
    if (!booking) throw ProblemException.notFound('No such booking request.');
    return booking;
  }

  /** A booking the caller may see in full: their own, or any of the group for stewards. */
  private async visibleBooking(actor: Actor, access: GroupAccessContext, id: string): Promise<Booking> {
    const booking = await this.bookingInGroup(access, id);
    if (!access.canModerate && booking.requester.id !== actor.membership?.memberId) {
      throw ProblemException.notFound('No such booking request.');
    }
    return booking;
  }

  private async timezone(): Promise<string> {
    const [row] = await this.scope
      .em()
      .execute<{ timezone: string }[]>('select timezone from tenants where id = ?', [
        tenantContext.requireTenantId(),
      ]);
    return row?.timezone ?? 'Europe/Berlin';
  }
}

function toResourceView(resource: BookableResource, access: GroupAccessContext): ResourceView {
  return {
    id: resource.id,
    key: resource.key,
    group: { id: access.group.id, key: access.group.key },
    name: resource.name,
    description: resource.description ?? null,
    place: resource.place ?? null,
    capacity: resource.capacity ?? null,
    rules: {
      minHours: Number(resource.minHours),
      maxHours: Number(resource.maxHours),
      leadTimeDays: resource.leadTimeDays,
      windowDays: resource.windowDays,
      approvalRequired: resource.approvalRequired,
      fee: resource.fee ?? null,
      depositCents: resource.depositCents ?? null,
      houseRules: resource.houseRules ?? null,
    },
    extraFields: resource.extraFields ?? [],
  };
}

/** The full view of a booking: only ever built for its requester or a steward. */
function toBookingView(booking: Booking, viewerMemberId: string | null, steward: boolean): BookingView {
  const requester = booking.requester.getEntity();
  const resource = booking.resource.getEntity();
  const group = booking.group.getEntity();
  return {
    id: booking.id,
    resource: { id: resource.id, key: resource.key },
    group: { id: group.id, key: group.key },
    start: booking.startsAt.toISOString(),
    end: booking.endsAt.toISOString(),
    status: booking.status,
    purpose: booking.purpose,
    purposeHtml: renderMarkdown(booking.purpose),
    expectedGuests: booking.expectedGuests,
    contactPhone: booking.contactPhone,
    houseRulesAccepted: booking.houseRulesAcceptedAt !== null && booking.houseRulesAcceptedAt !== undefined,
    answers: booking.answers ?? {},
    requester: memberReferenceOf(requester),
    mine: viewerMemberId !== null && requester.id === viewerMemberId,
    decisionMessage: booking.decisionMessage ?? null,
    decisionMessageHtml: booking.decisionMessage ? renderMarkdown(booking.decisionMessage) : null,
    decidedAt: booking.decidedAt?.toISOString() ?? null,
    cancelledAt: booking.cancelledAt?.toISOString() ?? null,
    depositStatus: booking.depositStatus ?? null,
    keyNotes: steward ? (booking.keyNotes ?? null) : null,
    createdAt: booking.createdAt.toISOString(),
  };
}
