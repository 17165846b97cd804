import { Injectable } from '@nestjs/common';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { recordAudit } from '@allmende/audit';
import type { Actor } from '@allmende/auth';
import { ProblemException } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { MemberSchema } from '@allmende/members';
import { recordOutboxEvent } from '@allmende/outbox';
import { GroupJoinRequestSchema, type GroupJoinRequest } from './group-join-request.entity';
import { GroupMemberSchema } from './group-member.entity';
import { GroupSchema, type Group } from './group.entity';

/** Who asks or decides, as the guards established it. */
export interface Joiner {
  userId: string;
  /** Their member row in the tenant, if any. */
  memberId: string | null;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

export interface Decider {
  memberId: string;
  tenantAdmin: boolean;
  /** For the audit log. */
  actor: Actor;
}

/** A request with the name and e-mail of the person asking. */
export type PendingJoinRequest = GroupJoinRequest & { email: string | null; name: string | null };

export type JoinOutcome =
  { status: 'member' } | { status: 'joined' } | { status: 'requested'; requestId: string };

/**
 * Joining groups. Who may ask follows the group: it must be visible to the person (public
 * groups to everyone, `members` groups to members of the tenant, private groups to nobody
 * outside them), and its join policy must allow it (`invite` never). Members of the tenant
 * join `open` groups at once; everything else becomes a request for the group's admins.
 */
@Injectable()
export class GroupJoiningService {
  constructor(private readonly scope: TenantScope) {}

  async requestToJoin(groupKey: string, joiner: Joiner, message: string | undefined): Promise<JoinOutcome> {
    const em = this.scope.em();
    const group = await this.visibleGroup(groupKey, joiner.memberId);
    if (group.joinPolicy === 'invite') {
      throw ProblemException.forbidden('This group takes new members by invitation only.');
    }
    if (joiner.memberId) {
      const existing = await em.findOne(GroupMemberSchema, { group, member: joiner.memberId });
      if (existing) return { status: 'member' };
      if (group.joinPolicy === 'open') {
        em.create(GroupMemberSchema, { group, member: em.getReference(MemberSchema, joiner.memberId) });
        try {
          await em.flush();
        } catch (error) {
          // Joined twice at once: the unique constraint kept one; they are a member either way.
          if (!(error instanceof UniqueConstraintViolationException)) throw error;
          em.clear();
        }
        return { status: 'joined' };
      }
    }
    const pending = await em.findOne(GroupJoinRequestSchema, {
      group,
      userId: joiner.userId,
      status: 'pending',
    });
    if (pending) return { status: 'requested', requestId: pending.id };
    const request = em.create(GroupJoinRequestSchema, {
      group,
      userId: joiner.userId,
      memberId: joiner.memberId,
      message: message ?? null,
    });
    // The group's admins hear about it (same flush, same transaction).
    recordOutboxEvent(em, 'groups.join.requested', { groupId: group.id, requestId: request.id });
    try {
      await em.flush();
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      em.clear();
      const raced = await em.findOneOrFail(GroupJoinRequestSchema, {
        group,
        userId: joiner.userId,
        status: 'pending',
      });
      return { status: 'requested', requestId: raced.id };
    }
    return { status: 'requested', requestId: request.id };
  }

  /** Pending requests of a group, oldest first, with who asks. */
  async pending(groupKey: string): Promise<PendingJoinRequest[]> {
    const group = await this.groupByKey(groupKey);
    const requests = await this.scope
      .em()
      .find(
        GroupJoinRequestSchema,
        { group, status: 'pending' },
        { orderBy: { createdAt: 'asc', id: 'asc' } },
      );
    return this.withPeople(requests);
  }

  /**
   * Pending requests of every group of the tenant (the tenant admins' moderation queue),
   * oldest first, at most `limit`, with the group loaded and who asks.
   */
  async pendingInTenant(limit: number): Promise<{ items: PendingJoinRequest[]; more: boolean }> {
    const requests = await this.scope
      .em()
      .find(
        GroupJoinRequestSchema,
        { status: 'pending' },
        { orderBy: { createdAt: 'asc', id: 'asc' }, limit: limit + 1, populate: ['group'] },
      );
    return { items: await this.withPeople(requests.slice(0, limit)), more: requests.length > limit };
  }

  /** Names and e-mails of the people asking (from the global users table). */
  private async withPeople(requests: GroupJoinRequest[]): Promise<PendingJoinRequest[]> {
    const em = this.scope.em();
    if (requests.length === 0) return [];
    // users is a global table: names and e-mails of the people asking.
    const people = await em.execute<{ id: string; email: string | null; display_name: string | null }[]>(
      `select id, email, display_name from users where id in (${requests.map(() => '?').join(', ')})`,
      requests.map((request) => request.userId),
    );
    const byId = new Map(people.map((person) => [person.id, person]));
    return requests.map((request) =>
      Object.assign(request, {
        email: byId.get(request.userId)?.email ?? null,
        name: byId.get(request.userId)?.display_name ?? null,
      }),
    );
  }

