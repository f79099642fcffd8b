/**
 * The bench worker's server: it hosts the engines in the same worker as the
 * run loop (so an item never crosses two threads) and writes every result to
 * IndexedDB from here. One run at a time; engines stay loaded between runs
 * with the same model and are dropped after a fatal error (a lost GPU
 * device), so a resume loads them afresh.
 */
import { importDataset, type ImportOptions } from '../../src/core/dataset/import-dataset';
import type { ImportResult } from '../../src/core/dataset/types';
import { sendImportInChunks } from '../../src/domain/bench/import-chunks';
import { DATASET_FIELDS, type DatasetField } from '../../src/core/dataset/types';
import { benchProtocol, runLockName, type BenchMethods, type ImportParams, type RunEnded, type StartRunParams } from '../../src/domain/bench/bench-protocol';
import { executeRun, type EngineLoader } from '../../src/domain/bench/execute-run';
import { FATAL_CODES, RunControl } from '../../src/domain/bench/run-loop';
import { throttleLatest } from '../../src/domain/bench/throttle';
import type { EngineKind, LoadResult, ModelEngine } from '../../src/protocol/engine';
import { MedfactError } from '../../src/protocol/errors';
import type { PortLike } from '../../src/protocol/messages';
import { createWorkerServer, type HandlerContext, type WorkerServer } from '../../src/protocol/worker-server';
import { datasetsRepo as defaultDatasets, importedDatasetRecord, type DatasetsRepo } from '../../src/storage/datasets-repo';
import { runsRepo as defaultRuns, type RunsRepo } from '../../src/storage/runs-repo';

export interface BenchServerDeps {
  createEngine(kind: EngineKind): Promise<ModelEngine> | ModelEngine;
  runs?: RunsRepo;
  datasets?: DatasetsRepo;
  userAgent?: string;
  /** At most one progress message per this many ms (default 100: ten a second). */
  progressIntervalMs?: number;
  heartbeatMs?: number;
}

interface Slot {
  key: string;
  engine: ModelEngine;
  loaded: LoadResult;
}

/** Holds the run's Web Lock (released by the browser when the page or worker dies), where the API exists. */
function withRunLock<T>(runId: string, work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  if (!locks) return work();
  return locks.request(runLockName(runId), work);
}

export function serveBench(port: PortLike, deps: BenchServerDeps): WorkerServer {
  const runs = deps.runs ?? defaultRuns;
  const datasets = deps.datasets ?? defaultDatasets;
  const slots: Record<'verifier' | 'reward', Slot | null> = { verifier: null, reward: null };
  let active: { runId: string; control: RunControl } | null = null;
  // The latest staged import (a re-parse after a mapping edit replaces it); saved from here by saveImport.
  let staged: { token: string; result: ImportResult } | null = null;
  let stagedSeq = 0;

  async function drop(role: 'verifier' | 'reward'): Promise<void> {
    const slot = slots[role];
    slots[role] = null;
    const other = slots[role === 'verifier' ? 'reward' : 'verifier'];
    if (slot && other?.engine !== slot.engine) await slot.engine.unload().catch(() => undefined);
  }

  const loadEngine: EngineLoader = async (spec, role, onProgress, signal) => {
    const key = JSON.stringify(spec);
    const mine = slots[role];
    if (mine?.key === key) return mine;
    // A judge that is the verifier model itself shares its engine.
    const other = slots[role === 'verifier' ? 'reward' : 'verifier'];
    await drop(role);
    if (other?.key === key) {
      slots[role] = other;
      return other;
    }
    const engine = await deps.createEngine(spec.engine);
    const loaded = await engine.load(spec, { signal, onProgress });
    const slot = { key, engine, loaded };
    slots[role] = slot;
    return slot;
  };

  async function run(params: StartRunParams, ctx: HandlerContext<BenchMethods, 'start' | 'resume'>): Promise<RunEnded> {
    if (active) throw new MedfactError('BAD_REQUEST', 'Another benchmark run is in progress; pause it first.', { activeRunId: active.runId });
    const control = new RunControl();
    active = { runId: params.runId, control };
    // The page going away (request cancelled) pauses the run; it can be resumed later.
    const onAbort = (): void => control.pause();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const progress = throttleLatest(ctx.progress, deps.progressIntervalMs ?? 100);
    try {
      const outcome = await withRunLock(params.runId, () => executeRun({
        runId: params.runId,
        runs,
        datasets: { name: async (id) => (await datasets.get(id))?.name ?? null, items: (id) => datasets.items(id) },
        loadEngine,
        env: { appVersion: params.appVersion, gpuAdapter: params.gpuAdapter, userAgent: deps.userAgent ?? (typeof navigator !== 'undefined' ? navigator.userAgent : 'unknown') },
        control,
        onProgress: progress,
        ...(deps.heartbeatMs !== undefined ? { heartbeatMs: deps.heartbeatMs } : {}),
      }));
      progress.flush();
      if (outcome.error && FATAL_CODES.has(outcome.error.code)) {
        await drop('verifier');
        await drop('reward');
      }
      return { runId: params.runId, state: outcome.state, counts: outcome.counts, retries: outcome.retries, ...(outcome.error ? { error: outcome.error.toJSON() } : {}) };
    } finally {
      progress.cancel();
      ctx.signal.removeEventListener('abort', onAbort);
      active = null;
    }
  }

  function importOptions(params: ImportParams, ctx: HandlerContext<BenchMethods, 'importDataset'>): ImportOptions {
    const mapping: Partial<Record<DatasetField, string | null>> = {};
    for (const [field, column] of Object.entries(params.mapping ?? {})) {
      if ((DATASET_FIELDS as readonly string[]).includes(field) && column !== undefined) mapping[field as DatasetField] = column;
    }
    const progress = throttleLatest(ctx.progress, deps.progressIntervalMs ?? 100);
    return {
      fileName: params.fileName,
      mapping,
      signal: ctx.signal,
      onProgress: (p) => (p.status === 'done' ? (progress(p), progress.flush()) : progress(p)),
      ...(params.preset ? { preset: params.preset } : {}),
      ...(params.unit ? { unit: params.unit } : {}),
      ...(params.labelMeansCorrect !== undefined ? { labelMeansCorrect: params.labelMeansCorrect } : {}),
    };
  }

  return createWorkerServer<BenchMethods>(
    port,
    {
      start: run,
      resume: run,
      pause({ runId }) {
        if (active?.runId !== runId) return { stopping: false };
        active.control.pause();
        return { stopping: true };
      },
      cancel({ runId }) {
        if (active?.runId !== runId) return { stopping: false };
        active.control.cancel();
        return { stopping: true };
      },
      status() {
        return { activeRunId: active?.runId ?? null };
      },
      async importDataset(params, ctx) {
        if (params.stage) staged = null; // a new parse supersedes the held one, even if it fails
        const result = await importDataset(params.file, importOptions(params, ctx));
        if (!params.stage) return sendImportInChunks(result, (items) => ctx.chunk(items));
        staged = { token: `import-${++stagedSeq}`, result };
        return { ...result, items: [], staged: { token: staged.token, itemCount: result.items.length } };
      },
      async saveImport({ token, id, name, fileName }) {
        const held = staged;
        if (held?.token !== token) {
          throw new MedfactError('BAD_REQUEST', 'This import is no longer held (the file was read again, or the page was reloaded); choose the file again, then save.');
        }
        const record = importedDatasetRecord(held.result, id, name, fileName);
        await datasets.save(record, held.result.items);
        if (staged === held) staged = null;
        return record;
      },
    },
    benchProtocol,
  );
}
