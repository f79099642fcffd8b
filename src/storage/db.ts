/**
 * The app's IndexedDB schema (version 1). Feature repositories in this folder
 * store their full records; the row types here name only the fields the
 * keys and indexes need, so any record that has them can be stored.
 */
import { openDB, type DBSchema, type IDBPDatabase, type OpenDBCallbacks } from 'idb';
import { MedfactError, toMedfactError } from '../protocol/errors';

export const DB_NAME = 'medfact-lens';
export const DB_VERSION = 1;

export interface CheckRow {
  id: string;
  createdAt: number;
}
export interface DatasetRow {
  id: string;
}
export interface DatasetItemRow {
  datasetId: string;
  index: number;
}
export interface RunRow {
  id: string;
  createdAt: number;
}
export interface RunItemRow {
  runId: string;
  itemId: string;
}
export interface ModelRow {
  id: string;
}
export interface LayoutRow {
  signature: string;
}

export interface MedfactDb extends DBSchema {
  /** Out-of-line keys: the setting's name. */
  settings: { key: string; value: unknown };
  checks: { key: string; value: CheckRow; indexes: { createdAt: number } };
  datasets: { key: string; value: DatasetRow };
  datasetItems: { key: [string, number]; value: DatasetItemRow; indexes: { datasetId: string } };
  runs: { key: string; value: RunRow; indexes: { createdAt: number } };
  runItems: { key: [string, string]; value: RunItemRow; indexes: { runId: string } };
  models: { key: string; value: ModelRow };
  layouts: { key: string; value: LayoutRow };
}

export type AppDb = IDBPDatabase<MedfactDb>;

/** Maps IndexedDB failures to typed errors: a full disk says so and what to do. */
export function toStorageError(error: unknown): MedfactError {
  if (error instanceof MedfactError) return error;
  const name = error instanceof Error || (typeof DOMException !== 'undefined' && error instanceof DOMException) ? (error as Error).name : '';
  if (name === 'QuotaExceededError' || toMedfactError(error).code === 'QUOTA_EXCEEDED') {
    return new MedfactError('QUOTA_EXCEEDED', 'Storage on this device is full. Remove unused models or history, then try again.', { originalName: name });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new MedfactError('STORAGE', `Could not read or write local storage: ${message}`, { originalName: name || typeof error });
}

/** Runs a storage operation and rethrows any failure as a typed error. */
export async function withStorageErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toStorageError(error);
  }
}

/** One stored record, or null when it is missing or not of the shape the app writes (an old or foreign row). */
export function readValid<T>(read: () => Promise<unknown>, isValid: (row: unknown) => row is T): Promise<T | null> {
  return withStorageErrors(async () => {
    const row = await read();
    return isValid(row) ? row : null;
  });
}

/** The stored records of the shape the app writes; other rows are skipped. */
export function readAllValid<T>(read: () => Promise<unknown[]>, isValid: (row: unknown) => row is T): Promise<T[]> {
  return withStorageErrors(async () => (await read()).filter(isValid));
}

export interface SharedDatabase<S extends DBSchema> {
  /** Opens a new connection (no sharing): tests and the speed suite. */
  open(name: string): Promise<IDBPDatabase<S>>;
  /** The shared connection, opened on first use and reopened after a close. */
  get(name: string): Promise<IDBPDatabase<S>>;
  /** Closes the shared connection (tests, deleting the database). */
  close(name: string): Promise<void>;
}

/**
 * One shared connection per database name, for each of the app's databases
 * (the app's own, the formulary's, the library's). A newer version of the app
 * in another tab that wants to upgrade closes it, as does the browser; the
 * next call opens it again.
 */
export function sharedDatabase<S extends DBSchema>(spec: {
  version: number;
  upgrade: NonNullable<OpenDBCallbacks<S>['upgrade']>;
  /** The message when the browser has no IndexedDB: what cannot be kept. */
  unsupported: string;
  blocked?: () => void;
}): SharedDatabase<S> {
  const conns = new Map<string, Promise<IDBPDatabase<S>>>();
  const open = async (name: string): Promise<IDBPDatabase<S>> => {
    if (typeof indexedDB === 'undefined') throw new MedfactError('UNSUPPORTED', spec.unsupported);
    return withStorageErrors(() =>
      openDB<S>(name, spec.version, {
        upgrade: spec.upgrade,
        ...(spec.blocked ? { blocked: spec.blocked } : {}),
        blocking(_current, _blocked, event) {
          // A newer version of the app wants to upgrade: let it, and reopen lazily.
          (event.target as IDBDatabase).close();
          conns.delete(name);
        },
        terminated() {
          conns.delete(name);
        },
      }),
    );
  };
  return {
    open,
    get(name) {
      let db = conns.get(name);
      if (!db) {
        db = open(name);
        db.catch(() => conns.delete(name));
        conns.set(name, db);
      }
      return db;
    },
    async close(name) {
      const db = conns.get(name);
      conns.delete(name);
      if (db) (await db.catch(() => null))?.close();
    },
  };
}

const appDb = sharedDatabase<MedfactDb>({
  version: DB_VERSION,
  upgrade(db, oldVersion) {
    if (oldVersion < 1) {
      db.createObjectStore('settings');
      db.createObjectStore('checks', { keyPath: 'id' }).createIndex('createdAt', 'createdAt');
      db.createObjectStore('datasets', { keyPath: 'id' });
      db.createObjectStore('datasetItems', { keyPath: ['datasetId', 'index'] }).createIndex('datasetId', 'datasetId');
      db.createObjectStore('runs', { keyPath: 'id' }).createIndex('createdAt', 'createdAt');
      db.createObjectStore('runItems', { keyPath: ['runId', 'itemId'] }).createIndex('runId', 'runId');
      db.createObjectStore('models', { keyPath: 'id' });
      db.createObjectStore('layouts', { keyPath: 'signature' });
    }
  },
  unsupported: 'This browser offers no IndexedDB (private mode?). Saving settings and history is not possible.',
  blocked() {
    // Another tab still has an older version open; it closes itself on versionchange.
    console.warn('medfact-lens: database upgrade waits for other open tabs to close.');
  },
});

export function openAppDb(name: string = DB_NAME): Promise<AppDb> {
  return appDb.open(name);
}

/** The shared connection, opened on first use and reopened after a close. */
export function getAppDb(name: string = DB_NAME): Promise<AppDb> {
  return appDb.get(name);
}

/** Closes the shared connection (tests, deleting the database). */
export function closeAppDb(name: string = DB_NAME): Promise<void> {
  return appDb.close(name);
}
