/**
 * The benchmark suite: runs the selected measurements one after another
 * (never in parallel: they time each other otherwise) and collects their rows.
 * A measurement that throws is recorded in `errors` and the others still run.
 */
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineOverheadBrowserMeasurement } from './engine-overhead-browser';
import { engineOverheadNodeMeasurement } from './engine-overhead';
import { importBrowserMeasurement } from './import-browser';
import { libraryBrowserMeasurement } from './library-browser';
import { machineInfo } from './machine';
import { openaiRunLoopMeasurement } from './openai-run-loop';
import { parseAlignMeasurement } from './parse-align';
import { prefixReuseMeasurement } from './prefix-reuse';
import { retrieval100kMeasurement, retrievalCliMeasurement, retrievalMeasurement } from './retrieval';
import { runnerThroughputMeasurement } from './runner-throughput';
import { scoringMeasurement } from './scoring';
import { calibrate, type Calibration } from './calibrate';
import { mergeRounds, type RoundRows } from './rounds';
import { round } from './stats';
import { startupMeasurement } from './startup';
import { tokenEconomyMeasurement } from './token-economy';
import type { BenchReport, BenchRow, Measurement } from './types';

/** In issue order (items 1–6; item 7 is run by hand, see perf/README.md). */
export const MEASUREMENTS: readonly Measurement[] = [
  engineOverheadNodeMeasurement,
  engineOverheadBrowserMeasurement,
  runnerThroughputMeasurement,
  parseAlignMeasurement,
  scoringMeasurement,
  startupMeasurement,
  tokenEconomyMeasurement,
  openaiRunLoopMeasurement,
  retrievalMeasurement,
  retrievalCliMeasurement,
  retrieval100kMeasurement,
  importBrowserMeasurement,
  prefixReuseMeasurement,
  libraryBrowserMeasurement,
];

export interface SuiteOptions {
  quick?: boolean;
  /** Measurement names (see MEASUREMENTS); all when absent. */
  only?: readonly string[];
  skipBrowser?: boolean;
  /** Also the slow measurements (see Measurement.slow). */
  all?: boolean;
  /** Passes over the suite (perf/rounds.ts); DEFAULT_ROUNDS, or 1 with `quick`. */
  rounds?: number;
  log?: (line: string) => void;
  root?: string;
}

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function selectMeasurements(options: Pick<SuiteOptions, 'only' | 'skipBrowser' | 'all'>): Measurement[] {
  const only = options.only?.filter((n) => n.length > 0);
  if (only && only.length > 0) {
    const unknown = only.filter((n) => !MEASUREMENTS.some((m) => m.name === n));
    if (unknown.length > 0) {
      throw new Error(`Unknown measurement(s): ${unknown.join(', ')}. Known: ${MEASUREMENTS.map((m) => m.name).join(', ')}.`);
    }
  }
  const named = only !== undefined && only.length > 0;
  return MEASUREMENTS.filter(
    (m) => (named ? only.includes(m.name) : !m.slow || options.all === true) && !(options.skipBrowser && m.browser),
  );
}

/**
 * Default number of rounds. Three left the between-round spread poorly
 * estimated (two consecutive runs agreed on 26 of 32 repeated rows); five
 * spread every repeated row over five stretches of the run for about three
 * more minutes.
 */
export const DEFAULT_ROUNDS = 5;

export async function runSuite(options: SuiteOptions = {}): Promise<BenchReport> {
  const log = options.log ?? (() => undefined);
  const quick = options.quick ?? false;
  const rounds = Math.max(1, Math.floor(options.rounds ?? (quick ? 1 : DEFAULT_ROUNDS)));
  const base = { quick, skipBrowser: options.skipBrowser ?? false, root: options.root ?? REPO_ROOT, log, rounds };
  const selected = selectMeasurements(options);
  const skipped = MEASUREMENTS.filter((m) => m.slow && !selected.includes(m) && !(options.only?.length ?? 0));
  for (const m of skipped) log(`skipping ${m.name} (slow: run it with --only ${m.name}, or --all)`);
  const report: BenchReport = { machine: await machineInfo(), date: new Date().toISOString(), quick, results: [], errors: [], runs: [], rounds };
  const passes: RoundRows[] = [];
  const broken = new Set<string>();
  // One calibration between two measurements serves as the after of one and the before of the next.
  let last: Calibration | null = null;
  for (let r = 1; r <= rounds; r++) {
    for (const m of selected) {
      if (r > 1 && (!m.repeat || broken.has(m.name))) continue;
      const loadBefore = round(loadavg()[0] ?? Number.NaN, 2);
      const before = last ?? (await calibrate());
      log(`round ${r}/${rounds}: running ${m.name}… (load average ${loadBefore}, relative speed ${before.relative})`);
      const t0 = performance.now();
      let rows: BenchRow[] = [];
      try {
        rows = await m.run({ ...base, round: r });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`${m.name} failed: ${message}`);
        report.errors.push({ measurement: m.name, message: rounds > 1 ? `round ${r}: ${message}` : message });
        broken.add(m.name);
      }
      const seconds = round((performance.now() - t0) / 1000, 1);
      const after = await calibrate();
      last = after;
      const relative = round(Math.sqrt(before.relative * after.relative), 3);
      const loadAfter = round(loadavg()[0] ?? Number.NaN, 2);
      passes.push({ rows, relative });
      report.runs?.push({ measurement: m.name, round: r, seconds, loadBefore, loadAfter, relative, relativeBefore: before.relative, relativeAfter: after.relative });
      log(`${m.name}: ${seconds} s (load average ${loadBefore} → ${loadAfter}, relative speed ${before.relative} → ${after.relative})`);
    }
  }
  // A measurement that broke is not run again; its rows from earlier rounds stay (the error is in `errors`, and the exit code says so).
  report.results = mergeRounds(passes);
  return report;
}
