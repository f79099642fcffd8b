/**
 * Types of the model installer. Plain TypeScript over browser APIs (fetch,
 * Cache Storage, navigator.storage, crypto): no model library, so it runs on
 * the page, in a Web Worker, and in Node tests with injected fakes.
 */
import type { Dtype, EngineKind, ModelSource, ModelTask } from '../../protocol/engine';
import type { CachedFile } from '../../storage/models-repo';

/** What to install: the parts of a ModelSpec (or catalog entry) that decide the files. */
export interface InstallTarget {
  id: string;
  engine: EngineKind;
  dtype: Dtype;
  task?: ModelTask;
  source: ModelSource;
  /** WebLLM: the compiled model library URL. */
  modelLib?: string;
  /** Expected SHA-256 (hex) per file path relative to the model folder. */
  sha256?: Record<string, string>;
  /** Explicit file list relative to the model folder; skips discovery. */
  files?: readonly string[];
}

/**
 * The narrow part of the Cache Storage API the installer uses. The real
 * `caches` global satisfies it; Node unit tests pass an in-memory one.
 */
export interface CacheLike {
  match(request: string): Promise<Response | undefined>;
  put(request: string, response: Response): Promise<void>;
  delete(request: string): Promise<boolean>;
  keys(): Promise<ReadonlyArray<{ url: string }>>;
}

export interface CacheStorageLike {
  open(cacheName: string): Promise<CacheLike>;
  delete(cacheName: string): Promise<boolean>;
  has(cacheName: string): Promise<boolean>;
}

export interface StorageEstimateInfo {
  usage: number | null;
  quota: number | null;
}

/** navigator.storage, injectable; `persist` is absent in workers. */
export interface StorageLike {
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
  persist?: () => Promise<boolean>;
  persisted?: () => Promise<boolean>;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** One file of a plan, with the exact Cache Storage entry the engine will look up (the record keeps the same fields). */
export type PlannedFile = CachedFile;

export interface InstallPlan {
  /** Install record id, see `installRecordId`. */
  recordId: string;
  target: InstallTarget;
  files: PlannedFile[];
  /** Sum of known sizes; files of unknown size count 0 until their download reports one. */
  totalBytes: number;
  /** Whether every file has a known size. */
  sizesKnown: boolean;
}

interface ProgressTotals {
  /** Bytes received or found whole in the cache, over all files. */
  loaded: number;
  total: number;
  /** Smoothed download speed in bytes a second (0 until measured). */
  bytesPerSecond: number;
  /** Seconds left at the current speed, null when unknown. */
  etaSeconds: number | null;
  /** Overall fraction 0..1; never goes down; exactly 1 only with `done`. */
  progress: number;
}

/** Install progress as a union keyed by `status`. */
export type InstallProgress =
  | ({ status: 'checking-storage'; estimate: StorageEstimateInfo; required: number } & ProgressTotals)
  | ({ status: 'download'; file: string; fileLoaded: number; fileTotal: number | null; resumed: boolean } & ProgressTotals)
  | ({ status: 'verify'; file: string } & ProgressTotals)
  | ({ status: 'file-done'; file: string; fromCache: boolean } & ProgressTotals)
  | ({ status: 'done' } & ProgressTotals);
