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
  type PageQuery,
} from '@allmende/content';
import { newId, ProblemException } from '@allmende/core';
import { tenantContext, TenantScope } from '@allmende/db';
import { EventsService } from '@allmende/events';
import { memberReferenceOf, MemberSchema } from '@allmende/members';
import type { PollAnswerValue } from './poll-answer.entity';
import { PollOptionSchema, type PollOption } from './poll-option.entity';
import { PollSchema, type Poll } from './poll.entity';
import type { AnswersInput, CreatePollInput, FinaliseInput, OptionResultView, PollView } from './poll-views';

const MODULE = 'polls';

interface AnswerRow {
  option_id: string;
  member_id: string;
  given_name: string;
  family_name: string;
  answer: PollAnswerValue;
}

function conflict(detail: string): ProblemException {
  return new ProblemException({ type: '/problems/conflict', title: 'Conflict', status: 409, detail });
}

/** Whether answers are no longer taken. */
function isClosed(poll: Poll, now = new Date()): boolean {
  return (
    !!poll.closedAt || !!poll.finalisedAt || (!!poll.closesAt && poll.closesAt.getTime() <= now.getTime())
  );
}

/**
 * Date-finding polls: members of the group create them and answer yes / maybe / no per
 * option; the author or a moderator closes a poll and finalises one option into an event
 * (through EventsService, in the same transaction). Answering, closing and finalising lock
 * the poll's row, so no answer slips in after a poll was finalised and a poll is finalised once.
 */
@Injectable()
export class PollsService {
  constructor(
    private readonly scope: TenantScope,
    private readonly access: GroupAccess,
    private readonly events: EventsService,
  ) {}

  // ---- reading ----------------------------------------------------------------------------

