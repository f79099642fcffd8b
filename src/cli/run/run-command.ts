/**
 * `medfact run`: a headless benchmark run of the existing core pipeline
 * (check() per item: prompt, parse, align, gating) against an
 * OpenAI-compatible server or a local ONNX folder, with a bounded pool of
 * items in flight. Output: <out>/predictions.jsonl (the format `medfact
 * score` and the app's import read) and <out>/run.json (provenance).
 *
 * Exactly once: an item counts only after its line is appended and flushed;
 * --resume recovers the log (torn last line dropped, failed items retried,
 * one line per item) and runs only what is missing. The run's settings are
 * fingerprinted in run.json and a resume with other settings is refused, so
 * one file never mixes two configurations. Exit 0 only when every item has a
 * result; 1 when any failed (listed in both files) or on a user error; 2 on
 * bad arguments; 130 when interrupted (Ctrl-C: resume later).
 */
import { setMaxListeners } from 'node:events';
import { openAsBlob } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { check, type CheckResult } from '../../core/check';
import { importDataset } from '../../core/dataset/import-dataset';
import { parseMappingOverrides } from '../../core/dataset/field-mapping';
import type { ImportResult } from '../../core/dataset/types';
import type { DatasetItem } from '../../core/dataset/types';
import { engineScorer, type FindingScorer } from '../../core/gating';
import { predictionToJson, type PredictedSpan, type Prediction } from '../../core/predictions';
import { buildVerifierPrompt } from '../../core/prompts';
import { ANSWER_FORMAT_VERSION } from '../../core/answer';
import { contextCharsFor } from '../../domain/bench/run-item';
import type { ModelEngine, ModelSpec } from '../../protocol/engine';
import { isAbortError, MedfactError, toMedfactError, type ErrorCode } from '../../protocol/errors';
import { createOpenAIEngine } from '../../../workers/openai-engine';
import { createFolderFetch, FOLDER_HOST } from './folder-fetch';
import { lockOutDir } from './out-lock';
import { openLog, recoverLog, writeJsonAtomic } from './prediction-log';
import { createProgress, type ProgressCounts } from './progress';
import { createCachedEngine, type CacheScope, type CacheStats } from './response-cache';
import { parseRunArgs, RUN_USAGE, RunUsageError, type RunArgs } from './run-args';

/** Errors that every further item would hit too: stop the run instead of failing each item. */
const FATAL: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['AUTH', 'NOT_FOUND', 'BAD_CONFIG', 'MODEL_NOT_LOADED', 'UNSUPPORTED']);
/** Attempts per item (each engine request already retries transient faults). */
const ITEM_ATTEMPTS = 2;
const RUN_FORMAT = 'medfact-run-v1';
/** Default timeouts: a hang costs seconds once the server's normal waits are known (see openai-engine). */
const ADAPTIVE_TIMEOUT = { floorMs: 2000, factor: 6, minSamples: 8 };

interface EngineSetup {
  verifier: ModelEngine;
  judge: ModelEngine | null;
  verifierId: string;
  judgeId: string | null;
  contextTokens: number;
  provenance: Record<string, unknown>;
  scope: Omit<CacheScope, 'promptHash' | 'model' | 'weights'>;
  verifierModel: { model: string; weights?: string };
  judgeModel: { model: string; weights?: string } | null;
  refused: () => string[];
}

/** Where the command writes; the bench runs it in-process with its own sinks. */
export interface RunIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

async function loadDataset(path: string, maps: string[]): Promise<ImportResult> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new MedfactError('BAD_INPUT', `${path} is not a file.`);
  } catch (e) {
    if (e instanceof MedfactError) throw e;
    throw new MedfactError('NOT_FOUND', `Cannot open ${path}: no such file or not readable.`);
  }
  return importDataset(await openAsBlob(path), { fileName: path, mapping: parseMappingOverrides(maps) });
}

