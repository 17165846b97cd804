import { Injectable } from '@nestjs/common';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
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
import { memberReferenceOf, MemberSchema } from '@allmende/members';
import { VolunteerCallSchema, type VolunteerCall } from './volunteer-call.entity';
import { VolunteerItemSchema, type VolunteerItem } from './volunteer-item.entity';
import { VolunteerPledgeSchema, type VolunteerPledge } from './volunteer-pledge.entity';
import { VolunteerShiftSchema, type VolunteerShift } from './volunteer-shift.entity';
import type {
  CallListQuery,
  CallView,
  CreateCallInput,
  EditCallInput,
  ItemInput,
  ItemPledgeInput,
  PledgeListView,
  ShiftInput,
} from './volunteering-views';

const MODULE = 'volunteering';

function conflict(detail: string): ProblemException {
  return new ProblemException({ type: '/problems/conflict', title: 'Conflict', status: 409, detail });
}

/** Who looks at a call: their member id, and whether they organise it. */
interface Viewer {
  memberId: string | null;
  organises: (call: VolunteerCall) => boolean;
}

/**
 * Calls for help, their shifts and items, and pledges, with the rules of the issue:
 * - members of a group start calls in it; a call's organisers are its author and the group's
 *   moderators (group admins, tenant admins): they edit and close it, add shifts and items,
 *   and see who pledged what; a moderator acting on someone else's call is audited;
 * - every member of the tenant who may read the group pledges (helpers need not be members of
 *   the organiser group) and withdraws;
 * - capacity is kept by the database: a pledge raises the shift's or item's counter in one
 *   conditional UPDATE (which row-locks it and re-checks the condition after waiting), in the
 *   same transaction as the pledge row, so concurrent pledges can never overbook.
 */
@Injectable()
export class VolunteeringService {
  constructor(
    private readonly scope: TenantScope,
    private readonly access: GroupAccess,
  ) {}

  // ---- reading ----------------------------------------------------------------------------

  /** Calls of one group, newest first; `open` keeps only open calls with open needs. */
  async listGroupCalls(actor: Actor, groupKey: string, query: CallListQuery): Promise<Page<CallView>> {
    const access = await this.access.require(actor, groupKey, MODULE);
    const viewer = this.viewerIn(actor, access);
    return this.callPage([access.group.id], query, viewer);
  }

  /**
   * The newest open calls with open needs that the caller may read, as the portal home's
   * "Mach mit!" box shows them: title, group and the pledged / needed totals. One statement
   * (the readable groups joined), where `tenantCalls` builds every call's full view.
   */
  async openCallSummaries(actor: Actor, limit: number): Promise<CallSummary[]> {
    const groups = this.access.readableGroupsQuery(actor, MODULE);
    return this.scope.read(async (em) => {
      const rows = await em.execute<
        {
          id: string;
          title: string;
          group_key: string;
          helpers_needed: number;
          helpers_pledged: number;
          items_needed: number;
          items_pledged: number;
        }[]
      >(
        `select c.id, c.title, g.key as group_key,
                coalesce(shifts.needed, 0)::int as helpers_needed, coalesce(shifts.pledged, 0)::int as helpers_pledged,
                coalesce(items.needed, 0)::int as items_needed, coalesce(items.pledged, 0)::int as items_pledged
           from volunteer_calls c
           join (${groups.sql}) g on g.id = c.group_id
           left join lateral (select sum(helpers_needed) as needed, sum(pledged_count) as pledged
                                from volunteer_shifts where call_id = c.id) shifts on true
           left join lateral (select sum(quantity_needed) as needed, sum(pledged_quantity) as pledged
                                from volunteer_items where call_id = c.id) items on true
          where ${HAS_OPEN_NEEDS}
          order by c.created_at desc, c.id desc
          limit ?`,
        [...groups.params, limit],
      );
      return rows.map((row) => ({
        id: row.id,
        title: row.title,
        groupKey: row.group_key,
        progress: {
          helpersNeeded: row.helpers_needed,
          helpersPledged: row.helpers_pledged,
          itemsNeeded: row.items_needed,
          itemsPledged: row.items_pledged,
        },
      }));
    });
  }

