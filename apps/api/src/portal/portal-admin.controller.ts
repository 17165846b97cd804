import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentActor, TenantRole, type Actor } from '@allmende/auth';
import { AuditLogService, type AuditEvent } from '@allmende/content';
import { ProblemException } from '@allmende/core';
import { HiddenDiscussions } from '@allmende/discussions';
import { GroupJoiningService, GroupsService } from '@allmende/groups';
import { MembersService } from '@allmende/members';
import {
  adminBase,
  adminNav,
  AUDIT_ACTIONS,
  JOIN_POLICY_KEYS,
  queryText,
  ROLE_KEYS,
  VISIBILITY_KEYS,
} from './portal-admin';
import { groupName } from './portal-groups';
import { PortalView, type PortalContext } from './portal-view';

const AUDIT_PAGE_SIZE = 50;
/** Join requests shown at once in the moderation queue (the oldest first). */
const QUEUE_SIZE = 100;
const requestId = z.uuid();

/** What a changed group setting reads like: the field, and old → new where they have names. */
const SETTING_KEYS: Record<string, { labelKey: string; values?: Record<string, string> }> = {
  name: { labelKey: 'portal.admin.groups.field.name' },
  description: { labelKey: 'portal.admin.groups.field.description' },
  visibility: { labelKey: 'portal.admin.groups.field.visibility', values: VISIBILITY_KEYS },
  joinPolicy: { labelKey: 'portal.admin.groups.field.joinPolicy', values: JOIN_POLICY_KEYS },
};

/**
 * The community's admin area (tenant admins only, `/t/<slug>/admin`): the overview, the
 * moderation queue (pending join requests of every group, GroupJoiningService; discussion
 * content the group moderators hid, HiddenDiscussions) and the audit
 * log (AuditLogService, newest first, times in the community's zone). Members and groups
 * have controllers of their own.
 */
@ApiExcludeController()
@TenantRole('tenant_admin')
@Controller('t/:tenant/admin')
export class PortalAdminController {
  constructor(
    private readonly view: PortalView,
    private readonly groups: GroupsService,
    private readonly joining: GroupJoiningService,
    private readonly members: MembersService,
    private readonly audit: AuditLogService,
    private readonly hiddenDiscussions: HiddenDiscussions,
  ) {}

  @Get()
  async home(
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.view.context(request, response, actor);
    const overview = await this.groups.overview();
    const base = adminBase(context);
    this.view.send(
      response,
      context,
      'admin-home',
      {
        nav: adminNav(context, 'home'),
        groupCount: overview.length,
        pendingRequests: overview.reduce((sum, entry) => sum + entry.pendingRequests, 0),
        links: {
          members: `${base}/members`,
          groups: `${base}/groups`,
          moderation: `${base}/moderation`,
          audit: `${base}/audit`,
        },
      },
      { titleKey: 'portal.admin.title' },
    );
  }

  @Get('moderation')
  async moderation(
    @Query('decided') decided: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.view.context(request, response, actor);
    const queue = await this.joining.pendingInTenant(QUEUE_SIZE);
    const hidden = await this.hiddenDiscussions.inTenant(actor, QUEUE_SIZE);
    const base = `${adminBase(context)}/moderation`;
    this.view.send(
      response,
      context,
      'admin-moderation',
      {
        nav: adminNav(context, 'moderation'),
        decidedKey:
          decided === 'approved' || decided === 'declined'
            ? `portal.admin.moderation.decided.${decided}`
            : undefined,
        requests: queue.items.map((item) => {
          const group = item.group.getEntity();
          const action = `${base}/${encodeURIComponent(group.key)}/join-requests/${item.id}`;
          return {
            id: item.id,
            person: item.name ?? item.email ?? '',
            email: item.email,
            newToCommunity: !item.memberId,
            message: item.message,
            createdAt: item.createdAt,
            groupName: groupName(group.name, context.locale),
            groupHref: `${context.community.href}/g/${encodeURIComponent(group.key)}`,
            approveAction: `${action}/approve`,
            declineAction: `${action}/decline`,
          };
        }),
        more: queue.more,
        hidden: hidden.items.map((item) => {
          const thread = `${context.community.href}/g/${encodeURIComponent(item.groupKey)}/discussions/${item.threadId}`;
          const comment = item.kind === 'comment' ? `${thread}/comments/${item.id}` : undefined;
          return {
            id: item.id,
            kindKey: `portal.admin.moderation.hiddenKind.${item.kind}`,
            threadTitle: item.threadTitle,
            groupName: groupName(item.groupName, context.locale),
            author: item.author,
            excerpt: item.excerpt,
            hiddenAt: item.hiddenAt,
            hiddenBy: item.hiddenBy,
            href: comment ? `${thread}#comment-${item.id}` : thread,
            // The item's own unhide route (DiscussionsService checks and audits); it leads to the item.
            unhideAction: `${comment ?? thread}/unhide`,
          };
        }),
        hiddenMore: hidden.more,
      },
      { titleKey: 'portal.admin.moderation.title' },
    );
  }

