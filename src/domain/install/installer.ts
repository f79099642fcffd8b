/**
 * Installs a planned model into the engine's own Cache Storage entries, so
 * that loading afterwards is exactly what it would be after the engine's
 * own download. Checks the storage estimate first, asks for persistent
 * storage, downloads file by file with resume, verifies SHA-256 where it is
 * known, and keeps an install record that says `installed` only when every
 * file is whole.
 */
import { AbortError, MedfactError, serializeError, toMedfactError } from '../../protocol/errors';
import type { InstalledFile, ModelInstallRecord, ModelsRepo } from '../../storage/models-repo';
import { ENGINE_CACHES, TRANSFORMERS_CACHE } from './cache-layout';
import { downloadFile } from './download-file';
import { PARTIAL_CACHE, PartialStore } from './partial-store';
import { createInstallProgress, type InstallProgressTracker } from './progress';
import { hashMismatch, sha256Hex } from './sha256';
import { assertUrlAllowed } from './source-guard';
import type { CacheStorageLike, FetchLike, InstallPlan, InstallProgress, PlannedFile, StorageEstimateInfo, StorageLike } from './types';

export interface InstallerDeps {
  caches: CacheStorageLike;
  repo: ModelsRepo;
  fetch: FetchLike;
  /** navigator.storage where there is one; null skips the estimate and persist steps. */
  storage: StorageLike | null;
  now: () => number;
}

export interface InstallOptions {
  onProgress?: (p: InstallProgress) => void;
  signal?: AbortSignal;
  /** Bytes held in memory before a chunk of a download is written to storage. */
  chunkBytes?: number;
}

export interface InstallResult {
  record: ModelInstallRecord;
  /** Whether the browser granted persistent storage (false in headless Chromium; null when not asked). */
  persisted: boolean | null;
}

/** Real browser dependencies (page or worker). */
export async function browserInstallerDeps(repo: ModelsRepo): Promise<InstallerDeps> {
  if (typeof caches === 'undefined') {
    throw new MedfactError('UNSUPPORTED', 'This browser offers no Cache Storage (private mode or an insecure origin), so models cannot be stored. Open the app over https or localhost.');
  }
  return {
    caches,
    repo,
    fetch: (input, init) => fetch(input, init),
    storage: typeof navigator !== 'undefined' && navigator.storage ? navigator.storage : null,
    now: () => Date.now(),
  };
}

export async function readEstimate(storage: StorageLike | null): Promise<StorageEstimateInfo> {
  if (!storage?.estimate) return { usage: null, quota: null };
  try {
    const e = await storage.estimate();
    return { usage: typeof e.usage === 'number' ? e.usage : null, quota: typeof e.quota === 'number' ? e.quota : null };
  } catch {
    return { usage: null, quota: null };
  }
}

export function quotaError(estimate: StorageEstimateInfo, required: number, modelId: string): MedfactError {
  const available = estimate.quota !== null && estimate.usage !== null ? Math.max(0, estimate.quota - estimate.usage) : null;
  return new MedfactError(
    'QUOTA_EXCEEDED',
    `Not enough storage for ${modelId}: it needs ${required} bytes, ${available ?? 'an unknown number of'} bytes are free (${estimate.usage ?? '?'} of ${estimate.quota ?? '?'} used). Remove models you do not use, then try again.`,
    { modelId, required, usage: estimate.usage, quota: estimate.quota, available },
  );
}

/** Bytes a download still needs: what is missing plus room for one temporary copy of the largest file. */
export function requiredBytes(remaining: ReadonlyArray<{ size: number | null; stored: number }>): number {
  let need = 0;
  let largest = 0;
  for (const f of remaining) {
    const size = f.size ?? 0;
    need += Math.max(0, size - f.stored);
    largest = Math.max(largest, size);
  }
  return need + largest;
}

function recordFromPlan(plan: InstallPlan, previous: ModelInstallRecord | undefined, origin: ModelInstallRecord['origin'], now: number): ModelInstallRecord {
  const t = plan.target;
  const rec: ModelInstallRecord = {
    id: plan.recordId,
    modelId: t.id,
    engine: t.engine,
    dtype: t.dtype,
    source: { ...t.source },
    origin,
    files: plan.files.map((f) => ({ ...f, done: previous?.files.find((p) => p.cacheKey === f.cacheKey)?.done ?? false })),
    totalBytes: plan.totalBytes,
    state: 'installing',
    installedAt: null,
    updatedAt: now,
  };
  if (t.task) rec.task = t.task;
  if (t.modelLib) rec.modelLib = t.modelLib;
  return rec;
}

/** Size of a cache entry: Content-Length when stored, else the body's size. */
async function entrySize(res: Response): Promise<number> {
  const header = res.headers.get('content-length');
  if (header !== null && Number.isFinite(Number(header))) return Number(header);
  return (await res.blob()).size;
}

