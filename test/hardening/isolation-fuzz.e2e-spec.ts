import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from 'pg';
import { TenantScope } from '@allmende/db';
import { BookableResourceSchema } from '@allmende/booking';
import { StoredFileSchema } from '@allmende/files';
import { GroupMemberSchema, GroupModuleSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { connect, openOrm, seedTenant, type SeededTenant } from '../support/fixtures';
import { passwordToken, startApiWithIdentityProvider, type ApiWithIdentity } from '../support/identity';
import { pngImage } from '../support/png';
import { seedBooking } from '../support/seeds/booking';
import { seedDiscussions } from '../support/seeds/discussions';
import { seedEvents } from '../support/seeds/events';
import { seedFiles } from '../support/seeds/files';
import { seedListings } from '../support/seeds/listings';
import { seedNews } from '../support/seeds/news';
import { seedPolls } from '../support/seeds/polls';
import { seedVolunteering } from '../support/seeds/volunteering';
import { testRun } from '../support/test-run';

/**
 * Hardening: every operation of the OpenAPI document, called thousands of times by anonymous
 * callers and by members and admins of two tenants, with path ids of both tenants and bodies
 * generated from the operation's schema (valid-ish and mutated). No answer to another tenant's
 * actor carries a tenant's marker strings or row ids, no write by another tenant's actor
 * changes a tenant's rows (checksums in the database), and no request gets a 5xx.
 */

/** Deterministic PRNG (mulberry32), so a failing run can be repeated exactly. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!,
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof prng>;

const SEED = 20261203;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CONCURRENCY = 8;
/** Variants per operation, actor and tenant path (5 actors × 2 paths × this ≥ 5,000 requests in all). */
const VARIANTS = 5;

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
  nullable?: boolean;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

type TenantKey = 'A' | 'B';
type ActorName = 'anonymous' | 'memberA' | 'adminA' | 'memberB' | 'adminB';
const actorTenant = (actor: ActorName): TenantKey | null =>
  actor === 'anonymous' ? null : actor.endsWith('A') ? 'A' : 'B';

interface TenantFacts {
  seeded: SeededTenant;
  /** In public content (and names): visible to anyone who may read the public group. */
  publicMarker: string;
  /** Only in the private group's content: nobody outside the tenant may see it. */
  secretMarker: string;
  /** Ids of the private group's content (and the group itself). */
  secretIds: Set<string>;
  /** Every id of every tenant-owned row, the tenant's id and slug, both markers. */
  everything: Set<string>;
  /** Ids per tenant-owned table, for path parameters and body fields. */
  idsByTable: Map<string, string[]>;
}

describe('isolation fuzzing over the OpenAPI document', () => {
  let orm: MikroORM;
  let api: ApiWithIdentity;
  let owner: Client;
  let tables: string[];
  const hasIdColumn = new Set<string>();
  const tenants = {} as Record<TenantKey, TenantFacts>;
  const actorEmails: string[] = [];
  const tokens = {} as Record<Exclude<ActorName, 'anonymous'>, string>;

  const tenantTables = async (): Promise<string[]> =>
    (
      await owner.query<{ table_name: string }>(
        `select c.table_name from information_schema.columns c
           join information_schema.tables t using (table_schema, table_name)
          where c.table_schema = 'public' and c.column_name = 'tenant_id' and t.table_type = 'BASE TABLE'
          order by c.table_name`,
      )
    ).rows.map((row) => row.table_name);

  /** Rows of one tenant, per table, as the owner reads them inside that tenant's setting. */
  const inTenant = async <T>(tenantId: string, fn: () => Promise<T>): Promise<T> => {
    await owner.query('begin');
    try {
      await owner.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
      return await fn();
    } finally {
      await owner.query('rollback');
    }
  };
  /**
   * A fingerprint of one tenant's rows: per table, the md5 of each row by its id (tables without
   * an id column: one md5 of all rows).
   */
  const snapshot = (tenantId: string) =>
    inTenant(tenantId, async () => {
      const rows = new Map<string, Map<string, string>>();
      for (const table of tables) {
        const { rows: found } = await owner.query<{ key: string; sum: string }>(
          hasIdColumn.has(table)
            ? `select id::text as key, md5(t::text) as sum from "${table}" t where tenant_id = $1`
            : `select '*' as key, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as sum
                 from "${table}" t where tenant_id = $1`,
          [tenantId],
        );
        rows.set(table, new Map(found.map((row) => [row.key, row.sum])));
      }
      return rows;
    });
  /** Rows only a request to join a group may add to a community the caller is not in. */
  const joinRequestRow = async (table: string, id: string, tenantId: string, outsiders: Set<string>) =>
    inTenant(tenantId, async () => {
      if (table === 'group_join_requests') {
        const { rows } = await owner.query<{ user_id: string }>(
          'select user_id::text from group_join_requests where id = $1',
          [id],
        );
        return outsiders.has(rows[0]?.user_id ?? '');
      }
      if (table === 'outbox_events') {
        const { rows } = await owner.query<{ topic: string }>(
          'select topic from outbox_events where id = $1',
          [id],
        );
        return rows[0]?.topic === 'groups.join.requested';
      }
      return false;
    });
  const idsOf = (tenantId: string) =>
    inTenant(tenantId, async () => {
      const ids = new Map<string, string[]>();
      for (const table of tables) {
        if (!hasIdColumn.has(table)) continue;
        const { rows } = await owner.query<{ id: string }>(
          `select id::text as id from "${table}" order by id`,
        );
        ids.set(
          table,
          rows.map((row) => row.id),
        );
      }
      return ids;
    });

  const seed = async (key: TenantKey): Promise<TenantFacts> => {
    const publicMarker = `pub${key.toLowerCase()}${randomBytes(5).toString('hex')}`;
    const secretMarker = `SECRET${key}${randomBytes(6).toString('hex')}`;
    const seeded = await seedTenant(orm, publicMarker);
    const [admin, member] = seeded.members as [(typeof seeded.members)[0], (typeof seeded.members)[0]];
    const [publicGroup, privateGroup] = seeded.groups as [
      (typeof seeded.groups)[0],
      (typeof seeded.groups)[0],
    ];
    const before = await idsOf(seeded.tenant.id);
    await new TenantScope(orm).run(seeded.tenant.id, async (em) => {
      await em.nativeUpdate(MemberSchema, { id: admin.id }, { role: 'tenant_admin' });
      await em.nativeUpdate(
        GroupModuleSchema,
        { group: publicGroup, module: 'news' },
        {
          settings: {
            categories: [{ key: 'baustellen', name: { de: 'Baustellen' } }],
            urgentAlerts: true,
            comments: true,
          },
        },
      );
      const settings: Record<string, Record<string, unknown>> = {
        news: {
          categories: [{ key: 'baustellen', name: { de: 'Intern' } }],
          urgentAlerts: true,
          comments: true,
        },
        listings: { kinds: ['lost', 'found', 'missing_pet', 'offer', 'request'], expiryDays: 60 },
        discussions: {},
        files: {},
        volunteering: {},
        booking: { publicCalendar: true },
        events: { rsvp: true },
        polls: {},
      };
      for (const [module, value] of Object.entries(settings)) {
        if (module !== 'news')
          em.create(GroupModuleSchema, { group: publicGroup, module, settings: value } as never);
        em.create(GroupModuleSchema, { group: privateGroup, module, settings: value } as never);
      }
      em.create(GroupMemberSchema, { group: publicGroup, member, role: 'member' });
      em.create(GroupMemberSchema, { group: privateGroup, member: admin, role: 'group_admin' });
      em.create(BookableResourceSchema, {
        group: privateGroup,
        key: 'grillhuette',
        name: { de: `Vorstandsraum ${secretMarker}` },
        minHours: 1,
        maxHours: 48,
        leadTimeDays: 0,
        windowDays: 365,
        approvalRequired: true,
      });
      await em.flush();
      // The same module seeds again, in the private group, with the secret marker in every text.
      const context = {
        tenant: seeded.tenant,
        members: seeded.members,
        groups: [privateGroup],
        label: secretMarker,
      };
      for (const moduleSeed of [
        seedNews,
        seedFiles,
        seedListings,
        seedDiscussions,
        seedVolunteering,
        seedBooking,
        seedEvents,
        seedPolls,
      ])
        await moduleSeed(em, context);
      await em.flush();
    });
    // The file seeds make rows only; the API's storage gets the bytes they describe.
    const bytes = pngImage(2, 2, () => [10, 20, 30]);
    await new TenantScope(orm).run(seeded.tenant.id, async (em) => {
      const folder = join(tmpdir(), 'allmende-test-files', seeded.tenant.id);
      await mkdir(folder, { recursive: true });
      for (const file of await em.find(StoredFileSchema, {})) {
        await writeFile(join(folder, file.storageKey), bytes);
        await em.nativeUpdate(
          StoredFileSchema,
          { id: file.id },
          { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
        );
      }
    });
    const after = await idsOf(seeded.tenant.id);
    const secretIds = new Set<string>([privateGroup.id]);
    const everything = new Set<string>([seeded.tenant.id, seeded.tenant.slug, publicMarker, secretMarker]);
    for (const [table, ids] of after) {
      const old = new Set(before.get(table) ?? []);
      // group_modules and the private resource say nothing by their ids; content rows do.
      for (const id of ids) {
        everything.add(id);
        if (!old.has(id) && table !== 'group_modules') secretIds.add(id);
      }
    }
    return { seeded, publicMarker, secretMarker, secretIds, everything, idsByTable: after };
  };

  beforeAll(async () => {
    orm = await openOrm();
    owner = await connect(testRun().ownerUrl);
    tables = await tenantTables();
    const { rows: withId } = await owner.query<{ table_name: string }>(
      `select table_name from information_schema.columns where table_schema = 'public' and column_name = 'id'`,
    );
    for (const row of withId) hasIdColumn.add(row.table_name);
    tenants.A = await seed('A');
    tenants.B = await seed('B');
    const person = (email: string) => ({
      email,
      givenName: 'Fuzz',
      familyName: 'Person',
      emailVerified: true,
    });
    const emails = {
      adminA: tenants.A.seeded.members[0]!.email,
      memberA: tenants.A.seeded.members[1]!.email,
      adminB: tenants.B.seeded.members[0]!.email,
      memberB: tenants.B.seeded.members[1]!.email,
    };
    actorEmails.push(...Object.values(emails));
    api = await startApiWithIdentityProvider(Object.values(emails).map(person));
    for (const [actor, email] of Object.entries(emails))
      tokens[actor as keyof typeof tokens] = await passwordToken(api.idp, email);
  });

  afterAll(async () => {
    await api?.stop();
    await owner?.end();
    await orm?.close(true);
  });

  /** Which ids a path parameter takes, by its name and the segment before it. */
  const TABLE_FOR: Record<string, RegExp> = {
    post: /^news_posts$/,
    posts: /^news_posts$/,
    comment: /comments$/,
    comments: /comments$/,
    thread: /^discussion_threads$/,
    threads: /^discussion_threads$/,
    listing: /^listings$/,
    listings: /^listings$/,
    call: /^volunteer_calls$/,
    calls: /^volunteer_calls$/,
    shift: /^volunteer_shifts$/,
    shifts: /^volunteer_shifts$/,
    item: /^volunteer_items$/,
    items: /^volunteer_items$/,
    resource: /^bookable_resources$/,
    resources: /^bookable_resources$/,
    request: /^(bookings|group_join_requests)$/,
    requests: /^(bookings|group_join_requests)$/,
    event: /^events$/,
    events: /^events$/,
    poll: /^polls$/,
    polls: /^polls$/,
    options: /^poll_options$/,
    file: /^stored_files$/,
    files: /^stored_files$/,
    member: /^members$/,
    members: /^members$/,
    group: /^groups$/,
    groups: /^groups$/,
    token: /^calendar_feed_tokens$/,
    feed: /^calendar_feed_tokens$/,
  };
  const idsFor = (facts: TenantFacts, pattern: RegExp | undefined): string[] => {
    const ids: string[] = [];
    for (const [table, values] of facts.idsByTable) if (!pattern || pattern.test(table)) ids.push(...values);
    return ids;
  };
  const pathValue = (rng: Rng, name: string, before: string, from: TenantFacts, pathTenant: TenantFacts) => {
    if (name === 'tenant') return pathTenant.seeded.tenant.slug;
    if (name === 'group' && rng.chance(0.6)) return rng.pick(['neuigkeiten', 'vorstand']);
    if (name === 'module') return rng.pick(['news', 'listings', 'events', 'booking', 'polls', 'files']);
    if (name === 'action') return rng.pick(['approve', 'decline', 'cancel', 'resolve']);
    const roll = rng.next();
    if (roll < 0.05) return 'not-a-uuid';
    if (roll < 0.1) return '00000000-0000-7000-8000-000000000000';
    const pattern = TABLE_FOR[name] ?? TABLE_FOR[before];
    const ids = idsFor(from, pattern);
    return ids.length ? rng.pick(ids) : rng.pick(idsFor(from, undefined));
  };

  /** A value for a schema: valid-ish, with ids of the tenant `from`. */
  const generate = (
    rng: Rng,
    schema: JsonSchema | undefined,
    components: Record<string, JsonSchema>,
    from: TenantFacts,
    depth = 0,
  ): unknown => {
    if (!schema || depth > 6) return null;
    if (schema.$ref)
      return generate(rng, components[schema.$ref.split('/').at(-1)!], components, from, depth + 1);
    if (schema.const !== undefined) return schema.const;
    if (schema.enum) return rng.pick(schema.enum);
    const variants = schema.oneOf ?? schema.anyOf;
    if (variants?.length) return generate(rng, rng.pick(variants), components, from, depth + 1);
    if (schema.allOf?.length)
      return Object.assign(
        {},
        ...schema.allOf.map((part) => generate(rng, part, components, from, depth + 1) as object),
      );
    const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
    switch (type) {
      case 'object': {
        const value: Record<string, unknown> = {};
        for (const [key, property] of Object.entries(schema.properties ?? {}))
          if (schema.required?.includes(key) || rng.chance(0.5))
            value[key] = generate(rng, property, components, from, depth + 1);
        return value;
      }
      case 'array': {
        const count = Math.max(schema.minItems ?? 0, rng.int(0, 2));
        return Array.from({ length: count }, () => generate(rng, schema.items, components, from, depth + 1));
      }
      case 'integer':
      case 'number': {
        const min = schema.minimum ?? 0;
        const max = schema.maximum ?? min + 100;
        return rng.int(Math.ceil(min), Math.floor(Math.min(max, min + 1000)));
      }
      case 'boolean':
        return rng.chance(0.5);
      case 'string':
        return stringFor(rng, schema, from);
      default:
        return rng.pick(['x', 1, true, null]);
    }
  };
  const stringFor = (rng: Rng, schema: JsonSchema, from: TenantFacts): string => {
    const day = (offset: number) => new Date(Date.UTC(2027, 2, 1) + offset * 86_400_000);
    switch (schema.format) {
      case 'uuid':
        return rng.pick(idsFor(from, undefined));
      case 'date-time': {
        const start = day(rng.int(0, 200));
        start.setUTCHours(rng.int(6, 18));
        return start.toISOString();
      }
      case 'date':
        return day(rng.int(0, 200)).toISOString().slice(0, 10);
      case 'email':
        return `fuzz.${rng.int(0, 9999)}@example.org`;
      case 'uri':
        return 'https://example.org/fuzz';
    }
    const min = schema.minLength ?? 1;
    const max = Math.min(schema.maxLength ?? 40, 40);
    const text = `Fuzz ${rng.int(0, 1e6)} Prüfung`.padEnd(min, 'x');
    return text.slice(0, Math.max(min, max));
  };
  /** A mutated body: wrong types, dropped or extra fields, nulls, ids of the other tenant, huge strings. */
  const mutate = (rng: Rng, body: unknown, other: TenantFacts): unknown => {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return rng.pick([body, [], 'text', 42, null]);
    const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
    const keys = Object.keys(copy);
    switch (rng.int(0, 5)) {
      case 0:
        if (keys.length) delete copy[rng.pick(keys)];
        break;
      case 1:
        for (const key of keys) copy[key] = rng.pick([123, 'x', true, [], {}, null]);
        break;
      case 2:
        copy.tenantId = other.seeded.tenant.id;
        copy.unknownField = 'surplus';
        break;
      case 3:
        for (const key of keys) copy[key] = null;
        break;
      case 4:
        // Id fields get the other tenant's ids (free text keeps its text: a title may hold anything).
        for (const key of keys)
          if (typeof copy[key] === 'string' && UUID.test(copy[key]))
            copy[key] = rng.pick(idsFor(other, undefined));
          else if (
            Array.isArray(copy[key]) &&
            copy[key].every((entry) => typeof entry === 'string' && UUID.test(entry))
          )
            copy[key] = [rng.pick(idsFor(other, undefined))];
        break;
      default:
        for (const key of keys) if (typeof copy[key] === 'string') copy[key] = 'ü'.repeat(5000);
    }
    return copy;
  };

  it('answers no request of another tenant with its data, lets it change nothing, and never fails with 5xx', async () => {
    const document = (await (await fetch(`${api.base}/api/docs-json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
      components?: { schemas?: Record<string, JsonSchema> };
    };
    const components = document.components?.schemas ?? {};
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
    );
    expect(operations.length).toBeGreaterThan(50);
    const rng = prng(SEED);
    const png = pngImage(4, 4, (x, y) => [x * 60, y * 60, 128]);

    interface Planned {
      route: string;
      actor: ActorName;
      pathTenant: TenantKey | null;
      method: string;
      url: string;
      body?: string | FormData;
      contentType?: string;
      /** What the request itself carries (echoing it back is no leak). */
      carried: string;
    }
    const plan = (actors: ActorName[]): Planned[] => {
      const planned: Planned[] = [];
      for (const { method, path, operation } of operations) {
        const tenantPath = path.includes('{tenant}');
        for (const actor of actors)
          for (const pathTenantKey of tenantPath ? (['A', 'B'] as const) : ([null] as const))
            for (let variant = 0; variant < VARIANTS; variant++) {
              const pathTenant = tenants[pathTenantKey ?? 'A'];
              // Ids from either tenant, whatever the path's tenant is.
              const fromKey: TenantKey = rng.chance(0.5) ? 'A' : 'B';
              const from = tenants[fromKey];
              const other = tenants[fromKey === 'A' ? 'B' : 'A'];
              const segments = path.split('/');
              const url = segments
                .map((segment, index) => {
                  const match = /^\{(.+)\}$/.exec(segment);
                  if (!match) return segment;
                  return encodeURIComponent(
                    pathValue(rng, match[1]!, segments[index - 1] ?? '', from, pathTenant),
                  );
                })
                .join('/');
              const query = new URLSearchParams();
              for (const parameter of operation.parameters ?? [])
                if (parameter.in === 'query' && (parameter.required || rng.chance(0.4))) {
                  const value =
                    variant % 3 === 2
                      ? rng.pick(['', 'zzz', '-1', '99999999999', 'not-a-uuid'])
                      : generate(rng, parameter.schema, components, from);
                  query.set(parameter.name, typeof value === 'string' ? value : JSON.stringify(value));
                }
              const fullUrl = `${url}${query.size ? `?${query}` : ''}`;
              const content = operation.requestBody?.content ?? {};
              let body: string | FormData | undefined;
              let contentType: string | undefined;
              if (content['application/json']) {
                const valid = generate(rng, content['application/json'].schema, components, from);
                body = JSON.stringify(variant % 2 === 0 ? valid : mutate(rng, valid, other));
                contentType = 'application/json';
              } else if (content['multipart/form-data']) {
                const form = new FormData();
                const name = variant % 2 === 0 ? 'plan.png' : '../../etc/passwd';
                form.append(
                  'file',
                  new Blob([variant % 3 === 0 ? 'not an image' : png], { type: 'image/png' }),
                  name,
                );
                body = form;
              } else if (method !== 'GET' && method !== 'DELETE' && variant % 2 === 1) {
                body = JSON.stringify({ unexpected: from.seeded.tenant.id });
                contentType = 'application/json';
              }
              planned.push({
                route: `${method} ${path}`,
                actor,
                pathTenant: tenantPath ? pathTenantKey : null,
                method,
                url: fullUrl,
                body,
                contentType,
                carried: `${decodeURIComponent(fullUrl)} ${typeof body === 'string' ? body : ''}`,
              });
            }
      }
      return planned;
    };

    const failures: string[] = [];
    const stats = new Map<string, Map<number, number>>();
    const count = (key: string, status: number) => {
      const entry = stats.get(key) ?? new Map<number, number>();
      entry.set(status, (entry.get(status) ?? 0) + 1);
      stats.set(key, entry);
    };
    /** What the actor must never see in this answer: other tenants' secrets, and on a tenant's path all of any other tenant. */
    const forbiddenFor = (request: Planned): string[] => {
      const own = actorTenant(request.actor);
      const forbidden: string[] = [];
      for (const key of ['A', 'B'] as const) {
        if (key !== own) forbidden.push(tenants[key].secretMarker, ...tenants[key].secretIds);
        if (request.pathTenant && key !== request.pathTenant) forbidden.push(...tenants[key].everything);
      }
      return forbidden.filter((value) => !request.carried.includes(value));
    };
    const send = async (request: Planned) => {
      const headers: Record<string, string> = {};
      if (request.actor !== 'anonymous') headers.authorization = `Bearer ${tokens[request.actor]}`;
      if (request.contentType) headers['content-type'] = request.contentType;
      let status: number;
      let text: string;
      try {
        const response = await fetch(`${api.base}${request.url}`, {
          method: request.method,
          headers,
          body: request.body,
          redirect: 'manual',
        });
        status = response.status;
        text = await response.text();
      } catch (error) {
        failures.push(`${request.actor} ${request.method} ${request.url}: no answer (${String(error)})`);
        return;
      }
      count(`${request.route} [${request.actor}]`, status);
      if (status >= 500)
        failures.push(
          `${status} for ${request.actor} ${request.method} ${request.url} ${request.carried.slice(0, 300)}: ${text.slice(0, 300)}`,
        );
      // A person's own address shows wherever they asked to join; it is theirs, not a tenant's.
      let checked = text;
      for (const email of actorEmails) checked = checked.split(email).join('');
      for (const value of forbiddenFor(request))
        if (checked.includes(value)) {
          const at = checked.indexOf(value);
          failures.push(
            `leak of "${value}" to ${request.actor} by ${request.method} ${request.url}: …${checked.slice(Math.max(0, at - 200), at + 100)}…`,
          );
          break;
        }
    };
    const runAll = async (requests: Planned[]) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < requests.length) await send(requests[next++]!);
        }),
      );
    };

    // Phase 1: outsiders of A (anonymous, B's people) — A's rows must stay exactly as they were.
    const phaseOne = plan(['anonymous', 'memberB', 'adminB']);
    const started = Date.now();
    const aBefore = await snapshot(tenants.A.seeded.tenant.id);
    await runAll(phaseOne);
    const aAfter = await snapshot(tenants.A.seeded.tenant.id);
    // Phase 2: A's people — B's rows must stay exactly as they were.
    const phaseTwo = plan(['memberA', 'adminA']);
    const bBefore = await snapshot(tenants.B.seeded.tenant.id);
    await runAll(phaseTwo);
    const bAfter = await snapshot(tenants.B.seeded.tenant.id);

    const usersOf = async (emails: string[]) =>
      new Set(
        (
          await owner.query<{ id: string }>('select id::text from users where email = any($1)', [emails])
        ).rows.map((row) => row.id),
      );
    const changes = async (
      tenantId: string,
      before: Map<string, Map<string, string>>,
      after: Map<string, Map<string, string>>,
      who: string,
      outsiders: Set<string>,
    ) => {
      const found: string[] = [];
      for (const table of tables) {
        const old = before.get(table)!;
        const now = after.get(table)!;
        for (const [key, sum] of old)
          if (!now.has(key)) found.push(`${who} deleted ${table} ${key}`);
          else if (now.get(key) !== sum) found.push(`${who} changed ${table} ${key}`);
        for (const key of now.keys())
          if (!old.has(key) && !(key !== '*' && (await joinRequestRow(table, key, tenantId, outsiders))))
            found.push(`${who} added ${table} ${key}`);
      }
      return found;
    };
    failures.push(
      ...(await changes(
        tenants.A.seeded.tenant.id,
        aBefore,
        aAfter,
        'outsiders of A',
        await usersOf(tenants.B.seeded.members.map((member) => member.email)),
      )),
      ...(await changes(
        tenants.B.seeded.tenant.id,
        bBefore,
        bAfter,
        'A people in B',
        await usersOf(tenants.A.seeded.members.map((member) => member.email)),
      )),
    );

    const total = phaseOne.length + phaseTwo.length;
    const byStatus = new Map<number, number>();
    const lines = [...stats.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, statuses]) => {
        for (const [status, n] of statuses) byStatus.set(status, (byStatus.get(status) ?? 0) + n);
        return `${key}: ${[...statuses.entries()].map(([status, n]) => `${status}×${n}`).join(' ')}`;
      });
    console.log(
      [
        `isolation fuzz (seed ${SEED}): ${total} requests over ${operations.length} operations, ${tables.length} tenant-owned tables checked, ${Math.round((Date.now() - started) / 1000)} s (concurrency ${CONCURRENCY})`,
        `statuses: ${[...byStatus.entries()]
          .sort(([a], [b]) => a - b)
          .map(([status, n]) => `${status}×${n}`)
          .join(' ')}`,
        // Per operation and actor (550 lines): with FUZZ_VERBOSE=1.
        ...(process.env.FUZZ_VERBOSE ? lines : [`(statuses per operation and actor: FUZZ_VERBOSE=1)`]),
      ].join('\n'),
    );
    expect(total).toBeGreaterThanOrEqual(5000);
    expect(failures.slice(0, 50)).toEqual([]);
  }, 300_000);
});
