/**
 * Benchmark metrics with the project's definitions (see docs): VC confusion
 * counts, precision/recall/F1/accuracy and over-criticism = FP/(FP+TN); EL by
 * span matching (matchSpans), text-level localization rate and spurious spans
 * per text; Wilson 95% intervals for proportions and a seeded 1,000-resample
 * bootstrap for F1; breakdowns by error type, specialty, style, difficulty.
 *
 * Per-item outcomes are packed in typed arrays once; every block (overall and
 * each breakdown group) and every bootstrap resample only sums those arrays.
 */
import { alignQuote } from '../align';
import type { DatasetItem, GoldSpan } from '../dataset/types';
import type { Prediction } from '../predictions';
import { matchSpans, type Criterion, type Range } from './span-match';
import { confusion, createRng, harmonic, multinomialResample, percentileInterval, ratio, wilson, type Confusion, type Interval } from './stats-utils';

export interface MetricsOptions {
  criterion?: Criterion;
  /** Bootstrap resamples for F1 intervals (default 1,000). */
  resamples?: number;
  /** Bootstrap seed (default 20250917). */
  seed?: number;
  /** Bootstrap F1 intervals for breakdown groups too (default true). */
  breakdownIntervals?: boolean;
  /**
   * The prediction of each item by position, as prepareScoring found it
   * (`PreparedScoring.aligned`, for these items and these predictions): the
   * metrics then skip indexing the predictions by id again. Same results.
   */
  aligned?: AlignedPredictions;
}

/** Predictions already matched to the items by position (prepareScoring); ids are unique on both sides. */
export interface AlignedPredictions {
  byItem: readonly (Prediction | undefined)[];
  /** Predictions whose id is not in the dataset. */
  unknown: number;
}

export const DEFAULT_SEED = 20250917;
export const DEFAULT_RESAMPLES = 1000;

export interface VcBlock extends Confusion {
  accuracy: number;
  over_criticism: number;
  intervals: { precision: Interval; recall: Interval; accuracy: Interval; over_criticism: Interval; f1: Interval | null };
}

export interface ElBlock {
  /** Predicted spans on flagged texts (texts left out of EL excluded). */
  predicted: number;
  matched_pred: number;
  gold: number;
  matched_gold: number;
  precision: number;
  recall: number;
  f1: number;
  /** Erroneous texts with placed gold. */
  texts: number;
  localized_texts: number;
  text_rate: number;
  spurious: number;
  spurious_per_text: number;
  /** Texts left out of EL: erroneous without gold, or with a gold span that could not be placed. */
  excluded: number;
  intervals: { precision: Interval; recall: Interval; text_rate: Interval; f1: Interval | null };
}

export interface MetricBlock {
  n: number;
  /** Items without a prediction (scored as "no error"). */
  missing: number;
  vc: VcBlock;
  el: ElBlock;
}

export type Breakdown = Record<string, MetricBlock>;

export interface Metrics extends MetricBlock {
  criterion: Criterion;
  /** Predictions whose id is not in the dataset (ignored). */
  unknown_predictions: number;
  /** Repeated ids in the predictions (the first is used). */
  duplicate_predictions: number;
  bootstrap: { resamples: number; seed: number };
  by: { error_type: Breakdown; specialty: Breakdown; style: Breakdown; difficulty: Breakdown };
}

/** VC outcome codes. */
export const TP = 0;
export const FP = 1;
export const FN = 2;
export const TN = 3;

/** Per-item outcomes in typed arrays (index = item position). */
export interface Outcomes {
  n: number;
  vc: Uint8Array;
  missing: Uint8Array;
  pred: Int32Array;
  matchedPred: Int32Array;
  gold: Int32Array;
  matchedGold: Int32Array;
  /** 1: erroneous text eligible for EL; 2: and localized. */
  elText: Uint8Array;
  excluded: Uint8Array;
  unknownPredictions: number;
  duplicatePredictions: number;
}

export function indexPredictions(predictions: readonly Prediction[]): { byId: Map<string, Prediction>; duplicates: number } {
  const byId = new Map<string, Prediction>();
  let duplicates = 0;
  for (const p of predictions) {
    if (byId.has(p.id)) duplicates++;
    else byId.set(p.id, p);
  }
  return { byId, duplicates };
}

function predictedRanges(item: DatasetItem, p: Prediction): Range[] {
  const out: Range[] = [];
  for (const s of p.spans) {
    if (s.start >= 0 && s.end <= item.text.length) {
      out.push({ start: s.start, end: s.end });
      continue;
    }
    // Text-only (or out-of-range) span: place it by its text; unplaceable spans match nothing.
    const a = s.text ? alignQuote(item.text, s.text) : null;
    out.push(a ? { start: a.start, end: a.end } : { start: 0, end: 0 });
  }
  return out;
}

