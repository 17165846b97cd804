import type { z } from 'zod';
import { ProblemException } from '@allmende/core';

/**
 * A form's fields through the REST API's own schema: one set of rules, and a validation
 * problem (400) naming the fields that the page shows next to them.
 */
export function parseForm<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw ProblemException.validation(
    result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  );
}

/** A refused form (400): the page is shown again with the draft and these errors. */
export function isValidationProblem(error: unknown): error is ProblemException {
  return error instanceof ProblemException && error.problem.status === 400;
}

/** Form fields arrive as strings (urlencoded); checkboxes only when ticked. */
export type FormBody = Record<string, string | string[] | undefined>;

/** A field's text: a repeated field (an array) or a missing one is empty. */
export function formText(value: string | string[] | undefined): string {
  return typeof value === 'string' ? value : '';
}

/** A form field: its id on the page, its label and the catalogue's message for a refused value. */
export interface FieldInfo {
  id: string;
  labelKey: string;
  /** The label's own text when it is not the catalogue's (e.g. a resource's extra question). */
  label?: string;
  errorKey: string;
}

/** One entry of a form's error summary: a link to the refused field, or the service's words. */
export type SummaryEntry =
  | { key: string; href: string; labelKey: string; label?: string; messageKey: string }
  | { key: string; path: string; message: string };

/**
 * Which fields were refused, and the error summary's entries (partial `error-summary`, at the
 * top of the form, one link per field) — DESIGN.md §7.
 */
export function formState(
  fields: Record<string, FieldInfo>,
  problems: { path: string; message: string }[] | undefined,
): { errors: SummaryEntry[]; invalid: Record<string, boolean> } {
  const invalid: Record<string, boolean> = {};
  const errors = new Map<string, SummaryEntry>();
  for (const problem of problems ?? []) {
    const field = fields[problem.path];
    const entry: SummaryEntry = field
      ? {
          key: field.id,
          href: `#${field.id}`,
          labelKey: field.labelKey,
          label: field.label,
          messageKey: field.errorKey,
        }
      : { key: `${problem.path}:${problem.message}`, path: problem.path, message: problem.message };
    if (field) invalid[problem.path] = true;
    // zod may report two problems for one value: the summary names the field once.
    if (!errors.has(entry.key)) errors.set(entry.key, entry);
  }
  return { errors: [...errors.values()], invalid };
}
