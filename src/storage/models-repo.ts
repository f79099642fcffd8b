/**
 * Install records in the `models` store: one per model and dtype. A record
 * says `installed` only when every file is whole and verified in the
 * engine's own cache; an interrupted download stays `partial` (resume or
 * remove), a refused one (hash mismatch, missing file) is `failed`.
 */
import type { Dtype, EngineKind, ModelSource, ModelTask } from '../protocol/engine';
import type { SerializedError } from '../protocol/errors';
import { getAppDb, readAllValid, readValid, withStorageErrors, type AppDb } from './db';

export type InstallState = 'installing' | 'installed' | 'partial' | 'failed';
export const INSTALL_STATES: readonly InstallState[] = ['installing', 'installed', 'partial', 'failed'];

/** One file of a model as the engine's cache holds it: planned by the installer, recorded here. */
export interface CachedFile {
  /** Path relative to the model folder, e.g. `onnx/model_quantized.onnx`; for a WebLLM library, its file name. */
  path: string;
  /** Where it is downloaded from. */
  url: string;
  /** Cache Storage name the engine reads, e.g. `transformers-cache` or `webllm/model`. */
  cacheName: string;
  /** Cache key the engine looks up (for both engines: the remote URL). */
  cacheKey: string;
  /** Bytes when known from the manifest, catalog, tensor cache or a HEAD request. */
  size: number | null;
  /** Expected SHA-256 (lower-case hex) when known. */
  sha256: string | null;
  /** The model library (.wasm) lives at libHost rather than in the model folder. */
  kind: 'weights' | 'config' | 'tokenizer' | 'library';
}

export interface InstalledFile extends CachedFile {
  /** Whole (and verified when a hash is known) in the engine's cache. */
  done: boolean;
}

export interface ModelInstallRecord {
  /** `${engine}:${modelId}:${dtype}` */
  id: string;
  modelId: string;
  engine: EngineKind;
  dtype: Dtype;
  task?: ModelTask;
  source: ModelSource;
  modelLib?: string;
  /** Download from the hub or mirror, or import from picked files. */
  origin: 'download' | 'import';
  files: InstalledFile[];
  totalBytes: number;
  state: InstallState;
  /** When the install completed; null until then. */
  installedAt: number | null;
  updatedAt: number;
  /** Why the last attempt stopped, for partial and failed records. */
  error?: SerializedError;
}

export interface ModelsRepo {
  get(id: string): Promise<ModelInstallRecord | undefined>;
  put(record: ModelInstallRecord): Promise<void>;
  list(): Promise<ModelInstallRecord[]>;
  delete(id: string): Promise<void>;
  clear(): Promise<void>;
}

function isRecord(value: unknown): value is ModelInstallRecord {
  if (!value || typeof value !== 'object') return false;
  const v = value as Partial<ModelInstallRecord>;
  return (
    typeof v.id === 'string' &&
    typeof v.modelId === 'string' &&
    (v.engine === 'transformers' || v.engine === 'webllm') &&
    typeof v.dtype === 'string' &&
    Array.isArray(v.files) &&
    typeof v.state === 'string' &&
    (INSTALL_STATES as readonly string[]).includes(v.state)
  );
}

export function createModelsRepo(db: () => Promise<AppDb> = () => getAppDb()): ModelsRepo {
  return {
    get: async (id) => (await readValid(async () => (await db()).get('models', id), isRecord)) ?? undefined,
    put: (record) => withStorageErrors(async () => void (await (await db()).put('models', record))),
    list: async () => (await readAllValid(async () => (await db()).getAll('models'), isRecord)).sort((a, b) => a.id.localeCompare(b.id)),
    delete: (id) => withStorageErrors(async () => (await db()).delete('models', id)),
    clear: () => withStorageErrors(async () => (await db()).clear('models')),
  };
}

/** In-memory repository (tests, or a browser without IndexedDB). */
export function createMemoryModelsRepo(): ModelsRepo {
  const rows = new Map<string, ModelInstallRecord>();
  const copy = (r: ModelInstallRecord): ModelInstallRecord => structuredClone(r);
  return {
    get: async (id) => {
      const r = rows.get(id);
      return r ? copy(r) : undefined;
    },
    put: async (record) => void rows.set(record.id, copy(record)),
    list: async () => [...rows.values()].map(copy).sort((a, b) => a.id.localeCompare(b.id)),
    delete: async (id) => void rows.delete(id),
    clear: async () => rows.clear(),
  };
}

export const modelsRepo: ModelsRepo = createModelsRepo();