/** A gold span that could not be placed (a loop, not a closure per item: this runs for every item). */
function hasUnplaced(gold: readonly GoldSpan[]): boolean {
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i];
    if (g !== undefined && !g.placed) return true;
  }
  return false;
}

export function computeOutcomes(items: readonly DatasetItem[], predictions: readonly Prediction[], criterion: Criterion, aligned?: AlignedPredictions): Outcomes {
  const n = items.length;
  const { byId, duplicates } = aligned ? { byId: null, duplicates: 0 } : indexPredictions(predictions);
  const o: Outcomes = {
    n,
    vc: new Uint8Array(n),
    missing: new Uint8Array(n),
    pred: new Int32Array(n),
    matchedPred: new Int32Array(n),
    gold: new Int32Array(n),
    matchedGold: new Int32Array(n),
    elText: new Uint8Array(n),
    excluded: new Uint8Array(n),
    unknownPredictions: 0,
    duplicatePredictions: duplicates,
  };
  // Predictions matched by some item, counted once each (no set of all item ids: that was ~0.1 s over 100k items).
  const used = new Set<Prediction>();
  for (let i = 0; i < n; i++) {
    const item = items[i] as DatasetItem;
    const p = byId ? byId.get(item.id) : aligned?.byItem[i];
    if (!p) o.missing[i] = 1;
    else if (byId) used.add(p);
    const flagged = p?.hasError === true;
    o.vc[i] = item.hasError ? (flagged ? TP : FN) : flagged ? FP : TN;
    const excluded = item.hasError && (item.gold.length === 0 || hasUnplaced(item.gold));
    if (excluded) {
      o.excluded[i] = 1;
      continue;
    }
    const preds = flagged && p ? predictedRanges(item, p) : [];
    o.pred[i] = preds.length;
    if (item.hasError) {
      o.gold[i] = item.gold.length;
      const m = matchSpans(item.gold, preds, criterion);
      o.matchedGold[i] = m;
      o.matchedPred[i] = m;
      o.elText[i] = flagged && m > 0 ? 2 : 1;
    }
  }
  o.unknownPredictions = byId ? byId.size - used.size : (aligned?.unknown ?? 0);
  return o;
}

interface Sums {
  n: number;
  missing: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  pred: number;
  mp: number;
  gold: number;
  mg: number;
  texts: number;
  localized: number;
  excluded: number;
}

function sumOver(o: Outcomes, subset: Int32Array | null): Sums {
  const s: Sums = { n: 0, missing: 0, tp: 0, fp: 0, fn: 0, tn: 0, pred: 0, mp: 0, gold: 0, mg: 0, texts: 0, localized: 0, excluded: 0 };
  const count = subset ? subset.length : o.n;
  const conf = [0, 0, 0, 0];
  for (let k = 0; k < count; k++) {
    const i = subset ? (subset[k] as number) : k;
    conf[o.vc[i] as number]!++;
    s.missing += o.missing[i] as number;
    s.pred += o.pred[i] as number;
    s.mp += o.matchedPred[i] as number;
    s.gold += o.gold[i] as number;
    s.mg += o.matchedGold[i] as number;
    const t = o.elText[i] as number;
    if (t > 0) s.texts++;
    if (t === 2) s.localized++;
    s.excluded += o.excluded[i] as number;
  }
  s.n = count;
  [s.tp, s.fp, s.fn, s.tn] = conf as [number, number, number, number];
  return s;
}

/**
 * Items reduced to categories of identical outcome tuples (VC code,
 * predicted, matched, gold; for a paired comparison the tuples of both runs).
 * A bootstrap resample of items is then a multinomial draw of category
 * counts, exact in distribution and independent of the number of items.
 */
interface Categories {
  /** Items per category. */
  sizes: Int32Array;
  /** Per category: [vcCode, pred, matched, gold] for run A, then the same for run B when paired. */
  tuples: Int32Array;
  width: number;
  k: number;
}