  /** Calls of every group with volunteering that the caller may read (the portal's "Mach mit!" box). */
  async tenantCalls(actor: Actor, query: CallListQuery): Promise<Page<CallView>> {
    const groupIds = await this.access.readableGroupIds(actor, MODULE);
    if (groupIds.length === 0) return { items: [], nextCursor: null };
    const memberId = actor.membership?.memberId ?? null;
    const moderated = await this.moderatedGroupIds(actor);
    const viewer: Viewer = {
      memberId,
      organises: (call) =>
        (memberId !== null && call.author.id === memberId) ||
        moderated === 'all' ||
        moderated.includes(call.group.id),
    };
    return this.callPage(groupIds, query, viewer);
  }

  async getCall(actor: Actor, groupKey: string, callId: string): Promise<CallView> {
    const access = await this.access.require(actor, groupKey, MODULE);
    const call = await this.callIn(access, callId);
    const [view] = await this.callViews([call], this.viewerIn(actor, access));
    return view!;
  }

  /** Who pledged what (names only): for the call's organisers. */
  async listPledges(actor: Actor, groupKey: string, callId: string): Promise<PledgeListView> {
    const { call } = await this.requireOrganiser(actor, groupKey, callId);
    const em = this.scope.em();
    const shifts = await em.find(
      VolunteerShiftSchema,
      { call: call.id },
      { orderBy: { startsAt: 'asc', id: 'asc' } },
    );
    const items = await em.find(
      VolunteerItemSchema,
      { call: call.id },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    const pledges = await em.find(
      VolunteerPledgeSchema,
      {
        $or: [
          { shift: { $in: shifts.map((shift) => shift.id) } },
          { item: { $in: items.map((item) => item.id) } },
        ],
      },
      { orderBy: { createdAt: 'asc', id: 'asc' }, populate: ['member'] },
    );
    const of = (pledge: VolunteerPledge) => ({
      ...memberReferenceOf(pledge.member.getEntity()),
      pledgedAt: pledge.createdAt.toISOString(),
    });
    return {
      shifts: shifts.map((shift) => ({
        shiftId: shift.id,
        startsAt: shift.startsAt.toISOString(),
        endsAt: shift.endsAt.toISOString(),
        helpers: pledges.filter((pledge) => pledge.shift?.id === shift.id).map(of),
      })),
      items: items.map((item) => ({
        itemId: item.id,
        name: item.name,
        pledges: pledges
          .filter((pledge) => pledge.item?.id === item.id)
          .map((pledge) => ({ ...of(pledge), quantity: pledge.quantity })),
      })),
    };
  }

  // ---- organising -------------------------------------------------------------------------

  /** A new call, open at once (members of the group). */
  async createCall(actor: Actor, groupKey: string, input: CreateCallInput): Promise<CallView> {
    const access = await this.access.requireWrite(actor, groupKey, MODULE);
    const memberId = actor.membership!.memberId;
    const em = this.scope.em();
    const call = em.create(VolunteerCallSchema, {
      group: access.group,
      author: em.getReference(MemberSchema, memberId),
      title: input.title,
      body: input.body,
      place: input.place ?? null,
      contact: input.contact ?? null,
    });
    for (const shift of input.shifts) this.newShift(em, call, shift);
    for (const item of input.items) this.newItem(em, call, item);
    recordOutboxEvent(em, 'volunteering.call.published', {
      groupId: access.group.id,
      callId: call.id,
      authorMemberId: memberId,
    });
    await em.flush(); // one flush: call, shifts, items and outbox row in one transaction
    await em.populate(call, ['author']);
    const [view] = await this.callViews([call], this.viewerIn(actor, access));
    return view!;
  }

  async editCall(actor: Actor, groupKey: string, callId: string, input: EditCallInput): Promise<CallView> {
    const { access, call, own } = await this.requireOrganiser(actor, groupKey, callId);
    const em = this.scope.em();
    if (input.title !== undefined) call.title = input.title;
    if (input.body !== undefined) call.body = input.body;
    if (input.place !== undefined) call.place = input.place;
    if (input.contact !== undefined) call.contact = input.contact;
    if (!own) this.audit(em, actor, 'volunteering.call.edited', call, access);
    await em.flush();
    const [view] = await this.callViews([call], this.viewerIn(actor, access));
    return view!;
  }

  /** Closes a call: no more pledges (existing ones stay, and can still be withdrawn). Idempotent. */
  async closeCall(actor: Actor, groupKey: string, callId: string): Promise<CallView> {
    const { access, call, own } = await this.requireOrganiser(actor, groupKey, callId);
    const em = this.scope.em();
    if (call.status !== 'closed') {
      call.status = 'closed';
      call.closedAt = new Date();
      recordOutboxEvent(em, 'volunteering.call.closed', { groupId: access.group.id, callId: call.id });
      if (!own) this.audit(em, actor, 'volunteering.call.closed', call, access);
      await em.flush();
    }
    const [view] = await this.callViews([call], this.viewerIn(actor, access));
    return view!;
  }

  async addShift(actor: Actor, groupKey: string, callId: string, input: ShiftInput): Promise<CallView> {
    const { access, call, own } = await this.requireOrganiser(actor, groupKey, callId);
    const em = this.scope.em();
    const shift = this.newShift(em, call, input);
    if (!own) this.audit(em, actor, 'volunteering.shift.added', call, access, { shiftId: shift.id });
    await em.flush();
    const [view] = await this.callViews([call], this.viewerIn(actor, access));
    return view!;
  }

  async addItem(actor: Actor, groupKey: string, callId: string, input: ItemInput): Promise<CallView> {
    const { access, call, own } = await this.requireOrganiser(actor, groupKey, callId);
    const em = this.scope.em();
    const item = this.newItem(em, call, input);
    if (!own) this.audit(em, actor, 'volunteering.item.added', call, access, { itemId: item.id });
    await em.flush();
    const [view] = await this.callViews([call], this.viewerIn(actor, access));
    return view!;
  }

  // ---- pledging ---------------------------------------------------------------------------

  /** Pledges the caller for a shift; 409 when it is full, over, the call closed, or already pledged. */
  async pledgeShift(actor: Actor, groupKey: string, callId: string, shiftId: string): Promise<CallView> {
    const { access, call, memberId } = await this.requirePledger(actor, groupKey, callId);
    const shift = await this.scope.em().findOne(VolunteerShiftSchema, { id: shiftId, call: call.id });
    if (!shift) throw ProblemException.notFound('No such shift in this call.');
    if (shift.endsAt <= new Date()) throw conflict('This shift is over.');
    await this.pledgeOnce(async (em) => {
      // The capacity check and the increment are one statement under the shift's row lock.
      const raised = await em.execute<{ id: string }[]>(
        `update volunteer_shifts s
            set pledged_count = s.pledged_count + 1, updated_at = now()
          where s.id = ? and s.pledged_count < s.helpers_needed and s.ends_at > now()
            and exists (select 1 from volunteer_calls c where c.id = s.call_id and c.status = 'open')
          returning s.id`,
        [shift.id],
      );
      if (raised.length === 0) throw conflict('This shift is full or over, or the call is closed.');
      const pledge = em.create(VolunteerPledgeSchema, {
        member: em.getReference(MemberSchema, memberId),
        shift: em.getReference(VolunteerShiftSchema, shift.id),
        quantity: 1,
      });
      recordOutboxEvent(em, 'volunteering.pledge.created', {
        groupId: access.group.id,
        callId: call.id,
        pledgeId: pledge.id,
        shiftId: shift.id,
        memberId,
        organiserMemberId: call.author.id,
      });
    });
    return this.freshView(actor, access, call);
  }

  /** Withdraws the caller's pledge for a shift, which frees the place; 404 without a pledge. */
  async withdrawShift(actor: Actor, groupKey: string, callId: string, shiftId: string): Promise<CallView> {
    const { access, call, memberId } = await this.requirePledger(actor, groupKey, callId);
    await this.scope.em().transactional(async (em) => {
      const deleted = await em.execute<{ id: string; shift_id: string }[]>(
        `delete from volunteer_pledges p using volunteer_shifts s
          where p.shift_id = s.id and s.id = ? and s.call_id = ? and p.member_id = ?
          returning p.id, p.shift_id`,
        [shiftId, call.id, memberId],
      );
      if (deleted.length === 0) throw ProblemException.notFound('You have not pledged this shift.');
      await em.execute(
        'update volunteer_shifts set pledged_count = pledged_count - 1, updated_at = now() where id = ?',
        [shiftId],
      );
      recordOutboxEvent(em, 'volunteering.pledge.withdrawn', {
        groupId: access.group.id,
        callId: call.id,
        pledgeId: deleted[0]!.id,
        shiftId,
        memberId,
        organiserMemberId: call.author.id,
      });
    });
    return this.freshView(actor, access, call);
  }

  /** Pledges a quantity of an item; 409 when more than is still missing, or already pledged. */
  async pledgeItem(
    actor: Actor,
    groupKey: string,
    callId: string,
    itemId: string,
    input: ItemPledgeInput,
  ): Promise<CallView> {
    const { access, call, memberId } = await this.requirePledger(actor, groupKey, callId);
    const item = await this.scope.em().findOne(VolunteerItemSchema, { id: itemId, call: call.id });
    if (!item) throw ProblemException.notFound('No such item in this call.');
    await this.pledgeOnce(async (em) => {
      const raised = await em.execute<{ id: string }[]>(
        `update volunteer_items i
            set pledged_quantity = i.pledged_quantity + ?, updated_at = now()
          where i.id = ? and i.pledged_quantity + ? <= i.quantity_needed
            and exists (select 1 from volunteer_calls c where c.id = i.call_id and c.status = 'open')
          returning i.id`,
        [input.quantity, item.id, input.quantity],
      );
      if (raised.length === 0) throw conflict('Not that many are still needed, or the call is closed.');
      const pledge = em.create(VolunteerPledgeSchema, {
        member: em.getReference(MemberSchema, memberId),
        item: em.getReference(VolunteerItemSchema, item.id),
        quantity: input.quantity,
      });
      recordOutboxEvent(em, 'volunteering.pledge.created', {
        groupId: access.group.id,
        callId: call.id,
        pledgeId: pledge.id,
        itemId: item.id,
        quantity: input.quantity,
        memberId,
        organiserMemberId: call.author.id,
      });
    });
    return this.freshView(actor, access, call);
  }

  async withdrawItem(actor: Actor, groupKey: string, callId: string, itemId: string): Promise<CallView> {
    const { access, call, memberId } = await this.requirePledger(actor, groupKey, callId);
    await this.scope.em().transactional(async (em) => {
      const deleted = await em.execute<{ id: string; quantity: number }[]>(
        `delete from volunteer_pledges p using volunteer_items i
          where p.item_id = i.id and i.id = ? and i.call_id = ? and p.member_id = ?
          returning p.id, p.quantity`,
        [itemId, call.id, memberId],
      );
      if (deleted.length === 0) throw ProblemException.notFound('You have not pledged this item.');
      const quantity = deleted[0]!.quantity;
      await em.execute(
        'update volunteer_items set pledged_quantity = pledged_quantity - ?, updated_at = now() where id = ?',
        [quantity, itemId],
      );
      recordOutboxEvent(em, 'volunteering.pledge.withdrawn', {
        groupId: access.group.id,
        callId: call.id,
        pledgeId: deleted[0]!.id,
        itemId,
        quantity,
        memberId,
        organiserMemberId: call.author.id,
      });
    });
    return this.freshView(actor, access, call);
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** Runs a pledge transaction; a second pledge by the same member hits the unique and is a 409. */
  private async pledgeOnce(work: (em: EntityManager) => Promise<void>): Promise<void> {
    try {
      await this.scope.em().transactional(work);
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw conflict('You have pledged this already; withdraw first to change it.');
      }
      throw error;
    }
  }

  /** Pledging needs a signed-in member of the tenant who may read the group (not group membership). */
  private async requirePledger(
    actor: Actor,
    groupKey: string,
    callId: string,
  ): Promise<{ access: GroupAccessContext; call: VolunteerCall; memberId: string }> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    const access = await this.access.require(actor, groupKey, MODULE);
    if (!actor.membership) throw ProblemException.forbidden('Only members of this tenant may pledge.');
    const call = await this.callIn(access, callId);
    return { access, call, memberId: actor.membership.memberId };
  }

