/**
 * The reference library (参考资料库) in IndexedDB: documents (title, file
 * name, source, import date, content hash, pages, passage count), their
 * extracted text, their passages, and the persisted lexical index (a small
 * manifest in `meta`, and its typed-array segments in `index-segments`,
 * stored by structured clone: an import writes its own segment, not the
 * whole index). A database of its own ("medfact-library"), so the library
 * evolves its schema without touching the app database. Each import or
 * deletion is ONE transaction over documents, texts, passages and the
 * index: a full disk or a crash leaves the library as it was, never
 * half-indexed.
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { IndexManifest, Passage, PersistedSegment } from '../core/evidence';
import { sharedDatabase, withStorageErrors } from './db';

export const LIBRARY_DB_NAME = 'medfact-library';
const LIBRARY_DB_VERSION = 2;
export const LIBRARY_RECORD_VERSION = 1;

export type LibraryDocKind = 'text' | 'html' | 'pdf' | 'docx' | 'passages';

export interface LibraryDocument {
  v: typeof LIBRARY_RECORD_VERSION;
  id: string;
  title: string;
  fileName: string;
  /** Where it came from (a passages file's source column, or null). */
  source: string | null;
  kind: LibraryDocKind;
  /** Epoch milliseconds. */
  importedAt: number;
  /** SHA-256 of the file's bytes: the same file is never imported twice. */
  contentHash: string;
  sizeBytes: number;
  /** PDF pages (count), null for unpaged formats. */
  pageCount: number | null;
  passageCount: number;
}

export interface LibraryText {
  docId: string;
  text: string;
  pages: { page: number; start: number }[] | null;
}

/** A stored passage; `title` overrides the document title (rows of a passages file). */
export interface LibraryPassage extends Passage {
  title?: string;
}

export interface PersistedLibraryIndex {
  /** LexicalIndex version; another version means rebuild. */
  version: string;
  /** Names the stored segments (LexicalIndex.fromStored). */
  manifest: IndexManifest;
  /** Hash over the documents' content hashes when this index was written. */
  libraryHash: string;
  passageCount: number;
}

/** The index's part of a write: its record, and the segment changes from LexicalIndex.takeChanges(). */
export interface LibraryIndexWrite {
  record: PersistedLibraryIndex;
  /** Remove every stored segment first (a rebuilt index). */
  replace: boolean;
  put: readonly PersistedSegment[];
  drop: readonly number[];
}

interface LibraryDb extends DBSchema {
  documents: { key: string; value: LibraryDocument; indexes: { contentHash: string; importedAt: number } };
  texts: { key: string; value: LibraryText };
  passages: { key: string; value: LibraryPassage; indexes: { docId: string } };
  meta: { key: string; value: unknown };
  'index-segments': { key: number; value: PersistedSegment };
}

type Db = IDBPDatabase<LibraryDb>;
type WriteTx = IDBPTransaction<LibraryDb, ArrayLike<StoreNames<LibraryDb>>, 'readwrite'>;
const INDEX_KEY = 'lexical-index';
const INDEX_STORES = ['meta', 'index-segments'] as const;

const libraryDb = sharedDatabase<LibraryDb>({
  version: LIBRARY_DB_VERSION,
  upgrade(db, oldVersion) {
    if (oldVersion < 1) {
      const docs = db.createObjectStore('documents', { keyPath: 'id' });
      docs.createIndex('contentHash', 'contentHash');
      docs.createIndex('importedAt', 'importedAt');
      db.createObjectStore('texts', { keyPath: 'docId' });
      db.createObjectStore('passages', { keyPath: 'id' }).createIndex('docId', 'docId');
      db.createObjectStore('meta');
    }
    // Version 2: the lexical index's segments (the old JSON index in `meta` is of an older version and gets rebuilt).
    if (!db.objectStoreNames.contains('index-segments')) db.createObjectStore('index-segments');
  },
  unsupported: 'This browser offers no IndexedDB (private mode?). The reference library cannot be kept.',
});

export class LibraryRepo {
  constructor(private readonly dbName: string = LIBRARY_DB_NAME) {}

  private db(): Promise<Db> {
    return libraryDb.get(this.dbName);
  }

  close(): Promise<void> {
    return libraryDb.close(this.dbName);
  }

  /** Documents, newest import first. */
  listDocuments(): Promise<LibraryDocument[]> {
    return withStorageErrors(async () => (await (await this.db()).getAllFromIndex('documents', 'importedAt')).reverse());
  }

  getDocument(id: string): Promise<LibraryDocument | undefined> {
    return withStorageErrors(async () => (await this.db()).get('documents', id));
  }

