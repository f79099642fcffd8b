// A WebLLM model imported from a folder must hold exactly the files web-llm
// 0.2.86 will look up, or it would fetch the rest from the network at load
// time although the import said "installed": the tokenizer web-llm picks
// from mlc-chat-config.json's tokenizer_files (tokenizer.json if listed,
// else tokenizer.model), and the model library when web-llm caches it.
// The browser test (tests/browser/webllm-cache.test.ts) runs web-llm itself.
import { beforeEach, describe, expect, it } from 'vitest';
import { FIXTURE_MLC_LIB, FIXTURE_MLC_MODEL, FIXTURE_MLC_MODEL_ID, buildTinyMlcModel } from '../../../fixtures/mlc-model';
import { jsonBytes } from '../../../fixtures/onnx/model-files';
import { MemoryCacheStorage } from '../../../../src/domain/install/memory-cache-storage';
import { WEBLLM_CONFIG_CACHE, WEBLLM_MODEL_CACHE, WEBLLM_WASM_CACHE, cleanModelUrl, webllmModelRecordUrl } from '../../../../src/domain/install/cache-layout';
import { importFromFiles, type PickedFile } from '../../../../src/domain/install/import-files';
import { planInstall } from '../../../../src/domain/install/plan';
import type { InstallTarget } from '../../../../src/domain/install/types';
import type { InstallerDeps } from '../../../../src/domain/install/installer';
import { createMemoryModelsRepo, type ModelsRepo } from '../../../../src/storage/models-repo';

const HUB = 'http://mirror.test/';
const LIB_HOST = 'http://mirror.test/libs/';
const target: InstallTarget = { id: FIXTURE_MLC_MODEL, engine: 'webllm', dtype: 'q4f32', task: 'text-generation', source: { hubHost: HUB, libHost: LIB_HOST, mirrorOnly: true } };
const modelUrl = cleanModelUrl(webllmModelRecordUrl(target));
const libUrl = `${LIB_HOST}${FIXTURE_MLC_LIB}`;

let caches: MemoryCacheStorage;
let repo: ModelsRepo;
const deps = (): InstallerDeps => ({
  caches,
  repo,
  fetch: () => Promise.reject(new Error('FAKE fetch: an import must not download')),
  storage: null,
  now: () => 1,
});

beforeEach(() => {
  caches = new MemoryCacheStorage();
  repo = createMemoryModelsRepo();
});

/** The fixture model's folder as picked, optionally with files changed, added or left out. */
function picked(changes: { set?: Record<string, Uint8Array>; drop?: string[]; library?: boolean } = {}): PickedFile[] {
  const { files, library } = buildTinyMlcModel();
  for (const [k, v] of Object.entries(changes.set ?? {})) files.set(k, v);
  for (const k of changes.drop ?? []) files.delete(k);
  if (changes.library ?? true) files.set(FIXTURE_MLC_LIB, library);
  return [...files].map(([rel, bytes]) => ({ relativePath: `${FIXTURE_MLC_MODEL_ID}/${rel}`, blob: new Blob([new Uint8Array(bytes)]) }));
}

function chatConfigWith(tokenizerFiles: string[]): Uint8Array {
  const config = JSON.parse(new TextDecoder().decode(buildTinyMlcModel().files.get('mlc-chat-config.json'))) as Record<string, unknown>;
  return jsonBytes({ ...config, tokenizer_files: tokenizerFiles });
}

async function keys(cacheName: string): Promise<string[]> {
  return (await (await caches.open(cacheName)).keys()).map((r) => r.url).sort();
}

describe('importing a WebLLM folder fills exactly what web-llm looks up', () => {
  it('writes config, tokenizer.json, tensor cache, shards and library under web-llm keys', async () => {
    const { record } = await importFromFiles(target, picked(), deps());
    expect(record.state).toBe('installed');
    expect(await keys(WEBLLM_CONFIG_CACHE)).toEqual([`${modelUrl}mlc-chat-config.json`]);
    expect(await keys(WEBLLM_MODEL_CACHE)).toEqual(['params_shard_0.bin', 'params_shard_1.bin', 'tensor-cache.json', 'tokenizer.json'].map((f) => `${modelUrl}${f}`));
    expect(await keys(WEBLLM_WASM_CACHE)).toEqual([libUrl]);
  });

  it('takes the tokenizer mlc-chat-config.json names (tokenizer.model), not another file that happens to be in the folder', async () => {
    const files = picked({ set: { 'mlc-chat-config.json': chatConfigWith(['tokenizer.model', 'tokenizer_config.json']), 'tokenizer.model': new Uint8Array([1, 2, 3]) } });
    await importFromFiles(target, files, deps());
    const model = await keys(WEBLLM_MODEL_CACHE);
    expect(model).toContain(`${modelUrl}tokenizer.model`);
    expect(model).not.toContain(`${modelUrl}tokenizer.json`);
  });

  it('refuses a folder without the tokenizer the config names, naming that file', async () => {
    const files = picked({ set: { 'mlc-chat-config.json': chatConfigWith(['tokenizer.json']), 'tokenizer.model': new Uint8Array([1, 2, 3]) }, drop: ['tokenizer.json'] });
    await expect(importFromFiles(target, files, deps())).rejects.toMatchObject({ code: 'BAD_INPUT', details: { missing: ['tokenizer.json'] } });
  });

  it('refuses a config that names no tokenizer web-llm can read', async () => {
    const files = picked({ set: { 'mlc-chat-config.json': chatConfigWith(['vocab.json', 'merges.txt']) } });
    const err = await importFromFiles(target, files, deps()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_INPUT' });
    expect((err as Error).message).toContain('mlc-chat-config.json');
  });

  it('refuses a folder without the model library when the cache does not hold it, before writing anything', async () => {
    const err = await importFromFiles(target, picked({ library: false }), deps()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_INPUT', details: { missing: [FIXTURE_MLC_LIB] } });
    expect((err as Error).message).toContain(FIXTURE_MLC_LIB);
    expect(await keys(WEBLLM_MODEL_CACHE)).toEqual([]);
    expect((await repo.list()).filter((r) => r.state === 'installed')).toEqual([]);
  });

  it('accepts a folder without the library when the library is already cached (shared by another build)', async () => {
    await (await caches.open(WEBLLM_WASM_CACHE)).put(libUrl, new Response(new Uint8Array(buildTinyMlcModel().library)));
    const { record } = await importFromFiles(target, picked({ library: false }), deps());
    expect(record.state).toBe('installed');
  });
});

describe('planning a WebLLM install from the mirror', () => {
  it('refuses a model whose config names no tokenizer web-llm can read, before downloading anything', async () => {
    const requested: string[] = [];
    const fetch = async (url: string): Promise<Response> => {
      requested.push(url);
      if (url.endsWith('mlc-chat-config.json')) return new Response(new Uint8Array(chatConfigWith(['vocab.json', 'merges.txt'])));
      if (url.endsWith('tensor-cache.json')) return new Response(new Uint8Array(buildTinyMlcModel().files.get('tensor-cache.json') ?? []));
      return new Response(null, { status: 404 });
    };
    await expect(planInstall(target, { fetch, manifest: null })).rejects.toMatchObject({ code: 'BAD_INPUT', details: { tokenizerFiles: ['vocab.json', 'merges.txt'] } });
    expect(requested.every((u) => u.endsWith('.json'))).toBe(true);
  });
});
