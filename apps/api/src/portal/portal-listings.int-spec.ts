import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { StoredFileSchema } from '@allmende/files';
import { ListingSchema } from '@allmende/listings';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { BrowserSession, formValue } from '../../../../test/support/browser-session';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import {
  passwordToken,
  startApiWithIdentityProvider,
  TEST_PASSWORD,
} from '../../../../test/support/identity';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** "Gesucht – Gefunden" in the portal: the board and its filters, a listing, create, resolve, contact. */
describe('portal listings pages', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let app: INestApplication;
  let base: string;
  let tenant: Tenant;
  const person = (email: string, givenName: string, familyName: string) => ({
    email,
    givenName,
    familyName,
    emailVerified: true,
  });
  const people = {
    /** member of `fundsachen`, writes listings. */
    author: person('frieda.finder@example.org', 'Frieda', 'Finder'),
    /** member of the community, not of the group: may read and write to authors. */
    neighbour: person('nils.nachbar@example.org', 'Nils', 'Nachbar'),
  };
  const ids = { open: '', resolved: '', withPhoto: '' };

  const page = (path: string) => `${base}/t/${tenant.slug}${path}`;
  const html = async (response: Response) =>
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
    return { browser, landed, html: await html(landed.response) };
  }

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Fundhausen');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const author = em.create(MemberSchema, {
        email: people.author.email,
        givenName: people.author.givenName,
        familyName: people.author.familyName,
      });
      em.create(MemberSchema, {
        email: people.neighbour.email,
        givenName: people.neighbour.givenName,
        familyName: people.neighbour.familyName,
      });
      const group = em.create(GroupSchema, {
        key: 'fundsachen',
        name: { de: 'Fundsachen' },
        visibility: 'public',
        joinPolicy: 'open',
      });
      em.create(GroupModuleSchema, {
        group,
        module: 'listings',
        settings: { kinds: ['lost', 'found', 'missing_pet'], expiryDays: 30 },
      });
      em.create(GroupMemberSchema, { group, member: author });
      const listing = (title: string, kind: 'lost' | 'found', extra: Record<string, unknown> = {}) =>
        em.create(ListingSchema, {
          group,
          author,
          kind,
          title,
          description: `Beschreibung von **${title}**`,
          place: 'Marktplatz',
          date: '2026-11-20',
          expiresAt: new Date(Date.now() + 30 * 24 * 3600 * 1000),
          ...extra,
        });
      ids.open = listing('Roter Regenschirm', 'found').id;
      ids.resolved = listing('Blaue Mütze', 'lost', { status: 'resolved', resolvedAt: new Date() }).id;
      await em.flush();
    });
    ({ app, idp, base } = await startApiWithIdentityProvider(Object.values(people)));

    // A listing with a photo, through the REST API (the portal form's photo: its own test).
    const token = await passwordToken(idp, people.author.email);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(PNG)]), 'katze.png');
    const api = `${base}/api/tenants/${tenant.slug}/groups/fundsachen/listings`;
    const upload = await fetch(`${api}/photos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect(upload.status).toBe(201);
    const photo = (await upload.json()) as { id: string };
    const created = await fetch(api, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'missing_pet',
        title: 'Kater Mio vermisst',
        description: 'Grau getigert.',
        place: 'Am Bach',
        date: '2026-11-22',
        photoFileId: photo.id,
      }),
    });
    expect(created.status).toBe(201);
    ids.withPhoto = ((await created.json()) as { id: string }).id;
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
  });

  it('shows anonymous readers the open listings, filtered by kind and status', async () => {
    const browser = new BrowserSession();
    const board = await browser.request(page('/g/fundsachen/listings'));
    expect(board.status).toBe(200);
    const boardHtml = await html(board);
    expect(boardHtml).toContain('Roter Regenschirm');
    expect(boardHtml).toContain('Kater Mio vermisst');
    expect(boardHtml).not.toContain('Blaue Mütze');
    expect(boardHtml).toContain(`src="/t/${tenant.slug}/g/fundsachen/listings/${ids.withPhoto}/photo"`);
    expect(boardHtml).not.toContain('id="listing-form"');

    const found = await html(await browser.request(page('/g/fundsachen/listings?kind=found')));
    expect(found).toContain('Roter Regenschirm');
    expect(found).not.toContain('Kater Mio vermisst');
    expect(found).toMatch(/<option value="found" selected>/);

    const resolved = await html(await browser.request(page('/g/fundsachen/listings?status=resolved')));
    expect(resolved).toContain('Blaue Mütze');
    expect(resolved).not.toContain('Roter Regenschirm');

    expect((await browser.request(page('/g/fundsachen/listings?kind=einhorn'))).status).toBe(400);
    const english = await html(await new BrowserSession().request(page('/g/fundsachen/listings?lang=en')));
    expect(english).toContain('Missing pet');
    expect(english).toContain('All kinds');
  });

  it('shows a listing with its photo, and serves the photo as an image', async () => {
    const browser = new BrowserSession();
    const listing = await html(await browser.request(page(`/g/fundsachen/listings/${ids.withPhoto}`)));
    expect(listing).toContain('Kater Mio vermisst');
    expect(listing).toContain('Tier vermisst');
    expect(listing).toContain('id="listing-photo"');
    expect(listing).toContain('von Frieda Finder');
    expect(listing).toContain('id="sign-in-hint"');
    expect(listing).not.toContain('id="resolve-form"');
    const photo = await browser.request(page(`/g/fundsachen/listings/${ids.withPhoto}/photo`));
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await photo.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await browser.request(page(`/g/fundsachen/listings/${ids.open}/photo`))).status).toBe(404);
    expect((await browser.request(page('/g/fundsachen/listings/kein-aushang'))).status).toBe(404);
  });

  it('lets a group member post a listing, and shows a refused draft again', async () => {
    const { browser, html: boardHtml } = await signIn('author', '/g/fundsachen/listings');
    expect(boardHtml).toContain('id="listing-form"');
    const csrf = formValue(boardHtml, '_csrf')!;
    const refused = await browser.request(page('/g/fundsachen/listings'), {
      form: { _csrf: csrf, kind: 'lost', title: 'Brille', description: '', place: 'Kirche', date: 'gestern' },
    });
    expect(refused.status).toBe(400);
    const refusedHtml = await html(refused);
    expect(refusedHtml).toContain('id="listing-form-errors"');
    expect(refusedHtml).toMatch(/id="listing-date"[^>]*aria-invalid="true"/);
    expect(refusedHtml).toMatch(/id="listing-description"[^>]*aria-invalid="true"/);
    expect(refusedHtml).not.toMatch(/id="listing-title"[^>]*aria-invalid/);
    // The error summary links to the refused fields, in words.
    expect(refusedHtml).toContain(
      '<a class="kern-link" href="#listing-date">Datum</a>: Bitte geben Sie ein gültiges Datum an.',
    );
    expect(refusedHtml).toContain('href="#listing-description"');
    expect(refusedHtml).toContain('value="Brille"');

    const created = await browser.request(page('/g/fundsachen/listings'), {
      form: {
        _csrf: csrf,
        kind: 'lost',
        title: 'Brille mit Goldrand',
        description: 'In einem **braunen** Etui.',
        place: 'Kirche',
        date: '2026-11-23',
      },
    });
    expect(created.status).toBe(303);
    const location = created.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^/t/${tenant.slug}/g/fundsachen/listings/[0-9a-f-]{36}$`));
    const listing = await html(await browser.request(`${base}${location}`));
    expect(listing).toContain('In einem <strong>braunen</strong> Etui.');
    expect(listing).toContain('id="resolve-form"');
    // The author reads messages, but does not write to themselves.
    expect(listing).not.toContain('id="message-form"');
    expect(listing).toContain('id="messages"');
  });

  it('takes a photo in the multipart form, and stores nothing for a refused draft or photo', async () => {
    const { browser, html: boardHtml } = await signIn('author', '/g/fundsachen/listings');
    const action = /<form[^>]*action="([^"]*)"[^>]*enctype="multipart\/form-data"[^>]*id="listing-form"/.exec(
      boardHtml,
    )?.[1];
    expect(action).toMatch(/\/listings\?_csrf=[^&]+$/);
    expect(boardHtml).toMatch(/<input id="listing-photo-file" name="photo" type="file" accept="image\/\*"/);
    // The token is in the action, not a field: a multipart form with a field `_csrf` is refused.
    expect(/<form[^>]*id="listing-form"[\s\S]*?<\/form>/.exec(boardHtml)![0]).not.toContain('name="_csrf"');
    const storedFiles = () => new TenantScope(orm).run(tenant.id, (em) => em.count(StoredFileSchema, {}));
    const before = await storedFiles();
    const form = (fields: Record<string, string>, photo?: { bytes: Buffer; name: string }) => {
      const body = new FormData();
      for (const [name, value] of Object.entries(fields)) body.append(name, value);
      body.append(
        'photo',
        new Blob([new Uint8Array(photo?.bytes ?? Buffer.alloc(0))], { type: 'application/octet-stream' }),
        photo?.name ?? '',
      );
      return body;
    };
    const fields = {
      kind: 'missing_pet',
      title: 'Hündin Lotte entlaufen',
      description: 'Klein, braun, hört auf **Lotte**.',
      place: 'Waldweg',
      date: '2026-11-24',
    };

    // Without the token (or with a wrong one): 403, nothing stored.
    for (const url of [page('/g/fundsachen/listings'), page('/g/fundsachen/listings?_csrf=falsch')]) {
      const refused = await browser.request(url, {
        multipart: form(fields, { bytes: PNG, name: 'lotte.png' }),
      });
      expect(refused.status).toBe(403);
    }
    expect(await storedFiles()).toBe(before);

    // Not an image: the form again with what was typed, nothing stored.
    const notImage = await browser.request(`${base}${action!}`, {
      multipart: form(fields, { bytes: Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n'), name: 'lotte.png' }),
    });
    expect(notImage.status).toBe(415);
    const notImageHtml = await html(notImage);
    expect(notImageHtml).toContain('id="listing-photo-error"');
    expect(notImageHtml).toContain('Das ist kein Bild, das wir annehmen');
    expect(notImageHtml).toMatch(/id="listing-photo-file"[^>]*aria-invalid="true"/);
    expect(notImageHtml).toContain('value="Hündin Lotte entlaufen"');
    expect(await storedFiles()).toBe(before);

    // A refused draft with a good photo: the form again, and the photo is not kept.
    const draft = await browser.request(`${base}${action!}`, {
      multipart: form({ ...fields, date: 'gestern' }, { bytes: PNG, name: 'lotte.png' }),
    });
    expect(draft.status).toBe(400);
    const draftHtml = await html(draft);
    expect(draftHtml).toMatch(/id="listing-date"[^>]*aria-invalid="true"/);
    expect(draftHtml).toContain('Bitte wählen Sie das Foto noch einmal aus');
    expect(await storedFiles()).toBe(before);

    // With the photo: the listing shows it, and it is the stored image.
    const created = await browser.request(`${base}${action!}`, {
      multipart: form(fields, { bytes: PNG, name: 'lotte.png' }),
    });
    expect(created.status).toBe(303);
    const location = created.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^/t/${tenant.slug}/g/fundsachen/listings/[0-9a-f-]{36}$`));
    const listing = await html(await browser.request(`${base}${location}`));
    expect(listing).toContain('Hündin Lotte entlaufen');
    expect(listing).toContain(`<img src="${location}/photo"`);
    expect(listing).toContain('id="listing-photo"');
    const photo = await browser.request(`${base}${location}/photo`);
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await photo.arrayBuffer()).equals(PNG)).toBe(true);
    expect(await storedFiles()).toBe(before + 1);

    // The photo is optional: an empty file input makes a listing without one.
    const withoutPhoto = await browser.request(`${base}${action!}`, {
      multipart: form({ ...fields, title: 'Schlüsselbund gefunden', kind: 'found' }),
    });
    expect(withoutPhoto.status).toBe(303);
    const plain = await html(await browser.request(`${base}${withoutPhoto.headers.get('location')!}`));
    expect(plain).toContain('Schlüsselbund gefunden');
    expect(plain).not.toContain('id="listing-photo"');
    expect(await storedFiles()).toBe(before + 1);
  });

  it('lets a neighbour write to the author, and the author read it and resolve', async () => {
    const path = `/g/fundsachen/listings/${ids.open}`;
    const neighbour = await signIn('neighbour', path);
    expect(neighbour.html).toContain('id="message-form"');
    // Not in the group: neither resolve nor the messages.
    expect(neighbour.html).not.toContain('id="resolve-form"');
    expect(neighbour.html).not.toContain('id="messages"');
    const sent = await neighbour.browser.request(page(`${path}/messages`), {
      form: { _csrf: formValue(neighbour.html, '_csrf')!, text: 'Der gehört mir, ich hole ihn ab.' },
    });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe(`/t/${tenant.slug}${path}?sent=1#contact`);
    expect(await html(await neighbour.browser.request(`${base}${sent.headers.get('location')}`))).toContain(
      'id="message-sent"',
    );
    const empty = await neighbour.browser.request(page(`${path}/messages`), {
      form: { _csrf: formValue(neighbour.html, '_csrf')!, text: '  ' },
    });
    expect(empty.status).toBe(400);
    // Too long: the listing again, with the text kept and the summary linking to the field.
    const long = `Ist das meiner? ${'x'.repeat(2000)}`;
    const tooLong = await neighbour.browser.request(page(`${path}/messages`), {
      form: { _csrf: formValue(neighbour.html, '_csrf')!, text: long },
    });
    expect(tooLong.status).toBe(400);
    const refusedPage = await html(tooLong);
    expect(refusedPage).toMatch(
      /id="message-errors"[\s\S]*href="#message-text"[\s\S]*höchstens 2\.000 Zeichen/,
    );
    expect(refusedPage).toMatch(
      /<textarea id="message-text"[^>]*aria-invalid="true"[^>]*>Ist das meiner\? x{2000}<\/textarea>/,
    );
    const refusedResolve = await neighbour.browser.request(page(`${path}/resolve`), {
      form: { _csrf: formValue(neighbour.html, '_csrf')! },
    });
    expect(refusedResolve.status).toBe(403);

    const author = await signIn('author', path);
    expect(author.html).toMatch(/id="messages"[\s\S]*Nils Nachbar[\s\S]*Der gehört mir, ich hole ihn ab\./);
    // Only the message that was accepted: the refused ones wrote nothing.
    expect(author.html.match(/<article class="message"/g)).toHaveLength(1);
    const resolved = await author.browser.request(page(`${path}/resolve`), {
      form: { _csrf: formValue(author.html, '_csrf')! },
    });
    expect(resolved.status).toBe(303);
    const after = await html(await author.browser.request(page(path)));
    expect(after).toContain('id="listing-resolved"');
    expect(after).not.toContain('id="resolve-form"');
    expect(after).toMatch(/id="listing-status"><span class="kern-label">Erledigt</);
  });
});
