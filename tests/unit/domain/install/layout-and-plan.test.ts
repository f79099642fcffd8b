import { describe, expect, it } from 'vitest';
import { TRANSFORMERS_CACHE, WEBLLM_CONFIG_CACHE, WEBLLM_MODEL_CACHE, WEBLLM_WASM_CACHE, cleanModelUrl, installRecordId, transformersFileUrl, webllmFileUrl } from '../../../../src/domain/install/cache-layout';
import { assertUrlAllowed } from '../../../../src/domain/install/source-guard';
import { makePlan, planInstall } from '../../../../src/domain/install/plan';
import { parseMirrorManifest } from '../../../../src/domain/install/mirror-manifest';
import type { FetchLike, InstallTarget } from '../../../../src/domain/install/types';
import { MedfactError } from '../../../../src/protocol/errors';

const hub = { hubHost: 'https://huggingface.co' };

describe('engine cache layout', () => {
  it('builds the transformers.js cache key exactly as its hub.js does', () => {
    expect(transformersFileUrl({ id: 'onnx-community/Qwen3-0.6B-ONNX', source: hub }, 'onnx/model_q4f16.onnx')).toBe(
      'https://huggingface.co/onnx-community/Qwen3-0.6B-ONNX/resolve/main/onnx/model_q4f16.onnx',
    );
    // trailing slash on the host and a revision with a slash (URI-encoded, like transformers.js)
    expect(transformersFileUrl({ id: 'a/b', source: { hubHost: 'http://m.local/models/', revision: 'refs/pr/1' } }, 'config.json')).toBe(
      'http://m.local/models/a/b/resolve/refs%2Fpr%2F1/config.json',
    );
  });

  it('builds web-llm keys from the model URL the way cleanModelUrl does', () => {
    expect(cleanModelUrl('https://huggingface.co/mlc-ai/X-MLC')).toBe('https://huggingface.co/mlc-ai/X-MLC/resolve/main/');
    expect(cleanModelUrl('https://h.example/m/resolve/v2/')).toBe('https://h.example/m/resolve/v2/');
    expect(webllmFileUrl({ id: 'mlc-ai/X-MLC', source: hub }, 'params_shard_0.bin')).toBe('https://huggingface.co/mlc-ai/X-MLC/resolve/main/params_shard_0.bin');
  });
});

describe('mirror manifest', () => {
  it('reads the list shape and the map shape, normalising served paths', () => {
    const hash = 'A'.repeat(64);
    const list = parseMirrorManifest({ files: [{ path: 'org/m/config.json', size: 3, sha256: hash }] });
    expect(list?.get('org/m/config.json')).toEqual({ size: 3, sha256: hash.toLowerCase() });
    const map = parseMirrorManifest({ '/org/m/resolve/main/onnx/model.onnx': { size: 9 } });
    expect(map?.get('org/m/onnx/model.onnx')).toEqual({ size: 9, sha256: null });
    expect(parseMirrorManifest({ files: 'nope' })).toBeNull();
    expect(parseMirrorManifest([{ path: 'x', sha256: 'not-hex' }])).toBeNull();
  });
});

function fakeFetch(routes: Record<string, { status?: number; body?: string; headers?: Record<string, string> }>): { fetch: FetchLike; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push(`${init?.method ?? 'GET'} ${url}`);
      const r = routes[url];
      if (!r) return new Response('nope', { status: 404 });
      return new Response(init?.method === 'HEAD' ? null : (r.body ?? ''), { status: r.status ?? 200, headers: r.headers ?? {} });
    },
  };
}

