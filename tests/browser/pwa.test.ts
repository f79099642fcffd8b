import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { configureDist } from '../../scripts/configure';
import { launchBrowser, recordRequests, type LaunchedBrowser, type RequestLog } from './launch';
import { startAppServer, type AppServer } from './static-server';

const APP_NAME = 'MedFact Lens 医学文本事实核查';

/** Records CSP violations from the first byte on, so a test can assert there were none. */
async function watchCspViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
}

function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('the installed app (production build)', () => {
  const appUrl = inject('appUrl');
  const origin = new URL(appUrl).origin;
  let browser: LaunchedBrowser;
  let page: Page;
  let log: RequestLog;

  beforeAll(async () => {
    browser = await launchBrowser();
    log = recordRequests(browser.context);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await watchCspViolations(page);
    await page.goto(appUrl);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads and shows its Chinese name', async () => {
    await expect.poll(() => page.title()).toContain(APP_NAME);
    await page.getByRole('banner').getByText(APP_NAME).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await page.getByRole('heading', { level: 1, name: '核查文本' }).waitFor();
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '设置' }).waitFor();
  });

  it('is taken over by its service worker, which precaches the app shell and every worker’s code', async () => {
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
    const controller = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? '');
    expect(controller).toBe(`${origin}/sw.js`);
    const precached = await page.evaluate(async () => {
      const names = await caches.keys();
      const precache = names.find((n) => n.includes('precache'));
      if (!precache) return [];
      const keys = await (await caches.open(precache)).keys();
      return keys.map((r) => new URL(r.url).pathname);
    });
    expect(precached).toContain('/index.html');
    expect(precached.some((p) => /^\/assets\/index-.*\.js$/.test(p))).toBe(true);
    // No model files, config or onnxruntime binaries…
    expect(precached.filter((p) => /\.(wasm|onnx|bin|json)$/.test(p))).toEqual([]);
    // …but every worker's code: the engine, benchmark and extraction workers must start at the first offline launch,
    // even when the first visit started them before the service worker took control. WebLLM's ~6 MB bundle included.
    for (const worker of ['engine-worker', 'bench-worker', 'extract-worker', 'transformers-engine', 'webllm-engine', 'openai-engine']) {
      expect(precached.some((p) => new RegExp(`^/assets/engine/${worker}-.*\\.js$`).test(p)), worker).toBe(true);
    }
    const builtEngineJs = readdirSync(join(inject('distDir'), 'assets', 'engine')).filter((f) => f.endsWith('.js'));
    expect(builtEngineJs.filter((f) => !precached.includes(`/assets/engine/${f}`))).toEqual([]);
  });

  it('still shows the app after an offline reload', async () => {
    // The config cache is warmed when the worker first takes control; wait for it so offline start is clean.
    await page.waitForFunction(async () => (await (await caches.open('medfact-app-config-v1')).keys()).length > 0, null, { timeout: 30_000 });
    await browser.context.setOffline(true);
    try {
      await page.reload();
      await page.getByRole('banner').getByText(APP_NAME).waitFor();
      await page.getByRole('heading', { level: 1, name: '核查文本' }).waitFor();
      await page.getByTestId('check-input').waitFor();
      await page.getByText('离线', { exact: false }).first().waitFor();
      // No config warning offline: the last answer for app-config.json (a 404 here) came from the cache.
      expect(await page.getByText('app-config.json 有问题').count()).toBe(0);
    } finally {
      await browser.context.setOffline(false);
    }
  });

  it('links a valid web manifest with PNG, maskable and SVG icons', async () => {
    const href = await page.getAttribute('link[rel="manifest"]', 'href');
    expect(href).toBeTruthy();
    const manifestUrl = new URL(href ?? '', appUrl).href;
    const response = await browser.context.request.get(manifestUrl);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('application/manifest+json');
    const manifest = (await response.json()) as Record<string, unknown> & { icons: { src: string; sizes: string; type: string; purpose?: string }[] };
    expect(manifest).toMatchObject({
      name: APP_NAME,
      short_name: '医学核查',
      lang: 'zh-CN',
      display: 'standalone',
      start_url: './',
      scope: './',
      theme_color: '#0b6e69',
    });
    expect(typeof manifest.background_color).toBe('string');
    const find = (sizes: string, purpose: string) => manifest.icons.find((i) => i.sizes === sizes && (i.purpose ?? 'any') === purpose);
    for (const [sizes, purpose] of [
      ['192x192', 'any'],
      ['512x512', 'any'],
      ['512x512', 'maskable'],
    ] as const) {
      const icon = find(sizes, purpose);
      expect(icon, `${sizes} ${purpose}`).toBeDefined();
      const res = await browser.context.request.get(new URL(icon?.src ?? '', manifestUrl).href);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-type']).toBe('image/png');
      const { width, height } = pngSize(await res.body());
      expect(`${width}x${height}`).toBe(sizes);
    }
    const svg = manifest.icons.find((i) => i.type === 'image/svg+xml');
    expect(svg).toBeDefined();
    expect((await browser.context.request.get(new URL(svg?.src ?? '', manifestUrl).href)).status()).toBe(200);
  });

  it('runs under a Content-Security-Policy that allows only its origin and the model hosts, without violations', async () => {
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    expect(csp).toBeTruthy();
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("connect-src 'self' https://huggingface.co");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    // It must come before any script to apply to it.
    const firstInHead = await page.evaluate(() => document.head.firstElementChild?.getAttribute('http-equiv'));
    expect(firstInHead).toBe('Content-Security-Policy');
    expect(await cspViolations(page)).toEqual([]);
    // The CSP status is shown on the settings screen.
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '设置' }).click();
    await page.getByText('CSP 允许所有已配置的模型主机。').waitFor();
  });

  it('sent no request anywhere but its own origin', () => {
    expect(log.urls.length).toBeGreaterThan(0);
    expect(log.outside([origin])).toEqual([]);
  });
});

