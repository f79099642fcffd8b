import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { INDEX_VERSION } from '../../../../src/core/evidence';
import { extractDocument, type PdfjsLike } from '../../../../src/domain/extract';
import { LibraryService, type FileLike } from '../../../../src/domain/library/library-service';
import { LibraryRepo, type LibraryDocument, type LibraryPassage } from '../../../../src/storage/library-repo';
import { makeDocx } from '../../../fixtures/evidence/make-documents';

const pkg = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
// In-process extraction (the app uses the worker; the code is the same).
const extract = (name: string, bytes: Uint8Array) =>
  extractDocument(name, bytes, {
    loadPdfjs: async () => (await import('pdfjs-dist/legacy/build/pdf.mjs')) as unknown as PdfjsLike,
    pdfAssets: { cMapUrl: `${join(pkg, 'cmaps')}/`, standardFontDataUrl: `${join(pkg, 'standard_fonts')}/` },
  });

const file = (name: string, content: string | Uint8Array, size?: number): FileLike => {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return { name, size: size ?? bytes.byteLength, arrayBuffer: async () => bytes.slice().buffer };
};

let n = 0;
const repos: LibraryRepo[] = [];
function freshRepo(): LibraryRepo {
  const repo = new LibraryRepo(`medfact-library-test-${++n}`);
  repos.push(repo);
  return repo;
}
afterEach(async () => {
  for (const r of repos.splice(0)) await r.close();
});

