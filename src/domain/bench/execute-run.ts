/**
 * Starts or resumes a stored run: reads the run and its dataset, loads the
 * engines its configuration names (through the caller's loader: real
 * engines in the bench worker, scripted ones in tests), records provenance,
 * then hands over to the run loop. Both a fresh start and a resume go
 * through here; the loop skips the items already stored.
 */
import type { DatasetItem } from '../../core/dataset/types';
import type { LoadProgress, LoadResult, ModelEngine, ModelSpec } from '../../protocol/engine';
import { MedfactError, toMedfactError } from '../../protocol/errors';
import { buildProvenance } from './provenance';
import { RunControl, runLoop, type RunLoopOutcome, type RunSink } from './run-loop';
import { itemsForRun } from './select-items';
import type { RunProgress, RunRecord } from '../../core/run-record';

export interface RunStore extends RunSink {
  get(id: string): Promise<RunRecord | null>;
  update(id: string, patch: (run: RunRecord) => Partial<RunRecord>): Promise<RunRecord>;
}

export interface DatasetSource {
  name(datasetId: string): Promise<string | null>;
  items(datasetId: string): Promise<DatasetItem[]>;
}

export type EngineLoader = (spec: ModelSpec, role: 'verifier' | 'reward', onProgress: (p: LoadProgress) => void, signal: AbortSignal) => Promise<{ engine: ModelEngine; loaded: LoadResult }>;

export interface RunEnvironment {
  appVersion: string;
  userAgent: string;
  gpuAdapter: string;
}

export interface ExecuteRunOptions {
  runId: string;
  runs: RunStore;
  datasets: DatasetSource;
  loadEngine: EngineLoader;
  env: RunEnvironment;
  control?: RunControl;
  onProgress?: (progress: RunProgress) => void;
  heartbeatMs?: number;
  retries?: number;
  now?: () => number;
}

export async function executeRun(options: ExecuteRunOptions): Promise<RunLoopOutcome> {
  const { runId, runs, datasets } = options;
  const control = options.control ?? new RunControl();
  const run = await runs.get(runId);
  if (!run) throw new MedfactError('NOT_FOUND', `Benchmark run ${runId} is not stored here; start a new run.`);
  if (run.origin !== 'local' || !run.config) throw new MedfactError('BAD_REQUEST', 'An imported run cannot be executed; it has no model configuration.');
  if (run.state === 'completed' || run.state === 'cancelled') {
    throw new MedfactError('BAD_REQUEST', `This run is already ${run.state}; start a new run to measure again.`);
  }
  const config = run.config;
  const all = await datasets.items(run.datasetId);
  if (all.length === 0) throw new MedfactError('NOT_FOUND', 'The dataset of this run is no longer stored; import it again to resume.');
  const { items, missing } = itemsForRun(all, run.itemIds);
  if (missing.length > 0) {
    throw new MedfactError('BAD_INPUT', `${missing.length} items of this run are no longer in its dataset (it was replaced); start a new run.`, { missing: missing.slice(0, 20) });
  }
  const counts = { total: items.length, stored: run.counts.stored, done: run.counts.done, failed: run.counts.failed };
  const progress = (state: RunProgress['state'], loading?: RunProgress['loading']): void =>
    options.onProgress?.({ runId, state, counts, fraction: items.length ? counts.stored / items.length : 1, currentItemId: null, itemsPerMinute: 0, etaMs: null, retries: 0, ...(loading ? { loading } : {}) });

  // Loading is part of running: mark it so other tabs do not offer to resume it meanwhile.
  await runs.setState(runId, 'running');
  let verifier: { engine: ModelEngine; loaded: LoadResult } | null = null;
  let reward: { engine: ModelEngine; loaded: LoadResult } | null = null;
  // A rules-only run (formulary mode 'rules') loads no model at all.
  const rulesOnly = config.formulary?.mode === 'rules';
  try {
    const load = (spec: ModelSpec, role: 'verifier' | 'reward') =>
      options.loadEngine(spec, role, (p) => progress('loading', { model: spec.id, fraction: p.progress }), control.signal);
    if (!rulesOnly) {
      progress('loading', { model: config.verifier.spec.id, fraction: 0 });
      verifier = await load(config.verifier.spec, 'verifier');
      if (config.reward) reward = await load(config.reward.spec, 'reward');
    }
  } catch (error) {
    const typed = toMedfactError(error);
    const state = control.reason === 'cancel' ? 'cancelled' : 'paused';
    await runs.setState(runId, state, typed.code === 'ABORTED' ? {} : { error: typed.toJSON() });
    if (typed.code === 'ABORTED') return { state, counts, retries: 0 };
    return { state, counts, retries: 0, error: typed };
  }

  const datasetName = (await datasets.name(run.datasetId)) ?? run.datasetId;
  await runs.update(runId, (current) => ({
    provenance: buildProvenance({
      run: current,
      datasetName,
      config,
      verifier: verifier?.loaded ?? null,
      reward: reward?.loaded ?? null,
      ...options.env,
      ...(options.now ? { now: options.now } : {}),
    }),
  }));

  return runLoop({
    runId,
    items,
    config,
    engines: { verifier: verifier?.engine ?? null, reward: reward?.engine ?? null },
    sink: runs,
    control,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}
