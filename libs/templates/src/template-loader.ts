import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { ZodError } from 'zod';
import { tenantTemplate, type TenantTemplate } from './template.schema';

/** A template file that cannot be used; `problems` are `path: message` lines. */
export class TemplateError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is not a valid tenant template:\n${problems.map((line) => `  - ${line}`).join('\n')}`);
    this.name = 'TemplateError';
  }
}

/** `['groups', 2, 'modules', 'booking']` → `groups[2].modules.booking`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === 'number') return `${text}[${part}]`;
    return text ? `${text}.${String(part)}` : String(part);
  }, '');
}

function describeZodError(error: ZodError): string[] {
  return error.issues.map((issue) => `${formatPath(issue.path) || '(top level)'}: ${issue.message}`);
}

/** Parses and validates template text; throws TemplateError with every problem found. */
export function parseTemplate(text: string, source: string): TenantTemplate {
  // Without prettyErrors the errors carry no linePos; the line counter turns offsets into lines.
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (document.errors.length > 0) {
    throw new TemplateError(
      source,
      document.errors.map(
        (error) => `YAML line ${lineCounter.linePos(error.pos[0]).line}: ${error.message.split('\n')[0]}`,
      ),
    );
  }
  const result = tenantTemplate.safeParse(document.toJS());
  if (!result.success) throw new TemplateError(source, describeZodError(result.error));
  return result.data;
}

/** The folder with the shipped templates (`templates/tenants` at the project root). */
export function builtInTemplateDir(): string {
  // src: libs/templates/src → ../../../templates; dist: dist/libs/templates/src → ../../../../templates
  for (const candidate of [
    join(__dirname, '../../../templates/tenants'),
    join(__dirname, '../../../../templates/tenants'),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('cannot find templates/tenants');
}

/** Names of the shipped templates (file names without .yaml): municipality, church, ... */
export async function listBuiltInTemplates(dir = builtInTemplateDir()): Promise<string[]> {
  return (await readdir(dir))
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => basename(file, '.yaml'))
    .sort();
}

/**
 * A template by built-in name (`sports-club`, also `sports_club`) or by file path
 * (anything with a slash or ending in .yaml/.yml).
 */
export async function loadTemplate(nameOrPath: string, dir?: string): Promise<TenantTemplate> {
  const isPath = /[\\/]/.test(nameOrPath) || /\.ya?ml$/.test(nameOrPath);
  const file = isPath
    ? resolve(nameOrPath)
    : join(dir ?? builtInTemplateDir(), `${nameOrPath.replace(/_/g, '-')}.yaml`);
  if (!existsSync(file)) {
    const known = isPath ? '' : ` (known: ${(await listBuiltInTemplates(dir)).join(', ')})`;
    throw new TemplateError(nameOrPath, [`no such template${known}`]);
  }
  return parseTemplate(await readFile(file, 'utf8'), isPath ? file : nameOrPath);
}