async function setupEngines(args: RunArgs, counts: ProgressCounts, signal: AbortSignal): Promise<EngineSetup> {
  if (args.engine === 'openai') {
    let apiKey: string | undefined;
    if (args.apiKeyEnv) {
      apiKey = process.env[args.apiKeyEnv];
      if (!apiKey) throw new MedfactError('BAD_CONFIG', `The environment variable ${args.apiKeyEnv} (--api-key-env) is not set or empty.`);
    }
    const make = () =>
      createOpenAIEngine({
        baseUrl: args.baseUrl as string,
        ...(apiKey ? { apiKey } : {}),
        timeoutMs: args.timeoutMs,
        ...(args.adaptiveTimeout ? { adaptiveTimeout: ADAPTIVE_TIMEOUT } : {}),
        maxRetries: args.retries,
        onRetry: () => {
          counts.retries++;
        },
      });
    const spec = (id: string): ModelSpec => ({
      id,
      engine: 'openai',
      task: 'text-generation',
      device: 'cpu',
      dtype: 'fp32',
      source: { hubHost: args.baseUrl as string },
      ...(args.contextTokens !== undefined ? { contextTokens: args.contextTokens } : {}),
    });
    const verifier = make();
    const loaded = await verifier.load(spec(args.model as string), { signal });
    const info = verifier.info();
    if (!info) throw new MedfactError('INTERNAL', 'The server model did not load.');
    let judge: ReturnType<typeof make> | null = null;
    if (args.judgeModel) {
      judge = make();
      await judge.load(spec(args.judgeModel), { signal });
    }
    const jInfo = judge?.info() ?? null;
    const modelOf = (i: NonNullable<typeof info>) => ({ model: i.model, ...(i.root ? { weights: i.root } : {}) });
    return {
      verifier,
      judge,
      verifierId: info.model,
      judgeId: jInfo?.model ?? null,
      contextTokens: loaded.contextTokens,
      scope: { engine: 'openai', endpoint: info.endpoint },
      verifierModel: modelOf(info),
      judgeModel: jInfo ? modelOf(jInfo) : null,
      provenance: {
        engine: 'openai',
        endpoint: { host: info.host },
        model: { requested: args.model, served: info.model, root: info.root ?? null, ownedBy: info.ownedBy ?? null, maxModelLen: info.maxModelLen ?? null },
        judge: jInfo ? { requested: args.judgeModel, served: jInfo.model, root: jInfo.root ?? null } : null,
        contextTokensSource: info.maxModelLen !== undefined ? 'server max_model_len' : args.contextTokens !== undefined ? '--context-tokens' : 'default',
      },
      refused: () => [...new Set([...(verifier.info()?.refused ?? []), ...(judge?.info()?.refused ?? [])])],
    };
  }

  // Local ONNX folder through transformers.js on onnxruntime-node (CPU).
  const dir = resolve(args.modelDir as string);
  let config: { _name_or_path?: unknown; model_type?: unknown };
  try {
    config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as typeof config;
  } catch {
    throw new MedfactError('NOT_FOUND', `${dir} has no readable config.json: --model-dir must be a transformers.js model folder (config.json, tokenizer files, onnx/).`);
  }
  const id = `local/${basename(dir)}`;
  const { createTransformersEngine } = await import('../../../workers/transformers-engine');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const cacheDir = await mkdtemp(join(tmpdir(), 'medfact-run-tf-'));
  process.once('exit', () => {
    void rm(cacheDir, { recursive: true, force: true });
  });
  const engine = createTransformersEngine({ fetch: createFolderFetch(dir, id), cacheDir });
  const loaded = await engine.load(
    {
      id,
      engine: 'transformers',
      task: 'text-generation',
      device: 'cpu',
      dtype: args.dtype,
      source: { hubHost: FOLDER_HOST },
      ...(args.contextTokens !== undefined ? { contextTokens: args.contextTokens } : {}),
    },
    { signal },
  );
  // The weights' identity for the cache: the onnx files' sizes and times.
  const onnxStats = await Promise.all(
    ['model.onnx', 'model_fp16.onnx', 'model_quantized.onnx', 'model_q4.onnx', 'model_q4f16.onnx'].map((f) =>
      stat(join(dir, 'onnx', f)).then((s) => `${f}:${s.size}:${s.mtimeMs}`, () => ''),
    ),
  );
  const weights = `${args.dtype}|${onnxStats.filter(Boolean).join(',')}`;
  return {
    verifier: engine,
    judge: null,
    verifierId: id,
    judgeId: null,
    contextTokens: loaded.contextTokens,
    scope: { engine: 'transformers', endpoint: dir },
    verifierModel: { model: id, weights },
    judgeModel: null,
    provenance: {
      engine: 'transformers',
      library: loaded.library,
      model: { dir: basename(dir), modelType: typeof config.model_type === 'string' ? config.model_type : null, dtype: args.dtype, device: loaded.device },
      contextTokensSource: args.contextTokens !== undefined ? '--context-tokens' : 'config max_position_embeddings',
    },
    refused: () => [],
  };
}

