/**
 * The reference library as the app uses it: imports files (checks, hashing,
 * duplicate detection, extraction in a worker, passages, index update and
 * ONE storage transaction per document), deletes documents, and searches.
 * The lexical index lives in memory; each change writes only what changed
 * (new segments, dropped ones, tombstones, the manifest) in the document's
 * transaction. At start it is loaded from IndexedDB and rebuilt from the
 * stored passages when its version (tokenizer, format) or its content no
 * longer matches.
 * Shared by the References screen and the checker; the app shell joins them.
 */
import { chunkDocument, groupPassageRows, INDEX_VERSION, LexicalIndex, parsePassagesFile, passageSearchText, type ScoredId } from '../../core/evidence';
import { sha256Hex } from '../../core/dataset/byte-source';
import { checkAcceptable, decodeText, extensionOf, ExtractError, type ExtractedDocument } from '../extract';
import { MedfactError } from '../../protocol/errors';
import { toStorageError } from '../../storage/db';
import { LibraryRepo, LIBRARY_RECORD_VERSION, type LibraryDocument, type LibraryIndexWrite, type LibraryPassage } from '../../storage/library-repo';

export type ImportOutcome =
  | { fileName: string; status: 'added'; docId: string; title: string; passages: number }
  | { fileName: string; status: 'duplicate'; existingTitle: string }
  | { fileName: string; status: 'error'; code: string; message: string };

export interface LibraryHit {
  passage: LibraryPassage;
  /** Document title (or the passage's own, for passages files). */
  title: string;
  score: number;
  rank: number;
}

/** What changed in the library, for what derives from it (the embedder's vectors). */
export type LibraryChange = { type: 'added'; docId: string } | { type: 'deleted'; docId: string; passageIds: string[] };

export interface FileLike {
  name: string;
  size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface LibraryServiceDeps {
  repo?: LibraryRepo;
  /** Text extraction (the worker in the app; in-process in tests). */
  extract: (fileName: string, bytes: Uint8Array) => Promise<ExtractedDocument>;
  now?: () => number;
}

/** Content hash of the whole library: changes whenever a document is added or removed. */
export async function libraryHashOf(docs: readonly Pick<LibraryDocument, 'contentHash'>[]): Promise<string> {
  if (docs.length === 0) return 'empty';
  return (await sha256Hex(docs.map((d) => d.contentHash).sort().join('\n'))).slice(0, 16);
}

export class LibraryService {
  readonly repo: LibraryRepo;
  private index: LexicalIndex | null = null;
  private loading: Promise<LexicalIndex> | null = null;
  private titles = new Map<string, string>();
  private hash = 'empty';
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(change: LibraryChange) => void>();

  constructor(private readonly deps: LibraryServiceDeps) {
    this.repo = deps.repo ?? new LibraryRepo();
  }

  /** The content hash recorded with checks and runs that used the library. */
  get libraryHash(): string {
    return this.hash;
  }

