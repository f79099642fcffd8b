/**
 * Real inference in the app's own engine workers (no mocked engine): the
 * production build, configured by app-config.json to download only from a
 * local mirror, runs the hardware self-test with fixture/tiny-verifier
 * through transformers.js on WebGPU (Chromium's software adapter) and on
 * WASM, each in its own worker. The fixture model greedily emits the answer
 * in its fixture.json for any chat prompt, so both devices must produce
 * exactly that text, agree 100%, and the app may talk only to its own
 * origin and the mirror.
 *
 * The screen is reached at `#/selftest` (the route the app shell wires).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startMirrorServer, type MirrorServer } from '../fixtures/mirror-server';
import { launchBrowser, recordRequests, type LaunchedBrowser, type RequestLog } from './launch';
import { startAppServer, type AppServer } from './static-server';

const MODEL_ID = 'fixture/tiny-verifier';
/** The answer is 64 tokens plus the end token; leave room so the end token is generated too. */
const MAX_TOKENS = 80;

interface ReportShape {
  model: { id: string; engine: string };
  settings: { maxTokens: number; promptIds: string[] };
  capabilities: { webgpu: { available: boolean; adapter?: { vendor: string; architecture: string } } };
  devices: {
    device: string;
    status: string;
    ranOnRequestedDevice?: boolean;
    load?: { device: string; engine: string; dtype: string; loadMs: number; warmupMs: number; library: string };
    outputs: { promptId: string; text: string; completionTokens: number; finishReason: string }[];
    throughput: { prefillTokensPerSec: number | null; decodeTokensPerSec: number | null } | null;
  }[];
  agreement: { summary: { exactShare: number; meanTokenAgreement: number; prompts: number } } | null;
  outcome: string;
}

