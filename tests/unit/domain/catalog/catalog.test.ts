import { describe, expect, it } from 'vitest';
import type { Capabilities } from '../../../../src/protocol/capabilities';
import type { ModelSource } from '../../../../src/protocol/engine';
import { makeCaps, type CapabilitiesOptions } from '../../../kit/capabilities';
import { CatalogModelSchema } from '../../../../src/domain/catalog/schema';
import { customEntry, parseHubIdOrUrl } from '../../../../src/domain/catalog/custom-entry';
import { DEFAULT_CATALOG, findEntry } from '../../../../src/domain/catalog/catalog';
import { recommendDefaults } from '../../../../src/domain/catalog/recommend';
import { toModelSpec } from '../../../../src/domain/catalog/model-spec';
import { CatalogEntrySchema } from '../../../../src/domain/config/schema';

const GIB = 1024 ** 3;

/** A hardware GPU with shader-f16 unless told otherwise. */
const caps = (opts: CapabilitiesOptions = {}): Capabilities => makeCaps({ gpu: 'hardware', shaderF16: true, threads: 8, ...opts });

const NO_GPU = caps({ gpu: 'none', reason: 'no navigator.gpu' });
const SOURCE: ModelSource = { hubHost: 'https://huggingface.co', libHost: 'https://libs.example.org/v0_2_86/' };

describe('default catalog', () => {
  it('lists both engines, both roles, Qwen3 and Qwen2.5 builds from web-llm 0.2.86, and no fixture models', () => {
    const ids = DEFAULT_CATALOG.map((e) => e.id);
    for (const id of [
      'Qwen3-0.6B-q4f16_1-MLC',
      'Qwen3-1.7B-q4f32_1-MLC',
      'Qwen3-4B-q4f16_1-MLC',
      'Qwen3-8B-q4f32_1-MLC',
      'Qwen2.5-1.5B-Instruct-q4f16_1-MLC',
      'Qwen2.5-7B-Instruct-q4f32_1-MLC',
      'onnx-community/Qwen3-0.6B-ONNX',
    ]) {
      expect(ids).toContain(id);
    }
    expect(ids.some((id) => id.startsWith('fixture/'))).toBe(false);
    expect(new Set(DEFAULT_CATALOG.map((e) => e.role))).toEqual(new Set(['verifier', 'reward', 'embedder']));
    // unique per (id, role)
    expect(new Set(DEFAULT_CATALOG.map((e) => `${e.role}:${e.id}`)).size).toBe(DEFAULT_CATALOG.length);
  });

  it('every entry is valid for both the catalog schema and the app-config entry schema', () => {
    for (const e of DEFAULT_CATALOG) {
      expect(CatalogModelSchema.safeParse(e).success, e.id).toBe(true);
      expect(CatalogEntrySchema.safeParse(e).success, e.id).toBe(true);
      expect(e.description.zh.length).toBeGreaterThan(0);
      expect(e.description.en.length).toBeGreaterThan(0);
      expect(e.license).toBeTruthy();
    }
  });

  it('marks f16 WebLLM builds as needing shader-f16 and takes memory needs from web-llm', () => {
    const f16 = findEntry(DEFAULT_CATALOG, 'Qwen3-1.7B-q4f16_1-MLC', 'verifier');
    const f32 = findEntry(DEFAULT_CATALOG, 'Qwen3-1.7B-q4f32_1-MLC', 'verifier');
    expect(f16?.requiredFeatures).toEqual(['shader-f16']);
    expect(f32?.requiredFeatures).toEqual([]);
    expect(f16?.gpuMemoryMB).toBeCloseTo(2036.66, 2);
    expect(f16?.modelLib).toBe('Qwen3-1.7B-q4f16_1_cs1k-webgpu.wasm');
  });
});

describe('embedder entries (issue 11)', () => {
  it('lists bge-small-zh with its query prefix, as a feature-extraction model that the spec carries to the engine', () => {
    const bge = findEntry(DEFAULT_CATALOG, 'Xenova/bge-small-zh-v1.5', 'embedder');
    expect(bge?.task).toBe('feature-extraction');
    expect(bge?.embedPrefixes).toEqual({ query: '为这个句子生成表示以用于检索相关文章：' });
    const spec = toModelSpec(bge!, NO_GPU, SOURCE);
    expect(spec).toMatchObject({ task: 'feature-extraction', device: 'wasm', dtype: 'q8', embedPrefixes: { query: '为这个句子生成表示以用于检索相关文章：' } });
    expect(findEntry(DEFAULT_CATALOG, 'Xenova/multilingual-e5-small', 'embedder')?.embedPrefixes).toEqual({ query: 'query: ', passage: 'passage: ' });
  });

  it('refuses an embedder that is not a feature-extraction model, and a feature-extraction model in another role', () => {
    const bge = findEntry(DEFAULT_CATALOG, 'Xenova/bge-small-zh-v1.5', 'embedder')!;
    expect(CatalogModelSchema.safeParse({ ...bge, task: 'text-classification' }).success).toBe(false);
    expect(CatalogModelSchema.safeParse({ ...bge, role: 'verifier' }).success).toBe(false);
  });

  it('never recommends an embedder as the verifier or the reward model', () => {
    const rec = recommendDefaults(NO_GPU, DEFAULT_CATALOG);
    expect(rec.verifier.role).toBe('verifier');
    expect(rec.reward?.role ?? 'reward').toBe('reward');
  });
});

