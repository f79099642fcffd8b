/**
 * The optional `embedder` role's engine (issue 11): a transformers.js
 * feature-extraction model (e.g. Xenova/bge-small-zh-v1.5) turning passages
 * and queries into mean-pooled, L2-normalised vectors for the dense side of
 * retrieval. Kept apart from transformers-engine.ts (generation and
 * classification) so the model-session work can wire it in one place; it
 * reads weights the same way: a hub or mirror with the
 * `{model}/resolve/{revision}/` layout, mirror-only when asked, the file
 * cache in Node and the Cache API in the browser.
 */
import type * as Transformers from '@huggingface/transformers';
import type { Device, Dtype } from '../src/protocol/engine';
import { MedfactError, throwIfAborted } from '../src/protocol/errors';
import { createGuardedFetch, normaliseBase, type FetchLike } from './engine-shared/fetch-guard';
import { isWebRuntime } from './transformers-engine';

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
  /** Texts per forward pass. */
  batchSize?: number;
}

export function createEmbedder(deps: EmbedderDeps = {}): Embedder {
  let extractor: Transformers.FeatureExtractionPipeline | null = null;
  let current: EmbedderSpec | null = null;
  const batchSize = deps.batchSize ?? 16;
  return {
    async load(spec, signal) {
      throwIfAborted(signal);
      const started = performance.now();
      const tf = await (deps.transformers ?? (() => import('@huggingface/transformers')))();
      const { env } = tf;
      const web = isWebRuntime();
      env.allowLocalModels = false;
      env.allowRemoteModels = true;
      env.remoteHost = normaliseBase(spec.hubHost);
      env.remotePathTemplate = '{model}/resolve/{revision}/';
      env.useBrowserCache = web;
      env.useFSCache = !web;
      if (!web && deps.cacheDir) env.cacheDir = deps.cacheDir;
      if (spec.mirrorOnly) env.fetch = createGuardedFetch([spec.hubHost], env.fetch as FetchLike);
      await extractor?.dispose();
      extractor = await tf.pipeline('feature-extraction', spec.id, {
        revision: spec.revision ?? 'main',
        device: !web && spec.device === 'wasm' ? 'cpu' : spec.device,
        dtype: spec.dtype as Transformers.DataType,
      });
      current = spec;
      throwIfAborted(signal);
      const [probe] = await this.embed(['你好'], 'query', signal);
      return { dims: probe?.length ?? 0, loadMs: performance.now() - started, library: `transformers.js ${env.version}` };
    },
    async embed(texts, kind, signal) {
      if (!extractor || !current) throw new MedfactError('MODEL_NOT_LOADED', 'No embedder model is loaded.');
      const prefix = (kind === 'query' ? current.queryPrefix : current.passagePrefix) ?? '';
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        throwIfAborted(signal);
        const batch = texts.slice(i, i + batchSize).map((t) => prefix + t);
        const tensor = await extractor(batch, { pooling: 'mean', normalize: true });
        const [rows = 0, dims = 0] = tensor.dims as number[];
        const data = tensor.data as Float32Array;
        for (let r = 0; r < rows; r++) out.push(data.slice(r * dims, (r + 1) * dims));
      }
      return out;
    },
    async unload() {
      await extractor?.dispose();
      extractor = null;
      current = null;
    },
  };
}
