/**
 * MEDIQA-CORR 2024 official measures for datasets with sentence ids (MEDEC):
 * error flag accuracy (subtask A) and error sentence detection accuracy
 * (subtask B), over every reference text, a missing prediction counted as
 * wrong, values compared as text, exactly as the official evaluation
 * script's compute_accuracy does. Also the bridges both ways between our
 * predictions (flag + spans) and submission rows (flag + sentence id).
 */
import { alignQuote } from '../align';
import type { DatasetItem } from '../dataset/types';
import { wilson, type Interval } from '../metrics/stats-utils';
import type { PredictedSpan, Prediction, PredictionIssue } from '../predictions';
import { parseSentenceList, placeSentences, sentenceAt, type PlacedSentence } from './sentences';
import type { MediqaLine, MediqaRow } from './submission';

export interface MediqaReferenceText {
  id: string;
  text: string;
  /** '1' or '0'. */
  flag: string;
  /** Gold error sentence id, '-1' for a correct text. */
  sentenceId: string;
  sentences: PlacedSentence[];
}

/** Reference texts by id, in dataset order. */
export type MediqaReference = Map<string, MediqaReferenceText>;

export const MEDIQA_DEFINITION =
  'MEDIQA-CORR 2024 official measures: error flag accuracy = texts whose predicted flag equals the reference flag / all reference texts; error sentence detection accuracy = texts whose predicted error sentence id (-1 for none) equals the reference id / all reference texts; a text without a prediction counts as wrong in both.';

/**
 * The reference from dataset items plus, per id, MEDEC's "Sentences" and
 * "Error Sentence ID" cells. Items without those cells are left out.
 */
export function mediqaReference(items: readonly DatasetItem[], cells: ReadonlyMap<string, { sentences: string; errorSentenceId: string }>): MediqaReference {
  const ref: MediqaReference = new Map();
  for (const it of items) {
    const c = cells.get(it.id);
    if (!c) continue;
    const sid = c.errorSentenceId.trim();
    ref.set(it.id, {
      id: it.id,
      text: it.text,
      flag: it.hasError ? '1' : '0',
      sentenceId: sid === '' || /^(na|nan|none)$/i.test(sid) ? '-1' : sid,
      sentences: placeSentences(it.text, parseSentenceList(c.sentences)),
    });
  }
  return ref;
}

export interface MediqaMeasures {
  texts: number;
  /** Reference texts with a prediction. */
  predicted: number;
  missing: number;
  flag_correct: number;
  sentence_correct: number;
  error_flag_accuracy: number;
  error_sentence_accuracy: number;
  intervals: { error_flag_accuracy: Interval; error_sentence_accuracy: Interval };
  definition: string;
}

export function mediqaMeasures(reference: MediqaReference, run: ReadonlyMap<string, MediqaRow>): MediqaMeasures {
  let predicted = 0;
  let flagOk = 0;
  let sentenceOk = 0;
  for (const r of reference.values()) {
    const p = run.get(r.id);
    if (!p) continue;
    predicted++;
    if (p.flag === r.flag) flagOk++;
    if (p.sentenceId === r.sentenceId) sentenceOk++;
  }
  const n = reference.size;
  return {
    texts: n,
    predicted,
    missing: n - predicted,
    flag_correct: flagOk,
    sentence_correct: sentenceOk,
    error_flag_accuracy: n === 0 ? 0 : flagOk / n,
    error_sentence_accuracy: n === 0 ? 0 : sentenceOk / n,
    intervals: { error_flag_accuracy: wilson(flagOk, n), error_sentence_accuracy: wilson(sentenceOk, n) },
    definition: MEDIQA_DEFINITION,
  };
}

/** The span a prediction names as its error: the highest-scored one, else the first. */
function mainSpan(p: Prediction): PredictedSpan | undefined {
  let best: PredictedSpan | undefined;
  for (const s of p.spans) if (!best || (s.score ?? -Infinity) > (best.score ?? -Infinity)) best = s;
  return best;
}

/**
 * Submission rows for predictions over the reference texts: flag from
 * has_error; sentence id of the sentence the main span overlaps most (-1
 * when the span cannot be placed); corrected sentence = that sentence with
 * the span replaced by its correction, NA when the span has no correction.
 */
export function mediqaRowsFromPredictions(reference: MediqaReference, predictions: readonly Prediction[]): Map<string, MediqaRow> {
  const rows = new Map<string, MediqaRow>();
  for (const p of predictions) {
    const r = reference.get(p.id);
    if (!r || rows.has(p.id)) continue;
    if (!p.hasError) {
      rows.set(p.id, { id: p.id, flag: '0', sentenceId: '-1', correction: 'NA' });
      continue;
    }
    const span = mainSpan(p);
    let range: { start: number; end: number } | null = null;
    if (span && span.start >= 0 && span.end <= r.text.length) range = { start: span.start, end: span.end };
    else if (span?.text) range = alignQuote(r.text, span.text);
    const sentence = range ? sentenceAt(r.sentences, range.start, range.end) : undefined;
    let correction = 'NA';
    if (sentence && range && span?.correction && range.start >= sentence.start && range.end <= sentence.end) {
      correction = r.text.slice(sentence.start, range.start) + span.correction + r.text.slice(range.end, sentence.end);
    }
    rows.set(p.id, { id: p.id, flag: '1', sentenceId: sentence?.id ?? '-1', correction });
  }
  return rows;
}

/**
 * Predictions for VC and EL from submission lines (the last line of an id
 * wins; the caller's coverage check lists the duplicates). A flagged text
 * gets one span covering its error sentence, with the corrected sentence as
 * correction; a sentence id that is not a sentence of the text gives no span
 * and an issue.
 */
export function predictionsFromMediqa(reference: MediqaReference, lines: readonly MediqaLine[]): { predictions: Prediction[]; issues: PredictionIssue[]; lines: number[] } {
  const predictions: Prediction[] = [];
  const at: number[] = [];
  const issues: PredictionIssue[] = [];
  for (const l of lines) {
    const p: Prediction = { id: l.id, hasError: l.flag === '1', spans: [] };
    const r = reference.get(l.id);
    if (p.hasError && r) {
      const s = r.sentences.find((x) => x.id === l.sentenceId);
      if (s) {
        const span: PredictedSpan = { start: s.start, end: s.end, text: r.text.slice(s.start, s.end) };
        if (l.correction !== 'NA') span.correction = l.correction;
        p.spans.push(span);
      } else {
        issues.push({ line: l.line, message: `id ${l.id}: sentence id ${l.sentenceId} is not a sentence of this text; the flag is scored, no span` });
      }
    }
    predictions.push(p);
    at.push(l.line);
  }
  return { predictions, issues, lines: at };
}
