/**
 * The reference library end to end in the production build: import a
 * Chinese PDF (printed by Chromium in the test), a DOCX (written in the
 * test) and a TXT through the file input; bad files are refused with a
 * message and leave nothing behind; search cites title and page; the
 * document view opens at the passage; an offline reload keeps library and
 * index; deleting a document removes its passages from results.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeChinesePdf, makeDocx, makeScannedPdf } from '../fixtures/evidence/make-documents';
import { launchBrowser, type LaunchedBrowser } from './launch';

const buffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

describe('reference library (参考资料)', () => {
  const appUrl = inject('appUrl');
  let browser: LaunchedBrowser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(appUrl);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
    await page.goto(`${appUrl}#/library`);
    await page.getByRole('heading', { level: 1, name: '参考资料' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  const docs = () => page.getByTestId('library-doc');
  const search = async (q: string) => {
    await page.getByTestId('library-search').fill(q);
    await page.waitForTimeout(400);
    await page.waitForLoadState('networkidle');
  };

  it('imports a Chinese PDF, a DOCX and a TXT, each with its passages', async () => {
    const pdf = await makeChinesePdf('华法林用药指导', [['第一页：华法林是一种口服抗凝药，服药期间饮食应保持稳定。'], ['第二页：华法林的目标INR为2.0～3.0，应定期监测。']]);
    const docx = await makeDocx(['二甲双胍说明书', '二甲双胍禁用于eGFR低于45ml/min/1.73m²的患者。']);
    await page.getByTestId('library-import').setInputFiles([
      { name: '华法林.pdf', mimeType: 'application/pdf', buffer: buffer(pdf) },
      { name: '二甲双胍.docx', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', buffer: buffer(docx) },
      { name: '阿司匹林.txt', mimeType: 'text/plain', buffer: Buffer.from('阿司匹林用于预防心肌梗死时，建议每日100mg，一次服用。') },
    ]);
    await expect.poll(() => page.getByTestId('library-import-result').count(), { timeout: 60_000 }).toBe(3);
    expect(await page.getByTestId('library-import-result').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual(['added', 'added', 'added']);
    await expect.poll(() => docs().count()).toBe(3);
    for (const n of await docs().evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-passages'))))) expect(n).toBeGreaterThan(0);
    await page.getByText('华法林用药指导').first().waitFor();
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  }, 120_000);

  it('refuses a scanned PDF, a damaged PDF, an unsupported type and a duplicate, with messages, adding nothing', async () => {
    await page.getByTestId('library-import').setInputFiles([
      { name: '扫描件.pdf', mimeType: 'application/pdf', buffer: buffer(await makeScannedPdf()) },
      { name: '损坏.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7 broken') },
      { name: '幻灯片.pptx', mimeType: 'application/octet-stream', buffer: Buffer.from('x') },
      { name: '阿司匹林副本.txt', mimeType: 'text/plain', buffer: Buffer.from('阿司匹林用于预防心肌梗死时，建议每日100mg，一次服用。') },
    ]);
    await expect.poll(() => page.getByTestId('library-import-result').count(), { timeout: 60_000 }).toBe(4);
    const results = page.getByTestId('library-import-result');
    expect(await results.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual(['error', 'error', 'error', 'duplicate']);
    expect(await results.nth(0).textContent()).toMatch(/扫描件\.pdf has no text layer/);
    expect(await results.nth(1).textContent()).toMatch(/损坏\.pdf could not be read as a PDF/);
    expect(await results.nth(2).textContent()).toMatch(/幻灯片\.pptx: this file type is not supported/);
    expect(await results.nth(3).textContent()).toContain('阿司匹林');
    expect(await docs().count()).toBe(3);
  }, 120_000);

  it('finds the passage with the fact, citing title and page, and opens the document there', async () => {
    await search('华法林 INR 目标范围');
    const hit = page.getByTestId('library-hit').first();
    await hit.waitFor();
    expect(await hit.getAttribute('data-page')).toBe('2');
    expect(await hit.textContent()).toContain('华法林用药指导');
    expect(await hit.textContent()).toContain('第 2 页');
    expect(await hit.locator('mark').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('INR')]));
    await hit.getByRole('link', { name: '华法林用药指导' }).click();
    const focus = page.getByTestId('library-passage-focus');
    await focus.waitFor();
    expect(await focus.textContent()).toContain('目标INR为2.0～3.0');
    expect(await focus.getAttribute('data-page')).toBe('2');
    await page.getByRole('link', { name: '返回列表' }).click();
  }, 60_000);

  it('keeps the library and its index through an offline reload', async () => {
    // The app shell (and pdf.js CMaps) must be precached before the network goes: on a busy machine that takes a while.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await browser.context.setOffline(true);
    try {
      await page.reload();
      await page.getByRole('heading', { level: 1, name: '参考资料' }).waitFor();
      await expect.poll(() => docs().count()).toBe(3);
      await search('二甲双胍 肾功能 eGFR');
      expect(await page.getByTestId('library-hit').first().textContent()).toContain('eGFR低于45');
    } finally {
      await browser.context.setOffline(false);
    }
  }, 60_000);

  it('deleting a document removes its passages from the results', async () => {
    await page.getByTestId('library-search').fill('');
    const pdfDoc = docs().filter({ hasText: '华法林用药指导' });
    const docId = await pdfDoc.getAttribute('data-doc-id');
    await pdfDoc.getByTestId('library-delete').click();
    await expect.poll(() => docs().count()).toBe(2);
    await search('华法林 INR');
    const ids = await page.getByTestId('library-hit').evaluateAll((els) => els.map((e) => e.getAttribute('data-doc-id')));
    expect(ids).not.toContain(docId);
  }, 60_000);
});
