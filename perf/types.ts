/**
 * Shapes shared by the benchmark suite: one result row per measured figure,
 * the context every measurement gets, and the JSON report `--out` writes.
 */

import { decide, round, satisfies, summarize, type Op } from './stats';

export interface BenchRow {
  /** Stable id, e.g. `engine-overhead.node.ratio`. */
  name: string;
  value: number;
  /** `ratio`, `ms`, `items/s`, `kB`, `tokens`, … */
  unit: string;
  /** Human-readable target, e.g. `<= 1.05`; `info` when the figure has none. */
  target: string;
  /** null when the row has no target (information only) or when the spread allows no decision. */
  pass: boolean | null;
  /**
   * pass/fail decided on the median's interval; `undecided` when the interval
   * straddles the target; `info` for rows without a target.
   */
  verdict: 'pass' | 'fail' | 'undecided' | 'info';
  /** Repeated measurements: how many, their quartiles, and the 95% bootstrap interval of the median (`value`). */
  spread?: { n: number; q1: number; q3: number; ci: [number, number] };
  /** One line on how it was measured, or why it could not be. */
  note?: string;
  /**
   * Which clock a timing row reads: `cpu` (process/thread CPU time: what the
   * work itself costs, nearly independent of other load on the machine) or
   * `wall` (elapsed time: includes the time the OS gave other processes).
   * Absent for counts, sizes and checks. A `wall` row without a target is
   * shown for information and not required to agree between runs (perf/compare.ts).
   */
  clock?: 'cpu' | 'wall';
  /**
   * The raw samples behind `spread` (as measured, before any normalisation).
   * Present in a measurement's own rows so that perf/rounds.ts can pool
   * rounds; the merged rows of a report drop them.
   */
  samples?: number[];
  /** Decimal places the row's figures are rounded to (with `samples`, so that merged rows print alike). */
  digits?: number;
  /** How many rounds of the suite the row's samples come from (perf/rounds.ts). */
  rounds?: number;
  /** A merged repeated row: each round's raw samples and the relative speed they were taken at (perf/rounds.ts). */
  byRound?: { relative: number; samples: number[] }[];
  /**
   * A CPU-time row normalised to the reference speed (perf/calibrate.ts):
   * `value` and `spread` are normalised, `raw` is the median and interval as
   * measured on the machine at the time.
   */
  normalised?: boolean;
  raw?: { value: number; ci: [number, number] };
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  chromium: string | null;
}

/** One measurement's run: how long it took and the machine's load around it (issue 15: figures that reproduce). */
export interface MeasurementRun {
  measurement: string;
  /** Wall-clock seconds the whole measurement took (set-up included). */
  seconds: number;
  /** 1-minute load average (os.loadavg()[0]) just before and just after it. */
  loadBefore: number;
  loadAfter: number;
  /** Which round of the suite (1-based; absent in reports written before rounds). */
  round?: number;
  /**
   * The machine's relative speed around this run (perf/calibrate.ts: the
   * calibration workload's CPU time over its reference, before and after,
   * geometric mean): 1 at reference speed, 1.5 when CPU-bound work took 1.5×.
   */
  relative?: number;
  relativeBefore?: number;
  relativeAfter?: number;
}

export interface BenchReport {
  machine: MachineInfo;
  date: string;
  quick: boolean;
  results: BenchRow[];
  /** Measurements that broke (the suite itself failed there). */
  errors: { measurement: string; message: string }[];
  /** Passes over the suite (perf/rounds.ts; absent in reports written before rounds: one). */
  rounds?: number;
  /** Per measurement, in run order (absent in reports written before issue 15's agreement check). */
  runs?: MeasurementRun[];
  /** With `--compare`: how this run agrees with an earlier report (perf/compare.ts). */
  agreement?: { with: string; ok: boolean; counts: Record<string, number>; summary: string; secondary?: string };
}

export interface BenchContext {
  /** Tiny iteration counts (the smoke variant). */
  quick: boolean;
  /** Skip everything that needs Chromium. */
  skipBrowser: boolean;
  /** Absolute repository root. */
  root: string;
  /** Progress lines go here (stderr in the CLI; silent in tests). */
  log: (line: string) => void;
  /** This round (1-based) and how many the suite runs (perf/rounds.ts). */
  round: number;
  rounds: number;
}

/**
 * Repeats for one round: a measurement that runs in every round takes its
 * full count divided over the rounds (at least `min`), so the whole run keeps
 * about the same number of samples while they spread over its length.
 */
export function perRound(ctx: Pick<BenchContext, 'rounds'>, full: number, min = 1): number {
  return Math.max(min, Math.ceil(full / Math.max(1, ctx.rounds)));
}

export interface Measurement {
  /** Name used by `--only`. */
  name: string;
  /** Needs Chromium (skipped with --skip-browser). */
  browser: boolean;
  /** Too slow for a default run (minutes on its own): runs only when named in --only, or with --all. */
  slow?: boolean;
  /**
   * Runs again in every round of the suite (perf/rounds.ts): the measurements
   * whose repeated CPU or target rows must reproduce. The others (single
   * figures, index builds, wall-clock information) run once, in round 1.
   */
  repeat?: boolean;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

/** A row with a target: `pass` from a comparison. */
export function targetRow(
  name: string,
  value: number,
  unit: string,
  target: { op: Op; limit: number },
  note?: string,
): BenchRow {
  const { op, limit } = target;
  const pass = Number.isFinite(value) ? satisfies(value, op, limit) : false;
  return { name, value, unit, target: `${op} ${limit}`, pass, verdict: pass ? 'pass' : 'fail', ...(note ? { note } : {}) };
}

/**
 * A row from repeated samples: the value is their median (or `statistic`),
 * with quartiles and a bootstrap interval; with a target, pass/fail only when
 * the interval lies wholly on one side of it (else `undecided`, pass null).
 */
export function sampledRow(
  name: string,
  samples: readonly number[],
  unit: string,
  target: { op: Op; limit: number } | null,
  note?: string,
  options: { digits?: number; statistic?: (v: readonly number[]) => number; clock?: 'cpu' | 'wall' } = {},
): BenchRow {
  const s = summarize(samples, options.statistic);
  const d = options.digits ?? 3;
  const spread = { n: s.n, q1: round(s.q1, d), q3: round(s.q3, d), ci: [round(s.ci[0], d), round(s.ci[1], d)] as [number, number] };
  const base = { name, value: round(s.median, d), unit, spread, samples: [...samples], digits: d, ...(note ? { note } : {}), ...(options.clock ? { clock: options.clock } : {}) };
  if (!target) return { ...base, target: 'info', pass: null, verdict: 'info' };
  const verdict = decide(s.ci, target.op, target.limit);
  return { ...base, target: `${target.op} ${target.limit}`, pass: verdict === 'undecided' ? null : verdict === 'pass', verdict };
}

/** A row without a target (information). */
export function infoRow(name: string, value: number, unit: string, note?: string): BenchRow {
  return { name, value, unit, target: 'info', pass: null, verdict: 'info', ...(note ? { note } : {}) };
}

/** The note of every `*.longest-frame` row. */
export const FRAME_NOTE =
  'longest animation frame (Long Animation Frames API, wall clock): how long the page went without painting, whatever its tasks; 0 when no frame took 50 ms or more; information, as the other wall-clock rows';
