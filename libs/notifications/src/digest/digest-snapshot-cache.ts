import type { DigestSnapshot } from './digest-snapshot';

export interface DigestSnapshotCacheOptions {
  /** How many snapshots are kept (least recently used ones go first). */
  maxEntries?: number;
  /** How long a loaded snapshot is served, in ms. */
  ttlMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

export const DIGEST_SNAPSHOT_DEFAULTS = { maxEntries: 8, ttlMs: 60_000 } as const;

interface Entry {
  snapshot: Promise<DigestSnapshot>;
  loadedAt: number;
}

/**
 * A few digest snapshots by (tenant, since, until), so that the members of one tenant due for
 * the same window share one load instead of running ~7 queries each.
 *
 * The trade-off: a snapshot is served for `ttlMs` after it was loaded. The content of a window
 * that has ended hardly changes (it is defined by creation/publish/decision times inside it);
 * what can still change are edits, deletions, hides, RSVPs and pledges — a digest built within
 * the TTL may show such a change up to `ttlMs` late (e.g. a post deleted a few seconds after the
 * run started can still be mailed). A worker that runs for days sees new windows (new keys)
 * and, after the TTL, a fresh load of a window it has seen before. Digest runs take minutes at
 * most, so one load per tenant and window and minute is what remains of ~7 queries per member.
 *
 * Concurrent requests for the same key share one loading promise. A failed load is forgotten at
 * once, so the next request retries instead of replaying the error.
 */
export class DigestSnapshotCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: DigestSnapshotCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? DIGEST_SNAPSHOT_DEFAULTS.maxEntries;
    this.ttlMs = options.ttlMs ?? DIGEST_SNAPSHOT_DEFAULTS.ttlMs;
    this.now = options.now ?? Date.now;
  }

  /** The key: the tenant is part of it, so one tenant's snapshot is never another's. */
  static key(tenantId: string, since: Date, until: Date): string {
    return `${tenantId}|${since.toISOString()}|${until.toISOString()}`;
  }

  /** The cached snapshot of the key if still fresh, else the one `load` returns (and keeps). */
  get(key: string, load: () => Promise<DigestSnapshot>): Promise<DigestSnapshot> {
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached) {
      this.entries.delete(key);
      if (now - cached.loadedAt < this.ttlMs) {
        this.entries.set(key, cached); // most recently used: last in the map's order
        return cached.snapshot;
      }
    }
    const entry: Entry = { snapshot: load(), loadedAt: now };
    this.entries.set(key, entry);
    entry.snapshot.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    // A Map iterates in insertion order: the first key is the least recently used.
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return entry.snapshot;
  }

  /** Forgets every snapshot (the next build of each window loads anew). */
  clear(): void {
    this.entries.clear();
  }
}