function predictionFor(item: DatasetItem, result: CheckResult, threshold: number, hasJudge: boolean): Prediction {
  const kept = result.findings.filter((f) => f.kept);
  const hasError = hasJudge ? kept.length > 0 : result.verifierVerdict === 'has_error';
  const spans: PredictedSpan[] = [];
  if (hasError) {
    for (const f of hasJudge ? kept : result.findings) {
      if (f.span) spans.push({ start: f.span.start, end: f.span.end, text: item.text.slice(f.span.start, f.span.end), type: f.type, correction: f.correction, score: f.confidence });
      else if (f.quote) spans.push({ start: -1, end: -1, text: f.quote, type: f.type, correction: f.correction, score: f.confidence });
    }
  }
  const p: Prediction = { id: item.id, hasError, spans };
  const best = result.findings.reduce<number | undefined>((m, f) => (m === undefined || f.confidence > m ? f.confidence : m), undefined);
  if (best !== undefined) p.score = best;
  // Raw answers and verdicts for audit; no timings, so reruns give identical lines.
  p.raw = {
    verdict: result.verdict,
    verifier_verdict: result.verifierVerdict,
    answer_status: result.status,
    threshold,
    answers: result.samples.map((s) => s.raw),
    finish: result.samples.map((s) => s.finishReason),
    tokens: result.tokens,
  };
  return p;
}

interface Failure {
  id: string;
  code: ErrorCode;
  message: string;
  attempts: number;
}

