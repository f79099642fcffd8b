/**
 * Item 2: runner throughput. 2,116 synthetic items through the benchmark
 * runner (src/bench-runner runLoop, the app's loop) with an instant
 * in-process engine, each result written to real IndexedDB (the runs
 * repository) in headless Chromium, under a long-task observer.
 */
import type { BenchPageApi } from './browser/protocol';
import { openBenchPage } from './bench-page';
import { round } from './stats';
import { targetRow, infoRow, type BenchContext, type BenchRow, type Measurement } from './types';

export const MEDFACT_ITEMS = 2116;

export const runnerThroughputMeasurement: Measurement = {
  name: 'runner-throughput',
  browser: true,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const count = ctx.quick ? 100 : MEDFACT_ITEMS;
    const bench = await openBenchPage(ctx.root, ctx.log);
    try {
      const r = await bench.page.evaluate((n) => (window as unknown as { __bench: BenchPageApi }).__bench.runner(n), count);
      if (r.stored !== count) throw new Error(`the runner stored ${r.stored} of ${count} items`);
      if (!r.observerWorks) throw new Error('the long-task observer did not report a deliberate 80 ms task; the longest-task figure would mean nothing');
      ctx.log(`runner-throughput: ${round(r.itemsPerSecond, 0)} items/s, longest task ${round(r.longestTaskMs, 0)} ms`);
      const note = `${count} items, instant engine, real IndexedDB, headless Chromium`;
      return [
        targetRow('runner.items-per-second', round(r.itemsPerSecond, 0), 'items/s', { op: '>=', limit: 500 }, note),
        targetRow('runner.longest-main-thread-task', round(r.longestTaskMs, 0), 'ms', { op: '<', limit: 50 }, `long-task observer during the run (${r.longTasks} tasks over 50 ms)`),
        infoRow('runner.total', round(r.ms / 1000, 2), 's', note),
        infoRow('runner.storage-share', round(r.sinkMs / r.ms, 2), 'fraction', 'share of the run spent awaiting IndexedDB (runs repository)'),
        infoRow('runner.per-item-other', round((r.ms - r.sinkMs) / count, 3), 'ms', 'per item outside storage: check() pipeline with the instant engine, loop, progress'),
      ];
    } finally {
      await bench.close();
    }
  },
};
