/**
 * The library's lexical index: BM25 (k1 1.2, b 0.75) over two token
 * classes of each passage, grams (character bigrams + Latin/digit runs) and
 * segmenter words, each with its own document length and IDF; a word match
 * counts `wordBoost` of a gram match, adding exact-word evidence without
 * drowning the bigram signal. Incremental add/remove over immutable
 * typed-array segments (index-segment.ts): each added batch is a segment,
 * a deletion compacts the segment it hits, and storage gets only what
 * changed (new segments, dropped ones, tombstones and a small manifest),
 * with a version that forces a rebuild when the tokenizer or format changes.
 *
 * Why not MiniSearch or Orama: both were the plan; MiniSearch was measured
 * here (bench/minisearch-index.ts, `npm run bench -- --only retrieval`) and
 * builds a result object per posting, merging with a linear scan of matched
 * terms; a Chinese query has dozens to hundreds of bigrams, each matching
 * thousands of passages, so 1,000 queries over 7,000 passages took minutes.
 * Scoring into a typed array with a top-k heap takes milliseconds, and the
 * whole index is a few hundred lines with no dependency.
 */
import { combineSteps, gramCode, isSegmentData, runSteps, Segment, SegmentBuilder, type SegmentData } from './index-segment';
import { gramTokens, normalizeForSearch, TOKENIZER_VERSION, WORD_MARK, WordTokenCache, wordTokens } from './tokenizer';
import type { ScoredId } from './types';
import { yieldToEventLoop } from '../yield';

/** Work between two turns given to the event loop when indexing on a page (well under the 50 ms of a long task). */
const SLICE_MS = 8;

/** Runs stepped work, giving the event loop a turn whenever `sliceMs` has passed since the last one. */
async function drive<T>(steps: Generator<void, T, void>, sliceMs: number): Promise<T> {
  let started = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - started >= sliceMs) {
      await yieldToEventLoop();
      started = performance.now();
    }
  }
}

/** Persisted indexes carry this; any other version is rebuilt from the passages. */
export const INDEX_VERSION = `evidence-bm25-2/${TOKENIZER_VERSION}`;

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

interface Top {
  s: number;
  d: number;
}

/** A query's terms with the collection statistics BM25 needs, or null when there is nothing to search. */
export function queryTerms(query: string, k: number, live: number, totalGrams: number, totalWords: number): { counts: Map<string, number>; n: number; avgG: number; avgW: number } | null {
  if (live === 0 || k <= 0) return null;
  const { counts } = termCounts(query);
  if (counts.size === 0) return null;
  return { counts, n: live, avgG: totalGrams / live || 1, avgW: totalWords / live || 1 };
}

/** BM25 factors of one query term: its weight (IDF × query tf × word boost), which length it is normalised by, and the norms. */
export function termWeights(options: Required<IndexOptions>, term: string, qtf: number, df: number, n: number, avgG: number, avgW: number): { w: number; off: number; norm: number; normL: number } {
  const { k1, b, wordBoost } = options;
  const isWord = term.startsWith(WORD_MARK);
  const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
  return { w: qtf * idf * (isWord ? wordBoost : 1), off: isWord ? 1 : 0, norm: k1 * (1 - b), normL: (k1 * b) / (isWord ? avgW : avgG) };
}

