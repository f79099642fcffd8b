/**
 * A WebLLM model installed by our installer (from the fixture mirror) or
 * imported from a folder is found by web-llm 0.2.86 itself, with the
 * adapter's own appConfig, and web-llm's loaders read every file from the
 * cache: no request leaves the page while the mirror answers 503 and the
 * browser aborts anything sent to it. A control run on an empty profile
 * shows the same probe does reach the mirror when the files are not there.
 *
 * What stays unverifiable without a GPU (see README "WebLLM cache check"):
 * web-llm stops at instantiating the model library, because the fixture's
 * library is a STUB; WebGPU kernels, the pipeline and generation never run.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { configureDist } from '../../scripts/configure';
import type { ModelSpec } from '../../src/protocol/engine';
import { buildAppConfig } from '../../workers/webllm-engine';
import { FIXTURE_MLC_LIB, FIXTURE_MLC_MODEL, FIXTURE_MLC_MODEL_ID, FIXTURE_MLC_SHARDS, stubModelLibrary } from '../fixtures/mlc-model';
import { startMirrorServer, type MirrorServer } from '../fixtures/mirror-server';
import { launchBrowser, recordRequests, type LaunchedBrowser } from './launch';
import { startAppServer, type AppServer } from './static-server';
import { probeWebllm, writeWebllmProbeModule, type WebllmProbeResult } from './webllm-probe';

const RECORD_ID = `webllm:${FIXTURE_MLC_MODEL}:q4f32`;
const SAMPLE = '阿司匹林 aspirin 100 mg';

let mirror: MirrorServer;
let app: AppServer;
let configured: string;
let pickDir: string;
let spec: ModelSpec;
const browsers: LaunchedBrowser[] = [];

function entry() {
  return {
    id: FIXTURE_MLC_MODEL,
    engine: 'webllm',
    role: 'verifier',
    task: 'text-generation',
    dtypes: ['q4f32'],
    sizeBytes: 30_000,
    contextTokens: 512,
    label: { zh: '测试 WebLLM 模型', en: 'Fixture WebLLM model' },
    description: { zh: '合成的 MLC 目录结构', en: 'Synthetic MLC layout' },
    license: 'Apache-2.0',
  };
}

beforeAll(async () => {
  const models = inject('fixtureModelsDir');
  mirror = await startMirrorServer({ root: models });
  configured = mkdtempSync(join(tmpdir(), 'medfact-webllm-dist-'));
  cpSync(inject('distDir'), configured, { recursive: true });
  const configPath = join(configured, 'test-config.json');
  writeFileSync(configPath, JSON.stringify({ modelHost: mirror.url, modelLibHost: `${mirror.url}/libs/`, mirrorOnly: true, catalog: [entry()] }));
  const { config } = configureDist({ configPath, distDir: configured });
  writeWebllmProbeModule(configured);
  app = await startAppServer({ dist: configured });
  // the spec the app hands the WebLLM adapter for this entry (src/domain/catalog/model-spec.ts, mirror-only source)
  spec = {
    id: FIXTURE_MLC_MODEL,
    engine: 'webllm',
    task: 'text-generation',
    device: 'webgpu',
    dtype: 'q4f32',
    source: { hubHost: config.modelHost, ...(config.modelLibHost ? { libHost: config.modelLibHost } : {}), mirrorOnly: true },
    contextTokens: 512,
  };
  // a USB-stick copy: the model folder with its library beside the weights
  pickDir = mkdtempSync(join(tmpdir(), 'medfact-webllm-pick-'));
  cpSync(join(models, FIXTURE_MLC_MODEL), join(pickDir, FIXTURE_MLC_MODEL_ID), { recursive: true });
  cpSync(join(models, 'libs', FIXTURE_MLC_LIB), join(pickDir, FIXTURE_MLC_MODEL_ID, FIXTURE_MLC_LIB));
});

afterAll(async () => {
  for (const b of browsers) await b.close().catch(() => undefined);
  await app?.close();
  await mirror?.close();
  if (configured) rmSync(configured, { recursive: true, force: true });
  if (pickDir) rmSync(pickDir, { recursive: true, force: true });
});

async function openModels(): Promise<{ page: Page; context: BrowserContext }> {
  const browser = await launchBrowser();
  browsers.push(browser);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(`${app.url}#/models`);
  await page.getByRole('heading', { level: 1, name: '模型' }).waitFor();
  return { page, context: browser.context };
}

async function recordState(page: Page): Promise<string | null> {
  return page.evaluate(
    (id) =>
      new Promise<string | null>((resolve, reject) => {
        const open = indexedDB.open('medfact-lens');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('models').objectStore('models').get(id);
          get.onsuccess = () => resolve((get.result as { state?: string } | undefined)?.state ?? null);
          get.onerror = () => reject(get.error);
        };
      }),
    RECORD_ID,
  );
}

/** The mirror is down and every request to it is aborted; runs the probe and returns it with what was requested. */
async function probeOffline(page: Page, context: BrowserContext): Promise<{ result: WebllmProbeResult; outside: string[]; mirrorHits: string[] }> {
  mirror.setFaults([{ path: /./, kind: 'status', status: 503 }]);
  await context.route(`${mirror.url}/**`, (route) => route.abort('internetdisconnected'));
  const from = mirror.requests.length;
  const log = recordRequests(context);
  try {
    const { appConfig } = buildAppConfig(spec);
    const result = await probeWebllm(page, app.url, appConfig, FIXTURE_MLC_MODEL_ID, SAMPLE);
    return { result, outside: log.outside([new URL(app.url).origin]), mirrorHits: mirror.requests.slice(from).map((r) => r.path) };
  } finally {
    log.stop();
    await context.unroute(`${mirror.url}/**`);
    mirror.setFaults([]);
  }
}