/** Whether the engine cache already holds this file whole (size check; hashes were checked when it was written). */
export async function isWholeInCache(caches: CacheStorageLike, file: Pick<PlannedFile, 'cacheName' | 'cacheKey' | 'size'>): Promise<boolean> {
  const res = await (await caches.open(file.cacheName)).match(file.cacheKey);
  if (!res) return false;
  if (file.size === null) return true;
  return (await entrySize(res)) === file.size;
}

function contentType(path: string): string {
  if (path.endsWith('.json')) return 'application/json';
  if (path.endsWith('.wasm')) return 'application/wasm';
  return 'application/octet-stream';
}

/** Writes a verified file under the exact key the engine looks up. */
export async function writeToEngineCache(caches: CacheStorageLike, file: PlannedFile, blob: Blob): Promise<void> {
  const cache = await caches.open(file.cacheName);
  const headers = { 'content-type': contentType(file.path), 'content-length': String(blob.size) };
  await cache.put(file.cacheKey, new Response(blob, { status: 200, headers }));
}

/** Checks size and hash of a whole file before it goes into the engine cache. */
export async function verifyBlob(file: PlannedFile, blob: Blob, signal?: AbortSignal): Promise<void> {
  if (file.size !== null && blob.size !== file.size) {
    throw new MedfactError(
      'HASH_MISMATCH',
      `The file ${file.path} has ${blob.size} bytes where the source lists ${file.size}. It was refused: remove it and install again, or ask the mirror's administrator.`,
      { file: file.path, expectedSize: file.size, actualSize: blob.size },
    );
  }
  if (file.sha256) {
    const actual = await sha256Hex(blob, signal);
    if (actual !== file.sha256) throw hashMismatch(file.path, file.sha256, actual);
  }
}

/** State a record is left in after an error: interrupted → partial (resume), refused → failed. */
export function stateAfterError(error: MedfactError): 'partial' | 'failed' {
  return error.code === 'ABORTED' || error.code === 'NETWORK' || error.code === 'QUOTA_EXCEEDED' || error.code === 'STORAGE' ? 'partial' : 'failed';
}

interface FileSource {
  /** Produces the whole file, reporting bytes as they arrive. */
  get(file: PlannedFile, tracker: InstallProgressTracker, signal?: AbortSignal): Promise<Blob>;
  /** Bytes already held for resuming this file. */
  stored(file: PlannedFile): Promise<number>;
  /** Drops temporary data of a file (after it is written, or refused). */
  discard(file: PlannedFile): Promise<void>;
}

export function downloadSource(deps: InstallerDeps, chunkBytes?: number): FileSource {
  const partial = new PartialStore(deps.caches);
  return {
    async get(file, tracker, signal) {
      const { blob } = await downloadFile(file, {
        fetch: deps.fetch,
        partial,
        ...(signal ? { signal } : {}),
        ...(chunkBytes ? { chunkBytes } : {}),
        onBytes: (loaded, total, received, resumed) => tracker.download(file.path, loaded, total, received, resumed),
      });
      return blob;
    },
    stored: (file) => partial.contiguousLength(file.url),
    discard: (file) => partial.clear(file.url),
  };
}

/**
 * The shared install loop for downloads and imports. Files already whole in
 * the engine cache are skipped; the record is updated after every file so
 * a reload can resume.
 */
export async function runInstall(
  plan: InstallPlan,
  deps: InstallerDeps,
  source: FileSource,
  origin: ModelInstallRecord['origin'],
  options: InstallOptions = {},
): Promise<InstallResult> {
  const { signal } = options;
  const tracker = createInstallProgress(options.onProgress, deps.now);
  tracker.setFiles(plan.files);
  if (origin === 'download') for (const f of plan.files) assertUrlAllowed(f.url, plan.target.source);
  if (signal?.aborted) throw new AbortError();

  const previous = await deps.repo.get(plan.recordId);
  const record = recordFromPlan(plan, previous, origin, deps.now());
  const save = async (): Promise<void> => {
    record.updatedAt = deps.now();
    await deps.repo.put(record);
  };

  try {
    // What is already there: whole files in the engine cache, prefixes of partial downloads.
    const remaining: Array<{ file: InstalledFile; size: number | null; stored: number }> = [];
    for (const f of record.files) {
      f.done = await isWholeInCache(deps.caches, f);
      if (!f.done) remaining.push({ file: f, size: f.size, stored: await source.stored(f) });
    }

    const required = requiredBytes(remaining);
    const estimate = await readEstimate(deps.storage);
    tracker.checkingStorage(estimate, required);
    if (estimate.quota !== null && estimate.usage !== null && required > estimate.quota - estimate.usage) {
      throw quotaError(estimate, required, plan.target.id);
    }

    let persisted: boolean | null = null;
    if (deps.storage?.persist) {
      try {
        persisted = (await deps.storage.persisted?.()) || (await deps.storage.persist());
      } catch {
        persisted = false;
      }
    }

    await save();
    for (const f of record.files) {
      if (f.done) {
        tracker.fileDone(f.path, true);
        continue;
      }
      if (signal?.aborted) throw new AbortError();
      const blob = await source.get(f, tracker, signal);
      tracker.verify(f.path);
      try {
        await verifyBlob(f, blob, signal);
      } catch (e) {
        // a refused file is not kept for resume: the next attempt starts it anew
        if (toMedfactError(e).code !== 'ABORTED') await source.discard(f);
        throw e;
      }
      await writeToEngineCache(deps.caches, f, blob);
      await source.discard(f);
      f.done = true;
      await save();
      tracker.fileDone(f.path, false);
    }

    record.state = 'installed';
    record.installedAt = deps.now();
    delete record.error;
    await save();
    tracker.done();
    return { record, persisted };
  } catch (e) {
    let err = toMedfactError(e);
    if (err.code === 'QUOTA_EXCEEDED' && err.details?.['required'] === undefined) {
      const estimate = await readEstimate(deps.storage);
      err = quotaError(estimate, plan.totalBytes, plan.target.id);
    }
    record.state = stateAfterError(err);
    record.error = serializeError(err);
    await save().catch(() => undefined);
    throw err;
  }
}

