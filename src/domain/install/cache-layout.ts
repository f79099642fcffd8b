/**
 * Where each engine keeps its files in Cache Storage, read from the library
 * sources so that a file written here is found by the engine exactly as if
 * the engine had downloaded it itself:
 *
 * transformers.js 4.3.1 (src/utils/hub.js, src/utils/cache.js): one cache
 * named `env.cacheKey` = `transformers-cache`; the key is the remote URL
 * `pathJoin(env.remoteHost, '{model}/resolve/{revision}/', file)` with the
 * revision URI-encoded (default `main`). The engine must set
 * `env.remoteHost = source.hubHost` and keep the default path template.
 *
 * web-llm 0.2.86 (lib/index.js, cacheBackend "cache"): three caches,
 * `webllm/config` (mlc-chat-config.json), `webllm/model` (tokenizer files,
 * tensor-cache.json and its shards) and `webllm/wasm` (the model library).
 * Keys are `new URL(file, cleanModelUrl(record.model)).href` and, for the
 * library, `record.model_lib` verbatim. web-llm does not cache a library
 * whose URL contains "localhost" or is relative.
 */
import type { InstallTarget, PlannedFile } from './types';

export const TRANSFORMERS_CACHE = 'transformers-cache';
export const WEBLLM_CONFIG_CACHE = 'webllm/config';
export const WEBLLM_MODEL_CACHE = 'webllm/model';
export const WEBLLM_WASM_CACHE = 'webllm/wasm';
/** Every cache an engine of this app writes model files into. */
export const ENGINE_CACHES = [TRANSFORMERS_CACHE, WEBLLM_CONFIG_CACHE, WEBLLM_MODEL_CACHE, WEBLLM_WASM_CACHE] as const;

export const PUBLIC_HUB = 'https://huggingface.co/';

/** transformers.js `pathJoin`: trims one slash at each joint. */
export function pathJoin(...parts: string[]): string {
  return parts
    .map((part, index) => {
      let p = part;
      if (index > 0) p = p.replace(/^\//, '');
      if (index !== parts.length - 1) p = p.replace(/\/$/, '');
      return p;
    })
    .join('/');
}

export function revisionOf(target: Pick<InstallTarget, 'source'>): string {
  return target.source.revision ?? 'main';
}

/** The URL (and cache key) transformers.js uses for one file of a model. */
export function transformersFileUrl(target: Pick<InstallTarget, 'id' | 'source'>, file: string): string {
  const folder = `${target.id}/resolve/${encodeURIComponent(revisionOf(target))}/`;
  return pathJoin(target.source.hubHost, folder, file);
}

/** web-llm's `cleanModelUrl`: appends `resolve/main/` unless a `/resolve/<rev>/` is there. */
export function cleanModelUrl(modelUrl: string): string {
  let url = modelUrl.endsWith('/') ? modelUrl : `${modelUrl}/`;
  if (!/.+\/resolve\/.+\//.test(url)) url += 'resolve/main/';
  return new URL(url).href;
}

/**
 * The `model` URL a WebLLM model record gets for this target: the hub or
 * mirror host, the model id, and the revision folder. The WebLLM engine
 * must build its record from the same function so the cache keys agree.
 */
export function webllmModelRecordUrl(target: Pick<InstallTarget, 'id' | 'source'>): string {
  return pathJoin(target.source.hubHost, `${webllmRepo(target.id)}/resolve/${encodeURIComponent(revisionOf(target))}/`);
}

/** A bare WebLLM model id (`Qwen3-1.7B-q4f32_1-MLC`) lives in the hub's `mlc-ai` organisation, as in workers/webllm-engine.ts. */
export function webllmRepo(id: string): string {
  return id.includes('/') ? id : `mlc-ai/${id}`;
}

/** The hub folder holding a target's files (for manifests and picked folders). */
export function repoFolder(target: Pick<InstallTarget, 'id' | 'engine'>): string {
  return target.engine === 'webllm' ? webllmRepo(target.id) : target.id;
}

export function webllmFileUrl(target: Pick<InstallTarget, 'id' | 'source'>, file: string): string {
  return new URL(file, cleanModelUrl(webllmModelRecordUrl(target))).href;
}

/** web-llm caches the library only for absolute http(s) URLs without "localhost". */
export function webllmCachesLibrary(modelLib: string): boolean {
  return /^https?:\/\//.test(modelLib) && !modelLib.includes('localhost');
}

export function webllmCacheFor(file: string): string {
  return file === 'mlc-chat-config.json' ? WEBLLM_CONFIG_CACHE : WEBLLM_MODEL_CACHE;
}

/** The record id under which an install is stored: one record per model and dtype. */
export function installRecordId(target: Pick<InstallTarget, 'engine' | 'id' | 'dtype'>): string {
  return `${target.engine}:${target.id}:${target.dtype}`;
}

export function plannedFileFor(
  target: InstallTarget,
  path: string,
  kind: PlannedFile['kind'],
  size: number | null = null,
  sha256: string | null = null,
): PlannedFile {
  const hash = sha256 ?? target.sha256?.[path] ?? null;
  if (target.engine === 'transformers') {
    const url = transformersFileUrl(target, path);
    return { path, url, cacheName: TRANSFORMERS_CACHE, cacheKey: url, size, sha256: hash?.toLowerCase() ?? null, kind };
  }
  const url = webllmFileUrl(target, path);
  return { path, url, cacheName: webllmCacheFor(path), cacheKey: url, size, sha256: hash?.toLowerCase() ?? null, kind };
}

/** `https://m.example/x` → `https://m.example/x/`; an invalid URL is returned as is. */
export function normaliseBaseUrlSafe(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`}`;
  } catch {
    return url;
  }
}
