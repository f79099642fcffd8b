/**
 * The app's predictions import runs the same checks as `medfact score`
 * (core prepareScoring): no matching id is an error, more than 5% missing
 * is a warning, malformed lines are named by line number, ids are trimmed,
 * duplicates are listed with the line used. What the screen shows is the
 * summary below, with the same counts the CLI prints.
 */
import type { DatasetItem } from '../../core/dataset/types';
import { looksLikeMediqaSubmission } from '../../core/mediqa';
import { MISSING_WARN_SHARE, prepareScoring, type DuplicatePrediction, type PreparedScoring } from '../../core/metrics/coverage';
import { readPredictions, type PredictionIssue } from '../../core/predictions';
import { MedfactError } from '../../protocol/errors';

/** Lines and duplicates listed on screen; the counts cover all of them. */
export const SHOWN_ON_SCREEN = 20;

export interface PredictionsImportSummary {
  /** Dataset items, and those with a prediction (the run covers these). */
  total: number;
  matched: number;
  missing: number;
  /** Percentage of dataset items without a prediction, one decimal. */
  missingPercent: string;
  /** True when more than 5% are missing: the screen shows a warning. */
  missingWarning: boolean;
  unknown: number;
  rejectedLines: number;
  /** Every issue, by line (errors and repairs). */
  issues: number;
  shownIssues: PredictionIssue[];
  duplicates: number;
  shownDuplicates: DuplicatePrediction[];
}

export async function checkPredictionsFile(file: Blob, items: readonly DatasetItem[]): Promise<{ prepared: PreparedScoring; summary: PredictionsImportSummary }> {
  if (looksLikeMediqaSubmission(await file.slice(0, 4096).text())) {
    throw new MedfactError(
      'BAD_INPUT',
      'This file is a MEDIQA-CORR submission ("text_id flag sentence_id corrected_sentence"). The app does not keep MEDEC sentence ids yet: score it with `medfact score <MEDEC csv> <file>`, or import predictions as JSONL.',
    );
  }
  const read = await readPredictions(file);
  const prepared = prepareScoring(items, read);
  if (prepared.fatal) throw new MedfactError('BAD_INPUT', prepared.fatal);
  const c = prepared.coverage;
  return {
    prepared,
    summary: {
      total: c.dataset_items,
      matched: c.matched,
      missing: c.missing,
      missingPercent: (100 * c.missing_share).toFixed(1),
      missingWarning: c.missing_share > MISSING_WARN_SHARE,
      unknown: c.unknown,
      rejectedLines: c.rejected_lines,
      issues: prepared.issues.length,
      shownIssues: prepared.issues.slice(0, SHOWN_ON_SCREEN),
      duplicates: c.duplicates.length,
      shownDuplicates: c.duplicates.slice(0, SHOWN_ON_SCREEN),
    },
  };
}
