// The installer's WebLLM cache keys against web-llm's own lookup, over the
// model sources a deployment can configure (host with or without a path or
// trailing slash, revisions, bare ids, relative and absolute libraries).
// Real web-llm 0.2.86 code runs in Node here; only Cache Storage is the
// in-memory one the installer's node tests use, seen through a FAKE adapter
// that gives web-llm the Request-based API it calls. The browser test
// (tests/browser/webllm-cache.test.ts) does the same against real Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MLC_MODEL_ID, buildTinyMlcModel } from '../../../fixtures/mlc-model';
import { MemoryCacheStorage } from '../../../../src/domain/install/memory-cache-storage';
import { installModel } from '../../../../src/domain/install/installer';
import { planInstall } from '../../../../src/domain/install/plan';
import type { InstallTarget } from '../../../../src/domain/install/types';
import { createMemoryModelsRepo } from '../../../../src/storage/models-repo';
import type { ModelSpec } from '../../../../src/protocol/engine';
import { buildAppConfig } from '../../../../workers/webllm-engine';

type WebLLM = typeof import('@mlc-ai/web-llm');
let webllm: WebLLM;
const saved = (globalThis as { caches?: unknown }).caches;

/** FAKE Cache Storage for web-llm: the installer's MemoryCacheStorage behind the Request-taking calls web-llm makes. */
function asBrowserCaches(memory: MemoryCacheStorage, fetched: string[]): unknown {
  const url = (r: Request | string): string => (typeof r === 'string' ? new Request(r).url : r.url);
  return {
    async open(name: string) {
      const cache = await memory.open(name);
      return {
        match: (r: Request | string) => cache.match(url(r)),
        keys: async () => (await cache.keys()).map((k) => new Request(k.url)),
        add: async (r: Request | string) => {
          fetched.push(url(r)); // web-llm downloads only what its lookup missed
          throw new TypeError('Failed to fetch');
        },
        delete: (r: Request | string) => cache.delete(url(r)),
      };
    },
  };
}

const { files, library } = buildTinyMlcModel();
/** A mirror that serves the fixture model's files for any folder, and its library under any name. */
async function fixtureFetch(input: string): Promise<Response> {
  const name = new URL(input).pathname.split('/').pop() ?? '';
  const bytes = name.endsWith('.wasm') ? library : files.get(name);
  return bytes ? new Response(new Uint8Array(bytes), { headers: { 'content-length': String(bytes.length) } }) : new Response(null, { status: 404 });
}

beforeAll(async () => {
  webllm = await import('@mlc-ai/web-llm');
});
afterAll(() => {
  (globalThis as { caches?: unknown }).caches = saved;
});

const cases: Array<{ name: string; id: string; hubHost: string; libHost?: string; revision?: string; modelLib?: string }> = [
  { name: 'a mirror root without a trailing slash', id: `fixture/${FIXTURE_MLC_MODEL_ID}`, hubHost: 'http://mirror.test', libHost: 'http://mirror.test/libs' },
  { name: 'a mirror under a path', id: `fixture/${FIXTURE_MLC_MODEL_ID}`, hubHost: 'http://mirror.test/hf/', libHost: 'http://mirror.test/hf/libs/' },
  { name: 'a mirror under a path without a trailing slash', id: `fixture/${FIXTURE_MLC_MODEL_ID}`, hubHost: 'https://intranet.example/models/hf', libHost: 'https://intranet.example/models/libs' },
  { name: 'a pinned revision', id: `fixture/${FIXTURE_MLC_MODEL_ID}`, hubHost: 'http://mirror.test/', libHost: 'http://mirror.test/libs/', revision: 'v1.0' },
  { name: 'a revision with a slash', id: `fixture/${FIXTURE_MLC_MODEL_ID}`, hubHost: 'http://mirror.test/', libHost: 'http://mirror.test/libs/', revision: 'refs/pr/1' },
  { name: 'a bare web-llm id (mlc-ai organisation)', id: FIXTURE_MLC_MODEL_ID, hubHost: 'https://huggingface.co/', libHost: 'https://libs.example/v0_2_86/' },
  { name: 'a relative library path', id: `fixture/${FIXTURE_MLC_MODEL_ID}`, hubHost: 'http://mirror.test/', libHost: 'http://mirror.test/libs/', modelLib: '/web-llm/v0_2_86/tiny lib.wasm' },
  { name: 'an absolute library URL', id: `fixture/${FIXTURE_MLC_MODEL_ID}`, hubHost: 'http://mirror.test/', modelLib: 'https://Libs.Example/x/tiny%20lib.wasm' },
];

describe("web-llm's lookup finds every file the installer wrote", () => {
  for (const c of cases) {
    it(`for ${c.name}`, async () => {
      const source = { hubHost: c.hubHost, ...(c.libHost ? { libHost: c.libHost } : {}), ...(c.revision ? { revision: c.revision } : {}) };
      const target: InstallTarget = { id: c.id, engine: 'webllm', dtype: 'q4f32', task: 'text-generation', source, ...(c.modelLib ? { modelLib: c.modelLib } : {}) };
      const memory = new MemoryCacheStorage();
      const plan = await planInstall(target, { fetch: fixtureFetch, manifest: new Map() });
      await installModel(plan, { caches: memory, repo: createMemoryModelsRepo(), fetch: fixtureFetch, storage: null, now: () => 1 });

      const spec: ModelSpec = { id: c.id, engine: 'webllm', task: 'text-generation', device: 'webgpu', dtype: 'q4f32', source, ...(c.modelLib ? { modelLib: c.modelLib } : {}) };
      const { appConfig, modelId } = buildAppConfig(spec);
      const fetched: string[] = [];
      (globalThis as { caches?: unknown }).caches = asBrowserCaches(memory, fetched);
      expect(await webllm.hasModelInCache(modelId, appConfig)).toBe(true);
      expect(fetched).toEqual([]);

      // the library: web-llm's key is model_lib verbatim (as a Request URL)
      const lib = appConfig.model_list[0]!.model_lib;
      const libFile = plan.files.find((f) => f.kind === 'library');
      expect(libFile?.cacheKey && new Request(libFile.cacheKey).url).toBe(new Request(lib).url);

      // and web-llm's own removal finds them all: nothing of the model is left in its caches
      await webllm.deleteModelAllInfoInCache(modelId, appConfig);
      const left: Record<string, number> = {};
      for (const name of ['webllm/config', 'webllm/model', 'webllm/wasm']) left[name] = (await (await memory.open(name)).keys()).length;
      // web-llm's deleteModelInCache removes the tokenizer, tensor cache shards, config and library, but keeps tensor-cache.json
      expect(left).toEqual({ 'webllm/config': 0, 'webllm/model': 1, 'webllm/wasm': 0 });
    });
  }
});
