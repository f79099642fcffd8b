/**
 * The library's dense side end to end in Node: the REAL fixture embedder
 * (fixture/tiny-embedder through transformers.js, served by the local
 * mirror), the real LibraryService and LibraryRepo over fake-indexeddb.
 * Backfill stores one vector per passage; a new import is embedded; a
 * cancelled backfill resumes with only the missing passages; another
 * embedder invalidates the old vectors; deleting a document removes its
 * vectors; a full disk stops with a clear message and stores nothing of the
 * failing slice; and hybrid retrieval finds a passage that shares no
 * character bigram with the query, which lexical retrieval cannot.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { denseRankerFor, LexicalIndex, passageSearchText, retrievalQueries, retrieveForText } from '../../src/core/evidence';
import { extractDocument } from '../../src/domain/extract';
import { DenseLibrary, EMBED_SLICE, useEmbedProgress, type EmbedderHandle } from '../../src/domain/library/dense-library';
import { LibraryService, type FileLike } from '../../src/domain/library/library-service';
import { LibraryRepo, vectorModelKey } from '../../src/storage/library-repo';
import { createEmbedder, type Embedder } from '../../workers/embedder-engine';
import { ensureFixtureModels } from '../fixtures/ensure-models';
import { startMirrorServer, type MirrorServer } from '../fixtures/mirror-server';
import { EMBEDDER_DIMS } from '../fixtures/onnx/embedder-model';

const MODEL = 'fixture/tiny-embedder';
let mirror: MirrorServer;
let cacheDir: string;
let embedder: Embedder;

beforeAll(async () => {
  mirror = await startMirrorServer({ root: await ensureFixtureModels() });
  cacheDir = await mkdtemp(join(tmpdir(), 'medfact-dense-library-'));
  embedder = createEmbedder({ cacheDir });
  await embedder.load({ id: MODEL, hubHost: mirror.url, mirrorOnly: true, device: 'cpu', dtype: 'fp32' });
});

afterAll(async () => {
  await embedder?.unload();
  await mirror?.close();
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
});

// Text files only here: pdf.js is never loaded.
const extract = (name: string, bytes: Uint8Array) =>
  extractDocument(name, bytes, {
    loadPdfjs: () => Promise.reject(new Error('no PDF in this test')),
    pdfAssets: { cMapUrl: '', standardFontDataUrl: '' },
  });
const file = (name: string, content: string): FileLike => {
  const bytes = new TextEncoder().encode(content);
  return { name, size: bytes.byteLength, arrayBuffer: async () => bytes.slice().buffer };
};

let n = 0;
const repos: LibraryRepo[] = [];
function fresh(): { repo: LibraryRepo; library: LibraryService; dense: DenseLibrary } {
  const repo = new LibraryRepo(`medfact-dense-library-test-${++n}`);
  repos.push(repo);
  const library = new LibraryService({ repo, extract });
  return { repo, library, dense: new DenseLibrary(library, repo) };
}
afterEach(async () => {
  for (const r of repos.splice(0)) await r.close();
});

/** The real embedder as the library sees it, counting the passages it was asked to embed. */
function handle(modelId = MODEL): EmbedderHandle & { passages: string[] } {
  const passages: string[] = [];
  return {
    modelId,
    dims: EMBEDDER_DIMS,
    passages,
    async embed(texts, kind, signal) {
      if (kind === 'passage') passages.push(...texts);
      return embedder.embed(texts, kind, signal);
    },
  };
}

/** Many short passages: each line is its own document of one passage. */
function documents(count: number): FileLike[] {
  return Array.from({ length: count }, (_, i) => file(`药品${i}.txt`, `第${i}号药品说明：成人每日口服${i + 1}次，饭后服用，孕妇慎用。`));
}

const QUERY = '对青霉素过敏者禁用本品。';
/** QUERY's characters in reverse order: the same bag of characters, not one character bigram in common. */
const REVERSED = [...QUERY.replace('。', '')].reverse().join('') + '。';

