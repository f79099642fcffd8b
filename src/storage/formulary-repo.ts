/**
 * Formulary (处方集) versions in IndexedDB: every imported version is kept
 * with its import date and content hash, and one is active. It lives in its
 * own small database so adding it needs no schema change of the app's main
 * database (other stores there are owned by other features).
 */
import type { DBSchema, IDBPDatabase } from 'idb';
import type { BadFormularyRow, FormularyRow } from '../core/meds';
import { MedfactError } from '../protocol/errors';
import { sharedDatabase, withStorageErrors } from './db';

export const FORMULARY_DB_NAME = 'medfact-lens-formulary';

export interface FormularyVersion {
  /** The content hash (SHA-256 hex): importing the same bytes again reuses the version. */
  id: string;
  hash: string;
  fileName: string;
  format: string;
  importedAt: number;
  rows: FormularyRow[];
  bad: BadFormularyRow[];
  /** The bundled demo formulary: shown with 演示数据，不作临床依据. */
  demo: boolean;
}

interface FormularyDb extends DBSchema {
  versions: { key: string; value: FormularyVersion; indexes: { importedAt: number } };
  meta: { key: string; value: string };
}

const formularyDb = sharedDatabase<FormularyDb>({
  version: 1,
  upgrade(db) {
    db.createObjectStore('versions', { keyPath: 'id' }).createIndex('importedAt', 'importedAt');
    db.createObjectStore('meta');
  },
  unsupported: 'This browser offers no IndexedDB (private mode?). The formulary cannot be saved.',
});
const open = (name: string): Promise<IDBPDatabase<FormularyDb>> => formularyDb.get(name);

export interface FormularyRepo {
  /** Stores a version (or refreshes the import date of an identical one) and makes it active. */
  add(version: Omit<FormularyVersion, 'id'>): Promise<FormularyVersion>;
  /** Every version, newest first. */
  list(): Promise<FormularyVersion[]>;
  getActive(): Promise<FormularyVersion | undefined>;
  setActive(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  close(): Promise<void>;
}

export function createFormularyRepo(name: string = FORMULARY_DB_NAME): FormularyRepo {
  return {
    add: (v) =>
      withStorageErrors(async () => {
        const db = await open(name);
        const record: FormularyVersion = { ...v, id: v.hash };
        const tx = db.transaction(['versions', 'meta'], 'readwrite');
        await Promise.all([tx.objectStore('versions').put(record), tx.objectStore('meta').put(record.id, 'active'), tx.done]);
        return record;
      }),
    list: () =>
      withStorageErrors(async () => {
        const all = await (await open(name)).getAllFromIndex('versions', 'importedAt');
        return all.reverse();
      }),
    getActive: () =>
      withStorageErrors(async () => {
        const db = await open(name);
        const id = await db.get('meta', 'active');
        return id === undefined ? undefined : db.get('versions', id);
      }),
    setActive: (id) =>
      withStorageErrors(async () => {
        const db = await open(name);
        if ((await db.getKey('versions', id)) === undefined) throw new MedfactError('NOT_FOUND', `Formulary version ${id.slice(0, 12)} is not stored.`);
        await db.put('meta', id, 'active');
      }),
    remove: (id) =>
      withStorageErrors(async () => {
        const db = await open(name);
        const tx = db.transaction(['versions', 'meta'], 'readwrite');
        const active = await tx.objectStore('meta').get('active');
        await tx.objectStore('versions').delete(id);
        if (active === id) await tx.objectStore('meta').delete('active');
        await tx.done;
      }),
    close: () => formularyDb.close(name),
  };
}

export const formularyRepo: FormularyRepo = createFormularyRepo();
