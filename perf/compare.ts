/**
 * Do two benchmark reports agree? (issue 15: "two consecutive `npm run bench`
 * runs agree within their reported spreads").
 *
 * A repeated row (one with a spread) is a two-sample question: is the
 * difference of the two medians within the two runs' combined spread? Each
 * run's 95 % interval gives a standard error on the side facing the other run
 * (half-width / 1.96); the difference is tested against sqrt(sa² + sb²). A row
 * whose difference is inside that 95 % spread **agrees**. Over many rows some
 * will fall outside by chance alone (1 in 20 of identical rows), so a row is
 * called a **disagreement** only when it stays significant after Holm's
 * correction over all the repeated rows compared (family-wise 5 %); the ones
 * between are reported as **chance** (outside its own 95 % spread, within
 * what that many rows allow). The runs agree when no row disagrees.
 *
 * The stricter rule used before (each median inside the other run's 95 %
 * interval) is still printed as a secondary reading. It cannot be met by a
 * benchmark whose intervals are right: for two runs drawn from the same
 * distribution it fails a row about one time in five (simulated with this
 * machine's spreads: 65–85 % of rows agree), so 30-odd rows essentially never
 * all agree; see perf/README.md.
 *
 * A single figure (no spread: token counts, sizes, correctness checks) agrees
 * only when the two values are equal; every timing row has a spread, so a
 * single figure that changes between runs is a real difference. Pure: no I/O
 * here (the CLI is perf/run.ts `--compare`).
 */
import { holm, twoSidedP } from './stats';
import type { BenchReport, BenchRow } from './types';

/** Family-wise error rate of the agreement check. */
export const AGREEMENT_ALPHA = 0.05;

export type AgreementStatus =
  /** Both repeated: the difference of the medians is within the combined 95 % spread. */
  | 'agree'
  /** Both repeated: outside the combined 95 % spread, but not after Holm's correction over all the repeated rows. */
  | 'chance'
  /** Both single figures, equal. */
  | 'equal'
  /** Repeated: the medians differ, still significantly after Holm's correction (family-wise 5 %). */
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
  /** Repeated rows: the difference of the medians over its combined standard error, and its two-sided p-value. */
  z?: number;
  p?: number;
  /** Repeated rows: each median inside the other run's 95 % interval (the stricter, secondary reading). */
  strict?: boolean;
}

export interface Agreement {
  rows: RowAgreement[];
  counts: Record<AgreementStatus, number>;
  /** True when no repeated row disagrees (after Holm's correction) and every single figure is equal. */
  ok: boolean;
  /** One line for the terminal, the JSON and the README. */
  summary: string;
  /**
   * Secondary readings, for information (they never make `ok` true): how many
   * repeated rows agree by the strict rule (each median inside the other run's
   * 95 % interval), how many rows with a target reach the same verdict in
   * both runs, and how many repeated rows agree by the wider spread of the
   * samples themselves (each median inside the other run's interquartile range).
   */
  secondary: string;
}

export const isLoadDependent = (row: BenchRow): boolean => row.clock === 'wall' && row.verdict === 'info';

const inside = (x: number, [lo, hi]: readonly [number, number]): boolean => x >= lo && x <= hi;

function figure(row: BenchRow): string {
  return row.spread ? `${row.value} [${row.spread.ci[0]}, ${row.spread.ci[1]}]` : String(row.value);
}

/** |a − b| over the combined standard error of the two medians (each from its interval's side facing the other run). */
export function differenceZ(a: BenchRow, b: BenchRow): number {
  if (!a.spread || !b.spread) return Number.NaN;
  const [low, high] = a.value <= b.value ? [a, b] : [b, a];
  const sLow = Math.max(0, (low.spread as { ci: [number, number] }).ci[1] - low.value) / 1.96;
  const sHigh = Math.max(0, high.value - (high.spread as { ci: [number, number] }).ci[0]) / 1.96;
  const diff = high.value - low.value;
  const se = Math.sqrt(sLow * sLow + sHigh * sHigh);
  if (se === 0) return diff === 0 ? 0 : Number.POSITIVE_INFINITY;
  return diff / se;
}

/**
 * Agreement of one row present in both reports, on its own: a repeated row
 * agrees when its difference is within the combined 95 % spread, and
 * disagrees otherwise (compareReports then keeps as disagreements only those
 * that stay significant over all the rows).
 */
