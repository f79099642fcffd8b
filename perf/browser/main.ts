/**
 * The bench page: window.__bench runs (1) the benchmark runner over
 * synthetic items with an instant in-process engine, storing into real
 * IndexedDB, under a long-task observer; (2) the engine-overhead pairs
 * (check() through the app's engine worker vs transformers.js directly in
 * its own worker).
 */
import { runLoop } from '../../src/domain/bench/run-loop';
import { RUN_RECORD_VERSION, type RunConfig, type RunRecord } from '../../src/core/run-record';
import { createEngineClient, type EngineClient } from '../../src/client/engine-client';
import { createEngineWorker } from '../../src/client/engine-worker-factory';
import { buildVerifierPrompt } from '../../src/core/prompts';
import { check } from '../../src/core/check';
import type { DatasetItem } from '../../src/core/dataset/types';
import type { ModelEngine, ModelSpec } from '../../src/protocol/engine';
import { closeAppDb, DB_NAME, openAppDb } from '../../src/storage/db';
import { createRunsRepo } from '../../src/storage/runs-repo';
import { disposeBenchClient } from '../../src/features/bench/bench-client';
import { parseDatasetFile, saveImportedDataset } from '../../src/features/bench/bench-service';
import { makeText, seededRandom } from '../synthetic';
import { TYPICAL_TEXT } from '../typical-text';
import { libraryProbe, prepareLibrary } from './library-probe';
import type { BenchPageApi, DirectReply, DirectRequest, ImportBenchResult, OverheadBenchResult, OverheadStep, RunnerBenchResult } from './protocol';

/** Answers at once: items whose text length is odd get one error quoting a fragment, the rest none. */
export function createInstantEngine(): ModelEngine {
  return {
    load: async (spec) => ({ id: spec.id, engine: spec.engine, device: spec.device, dtype: spec.dtype, loadMs: 0, warmupMs: 0, library: 'instant', contextTokens: 32768 }),
    async generate(params) {
      const user = params.messages[params.messages.length - 1]?.content ?? '';
      const text = /<<<\n([\s\S]*)\n>>>/.exec(user)?.[1] ?? '';
      const answer =
        text.length % 2 === 1
          ? { has_error: true, errors: [{ quote: text.slice(10, 15), type: 'conceptual', med: false, fix: '改正', why: '与公认知识不符。' }] }
          : { has_error: false, errors: [] };
      const out = JSON.stringify(answer);
      return { text: out, finishReason: 'stop', promptTokens: user.length, completionTokens: out.length, prefillMs: 0, decodeMs: 0 };
    },
    score: async () => ({ score: 1, raw: {}, ms: 0 }),
    unload: async () => undefined,
  };
}

function syntheticItems(count: number): DatasetItem[] {
  const rng = seededRandom(2116);
  return Array.from({ length: count }, (_, i) => {
    const text = makeText(rng, 120 + Math.floor(rng() * 200));
    const hasError = i % 2 === 0;
    return {
      id: `bench-${i}`,
      text,
      hasError,
      gold: hasError ? [{ start: 10, end: 15, text: text.slice(10, 15), placed: true, approximate: false }] : [],
      unit: 'span',
    };
  });
}

const SPEC: ModelSpec = { id: 'bench/instant', engine: 'transformers', task: 'text-generation', device: 'wasm', dtype: 'q8', source: { hubHost: 'http://127.0.0.1/' } };

const itemsByCount = new Map<number, DatasetItem[]>();

