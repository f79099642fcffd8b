/**
 * Item 4: `medfact score` over 100,000 synthetic items, timed as the user
 * runs it (a child process: start-up, dataset import, predictions, metrics
 * with 1,000 bootstrap resamples and all breakdowns, output). The command is
 * package.json's `medfact` script (the pre-bundled CLI, scripts/medfact.mjs)
 * run with node directly, so npm's own start-up (~0.3 s) is left out. The
 * steps are also timed in-process, for information.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { importDataset } from '../src/core/dataset/import-dataset';
import { computeMetrics } from '../src/core/metrics/compute-metrics';
import { parsePredictionsJsonl } from '../src/core/predictions';
import { ERROR_TYPES, SPECIALTIES, STYLES } from '../src/core/labels';
import { median, round } from './stats';
import { makeText, seededRandom } from './synthetic';
import { perRound, sampledRow, type BenchContext, type BenchRow, type Measurement } from './types';

const run = promisify(execFile);

/** Dataset and predictions as JSONL, in the layout `medfact demo` writes. */
export function makeScoringFiles(count: number, seed = 11): { dataset: string; predictions: string } {
  const rng = seededRandom(seed);
  const data: string[] = [];
  const preds: string[] = [];
  for (let i = 0; i < count; i++) {
    const text = makeText(rng, 60 + Math.floor(rng() * 140));
    const hasError = i % 2 === 0;
    const start = Math.floor(rng() * (text.length - 8));
    const end = start + 2 + Math.floor(rng() * 6);
    data.push(
      JSON.stringify({
        id: `s${i}`,
        text,
        has_error: hasError,
        error_text: hasError ? text.slice(start, end) : null,
        start: hasError ? start : null,
        end: hasError ? end : null,
        correction: hasError ? '改正' : null,
        error_type: hasError ? ERROR_TYPES[i % ERROR_TYPES.length] : null,
        specialty: SPECIALTIES[i % SPECIALTIES.length],
        style: STYLES[i % STYLES.length],
        difficulty: 1 + (i % 5),
      }),
    );
    const flagged = rng() < 0.6;
    const shift = Math.floor(rng() * 4) - 2;
    const ps = Math.max(0, start + shift);
    const pe = Math.max(ps + 1, Math.min(text.length, end + shift));
    preds.push(
      JSON.stringify({
        id: `s${i}`,
        has_error: flagged,
        spans: flagged ? [{ start: ps, end: pe, text: text.slice(ps, pe), score: round(rng(), 3) }] : [],
        score: round(rng(), 3),
      }),
    );
  }
  return { dataset: `${data.join('\n')}\n`, predictions: `${preds.join('\n')}\n` };
}

/** package.json's `medfact` script as node arguments (`node <flags> scripts/medfact.mjs` → [flags…, script]). */
export function medfactScriptArgs(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const [runtime, ...args] = (pkg.scripts?.medfact ?? '').trim().split(/\s+/);
  if (runtime !== 'node' || args.length === 0) throw new Error(`package.json's medfact script is not "node …" (it is "${pkg.scripts?.medfact ?? ''}"); the scoring bench runs it with node directly.`);
  return args;
}

