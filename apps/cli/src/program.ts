import { Command } from 'commander';
import { dbCommand } from './commands/db.command';
import { devCommand } from './commands/dev.command';
import { digestCommand } from './commands/digest.command';
import { jobsCommand } from './commands/jobs.command';
import { membersCommand, type MembersCommandDependencies } from './commands/members.command';
import { tenantCommand } from './commands/tenant.command';
import { templateCommand } from './commands/template.command';
import { processOutput, type Output } from './output';
import { packageVersion } from './package-info';

/** What commands reach beyond the database; tests pass their own. */
export type ProgramDependencies = MembersCommandDependencies;

/** The `allmende` command line. */
export function buildProgram(
  output: Output = processOutput,
  dependencies: ProgramDependencies = {},
): Command {
  const program = new Command('allmende')
    .description(
      'Allmende: set up and run community platforms for municipalities, parishes, clubs and schools',
    )
    .version(packageVersion(), '-v, --version')
    .showHelpAfterError('(run with --help for usage)');
  program.addCommand(dbCommand(output));
  program.addCommand(devCommand(output));
  program.addCommand(tenantCommand(output));
  program.addCommand(templateCommand(output));
  program.addCommand(membersCommand(output, dependencies));
  program.addCommand(jobsCommand(output));
  program.addCommand(digestCommand(output));
  applyToAll(program, (command) =>
    command.exitOverride().configureOutput({ writeOut: output.out, writeErr: output.err }),
  );
  return program;
}

/** addCommand() does not pass settings down, so they are applied to every command here. */
function applyToAll(command: Command, apply: (command: Command) => void): void {
  apply(command);
  for (const sub of command.commands) applyToAll(sub, apply);
}
