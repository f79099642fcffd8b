/**
 * The benchmark runner loop. Engine-agnostic and storage-agnostic: it gets
 * the items in run order, the engines, the configuration and a results sink
 * (the runs repository in the app, the same over fake-indexeddb in tests).
 *
 * Crash safety comes from the sink's keys: each item's result is written as
 * it finishes, keyed [runId, itemId], so an item is stored at most once and a
 * new loop over the same run skips every stored item. A loop that dies
 * mid-item (reload, crash, lost GPU) loses only that item's work.
 *
 * Pause and cancel abort the item in work (it is not stored and runs again
 * on resume). A failing item is retried once, then stored as failed and
 * counted apart. Errors that mean the engine itself is gone (device lost,
 * crashed worker, storage full) stop the run as `paused` with the error, so
 * the user can resume once the cause is fixed, instead of failing every
 * remaining item.
 */
import { createYielder } from '../../core/yield';
import type { DatasetItem } from '../../core/dataset/types';
import { AbortError, isAbortError, toMedfactError, type ErrorCode, type MedfactError } from '../../protocol/errors';
import { failedItem, resolveThreshold, runItem, type RunEngines } from './run-item';
import type { RunConfig, RunCounts, RunItemRecord, RunProgress, RunRecord, RunState } from '../../core/run-record';

/** What the loop needs from storage; the runs repository satisfies it. */
export interface RunSink {
  storedItemIds(runId: string): Promise<Set<string>>;
  putItem(item: RunItemRecord, at?: number): Promise<RunCounts>;
  /** Several results in one transaction; used for write-behind batches when present. */
  putItems?(runId: string, items: RunItemRecord[]): Promise<RunCounts>;
  heartbeat(runId: string, at?: number): Promise<void>;
  setState(runId: string, state: RunState, extra?: Partial<Pick<RunRecord, 'error' | 'finishedAt'>>): Promise<RunRecord>;
}

/** Pause or cancel a running loop from outside. */
export class RunControl {
  private readonly controller = new AbortController();
  private why: 'pause' | 'cancel' | null = null;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get reason(): 'pause' | 'cancel' | null {
    return this.why;
  }

  pause(): void {
    this.stop('pause');
  }

  cancel(): void {
    this.stop('cancel');
  }

  private stop(why: 'pause' | 'cancel'): void {
    if (this.why === 'cancel') return;
    this.why = why;
    if (!this.controller.signal.aborted) this.controller.abort(new AbortError());
  }
}

/** Codes after which retrying the next item cannot help: the run stops and can be resumed. */
export const FATAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'DEVICE_LOST',
  'WORKER_CRASHED',
  'WORKER_TIMEOUT',
  'MODEL_NOT_LOADED',
  'OUT_OF_MEMORY',
  'QUOTA_EXCEEDED',
  'STORAGE',
  'NO_WEBGPU',
  'NO_SHADER_F16',
]);

/** Longest stretch of loop work between two event-loop turns (well under the 50 ms long-task line). */
export const RUN_SLICE_MS = 12;

export interface RunLoopOptions {
  runId: string;
  /** The run's items, in run order. */
  items: readonly DatasetItem[];
  config: RunConfig;
  engines: RunEngines;
  sink: RunSink;
  control?: RunControl;
  onProgress?: (progress: RunProgress) => void;
  /** Heartbeat period while an item is in work (default 5 s). */
  heartbeatMs?: number;
  /** Extra attempts for a failing item (default 1). */
  retries?: number;
  now?: () => number;
}

export interface RunLoopOutcome {
  state: RunState;
  counts: RunCounts;
  /** Items attempted again in this session. */
  retries: number;
  /** Set when the run stopped on a fatal error. */
  error?: MedfactError;
}

