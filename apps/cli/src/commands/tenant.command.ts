import { Command, Option } from 'commander';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  assertValidSlug,
  describePlan,
  ProvisioningService,
  type TenantOverview,
} from '@allmende/provisioning';
import { loadTemplate } from '@allmende/templates';
import {
  BrandingRefused,
  MAX_LOGO_BYTES,
  TenantBrandingService,
  type BrandingChange,
  type Tenant,
} from '@allmende/tenants';
import { requireTenant, withDatabase } from '../cli-database';
import { CliError, ExitCode, type Output } from '../output';

/** The name a tenant records for its template: the built-in name, or the file's name. */
function templateName(nameOrPath: string): string {
  return basename(nameOrPath).replace(/\.ya?ml$/, '');
}

/** A tenant as `--json` prints it. */
function tenantJson({
  slug,
  name,
  kind,
  status,
  locale,
  timezone,
  template,
  accentColor,
  logoMediaType,
}: Tenant) {
  return {
    slug,
    name,
    kind,
    status,
    locale,
    timezone,
    template: template ?? null,
    accentColor: accentColor ?? null,
    logo: logoMediaType ?? null,
  };
}

function printOverview(output: Output, overview: TenantOverview): void {
  const { tenant } = overview;
  output.out(`${tenant.slug}  "${tenant.name}"  ${tenant.kind}  ${tenant.status}`);
  output.out(`  locale ${tenant.locale}, time zone ${tenant.timezone}, template ${tenant.template ?? '-'}`);
  output.out(`  accent ${tenant.accentColor ?? '-'}, logo ${tenant.logoMediaType ?? '-'}`);
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
    .command('brand <slug>')
    .description("set the portal's accent colour and logo (shown beside the community's name)")
    .option('--accent <#rrggbb>', 'accent colour for buttons and links; needs 4.5:1 contrast against white')
    .option('--logo <file>', 'logo or coat of arms: PNG, JPEG or WebP, at most 256 KiB')
    .option('--clear-accent', "back to KERN's own colours")
    .option('--clear-logo', 'remove the logo')
    .action(
      async (
        slug: string,
        options: { accent?: string; logo?: string; clearAccent?: boolean; clearLogo?: boolean },
      ) => {
        if (options.accent !== undefined && options.clearAccent) {
          throw new CliError('give either --accent or --clear-accent');
        }
        if (options.logo !== undefined && options.clearLogo) {
          throw new CliError('give either --logo or --clear-logo');
        }
        const change: BrandingChange = {};
        if (options.accent !== undefined) change.accentColor = options.accent;
        if (options.clearAccent) change.accentColor = null;
        if (options.logo !== undefined) change.logo = await readLogo(options.logo);
        if (options.clearLogo) change.logo = null;
        if (Object.keys(change).length === 0) {
          throw new CliError('nothing to change: give --accent, --logo, --clear-accent or --clear-logo');
        }
        await withDatabase(async (orm) => {
          const row = await requireTenant(orm, slug);
          try {
            await new TenantBrandingService(orm).change(row.id, change);
          } catch (error) {
            if (error instanceof BrandingRefused) {
              throw new CliError(
                `--${error.field === 'logo' ? 'logo' : 'accent'}: ${error.message} Nothing changed.`,
              );
            }
            throw error;
          }
          const after = await requireTenant(orm, slug);
          output.out(
            `Tenant ${slug}: accent ${after.accentColor ?? '-'}, logo ${after.logoMediaType ?? '-'}.`,
          );
        });
      },
    );

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

/** The logo file's bytes; a missing, unreadable or far too large file is the user's to fix. */
async function readLogo(path: string): Promise<Buffer> {
  try {
    // A huge file is refused by its size, before it is read into memory.
    const { size } = await stat(path);
    if (size > MAX_LOGO_BYTES) {
      throw new CliError(
        `--logo: "${path}" has ${size} bytes; at most ${MAX_LOGO_BYTES} (256 KiB) are accepted`,
      );
    }
    return await readFile(path);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`--logo: cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