export const scoringMeasurement: Measurement = {
  name: 'scoring',
  browser: false,
  repeat: true,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const count = ctx.quick ? 1000 : 100_000;
    const dir = await mkdtemp(join(tmpdir(), 'medfact-bench-score-'));
    try {
      const files = makeScoringFiles(count);
      const datasetPath = join(dir, 'dataset.jsonl');
      const predictionsPath = join(dir, 'predictions.jsonl');
      await writeFile(datasetPath, files.dataset, 'utf8');
      await writeFile(predictionsPath, files.predictions, 'utf8');

      const cli = medfactScriptArgs(ctx.root);
      const reps = ctx.quick ? 2 : perRound(ctx, 7, 3);
      const cliMs: number[] = [];
      const cpuS: number[] = [];
      const mainCpuS: number[] = [];
      const mainWaitS: number[] = [];
      const startupS: number[] = [];
      const cpuProbe = join(ctx.root, 'perf', 'workers', 'cpu-at-exit.mjs');
      const execOptions = { cwd: ctx.root, maxBuffer: 256 * 1024 * 1024 };
      // Untimed first start: builds the CLI bundle if the sources changed since the last one.
      await run(process.execPath, [...cli, 'help'], execOptions);
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        const { stdout, stderr } = await run(process.execPath, ['--import', cpuProbe, ...cli, 'score', datasetPath, predictionsPath, '--json'], execOptions);
        cliMs.push((performance.now() - t0) / 1000);
        const cpu = /MEDFACT_BENCH_CPU_US=(\d+)/.exec(stderr)?.[1];
        if (cpu) cpuS.push(Number(cpu) / 1e6);
        const mainCpu = /MEDFACT_BENCH_MAIN_CPU_US=(\d+)/.exec(stderr)?.[1];
        if (mainCpu) mainCpuS.push(Number(mainCpu) / 1e6);
        const mainWait = /MEDFACT_BENCH_MAIN_WAIT_US=(\d+)/.exec(stderr)?.[1];
        if (mainWait) mainWaitS.push(Number(mainWait) / 1e6);
        const report = JSON.parse(stdout) as { vc?: { f1?: number }; dataset?: { items?: number } };
        if (report.dataset?.items !== count) throw new Error(`medfact score read ${String(report.dataset?.items)} items, expected ${count}.`);
        // The launcher alone (hash check of the bundle's sources, loading it, usage text), to tell the app's work from start-up.
        const help = await run(process.execPath, ['--import', cpuProbe, ...cli, 'help'], execOptions);
        const helpCpu = /MEDFACT_BENCH_CPU_US=(\d+)/.exec(help.stderr)?.[1];
        if (helpCpu) startupS.push(Number(helpCpu) / 1e6);
      }

      // In-process steps, by CPU time of this process (single-threaded work; GC threads included).
      const cpuNow = (): number => {
        const c = process.cpuUsage();
        return (c.user + c.system) / 1e6;
      };
      const importS: number[] = [];
      const metricsS: number[] = [];
      for (let r = 0; r < reps; r++) {
        const i0 = cpuNow();
        const dataset = await importDataset(new Blob([files.dataset]), { fileName: 'dataset.jsonl' });
        const predictions = parsePredictionsJsonl(files.predictions).predictions;
        const i1 = cpuNow();
        computeMetrics(dataset.items, predictions);
        metricsS.push(cpuNow() - i1);
        importS.push(i1 - i0);
      }
      ctx.log(`scoring: ${count} items, CLI ${round(median(cliMs), 2)} s wall, ${round(median(cpuS), 2)} s CPU (median of ${reps}), metrics ${round(median(metricsS), 2)} s CPU`);
      const note = `${count.toLocaleString('en')} items, JSONL, --json, 1,000 bootstrap resamples`;
      if (cpuS.length !== cliMs.length) throw new Error(`the CPU probe reported ${cpuS.length} of ${cliMs.length} runs (perf/workers/cpu-at-exit.mjs)`);
      return [
        // The target is decided on CPU time: on a quiet 2-core machine the command takes at most that long
        // (its GC threads run beside the main thread), and it does not grow with other processes' load.
        sampledRow('scoring.cli-cpu', cpuS, 's', { op: '<', limit: 2 }, `${note}; CPU time of the whole command (user + system, all threads), ${reps} runs: what a quiet machine would take at most`, { digits: 2, clock: 'cpu' }),
        sampledRow('scoring.cli', cliMs, 's', null, `wall time of the same command (includes the time the OS gave other processes)`, { digits: 2, clock: 'wall' }),
        ...(mainCpuS.length > 0
          ? [
              sampledRow(
                'scoring.cli-main-cpu',
                mainCpuS,
                's',
                null,
                "CPU time of the command's main thread alone (Linux, 10 ms ticks): all but the garbage collector's helpers, the thread pool (file reads, digests) and, where used, the predictions thread; with a core free, wall time is close to it",
                { digits: 2, clock: 'cpu' },
              ),
            ]
          : []),
        ...(mainWaitS.length > 0
          ? [
              sampledRow(
                'scoring.cli-main-wait',
                mainWaitS,
                's',
                null,
                "time the command's main thread stood ready in the run queue while the cores ran other work (Linux schedstat): wall time minus this is what the command would take if it never waited for a core",
                { digits: 2, clock: 'wall' },
              ),
            ]
          : []),
        sampledRow('scoring.cli-startup', startupS, 's', null, '`medfact help` through the same launcher, CPU time: node start-up, bundle check and load (part of the CLI time)', { digits: 2, clock: 'cpu' }),
        sampledRow('scoring.import', importS, 's', null, 'in-process dataset import + predictions parse', { digits: 2, clock: 'cpu' }),
        sampledRow('scoring.metrics', metricsS, 's', null, 'in-process computeMetrics (all breakdowns, bootstrap)', { digits: 2, clock: 'cpu' }),
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
