/**
 * The dense side of the app's reference library (the `embedder` role,
 * issue 11): passage vectors computed by the loaded embedder (in its engine
 * worker) and kept in IndexedDB beside the passages, keyed by passage id and
 * by the embedder (model id and vector length), so vectors of two embedders
 * are never mixed.
 *
 * - Choosing an embedder removes the other embedders' vectors and computes
 *   the missing ones in slices (backfill), with progress; the page only
 *   stores and indexes each slice, so no main-thread task is long.
 * - Resumable: what was stored stays; a restart, a new import or "continue"
 *   computes only the passages without a vector. Cancellable.
 * - Each slice is one storage transaction: a full disk stores none of it and
 *   says so; vectors of a document deleted meanwhile are never written.
 * - Deleting a document removes its vectors in the document's own
 *   transaction (LibraryRepo.deleteDocument) and here from memory.
 * The app shell hands the loaded embedder over (setEmbedder); the checker's
 * evidence source asks for `retrieval()`.
 */
import { create } from 'zustand';
import { DenseIndex, passageSearchText, type DenseRetrieval } from '../../core/evidence';
import { isAbortError, MedfactError, toMedfactError } from '../../protocol/errors';
import { vectorModelKey, type LibraryRepo, type LibraryVector } from '../../storage/library-repo';
import { getLibrary } from './library-instance';
import type { LibraryService } from './library-service';

/** The loaded embedder as the library uses it. */
export interface EmbedderHandle {
  modelId: string;
  dims: number;
  embed(texts: string[], kind: 'query' | 'passage', signal?: AbortSignal): Promise<Float32Array[]>;
}

export interface EmbedProgress {
  /** The embedder's model id; null when none is loaded. */
  model: string | null;
  /** off: no embedder; running: computing vectors; done: every passage has one. */
  state: 'off' | 'running' | 'done' | 'cancelled' | 'error';
  /** Passages with a vector of this embedder. */
  done: number;
  /** Passages in the library. */
  total: number;
  error: { code: string; message: string } | null;
}

const initial = (): EmbedProgress => ({ model: null, state: 'off', done: 0, total: 0, error: null });

/** What the References screen shows (`library-embed-progress`). */
export const useEmbedProgress = create<EmbedProgress>()(() => initial());

/** Passages per embedding request (and per storage transaction). */
export const EMBED_SLICE = 16;
/** Stored vectors read per page when loading. */
const LOAD_PAGE = 256;