describe('recommendDefaults', () => {
  it('without WebGPU picks a transformers.js model on WASM', () => {
    const rec = recommendDefaults(NO_GPU, DEFAULT_CATALOG);
    expect(rec.verifier.engine).toBe('transformers');
    expect(rec.reward.engine).toBe('transformers');
    expect(toModelSpec(rec.verifier, NO_GPU, SOURCE)).toMatchObject({ device: 'wasm', dtype: 'q8' });
    expect(rec.reasons.join(' ')).toMatch(/WebGPU/);
  });

  it('treats a software (fallback) adapter like no GPU', () => {
    const swiftshader = caps({ gpu: 'software', shaderF16: false });
    const rec = recommendDefaults(swiftshader, DEFAULT_CATALOG);
    expect(rec.verifier.engine).toBe('transformers');
    expect(toModelSpec(rec.verifier, swiftshader, SOURCE).device).toBe('wasm');
  });

  it('with an adapter lacking shader-f16 picks q4f32 builds', () => {
    const noF16 = caps({ shaderF16: false });
    const rec = recommendDefaults(noF16, DEFAULT_CATALOG);
    expect(rec.verifier.engine).toBe('webllm');
    expect(rec.verifier.dtypes).toEqual(['q4f32']);
    expect(rec.reward.dtypes).toEqual(['q4f32']);
    expect(rec.reasons.join(' ')).toMatch(/shader-f16/);
    expect(toModelSpec(rec.verifier, noF16, SOURCE).dtype).toBe('q4f32');
  });

  it('with shader-f16 and plenty of memory picks a larger q4f16 build', () => {
    const rec = recommendDefaults(caps(), DEFAULT_CATALOG);
    expect(rec.verifier.engine).toBe('webllm');
    expect(rec.verifier.dtypes).toEqual(['q4f16']);
    expect(rec.verifier.paramsB).toBeGreaterThanOrEqual(1.7);
    // the judge reuses the verifier's weights
    expect(rec.reward.id).toBe(rec.verifier.id);
    expect(rec.reward.role).toBe('reward');
    expect(rec.reward.judge).toEqual({ yes: '是', no: '否' });
  });

  it('with little memory picks a smaller model than with plenty', () => {
    const big = recommendDefaults(caps({ memoryGiB: 8 }), DEFAULT_CATALOG);
    const small = recommendDefaults(caps({ memoryGiB: 2 }), DEFAULT_CATALOG);
    expect(small.verifier.paramsB ?? 0).toBeLessThan(big.verifier.paramsB ?? 0);
    // nothing fits a 1 GiB budget: the build with the least GPU memory
    const leastMemory = Math.min(...DEFAULT_CATALOG.filter((e) => e.engine === 'webllm').map((e) => e.gpuMemoryMB ?? Infinity));
    expect(small.verifier.gpuMemoryMB).toBe(leastMemory);
    const smallBuffers = recommendDefaults(
      caps({ limits: { maxBufferSize: 256 * 1024 * 1024, maxStorageBufferBindingSize: 128 * 1024 * 1024, maxComputeWorkgroupStorageSize: 16384 } }),
      DEFAULT_CATALOG,
    );
    expect(smallBuffers.verifier.gpuMemoryMB ?? Infinity).toBeLessThanOrEqual(2048);
    expect(smallBuffers.reasons.join(' ')).toMatch(/maxBufferSize/);
  });

  it('on the CPU path with little memory picks a small download', () => {
    const rec = recommendDefaults({ ...NO_GPU, deviceMemoryGiB: 2 }, DEFAULT_CATALOG);
    const spec = toModelSpec(rec.verifier, NO_GPU, SOURCE);
    expect(rec.verifier.sizeBytesByDtype?.[spec.dtype] ?? rec.verifier.sizeBytes).toBeLessThanOrEqual((2 * GIB) / 3);
  });

  it('fails with a typed error when nothing in the catalog can run', () => {
    const onlyWebllm = DEFAULT_CATALOG.filter((e) => e.engine === 'webllm');
    expect(() => recommendDefaults(NO_GPU, onlyWebllm)).toThrow(expect.objectContaining({ code: 'BAD_CONFIG' }));
  });
});