/** The k best of the scored slots, best first (ties by id), resetting their scores to 0; removed slots (null id) are skipped. */
export function topHits(scores: Float64Array, touched: readonly number[], ids: readonly (string | null)[], k: number): ScoredId[] {
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

/** Stored form of one segment (IndexedDB keeps its typed arrays by structured clone). */
export interface PersistedSegment {
  version: string;
  key: number;
  data: SegmentData;
}

/** What names the stored segments of an index; small, rewritten with every change. */
export interface IndexManifest {
  version: string;
  options: Required<IndexOptions>;
  /** Stored segments in ranking order, with their passages and approximate bytes. */
  segments: { key: number; passages: number; bytes: number }[];
  /** Passage ids removed from a stored segment since it was written (applied on load). */
  tombstones: { key: number; ids: string[] }[];
  /** The next segment key (keys are never reused). */
  nextKey: number;
}

/** The writes that bring the stored index up to date with this one. */
export interface IndexChanges {
  /** Nothing stored belongs to this index (new, or rebuilt): remove every stored segment first. */
  replace: boolean;
  put: PersistedSegment[];
  /** Stored segments merged away or emptied. */
  drop: number[];
  manifest: IndexManifest;
}

/** More segments than this are merged even when their sizes differ. */
const MAX_SEGMENTS = 16;

/**
 * The index: segments in order (each passage in exactly one), all of their
 * slots live (a deletion compacts the segment it hits at once, so document
 * frequencies are exact), and BM25 statistics summed over them. Adding a
 * batch builds one new segment; the last two are merged whenever the last
 * is at least half the size of the one before (a binary counter: about
 * log2(passages) segments, each passage rewritten about log2 times).
 */
export class LexicalIndex {
  readonly options: Required<IndexOptions>;
  private segments: Segment[] = [];
  private readonly where = new Map<string, Segment>();
  private readonly words = new WordTokenCache();
  private live = 0;
  private totalGrams = 0;
  private totalWords = 0;
  /** Slot → passage id over all segments, with each segment's first slot (built when a search needs them). */
  private flat: { ids: string[]; bases: number[] } | null = null;
  private scores = new Float64Array(0);
  // Persistence bookkeeping (see takeChanges).
  private nextKey = 1;
  private fresh = true;
  private readonly unsaved = new Set<number>();
  private readonly dropped = new Set<number>();
  private readonly tombstones = new Map<number, Set<string>>();

  constructor(options: IndexOptions = {}) {
    this.options = { ...INDEX_DEFAULTS, ...options };
  }

  get size(): number {
    return this.live;
  }

  has(id: string): boolean {
    return this.where.has(id);
  }

  /** Number of segments (for tests and the benchmark). */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** Adds passages; an id already present is replaced (the same id twice in a batch: the last one counts). */
  add(passages: readonly { id: string; text: string }[]): void {
    runSteps(this.build(passages));
  }

  /**
   * add() with a turn given to the event loop after every `sliceMs` of work:
   * tokenizing a 150,000-character chapter takes about half a second, which
   * as one task froze the page (issue 15). Builds the same index as add().
   */
  async addInSlices(passages: readonly { id: string; text: string }[], sliceMs = SLICE_MS): Promise<void> {
    await drive(this.build(passages), sliceMs);
  }

  /** Adds passages as one new segment, pausing after each passage, and in the segment's finish and merges. */
  private *build(passages: readonly { id: string; text: string }[]): Generator<void, void, void> {
    const last = new Map<string, number>();
    passages.forEach((p, i) => last.set(p.id, i));
    yield* this.removeSteps([...last.keys()].filter((id) => this.where.has(id)));
    const builder = new SegmentBuilder(this.words);
    for (const [i, p] of passages.entries()) {
      if (last.get(p.id) !== i) continue;
      builder.add(p.id, p.text);
      yield;
    }
    if (builder.size === 0) return;
    const data = yield* builder.finishSteps();
    this.segments.push(this.adopt(new Segment(this.nextKey++, data)));
    this.unsaved.add((this.segments.at(-1) as Segment).key);
    this.refresh();
    // Merges run in steps too (a merge of two large segments is the longest piece of work here). The index stays
    // searchable between steps: the merged segment replaces its two parts only once it is complete, and only if
    // they are still the last two (a removal in between compacts a part into a new object: merge again).
    while (this.segments.length >= 2) {
      const [prev, lastSeg] = this.segments.slice(-2) as [Segment, Segment];
      if (lastSeg.size * 2 < prev.size && this.segments.length <= MAX_SEGMENTS) break;
      const combined = yield* combineSteps([{ seg: prev }, { seg: lastSeg }]);
      if (this.segments.at(-2) !== prev || this.segments.at(-1) !== lastSeg) continue;
      const merged = this.adopt(new Segment(this.nextKey++, combined));
      this.forget(prev);
      this.forget(lastSeg);
      this.segments.splice(-2, 2, merged);
      this.unsaved.add(merged.key);
      this.refresh();
    }
  }

  /** Points the segment's passages at it. */
  private adopt(seg: Segment): Segment {
    for (const id of seg.data.ids) this.where.set(id, seg);
    return seg;
  }

  /** A segment leaves the index: drop its stored copy (if any) and its tombstones. */
  private forget(seg: Segment): void {
    if (!this.unsaved.delete(seg.key)) this.dropped.add(seg.key);
    this.tombstones.delete(seg.key);
  }

  private refresh(): void {
    this.live = 0;
    this.totalGrams = 0;
    this.totalWords = 0;
    for (const s of this.segments) {
      this.live += s.size;
      this.totalGrams += s.grams;
      this.totalWords += s.words;
    }
    this.flat = null;
  }

  /** Removes passages by id (unknown ids are ignored). */
  remove(ids: Iterable<string>): void {
    runSteps(this.removeSteps(ids));
  }

  /**
   * remove() with a turn given to the event loop after every `sliceMs` of
   * work: compacting a large segment after a deletion is as long as a merge.
   * Removes exactly what remove() removes.
   */
  async removeInSlices(ids: Iterable<string>, sliceMs = SLICE_MS): Promise<void> {
    await drive(this.removeSteps(ids), sliceMs);
  }

  /**
   * Compacts each segment that loses passages (in steps), then applies every
   * change at once, so a search in between sees the index before the removal.
   * If a segment it read was replaced meanwhile (another change ran during a
   * turn), it starts over from the index as it is then.
   */
  private *removeSteps(ids: Iterable<string>): Generator<void, void, void> {
    const wanted = [...ids];
    for (;;) {
      const hit = new Map<Segment, Set<string>>();
      for (const id of wanted) {
        const seg = this.where.get(id);
        if (!seg) continue;
        let gone = hit.get(seg);
        if (!gone) hit.set(seg, (gone = new Set()));
        gone.add(id);
      }
      if (hit.size === 0) return;
      const compacted = new Map<Segment, SegmentData | null>();
      for (const [seg, gone] of hit) {
        if (gone.size === seg.size) {
          compacted.set(seg, null);
          continue;
        }
        // df must drop at once for correct IDF: compact the segment now; its stored copy gets tombstones.
        const dead = new Set<number>();
        seg.data.ids.forEach((id, slot) => gone.has(id) && dead.add(slot));
        compacted.set(seg, yield* combineSteps([{ seg, dead }]));
      }
      if ([...hit.keys()].some((seg) => !this.segments.includes(seg))) continue;
      for (const [seg, gone] of hit) {
        for (const id of gone) this.where.delete(id);
        const at = this.segments.indexOf(seg);
        const data = compacted.get(seg);
        if (!data) {
          this.segments.splice(at, 1);
          this.forget(seg);
          continue;
        }
        this.segments[at] = this.adopt(new Segment(seg.key, data));
        if (!this.unsaved.has(seg.key)) {
          const t = this.tombstones.get(seg.key) ?? new Set<string>();
          for (const id of gone) t.add(id);
          this.tombstones.set(seg.key, t);
        }
      }
      this.refresh();
      return;
    }
  }

  /** The k best passages for a query, BM25 sum over its terms, best first (ties by id). */
  search(query: string, k: number): ScoredId[] {
    const q = queryTerms(query, k, this.live, this.totalGrams, this.totalWords);
    if (!q) return [];
    const { counts, n, avgG, avgW } = q;
    const { k1 } = this.options;
    const flat = (this.flat ??= this.flatten());
    if (this.scores.length < n) this.scores = new Float64Array(Math.max(n, this.scores.length * 2));
    const scores = this.scores;
    const segs = this.segments;
    const termIds = new Int32Array(segs.length);
    const touched: number[] = [];
    for (const [t, qtf] of counts) {
      const code = gramCode(t);
      let df = 0;
      for (let s = 0; s < segs.length; s++) {
        const seg = segs[s] as Segment;
        const id = seg.termId(t, code);
        termIds[s] = id;
        if (id >= 0) df += (seg.data.offsets[id + 1] as number) - (seg.data.offsets[id] as number);
      }
      if (df === 0) continue;
      const { w, off, norm, normL } = termWeights(this.options, t, qtf, df, n, avgG, avgW);
      for (let s = 0; s < segs.length; s++) {
        const id = termIds[s] as number;
        if (id < 0) continue;
        const { offsets, docs, tfs, lengths } = (segs[s] as Segment).data;
        const base = flat.bases[s] as number;
        for (let i = offsets[id] as number, end = offsets[id + 1] as number; i < end; i++) {
          const local = docs[i] as number;
          const tf = tfs[i] as number;
          const len = lengths[2 * local + off] as number;
          const sc = (w * tf * (k1 + 1)) / (tf + norm + normL * len);
          const d = base + local;
          if (scores[d] === 0) touched.push(d);
          scores[d] = (scores[d] as number) + sc;
        }
      }
    }
    return topHits(scores, touched, flat.ids, k);
  }

  private flatten(): { ids: string[]; bases: number[] } {
    const ids: string[] = [];
    const bases: number[] = [];
    for (const s of this.segments) {
      bases.push(ids.length);
      for (const id of s.data.ids) ids.push(id);
    }
    return { ids, bases };
  }

  private manifest(): IndexManifest {
    return {
      version: INDEX_VERSION,
      options: this.options,
      segments: this.segments.map((s) => ({ key: s.key, passages: s.size, bytes: s.bytes })),
      tombstones: [...this.tombstones].map(([key, ids]) => ({ key, ids: [...ids] })),
      nextKey: this.nextKey,
    };
  }

  /**
   * What to write so that storage holds this index: the segments added or
   * merged since the last call, the stored ones to delete, and the manifest.
   * Written in the same transaction as the documents they index; if that
   * write fails, load the index again from storage.
   */
  takeChanges(): IndexChanges {
    const put = this.segments.filter((s) => this.unsaved.has(s.key)).map((s) => ({ version: INDEX_VERSION, key: s.key, data: s.data }));
    const changes: IndexChanges = { replace: this.fresh, put, drop: this.fresh ? [] : [...this.dropped], manifest: this.manifest() };
    this.unsaved.clear();
    this.dropped.clear();
    this.fresh = false;
    return changes;
  }

  /**
   * The index stored under `manifest`, or null when anything is missing,
   * malformed or of another version (rebuild from the passages then).
   */
  static fromStored(manifest: unknown, stored: readonly (PersistedSegment | undefined)[]): LexicalIndex | null {
    return runSteps(LexicalIndex.fromStoredSteps(manifest, stored));
  }

  /**
   * fromStored() with turns given to the event loop: a stored segment with
   * tombstones is compacted when it is read (48–76 ms in one piece for a
   * 15,000-passage segment after one deletion, at every start until a merge
   * rewrote it). The same index as fromStored().
   */
  static fromStoredInSlices(manifest: unknown, stored: readonly (PersistedSegment | undefined)[], sliceMs = SLICE_MS): Promise<LexicalIndex | null> {
    return drive(LexicalIndex.fromStoredSteps(manifest, stored), sliceMs);
  }

  private static *fromStoredSteps(manifest: unknown, stored: readonly (PersistedSegment | undefined)[]): Generator<void, LexicalIndex | null, void> {
    const m = manifest as Partial<IndexManifest> | null;
    if (typeof m !== 'object' || m === null || m.version !== INDEX_VERSION || !Array.isArray(m.segments) || !Array.isArray(m.tombstones) || typeof m.nextKey !== 'number') return null;
    const byKey = new Map(stored.filter((s): s is PersistedSegment => s?.version === INDEX_VERSION && isSegmentData(s.data)).map((s) => [s.key, s.data]));
    const idx = new LexicalIndex(m.options);
    const dead = new Map(m.tombstones.map((t) => [t.key, new Set(t.ids)]));
    for (const { key } of m.segments) {
      const data = byKey.get(key);
      if (!data) return null;
      let seg = new Segment(key, data);
      const gone = dead.get(key);
      if (gone && gone.size > 0) {
        const slots = new Set<number>();
        data.ids.forEach((id, slot) => gone.has(id) && slots.add(slot));
        seg = new Segment(key, yield* combineSteps([{ seg, dead: slots }]));
        idx.tombstones.set(key, gone);
      }
      idx.segments.push(idx.adopt(seg));
      yield;
    }
    idx.nextKey = m.nextKey;
    idx.fresh = false;
    idx.refresh();
    return idx;
  }
}
