import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import type { IdentityDirectory } from '@allmende/identity';
import { openCsv, type CsvInput } from './csv-source';
import { loadGroupIndex } from './groups';
import { memberRows } from './member-import';
import { arrayLiteral } from './sql-literal';

/** How long the link of an invitation works: people read their mail over days, not hours. */
export const INVITATION_LIFESPAN_SECONDS = 7 * 24 * 60 * 60;

/** What happened to one person. `invited` in a dry run: would be invited. */
export type InvitationOutcome =
  | { email: string; status: 'invited' }
  | { email: string; status: 'already_invited'; invitedAt: Date }
  | { email: string; status: 'signed_in' }
  | { email: string; status: 'not_found' }
  | { email: string; status: 'failed'; reason: string };

export type InvitationStatus = InvitationOutcome['status'];

export interface InvitationSummary {
  dryRun: boolean;
  /** One per person, in the order asked (named e-mails) or by e-mail (`uninvited`). */
  outcomes: InvitationOutcome[];
  counts: Record<InvitationStatus, number>;
}

export interface InviteMembersOptions {
  tenantId: string;
  /** These members (by e-mail), or every member who was neither invited nor has signed in. */
  members: readonly string[] | 'uninvited';
  /** Invite members who were invited before once more (a lost or expired e-mail). */
  resend?: boolean;
  /** Decide who would be invited; send and write nothing. */
  dryRun?: boolean;
  /** Where the identity provider sends people after setting up their account. */
  redirectUri?: string;
  /** How long the e-mail's link works (default INVITATION_LIFESPAN_SECONDS). */
  lifespanSeconds?: number;
  /** People handled at once (default 4): each costs a few round trips to the identity provider. */
  concurrency?: number;
  /** Members read at a time (default 500). */
  pageSize?: number;
  /** Called for each person as soon as their page is done (for progress output). */
  onOutcome?: (outcome: InvitationOutcome) => void;
}

/** A member row as invitations need it. */
interface Invitee {
  id: string;
  email: string;
  given_name: string;
  family_name: string;
  user_id: string | null;
  /** A Date from pg, or a string where a driver leaves timestamps as text. */
  invited_at: Date | string | null;
}

type Candidate = { email: string; member: Invitee | undefined };

/**
 * Invites members to set up their account: for each chosen member, find or create the
 * account in the identity directory, have it send the set-up e-mail (verify the address,
 * set a password), and record `invited_at` in the tenant's scope. Members who signed in
 * already are skipped, and so are members invited before (unless `resend`): running it
 * again sends nothing. One person's failure does not stop the others; their `invited_at`
 * stays empty, so the next run tries them again.
 */
export class MemberInviter {
  private readonly scope: TenantScope;

  constructor(
    orm: MikroORM,
    private readonly directory: IdentityDirectory,
  ) {
    this.scope = new TenantScope(orm);
  }

  run(options: InviteMembersOptions): Promise<InvitationSummary> {
    const summary: InvitationSummary = {
      dryRun: options.dryRun ?? false,
      outcomes: [],
      counts: { invited: 0, already_invited: 0, signed_in: 0, not_found: 0, failed: 0 },
    };
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
    return this.scope.run(options.tenantId, async (em) => {
      for await (const page of this.candidates(em, options)) {
        const outcomes = await mapConcurrently(page, concurrency, (candidate) =>
          this.invite(em, candidate, options),
        );
        for (const outcome of outcomes) {
          summary.outcomes.push(outcome);
          summary.counts[outcome.status]++;
          options.onOutcome?.(outcome);
        }
      }
      return summary;
    });
  }

  private async invite(em: EntityManager, candidate: Candidate, options: InviteMembersOptions) {
    const { email, member } = candidate;
    if (!member) return { email, status: 'not_found' } as const;
    if (member.user_id !== null) return { email, status: 'signed_in' } as const;
    if (member.invited_at !== null && !options.resend) {
      return { email, status: 'already_invited', invitedAt: new Date(member.invited_at) } as const;
    }
    if (options.dryRun) return { email, status: 'invited' } as const;
    try {
      const user = await this.directory.ensureUser({
        email: member.email,
        givenName: member.given_name,
        familyName: member.family_name,
      });
      await this.directory.sendInvitation(user.id, {
        redirectUri: options.redirectUri,
        lifespanSeconds: options.lifespanSeconds ?? INVITATION_LIFESPAN_SECONDS,
      });
    } catch (error) {
      return { email, status: 'failed', reason: oneLine(error) } as const;
    }
    try {
      await em.transactional((tx) =>
        tx.execute('update members set invited_at = now() where id = ?', [member.id]),
      );
    } catch (error) {
      // The e-mail is out; without the record, the next run sends it again.
      return {
        email,
        status: 'failed',
        reason: `the invitation was sent, but recording it failed: ${oneLine(error)}`,
      } as const;
    }
    return { email, status: 'invited' } as const;
  }

