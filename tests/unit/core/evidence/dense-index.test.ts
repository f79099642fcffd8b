import { describe, expect, it } from 'vitest';
import { DENSE_BLOCK_ROWS, DenseIndex, denseRanker, normalizeVector, retrieveForText, LexicalIndex, retrievalQueries } from '../../../../src/core/evidence';

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

  it('grown page by page, gives the same best k as a full sort (ties by id), and persists exactly its rows', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
    const items = Array.from({ length: 300 }, (_, i) => ({ id: `p${String(i).padStart(3, '0')}`, vector: Array.from({ length: 8 }, rand) }));
    // Two passages with the same direction: a tie, broken by id.
    items.push({ id: 'p000-twin', vector: items[0]!.vector.map((x) => x * 2) });
    const paged = new DenseIndex('m', 8);
    for (let i = 0; i < items.length; i += 37) paged.add(items.slice(i, i + 37));
    expect(paged.size).toBe(items.length);
    const query = items[0]!.vector;
    const q = normalizeVector(query);
    const brute = items
      .map((it) => ({ id: it.id, score: Array.from(normalizeVector(it.vector)).reduce((n, x, j) => n + x * q[j]!, 0) }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    const best = paged.search(query, 10);
    expect(best.map((h) => h.id)).toEqual(brute.slice(0, 10).map((h) => h.id));
    expect(best.slice(0, 2).map((h) => h.id)).toEqual(['p000', 'p000-twin']);
    const persisted = paged.toPersisted();
    expect(persisted.vectors).toHaveLength(items.length * 8);
    expect(DenseIndex.fromPersisted(structuredClone(persisted)).search(query, 10)).toEqual(best);
  });

  it('across several storage blocks: sliced search equals search and yields between blocks; removals keep the rest exact', async () => {
    let seed = 11;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
    const n = DENSE_BLOCK_ROWS * 2 + 100;
    const items = Array.from({ length: n }, (_, i) => ({ id: `r${i}`, vector: Array.from({ length: 4 }, rand) }));
    const index = new DenseIndex('m', 4);
    index.add(items);
    const brute = (ids: Set<string>, query: number[]): string[] => {
      const q = normalizeVector(query);
      return items
        .filter((it) => ids.has(it.id))
        .map((it) => ({ id: it.id, score: Array.from(normalizeVector(it.vector)).reduce((s, x, j) => s + x * q[j]!, 0) }))
        .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
        .slice(0, 7)
        .map((h) => h.id);
    };
    const query = items[n - 1]!.vector;
    let turns = 0;
    const sliced = await index.searchSliced(query, 7, async () => void turns++);
    expect(sliced).toEqual(index.search(query, 7));
    expect(sliced.map((h) => h.id)).toEqual(brute(new Set(items.map((i) => i.id)), query));
    expect(turns).toBe(3);
    // Remove the best hit, rows in the first and last blocks, and most of the last block: the rest ranks exactly.
    const removed = [sliced[0]!.id, 'r0', 'r5', ...items.slice(DENSE_BLOCK_ROWS * 2 - 50).map((i) => i.id)];
    index.remove(removed);
    const left = new Set(items.map((i) => i.id).filter((id) => !removed.includes(id)));
    expect(index.size).toBe(left.size);
    for (const probe of [query, items[1]!.vector, items[DENSE_BLOCK_ROWS + 3]!.vector]) {
      expect(index.search(probe, 7).map((h) => h.id)).toEqual(brute(left, probe));
    }
    // Re-adding reuses the freed space and still ranks exactly.
    index.add([{ id: 'r0', vector: items[0]!.vector }]);
    left.add('r0');
    expect(index.search(items[0]!.vector, 7).map((h) => h.id)).toEqual(brute(left, items[0]!.vector));
    await expect(index.searchSliced(query, 7, async () => undefined, AbortSignal.abort())).rejects.toThrow();
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
