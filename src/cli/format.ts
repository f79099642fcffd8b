/** Plain-text rendering of import results and metrics for the terminal. */
import type { ImportResult } from '../core/dataset/types';
import type { Interval } from '../core/metrics/stats-utils';
import type { MetricBlock, Metrics } from '../core/metrics/compute-metrics';

const f3 = (x: number): string => x.toFixed(3);
const ci = (i: Interval | null): string => (i ? `[${f3(i.low)}, ${f3(i.high)}]` : '');

function counts(map: Record<string, number>): string {
  const entries = Object.entries(map);
  return entries.length === 0 ? '(none)' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
}

export function formatInspect(r: ImportResult): string {
  const s = r.stats;
  const lines = [
    `format        ${r.format}${r.jsonKey !== undefined ? ` (records under "${r.jsonKey}")` : ''}`,
    `encoding      ${r.decoding.note}`,
    `columns       ${r.columns.join(', ')}`,
    `mapping       ${Object.entries(r.mapping).map(([f, c]) => `${f}=${c} (${r.mappingOrigin[f as keyof typeof r.mappingOrigin] ?? '?'})`).join(', ')}`,
    `preset        ${r.preset ?? 'none'}; gold unit: ${r.unit}`,
    `layout        ${r.layoutSignature}`,
    `content hash  ${r.contentHash}`,
    '',
    `rows          ${r.rows} read = ${r.items.length} imported + ${r.rejected.length} rejected`,
    `items         ${s.total} (with error ${s.withError}, correct ${s.correct})`,
    `error types   ${counts(s.byErrorType)}`,
    `specialties   ${counts(s.bySpecialty)}`,
    `styles        ${counts(s.byStyle)}`,
    `difficulty    ${counts(s.byDifficulty)}`,
    `gold spans    ${s.goldSpans} (unplaced ${s.unplacedGold}, approximate ${s.approximateGold}; erroneous without gold ${s.erroneousWithoutGold})`,
    `text length   min ${s.textLength.min}, mean ${s.textLength.mean.toFixed(1)}, max ${s.textLength.max}`,
    `rejected      ${s.rejected}${s.rejected > 0 ? ` (${counts(s.rejectedByReason)})` : ''}`,
    `warnings      ${r.warnings.length}${r.warnings.length > 0 ? ` (${counts(s.warningsByReason)})` : ''}`,
  ];
  for (const n of r.notes) lines.push(`note          ${n}`);
  if (r.rejected.length > 0) {
    lines.push('', 'Rejected rows:');
    for (const x of r.rejected) lines.push(`  row ${x.row}${x.line !== undefined ? ` (line ${x.line})` : ''}${x.id !== undefined ? ` id ${x.id}` : ''}: ${x.reason}: ${x.message}`);
  }
  if (r.warnings.length > 0) {
    lines.push('', 'Warnings:');
    for (const w of r.warnings) lines.push(`  row ${w.row} id ${w.id}: ${w.reason}: ${w.message}`);
  }
  return `${lines.join('\n')}\n`;
}

function blockLine(label: string, b: MetricBlock): string {
  return `${label.padEnd(22)} ${String(b.n).padStart(6)}  ${f3(b.vc.precision)}  ${f3(b.vc.recall)}  ${f3(b.vc.f1)}  ${f3(b.vc.over_criticism)}  ${f3(b.el.f1)}  ${f3(b.el.text_rate)}`;
}

/** `extra`: lines shown under the header (how the predictions were read), then the MEDIQA-CORR block if any. */
export function formatMetrics(m: Metrics, dataset: ImportResult, extra: readonly string[] = []): string {
  const lines = [
    `dataset ${dataset.contentHash.slice(0, 16)}…  items ${m.n}  missing predictions ${m.missing}  unknown ids ${m.unknown_predictions}  criterion ${m.criterion}`,
    ...extra,
    '',
    'Veracity classification (positive = has an error)',
    `  TP ${m.vc.tp}  FP ${m.vc.fp}  FN ${m.vc.fn}  TN ${m.vc.tn}`,
    `  precision       ${f3(m.vc.precision)} ${ci(m.vc.intervals.precision)}`,
    `  recall          ${f3(m.vc.recall)} ${ci(m.vc.intervals.recall)}`,
    `  F1              ${f3(m.vc.f1)} ${ci(m.vc.intervals.f1)} (bootstrap, ${m.bootstrap.resamples} resamples, seed ${m.bootstrap.seed})`,
    `  accuracy        ${f3(m.vc.accuracy)} ${ci(m.vc.intervals.accuracy)}`,
    `  over-criticism  ${f3(m.vc.over_criticism)} ${ci(m.vc.intervals.over_criticism)} (share of correct texts flagged)`,
    '',
    `Error localization (offline span matching, criterion "${m.criterion}"; not the paper's GPT-4o judge)`,
    `  precision       ${f3(m.el.precision)} ${ci(m.el.intervals.precision)}  (${m.el.matched_pred}/${m.el.predicted} spans)`,
    `  recall          ${f3(m.el.recall)} ${ci(m.el.intervals.recall)}  (${m.el.matched_gold}/${m.el.gold} gold errors)`,
    `  F1              ${f3(m.el.f1)} ${ci(m.el.intervals.f1)}`,
    `  text rate       ${f3(m.el.text_rate)} ${ci(m.el.intervals.text_rate)}  (${m.el.localized_texts}/${m.el.texts} erroneous texts)`,
    `  spurious/text   ${m.el.spurious_per_text.toFixed(3)}${m.el.excluded > 0 ? `  (${m.el.excluded} texts left out: no placed gold)` : ''}`,
  ];
  for (const [dim, groups] of Object.entries(m.by)) {
    const entries = Object.entries(groups);
    if (entries.length === 0) continue;
    lines.push('', `By ${dim.replace('_', ' ')}`, `${''.padEnd(22)} ${'n'.padStart(6)}  VC P   VC R   VC F1  OC     EL F1  text`);
    for (const [label, block] of entries) lines.push(blockLine(label, block));
  }
  return `${lines.join('\n')}\n`;
}
