import { Injectable } from '@nestjs/common';
import { ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@allmende/auth';
import {
  decodeCursor,
  GroupAccess,
  recordAudit,
  recordOutboxEvent,
  renderMarkdown,
  toPage,
  type GroupAccessContext,
  type Page,
} from '@allmende/content';
import { ProblemException } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { FilesService, MemberNames, type StoredFile } from '@allmende/files';
import type { Group } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import {
  listingsSettings,
  type CreateListingBody,
  type ListingListQuery,
  type ListingView,
  type ListingsSettings,
  type MessageBody,
  type MessageView,
  type TenantListingQuery,
  type UpdateListingBody,
} from './listing.dto';
import { ListingMessageSchema, type ListingMessage } from './listing-message.entity';
import { ListingSchema, type Listing } from './listing.entity';

const DAY_MS = 24 * 60 * 60 * 1000;

function conflict(detail: string): ProblemException {
  return new ProblemException({ type: '/problems/conflict', title: 'Conflict', status: 409, detail });
}

/** Keyset condition "after this [createdAt, id]" for newest-first (`desc`) or oldest-first lists. */
function after(cursor: string | undefined, direction: 'asc' | 'desc'): Record<string, unknown> {
  if (!cursor) return {};
  const [at, id] = decodeCursor(cursor, 2) as [string, string];
  const op = direction === 'desc' ? '$lt' : '$gt';
  return {
    $or: [{ createdAt: { [op]: new Date(at) } }, { createdAt: new Date(at), id: { [op]: id } }],
  };
}

/**
 * "Gesucht – Gefunden": listings of a group, their life (open → resolved; archived when
 * expired, open again when renewed) and messages to their authors. GroupAccess decides who
 * reads and writes; authors change their own listings, moderators any (audited).
 */
@Injectable()
export class ListingsService {
  constructor(
    private readonly scope: TenantScope,
    private readonly access: GroupAccess,
    private readonly files: FilesService,
    private readonly names: MemberNames,
  ) {}

  settings(access: GroupAccessContext): ListingsSettings {
    return listingsSettings.parse(access.module.settings ?? {});
  }

  async list(access: GroupAccessContext, query: ListingListQuery): Promise<Page<ListingView>> {
    const rows = await this.scope.em().find(
      ListingSchema,
      {
        group: access.group,
        status: query.status,
        ...(query.kind ? { kind: query.kind } : {}),
        ...after(query.cursor, 'desc'),
      },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: query.limit + 1, populate: ['group', 'photo'] },
    );
    return this.page(rows, query.limit);
  }

  /** Open listings of every group with listings that the caller may read. */
  async listTenantWide(actor: Actor, query: TenantListingQuery): Promise<Page<ListingView>> {
    const groupIds = await this.access.readableGroupIds(actor, 'listings');
    if (groupIds.length === 0) return { items: [], nextCursor: null };
    const rows = await this.scope.em().find(
      ListingSchema,
      {
        group: { $in: groupIds },
        status: 'open',
        ...(query.kind ? { kind: query.kind } : {}),
        ...after(query.cursor, 'desc'),
      },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: query.limit + 1, populate: ['group', 'photo'] },
    );
    return this.page(rows, query.limit);
  }

  async get(access: GroupAccessContext, id: string): Promise<Listing> {
    const listing = await this.scope
      .em()
      .findOne(ListingSchema, { id, group: access.group }, { populate: ['group', 'photo'] });
    if (!listing) throw ProblemException.notFound('No such listing in this group.');
    return listing;
  }

  async create(actor: Actor, access: GroupAccessContext, body: CreateListingBody): Promise<Listing> {
    const settings = this.settings(access);
    this.checkKind(settings, body.kind);
    const photo = body.photoFileId ? await this.photo(access.group, body.photoFileId) : null;
    const em = this.scope.em();
    const listing = em.create(ListingSchema, {
      group: access.group,
      author: em.getReference(MemberSchema, actor.membership!.memberId),
      kind: body.kind,
      title: body.title,
      description: body.description,
      place: body.place,
      date: body.date,
      photo,
      expiresAt: new Date(Date.now() + settings.expiryDays * DAY_MS),
    });
    recordOutboxEvent(em, 'listings.listing.created', {
      listingId: listing.id,
      groupId: access.group.id,
      authorMemberId: actor.membership!.memberId,
      kind: body.kind,
    });
    await em.flush();
    return listing;
  }

  async update(
    actor: Actor,
    access: GroupAccessContext,
    id: string,
    body: UpdateListingBody,
  ): Promise<Listing> {
    const em = this.scope.em();
    const listing = await this.get(access, id);
    const own = this.requireAuthorOrModerator(actor, access, listing, 'change');
    if (body.kind !== undefined) this.checkKind(this.settings(access), body.kind);
    if (body.photoFileId !== undefined) {
      listing.photo = body.photoFileId ? ref(await this.photo(access.group, body.photoFileId)) : null;
    }
    for (const field of ['kind', 'title', 'description', 'place', 'date'] as const) {
      if (body[field] !== undefined) Object.assign(listing, { [field]: body[field] });
    }
    if (!own) this.audit(em, actor, 'listings.listing.updated', listing, { fields: Object.keys(body) });
    await em.flush();
    return listing;
  }

  async resolve(actor: Actor, access: GroupAccessContext, id: string): Promise<Listing> {
    const em = this.scope.em();
    const listing = await this.get(access, id);
    const own = this.requireAuthorOrModerator(actor, access, listing, 'resolve');
    if (listing.status !== 'open') throw conflict(`This listing is ${listing.status} already.`);
    listing.status = 'resolved';
    listing.resolvedAt = new Date();
    recordOutboxEvent(em, 'listings.listing.resolved', {
      listingId: listing.id,
      groupId: access.group.id,
      authorMemberId: listing.author.id,
    });
    if (!own) this.audit(em, actor, 'listings.listing.resolved', listing);
    await em.flush();
    return listing;
  }

  /** The author extends the listing by the group's expiryDays from now; an archived one is open again. */
  async renew(actor: Actor, access: GroupAccessContext, id: string): Promise<Listing> {
    const listing = await this.get(access, id);
    if (listing.author.id !== actor.membership?.memberId) {
      throw ProblemException.forbidden('Only the author may renew a listing.');
    }
    const now = new Date();
    listing.expiresAt = new Date(now.getTime() + this.settings(access).expiryDays * DAY_MS);
    listing.renewedAt = now;
    if (listing.status === 'archived') listing.status = 'open';
    await this.scope.em().flush();
    return listing;
  }

  async delete(actor: Actor, access: GroupAccessContext, id: string): Promise<void> {
    const em = this.scope.em();
    const listing = await this.get(access, id);
    const own = this.requireAuthorOrModerator(actor, access, listing, 'delete');
    if (!own) this.audit(em, actor, 'listings.listing.deleted', listing, { title: listing.title });
    // Messages go with it (the foreign key cascades).
    em.remove(listing);
    await em.flush();
  }

  /** A signed-in member of the tenant who may read the group writes to the author. */
  async sendMessage(
    actor: Actor,
    access: GroupAccessContext,
    id: string,
    body: MessageBody,
  ): Promise<MessageView> {
    const em = this.scope.em();
    const listing = await this.get(access, id);
    const senderId = actor.membership?.memberId;
    if (!senderId) throw ProblemException.forbidden('Only members of this community may send messages.');
    if (listing.author.id === senderId) throw ProblemException.forbidden('This is your own listing.');
    if (listing.status !== 'open') throw conflict(`This listing is ${listing.status}.`);
    const message = em.create(ListingMessageSchema, {
      listing,
      sender: em.getReference(MemberSchema, senderId),
      text: body.text,
    });
    recordOutboxEvent(em, 'listings.message.sent', {
      messageId: message.id,
      listingId: listing.id,
      groupId: access.group.id,
      senderMemberId: senderId,
      recipientMemberId: listing.author.id,
    });
    await em.flush();
    return this.messageView(message, await this.names.byId([senderId]));
  }

  /** The messages of a listing, oldest first: for its author and the moderators. */
  async messages(
    actor: Actor,
    access: GroupAccessContext,
    id: string,
    page: { limit: number; cursor?: string },
  ): Promise<Page<MessageView>> {
    const listing = await this.get(access, id);
    const own = listing.author.id === actor.membership?.memberId;
    if (!own && !access.canModerate) {
      throw ProblemException.forbidden('Only the author and the group admins read these messages.');
    }
    const rows = await this.scope
      .em()
      .find(
        ListingMessageSchema,
        { listing, ...after(page.cursor, 'asc') },
        { orderBy: { createdAt: 'asc', id: 'asc' }, limit: page.limit + 1 },
      );
    const names = await this.names.byId(rows.map((row) => row.sender.id));
    return toPage(
      rows,
      page.limit,
      (row) => this.messageView(row, names),
      (row) => [row.createdAt.toISOString(), row.id],
    );
  }

  private messageView(
    message: ListingMessage,
    names: Map<string, { givenName: string; familyName: string }>,
  ): MessageView {
    return {
      id: message.id,
      listingId: message.listing.id,
      text: message.text,
      textHtml: renderMarkdown(message.text),
      sender: this.person(message.sender.id, names),
      createdAt: message.createdAt.toISOString(),
    };
  }

  /** The photo of a listing (404 when it has none). */
  async photoOf(access: GroupAccessContext, id: string): Promise<StoredFile> {
    const listing = await this.get(access, id);
    if (!listing.photo) throw ProblemException.notFound('This listing has no photo.');
    return listing.photo.loadOrFail();
  }

  async views(listings: Listing[]): Promise<ListingView[]> {
    const names = await this.names.byId(listings.map((listing) => listing.author.id));
    return listings.map((listing) => {
      const photo = listing.photo?.unwrap();
      return {
        id: listing.id,
        group: { id: listing.group.id, key: listing.group.unwrap().key },
        kind: listing.kind,
        title: listing.title,
        description: listing.description,
        descriptionHtml: renderMarkdown(listing.description),
        place: listing.place,
        date: String(listing.date),
        photo: photo ? { fileId: photo.id, mediaType: photo.mediaType } : null,
        status: listing.status,
        author: this.person(listing.author.id, names),
        createdAt: listing.createdAt.toISOString(),
        updatedAt: listing.updatedAt.toISOString(),
        resolvedAt: listing.resolvedAt?.toISOString() ?? null,
        expiresAt: listing.expiresAt.toISOString(),
        renewedAt: listing.renewedAt?.toISOString() ?? null,
      };
    });
  }

  private async page(rows: Listing[], limit: number): Promise<Page<ListingView>> {
    const shown = await this.views(rows);
    return toPage(
      shown,
      limit,
      (view) => view,
      (view) => [view.createdAt, view.id],
    );
  }

  private person(memberId: string, names: Map<string, { givenName: string; familyName: string }>) {
    const name = names.get(memberId);
    return name ? { memberId, ...name } : null;
  }

  private checkKind(settings: ListingsSettings, kind: string): void {
    if (!(settings.kinds as string[]).includes(kind)) {
      throw ProblemException.validation([
        { path: 'kind', message: `this group takes listings of kind ${settings.kinds.join(', ')}` },
      ]);
    }
  }

  private photo(group: Group, fileId: string): Promise<StoredFile> {
    return this.files.requireImage(group, fileId, 'photoFileId');
  }

  /** True when the caller wrote the listing; moderators may act on others' (false); else 403. */
  private requireAuthorOrModerator(
    actor: Actor,
    access: GroupAccessContext,
    listing: Listing,
    what: string,
  ): boolean {
    if (listing.author.id === actor.membership?.memberId) return true;
    if (access.canModerate) return false;
    throw ProblemException.forbidden(`Only the author or the group admins may ${what} this listing.`);
  }

  private audit(
    em: EntityManager,
    actor: Actor,
    action: string,
    listing: Listing,
    details: Record<string, unknown> = {},
  ): void {
    recordAudit(em, actor, {
      action,
      entityType: 'listing',
      entityId: listing.id,
      details: { groupId: listing.group.id, authorMemberId: listing.author.id, ...details },
    });
  }
}
