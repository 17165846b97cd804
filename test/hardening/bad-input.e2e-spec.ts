import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from 'pg';
import { TenantScope } from '@allmende/db';
import { GroupMemberSchema, GroupModuleSchema } from '@allmende/groups';
import { importMembers } from '@allmende/member-lists';
import { MemberSchema } from '@allmende/members';
import { connect, openOrm, seedTenant, type SeededTenant } from '../support/fixtures';
import { passwordToken, startApiWithIdentityProvider, type ApiWithIdentity } from '../support/identity';
import { pngImage } from '../support/png';
import { testRun } from '../support/test-run';

/**
 * Hardening: bad input to the API and the member import gets a clear 4xx (problem+json) or a
 * clear import error, never a 5xx, and changes nothing where it was refused.
 */
describe('bad input', () => {
  let orm: MikroORM;
  let api: ApiWithIdentity;
  let owner: Client;
  let seeded: SeededTenant;
  let token: string;
  let tables: string[];
  let work: string;

  const base = () => `${api.base}/api/tenants/${seeded.tenant.slug}`;

  /** Row counts and a checksum of every tenant-owned table of the tenant, read as the owner. */
  const fingerprint = async (): Promise<Record<string, string>> => {
    await owner.query('begin');
    try {
      await owner.query(`select set_config('app.tenant_id', $1, true)`, [seeded.tenant.id]);
      const result: Record<string, string> = {};
      for (const table of tables) {
        const { rows } = await owner.query<{ n: string; sum: string }>(
          `select count(*) as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as sum from "${table}" t`,
        );
        result[table] = `${rows[0]!.n}:${rows[0]!.sum}`;
      }
      return result;
    } finally {
      await owner.query('rollback');
    }
  };
  const memberCount = async () =>
    new TenantScope(orm).run(seeded.tenant.id, (em) => em.count(MemberSchema, {}));

  /** Sends a request that must be refused with one of `statuses` as problem+json, and changes nothing. */
  const refused = async (
    statuses: number[],
    method: string,
    path: string,
    body?: string | Blob,
    headers: Record<string, string> = {},
  ): Promise<{ type?: string; title?: string; status?: number; errors?: unknown[] }> => {
    const before = await fingerprint();
    const response = await fetch(`${base()}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...headers },
      body,
    });
    const text = await response.text();
    if (!statuses.includes(response.status))
      throw new Error(
        `${method} ${path}: expected ${statuses.join('/')}, got ${response.status}: ${text.slice(0, 400)}`,
      );
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(text) as { type?: string; title?: string; status?: number };
    expect(problem.status).toBe(response.status);
    expect(problem.title).toEqual(expect.any(String));
    expect(await fingerprint()).toEqual(before);
    return problem;
  };
  /** A JSON body and its content type, as `refused`'s last two arguments. */
  const json = (body: unknown): [string, Record<string, string>] => [
    JSON.stringify(body),
    { 'content-type': 'application/json' },
  ];
  const postJson = (path: string, body: unknown) =>
    fetch(`${base()}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const news = (extra: Record<string, unknown> = {}) => ({
    title: 'Straßenfest',
    body: 'Am Samstag ist Straßenfest.',
    category: 'baustellen',
    ...extra,
  });

  beforeAll(async () => {
    orm = await openOrm();
    owner = await connect(testRun().ownerUrl);
    tables = (
      await owner.query<{ table_name: string }>(
        `select c.table_name from information_schema.columns c
           join information_schema.tables t using (table_schema, table_name)
          where c.table_schema = 'public' and c.column_name = 'tenant_id' and t.table_type = 'BASE TABLE'
          order by 1`,
      )
    ).rows.map((row) => row.table_name);
    seeded = await seedTenant(orm, `bad${Date.now().toString(36)}`);
    const [admin] = seeded.members;
    await new TenantScope(orm).run(seeded.tenant.id, async (em) => {
      await em.nativeUpdate(MemberSchema, { id: admin!.id }, { role: 'tenant_admin' });
      await em.nativeUpdate(
        GroupModuleSchema,
        { group: seeded.groups[0]!, module: 'news' },
        { settings: { categories: [{ key: 'baustellen', name: { de: 'Baustellen' } }], urgentAlerts: true } },
      );
      for (const [module, settings] of Object.entries({
        listings: { kinds: ['lost', 'found'], expiryDays: 60 },
        discussions: {},
        files: {},
        events: { rsvp: true },
      }))
        em.create(GroupModuleSchema, { group: seeded.groups[0]!, module, settings } as never);
      em.create(GroupMemberSchema, { group: seeded.groups[0]!, member: seeded.members[1]!, role: 'member' });
      await em.flush();
    });
    work = await mkdtemp(join(tmpdir(), 'allmende-bad-input-'));
    api = await startApiWithIdentityProvider([
      { email: admin!.email, givenName: 'Anna', familyName: 'Admin', emailVerified: true },
    ]);
    token = await passwordToken(api.idp, admin!.email);
    // The first request links the person to the member row (by verified e-mail): done before any check.
    expect((await fetch(`${base()}/groups`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );
  });

  afterAll(async () => {
    await api?.stop();
    await owner?.end();
    await orm?.close(true);
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe('JSON bodies', () => {
    it('answers a body over the limit with 413 problem+json', async () => {
      const problem = await refused(
        [413],
        'POST',
        '/groups/neuigkeiten/news/posts',
        ...json(news({ body: 'x'.repeat(2 * 1024 * 1024) })),
      );
      expect(problem.status).toBe(413);
    });

    it('answers malformed JSON with 400', async () => {
      for (const body of ['{"title": "Fest", ', '{title: 1}', '[1,2', '\u0000', '{"a":1}}'])
        await refused([400], 'POST', '/groups/neuigkeiten/news/posts', body, {
          'content-type': 'application/json',
        });
    });

    it('answers wrong content types with 415 or 400', async () => {
      const body = JSON.stringify(news());
      for (const contentType of [
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'image/png',
      ])
        await refused([400, 415], 'POST', '/groups/neuigkeiten/news/posts', body, {
          'content-type': contentType,
        });
      // No content type at all.
      await refused([400, 415], 'POST', '/groups/neuigkeiten/news/posts', new Blob([body]));
    });
  });

  describe('ids and dates', () => {
    it('answers invalid UUIDs in paths with 400 or 404', async () => {
      for (const id of [
        'not-a-uuid',
        '1',
        "'; drop table members; --",
        '00000000-0000-0000-0000-00000000000g',
        'ä'.repeat(300),
      ])
        for (const path of [
          `/groups/neuigkeiten/news/posts/${encodeURIComponent(id)}`,
          `/groups/neuigkeiten/listings/${encodeURIComponent(id)}`,
          `/groups/neuigkeiten/discussions/threads/${encodeURIComponent(id)}`,
          `/groups/neuigkeiten/events/${encodeURIComponent(id)}`,
          `/groups/neuigkeiten/files/${encodeURIComponent(id)}/content`,
          `/members/${encodeURIComponent(id)}`,
        ]) {
          await refused([400, 404], 'GET', path);
          await refused([400, 404], 'DELETE', path);
        }
    });

    it('answers invalid dates in query and body with 400', async () => {
      for (const date of ['gestern', '2026-13-45', '2026-02-30T25:61:00Z', '', '99999-01-01', '1e400'])
        await refused(
          [400],
          'POST',
          '/groups/neuigkeiten/events',
          JSON.stringify({ title: 'Fest', startsAt: date, endsAt: date }),
          {
            'content-type': 'application/json',
          },
        );
      await refused(
        [400],
        'POST',
        '/groups/neuigkeiten/news/posts',
        JSON.stringify(news({ publishAt: '2026-02-30' })),
        { 'content-type': 'application/json' },
      );
      for (const query of [
        'from=gestern',
        'from=2026-13-01',
        'to=not-a-date',
        'cursor=%00%00',
        'limit=-1',
        'limit=abc',
      ])
        await refused([400], 'GET', `/groups/neuigkeiten/events?${query}`);
    });

    it('refuses ids of rows in a body where they are not expected', async () => {
      await refused(
        [400],
        'POST',
        '/groups/neuigkeiten/news/posts',
        JSON.stringify(news({ tenantId: seeded.tenant.id })),
        {
          'content-type': 'application/json',
        },
      );
    });
  });

  describe('text', () => {
    it('refuses 10,000-character names with 400', async () => {
      const long = 'Ä'.repeat(10_000);
      await refused([400], 'POST', '/groups/neuigkeiten/news/posts', ...json(news({ title: long })));
      await refused(
        [400],
        'POST',
        '/groups/neuigkeiten/listings',
        ...json({ kind: 'lost', title: long, description: 'x', place: 'y', date: '2026-11-24' }),
      );
      await refused(
        [400],
        'POST',
        '/groups/neuigkeiten/discussions/threads',
        ...json({ title: long, body: 'x' }),
      );
      await refused(
        [400],
        'POST',
        '/groups/neuigkeiten/events',
        ...json({ title: long, startsAt: '2027-05-01T16:00:00.000Z', endsAt: '2027-05-01T18:00:00.000Z' }),
      );
    });

    it('stores RTL overrides, zero-width characters and emoji as given, or refuses them clearly', async () => {
      for (const title of [
        'Fest \u202Egnu\u202C',
        'Fest\u200B\u200D\uFEFF',
        'Fest 🎉🏳️‍🌈👩🏽‍🚒',
        'e\u0301\u0301\u0301',
      ]) {
        const before = await fingerprint();
        const response = await postJson('/groups/neuigkeiten/news/posts', news({ title }));
        const text = await response.text();
        if (response.status === 201) expect((JSON.parse(text) as { title: string }).title).toBe(title.trim());
        else {
          expect(response.status).toBe(400);
          expect(await fingerprint()).toEqual(before);
        }
      }
      // A lone surrogate is not valid UTF-8 once encoded: it arrives as U+FFFD, never a 500.
      const response = await postJson('/groups/neuigkeiten/news/posts', news({ title: 'Fest \uD800' }));
      expect([201, 400]).toContain(response.status);
    });

    it('refuses or strips NUL bytes, never a 500 from PostgreSQL', async () => {
      const targets: [string, Record<string, unknown>][] = [
        ['/groups/neuigkeiten/news/posts', news({ title: 'Null\u0000Byte' })],
        ['/groups/neuigkeiten/news/posts', news({ body: 'Null\u0000Byte im Text' })],
        [
          '/groups/neuigkeiten/listings',
          { kind: 'lost', title: 'Null\u0000Byte', description: 'x', place: 'y', date: '2026-11-24' },
        ],
        ['/groups/neuigkeiten/discussions/threads', { title: 'Null', body: 'Null\u0000Byte' }],
        [
          '/groups/neuigkeiten/events',
          { title: 'Null\u0000', startsAt: '2027-05-01T16:00:00.000Z', endsAt: '2027-05-01T18:00:00.000Z' },
        ],
      ];
      for (const [path, body] of targets) {
        const before = await fingerprint();
        const response = await postJson(path, body);
        const text = await response.text();
        if (response.status === 201) expect(text).not.toMatch(/\\u0000/);
        else {
          expect({ path, status: response.status, text }).toEqual({
            path,
            status: 400,
            text: expect.any(String),
          });
          expect(await fingerprint()).toEqual(before);
        }
      }
      // In a query string and a path, too.
      await refused([400, 404], 'GET', `/groups/neuigkeiten/news/posts/${encodeURIComponent('a\u0000b')}`);
      const search = await fetch(`${base()}/search?q=${encodeURIComponent('Null\u0000')}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(search.status).toBeLessThan(500);
    });
  });

  describe('uploads', () => {
    it('stores and serves a traversing file name under a safe name, inside the storage', async () => {
      const png = pngImage(3, 3, () => [200, 10, 10]);
      for (const name of [
        '../../../etc/passwd.png',
        '..\\..\\windows\\win.ini.png',
        '/absolut.png',
        '....//x.png',
        '%2e%2e%2fx.png',
      ]) {
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), name);
        const response = await fetch(`${base()}/groups/neuigkeiten/files`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: form,
        });
        const text = await response.text();
        expect({ name, status: response.status, text }).toEqual({
          name,
          status: 201,
          text: expect.any(String),
        });
        const file = JSON.parse(text) as { id: string; name?: string; originalName?: string };
        const stored = file.name ?? file.originalName ?? '';
        expect(stored).not.toMatch(/[/\\]|^\.\.?$/);
        const download = await fetch(`${base()}/groups/neuigkeiten/files/${file.id}/content`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(download.status).toBe(200);
        const disposition = download.headers.get('content-disposition') ?? '';
        expect(disposition).toMatch(/^attachment; filename="[^"/\\]*"/);
        expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);
      }
      // Nothing escaped the storage folder: the files sit under <root>/<tenant>/ with generated keys.
      const folder = join(tmpdir(), 'allmende-test-files', seeded.tenant.id);
      const keys = await readdir(folder);
      expect(keys.length).toBeGreaterThanOrEqual(5);
      for (const key of keys) expect(key).toMatch(/^[0-9a-f-]{36}$/);
      expect(existsSync(join(tmpdir(), 'allmende-test-files', 'etc'))).toBe(false);
    });
  });

  describe('member import', () => {
    const header = 'E-Mail;Vorname;Nachname\n';
    const importing = async (name: string, bytes: Buffer | string) => {
      const path = join(work, name);
      await writeFile(path, bytes);
      const before = await memberCount();
      const beforePrint = await fingerprint();
      let outcome: { error?: Error; summary?: Awaited<ReturnType<typeof importMembers>> };
      try {
        outcome = {
          summary: await importMembers(orm, { tenantId: seeded.tenant.id, source: path, strict: true }),
        };
      } catch (error) {
        outcome = { error: error as Error };
      }
      return { ...outcome, before, after: await memberCount(), unchanged: beforePrint };
    };
    /** Refused as a whole: a clear error or rejected rows, and not one member written. */
    const expectRefused = async (result: Awaited<ReturnType<typeof importing>>) => {
      if (result.error) {
        expect(result.error.message).toEqual(expect.any(String));
        expect(result.error.message.length).toBeGreaterThan(5);
        expect(result.error.message).not.toMatch(/^(undefined|null)$/);
      } else {
        expect(result.summary!.written).toBe(false);
        expect(result.summary!.rejected).toBeGreaterThan(0);
        expect(result.summary!.rejections[0]!.problems[0]!.reason).toEqual(expect.any(String));
      }
      expect(result.after).toBe(result.before);
      expect(await fingerprint()).toEqual(result.unchanged);
    };

    it('refuses binary junk', async () => {
      const junk = Buffer.alloc(64 * 1024);
      for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) % 256;
      await expectRefused(await importing('junk.csv', junk));
      await expectRefused(
        await importing(
          'image.csv',
          pngImage(20, 20, () => [0, 0, 0]),
        ),
      );
    });

    it('refuses a 1 MB cell without writing the rows around it', async () => {
      await expectRefused(
        await importing(
          'big-cell.csv',
          `${header}eva.gross@example.org;Eva;Groß\nfritz@example.org;${'F'.repeat(1024 * 1024)};Klein\n`,
        ),
      );
    });

    it('refuses a file in the wrong encoding or reports its rows, writing nothing', async () => {
      // UTF-16 LE without a byte-order mark, read as if it were 8-bit.
      const utf16 = Buffer.from(`${header}jörg@example.org;Jörg;Müller\n`, 'utf16le');
      await expectRefused(await importing('utf16.csv', utf16));
    });

    it('refuses a file truncated mid-row (inside a quoted cell) without writing its earlier rows', async () => {
      await expectRefused(
        await importing(
          'truncated.csv',
          `${header}eva.ganz@example.org;Eva;Ganz\n"kai@example.org;"Kai;Abgeschni`,
        ),
      );
    });
  });
});