const yieldToPage = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class DenseLibrary {
  private handle: EmbedderHandle | null = null;
  private index: DenseIndex | null = null;
  private loadingIndex: Promise<DenseIndex> | null = null;
  private run: { controller: AbortController; promise: Promise<void> } | null = null;
  /** An import arrived while a run was going: run again for its passages. */
  private again = false;

  constructor(
    private readonly library: LibraryService,
    private readonly repo: LibraryRepo = library.repo,
  ) {
    library.onChange((change) => {
      if (change.type === 'deleted') {
        this.index?.remove(change.passageIds);
        void this.recount();
      } else if (this.handle) {
        void this.sync();
      }
    });
  }

  get embedder(): EmbedderHandle | null {
    return this.handle;
  }

  private set(patch: Partial<EmbedProgress>): void {
    useEmbedProgress.setState(patch);
  }

  /**
   * The loaded embedder, or null. Another embedder (model or vector length)
   * invalidates the vectors: the old ones are removed and the library is
   * embedded again. The same embedder only refreshes the handle.
   */
  setEmbedder(handle: EmbedderHandle | null): Promise<void> {
    const same = handle && this.handle && handle.modelId === this.handle.modelId && handle.dims === this.handle.dims;
    this.handle = handle;
    if (same) return this.sync();
    this.cancel();
    this.index = null;
    this.loadingIndex = null;
    if (!handle) {
      useEmbedProgress.setState(initial());
      return Promise.resolve();
    }
    this.set({ model: handle.modelId, state: 'running', done: 0, total: 0, error: null });
    return this.sync();
  }

  /** Stops the running backfill; what it stored stays. */
  cancel(): void {
    this.again = false;
    this.run?.controller.abort();
  }

  /** Computes the vectors the library lacks for the loaded embedder (resumable: only missing ones). */
  sync(): Promise<void> {
    const handle = this.handle;
    if (!handle) return Promise.resolve();
    if (this.run && !this.run.controller.signal.aborted) {
      this.again = true;
      return this.run.promise;
    }
    const previous = this.run?.promise ?? Promise.resolve();
    const controller = new AbortController();
    const promise = previous
      .catch(() => undefined)
      .then(() => this.backfill(handle, controller.signal))
      .finally(() => {
        if (this.run?.controller !== controller) return;
        this.run = null;
        if (this.again && this.handle === handle) {
          this.again = false;
          void this.sync();
        }
      });
    this.run = { controller, promise };
    return promise;
  }

  /** The dense side of retrieval for the checker, or undefined (no embedder, or no vectors yet). */
  async retrieval(): Promise<(DenseRetrieval & { model: string }) | undefined> {
    const handle = this.handle;
    if (!handle) return undefined;
    const index = await this.ensureIndex(handle);
    if (index.size === 0 || this.handle !== handle) return undefined;
    return { index, model: handle.modelId, embed: (texts, signal) => handle.embed(texts, 'query', signal) };
  }

  /** The in-memory vectors of the loaded embedder, read from storage once (in pages). */
  private ensureIndex(handle: EmbedderHandle): Promise<DenseIndex> {
    if (this.index && this.index.model === handle.modelId && this.index.dims === handle.dims) return Promise.resolve(this.index);
    this.loadingIndex ??= (async () => {
      const key = vectorModelKey(handle.modelId, handle.dims);
      const index = new DenseIndex(handle.modelId, handle.dims);
      let after: string | null = null;
      for (;;) {
        const page: LibraryVector[] = await this.repo.vectorsPage(key, after, LOAD_PAGE);
        index.add(page.filter((v) => v.vector.length === handle.dims).map((v) => ({ id: v.id, vector: v.vector })));
        if (page.length < LOAD_PAGE) break;
        after = (page[page.length - 1] as LibraryVector).id;
        await yieldToPage();
      }
      if (this.handle === handle) this.index = index;
      return index;
    })().finally(() => {
      this.loadingIndex = null;
    });
    return this.loadingIndex;
  }

  private async recount(): Promise<void> {
    if (!this.handle) return;
    const docs = await this.repo.listDocuments();
    this.set({ total: docs.reduce((n, d) => n + d.passageCount, 0), done: this.index?.size ?? useEmbedProgress.getState().done });
  }

  private async backfill(handle: EmbedderHandle, signal: AbortSignal): Promise<void> {
    if (this.handle !== handle) return;
    const key = vectorModelKey(handle.modelId, handle.dims);
    this.set({ model: handle.modelId, state: 'running', error: null });
    try {
      await this.repo.deleteVectorsExcept(key);
      const index = await this.ensureIndex(handle);
      const [passages, docs] = await Promise.all([this.repo.allPassages(), this.repo.listDocuments()]);
      const titles = new Map(docs.map((d) => [d.id, d.title]));
      const missing = passages.filter((p) => !index.has(p.id));
      this.set({ done: passages.length - missing.length, total: passages.length });
      for (let i = 0; i < missing.length; i += EMBED_SLICE) {
        signal.throwIfAborted();
        const slice = missing.slice(i, i + EMBED_SLICE);
        const vectors = await handle.embed(
          slice.map((p) => passageSearchText(p.title ?? titles.get(p.docId), p.text)),
          'passage',
          signal,
        );
        signal.throwIfAborted();
        if (vectors.length !== slice.length || vectors.some((v) => v.length !== handle.dims)) {
          throw new MedfactError('INTERNAL', `The embedder returned ${vectors.length} vectors for ${slice.length} passages, or vectors of another length than ${handle.dims}.`);
        }
        const records = slice.map((p, j): LibraryVector => ({ model: key, id: p.id, docId: p.docId, vector: vectors[j] as Float32Array }));
        const written = new Set(await this.repo.putVectors(records));
        index.add(records.filter((r) => written.has(r.id)).map((r) => ({ id: r.id, vector: r.vector })));
        this.set({ done: index.size });
        await yieldToPage();
      }
      await this.recount();
      this.set({ state: 'done', done: index.size });
    } catch (error) {
      if (isAbortError(error) || signal.aborted) {
        if (this.handle === handle) this.set({ state: 'cancelled' });
        return;
      }
      // Storage failures arrive typed (a full disk: QUOTA_EXCEEDED, "Storage on this device is full…").
      const typed = toMedfactError(error);
      this.set({ state: 'error', error: { code: typed.code, message: typed.message } });
    }
  }
}

let instance: DenseLibrary | undefined;

/** The app's one dense library, over the app's one library. */
export function getDenseLibrary(): DenseLibrary {
  instance ??= new DenseLibrary(getLibrary());
  return instance;
}
