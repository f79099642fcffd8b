/**
 * The one FAKE ModelEngine of the test suite: no model, it replays scripted
 * answers at the engine boundary (the real engines need model weights that no
 * unit test can have). Every test that needs an in-process engine builds it
 * here and configures what it needs, instead of keeping a fake of its own.
 *
 * It streams each answer in chunks through onChunk, honours AbortSignal
 * (before starting, between chunks, while held), truncates at maxTokens with
 * finishReason 'length', and reports token counts (one token per
 * `charsPerToken` UTF-16 units, prompt tokens likewise from the messages).
 *
 * Answers: an array (call i gets answers[i], the last one repeating), or a
 * function of (params, callIndex). Scores: a number, or a function of the
 * ScoreParams and the call index. Every call is recorded in `log`, which
 * tests may share between engines (a worker that is restarted makes a new
 * engine; the log outlives it).
 */
import { abortableSleep, AbortError, MedfactError } from '../../src/protocol/errors';
import type {
  CallOptions,
  GenerateChunk,
  GenerateParams,
  GenerateResult,
  LoadProgress,
  LoadResult,
  ModelEngine,
  ModelSpec,
  ScoreParams,
  ScoreResult,
} from '../../src/protocol/engine';

type Maybe<T, A extends unknown[]> = T | ((...args: A) => T);

export interface ScriptedEngineOptions {
  /** UTF-16 units per streamed chunk and per counted token (default 4). */
  charsPerToken?: number;
  /**
   * Wait this long before each chunk and score (default 0: a macrotask yield, so aborts can land); may depend
   * on the call. null: no wait at all, the whole call settles in microtasks like an instant engine (an abort
   * is still noticed between chunks).
   */
  chunkDelayMs?: Maybe<number, [params: GenerateParams]> | null;
  /** Score for score() calls: a constant or a function (default 0.5). */
  score?: Maybe<number, [params: ScoreParams, callIndex: number]>;
  /** Make generate() reject with this error (after streaming nothing); a function may throw a non-Error. */
  generateError?: Error | ((params: GenerateParams, callIndex: number) => Error | undefined);
  /** Make score() reject with this error. */
  scoreError?: Error;
  /** Fixed engine timings reported in each result, as a real engine measures them (default: 0 prefill, wall-clock decode). */
  timings?: { prefillMs?: number; decodeMs?: number | ((completionTokens: number) => number) };
  /** Progress events load() reports, one per 1 ms step when `loadStepMs` is set (default: initiate, then ready). */
  loadSteps?: (spec: ModelSpec) => LoadProgress[];
  loadStepMs?: number;
  /** What load() reports besides the spec's own fields. */
  loaded?: Partial<Pick<LoadResult, 'id' | 'loadMs' | 'warmupMs' | 'library' | 'contextTokens'>>;
  /** generate() and score() before load() (or after unload()) fail with MODEL_NOT_LOADED, as the real engines do. */
  requireLoad?: boolean;
  /** generate() streams its first chunk, then waits until release() (or an abort). */
  hold?: boolean;
  /** Where calls are recorded (default: a new log). */
  log?: ScriptedEngineLog;
}

export interface ScriptedEngineLog {
  /** Every generate() call's params, in order. */
  generateCalls: GenerateParams[];
  /** The AbortSignal each generate() call received, in order. */
  generateSignals: AbortSignal[];
  /** Every score() call's params, in order. */
  scoreCalls: ScoreParams[];
  /** Model ids loaded, in order. */
  loads: string[];
  unloads: number;
}

export function scriptedEngineLog(): ScriptedEngineLog {
  return { generateCalls: [], generateSignals: [], scoreCalls: [], loads: [], unloads: 0 };
}

export interface ScriptedEngine extends ModelEngine {
  readonly log: ScriptedEngineLog;
  /** Shorthands for log.generateCalls and log.scoreCalls. */
  readonly generateCalls: GenerateParams[];
  readonly scoreCalls: ScoreParams[];
  loaded: boolean;
  /** Lets held generate() calls finish (option `hold`). */
  release(): void;
}


const pick = <T, A extends unknown[]>(value: Maybe<T, A>, ...args: A): T =>
  typeof value === 'function' ? (value as (...a: A) => T)(...args) : value;

