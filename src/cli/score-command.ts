/**
 * `medfact score`: reads a predictions file (our JSONL, or a MEDIQA-CORR
 * submission, detected from its first line), checks it against the dataset
 * (prepareScoring), refuses to print a score when no id matches, warns when
 * many are missing, and adds the MEDIQA-CORR measures for datasets with
 * sentence ids. Kept apart from medfact.ts so the entry point stays a
 * dispatcher.
 */
import { writeFile } from 'node:fs/promises';
import type { DatasetField, ImportResult } from '../core/dataset/types';
import { computeMetrics } from '../core/metrics/compute-metrics';
import { metricsToCsv } from '../core/metrics/report-writers';
import { prepareScoring } from '../core/metrics/coverage';
import type { Criterion } from '../core/metrics/span-match';
import {
  isOfficialId,
  looksLikeMediqaSubmission,
  mediqaMeasures,
  mediqaRowsFromPredictions,
  parseMediqaSubmission,
  predictionsFromMediqa,
  readMediqaReference,
  writeMediqaSubmission,
  type MediqaReference,
  type MediqaRow,
} from '../core/mediqa';
import { readPredictions, type Prediction, type PredictionIssue } from '../core/predictions';
import { MedfactError } from '../protocol/errors';
import { formatMetrics } from './format';
import type { PredictionsAside } from './predictions-thread';
import { formatCoverage, formatMediqa } from './format-scoring';

export interface ScoreOptions {
  datasetPath: string;
  predictionsPath: string;
  maps: Partial<Record<DatasetField, string | null>>;
  criterion: Criterion | undefined;
  output: 'text' | 'json' | 'csv';
  mediqaOut: string | undefined;
}

export interface ScoreIo {
  openFile: (path: string) => Promise<Blob>;
  loadDataset: (path: string) => Promise<ImportResult>;
  out: (text: string) => void;
  err: (line: string) => void;
  /** Reads a JSONL predictions file in another thread (src/cli/predictions-thread.ts); absent: in-process. */
  readAside?: (path: string) => Promise<PredictionsAside>;
}

export async function scoreCommand(o: ScoreOptions, io: ScoreIo): Promise<number> {
  // A JSONL predictions file is read in a worker thread while the dataset is imported (issue 15).
  const aside = await predictionsAside(o.predictionsPath, io);
  try {
    return await score(o, io, aside);
  } finally {
    aside?.stop();
  }
}

/** Starts reading the predictions beside the dataset, when they are JSONL (a file that cannot be opened is reported later, in the usual order). */
async function predictionsAside(path: string, io: ScoreIo): Promise<PredictionsAside | null> {
  if (!io.readAside) return null;
  try {
    const blob = await io.openFile(path);
    if (looksLikeMediqaSubmission(await blob.slice(0, 4096).text())) return null;
  } catch {
    return null;
  }
  return io.readAside(path);
}

