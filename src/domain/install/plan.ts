/**
 * Works out which files an engine will read for a model, where to download
 * them, the exact cache entry each must land in, and their sizes and hashes
 * (from the mirror's manifest.json, the catalog, WebLLM's tensor-cache.json
 * or a HEAD request, in that order).
 */
import { MedfactError, toMedfactError } from '../../protocol/errors';
import type { Dtype } from '../../protocol/engine';
import {
  PUBLIC_HUB,
  WEBLLM_WASM_CACHE,
  installRecordId,
  repoFolder,
  normaliseBaseUrlSafe,
  plannedFileFor,
  transformersFileUrl,
  webllmCachesLibrary,
  webllmFileUrl,
} from './cache-layout';
import { manifestFilesFor, parseMirrorManifest, type ManifestEntry, type MirrorManifest } from './mirror-manifest';
import { assertUrlAllowed } from './source-guard';
import type { FetchLike, InstallPlan, InstallTarget, PlannedFile } from './types';

/** transformers.js file suffix per dtype (DEFAULT_DTYPE_SUFFIX_MAPPING in 4.3.1). */
export const TRANSFORMERS_DTYPE_SUFFIX: Readonly<Partial<Record<Dtype, string>>> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
};

export function transformersModelFile(dtype: Dtype): string {
  const suffix = TRANSFORMERS_DTYPE_SUFFIX[dtype];
  if (suffix === undefined) {
    throw new MedfactError('BAD_CONFIG', `transformers.js has no ONNX file for dtype ${dtype}. Pick fp32, fp16, q8, q4 or q4f16.`, { dtype });
  }
  return `onnx/model${suffix}.onnx`;
}

/** Files transformers.js always reads for a text model (tokenizer + config + one ONNX session). */
export function transformersRequiredFiles(target: Pick<InstallTarget, 'dtype'>): string[] {
  return ['config.json', 'tokenizer.json', 'tokenizer_config.json', transformersModelFile(target.dtype)];
}

/** Files it reads when present: the generation config and external-data chunks. */
export function transformersOptionalFiles(target: Pick<InstallTarget, 'dtype' | 'task'>, dataChunks = 8): string[] {
  const model = transformersModelFile(target.dtype);
  const out: string[] = [];
  if (target.task !== 'text-classification') out.push('generation_config.json');
  for (let i = 0; i < dataChunks; i++) out.push(`${model}_data${i === 0 ? '' : `_${i}`}`);
  return out;
}

export interface PlanOptions {
  fetch?: FetchLike;
  signal?: AbortSignal;
  /** A manifest already read (tests, folder import); skips fetching one. */
  manifest?: MirrorManifest | null;
}

function isPublicHub(host: string): boolean {
  return normaliseBaseUrlSafe(host) === normaliseBaseUrlSafe(PUBLIC_HUB);
}

export function validateTarget(target: InstallTarget): void {
  if (!target.id || /\s|\.\.|^\//.test(target.id)) {
    throw new MedfactError('BAD_INPUT', `"${target.id}" is not a model id. Use the hub form "organisation/name".`, { id: target.id });
  }
  try {
    const u = new URL(target.source.hubHost);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new MedfactError('BAD_CONFIG', `The model source "${target.source.hubHost}" is not an http(s) URL. Fix it in the settings or app-config.json.`);
  }
}

async function fetchJson(fetchFn: FetchLike, url: string, signal?: AbortSignal): Promise<unknown | null> {
  try {
    const res = await fetchFn(url, { signal, cache: 'no-store' });
    if (!res.ok) return null;
    return (await res.json()) as unknown;
  } catch (e) {
    const err = toMedfactError(e);
    if (err.code === 'ABORTED' || err.code === 'DOWNLOAD_FORBIDDEN') throw err;
    return null;
  }
}

/** Reads `<hubHost>/manifest.json`; null when there is none or it is unreadable. */
export async function fetchMirrorManifest(target: InstallTarget, fetchFn: FetchLike, signal?: AbortSignal): Promise<MirrorManifest | null> {
  if (isPublicHub(target.source.hubHost)) return null;
  const url = new URL('manifest.json', normaliseBaseUrlSafe(target.source.hubHost)).href;
  assertUrlAllowed(url, target.source);
  const json = await fetchJson(fetchFn, url, signal);
  return json === null ? null : parseMirrorManifest(json);
}

async function headSize(fetchFn: FetchLike, url: string, signal?: AbortSignal): Promise<{ exists: boolean; size: number | null }> {
  try {
    const res = await fetchFn(url, { method: 'HEAD', signal, cache: 'no-store' });
    if (res.status === 404 || res.status === 410) return { exists: false, size: null };
    // the hub answers LFS files with x-linked-size (the real size) next to a redirect
    const raw = res.headers.get('x-linked-size') ?? res.headers.get('content-length');
    const n = raw === null ? NaN : Number(raw);
    return { exists: res.ok, size: Number.isFinite(n) && n >= 0 ? n : null };
  } catch (e) {
    const err = toMedfactError(e);
    if (err.code === 'ABORTED' || err.code === 'DOWNLOAD_FORBIDDEN') throw err;
    return { exists: true, size: null };
  }
}

