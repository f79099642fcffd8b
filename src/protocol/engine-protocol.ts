/**
 * The model engine's API, declared once: `engineProtocol` maps each method to
 * its validators, and the method map, the ModelEngine type, the worker's
 * handlers and the main-thread proxy are all derived from it
 * (declare-protocol.ts). Each schema is annotated with the engine.ts type it
 * checks, so the compiler proves the two agree and the parsed value needs no
 * cast.
 */
import { z } from './zod';
import type * as E from './engine';
import { defineProtocol, type ImplementationOf, type MethodsOf } from './declare-protocol';
import { noParams } from './messages';

const fraction = z.number().min(0).max(1);
const count = z.number().nonnegative();

const engineKind = z.enum(['transformers', 'webllm', 'openai']);
const device = z.enum(['webgpu', 'wasm', 'cpu']);
const dtype = z.enum(['fp32', 'fp16', 'q8', 'q4', 'q4f16', 'q4f32', 'q0f16', 'q0f32']);

const modelSource: z.ZodType<E.ModelSource> = z.object({
  hubHost: z.string().min(1),
  libHost: z.string().optional(),
  revision: z.string().optional(),
  mirrorOnly: z.boolean().optional(),
});

export const modelSpecSchema: z.ZodType<E.ModelSpec> = z.object({
  id: z.string().min(1),
  engine: engineKind,
  task: z.enum(['text-generation', 'text-classification', 'feature-extraction']),
  device,
  dtype,
  source: modelSource,
  modelLib: z.string().optional(),
  contextTokens: z.number().int().positive().optional(),
  sha256: z.record(z.string(), z.string()).optional(),
  skipWarmup: z.boolean().optional(),
  cacheOnly: z.boolean().optional(),
  embedPrefixes: z.object({ query: z.string().optional(), passage: z.string().optional() }).optional(),
});

export const loadProgressSchema: z.ZodType<E.LoadProgress> = z.discriminatedUnion('status', [
  z.object({ status: z.literal('initiate'), file: z.string(), progress: fraction }),
  z.object({
    status: z.literal('download'),
    file: z.string(),
    loaded: count,
    total: count,
    totalLoaded: count,
    totalBytes: count,
    progress: fraction,
  }),
  z.object({ status: z.literal('done'), file: z.string(), progress: fraction }),
  z.object({ status: z.literal('compile'), progress: fraction, text: z.string().optional() }),
  z.object({ status: z.literal('warmup'), progress: fraction }),
  z.object({ status: z.literal('ready'), progress: z.literal(1) }),
]);

export const loadResultSchema: z.ZodType<E.LoadResult> = z.object({
  id: z.string(),
  engine: engineKind,
  device,
  dtype,
  loadMs: count,
  warmupMs: count,
  library: z.string(),
  contextTokens: z.number().int().positive(),
  prefixReuse: z.boolean().optional(),
  dims: z.number().int().positive().optional(),
});

const chatMessage: z.ZodType<E.ChatMessage> = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

export const generateParamsSchema: z.ZodType<E.GenerateParams> = z.object({
  messages: z.array(chatMessage).min(1),
  maxTokens: z.number().int().positive(),
  temperature: z.number().min(0),
  topP: z.number().gt(0).max(1).optional(),
  seed: z.number().int().optional(),
  jsonSchema: z.string().optional(),
  thinking: z.boolean().optional(),
  prefixReuse: z.boolean().optional(),
});

export const generateChunkSchema: z.ZodType<E.GenerateChunk> = z.object({ text: z.string(), tokens: count });

export const generateResultSchema: z.ZodType<E.GenerateResult> = z.object({
  text: z.string(),
  finishReason: z.enum(['stop', 'length', 'abort']),
  promptTokens: count,
  completionTokens: count,
  prefillTokens: count.optional(),
  prefillMs: count,
  decodeMs: count,
  engineStats: z
    .object({ prefillTokensPerSec: z.number().optional(), decodeTokensPerSec: z.number().optional() })
    .optional(),
});

export const scoreParamsSchema: z.ZodType<E.ScoreParams> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('judge'), messages: z.array(chatMessage).min(1), yes: z.string().min(1), no: z.string().min(1) }),
  z.object({
    kind: z.literal('classify'),
    text: z.string(),
    textPair: z.string().optional(),
    positiveLabel: z.string().optional(),
  }),
]);

export const scoreResultSchema: z.ZodType<E.ScoreResult> = z.object({
  score: fraction,
  raw: z.record(z.string(), z.number()),
  ms: count,
});

export const embedParamsSchema: z.ZodType<E.EmbedParams> = z.object({
  texts: z.array(z.string()),
  kind: z.enum(['query', 'passage']),
});

export const embedResultSchema: z.ZodType<E.EmbedResult> = z.object({
  vectors: z.array(z.instanceof(Float32Array)),
  dims: z.number().int().nonnegative(),
  ms: count,
});

/** Progress of a batch: items finished so far, out of all. */
const batchProgress = z.object({ done: z.number().int().nonnegative(), total: z.number().int().nonnegative() });

/** The model engine's methods. Add a method here and in the engines that implement it. */
export const engineProtocol = defineProtocol({
  /** Loads a model (switching engines when `spec.engine` changes); progress never goes down and ends with `ready` at 1. */
  load: { params: modelSpecSchema, result: loadResultSchema, progress: loadProgressSchema },
  /** One completion; text streams as chunks. */
  generate: { params: generateParamsSchema, result: generateResultSchema, chunk: generateChunkSchema },
  /** One judge or classifier score. */
  score: { params: scoreParamsSchema, result: scoreResultSchema },
  /**
   * Many scores in one call, in input order, each identical to `score`'s.
   * Optional for engines: scoreEach (score-batch.ts) falls back to `score`
   * one by one, so over a worker it is still one round trip.
   */
  scoreBatch: { params: z.array(scoreParamsSchema), result: z.array(scoreResultSchema), progress: batchProgress, optional: true },
  /** Embedders (task feature-extraction): one normalised vector per text; progress counts texts done. Optional for engines. */
  embed: { params: embedParamsSchema, result: embedResultSchema, progress: batchProgress, optional: true },
  unload: { params: noParams, result: z.undefined() },
});

/** The engine's method map, for the generic worker client and server. */
export type EngineMethods = MethodsOf<typeof engineProtocol>;

/** The engine interface as implementations see it (re-exported by engine.ts as `ModelEngine`). */
export type EngineImplementation = ImplementationOf<typeof engineProtocol>;
