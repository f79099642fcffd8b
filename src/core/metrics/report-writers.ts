/** Metrics as JSON and as a flat CSV summary (one row per scope). */
import type { MetricBlock, Metrics } from './compute-metrics';
import { DUPLICATE_RULES, MISSING_PREDICTION_RULE, type PredictionCoverage } from './coverage';

export function metricsToJson(metrics: Metrics): string {
  return `${JSON.stringify(metrics, (_k, v: unknown) => (v === Infinity ? 'Infinity' : v), 2)}\n`;
}

export const CSV_SUMMARY_COLUMNS = [
  'scope',
  'group',
  'n',
  'missing',
  'tp',
  'fp',
  'fn',
  'tn',
  'vc_precision',
  'vc_recall',
  'vc_f1',
  'vc_f1_low',
  'vc_f1_high',
  'vc_accuracy',
  'over_criticism',
  'el_precision',
  'el_recall',
  'el_f1',
  'el_f1_low',
  'el_f1_high',
  'text_rate',
  'spurious_per_text',
] as const;

/**
 * Columns appended after the summary columns (issue 10): filled on the
 * overall row only, so a spreadsheet shows how the file was read next to
 * the scores. The MEDIQA-CORR columns are empty for datasets without
 * sentence ids.
 */
export const CSV_READING_COLUMNS = [
  'unknown_predictions',
  'duplicate_predictions',
  'duplicate_ids',
  'duplicate_rule',
  'rejected_prediction_lines',
  'missing_rule',
  'mediqa_error_flag_accuracy',
  'mediqa_error_sentence_accuracy',
] as const;

export interface CsvReadingInfo {
  coverage?: PredictionCoverage;
  mediqa?: { error_flag_accuracy: number; error_sentence_accuracy: number } | null;
}

function csvCell(v: string | number): string {
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(6)) : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Precision, recall, F1 and F1's interval: the same five columns for VC and for EL. */
function rateCells(x: MetricBlock['vc'] | MetricBlock['el']): (string | number)[] {
  return [x.precision, x.recall, x.f1, x.intervals.f1?.low ?? '', x.intervals.f1?.high ?? ''];
}

function row(scope: string, group: string, b: MetricBlock): string {
  const cells: (string | number)[] = [
    scope,
    group,
    b.n,
    b.missing,
    b.vc.tp,
    b.vc.fp,
    b.vc.fn,
    b.vc.tn,
    ...rateCells(b.vc),
    b.vc.accuracy,
    b.vc.over_criticism,
    ...rateCells(b.el),
    b.el.text_rate,
    b.el.spurious_per_text,
  ];
  return cells.map(csvCell).join(',');
}

function readingCells(metrics: Metrics, info: CsvReadingInfo): string {
  const c = info.coverage;
  const cells: (string | number)[] = [
    c?.unknown ?? metrics.unknown_predictions,
    c?.duplicates.length ?? metrics.duplicate_predictions,
    c ? c.duplicates.map((d) => `${d.id} (lines ${d.lines.join(' ')}; used ${d.used_line})`).join('; ') : '',
    c?.duplicate_rule ?? DUPLICATE_RULES.first,
    c?.rejected_lines ?? '',
    c?.missing_rule ?? MISSING_PREDICTION_RULE,
    info.mediqa?.error_flag_accuracy ?? '',
    info.mediqa?.error_sentence_accuracy ?? '',
  ];
  return cells.map(csvCell).join(',');
}

export function metricsToCsv(metrics: Metrics, info: CsvReadingInfo = {}): string {
  const empty = ','.repeat(CSV_READING_COLUMNS.length);
  const lines = [`${CSV_SUMMARY_COLUMNS.join(',')},${CSV_READING_COLUMNS.join(',')}`, `${row('overall', '', metrics)},${readingCells(metrics, info)}`];
  for (const [scope, groups] of Object.entries(metrics.by)) {
    for (const [group, block] of Object.entries(groups)) lines.push(`${row(scope, group, block)}${empty}`);
  }
  return `${lines.join('\n')}\n`;
}
