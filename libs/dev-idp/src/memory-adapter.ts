import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  /** Epoch milliseconds; undefined: does not expire. */
  expiresAt?: number;
}

/**
 * oidc-provider's storage (sessions, interactions, codes, grants, refresh tokens) in memory, one
 * store per provider instance. oidc-provider's own memory adapter is an LRU of 1000 entries
 * that a long test run outgrows, and it warns on every start.
 */
export function createMemoryAdapterFactory(): AdapterFactory {
  const entries = new Map<string, Entry>();
  const byGrant = new Map<string, Set<string>>();
  const byUid = new Map<string, string>();
  let writesSinceSweep = 0;

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const sweep = () => {
    const now = Date.now();
    for (const [key, entry] of entries)
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) entries.delete(key);
    for (const [grantId, members] of byGrant) {
      for (const key of members) if (!entries.has(key)) members.delete(key);
      if (members.size === 0) byGrant.delete(grantId);
    }
    for (const [uid, id] of byUid) if (!entries.has(`Session:${id}`)) byUid.delete(uid);
  };

  return (model: string): Adapter => {
    const keyOf = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        // Every thousand writes, drop what expired, so that a long-running provider stays small.
        if (++writesSinceSweep >= 1000) {
          writesSinceSweep = 0;
          sweep();
        }
        const key = keyOf(id);
        entries.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
        if (payload.grantId) {
          const members = byGrant.get(payload.grantId) ?? new Set<string>();
          members.add(key);
          byGrant.set(payload.grantId, members);
        }
        if (model === 'Session' && payload.uid) byUid.set(payload.uid, id);
      },
      async find(id) {
        return live(keyOf(id))?.payload;
      },
      async findByUid(uid) {
        const id = byUid.get(uid);
        return id === undefined ? undefined : live(keyOf(id))?.payload;
      },
      async findByUserCode() {
        return undefined; // The device flow is off.
      },
      async consume(id) {
        const entry = live(keyOf(id));
        if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        const key = keyOf(id);
        const payload = entries.get(key)?.payload;
        entries.delete(key);
        if (payload?.uid && byUid.get(payload.uid) === id) byUid.delete(payload.uid);
      },
      async revokeByGrantId(grantId) {
        for (const key of byGrant.get(grantId) ?? []) entries.delete(key);
        byGrant.delete(grantId);
      },
    };
  };
}
