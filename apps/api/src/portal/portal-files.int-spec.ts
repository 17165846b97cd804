import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { StoredFileSchema } from '@allmende/files';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema, type GroupVisibility } from '@allmende/groups';
import { freePort } from '@allmende/local-services';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { BrowserSession, formValue } from '../../../../test/support/browser-session';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { startTestIdentityProvider, TEST_PASSWORD } from '../../../../test/support/identity';
import { testConfig } from '../../../../test/support/test-config';
import { createApiApp } from '../create-api-app';

/** A 1×1 PNG: a real image by its magic number. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const MB = 1024 * 1024;
/** A PNG of `bytes` bytes (signature and header first, padding after: still sniffed as PNG). */
const pngOf = (bytes: number) => Buffer.concat([PNG, Buffer.alloc(bytes - PNG.length, 7)]);

/** The files pages of the portal: list, upload through the session, download, delete. */
describe('portal files pages', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let app: INestApplication;
  let base: string;
  let filesDir: string;
  let tenant: Tenant;
  const person = (email: string, givenName: string, familyName: string) => ({
    email,
    givenName,
    familyName,
    emailVerified: true,
  });
  const people = {
    /** member of every group here. */
    member: person('gerda.gruppe@example.org', 'Gerda', 'Gruppe'),
    /** group admin of `vorstand` and `klein`... and a member of them. */
    admin: person('anton.admin@example.org', 'Anton', 'Admin'),
    /** a member of the community in no group. */
    neighbour: person('nina.nachbar@example.org', 'Nina', 'Nachbar'),
  };

  const page = (path: string) => `${base}/t/${tenant.slug}${path}`;
  const html = async (response: Response) =>
    (await response.text()).replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
  const inScope = <T>(fn: (em: Parameters<Parameters<TenantScope['run']>[1]>[0]) => Promise<T>) =>
    new TenantScope(orm).run(tenant.id, fn);
  const storedRows = () => inScope((em) => em.count(StoredFileSchema, {}));
  /** Every stored object of the tenant (temporary `.part` files included). */
  const storedObjects = async () => readdir(join(filesDir, tenant.id)).catch(() => [] as string[]);
  const fileForm = (bytes: Buffer, name: string) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/octet-stream' }), name);
    return form;
  };

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
    return { browser, html: await html(landed.response) };
  }

  /** The upload form's action (with its `?_csrf=`) on a files page. */
  const uploadAction = (pageHtml: string) => {
    const action = /<form[^>]*action="([^"]*)"[^>]*enctype="multipart\/form-data"[^>]*id="upload-form"/.exec(
      pageHtml,
    )?.[1];
    expect(action).toBeDefined();
    return `${base}${action!}`;
  };

  beforeAll(async () => {
    orm = await openOrm();
    filesDir = await mkdtemp(join(tmpdir(), 'allmende-portal-files-'));
    tenant = await createTenant(orm, 'Ortsgemeinde Ablage');
    await inScope(async (em) => {
      const member = (key: keyof typeof people) =>
        em.create(MemberSchema, {
          email: people[key].email,
          givenName: people[key].givenName,
          familyName: people[key].familyName,
        });
      const inGroups = member('member');
      const admin = member('admin');
      member('neighbour');
      const group = (key: string, visibility: GroupVisibility, settings: Record<string, unknown> = {}) => {
        const created = em.create(GroupSchema, { key, name: { de: key }, visibility, joinPolicy: 'open' });
        em.create(GroupModuleSchema, { group: created, module: 'files', settings });
        em.create(GroupMemberSchema, { group: created, member: inGroups });
        em.create(GroupMemberSchema, { group: created, member: admin, role: 'group_admin' });
        return created;
      };
      group('dorfarchiv', 'public');
      group('vorstand', 'private');
      group('klein', 'members', { quotaMb: 1 });
      await em.flush();
    });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    idp = await startTestIdentityProvider(base, Object.values(people));
    app = await createApiApp(
      testConfig({
        KEYCLOAK_URL: idp.url,
        PUBLIC_URL: base,
        FILES_DIR: filesDir,
        FILES_MAX_MB: '2',
        FILES_ALLOWED_TYPES: 'image/png,image/jpeg,application/pdf',
      }),
    );
    await app.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
    if (filesDir) await rm(filesDir, { recursive: true, force: true });
  });

  let uploadedId = '';

  it('lets a group member upload through the form, then lists and downloads the file', async () => {
    const { browser, html: listHtml } = await signIn('member', '/g/dorfarchiv/files');
    expect(listHtml).toContain('id="files-empty"');
    const action = uploadAction(listHtml);
    expect(action).toMatch(/\/files\?_csrf=[^&]+$/);
    const bytes = pngOf(4000);
    const name = 'Plan; Grüße (neu).png';
    const uploaded = await browser.request(action, { multipart: fileForm(bytes, name) });
    expect(uploaded.status).toBe(303);
    const location = uploaded.headers.get('location')!;
    const match = new RegExp(
      `^/t/${tenant.slug}/g/dorfarchiv/files\\?uploaded=([0-9a-f-]{36})#file-\\1$`,
    ).exec(location);
    expect(match).not.toBeNull();
    uploadedId = match![1]!;

    const after = await html(await browser.request(`${base}${location}`));
    expect(after).toContain('id="file-uploaded"');
    expect(after).toMatch(
      new RegExp(
        `id="file-${uploadedId}"[\\s\\S]*Plan; Grüße \\(neu\\)\\.png[\\s\\S]*4 kB[\\s\\S]*image/png[\\s\\S]*Gerda Gruppe`,
      ),
    );
    expect(after).toContain(`id="delete-${uploadedId}"`);

    const download = await browser.request(page(`/g/dorfarchiv/files/${uploadedId}`));
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="Plan_ Gru_e (neu).png"; filename*=UTF-8''Plan%3B%20Gr%C3%BC%C3%9Fe%20%28neu%29.png`,
    );
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    expect(await storedRows()).toBe(1);
    expect(await storedObjects()).toHaveLength(1);
  });

  it('shows anonymous readers of a public group the files and downloads, without the form', async () => {
    const browser = new BrowserSession();
    const list = await browser.request(page('/g/dorfarchiv/files'));
    expect(list.status).toBe(200);
    const listHtml = await html(list);
    expect(listHtml).toContain(`id="file-${uploadedId}"`);
    expect(listHtml).not.toContain('id="upload-form"');
    expect(listHtml).not.toContain(`id="delete-${uploadedId}"`);
    expect(listHtml).toContain('id="sign-in-hint"');
    // Reading a public page stores nothing: no session cookie.
    expect(browser.setCookies.filter((cookie) => cookie.startsWith('allmende.sid'))).toEqual([]);
    const download = await browser.request(page(`/g/dorfarchiv/files/${uploadedId}`));
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect((await browser.request(page('/g/dorfarchiv/files/kein-file'))).status).toBe(404);
    expect((await browser.request(page(`/g/dorfarchiv/files/${crypto.randomUUID()}`))).status).toBe(404);
    // An anonymous upload has no session and so no token: 403, nothing stored.
    const anonymous = await browser.request(page('/g/dorfarchiv/files?_csrf=x'), {
      multipart: fileForm(PNG, 'anonym.png'),
    });
    expect(anonymous.status).toBe(403);
    expect(await storedRows()).toBe(1);
    const english = await html(await new BrowserSession().request(page('/g/dorfarchiv/files?lang=en')));
    expect(english).toContain('Uploaded by');
  });

  it('refuses uploads without the CSRF token, with a wrong one, or with the token only in the body', async () => {
    const { browser, html: listHtml } = await signIn('member', '/g/dorfarchiv/files');
    const token = formValue(listHtml, '_csrf')!;
    expect(token).toBeTruthy();
    const refusals = [
      [page('/g/dorfarchiv/files'), fileForm(PNG, 'ohne.png')],
      [page('/g/dorfarchiv/files?_csrf=falsch'), fileForm(PNG, 'falsch.png')],
      [
        page('/g/dorfarchiv/files'),
        (() => {
          const form = new FormData();
          form.append('_csrf', token);
          form.append('file', new Blob([new Uint8Array(PNG)]), 'feld.png');
          return form;
        })(),
      ],
    ] as const;
    for (const [url, form] of refusals) {
      const refused = await browser.request(url, { multipart: form });
      expect(refused.status).toBe(403);
      expect(await html(refused)).toContain('Keine Berechtigung');
    }
    // The query does not carry a token for urlencoded posts.
    const urlencoded = await browser.request(
      page(`/g/dorfarchiv/files/${uploadedId}/delete?_csrf=${token}`),
      {
        form: {},
      },
    );
    expect(urlencoded.status).toBe(403);
    expect(await storedRows()).toBe(1);
    expect(await storedObjects()).toHaveLength(1);
  });

  it('explains a refused type, an oversize file and a full group, and stores nothing', async () => {
    const { browser, html: listHtml } = await signIn('member', '/g/klein/files');
    const action = uploadAction(listHtml);

    const text = await browser.request(action, {
      multipart: fileForm(Buffer.from('nur Text, kein Bild\n'), 'bild.png'),
    });
    expect(text.status).toBe(415);
    const textHtml = await html(text);
    expect(textHtml).toContain('id="upload-errors"');
    expect(textHtml).toMatch(
      /id="upload-errors"[\s\S]*<a class="kern-link" href="#upload-file">Datei<\/a>: Diese Art von Datei wird nicht angenommen/,
    );
    expect(textHtml).toContain('Diese Art von Datei wird nicht angenommen (geprüft wird der Inhalt');
    expect(textHtml).toMatch(/id="upload-file"[^>]*aria-invalid="true"/);

    const big = await browser.request(action, {
      multipart: fileForm(pngOf(2 * MB + 100 * 1024), 'gross.png'),
    });
    expect(big.status).toBe(413);
    expect(await html(big)).toContain('Die Datei ist zu groß: höchstens 2 MB');

    // 1 MB quota for `klein`: 1.5 MB fits the size limit but not the group's storage.
    const full = await browser.request(action, { multipart: fileForm(pngOf(1.5 * MB), 'voll.png') });
    expect(full.status).toBe(507);
    expect(await html(full)).toContain('Der Speicherplatz ist voll');

    const none = await browser.request(action, { multipart: new FormData() });
    expect(none.status).toBe(400);
    expect(await html(none)).toContain('Bitte wählen Sie genau eine Datei aus.');

    expect(await storedRows()).toBe(1);
    expect(await storedObjects()).toHaveLength(1);
  });

  it('answers 404 to outsiders of a private group, and lets only the uploader or an admin delete', async () => {
    const neighbour = await signIn('neighbour', '/g/dorfarchiv/files');
    // Not a member of the group: the list, but neither form nor delete.
    expect(neighbour.html).not.toContain('id="upload-form"');
    expect(neighbour.html).not.toContain(`id="delete-${uploadedId}"`);
    const token = formValue(neighbour.html, '_csrf')!;
    expect((await neighbour.browser.request(page('/g/vorstand/files'))).status).toBe(404);
    const outsiderUpload = await neighbour.browser.request(
      page(`/g/vorstand/files?_csrf=${encodeURIComponent(token)}`),
      { multipart: fileForm(PNG, 'fremd.png') },
    );
    expect(outsiderUpload.status).toBe(404);
    const notInGroup = await neighbour.browser.request(
      page(`/g/dorfarchiv/files?_csrf=${encodeURIComponent(token)}`),
      { multipart: fileForm(PNG, 'fremd.png') },
    );
    expect(notInGroup.status).toBe(403);
    const deleteByNeighbour = await neighbour.browser.request(
      page(`/g/dorfarchiv/files/${uploadedId}/delete`),
      {
        form: { _csrf: token },
      },
    );
    expect(deleteByNeighbour.status).toBe(403);
    expect(await storedRows()).toBe(1);

    // A private group's file is not found by anyone outside it, nor through another group.
    const member = await signIn('member', '/g/vorstand/files');
    const secret = await member.browser.request(uploadAction(member.html), {
      multipart: fileForm(pngOf(2000), 'geheim.png'),
    });
    expect(secret.status).toBe(303);
    const secretId = /uploaded=([0-9a-f-]{36})/.exec(secret.headers.get('location')!)![1]!;
    expect((await neighbour.browser.request(page(`/g/vorstand/files/${secretId}`))).status).toBe(404);
    expect((await new BrowserSession().request(page(`/g/vorstand/files/${secretId}`))).status).toBe(404);
    expect((await member.browser.request(page(`/g/dorfarchiv/files/${secretId}`))).status).toBe(404);
    expect((await member.browser.request(page(`/g/vorstand/files/${secretId}`))).status).toBe(200);

    // The group admin deletes the member's file (audited by FilesService).
    const admin = await signIn('admin', '/g/vorstand/files');
    expect(admin.html).toContain(`id="delete-${secretId}"`);
    const deleted = await admin.browser.request(page(`/g/vorstand/files/${secretId}/delete`), {
      form: { _csrf: formValue(admin.html, '_csrf')! },
    });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe(`/t/${tenant.slug}/g/vorstand/files?deleted=1`);
    expect(await html(await admin.browser.request(`${base}${deleted.headers.get('location')}`))).toContain(
      'id="file-deleted"',
    );
    expect((await member.browser.request(page(`/g/vorstand/files/${secretId}`))).status).toBe(404);

    // The uploader deletes their own.
    const own = await member.browser.request(page(`/g/dorfarchiv/files/${uploadedId}/delete`), {
      form: { _csrf: formValue(member.html, '_csrf')! },
    });
    expect(own.status).toBe(303);
    expect(await storedRows()).toBe(0);
    expect(await storedObjects()).toEqual([]);
  });
});
