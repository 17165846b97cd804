import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, isMultipart, Public, SignedIn, type Actor } from '@allmende/auth';
import { GroupAccess, type GroupAccessContext } from '@allmende/content';
import { APP_CONFIG, ProblemException, type AppConfig } from '@allmende/core';
import { FilesService, type StoredFile } from '@allmende/files';
import {
  createListingBody,
  LISTING_STATUSES,
  listingListQuery,
  ListingsService,
  messageBody,
  type ListingView,
  type MessageView,
} from '@allmende/listings';
import { idParam } from '@allmende/volunteering';
import { groupHeading, groupTabs } from './portal-group-tabs';
import { PortalView, type PortalContext } from './portal-view';
import {
  type FieldInfo,
  type FormBody,
  formState,
  formText,
  isValidationProblem,
  parseForm,
} from './portal-forms';

const LISTING_PAGE_SIZE = 20;
const MESSAGE_PAGE_SIZE = 50;
/** The text fields of the listing form (multipart: next to the photo). */
const FORM_FIELDS = ['kind', 'title', 'description', 'place', 'date'] as const;

/** A field of the listing form: `portal.listings.field<Name>` labels it, `….errors.<name>` refuses it. */
const field = (id: string, name: string): FieldInfo => ({
  id,
  labelKey: `portal.listings.field${name[0]!.toUpperCase()}${name.slice(1)}`,
  errorKey: `portal.listings.errors.${name}`,
});

/** The listing form's fields, by the path the schema (or the photo's refusal) reports them under. */
const FIELDS: Record<string, FieldInfo> = {
  kind: field('listing-kind', 'kind'),
  title: field('listing-title', 'title'),
  description: field('listing-description', 'description'),
  place: field('listing-place', 'place'),
  date: field('listing-date', 'date'),
  photo: field('listing-photo-file', 'photo'),
};
/** The contact form's one field. */
const MESSAGE_FIELDS: Record<string, FieldInfo> = {
  text: {
    id: 'message-text',
    labelKey: 'portal.listings.fieldMessage',
    errorKey: 'portal.listings.errors.message',
  },
};

/** A message the service refused: what was typed, and why. */
interface MessageDraft {
  text: string;
  errors: { path: string; message: string }[];
}

/** Refusals of the photo that the form explains (catalogue `portal.listings.photoRefused.<status>`). */
const PHOTO_REFUSALS = new Set([400, 413, 415, 507]);
/** Photo types a browser shows in `<img>` without running anything. */
const INLINE_IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif']);

/** What a member typed into the listing form, kept when the draft is refused. */
interface DraftValues {
  kind: string;
  title: string;
  description: string;
  place: string;
  date: string;
}

interface Draft {
  values: DraftValues;
  errors: { path: string; message: string }[];
  /** The page's status: 400, or the photo's refusal (413, 415, 507). */
  status?: number;
  /** Why the photo was refused (catalogue key), or that it must be chosen again. */
  photoKey?: string;
}

/**
 * "Gesucht – Gefunden" in the portal: the board (filtered by kind and status), a listing's
 * page with its photo, the form for a new listing, "resolved" for its author and the group
 * admins, and a message form to the author. Every read and write goes through
 * ListingsService with GroupAccess, as the REST API does.
 */