function categorize(o: Outcomes, subset: Int32Array | null, other?: Outcomes): Categories {
  const m = subset ? subset.length : o.n;
  // Categories are numbered in order of first occurrence, so the resampling
  // (and every interval) is the same whichever key type finds them. Counts
  // below 2^10 pack into one number (no string per item: this ran ~0.2 s over
  // 100k items); anything larger falls back to a string key.
  const numericKeys = new Map<number, number>();
  const stringKeys = new Map<string, number>();
  const tuples: number[] = [];
  const sizes: number[] = [];
  const t: number[] = [];
  for (let k = 0; k < m; k++) {
    const i = subset ? (subset[k] as number) : k;
    if (!other) {
      // One run, small counts (nearly always): the packed key straight from the arrays, no tuple built per item.
      const vc = o.vc[i] as number;
      const pred = o.pred[i] as number;
      const matched = o.matchedPred[i] as number;
      const gold = o.gold[i] as number;
      if (pred < 1024 && matched < 1024 && gold < 1024) {
        const numeric = vc + 4 * (pred + 1024 * (matched + 1024 * gold));
        let c = numericKeys.get(numeric);
        if (c === undefined) {
          c = sizes.length;
          numericKeys.set(numeric, c);
          tuples.push(vc, pred, matched, gold);
          sizes.push(0);
        }
        sizes[c] = (sizes[c] as number) + 1;
        continue;
      }
    }
    t.length = 0;
    t.push(o.vc[i] as number, o.pred[i] as number, o.matchedPred[i] as number, o.gold[i] as number);
    if (other) t.push(other.vc[i] as number, other.pred[i] as number, other.matchedPred[i] as number, other.gold[i] as number);
    let c: number | undefined;
    let numeric = -1;
    if (t.length === 4 && (t[1] as number) < 1024 && (t[2] as number) < 1024 && (t[3] as number) < 1024) {
      numeric = (t[0] as number) + 4 * ((t[1] as number) + 1024 * ((t[2] as number) + 1024 * (t[3] as number)));
      c = numericKeys.get(numeric);
    } else c = stringKeys.get(t.join(','));
    if (c === undefined) {
      c = sizes.length;
      if (numeric >= 0) numericKeys.set(numeric, c);
      else stringKeys.set(t.join(','), c);
      tuples.push(...t);
      sizes.push(0);
    }
    sizes[c] = (sizes[c] ?? 0) + 1;
  }
  return { sizes: Int32Array.from(sizes), tuples: Int32Array.from(tuples), width: other ? 8 : 4, k: sizes.length };
}

function f1sFromCounts(counts: Int32Array, c: Categories, offset: number): { vc: number; el: number } {
  let tp = 0;
  let fpfn = 0;
  let p = 0;
  let mp = 0;
  let g = 0;
  for (let k = 0; k < c.k; k++) {
    const w = counts[k] as number;
    if (w === 0) continue;
    const base = c.width * k + offset;
    const code = c.tuples[base] as number;
    if (code === TP) tp += w;
    else if (code !== TN) fpfn += w;
    p += w * (c.tuples[base + 1] as number);
    mp += w * (c.tuples[base + 2] as number);
    g += w * (c.tuples[base + 3] as number);
  }
  return { vc: ratio(2 * tp, 2 * tp + fpfn), el: harmonic(ratio(mp, p), ratio(mp, g)) };
}

/**
 * Bootstrap replicates of VC F1 and EL F1 over a subset (items resampled with
 * replacement, seeded). With `other`, the same resamples also give the other
 * run's replicates (paired bootstrap).
 */
export function bootstrapF1(
  o: Outcomes,
  subset: Int32Array | null,
  resamples: number,
  seed: number,
  other?: Outcomes,
): { vc: Float64Array; el: Float64Array; vcOther?: Float64Array; elOther?: Float64Array } {
  const m = subset ? subset.length : o.n;
  const vc = new Float64Array(resamples);
  const el = new Float64Array(resamples);
  const vcOther = other ? new Float64Array(resamples) : undefined;
  const elOther = other ? new Float64Array(resamples) : undefined;
  const result = { vc, el, ...(vcOther ? { vcOther } : {}), ...(elOther ? { elOther } : {}) };
  if (m === 0) return result;
  const cats = categorize(o, subset, other);
  const counts = new Int32Array(cats.k);
  const rng = createRng(seed);
  for (let r = 0; r < resamples; r++) {
    multinomialResample(cats.sizes, m, counts, rng);
    const fa = f1sFromCounts(counts, cats, 0);
    vc[r] = fa.vc;
    el[r] = fa.el;
    if (vcOther && elOther) {
      const fb = f1sFromCounts(counts, cats, 4);
      vcOther[r] = fb.vc;
      elOther[r] = fb.el;
    }
  }
  return result;
}

