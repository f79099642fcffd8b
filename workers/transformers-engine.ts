/**
 * ModelEngine over transformers.js (ONNX Runtime: WebGPU or WASM in the
 * browser, CPU in Node). Runs inside a worker; the worker entry imports this
 * file lazily. Everything that differs between browser and Node (runtime
 * file URLs, caches, fetch) is chosen here or injected through `deps`.
 */
import type * as Transformers from '@huggingface/transformers';
import type {
  ChatMessage,
  Device,
  Dtype,
  EmbedParams,
  EmbedResult,
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
import { createGuardedFetch, normaliseBase, originalFetch, wrapsFetch, type FetchLike } from './engine-shared/fetch-guard';
import type { OrtWasmPaths } from './engine-shared/ort-wasm-paths';
import { createPrefixCache, type PrefixCacheOptions, type PrefixForward, type PrefixPlan } from './engine-shared/prefix-cache';
import { createProgressTracker } from './engine-shared/progress';
import { judgeFromLogits, classifyFromLogits } from './engine-shared/scoring';
import { createSerialQueue } from './engine-shared/serial-queue';
import { validateMessages } from './engine-shared/validate-messages';

export type TransformersModule = typeof Transformers;

export interface TransformersEngineDeps {
  /** The library, or a loader for it (default: dynamic import). */
  transformers?: TransformersModule | (() => Promise<TransformersModule>);
  /**
   * onnxruntime-web runtime files served by the app. Default in the
   * browser: the Vite `?url` assets from engine-shared/ort-wasm-paths.
   * Ignored in Node (onnxruntime-node needs none).
   */
  wasmPaths?: OrtWasmPaths | (() => Promise<OrtWasmPaths>);
  /** Base fetch (default: globalThis.fetch); wrapped by the mirror-only guard. */
  fetch?: FetchLike;
  /** Browser: keep downloads in the Cache API (default true; needed offline). */
  useCache?: boolean;
  /**
   * Node: folder of the library's file cache. Node always caches remote
   * files, because onnxruntime-node opens sessions from a file path
   * (transformers.js refuses a remote load without its file cache).
   */
  cacheDir?: string;
  /** Clock, for tests. */
  now?: () => number;
  /**
   * Reuse the keys/values of a shared prompt prefix (system prompt, few-shot
   * turns, judge instructions) between calls (default true; see
   * engine-shared/prefix-cache.ts). false computes every prompt in full.
   */
  prefixReuse?: boolean | PrefixCacheOptions;
}

/** dtypes transformers.js can load (file suffixes: model.onnx, model_fp16, model_quantized, model_q4, model_q4f16). */
const TRANSFORMERS_DTYPES: readonly Dtype[] = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'];
const WARMUP_TEXT = '你好';

/** True in a browser page or worker, false in Node (also under vitest's node environment). */
export function isWebRuntime(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  const isNode = typeof proc?.versions?.node === 'string';
  return !isNode && typeof self !== 'undefined';
}

type TokenizerLike = Transformers.PreTrainedTokenizer;
type ModelLike = Transformers.PreTrainedModel;
type TensorLike = Transformers.Tensor;

interface Loaded {
  spec: ModelSpec;
  device: Device;
  tf: TransformersModule;
  tokenizer: TokenizerLike;
  model: ModelLike;
  /** Embedders (task feature-extraction): the pipeline that mean-pools and normalises. */
  extractor?: Transformers.FeatureExtractionPipeline;
}

/** Texts per forward pass when embedding. */
const EMBED_BATCH = 16;

async function resolve<T>(value: T | (() => Promise<T>) | undefined, fallback: () => Promise<T>): Promise<T> {
  if (value === undefined) return fallback();
  return typeof value === 'function' ? (value as () => Promise<T>)() : value;
}

/** Node has no `wasm` execution provider; the CPU provider runs the same files. */
function effectiveDevice(device: Device): Device {
  return !isWebRuntime() && device === 'wasm' ? 'cpu' : device;
}

function validateSpec(spec: ModelSpec): void {
  if (spec.engine !== 'transformers') {
    throw new MedfactError('BAD_CONFIG', `Model ${spec.id} is for the ${spec.engine} engine, not transformers.js.`);
  }
  if (!TRANSFORMERS_DTYPES.includes(spec.dtype)) {
    throw new MedfactError(
      'BAD_CONFIG',
      `transformers.js cannot load dtype "${spec.dtype}" for ${spec.id}; use one of ${TRANSFORMERS_DTYPES.join(', ')}.`,
    );
  }
  if (!['webgpu', 'wasm', 'cpu'].includes(spec.device)) {
    throw new MedfactError('BAD_CONFIG', `Unknown device "${spec.device}".`);
  }
  try {
    new URL(spec.source.hubHost);
  } catch {
    throw new MedfactError('BAD_CONFIG', `The model source "${spec.source.hubHost}" is not a valid URL.`);
  }
}

/** The first token id of `word` without special tokens, e.g. `是` → one Qwen token. */
function firstTokenId(tokenizer: TokenizerLike, word: string): number {
  const ids = tokenizer.encode(word, { add_special_tokens: false });
  const id = ids[0];
  if (id === undefined) throw new MedfactError('BAD_INPUT', `The judge answer word "${word}" has no token in this model's vocabulary.`);
  return id;
}

/**
 * Chat-templated, tokenized prompt. Extra template variables such as
 * Qwen3's `enable_thinking` pass through apply_chat_template to the Jinja
 * template (the option type does not list them, hence the separate object).
 */
function chatInputs(
  tokenizer: TokenizerLike,
  messages: ChatMessage[],
  thinking: boolean,
): { input_ids: TensorLike; attention_mask: TensorLike } {
  const options = { add_generation_prompt: true, enable_thinking: thinking, return_dict: true as const };
  return tokenizer.apply_chat_template(messages, options) as unknown as { input_ids: TensorLike; attention_mask: TensorLike };
}

function lastRowLogits(logits: TensorLike): Float32Array {
  const dims = logits.dims;
  const vocab = dims[dims.length - 1] ?? 0;
  const data = logits.data as Float32Array;
  return data.subarray(data.length - vocab);
}

/**
 * For installed models: transformers.js looks in its cache first and calls
 * fetch only for a file it does not have. Answer such calls with 404 (the
 * library treats optional files as absent and fails on required ones, which
 * load() reports as CORRUPT_CACHE) instead of downloading outside the
 * installer, which owns progress, hashes and the install record. The app's
 * own origin (onnxruntime's runtime files) stays reachable.
 */
function cacheOnlyFetch(inner: FetchLike, ownOrigins: readonly string[]): FetchLike {
  return wrapsFetch((input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    let origin = '';
    try {
      origin = new URL(url).origin;
    } catch {
      // fall through: not a URL we serve
    }
    if (url.startsWith('blob:') || url.startsWith('data:') || ownOrigins.includes(origin)) return inner(input, init);
    return Promise.resolve(new Response(null, { status: 404, statusText: 'Not in the installed model cache' }));
  }, inner);
}

export function createTransformersEngine(deps: TransformersEngineDeps = {}): ModelEngine {
  const now = deps.now ?? (() => performance.now());
  const queue = createSerialQueue();
  let loaded: Loaded | undefined;
  let baseFetch: FetchLike | undefined;
  /** Shared-prefix keys/values of the loaded model; undefined when reuse is off or nothing is loaded. */
  let prefix: ReturnType<typeof createPrefixCache> | undefined;

  async function configureEnv(tf: TransformersModule, spec: ModelSpec): Promise<void> {
    const { env } = tf;
    const web = isWebRuntime();
    // Remember the library's own fetch once, so repeated loads do not stack guards; another engine in this
    // realm may have installed its guard already, so look under it.
    baseFetch ??= deps.fetch ?? originalFetch(env.fetch as FetchLike);
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
    env.remoteHost = normaliseBase(spec.source.hubHost);
    env.remotePathTemplate = '{model}/resolve/{revision}/';
    const useCache = deps.useCache ?? true;
    env.useBrowserCache = web && useCache;
    env.useFSCache = !web;
    if (!web && deps.cacheDir) env.cacheDir = deps.cacheDir;

    const allowed = [spec.source.hubHost];
    if (web) {
      const paths = await resolve(deps.wasmPaths, async () => (await import('./engine-shared/ort-wasm-paths')).ortWasmPaths);
      const wasm = env.backends.onnx.wasm;
      if (wasm) wasm.wasmPaths = { wasm: paths.wasm, mjs: paths.mjs };
      // The runtime files come from the app's own origin.
      if (typeof location !== 'undefined') allowed.push(location.origin);
    }
    const guarded = spec.source.mirrorOnly ? createGuardedFetch(allowed, baseFetch) : baseFetch;
    env.fetch = web && spec.cacheOnly ? cacheOnlyFetch(guarded, allowed.slice(1)) : guarded;
  }

  async function loadImpl(
    spec: ModelSpec,
    signal: AbortSignal | undefined,
    onProgress: ((p: LoadProgress) => void) | undefined,
  ): Promise<LoadResult> {
    validateSpec(spec);
    throwIfAborted(signal);
    if (loaded) await unloadImpl();
    const started = now();
    const tracker = createProgressTracker(onProgress);
    const device = effectiveDevice(spec.device);
    const tf = await resolve(deps.transformers, () => import('@huggingface/transformers'));
    await configureEnv(tf, spec);

    const progress_callback = (info: Transformers.ProgressInfo): void => {
      if (info.status === 'initiate') tracker.initiate(info.file);
      else if (info.status === 'progress') tracker.download(info.file, info.loaded, info.total);
      else if (info.status === 'done') tracker.done(info.file);
    };
    const revision = spec.source.revision ?? 'main';
    let model: ModelLike | undefined;
    try {
      // config.json first: a missing model fails here with a clean 404
      // (the tokenizer loader treats its files as optional and fails obscurely).
      const config = await tf.AutoConfig.from_pretrained(spec.id, { revision, progress_callback });
      throwIfAborted(signal);
      const tokenizer = await tf.AutoTokenizer.from_pretrained(spec.id, { revision, progress_callback });
      throwIfAborted(signal);
      const Auto =
        spec.task === 'text-generation' ? tf.AutoModelForCausalLM : spec.task === 'feature-extraction' ? tf.AutoModel : tf.AutoModelForSequenceClassification;
      model = await Auto.from_pretrained(spec.id, { revision, config, device, dtype: spec.dtype as Transformers.DataType, progress_callback });
      tracker.compile(1);
      throwIfAborted(signal);
      const loadMs = now() - started;

      let warmupMs = 0;
      const extractor = spec.task === 'feature-extraction' ? new tf.FeatureExtractionPipeline({ task: 'feature-extraction', model, tokenizer }) : undefined;
      let dims: number | undefined;
      if (extractor) {
        // An embedder always runs once: the probe gives the vector length, which keys its stored vectors.
        tracker.warmup();
        const w0 = now();
        dims = (await extractor([WARMUP_TEXT], { pooling: 'mean', normalize: true })).dims[1];
        warmupMs = now() - w0;
        throwIfAborted(signal);
      } else if (!spec.skipWarmup) {
        tracker.warmup();
        const w0 = now();
        const inputs = tokenizer(WARMUP_TEXT);
        if (spec.task === 'text-generation') await model.generate({ ...inputs, max_new_tokens: 1, do_sample: false });
        else await model(inputs);
        warmupMs = now() - w0;
        throwIfAborted(signal);
      }

      loaded = { spec, device, tf, tokenizer, model, ...(extractor ? { extractor } : {}) };
      const reuse = deps.prefixReuse ?? true;
      // onnxruntime-node cannot read WebGPU outputs back (see prefix-cache.ts): no reuse there.
      prefix =
        reuse !== false && spec.task === 'text-generation' && (isWebRuntime() || device !== 'webgpu')
          ? createPrefixCache(tf.Tensor, { downloadGpu: isWebRuntime(), ...(reuse === true ? {} : reuse) })
          : undefined;
      const maxPositions = (model.config as { max_position_embeddings?: number }).max_position_embeddings;
      tracker.ready();
      return {
        id: spec.id,
        engine: 'transformers',
        device,
        dtype: spec.dtype,
        loadMs,
        warmupMs,
        library: `transformers.js ${tf.env.version}`,
        contextTokens: spec.contextTokens ?? maxPositions ?? 2048,
        prefixReuse: prefix !== undefined,
        ...(dims ? { dims } : {}),
      };
    } catch (error) {
      if (model && loaded?.model !== model) await model.dispose().catch(() => undefined);
      if (signal?.aborted) throw new AbortError();
      const typed = classifyEngineError(error, { phase: 'load', device, modelId: spec.id });
      if (spec.cacheOnly && typed.code === 'NOT_FOUND') {
        throw new MedfactError('CORRUPT_CACHE', `Files of the installed model ${spec.id} are missing from the browser cache. Reinstall it on the Models screen.`, {
          modelId: spec.id,
        });
      }
      throw typed;
    }
  }

  function requireLoaded(task: ModelSpec['task']): Loaded {
    if (!loaded) throw new MedfactError('MODEL_NOT_LOADED', 'No model is loaded. Load a model first.');
    if (loaded.spec.task !== task) {
      throw new MedfactError(
        'UNSUPPORTED',
        `The loaded model ${loaded.spec.id} is a ${loaded.spec.task} model; this call needs ${task}.`,
      );
    }
    return loaded;
  }

  /** One forward pass over a prefix's tokens (after `past`), for the prefix cache; only the last logits row is asked for. */
  function prefixForward(m: Loaded): PrefixForward {
    const { tf, model } = m;
    return async (ids, total, past) => {
      const feeds = {
        input_ids: new tf.Tensor('int64', BigInt64Array.from(ids, (id) => BigInt(id)), [1, ids.length]),
        attention_mask: new tf.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
        num_logits_to_keep: new tf.Tensor('int64', [1n], []),
        ...(past ? { past_key_values: { ...past } } : {}),
      };
      return (await model(feeds)) as Record<string, TensorLike>;
    };
  }

  /** The reusable prefix for a (batch 1) prompt; with reuse off (engine-wide or for this call), the whole prompt is prefilled. */
  async function planPrefix(m: Loaded, inputIds: TensorLike, reuse = true): Promise<PrefixPlan> {
    const ids = Array.from(inputIds.data as BigInt64Array, Number);
    if (!prefix || !reuse || inputIds.dims[0] !== 1) return { past: undefined, cachedLength: 0, prefillTokens: ids.length };
    try {
      return await prefix.plan(ids, prefixForward(m));
    } catch (error) {
      prefix.clear();
      throw classifyEngineError(error, { phase: 'generate', device: m.device, modelId: m.spec.id });
    }
  }

  async function generateImpl(
    params: GenerateParams,
    signal: AbortSignal | undefined,
    onChunk: ((c: GenerateChunk) => void) | undefined,
  ): Promise<GenerateResult> {
    const m = requireLoaded('text-generation');
    validateMessages(params.messages);
    if (!Number.isInteger(params.maxTokens) || params.maxTokens < 1) {
      throw new MedfactError('BAD_INPUT', 'maxTokens must be a positive whole number.');
    }
    throwIfAborted(signal);
    const { tf, tokenizer, model } = m;
    const inputs = chatInputs(tokenizer, params.messages, params.thinking ?? false);
    const promptTokens = inputs.input_ids.dims[inputs.input_ids.dims.length - 1] ?? 0;
    const started = now();
    const plan = await planPrefix(m, inputs.input_ids, params.prefixReuse !== false);
    // A fresh wrapper per call: generate() swaps its entries for its own outputs; the cached tensors stay as they are.
    const cache = plan.past ? new tf.DynamicCache({ ...plan.past }) : undefined;

    const stopping = new tf.InterruptableStoppingCriteria();
    const onAbort = (): void => stopping.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });

    const sampling = params.temperature > 0;
    // transformers.js samples with a module-level Mersenne Twister
    // (`random`); seeding it makes a sampled run reproducible for the same
    // prompt, settings and library version. Greedy decoding ignores it.
    if (sampling && params.seed !== undefined) tf.random.seed(params.seed);

    let completion = 0;
    let firstTokenAt: number | undefined;
    const streamer = new tf.TextStreamer(tokenizer, {
      skip_prompt: true,
      skip_special_tokens: true,
      token_callback_function: (ids: bigint[]) => {
        firstTokenAt ??= now();
        completion += ids.length;
      },
      callback_function: (text: string) => {
        if (!signal?.aborted) onChunk?.({ text, tokens: completion });
      },
    });

    let output: unknown;
    try {
      output = await model.generate({
        ...inputs,
        ...(cache ? { past_key_values: cache } : {}),
        max_new_tokens: params.maxTokens,
        do_sample: sampling,
        ...(sampling ? { temperature: params.temperature, top_p: params.topP ?? 1 } : {}),
        streamer,
        stopping_criteria: stopping,
      });
    } catch (error) {
      prefix?.clear();
      if (signal?.aborted) throw new AbortError();
      throw classifyEngineError(error, { phase: 'generate', device: m.device, modelId: m.spec.id });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // Releases what generate() left in the wrapper (GPU buffers); CPU entries are untouched.
      if (cache) await cache.dispose().catch(() => undefined);
    }
    const ended = now();
    // The engine has stopped by now; report the cancellation.
    if (signal?.aborted) throw new AbortError();

    const sequences = output as TensorLike;
    const all = (sequences.tolist() as bigint[][])[0] ?? [];
    const generated = all.slice(promptTokens);
    const text = tokenizer.decode(generated, { skip_special_tokens: true });
    const last = generated[generated.length - 1];
    const special = new Set(tokenizer.all_special_ids.map((id) => BigInt(id)));
    const finishReason: GenerateResult['finishReason'] =
      generated.length >= params.maxTokens && (last === undefined || !special.has(last)) ? 'length' : 'stop';
    const first = firstTokenAt ?? ended;
    return {
      text,
      finishReason,
      promptTokens,
      completionTokens: generated.length,
      prefillTokens: plan.prefillTokens,
      prefillMs: first - started,
      decodeMs: ended - first,
    };
  }

  async function scoreImpl(params: ScoreParams, signal: AbortSignal | undefined): Promise<ScoreResult> {
    throwIfAborted(signal);
    const started = now();
    if (params.kind === 'judge') {
      const m = requireLoaded('text-generation');
      validateMessages(params.messages);
      const yesId = firstTokenId(m.tokenizer, params.yes);
      const noId = firstTokenId(m.tokenizer, params.no);
      const inputs = chatInputs(m.tokenizer, params.messages, false);
      const plan = await planPrefix(m, inputs.input_ids);
      const total = inputs.input_ids.dims[1] ?? 0;
      // With a cached prefix only the rest of the prompt goes through the model.
      const feeds = plan.past
        ? { ...inputs, input_ids: inputs.input_ids.slice(null, [plan.cachedLength, total]), past_key_values: { ...plan.past } }
        : inputs;
      let logits: TensorLike;
      try {
        const out = (await m.model({ ...feeds, num_logits_to_keep: new m.tf.Tensor('int64', [1n], []) })) as Record<string, TensorLike>;
        logits = out.logits as TensorLike;
        for (const [name, t] of Object.entries(out)) if (name !== 'logits' && t.location === 'gpu-buffer') t.dispose();
      } catch (error) {
        prefix?.clear();
        throw classifyEngineError(error, { phase: 'score', device: m.device, modelId: m.spec.id });
      }
      throwIfAborted(signal);
      const judged = judgeFromLogits(lastRowLogits(logits), yesId, noId);
      return { score: judged.score, raw: judged.raw, ms: now() - started };
    }

    const m = requireLoaded('text-classification');
    if (typeof params.text !== 'string' || params.text.length === 0) {
      throw new MedfactError('BAD_INPUT', 'Classification needs a non-empty text.');
    }
    const inputs = m.tokenizer(params.text, {
      ...(params.textPair !== undefined ? { text_pair: params.textPair } : {}),
      truncation: true,
    });
    let logits: TensorLike;
    try {
      const out = (await m.model(inputs)) as { logits: TensorLike };
      logits = out.logits;
    } catch (error) {
      throw classifyEngineError(error, { phase: 'score', device: m.device, modelId: m.spec.id });
    }
    throwIfAborted(signal);
    const id2label = ((m.model.config as { id2label?: Record<string, string> }).id2label ?? {}) as Record<string, string>;
    const result = classifyFromLogits(Array.from(logits.data as Float32Array), id2label, params.positiveLabel);
    return { score: result.score, raw: result.raw, ms: now() - started };
  }

  async function embedImpl(params: EmbedParams, signal: AbortSignal | undefined, onProgress: ((p: { done: number; total: number }) => void) | undefined): Promise<EmbedResult> {
    const m = requireLoaded('feature-extraction');
    const extractor = m.extractor as Transformers.FeatureExtractionPipeline;
    const prefix = (params.kind === 'query' ? m.spec.embedPrefixes?.query : m.spec.embedPrefixes?.passage) ?? '';
    const started = now();
    const vectors: Float32Array[] = [];
    let dims = 0;
    for (let i = 0; i < params.texts.length; i += EMBED_BATCH) {
      throwIfAborted(signal);
      const batch = params.texts.slice(i, i + EMBED_BATCH).map((t) => prefix + t);
      let tensor: TensorLike;
      try {
        tensor = await extractor(batch, { pooling: 'mean', normalize: true });
      } catch (error) {
        throw classifyEngineError(error, { phase: 'score', device: m.device, modelId: m.spec.id });
      }
      const [rows = 0, width = 0] = tensor.dims;
      const data = tensor.data as Float32Array;
      dims = width;
      for (let r = 0; r < rows; r++) vectors.push(data.slice(r * width, (r + 1) * width));
      onProgress?.({ done: vectors.length, total: params.texts.length });
    }
    return { vectors, dims, ms: now() - started };
  }

  async function unloadImpl(): Promise<void> {
    const current = loaded;
    loaded = undefined;
    prefix?.clear();
    prefix = undefined;
    if (current) await current.model.dispose().catch(() => undefined);
  }

  return {
    load: (spec, options) => queue.run(() => loadImpl(spec, options?.signal, options?.onProgress)),
    generate: (params, options) => queue.run(() => generateImpl(params, options?.signal, options?.onChunk)),
    score: (params, options) => queue.run(() => scoreImpl(params, options?.signal)),
    embed: (params, options) => queue.run(() => embedImpl(params, options?.signal, options?.onProgress)),
    unload: () => queue.run(() => unloadImpl()),
  };
}
