/**
 * Prompt-prefix reuse gives identical outputs in the browser, on WebGPU
 * (Chromium's software adapter here; the same check runs on a clinician's real
 * GPU from the self-test screen) and on WASM (issue 15). The self-test runs
 * fixture/tiny-context, a real tiny decoder whose next token depends on every
 * cached token (a stale or misplaced cached prefix changes its answer), in the
 * app's engine workers: its three prompts share the verifier's system prompt,
 * so the third reuses it; each prompt is then generated
 * again with reuse off, and the check compares them character for character.
 */
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SelfTestReport } from '../../src/features/models/self-test/run-self-test';
import { launchBrowser, type LaunchedBrowser } from './launch';
import { fixtureModelEntry, startFixtureApp, type FixtureApp } from './fixture-app';

const MODEL_ID = 'fixture/tiny-context';

let served: FixtureApp | undefined;
let browser: LaunchedBrowser;
let page: Page;

beforeAll(async () => {
  served = await startFixtureApp({
    distDir: inject('distDir'),
    modelsDir: inject('fixtureModelsDir'),
    config: { defaultVerifier: MODEL_ID },
    catalog: [fixtureModelEntry(MODEL_ID, { zh: '测试用上下文敏感模型', en: 'Context-sensitive test model' }, { sizeBytes: 20_000_000 })],
  });
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await served?.close();
});

describe('prompt-prefix reuse in the browser (self-test)', () => {
  it('gives identical outputs with and without reuse on WebGPU and on WASM, computing fewer prompt tokens with it', async () => {
    await page.goto(`${served!.app.url}#/selftest`);
    await page.getByTestId('selftest-caps').waitFor();
    // The deployment's catalog arrives after the screen's first paint (the built-in one is shown until then).
    await expect.poll(() => page.getByLabel('模型', { exact: true }).inputValue(), { timeout: 15_000 }).toBe(`transformers:${MODEL_ID}`);
    await page.getByLabel('每条提示最多生成的词元数').fill('12');
    await page.getByTestId('selftest-run').click();
    const state = () => page.getByTestId('selftest-status').getAttribute('data-state');
    await expect.poll(state, { timeout: 5_000 }).toBe('running');
    await expect.poll(state, { timeout: 280_000, interval: 500 }).not.toBe('running');
    expect(await state(), await page.getByTestId('selftest-status').innerText()).toBe('done');

    const report = JSON.parse(await page.getByTestId('selftest-report').inputValue()) as SelfTestReport;
    expect(report.devices.map((d) => `${d.device}:${d.status}:${d.load?.prefixReuse}`)).toEqual(['webgpu:ok:true', 'wasm:ok:true']);
    expect(report.checks.prefixReuse).toBe('pass');
    for (const d of report.devices) {
      const check = d.prefixReuse!;
      expect(check.error).toBeUndefined();
      expect(check.prompts).toHaveLength(3);
      expect(check.prompts.every((p) => p.identical)).toBe(true);
      // Prompts 1 and 2 pay for the shared system prompt (the engine finds it when the second prompt repeats the
      // first's start, and computes it once); prompt 3 reuses it. Without reuse every prompt token is computed.
      const [p1, p2, p3] = check.prompts;
      expect(p1!.prefillOn).toBe(p1!.prefillOff);
      expect(p2!.prefillOn).toBe(p2!.prefillOff);
      expect(p3!.prefillOn).toBeLessThan(p3!.prefillOff / 2);
      expect(check.prefillOn).toBeLessThan(check.prefillOff);
      // The model really reads its context: the three texts give different answers.
      expect(new Set(d.outputs.map((o) => o.text)).size).toBeGreaterThan(1);
    }
    // The screen says so, per device, with the token counts.
    const rows = page.getByTestId('selftest-prefix-reuse');
    expect(await rows.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-device')}:${e.getAttribute('data-status')}:${e.getAttribute('data-identical')}/${e.getAttribute('data-prompts')}`))).toEqual([
      'webgpu:pass:3/3',
      'wasm:pass:3/3',
    ]);
    expect(await page.locator('[data-testid="selftest-checks"] tr[data-check="prefixReuse"]').getAttribute('data-status')).toBe('pass');
  }, 300_000);
});
