/**
 * Installing models in real Chromium with the real Cache Storage and
 * IndexedDB, against the fixture mirror: progress, offline reload, folder
 * import, and the failure paths, each ending in its typed error with no
 * model marked installed that is not whole.
 *
 * Needs the Models screen at #/models (src/app/routes.tsx).
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { configureDist } from '../../scripts/configure';
import { startMirrorServer, type MirrorFault, type MirrorServer } from '../fixtures/mirror-server';
import { launchBrowser, type LaunchedBrowser } from './launch';
import { startAppServer, type AppServer } from './static-server';

const MODEL = 'fixture/tiny-verifier';
const RECORD_ID = `transformers:${MODEL}:q8`;
const FILES = ['config.json', 'generation_config.json', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json'];

let mirror: MirrorServer;
let app: AppServer;
let configured: string;
const browsers: LaunchedBrowser[] = [];

function entry() {
  return {
    id: MODEL,
    engine: 'transformers',
    role: 'verifier',
    task: 'text-generation',
    dtypes: ['q8'],
    sizeBytes: 11_500_000,
    label: { zh: '测试核查模型', en: 'Fixture verifier' },
    description: { zh: '测试用的微型模型', en: 'Tiny test model' },
    license: 'Apache-2.0',
  };
}

beforeAll(async () => {
  const models = inject('fixtureModelsDir');
  mirror = await startMirrorServer({ root: models });
  // A build configured for this mirror, as hospital IT would with `npm run configure`.
  configured = mkdtempSync(join(tmpdir(), 'medfact-models-dist-'));
  cpSync(inject('distDir'), configured, { recursive: true });
  const configPath = join(configured, 'test-config.json');
  writeFileSync(configPath, JSON.stringify({ modelHost: mirror.url, modelLibHost: `${mirror.url}/libs/`, catalog: [entry()] }));
  configureDist({ configPath, distDir: configured });
  app = await startAppServer({ dist: configured });
});

afterAll(async () => {
  for (const b of browsers) await b.close().catch(() => undefined);
  await app?.close();
  await mirror?.close();
  if (configured) rmSync(configured, { recursive: true, force: true });
});

async function openModels(options: { quota?: number } = {}): Promise<{ page: Page; browser: LaunchedBrowser }> {
  const browser = await launchBrowser();
  browsers.push(browser);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.addInitScript((quota) => {
    // every value the total progress bar shows, in order
    const w = window as unknown as { __progress: number[] };
    w.__progress = [];
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target as Element;
        if (el.getAttribute?.('data-testid') === 'install-total-progress') w.__progress.push(Number(el.getAttribute('data-progress')));
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-progress'], childList: true });
    if (quota !== null) {
      // the documented test hook: a small storage estimate (StorageManager is the real one otherwise)
      StorageManager.prototype.estimate = async () => ({ usage: 0, quota });
    }
  }, options.quota ?? null);
  await page.goto(`${app.url}#/models`);
  await page.getByRole('heading', { level: 1, name: '模型' }).waitFor();
  return { page, browser };
}

async function install(page: Page): Promise<void> {
  const item = page.locator(`[data-testid="catalog-entry"][data-model-id="${MODEL}"]`);
  await item.getByTestId('install-button').click();
}

async function cacheKeys(page: Page): Promise<string[]> {
  return page.evaluate(async () => (await (await caches.open('transformers-cache')).keys()).map((r) => r.url).sort());
}

async function recordState(page: Page): Promise<string | null> {
  return page.evaluate(
    (id) =>
      new Promise<string | null>((resolve, reject) => {
        const open = indexedDB.open('medfact-lens');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const get = db.transaction('models').objectStore('models').get(id);
          get.onsuccess = () => resolve((get.result as { state?: string } | undefined)?.state ?? null);
          get.onerror = () => reject(get.error);
        };
      }),
    RECORD_ID,
  );
}

/** Bytes held in the installer's partial-download cache for one file of the model. */
async function partialBytes(page: Page, file: string): Promise<number> {
  return page.evaluate(async (prefix) => {
    const keys = await (await caches.open('medfact-partial-downloads')).keys();
    let total = 0;
    for (const { url } of keys) {
      const m = url.startsWith(prefix) ? /medfact-part=\d+-(\d+)$/.exec(url) : null;
      if (m) total += Number(m[1]);
    }
    return total;
  }, `${mirror.url}/${MODEL}/resolve/main/${file}?`);
}

