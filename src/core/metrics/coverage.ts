/**
 * Checks a predictions file against the dataset before anything is scored,
 * so that a score is never shown when it would mislead (issue 10): no
 * matching id at all is an error, many missing predictions are a loud
 * warning, spans that point past the end of their text are an error for
 * their line, and duplicate ids are listed with the line that is used.
 * The CLI and the app's predictions import both call prepareScoring, so
 * they report the same counts.
 */
import type { DatasetItem } from '../dataset/types';
import type { Prediction, PredictionIssue } from '../predictions';
import type { AlignedPredictions } from './compute-metrics';

/** The missing-prediction rule, in the words the README, the text report and the JSON output share. */
export const MISSING_PREDICTION_RULE =
  'A dataset item without a prediction is scored as a prediction of "no error" with no spans: a false negative for an erroneous text, a true negative for a correct one. The MEDIQA-CORR measures count it as wrong.';

/** Which line of a repeated id is scored. JSONL predictions keep the first; MEDIQA-CORR submissions the last, as the official script does. */
export type DuplicateRule = 'first' | 'last';

export const DUPLICATE_RULES: Readonly<Record<DuplicateRule, string>> = {
  first: 'For an id given more than once, the first line is scored and later lines are ignored.',
  last: 'For an id given more than once, the last line is scored (as the official MEDIQA-CORR script does) and earlier lines are ignored.',
};

/** Share of dataset items without a prediction above which every report warns. */
export const MISSING_WARN_SHARE = 0.05;

const SAMPLE = 10;

export interface DuplicatePrediction {
  id: string;
  /** Every line that gave this id, in file order. */
  lines: number[];
  /** The line that is scored. */
  used_line: number;
}

export interface PredictionCoverage {
  dataset_items: number;
  /** Predictions read from the file (lines skipped as errors not counted). */
  predictions: number;
  /** Dataset items that have a prediction. */
  matched: number;
  missing: number;
  /** missing / dataset_items. */
  missing_share: number;
  /** The first few dataset ids without a prediction. */
  missing_ids: string[];
  /** Distinct prediction ids that are not in the dataset (ignored). */
  unknown: number;
  unknown_ids: string[];
  duplicates: DuplicatePrediction[];
  duplicate_rule: string;
  missing_rule: string;
  /** Lines skipped as errors, in the file and against the dataset. */
  rejected_lines: number;
  /** Loud warnings, in English (the app words its own from the counts). */
  warnings: string[];
}

export interface PreparedScoring {
  /** One prediction per id, checked against the dataset texts. */
  predictions: Prediction[];
  /** The read issues plus the errors found against the dataset, by line. */
  issues: PredictionIssue[];
  coverage: PredictionCoverage;
  /** Set when no score should be shown at all (no prediction id matches the dataset). */
  fatal: string | null;
  /**
   * The prediction scored for each dataset item, by position, for
   * computeMetrics' `aligned` option (saves indexing 100k ids again). Not
   * enumerable: the result keeps its compared shape. Absent when the items
   * repeat an id.
   */
  aligned?: AlignedPredictions;
}

const quoted = (ids: readonly string[]): string => ids.map((id) => JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id)).join(', ');

/** A span whose offsets point past the end of its item's text: the reason, or null. */
function offsetProblem(item: DatasetItem, p: Prediction): string | null {
  for (let i = 0; i < p.spans.length; i++) {
    const s = p.spans[i];
    if (s && s.start >= 0 && s.end > item.text.length) {
      return `id ${p.id}: span ${i + 1} offsets [${s.start}, ${s.end}) go past the end of the text (${item.text.length} UTF-16 code units); line skipped (the item counts as having no prediction)`;
    }
  }
  return null;
}

