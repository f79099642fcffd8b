/**
 * How the library stores its lexical index's segments (fake-indexeddb; the
 * browser test library.test.ts runs the same code on Chromium's IndexedDB):
 * postings as Blobs written a piece at a time (issue 15: queuing a large
 * merged segment as typed arrays was one long main-thread task), segments of
 * the earlier inline form still read, and a damaged stored segment read as
 * missing, so that the index is rebuilt from the passages instead of wrong.
 */
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { INDEX_VERSION, LexicalIndex, type PersistedSegment } from '../../../src/core/evidence';
import { LibraryRepo, LIBRARY_RECORD_VERSION, type LibraryDocument, type LibraryPassage } from '../../../src/storage/library-repo';
import { makeText, seededRandom } from '../../../perf/synthetic';

let n = 0;
const repos: LibraryRepo[] = [];
afterEach(async () => {
  for (const r of repos.splice(0)) await r.close();
});
function freshRepo(): { repo: LibraryRepo; name: string } {
  const name = `medfact-library-segments-test-${++n}`;
  const repo = new LibraryRepo(name);
  repos.push(repo);
  return { repo, name };
}

/** An index of `count` passages, and its changes to store. */
function indexOf(count: number, seed = 3): { index: LexicalIndex; passages: { id: string; text: string }[] } {
  const rng = seededRandom(seed);
  const passages = Array.from({ length: count }, (_, i) => ({ id: `p${i}`, text: makeText(rng, 200 + Math.floor(rng() * 200)) }));
  const index = new LexicalIndex();
  index.add(passages);
  return { index, passages };
}

const QUERIES = ['血压 控制', '二甲双胍 肾功能', '儿童 剂量'];

describe('stored index segments', () => {
  it('stores postings as Blobs and reads back the same segment, typed arrays and all', async () => {
    const { repo, name } = freshRepo();
    // 6,000 passages of 200–400 characters: postings over one 4 MB piece, so the Blob is written in several.
    const { index } = indexOf(6000);
    const changes = index.takeChanges();
    const record = { version: INDEX_VERSION, manifest: changes.manifest, libraryHash: 'h', passageCount: index.size };
    await repo.writeIndex({ record, ...changes });
    const [segment] = changes.put;
    if (!segment) throw new Error('no segment');
    expect(segment.data.docs.byteLength).toBeGreaterThan(4 * 1024 * 1024);

    // What IndexedDB holds: Blobs for the postings.
    const db = await openDB(name);
    const raw = (await db.get('index-segments', segment.key)) as { data: { docs: unknown; tfs: unknown; tfBytes: number } };
    db.close();
    expect(raw.data.docs).toBeInstanceOf(Blob);
    expect(raw.data.tfs).toBeInstanceOf(Blob);
    expect(raw.data.tfBytes).toBe(segment.data.tfs.BYTES_PER_ELEMENT);

    const [back] = await repo.getIndexSegments([segment.key]);
    expect(back?.data.docs).toBeInstanceOf(Uint32Array);
    expect(back?.data.tfs.constructor).toBe(segment.data.tfs.constructor);
    expect(back).toEqual(segment);
    const loaded = LexicalIndex.fromStored(changes.manifest, [back]);
    for (const q of QUERIES) expect(loaded?.search(q, 5)).toEqual(index.search(q, 5));
  });

  it('reads segments stored inline by the earlier version, and reads a damaged one as missing', async () => {
    const { repo, name } = freshRepo();
    const { index } = indexOf(300);
    const changes = index.takeChanges();
    const [segment] = changes.put as [PersistedSegment];
    await repo.getIndex(); // the repository creates its database
    const db = await openDB(name);
    // The earlier form: typed arrays inline.
    await db.put('index-segments', segment, segment.key);
    // A Blob form whose postings are cut short (a write that never finished, a damaged disk).
    await db.put(
      'index-segments',
      { version: segment.version, key: 99, data: { ...segment.data, docs: new Blob([new Uint8Array(7)]), tfs: new Blob([segment.data.tfs as Uint8Array<ArrayBuffer>]), tfBytes: 1 } },
      99,
    );
    db.close();
    const [inline, damaged, absent] = await repo.getIndexSegments([segment.key, 99, 1234]);
    expect(inline).toEqual(segment);
    expect(damaged).toBeUndefined();
    expect(absent).toBeUndefined();
    const loaded = LexicalIndex.fromStored(changes.manifest, [inline]);
    for (const q of QUERIES) expect(loaded?.search(q, 5)).toEqual(index.search(q, 5));
  });

  it('a long write gives the event loop turns and stays all or nothing: a bad passage late in it leaves nothing behind', async () => {
    const { repo } = freshRepo();
    const { index } = indexOf(3000);
    const changes = index.takeChanges();
    const record = { version: INDEX_VERSION, manifest: changes.manifest, libraryHash: 'h', passageCount: index.size };
    const passages = (count: number): LibraryPassage[] =>
      Array.from({ length: count }, (_, i) => ({ id: `d:${i}`, docId: 'd', page: null, start: i, end: i + 1, text: `第${i}段：${'血压控制目标'.repeat(20)}` }));
    const document: LibraryDocument = { v: LIBRARY_RECORD_VERSION, id: 'd', title: 'd', fileName: 'd.txt', source: null, kind: 'text', importedAt: 1, contentHash: 'h-d', sizeBytes: 1, pageCount: null, passageCount: 20_000 };
    const bad = passages(20_000);
    // The last passage has no id (the store's key): its put throws when it is queued, after the turns.
    bad[bad.length - 1] = { ...(bad[bad.length - 1] as LibraryPassage), id: undefined as unknown as string };
    // Count the puts queued before the event loop's first turn (the store's own put, counted on its prototype).
    const proto = (globalThis as unknown as { IDBObjectStore: { prototype: { put: (...args: unknown[]) => unknown } } }).IDBObjectStore.prototype;
    const put = proto.put;
    let puts = 0;
    proto.put = function (this: unknown, ...args: unknown[]) {
      puts++;
      return put.apply(this, args);
    };
    let putsAtFirstTurn = -1;
    try {
      await repo.getIndex();
      puts = 0;
      setImmediate(() => (putsAtFirstTurn = puts));
      await expect(repo.addDocument(document, { docId: 'd', text: '', pages: null }, bad, { record, ...changes })).rejects.toThrow();
    } finally {
      proto.put = put;
    }
    // The event loop had a turn while the passages were still being queued, not only after all 20,000.
    expect(putsAtFirstTurn).toBeGreaterThan(0);
    expect(putsAtFirstTurn).toBeLessThan(20_000);
    expect(await repo.listDocuments()).toEqual([]);
    expect(await repo.passagesOf('d')).toEqual([]);
    expect(await repo.getIndex()).toBeUndefined();
    // The same write without the bad passage lands whole.
    await repo.addDocument(document, { docId: 'd', text: '', pages: null }, passages(20_000), { record, ...changes });
    expect((await repo.passagesOf('d')).length).toBe(20_000);
    expect((await repo.getIndex())?.passageCount).toBe(3000);
  }, 60_000);
});
