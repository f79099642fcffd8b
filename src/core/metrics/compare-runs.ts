/**
 * Compares two runs over the items they share: metric differences (b − a),
 * an exact McNemar test on per-item VC correctness, a paired bootstrap of
 * the VC and EL F1 differences, and the items whose VC outcome flipped.
 */
import type { DatasetItem } from '../dataset/types';
import type { Prediction } from '../predictions';
import { blockMetrics, bootstrapF1, computeOutcomes, DEFAULT_RESAMPLES, DEFAULT_SEED, FP, TN, TP, type MetricBlock } from './compute-metrics';
import type { Criterion } from './span-match';
import { mcnemarExact, percentileInterval, type Interval } from './stats-utils';

export interface RunInput {
  items: readonly DatasetItem[];
  predictions: readonly Prediction[];
  name?: string;
}

export interface PairedDiff {
  /** b − a on the shared items. */
  diff: number;
  interval: Interval;
  /** Two-sided paired bootstrap p-value. */
  p_value: number;
}

export interface FlippedItem {
  id: string;
  gold: boolean;
  a: boolean;
  b: boolean;
  /** Which run got the item right. */
  now_correct: 'a' | 'b';
}

export interface RunComparison {
  n_shared: number;
  only_a: number;
  only_b: number;
  a: MetricBlock;
  b: MetricBlock;
  diff: { vc_precision: number; vc_recall: number; vc_f1: number; vc_accuracy: number; over_criticism: number; el_precision: number; el_recall: number; el_f1: number; text_rate: number };
  mcnemar: { a_right_b_wrong: number; a_wrong_b_right: number; p_value: number };
  bootstrap: { vc_f1: PairedDiff; el_f1: PairedDiff; resamples: number; seed: number };
  flipped: FlippedItem[];
}

function pairedDiff(a: Float64Array, b: Float64Array, point: number): PairedDiff {
  const d = new Float64Array(a.length);
  let le = 0;
  let ge = 0;
  for (let i = 0; i < a.length; i++) {
    const v = (b[i] as number) - (a[i] as number);
    d[i] = v;
    if (v <= 0) le++;
    if (v >= 0) ge++;
  }
  const p = a.length > 0 ? Math.min(1, (2 * Math.min(le, ge)) / a.length) : 1;
  return { diff: point, interval: percentileInterval(d), p_value: p };
}

const correct = (code: number): boolean => code === TP || code === TN;

export function compareRuns(
  a: RunInput,
  b: RunInput,
  options: { criterion?: Criterion; resamples?: number; seed?: number } = {},
): RunComparison {
  const criterion = options.criterion ?? 'span';
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const seed = options.seed ?? DEFAULT_SEED;
  const bIds = new Set(b.items.map((it) => it.id));
  const aIds = new Set(a.items.map((it) => it.id));
  const shared = a.items.filter((it) => bIds.has(it.id));
  const oa = computeOutcomes(shared, a.predictions, criterion);
  const ob = computeOutcomes(shared, b.predictions, criterion);
  const ma = blockMetrics(oa, null, { resamples, seed });
  const mb = blockMetrics(ob, null, { resamples, seed });
  let aRight = 0;
  let bRight = 0;
  const flipped: FlippedItem[] = [];
  shared.forEach((it, i) => {
    const ca = oa.vc[i] as number;
    const cb = ob.vc[i] as number;
    const ra = correct(ca);
    const rb = correct(cb);
    if (ra === rb) return;
    if (ra) aRight++;
    else bRight++;
    const flaggedA = ca === TP || ca === FP;
    const flaggedB = cb === TP || cb === FP;
    flipped.push({ id: it.id, gold: it.hasError, a: flaggedA, b: flaggedB, now_correct: rb ? 'b' : 'a' });
  });
  const boot = bootstrapF1(oa, null, resamples, seed, ob);
  return {
    n_shared: shared.length,
    only_a: aIds.size - shared.length,
    only_b: [...bIds].filter((id) => !aIds.has(id)).length,
    a: ma,
    b: mb,
    diff: {
      vc_precision: mb.vc.precision - ma.vc.precision,
      vc_recall: mb.vc.recall - ma.vc.recall,
      vc_f1: mb.vc.f1 - ma.vc.f1,
      vc_accuracy: mb.vc.accuracy - ma.vc.accuracy,
      over_criticism: mb.vc.over_criticism - ma.vc.over_criticism,
      el_precision: mb.el.precision - ma.el.precision,
      el_recall: mb.el.recall - ma.el.recall,
      el_f1: mb.el.f1 - ma.el.f1,
      text_rate: mb.el.text_rate - ma.el.text_rate,
    },
    mcnemar: { a_right_b_wrong: aRight, a_wrong_b_right: bRight, p_value: mcnemarExact(aRight, bRight) },
    bootstrap: {
      vc_f1: pairedDiff(boot.vc, boot.vcOther ?? new Float64Array(0), mb.vc.f1 - ma.vc.f1),
      el_f1: pairedDiff(boot.el, boot.elOther ?? new Float64Array(0), mb.el.f1 - ma.el.f1),
      resamples,
      seed,
    },
    flipped,
  };
}
