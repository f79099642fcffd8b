/** The report as a plain-text table (terminal) and as a Markdown table (README). */
import type { BenchReport, BenchRow } from './types';

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

function formatValue(value: number): string {
  return Number.isFinite(value) ? String(value) : 'n/a';
}

export function formatTable(report: BenchReport): string {
  const header = ['name', 'value', '95% CI of median', 'IQR', 'unit', 'target', 'verdict'];
  const rows = report.results.map((r) => [r.name, formatValue(r.value), spreadText(r), iqrText(r), r.unit, r.target, status(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const m = report.machine;
  const out = [
    `MedFact Lens benchmark — ${report.date}${report.quick ? ' (quick)' : ''}`,
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ${m.chromium ?? 'no Chromium'}`,
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
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ${m.chromium ?? 'no Chromium'}. Date: ${report.date}.`,
    '',
    'Value = median of the repeats; interval = 95% bootstrap interval of the median; verdict decided on that interval (undecided when it straddles the target).',
    '',
    '| measurement | value | 95% CI of median | IQR | unit | target | verdict | how |',
    '|---|--:|---|---|---|---|---|---|',
    ...report.results.map(
      (r) => `| ${r.name} | ${formatValue(r.value)} | ${spreadText(r)} | ${iqrText(r)} | ${r.unit} | ${r.target} | ${status(r)} | ${(r.note ?? '').replace(/\|/g, '\\|')} |`,
    ),
  ];
  return `${out.join('\n')}\n`;
}
