/**
 * The embedder's passage vectors in the library database (fake-indexeddb):
 * keyed by embedder (model id and vector length) and passage id; deleting a
 * document removes its vectors in the document's own transaction; switching
 * embedder removes the other embedders' vectors; a full disk while storing
 * a slice stores none of it; a passage deleted meanwhile gets no vector.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { INDEX_DEFAULTS } from '../../../src/core/evidence';
import { LibraryRepo, LIBRARY_RECORD_VERSION, vectorModelKey, type LibraryDocument, type LibraryIndexWrite, type LibraryPassage, type LibraryVector } from '../../../src/storage/library-repo';

let n = 0;
const repos: LibraryRepo[] = [];
function freshRepo(): LibraryRepo {
  const repo = new LibraryRepo(`medfact-library-vectors-test-${++n}`);
  repos.push(repo);
  return repo;
}
afterEach(async () => {
  for (const r of repos.splice(0)) await r.close();
});

const INDEX: LibraryIndexWrite = {
  record: { version: 'test', manifest: { version: 'test', options: INDEX_DEFAULTS, segments: [], tombstones: [], nextKey: 1 }, libraryHash: 'h', passageCount: 0 },
  replace: false,
  put: [],
  drop: [],
};

function doc(id: string, passages: number): LibraryDocument {
  return {
    v: LIBRARY_RECORD_VERSION,
    id,
    title: id,
    fileName: `${id}.txt`,
    source: null,
    kind: 'text',
    importedAt: 1,
    contentHash: `hash-${id}`,
    sizeBytes: 10,
    pageCount: null,
    passageCount: passages,
  };
}

async function addDoc(repo: LibraryRepo, id: string, count: number): Promise<LibraryPassage[]> {
  const passages: LibraryPassage[] = Array.from({ length: count }, (_, i) => ({ id: `${id}:${i}`, docId: id, page: null, start: i * 10, end: i * 10 + 10, text: `${id} 段落 ${i}` }));
  await repo.addDocument(doc(id, count), { docId: id, text: passages.map((p) => p.text).join(''), pages: null }, passages, INDEX);
  return passages;
}

const vec = (model: string, p: LibraryPassage, x: number): LibraryVector => ({ model, id: p.id, docId: p.docId, vector: Float32Array.from([x, 1 - x, 0.5]) });

describe('library vectors', () => {
  it('keeps each embedder’s vectors apart, keyed by model id and vector length, and reads them back in pages', async () => {
    const repo = freshRepo();
    const passages = await addDoc(repo, 'a', 5);
    const bge = vectorModelKey('Xenova/bge-small-zh-v1.5', 512);
    const e5 = vectorModelKey('Xenova/multilingual-e5-small', 384);
    expect(bge).toBe('Xenova/bge-small-zh-v1.5#512');
    expect(await repo.putVectors(passages.map((p, i) => vec(bge, p, i / 10)))).toHaveLength(5);
    await repo.putVectors(passages.slice(0, 2).map((p) => vec(e5, p, 0.9)));
    expect(await repo.countVectors(bge)).toBe(5);
    expect(await repo.countVectors(e5)).toBe(2);
    expect(await repo.vectorModels()).toEqual([
      { model: bge, count: 5 },
      { model: e5, count: 2 },
    ]);

    const first = await repo.vectorsPage(bge, null, 3);
    const rest = await repo.vectorsPage(bge, first[first.length - 1]!.id, 3);
    expect([...first, ...rest].map((v) => v.id)).toEqual(passages.map((p) => p.id));
    expect(rest[0]!.vector).toBeInstanceOf(Float32Array);
    expect(Array.from(rest[0]!.vector)).toEqual(Array.from(Float32Array.from([0.3, 0.7, 0.5])));
  });

  it('removes a document’s vectors (of every embedder) with the document, in the same transaction', async () => {
    const repo = freshRepo();
    const a = await addDoc(repo, 'a', 3);
    const b = await addDoc(repo, 'b', 2);
    const key = vectorModelKey('m', 3);
    await repo.putVectors([...a, ...b].map((p) => vec(key, p, 0.1)));
    await repo.putVectors(a.map((p) => vec(vectorModelKey('other', 3), p, 0.2)));

    // FAKE at the IndexedDB boundary: the index write of the deletion hits a full disk; nothing of the deletion may happen.
    const proto = globalThis.IDBObjectStore.prototype;
    const realPut = proto.put;
    proto.put = function put(this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'meta') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return realPut.apply(this, args);
    };
    try {
      await expect(repo.deleteDocument('a', INDEX)).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    } finally {
      proto.put = realPut;
    }
    expect(await repo.countVectors(key)).toBe(5);
    expect(await repo.passagesOf('a')).toHaveLength(3);

    await repo.deleteDocument('a', INDEX);
    expect(await repo.countVectors(key)).toBe(2);
    expect(await repo.countVectors(vectorModelKey('other', 3))).toBe(0);
    expect((await repo.vectorsPage(key, null, 10)).map((v) => v.docId)).toEqual(['b', 'b']);
  });

  it('switching embedder removes the other embedders’ vectors and keeps the chosen one’s', async () => {
    const repo = freshRepo();
    const a = await addDoc(repo, 'a', 4);
    const keep = vectorModelKey('new', 3);
    await repo.putVectors(a.map((p) => vec(vectorModelKey('old', 3), p, 0.1)));
    await repo.putVectors(a.map((p) => vec(vectorModelKey('new', 4), p, 0.1)));
    await repo.putVectors(a.slice(0, 1).map((p) => vec(keep, p, 0.1)));
    expect(await repo.deleteVectorsExcept(keep)).toBe(8);
    expect(await repo.countVectors(keep)).toBe(1);
    expect(await repo.countVectors(vectorModelKey('old', 3))).toBe(0);
    expect(await repo.countVectors(vectorModelKey('new', 4))).toBe(0);
  });

  it('stores none of a slice when the disk fills up while writing it, and the same slice stores once there is room', async () => {
    const repo = freshRepo();
    const a = await addDoc(repo, 'a', 6);
    const key = vectorModelKey('m', 3);
    await repo.putVectors(a.slice(0, 2).map((p) => vec(key, p, 0.1)));
    const proto = globalThis.IDBObjectStore.prototype;
    const realPut = proto.put;
    let writes = 0;
    // FAKE at the IndexedDB boundary: the third vector write of the slice finds the disk full.
    proto.put = function put(this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'vectors' && ++writes === 3) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return realPut.apply(this, args);
    };
    try {
      await expect(repo.putVectors(a.slice(2).map((p) => vec(key, p, 0.2)))).rejects.toMatchObject({
        code: 'QUOTA_EXCEEDED',
        message: expect.stringMatching(/Storage on this device is full/),
      });
    } finally {
      proto.put = realPut;
    }
    expect(writes).toBe(3);
    expect((await repo.vectorsPage(key, null, 10)).map((v) => v.id)).toEqual(['a:0', 'a:1']);
    expect(await repo.putVectors(a.slice(2).map((p) => vec(key, p, 0.2)))).toEqual(['a:2', 'a:3', 'a:4', 'a:5']);
    expect(await repo.countVectors(key)).toBe(6);
  });

  it('writes no vector for a passage that is gone (its document was deleted while it was being embedded)', async () => {
    const repo = freshRepo();
    const a = await addDoc(repo, 'a', 2);
    const b = await addDoc(repo, 'b', 2);
    await repo.deleteDocument('a', INDEX);
    const key = vectorModelKey('m', 3);
    expect(await repo.putVectors([...a, ...b].map((p) => vec(key, p, 0.3)))).toEqual(['b:0', 'b:1']);
    expect(await repo.countVectors(key)).toBe(2);
  });
});
