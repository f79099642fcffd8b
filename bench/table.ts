/** The report as a plain-text table (terminal) and as a Markdown table (README). */
import type { BenchReport, BenchRow } from './types';

function status(row: BenchRow): string {
  return row.pass === null ? '' : row.pass ? 'pass' : 'FAIL';
}

function formatValue(value: number): string {
  return Number.isFinite(value) ? String(value) : 'n/a';
}

export function formatTable(report: BenchReport): string {
  const header = ['name', 'value', 'unit', 'target', 'pass'];
  const rows = report.results.map((r) => [r.name, formatValue(r.value), r.unit, r.target, status(r)]);
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
    '| measurement | value | unit | target | pass | how |',
    '|---|--:|---|---|---|---|',
    ...report.results.map((r) => `| ${r.name} | ${formatValue(r.value)} | ${r.unit} | ${r.target} | ${status(r)} | ${(r.note ?? '').replace(/\|/g, '\\|')} |`),
  ];
  return `${out.join('\n')}\n`;
}
