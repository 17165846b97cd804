import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { FileStorage } from './file-storage';

/** Keys and tenant ids become path segments: only ids (letters, digits, dashes) are accepted. */
const SAFE_SEGMENT = /^[A-Za-z0-9-]{1,100}$/;

/**
 * Files in a local directory: `<root>/<tenantId>/<key>`. Writes go to a temporary name in the
 * same directory and are renamed when complete (rename is atomic on one file system), so a
 * reader never sees half a file and a failed upload leaves nothing behind.
 */
export class LocalDirectoryStorage extends FileStorage {
  private readonly root: string;

  constructor(root: string) {
    super();
    this.root = resolve(root);
  }

  async put(tenantId: string, key: string, content: Readable): Promise<void> {
    const target = this.path(tenantId, key);
    await mkdir(this.path(tenantId), { recursive: true });
    const temporary = `${target}.${randomUUID()}.part`;
    try {
      await pipeline(content, createWriteStream(temporary, { flags: 'wx' }));
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async open(tenantId: string, key: string): Promise<Readable> {
    // Open first, so a missing file rejects here rather than in the middle of a response.
    const handle = await open(this.path(tenantId, key), 'r');
    return handle.createReadStream();
  }

  async delete(tenantId: string, key: string): Promise<void> {
    await rm(this.path(tenantId, key), { force: true });
  }

  private path(tenantId: string, key?: string): string {
    for (const segment of [tenantId, key ?? tenantId]) {
      if (!SAFE_SEGMENT.test(segment)) throw new Error(`not a storage key: ${JSON.stringify(segment)}`);
    }
    return key === undefined ? join(this.root, tenantId) : join(this.root, tenantId, key);
  }
}
