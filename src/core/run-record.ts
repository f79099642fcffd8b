/**
 * Shapes of a benchmark run: its configuration, its provenance, its state and
 * one stored result per item. Plain data (stored in IndexedDB, sent between
 * threads, exported), no behaviour.
 */
import type { FormularyRow } from './meds';
import type { Verdict } from './check';
import type { PromptVariant } from './prompts';
import type { ThresholdPreset } from './gating';
import type { Prediction } from './predictions';
import type { Device, Dtype, EngineKind, ModelSpec } from '../protocol/engine';
import type { SerializedError } from '../protocol/errors';

export const RUN_RECORD_VERSION = 1;

/** running → paused ⇄ running → completed | cancelled; `running` with a stale heartbeat means interrupted. */
export type RunState = 'running' | 'paused' | 'cancelled' | 'completed';

/** Which items of a dataset a run covers. */
export interface ItemSelection {
  /** Keep only items with this gold label. */
  label?: 'error' | 'correct';
  errorTypes?: string[];
  specialties?: string[];
  styles?: string[];
  difficulties?: number[];
  /** A seeded random sample of this many items (after filtering). */
  sampleSize?: number;
  /** Seed of the sample and of the item order. */
  seed?: number;
}

/** A preset name or a number in 0..1. */
export type ThresholdPolicy = { kind: 'preset'; preset: ThresholdPreset } | { kind: 'value'; value: number };

export interface RunModelConfig {
  spec: ModelSpec;
  /** Display name (catalog label). */
  label?: string;
}

export interface RewardModelConfig extends RunModelConfig {
  mode: 'judge' | 'classify';
  positiveLabel?: string;
}

export interface RunConfig {
  verifier: RunModelConfig;
  reward: RewardModelConfig | null;
  variant: PromptVariant;
  thinking: boolean;
  samples: number;
  maxTokens: number;
  threshold: ThresholdPolicy;
  /** 0 is greedy. */
  temperature: number;
  /** Largest chunk handed to the verifier at once, in UTF-16 units (defaults from the context window). */
  contextChars?: number;
  /** Formulary rules (issue 12): model only (absent or mode 'model'), rules only (no model is loaded), or model + rules. */
  formulary?: RunFormulary;
}

export interface RunFormulary {
  mode: 'model' | 'rules' | 'model+rules';
  /** SHA-256 of the formulary file: recorded in provenance. */
  hash: string;
  fileName: string;
  rows: FormularyRow[];
}

export interface LoadedModelInfo {
  id: string;
  revision: string;
  engine: EngineKind;
  device: Device;
  dtype: Dtype;
  /** e.g. "transformers.js 4.3.1" */
  library: string;
  loadMs: number;
  contextTokens: number;
}

/** Everything needed to say later how a number was produced. */
export interface RunProvenance {
  verifier: LoadedModelInfo | null;
  reward: LoadedModelInfo | null;
  promptId: string;
  promptVersion: string;
  promptHash: string;
  answerFormat: string;
  appVersion: string;
  userAgent: string;
  /** "vendor architecture (description)", or a reason when there is no adapter. */
  gpuAdapter: string;
  /** ISO date of the run's first start. */
  date: string;
  datasetId: string;
  datasetHash: string;
  datasetName: string;
  /** Item ids in run order (also stored on the run). */
  itemCount: number;
  seed: number | null;
  /** Each (re)start of the worker on this run, ISO dates. */
  sessions: string[];
  /** The formulary rules the run applied (issue 12); absent or null for a model-only run. */
  formulary?: { mode: RunFormulary['mode']; hash: string; fileName: string } | null;
}

export interface RunCounts {
  total: number;
  /** Items stored (done or failed). */
  stored: number;
  done: number;
  failed: number;
}

export interface RunRecord {
  v: typeof RUN_RECORD_VERSION;
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  /** Last sign of life of the loop running it; a `running` run with an old heartbeat was interrupted. */
  heartbeatAt: number;
  state: RunState;
  /** 'local': run in this browser; 'imported': a predictions file from elsewhere. */
  origin: 'local' | 'imported';
  datasetId: string;
  datasetHash: string;
  selection: ItemSelection;
  /** The items, in run order. */
  itemIds: string[];
  config: RunConfig | null;
  provenance: RunProvenance | null;
  counts: RunCounts;
  /** Why the run stopped, when it stopped on an error (device lost, model failed to load). */
  error?: SerializedError;
  finishedAt?: number;
}

/** One span of a run item's findings, as stored. */
export interface StoredFinding {
  start: number | null;
  end: number | null;
  quote: string;
  type: string;
  correction: string;
  reason: string;
  confidence: number;
  rewardScore: number | null;
  support: number;
  kept: boolean;
  severity: 'critical' | 'normal';
}

export type RunItemStatus = 'done' | 'failed';

export interface RunItemRecord {
  runId: string;
  itemId: string;
  /** Position in the run order. */
  index: number;
  status: RunItemStatus;
  attempts: number;
  /** The prediction at the run's threshold (what metrics score). */
  prediction: Prediction;
  verdict: Verdict | null;
  verifierVerdict: Verdict | null;
  /** complete | partial | unreadable (the verifier's answers), null when failed. */
  answerStatus: 'complete' | 'partial' | 'unreadable' | null;
  findings: StoredFinding[];
  /** Raw answers, one per sample and chunk. */
  raw: string[];
  /** Parsed verdict per raw answer (null: unreadable). */
  parsed: (boolean | null)[];
  timings: { totalMs: number; generateMs: number; scoreMs: number };
  tokens: { prompt: number; completion: number };
  threshold: number;
  error?: SerializedError;
  finishedAt: number;
}

/** What the runner reports while it works; fractions in 0..1 never go down within a session. */
export interface RunProgress {
  runId: string;
  state: RunState | 'loading';
  counts: RunCounts;
  fraction: number;
  /** The item in work and its position. */
  currentItemId: string | null;
  /** Loading a model: its progress. */
  loading?: { model: string; fraction: number };
  itemsPerMinute: number;
  /** Estimated milliseconds left, when measurable. */
  etaMs: number | null;
  /** Items retried in this session. */
  retries: number;
}