export function createScriptedEngine(
  answers: string[] | ((params: GenerateParams, callIndex: number) => string),
  opts: ScriptedEngineOptions = {},
): ScriptedEngine {
  const cpt = Math.max(1, opts.charsPerToken ?? 4);
  const log = opts.log ?? scriptedEngineLog();
  let releases: Array<() => void> = [];
  const pickAnswer = (params: GenerateParams, i: number): string => {
    if (typeof answers === 'function') return answers(params, i);
    return answers[Math.min(i, answers.length - 1)] ?? '';
  };
  const assertLoaded = (): void => {
    if (opts.requireLoad && !engine.loaded) throw new MedfactError('MODEL_NOT_LOADED', 'scripted engine: no model');
  };
  const held = (signal: AbortSignal | undefined): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortError());
        return;
      }
      releases.push(resolve);
      signal?.addEventListener('abort', () => reject(new AbortError()), { once: true });
    });

  const engine: ScriptedEngine = {
    log,
    generateCalls: log.generateCalls,
    scoreCalls: log.scoreCalls,
    loaded: false,

    release(): void {
      const waiting = releases;
      releases = [];
      for (const resolve of waiting) resolve();
    },

    async load(spec: ModelSpec, options?: CallOptions & { onProgress?: (p: LoadProgress) => void }): Promise<LoadResult> {
      log.loads.push(spec.id);
      if (options?.signal?.aborted) throw new AbortError();
      const steps = opts.loadSteps?.(spec) ?? [
        { status: 'initiate', file: 'scripted', progress: 0 },
        { status: 'ready', progress: 1 },
      ];
      for (const step of steps) {
        if (opts.loadStepMs !== undefined) await abortableSleep(opts.loadStepMs, options?.signal);
        options?.onProgress?.(step);
      }
      engine.loaded = true;
      return {
        id: opts.loaded?.id ?? spec.id,
        engine: spec.engine,
        device: spec.device,
        dtype: spec.dtype,
        loadMs: opts.loaded?.loadMs ?? 0,
        warmupMs: opts.loaded?.warmupMs ?? 0,
        library: opts.loaded?.library ?? 'scripted-fake',
        contextTokens: opts.loaded?.contextTokens ?? spec.contextTokens ?? 4096,
      };
    },

    async generate(params: GenerateParams, options?: CallOptions & { onChunk?: (c: GenerateChunk) => void }): Promise<GenerateResult> {
      const index = log.generateCalls.length;
      const signal = options?.signal;
      log.generateCalls.push(params);
      log.generateSignals.push(signal ?? new AbortController().signal);
      if (signal?.aborted) throw new AbortError();
      assertLoaded();
      const err = typeof opts.generateError === 'function' ? opts.generateError(params, index) : opts.generateError;
      if (err) throw err;
      const full = pickAnswer(params, index);
      const limit = params.maxTokens * cpt;
      const text = full.length > limit ? full.slice(0, limit) : full;
      const finishReason = full.length > limit ? 'length' : 'stop';
      const promptTokens = Math.ceil(params.messages.reduce((n, m) => n + m.content.length, 0) / cpt);
      const delay = opts.chunkDelayMs === null ? null : pick(opts.chunkDelayMs ?? 0, params);
      const started = Date.now();
      let tokens = 0;
      for (let i = 0; i < text.length; i += cpt) {
        if (delay !== null) await abortableSleep(delay, signal);
        else if (signal?.aborted) throw new AbortError();
        tokens++;
        options?.onChunk?.({ text: text.slice(i, i + cpt), tokens });
        if (opts.hold && i === 0) await held(signal);
      }
      if (signal?.aborted) throw new AbortError();
      const decodeMs = opts.timings?.decodeMs;
      return {
        text,
        finishReason,
        promptTokens,
        completionTokens: tokens,
        prefillMs: opts.timings?.prefillMs ?? 0,
        decodeMs: decodeMs === undefined ? Date.now() - started : pick(decodeMs, tokens),
      };
    },

    async score(params: ScoreParams, options?: CallOptions): Promise<ScoreResult> {
      const index = log.scoreCalls.length;
      log.scoreCalls.push(params);
      if (options?.signal?.aborted) throw new AbortError();
      assertLoaded();
      if (opts.scoreError) throw opts.scoreError;
      if (opts.chunkDelayMs !== null) await abortableSleep(typeof opts.chunkDelayMs === 'function' ? 0 : (opts.chunkDelayMs ?? 0), options?.signal);
      const s = pick(opts.score ?? 0.5, params, index);
      return { score: s, raw: { yes: s, no: 1 - s }, ms: 0 };
    },

    async unload(): Promise<void> {
      log.unloads += 1;
      engine.loaded = false;
    },
  };
  return engine;
}
