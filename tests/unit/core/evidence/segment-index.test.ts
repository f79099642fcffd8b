/**
 * The typed-array segment index against the index it replaced
 * (perf/legacy-lexical-index.ts, number-array postings): the same hits
 * with the same scores, on the project's corpus and on a synthetic one
 * with the texts the tokenizer finds hard (Latin and digit runs, astral
 * characters, the word mark, one-character texts, repeated sentences),
 * through additions, replacements, deletions, merges and a round trip
 * through stored segments.
 */
import { describe, expect, it } from 'vitest';
import { chunkDocument, LexicalIndex, normalizeForSearch, passageSearchText, WordTokenCache, wordTokens, type IndexChanges, type PersistedSegment } from '../../../../src/core/evidence';
import { LegacyLexicalIndex } from '../../../../perf/legacy-lexical-index';
import { makeText, seededRandom, SENTENCES } from '../../../../perf/synthetic';
import { fixtureCorpus, fixtureQueries } from '../../../fixtures/evidence/corpus';

const fixture = fixtureCorpus();
const fixtureQueryTexts = fixtureQueries().map((q) => q.text);

const ODD = ['药'.repeat(400), 'HbA1c≥6.5%', 'ｅＧＦＲ＜３０', '_下划线_词', '🩺听诊器𠀀字', 'x', '药', '0.5g q8h', 'Ⅱ型', 'é́ 组合', '维生素K。\u0301拮抗', '甲\r\n乙', '_', '🩺'];

/** Documents chunked as the library chunks them (title line first, overlapping sentences), plus odd rows. */
function syntheticCorpus(seed: number, docs: number): { id: string; text: string }[] {
  const rng = seededRandom(seed);
  const out: { id: string; text: string }[] = [];
  for (let d = 0; d < docs; d++) {
    let text = makeText(rng, 300 + Math.floor(rng() * 1500));
    if (rng() < 0.5) text = text.replace(/。/g, () => `${ODD[Math.floor(rng() * ODD.length)] as string}。`);
    const title = `${SENTENCES[d % SENTENCES.length]?.slice(0, 6)}说明书${d}`;
    for (const p of chunkDocument(`d${d}`, { text })) out.push({ id: p.id, text: passageSearchText(title, p.text) });
  }
  ODD.forEach((t, i) => out.push({ id: `odd-${i}`, text: t }));
  return out;
}

function syntheticQueries(seed: number, n: number): string[] {
  const rng = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => (i % 7 === 0 ? (ODD[i % ODD.length] as string) : makeText(rng, 10 + Math.floor(rng() * 60))));
}

function expectSameRanking(a: { search(q: string, k: number): unknown }, b: { search(q: string, k: number): unknown }, queries: readonly string[], k = 10): void {
  for (const q of queries) expect(b.search(q, k), q).toEqual(a.search(q, k));
}

/** Applies changes to a FAKE in-memory segment store the way library-repo does (clear, delete, put). */
function applyChanges(store: Map<number, PersistedSegment>, changes: IndexChanges): void {
  const c = structuredClone(changes);
  if (c.replace) store.clear();
  for (const key of c.drop) store.delete(key);
  for (const s of c.put) store.set(s.key, s);
}

