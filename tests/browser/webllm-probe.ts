/**
 * Drives the real @mlc-ai/web-llm package in a page of the app's origin (so
 * it sees the app's Cache Storage) as far as it goes without a GPU:
 *   1. hasModelInCache(modelId, appConfig): web-llm's own "is it installed" answer;
 *   2. asyncLoadTokenizer: web-llm's tokenizer loader (cache lookup plus the
 *      real web-tokenizers wasm), then encode/decode a text;
 *   3. tvmjs Instance.fetchTensorCache: web-llm's weight loader, with every
 *      cache decision and byte slice real and a FAKE TVM runtime object as
 *      `this` (the runtime lives in the model library, which no test can
 *      build); it receives each tensor's bytes;
 *   4. CreateMLCEngine: config and model library from the cache, up to the
 *      instantiation of the library, where the STUB library stops it.
 * 2 and 3 are not exported by web-llm: the test copy of its bundle appends
 * an export line for them (no code of the bundle is changed).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright';

const BUNDLE = resolve(import.meta.dirname, '..', '..', 'node_modules', '@mlc-ai', 'web-llm', 'lib', 'index.js');
/** Internal names of web-llm 0.2.86's bundle that the probe needs; an upgrade that renames them fails here, loudly. */
const INTERNALS = {
  asyncLoadTokenizer: /^function asyncLoadTokenizer\(/m,
  getTensorCacheAccessOptions: /^function getTensorCacheAccessOptions\(/m,
  cleanModelUrl: /^function cleanModelUrl\(/m,
  resolveModelPackageResourceURLs: /^function resolveModelPackageResourceURLs\(/m,
  libExports$2: /^var libExports\$2 = requireLib\$2\(\);$/m,
} as const;

export const PROBE_MODULE_PATH = '__test__/web-llm-probe.js';

/** Writes the web-llm bundle plus an export line for its internals into a (copied, configured) dist folder. */
export function writeWebllmProbeModule(distDir: string): void {
  const source = readFileSync(BUNDLE, 'utf8');
  for (const [name, pattern] of Object.entries(INTERNALS)) {
    if (!pattern.test(source)) throw new Error(`web-llm's bundle has no top-level ${name} any more; update tests/browser/webllm-probe.ts`);
  }
  const extra =
    '\nexport { asyncLoadTokenizer as __asyncLoadTokenizer, getTensorCacheAccessOptions as __getTensorCacheAccessOptions, ' +
    'cleanModelUrl as __cleanModelUrl, resolveModelPackageResourceURLs as __resolveModelPackageResourceURLs, libExports$2 as __tvmjs };\n';
  mkdirSync(join(distDir, '__test__'), { recursive: true });
  writeFileSync(join(distDir, PROBE_MODULE_PATH), source + extra);
}

export interface WebllmProbeResult {
  hasModelInCache: boolean;
  tokenizer: { ids: number[]; decoded: string } | { error: string };
  tensors: { received: Record<string, { shape: number[]; values: number[] }>; progress: string[]; error?: string };
  engine: { error: string; progress: string[]; instantiatedBytes: number[] };
}

/**
 * Runs the four steps in the page and returns what web-llm did. `appConfig`
 * must be the adapter's own (workers/webllm-engine.ts buildAppConfig).
 */
export async function probeWebllm(page: Page, appUrl: string, appConfig: unknown, modelId: string, sampleText: string): Promise<WebllmProbeResult> {
  // a string, so the test runner's transform leaves this dynamic import alone
  const moduleUrl = new URL(PROBE_MODULE_PATH, appUrl).href;
  await page.evaluate(`import(${JSON.stringify(moduleUrl)}).then((m) => { globalThis.__webllmProbe = m; })`);
  return page.evaluate(
    async ({ appConfig, modelId, sampleText }) => {
      type Report = { text: string };
      type FakeArray = { shape: number[]; values: number[]; dispose(): void };
      const webllm = (globalThis as unknown as { __webllmProbe: unknown }).__webllmProbe as {
        hasModelInCache(id: string, c: unknown): Promise<boolean>;
        CreateMLCEngine(id: string, o: unknown): Promise<unknown>;
        __asyncLoadTokenizer(url: string, config: unknown, appConfig: unknown, logger: (m: string) => void): Promise<{ encode(t: string): Int32Array; decode(ids: Int32Array): string }>;
        __getTensorCacheAccessOptions(scope: string, c: unknown): Record<string, unknown>;
        __cleanModelUrl(url: string): string;
        __resolveModelPackageResourceURLs(url: string, pkg: undefined): { chatConfigUrl: string; tensorCacheBaseUrl: string };
        __tvmjs: {
          Instance: { prototype: { fetchTensorCache(url: string, device: unknown, options: unknown): Promise<void> } };
          createArtifactCache(scope: string, options: unknown): { fetchWithCache(url: string, type: string): Promise<ArrayBuffer> };
        };
      };
      const config = appConfig as { cacheBackend: string; model_list: Array<{ model: string; model_id: string; overrides?: object }> };
      const record = config.model_list.find((r) => r.model_id === modelId)!;
      const modelUrl = webllm.__cleanModelUrl(record.model);
      const urls = webllm.__resolveModelPackageResourceURLs(modelUrl, undefined);
      const message = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

      const hasModelInCache = await webllm.hasModelInCache(modelId, appConfig);

      // the chat config as the engine reads it (webllm/config cache), merged with the record's overrides
      let tokenizer: WebllmProbeResult['tokenizer'];
      try {
        const configCache = webllm.__tvmjs.createArtifactCache('webllm/config', { cacheType: config.cacheBackend });
        const chatConfig = { ...JSON.parse(new TextDecoder().decode(await configCache.fetchWithCache(urls.chatConfigUrl, 'arraybuffer'))), ...record.overrides };
        const tok = await webllm.__asyncLoadTokenizer(modelUrl, chatConfig, appConfig, () => undefined);
        const ids = tok.encode(sampleText);
        tokenizer = { ids: Array.from(ids), decoded: tok.decode(ids) };
      } catch (e) {
        tokenizer = { error: message(e) };
      }

      // FAKE TVM runtime: only what fetchTensorCache calls on `this` for a CPU device
      const received: Record<string, { shape: number[]; values: number[] }> = {};
      const tensorProgress: string[] = [];
      const fake = Object.assign(Object.create(webllm.__tvmjs.Instance.prototype) as object, {
        initProgressCallback: [(r: Report) => tensorProgress.push(r.text)],
        env: { logger: (m: string) => tensorProgress.push(`log: ${m}`) },
        cacheMetadata: {},
        withNewScope: <T>(f: () => T): T => f(),
        detachFromCurrentScope: <T>(x: T): T => x,
        cpu: () => ({ deviceType: 1, deviceId: 0 }),
        empty: (shape: number[]): FakeArray => ({ shape: [...shape], values: [], dispose: () => undefined }),
        ctx: {
          arrayDecodeStorage: (arr: FakeArray, bytes: Uint8Array, format: string, dtype: string) => {
            if (format !== 'raw' || dtype !== 'float32') throw new Error(`fixture expects raw float32, got ${format} ${dtype}`);
            arr.values = Array.from(new Float32Array(bytes.slice().buffer));
          },
        },
        tensorCacheUpdate: (name: string, arr: FakeArray) => {
          received[name] = { shape: arr.shape, values: arr.values };
        },
      });
      const tensors: WebllmProbeResult['tensors'] = { received, progress: tensorProgress };
      try {
        await webllm.__tvmjs.Instance.prototype.fetchTensorCache.call(fake, urls.tensorCacheBaseUrl, { deviceType: 1, deviceId: 0 }, webllm.__getTensorCacheAccessOptions('webllm/model', appConfig));
      } catch (e) {
        tensors.error = message(e);
      }

      // the engine itself, until the library must run
      const instantiatedBytes: number[] = [];
      const original = WebAssembly.instantiate;
      WebAssembly.instantiate = function (this: unknown, source: unknown, imports?: WebAssembly.Imports) {
        if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) instantiatedBytes.push((source as ArrayBuffer).byteLength);
        return (original as (s: unknown, i?: WebAssembly.Imports) => Promise<unknown>).call(this, source, imports);
      } as typeof WebAssembly.instantiate;
      const engineProgress: string[] = [];
      let engineError = 'loaded';
      try {
        await webllm.CreateMLCEngine(modelId, { appConfig, initProgressCallback: (r: Report) => engineProgress.push(r.text) });
      } catch (e) {
        engineError = message(e);
      } finally {
        WebAssembly.instantiate = original;
      }
      return { hasModelInCache, tokenizer, tensors, engine: { error: engineError, progress: engineProgress, instantiatedBytes } };
    },
    { appConfig, modelId, sampleText },
  );
}
