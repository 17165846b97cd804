import { createHash, randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { createOrmOptions, TenantScope } from '@allmende/db';
import { ALL_ENTITIES } from '@allmende/entities';
import { BookableResourceSchema } from '@allmende/booking';
import {
  GroupJoinRequestSchema,
  GroupMemberSchema,
  GroupModuleSchema,
  GroupSchema,
  type Group,
} from '@allmende/groups';
import { MemberSchema, UserSchema, type Member } from '@allmende/members';
import { TenantSchema, type Tenant } from '@allmende/tenants';
import { AuditEventSchema } from '@allmende/audit';
import { OutboxEventSchema } from '@allmende/outbox';
import { NotificationPreferencesSchema } from '@allmende/notifications';
import { MailDeliverySchema } from '@allmende/mail';
import { CalendarFeedTokenSchema } from '@allmende/calendar';
import { seedBooking } from './seeds/booking';
import { seedDiscussions } from './seeds/discussions';
import { seedEvents } from './seeds/events';
import { seedPolls } from './seeds/polls';
import { seedVolunteering } from './seeds/volunteering';
import { seedFiles } from './seeds/files';
import { seedListings } from './seeds/listings';
import { seedNews } from './seeds/news';
import { testRun } from './test-run';

/** An ORM connected as the app role (or another URL), as the apps connect. */
export function openOrm(options: { url?: string; poolMax?: number } = {}): Promise<MikroORM> {
  return MikroORM.init(
    createOrmOptions({
      url: options.url ?? testRun().appUrl,
      entities: ALL_ENTITIES,
      poolMax: options.poolMax ?? 4,
    }),
  );
}

/** A plain pg client (app role unless told otherwise), for raw-SQL checks. */
export async function connect(url: string = testRun().appUrl): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

export function uniqueSlug(prefix = 't'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export async function createTenant(orm: MikroORM, name = 'Ortsgemeinde Test'): Promise<Tenant> {
  const em = orm.em.fork();
  const tenant = em.create(TenantSchema, { slug: uniqueSlug(), name, kind: 'municipality' });
  await em.flush();
  return tenant;
}

export interface SeededTenant {
  tenant: Tenant;
  members: Member[];
  groups: Group[];
}

/**
 * A tenant with a row in every tenant-owned table: two members, a public and a private
 * group, a group membership, a module, a bookable resource, a request to join, an outbox and
 * an audit row, and what the module seeds (test/support/seeds) add.
 */
export async function seedTenant(orm: MikroORM, label: string): Promise<SeededTenant> {
  const tenant = await createTenant(orm, `Gemeinde ${label}`);
  const global = orm.em.fork();
  const asking = global.create(UserSchema, {
    oidcSubject: `subject-${randomBytes(6).toString('hex')}`,
    email: `clara.${label}@example.org`,
    emailVerified: true,
  });
  await global.flush();
  return new TenantScope(orm).run(tenant.id, async (em) => {
    const members = [
      em.create(MemberSchema, { email: `anna.${label}@example.org`, givenName: 'Anna', familyName: label }),
      em.create(MemberSchema, { email: `ben.${label}@example.org`, givenName: 'Ben', familyName: label }),
    ];
    const groups = [
      em.create(GroupSchema, {
        key: 'neuigkeiten',
        name: { de: `Neuigkeiten ${label}` },
        visibility: 'public',
      }),
      em.create(GroupSchema, { key: 'vorstand', name: { de: `Vorstand ${label}` }, visibility: 'private' }),
    ];
    em.create(GroupMemberSchema, { group: groups[0]!, member: members[0]!, role: 'group_admin' });
    em.create(GroupModuleSchema, { group: groups[0]!, module: 'news', settings: { urgentAlerts: true } });
    em.create(GroupJoinRequestSchema, {
      group: groups[0]!,
      userId: asking.id,
      message: 'Darf ich mitmachen?',
    });
    em.create(BookableResourceSchema, {
      group: groups[0]!,
      key: 'grillhuette',
      name: { de: `Grillhütte ${label}` },
      minHours: 2,
      maxHours: 48,
      leadTimeDays: 3,
      windowDays: 365,
      approvalRequired: true,
    });
    em.create(OutboxEventSchema, { topic: 'seed.created', payload: { label } });
    em.create(NotificationPreferencesSchema, {
      member: members[1]!,
      digestFrequency: 'weekly',
      digestHour: 18,
      digestWeekday: 5,
      mutedGroupIds: [],
      urgentAlerts: true,
      language: 'de',
    });
    em.create(MailDeliverySchema, {
      member: members[0]!,
      kind: 'digest',
      periodKey: 'digest.daily.2026-11-25',
      status: 'sent',
      messageId: `<digest.seed-${label}@allmende.localhost>`,
      coversUntil: new Date(),
    });
    em.create(CalendarFeedTokenSchema, {
      kind: 'member',
      subjectId: members[0]!.id,
      tokenHash: createHash('sha256').update(`seed-${label}-${tenant.id}`).digest('hex'),
    });
    em.create(AuditEventSchema, {
      action: 'seed.created',
      entityType: 'group',
      entityId: groups[0]!.id,
      actorMemberId: members[0]!.id,
    });
    await em.flush();
    const context = { tenant, members, groups, label };
    // Module seeds run one after the other: they share the scope's EntityManager.
    for (const seed of [
      seedNews,
      seedFiles,
      seedListings,
      seedDiscussions,
      seedVolunteering,
      seedBooking,
      seedEvents,
      seedPolls,
    ])
      await seed(em, context);
    await em.flush();
    return { tenant, members, groups };
  });
}

/** A member to seed: `signedIn` ones get a user row and are linked to it. */
export interface MemberSeed {
  email: string;
  signedIn?: boolean;
  invitedAt?: Date;
}

/** A fresh tenant with these members (names taken from the e-mail's local part). */
export async function createTenantWithMembers(orm: MikroORM, seeds: MemberSeed[]): Promise<Tenant> {
  const tenant = await createTenant(orm);
  const users = orm.em.fork();
  const userIds = new Map<string, string>();
  for (const seed of seeds.filter((entry) => entry.signedIn)) {
    const user = users.create(UserSchema, {
      oidcSubject: `sub-${randomBytes(8).toString('hex')}`,
      email: seed.email,
      emailVerified: true,
    });
    userIds.set(seed.email, user.id);
  }
  await users.flush();
  await new TenantScope(orm).run(tenant.id, async (em) => {
    for (const seed of seeds) {
      const [givenName = '', familyName = ''] = seed.email.split('@')[0]!.split('.');
      em.create(MemberSchema, {
        email: seed.email,
        givenName,
        familyName,
        userId: userIds.get(seed.email) ?? null,
        invitedAt: seed.invitedAt ?? null,
      });
    }
    await em.flush();
  });
  return tenant;
}

/** When each member of the tenant was invited, by e-mail. */
export async function invitedAtByEmail(orm: MikroORM, tenant: Tenant): Promise<Record<string, Date | null>> {
  return new TenantScope(orm).run(tenant.id, async (em) => {
    const members = await em.find(MemberSchema, {}, { orderBy: { email: 'asc' } });
    return Object.fromEntries(members.map((member) => [member.email, member.invitedAt ?? null]));
  });
}