describe('LibraryService', () => {
  it('imports text, Word and passages files, reports duplicates and bad files, and finds passages', async () => {
    const repo = freshRepo();
    const lib = new LibraryService({ repo, extract });
    const outcomes = await lib.importFiles([
      file('华法林.txt', '华法林的目标INR为2.0～3.0。维生素K会降低疗效。'),
      file('二甲双胍.docx', await makeDocx(['二甲双胍禁用于eGFR低于45的患者。'])),
      file('passages.jsonl', '{"id":"p1","title":"乙肝疫苗","text":"全程接种3剂，按0、1、6个月程序。","page":2}\n{"id":"p2","text":""}\n'),
      file('华法林副本.txt', '华法林的目标INR为2.0～3.0。维生素K会降低疗效。'),
      file('slides.pptx', 'x'),
      file('huge.pdf', 'x', 201 * 1024 * 1024),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['added', 'added', 'added', 'duplicate', 'error', 'error']);
    expect(outcomes[3]).toMatchObject({ existingTitle: '华法林' });
    expect(outcomes[4]).toMatchObject({ code: 'UNSUPPORTED_TYPE' });
    expect(outcomes[5]).toMatchObject({ code: 'TOO_LARGE' });
    const docs = await repo.listDocuments();
    expect(docs).toHaveLength(3);
    expect(docs.every((d) => d.contentHash.length === 64 && d.passageCount > 0)).toBe(true);

    const [top] = await lib.search('华法林 INR 目标', 3);
    expect(top!.title).toBe('华法林');
    expect(top!.passage.text).toContain('INR为2.0～3.0');
    const [vacc] = await lib.search('乙肝疫苗几针', 1);
    expect(vacc!.title).toBe('乙肝疫苗');
    expect(vacc!.passage.page).toBe(2);
    const text = await repo.getText(vacc!.passage.docId);
    expect(text!.text.slice(vacc!.passage.start, vacc!.passage.end)).toBe(vacc!.passage.text);
  }, 60_000);

  it('keeps the index across restarts, rebuilds it when its version changes, and deletes documents whole', async () => {
    const repo = freshRepo();
    const lib = new LibraryService({ repo, extract });
    const [a] = await lib.importFiles([file('阿司匹林.txt', '阿司匹林用于预防心肌梗死时每日100mg。'), file('疫苗.md', '乙肝疫苗全程接种3剂。')]);
    const hashBefore = lib.libraryHash;
    expect(hashBefore).not.toBe('empty');

    // A restart reads the stored segments; it does not re-index the passages.
    const again = new LibraryService({ repo, extract });
    const readAll = repo.allPassages.bind(repo);
    let reindexed = 0;
    repo.allPassages = async () => (reindexed++, readAll());
    expect((await again.search('阿司匹林每日剂量', 1))[0]?.title).toBe('阿司匹林');
    expect(again.libraryHash).toBe(hashBefore);
    expect(reindexed).toBe(0);

    const stored = await repo.getIndex();
    await repo.writeIndex({ record: { ...stored!, version: 'old-version' }, replace: false, put: [], drop: [] });
    const rebuilt = new LibraryService({ repo, extract });
    expect((await rebuilt.search('阿司匹林每日剂量', 1))[0]?.title).toBe('阿司匹林');
    expect(reindexed).toBe(1);
    expect((await repo.getIndex())!.version).toBe(INDEX_VERSION);
    // A damaged manifest of the right version is rebuilt too, and so is one naming a segment that is not stored.
    const current = (await repo.getIndex())!;
    await repo.writeIndex({ record: { ...current, manifest: {} as typeof current.manifest }, replace: false, put: [], drop: [] });
    expect((await new LibraryService({ repo, extract }).search('阿司匹林每日剂量', 1))[0]?.title).toBe('阿司匹林');
    const healed = (await repo.getIndex())!;
    await repo.writeIndex({ record: healed, replace: false, put: [], drop: healed.manifest.segments.map((seg) => seg.key) });
    expect((await new LibraryService({ repo, extract }).search('阿司匹林每日剂量', 1))[0]?.title).toBe('阿司匹林');
    expect(reindexed).toBe(3);
    repo.allPassages = readAll;

    if (a?.status !== 'added') throw new Error('import failed');
    await rebuilt.deleteDocument(a.docId);
    expect(await rebuilt.search('阿司匹林', 5)).toEqual([]);
    expect(await repo.passagesOf(a.docId)).toEqual([]);
    expect(rebuilt.libraryHash).not.toBe(hashBefore);
    const afterRestart = new LibraryService({ repo, extract });
    expect(await afterRestart.search('阿司匹林', 5)).toEqual([]);
    expect((await afterRestart.search('乙肝疫苗', 1))[0]?.title).toBe('疫苗');
  }, 60_000);

  it('opens a library stored by the previous version (JSON index) and rebuilds its index from the passages', async () => {
    const repo = freshRepo();
    // The database as version 1 of the app left it: no segment store, the whole index as JSON in meta.
    const v1 = await openDB(`medfact-library-test-${n}`, 1, {
      upgrade(db) {
        const docs = db.createObjectStore('documents', { keyPath: 'id' });
        docs.createIndex('contentHash', 'contentHash');
        docs.createIndex('importedAt', 'importedAt');
        db.createObjectStore('texts', { keyPath: 'docId' });
        db.createObjectStore('passages', { keyPath: 'id' }).createIndex('docId', 'docId');
        db.createObjectStore('meta');
      },
    });
    const text = '华法林的目标INR为2.0～3.0。维生素K会降低疗效。';
    const doc: LibraryDocument = { v: 1, id: 'doc-1', title: '华法林', fileName: '华法林.txt', source: null, kind: 'text', importedAt: 1, contentHash: 'a'.repeat(64), sizeBytes: 60, pageCount: null, passageCount: 1 };
    const passage: LibraryPassage = { id: 'doc-1:0', docId: 'doc-1', page: null, start: 0, end: text.length, text };
    await v1.put('documents', doc);
    await v1.put('texts', { docId: 'doc-1', text, pages: null });
    await v1.put('passages', passage);
    await v1.put('meta', { version: 'evidence-bm25-1/zh-bigram-word-v2', json: '{"ids":[]}', libraryHash: 'x', passageCount: 1 }, 'lexical-index');
    v1.close();

    const lib = new LibraryService({ repo, extract });
    expect((await lib.search('华法林 INR', 1))[0]?.passage.id).toBe('doc-1:0');
    const stored = await repo.getIndex();
    expect(stored?.version).toBe(INDEX_VERSION);
    expect(await repo.getIndexSegments(stored!.manifest.segments.map((s) => s.key))).not.toContain(undefined);
    // And the next start reads it from the new store.
    expect((await new LibraryService({ repo, extract }).search('维生素K', 1))[0]?.passage.id).toBe('doc-1:0');
  });

  it('writes nothing, and keeps the index clean, when storage fails mid-import', async () => {
    const repo = freshRepo();
    const lib = new LibraryService({ repo, extract });
    await lib.importFiles([file('a.txt', '阿莫西林成人一次0.5g。')]);
    // FAKE: the disk fills up during this one write (QuotaExceededError cannot be provoked in fake-indexeddb).
    const realAdd = repo.addDocument.bind(repo);
    repo.addDocument = async () => {
      throw Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });
    };
    const [o] = await lib.importFiles([file('b.txt', '华法林目标INR 2.0～3.0。')]);
    expect(o).toMatchObject({ status: 'error' });
    expect(o!.status === 'error' && o!.message).toMatch(/b\.txt: Storage on this device is full/);
    repo.addDocument = realAdd;
    expect(await lib.search('华法林', 3)).toEqual([]);
    expect(await repo.listDocuments()).toHaveLength(1);
  });

  it.each([
    ['the passages', 'passages', 2],
    ["the index's segments", 'index-segments', 1],
  ])('leaves no document, text or passage behind when the disk fills up while %s are written', async (_what, store, failAt) => {
    const repo = freshRepo();
    const lib = new LibraryService({ repo, extract });
    await lib.importFiles([file('a.txt', '阿莫西林成人一次0.5g。')]);
    const passagesBefore = (await repo.allPassages()).length;
    // FAKE at the IndexedDB boundary: a write of the next import to `store` hits a full disk.
    const proto = globalThis.IDBObjectStore.prototype;
    const realPut = proto.put;
    let storeWrites = 0;
    proto.put = function put(this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === store && ++storeWrites === failAt) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return realPut.apply(this, args);
    };
    const long = Array.from({ length: 12 }, (_, i) => `华法林第${i + 1}条：目标INR为2.0～3.0，服药期间定期监测凝血功能，避免与其他抗凝药合用。`).join('');
    let outcome;
    try {
      [outcome] = await lib.importFiles([file('华法林.txt', long)]);
    } finally {
      proto.put = realPut;
    }
    expect(storeWrites).toBeGreaterThanOrEqual(failAt);
    expect(outcome).toMatchObject({ status: 'error', code: 'QUOTA_EXCEEDED' });
    expect(outcome!.status === 'error' && outcome!.message).toMatch(/华法林\.txt: Storage on this device is full\. Remove unused models or history/);
    // Nothing of it was written, and a restart (index rebuilt from storage) agrees.
    expect((await repo.listDocuments()).map((d) => d.fileName)).toEqual(['a.txt']);
    expect(await repo.allPassages()).toHaveLength(passagesBefore);
    expect(await lib.search('华法林 INR', 3)).toEqual([]);
    const restarted = new LibraryService({ repo, extract });
    expect(await restarted.search('华法林 INR', 3)).toEqual([]);
    // The same file imports once the disk has room again.
    const [again] = await restarted.importFiles([file('华法林.txt', long)]);
    expect(again).toMatchObject({ status: 'added' });
  });
});

