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
import type { DBSchema, IDBPDatabase, IDBPObjectStore, IDBPTransaction, StoreNames } from 'idb';
import type { IndexManifest, Passage, PersistedSegment, SegmentData } from '../core/evidence';
import { sharedDatabase, withStorageErrors } from './db';

export const LIBRARY_DB_NAME = 'medfact-library';
// 2: the `vectors` store (the embedder role's passage vectors).
// 3: the `index-segments` store (the lexical index's typed-array segments; the JSON index of 1–2 is rebuilt once).
const LIBRARY_DB_VERSION = 3;
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

/**
 * A passage's vector from one embedder. `model` is the embedder's id and
 * vector length (`<model id>#<dims>`, see vectorModelKey), so vectors of two
 * embedders are never mixed; the key is [model, passage id].
 */
export interface LibraryVector {
  model: string;
  id: string;
  docId: string;
  vector: Float32Array;
}

interface LibraryDb extends DBSchema {
  documents: { key: string; value: LibraryDocument; indexes: { contentHash: string; importedAt: number } };
  texts: { key: string; value: LibraryText };
  passages: { key: string; value: LibraryPassage; indexes: { docId: string } };
  meta: { key: string; value: unknown };
  'index-segments': { key: number; value: PersistedSegment | StoredSegment };
  vectors: { key: [string, string]; value: LibraryVector; indexes: { docId: string; model: string } };
}

type Db = IDBPDatabase<LibraryDb>;
type WriteTx = IDBPTransaction<LibraryDb, ArrayLike<StoreNames<LibraryDb>>, 'readwrite'>;
const INDEX_KEY = 'lexical-index';
const INDEX_STORES = ['meta', 'index-segments'] as const;
/** Queuing time (each value is cloned as it is queued) before a write gives the event loop a turn. */
const WRITE_SLICE_MS = 8;
type Queue = (...requests: Promise<unknown>[]) => void;
/** Bytes of one piece of a stored segment's postings (see StoredSegment). */
const PIECE_BYTES = 4 * 1024 * 1024;

/**
 * A segment as written since issue 15: its postings (`docs`, `tfs`: nearly
 * all of its bytes) as Blobs. IndexedDB clones a value when it is queued, on
 * the page's thread: a merged segment of 15,000 passages (23 MB of postings)
 * took 44 ms to queue as typed arrays, while the same bytes copied into Blobs
 * piece by piece, with turns in between, and queued as Blobs take a few
 * milliseconds a piece and 0.2 ms to queue (measured in Chromium 156).
 * Segments written before (typed arrays inline, PersistedSegment) are read
 * as they are.
 */
interface StoredSegment {
  version: string;
  key: number;
  data: Omit<SegmentData, 'docs' | 'tfs'> & { docs: Blob; tfs: Blob; tfBytes: 1 | 2 | 4 };
}

const isStoredSegment = (v: PersistedSegment | StoredSegment | undefined): v is StoredSegment => v !== undefined && typeof Blob !== 'undefined' && v.data?.docs instanceof Blob;

/** `array`'s bytes as a Blob, copied a piece at a time with a paced turn before each. */
async function blobOf(array: SegmentData['docs'] | SegmentData['tfs'], pace: () => Promise<void>): Promise<Blob> {
  const parts: Blob[] = [];
  const step = Math.max(1, Math.floor(PIECE_BYTES / array.BYTES_PER_ELEMENT));
  for (let at = 0; at < array.length; at += step) {
    await pace();
    parts.push(new Blob([array.subarray(at, Math.min(array.length, at + step)) as Uint8Array<ArrayBuffer>]));
  }
  return new Blob(parts);
}

async function toStored(s: PersistedSegment, pace: () => Promise<void>): Promise<StoredSegment> {
  const { docs, tfs, ...rest } = s.data;
  return { version: s.version, key: s.key, data: { ...rest, docs: await blobOf(docs, pace), tfs: await blobOf(tfs, pace), tfBytes: tfs.BYTES_PER_ELEMENT as 1 | 2 | 4 } };
}