function expectServedFromCache(run: Awaited<ReturnType<typeof probeOffline>>): void {
  const { result } = run;
  // nothing left the page, and the mirror saw nothing
  expect(run.outside).toEqual([]);
  expect(run.mirrorHits).toEqual([]);
  // 1. web-llm's own lookup says the model is in its cache
  expect(result.hasModelInCache).toBe(true);
  // 2. web-llm's tokenizer loader read tokenizer.json from its cache; the real tokenizer round-trips the text
  expect(result.tokenizer).not.toHaveProperty('error');
  if ('ids' in result.tokenizer) {
    expect(result.tokenizer.ids.length).toBeGreaterThan(0);
    expect(result.tokenizer.decoded).toBe(SAMPLE);
  }
  // 3. the weight loader took the cache-only path and handed over every tensor with its bytes
  expect(result.tensors.error).toBeUndefined();
  expect(result.tensors.progress.some((t) => t.startsWith('Loading model from cache[2/2]'))).toBe(true);
  expect(result.tensors.progress.some((t) => t.startsWith('Fetching param cache'))).toBe(false);
  const expected = Object.fromEntries(FIXTURE_MLC_SHARDS.flatMap((s) => s.tensors.map((t) => [t.name, { shape: t.shape, values: t.values }])));
  expect(result.tensors.received).toEqual(expected);
  // 4. the engine read config and library from the cache and stopped where the STUB library must run
  expect(result.engine.instantiatedBytes).toContain(stubModelLibrary().length);
  expect(result.engine.progress.filter((t) => /fetch/i.test(t))).toEqual([]);
  expect(result.engine.error).not.toMatch(/fetch|network|NetworkError/i);
  expect(result.engine.error).not.toBe('loaded');
}