export async function runLoop(options: RunLoopOptions): Promise<RunLoopOutcome> {
  const { runId, items, config, engines, sink, onProgress } = options;
  const control = options.control ?? new RunControl();
  const now = options.now ?? Date.now;
  const retries = options.retries ?? 1;
  const threshold = resolveThreshold(config.threshold);
  const total = items.length;

  const started = await sink.setState(runId, 'running');
  const stored = await sink.storedItemIds(runId);
  const known = new Set(items.map((i) => i.id));
  let storedCount = [...stored].filter((id) => known.has(id)).length;
  let counts: RunCounts = { ...started.counts, total };
  let retried = 0;
  const sessionStart = now();
  const startStored = storedCount;

  const progress = (state: RunProgress['state'], currentItemId: string | null): void => {
    if (!onProgress) return;
    const elapsed = now() - sessionStart;
    const doneHere = storedCount - startStored;
    const perMs = elapsed > 0 && doneHere > 0 ? doneHere / elapsed : 0;
    onProgress({
      runId,
      state,
      counts,
      fraction: total > 0 ? storedCount / total : 1,
      currentItemId,
      itemsPerMinute: perMs * 60_000,
      etaMs: perMs > 0 ? (total - storedCount) / perMs : null,
      retries: retried,
    });
  };

  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const timer = setInterval(() => {
    sink.heartbeat(runId, now()).catch(() => undefined);
  }, heartbeatMs);

  // Write-behind: results are stored in batches by one writer while the next
  // items run, so storage never paces a fast engine (one transaction per item
  // costs ~2 ms in Chromium). A crash loses at most the unwritten batch, whose
  // items simply run again on resume: keys [runId, itemId] keep it exactly once.
  const pending: RunItemRecord[] = [];
  let writing: Promise<void> | null = null;
  let writeError: unknown = null;
  const writeBatch = async (batch: RunItemRecord[]): Promise<void> => {
    counts = batch.length > 1 && sink.putItems ? await sink.putItems(runId, batch) : await putEach(batch);
    counts = { ...counts, total };
    storedCount += batch.length;
    progress('running', null);
  };
  const putEach = async (batch: RunItemRecord[]): Promise<RunCounts> => {
    let last = counts;
    for (const record of batch) last = await sink.putItem(record, now());
    return last;
  };
  const drain = (): Promise<void> => {
    if (writing) return writing;
    if (pending.length === 0 || writeError !== null) return Promise.resolve();
    const run = async (): Promise<void> => {
      try {
        while (pending.length > 0 && writeError === null) {
          // At most MAX_BATCH per transaction: each put is cloned and sent
          // synchronously (~0.2–0.4 ms in Chromium), and a 256-item batch
          // was one 55–100 ms task in the success callback before it.
          const batch = pending.splice(0, MAX_BATCH);
          await writeBatch(batch);
        }
      } catch (error) {
        writeError = error;
      }
    };
    // .finally runs after this assignment even when run() settles at once.
    writing = run().finally(() => {
      writing = null;
    });
    return writing;
  };
  const MAX_PENDING = 256;
  const MAX_BATCH = 48;
  const WRITE_BEHIND_BELOW_MS = 20;
  // An engine that answers without a macrotask (in-process, cached, instant)
  // turns the loop into one long chain of microtasks: 256 write-behind items
  // ran as a single 73–91 ms main-thread task. Give the event loop a turn
  // after every RUN_SLICE_MS of continuous work.
  const yieldIfBusy = createYielder(RUN_SLICE_MS);

  let fatal: MedfactError | undefined;
  try {
    progress('running', null);
    for (let index = 0; index < items.length; index++) {
      const item = items[index];
      if (!item || stored.has(item.id)) continue;
      if (control.reason) break;
      progress('running', item.id);
      const itemStarted = now();
      let record: RunItemRecord | null = null;
      let lastError: unknown;
      for (let attempt = 1; attempt <= 1 + retries && !record; attempt++) {
        if (attempt > 1) retried++;
        try {
          record = await runItem(item, { runId, index, config, engines, threshold, attempts: attempt, signal: control.signal, now });
        } catch (error) {
          if (control.reason || isAbortError(error)) break;
          const typed = toMedfactError(error);
          if (FATAL_CODES.has(typed.code)) throw typed;
          lastError = typed;
        }
      }
      if (control.reason) break;
      // An abort not asked for by the control (an engine's own abort) counts as a failure.
      record ??= failedItem(item, { runId, index, threshold, attempts: 1 + retries, now }, lastError ?? new AbortError());
      stored.add(item.id);
      pending.push(record);
      // A real model takes far longer per item than a write: store each result
      // before the next item (inference in this worker can starve IndexedDB's
      // events until it yields a macrotask, so writes left behind would wait
      // for the whole run). Only items faster than storage are batched.
      const itemMs = now() - itemStarted;
      if (itemMs >= WRITE_BEHIND_BELOW_MS || pending.length >= MAX_PENDING) await drain();
      else void drain();
      if (writeError !== null) throw writeError;
      await yieldIfBusy();
    }
  } catch (error) {
    fatal = toMedfactError(error);
  } finally {
    clearInterval(timer);
  }
  // Store what finished before the loop ended (pause, cancel, error or done).
  while (writing || (pending.length > 0 && writeError === null)) await drain();
  if (writeError !== null && !fatal) fatal = toMedfactError(writeError);

  let state: RunState;
  if (fatal) state = 'paused';
  else if (control.reason === 'cancel') state = 'cancelled';
  else if (control.reason === 'pause') state = 'paused';
  else state = storedCount >= total ? 'completed' : 'paused';
  const finished = state === 'completed' || state === 'cancelled';
  const record = await sink.setState(runId, state, {
    ...(fatal ? { error: fatal.toJSON() } : {}),
    ...(finished ? { finishedAt: now() } : {}),
  });
  counts = { ...record.counts, total };
  progress(state, null);
  return { state, counts, retries: retried, ...(fatal ? { error: fatal } : {}) };
}
