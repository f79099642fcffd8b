/**
 * One immutable segment of the library's lexical index: the postings of a
 * batch of passages (an imported document, or several merged) in flat typed
 * arrays, compressed-sparse-row style: term id → a range of (slot, tf)
 * pairs. Why typed arrays: number-array postings cost 16 bytes a posting
 * and a JSON string to persist (196 MB at 100k passages, rewritten whole
 * on every import); here a posting is 5 bytes, IndexedDB stores the arrays
 * natively by structured clone, and an import writes only its own segment.
 *
 * Terms come in two kinds, so the commonest need no string at all:
 *  - grams of two UTF-16 units (nearly all Chinese bigrams) by their code,
 *    first unit × 65536 + second, kept sorted and found by binary search;
 *  - every other term (segmenter words, whole Latin/digit runs, the one
 *    character of a one-character text, grams with an astral character or
 *    starting with the word mark) by string, through a Map.
 * Which kind a term is depends only on its string (`gramCode`), so a query
 * finds each term where the builder put it, and the terms are exactly the
 * strings `termCounts` gives: scores match the previous string-keyed index.
 */
import { normalizeForSearch, WORD_MARK, type WordTokenCache } from './tokenizer';

const SPACE = /\s+/gu;
const MARK = WORD_MARK.charCodeAt(0);

/** What a segment persists (structured clone keeps the typed arrays as they are). */
export interface SegmentData {
  /** Slot → passage id. */
  ids: string[];
  /** Slot → gram count, word count (two entries a slot). */
  lengths: Uint32Array;
  /** Sorted codes of the two-unit grams; term ids 0 … gramKeys.length − 1. */
  gramKeys: Uint32Array;
  /** Every other term, sorted; term ids follow the grams'. */
  strTerms: string[];
  /** Term id → its postings, [offsets[t], offsets[t + 1]) in docs and tfs (length: terms + 1). */
  offsets: Uint32Array;
  /** Slots, ascending within a term. */
  docs: Uint32Array;
  /** Term frequencies, in the narrowest array that holds the largest (nearly always one byte). */
  tfs: TfArray;
}

export type TfArray = Uint8Array | Uint16Array | Uint32Array;

/** An array for `n` term frequencies up to `max`. */
function tfArray(n: number, max: number): TfArray {
  return max <= 0xff ? new Uint8Array(n) : max <= 0xffff ? new Uint16Array(n) : new Uint32Array(n);
}

function tfMax(tfs: TfArray): number {
  return tfs instanceof Uint8Array ? 0xff : tfs instanceof Uint16Array ? 0xffff : 0xffffffff;
}

/** The code of a term stored by code (two UTF-16 units, not word-marked, not one astral character); -1 for a string term. */
export function gramCode(term: string): number {
  if (term.length !== 2) return -1;
  const a = term.charCodeAt(0);
  const b = term.charCodeAt(1);
  if (a === MARK || (a >= 0xd800 && a <= 0xdbff && b >= 0xdc00 && b <= 0xdfff)) return -1;
  return a * 65536 + b;
}

function findCode(keys: Uint32Array, code: number): number {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid] as number;
    if (k < code) lo = mid + 1;
    else if (k > code) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/** A segment in memory: its data, a string-term dictionary, and totals for BM25. */
export class Segment {
  private readonly strIndex = new Map<string, number>();
  /** Sums of the slots' gram and word counts. */
  readonly grams: number;
  readonly words: number;
  private byteCount: number | undefined;

  /** `key` names the stored segment this one was read from or will be written as. */
  constructor(
    readonly key: number,
    readonly data: SegmentData,
  ) {
    const g = data.gramKeys.length;
    data.strTerms.forEach((t, i) => this.strIndex.set(t, g + i));
    let grams = 0;
    let words = 0;
    for (let i = 0; i < data.lengths.length; i += 2) {
      grams += data.lengths[i] as number;
      words += data.lengths[i + 1] as number;
    }
    this.grams = grams;
    this.words = words;
  }

  get size(): number {
    return this.data.ids.length;
  }

  /** Term id of a term (`code` from gramCode), or -1 when no passage here has it. */
  termId(term: string, code: number): number {
    return code >= 0 ? findCode(this.data.gramKeys, code) : (this.strIndex.get(term) ?? -1);
  }

