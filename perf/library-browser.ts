/**
 * No stutter during reference-library indexing (issue 15): plain-text
 * chapters imported through the app's LibraryService in headless Chromium
 * (extraction in the worker, chunking, the in-memory lexical index, one
 * IndexedDB transaction per document), the main thread traced. Decided on
 * the longest task's own CPU time, like the import and the runner.
 */
import type { BenchPageApi } from './browser/protocol';
import { openBenchPage } from './bench-page';
import { round } from './stats';
import { traceMainThread } from './trace';
import { FRAME_NOTE, perRound, sampledRow, type BenchContext, type BenchRow, type Measurement } from './types';

type Api = { __bench: BenchPageApi };

export const libraryBrowserMeasurement: Measurement = {
  name: 'library-browser',
  browser: true,
  repeat: true,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    // 30 chapters (15,900 passages): the 17th and the 30th set off merges of the index's segments of 8,500 and
    // 15,400 passages, which ran as one task of about 50 and 80 ms of CPU (Node) before merges ran in steps.
    const docs = ctx.quick ? 2 : 30;
    const chars = ctx.quick ? 20_000 : 150_000;
    const reps = ctx.quick ? 1 : perRound(ctx, 5, 2);
    const bench = await openBenchPage(ctx.root, ctx.log);
    try {
      const bytes = await bench.page.evaluate(([d, c]) => (window as unknown as Api).__bench.prepareLibrary(d, c), [docs, chars] as const);
      const cpu: number[] = [];
      const runs = [];
      for (let i = 0; i < reps; i++) {
        const { result, tasks } = await traceMainThread(bench.page, () => bench.page.evaluate(() => (window as unknown as Api).__bench.libraryProbe()));
        cpu.push(tasks.longestCpuMs);
        runs.push(result);
      }
      const attribution = [...new Set(runs.flatMap((r) => r.attribution))].slice(0, 4).join('; ');
      const passages = runs[0]?.passages ?? 0;
      ctx.log(`library-browser: ${docs} documents, ${passages} passages, longest task CPU ${round(Math.max(...cpu), 0)} ms`);
      const note = `${docs} plain-text chapters of ${chars.toLocaleString('en')} characters (${round(bytes / 1e6, 1)} MB, ${passages.toLocaleString('en')} passages) into an empty library, then one deleted and the library opened again (its stored index read back), ${reps} runs`;
      return [
        sampledRow('library.longest-main-thread-task', cpu, 'ms', { op: '<', limit: 50 }, `${note}; longest main-thread task by its own CPU time (trace)`, { digits: 0, clock: 'cpu' }),
        sampledRow('library.longest-main-thread-task.wall', runs.map((r) => r.longestTaskMs), 'ms', null, `Long Tasks API, wall clock${attribution ? `; attributed to: ${attribution}` : ''}`, { digits: 0, clock: 'wall' }),
        sampledRow('library.longest-frame', runs.map((r) => r.longestFrameMs), 'ms', null, FRAME_NOTE, { digits: 0, clock: 'wall' }),
        sampledRow('library.import', runs.map((r) => r.ms / 1000), 's', null, 'whole import: extraction (worker), passages, index, IndexedDB', { digits: 2, clock: 'wall' }),
      ];
    } finally {
      await bench.close();
    }
  },
};
