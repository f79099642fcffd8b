/**
 * The deployment configuration hospital IT may place beside index.html as
 * `app-config.json`. Every field is optional; the defaults reach the public
 * Hugging Face hub and WebLLM's prebuilt model libraries on GitHub.
 * Pure: runs in the page, in Node (vite.config, scripts/configure) and tests.
 * This file pulls in zod: the shell imports `./types` and loads this lazily.
 */
import { z } from '../../protocol/zod';
import { LOCALES } from './types';

// Kept importable from here too (older imports); the zod-free home is ./types.
export {
  CONFIG_FILE_NAME,
  DEFAULT_APP_CONFIG,
  DEFAULT_MODEL_HOST,
  DEFAULT_MODEL_LIB_HOST,
  LOCALES,
  isLocale,
  type AppConfig,
  type InferenceEndpoint,
  type ConfigIssue,
  type ConfigIssueKind,
  type Locale,
} from './types';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. "https://mirror.example.org"' });
const localized = z.object({ zh: z.string().min(1), en: z.string().min(1) });

export const CatalogEntrySchema = z.object({
  /** Hub repository id (transformers.js) or WebLLM model id. */
  id: z.string().min(1),
  engine: z.enum(['transformers', 'webllm']),
  role: z.enum(['verifier', 'reward', 'embedder']),
  task: z.enum(['text-generation', 'text-classification', 'feature-extraction']),
  /** Quantisations offered, best first. */
  dtypes: z.array(z.enum(['fp32', 'fp16', 'q8', 'q4', 'q4f16', 'q4f32', 'q0f16', 'q0f32'])).min(1),
  /** Download size of the default dtype, for the install dialog and quota check. */
  sizeBytes: z.number().int().positive(),
  label: localized,
  description: localized,
  /** WebLLM: the compiled model library, absolute or relative to modelLibHost. */
  modelLib: z.string().min(1).optional(),
  license: z.string().min(1).optional(),
  /** WebGPU features the build needs, e.g. "shader-f16". */
  requiredFeatures: z.array(z.string().min(1)).optional(),
  contextTokens: z.number().int().positive().optional(),
});
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

/** An allowed inference server (see InferenceEndpoint in ./types). */
export const InferenceEndpointSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be a short id of letters, digits, ".", "_" or "-"'),
  label: z.string().min(1),
  baseUrl: httpUrl.refine((v) => {
    const u = new URL(v);
    return u.username === '' && u.password === '' && u.search === '' && u.hash === '';
  }, 'must be a plain base URL such as "http://gpu1.hospital.internal:8000/v1": no credentials, query or fragment (users enter an API key per session)'),
  models: z.array(z.string().min(1)).min(1),
  judge: z.string().min(1).optional(),
});

/** One schema per top-level field so that a bad field is dropped alone. */
export const APP_CONFIG_FIELDS = {
  modelHost: httpUrl,
  modelLibHost: httpUrl,
  mirrorOnly: z.boolean(),
  defaultVerifier: z.string().min(1),
  defaultReward: z.string().min(1),
  catalog: z.array(z.unknown()),
  locale: z.enum(LOCALES),
  inferenceEndpoints: z.array(z.unknown()),
} as const;

export const AppConfigFileSchema = z
  .object({
    modelHost: APP_CONFIG_FIELDS.modelHost,
    modelLibHost: APP_CONFIG_FIELDS.modelLibHost,
    mirrorOnly: APP_CONFIG_FIELDS.mirrorOnly,
    defaultVerifier: APP_CONFIG_FIELDS.defaultVerifier,
    defaultReward: APP_CONFIG_FIELDS.defaultReward,
    catalog: z.array(CatalogEntrySchema),
    locale: APP_CONFIG_FIELDS.locale,
    inferenceEndpoints: z.array(InferenceEndpointSchema),
  })
  .partial();
export type AppConfigFile = z.infer<typeof AppConfigFileSchema>;

