/**
 * The model catalog entry: the app-config entry schema (src/config) plus the
 * facts the recommender needs. Every added field is optional, so an entry a
 * deployment lists in app-config.json is a valid catalog entry as it is.
 */
import { z } from '../../protocol/zod';
import { CatalogEntrySchema } from '../config/schema';
import type { Dtype } from '../../protocol/engine';

const dtype = z.enum(['fp32', 'fp16', 'q8', 'q4', 'q4f16', 'q4f32', 'q0f16', 'q0f32']);

export const CatalogModelSchema = CatalogEntrySchema.extend({
  /** Quantisations per device, best first; default: `dtypes` for both. */
  deviceDtypes: z.object({ webgpu: z.array(dtype).min(1).optional(), wasm: z.array(dtype).min(1).optional() }).optional(),
  /** Download size per dtype, where it differs from `sizeBytes`. */
  sizeBytesByDtype: z.partialRecord(dtype, z.number().int().positive()).optional(),
  /** True when the sizes are estimates (ONNX builds vary by export). */
  sizeApproximate: z.boolean().optional(),
  /** GPU memory the model needs at run time, in MB (WebLLM's vram_required_MB). */
  gpuMemoryMB: z.number().positive().optional(),
  /** Parameters in billions, for ordering by size. */
  paramsB: z.number().positive().optional(),
  /** Generative judge (reward role): the answer words whose first tokens are compared. */
  judge: z.object({ yes: z.string().min(1), no: z.string().min(1) }).optional(),
  /** Classifier (reward role): the label whose probability is the score. */
  positiveLabel: z.string().min(1).optional(),
  /** Embedder (retrieval): text put before each query / passage, as the model card asks. */
  embedPrefixes: z.object({ query: z.string().optional(), passage: z.string().optional() }).optional(),
  /** A hub/mirror other than the deployment's (custom entries added by URL). */
  hubHost: z.url({ protocol: /^https?$/ }).optional(),
}).superRefine((entry, ctx) => {
  if (entry.engine === 'webllm' && entry.task !== 'text-generation') {
    ctx.addIssue({ code: 'custom', path: ['task'], message: 'WebLLM runs text-generation models only' });
  }
  if (entry.engine === 'webllm' && entry.dtypes.some((d) => !d.startsWith('q'))) {
    ctx.addIssue({ code: 'custom', path: ['dtypes'], message: 'WebLLM builds are q4f16, q4f32, q0f16 or q0f32' });
  }
  if ((entry.role === 'embedder') !== (entry.task === 'feature-extraction')) {
    ctx.addIssue({ code: 'custom', path: ['task'], message: 'the embedder role is a feature-extraction model, and only it' });
  }
  if (entry.engine === 'webllm' && entry.role === 'embedder') {
    ctx.addIssue({ code: 'custom', path: ['engine'], message: 'embedders run on transformers.js' });
  }
  if (entry.engine === 'transformers' && entry.dtypes.some((d) => d === 'q4f32' || d === 'q0f16' || d === 'q0f32')) {
    ctx.addIssue({ code: 'custom', path: ['dtypes'], message: 'transformers.js loads fp32, fp16, q8, q4 or q4f16' });
  }
});

export type CatalogModel = z.infer<typeof CatalogModelSchema>;

/** f16 builds need the WebGPU `shader-f16` feature. */
export function needsShaderF16(d: Dtype): boolean {
  return d === 'q4f16' || d === 'q0f16' || d === 'fp16';
}

/** Download size for one dtype (falls back to the entry's default size). */
export function downloadBytes(entry: CatalogModel, d: Dtype): number {
  return entry.sizeBytesByDtype?.[d] ?? entry.sizeBytes;
}
