/**
 * The library's lexical index: BM25 (k1 1.2, b 0.75) over two token
 * classes of each passage, grams (character bigrams + Latin/digit runs) and
 * segmenter words, each with its own document length and IDF; a word match
 * counts `wordBoost` of a gram match, adding exact-word evidence without
 * drowning the bigram signal. Incremental add/remove (removed passages are
 * tombstoned and compacted away), JSON persistence with a version that
 * forces a rebuild when the tokenizer or format changes.
 *
 * Why not MiniSearch or Orama: both were the plan; MiniSearch was measured
 * here (bench/minisearch-index.ts, `npm run bench -- --only retrieval`) and
 * builds a result object per posting, merging with a linear scan of matched
 * terms; a Chinese query has dozens to hundreds of bigrams, each matching
 * thousands of passages, so 1,000 queries over 7,000 passages took minutes.
 * Scoring into a typed array with a top-k heap takes milliseconds, and the
 * whole index is ~200 lines with no dependency.
 */
import { gramTokens, normalizeForSearch, TOKENIZER_VERSION, WORD_MARK, wordTokens } from './tokenizer';
import type { ScoredId } from './types';
import { yieldToEventLoop } from '../yield';

/** Work between two turns given to the event loop when indexing on a page (well under the 50 ms of a long task). */
const SLICE_MS = 8;

/** Persisted indexes carry this; any other version is rebuilt from the passages. */
export const INDEX_VERSION = `evidence-bm25-1/${TOKENIZER_VERSION}`;

export interface IndexOptions {
  /** Weight of a word match relative to a gram match. */
  wordBoost?: number;
  k1?: number;
  b?: number;
}

export const INDEX_DEFAULTS: Required<IndexOptions> = { wordBoost: 0.25, k1: 1.2, b: 0.75 };

/**
 * What the index sees of a passage: its document's title, then its text.
 * Passages of a drug insert rarely repeat the drug's name; the title does.
 */
export function passageSearchText(title: string | null | undefined, text: string): string {
  return title ? `${title}\n${text}` : text;
}

/** Term frequencies of a text: gram terms and word terms (marked). */
export function termCounts(text: string): { counts: Map<string, number>; grams: number; words: number } {
  const n = normalizeForSearch(text);
  const counts = new Map<string, number>();
  const g = gramTokens(n);
  const w = wordTokens(n);
  for (const t of g) counts.set(t, (counts.get(t) ?? 0) + 1);
  for (const t of w) counts.set(t, (counts.get(t) ?? 0) + 1);
  return { counts, grams: g.length, words: w.length };
}

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

interface Top {
  s: number;
  d: number;
}

/** Keeps the k best in a heap whose root is the worst kept (`worse(a, b)`: a ranks below b). */
function pushTop(heap: Top[], k: number, item: Top, worse: (a: Top, b: Top) => boolean): void {
  if (heap.length < k) {
    let i = heap.length;
    heap.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p] as Top;
      if (!worse(item, parent)) break;
      heap[i] = parent;
      i = p;
    }
    heap[i] = item;
    return;
  }
  if (!worse(heap[0] as Top, item)) return;
  let i = 0;
  const n = heap.length;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    let c = l;
    if (r < n && worse(heap[r] as Top, heap[l] as Top)) c = r;
    const child = heap[c] as Top;
    if (!worse(child, item)) break;
    heap[i] = child;
    i = c;
  }
  heap[i] = item;
}

export class LexicalIndex {
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

  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  /** Adds passages; an id already present is replaced. */
  add(passages: readonly { id: string; text: string }[]): void {
    this.removeReplaced(passages);
    for (const p of passages) this.addOne(p);
  }

