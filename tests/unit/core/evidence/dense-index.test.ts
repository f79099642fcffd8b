import { describe, expect, it } from 'vitest';
import { DenseIndex, denseRanker, normalizeVector, retrieveForText, LexicalIndex, retrievalQueries } from '../../../../src/core/evidence';

describe('dense index', () => {
  it('ranks by cosine, replaces and removes vectors, and survives a structured-clone round trip', () => {
    const index = new DenseIndex('m', 3);
    index.add([
      { id: 'a', vector: [1, 0, 0] },
      { id: 'b', vector: [0, 2, 0] },
      { id: 'c', vector: [1, 1, 0] },
    ]);
    expect(index.search([3, 0.1, 0], 2).map((h) => h.id)).toEqual(['a', 'c']);
    expect(index.search([0, 1, 0], 1)[0]).toMatchObject({ id: 'b' });
    expect(index.search([0, 1, 0], 1)[0]!.score).toBeCloseTo(1, 6);
    index.add([{ id: 'a', vector: [0, 1, 0.1] }]);
    expect(index.size).toBe(3);
    expect(index.search([1, 0, 0], 1)[0]!.id).toBe('c');
    index.remove(['c', 'zzz']);
    expect(index.search([1, 0, 0], 5).map((h) => h.id).sort()).toEqual(['a', 'b']);
    const copy = DenseIndex.fromPersisted(structuredClone(index.toPersisted()));
    expect(copy.search([0, 1, 0], 2)).toEqual(index.search([0, 1, 0], 2));
    expect(() => index.add([{ id: 'x', vector: [1, 2] }])).toThrow(/3/);
    expect(normalizeVector([3, 4])).toEqual(new Float32Array([0.6, 0.8]));
  });

  it('fuses with the lexical ranking by reciprocal rank over the pre-embedded queries', () => {
    const lexical = new LexicalIndex();
    lexical.add([
      { id: 'p1', text: '华法林的目标INR为2.0～3.0。' },
      { id: 'p2', text: '乙肝疫苗全程接种3剂。' },
    ]);
    const dense = new DenseIndex('m', 2);
    dense.add([
      { id: 'p2', vector: [1, 0] },
      { id: 'p1', vector: [0, 1] },
    ]);
    const text = '抗凝治疗的目标范围是多少？';
    const queries = retrievalQueries(text, { chunkChars: 100 });
    expect(queries).toEqual([text]);
    // Lexical finds only p1 (the bigram 目标); dense ranks p2 then p1; RRF: p1 = 1/61 + 1/62 > p2 = 1/61.
    const fused = retrieveForText(lexical, text, { k: 2, chunkChars: 100, dense: denseRanker(dense, new Map([[text, [1, 0.2]]])) });
    expect(fused[0]!.hits.map((h) => h.id)).toEqual(['p1', 'p2']);
    // (The fused list is one query's ranking, fused again over the chunk's queries: rank 1 scores 1/61.)
    expect(fused[0]!.hits[0]!.score).toBeCloseTo(1 / 61, 12);
    const lexicalOnly = retrieveForText(lexical, text, { k: 2, chunkChars: 100 });
    expect(lexicalOnly[0]!.hits.map((h) => h.id)).not.toContain('p2');
  });
});
