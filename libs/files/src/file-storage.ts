import type { Readable } from 'node:stream';

/**
 * Where the bytes of files live. Keys are ids the platform made (never names users gave), one
 * namespace per tenant. Local directory now; an S3-compatible store later implements the same.
 */
export abstract class FileStorage {
  /**
   * Stores the stream under the key. The object appears only when the stream ended without
   * error; on error nothing (no partial object) is left behind and the error is rethrown.
   */
  abstract put(tenantId: string, key: string, content: Readable): Promise<void>;

  /** The stored bytes; rejects when there is no such object. */
  abstract open(tenantId: string, key: string): Promise<Readable>;

  /** Removes the object; no error when it is gone already. */
  abstract delete(tenantId: string, key: string): Promise<void>;
}
