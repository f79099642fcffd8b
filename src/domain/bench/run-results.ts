/**
 * From stored run items to what the results screens show and export:
 * predictions (at the run's threshold or another one), metrics through
 * core's computeMetrics over the items that were scored (failed items are
 * counted apart, not scored as "no error"), the threshold sweep, per-item
 * outcomes for the table, and the predictions JSONL export / import.
 */
import type { DatasetItem, GoldUnit } from '../../core/dataset/types';
import { computeMetrics, computeOutcomes, FN, FP, TN, TP, type Metrics } from '../../core/metrics/compute-metrics';
import type { Criterion } from '../../core/metrics/span-match';
import { sweepThresholds, type ThresholdSweep } from '../../core/metrics/threshold-sweep';
import { writePredictionsJsonl, type Prediction } from '../../core/predictions';
import { predictionFrom } from './run-item';
import type { RunItemRecord, StoredFinding } from '../../core/run-record';

export function criterionFor(unit: GoldUnit): Criterion {
  return unit === 'sentence' ? 'sentence' : 'span';
}

/** Predictions of the done items; with `threshold`, recomputed from the stored findings. */
export function predictionsOf(runItems: readonly RunItemRecord[], texts: ReadonlyMap<string, string>, options: { threshold?: number; hasReward?: boolean } = {}): Prediction[] {
  const out: Prediction[] = [];
  for (const r of runItems) {
    if (r.status !== 'done') continue;
    if (options.threshold === undefined) {
      out.push(r.prediction);
      continue;
    }
    out.push(predictionFrom(r.itemId, texts.get(r.itemId) ?? '', r.findings, r.verifierVerdict, options.threshold, options.hasReward ?? false));
  }
  return out;
}

/**
 * Predictions for the threshold sweep: an item is a candidate when the
 * verifier flagged it or reported any finding; its score is its best
 * finding's confidence (an imported run keeps its own score).
 */
export function sweepPredictionsOf(runItems: readonly RunItemRecord[]): Prediction[] {
  const out: Prediction[] = [];
  for (const r of runItems) {
    if (r.status !== 'done') continue;
    if (r.verifierVerdict === null) {
      // Imported: the file's own flag and score.
      out.push(r.prediction);
      continue;
    }
    const best = r.findings.reduce<number | undefined>((m, f) => (m === undefined || f.confidence > m ? f.confidence : m), undefined);
    const p: Prediction = { id: r.itemId, hasError: r.verifierVerdict === 'has_error' || r.findings.length > 0, spans: [] };
    if (best !== undefined) p.score = best;
    out.push(p);
  }
  return out;
}

export type ItemOutcome = 'tp' | 'fp' | 'fn' | 'tn' | 'failed' | 'pending';

export interface ItemRow {
  index: number;
  item: DatasetItem;
  result: RunItemRecord | null;
  outcome: ItemOutcome;
  /** Predicted spans that matched a gold error / that matched nothing. */
  matched: number;
  spurious: number;
  /** Erroneous text flagged but no span matched. */
  mislocated: boolean;
}

export interface RunEvaluation {
  metrics: Metrics;
  sweep: ThresholdSweep;
  rows: ItemRow[];
  scored: number;
  failed: number;
  pending: number;
}

const CODE: Record<number, ItemOutcome> = { [TP]: 'tp', [FP]: 'fp', [FN]: 'fn', [TN]: 'tn' };

/** Metrics, sweep and per-item rows for one run over its dataset items (in run order). */
export function evaluateRun(
  items: readonly DatasetItem[],
  runItems: readonly RunItemRecord[],
  options: { criterion: Criterion; target?: number; resamples?: number; predictions?: Prediction[] },
): RunEvaluation {
  const byId = new Map(runItems.map((r) => [r.itemId, r]));
  const scoredItems = items.filter((it) => byId.get(it.id)?.status === 'done');
  const predictions = options.predictions ?? predictionsOf(runItems, new Map());
  const metrics = computeMetrics(scoredItems, predictions, {
    criterion: options.criterion,
    ...(options.resamples !== undefined ? { resamples: options.resamples } : {}),
  });
  const sweep = sweepThresholds(scoredItems, sweepPredictionsOf(runItems), options.target !== undefined ? { target: options.target } : {});
  const outcomes = computeOutcomes(scoredItems, predictions, options.criterion);
  const position = new Map(scoredItems.map((it, i) => [it.id, i]));
  let failed = 0;
  let pending = 0;
  const rows: ItemRow[] = items.map((item, index) => {
    const result = byId.get(item.id) ?? null;
    const at = position.get(item.id);
    if (!result || at === undefined) {
      if (result?.status === 'failed') failed++;
      else pending++;
      return { index, item, result, outcome: result ? 'failed' : 'pending', matched: 0, spurious: 0, mislocated: false };
    }
    const code = outcomes.vc[at] ?? TN;
    const matched = outcomes.matchedPred[at] ?? 0;
    const predicted = outcomes.pred[at] ?? 0;
    return {
      index,
      item,
      result,
      outcome: CODE[code] ?? 'tn',
      matched,
      spurious: predicted - matched,
      mislocated: code === TP && (outcomes.elText[at] ?? 0) === 1,
    };
  });
  return { metrics, sweep, rows, scored: scoredItems.length, failed, pending };
}

/** Predictions JSONL (id, has_error, spans with offsets, text, type, correction, score; raw answers). */
export function exportPredictions(runItems: readonly RunItemRecord[]): string {
  return writePredictionsJsonl(
    runItems
      .filter((r) => r.status === 'done')
      .map((r) => ({ ...r.prediction, raw: r.raw.length === 1 ? r.raw[0] : r.raw })),
  );
}

function importedFinding(span: Prediction['spans'][number], text: string): StoredFinding {
  const placed = span.start >= 0 && span.end <= text.length;
  return {
    start: placed ? span.start : null,
    end: placed ? span.end : null,
    quote: span.text || (placed ? text.slice(span.start, span.end) : ''),
    type: span.type ?? 'other_medical',
    correction: span.correction ?? '',
    reason: '',
    confidence: span.score ?? 1,
    rewardScore: span.score ?? null,
    support: 1,
    kept: true,
    severity: 'normal',
  };
}

/** Run items for a predictions file from another machine (ids not in the dataset are left out by the caller). */
export function runItemsFromPredictions(runId: string, items: readonly DatasetItem[], predictions: readonly Prediction[], now: number = Date.now()): RunItemRecord[] {
  const byId = new Map<string, Prediction>();
  for (const p of predictions) if (!byId.has(p.id)) byId.set(p.id, p);
  const out: RunItemRecord[] = [];
  items.forEach((item, index) => {
    const p = byId.get(item.id);
    if (!p) return;
    const raw = p.raw === undefined ? [] : Array.isArray(p.raw) ? p.raw.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))) : [typeof p.raw === 'string' ? p.raw : JSON.stringify(p.raw)];
    out.push({
      runId,
      itemId: item.id,
      index,
      status: 'done',
      attempts: 1,
      prediction: { id: p.id, hasError: p.hasError, spans: p.spans, ...(p.score !== undefined ? { score: p.score } : {}) },
      verdict: p.hasError ? 'has_error' : 'no_error',
      verifierVerdict: null,
      answerStatus: null,
      findings: p.hasError ? p.spans.map((s) => importedFinding(s, item.text)) : [],
      raw,
      parsed: [],
      timings: { totalMs: 0, generateMs: 0, scoreMs: 0 },
      tokens: { prompt: 0, completion: 0 },
      threshold: 0,
      finishedAt: now,
    });
  });
  return out;
}
