import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentActor, TenantRole, type Actor } from '@allmende/auth';
import { ProblemException } from '@allmende/core';
import { inviteMemberBody, MemberInvitationService, type InvitationStatus } from '@allmende/member-lists';
import { changeRoleBody, MembersService } from '@allmende/members';
import { adminBase, adminNav, queryText, refusal, ROLE_KEYS } from './portal-admin';
import { type FieldInfo, type FormBody, formState, formText, parseForm } from './portal-forms';
import { PortalView, type PortalContext } from './portal-view';

const PAGE_SIZE = 50;
const memberId = z.uuid();

/** What the page says after a form: `?notice=` (only these; anything else is ignored). */
const NOTICES = new Set<string>([
  'invited',
  'already_invited',
  'signed_in',
  'failed',
  'added',
  'roleChanged',
] satisfies (InvitationStatus | 'added' | 'roleChanged')[]);

/** A notice's KERN alert: done, nothing to do, or not done. */
const NOTICE_KINDS: Record<string, 'success' | 'info' | 'warning'> = {
  already_invited: 'info',
  signed_in: 'info',
  failed: 'warning',
};

const INVITE_FIELDS: Record<string, FieldInfo> = {
  email: {
    id: 'invite-email',
    labelKey: 'portal.admin.members.fieldEmail',
    errorKey: 'portal.admin.members.errors.email',
  },
  givenName: {
    id: 'invite-given-name',
    labelKey: 'portal.admin.members.fieldGivenName',
    errorKey: 'portal.admin.members.errors.givenName',
  },
  familyName: {
    id: 'invite-family-name',
    labelKey: 'portal.admin.members.fieldFamilyName',
    errorKey: 'portal.admin.members.errors.familyName',
  },
  // No identity directory configured (503): nothing the admin typed is wrong.
  directory: {
    id: 'invite-email',
    labelKey: 'portal.admin.members.invite',
    errorKey: 'portal.admin.members.errors.unavailable',
  },
};

/** A refused form on the page: the invitation (fields typed) or a member's role change. */
type Refused =
  | {
      kind: 'invite';
      values: Record<string, string>;
      problems: { path: string; message: string }[];
      status: number;
    }
  | { kind: 'role'; memberId: string; messageKey: string; status: number };

/**
 * Tenant admins: the community's members (search by name or e-mail, pages by e-mail), their
 * role (member ↔ tenant admin; MembersService keeps the last admin) and invitations through
 * the identity directory (MemberInvitationService, as `allmende members invite` does).
 */
@ApiExcludeController()
@TenantRole('tenant_admin')
@Controller('t/:tenant/admin/members')
export class PortalAdminMembersController {
  constructor(
    private readonly view: PortalView,
    private readonly members: MembersService,
    private readonly invitations: MemberInvitationService,
  ) {}

  @Get()
  async list(
    @Query('q') q: unknown,
    @Query('after') after: unknown,
    @Query('notice') notice: unknown,
    @Query('email') email: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.view.context(request, response, actor);
    await this.render(context, response, {
      q: queryText(q, 100) ?? '',
      after: queryText(after, 320),
      notice: typeof notice === 'string' && NOTICES.has(notice) ? notice : undefined,
      email: queryText(email, 320),
    });
  }

  /** The invitation form: a member by e-mail (a new one with their name), then the list at them. */
  @Post('invite')
  async invite(
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const values = {
      email: formText(body.email).trim(),
      givenName: formText(body.givenName).trim(),
      familyName: formText(body.familyName).trim(),
    };
    const context = await this.view.context(request, response, actor);
    let result;
    try {
      result = await this.invitations.invite(
        actor,
        context.community.id,
        parseForm(inviteMemberBody, {
          email: values.email,
          givenName: values.givenName || undefined,
          familyName: values.familyName || undefined,
        }),
      );
    } catch (error) {
      const problem = refusal(error, [400, 503]);
      if (!problem) throw error;
      const { status, errors, detail } = problem.problem;
      return this.render(context, response, {
        q: '',
        refused: {
          kind: 'invite',
          values,
          status,
          problems: status === 503 ? [{ path: 'directory', message: detail ?? '' }] : (errors ?? []),
        },
      });
    }
    this.afterInvitation(response, context, result.member.email, result.outcome.status, result.added);
  }

  /** "Invite" / "invite again" on a member's row. */
  @Post(':member/invite')
  async reinvite(
    @Param('member') id: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const member = memberId.safeParse(id).success ? await this.members.get(id) : null;
    if (!member) throw ProblemException.notFound('No such member.');
    const context = await this.view.context(request, response, actor);
    const result = await this.invitations.invite(actor, context.community.id, {
      email: member.email,
      resend: !!member.invitedAt,
    });
    this.afterInvitation(response, context, member.email, result.outcome.status, false);
  }

