/**
 * What a clinician meets on a hospital deployment (fixture models installed
 * from a mirror named in app-config.json, mirror-only): pickers list each
 * model once by its label; labels, not ids, on screen; the recommendation
 * follows the deployment; the offline-ready note never covers content and
 * leaves by itself; badges do not wrap; the Models forms are laid out.
 * (Run states after a crash and the 有误/无误 words are in bench.test.ts.)
 */
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, type LaunchedBrowser } from './launch';
import { FIXTURE_REWARD, FIXTURE_VERIFIER, installFromModelsScreen, startFixtureApp, type FixtureApp } from './fixture-app';

const VERIFIER_LABEL = '测试核查模型';
const REWARD_LABEL = '测试奖励模型';

let served: FixtureApp;
let browser: LaunchedBrowser;
let page: Page;

beforeAll(async () => {
  served = await startFixtureApp({ distDir: inject('distDir'), modelsDir: inject('fixtureModelsDir') });
  browser = await launchBrowser({ viewport: { width: 1280, height: 800 } });
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(`${served.app.url}#/check`);
  // First visit: the shell is cached for offline use and the app says so once.
  const note = page.getByTestId('offline-ready-note');
  await note.waitFor({ timeout: 60_000 });
  const inHeader = await note.evaluate((el) => el.closest('header') !== null);
  expect(inHeader).toBe(true);
  // It leaves by itself (no click).
  await note.waitFor({ state: 'detached', timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await served?.close();
});

describe('a hospital deployment, as a clinician sees it', () => {
  it('recommends the deployment’s own models on a mirror-only deployment, never a built-in one', async () => {
    await page.goto(`${served.app.url}#/models`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await expect.poll(() => page.locator('[data-testid="catalog-entry"][data-recommended]').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const recommended = await page.locator('[data-testid="catalog-entry"][data-recommended]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model-id')));
    expect(new Set(recommended)).toEqual(new Set([FIXTURE_VERIFIER, FIXTURE_REWARD]));
  });

  it('shows labels, not ids, once installed; the 已安装 badge stays on one line', async () => {
    await installFromModelsScreen(page, served.app.url, FIXTURE_VERIFIER);
    await installFromModelsScreen(page, served.app.url, FIXTURE_REWARD);
    const installed = page.getByTestId('installed-model');
    await expect.poll(() => installed.count()).toBe(2);
    const names = await installed.locator('strong').allTextContents();
    expect(names.sort()).toEqual([VERIFIER_LABEL, REWARD_LABEL].sort());

    const badge = page.locator(`[data-testid="catalog-entry"][data-model-id="${FIXTURE_VERIFIER}"] .badge-installed`);
    await badge.waitFor();
    const box = await badge.boundingBox();
    const lineHeight = await badge.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.5);
    expect(box).not.toBeNull();
    expect(box!.height).toBeLessThan(lineHeight * 1.8);
  });

  it('lays the forms at the bottom of the Models screen out as labelled one-column fields', async () => {
    const input = page.getByTestId('custom-model-id');
    await input.waitFor();
    const form = input.locator('xpath=..');
    expect(await form.evaluate((el) => getComputedStyle(el).display)).toBe('grid');
    const inputBox = await input.boundingBox();
    expect(inputBox!.width).toBeGreaterThan(250);
    expect(await form.locator('label').first().evaluate((el) => getComputedStyle(el).fontWeight)).toBe('600');
  });

  it('lists each installed model once, by its label, in the checker’s pickers and the session line', async () => {
    await page.goto(`${served.app.url}#/check`);
    const verifierPicker = page.getByTestId('check-verifier');
    await expect.poll(() => page.getByTestId('session-verifier').getAttribute('data-state'), { timeout: 120_000 }).toBe('ready');
    const options = await verifierPicker.locator('option').allTextContents();
    expect(options.filter((o) => o.includes(VERIFIER_LABEL))).toHaveLength(1);
    expect(options.some((o) => o.includes(FIXTURE_VERIFIER))).toBe(false);
    const selected = await verifierPicker.evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent ?? '');
    expect(selected).toContain(VERIFIER_LABEL);
    const rewardOptions = await page.getByTestId('check-reward').locator('option').allTextContents();
    expect(rewardOptions.filter((o) => o.includes(REWARD_LABEL))).toHaveLength(1);
    expect(rewardOptions.some((o) => o.includes(FIXTURE_REWARD))).toBe(false);

    const session = page.getByTestId('session-verifier');
    expect(await session.textContent()).toContain(VERIFIER_LABEL);
    expect(await session.textContent()).not.toContain(FIXTURE_VERIFIER);
    // Scripts still find the id.
    expect(await session.getAttribute('data-model')).toBe(FIXTURE_VERIFIER);
  });

  it('names the models by label in the history', async () => {
    const input = page.getByTestId('check-input');
    await input.fill('布洛芬是一种常用的解热镇痛药。');
    const run = page.getByTestId('check-run');
    await expect.poll(() => run.isEnabled(), { timeout: 120_000 }).toBe(true);
    await run.click();
    await page.getByTestId('check-verdict').waitFor({ timeout: 120_000 });
    await page.goto(`${served.app.url}#/history`);
    const item = page.getByTestId('history-item').first();
    await item.waitFor();
    const text = (await item.textContent()) ?? '';
    expect(text).toContain(VERIFIER_LABEL);
    expect(text).not.toContain(FIXTURE_VERIFIER);
  });
});
