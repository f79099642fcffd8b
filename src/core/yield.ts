/**
 * Turns given to the event loop by long loops (dataset import, the benchmark
 * runner): pure, no DOM; picks the cheapest macrotask turn the host has.
 */

/** Node's setImmediate when present: a full event-loop turn without setTimeout's 1 ms minimum sleep. */
const setImmediateIfAny = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
/** The Prioritized Task Scheduling API's postTask (Chromium, Firefox), in pages and workers. */
const schedulerIfAny = (globalThis as { scheduler?: { postTask?: (callback: () => void, options?: { priority?: string }) => Promise<void> } }).scheduler;

/**
 * Gives the event loop a turn (page stays responsive; abort signals get
 * through). In browsers, nested setTimeout(0) is clamped to 4 ms, which made
 * frequent yields expensive; a posted task costs microseconds.
 *
 * Not scheduler.yield(): its continuation is queued ahead of rendering, so a
 * loop that yields with it starves the page's frames. Measured in the bench
 * page (Chromium 156, 100 pieces of 8 ms of work): with scheduler.yield the
 * page painted 9 frames in 0.82 s, each frame about 106 ms long (Long
 * Animation Frames); with scheduler.postTask at 'user-visible' priority or a
 * MessageChannel turn it painted 51–52, none long, in the same time (issue
 * 15: no stutter during imports, runs and library indexing).
 */
export function yieldToEventLoop(): Promise<void> {
  if (setImmediateIfAny) return new Promise((resolve) => void setImmediateIfAny(resolve));
  if (typeof schedulerIfAny?.postTask === 'function') return schedulerIfAny.postTask(() => undefined, { priority: 'user-visible' });
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Work time between two turns given to the event loop (well under a frame budget's worth of jank). */
export const YIELD_INTERVAL_MS = 30;

/**
 * Yields only once `intervalMs` of work has passed since the last turn: a
 * setTimeout turn costs 1–4 ms, so yielding per batch (a 100 MB file has
 * ~1,600 chunks) would spend more time waiting than working.
 */
export function createYielder(intervalMs = YIELD_INTERVAL_MS, now: () => number = () => performance.now()): () => Promise<void> {
  let last = now();
  return async () => {
    if (now() - last < intervalMs) return;
    await yieldToEventLoop();
    last = now();
  };
}