/** A stored segment back in memory; one whose Blobs cannot be read, or do not fit, comes back undefined (the index is then rebuilt). */
async function fromStored(s: PersistedSegment | StoredSegment | undefined): Promise<PersistedSegment | undefined> {
  if (!isStoredSegment(s)) return s;
  const { docs, tfs, tfBytes, ...rest } = s.data;
  try {
    const [d, t] = await Promise.all([docs.arrayBuffer(), tfs.arrayBuffer()]);
    if (d.byteLength % 4 !== 0 || t.byteLength % tfBytes !== 0) return undefined;
    const tfArray = tfBytes === 1 ? new Uint8Array(t) : tfBytes === 2 ? new Uint16Array(t) : new Uint32Array(t);
    return { version: s.version, key: s.key, data: { ...rest, docs: new Uint32Array(d), tfs: tfArray } };
  } catch {
    return undefined;
  }
}

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
    upgradeVectors(db);
    // Version 3: the lexical index's segments (the old JSON index in `meta` is of an older version and gets rebuilt).
    if (!db.objectStoreNames.contains('index-segments')) db.createObjectStore('index-segments');
  },
  unsupported: 'This browser offers no IndexedDB (private mode?). The reference library cannot be kept.',
});

/** Adds the vectors store (additive: an older database keeps everything it had). */
function upgradeVectors(db: IDBPDatabase<LibraryDb>): void {
  if (db.objectStoreNames.contains('vectors')) return;
  const store = db.createObjectStore('vectors', { keyPath: ['model', 'id'] });
  store.createIndex('docId', 'docId');
  store.createIndex('model', 'model');
}

/** The key of one embedder's vectors: its model id and vector length. */
export function vectorModelKey(modelId: string, dims: number): string {
  return `${modelId}#${dims}`;
}

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
      return Promise.all(found.map(fromStored));
    });
  }

  /** Stores the index alone (a rebuild): manifest and segments in one transaction. */
  writeIndex(index: LibraryIndexWrite): Promise<void> {
    return withStorageErrors(async () => {
      const tx = (await this.db()).transaction(INDEX_STORES, 'readwrite');
      await allOrNothing(tx, (queue, pace) => queueIndexWrites(tx, index, queue, pace));
    });
  }

  /** Document, text, passages and the updated index in one transaction: all or nothing. */
  addDocument(doc: LibraryDocument, text: LibraryText, passages: readonly LibraryPassage[], index: LibraryIndexWrite): Promise<void> {
    return withStorageErrors(async () => {
      const tx = (await this.db()).transaction(['documents', 'texts', 'passages', ...INDEX_STORES], 'readwrite');
      await allOrNothing(tx, async (queue, pace) => {
        queue(tx.objectStore('documents').add(doc), tx.objectStore('texts').put(text));
        for (const p of passages) {
          await pace();
          queue(tx.objectStore('passages').put(p));
        }
        await queueIndexWrites(tx, index, queue, pace);
      });
    });
  }

  /** Removes a document with its text and passages, and stores the updated index, in one transaction. */
  deleteDocument(docId: string, index: LibraryIndexWrite): Promise<void> {
    return withStorageErrors(async () => {
      const tx = (await this.db()).transaction(['documents', 'texts', 'passages', 'meta', 'index-segments', 'vectors'], 'readwrite');
      // All or nothing, even when a write throws while being queued (a full disk): no document left half-deleted.
      await allOrNothing(tx, async (queue, pace) => {
        const keys = await tx.objectStore('passages').index('docId').getAllKeys(docId);
        queue(tx.objectStore('documents').delete(docId), tx.objectStore('texts').delete(docId));
        for (const k of keys) queue(tx.objectStore('passages').delete(k));
        await queueIndexWrites(tx, index, queue, pace);
        queue(deleteVectorsOfDocument(tx.objectStore('vectors'), docId));
      });
    });
  }

  // ---- the embedder's passage vectors (dense retrieval) ----

  /** Every embedder with stored vectors, and how many (for the storage panel). */
  vectorModels(): Promise<{ model: string; count: number }[]> {
    return withStorageErrors(async () => {
      const tx = (await this.db()).transaction('vectors');
      const models: string[] = [];
      for (let c = await tx.store.index('model').openKeyCursor(null, 'nextunique'); c; c = await c.continue()) models.push(c.key);
      const out = await Promise.all(models.map(async (model) => ({ model, count: await tx.store.index('model').count(model) })));
      await tx.done;
      return out;
    });
  }

  /** How many vectors one embedder has stored. */
  countVectors(model: string): Promise<number> {
    return withStorageErrors(async () => (await this.db()).countFromIndex('vectors', 'model', model));
  }

  /** One page of an embedder's vectors in key order, after `after` (a passage id): for loading in slices. */
  vectorsPage(model: string, after: string | null, count: number): Promise<LibraryVector[]> {
    return withStorageErrors(async () => {
      const range = after === null ? IDBKeyRange.bound([model], [model, []]) : IDBKeyRange.bound([model, after], [model, []], true);
      return (await this.db()).getAll('vectors', range, count);
    });
  }

  /**
   * Stores vectors in one transaction: all or nothing (a full disk writes
   * none of them). A vector whose passage is gone (its document was deleted
   * meanwhile) is not written. Returns the passage ids written.
   */
  putVectors(vectors: readonly LibraryVector[]): Promise<string[]> {
    return withStorageErrors(async () => {
      const tx = (await this.db()).transaction(['passages', 'vectors'], 'readwrite');
      let kept: readonly LibraryVector[] = [];
      await allOrNothing(tx, async (queue) => {
        const exists = await Promise.all(vectors.map((v) => tx.objectStore('passages').getKey(v.id)));
        kept = vectors.filter((_, i) => exists[i] !== undefined);
        for (const v of kept) queue(tx.objectStore('vectors').put(v));
      });
      return kept.map((v) => v.id);
    });
  }

  /** Removes the vectors of every embedder but `keep` (switching embedder invalidates the old vectors). Returns how many went. */
  deleteVectorsExcept(keep: string): Promise<number> {
    return withStorageErrors(async () => {
      const tx = (await this.db()).transaction('vectors', 'readwrite');
      const index = tx.store.index('model');
      let removed = 0;
      // Every model key before `keep`, then every one after it: the kept vectors are never visited.
      for (const range of [IDBKeyRange.upperBound(keep, true), IDBKeyRange.lowerBound(keep, true)]) {
        for (let cursor = await index.openKeyCursor(range); cursor; cursor = await cursor.continue()) {
          removed += 1;
          await tx.store.delete(cursor.primaryKey);
        }
      }
      await tx.done;
      return removed;
    });
  }
}

