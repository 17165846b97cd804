import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { LocalDirectoryStorage } from './local-directory-storage';

const tenant = '0196b3a4-0000-7000-8000-000000000001';

describe('LocalDirectoryStorage', () => {
  let root: string;
  let storage: LocalDirectoryStorage;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'allmende-storage-'));
    storage = new LocalDirectoryStorage(root);
  });

  afterEach(() => rm(root, { recursive: true, force: true }));

  it('stores, opens and deletes under tenant and key', async () => {
    await storage.put(tenant, 'key-1', Readable.from([Buffer.from('hallo '), Buffer.from('welt')]));
    expect(await readdir(join(root, tenant))).toEqual(['key-1']);
    expect(await text(await storage.open(tenant, 'key-1'))).toBe('hallo welt');
    await storage.delete(tenant, 'key-1');
    await storage.delete(tenant, 'key-1');
    expect(await readdir(join(root, tenant))).toEqual([]);
    await expect(storage.open(tenant, 'key-1')).rejects.toThrow(/ENOENT/);
  });

  it('leaves nothing behind when the stream fails midway', async () => {
    async function* failing() {
      yield Buffer.from('half a file');
      throw new Error('client went away');
    }
    await expect(storage.put(tenant, 'key-2', Readable.from(failing()))).rejects.toThrow('client went away');
    expect(await readdir(join(root, tenant))).toEqual([]);
  });

  it('refuses keys and tenants that are not ids (no path traversal)', async () => {
    await expect(storage.put(tenant, '../evil', Readable.from([]))).rejects.toThrow(/not a storage key/);
    await expect(storage.open('..', 'key')).rejects.toThrow(/not a storage key/);
  });
});
