/**
 * The one engine interface. Real engines (transformers.js, WebLLM) implement
 * it inside workers; the main-thread client implements it by posting
 * messages; tests hand the pipeline an in-process engine. Callers never see
 * postMessage. This file holds the vocabulary (specs, params, results); the
 * methods are declared in engine-protocol.ts.
 */
import type { EngineImplementation } from './engine-protocol';

/** `openai`: an OpenAI-compatible inference server (vLLM, SGLang, llama.cpp, Ollama); spec.source.hubHost is its base URL. */
export type EngineKind = 'transformers' | 'webllm' | 'openai';
/** `feature-extraction`: the embedder role (retrieval vectors, issue 11). */
export type ModelTask = 'text-generation' | 'text-classification' | 'feature-extraction';
export type Device = 'webgpu' | 'wasm' | 'cpu';
export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16' | 'q4f32' | 'q0f16' | 'q0f32';

/** Where weights come from. `hubHost` is a hub or a self-hosted mirror serving `{model}/resolve/{revision}/{file}`. */
export interface ModelSource {
  hubHost: string;
  /** WebLLM only: base URL of the compiled model libraries (.wasm). */
  libHost?: string;
  revision?: string;
  /** Refuse any URL outside hubHost/libHost. */
  mirrorOnly?: boolean;
}

export interface ModelSpec {
  /** Catalog id, e.g. `onnx-community/Qwen3-0.6B-ONNX` or `Qwen3-1.7B-q4f32_1-MLC`. */
  id: string;
  engine: EngineKind;
  task: ModelTask;
  device: Device;
  dtype: Dtype;
  source: ModelSource;
  /** WebLLM: the model library URL; transformers.js: unused. */
  modelLib?: string;
  /** Context window in tokens, used to chunk long texts. */
  contextTokens?: number;
  /** Expected SHA-256 per file name, when the catalog or mirror gives them. */
  sha256?: Record<string, string>;
  /** Skip the warm-up generation after load (tests, classifiers). */
  skipWarmup?: boolean;
  /**
   * Read the model from the browser cache only (an installed model): a
   * missing file is a CORRUPT_CACHE error, never a download behind the
   * installer's back.
   */
  cacheOnly?: boolean;
  /** Embedders: text put before each query / passage (bge: 为这个句子生成表示以用于检索相关文章：; e5: `query: ` / `passage: `). */
  embedPrefixes?: EmbedPrefixes;
}

export interface EmbedPrefixes {
  query?: string;
  passage?: string;
}

/** Progress as a union keyed by `status`; `progress` is a fraction in 0..1 that never goes down. */
export type LoadProgress =
  | { status: 'initiate'; file: string; progress: number }
  | {
      status: 'download';
      file: string;
      loaded: number;
      total: number;
      /** total over all files so far */
      totalLoaded: number;
      totalBytes: number;
      progress: number;
    }
  | { status: 'done'; file: string; progress: number }
  | { status: 'compile'; progress: number; text?: string }
  | { status: 'warmup'; progress: number }
  | { status: 'ready'; progress: 1 };

export interface LoadResult {
  id: string;
  engine: EngineKind;
  device: Device;
  dtype: Dtype;
  loadMs: number;
  warmupMs: number;
  /** Library version, e.g. transformers.js 4.3.1, for provenance. */
  library: string;
  contextTokens: number;
  /** transformers.js: whether the engine reuses a shared prompt prefix's keys/values between calls (issue 15). */
  prefixReuse?: boolean;
  /** Embedders: the length of each vector. */
  dims?: number;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateParams {
  messages: ChatMessage[];
  maxTokens: number;
  /** 0 means greedy. */
  temperature: number;
  topP?: number;
  seed?: number;
  /** JSON schema as a string, for engines with grammar-constrained decoding. */
  jsonSchema?: string;
  /** Qwen3 thinking mode on or off. */
  thinking?: boolean;
  /**
   * false: compute this call's whole prompt, neither reading nor filling the
   * engine's prompt-prefix cache (the self-test compares outputs with and
   * without reuse). Absent: the engine reuses what it can.
   */
  prefixReuse?: boolean;
}

export interface GenerateChunk {
  /** Newly decoded text since the last chunk. */
  text: string;
  /** Completion tokens so far. */
  tokens: number;
}

export type FinishReason = 'stop' | 'length' | 'abort';

export interface GenerateResult {
  text: string;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  /**
   * Prompt tokens the engine actually computed for this call: promptTokens
   * minus those taken from a cached prompt prefix (issue 15). Absent when
   * the engine does not know (then count promptTokens).
   */
  prefillTokens?: number;
  /** Time to first token. */
  prefillMs: number;
  decodeMs: number;
  /** As the engine itself reports them, when it does (WebLLM). */
  engineStats?: { prefillTokensPerSec?: number; decodeTokensPerSec?: number };
}

/**
 * A judge asks a generative model a yes/no question and reads the
 * probability of `yes` against `no` as the first answer token; a classifier
 * scores a text (pair) with a sequence-classification head.
 */
export type ScoreParams =
  | { kind: 'judge'; messages: ChatMessage[]; yes: string; no: string }
  | { kind: 'classify'; text: string; textPair?: string; positiveLabel?: string };

export interface ScoreResult {
  /** Probability in 0..1 that the answer is yes / the positive label. */
  score: number;
  /** Raw per-label probabilities or logits, for provenance. */
  raw: Record<string, number>;
  ms: number;
}

/** Texts to embed; `kind` picks the model's query or passage prefix. */
export interface EmbedParams {
  texts: string[];
  kind: 'query' | 'passage';
}

/** One mean-pooled, L2-normalised vector per text, in input order. */
export interface EmbedResult {
  vectors: Float32Array[];
  dims: number;
  ms: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * The engine's methods: load, generate, score, optional scoreBatch, unload.
 * Declared once, with their validators, in engine-protocol.ts; this type is
 * derived from that declaration, so implementations, the worker server and
 * the main-thread proxy cannot drift apart.
 */
export type ModelEngine = EngineImplementation;
