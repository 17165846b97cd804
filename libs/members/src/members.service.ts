import { Injectable } from '@nestjs/common';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { z } from 'zod';
import { recordAudit } from '@allmende/audit';
import type { Actor } from '@allmende/auth';
import { ProblemException } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { MemberSchema, TENANT_ROLES, type Member, type TenantRole } from './member.entity';

export interface MemberPage {
  items: Member[];
  /** Pass as `after` for the next page; null on the last one. */
  next: string | null;
}

/** A role change (tenant admins): `member` or `tenant_admin`. */
export const changeRoleBody = z.strictObject({ role: z.enum(TENANT_ROLES) });
export type ChangeRoleBody = z.infer<typeof changeRoleBody>;

/** A new member row, added by a tenant admin (e.g. to invite them). */
export const addMemberBody = z.strictObject({
  email: z.email().max(320),
  givenName: z.string().trim().min(1).max(100),
  familyName: z.string().trim().max(100).default(''),
});
export type AddMemberBody = z.infer<typeof addMemberBody>;

/** Words searched for at most: every word must match the name or the e-mail. */
const MAX_SEARCH_WORDS = 5;

function conflict(detail: string): ProblemException {
  return new ProblemException({ type: '/problems/conflict', title: 'Conflict', status: 409, detail });
}

/** `%` and `_` typed by someone are letters, not wildcards. */
function likePattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** The members of the current tenant (the scope's row-level security applies). */
@Injectable()
export class MembersService {
  constructor(private readonly scope: TenantScope) {}

  /**
   * A page of members by e-mail (unique in a tenant, so the order is stable), after `after`.
   * `search`: every word of it must occur (case-insensitively) in the given name, the family
   * name or the e-mail ("anna schm" finds Anna Schmidt).
   */
  async list(limit: number, after?: string, search?: string): Promise<MemberPage> {
    const words = (search ?? '').trim().split(/\s+/).filter(Boolean).slice(0, MAX_SEARCH_WORDS);
    const conditions: object[] = words.map((word) => {
      const pattern = likePattern(word);
      return {
        $or: [
          { email: { $ilike: pattern } },
          { givenName: { $ilike: pattern } },
          { familyName: { $ilike: pattern } },
        ],
      };
    });
    if (after) conditions.push({ email: { $gt: after } });
    const items = await this.scope
      .em()
      .find(MemberSchema, conditions.length > 0 ? { $and: conditions } : {}, {
        orderBy: { email: 'asc' },
        limit: limit + 1,
      });
    const more = items.length > limit;
    const page = more ? items.slice(0, limit) : items;
    return { items: page, next: more ? page.at(-1)!.email : null };
  }

  async get(memberId: string): Promise<Member | null> {
    return this.scope.em().findOne(MemberSchema, { id: memberId });
  }

  async getByEmail(email: string): Promise<Member | null> {
    return this.scope.em().findOne(MemberSchema, { email: email.trim().toLowerCase() });
  }

  /** Display names ("Given Family") of these members, by id; unknown ids are left out. */
  async names(memberIds: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(memberIds)];
    if (unique.length === 0) return new Map();
    const members = await this.scope.em().find(MemberSchema, { id: { $in: unique } });
    return new Map(members.map((member) => [member.id, `${member.givenName} ${member.familyName}`.trim()]));
  }

  /**
   * Adds a member (role `member`, not yet signed in) and records who did it. An e-mail that
   * a member of the tenant has already is a 409.
   */
  async add(actor: Actor, input: AddMemberBody): Promise<Member> {
    const em = this.scope.em();
    const member = em.create(MemberSchema, {
      email: input.email.trim().toLowerCase(),
      givenName: input.givenName,
      familyName: input.familyName,
    });
    recordAudit(em, actor, {
      action: 'members.member.added',
      entityType: 'member',
      entityId: member.id,
      details: { email: member.email },
    });
    try {
      await em.flush();
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      em.clear();
      throw conflict('A member of this community has this e-mail address already.');
    }
    return member;
  }

  /**
   * Makes a member a tenant admin or a plain member (audited). A community always keeps at
   * least one tenant admin: demoting the last one (which only they can try) is a 409. The
   * admins' rows are locked while deciding, so two admins demoting each other at once cannot
   * leave the community without one.
   */
  async changeRole(actor: Actor, memberId: string, role: TenantRole): Promise<Member> {
    return this.scope.em().transactional(async (em) => {
      const current = await em.findOne(MemberSchema, { id: memberId });
      if (!current) throw ProblemException.notFound('No such member.');
      let member: Member;
      if (current.role === 'tenant_admin' && role !== 'tenant_admin') {
        // Every admin row, locked in one order (no deadlock between two demotions).
        const admins = await em.find(
          MemberSchema,
          { role: 'tenant_admin' },
          { orderBy: { id: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
        );
        const locked = admins.find((admin) => admin.id === memberId);
        if (locked && admins.length <= 1) {
          throw conflict(
            'The community needs at least one tenant admin: make someone else tenant admin first.',
          );
        }
        member =
          locked ??
          // Demoted meanwhile by someone else: no longer an admin.
          (await em.findOne(
            MemberSchema,
            { id: memberId },
            { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
          ))!;
      } else {
        member = (await em.findOne(
          MemberSchema,
          { id: memberId },
          { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
        ))!;
      }
      if (member.role === role) return member;
      const from = member.role;
      member.role = role;
      recordAudit(em, actor, {
        action: 'members.role.changed',
        entityType: 'member',
        entityId: member.id,
        details: { from, to: role },
      });
      await em.flush();
      return member;
    });
  }
}
