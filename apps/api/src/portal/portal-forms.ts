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
