import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import busboy from 'busboy';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import type { Actor } from '@allmende/auth';
import { recordAudit, recordOutboxEvent, type GroupAccessContext } from '@allmende/content';
import { APP_CONFIG, newId, ProblemException, type AppConfig } from '@allmende/core';
import { TenantScope, tenantContext } from '@allmende/db';
import type { Group } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { ContentCheck } from './content-check';
import { FileStorage } from './file-storage';
import { cleanFileName } from './file-names';
import { StoredFileSchema, type StoredFile } from './stored-file.entity';

/** What a multipart body adds around the file (boundaries, part headers): tolerated above the limit. */
const MULTIPART_SLACK_BYTES = 16 * 1024;
const MB = 1024 * 1024;

/** Where an upload goes and what it may be. */
export interface UploadTarget {
  group: Group;
  uploaderMemberId: string;
  /** Narrower than FILES_ALLOWED_TYPES, e.g. images for listing photos. */
  allowedTypes?: readonly string[];
}

/** A portal form with text fields next to its (optional) file: `FilesService.uploadForm`. */
export interface FormUploadTarget extends UploadTarget {
  /** The file's field name. */
  fileField: string;
  /** The text fields the form may send (any other field is refused); at most 10 kB each. */
  fields: readonly string[];
  /** Called for each text field as it arrives, also when the upload is refused later. */
  onField: (name: string, value: string) => void;
}

const FORM_FIELD_BYTES = 10 * 1024;

interface Received {
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
}

export function payloadTooLarge(maxBytes: number): ProblemException {
  return new ProblemException({
    type: '/problems/payload-too-large',
    title: 'Payload Too Large',
    status: 413,
    detail: `Files may have at most ${Math.floor(maxBytes / MB)} MB.`,
  });
}

export function quotaExceeded(detail: string): ProblemException {
  return new ProblemException({
    type: '/problems/insufficient-storage',
    title: 'Insufficient Storage',
    status: 507,
    detail,
  });
}

const multipartRequired = (detail = 'Send multipart/form-data with exactly one field "file".') =>
  ProblemException.badRequest(detail);

/**
 * Files of groups: streamed uploads (size limit, type by content, quotas), reading, deleting.
 * The bytes go to the FileStorage first; the row (and its outbox event) is written after they
 * are stored completely, and the bytes are removed again when the row cannot be written.
 */
