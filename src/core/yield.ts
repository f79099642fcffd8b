/**
 * Turns given to the event loop by long loops (dataset import, the benchmark
 * runner): pure, no DOM; picks the cheapest macrotask turn the host has.
 */

/** Node's setImmediate when present: a full event-loop turn without setTimeout's 1 ms minimum sleep. */
const setImmediateIfAny = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
/** Chromium's scheduler.yield(): a macrotask turn that resumes ahead of other tasks, with no timer clamp. */
const schedulerIfAny = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;

/**
 * Gives the event loop a turn (page stays responsive; abort signals get
 * through). In browsers, nested setTimeout(0) is clamped to 4 ms, which made
 * frequent yields expensive; scheduler.yield() (or a MessageChannel turn)
 * costs microseconds.
 */
export function yieldToEventLoop(): Promise<void> {
  if (setImmediateIfAny) return new Promise((resolve) => void setImmediateIfAny(resolve));
  if (typeof schedulerIfAny?.yield === 'function') return schedulerIfAny.yield();
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
