import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { VolunteerCallSchema, VolunteerItemSchema, VolunteerShiftSchema } from '@allmende/volunteering';
import { BrowserSession, formValue } from '../../../../test/support/browser-session';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { startApiWithIdentityProvider, TEST_PASSWORD } from '../../../../test/support/identity';

/** "Mach mit!" in the portal: the calls, a call's page, pledging and withdrawing by form. */
describe('portal volunteering pages', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let app: INestApplication;
  let base: string;
  let tenant: Tenant;
  const helper = {
    email: 'hanna.helfer@example.org',
    givenName: 'Hanna',
    familyName: 'Helfer',
    emailVerified: true,
  };
  const ids = { call: '', shift: '', overShift: '', item: '', hiddenCall: '' };

  const page = (path: string) => `${base}/t/${tenant.slug}${path}`;
  const callPath = () => `/g/dorf/volunteering/${ids.call}`;
  const html = async (response: Response) =>
    (await response.text()).replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

  async function signIn(path: string) {
    const browser = new BrowserSession();
    const start = await browser.follow(
      `${base}/auth/login?returnTo=${encodeURIComponent(`/t/${tenant.slug}${path}`)}`,
    );
    const loginPage = await start.response.text();
    const action = /<form[^>]*action="([^"]*)"/.exec(loginPage)![1]!.replace(/&amp;/g, '&');
    const landed = await browser.follow(new URL(action, start.url).href, {
      form: { username: helper.email, password: TEST_PASSWORD },
    });
    expect(landed.url).toBe(page(path));
    return { browser, landed };
  }

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Helferdorf');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const organiser = em.create(MemberSchema, {
        email: 'olga.organisiert@example.org',
        givenName: 'Olga',
        familyName: 'Organisiert',
      });
      em.create(MemberSchema, {
        email: helper.email,
        givenName: helper.givenName,
        familyName: helper.familyName,
      });
      const group = (key: string, visibility: 'public' | 'private') => {
        const created = em.create(GroupSchema, {
          key,
          name: { de: `Gruppe ${key}` },
          visibility,
          joinPolicy: 'open',
        });
        em.create(GroupModuleSchema, { group: created, module: 'volunteering', settings: {} });
        em.create(GroupMemberSchema, { group: created, member: organiser, role: 'group_admin' });
        return created;
      };
      const dorf = group('dorf', 'public');
      const geheim = group('geheim', 'private');
      const soon = DateTime.now().setZone('Europe/Berlin').startOf('day').plus({ days: 4, hours: 14 });
      const call = em.create(VolunteerCallSchema, {
        group: dorf,
        author: organiser,
        title: 'Helfer für das Dorffest',
        body: 'Wir brauchen **Hände** und Kuchen.',
        place: 'Festwiese',
      });
      ids.call = call.id;
      ids.shift = em.create(VolunteerShiftSchema, {
        call,
        startsAt: soon.toJSDate(),
        endsAt: soon.plus({ hours: 3 }).toJSDate(),
        helpersNeeded: 3,
      }).id;
      ids.overShift = em.create(VolunteerShiftSchema, {
        call,
        startsAt: DateTime.now().minus({ days: 2 }).toJSDate(),
        endsAt: DateTime.now().minus({ days: 2 }).plus({ hours: 2 }).toJSDate(),
        helpersNeeded: 2,
      }).id;
      ids.item = em.create(VolunteerItemSchema, { call, name: 'Kuchen', quantityNeeded: 5 }).id;
      ids.hiddenCall = em.create(VolunteerCallSchema, {
        group: geheim,
        author: organiser,
        title: 'Geheimer Aufruf',
        body: 'Nur für Mitglieder.',
      }).id;
      await em.flush();
    });
    ({ app, idp, base } = await startApiWithIdentityProvider([helper]));
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
  });

  it('shows anonymous readers the calls and a call with its counts, without pledge buttons', async () => {
    const browser = new BrowserSession();
    const list = await browser.request(page('/g/dorf/volunteering'));
    expect(list.status).toBe(200);
    const listHtml = await html(list);
    expect(listHtml).toContain(`href="/t/${tenant.slug}${callPath()}"`);
    expect(listHtml).toContain('Helfer für das Dorffest');
    expect(listHtml).toContain('0 von 5 Helfenden');
    expect(listHtml).toContain('id="tab-volunteering" aria-current="page"');

    const call = await browser.request(page(callPath()));
    expect(call.status).toBe(200);
    const callHtml = await html(call);
    expect(callHtml).toContain('Wir brauchen <strong>Hände</strong> und Kuchen.');
    expect(callHtml).toContain('Ort: Festwiese');
    expect(callHtml).toMatch(new RegExp(`id="shift-count-${ids.shift}">0 von 3 Helfenden`));
    expect(callHtml).toMatch(new RegExp(`id="item-count-${ids.item}">0 von 5`));
    expect(callHtml).not.toContain('id="pledge-shift-');
    expect(callHtml).toContain('id="sign-in-hint"');

    const english = await html(await browser.request(page(`${callPath()}?lang=en`)));
    expect(english).toMatch(new RegExp(`id="shift-count-${ids.shift}">0 of 3 helpers`));
    expect(english).toContain('What is needed');
  });

  it('answers 404 for a private group, an unknown call and a malformed id', async () => {
    const browser = new BrowserSession();
    expect((await browser.request(page('/g/geheim/volunteering'))).status).toBe(404);
    expect((await browser.request(page(`/g/geheim/volunteering/${ids.hiddenCall}`))).status).toBe(404);
    expect(
      (await browser.request(page('/g/dorf/volunteering/00000000-0000-4000-8000-000000000000'))).status,
    ).toBe(404);
    expect((await browser.request(page('/g/dorf/volunteering/kein-aufruf'))).status).toBe(404);
  });

  it('lets a member pledge and withdraw a shift and an item, with the counts following', async () => {
    const { browser, landed } = await signIn(callPath());
    const before = await html(landed.response);
    expect(before).toContain(`id="pledge-shift-${ids.shift}"`);
    // An over shift offers no pledge.
    expect(before).not.toContain(`id="pledge-shift-${ids.overShift}"`);
    const csrf = formValue(before, '_csrf')!;

    const pledged = await browser.request(page(`${callPath()}/shifts/${ids.shift}/pledge`), {
      form: { _csrf: csrf },
    });
    expect(pledged.status).toBe(303);
    expect(pledged.headers.get('location')).toBe(`/t/${tenant.slug}${callPath()}#shift-${ids.shift}`);
    const afterPledge = await html(await browser.request(page(callPath())));
    expect(afterPledge).toMatch(new RegExp(`id="shift-count-${ids.shift}">1 von 3 Helfenden`));
    expect(afterPledge).toContain(`id="withdraw-shift-${ids.shift}"`);
    expect(afterPledge).not.toContain(`id="pledge-shift-${ids.shift}"`);

    // Pledging twice is refused by the service (409) and shown on the error page.
    const twice = await browser.request(page(`${callPath()}/shifts/${ids.shift}/pledge`), {
      form: { _csrf: csrf },
    });
    expect(twice.status).toBe(409);
    expect(twice.headers.get('content-type')).toContain('text/html');

    const item = await browser.request(page(`${callPath()}/items/${ids.item}/pledge`), {
      form: { _csrf: csrf, quantity: '2' },
    });
    expect(item.status).toBe(303);
    const afterItem = await html(await browser.request(page(callPath())));
    expect(afterItem).toMatch(new RegExp(`id="item-count-${ids.item}">2 von 5`));
    expect(afterItem).toContain('Sie bringen 2');

    const badQuantity = await browser.request(page(`${callPath()}/items/${ids.item}/pledge`), {
      form: { _csrf: csrf, quantity: 'viele' },
    });
    expect(badQuantity.status).toBe(400);

    expect(
      (await browser.request(page(`${callPath()}/shifts/${ids.shift}/withdraw`), { form: { _csrf: csrf } }))
        .status,
    ).toBe(303);
    expect(
      (await browser.request(page(`${callPath()}/items/${ids.item}/withdraw`), { form: { _csrf: csrf } }))
        .status,
    ).toBe(303);
    const after = await html(await browser.request(page(callPath())));
    expect(after).toMatch(new RegExp(`id="shift-count-${ids.shift}">0 von 3 Helfenden`));
    expect(after).toMatch(new RegExp(`id="item-count-${ids.item}">0 von 5`));
  });

  it('answers an htmx pledge (HX-Request) with just the block, and a refusal with the block and a notice', async () => {
    const { browser, landed } = await signIn(callPath());
    const before = await html(landed.response);
    // The forms carry htmx attributes and keep action, method and the token for browsers without JS.
    expect(before).toContain(
      `action="/t/${tenant.slug}${callPath()}/shifts/${ids.shift}/pledge" hx-post="/t/${tenant.slug}${callPath()}/shifts/${ids.shift}/pledge" hx-target="#shift-${ids.shift}" hx-swap="outerHTML"`,
    );
    expect(before).toContain('<script src="/assets/htmx.min.js" defer></script>');
    // The full page does not steal the focus; only a swapped block does.
    expect(before).not.toContain('autofocus');
    const csrf = formValue(before, '_csrf')!;
    const htmx = { 'HX-Request': 'true' };

    const pledged = await browser.request(page(`${callPath()}/shifts/${ids.shift}/pledge`), {
      form: { _csrf: csrf },
      headers: htmx,
    });
    expect(pledged.status).toBe(200);
    expect(pledged.headers.get('vary')).toContain('HX-Request');
    const block = await html(pledged);
    expect(block.trim()).toMatch(new RegExp(`^<li id="shift-${ids.shift}">`));
    expect(block).not.toContain('<html');
    expect(block).not.toContain('<header');
    expect(block).toMatch(new RegExp(`id="shift-count-${ids.shift}">1 von 3 Helfenden`));
    expect(block).toContain(`id="withdraw-shift-${ids.shift}-submit" autofocus>`);
    expect(block).toContain(`name="_csrf" value="${csrf}"`);
    expect(block).not.toContain(`id="item-${ids.item}"`);

    // Pledged twice: the service refuses (409); htmx gets the current block with a notice.
    const twice = await browser.request(page(`${callPath()}/shifts/${ids.shift}/pledge`), {
      form: { _csrf: csrf },
      headers: htmx,
    });
    expect(twice.status).toBe(200);
    const refused = await html(twice);
    expect(refused).toContain(`id="shift-refused-${ids.shift}"`);
    expect(refused).toMatch(new RegExp(`id="shift-count-${ids.shift}">1 von 3 Helfenden`));

    const item = await browser.request(page(`${callPath()}/items/${ids.item}/pledge`), {
      form: { _csrf: csrf, quantity: '3' },
      headers: htmx,
    });
    expect(item.status).toBe(200);
    const itemBlock = await html(item);
    expect(itemBlock.trim()).toMatch(new RegExp(`^<li id="item-${ids.item}">`));
    expect(itemBlock).toMatch(new RegExp(`id="item-count-${ids.item}">3 von 5`));
    expect(itemBlock).toContain(`id="withdraw-item-${ids.item}"`);

    // A bad quantity changes nothing.
    const bad = await html(
      await browser.request(page(`${callPath()}/items/${ids.item}/pledge`), {
        form: { _csrf: csrf, quantity: 'viele' },
        headers: htmx,
      }),
    );
    expect(bad).toContain(`id="item-refused-${ids.item}"`);
    expect(bad).toMatch(new RegExp(`id="item-count-${ids.item}">3 von 5`));

    // Without the token htmx requests are refused like any other (403), nothing changes.
    const forged = await browser.request(page(`${callPath()}/shifts/${ids.shift}/withdraw`), {
      form: { nothing: '' },
      headers: htmx,
    });
    expect(forged.status).toBe(403);

    for (const path of [`/shifts/${ids.shift}/withdraw`, `/items/${ids.item}/withdraw`]) {
      const withdrawn = await browser.request(page(`${callPath()}${path}`), {
        form: { _csrf: csrf },
        headers: htmx,
      });
      expect(withdrawn.status).toBe(200);
    }
    // The page (as a browser without JS sees it after a reload) has the counts back at zero.
    const after = await html(await browser.request(page(callPath())));
    expect(after).toMatch(new RegExp(`id="shift-count-${ids.shift}">0 von 3 Helfenden`));
    expect(after).toMatch(new RegExp(`id="item-count-${ids.item}">0 von 5`));
  });

  it('refuses a pledge without the CSRF token', async () => {
    const { browser } = await signIn(callPath());
    const response = await browser.request(page(`${callPath()}/shifts/${ids.shift}/pledge`), {
      form: { nothing: '' },
    });
    expect(response.status).toBe(403);
  });

  it('sends anonymous pledges to sign in', async () => {
    const response = await new BrowserSession().request(page(`${callPath()}/shifts/${ids.shift}/pledge`), {
      form: { _csrf: 'x' },
    });
    // No session, so no token: the CSRF check refuses it before anything else.
    expect(response.status).toBe(403);
  });
});
