/**
 * A first-ever import while offline: the extraction worker and its lazy
 * chunks (pdf.js, its worker, mammoth) are precached with the app shell, so
 * a fresh install that has never read a PDF can import a Chinese PDF and a
 * DOCX with the network gone.
 */
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeChinesePdf, makeDocx } from '../fixtures/evidence/make-documents';
import { launchBrowser, type LaunchedBrowser } from './launch';

describe('reference library offline, before any import', () => {
  const appUrl = inject('appUrl');
  let browser: LaunchedBrowser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(appUrl);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('imports a Chinese PDF and a DOCX with the network gone', async () => {
    const pdf = await makeChinesePdf('华法林钠片说明书', [['【用法用量】华法林的目标INR为2.0～3.0。']]);
    const docx = await makeDocx(['二甲双胍禁用于eGFR低于45的患者。']);
    await browser.context.setOffline(true);
    try {
      await page.goto(`${appUrl}#/library`);
      await page.reload();
      await page.getByRole('heading', { level: 1, name: '参考资料' }).waitFor();
      await page.getByTestId('library-import').setInputFiles([
        { name: '华法林钠片说明书.pdf', mimeType: 'application/pdf', buffer: Buffer.from(pdf) },
        { name: '二甲双胍.docx', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', buffer: Buffer.from(docx) },
      ]);
      const results = page.getByTestId('library-import-result');
      await expect.poll(() => results.count(), { timeout: 60_000 }).toBe(2);
      expect(await results.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual(['added', 'added']);
      await page.getByTestId('library-search').fill('华法林 INR');
      await page.getByTestId('library-hit').first().waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('library-hit').first().textContent()).toContain('2.0～3.0');
    } finally {
      await browser.context.setOffline(false);
    }
  }, 180_000);
});