describe('the library’s passage vectors (real fixture embedder)', () => {
  it('embeds every passage, then new imports, and forgets a deleted document’s vectors', async () => {
    const { repo, library, dense } = fresh();
    await library.importFiles(documents(5));
    const h = handle();
    await dense.setEmbedder(h);
    const key = vectorModelKey(MODEL, EMBEDDER_DIMS);
    expect(await repo.countVectors(key)).toBe(5);
    expect(useEmbedProgress.getState()).toMatchObject({ model: MODEL, state: 'done', done: 5, total: 5, error: null });

    const [added] = await library.importFiles([file('备忘.txt', REVERSED)]);
    await dense.sync();
    expect(await repo.countVectors(key)).toBe(6);
    // Only the new passage was embedded.
    expect(h.passages).toHaveLength(6);

    if (added?.status !== 'added') throw new Error('import failed');
    await library.deleteDocument(added.docId);
    expect(await repo.countVectors(key)).toBe(5);
    const retrieval = await dense.retrieval();
    expect(retrieval?.index.size).toBe(5);
    expect(retrieval?.index.has(`${added.docId}:0`)).toBe(false);
  });

  it('resumes a cancelled backfill with only the missing passages, and another embedder starts over', async () => {
    const { repo, library, dense } = fresh();
    await library.importFiles(documents(EMBED_SLICE * 3));
    const first = handle();
    const cancelAfterFirstSlice: EmbedderHandle = {
      ...first,
      async embed(texts, kind, signal) {
        const out = await first.embed(texts, kind, signal);
        if (kind === 'passage') dense.cancel();
        return out;
      },
    };
    await dense.setEmbedder(cancelAfterFirstSlice);
    expect(useEmbedProgress.getState()).toMatchObject({ state: 'cancelled' });
    const key = vectorModelKey(MODEL, EMBEDDER_DIMS);
    // The slice embedded when the cancel came is not stored (the run stopped before writing it); nothing is half-written.
    expect(await repo.countVectors(key)).toBe(0);
    expect(first.passages).toHaveLength(EMBED_SLICE);

    // Resume (a restart: a new DenseLibrary over the same storage) after one slice was stored.
    const stored = (await repo.allPassages()).slice(0, EMBED_SLICE);
    const vectors = await embedder.embed(stored.map((p) => passageSearchText(p.title, p.text)), 'passage');
    await repo.putVectors(stored.map((p, i) => ({ model: key, id: p.id, docId: p.docId, vector: vectors[i]! })));
    const again = new DenseLibrary(library, repo);
    const resumed = handle();
    await again.setEmbedder(resumed);
    expect(resumed.passages).toHaveLength(EMBED_SLICE * 2);
    expect(await repo.countVectors(key)).toBe(EMBED_SLICE * 3);
    expect(useEmbedProgress.getState()).toMatchObject({ state: 'done', done: EMBED_SLICE * 3, total: EMBED_SLICE * 3 });

    // Another embedder (another model id): the old vectors go, every passage is embedded again.
    const other = handle('fixture/tiny-embedder-b');
    await again.setEmbedder(other);
    expect(other.passages).toHaveLength(EMBED_SLICE * 3);
    expect(await repo.countVectors(key)).toBe(0);
    expect(await repo.countVectors(vectorModelKey('fixture/tiny-embedder-b', EMBEDDER_DIMS))).toBe(EMBED_SLICE * 3);
  });

  it('stops with a clear message on a full disk, keeps what was stored, and finishes once there is room', async () => {
    const { repo, library, dense } = fresh();
    await library.importFiles(documents(EMBED_SLICE * 2));
    const key = vectorModelKey(MODEL, EMBEDDER_DIMS);
    const proto = globalThis.IDBObjectStore.prototype;
    const realPut = proto.put;
    let writes = 0;
    // FAKE at the IndexedDB boundary: the disk is full from the second slice's third vector on.
    proto.put = function put(this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'vectors' && ++writes > EMBED_SLICE + 2) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return realPut.apply(this, args);
    };
    try {
      await dense.setEmbedder(handle());
    } finally {
      proto.put = realPut;
    }
    expect(useEmbedProgress.getState()).toMatchObject({ state: 'error', done: EMBED_SLICE, error: { code: 'QUOTA_EXCEEDED' } });
    expect(useEmbedProgress.getState().error?.message).toMatch(/Storage on this device is full/);
    expect(await repo.countVectors(key)).toBe(EMBED_SLICE);
    await dense.sync();
    expect(await repo.countVectors(key)).toBe(EMBED_SLICE * 2);
    expect(useEmbedProgress.getState()).toMatchObject({ state: 'done', done: EMBED_SLICE * 2 });
  });

  it('hybrid retrieval finds a passage with no character bigram in common with the query; lexical retrieval does not', async () => {
    const { repo, library, dense } = fresh();
    await library.importFiles([...documents(6), file('备忘.txt', REVERSED)]);
    const reversedId = (await repo.allPassages()).find((p) => p.text === REVERSED)!.id;
    const lexical: LexicalIndex = await library.lexicalIndex();
    for (const q of retrievalQueries(QUERY)) expect(lexical.search(q, 10).map((h) => h.id)).not.toContain(reversedId);

    expect(await dense.retrieval()).toBeUndefined();
    await dense.setEmbedder(handle());
    const retrieval = await dense.retrieval();
    expect(retrieval?.model).toBe(MODEL);
    const [queryVector] = await retrieval!.embed([QUERY]);
    expect(retrieval!.index.search(queryVector!, 1)[0]?.id).toBe(reversedId);

    // The checker's per-chunk retrieval: fused by rank, the dense-only passage is among the chunk's passages.
    const opts = { k: 3, chunkChars: QUERY.length + 1 };
    const ranker = await denseRankerFor(retrieval, QUERY, opts);
    const [hybrid] = retrieveForText(lexical, QUERY, { ...opts, ...(ranker ? { dense: ranker } : {}) });
    expect(hybrid?.hits.map((h) => h.id)).toContain(reversedId);
    const [plain] = retrieveForText(lexical, QUERY, opts);
    expect(plain?.hits.map((h) => h.id) ?? []).not.toContain(reversedId);
  });
});