/** Queues the index's manifest and segment changes on a transaction that covers INDEX_STORES, paced. */
async function queueIndexWrites(tx: WriteTx, index: LibraryIndexWrite, queue: Queue, pace: () => Promise<void>): Promise<void> {
  const segments = tx.objectStore('index-segments');
  if (index.replace) queue(segments.clear());
  for (const key of index.drop) queue(segments.delete(key));
  for (const s of index.put) {
    const stored = await toStored(s, pace);
    await pace();
    queue(segments.put(stored, s.key));
  }
  queue(tx.objectStore('meta').put(index.record, INDEX_KEY));
}

/**
 * Runs `write` (which queues requests on `tx`) and waits for the commit; any
 * failure, also one thrown while queuing, aborts the whole transaction, and
 * the queued requests' AbortErrors are expected, not unhandled.
 */
async function allOrNothing(tx: WriteTx, write: (queue: Queue, pace: () => Promise<void>) => Promise<void>): Promise<void> {
  const pending: Promise<unknown>[] = [];
  // Handled here too: the commit may fail while `write` is still queuing.
  tx.done.catch(() => undefined);
  let started = performance.now();
  // Each request's value is cloned when it is queued: queuing a document's passages and a merged index segment
  // in one go was a main-thread task of 70–230 ms once the library had 15,000 passages (issue 15). After
  // WRITE_SLICE_MS of work, a small read in the same transaction gives the event loop a turn: requests run in
  // order, its success event is a new task after the writes queued before it, and the transaction is active
  // again there, so the rest is queued in the same transaction (still all or nothing).
  const store = (tx.objectStoreNames.contains('meta') ? 'meta' : tx.objectStoreNames[0]) as 'meta';
  const pace = async (): Promise<void> => {
    if (performance.now() - started < WRITE_SLICE_MS) return;
    await tx.objectStore(store).getKey('medfact-pace'); // a key no record has: a read of one key
    started = performance.now();
  };
  try {
    await write((...requests) => pending.push(...requests), pace);
    await Promise.all([...pending, tx.done]);
  } catch (error) {
    for (const w of [...pending, tx.done]) w.catch(() => undefined);
    try {
      tx.abort();
    } catch {
      // Already aborted by the failure.
    }
    throw error;
  }
}

/** Queues the deletion of a document's vectors (every embedder's) inside the caller's transaction. */
function deleteVectorsOfDocument(store: IDBPObjectStore<LibraryDb, ArrayLike<StoreNames<LibraryDb>>, 'vectors', 'readwrite'>, docId: string): Promise<void> {
  return store
    .index('docId')
    .getAllKeys(docId)
    .then((keys) => Promise.all(keys.map((k) => store.delete(k))))
    .then(() => undefined);
}
