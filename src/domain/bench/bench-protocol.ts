/**
 * The bench worker's API, declared once: `benchProtocol` maps each method to
 * its validators, and the method map `BenchMethods` (which types the generic
 * worker server and client) is derived from it (src/protocol/declare-protocol.ts).
 *
 * `start` and `resume` are long requests: they last as long as the run and
 * stream throttled RunProgress; they end with the run's state when it
 * completes, pauses, is cancelled or stops on an error. `pause` and `cancel`
 * ask the running loop to stop. `importDataset` parses a dataset file off the
 * page's thread.
 */
import { z } from '../../protocol/zod';
import type { DatasetItem, ImportProgress, ImportResult } from '../../core/dataset/types';
import type { SerializedError } from '../../protocol/errors';
import { defineProtocol, type MethodsOf } from '../../protocol/declare-protocol';
import { noParams, unchecked } from '../../protocol/messages';
import type { DatasetRecord } from '../../storage/datasets-repo';
import type { RunCounts, RunProgress, RunState } from '../../core/run-record';

export interface StartRunParams {
  runId: string;
  /** Provenance known only on the page (the service's app version is also compiled into the worker). */
  gpuAdapter: string;
  appVersion: string;
}

export interface RunEnded {
  runId: string;
  state: RunState;
  counts: RunCounts;
  retries: number;
  error?: SerializedError;
}

export interface ImportParams {
  file: Blob;
  fileName: string;
  preset?: 'auto' | 'medec' | 'none';
  mapping?: Partial<Record<string, string | null>>;
  unit?: 'span' | 'sentence';
  labelMeansCorrect?: boolean;
  /**
   * Keep the items in the worker (no chunk messages) until `saveImport`
   * writes them to IndexedDB from there: the page never holds 100k items,
   * so neither their arrival nor their save can stall it (issue 15).
   */
  stage?: boolean;
}

/** The items of a staged import, held by the worker under `token`; the result carries no items then. */
export interface StagedItems {
  token: string;
  itemCount: number;
}

export type StagedImportResult = ImportResult & { staged?: StagedItems };

export interface SaveImportParams {
  token: string;
  id: string;
  name: string;
  fileName: string;
}

const runState = z.enum(['running', 'paused', 'cancelled', 'completed']);
const counts: z.ZodType<RunCounts> = z.object({ total: z.number(), stored: z.number(), done: z.number(), failed: z.number() });
const serializedError = z.object({
  name: z.string(),
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

const startParams: z.ZodType<StartRunParams> = z.object({ runId: z.string().min(1), gpuAdapter: z.string(), appVersion: z.string() });

const runEnded = z.object({
  runId: z.string(),
  state: runState,
  counts,
  retries: z.number(),
  error: serializedError.optional(),
});

const runProgress: z.ZodType<RunProgress> = z.object({
  runId: z.string(),
  state: z.enum(['running', 'paused', 'cancelled', 'completed', 'loading']),
  counts,
  fraction: z.number().min(0).max(1),
  currentItemId: z.string().nullable(),
  loading: z.object({ model: z.string(), fraction: z.number() }).optional(),
  itemsPerMinute: z.number(),
  etaMs: z.number().nullable(),
  retries: z.number(),
});

const runIdParams = z.object({ runId: z.string().min(1) });
const stopping = z.object({ stopping: z.boolean() });

const importParams: z.ZodType<ImportParams> = z.object({
  file: z.custom<Blob>((v) => typeof Blob !== 'undefined' && v instanceof Blob, 'a File or Blob'),
  fileName: z.string(),
  preset: z.enum(['auto', 'medec', 'none']).optional(),
  mapping: z.record(z.string(), z.string().nullable()).optional(),
  unit: z.enum(['span', 'sentence']).optional(),
  labelMeansCorrect: z.boolean().optional(),
  stage: z.boolean().optional(),
});

const saveImportParams: z.ZodType<SaveImportParams> = z.object({ token: z.string().min(1), id: z.string().min(1), name: z.string(), fileName: z.string() });

// The error code is checked against the closed list when the page rebuilds it; here a string is enough.
const endedParser = { parse: (v: unknown): RunEnded => runEnded.parse(v) as RunEnded };

export const benchProtocol = defineProtocol({
  start: { params: startParams, result: endedParser, progress: runProgress },
  resume: { params: startParams, result: endedParser, progress: runProgress },
  pause: { params: runIdParams, result: stopping },
  cancel: { params: runIdParams, result: stopping },
  status: { params: noParams, result: z.object({ activeRunId: z.string().nullable() }) },
  /**
   * Items come as chunk messages (see import-chunks.ts); the result's items are empty then.
   * Import results can hold thousands of items; the worker built them with the typed importer.
   */
  importDataset: { params: importParams, result: unchecked<StagedImportResult>(), progress: unchecked<ImportProgress>(), chunk: unchecked<DatasetItem[]>() },
  /** Writes a staged import's items and its record (DatasetRecord) to IndexedDB from the worker; the worker built the record from the typed import result. */
  saveImport: { params: saveImportParams, result: unchecked<DatasetRecord>() },
});

export type BenchMethods = MethodsOf<typeof benchProtocol>;

/** Name of the Web Lock the worker holds while a run executes; the page asks for it to tell a live run from an orphan. */
export function runLockName(runId: string): string {
  return `medfact-bench-run:${runId}`;
}
