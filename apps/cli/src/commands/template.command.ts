import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import {
  listBuiltInTemplates,
  loadTemplate,
  parseTemplate,
  TemplateError,
  type BookableResourceTemplate,
  type TemplateGroup,
  type TenantTemplate,
} from '@allmende/templates';
import { CliError, type Output } from '../output';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const euro = new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' });

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function describeDigest(digest: TenantTemplate['digest']): string {
  const time = `${String(digest.hour).padStart(2, '0')}:00`;
  if (digest.frequency === 'off') return 'off';
  if (digest.frequency === 'daily') return `daily at ${time}`;
  return `weekly on ${WEEKDAYS[digest.weekday - 1]} at ${time}`;
}

/** Multi-line texts (house rules) indented under their label. */
function indented(text: string, indent: string): string[] {
  return text.split('\n').map((line) => `${indent}${line}`);
}

function describeResource(resource: BookableResourceTemplate): string[] {
  const lines = [`      resource ${resource.key}  "${resource.name.de}"`];
  const where = [resource.place, resource.capacity ? `${resource.capacity} people` : undefined].filter(
    Boolean,
  );
  if (where.length) lines.push(`        ${where.join(', ')}`);
  lines.push(
    `        ${resource.minHours}–${resource.maxHours} hours, at least ${plural(resource.leadTimeDays, 'day')} ahead, ` +
      `at most ${plural(resource.windowDays, 'day')} ahead, ` +
      (resource.approvalRequired ? 'approval required' : 'no approval needed'),
  );
  if (resource.fee) lines.push(`        fee: ${resource.fee.de}`);
  if (resource.depositCents !== undefined) {
    lines.push(`        deposit: ${euro.format(resource.depositCents / 100)}`);
  }
  if (resource.houseRules) {
    lines.push('        house rules:', ...indented(resource.houseRules.de, '          '));
  }
  return lines;
}

function describeGroup(group: TemplateGroup): string[] {
  const modules = Object.entries(group.modules)
    .filter(([, settings]) => settings !== undefined)
    .map(([module]) => module);
  const lines = [
    `    ${group.key}  "${group.name.de}"  ${group.visibility}/${group.joinPolicy}  [${modules.join(', ')}]`,
  ];
  const { news, listings, booking, files } = group.modules;
  if (news) {
    const categories = news.categories.map((category) => category.name.de).join(', ');
    lines.push(`      news categories: ${categories}${news.urgentAlerts ? '; urgent alerts' : ''}`);
  }
  if (listings) {
    lines.push(
      `      listings: ${listings.kinds.join(', ')}; archived after ${plural(listings.expiryDays, 'day')}`,
    );
  }
  if (files?.quotaMb) lines.push(`      files: quota ${files.quotaMb} MB`);
  if (booking) {
    lines.push(`      booking: occupancy calendar ${booking.publicCalendar ? 'public' : 'for members only'}`);
    for (const resource of booking.resources) lines.push(...describeResource(resource));
  }
  return lines;
}

/** A readable summary of a template: its defaults, groups, modules and bookable resources. */
export function describeTemplate(name: string, template: TenantTemplate): string[] {
  return [
    `${name}  "${template.name.de}"  (kind ${template.kind})`,
    ...(template.description ? [`  ${template.description.de}`] : []),
    `  locale ${template.locale}, time zone ${template.timezone}, digest ${describeDigest(template.digest)}`,
    `  ${plural(template.groups.length, 'group')}:`,
    ...template.groups.flatMap(describeGroup),
  ];
}

/** `allmende template list|show|validate`: the tenant templates (groups and modules per kind). */
export function templateCommand(output: Output): Command {
  const template = new Command('template').description(
    'tenant templates: the groups and modules a new community starts with',
  );

  template
    .command('list')
    .description('list the built-in templates')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const rows = await Promise.all(
        (await listBuiltInTemplates()).map(async (name) => {
          const loaded = await loadTemplate(name);
          return { name, kind: loaded.kind, title: loaded.name.de, groups: loaded.groups.length };
        }),
      );
      if (options.json) return output.out(JSON.stringify(rows, null, 2));
      const nameWidth = Math.max(...rows.map((row) => row.name.length));
      const kindWidth = Math.max(...rows.map((row) => row.kind.length));
      for (const row of rows) {
        output.out(
          `${row.name.padEnd(nameWidth)}  ${row.kind.padEnd(kindWidth)}  ${plural(row.groups, 'group').padEnd(9)}  "${row.title}"`,
        );
      }
      output.out(plural(rows.length, 'template'));
    });

  template
    .command('show <kind>')
    .description('the groups, modules and resources of a template (a built-in name or a YAML file)')
    .option('--json', 'print the parsed template (with defaults filled in) as JSON')
    .action(async (kind: string, options: { json?: boolean }) => {
      const loaded = await loadTemplate(kind);
      if (options.json) return output.out(JSON.stringify(loaded, null, 2));
      for (const line of describeTemplate(kind, loaded)) output.out(line);
    });

  template
    .command('validate <file>')
    .description('check a template file against the schema; prints every problem with its field path')
    .action(async (file: string) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new CliError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : String(error)}`);
      }
      try {
        const parsed = parseTemplate(text, file);
        output.out(`${file}: valid (${plural(parsed.groups.length, 'group')})`);
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        // main prints an error as one line: the problems go to stderr first, one per line.
        for (const problem of error.problems) output.err(`${file}: ${problem}`);
        throw new CliError(
          `${file} is not a valid tenant template (${plural(error.problems.length, 'problem')})`,
        );
      }
    });

  return template;
}
