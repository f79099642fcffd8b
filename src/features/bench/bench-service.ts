/**
 * Connects the Benchmark screens to storage and the bench worker: lists,
 * the built-in demo set, dataset import (parsed in the worker), starting,
 * pausing, resuming and cancelling runs, importing a predictions file as a
 * run, and finding runs interrupted by a reload, a crash or a lost GPU.
 * Drives the bench store through getState().
 */
import { runLockName, type StagedImportResult } from '../../domain/bench/bench-protocol';
import { newRunRecord, newRunId } from '../../domain/bench/create-run';
import { describeAdapter } from '../../domain/bench/provenance';
import { checkPredictionsFile, type PredictionsImportSummary } from '../../domain/bench/predictions-import';
import { runItemsFromPredictions } from '../../domain/bench/run-results';
import { itemsForRun, selectItems } from '../../domain/bench/select-items';
import type { ItemSelection, RunConfig, RunItemRecord, RunRecord } from '../../core/run-record';
import { probeCapabilities } from '../../client/probe-capabilities';
import { DEMO_SET } from '../../core/dataset/demo-set';
import type { DatasetItem, ImportProgress } from '../../core/dataset/types';
import { hashItems, computeStats } from '../../core/dataset/stats';
import { deserializeError, isAbortError, MedfactError, toMedfactError } from '../../protocol/errors';
import { createImportCollector } from '../../domain/bench/import-chunks';
import { datasetsRepo, importedDatasetRecord, type DatasetRecord, type LayoutRecord } from '../../storage/datasets-repo';
import { isResumable, runsRepo } from '../../storage/runs-repo';
import { benchClient } from './bench-client';
import { useBenchStore } from './bench-store';

export const DEMO_DATASET_ID = 'builtin-demo';
const appVersion = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev';

function fail(error: unknown): void {
  if (isAbortError(error)) return;
  useBenchStore.getState().setError(toMedfactError(error));
}

/** Stores the built-in demo set once, so it is there out of the box. */
export async function ensureDemoDataset(): Promise<void> {
  const existing = await datasetsRepo.get(DEMO_DATASET_ID);
  if (existing && existing.itemCount === DEMO_SET.length) return;
  const items: DatasetItem[] = [...DEMO_SET];
  const record: DatasetRecord = {
    v: 1,
    id: DEMO_DATASET_ID,
    name: 'MedFact Lens demo (40)',
    createdAt: 0,
    origin: 'demo',
    contentHash: await hashItems(items),
    unit: 'span',
    itemCount: items.length,
    stats: computeStats(items, [], []),
    mapping: {},
    notes: [],
    rejected: [],
    rejectedCount: 0,
    warningCount: 0,
  };
  await datasetsRepo.save(record, items);
}

async function heldLocks(): Promise<Set<string> | null> {
  const locks = typeof navigator !== 'undefined' ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  if (!locks) return null;
  try {
    const state = await locks.query();
    return new Set((state.held ?? []).map((l) => l.name ?? ''));
  } catch {
    return null;
  }
}

/**
 * Runs to offer for resuming: paused ones, and `running` ones nobody is
 * executing: no worker holds the run's lock (where Web Locks exist), or the
 * heartbeat is stale.
 */
export async function findResumable(runs: readonly RunRecord[], activeRunId: string | null): Promise<string[]> {
  const held = await heldLocks();
  const now = Date.now();
  return runs
    .filter((run) => {
      if (run.id === activeRunId || run.origin !== 'local' || run.counts.stored >= run.itemIds.length) return false;
      if (isResumable(run, now)) return true;
      return run.state === 'running' && held !== null && !held.has(runLockName(run.id));
    })
    .map((run) => run.id);
}

export async function refreshBench(): Promise<void> {
  const store = useBenchStore.getState();
  try {
    await ensureDemoDataset().catch((error: unknown) => fail(error));
    const [datasets, runs] = await Promise.all([datasetsRepo.list(), runsRepo.list()]);
    const resumable = await findResumable(runs, useBenchStore.getState().activeRunId);
    store.setLists({ datasets, runs, resumable });
  } catch (error) {
    fail(error);
  }
}

