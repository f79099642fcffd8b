/**
 * The optional dense side of retrieval (the `embedder` role): passage
 * vectors from a feature-extraction model, L2-normalised, searched by a
 * flat cosine scan. Flat is exact and fast enough for a hospital library
 * (7,000 × 512 dims is a few milliseconds per query); vectors are kept in
 * fixed-size Float32Array blocks (persisted as one array, by structured clone). Queries
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

/** Rows per storage block: adding never copies more than one block, and a sliced search yields between blocks. */
export const DENSE_BLOCK_ROWS = 2048;

export class DenseIndex {
  private ids: string[] = [];
  /** Row r lives in blocks[r / DENSE_BLOCK_ROWS] at (r % DENSE_BLOCK_ROWS) × dims. */
  private blocks: Float32Array[] = [];
  private readonly slotOf = new Map<string, number>();

  /** `model` names the embedder: vectors of another model are never mixed in. */
  constructor(
    readonly model: string,
    readonly dims: number,
  ) {}

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  private row(slot: number): Float32Array {
    const block = this.blocks[Math.floor(slot / DENSE_BLOCK_ROWS)] as Float32Array;
    const at = (slot % DENSE_BLOCK_ROWS) * this.dims;
    return block.subarray(at, at + this.dims);
  }

  /**
   * Adds (or replaces) vectors; each is normalised. Rows go into fixed-size
   * blocks, so a growing index never copies what it already holds (a whole-array
   * copy of 20,000 × 512 floats was an 88 ms main-thread task).
   */
  add(items: readonly { id: string; vector: ArrayLike<number> }[]): void {
    for (const it of items) if (it.vector.length !== this.dims) throw new Error(`dense index: vector of ${it.vector.length} dims, expected ${this.dims}`);
    for (const it of items) {
      const existing = this.slotOf.get(it.id);
      if (existing !== undefined) {
        this.row(existing).set(normalizeVector(it.vector));
        continue;
      }
      const slot = this.ids.length;
      if (slot % DENSE_BLOCK_ROWS === 0 && this.blocks.length * DENSE_BLOCK_ROWS <= slot) this.blocks.push(new Float32Array(DENSE_BLOCK_ROWS * this.dims));
      this.ids.push(it.id);
      this.slotOf.set(it.id, slot);
      this.row(slot).set(normalizeVector(it.vector));
    }
  }

  /** Removes ids by moving the last row into each freed slot: work in proportion to what is removed. */
  remove(ids: Iterable<string>): void {
    for (const id of ids) {
      const slot = this.slotOf.get(id);
      if (slot === undefined) continue;
      const last = this.ids.length - 1;
      if (slot !== last) {
        const lastId = this.ids[last] as string;
        this.row(slot).set(this.row(last));
        this.ids[slot] = lastId;
        this.slotOf.set(lastId, slot);
      }
      this.ids.pop();
      this.slotOf.delete(id);
      if (this.ids.length <= (this.blocks.length - 1) * DENSE_BLOCK_ROWS) this.blocks.pop();
    }
  }

  /** Scores rows [from, to) into `best` (the best k so far, best first, ties by id). */
  private scan(q: Float32Array, k: number, from: number, to: number, best: ScoredId[]): void {
    const dims = this.dims;
    const better = (a: ScoredId, b: ScoredId): boolean => a.score > b.score || (a.score === b.score && a.id < b.id);
    for (let s = from; s < to; s++) {
      const block = this.blocks[Math.floor(s / DENSE_BLOCK_ROWS)] as Float32Array;
      const off = (s % DENSE_BLOCK_ROWS) * dims;
      let dot = 0;
      for (let j = 0; j < dims; j++) dot += (q[j] as number) * (block[off + j] as number);
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
  }

  /** The k passages most similar (cosine) to a query vector, best first (ties by id). Keeps only the best k while scanning. */
  search(query: ArrayLike<number>, k: number): ScoredId[] {
    if (k <= 0 || this.ids.length === 0 || query.length !== this.dims) return [];
    const best: ScoredId[] = [];
    this.scan(normalizeVector(query), k, 0, this.ids.length, best);
    return best;
  }

  /**
   * search(), one block at a time with `turn()` awaited between blocks, so a
   * large library never holds the page in one long task. Same result as search().
   */
  async searchSliced(query: ArrayLike<number>, k: number, turn: () => Promise<void>, signal?: AbortSignal): Promise<ScoredId[]> {
    if (k <= 0 || this.ids.length === 0 || query.length !== this.dims) return [];
    const q = normalizeVector(query);
    const best: ScoredId[] = [];
    for (let from = 0; from < this.ids.length; from += DENSE_BLOCK_ROWS) {
      await turn();
      signal?.throwIfAborted();
      // Rows may have been removed while this search waited: scan what is there now.
      this.scan(q, k, from, Math.min(this.ids.length, from + DENSE_BLOCK_ROWS), best);
    }
    return best;
  }

  toPersisted(): PersistedDenseIndex {
    const vectors = new Float32Array(this.ids.length * this.dims);
    for (let s = 0; s < this.ids.length; s++) vectors.set(this.row(s), s * this.dims);
    return { model: this.model, dims: this.dims, ids: [...this.ids], vectors };
  }

  static fromPersisted(p: PersistedDenseIndex): DenseIndex {
    const index = new DenseIndex(p.model, p.dims);
    index.add(p.ids.map((id, i) => ({ id, vector: p.vectors.subarray(i * p.dims, (i + 1) * p.dims) })));
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
