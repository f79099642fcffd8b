import { afterEach, describe, expect, it } from 'vitest';
import { closeAppDb, getAppDb, openAppDb, toStorageError, withStorageErrors } from '../../../src/storage/db';
import { MedfactError } from '../../../src/protocol/errors';

let counter = 0;
const freshName = () => `medfact-test-${Date.now()}-${counter++}`;
const names: string[] = [];

afterEach(async () => {
  for (const name of names.splice(0)) await closeAppDb(name);
});

describe('openAppDb', () => {
  it('creates every object store with its key path and indexes', async () => {
    const db = await openAppDb(freshName());
    expect([...db.objectStoreNames].sort()).toEqual(['checks', 'datasetItems', 'datasets', 'layouts', 'models', 'runItems', 'runs', 'settings']);
    const tx = db.transaction(['checks', 'datasetItems', 'runItems', 'settings', 'layouts'], 'readonly');
    expect(tx.objectStore('checks').keyPath).toBe('id');
    expect([...tx.objectStore('checks').indexNames]).toEqual(['createdAt']);
    expect(tx.objectStore('datasetItems').keyPath).toEqual(['datasetId', 'index']);
    expect([...tx.objectStore('datasetItems').indexNames]).toEqual(['datasetId']);
    expect(tx.objectStore('runItems').keyPath).toEqual(['runId', 'itemId']);
    expect(tx.objectStore('settings').keyPath).toBeNull();
    expect(tx.objectStore('layouts').keyPath).toBe('signature');
    db.close();
  });

  it('stores records with compound keys and finds them by index', async () => {
    const db = await openAppDb(freshName());
    await db.put('datasetItems', { datasetId: 'medfact', index: 0 });
    await db.put('datasetItems', { datasetId: 'medfact', index: 1 });
    await db.put('datasetItems', { datasetId: 'other', index: 0 });
    expect(await db.countFromIndex('datasetItems', 'datasetId', 'medfact')).toBe(2);
    expect(await db.get('datasetItems', ['other', 0])).toEqual({ datasetId: 'other', index: 0 });
    await db.put('checks', { id: 'b', createdAt: 2 });
    await db.put('checks', { id: 'a', createdAt: 1 });
    expect((await db.getAllFromIndex('checks', 'createdAt')).map((c) => c.id)).toEqual(['a', 'b']);
    db.close();
  });

  it('closes on versionchange so a newer version can upgrade, then reopens', async () => {
    const name = freshName();
    names.push(name);
    const first = await getAppDb(name);
    await first.put('settings', 'zh-CN', 'locale');
    // A newer app version opens the same database at version 2.
    const upgraded = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name, 2);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error('blocked: the old connection did not close'));
    });
    expect(upgraded.version).toBe(2);
    upgraded.close();
    // The shared handle was dropped; a new open at version 1 now fails with a typed error instead of hanging.
    await expect(getAppDb(name)).rejects.toBeInstanceOf(MedfactError);
  });
});

describe('storage errors', () => {
  it('maps QuotaExceededError to QUOTA_EXCEEDED with advice', () => {
    const error = toStorageError(new DOMException('full', 'QuotaExceededError'));
    expect(error.code).toBe('QUOTA_EXCEEDED');
    expect(error.message).toMatch(/Remove/);
  });

  it('maps other failures to STORAGE and keeps typed errors', async () => {
    await expect(withStorageErrors(() => Promise.reject(new DOMException('x', 'InvalidStateError')))).rejects.toMatchObject({ code: 'STORAGE' });
    const typed = new MedfactError('BAD_INPUT', 'x');
    expect(toStorageError(typed)).toBe(typed);
  });

  it('turns a quota failure inside a transaction into QUOTA_EXCEEDED', async () => {
    const db = await openAppDb(freshName());
    const failing = () =>
      withStorageErrors(async () => {
        const tx = db.transaction('settings', 'readwrite');
        tx.abort();
        await tx.done.catch(() => {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        });
      });
    await expect(failing()).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    db.close();
  });
});
