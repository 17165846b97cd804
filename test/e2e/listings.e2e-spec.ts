import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { AuditEventSchema, OutboxEventSchema } from '@allmende/content';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema, type GroupVisibility } from '@allmende/groups';
import { ListingArchiver, ListingMessageSchema, ListingSchema } from '@allmende/listings';
import { freePort } from '@allmende/local-services';
import { MemberSchema, type Member } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { ArchiveExpiredListingsHandler } from '../../apps/worker/src/listings/archive-expired-listings.handler';
import { createTenant, openOrm } from '../support/fixtures';
import { passwordToken, startTestIdentityProvider } from '../support/identity';
import { testConfig } from '../support/test-config';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n', 'latin1');
const DAY = 24 * 3600 * 1000;

interface ListingJson {
  id: string;
  group: { id: string; key: string };
  kind: string;
  title: string;
  description: string;
  descriptionHtml: string;
  date: string;
  status: string;
  photo: { fileId: string; mediaType: string } | null;
  author: { memberId: string; givenName: string; familyName: string } | null;
  expiresAt: string;
  renewedAt: string | null;
  resolvedAt: string | null;
}

/** "Gesucht – Gefunden" through HTTP with real tokens, and the expiry job. */
describe('listings', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let app: INestApplication;
  let base: string;
  let filesDir: string;
  let tenant: Tenant;
  let otherTenant: Tenant;
  const ids: Record<string, Member> = {};
  const people = {
    admin: { email: 'rathaus@example.org', givenName: 'Rita', familyName: 'Rathaus', emailVerified: true },
    groupAdmin: {
      email: 'fundbuero@example.org',
      givenName: 'Fritz',
      familyName: 'Fund',
      emailVerified: true,
    },
    author: { email: 'anna@example.org', givenName: 'Anna', familyName: 'Autorin', emailVerified: true },
    member: { email: 'mia@example.org', givenName: 'Mia', familyName: 'Mitglied', emailVerified: true },
    tenantMember: { email: 'tom@example.org', givenName: 'Tom', familyName: 'Tenant', emailVerified: true },
    outsider: { email: 'olga@example.org', givenName: 'Olga', familyName: 'Anderswo', emailVerified: true },
  };

  const call = async (method: string, path: string, email?: string, body?: unknown, slug = tenant.slug) =>
    fetch(`${base}/api/tenants/${slug}${path}`, {
      method,
      headers: {
        ...(email ? { authorization: `Bearer ${await passwordToken(idp, email)}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const uploadPhoto = async (group: string, email: string, bytes: Buffer, name: string) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)]), name);
    return fetch(`${base}/api/tenants/${tenant.slug}/groups/${group}/listings/photos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await passwordToken(idp, email)}` },
      body: form,
    });
  };

  const listing = (overrides: Record<string, unknown> = {}) => ({
    kind: 'lost',
    title: 'Schwarzer Schlüsselbund',
    description: 'Drei Schlüssel, **roter** Anhänger.',
    place: 'Spielplatz Lindenstraße',
    date: '2026-11-24',
    ...overrides,
  });

  const create = async (group: string, email: string, overrides: Record<string, unknown> = {}) => {
    const response = await call('POST', `/groups/${group}/listings`, email, listing(overrides));
    expect(response.status).toBe(201);
    return (await response.json()) as ListingJson;
  };

  const inScope = <T>(id: string, fn: (em: Parameters<Parameters<TenantScope['run']>[1]>[0]) => Promise<T>) =>
    new TenantScope(orm).run(id, fn);

  beforeAll(async () => {
    orm = await openOrm();
    filesDir = await mkdtemp(join(tmpdir(), 'allmende-listings-'));
    tenant = await createTenant(orm, 'Ortsgemeinde Fundsachen');
    otherTenant = await createTenant(orm, 'Ortsgemeinde Nachbar');
    await inScope(tenant.id, async (em) => {
      const member = (key: keyof typeof people, role: 'tenant_admin' | 'member' = 'member') =>
        (ids[key] = em.create(MemberSchema, {
          email: people[key].email,
          givenName: people[key].givenName,
          familyName: people[key].familyName,
          role,
        }));
      member('admin', 'tenant_admin');
      const groupAdmin = member('groupAdmin');
      const author = member('author');
      const inGroup = member('member');
      member('tenantMember');
      const group = (key: string, visibility: GroupVisibility, settings: Record<string, unknown> | null) => {
        const created = em.create(GroupSchema, { key, name: { de: key }, visibility });
        if (settings) em.create(GroupModuleSchema, { group: created, module: 'listings', settings });
        em.create(GroupMemberSchema, { group: created, member: groupAdmin, role: 'group_admin' });
        em.create(GroupMemberSchema, { group: created, member: author });
        em.create(GroupMemberSchema, { group: created, member: inGroup });
        return created;
      };
      group('fundsachen', 'members', { kinds: ['lost', 'found', 'missing_pet'], expiryDays: 14 });
      group('marktplatz', 'public', { kinds: ['offer', 'request'], expiryDays: 7 });
      group('vorstand', 'private', { kinds: ['lost'], expiryDays: 30 });
      group('ohne', 'members', null);
      await em.flush();
    });
    await inScope(otherTenant.id, async (em) => {
      em.create(MemberSchema, { email: people.outsider.email, givenName: 'Olga', familyName: 'Anderswo' });
      await em.flush();
    });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    idp = await startTestIdentityProvider(base, Object.values(people));
    app = await createApiApp(testConfig({ KEYCLOAK_URL: idp.url, PUBLIC_URL: base, FILES_DIR: filesDir }));
    await app.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
    if (filesDir) await rm(filesDir, { recursive: true, force: true });
  });

  it('creates a listing with Markdown rendered, the author by name, expiry from the settings, and an outbox row', async () => {
    const before = Date.now();
    const created = await create('fundsachen', people.author.email);
    expect(created).toMatchObject({
      group: { key: 'fundsachen' },
      kind: 'lost',
      description: 'Drei Schlüssel, **roter** Anhänger.',
      descriptionHtml: expect.stringContaining('<strong>roter</strong>'),
      date: '2026-11-24',
      status: 'open',
      photo: null,
      author: { memberId: ids.author!.id, givenName: 'Anna', familyName: 'Autorin' },
    });
    const expires = new Date(created.expiresAt).getTime();
    expect(expires).toBeGreaterThanOrEqual(before + 14 * DAY - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 14 * DAY + 1000);
    expect(JSON.stringify(created)).not.toContain('@');
    await inScope(tenant.id, async (em) => {
      const events = await em.find(OutboxEventSchema, { topic: 'listings.listing.created' });
      expect(events.map((event) => event.payload)).toEqual([
        expect.objectContaining({ listingId: created.id, authorMemberId: ids.author!.id, kind: 'lost' }),
      ]);
    });
    const read = await call('GET', `/groups/fundsachen/listings/${created.id}`, people.tenantMember.email);
    expect(read.status).toBe(200);
    expect(((await read.json()) as ListingJson).id).toBe(created.id);
  });

  it('returns XSS payloads inert', async () => {
    const created = await create('fundsachen', people.author.email, {
      title: '<img src=x onerror=alert(1)>',
      description: '<script>alert(1)</script>[klick](javascript:alert(2)) <img src=x onerror="alert(3)">',
    });
    const read = (await (
      await call('GET', `/groups/fundsachen/listings/${created.id}`, people.member.email)
    ).json()) as ListingJson;
    expect(read.description).toContain('<script>'); // as written
    // Rendered: no element that runs script, only escaped text.
    expect(read.descriptionHtml).not.toMatch(/<script|<img|<a [^>]*href\s*=\s*["']?javascript:/i);
    expect(read.descriptionHtml).toContain('&lt;script&gt;');
  });

  it('validates bodies: field paths, unknown fields, kinds of the group (400)', async () => {
    const bad = await call('POST', '/groups/fundsachen/listings', people.author.email, {
      ...listing({ title: '', date: '24.11.2026' }),
      email: 'x@example.org',
    });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((error) => error.path).sort()).toEqual(['(root)', 'date', 'title']);
    const wrongKind = await call(
      'POST',
      '/groups/fundsachen/listings',
      people.author.email,
      listing({ kind: 'offer' }),
    );
    expect(wrongKind.status).toBe(400);
    expect(((await wrongKind.json()) as { errors: { path: string }[] }).errors).toEqual([
      expect.objectContaining({ path: 'kind' }),
    ]);
    const unknownKind = await call(
      'POST',
      '/groups/fundsachen/listings',
      people.author.email,
      listing({ kind: 'x' }),
    );
    expect(unknownKind.status).toBe(400);
    const badQuery = await call('GET', '/groups/fundsachen/listings?status=gone&foo=1', people.member.email);
    expect(badQuery.status).toBe(400);
  });

  it('follows the visibility × role matrix for reading and writing', async () => {
    const expectations: [string, string | undefined, number, number][] = [
      ['fundsachen', undefined, 404, 401],
      ['fundsachen', people.outsider.email, 404, 404],
      ['fundsachen', people.tenantMember.email, 200, 403],
      ['fundsachen', people.member.email, 200, 201],
      ['fundsachen', people.groupAdmin.email, 200, 201],
      ['marktplatz', undefined, 200, 401],
      ['marktplatz', people.outsider.email, 200, 403],
      ['marktplatz', people.member.email, 200, 201],
      ['vorstand', people.tenantMember.email, 404, 404],
      ['vorstand', people.member.email, 200, 201],
      ['ohne', people.member.email, 404, 404],
    ];
    for (const [group, who, read, write] of expectations) {
      const list = await call('GET', `/groups/${group}/listings`, who);
      expect({ group, who, status: list.status }).toEqual({ group, who, status: read });
      const kind = group === 'marktplatz' ? 'offer' : 'lost';
      const written = await call('POST', `/groups/${group}/listings`, who, listing({ kind }));
      expect({ group, who, status: written.status }).toEqual({ group, who, status: write });
    }
    // A listing of this tenant is not found through another tenant's URL.
    const created = await create('marktplatz', people.author.email, { kind: 'request' });
    expect(
      (
        await call(
          'GET',
          `/groups/marktplatz/listings/${created.id}`,
          people.outsider.email,
          undefined,
          otherTenant.slug,
        )
      ).status,
    ).toBe(404);
    expect((await call('GET', `/groups/fundsachen/listings/${created.id}`, people.member.email)).status).toBe(
      404,
    );
  });

  it('filters by kind and status, newest first, with a stable cursor and an ETag', async () => {
    const found = await create('fundsachen', people.member.email, { kind: 'found', title: 'Handschuh' });
    const pet = await create('fundsachen', people.member.email, {
      kind: 'missing_pet',
      title: 'Kater Moritz',
    });
    const onlyFound = (await (
      await call('GET', '/groups/fundsachen/listings?kind=found', people.member.email)
    ).json()) as { items: ListingJson[] };
    expect(onlyFound.items.map((item) => item.id)).toEqual([found.id]);
    const all = (await (
      await call('GET', '/groups/fundsachen/listings?limit=100', people.member.email)
    ).json()) as {
      items: ListingJson[];
    };
    expect(all.items[0]!.id).toBe(pet.id);
    expect(all.items.every((item) => item.status === 'open')).toBe(true);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = (await (
        await call('GET', `/groups/fundsachen/listings${query}`, people.member.email)
      ).json()) as {
        items: ListingJson[];
        nextCursor: string | null;
      };
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((item) => item.id));

    const first = await call('GET', '/groups/fundsachen/listings', people.member.email);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await fetch(`${base}/api/tenants/${tenant.slug}/groups/fundsachen/listings`, {
      headers: {
        authorization: `Bearer ${await passwordToken(idp, people.member.email)}`,
        'if-none-match': etag!,
      },
    });
    expect(again.status).toBe(304);
    // A change makes a new tag.
    await create('fundsachen', people.member.email, { kind: 'found', title: 'Mütze' });
    const changed = await fetch(`${base}/api/tenants/${tenant.slug}/groups/fundsachen/listings`, {
      headers: {
        authorization: `Bearer ${await passwordToken(idp, people.member.email)}`,
        'if-none-match': etag!,
      },
    });
    expect(changed.status).toBe(200);
    const tenantWide = await call('GET', '/listings', people.member.email);
    const wideAgain = await fetch(`${base}/api/tenants/${tenant.slug}/listings`, {
      headers: {
        authorization: `Bearer ${await passwordToken(idp, people.member.email)}`,
        'if-none-match': tenantWide.headers.get('etag')!,
      },
    });
    expect(wideAgain.status).toBe(304);
  });

  it('lists open listings of every readable group tenant-wide', async () => {
    const secret = await create('vorstand', people.member.email, { title: 'Vorstandsschlüssel' });
    const ofTenantMember = (await (
      await call('GET', '/listings?limit=100', people.tenantMember.email)
    ).json()) as {
      items: ListingJson[];
    };
    const groups = new Set(ofTenantMember.items.map((item) => item.group.key));
    expect(groups.has('fundsachen')).toBe(true);
    expect(groups.has('marktplatz')).toBe(true);
    expect(groups.has('vorstand')).toBe(false);
    const ofMember = (await (await call('GET', '/listings?limit=100', people.member.email)).json()) as {
      items: ListingJson[];
    };
    expect(ofMember.items.map((item) => item.id)).toContain(secret.id);
    const anonymous = (await (await call('GET', '/listings?limit=100')).json()) as { items: ListingJson[] };
    expect(new Set(anonymous.items.map((item) => item.group.key))).toEqual(new Set(['marktplatz']));
    const offers = (await (
      await call('GET', '/listings?kind=offer&limit=100', people.member.email)
    ).json()) as {
      items: ListingJson[];
    };
    expect(offers.items.length).toBeGreaterThan(0);
    expect(offers.items.every((item) => item.kind === 'offer' && item.status === 'open')).toBe(true);
  });

  it('lets the author or a moderator change and resolve (moderators audited), and others not', async () => {
    const created = await create('fundsachen', people.author.email);
    const path = `/groups/fundsachen/listings/${created.id}`;
    expect((await call('PATCH', path, people.member.email, { title: 'Meins' })).status).toBe(403);
    expect(
      (await call('PATCH', path, people.author.email, { title: 'Roter Schlüsselbund', extra: 1 })).status,
    ).toBe(400);
    expect((await call('PATCH', path, people.author.email, {})).status).toBe(400);
    const own = await call('PATCH', path, people.author.email, { title: 'Roter Schlüsselbund' });
    expect(own.status).toBe(200);
    expect(((await own.json()) as ListingJson).title).toBe('Roter Schlüsselbund');
    const moderated = await call('PATCH', path, people.groupAdmin.email, { description: 'Gekürzt.' });
    expect(moderated.status).toBe(200);

    expect((await call('POST', `${path}/resolve`, people.member.email)).status).toBe(403);
    const resolved = await call('POST', `${path}/resolve`, people.groupAdmin.email);
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toMatchObject({ status: 'resolved', resolvedAt: expect.any(String) });
    expect((await call('POST', `${path}/resolve`, people.author.email)).status).toBe(409);
    const resolvedList = (await (
      await call('GET', '/groups/fundsachen/listings?status=resolved', people.member.email)
    ).json()) as { items: ListingJson[] };
    expect(resolvedList.items.map((item) => item.id)).toContain(created.id);

    await inScope(tenant.id, async (em) => {
      const audits = await em.find(
        AuditEventSchema,
        { entityId: created.id },
        { orderBy: { createdAt: 'asc' } },
      );
      expect(audits.map((audit) => [audit.action, audit.actorMemberId])).toEqual([
        ['listings.listing.updated', ids.groupAdmin!.id],
        ['listings.listing.resolved', ids.groupAdmin!.id],
      ]);
      const events = await em.find(OutboxEventSchema, { topic: 'listings.listing.resolved' });
      expect(events.map((event) => event.payload.listingId)).toEqual([created.id]);
    });
  });

  it('lets the author delete, a moderator delete with an audit entry, and others not', async () => {
    const mine = await create('fundsachen', people.author.email);
    const theirs = await create('fundsachen', people.author.email);
    expect((await call('DELETE', `/groups/fundsachen/listings/${mine.id}`, people.member.email)).status).toBe(
      403,
    );
    expect((await call('DELETE', `/groups/fundsachen/listings/${mine.id}`)).status).toBe(401);
    expect((await call('DELETE', `/groups/fundsachen/listings/${mine.id}`, people.author.email)).status).toBe(
      204,
    );
    expect(
      (await call('DELETE', `/groups/fundsachen/listings/${theirs.id}`, people.groupAdmin.email)).status,
    ).toBe(204);
    expect((await call('GET', `/groups/fundsachen/listings/${mine.id}`, people.author.email)).status).toBe(
      404,
    );
    const log = (await (await call('GET', '/audit?limit=100', people.admin.email)).json()) as {
      items: { action: string; entityId: string }[];
    };
    const deletions = log.items.filter((item) => item.action === 'listings.listing.deleted');
    expect(deletions.map((item) => item.entityId)).toEqual([theirs.id]);
  });

  it('carries messages to the author through the platform, with no e-mail addresses', async () => {
    const created = await create('fundsachen', people.author.email, {
      kind: 'missing_pet',
      title: 'Katze Luna',
    });
    const path = `/groups/fundsachen/listings/${created.id}/messages`;
    expect((await call('POST', path, undefined, { text: 'Hallo' })).status).toBe(401);
    expect((await call('POST', path, people.outsider.email, { text: 'Hallo' })).status).toBe(404);
    expect((await call('POST', path, people.author.email, { text: 'Ich selbst' })).status).toBe(403);
    expect((await call('POST', path, people.tenantMember.email, { text: '' })).status).toBe(400);
    expect((await call('POST', path, people.tenantMember.email, { text: 'x', cc: 'a@b.c' })).status).toBe(
      400,
    );
    const sent = await call('POST', path, people.tenantMember.email, {
      text: 'Ich habe Luna gesehen! <script>alert(1)</script>',
    });
    expect(sent.status).toBe(201);
    const message = (await sent.json()) as { id: string; textHtml: string; sender: unknown };
    expect(message.sender).toEqual({
      memberId: ids.tenantMember!.id,
      givenName: 'Tom',
      familyName: 'Tenant',
    });
    expect(message.textHtml).not.toContain('<script');

    // Only the author and the moderators read them.
    expect((await call('GET', path, people.tenantMember.email)).status).toBe(403);
    expect((await call('GET', path, people.member.email)).status).toBe(403);
    for (const reader of [people.author.email, people.groupAdmin.email]) {
      const list = await call('GET', path, reader);
      expect(list.status).toBe(200);
      const body = await list.text();
      expect(body).not.toContain('@');
      expect((JSON.parse(body) as { items: { id: string }[] }).items.map((item) => item.id)).toEqual([
        message.id,
      ]);
    }
    await inScope(tenant.id, async (em) => {
      const events = await em.find(OutboxEventSchema, { topic: 'listings.message.sent' });
      expect(events.map((event) => event.payload)).toEqual([
        {
          messageId: message.id,
          listingId: created.id,
          groupId: created.group.id,
          senderMemberId: ids.tenantMember!.id,
          recipientMemberId: ids.author!.id,
        },
      ]);
      expect(await em.count(ListingMessageSchema, { listing: created.id })).toBe(1);
    });
  });

  it('takes a photo that is an image of the same group, and serves it to readers', async () => {
    const pdf = await uploadPhoto('fundsachen', people.author.email, PDF, 'foto.png');
    expect(pdf.status).toBe(415);
    const photo = await uploadPhoto('fundsachen', people.author.email, PNG, 'foto.png');
    expect(photo.status).toBe(201);
    const file = (await photo.json()) as { id: string; mediaType: string };
    expect(file.mediaType).toBe('image/png');
    const elsewhere = (await (await uploadPhoto('marktplatz', people.author.email, PNG, 'x.png')).json()) as {
      id: string;
    };
    const wrongGroup = await call(
      'POST',
      '/groups/fundsachen/listings',
      people.author.email,
      listing({ photoFileId: elsewhere.id }),
    );
    expect(wrongGroup.status).toBe(400);
    expect(((await wrongGroup.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe('photoFileId');

    const created = await create('fundsachen', people.author.email, { photoFileId: file.id });
    expect(created.photo).toEqual({ fileId: file.id, mediaType: 'image/png' });
    const served = await call(
      'GET',
      `/groups/fundsachen/listings/${created.id}/photo`,
      people.tenantMember.email,
    );
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await call('GET', `/groups/fundsachen/listings/${created.id}/photo`)).status).toBe(404);
  });

  it('archives exactly the expired open listings (the job, idempotent), and the author renews', async () => {
    const expired = await create('fundsachen', people.author.email, { title: 'Alt' });
    const fresh = await create('fundsachen', people.author.email, { title: 'Neu' });
    const resolvedOld = await create('fundsachen', people.author.email, { title: 'Erledigt' });
    await call('POST', `/groups/fundsachen/listings/${resolvedOld.id}/resolve`, people.author.email);
    await inScope(tenant.id, async (em) => {
      for (const id of [expired.id, resolvedOld.id]) {
        const row = await em.findOneOrFail(ListingSchema, { id });
        row.expiresAt = new Date(Date.now() - DAY);
      }
      await em.flush();
    });
    // Listings of other tenants that are still open and not expired stay as they are.
    const archiver = app.get(ListingArchiver);
    const handler = new ArchiveExpiredListingsHandler(archiver);
    await handler.handle();
    await inScope(tenant.id, async (em) => {
      const rows = await em.find(ListingSchema, { id: { $in: [expired.id, fresh.id, resolvedOld.id] } });
      const status = Object.fromEntries(rows.map((row) => [row.id, row.status]));
      expect(status).toEqual({ [expired.id]: 'archived', [fresh.id]: 'open', [resolvedOld.id]: 'resolved' });
      const events = await em.find(OutboxEventSchema, { topic: 'listings.listing.archived' });
      expect(events.map((event) => event.payload.listingId)).toEqual([expired.id]);
    });
    // A second run changes nothing and writes no second event.
    expect(await archiver.archiveExpired()).toBe(0);
    // A run "in 15 days" archives the fresh one too (fixed clock).
    expect(await archiver.archiveExpired(new Date(Date.now() + 15 * DAY))).toBeGreaterThanOrEqual(1);
    await inScope(tenant.id, async (em) => {
      expect((await em.findOneOrFail(ListingSchema, { id: fresh.id })).status).toBe('archived');
      expect(
        await em.count(OutboxEventSchema, { topic: 'listings.listing.archived' }),
      ).toBeGreaterThanOrEqual(2);
    });

    const path = `/groups/fundsachen/listings/${expired.id}`;
    expect(
      (await call('GET', '/groups/fundsachen/listings?status=archived&limit=100', people.member.email))
        .status,
    ).toBe(200);
    expect((await call('POST', `${path}/renew`, people.groupAdmin.email)).status).toBe(403);
    const before = Date.now();
    const renewed = await call('POST', `${path}/renew`, people.author.email);
    expect(renewed.status).toBe(200);
    const body = (await renewed.json()) as ListingJson;
    expect(body.status).toBe('open');
    expect(body.renewedAt).not.toBeNull();
    expect(new Date(body.expiresAt).getTime()).toBeGreaterThanOrEqual(before + 14 * DAY - 1000);
  });

  it('describes every listings route in the OpenAPI document', async () => {
    const document = (await (await fetch(`${base}/api/docs-json`)).json()) as {
      paths: Record<
        string,
        Record<string, { tags?: string[]; requestBody?: unknown; responses: Record<string, unknown> }>
      >;
    };
    const routes = Object.entries(document.paths).filter(([path]) => path.includes('/listings'));
    expect(routes.map(([path]) => path).sort()).toEqual([
      '/api/tenants/{tenant}/groups/{group}/listings',
      '/api/tenants/{tenant}/groups/{group}/listings/photos',
      '/api/tenants/{tenant}/groups/{group}/listings/{listing}',
      '/api/tenants/{tenant}/groups/{group}/listings/{listing}/messages',
      '/api/tenants/{tenant}/groups/{group}/listings/{listing}/photo',
      '/api/tenants/{tenant}/groups/{group}/listings/{listing}/renew',
      '/api/tenants/{tenant}/groups/{group}/listings/{listing}/resolve',
      '/api/tenants/{tenant}/listings',
    ]);
    for (const [path, operations] of routes) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.tags).toEqual(['listings']);
        // Everything that writes describes its body, except resolve and renew, which take none.
        const takesBody = ['post', 'patch'].includes(method) && !/\/(resolve|renew)$/.test(path);
        if (takesBody) expect(operation.requestBody).toBeDefined();
        if (method === 'get') expect(JSON.stringify(operation.responses['200'])).toContain('schema');
      }
    }
    const create = document.paths['/api/tenants/{tenant}/groups/{group}/listings']!.post!;
    expect(JSON.stringify(create.requestBody)).toContain('photoFileId');
    expect(JSON.stringify(create.responses)).toContain('descriptionHtml');
  });
});
