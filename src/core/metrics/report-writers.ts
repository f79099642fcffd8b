/** Metrics as JSON and as a flat CSV summary (one row per scope). */
import type { MetricBlock, Metrics } from './compute-metrics';

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

function csvCell(v: string | number): string {
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(6)) : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
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
    b.vc.precision,
    b.vc.recall,
    b.vc.f1,
    b.vc.intervals.f1?.low ?? '',
    b.vc.intervals.f1?.high ?? '',
    b.vc.accuracy,
    b.vc.over_criticism,
    b.el.precision,
    b.el.recall,
    b.el.f1,
    b.el.intervals.f1?.low ?? '',
    b.el.intervals.f1?.high ?? '',
    b.el.text_rate,
    b.el.spurious_per_text,
  ];
  return cells.map(csvCell).join(',');
}

export function metricsToCsv(metrics: Metrics): string {
  const lines = [CSV_SUMMARY_COLUMNS.join(','), row('overall', '', metrics)];
  for (const [scope, groups] of Object.entries(metrics.by)) {
    for (const [group, block] of Object.entries(groups)) lines.push(row(scope, group, block));
  }
  return `${lines.join('\n')}\n`;
}
