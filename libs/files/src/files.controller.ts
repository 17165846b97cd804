import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
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
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiCreatedResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentActor, Public, SignedIn, type Actor } from '@allmende/auth';
import { apiSchema, decodeCursor, GroupAccess, pageQuery, toPage, type Page } from '@allmende/content';
import { ZodValidationPipe } from '@allmende/core';
import { attachmentDisposition } from './file-names';
import { fileView, uploadBody, type FileView } from './file.view';
import { FilesService } from './files.service';
import { MemberNames } from './member-names';

const fileId = z.uuid();
const filePage = z.object({ items: z.array(fileView), nextCursor: z.string().nullable() });

/** The files of a group: upload, list, download, delete. GroupAccess decides who may. */
@ApiTags('files')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/groups/:group/files')
export class FilesController {
  constructor(
    private readonly access: GroupAccess,
    private readonly files: FilesService,
    private readonly names: MemberNames,
  ) {}

  @SignedIn()
  @Post()
  @ApiOperation({
    summary: 'Upload a file (multipart/form-data, field "file"; members of the group)',
    description:
      '413 above FILES_MAX_MB (before the body is read when Content-Length says so), 415 when the ' +
      'content is not of an allowed type, 507 when the quota is full.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: apiSchema(uploadBody) })
  @ApiCreatedResponse({ schema: apiSchema(fileView) })
  async upload(
    @Param('group') group: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
  ): Promise<FileView> {
    const access = await this.access.requireWrite(actor, group, 'files');
    const file = await this.files.upload(request, {
      group: access.group,
      uploaderMemberId: actor.membership!.memberId,
    });
    return (await this.names.views([file]))[0]!;
  }

  @Public()
  @Get()
  @ApiOperation({ summary: "The group's files, newest first" })
  @ApiOkResponse({ schema: apiSchema(filePage) })
  async list(
    @Param('group') group: string,
    @Query(new ZodValidationPipe(pageQuery)) query: z.infer<typeof pageQuery>,
    @CurrentActor() actor: Actor,
  ): Promise<Page<FileView>> {
    const access = await this.access.require(actor, group, 'files');
    const after = query.cursor
      ? (([at, id]) => ({ createdAt: new Date(at as string), id: id as string }))(
          decodeCursor(query.cursor, 2),
        )
      : null;
    const rows = await this.files.list(access.group, query.limit, after);
    const views = await this.names.views(rows);
    return toPage(
      views,
      query.limit,
      (view) => view,
      (view) => [view.createdAt, view.id],
    );
  }

  @Public()
  @Get(':file')
  @ApiOperation({ summary: 'One file of the group (its description, not its bytes)' })
  @ApiOkResponse({ schema: apiSchema(fileView) })
  async get(
    @Param('group') group: string,
    @Param('file', new ZodValidationPipe(fileId)) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<FileView> {
    const access = await this.access.require(actor, group, 'files');
    return (await this.names.views([await this.files.get(access.group, id)]))[0]!;
  }

  @Public()
  @Get(':file/content')
  @ApiOperation({ summary: 'Download a file (always as an attachment, with its sniffed type)' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ schema: apiSchema(z.string().describe('the bytes of the file')) })
  async content(
    @Param('group') group: string,
    @Param('file', new ZodValidationPipe(fileId)) id: string,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamableFile> {
    const access = await this.access.require(actor, group, 'files');
    const file = await this.files.get(access.group, id);
    return download(response, file, await this.files.open(file));
  }

  @SignedIn()
  @Delete(':file')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a file (its uploader, or the group admins: audited)' })
  @ApiNoContentResponse({ description: 'Deleted, bytes included' })
  async delete(
    @Param('group') group: string,
    @Param('file', new ZodValidationPipe(fileId)) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    const access = await this.access.requireWrite(actor, group, 'files');
    await this.files.delete(actor, access, id);
  }
}

/** The headers of every download: attachment, the sniffed type, no sniffing by the browser. */
export function download(
  response: Response,
  file: { originalName: string; mediaType: string; size: number },
  stream: import('node:stream').Readable,
): StreamableFile {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Cache-Control', 'private, no-store');
  return new StreamableFile(stream, {
    type: file.mediaType,
    disposition: attachmentDisposition(file.originalName),
    length: file.size,
  });
}