  /** Approve or decline a join request (GroupJoiningService.decide, audited), then back to the queue. */
  @Post('moderation/:group/join-requests/:request/:decision')
  async decide(
    @Param('group') group: string,
    @Param('request') id: string,
    @Param('decision') decision: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!requestId.safeParse(id).success || (decision !== 'approve' && decision !== 'decline'))
      throw ProblemException.notFound('No such join request.');
    const approve = decision === 'approve';
    await this.joining.decide(group, id, approve, {
      memberId: actor.membership!.memberId,
      tenantAdmin: true,
      actor,
    });
    response.redirect(
      303,
      `/t/${encodeURIComponent(request.tenant!.slug)}/admin/moderation?decided=${approve ? 'approved' : 'declined'}`,
    );
  }

  @Get('audit')
  async auditLog(
    @Query('cursor') cursor: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.view.context(request, response, actor);
    const page = await this.audit.list(
      { limit: AUDIT_PAGE_SIZE, cursor: queryText(cursor, 500) },
      (event) => event,
    );
    const entries = await this.auditEntries(context, page.items);
    const base = `${adminBase(context)}/audit`;
    this.view.send(
      response,
      context,
      'admin-audit',
      {
        nav: adminNav(context, 'audit'),
        entries,
        olderHref: page.nextCursor ? `${base}?cursor=${encodeURIComponent(page.nextCursor)}` : undefined,
        newestHref: cursor ? base : undefined,
      },
      { titleKey: 'portal.admin.audit.title' },
    );
  }

  /** Audit rows as people read them: who, what (in words), on what (names, not ids), what changed. */
  private async auditEntries(context: PortalContext, events: AuditEvent[]) {
    const memberIds = events.flatMap((event) => [
      ...(event.actorMemberId ? [event.actorMemberId] : []),
      ...(event.entityType === 'member' ? [event.entityId] : []),
      ...(typeof event.details?.memberId === 'string' ? [event.details.memberId] : []),
    ]);
    const [names, overview] = await Promise.all([this.members.names(memberIds), this.groups.overview()]);
    const groups = new Map(overview.map(({ group }) => [group.id, group]));
    return events.map((event) => {
      const details = event.details ?? {};
      const groupId =
        event.entityType === 'group'
          ? event.entityId
          : typeof details.groupId === 'string'
            ? details.groupId
            : undefined;
      const group = groupId ? groups.get(groupId) : undefined;
      const memberId =
        event.entityType === 'member'
          ? event.entityId
          : typeof details.memberId === 'string'
            ? details.memberId
            : undefined;
      return {
        id: event.id,
        at: event.createdAt,
        actor: event.actorMemberId ? (names.get(event.actorMemberId) ?? null) : null,
        actionKey: AUDIT_ACTIONS.has(event.action) ? `portal.admin.audit.action.${event.action}` : undefined,
        action: event.action,
        member: memberId ? (names.get(memberId) ?? null) : null,
        group: group
          ? {
              name: groupName(group.name, context.locale),
              href: `${context.community.href}/g/${encodeURIComponent(group.key)}`,
            }
          : null,
        changes: changesOf(event),
      };
    });
  }
}

/** The changes an audit row records, in words: a role change, or the group settings changed. */
function changesOf(event: AuditEvent): { labelKey: string; fromKey?: string; toKey?: string }[] {
  const details = event.details ?? {};
  if (event.action === 'members.role.changed') {
    const from = ROLE_KEYS[String(details.from)];
    const to = ROLE_KEYS[String(details.to)];
    return from && to ? [{ labelKey: 'portal.admin.members.fieldRole', fromKey: from, toKey: to }] : [];
  }
  if (event.action === 'groups.group.updated' && details.changes && typeof details.changes === 'object') {
    const changes = details.changes as Record<string, { from?: unknown; to?: unknown }>;
    return Object.keys(changes).flatMap((name) => {
      const setting = SETTING_KEYS[name];
      if (!setting) return [];
      const fromKey = setting.values?.[String(changes[name]?.from)];
      const toKey = setting.values?.[String(changes[name]?.to)];
      return [{ labelKey: setting.labelKey, fromKey, toKey: fromKey ? toKey : undefined }];
    });
  }
  return [];
}