export function compareRow(a: BenchRow, b: BenchRow): RowAgreement {
  const detail = `${figure(a)} vs ${figure(b)}`;
  const base = { name: a.name, a, b, detail, loadDependent: isLoadDependent(a) || isLoadDependent(b) };
  if (a.spread && b.spread) {
    const z = differenceZ(a, b);
    const p = twoSidedP(z);
    const strict = inside(a.value, b.spread.ci) && inside(b.value, a.spread.ci);
    return { ...base, status: p >= AGREEMENT_ALPHA ? 'agree' : 'disagree', z, p, strict };
  }
  if (!a.spread && !b.spread) {
    // NaN === NaN is false, but two runs that both could not measure a figure report the same thing.
    const same = a.value === b.value || (Number.isNaN(a.value) && Number.isNaN(b.value));
    return { ...base, status: same ? 'equal' : 'differ' };
  }
  return { ...base, status: 'incomparable' };
}

/**
 * Holm's correction over the repeated rows that decide agreement (the
 * wall-clock information rows apart, corrected over their own family): a row
 * outside its own 95 % spread that is not significant over the family
 * becomes 'chance'.
 */
function correctForRows(rows: RowAgreement[]): void {
  for (const family of [rows.filter((r) => r.p !== undefined && !r.loadDependent), rows.filter((r) => r.p !== undefined && r.loadDependent)]) {
    const significant = holm(
      family.map((r) => r.p as number),
      AGREEMENT_ALPHA,
    );
    family.forEach((r, i) => {
      if (r.status === 'disagree' && !significant[i]) r.status = 'chance';
    });
  }
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
  correctForRows(rows);
  const counts: Record<AgreementStatus, number> = { agree: 0, chance: 0, equal: 0, disagree: 0, differ: 0, incomparable: 0, missing: 0 };
  for (const r of rows) if (!r.loadDependent) counts[r.status]++;
  const ok = BAD.every((s) => counts[s] === 0);
  return { rows, counts, ok, summary: summaryLine(rows, counts, previous.date), secondary: secondaryLine(rows) };
}

function secondaryLine(rows: readonly RowAgreement[]): string {
  const both = rows.filter((r): r is RowAgreement & { a: BenchRow; b: BenchRow } => r.a !== undefined && r.b !== undefined);
  const targets = both.filter((r) => r.a.verdict !== 'info' && r.b.verdict !== 'info');
  const changed = targets.filter((r) => r.a.verdict !== r.b.verdict).map((r) => `${r.name} ${r.a.verdict} → ${r.b.verdict}`);
  const repeated = both.filter((r) => r.a.spread && r.b.spread && !r.loadDependent);
  const strict = repeated.filter((r) => r.strict).length;
  const byIqr = repeated.filter((r) => inside(r.a.value, [r.b.spread!.q1, r.b.spread!.q3]) && inside(r.b.value, [r.a.spread!.q1, r.a.spread!.q3]));
  const verdicts = `Target verdicts: ${targets.length - changed.length} of ${targets.length} the same${changed.length ? ` (changed: ${changed.join('; ')})` : ''}`;
  return `By the strict rule (each median inside the other run's 95 % interval): ${strict} of ${repeated.length} repeated rows agree. ${verdicts}; by the interquartile range (each median inside the other run's IQR): ${byIqr.length} of ${repeated.length} repeated rows agree.`;
}

function summaryLine(rows: readonly RowAgreement[], counts: Record<AgreementStatus, number>, previousDate: string): string {
  const repeated = counts.agree + counts.chance + counts.disagree;
  const single = counts.equal + counts.differ;
  const wall = rows.filter((r) => r.loadDependent && r.status !== 'missing');
  const wallText = wall.length
    ? `; wall-clock information rows (they move with the machine's load; not required to agree): ${wall.filter((r) => r.status === 'agree' || r.status === 'equal').length} of ${wall.length} agree`
    : '';
  const chance = rows.filter((r) => r.status === 'chance' && !r.loadDependent).map((r) => r.name);
  const chanceText = chance.length
    ? `; ${chance.length} more outside its own 95 % spread but within what chance allows over ${repeated} rows (Holm, family-wise 5 %): ${chance.join(', ')}`
    : '';
  const head = `Agreement with the run of ${previousDate}: ${counts.agree} of ${repeated} repeated rows agree (the difference of the medians within the two runs' combined 95 % spread)${chanceText}; ${counts.equal} of ${single} single figures equal${wallText}`;
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
    .filter((r) => BAD.includes(r.status) || r.status === 'chance')
    .map((r) => `  ${r.status.padEnd(12)} ${r.name}: ${r.detail}${r.z !== undefined ? ` (z ${Number.isFinite(r.z) ? r.z.toFixed(2) : '∞'})` : ''}${r.loadDependent ? ' (wall-clock information row)' : ''}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}
