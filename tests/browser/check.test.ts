/**
 * The clinician's flow end to end, in real Chromium against the production
 * build, with the fixture models installed from a local mirror named in the
 * app's configuration: paste, check, highlight exactly the planted error,
 * accept/undo, threshold, dismiss, export, history after reload, the emoji
 * shift, no request outside the app's origin and the mirror, and no serious
 * or critical axe violation on the checker, history and model screens.
 *
 * Needs the whole stack integrated: routes #/check, #/history, #/models; the
 * models screen installs (catalog-entry / install-button) and the loaded
 * models are attached to the checker's engine session.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MirrorServer } from '../fixtures/mirror-server';
import { launchBrowser, recordRequests, type LaunchedBrowser, type RequestLog } from './launch';
import type { AppServer } from './static-server';
import { FIXTURE_REWARD, FIXTURE_VERIFIER, installFromModelsScreen, startFixtureApp, type FixtureApp } from './fixture-app';

interface VerifierFixture {
  text: string;
  expected: { start: number; end: number; type: string }[];
  answer: string;
}

const VERIFIER = FIXTURE_VERIFIER;
const REWARD = FIXTURE_REWARD;

let mirror: MirrorServer;
let app: AppServer;
let served: FixtureApp | undefined;
let browser: LaunchedBrowser;
let page: Page;
let requests: RequestLog;
let fixture: VerifierFixture;



async function runCheck(text: string): Promise<void> {
  await page.goto(`${app.url}#/check`);
  const input = page.getByTestId('check-input');
  await input.fill(text);
  const run = page.getByTestId('check-run');
  // Enabled once the text is there and the verifier is loaded.
  await expect.poll(() => run.isEnabled(), { timeout: 120_000 }).toBe(true);
  await run.click();
  await page.getByTestId('check-verdict').waitFor({ timeout: 120_000 });
}

async function seriousViolations(): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

beforeAll(async () => {
  const models = inject('fixtureModelsDir');
  fixture = JSON.parse(readFileSync(join(models, VERIFIER, 'fixture.json'), 'utf8')) as VerifierFixture;
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

describe('checker, end to end', () => {
  it('highlights exactly the planted error, with its type', async () => {
    await runCheck(fixture.text);
    const expected = fixture.expected[0];
    expect(expected).toBeDefined();
    expect(await page.getByTestId('check-verdict').getAttribute('data-verdict')).toBe('has_error');
    const span = page.getByTestId('check-span');
    await expect.poll(() => span.count()).toBe(1);
    expect(await span.getAttribute('data-start')).toBe(String(expected?.start));
    expect(await span.getAttribute('data-end')).toBe(String(expected?.end));
    expect(await span.getAttribute('data-type')).toBe(expected?.type);
    expect(await span.textContent()).toBe(fixture.text.slice(expected?.start, expected?.end));
    expect(await page.getByTestId('check-finding').count()).toBe(1);
    expect(await seriousViolations()).toEqual([]);
  });

  it('accept changes the text and undo restores it', async () => {
    const wire = JSON.parse(fixture.answer) as { errors: { quote: string; fix: string }[] };
    const planted = wire.errors[0];
    const input = page.getByTestId('check-input');
    await page.getByTestId('check-finding').getByTestId('check-accept').click();
    expect(await input.inputValue()).toBe(fixture.text.replace(planted?.quote ?? '', planted?.fix ?? ''));
    await page.getByTestId('check-undo').click();
    expect(await input.inputValue()).toBe(fixture.text);
  });

  it('the threshold slider hides a low-confidence finding without re-running', async () => {
    const card = page.getByTestId('check-finding');
    const confidence = Number(await card.getAttribute('data-confidence'));
    expect(confidence).toBeLessThan(1);
    await page.getByTestId('check-threshold').fill('1');
    await expect.poll(() => page.getByTestId('check-finding').count()).toBe(0);
    expect(await page.getByTestId('check-span').count()).toBe(0);
    await page.getByTestId('check-threshold').fill('0');
    await expect.poll(() => page.getByTestId('check-finding').count()).toBe(1);
  });

  it('exports the findings as JSON and Markdown', async () => {
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('check-export-json').click()]);
    const report = JSON.parse(readFileSync((await json.path()) ?? '', 'utf8')) as { findings: { quote: string; span: { start: number } | null }[] };
    expect(report.findings.map((f) => f.span?.start)).toContain(fixture.expected[0]?.start);
    const [md] = await Promise.all([page.waitForEvent('download'), page.getByTestId('check-export-md').click()]);
    const markdown = readFileSync((await md.path()) ?? '', 'utf8');
    expect(markdown).toContain(fixture.text.slice(fixture.expected[0]?.start, fixture.expected[0]?.end));
  });

  it('dismisses a finding as a false alarm and keeps it for review', async () => {
    await page.getByTestId('check-finding').getByTestId('check-dismiss').click();
    expect(await page.getByTestId('check-finding').getAttribute('data-state')).toBe('dismissed');
    expect(await page.getByTestId('check-span').count()).toBe(0);
  });

  it('the history survives a reload and is searchable', async () => {
    await page.reload();
    await page.goto(`${app.url}#/history`);
    await page.getByTestId('history-item').first().waitFor();
    await page.getByTestId('history-search').fill(fixture.text.slice(0, 5));
    await expect.poll(() => page.getByTestId('history-item').count()).toBeGreaterThanOrEqual(1);
    await page.getByTestId('history-search').fill('不可能出现的搜索词');
    await expect.poll(() => page.getByTestId('history-item').count()).toBe(0);
    await page.getByTestId('history-search').fill('');
    expect(await seriousViolations()).toEqual([]);
  });

  it('an emoji before the error shifts the highlight by exactly two UTF-16 units', async () => {
    await runCheck(`😀${fixture.text}`);
    const span = page.getByTestId('check-span');
    await expect.poll(() => span.count()).toBe(1);
    expect(Number(await span.getAttribute('data-start'))).toBe((fixture.expected[0]?.start ?? 0) + 2);
    expect(Number(await span.getAttribute('data-end'))).toBe((fixture.expected[0]?.end ?? 0) + 2);
  });

  it('the models screen has no serious accessibility violation', async () => {
    await page.goto(`${app.url}#/models`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await seriousViolations()).toEqual([]);
  });

  it('no request went anywhere but the app and the configured mirror', () => {
    expect(requests.urls.length).toBeGreaterThan(0);
    expect(requests.outside([new URL(app.url).origin, new URL(mirror.url).origin])).toEqual([]);
  });
});
