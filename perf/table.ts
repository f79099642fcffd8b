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
  const rounds = Math.max(1, ...runs.map((r) => r.round ?? 1));
  const speeds = runs.map((r) => r.relative).filter((x): x is number => x !== undefined && Number.isFinite(x));
  const speedText = speeds.length
    ? `; relative speed (calibration workload, 1 = reference) ${Math.min(...speeds).toFixed(2)}–${Math.max(...speeds).toFixed(2)}`
    : '';
  const each = runs
    .map((r) => `${rounds > 1 ? `r${r.round ?? 1} ` : ''}${r.measurement} ${Math.round(r.seconds)} s, ${fmtLoad(r.loadBefore)} → ${fmtLoad(r.loadAfter)}${r.relative !== undefined ? `, ×${r.relative.toFixed(2)}` : ''}`)
    .join('; ');
  return `Load average (1 min) ${fmtLoad(lo)}–${fmtLoad(hi)} on ${cores} cores${speedText}; ${rounds > 1 ? `${rounds} rounds, ` : ''}suite ${Math.round(total)} s (per measurement: time, load before → after${speeds.length ? ', relative speed' : ''}: ${each}).`;
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

/** The figure as measured, for a row normalised to the reference speed (perf/rounds.ts); empty otherwise. */
function rawText(row: BenchRow): string {
  return row.normalised && row.raw ? `${row.raw.value} [${row.raw.ci[0]}, ${row.raw.ci[1]}]` : '';
}

function formatValue(value: number): string {
  return Number.isFinite(value) ? String(value) : 'n/a';
}

export function formatTable(report: BenchReport): string {
  const header = ['name', 'value', '95% CI of median', 'IQR', 'unit', 'target', 'verdict', 'as measured'];
  const rows = report.results.map((r) => [r.name, formatValue(r.value), spreadText(r), iqrText(r), unitText(r), r.target, status(r), rawText(r)]);
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

const METHOD =
  'Value = median of the repeats pooled over the rounds; interval = 95% cluster-bootstrap interval of that median (rounds resampled, then the samples inside each), so it includes how much the rounds differed; verdict decided on that interval (undecided when it straddles the target). CPU-time rows in ms, s or items/s are normalised to the reference speed measured with a fixed workload around each measurement (perf/calibrate.ts); "as measured" gives the same median and interval before normalisation.';

export function formatMarkdown(report: BenchReport): string {
  const m = report.machine;
  const out = [
    [`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ${m.chromium ?? 'no Chromium'}. Date: ${report.date}.`, loadLine(report.runs, m.cores)]
      .filter((l) => l !== '')
      .join(' '),
    '',
    ...(report.agreement ? [`${report.agreement.summary}`, ...(report.agreement.secondary ? [report.agreement.secondary] : []), ''] : []),
    METHOD,
    '',
    '| measurement | value | 95% CI of median | IQR | unit | target | verdict | as measured | how |',
    '|---|--:|---|---|---|---|---|---|---|',
    ...report.results.map(
      (r) => `| ${r.name} | ${formatValue(r.value)} | ${spreadText(r)} | ${iqrText(r)} | ${unitText(r)} | ${r.target} | ${status(r)} | ${rawText(r)} | ${(r.note ?? '').replace(/\|/g, '\\|')} |`,
    ),
  ];
  return `${out.join('\n')}\n`;
}
