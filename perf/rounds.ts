/**
 * Rounds: how one `npm run bench` turns several passes over the suite into
 * figures that reproduce (issue 15). Pure: no I/O, no clocks.
 *
 * Two consecutive quiet runs did not agree because every repeat of a row was
 * taken in one stretch of a minute or two, and the shared machine's speed
 * moves 1.3–2× between such stretches: each row's interval, from repeats that
 * all saw the same speed, was a few percent wide and could not contain the
 * other run. Two things fix that by construction:
 *
 * 1. **Rounds.** The repeatable measurements run in every round (round 1 runs
 *    all of them, later rounds the `repeat` ones again, in the same order), so
 *    a row's samples are spread over the whole run. The interval is a
 *    **cluster bootstrap**: resample the rounds, then the samples inside each
 *    chosen round, and take the median of the pool. Between-round variation
 *    is in the interval (with one round it is the plain bootstrap of before).
 * 2. **Normalised CPU time.** Every CPU-time row in a time or rate unit is
 *    divided (rates: multiplied) by the machine's relative speed measured with
 *    a fixed workload around that measurement in that round
 *    (perf/calibrate.ts), so it reads as "on the reference machine at its quiet
 *    speed". The raw median and interval stay in the row (`raw`), and each
 *    round's relative speed is in the report's `runs`.
 *
 * Ratios (app/direct pairs, prefill cuts) are already relative and wall-clock
 * rows measure waiting, so neither is normalised; both are pooled over rounds.
 */
import { bootstrapInterval, decide, median, quantile, rng32, round, type Op } from './stats';
import type { BenchRow } from './types';

/** One pass of one measurement: its rows and the machine's relative speed then (1 = reference). */
export interface RoundRows {
  rows: readonly BenchRow[];
  relative: number;
}

const TIME_UNITS = new Set(['ms', 's', 'ms/token', 'ms/item']);
const RATE_UNITS = new Set(['items/s']);

/** How a row scales with the machine's speed: CPU time in a time unit (÷ relative), a CPU rate (× relative), or not at all. */
export function scaling(row: Pick<BenchRow, 'clock' | 'unit'>): 'time' | 'rate' | 'none' {
  if (row.clock !== 'cpu') return 'none';
  if (TIME_UNITS.has(row.unit)) return 'time';
  if (RATE_UNITS.has(row.unit)) return 'rate';
  return 'none';
}

/**
 * 95 % two-level (cluster) bootstrap interval of the median of the pooled
 * samples: each resample draws as many rounds as there are, with replacement,
 * and inside each drawn round as many samples as it has, with replacement.
 * Seeded, so the same samples give the same interval.
 *
 * With k rounds the percentile interval is then widened about the pooled
 * median by sqrt(k / (k - 1)): resampling k clusters gives (k - 1)/k of the
 * between-cluster variance (the usual small-number-of-clusters correction,
 * as CR1 in cluster-robust inference). With 5 rounds it is 1.118. Simulated
 * runs with the between- and within-round spreads of this machine's saved
 * reports (tests/unit/perf/rounds.test.ts, perf/README.md) covered the true
 * median 89–93 % of the time without it when the rounds differ most, and
 * 91–96 % with it; a full t correction (t(k-1) / z, 1.58 times as wide)
 * covered 97–100 % and lost most of the power to see a real change.
 */
export function clusterInterval(groups: readonly (readonly number[])[], options: { resamples?: number; seed?: number } = {}): [number, number] {
  const nonEmpty = groups.filter((g) => g.length > 0);
  if (nonEmpty.length === 0) return [Number.NaN, Number.NaN];
  if (nonEmpty.length === 1) return bootstrapInterval(nonEmpty[0] as readonly number[]);
  const { resamples = 2000, seed = 1 } = options;
  const rand = rng32(seed);
  const stats = new Array<number>(resamples);
  const pool: number[] = [];
  for (let r = 0; r < resamples; r++) {
    pool.length = 0;
    for (let g = 0; g < nonEmpty.length; g++) {
      const group = nonEmpty[Math.floor(rand() * nonEmpty.length)] as readonly number[];
      for (let i = 0; i < group.length; i++) pool.push(group[Math.floor(rand() * group.length)] as number);
    }
    stats[r] = median(pool);
  }
  const k = nonEmpty.length;
  const widen = Math.sqrt(k / (k - 1));
  const centre = median(nonEmpty.flat());
  const lo = quantile(stats, 0.025);
  const hi = quantile(stats, 0.975);
  return [centre - widen * Math.max(0, centre - lo), centre + widen * Math.max(0, hi - centre)];
}