  /** Bytes of the stored form (strings counted at two bytes a character). */
  get bytes(): number {
    if (this.byteCount === undefined) {
      const d = this.data;
      let chars = 0;
      for (const s of d.ids) chars += s.length;
      for (const s of d.strTerms) chars += s.length;
      this.byteCount = chars * 2 + d.lengths.byteLength + d.gramKeys.byteLength + d.offsets.byteLength + d.docs.byteLength + d.tfs.byteLength;
    }
    return this.byteCount;
  }
}

/** Growable Uint32Array. */
class U32List {
  a = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.a.length) {
      const b = new Uint32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.length++] = v;
  }
}

/** Open-addressing map from a gram code to a builder term id: no string and no boxed number per token. */
class CodeTable {
  private keys = new Uint32Array(1 << 12);
  private vals = new Int32Array(1 << 12);
  private bits = 12;
  private used = 0;

  get(code: number): number {
    const mask = this.keys.length - 1;
    for (let h = Math.imul(code, 0x9e3779b1) >>> (32 - this.bits); ; h = (h + 1) & mask) {
      const v = this.vals[h] as number;
      if (v === 0) return -1;
      if (this.keys[h] === code) return v - 1;
    }
  }

  /** Only for a code not yet present. */
  set(code: number, id: number): void {
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    this.place(code, id + 1);
    this.used++;
  }

  private place(code: number, v: number): void {
    const mask = this.keys.length - 1;
    let h = Math.imul(code, 0x9e3779b1) >>> (32 - this.bits);
    while (this.vals[h] !== 0) h = (h + 1) & mask;
    this.keys[h] = code;
    this.vals[h] = v;
  }

  private grow(): void {
    const { keys, vals } = this;
    this.bits++;
    this.keys = new Uint32Array(1 << this.bits);
    this.vals = new Int32Array(1 << this.bits);
    for (let i = 0; i < keys.length; i++) if (vals[i] !== 0) this.place(keys[i] as number, vals[i] as number);
  }
}

/** Builds one segment from passages, one after another, then `finish()`. */
export class SegmentBuilder {
  private readonly ids: string[] = [];
  private readonly lengths = new U32List();
  private readonly gramIds = new CodeTable();
  private readonly strIds = new Map<string, number>();
  /** Builder term id → gram code, or -1 for a string term. */
  private readonly termCode: number[] = [];
  private tf = new Int32Array(4096);
  private readonly touched: number[] = [];
  /** Postings in passage order: term, tf; `docEnds[slot]` ends a passage's run. */
  private readonly pTerm = new U32List();
  private readonly pTf = new U32List();
  private readonly docEnds: number[] = [];

  constructor(private readonly words: WordTokenCache) {}

  get size(): number {
    return this.ids.length;
  }

  private termOf(code: number): number {
    const id = this.termCode.length;
    this.termCode.push(code);
    if (id === this.tf.length) {
      const t = new Int32Array(this.tf.length * 2);
      t.set(this.tf);
      this.tf = t;
    }
    return id;
  }

  private count(id: number): void {
    if ((this.tf[id] as number) === 0) this.touched.push(id);
    this.tf[id] = (this.tf[id] as number) + 1;
  }

  private countCode(code: number): void {
    let id = this.gramIds.get(code);
    if (id < 0) {
      id = this.termOf(code);
      this.gramIds.set(code, id);
    }
    this.count(id);
  }

  private countStr(term: string): void {
    let id = this.strIds.get(term);
    if (id === undefined) {
      id = this.termOf(-1);
      this.strIds.set(term, id);
    }
    this.count(id);
  }

  /** Adds a passage: the same grams and words as termCounts(text), counted without a string per bigram. */
  add(id: string, text: string): void {
    const n = normalizeForSearch(text);
    const s = n.replace(SPACE, '');
    let grams = 0;
    if (s.length > 0) {
      let prev = s.codePointAt(0) as number;
      let i = prev > 0xffff ? 2 : 1;
      if (i >= s.length) {
        this.countStr(s); // a one-character text stands for itself
        grams = 1;
      }
      while (i < s.length) {
        const cur = s.codePointAt(i) as number;
        if (prev <= 0xffff && cur <= 0xffff && prev !== MARK) this.countCode(prev * 65536 + cur);
        else this.countStr(String.fromCodePoint(prev) + String.fromCodePoint(cur));
        grams++;
        prev = cur;
        i += cur > 0xffff ? 2 : 1;
      }
    }
    const words = this.words.wordTokens(n);
    for (const w of words) this.countStr(w);
    for (const t of this.touched) {
      this.pTerm.push(t);
      this.pTf.push(this.tf[t] as number);
      this.tf[t] = 0;
    }
    this.touched.length = 0;
    this.docEnds.push(this.pTerm.length);
    this.ids.push(id);
    this.lengths.push(grams);
    this.lengths.push(words.length);
  }

