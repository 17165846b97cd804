import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { createWriteStream } from 'node:fs';
import { access, constants, rename, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, type AppConfig } from '@allmende/core';
import { identityDirectoryFromConfig, type IdentityDirectory } from '@allmende/identity';
import {
  countInvitable,
  describeRejection,
  exportMembers,
  forEachMemberPage,
  importMembers,
  inviteMembers,
  memberListEmails,
  MemberListFileError,
  normalizeEncodingName,
  UnknownGroupError,
  writeRejectionReport,
  type ImportProgress,
  type ImportSummary,
  type InvitationOutcome,
  type InvitationSummary,
} from '@allmende/member-lists';
import { requireTenant, withDatabase } from '../cli-database';
import { CliError, ExitCode, processOutput, type Output } from '../output';

/** Rejected rows listed on the terminal; all of them go to --report. */
const LISTED_REJECTIONS = 50;
/** Without a terminal, a progress line every so many rows. */
const PROGRESS_LINE_ROWS = 10_000;

interface ImportOptions {
  dryRun?: boolean;
  strict?: boolean;
  defaultGroup?: string[];
  report?: string;
  encoding?: string;
  invite?: boolean;
}

interface InviteOptions {
  allUninvited?: boolean;
  resend?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** Makes the identity directory that invitations go through (tests pass their own). */
export type IdentityDirectoryFactory = (config: AppConfig) => IdentityDirectory;

export interface MembersCommandDependencies {
  /** Default: the directory the environment configures (IDENTITY_DIRECTORY). */
  identityDirectory?: IdentityDirectoryFactory;
}

/** `allmende members import|export|list|invite`: member lists as CSV, for German Excel; invitations. */
export function membersCommand(output: Output, dependencies: MembersCommandDependencies = {}): Command {
  const members = new Command('members').description("import, export, list and invite a tenant's members");
  const makeDirectory = dependencies.identityDirectory ?? identityDirectoryFromConfig;

  members
    .command('import <tenant> <file>')
    .description(
      'import members from a CSV file (";", "," or tab; UTF-8 or Windows-1252, as Excel saves it): ' +
        'adds new members, updates names, phone and role by e-mail, adds group memberships; never removes anything',
    )
    .option('--dry-run', 'check the file and show what would change; write nothing')
    .option('--strict', 'if any row is rejected, import nothing (exit code 1)')
    .option('--default-group <key...>', 'groups (key or name) every imported member joins')
    .option('--report <file>', 'write the rejected rows (row, column, value, reason) as CSV')
    .option(
      '--encoding <encoding>',
      'the encoding of the file, e.g. utf-8 or windows-1252 (default: detected)',
    )
    .option(
      '--invite',
      "then invite the file's members who were neither invited nor have signed in (see `members invite`)",
    )
    .action(async (slug: string, file: string, options: ImportOptions) => {
      await assertReadableFile(file);
      if (options.encoding !== undefined && !normalizeEncodingName(options.encoding)) {
        throw new CliError(`unknown encoding "${options.encoding}" (e.g. utf-8, windows-1252, iso-8859-1)`);
      }
      if (options.report !== undefined) await assertWritable(options.report, '--report');
      // Before anything is written: a configuration that cannot invite stops the import too.
      const invitations = options.invite ? invitationSettings(makeDirectory) : undefined;
      const { summary, tenantId } = await withDatabase(async (orm) => {
        const tenant = await requireTenant(orm, slug);
        const progress = progressReporter(output);
        try {
          const imported = await importMembers(orm, {
            tenantId: tenant.id,
            source: file,
            encoding: options.encoding,
            dryRun: options.dryRun,
            strict: options.strict,
            defaultGroups: options.defaultGroup,
            onProgress: progress.update,
          });
          return { summary: imported, tenantId: tenant.id };
        } catch (error) {
          throw translate(error, slug, file, '--default-group');
        } finally {
          progress.stop();
        }
      });
      if (options.report !== undefined) {
        await writeRejectionReport(createWriteStream(options.report), summary.rejections);
      }
      printSummary(output, file, summary, options.report);
      if (summary.strict && summary.rejected > 0) {
        throw new CliError(`${count(summary.rejected, 'row')} rejected; --strict: nothing was imported`);
      }
      if (!summary.complete) {
        throw new CliError(
          `${file} is malformed CSV (see the last rejected row); ` +
            (summary.dryRun ? 'nothing was written' : 'the rows before the problem were imported'),
        );
      }
      if (!invitations) return;
      await withDatabase(async (orm) => {
        const source = { tenantId, source: file, encoding: options.encoding };
        const emails = await memberListEmails(orm, source);
        if (summary.dryRun) {
          const invitable = await countInvitable(orm, { tenantId, emails });
          output.out(`--invite: would invite ${count(invitable, 'member')}.`);
          return;
        }
        const invited = await inviteMembers(orm, invitations.directory, {
          tenantId,
          members: emails,
          redirectUri: invitations.redirectUri,
          onOutcome: (outcome) => {
            // Members invited before or signed in are the usual case on a re-import: not listed.
            if (outcome.status !== 'already_invited' && outcome.status !== 'signed_in') {
              output.out(describeOutcome(outcome, slug, false));
            }
          },
        });
        output.out(invitationTotals(invited));
        assertInvitationsSucceeded(invited, slug);
      });
    });

  members
    .command('invite <tenant> [emails...]')
    .description(
      'send members the e-mail to set up their account (verify the address, choose a password); ' +
        'members who have signed in, or were invited already, are skipped',
    )
    .option('--all-uninvited', 'every member who was neither invited nor has signed in')
    .option('--resend', 'invite named members again who were invited before (e.g. the link expired)')
    .option('--dry-run', 'show who would be invited; send and write nothing')
    .option('--json', 'print the outcome as JSON')
    .action(async (slug: string, emails: string[], options: InviteOptions) => {
      if (options.allUninvited && emails.length > 0) {
        throw new CliError('name e-mails or use --all-uninvited, not both');
      }
      if (!options.allUninvited && emails.length === 0) {
        throw new CliError("name the members' e-mails, or use --all-uninvited");
      }
      const { directory, redirectUri } = invitationSettings(makeDirectory);
      const summary = await withDatabase(async (orm) => {
        const tenant = await requireTenant(orm, slug);
        return inviteMembers(orm, directory, {
          tenantId: tenant.id,
          members: options.allUninvited ? 'uninvited' : emails,
          resend: options.resend,
          dryRun: options.dryRun,
          redirectUri,
          onOutcome: options.json
            ? undefined
            : (outcome) => output.out(describeOutcome(outcome, slug, options.dryRun ?? false)),
        });
      });
      if (options.json) output.out(JSON.stringify(invitationJson(slug, summary), null, 2));
      else output.out(invitationTotals(summary));
      assertInvitationsSucceeded(summary, slug);
    });

  members
    .command('export <tenant>')
    .description(
      'export members as CSV for Excel (UTF-8 with BOM, ";", German headers E-Mail;Vorname;Nachname;Telefon;Rolle;Gruppen)',
    )
    .option('--group <key>', 'only the members of this group (key or name)')
    .option('--out <file>', 'write to this file (default: standard output)')
    .action(async (slug: string, options: { group?: string; out?: string }) => {
      if (options.out !== undefined) await assertWritable(options.out, '--out');
      await withDatabase(async (orm) => {
        const tenant = await requireTenant(orm, slug);
        const query = { tenantId: tenant.id, group: options.group };
        try {
          if (options.out === undefined) {
            await exportMembers(orm, query, outputStream(output)).catch((error: { code?: string }) => {
              // The reader went away (`... | head`): the export ends there, as with any Unix tool.
              if (error.code !== 'EPIPE') throw error;
            });
            return;
          }
          // Written beside the target and renamed when complete: a failed export leaves no half file.
          const partial = `${options.out}.partial-${process.pid}`;
          try {
            const total = await exportMembers(orm, query, createWriteStream(partial));
            await rename(partial, options.out);
            output.out(`Exported ${count(total, 'member')} to ${options.out}.`);
          } finally {
            await rm(partial, { force: true });
          }
        } catch (error) {
          throw translate(error, slug, options.out ?? '-', '--group');
        }
      });
    });

  members
    .command('list <tenant>')
    .description("list a tenant's members (by family name)")
    .option('--json', 'print as JSON')
    .action(async (slug: string, options: { json?: boolean }) => {
      await withDatabase(async (orm) => {
        const tenant = await requireTenant(orm, slug);
        // JSON is written as it comes, one member a line; a comma needs the next member first.
        let pending: string | undefined;
        if (options.json) output.out('[');
        const total = await forEachMemberPage(orm, { tenantId: tenant.id }, (page) => {
          for (const member of page) {
            if (options.json) {
              if (pending !== undefined) output.out(`${pending},`);
              pending = `  ${JSON.stringify(member)}`;
              continue;
            }
            const groups = member.groups.length ? `  [${member.groups.join(', ')}]` : '';
            const phone = member.phone ? `  ${member.phone}` : '';
            output.out(
              `${member.email}  ${member.givenName} ${member.familyName}  ${member.role}${phone}${groups}`,
            );
          }
        });
        if (options.json) {
          if (pending !== undefined) output.out(pending);
          output.out(']');
        } else output.out(`${count(total, 'member')}`);
      });
    });

  return members;
}

function printSummary(
  output: Output,
  file: string,
  summary: ImportSummary,
  report: string | undefined,
): void {
  const delimiter = summary.delimiter === '\t' ? 'tab' : `"${summary.delimiter}"`;
  output.out(
    `${basename(file)}: ${count(summary.rows, 'row')} (${summary.encoding}, delimiter ${delimiter})` +
      (summary.ignoredColumns.length
        ? `; ignored columns: ${summary.ignoredColumns.map((column) => `"${column}"`).join(', ')}`
        : ''),
  );
  const { created, updated, unchanged, rejected } = summary;
  if (summary.dryRun) {
    output.out(
      `Dry run, nothing was written: would create ${created}, update ${updated}; unchanged ${unchanged}, rejected ${rejected}.`,
    );
  } else if (!summary.written) {
    output.out(`Nothing was written: created 0, updated 0, unchanged 0, rejected ${rejected}.`);
  } else {
    output.out(`Created ${created}, updated ${updated}, unchanged ${unchanged}, rejected ${rejected}.`);
  }
  if (summary.rejections.length === 0) return;
  output.out('Rejected rows:');
  for (const rejection of summary.rejections.slice(0, LISTED_REJECTIONS)) {
    output.out(`  ${describeRejection(rejection)}`);
  }
  const more = summary.rejections.length - LISTED_REJECTIONS;
  if (more > 0)
    output.out(`  ... and ${count(more, 'more row')}${report ? '' : ' (--report <file> writes all)'}`);
  if (report) output.out(`Rejected rows written to ${report}.`);
}

/** A progress bar on a terminal, plain lines otherwise (logs, pipes, tests). */
function progressReporter(output: Output): { update: (progress: ImportProgress) => void; stop: () => void } {
  if (output === processOutput && process.stderr.isTTY) {
    const bar = new SingleBar(
      {
        format: '{phase} [{bar}] {percentage}% | {rows} rows',
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
      },
      Presets.shades_classic,
    );
    let started = false;
    return {
      update: (progress) => {
        const total = progress.totalBytes ?? progress.bytesRead;
        const payload = { phase: progress.phase, rows: progress.rows };
        if (!started) bar.start(Math.max(total, 1), progress.bytesRead, payload);
        else bar.update(progress.bytesRead, payload);
        started = true;
      },
      stop: () => started && bar.stop(),
    };
  }
  let next = PROGRESS_LINE_ROWS;
  let phase: ImportProgress['phase'] | undefined;
  return {
    update: (progress) => {
      if (progress.phase !== phase) {
        phase = progress.phase;
        next = PROGRESS_LINE_ROWS;
      }
      if (progress.rows < next) return;
      next = (Math.floor(progress.rows / PROGRESS_LINE_ROWS) + 1) * PROGRESS_LINE_ROWS;
      const percent = progress.totalBytes
        ? ` (${Math.floor((progress.bytesRead / progress.totalBytes) * 100)} %)`
        : '';
      output.err(`${progress.phase}: ${progress.rows} rows${percent}`);
    },
    stop: () => undefined,
  };
}

/** Where `export` writes without --out: standard output (not ended), or the test's Output. */
function outputStream(output: Output): Writable {
  // Errors of standard output (EPIPE) reach the write callbacks; without a listener they
  // would also be thrown as an unhandled 'error' event (emitted after the write failed, so
  // the listener stays for the rest of the process).
  if (output === processOutput && !process.stdout.listeners('error').includes(ignoreError)) {
    process.stdout.on('error', ignoreError);
  }
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      if (output === processOutput) process.stdout.write(text, (error) => callback(error ?? undefined));
      else {
        output.out(text);
        callback();
      }
    },
  });
}