  /**
   * Approves or declines a pending request. Approving adds the person to the group; a person
   * who is not yet a member of the tenant becomes one (role `member`), which only a tenant
   * admin may decide.
   */
  async decide(
    groupKey: string,
    requestId: string,
    approve: boolean,
    decider: Decider,
  ): Promise<GroupJoinRequest> {
    return this.scope.em().transactional(async (em) => {
      const group = await this.groupByKey(groupKey);
      const request = await em.findOne(
        GroupJoinRequestSchema,
        { id: requestId, group },
        // Two admins deciding at once: the second waits, then sees the request decided.
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (!request) throw ProblemException.notFound('No such join request in this group.');
      if (request.status !== 'pending') {
        throw new ProblemException({
          type: '/problems/conflict',
          title: 'Conflict',
          status: 409,
          detail: `This request was ${request.status} already.`,
        });
      }
      if (approve) {
        let memberId = request.memberId;
        if (!memberId) {
          if (!decider.tenantAdmin) {
            throw ProblemException.forbidden(
              'The person is not a member of this community yet: a tenant admin decides.',
            );
          }
          memberId = await this.memberFor(request.userId);
        }
        const already = await em.findOne(GroupMemberSchema, { group, member: memberId });
        if (!already)
          em.create(GroupMemberSchema, { group, member: em.getReference(MemberSchema, memberId) });
        request.memberId = memberId;
      }
      request.status = approve ? 'approved' : 'declined';
      request.decidedByMemberId = decider.memberId;
      request.decidedAt = new Date();
      recordAudit(em, decider.actor, {
        action: approve ? 'groups.join.approved' : 'groups.join.declined',
        entityType: 'group_join_request',
        entityId: request.id,
        details: { groupId: group.id, memberId: request.memberId },
      });
      recordOutboxEvent(em, approve ? 'groups.join.approved' : 'groups.join.declined', {
        groupId: group.id,
        requestId: request.id,
        userId: request.userId,
      });
      await em.flush();
      return request;
    });
  }

  /** The member row of a person (global user) in this tenant, created from their account if needed. */
  private async memberFor(userId: string): Promise<string> {
    const em = this.scope.em();
    const linked = await em.findOne(MemberSchema, { userId });
    if (linked) return linked.id;
    const [user] = await em.execute<
      { email: string | null; email_verified: boolean; display_name: string | null }[]
    >('select email, email_verified, display_name from users where id = ?', [userId]);
    if (!user?.email || !user.email_verified) {
      throw ProblemException.badRequest(
        'The person has no verified e-mail address: they cannot become a member yet.',
      );
    }
    const byEmail = await em.findOne(MemberSchema, { email: user.email });
    if (byEmail) {
      if (byEmail.userId && byEmail.userId !== userId) {
        throw ProblemException.badRequest('Another account holds the member row with this e-mail address.');
      }
      byEmail.userId = userId;
      return byEmail.id;
    }
    const [givenName, familyName] = splitName(user.display_name, user.email);
    const member = em.create(MemberSchema, { email: user.email, givenName, familyName, userId });
    return member.id;
  }

  /** The group, when the caller may see it (else 404, as for a group that does not exist). */
  private async visibleGroup(groupKey: string, memberId: string | null): Promise<Group> {
    const group = await this.groupByKey(groupKey);
    if (group.visibility === 'public') return group;
    if (group.visibility === 'members' && memberId) return group;
    if (group.visibility === 'private' && memberId) {
      const inGroup = await this.scope.em().findOne(GroupMemberSchema, { group, member: memberId });
      if (inGroup) return group;
    }
    throw ProblemException.notFound(`No group "${groupKey}".`);
  }

  private async groupByKey(groupKey: string): Promise<Group> {
    const group = await this.scope.em().findOne(GroupSchema, { key: groupKey.toLowerCase() });
    if (!group) throw ProblemException.notFound(`No group "${groupKey}".`);
    return group;
  }
}

/** "Anna Maria Schmidt" → ["Anna Maria", "Schmidt"]; no name → the e-mail's local part. */
function splitName(displayName: string | null, email: string): [string, string] {
  const name = displayName?.trim() || email.split('@')[0]!;
  const cut = name.lastIndexOf(' ');
  return cut > 0 ? [name.slice(0, cut), name.slice(cut + 1)] : [name, ''];
}