  /** The segment's data: term ids sorted (codes, then strings), postings grouped by term with slots ascending. */
  finish(): SegmentData {
    return runSteps(this.finishSteps());
  }

  /** finish() in steps: yields after every STEP_WORK postings, so a caller can give the event loop turns in between. */
  *finishSteps(): Generator<void, SegmentData, void> {
    const codes: number[] = [];
    for (const c of this.termCode) if (c >= 0) codes.push(c);
    const gramKeys = Uint32Array.from(codes).sort();
    const remap = new Uint32Array(this.termCode.length);
    gramKeys.forEach((code, j) => {
      remap[this.gramIds.get(code)] = j;
    });
    const strTerms = [...this.strIds.keys()].sort();
    strTerms.forEach((t, j) => {
      remap[this.strIds.get(t) as number] = gramKeys.length + j;
    });
    yield;
    const nTerms = gramKeys.length + strTerms.length;
    const total = this.pTerm.length;
    const pTerm = this.pTerm.a;
    const pTf = this.pTf.a;
    const offsets = new Uint32Array(nTerms + 1);
    let maxTf = 0;
    for (let i = 0; i < total; i++) {
      const t = (remap[pTerm[i] as number] as number) + 1;
      offsets[t] = (offsets[t] as number) + 1;
      if ((pTf[i] as number) > maxTf) maxTf = pTf[i] as number;
      if (i % STEP_WORK === STEP_WORK - 1) yield;
    }
    for (let t = 0; t < nTerms; t++) offsets[t + 1] = (offsets[t + 1] as number) + (offsets[t] as number);
    const fill = offsets.slice(0, nTerms);
    const docs = new Uint32Array(total);
    const tfs = tfArray(total, maxTf);
    let i = 0;
    for (let slot = 0; slot < this.docEnds.length; slot++) {
      for (const end = this.docEnds[slot] as number; i < end; i++) {
        const t = remap[pTerm[i] as number] as number;
        const at = fill[t] as number;
        fill[t] = at + 1;
        docs[at] = slot;
        tfs[at] = pTf[i] as number;
      }
      if (slot % 256 === 255) yield;
    }
    return { ids: this.ids.slice(), lengths: this.lengths.a.slice(0, this.lengths.length), gramKeys, strTerms, offsets, docs, tfs };
  }
}

/** Postings (each term counting as one more) handled between two yields of the stepped builders: well under a millisecond. */
const STEP_WORK = 65_536;

/** Runs a stepped computation to its end, without turns in between. */
export function runSteps<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * One segment's data from several, in order, leaving out removed slots
 * (`dead`, local slot numbers): a merge of many segments, or a segment
 * compacted after deletions. Terms left with no passage are dropped.
 */
export function combineSegments(parts: readonly { seg: Segment; dead?: ReadonlySet<number> }[]): SegmentData {
  return runSteps(combineSteps(parts));
}

/**
 * combineSegments in steps (issue 15, no stutter): a merge of two large
 * segments took 50–80 ms in one piece once a library had 10–16k passages,
 * and grows with the library. Each part's terms are already sorted (gram
 * codes numerically, strings by UTF-16 code units, as Array.prototype.sort
 * orders them), so the parts are walked together in order (a k-way merge)
 * instead of sorting their union, and the walk yields after every STEP_WORK
 * postings copied.
 * The parts must not change until it returns (LexicalIndex checks).
 */
