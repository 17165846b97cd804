import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import { loadDemoUsers } from '@allmende/dev-idp';
import { DiscussionThreadSchema } from '@allmende/discussions';
import { GroupMemberSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { ListingSchema } from '@allmende/listings';
import { NewsCommentSchema, NewsPostSchema } from '@allmende/news';
import { TenantSchema } from '@allmende/tenants';
import { openOrm } from '../../../../test/support/fixtures';
import { seedDemoContent } from './demo-content';
import { DEMO_TENANT, seedDemo } from './demo-seed';

/** What `npm start` seeds: the demo communities, their people and sample content — idempotently. */
describe('the demo seed of npm start', () => {
  let orm: MikroORM;

  beforeAll(async () => {
    orm = await openOrm();
  });

  afterAll(async () => {
    await orm.close(true);
  });

  async function counts(slug: string) {
    const tenant = await orm.em.fork().findOneOrFail(TenantSchema, { slug });
    return new TenantScope(orm).run(tenant.id, async (em) => ({
      members: await em.count(MemberSchema),
      groupMembers: await em.count(GroupMemberSchema),
      posts: await em.count(NewsPostSchema),
      comments: await em.count(NewsCommentSchema),
      threads: await em.count(DiscussionThreadSchema),
      listings: await em.count(ListingSchema),
    }));
  }

  it('creates both communities with the demo people as members, and changes nothing the second time', async () => {
    const people = await loadDemoUsers();
    expect(await seedDemo(orm, people)).toBe('created');
    await seedDemoContent(orm, DEMO_TENANT);
    const first = { village: await counts(DEMO_TENANT), club: await counts('tus-ransbach') };
    const withMemberships = (tenant: string) =>
      people.filter((person) => person.memberships.some((membership) => membership.tenant === tenant)).length;
    expect(first.village.members).toBe(withMemberships(DEMO_TENANT));
    expect(first.club.members).toBe(withMemberships('tus-ransbach'));
    expect(first.village.groupMembers).toBeGreaterThan(first.village.members);
    expect(first.village.posts).toBeGreaterThanOrEqual(3);
    expect(first.village.comments).toBeGreaterThanOrEqual(2);
    expect(first.village.threads).toBeGreaterThanOrEqual(1);
    expect(first.village.listings).toBeGreaterThanOrEqual(2);

    expect(await seedDemo(orm, people)).toBe('exists');
    await seedDemoContent(orm, DEMO_TENANT);
    expect({ village: await counts(DEMO_TENANT), club: await counts('tus-ransbach') }).toEqual(first);
  });
});