function fromManifest(target: InstallTarget, entries: Map<string, ManifestEntry>, path: string, kind: PlannedFile['kind']): PlannedFile {
  const e = entries.get(path);
  return plannedFileFor(target, path, kind, e?.size ?? null, e?.sha256 ?? null);
}

function kindOf(path: string): PlannedFile['kind'] {
  if (/tokenizer|vocab|merges/.test(path)) return 'tokenizer';
  if (/\.json$/.test(path) && !/tensor-cache/.test(path)) return 'config';
  return 'weights';
}

async function planTransformers(target: InstallTarget, opts: Required<Pick<PlanOptions, 'fetch'>> & PlanOptions, manifest: MirrorManifest | null): Promise<PlannedFile[]> {
  const { fetch: fetchFn, signal } = opts;
  if (target.files) return target.files.map((p) => plannedFileFor(target, p, kindOf(p)));
  const required = transformersRequiredFiles(target);
  if (manifest) {
    const entries = manifestFilesFor(manifest, target.id);
    const optional = transformersOptionalFiles(target).filter((p) => entries.has(p));
    return [...required, ...optional].map((p) => fromManifest(target, entries, p, kindOf(p)));
  }
  // No manifest: read config.json for external data, HEAD for sizes and optional files.
  const config = await fetchJson(fetchFn, transformersFileUrl(target, 'config.json'), signal);
  const tjs = config && typeof config === 'object' ? (config as Record<string, unknown>)['transformers.js_config'] : undefined;
  const ext = tjs && typeof tjs === 'object' ? (tjs as Record<string, unknown>)['use_external_data_format'] : undefined;
  const model = transformersModelFile(target.dtype);
  const chunks =
    typeof ext === 'number' ? ext : ext === true ? 1 : ext && typeof ext === 'object' ? Number((ext as Record<string, unknown>)[model.slice(5)] ?? (ext as Record<string, unknown>)['model'] ?? 0) : 0;
  const paths = [...required];
  for (let i = 0; i < chunks; i++) paths.push(`${model}_data${i === 0 ? '' : `_${i}`}`);
  const optional = target.task !== 'text-classification' ? ['generation_config.json'] : [];
  const out: PlannedFile[] = [];
  const heads = await Promise.all([...paths, ...optional].map((p) => headSize(fetchFn, transformersFileUrl(target, p), signal)));
  [...paths, ...optional].forEach((p, i) => {
    const h = heads[i] ?? { exists: true, size: null };
    if (!h.exists && optional.includes(p)) return;
    out.push(plannedFileFor(target, p, kindOf(p), h.size));
  });
  return out;
}

interface TensorCacheJson {
  records: Array<{ dataPath: string; nbytes?: number }>;
}

function isTensorCache(v: unknown): v is TensorCacheJson {
  return (
    !!v &&
    typeof v === 'object' &&
    Array.isArray((v as TensorCacheJson).records) &&
    (v as TensorCacheJson).records.every((r) => r && typeof r.dataPath === 'string')
  );
}

/**
 * The one tokenizer file web-llm 0.2.86 reads (asyncLoadTokenizer):
 * tokenizer.json when mlc-chat-config.json's tokenizer_files lists it, else
 * tokenizer.model when listed, else none (web-llm throws
 * UnsupportedTokenizerFilesError). A config without the list (or an
 * unreadable one, on the mirror) falls back to tokenizer.json.
 */
export function webllmTokenizerFile(chatConfig: unknown): 'tokenizer.json' | 'tokenizer.model' | null {
  const list = chatConfig && typeof chatConfig === 'object' ? (chatConfig as Record<string, unknown>)['tokenizer_files'] : undefined;
  if (!Array.isArray(list)) return 'tokenizer.json';
  if (list.includes('tokenizer.json')) return 'tokenizer.json';
  if (list.includes('tokenizer.model')) return 'tokenizer.model';
  return null;
}

export function noWebllmTokenizer(target: Pick<InstallTarget, 'id'>, chatConfig: unknown): MedfactError {
  const list = (chatConfig as { tokenizer_files?: unknown }).tokenizer_files;
  return new MedfactError(
    'BAD_INPUT',
    `The mlc-chat-config.json of ${target.id} lists no tokenizer WebLLM can read (tokenizer_files: ${JSON.stringify(list)}; it needs tokenizer.json or tokenizer.model). Use a build made by MLC's own converter.`,
    { modelId: target.id, tokenizerFiles: Array.isArray(list) ? list.filter((f): f is string => typeof f === 'string') : [] },
  );
}

/**
 * Library URL exactly as workers/webllm-engine.ts puts it in the model
 * record: absolute as given, else relative to libHost, else
 * `<modelId>-webgpu.wasm` under libHost.
 */
