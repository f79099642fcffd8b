/**
 * Span alignment: maps each quoted fragment to [start, end) UTF-16 offsets
 * in the original text. A fragment that cannot be placed with confidence is
 * kept as unlocated: a wrong highlight is worse than none.
 *
 * Order of attempts, per quote:
 * 1. exact substring;
 * 2. match under normalisation (see normalize.ts), mapped back to the original;
 * 3. the same two with surrounding quote marks, ellipses and white space
 *    trimmed from the quote (models like to wrap quotes in 「」 or "…");
 * 4. bounded fuzzy match: edit distance ≤ ⌊len/5⌋ over the normalised text,
 *    only in windows that a bigram prefilter proposes, and only when the best
 *    window is strictly better than the next one (ties are resolved by the
 *    hint, else the quote stays unlocated). Marked approximate.
 * A fragment found more than once is placed by the hint (correction, reason,
 * neighbouring words): the occurrence whose neighbourhood shares strictly
 * more bigrams with the hint wins; otherwise the first one, marked ambiguous.
 */
import { normalizeForMatch, normalizeWithMap, toOriginalRange, type NormalizedText } from './normalize';
import type { RawFinding } from './parse';

export type AlignMethod = 'exact' | 'normalized' | 'fuzzy';

export interface AlignedSpan {
  start: number;
  end: number;
  /** True only when text.slice(start, end) === quote. */
  exact: boolean;
  /** Several equally plausible places; this is the first. */
  ambiguous: boolean;
  /** Found by the fuzzy matcher (edit distance > 0 after normalisation). */
  approximate: boolean;
  method: AlignMethod;
}

/** Occurrences examined per quote; caps work on pathological inputs. */
const MAX_OCCURRENCES = 32;
/** Characters of context each side used to compare an occurrence with the hint. */
const HINT_WINDOW = 24;
/** Fuzzy matching only for normalised quotes of at least this many units. */
const FUZZY_MIN_LEN = 5;
/** Fuzzy matching is skipped for long quotes (cost grows with length²; the prompt asks for short quotes). */
const FUZZY_MAX_LEN = 120;
/** Edit-distance cells computed per quote at most (about a millisecond). */
const FUZZY_CELL_BUDGET = 200_000;
/** At most this many candidate windows get the edit-distance pass. */
const FUZZY_MAX_CANDIDATES = 12;

/**
 * Lazily built per-text data, shared by all quotes of one text so that
 * normalisation and the bigram index are computed once.
 */
export class TextIndex {
  readonly text: string;
  private normalized: NormalizedText | undefined;
  private bigrams: Map<string, number[]> | undefined;
  private reverse: Int32Array | undefined;

  constructor(text: string) {
    this.text = text;
  }

  get nt(): NormalizedText {
    this.normalized ??= normalizeWithMap(this.text);
    return this.normalized;
  }

  /** Index in the normalised text of the first unit produced at or after original offset `orig`. */
  normPos(orig: number): number {
    if (!this.reverse) {
      const nt = this.nt;
      const rev = new Int32Array(this.text.length + 1).fill(nt.norm.length);
      for (let i = nt.origStart.length - 1; i >= 0; i--) rev[nt.origStart[i] ?? 0] = i;
      for (let j = this.text.length - 1; j >= 0; j--) if ((rev[j] ?? 0) > (rev[j + 1] ?? 0)) rev[j] = rev[j + 1] ?? 0;
      this.reverse = rev;
    }
    return this.reverse[Math.max(0, Math.min(orig, this.text.length))] ?? 0;
  }

  /**
   * Normalised neighbourhood of an original range (without the range itself),
   * at most `width` units each side and never past a sentence end, so that a
   * neighbouring sentence's words do not vote for this occurrence.
   */
  context(range: { start: number; end: number }, width: number): string {
    const norm = this.nt.norm;
    const a = this.normPos(range.start);
    const b = this.normPos(range.end);
    let from = a;
    while (from > 0 && a - from < width && !isSentenceEnd(norm, from - 1)) from--;
    let to = b;
    while (to < norm.length && to - b < width && !isSentenceEnd(norm, to)) to++;
    return `${norm.slice(from, a)}\u0000${norm.slice(b, to)}`;
  }

  /** Positions of each bigram of the normalised text. */
  get bigramIndex(): Map<string, number[]> {
    if (!this.bigrams) {
      const map = new Map<string, number[]>();
      const s = this.nt.norm;
      for (let i = 0; i + 1 < s.length; i++) {
        const g = s.slice(i, i + 2);
        const list = map.get(g);
        if (list) list.push(i);
        else map.set(g, [i]);
      }
      this.bigrams = map;
    }
    return this.bigrams;
  }
}

