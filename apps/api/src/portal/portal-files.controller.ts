import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, Public, SignedIn, type Actor } from '@allmende/auth';
import { decodeCursor, encodeCursor, GroupAccess, type GroupAccessContext } from '@allmende/content';
import { ProblemException } from '@allmende/core';
import { attachmentDisposition, FilesService, MemberNames, type FileView } from '@allmende/files';
import { idParam } from '@allmende/volunteering';
import { groupHeading, groupTabs } from './portal-group-tabs';
import { formState } from './portal-forms';
import { PortalView, type PortalContext } from './portal-view';

const FILE_PAGE_SIZE = 50;

/** Refusals of an upload that the page explains (catalogue `portal.files.refused.<status>`). */
const UPLOAD_REFUSALS = new Set([400, 413, 415, 507]);

/**
 * The upload form's one field, refused for the reason `status`: the error summary links to it
 * with the short reason (`portal.files.errors.<status>`); the field itself says it in full,
 * with the size limit (`portal.files.refused.<status>`).
 */
function uploadState(status: number | undefined) {
  if (!status) return formState({}, undefined);
  const field = {
    id: 'upload-file',
    labelKey: 'portal.files.fieldFile',
    errorKey: `portal.files.errors.${status}`,
  };
  return formState({ file: field }, [{ path: 'file', message: String(status) }]);
}

/**
 * The files of a group in the portal: the list (name, size, type, uploader, date), downloads
 * through the session, the upload form for group members (multipart; the CSRF token rides in
 * the action's query, see CsrfMiddleware) and delete for the uploader and the group admins.
 * Everything goes through FilesService with GroupAccess, as the REST API does.
 */
@ApiExcludeController()
@Controller('t/:tenant/g/:group/files')
export class PortalFilesController {
  constructor(
    private readonly view: PortalView,
    private readonly files: FilesService,
    private readonly names: MemberNames,
    private readonly access: GroupAccess,
  ) {}

  @Public()
  @Get()
  async list(
    @Param('group') group: string,
    @Query() query: Record<string, unknown>,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.view.context(request, response, actor);
    await this.render(context, group, response, {
      cursor: typeof query.cursor === 'string' ? query.cursor : undefined,
      uploaded: typeof query.uploaded === 'string' ? query.uploaded : undefined,
      deleted: query.deleted === '1',
    });
  }

  @SignedIn()
  @Post()
  async upload(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const access = await this.access.requireWrite(actor, group, 'files');
    let file;
    try {
      file = await this.files.upload(request, {
        group: access.group,
        uploaderMemberId: actor.membership!.memberId,
      });
    } catch (error) {
      // Too big, a type we do not take, storage full, no file: the list again with the reason.
      if (!(error instanceof ProblemException) || !UPLOAD_REFUSALS.has(error.problem.status)) throw error;
      const context = await this.view.context(request, response, actor);
      return this.render(context, group, response, { refused: error.problem.status });
    }
    response.redirect(303, `${filesPath(tenant, access.group.key)}?uploaded=${file.id}#file-${file.id}`);
  }

  /** The bytes, always as an attachment with the type sniffed on upload (as the REST API). */
  @Public()
  @Get(':file')
  async download(
    @Param('group') group: string,
    @Param('file') id: string,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    requireId(id);
    const access = await this.access.require(actor, group, 'files');
    const file = await this.files.get(access.group, id);
    const stream = await this.files.open(file);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Cache-Control', 'private, no-store');
    response.setHeader('Content-Type', file.mediaType);
    response.setHeader('Content-Length', String(file.size));
    response.setHeader('Content-Disposition', attachmentDisposition(file.originalName));
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  }

  @SignedIn()
  @Post(':file/delete')
  async delete(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('file') id: string,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    requireId(id);
    const access = await this.access.requireWrite(actor, group, 'files');
    await this.files.delete(actor, access, id);
    response.redirect(303, `${filesPath(tenant, access.group.key)}?deleted=1`);
  }

  private async render(
    context: PortalContext,
    group: string,
    response: Response,
    state: { cursor?: string; uploaded?: string; deleted?: boolean; refused?: number },
  ): Promise<void> {
    const access = await this.access.require(context.actor, group, 'files');
    const after = state.cursor ? cursorOf(state.cursor) : null;
    const rows = await this.files.list(access.group, FILE_PAGE_SIZE, after);
    const more = rows.length > FILE_PAGE_SIZE;
    const views = await this.names.views(rows.slice(0, FILE_PAGE_SIZE));
    const visible = context.groups.find((candidate) => candidate.id === access.group.id)!;
    const base = `${context.community.href}/g/${access.group.key}/files`;
    const last = views.at(-1);
    this.view.send(
      response,
      context,
      'files-list',
      {
        files: views.map((file) => fileItem(file, base, context, access)),
        olderHref:
          more && last
            ? `${base}?cursor=${encodeURIComponent(encodeCursor([last.createdAt, last.id]))}`
            : undefined,
        // Multipart: the token goes in the action's query (CsrfMiddleware reads it there only for uploads).
        uploadAction: access.canWrite ? `${base}?_csrf=${encodeURIComponent(context.csrfToken)}` : undefined,
        maxMb: Math.floor(this.files.maxBytes / (1024 * 1024)),
        uploaded: views.find((file) => file.id === state.uploaded)?.name,
        deleted: state.deleted,
        refusedKey: state.refused ? `portal.files.refused.${state.refused}` : undefined,
        uploadErrors: uploadState(state.refused).errors,
        signInHint: !context.actor.person,
        tabs: groupTabs(context, visible, 'files'),
        groupName: groupHeading(context, visible),
      },
      { titleKey: 'portal.module.files', currentGroup: access.group.key, status: state.refused ?? 200 },
    );
  }
}

function fileItem(file: FileView, base: string, context: PortalContext, access: GroupAccessContext) {
  const memberId = context.actor.membership?.memberId;
  const own = !!memberId && file.uploadedBy?.memberId === memberId;
  return {
    ...file,
    href: `${base}/${file.id}`,
    sizeText: formatSize(file.size, context.locale),
    uploaderName: file.uploadedBy ? `${file.uploadedBy.givenName} ${file.uploadedBy.familyName}`.trim() : '',
    deleteAction: access.canWrite && (own || access.canModerate) ? `${base}/${file.id}/delete` : undefined,
  };
}

/** "1,5 MB" / "1.5 MB", "820 kB", "12 B". */
export function formatSize(bytes: number, locale: string): string {
  const number = (value: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value);
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1000 * 1000) return `${number(bytes / 1000)} kB`;
  return `${number(bytes / (1000 * 1000))} MB`;
}

/** The REST API's cursor shape ([createdAt, id], base64url JSON); a bad one is a 400. */
function cursorOf(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = decodeCursor(cursor, 2);
  const createdAt = new Date(String(at));
  if (Number.isNaN(createdAt.getTime()) || !idParam.safeParse(id).success) {
    throw ProblemException.badRequest('The cursor is not valid.');
  }
  return { createdAt, id: String(id) };
}

function filesPath(tenant: string, group: string): string {
  return `/t/${encodeURIComponent(tenant)}/g/${encodeURIComponent(group)}/files`;
}

function requireId(id: string): void {
  if (!idParam.safeParse(id).success) throw ProblemException.notFound('No such file.');
}
