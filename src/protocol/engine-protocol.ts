/**
 * Runtime validators for the model engine's messages. Each schema is
 * annotated with the engine.ts type it checks, so the compiler proves the
 * two agree and the parsed value needs no cast.
 */
import { z } from './zod';
import type {
  ChatMessage,
  GenerateChunk,
  GenerateParams,
  GenerateResult,
  LoadProgress,
  LoadResult,
  ModelSource,
  ModelSpec,
  ScoreParams,
  ScoreResult,
} from './engine';
import { neverPayload, type EngineMethods, type Protocol } from './messages';

const fraction = z.number().min(0).max(1);
const count = z.number().nonnegative();

const engineKind = z.enum(['transformers', 'webllm', 'openai']);
const device = z.enum(['webgpu', 'wasm', 'cpu']);
const dtype = z.enum(['fp32', 'fp16', 'q8', 'q4', 'q4f16', 'q4f32', 'q0f16', 'q0f32']);

const modelSource: z.ZodType<ModelSource> = z.object({
  hubHost: z.string().min(1),
  libHost: z.string().optional(),
  revision: z.string().optional(),
  mirrorOnly: z.boolean().optional(),
});

export const modelSpecSchema: z.ZodType<ModelSpec> = z.object({
  id: z.string().min(1),
  engine: engineKind,
  task: z.enum(['text-generation', 'text-classification']),
  device,
  dtype,
  source: modelSource,
  modelLib: z.string().optional(),
  contextTokens: z.number().int().positive().optional(),
  sha256: z.record(z.string(), z.string()).optional(),
  skipWarmup: z.boolean().optional(),
  cacheOnly: z.boolean().optional(),
});

export const loadProgressSchema: z.ZodType<LoadProgress> = z.discriminatedUnion('status', [
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

export const loadResultSchema: z.ZodType<LoadResult> = z.object({
  id: z.string(),
  engine: engineKind,
  device,
  dtype,
  loadMs: count,
  warmupMs: count,
  library: z.string(),
  contextTokens: z.number().int().positive(),
  prefixReuse: z.boolean().optional(),
});

const chatMessage: z.ZodType<ChatMessage> = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

export const generateParamsSchema: z.ZodType<GenerateParams> = z.object({
  messages: z.array(chatMessage).min(1),
  maxTokens: z.number().int().positive(),
  temperature: z.number().min(0),
  topP: z.number().gt(0).max(1).optional(),
  seed: z.number().int().optional(),
  jsonSchema: z.string().optional(),
  thinking: z.boolean().optional(),
});

export const generateChunkSchema: z.ZodType<GenerateChunk> = z.object({ text: z.string(), tokens: count });

export const generateResultSchema: z.ZodType<GenerateResult> = z.object({
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

export const scoreParamsSchema: z.ZodType<ScoreParams> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('judge'), messages: z.array(chatMessage).min(1), yes: z.string().min(1), no: z.string().min(1) }),
  z.object({
    kind: z.literal('classify'),
    text: z.string(),
    textPair: z.string().optional(),
    positiveLabel: z.string().optional(),
  }),
]);

export const scoreResultSchema: z.ZodType<ScoreResult> = z.object({
  score: fraction,
  raw: z.record(z.string(), z.number()),
  ms: count,
});

/** Validators for every engine method, used by `serveEngine` and the engine client. */
export const engineProtocol: Protocol<EngineMethods> = {
  load: { params: modelSpecSchema, result: loadResultSchema, progress: loadProgressSchema, chunk: neverPayload },
  generate: { params: generateParamsSchema, result: generateResultSchema, progress: neverPayload, chunk: generateChunkSchema },
  score: { params: scoreParamsSchema, result: scoreResultSchema, progress: neverPayload, chunk: neverPayload },
  unload: { params: z.undefined(), result: z.undefined(), progress: neverPayload, chunk: neverPayload },
};