function expectedKeys(): string[] {
  return FILES.map((f) => `${mirror.url}/${MODEL}/resolve/main/${f}`).sort();
}

describe('installing from the mirror', () => {
  it('shows progress that never goes down and ends at 1, then survives an offline reload', async () => {
    mirror.setFaults([{ path: 'tokenizer.json', kind: 'delay', ms: 300 }]);
    const { page, browser } = await openModels();
    await install(page);
    await page.getByTestId('install-progress').filter({ hasText: '安装完成' }).waitFor({ timeout: 120_000 });
    const seen = await page.evaluate(() => (window as unknown as { __progress: number[] }).__progress);
    expect(seen.length).toBeGreaterThan(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen.at(-1)).toBe(1);
    await expect.poll(() => page.getByTestId('model-status').getAttribute('data-installed')).toContain(RECORD_ID);
    expect(await cacheKeys(page)).toEqual(expectedKeys());

    // the mirror is gone and the network blocked: the model is still there after a reload. The app shell must be
    // cached first: the service worker's install (precache, pdf.js CMaps included) takes a while on a busy machine.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    mirror.setFaults([{ path: /./, kind: 'status', status: 503 }]);
    await browser.context.setOffline(true);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: '模型' }).waitFor();
    // The model's entries, exactly; transformers.js may also have cached onnxruntime's own wasm there by now
    // (the installed model is loaded for the checker after the install).
    expect((await cacheKeys(page)).filter((k) => k.includes(`/${MODEL}/`))).toEqual(expectedKeys());
    expect(await recordState(page)).toBe('installed');
    await page.locator(`[data-testid="installed-model"][data-record-id="${RECORD_ID}"][data-state="installed"]`).waitFor();
    // the cached bytes are the mirror's bytes
    const tokenizer = await page.evaluate(async (key) => (await (await (await caches.open('transformers-cache')).match(key))!.arrayBuffer()).byteLength, `${mirror.url}/${MODEL}/resolve/main/tokenizer.json`);
    expect(tokenizer).toBe(readFileSync(join(inject('fixtureModelsDir'), MODEL, 'tokenizer.json')).length);
    await browser.context.setOffline(false);
    mirror.setFaults([]);

    // remove it again from the list
    await page.locator(`[data-testid="installed-model"][data-record-id="${RECORD_ID}"]`).getByRole('button', { name: /删除/ }).click();
    await expect.poll(() => recordState(page)).toBeNull();
    expect((await cacheKeys(page)).filter((k) => k.includes(MODEL))).toEqual([]);
  });

  it('imports the same model from a picked folder into the same cache entries', async () => {
    mirror.requests.length = 0;
    const { page } = await openModels();
    await page.getByTestId('import-target').selectOption(`transformers:${MODEL}`);
    await page.getByTestId('import-folder').setInputFiles(join(inject('fixtureModelsDir'), MODEL));
    await page.getByTestId('models-success').waitFor({ timeout: 120_000 });
    expect(await cacheKeys(page)).toEqual(expectedKeys());
    expect(await recordState(page)).toBe('installed');
    expect(mirror.requests.filter((r) => r.path.includes(MODEL))).toEqual([]);
  });
});