  /** The chosen members, a page at a time. */
  private candidates(em: EntityManager, options: InviteMembersOptions): AsyncGenerator<Candidate[]> {
    const pageSize = Math.max(1, Math.floor(options.pageSize ?? 500));
    return options.members === 'uninvited'
      ? uninvitedMembers(em, pageSize)
      : namedMembers(em, options.members, pageSize);
  }
}

const INVITEE_COLUMNS = 'id, email, given_name, family_name, user_id, invited_at';

/** The named members in the order named (each e-mail once); unknown e-mails have no member. */
async function* namedMembers(
  em: EntityManager,
  emails: readonly string[],
  pageSize: number,
): AsyncGenerator<Candidate[]> {
  const unique = [...new Set(emails.map(normalizeEmail))];
  for (let start = 0; start < unique.length; start += pageSize) {
    const chunk = unique.slice(start, start + pageSize);
    const rows = await em.transactional((tx) =>
      tx.execute<Invitee[]>(
        `select ${INVITEE_COLUMNS} from members where email = any(${arrayLiteral(chunk, 'text[]')})`,
      ),
    );
    const byEmail = new Map(rows.map((row) => [row.email, row]));
    yield chunk.map((email) => ({ email, member: byEmail.get(email) }));
  }
}

/** Members neither invited nor signed in, by e-mail (keyset pages: the list may change as we go). */
async function* uninvitedMembers(em: EntityManager, pageSize: number): AsyncGenerator<Candidate[]> {
  let after = '';
  for (;;) {
    const rows = await em.transactional((tx) =>
      tx.execute<Invitee[]>(
        `select ${INVITEE_COLUMNS} from members
          where invited_at is null and user_id is null and email > ?
          order by email limit ${pageSize}`,
        [after],
      ),
    );
    if (rows.length === 0) return;
    yield rows.map((row) => ({ email: row.email, member: row }));
    if (rows.length < pageSize) return;
    after = rows.at(-1)!.email;
  }
}

/** Invites members; see MemberInviter. */
export function inviteMembers(
  orm: MikroORM,
  directory: IdentityDirectory,
  options: InviteMembersOptions,
): Promise<InvitationSummary> {
  return new MemberInviter(orm, directory).run(options);
}

/**
 * The e-mails of a member list's valid rows, in file order: the members an import of the
 * file writes (rejected rows are not among them).
 */
export async function memberListEmails(
  orm: MikroORM,
  options: { tenantId: string; source: CsvInput; encoding?: string },
): Promise<string[]> {
  return new TenantScope(orm).run(options.tenantId, async (em) => {
    const groups = await loadGroupIndex(em);
    const file = await openCsv(options.source, { encoding: options.encoding });
    const emails: string[] = [];
    for await (const outcomes of memberRows(file, groups)) {
      for (const outcome of outcomes) if ('member' in outcome) emails.push(outcome.member.email);
    }
    return emails;
  });
}

/**
 * How many of these e-mails an invitation would reach: those that are no member yet (an
 * import creates them) and members neither invited nor signed in.
 */
export async function countInvitable(
  orm: MikroORM,
  options: { tenantId: string; emails: readonly string[]; chunkSize?: number },
): Promise<number> {
  const unique = [...new Set(options.emails.map(normalizeEmail))];
  const chunkSize = options.chunkSize ?? 5000;
  return new TenantScope(orm).run(options.tenantId, async (em) => {
    let invitable = 0;
    for (let start = 0; start < unique.length; start += chunkSize) {
      const chunk = unique.slice(start, start + chunkSize);
      const [row] = await em.transactional((tx) =>
        tx.execute<{ reached: number }[]>(
          `select count(*)::int as reached from unnest(${arrayLiteral(chunk, 'text[]')}) as e(email)
            where not exists (select 1 from members m
                               where m.email = e.email and (m.invited_at is not null or m.user_id is not null))`,
        ),
      );
      invitable += row?.reached ?? 0;
    }
    return invitable;
  });
}

/** As members store e-mails (and the import reads them): trimmed, lower case. */
function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** An error as one line (its message's first), whatever realm it was made in. */
function oneLine(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' ? message : String(error);
  return text.split('\n')[0] ?? text;
}

/** `fn` over `items` with at most `limit` running at once; results in the order of `items`. */
async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