export async function runCommand(argv: string[], io: RunIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const warn = (line: string): void => {
    io.stderr.write(`${line}\n`);
  };
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${RUN_USAGE}\n`);
    return 0;
  }
  let args: RunArgs;
  try {
    args = parseRunArgs(argv);
  } catch (e) {
    if (e instanceof RunUsageError) {
      warn(`medfact: ${e.message}\n\n${RUN_USAGE}`);
      return 2;
    }
    throw e;
  }
  const startedAt = new Date().toISOString();
  const dataset = await loadDataset(args.dataset, args.maps);
  if (dataset.items.length === 0) {
    throw new MedfactError('BAD_INPUT', `${args.dataset} has no usable items${dataset.rejected[0] ? ` (row ${dataset.rejected[0].row}: ${dataset.rejected[0].reason})` : ''}.`);
  }
  const out = resolve(args.out);
  await mkdir(out, { recursive: true });
  const unlock = await lockOutDir(out);
  try {
    return await runLocked(args, dataset, out, startedAt, io, warn);
  } finally {
    await unlock();
  }
}

async function runLocked(args: RunArgs, dataset: ImportResult, out: string, startedAt: string, io: RunIO, warn: (line: string) => void): Promise<number> {
  const predictionsPath = join(out, 'predictions.jsonl');
  const runPath = join(out, 'run.json');
  const existing = await stat(predictionsPath).then((s) => s.size, () => -1);
  if (!args.resume && existing > 0) {
    throw new MedfactError('BAD_INPUT', `${predictionsPath} already has results: add --resume to continue that run, or choose another --out.`);
  }

  const ctrl = new AbortController();
  // Every request in flight listens on this one signal.
  setMaxListeners(0, ctrl.signal);
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    warn('\nmedfact: stopping; finished items are saved. Run again with --resume to continue.');
    ctrl.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const counts: ProgressCounts = { done: 0, failed: 0, retries: 0, cached: 0 };
  try {
    const engines = await setupEngines(args, counts, ctrl.signal);
    const prompt = buildVerifierPrompt('', args.variant);
    const contextChars = contextCharsFor(engines.contextTokens) ?? 2000;
    const settings = {
      engine: args.engine,
      // Host and path only (never credentials); the folder name for local models.
      endpoint: args.engine === 'openai' ? engines.scope.endpoint.replace(/^https?:\/\//, '') : basename(engines.scope.endpoint),
      model: engines.verifierModel,
      judge: engines.judgeModel,
      prompt: { id: prompt.promptId, version: prompt.promptVersion, hash: prompt.promptHash, answerFormat: ANSWER_FORMAT_VERSION },
      sampling: { variant: args.variant, samples: args.samples, temperature: args.temperature, seed: args.seed, maxTokens: args.maxTokens, thinking: args.thinking, jsonSchema: args.jsonSchema },
      threshold: args.threshold,
      contextTokens: engines.contextTokens,
      contextChars,
      dataset: { contentHash: dataset.contentHash, items: dataset.items.length },
    };

    // Resume: the settings must be the same run's.
    let sessions: unknown[] = [];
    let firstStartedAt = startedAt;
    if (args.resume) {
      const prev = await readFile(runPath, 'utf8').then((t) => JSON.parse(t) as { settings?: unknown; sessions?: unknown[]; startedAt?: string }, () => null);
      if (prev?.settings) {
        const a = prev.settings as Record<string, unknown>;
        const b = settings as Record<string, unknown>;
        const differs = Object.keys(b).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
        if (differs.length > 0) {
          throw new MedfactError('BAD_CONFIG', `--resume: ${out} was run with other settings (${differs.join(', ')} differ). Use the same options, or another --out.`);
        }
        sessions = Array.isArray(prev.sessions) ? prev.sessions : [];
        if (typeof prev.startedAt === 'string') firstStartedAt = prev.startedAt;
      } else if (existing > 0) {
        warn(`medfact: ${runPath} is missing or unreadable; resuming from predictions.jsonl alone.`);
      }
    }

    const ids = new Set(dataset.items.map((i) => i.id));
    const recovered = await recoverLog(predictionsPath, ids);
    if (recovered.tornBytes > 0) warn(`medfact: dropped a torn last line (${recovered.tornBytes} bytes) left by an interrupted run; that item runs again.`);
    if (recovered.droppedFailed > 0) warn(`medfact: retrying ${recovered.droppedFailed} item(s) that failed before.`);
    counts.done = recovered.done.size;
    const todo = dataset.items.filter((i) => !recovered.done.has(i.id));

    const cacheStats: CacheStats = { hits: 0, misses: 0, writes: 0 };
    const wrap = (engine: ModelEngine, model: { model: string; weights?: string }): ModelEngine =>
      args.cacheDir === null ? engine : createCachedEngine(engine, resolve(args.cacheDir), { ...engines.scope, ...model, promptHash: prompt.promptHash }, cacheStats);
    const verifier = wrap(engines.verifier, engines.verifierModel);
    const scorer: FindingScorer | undefined =
      engines.judge && engines.judgeModel && engines.judgeId ? engineScorer(wrap(engines.judge, engines.judgeModel), 'judge', { id: engines.judgeId }) : undefined;

    const failures: Failure[] = [];
    let loopMs = 0;
    const runJson = (status: string, endedAt: string | null) => ({
      format: RUN_FORMAT,
      status,
      tool: { name: 'medfact run', node: process.version },
      ...engines.provenance,
      settings,
      dataset: { file: basename(args.dataset), contentHash: dataset.contentHash, items: dataset.items.length, rejected: dataset.rejected.length, format: dataset.format },
      prompt: settings.prompt,
      sampling: settings.sampling,
      concurrency: args.concurrency,
      refusedFeatures: engines.refused(),
      counts: { total: dataset.items.length, done: counts.done, failed: counts.failed, missing: dataset.items.length - counts.done - counts.failed, retries: counts.retries, cacheHits: cacheStats.hits },
      startedAt: firstStartedAt,
      endedAt,
      sessions: [...sessions, { startedAt, endedAt, resumed: args.resume, recovered: recovered.done.size, tornLineDropped: recovered.tornBytes > 0 }],
      // This session's item loop alone (no start-up), for throughput.
      loop: { items: todo.length, ms: Math.round(loopMs), itemsPerSecond: loopMs > 0 ? Math.round((counts.done + counts.failed - recovered.done.size) / (loopMs / 1000) * 100) / 100 : null },
      failures,
    });
    await writeJsonAtomic(runPath, runJson('running', null));

    const log = await openLog(predictionsPath);
    const progress = createProgress(dataset.items.length, counts.done, { stream: io.stderr });
    let fatal: MedfactError | null = null;
    let next = 0;
    const loopStart = performance.now();

    const runOne = async (item: DatasetItem): Promise<void> => {
      let last: MedfactError | null = null;
      for (let attempt = 1; attempt <= ITEM_ATTEMPTS; attempt++) {
        if (ctrl.signal.aborted) return;
        try {
          const hitsBefore = cacheStats.hits;
          const result = await check(item.text, {
            verifier,
            verifierId: engines.verifierId,
            ...(scorer ? { scorer } : {}),
            options: {
              variant: args.variant,
              samples: args.samples,
              temperature: args.temperature,
              maxTokens: args.maxTokens,
              thinking: args.thinking,
              threshold: args.threshold,
              contextChars,
              seed: args.seed,
              useJsonSchema: args.jsonSchema,
            },
            signal: ctrl.signal,
          });
          await log.append(predictionToJson(predictionFor(item, result, args.threshold, scorer !== undefined)));
          counts.done++;
          if (cacheStats.hits > hitsBefore) counts.cached++;
          return;
        } catch (error) {
          if (ctrl.signal.aborted || isAbortError(error)) return;
          last = toMedfactError(error);
          if (FATAL.has(last.code)) {
            fatal ??= last;
            ctrl.abort();
            return;
          }
        }
      }
      const err = last ?? new MedfactError('INTERNAL', 'The item failed.');
      await log.append(JSON.stringify({ id: item.id, status: 'failed', error: { code: err.code, message: err.message }, attempts: ITEM_ATTEMPTS }));
      failures.push({ id: item.id, code: err.code, message: err.message, attempts: ITEM_ATTEMPTS });
      counts.failed++;
    };

    const worker = async (): Promise<void> => {
      while (!ctrl.signal.aborted) {
        const item = todo[next++];
        if (!item) return;
        await runOne(item);
        progress.update(counts);
      }
    };
    await Promise.all(Array.from({ length: Math.min(args.concurrency, Math.max(1, todo.length)) }, worker));
    loopMs = performance.now() - loopStart;
    progress.stop(counts);
    await log.close();

    const complete = counts.done === dataset.items.length;
    const status = complete ? 'complete' : fatal ? 'stopped' : interrupted ? 'interrupted' : 'incomplete';
    await writeJsonAtomic(runPath, runJson(status, new Date().toISOString()));

    const missing = dataset.items.length - counts.done - counts.failed;
    io.stdout.write(
      `${status}: ${counts.done}/${dataset.items.length} items done, ${counts.failed} failed, ${missing} missing; ${counts.retries} retries, ${cacheStats.hits} cached answers.\n` +
        `predictions: ${predictionsPath}\nprovenance:  ${runPath}\n`,
    );
    for (const f of failures.slice(0, 20)) warn(`failed ${f.id}: ${f.code} ${f.message}`);
    if (failures.length > 20) warn(`… and ${failures.length - 20} more failures (run.json lists all).`);
    if (fatal) throw fatal;
    if (interrupted) return 130;
    return complete ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