/** One metric block over a subset of items (null = all). */
export function blockMetrics(o: Outcomes, subset: Int32Array | null, bootstrap: { resamples: number; seed: number } | null): MetricBlock {
  const s = sumOver(o, subset);
  const elP = ratio(s.mp, s.pred);
  const elR = ratio(s.mg, s.gold);
  const boot = bootstrap && bootstrap.resamples > 0 ? bootstrapF1(o, subset, bootstrap.resamples, bootstrap.seed) : null;
  const elTexts = s.n - s.excluded;
  const spurious = s.pred - s.mp;
  return {
    n: s.n,
    missing: s.missing,
    vc: {
      ...confusion(s.tp, s.fp, s.fn, s.tn),
      accuracy: ratio(s.tp + s.tn, s.n),
      over_criticism: ratio(s.fp, s.fp + s.tn),
      intervals: {
        precision: wilson(s.tp, s.tp + s.fp),
        recall: wilson(s.tp, s.tp + s.fn),
        accuracy: wilson(s.tp + s.tn, s.n),
        over_criticism: wilson(s.fp, s.fp + s.tn),
        f1: boot ? percentileInterval(boot.vc) : null,
      },
    },
    el: {
      predicted: s.pred,
      matched_pred: s.mp,
      gold: s.gold,
      matched_gold: s.mg,
      precision: elP,
      recall: elR,
      f1: harmonic(elP, elR),
      texts: s.texts,
      localized_texts: s.localized,
      text_rate: ratio(s.localized, s.texts),
      spurious,
      spurious_per_text: ratio(spurious, elTexts),
      excluded: s.excluded,
      intervals: {
        precision: wilson(s.mp, s.pred),
        recall: wilson(s.mg, s.gold),
        text_rate: wilson(s.localized, s.texts),
        f1: boot ? percentileInterval(boot.el) : null,
      },
    },
  };
}

/** Groups item positions by a label; items without the label are left out. */
export function groupIndices(items: readonly DatasetItem[], keyOf: (item: DatasetItem) => string | undefined): Map<string, Int32Array> {
  const lists = new Map<string, number[]>();
  for (let i = 0; i < items.length; i++) {
    const k = keyOf(items[i] as DatasetItem);
    if (k !== undefined) pushTo(lists, k, i);
  }
  return sortedGroups(lists);
}

export const BREAKDOWN_KEYS: Readonly<Record<keyof Metrics['by'], (item: DatasetItem) => string | undefined>> = {
  // Error types exist only for erroneous texts: these groups measure detection (recall) and localization per type.
  error_type: (it) => (it.hasError ? it.errorType : undefined),
  specialty: (it) => it.specialty,
  style: (it) => it.style,
  difficulty: (it) => (it.difficulty === undefined ? undefined : String(it.difficulty)),
};

/** Labels of the small integer difficulties, made once (String() per item allocated 100k strings). */
const DIFFICULTY_LABELS = new Map<number, string>();
function difficultyLabel(d: number): string {
  let label = DIFFICULTY_LABELS.get(d);
  if (label === undefined) {
    label = String(d);
    if (DIFFICULTY_LABELS.size < 64) DIFFICULTY_LABELS.set(d, label);
  }
  return label;
}

function pushTo(lists: Map<string, number[]>, key: string, i: number): void {
  const list = lists.get(key);
  if (list) list.push(i);
  else lists.set(key, [i]);
}

function sortedGroups(lists: Map<string, number[]>): Map<string, Int32Array> {
  const out = new Map<string, Int32Array>();
  for (const k of [...lists.keys()].sort()) out.set(k, Int32Array.from(lists.get(k) ?? []));
  return out;
}

/**
 * The four breakdowns' groups (as groupIndices with BREAKDOWN_KEYS gives
 * them) in one pass over the items, without a key function call per item and
 * breakdown: that was ~60 ms of a 100k-item score.
 */
export function breakdownGroups(items: readonly DatasetItem[]): Record<keyof Metrics['by'], Map<string, Int32Array>> {
  const errorType = new Map<string, number[]>();
  const specialty = new Map<string, number[]>();
  const style = new Map<string, number[]>();
  const difficulty = new Map<string, number[]>();
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as DatasetItem;
    if (it.hasError && it.errorType !== undefined) pushTo(errorType, it.errorType, i);
    if (it.specialty !== undefined) pushTo(specialty, it.specialty, i);
    if (it.style !== undefined) pushTo(style, it.style, i);
    if (it.difficulty !== undefined) pushTo(difficulty, difficultyLabel(it.difficulty), i);
  }
  return { error_type: sortedGroups(errorType), specialty: sortedGroups(specialty), style: sortedGroups(style), difficulty: sortedGroups(difficulty) };
}

export function computeMetrics(items: readonly DatasetItem[], predictions: readonly Prediction[], options: MetricsOptions = {}): Metrics {
  const criterion = options.criterion ?? 'span';
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const seed = options.seed ?? DEFAULT_SEED;
  const o = computeOutcomes(items, predictions, criterion, options.aligned);
  const boot = { resamples, seed };
  const by: Metrics['by'] = { error_type: {}, specialty: {}, style: {}, difficulty: {} };
  const groups = breakdownGroups(items);
  for (const dim of Object.keys(by) as (keyof Metrics['by'])[]) {
    for (const [label, subset] of groups[dim]) {
      by[dim][label] = blockMetrics(o, subset, options.breakdownIntervals === false ? null : boot);
    }
  }
  return {
    criterion,
    ...blockMetrics(o, null, boot),
    unknown_predictions: o.unknownPredictions,
    duplicate_predictions: o.duplicatePredictions,
    bootstrap: boot,
    by,
  };
}
