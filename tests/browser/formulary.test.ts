/**
 * Issue 12 end to end, in real Chromium against the production build, with
 * no model installed: import a formulary file on the Formulary screen, paste
 * an instruction with a 10× dose into the checker, and see the highlight on
 * exactly the dose with the formulary's reason and the 处方集规则 badge; the
 * demo formulary carries its 演示数据 label into the checker.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, type LaunchedBrowser } from './launch';
import { startAppServer, type AppServer } from './static-server';

let app: AppServer;
let browser: LaunchedBrowser;
let page: Page;

const FORMULARY = join(import.meta.dirname, '../fixtures/meds/formulary.csv');

beforeAll(async () => {
  app = await startAppServer({ dist: inject('distDir') });
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await app?.close();
});

async function check(text: string): Promise<void> {
  await page.goto(`${app.url}#/check`);
  await page.getByTestId('check-input').fill(text);
  const run = page.getByTestId('check-run');
  await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
  await run.click();
  await page.getByTestId('check-verdict').waitFor({ timeout: 30_000 });
}

async function seriousViolations(): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

describe('formulary rules, no model installed', () => {
  it('imports a formulary file and lists its rows', async () => {
    await page.goto(`${app.url}#/formulary`);
    await page.getByTestId('formulary-import').setInputFiles({ name: '本院处方集.csv', mimeType: 'text/csv', buffer: readFileSync(FORMULARY) });
    await expect.poll(() => page.getByTestId('formulary-row').count(), { timeout: 30_000 }).toBe(19);
    expect(await page.getByTestId('formulary-row').first().getAttribute('data-name')).toBe('对乙酰氨基酚');
    expect(await page.getByTestId('formulary-version').count()).toBe(1);
    expect(await page.getByTestId('formulary-demo-label').count()).toBe(0);
    expect(await seriousViolations()).toEqual([]);
  });

  it('flags exactly the 10× dose, with the formulary reason, the rule badge and data-source="rule"', async () => {
    const text = '出院带药：对乙酰氨基酚片，口服，成人一次10g，一日3次，饭后服用。';
    await check(text);
    const span = page.locator('[data-testid="check-span"][data-source="rule"]');
    await expect.poll(() => span.count()).toBe(1);
    const start = Number(await span.getAttribute('data-start'));
    const end = Number(await span.getAttribute('data-end'));
    expect(text.slice(start, end)).toBe('10g');
    expect(await span.textContent()).toBe('10g');
    const card = page.locator('[data-testid="check-finding"][data-source="rule"]');
    expect(await card.count()).toBe(1);
    expect(await card.getAttribute('data-critical')).toBe('true');
    const cardText = (await card.textContent()) ?? '';
    expect(cardText).toContain('处方集规则');
    expect(cardText).toContain('超过本院处方集单次最大剂量 1 g');
    expect(cardText).toContain('本院处方集第 2 行');
    expect(await page.getByTestId('check-verdict').getAttribute('data-verdict')).toBe('has_error');
    expect(await page.getByTestId('check-rules-only').textContent()).toContain('只应用了处方集规则');
    expect(await seriousViolations()).toEqual([]);
    // Rule findings can be dismissed like any finding.
    await card.getByTestId('check-dismiss').click();
    await expect.poll(() => card.getAttribute('data-state')).toBe('dismissed');
  });

  it('does not flag a correct instruction', async () => {
    await check('对乙酰氨基酚片，口服，成人一次0.5g，若持续发热可间隔4～6小时重复用药一次，24小时内不超过4次。');
    expect(await page.locator('[data-testid="check-span"]').count()).toBe(0);
    expect(await page.getByTestId('check-verdict').getAttribute('data-verdict')).toBe('no_error');
  });

  it('the demo formulary is labelled 演示数据，不作临床依据 on its screen and in the checker', async () => {
    await page.goto(`${app.url}#/formulary`);
    await page.getByTestId('formulary-load-demo').click();
    await page.getByTestId('formulary-demo-label').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('formulary-demo-label').textContent()).toContain('演示数据，不作临床依据');
    expect(await page.getByTestId('formulary-version').count()).toBe(2);
    await check('地高辛片：成人每日0.25克，一次服完。');
    const span = page.locator('[data-testid="check-span"][data-source="rule"]');
    expect(await span.textContent()).toBe('0.25克');
    expect(await page.getByTestId('check-formulary-demo').textContent()).toContain('演示数据，不作临床依据');
  });
});