async function runner(count: number): Promise<RunnerBenchResult> {
  // Built once per count, so a traced run's first task is the run, not the set-up.
  const items = itemsByCount.get(count) ?? syntheticItems(count);
  itemsByCount.set(count, items);
  const dbName = `medfact-bench-${Date.now()}`;
  const db = openAppDb(dbName);
  const repo = createRunsRepo(() => db);
  const config: RunConfig = {
    verifier: { spec: SPEC },
    reward: null,
    variant: 'zero-shot',
    thinking: false,
    samples: 1,
    maxTokens: 512,
    threshold: { kind: 'preset', preset: 'balanced' },
    temperature: 0,
  };
  const now = Date.now();
  const run: RunRecord = {
    v: RUN_RECORD_VERSION,
    id: 'bench-run',
    name: 'bench',
    createdAt: now,
    updatedAt: now,
    heartbeatAt: now,
    state: 'running',
    origin: 'local',
    datasetId: 'bench',
    datasetHash: 'bench',
    selection: {},
    itemIds: items.map((i) => i.id),
    config,
    provenance: null,
    counts: { total: count, stored: 0, done: 0, failed: 0 },
  };
  await repo.create(run);
  const watch = watchLongTasks();
  // Time spent in storage, to tell the runner's own work from IndexedDB's.
  let sinkMs = 0;
  const timed = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    const s0 = performance.now();
    try {
      return await f(...a);
    } finally {
      sinkMs += performance.now() - s0;
    }
  };
  const sink = { ...repo, putItem: timed(repo.putItem), putItems: timed(repo.putItems), storedItemIds: timed(repo.storedItemIds), setState: timed(repo.setState), heartbeat: timed(repo.heartbeat) };
  const t0 = performance.now();
  const outcome = await runLoop({ runId: run.id, items, config, engines: { verifier: createInstantEngine(), reward: null }, sink });
  const ms = performance.now() - t0;
  // Long tasks are reported after they end: give the observer a frame.
  await new Promise((r) => setTimeout(r, 100));
  const seen = watch.stop();
  (await db).close();
  indexedDB.deleteDatabase(dbName);
  return {
    items: count,
    stored: outcome.counts.stored,
    ms,
    itemsPerSecond: (count / ms) * 1000,
    longestTaskMs: seen.longestMs,
    longTasks: seen.count,
    longestFrameMs: seen.longestFrameMs,
    sinkMs,
    attribution: seen.attribution,
  };
}

/**
 * Long tasks (Long Tasks API) with attribution from Long Animation Frames
 * where Chromium has them: the script entry point (source URL + function,
 * invoker) that ran inside a frame over 50 ms. Exported for the other
 * long-task probes (check, import, library indexing).
 */
export function watchLongTasks(): {
  durations: number[];
  reset(): void;
  stop(): { longestMs: number; count: number; attribution: string[]; longestFrameMs: number };
} {
  const durations: number[] = [];
  const attribution = new Set<string>();
  // Frames the page could not paint for 50 ms or more, whatever the tasks in them: a loop of short tasks whose
  // turns go ahead of rendering (scheduler.yield) makes no long task but long frames (issue 15).
  let longestFrameMs = 0;
  const tasks = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) durations.push(e.duration);
  });
  tasks.observe({ type: 'longtask', buffered: false });
  let frames: PerformanceObserver | null = null;
  if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
    frames = new PerformanceObserver((list) => {
      for (const e of list.getEntries() as (PerformanceEntry & { blockingDuration?: number; scripts?: { invoker?: string; sourceURL?: string; sourceFunctionName?: string; duration: number }[] })[]) {
        longestFrameMs = Math.max(longestFrameMs, e.duration);
        if ((e.blockingDuration ?? 0) <= 0) continue;
        for (const s of e.scripts ?? []) {
          if (s.duration < 20) continue;
          const where = `${(s.sourceURL ?? '').replace(location.origin, '')}${s.sourceFunctionName ? `:${s.sourceFunctionName}` : ''}`;
          attribution.add(`${Math.round(s.duration)} ms ${s.invoker ?? '?'} ${where}`.trim());
        }
      }
    });
    frames.observe({ type: 'long-animation-frame', buffered: false });
  }
  return {
    durations,
    reset: () => {
      durations.length = 0;
      attribution.clear();
      longestFrameMs = 0;
    },
    stop: () => {
      tasks.disconnect();
      frames?.disconnect();
      return { longestMs: durations.length ? Math.max(...durations) : 0, count: durations.length, attribution: [...attribution].slice(0, 8), longestFrameMs };
    },
  };
}

function directCall(worker: Worker, req: DirectRequest): Promise<DirectReply & { ok: true }> {
  return new Promise((resolve, reject) => {
    worker.addEventListener(
      'message',
      (e: MessageEvent<DirectReply>) => (e.data.ok ? resolve(e.data) : reject(new Error(e.data.error))),
      { once: true },
    );
    worker.postMessage(req);
  });
}

/** An open engine-overhead session: both engines loaded and warm, the long-task watch running. */
let overheadSession: { app(): Promise<OverheadStep>; raw(): Promise<OverheadStep>; close(): OverheadBenchResult } | null = null;

/**
 * Loads the fixture into the app's engine worker and into the direct worker,
 * warms both paths, and starts the long-task watch (the checks that follow
 * are also the "during a check" probe). Steps are then driven one by one
 * (overheadStep) so the caller can read the browser's CPU time around each.
 */