  /** Polls of a group, newest first, each with its results table. */
  async listPolls(actor: Actor, groupKey: string, query: PageQuery): Promise<Page<PollView>> {
    const access = await this.access.require(actor, groupKey, MODULE);
    const conditions: object[] = [{ group: access.group.id }];
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, 2) as [string, string];
      if (Number.isNaN(new Date(at).getTime())) {
        throw ProblemException.validation([{ path: 'cursor', message: 'not a cursor of this list' }]);
      }
      conditions.push({
        $or: [{ createdAt: { $lt: new Date(at) } }, { createdAt: new Date(at), id: { $lt: id } }],
      });
    }
    const polls = await this.scope
      .em()
      .find(
        PollSchema,
        { $and: conditions },
        { orderBy: { createdAt: 'desc', id: 'desc' }, limit: query.limit + 1, populate: ['author', 'group'] },
      );
    const views = await this.views(polls.slice(0, query.limit), actor, access);
    return toPage(
      polls,
      query.limit,
      (poll) => views.get(poll.id)!,
      (poll) => [poll.createdAt.toISOString(), poll.id],
    );
  }

  async getPoll(actor: Actor, groupKey: string, pollId: string): Promise<PollView> {
    const access = await this.access.require(actor, groupKey, MODULE);
    return this.view(await this.findPoll(access, pollId), actor, access);
  }

  // ---- writing ----------------------------------------------------------------------------

  async createPoll(actor: Actor, groupKey: string, input: CreatePollInput): Promise<PollView> {
    const access = await this.access.requireWrite(actor, groupKey, MODULE);
    const memberId = actor.membership!.memberId;
    const em = this.scope.em();
    const poll = em.create(PollSchema, {
      group: access.group,
      author: em.getReference(MemberSchema, memberId),
      title: input.title,
      description: input.description,
      closesAt: input.closesAt ? new Date(input.closesAt) : null,
    });
    input.options.forEach((option, position) =>
      em.create(PollOptionSchema, {
        poll,
        position,
        startsAt: new Date(option.startsAt),
        endsAt: new Date(option.endsAt),
      }),
    );
    recordOutboxEvent(em, 'polls.poll.created', {
      groupId: access.group.id,
      pollId: poll.id,
      authorMemberId: memberId,
    });
    await em.flush(); // poll, options and outbox row in one transaction
    await em.populate(poll, ['author']);
    return this.view(poll, actor, access);
  }

  /** Replaces the caller's answers with this set (members of the group, while the poll is open). */
  async answer(actor: Actor, groupKey: string, pollId: string, input: AnswersInput): Promise<PollView> {
    const access = await this.access.requireWrite(actor, groupKey, MODULE);
    const memberId = actor.membership!.memberId;
    const poll = await this.findPoll(access, pollId);
    await this.scope.em().transactional(async (em) => {
      const locked = await this.lockPoll(em, poll.id);
      if (isClosed(locked)) throw conflict('This poll takes no more answers.');
      const optionIds = new Set((await this.options(em, [poll.id])).map((option) => option.id));
      const unknown = input.answers.findIndex((each) => !optionIds.has(each.optionId));
      if (unknown >= 0) {
        throw ProblemException.validation([
          { path: `answers.${unknown}.optionId`, message: 'not an option of this poll' },
        ]);
      }
      await em.execute(
        `delete from poll_answers where member_id = ?
            and option_id in (select id from poll_options where poll_id = ?)`,
        [memberId, poll.id],
      );
      for (const each of input.answers) {
        await em.execute(
          `insert into poll_answers (id, created_at, updated_at, tenant_id, option_id, member_id, answer)
           values (?, now(), now(), ?, ?, ?, ?)`,
          [newId(), tenantContext.requireTenantId(), each.optionId, memberId, each.answer],
        );
      }
    });
    return this.view(poll, actor, access);
  }

  /** Stops taking answers (the author or a moderator; audited for moderators). */
  async closePoll(actor: Actor, groupKey: string, pollId: string): Promise<PollView> {
    const access = await this.requireChanger(actor, groupKey);
    const poll = await this.findPoll(access, pollId);
    const own = this.mayChange(poll, actor, access);
    await this.scope.em().transactional(async (em) => {
      const locked = await this.lockPoll(em, poll.id);
      if (locked.closedAt || locked.finalisedAt) throw conflict('This poll is closed already.');
      locked.closedAt = new Date();
      recordOutboxEvent(em, 'polls.poll.closed', {
        groupId: access.group.id,
        pollId: poll.id,
        participantMemberIds: await this.participants(em, poll.id),
      });
      if (!own) this.audit(em, actor, 'polls.poll.closed', poll.id, access);
    });
    return this.view(await this.findPoll(access, pollId, true), actor, access);
  }

  /**
   * Picks one option and creates the event from it, in one transaction with the poll's
   * change and the outbox row that notifies the participants. 409 when finalised already or
   * when the group has no events module.
   */
  async finalise(actor: Actor, groupKey: string, pollId: string, input: FinaliseInput): Promise<PollView> {
    const access = await this.requireChanger(actor, groupKey);
    const poll = await this.findPoll(access, pollId);
    const own = this.mayChange(poll, actor, access);
    const memberId = actor.membership?.memberId;
    if (!memberId) throw ProblemException.forbidden('Only members of the tenant may finalise polls.');
    await this.scope.em().transactional(async (em) => {
      const locked = await this.lockPoll(em, poll.id);
      if (locked.finalisedAt) throw conflict('This poll is finalised already.');
      const option = (await this.options(em, [poll.id])).find((each) => each.id === input.optionId);
      if (!option) {
        throw ProblemException.validation([{ path: 'optionId', message: 'not an option of this poll' }]);
      }
      const event = await this.events.createEventInTransaction(em, access.group, memberId, {
        title: input.title ?? locked.title,
        description: locked.description,
        place: input.place,
        startsAt: option.startsAt.toISOString(),
        endsAt: option.endsAt.toISOString(),
        allDay: false,
        capacity: input.capacity,
      });
      await em.flush(); // the event exists before the poll points at it
      const now = new Date();
      locked.finalisedOptionId = option.id;
      locked.finalisedEventId = event.id;
      locked.finalisedAt = now;
      locked.closedAt ??= now;
      recordOutboxEvent(em, 'polls.poll.finalised', {
        groupId: access.group.id,
        pollId: poll.id,
        optionId: option.id,
        eventId: event.id,
        participantMemberIds: await this.participants(em, poll.id),
      });
      if (!own) this.audit(em, actor, 'polls.poll.finalised', poll.id, access);
    });
    return this.view(await this.findPoll(access, pollId, true), actor, access);
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** Locks the poll's row for the transaction and returns it as stored now. */
  private async lockPoll(em: EntityManager, pollId: string): Promise<Poll> {
    await em.execute(`select id from polls where id = ? for update`, [pollId]);
    return em.findOneOrFail(PollSchema, pollId, { refresh: true });
  }

  private async requireChanger(actor: Actor, groupKey: string): Promise<GroupAccessContext> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    return this.access.require(actor, groupKey, MODULE);
  }

  /** Whether this is the caller's own poll; 403 unless it is theirs or they moderate. */
  private mayChange(poll: Poll, actor: Actor, access: GroupAccessContext): boolean {
    const own = poll.author.id === actor.membership?.memberId;
    if (!own && !access.canModerate) {
      throw ProblemException.forbidden('Only the author or a group admin may change this poll.');
    }
    return own;
  }

  private audit(
    em: EntityManager,
    actor: Actor,
    action: string,
    pollId: string,
    access: GroupAccessContext,
  ): void {
    recordAudit(em, actor, {
      action,
      entityType: 'poll',
      entityId: pollId,
      details: { groupId: access.group.id },
    });
  }

  /** Members who answered at least one option: those who hear about the outcome. */
  private async participants(em: EntityManager, pollId: string): Promise<string[]> {
    const rows = await em.execute<{ member_id: string }[]>(
      `select distinct a.member_id from poll_answers a join poll_options o on o.id = a.option_id
        where o.poll_id = ? order by a.member_id`,
      [pollId],
    );
    return rows.map((row) => row.member_id);
  }

  private async findPoll(access: GroupAccessContext, pollId: string, refresh = false): Promise<Poll> {
    const poll = await this.scope
      .em()
      .findOne(
        PollSchema,
        { id: pollId, group: access.group.id },
        { populate: ['author', 'group'], refresh },
      );
    if (!poll) throw ProblemException.notFound('No such poll in this group.');
    return poll;
  }

  private options(em: EntityManager, pollIds: string[]): Promise<PollOption[]> {
    return em.find(PollOptionSchema, { poll: { $in: pollIds } }, { orderBy: { position: 'asc' } });
  }

  private async view(poll: Poll, actor: Actor, access: GroupAccessContext): Promise<PollView> {
    return (await this.views([poll], actor, access)).get(poll.id)!;
  }

  /** Poll views with their results tables, in three queries however many polls. */
  private async views(
    polls: Poll[],
    actor: Actor,
    access: GroupAccessContext,
  ): Promise<Map<string, PollView>> {
    if (polls.length === 0) return new Map();
    const em = this.scope.em();
    const options = await this.options(
      em,
      polls.map((poll) => poll.id),
    );
    const answers =
      options.length === 0
        ? []
        : await em.execute<AnswerRow[]>(
            `select a.option_id, a.member_id, m.given_name, m.family_name, a.answer
               from poll_answers a join members m on m.id = a.member_id
              where a.option_id in (${options.map(() => '?').join(', ')})
              order by m.family_name, m.given_name, m.id`,
            options.map((option) => option.id),
          );
    // Who answered what is for members of the group (and moderators); others see counts.
    const showNames = access.canWrite || access.canModerate;
    const memberId = actor.membership?.memberId ?? null;
    const views = new Map<string, PollView>();
    for (const poll of polls) {
      const own = options.filter((option) => option.poll.id === poll.id);
      const participants = new Set<string>();
      const rows: OptionResultView[] = own.map((option) => {
        const mine = answers.filter((row) => row.option_id === option.id);
        for (const row of mine) participants.add(row.member_id);
        const count = (value: PollAnswerValue) => mine.filter((row) => row.answer === value).length;
        return {
          id: option.id,
          startsAt: option.startsAt.toISOString(),
          endsAt: option.endsAt.toISOString(),
          yes: count('yes'),
          maybe: count('maybe'),
          no: count('no'),
          answers: showNames
            ? mine.map((row) => ({
                memberId: row.member_id,
                givenName: row.given_name,
                familyName: row.family_name,
                answer: row.answer,
              }))
            : null,
          myAnswer: mine.find((row) => row.member_id === memberId)?.answer ?? null,
        };
      });
      const author = poll.author.getEntity();
      const group = poll.group.getEntity();
      views.set(poll.id, {
        id: poll.id,
        group: { id: group.id, key: group.key },
        title: poll.title,
        description: poll.description,
        descriptionHtml: renderMarkdown(poll.description),
        author: memberReferenceOf(author),
        mine: poll.author.id === memberId,
        createdAt: poll.createdAt.toISOString(),
        closesAt: poll.closesAt?.toISOString() ?? null,
        closed: isClosed(poll),
        finalisedOptionId: poll.finalisedOptionId ?? null,
        finalisedEventId: poll.finalisedEventId ?? null,
        participants: participants.size,
        options: rows,
      });
    }
    return views;
  }
}