  /** A member's role; refused (last admin, unknown role): the list again with the reason at the row. */
  @Post(':member/role')
  async role(
    @Param('member') id: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!memberId.safeParse(id).success) throw ProblemException.notFound('No such member.');
    let member;
    try {
      member = await this.members.changeRole(
        actor,
        id,
        parseForm(changeRoleBody, { role: formText(body.role) }).role,
      );
    } catch (error) {
      const problem = refusal(error, [400, 409]);
      if (!problem) throw error;
      const context = await this.view.context(request, response, actor);
      const target = await this.members.get(id);
      return this.render(context, response, {
        q: target?.email ?? '',
        refused: {
          kind: 'role',
          memberId: id,
          status: problem.problem.status,
          messageKey:
            problem.problem.status === 409
              ? 'portal.admin.members.errors.lastAdmin'
              : 'portal.admin.members.errors.role',
        },
      });
    }
    const community = `/t/${encodeURIComponent(request.tenant!.slug)}`;
    // Who gave up their own admin role has no admin pages any more: the community's home.
    if (member.id === actor.membership!.memberId && member.role !== 'tenant_admin')
      return response.redirect(303, `${community}/`);
    response.redirect(
      303,
      `${community}/admin/members?q=${encodeURIComponent(member.email)}&notice=roleChanged&email=${encodeURIComponent(member.email)}#member-${member.id}`,
    );
  }

  private afterInvitation(
    response: Response,
    context: PortalContext,
    email: string,
    status: InvitationStatus,
    added: boolean,
  ): void {
    const notice = status === 'invited' && added ? 'added' : status;
    response.redirect(
      303,
      `${adminBase(context)}/members?q=${encodeURIComponent(email)}&notice=${notice}&email=${encodeURIComponent(email)}`,
    );
  }

  private async render(
    context: PortalContext,
    response: Response,
    options: { q: string; after?: string; notice?: string; email?: string; refused?: Refused },
  ): Promise<void> {
    const { q, after, refused } = options;
    const page = await this.members.list(PAGE_SIZE, after, q);
    const base = `${adminBase(context)}/members`;
    const search = q ? `q=${encodeURIComponent(q)}&` : '';
    const self = context.actor.membership!.memberId;
    const invite = refused?.kind === 'invite' ? refused : undefined;
    const inviteState = formState(INVITE_FIELDS, invite?.problems);
    const roleRefusal = refused?.kind === 'role' ? refused : undefined;
    this.view.send(
      response,
      context,
      'admin-members',
      {
        nav: adminNav(context, 'members'),
        searchAction: base,
        q,
        members: page.items.map((member) => ({
          id: member.id,
          name: `${member.givenName} ${member.familyName}`.trim(),
          email: member.email,
          roleKey: ROLE_KEYS[member.role],
          self: member.id === self,
          status: member.userId ? 'signedIn' : member.invitedAt ? 'invited' : 'notInvited',
          signedIn: !!member.userId,
          invitedAt: member.invitedAt ?? undefined,
          roleAction: `${base}/${member.id}/role`,
          roles: (['member', 'tenant_admin'] as const).map((role) => ({
            value: role,
            labelKey: ROLE_KEYS[role],
            selected: role === member.role,
          })),
          inviteAction: member.userId ? undefined : `${base}/${member.id}/invite`,
          inviteAgain: !!member.invitedAt,
          refusedKey: roleRefusal?.memberId === member.id ? roleRefusal.messageKey : undefined,
        })),
        nextHref: page.next ? `${base}?${search}after=${encodeURIComponent(page.next)}` : undefined,
        firstHref: after ? `${base}${q ? `?q=${encodeURIComponent(q)}` : ''}` : undefined,
        // Only about a member on the page (the notice comes from the address).
        notice:
          options.notice && page.items.some((member) => member.email === options.email)
            ? {
                key: `portal.admin.members.notice.${options.notice}`,
                email: options.email ?? '',
                kind: NOTICE_KINDS[options.notice] ?? 'success',
              }
            : undefined,
        // The role form's error summary: one link, to the refused member's role field.
        roleErrors: roleRefusal
          ? formState(
              {
                role: {
                  id: `role-${roleRefusal.memberId}`,
                  labelKey: 'portal.admin.members.fieldRole',
                  errorKey: roleRefusal.messageKey,
                },
              },
              [{ path: 'role', message: roleRefusal.messageKey }],
            ).errors
          : [],
        invite: {
          action: `${base}/invite`,
          values: invite?.values,
          errors: inviteState.errors,
          invalid: inviteState.invalid,
        },
      },
      {
        titleKey: 'portal.admin.members.title',
        status: invite ? invite.status : roleRefusal ? roleRefusal.status : 200,
      },
    );
  }
}