describe('deployment configuration problems', () => {
  const distDir = inject('distDir');
  const servers: AppServer[] = [];
  const browsers: LaunchedBrowser[] = [];

  async function open(appConfig: object | string | null | undefined, dist = distDir): Promise<{ page: Page; server: AppServer; log: RequestLog }> {
    const server = await startAppServer({ dist, appConfig });
    servers.push(server);
    const browser = await launchBrowser();
    browsers.push(browser);
    const log = recordRequests(browser.context);
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(server.url);
    return { page, server, log };
  }

  afterAll(async () => {
    for (const b of browsers) await b.close();
    for (const s of servers) await s.close();
  });

  it('names each bad field on screen and still runs with defaults for them', async () => {
    const { page, server, log } = await open({
      modelHost: 'https://huggingface.co',
      mirrorOnly: 'yes',
      defaultVerifier: 'hospital/verifier',
      catalog: [{ id: 'x/y', engine: 'onnx', role: 'verifier', task: 'text-generation', dtypes: ['q4'], sizeBytes: 1, label: { zh: 'x', en: 'x' }, description: { zh: 'x', en: 'x' } }],
    });
    const alert = page.getByRole('alert').filter({ hasText: 'app-config.json 有问题' });
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).toContain('mirrorOnly');
    expect(text).toContain('catalog[0].engine');
    // The app still works: the checker opens, and the settings screen shows the valid field kept and defaults elsewhere.
    await page.getByTestId('check-input').waitFor();
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '设置' }).click();
    await page.getByRole('heading', { level: 1, name: '设置与关于' }).waitFor();
    const facts = await page.locator('dl.facts').innerText();
    expect(facts).toContain('hospital/verifier');
    expect(facts).toMatch(/仅允许从镜像下载\s*否/);
    expect(log.outside([server.origin])).toEqual([]);
  });

  it('names the file when it is not JSON at all', async () => {
    const { page } = await open('{ "modelHost": ');
    const alert = page.getByRole('alert').filter({ hasText: 'app-config.json 有问题' });
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/文件 app-config\.json 无法解析/);
    await page.getByRole('banner').getByText(APP_NAME).waitFor();
  });

  it('tells IT to run npm run configure when the CSP blocks the configured mirror, and the command fixes it', async () => {
    const mirrorConfig = { modelHost: 'https://mirror.hospital.example/hf', modelLibHost: 'https://mirror.hospital.example/libs/', mirrorOnly: true };
    const { page } = await open(mirrorConfig);
    const alert = page.getByRole('alert').filter({ hasText: 'npm run configure' });
    await alert.waitFor();
    expect(await alert.innerText()).toContain('https://mirror.hospital.example');

    // IT runs the command on a copy of the build; the app then starts without the warning.
    const configured = mkdtempSync(join(tmpdir(), 'medfact-dist-'));
    try {
      cpSync(distDir, configured, { recursive: true });
      const configPath = join(configured, 'hospital-config.json');
      writeFileSync(configPath, JSON.stringify(mirrorConfig));
      configureDist({ configPath, distDir: configured });
      // Served from the configured build's own dist/app-config.json.
      const second = await open(undefined, configured);
      await second.page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '设置' }).click();
      await second.page.getByText('CSP 允许所有已配置的模型主机。').waitFor();
      expect(await second.page.getByText('npm run configure').count()).toBe(0);
      const csp = await second.page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
      expect(csp).toContain("connect-src 'self' https://mirror.hospital.example;");
      expect(await second.page.locator('dl.facts').innerText()).toContain('https://mirror.hospital.example/hf');
    } finally {
      rmSync(configured, { recursive: true, force: true });
    }
  });
});
