import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import type { DemoUser } from '@allmende/dev-idp';
import { GroupMemberSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { ProvisioningService } from '@allmende/provisioning';
import { loadTemplate } from '@allmende/templates';
import { TenantSchema } from '@allmende/tenants';

export const DEMO_TENANT = 'ransbach-baumbach';

/** The demo communities of `npm start`: the municipality, and a sports club in it. */
const DEMO_TENANTS = [
  { slug: DEMO_TENANT, name: 'Verbandsgemeinde Ransbach-Baumbach', template: 'municipality' },
  { slug: 'tus-ransbach', name: 'TuS Ransbach 1912 e. V.', template: 'sports-club' },
] as const;

/**
 * The demo of `npm start`: Ransbach-Baumbach from the municipality template, the TuS
 * Ransbach from the sports-club template, and the demo people of the dev identity provider
 * as their members (with their roles and groups). Idempotent: what exists stays as it is.
 */
export async function seedDemo(orm: MikroORM, people: readonly DemoUser[]): Promise<'created' | 'exists'> {
  let status: 'created' | 'exists' = 'exists';
  const provisioning = new ProvisioningService(orm);
  for (const tenant of DEMO_TENANTS) {
    const result = await provisioning.createTenant({
      slug: tenant.slug,
      name: tenant.name,
      template: await loadTemplate(tenant.template),
      templateName: tenant.template,
    });
    if (result.status === 'created') status = 'created';
  }
  for (const tenant of DEMO_TENANTS) {
    const row = await orm.em.fork().findOneOrFail(TenantSchema, { slug: tenant.slug });
    await new TenantScope(orm).run(row.id, async (em) => {
      for (const person of people) {
        const membership = person.memberships.find((candidate) => candidate.tenant === tenant.slug);
        if (!membership) continue;
        const email = person.email.toLowerCase();
        const existing = await em.findOne(MemberSchema, { email });
        const member =
          existing ??
          em.create(MemberSchema, {
            email,
            givenName: person.givenName,
            familyName: person.familyName,
            role: membership.role,
          });
        for (const { key, role } of membership.groups) {
          const group = await em.findOne(GroupSchema, { key });
          if (!group) throw new Error(`demo user ${email}: no group "${key}" in ${tenant.slug}`);
          const inGroup = existing ? await em.findOne(GroupMemberSchema, { group, member }) : null;
          if (!inGroup) em.create(GroupMemberSchema, { group, member, role });
        }
      }
      await em.flush();
    });
  }
  return status;
}
