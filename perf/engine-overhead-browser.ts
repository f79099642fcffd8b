/**
 * Item 1 (Chromium on WASM): check() through the app's engine client and
 * engine worker (workers/engine-worker.ts, as the app bundles it) against
 * transformers.js called directly in its own module worker, timed inside
 * that worker. Same fixture model (served by the local mirror), same
 * prompt, greedy; ABAB pairs driven from Node, median ratio of CPU time per
 * token (all Chromium processes, /proc), wall time beside it.
 */
import { join } from 'node:path';
import { ensureFixtureModels } from '../tests/fixtures/ensure-models';
import { startMirrorServer } from '../tests/fixtures/mirror-server';
import type { BenchPageApi } from './browser/protocol';
import { cpuSecondsSince, openBenchPage } from './bench-page';
import { FIXTURE_VERIFIER, overheadRows, type OverheadSample } from './engine-overhead';
import { round } from './stats';
import { traceMainThread } from './trace';
import { FRAME_NOTE, infoRow, perRound, sampledRow, type BenchContext, type BenchRow, type Measurement } from './types';

export const engineOverheadBrowserMeasurement: Measurement = {
  name: 'engine-overhead-browser',
  browser: true,
  repeat: true,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const reps = ctx.quick ? 2 : perRound(ctx, 31, 7);
    const modelsDir = await ensureFixtureModels(join(ctx.root, 'tests', '.cache', 'models'));
    const mirror = await startMirrorServer({ root: modelsDir });
    const bench = await openBenchPage(ctx.root, ctx.log);
    try {
      const options = { hubHost: mirror.url, id: FIXTURE_VERIFIER, maxTokens: 128 };
      // Node drives each step and reads the CPU time of every Chromium process around it (perf/process-cpu.ts):
      // the decision rests on CPU per token, which other jobs on the machine do not stretch; wall beside it.
      const step = async (side: 'app' | 'direct'): Promise<{ wall: number; cpu: number | undefined }> => {
        const c0 = bench.cpuSnapshot();
        const s = await bench.page.evaluate((x) => (window as unknown as { __bench: BenchPageApi }).__bench.overheadStep(x), side);
        const cpu = cpuSecondsSince(c0, bench.cpuSnapshot());
        return { wall: s.ms / s.tokens, cpu: cpu === null ? undefined : (cpu * 1000) / s.tokens };
      };
      const { result: r, tasks } = await traceMainThread(bench.page, async () => {
        await bench.page.evaluate((o) => (window as unknown as { __bench: BenchPageApi }).__bench.overheadOpen(o), options);
        const samples: OverheadSample[] = [];
        for (let i = 0; i < reps; i++) {
          // ABAB, the starting side alternates too.
          const first = await step(i % 2 === 0 ? 'app' : 'direct');
          const second = await step(i % 2 === 0 ? 'direct' : 'app');
          const [app, direct] = i % 2 === 0 ? [first, second] : [second, first];
          samples.push({ appMsPerToken: app.wall, directMsPerToken: direct.wall, appCpuMsPerToken: app.cpu, directCpuMsPerToken: direct.cpu });
        }
        const closed = await bench.page.evaluate(() => (window as unknown as { __bench: BenchPageApi }).__bench.overheadClose());
        return { samples, ...closed };
      });
      return [
        ...overheadRows('engine-overhead.chromium', r.samples, `${reps} ABAB pairs, ${FIXTURE_VERIFIER} fp32 on WASM (single thread), zero-shot prompt, greedy; CPU time of every Chromium thread per step (/proc schedstat)`),
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
        { ...infoRow('check.longest-frame', round(r.longestFrameMs, 0), 'ms', `${FRAME_NOTE}; over the ${2 * reps} measured checks`), clock: 'wall' },
      ];
    } finally {
      await bench.close();
      await mirror.close();
    }
  },
};