export function resolveModelLib(target: InstallTarget): string | null {
  const lib = target.modelLib;
  const libHost = target.source.libHost;
  try {
    if (lib && /^[a-z]+:\/\//i.test(lib)) return new URL(lib).href;
    if (!libHost) return null;
    const modelId = target.id.slice(target.id.lastIndexOf('/') + 1);
    return new URL(lib ? lib.replace(/^\/+/, '') : `${modelId}-webgpu.wasm`, normaliseBaseUrlSafe(libHost)).href;
  } catch {
    return null;
  }
}

async function planWebllm(target: InstallTarget, opts: Required<Pick<PlanOptions, 'fetch'>> & PlanOptions, manifest: MirrorManifest | null): Promise<PlannedFile[]> {
  const { fetch: fetchFn, signal } = opts;
  const files: PlannedFile[] = [];
  const entries = manifest ? manifestFilesFor(manifest, repoFolder(target)) : new Map<string, ManifestEntry>();
  if (target.files) {
    files.push(...target.files.map((p) => fromManifest(target, entries, p, kindOf(p))));
  } else {
    const chatConfig = await fetchJson(fetchFn, webllmFileUrl(target, 'mlc-chat-config.json'), signal);
    const tensorCache = await fetchJson(fetchFn, webllmFileUrl(target, 'tensor-cache.json'), signal);
    if (!isTensorCache(tensorCache)) {
      throw new MedfactError('NOT_FOUND', `No readable tensor-cache.json for ${target.id} at the model source. Check the model id and the mirror address.`, {
        url: webllmFileUrl(target, 'tensor-cache.json'),
      });
    }
    const tokenizer = webllmTokenizerFile(chatConfig);
    if (tokenizer === null) throw noWebllmTokenizer(target, chatConfig);
    files.push(fromManifest(target, entries, 'mlc-chat-config.json', 'config'));
    files.push(fromManifest(target, entries, tokenizer, 'tokenizer'));
    files.push(fromManifest(target, entries, 'tensor-cache.json', 'config'));
    const seen = new Set<string>();
    for (const r of tensorCache.records) {
      if (seen.has(r.dataPath)) continue;
      seen.add(r.dataPath);
      const f = fromManifest(target, entries, r.dataPath, 'weights');
      if (f.size === null && typeof r.nbytes === 'number') f.size = r.nbytes;
      files.push(f);
    }
    if (!manifest) {
      const sizes = await Promise.all(files.map((f) => (f.size === null ? headSize(fetchFn, f.url, signal) : Promise.resolve({ exists: true, size: f.size }))));
      files.forEach((f, i) => (f.size = sizes[i]?.size ?? f.size));
    }
  }
  const lib = resolveModelLib(target);
  if (lib && webllmCachesLibrary(lib)) {
    const name = decodeURIComponent(new URL(lib).pathname.split('/').pop() ?? 'model-lib.wasm');
    const libEntry = manifest ? [...manifest].find(([p]) => lib.endsWith(`/${p}`) || p.endsWith(`/${name}`) || p === name)?.[1] : undefined;
    const size = libEntry?.size ?? (manifest ? null : (await headSize(fetchFn, lib, signal)).size);
    files.push({
      path: name,
      url: lib,
      cacheName: WEBLLM_WASM_CACHE,
      cacheKey: lib,
      size,
      sha256: libEntry?.sha256 ?? target.sha256?.[name]?.toLowerCase() ?? null,
      kind: 'library',
    });
  }
  return files;
}

export function makePlan(target: InstallTarget, files: PlannedFile[]): InstallPlan {
  const totalBytes = files.reduce((s, f) => s + (f.size ?? 0), 0);
  return { recordId: installRecordId(target), target, files, totalBytes, sizesKnown: files.every((f) => f.size !== null) };
}

/**
 * Plans an install. In mirror-only mode every URL is checked first and a
 * URL outside the configured hosts is refused with DOWNLOAD_FORBIDDEN.
 */
export async function planInstall(target: InstallTarget, options: PlanOptions = {}): Promise<InstallPlan> {
  validateTarget(target);
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  // check the hosts before any request is made
  assertUrlAllowed(target.engine === 'transformers' ? transformersFileUrl(target, 'config.json') : webllmFileUrl(target, 'tensor-cache.json'), target.source);
  const lib = target.engine === 'webllm' ? resolveModelLib(target) : null;
  if (lib) assertUrlAllowed(lib, target.source);
  const manifest = options.manifest !== undefined ? options.manifest : await fetchMirrorManifest(target, fetchFn, options.signal);
  const opts = { ...options, fetch: fetchFn };
  const files = target.engine === 'transformers' ? await planTransformers(target, opts, manifest) : await planWebllm(target, opts, manifest);
  for (const f of files) assertUrlAllowed(f.url, target.source);
  return makePlan(target, files);
}