  findByHash(contentHash: string): Promise<LibraryDocument | undefined> {
    return withStorageErrors(async () => (await this.db()).getFromIndex('documents', 'contentHash', contentHash));
  }

  getText(docId: string): Promise<LibraryText | undefined> {
    return withStorageErrors(async () => (await this.db()).get('texts', docId));
  }

  allPassages(): Promise<LibraryPassage[]> {
    return withStorageErrors(async () => (await this.db()).getAll('passages'));
  }

  passagesOf(docId: string): Promise<LibraryPassage[]> {
    return withStorageErrors(async () => (await this.db()).getAllFromIndex('passages', 'docId', docId));
  }

  async getPassages(ids: readonly string[]): Promise<Map<string, LibraryPassage>> {
    return withStorageErrors(async () => {
      const tx = (await this.db()).transaction('passages');
      const found = await Promise.all(ids.map((id) => tx.store.get(id)));
      await tx.done;
      const out = new Map<string, LibraryPassage>();
      for (const p of found) if (p) out.set(p.id, p);
      return out;
    });
  }

  getIndex(): Promise<PersistedLibraryIndex | undefined> {
    return withStorageErrors(async () => (await (await this.db()).get('meta', INDEX_KEY)) as PersistedLibraryIndex | undefined);
  }

  /** Stored index segments by key (undefined where one is missing). */
  getIndexSegments(keys: readonly number[]): Promise<(PersistedSegment | undefined)[]> {
    return withStorageErrors(async () => {
      const tx = (await this.db()).transaction('index-segments');
      const found = await Promise.all(keys.map((k) => tx.store.get(k)));
      await tx.done;
      return found;
    });
  }

  /** Stores the index alone (a rebuild): manifest and segments in one transaction. */
  writeIndex(index: LibraryIndexWrite): Promise<void> {
    return withStorageErrors(async () => {
      const tx = (await this.db()).transaction(INDEX_STORES, 'readwrite');
      await allOrNothing(tx, (writes) => queueIndexWrites(tx, index, writes));
    });
  }

  /** Document, text, passages and the updated index in one transaction: all or nothing. */
  addDocument(doc: LibraryDocument, text: LibraryText, passages: readonly LibraryPassage[], index: LibraryIndexWrite): Promise<void> {
    return withStorageErrors(async () => {
      const tx = (await this.db()).transaction(['documents', 'texts', 'passages', ...INDEX_STORES], 'readwrite');
      await allOrNothing(tx, (writes) => {
        writes.push(tx.objectStore('documents').add(doc), tx.objectStore('texts').put(text));
        for (const p of passages) writes.push(tx.objectStore('passages').put(p));
        queueIndexWrites(tx, index, writes);
      });
    });
  }

  /** Removes a document with its text and passages, and stores the updated index, in one transaction. */
  deleteDocument(docId: string, index: LibraryIndexWrite): Promise<void> {
    return withStorageErrors(async () => {
      const tx = (await this.db()).transaction(['documents', 'texts', 'passages', ...INDEX_STORES], 'readwrite');
      const keys = await tx.objectStore('passages').index('docId').getAllKeys(docId);
      await allOrNothing(tx, (writes) => {
        writes.push(tx.objectStore('documents').delete(docId), tx.objectStore('texts').delete(docId));
        for (const k of keys) writes.push(tx.objectStore('passages').delete(k));
        queueIndexWrites(tx, index, writes);
      });
    });
  }
}

/** Queues the index's manifest and segment changes on a transaction that covers INDEX_STORES. */
function queueIndexWrites(tx: WriteTx, index: LibraryIndexWrite, writes: Promise<unknown>[]): void {
  const segments = tx.objectStore('index-segments');
  if (index.replace) writes.push(segments.clear());
  for (const key of index.drop) writes.push(segments.delete(key));
  for (const s of index.put) writes.push(segments.put(s, s.key));
  writes.push(tx.objectStore('meta').put(index.record, INDEX_KEY));
}

/**
 * Queues writes and waits for the transaction. Any failure, even one thrown
 * while queuing writes, aborts the whole transaction: nothing half-written.
 */
async function allOrNothing(tx: WriteTx, queue: (writes: Promise<unknown>[]) => void): Promise<void> {
  const writes: Promise<unknown>[] = [];
  try {
    queue(writes);
    await Promise.all([...writes, tx.done]);
  } catch (error) {
    // The queued writes now fail with AbortError: expected, not unhandled.
    for (const w of [...writes, tx.done]) w.catch(() => undefined);
    try {
      tx.abort();
    } catch {
      // Already aborted by the failure.
    }
    throw error;
  }
}