describe('planInstall', () => {
  const mirror = 'http://mirror.test';
  const manifest = {
    files: [
      { path: 'org/m/config.json', size: 10, sha256: '1'.repeat(64) },
      { path: 'org/m/tokenizer.json', size: 20, sha256: '2'.repeat(64) },
      { path: 'org/m/tokenizer_config.json', size: 5, sha256: '3'.repeat(64) },
      { path: 'org/m/generation_config.json', size: 4, sha256: '4'.repeat(64) },
      { path: 'org/m/onnx/model_q4.onnx', size: 100, sha256: '5'.repeat(64) },
      { path: 'org/m/onnx/model_q4.onnx_data', size: 1000, sha256: '6'.repeat(64) },
      { path: 'org/m/onnx/model.onnx', size: 400, sha256: '7'.repeat(64) },
    ],
  };

  it('takes the dtype files, sizes and hashes from the mirror manifest', async () => {
    const { fetch } = fakeFetch({ [`${mirror}/manifest.json`]: { body: JSON.stringify(manifest) } });
    const target: InstallTarget = { id: 'org/m', engine: 'transformers', dtype: 'q4', task: 'text-generation', source: { hubHost: mirror } };
    const plan = await planInstall(target, { fetch });
    expect(plan.files.map((f) => f.path).sort()).toEqual(
      ['config.json', 'generation_config.json', 'onnx/model_q4.onnx', 'onnx/model_q4.onnx_data', 'tokenizer.json', 'tokenizer_config.json'].sort(),
    );
    expect(plan.totalBytes).toBe(10 + 20 + 5 + 4 + 100 + 1000);
    expect(plan.sizesKnown).toBe(true);
    const onnx = plan.files.find((f) => f.path === 'onnx/model_q4.onnx');
    expect(onnx).toMatchObject({ cacheName: TRANSFORMERS_CACHE, cacheKey: `${mirror}/org/m/resolve/main/onnx/model_q4.onnx`, sha256: '5'.repeat(64) });
    expect(plan.recordId).toBe(installRecordId(target));
  });

  it('without a manifest uses HEAD for sizes and drops optional files the source lacks', async () => {
    const base = 'https://huggingface.co/org/c/resolve/main/';
    const { fetch, calls } = fakeFetch({
      [`${base}config.json`]: { body: '{}', headers: { 'content-length': '2' } },
      [`${base}tokenizer.json`]: { headers: { 'content-length': '7' } },
      [`${base}tokenizer_config.json`]: { headers: { 'content-length': '8' } },
      [`${base}onnx/model_quantized.onnx`]: { headers: { 'x-linked-size': '999', 'content-length': '1' } },
    });
    const plan = await planInstall({ id: 'org/c', engine: 'transformers', dtype: 'q8', task: 'text-generation', source: hub }, { fetch });
    expect(calls.some((c) => c.endsWith('manifest.json'))).toBe(false); // the public hub has none
    expect(plan.files.map((f) => [f.path, f.size])).toEqual([
      ['config.json', 2],
      ['tokenizer.json', 7],
      ['tokenizer_config.json', 8],
      ['onnx/model_quantized.onnx', 999],
    ]);
  });

  it('plans WebLLM files into its three caches from tensor-cache.json', async () => {
    const lib = 'http://libs.test/Qwen-q4f32_1-webgpu.wasm';
    const base = `${mirror}/mlc/Qwen-MLC/resolve/main/`;
    const { fetch } = fakeFetch({
      [`${base}mlc-chat-config.json`]: { body: JSON.stringify({ tokenizer_files: ['tokenizer.json', 'vocab.json'] }) },
      [`${base}tensor-cache.json`]: { body: JSON.stringify({ records: [{ dataPath: 'params_shard_0.bin', nbytes: 50 }, { dataPath: 'params_shard_1.bin', nbytes: 60 }] }) },
      [`${base}tokenizer.json`]: { headers: { 'content-length': '11' } },
      [`${base}mlc-chat-config.json#HEAD`]: {},
      [lib]: { headers: { 'content-length': '77' } },
    });
    const plan = await planInstall(
      { id: 'mlc/Qwen-MLC', engine: 'webllm', dtype: 'q4f32', modelLib: 'Qwen-q4f32_1-webgpu.wasm', source: { hubHost: mirror, libHost: 'http://libs.test/' } },
      { fetch, manifest: null },
    );
    const byPath = Object.fromEntries(plan.files.map((f) => [f.path, f]));
    expect(byPath['mlc-chat-config.json']?.cacheName).toBe(WEBLLM_CONFIG_CACHE);
    expect(byPath['tokenizer.json']?.cacheName).toBe(WEBLLM_MODEL_CACHE);
    expect(byPath['tensor-cache.json']?.cacheName).toBe(WEBLLM_MODEL_CACHE);
    expect(byPath['params_shard_1.bin']).toMatchObject({ size: 60, cacheKey: `${base}params_shard_1.bin` });
    expect(byPath['Qwen-q4f32_1-webgpu.wasm']).toMatchObject({ cacheName: WEBLLM_WASM_CACHE, cacheKey: lib, size: 77, kind: 'library' });
  });

  it('refuses hosts outside the mirror in mirror-only mode before any request', async () => {
    const { fetch, calls } = fakeFetch({});
    const target: InstallTarget = {
      id: 'mlc/Qwen-MLC',
      engine: 'webllm',
      dtype: 'q4f32',
      modelLib: 'https://raw.githubusercontent.com/mlc-ai/libs/x.wasm',
      source: { hubHost: mirror, libHost: 'http://libs.test/', mirrorOnly: true },
    };
    const err = await planInstall(target, { fetch }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MedfactError);
    expect((err as MedfactError).code).toBe('DOWNLOAD_FORBIDDEN');
    expect(calls).toEqual([]);
    // prefix tricks do not pass
    expect(() => assertUrlAllowed('http://mirror.test.evil/x', { hubHost: mirror, mirrorOnly: true })).toThrow(MedfactError);
    expect(() => assertUrlAllowed('http://mirror.test/org/m/resolve/main/config.json', { hubHost: mirror, mirrorOnly: true })).not.toThrow();
    expect(() => assertUrlAllowed('https://anywhere.example/x', { hubHost: mirror })).not.toThrow();
  });

  it('rejects a bad id or source with a typed error', async () => {
    await expect(planInstall({ id: '../etc', engine: 'transformers', dtype: 'q8', source: hub })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(planInstall({ id: 'a/b', engine: 'transformers', dtype: 'q8', source: { hubHost: 'ftp://x' } })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
    await expect(planInstall({ id: 'a/b', engine: 'transformers', dtype: 'q4f32', source: hub, files: undefined }, { manifest: new Map() })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
  });

  it('sums sizes into the plan total', () => {
    const t: InstallTarget = { id: 'a/b', engine: 'transformers', dtype: 'q8', source: hub };
    const plan = makePlan(t, [
      { path: 'x', url: 'u1', cacheName: 'c', cacheKey: 'u1', size: 5, sha256: null, kind: 'config' },
      { path: 'y', url: 'u2', cacheName: 'c', cacheKey: 'u2', size: null, sha256: null, kind: 'weights' },
    ]);
    expect(plan.totalBytes).toBe(5);
    expect(plan.sizesKnown).toBe(false);
  });
});