describe('segment index against the previous index', () => {
  it('gives the same hits and scores on the project corpus', () => {
    const legacy = new LegacyLexicalIndex();
    legacy.add(fixture);
    const idx = new LexicalIndex();
    idx.add(fixture);
    expectSameRanking(legacy, idx, [...fixtureQueryTexts, '阿莫西林', 'ＩＮＲ目标范围 华法林', 'x', '🩺', '_a']);
  });

  it('gives the same hits and scores on a synthetic corpus through additions, replacements, deletions and merges', () => {
    const corpus = syntheticCorpus(11, 60);
    const queries = syntheticQueries(12, 120);
    const legacy = new LegacyLexicalIndex();
    const idx = new LexicalIndex();
    // One document at a time, as the library imports: many small segments, merged as they grow.
    const byDoc = new Map<string, { id: string; text: string }[]>();
    for (const p of corpus) {
      const doc = p.id.split(':')[0] as string;
      byDoc.set(doc, [...(byDoc.get(doc) ?? []), p]);
    }
    for (const batch of byDoc.values()) {
      legacy.add(batch);
      idx.add(batch);
    }
    expect(idx.size).toBe(corpus.length);
    expect(idx.segmentCount).toBeLessThanOrEqual(Math.ceil(Math.log2(corpus.length)) + 1);
    expectSameRanking(legacy, idx, queries);

    // Deletions inside merged segments, a replaced passage, and a batch that names one id twice.
    const gone = corpus.filter((_, i) => i % 5 === 0).map((p) => p.id);
    legacy.remove(gone);
    idx.remove(gone);
    const again = [
      { id: 'd3:1', text: '替换后的段落：华法林的目标INR为2.0～3.0。' },
      { id: 'twice', text: '第一次' },
      { id: 'twice', text: '第二次：布洛芬缓释胶囊' },
    ];
    legacy.add(again);
    idx.add(again);
    expect(idx.size).toBe(legacy.size);
    expectSameRanking(legacy, idx, [...queries, '华法林 INR', '布洛芬', '第一次']);
    expect(idx.search('第一次', 5).map((h) => h.id)).not.toContain('twice');
  });

  it('stores only what changed, and the stored segments load to the same ranking after every step', () => {
    const corpus = syntheticCorpus(21, 40);
    const queries = syntheticQueries(22, 40);
    const store = new Map<number, PersistedSegment>();
    const idx = new LexicalIndex();
    const docs = [...new Set(corpus.map((p) => p.id.split(':')[0] as string))];
    const check = (changes: IndexChanges): void => {
      applyChanges(store, changes);
      const loaded = LexicalIndex.fromStored(structuredClone(changes.manifest), [...store.values()]);
      expect(loaded).not.toBeNull();
      expect(loaded!.size).toBe(idx.size);
      expectSameRanking(idx, loaded!, queries);
    };
    const first = corpus.filter((p) => p.id.split(':')[0] === docs[0]);
    idx.add(first);
    const c1 = idx.takeChanges();
    expect(c1.replace).toBe(true);
    check(c1);
    // A big batch, then a small document: the small one is written alone.
    idx.add(corpus.filter((p) => !first.includes(p) && p.id !== 'd39:0'));
    check(idx.takeChanges());
    const small = corpus.filter((p) => p.id.startsWith('d39:0'));
    idx.add(small);
    const c3 = idx.takeChanges();
    expect(c3.replace).toBe(false);
    expect(c3.put.map((s) => s.data.ids)).toEqual([small.map((p) => p.id)]);
    expect(c3.drop).toEqual([]);
    check(c3);
    // Deleting from the big segment writes tombstones, not the segment.
    const gone = corpus.filter((_, i) => i % 3 === 1 && i < corpus.length - 20).map((p) => p.id);
    idx.remove(gone);
    const c4 = idx.takeChanges();
    expect(c4.put).toEqual([]);
    expect(c4.manifest.tombstones.flatMap((t) => t.ids).sort()).toEqual([...gone].sort());
    check(c4);
    // Removing a whole segment drops it from storage.
    idx.remove(small.map((p) => p.id));
    const c5 = idx.takeChanges();
    expect(c5.drop).toHaveLength(1);
    check(c5);
    const fresh = new LexicalIndex();
    fresh.add(corpus.filter((p) => !gone.includes(p.id) && !small.includes(p)));
    expectSameRanking(fresh, idx, queries);
  });
});

describe('WordTokenCache', () => {
  it('gives exactly wordTokens() for every passage, sentence by sentence', () => {
    const cache = new WordTokenCache(64);
    const texts = [...fixture, ...syntheticCorpus(31, 30)].map((p) => normalizeForSearch(p.text));
    texts.push('', '。', '\n', '。。\n\n', '甲。\u0301乙', 'a。b', '二甲双胍。\r\n阿司匹林');
    for (const t of texts) expect(cache.wordTokens(t), t).toEqual(wordTokens(t));
    // Twice: the second time from the cache.
    for (const t of texts.slice(0, 20)) expect(cache.wordTokens(t)).toEqual(wordTokens(t));
  });
});