// ---------- dataset import ----------

export interface ImportChoices {
  preset?: 'auto' | 'medec' | 'none';
  mapping?: Partial<Record<string, string | null>>;
  unit?: 'span' | 'sentence';
  labelMeansCorrect?: boolean;
}

/**
 * Parses a file in the worker with the given choices (the mapping screen
 * calls it again after each edit). The items stay in the worker (staged) and
 * are saved from there: 100k items arriving on the page and being written
 * from it were main-thread tasks of 40–100 ms (issue 15).
 */
export async function parseDatasetFile(file: File, choices: ImportChoices, onProgress: (p: ImportProgress) => void, signal?: AbortSignal): Promise<StagedImportResult> {
  const collect = createImportCollector();
  const result = await benchClient().request(
    'importDataset',
    { file, fileName: file.name, ...choices, stage: true },
    { onProgress, onChunk: collect.onChunk, ...(signal ? { signal } : {}) },
  );
  return result.staged ? result : collect.finish(result);
}

/** Items an import kept, whether they are held by the worker (staged) or on the page. */
export function importedItemCount(result: StagedImportResult): number {
  return result.staged ? result.staged.itemCount : result.items.length;
}

export function layoutFor(signature: string): Promise<LayoutRecord | null> {
  return datasetsRepo.getLayout(signature);
}

export async function saveImportedDataset(result: StagedImportResult, name: string, fileName: string, choices: ImportChoices): Promise<DatasetRecord> {
  if (importedItemCount(result) === 0) throw new MedfactError('BAD_INPUT', 'No rows could be imported; fix the mapping or the file first.');
  const id = `ds-${result.contentHash.slice(0, 16)}`;
  const label = name.trim() || fileName;
  let record: DatasetRecord;
  if (result.staged) {
    record = await benchClient().request('saveImport', { token: result.staged.token, id, name: label, fileName });
  } else {
    record = importedDatasetRecord(result, id, label, fileName);
    await datasetsRepo.save(record, result.items);
  }
  // Remember the confirmed mapping for files with the same columns.
  const layout: LayoutRecord = { signature: result.layoutSignature, mapping: { ...result.mapping }, updatedAt: Date.now() };
  if (choices.preset) layout.preset = choices.preset;
  if (choices.unit) layout.unit = choices.unit;
  if (choices.labelMeansCorrect !== undefined) layout.labelMeansCorrect = choices.labelMeansCorrect;
  await datasetsRepo.saveLayout(layout);
  await refreshBench();
  return record;
}

export async function deleteDataset(id: string): Promise<void> {
  await datasetsRepo.delete(id).catch(fail);
  await refreshBench();
}

// ---------- runs ----------

export interface NewRunRequest {
  name: string;
  datasetId: string;
  selection: ItemSelection;
  config: RunConfig;
}

let gpuAdapter: Promise<string> | null = null;
function adapterDescription(): Promise<string> {
  gpuAdapter ??= probeCapabilities().then(describeAdapter, () => 'unknown');
  return gpuAdapter;
}

async function drive(method: 'start' | 'resume', runId: string): Promise<void> {
  const store = useBenchStore.getState();
  if (store.activeRunId) throw new MedfactError('BAD_REQUEST', 'A run is already in progress on this page; pause it first.');
  store.setActive(runId);
  store.setProgress(null);
  store.setError(null);
  try {
    const ended = await benchClient().request(
      method,
      { runId, appVersion, gpuAdapter: await adapterDescription() },
      { onProgress: (p) => useBenchStore.getState().setProgress(p) },
    );
    if (ended.error) useBenchStore.getState().setError(deserializeError(ended.error));
  } catch (error) {
    // The worker crashed or hung: the run stays resumable; say why on the run.
    if (!isAbortError(error)) {
      const typed = toMedfactError(error);
      await runsRepo.setState(runId, 'paused', { error: typed.toJSON() }).catch(() => undefined);
    }
    fail(error);
  } finally {
    useBenchStore.getState().setActive(null);
    await refreshBench();
  }
}

