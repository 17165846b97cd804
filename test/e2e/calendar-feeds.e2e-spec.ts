import type { MikroORM } from '@mikro-orm/postgresql';
import ICAL from 'ical.js';
import { BookableResourceSchema, BookingSchema } from '@allmende/booking';
import { TenantScope } from '@allmende/db';
import { EventSchema } from '@allmende/events';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema, type GroupVisibility } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { VolunteerCallSchema, VolunteerPledgeSchema, VolunteerShiftSchema } from '@allmende/volunteering';
import { createTenant, openOrm } from '../support/fixtures';
import { passwordToken, startApiWithIdentityProvider, type ApiWithIdentity } from '../support/identity';

const DAY = 24 * 60 * 60 * 1000;

/** Parses a feed with an independent parser (ical.js): its time zone and its events. */
function parseFeed(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents('vevent').map((event) => new ICAL.Event(event));
  return {
    timezone: calendar.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid'),
    events,
    summaries: events.map((event) => event.summary).sort(),
    uids: events.map((event) => event.uid).sort(),
  };
}

/**
 * Calendar feeds through HTTP, as calendar apps fetch them (no session): a member's own
 * calendar from every module, a group's calendar, public groups without a secret, renewal.
 */
describe('calendar feeds', () => {
  let orm: MikroORM;
  let api: ApiWithIdentity;
  let tenant: Tenant;
  const people = {
    anna: {
      email: 'kalender.anna@example.org',
      givenName: 'Anna',
      familyName: 'Kalender',
      emailVerified: true,
    },
    ben: { email: 'kalender.ben@example.org', givenName: 'Ben', familyName: 'Termin', emailVerified: true },
  };
  // 18:00 in Berlin (summer time) on a fixed day in the future: 16:00 UTC.
  const start = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 5, 13, 16, 0, 0));

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Kalender');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const anna = em.create(MemberSchema, {
        email: people.anna.email,
        givenName: 'Anna',
        familyName: 'Kalender',
      });
      const ben = em.create(MemberSchema, {
        email: people.ben.email,
        givenName: 'Ben',
        familyName: 'Termin',
      });
      const group = (key: string, visibility: GroupVisibility, modules: string[]) => {
        const created = em.create(GroupSchema, { key, name: { de: key }, visibility });
        for (const module of modules) {
          em.create(GroupModuleSchema, { group: created, module: module as never, settings: {} });
        }
        return created;
      };
      const village = group('dorf', 'public', ['events']);
      const club = group('verein', 'members', ['events', 'volunteering']);
      const hutGroup = group('huette', 'members', ['booking']);
      em.create(GroupMemberSchema, { group: club, member: anna });
      em.create(GroupMemberSchema, { group: hutGroup, member: anna });
      em.create(EventSchema, {
        group: village,
        author: ben,
        title: 'Dorffest',
        description: '',
        startsAt: start,
        endsAt: new Date(start.getTime() + 4 * 60 * 60 * 1000),
      });
      em.create(EventSchema, {
        group: club,
        author: ben,
        title: 'Jahreshauptversammlung',
        description: '',
        startsAt: new Date(start.getTime() + 7 * DAY),
        endsAt: new Date(start.getTime() + 7 * DAY + 2 * 60 * 60 * 1000),
      });
      const call = em.create(VolunteerCallSchema, {
        group: club,
        author: ben,
        title: 'Helfer fürs Fest',
        body: '',
      });
      const shift = em.create(VolunteerShiftSchema, {
        call,
        startsAt: new Date(start.getTime() - 2 * 60 * 60 * 1000),
        endsAt: start,
        helpersNeeded: 3,
        pledgedCount: 1,
      });
      em.create(VolunteerPledgeSchema, { member: anna, shift });
      const hut = em.create(BookableResourceSchema, {
        group: hutGroup,
        key: 'grillhuette',
        name: { de: 'Grillhütte' },
        minHours: 2,
        maxHours: 48,
        leadTimeDays: 3,
        windowDays: 365,
        approvalRequired: true,
      });
      em.create(BookingSchema, {
        resource: hut,
        group: hutGroup,
        requester: anna,
        startsAt: new Date(start.getTime() + 14 * DAY),
        endsAt: new Date(start.getTime() + 14 * DAY + 6 * 60 * 60 * 1000),
        status: 'approved',
        purpose: 'Geburtstag',
        expectedGuests: 20,
        contactPhone: '0123',
      });
      await em.flush();
    });
    api = await startApiWithIdentityProvider(Object.values(people));
  });

  afterAll(async () => {
    await api?.stop();
    await orm?.close(true);
  });

  const post = async (path: string, email: string) =>
    fetch(`${api.base}/api/tenants/${tenant.slug}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await passwordToken(api.idp, email)}` },
    });

  it("serves a member's own calendar from every module at a secret URL, without a session", async () => {
    const response = await post('/calendar/feeds/me', people.anna.email);
    expect(response.status).toBe(201);
    const { url } = (await response.json()) as { url: string };
    expect(url).toMatch(
      new RegExp(`^${api.base}/api/tenants/${tenant.slug}/calendar/[A-Za-z0-9_-]{43}\\.ics$`),
    );

    const feed = await fetch(url);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toMatch(/^text\/calendar/);
    const parsed = parseFeed(await feed.text());
    expect(parsed.timezone).toBe('Europe/Berlin');
    // Her club's meeting (she is in the group), her shift, her booking; not the village
    // festival of a group she is not in.
    expect(parsed.summaries).toEqual(expect.arrayContaining(['Jahreshauptversammlung']));
    expect(parsed.summaries.some((summary) => summary.includes('Helfer fürs Fest'))).toBe(true);
    expect(parsed.summaries.some((summary) => summary.includes('Grillhütte'))).toBe(true);
    expect(parsed.summaries).not.toContain('Dorffest');

    // Stable UIDs across requests; local time in Berlin.
    expect(parseFeed(await (await fetch(url)).text()).uids).toEqual(parsed.uids);
    const meeting = parsed.events.find((event) => event.summary === 'Jahreshauptversammlung')!;
    expect(meeting.component.getFirstProperty('dtstart')?.getParameter('tzid')).toBe('Europe/Berlin');
    expect(meeting.startDate.hour).toBe(18);
    expect(meeting.startDate.toJSDate().toISOString()).toBe(
      new Date(start.getTime() + 7 * DAY).toISOString(),
    );
  });

  it('makes the old URL worthless when the member asks for a new one', async () => {
    const first = ((await (await post('/calendar/feeds/me', people.ben.email)).json()) as { url: string })
      .url;
    expect((await fetch(first)).status).toBe(200);
    const second = ((await (await post('/calendar/feeds/me', people.ben.email)).json()) as { url: string })
      .url;
    expect(second).not.toBe(first);
    expect((await fetch(first)).status).toBe(404);
    expect((await fetch(second)).status).toBe(200);
    const guessed = `${api.base}/api/tenants/${tenant.slug}/calendar/${'A'.repeat(43)}.ics`;
    expect((await fetch(guessed)).status).toBe(404);
  });

  it("serves a public group's calendar without a secret, and other groups only at theirs", async () => {
    const open = await fetch(`${api.base}/api/tenants/${tenant.slug}/groups/dorf/calendar.ics`);
    expect(open.status).toBe(200);
    expect(parseFeed(await open.text()).summaries).toEqual(['Dorffest']);
    expect((await fetch(`${api.base}/api/tenants/${tenant.slug}/groups/verein/calendar.ics`)).status).toBe(
      404,
    );

    // Members of the group get its secret URL; others do not.
    expect((await post('/groups/verein/calendar/feed', people.ben.email)).status).toBe(403);
    const response = await post('/groups/verein/calendar/feed', people.anna.email);
    expect(response.status).toBe(201);
    const { url } = (await response.json()) as { url: string };
    expect(parseFeed(await (await fetch(url)).text()).summaries).toEqual(['Jahreshauptversammlung']);
  });
});