  /**
   * add() with a turn given to the event loop after every `sliceMs` of work:
   * tokenizing a 150,000-character chapter takes about half a second, which
   * as one task froze the page (issue 15). Builds the same index as add().
   */
  async addInSlices(passages: readonly { id: string; text: string }[], sliceMs = SLICE_MS): Promise<void> {
    this.removeReplaced(passages);
    let started = performance.now();
    for (const p of passages) {
      this.addOne(p);
      if (performance.now() - started >= sliceMs) {
        await yieldToEventLoop();
        started = performance.now();
      }
    }
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
    if (this.live === 0 || k <= 0) return [];
    const { counts } = termCounts(query);
    if (counts.size === 0) return [];
    const { k1, b, wordBoost } = this.options;
    const n = this.live;
    const avgG = this.totalGrams / n || 1;
    const avgW = this.totalWords / n || 1;
    if (this.scores.length < this.ids.length) this.scores = new Float64Array(Math.max(this.ids.length, this.scores.length * 2));
    const scores = this.scores;
    const touched: number[] = [];
    for (const [t, qtf] of counts) {
      const p = this.postings.get(t);
      if (!p || p.df === 0) continue;
      const isWord = t.startsWith(WORD_MARK);
      const idf = Math.log(1 + (n - p.df + 0.5) / (p.df + 0.5));
      const w = qtf * idf * (isWord ? wordBoost : 1);
      const off = isWord ? 1 : 0;
      const norm = k1 * (1 - b);
      const normL = (k1 * b) / (isWord ? avgW : avgG);
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
    const ids = this.ids;
    // a ranks below b: lower score, or equal score and a larger id.
    const worse = (a: Top, c: Top): boolean => a.s < c.s || (a.s === c.s && (ids[a.d] as string) > (ids[c.d] as string));
    const heap: Top[] = [];
    for (const d of touched) {
      const s = scores[d] as number;
      scores[d] = 0;
      if (ids[d] !== null && s > 0) pushTop(heap, k, { s, d }, worse);
    }
    heap.sort((x, y) => (worse(x, y) ? 1 : -1));
    return heap.map((h) => ({ id: ids[h.d] as string, score: h.s }));
  }

  /** JSON for IndexedDB or a file; load with LexicalIndex.load. */
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

  /**
   * The same string as serialize(), built term by term with turns given to
   * the event loop: the whole index is persisted after every document, and
   * one JSON.stringify of a library of a few MB of text was a 50–140 ms task.
   */
  async serializeInSlices(sliceMs = SLICE_MS): Promise<string> {
    if (this.tombstones > 0) this.compact();
    const head: Omit<PersistedIndex, 'terms'> = { version: INDEX_VERSION, options: this.options, ids: this.ids, lengths: this.lengths };
    const parts: string[] = [];
    let started = performance.now();
    for (const [t, p] of this.postings) {
      parts.push(JSON.stringify([t, p.docs, p.tfs]));
      if (performance.now() - started >= sliceMs) {
        await yieldToEventLoop();
        started = performance.now();
      }
    }
    return `${JSON.stringify(head).slice(0, -1)},"terms":[${parts.join(',')}]}`;
  }

  /** The index from serialize(), or null when it is unreadable or of another version (rebuild then). */
  static load(json: string): LexicalIndex | null {
    let v: PersistedIndex;
    try {
      v = JSON.parse(json) as PersistedIndex;
    } catch {
      return null;
    }
    if (v === null || typeof v !== 'object' || v.version !== INDEX_VERSION || !Array.isArray(v.ids) || !Array.isArray(v.terms)) return null;
    const idx = new LexicalIndex(v.options);
    idx.ids = v.ids;
    idx.lengths = v.lengths;
    v.ids.forEach((id, slot) => {
      if (id === null) return;
      idx.slotOf.set(id, slot);
      idx.live++;
      idx.totalGrams += v.lengths[2 * slot] ?? 0;
      idx.totalWords += v.lengths[2 * slot + 1] ?? 0;
    });
    for (const [t, docs, tfs] of v.terms) idx.postings.set(t, { docs, tfs, df: docs.length });
    return idx;
  }
}
