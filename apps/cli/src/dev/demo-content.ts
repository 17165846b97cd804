import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import { DiscussionThreadSchema } from '@allmende/discussions';
import { GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { ListingSchema } from '@allmende/listings';
import { MemberSchema } from '@allmende/members';
import { NewsCommentSchema, NewsPostSchema } from '@allmende/news';
import { TenantSchema } from '@allmende/tenants';

const DAY = 24 * 60 * 60 * 1000;

/** A village's week: what the demo community's groups hold when `npm start` opens it. */
const NEWS = [
  {
    group: 'neuigkeiten',
    category: 'baustellen',
    urgency: 'urgent' as const,
    pinned: false,
    author: 'sabine.kraemer@example.org',
    title: 'Vollsperrung der Hauptstraße ab Montag',
    body:
      'Wegen der Erneuerung der Wasserleitung ist die **Hauptstraße zwischen Kirchplatz und Bahnhof** ' +
      'ab Montag, 7 Uhr, voll gesperrt. Die Umleitung führt über die Bergstraße. Die Buslinie 460 ' +
      'hält während der Bauzeit an der Ersatzhaltestelle am Sportplatz.',
  },
  {
    group: 'neuigkeiten',
    category: 'veranstaltungen',
    urgency: 'normal' as const,
    pinned: true,
    author: 'sabine.kraemer@example.org',
    title: 'Dorffest am Samstag, 13. Juni',
    body:
      'Die Ortsgemeinde lädt herzlich zum Dorffest auf dem Kirchplatz ein: ab 14 Uhr Kaffee und ' +
      'Kuchen, ab 18 Uhr Musik. Helferinnen und Helfer können sich unter *Mach mit!* eintragen.',
  },
  {
    group: 'neuigkeiten',
    category: 'versorgung',
    urgency: 'important' as const,
    pinned: false,
    author: 'sabine.kraemer@example.org',
    title: 'Stromabschaltung in der Lindenstraße',
    body: 'Am Donnerstag zwischen 9 und 12 Uhr ist in der Lindenstraße der Strom abgeschaltet (Arbeiten der Energieversorgung).',
  },
];

/** Residents' questions under the posts (by post title). */
const COMMENTS = [
  {
    post: 'Vollsperrung der Hauptstraße ab Montag',
    author: 'anna.schmitt@example.org',
    body: 'Kommt man zu Fuß noch zur Apotheke am Kirchplatz durch?',
  },
  {
    post: 'Vollsperrung der Hauptstraße ab Montag',
    author: 'sabine.kraemer@example.org',
    body: 'Ja, der Gehweg auf der Seite der Apotheke bleibt die ganze Zeit offen.',
  },
];

const LISTINGS = [
  {
    group: 'gesucht-gefunden',
    kind: 'missing_pet' as const,
    author: 'anna.schmitt@example.org',
    title: 'Kater Felix vermisst',
    description:
      'Unser Kater Felix (rot getigert, weißes Lätzchen, sehr zutraulich) ist seit Dienstagabend ' +
      'nicht nach Hause gekommen. Bitte schauen Sie in Garagen und Gartenhäuser. Danke!',
    place: 'Ransbach, Rheinstraße',
  },
  {
    group: 'gesucht-gefunden',
    kind: 'found' as const,
    author: 'mehmet.yilmaz@example.org',
    title: 'Schlüsselbund am Sportplatz gefunden',
    description: 'Drei Schlüssel mit einem blauen Anhänger des TuS. Abzuholen im Bürgerbüro.',
    place: 'Sportplatz Baumbach',
  },
];

const THREADS = [
  {
    group: 'vereine',
    author: 'klaus.weber@example.org',
    title: 'Wer leiht uns Biertischgarnituren fürs Dorffest?',
    body: 'Uns fehlen noch vier Garnituren. Wer hat welche im Vereinsheim stehen? Abholen können wir am Freitagabend.',
  },
];

/**
 * Sample content of the demo community (idempotent: what is there by title stays). Only
 * for `npm start`; a real community starts empty.
 */
export async function seedDemoContent(orm: MikroORM, tenantSlug: string): Promise<void> {
  const tenant = await orm.em.fork().findOneOrFail(TenantSchema, { slug: tenantSlug });
  await new TenantScope(orm).run(tenant.id, async (em) => {
    for (const post of NEWS) {
      const group = await groupOrFail(em, post.group);
      const author = await em.findOne(MemberSchema, { email: post.author });
      // Without the demo people (a real identity provider), no demo content.
      if (!author || (await em.findOne(NewsPostSchema, { group, title: post.title }))) continue;
      em.create(NewsPostSchema, {
        group,
        author,
        categoryKey: post.category,
        title: post.title,
        body: post.body,
        urgency: post.urgency,
        pinned: post.pinned,
        publishAt: new Date(Date.now() - DAY),
      });
    }
    // The posts above must exist before they get comments.
    await em.flush();
    for (const comment of COMMENTS) {
      const post = await em.findOne(NewsPostSchema, { title: comment.post });
      const author = await em.findOne(MemberSchema, { email: comment.author });
      if (!post || !author || (await em.findOne(NewsCommentSchema, { post, body: comment.body }))) continue;
      em.create(NewsCommentSchema, { post, author, body: comment.body });
    }
    for (const listing of LISTINGS) {
      const group = await groupOrFail(em, listing.group);
      const author = await em.findOne(MemberSchema, { email: listing.author });
      if (!author || (await em.findOne(ListingSchema, { group, title: listing.title }))) continue;
      const settings = (await em.findOneOrFail(GroupModuleSchema, { group, module: 'listings' }))
        .settings as {
        expiryDays?: number;
      };
      em.create(ListingSchema, {
        group,
        author,
        kind: listing.kind,
        title: listing.title,
        description: listing.description,
        place: listing.place,
        date: new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10),
        expiresAt: new Date(Date.now() + (settings.expiryDays ?? 60) * DAY),
      });
    }
    for (const thread of THREADS) {
      const group = await groupOrFail(em, thread.group);
      const author = await em.findOne(MemberSchema, { email: thread.author });
      if (!author || (await em.findOne(DiscussionThreadSchema, { group, title: thread.title }))) continue;
      em.create(DiscussionThreadSchema, {
        group,
        author,
        title: thread.title,
        body: thread.body,
        lastActivityAt: new Date(),
      });
    }
    await em.flush();
  });
}

async function groupOrFail(em: EntityManager, key: string) {
  const group = await em.findOne(GroupSchema, { key });
  if (!group) throw new Error(`demo content: no group "${key}" (the template changed?)`);
  return group;
}