function parseTarget(target: string): { op: Op; limit: number } | null {
  const m = /^(<=|<|>=|>) (-?[\d.e+-]+)$/.exec(target);
  return m ? { op: m[1] as Op, limit: Number(m[2]) } : null;
}

/** One repeated row over its rounds: pooled, normalised where it scales, interval by cluster bootstrap. */
function mergeSampled(parts: readonly { row: BenchRow; relative: number }[]): BenchRow {
  const first = (parts[0] as { row: BenchRow }).row;
  const how = scaling(first);
  const factor = (relative: number): number => (how === 'time' ? 1 / relative : how === 'rate' ? relative : 1);
  const rawGroups = parts.map((p) => p.row.samples ?? []);
  const groups = parts.map((p, i) => (rawGroups[i] as number[]).map((x) => x * factor(Number.isFinite(p.relative) && p.relative > 0 ? p.relative : 1)));
  const pooled = groups.flat();
  const d = first.digits ?? 3;
  const ci = clusterInterval(groups);
  const spread = { n: pooled.length, q1: round(quantile(pooled, 0.25), d), q3: round(quantile(pooled, 0.75), d), ci: [round(ci[0], d), round(ci[1], d)] as [number, number] };
  const rounds = parts.length;
  const { samples: _samples, raw: _raw, digits: _digits, ...rest } = first;
  const base: BenchRow = {
    ...rest,
    value: round(median(pooled), d),
    spread,
    rounds,
    // Each round's raw samples and relative speed, so a later analysis can model the normalisation on saved reports.
    byRound: parts.map((p, i) => ({ relative: p.relative, samples: (rawGroups[i] as number[]).map((x) => round(x, d + 2)) })),
  };
  if (how !== 'none') {
    const rawCi = clusterInterval(rawGroups);
    base.raw = { value: round(median(rawGroups.flat()), d), ci: [round(rawCi[0], d), round(rawCi[1], d)] };
    base.normalised = true;
  }
  const target = parseTarget(first.target);
  if (!target || first.verdict === 'info') return base;
  const verdict = decide(ci, target.op, target.limit);
  return { ...base, verdict, pass: verdict === 'undecided' ? null : verdict === 'pass' };
}

/**
 * Rows of every round, merged by name in first-seen order. Repeated rows
 * (with samples) are pooled as above; a single figure is taken from its first
 * round, and if a later round gave another value that is said in its note
 * (counts and checks should not move between rounds).
 */
export function mergeRounds(passes: readonly RoundRows[]): BenchRow[] {
  const byName = new Map<string, { row: BenchRow; relative: number }[]>();
  for (const pass of passes) {
    for (const row of pass.rows) {
      const list = byName.get(row.name);
      if (list) list.push({ row, relative: pass.relative });
      else byName.set(row.name, [{ row, relative: pass.relative }]);
    }
  }
  const out: BenchRow[] = [];
  for (const parts of byName.values()) {
    const first = (parts[0] as { row: BenchRow }).row;
    if (parts.every((p) => p.row.samples && p.row.samples.length > 0)) {
      out.push(mergeSampled(parts));
      continue;
    }
    const { samples: _samples, digits: _digits, ...row } = first;
    const others = parts.slice(1).map((p) => p.row.value).filter((v) => !(v === first.value || (Number.isNaN(v) && Number.isNaN(first.value))));
    out.push(others.length ? { ...row, note: `${row.note ? `${row.note}; ` : ''}other rounds gave ${others.join(', ')}` } : row);
  }
  return out;
}
