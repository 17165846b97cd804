import { Injectable } from '@nestjs/common';
import type { Actor } from '@allmende/auth';
import { GroupAccess, decodeCursor, toPage, type Page } from '@allmende/content';
import { TenantScope } from '@allmende/db';

export type SearchHitKind = 'news' | 'listing' | 'thread';

export interface SearchHit {
  kind: SearchHitKind;
  id: string;
  group: string;
  title: string;
  /** The start of the text, plain (no markup). */
  excerpt: string;
  createdAt: string;
  rank: number;
}

interface HitRow {
  kind: SearchHitKind;
  id: string;
  group_key: string;
  title: string;
  text: string;
  created_at: Date;
  rank: number;
}

const EXCERPT_LENGTH = 200;

/**
 * Tenant search over news posts, listings and discussion threads that the caller may see,
 * with PostgreSQL full-text search in its German configuration (stemming: "Baustellen" finds
 * "Baustelle"; `websearch_to_tsquery` syntax: words, "phrases", -not). Titles weigh more than
 * texts. Ranked, then newest first, with a keyset cursor over (rank, created, id).
 *
 * The text vectors are computed per search from the tenant's rows (row-level security and
 * the group filter narrow them first); see docs/modules/search.md for when to add indexes.
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly scope: TenantScope,
    private readonly access: GroupAccess,
  ) {}

  async search(actor: Actor, query: string, limit: number, cursor?: string): Promise<Page<SearchHit>> {
    const [news, listings, discussions] = [
      await this.access.readableGroupIds(actor, 'news'),
      await this.access.readableGroupIds(actor, 'listings'),
      await this.access.readableGroupIds(actor, 'discussions'),
    ];
    const after = cursor ? (decodeCursor(cursor, 3) as [number, string, string]) : null;
    const vector = (title: string, text: string) =>
      `setweight(to_tsvector('german', ${title}), 'A') || setweight(to_tsvector('german', coalesce(${text}, '')), 'B')`;
    const rows = await this.scope.em().execute<HitRow[]>(
      `with q as (select websearch_to_tsquery('german', ?) as query),
       hits as (
         select 'news' as kind, p.id, g.key as group_key, p.title, p.body as text, p.created_at,
                ts_rank(${vector('p.title', 'p.body')}, q.query) as rank
           from news_posts p join groups g on g.id = p.group_id, q
          where p.group_id = any(?::uuid[]) and p.publish_at <= now()
            and (p.expires_at is null or p.expires_at > now())
            and ${vector('p.title', 'p.body')} @@ q.query
         union all
         select 'listing', l.id, g.key, l.title, l.description, l.created_at,
                ts_rank(${vector('l.title', 'l.description')}, q.query)
           from listings l join groups g on g.id = l.group_id, q
          where l.group_id = any(?::uuid[]) and l.status <> 'archived'
            and ${vector('l.title', 'l.description')} @@ q.query
         union all
         select 'thread', t.id, g.key, t.title, t.body, t.created_at,
                ts_rank(${vector('t.title', 't.body')}, q.query)
           from discussion_threads t join groups g on g.id = t.group_id, q
          where t.group_id = any(?::uuid[]) and t.hidden_at is null and t.deleted_at is null
            and ${vector('t.title', 't.body')} @@ q.query
       )
       select * from hits
        where ?::boolean or (rank::float4, created_at, id) < (?::float4, ?::timestamptz, ?::uuid)
        order by rank::float4 desc, created_at desc, id desc
        limit ?`,
      [
        query,
        pgArray(news),
        pgArray(listings),
        pgArray(discussions),
        after === null,
        after?.[0] ?? 0,
        after?.[1] ?? new Date(0).toISOString(),
        after?.[2] ?? '00000000-0000-0000-0000-000000000000',
        limit + 1,
      ],
    );
    return toPage(
      rows,
      limit,
      (row) => ({
        kind: row.kind,
        id: row.id,
        group: row.group_key,
        title: row.title,
        excerpt: excerpt(row.text),
        createdAt: new Date(row.created_at).toISOString(),
        rank: Number(row.rank),
      }),
      (row) => [Number(row.rank), new Date(row.created_at).toISOString(), row.id],
    );
  }
}

/** A uuid[] literal (ids only: no quoting needed beyond the braces). */
function pgArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`;
}

/** Plain text from Markdown, cut at a word. */
function excerpt(markdown: string | null): string {
  const plain = (markdown ?? '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`>#~|-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (plain.length <= EXCERPT_LENGTH) return plain;
  const cut = plain.lastIndexOf(' ', EXCERPT_LENGTH);
  return `${plain.slice(0, cut > 0 ? cut : EXCERPT_LENGTH)} …`;
}
