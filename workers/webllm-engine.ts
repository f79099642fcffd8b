/**
 * ModelEngine over @mlc-ai/web-llm (TVM-compiled WebGPU kernels). Runs in a
 * worker with an in-worker MLCEngine; web-llm (about 6 MB of JS) is imported
 * only when a WebLLM model is loaded. Tests inject a fake engine through
 * `deps.createEngine`.
 */
import type {
  AppConfig,
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequestNonStreaming,
  ChatCompletionRequestStreaming,
  InitProgressReport,
  ModelRecord,
} from '@mlc-ai/web-llm';
import type {
  GenerateChunk,
  GenerateParams,
  GenerateResult,
  LoadProgress,
  LoadResult,
  ModelEngine,
  ModelSpec,
  ScoreParams,
  ScoreResult,
} from '../src/protocol/engine';
import { AbortError, MedfactError, throwIfAborted } from '../src/protocol/errors';
import { classifyEngineError } from './engine-shared/classify-error';
import { isAllowedUrl, normaliseBase } from './engine-shared/fetch-guard';
import { createProgressTracker } from './engine-shared/progress';
import { judgeFromTopLogprobs } from './engine-shared/scoring';
import { createSerialQueue } from './engine-shared/serial-queue';
import { validateMessages } from './engine-shared/validate-messages';

/** The part of web-llm's MLCEngineInterface this adapter uses (a fake implements just this). */
export interface MLCEngineLike {
  chat: {
    completions: {
      create(request: ChatCompletionRequestStreaming): Promise<AsyncIterable<ChatCompletionChunk>>;
      create(request: ChatCompletionRequestNonStreaming): Promise<ChatCompletion>;
    };
  };
  interruptGenerate(): void;
  unload(): Promise<void>;
  runtimeStatsText?(): Promise<string>;
}

export interface MLCEngineOptions {
  appConfig: AppConfig;
  initProgressCallback: (report: InitProgressReport) => void;
}

export interface WebLLMEngineDeps {
  /** Builds and loads the engine (default: web-llm's CreateMLCEngine, imported lazily). */
  createEngine?: (modelId: string, options: MLCEngineOptions) => Promise<MLCEngineLike>;
  /**
   * Whether the GPU offers `shader-f16`: true/false when known, undefined
   * when it cannot be told (then web-llm's own check decides). Default:
   * probe navigator.gpu.
   */
  shaderF16?: () => Promise<boolean | undefined>;
  /** web-llm version for provenance (default: read from the package). */
  version?: string;
  now?: () => number;
}

/** Default context window of the prebuilt Qwen builds in web-llm 0.2.86. */
const DEFAULT_CONTEXT = 4096;
const F16_DTYPES = new Set(['q4f16', 'q0f16', 'fp16']);

async function probeShaderF16(): Promise<boolean | undefined> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) return undefined;
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? adapter.features.has('shader-f16') : undefined;
  } catch {
    return undefined;
  }
}

/** `mlc-ai/Qwen3-1.7B-q4f32_1-MLC` or `Qwen3-1.7B-q4f32_1-MLC` → repo path and web-llm model_id. */
export function splitMlcId(id: string): { repo: string; modelId: string } {
  const trimmed = id.replace(/^\/+|\/+$/g, '');
  if (trimmed.includes('/')) {
    const modelId = trimmed.slice(trimmed.lastIndexOf('/') + 1);
    return { repo: trimmed, modelId };
  }
  return { repo: `mlc-ai/${trimmed}`, modelId: trimmed };
}

/**
 * The web-llm app config for one spec. The model URL carries
 * `/resolve/<revision>/` explicitly (web-llm would otherwise append
 * `resolve/main/`), so a self-hosted mirror must serve that layout.
 */
