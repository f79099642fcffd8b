/**
 * No stutter during a dataset import: 100,000 JSONL rows through the app's
 * path in headless Chromium (the bench worker parses and keeps the items,
 * then saves them to real IndexedDB when the page asks), the main thread traced. Decided
 * on the longest task's own CPU time; the Long Tasks API wall figure and its
 * attribution are given beside it.
 */
import type { BenchPageApi } from './browser/protocol';
import { openBenchPage } from './bench-page';
import { round } from './stats';
import { traceMainThread } from './trace';
import { FRAME_NOTE, sampledRow, type BenchContext, type BenchRow, type Measurement } from './types';

export const importBrowserMeasurement: Measurement = {
  name: 'import-browser',
  browser: true,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const count = ctx.quick ? 5_000 : 100_000;
    const reps = ctx.quick ? 1 : 3;
    const bench = await openBenchPage(ctx.root, ctx.log);
    try {
      const bytes = await bench.page.evaluate((n) => (window as unknown as { __bench: BenchPageApi }).__bench.prepareImport(n), count);
      const cpu: number[] = [];
      const runs = [];
      for (let i = 0; i < reps; i++) {
        const { result, tasks } = await traceMainThread(bench.page, () => bench.page.evaluate(() => (window as unknown as { __bench: BenchPageApi }).__bench.importProbe()));
        if (result.items !== count) throw new Error(`the import kept ${result.items} of ${count} rows`);
        cpu.push(tasks.longestCpuMs);
        runs.push(result);
      }
      const attribution = [...new Set(runs.flatMap((r) => r.attribution))].slice(0, 4).join('; ');
      ctx.log(`import-browser: longest task CPU ${round(Math.max(...cpu), 0)} ms`);
      const note = `${count.toLocaleString('en')} JSONL rows (${round(bytes / 1e6, 1)} MB), bench worker parse + IndexedDB save from the worker (staged import), ${reps} runs`;
      return [
        sampledRow('import.longest-main-thread-task', cpu, 'ms', { op: '<', limit: 50 }, `${note}; longest main-thread task by its own CPU time (trace)`, { digits: 0, clock: 'cpu' }),
        sampledRow('import.longest-main-thread-task.wall', runs.map((r) => r.longestTaskMs), 'ms', null, `Long Tasks API, wall clock${attribution ? `; attributed to: ${attribution}` : ''}`, { digits: 0, clock: 'wall' }),
        sampledRow('import.longest-frame', runs.map((r) => r.longestFrameMs), 'ms', null, FRAME_NOTE, { digits: 0, clock: 'wall' }),
        sampledRow('import.parse', runs.map((r) => r.parseMs / 1000), 's', null, 'worker parse; the result without its items to the page', { digits: 2, clock: 'wall' }),
        sampledRow('import.save', runs.map((r) => r.saveMs / 1000), 's', null, 'IndexedDB save from the worker, as the app\'s save button does', { digits: 2, clock: 'wall' }),
      ];
    } finally {
      await bench.close();
    }
  },
};