@ApiExcludeController()
@Controller('t/:tenant/g/:group/listings')
export class PortalListingsController {
  constructor(
    private readonly view: PortalView,
    private readonly listings: ListingsService,
    private readonly files: FilesService,
    private readonly access: GroupAccess,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  async board(
    @Param('group') group: string,
    @Query() query: Record<string, unknown>,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.renderBoard(await this.view.context(request, response, actor), group, query, response);
  }

  /**
   * The form is multipart (fields, then the optional photo; the CSRF token in the action's
   * query). The photo is stored through FilesService as `POST …/listings/photos` does (images
   * only, size limit, quota), then the listing references it. A refused draft or photo shows
   * the form again, and a photo stored for a refused draft is removed again.
   */
  @SignedIn()
  @Post()
  async create(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Body() body: FormBody | undefined,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const access = await this.access.requireWrite(actor, group, 'listings');
    const fields: Record<string, string> = {};
    let photo: StoredFile | null = null;
    const values = (): DraftValues => ({
      kind: formText(fields.kind),
      title: formText(fields.title),
      description: formText(fields.description),
      place: formText(fields.place),
      date: formText(fields.date),
    });
    const showAgain = async (draft: Omit<Draft, 'values'>) => {
      const context = await this.view.context(request, response, actor);
      return this.renderBoard(context, group, {}, response, { values: values(), ...draft });
    };
    if (isMultipart(request)) {
      try {
        photo = await this.files.uploadForm(request, {
          group: access.group,
          uploaderMemberId: actor.membership!.memberId,
          allowedTypes: this.config.FILES_ALLOWED_TYPES.filter((type) => type.startsWith('image/')),
          fileField: 'photo',
          fields: FORM_FIELDS,
          onField: (name, value) => (fields[name] = value),
        });
      } catch (error) {
        // Too big, not an image, storage full, a malformed form: the form again, nothing stored.
        if (!(error instanceof ProblemException) || !PHOTO_REFUSALS.has(error.problem.status)) throw error;
        const status = error.problem.status;
        return showAgain({
          errors: [{ path: 'photo', message: error.problem.detail ?? error.problem.title }],
          status,
          photoKey: `portal.listings.photoRefused.${status}`,
        });
      }
    } else {
      for (const name of FORM_FIELDS) fields[name] = formText(body?.[name]);
    }
    let created;
    try {
      created = await this.listings.create(
        actor,
        access,
        parseForm(createListingBody, { ...values(), photoFileId: photo?.id }),
      );
    } catch (error) {
      // The listing was not created: its photo goes again.
      if (photo) await this.files.delete(actor, access, photo.id);
      // A refused draft: the board again with the form, what was typed and what is wrong (400).
      if (!isValidationProblem(error)) throw error;
      return showAgain({
        errors: error.problem.errors ?? [],
        photoKey: photo ? 'portal.listings.photoAgain' : undefined,
      });
    }
    response.redirect(303, listingPath(tenant, access.group.key, created.id));
  }

  @Public()
  @Get(':listing')
  async listing(
    @Param('group') group: string,
    @Param('listing') id: string,
    @Query('sent') sent: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    requireId(id);
    const context = await this.view.context(request, response, actor);
    const access = await this.access.require(actor, group, 'listings');
    await this.renderListing(context, access, id, response, { sent: sent === '1' });
  }

  /** The photo for `<img>` in the portal: through the session, so members-only groups work too. */
  @Public()
  @Get(':listing/photo')
  async photo(
    @Param('group') group: string,
    @Param('listing') id: string,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    requireId(id);
    const file = await this.listings.photoOf(await this.access.require(actor, group, 'listings'), id);
    // Anything but a plain raster image (e.g. SVG) is not shown here; the REST route serves it.
    if (!INLINE_IMAGE_TYPES.has(file.mediaType)) throw ProblemException.notFound('No photo to show.');
    const stream = await this.files.open(file);
    // Shown inline in the page's <img>; the bytes' type was sniffed on upload.
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Cache-Control', 'private, no-store');
    response.setHeader('Content-Type', file.mediaType);
    response.setHeader('Content-Length', String(file.size));
    stream.pipe(response);
  }

  @SignedIn()
  @Post(':listing/resolve')
  async resolve(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('listing') id: string,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    requireId(id);
    const access = await this.access.requireWrite(actor, group, 'listings');
    const listing = await this.listings.resolve(actor, access, id);
    response.redirect(303, listingPath(tenant, access.group.key, listing.id));
  }

  @SignedIn()
  @Post(':listing/messages')
  async message(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('listing') id: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    requireId(id);
    const access = await this.access.require(actor, group, 'listings');
    const text = formText(body.text);
    try {
      await this.listings.sendMessage(actor, access, id, parseForm(messageBody, { text }));
    } catch (error) {
      // A refused message: the listing again with what was typed and what is wrong (400).
      if (!isValidationProblem(error)) throw error;
      const context = await this.view.context(request, response, actor);
      return this.renderListing(context, access, id, response, {
        draft: { text, errors: error.problem.errors ?? [] },
      });
    }
    response.redirect(303, `${listingPath(tenant, access.group.key, id)}?sent=1#contact`);
  }

  /** A listing's page: the listing, "resolved", the contact form (with a refused draft) and, for its author, the messages. */
  private async renderListing(
    context: PortalContext,
    access: GroupAccessContext,
    id: string,
    response: Response,
    state: { sent?: boolean; draft?: MessageDraft },
  ): Promise<void> {
    const { actor } = context;
    const listing = await this.listings.get(access, id);
    const [view] = await this.listings.views([listing]);
    const base = `${context.community.href}/g/${access.group.key}/listings`;
    const memberId = actor.membership?.memberId;
    const own = !!memberId && view!.author?.memberId === memberId;
    const open = view!.status === 'open';
    const messages: MessageView[] =
      own || access.canModerate
        ? (await this.listings.messages(actor, access, id, { limit: MESSAGE_PAGE_SIZE })).items
        : [];
    const visible = context.groups.find((candidate) => candidate.id === access.group.id)!;
    const messageAction = open && !!memberId && !own ? `${base}/${id}/messages` : undefined;
    this.view.send(
      response,
      context,
      'listings-listing',
      {
        listing: listingItem(view!, base),
        resolveAction: open && (own || access.canModerate) ? `${base}/${id}/resolve` : undefined,
        messageAction,
        messageForm: messageAction
          ? { text: state.draft?.text ?? '', ...formState(MESSAGE_FIELDS, state.draft?.errors) }
          : undefined,
        showMessages: own || access.canModerate,
        messages: messages.map((message) => ({ ...message, senderName: personName(message.sender) })),
        sent: state.sent ?? false,
        signInHint: open && !actor.person,
        listHref: base,
        tabs: groupTabs(context, visible, 'listings'),
        groupName: groupHeading(context, visible),
      },
      { titleKey: 'portal.module.listings', currentGroup: access.group.key, status: state.draft ? 400 : 200 },
    );
  }

  private async renderBoard(
    context: PortalContext,
    group: string,
    raw: Record<string, unknown>,
    response: Response,
    draft?: Draft,
  ): Promise<void> {
    const access = await this.access.require(context.actor, group, 'listings');
    const query = listingListQuery.safeParse({
      limit: LISTING_PAGE_SIZE,
      kind: nonEmpty(raw.kind),
      status: nonEmpty(raw.status),
      cursor: nonEmpty(raw.cursor),
    });
    if (!query.success) {
      throw ProblemException.validation(
        query.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      );
    }
    const page = await this.listings.list(access, query.data);
    const visible = context.groups.find((candidate) => candidate.id === access.group.id)!;
    const base = `${context.community.href}/g/${access.group.key}/listings`;
    const kinds = this.listings.settings(access).kinds;
    const filter = new URLSearchParams();
    if (query.data.kind) filter.set('kind', query.data.kind);
    filter.set('status', query.data.status);
    this.view.send(
      response,
      context,
      'listings-board',
      {
        listings: page.items.map((listing) => listingItem(listing, base)),
        olderHref: page.nextCursor
          ? `${base}?${filter.toString()}&cursor=${encodeURIComponent(page.nextCursor)}`
          : undefined,
        action: base,
        kinds: kinds.map((kind) => ({
          key: kind,
          labelKey: `portal.listings.kind.${kind}`,
          selected: kind === query.data.kind,
        })),
        statuses: LISTING_STATUSES.map((status) => ({
          key: status,
          labelKey: `portal.listings.status.${status}`,
          selected: status === query.data.status,
        })),
        form: access.canWrite ? createForm(access, kinds, draft) : undefined,
        // Multipart: the token goes in the action's query (CsrfMiddleware reads it there only for uploads).
        createAction: `${base}?_csrf=${encodeURIComponent(context.csrfToken)}`,
        maxMb: Math.floor(this.files.maxBytes / (1024 * 1024)),
        tabs: groupTabs(context, visible, 'listings'),
        groupName: groupHeading(context, visible),
      },
      {
        titleKey: 'portal.module.listings',
        currentGroup: access.group.key,
        status: draft ? (draft.status ?? 400) : 200,
      },
    );
  }
}

/** A listing as the board and its page show it. */
function listingItem(listing: ListingView, base: string) {
  const href = `${base}/${listing.id}`;
  return {
    ...listing,
    href,
    kindKey: `portal.listings.kind.${listing.kind}`,
    statusKey: `portal.listings.status.${listing.status}`,
    photoHref: listing.photo ? `${href}/photo` : undefined,
    authorName: personName(listing.author),
  };
}

function createForm(access: GroupAccessContext, kinds: readonly string[], draft?: Draft) {
  return {
    values: draft?.values,
    ...formState(FIELDS, draft?.errors),
    photoKey: draft?.photoKey,
    kinds: kinds.map((kind) => ({
      key: kind,
      labelKey: `portal.listings.kind.${kind}`,
      selected: kind === draft?.values.kind,
    })),
    group: access.group.key,
  };
}

function personName(person: { givenName: string; familyName: string } | null | undefined): string {
  return person ? `${person.givenName} ${person.familyName}`.trim() : '';
}

function listingPath(tenant: string, group: string, id: string): string {
  return `/t/${encodeURIComponent(tenant)}/g/${encodeURIComponent(group)}/listings/${id}`;
}

function requireId(id: string): void {
  if (!idParam.safeParse(id).success) throw ProblemException.notFound('No such listing.');
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 500 ? value : undefined;
}