/** Downloads and installs a planned model. Rejects with a typed error; AbortError on cancel (partial data kept). */
export async function installModel(plan: InstallPlan, deps: InstallerDeps, options: InstallOptions = {}): Promise<InstallResult> {
  return runInstall(plan, deps, downloadSource(deps, options.chunkBytes), 'download', options);
}

export async function listInstalled(deps: Pick<InstallerDeps, 'repo'>): Promise<ModelInstallRecord[]> {
  return deps.repo.list();
}

/**
 * Removes a model's cache entries, partial downloads and record. Entries
 * another record still uses (the same config.json for two dtypes) stay.
 */
export async function deleteModel(recordId: string, deps: Pick<InstallerDeps, 'repo' | 'caches'>): Promise<void> {
  const record = await deps.repo.get(recordId);
  if (!record) return;
  const others = (await deps.repo.list()).filter((r) => r.id !== recordId);
  const shared = new Set(others.flatMap((r) => r.files.map((f) => `${f.cacheName} ${f.cacheKey}`)));
  const partial = new PartialStore(deps.caches);
  for (const f of record.files) {
    if (!shared.has(`${f.cacheName} ${f.cacheKey}`)) await (await deps.caches.open(f.cacheName)).delete(f.cacheKey);
    await partial.clear(f.url);
  }
  await deps.repo.delete(recordId);
}

/**
 * Removes every installed model: all records, partial downloads, the
 * WebLLM caches, and the model files in the transformers.js cache (its
 * runtime .wasm entries, which share that cache, stay).
 */
export async function clearAll(deps: Pick<InstallerDeps, 'repo' | 'caches'>): Promise<void> {
  for (const r of await deps.repo.list()) {
    for (const f of r.files) await (await deps.caches.open(f.cacheName)).delete(f.cacheKey);
  }
  const tf = await deps.caches.open(TRANSFORMERS_CACHE);
  for (const req of await tf.keys()) if (req.url.includes('/resolve/')) await tf.delete(req.url);
  for (const name of ENGINE_CACHES) if (name !== TRANSFORMERS_CACHE) await deps.caches.delete(name);
  await deps.caches.delete(PARTIAL_CACHE);
  await deps.repo.clear();
}

export interface VerifyOptions {
  /** Also recompute SHA-256 of files with a known hash (reads every byte). */
  deep?: boolean;
  signal?: AbortSignal;
}

/**
 * Checks that every file of an installed model is still whole in the
 * engine cache. Missing or damaged entries are removed, the record drops
 * to `partial` (so a resume downloads only those files), and
 * CORRUPT_CACHE is thrown with the files in its details.
 */
export async function verifyInstalled(recordId: string, deps: Pick<InstallerDeps, 'repo' | 'caches' | 'now'>, options: VerifyOptions = {}): Promise<ModelInstallRecord> {
  const record = await deps.repo.get(recordId);
  if (!record) throw new MedfactError('NOT_FOUND', `No install record for ${recordId}. Install the model first.`, { recordId });
  const bad: string[] = [];
  for (const f of record.files) {
    const cache = await deps.caches.open(f.cacheName);
    const res = await cache.match(f.cacheKey);
    let ok = !!res;
    if (res) {
      const blob = await res.blob();
      if (f.size !== null && blob.size !== f.size) ok = false;
      else if (options.deep && f.sha256 && (await sha256Hex(blob, options.signal)) !== f.sha256) ok = false;
    }
    if (!ok) {
      bad.push(f.path);
      f.done = false;
      await cache.delete(f.cacheKey);
    }
  }
  if (bad.length === 0) return record;
  const err = new MedfactError(
    'CORRUPT_CACHE',
    `${bad.length} file(s) of ${record.modelId} are missing or damaged in the browser cache (${bad.join(', ')}). Reinstall the model: only those files are downloaded again.`,
    { recordId, files: bad },
  );
  record.state = 'partial';
  record.error = serializeError(err);
  record.updatedAt = deps.now();
  await deps.repo.put(record);
  throw err;
}
