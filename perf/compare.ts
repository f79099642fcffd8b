/**
 * Do two benchmark reports agree? (issue 15: "two consecutive `npm run bench`
 * runs agree within their reported spreads"). A repeated row (one with a
 * spread) agrees when each run's median lies inside the other run's 95 %
 * interval of the median, the rule perf/README.md states. A single figure
 * (no spread: token counts, sizes, correctness checks) agrees only when the
 * two values are equal; every timing row has a spread, so a single figure
 * that changes between runs is a real difference. Pure: no I/O here (the CLI
 * is perf/run.ts `--compare` and `perf/compare-cli.ts`).
 */
import type { BenchReport, BenchRow } from './types';

export type AgreementStatus =
  /** Both repeated: each median inside the other's interval. */
  | 'agree'
  /** Both single figures, equal. */
  | 'equal'
  /** Repeated: a median outside the other run's interval. */
  | 'disagree'
  /** Single figures that differ. */
  | 'differ'
  /** Repeated in one run, a single figure in the other: nothing to decide on. */
  | 'incomparable'
  /** In one report only (a measurement broke, was skipped, or the suite changed). */
  | 'missing';

export interface RowAgreement {
  name: string;
  status: AgreementStatus;
  /**
   * A wall-clock information row (`clock: 'wall'`, no target): shown beside
   * the CPU-time row that carries the decision; it moves with the machine's
   * load, so it is reported but does not make the runs disagree.
   */
  loadDependent: boolean;
  /** The previous run's row (absent when it is missing there). */
  a?: BenchRow;
  /** The new run's row. */
  b?: BenchRow;
  /** One line, e.g. `1.02 [0.99, 1.04] vs 1.03 [1.01, 1.06]`. */
  detail: string;
}

export interface Agreement {
  rows: RowAgreement[];
  counts: Record<AgreementStatus, number>;
  /** True when every row of both reports agrees (repeated) or is equal (single figures). */
  ok: boolean;
  /** One line for the terminal, the JSON and the README. */
  summary: string;
  /**
   * Secondary readings, for information (they never make `ok` true): how many
   * rows with a target reach the same verdict in both runs, and how many
   * repeated rows agree by the wider spread of the samples themselves (each
   * median inside the other run's interquartile range).
   */
  secondary: string;
}

export const isLoadDependent = (row: BenchRow): boolean => row.clock === 'wall' && row.verdict === 'info';

const inside = (x: number, [lo, hi]: readonly [number, number]): boolean => x >= lo && x <= hi;

function figure(row: BenchRow): string {
  return row.spread ? `${row.value} [${row.spread.ci[0]}, ${row.spread.ci[1]}]` : String(row.value);
}

/** Agreement of one row present in both reports. */
export function compareRow(a: BenchRow, b: BenchRow): RowAgreement {
  const detail = `${figure(a)} vs ${figure(b)}`;
  const base = { name: a.name, a, b, detail, loadDependent: isLoadDependent(a) || isLoadDependent(b) };
  if (a.spread && b.spread) {
    const ok = inside(a.value, b.spread.ci) && inside(b.value, a.spread.ci);
    return { ...base, status: ok ? 'agree' : 'disagree' };
  }
  if (!a.spread && !b.spread) {
    // NaN === NaN is false, but two runs that both could not measure a figure report the same thing.
    const same = a.value === b.value || (Number.isNaN(a.value) && Number.isNaN(b.value));
    return { ...base, status: same ? 'equal' : 'differ' };
  }
  return { ...base, status: 'incomparable' };
}

const BAD: readonly AgreementStatus[] = ['disagree', 'differ', 'incomparable', 'missing'];

/** Row by row, in the order of the new report (rows only in the previous one last). */
export function compareReports(previous: BenchReport, current: BenchReport): Agreement {
  const before = new Map(previous.results.map((r) => [r.name, r]));
  const now = new Set(current.results.map((r) => r.name));
  const rows: RowAgreement[] = [];
  for (const b of current.results) {
    const a = before.get(b.name);
    rows.push(a ? compareRow(a, b) : { name: b.name, status: 'missing', b, detail: `only in the new run: ${figure(b)}`, loadDependent: isLoadDependent(b) });
  }
  for (const a of previous.results) {
    if (!now.has(a.name)) rows.push({ name: a.name, status: 'missing', a, detail: `only in the previous run: ${figure(a)}`, loadDependent: isLoadDependent(a) });
  }
  const counts: Record<AgreementStatus, number> = { agree: 0, equal: 0, disagree: 0, differ: 0, incomparable: 0, missing: 0 };
  for (const r of rows) if (!r.loadDependent) counts[r.status]++;
  const ok = BAD.every((s) => counts[s] === 0);
  return { rows, counts, ok, summary: summaryLine(rows, counts, previous.date), secondary: secondaryLine(rows) };
}

function secondaryLine(rows: readonly RowAgreement[]): string {
  const both = rows.filter((r): r is RowAgreement & { a: BenchRow; b: BenchRow } => r.a !== undefined && r.b !== undefined);
  const targets = both.filter((r) => r.a.verdict !== 'info' && r.b.verdict !== 'info');
  const changed = targets.filter((r) => r.a.verdict !== r.b.verdict).map((r) => `${r.name} ${r.a.verdict} → ${r.b.verdict}`);
  const repeated = both.filter((r) => r.a.spread && r.b.spread && !r.loadDependent);
  const byIqr = repeated.filter((r) => inside(r.a.value, [r.b.spread!.q1, r.b.spread!.q3]) && inside(r.b.value, [r.a.spread!.q1, r.a.spread!.q3]));
  const verdicts = `Target verdicts: ${targets.length - changed.length} of ${targets.length} the same${changed.length ? ` (changed: ${changed.join('; ')})` : ''}`;
  return `${verdicts}; by the interquartile range (each median inside the other run's IQR): ${byIqr.length} of ${repeated.length} repeated rows agree.`;
}

function summaryLine(rows: readonly RowAgreement[], counts: Record<AgreementStatus, number>, previousDate: string): string {
  const repeated = counts.agree + counts.disagree;
  const single = counts.equal + counts.differ;
  const wall = rows.filter((r) => r.loadDependent && r.status !== 'missing');
  const wallText = wall.length
    ? `; wall-clock information rows (they move with the machine's load; not required to agree): ${wall.filter((r) => r.status === 'agree' || r.status === 'equal').length} of ${wall.length} agree`
    : '';
  const head = `Agreement with the run of ${previousDate}: ${counts.agree} of ${repeated} repeated rows agree (each median inside the other run's 95 % interval), ${counts.equal} of ${single} single figures equal${wallText}`;
  const bad = rows.filter((r) => BAD.includes(r.status) && !r.loadDependent);
  if (bad.length === 0) return `${head}: the runs agree.`;
  const list = (status: AgreementStatus, label: string): string | null => {
    const names = bad.filter((r) => r.status === status).map((r) => r.name);
    return names.length ? `${label}: ${names.join(', ')}` : null;
  };
  const parts = [list('disagree', 'disagree'), list('differ', 'differ'), list('incomparable', 'spread in one run only'), list('missing', 'missing')].filter((p) => p !== null);
  return `${head}; ${parts.join('; ')}.`;
}

/** The rows that do not agree, one line each (terminal). */
export function formatDisagreements(agreement: Agreement): string {
  const lines = agreement.rows
    .filter((r) => BAD.includes(r.status))
    .map((r) => `  ${r.status.padEnd(12)} ${r.name}: ${r.detail}${r.loadDependent ? ' (wall-clock information row)' : ''}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}
