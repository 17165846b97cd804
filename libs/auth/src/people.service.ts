import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { LRUCache } from 'lru-cache';
import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import type { VerifiedToken } from './access-token-verifier';
import { PLATFORM_ADMIN_ROLE, type Person, type TenantMembership } from './actor';
import type { TenantRole } from './decorators';

/** One of a person's communities (a tenant where they are a member). */
export interface Community {
  tenantId: string;
  slug: string;
  name: string;
  kind: string;
  memberId: string;
  role: TenantRole;
}

interface UserRow {
  id: string;
  email: string | null;
  email_verified: boolean;
  display_name: string | null;
}

/**
 * People (`users`, one per identity-provider subject) and their member rows.
 *
 * Member rows are tenant-owned; outside a tenant scope the app role reaches only a signed-in
 * person's own rows and the unlinked rows with their verified e-mail (the policies of
 * migration 20261125020000_identity), through transaction-local settings made here.
 */
@Injectable()
export class PeopleService {
  /**
   * Users rows this process has seen (or made) match a token's claims exactly, by those claims.
   * Only `userFor` writes `users` and rows are never deleted, so a row matching once keeps
   * matching: every request after a person's first skips the lookup.
   */
  private readonly usersByClaims = new LRUCache<string, string>({ max: 10_000 });

  constructor(
    private readonly orm: MikroORM,
    private readonly scope: TenantScope,
  ) {}

  /**
   * The person behind a verified token: finds or creates their `users` row and keeps its
   * e-mail and name current. When the row is new, or its verified e-mail changed, the
   * person is linked to the unlinked member rows with that e-mail in every tenant (first
   * login). An unverified e-mail links nothing.
   */
  async personFor(token: VerifiedToken): Promise<Person> {
    const claims = claimsKey(token);
    const userId = this.usersByClaims.get(claims) ?? (await this.userFor(token));
    this.usersByClaims.set(claims, userId);
    return {
      userId,
      subject: token.subject,
      email: token.email,
      emailVerified: token.emailVerified,
      name: token.name,
      platformAdmin: token.realmRoles.includes(PLATFORM_ADMIN_ROLE),
    };
  }

  /** Finds or creates the `users` row of the token's subject, brought up to the token's claims. */
  private async userFor(token: VerifiedToken): Promise<string> {
    const em = this.globalEm();
    const [found] = await em.execute<UserRow[]>(
      'select id, email, email_verified, display_name from users where oidc_subject = ?',
      [token.subject],
    );
    let userId = found?.id;
    const changed =
      !found ||
      found.email !== token.email ||
      found.email_verified !== token.emailVerified ||
      found.display_name !== token.name;
    if (changed) {
      userId = await em.transactional(async (tx) => {
        const [row] = await tx.execute<{ id: string }[]>(
          `insert into users (id, oidc_subject, email, email_verified, display_name)
           values (?, ?, ?, ?, ?)
           on conflict (oidc_subject) do update
             set email = excluded.email, email_verified = excluded.email_verified,
                 display_name = excluded.display_name, updated_at = now()
           returning id`,
          [found?.id ?? newId(), token.subject, token.email, token.emailVerified, token.name],
        );
        const id = row!.id;
        if (token.emailVerified && token.email) await linkByVerifiedEmail(tx, id, token.email);
        return id;
      });
    }
    return userId!;
  }

  /**
   * The person's member row in the current tenant scope. A row imported after their first
   * login is linked here, on their first request to that tenant (verified e-mail only).
   */
  async membershipIn(tenantId: string, person: Person): Promise<TenantMembership | null> {
    // Each a statement alone, in one round trip (this runs on every signed-in request).
    const [linked] = await this.scope.execute<{ id: string; role: TenantRole }[]>(
      'select id, role from members where user_id = ? limit 1',
      [person.userId],
    );
    if (linked) return { tenantId, memberId: linked.id, role: linked.role };
    if (!person.emailVerified || !person.email) return null;
    const [claimed] = await this.scope.execute<{ id: string; role: TenantRole }[]>(
      `update members set user_id = ?, updated_at = now()
        where email = ? and user_id is null returning id, role`,
      [person.userId, person.email],
    );
    return claimed ? { tenantId, memberId: claimed.id, role: claimed.role } : null;
  }

  /** Every active tenant where the person is a member ("my communities"). */
  async communitiesOf(person: Person): Promise<Community[]> {
    return this.globalEm().transactional(async (tx) => {
      await tx.execute(`select set_config('app.user_id', ?, true)`, [person.userId]);
      const rows = await tx.execute<
        { tenant_id: string; slug: string; name: string; kind: string; member_id: string; role: TenantRole }[]
      >(
        `select t.id as tenant_id, t.slug, t.name, t.kind, m.id as member_id, m.role
           from members m join tenants t on t.id = m.tenant_id
          where m.user_id = ? and t.status = 'active'
          order by t.name, t.slug`,
        [person.userId],
      );
      return rows.map((row) => ({
        tenantId: row.tenant_id,
        slug: row.slug,
        name: row.name,
        kind: row.kind,
        memberId: row.member_id,
        role: row.role,
      }));
    });
  }

  /** An EntityManager outside any tenant scope (global tables, the policies above). */
  private globalEm(): EntityManager {
    return this.orm.em.fork({ useContext: false, disableContextResolution: true }) as EntityManager;
  }
}

/** Links the unlinked member rows with this verified e-mail, in every tenant. */
async function linkByVerifiedEmail(tx: EntityManager, userId: string, email: string): Promise<void> {
  await tx.execute(`select set_config('app.user_id', ?, true), set_config('app.verified_email', ?, true)`, [
    userId,
    email,
  ]);
  await tx.execute(`update members set user_id = ?, updated_at = now() where user_id is null and email = ?`, [
    userId,
    email,
  ]);
}

/** The claims that `userFor` keeps in the users row, as one key. */
function claimsKey(token: VerifiedToken): string {
  return JSON.stringify([token.subject, token.email, token.emailVerified, token.name]);
}
