/**
 * Threshold sweep over reward scores: an item counts as flagged at threshold
 * t when the run flagged it and its score ≥ t. Precision, recall, F1 and
 * over-criticism per threshold, and the threshold that meets an
 * over-criticism target with the most recall.
 */
import type { DatasetItem } from '../dataset/types';
import type { Prediction } from '../predictions';
import { indexPredictions } from './compute-metrics';
import { confusion, ratio, type Confusion } from './stats-utils';

export interface SweepPoint extends Confusion {
  threshold: number;
  over_criticism: number;
}

export interface ThresholdSweep {
  points: SweepPoint[];
  /** The lowest threshold whose over-criticism ≤ target (highest recall under the target); null when none. */
  at_target: SweepPoint | null;
  target: number | undefined;
  /** Flagged items without any score (treated as score 1). */
  unscored: number;
}

/** The score of a flagged prediction: item score, else the best span score, else 1. */
export function predictionScore(p: Prediction): number | undefined {
  if (p.score !== undefined) return p.score;
  let best: number | undefined;
  for (const s of p.spans) if (s.score !== undefined && (best === undefined || s.score > best)) best = s.score;
  return best;
}

export function sweepThresholds(
  items: readonly DatasetItem[],
  predictions: readonly Prediction[],
  options: { target?: number; maxPoints?: number } = {},
): ThresholdSweep {
  const { byId } = indexPredictions(predictions);
  const positives = items.reduce((n, it) => n + (it.hasError ? 1 : 0), 0);
  const negatives = items.length - positives;
  const flagged: { score: number; positive: boolean }[] = [];
  let unscored = 0;
  for (const it of items) {
    const p = byId.get(it.id);
    if (!p?.hasError) continue;
    let score = predictionScore(p);
    if (score === undefined) {
      unscored++;
      score = 1;
    }
    flagged.push({ score, positive: it.hasError });
  }
  flagged.sort((a, b) => b.score - a.score);
  const all: SweepPoint[] = [];
  const point = (threshold: number, tp: number, fp: number): SweepPoint => ({
    threshold,
    ...confusion(tp, fp, positives - tp, negatives - fp),
    over_criticism: ratio(fp, negatives),
  });
  all.push(point(Infinity, 0, 0));
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < flagged.length; i++) {
    const f = flagged[i] as { score: number; positive: boolean };
    if (f.positive) tp++;
    else fp++;
    const next = flagged[i + 1];
    if (!next || next.score !== f.score) all.push(point(f.score, tp, fp));
  }
  const target = options.target;
  let atTarget: SweepPoint | null = null;
  if (target !== undefined) {
    // Points run from high to low thresholds; over-criticism only grows along them.
    for (const p of all) if (p.over_criticism <= target) atTarget = p;
  }
  const maxPoints = options.maxPoints ?? 201;
  let points = all;
  if (all.length > maxPoints) {
    const step = (all.length - 1) / (maxPoints - 1);
    points = Array.from({ length: maxPoints }, (_, k) => all[Math.round(k * step)] as SweepPoint);
  }
  return { points, at_target: atTarget, target, unscored };
}
