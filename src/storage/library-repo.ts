/**
 * The reference library (参考资料库) in IndexedDB: documents (title, file
 * name, source, import date, content hash, pages, passage count), their
 * extracted text, their passages, and the persisted lexical index. A
 * database of its own ("medfact-library"), so the library evolves its schema
 * without touching the app database. Each import or deletion is ONE
 * transaction over documents, texts, passages and the index: a full disk or
 * a crash leaves the library as it was, never half-indexed.
 */
import type { DBSchema, IDBPDatabase } from 'idb';
import type { Passage } from '../core/evidence';
import { sharedDatabase, withStorageErrors } from './db';

export const LIBRARY_DB_NAME = 'medfact-library';
const LIBRARY_DB_VERSION = 1;
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
  json: string;
  /** Hash over the documents' content hashes when this index was written. */
  libraryHash: string;
  passageCount: number;
}

interface LibraryDb extends DBSchema {
  documents: { key: string; value: LibraryDocument; indexes: { contentHash: string; importedAt: number } };
  texts: { key: string; value: LibraryText };
  passages: { key: string; value: LibraryPassage; indexes: { docId: string } };
  meta: { key: string; value: unknown };
}

type Db = IDBPDatabase<LibraryDb>;
const INDEX_KEY = 'lexical-index';

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

  putIndex(index: PersistedLibraryIndex): Promise<void> {
    return withStorageErrors(async () => {
      await (await this.db()).put('meta', index, INDEX_KEY);
    });
  }

  /** Document, text, passages and the updated index in one transaction: all or nothing. */
  addDocument(doc: LibraryDocument, text: LibraryText, passages: readonly LibraryPassage[], index: PersistedLibraryIndex): Promise<void> {
    return withStorageErrors(async () => {
      const tx = (await this.db()).transaction(['documents', 'texts', 'passages', 'meta'], 'readwrite');
      const writes: Promise<unknown>[] = [tx.objectStore('documents').add(doc), tx.objectStore('texts').put(text)];
      for (const p of passages) writes.push(tx.objectStore('passages').put(p));
      writes.push(tx.objectStore('meta').put(index, INDEX_KEY));
      try {
        await Promise.all([...writes, tx.done]);
      } catch (error) {
        try {
          tx.abort();
        } catch {
          // Already aborted by the failure.
        }
        throw error;
      }
    });
  }

  /** Removes a document with its text and passages, and stores the updated index, in one transaction. */
  deleteDocument(docId: string, index: PersistedLibraryIndex): Promise<void> {
    return withStorageErrors(async () => {
      const tx = (await this.db()).transaction(['documents', 'texts', 'passages', 'meta'], 'readwrite');
      const keys = await tx.objectStore('passages').index('docId').getAllKeys(docId);
      await Promise.all([
        tx.objectStore('documents').delete(docId),
        tx.objectStore('texts').delete(docId),
        ...keys.map((k) => tx.objectStore('passages').delete(k)),
        tx.objectStore('meta').put(index, INDEX_KEY),
        tx.done,
      ]);
    });
  }
}
