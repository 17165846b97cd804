import { Command, Option } from 'commander';
import { basename } from 'node:path';
import {
  assertValidSlug,
  describePlan,
  ProvisioningService,
  type TenantOverview,
} from '@allmende/provisioning';
import { loadTemplate } from '@allmende/templates';
import type { Tenant } from '@allmende/tenants';
import { requireTenant, withDatabase } from '../cli-database';
import { CliError, ExitCode, type Output } from '../output';

/** The name a tenant records for its template: the built-in name, or the file's name. */
function templateName(nameOrPath: string): string {
  return basename(nameOrPath).replace(/\.ya?ml$/, '');
}

/** A tenant as `--json` prints it. */
function tenantJson({ slug, name, kind, status, locale, timezone, template }: Tenant) {
  return { slug, name, kind, status, locale, timezone, template: template ?? null };
}

function printOverview(output: Output, overview: TenantOverview): void {
  const { tenant } = overview;
  output.out(`${tenant.slug}  "${tenant.name}"  ${tenant.kind}  ${tenant.status}`);
  output.out(`  locale ${tenant.locale}, time zone ${tenant.timezone}, template ${tenant.template ?? '-'}`);
  output.out(`  ${overview.members} members, ${overview.groups.length} groups:`);
  for (const group of overview.groups) {
    const resources = group.resources.length ? `  resources: ${group.resources.join(', ')}` : '';
    output.out(
      `    ${group.key}  "${group.name.de}"  ${group.visibility}/${group.joinPolicy}  [${group.modules.join(', ')}]${resources}`,
    );
  }
}

/** `allmende tenant ...`: create tenants from templates, list, show, disable, enable, apply-template. */
export function tenantCommand(output: Output): Command {
  const tenant = new Command('tenant').description('set up and manage tenants (communities)');

  tenant
    .command('create <slug>')
    .description('create a tenant with the groups, modules and resources of a template (one transaction)')
    .requiredOption('--name <name>', 'the community\'s name, e.g. "Ortsgemeinde Ransbach-Baumbach"')
    .requiredOption('--template <kind|path>', 'a built-in template (see `template list`) or a YAML file')
    .addOption(new Option('--locale <locale>', 'default language').choices(['de', 'en']))
    .option('--timezone <zone>', "IANA time zone (default: the template's)")
    .option('--admin-email <email>', 'make this person the first tenant admin')
    .option('--dry-run', 'print what would be created, create nothing')
    .action(
      async (
        slug: string,
        options: {
          name: string;
          template: string;
          locale?: 'de' | 'en';
          timezone?: string;
          adminEmail?: string;
          dryRun?: boolean;
        },
      ) => {
        assertValidSlug(slug);
        const template = await loadTemplate(options.template);
        if (options.adminEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(options.adminEmail)) {
          throw new CliError(`invalid --admin-email "${options.adminEmail}"`);
        }
        if (options.timezone) {
          try {
            new Intl.DateTimeFormat('de', { timeZone: options.timezone });
          } catch {
            throw new CliError(`unknown time zone "${options.timezone}"`);
          }
        }
        await withDatabase(async (orm) => {
          const provisioning = new ProvisioningService(orm);
          const existing = await provisioning.findTenant(slug);
          if (existing) {
            throw new CliError(`tenant "${slug}" exists already; nothing changed`, ExitCode.unchanged);
          }
          if (options.dryRun) {
            output.out(
              `Would create tenant ${slug} "${options.name}" (${template.kind}) with ${template.groups.length} groups:`,
            );
            for (const line of describePlan(template)) output.out(line);
            return;
          }
          const result = await provisioning.createTenant({
            slug,
            name: options.name,
            template,
            templateName: templateName(options.template),
            locale: options.locale,
            timezone: options.timezone,
            adminEmail: options.adminEmail,
          });
          if (result.status === 'exists') {
            // Someone created it between our check and our write.
            throw new CliError(`tenant "${slug}" exists already; nothing changed`, ExitCode.unchanged);
          }
          output.out(`Created tenant ${slug} with ${template.groups.length} groups.`);
        });
      },
    );

  tenant
    .command('list')
    .description('list all tenants')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      await withDatabase(async (orm) => {
        const tenants = await new ProvisioningService(orm).listTenants();
        if (options.json) {
          return output.out(JSON.stringify(tenants.map(tenantJson), null, 2));
        }
        for (const row of tenants) output.out(`${row.slug}  ${row.kind}  ${row.status}  "${row.name}"`);
        output.out(`${tenants.length} tenants`);
      });
    });

  tenant
    .command('show <slug>')
    .description('a tenant with its groups, modules and resources')
    .option('--json', 'print as JSON')
    .action(async (slug: string, options: { json?: boolean }) => {
      await withDatabase(async (orm) => {
        const overview = await new ProvisioningService(orm).overview(await requireTenant(orm, slug));
        if (!options.json) return printOverview(output, overview);
        output.out(
          JSON.stringify(
            {
              tenant: { ...tenantJson(overview.tenant), digestDefaults: overview.tenant.digestDefaults },
              members: overview.members,
              groups: overview.groups,
            },
            null,
            2,
          ),
        );
      });
    });

  for (const [command, status, verb] of [
    ['disable', 'suspended', 'Disabled'],
    ['enable', 'active', 'Enabled'],
  ] as const) {
    tenant
      .command(`${command} <slug>`)
      .description(
        command === 'disable' ? 'suspend a tenant: its portal and API answer 404' : 'activate a tenant again',
      )
      .action(async (slug: string) => {
        await withDatabase(async (orm) => {
          await requireTenant(orm, slug);
          const changed = await new ProvisioningService(orm).setStatus(slug, status);
          output.out(
            changed ? `${verb} tenant ${slug}.` : `Tenant ${slug} is ${status} already; nothing changed.`,
          );
        });
      });
  }

  tenant
    .command('apply-template <slug> <template>')
    .description(
      'add the groups, modules and resources of a template that the tenant lacks (never deletes or overwrites)',
    )
    .action(async (slug: string, templateRef: string) => {
      const template = await loadTemplate(templateRef);
      await withDatabase(async (orm) => {
        await requireTenant(orm, slug);
        const changes = await new ProvisioningService(orm).applyTemplate(slug, template);
        const total = changes.groups.length + changes.modules.length + changes.resources.length;
        if (total === 0)
          return output.out(`Tenant ${slug} has everything of the template already; nothing changed.`);
        if (changes.groups.length) output.out(`Added groups: ${changes.groups.join(', ')}`);
        if (changes.modules.length) output.out(`Added modules: ${changes.modules.join(', ')}`);
        if (changes.resources.length) output.out(`Added resources: ${changes.resources.join(', ')}`);
      });
    });

  return tenant;
}