  /** The call's author or a moderator of the group; `own` says which (moderators are audited). */
  private async requireOrganiser(
    actor: Actor,
    groupKey: string,
    callId: string,
  ): Promise<{ access: GroupAccessContext; call: VolunteerCall; own: boolean }> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    const access = await this.access.require(actor, groupKey, MODULE);
    const call = await this.callIn(access, callId);
    const own = !!actor.membership && call.author.id === actor.membership.memberId;
    if (!own && !access.canModerate) {
      throw ProblemException.forbidden('Only the organisers of this call may do this.');
    }
    return { access, call, own };
  }

  private async callIn(access: GroupAccessContext, callId: string): Promise<VolunteerCall> {
    const call = await this.scope
      .em()
      .findOne(
        VolunteerCallSchema,
        { id: callId, group: access.group.id },
        { populate: ['author', 'group'] },
      );
    if (!call) throw ProblemException.notFound('No such call in this group.');
    return call;
  }

  private viewerIn(actor: Actor, access: GroupAccessContext): Viewer {
    const memberId = actor.membership?.memberId ?? null;
    return {
      memberId,
      organises: (call) => access.canModerate || (memberId !== null && call.author.id === memberId),
    };
  }

  /** The call after a pledge change, with counters read anew from the database. */
  private async freshView(actor: Actor, access: GroupAccessContext, call: VolunteerCall): Promise<CallView> {
    this.scope.em().clear();
    const reloaded = await this.callIn(access, call.id);
    const [view] = await this.callViews([reloaded], this.viewerIn(actor, access));
    return view!;
  }

  private newShift(em: EntityManager, call: VolunteerCall, input: ShiftInput): VolunteerShift {
    return em.create(VolunteerShiftSchema, {
      call,
      startsAt: new Date(input.startsAt),
      endsAt: new Date(input.endsAt),
      helpersNeeded: input.helpersNeeded,
    });
  }

  private newItem(em: EntityManager, call: VolunteerCall, input: ItemInput): VolunteerItem {
    return em.create(VolunteerItemSchema, { call, name: input.name, quantityNeeded: input.quantityNeeded });
  }

  private audit(
    em: EntityManager,
    actor: Actor,
    action: string,
    call: VolunteerCall,
    access: GroupAccessContext,
    details: Record<string, unknown> = {},
  ): void {
    recordAudit(em, actor, {
      action,
      entityType: 'volunteer_call',
      entityId: call.id,
      details: { groupId: access.group.id, ...details },
    });
  }

  /** Groups the caller moderates: all for tenant admins, else where group admin. */
  private async moderatedGroupIds(actor: Actor): Promise<'all' | string[]> {
    if (actor.membership?.role === 'tenant_admin') return 'all';
    const memberId = actor.membership?.memberId;
    if (!memberId) return [];
    const rows = await this.scope
      .em()
      .execute<{ group_id: string }[]>(
        `select group_id from group_members where member_id = ? and role = 'group_admin'`,
        [memberId],
      );
    return rows.map((row) => row.group_id);
  }

  /**
   * A page of calls of these groups, newest first (keyset on created_at, id). "Open needs"
   * is decided in SQL, so paging stays stable: an open call with a shift not yet full and not
   * yet over, or an item still short.
   */
  private async callPage(groupIds: string[], query: CallListQuery, viewer: Viewer): Promise<Page<CallView>> {
    const em = this.scope.em();
    let after: [string, string] | null = null;
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, 2) as [string, string];
      if (Number.isNaN(new Date(at).getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) {
        throw ProblemException.validation([{ path: 'cursor', message: 'not a cursor of this list' }]);
      }
      after = [at, id];
    }
    const rows = await em.execute<{ id: string }[]>(
      `select c.id from volunteer_calls c
        where c.group_id in (${groupIds.map(() => '?::uuid').join(', ')})
          and (not ?::boolean or ${HAS_OPEN_NEEDS})
          and (?::boolean or (c.created_at, c.id) < (?::timestamptz, ?::uuid))
        order by c.created_at desc, c.id desc
        limit ?`,
      [...groupIds, query.open, after === null, after?.[0] ?? null, after?.[1] ?? null, query.limit + 1],
    );
    const ids = rows.map((row) => row.id);
    const loaded = ids.length
      ? await em.find(VolunteerCallSchema, { id: { $in: ids } }, { populate: ['author', 'group'] })
      : [];
    const byId = new Map(loaded.map((call) => [call.id, call]));
    const calls = ids.map((id) => byId.get(id)!);
    const views = new Map(
      (await this.callViews(calls.slice(0, query.limit), viewer)).map((view) => [view.id, view]),
    );
    return toPage(
      calls,
      query.limit,
      (call) => views.get(call.id)!,
      (call) => [call.createdAt.toISOString(), call.id],
    );
  }

  /** Views with shifts, items, progress and the viewer's own pledges (three queries for all calls). */
  private async callViews(calls: VolunteerCall[], viewer: Viewer): Promise<CallView[]> {
    if (calls.length === 0) return [];
    const em = this.scope.em();
    const callIds = calls.map((call) => call.id);
    const shifts = await em.find(
      VolunteerShiftSchema,
      { call: { $in: callIds } },
      { orderBy: { startsAt: 'asc', id: 'asc' } },
    );
    const items = await em.find(
      VolunteerItemSchema,
      { call: { $in: callIds } },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    const mine =
      viewer.memberId === null
        ? []
        : await em.find(VolunteerPledgeSchema, {
            member: viewer.memberId,
            $or: [
              { shift: { $in: shifts.map((shift) => shift.id) } },
              { item: { $in: items.map((item) => item.id) } },
            ],
          });
    const myShifts = new Set(mine.flatMap((pledge) => (pledge.shift ? [pledge.shift.id] : [])));
    const myItems = new Map(
      mine.flatMap((pledge) => (pledge.item ? [[pledge.item.id, pledge.quantity]] : [])),
    );
    const now = new Date();
    return calls.map((call) => {
      const callShifts = shifts.filter((shift) => shift.call.id === call.id);
      const callItems = items.filter((item) => item.call.id === call.id);
      const open = call.status === 'open';
      const hasOpenNeeds =
        open &&
        (callShifts.some((shift) => shift.pledgedCount < shift.helpersNeeded && shift.endsAt > now) ||
          callItems.some((item) => item.pledgedQuantity < item.quantityNeeded));
      const group = call.group.getEntity();
      return {
        id: call.id,
        group: { id: group.id, key: group.key },
        title: call.title,
        body: call.body,
        bodyHtml: renderMarkdown(call.body),
        place: call.place ?? null,
        contact: call.contact ?? null,
        status: call.status,
        author: memberReferenceOf(call.author.getEntity()),
        organiser: viewer.organises(call),
        createdAt: call.createdAt.toISOString(),
        closedAt: call.closedAt?.toISOString() ?? null,
        shifts: callShifts.map((shift) => ({
          id: shift.id,
          startsAt: shift.startsAt.toISOString(),
          endsAt: shift.endsAt.toISOString(),
          helpersNeeded: shift.helpersNeeded,
          helpersPledged: shift.pledgedCount,
          helpersMissing: Math.max(shift.helpersNeeded - shift.pledgedCount, 0),
          pledgedByMe: myShifts.has(shift.id),
        })),
        items: callItems.map((item) => ({
          id: item.id,
          name: item.name,
          quantityNeeded: item.quantityNeeded,
          quantityPledged: item.pledgedQuantity,
          quantityMissing: Math.max(item.quantityNeeded - item.pledgedQuantity, 0),
          myQuantity: myItems.get(item.id) ?? 0,
        })),
        progress: {
          helpersNeeded: sum(callShifts.map((shift) => shift.helpersNeeded)),
          helpersPledged: sum(callShifts.map((shift) => shift.pledgedCount)),
          itemsNeeded: sum(callItems.map((item) => item.quantityNeeded)),
          itemsPledged: sum(callItems.map((item) => item.pledgedQuantity)),
          hasOpenNeeds,
        },
      };
    });
  }
}

/** An open call (alias `c`) that still needs helpers in a shift to come, or items. */
const HAS_OPEN_NEEDS = `(c.status = 'open' and (
     exists (select 1 from volunteer_shifts s
              where s.call_id = c.id and s.pledged_count < s.helpers_needed and s.ends_at > now())
  or exists (select 1 from volunteer_items i
              where i.call_id = c.id and i.pledged_quantity < i.quantity_needed)))`;

/** What the portal home shows of a call. */
export interface CallSummary {
  id: string;
  title: string;
  groupKey: string;
  progress: { helpersNeeded: number; helpersPledged: number; itemsNeeded: number; itemsPledged: number };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