describe('toModelSpec', () => {
  const onnx = findEntry(DEFAULT_CATALOG, 'onnx-community/Qwen3-0.6B-ONNX', 'verifier');
  const mlcF16 = findEntry(DEFAULT_CATALOG, 'Qwen3-0.6B-q4f16_1-MLC', 'verifier');

  it('chooses q4f16 on WebGPU with shader-f16 and q4 without it', () => {
    if (!onnx) throw new Error('catalog entry missing');
    expect(toModelSpec(onnx, caps(), SOURCE)).toMatchObject({ engine: 'transformers', device: 'webgpu', dtype: 'q4f16', task: 'text-generation' });
    expect(toModelSpec(onnx, caps({ shaderF16: false }), SOURCE)).toMatchObject({ device: 'webgpu', dtype: 'q4' });
    expect(toModelSpec(onnx, caps(), SOURCE, { device: 'wasm' })).toMatchObject({ device: 'wasm', dtype: 'q8' });
  });

  it('carries the model library, context window and source, and refuses what cannot run', () => {
    if (!mlcF16) throw new Error('catalog entry missing');
    const spec = toModelSpec(mlcF16, caps(), SOURCE);
    expect(spec).toMatchObject({ engine: 'webllm', device: 'webgpu', dtype: 'q4f16', modelLib: 'Qwen3-0.6B-q4f16_1_cs1k-webgpu.wasm', contextTokens: 4096, source: SOURCE });
    expect(() => toModelSpec(mlcF16, caps({ shaderF16: false }), SOURCE)).toThrow(expect.objectContaining({ code: 'NO_SHADER_F16' }));
    expect(() => toModelSpec(mlcF16, NO_GPU, SOURCE)).toThrow(expect.objectContaining({ code: 'NO_WEBGPU' }));
  });
});

describe('customEntry', () => {
  it('adds a transformers.js model by hub id with default dtypes', () => {
    const e = customEntry({ engine: 'transformers', hubIdOrUrl: 'my-org/Qwen3-0.6B-med-ONNX' });
    expect(e).toMatchObject({ id: 'my-org/Qwen3-0.6B-med-ONNX', engine: 'transformers', role: 'verifier', dtypes: ['q4f16', 'q4', 'q8'] });
    expect(e.deviceDtypes?.wasm).toEqual(['q4', 'q8']);
    expect(e.hubHost).toBeUndefined();
  });

  it('adds a WebLLM model by mirror URL, inferring its quantisation and host', () => {
    const e = customEntry({
      engine: 'webllm',
      hubIdOrUrl: 'https://mirror.hospital.cn/models/mlc-ai/Qwen3-4B-q4f16_1-MLC/resolve/main/',
      modelLib: 'Qwen3-4B-q4f16_1_cs1k-webgpu.wasm',
    });
    expect(e).toMatchObject({ id: 'mlc-ai/Qwen3-4B-q4f16_1-MLC', dtypes: ['q4f16'], requiredFeatures: ['shader-f16'], hubHost: 'https://mirror.hospital.cn/models/' });
    const spec = toModelSpec(e, caps(), SOURCE);
    expect(spec.source.hubHost).toBe('https://mirror.hospital.cn/models/');
  });

  it('adds a classifier reward model with a positive label', () => {
    const e = customEntry({ engine: 'transformers', hubIdOrUrl: 'org/med-error-cls', role: 'reward', task: 'text-classification', dtypes: ['q8'], positiveLabel: 'error' });
    expect(e).toMatchObject({ role: 'reward', task: 'text-classification', positiveLabel: 'error' });
    expect(toModelSpec(e, NO_GPU, SOURCE)).toMatchObject({ device: 'wasm', dtype: 'q8', skipWarmup: true });
  });

  it('rejects invalid custom models with typed errors', () => {
    expect(() => customEntry({ engine: 'transformers', hubIdOrUrl: 'not a model' })).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => customEntry({ engine: 'transformers', hubIdOrUrl: 'ftp://x/y/z' })).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => customEntry({ engine: 'webllm', hubIdOrUrl: 'mlc-ai/Qwen3-4B-q4f16_1-MLC' })).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => customEntry({ engine: 'webllm', hubIdOrUrl: 'mlc-ai/SomeModel', modelLib: 'x.wasm' })).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => customEntry({ engine: 'webllm', hubIdOrUrl: 'mlc-ai/Qwen3-4B-q4f16_1-MLC', modelLib: 'x.wasm', task: 'text-classification' })).toThrow(
      expect.objectContaining({ code: 'BAD_INPUT' }),
    );
    expect(() => customEntry({ engine: 'transformers', hubIdOrUrl: 'org/m', dtypes: ['q4f32'] })).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });

  it('parses hub ids and URLs', () => {
    expect(parseHubIdOrUrl('org/name')).toEqual({ id: 'org/name' });
    expect(parseHubIdOrUrl('https://huggingface.co/org/name')).toEqual({ id: 'org/name', hubHost: 'https://huggingface.co/' });
  });
});
