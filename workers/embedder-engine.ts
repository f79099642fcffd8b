/**
 * The `embedder` role (issue 11) as a small Node-friendly interface: a
 * transformers.js feature-extraction model (e.g. Xenova/bge-small-zh-v1.5)
 * turning passages and queries into mean-pooled, L2-normalised vectors. It
 * is the transformers engine loaded with task `feature-extraction` (the same
 * env, mirror-only guard, caches and `embed` method the app's engine worker
 * serves), so the CLI, the tests and the app embed identically.
 */
import type * as Transformers from '@huggingface/transformers';
import type { Device, Dtype, EmbedPrefixes } from '../src/protocol/engine';
import { createTransformersEngine } from './transformers-engine';

export interface EmbedderSpec {
  id: string;
  hubHost: string;
  revision?: string;
  mirrorOnly?: boolean;
  device: Device;
  dtype: Dtype;
  /** Prepended to queries only (bge: 为这个句子生成表示以用于检索相关文章：; e5: "query: "). */
  queryPrefix?: string;
  /** Prepended to passages only (e5: "passage: "). */
  passagePrefix?: string;
}

export interface Embedder {
  load(spec: EmbedderSpec, signal?: AbortSignal): Promise<{ dims: number; loadMs: number; library: string }>;
  /** One normalised vector per text; `kind` picks the prefix. */
  embed(texts: readonly string[], kind: 'query' | 'passage', signal?: AbortSignal): Promise<Float32Array[]>;
  unload(): Promise<void>;
}

export interface EmbedderDeps {
  transformers?: () => Promise<typeof Transformers>;
  /** Node: the library's file cache folder. */
  cacheDir?: string;
}

export function createEmbedder(deps: EmbedderDeps = {}): Embedder {
  const engine = createTransformersEngine({ ...(deps.transformers ? { transformers: deps.transformers } : {}), ...(deps.cacheDir ? { cacheDir: deps.cacheDir } : {}) });
  return {
    async load(spec, signal) {
      const embedPrefixes: EmbedPrefixes = {};
      if (spec.queryPrefix) embedPrefixes.query = spec.queryPrefix;
      if (spec.passagePrefix) embedPrefixes.passage = spec.passagePrefix;
      const result = await engine.load(
        {
          id: spec.id,
          engine: 'transformers',
          task: 'feature-extraction',
          device: spec.device,
          dtype: spec.dtype,
          source: { hubHost: spec.hubHost, ...(spec.revision ? { revision: spec.revision } : {}), ...(spec.mirrorOnly ? { mirrorOnly: true } : {}) },
          embedPrefixes,
        },
        signal ? { signal } : {},
      );
      return { dims: result.dims ?? 0, loadMs: result.loadMs + result.warmupMs, library: result.library };
    },
    async embed(texts, kind, signal) {
      const embed = engine.embed;
      if (!embed) throw new Error('the transformers engine has no embed');
      return (await embed({ texts: [...texts], kind }, signal ? { signal } : {})).vectors;
    },
    unload: () => engine.unload(),
  };
}