async function score(o: ScoreOptions, io: ScoreIo, aside: PredictionsAside | null): Promise<number> {
  const dataset = await io.loadDataset(o.datasetPath);
  const datasetBlob = await io.openFile(o.datasetPath);
  const predsBlob = await io.openFile(o.predictionsPath);
  const head = await predsBlob.slice(0, 4096).text();
  const isSubmission = looksLikeMediqaSubmission(head);
  const reference: MediqaReference | null = await readMediqaReference(datasetBlob, dataset, { fileName: o.datasetPath, mapping: o.maps });

  let read: { predictions: Prediction[]; issues: PredictionIssue[]; lines?: number[] };
  let submissionRows: Map<string, MediqaRow> | null = null;
  if (isSubmission) {
    if (!reference) {
      throw new MedfactError(
        'BAD_INPUT',
        `${o.predictionsPath} is a MEDIQA-CORR submission ("text_id flag sentence_id corrected_sentence"), which names sentences by id, but ${o.datasetPath} has no sentence ids. Use a MEDEC-layout dataset (columns Sentences and Error Sentence ID), or give predictions as JSONL.`,
      );
    }
    const parsed = parseMediqaSubmission(await predsBlob.text());
    const converted = predictionsFromMediqa(reference, parsed.lines);
    read = { predictions: converted.predictions, issues: [...parsed.issues, ...converted.issues].sort((a, b) => a.line - b.line), lines: converted.lines };
    // Last line of an id wins, as in the official script.
    submissionRows = new Map(parsed.lines.map((l) => [l.id, l]));
  } else {
    const fromThread = await aside?.result;
    if (process.env.MEDFACT_DEBUG) io.err(`medfact: predictions read ${fromThread ? 'in a worker thread' : 'in-process'}.`);
    read = fromThread ?? (await readPredictions(predsBlob));
  }
  if (read.predictions.length === 0) {
    const first = read.issues[0];
    throw new MedfactError('BAD_INPUT', `No readable predictions in ${o.predictionsPath}${first ? ` (line ${first.line}: ${first.message})` : ''}.`);
  }

  const prepared = prepareScoring(dataset.items, read, { duplicateRule: isSubmission ? 'last' : 'first' });
  for (const issue of prepared.issues.slice(0, 20)) io.err(`predictions line ${issue.line}: ${issue.message}`);
  if (prepared.issues.length > 20) io.err(`… and ${prepared.issues.length - 20} more prediction issues (all in --json).`);
  if (prepared.fatal) throw new MedfactError('BAD_INPUT', prepared.fatal);
  for (const w of prepared.coverage.warnings) io.err(`medfact: WARNING: ${w}`);

  const metrics = computeMetrics(dataset.items, prepared.predictions, { criterion: o.criterion ?? dataset.unit, ...(prepared.aligned ? { aligned: prepared.aligned } : {}) });
  metrics.duplicate_predictions = prepared.coverage.duplicates.length;
  const rows = reference ? (submissionRows ?? mediqaRowsFromPredictions(reference, prepared.predictions)) : null;
  const mediqa = reference && rows ? mediqaMeasures(reference, rows) : null;

  if (o.mediqaOut !== undefined) {
    if (!reference || !rows) {
      throw new MedfactError('BAD_INPUT', `--mediqa-out needs a dataset with sentence ids (MEDEC layout: columns Sentences and Error Sentence ID); ${o.datasetPath} has none.`);
    }
    const ordered = [...reference.keys()].flatMap((id) => {
      const r = rows.get(id);
      return r ? [r] : [];
    });
    const odd = ordered.filter((r) => !isOfficialId(r.id));
    if (odd.length > 0) io.err(`medfact: WARNING: ${odd.length} id(s) are not lower-case letters, digits and hyphens (e.g. ${JSON.stringify(odd[0]?.id)}); the official MEDIQA-CORR script skips such lines.`);
    await writeFile(o.mediqaOut, writeMediqaSubmission(ordered), 'utf8');
    io.err(`Wrote a MEDIQA-CORR submission (${ordered.length} texts; ${reference.size - ordered.length} without prediction left out, which the official script counts as wrong) to ${o.mediqaOut}.`);
  }

  if (o.output === 'json') {
    const out = {
      ...metrics,
      missing_rule: prepared.coverage.missing_rule,
      dataset: { content_hash: dataset.contentHash, items: dataset.items.length, rejected: dataset.rejected.length, unplaced_gold: dataset.stats.unplacedGold },
      predictions_format: isSubmission ? 'mediqa-corr' : 'jsonl',
      coverage: prepared.coverage,
      prediction_issues: prepared.issues,
      mediqa_corr: mediqa,
    };
    io.out(`${JSON.stringify(out, null, 2)}\n`);
  } else if (o.output === 'csv') {
    io.out(metricsToCsv(metrics, { coverage: prepared.coverage, mediqa }));
  } else {
    const extra = formatCoverage(prepared.coverage);
    if (mediqa) extra.push('', ...formatMediqa(mediqa));
    io.out(formatMetrics(metrics, dataset, extra));
  }
  return 0;
}
