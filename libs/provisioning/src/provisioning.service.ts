import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { BookableResourceSchema } from '@allmende/booking';
import { GroupModuleSchema, GroupSchema, type Group } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { TENANT_SLUG_PATTERN, TenantSchema, type Tenant } from '@allmende/tenants';
import type { TemplateGroup, TenantTemplate } from '@allmende/templates';
import { plannedModules, plannedResources } from './tenant-plan';

export class InvalidSlugError extends Error {
  constructor(slug: string) {
    super(
      `invalid tenant slug "${slug}": use lower-case letters, digits and inner hyphens, ` +
        'at most 63 characters (e.g. ransbach-baumbach)',
    );
    this.name = 'InvalidSlugError';
  }
}

export interface CreateTenantInput {
  slug: string;
  name: string;
  template: TenantTemplate;
  /** Name the tenant records as its template (the built-in name or the file name). */
  templateName: string;
  locale?: 'de' | 'en';
  timezone?: string;
  /** Becomes the first member, with the role tenant_admin. */
  adminEmail?: string;
}

export type CreateTenantResult = { status: 'created'; tenant: Tenant } | { status: 'exists'; tenant: Tenant };

/** What `apply-template` added (keys); existing groups, modules and resources stay as they are. */
export interface TemplateChanges {
  groups: string[];
  modules: string[];
  resources: string[];
}

/** A tenant with its groups, their modules and resources, and how many members it has. */
export interface TenantOverview {
  tenant: Tenant;
  members: number;
  groups: {
    key: string;
    name: Group['name'];
    visibility: string;
    joinPolicy: string;
    modules: string[];
    resources: string[];
  }[];
}

export function assertValidSlug(slug: string): void {
  if (!TENANT_SLUG_PATTERN.test(slug)) throw new InvalidSlugError(slug);
}

/** `anna.schmidt@…` → Anna / Schmidt: a first admin's name until they sign in and set theirs. */
function namesFromEmail(email: string): { givenName: string; familyName: string } {
  const [given = email, ...rest] = (email.split('@')[0] ?? email).split(/[._-]+/).filter(Boolean);
  const title = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
  return { givenName: title(given), familyName: rest.map(title).join(' ') };
}

/**
 * Sets tenants up from templates. Everything a call writes happens in one transaction
 * inside the new tenant's scope, so a failure leaves nothing behind.
 */
export class ProvisioningService {
  private readonly scope: TenantScope;

  constructor(private readonly orm: MikroORM) {
    this.scope = new TenantScope(orm);
  }

  async findTenant(slug: string): Promise<Tenant | null> {
    return this.orm.em.fork().findOne(TenantSchema, { slug });
  }

  async listTenants(): Promise<Tenant[]> {
    return this.orm.em.fork().find(TenantSchema, {}, { orderBy: { slug: 'asc' } });
  }

  /** Suspends or re-activates a tenant; returns false when it already had that status. */
  async setStatus(slug: string, status: 'active' | 'suspended'): Promise<boolean> {
    const changed = await this.orm.em
      .fork()
      .nativeUpdate(TenantSchema, { slug, status: { $ne: status } }, { status });
    if (changed === 0 && !(await this.findTenant(slug))) throw new Error(`no tenant "${slug}"`);
    return changed > 0;
  }

  async overview(tenant: Tenant): Promise<TenantOverview> {
    return this.scope.run(tenant.id, async (em) => {
      // One after another: an EntityManager is not for concurrent queries.
      const groups = await em.find(GroupSchema, {}, { orderBy: { position: 'asc', key: 'asc' } });
      const modules = await em.find(GroupModuleSchema, {}, { orderBy: { id: 'asc' } });
      const resources = await em.find(BookableResourceSchema, {}, { orderBy: { key: 'asc' } });
      const members = await em.count(MemberSchema, {});
      return {
        tenant,
        members,
        groups: groups.map((group) => ({
          key: group.key,
          name: group.name,
          visibility: group.visibility,
          joinPolicy: group.joinPolicy,
          modules: modules.filter((row) => row.group.id === group.id).map((row) => row.module),
          resources: resources.filter((row) => row.group.id === group.id).map((row) => row.key),
        })),
      };
    });
  }

