import { Injectable } from '@nestjs/common';
import { TenantScope } from '@allmende/db';
import type { LocalizedText } from '@allmende/groups';
import { Catalogue } from '@allmende/i18n';
import type { MailLanguage, NoticeModel } from '@allmende/mail';
import type { OutboxEvent } from '@allmende/outbox';
import { mailCommunity } from '../alerts/alert-builder';
import { MailRecipients, type MailCommunityInfo, type RecipientSettings } from '../mail-recipients';

/** The outbox topics that become a one-off notice mail. */
export const NOTICE_TOPICS = [
  'volunteering.shift.reminder',
  'events.event.reminder',
  'booking.request.created',
  'booking.request.approved',
  'booking.request.declined',
  'polls.poll.finalised',
] as const;
export type NoticeTopic = (typeof NOTICE_TOPICS)[number];

type Detail = NoticeModel['details'][number];
/** What a notice says, before the recipient and the community are added. */
type NoticeContent = Pick<NoticeModel, 'messageKey' | 'params' | 'details' | 'url'>;

/**
 * One-off notices from outbox rows: who hears about the change, and what the mail says.
 * Each topic has its recipients and its content here; what a notice says is read again from
 * the database when the mail is built (the row only names things), so a mail never states
 * what is no longer true: a withdrawn pledge, a cancelled event, a request someone else
 * decided meanwhile give `null` (no mail).
 *
 * - `volunteering.shift.reminder`: the pledger.
 * - `events.event.reminder`: the member who said yes.
 * - `booking.request.created`: the stewards who decide it (the group admins of the
 *   resource's group; when the group has none, the tenant admins, who may decide too), not
 *   the requester. Only requests that wait for a decision: a booking approved on the spot
 *   needs nobody.
 * - `booking.request.approved` / `declined`: the requester, with the steward's message.
 * - `polls.poll.finalised`: the members who answered the poll, with the chosen date.
 */
@Injectable()
export class NoticeBuilder {
  readonly topics: readonly string[] = NOTICE_TOPICS;
  private readonly catalogue = Catalogue.load();

  constructor(
    private readonly scope: TenantScope,
    private readonly mailRecipients: MailRecipients,
  ) {}

