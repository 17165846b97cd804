import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { PollOptionSchema, PollSchema } from '@allmende/polls';
import type { Tenant } from '@allmende/tenants';
import { BrowserSession, formValue } from '../../../../test/support/browser-session';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { startApiWithIdentityProvider, TEST_PASSWORD } from '../../../../test/support/identity';

/** Date polls in the portal (issue 8): the answer grid and finalising into an event. */
describe('portal polls pages', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let app: INestApplication;
  let base: string;
  let tenant: Tenant;
  const ids = { poll: '', first: '', second: '' };
  const person = (email: string, givenName: string, familyName: string) => ({
    email,
    givenName,
    familyName,
    emailVerified: true,
  });
  const people = {
    /** group_admin of `chor`: may finalise. */
    admin: person('anke.admin@example.org', 'Anke', 'Admin'),
    /** member of `chor`: answers. */
    member: person('paul.poll@example.org', 'Paul', 'Poll'),
  };

  const page = (path: string) => `${base}/t/${tenant.slug}${path}`;
  const text = async (response: Response) =>
    (await response.text()).replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

  async function signIn(who: keyof typeof people, path: string) {
    const browser = new BrowserSession();
    const start = await browser.follow(
      `${base}/auth/login?returnTo=${encodeURIComponent(`/t/${tenant.slug}${path}`)}`,
    );
    const loginPage = await start.response.text();
    const action = /<form[^>]*action="([^"]*)"/.exec(loginPage)![1]!.replace(/&amp;/g, '&');
    const landed = await browser.follow(new URL(action, start.url).href, {
      form: { username: people[who].email, password: TEST_PASSWORD },
    });
    expect(landed.url).toBe(page(path));
    return { browser, html: await text(landed.response) };
  }

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Umfragehausen');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const member = (who: keyof typeof people) =>
        em.create(MemberSchema, {
          email: people[who].email,
          givenName: people[who].givenName,
          familyName: people[who].familyName,
        });
      const anke = member('admin');
      const paul = member('member');
      const chor = em.create(GroupSchema, {
        key: 'chor',
        name: { de: 'Chor' },
        visibility: 'public',
        joinPolicy: 'invite',
      });
      em.create(GroupModuleSchema, { group: chor, module: 'polls', settings: {} });
      em.create(GroupModuleSchema, { group: chor, module: 'events', settings: {} });
      em.create(GroupMemberSchema, { group: chor, member: anke, role: 'group_admin' });
      em.create(GroupMemberSchema, { group: chor, member: paul });
      const poll = em.create(PollSchema, {
        group: chor,
        author: anke,
        title: 'Probe vor dem Konzert',
        description: 'Wann passt es **euch**?',
      });
      const option = (days: number, position: number) => {
        const start = DateTime.now().setZone('Europe/Berlin').startOf('day').plus({ days, hours: 19 });
        return em.create(PollOptionSchema, {
          poll,
          position,
          startsAt: start.toJSDate(),
          endsAt: start.plus({ hours: 2 }).toJSDate(),
        });
      };
      ids.poll = poll.id;
      ids.first = option(10, 0).id;
      ids.second = option(11, 1).id;
      await em.flush();
    });
    ({ app, idp, base } = await startApiWithIdentityProvider(Object.values(people)));
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
  });

  it('shows residents without login the list and the results, without forms', async () => {
    const browser = new BrowserSession();
    const list = await text(await browser.request(page('/g/chor/polls')));
    expect(list).toContain(`href="/t/${tenant.slug}/g/chor/polls/${ids.poll}"`);
    const poll = await browser.request(page(`/g/chor/polls/${ids.poll}`));
    expect(poll.status).toBe(200);
    const html = await text(poll);
    expect(html).toContain('Wann passt es <strong>euch</strong>?');
    expect(html).toContain(`id="option-${ids.first}"`);
    expect(html).not.toContain('id="answers-form"');
    expect(html).not.toContain('id="finalise-form"');
  });

  it('lets a member answer in the grid, and the admin finalise into an event', async () => {
    const member = await signIn('member', `/g/chor/polls/${ids.poll}`);
    expect(member.html).toContain('id="answers-form"');
    expect(member.html).not.toContain('id="finalise-form"');
    const answered = await member.browser.request(page(`/g/chor/polls/${ids.poll}/answers`), {
      form: {
        _csrf: formValue(member.html, '_csrf')!,
        [`option-${ids.first}`]: 'yes',
        [`option-${ids.second}`]: 'maybe',
      },
    });
    expect(answered.status).toBe(303);
    expect(answered.headers.get('location')).toBe(`/t/${tenant.slug}/g/chor/polls/${ids.poll}#answers`);
    const after = await text(await member.browser.request(page(`/g/chor/polls/${ids.poll}`)));
    expect(after).toMatch(new RegExp(`id="option-${ids.first}-yes">1<`));
    expect(after).toMatch(new RegExp(`id="option-${ids.second}-maybe">1<`));
    expect(after).toMatch(new RegExp(`id="answer-${ids.first}-yes"[^>]*checked`));
    const refused = await member.browser.request(page(`/g/chor/polls/${ids.poll}/answers`), {
      form: { _csrf: formValue(member.html, '_csrf')!, [`option-${ids.first}`]: 'jein' },
    });
    expect(refused.status).toBe(400);

    const admin = await signIn('admin', `/g/chor/polls/${ids.poll}`);
    expect(admin.html).toContain('id="finalise-form"');
    const finalised = await admin.browser.request(page(`/g/chor/polls/${ids.poll}/finalise`), {
      form: { _csrf: formValue(admin.html, '_csrf')!, optionId: ids.first, place: 'Kirche' },
    });
    expect(finalised.status).toBe(303);
    const done = await text(await admin.browser.request(page(`/g/chor/polls/${ids.poll}`)));
    expect(done).toContain('id="option-final"');
    expect(done).not.toContain('id="finalise-form"');
    expect(done).not.toContain('id="answers-form"');
    const eventHref = /id="poll-event"/.test(done) ? /href="([^"]*)" id="poll-event"/.exec(done)![1]! : '';
    expect(eventHref).toMatch(new RegExp(`^/t/${tenant.slug}/g/chor/events/[0-9a-f-]{36}$`));
    const event = await text(await admin.browser.request(`${base}${eventHref}`));
    expect(event).toContain('Probe vor dem Konzert');
    expect(event).toContain('Kirche');
  });
});