@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);

  constructor(
    private readonly scope: TenantScope,
    private readonly storage: FileStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get maxBytes(): number {
    return this.config.FILES_MAX_MB * MB;
  }

  /**
   * Receives the one file of a multipart request. Refuses (without reading the body) a
   * declared size above the limit (413) or beyond the quota (507); while streaming, refuses
   * more bytes than the limit (413, partial file removed) and types not allowed (415).
   */
  async upload(request: Request, target: UploadTarget): Promise<StoredFile> {
    return (await this.store(request, target, null))!;
  }

  /**
   * A portal form's multipart body: its text fields (to `onField`) and at most one file in
   * `fileField`, which may be left empty (then null). Limits, type check and quota as `upload`.
   */
  uploadForm(request: Request, target: FormUploadTarget): Promise<StoredFile | null> {
    return this.store(request, target, target);
  }

  private async store(
    request: Request,
    target: UploadTarget,
    form: FormUploadTarget | null,
  ): Promise<StoredFile | null> {
    const tenantId = tenantContext.requireTenantId();
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared)) {
      if (declared > this.maxBytes + MULTIPART_SLACK_BYTES) throw payloadTooLarge(this.maxBytes);
      await this.checkQuota(this.scope.em(), target.group, Math.max(0, declared - MULTIPART_SLACK_BYTES));
    }
    const key = newId();
    let received: Received | null;
    try {
      received = await this.receive(
        request,
        tenantId,
        key,
        target.allowedTypes ?? this.config.FILES_ALLOWED_TYPES,
        form,
      );
    } catch (error) {
      // A refusal after the bytes were complete (e.g. a form field after the file): remove them.
      await this.storage.delete(tenantId, key);
      throw error;
    }
    if (!received) return null;
    try {
      return await this.scope.em().transactional(async (em) => {
        // Uploads of one tenant check the quota and insert one after the other (a
        // transaction-scoped advisory lock), so two concurrent uploads cannot both fit
        // into the last free space. The slow part, storing the bytes, runs before, unlocked.
        await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`files.quota:${tenantId}`]);
        await this.checkQuota(em, target.group, received.size);
        const file = em.create(StoredFileSchema, {
          group: target.group,
          uploader: em.getReference(MemberSchema, target.uploaderMemberId),
          originalName: received.name,
          mediaType: received.mediaType,
          size: received.size,
          sha256: received.sha256,
          storageKey: key,
        });
        recordOutboxEvent(em, 'files.file.uploaded', {
          fileId: file.id,
          groupId: target.group.id,
          uploaderMemberId: target.uploaderMemberId,
          mediaType: received.mediaType,
          size: received.size,
        });
        await em.flush();
        return file;
      });
    } catch (error) {
      await this.storage.delete(tenantId, key);
      throw error;
    }
  }

  /** A group's files, newest first, keyset-paginated. */
  async list(
    group: Group,
    limit: number,
    after: { createdAt: Date; id: string } | null,
  ): Promise<StoredFile[]> {
    const where = after
      ? {
          group,
          $or: [
            { createdAt: { $lt: after.createdAt } },
            { createdAt: after.createdAt, id: { $lt: after.id } },
          ],
        }
      : { group };
    return this.scope
      .em()
      .find(StoredFileSchema, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 });
  }

  /** A file of the group; 404 for files of other groups (and, by row-level security, other tenants). */
  async get(group: Group, fileId: string): Promise<StoredFile> {
    const file = await this.scope.em().findOne(StoredFileSchema, { id: fileId, group });
    if (!file) throw ProblemException.notFound('No such file in this group.');
    return file;
  }

  /** The bytes of a file. */
  async open(file: StoredFile): Promise<Readable> {
    return this.storage.open(file.tenantId, file.storageKey);
  }

  /** A file of the group usable as a picture (listing photos): an image, else 400. */
  async requireImage(group: Group, fileId: string, field: string): Promise<StoredFile> {
    const file = await this.scope.em().findOne(StoredFileSchema, { id: fileId, group });
    if (!file || !file.mediaType.startsWith('image/')) {
      throw ProblemException.validation([{ path: field, message: 'not an image file of this group' }]);
    }
    return file;
  }

  /**
   * Deletes a file: its uploader, or a moderator (audited when it is someone else's file).
   * The bytes are removed after the row is gone.
   */
  async delete(actor: Actor, access: GroupAccessContext, fileId: string): Promise<void> {
    const em = this.scope.em();
    const file = await this.get(access.group, fileId);
    const own = !!actor.membership && file.uploader?.id === actor.membership.memberId;
    if (!own && !access.canModerate) {
      throw ProblemException.forbidden('Only the uploader or the group admins may delete this file.');
    }
    if (!own) {
      recordAudit(em, actor, {
        action: 'files.file.deleted',
        entityType: 'file',
        entityId: file.id,
        details: {
          groupId: access.group.id,
          name: file.originalName,
          uploaderMemberId: file.uploader?.id ?? null,
        },
      });
    }
    em.remove(file);
    await em.flush();
    try {
      await this.storage.delete(file.tenantId, file.storageKey);
    } catch (error) {
      // The row is gone, so nobody can reach the bytes; an operator can sweep orphans.
      this.logger.warn({ err: error, fileId: file.id }, 'could not remove the bytes of a deleted file');
    }
  }

  /** 507 when `extra` bytes would not fit into the tenant's quota (or the group's `quotaMb`). */
  private async checkQuota(em: EntityManager, group: Group, extra: number): Promise<void> {
    const [tenant] = await em.execute<{ used: string }[]>('select coalesce(sum(size), 0) as used from files');
    if (Number(tenant?.used ?? 0) + extra > this.config.FILES_TENANT_QUOTA_MB * MB) {
      throw quotaExceeded('The storage of this community is full.');
    }
    const quotaMb = await this.groupQuotaMb(em, group);
    if (quotaMb !== null) {
      const [inGroup] = await em.execute<{ used: string }[]>(
        'select coalesce(sum(size), 0) as used from files where group_id = ?',
        [group.id],
      );
      if (Number(inGroup?.used ?? 0) + extra > quotaMb * MB) {
        throw quotaExceeded('The storage of this group is full.');
      }
    }
  }

  private async groupQuotaMb(em: EntityManager, group: Group): Promise<number | null> {
    const [row] = await em.execute<{ quota: unknown }[]>(
      `select settings->'quotaMb' as quota from group_modules where group_id = ? and module = 'files'`,
      [group.id],
    );
    return typeof row?.quota === 'number' && row.quota > 0 ? row.quota : null;
  }

  /** Streams the multipart body's one file through the content check into the storage. */
  private receive(
    request: Request,
    tenantId: string,
    key: string,
    allowed: readonly string[],
    form: FormUploadTarget | null,
  ): Promise<Received | null> {
    const fileField = form?.fileField ?? 'file';
    return new Promise<Received | null>((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: request.headers,
          limits: {
            fileSize: this.maxBytes,
            files: 1,
            fields: form?.fields.length ?? 0,
            fieldSize: FORM_FIELD_BYTES,
          },
          // File names in UTF-8 (busboy's default for parameters is latin1).
          defParamCharset: 'utf8',
        });
      } catch {
        reject(multipartRequired());
        return;
      }
      let stored: Promise<Received> | null = null;
      let emptyFile = false;
      let current: ContentCheck | null = null;
      const fail = (error: unknown) => {
        // A file being stored is aborted (the storage removes the partial bytes).
        if (current && !current.destroyed) current.destroy(error as Error);
        // Stop parsing; the rest of the body is read and discarded, never stored.
        request.unpipe(parser);
        request.resume();
        reject(error);
      };
      parser.on('field', (name, value, info) => {
        if (!form?.fields.includes(name) || info.valueTruncated) {
          fail(multipartRequired(`The form field "${name}" is not accepted here.`));
          return;
        }
        form.onField(name, value);
      });
      parser.on('file', (field, stream, info) => {
        // A form's empty file input: a part without a name (browsers send it with no bytes).
        if (form && field === fileField && !stored && !emptyFile && !info.filename) {
          emptyFile = true;
          stream.resume();
          return;
        }
        if (field !== fileField || stored) {
          stream.resume();
          fail(multipartRequired());
          return;
        }
        const check = new ContentCheck(allowed);
        current = check;
        const discardRest = () => {
          stream.unpipe(check);
          stream.resume();
        };
        // busboy's fileSize limit: a chunked or lying upload ends here, the partial file is removed.
        stream.on('limit', () => {
          discardRest();
          check.destroy(payloadTooLarge(this.maxBytes));
        });
        stream.on('error', (error) => check.destroy(error));
        check.on('error', discardRest);
        stream.pipe(check);
        stored = this.storage.put(tenantId, key, check).then(() => ({
          name: cleanFileName(info.filename),
          mediaType: check.mediaType!,
          size: check.size,
          sha256: check.sha256,
        }));
        stored.catch(fail);
      });
      // A second file or any other field: busboy skips it and tells us; the request is refused.
      for (const event of ['fieldsLimit', 'filesLimit'] as const) {
        parser.on(event, () => fail(multipartRequired()));
      }
      parser.on('error', () => fail(multipartRequired('The multipart body is malformed.')));
      parser.on('close', () => {
        if (stored) stored.then(resolve, reject);
        else if (form) resolve(null);
        else fail(multipartRequired());
      });
      request.pipe(parser);
    });
  }
}
