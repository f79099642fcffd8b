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
import { retrieval100kMeasurement, retrievalMeasurement } from './retrieval';
import { runnerThroughputMeasurement } from './runner-throughput';
import { scoringMeasurement } from './scoring';
import { round } from './stats';
import { startupMeasurement } from './startup';
import { tokenEconomyMeasurement } from './token-economy';
import type { BenchReport, Measurement } from './types';

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

export async function runSuite(options: SuiteOptions = {}): Promise<BenchReport> {
  const log = options.log ?? (() => undefined);
  const ctx = { quick: options.quick ?? false, skipBrowser: options.skipBrowser ?? false, root: options.root ?? REPO_ROOT, log };
  const selected = selectMeasurements(options);
  const skipped = MEASUREMENTS.filter((m) => m.slow && !selected.includes(m) && !(options.only?.length ?? 0));
  for (const m of skipped) log(`skipping ${m.name} (slow: run it with --only ${m.name}, or --all)`);
  const report: BenchReport = { machine: await machineInfo(), date: new Date().toISOString(), quick: ctx.quick, results: [], errors: [], runs: [] };
  for (const m of selected) {
    const loadBefore = round(loadavg()[0] ?? Number.NaN, 2);
    log(`running ${m.name}… (load average ${loadBefore})`);
    const t0 = performance.now();
    try {
      report.results.push(...(await m.run(ctx)));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`${m.name} failed: ${message}`);
      report.errors.push({ measurement: m.name, message });
    }
    const seconds = round((performance.now() - t0) / 1000, 1);
    const loadAfter = round(loadavg()[0] ?? Number.NaN, 2);
    report.runs?.push({ measurement: m.name, seconds, loadBefore, loadAfter });
    log(`${m.name}: ${seconds} s (load average ${loadBefore} → ${loadAfter})`);
  }
  return report;
}