  /** Creates tenant, groups, modules and resources; an existing slug changes nothing. */
  async createTenant(input: CreateTenantInput): Promise<CreateTenantResult> {
    assertValidSlug(input.slug);
    const existing = await this.findTenant(input.slug);
    if (existing) return { status: 'exists', tenant: existing };
    const tenantId = newId();
    const tenant = await this.scope.run(tenantId, (em) =>
      em.transactional(async (tx) => {
        const created = tx.create(TenantSchema, {
          id: tenantId,
          slug: input.slug,
          name: input.name,
          kind: input.template.kind,
          locale: input.locale ?? input.template.locale,
          timezone: input.timezone ?? input.template.timezone,
          template: input.templateName,
          digestDefaults: input.template.digest,
        });
        // The tenant row first: tenant-owned rows reference it.
        await tx.flush();
        input.template.groups.forEach((group, position) => this.addGroup(tx, group, position));
        if (input.adminEmail) {
          const email = input.adminEmail.trim().toLowerCase();
          tx.create(MemberSchema, { email, role: 'tenant_admin', ...namesFromEmail(email) });
        }
        return created;
      }),
    );
    return { status: 'created', tenant };
  }

  /** Adds the template's groups, modules and resources that the tenant lacks; never changes or deletes. */
  async applyTemplate(slug: string, template: TenantTemplate): Promise<TemplateChanges> {
    const tenant = await this.findTenant(slug);
    if (!tenant) throw new Error(`no tenant "${slug}"`);
    return this.scope.run(tenant.id, (em) =>
      em.transactional(async (tx) => {
        const changes: TemplateChanges = { groups: [], modules: [], resources: [] };
        const existingGroups = await tx.find(GroupSchema, {});
        const groups = new Map(existingGroups.map((group) => [group.key, group]));
        let nextPosition = Math.max(-1, ...existingGroups.map((group) => group.position)) + 1;
        const modules = new Set(
          (await tx.find(GroupModuleSchema, {}, { populate: ['group'] })).map(
            (row) => `${row.group.getEntity().key}/${row.module}`,
          ),
        );
        const resources = new Set(
          (await tx.find(BookableResourceSchema, {}, { populate: ['group'] })).map(
            (row) => `${row.group.getEntity().key}/${row.key}`,
          ),
        );
        for (const templateGroup of template.groups) {
          const existing = groups.get(templateGroup.key);
          if (!existing) {
            this.addGroup(tx, templateGroup, nextPosition++);
            changes.groups.push(templateGroup.key);
            continue;
          }
          for (const planned of plannedModules(templateGroup)) {
            if (modules.has(`${templateGroup.key}/${planned.module}`)) continue;
            tx.create(GroupModuleSchema, {
              group: existing,
              module: planned.module,
              settings: planned.settings,
            });
            changes.modules.push(`${templateGroup.key}/${planned.module}`);
          }
          for (const resource of plannedResources(templateGroup)) {
            if (resources.has(`${templateGroup.key}/${resource.key}`)) continue;
            this.addResource(tx, existing, resource);
            changes.resources.push(`${templateGroup.key}/${resource.key}`);
          }
        }
        return changes;
      }),
    );
  }

  private addGroup(tx: EntityManager, template: TemplateGroup, position: number): Group {
    const group = tx.create(GroupSchema, {
      key: template.key,
      position,
      name: template.name,
      description: template.description ?? null,
      visibility: template.visibility,
      joinPolicy: template.joinPolicy,
    });
    for (const planned of plannedModules(template)) {
      tx.create(GroupModuleSchema, { group, module: planned.module, settings: planned.settings });
    }
    for (const resource of plannedResources(template)) this.addResource(tx, group, resource);
    return group;
  }

  private addResource(
    tx: EntityManager,
    group: Group,
    resource: ReturnType<typeof plannedResources>[number],
  ): void {
    tx.create(BookableResourceSchema, {
      group,
      key: resource.key,
      name: resource.name,
      description: resource.description ?? null,
      place: resource.place ?? null,
      capacity: resource.capacity ?? null,
      minHours: resource.minHours,
      maxHours: resource.maxHours,
      leadTimeDays: resource.leadTimeDays,
      windowDays: resource.windowDays,
      approvalRequired: resource.approvalRequired,
      fee: resource.fee ?? null,
      depositCents: resource.depositCents ?? null,
      houseRules: resource.houseRules ?? null,
    });
  }
}