describe('failure paths end in a typed error and no model marked installed', () => {
  const cases: Array<{ name: string; faults: MirrorFault[]; quota?: number; linkBytesPerSecond?: number; code: string; state: string | null }> = [
    // Over loopback the mirror sends 2 MB and cuts the socket within a millisecond. Chromium then
    // errors the body stream and, as the Streams spec says (ReadableStreamDefaultControllerError →
    // ResetQueue), throws away every byte the page had not read yet: whether the app held 0 or 2 MB
    // depended on how busy its main thread was. A link of 1 MB/s, as on a real network, delivers the
    // bytes before the break, so the app holds them when the connection drops.
    { name: 'the connection drops mid-file', faults: [{ path: 'tokenizer.json', kind: 'drop', afterBytes: 2_000_000 }], linkBytesPerSecond: 1_000_000, code: 'NETWORK', state: 'partial' },
    { name: 'the mirror answers 404', faults: [{ path: 'onnx/model_quantized.onnx', kind: 'status', status: 404 }], code: 'NOT_FOUND', state: 'failed' },
    { name: 'a file does not match its hash', faults: [{ path: 'tokenizer_config.json', kind: 'corrupt' }], code: 'HASH_MISMATCH', state: 'failed' },
    { name: 'the storage quota is too small', faults: [], quota: 1000, code: 'QUOTA_EXCEEDED', state: 'partial' },
  ];
  for (const c of cases) {
    it(`when ${c.name}: ${c.code}`, async () => {
      mirror.setFaults(c.faults);
      const { page, browser } = await openModels(c.quota !== undefined ? { quota: c.quota } : {});
      const cdp = c.linkBytesPerSecond ? await browser.context.newCDPSession(page) : null;
      await cdp?.send('Network.enable');
      await cdp?.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: c.linkBytesPerSecond ?? -1, uploadThroughput: -1 });
      await install(page);
      const alert = page.getByTestId('models-error');
      await alert.waitFor({ timeout: 120_000 });
      expect(await alert.getAttribute('data-code')).toBe(c.code);
      expect(await recordState(page)).toBe(c.state);
      expect(await page.getByTestId('model-status').getAttribute('data-installed')).toBe('');
      if (c.code === 'QUOTA_EXCEEDED') expect(await alert.innerText()).toContain('清理空间');
      if (c.code === 'NETWORK') {
        // the bytes that arrived before the break are kept, as the message says
        const kept = await partialBytes(page, 'tokenizer.json');
        expect(kept).toBeGreaterThan(0);
        expect(kept).toBeLessThanOrEqual(2_000_000);
        await alert.locator('summary').click();
        expect(await alert.innerText()).toContain(`The ${kept} bytes received are kept`);
        // resume once the network and the mirror are healthy again: the rest only, from where it stopped
        await cdp?.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
        mirror.setFaults([]);
        const from = mirror.requests.length;
        await alert.getByRole('button', { name: '继续下载' }).click();
        await page.getByTestId('install-progress').filter({ hasText: '安装完成' }).waitFor({ timeout: 120_000 });
        expect(await recordState(page)).toBe('installed');
        const resumed = mirror.requests.slice(from).filter((r) => r.method === 'GET' && r.path.endsWith('/tokenizer.json'));
        expect(resumed.map((r) => [r.status, r.range])).toEqual([[206, `bytes=${kept}-`]]);
        // stitched from the kept prefix and the ranged rest, the file is the mirror's file
        const cached = await page.evaluate(async (key) => {
          const res = await (await caches.open('transformers-cache')).match(key);
          const bytes = new Uint8Array(await res!.arrayBuffer());
          return { length: bytes.length, hex: [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('') };
        }, `${mirror.url}/${MODEL}/resolve/main/tokenizer.json`);
        const original = readFileSync(join(inject('fixtureModelsDir'), MODEL, 'tokenizer.json'));
        expect(cached).toEqual({ length: original.length, hex: createHash('sha256').update(original).digest('hex') });
        expect(await partialBytes(page, 'tokenizer.json')).toBe(0);
      }
      mirror.setFaults([]);
    });
  }
});
