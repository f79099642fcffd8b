/**
 * Main-thread tasks from a Chromium trace (CDP Tracing, `toplevel` events on
 * CrRendererMain): every outermost event, whatever its name. Most are
 * RunTask events, but Blink also runs microtask checkpoints as top-level
 * events of their own (after an IndexedDB or Mojo reply, for instance), and
 * the Long Tasks API counts those as tasks. Reading only RunTask events
 * missed them: during library indexing a checkpoint of 73 ms CPU (113 ms
 * wall) that the Long Tasks API reported was not among the RunTask events,
 * whose longest was 20 ms (issue 15). Each task has its wall time (`dur`) and its
 * thread CPU time (`tdur`). On a shared 2-core machine the Long Tasks API's
 * wall-clock figure mixes the page's own work with time the OS gave to other
 * processes; the CPU time is the part the page can fix, so both are reported.
 */
import type { Page } from 'playwright';

export interface MainThreadTasks {
  /** Tasks on the renderer main thread with wall time >= 50 ms. */
  longWall: number;
  longestWallMs: number;
  /** Longest thread CPU time of a single task (the page's own work). */
  longestCpuMs: number;
  /** Tasks whose CPU time alone is >= 50 ms. */
  longCpu: number;
  /**
   * The traced window cut into `n` equal spans of time: the longest task's CPU
   * time in each (a task counts in the span it starts in; an empty span gives 0).
   * One figure per span, so a window of many repeated steps gets a spread.
   */
  longestCpuPerSpan(n: number): number[];
}

interface TraceEvent {
  name: string;
  ph: string;
  ts?: number;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * The events not inside another event of the same thread: the thread's tasks.
 * Complete ('X') events of one thread nest properly, so after sorting by start
 * (longest first on a tie) an event is outermost when it starts at or after
 * the end of the last outermost one.
 */
export function outermost<E extends { pid: number; tid: number; ts?: number; dur?: number }>(events: readonly E[]): E[] {
  const sorted = [...events].sort((a, b) => a.pid - b.pid || a.tid - b.tid || (a.ts ?? 0) - (b.ts ?? 0) || (b.dur ?? 0) - (a.dur ?? 0));
  const out: E[] = [];
  let thread = '';
  let end = Number.NEGATIVE_INFINITY;
  for (const e of sorted) {
    const key = `${e.pid}:${e.tid}`;
    if (key !== thread) {
      thread = key;
      end = Number.NEGATIVE_INFINITY;
    }
    const start = e.ts ?? 0;
    if (start >= end) {
      out.push(e);
      end = start + (e.dur ?? 0);
    }
  }
  return out;
}

export async function traceMainThread<T>(page: Page, work: () => Promise<T>): Promise<{ result: T; tasks: MainThreadTasks }> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => {
    events.push(...(e.value as unknown as TraceEvent[]));
  });
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['toplevel', '__metadata'], recordMode: 'recordContinuously' }, transferMode: 'ReportEvents' });
  let result: T;
  try {
    result = await work();
  } finally {
    const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
    await cdp.send('Tracing.end');
    await done;
    await cdp.detach().catch(() => undefined);
  }
  const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const tasks = outermost(events.filter((e) => e.ph === 'X' && main.has(`${e.pid}:${e.tid}`)));
  const wall = tasks.map((e) => (e.dur ?? 0) / 1000);
  const cpu = tasks.map((e) => (e.tdur ?? 0) / 1000);
  return {
    result,
    tasks: {
      longWall: wall.filter((ms) => ms >= 50).length,
      longestWallMs: wall.length ? Math.max(...wall) : 0,
      longestCpuMs: cpu.length ? Math.max(...cpu) : 0,
      longCpu: cpu.filter((ms) => ms >= 50).length,
      longestCpuPerSpan(n: number): number[] {
        const starts = tasks.map((e) => e.ts ?? 0);
        const first = Math.min(...starts);
        const width = (Math.max(...starts) - first) / n || 1;
        const spans = new Array<number>(n).fill(0);
        tasks.forEach((e, i) => {
          const k = Math.min(n - 1, Math.floor(((e.ts ?? 0) - first) / width));
          spans[k] = Math.max(spans[k] ?? 0, cpu[i] ?? 0);
        });
        return tasks.length ? spans : [];
      },
    },
  };
}
