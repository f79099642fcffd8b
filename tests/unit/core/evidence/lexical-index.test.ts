import { describe, expect, it } from 'vitest';
import { INDEX_VERSION, LexicalIndex } from '../../../../src/core/evidence';
import { BigramBm25 } from '../../../../perf/bigram-bm25';
import { evaluateRanking } from '../../../../perf/retrieval-eval';
import { fixtureCorpus, fixtureQueries } from '../../../fixtures/evidence/corpus';

// Indexed as the library indexes a passage: its document title, then its text.
const corpus = fixtureCorpus();
const queries = fixtureQueries();

describe('LexicalIndex', () => {
  it('finds the passage that states the fact asked about, in Chinese paraphrase', () => {
    const idx = new LexicalIndex();
    idx.add(corpus);
    expect(idx.size).toBe(corpus.length);
    expect(idx.search('肾小球滤过率低于多少时禁用二甲双胍', 3)[0]?.id).toBe('metf-2');
    expect(idx.search('ＩＮＲ目标范围 华法林', 1)[0]?.id).toBe('warf-1');
    const hits = idx.search('阿莫西林', 10);
    expect(hits.slice(0, 4).map((h) => h.id)).toEqual(expect.arrayContaining(['amox-1', 'amox-2', 'amox-3', 'cap-1']));
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
  });

  it('ranks at least as well as plain character-bigram BM25 on the project query set', () => {
    const idx = new LexicalIndex();
    idx.add(corpus);
    const base = new BigramBm25();
    base.add(corpus);
    const ours = evaluateRanking(queries, (q, k) => idx.search(q, k));
    const plain = evaluateRanking(queries, (q, k) => base.search(q, k));
    expect(ours.recallAt10).toBeGreaterThanOrEqual(plain.recallAt10);
    expect(ours.recallAt10).toBeGreaterThanOrEqual(0.8);
    expect(ours.mrrAt10).toBeGreaterThanOrEqual(plain.mrrAt10 - 0.02);
  });

  it('removes passages from results and from the statistics at once', () => {
    const idx = new LexicalIndex();
    idx.add(corpus);
    idx.remove(['metf-1', 'metf-2', 'metf-3', 'unknown']);
    expect(idx.size).toBe(corpus.length - 3);
    expect(idx.has('metf-2')).toBe(false);
    expect(idx.search('二甲双胍 禁用 肾功能', 10).map((h) => h.id)).not.toContain('metf-2');
    // Same ranking as an index that never had them.
    const fresh = new LexicalIndex();
    fresh.add(corpus.filter((p) => !p.id.startsWith('metf')));
    expect(idx.search('二甲双胍的一线地位', 5)).toEqual(fresh.search('二甲双胍的一线地位', 5));
  });

  it('replaces a passage added again under the same id', () => {
    const idx = new LexicalIndex();
    idx.add([{ id: 'a', text: '阿司匹林每日100mg' }]);
    idx.add([{ id: 'a', text: '华法林目标INR 2.0～3.0' }]);
    expect(idx.size).toBe(1);
    expect(idx.search('阿司匹林', 5)).toEqual([]);
    expect(idx.search('华法林', 5).map((h) => h.id)).toEqual(['a']);
  });

  it('round-trips through stored segments (structured clone) with identical results, and refuses another version', () => {
    const idx = new LexicalIndex();
    idx.add(corpus);
    idx.remove(['amox-1']);
    const { manifest, put } = structuredClone(idx.takeChanges());
    const loaded = LexicalIndex.fromStored(manifest, put);
    expect(loaded).not.toBeNull();
    expect(loaded!.size).toBe(corpus.length - 1);
    for (const q of queries) expect(loaded!.search(q.text, 5)).toEqual(idx.search(q.text, 5));
    loaded!.add([{ id: 'new', text: '新加入的段落：布洛芬缓释胶囊' }]);
    expect(loaded!.search('布洛芬缓释胶囊', 1)[0]?.id).toBe('new');
    expect(LexicalIndex.fromStored({ ...manifest, version: `${INDEX_VERSION}-old` }, put)).toBeNull();
    expect(LexicalIndex.fromStored(manifest, [])).toBeNull(); // a segment is missing
    expect(LexicalIndex.fromStored(manifest, put.map((p) => ({ ...p, data: { ...p.data, tfs: new Uint16Array(0) } })))).toBeNull();
    expect(LexicalIndex.fromStored('not a manifest', put)).toBeNull();
  });

  it('answers an empty index or empty query with no hits', () => {
    expect(new LexicalIndex().search('阿司匹林', 3)).toEqual([]);
    const idx = new LexicalIndex();
    idx.add(corpus);
    expect(idx.search('   ', 3)).toEqual([]);
    expect(idx.search('阿司匹林', 0)).toEqual([]);
  });

  it('indexes in slices (turns given to the event loop) to exactly what add() gives', async () => {
    const whole = new LexicalIndex();
    whole.add(corpus);
    const sliced = new LexicalIndex();
    let turns = 0;
    const ticking = setInterval(() => turns++, 0);
    try {
      // A zero-millisecond slice yields after every passage: the most interleaving there can be.
      await sliced.addInSlices(corpus.slice(0, 10), 0);
      await sliced.addInSlices(corpus, 0); // the first ten again: replaced, not doubled
      expect(sliced.size).toBe(corpus.length);
    } finally {
      clearInterval(ticking);
    }
    expect(turns).toBeGreaterThan(0);
    for (const q of queries) expect(sliced.search(q.text, 10)).toEqual(whole.search(q.text, 10));
  });
});