export function* combineSteps(parts: readonly { seg: Segment; dead?: ReadonlySet<number> }[]): Generator<void, SegmentData, void> {
  const ids: string[] = [];
  const lengths: number[] = [];
  const slotMaps = parts.map(({ seg, dead }) => {
    const map = new Int32Array(seg.size).fill(-1);
    const { ids: segIds, lengths: segLengths } = seg.data;
    for (let s = 0; s < seg.size; s++) {
      if (dead?.has(s)) continue;
      map[s] = ids.length;
      ids.push(segIds[s] as string);
      lengths.push(segLengths[2 * s] as number, segLengths[2 * s + 1] as number);
    }
    return map;
  });
  let bound = 0;
  let max = 0;
  for (const { seg } of parts) {
    bound += seg.data.docs.length;
    max = Math.max(max, tfMax(seg.data.tfs));
  }
  yield;
  const docs = new Uint32Array(bound);
  const tfs = tfArray(bound, max);
  const offsets: number[] = [0];
  let at = 0;
  /** Copies term `t` of part `p`, leaving out removed slots. */
  const copy = (p: number, t: number): void => {
    const { data } = (parts[p] as { seg: Segment }).seg;
    const map = slotMaps[p] as Int32Array;
    for (let i = data.offsets[t] as number, end = data.offsets[t + 1] as number; i < end; i++) {
      const to = map[data.docs[i] as number] as number;
      if (to < 0) continue;
      docs[at] = to;
      tfs[at] = data.tfs[i] as number;
      at++;
    }
  };
  let work = 0;

  // Grams: the smallest code at the parts' heads, copied from every part that has it.
  const keys = parts.map(({ seg }) => seg.data.gramKeys);
  const pos = new Int32Array(parts.length);
  const gramKeys: number[] = [];
  for (;;) {
    let code = -1;
    for (let p = 0; p < keys.length; p++) {
      const k = keys[p] as Uint32Array;
      const j = pos[p] as number;
      if (j < k.length && (code < 0 || (k[j] as number) < code)) code = k[j] as number;
    }
    if (code < 0) break;
    const start = at;
    for (let p = 0; p < keys.length; p++) {
      const j = pos[p] as number;
      if ((keys[p] as Uint32Array)[j] === code) {
        copy(p, j);
        pos[p] = j + 1;
      }
    }
    if (at > start) {
      gramKeys.push(code);
      offsets.push(at);
    }
    work += 1 + at - start;
    if (work >= STEP_WORK) {
      work = 0;
      yield;
    }
  }
  // Other terms, by string: the same walk; a part's string term j has term id gramKeys.length + j.
  const terms = parts.map(({ seg }) => seg.data.strTerms);
  const strPos = new Int32Array(parts.length);
  const strTerms: string[] = [];
  for (;;) {
    let term: string | null = null;
    for (let p = 0; p < terms.length; p++) {
      const list = terms[p] as string[];
      const j = strPos[p] as number;
      if (j < list.length && (term === null || (list[j] as string) < term)) term = list[j] as string;
    }
    if (term === null) break;
    const start = at;
    for (let p = 0; p < terms.length; p++) {
      const j = strPos[p] as number;
      if ((terms[p] as string[])[j] === term) {
        copy(p, (keys[p] as Uint32Array).length + j);
        strPos[p] = j + 1;
      }
    }
    if (at > start) {
      strTerms.push(term);
      offsets.push(at);
    }
    work += 1 + at - start;
    if (work >= STEP_WORK) {
      work = 0;
      yield;
    }
  }
  return {
    ids,
    lengths: Uint32Array.from(lengths),
    gramKeys: Uint32Array.from(gramKeys),
    strTerms,
    offsets: Uint32Array.from(offsets),
    docs: at === bound ? docs : docs.slice(0, at),
    tfs: at === bound ? tfs : tfs.slice(0, at),
  };
}

/** Whether stored data has the shape of a segment (anything else: rebuild from the passages). */
export function isSegmentData(v: unknown): v is SegmentData {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Partial<SegmentData>;
  return (
    Array.isArray(d.ids) &&
    Array.isArray(d.strTerms) &&
    d.lengths instanceof Uint32Array &&
    d.gramKeys instanceof Uint32Array &&
    d.offsets instanceof Uint32Array &&
    d.docs instanceof Uint32Array &&
    (d.tfs instanceof Uint8Array || d.tfs instanceof Uint16Array || d.tfs instanceof Uint32Array) &&
    d.lengths.length === 2 * d.ids.length &&
    d.offsets.length === d.gramKeys.length + d.strTerms.length + 1 &&
    d.docs.length === d.tfs.length &&
    d.offsets[d.offsets.length - 1] === d.docs.length
  );
}