export function prepareScoring(
  items: readonly DatasetItem[],
  read: { predictions: readonly Prediction[]; issues: readonly PredictionIssue[]; lines?: readonly number[] },
  options: { duplicateRule?: DuplicateRule } = {},
): PreparedScoring {
  const rule = options.duplicateRule ?? 'first';
  const n = items.length;
  // Ids are looked up once each, by position: the scorer's own Map work was ~0.15 s over 100k items when
  // every step (offsets, duplicates, missing, order) asked a Map by id again.
  const itemAt = new Map<string, number>();
  for (let i = 0; i < n; i++) itemAt.set((items[i] as DatasetItem).id, i);
  // A dataset that repeats an id (the importer never does) keeps the old meaning: every item with that id shares the last one's prediction.
  const slotOf = itemAt.size === n ? (i: number): number => i : (i: number): number => itemAt.get((items[i] as DatasetItem).id) as number;
  const lineOf = (k: number): number => read.lines?.[k] ?? k + 1;
  const issues: PredictionIssue[] = [...read.issues];
  const valid: Prediction[] = [];
  const validLines: number[] = [];
  const validItem: number[] = [];
  read.predictions.forEach((p, k) => {
    const at = itemAt.get(p.id);
    const problem = at === undefined ? null : offsetProblem(items[at] as DatasetItem, p);
    if (problem) {
      issues.push({ line: lineOf(k), message: problem, skipped: true });
    } else {
      valid.push(p);
      validLines.push(lineOf(k));
      validItem.push(at ?? -1);
    }
  });
  issues.sort((a, b) => a.line - b.line);

  // One pass; line lists are built only for ids seen twice (100k-line files stay fast). Known ids are kept by
  // item position (typed arrays), ids the dataset lacks in a Map; `firstSeen` keeps the order ids first appeared in.
  const firstAt = new Int32Array(n).fill(-1);
  const chosenAt = new Int32Array(n).fill(-1);
  const unknownFirst = new Map<string, number>();
  const unknownChosen = new Map<string, number>();
  const firstSeen: number[] = [];
  const repeated = new Map<string, number[]>();
  for (let k = 0; k < valid.length; k++) {
    const p = valid[k] as Prediction;
    const at = validItem[k] as number;
    const first = at >= 0 ? (firstAt[at] as number) : (unknownFirst.get(p.id) ?? -1);
    if (first < 0) {
      if (at >= 0) {
        firstAt[at] = k;
        chosenAt[at] = k;
      } else {
        unknownFirst.set(p.id, k);
        unknownChosen.set(p.id, k);
      }
      firstSeen.push(k);
      continue;
    }
    const line = validLines[k] as number;
    const lines = repeated.get(p.id);
    if (lines) lines.push(line);
    else repeated.set(p.id, [validLines[first] as number, line]);
    if (rule === 'last') {
      if (at >= 0) chosenAt[at] = k;
      else unknownChosen.set(p.id, k);
    }
  }
  const duplicates: DuplicatePrediction[] = [];
  for (const [id, lines] of repeated) duplicates.push({ id, lines, used_line: (rule === 'last' ? lines[lines.length - 1] : lines[0]) as number });

  // Dataset order first, then ids the dataset does not have (ignored by the metrics).
  const predictions: Prediction[] = [];
  const byItem: (Prediction | undefined)[] = [];
  const missingIds: string[] = [];
  let matched = 0;
  for (let i = 0; i < n; i++) {
    const k = chosenAt[slotOf(i)] as number;
    const p = k >= 0 ? (valid[k] as Prediction) : undefined;
    byItem.push(p);
    if (p) {
      matched++;
      predictions.push(p);
    } else missingIds.push((items[i] as DatasetItem).id);
  }
  const unknownIds = [...unknownChosen.keys()];
  for (const id of unknownIds) predictions.push(valid[unknownChosen.get(id) as number] as Prediction);
  const chosenCount = firstSeen.length;
  const missingShare = n === 0 ? 0 : missingIds.length / n;
  const rejectedLines = issues.filter((i) => i.skipped).length;

  const warnings: string[] = [];
  if (matched > 0 && missingShare > MISSING_WARN_SHARE) {
    warnings.push(
      `${missingIds.length} of ${n} dataset items (${(100 * missingShare).toFixed(1)}%) have no prediction (more than ${100 * MISSING_WARN_SHARE}%); each is scored as "no error", so recall and F1 are lower and over-criticism may look better than the model is. First missing ids: ${quoted(missingIds.slice(0, 5))}.`,
    );
  }
  if (rejectedLines > 0) warnings.push(`${rejectedLines} prediction line(s) were skipped as errors (listed with their line numbers).`);
  if (unknownIds.length > 0 && matched > 0) warnings.push(`${unknownIds.length} prediction id(s) are not in the dataset and are ignored: ${quoted(unknownIds.slice(0, 5))}.`);
  if (duplicates.length > 0) {
    warnings.push(`${duplicates.length} id(s) have more than one prediction line; ${rule === 'last' ? 'the last' : 'the first'} is scored: ${duplicates.slice(0, 5).map((d) => `${JSON.stringify(d.id)} (lines ${d.lines.join(', ')}; used ${d.used_line})`).join('; ')}.`);
  }

  let fatal: string | null = null;
  if (matched === 0) {
    const datasetSample = quoted(items.slice(0, 3).map((it) => it.id));
    const predSample = quoted(firstSeen.slice(0, 3).map((k) => (valid[k] as Prediction).id));
    fatal =
      chosenCount === 0
        ? `No prediction could be scored: every line was skipped as an error${issues[0] ? ` (first: line ${issues[0].line}: ${issues[0].message})` : ''}.`
        : `None of the ${chosenCount} prediction ids matches an id in the dataset (${n} items), so there is nothing to score. Dataset ids look like ${datasetSample || '(none)'}; prediction ids look like ${predSample}. Check that the predictions were made for this dataset, or map the dataset's id column.`;
  }

  const prepared: PreparedScoring = {
    predictions,
    issues,
    coverage: {
      dataset_items: n,
      predictions: valid.length,
      matched,
      missing: missingIds.length,
      missing_share: missingShare,
      missing_ids: missingIds.slice(0, SAMPLE),
      unknown: unknownIds.length,
      unknown_ids: unknownIds.slice(0, SAMPLE),
      duplicates,
      duplicate_rule: DUPLICATE_RULES[rule],
      missing_rule: MISSING_PREDICTION_RULE,
      rejected_lines: rejectedLines,
      warnings,
    },
    fatal,
  };
  if (itemAt.size === n) Object.defineProperty(prepared, 'aligned', { value: { byItem, unknown: unknownIds.length }, enumerable: false });
  return prepared;
}
