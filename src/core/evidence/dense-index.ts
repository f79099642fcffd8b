/**
 * The optional dense side of retrieval (the `embedder` role): passage
 * vectors from a feature-extraction model, L2-normalised, searched by a
 * flat cosine scan. Flat is exact and fast enough for a hospital library
 * (7,000 × 512 dims is a few milliseconds per query); vectors are kept in
 * one Float32Array so they store in IndexedDB by structured clone. Queries
 * must be embedded first (the model is async, ranking is not): embed the
 * chunk and its sentences (retrievalQueries), then rank with denseRanker.
 */
import type { Ranker } from './retrieve';
import type { ScoredId } from './types';

export function normalizeVector(v: ArrayLike<number>): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += (v[i] as number) ** 2;
  const out = new Float32Array(v.length);
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) * inv;
  return out;
}

/** A stored dense index: ids and their vectors, row after row. */
export interface PersistedDenseIndex {
  model: string;
  dims: number;
  ids: string[];
  vectors: Float32Array;
}

export class DenseIndex {
  private ids: string[] = [];
  private data: Float32Array;
  private readonly slotOf = new Map<string, number>();

  /** `model` names the embedder: vectors of another model are never mixed in. */
  constructor(
    readonly model: string,
    readonly dims: number,
  ) {
    this.data = new Float32Array(0);
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  /** Adds (or replaces) vectors; each is normalised. The rows grow by doubling, so adding page by page never copies the whole index each time. */
  add(items: readonly { id: string; vector: ArrayLike<number> }[]): void {
    for (const it of items) if (it.vector.length !== this.dims) throw new Error(`dense index: vector of ${it.vector.length} dims, expected ${this.dims}`);
    if (items.some((it) => this.slotOf.has(it.id))) this.remove(items.map((i) => i.id));
    const needed = (this.ids.length + items.length) * this.dims;
    if (needed > this.data.length) {
      const grown = new Float32Array(Math.max(needed, this.data.length * 2));
      grown.set(this.data.subarray(0, this.ids.length * this.dims));
      this.data = grown;
    }
    for (const it of items) {
      const slot = this.ids.length;
      this.ids.push(it.id);
      this.slotOf.set(it.id, slot);
      this.data.set(normalizeVector(it.vector), slot * this.dims);
    }
  }

  remove(ids: Iterable<string>): void {
    const drop = new Set([...ids].filter((id) => this.slotOf.has(id)));
    if (drop.size === 0) return;
    const keep = this.ids.filter((id) => !drop.has(id));
    const data = new Float32Array(keep.length * this.dims);
    keep.forEach((id, i) => {
      const from = (this.slotOf.get(id) as number) * this.dims;
      data.set(this.data.subarray(from, from + this.dims), i * this.dims);
    });
    this.ids = keep;
    this.data = data;
    this.slotOf.clear();
    keep.forEach((id, i) => this.slotOf.set(id, i));
  }

  /** The k passages most similar (cosine) to a query vector, best first (ties by id). Keeps only the best k while scanning. */
  search(query: ArrayLike<number>, k: number): ScoredId[] {
    if (k <= 0 || this.ids.length === 0 || query.length !== this.dims) return [];
    const q = normalizeVector(query);
    const best: ScoredId[] = [];
    const better = (a: ScoredId, b: ScoredId): boolean => a.score > b.score || (a.score === b.score && a.id < b.id);
    for (let s = 0; s < this.ids.length; s++) {
      let dot = 0;
      const off = s * this.dims;
      for (let j = 0; j < this.dims; j++) dot += (q[j] as number) * (this.data[off + j] as number);
      if (best.length === k && dot < (best[k - 1] as ScoredId).score) continue;
      const hit = { id: this.ids[s] as string, score: dot };
      if (best.length === k && !better(hit, best[k - 1] as ScoredId)) continue;
      let at = Math.min(best.length, k - 1);
      if (best.length < k) best.push(hit);
      while (at > 0 && better(hit, best[at - 1] as ScoredId)) {
        best[at] = best[at - 1] as ScoredId;
        at--;
      }
      best[at] = hit;
    }
    return best;
  }

  toPersisted(): PersistedDenseIndex {
    return { model: this.model, dims: this.dims, ids: [...this.ids], vectors: this.data.slice(0, this.ids.length * this.dims) };
  }

  static fromPersisted(p: PersistedDenseIndex): DenseIndex {
    const index = new DenseIndex(p.model, p.dims);
    index.ids = [...p.ids];
    index.data = p.vectors.slice();
    p.ids.forEach((id, i) => index.slotOf.set(id, i));
    return index;
  }
}

/** A Ranker over pre-embedded queries: `vectors` maps each query text to its vector (unknown queries rank nothing). */
export function denseRanker(index: DenseIndex, vectors: ReadonlyMap<string, ArrayLike<number>>): Ranker {
  return {
    search(query, k) {
      const v = vectors.get(query);
      return v ? index.search(v, k) : [];
    },
  };
}
