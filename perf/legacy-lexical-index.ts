/**
 * The library's lexical index as it was before issue 11's leaner layout
 * (number-array postings, JSON persistence), kept unchanged as the reference:
 * the ranking test checks the segment index gives the same hits and scores,
 * and `npm run bench -- --only retrieval` reports its build time beside the new one.
 */
import { INDEX_DEFAULTS, queryTerms, termCounts, termWeights, TOKENIZER_VERSION, topHits, type IndexOptions, type ScoredId } from '../src/core/evidence';

const INDEX_VERSION = `evidence-bm25-1/${TOKENIZER_VERSION}`;

interface Postings {
  docs: number[];
  tfs: number[];
  /** Live documents containing the term. */
  df: number;
}

interface PersistedIndex {
  version: string;
  options: Required<IndexOptions>;
  ids: (string | null)[];
  lengths: number[];
  terms: [string, number[], number[]][];
}

export class LegacyLexicalIndex {
  readonly options: Required<IndexOptions>;
  /** Slot → passage id (null once removed). */
  private ids: (string | null)[] = [];
  /** Slot → [gram length, word length] flattened. */
  private lengths: number[] = [];
  private readonly slotOf = new Map<string, number>();
  private readonly postings = new Map<string, Postings>();
  private live = 0;
  private totalGrams = 0;
  private totalWords = 0;
  private tombstones = 0;
  private scores = new Float64Array(0);

  constructor(options: IndexOptions = {}) {
    this.options = { ...INDEX_DEFAULTS, ...options };
  }

  get size(): number {
    return this.live;
  }

  /** Adds passages; an id already present is replaced. */
  add(passages: readonly { id: string; text: string }[]): void {
    this.removeReplaced(passages);
    for (const p of passages) this.addOne(p);
  }

  private removeReplaced(passages: readonly { id: string }[]): void {
    const replaced = passages.filter((p) => this.slotOf.has(p.id)).map((p) => p.id);
    if (replaced.length > 0) this.remove(replaced);
  }

  private addOne(p: { id: string; text: string }): void {
    if (this.slotOf.has(p.id)) this.remove([p.id]); // the same id twice in one batch
    const { counts, grams, words } = termCounts(p.text);
    this.addCounts(p.id, counts, grams, words);
  }

  private addCounts(id: string, counts: Map<string, number>, grams: number, words: number): void {
    const slot = this.ids.length;
    this.ids.push(id);
    this.lengths.push(grams, words);
    this.slotOf.set(id, slot);
    this.live++;
    this.totalGrams += grams;
    this.totalWords += words;
    for (const [t, tf] of counts) {
      let p = this.postings.get(t);
      if (!p) {
        p = { docs: [], tfs: [], df: 0 };
        this.postings.set(t, p);
      }
      p.docs.push(slot);
      p.tfs.push(tf);
      p.df++;
    }
  }

  /** Removes passages by id (unknown ids are ignored). */
  remove(ids: Iterable<string>): void {
    for (const id of ids) {
      const slot = this.slotOf.get(id);
      if (slot === undefined) continue;
      this.slotOf.delete(id);
      this.ids[slot] = null;
      this.live--;
      this.tombstones++;
      this.totalGrams -= this.lengths[2 * slot] ?? 0;
      this.totalWords -= this.lengths[2 * slot + 1] ?? 0;
    }
    // df must drop at once for correct IDF: compact now (cheap relative to an import).
    if (this.tombstones > 0) this.compact();
  }

  /** Drops removed slots from every posting list and renumbers slots. */
  private compact(): void {
    const remap = new Int32Array(this.ids.length).fill(-1);
    const ids: (string | null)[] = [];
    const lengths: number[] = [];
    this.ids.forEach((id, slot) => {
      if (id === null) return;
      remap[slot] = ids.length;
      this.slotOf.set(id, ids.length);
      ids.push(id);
      lengths.push(this.lengths[2 * slot] ?? 0, this.lengths[2 * slot + 1] ?? 0);
    });
    for (const [t, p] of this.postings) {
      const docs: number[] = [];
      const tfs: number[] = [];
      p.docs.forEach((d, i) => {
        const to = remap[d] ?? -1;
        if (to >= 0) {
          docs.push(to);
          tfs.push(p.tfs[i] ?? 0);
        }
      });
      if (docs.length === 0) this.postings.delete(t);
      else this.postings.set(t, { docs, tfs, df: docs.length });
    }
    this.ids = ids;
    this.lengths = lengths;
    this.tombstones = 0;
  }

  /** The k best passages for a query, BM25 sum over its terms, best first (ties by id). */
  search(query: string, k: number): ScoredId[] {
    const q = queryTerms(query, k, this.live, this.totalGrams, this.totalWords);
    if (!q) return [];
    const { counts, n, avgG, avgW } = q;
    const { k1 } = this.options;
    if (this.scores.length < this.ids.length) this.scores = new Float64Array(Math.max(this.ids.length, this.scores.length * 2));
    const scores = this.scores;
    const touched: number[] = [];
    for (const [t, qtf] of counts) {
      const p = this.postings.get(t);
      if (!p || p.df === 0) continue;
      const { w, off, norm, normL } = termWeights(this.options, t, qtf, p.df, n, avgG, avgW);
      const { docs, tfs } = p;
      for (let i = 0; i < docs.length; i++) {
        const d = docs[i] as number;
        const tf = tfs[i] as number;
        const len = this.lengths[2 * d + off] as number;
        const s = (w * tf * (k1 + 1)) / (tf + norm + normL * len);
        if (scores[d] === 0) touched.push(d);
        scores[d] = (scores[d] as number) + s;
      }
    }
    return topHits(scores, touched, this.ids, k);
  }

  /** The JSON it stored (the bench reports its size). */
  serialize(): string {
    if (this.tombstones > 0) this.compact();
    const persisted: PersistedIndex = {
      version: INDEX_VERSION,
      options: this.options,
      ids: this.ids,
      lengths: this.lengths,
      terms: [...this.postings].map(([t, p]) => [t, p.docs, p.tfs]),
    };
    return JSON.stringify(persisted);
  }
}
