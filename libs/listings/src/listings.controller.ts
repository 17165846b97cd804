import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentActor, Public, SignedIn, type Actor } from '@allmende/auth';
import { apiSchema, GroupAccess, pageQuery, withEtag, type Page } from '@allmende/content';
import { APP_CONFIG, ZodValidationPipe, type AppConfig } from '@allmende/core';
import { download, FilesService, fileView, MemberNames, uploadBody, type FileView } from '@allmende/files';
import {
  createListingBody,
  listingListQuery,
  listingPage,
  listingView,
  messageBody,
  messagePage,
  messageView,
  updateListingBody,
  type CreateListingBody,
  type ListingListQuery,
  type ListingView,
  type MessageBody,
  type MessageView,
  type UpdateListingBody,
} from './listing.dto';
import { ListingsService } from './listings.service';

const listingId = new ZodValidationPipe(z.uuid());

/** The listings of one group. Reads are public routes (GroupAccess decides); writes need sign-in. */
@ApiTags('listings')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/groups/:group/listings')
export class GroupListingsController {
  constructor(
    private readonly access: GroupAccess,
    private readonly listings: ListingsService,
    private readonly files: FilesService,
    private readonly names: MemberNames,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Listings of the group, newest first (filter kind, status; default open)' })
  @ApiOkResponse({ schema: apiSchema(listingPage) })
  async list(
    @Param('group') group: string,
    @Query(new ZodValidationPipe(listingListQuery)) query: ListingListQuery,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Page<ListingView> | undefined> {
    const page = await this.listings.list(await this.access.require(actor, group, 'listings'), query);
    // A feed clients poll: 304 when nothing changed.
    return withEtag(request, response, page);
  }

  @SignedIn()
  @Post()
  @ApiOperation({ summary: 'Create a listing (members of the group)' })
  @ApiBody({ schema: apiSchema(createListingBody) })
  @ApiCreatedResponse({ schema: apiSchema(listingView) })
  async create(
    @Param('group') group: string,
    @Body(new ZodValidationPipe(createListingBody)) body: CreateListingBody,
    @CurrentActor() actor: Actor,
  ): Promise<ListingView> {
    const access = await this.access.requireWrite(actor, group, 'listings');
    return this.one(await this.listings.create(actor, access, body));
  }

  @SignedIn()
  @Post('photos')
  @ApiOperation({
    summary: 'Upload a photo for a listing (multipart/form-data, field "file"; images only)',
    description:
      'Stored in the file store of the group; pass its id as photoFileId. 413, 415, 507 as for files.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: apiSchema(uploadBody) })
  @ApiCreatedResponse({ schema: apiSchema(fileView) })
  async uploadPhoto(
    @Param('group') group: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
  ): Promise<FileView> {
    const access = await this.access.requireWrite(actor, group, 'listings');
    const file = await this.files.upload(request, {
      group: access.group,
      uploaderMemberId: actor.membership!.memberId,
      allowedTypes: this.config.FILES_ALLOWED_TYPES.filter((type) => type.startsWith('image/')),
    });
    return (await this.names.views([file]))[0]!;
  }

  @Public()
  @Get(':listing')
  @ApiOperation({ summary: 'One listing' })
  @ApiOkResponse({ schema: apiSchema(listingView) })
  async get(
    @Param('group') group: string,
    @Param('listing', listingId) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<ListingView> {
    return this.one(await this.listings.get(await this.access.require(actor, group, 'listings'), id));
  }

  @Public()
  @Get(':listing/photo')
  @ApiOperation({ summary: "The listing's photo (as an attachment, with its sniffed type)" })
  @ApiProduces('image/*')
  @ApiOkResponse({ schema: apiSchema(z.string().describe('the bytes of the photo')) })
  async photo(
    @Param('group') group: string,
    @Param('listing', listingId) id: string,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamableFile> {
    const file = await this.listings.photoOf(await this.access.require(actor, group, 'listings'), id);
    return download(response, file, await this.files.open(file));
  }

  @SignedIn()
  @Patch(':listing')
  @ApiOperation({ summary: 'Change a listing (its author, or the group admins: audited)' })
  @ApiBody({ schema: apiSchema(updateListingBody) })
  @ApiOkResponse({ schema: apiSchema(listingView) })
  async update(
    @Param('group') group: string,
    @Param('listing', listingId) id: string,
    @Body(new ZodValidationPipe(updateListingBody)) body: UpdateListingBody,
    @CurrentActor() actor: Actor,
  ): Promise<ListingView> {
    const access = await this.access.requireWrite(actor, group, 'listings');
    return this.one(await this.listings.update(actor, access, id, body));
  }

  @SignedIn()
  @Post(':listing/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark an open listing resolved (its author, or the group admins: audited)' })
  @ApiOkResponse({ schema: apiSchema(listingView) })
  async resolve(
    @Param('group') group: string,
    @Param('listing', listingId) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<ListingView> {
    const access = await this.access.requireWrite(actor, group, 'listings');
    return this.one(await this.listings.resolve(actor, access, id));
  }

  @SignedIn()
  @Post(':listing/renew')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Extend a listing by the group’s expiry days from now; archived ones open again (author)',
  })
  @ApiOkResponse({ schema: apiSchema(listingView) })
  async renew(
    @Param('group') group: string,
    @Param('listing', listingId) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<ListingView> {
    const access = await this.access.requireWrite(actor, group, 'listings');
    return this.one(await this.listings.renew(actor, access, id));
  }

  @SignedIn()
  @Delete(':listing')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a listing (its author, or the group admins: audited)' })
  @ApiNoContentResponse({ description: 'Deleted, with its messages' })
  async delete(
    @Param('group') group: string,
    @Param('listing', listingId) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.listings.delete(actor, await this.access.requireWrite(actor, group, 'listings'), id);
  }

  @SignedIn()
  @Post(':listing/messages')
  @ApiOperation({
    summary: 'Write to the author of an open listing (members of the community who may read the group)',
  })
  @ApiBody({ schema: apiSchema(messageBody) })
  @ApiCreatedResponse({ schema: apiSchema(messageView) })
  async sendMessage(
    @Param('group') group: string,
    @Param('listing', listingId) id: string,
    @Body(new ZodValidationPipe(messageBody)) body: MessageBody,
    @CurrentActor() actor: Actor,
  ): Promise<MessageView> {
    const access = await this.access.require(actor, group, 'listings');
    return this.listings.sendMessage(actor, access, id, body);
  }

  @SignedIn()
  @Get(':listing/messages')
  @ApiOperation({ summary: 'Messages to the author, oldest first (the author and the group admins)' })
  @ApiOkResponse({ schema: apiSchema(messagePage) })
  async messages(
    @Param('group') group: string,
    @Param('listing', listingId) id: string,
    @Query(new ZodValidationPipe(pageQuery)) query: z.infer<typeof pageQuery>,
    @CurrentActor() actor: Actor,
  ): Promise<Page<MessageView>> {
    return this.listings.messages(actor, await this.access.require(actor, group, 'listings'), id, query);
  }

  private async one(listing: Parameters<ListingsService['views']>[0][number]): Promise<ListingView> {
    return (await this.listings.views([listing]))[0]!;
  }
}
