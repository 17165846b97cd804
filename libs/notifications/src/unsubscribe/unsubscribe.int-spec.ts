import type { MikroORM } from '@mikro-orm/postgresql';
import { AuditEventSchema } from '@allmende/audit';
import { TenantScope } from '@allmende/db';
import { UnsubscribeTokens, type UnsubscribeList } from '@allmende/mail';
import { MemberSchema } from '@allmende/members';
import { TenantSchema, type Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { startApiWithIdentityProvider, type ApiWithIdentity } from '../../../../test/support/identity';
import { testConfig } from '../../../../test/support/test-config';
import { NotificationPreferencesSchema } from '../notification-preferences.entity';

/** Leaving a mailing list by the link of a mail: GET looks, POST (RFC 8058 one-click) switches off. */
describe('unsubscribe links', () => {
  let orm: MikroORM;
  let api: ApiWithIdentity;
  let tenant: Tenant;
  let other: Tenant;
  const members: Record<'lena' | 'tom' | 'mia' | 'gone' | 'fremd', string> = {
    lena: '',
    tom: '',
    mia: '',
    gone: '',
    fremd: '',
  };
  const tokens = new UnsubscribeTokens(testConfig().MAIL_TOKEN_SECRET!);

  const link = (memberId: string, list: UnsubscribeList, tenantId = tenant.id) =>
    `${api.base}/unsubscribe/${tokens.sign({ tenantId, memberId, list })}`;

  /** What a mail client sends for a one-click unsubscribe: a form POST, no cookies. */
  const oneClick = (url: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });

  const preferences = (memberId: string) =>
    new TenantScope(orm).run(tenant.id, (em) =>
      em.findOne(NotificationPreferencesSchema, { member: memberId }),
    );

  const audits = (memberId: string) =>
    new TenantScope(orm).run(tenant.id, (em) =>
      em.find(AuditEventSchema, { entityId: memberId, action: 'notifications.unsubscribed' }),
    );

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Ruhe & Frieden');
    other = await createTenant(orm, 'Ortsgemeinde Anderswo');
    const global = orm.em.fork();
    const row = await global.findOneOrFail(TenantSchema, { id: tenant.id });
    row.digestDefaults = { frequency: 'weekly', hour: 18, weekday: 5 };
    await global.flush();
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const lena = em.create(MemberSchema, {
        email: 'lena.ruhe@example.org',
        givenName: 'Lena',
        familyName: 'Ruhe',
      });
      const tom = em.create(MemberSchema, {
        email: 'tom.ruhe@example.org',
        givenName: 'Tom',
        familyName: 'Ruhe',
      });
      const gone = em.create(MemberSchema, {
        email: 'gone.ruhe@example.org',
        givenName: 'Weg',
        familyName: 'Ruhe',
      });
      const mia = em.create(MemberSchema, {
        email: 'mia.ruhe@example.org',
        givenName: 'Mia',
        familyName: 'Ruhe',
      });
      // Tom chose before: daily digests in English, alerts on.
      em.create(NotificationPreferencesSchema, {
        member: tom,
        digestFrequency: 'daily',
        digestHour: 7,
        digestWeekday: 1,
        mutedGroupIds: [],
        urgentAlerts: true,
        language: 'en',
        timeZone: null,
      });
      await em.flush();
      members.lena = lena.id;
      members.tom = tom.id;
      members.gone = gone.id;
      members.mia = mia.id;
      em.remove(gone);
      await em.flush();
    });
    await new TenantScope(orm).run(other.id, async (em) => {
      const fremd = em.create(MemberSchema, {
        email: 'fremd@example.org',
        givenName: 'Fred',
        familyName: 'Fremd',
      });
      await em.flush();
      members.fremd = fremd.id;
    });
    api = await startApiWithIdentityProvider([]);
  });

  afterAll(async () => {
    await api?.stop();
    await orm?.close(true);
  });

  it('GET shows what would be switched off, in the community’s language, and changes nothing', async () => {
    const url = link(members.lena, 'digest');
    const response = await fetch(url);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(html).toContain('<html lang="de"');
    expect(html).toContain(
      'Möchten Sie die E-Mail-Zusammenfassungen von Ortsgemeinde Ruhe &amp; Frieden abbestellen?',
    );
    expect(html).toContain(`<form method="post" action="${new URL(url).pathname}">`);
    // Looking twice (as link scanners do) still changes nothing.
    expect((await fetch(url)).status).toBe(200);
    expect(await preferences(members.lena)).toBeNull();
    expect(await audits(members.lena)).toHaveLength(0);
  });

  it('POST one-click switches the digest off, from the community’s defaults, once', async () => {
    const url = link(members.lena, 'digest');
    const response = await oneClick(url);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(html).toContain(
      'Sie erhalten keine E-Mail-Zusammenfassungen von Ortsgemeinde Ruhe &amp; Frieden mehr.',
    );
    const saved = await preferences(members.lena);
    expect(saved).toMatchObject({
      digestFrequency: 'off',
      digestHour: 18,
      digestWeekday: 5,
      urgentAlerts: true,
      language: 'de',
      mutedGroupIds: [],
    });
    const [audit, ...more] = await audits(members.lena);
    expect(more).toHaveLength(0);
    expect(audit).toMatchObject({
      actorUserId: null,
      actorMemberId: members.lena,
      entityType: 'member',
      details: { list: 'digest', via: 'unsubscribe-link', before: 'weekly' },
    });

    // A second click (or the mail client retrying) is still fine, and records nothing new.
    const again = await oneClick(url);
    expect(again.status).toBe(200);
    expect((await preferences(members.lena))?.digestFrequency).toBe('off');
    expect(await audits(members.lena)).toHaveLength(1);
    const rows = await new TenantScope(orm).run(tenant.id, (em) =>
      em.count(NotificationPreferencesSchema, { member: members.lena }),
    );
    expect(rows).toBe(1);
  });

  it('the confirmation form posts too (a browser, without a CSRF token)', async () => {
    const url = link(members.lena, 'alerts');
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }),
    });
    expect(response.status).toBe(200);
    expect(await preferences(members.lena)).toMatchObject({ digestFrequency: 'off', urgentAlerts: false });
  });

  it('alerts: switches only urgent alerts off, in the member’s own language', async () => {
    const url = link(members.tom, 'alerts');
    const page = await (await fetch(url)).text();
    expect(page).toContain('<html lang="en"');
    expect(page).toContain(
      'Do you want to stop receiving urgent alerts of Ortsgemeinde Ruhe &amp; Frieden by e-mail?',
    );
    expect((await preferences(members.tom))?.urgentAlerts).toBe(true);

    const response = await oneClick(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(
      'You will no longer receive urgent alerts of Ortsgemeinde Ruhe &amp; Frieden',
    );
    expect(await preferences(members.tom)).toMatchObject({
      urgentAlerts: false,
      digestFrequency: 'daily',
      language: 'en',
    });
  });

  it('takes any one-click body (multipart, none) and copes with clicks at the same moment', async () => {
    const url = link(members.mia, 'digest');
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const answers = await Promise.all([
      fetch(url, { method: 'POST', body: form }),
      fetch(url, { method: 'POST' }),
      oneClick(url),
      oneClick(url),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect((await preferences(members.mia))?.digestFrequency).toBe('off');
    expect(await audits(members.mia)).toHaveLength(1);
  });

  it('refuses forged, altered and foreign tokens with 400, changing nothing', async () => {
    const genuine = tokens.sign({ tenantId: tenant.id, memberId: members.tom, list: 'digest' });
    const [payload, mac] = genuine.split('.') as [string, string];
    const foreign = new UnsubscribeTokens('someone-elses-secret-of-32-characters-or-more');
    const forged = [
      `${payload}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`,
      // Lena's payload with Tom's MAC.
      `${tokens.sign({ tenantId: tenant.id, memberId: members.lena, list: 'digest' }).split('.')[0]}.${mac}`,
      foreign.sign({ tenantId: tenant.id, memberId: members.tom, list: 'digest' }),
      'not-a-token',
      '%3Cscript%3E',
    ];
    for (const token of forged) {
      const url = `${api.base}/unsubscribe/${token}`;
      const looked = await fetch(url, { headers: { 'accept-language': 'en' } });
      expect(looked.status).toBe(400);
      expect(await looked.text()).toContain('This unsubscribe link is not valid.');
      const posted = await oneClick(url);
      expect(posted.status).toBe(400);
      expect(await posted.text()).toContain('Dieser Abbestell-Link ist ungültig.');
    }
    expect((await preferences(members.tom))?.digestFrequency).toBe('daily');
  });

  it('answers 404 for a member that no longer exists, or not in the token’s community', async () => {
    expect((await fetch(link(members.gone, 'digest'))).status).toBe(404);
    expect((await oneClick(link(members.gone, 'digest'))).status).toBe(404);
    // A genuine member id, but of another community: that community's scope does not see them.
    expect((await oneClick(link(members.fremd, 'digest', tenant.id))).status).toBe(404);
    const fremd = await new TenantScope(orm).run(other.id, (em) =>
      em.findOne(NotificationPreferencesSchema, { member: members.fremd }),
    );
    expect(fremd).toBeNull();
    expect(await preferences(members.gone)).toBeNull();
  });
});