async function overheadOpen(options: { hubHost: string; id: string; maxTokens: number }): Promise<void> {
  overheadSession?.close();
  const client: EngineClient = createEngineClient({ createWorker: createEngineWorker });
  const direct = new Worker(new URL('./direct-worker.ts', import.meta.url), { type: 'module' });
  const dispose = (): void => {
    client.dispose();
    direct.terminate();
  };
  try {
    await client.load({ id: options.id, engine: 'transformers', task: 'text-generation', device: 'wasm', dtype: 'fp32', source: { hubHost: options.hubHost } });
    await directCall(direct, { kind: 'load', hubHost: options.hubHost, id: options.id });
  } catch (error) {
    dispose();
    throw error;
  }
  const messages = buildVerifierPrompt(TYPICAL_TEXT, 'zero-shot').messages;
  const app = async (): Promise<OverheadStep> => {
    const t0 = performance.now();
    const r = await check(TYPICAL_TEXT, { verifier: client, verifierId: options.id, options: { variant: 'zero-shot', maxTokens: options.maxTokens } });
    return { ms: performance.now() - t0, tokens: Math.max(1, r.tokens.completion) };
  };
  const raw = async (): Promise<OverheadStep> => {
    const r = await directCall(direct, { kind: 'generate', messages, maxTokens: options.maxTokens });
    return { ms: r.ms, tokens: Math.max(1, r.tokens) };
  };
  await app();
  await raw();
  const watch = watchLongTasks();
  overheadSession = {
    app,
    raw,
    close: () => {
      overheadSession = null;
      const seen = watch.stop();
      dispose();
      return { longestTaskMs: seen.longestMs, longTasks: seen.count, attribution: seen.attribution, longestFrameMs: seen.longestFrameMs };
    },
  };
}

/** One check() through the app (`app`) or one generate() in the direct worker (`direct`, timed inside it): wall ms and tokens. */
function overheadStep(side: 'app' | 'direct'): Promise<OverheadStep> {
  if (!overheadSession) throw new Error('overheadOpen() first');
  return side === 'app' ? overheadSession.app() : overheadSession.raw();
}

async function overheadClose(): Promise<OverheadBenchResult> {
  await new Promise((r) => setTimeout(r, 100));
  if (!overheadSession) throw new Error('no overhead session is open');
  return overheadSession.close();
}

/**
 * Self-test, run once before any traced window: a deliberate 80 ms task
 * must be reported, else a 0 from the observer means nothing. (It used to
 * run inside every runner() call, where the trace then counted it as the
 * run's longest task.)
 */
async function longTaskSelfTest(): Promise<boolean> {
  const watch = watchLongTasks();
  await new Promise<void>((resolve) =>
    setTimeout(() => {
      const end = performance.now() + 80;
      while (performance.now() < end) {
        // busy on purpose
      }
      resolve();
    }, 0),
  );
  await new Promise((r) => setTimeout(r, 100));
  return watch.stop().count > 0;
}

let importFile: File | null = null;

/** Builds the JSONL file outside the measured window (set-up, not the app's work). */
function prepareImport(count: number): number {
  const rng = seededRandom(100_000);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const text = makeText(rng, 60 + Math.floor(rng() * 140));
    const hasError = i % 2 === 0;
    lines.push(JSON.stringify({ id: `imp-${i}`, text, has_error: hasError, error_text: hasError ? text.slice(3, 8) : null, start: hasError ? 3 : null, end: hasError ? 8 : null }));
  }
  importFile = new File([`${lines.join('\n')}\n`], 'bench-import.jsonl', { type: 'application/jsonl' });
  return importFile.size;
}

/**
 * A dataset import as the app does it (features/bench/bench-service): the
 * bench worker parses the file and keeps the items (staged import); the
 * page gets the result without them and asks the worker to save them to
 * real IndexedDB, under the long-task watcher.
 */
async function importProbe(): Promise<ImportBenchResult> {
  if (!importFile) throw new Error('prepareImport first');
  const watch = watchLongTasks();
  const t0 = performance.now();
  const result = await parseDatasetFile(importFile, {}, () => undefined);
  const t1 = performance.now();
  const record = await saveImportedDataset(result, 'bench-import', importFile.name, {});
  const t2 = performance.now();
  await new Promise((r) => setTimeout(r, 100));
  const seen = watch.stop();
  disposeBenchClient();
  await closeAppDb();
  await new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(DB_NAME);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
  return { items: record.itemCount, parseMs: t1 - t0, saveMs: t2 - t1, longestTaskMs: seen.longestMs, longTasks: seen.count, attribution: seen.attribution, longestFrameMs: seen.longestFrameMs };
}

const api: BenchPageApi = { runner, overheadOpen, overheadStep, overheadClose, prepareImport, importProbe, prepareLibrary, libraryProbe: () => libraryProbe(watchLongTasks), longTaskSelfTest };
(window as unknown as { __bench: BenchPageApi }).__bench = api;
document.querySelector('main')?.setAttribute('data-ready', 'true');
