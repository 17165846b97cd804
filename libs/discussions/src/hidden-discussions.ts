import { Injectable } from '@nestjs/common';
import type { Actor } from '@allmende/auth';
import { ProblemException } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import type { LocalizedText } from '@allmende/groups';

/** A thread or comment a moderator hid, as the tenant admins' moderation queue lists it. */
export interface HiddenDiscussionItem {
  kind: 'thread' | 'comment';
  id: string;
  threadId: string;
  threadTitle: string;
  groupKey: string;
  groupName: LocalizedText;
  author: string;
  /** The start of the text as written (Markdown source): enough to recognise it. */
  excerpt: string;
  hiddenAt: Date;
  /** Who hid it; null once their member row is gone. */
  hiddenBy: string | null;
}

const EXCERPT_LENGTH = 200;

interface HiddenRow {
  kind: 'thread' | 'comment';
  id: string;
  thread_id: string;
  thread_title: string;
  group_key: string;
  group_name: LocalizedText;
  author: string | null;
  body: string;
  hidden_at: Date | string;
  hidden_by: string | null;
}

/**
 * Hidden discussion content of the whole community, newest first, for the tenant admins'
 * moderation queue: what the group moderators took out of view, so that it can be reviewed
 * (and shown again on its page). Deleted content is not listed.
 */
@Injectable()
export class HiddenDiscussions {
  constructor(private readonly scope: TenantScope) {}

  async inTenant(actor: Actor, limit: number): Promise<{ items: HiddenDiscussionItem[]; more: boolean }> {
    if (actor.membership?.role !== 'tenant_admin') {
      throw ProblemException.forbidden('Only the community admins see the moderation queue.');
    }
    const name = (alias: string) => `nullif(trim(${alias}.given_name || ' ' || ${alias}.family_name), '')`;
    const rows = await this.scope.read((em) =>
      em.execute<HiddenRow[]>(
        `select * from (
           select 'thread' as kind, t.id, t.id as thread_id, t.title as thread_title, g.key as group_key,
                  g.name as group_name, ${name('a')} as author, t.body, t.hidden_at, ${name('h')} as hidden_by
             from discussion_threads t
             join groups g on g.id = t.group_id
             left join members a on a.id = t.author_id
             left join members h on h.id = t.hidden_by_member_id
            where t.hidden_at is not null and t.deleted_at is null
           union all
           select 'comment', c.id, t.id, t.title, g.key, g.name, ${name('a')}, c.body, c.hidden_at, ${name('h')}
             from discussion_comments c
             join discussion_threads t on t.id = c.thread_id
             join groups g on g.id = t.group_id
             left join members a on a.id = c.author_id
             left join members h on h.id = c.hidden_by_member_id
            where c.hidden_at is not null and c.deleted_at is null and t.deleted_at is null
         ) hidden
         order by hidden_at desc, id desc
         limit ?`,
        [limit + 1],
      ),
    );
    return {
      items: rows.slice(0, limit).map((row) => ({
        kind: row.kind,
        id: row.id,
        threadId: row.thread_id,
        threadTitle: row.thread_title,
        groupKey: row.group_key,
        groupName: row.group_name,
        author: row.author ?? '',
        excerpt: excerpt(row.body),
        hiddenAt: new Date(row.hidden_at),
        hiddenBy: row.hidden_by,
      })),
      more: rows.length > limit,
    };
  }
}

/** The text on one line, cut at a character (never inside an emoji's surrogate pair). */
function excerpt(body: string): string {
  const characters = Array.from(body.replace(/\s+/g, ' ').trim());
  return characters.length > EXCERPT_LENGTH
    ? `${characters.slice(0, EXCERPT_LENGTH - 1).join('')}…`
    : characters.join('');
}