/** Sentence end in normalised text (a dot between digits is a decimal point). */
function isSentenceEnd(norm: string, i: number): boolean {
  const c = norm[i];
  if (c === '!' || c === '?' || c === ';') return true;
  if (c !== '.') return false;
  return !(/\d/.test(norm[i - 1] ?? '') && /\d/.test(norm[i + 1] ?? ''));
}

function allIndexesOf(hay: string, needle: string): number[] {
  const out: number[] = [];
  let from = 0;
  while (out.length < MAX_OCCURRENCES) {
    const at = hay.indexOf(needle, from);
    if (at < 0) break;
    out.push(at);
    from = at + 1;
  }
  return out;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Widens [start, end) so that it never cuts a surrogate pair. */
export function snapToCodePoints(text: string, start: number, end: number): { start: number; end: number } {
  let s = Math.max(0, Math.min(start, text.length));
  let e = Math.max(s, Math.min(end, text.length));
  if (s > 0 && isLowSurrogate(text.charCodeAt(s)) && isHighSurrogate(text.charCodeAt(s - 1))) s--;
  if (e > 0 && e < text.length && isHighSurrogate(text.charCodeAt(e - 1)) && isLowSurrogate(text.charCodeAt(e))) e++;
  return { start: s, end: e };
}

function bigramSet(s: string): Set<string> {
  const set = new Set<string>();
  for (let i = 0; i + 1 < s.length; i++) set.add(s.slice(i, i + 2));
  return set;
}

/**
 * Picks among candidate ranges (original offsets) using the hint. Returns the
 * chosen index and whether the choice stays ambiguous.
 */
function chooseByHint(index: TextIndex, ranges: { start: number; end: number }[], quoteNorm: string, hint: string | undefined): { index: number; ambiguous: boolean } {
  if (ranges.length <= 1) return { index: 0, ambiguous: false };
  if (!hint) return { index: 0, ambiguous: true };
  const quoteGrams = bigramSet(quoteNorm);
  const hintGrams = [...bigramSet(normalizeForMatch(hint))].filter((g) => !quoteGrams.has(g));
  if (hintGrams.length === 0) return { index: 0, ambiguous: true };
  const scores = ranges.map((range) => {
    const ctx = bigramSet(index.context(range, HINT_WINDOW));
    let hits = 0;
    for (const g of hintGrams) if (ctx.has(g)) hits++;
    return hits;
  });
  let best = 0;
  for (let i = 1; i < scores.length; i++) if ((scores[i] ?? 0) > (scores[best] ?? 0)) best = i;
  const top = scores[best] ?? 0;
  const ties = scores.filter((s) => s === top).length;
  if (top > 0 && ties === 1) return { index: best, ambiguous: false };
  return { index: 0, ambiguous: true };
}

function makeSpan(text: string, quote: string, range: { start: number; end: number }, ambiguous: boolean, method: AlignMethod): AlignedSpan {
  return {
    start: range.start,
    end: range.end,
    exact: text.slice(range.start, range.end) === quote,
    ambiguous,
    approximate: method === 'fuzzy',
    method,
  };
}

function tryExact(index: TextIndex, needle: string, quote: string, hint: string | undefined): AlignedSpan | null {
  if (needle.length === 0) return null;
  const hits = allIndexesOf(index.text, needle);
  if (hits.length === 0) return null;
  const ranges = hits.map((h) => snapToCodePoints(index.text, h, h + needle.length));
  const pick = chooseByHint(index, ranges, normalizeForMatch(needle), hint);
  const range = ranges[pick.index];
  return range ? makeSpan(index.text, quote, range, pick.ambiguous, 'exact') : null;
}

function tryNormalized(index: TextIndex, needleNorm: string, quote: string, hint: string | undefined): AlignedSpan | null {
  if (needleNorm.length === 0) return null;
  const nt = index.nt;
  const hits = allIndexesOf(nt.norm, needleNorm);
  const ranges: { start: number; end: number }[] = [];
  for (const h of hits) {
    const r = toOriginalRange(nt, h, h + needleNorm.length);
    // A match that starts or ends inside one code point's expansion ("…" → "...")
    // would widen to the whole code point and no longer be the quote: skip it.
    if (normalizeForMatch(index.text.slice(r.start, r.end)) !== needleNorm) continue;
    if (!ranges.some((x) => x.start === r.start && x.end === r.end)) ranges.push(r);
  }
  if (ranges.length === 0) return null;
  const pick = chooseByHint(index, ranges, needleNorm, hint);
  const range = ranges[pick.index];
  return range ? makeSpan(index.text, quote, range, pick.ambiguous, 'normalized') : null;
}

/**
 * Semi-global edit distance of `p` against the window `t` (free start and end
 * in t). Returns, for every end position whose best alignment is within
 * maxErr, that alignment (distance, start, end) in window coordinates.
 */
function alignmentsInWindow(p: string, t: string, maxErr: number): { dist: number; start: number; end: number }[] {
  const m = p.length;
  const n = t.length;
  let prevD = new Int32Array(n + 1);
  let prevS = new Int32Array(n + 1);
  let curD = new Int32Array(n + 1);
  let curS = new Int32Array(n + 1);
  for (let j = 0; j <= n; j++) {
    prevD[j] = 0;
    prevS[j] = j;
  }
  for (let i = 1; i <= m; i++) {
    curD[0] = i;
    curS[0] = 0;
    const pc = p.charCodeAt(i - 1);
    let rowMin = curD[0] ?? 0;
    for (let j = 1; j <= n; j++) {
      const cost = pc === t.charCodeAt(j - 1) ? 0 : 1;
      let d = (prevD[j - 1] ?? 0) + cost;
      let s = prevS[j - 1] ?? 0;
      const up = (prevD[j] ?? 0) + 1;
      if (up < d) {
        d = up;
        s = prevS[j] ?? 0;
      }
      const left = (curD[j - 1] ?? 0) + 1;
      if (left < d) {
        d = left;
        s = curS[j - 1] ?? 0;
      }
      curD[j] = d;
      curS[j] = s;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > maxErr) return []; // rows never get better: no alignment can recover
    [prevD, curD] = [curD, prevD];
    [prevS, curS] = [curS, prevS];
  }
  const out: { dist: number; start: number; end: number }[] = [];
  for (let j = 1; j <= n; j++) {
    const d = prevD[j] ?? 0;
    const s = prevS[j] ?? 0;
    if (d <= maxErr && j > s) out.push({ dist: d, start: s, end: j });
  }
  return out;
}

function tryFuzzy(index: TextIndex, needleNorm: string, quote: string, hint: string | undefined): AlignedSpan | null {
  const m = needleNorm.length;
  if (m < FUZZY_MIN_LEN || m > FUZZY_MAX_LEN) return null;
  const maxErr = Math.floor(m / 5);
  if (maxErr < 1) return null;
  const nt = index.nt;
  if (nt.norm.length < m - maxErr) return null;
  // q-gram lemma: a window within maxErr edits shares at least (m - 1) - 2·maxErr bigrams.
  const need = Math.max(1, m - 1 - 2 * maxErr);
  const votes = new Map<number, number>();
  const grams = index.bigramIndex;
  for (let j = 0; j + 1 < m; j++) {
    const list = grams.get(needleNorm.slice(j, j + 2));
    if (!list) continue;
    for (const pos of list) {
      // Bucket diagonals coarsely so that insertions and deletions still vote together.
      const bucket = Math.floor((pos - j) / (maxErr + 1));
      votes.set(bucket, (votes.get(bucket) ?? 0) + 1);
    }
  }
  const buckets: { bucket: number; count: number }[] = [];
  for (const [bucket, count] of votes) {
    const near = count + (votes.get(bucket - 1) ?? 0) + (votes.get(bucket + 1) ?? 0);
    if (near >= need) buckets.push({ bucket, count: near });
  }
  if (buckets.length === 0) return null;
  buckets.sort((a, b) => b.count - a.count || a.bucket - b.bucket);
  const chosen = buckets.slice(0, FUZZY_MAX_CANDIDATES);
  // Turn buckets into windows in normalised coordinates and merge overlapping windows.
  const windows = chosen
    .map(({ bucket }) => {
      const diag = bucket * (maxErr + 1);
      return { from: Math.max(0, diag - 2 * maxErr - 1), to: Math.min(nt.norm.length, diag + m + 3 * maxErr + 1) };
    })
    .sort((a, b) => a.from - b.from);
  const merged: { from: number; to: number }[] = [];
  for (const w of windows) {
    const last = merged[merged.length - 1];
    if (last && w.from <= last.to) last.to = Math.max(last.to, w.to);
    else merged.push({ ...w });
  }
  const found: { dist: number; start: number; end: number }[] = [];
  let cells = 0;
  for (const w of merged) {
    cells += m * (w.to - w.from);
    if (cells > FUZZY_CELL_BUDGET) break;
    for (const r of alignmentsInWindow(needleNorm, nt.norm.slice(w.from, w.to), maxErr)) {
      found.push({ dist: r.dist, start: r.start + w.from, end: r.end + w.from });
    }
  }
  if (found.length === 0) return null;
  // Best: fewest edits, then the longest span (a shorter one would leave quote characters as insertions).
  found.sort((a, b) => a.dist - b.dist || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const best = found[0];
  if (!best) return null;
  // A rival is an equally good alignment elsewhere (not overlapping the best): "clearly better" fails.
  const rivals: typeof found = [];
  for (const f of found) {
    if (f.dist !== best.dist || f.start < best.end) continue;
    if (f.end > best.start && f.start < best.end) continue;
    if (rivals.some((r) => f.start < r.end && r.start < f.end)) continue;
    rivals.push(f);
  }
  for (const f of found) {
    if (f.dist !== best.dist || f.start >= best.start) continue;
    if (f.end > best.start) continue;
    if (rivals.some((r) => f.start < r.end && r.start < f.end)) continue;
    rivals.push(f);
  }
  const ranges = [best, ...rivals].map((f) => toOriginalRange(nt, f.start, f.end));
  if (ranges.length > 1) {
    const pick = chooseByHint(index, ranges, needleNorm, hint);
    // Fuzzy and tied: never guess.
    if (pick.ambiguous) return null;
    const range = ranges[pick.index];
    return range ? makeSpan(index.text, quote, range, false, 'fuzzy') : null;
  }
  const range = ranges[0];
  return range ? makeSpan(index.text, quote, range, false, 'fuzzy') : null;
}

const TRIM_RE = /^[\s"'“”‘’「」『』《》〈〉<>()（）[\]【】…⋯.。,，:：;；]+|[\s"'“”‘’「」『』《》〈〉<>()（）[\]【】…⋯.。,，:：;；]+$/gu;

/** The quote without wrapping quote marks, brackets, ellipses and white space. */
export function trimQuote(quote: string): string {
  return quote.replace(TRIM_RE, '');
}

/** Aligns one quote against a prepared text index (see alignQuote). */
export function alignInIndex(index: TextIndex, quote: string, hint?: string): AlignedSpan | null {
  if (quote.length === 0 || index.text.length === 0) return null;
  const exact = tryExact(index, quote, quote, hint);
  if (exact) return exact;
  const norm = normalizeForMatch(quote);
  const normalized = tryNormalized(index, norm, quote, hint);
  if (normalized) return normalized;
  const trimmed = trimQuote(quote);
  let trimmedNorm = norm;
  if (trimmed !== quote && trimmed.length > 0) {
    const t = tryExact(index, trimmed, quote, hint);
    if (t) return t;
    trimmedNorm = normalizeForMatch(trimmed);
    const tn = tryNormalized(index, trimmedNorm, quote, hint);
    if (tn) return tn;
  }
  return tryFuzzy(index, trimmedNorm, quote, hint);
}

/**
 * Maps `quote` to [start, end) UTF-16 offsets in `text`, or null when it
 * cannot be placed with confidence. `hint` (correction, reason, context)
 * chooses among several occurrences.
 */
export function alignQuote(text: string, quote: string, hint?: string): AlignedSpan | null {
  return alignInIndex(new TextIndex(text), quote, hint);
}

export interface LocatedFinding extends RawFinding {
  span: AlignedSpan;
  /** Indices (into the input list) of the findings merged into this one. */
  sources: number[];
}

export interface AlignmentResult {
  located: LocatedFinding[];
  unlocated: (RawFinding & { source: number })[];
}

function hintOf(f: RawFinding): string {
  return `${f.correction} ${f.reason}`;
}

/**
 * Overlapping or duplicate spans are merged into one: the union span,
 * keeping the fields of the finding that came first (by start). `exact` stays
 * true only when the union is exactly that finding's quote.
 */
export function mergeLocated(text: string, items: LocatedFinding[]): LocatedFinding[] {
  const sorted = [...items].sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
  const out: LocatedFinding[] = [];
  for (const item of sorted) {
    const last = out[out.length - 1];
    if (last && item.span.start < last.span.end) {
      const end = Math.max(last.span.end, item.span.end);
      last.span = {
        start: last.span.start,
        end,
        exact: text.slice(last.span.start, end) === last.quote,
        ambiguous: last.span.ambiguous || item.span.ambiguous,
        approximate: last.span.approximate || item.span.approximate,
        method: last.span.method === 'fuzzy' || item.span.method === 'fuzzy' ? 'fuzzy' : last.span.method === 'normalized' || item.span.method === 'normalized' ? 'normalized' : 'exact',
      };
      last.medication = last.medication || item.medication;
      last.sources = [...last.sources, ...item.sources];
    } else {
      out.push({ ...item, span: { ...item.span }, sources: [...item.sources] });
    }
  }
  return out;
}

/** Aligns every finding of one answer against `text`; overlapping spans are merged. */
export function alignFindings(text: string, findings: readonly RawFinding[]): AlignmentResult {
  const index = new TextIndex(text);
  const located: LocatedFinding[] = [];
  const unlocated: (RawFinding & { source: number })[] = [];
  findings.forEach((f, i) => {
    const span = f.quote ? alignInIndex(index, f.quote, hintOf(f)) : null;
    if (span) located.push({ ...f, span, sources: [i] });
    else unlocated.push({ ...f, source: i });
  });
  return { located: mergeLocated(text, located), unlocated };
}
