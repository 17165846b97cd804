import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { z } from 'zod';
import { recordAudit } from '@allmende/audit';
import type { Actor } from '@allmende/auth';
import { APP_CONFIG, ConfigError, ProblemException, ProblemType, type AppConfig } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { identityDirectoryFromConfig, type IdentityDirectory } from '@allmende/identity';
import { MembersService, type Member } from '@allmende/members';
import { inviteMembers, type InvitationOutcome } from './member-invitations';

/** Invite one person by e-mail; the names are needed only when they are no member yet. */
export const inviteMemberBody = z.strictObject({
  email: z.email().max(320),
  givenName: z.string().trim().max(100).optional(),
  familyName: z.string().trim().max(100).optional(),
  /** Invite again a member who was invited before (a lost or expired e-mail). */
  resend: z.boolean().optional(),
});
export type InviteMemberBody = z.infer<typeof inviteMemberBody>;

export interface MemberInvitation {
  member: Member;
  /** Whether the invitation added the member row (the e-mail was new to the community). */
  added: boolean;
  outcome: InvitationOutcome;
}

/**
 * Invitations from the web (tenant admins), through the same MemberInviter as `allmende
 * members invite`: the account is found or made in the identity directory (Keycloak, or the
 * dev identity provider), which sends the set-up e-mail; members who signed in already, or
 * were invited before (unless `resend`), are not mailed again. A person new to the community
 * becomes a member first. Added members and sent invitations are audited.
 */
@Injectable()
export class MemberInvitationService {
  private directory: IdentityDirectory | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly scope: TenantScope,
    private readonly members: MembersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async invite(actor: Actor, tenantId: string, input: InviteMemberBody): Promise<MemberInvitation> {
    const email = input.email.trim().toLowerCase();
    let member = await this.members.getByEmail(email);
    if (!member && !input.givenName) {
      throw ProblemException.validation([
        { path: 'givenName', message: 'A person new to the community needs a given name.' },
      ]);
    }
    // Nothing changes when invitations cannot be sent.
    const directory = this.identityDirectory();
    let added = false;
    if (!member) {
      member = await this.members.add(actor, {
        email,
        givenName: input.givenName!,
        familyName: input.familyName ?? '',
      });
      added = true;
    }
    const summary = await inviteMembers(this.orm, directory, {
      tenantId,
      members: [email],
      resend: input.resend,
      redirectUri: this.config.PUBLIC_URL ? `${this.config.PUBLIC_URL.replace(/\/+$/, '')}/me` : undefined,
    });
    const outcome = summary.outcomes[0]!;
    if (outcome.status === 'invited') {
      const em = this.scope.em();
      recordAudit(em, actor, {
        action: 'members.member.invited',
        entityType: 'member',
        entityId: member.id,
        details: { email, resend: input.resend ?? false },
      });
      await em.flush();
    }
    return { member, added, outcome };
  }

  /** The configured directory, made on first use (so the API starts without one). */
  private identityDirectory(): IdentityDirectory {
    if (this.directory) return this.directory;
    try {
      this.directory = identityDirectoryFromConfig(this.config);
      return this.directory;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new ProblemException({
        type: ProblemType.unavailable,
        title: 'Service Unavailable',
        status: 503,
        detail: `Invitations are not set up on this installation: ${error.problems.join('; ')}`,
      });
    }
  }
}