  /** Follows imports and deletions (after they are stored); returns the unsubscribe. */
  onChange(listener: (change: LibraryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: LibraryChange): void {
    for (const listener of [...this.listeners]) listener(change);
  }

  /** Loads (or rebuilds) the index once. */
  ready(): Promise<LexicalIndex> {
    if (this.index) return Promise.resolve(this.index);
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(): Promise<LexicalIndex> {
    const docs = await this.repo.listDocuments();
    this.titles = new Map(docs.map((d) => [d.id, d.title]));
    this.hash = await libraryHashOf(docs);
    const stored = await this.repo.getIndex();
    const passageCount = docs.reduce((n, d) => n + d.passageCount, 0);
    let index: LexicalIndex | null = null;
    if (stored && stored.version === INDEX_VERSION && stored.libraryHash === this.hash && stored.passageCount === passageCount) {
      // A damaged manifest (no segment list) reads no segments; fromStored then says rebuild.
      const keys = Array.isArray(stored.manifest?.segments) ? stored.manifest.segments.map((s) => s.key) : [];
      index = await LexicalIndex.fromStoredInSlices(stored.manifest, await this.repo.getIndexSegments(keys));
    }
    if (!index) {
      // Missing, another version, or out of step with the documents: rebuild from the passages.
      index = new LexicalIndex();
      const passages = await this.repo.allPassages();
      await index.addInSlices(passages.map((p) => ({ id: p.id, text: passageSearchText(p.title ?? this.titles.get(p.docId), p.text) })));
      if (docs.length > 0 || stored) await this.repo.writeIndex(this.indexWrite(index, passageCount));
    }
    this.index = index;
    return index;
  }

  // Indexing runs in slices (LexicalIndex.addInSlices): this runs on the page's thread. Only what changed is written.
  private indexWrite(index: LexicalIndex, passageCount: number, hash = this.hash): LibraryIndexWrite {
    const { manifest, ...changes } = index.takeChanges();
    return { record: { version: INDEX_VERSION, manifest, libraryHash: hash, passageCount }, ...changes };
  }


  /** Imports files one after another; each gets an outcome, none stops the others. */
  importFiles(files: readonly FileLike[], onOutcome?: (o: ImportOutcome, done: number) => void): Promise<ImportOutcome[]> {
    return this.serial(async () => {
      const out: ImportOutcome[] = [];
      for (const f of files) {
        const o = await this.importOne(f);
        out.push(o);
        onOutcome?.(o, out.length);
      }
      return out;
    });
  }

  /**
   * Runs changes to the library one after another: indexing and compaction
   * give the event loop turns, and a deletion during an import's turn would
   * otherwise change the index under it.
   */
  private serial<T>(run: () => Promise<T>): Promise<T> {
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private async importOne(file: FileLike): Promise<ImportOutcome> {
    const fileName = file.name;
    try {
      const ext = extensionOf(fileName);
      const isPassages = ext === 'jsonl' || ext === 'csv';
      if (!isPassages) checkAcceptable(fileName, file.size);
      else if (file.size > 200 * 1024 * 1024) checkAcceptable(fileName, file.size);
      const index = await this.ready();
      const bytes = new Uint8Array(await file.arrayBuffer());
      const contentHash = await sha256Hex(bytes);
      const existing = await this.repo.findByHash(contentHash);
      if (existing) return { fileName, status: 'duplicate', existingTitle: existing.title };

      const docId = `doc-${contentHash.slice(0, 12)}-${(this.deps.now ?? Date.now)().toString(36)}`;
      let title: string;
      let kind: LibraryDocument['kind'];
      let text: string;
      let pages: { page: number; start: number }[] | null = null;
      let passages: LibraryPassage[];
      let source: string | null = null;
      if (isPassages) {
        const parsed = await parsePassagesFile(decodeText(bytes), ext === 'csv' ? 'csv' : 'jsonl');
        if (parsed.rows.length === 0) {
          const first = parsed.issues[0];
          throw new ExtractError('EMPTY', `${fileName}: no usable passages${first ? ` (${first.message})` : ''}.`);
        }
        // One library document per file; rows keep their own title, and their id under the document's.
        const groups = groupPassageRows(parsed.rows, fileName);
        title = fileName.replace(/\.[^.]+$/, '');
        kind = 'passages';
        source = parsed.rows.find((r) => r.source)?.source ?? null;
        text = '';
        passages = [];
        for (const g of groups) {
          const offset = text.length === 0 ? 0 : text.length + 2;
          text = text.length === 0 ? g.text : `${text}\n\n${g.text}`;
          for (const p of g.passages) passages.push({ ...p, id: `${docId}:${p.id}`, docId, start: p.start + offset, end: p.end + offset, title: g.title || title });
        }
      } else {
        const doc = await this.deps.extract(fileName, bytes);
        title = doc.title;
        kind = doc.kind;
        text = doc.text;
        pages = doc.pages ?? null;
        passages = chunkDocument(docId, doc);
      }
      if (passages.length === 0) throw new ExtractError('EMPTY', `${fileName} contains no text to index.`);

      const record: LibraryDocument = {
        v: LIBRARY_RECORD_VERSION,
        id: docId,
        title,
        fileName,
        source,
        kind,
        importedAt: (this.deps.now ?? Date.now)(),
        contentHash,
        sizeBytes: file.size,
        pageCount: pages ? pages.length : null,
        passageCount: passages.length,
      };
      const docs = await this.repo.listDocuments();
      const newHash = await libraryHashOf([...docs, record]);
      const passageCount = docs.reduce((n, d) => n + d.passageCount, 0) + passages.length;
      await index.addInSlices(passages.map((p) => ({ id: p.id, text: passageSearchText(p.title ?? title, p.text) })));
      try {
        await this.repo.addDocument(record, { docId, text, pages }, passages, this.indexWrite(index, passageCount, newHash));
      } catch (error) {
        // Nothing was written: the next use loads the index again from storage, without these passages.
        this.index = null;
        throw toStorageError(error);
      }
      this.titles.set(docId, title);
      this.hash = newHash;
      this.emit({ type: 'added', docId });
      return { fileName, status: 'added', docId, title, passages: passages.length };
    } catch (error) {
      if (error instanceof ExtractError) return { fileName, status: 'error', code: error.code, message: error.message };
      if (error instanceof MedfactError) return { fileName, status: 'error', code: error.code, message: `${fileName}: ${error.message}` };
      return { fileName, status: 'error', code: 'INTERNAL', message: `${fileName}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /** Deletes a document, its passages and its index entries (one transaction), after any import in progress. */
  deleteDocument(docId: string): Promise<void> {
    return this.serial(() => this.deleteOne(docId));
  }

  private async deleteOne(docId: string): Promise<void> {
    const index = await this.ready();
    const passages = await this.repo.passagesOf(docId);
    const docs = (await this.repo.listDocuments()).filter((d) => d.id !== docId);
    const newHash = await libraryHashOf(docs);
    const ids = passages.map((p) => p.id);
    await index.removeInSlices(ids);
    try {
      await this.repo.deleteDocument(docId, this.indexWrite(index, docs.reduce((n, d) => n + d.passageCount, 0), newHash));
    } catch (error) {
      // Storage unchanged: restore the in-memory index from it.
      this.index = null;
      await this.ready();
      throw error;
    }
    this.titles.delete(docId);
    this.hash = newHash;
    this.emit({ type: 'deleted', docId, passageIds: ids });
  }

  /** Ranked passages for a query (the same ranking `medfact retrieve` uses). */
  async search(query: string, k: number): Promise<LibraryHit[]> {
    const index = await this.ready();
    return this.resolve(index.search(query, k));
  }

  /** Passages with titles for ranked ids, in order (ids no longer stored are skipped). */
  async resolve(hits: readonly ScoredId[]): Promise<LibraryHit[]> {
    const found = await this.repo.getPassages(hits.map((h) => h.id));
    const out: LibraryHit[] = [];
    for (const h of hits) {
      const passage = found.get(h.id);
      if (!passage) continue;
      out.push({ passage, title: passage.title ?? this.titles.get(passage.docId) ?? '', score: h.score, rank: out.length + 1 });
    }
    return out;
  }

  /** The in-memory index (for retrieval over a checked text). */
  lexicalIndex(): Promise<LexicalIndex> {
    return this.ready();
  }
}
