import type { MikroORM } from '@mikro-orm/postgresql';
import { AuditEventSchema, OutboxEventSchema } from '@allmende/content';
import { TenantScope } from '@allmende/db';
import { EventSchema } from '@allmende/events';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema, type GroupVisibility } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../support/fixtures';
import { startApiWithIdentityProvider, type ApiWithIdentity } from '../support/identity';
import { expectJson, tenantApi } from '../support/api-client';

interface OptionResult {
  id: string;
  startsAt: string;
  endsAt: string;
  yes: number;
  maybe: number;
  no: number;
  answers: { memberId: string; givenName: string; familyName: string; answer: string }[] | null;
  myAnswer: string | null;
}
interface PollView {
  id: string;
  group: { id: string; key: string };
  title: string;
  description: string;
  descriptionHtml: string;
  author: { memberId: string; givenName: string; familyName: string };
  mine: boolean;
  closed: boolean;
  closesAt: string | null;
  finalisedOptionId: string | null;
  finalisedEventId: string | null;
  participants: number;
  options: OptionResult[];
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const person = (given: string, family: string) => ({
  email: `${given.toLowerCase()}.${family.toLowerCase()}@example.org`,
  givenName: given,
  familyName: family,
  emailVerified: true,
});

/** The polls module ("Terminabsprachen") through the API, with real tokens. */
describe('polls', () => {
  let orm: MikroORM;
  let api: ApiWithIdentity;
  let tenant: Tenant;
  let other: Tenant;
  const people: Record<string, ReturnType<typeof person>> = {
    tenantAdmin: person('Rita', 'Rathaus'),
    groupAdmin: person('Gustav', 'Garten'),
    member: person('Mia', 'Mitglied'),
    member2: person('Max', 'Mitglied'),
    outsider: person('Otto', 'Ausserhalb'),
    foreign: person('Fiona', 'Fremd'),
  };
  type Who = string;
  const memberIds: Record<string, string> = {};
  const call = tenantApi(
    () => api,
    people,
    () => tenant.slug,
  );

  const json = expectJson;

  const options = [
    { startsAt: '2027-07-03T14:00:00Z', endsAt: '2027-07-03T18:00:00Z' },
    { startsAt: '2027-07-10T14:00:00Z', endsAt: '2027-07-10T18:00:00Z' },
    { startsAt: '2027-07-17T14:00:00Z', endsAt: '2027-07-17T18:00:00Z' },
  ];
  const createPoll = async (group: string, who: Who, extra: Record<string, unknown> = {}) =>
    json<PollView>(
      await call('POST', `/groups/${group}/polls`, who, {
        title: 'Sommerfest',
        description: 'Welcher Samstag passt?',
        options,
        ...extra,
      }),
      201,
    );
  const answer = (group: string, poll: PollView, who: Who, values: string[]) =>
    call('PUT', `/groups/${group}/polls/${poll.id}/answers`, who, {
      answers: values.map((value, index) => ({ optionId: poll.options[index]!.id, answer: value })),
    });
  const inTenant = <T>(fn: (em: Parameters<Parameters<TenantScope['run']>[1]>[0]) => Promise<T>) =>
    new TenantScope(orm).run(tenant.id, fn);

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Terminfindung');
    other = await createTenant(orm, 'Nachbargemeinde Termine');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const member = (who: string, role: 'tenant_admin' | 'member' = 'member') => {
        const row = em.create(MemberSchema, {
          email: people[who]!.email,
          givenName: people[who]!.givenName,
          familyName: people[who]!.familyName,
          role,
        });
        memberIds[who] = row.id;
        return row;
      };
      member('tenantAdmin', 'tenant_admin');
      const groupAdmin = member('groupAdmin');
      const members = ['member', 'member2'].map((who) => member(who));
      member('outsider');
      const group = (key: string, visibility: GroupVisibility, modules: ('polls' | 'events')[]) => {
        const row = em.create(GroupSchema, { key, name: { de: key }, visibility, joinPolicy: 'open' });
        for (const module of modules) em.create(GroupModuleSchema, { group: row, module, settings: {} });
        em.create(GroupMemberSchema, { group: row, member: groupAdmin, role: 'group_admin' });
        for (const each of members) em.create(GroupMemberSchema, { group: row, member: each });
        return row;
      };
      group('garten', 'public', ['polls', 'events']);
      group('nachbarn', 'members', ['polls', 'events']);
      group('vorstand', 'private', ['polls', 'events']);
      group('ohne', 'members', ['events']);
      group('nurumfragen', 'members', ['polls']);
      await em.flush();
    });
    await new TenantScope(orm).run(other.id, async (em) => {
      em.create(MemberSchema, { email: people.foreign!.email, givenName: 'Fiona', familyName: 'Fremd' });
      await em.flush();
    });
    api = await startApiWithIdentityProvider(Object.values(people));
  });

  afterAll(async () => {
    await api?.stop();
    await orm?.close(true);
  });

  describe('who may read and write', () => {
    const roles = ['anonymous', 'foreign', 'outsider', 'member', 'groupAdmin', 'tenantAdmin'] as const;
    const readers: [GroupVisibility, string, number[]][] = [
      ['public', 'garten', [200, 200, 200, 200, 200, 200]],
      ['members', 'nachbarn', [404, 404, 200, 200, 200, 200]],
      ['private', 'vorstand', [404, 404, 404, 200, 200, 200]],
    ];
    it.each(readers)('reads a %s group as the matrix says', async (_visibility, group, expected) => {
      const poll = await createPoll(group, 'member');
      for (const [index, who] of roles.entries()) {
        const list = await call('GET', `/groups/${group}/polls`, who);
        expect([who, list.status]).toEqual([who, expected[index]]);
        if (list.status === 200) {
          expect(((await list.json()) as Page<PollView>).items.map((item) => item.id)).toContain(poll.id);
        }
        expect([who, (await call('GET', `/groups/${group}/polls/${poll.id}`, who)).status]).toEqual([
          who,
          expected[index],
        ]);
      }
    });

    // The tenant admin is no member of these groups: reading yes, writing (creating, answering) no.
    const writers: [GroupVisibility, string, number[]][] = [
      ['public', 'garten', [401, 403, 403, 201, 201, 403]],
      ['members', 'nachbarn', [401, 404, 403, 201, 201, 403]],
      ['private', 'vorstand', [401, 404, 404, 201, 201, 403]],
    ];
    it.each(writers)('writes in a %s group as the matrix says', async (_visibility, group, expected) => {
      const poll = await createPoll(group, 'groupAdmin');
      for (const [index, who] of roles.entries()) {
        const created = await call('POST', `/groups/${group}/polls`, who, { title: 'Treffen', options });
        expect([who, created.status]).toEqual([who, expected[index]]);
        const answered = await answer(group, poll, who, ['yes']);
        expect([who, answered.status]).toEqual([who, expected[index] === 201 ? 200 : expected[index]]);
      }
    });

    it('answers 404 for a group without the module, and for polls of other groups', async () => {
      expect((await call('GET', '/groups/ohne/polls', 'member')).status).toBe(404);
      expect((await call('POST', '/groups/ohne/polls', 'member', { title: 'x', options })).status).toBe(404);
      const secret = await createPoll('vorstand', 'member');
      expect((await call('GET', `/groups/garten/polls/${secret.id}`, 'member')).status).toBe(404);
      expect((await answer('garten', secret, 'member', ['yes'])).status).toBe(404);
    });
  });

  it('rejects invalid and unknown fields with 400 and field paths', async () => {
    const bad = await call('POST', '/groups/garten/polls', 'member', {
      title: '',
      options: [{ startsAt: '2027-07-03T14:00:00Z', endsAt: '2027-07-03T13:00:00Z' }],
      groupId: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await bad.json()) as { errors: { path: string; message: string }[] };
    expect(problem.errors.map((error) => error.path).sort()).toEqual(['(root)', 'options.0.endsAt', 'title']);
    expect(problem.errors.find((error) => error.path === '(root)')!.message).toContain('groupId');
    const none = await call('POST', '/groups/garten/polls', 'member', { title: 'Ohne Termine', options: [] });
    expect((await json<{ errors: { path: string }[] }>(none, 400)).errors[0]!.path).toBe('options');

    const poll = await createPoll('garten', 'member');
    const twice = await call('PUT', `/groups/garten/polls/${poll.id}/answers`, 'member', {
      answers: [
        { optionId: poll.options[0]!.id, answer: 'yes' },
        { optionId: poll.options[0]!.id, answer: 'no' },
      ],
    });
    expect((await json<{ errors: { path: string }[] }>(twice, 400)).errors[0]!.path).toBe('answers');
    const foreignOption = await call('PUT', `/groups/garten/polls/${poll.id}/answers`, 'member', {
      answers: [
        { optionId: poll.options[0]!.id, answer: 'yes' },
        { optionId: '0195f0a4-0000-7000-8000-000000000000', answer: 'yes' },
      ],
    });
    expect((await json<{ errors: { path: string }[] }>(foreignOption, 400)).errors[0]!.path).toBe(
      'answers.1.optionId',
    );
    const wrongValue = await call('PUT', `/groups/garten/polls/${poll.id}/answers`, 'member', {
      answers: [{ optionId: poll.options[0]!.id, answer: 'vielleicht' }],
    });
    expect((await json<{ errors: { path: string }[] }>(wrongValue, 400)).errors[0]!.path).toBe(
      'answers.0.answer',
    );
    // Nothing was stored by the rejected requests.
    const read = await json<PollView>(await call('GET', `/groups/garten/polls/${poll.id}`, 'member'), 200);
    expect(read.participants).toBe(0);
  });

  it('stores Markdown as written and returns it rendered, with XSS inert', async () => {
    const description = 'Termin? <script>alert(1)</script> <img src=x onerror="alert(2)"> **bitte**';
    const poll = await createPoll('garten', 'member', { description });
    const read = await json<PollView>(await call('GET', `/groups/garten/polls/${poll.id}`, 'anonymous'), 200);
    expect(read.description).toBe(description);
    expect(read.descriptionHtml).toContain('<strong>bitte</strong>');
    expect(read.descriptionHtml).not.toMatch(/<script|<img/i);
  });

  it('keeps one set of answers per member and shows who answered what only to group members', async () => {
    const poll = await createPoll('garten', 'groupAdmin');
    await json(await answer('garten', poll, 'member', ['yes', 'maybe', 'no']), 200);
    await json(await answer('garten', poll, 'member2', ['yes', 'yes']), 200);
    // Answering again replaces the whole set: Max now only answers the first date.
    const replaced = await json<PollView>(await answer('garten', poll, 'member2', ['maybe']), 200);
    expect(replaced.options.map((option) => [option.yes, option.maybe, option.no, option.myAnswer])).toEqual([
      [1, 1, 0, 'maybe'],
      [0, 1, 0, null],
      [0, 0, 1, null],
    ]);
    expect(replaced.participants).toBe(2);
    expect(replaced.options[0]!.answers).toEqual([
      { memberId: memberIds.member2, givenName: 'Max', familyName: 'Mitglied', answer: 'maybe' },
      { memberId: memberIds.member, givenName: 'Mia', familyName: 'Mitglied', answer: 'yes' },
    ]);
    expect(JSON.stringify(replaced)).not.toContain('@example.org');
    // Readers outside the group see the counts, not the names.
    for (const who of ['anonymous', 'outsider']) {
      const seen = await json<PollView>(await call('GET', `/groups/garten/polls/${poll.id}`, who), 200);
      expect(seen.options.map((option) => [option.yes, option.answers])).toEqual([
        [1, null],
        [0, null],
        [0, null],
      ]);
    }
    // The list answers with an ETag and 304 while nothing changed.
    const list = await call('GET', '/groups/garten/polls', 'member');
    const etag = list.headers.get('etag')!;
    expect(etag).toBeTruthy();
    const again = await call('GET', '/groups/garten/polls', 'member', undefined, { 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it('finalises one option into an event, notifies the participants, and only once', async () => {
    const poll = await createPoll('garten', 'member');
    await json(await answer('garten', poll, 'member', ['yes', 'no', 'no']), 200);
    await json(await answer('garten', poll, 'member2', ['yes', 'maybe', 'no']), 200);
    const chosen = poll.options[0]!;
    expect(
      (await call('POST', `/groups/garten/polls/${poll.id}/finalise`, 'member2', { optionId: chosen.id }))
        .status,
    ).toBe(403);
    expect(
      (await call('POST', `/groups/garten/polls/${poll.id}/finalise`, 'anonymous', { optionId: chosen.id }))
        .status,
    ).toBe(401);
    const unknown = await call('POST', `/groups/garten/polls/${poll.id}/finalise`, 'member', {
      optionId: '0195f0a4-0000-7000-8000-000000000000',
    });
    expect((await json<{ errors: { path: string }[] }>(unknown, 400)).errors[0]!.path).toBe('optionId');

    // Two finalisations at once: one wins, the other is a 409, and there is one event.
    const [first, second] = await Promise.all([
      call('POST', `/groups/garten/polls/${poll.id}/finalise`, 'member', {
        optionId: chosen.id,
        place: 'Festwiese',
      }),
      call('POST', `/groups/garten/polls/${poll.id}/finalise`, 'member', { optionId: poll.options[1]!.id }),
    ]);
    expect([first.status, second.status].sort()).toEqual([201, 409]);
    const finalised = (await (first.status === 201 ? first : second).json()) as PollView;
    expect(finalised.closed).toBe(true);
    expect(finalised.finalisedEventId).toBeTruthy();

    const events = await inTenant((em) =>
      em.find(EventSchema, { title: 'Sommerfest', group: poll.group.id }),
    );
    expect(events.map((event) => event.id)).toEqual([finalised.finalisedEventId]);
    const event = await json<{
      title: string;
      startsAt: string;
      endsAt: string;
      author: { memberId: string };
    }>(await call('GET', `/groups/garten/events/${finalised.finalisedEventId!}`, 'anonymous'), 200);
    const option = poll.options.find((each) => each.id === finalised.finalisedOptionId)!;
    expect([event.startsAt, event.endsAt]).toEqual([option.startsAt, option.endsAt]);
    expect(event.author.memberId).toBe(memberIds.member);

    const outbox = await inTenant((em) => em.find(OutboxEventSchema, { topic: 'polls.poll.finalised' }));
    const mine = outbox.filter((row) => (row.payload as { pollId: string }).pollId === poll.id);
    expect(mine.map((row) => row.payload)).toEqual([
      {
        groupId: poll.group.id,
        pollId: poll.id,
        optionId: option.id,
        eventId: finalised.finalisedEventId,
        participantMemberIds: [memberIds.member, memberIds.member2].sort(),
      },
    ]);
    const created = await inTenant((em) => em.find(OutboxEventSchema, { topic: 'events.event.created' }));
    expect(
      created.filter((row) => (row.payload as { eventId: string }).eventId === finalised.finalisedEventId),
    ).toHaveLength(1);

    // Finalised: no more answers, no second finalisation.
    expect((await answer('garten', poll, 'member', ['maybe'])).status).toBe(409);
    expect(
      (await call('POST', `/groups/garten/polls/${poll.id}/finalise`, 'member', { optionId: chosen.id }))
        .status,
    ).toBe(409);
    // The author did it: nothing to audit.
    expect(await inTenant((em) => em.count(AuditEventSchema, { entityId: poll.id }))).toBe(0);
  });

  it('lets moderators close and finalise others’ polls, audited', async () => {
    const poll = await createPoll('nachbarn', 'member');
    await json(await answer('nachbarn', poll, 'member2', ['yes']), 200);
    expect((await call('POST', `/groups/nachbarn/polls/${poll.id}/close`, 'member2')).status).toBe(403);
    const closed = await json<PollView>(
      await call('POST', `/groups/nachbarn/polls/${poll.id}/close`, 'groupAdmin'),
      201,
    );
    expect(closed.closed).toBe(true);
    expect((await answer('nachbarn', poll, 'member2', ['no'])).status).toBe(409);
    expect((await call('POST', `/groups/nachbarn/polls/${poll.id}/close`, 'member')).status).toBe(409);
    const finalised = await json<PollView>(
      await call('POST', `/groups/nachbarn/polls/${poll.id}/finalise`, 'tenantAdmin', {
        optionId: poll.options[2]!.id,
        title: 'Nachbarschaftsfest',
        capacity: 40,
      }),
      201,
    );
    expect(finalised.finalisedOptionId).toBe(poll.options[2]!.id);
    const audit = await inTenant((em) =>
      em.find(AuditEventSchema, { entityId: poll.id }, { orderBy: { createdAt: 'asc' } }),
    );
    expect(audit.map((row) => [row.action, row.actorMemberId])).toEqual([
      ['polls.poll.closed', memberIds.groupAdmin],
      ['polls.poll.finalised', memberIds.tenantAdmin],
    ]);
    const closedOutbox = await inTenant((em) => em.find(OutboxEventSchema, { topic: 'polls.poll.closed' }));
    expect(
      closedOutbox
        .filter((row) => (row.payload as { pollId: string }).pollId === poll.id)
        .map((row) => row.payload),
    ).toEqual([{ groupId: poll.group.id, pollId: poll.id, participantMemberIds: [memberIds.member2] }]);
  });

  it('does not finalise (and changes nothing) in a group without events', async () => {
    const poll = await createPoll('nurumfragen', 'member');
    const refused = await call('POST', `/groups/nurumfragen/polls/${poll.id}/finalise`, 'member', {
      optionId: poll.options[0]!.id,
    });
    expect(refused.status).toBe(409);
    const read = await json<PollView>(
      await call('GET', `/groups/nurumfragen/polls/${poll.id}`, 'member'),
      200,
    );
    expect([read.closed, read.finalisedOptionId, read.finalisedEventId]).toEqual([false, null, null]);
    const finalisedRows = await inTenant((em) =>
      em.find(OutboxEventSchema, { topic: 'polls.poll.finalised' }),
    );
    expect(finalisedRows.filter((row) => (row.payload as { pollId: string }).pollId === poll.id)).toEqual([]);
    expect(await inTenant((em) => em.count(EventSchema, { group: poll.group.id }))).toBe(0);
  });
});
