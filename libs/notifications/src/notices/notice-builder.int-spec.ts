import type { MikroORM } from '@mikro-orm/postgresql';
import { BookableResourceSchema, BookingSchema, type BookingStatus } from '@allmende/booking';
import { TenantScope } from '@allmende/db';
import { EventRsvpSchema, EventSchema } from '@allmende/events';
import { GroupMemberSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema, type Member } from '@allmende/members';
import { OutboxEventSchema, type OutboxEvent } from '@allmende/outbox';
import { PollAnswerSchema, PollOptionSchema, PollSchema } from '@allmende/polls';
import type { Tenant } from '@allmende/tenants';
import { VolunteerCallSchema, VolunteerPledgeSchema, VolunteerShiftSchema } from '@allmende/volunteering';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { testConfig } from '../../../../test/support/test-config';
import { MailRecipients, type MailCommunityInfo, type RecipientSettings } from '../mail-recipients';
import { NoticeBuilder } from './notice-builder';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const PORTAL = 'https://portal.example';

describe('NoticeBuilder', () => {
  let orm: MikroORM;
  let scope: TenantScope;
  let recipients: MailRecipients;
  let notices: NoticeBuilder;

  beforeAll(async () => {
    orm = await openOrm();
    scope = new TenantScope(orm);
    recipients = new MailRecipients(scope, testConfig({ PUBLIC_URL: PORTAL }));
    notices = new NoticeBuilder(scope, recipients);
  });

  afterAll(async () => {
    await orm.close(true);
  });

  interface World {
    tenant: Tenant;
    /** admin: group admin; steward2: group admin too; requester, helper: members; boss: tenant admin. */
    admin: Member;
    steward2: Member;
    requester: Member;
    helper: Member;
    boss: Member;
    groupId: string;
    resourceId: string;
  }

  async function world(): Promise<World> {
    const tenant = await createTenant(orm);
    return scope.run(tenant.id, async (em) => {
      const member = (name: string, role: 'member' | 'tenant_admin' = 'member') =>
        em.create(MemberSchema, {
          email: `${name}@example.org`,
          givenName: name,
          familyName: 'Muster',
          role,
        });
      const admin = member('admin');
      const steward2 = member('steward');
      const requester = member('rita');
      const helper = member('hans');
      const boss = member('boss', 'tenant_admin');
      const group = em.create(GroupSchema, {
        key: 'dorf',
        name: { de: 'Dorfleben', en: 'Village life' },
        visibility: 'public',
      });
      em.create(GroupMemberSchema, { group, member: admin, role: 'group_admin' });
      em.create(GroupMemberSchema, { group, member: steward2, role: 'group_admin' });
      em.create(GroupMemberSchema, { group, member: requester });
      const resource = em.create(BookableResourceSchema, {
        group,
        key: 'grillhuette',
        name: { de: 'Grillhütte', en: 'Barbecue hut' },
        minHours: 1,
        maxHours: 48,
        leadTimeDays: 0,
        windowDays: 365,
        approvalRequired: true,
      });
      await em.flush();
      return { tenant, admin, steward2, requester, helper, boss, groupId: group.id, resourceId: resource.id };
    });
  }

  const run = <T>(w: World, fn: () => Promise<T>) => scope.run(w.tenant.id, fn);

  /** An outbox row as the worker hands it over (not written: the builder only reads the rest). */
  function outbox(w: World, topic: string, payload: Record<string, unknown>): Promise<OutboxEvent> {
    return run(w, async () => {
      const event = scope.em().create(OutboxEventSchema, { topic, payload });
      await scope.em().flush();
      return event;
    });
  }

  function settingsOf(member: Member, language: 'de' | 'en', timeZone = 'Europe/Berlin'): RecipientSettings {
    return {
      recipient: {
        memberId: member.id,
        name: `${member.givenName} Muster`,
        email: member.email,
        language,
        timeZone,
      },
      digest: { frequency: 'weekly', hour: 7, weekday: 1 },
      mutedGroupIds: [],
      urgentAlerts: true,
    };
  }

  async function build(w: World, event: OutboxEvent, settings: RecipientSettings) {
    return run(w, async () => {
      const community: MailCommunityInfo = await recipients.community();
      return notices.build(event, settings, community);
    });
  }

  function base(w: World): string {
    return `${PORTAL}/t/${w.tenant.slug}`;
  }

  it('handles the notice topics, and only those', () => {
    expect([...notices.topics].sort()).toEqual(
      [
        'booking.request.approved',
        'booking.request.created',
        'booking.request.declined',
        'events.event.reminder',
        'polls.poll.finalised',
        'volunteering.shift.reminder',
      ].sort(),
    );
  });

  describe('shift reminders', () => {
    async function pledged(w: World) {
      return run(w, async () => {
        const em = scope.em();
        const call = em.create(VolunteerCallSchema, {
          group: w.groupId,
          author: w.admin,
          title: 'Dorffest',
          body: 'Hilfe!',
          place: 'Dorfplatz',
        });
        const startsAt = new Date(Date.UTC(2026, 11, 5, 13, 0));
        const shift = em.create(VolunteerShiftSchema, {
          call,
          startsAt,
          endsAt: new Date(startsAt.getTime() + 3 * HOUR),
          helpersNeeded: 3,
          pledgedCount: 1,
        });
        const pledge = em.create(VolunteerPledgeSchema, { member: w.helper, shift, quantity: 1 });
        await em.flush();
        return { call, shift, pledge, startsAt };
      });
    }

    it('goes to the pledger, with the shift in their language and zone', async () => {
      const w = await world();
      const { call, shift, pledge, startsAt } = await pledged(w);
      const event = await outbox(w, 'volunteering.shift.reminder', {
        groupId: w.groupId,
        callId: call.id,
        shiftId: shift.id,
        pledgeId: pledge.id,
        memberId: w.helper.id,
        startsAt: startsAt.toISOString(),
      });
      expect(await run(w, () => notices.recipients(event))).toEqual([w.helper.id]);
      const model = await build(w, event, settingsOf(w.helper, 'en', 'Europe/Berlin'));
      expect(model).toEqual({
        community: { id: w.tenant.id, slug: w.tenant.slug, name: w.tenant.name, portalUrl: base(w) },
        recipient: settingsOf(w.helper, 'en').recipient,
        messageKey: 'mail.notice.shiftReminder',
        params: { call: 'Dorffest', shift: expect.stringMatching(/^2:00\sPM–5:00\sPM$/u), startsAt },
        details: [
          { label: 'When', value: startsAt },
          { label: 'Where', value: 'Dorfplatz' },
          { label: 'Group', value: 'Village life' },
        ],
        url: `${base(w)}/g/dorf/volunteering/${call.id}`,
        preferencesUrl: `${base(w)}/me/notifications`,
      });
      const german = await build(w, event, settingsOf(w.helper, 'de'));
      expect(german!.details.map((detail) => detail.label)).toEqual(['Wann', 'Wo', 'Gruppe']);
      expect(german!.details[2]!.value).toBe('Dorfleben');
      expect(german!.params.shift).toBe('14:00–17:00');
    });

    it('goes to nobody once the pledge is withdrawn', async () => {
      const w = await world();
      const { call, shift, pledge } = await pledged(w);
      const event = await outbox(w, 'volunteering.shift.reminder', {
        groupId: w.groupId,
        callId: call.id,
        shiftId: shift.id,
        pledgeId: pledge.id,
        memberId: w.helper.id,
      });
      await run(w, () => scope.em().nativeDelete(VolunteerPledgeSchema, { id: pledge.id }));
      expect(await run(w, () => notices.recipients(event))).toEqual([]);
      expect(await build(w, event, settingsOf(w.helper, 'de'))).toBeNull();
    });
  });

  describe('event reminders', () => {
    async function answered(w: World, place: string | null) {
      return run(w, async () => {
        const em = scope.em();
        const startsAt = new Date(Date.now() + 30 * HOUR);
        const event = em.create(EventSchema, {
          group: w.groupId,
          author: w.admin,
          title: 'Seniorenkaffee',
          description: '',
          place,
          startsAt,
          endsAt: new Date(startsAt.getTime() + 2 * HOUR),
        });
        const rsvp = em.create(EventRsvpSchema, {
          event,
          member: w.helper,
          answer: 'yes',
          answeredAt: new Date(),
        });
        await em.flush();
        return { event, rsvp, startsAt };
      });
    }

    it('goes to the member who said yes, with when and where', async () => {
      const w = await world();
      const { event, rsvp, startsAt } = await answered(w, 'Gemeindehaus');
      const row = await outbox(w, 'events.event.reminder', {
        groupId: w.groupId,
        eventId: event.id,
        rsvpId: rsvp.id,
        memberId: w.helper.id,
        startsAt: startsAt.toISOString(),
      });
      expect(await run(w, () => notices.recipients(row))).toEqual([w.helper.id]);
      const model = await build(w, row, settingsOf(w.helper, 'de'));
      expect(model).toMatchObject({
        messageKey: 'mail.notice.eventReminder',
        params: { event: 'Seniorenkaffee', startsAt, location: 'Gemeindehaus' },
        details: [
          { label: 'Wann', value: startsAt },
          { label: 'Wo', value: 'Gemeindehaus' },
          { label: 'Gruppe', value: 'Dorfleben' },
        ],
        url: `${base(w)}/g/dorf/events/${event.id}`,
      });
    });

    it('goes to nobody when the event is cancelled or the answer changed', async () => {
      const w = await world();
      const cancelled = await answered(w, null);
      const changed = await answered(w, null);
      await run(w, async () => {
        await scope.em().nativeUpdate(EventSchema, { id: cancelled.event.id }, { cancelledAt: new Date() });
        await scope.em().nativeUpdate(EventRsvpSchema, { id: changed.rsvp.id }, { answer: 'no' });
      });
      for (const { event, rsvp } of [cancelled, changed]) {
        const row = await outbox(w, 'events.event.reminder', {
          eventId: event.id,
          rsvpId: rsvp.id,
          memberId: w.helper.id,
        });
        expect(await run(w, () => notices.recipients(row))).toEqual([]);
        expect(await build(w, row, settingsOf(w.helper, 'de'))).toBeNull();
      }
    });
  });

  describe('booking requests', () => {
    async function booking(w: World, status: BookingStatus, decisionMessage: string | null = null) {
      return run(w, async () => {
        const em = scope.em();
        const startsAt = new Date(Date.now() + 10 * DAY + Math.floor(Math.random() * 1000) * DAY);
        const created = em.create(BookingSchema, {
          resource: w.resourceId,
          group: w.groupId,
          requester: w.requester,
          startsAt,
          endsAt: new Date(startsAt.getTime() + 4 * HOUR),
          status,
          purpose: 'Geburtstag',
          expectedGuests: 20,
          contactPhone: '+49 6131 000000',
          decisionMessage,
        });
        await em.flush();
        return created;
      });
    }

    const payloadOf = (w: World, bookingId: string, status: BookingStatus) => ({
      groupId: w.groupId,
      resourceId: w.resourceId,
      bookingId,
      requesterMemberId: w.requester.id,
      status,
    });

    it('asks the group admins (not the requester) to decide a new request', async () => {
      const w = await world();
      const created = await booking(w, 'requested');
      const row = await outbox(w, 'booking.request.created', payloadOf(w, created.id, 'requested'));
      expect((await run(w, () => notices.recipients(row))).sort()).toEqual(
        [w.admin.id, w.steward2.id].sort(),
      );
      const model = await build(w, row, settingsOf(w.admin, 'en'));
      expect(model).toMatchObject({
        messageKey: 'mail.notice.bookingRequested',
        params: {
          resource: 'Barbecue hut',
          requester: 'rita Muster',
          from: created.startsAt,
          to: created.endsAt,
        },
        details: [
          { label: 'Resource', value: 'Barbecue hut' },
          { label: 'Requested by', value: 'rita Muster' },
          { label: 'When', value: created.startsAt },
        ],
        url: `${base(w)}/g/dorf/booking/requests/${created.id}`,
      });
    });

    it('asks the tenant admins when the group has no admin, and never the requester', async () => {
      const w = await world();
      await run(w, () =>
        scope.em().nativeUpdate(GroupMemberSchema, { role: 'group_admin' }, { role: 'member' }),
      );
      const created = await booking(w, 'requested');
      const row = await outbox(w, 'booking.request.created', payloadOf(w, created.id, 'requested'));
      expect(await run(w, () => notices.recipients(row))).toEqual([w.boss.id]);
    });

    it('asks nobody for a booking approved on the spot or decided meanwhile', async () => {
      const w = await world();
      const instant = await booking(w, 'approved');
      const row = await outbox(w, 'booking.request.created', payloadOf(w, instant.id, 'approved'));
      expect(await run(w, () => notices.recipients(row))).toEqual([]);
      expect(await build(w, row, settingsOf(w.admin, 'de'))).toBeNull();
    });

    it('tells the requester of the decision, with the steward’s message', async () => {
      const w = await world();
      const approved = await booking(w, 'approved', 'Schlüssel im Gemeindebüro.');
      const declined = await booking(w, 'declined');
      const approvedRow = await outbox(w, 'booking.request.approved', payloadOf(w, approved.id, 'approved'));
      const declinedRow = await outbox(w, 'booking.request.declined', payloadOf(w, declined.id, 'declined'));
      expect(await run(w, () => notices.recipients(approvedRow))).toEqual([w.requester.id]);
      expect(await run(w, () => notices.recipients(declinedRow))).toEqual([w.requester.id]);
      expect(await build(w, approvedRow, settingsOf(w.requester, 'de'))).toMatchObject({
        messageKey: 'mail.notice.bookingApproved',
        params: { resource: 'Grillhütte', message: 'Schlüssel im Gemeindebüro.', from: approved.startsAt },
        details: [
          { label: 'Ressource', value: 'Grillhütte' },
          { label: 'Wann', value: approved.startsAt },
          { label: 'Nachricht', value: 'Schlüssel im Gemeindebüro.' },
        ],
        url: `${base(w)}/g/dorf/booking/requests/${approved.id}`,
      });
      const declinedModel = await build(w, declinedRow, settingsOf(w.requester, 'de'));
      expect(declinedModel).toMatchObject({
        messageKey: 'mail.notice.bookingDeclined',
        params: { message: '' },
      });
      expect(declinedModel!.details).toHaveLength(2);
    });

    it('says nothing of an approval that was cancelled before the mail went out', async () => {
      const w = await world();
      const approved = await booking(w, 'approved');
      const row = await outbox(w, 'booking.request.approved', payloadOf(w, approved.id, 'approved'));
      await run(w, () =>
        scope.em().nativeUpdate(BookingSchema, { id: approved.id }, { status: 'cancelled' }),
      );
      expect(await run(w, () => notices.recipients(row))).toEqual([]);
      expect(await build(w, row, settingsOf(w.requester, 'de'))).toBeNull();
    });
  });

  describe('finalised polls', () => {
    async function finalised(w: World, withEvent: boolean) {
      return run(w, async () => {
        const em = scope.em();
        const poll = em.create(PollSchema, {
          group: w.groupId,
          author: w.admin,
          title: 'Sommerfest',
          description: '',
        });
        const startsAt = new Date(Date.UTC(2027, 6, 3, 14));
        const option = em.create(PollOptionSchema, {
          poll,
          position: 0,
          startsAt,
          endsAt: new Date(startsAt.getTime() + 4 * HOUR),
        });
        em.create(PollAnswerSchema, { option, member: w.helper, answer: 'yes' });
        em.create(PollAnswerSchema, { option, member: w.requester, answer: 'maybe' });
        const event = withEvent
          ? em.create(EventSchema, {
              group: w.groupId,
              author: w.admin,
              title: 'Sommerfest',
              description: '',
              place: 'Festwiese',
              startsAt,
              endsAt: option.endsAt,
            })
          : null;
        await em.flush();
        poll.finalisedOptionId = option.id;
        poll.finalisedEventId = event?.id ?? null;
        poll.finalisedAt = new Date();
        poll.closedAt = new Date();
        await em.flush();
        return { poll, option, event, startsAt };
      });
    }

    it('tells the participants the chosen date, linking the new event', async () => {
      const w = await world();
      const { poll, event, startsAt } = await finalised(w, true);
      const row = await outbox(w, 'polls.poll.finalised', {
        groupId: w.groupId,
        pollId: poll.id,
        eventId: event!.id,
        participantMemberIds: [w.helper.id, w.requester.id, w.helper.id],
      });
      expect((await run(w, () => notices.recipients(row))).sort()).toEqual(
        [w.helper.id, w.requester.id].sort(),
      );
      expect(await build(w, row, settingsOf(w.helper, 'en'))).toMatchObject({
        messageKey: 'mail.notice.pollFinalised',
        params: { poll: 'Sommerfest', result: startsAt },
        details: [
          { label: 'Result', value: startsAt },
          { label: 'Where', value: 'Festwiese' },
          { label: 'Group', value: 'Village life' },
        ],
        url: `${base(w)}/g/dorf/events/${event!.id}`,
      });
    });

    it('links the poll when its event is gone, and builds nothing for a deleted poll', async () => {
      const w = await world();
      const { poll } = await finalised(w, false);
      const row = await outbox(w, 'polls.poll.finalised', {
        pollId: poll.id,
        participantMemberIds: [w.helper.id],
      });
      const model = await build(w, row, settingsOf(w.helper, 'de'));
      expect(model!.url).toBe(`${base(w)}/g/dorf/polls/${poll.id}`);
      expect(model!.details.map((detail) => detail.label)).toEqual(['Ergebnis', 'Gruppe']);
      await run(w, async () => {
        await scope.em().nativeDelete(PollAnswerSchema, {});
        await scope.em().nativeDelete(PollOptionSchema, {});
        await scope.em().nativeDelete(PollSchema, { id: poll.id });
      });
      expect(await build(w, row, settingsOf(w.helper, 'de'))).toBeNull();
    });
  });

  it('reads only the current tenant: another tenant’s row names nothing here', async () => {
    const w = await world();
    const other = await world();
    const created = await run(other, async () => {
      const em = scope.em();
      const booking = em.create(BookingSchema, {
        resource: other.resourceId,
        group: other.groupId,
        requester: other.requester,
        startsAt: new Date(Date.now() + 20 * DAY),
        endsAt: new Date(Date.now() + 20 * DAY + HOUR),
        status: 'requested',
        purpose: 'x',
        expectedGuests: 1,
        contactPhone: '0',
      });
      await em.flush();
      return booking;
    });
    const row = await outbox(w, 'booking.request.created', { bookingId: created.id, status: 'requested' });
    expect(await run(w, () => notices.recipients(row))).toEqual([]);
    expect(await build(w, row, settingsOf(w.admin, 'de'))).toBeNull();
  });
});