/** Creates the run record (items chosen now, so the order is fixed and recorded) and starts it. */
export async function startRun(request: NewRunRequest): Promise<string> {
  const dataset = await datasetsRepo.get(request.datasetId);
  if (!dataset) throw new MedfactError('NOT_FOUND', 'The dataset is no longer stored; import it again.');
  const items = await datasetsRepo.items(dataset.id);
  const itemIds = selectItems(items, request.selection);
  if (itemIds.length === 0) throw new MedfactError('BAD_INPUT', 'No item matches these filters; widen the selection.');
  const run = newRunRecord({ name: request.name, datasetId: dataset.id, datasetHash: dataset.contentHash, selection: request.selection, itemIds, config: request.config });
  await runsRepo.create(run);
  await refreshBench();
  void drive('start', run.id);
  return run.id;
}

export function resumeRun(runId: string): Promise<void> {
  return drive('resume', runId);
}

export async function pauseRun(runId: string): Promise<void> {
  await benchClient().request('pause', { runId }).catch(fail);
}

/** Cancels the running run, or marks a paused/interrupted one cancelled. */
export async function cancelRun(runId: string): Promise<void> {
  if (useBenchStore.getState().activeRunId === runId) {
    await benchClient().request('cancel', { runId }).catch(fail);
    return;
  }
  await runsRepo.setState(runId, 'cancelled', { finishedAt: Date.now() }).catch(fail);
  await refreshBench();
}

export async function deleteRun(runId: string): Promise<void> {
  await runsRepo.delete(runId).catch(fail);
  const store = useBenchStore.getState();
  if (store.openRunId === runId) store.openRun(null);
  if (store.compareIds.includes(runId)) store.toggleCompare(runId);
  await refreshBench();
}

export interface RunData {
  run: RunRecord;
  dataset: DatasetRecord | null;
  /** The run's dataset items in run order (items missing from the dataset left out). */
  items: DatasetItem[];
  results: RunItemRecord[];
}

export async function loadRunData(runId: string): Promise<RunData> {
  const run = await runsRepo.get(runId);
  if (!run) throw new MedfactError('NOT_FOUND', 'This run is no longer stored.');
  const [dataset, all, results] = await Promise.all([datasetsRepo.get(run.datasetId), datasetsRepo.items(run.datasetId), runsRepo.listItems(runId)]);
  return { run, dataset, items: itemsForRun(all, run.itemIds).items, results };
}

/**
 * A predictions JSONL from another machine becomes a run over the dataset's
 * items it names, after the same checks as `medfact score` (see
 * bench-runner/predictions-import.ts); the summary says what was read.
 */
export async function importPredictionsRun(file: File, datasetId: string, name: string): Promise<{ runId: string; issues: number; unknown: number; summary: PredictionsImportSummary }> {
  const dataset = await datasetsRepo.get(datasetId);
  if (!dataset) throw new MedfactError('NOT_FOUND', 'Choose a stored dataset for the predictions.');
  const items = await datasetsRepo.items(datasetId);
  const { prepared, summary } = await checkPredictionsFile(file, items);
  const predicted = new Set(prepared.predictions.map((p) => p.id));
  const named = items.filter((i) => predicted.has(i.id));
  const runId = newRunId();
  const run = newRunRecord({ id: runId, name: name.trim() || file.name, datasetId, datasetHash: dataset.contentHash, selection: {}, itemIds: named.map((i) => i.id), config: null, origin: 'imported' });
  run.state = 'completed';
  run.finishedAt = Date.now();
  await runsRepo.create(run);
  await runsRepo.putItems(runId, runItemsFromPredictions(runId, named, prepared.predictions));
  await refreshBench();
  return { runId, issues: summary.issues, unknown: summary.unknown, summary };
}