describe('web-llm finds what our installer wrote (no GPU needed)', () => {
  it('control: on an empty profile the same probe goes to the mirror, so the offline checks can fail', async () => {
    const { page, context } = await openModels();
    const from = mirror.requests.length;
    const log = recordRequests(context);
    const { appConfig } = buildAppConfig(spec);
    const result = await probeWebllm(page, app.url, appConfig, FIXTURE_MLC_MODEL_ID, SAMPLE);
    log.stop();
    expect(result.hasModelInCache).toBe(false);
    const hits = mirror.requests.slice(from).map((r) => r.path);
    // web-llm fetches what is not cached: config, tokenizer, tensor cache and shards, the library
    for (const file of ['mlc-chat-config.json', 'tokenizer.json', 'tensor-cache.json', 'params_shard_0.bin', 'params_shard_1.bin']) {
      expect(hits).toContain(`/${FIXTURE_MLC_MODEL}/resolve/main/${file}`);
    }
    expect(hits).toContain(`/libs/${FIXTURE_MLC_LIB}`);
    expect(log.urls.some((u) => u.startsWith(mirror.url))).toBe(true);
    expect(result.tensors.progress.some((t) => t.startsWith('Fetching param cache'))).toBe(true);
  });

  it('after an install from the mirror through the Models screen', async () => {
    const { page, context } = await openModels();
    await page.locator(`[data-testid="catalog-entry"][data-model-id="${FIXTURE_MLC_MODEL}"]`).getByTestId('install-button').click();
    await page.getByTestId('install-progress').filter({ hasText: '安装完成' }).waitFor({ timeout: 120_000 });
    expect(await recordState(page)).toBe('installed');
    const probed = await probeOffline(page, context);
    expectServedFromCache(probed);

    // the app's own WebLLM adapter, in its engine worker, through the self-test screen: with the mirror
    // answering 503 it reads everything from the cache and stops where the STUB library must run
    mirror.setFaults([{ path: /./, kind: 'status', status: 503 }]);
    const from = mirror.requests.length;
    const log = recordRequests(context);
    await page.goto(`${app.url}#/selftest`);
    await page.getByTestId('selftest-caps').waitFor();
    await page.getByTestId('selftest-model').selectOption(`webllm:${FIXTURE_MLC_MODEL}`);
    await page.getByTestId('selftest-run').click();
    const state = () => page.getByTestId('selftest-status').getAttribute('data-state');
    await expect.poll(state, { timeout: 120_000, interval: 500 }).not.toBe('running');
    log.stop();
    mirror.setFaults([]);
    const shown = await page.locator('[role="alert"][data-code]').first().evaluate((el) => ({ code: el.getAttribute('data-code'), text: el.textContent }));
    expect(mirror.requests.slice(from)).toEqual([]);
    expect(log.outside([new URL(app.url).origin])).toEqual([]);
    // web-llm was really loaded in the worker, and failed exactly where the probe's CreateMLCEngine did
    expect(log.urls.some((u) => u.includes('/assets/engine/webllm-engine'))).toBe(true);
    expect(shown.code).not.toMatch(/NETWORK|NOT_FOUND|DOWNLOAD_FORBIDDEN/);
    expect(shown.text).toContain(probed.result.engine.error.replace(/^\w+: /, ''));
  });

  it('after an import from a picked folder, with the mirror never asked', async () => {
    const { page, context } = await openModels();
    const from = mirror.requests.length;
    await page.getByTestId('import-target').selectOption(`webllm:${FIXTURE_MLC_MODEL}`);
    await page.getByTestId('import-folder').setInputFiles(join(pickDir, FIXTURE_MLC_MODEL_ID));
    await page.getByTestId('models-success').waitFor({ timeout: 120_000 });
    expect(await recordState(page)).toBe('installed');
    expect(mirror.requests.slice(from)).toEqual([]);
    expectServedFromCache(await probeOffline(page, context));
    // the library bytes web-llm will instantiate are the picked file's
    const lib = await page.evaluate(async (key) => (await (await (await caches.open('webllm/wasm')).match(key))?.arrayBuffer())?.byteLength ?? 0, `${mirror.url}/libs/${FIXTURE_MLC_LIB}`);
    expect(lib).toBe(readFileSync(join(pickDir, FIXTURE_MLC_MODEL_ID, FIXTURE_MLC_LIB)).length);

    // removed from the Models screen: web-llm no longer finds it either, and no web-llm cache keeps a file of it
    await page.locator(`[data-testid="installed-model"][data-record-id="${RECORD_ID}"]`).getByRole('button', { name: /删除/ }).click();
    await expect.poll(() => recordState(page)).toBeNull();
    const after = await page.evaluate(
      async ({ id, appConfig, names }) => {
        const webllm = (globalThis as unknown as { __webllmProbe: { hasModelInCache(i: string, c: unknown): Promise<boolean> } }).__webllmProbe;
        const left: string[] = [];
        for (const name of names) for (const r of await (await caches.open(name)).keys()) left.push(r.url);
        return { has: await webllm.hasModelInCache(id, appConfig), left };
      },
      { id: FIXTURE_MLC_MODEL_ID, appConfig: buildAppConfig(spec).appConfig, names: ['webllm/config', 'webllm/model', 'webllm/wasm'] },
    );
    expect(after).toEqual({ has: false, left: [] });
  });
});
