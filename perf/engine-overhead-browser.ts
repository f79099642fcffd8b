/**
 * Item 1 (Chromium on WASM): check() through the app's engine client and
 * engine worker (workers/engine-worker.ts, as the app bundles it) against
 * transformers.js called directly in its own module worker, timed inside
 * that worker. Same fixture model (served by the local mirror), same
 * prompt, greedy; ABAB pairs, median ratio of wall time per token.
 */
import { join } from 'node:path';
import { ensureFixtureModels } from '../tests/fixtures/ensure-models';
import { startMirrorServer } from '../tests/fixtures/mirror-server';
import type { BenchPageApi } from './browser/protocol';
import { openBenchPage } from './bench-page';
import { FIXTURE_VERIFIER, overheadRows } from './engine-overhead';
import { round } from './stats';
import { traceMainThread } from './trace';
import { sampledRow, type BenchContext, type BenchRow, type Measurement } from './types';

export const engineOverheadBrowserMeasurement: Measurement = {
  name: 'engine-overhead-browser',
  browser: true,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const reps = ctx.quick ? 2 : 31;
    const modelsDir = await ensureFixtureModels(join(ctx.root, 'tests', '.cache', 'models'));
    const mirror = await startMirrorServer({ root: modelsDir });
    const bench = await openBenchPage(ctx.root, ctx.log);
    try {
      const options = { hubHost: mirror.url, id: FIXTURE_VERIFIER, reps, maxTokens: 128 };
      const { result: r, tasks } = await traceMainThread(bench.page, () =>
        bench.page.evaluate((o) => (window as unknown as { __bench: BenchPageApi }).__bench.overhead(o), options),
      );
      ctx.log(`engine-overhead-browser: ${reps} pairs; longest main-thread task ${round(tasks.longestCpuMs, 0)} ms CPU`);
      return [
        ...overheadRows('engine-overhead.chromium', r.samples, `${reps} ABAB pairs, ${FIXTURE_VERIFIER} fp32 on WASM (single thread), zero-shot prompt, greedy`),
        // The traced window (model load, warm-up and 2×reps checks) cut into one span per pair: the longest task's CPU
        // time per span, median with its interval (as the runner's per-run figure); the maximum is in the note.
        sampledRow(
          'check.longest-main-thread-task',
          tasks.longestCpuPerSpan(reps),
          'ms',
          { op: '<', limit: 50 },
          `longest main-thread task by CPU time (trace) per ${reps}th of the window over model load + ${2 * reps + 2} check() calls through the engine worker; max ${round(tasks.longestCpuMs, 0)} ms; Long Tasks API during the checks: ${round(r.longestTaskMs, 0)} ms wall, ${r.longTasks} tasks${r.attribution.length ? ` (${r.attribution.slice(0, 3).join('; ')})` : ''}`,
          { digits: 0, clock: 'cpu' },
        ),
      ];
    } finally {
      await bench.close();
      await mirror.close();
    }
  },
};
