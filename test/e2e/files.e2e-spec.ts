import { request as httpRequest } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { AuditEventSchema, OutboxEventSchema } from '@allmende/content';
import { newId } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { StoredFileSchema } from '@allmende/files';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema, type GroupVisibility } from '@allmende/groups';
import { freePort } from '@allmende/local-services';
import { MemberSchema, type Member } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { createTenant, openOrm } from '../support/fixtures';
import { passwordToken, startTestIdentityProvider } from '../support/identity';
import { testConfig } from '../support/test-config';

/** A 1×1 PNG: a real image by its magic number. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const MB = 1024 * 1024;
/** A PNG of `bytes` bytes (the signature and header first, padding after: still sniffed as PNG). */
const pngOf = (bytes: number) => Buffer.concat([PNG, Buffer.alloc(bytes - PNG.length, 7)]);

/** Uploading, listing, downloading and deleting files of groups, through HTTP with real tokens. */
describe('files', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let app: INestApplication;
  let base: string;
  let filesDir: string;
  let tenant: Tenant;
  let fullTenant: Tenant;
  const ids: Record<string, Member> = {};
  const people = {
    admin: { email: 'rathaus@example.org', givenName: 'Rita', familyName: 'Rathaus', emailVerified: true },
    groupAdmin: { email: 'archiv@example.org', givenName: 'Arne', familyName: 'Archiv', emailVerified: true },
    member: { email: 'mia@example.org', givenName: 'Mia', familyName: 'Mitglied', emailVerified: true },
    tenantMember: { email: 'tom@example.org', givenName: 'Tom', familyName: 'Tenant', emailVerified: true },
    outsider: { email: 'olga@example.org', givenName: 'Olga', familyName: 'Anderswo', emailVerified: true },
  };

  const token = async (email?: string) =>
    email ? { authorization: `Bearer ${await passwordToken(idp, email)}` } : {};

  const call = async (method: string, path: string, email?: string, slug = tenant.slug) =>
    fetch(`${base}/api/tenants/${slug}${path}`, { method, headers: await token(email) });

  const upload = async (
    group: string,
    email: string | undefined,
    bytes: Buffer,
    name = 'bild.png',
    slug = tenant.slug,
  ) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/octet-stream' }), name);
    return fetch(`${base}/api/tenants/${slug}/groups/${group}/files`, {
      method: 'POST',
      headers: await token(email),
      body: form,
    });
  };

  /** A raw request, for bodies fetch will not send (a declared size without a body, chunked multipart). */
  const raw = (
    path: string,
    headers: Record<string, string | number | undefined>,
    write: (request: ReturnType<typeof httpRequest>) => void,
  ) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        `${base}/api/tenants/${tenant.slug}${path}`,
        { method: 'POST', headers: headers as Record<string, string | number> },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            // The body of a refused upload may be unsent: the connection ends here.
            request.destroy();
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      request.on('error', reject);
      write(request);
    });

  const inScope = <T>(id: string, fn: (em: Parameters<Parameters<TenantScope['run']>[1]>[0]) => Promise<T>) =>
    new TenantScope(orm).run(id, fn);

  beforeAll(async () => {
    orm = await openOrm();
    filesDir = await mkdtemp(join(tmpdir(), 'allmende-files-'));
    tenant = await createTenant(orm, 'Ortsgemeinde Dateien');
    fullTenant = await createTenant(orm, 'Ortsgemeinde Voll');
    await inScope(tenant.id, async (em) => {
      const member = (key: keyof typeof people, role: 'tenant_admin' | 'member' = 'member') =>
        (ids[key] = em.create(MemberSchema, { ...names(key), email: people[key].email, role }));
      member('admin', 'tenant_admin');
      const groupAdmin = member('groupAdmin');
      const inGroup = member('member');
      member('tenantMember');
      const group = (key: string, visibility: GroupVisibility, settings: Record<string, unknown> | null) => {
        const created = em.create(GroupSchema, { key, name: { de: key }, visibility });
        if (settings) em.create(GroupModuleSchema, { group: created, module: 'files', settings });
        em.create(GroupMemberSchema, { group: created, member: groupAdmin, role: 'group_admin' });
        em.create(GroupMemberSchema, { group: created, member: inGroup });
        return created;
      };
      group('dateien', 'members', {});
      group('oeffentlich', 'public', {});
      group('geheim', 'private', {});
      group('ohne', 'members', null);
      group('klein', 'members', { quotaMb: 1 });
      group('knapp', 'members', { quotaMb: 1 });
      await em.flush();
    });
    // Another tenant, where the outsider is a member, whose storage is nearly full.
    await inScope(fullTenant.id, async (em) => {
      const outsider = em.create(MemberSchema, { ...names('outsider'), email: people.outsider.email });
      const group = em.create(GroupSchema, {
        key: 'dateien',
        name: { de: 'Dateien' },
        visibility: 'members',
      });
      em.create(GroupModuleSchema, { group, module: 'files', settings: {} });
      em.create(GroupMemberSchema, { group, member: outsider });
      // Bytes already stored (a row is enough: the quota counts rows).
      em.create(StoredFileSchema, {
        group,
        uploader: outsider,
        originalName: 'gross.pdf',
        mediaType: 'application/pdf',
        size: 3 * MB - 1000,
        sha256: '0'.repeat(64),
        storageKey: newId(),
      });
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
        FILES_TENANT_QUOTA_MB: '3',
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

  function names(key: keyof typeof people) {
    return { givenName: people[key].givenName, familyName: people[key].familyName };
  }

  /** Every stored object of a tenant (temporary `.part` files included). */
  const storedObjects = async (tenantId = tenant.id) =>
    readdir(join(filesDir, tenantId)).catch(() => [] as string[]);

  it('stores an upload of a group member, with type and hash from the content, and an outbox row', async () => {
    const bytes = pngOf(5000);
    const response = await upload('dateien', people.member.email, bytes, '../../etc/Grüße;a.png');
    const file = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(201);
    expect(file).toEqual({
      id: expect.any(String),
      name: 'Grüße;a.png',
      mediaType: 'image/png',
      size: 5000,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      uploadedBy: { memberId: ids.member!.id, givenName: 'Mia', familyName: 'Mitglied' },
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(file)).not.toContain('@');
    await inScope(tenant.id, async (em) => {
      const row = await em.findOneOrFail(StoredFileSchema, { id: file.id as string });
      expect(await storedObjects()).toEqual([row.storageKey]);
      const events = await em.find(OutboxEventSchema, { topic: 'files.file.uploaded' });
      expect(events.map((event) => event.payload)).toEqual([
        expect.objectContaining({
          fileId: file.id,
          uploaderMemberId: ids.member!.id,
          mediaType: 'image/png',
        }),
      ]);
    });

    // Downloaded as an attachment with the sniffed type, a safe file name, and nosniff.
    const download = await call(
      'GET',
      `/groups/dateien/files/${file.id as string}/content`,
      people.tenantMember.email,
    );
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="Gru_e_a.png"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%3Ba.png`,
    );
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('keeps header injection out of Content-Disposition', async () => {
    const response = await upload(
      'dateien',
      people.member.email,
      PNG,
      'x.png\r\nSet-Cookie: a=b; filename="evil.exe"',
    );
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const download = await call('GET', `/groups/dateien/files/${id}/content`, people.member.email);
    expect(download.status).toBe(200);
    expect(download.headers.get('set-cookie')).toBeNull();
    const disposition = download.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^attachment; filename="[^"]*"; filename\*=UTF-8''[^";\s]+$/);
    expect(disposition).not.toContain('evil.exe"');
  });

  it('follows the visibility × role matrix for reading and writing', async () => {
    const expectations: [string, string | undefined, number, number][] = [
      // group, who, read status, write status
      ['dateien', undefined, 404, 401],
      ['dateien', people.outsider.email, 404, 404],
      ['dateien', people.tenantMember.email, 200, 403],
      ['dateien', people.member.email, 200, 201],
      ['dateien', people.groupAdmin.email, 200, 201],
      ['dateien', people.admin.email, 200, 403],
      ['oeffentlich', undefined, 200, 401],
      ['oeffentlich', people.outsider.email, 200, 403],
      ['oeffentlich', people.member.email, 200, 201],
      ['geheim', people.tenantMember.email, 404, 404],
      ['geheim', people.member.email, 200, 201],
      ['ohne', people.member.email, 404, 404],
      ['gibtsnicht', people.admin.email, 404, 404],
    ];
    for (const [group, who, read, write] of expectations) {
      const list = await call('GET', `/groups/${group}/files`, who);
      expect({ group, who, status: list.status }).toEqual({ group, who, status: read });
      const written = await upload(group, who, PNG);
      expect({ group, who, status: written.status }).toEqual({ group, who, status: write });
    }
    // A file of this tenant is not found through another tenant's URL, nor by an outsider.
    const { items } = (await (await call('GET', '/groups/dateien/files', people.member.email)).json()) as {
      items: { id: string }[];
    };
    expect(
      (
        await call(
          'GET',
          `/groups/dateien/files/${items[0]!.id}/content`,
          people.outsider.email,
          fullTenant.slug,
        )
      ).status,
    ).toBe(404);
    expect(
      (await call('GET', `/groups/dateien/files/${items[0]!.id}/content`, people.outsider.email)).status,
    ).toBe(404);
    expect((await call('GET', `/groups/oeffentlich/files/${items[0]!.id}`, people.member.email)).status).toBe(
      404,
    );
  });

  it('lists newest first with a stable cursor', async () => {
    const all = (await (
      await call('GET', '/groups/dateien/files?limit=100', people.member.email)
    ).json()) as {
      items: { id: string; createdAt: string }[];
    };
    expect(all.items.length).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=1&cursor=${cursor}` : '?limit=1';
      const page = (await (
        await call('GET', `/groups/dateien/files${query}`, people.member.email)
      ).json()) as {
        items: { id: string }[];
        nextCursor: string | null;
      };
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((item) => item.id));
    const bad = await call('GET', '/groups/dateien/files?limit=0&cursor=nope&extra=1', people.member.email);
    expect(bad.status).toBe(400);
    expect(
      ((await bad.json()) as { errors: { path: string }[] }).errors.map((error) => error.path).sort(),
    ).toEqual(['(root)', 'limit']);
  });

  it('refuses types by content, not by name or header (415), and stores nothing', async () => {
    const before = await storedObjects();
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    expect((await upload('dateien', people.member.email, html, 'bild.png')).status).toBe(415);
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(200)]);
    expect((await upload('dateien', people.member.email, exe, 'doc.pdf')).status).toBe(415);
    expect((await upload('dateien', people.member.email, Buffer.alloc(0), 'leer.png')).status).toBe(415);
    expect(await storedObjects()).toEqual(before);
  });

  it('refuses bodies that are not one field "file" (400)', async () => {
    const form = new FormData();
    form.append('other', new Blob([new Uint8Array(PNG)]), 'a.png');
    const wrongField = await fetch(`${base}/api/tenants/${tenant.slug}/groups/dateien/files`, {
      method: 'POST',
      headers: await token(people.member.email),
      body: form,
    });
    expect(wrongField.status).toBe(400);
    const json = await fetch(`${base}/api/tenants/${tenant.slug}/groups/dateien/files`, {
      method: 'POST',
      headers: { ...(await token(people.member.email)), 'content-type': 'application/json' },
      body: '{"file":"x"}',
    });
    expect(json.status).toBe(400);
  });

  it('answers 413 to a declared size above the limit before reading the body', async () => {
    const response = await raw(
      '/groups/dateien/files',
      {
        ...(await token(people.member.email)),
        'content-type': 'multipart/form-data; boundary=x',
        'content-length': 50 * MB,
      },
      // Headers only: the server must answer without waiting for the 50 MB.
      (request) => request.flushHeaders(),
    );
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ type: '/problems/payload-too-large', status: 413 });
  });

  it('answers 413 to a chunked upload that grows beyond the limit, and removes the partial file', async () => {
    const before = await storedObjects();
    const boundary = 'allmende-boundary';
    const response = await raw(
      '/groups/dateien/files',
      {
        ...(await token(people.member.email)),
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'transfer-encoding': 'chunked',
      },
      (request) => {
        request.write(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="gross.png"\r\n` +
            'Content-Type: image/png\r\n\r\n',
        );
        request.write(PNG);
        for (let i = 0; i < 5; i++) request.write(Buffer.alloc(MB / 2, 1));
        request.end(`\r\n--${boundary}--\r\n`);
      },
    );
    expect(response.status).toBe(413);
    expect(await storedObjects()).toEqual(before);
  });

  it('answers 507 when the tenant quota or the group quota is full', async () => {
    // The other tenant has 3 MB − 1000 bytes stored of its 3 MB.
    const full = await upload('dateien', people.outsider.email, pngOf(5000), 'a.png', fullTenant.slug);
    expect(full.status).toBe(507);
    expect(await full.json()).toMatchObject({ type: '/problems/insufficient-storage' });
    const fits = await upload('dateien', people.outsider.email, pngOf(500), 'b.png', fullTenant.slug);
    expect(fits.status).toBe(201);
    expect(await storedObjects(fullTenant.id)).toHaveLength(1);
    // The group `klein` may hold 1 MB.
    expect((await upload('klein', people.member.email, pngOf(Math.round(0.6 * MB)))).status).toBe(201);
    expect((await upload('klein', people.member.email, pngOf(Math.round(0.6 * MB)))).status).toBe(507);
  });

  it('lets only one of two simultaneous uploads take the last free space', async () => {
    // Each fits alone (the declared sizes pass the first check); together they do not. (This does
    // not force the two final checks to interleave; the advisory lock is what serialises them.)
    const results = await Promise.all([
      upload('knapp', people.member.email, pngOf(Math.round(0.6 * MB)), 'a.png'),
      upload('knapp', people.groupAdmin.email, pngOf(Math.round(0.6 * MB)), 'b.png'),
    ]);
    expect(results.map((response) => response.status).sort()).toEqual([201, 507]);
    const list = (await (await call('GET', '/groups/knapp/files', people.member.email)).json()) as {
      items: unknown[];
    };
    expect(list.items).toHaveLength(1);
  });

  it('lets the uploader delete, a moderator delete with an audit entry, and others not', async () => {
    const mine = (await (await upload('dateien', people.member.email, PNG)).json()) as { id: string };
    const theirs = (await (await upload('dateien', people.groupAdmin.email, PNG)).json()) as { id: string };
    const other = (await (await upload('dateien', people.member.email, PNG)).json()) as { id: string };
    const objectsBefore = (await storedObjects()).length;

    expect((await call('DELETE', `/groups/dateien/files/${theirs.id}`, people.member.email)).status).toBe(
      403,
    );
    expect((await call('DELETE', `/groups/dateien/files/${mine.id}`, people.tenantMember.email)).status).toBe(
      403,
    );
    expect((await call('DELETE', `/groups/dateien/files/${mine.id}`)).status).toBe(401);
    expect((await call('DELETE', `/groups/dateien/files/${mine.id}`, people.member.email)).status).toBe(204);
    expect((await call('DELETE', `/groups/dateien/files/${other.id}`, people.groupAdmin.email)).status).toBe(
      204,
    );
    expect((await call('GET', `/groups/dateien/files/${mine.id}/content`, people.member.email)).status).toBe(
      404,
    );
    expect(await storedObjects()).toHaveLength(objectsBefore - 2);

    await inScope(tenant.id, async (em) => {
      const audits = await em.find(AuditEventSchema, { action: 'files.file.deleted' });
      expect(audits.map((audit) => [audit.entityId, audit.actorMemberId])).toEqual([
        [other.id, ids.groupAdmin!.id],
      ]);
    });
    const log = await call('GET', '/audit', people.admin.email);
    expect(((await log.json()) as { items: { action: string; entityId: string }[] }).items).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'files.file.deleted', entityId: other.id })]),
    );
  });

  it('describes every files route in the OpenAPI document', async () => {
    const document = (await (await fetch(`${base}/api/docs-json`)).json()) as {
      paths: Record<string, Record<string, { tags?: string[]; requestBody?: unknown; responses: unknown }>>;
    };
    const routes = Object.entries(document.paths).filter(([path]) => path.includes('/files'));
    expect(routes.map(([path]) => path).sort()).toEqual([
      '/api/tenants/{tenant}/groups/{group}/files',
      '/api/tenants/{tenant}/groups/{group}/files/{file}',
      '/api/tenants/{tenant}/groups/{group}/files/{file}/content',
    ]);
    const upload = document.paths['/api/tenants/{tenant}/groups/{group}/files']!.post!;
    expect(JSON.stringify(upload.requestBody)).toContain('multipart/form-data');
    expect(JSON.stringify(upload.responses)).toContain('sha256');
    for (const [, operations] of routes) {
      for (const operation of Object.values(operations)) expect(operation.tags).toEqual(['files']);
    }
  });
});