export function buildAppConfig(spec: ModelSpec): { appConfig: AppConfig; modelId: string } {
  const { repo, modelId } = splitMlcId(spec.id);
  let hub: string;
  try {
    hub = normaliseBase(spec.source.hubHost);
  } catch {
    throw new MedfactError('BAD_CONFIG', `The model source "${spec.source.hubHost}" is not a valid URL.`);
  }
  const revision = encodeURIComponent(spec.source.revision ?? 'main');
  const model = `${hub}${repo}/resolve/${revision}/`;

  let modelLib: string;
  const lib = spec.modelLib;
  if (lib && /^[a-z]+:\/\//i.test(lib)) modelLib = lib;
  else if (lib && spec.source.libHost) modelLib = new URL(lib.replace(/^\/+/, ''), normaliseBase(spec.source.libHost)).href;
  else if (spec.source.libHost) modelLib = new URL(`${modelId}-webgpu.wasm`, normaliseBase(spec.source.libHost)).href;
  else {
    throw new MedfactError(
      'BAD_CONFIG',
      `No model library (.wasm) is configured for ${modelId}. Set modelLib in the catalog entry or libHost in the model source.`,
    );
  }

  if (spec.source.mirrorOnly) {
    const allowed = [hub, ...(spec.source.libHost ? [normaliseBase(spec.source.libHost)] : [])];
    for (const url of [model, modelLib]) {
      if (!isAllowedUrl(url, allowed)) {
        throw new MedfactError(
          'DOWNLOAD_FORBIDDEN',
          `Refused to download from ${new URL(url).origin}: this deployment only allows its model mirror. Check the model library address.`,
        );
      }
    }
  }

  const record: ModelRecord = {
    model,
    model_id: modelId,
    model_lib: modelLib,
    overrides: { context_window_size: spec.contextTokens ?? DEFAULT_CONTEXT },
    ...(F16_DTYPES.has(spec.dtype) ? { required_features: ['shader-f16'] } : {}),
  };
  return { appConfig: { model_list: [record], cacheBackend: 'cache' }, modelId };
}

/** Bytes named in web-llm's progress text, e.g. "Fetching param cache[3/40]: 120MB fetched. 25% completed". */
function parseFetched(text: string): { loaded: number; total: number } {
  const mb = /([\d.]+)\s*MB fetched/i.exec(text);
  const pct = /(\d+(?:\.\d+)?)%\s*completed/i.exec(text);
  const loaded = mb ? Math.round(Number(mb[1]) * 1024 * 1024) : 0;
  const fraction = pct ? Number(pct[1]) / 100 : 0;
  const total = loaded > 0 && fraction > 0 ? Math.round(loaded / fraction) : loaded;
  return { loaded, total };
}

interface Loaded {
  spec: ModelSpec;
  engine: MLCEngineLike;
}

export function createWebLLMEngine(deps: WebLLMEngineDeps = {}): ModelEngine {
  const now = deps.now ?? (() => performance.now());
  const queue = createSerialQueue();
  let loaded: Loaded | undefined;
  let version = deps.version;

  const createEngine =
    deps.createEngine ??
    (async (modelId: string, options: MLCEngineOptions): Promise<MLCEngineLike> => {
      const webllm = await import('@mlc-ai/web-llm');
      // web-llm exports no version constant; its model-library tag (v0_2_86/base) names the release.
      version ??= webllm.modelVersion.replace(/^v/, '').replace(/\/.*$/, '').replace(/_/g, '.');
      return webllm.CreateMLCEngine(modelId, options);
    });

  /** A lost device leaves the engine unusable; forget it so the client reloads. */
  function fail(error: unknown, phase: 'load' | 'generate' | 'score', spec: ModelSpec | undefined): MedfactError {
    const typed = classifyEngineError(error, { phase, device: 'webgpu', ...(spec ? { modelId: spec.id } : {}) });
    if (typed.code === 'DEVICE_LOST' && phase !== 'load') loaded = undefined;
    return typed;
  }

  async function loadImpl(
    spec: ModelSpec,
    signal: AbortSignal | undefined,
    onProgress: ((p: LoadProgress) => void) | undefined,
  ): Promise<LoadResult> {
    if (spec.engine !== 'webllm') {
      throw new MedfactError('BAD_CONFIG', `Model ${spec.id} is for the ${spec.engine} engine, not WebLLM.`);
    }
    if (spec.task !== 'text-generation') {
      throw new MedfactError('UNSUPPORTED', 'WebLLM runs generative models only; use a transformers.js model for classification.');
    }
    if (spec.device !== 'webgpu') {
      throw new MedfactError('NO_WEBGPU', 'WebLLM needs WebGPU. Choose a transformers.js (WASM) model on this device.');
    }
    throwIfAborted(signal);
    const { appConfig, modelId } = buildAppConfig(spec);
    if (F16_DTYPES.has(spec.dtype)) {
      const f16 = await (deps.shaderF16 ?? probeShaderF16)();
      if (f16 === false) {
        throw new MedfactError(
          'NO_SHADER_F16',
          `This GPU has no shader-f16 support, which ${modelId} needs. Choose the q4f32 build of the model.`,
        );
      }
    }
    if (loaded) await unloadImpl();

    const tracker = createProgressTracker(onProgress);
    const started = now();
    let engine: MLCEngineLike;
    try {
      engine = await createEngine(modelId, {
        appConfig,
        initProgressCallback: (report) => {
          const { loaded: bytes, total } = parseFetched(report.text);
          tracker.external(modelId, report.progress, bytes, total);
        },
      });
    } catch (error) {
      if (signal?.aborted) throw new AbortError();
      throw fail(error, 'load', spec);
    }
    tracker.compile(1);
    if (signal?.aborted) {
      await engine.unload().catch(() => undefined);
      throw new AbortError();
    }
    const loadMs = now() - started;

    let warmupMs = 0;
    if (!spec.skipWarmup) {
      tracker.warmup();
      const w0 = now();
      try {
        await engine.chat.completions.create({
          messages: [{ role: 'user', content: '你好' }],
          stream: false,
          max_tokens: 1,
          temperature: 0,
          extra_body: { enable_thinking: false },
        });
      } catch (error) {
        await engine.unload().catch(() => undefined);
        throw fail(error, 'load', spec);
      }
      warmupMs = now() - w0;
    }
    if (signal?.aborted) {
      await engine.unload().catch(() => undefined);
      throw new AbortError();
    }
    loaded = { spec, engine };
    tracker.ready();
    return {
      id: spec.id,
      engine: 'webllm',
      device: 'webgpu',
      dtype: spec.dtype,
      loadMs,
      warmupMs,
      library: `web-llm ${version ?? 'unknown'}`,
      contextTokens: spec.contextTokens ?? DEFAULT_CONTEXT,
    };
  }

  function requireLoaded(): Loaded {
    if (!loaded) throw new MedfactError('MODEL_NOT_LOADED', 'No model is loaded. Load a model first.');
    return loaded;
  }

  async function generateImpl(
    params: GenerateParams,
    signal: AbortSignal | undefined,
    onChunk: ((c: GenerateChunk) => void) | undefined,
  ): Promise<GenerateResult> {
    const { engine, spec } = requireLoaded();
    validateMessages(params.messages);
    if (!Number.isInteger(params.maxTokens) || params.maxTokens < 1) {
      throw new MedfactError('BAD_INPUT', 'maxTokens must be a positive whole number.');
    }
    throwIfAborted(signal);
    const request: ChatCompletionRequestStreaming = {
      messages: params.messages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: params.maxTokens,
      temperature: params.temperature,
      ...(params.topP !== undefined ? { top_p: params.topP } : {}),
      ...(params.seed !== undefined ? { seed: params.seed } : {}),
      // web-llm takes the schema as a JSON string, not an object.
      ...(params.jsonSchema !== undefined ? { response_format: { type: 'json_object', schema: params.jsonSchema } } : {}),
      extra_body: { enable_thinking: params.thinking ?? false },
    };

    const onAbort = (): void => engine.interruptGenerate();
    signal?.addEventListener('abort', onAbort, { once: true });
    const started = now();
    let firstAt: number | undefined;
    let text = '';
    let tokens = 0;
    let finish: string | null | undefined;
    let usage: ChatCompletionChunk['usage'];
    try {
      const stream = await engine.chat.completions.create(request);
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        const delta = choice?.delta?.content ?? '';
        if (delta.length > 0) {
          firstAt ??= now();
          tokens += 1;
          text += delta;
          if (!signal?.aborted) onChunk?.({ text: delta, tokens });
        }
        if (choice?.finish_reason) finish = choice.finish_reason;
        if (chunk.usage) usage = chunk.usage;
      }
    } catch (error) {
      if (signal?.aborted) throw new AbortError();
      throw fail(error, 'generate', spec);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    const ended = now();
    if (signal?.aborted || finish === 'abort') throw new AbortError();

    const first = firstAt ?? ended;
    const result: GenerateResult = {
      text,
      finishReason: finish === 'length' ? 'length' : 'stop',
      promptTokens: usage?.prompt_tokens ?? 0,
      completionTokens: usage?.completion_tokens ?? tokens,
      prefillMs: first - started,
      decodeMs: ended - first,
    };
    // web-llm's prompt_tokens is the round's prefilled count (getCurRoundPrefillTotalTokens): it resets
    // the KV cache between unrelated requests, so every prompt token is computed (perf/README.md, prefix reuse).
    if (usage) result.prefillTokens = usage.prompt_tokens;
    const extra = usage?.extra;
    if (extra) {
      result.engineStats = {
        ...(Number.isFinite(extra.prefill_tokens_per_s) ? { prefillTokensPerSec: extra.prefill_tokens_per_s } : {}),
        ...(Number.isFinite(extra.decode_tokens_per_s) ? { decodeTokensPerSec: extra.decode_tokens_per_s } : {}),
      };
    }
    return result;
  }

  async function scoreImpl(params: ScoreParams, signal: AbortSignal | undefined): Promise<ScoreResult> {
    if (params.kind === 'classify') {
      throw new MedfactError(
        'UNSUPPORTED',
        'WebLLM has no classifier models. Use a generative judge, or a transformers.js classifier as the reward model.',
      );
    }
    const { engine, spec } = requireLoaded();
    validateMessages(params.messages);
    throwIfAborted(signal);
    const started = now();
    const onAbort = (): void => engine.interruptGenerate();
    signal?.addEventListener('abort', onAbort, { once: true });
    let completion: ChatCompletion;
    try {
      completion = await engine.chat.completions.create({
        messages: params.messages,
        stream: false,
        max_tokens: 1,
        temperature: 0,
        logprobs: true,
        top_logprobs: 5,
        extra_body: { enable_thinking: false },
      });
    } catch (error) {
      if (signal?.aborted) throw new AbortError();
      throw fail(error, 'score', spec);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) throw new AbortError();
    const first = completion.choices[0]?.logprobs?.content?.[0];
    const top = first ? [{ token: first.token, logprob: first.logprob }, ...first.top_logprobs] : [];
    const judged = judgeFromTopLogprobs(top, params.yes, params.no);
    return { score: judged.score, raw: judged.raw, ms: now() - started };
  }

  async function unloadImpl(): Promise<void> {
    const current = loaded;
    loaded = undefined;
    if (current) await current.engine.unload().catch(() => undefined);
  }

  return {
    load: (spec, options) => queue.run(() => loadImpl(spec, options?.signal, options?.onProgress)),
    generate: (params, options) => queue.run(() => generateImpl(params, options?.signal, options?.onChunk)),
    score: (params, options) => queue.run(() => scoreImpl(params, options?.signal)),
    unload: () => queue.run(() => unloadImpl()),
  };
}
