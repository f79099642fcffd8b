/**
 * Checking against the reference library, end to end in the production
 * build with the fixture verifier: a drug insert imported in 参考资料 is
 * retrieved for the checked text, handed to the verifier (grounded prompt),
 * listed in the 依据 panel with title and page, and kept in the history
 * record; a finding that cites nothing gets the "no evidence found" badge
 * (the fixture verifier always gives the same answer, without citations);
 * with the switch off the check is ungrounded again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeChinesePdf } from '../fixtures/evidence/make-documents';
import { FIXTURE_VERIFIER, installFromModelsScreen, runFixtureCheck, startFixtureApp, type FixtureApp } from './fixture-app';
import { launchBrowser, type LaunchedBrowser } from './launch';

let served: FixtureApp | undefined;
let browser: LaunchedBrowser;
let page: Page;
let text: string;

beforeAll(async () => {
  const models = inject('fixtureModelsDir');
  text = (JSON.parse(readFileSync(join(models, FIXTURE_VERIFIER, 'fixture.json'), 'utf8')) as { text: string }).text;
  served = await startFixtureApp({ distDir: inject('distDir'), modelsDir: models });
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await installFromModelsScreen(page, served.app.url, FIXTURE_VERIFIER);
}, 300_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await served?.close();
});

const runCheck = (): Promise<void> => runFixtureCheck(page, served!.app.url, text);

describe('grounded checking', () => {
  it('uses the library when it has documents, and shows the retrieved passage with title and page', async () => {
    await page.goto(`${served!.app.url}#/library`);
    const pdf = await makeChinesePdf('阿莫西林胶囊说明书', [['【适应症】敏感菌所致的呼吸道感染。'], ['【用法用量】成人口服一次0.5克，每8小时1次。青霉素过敏者禁用。']]);
    await page.getByTestId('library-import').setInputFiles([
      { name: '阿莫西林胶囊说明书.pdf', mimeType: 'application/pdf', buffer: Buffer.from(pdf) },
      { name: '疫苗.txt', mimeType: 'text/plain', buffer: Buffer.from('乙肝疫苗全程接种3剂，按0、1、6个月程序接种。') },
    ]);
    await expect.poll(() => page.getByTestId('library-doc').count(), { timeout: 60_000 }).toBe(2);

    await page.goto(`${served!.app.url}#/check`);
    const toggle = page.getByTestId('check-use-library');
    await expect.poll(() => toggle.isChecked(), { timeout: 30_000 }).toBe(true);
    await runCheck();

    const panel = page.getByTestId('check-evidence');
    await panel.waitFor({ timeout: 120_000 });
    await panel.locator('summary').click();
    const items = panel.getByTestId('evidence-item');
    expect(await items.count()).toBeGreaterThan(0);
    const dosage = items.filter({ hasText: '成人口服一次0.5克' });
    expect(await dosage.count()).toBe(1);
    expect(await dosage.getAttribute('data-page')).toBe('2');
    expect(await dosage.textContent()).toContain('阿莫西林胶囊说明书');
    expect(await dosage.locator('mark').count()).toBeGreaterThan(0);
    expect(Number(await dosage.getAttribute('data-rank'))).toBeGreaterThan(0);
    // The fixture verifier cites nothing: its finding says so.
    const finding = page.getByTestId('check-finding').first();
    await finding.getByTestId('evidence-none').waitFor();

    // The link opens the document at the passage.
    await dosage.getByRole('link', { name: '阿莫西林胶囊说明书' }).click();
    expect(await page.getByTestId('library-passage-focus').textContent()).toContain('成人口服一次0.5克');
  }, 300_000);

  it('checks without the library when the switch is off', async () => {
    await page.goto(`${served!.app.url}#/check`);
    const toggle = page.getByTestId('check-use-library');
    await expect.poll(() => toggle.isChecked(), { timeout: 30_000 }).toBe(true);
    await toggle.uncheck();
    await runCheck();
    // The new result replaces the grounded one: no evidence panel, no badge.
    await expect.poll(() => page.getByTestId('check-evidence').count(), { timeout: 120_000 }).toBe(0);
    await page.getByTestId('check-finding').first().waitFor();
    expect(await page.getByTestId('evidence-none').count()).toBe(0);
  }, 300_000);
});
