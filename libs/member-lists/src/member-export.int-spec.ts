import { Writable } from 'node:stream';
import { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import { GroupMemberSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../../../test/support/fixtures';
import { UnknownGroupError } from './groups';
import { exportMembers, forEachMemberPage } from './member-export';
import { importMembers } from './member-import';

/** A Writable that keeps what it is given. */
function collector(): { stream: Writable; bytes: () => Buffer; ended: () => boolean } {
  const chunks: Buffer[] = [];
  let ended = false;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
    final(callback) {
      ended = true;
      callback();
    },
  });
  return { stream, bytes: () => Buffer.concat(chunks), ended: () => ended };
}

const HEADER = 'E-Mail;Vorname;Nachname;Telefon;Rolle;Gruppen\r\n';

describe('member export', () => {
  let orm: MikroORM;
  let scope: TenantScope;

  beforeAll(async () => {
    orm = await openOrm();
    scope = new TenantScope(orm);
  });

  afterAll(async () => {
    await orm.close(true);
  });

  /** A tenant with two groups and four members, one with a formula for a name. */
  async function seeded(): Promise<Tenant> {
    const tenant = await createTenant(orm);
    await scope.run(tenant.id, async (em) => {
      const news = em.create(GroupSchema, { key: 'neuigkeiten', name: { de: 'Neuigkeiten' }, position: 0 });
      const board = em.create(GroupSchema, { key: 'vorstand', name: { de: 'Vorstand' }, position: 1 });
      const anna = em.create(MemberSchema, {
        email: 'anna.weiss@example.org',
        givenName: 'Anna',
        familyName: 'Weiß',
        role: 'tenant_admin',
      });
      const juergen = em.create(MemberSchema, {
        email: 'juergen@example.org',
        givenName: 'Jürgen',
        familyName: 'Müller',
        phone: '+49 2623 1234',
      });
      em.create(MemberSchema, {
        email: 'evil@example.org',
        givenName: '=HYPERLINK("https://evil.example";"Klick")',
        familyName: 'Alt',
        phone: '@SUM(1+1)',
      });
      em.create(MemberSchema, { email: 'zoe@example.org', givenName: 'Zoë', familyName: 'Zander' });
      em.create(GroupMemberSchema, { group: board, member: anna });
      em.create(GroupMemberSchema, { group: news, member: anna });
      em.create(GroupMemberSchema, { group: news, member: juergen });
      await em.flush();
    });
    return tenant;
  }

  it('writes UTF-8 with BOM, ";" and CRLF, German headers, and neutralises formula cells', async () => {
    const tenant = await seeded();
    const out = collector();
    const total = await exportMembers(orm, { tenantId: tenant.id }, out.stream);
    expect(total).toBe(4);
    expect(out.ended()).toBe(true);
    const bytes = out.bytes();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe(
      HEADER +
        `evil@example.org;"'=HYPERLINK(""https://evil.example"";""Klick"")";Alt;'@SUM(1+1);Mitglied;\r\n` +
        `juergen@example.org;Jürgen;Müller;'+49 2623 1234;Mitglied;neuigkeiten\r\n` +
        'anna.weiss@example.org;Anna;Weiß;;Administrator;neuigkeiten|vorstand\r\n' +
        'zoe@example.org;Zoë;Zander;;Mitglied;\r\n',
    );
  });

  it('--group exports only the members of that group (by key or name)', async () => {
    const tenant = await seeded();
    for (const group of ['vorstand', 'VORSTAND']) {
      const out = collector();
      expect(await exportMembers(orm, { tenantId: tenant.id, group }, out.stream)).toBe(1);
      expect(out.bytes().toString('utf8')).toBe(
        `\ufeff${HEADER}anna.weiss@example.org;Anna;Weiß;;Administrator;neuigkeiten|vorstand\r\n`,
      );
    }
    const news = collector();
    expect(await exportMembers(orm, { tenantId: tenant.id, group: 'Neuigkeiten' }, news.stream)).toBe(2);
  });

  it('refuses an unknown group', async () => {
    const tenant = await seeded();
    await expect(
      exportMembers(orm, { tenantId: tenant.id, group: 'schach' }, collector().stream),
    ).rejects.toThrow(new UnknownGroupError('schach', ['neuigkeiten', 'vorstand']));
  });

  it('writes the header alone for a tenant without members', async () => {
    const tenant = await createTenant(orm);
    const out = collector();
    expect(await exportMembers(orm, { tenantId: tenant.id }, out.stream)).toBe(0);
    expect(out.bytes().toString('utf8')).toBe(`\ufeff${HEADER}`);
  });

  it('exports only its own tenant', async () => {
    const mine = await seeded();
    await seeded();
    const emails: string[] = [];
    await forEachMemberPage(orm, { tenantId: mine.id, pageSize: 3 }, (page) => {
      emails.push(...page.map((member) => member.email));
    });
    expect(emails).toEqual([
      'evil@example.org',
      'juergen@example.org',
      'anna.weiss@example.org',
      'zoe@example.org',
    ]);
  });

  it('reads back into the same tenant without a change (formulas, roles, groups, phone)', async () => {
    const tenant = await seeded();
    const out = collector();
    await exportMembers(orm, { tenantId: tenant.id }, out.stream);
    const bytes = out.bytes();
    const summary = await importMembers(orm, {
      tenantId: tenant.id,
      source: async function* () {
        yield bytes;
      },
    });
    expect(summary).toMatchObject({ rows: 4, created: 0, updated: 0, unchanged: 4, rejected: 0 });
  });

  it('pages through many members in order', async () => {
    const tenant = await createTenant(orm);
    const lines = ['E-Mail;Vorname;Nachname'];
    for (let index = 0; index < 2345; index++)
      lines.push(`m${index}@example.org;M;N${String(index).padStart(4, '0')}`);
    await importMembers(orm, {
      tenantId: tenant.id,
      source: async function* () {
        yield Buffer.from(lines.join('\n'));
      },
    });
    const pages: number[] = [];
    let last = '';
    let ordered = true;
    const total = await forEachMemberPage(orm, { tenantId: tenant.id }, (page) => {
      pages.push(page.length);
      for (const member of page) {
        if (member.familyName < last) ordered = false;
        last = member.familyName;
      }
    });
    expect(total).toBe(2345);
    expect(pages).toEqual([1000, 1000, 345]);
    expect(ordered).toBe(true);
  });
});