function ignoreError(): void {}

async function assertReadableFile(file: string): Promise<void> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new CliError(`${file} is not a file`);
    await access(file, constants.R_OK);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as { code?: string }).code;
    throw new CliError(
      code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file}: ${(error as Error).message}`,
    );
  }
}

/** A file to write (or its directory) must be writable before any work is done. */
async function assertWritable(file: string, option: string): Promise<void> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new CliError(`${option} ${file} is a directory`);
    await access(file, constants.W_OK);
  } catch (error) {
    if (error instanceof CliError) throw error;
    if ((error as { code?: string }).code !== 'ENOENT') {
      throw new CliError(`cannot write ${option} ${file}: ${(error as Error).message}`);
    }
    const directory = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) || '/' : '.';
    try {
      await access(directory, constants.W_OK);
    } catch {
      throw new CliError(`cannot write ${option} ${file}: no writable directory ${directory}`);
    }
  }
}

/** The lib's errors as one-line CLI errors. */
function translate(error: unknown, slug: string, file: string, groupOption: string): unknown {
  if (error instanceof UnknownGroupError) {
    return new CliError(
      `unknown ${groupOption} "${error.group}" (groups of tenant ${slug}: ${error.known.join(', ') || 'none'})`,
      ExitCode.notFound,
    );
  }
  if (error instanceof MemberListFileError) return new CliError(`${file}: ${error.message}`);
  return error;
}

/**
 * The directory invitations go through, and where it sends people afterwards: the portal's
 * account page, which signs them in and lists their communities. One address for every
 * tenant, so Keycloak needs one registered redirect URI, not one per tenant.
 */
function invitationSettings(makeDirectory: IdentityDirectoryFactory): {
  directory: IdentityDirectory;
  redirectUri: string | undefined;
} {
  const config = loadConfig();
  // Only a PUBLIC_URL someone set: the fallback (localhost) is no address for an e-mail.
  const redirectUri = process.env.PUBLIC_URL ? `${config.PUBLIC_URL.replace(/\/+$/, '')}/me` : undefined;
  return { directory: makeDirectory(config), redirectUri };
}

/** One person's outcome as one line. */
function describeOutcome(outcome: InvitationOutcome, slug: string, dryRun: boolean): string {
  switch (outcome.status) {
    case 'invited':
      return `${outcome.email}: ${dryRun ? 'would be invited' : 'invited'}`;
    case 'already_invited':
      return `${outcome.email}: skipped, invited already on ${formatTime(outcome.invitedAt)} (--resend invites again)`;
    case 'signed_in':
      return `${outcome.email}: skipped, has signed in already`;
    case 'not_found':
      return `${outcome.email}: not found (no member of tenant ${slug} has this e-mail)`;
    case 'failed':
      return `${outcome.email}: failed: ${outcome.reason}`;
  }
}

function invitationTotals(summary: InvitationSummary): string {
  const { invited, already_invited, signed_in, not_found, failed } = summary.counts;
  const skipped =
    `skipped ${already_invited + signed_in} ` +
    `(${already_invited} invited already, ${signed_in} signed in already)`;
  const rest = `; ${skipped}; not found ${not_found}; failed ${failed}.`;
  return summary.dryRun
    ? `Dry run, nothing was sent: would invite ${invited}${rest}`
    : `Invited ${invited}${rest}`;
}

function invitationJson(slug: string, summary: InvitationSummary) {
  const emails = (status: InvitationOutcome['status']) =>
    summary.outcomes.filter((outcome) => outcome.status === status).map((outcome) => outcome.email);
  return {
    tenant: slug,
    dryRun: summary.dryRun,
    invited: emails('invited'),
    alreadyInvited: summary.outcomes.flatMap((outcome) =>
      outcome.status === 'already_invited'
        ? [{ email: outcome.email, invitedAt: outcome.invitedAt.toISOString() }]
        : [],
    ),
    signedIn: emails('signed_in'),
    notFound: emails('not_found'),
    failed: summary.outcomes.flatMap((outcome) =>
      outcome.status === 'failed' ? [{ email: outcome.email, reason: outcome.reason }] : [],
    ),
  };
}

/** Failures: exit code 1; otherwise unknown e-mails: exit code 4 (as for any "not found"). */
function assertInvitationsSucceeded(summary: InvitationSummary, slug: string): void {
  const { failed, not_found } = summary.counts;
  if (failed > 0) {
    throw new CliError(`${count(failed, 'invitation')} failed; the others were not affected`);
  }
  if (not_found > 0) {
    const unknown = summary.outcomes.filter((outcome) => outcome.status === 'not_found');
    throw new CliError(
      `no member of tenant ${slug} with the e-mail ${unknown.map((outcome) => outcome.email).join(', ')}`,
      ExitCode.notFound,
    );
  }
}

/** A time as `2026-11-25 14:03 UTC`. */
function formatTime(time: Date): string {
  return `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? '' : 's'}`;
}
