/**
 * Deployment-configuration types and defaults without zod, so the app shell
 * can use them on first paint; validation (./schema, ./validate) loads lazily.
 */
import type { CatalogEntry } from './schema';

export const CONFIG_FILE_NAME = 'app-config.json';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The public hub; transformers.js and WebLLM both default to it. */
export const DEFAULT_MODEL_HOST = 'https://huggingface.co';
/** WebLLM 0.2.86's prebuilt model libraries (its `modelLibURLPrefix` + `modelVersion`). */
export const DEFAULT_MODEL_LIB_HOST = 'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/';

/**
 * An inference server inside the hospital network that IT allows
 * (OpenAI-compatible: vLLM, SGLang, llama.cpp, Ollama). Text checked with it
 * leaves the device for that host, so the UI says so whenever it is chosen.
 * Never an API key here: this file is public; users enter a key per session.
 */
export interface InferenceEndpoint {
  id: string;
  /** Shown to users, e.g. "院内 GPU 服务器". */
  label: string;
  /** Base URL including the API prefix, e.g. "http://gpu1.hospital.internal:8000/v1". */
  baseUrl: string;
  /** Model names the server serves that users may pick as verifier. */
  models: string[];
  /** A model on the same server to use as the yes/no judge (reward gating). */
  judge?: string;
}

/** The configuration with defaults filled; what the rest of the app reads. */
export interface AppConfig {
  modelHost: string;
  modelLibHost: string;
  mirrorOnly: boolean;
  defaultVerifier: string | null;
  defaultReward: string | null;
  catalog: CatalogEntry[];
  /** The deployment's default language; a user's own choice wins. */
  locale: Locale | null;
  /** Inference servers IT allows; none unless configured. */
  inferenceEndpoints: InferenceEndpoint[];
}

export const DEFAULT_APP_CONFIG: Readonly<AppConfig> = Object.freeze({
  modelHost: DEFAULT_MODEL_HOST,
  modelLibHost: DEFAULT_MODEL_LIB_HOST,
  mirrorOnly: false,
  defaultVerifier: null,
  defaultReward: null,
  catalog: [],
  locale: null,
  inferenceEndpoints: [],
});

/** `invalid-entry`: a catalog entry had a bad field and the whole entry was left out. */
export type ConfigIssueKind = 'malformed' | 'unreadable' | 'invalid' | 'invalid-entry' | 'unknown' | 'duplicate';

export interface ConfigIssue {
  /** The field, e.g. `catalog[1].engine`, or `app-config.json` for the whole file. */
  path: string;
  kind: ConfigIssueKind;
  /** Technical detail in English (for IT); the UI adds a translated sentence. */
  message: string;
}