  /** Member ids to notify (inside the tenant's scope); none for a topic it does not handle. */
  async recipients(event: OutboxEvent): Promise<string[]> {
    const payload = event.payload;
    switch (event.topic) {
      case 'volunteering.shift.reminder':
        return (await this.shiftPledge(payload)) ? [String(payload.memberId)] : [];
      case 'events.event.reminder':
        return (await this.eventRsvp(payload)) ? [String(payload.memberId)] : [];
      case 'booking.request.created': {
        const booking = await this.booking(payload);
        if (!booking || booking.status !== 'requested') return [];
        return this.stewards(booking.group_id, booking.requester_id);
      }
      case 'booking.request.approved':
      case 'booking.request.declined': {
        const booking = await this.booking(payload);
        return booking && `booking.request.${booking.status}` === event.topic ? [booking.requester_id] : [];
      }
      case 'polls.poll.finalised': {
        const ids = Array.isArray(payload.participantMemberIds) ? payload.participantMemberIds : [];
        return [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
      }
      default:
        return [];
    }
  }

  /** The notice for one recipient, or null when it no longer applies. */
  async build(
    event: OutboxEvent,
    settings: RecipientSettings,
    community: MailCommunityInfo,
  ): Promise<NoticeModel | null> {
    const content = await this.content(event, settings, community);
    if (!content) return null;
    return {
      community: mailCommunity(community),
      recipient: settings.recipient,
      ...content,
      preferencesUrl: this.mailRecipients.links.preferences(community.slug),
    };
  }

  private content(
    event: OutboxEvent,
    settings: RecipientSettings,
    community: MailCommunityInfo,
  ): Promise<NoticeContent | null> {
    switch (event.topic) {
      case 'volunteering.shift.reminder':
        return this.shiftReminder(event.payload, settings, community);
      case 'events.event.reminder':
        return this.eventReminder(event.payload, settings, community);
      case 'booking.request.created':
        return this.bookingRequested(event.payload, settings, community);
      case 'booking.request.approved':
      case 'booking.request.declined':
        return this.bookingDecided(event.topic, event.payload, settings, community);
      case 'polls.poll.finalised':
        return this.pollFinalised(event.payload, settings, community);
      default:
        return Promise.resolve(null);
    }
  }

  // ---- the notices ------------------------------------------------------------------------

  private async shiftReminder(
    payload: Record<string, unknown>,
    settings: RecipientSettings,
    community: MailCommunityInfo,
  ): Promise<NoticeContent | null> {
    const pledge = await this.shiftPledge(payload);
    if (!pledge || pledge.member_id !== settings.recipient.memberId) return null;
    const language = settings.recipient.language;
    const startsAt = new Date(pledge.starts_at);
    const details: Detail[] = [
      this.detail(language, 'when', startsAt),
      ...(pledge.place ? [this.detail(language, 'where', pledge.place)] : []),
      this.detail(language, 'group', localized(pledge.group_name, language)),
    ];
    return {
      messageKey: 'mail.notice.shiftReminder',
      params: {
        call: pledge.call_title,
        shift: timeRange(startsAt, new Date(pledge.ends_at), settings),
        startsAt,
      },
      details,
      url: this.mailRecipients.links.call(community.slug, pledge.group_key, pledge.call_id),
    };
  }

  private async eventReminder(
    payload: Record<string, unknown>,
    settings: RecipientSettings,
    community: MailCommunityInfo,
  ): Promise<NoticeContent | null> {
    const rsvp = await this.eventRsvp(payload);
    if (!rsvp || rsvp.member_id !== settings.recipient.memberId) return null;
    const language = settings.recipient.language;
    const startsAt = new Date(rsvp.starts_at);
    return {
      messageKey: 'mail.notice.eventReminder',
      params: { event: rsvp.title, startsAt, location: rsvp.place ?? '' },
      details: [
        this.detail(language, 'when', startsAt),
        ...(rsvp.place ? [this.detail(language, 'where', rsvp.place)] : []),
        this.detail(language, 'group', localized(rsvp.group_name, language)),
      ],
      url: this.mailRecipients.links.event(community.slug, rsvp.group_key, rsvp.event_id),
    };
  }

  private async bookingRequested(
    payload: Record<string, unknown>,
    settings: RecipientSettings,
    community: MailCommunityInfo,
  ): Promise<NoticeContent | null> {
    const booking = await this.booking(payload);
    // Decided (or withdrawn) before this mail went out: nothing left to decide.
    if (!booking || booking.status !== 'requested') return null;
    const language = settings.recipient.language;
    const resource = localized(booking.resource_name, language);
    const requester = [booking.requester_given_name, booking.requester_family_name].filter(Boolean).join(' ');
    const from = new Date(booking.starts_at);
    const to = new Date(booking.ends_at);
    return {
      messageKey: 'mail.notice.bookingRequested',
      params: { resource, requester, from, to },
      details: [
        this.detail(language, 'resource', resource),
        this.detail(language, 'requester', requester),
        this.detail(language, 'when', from),
      ],
      url: this.mailRecipients.links.bookingRequest(community.slug, booking.group_key, booking.id),
    };
  }

  private async bookingDecided(
    topic: 'booking.request.approved' | 'booking.request.declined',
    payload: Record<string, unknown>,
    settings: RecipientSettings,
    community: MailCommunityInfo,
  ): Promise<NoticeContent | null> {
    const booking = await this.booking(payload);
    // E.g. approved, then cancelled before the mail went out: "approved" is no longer true.
    if (!booking || `booking.request.${booking.status}` !== topic) return null;
    if (booking.requester_id !== settings.recipient.memberId) return null;
    const language = settings.recipient.language;
    const resource = localized(booking.resource_name, language);
    const message = booking.decision_message ?? '';
    const from = new Date(booking.starts_at);
    return {
      messageKey:
        topic === 'booking.request.approved' ? 'mail.notice.bookingApproved' : 'mail.notice.bookingDeclined',
      params: { resource, from, to: new Date(booking.ends_at), message },
      details: [
        this.detail(language, 'resource', resource),
        this.detail(language, 'when', from),
        ...(message ? [this.detail(language, 'message', message)] : []),
      ],
      url: this.mailRecipients.links.bookingRequest(community.slug, booking.group_key, booking.id),
    };
  }

  private async pollFinalised(
    payload: Record<string, unknown>,
    settings: RecipientSettings,
    community: MailCommunityInfo,
  ): Promise<NoticeContent | null> {
    if (typeof payload.pollId !== 'string') return null;
    const [poll] = await this.scope.em().execute<
      {
        id: string;
        title: string;
        result: Date;
        event_id: string | null;
        event_place: string | null;
        event_live: boolean;
        group_key: string;
        group_name: LocalizedText;
      }[]
    >(
      `select p.id, p.title, o.starts_at as result, e.id as event_id, e.place as event_place,
              (e.id is not null and e.cancelled_at is null) as event_live,
              g.key as group_key, g.name as group_name
         from polls p
         join poll_options o on o.id = p.finalised_option_id
         join groups g on g.id = p.group_id
         left join events e on e.id = p.finalised_event_id
        where p.id = ? and p.finalised_at is not null`,
      [payload.pollId],
    );
    if (!poll) return null;
    const language = settings.recipient.language;
    const result = new Date(poll.result);
    const links = this.mailRecipients.links;
    return {
      messageKey: 'mail.notice.pollFinalised',
      params: { poll: poll.title, result },
      details: [
        this.detail(language, 'result', result),
        ...(poll.event_live && poll.event_place ? [this.detail(language, 'where', poll.event_place)] : []),
        this.detail(language, 'group', localized(poll.group_name, language)),
      ],
      // The event made from the poll is where one answers now; the poll while it has none.
      url:
        poll.event_live && poll.event_id
          ? links.event(community.slug, poll.group_key, poll.event_id)
          : links.poll(community.slug, poll.group_key, poll.id),
    };
  }

  // ---- reading ----------------------------------------------------------------------------

  /** The reminded shift pledge, if it still exists. */
  private async shiftPledge(payload: Record<string, unknown>) {
    if (typeof payload.pledgeId !== 'string') return null;
    const [row] = await this.scope.em().execute<
      {
        member_id: string;
        starts_at: Date;
        ends_at: Date;
        call_id: string;
        call_title: string;
        place: string | null;
        group_key: string;
        group_name: LocalizedText;
      }[]
    >(
      `select pl.member_id, s.starts_at, s.ends_at, c.id as call_id, c.title as call_title, c.place,
              g.key as group_key, g.name as group_name
         from volunteer_pledges pl
         join volunteer_shifts s on s.id = pl.shift_id
         join volunteer_calls c on c.id = s.call_id
         join groups g on g.id = c.group_id
        where pl.id = ?`,
      [payload.pledgeId],
    );
    return row ?? null;
  }

  /** The reminded RSVP, if it is still a confirmed "yes" to an event that is not cancelled. */
  private async eventRsvp(payload: Record<string, unknown>) {
    if (typeof payload.rsvpId !== 'string') return null;
    const [row] = await this.scope.em().execute<
      {
        member_id: string;
        event_id: string;
        title: string;
        place: string | null;
        starts_at: Date;
        group_key: string;
        group_name: LocalizedText;
      }[]
    >(
      `select r.member_id, e.id as event_id, e.title, e.place, e.starts_at,
              g.key as group_key, g.name as group_name
         from event_rsvps r
         join events e on e.id = r.event_id
         join groups g on g.id = e.group_id
        where r.id = ? and r.answer = 'yes' and r.status = 'confirmed' and e.cancelled_at is null`,
      [payload.rsvpId],
    );
    return row ?? null;
  }

  private async booking(payload: Record<string, unknown>) {
    if (typeof payload.bookingId !== 'string') return null;
    const [row] = await this.scope.em().execute<
      {
        id: string;
        status: string;
        starts_at: Date;
        ends_at: Date;
        decision_message: string | null;
        requester_id: string;
        requester_given_name: string;
        requester_family_name: string;
        resource_name: LocalizedText;
        group_id: string;
        group_key: string;
      }[]
    >(
      `select b.id, b.status, b.starts_at, b.ends_at, b.decision_message,
              m.id as requester_id, m.given_name as requester_given_name, m.family_name as requester_family_name,
              r.name as resource_name, g.id as group_id, g.key as group_key
         from bookings b
         join members m on m.id = b.requester_id
         join bookable_resources r on r.id = b.resource_id
         join groups g on g.id = b.group_id
        where b.id = ?`,
      [payload.bookingId],
    );
    return row ?? null;
  }

  /**
   * Who decides the group's requests: its group admins; when it has none, the tenant admins
   * (who may decide in every group), so that a request never waits unheard. Never the
   * requester themselves (a steward's own request is no news to them).
   */
  private async stewards(groupId: string, requesterId: string): Promise<string[]> {
    const em = this.scope.em();
    let rows = await em.execute<{ id: string }[]>(
      `select member_id as id from group_members where group_id = ? and role = 'group_admin' order by member_id`,
      [groupId],
    );
    if (rows.length === 0) {
      rows = await em.execute<{ id: string }[]>(
        `select id from members where role = 'tenant_admin' order by id`,
      );
    }
    return rows.map((row) => row.id).filter((id) => id !== requesterId);
  }

  private detail(language: MailLanguage, label: string, value: string | Date): Detail {
    return { label: this.catalogue.t(language, `mail.detail.${label}`), value };
  }
}

function localized(text: LocalizedText, language: MailLanguage): string {
  return text[language] ?? text.de;
}

/** "14:00–18:00" / "2:00 PM–6:00 PM" in the recipient's zone and language (the date is in {startsAt}). */
function timeRange(from: Date, to: Date, settings: RecipientSettings): string {
  const format = new Intl.DateTimeFormat(settings.recipient.language, {
    timeStyle: 'short',
    timeZone: settings.recipient.timeZone,
  });
  return `${format.format(from)}–${format.format(to)}`;
}