describe('real inference in the engine worker (self-test screen)', () => {
  const distDir = inject('distDir');
  const modelsDir = inject('fixtureModelsDir');
  let mirror: MirrorServer;
  let app: AppServer;
  let browser: LaunchedBrowser;
  let page: Page;
  let log: RequestLog;
  const consoleErrors: string[] = [];
  let answer: string;

  beforeAll(async () => {
    expect(modelsDir, 'the global setup must build the fixture models').not.toBe('');
    answer = (JSON.parse(readFileSync(join(modelsDir, MODEL_ID, 'fixture.json'), 'utf8')) as { answer: string }).answer;
    mirror = await startMirrorServer({ root: modelsDir });
    app = await startAppServer({
      dist: distDir,
      appConfig: {
        modelHost: mirror.url,
        modelLibHost: `${mirror.url}/libs/`,
        mirrorOnly: true,
        defaultVerifier: MODEL_ID,
        catalog: [
          {
            id: MODEL_ID,
            engine: 'transformers',
            role: 'verifier',
            task: 'text-generation',
            dtypes: ['fp32'],
            sizeBytes: 12_000_000,
            label: { zh: '测试用微型核查模型', en: 'Tiny test verifier' },
            description: { zh: '测试夹具，不是真实模型。', en: 'A test fixture, not a real model.' },
          },
        ],
      },
    });
    browser = await launchBrowser();
    log = recordRequests(browser.context);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await mirror?.close();
  });

  it('shows the capability probe with a WebGPU adapter', async () => {
    await page.goto(`${app.url}#/selftest`);
    await page.getByRole('heading', { level: 1, name: '硬件自检' }).waitFor();
    const caps = page.getByTestId('selftest-caps');
    await caps.waitFor();
    expect(await caps.getAttribute('data-webgpu')).toBe('true');
    const adapterRow = caps.locator('tr[data-cap="adapter"] td');
    expect((await adapterRow.innerText()).trim().length).toBeGreaterThan(0);
    await caps.locator('tr[data-cap="shader-f16"]').waitFor();
    await caps.locator('tr[data-cap="isolated"]').waitFor();
    await caps.locator('tr[data-cap="threads"]').waitFor();
  });

  it('runs fixture/tiny-verifier on WebGPU and on WASM, each giving the fixture answer exactly', async () => {
    const picker = page.getByLabel('模型');
    await picker.selectOption(`transformers:${MODEL_ID}`);
    await page.getByLabel('每条提示最多生成的词元数').fill(String(MAX_TOKENS));
    await page.getByTestId('selftest-run').click();

    const status = page.getByTestId('selftest-status');
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 5_000 }).toBe('running');
    await expect
      .poll(() => status.getAttribute('data-state'), { timeout: 170_000, interval: 500 })
      .not.toBe('running');
    expect(await status.getAttribute('data-state'), `status: ${await status.innerText()}; console: ${consoleErrors.join(' | ')}`).toBe('done');

    const results = await page.getByTestId('selftest-result').evaluateAll((els) =>
      els.map((el) => ({ device: el.getAttribute('data-device'), prompt: el.getAttribute('data-prompt'), text: el.getAttribute('data-text') })),
    );
    const byDevice = (device: string) => results.filter((r) => r.device === device);
    expect(byDevice('webgpu').length).toBeGreaterThanOrEqual(1);
    expect(byDevice('webgpu').length).toBe(byDevice('wasm').length);
    for (const r of results) expect(r.text, `${r.device} ${r.prompt}`).toBe(answer);

    const agreement = page.getByTestId('selftest-agreement');
    expect(await agreement.getAttribute('data-outcome')).toBe('agree');
    expect(Number(await agreement.getAttribute('data-exact-share'))).toBe(1);
    expect(Number(await agreement.getAttribute('data-token-agreement'))).toBe(1);
    await agreement.getByText('两种设备的输出完全一致。').waitFor();
  });

  it('really ran on WebGPU in one worker and on WASM in the other, and reports speeds', async () => {
    const gpuRow = page.locator('[data-testid="selftest-device"][data-device="webgpu"]');
    const wasmRow = page.locator('[data-testid="selftest-device"][data-device="wasm"]');
    expect(await gpuRow.getAttribute('data-status')).toBe('ok');
    expect(await gpuRow.getAttribute('data-loaded-device')).toBe('webgpu');
    expect(await wasmRow.getAttribute('data-status')).toBe('ok');
    expect(await wasmRow.getAttribute('data-loaded-device')).toBe('wasm');

    const report = JSON.parse(await page.getByTestId('selftest-report').inputValue()) as ReportShape;
    expect(report.model).toEqual({ id: MODEL_ID, engine: 'transformers' });
    expect(report.settings.maxTokens).toBe(MAX_TOKENS);
    expect(report.capabilities.webgpu.available).toBe(true);
    expect(report.capabilities.webgpu.adapter).toBeDefined();
    expect(report.outcome).toBe('agree');
    expect(report.agreement?.summary).toEqual({ exactShare: 1, meanTokenAgreement: 1, prompts: report.settings.promptIds.length });
    for (const device of ['webgpu', 'wasm']) {
      const run = report.devices.find((d) => d.device === device);
      expect(run?.status, device).toBe('ok');
      expect(run?.ranOnRequestedDevice, device).toBe(true);
      expect(run?.load).toMatchObject({ device, engine: 'transformers', dtype: 'fp32' });
      expect(run?.load?.library).toMatch(/^transformers\.js /);
      expect(run?.load?.warmupMs).toBeGreaterThan(0);
      expect(run?.outputs.map((o) => o.promptId)).toEqual(report.settings.promptIds);
      for (const o of run?.outputs ?? []) {
        expect(o.text).toBe(answer);
        // 64 answer tokens and the end token, which stops generation before the limit.
        expect(o.completionTokens).toBe(65);
        expect(o.finishReason).toBe('stop');
      }
      expect(run?.throughput?.prefillTokensPerSec, device).toBeGreaterThan(0);
      expect(run?.throughput?.decodeTokensPerSec, device).toBeGreaterThan(0);
    }
    // The user sees the same figures in the table.
    expect(await gpuRow.locator('td').nth(5).innerText()).not.toBe('—');
  });

  it('downloaded the model from the mirror and talked to nothing but the app and the mirror', () => {
    const mirrorOrigin = new URL(mirror.url).origin;
    expect(log.outside([app.origin, mirrorOrigin])).toEqual([]);
    const gets = mirror.requests.filter((r) => r.method === 'GET' && r.status < 400).map((r) => r.path);
    expect(gets).toContain(`/${MODEL_ID}/resolve/main/config.json`);
    expect(gets).toContain(`/${MODEL_ID}/resolve/main/onnx/model.onnx`);
    // The onnxruntime runtime came from the app itself, not a CDN.
    expect(log.urls.some((u) => u.startsWith(app.origin) && /ort-wasm-simd-threaded\.asyncify.*\.wasm$/.test(u))).toBe(true);
  });
});
