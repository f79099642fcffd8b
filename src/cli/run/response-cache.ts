/**
 * A response cache on disk, as a ModelEngine decorator, so a rerun after a
 * crash does not pay for answers twice. The key is a SHA-256 over the
 * endpoint, the model AS THE SERVER REPORTS IT (and the weights it says it
 * serves), the prompt template hash, the messages and every sampling
 * parameter: two models never share answers (lm-evaluation-harness PR
 * #4065 is the bug this avoids). Only successful answers are stored; errors
 * and cancellations never are. Sampled calls without a seed are not cached
 * (each must be a fresh sample). One file per entry, written to a temp name
 * and renamed, so concurrent writers and kills never leave a half entry.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GenerateParams, GenerateResult, ModelEngine, ScoreParams, ScoreResult } from '../../protocol/engine';
import { scoreBatch as scoreWith } from '../../protocol/score-batch';

/** Bump when the stored shape or the key's meaning changes. */
const CACHE_VERSION = 1;

export interface CacheScope {
  engine: string;
  /** Base URL, or the model folder for local engines. */
  endpoint: string;
  /** Model as the server reports it (id, and root/weights when reported). */
  model: string;
  weights?: string;
  promptHash: string;
}

export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
}

function sha256(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

export function generateKey(scope: CacheScope, p: GenerateParams): string {
  return sha256({
    v: CACHE_VERSION,
    kind: 'generate',
    scope,
    messages: p.messages,
    maxTokens: p.maxTokens,
    temperature: p.temperature,
    topP: p.topP ?? null,
    seed: p.seed ?? null,
    jsonSchema: p.jsonSchema ?? null,
    thinking: p.thinking ?? null,
  });
}

function scoreKey(scope: CacheScope, p: ScoreParams): string {
  return sha256({ v: CACHE_VERSION, kind: 'score', scope, params: p });
}

function isGenerateResult(v: unknown): v is GenerateResult {
  const r = v as GenerateResult;
  return !!r && typeof r.text === 'string' && (r.finishReason === 'stop' || r.finishReason === 'length') && typeof r.completionTokens === 'number';
}

function isScoreResult(v: unknown): v is ScoreResult {
  const r = v as ScoreResult;
  return !!r && typeof r.score === 'number' && Number.isFinite(r.score) && typeof r.raw === 'object';
}

export function createCachedEngine(inner: ModelEngine, dir: string, scope: CacheScope, stats: CacheStats): ModelEngine {
  const fileOf = (key: string): string => join(dir, key.slice(0, 2), `${key}.json`);

  async function get(key: string): Promise<unknown> {
    try {
      const entry = JSON.parse(await readFile(fileOf(key), 'utf8')) as { key?: string; value?: unknown };
      return entry.key === key ? entry.value : undefined;
    } catch {
      return undefined; // missing or damaged: a miss
    }
  }

  async function put(key: string, value: unknown): Promise<void> {
    const file = fileOf(key);
    await mkdir(join(dir, key.slice(0, 2)), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, JSON.stringify({ key, scope, value }), 'utf8');
    await rename(tmp, file);
    stats.writes++;
  }

  return {
    load: (spec, options) => inner.load(spec, options),
    unload: (options) => inner.unload(options),
    async generate(params, options) {
      const cacheable = params.temperature === 0 || params.seed !== undefined;
      if (!cacheable) return inner.generate(params, options);
      const key = generateKey(scope, params);
      const hit = await get(key);
      if (isGenerateResult(hit)) {
        stats.hits++;
        options?.onChunk?.({ text: hit.text, tokens: hit.completionTokens });
        return hit;
      }
      stats.misses++;
      const result = await inner.generate(params, options);
      if (result.finishReason !== 'abort') await put(key, result);
      return result;
    },
    async score(params, options) {
      const key = scoreKey(scope, params);
      const hit = await get(key);
      if (isScoreResult(hit)) {
        stats.hits++;
        return hit;
      }
      stats.misses++;
      const result = await inner.score(params, options);
      await put(key, result);
      return result;
    },
    /** Hits from disk; the misses go to the inner engine in one batch (a remote engine runs them concurrently). */
    async scoreBatch(items, options) {
      const keys = items.map((p) => scoreKey(scope, p));
      const results = await Promise.all(keys.map(async (key) => {
        const hit = await get(key);
        return isScoreResult(hit) ? hit : undefined;
      }));
      const missing = results.flatMap((r, i) => (r ? [] : [i]));
      const hits = items.length - missing.length;
      stats.hits += hits;
      stats.misses += missing.length;
      if (hits > 0) options?.onProgress?.({ done: hits, total: items.length });
      const fresh = await scoreWith(inner, missing.map((i) => items[i] as ScoreParams), {
        ...(options?.signal ? { signal: options.signal } : {}),
        onProgress: (p) => options?.onProgress?.({ done: hits + p.done, total: items.length }),
      });
      for (const [k, i] of missing.entries()) {
        const result = fresh[k] as ScoreResult;
        results[i] = result;
        await put(keys[i] as string, result);
      }
      return results.map((r) => r as ScoreResult);
    },
  };
}