describe('LibraryService, changes one after another', () => {
  it('a deletion asked for during an import waits for it, and both land', async () => {
    const repo = freshRepo();
    const lib = new LibraryService({ repo, extract });
    const [first] = await lib.importFiles([file('华法林.txt', '华法林的目标INR为2.0～3.0。维生素K会降低疗效。')]);
    if (first?.status !== 'added') throw new Error('first import failed');
    // A chapter long enough that indexing it takes many turns of the event loop.
    const chapter = Array.from({ length: 400 }, (_, i) => `第${i}节：二甲双胍禁用于eGFR低于30的患者，eGFR 30～45时不宜开始使用。`).join('\n');
    const order: string[] = [];
    const importing = lib.importFiles([file('二甲双胍.txt', chapter)]).then((o) => {
      order.push('import');
      return o;
    });
    const deleting = lib.deleteDocument(first.docId).then(() => order.push('delete'));
    const [outcomes] = await Promise.all([importing, deleting]);
    expect(order).toEqual(['import', 'delete']);
    expect(outcomes[0]?.status).toBe('added');
    expect((await repo.listDocuments()).map((d) => d.title)).toEqual(['二甲双胍']);
    expect(await lib.search('华法林 INR', 3)).toEqual([]);
    const [top] = await lib.search('二甲双胍 eGFR', 1);
    expect(top?.title).toBe('二甲双胍');
    // The stored index agrees: a new service over the same database finds the same.
    const again = new LibraryService({ repo, extract });
    expect(await again.search('华法林 INR', 3)).toEqual([]);
    expect((await again.search('二甲双胍 eGFR', 1))[0]?.title).toBe('二甲双胍');
  });
});
