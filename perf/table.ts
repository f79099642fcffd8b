/** The report as a plain-text table (terminal) and as a Markdown table (README). */
import type { BenchReport, BenchRow, MeasurementRun } from './types';

const fmtLoad = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '?');

/**
 * The machine's 1-minute load average around the measurements: range over
 * the run and per measurement (before → after), so a reader can tell a quiet
 * run from a shared one. Empty for reports written before it was recorded.
 */
export function loadLine(runs: readonly MeasurementRun[] | undefined, cores: number): string {
  if (!runs || runs.length === 0) return '';
  const all = runs.flatMap((r) => [r.loadBefore, r.loadAfter]).filter(Number.isFinite);
  const lo = all.length ? Math.min(...all) : Number.NaN;
  const hi = all.length ? Math.max(...all) : Number.NaN;
  const total = runs.reduce((s, r) => s + r.seconds, 0);
  const each = runs.map((r) => `${r.measurement} ${Math.round(r.seconds)} s, ${fmtLoad(r.loadBefore)} → ${fmtLoad(r.loadAfter)}`).join('; ');
  return `Load average (1 min) ${fmtLoad(lo)}–${fmtLoad(hi)} on ${cores} cores; suite ${Math.round(total)} s (per measurement: time, load before → after: ${each}).`;
}

function status(row: BenchRow): string {
  return row.verdict === 'info' ? '' : row.verdict === 'fail' ? 'FAIL' : row.verdict;
}

/** `[lo, hi] n=N` for repeated measurements (95% interval of the median), empty for single figures. */
function spreadText(row: BenchRow): string {
  return row.spread ? `[${row.spread.ci[0]}, ${row.spread.ci[1]}] n=${row.spread.n}` : '';
}

function iqrText(row: BenchRow): string {
  return row.spread ? `${row.spread.q1}–${row.spread.q3}` : '';
}

/** The unit, with the clock a timing row reads (`ms (CPU)`, `s (wall)`). */
function unitText(row: BenchRow): string {
  return row.clock ? `${row.unit} (${row.clock === 'cpu' ? 'CPU' : 'wall'})` : row.unit;
}

function formatValue(value: number): string {
  return Number.isFinite(value) ? String(value) : 'n/a';
}

export function formatTable(report: BenchReport): string {
  const header = ['name', 'value', '95% CI of median', 'IQR', 'unit', 'target', 'verdict'];
  const rows = report.results.map((r) => [r.name, formatValue(r.value), spreadText(r), iqrText(r), unitText(r), r.target, status(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const m = report.machine;
  const out = [
    `MedFact Lens benchmark — ${report.date}${report.quick ? ' (quick)' : ''}`,
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ${m.chromium ?? 'no Chromium'}`,
    ...[loadLine(report.runs, m.cores), report.agreement?.summary ?? '', report.agreement?.secondary ?? ''].filter((l) => l !== ''),
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ];
  for (const e of report.errors) out.push(`ERROR in ${e.measurement}: ${e.message}`);
  return `${out.join('\n')}\n`;
}

export function formatMarkdown(report: BenchReport): string {
  const m = report.machine;
  const out = [
    [`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ${m.chromium ?? 'no Chromium'}. Date: ${report.date}.`, loadLine(report.runs, m.cores)]
      .filter((l) => l !== '')
      .join(' '),
    '',
    ...(report.agreement ? [`${report.agreement.summary}`, ...(report.agreement.secondary ? [report.agreement.secondary] : []), ''] : []),
    'Value = median of the repeats; interval = 95% bootstrap interval of the median; verdict decided on that interval (undecided when it straddles the target).',
    '',
    '| measurement | value | 95% CI of median | IQR | unit | target | verdict | how |',
    '|---|--:|---|---|---|---|---|---|',
    ...report.results.map(
      (r) => `| ${r.name} | ${formatValue(r.value)} | ${spreadText(r)} | ${iqrText(r)} | ${unitText(r)} | ${r.target} | ${status(r)} | ${(r.note ?? '').replace(/\|/g, '\\|')} |`,
    ),
  ];
  return `${out.join('\n')}\n`;
}
