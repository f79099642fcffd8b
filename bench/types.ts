/**
 * Shapes shared by the benchmark suite: one result row per measured figure,
 * the context every measurement gets, and the JSON report `--out` writes.
 */

export interface BenchRow {
  /** Stable id, e.g. `engine-overhead.node.ratio`. */
  name: string;
  value: number;
  /** `ratio`, `ms`, `items/s`, `kB`, `tokens`, … */
  unit: string;
  /** Human-readable target, e.g. `<= 1.05`; `info` when the figure has none. */
  target: string;
  /** null when the row has no target (information only). */
  pass: boolean | null;
  /** One line on how it was measured, or why it could not be. */
  note?: string;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  chromium: string | null;
}

export interface BenchReport {
  machine: MachineInfo;
  date: string;
  quick: boolean;
  results: BenchRow[];
  /** Measurements that broke (the suite itself failed there). */
  errors: { measurement: string; message: string }[];
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
}

export interface Measurement {
  /** Name used by `--only`. */
  name: string;
  /** Needs Chromium (skipped with --skip-browser). */
  browser: boolean;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

/** A row with a target: `pass` from a comparison. */
export function targetRow(
  name: string,
  value: number,
  unit: string,
  target: { op: '<=' | '<' | '>=' | '>'; limit: number },
  note?: string,
): BenchRow {
  const { op, limit } = target;
  const pass = op === '<=' ? value <= limit : op === '<' ? value < limit : op === '>=' ? value >= limit : value > limit;
  return { name, value, unit, target: `${op} ${limit}`, pass: Number.isFinite(value) ? pass : false, ...(note ? { note } : {}) };
}

/** A row without a target (information). */
export function infoRow(name: string, value: number, unit: string, note?: string): BenchRow {
  return { name, value, unit, target: 'info', pass: null, ...(note ? { note } : {}) };
}
