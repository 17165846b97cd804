import { ConfigError } from '@allmende/core';
import { TemplateError } from '@allmende/templates';

/** Where commands write; tests pass their own to capture output. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Exit codes of `allmende` (documented in the README). */
export const ExitCode = {
  ok: 0,
  /** Something failed: bad input, bad configuration, database error. */
  error: 1,
  /** Nothing to do: e.g. `tenant create` for a slug that exists already. */
  unchanged: 3,
  /** The named tenant (or other thing) does not exist. */
  notFound: 4,
} as const;

/** A failure the user can act on: printed as one line, exit code 1 unless told otherwise. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.error,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** What `allmende` prints for an error: one line, never a stack; config errors name the variable. */
export function errorLine(error: unknown): string {
  if (error instanceof ConfigError) return `invalid configuration: ${error.problems.join('; ')}`;
  if (error instanceof TemplateError)
    return `${error.source} is not a valid tenant template: ${error.problems.join('; ')}`;
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}
