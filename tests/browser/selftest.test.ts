/**
 * The self-test screen as a user meets it in the production build: it is
 * accessible, it can be cancelled midway (the workers are freed and it can
 * run again), its report can be copied, and it speaks English on request.
 * Real engines in real workers, with fixture/tiny-verifier-small (a small
 * vocabulary, so it is quick even on the software WebGPU adapter).
 * The screen is reached at `#/selftest` (the route the app shell wires).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MirrorServer } from '../fixtures/mirror-server';
import { launchBrowser, recordRequests, type LaunchedBrowser, type RequestLog } from './launch';
import type { AppServer } from './static-server';
import { fixtureModelEntry, startFixtureApp, type FixtureApp } from './fixture-app';

const MODEL_ID = 'fixture/tiny-verifier-small';

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).include('main').analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

describe('the self-test screen in the browser', () => {
  const distDir = inject('distDir');
  const modelsDir = inject('fixtureModelsDir');
  let mirror: MirrorServer;
  let app: AppServer;
  let served: FixtureApp | undefined;
  let browser: LaunchedBrowser;
  let page: Page;
  let log: RequestLog;
  let answer: string;

  const state = () => page.getByTestId('selftest-status').getAttribute('data-state');

  async function runToEnd(): Promise<void> {
    await page.getByTestId('selftest-run').click();
    await expect.poll(state, { timeout: 5_000 }).toBe('running');
    await expect.poll(state, { timeout: 150_000, interval: 500 }).not.toBe('running');
    expect(await state(), await page.getByTestId('selftest-status').innerText()).toBe('done');
  }

  beforeAll(async () => {
    expect(modelsDir, 'the global setup must build the fixture models').not.toBe('');
    answer = (JSON.parse(readFileSync(join(modelsDir, MODEL_ID, 'fixture.json'), 'utf8')) as { answer: string }).answer;
    served = await startFixtureApp({
      distDir,
      modelsDir,
      config: { defaultVerifier: MODEL_ID },
      catalog: [
        fixtureModelEntry(MODEL_ID, { zh: '测试用小词表核查模型', en: 'Small-vocabulary test verifier' }, { sizeBytes: 100_000 }),
      ],
    });
    ({ mirror, app } = served);
    browser = await launchBrowser();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.origin });
    log = recordRequests(browser.context);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(`${app.url}#/selftest`);
    await page.getByRole('heading', { level: 1, name: '硬件自检' }).waitFor();
    await page.getByTestId('selftest-caps').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it('has no serious accessibility problems before a run', async () => {
    expect(await seriousViolations(page)).toEqual([]);
    // The deployment's default verifier is preselected.
    // The deployment's catalog arrives after the screen's first paint (the built-in one is shown until then).
    await expect.poll(() => page.getByLabel('模型', { exact: true }).inputValue(), { timeout: 15_000 }).toBe(`transformers:${MODEL_ID}`);
  });

  it('can be cancelled midway, and then run again to the end', async () => {
    await page.getByLabel('每条提示最多生成的词元数').fill('200');
    await page.getByTestId('selftest-run').click();
    // Cancel once the first output is in: the engine is mid-run.
    await page.getByTestId('selftest-result').first().waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: '取消' }).click();
    await expect.poll(state, { timeout: 30_000 }).toBe('cancelled');
    expect(await page.getByTestId('selftest-status').innerText()).toBe('自检已取消。');
    expect(await page.getByTestId('selftest-report').count()).toBe(0);
    expect(await page.getByTestId('selftest-run').isEnabled()).toBe(true);

    await runToEnd();
    const texts = await page.getByTestId('selftest-result').evaluateAll((els) => els.map((el) => el.getAttribute('data-text')));
    expect(texts.length).toBeGreaterThanOrEqual(2);
    for (const text of texts) expect(text).toBe(answer);
    expect(await page.getByTestId('selftest-agreement').getAttribute('data-outcome')).toBe('agree');
  });

  it('copies the report as JSON to the clipboard', async () => {
    await page.getByRole('button', { name: '复制报告（JSON）' }).click();
    await page.getByText('报告已复制到剪贴板。').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const report = JSON.parse(copied) as {
      format: string;
      model: { id: string };
      outcome: string;
      devices: { device: string; status: string }[];
      checks: Record<string, string>;
    };
    expect(report).toMatchObject({ format: 'medfact-selftest-v3', model: { id: MODEL_ID }, outcome: 'agree' });
    // No reward classifier in this deployment's catalog: that check is not run; the others passed on both devices.
    expect(report.checks).toMatchObject({ generation: 'pass', streaming: 'pass', judge: 'pass', classifier: 'not-run' });
    expect(report.devices.map((d) => `${d.device}:${d.status}`)).toEqual(['webgpu:ok', 'wasm:ok']);
    expect(copied).toBe(await page.getByTestId('selftest-report').inputValue());
  });

  it('has no serious accessibility problems with results on screen', async () => {
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('speaks English when the language is switched', async () => {
    await page.goto(`${app.url}#/settings`);
    await page.getByRole('radio', { name: 'English' }).check();
    await page.goto(`${app.url}#/selftest`);
    await page.getByRole('heading', { level: 1, name: 'Hardware self-test' }).waitFor();
    await page.getByRole('button', { name: 'Run self-test' }).waitFor();
    await page.getByRole('rowheader', { name: 'CPU threads' }).waitFor();
  });

  it('talked to nothing but the app and the mirror', () => {
    expect(log.outside([app.origin, new URL(mirror.url).origin])).toEqual([]);
  });
});
