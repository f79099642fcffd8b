/**
 * The benchmark runner end to end, on the production build in real
 * Chromium with real IndexedDB and the REAL tiny fixture models installed
 * from a local mirror named in app-config.json: a run over 6 items of the
 * built-in demo set; the page is closed mid-run, reopened, the interrupted
 * run is offered and resumed, and it ends with every item exactly once (in
 * IndexedDB and on screen).
 *
 * Contract assumed from the shell: the Benchmark screen is routed at
 * `#/bench` (BenchScreen from src/features/bench/bench-screen.tsx).
 */
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MirrorServer } from '../fixtures/mirror-server';
import { launchBrowser, recordRequests, type LaunchedBrowser, type RequestLog } from './launch';
import { storedRuns } from './stored-runs';
import type { AppServer } from './static-server';
import { FIXTURE_REWARD, FIXTURE_VERIFIER, installFromModelsScreen, startFixtureApp, type FixtureApp } from './fixture-app';

const VERIFIER = FIXTURE_VERIFIER;
const REWARD = FIXTURE_REWARD;
const ITEMS = 6;

let mirror: MirrorServer;
let app: AppServer;
let served: FixtureApp | undefined;
let browser: LaunchedBrowser;
let page: Page;
let requests: RequestLog;



/** The first stored run: its state, its items in run order, and the items stored so far. */
async function storedRun(p: Page): Promise<{ state: string; itemIds: string[]; stored: string[] } | null> {
  const [run] = await storedRuns(p);
  return run ? { state: run.state, itemIds: run.itemIds, stored: Object.keys(run.findings) } : null;
}

function storedCount(text: string | null): number {
  const m = /已完成\s*(\d+)\s*\/\s*(\d+)/.exec(text ?? '');
  return m ? Number(m[1]) : -1;
}

beforeAll(async () => {
  const models = inject('fixtureModelsDir');
  served = await startFixtureApp({ distDir: inject('distDir'), modelsDir: models });
  ({ mirror, app } = served);
  browser = await launchBrowser();
  requests = recordRequests(browser.context);
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await installFromModelsScreen(page, app.url, VERIFIER);
  await installFromModelsScreen(page, app.url, REWARD);
});

afterAll(async () => {
  requests?.stop();
  await browser?.close().catch(() => undefined);
  await served?.close();
});

describe('benchmark runner, end to end', () => {
  it('runs 6 demo items with the fixture models, survives closing the page mid-run, and resumes to every item exactly once', async () => {
    await page.goto(`${app.url}#/bench`);
    await page.getByRole('heading', { level: 1, name: '基准评测' }).waitFor();
    await page.getByRole('tab', { name: '新建运行' }).click();
    // The built-in demo set is there out of the box.
    await page.getByLabel('数据集').selectOption({ label: 'MedFact Lens demo (40) (40)' });
    await page.getByLabel('随机抽样条数').fill(String(ITEMS));
    await expect.poll(() => page.getByTestId('selected-count').textContent()).toContain(`已选 ${ITEMS} 条`);
    // Each model once, by its label (the id is the option's tooltip).
    await page.getByLabel('核查模型').selectOption({ label: '测试核查模型 · q8' });
    await page.getByLabel('每条采样次数').fill('4');
    // The label's accessible name also holds the selected option (embedded control), so match its start.
    await page.getByLabel(/^奖励模型(?!方式)/).selectOption({ label: '测试奖励模型 · q8' });
    // Slow the renderer (and its workers) down so the page closes mid-run deterministically: the tiny
    // fixture model is otherwise fast enough to finish all items between two polls.
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 8 });
    await page.getByTestId('bench-start').click();

    // Runs tab: wait until at least one item is stored, then close the page mid-run. Until then the row
    // says what is true (loading, running), never "paused".
    const count = page.getByTestId('run-count').first();
    const statesSeen = new Set<string>();
    await expect
      .poll(
        async () => {
          const state = await page.getByTestId('run-state').first().getAttribute('data-state').catch(() => null);
          if (state) statesSeen.add(state);
          return storedCount(await count.textContent());
        },
        { timeout: 180_000, interval: 50 },
      )
      .toBeGreaterThanOrEqual(1);
    expect([...statesSeen]).not.toContain('paused');
    await page.close();

    page = await browser.context.newPage();
    await page.goto(`${app.url}#/bench`);
    const afterClose = await storedRun(page);
    expect(afterClose).not.toBeNull();
    expect(afterClose?.itemIds).toHaveLength(ITEMS);
    expect(afterClose?.stored.length).toBeGreaterThanOrEqual(1);
    expect(afterClose?.stored.length).toBeLessThan(ITEMS);
    expect(afterClose?.state).toBe('running');

    // Reopened: the interrupted run is offered, and its row says it was interrupted (not 运行中); resume it.
    const offer = page.getByTestId('resume-offer');
    await offer.waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('run-state').first().getAttribute('data-state')).toBe('interrupted');
    expect(await page.getByTestId('run-state').first().textContent()).toBe('已中断');
    await offer.getByRole('button', { name: /继续/ }).click();
    await expect.poll(async () => storedCount(await page.getByTestId('run-count').first().textContent()), { timeout: 180_000 }).toBe(ITEMS);
    await expect.poll(async () => (await storedRun(page))?.state, { timeout: 30_000 }).toBe('completed');

    const done = await storedRun(page);
    expect(done?.stored).toHaveLength(ITEMS);
    expect(new Set(done?.stored)).toEqual(new Set(done?.itemIds));
    expect(await page.getByTestId('run-count').first().textContent()).toContain(`已完成 ${ITEMS} / ${ITEMS} 条`);

    // Results are scored over the 6 items.
    await page.getByRole('button', { name: '查看结果' }).first().click();
    await expect.poll(() => page.getByTestId('results-counts').textContent(), { timeout: 60_000 }).toContain(`已评分 ${ITEMS} 条`);
    await page.getByTestId('vc-table').waitFor();
    // Gold and predicted columns say 有误/无误 in words, not ✓/✗ (which read as right/wrong).
    await page.getByTestId('item-gold').first().waitFor();
    const words = [...(await page.getByTestId('item-gold').allTextContents()), ...(await page.getByTestId('item-pred').allTextContents())];
    expect(words.length).toBeGreaterThan(0);
    for (const w of words) expect(['有误', '无误', '失败']).toContain(w);
  });

  it('no request went anywhere but the app and the configured mirror', () => {
    expect(requests.outside([new URL(app.url).origin, new URL(mirror.url).origin])).toEqual([]);
  });
});
